// SPDX-License-Identifier: Apache-2.0
#pragma once

// A JSON reader that accepts exactly what Java Avro 1.12's Jackson (2.x, ALLOW_COMMENTS on,
// default StreamReadConstraints) accepts, into a flat tape that keeps every node's raw span.
//
// Why not simdjson here: Jackson accepts /* */ and // comments, keeps the last of duplicate keys,
// accepts lone surrogate escapes and numbers of any magnitude (up to 1000 characters), and the
// preprocessor must re-emit numbers and strings byte for byte. simdjson rejects the first, the
// DOM loses the raw text of numbers, and the rules around it would have to be re-implemented
// anyway. The scanner below is branch-light and SSE2-accelerated for strings.

#include <sluice/core/error.hpp>
#include <sluice/core/text.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::inline v0::avro::detail {

enum class jkind : std::uint8_t { object, array, string, number, true_value, false_value, null_value };

// Jackson's node class of a number: IntNode, LongNode, BigIntegerNode or DoubleNode.
enum class jnum : std::uint8_t { int32, int64, big_integer, floating };

inline constexpr std::uint32_t npos32 = 0xFFFFFFFFu;

struct jnode {
  jkind kind;
  std::uint8_t flags;    // string: 1 when escaped (decoded text in the arena); number: jnum
  std::uint16_t unused;
  std::uint32_t begin;   // raw span in the input; strings exclude the quotes
  std::uint32_t end;
  std::uint32_t next;    // index of the first node after this subtree
  std::uint32_t a;       // container: number of children (object: pairs); escaped string: arena offset
  std::uint32_t b;       // escaped string: decoded length
};

// Jackson's StreamReadConstraints defaults (2.16+).
inline constexpr unsigned max_nesting_depth = 1000;
inline constexpr std::size_t max_number_length = 1000;
inline constexpr std::size_t max_name_length = 50000;
inline constexpr std::size_t max_string_length = 20000000;

// Appends one JSON-path step for object key k: ".k" for identifiers, else ["k"] (quotes and
// backslashes escaped).
inline void append_path_key(std::string& p, std::string_view k) {
  bool ident = !k.empty();
  for (std::size_t i = 0; i < k.size() && ident; ++i) {
    const char c = k[i];
    ident = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
  }
  if (ident) {
    p += '.';
    p += k;
    return;
  }
  p += "[\"";
  for (char ch : k) {
    if (ch == '"' || ch == '\\') p += '\\';
    p += ch;
  }
  p += "\"]";
}

inline void append_path_index(std::string& p, std::uint32_t i) {
  p += '[';
  p += std::to_string(i);
  p += ']';
}

class json_document {
 public:
  // Parses `text` (one root value; what follows it may only be bytes <= 0x20, like Java's
  // String.trim()). Returns false on error; error_offset()/error_message() tell why.
  bool parse(std::string_view text) {
    in_ = text;
    nodes_.clear();
    arena_.clear();
    err_msg_ = nullptr;
    err_off_ = 0;
    err_extra_.clear();
    err_steps_.clear();
    if (text.size() >= 0xFFFFFFF0u) return fail(0, "input larger than 4 GiB");
    std::size_t p = 0;
    if (!skip_ws(p)) return false;
    if (p >= in_.size()) {
      empty_ = true;
      return fail(p, "no content: the input is empty or holds only whitespace and comments");
    }
    empty_ = false;
    if (!value(p, 0)) return false;
    // Java Avro: the text after the root value, trimmed of chars <= ' ', must be empty.
    for (std::size_t q = p; q < in_.size(); ++q) {
      if (static_cast<unsigned char>(in_[q]) > 0x20) return fail(q, "dangling content after end of schema");
    }
    return true;
  }

  bool empty_input() const noexcept { return empty_; }
  std::size_t error_offset() const noexcept { return err_off_; }
  // JSON path of the innermost node being read when the error happened ("$" at the root).
  std::string error_path() const {
    std::string p = "$";
    for (std::size_t i = err_steps_.size(); i-- > 0;) {
      const std::uint32_t s = err_steps_[i];
      if (s & index_step) append_path_index(p, s & ~index_step);
      else append_path_key(p, str(s));
    }
    return p;
  }
  std::string error_message() const {
    std::string m = err_msg_ ? err_msg_ : "";
    m += err_extra_;
    return m;
  }

