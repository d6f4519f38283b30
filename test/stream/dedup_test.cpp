// SPDX-License-Identifier: Apache-2.0
// watermark_dedup: duplicates within and across batches, late events, expiry of keys, the state
// round trip, corrupt state; and random event streams against the reference model.
#include "helpers.hpp"
#include "reference.hpp"

#include "sluice/stream/dedup.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace stream_test;
using dedup = watermark_dedup<device_event>;
constexpr std::int64_t minute = 60'000;

std::vector<std::string_view> ids(const std::vector<device_event>& v) {
  std::vector<std::string_view> out;
  for (const auto& e : v) out.push_back(e.event_id);
  return out;
}

std::vector<device_event> run(dedup& d, std::vector<device_event> in) {
  std::vector<device_event> out;
  reject_list rj;
  EXPECT_TRUE(d.apply(in, out, rj));
  EXPECT_TRUE(rj.empty());
  return out;
}

TEST(WatermarkDedup, AppendsToAnOutputThatIsNotEmpty) {
  // The pipeline passes an empty output, which dedup fills by swapping; called directly with
  // values already in `out`, it appends after them.
  dedup d(10 * minute);
  std::vector<device_event> in{event("x", "d1", 1), event("x", "d1", 2), event("y", "d1", 3)};
  std::vector<device_event> out{event("kept", "d0", 0)};
  reject_list rj;
  ASSERT_TRUE(d.apply(in, out, rj));
  EXPECT_EQ(ids(out), (std::vector<std::string_view>{"kept", "x", "y"}));
}

TEST(WatermarkDedup, DropsDuplicatesWithinAndAcrossBatches) {
  dedup d(10 * minute);
  const auto b1 = run(d, {event("a", "d1", 0), event("a", "d2", 0), event("a", "d1", 5), event("b", "d1", 1)});
  EXPECT_EQ(ids(b1), (std::vector<std::string_view>{"a", "a", "b"}));
  EXPECT_EQ(b1[1].device_id, "d2") << "same event id on another device is another event";
  const auto b2 = run(d, {event("b", "d1", 2), event("c", "d1", 3), event("a", "d2", 4)});
  EXPECT_EQ(ids(b2), (std::vector<std::string_view>{"c"}));
  EXPECT_EQ(d.stats().duplicates, 3);
  EXPECT_EQ(d.stats().passed, 4);
  EXPECT_EQ(d.stats().late, 0);
  EXPECT_EQ(d.state_size(), 4u);
}

TEST(WatermarkDedup, LateEventsAreDroppedAgainstTheWatermarkOfThePreviousBatch) {
  dedup d(10 * minute);
  // Batch 1 brings t = 20 min: the watermark becomes 10 min at its end, not during it.
  const auto b1 = run(d, {event("x", "d", 20 * minute), event("y", "d", 1 * minute)});
  EXPECT_EQ(ids(b1), (std::vector<std::string_view>{"x", "y"}));
  EXPECT_EQ(d.watermark().current(), 10 * minute);
  EXPECT_EQ(d.state_size(), 1u) << "y (1 min) expired with the watermark at 10 min";
  // Batch 2: 9:59.999 is late, 10:00 is not (older than the watermark means t < watermark).
  const auto b2 = run(d, {event("p", "d", 10 * minute - 1), event("q", "d", 10 * minute),
                          event("x", "d", 5 * minute), event("r", "d", 30 * minute)});
  EXPECT_EQ(ids(b2), (std::vector<std::string_view>{"q", "r"}));
  EXPECT_EQ(d.stats().late, 2) << "a late duplicate counts as late";
  EXPECT_EQ(d.watermark().current(), 20 * minute);
}

