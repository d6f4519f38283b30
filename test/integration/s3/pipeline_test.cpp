// SPDX-License-Identifier: Apache-2.0
// A whole pipeline on S3: records → objects through the runner, with the object sink, the
// completed-batches log, the checkpoint store and the dead letters all on the real S3 server;
// a second run picks up only the new records, and every batch is logged once.
#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/core/transforms/map.hpp"
#include "sluice/idempotency/completed_batches_log.hpp"
#include "sluice/s3/checkpoint_store.hpp"
#include "sluice/s3/dead_letters.hpp"
#include "sluice/s3/object_sink.hpp"

#include "support/s3_services.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

TEST(S3ServerPipeline, RunsOnceThenOnlyTheNewRecords) {
  auto c = sluice_s3_it::make_client();
  const auto bucket = sluice_s3_it::fresh_bucket(*c);
  using log_t = sluice::idempotency::completed_batches_log<sluice::s3::blob_store>;
  sluice::memory_source src;
  for (int i = 0; i < 5; ++i) src.push("schemas", i % 2, "t" + std::to_string(i) + "/s.avsc", "v" + std::to_string(i));
  auto to_object = sluice::map_values<sluice::raw_view>([](const sluice::raw_view& v) {
    return sluice::object{std::string(v.key.value_or("none")), std::string(v.payload.value_or("")), v.origin};
  });
  auto make = [&](sluice::memory_source s) {
    return sluice::make_pipeline(std::move(s), sluice::raw_view_codec{}, to_object,
                                 sluice::s3::object_sink(c, {bucket, "catalog"}),
                                 log_t::make(sluice::s3::blob_store(c, {bucket, "state/log"}), "sw", "main").value());
  };
  sluice::s3::checkpoint_store ckpt(sluice::s3::blob_store(c, {bucket, "state/checkpoint"}));
  sluice::s3::dead_letters dlq(sluice::s3::blob_store(c, {bucket, "state/dead-letters"}));
  sluice::null_progress progress;
  sluice::runner_options opt;
  opt.once = true;
  opt.max_records_per_batch = 3;
  sluice::stop_flag stop;

  auto p = make(src);
  const auto first = sluice::run(p, ckpt, dlq, progress, opt, stop);
  ASSERT_TRUE(first) << first.error().message() << ": " << c->last_error();
  EXPECT_EQ(first.value().records, 5);
  const auto batches_first = first.value().batches;
  EXPECT_GE(batches_first, 2);

  for (int i = 5; i < 8; ++i) src.push("schemas", i % 2, "t" + std::to_string(i) + "/s.avsc", "v" + std::to_string(i));
  auto p2 = make(src);
  sluice::s3::checkpoint_store reopened(sluice::s3::blob_store(c, {bucket, "state/checkpoint"}));
  const auto second = sluice::run(p2, reopened, dlq, progress, opt, stop);
  ASSERT_TRUE(second) << second.error().message() << ": " << c->last_error();
  EXPECT_EQ(second.value().records, 3) << "only the new records";

  auto catalog = sluice_s3_it::objects_under(*c, bucket, "catalog/");
  ASSERT_EQ(catalog.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(catalog["catalog/t" + std::to_string(i) + "/s.avsc"], "v" + std::to_string(i));

  auto log = log_t::make(sluice::s3::blob_store(c, {bucket, "state/log"}), "sw", "main").value();
  const auto records = log.list().value();
  EXPECT_EQ(static_cast<std::int64_t>(records.size()), batches_first + second.value().batches) << "each batch once";
  const auto last = reopened.last_commit().value();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->plan.batch_id, records.back().batch_id);
  EXPECT_EQ(reopened.pending().value(), std::nullopt);
  EXPECT_TRUE(c->get_object(bucket, "state/checkpoint/commit.json").value().has_value());
}

}  // namespace
