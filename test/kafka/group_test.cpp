// SPDX-License-Identifier: Apache-2.0
// kafka::group_member and kafka::group_runner on librdkafka's mock cluster: joining, owning and
// committing, rebalances between two members, lost partitions, exactness of a whole group run
// (per-partition batch ids, sink contents, dead letters, committed offsets, lag in progress),
// a crash with a pending plan replayed by the next owner, and injected commit errors.

#include "sluice/core/stop.hpp"
#include "sluice/kafka/error.hpp"
#include "sluice/kafka/group_member.hpp"
#include "sluice/kafka/group_runner.hpp"
#include "sluice/kafka/partition_reader.hpp"
#include "sluice/kafka/partition_source.hpp"

#include "kafka_test_support.hpp"
#include "mock_cluster.hpp"
#include "stages.hpp"
#include "support/kafka_admin.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

namespace {

using namespace sluice;
using namespace sluice_test;
using namespace std::chrono_literals;
using tp_t = kafka::topic_partition;

// Polls until `done()` or the deadline; returns whether `done()` held.
bool poll_until(const std::function<void()>& poll, const std::function<bool()>& done,
                std::chrono::milliseconds limit = 30s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    poll();
    if (done()) return true;
  }
  return done();
}

class Group : public ::testing::Test {
 protected:
  static constexpr int partitions = 4;
  void SetUp() override {
    topic = unique("grp");
    group = unique("g");
    mc.create_topic(topic, partitions);
  }
  kafka::config cfg() const { return mock_config(mc, topic, group); }
  kafka::group_member member() { return kafka::group_member::make(cfg(), logs.function()).value(); }
  std::vector<tp_t> all_partitions() const {
    std::vector<tp_t> v;
    for (int p = 0; p < partitions; ++p) v.push_back({topic, p});
    return v;
  }
  // The group's committed offsets as another consumer sees them (−1: none).
  std::vector<std::int64_t> committed() const {
    return sluice::test::committed_offsets(mc.bootstrap(), group, topic, partitions);
  }
  // Partition p gets 3 + 2p messages; message 2 of partition 1 is a tombstone.
  void produce_data() {
    for (int p = 0; p < partitions; ++p) {
      for (int i = 0; i < 3 + 2 * p; ++i) {
        produced m{p, -1, "k" + std::to_string(i), "v-" + std::to_string(p) + "-" + std::to_string(i)};
        if (p == 1 && i == 2) m.payload.reset();
        m.offset = mc.produce(topic, p, m.key, m.payload);
        data.push_back(m);
      }
    }
  }
  std::vector<std::string> expected_payloads(int p) const {
    std::vector<std::string> out;
    for (const auto& m : data)
      if (m.partition == p && m.payload) out.push_back(*m.payload);
    return out;
  }
  std::int64_t end_of(int p) const {
    std::int64_t end = 0;
    for (const auto& m : data)
      if (m.partition == p) end = std::max(end, m.offset + 1);
    return end;
  }

  // What every complete run must leave: each partition's sink holds its payloads once, in
  // order; its batch ids are dense from 0; the group's offsets are at the partitions' ends.
  void expect_exact(shared_location& where) {
    std::vector<std::int64_t> ends;
    for (int p = 0; p < partitions; ++p) {
      EXPECT_EQ(written(where, {topic, p}), expected_payloads(p)) << "partition " << p;
      const auto& hist = where.parts[{topic, p}].ckpt.history();
      for (std::size_t i = 0; i < hist.size(); ++i) EXPECT_EQ(hist[i].plan.batch_id, static_cast<std::int64_t>(i));
      ends.push_back(end_of(p));
    }
    EXPECT_EQ(committed(), ends) << "the group's offsets follow the checkpoints";
  }

  mock_cluster mc;
  std::string topic;
  std::string group;
  std::vector<produced> data;
  log_collector logs;
};

