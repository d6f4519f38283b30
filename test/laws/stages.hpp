// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test stages for the runner and the laws: a fake environment (clocks, sleeps, jitter), and
// recording, fault-injecting handles on a shared `world` that outlives pipelines and runners, so a
// test can "crash" a runner (a fatal error) and start a new one on the same stores.

#include "sluice/core/concepts.hpp"
#include "sluice/core/environment.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/core/stop.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice_test {

using namespace sluice;

/// Clocks that only move when told (or by `tick_ns` per monotonic read), sleeps that only record.
struct fake_environment {
  using stage_concept = sluice::environment_tag;

  std::int64_t wall = 1'717'243'199'000;   // 2024-06-01T11:59:59.000Z
  std::int64_t mono = 1'000'000'000;
  std::int64_t tick_ns = 0;                // added on every monotonic_ns() call
  std::uint64_t random = 0;                // returned by random_u64()
  std::vector<std::chrono::milliseconds> sleeps;
  std::function<void(std::chrono::milliseconds)> on_sleep;  // e.g. request a stop

  std::int64_t wall_ms() const { return wall; }
  std::int64_t monotonic_ns() {
    mono += tick_ns;
    return mono;
  }
  bool sleep_for(std::chrono::milliseconds d, const stop_flag& stop) {
    sleeps.push_back(d);
    mono += std::chrono::nanoseconds(d).count();
    wall += d.count();
    if (on_sleep) on_sleep(d);
    return !stop.stop_requested();
  }
  std::uint64_t random_u64() { return random; }
};

/// A decoded test value.
struct item {
  std::string key;
  std::string payload;
  std::size_t origin = 0;
  friend bool operator==(const item&, const item&) = default;
};

/// Everything that survives a "crash": the source's data, the sink's contents, the stores, and
/// a journal of stage calls with injectable faults.
struct world {
  memory_source data;
  std::map<std::string, std::string> sink_contents;   // key -> payload
  std::int64_t sink_writes = 0;                      // successful write calls
  std::vector<std::vector<item>> written_batches;    // every successful write, in order
  memory_batch_log batch_log;
  memory_checkpoint_store ckpt;
  memory_dead_letter_sink dlq;
  std::vector<progress_record> progress;
  std::vector<std::string> events;
  // Per step: results of its next calls, in order; a default (zero) error_code means success.
  std::map<std::string, std::deque<std::error_code>, std::less<>> faults;
  std::function<void(std::string_view)> on_event;

  result<void> hit(std::string_view step) {
    events.emplace_back(step);
    if (on_event) on_event(step);
    auto it = faults.find(step);
    if (it != faults.end() && !it->second.empty()) {
      const std::error_code ec = it->second.front();
      it->second.pop_front();
      if (ec) return ec;
    }
    return success();
  }
  void fail(std::string step, std::error_code ec, int times = 1) {
    for (int i = 0; i < times; ++i) faults[step].push_back(ec);
  }
};

struct rec_source {
  using stage_concept = source_tag;
  world* w;
  result<std::vector<offset_range>> plan(const source_position& pos, std::int64_t max) {
    SLUICE_TRYV(w->hit("plan"));
    return w->data.plan(pos, max);
  }
  result<void> read(const std::vector<offset_range>& ranges, std::vector<source_record>& out) {
    SLUICE_TRYV(w->hit("read"));
    return w->data.read(ranges, out);
  }
  result<void> commit(const std::vector<offset_range>& ranges) {
    SLUICE_TRYV(w->hit("source.commit"));
    return w->data.commit(ranges);
  }
};

/// Rejects records without payload, or whose payload starts with "bad".
struct rec_codec {
  using stage_concept = codec_tag;
  using value_type = item;
  world* w;
  result<void> decode(std::span<const source_record> in, std::vector<item>& out, reject_list& rejects) {
    SLUICE_TRYV(w->hit("decode"));
    for (std::size_t i = 0; i < in.size(); ++i) {
      const auto& r = in[i];
      if (!r.payload) {
        rejects.add(i, "no payload");
      } else if (r.payload->starts_with("bad")) {
        rejects.add(i, "bad payload: " + *r.payload);
      } else {
        out.push_back(item{r.key.value_or(""), *r.payload, i});
      }
    }
    return success();
  }
};

