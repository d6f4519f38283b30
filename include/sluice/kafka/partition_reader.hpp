// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `kafka::partition_reader`: a consumer handle outside any group that reads exact offset
/// ranges (assign + seek, stop at the range's end) and queries watermarks. The partition
/// sources of one process share one reader; the group member never fetches records.

#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"
#include "sluice/kafka/config.hpp"
#include "sluice/kafka/detail/client.hpp"
#include "sluice/kafka/error.hpp"
#include "sluice/kafka/log.hpp"
#include "sluice/kafka/topic_partition.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::inline v0::kafka {

/// The offsets that bound a partition's log.
struct watermarks {
  std::int64_t low = 0;    ///< the log start offset: the first offset still stored
  std::int64_t high = 0;   ///< one past the last readable offset (under `isolation.level=
                           ///< read_committed`, librdkafka's default, the last stable offset)
  friend bool operator==(const watermarks&, const watermarks&) = default;
};

/// Reads exact offset ranges of partitions with a consumer handle of its own, which never joins
/// the group (assign only, no subscribe) and never commits.
///
/// `read` assigns the range's partition at `from`, consumes until it has seen the range's end
/// (a record at or past `to`, or the partition's end-of-log event at or past `to`) and unassigns
/// again, so only the records in `[from, to)` are returned, in offset order, with their exact
/// offsets. Gaps (compacted records, transaction markers, aborted transactions under
/// `read_committed`) are simply absent. Null values (tombstones) come with `payload` empty, null
/// keys with `key` empty; empty but present values stay present.
///
/// Errors (all members): `kafka::category()` codes classified by `condition` (a fetch from an
/// offset no longer in the log is `RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET`, fatal: records were
/// deleted by retention before they were read, or the log was truncated); `errc::timeout` when
/// no record arrives for `config::timeout`; a refused credential or permission (seen by the
/// handle's error events) fails every call with its code (fatal) instead of timing out.
/// Blocking: up to `config::timeout` per call. Thread-safety: none; one thread at a time.
class partition_reader {
 public:
  /// A reader on `cfg`'s servers with `cfg`'s `-X` properties (the group ones left out).
  /// `log` receives librdkafka's log lines, secrets redacted.
  ///
  /// Errors: `errc::invalid_argument` for a configuration librdkafka refuses (`problem`, if
  /// given, says which property). No connection is made yet.
  static result<std::shared_ptr<partition_reader>> make(const config& cfg, log_function log = {},
                                                        std::string* problem = nullptr) {
    SLUICE_TRY(c, detail::make_client(cfg, detail::client_role::reader, std::move(log), problem));
    return std::shared_ptr<partition_reader>(new partition_reader(std::move(c), cfg.timeout));
  }

  partition_reader(const partition_reader&) = delete;
  partition_reader& operator=(const partition_reader&) = delete;
  ~partition_reader() = default;

