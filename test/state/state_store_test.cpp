// SPDX-License-Identifier: Apache-2.0
// The state store: a property test (recovered state equals the in-memory reference after random
// sequences of puts, removes, commits, failed writes and crashes before a commit, rollbacks, snapshots and
// retention), changelogs that scale with the changed keys, and loud failures on missing or
// damaged files.
#include "faulty_blobs.hpp"

#include "sluice/fs/directory_blobs.hpp"
#include "sluice/state/keyed_state.hpp"
#include "sluice/store/any_blobs.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <unordered_map>

namespace st = sluice::state;
using sluice_test::faulty_blobs;

namespace {
using ref_map = std::map<std::string, std::string>;

ref_map as_map(const std::unordered_map<std::string, std::string>& m) { return {m.begin(), m.end()}; }

st::state_options small_options(std::int64_t interval, std::int64_t retain) {
  st::state_options o;
  o.snapshot_interval = interval;
  o.min_batches_to_retain = retain;
  return o;
}
}  // namespace

TEST(StateStore, RecoveredStateEqualsTheCommittedOneAfterRandomHistories) {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const auto opt = small_options(1 + pick(6), 1 + pick(8));
    faulty_blobs blobs;
    auto state = std::make_unique<st::keyed_state<faulty_blobs>>(blobs, opt);
    ref_map committed;                           // the reference: state as of the last commit
    std::map<std::int64_t, ref_map> history;     // committed state per batch
    std::map<std::int64_t, std::string> manifests;
    std::string last_manifest;
    std::int64_t batch = 0;
    for (int step = 0; step < 120; ++step) {
      // One batch of random changes over a small key space (so keys are changed and removed).
      const int changes = pick(12);
      for (int i = 0; i < changes; ++i) {
        const std::string key = "k" + std::to_string(pick(30));
        if (pick(3) == 0) {
          state->remove(key);
        } else {
          state->put(key, std::string(static_cast<std::size_t>(pick(40)), static_cast<char>('a' + pick(26))));
        }
      }
      const int fate = pick(10);
      if (fate == 0) {  // the batch fails before its commit: retried later from the commit
        state->rollback();
        ASSERT_EQ(as_map(state->entries()), committed) << seed;
        continue;
      }
      if (fate == 2) {  // the put of the batch's state file fails (a full disk, a kill): restart
        const int puts = blobs.s->puts;
        blobs.s->fail_in = 1;
        (void)state->commit(batch);  // fails, or succeeds having nothing to write
        blobs.s->fail_in = -1;
        ASSERT_EQ(blobs.s->puts, puts) << seed;
        state = std::make_unique<st::keyed_state<faulty_blobs>>(blobs, opt);
        ASSERT_TRUE(state->recover(last_manifest)) << seed << ": " << state->error_detail();
        ASSERT_EQ(as_map(state->entries()), committed) << seed;
        continue;
      }
      auto text = state->commit(batch);
      ASSERT_TRUE(text) << seed;
      if (fate == 1) {  // crash after the files, before the commit record: restart
        state = std::make_unique<st::keyed_state<faulty_blobs>>(blobs, opt);
        ASSERT_TRUE(state->recover(last_manifest)) << seed << ": " << state->error_detail();
        ASSERT_EQ(as_map(state->entries()), committed) << seed;
        continue;
      }
      // The commit record is durable.
      last_manifest = text.value();
      committed = as_map(state->entries());
      history[batch] = committed;
      manifests[batch] = last_manifest;
      ASSERT_TRUE(state->committed()) << seed;
      if (pick(8) == 0) {  // a clean restart
        state = std::make_unique<st::keyed_state<faulty_blobs>>(blobs, opt);
        ASSERT_TRUE(state->recover(last_manifest)) << seed << ": " << state->error_detail();
        ASSERT_EQ(as_map(state->entries()), committed) << seed;
      }
      ++batch;
    }
    // Retention kept what recovering each of the last min_batches_to_retain batches needs.
    std::int64_t checked = 0;
    for (auto it = manifests.rbegin(); it != manifests.rend() && checked < opt.min_batches_to_retain;
         ++it, ++checked) {
      st::keyed_state<faulty_blobs> again(blobs, opt);
      ASSERT_TRUE(again.recover(it->second)) << seed << " batch " << it->first << ": "
                                             << again.error_detail();
      EXPECT_EQ(as_map(again.entries()), history[it->first]) << seed << " batch " << it->first;
    }
    // … and not much more: at most two snapshot periods of files plus what retention keeps.
    EXPECT_LE(static_cast<std::int64_t>(blobs.inner.size()),
              opt.min_batches_to_retain + 2 * opt.snapshot_interval + 2)
        << seed;
  }
}

