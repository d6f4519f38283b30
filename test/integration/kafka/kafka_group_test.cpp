// SPDX-License-Identifier: Apache-2.0
// kafka::group_runner, group_member and partition_source against a real Kafka broker
// (test/services, or SLUICE_TEST_KAFKA_BOOTSTRAP): six partitions processed exactly once with
// per-partition checkpoints and the group's committed offsets following them (checked with a
// separate consumer), a crash with a pending plan replayed by the next owner, two runners
// sharing the partitions with a hand-over mid-way, and exact reads across transaction markers
// and aborted transactions (read_committed).

#include "sluice/core/stop.hpp"
#include "sluice/kafka/error.hpp"
#include "sluice/kafka/group_member.hpp"
#include "sluice/kafka/group_runner.hpp"
#include "sluice/kafka/partition_reader.hpp"
#include "sluice/kafka/partition_source.hpp"

#include "kafka_test_support.hpp"
#include "stages.hpp"
#include "support/kafka_admin.hpp"
#include "support/services.hpp"

#include <librdkafka/rdkafka.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace sluice;
using namespace sluice_test;
using namespace std::chrono_literals;
using tp_t = kafka::topic_partition;
using runner_t = kafka::group_runner<test_factory, collecting_progress, fake_environment>;

constexpr int partitions = 6;

class KafkaBroker : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto env = sluice::test::services_env();
    ASSERT_TRUE(env && !env->kafka_bootstrap.empty())
        << "no Kafka: run through ctest (fixture `services`) or export SLUICE_TEST_KAFKA_BOOTSTRAP";
    bootstrap = env->kafka_bootstrap;
    topic = sluice::test::unique_name("sluice-kafka");
    group = sluice::test::unique_name("sluice-group");
    ASSERT_EQ(sluice::test::create_topic(bootstrap, topic, partitions), "");
  }

  kafka::config cfg() const {
    kafka::config c;
    c.bootstrap_servers = bootstrap;
    c.topic = topic;
    c.group_id = group;
    c.timeout = 20s;
    c.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    return c;
  }
  kafka::group_member member() {
    std::string problem;
    auto m = kafka::group_member::make(cfg(), logs.function(), &problem);
    EXPECT_TRUE(m) << problem;
    return std::move(m).value();
  }
  std::shared_ptr<kafka::partition_reader> reader() { return kafka::partition_reader::make(cfg(), logs.function()).value(); }

  // Partition p gets 20 + 5p messages; every 7th is a tombstone. Offsets are dense (a new topic,
  // an idempotent producer), so message i of partition p has offset i.
  void produce(int round = 0) {
    std::vector<sluice::test::test_message> batch;
    for (int p = 0; p < partitions; ++p) {
      const int n = 20 + 5 * p;
      for (int i = 0; i < n; ++i) {
        sluice::test::test_message m{p, "k" + std::to_string(i),
                                     "r" + std::to_string(round) + "-" + std::to_string(p) + "-" + std::to_string(i)};
        if (i % 7 == 6) m.payload.reset();
        batch.push_back(m);
        sent[static_cast<std::size_t>(p)].push_back(m.payload);
      }
    }
    ASSERT_EQ(sluice::test::produce(bootstrap, topic, batch), "");
  }
  std::vector<std::string> expected(int p) const {
    std::vector<std::string> out;
    for (const auto& v : sent[static_cast<std::size_t>(p)])
      if (v) out.push_back(*v);
    return out;
  }
  std::vector<std::int64_t> tombstone_offsets(int p) const {
    std::vector<std::int64_t> out;
    const auto& s = sent[static_cast<std::size_t>(p)];
    for (std::size_t i = 0; i < s.size(); ++i)
      if (!s[i]) out.push_back(static_cast<std::int64_t>(i));
    return out;
  }
  std::vector<std::int64_t> ends() const {
    std::vector<std::int64_t> out;
    for (const auto& s : sent) out.push_back(static_cast<std::int64_t>(s.size()));
    return out;
  }
  std::vector<std::int64_t> committed() const {
    return sluice::test::committed_offsets(bootstrap, group, topic, partitions);
  }
  // Everything the runs left behind is exactly one run's worth.
  void expect_exact(shared_location& where) {
    for (int p = 0; p < partitions; ++p) {
      const tp_t tp{topic, p};
      EXPECT_EQ(written(where, tp), expected(p)) << "partition " << p;
      auto& st = where.parts[tp];
      std::int64_t next = 0;
      const auto& hist = st.ckpt.history();
      for (std::size_t i = 0; i < hist.size(); ++i) {
        EXPECT_EQ(hist[i].plan.batch_id, static_cast<std::int64_t>(i)) << p;
        ASSERT_EQ(hist[i].plan.ranges.size(), 1u);
        EXPECT_EQ(hist[i].plan.ranges[0].from, next) << p;
        next = hist[i].plan.ranges[0].to;
      }
      EXPECT_EQ(next, ends()[static_cast<std::size_t>(p)]) << p;
      EXPECT_EQ(st.log.done().size(), hist.size()) << p;
      std::vector<std::int64_t> dead;
      for (const auto& l : st.dlq.letters()) dead.push_back(l.offset);
      EXPECT_EQ(dead, tombstone_offsets(p)) << p;
    }
    EXPECT_EQ(committed(), ends()) << "committed offsets follow the checkpoints";
  }

  std::string bootstrap;
  std::string topic;
  std::string group;
  std::vector<std::vector<std::optional<std::string>>> sent = std::vector<std::vector<std::optional<std::string>>>(partitions);
  log_collector logs;
  shared_location where;
  stop_flag stop;
  fake_environment env;
};

