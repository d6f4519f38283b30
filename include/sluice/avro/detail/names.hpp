// SPDX-License-Identifier: Apache-2.0
#pragma once

// Avro 1.12's default name validation (NameValidator.UTF_VALIDATOR): a name is non-empty, starts
// with a letter or '_' and continues with letters, digits or '_', where letter and digit are Java's
// Character.isLetter(char) / isLetterOrDigit(char) applied to each UTF-16 unit. So characters
// outside the BMP (surrogate pairs) and lone surrogates are never valid, and invalid UTF-8 (which
// Java decodes to U+FFFD) is never valid either.

#include <sluice/avro/detail/name_tables.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::inline v0::avro::detail {

template <std::size_t N>
constexpr bool in_ranges(const code_range (&r)[N], std::uint32_t c) noexcept {
  std::size_t lo = 0, hi = N;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (c < r[mid].first) hi = mid;
    else if (c > r[mid].last) lo = mid + 1;
    else return true;
  }
  return false;
}

// Decodes one UTF-8 (or WTF-8, for lone surrogates) sequence at s[i]; returns the code point or
// 0xFFFD for an invalid sequence, and advances i.
constexpr std::uint32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  auto cont = [&](std::size_t k) noexcept {
    return k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80;
  };
  auto bits = [&](std::size_t k) noexcept { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[k]) & 0x3F); };
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(i + 1)) {
    const std::uint32_t c = ((b0 & 0x1Fu) << 6) | bits(i + 1);
    i += 2;
    return c;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(i + 1) && cont(i + 2)) {
    const std::uint32_t c = ((b0 & 0x0Fu) << 12) | (bits(i + 1) << 6) | bits(i + 2);
    if (c >= 0x800) {
      i += 3;
      return c;
    }
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
    const std::uint32_t c = ((b0 & 0x07u) << 18) | (bits(i + 1) << 12) | (bits(i + 2) << 6) | bits(i + 3);
    if (c >= 0x10000 && c <= 0x10FFFF) {
      i += 4;
      return c;
    }
  }
  ++i;
  return 0xFFFD;
}

// True when s is well-formed UTF-8 (8-byte ASCII fast path).
inline bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
#if defined(__SSE2__)
  // ASCII runs (all of a typical schema) 64 bytes at a time.
  while (i + 64 <= n) {
    const auto* q = reinterpret_cast<const __m128i*>(s.data() + i);
    const __m128i v = _mm_or_si128(_mm_or_si128(_mm_loadu_si128(q), _mm_loadu_si128(q + 1)),
                                   _mm_or_si128(_mm_loadu_si128(q + 2), _mm_loadu_si128(q + 3)));
    if (_mm_movemask_epi8(v) != 0) break;
    i += 64;
  }
#endif
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t w = 0;
      __builtin_memcpy(&w, s.data() + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const std::size_t b = i;
    const std::uint32_t c = next_code_point(s, i);
    if (c == 0xFFFD && !(i - b == 3 && s.substr(b, 3) == "\xEF\xBF\xBD")) return false;
    if (c >= 0xD800 && c <= 0xDFFF) return false;
  }
  return true;
}

