// SPDX-License-Identifier: Apache-2.0
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/idempotency/completed_batches_log.hpp"
#include "sluice/idempotency/none.hpp"
#include "sluice/store/memory_blobs.hpp"

#include "../fs/mini_json.hpp"
#include "../fs/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace std::chrono;
using sluice::batch_plan;
using sluice::idempotency::completed_batch;
using sluice::idempotency::completed_batches_log;
using sluice::fs::directory_blobs;
using sluice::store::memory_blobs;
namespace mj = sluice_test::mini_json;

/// A clock the test sets; copies share the time.
struct manual_clock {
  std::shared_ptr<system_clock::time_point> t = std::make_shared<system_clock::time_point>();
  [[nodiscard]] system_clock::time_point now() const { return *t; }
  void set_ms(std::int64_t ms) { *t = system_clock::time_point(milliseconds(ms)); }
};

// Instants, checked with `date -u -d @<seconds>`.
constexpr std::int64_t aug_31_last_ms = 1756684799999;   // 2025-08-31T23:59:59.999Z
constexpr std::int64_t sep_1_first_ms = 1756684800000;   // 2025-09-01T00:00:00.000Z
constexpr std::int64_t oct_1_first_ms = 1759276800000;   // 2025-10-01T00:00:00.000Z
constexpr std::int64_t dec_31_2024_ms = 1735689599000;   // 2024-12-31T23:59:59.000Z
constexpr std::int64_t jan_1_2025_ms = 1735689601000;    // 2025-01-01T00:00:01.000Z
constexpr std::int64_t feb_1_2025_ms = 1738368000000;    // 2025-02-01T00:00:00.000Z

batch_plan plan_of(std::int64_t id) {
  return {id, {{"gg-schemas", 0, 10 * id, 10 * id + 10}, {"gg-schemas", 1, 3, 3 + id}}};
}

static_assert(sluice::idempotency_policy<completed_batches_log<memory_blobs, manual_clock>>);
static_assert(sluice::idempotency_policy<completed_batches_log<directory_blobs>>);
static_assert(std::is_empty_v<sluice::idempotency::none>);
static_assert(sluice::idempotency_policy<sluice::idempotency::none>);
// An empty clock costs nothing: the log is its store and its two names.
static_assert(sizeof(completed_batches_log<memory_blobs>) ==
              sizeof(memory_blobs) + 2 * sizeof(std::string));

// Both store models, behind one interface for the typed tests.
struct memory_env {
  using store = memory_blobs;
  store s;
  store make_store() { return s; }  // copies share the blobs
};
struct file_env {
  using store = directory_blobs;
  sluice_test::temp_dir dir;
  store make_store() { return directory_blobs(dir / "log"); }
};

template <class Env>
class CompletedBatchesLog : public ::testing::Test {
 protected:
  using log_t = completed_batches_log<typename Env::store, manual_clock>;
  Env env;
  manual_clock clock;

  log_t make(std::string app = "schema-writer", std::string stream = "gg-schemas") {
    return log_t::make(env.make_store(), std::move(app), std::move(stream), clock).value();
  }
  std::vector<std::string> keys() {
    auto s = env.make_store();
    return s.list("").value();
  }
  std::string blob(const std::string& key) {
    auto s = env.make_store();
    return s.get(key).value().value();
  }
};
using envs = ::testing::Types<memory_env, file_env>;
TYPED_TEST_SUITE(CompletedBatchesLog, envs);

TYPED_TEST(CompletedBatchesLog, MarkDoneWritesOneRecordAtTheDocumentedKey) {
  this->clock.set_ms(1755000000000);  // 2025-08-12T12:00:00.000Z
  auto log = this->make();
  EXPECT_FALSE(log.is_done(plan_of(0)).value());
  ASSERT_TRUE(log.mark_done(plan_of(0)));
  EXPECT_TRUE(log.is_done(plan_of(0)).value());
  EXPECT_FALSE(log.is_done(plan_of(1)).value());
  const std::string key = "yyyymm=202508/schema-writer/gg-schemas/batch-0.json";
  ASSERT_EQ(this->keys(), std::vector<std::string>{key});
  const std::string text = this->blob(key);
  ASSERT_EQ(text.back(), '\n');
  const auto o = mj::parse(text.substr(0, text.size() - 1));
  EXPECT_EQ(std::get<std::string>(o.at("app")), "schema-writer");
  EXPECT_EQ(std::get<std::string>(o.at("stream_name")), "gg-schemas");
  EXPECT_EQ(std::get<std::int64_t>(o.at("batch_id")), 0);
  EXPECT_EQ(std::get<std::string>(o.at("completed_at")), "2025-08-12T12:00:00.000Z");
  EXPECT_EQ(std::get<std::int64_t>(o.at("yyyymm")), 202508);
  EXPECT_NE(text.find(R"("ranges":[{"topic":"gg-schemas","partition":0,"from":0,"to":10},)"
                      R"({"topic":"gg-schemas","partition":1,"from":3,"to":3}])"),
            std::string::npos)
      << text;
}

