// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `sink_for` concept: where values go.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"

#include <concepts>
#include <span>

namespace sluice::inline v0 {

/// A sink that writes a batch of `T` values.
///
/// Syntax: `k.write(std::span<const T>, const batch_plan&)`.
///
/// Semantics (checked by test/laws):
/// - Writes are idempotent by key: writing the same batch again (a replay) leaves the sink's
///   contents as after the first write. Content-addressed or deterministic names give this.
/// - On success every value is durable; on error none, some or all may be, and a retry of the
///   same batch must converge to "all" (never half-written objects: atomic writes).
/// - A sink may run its writes concurrently but returns only when all finished.
/// Blocking: yes, until the batch is written or failed.
template <class K, class T>
concept sink_for = detail::declares<K, sink_tag> &&
                   requires(K& k, std::span<const T> values, const batch_plan& plan) {
                     { k.write(values, plan) } -> std::same_as<result<void>>;
                   };

}  // namespace sluice::inline v0
