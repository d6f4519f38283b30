// SPDX-License-Identifier: Apache-2.0
#pragma once

// A fast non-cryptographic 64-bit hash of byte strings for the open-addressing tables of the
// stream stages (keys of a few dozen bytes: event id and device id). Eight bytes per step with a
// 128-bit multiply fold (as wyhash), finished with murmur3's fmix64, so linear probing sees well
// spread low bits. Never 0 (0 marks an empty slot).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice::inline v0::stream::detail {

#if defined(__SIZEOF_INT128__)
__extension__ using uint128 = unsigned __int128;  // __extension__: not ISO C++, on purpose
inline std::uint64_t mix_fold(std::uint64_t a, std::uint64_t b) noexcept {
  const uint128 r = static_cast<uint128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
#else
inline std::uint64_t mix_fold(std::uint64_t a, std::uint64_t b) noexcept {
  // 64x64 -> 128 from 32-bit halves.
  const std::uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32, b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const std::uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  const std::uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
  const std::uint64_t lo = (ll & 0xffffffffu) | (mid << 32);
  const std::uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  return lo ^ hi;
}
#endif

inline std::uint64_t fmix64(std::uint64_t k) noexcept {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

/// Hash of `s` mixed with `seed`; never 0.
inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed = 0) noexcept {
  constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
  std::uint64_t h = seed ^ (s.size() * k0);
  const char* p = s.data();
  std::size_t n = s.size();
  while (n >= 16) {
    std::uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    h = mix_fold(a ^ k0 ^ h, b ^ k1);
    p += 16;
    n -= 16;
  }
  std::uint64_t a = 0, b = 0;
  if (n > 8) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, n - 8);
  } else {
    std::memcpy(&a, p, n);
  }
  h = mix_fold(a ^ k0 ^ h, b ^ k1 ^ n);
  h = fmix64(h);
  return h == 0 ? 1 : h;
}

}  // namespace sluice::inline v0::stream::detail