  const jnode& operator[](std::uint32_t i) const noexcept { return nodes_[i]; }
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(nodes_.size()); }
  std::string_view input() const noexcept { return in_; }

  // Decoded text of a string node (escapes resolved; lone surrogates as 3-byte WTF-8).
  std::string_view str(std::uint32_t i) const noexcept {
    const jnode& n = nodes_[i];
    if (n.flags & 1u) return {arena_.data() + n.a, n.b};
    return {in_.data() + n.begin, n.end - n.begin};
  }
  // Raw source text of a node (strings without their quotes).
  std::string_view raw(std::uint32_t i) const noexcept {
    const jnode& n = nodes_[i];
    return {in_.data() + n.begin, n.end - n.begin};
  }
  bool is_string(std::uint32_t i) const noexcept { return nodes_[i].kind == jkind::string; }

 private:
  bool fail(std::size_t off, const char* msg) {
    if (!err_msg_) {
      err_msg_ = msg;
      err_off_ = off;
    }
    return false;
  }
  bool fail_char(std::size_t off, const char* msg) {
    fail(off, msg);
    const auto c = static_cast<unsigned char>(in_[off]);
    err_extra_ = " (found ";
    if (c >= 0x21 && c < 0x7F) {
      err_extra_ += '\'';
      err_extra_ += static_cast<char>(c);
      err_extra_ += '\'';
    } else {
      err_extra_ += "byte 0x";
      sluice::text::append_hex_byte(err_extra_, c);
    }
    err_extra_ += ')';
    return false;
  }

  // Jackson between tokens: space, \t, \n, \r, /* */ and // comments; any other control char is
  // an error. The inline part handles the common "token follows directly" case.
  // Inlined into the token loop (the out-of-line call would cost more than the common case).
  [[gnu::always_inline]] bool skip_ws(std::size_t& p) {
    if (p + 1 < in_.size()) {
      const auto c = static_cast<unsigned char>(in_[p]);
      if (c > ' ' && c != '/') return true;
      // Pretty-printed schemas put one space around ':' and after ','.
      const auto d = static_cast<unsigned char>(in_[p + 1]);
      if (c == ' ' && d > ' ' && d != '/') {
        ++p;
        return true;
      }
    }
    return skip_ws_slow(p);
  }

  [[gnu::noinline]] bool skip_ws_slow(std::size_t& p) {
    const char* s = in_.data();
    const std::size_t n = in_.size();
#if defined(__SSE2__)
    // Indentation runs of pretty-printed schemas: skip 16 bytes at a time.
    while (p + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + p));
      const __m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                                      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(ws)) ^ 0xFFFFu;
      if (mask == 0) {
        p += 16;
        continue;
      }
      p += static_cast<std::size_t>(__builtin_ctz(mask));
      const auto c = static_cast<unsigned char>(s[p]);
      if (c > ' ' && c != '/') return true;
      break;
    }
