// SPDX-License-Identifier: Apache-2.0
// In-memory stores, null sink, codec and the generic transforms, beyond their laws.

#include "sluice/core/at_least_once.hpp"
#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/memory_sink.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/transforms/dedup_in_batch.hpp"
#include "sluice/core/transforms/filter.hpp"
#include "sluice/core/transforms/map.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace sluice;

TEST(MemoryCheckpointStore, KeepsEveryCommitInOrder) {
  memory_checkpoint_store s;
  for (std::int64_t id = 0; id < 3; ++id) {
    const batch_plan plan{id, {{"t", 0, id, id + 1}}};
    ASSERT_TRUE(s.write_plan(plan));
    ASSERT_TRUE(s.commit({plan, {{"t", 0, id + 1, id + 1}}, ""}));
  }
  ASSERT_EQ(s.history().size(), 3u);
  EXPECT_EQ(s.history()[1].plan.batch_id, 1);
  EXPECT_EQ(s.plan_writes(), 3);
}

TEST(MemoryDeadLetterSink, EmptyBatchesStoreNothing) {
  memory_dead_letter_sink d;
  ASSERT_TRUE(d.write(0, {}));
  EXPECT_TRUE(d.by_batch().empty());
  EXPECT_EQ(d.write_calls(), 1);
}

TEST(MemoryBatchLog, DistinguishesPlansWithTheSameId) {
  memory_batch_log log;
  ASSERT_TRUE(log.mark_done({0, {{"t", 0, 0, 5}}}));
  EXPECT_TRUE(log.is_done({0, {{"t", 0, 0, 5}}}).value());
  EXPECT_FALSE(log.is_done({0, {{"t", 0, 0, 6}}}).value());
}

TEST(NullSink, CountsValuesAndBatches) {
  null_sink k;
  const std::vector<int> a{1, 2, 3};
  const std::vector<std::string> b{"x"};
  ASSERT_TRUE(k.write(std::span<const int>(a), batch_plan{}));
  ASSERT_TRUE(k.write(std::span<const std::string>(b), batch_plan{}));
  EXPECT_EQ(k.values(), 4);
  EXPECT_EQ(k.batches(), 2);
}

TEST(RawViewCodec, ViewsKeyAndPayloadWithoutCopying) {
  const std::vector<source_record> in{{"t", 0, 7, 99, std::string("k"), std::nullopt},
                                      {"t", 0, 8, 100, std::nullopt, std::string("p")}};
  std::vector<raw_view> out;
  reject_list rejects;
  ASSERT_TRUE(raw_view_codec{}.decode(in, out, rejects));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].key->data(), in[0].key->data());
  EXPECT_FALSE(out[0].payload.has_value());
  EXPECT_FALSE(out[1].key.has_value());
  EXPECT_EQ(*out[1].payload, "p");
  EXPECT_EQ(out[1].timestamp_ms, 100);
  EXPECT_EQ(out[1].origin, 1u);
  EXPECT_TRUE(rejects.empty());
}

TEST(DedupInBatch, KeepsOriginsOfTheFirstOccurrencesAndCountsDrops) {
  dedup_in_batch<object> d;
  std::vector<object> in{{"a", "1", 0}, {"a", "2", 1}, {"b", "3", 2}, {"a", "4", 3}};
  std::vector<object> out;
  reject_list rejects;
  ASSERT_TRUE(d.apply(in, out, rejects));
  EXPECT_EQ(out, (std::vector<object>{{"a", "1", 0}, {"b", "3", 2}}));
  EXPECT_EQ(d.dropped(), 2);
  // Stateless across batches: the same keys pass again in the next batch.
  std::vector<object> in2{{"a", "5", 0}};
  out.clear();
  ASSERT_TRUE(d.apply(in2, out, rejects));
  EXPECT_EQ(out.size(), 1u);
}

TEST(DedupInBatch, AppendsAfterExistingOutput) {
  dedup_in_batch<object> d;
  std::vector<object> out{{"x", "0", 9}};
  std::vector<object> in{{"x", "1", 0}, {"x", "2", 1}};
  reject_list rejects;
  ASSERT_TRUE(d.apply(in, out, rejects));
  // Dedup is within the input batch; values already in `out` are not its business.
  EXPECT_EQ(out, (std::vector<object>{{"x", "0", 9}, {"x", "1", 0}}));
}

TEST(MapAndFilter, PreserveOrder) {
  auto m = map_values<int>([](int v) { return v * 10; });
  auto f = filter_values<int>([](const int& v) { return v % 20 == 0; });
  std::vector<int> in{1, 2, 3, 4};
  std::vector<int> mid, out;
  reject_list rejects;
  ASSERT_TRUE(m.apply(in, mid, rejects));
  ASSERT_TRUE(f.apply(mid, out, rejects));
  EXPECT_EQ(mid, (std::vector<int>{10, 20, 30, 40}));
  EXPECT_EQ(out, (std::vector<int>{20, 40}));
  EXPECT_EQ(f.dropped(), 2);
}

TEST(AtLeastOnce, KnowsNothing) {
  at_least_once p;
  ASSERT_TRUE(p.mark_done({0, {}}));
  EXPECT_FALSE(p.is_done({0, {}}).value());
}

}  // namespace