TEST(WatermarkDedup, KeyIsKeptUntilTheWatermarkPassesItsTime) {
  dedup d(10 * minute);
  run(d, {event("k", "d", 0)});
  run(d, {event("n", "d", 10 * minute)});          // watermark 0: k (t = 0) is kept
  EXPECT_TRUE(run(d, {event("k", "d", 0)}).empty()) << "still a duplicate at watermark == t";
  run(d, {event("n2", "d", 10 * minute + 1)});     // watermark 1 ms: k expires
  EXPECT_EQ(d.state_size(), 2u);
  // A resend of k now is late; an event of key k with a later time is new again.
  EXPECT_TRUE(run(d, {event("k", "d", 0)}).empty());
  EXPECT_EQ(ids(run(d, {event("k", "d", 5 * minute)})), (std::vector<std::string_view>{"k"}));
  EXPECT_EQ(d.stats().late, 1);
  EXPECT_EQ(d.stats().duplicates, 1);
}

TEST(WatermarkDedup, StateRoundTripContinuesExactly) {
  dedup a(10 * minute);
  run(a, {event("a", "d", 0), event("b", "d", 11 * minute), event("c\xc3\xa9:1", "d", 12 * minute)});
  std::string blob;
  ASSERT_TRUE(a.save_state(blob));
  dedup b(10 * minute);
  ASSERT_TRUE(b.load_state(blob));
  auto sa = a.snapshot();
  auto sb = b.snapshot();
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  EXPECT_EQ(sa, sb);
  EXPECT_EQ(b.watermark().current(), a.watermark().current());
  const std::vector<device_event> next = {event("a", "d", 5 * minute), event("b", "d", 11 * minute),
                                          event("c\xc3\xa9:1", "d", 12 * minute), event("e", "d", 13 * minute)};
  EXPECT_EQ(ids(run(a, next)), ids(run(b, next)));
  std::string again;
  ASSERT_TRUE(b.save_state(again));
  dedup c(10 * minute);
  ASSERT_TRUE(c.load_state(again));
  EXPECT_EQ(c.state_size(), b.state_size());
}

TEST(WatermarkDedup, EmptyStateAndCorruptState) {
  dedup d(10 * minute);
  run(d, {event("a", "d", 0)});
  ASSERT_TRUE(d.load_state(""));
  EXPECT_EQ(d.state_size(), 0u);
  EXPECT_EQ(d.watermark().current(), event_time_watermark::none);
  std::string fresh;
  ASSERT_TRUE(d.save_state(fresh));
  EXPECT_EQ(fresh, "dedup1;n;0;");
  for (const std::string bad : {"x", "dedup1;", "dedup1;n;1;", "dedup1;n;1;5;3:ab", "dedup1;n;-1;",
                                "dedup1;n;0;trailing", "dedup1;q;0;",
                                "dedup1;n;2;5;2:ab5;2:ab", "window1;n;0;"}) {
    dedup e(10 * minute);
    const auto r = e.load_state(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), errc::corrupt_state) << bad;
  }
}