/// Appends "!" to payloads; rejects payloads containing "veto".
struct rec_transform {
  using stage_concept = transform_tag;
  using output_type = item;
  world* w;
  result<void> apply(std::vector<item>& in, std::vector<item>& out, reject_list& rejects) {
    SLUICE_TRYV(w->hit("transform"));
    for (auto& v : in) {
      if (v.payload.find("veto") != std::string::npos) {
        rejects.add(v.origin, "vetoed");
      } else {
        v.payload += "!";
        out.push_back(std::move(v));
      }
    }
    return success();
  }
};

/// Stateful: numbers values across batches ("#<n>" appended), state = the next number.
struct numbering_transform {
  using stage_concept = transform_tag;
  using output_type = item;
  std::int64_t next = 0;
  std::vector<std::string> loads;  // every blob load_state was given
  result<void> apply(std::vector<item>& in, std::vector<item>& out, reject_list&) {
    for (auto& v : in) {
      v.payload += "#" + std::to_string(next++);
      out.push_back(std::move(v));
    }
    return success();
  }
  result<void> save_state(std::string& blob) const {
    blob = std::to_string(next);
    return success();
  }
  result<void> load_state(std::string_view blob) {
    loads.emplace_back(blob);
    if (blob.empty()) {
      next = 0;
      return success();
    }
    try {
      next = std::stoll(std::string(blob));
    } catch (...) {
      return errc::corrupt_state;
    }
    return success();
  }
};

/// Idempotent by key: a replay overwrites with the same bytes.
struct rec_sink {
  using stage_concept = sink_tag;
  world* w;
  result<void> write(std::span<const item> values, const batch_plan&) {
    SLUICE_TRYV(w->hit("write"));
    for (const auto& v : values) w->sink_contents[v.key] = v.payload;
    w->written_batches.emplace_back(values.begin(), values.end());
    ++w->sink_writes;
    return success();
  }
};

/// A handle on the world's completed-batches log, or (remembers = false) at-least-once.
struct rec_policy {
  using stage_concept = idempotency_tag;
  world* w;
  bool remembers = false;
  result<bool> is_done(const batch_plan& plan) {
    SLUICE_TRYV(w->hit("is_done"));
    if (!remembers) return false;
    return w->batch_log.is_done(plan);
  }
  result<void> mark_done(const batch_plan& plan) {
    SLUICE_TRYV(w->hit("mark_done"));
    if (!remembers) return success();
    return w->batch_log.mark_done(plan);
  }
};

struct rec_ckpt {
  using stage_concept = checkpoint_store_tag;
  world* w;
  result<void> write_plan(const batch_plan& plan) {
    SLUICE_TRYV(w->hit("write_plan"));
    return w->ckpt.write_plan(plan);
  }
  result<std::optional<batch_plan>> pending() {
    SLUICE_TRYV(w->hit("pending"));
    return w->ckpt.pending();
  }
  result<void> commit(const commit_record& rec) {
    SLUICE_TRYV(w->hit("commit"));
    return w->ckpt.commit(rec);
  }
  result<std::optional<commit_record>> last_commit() {
    SLUICE_TRYV(w->hit("last_commit"));
    return w->ckpt.last_commit();
  }
};

struct rec_dlq {
  using stage_concept = dead_letter_sink_tag;
  world* w;
  result<void> write(std::int64_t batch_id, std::span<const dead_letter> letters) {
    SLUICE_TRYV(w->hit("dlq"));
    return w->dlq.write(batch_id, letters);
  }
};

struct rec_progress {
  using stage_concept = progress_reporter_tag;
  world* w;
  void report(const progress_record& r) {
    (void)w->hit("progress");
    w->progress.push_back(r);
  }
};

/// Wraps any sink: fails its next `failures` writes with `error`, then delegates.
template <class Sink>
struct faulty_sink {
  using stage_concept = sink_tag;
  Sink inner;
  std::error_code error = sluice::errc::io_error;
  int failures = 1;
  int attempts = 0;
  template <class T>
  result<void> write(std::span<const T> values, const batch_plan& plan)
    requires sink_for<Sink, T>
  {
    ++attempts;
    if (failures > 0) {
      --failures;
      return error;
    }
    return inner.write(values, plan);
  }
};

}  // namespace sluice_test