  /// Asks the partition's leader for its watermarks (a ListOffsets request).
  /// Errors: see the class (`UNKNOWN_TOPIC_OR_PART` for a partition that does not exist).
  [[nodiscard]] result<watermarks> query_watermarks(const topic_partition& tp) {
    SLUICE_TRYV(check_access());
    std::int64_t lo = 0;
    std::int64_t hi = 0;
    const auto e = rd_kafka_query_watermark_offsets(client_.rk.get(), tp.topic.c_str(), tp.partition,
                                                    &lo, &hi, timeout_ms());
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      SLUICE_TRYV(check_access());
      log_failure("watermarks of", tp, e);
      return make_error(e);
    }
    return watermarks{lo, hi};
  }

  /// The watermarks the last fetch of `tp` reported, if any; no request is made.
  [[nodiscard]] std::optional<watermarks> cached_watermarks(const topic_partition& tp) const noexcept {
    std::int64_t lo = -1;
    std::int64_t hi = -1;
    if (rd_kafka_get_watermark_offsets(client_.rk.get(), tp.topic.c_str(), tp.partition, &lo, &hi) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        hi < 0)
      return std::nullopt;
    return watermarks{std::max<std::int64_t>(lo, 0), hi};
  }

  /// Appends the records of `range` to `out` (see the class). On error nothing is appended.
  /// Errors: see the class; `errc::invalid_argument` for a range with `from < 0` or `to < from`.
  result<void> read(const offset_range& range, std::vector<source_record>& out) {
    SLUICE_TRY(to, read_bounded(range, std::numeric_limits<std::size_t>::max(), out));
    (void)to;  // without a byte bound the whole range is read
    return success();
  }

  /// As `read`, but stops before the first record that would take the bytes appended (keys and
  /// values) past `max_bytes`; the first record of the range is always taken, however large.
  /// Returns the end of what was read: `range.to` if the whole range was, else the offset of the
  /// first record left out, so that `read({from, returned end})` later gives exactly the same
  /// records. On error nothing is appended.
  /// Errors: as `read`.
  result<std::int64_t> read_bounded(const offset_range& range, std::size_t max_bytes,
                                    std::vector<source_record>& out) {
    if (range.from < 0 || range.to < range.from) return errc::invalid_argument;
    if (range.from == range.to) return range.to;
    SLUICE_TRYV(check_access());
    const std::size_t first = out.size();
    auto r = read_assigned(range, max_bytes, out);
    rd_kafka_assign(client_.rk.get(), nullptr);  // stop fetching; the next read seeks anew
    if (!r) out.resize(first);
    return r;
  }

  /// Emits `message` through the log function (facility `SLUICE`).
  void log(int level, std::string_view message) const noexcept { client_.log(level, message); }

  /// The librdkafka handle, for diagnostics (e.g. `rd_kafka_name`). Do not consume from it.
  [[nodiscard]] rd_kafka_t* handle() const noexcept { return client_.rk.get(); }

 private:
  partition_reader(detail::client c, std::chrono::milliseconds timeout)
      : client_(std::move(c)), timeout_(timeout) {}

  [[nodiscard]] int timeout_ms() const noexcept {
    return static_cast<int>(std::min<std::int64_t>(timeout_.count(), 3'600'000));
  }

  result<void> check_access() const {
    if (const auto e = client_.state->access_error(); e != RD_KAFKA_RESP_ERR_NO_ERROR) return make_error(e);
    return success();
  }

  void log_failure(std::string_view what, const topic_partition& tp, rd_kafka_resp_err_t e) const {
    std::string text(what);
    text += ' ';
    text += tp.topic;
    text += '/';
    text += std::to_string(tp.partition);
    text += " failed: ";
    text += rd_kafka_err2str(e);
    client_.log(3, text);
  }

  // Reads [range.from, range.to) up to `max_bytes` (see `read_bounded`); returns the end read.
  result<std::int64_t> read_assigned(const offset_range& range, std::size_t max_bytes,
                                     std::vector<source_record>& out) {
    rd_kafka_t* rk = client_.rk.get();
    const topic_partition tp{range.topic, range.partition};
    auto list = detail::one_partition(range.topic, range.partition, range.from);
    if (const auto e = rd_kafka_assign(rk, list.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) return make_error(e);
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + timeout_;
    std::size_t taken = 0;   // records appended
    std::size_t bytes = 0;   // their keys' and values' bytes (never above max_bytes)
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      if (left.count() <= 0) {
        std::string text = "no record of ";
        text += range.topic + '/' + std::to_string(range.partition) + " [" + std::to_string(range.from) +
                ", " + std::to_string(range.to) + ") arrived within the timeout";
        client_.log(4, text);
        SLUICE_TRYV(check_access());
        return errc::timeout;
      }
      detail::message_ptr m(rd_kafka_consumer_poll(rk, static_cast<int>(std::min<std::int64_t>(left.count(), 100))));
      if (!m) continue;
      // Only the assigned partition is fetched; anything else is a leftover of an older
      // assignment (or an error event without a partition).
      const bool ours = m->rkt != nullptr && m->partition == range.partition &&
                        range.topic == rd_kafka_topic_name(m->rkt);
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // The log ends at m->offset: done if the range ends there or before it.
        if (ours && m->offset >= range.to) return range.to;
        continue;
      }
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->rkt != nullptr && !ours) continue;
        if (m->rkt == nullptr && is_retriable(m->err)) continue;  // a broker event; librdkafka retries
        log_failure("reading", tp, m->err);
        return make_error(m->err);
      }
      if (!ours || m->offset < range.from) continue;
      if (m->offset >= range.to) return range.to;
      const std::size_t size = m->len + m->key_len;
      if (taken > 0 && size > max_bytes - bytes) return m->offset;  // the bound: stop before it
      ++taken;
      bytes = size > max_bytes - bytes ? max_bytes : bytes + size;  // saturates: one huge record
      source_record rec;
      rec.topic = range.topic;
      rec.partition = range.partition;
      rec.offset = m->offset;
      rd_kafka_timestamp_type_t tstype = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
      const std::int64_t ts = rd_kafka_message_timestamp(m.get(), &tstype);
      rec.timestamp_ms = ts < 0 ? 0 : ts;
      if (m->key != nullptr) rec.key.emplace(static_cast<const char*>(m->key), m->key_len);
      if (m->payload != nullptr) rec.payload.emplace(static_cast<const char*>(m->payload), m->len);
      out.push_back(std::move(rec));
      if (m->offset + 1 >= range.to) return range.to;
      deadline = clock::now() + timeout_;
    }
  }

  detail::client client_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sluice::inline v0::kafka
