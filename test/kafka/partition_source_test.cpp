// SPDX-License-Identifier: Apache-2.0
// kafka::partition_source and kafka::partition_reader on librdkafka's mock cluster: plans,
// exact reads and replays, tombstones, positions, starting offsets, out-of-range positions,
// injected request errors and a broker that goes down, through the runner's retries.

#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/kafka/error.hpp"
#include "sluice/kafka/partition_reader.hpp"
#include "sluice/kafka/partition_source.hpp"

#include "kafka_test_support.hpp"
#include "mock_cluster.hpp"
#include "stages.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace {

using namespace sluice;
using namespace sluice_test;
using namespace std::chrono_literals;

class PartitionSource : public ::testing::Test {
 protected:
  void SetUp() override {
    topic = unique("src");
    mc.create_topic(topic, 3);
    // Partition 0: 10 records; partition 1: tombstones, empty values and null keys; 2: empty.
    all = mc.produce_many(topic, 0, 10);
    const std::vector<produced> odd = {{1, -1, "a", "x"},           {1, -1, "b", std::nullopt},
                                       {1, -1, std::nullopt, "y"},  {1, -1, "", ""},
                                       {1, -1, std::nullopt, std::nullopt}, {1, -1, "c", "z"}};
    for (auto p : odd) {
      p.offset = mc.produce(topic, 1, p.key, p.payload);
      all.push_back(p);
    }
  }
  kafka::partition_source source(std::int32_t partition, kafka::starting_offsets start = kafka::starting_offsets::earliest) {
    auto cfg = mock_config(mc, topic);
    cfg.starting = start;
    return kafka::partition_source::make(cfg, partition, logs.function()).value();
  }

  mock_cluster mc;
  std::string topic;
  std::vector<produced> all;
  log_collector logs;
};

TEST_F(PartitionSource, PlansFromTheLogStartUpToTheHighWatermarkInSteps) {
  auto s = source(0);
  auto p = s.plan({}, 4);
  ASSERT_TRUE(p) << p.error().message();
  ASSERT_EQ(p.value(), (std::vector<offset_range>{{topic, 0, 0, 4}}));
  p = s.plan({{topic, 0, 4, 4}}, 100);
  ASSERT_TRUE(p);
  EXPECT_EQ(p.value(), (std::vector<offset_range>{{topic, 0, 4, 10}}));
  p = s.plan({{topic, 0, 10, 10}}, 100);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.value().empty()) << "caught up";
  // Other partitions in the position do not matter.
  p = s.plan({{topic, 1, 3, 3}, {"other", 0, 7, 7}}, 3);
  ASSERT_TRUE(p);
  EXPECT_EQ(p.value(), (std::vector<offset_range>{{topic, 0, 0, 3}}));
  // An empty partition plans nothing.
  auto e = source(2);
  p = e.plan({}, 10);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.value().empty());
  EXPECT_EQ(e.plan({}, 0).error(), errc::invalid_argument);
}

TEST_F(PartitionSource, ReadsExactlyTheRangeAndReplaysIt) {
  auto s = source(0);
  for (const auto& [from, to] : std::vector<std::pair<int, int>>{{0, 10}, {3, 7}, {9, 10}, {0, 1}, {5, 5}}) {
    std::vector<source_record> out;
    ASSERT_TRUE(s.read({{topic, 0, from, to}}, out));
    expect_records(out, all, topic, 0, from, to);
  }
  // A replay in a new instance (a new process) reads the same records.
  std::vector<source_record> a, b;
  ASSERT_TRUE(s.read({{topic, 0, 2, 8}}, a));
  auto again = source(0);
  ASSERT_TRUE(again.read({{topic, 0, 2, 8}}, b));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].offset, b[i].offset);
    EXPECT_EQ(a[i].payload, b[i].payload);
  }
  // Appending to what `out` already holds.
  std::vector<source_record> out(2);
  ASSERT_TRUE(s.read({{topic, 0, 0, 3}}, out));
  EXPECT_EQ(out.size(), 5u);
}