TEST_F(Group, MemberJoinsOwnsEveryPartitionAndCommits) {
  auto m = member();
  EXPECT_FALSE(m.is_settled());
  kafka::membership_change seen;
  ASSERT_TRUE(poll_until(
      [&] {
        auto c = m.poll(100ms);
        ASSERT_TRUE(c) << c.error().message();
        seen.assigned.insert(seen.assigned.end(), c.value().assigned.begin(), c.value().assigned.end());
      },
      [&] { return m.is_settled(); }))
      << logs.all();
  EXPECT_EQ(m.owned(), all_partitions());
  EXPECT_EQ(seen.assigned, all_partitions());
  EXPECT_TRUE(m.owns({topic, 2}));
  EXPECT_FALSE(m.owns({"other", 0}));

  auto none = m.committed({topic, 1});
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_FALSE(none.value().has_value());
  ASSERT_TRUE(m.commit({topic, 1}, 7));
  ASSERT_TRUE(m.commit({topic, 3}, 2));
  ASSERT_TRUE(m.commit({"other", 0}, 9)) << "not owned: nothing to do";
  auto one = m.committed({topic, 1});
  ASSERT_TRUE(one);
  EXPECT_EQ(one.value(), std::optional<std::int64_t>(7));
  EXPECT_EQ(committed(), (std::vector<std::int64_t>{-1, 7, -1, 2}));
  ASSERT_TRUE(m.close());
  EXPECT_TRUE(m.owned().empty()) << "closing revokes";
  EXPECT_FALSE(m.poll(0ms)) << "a closed member refuses to poll";
}

TEST_F(Group, TwoMembersSplitThePartitionsAndARebalanceRevokes) {
  auto a = member();
  ASSERT_TRUE(poll_until([&] { ASSERT_TRUE(a.poll(100ms)); }, [&] { return a.is_settled(); }));
  ASSERT_EQ(a.owned().size(), 4u);
  auto b = member();
  std::vector<tp_t> revoked_from_a;
  ASSERT_TRUE(poll_until(
      [&] {
        auto c = a.poll(50ms);
        ASSERT_TRUE(c);
        revoked_from_a.insert(revoked_from_a.end(), c.value().revoked.begin(), c.value().revoked.end());
        EXPECT_FALSE(c.value().lost) << "a rebalance hands partitions over, nothing is lost";
        ASSERT_TRUE(b.poll(50ms));
      },
      [&] { return a.is_settled() && b.is_settled() && a.owned().size() + b.owned().size() == 4 &&
                   !a.owned().empty() && !b.owned().empty(); }))
      << logs.all();
  std::vector<tp_t> both = a.owned();
  both.insert(both.end(), b.owned().begin(), b.owned().end());
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, all_partitions()) << "every partition has exactly one owner";
  EXPECT_FALSE(revoked_from_a.empty());
  // A commit for a partition that moved away does nothing.
  const tp_t moved = b.owned().front();
  ASSERT_TRUE(a.commit(moved, 5));
  EXPECT_EQ(committed()[static_cast<std::size_t>(moved.partition)], -1);
  ASSERT_TRUE(b.commit(moved, 5));
  EXPECT_EQ(committed()[static_cast<std::size_t>(moved.partition)], 5);
}

TEST_F(Group, AMemberThatStopsPollingLosesItsPartitions) {
  auto c = cfg();
  c.properties = {{"session.timeout.ms", "3000"}, {"heartbeat.interval.ms", "300"}, {"max.poll.interval.ms", "3000"}};
  auto m = kafka::group_member::make(c, logs.function()).value();
  ASSERT_TRUE(poll_until([&] { ASSERT_TRUE(m.poll(100ms)); }, [&] { return m.is_settled(); }));
  ASSERT_EQ(m.owned().size(), 4u);
  std::this_thread::sleep_for(4500ms);  // a batch longer than max.poll.interval.ms
  kafka::membership_change lost;
  ASSERT_TRUE(poll_until(
      [&] {
        auto ch = m.poll(50ms);
        ASSERT_TRUE(ch);
        if (ch.value().lost) lost = ch.value();
      },
      [&] { return lost.lost; }, 15s))
      << logs.all();
  EXPECT_EQ(lost.revoked, all_partitions());
  EXPECT_EQ(m.lost_count(), 4);
  EXPECT_TRUE(logs.contains("lost " + topic + "/0")) << logs.all();
}

// --- group_runner ------------------------------------------------------------------------

struct group_run {
  shared_location where;
  stop_flag stop;
  fake_environment env;
  kafka::group_runner_options opt;
  group_run() {
    opt.run.once = true;
    opt.run.max_records_per_batch = 3;
    opt.run.retry.max_attempts = 4;
    opt.settle_timeout = 30s;
  }
};

