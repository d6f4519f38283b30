// SPDX-License-Identifier: Apache-2.0
#pragma once

// The grammar of Java's Double.parseDouble(String): Avro converts a string default of a float or
// double field with it ("NaN", "Infinity", " 1.5d ", "0x1p3" are all accepted), and rejects the
// schema when it throws NumberFormatException.

#include <cstddef>
#include <string_view>

namespace sluice::inline v0::avro::detail {

constexpr bool is_java_double(std::string_view s) noexcept {
  // String.trim(): chars <= ' ' at both ends.
  std::size_t b = 0, e = s.size();
  while (b < e && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20) --e;
  s = s.substr(b, e - b);
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const std::string_view rest = s.substr(i);
  if (rest == "NaN" || rest == "Infinity") return true;
  auto is_dec = [](char c) { return c >= '0' && c <= '9'; };
  auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  const bool hex = i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X');
  std::size_t k = hex ? i + 2 : i, digits = 0;
  auto mantissa_digit = [&](char c) { return hex ? is_hex(c) : is_dec(c); };
  while (k < s.size() && mantissa_digit(s[k])) ++k, ++digits;
  if (k < s.size() && s[k] == '.') {
    ++k;
    while (k < s.size() && mantissa_digit(s[k])) ++k, ++digits;
  }
  if (digits == 0) return false;
  // The binary exponent of a hex literal is mandatory, the decimal exponent optional.
  const bool has_exp = k < s.size() && (hex ? (s[k] == 'p' || s[k] == 'P') : (s[k] == 'e' || s[k] == 'E'));
  if (hex && !has_exp) return false;
  if (has_exp) {
    ++k;
    if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
    const std::size_t ed = k;
    while (k < s.size() && is_dec(s[k])) ++k;
    if (k == ed) return false;
  }
  if (k < s.size() && (s[k] == 'f' || s[k] == 'F' || s[k] == 'd' || s[k] == 'D')) ++k;
  return k == s.size();
}

}  // namespace sluice::inline v0::avro::detail
