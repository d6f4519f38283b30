// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification recommends for schemas
/// (Java: `SchemaNormalization.fingerprint64`). Tables are built at compile time; the run-time
/// loop consumes 8 bytes per step (slicing-by-8).

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

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

}  // namespace detail

/// Continues a CRC-64-AVRO computation: `crc64_avro_update(crc64_avro(a), b) == crc64_avro(a + b)`.
///
/// Errors: none.
/// Thread-safety: pure function.
/// Complexity: O(bytes.size()).
constexpr std::uint64_t crc64_avro_update(std::uint64_t fp, std::string_view bytes) noexcept {
  const auto& t = detail::crc64_tables;
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  if (!std::is_constant_evaluated()) {
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, bytes.data() + i, 8);
      if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
      fp ^= w;
      fp = t[7][fp & 0xff] ^ t[6][(fp >> 8) & 0xff] ^ t[5][(fp >> 16) & 0xff] ^ t[4][(fp >> 24) & 0xff] ^
           t[3][(fp >> 32) & 0xff] ^ t[2][(fp >> 40) & 0xff] ^ t[1][(fp >> 48) & 0xff] ^ t[0][fp >> 56];
    }
  }
  for (; i < n; ++i) fp = (fp >> 8) ^ t[0][(fp ^ static_cast<unsigned char>(bytes[i])) & 0xff];
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