TEST_F(PartitionSource, MaxBytesEndsPlansAtTheByteBoundAndTheReadTakesWhatThePlanRead) {
  // Partition 2: ten records of 1000 bytes (key "k" + 999), one of 5000, three more of 1000.
  std::vector<produced> big;
  for (int i = 0; i < 14; ++i) {
    const std::size_t n = i == 10 ? 4999 : 999;
    produced p{2, -1, "k", std::string(n, static_cast<char>('a' + i))};
    p.offset = mc.produce(topic, 2, p.key, p.payload);
    big.push_back(p);
  }
  auto s = source(2);
  s.set_max_bytes(3500);
  source_position pos;
  std::vector<offset_range> plans;
  std::vector<source_record> got;
  for (;;) {
    auto p = s.plan(pos, 100);
    ASSERT_TRUE(p) << p.error().message();
    if (p.value().empty()) break;
    plans.push_back(p.value().front());
    std::vector<source_record> out;
    ASSERT_TRUE(s.read(p.value(), out));
    // A byte-bounded plan's read equals a fresh read of the same range (a replay).
    auto replay = source(2);
    std::vector<source_record> again;
    ASSERT_TRUE(replay.read(p.value(), again));
    ASSERT_EQ(out.size(), again.size());
    for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].payload, again[i].payload);
    got.insert(got.end(), out.begin(), out.end());
    pos = advance_position(pos, p.value());
  }
  // 3 records of 1000 fit in 3500; the 5000-byte record is a batch of its own; the rest follow.
  EXPECT_EQ(plans, (std::vector<offset_range>{{topic, 2, 0, 3}, {topic, 2, 3, 6}, {topic, 2, 6, 9},
                                              {topic, 2, 9, 10}, {topic, 2, 10, 11}, {topic, 2, 11, 14}}));
  expect_records(got, big, topic, 2, 0, 14);
  // The record bound still applies, and no bound plans without reading.
  auto p = s.plan({}, 2);
  ASSERT_TRUE(p);
  EXPECT_EQ(p.value(), (std::vector<offset_range>{{topic, 2, 0, 2}}));
  s.set_max_bytes(std::nullopt);
  p = s.plan({}, 100);
  ASSERT_TRUE(p);
  EXPECT_EQ(p.value(), (std::vector<offset_range>{{topic, 2, 0, 14}}));
  // A read of another range than the plan's fetches it.
  s.set_max_bytes(3500);
  ASSERT_TRUE(s.plan({}, 100));
  std::vector<source_record> other;
  ASSERT_TRUE(s.read({{topic, 2, 5, 7}}, other));
  expect_records(other, big, topic, 2, 5, 7);
}

TEST_F(PartitionSource, ReadAheadBytesBoundsTheFetcherUnlessMinusXSaysOtherwise) {
  const auto property = [](const kafka::partition_reader& r, const char* name) {
    char value[64] = {0};
    std::size_t size = sizeof value;
    EXPECT_EQ(rd_kafka_conf_get(rd_kafka_conf(r.handle()), name, value, &size), RD_KAFKA_CONF_OK) << name;
    return std::string(value);
  };
  auto cfg = mock_config(mc, topic);
  auto plain = kafka::partition_reader::make(cfg).value();
  EXPECT_EQ(property(*plain, "queued.max.messages.kbytes"), "65536") << "librdkafka's default";
  cfg.read_ahead_bytes = std::size_t{6} << 20;
  auto bounded = kafka::partition_reader::make(cfg).value();
  EXPECT_EQ(property(*bounded, "queued.max.messages.kbytes"), "6144");
  EXPECT_EQ(property(*bounded, "fetch.max.bytes"), "6291456");
  cfg.read_ahead_bytes = 1000;  // below librdkafka's useful minimum: 1 MiB
  EXPECT_EQ(property(*kafka::partition_reader::make(cfg).value(), "queued.max.messages.kbytes"), "1024");
  cfg.properties.emplace_back("queued.max.messages.kbytes", "2048");
  EXPECT_EQ(property(*kafka::partition_reader::make(cfg).value(), "queued.max.messages.kbytes"), "2048");
  // Records still arrive through a small buffer.
  cfg.properties.clear();
  auto s = kafka::partition_source(kafka::partition_reader::make(cfg).value(), {topic, 0},
                                   kafka::starting_offsets::earliest);
  std::vector<source_record> out;
  ASSERT_TRUE(s.read({{topic, 0, 0, 10}}, out));
  expect_records(out, all, topic, 0, 0, 10);
}

