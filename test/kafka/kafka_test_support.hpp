// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared pieces of the kafka module's tests: a log collector, configs for the mock cluster,
// expected records, and partition units over stores that outlive them (a partition's state in
// the "shared checkpoint location" that every group member uses).

#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/record.hpp"
#include "sluice/kafka/config.hpp"
#include "sluice/kafka/group_runner.hpp"
#include "sluice/kafka/log.hpp"
#include "sluice/kafka/partition_source.hpp"
#include "sluice/kafka/topic_partition.hpp"

#include "mock_cluster.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::inline v0 {
// Readable failure messages for ranges.
inline void PrintTo(const offset_range& r, std::ostream* os) {
  *os << r.topic << '/' << r.partition << " [" << r.from << ", " << r.to << ')';
}
}  // namespace sluice::inline v0

namespace sluice_test {

using namespace sluice;

// Collects log lines (from librdkafka's threads too).
struct log_collector {
  std::mutex mu;
  std::vector<std::string> lines;
  kafka::log_function function() {
    return [this](const kafka::log_line& l) {
      const std::lock_guard lock(mu);
      lines.push_back(std::string(l.facility) + ": " + std::string(l.message));
    };
  }
  bool contains(const std::string& needle) {
    const std::lock_guard lock(mu);
    for (const auto& l : lines)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
  std::string all() {
    const std::lock_guard lock(mu);
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
};

inline kafka::config mock_config(const mock_cluster& mc, const std::string& topic, const std::string& group = "") {
  kafka::config cfg;
  cfg.bootstrap_servers = mc.bootstrap();
  cfg.topic = topic;
  cfg.group_id = group;
  cfg.timeout = std::chrono::milliseconds(10'000);
  // Fast group protocol for tests.
  cfg.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "300"}};
  return cfg;
}

inline std::string unique(const std::string& prefix) {
  static int n = 0;
  return prefix + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" + std::to_string(n++);
}

// The records read must be exactly the produced ones of [from, to), in order.
inline void expect_records(const std::vector<source_record>& got, const std::vector<produced>& all,
                           const std::string& topic, std::int32_t partition, std::int64_t from, std::int64_t to) {
  std::vector<const produced*> want;
  for (const auto& p : all)
    if (p.partition == partition && p.offset >= from && p.offset < to) want.push_back(&p);
  ASSERT_EQ(got.size(), want.size()) << "[" << from << ", " << to << ")";
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].topic, topic);
    EXPECT_EQ(got[i].partition, partition);
    EXPECT_EQ(got[i].offset, want[i]->offset);
    EXPECT_EQ(got[i].key, want[i]->key);
    EXPECT_EQ(got[i].payload, want[i]->payload);
  }
}

// --- per-partition units over shared stores ------------------------------------------------

// What survives a member: the per-partition state in the shared location.
struct partition_state {
  memory_checkpoint_store ckpt;
  memory_dead_letter_sink dlq;
  memory_batch_log log;
  std::vector<std::vector<std::string>> writes;  // payloads of every successful sink write
  int fail_writes = 0;                           // the next N writes fail with `fail_with`
  std::error_code fail_with = errc::io_error;
  std::chrono::milliseconds write_delay{0};      // the next write first sleeps this long
};
struct shared_location {
  std::map<kafka::topic_partition, partition_state> parts;
  std::vector<progress_record> progress;
};

