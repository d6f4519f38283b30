// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The runner's view of time and chance: wall clock (progress timestamps, dead-letter times),
/// monotonic clock (durations, trigger interval), sleeping (backoff, trigger) and randomness
/// (jitter). `system_environment` is the real one; tests pass a fake to run fast and exactly.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/splitmix64.hpp"
#include "sluice/core/stop.hpp"

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <thread>

namespace sluice::inline v0 {

/// Tag of runner environments.
struct environment_tag {};

/// What the runner needs to read clocks, wait and draw jitter.
///
/// Semantics: `wall_ms()` is milliseconds since the Unix epoch; `monotonic_ns()` never goes
/// back; `sleep_for(d, stop)` waits about `d` and returns `false` as soon as `stop` is requested
/// (then it may return early), else `true`; `random_u64()` returns uniformly distributed bits.
template <class E>
concept runner_environment = detail::declares<E, environment_tag> &&
                             requires(E& e, std::chrono::milliseconds d, const stop_flag& stop) {
                               { e.wall_ms() } -> std::same_as<std::int64_t>;
                               { e.monotonic_ns() } -> std::same_as<std::int64_t>;
                               { e.sleep_for(d, stop) } -> std::same_as<bool>;
                               { e.random_u64() } -> std::same_as<std::uint64_t>;
                             };

/// The real clocks, `std::this_thread::sleep_for` in slices of at most 50 ms (so a stop request
/// is seen quickly) and a `splitmix64` generator seeded from the monotonic clock.
///
/// Thread-safety: none (the generator state); one per runner.
struct system_environment {
  using stage_concept = environment_tag;

  [[nodiscard]] std::int64_t wall_ms() const noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  [[nodiscard]] std::int64_t monotonic_ns() const noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  /// Blocking: up to `d`.
  bool sleep_for(std::chrono::milliseconds d, const stop_flag& stop) const {
    constexpr std::chrono::milliseconds slice{50};
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stop.stop_requested()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= until) return true;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, slice));
    }
    return false;
  }
  [[nodiscard]] std::uint64_t random_u64() noexcept { return random_(); }

  splitmix64 random_;  ///< the jitter generator
};

static_assert(runner_environment<system_environment>);

}  // namespace sluice::inline v0
