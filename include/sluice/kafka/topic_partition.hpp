// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `kafka::topic_partition`: one partition of one topic, the unit of ownership in a consumer
/// group and of the per-partition state (checkpoint, completed-batches log stream, dead letters).

#include <compare>
#include <cstdint>
#include <string>

namespace sluice::inline v0::kafka {

/// One partition of one topic. Ordered by topic, then partition.
struct topic_partition {
  std::string topic;            ///< a Kafka topic name (`[a-zA-Z0-9._-]`, 1–249 characters)
  std::int32_t partition = 0;   ///< the partition number, ≥ 0

  friend bool operator==(const topic_partition&, const topic_partition&) = default;
  friend auto operator<=>(const topic_partition&, const topic_partition&) = default;
};

/// `"<topic>/<partition>"`: the relative folder (or key prefix) of a partition's own state
/// under the shared checkpoint location that every group member uses, e.g. `orders/3`.
/// A valid topic name is never `.` or `..` and has no `/`, so the result is a safe relative path.
[[nodiscard]] inline std::string partition_path(const topic_partition& tp) {
  return tp.topic + '/' + std::to_string(tp.partition);
}

/// `"<topic>-<partition>"`: the partition's stream name in the completed-batches log, e.g.
/// `orders-3` (unambiguous: the partition is the text after the last `-`). Topics longer than
/// 244 characters give names the log refuses (it allows 255).
[[nodiscard]] inline std::string partition_stream_name(const topic_partition& tp) {
  return tp.topic + '-' + std::to_string(tp.partition);
}

}  // namespace sluice::inline v0::kafka