// Decodes UTF-8 bytes as Java 17's `new String(bytes, UTF_8)` does (String.decodeUTF8_UTF16) and
// re-encodes the result as UTF-8: every malformed sequence becomes U+FFFD (EF BF BD) with Java's
// lengths (a truncated but well-started sequence is one replacement; UTF-8-encoded surrogates are
// one replacement; a truncated sequence at the very end ends the text). Well-formed input is
// copied unchanged. `out` is overwritten.
inline void java_decode_utf8(std::string_view in, std::string& out) {
  static constexpr std::string_view repl = "\xEF\xBF\xBD";
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  auto cont = [](unsigned b) noexcept { return (b & 0xC0u) == 0x80u; };
  out.clear();
  out.reserve(n + 16);
  std::size_t sp = 0;
  while (sp < n) {
    const unsigned b1 = s[sp++];
    if (b1 < 0x80) {
      out += static_cast<char>(b1);
    } else if (b1 >= 0xC2 && b1 <= 0xDF) {
      if (sp >= n) {
        out += repl;
        break;
      }
      if (!cont(s[sp])) {
        out += repl;
      } else {
        out.append(in.data() + sp - 1, 2);
        ++sp;
      }
    } else if (b1 >= 0xE0 && b1 <= 0xEF) {
      if (sp + 1 < n) {
        const unsigned b2 = s[sp], b3 = s[sp + 1];
        if ((b1 == 0xE0 && (b2 & 0xE0u) == 0x80u) || !cont(b2) || !cont(b3)) {
          out += repl;
          // malformed3: one byte when b2 cannot follow b1, else two.
          sp += ((b1 == 0xE0 && (b2 & 0xE0u) == 0x80u) || !cont(b2)) ? 0 : 1;
        } else {
          if (b1 == 0xED && b2 >= 0xA0) out += repl;  // a surrogate
          else out.append(in.data() + sp - 1, 3);
          sp += 2;
        }
        continue;
      }
      if (sp < n && ((b1 == 0xE0 && (s[sp] & 0xE0u) == 0x80u) || !cont(s[sp]))) {
        out += repl;
        continue;
      }
      out += repl;
      break;
    } else if (b1 >= 0xF0 && b1 <= 0xF7) {
      if (sp + 2 < n) {
        const unsigned b2 = s[sp], b3 = s[sp + 1], b4 = s[sp + 2];
        const std::uint32_t uc = ((b1 & 0x07u) << 18) | ((b2 & 0x3Fu) << 12) | ((b3 & 0x3Fu) << 6) | (b4 & 0x3Fu);
        if (!cont(b2) || !cont(b3) || !cont(b4) || uc < 0x10000 || uc > 0x10FFFF) {
          out += repl;
          // malformed4: one, two or three bytes.
          if (b1 > 0xF4 || (b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF)) || (b1 == 0xF4 && (b2 & 0xF0u) != 0x80u) ||
              !cont(b2))
            sp += 0;
          else if (!cont(b3))
            sp += 1;
          else
            sp += 2;
        } else {
          out.append(in.data() + sp - 1, 4);
          sp += 3;
        }
        continue;
      }
      if (b1 > 0xF4 ||
          (sp < n && ((b1 == 0xF0 && (s[sp] < 0x90 || s[sp] > 0xBF)) || (b1 == 0xF4 && (s[sp] & 0xF0u) != 0x80u) ||
                      !cont(s[sp])))) {
        out += repl;
        continue;
      }
      ++sp;
      out += repl;
      if (sp < n && !cont(s[sp])) continue;
      break;
    } else {
      out += repl;
    }
  }
}

enum class name_problem { none, empty, bad_initial, bad_character };

// Validates one name part (no dots allowed) like Java's UTF_VALIDATOR.
// ASCII classes of name characters: 1 may start a name, 2 may follow.
inline constexpr auto ascii_name_class = [] {
  std::array<std::uint8_t, 128> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = 3;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = 3;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = 2;
  t['_'] = 3;
  return t;
}();

constexpr name_problem validate_name(std::string_view s) noexcept {
  if (s.empty()) return name_problem::empty;
  std::size_t i = 0;
  bool first = true;
  // Fast path: the ASCII prefix, one table look-up per character.
  {
    const auto b0 = static_cast<unsigned char>(s[0]);
    if (b0 < 0x80) {
      if (!(ascii_name_class[b0] & 1)) return name_problem::bad_initial;
      first = false;
      for (i = 1; i < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b >= 0x80) break;
        if (!(ascii_name_class[b] & 2)) return name_problem::bad_character;
      }
    }
  }
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    bool ok;
    if (b < 0x80) {
      ++i;
      ok = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || (!first && b >= '0' && b <= '9');
    } else {
      const std::uint32_t c = next_code_point(s, i);
      // A code point beyond the BMP is two surrogate units in Java, and surrogates are not letters.
      ok = c <= 0xFFFF && (in_ranges(java_letter_ranges, c) || (!first && in_ranges(java_digit_ranges, c)));
    }
    if (!ok) return first ? name_problem::bad_initial : name_problem::bad_character;
    first = false;
  }
  return name_problem::none;
}

}  // namespace sluice::inline v0::avro::detail
