// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `store::blob_dead_letters<Blobs>`: a `dead_letter_sink` that keeps the dead letters of each
/// batch as one JSON-lines blob, `batch-<batch_id>.jsonl`, in any `store::blob_store` (a folder:
/// `fs::dead_letters`; an S3 prefix: `s3::dead_letters`; docs/architecture.md, Storage
/// contracts).
///
/// One line per dead letter, members in this order:
/// `{"topic":…,"partition":…,"offset":…,"key":…,"payload":…,"reason":…,"time":…,"time_ms":…}`.
/// `key` and `payload` are the raw bytes as a JSON string when they are UTF-8, else their base64
/// followed by `"key_encoding":"base64"` / `"payload_encoding":"base64"`, and `null` when absent
/// (`json::writer::bytes_member`; topic and reason get the same treatment, so every line is valid
/// JSON whatever the bytes). `time` is ISO-8601 UTC with milliseconds, `time_ms` the same instant
/// in ms since the epoch.
///
/// A batch's blob is written atomically (one `put`), and a batch whose blob exists is not written
/// again: a replayed batch never stores its dead letters twice.

#include "sluice/core/concepts/dead_letter_sink.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/json_writer.hpp"
#include "sluice/store/blob_store.hpp"
#include "sluice/store/state_json.hpp"

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::store {

/// Appends the dead-letter JSON line of `d` (with its `'\n'`) to `out` (format in the file
/// comment).
inline void append_dead_letter_line(std::string& out, const dead_letter& d) {
  json::writer w(out);
  w.begin_object()
      .bytes_member("topic", &d.topic)
      .key("partition").integer(d.partition)
      .key("offset").integer(d.offset)
      .bytes_member("key", d.key ? &*d.key : nullptr)
      .bytes_member("payload", d.payload ? &*d.payload : nullptr)
      .bytes_member("reason", &d.reason)
      .key("time").timestamp(d.time_ms)
      .key("time_ms").integer(d.time_ms)
      .end_object();
  out.push_back('\n');
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

/// Reads the text of a batch's dead letters (lines written by `append_dead_letter_line`) back.
///
/// Errors: `errc::corrupt_state` for a line that is not a dead letter.
inline result<std::vector<dead_letter>> parse_dead_letter_lines(std::string_view text) {
  std::vector<dead_letter> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    SLUICE_TRY(d, parse_dead_letter_line(text.substr(0, nl)));
    out.push_back(std::move(d));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

/// A `dead_letter_sink` keeping the letters of batch N as the blob `batch-<N>.jsonl` of `Blobs`
/// (see the file comment).
///
/// Errors (all members): the storage's errors; `errc::invalid_argument` for a negative batch id.
/// Blocking: yes. Thread-safety: none; one sink per pipeline.
template <blob_store Blobs>
class blob_dead_letters {
 public:
  using stage_concept = dead_letter_sink_tag;

  /// A sink writing into `blobs`; nothing is touched until the first write.
  explicit blob_dead_letters(Blobs blobs) : blobs_(std::move(blobs)) {}

  /// Stores the dead letters of batch `batch_id`, all or none, unless that batch's blob exists
  /// already (a replay), in which case nothing is written. No letters, no blob.
  ///
  /// Blocking: yes, until the blob is durable.
  result<void> write(std::int64_t batch_id, std::span<const dead_letter> letters) {
    if (batch_id < 0) return errc::invalid_argument;
    if (letters.empty()) return success();
    const auto name = name_of(batch_id);
    SLUICE_TRY(existing, blobs_.get(name));
    if (existing) return success();
    std::string out;
    for (const auto& d : letters) append_dead_letter_line(out, d);
    return blobs_.put(name, out);
  }

  /// The dead letters stored for `batch_id`, in the order written (empty if none).
  ///
  /// Errors: also `errc::corrupt_state` for a line that is not a dead letter.
  result<std::vector<dead_letter>> read(std::int64_t batch_id) {
    SLUICE_TRY(text, blobs_.get(name_of(batch_id)));
    if (!text) return std::vector<dead_letter>{};
    return parse_dead_letter_lines(*text);
  }

  /// The blob name of the dead letters of `batch_id`: `batch-<id>.jsonl`.
  [[nodiscard]] static std::string name_of(std::int64_t batch_id) {
    return "batch-" + std::to_string(batch_id) + ".jsonl";
  }

  /// The storage of the sink.
  [[nodiscard]] Blobs& blobs() noexcept { return blobs_; }
  [[nodiscard]] const Blobs& blobs() const noexcept { return blobs_; }

 private:
  Blobs blobs_;
};

}  // namespace sluice::inline v0::store
