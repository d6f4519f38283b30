// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The data every stage sees: source records, offset ranges and batch plans.

#include <cstdint>
#include <optional>
#include <string>
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
struct source_record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;          ///< producer or broker time, ms since the epoch
  std::optional<std::string> key;
  std::optional<std::string> payload;
};

}  // namespace sluice::inline v0
