// SPDX-License-Identifier: Apache-2.0
#pragma once

// The fused fast path of schema_parser::analyse: one pass over the bytes that validates the
// common shape of a schema and writes its Parsing Canonical Form directly, without the JSON tape
// and the schema graph of schema_engine.
//
// Contract: run() either returns true with exactly the canonical form and top-level full name
// the exact engine (schema_engine) would produce, or returns false ("bail"), after which the
// caller runs the exact engine on the same input from scratch. It never reports errors itself:
// every invalid input bails, so errors (codes, paths, messages) always come from the engine.
//
// The subset handled: strict JSON (space, tab, CR, LF between tokens; no comments), valid UTF-8,
// no duplicate keys among those that carry meaning, named types whose "type", "name" and
// "namespace" come before "fields"/"symbols"/"size", fields whose "name" comes before "type"
// and "type" before "default", no forward references and no redefinitions, undotted names, no
// "aliases" or "order", no enum defaults, and field defaults that are literals, numbers,
// strings, {} or [] checked against the already-known type (no record-typed object defaults, no
// string defaults for float/double fields). Anything else bails.

#include <sluice/avro/detail/json.hpp>
#include <sluice/avro/detail/names.hpp>

#include <algorithm>
#include <bit>
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

// One fused pass per call; buffers are members, reused across calls.
// Thread-safety: not thread-safe (one per thread; schema_parser holds one). Blocking: never.
class fast_analyser {
 public:
  // True when `text` is in the subset; canonical() and root_full_name() then hold its results.
  // False: bail (the exact engine must decide).
  bool run(std::string_view text) {
    in_ = text;
    s_ = text.data();
    n_ = text.size();
    olen_ = 0;
    if (obuf_.size() < 4096) obuf_.resize(4096);
    // Decoded strings never exceed their raw form: views into the arena stay valid.
    apos_ = 0;
    if (arena_.size() < n_) arena_.resize(n_);
    names_.clear();
    named_.clear();
    kids_.clear();
    field_names_.clear();
    syms_.clear();
    root_named_ = npos32;
    std::size_t p = 0;
    if (!ws(p) || p >= n_) return false;
    desc d{};
    if (!schema(p, 0, 0, 0, d)) return false;
    for (; p < n_; ++p)
      if (static_cast<unsigned char>(s_[p]) > 0x20) return false;
    if (d.t == k_named) root_named_ = d.idx;
    return true;
  }

  // Canonical form of the last successful run.
  std::string_view canonical() const noexcept { return {obuf_.data(), olen_}; }

  // Full name of the top-level named type of the last successful run ("" otherwise).
  std::string_view root_full_name() const noexcept {
    if (root_named_ == npos32) return {};
    return name_at(root_named_);
  }

 private:
  // Schema kinds as far as defaults and union branches need them.
  enum kind : std::uint8_t {
    k_null, k_boolean, k_int, k_long, k_float, k_double, k_bytes, k_string, k_array, k_map, k_union, k_named
  };
  enum named_kind : std::uint8_t { n_record, n_enum, n_fixed };
  struct desc {
    kind t;
    std::uint32_t idx;  // named: index in named_; union: offset in kids_; array/map: unused
    std::uint32_t count;  // union: branch count
  };
  struct named_def {
    std::uint32_t off, len;  // full name in names_
    named_kind k;
  };
  // Default value classes.
  enum vclass : std::uint8_t { v_null, v_bool, v_int32, v_int64, v_number, v_string, v_empty_object, v_empty_array };

  static constexpr unsigned max_depth = 400;

  // ---------------------------------------------------------------- output
  [[gnu::noinline]] void grow(std::size_t n) { obuf_.resize(std::max(obuf_.size() * 2, olen_ + n + 256)); }
  [[gnu::always_inline]] void put(const char* p, std::size_t n) {
    if (olen_ + n > obuf_.size()) grow(n);
    std::memcpy(obuf_.data() + olen_, p, n);
    olen_ += n;
  }
  [[gnu::always_inline]] void put(std::string_view v) { put(v.data(), v.size()); }
  // A name that may lie in the input: short ones inside it take two 16-byte moves instead of a
  // memcpy call (32 readable bytes in the input, 32 bytes of room in the output).
  [[gnu::always_inline]] void put_name(std::string_view v) {
#if defined(__SSE2__)
    if (v.size() <= 32 && olen_ + 32 <= obuf_.size() && in_input(v.data(), 32)) {
      char* o = obuf_.data() + olen_;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm_loadu_si128(reinterpret_cast<const __m128i*>(v.data())));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 16),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(v.data() + 16)));
      olen_ += v.size();
      return;
    }
