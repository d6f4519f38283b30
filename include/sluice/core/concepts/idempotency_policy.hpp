// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `idempotency_policy` concept: has this batch already been applied?

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"

#include <concepts>

namespace sluice::inline v0 {

/// Decides whether a batch was already applied, and records that it was.
///
/// Syntax: `p.is_done(plan)` → `result<bool>`, `p.mark_done(plan)` → `result<void>`.
///
/// Semantics (checked by test/laws):
/// - `mark_done(plan)` is called only after the sink accepted the whole batch, never after a
///   failed write. After it returns, `is_done(plan)` is true, in this and any later process
///   (for at least the policy's retention; `completed_batches_log` covers the current and the
///   previous month).
/// - `mark_done` of a batch already marked leaves one record, not two.
/// - `none` says `false` always: at-least-once effect, relying on idempotent sinks.
template <class P>
concept idempotency_policy = detail::declares<P, idempotency_tag> &&
                             requires(P& p, const batch_plan& plan) {
                               { p.is_done(plan) } -> std::same_as<result<bool>>;
                               { p.mark_done(plan) } -> std::same_as<result<void>>;
                             };

}  // namespace sluice::inline v0
