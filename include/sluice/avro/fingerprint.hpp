// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The three representations of a 64-bit schema fingerprint: signed decimal (Java's
/// `Long.toString`, the catalog file name), 16 lowercase hex digits (Java's
/// `String.format("%016x", fp)`) and the 8 little-endian bytes of Avro's single-object encoding.

#include <sluice/avro/crc64.hpp>
#include <sluice/core/text.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice::inline v0::avro {

/// The fingerprint as a signed decimal, exactly as Java's `Long.toString(fp)`
/// (e.g. `"-7631826525557311234"`; `INT64_MIN` gives `"-9223372036854775808"`).
///
/// Errors: none (`std::bad_alloc` aside).
/// Thread-safety: pure function.
inline std::string fingerprint_decimal(std::int64_t fp) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, fp);
  return std::string(buf, r.ptr);
}

/// The fingerprint as 16 lowercase hex digits of its two's-complement bits, like Java's
/// `String.format("%016x", fp)` (e.g. `-1` gives `"ffffffffffffffff"`).
///
/// Errors: none (`std::bad_alloc` aside).
/// Thread-safety: pure function.
inline std::string fingerprint_hex(std::int64_t fp) {
  auto u = static_cast<std::uint64_t>(fp);
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, u >>= 4) s[static_cast<std::size_t>(i)] = sluice::text::hex_lower[u & 15];
  return s;
}

/// The fingerprint as 8 little-endian bytes (Java: `SchemaNormalization.parsingFingerprint
/// ("CRC-64-AVRO", s)`; the bytes after the `C3 01` marker of Avro's single-object encoding).
///
/// Errors: none.
/// Thread-safety: pure function.
constexpr std::array<std::byte, 8> fingerprint_le_bytes(std::int64_t fp) noexcept {
  std::array<std::byte, 8> out{};
  auto u = static_cast<std::uint64_t>(fp);
  for (auto& b : out) {
    b = static_cast<std::byte>(u & 0xff);
    u >>= 8;
  }
  return out;
}

}  // namespace sluice::inline v0::avro