// Handles on a partition's shared state (the stores a factory builds on it).
struct shared_ckpt {
  using stage_concept = checkpoint_store_tag;
  partition_state* s;
  result<void> write_plan(const batch_plan& p) { return s->ckpt.write_plan(p); }
  result<std::optional<batch_plan>> pending() { return s->ckpt.pending(); }
  result<void> commit(const commit_record& r) { return s->ckpt.commit(r); }
  result<std::optional<commit_record>> last_commit() { return s->ckpt.last_commit(); }
};
struct shared_dlq {
  using stage_concept = dead_letter_sink_tag;
  partition_state* s;
  result<void> write(std::int64_t id, std::span<const dead_letter> l) { return s->dlq.write(id, l); }
};
struct shared_log {
  using stage_concept = idempotency_tag;
  partition_state* s;
  result<bool> is_done(const batch_plan& p) { return s->log.is_done(p); }
  result<void> mark_done(const batch_plan& p) { return s->log.mark_done(p); }
};
struct recording_sink {
  using stage_concept = sink_tag;
  partition_state* s;
  result<void> write(std::span<const raw_view> values, const batch_plan&) {
    if (s->write_delay.count() > 0) std::this_thread::sleep_for(std::exchange(s->write_delay, {}));
    if (s->fail_writes > 0) {
      --s->fail_writes;
      return s->fail_with;
    }
    std::vector<std::string> batch;
    for (const auto& v : values) batch.push_back(v.payload ? std::string(*v.payload) : std::string("<null>"));
    s->writes.push_back(std::move(batch));
    return success();
  }
};
struct collecting_progress {
  using stage_concept = progress_reporter_tag;
  shared_location* where;
  void report(const progress_record& r) { where->progress.push_back(r); }
};

// raw_view_codec that rejects tombstones (so dead letters carry partition and offset).
struct no_tombstones_codec {
  using stage_concept = codec_tag;
  using value_type = raw_view;
  result<void> decode(std::span<const source_record> in, std::vector<raw_view>& out, reject_list& rejects) const {
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (!in[i].payload) {
        rejects.add(i, "tombstone");
        continue;
      }
      out.push_back(raw_view{in[i].key ? std::optional<std::string_view>(*in[i].key) : std::nullopt,
                             std::string_view(*in[i].payload), in[i].timestamp_ms, i});
    }
    return success();
  }
};

using test_pipeline = pipeline<kafka::partition_source, no_tombstones_codec, recording_sink, shared_log>;
using test_unit = kafka::partition_unit<test_pipeline, shared_ckpt, shared_dlq>;

struct test_factory {
  shared_location* where;
  result<test_unit> operator()(const kafka::topic_partition& tp, kafka::partition_source src) const {
    partition_state* s = &where->parts[tp];
    return test_unit{test_pipeline(std::move(src), no_tombstones_codec{}, recording_sink{s}, shared_log{s}),
                     shared_ckpt{s}, shared_dlq{s}};
  }
};

// Every payload the sink received for `tp`, in write order.
inline std::vector<std::string> written(shared_location& where, const kafka::topic_partition& tp) {
  std::vector<std::string> out;
  for (const auto& b : where.parts[tp].writes) out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Steps `r` until it has committed `batches` batches (or `limit` passed); returns how many it
// committed. Errors fail the test.
template <class Runner>
int step_until_committed(Runner& r, int batches, std::chrono::milliseconds limit) {
  int committed = 0;
  const auto end = std::chrono::steady_clock::now() + limit;
  while (committed < batches && std::chrono::steady_clock::now() < end) {
    auto s = r.step();
    EXPECT_TRUE(s) << s.error().message();
    if (!s) break;
    if (s.value() == kafka::group_step::committed) ++committed;
    if (s.value() == kafka::group_step::waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return committed;
}

// Steps two runners in turn (two members of one group in one thread) until both are done and
// their members own `partitions` partitions together; returns whether that happened in time.
template <class RunnerA, class RunnerB>
bool step_both_until_done(RunnerA& a, const kafka::group_member& ma, RunnerB& b, const kafka::group_member& mb,
                          std::size_t partitions, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (a.is_done() && b.is_done() && ma.owned().size() + mb.owned().size() == partitions) return true;
    auto sa = a.step();
    auto sb = b.step();
    EXPECT_TRUE(sa) << sa.error().message();
    EXPECT_TRUE(sb) << sb.error().message();
    if (!sa || !sb) return false;
    if (sa.value() == kafka::group_step::waiting && sb.value() == kafka::group_step::waiting)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

inline std::vector<std::string> payloads(const std::vector<produced>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.payload ? *p.payload : std::string("<null>"));
  return out;
}

}  // namespace sluice_test
