// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification recommends for schemas
/// (Java: `SchemaNormalization.fingerprint64`). Tables are built at compile time; the run-time
/// loop consumes 8 bytes per step (slicing-by-8), or, on x86-64 CPUs with PCLMULQDQ (checked at
/// run time), 16 bytes per step by carry-less multiplication (folding) for inputs of 32 bytes and
/// more.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SLUICE_AVRO_CRC64_CLMUL 1
#endif

namespace sluice::inline v0::avro {

/// The fingerprint of the empty string and the (reflected) polynomial of CRC-64-AVRO.
inline constexpr std::uint64_t crc64_avro_empty = 0xc15d213aa4d7a795ULL;

namespace detail {

using crc64_tables_t = std::array<std::array<std::uint64_t, 256>, 8>;

consteval crc64_tables_t make_crc64_tables() {
  crc64_tables_t t{};
  for (std::uint64_t i = 0; i < 256; ++i) {
    std::uint64_t fp = i;
    for (int j = 0; j < 8; ++j) fp = (fp >> 1) ^ (crc64_avro_empty & (0 - (fp & 1)));
    t[0][i] = fp;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  return t;
}

inline constexpr crc64_tables_t crc64_tables = make_crc64_tables();

// x^k mod P in the reflected representation (bit i stands for x^(63-i)): multiplying by x is a
// right shift, and the x^64 that falls out is replaced by P's lower terms.
consteval std::uint64_t crc64_x_pow_mod(unsigned k) {
  std::uint64_t r = std::uint64_t{1} << 63;  // x^0
  for (unsigned i = 0; i < k; ++i) r = (r >> 1) ^ (crc64_avro_empty & (0 - (r & 1)));
  return r;
}

inline std::uint64_t crc64_bytes(std::uint64_t fp, const unsigned char* p, std::size_t n) noexcept {
  const auto& t = crc64_tables;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    fp ^= w;
    fp = t[7][fp & 0xff] ^ t[6][(fp >> 8) & 0xff] ^ t[5][(fp >> 16) & 0xff] ^ t[4][(fp >> 24) & 0xff] ^
         t[3][(fp >> 32) & 0xff] ^ t[2][(fp >> 40) & 0xff] ^ t[1][(fp >> 48) & 0xff] ^ t[0][fp >> 56];
  }
  for (; n > 0; ++p, --n) fp = (fp >> 8) ^ t[0][(fp ^ *p) & 0xff];
  return fp;
}

#if defined(SLUICE_AVRO_CRC64_CLMUL)
// Folding with carry-less multiplication (n >= 32). The register is XORed into the first 8 bytes;
// a 128-bit accumulator A = H x^64 + L (H: its first 8 bytes) is folded over each next 16 bytes B
// as A x^128 + B == H (x^192 mod P) + L (x^128 mod P) + B. In the reflected representation a
// carry-less product carries one extra factor x, so the constants are x^191 and x^127 mod P. The
// last accumulator and the tail go through the table: their CRC from 0 is A x^64 mod P.
__attribute__((target("pclmul,sse2"))) inline std::uint64_t crc64_clmul(std::uint64_t fp, const unsigned char* p,
                                                                        std::size_t n) noexcept {
  static constexpr std::uint64_t k191 = crc64_x_pow_mod(191), k127 = crc64_x_pow_mod(127);
  const __m128i k = _mm_set_epi64x(static_cast<long long>(k127), static_cast<long long>(k191));
  __m128i a = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)),
                            _mm_set_epi64x(0, static_cast<long long>(fp)));
  p += 16;
  n -= 16;
  for (; n >= 16; p += 16, n -= 16) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    a = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11)), b);
  }
  unsigned char buf[16];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(buf), a);
  return crc64_bytes(crc64_bytes(0, buf, 16), p, n);
}

inline bool crc64_has_clmul() noexcept {
  static const bool yes = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
  return yes;
}
#endif

}  // namespace detail

/// Continues a CRC-64-AVRO computation: `crc64_avro_update(crc64_avro(a), b) == crc64_avro(a + b)`.
///
/// Errors: none.
/// Thread-safety: pure function.
/// Complexity: O(bytes.size()).
constexpr std::uint64_t crc64_avro_update(std::uint64_t fp, std::string_view bytes) noexcept {
  if (!std::is_constant_evaluated()) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
#if defined(SLUICE_AVRO_CRC64_CLMUL)
    if (bytes.size() >= 32 && detail::crc64_has_clmul()) return detail::crc64_clmul(fp, p, bytes.size());
#endif
    return detail::crc64_bytes(fp, p, bytes.size());
  }
  const auto& t = detail::crc64_tables;
  for (char c : bytes) fp = (fp >> 8) ^ t[0][(fp ^ static_cast<unsigned char>(c)) & 0xff];
  return fp;
}

/// CRC-64-AVRO (Rabin) of `bytes`, as Java's `SchemaNormalization.fingerprint64(byte[])`; the
/// schema fingerprint is this function applied to the UTF-8 Parsing Canonical Form.
///
/// Usable in constant expressions: `static_assert(crc64_avro("") == crc64_avro_empty)`.
/// Errors: none.
/// Thread-safety: pure function.
/// Complexity: O(bytes.size()).
constexpr std::uint64_t crc64_avro(std::string_view bytes) noexcept {
  return crc64_avro_update(crc64_avro_empty, bytes);
}

}  // namespace sluice::inline v0::avro

// Internal to this header (STYLE.md §2).
#undef SLUICE_AVRO_CRC64_CLMUL
