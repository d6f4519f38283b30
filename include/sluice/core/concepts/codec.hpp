// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `codec_for` concept: raw records to typed values.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/reject.hpp"

#include <concepts>
#include <span>
#include <vector>

namespace sluice::inline v0 {

/// A codec that decodes a batch of `In` (usually `source_record`) into `C::value_type` values.
///
/// Syntax: `typename C::value_type`; `c.decode(std::span<const In>, std::vector<value_type>&,
/// reject_list&)`.
///
/// Semantics (checked by test/laws):
/// - Every input either yields values appended to `out` or is added to `rejects` with a reason
///   (its `origin` is its index in the span); nothing vanishes, nothing throws on bad input.
/// - Decoding is deterministic: the same inputs give the same values and rejects.
/// - A returned error (not a reject) means the whole batch cannot be decoded now (e.g. a schema
///   registry is down); the runner retries or stops.
template <class C, class In>
concept codec_for = detail::declares<C, codec_tag> &&
                    requires(C& c, std::span<const In> in,
                             std::vector<typename C::value_type>& out, reject_list& rejects) {
                      typename C::value_type;
                      { c.decode(in, out, rejects) } -> std::same_as<result<void>>;
                    };

}  // namespace sluice::inline v0