TYPED_TEST(CompletedBatchesLog, MarkingTwiceNeverWritesASecondRecord) {
  this->clock.set_ms(1755000000000);
  auto log = this->make();
  ASSERT_TRUE(log.mark_done(plan_of(3)));
  const auto first = this->blob("yyyymm=202508/schema-writer/gg-schemas/batch-3.json");
  this->clock.set_ms(1755000000000 + 60'000);
  ASSERT_TRUE(log.mark_done(plan_of(3)));
  auto restarted = this->make();
  ASSERT_TRUE(restarted.mark_done(plan_of(3)));
  EXPECT_EQ(this->keys().size(), 1u);
  EXPECT_EQ(this->blob("yyyymm=202508/schema-writer/gg-schemas/batch-3.json"), first);
}

TYPED_TEST(CompletedBatchesLog, ARecordOfLastMonthIsFoundAcrossTheMonthBoundary) {
  this->clock.set_ms(aug_31_last_ms);
  auto log = this->make();
  ASSERT_TRUE(log.mark_done(plan_of(7)));
  this->clock.set_ms(sep_1_first_ms);  // one millisecond later, another month
  EXPECT_TRUE(log.is_done(plan_of(7)).value());
  ASSERT_TRUE(log.mark_done(plan_of(7)));  // a replay after the boundary: no September record
  EXPECT_EQ(this->keys(), std::vector<std::string>{"yyyymm=202508/schema-writer/gg-schemas/batch-7.json"});
  ASSERT_TRUE(log.mark_done(plan_of(8)));
  EXPECT_EQ(this->keys().back(), "yyyymm=202509/schema-writer/gg-schemas/batch-8.json");
  // Two months on, August is out of the lookup window (the documented retention).
  this->clock.set_ms(oct_1_first_ms);
  EXPECT_FALSE(log.is_done(plan_of(7)).value());
  EXPECT_TRUE(log.is_done(plan_of(8)).value());
}

TYPED_TEST(CompletedBatchesLog, ARecordOfLastYearIsFoundAcrossTheYearBoundary) {
  this->clock.set_ms(dec_31_2024_ms);
  auto log = this->make();
  ASSERT_TRUE(log.mark_done(plan_of(0)));
  EXPECT_EQ(this->keys(), std::vector<std::string>{"yyyymm=202412/schema-writer/gg-schemas/batch-0.json"});
  this->clock.set_ms(jan_1_2025_ms);
  EXPECT_TRUE(log.is_done(plan_of(0)).value());
  auto restarted = this->make();  // a new process in the new year
  EXPECT_TRUE(restarted.is_done(plan_of(0)).value());
  ASSERT_TRUE(restarted.mark_done(plan_of(0)));
  EXPECT_EQ(this->keys().size(), 1u);
  this->clock.set_ms(feb_1_2025_ms);
  EXPECT_FALSE(restarted.is_done(plan_of(0)).value());
}

TYPED_TEST(CompletedBatchesLog, ARecordWithOtherRangesIsCorruptState) {
  this->clock.set_ms(1755000000000);
  auto log = this->make();
  ASSERT_TRUE(log.mark_done(plan_of(2)));
  auto other = plan_of(2);
  other.ranges[0].to += 1;
  EXPECT_EQ(log.is_done(other).error(), sluice::errc::corrupt_state);
  EXPECT_EQ(log.mark_done(other).error(), sluice::errc::corrupt_state);
  EXPECT_EQ(this->keys().size(), 1u);
}

TYPED_TEST(CompletedBatchesLog, UnreadableOrMisplacedRecordsAreCorruptState) {
  this->clock.set_ms(1755000000000);
  auto log = this->make();
  auto store = this->env.make_store();
  const std::string key = "yyyymm=202508/schema-writer/gg-schemas/batch-5.json";
  for (const std::string bad :
       {"", "{", "[]", R"({"app":"schema-writer"})",
        // a valid record of batch 6 under the key of batch 5
        R"({"app":"schema-writer","stream_name":"gg-schemas","batch_id":6,"completed_at":"x","yyyymm":202508,"ranges":[]})",
        // a record of another stream under this stream's key
        R"({"app":"schema-writer","stream_name":"other","batch_id":5,"completed_at":"x","yyyymm":202508,"ranges":[]})",
        // a record claiming another month than its partition
        R"({"app":"schema-writer","stream_name":"gg-schemas","batch_id":5,"completed_at":"x","yyyymm":202507,"ranges":[]})"}) {
    ASSERT_TRUE(store.put(key, bad));
    EXPECT_EQ(log.is_done(plan_of(5)).error(), sluice::errc::corrupt_state) << bad;
    EXPECT_EQ(log.mark_done(plan_of(5)).error(), sluice::errc::corrupt_state) << bad;
    EXPECT_EQ(log.list().error(), sluice::errc::corrupt_state) << bad;
  }
}

TYPED_TEST(CompletedBatchesLog, StreamsSharingAStoreSeeOnlyTheirOwnRecords) {
  this->clock.set_ms(1755000000000);
  auto a = this->make("app", "one");
  auto b = this->make("app", "two");
  auto c = this->make("other-app", "one");
  ASSERT_TRUE(a.mark_done(plan_of(0)));
  EXPECT_FALSE(b.is_done(plan_of(0)).value());
  EXPECT_FALSE(c.is_done(plan_of(0)).value());
  ASSERT_TRUE(b.mark_done(plan_of(0)));
  EXPECT_EQ(a.list().value().size(), 1u);
  EXPECT_EQ(b.list().value().size(), 1u);
  EXPECT_TRUE(c.list().value().empty());
}

TYPED_TEST(CompletedBatchesLog, ListReturnsRecordsInBatchOrderFromAMonthOn) {
  auto log = this->make();
  const std::vector<std::pair<std::int64_t, std::int64_t>> marks{
      {0, 1762000000000},   // 2025-11-01 → 202511
      {1, 1764000000000},   // 2025-11-24 → 202511
      {2, 1765000000000},   // 2025-12-06 → 202512
      {3, 1767300000000},   // 2026-01-01T20:40Z → 202601
      {4, 1767400000000}};  // 2026-01-03 → 202601
  for (const auto& [id, ms] : marks) {
    this->clock.set_ms(ms);
    ASSERT_TRUE(log.mark_done(plan_of(id)));
  }
  // Entries under the stream that are not records are ignored.
  auto store = this->env.make_store();
  ASSERT_TRUE(store.put("yyyymm=202512/schema-writer/gg-schemas/notes.txt", "x"));
  ASSERT_TRUE(store.put("yyyymm=202512/schema-writer/gg-schemas/batch-x.json", "x"));
  ASSERT_TRUE(store.put("yyyymm=2025/schema-writer/gg-schemas/batch-9.json", "x"));
  const auto all = log.list().value();
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].batch_id, static_cast<std::int64_t>(i));
    EXPECT_EQ(all[i].ranges, plan_of(all[i].batch_id).ranges);
    EXPECT_EQ(all[i].app, "schema-writer");
  }
  EXPECT_EQ(all[0].yyyymm, 202511);
  EXPECT_EQ(all[2].yyyymm, 202512);
  EXPECT_EQ(all[3].completed_at, "2026-01-01T20:40:00.000Z");
  const auto since = log.list(202512).value();
  ASSERT_EQ(since.size(), 3u);
  EXPECT_EQ(since[0].batch_id, 2);
  EXPECT_TRUE(log.list(202602).value().empty());
  // The audit line is the stored record.
  EXPECT_EQ(sluice::idempotency::to_json(all[3]).value() + "\n",
            store.get(log.key_of(202601, 3)).value().value());
}