#endif
    put(v);
  }
  [[gnu::always_inline]] void put(char c) {
    if (olen_ + 1 > obuf_.size()) grow(1);
    obuf_[olen_++] = c;
  }

  // True when the `n` bytes at q lie inside the input (addresses compared as integers: q may
  // point into another buffer).
  bool in_input(const char* q, std::size_t n) const noexcept {
    const auto a = reinterpret_cast<std::uintptr_t>(q), b = reinterpret_cast<std::uintptr_t>(s_);
    return a >= b && a - b <= n_ && n_ - (a - b) >= n;
  }

  std::string_view name_at(std::uint32_t i) const noexcept { return {names_.data() + named_[i].off, named_[i].len}; }

  // ---------------------------------------------------------------- lexing
  // Skips JSON whitespace (space, tab, CR, LF); false on anything Jackson would treat otherwise
  // ('/' comments, other control bytes). The inline part handles "token follows" and one space.
  [[gnu::always_inline]] bool ws(std::size_t& p) const noexcept {
    if (p + 1 < n_) [[likely]] {
      const auto c = static_cast<unsigned char>(s_[p]);
      if (c > ' ') return c != '/';
      const auto d = static_cast<unsigned char>(s_[p + 1]);
      if (c == ' ' && d > ' ') {
        ++p;
        return d != '/';
      }
#if defined(__SSE2__)
      // Pretty-printed: a line break and the next line's indentation.
      if (c == '\n' && p + 17 <= n_) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_ + p + 1));
        const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')))) ^ 0xFFFFu;
        if (mask) {
          const std::size_t q = p + 1 + static_cast<std::size_t>(__builtin_ctz(mask));
          const auto e = static_cast<unsigned char>(s_[q]);
          if (e > ' ') {
            p = q;
            return e != '/';
          }
        }
      }
#endif
    }
    return ws_slow(p);
  }

  [[gnu::noinline]] bool ws_slow(std::size_t& p) const noexcept {
    while (p < n_) {
      const auto c = static_cast<unsigned char>(s_[p]);
      if (c > ' ') return c != '/';
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
      ++p;
#if defined(__SSE2__)
      while (p + 16 <= n_) {  // indentation runs
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_ + p));
        const unsigned mask =
            static_cast<unsigned>(_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))))) ^
            0xFFFFu;
        if (mask) {
          p += static_cast<std::size_t>(__builtin_ctz(mask));
          break;
        }
        p += 16;
      }
#endif
    }
    return true;
  }

  // Position of the first '"', '\\' or control byte at or after p (n_ when none); high becomes
  // true when a byte >= 0x80 was passed.
  std::size_t scan(std::size_t p, bool& high) const noexcept {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1F);
    while (p + 16 <= n_) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_ + p));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
      const unsigned hi = static_cast<unsigned>(_mm_movemask_epi8(v));
      if (mask != 0) {
        const unsigned at = static_cast<unsigned>(__builtin_ctz(mask));
        if (hi & ((1u << at) - 1)) high = true;
        return p + at;
      }
      if (hi) high = true;
      p += 16;
    }
