// SPDX-License-Identifier: Apache-2.0
// The composed schema-writer pipeline in process: in-memory source, sink and stores, driven by
// the runner; in-batch dedup, filtered envelopes, dead letters, and the replay of a failed batch
// recognized by the completed-batches log.
#include "sluice/core/memory_sink.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/idempotency/none.hpp"
#include "sluice/schema_writer/pipeline.hpp"
#include "sluice/store/memory_blobs.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace sw = sluice::schema_writer;
using sluice::object;

static_assert(std::is_same_v<sw::file_pipeline::value_type, object>);
static_assert(sw::file_pipeline::transform_count == 2);
static_assert(!sw::file_pipeline::has_state);
static_assert(std::is_same_v<sw::file_pipeline::source_type, sluice::fs::kcat_source>);

namespace {

constexpr const char* table_schema =
    R"({"type":"record","name":"T","namespace":"HR","fields":[{"name":"ID","type":"long"},{"name":"AMOUNT","type":{"type":"bytes","logicalType":"decimal","precision":44,"scale":2}}]})";
constexpr const char* table_schema_v2 =
    R"({"type":"record","name":"T","namespace":"HR","fields":[{"name":"ID","type":"long"},{"name":"NOTE","type":"string"}]})";
constexpr const char* wrapper_schema =
    R"({"type":"record","name":"generic_wrapper","namespace":"oracle.goldengate","fields":[{"name":"table_name","type":"string"}]})";

// A sink over memory_object_sink that fails its next write with a fatal error when armed.
struct failing_sink {
  using stage_concept = sluice::sink_tag;
  sluice::memory_object_sink inner;
  bool fail_next = false;
  sluice::result<void> write(std::span<const object> values, const sluice::batch_plan& plan) {
    if (fail_next) {
      fail_next = false;
      return sluice::errc::io_error;
    }
    return inner.write(values, plan);
  }
};

struct fixed_clock {
  std::chrono::system_clock::time_point now() const {
    return std::chrono::sys_days{std::chrono::year{2025} / 8 / 31} + std::chrono::hours{23};
  }
};

using log_policy = sluice::idempotency::completed_batches_log<sluice::store::memory_blobs,
                                                              fixed_clock>;

void fill(sluice::memory_source& src) {
  src.push("gg", 0, "DB.HR.T", table_schema);        // 0
  src.push("gg", 0, "DB.HR.T", table_schema);        // 1: same (table, fingerprint): dropped
  src.push("gg", 0, "generic_wrapper", wrapper_schema);  // 2: filtered
  src.push("gg", 0, "DB.HR.T", std::nullopt);        // 3: tombstone: dead letter
  src.push("gg", 0, "DB.HR.T", table_schema_v2);     // 4: a new version of the table
  src.push("gg", 1, "OTHER.HR.T", table_schema);     // partition 1: another table
}

}  // namespace

TEST(SchemaWriterPipeline, ComposedPipelineWritesDedupedCatalogObjects) {
  sluice::memory_source src;
  fill(src);
  sw::catalog_pipeline<sluice::memory_source, sluice::memory_object_sink, sluice::idempotency::none>
      p(std::move(src), sw::message_codec{}, sw::catalog_transform{}, sw::catalog_dedup{},
        sluice::memory_object_sink{}, sluice::idempotency::none{});
  sluice::memory_checkpoint_store ckpt;
  sluice::memory_dead_letter_sink dlq;
  sluice::null_progress progress;
  sluice::runner_options opt;
  opt.once = true;
  sluice::stop_flag stop;
  const auto summary = sluice::run(p, ckpt, dlq, progress, opt, stop);
  ASSERT_TRUE(summary) << summary.error().message();
  EXPECT_EQ(summary.value().batches, 1);
  EXPECT_EQ(summary.value().records, 6);
  EXPECT_EQ(summary.value().rejects, 1);

  const auto fp1 = sluice::avro::fingerprint(table_schema).value();
  const auto fp2 = sluice::avro::fingerprint(table_schema_v2).value();
  const auto& contents = p.sink().contents();
  ASSERT_EQ(contents.size(), 3u);
  const auto pre1 = sluice::avro::preprocess(table_schema).value();
  EXPECT_EQ(contents.at(sw::catalog_key("db.hr.t", fp1)), pre1);
  EXPECT_EQ(contents.at(sw::catalog_key("db.hr.t", fp2)),
            sluice::avro::preprocess(table_schema_v2).value());
  EXPECT_EQ(contents.at(sw::catalog_key("other.hr.t", fp1)), pre1);
  EXPECT_EQ(p.transform<1>().dropped(), 1);
  EXPECT_EQ(p.transform<0>().stats(), (sw::catalog_stats{4, 1, 0}));

  const auto letters = dlq.letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].topic, "gg");
  EXPECT_EQ(letters[0].offset, 3);
  EXPECT_EQ(letters[0].key, "DB.HR.T");
  EXPECT_FALSE(letters[0].payload);
  EXPECT_NE(letters[0].reason.find("no payload"), std::string::npos);
}

TEST(SchemaWriterPipeline, FailedBatchIsReplayedExactlyAndLoggedOnce) {
  sluice::store::memory_blobs store;  // shared by both "processes"
  sluice::memory_checkpoint_store ckpt;
  sluice::memory_dead_letter_sink dlq;
  sluice::null_progress progress;
  sluice::runner_options opt;
  opt.once = true;
  opt.max_records_per_batch = 4;
  opt.retry.max_attempts = 1;
  sluice::stop_flag stop;

  sluice::memory_source src;
  fill(src);
  using P = sw::catalog_pipeline<sluice::memory_source, failing_sink, log_policy>;
  // First process: the first batch's write fails fatally.
  {
    P p(src, sw::message_codec{}, sw::catalog_transform{}, sw::catalog_dedup{},
        failing_sink{{}, true}, log_policy::make(store, "app", "s").value());
    const auto r = sluice::run(p, ckpt, dlq, progress, opt, stop);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), sluice::errc::io_error);
    EXPECT_TRUE(p.sink().inner.contents().empty());
  }
  const auto pending = ckpt.pending().value();
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->batch_id, 0);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_TRUE(dlq.letters().empty());

  // Second process: replays exactly that plan, then goes on.
  P p(src, sw::message_codec{}, sw::catalog_transform{}, sw::catalog_dedup{}, failing_sink{},
      log_policy::make(store, "app", "s").value());
  const auto r = sluice::run(p, ckpt, dlq, progress, opt, stop);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r.value().replayed, 1);
  EXPECT_EQ(r.value().records, 6);
  const auto history = ckpt.history();
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.front().plan, *pending);
  EXPECT_EQ(p.sink().inner.contents().size(), 3u);
  EXPECT_EQ(dlq.letters().size(), 1u);
  const auto logged = p.idempotency().list().value();
  ASSERT_EQ(logged.size(), history.size());
  for (std::size_t i = 0; i < logged.size(); ++i) {
    EXPECT_EQ(logged[i].batch_id, static_cast<std::int64_t>(i));
    EXPECT_EQ(logged[i].ranges, history[i].plan.ranges);
    EXPECT_EQ(logged[i].yyyymm, 202508);
  }
}