using runner_t = kafka::group_runner<test_factory, collecting_progress, fake_environment>;

TEST_F(Group, RunnerOnceProcessesEveryPartitionExactlyOnce) {
  produce_data();
  group_run g;
  auto m = member();
  auto reader = kafka::partition_reader::make(cfg(), logs.function()).value();
  collecting_progress progress{&g.where};
  runner_t r(m, reader, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
  const auto s = r.run();
  ASSERT_TRUE(s) << s.error().message() << "\n" << logs.all();
  EXPECT_EQ(s.value().assigned, 4);
  EXPECT_EQ(s.value().totals.records, static_cast<std::int64_t>(data.size()));
  EXPECT_EQ(s.value().totals.rejects, 1) << "the tombstone";
  EXPECT_EQ(s.value().totals.replayed, 0);

  std::vector<std::int64_t> ends;
  for (int p = 0; p < partitions; ++p) {
    const tp_t tp{topic, p};
    auto& st = g.where.parts[tp];
    EXPECT_EQ(written(g.where, tp), expected_payloads(p)) << "partition " << p;
    // Its own dense batch ids, ranges of at most 3 offsets that tile [0, end).
    const auto& hist = st.ckpt.history();
    std::int64_t next = 0;
    for (std::size_t i = 0; i < hist.size(); ++i) {
      EXPECT_EQ(hist[i].plan.batch_id, static_cast<std::int64_t>(i));
      ASSERT_EQ(hist[i].plan.ranges.size(), 1u);
      EXPECT_EQ(hist[i].plan.ranges[0].topic, topic);
      EXPECT_EQ(hist[i].plan.ranges[0].partition, p);
      EXPECT_EQ(hist[i].plan.ranges[0].from, next);
      EXPECT_LE(hist[i].plan.ranges[0].size(), 3);
      next = hist[i].plan.ranges[0].to;
    }
    EXPECT_EQ(next, end_of(p));
    EXPECT_EQ(st.log.done().size(), hist.size()) << "one log record per batch";
    ends.push_back(end_of(p));
  }
  // Dead letters: the tombstones of partition 1, with their offsets, in its own sink.
  std::vector<std::int64_t> dead;
  for (const auto& l : g.where.parts[{topic, 1}].dlq.letters()) {
    EXPECT_EQ(l.topic, topic);
    EXPECT_EQ(l.partition, 1);
    EXPECT_EQ(l.reason, "tombstone");
    EXPECT_FALSE(l.payload.has_value());
    dead.push_back(l.offset);
  }
  EXPECT_EQ(dead, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(committed(), ends) << "the group's offsets follow the checkpoints";

  // Progress: one record per batch, naming its partition, with the lag behind the log end.
  std::int64_t batches = 0;
  for (const auto& pr : g.where.progress) {
    ASSERT_EQ(pr.sources.size(), 1u);
    ASSERT_EQ(pr.lag.size(), 1u);
    ASSERT_TRUE(pr.lag[0].has_value());
    EXPECT_EQ(*pr.lag[0], end_of(pr.sources[0].partition) - pr.sources[0].to);
    ++batches;
  }
  EXPECT_EQ(batches, s.value().totals.batches);
  // Round robin: the first four batches are one per partition.
  std::set<std::int32_t> first;
  for (std::size_t i = 0; i < 4; ++i) first.insert(g.where.progress[i].sources[0].partition);
  EXPECT_EQ(first.size(), 4u);

  // A second run finds nothing new; after more data it processes only that.
  runner_t again(m, reader, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
  const auto s2 = again.run();
  ASSERT_TRUE(s2);
  EXPECT_EQ(s2.value().totals.batches, 0);
  mc.produce(topic, 2, "new", "late-2");
  runner_t third(m, reader, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
  const auto s3 = third.run();
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3.value().totals.records, 1);
  EXPECT_EQ(written(g.where, {topic, 2}).back(), "late-2");
  EXPECT_EQ(committed()[2], end_of(2) + 1);
}

TEST_F(Group, ACrashedPartitionsPendingPlanIsReplayedExactlyByTheNextOwner) {
  produce_data();
  group_run g;
  g.where.parts[{topic, 3}].fail_writes = 2;  // batch 0 of partition 3 cannot be written
  g.where.parts[{topic, 3}].fail_with = errc::io_error;
  {
    auto m = member();
    auto reader = kafka::partition_reader::make(cfg(), logs.function()).value();
    collecting_progress progress{&g.where};
    runner_t r(m, reader, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
    const auto s = r.run();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), errc::io_error);
  }  // the member leaves the group: a crash as far as the partitions are concerned
  auto& p3 = g.where.parts[{topic, 3}];
  const auto pending = p3.ckpt.pending();
  ASSERT_TRUE(pending && pending.value());
  const batch_plan crashed = *pending.value();
  EXPECT_EQ(crashed.batch_id, 0);
  EXPECT_EQ(crashed.ranges, (std::vector<offset_range>{{topic, 3, 0, 3}}));
  EXPECT_TRUE(p3.writes.empty());
  p3.fail_writes = 0;

  // More data arrives, and the next owner plans bigger batches: the replay still covers
  // exactly the pending plan.
  mc.produce(topic, 3, "x", "v-3-late");
  data.push_back({3, end_of(3), "x", "v-3-late"});
  g.opt.run.max_records_per_batch = 100;
  const std::size_t progress_before = g.where.progress.size();
  auto m2 = member();
  auto reader2 = kafka::partition_reader::make(cfg(), logs.function()).value();
  collecting_progress progress{&g.where};
  runner_t r2(m2, reader2, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
  const auto s2 = r2.run();
  ASSERT_TRUE(s2) << s2.error().message();
  EXPECT_EQ(s2.value().totals.replayed, 1);
  const auto& hist = p3.ckpt.history();
  ASSERT_GE(hist.size(), 2u);
  EXPECT_EQ(hist[0].plan, crashed) << "the replay is the pending plan, byte for byte";
  EXPECT_EQ(hist[1].plan.ranges, (std::vector<offset_range>{{topic, 3, 3, end_of(3)}}));
  bool saw_replay = false;
  for (std::size_t i = progress_before; i < g.where.progress.size(); ++i)
    if (g.where.progress[i].replayed) {
      saw_replay = true;
      EXPECT_EQ(g.where.progress[i].sources, crashed.ranges);
    }
  EXPECT_TRUE(saw_replay);
  expect_exact(g.where);
}

TEST_F(Group, TwoRunnersShareThePartitionsAndHandOverMidway) {
  produce_data();
  for (int p = 0; p < partitions; ++p)  // longer partitions, so the hand-over happens mid-way
    for (int i = 0; i < 12; ++i) {
      produced m{p, -1, "m" + std::to_string(i), "w-" + std::to_string(p) + "-" + std::to_string(i)};
      m.offset = mc.produce(topic, p, m.key, m.payload);
      data.push_back(m);
    }
  group_run g;
  g.opt.run.max_records_per_batch = 2;
  collecting_progress progress{&g.where};
  auto ma = member();
  auto ra = kafka::partition_reader::make(cfg(), logs.function()).value();
  runner_t a(ma, ra, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
  // A alone for a while, then B joins; both step until both are done.
  ASSERT_EQ(step_until_committed(a, 6, 30s), 6);
  auto mb = member();
  auto rb = kafka::partition_reader::make(cfg(), logs.function()).value();
  runner_t b(mb, rb, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
  // Let the group rebalance before A may run more batches (A only serves the rebalance, B
  // joins), so that on a slow machine A cannot finish everything while B is still joining.
  const auto settle = std::chrono::steady_clock::now() + 30s;
  while (mb.owned().empty() && std::chrono::steady_clock::now() < settle) {
    ASSERT_TRUE(ma.poll(10ms));
    ASSERT_TRUE(b.step());
  }
  ASSERT_FALSE(mb.owned().empty()) << "B got no partition within 30 s\n" << logs.all();
  ASSERT_TRUE(step_both_until_done(a, ma, b, mb, partitions, 60s)) << logs.all();
  const auto sa = a.summary();
  const auto sb = b.summary();
  EXPECT_GE(sa.revoked, 1) << "the rebalance took partitions from A";
  EXPECT_GE(sb.assigned, 1) << "B got partitions";
  EXPECT_GE(sb.totals.batches, 1) << "B worked on them";
  EXPECT_EQ(sa.totals.records + sb.totals.records, static_cast<std::int64_t>(data.size()))
      << "every record read by exactly one committed batch";
  expect_exact(g.where);
}

// A batch that outlasts max.poll.interval.ms: the member is evicted while the batch runs; the
// batch still completes (its group commit is refused and skipped), the next step finds the
// partitions lost and drops their units, the member rejoins, and the run ends exact.
TEST_F(Group, ABatchLongerThanMaxPollIntervalLosesThePartitionsCleanly) {
  produce_data();
  group_run g;
  auto c = cfg();
  c.properties = {{"session.timeout.ms", "3000"}, {"heartbeat.interval.ms", "300"}, {"max.poll.interval.ms", "3000"}};
  auto m = kafka::group_member::make(c, logs.function()).value();
  auto reader = kafka::partition_reader::make(c, logs.function()).value();
  g.where.parts[{topic, 0}].write_delay = 4500ms;  // the first batch of partition 0 outlasts it
  collecting_progress progress{&g.where};
  runner_t r(m, reader, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
  const auto s = r.run();
  ASSERT_TRUE(s) << s.error().message() << "\n" << logs.all();
  EXPECT_EQ(s.value().lost, 4) << logs.all();
  EXPECT_GE(s.value().assigned, 8) << "taken on, lost, taken on again";
  EXPECT_TRUE(logs.contains("offset commit of " + topic + "/0 at 3 skipped")) << logs.all() << "the evicted member's group commit was refused and skipped";
  expect_exact(g.where);
}

TEST_F(Group, StopRequestEndsTheRunBetweenBatches) {
  produce_data();
  group_run g;
  g.opt.run.once = false;
  g.opt.run.max_records_per_batch = 1;
  auto m = member();
  auto reader = kafka::partition_reader::make(cfg(), logs.function()).value();
  struct stopping_progress {
    using stage_concept = progress_reporter_tag;
    shared_location* where;
    stop_flag* stop;
    void report(const progress_record& r) {
      where->progress.push_back(r);
      if (where->progress.size() == 5) stop->request_stop();
    }
  } progress{&g.where, &g.stop};
  kafka::group_runner<test_factory, stopping_progress, fake_environment> r(m, reader, test_factory{&g.where},
                                                                           progress, g.opt, g.stop, g.env);
  const auto s = r.run();
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s.value().totals.batches, 5);
  for (auto& [tp, st] : g.where.parts) {
    const auto pending = st.ckpt.pending();
    ASSERT_TRUE(pending);
    EXPECT_FALSE(pending.value().has_value()) << "no batch half done";
  }
}

TEST_F(Group, OffsetCommitRefusedDuringARebalanceIsSkippedOtherErrorsSurface) {
  auto m = member();
  ASSERT_TRUE(poll_until([&] { ASSERT_TRUE(m.poll(100ms)); }, [&] { return m.is_settled(); }));
  mc.push_errors(api::offset_commit, {RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS});
  ASSERT_TRUE(m.commit({topic, 0}, 4)) << "skipped, not failed";
  EXPECT_TRUE(logs.contains("offset commit of " + topic + "/0 at 4 skipped")) << logs.all();
  EXPECT_EQ(committed()[0], -1);
  ASSERT_TRUE(m.commit({topic, 0}, 4));
  EXPECT_EQ(committed()[0], 4);
  mc.push_errors(api::offset_commit, {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});
  const auto denied = m.commit({topic, 0}, 6);
  ASSERT_FALSE(denied);
  EXPECT_TRUE(denied.error() == condition::fatal);
  EXPECT_TRUE(kafka::is_access_denied(kafka::code_of(denied.error())));
  EXPECT_EQ(committed()[0], 4);
}

TEST_F(Group, RunnerWithoutAssignmentTimesOut) {
  group_run g;
  g.opt.settle_timeout = 1500ms;
  for (int i = 0; i < 24; ++i)
    mc.push_errors(api::join_group, {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
                                     RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE});
  auto m = member();
  auto reader = kafka::partition_reader::make(cfg(), logs.function()).value();
  collecting_progress progress{&g.where};
  runner_t r(m, reader, test_factory{&g.where}, progress, g.opt, g.stop, g.env);
  const auto s = r.run();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), errc::timeout);
  EXPECT_TRUE(logs.contains("no partition assignment within the settle timeout"));
}

}  // namespace
