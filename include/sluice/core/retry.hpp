// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Retries with exponential backoff and jitter, once for the whole library: the runner's retry
/// options, and the wait before each retry, which the runner, the consumer-group runner and the
/// S3 client all compute with `backoff_delay` (docs/architecture.md, Runner).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace sluice::inline v0 {

/// How the runner retries errors classified `condition::retriable`.
struct retry_options {
  int max_attempts = 8;                               ///< attempts per step, first included (≥ 1)
  std::chrono::milliseconds initial_backoff{100};     ///< wait after the first failure
  std::chrono::milliseconds max_backoff{30'000};      ///< cap of the wait
  double multiplier = 2.0;                            ///< growth of the wait per failure
  bool jitter = true;                                 ///< wait a uniform random 50–100 % of it
};

/// The wait before retry number `attempt` (1 after the first failure): `initial_backoff ×
/// multiplier^(attempt−1)`, capped at `max_backoff`; with jitter, a uniform 50–100 % of that
/// drawn from `random_bits` (so clients that failed together do not retry together).
///
/// Errors: none. Thread-safety: pure.
[[nodiscard]] inline std::chrono::milliseconds backoff_delay(const retry_options& opt, int attempt,
                                                             std::uint64_t random_bits) noexcept {
  const double cap = static_cast<double>(opt.max_backoff.count());
  double ms = static_cast<double>(opt.initial_backoff.count()) *
              std::pow(opt.multiplier, static_cast<double>(std::max(attempt, 1) - 1));
  if (!(ms <= cap)) ms = cap;  // also catches overflow to infinity
  if (ms < 0) ms = 0;
  if (opt.jitter) {
    const double u = static_cast<double>(random_bits >> 11) * 0x1.0p-53;  // [0, 1)
    ms = ms / 2 + u * (ms / 2);
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

}  // namespace sluice::inline v0
