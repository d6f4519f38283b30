// SPDX-License-Identifier: Apache-2.0
// memory_source: fair planning, positions, gaps, errors. (Its general laws run in test/laws.)

#include "sluice/core/memory_source.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace sluice;

memory_source lagging(std::initializer_list<int> lags) {
  memory_source s;
  std::int32_t part = 0;
  for (const int n : lags) {
    for (int i = 0; i < n; ++i) s.push("t", part, std::nullopt, "x");
    ++part;
  }
  return s;
}

TEST(MemorySource, SharesTheBudgetFairlyByWaterFilling) {
  const auto s = lagging({10, 5, 1});
  // Shares of 3 (one partition takes only 1), then the 2 left go one each to the hungry ones.
  EXPECT_EQ(s.plan({}, 9).value(),
            (std::vector<offset_range>{{"t", 0, 0, 4}, {"t", 1, 0, 4}, {"t", 2, 0, 1}}));
  // A budget smaller than the partition count goes to the first partitions.
  EXPECT_EQ(s.plan({}, 2).value(), (std::vector<offset_range>{{"t", 0, 0, 1}, {"t", 1, 0, 1}}));
  // Enough for everything.
  EXPECT_EQ(s.plan({}, 100).value(),
            (std::vector<offset_range>{{"t", 0, 0, 10}, {"t", 1, 0, 5}, {"t", 2, 0, 1}}));
}

TEST(MemorySource, PlansFromThePositionAndSkipsCaughtUpPartitions) {
  const auto s = lagging({10, 5});
  const source_position pos{{"t", 0, 8, 8}, {"t", 1, 5, 5}};
  EXPECT_EQ(s.plan(pos, 100).value(), (std::vector<offset_range>{{"t", 0, 8, 10}}));
  const source_position done{{"t", 0, 10, 10}, {"t", 1, 5, 5}};
  EXPECT_TRUE(s.plan(done, 100).value().empty());
  const source_position beyond{{"t", 0, 50, 50}, {"t", 1, 50, 50}};
  EXPECT_TRUE(s.plan(beyond, 100).value().empty());
}

TEST(MemorySource, RangesCoverOffsetsAcrossCompactionGaps) {
  memory_source s;
  for (const std::int64_t o : {5, 6, 20}) ASSERT_TRUE(s.add({"c", 0, o, 0, std::nullopt, "x"}));
  const auto first = s.plan({}, 3).value();
  EXPECT_EQ(first, (std::vector<offset_range>{{"c", 0, 5, 8}}));  // earliest is 5
  std::vector<source_record> out;
  ASSERT_TRUE(s.read(first, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].offset, 6);
  const auto next = s.plan({{"c", 0, 8, 8}}, 100).value();
  EXPECT_EQ(next, (std::vector<offset_range>{{"c", 0, 8, 21}}));
  out.clear();
  ASSERT_TRUE(s.read(next, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].offset, 20);
}

TEST(MemorySource, PushAssignsDenseOffsetsPerPartition) {
  memory_source s;
  EXPECT_EQ(s.push("a", 0, std::nullopt, "x"), 0);
  EXPECT_EQ(s.push("a", 0, std::nullopt, "x"), 1);
  EXPECT_EQ(s.push("a", 1, std::nullopt, "x"), 0);
  EXPECT_EQ(s.push("b", 0, std::nullopt, "x"), 0);
  EXPECT_EQ(s.size(), 4u);
  // Partitions are planned in (topic, partition) order whatever the insertion order.
  EXPECT_EQ(s.plan({}, 100).value(),
            (std::vector<offset_range>{{"a", 0, 0, 2}, {"a", 1, 0, 1}, {"b", 0, 0, 1}}));
}

TEST(MemorySource, RejectsBadInput) {
  memory_source s;
  ASSERT_TRUE(s.add({"a", 0, 3, 0, std::nullopt, "x"}));
  EXPECT_EQ(s.add({"a", 0, 3, 0, std::nullopt, "x"}).error(), errc::invalid_argument);
  EXPECT_EQ(s.add({"a", 0, 2, 0, std::nullopt, "x"}).error(), errc::invalid_argument);
  EXPECT_EQ(s.add({"a", 1, -1, 0, std::nullopt, "x"}).error(), errc::invalid_argument);
  EXPECT_EQ(s.plan({}, 0).error(), errc::invalid_argument);
  std::vector<source_record> out;
  EXPECT_EQ(s.read({{"zz", 0, 0, 1}}, out).error(), errc::invalid_argument);
}

TEST(MemorySource, CommitRemembersTheHighestEnd) {
  memory_source s = lagging({5});
  ASSERT_TRUE(s.commit({{"t", 0, 0, 3}}));
  ASSERT_TRUE(s.commit({{"t", 0, 0, 2}}));
  EXPECT_EQ(s.committed("t", 0), 3);
  EXPECT_EQ(s.committed("t", 9), 0);
  EXPECT_EQ(s.commit_calls(), 2);
}

}  // namespace

namespace {

TEST(PlanFairly, SharesInBacklogOrderAndNeverExceedsTheBudget) {
  using sluice::partition_backlog;
  const std::vector<partition_backlog> b{{"a", 0, 10, 11}, {"a", 1, 0, 100}, {"b", 0, 5, 7}};
  EXPECT_TRUE(sluice::plan_fairly(b, 0).empty());
  EXPECT_EQ(sluice::plan_fairly(b, 1), (std::vector<sluice::offset_range>{{"a", 0, 10, 11}}));
  EXPECT_EQ(sluice::plan_fairly(b, 10),
            (std::vector<sluice::offset_range>{{"a", 0, 10, 11}, {"a", 1, 0, 7}, {"b", 0, 5, 7}}));
  EXPECT_EQ(sluice::plan_fairly(b, 1000),
            (std::vector<sluice::offset_range>{{"a", 0, 10, 11}, {"a", 1, 0, 100}, {"b", 0, 5, 7}}));
  const std::vector<partition_backlog> caught_up{{"a", 0, 4, 4}};
  EXPECT_TRUE(sluice::plan_fairly(caught_up, 10).empty());
}

}  // namespace
