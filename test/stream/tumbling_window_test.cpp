// SPDX-License-Identifier: Apache-2.0
// tumbling_window<device_aggregator>: exact aggregates of hand-made event sets (out of order,
// late, several devices and types, nulls), emission when the watermark passes the end, the state
// round trip, corrupt state; and random streams against the reference model.
#include "helpers.hpp"
#include "reference.hpp"

#include "sluice/event_etl/device_aggregate.hpp"
#include "sluice/stream/tumbling_window.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace stream_test;
constexpr std::int64_t minute = 60'000;
const std::int64_t t0 = ms("2024-06-01T12:00:00Z");

device_windows make(std::int64_t delay = 2 * minute) {
  return device_windows::make({minute, delay}).value();
}

std::vector<device_window_row> run(device_windows& w, std::vector<device_event> in) {
  std::vector<device_window_row> out;
  reject_list rj;
  EXPECT_TRUE(w.apply(in, out, rj));
  EXPECT_TRUE(rj.empty());
  return out;
}

TEST(TumblingWindow, ExactAggregatesOfAHandMadeSet) {
  auto w = make();
  // Device A, window 12:00: three events out of order; the latest (12:00:50) is in the middle.
  // Device B, window 12:00: one event. Device A, window 12:01: one event.
  std::vector<device_event> b1 = {
      event("1", "A", t0 + 10'000, 1.0, 80, -70, "Berlin"),
      event("2", "A", t0 + 50'000, 3.0, 60, -50, "Hamburg"),
      event("3", "B", t0 + 20'000, 2.0, 90, -90, "Paris"),
      event("4", "A", t0 + 30'000, 2.0, 70, -60, "Munich"),
      event("5", "A", t0 + 70'000, 5.0, 50, -40, "Bonn"),
  };
  b1[3].firmware_version = std::string_view("2.0.0");
  EXPECT_TRUE(run(w, b1).empty()) << "watermark 12:01:10 - 2 min: nothing closed yet";
  EXPECT_EQ(w.open_windows(), 3u);
  // 12:03:00 arrives: the watermark becomes 12:01:00 at the end of this batch: window 12:00 closes.
  const auto rows = run(w, {event("6", "C", t0 + 3 * minute)});
  ASSERT_EQ(rows.size(), 2u);
  const auto& a = rows[0];
  EXPECT_EQ(a.window_start_ms, t0);
  EXPECT_EQ(a.window_end_ms, t0 + minute);
  EXPECT_EQ(a.device_id, "A");
  EXPECT_EQ(a.device_type, "thermostat");
  EXPECT_EQ(a.event_count, 3);
  EXPECT_EQ(a.avg_duration, 2.0);
  EXPECT_EQ(a.max_duration, 3.0);
  EXPECT_EQ(a.min_duration, 1.0);
  EXPECT_EQ(a.avg_battery_level, 70.0);
  EXPECT_EQ(a.min_battery_level, 60.0);
  EXPECT_EQ(a.avg_signal_strength, -60.0);
  EXPECT_EQ(a.min_signal_strength, -70.0);
  EXPECT_EQ(a.city, "Hamburg") << "the latest event, not the last to arrive";
  EXPECT_EQ(a.country, "DE");
  EXPECT_EQ(a.firmware_version, "1.0.0");
  EXPECT_EQ(a.last_event_time_ms, t0 + 50'000);
  const auto& b = rows[1];
  EXPECT_EQ(b.device_id, "B");
  EXPECT_EQ(b.event_count, 1);
  EXPECT_EQ(b.avg_battery_level, 90.0);
  EXPECT_EQ(b.city, "Paris");
  EXPECT_EQ(w.open_windows(), 2u);
  EXPECT_EQ(w.stats().emitted, 2);
}

TEST(TumblingWindow, LateEventsAreDroppedAndClosedWindowsNeverReopen) {
  auto w = make();
  run(w, {event("1", "A", t0 + 5 * minute)});   // watermark 12:03
  // 12:02:59.999 is late; 12:03:00 is on time (window 12:03 is still open).
  const auto rows = run(w, {event("2", "A", t0 + 3 * minute - 1), event("3", "A", t0 + 3 * minute)});
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(w.stats().late, 1);
  EXPECT_EQ(w.stats().aggregated, 2);
  const auto closed = run(w, {event("4", "A", t0 + 6 * minute)});   // watermark 12:04: 12:03 closes
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].window_start_ms, t0 + 3 * minute);
  EXPECT_EQ(closed[0].event_count, 1);
}

TEST(TumblingWindow, WindowClosesExactlyWhenTheWatermarkReachesItsEnd) {
  auto w = make();
  run(w, {event("1", "A", t0)});
  EXPECT_TRUE(run(w, {event("2", "B", t0 + 3 * minute - 1)}).empty()) << "watermark 12:00:59.999";
  const auto rows = run(w, {event("3", "B", t0 + 3 * minute)});   // watermark 12:01:00 == end
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].device_id, "A");
  EXPECT_TRUE(run(w, {}).empty()) << "an empty batch emits nothing new";
}

TEST(TumblingWindow, GroupsByDeviceAndTypeAndOrdersRows) {
  auto w = make(0);
  auto e1 = event("1", "d2", t0);
  auto e2 = event("2", "d10", t0);
  auto e3 = event("3", "d2", t0);
  e3.device_type = "camera";
  auto e4 = event("4", "d1", t0 + 1);
  const auto rows = run(w, {e1, e2, e3, e4, event("x", "z", t0 + minute)});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].device_id, "d1");
  EXPECT_EQ(rows[1].device_id, "d10");
  EXPECT_EQ(rows[2].device_id, "d2");
  EXPECT_EQ(rows[2].device_type, "camera");
  EXPECT_EQ(rows[3].device_id, "d2");
  EXPECT_EQ(rows[3].device_type, "thermostat");
}

