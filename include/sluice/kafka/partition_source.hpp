// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `kafka::partition_source`: one Kafka partition as a `sluice::source`. In a consumer group
/// every owned partition is its own stream, with its own dense batch ids, checkpoint,
/// completed-batches log stream and dead letters, kept in the checkpoint location that all
/// members share (`partition_path`, `partition_stream_name`). A partition that moves to another
/// member continues there from that shared state: the checkpoint is the authority for
/// positions, the group's committed offsets follow it.

#include "sluice/core/concepts/source.hpp"
#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"
#include "sluice/kafka/config.hpp"
#include "sluice/kafka/error.hpp"
#include "sluice/kafka/group_member.hpp"
#include "sluice/kafka/log.hpp"
#include "sluice/kafka/partition_reader.hpp"
#include "sluice/kafka/topic_partition.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::inline v0::kafka {

/// One partition of a topic as a replayable `sluice::source`.
///
/// - `plan(position, max)` returns `[start, min(end, start + max))` for its partition, or
///   nothing when `start ≥ end`. `start` is the position's offset for the partition if it names
///   it (the checkpoint), else the group's committed offset (with a member), else the log start
///   (`earliest`) or the log end (`latest`, remembered from the first plan on, so records that
///   arrive later are not skipped). `end` is the high watermark (the last stable offset under
///   `read_committed`), capped by `set_end_limit`. Other partitions in `position` are ignored.
///   With `set_max_bytes` the plan is bounded in bytes as well: it reads the records up to the
///   bound and ends the range after the last one it took.
/// - `read(ranges, out)` reads exactly those offsets with the shared `partition_reader` (see
///   there: gaps, tombstones, order), or hands over what a byte-bounded plan of exactly these
///   ranges read. Ranges of another partition are refused.
/// - `commit(ranges)` commits the range's end to the group if the member still owns the
///   partition, else does nothing (and always nothing without a member).
/// - `lag(ranges)` gives, per range, the offsets between its end and the partition's end as
///   last seen (the planning query or the last fetch), for the progress records.
///
/// Errors: the reader's and the member's (see there), classified by `condition`; planning from a
/// start below the log start (records deleted before they were read) or above the log end (the
/// topic was recreated or truncated) is `RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE`, fatal, logged
/// with both offsets; `errc::invalid_argument` for `max < 1` or a range of another partition.
/// Blocking: `plan` makes one or two requests (and fetches the batch with `set_max_bytes`),
/// `read` fetches, `commit` waits for the coordinator; each bounded by `config::timeout`.
/// Thread-safety: none. The reader and the member must outlive the source, and the member must
/// not be moved while sources point to it.
class partition_source {
 public:
  using stage_concept = source_tag;

  /// A source for `tp` reading with `reader` and, if `member` is not null, starting from and
  /// committing to its group.
  partition_source(std::shared_ptr<partition_reader> reader, topic_partition tp, starting_offsets starting,
                   group_member* member = nullptr)
      : reader_(std::move(reader)), tp_(std::move(tp)), starting_(starting), member_(member) {}

  /// A standalone source for partition `partition` of `cfg.topic` with a reader of its own and
  /// no group (commits do nothing; a new partition starts at `cfg.starting`).
  /// Errors: see `partition_reader::make`.
  static result<partition_source> make(const config& cfg, std::int32_t partition, log_function log = {},
                                       std::string* problem = nullptr) {
    SLUICE_TRY(reader, partition_reader::make(cfg, std::move(log), problem));
    return partition_source(std::move(reader), topic_partition{cfg.topic, partition}, cfg.starting);
  }

