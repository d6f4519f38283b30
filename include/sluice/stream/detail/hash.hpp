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
  // The last 0 to 15 bytes, with overlapping loads rather than a copy of variable length
  // (a library call): every byte is covered, and the length is mixed in above.
  std::uint64_t a = 0, b = 0;
  if (n >= 8) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
  } else if (n >= 4) {
    std::uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16 |
        static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
        static_cast<unsigned char>(p[n - 1]);
  }
  h = mix_fold(a ^ k0 ^ h, b ^ k1 ^ n);
  h = fmix64(h);
  return h == 0 ? 1 : h;
}

/// `a == b`, compared a word at a time inline: for the short keys of the stream stages a call
/// to the library's `memcmp` costs more than the comparison.
inline bool equal_bytes(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i)
      if (p[i] != q[i]) return false;
    return true;
  }
  std::uint64_t x, y;
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&x, p + i, 8);
    std::memcpy(&y, q + i, 8);
    if (x != y) return false;
  }
  std::memcpy(&x, p + n - 8, 8);   // the last 8 bytes, overlapping the loop's
  std::memcpy(&y, q + n - 8, 8);
  return x == y;
}

}  // namespace sluice::inline v0::stream::detail
