// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Bytes as text, once for the whole library: hexadecimal digits (lower and upper case, and
/// their values), standard base64 (RFC 4648) both ways, and strict UTF-8 checks
/// (`sluice/core/utf8.hpp`, included). Used by JSON writing, dead letters, S3 signing and
/// percent-encoding, fingerprints and key checks.

#include "sluice/core/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0::text {

/// The hexadecimal digits, lower case.
inline constexpr std::string_view hex_lower = "0123456789abcdef";
/// The hexadecimal digits, upper case (percent-encoding, key escapes).
inline constexpr std::string_view hex_upper = "0123456789ABCDEF";

/// The value of hexadecimal digit `c` (either case), or -1.
[[nodiscard]] constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Appends the two hexadecimal digits of byte `b` (from `digits`: `hex_lower` or `hex_upper`).
inline void append_hex_byte(std::string& out, unsigned char b, std::string_view digits = hex_lower) {
  out.push_back(digits[b >> 4]);
  out.push_back(digits[b & 0xF]);
}

/// Appends every byte of `bytes` as two hexadecimal digits.
inline void append_hex(std::string& out, std::string_view bytes, std::string_view digits = hex_lower) {
  for (const char c : bytes) append_hex_byte(out, static_cast<unsigned char>(c), digits);
}

/// `bytes` as lower-case hexadecimal.
[[nodiscard]] inline std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  append_hex(out, bytes);
  return out;
}

/// Appends the standard base64 (RFC 4648, with padding) of `bytes` to `out`.
inline void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto byte = [&](std::size_t k) { return std::uint32_t(static_cast<unsigned char>(bytes[k])); };
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(tbl[(v >> 18) & 63]);
    out.push_back(tbl[(v >> 12) & 63]);
    out.push_back(tbl[(v >> 6) & 63]);
    out.push_back(tbl[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return;
  const std::uint32_t v = (byte(i) << 16) | (rest == 2 ? byte(i + 1) << 8 : 0);
  out.push_back(tbl[(v >> 18) & 63]);
  out.push_back(tbl[(v >> 12) & 63]);
  out.push_back(rest == 2 ? tbl[(v >> 6) & 63] : '=');
  out.push_back('=');
}

/// Decodes standard base64 (RFC 4648, padding required); empty optional on any other input.
///
/// Complexity: linear. Thread-safety: pure.
[[nodiscard]] inline std::optional<std::string> decode_base64(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  const auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    const int pad = last ? (in[i + 3] == '=') + (in[i + 2] == '=') : 0;
    if (pad == 1 && in[i + 2] == '=') return std::nullopt;  // "x=y=" is not padding
    std::uint32_t v = 0;
    for (int k = 0; k < 4 - pad; ++k) {
      const int d = val(in[i + static_cast<std::size_t>(k)]);
      if (d < 0) return std::nullopt;
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    v <<= 6 * pad;
    out.push_back(static_cast<char>((v >> 16) & 0xFF));
    if (pad < 2) out.push_back(static_cast<char>((v >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(v & 0xFF));
  }
  return out;
}

}  // namespace sluice::inline v0::text
