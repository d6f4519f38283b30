// SPDX-License-Identifier: Apache-2.0
#include "sluice/store/key.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

namespace {

TEST(RelativeKey, ChecksRelativeKeys) {
  for (const char* good : {"a", "a/b.c", "a..b/c", ".hidden/x", "gg.ggadmin.t/-1.avsc"})
    EXPECT_TRUE(sluice::store::check_relative_key(good)) << good;
  for (const char* bad : {"", "/a", "a/", "a//b", "./a", "a/./b", "../a", "a/..", ".sluice-tmp-1-2",
                          "x/.a.avsc.sluice-tmp-12-0"})
    EXPECT_EQ(sluice::store::check_relative_key(bad).error(), sluice::errc::invalid_argument) << bad;
  // Names that merely look alike are ordinary keys.
  for (const char* good : {".sluice-tmp-1", "a/.sluice-tmpx", "x.sluice-tmp-1-2", ".a.sluice-tmp-1-x"})
    EXPECT_TRUE(sluice::store::check_relative_key(good)) << good;
}

TEST(RelativeKey, LastOfEachKeyKeepsTheLastObjectOfAKeyInBatchOrder) {
  const std::vector<sluice::object> batch{{"a", "1", 0}, {"b/c", "2", 1}, {"a", "3", 2}, {"d", "4", 3}, {"b/c", "5", 4}};
  EXPECT_EQ(sluice::store::last_of_each_key(batch).value(), (std::vector<std::size_t>{2, 3, 4}));
  EXPECT_TRUE(sluice::store::last_of_each_key({}).value().empty());
  const std::vector<sluice::object> bad{{"a", "1", 0}, {"../x", "2", 1}};
  EXPECT_EQ(sluice::store::last_of_each_key(bad).error(), sluice::errc::invalid_argument);
}

}  // namespace
