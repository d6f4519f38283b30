// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `blob_writer` and `blob_reader`: the text encoding of the stream stages' checkpointed state
/// (`watermark_dedup`, `tumbling_window`, and the aggregation policies of `window_aggregator`,
/// which save and load their window states with them): a sequence of items, each an integer
/// (`<decimal>;`), a double (shortest round-trip form, `<text>;`, `n;` for none) or a byte string
/// (`<length>:<bytes>`). UTF-8 when the strings are (event fields are), so the checkpoint stores
/// it as JSON text; deterministic for a given state; doubles round-trip exactly.
///
/// Public, not `detail`: an aggregation policy written outside this module (the event ETL's
/// `device_aggregator`, or yours) needs both to model `window_aggregator`.

#include "sluice/core/error.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::inline v0::stream {

/// Appends items to a blob (a string it does not own).
///
/// Errors: none (`std::bad_alloc` aside). Thread-safety: none.
class blob_writer {
 public:
  /// A writer appending to `out`.
  explicit blob_writer(std::string& out) noexcept : out_(out) {}
  /// Appends the integer item `<decimal>;`.
  void integer(std::int64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    out_.push_back(';');
  }
  /// Appends an integer item, or `n;` for none.
  void optional_integer(std::optional<std::int64_t> v) {
    if (v) {
      integer(*v);
    } else {
      out_ += "n;";
    }
  }
  /// Appends a double in its shortest round-trip form, or `n;` for none.
  void real(std::optional<double> v) {
    if (!v) {
      out_ += "n;";
      return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, *v);
    out_.append(buf, r.ptr);
    out_.push_back(';');
  }
  /// Appends the byte string item `<length>:<bytes>`.
  void bytes(std::string_view s) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, s.size());
    out_.append(buf, r.ptr);
    out_.push_back(':');
    out_.append(s);
  }
  /// Appends `s<length>:<bytes>`, or `n;` for none.
  void optional_bytes(const std::optional<std::string>& s) {
    if (!s) {
      out_ += "n;";
      return;
    }
    out_.push_back('s');
    bytes(*s);
  }

 private:
  std::string& out_;
};

/// Reads the items of a `blob_writer` back, in the order they were written.
///
/// Errors: every reader returns `errc::corrupt_state` when the next item is not of its kind.
/// Thread-safety: none.
class blob_reader {
 public:
  /// A reader of `in`, which must outlive the views `bytes()` returns.
  explicit blob_reader(std::string_view in) noexcept : in_(in) {}
  /// True once every item was read.
  [[nodiscard]] bool at_end() const noexcept { return in_.empty(); }

  /// Reads an integer item.
  result<std::int64_t> integer() {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(in_.data(), in_.data() + in_.size(), v);
    if (ec != std::errc{} || p == in_.data() + in_.size() || *p != ';') return errc::corrupt_state;
    in_.remove_prefix(static_cast<std::size_t>(p - in_.data()) + 1);
    return v;
  }
  /// Reads an integer item or `n;`.
  result<std::optional<std::int64_t>> optional_integer() {
    if (in_.substr(0, 2) == "n;") {
      in_.remove_prefix(2);
      return std::optional<std::int64_t>{};
    }
    SLUICE_TRY(v, integer());
    return std::optional<std::int64_t>(v);
  }
  /// Reads a double item or `n;`.
  result<std::optional<double>> real() {
    if (in_.substr(0, 2) == "n;") {
      in_.remove_prefix(2);
      return std::optional<double>{};
    }
    double v = 0;
    const auto [p, ec] = std::from_chars(in_.data(), in_.data() + in_.size(), v);
    if (ec != std::errc{} || p == in_.data() + in_.size() || *p != ';') return errc::corrupt_state;
    in_.remove_prefix(static_cast<std::size_t>(p - in_.data()) + 1);
    return std::optional<double>(v);
  }
  /// Reads a byte string item: a view into the blob.
  result<std::string_view> bytes() {
    std::size_t n = 0;
    const auto [p, ec] = std::from_chars(in_.data(), in_.data() + in_.size(), n);
    if (ec != std::errc{} || p == in_.data() + in_.size() || *p != ':') return errc::corrupt_state;
    const auto head = static_cast<std::size_t>(p - in_.data()) + 1;
    if (n > in_.size() - head) return errc::corrupt_state;
    const std::string_view s = in_.substr(head, n);
    in_.remove_prefix(head + n);
    return s;
  }
  /// Reads an `optional_bytes` item.
  result<std::optional<std::string>> optional_bytes() {
    if (in_.substr(0, 2) == "n;") {
      in_.remove_prefix(2);
      return std::optional<std::string>{};
    }
    if (in_.empty() || in_.front() != 's') return errc::corrupt_state;
    in_.remove_prefix(1);
    SLUICE_TRY(s, bytes());
    return std::optional<std::string>(std::string(s));
  }
  /// Expects the literal `tag` next.
  result<void> expect(std::string_view tag) {
    if (in_.substr(0, tag.size()) != tag) return errc::corrupt_state;
    in_.remove_prefix(tag.size());
    return success();
  }

 private:
  std::string_view in_;
};

}  // namespace sluice::inline v0::stream