  /// Plans the next range (see the class).
  [[nodiscard]] result<std::vector<offset_range>> plan(const source_position& position, std::int64_t max) {
    if (max < 1) return errc::invalid_argument;
    std::optional<std::int64_t> start;
    for (const auto& p : position)
      if (p.topic == tp_.topic && p.partition == tp_.partition) start = p.to;
    if (!start && resolved_start_) start = resolved_start_;
    if (!start && member_ != nullptr) {
      SLUICE_TRY(committed, member_->committed(tp_));
      if (committed) start = resolved_start_ = *committed;
    }
    SLUICE_TRY(wm, reader_->query_watermarks(tp_));
    seen_end_ = std::max(seen_end_.value_or(0), wm.high);
    if (!start) {
      start = starting_ == starting_offsets::latest ? wm.high : wm.low;
      if (starting_ == starting_offsets::latest) resolved_start_ = start;
    }
    if (*start < wm.low || *start > wm.high) {
      std::string text = tp_.topic + '/' + std::to_string(tp_.partition) + ": cannot plan from offset " +
                         std::to_string(*start) + ": the log holds [" + std::to_string(wm.low) + ", " +
                         std::to_string(wm.high) + ")" +
                         (*start < wm.low ? " (records were deleted before they were read)"
                                          : " (the topic was recreated or truncated)");
      reader_->log(3, text);
      return make_error(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
    }
    std::int64_t end = wm.high;
    if (end_limit_) end = std::min(end, *end_limit_);
    prefetched_.clear();
    prefetched_range_.reset();
    if (*start >= end) return std::vector<offset_range>{};
    offset_range range{tp_.topic, tp_.partition, *start, end - *start > max ? *start + max : end};
    if (max_bytes_) {
      // The batch is bounded in bytes too: read it now (the read takes these records) and end
      // the range where the bound stopped.
      SLUICE_TRY(read_to, reader_->read_bounded(range, *max_bytes_, prefetched_));
      range.to = read_to;
      prefetched_range_ = range;
    }
    return std::vector<offset_range>{std::move(range)};
  }

  /// Reads exactly `ranges` (see the class). On error `out` is as before the call.
  result<void> read(const std::vector<offset_range>& ranges, std::vector<source_record>& out) {
    for (const auto& r : ranges)
      if (r.topic != tp_.topic || r.partition != tp_.partition) return errc::invalid_argument;
    if (prefetched_range_ && ranges.size() == 1 && ranges.front() == *prefetched_range_) {
      // The range the last plan read (bounded in bytes): its records, without a second fetch.
      out.insert(out.end(), std::make_move_iterator(prefetched_.begin()),
                 std::make_move_iterator(prefetched_.end()));
      prefetched_.clear();
      prefetched_range_.reset();
      return success();
    }
    const std::size_t first = out.size();
    for (const auto& r : ranges) {
      auto done = reader_->read(r, out);
      if (!done) {
        out.resize(first);
        return done.error();
      }
    }
    return success();
  }

  /// Commits the end of this partition's range to the group (see the class).
  result<void> commit(const std::vector<offset_range>& ranges) {
    if (member_ == nullptr) return success();
    for (const auto& r : ranges) {
      if (r.topic == tp_.topic && r.partition == tp_.partition) {
        SLUICE_TRYV(member_->commit(tp_, r.to));
      }
    }
    return success();
  }

  /// Per range: how far the partition's end (as last seen) is ahead of the range's end; empty
  /// for ranges of other partitions or when the end was never seen. Makes no request.
  [[nodiscard]] std::vector<std::optional<std::int64_t>> lag(const std::vector<offset_range>& ranges) const {
    std::optional<std::int64_t> end = seen_end_;
    if (const auto cached = reader_->cached_watermarks(tp_)) end = std::max(end.value_or(0), cached->high);
    std::vector<std::optional<std::int64_t>> out;
    out.reserve(ranges.size());
    for (const auto& r : ranges) {
      if (end && r.topic == tp_.topic && r.partition == tp_.partition) {
        out.emplace_back(std::max<std::int64_t>(*end - r.to, 0));
      } else {
        out.emplace_back();
      }
    }
    return out;
  }

  /// Caps what `plan` covers at `limit` (exclusive), e.g. the high watermark at start for an
  /// available-now run; empty removes the cap.
  void set_end_limit(std::optional<std::int64_t> limit) noexcept { end_limit_ = limit; }
  /// The cap set by `set_end_limit`.
  [[nodiscard]] std::optional<std::int64_t> end_limit() const noexcept { return end_limit_; }

  /// Bounds the records of a plan in bytes as well (keys and values; the first record of a plan
  /// is taken however large): `plan` then reads the records itself, up to `max_records` and this
  /// bound, and ends the range after the last one taken; the next `read` of exactly that range
  /// returns them without fetching again. A replay reads the range as planned, so it gets the
  /// same records. Empty: plans are bounded in records only (and `plan` reads nothing).
  void set_max_bytes(std::optional<std::size_t> max_bytes) noexcept { max_bytes_ = max_bytes; }
  /// The bound set by `set_max_bytes`.
  [[nodiscard]] std::optional<std::size_t> max_bytes() const noexcept { return max_bytes_; }

  /// The partition it reads.
  [[nodiscard]] const topic_partition& partition() const noexcept { return tp_; }
  /// The shared reader.
  [[nodiscard]] partition_reader& reader() const noexcept { return *reader_; }

 private:
  std::shared_ptr<partition_reader> reader_;
  topic_partition tp_;
  starting_offsets starting_;
  group_member* member_;
  std::optional<std::int64_t> resolved_start_;  // committed offset or pinned `latest`
  std::optional<std::int64_t> seen_end_;        // highest high watermark seen by `plan`
  std::optional<std::int64_t> end_limit_;
  std::optional<std::size_t> max_bytes_;
  std::optional<offset_range> prefetched_range_;   // what the last plan read, for the next read
  std::vector<source_record> prefetched_;
};

static_assert(source<partition_source>);

}  // namespace sluice::inline v0::kafka