TEST(StateStore, SnapshotsInAFolderAreWrittenInPiecesAndRecoverTheState) {
  const auto root = std::filesystem::temp_directory_path() / ("sluice-state-pieces-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  // Through any_blobs, as the stages attach a store: the folder takes the snapshot in pieces.
  static_assert(sluice::store::piecewise_blob_store<sluice::fs::directory_blobs>);
  const sluice::store::any_blobs blobs{sluice::fs::directory_blobs(root)};
  st::keyed_state<sluice::store::any_blobs> state(blobs, small_options(2, 10));
  std::map<std::string, std::string> want;
  std::string text;
  for (int batch = 0; batch < 6; ++batch) {
    // 3 MB of values a batch: each snapshot spans several pieces.
    for (int i = 0; i < 3000; ++i) {
      const std::string k = "k" + std::to_string(batch) + "-" + std::to_string(i);
      const std::string v(1000 + i % 50, static_cast<char>('a' + (i + batch) % 26));
      state.put(k, v);
      want[k] = v;
    }
    auto t = state.commit(batch);
    ASSERT_TRUE(t);
    ASSERT_TRUE(state.committed());
    text = t.value();
  }
  const auto m = st::parse_manifest(text);
  ASSERT_TRUE(m && m->snapshot);
  EXPECT_GT(state.store().stats().snapshots_written, 1);
  const auto snapshot = root / state.store().file_name(st::file_kind::snapshot, m->snapshot->batch_id);
  EXPECT_EQ(std::filesystem::file_size(snapshot), m->snapshot->bytes);
  EXPECT_GT(m->snapshot->bytes, std::uint64_t{10} << 20);
  st::keyed_state<sluice::store::any_blobs> again(sluice::store::any_blobs(sluice::fs::directory_blobs(root)),
                                                  small_options(2, 10));
  ASSERT_TRUE(again.recover(text)) << again.error_detail();
  EXPECT_EQ(as_map(again.entries()), want);
  std::filesystem::remove_all(root);
}

TEST(StateStore, AChangelogHoldsOnlyTheKeysTheBatchChanged) {
  faulty_blobs blobs;
  st::keyed_state<faulty_blobs> state(blobs, small_options(1000, 1000));
  for (int i = 0; i < 10000; ++i) state.put("key" + std::to_string(i), "value");
  ASSERT_TRUE(state.commit(0));
  ASSERT_TRUE(state.committed());
  const auto big = state.store().stats().last_batch_bytes;
  state.put("key7", "other");
  state.put("key7", "value");  // changed back: not a change
  state.put("key8", "new");
  state.remove("key9");
  state.remove("absent");
  ASSERT_TRUE(state.commit(1));
  ASSERT_TRUE(state.committed());
  const auto small = state.store().stats().last_batch_bytes;
  EXPECT_GT(big, 100000);
  EXPECT_LT(small, 60);  // two entries and the header
  // A batch that changed nothing writes no file.
  const auto puts = blobs.s->puts;
  auto text = state.commit(2);
  ASSERT_TRUE(text);
  ASSERT_TRUE(state.committed());
  EXPECT_EQ(blobs.s->puts, puts);
  st::keyed_state<faulty_blobs> again(blobs, small_options(1000, 1000));
  ASSERT_TRUE(again.recover(text.value()));
  EXPECT_EQ(as_map(again.entries()), as_map(state.entries()));
  EXPECT_EQ(*again.get("key8"), "new");
  EXPECT_EQ(again.get("key9"), nullptr);
}

TEST(StateStore, MissingOrDamagedFilesFailRecoveryLoudly) {
  faulty_blobs blobs;
  st::keyed_state<faulty_blobs> state(blobs, small_options(3, 10));
  std::string text;
  for (std::int64_t b = 0; b < 5; ++b) {  // snapshot at 2, changelogs 3 and 4
    state.put("k" + std::to_string(b), "v");
    text = state.commit(b).value();
    ASSERT_TRUE(state.committed());
  }
  const std::string changelog = state.store().file_name(st::file_kind::changelog, 3);
  const std::string snapshot = state.store().file_name(st::file_kind::snapshot, 2);
  ASSERT_TRUE(blobs.inner.get(changelog).value());
  ASSERT_TRUE(blobs.inner.get(snapshot).value());
  const auto expect_failure = [&](const std::string& what) {
    st::keyed_state<faulty_blobs> again(blobs, small_options(3, 10));
    const auto r = again.recover(text);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), sluice::errc::corrupt_state);
    EXPECT_NE(again.error_detail().find(what), std::string::npos) << again.error_detail();
    EXPECT_EQ(again.size(), 0u);
  };
  const std::string saved = *blobs.inner.get(changelog).value();
  ASSERT_TRUE(blobs.inner.remove(changelog));
  expect_failure(changelog + " is missing");
  ASSERT_TRUE(blobs.inner.put(changelog, saved.substr(0, saved.size() - 1)));
  expect_failure(changelog);
  std::string flipped = saved;
  flipped[25] = static_cast<char>(flipped[25] ^ 1);
  ASSERT_TRUE(blobs.inner.put(changelog, flipped));
  expect_failure(changelog);
  ASSERT_TRUE(blobs.inner.put(changelog, saved));
  std::string damaged = *blobs.inner.get(snapshot).value();
  damaged[30] = static_cast<char>(damaged[30] ^ 0x10);
  ASSERT_TRUE(blobs.inner.put(snapshot, damaged));
  expect_failure(snapshot);
  st::keyed_state<faulty_blobs> again(blobs, small_options(3, 10));
  EXPECT_FALSE(again.recover("not a manifest"));
  EXPECT_NE(again.error_detail().find("does not parse"), std::string::npos);
}

TEST(StateStore, RetentionDeletesOnlyWhatNoRetainedBatchNeeds) {
  faulty_blobs blobs;
  st::keyed_state<faulty_blobs> state(blobs, small_options(4, 6));
  for (std::int64_t b = 0; b < 40; ++b) {
    state.put("k" + std::to_string(b % 5), std::to_string(b));
    ASSERT_TRUE(state.commit(b));
    ASSERT_TRUE(state.committed());
  }
  // Snapshots at 3, 7, …, 39; batch 39 - 6 + 1 = 34 recovers from snapshot 31: files of 31 on.
  const std::vector<std::string> names = blobs.inner.list("").value();
  const std::vector<std::string> want = {
      "state/changelog-00000000000000000032.bin", "state/changelog-00000000000000000033.bin",
      "state/changelog-00000000000000000034.bin", "state/changelog-00000000000000000036.bin",
      "state/changelog-00000000000000000037.bin", "state/changelog-00000000000000000038.bin",
      "state/snapshot-00000000000000000031.bin",  "state/snapshot-00000000000000000035.bin",
      "state/snapshot-00000000000000000039.bin"};
  EXPECT_EQ(names, want);
  EXPECT_GT(state.store().stats().files_removed, 0);
}
