// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `json::writer`: the one way the library writes JSON text (progress records, checkpoints,
/// completed-batches entries, dead letters, window rows). It places the commas and colons,
/// escapes strings (`json::append_string`) and writes numbers with fmt.

#include "sluice/core/json.hpp"
#include "sluice/core/time.hpp"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0::json {

/// Appends JSON to a string it does not own: `begin_object()`, `key("a")`, a value, … ,
/// `end_object()`. Values: strings (valid UTF-8 only, see `is_valid_utf8`), integers, fixed and
/// shortest round-trip doubles, ISO-8601 timestamps, booleans, `null`, and pre-written JSON (`raw`). Keys and values
/// of one object or array are separated by commas automatically. Nesting depth is at most 64.
///
/// Errors: none (`std::bad_alloc` aside); misuse (a value without a key inside an object,
/// unbalanced ends) is a programming error, checked by `assert`. Thread-safety: none.
class writer {
 public:
  explicit writer(std::string& out) noexcept : out_(&out) {}

  writer& begin_object() { return open('{'); }
  writer& end_object() { return close('}'); }
  writer& begin_array() { return open('['); }
  writer& end_array() { return close(']'); }

  /// The key of the next value of the current object.
  writer& key(std::string_view k) {
    separate();
    append_string(*out_, k);
    out_->push_back(':');
    after_key_ = true;
    return *this;
  }

  writer& string(std::string_view s) {
    separate();
    append_string(*out_, s);
    return *this;
  }
  writer& integer(std::int64_t v) {
    separate();
    const fmt::format_int text(v);
    out_->append(text.data(), text.size());
    return *this;
  }
  /// `v` with `decimals` digits after the point (`12.500`); `null` when not finite.
  writer& fixed(double v, int decimals) {
    if (!std::isfinite(v)) return null();
    separate();
    fmt::format_to(std::back_inserter(*out_), "{:.{}f}", v, decimals);
    return *this;
  }
  /// `v` in its shortest round-trip form; `null` when not finite.
  // std::to_chars rather than fmt's "{}": it picks the shorter of fixed and scientific notation
  // (1e+15, not 1000000000000000), which is what the window rows have always carried.
  writer& number(double v) {
    if (!std::isfinite(v)) return null();
    separate();
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_->append(buf, r.ptr);
    return *this;
  }
  /// `ms` since the Unix epoch as an ISO-8601 UTC string with milliseconds
  /// (`append_iso8601_utc`).
  writer& timestamp(std::int64_t ms) {
    separate();
    out_->push_back('"');
    append_iso8601_utc(*out_, ms);
    out_->push_back('"');
    return *this;
  }
  writer& boolean(bool v) {
    separate();
    *out_ += v ? "true" : "false";
    return *this;
  }
  writer& null() {
    separate();
    *out_ += "null";
    return *this;
  }
  /// `json`, already JSON text of one value, copied as it is.
  writer& raw(std::string_view json) {
    separate();
    *out_ += json;
    return *this;
  }
  /// A string value, or `null` when `v` is empty.
  writer& string_or_null(const std::optional<std::string>& v) { return v ? string(*v) : null(); }
  /// A shortest round-trip number, or `null` when `v` is empty.
  writer& number_or_null(const std::optional<double>& v) { return v ? number(*v) : null(); }

  /// The members `name` for bytes that may not be text (`json::append_bytes_field`).
  writer& bytes_member(std::string_view name, const std::string* bytes) {
    separate();
    append_bytes_field(*out_, name, bytes);
    return *this;
  }

  /// The string being written into.
  [[nodiscard]] std::string& out() noexcept { return *out_; }

 private:
  writer& open(char c) {
    separate();
    out_->push_back(c);
    assert(depth_ < 64);
    ++depth_;
    has_items_ &= ~(std::uint64_t{1} << depth_ % 64);
    return *this;
  }
  writer& close(char c) {
    assert(depth_ > 0 && !after_key_);
    --depth_;
    out_->push_back(c);
    return *this;
  }
  // A comma before every item of an object or array but the first; none after a key.
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    const std::uint64_t bit = std::uint64_t{1} << depth_ % 64;
    if (depth_ > 0 && (has_items_ & bit) != 0) out_->push_back(',');
    has_items_ |= bit;
  }

  std::string* out_;
  std::uint64_t has_items_ = 0;  // bit d: the open object or array at depth d has an item
  unsigned depth_ = 0;
  bool after_key_ = false;
};

}  // namespace sluice::inline v0::json
