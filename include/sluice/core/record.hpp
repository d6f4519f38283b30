// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The data every stage sees: source records, offset ranges and batch plans.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inline v0 {

/// A half-open range `[from, to)` of offsets of one partition of one topic.
///
/// The unit of planning, replay and completion: a batch is a list of these, one per partition.
struct offset_range {
  std::string topic;            ///< topic (or file stream) name
  std::int32_t partition = 0;   ///< partition number
  std::int64_t from = 0;        ///< first offset in the range
  std::int64_t to = 0;          ///< one past the last offset in the range

  /// Number of offsets the range covers (records may be fewer after compaction).
  [[nodiscard]] constexpr std::int64_t size() const noexcept { return to - from; }
  friend bool operator==(const offset_range&, const offset_range&) = default;
};

/// Where a source stands: the next offset to read, per (topic, partition).
///
/// Stored as ranges whose `from == to ==` the next offset, so positions and plans share a type.
using source_position = std::vector<offset_range>;

/// A micro-batch as planned: its id and exactly the ranges it covers.
///
/// Written ahead to the checkpoint store before the first record is read; a replay after a crash
/// reads exactly these ranges again.
struct batch_plan {
  std::int64_t batch_id = 0;          ///< dense, starting at 0, +1 per committed batch
  std::vector<offset_range> ranges;   ///< non-empty ranges, at most one per (topic, partition)

  /// Total offsets planned.
  [[nodiscard]] std::int64_t size() const noexcept {
    std::int64_t n = 0;
    for (const auto& r : ranges) n += r.size();
    return n;
  }
  friend bool operator==(const batch_plan&, const batch_plan&) = default;
};

/// One message as a source delivers it. Key and payload are raw bytes; either may be absent
/// (a Kafka tombstone has no payload).
///
/// `bad_input` is set when the source could not read these bytes as a message at all (a line of
/// a kcat file that is not a kcat message, say): it says why, in one sentence, and `payload`
/// holds the raw bytes. A codec rejects such a record with that reason, so the bytes reach the
/// dead letters, without knowing which source produced it.
struct source_record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;          ///< producer or broker time, ms since the epoch
  std::optional<std::string> key;
  std::optional<std::string> payload;
  std::optional<std::string> bad_input = std::nullopt;  ///< why the source could not read this as a message
};

/// One message as a zero-copy source delivers it: the fields of `source_record`, but topic, key
/// and payload are views of bytes the source owns. A source yielding these names it with
/// `using record_type = record_view;` (see `source`).
///
/// Lifetime: the views stay valid until the source's next `read` (or its destruction); the
/// runner reads a batch, processes, writes and commits it before it reads the next one, so a
/// batch's records outlive their use. A stage that keeps bytes across batches copies them.
///
/// `payload_padding` is the number of bytes the source guarantees readable after the payload's
/// end (not part of it): a parser such as simdjson that reads ahead may parse in place when it is
/// large enough, instead of copying the payload.
struct record_view {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;          ///< producer or broker time, ms since the epoch
  std::optional<std::string_view> key;
  std::optional<std::string_view> payload;
  std::size_t payload_padding = 0;        ///< readable bytes after `*payload`'s end
  std::optional<std::string_view> bad_input = std::nullopt;  ///< as `source_record::bad_input`
};

/// The bytes readable after the end of `r`'s payload: its spare capacity for an owning record.
[[nodiscard]] inline std::size_t payload_padding(const source_record& r) noexcept {
  return r.payload ? r.payload->capacity() - r.payload->size() : 0;
}
/// The bytes readable after the end of `r`'s payload, as its source guarantees.
[[nodiscard]] inline std::size_t payload_padding(const record_view& r) noexcept {
  return r.payload ? r.payload_padding : 0;
}

/// An owning copy of `r` (for keeping a record past its source's next read).
[[nodiscard]] inline source_record to_source_record(const record_view& r) {
  source_record out{std::string(r.topic), r.partition, r.offset, r.timestamp_ms, std::nullopt,
                    std::nullopt, std::nullopt};
  if (r.key) out.key.emplace(*r.key);
  if (r.payload) out.payload.emplace(*r.payload);
  if (r.bad_input) out.bad_input.emplace(*r.bad_input);
  return out;
}
/// `r` itself (so generic code can ask any record for an owning copy).
[[nodiscard]] inline const source_record& to_source_record(const source_record& r) noexcept {
  return r;
}

}  // namespace sluice::inline v0
