// SPDX-License-Identifier: Apache-2.0
// watermark_dedup and tumbling_window on a state store (docs/state-store.md, "Stages on the state
// store"): random streams with a restart from the committed manifest before every batch give the
// reference's output; the recovered state equals the live one; a changelog holds only what its
// batch changed; a whole state saved before the store loads and is followed by a snapshot;
// retention bounds the files; a missing or damaged file is an error that names it.
#include "helpers.hpp"
#include "reference.hpp"

#include "sluice/state/shared_store.hpp"
#include "sluice/state/state_store.hpp"
#include "sluice/store/any_blobs.hpp"
#include "sluice/store/memory_blobs.hpp"
#include "sluice/stream/dedup.hpp"
#include "sluice/stream/tumbling_window.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace stream_test;
using dedup = watermark_dedup<device_event>;
constexpr std::int64_t minute = 60'000;
const std::int64_t t0 = ms("2024-06-01T12:00:00Z");

state::state_options opts(std::int64_t interval, std::int64_t retain, std::string prefix = "state/x/") {
  state::state_options o;
  o.prefix = std::move(prefix);
  o.snapshot_interval = interval;
  o.min_batches_to_retain = retain;
  return o;
}

template <class Stage>
std::vector<typename Stage::output_type> run(Stage& s, std::vector<device_event> in) {
  std::vector<typename Stage::output_type> out;
  reject_list rj;
  EXPECT_TRUE(s.apply(in, out, rj));
  EXPECT_TRUE(rj.empty());
  return out;
}

