// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `transform_for` and `stateful_transform` concepts: stages between codec and sink.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/reject.hpp"

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inline v0 {

/// A transform from a batch of `In` to a batch of `T::output_type`.
///
/// Syntax: `typename T::output_type`; `t.apply(std::vector<In>& in, std::vector<output_type>& out,
/// reject_list&)`.
///
/// Semantics (checked by test/laws):
/// - `apply` consumes `in` (it may move from it or swap it into `out` when the types agree) and
///   appends its results to `out`. A value it refuses goes to `rejects` with its origin and a
///   reason; a value it drops on purpose (a filter, a duplicate) is neither output nor reject
///   and is counted by the transform itself.
/// - Stateless transforms are deterministic functions of the batch. Stateful ones (dedup under
///   a watermark, tumbling windows, latest-per-key) keep bounded state across batches and also
///   model `stateful_transform`, so the runner can checkpoint that state with each commit.
template <class T, class In>
concept transform_for = detail::declares<T, transform_tag> &&
                        requires(T& t, std::vector<In>& in,
                                 std::vector<typename T::output_type>& out, reject_list& rejects) {
                          typename T::output_type;
                          { t.apply(in, out, rejects) } -> std::same_as<result<void>>;
                        };

/// A transform whose state survives restarts through the checkpoint.
///
/// Semantics: `save_state(blob)` serialises the state as of the end of the last applied batch;
/// `load_state(blob)` restores exactly that state, so that replaying the next batch after a
/// restart gives the same output as without the restart. The state is bounded (a watermark or a
/// capacity limits it); `load_state("")` means "no state yet".
template <class T>
concept stateful_transform = requires(const T& ct, T& t, std::string& blob, std::string_view in) {
  { ct.save_state(blob) } -> std::same_as<result<void>>;
  { t.load_state(in) } -> std::same_as<result<void>>;
};

}  // namespace sluice::inline v0
