// SPDX-License-Identifier: Apache-2.0
#pragma once

// An independent oracle for the tests: a tiny, slow, strict reader of flat JSON objects (string,
// integer and null members; arrays and objects are skipped), written without simdjson so the
// tests do not check simdjson against itself.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace sluice_test::mini_json {

struct null_t {
  friend bool operator==(null_t, null_t) = default;
};
using value = std::variant<null_t, std::int64_t, std::string, bool>;
using object = std::map<std::string, value>;

class reader {
 public:
  explicit reader(std::string_view s) : s_(s) {}

  object parse_object() {
    object out;
    ws();
    expect('{');
    ws();
    if (peek() == '}') {
      ++i_;
      return out;
    }
    for (;;) {
      ws();
      std::string k = parse_string();
      ws();
      expect(':');
      ws();
      if (peek() == '[' || peek() == '{') skip_nested();
      else out[k] = parse_scalar();
      ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      expect('}');
      break;
    }
    ws();
    if (i_ != s_.size()) throw std::runtime_error("trailing content");
    return out;
  }

 private:
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void expect(char c) {
    if (peek() != c) throw std::runtime_error(std::string("expected ") + c);
    ++i_;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }
  void skip_nested() {
    int depth = 0;
    do {
      const char c = peek();
      if (c == '"') {
        parse_string();
        continue;
      }
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') --depth;
      ++i_;
    } while (depth > 0 && i_ < s_.size());
  }
  value parse_scalar() {
    const char c = peek();
    if (c == '"') return parse_string();
    if (s_.substr(i_, 4) == "null") {
      i_ += 4;
      return null_t{};
    }
    if (s_.substr(i_, 4) == "true") {
      i_ += 4;
      return true;
    }
    if (s_.substr(i_, 5) == "false") {
      i_ += 5;
      return false;
    }
    bool neg = false;
    if (c == '-') {
      neg = true;
      ++i_;
    }
    if (peek() < '0' || peek() > '9') throw std::runtime_error("bad scalar");
    std::int64_t v = 0;
    while (peek() >= '0' && peek() <= '9') v = v * 10 + (s_[i_++] - '0');
    if (peek() == '.' || peek() == 'e' || peek() == 'E') throw std::runtime_error("not an integer");
    return neg ? -v : v;
  }
  unsigned hex4() {
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = peek();
      ++i_;
      v <<= 4;
      if (c >= '0' && c <= '9') v |= unsigned(c - '0');
      else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
      else throw std::runtime_error("bad \\u escape");
    }
    return v;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  std::string parse_string() {
    expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) throw std::runtime_error("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            expect('\\');
            expect('u');
            const unsigned lo = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: throw std::runtime_error("bad escape");
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

inline object parse(std::string_view s) { return reader(s).parse_object(); }

/// The string member `k`, empty if it is null or absent.
inline std::optional<std::string> opt_string(const object& o, const std::string& k) {
  const auto it = o.find(k);
  if (it == o.end() || std::holds_alternative<null_t>(it->second)) return std::nullopt;
  return std::get<std::string>(it->second);
}

}  // namespace sluice_test::mini_json