std::vector<std::string_view> ids(const std::vector<device_event>& v) {
  std::vector<std::string_view> out;
  for (const auto& e : v) out.push_back(e.event_id);
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> sorted_keys(const dedup& d) {
  auto k = d.snapshot();
  std::sort(k.begin(), k.end());
  return k;
}

// Random batches: resends, out-of-order and late events, a few devices.
std::vector<std::vector<device_event>> random_batches(unsigned seed, string_pool& pool, int count) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<device_event>> batches;
  std::vector<device_event> history;
  std::int64_t now = t0;
  for (int b = 0; b < count; ++b) {
    std::vector<device_event> batch;
    const int n = static_cast<int>(rng() % 50);
    for (int i = 0; i < n; ++i) {
      now += static_cast<std::int64_t>(rng() % 4'000);
      if (rng() % 8 == 0 && !history.empty()) {
        batch.push_back(history[rng() % history.size()]);
        continue;
      }
      std::int64_t t = now - static_cast<std::int64_t>(rng() % 90'000);
      if (rng() % 15 == 0) t -= 8 * minute;
      auto e = event(pool("e" + std::to_string(rng() % 500)), pool("d" + std::to_string(rng() % 4)), t,
                     static_cast<double>(rng() % 1000) / 7.0, static_cast<double>(rng() % 1001) / 10.0);
      batch.push_back(e);
      history.push_back(e);
    }
    batches.push_back(std::move(batch));
  }
  return batches;
}

TEST(IncrementalDedup, RestartFromEveryCommitMatchesTheReference) {
  for (const unsigned seed : {1u, 2u, 3u}) {
    string_pool pool;
    const auto batches = random_batches(seed, pool, 60);
    store::memory_blobs blobs;
    ref_dedup ref(5 * minute);
    dedup live(5 * minute);
    live.checkpoint_to(store::any_blobs(store::memory_blobs{}), opts(4, 3));
    std::string manifest;
    std::int64_t id = 0;
    for (const auto& batch : batches) {
      // A restart before every batch: a fresh stage on the same files, from the last manifest.
      dedup fresh(5 * minute);
      fresh.checkpoint_to(store::any_blobs(blobs), opts(4, 3));
      ASSERT_TRUE(fresh.load_state(manifest)) << fresh.state_error();
      EXPECT_EQ(sorted_keys(fresh), sorted_keys(live)) << "seed " << seed << " batch " << id;
      EXPECT_EQ(fresh.watermark().current(), live.watermark().current());
      const auto want = ids(ref.batch(batch));
      EXPECT_EQ(ids(run(fresh, batch)), want);
      EXPECT_EQ(ids(run(live, batch)), want);
      std::string m;
      ASSERT_TRUE(fresh.save_state(m, id));
      ASSERT_TRUE(fresh.state_committed());
      std::string m2;   // the uninterrupted stage checkpoints into files of its own
      ASSERT_TRUE(live.save_state(m2, id));
      ASSERT_TRUE(live.state_committed());
      manifest = m;
      ++id;
    }
    EXPECT_GT(ref.duplicates, 0);
    EXPECT_GT(ref.late, 0);
  }
}

TEST(IncrementalDedup, AChangelogHoldsOnlyTheBatchsKeys) {
  store::memory_blobs blobs;
  dedup d(10 * minute);
  d.checkpoint_to(store::any_blobs(blobs), opts(1000, 1000, "s/"));
  string_pool pool;
  std::vector<device_event> big;
  for (int i = 0; i < 5000; ++i) big.push_back(event(pool("e" + std::to_string(i)), "d1", t0 + i));
  run(d, big);
  std::string m;
  ASSERT_TRUE(d.save_state(m, 0));
  ASSERT_TRUE(d.state_committed());
  const auto first = blobs.get("s/changelog-00000000000000000000.bin").value();
  ASSERT_TRUE(first.has_value());
  run(d, {event("new-1", "d1", t0 + 6000), event("e7", "d1", t0 + 6001), event("new-2", "d1", t0 + 6002)});
  ASSERT_TRUE(d.save_state(m, 1));
  const auto second = blobs.get("s/changelog-00000000000000000001.bin").value();
  ASSERT_TRUE(second.has_value());
  EXPECT_GT(first->size(), 5000u * 8);
  EXPECT_LT(second->size(), 120u);   // two keys and the watermark, not 5 002 keys
  // A batch that changed nothing (only a duplicate, same watermark) writes no file.
  ASSERT_TRUE(d.state_committed());
  run(d, {event("e9", "d1", t0 + 1)});
  ASSERT_TRUE(d.save_state(m, 2));
  EXPECT_FALSE(blobs.get("s/changelog-00000000000000000002.bin").value().has_value());
  EXPECT_EQ(m.find("changelogs=0:"), m.find("changelogs="));   // the manifest still names 0 and 1
  EXPECT_NE(m.find(",1:"), std::string::npos);
}

TEST(IncrementalDedup, AWholeStateFromBeforeTheStoreLoadsAndIsSnapshotted) {
  dedup old(5 * minute);
  run(old, {event("a", "d1", t0), event("b", "d1", t0 + 10)});
  std::string whole;
  ASSERT_TRUE(old.save_state(whole));
  ASSERT_EQ(whole.rfind("dedup1;", 0), 0u);

  store::memory_blobs blobs;
  dedup d(5 * minute);
  d.checkpoint_to(store::any_blobs(blobs), opts(100, 100, "s/"));
  ASSERT_TRUE(d.load_state(whole));
  EXPECT_TRUE(run(d, {event("a", "d1", t0 + 20)}).empty());   // still a duplicate
  run(d, {event("c", "d1", t0 + 30)});
  std::string m;
  ASSERT_TRUE(d.save_state(m, 7));
  ASSERT_TRUE(d.state_committed());
  EXPECT_NE(m.find("snapshot=7:"), std::string::npos) << m;   // not a changelog of "c" alone

  dedup back(5 * minute);
  back.checkpoint_to(store::any_blobs(blobs), opts(100, 100, "s/"));
  ASSERT_TRUE(back.load_state(m)) << back.state_error();
  EXPECT_EQ(sorted_keys(back), sorted_keys(d));
  EXPECT_EQ(back.state_size(), 3u);
}

TEST(IncrementalDedup, AMissingOrDamagedFileIsAnErrorNamingIt) {
  store::memory_blobs blobs;
  dedup d(5 * minute);
  d.checkpoint_to(store::any_blobs(blobs), opts(100, 100, "s/"));
  run(d, {event("a", "d1", t0)});
  std::string m;
  ASSERT_TRUE(d.save_state(m, 0));
  ASSERT_TRUE(d.state_committed());
  run(d, {event("b", "d1", t0 + 5)});
  ASSERT_TRUE(d.save_state(m, 1));
  ASSERT_TRUE(d.state_committed());

  auto bytes = blobs.get("s/changelog-00000000000000000001.bin").value().value();
  bytes[bytes.size() / 2] ^= 0x20;
  ASSERT_TRUE(blobs.put("s/changelog-00000000000000000001.bin", bytes));
  dedup a(5 * minute);
  a.checkpoint_to(store::any_blobs(blobs), opts(100, 100, "s/"));
  EXPECT_EQ(a.load_state(m).error(), errc::corrupt_state);
  EXPECT_NE(a.state_error().find("changelog-00000000000000000001.bin"), std::string::npos) << a.state_error();
  EXPECT_EQ(a.state_size(), 0u);

  ASSERT_TRUE(blobs.remove("s/changelog-00000000000000000000.bin"));
  dedup b(5 * minute);
  b.checkpoint_to(store::any_blobs(blobs), opts(100, 100, "s/"));
  EXPECT_EQ(b.load_state(m).error(), errc::corrupt_state);
  EXPECT_NE(b.state_error().find("changelog-00000000000000000000.bin is missing"), std::string::npos)
      << b.state_error();
}

device_windows make_windows(std::int64_t delay = 2 * minute) { return device_windows::make({minute, delay}).value(); }

std::string whole_state(const device_windows& w) {
  std::string s;
  EXPECT_TRUE(w.save_state(s));
  return s;
}

TEST(IncrementalWindows, RestartFromEveryCommitMatchesTheReference) {
  for (const unsigned seed : {11u, 12u, 13u}) {
    string_pool pool;
    const auto batches = random_batches(seed, pool, 80);
    store::memory_blobs blobs;
    ref_windows ref(minute, 2 * minute);
    auto live = make_windows();
    live.checkpoint_to(store::any_blobs(store::memory_blobs{}), opts(5, 2));
    std::string manifest;
    std::size_t rows = 0;
    std::int64_t id = 0;
    for (const auto& batch : batches) {
      auto fresh = make_windows();
      fresh.checkpoint_to(store::any_blobs(blobs), opts(5, 2));
      ASSERT_TRUE(fresh.load_state(manifest)) << fresh.state_error();
      // The whole-state form is sorted, so equal states give equal text.
      EXPECT_EQ(whole_state(fresh), whole_state(live)) << "seed " << seed << " batch " << id;
      const auto want = ref.batch(batch);
      rows += want.size();
      EXPECT_EQ(run(fresh, batch), want);
      EXPECT_EQ(run(live, batch), want);
      std::string m;
      ASSERT_TRUE(fresh.save_state(m, id));
      ASSERT_TRUE(fresh.state_committed());
      std::string m2;
      ASSERT_TRUE(live.save_state(m2, id));
      ASSERT_TRUE(live.state_committed());
      manifest = m;
      ++id;
    }
    EXPECT_GT(rows, 100u);
    EXPECT_GT(ref.late, 0);
    // Retention: at most the files of the last snapshots and the changelogs after them.
    EXPECT_LE(blobs.list("state/x/").value().size(), 2u + 5u * 2u);
  }
}

TEST(IncrementalWindows, AChangelogHoldsOnlyTheWindowsTheBatchTouched) {
  store::memory_blobs blobs;
  auto w = make_windows(60 * minute);
  w.checkpoint_to(store::any_blobs(blobs), opts(1000, 1000, "w/"));
  string_pool pool;
  std::vector<device_event> many;
  for (int d = 0; d < 400; ++d) many.push_back(event(pool("e" + std::to_string(d)), pool("d" + std::to_string(d)), t0));
  run(w, many);
  std::string m;
  ASSERT_TRUE(w.save_state(m, 0));
  ASSERT_TRUE(w.state_committed());
  run(w, {event("x", "d3", t0 + 1), event("y", "d3", t0 + 2)});
  ASSERT_TRUE(w.save_state(m, 1));
  const auto first = blobs.get("w/changelog-00000000000000000000.bin").value().value();
  const auto second = blobs.get("w/changelog-00000000000000000001.bin").value().value();
  EXPECT_GT(first.size(), 200 * second.size() / 2);   // 400 windows against 1
  ASSERT_TRUE(w.state_committed());

  auto back = make_windows(60 * minute);
  back.checkpoint_to(store::any_blobs(blobs), opts(1000, 1000, "w/"));
  ASSERT_TRUE(back.load_state(m)) << back.state_error();
  EXPECT_EQ(whole_state(back), whole_state(w));
  EXPECT_EQ(back.open_windows(), 400u);
}

TEST(IncrementalWindows, AWholeStateFromBeforeTheStoreLoadsAndIsSnapshotted) {
  auto old = make_windows();
  run(old, {event("a", "d1", t0), event("b", "d2", t0 + 10)});
  const std::string whole = whole_state(old);

  store::memory_blobs blobs;
  auto w = make_windows();
  w.checkpoint_to(store::any_blobs(blobs), opts(100, 100, "w/"));
  ASSERT_TRUE(w.load_state(whole));
  run(w, {event("c", "d1", t0 + 20)});
  std::string m;
  ASSERT_TRUE(w.save_state(m, 3));
  ASSERT_TRUE(w.state_committed());
  EXPECT_NE(m.find("snapshot=3:"), std::string::npos) << m;
  auto back = make_windows();
  back.checkpoint_to(store::any_blobs(blobs), opts(100, 100, "w/"));
  ASSERT_TRUE(back.load_state(m)) << back.state_error();
  EXPECT_EQ(whole_state(back), whole_state(w));
  EXPECT_EQ(back.open_windows(), 2u);
}

// --- Both stages sharing one store: one file per batch (docs/state-store.md) ----------------

// Dedup then windows, as the event ETL composes them, both on one shared store.
struct shared_pair {
  dedup d{5 * minute};
  device_windows w = make_windows();
  std::shared_ptr<state::shared_store> shared;
  explicit shared_pair(store::memory_blobs& blobs, state::state_options o = opts(4, 3, "state/shared/")) {
    shared = std::make_shared<state::shared_store>(store::any_blobs(blobs), o);
    EXPECT_TRUE(d.checkpoint_to(shared, opts(4, 3, "state/dedup/")));
    EXPECT_TRUE(w.checkpoint_to(shared, opts(4, 3, "state/windows/")));
  }
  // The pipeline's order: each stage's blob, then each stage told the commit is durable.
  std::pair<std::string, std::string> commit(std::int64_t id) {
    std::pair<std::string, std::string> m;
    EXPECT_TRUE(d.save_state(m.first, id));
    EXPECT_TRUE(w.save_state(m.second, id));
    EXPECT_TRUE(d.state_committed());
    EXPECT_TRUE(w.state_committed());
    return m;
  }
  result<void> load(const std::pair<std::string, std::string>& m) {
    SLUICE_TRYV(d.load_state(m.first));
    return w.load_state(m.second);
  }
};

TEST(SharedStateStore, BothStagesRestartFromEveryCommitWithOneFilePerBatch) {
  for (const unsigned seed : {21u, 22u, 23u}) {
    string_pool pool;
    const auto batches = random_batches(seed, pool, 60);
    store::memory_blobs blobs;
    ref_dedup ref_d(5 * minute);
    ref_windows ref_w(minute, 2 * minute);
    std::pair<std::string, std::string> manifests;
    std::int64_t id = 0;
    std::size_t rows = 0;
    for (const auto& batch : batches) {
      shared_pair fresh(blobs);
      ASSERT_TRUE(fresh.load(manifests)) << fresh.d.state_error() << fresh.w.state_error();
      const auto passed = run(fresh.d, batch);
      const auto ref_passed = ref_d.batch(batch);
      EXPECT_EQ(ids(passed), ids(ref_passed)) << "seed " << seed << " batch " << id;
      const auto want = ref_w.batch(ref_passed);
      rows += want.size();
      EXPECT_EQ(run(fresh.w, passed), want) << "seed " << seed << " batch " << id;
      const std::size_t before = blobs.list("").value().size();
      manifests = fresh.commit(id);
      // The first stage's blob only says so; the last one's holds the manifest of one file.
      EXPECT_EQ(manifests.first, "sluice-state shared");
      ASSERT_EQ(manifests.second.rfind("sluice-state shared sluice-state v1 batch=", 0), 0u) << manifests.second;
      EXPECT_LE(blobs.list("").value().size(), before + 1) << "one file per batch";
      ++id;
    }
    EXPECT_GT(rows, 50u);
    const std::vector<std::string> keys = blobs.list("").value();
    for (const auto& k : keys) EXPECT_EQ(k.rfind("state/shared/", 0), 0u) << k;
  }
}

TEST(SharedStateStore, CommitsOfAStorePerStageLoadAndTheNextCommitIsASnapshot) {
  string_pool pool;
  const auto batches = random_batches(31, pool, 12);
  store::memory_blobs blobs;
  // Before: each stage on its own store (the layout of earlier releases).
  dedup d(5 * minute);
  auto w = make_windows();
  d.checkpoint_to(store::any_blobs(blobs), opts(4, 3, "state/dedup/"));
  w.checkpoint_to(store::any_blobs(blobs), opts(4, 3, "state/windows/"));
  std::pair<std::string, std::string> m;
  for (std::int64_t id = 0; id < 10; ++id) {
    run(w, run(d, batches[static_cast<std::size_t>(id)]));
    m = {};
    ASSERT_TRUE(d.save_state(m.first, id));
    ASSERT_TRUE(w.save_state(m.second, id));
    ASSERT_TRUE(d.state_committed());
    ASSERT_TRUE(w.state_committed());
  }
  ASSERT_EQ(m.first.rfind("sluice-state v1 ", 0), 0u);
  // After: the shared store reads them, and its first commit is a snapshot of both.
  shared_pair after(blobs);
  ASSERT_TRUE(after.load(m)) << after.d.state_error() << after.w.state_error();
  EXPECT_EQ(sorted_keys(after.d), sorted_keys(d));
  EXPECT_EQ(whole_state(after.w), whole_state(w));
  const auto next = after.commit(10);
  EXPECT_NE(next.second.find("snapshot=10:"), std::string::npos) << next.second;
  shared_pair again(blobs);
  ASSERT_TRUE(again.load(next));
  EXPECT_EQ(sorted_keys(again.d), sorted_keys(d));
  EXPECT_EQ(whole_state(again.w), whole_state(w));
}

TEST(SharedStateStore, MismatchedBlobsAndDamagedFilesAreErrors) {
  string_pool pool;
  const auto batches = random_batches(41, pool, 3);
  store::memory_blobs blobs;
  shared_pair p(blobs);
  std::pair<std::string, std::string> m;
  for (std::int64_t id = 0; id < 3; ++id) {
    run(p.w, run(p.d, batches[static_cast<std::size_t>(id)]));
    m = p.commit(id);
  }
  {
    shared_pair q(blobs);   // the last stage's blob without the manifest
    EXPECT_EQ(q.load({m.first, m.first}).error(), errc::corrupt_state);
  }
  {
    shared_pair q(blobs);   // the manifest in the first stage's blob
    EXPECT_EQ(q.load({m.second, m.second}).error(), errc::corrupt_state);
  }
  // A damaged file: the error names it.
  const auto keys = blobs.list("state/shared/").value();
  ASSERT_FALSE(keys.empty());
  auto bytes = blobs.get(keys.back()).value().value();
  bytes[bytes.size() / 2] ^= 1;
  ASSERT_TRUE(blobs.put(keys.back(), bytes));
  shared_pair q(blobs);
  EXPECT_EQ(q.load(m).error(), errc::corrupt_state);
  EXPECT_NE(q.w.state_error().find(keys.back()), std::string::npos) << q.w.state_error();
}

}  // namespace
