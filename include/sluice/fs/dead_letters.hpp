// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `fs::dead_letters`: a `dead_letter_sink` that keeps the dead letters of each batch as one
/// JSON-lines file, `DIR/batch-<batch_id>.jsonl`.
///
/// One line per dead letter, members in this order:
/// `{"topic":…,"partition":…,"offset":…,"key":…,"payload":…,"reason":…,"time":…,"time_ms":…}`.
/// `key` and `payload` are the raw bytes as a JSON string when they are UTF-8, else their base64
/// followed by `"key_encoding":"base64"` / `"payload_encoding":"base64"`, and `null` when absent
/// (`json::append_bytes_field`; topic and reason get the same treatment, so every line is valid
/// JSON whatever the bytes). `time` is ISO-8601 UTC with milliseconds, `time_ms` the same instant
/// in ms since the epoch.
///
/// A batch's file is written atomically (`fs::write_file_atomic`), and a batch whose file exists
/// is not written again: a replayed batch never stores its dead letters twice. The temp files of
/// writes killed half-way are removed when the next `dead_letters` over the directory is made.

#include "sluice/core/concepts/dead_letter_sink.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/json.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/fs/detail/posix.hpp"
#include "sluice/fs/state_json.hpp"

#include <simdjson.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::fs {

/// Appends the dead-letter JSON line of `d` (with its `'\n'`) to `out` (format in the file
/// comment).
inline void append_dead_letter_line(std::string& out, const dead_letter& d) {
  out.push_back('{');
  json::append_bytes_field(out, "topic", &d.topic);
  out += ",\"partition\":";
  out += std::to_string(d.partition);
  out += ",\"offset\":";
  out += std::to_string(d.offset);
  out.push_back(',');
  json::append_bytes_field(out, "key", d.key ? &*d.key : nullptr);
  out.push_back(',');
  json::append_bytes_field(out, "payload", d.payload ? &*d.payload : nullptr);
  out.push_back(',');
  json::append_bytes_field(out, "reason", &d.reason);
  out += ",\"time\":";
  out.push_back('"');
  append_iso8601_utc(out, d.time_ms);
  out.push_back('"');
  out += ",\"time_ms\":";
  out += std::to_string(d.time_ms);
  out += "}\n";
}

/// Reads one line written by `append_dead_letter_line` (with or without its `'\n'`) back into
/// the dead letter, bytes decoded from base64 where they were encoded.
///
/// Errors: `errc::corrupt_state` for any other text.
inline result<dead_letter> parse_dead_letter_line(std::string_view line) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (!parse_json_object(parser, line, obj)) return errc::corrupt_state;
  auto topic = read_bytes_field(obj, "topic");
  auto key = read_bytes_field(obj, "key");
  auto payload = read_bytes_field(obj, "payload");
  auto reason = read_bytes_field(obj, "reason");
  const auto partition = json_int_field(obj, "partition", std::numeric_limits<std::int32_t>::min(),
                                        std::numeric_limits<std::int32_t>::max());
  const auto offset = json_int_field(obj, "offset");
  const auto time_ms = json_int_field(obj, "time_ms");
  if (!topic || !*topic || !key || !payload || !reason || !*reason || !partition || !offset ||
      !time_ms)
    return errc::corrupt_state;
  return dead_letter{std::move(**topic), static_cast<std::int32_t>(*partition), *offset,
                     std::move(*key), std::move(*payload), std::move(**reason), *time_ms};
}

/// A `dead_letter_sink` writing `DIR/batch-<batch_id>.jsonl` (see the file comment).
///
/// Thread-safety: none; one sink per pipeline.
class dead_letters {
 public:
  using stage_concept = dead_letter_sink_tag;

  /// A sink writing into `dir`, created on the first write. Removes the stale temp files of
  /// killed writes from `dir` (`remove_stale_temp_files`: only temp files whose writer is gone;
  /// other files stay). That is best effort, since a constructor cannot fail: an unreadable `dir`
  /// is reported by the first write; `temp_files_removed()` says how many went.
  /// Blocking: yes, lists `dir` once.
  explicit dead_letters(std::filesystem::path dir) : dir_(std::move(dir)) {
    if (auto removed = remove_stale_temp_files(dir_)) temp_files_removed_ = removed.value();
  }

  /// Stores the dead letters of batch `batch_id`, all or none, unless that batch's file exists
  /// already (a replay), in which case nothing is written. No letters, no file.
  ///
  /// Errors: OS errors (`std::system_category()`); `errc::invalid_argument` for a negative id.
  /// Blocking: yes, until the file is durable.
  result<void> write(std::int64_t batch_id, std::span<const dead_letter> letters) {
    if (batch_id < 0) return errc::invalid_argument;
    if (letters.empty()) return success();
    const auto path = file_of(batch_id);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return success();
    if (errno != ENOENT) return detail::last_error();
    std::string out;
    for (const auto& d : letters) append_dead_letter_line(out, d);
    return write_file_atomic(path, out);
  }

  /// The dead letters stored for `batch_id`, in the order written (empty if none).
  ///
  /// Errors: OS errors; `errc::corrupt_state` for a line that is not a dead letter.
  /// Blocking: yes.
  result<std::vector<dead_letter>> read(std::int64_t batch_id) const {
    SLUICE_TRY(text, read_file(file_of(batch_id)));
    std::vector<dead_letter> out;
    if (!text) return out;
    std::string_view rest = *text;
    while (!rest.empty()) {
      const std::size_t nl = rest.find('\n');
      SLUICE_TRY(d, parse_dead_letter_line(rest.substr(0, nl)));
      out.push_back(std::move(d));
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    return out;
  }

  /// The file that holds the dead letters of `batch_id`.
  [[nodiscard]] std::filesystem::path file_of(std::int64_t batch_id) const {
    return dir_ / ("batch-" + std::to_string(batch_id) + ".jsonl");
  }

  /// The directory of the sink.
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return dir_; }

  /// How many stale temp files the constructor removed from the directory.
  [[nodiscard]] std::size_t temp_files_removed() const noexcept { return temp_files_removed_; }

 private:
  std::filesystem::path dir_;
  std::size_t temp_files_removed_ = 0;
};

static_assert(dead_letter_sink<dead_letters>);

}  // namespace sluice::inline v0::fs