#endif
    while (p < n_) {
      const auto c = static_cast<unsigned char>(s_[p]);
      if (c == '"' || c == '\\' || c < 0x20) return p;
      if (c >= 0x80) high = true;
      ++p;
    }
    return n_;
  }

  static int hexval(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads a string at s_[p] == '"'. decode: out receives the decoded text (escapes resolved into
  // the arena; surrogate escapes bail), else escapes are only validated. limit: maximal raw length.
  bool str(std::size_t& p, std::string_view& out, bool decode, std::size_t limit) {
    const std::size_t b = p + 1;
    bool high = false;
    std::size_t q = scan(b, high);
    if (q < n_ && s_[q] == '"') [[likely]] {
      if (q - b > limit) return false;
      if (high && !is_valid_utf8(in_.substr(b, q - b))) return false;
      out = in_.substr(b, q - b);
      p = q + 1;
      return true;
    }
    const std::size_t off = apos_;
    char* a = arena_.data();
    if (decode) {
      std::memcpy(a + apos_, s_ + b, q - b);
      apos_ += q - b;
    }
    for (;;) {
      if (q >= n_) return false;
      const char c = s_[q];
      if (c == '"') break;
      if (c != '\\' || q + 1 >= n_) return false;
      const char e = s_[q + 1];
      q += 2;
      char d = 0;
      switch (e) {
        case '"': d = '"'; break;
        case '\\': d = '\\'; break;
        case '/': d = '/'; break;
        case 'b': d = '\b'; break;
        case 'f': d = '\f'; break;
        case 'n': d = '\n'; break;
        case 'r': d = '\r'; break;
        case 't': d = '\t'; break;
        case 'u': {
          if (q + 4 > n_) return false;
          std::uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            const int h = hexval(s_[q + static_cast<std::size_t>(k)]);
            if (h < 0) return false;
            cp = (cp << 4) | static_cast<std::uint32_t>(h);
          }
          q += 4;
          if (cp >= 0xD800 && cp <= 0xDFFF) {
            if (decode) return false;  // surrogates: the exact engine's WTF-8 rules
            break;
          }
          if (decode) {
            if (cp < 0x80) {
              a[apos_++] = static_cast<char>(cp);
            } else if (cp < 0x800) {
              a[apos_++] = static_cast<char>(0xC0 | (cp >> 6));
              a[apos_++] = static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              a[apos_++] = static_cast<char>(0xE0 | (cp >> 12));
              a[apos_++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              a[apos_++] = static_cast<char>(0x80 | (cp & 0x3F));
            }
          }
          goto next;
        }
        default: return false;
      }
      if (decode) a[apos_++] = d;
    next:
      const std::size_t r = scan(q, high);
      if (decode) {
        std::memcpy(a + apos_, s_ + q, r - q);
        apos_ += r - q;
      }
      q = r;
    }
    if (q - b > limit) return false;
    if (high && !is_valid_utf8(in_.substr(b, q - b))) return false;
    out = decode ? std::string_view(a + off, apos_ - off) : std::string_view{};
    p = q + 1;
    return true;
  }

  [[gnu::always_inline]] bool literal(std::size_t& p, std::string_view word) const noexcept {
    if (p + word.size() > n_ || std::memcmp(s_ + p, word.data(), word.size()) != 0) return false;
    const std::size_t e = p + word.size();
    if (e < n_) {
      const auto c = static_cast<unsigned char>(s_[e]);
      if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '$' ||
          c >= 0x80)
        return false;
    }
    p = e;
    return true;
  }

  // A JSON number; cls: 0 int32, 1 int64, 2 big integer or floating. raw receives its text.
  bool number(std::size_t& p, int& cls, std::string_view& raw) const noexcept {
    const std::size_t b = p;
    bool neg = false;
    if (s_[p] == '-') {
      neg = true;
      ++p;
    }
    const std::size_t ib = p;
    if (p >= n_ || s_[p] < '0' || s_[p] > '9') return false;
    if (s_[p] == '0' && p + 1 < n_ && s_[p + 1] >= '0' && s_[p + 1] <= '9') return false;
    std::uint64_t v = 0;
    while (p < n_ && s_[p] >= '0' && s_[p] <= '9') {
      v = v * 10 + static_cast<unsigned>(s_[p] - '0');
      ++p;
    }
    if (p - ib > 18) return false;  // beyond int64 (or close to it): the exact engine decides
    bool floating = false;
    if (p < n_ && s_[p] == '.') {
      floating = true;
      const std::size_t f = ++p;
      while (p < n_ && s_[p] >= '0' && s_[p] <= '9') ++p;
      if (p == f) return false;
    }
    if (p < n_ && (s_[p] == 'e' || s_[p] == 'E')) {
      floating = true;
      ++p;
      if (p < n_ && (s_[p] == '+' || s_[p] == '-')) ++p;
      const std::size_t f = p;
      while (p < n_ && s_[p] >= '0' && s_[p] <= '9') ++p;
      if (p == f) return false;
    }
    if (p - b > 200) return false;
    if (floating) cls = 2;
    else cls = (neg ? v <= 2147483648ull : v <= 2147483647ull) ? 0 : 1;
    raw = in_.substr(b, p - b);
    return true;
  }

  // Validates (and skips) any JSON value.
  bool skip(std::size_t& p, unsigned depth) {
    if (depth > max_depth) return false;
    std::string_view sv;
    switch (s_[p]) {
      case '"': return str(p, sv, false, 1000000);
      case '{': return object(p, [&](int, std::size_t& q) { return skip(q, depth + 1); });
      case '[': return array(p, [&](std::uint32_t, std::size_t& q) { return skip(q, depth + 1); });
      case 't': return literal(p, "true");
      case 'f': return literal(p, "false");
      case 'n': return literal(p, "null");
      default: {
        int cls = 0;
        return number(p, cls, sv);
      }
    }
  }

  enum key_id : int {
    key_other, key_type, key_name, key_namespace, key_fields, key_symbols, key_items, key_values, key_size,
    key_default, key_order, key_aliases
  };

  // Little-endian packing of up to 8 bytes (constant keys compared as integers).
  static constexpr std::uint64_t pack(std::string_view k) noexcept {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < k.size(); ++i) w |= std::uint64_t{static_cast<unsigned char>(k[i])} << (8 * i);
    return w;
  }
  static constexpr std::uint64_t low(unsigned bytes) noexcept {
    return bytes >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * bytes)) - 1;
  }
  [[gnu::always_inline]] std::uint64_t load8(std::size_t p) const noexcept {
    std::uint64_t w;
    std::memcpy(&w, s_ + p, 8);
    return w;
  }

  static int key_of(std::string_view k) noexcept {
    switch (k.size()) {
      case 4:
        if (k == "type") return key_type;
        if (k == "name") return key_name;
        if (k == "size") return key_size;
        break;
      case 5:
        if (k == "items") return key_items;
        if (k == "order") return key_order;
        break;
      case 6:
        if (k == "fields") return key_fields;
        if (k == "values") return key_values;
        break;
      case 7:
        if (k == "symbols") return key_symbols;
        if (k == "default") return key_default;
        if (k == "aliases") return key_aliases;
        break;
      case 9:
        if (k == "namespace") return key_namespace;
        break;
      default: break;
    }
    return key_other;
  }

  // Reads the key at s_[p] == '"': the common unescaped keys by integer compares, others decoded.
  [[gnu::always_inline]] bool read_key(std::size_t& p, int& id) {
    if constexpr (std::endian::native == std::endian::little) {
      if (p + 17 <= n_) {
        const std::uint64_t w = load8(p + 1);
        int kid = -2;
        std::size_t len = 0;
        const auto is = [&](std::uint64_t lit, std::size_t n, int k) {
          if ((w & low(static_cast<unsigned>(n))) != lit) return false;
          kid = k;
          len = n;
          return true;
        };
        static constexpr std::uint64_t k_name = pack("name\""), k_type = pack("type\""),
                                       k_default = pack("default\""), k_doc = pack("doc\""),
                                       k_fields = pack("fields\""), k_items = pack("items\""),
                                       k_values = pack("values\""), k_logical_a = pack("logicalT"),
                                       k_logical_b = pack("calType\""), k_symbols = pack("symbols\"");
        switch (static_cast<char>(w)) {
          case 'n': is(k_name, 5, key_name); break;
          case 't': is(k_type, 5, key_type); break;
          case 'd': is(k_default, 8, key_default) || is(k_doc, 4, key_other); break;
          case 'f': is(k_fields, 7, key_fields); break;
          case 'i': is(k_items, 6, key_items); break;
          case 'v': is(k_values, 7, key_values); break;
          case 'l':
            if (w == k_logical_a && load8(p + 5) == k_logical_b) {
              kid = key_other;
              len = 12;
            }
            break;
          case 's': is(k_symbols, 8, key_symbols); break;
          default: break;
        }
        if (kid != -2) {
          id = kid;
          p += 1 + len;
          return true;
        }
        if (w == pack("namespac") && s_[p + 9] == 'e' && s_[p + 10] == '"') {
          id = key_namespace;
          p += 11;
          return true;
        }
      }
    }
    return read_key_slow(p, id);
  }

  [[gnu::noinline]] bool read_key_slow(std::size_t& p, int& id) {
    const std::size_t mark = apos_;
    std::string_view key;
    if (!str(p, key, true, 50000)) return false;
    id = key_of(key);
    apos_ = mark;  // the decoded text is not needed any more
    return true;
  }

  // Array iteration: calls f(index, p) for each element with p at it; f must consume it.
  template <class F>
  bool array(std::size_t& p, F&& f) {
    ++p;  // '['
    if (!ws(p) || p >= n_) return false;
    if (s_[p] == ']') {
      ++p;
      return true;
    }
    for (std::uint32_t i = 0;; ++i) {
      if (!f(i, p)) return false;
      if (!ws(p) || p >= n_) return false;
      if (s_[p] == ',') {
        ++p;
        if (!ws(p) || p >= n_) return false;
        continue;
      }
      if (s_[p] != ']') return false;
      ++p;
      return true;
    }
  }

  // Object iteration: calls f(key id, p) for each key with p at the value; f must consume it.
  template <class F>
  bool object(std::size_t& p, F&& f) {
    ++p;  // '{'
    if (!ws(p) || p >= n_) return false;
    if (s_[p] == '}') {
      ++p;
      return true;
    }
    for (;;) {
      int key = key_other;
      if (s_[p] != '"' || !read_key(p, key)) return false;
      if (!ws(p) || p >= n_ || s_[p] != ':') return false;
      ++p;
      if (!ws(p) || p >= n_) return false;
      if (!f(key, p)) return false;
      if (!ws(p) || p >= n_) return false;
      if (s_[p] == ',') {
        ++p;
        if (!ws(p) || p >= n_) return false;
        continue;
      }
      if (s_[p] != '}') return false;
      ++p;
      return true;
    }
  }

  // ---------------------------------------------------------------- schemas
  static int primitive(std::string_view s) noexcept {
    switch (s.size()) {
      case 3: if (s == "int") return k_int; break;
      case 4:
        if (s == "null") return k_null;
        if (s == "long") return k_long;
        break;
      case 5:
        if (s == "float") return k_float;
        if (s == "bytes") return k_bytes;
        break;
      case 6:
        if (s == "double") return k_double;
        if (s == "string") return k_string;
        break;
      case 7: if (s == "boolean") return k_boolean; break;
      default: break;
    }
    return -1;
  }
  // The primitive type name quoted at s_[p] == '"' when it is spelled plainly (p moves past it),
  // else -1 (p unchanged).
  [[gnu::always_inline]] int quick_primitive(std::size_t& p) const noexcept {
    if constexpr (std::endian::native == std::endian::little) {
      if (p + 17 <= n_) {
        const std::uint64_t w = load8(p + 1);
        static constexpr std::uint64_t q_null = pack("null\""), q_string = pack("string\""),
                                       q_long = pack("long\""), q_boolean = pack("boolean\""), q_int = pack("int\""),
                                       q_double = pack("double\""), q_bytes = pack("bytes\""),
                                       q_float = pack("float\"");
        const std::uint64_t w5 = w & low(5), w7 = w & low(7);
        int pk = -1;
        std::size_t len = 0;
        if (w5 == q_null) pk = k_null, len = 5;
        else if (w7 == q_string) pk = k_string, len = 7;
        else if (w5 == q_long) pk = k_long, len = 5;
        else if (w == q_boolean) pk = k_boolean, len = 8;
        else if ((w & low(4)) == q_int) pk = k_int, len = 4;
        else if (w7 == q_double) pk = k_double, len = 7;
        else if ((w & low(6)) == q_bytes) pk = k_bytes, len = 6;
        else if ((w & low(6)) == q_float) pk = k_float, len = 6;
        if (pk >= 0) p += 1 + len;
        return pk;
      }
    }
    return -1;
  }

  // A plain name string at s_[p] == '"' of up to 32 ASCII letters, digits and '_' (not starting
  // with a digit), read and validated in one go: p moves past it and true; else false (p unchanged).
  bool quick_name(std::size_t& p, std::string_view& out) const noexcept {
#if defined(__SSE2__)
    const std::size_t b = p + 1;
    if (b + 32 > n_ || (s_[b] >= '0' && s_[b] <= '9')) return false;
    std::size_t len = 0;
    for (std::size_t i = 0; i < 32; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_ + b + i));
      const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
      const __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                          _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
      const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                          _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
      const unsigned ok = static_cast<unsigned>(_mm_movemask_epi8(
          _mm_or_si128(_mm_or_si128(alpha, digit), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')))));
      const unsigned quote = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
      if (quote) {
        const unsigned at = static_cast<unsigned>(__builtin_ctz(quote));
        const unsigned want = (1u << at) - 1;
        if ((ok & want) != want) return false;
        len = i + at;
        if (len == 0) return false;
        out = std::string_view(s_ + b, len);
        p = b + len + 1;
        return true;
      }
      if (ok != 0xFFFFu) return false;
    }
#else
    (void)p;
    (void)out;
#endif
    return false;
  }

  // validate_name(n) == none, with a 16-bytes-at-a-time check for ASCII names inside the input.
  bool name_ok(std::string_view n) const noexcept {
#if defined(__SSE2__)
    const std::size_t len = n.size();
    if (len != 0 && in_input(n.data(), (len + 15) & ~std::size_t{15})) {
      const auto c0 = static_cast<unsigned char>(n[0]);
      if (c0 >= '0' && c0 <= '9') return false;
      std::size_t i = 0;
      for (; i < len; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(n.data() + i));
        const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        const __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                            _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
        const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                            _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        const __m128i ok = _mm_or_si128(_mm_or_si128(alpha, digit), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
        const unsigned want = len - i >= 16 ? 0xFFFFu : (1u << (len - i)) - 1;
        if ((static_cast<unsigned>(_mm_movemask_epi8(ok)) & want) != want) break;
      }
      if (i >= len) return true;
      // Not plain ASCII letters/digits/'_': the exact validator (non-ASCII letters are valid).
    }
#endif
    return validate_name(n) == name_problem::none;
  }

  static constexpr std::string_view quoted[] = {R"("null")",  R"("boolean")", R"("int")",   R"("long")",
                                                R"("float")", R"("double")",  R"("bytes")", R"("string")"};

  std::uint32_t find_named(std::string_view full) const noexcept {
    for (std::uint32_t i = 0; i < named_.size(); ++i)
      if (name_at(i) == full) return i;
    return npos32;
  }

  // A reference or primitive name.
  bool reference(std::string_view name, std::uint32_t ns_off, std::uint32_t ns_len, desc& d) {
    if (const int pk = primitive(name); pk >= 0) {
      d = desc{static_cast<kind>(pk), 0, 0};
      put(quoted[pk]);
      return true;
    }
    std::uint32_t t = npos32;
    if (ns_len != 0 && name.find('.') == std::string_view::npos) {
      qual_.assign(names_, ns_off, ns_len);
      qual_ += '.';
      qual_.append(name);
      t = find_named(qual_);
    }
    if (t == npos32) t = find_named(name);
    if (t == npos32) return false;  // forward reference or undefined: the exact engine decides
    d = desc{k_named, t, 0};
    put('"');
    put(name_at(t));
    put('"');
    return true;
  }

  // Full name of a named type into names_; the namespace parts are validated here.
  bool make_name(std::string_view name, bool has_space, std::string_view space, std::uint32_t ns_off,
                 std::uint32_t ns_len, std::uint32_t& off, std::uint32_t& len) {
    if (name.find('.') != std::string_view::npos) return false;
    if (validate_name(name) != name_problem::none) return false;
    off = static_cast<std::uint32_t>(names_.size());
    if (has_space) {
      if (!space.empty()) {
        std::size_t b = 0;
        for (;;) {
          const std::size_t dot = space.find('.', b);
          if (validate_name(space.substr(b, dot == std::string_view::npos ? dot : dot - b)) != name_problem::none)
            return false;
          if (dot == std::string_view::npos) break;
          b = dot + 1;
        }
        names_.append(space);
        names_ += '.';
      }
    } else if (ns_len != 0) {
      qual_.assign(names_, ns_off, ns_len);  // the enclosing namespace (validated with its owner)
      names_.append(qual_);
      names_ += '.';
    }
    names_.append(name);
    len = static_cast<std::uint32_t>(names_.size() - off);
    // Unqualified names that a union could confuse with a type name: the engine decides.
    if (len == name.size() && (primitive(name) >= 0 || name == "array" || name == "map" || name == "union" ||
                               name == "record" || name == "enum" || name == "fixed" || name == "error"))
      return false;
    if (find_named(std::string_view(names_.data() + off, len)) != npos32) return false;  // redefinition
    return true;
  }

  bool schema(std::size_t& p, std::uint32_t ns_off, std::uint32_t ns_len, unsigned depth, desc& d) {
    if (depth > max_depth) return false;
    const char c = s_[p];
    if (c == '"') {
      if (const int pk = quick_primitive(p); pk >= 0) {
        d = desc{static_cast<kind>(pk), 0, 0};
        put(quoted[pk]);
        return true;
      }
      std::string_view name;
      if (!str(p, name, true, 50000)) return false;
      return reference(name, ns_off, ns_len, d);
    }
    if (c == '[') return union_schema(p, ns_off, ns_len, depth, d);
    if (c != '{') return false;
    // Object: the keys that carry meaning, in a favourable order.
    enum : unsigned { s_type = 1, s_name = 2, s_space = 4, s_struct = 8, s_default = 16 };
    unsigned seen = 0;
    int tk = -1;  // primitive kind, or 100 record, 101 enum, 102 fixed, 103 array, 104 map
    std::string_view name, space;
    bool done = false;
    const bool ok = object(p, [&](int key, std::size_t& q) -> bool {
      switch (key) {
        case key_type: {
          if (seen & s_type) return false;
          seen |= s_type;
          if (s_[q] != '"') return false;
          if (const int pk = quick_primitive(q); pk >= 0) {
            tk = pk;
          } else {
            std::string_view t;
            if (!str(q, t, true, 50000)) return false;
            tk = primitive(t);
            if (tk >= 0) {
            } else if (t == "record" || t == "error") {
              tk = 100;
            } else if (t == "enum") {
              tk = 101;
            } else if (t == "fixed") {
              tk = 102;
            } else if (t == "array") {
              tk = 103;
            } else if (t == "map") {
              tk = 104;
            } else {
              return false;
            }
          }
          if (tk < 100) {
            d = desc{static_cast<kind>(tk), 0, 0};
            put(quoted[tk]);
            done = true;
          }
          return true;
        }
        case key_name:
          if (seen & (s_name | s_struct)) return false;
          seen |= s_name;
          if (s_[q] != '"') return false;
          return str(q, name, true, 50000);
        case key_namespace:
          if (seen & (s_space | s_struct)) return false;
          seen |= s_space;
          if (s_[q] != '"') return false;
          return str(q, space, true, 50000);
        case key_size:
          if (tk < 0 || (seen & s_struct)) return false;
          if (tk == 102) {
            seen |= s_struct;
            return fixed_body(q, name, (seen & s_space) != 0, space, ns_off, ns_len, d);
          }
          break;
        case key_items:
        case key_values:
          if (tk < 0) return false;
          if (tk == (key == key_items ? 103 : 104)) {
            if (seen & s_struct) return false;
            seen |= s_struct;
            put(key == key_items ? std::string_view(R"({"type":"array","items":)")
                                 : std::string_view(R"({"type":"map","values":)"));
            desc child{};
            if (!schema(q, ns_off, ns_len, depth + 1, child)) return false;
            put('}');
            d = desc{key == key_items ? k_array : k_map, 0, 0};
            return true;
          }
          break;
        case key_fields:
          if (tk < 0) return false;
          if (tk == 100) {
            if (seen & s_struct) return false;
            seen |= s_struct;
            return record_body(q, name, (seen & s_space) != 0, space, ns_off, ns_len, depth, d);
          }
          break;
        case key_symbols:
          if (tk < 0) return false;
          if (tk == 101) {
            if (seen & s_struct) return false;
            seen |= s_struct;
            return enum_body(q, name, (seen & s_space) != 0, space, ns_off, ns_len, d);
          }
          break;
        case key_aliases:
          if (tk < 0 || tk >= 100) return false;
          break;
        case key_default:
          if (tk < 0 || tk == 101) return false;
          break;
        default: break;
      }
      return skip(q, depth + 1);
    });
    if (!ok || tk < 0) return false;
    if (done) return true;
    return (seen & s_struct) != 0;
  }

  bool union_schema(std::size_t& p, std::uint32_t ns_off, std::uint32_t ns_len, unsigned depth, desc& d) {
    put('[');
    // Branch descriptors are collected here, then appended to kids_ as one block (nested unions
    // inside the branches append theirs first).
    static constexpr std::uint32_t max_branches = 32;  // more: the exact engine decides
    desc br[max_branches];
    std::uint32_t count = 0;
    const bool ok = array(p, [&](std::uint32_t i, std::size_t& q) {
      if (s_[q] == '[' || i == max_branches) return false;  // e.g. a union directly in a union
      if (i != 0) put(',');
      desc b{};
      if (!schema(q, ns_off, ns_len, depth + 1, b) || b.t == k_union) return false;
      // Branches must be unique by type name.
      for (std::uint32_t k = 0; k < count; ++k)
        if (br[k].t == b.t && (b.t != k_named || br[k].idx == b.idx)) return false;
      br[count++] = b;
      return true;
    });
    if (!ok) return false;
    put(']');
    const auto first = static_cast<std::uint32_t>(kids_.size());
    kids_.insert(kids_.end(), br, br + count);
    d = desc{k_union, first, count};
    return true;
  }

  void emit_header(std::uint32_t off, std::uint32_t len, std::string_view type) {
    put(R"({"name":")");
    put(std::string_view(names_.data() + off, len));
    put(R"(","type":")");
    put(type);
    put('"');
  }

  bool fixed_body(std::size_t& p, std::string_view name, bool has_space, std::string_view space, std::uint32_t ns_off,
                  std::uint32_t ns_len, desc& d) {
    if (name.data() == nullptr) return false;
    std::uint32_t off = 0, len = 0;
    if (!make_name(name, has_space, space, ns_off, ns_len, off, len)) return false;
    int cls = 0;
    std::string_view raw;
    if (s_[p] == '-' || s_[p] < '0' || s_[p] > '9' || !number(p, cls, raw) || cls != 0) return false;
    std::uint64_t v = 0;
    for (char ch : raw) v = v * 10 + static_cast<unsigned>(ch - '0');
    if (v > 2147483639ULL) return false;
    emit_header(off, len, "fixed");
    put(R"(,"size":)");
    put(std::to_string(v));
    put('}');
    named_.push_back(named_def{off, len, n_fixed});
    d = desc{k_named, static_cast<std::uint32_t>(named_.size() - 1), 0};
    return true;
  }

  bool enum_body(std::size_t& p, std::string_view name, bool has_space, std::string_view space, std::uint32_t ns_off,
                 std::uint32_t ns_len, desc& d) {
    if (name.data() == nullptr || s_[p] != '[') return false;
    std::uint32_t off = 0, len = 0;
    if (!make_name(name, has_space, space, ns_off, ns_len, off, len)) return false;
    emit_header(off, len, "enum");
    put(R"(,"symbols":[)");
    const std::size_t base = syms_.size();
    const bool ok = array(p, [&](std::uint32_t i, std::size_t& q) {
      std::string_view sym;
      if (s_[q] != '"' || !str(q, sym, true, 50000)) return false;
      if (i > 64 || validate_name(sym) != name_problem::none) return false;
      for (std::size_t k = base; k < syms_.size(); ++k)
        if (syms_[k] == sym) return false;
      if (i != 0) put(',');
      put('"');
      put(sym);
      put('"');
      syms_.push_back(sym);
      return true;
    });
    if (!ok) return false;
    syms_.resize(base);
    put("]}");
    named_.push_back(named_def{off, len, n_enum});
    d = desc{k_named, static_cast<std::uint32_t>(named_.size() - 1), 0};
    return true;
  }

  bool record_body(std::size_t& p, std::string_view name, bool has_space, std::string_view space,
                   std::uint32_t ns_off, std::uint32_t ns_len, unsigned depth, desc& d) {
    if (name.data() == nullptr || s_[p] != '[') return false;
    std::uint32_t off = 0, len = 0;
    if (!make_name(name, has_space, space, ns_off, ns_len, off, len)) return false;
    emit_header(off, len, "record");
    put(R"(,"fields":[)");
    // Children's namespace: the namespace part of the full name.
    const std::string_view full(names_.data() + off, len);
    const auto dot = full.rfind('.');
    const std::uint32_t child_len = dot == std::string_view::npos ? 0u : static_cast<std::uint32_t>(dot);
    const std::size_t base = field_names_.size();
    const bool ok = array(p, [&](std::uint32_t i, std::size_t& q) {
      if (s_[q] != '{') return false;
      if (i != 0) put(',');
      return field(q, off, child_len, depth + 1);
    });
    if (!ok) return false;
    put("]}");
    if (!unique_fields(base)) return false;
    if (find_named(std::string_view(names_.data() + off, len)) != npos32) return false;  // redefined inside
    field_names_.resize(base);
    named_.push_back(named_def{off, len, n_record});
    d = desc{k_named, static_cast<std::uint32_t>(named_.size() - 1), 0};
    return true;
  }

  bool field(std::size_t& p, std::uint32_t ns_off, std::uint32_t ns_len, unsigned depth) {
    enum : unsigned { f_name = 1, f_type = 2, f_default = 4 };
    unsigned seen = 0;
    std::string_view name;
    desc ft{};
    const bool ok = object(p, [&](int key, std::size_t& q) -> bool {
      if (key == key_name) {
        if (seen) return false;
        seen |= f_name;
        if (s_[q] != '"') return false;
        if (!quick_name(q, name)) {
          if (!str(q, name, true, 50000) || !name_ok(name)) return false;
        }
        field_names_.push_back(name);
        return true;
      }
      if (key == key_type) {
        if ((seen & f_name) == 0 || (seen & (f_type | f_default))) return false;
        seen |= f_type;
        put(R"({"name":")");
        put_name(name);
        put(R"(","type":)");
        if (!schema(q, ns_off, ns_len, depth + 1, ft)) return false;
        put('}');
        return true;
      }
      if (key == key_default) {
        if ((seen & f_type) == 0 || (seen & f_default)) return false;
        seen |= f_default;
        return default_value(q, ft);
      }
      if (key == key_order || key == key_aliases) return false;
      return skip(q, depth + 1);
    });
    return ok && (seen & f_type);
  }

  // A field default, checked against the field's type like Java's isValidDefault.
  bool default_value(std::size_t& p, const desc& t) {
    vclass v;
    switch (s_[p]) {
      case 'n':
        if (!literal(p, "null")) return false;
        v = v_null;
        break;
      case 't':
        if (!literal(p, "true")) return false;
        v = v_bool;
        break;
      case 'f':
        if (!literal(p, "false")) return false;
        v = v_bool;
        break;
      case '"': {
        if (t.t == k_float || t.t == k_double) return false;  // converted to a double by Java
        std::string_view sv;
        if (!str(p, sv, false, 1000000)) return false;
        v = v_string;
        break;
      }
      case '{':
      case '[': {
        const char close = s_[p] == '{' ? '}' : ']';
        v = s_[p] == '{' ? v_empty_object : v_empty_array;
        ++p;
        if (!ws(p) || p >= n_ || s_[p] != close) return false;
        ++p;
        break;
      }
      default: {
        int cls = 0;
        std::string_view raw;
        if (!number(p, cls, raw)) return false;
        v = cls == 0 ? v_int32 : cls == 1 ? v_int64 : v_number;
        break;
      }
    }
    if (t.t == k_union) {
      for (std::uint32_t i = 0; i < t.count; ++i) {
        const int m = matches(kids_[t.idx + i], v);
        if (m < 0) return false;
        if (m > 0) return true;
      }
      return false;
    }
    return matches(t, v) > 0;
  }

  // 1: valid, 0: not valid, -1: bail (a record meets an object).
  int matches(const desc& t, vclass v) const noexcept {
    switch (t.t) {
      case k_null: return v == v_null;
      case k_boolean: return v == v_bool;
      case k_int: return v == v_int32;
      case k_long: return v == v_int32 || v == v_int64;
      case k_float:
      case k_double: return v == v_int32 || v == v_int64 || v == v_number;
      case k_bytes:
      case k_string: return v == v_string;
      case k_array: return v == v_empty_array;
      case k_map: return v == v_empty_object;
      case k_union: return -1;
      case k_named:
        if (named_[t.idx].k != n_record) return v == v_string;
        return v == v_empty_object ? -1 : 0;
    }
    return -1;
  }

  // Hash of a field name: every byte of names up to 32 bytes, the ends of longer ones.
  static std::uint64_t quick_hash(std::string_view k) noexcept {
    std::uint64_t a = 0, b = 0, c = 0, d = 0;
    const std::size_t n = k.size();
    if (n >= 16) {
      std::memcpy(&a, k.data(), 8);
      std::memcpy(&b, k.data() + 8, 8);
      std::memcpy(&c, k.data() + (n - 16), 8);
      std::memcpy(&d, k.data() + (n - 8), 8);
    } else if (n >= 8) {
      std::memcpy(&a, k.data(), 8);
      std::memcpy(&d, k.data() + (n - 8), 8);
    } else {
      for (std::size_t i = 0; i < n; ++i) a |= std::uint64_t{static_cast<unsigned char>(k[i])} << (8 * i);
    }
    std::uint64_t h = (a ^ (c << 1)) * 0x9E3779B97F4A7C15ULL;
    h = (h ^ (h >> 32) ^ b ^ (d >> 3)) * 0xC2B2AE3D27D4EB4FULL;
    h = (h ^ (h >> 29) ^ d ^ n) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 32);
  }

  bool unique_fields(std::size_t base) {
    const std::size_t n = field_names_.size() - base;
    if (n < 2) return true;
    if (n <= 8) {
      for (std::size_t i = base + 1; i < field_names_.size(); ++i)
        for (std::size_t j = base; j < i; ++j)
          if (field_names_[i] == field_names_[j]) return false;
      return true;
    }
    // Open addressing; slots of earlier calls are told apart by their generation, so the table
    // is cleared only when it grows or the generation wraps.
    if (set_.size() < n * 2 || ++gen_ == 0) {
      std::size_t cap = std::max<std::size_t>(set_.size(), 64);
      while (cap < n * 2) cap *= 2;
      set_.assign(cap, slot{0, 0, 0});
      gen_ = 1;
    }
    const std::size_t mask = set_.size() - 1;
    for (std::size_t i = base; i < field_names_.size(); ++i) {
      const std::string_view k = field_names_[i];
      const std::uint64_t h = quick_hash(k);
      for (std::size_t at = h & mask;; at = (at + 1) & mask) {
        slot& e = set_[at];
        if (e.gen != gen_) {
          e = slot{gen_, static_cast<std::uint32_t>(i), h};
          break;
        }
        if (e.h == h && field_names_[e.idx] == k) return false;
      }
    }
    return true;
  }

  struct slot {
    std::uint32_t gen, idx;
    std::uint64_t h;
  };

  std::string_view in_;
  const char* s_ = nullptr;
  std::size_t n_ = 0;
  std::string obuf_;   // the canonical form being written (olen_ bytes)
  std::size_t olen_ = 0;
  std::string arena_;  // decoded strings (at least the input's size: never reallocates in a run)
  std::size_t apos_ = 0;
  std::string names_;  // full names
  std::string qual_;
  std::vector<named_def> named_;
  std::vector<desc> kids_;
  std::vector<std::string_view> field_names_;
  std::vector<std::string_view> syms_;
  std::vector<slot> set_;
  std::uint32_t gen_ = 0;
  std::uint32_t root_named_ = npos32;
};

}  // namespace sluice::inline v0::avro::detail
