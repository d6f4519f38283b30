// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `splitmix64`: the library's one pseudo-random generator, for retry jitter (the runner's
/// `system_environment`, the S3 client). Not for anything that must be unpredictable.

#include <chrono>
#include <cstdint>

namespace sluice::inline v0 {

/// SplitMix64 (Steele, Lea, Flood 2014): 64 uniformly distributed bits per call, from 64 bits
/// of state; enough for jitter, and no `<random>` needed.
///
/// Thread-safety: none per object.
class splitmix64 {
 public:
  /// A generator seeded from the monotonic clock (two generators made at different times draw
  /// different sequences).
  splitmix64() noexcept
      : state_(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) {}

  /// A generator with the given seed (same seed, same sequence).
  explicit splitmix64(std::uint64_t seed) noexcept : state_(seed) {}

  /// The next 64 random bits.
  std::uint64_t operator()() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

}  // namespace sluice::inline v0
