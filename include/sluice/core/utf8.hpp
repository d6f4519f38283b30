// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Strict UTF-8 decoding for validating untrusted text (Kafka keys and payloads, dead letters):
/// no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629).

#include <cstddef>
#include <optional>
#include <string_view>

namespace sluice::inline v0::utf8 {

/// One decoded code point, or `valid == false` at a byte that does not start a well-formed
/// sequence; `length` is the number of bytes consumed (1 for an invalid byte).
struct step {
  char32_t code_point = 0;
  std::size_t length = 1;
  bool valid = false;
};

/// Decodes the code point that starts at byte `i` of `s` (`i < s.size()`).
///
/// Errors: none; an ill-formed sequence gives `valid == false`.
/// Thread-safety: pure.
constexpr step decode(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return {};  // continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (s.size() - i < len) return {};
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0u) != 0x80u) return {};
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, len, true};
}

/// Offset of the first byte of `s` that does not start a well-formed UTF-8 sequence, if any.
/// Complexity: linear.
constexpr std::optional<std::size_t> first_invalid(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    // ASCII runs are the common case: skip them without decoding.
    if (static_cast<unsigned char>(s[i]) < 0x80) { ++i; continue; }
    const auto st = decode(s, i);
    if (!st.valid) return i;
    i += st.length;
  }
  return std::nullopt;
}

/// True if `s` is well-formed UTF-8.
constexpr bool is_valid(std::string_view s) noexcept { return !first_invalid(s).has_value(); }

}  // namespace sluice::inline v0::utf8