TYPED_TEST(CompletedBatchesLog, RefusesBadNamesAndIds) {
  using log_t = typename TestFixture::log_t;
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", ".hidden", "a/b", "a b", "é", std::string(256, 'a')}) {
    EXPECT_EQ(log_t::make(this->env.make_store(), bad, "s", this->clock).error(),
              sluice::errc::invalid_argument)
        << bad;
    EXPECT_EQ(log_t::make(this->env.make_store(), "a", bad, this->clock).error(),
              sluice::errc::invalid_argument)
        << bad;
  }
  auto log = this->make("App_1.v-2", "s");
  EXPECT_EQ(log.is_done({-1, {}}).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(log.mark_done({-1, {}}).error(), sluice::errc::invalid_argument);
}

TEST(CompletedBatchesLogRecord, RoundTripsThroughJson) {
  const completed_batch b{"a", "s", 42, "2025-08-12T12:00:00.000Z", 202508,
                          {{"t \"q\" \xc3\xa9", 2, 5, 9}, {"u", 0, 0, 0}}};
  const auto text = sluice::idempotency::to_json(b).value();
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(sluice::idempotency::parse_completed_batch(text).value(), b);
  auto bad = b;
  bad.app = "\xff";
  EXPECT_EQ(sluice::idempotency::to_json(bad).error(), sluice::errc::invalid_argument);
}

TEST(CompletedBatchesLogFiles, ASecondProcessSeesTheRecordsOnDisk) {
  sluice_test::temp_dir dir;
  manual_clock clock;
  clock.set_ms(1755000000000);
  {
    auto log = completed_batches_log<directory_blobs, manual_clock>::make(directory_blobs(dir / "log"), "a",
                                                                         "s", clock)
                   .value();
    ASSERT_TRUE(log.mark_done(plan_of(0)));
  }
  // With the real clock (2025-08 may be outside its lookup window), the audit list finds it.
  auto log = completed_batches_log<directory_blobs>::make(directory_blobs(dir / "log"), "a", "s").value();
  const auto all = log.list().value();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].ranges, plan_of(0).ranges);
  EXPECT_EQ(sluice_test::files_under(dir / "log"),
            std::set<std::string>{"yyyymm=202508/a/s/batch-0.json"});
}

}  // namespace
