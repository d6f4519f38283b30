// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `idempotency::none`: the policy that remembers nothing (at-least-once effect).

#include "sluice/core/at_least_once.hpp"

#include <type_traits>

namespace sluice::inline v0::idempotency {

/// Says no batch was applied before and records nothing, so every batch, replays included, is
/// written again: exactly-once effect only with sinks whose writes are idempotent by key
/// (content-addressed or deterministic names, like the schema catalog), at-least-once otherwise.
///
/// The core policy `sluice::at_least_once` under the name the idempotency module uses for it
/// (one type, so pipelines and `default_idempotency` agree). An empty type, stored
/// `[[no_unique_address]]`: it adds no size to a pipeline.
/// Errors: none. Blocking: no. Thread-safety: safe.
using none = sluice::at_least_once;

static_assert(std::is_empty_v<none>);
static_assert(idempotency_policy<none>);

}  // namespace sluice::inline v0::idempotency