TEST(TumblingWindow, NullValuesAreLeftOutOfTheirAggregates) {
  auto w = make(0);
  auto a = event("1", "A", t0, 2.0, 40, -50);
  auto b = event("2", "A", t0 + 1);
  b.event_duration.reset();
  b.battery_level.reset();
  b.signal_strength.reset();
  b.city.reset();
  b.country.reset();
  b.firmware_version.reset();
  const auto rows = run(w, {a, b, event("x", "z", t0 + minute)});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event_count, 2);
  EXPECT_EQ(rows[0].avg_duration, 2.0);
  EXPECT_EQ(rows[0].avg_battery_level, 40.0);
  EXPECT_FALSE(rows[0].city.has_value()) << "the latest event had no location";
  EXPECT_FALSE(rows[0].firmware_version.has_value());
  auto only_null = make(0);
  const auto r2 = run(only_null, {b, event("x", "z", t0 + minute)});
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_FALSE(r2[0].avg_duration || r2[0].min_battery_level || r2[0].avg_signal_strength);
}

TEST(TumblingWindow, NegativeTimesFloorToTheirWindow) {
  auto w = make(0);
  EXPECT_EQ(w.window_start(-1), -minute);
  EXPECT_EQ(w.window_start(-minute), -minute);
  EXPECT_EQ(w.window_start(0), 0);
  EXPECT_EQ(w.window_start(minute - 1), 0);
  const auto rows = run(w, {event("1", "A", -1), event("2", "A", minute)});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].window_start_ms, -minute);
}

TEST(TumblingWindow, RejectsBadOptions) {
  EXPECT_EQ(device_windows::make({0, 0}).error(), errc::invalid_argument);
  EXPECT_EQ(device_windows::make({minute, -1}).error(), errc::invalid_argument);
}

TEST(TumblingWindow, StateRoundTripAndCorruptState) {
  auto a = make();
  auto e = event("1", "A\0B", t0);
  static const std::string nul_id("A\0B", 3);
  e.device_id = nul_id;
  e.city = std::string_view("Z\xc3\xbcrich");
  run(a, {e, event("2", "A", t0 + 1, 0.1, 33.3, -99.9), event("3", "B", t0 + minute)});
  std::string blob;
  ASSERT_TRUE(a.save_state(blob));
  auto b = make();
  ASSERT_TRUE(b.load_state(blob));
  std::string blob2;
  ASSERT_TRUE(b.save_state(blob2));
  EXPECT_EQ(blob, blob2) << "equal states give equal blobs";
  const std::vector<device_event> next = {event("4", "A", t0 + 2), event("5", "C", t0 + 10 * minute)};
  const auto ra = run(a, next);
  const auto rb = run(b, next);
  EXPECT_EQ(ra, rb);
  ASSERT_EQ(ra.size(), 3u);
  EXPECT_EQ(ra[0].device_id, "A");
  EXPECT_EQ(ra[0].event_count, 2);
  EXPECT_EQ(ra[1].device_id, nul_id);
  EXPECT_EQ(ra[1].city, "Z\xc3\xbcrich");

  ASSERT_TRUE(b.load_state(""));
  EXPECT_EQ(b.open_windows(), 0u);
  for (const std::string bad : {"window1;", "window1;n;1;", "window1;n;1;7;1:A", "dedup1;n;0;",
                                "window1;n;0;x", "window1;n;-1;"}) {
    auto c = make();
    const auto r = c.load_state(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), errc::corrupt_state) << bad;
  }
}

TEST(TumblingWindow, RandomStreamsMatchTheReferenceWithAndWithoutRestarts) {
  for (const unsigned seed : {11u, 12u, 13u}) {
    std::mt19937_64 rng(seed);
    string_pool pool;
    const char* cities[] = {"Berlin", "Paris", "Rome"};
    std::vector<std::vector<device_event>> batches;
    std::int64_t now = t0;
    for (int b = 0; b < 60; ++b) {
      std::vector<device_event> batch;
      const int n = static_cast<int>(rng() % 40);
      for (int i = 0; i < n; ++i) {
        now += static_cast<std::int64_t>(rng() % 3'000);
        std::int64_t t = now - static_cast<std::int64_t>(rng() % 90'000);
        if (rng() % 15 == 0) t -= 5 * minute;
        auto e = event(pool("e" + std::to_string(b * 100 + i)), pool("d" + std::to_string(rng() % 4)), t,
                       static_cast<double>(rng() % 1000) / 7.0, static_cast<double>(rng() % 1001) / 10.0,
                       -static_cast<double>(rng() % 120), std::string_view(cities[rng() % 3]));
        if (rng() % 9 == 0) e.device_type = "camera";
        if (rng() % 11 == 0) e.battery_level.reset();
        batch.push_back(e);
      }
      batches.push_back(std::move(batch));
    }
    ref_windows ref(minute, 2 * minute);
    auto plain = make();
    auto restarted = make();
    std::size_t total = 0;
    for (const auto& batch : batches) {
      const auto want = ref.batch(batch);
      total += want.size();
      EXPECT_EQ(run(plain, batch), want);
      std::string blob;
      ASSERT_TRUE(restarted.save_state(blob));
      auto fresh = make();
      ASSERT_TRUE(fresh.load_state(blob));
      EXPECT_EQ(run(fresh, batch), want);
      restarted = std::move(fresh);
    }
    EXPECT_EQ(plain.stats().late, ref.late);
    EXPECT_GT(ref.late, 0);
    EXPECT_GT(total, 100u);
  }
}

}  // namespace
