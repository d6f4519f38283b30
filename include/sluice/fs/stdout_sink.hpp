// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `fs::stdout_sink`: writes each value of a batch as one line to standard output (or another
/// `FILE*`), for demos, debugging and shell pipelines.
///
/// How a value becomes a line is chosen by the trait `fs::line_formatter<T>`, which users
/// specialize for their types (like `fmt::formatter`). Provided: `object` as a JSON line
/// `{"key":…,"bytes":…}` (bytes base64 with `"bytes_encoding":"base64"` when not UTF-8), and any
/// type `fmt` can format, as `fmt::format("{}", v)` with line breaks escaped as `\n` / `\r`
/// (and `\` as `\\`), so one value is always one line.

#include "sluice/core/concepts/sink.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/json.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/record.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <iterator>
#include <span>
#include <string>
#include <system_error>

namespace sluice::inline v0::fs {

/// Appends the one-line text of a `T` to a string: `line_formatter<T>{}(out, value)` appends
/// the line without its `'\n'`. Specialize it for your types.
template <class T>
struct line_formatter;

/// `object` as `{"key":"<key>","bytes":"<bytes>"}` (see the file comment).
template <>
struct line_formatter<object> {
  void operator()(std::string& out, const object& o) const {
    out += '{';
    json::append_bytes_field(out, "key", &o.key);
    out += ',';
    json::append_bytes_field(out, "bytes", &o.bytes);
    out += '}';
  }
};

/// Any type `fmt` formats, with `\`, line feeds and carriage returns escaped.
template <class T>
  requires fmt::is_formattable<T>::value
struct line_formatter<T> {
  void operator()(std::string& out, const T& v) const {
    const std::string text = fmt::format("{}", v);
    for (const char c : text) {
      if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else out += c;
    }
  }
};

/// `T` has a usable `line_formatter`.
template <class T>
concept line_formattable = requires(std::string& out, const T& v) { line_formatter<T>{}(out, v); };

/// A sink that prints every value of a batch as one line (see the file comment).
///
/// Not idempotent: a replayed batch is printed again (at-least-once), so pair it with
/// `idempotency::none` only where duplicates on the terminal are acceptable.
/// Thread-safety: a batch is written with one `fwrite`, so batches from several threads do not
/// interleave within a line.
class stdout_sink {
 public:
  using stage_concept = sink_tag;

  /// A sink writing to `out` (standard output by default); the stream is not owned.
  explicit stdout_sink(std::FILE* out = stdout) noexcept : out_(out) {}

  /// Writes one line per value and flushes.
  ///
  /// Errors: the OS error of the write or flush (`std::system_category()`), e.g. `EPIPE`.
  /// Blocking: yes, until the stream accepted the batch.
  template <line_formattable T>
  result<void> write(std::span<const T> values, const batch_plan& /*plan*/) {
    buf_.clear();
    for (const auto& v : values) {
      line_formatter<T>{}(buf_, v);
      buf_ += '\n';
    }
    errno = 0;
    if (std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size() || std::fflush(out_) != 0)
      return std::error_code(errno != 0 ? errno : EIO, std::system_category());
    return success();
  }

 private:
  std::FILE* out_;
  std::string buf_;
};

static_assert(sink_for<stdout_sink, object>);

}  // namespace sluice::inline v0::fs