TEST_F(PartitionSource, TombstonesEmptyValuesAndNullKeysArriveAsProduced) {
  auto s = source(1);
  const auto p = s.plan({}, 100);
  ASSERT_TRUE(p);
  ASSERT_EQ(p.value(), (std::vector<offset_range>{{topic, 1, 0, 6}}));
  std::vector<source_record> out;
  ASSERT_TRUE(s.read(p.value(), out));
  expect_records(out, all, topic, 1, 0, 6);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_FALSE(out[1].payload.has_value()) << "a tombstone has no payload";
  EXPECT_FALSE(out[2].key.has_value());
  EXPECT_EQ(out[3].key, std::optional<std::string>(""));
  EXPECT_EQ(out[3].payload, std::optional<std::string>("")) << "an empty value is not a tombstone";
  EXPECT_FALSE(out[4].key.has_value());
  EXPECT_FALSE(out[4].payload.has_value());
  for (const auto& r : out) EXPECT_GT(r.timestamp_ms, 0);
}

TEST_F(PartitionSource, RefusesRangesOfOtherPartitions) {
  auto s = source(0);
  std::vector<source_record> out;
  EXPECT_EQ(s.read({{topic, 1, 0, 2}}, out).error(), errc::invalid_argument);
  EXPECT_EQ(s.read({{"other", 0, 0, 2}}, out).error(), errc::invalid_argument);
  EXPECT_TRUE(out.empty());
}

TEST_F(PartitionSource, LatestStartsAtTheEndSeenByTheFirstPlanAndKeepsIt) {
  auto s = source(0, kafka::starting_offsets::latest);
  auto p = s.plan({}, 100);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.value().empty());
  const auto more = mc.produce_many(topic, 0, 3, "late");
  p = s.plan({}, 100);
  ASSERT_TRUE(p);
  ASSERT_EQ(p.value(), (std::vector<offset_range>{{topic, 0, 10, 13}})) << "records after the first plan are not skipped";
  std::vector<source_record> out;
  ASSERT_TRUE(s.read(p.value(), out));
  expect_records(out, more, topic, 0, 10, 13);
}

TEST_F(PartitionSource, EndLimitCapsPlans) {
  auto s = source(0);
  s.set_end_limit(6);
  auto p = s.plan({}, 100);
  ASSERT_TRUE(p);
  EXPECT_EQ(p.value(), (std::vector<offset_range>{{topic, 0, 0, 6}}));
  p = s.plan({{topic, 0, 6, 6}}, 100);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.value().empty());
}

TEST_F(PartitionSource, APositionBeyondTheLogIsAFatalOutOfRange) {
  auto s = source(0);
  const auto p = s.plan({{topic, 0, 50, 50}}, 10);
  ASSERT_FALSE(p);
  EXPECT_EQ(kafka::code_of(p.error()), RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
  EXPECT_TRUE(p.error() == condition::fatal);
  EXPECT_TRUE(logs.contains("cannot plan from offset 50: the log holds [0, 10)")) << logs.all();
  // Reading offsets that are not in the log fails (auto.offset.reset=error), never jumps.
  std::vector<source_record> out;
  const auto r = s.read({{topic, 0, 50, 55}}, out);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == condition::fatal) << r.error().message();
  EXPECT_TRUE(out.empty());
}