kafka::group_runner_options once(std::int64_t max) {
  kafka::group_runner_options o;
  o.run.once = true;
  o.run.max_records_per_batch = max;
  o.run.retry.max_attempts = 5;
  o.settle_timeout = 60s;
  return o;
}

TEST_F(KafkaBroker, OneRunnerProcessesSixPartitionsExactlyOnce) {
  produce();
  auto m = member();
  auto r = reader();
  collecting_progress progress{&where};
  const auto opt = once(7);
  runner_t g(m, r, test_factory{&where}, progress, opt, stop, env);
  const auto s = g.run();
  ASSERT_TRUE(s) << s.error().message() << "\n" << logs.all();
  EXPECT_EQ(s.value().assigned, partitions);
  std::int64_t total = 0;
  for (const auto& e : ends()) total += e;
  EXPECT_EQ(s.value().totals.records, total);
  expect_exact(where);
  for (const auto& pr : where.progress) {
    ASSERT_EQ(pr.lag.size(), 1u);
    ASSERT_TRUE(pr.lag[0]);
    EXPECT_EQ(*pr.lag[0], ends()[static_cast<std::size_t>(pr.sources[0].partition)] - pr.sources[0].to);
  }

  // More messages, resends among them: a second run processes only those.
  const auto first_ends = ends();
  produce(1);
  const auto before = where.progress.size();
  runner_t g2(m, r, test_factory{&where}, progress, opt, stop, env);
  const auto s2 = g2.run();
  ASSERT_TRUE(s2) << s2.error().message();
  EXPECT_EQ(s2.value().totals.records, total) << "only the new records";
  for (std::size_t i = before; i < where.progress.size(); ++i)
    EXPECT_GE(where.progress[i].sources[0].from, first_ends[static_cast<std::size_t>(where.progress[i].sources[0].partition)])
        << "no old range again";
  expect_exact(where);
}

