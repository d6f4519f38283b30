// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `at_least_once`: the idempotency policy that remembers nothing, and the `default_idempotency`
/// trait that picks a pipeline's policy when none is given.

#include "sluice/core/concepts/idempotency_policy.hpp"
#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"

#include <type_traits>

namespace sluice::inline v0 {

/// The idempotency policy that never knows a batch: every batch, replays included, is written
/// again. Exactly-once *effect* then rests on idempotent sinks (content-addressed or
/// deterministic names) and on dead-letter sinks that keep one set of letters per batch id.
///
/// Errors: none. Thread-safety: stateless.
struct at_least_once {
  using stage_concept = idempotency_tag;
  /// Always false: no batch is known to be applied.
  [[nodiscard]] result<bool> is_done(const batch_plan&) const noexcept { return false; }
  /// Records nothing.
  result<void> mark_done(const batch_plan&) const noexcept { return success(); }
};

static_assert(std::is_empty_v<at_least_once>);
static_assert(idempotency_policy<at_least_once>);

/// The idempotency policy of a pipeline whose stage list ends with its sink.
///
/// Specialize it for your sink type to change the default (Outcome's `default_policy`), e.g. to
/// a completed-batches log for a sink whose writes are not idempotent.
template <class Sink>
struct default_idempotency {
  using type = at_least_once;
};

/// Shorthand for `default_idempotency<Sink>::type`.
template <class Sink>
using default_idempotency_t = typename default_idempotency<Sink>::type;

}  // namespace sluice::inline v0
