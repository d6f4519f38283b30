// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Progress records, one per committed batch (like Spark's `lastProgress`), their JSON-lines
/// form, and the reporters that write them: `json_lines_progress` (a `FILE*` such as stderr, or
/// a file it appends to) and `null_progress`.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/json_writer.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/time.hpp"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

/// Percentiles of how long a batch's records took from their timestamp to the end of the batch's
/// writes (when the sink's output became visible), in milliseconds.
struct latency_summary {
  std::int64_t count = 0;   ///< records with a timestamp
  double p50 = 0;           ///< nearest-rank percentiles
  double p99 = 0;
  double max = 0;
  friend bool operator==(const latency_summary&, const latency_summary&) = default;
};

/// The summary of `ms` (reordered; negative values, from a producer clock ahead of this one,
/// count as 0); empty when `ms` is. Complexity: linear (selection, no sort).
[[nodiscard]] inline std::optional<latency_summary> summarize_latencies(std::vector<std::int64_t>& ms) {
  if (ms.empty()) return std::nullopt;
  latency_summary out;
  out.count = static_cast<std::int64_t>(ms.size());
  std::int64_t max = 0;
  for (auto& v : ms) {
    v = std::max<std::int64_t>(v, 0);
    max = std::max(max, v);
  }
  out.max = static_cast<double>(max);
  const auto rank = [&](std::size_t percent) {   // the smallest value with percent% at or below it
    const std::size_t k = (ms.size() * percent + 99) / 100;
    auto nth = ms.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(k, 1) - 1);
    std::nth_element(ms.begin(), nth, ms.end());
    return static_cast<double>(*nth);
  };
  out.p99 = rank(99);
  out.p50 = rank(50);
  return out;
}

/// What happened in one batch.
struct progress_record {
  std::int64_t batch_id = 0;
  std::int64_t timestamp_ms = 0;       ///< wall time when the batch started, ms since the epoch
  std::int64_t num_input_rows = 0;     ///< records read
  std::int64_t num_output_rows = 0;    ///< values handed to the sink (0 if the write was skipped)
  std::int64_t rejects = 0;            ///< records sent to the dead letters
  bool replayed = false;               ///< the batch was a pending plan replayed after a restart
  bool skipped_write = false;          ///< the idempotency policy knew the batch: nothing written
  double plan_ms = 0;                  ///< planning and the write-ahead of the plan
  double read_ms = 0;                  ///< reading the records
  double process_ms = 0;               ///< decoding and transforms
  double write_ms = 0;                 ///< sink and dead letters
  double commit_ms = 0;                ///< mark done, checkpoint commit, source commit
  double total_ms = 0;                 ///< from batch start to commit
  double input_rows_per_second = 0;    ///< rows / time since the previous batch started
  double processed_rows_per_second = 0;  ///< rows / `total_ms`
  std::vector<offset_range> sources;   ///< the batch's offset ranges
  /// Per entry of `sources`, when the source reports it (a `lag(ranges)` member): how many
  /// offsets its partition's end was ahead of the range's end (consumer lag). Empty otherwise.
  std::vector<std::optional<std::int64_t>> lag;
  /// From each record's timestamp (Kafka: the producer's or the broker's time) to the end of
  /// the batch's writes: how long records took to become visible in the sink. Empty when no
  /// record has a timestamp (files of lines) or the write was skipped.
  std::optional<latency_summary> visible_latency;
};

/// Appends `r` as one JSON object (no newline), with Spark-like names:
/// `{"batchId":0,"timestamp":"…Z","numInputRows":…,"numOutputRows":…,"rejects":…,
/// "replayed":false,"skippedWrite":false,"durationMs":{"plan":…,"read":…,"process":…,
/// "write":…,"commit":…,"total":…},["visibleLatencyMs":{"count":…,"p50":…,"p99":…,"max":…},]
/// "inputRowsPerSecond":…,"processedRowsPerSecond":…,
/// "sources":[{"topic":"…","partition":0,"startOffset":0,"endOffset":10}]}`; a source entry
/// carries `"lag":N` after `endOffset` when `r.lag` has a value for it.
/// Durations and rates have three decimals.
inline void append_progress_json(std::string& out, const progress_record& r) {
  // JSON has no NaN or infinity: a rate or duration that is not finite is reported as 0.
  const auto finite = [](double v) { return std::isfinite(v) ? v : 0.0; };
  json::writer w(out);
  w.begin_object().key("batchId").integer(r.batch_id);
  w.key("timestamp").timestamp(r.timestamp_ms);
  w.key("numInputRows").integer(r.num_input_rows);
  w.key("numOutputRows").integer(r.num_output_rows);
  w.key("rejects").integer(r.rejects);
  w.key("replayed").boolean(r.replayed);
  w.key("skippedWrite").boolean(r.skipped_write);
  w.key("durationMs").begin_object();
  w.key("plan").fixed(finite(r.plan_ms), 3);
  w.key("read").fixed(finite(r.read_ms), 3);
  w.key("process").fixed(finite(r.process_ms), 3);
  w.key("write").fixed(finite(r.write_ms), 3);
  w.key("commit").fixed(finite(r.commit_ms), 3);
  w.key("total").fixed(finite(r.total_ms), 3);
  w.end_object();
  if (r.visible_latency) {
    w.key("visibleLatencyMs").begin_object();
    w.key("count").integer(r.visible_latency->count);
    w.key("p50").fixed(finite(r.visible_latency->p50), 3);
    w.key("p99").fixed(finite(r.visible_latency->p99), 3);
    w.key("max").fixed(finite(r.visible_latency->max), 3);
    w.end_object();
  }
  w.key("inputRowsPerSecond").fixed(finite(r.input_rows_per_second), 3);
  w.key("processedRowsPerSecond").fixed(finite(r.processed_rows_per_second), 3);
  w.key("sources").begin_array();
  for (std::size_t i = 0; i < r.sources.size(); ++i) {
    const auto& s = r.sources[i];
    w.begin_object().key("topic").string(s.topic).key("partition").integer(s.partition);
    w.key("startOffset").integer(s.from).key("endOffset").integer(s.to);
    if (i < r.lag.size() && r.lag[i]) w.key("lag").integer(*r.lag[i]);
    w.end_object();
  }
  w.end_array().end_object();
}