TEST_F(KafkaBroker, RestartReplaysThePendingPlanExactly) {
  produce();
  where.parts[{topic, 4}].fail_writes = 1;  // the first batch of partition 4 fails: a "crash"
  {
    auto m = member();
    auto r = reader();
    collecting_progress progress{&where};
    auto opt = once(6);
    opt.run.retry.max_attempts = 1;
    runner_t g(m, r, test_factory{&where}, progress, opt, stop, env);
    const auto s = g.run();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), errc::io_error);
  }
  auto& p4 = where.parts[{topic, 4}];
  const auto pending = p4.ckpt.pending();
  ASSERT_TRUE(pending && pending.value());
  const batch_plan crashed = *pending.value();
  EXPECT_EQ(crashed.ranges, (std::vector<offset_range>{{topic, 4, 0, 6}}));
  const auto before = committed();
  EXPECT_EQ(before[4], -1) << "nothing committed for the crashed partition";

  // A new process with bigger batches: the pending plan is replayed as it was.
  auto m = member();
  auto r = reader();
  collecting_progress progress{&where};
  const auto opt = once(1000);
  runner_t g(m, r, test_factory{&where}, progress, opt, stop, env);
  const auto s = g.run();
  ASSERT_TRUE(s) << s.error().message() << "\n" << logs.all();
  EXPECT_EQ(s.value().totals.replayed, 1);
  ASSERT_GE(p4.ckpt.history().size(), 2u);
  EXPECT_EQ(p4.ckpt.history()[0].plan, crashed);
  EXPECT_EQ(p4.ckpt.history()[1].plan.ranges, (std::vector<offset_range>{{topic, 4, 6, ends()[4]}}));
  expect_exact(where);
}

TEST_F(KafkaBroker, TwoRunnersShareThePartitionsAndHandOverMidway) {
  produce();
  produce(1);
  collecting_progress progress{&where};
  const auto opt = once(4);
  auto ma = member();
  auto ra = reader();
  runner_t a(ma, ra, test_factory{&where}, progress, opt, stop, env);
  ASSERT_EQ(step_until_committed(a, 10, 60s), 10);
  auto mb = member();
  auto rb = reader();
  runner_t b(mb, rb, test_factory{&where}, progress, opt, stop, env);
  ASSERT_TRUE(step_both_until_done(a, ma, b, mb, partitions, 120s)) << logs.all();
  EXPECT_FALSE(ma.owned().empty());
  EXPECT_FALSE(mb.owned().empty());
  EXPECT_GE(a.summary().revoked, 1);
  EXPECT_GE(b.summary().totals.batches, 1) << "B took over partitions and worked on them";
  EXPECT_EQ(a.summary().totals.records + b.summary().totals.records,
            [&] { std::int64_t n = 0; for (auto e : ends()) n += e; return n; }());
  expect_exact(where);
}

// A transactional producer: committed, aborted and committed transactions on partition 0.
// Offsets: 0,1,2 (txn 1), 3 commit marker, 4,5 (aborted), 6 abort marker, 7,8 (txn 3), 9 marker.
std::string produce_transactions(const std::string& bootstrap, const std::string& topic) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "transactional.id", (topic + "-txn").c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) return err;
  std::string problem;
  auto check = [&](rd_kafka_error_t* e) {
    if (e != nullptr && problem.empty()) problem = rd_kafka_error_string(e);
    if (e != nullptr) rd_kafka_error_destroy(e);
    return problem.empty();
  };
  auto send = [&](const std::string& v) {
    const auto e = sluice::test::produce_one(rk, topic, 0, nullptr, 0, const_cast<char*>(v.data()), v.size());
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && problem.empty()) problem = rd_kafka_err2str(e);
  };
  if (check(rd_kafka_init_transactions(rk, 30000))) {
    const std::vector<std::pair<std::vector<std::string>, bool>> txns = {
        {{"t1-a", "t1-b", "t1-c"}, true}, {{"t2-a", "t2-b"}, false}, {{"t3-a", "t3-b"}, true}};
    for (const auto& [values, commit] : txns) {
      if (!check(rd_kafka_begin_transaction(rk))) break;
      for (const auto& v : values) send(v);
      // Without a flush, an abort would purge the messages before they reach the log.
      if (rd_kafka_flush(rk, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR && problem.empty()) problem = "flush timed out";
      if (commit ? !check(rd_kafka_commit_transaction(rk, 30000)) : !check(rd_kafka_abort_transaction(rk, 30000)))
        break;
    }
  }
  rd_kafka_destroy(rk);
  return problem;
}