TEST(WatermarkDedup, RandomStreamsMatchTheReferenceWithAndWithoutRestarts) {
  for (const unsigned seed : {1u, 2u, 3u, 4u}) {
    std::mt19937_64 rng(seed);
    string_pool pool;
    std::vector<std::vector<device_event>> batches;
    std::vector<device_event> history;
    std::int64_t now = 0;
    for (int b = 0; b < 40; ++b) {
      std::vector<device_event> batch;
      const int n = static_cast<int>(rng() % 60);
      for (int i = 0; i < n; ++i) {
        now += static_cast<std::int64_t>(rng() % 5'000);
        const auto r = rng() % 10;
        if (r < 2 && !history.empty()) {
          batch.push_back(history[rng() % history.size()]);   // a resend (maybe late by now)
        } else {
          std::int64_t t = now - static_cast<std::int64_t>(rng() % 120'000);   // out of order
          if (r == 2) t -= 900'000;                                           // late
          auto e = event(pool("e" + std::to_string(rng() % 400)), pool("d" + std::to_string(rng() % 3)), t);
          batch.push_back(e);
          history.push_back(e);
        }
      }
      batches.push_back(std::move(batch));
    }
    ref_dedup ref(5 * minute);
    dedup plain(5 * minute);
    dedup restarted(5 * minute);
    for (const auto& batch : batches) {
      const auto want = ids(ref.batch(batch));
      EXPECT_EQ(ids(run(plain, batch)), want);
      // A "restart" before every batch: the state goes through its blob.
      std::string blob;
      ASSERT_TRUE(restarted.save_state(blob));
      dedup fresh(5 * minute);
      ASSERT_TRUE(fresh.load_state(blob));
      EXPECT_EQ(ids(run(fresh, batch)), want);
      restarted = std::move(fresh);
      EXPECT_EQ(plain.state_size(), ref.keys.size());
    }
    EXPECT_EQ(plain.stats().late, ref.late) << seed;
    EXPECT_EQ(plain.stats().duplicates, ref.duplicates) << seed;
    EXPECT_GT(ref.late, 0);
    EXPECT_GT(ref.duplicates, 0);
  }
}

TEST(WatermarkDedup, ManyKeysGrowAndExpireWithoutLosingAny) {
  // Enough keys to grow the table several times and to expire most of them later.
  dedup d(minute);
  string_pool pool;
  std::vector<device_event> batch;
  for (int i = 0; i < 50'000; ++i) batch.push_back(event(pool("k" + std::to_string(i)), "d", i));
  EXPECT_EQ(run(d, batch).size(), 50'000u);
  EXPECT_EQ(run(d, batch).size(), 0u) << "all still held: the watermark is 50 s - 60 s < 0";
  std::vector<device_event> later;
  for (int i = 0; i < 50'000; ++i) later.push_back(event(pool("m" + std::to_string(i)), "d", 10 * minute + i));
  EXPECT_EQ(run(d, later).size(), 50'000u);
  EXPECT_EQ(d.state_size(), 50'000u) << "the k keys expired";
  EXPECT_EQ(run(d, later).size(), 0u);
}

TEST(TimedKeySet, KeysOfEveryLengthAcrossRebuildsAndExpiryMatchAMap) {
  // Keys of 0 to 130 bytes (records padded to 8 bytes, lengths past one LEB128 byte), inserted,
  // renewed after expiring and expired while the table is rebuilt many times, against a map.
  stream::detail::timed_key_set set;
  std::map<std::string, std::int64_t> ref;   // key -> time of the key while it is held
  std::int64_t expire = std::numeric_limits<std::int64_t>::min();
  std::mt19937_64 rng(7);
  const auto key = [&](std::uint64_t id) {
    std::string k = std::to_string(id);
    k.resize(id % 131, static_cast<char>('a' + id % 26));
    return k;
  };
  for (std::int64_t t = 0; t < 200'000; ++t) {
    const std::string k = key(rng() % 20'000);
    const auto it = ref.find(k);
    const bool held = it != ref.end() && it->second >= expire;
    ASSERT_EQ(set.insert(k, t), !held) << "key of " << k.size() << " bytes at " << t;
    if (!held) ref[k] = t;
    if (t % 1000 == 999) {
      expire = t - 30'000;
      set.expire_before(expire);
    }
    if (t % 20'000 == 0) {
      std::size_t live = 0;
      for (const auto& [rk, rt] : ref) live += rt >= expire ? 1 : 0;
      ASSERT_EQ(set.size(), live);
      std::map<std::string, std::int64_t> listed;
      set.for_each([&](const stream::detail::timed_key_set::entry& e) { listed.emplace(std::string(e.key), e.time); });
      for (const auto& [lk, lt] : listed) EXPECT_EQ(ref.at(lk), lt);
      EXPECT_EQ(listed.size(), live);
    }
  }
  for (const auto& [rk, rt] : ref) EXPECT_EQ(set.contains(rk), rt >= expire) << rk.size();
  EXPECT_FALSE(set.contains("no such key"));
  EXPECT_LT(set.memory_bytes(), std::size_t{64} << 20);
}

}  // namespace
