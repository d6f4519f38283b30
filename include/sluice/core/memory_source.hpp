// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `memory_source`: an in-memory log of records per (topic, partition), plannable and
/// replayable like a Kafka topic. For tests, benchmarks and examples.

#include "sluice/core/concepts/source.hpp"
#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/fair_share.hpp"
#include "sluice/core/record.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

/// An append-only log per (topic, partition) held in memory.
///
/// Planning: partitions are visited in (topic, partition) order; a partition named in the
/// position starts there, any other at its first offset (earliest). The budget of `max` offsets
/// is shared by `plan_fairly`, so one busy partition never starves the others. Offsets may have
/// gaps (as after compaction); a range then covers fewer records than offsets.
///
/// Thread-safety: none. Complexity: `plan` O(partitions²) worst case, `read` O(log n + k) per range.
class memory_source {
 public:
  using stage_concept = source_tag;

  /// Appends a record at the next offset of (`topic`, `partition`); returns that offset.
  std::int64_t push(std::string_view topic, std::int32_t partition,
                    std::optional<std::string> key, std::optional<std::string> payload,
                    std::int64_t timestamp_ms = 0) {
    auto& log = log_of(topic, partition);
    const std::int64_t offset = log.records.empty() ? 0 : log.records.back().offset + 1;
    log.records.push_back(source_record{std::string(topic), partition, offset, timestamp_ms,
                                        std::move(key), std::move(payload), std::nullopt});
    return offset;
  }

  /// Adds `r` at its own offset, which must be above the partition's last one (gaps allowed).
  /// Errors: `errc::invalid_argument` if the offset is negative or not increasing.
  result<void> add(source_record r) {
    auto& log = log_of(r.topic, r.partition);
    if (r.offset < 0 || (!log.records.empty() && r.offset <= log.records.back().offset))
      return errc::invalid_argument;
    log.records.push_back(std::move(r));
    return success();
  }

  /// Plans the next batch (see the class documentation).
  /// Errors: `errc::invalid_argument` if `max` < 1.
  [[nodiscard]] result<std::vector<offset_range>> plan(const source_position& position,
                                                       std::int64_t max) const {
    if (max < 1) return errc::invalid_argument;
    std::vector<partition_backlog> backlogs;
    for (const auto& l : logs_) {
      if (l.records.empty()) continue;
      std::int64_t from = l.records.front().offset;
      for (const auto& p : position)
        if (p.topic == l.topic && p.partition == l.partition) from = std::max(from, p.to);
      const std::int64_t end = l.records.back().offset + 1;
      if (from < end) backlogs.push_back({l.topic, l.partition, from, end});
    }
    return plan_fairly(backlogs, max);
  }

  /// Appends the records of `ranges` to `out`, in offset order per range.
  /// Errors: `errc::invalid_argument` for a (topic, partition) the source does not have.
  result<void> read(const std::vector<offset_range>& ranges, std::vector<source_record>& out) const {
    for (const auto& r : ranges) {
      const partition_log* log = find(r.topic, r.partition);
      if (log == nullptr) return errc::invalid_argument;
      auto first = std::lower_bound(log->records.begin(), log->records.end(), r.from,
                                    [](const source_record& rec, std::int64_t o) { return rec.offset < o; });
      for (; first != log->records.end() && first->offset < r.to; ++first) out.push_back(*first);
    }
    return success();
  }

  /// Remembers the end of each range as the committed offset (never moving back).
  result<void> commit(const std::vector<offset_range>& ranges) {
    for (const auto& r : ranges) {
      auto& log = log_of(r.topic, r.partition);
      log.committed = std::max(log.committed, r.to);
    }
    ++commits_;
    return success();
  }

  /// The committed offset of a partition (0 if never committed).
  [[nodiscard]] std::int64_t committed(std::string_view topic, std::int32_t partition) const {
    const partition_log* log = find(topic, partition);
    return log == nullptr ? 0 : log->committed;
  }
  /// Number of `commit` calls.
  [[nodiscard]] std::int64_t commit_calls() const noexcept { return commits_; }
  /// Number of records held.
  [[nodiscard]] std::size_t size() const noexcept {
    std::size_t n = 0;
    for (const auto& l : logs_) n += l.records.size();
    return n;
  }

 private:
  struct partition_log {
    std::string topic;
    std::int32_t partition = 0;
    std::vector<source_record> records;
    std::int64_t committed = 0;
  };

  [[nodiscard]] const partition_log* find(std::string_view topic, std::int32_t partition) const {
    for (const auto& l : logs_)
      if (l.topic == topic && l.partition == partition) return &l;
    return nullptr;
  }

  partition_log& log_of(std::string_view topic, std::int32_t partition) {
    auto it = std::find_if(logs_.begin(), logs_.end(), [&](const partition_log& l) {
      return l.topic > topic || (l.topic == topic && l.partition >= partition);
    });
    if (it == logs_.end() || it->topic != topic || it->partition != partition)
      it = logs_.insert(it, partition_log{std::string(topic), partition, {}, 0});
    return *it;
  }

  std::vector<partition_log> logs_;  // sorted by (topic, partition)
  std::int64_t commits_ = 0;
};

static_assert(source<memory_source>);

}  // namespace sluice::inline v0