TEST_F(KafkaBroker, ReadsAcrossTransactionMarkersAndAbortedTransactionsExactly) {
  ASSERT_EQ(produce_transactions(bootstrap, topic), "");
  auto c = cfg();
  c.timeout = 5s;
  auto s = kafka::partition_source::make(c, 0, logs.function()).value();
  // The coordinator writes the markers after commit_transaction returns: until the last one is
  // written, the last stable offset (and so the plan) stops before the open transaction.
  result<std::vector<offset_range>> p = std::vector<offset_range>{};
  for (int i = 0; i < 100; ++i) {
    p = s.plan({}, 1000);
    ASSERT_TRUE(p) << p.error().message();
    ASSERT_EQ(p.value().size(), 1u);
    EXPECT_EQ(p.value()[0].from, 0);
    EXPECT_TRUE(p.value()[0].to == 3 || p.value()[0].to == 4 || p.value()[0].to == 7 || p.value()[0].to == 10)
        << "never inside a transaction: " << p.value()[0].to;
    if (p.value()[0].to == 10) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(p.value(), (std::vector<offset_range>{{topic, 0, 0, 10}})) << "up to the last stable offset";
  auto read = [&](std::int64_t from, std::int64_t to) {
    std::vector<source_record> out;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = s.read({{topic, 0, from, to}}, out);
    EXPECT_TRUE(r) << "[" << from << ", " << to << "): " << r.error().message();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "a range ending in a gap does not wait for the timeout";
    std::vector<std::pair<std::int64_t, std::string>> got;
    for (const auto& rec : out) got.emplace_back(rec.offset, rec.payload.value_or("<null>"));
    return got;
  };
  using got_t = std::vector<std::pair<std::int64_t, std::string>>;
  EXPECT_EQ(read(0, 10), (got_t{{0, "t1-a"}, {1, "t1-b"}, {2, "t1-c"}, {7, "t3-a"}, {8, "t3-b"}}));
  EXPECT_EQ(read(0, 4), (got_t{{0, "t1-a"}, {1, "t1-b"}, {2, "t1-c"}}));
  EXPECT_EQ(read(3, 7), got_t{}) << "only a marker and an aborted transaction";
  EXPECT_EQ(read(4, 8), (got_t{{7, "t3-a"}}));
  EXPECT_EQ(read(9, 10), got_t{}) << "the last commit marker";
  EXPECT_EQ(read(8, 10), (got_t{{8, "t3-b"}}));

  // Through the group runner: batches that end inside gaps still tile [0, 10).
  collecting_progress progress{&where};
  auto m = member();
  auto r = reader();
  const auto opt = once(3);
  runner_t g(m, r, test_factory{&where}, progress, opt, stop, env);
  const auto sum = g.run();
  ASSERT_TRUE(sum) << sum.error().message();
  EXPECT_EQ(written(where, {topic, 0}), (std::vector<std::string>{"t1-a", "t1-b", "t1-c", "t3-a", "t3-b"}));
  EXPECT_EQ(sum.value().totals.records, 5);
  EXPECT_EQ(committed()[0], 10);
}

TEST_F(KafkaBroker, UnknownTopicFailsClearly) {
  auto c = cfg();
  c.topic = sluice::test::unique_name("sluice-missing");
  std::string problem;
  const auto m = kafka::group_member::make(c, logs.function(), &problem);
  ASSERT_FALSE(m);
  EXPECT_TRUE(m.error() == condition::fatal) << m.error().message();
  EXPECT_NE(problem.find("Unknown topic or partition"), std::string::npos) << problem;
}

}  // namespace