TEST_F(PartitionSource, LagIsTheDistanceToTheEndSeen) {
  auto s = source(0);
  EXPECT_EQ(s.lag({{topic, 0, 0, 4}}), (std::vector<std::optional<std::int64_t>>{std::nullopt}));
  const auto p = s.plan({}, 4);
  ASSERT_TRUE(p);
  EXPECT_EQ(s.lag(p.value()), (std::vector<std::optional<std::int64_t>>{6}));
  EXPECT_EQ(s.lag({{topic, 0, 10, 10}, {topic, 1, 0, 1}}),
            (std::vector<std::optional<std::int64_t>>{0, std::nullopt}));
}

TEST_F(PartitionSource, UnknownTopicIsFatal) {
  // The mock cluster creates topics on demand unless told that one does not exist.
  rd_kafka_mock_topic_set_error(mc.get(), "no-such-topic", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  auto cfg = mock_config(mc, "no-such-topic", unique("g"));
  auto s = kafka::partition_source::make(cfg, 0).value();
  const auto p = s.plan({}, 10);
  ASSERT_FALSE(p);
  EXPECT_TRUE(p.error() == condition::fatal) << p.error().message();
  std::string problem;
  const auto m = kafka::group_member::make(cfg, {}, &problem);
  ASSERT_FALSE(m);
  EXPECT_EQ(kafka::code_of(m.error()), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  EXPECT_TRUE(m.error() == condition::fatal);
  EXPECT_EQ(problem, "Kafka: topic 'no-such-topic': Broker: Unknown topic or partition");
}

// --- through the runner: exactness of a whole run, injected errors, broker down -----------

struct run_result {
  memory_checkpoint_store ckpt;
  std::vector<std::vector<std::string>> batches;
  std::vector<progress_record> progress;
  result<run_summary> summary = run_summary{};
  std::vector<std::chrono::milliseconds> sleeps;
};

struct payload_sink {
  using stage_concept = sink_tag;
  std::vector<std::vector<std::string>>* out;
  result<void> write(std::span<const raw_view> values, const batch_plan&) {
    std::vector<std::string> b;
    for (const auto& v : values) b.push_back(v.payload ? std::string(*v.payload) : "<null>");
    out->push_back(std::move(b));
    return success();
  }
};
struct vector_progress {
  using stage_concept = progress_reporter_tag;
  std::vector<progress_record>* out;
  void report(const progress_record& r) { out->push_back(r); }
};

void run_once(kafka::partition_source src, run_result& res, std::int64_t max_per_batch) {
  auto p = make_pipeline(std::move(src), raw_view_codec{}, payload_sink{&res.batches}, memory_batch_log{});
  memory_dead_letter_sink dlq;
  vector_progress progress{&res.progress};
  runner_options opt;
  opt.once = true;
  opt.max_records_per_batch = max_per_batch;
  opt.retry.max_attempts = 6;
  stop_flag stop;
  fake_environment env;
  res.summary = run(p, res.ckpt, dlq, progress, opt, stop, env);
  res.sleeps = env.sleeps;
}

TEST_F(PartitionSource, RunnerReadsEveryRecordOnceWithLagInProgress) {
  run_result res;
  run_once(source(0), res, 3);
  ASSERT_TRUE(res.summary) << res.summary.error().message();
  EXPECT_EQ(res.summary.value().batches, 4);
  std::vector<std::string> got;
  for (const auto& b : res.batches) got.insert(got.end(), b.begin(), b.end());
  std::vector<produced> p0(all.begin(), all.begin() + 10);
  EXPECT_EQ(got, payloads(p0));
  ASSERT_EQ(res.progress.size(), 4u);
  const std::vector<std::int64_t> lags = {7, 4, 1, 0};
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(res.progress[i].lag.size(), 1u);
    EXPECT_EQ(res.progress[i].lag[0], lags[i]);
    EXPECT_NE(to_json(res.progress[i]).find("\"lag\":" + std::to_string(lags[i]) + "}"), std::string::npos)
        << to_json(res.progress[i]);
  }
}

TEST_F(PartitionSource, InjectedListOffsetsErrorsAreClassifiedAndRetried) {
  // The leader's high watermark is not caught up (a leader change): the plan fails retriably,
  // the runner backs off and plans again. (librdkafka itself retries some codes, such as
  // REQUEST_TIMED_OUT, before they could surface.)
  mc.push_errors(api::list_offsets, {RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE,
                                     RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  auto s = source(0);
  const auto direct = s.plan({}, 10);
  ASSERT_FALSE(direct);
  EXPECT_EQ(kafka::code_of(direct.error()), RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE);
  EXPECT_TRUE(direct.error() == condition::retriable);
  run_result res;
  run_once(std::move(s), res, 100);
  ASSERT_TRUE(res.summary) << res.summary.error().message();
  EXPECT_EQ(res.summary.value().records, 10);
  EXPECT_GE(res.sleeps.size(), 1u) << "errors surfaced and were retried";
  ASSERT_EQ(res.batches.size(), 1u);
  EXPECT_EQ(res.batches[0].size(), 10u);
}

TEST_F(PartitionSource, InjectedAuthorizationErrorIsFatalAtOnce) {
  mc.push_errors(api::fetch, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
  run_result res;
  run_once(source(0), res, 100);
  ASSERT_FALSE(res.summary);
  EXPECT_TRUE(res.summary.error() == condition::fatal) << res.summary.error().message();
  EXPECT_EQ(kafka::code_of(res.summary.error()), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  EXPECT_TRUE(kafka::is_access_denied(kafka::code_of(res.summary.error())));
  EXPECT_TRUE(res.sleeps.empty()) << "no retry of a fatal error";
  EXPECT_TRUE(res.batches.empty());
  const auto pending = res.ckpt.pending();
  ASSERT_TRUE(pending && pending.value());
  EXPECT_EQ(pending.value()->ranges, (std::vector<offset_range>{{topic, 0, 0, 10}})) << "the plan stays pending";
  EXPECT_TRUE(logs.contains("reading " + topic + "/0 failed: Broker: Topic authorization failed")) << logs.all();
}

TEST_F(PartitionSource, InjectedFetchErrorsStillReadExactly) {
  mc.push_errors(api::fetch, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH,
                              RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  run_result res;
  run_once(source(0), res, 4);
  ASSERT_TRUE(res.summary) << res.summary.error().message();
  std::vector<std::string> got;
  for (const auto& b : res.batches) got.insert(got.end(), b.begin(), b.end());
  std::vector<produced> p0(all.begin(), all.begin() + 10);
  EXPECT_EQ(got, payloads(p0));
}

TEST_F(PartitionSource, BrokerDownIsRetriableAndRecovers) {
  auto cfg = mock_config(mc, topic);
  cfg.timeout = 1500ms;
  auto s = kafka::partition_source::make(cfg, 0, logs.function()).value();
  mc.broker_down();
  const auto p = s.plan({}, 5);
  ASSERT_FALSE(p);
  EXPECT_TRUE(p.error() == condition::retriable) << p.error().message();
  std::vector<source_record> out;
  const auto r = s.read({{topic, 0, 0, 5}}, out);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == condition::retriable) << r.error().message();
  EXPECT_TRUE(out.empty());
  mc.broker_up();
  // The runner's retries carry it through the rest of the outage.
  run_result res;
  run_once(std::move(s), res, 100);
  ASSERT_TRUE(res.summary) << res.summary.error().message();
  EXPECT_EQ(res.summary.value().records, 10);
}

}  // namespace