/// `r` as one JSON object (see `append_progress_json`).
[[nodiscard]] inline std::string to_json(const progress_record& r) {
  std::string s;
  append_progress_json(s, r);
  return s;
}

/// Tag of progress reporters.
struct progress_reporter_tag {};

/// Receives one progress record per committed batch.
///
/// Semantics: `report` is called after the batch committed; it must not throw, and a failure to
/// report never fails the batch (a reporter remembers its own failures).
template <class P>
concept progress_reporter = detail::declares<P, progress_reporter_tag> &&
                            requires(P& p, const progress_record& r) {
                              { p.report(r) } -> std::same_as<void>;
                            };

/// Discards progress records.
struct null_progress {
  using stage_concept = progress_reporter_tag;
  void report(const progress_record&) const noexcept {}
};

/// Writes each progress record as one JSON line to a `FILE*` (e.g. `stderr`), or to a file it
/// opens for appending, flushing after each line.
///
/// Blocking: one `fwrite` + `fflush` per batch. Thread-safety: none.
class json_lines_progress {
 public:
  using stage_concept = progress_reporter_tag;

  /// Writes to `stream`, which it does not own; `stream` must outlive the reporter.
  explicit json_lines_progress(std::FILE* stream) noexcept : stream_(stream) {}

  /// Opens `path` for appending (created if missing).
  /// Errors: the `errno` of `fopen` (generic category).
  /// Blocking: yes.
  [[nodiscard]] static result<json_lines_progress> open(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "ae");
    if (f == nullptr) return std::error_code(errno, std::generic_category());
    json_lines_progress p(f);
    p.owned_ = true;
    return p;
  }

  json_lines_progress(json_lines_progress&& o) noexcept
      : stream_(std::exchange(o.stream_, nullptr)),
        owned_(std::exchange(o.owned_, false)),
        failures_(o.failures_) {}
  json_lines_progress& operator=(json_lines_progress&& o) noexcept {
    if (this != &o) {
      close();
      stream_ = std::exchange(o.stream_, nullptr);
      owned_ = std::exchange(o.owned_, false);
      failures_ = o.failures_;
    }
    return *this;
  }
  json_lines_progress(const json_lines_progress&) = delete;
  json_lines_progress& operator=(const json_lines_progress&) = delete;
  ~json_lines_progress() { close(); }

  /// Writes `r` as one line. A failed write is counted in `failures()`, never thrown.
  void report(const progress_record& r) noexcept {
    if (stream_ == nullptr) return;
    try {
      line_.clear();
      append_progress_json(line_, r);
      line_.push_back('\n');
    } catch (...) {  // std::bad_alloc: skip this line rather than fail the batch
      ++failures_;
      return;
    }
    if (std::fwrite(line_.data(), 1, line_.size(), stream_) != line_.size() ||
        std::fflush(stream_) != 0)
      ++failures_;
  }

  /// Number of records that could not be written.
  [[nodiscard]] std::int64_t failures() const noexcept { return failures_; }

 private:
  void close() noexcept {
    if (owned_ && stream_ != nullptr) std::fclose(stream_);
    stream_ = nullptr;
    owned_ = false;
  }

  std::FILE* stream_ = nullptr;
  bool owned_ = false;
  std::int64_t failures_ = 0;
  std::string line_;
};

static_assert(progress_reporter<null_progress>);
static_assert(progress_reporter<json_lines_progress>);

}  // namespace sluice::inline v0