#endif
    while (p < n) {
      const char c = s[p];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        ++p;
      } else if (c == '/') {
        if (p + 1 >= n) return fail(p, "unexpected end of input in a comment");
        if (s[p + 1] == '*') {
          const void* e = nullptr;
          std::size_t q = p + 2;
          for (;;) {
            e = q < n ? std::memchr(s + q, '*', n - q) : nullptr;
            if (!e) return fail(p, "unexpected end of input in a comment");
            q = static_cast<std::size_t>(static_cast<const char*>(e) - s) + 1;
            if (q < n && s[q] == '/') break;
          }
          p = q + 1;
        } else if (s[p + 1] == '/') {
          p += 2;
          while (p < n && s[p] != '\n' && s[p] != '\r') ++p;
        } else {
          return fail_char(p + 1, "unexpected character after '/': expected a comment");
        }
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return fail_char(p, "illegal control character between tokens");
      } else {
        return true;
      }
    }
    return true;
  }

  [[gnu::always_inline]] std::uint32_t push(jkind k, std::size_t b, std::size_t e) {
    nodes_.push_back(jnode{k, 0, 0, static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), 0, 0, 0});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  bool value(std::size_t& p, unsigned depth) {
    const char* s = in_.data();
    const std::size_t n = in_.size();
    switch (s[p]) {
      case '"': return string(p, false);
      case '{': {
        if (depth + 1 > max_nesting_depth) return fail(p, "document nesting depth exceeds 1000");
        const std::uint32_t me = push(jkind::object, p, p);
        ++p;
        std::uint32_t count = 0;
        if (!skip_ws(p)) return false;
        if (p < n && s[p] == '}') {
          ++p;
        } else {
          for (;;) {
            if (p >= n) return fail(p, "unexpected end of input in an object");
            if (s[p] != '"') return fail_char(p, "expected a double-quote to start a field name");
            if (!string(p, true)) return false;
            if (!skip_ws(p)) return false;
            if (p >= n) return fail(p, "unexpected end of input in an object");
            if (s[p] != ':') return fail_char(p, "expected ':' after a field name");
            ++p;
            if (!skip_ws(p)) return false;
            if (p >= n) return fail(p, "unexpected end of input in an object");
            const std::uint32_t size_before_value = size();
            if (!value(p, depth + 1)) return step_key(size_before_value - 1);
            ++count;
            if (!skip_ws(p)) return false;
            if (p >= n) return fail(p, "unexpected end of input in an object");
            if (s[p] == ',') {
              ++p;
              if (!skip_ws(p)) return false;
              continue;
            }
            if (s[p] == '}') {
              ++p;
              break;
            }
            return fail_char(p, "expected ',' or '}' in an object");
          }
        }
        nodes_[me].end = static_cast<std::uint32_t>(p);
        nodes_[me].a = count;
        nodes_[me].next = size();
        return true;
      }
      case '[': {
        if (depth + 1 > max_nesting_depth) return fail(p, "document nesting depth exceeds 1000");
        const std::uint32_t me = push(jkind::array, p, p);
        ++p;
        std::uint32_t count = 0;
        if (!skip_ws(p)) return false;
        if (p < n && s[p] == ']') {
          ++p;
        } else {
          for (;;) {
            if (p >= n) return fail(p, "unexpected end of input in an array");
            if (!value(p, depth + 1)) return step_index(count);
            ++count;
            if (!skip_ws(p)) return false;
            if (p >= n) return fail(p, "unexpected end of input in an array");
            if (s[p] == ',') {
              ++p;
              if (!skip_ws(p)) return false;
              continue;
            }
            if (s[p] == ']') {
              ++p;
              break;
            }
            return fail_char(p, "expected ',' or ']' in an array");
          }
        }
        nodes_[me].end = static_cast<std::uint32_t>(p);
        nodes_[me].a = count;
        nodes_[me].next = size();
        return true;
      }
      case 't': return literal(p, "true", jkind::true_value);
      case 'f': return literal(p, "false", jkind::false_value);
      case 'n': return literal(p, "null", jkind::null_value);
      case '-':
      case '0': case '1': case '2': case '3': case '4':
      case '5': case '6': case '7': case '8': case '9': return number(p);
      default: return fail_char(p, "unexpected character: expected a JSON value");
    }
  }

  bool literal(std::size_t& p, std::string_view word, jkind k) {
    if (in_.substr(p, word.size()) != word) return fail(p, "unrecognized token: expected 'true', 'false' or 'null'");
    const std::size_t e = p + word.size();
    // Jackson rejects a literal glued to identifier characters ("true1", "nullx").
    if (e < in_.size()) {
      const auto c = static_cast<unsigned char>(in_[e]);
      if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
          c == '$' || c >= 0x80)
        return fail(p, "unrecognized token");
    }
    const std::uint32_t me = push(k, p, e);
    nodes_[me].next = size();
    p = e;
    return true;
  }

  bool number(std::size_t& p) {
    const char* s = in_.data();
    const std::size_t n = in_.size();
    const std::size_t b = p;
    bool neg = false;
    if (s[p] == '-') {
      neg = true;
      ++p;
    }
    const std::size_t int_begin = p;
    if (p >= n || s[p] < '0' || s[p] > '9') return fail(b, "invalid number: expected a digit");
    if (s[p] == '0' && p + 1 < n && s[p + 1] >= '0' && s[p + 1] <= '9')
      return fail(b, "invalid number: leading zeroes not allowed");
    std::uint64_t v = 0;
    bool overflow = false;
    while (p < n && s[p] >= '0' && s[p] <= '9') {
      const unsigned d = static_cast<unsigned>(s[p] - '0');
      if (v > (UINT64_MAX - d) / 10) overflow = true;
      else v = v * 10 + d;
      ++p;
    }
    const std::size_t int_len = p - int_begin;
    std::size_t frac_len = 0, exp_len = 0;
    bool floating = false;
    if (p < n && s[p] == '.') {
      floating = true;
      ++p;
      const std::size_t f = p;
      while (p < n && s[p] >= '0' && s[p] <= '9') ++p;
      frac_len = p - f;
      if (frac_len == 0) return fail(p, "invalid number: a decimal point must be followed by a digit");
    }
    if (p < n && (s[p] == 'e' || s[p] == 'E')) {
      floating = true;
      ++p;
      if (p < n && (s[p] == '+' || s[p] == '-')) ++p;
      const std::size_t f = p;
      while (p < n && s[p] >= '0' && s[p] <= '9') ++p;
      exp_len = p - f;
      if (exp_len == 0) return fail(p, "invalid number: an exponent must have a digit");
    }
    // Jackson counts the digits of the integer part (a lone leading zero not included), the
    // fraction and the exponent against maxNumberLength.
    const std::size_t counted = (int_len == 1 && s[int_begin] == '0' ? 0 : int_len) + frac_len + exp_len;
    if (counted > max_number_length)
      return fail(b, "number value length exceeds the maximum allowed (1000)");
    jnum cls = jnum::floating;
    if (!floating) {
      if (overflow) cls = jnum::big_integer;
      else if (neg ? v <= 2147483648ull : v <= 2147483647ull) cls = jnum::int32;
      else if (neg ? v <= 9223372036854775808ull : v <= 9223372036854775807ull) cls = jnum::int64;
      else cls = jnum::big_integer;
    }
    const std::uint32_t me = push(jkind::number, b, p);
    nodes_[me].flags = static_cast<std::uint8_t>(cls);
    nodes_[me].next = size();
    return true;
  }

  static int hexval(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  void put_utf8(std::uint32_t cp) {
    if (cp < 0x80) {
      arena_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      arena_ += static_cast<char>(0xC0 | (cp >> 6));
      arena_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      arena_ += static_cast<char>(0xE0 | (cp >> 12));
      arena_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      arena_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      arena_ += static_cast<char>(0xF0 | (cp >> 18));
      arena_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      arena_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      arena_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // Position of the first '"', '\\' or control byte at or after p (n when none).
  std::size_t scan_string(std::size_t p) const noexcept {
    const char* s = in_.data();
    const std::size_t n = in_.size();
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1F);
    while (p + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + p));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
      const int mask = _mm_movemask_epi8(hit);
      if (mask != 0) return p + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
      p += 16;
    }
#endif
    while (p < n) {
      const auto c = static_cast<unsigned char>(s[p]);
      if (c == '"' || c == '\\' || c < 0x20) return p;
      ++p;
    }
    return n;
  }

  // Counts UTF-16 units of a UTF-8 span (Jackson limits count chars); invalid bytes count as one.
  static std::size_t utf16_length(std::string_view t) noexcept {
    std::size_t units = 0;
    for (unsigned char c : t) {
      if ((c & 0xC0) != 0x80) units += (c >= 0xF0) ? 2 : 1;
    }
    return units;
  }

  bool string(std::size_t& p, bool is_key) {
    const char* s = in_.data();
    const std::size_t n = in_.size();
    const std::size_t b = p + 1;
    std::size_t q = scan_string(b);
    if (q < n && s[q] == '"') {  // fast path: no escapes
      const std::uint32_t me = push(jkind::string, b, q);
      nodes_[me].next = size();
      p = q + 1;
      if ((is_key && q - b > max_name_length && utf16_length(in_.substr(b, q - b)) > max_name_length) ||
          (!is_key && q - b > max_string_length && utf16_length(in_.substr(b, q - b)) > max_string_length))
        return fail(b, is_key ? "name length exceeds the maximum allowed (50000)"
                              : "string value length exceeds the maximum allowed (20000000)");
      return true;
    }
    const std::size_t off = arena_.size();
    arena_.append(s + b, q - b);
    for (;;) {
      if (q >= n) return fail(b - 1, "unexpected end of input in a string");
      const char c = s[q];
      if (c == '"') break;
      if (c != '\\') return fail_char(q, "illegal unescaped control character in a string");
      if (q + 1 >= n) return fail(q, "unexpected end of input in a string");
      const char e = s[q + 1];
      q += 2;
      switch (e) {
        case '"': arena_ += '"'; break;
        case '\\': arena_ += '\\'; break;
        case '/': arena_ += '/'; break;
        case 'b': arena_ += '\b'; break;
        case 'f': arena_ += '\f'; break;
        case 'n': arena_ += '\n'; break;
        case 'r': arena_ += '\r'; break;
        case 't': arena_ += '\t'; break;
        case 'u': {
          std::uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            if (q >= n) return fail(q, "unexpected end of input in a \\u escape");
            const int h = hexval(s[q]);
            if (h < 0) return fail_char(q, "illegal character in a \\u escape: expected a hex digit");
            cp = (cp << 4) | static_cast<std::uint32_t>(h);
            ++q;
          }
          // Jackson keeps UTF-16 units as they come; a high surrogate followed by an escaped low
          // surrogate is one code point, anything else stays a lone surrogate (WTF-8 here).
          if (cp >= 0xD800 && cp <= 0xDBFF && q + 6 <= n && s[q] == '\\' && s[q + 1] == 'u') {
            std::uint32_t lo = 0;
            bool ok = true;
            for (int k = 0; k < 4; ++k) {
              const int h = hexval(s[q + 2 + static_cast<std::size_t>(k)]);
              if (h < 0) {
                ok = false;
                break;
              }
              lo = (lo << 4) | static_cast<std::uint32_t>(h);
            }
            if (ok && lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              q += 6;
            }
          }
          put_utf8(cp);
          break;
        }
        default: return fail_char(q - 1, "unrecognized character escape");
      }
      const std::size_t r = scan_string(q);
      arena_.append(s + q, r - q);
      q = r;
    }
    const std::uint32_t me = push(jkind::string, b, q);
    nodes_[me].flags = 1;
    nodes_[me].a = static_cast<std::uint32_t>(off);
    nodes_[me].b = static_cast<std::uint32_t>(arena_.size() - off);
    nodes_[me].next = size();
    p = q + 1;
    const std::size_t limit = is_key ? max_name_length : max_string_length;
    if (arena_.size() - off > limit && utf16_length(std::string_view(arena_).substr(off)) > limit)
      return fail(b, is_key ? "name length exceeds the maximum allowed (50000)"
                            : "string value length exceeds the maximum allowed (20000000)");
    return true;
  }

  // Error path steps, innermost first: an object key's node, or an array index | index_step.
  static constexpr std::uint32_t index_step = 0x80000000u;
  bool step_key(std::uint32_t key_node) {
    err_steps_.push_back(key_node);
    return false;
  }
  bool step_index(std::uint32_t i) {
    err_steps_.push_back(i | index_step);
    return false;
  }

  std::string_view in_;
  std::vector<std::uint32_t> err_steps_;
  std::vector<jnode> nodes_;
  std::string arena_;
  const char* err_msg_ = nullptr;
  std::size_t err_off_ = 0;
  std::string err_extra_;
  bool empty_ = false;
};

}  // namespace sluice::inline v0::avro::detail
