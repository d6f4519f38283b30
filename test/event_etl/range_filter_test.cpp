// SPDX-License-Identifier: Apache-2.0
// range_filter: every reason, inclusive bounds, custom ranges, order kept, counts.
#include "helpers.hpp"

#include "sluice/event_etl/range_filter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace stream_test;

TEST(RangeFilter, FirstFailingCheckDecides) {
  range_filter f;
  std::vector<device_event> in;
  auto ok = event("a", "d", 0, 0.0, 0.0, -150.0);   // every bound inclusive
  ok.latitude = -90.0;
  ok.longitude = 180.0;
  in.push_back(ok);
  auto e = event("b", "d", 0);
  e.event_duration.reset();
  e.battery_level = 500;   // null duration is checked first
  in.push_back(e);
  e = event("c", "d", 0);
  e.battery_level.reset();
  in.push_back(e);
  e = event("d", "d", 0);
  e.signal_strength.reset();
  in.push_back(e);
  e = event("e", "d", 0);
  e.latitude.reset();
  in.push_back(e);
  e = event("f", "d", 0);
  e.longitude.reset();
  in.push_back(e);
  in.push_back(event("g", "d", 0, -0.001));
  in.push_back(event("h", "d", 0, 1.0, 100.5));
  in.push_back(event("i", "d", 0, 1.0, 50.0, 0.5));
  e = event("j", "d", 0);
  e.latitude = 90.0001;
  in.push_back(e);
  e = event("k", "d", 0);
  e.longitude = -180.5;
  in.push_back(e);
  auto last = event("l", "d", 0, 1e9, 100.0, 0.0);
  in.push_back(last);

  const auto all = in;   // apply consumes its input
  std::vector<device_event> out;
  reject_list rj;
  ASSERT_TRUE(f.apply(in, out, rj));
  EXPECT_TRUE(rj.empty()) << "filtered events are not dead letters";
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].event_id, "a");
  EXPECT_EQ(out[1].event_id, "l");
  for (std::size_t r = 0; r < filter_reason_count; ++r) {
    EXPECT_EQ(f.dropped()[r], 1) << to_string(static_cast<filter_reason>(r));
  }
  EXPECT_EQ(f.dropped_total(), 10);
  EXPECT_EQ(f.check(all[1]), filter_reason::null_event_duration);
  EXPECT_EQ(f.check(all[7]), filter_reason::battery_level_out_of_range);
  EXPECT_EQ(to_string(filter_reason::battery_level_out_of_range), "battery_level out of range");
}

TEST(RangeFilter, AppendsToAnOutputThatIsNotEmpty) {
  // The pipeline passes an empty output, which the filter fills by swapping; called directly
  // with values already in `out`, it appends after them.
  range_filter f;
  std::vector<device_event> in{event("a", "d", 0), event("b", "d", 0, -1.0), event("c", "d", 0)};
  std::vector<device_event> out{event("kept", "d", 0)};
  reject_list rj;
  ASSERT_TRUE(f.apply(in, out, rj));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].event_id, "kept");
  EXPECT_EQ(out[1].event_id, "a");
  EXPECT_EQ(out[2].event_id, "c");
  EXPECT_EQ(f.dropped_total(), 1);
}

TEST(RangeFilter, CustomRanges) {
  range_filter_options opt;
  opt.battery_level = {20, 30};
  opt.signal_strength = {-80, -40};
  range_filter f(opt);
  EXPECT_EQ(f.check(event("a", "d", 0, 1, 20, -80)), std::nullopt);
  EXPECT_EQ(f.check(event("a", "d", 0, 1, 19.99, -60)), filter_reason::battery_level_out_of_range);
  EXPECT_EQ(f.check(event("a", "d", 0, 1, 25, -39)), filter_reason::signal_strength_out_of_range);
  EXPECT_EQ(f.options(), opt);
}

}  // namespace
