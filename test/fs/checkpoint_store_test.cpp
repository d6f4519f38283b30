// SPDX-License-Identifier: Apache-2.0
#include "sluice/fs/checkpoint_store.hpp"
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/store/blob_checkpoint_store.hpp"
#include "sluice/store/blob_store.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace {

using sluice::batch_plan;
using sluice::commit_record;
using sluice::fs::checkpoint_store;
using sluice_test::files_under;
using sluice_test::slurp;
using sluice_test::spit;
using sluice_test::temp_dir;

static_assert(sluice::checkpoint_store<checkpoint_store>);

batch_plan plan_of(std::int64_t id) {
  return {id, {{"gg-schemas", 0, id * 10, id * 10 + 10}, {"t \"quoted\" \xc3\xa9", 3, 5, 5 + id}}};
}

commit_record commit_of(std::int64_t id, std::string state = "") {
  return {plan_of(id), {{"gg-schemas", 0, id * 10 + 10, id * 10 + 10}}, std::move(state)};
}

TEST(FsCheckpointStore, StartsEmpty) {
  temp_dir dir;
  checkpoint_store s(dir / "ckpt");
  EXPECT_EQ(s.pending().value(), std::nullopt);
  EXPECT_EQ(s.last_commit().value(), std::nullopt);
  EXPECT_FALSE(std::filesystem::exists(dir / "ckpt"));
}

TEST(FsCheckpointStore, APlanIsPendingUntilCommittedAcrossRestarts) {
  temp_dir dir;
  {
    checkpoint_store s(dir / "ckpt");
    ASSERT_TRUE(s.write_plan(plan_of(0)));
    EXPECT_EQ(s.pending().value(), plan_of(0));
  }
  {
    checkpoint_store s(dir / "ckpt");  // restart
    EXPECT_EQ(s.pending().value(), plan_of(0));
    EXPECT_EQ(s.last_commit().value(), std::nullopt);
    ASSERT_TRUE(s.commit(commit_of(0, "state-0")));
    EXPECT_EQ(s.pending().value(), std::nullopt);
  }
  {
    checkpoint_store s(dir / "ckpt");
    EXPECT_EQ(s.last_commit().value(), commit_of(0, "state-0"));
    EXPECT_EQ(s.pending().value(), std::nullopt);
    ASSERT_TRUE(s.write_plan(plan_of(1)));
    EXPECT_EQ(s.pending().value(), plan_of(1));
    EXPECT_EQ(s.last_commit().value(), commit_of(0, "state-0"));
  }
  EXPECT_EQ(files_under(dir / "ckpt"), (std::set<std::string>{"commit.json", "plan.json"}));
}

TEST(FsCheckpointStore, EnforcesTheProtocol) {
  temp_dir dir;
  checkpoint_store s(dir.path());
  ASSERT_TRUE(s.write_plan(plan_of(3)));
  ASSERT_TRUE(s.write_plan(plan_of(3)));  // rewriting the pending plan (a replay) is fine
  // Committing another plan under the pending batch id.
  auto other = commit_of(3);
  other.plan.ranges[0].to += 1;
  EXPECT_EQ(s.commit(other).error(), sluice::errc::invalid_argument);
  ASSERT_TRUE(s.commit(commit_of(3)));
  ASSERT_TRUE(s.commit(commit_of(3)));  // a retried commit is a no-op
  EXPECT_EQ(s.commit(commit_of(3, "other state")).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(s.commit(commit_of(2)).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(s.write_plan(plan_of(3)).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(s.write_plan(plan_of(1)).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(s.write_plan({-1, {}}).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(s.write_plan({4, {{"t", 0, 5, 4}}}).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(s.write_plan({4, {{"\xff", 0, 0, 1}}}).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(s.last_commit().value(), commit_of(3));
  ASSERT_TRUE(s.write_plan(plan_of(4)));
  EXPECT_EQ(s.pending().value(), plan_of(4));
}

TEST(FsCheckpointStore, KeepsBinaryStateExactly) {
  temp_dir dir;
  checkpoint_store s(dir.path());
  std::string state;
  for (int i = 0; i < 256; ++i) state.push_back(static_cast<char>(i));
  ASSERT_TRUE(s.write_plan(plan_of(0)));
  ASSERT_TRUE(s.commit(commit_of(0, state)));
  EXPECT_NE(slurp(dir / "commit.json").find("\"state_encoding\":\"base64\""), std::string::npos);
  checkpoint_store again(dir.path());
  EXPECT_EQ(again.last_commit().value()->state, state);
}

TEST(FsCheckpointStore, UnreadableFilesAreCorruptState) {
  for (const std::string bad :
       {"", "garbage", "{\"version\":1,\"batch_id\":0,\"ranges\":[", "{\"version\":2,\"batch_id\":0,\"ranges\":[]}",
        "{\"version\":1,\"batch_id\":\"0\",\"ranges\":[]}", "{\"version\":1,\"batch_id\":-1,\"ranges\":[]}",
        "{\"version\":1,\"batch_id\":0,\"ranges\":[{\"topic\":\"t\",\"partition\":0,\"from\":2,\"to\":1}]}",
        "{\"version\":1,\"batch_id\":0,\"ranges\":[{\"topic\":\"t\",\"partition\":4294967296,\"from\":0,\"to\":1}]}",
        "{\"version\":1,\"batch_id\":0,\"ranges\":{}}", "[1,2]"}) {
    temp_dir dir;
    checkpoint_store s(dir.path());
    spit(dir / "plan.json", bad);
    EXPECT_EQ(s.pending().error(), sluice::errc::corrupt_state) << bad;
    spit(dir / "commit.json", bad);
    EXPECT_EQ(s.last_commit().error(), sluice::errc::corrupt_state) << bad;
    EXPECT_EQ(s.write_plan(plan_of(1)).error(), sluice::errc::corrupt_state) << bad;
    EXPECT_EQ(s.commit(commit_of(1)).error(), sluice::errc::corrupt_state) << bad;
  }
  // A commit missing its state, or with a bad base64 state.
  for (const std::string bad :
       {"{\"version\":1,\"batch_id\":0,\"ranges\":[],\"position\":[]}",
        "{\"version\":1,\"batch_id\":0,\"ranges\":[],\"position\":[],\"state\":\"@@@=\",\"state_encoding\":\"base64\"}",
        "{\"version\":1,\"batch_id\":0,\"ranges\":[],\"position\":[],\"state\":\"\",\"state_encoding\":\"rot13\"}",
        "{\"version\":1,\"batch_id\":0,\"ranges\":[],\"state\":\"\"}"}) {
    temp_dir dir;
    spit(dir / "commit.json", bad);
    EXPECT_EQ(checkpoint_store(dir.path()).last_commit().error(), sluice::errc::corrupt_state) << bad;
  }
  // A plan with the committed id but other ranges: the two files contradict each other.
  temp_dir dir;
  checkpoint_store s(dir.path());
  ASSERT_TRUE(s.write_plan(plan_of(0)));
  ASSERT_TRUE(s.commit(commit_of(0)));
  spit(dir / "plan.json", R"({"version":1,"batch_id":0,"ranges":[]})");
  EXPECT_EQ(s.pending().error(), sluice::errc::corrupt_state);
  EXPECT_TRUE(s.pending().error() == sluice::condition::fatal);
}

TEST(FsCheckpointStore, IgnoresTempFilesOfKilledWrites) {
  temp_dir dir;
  checkpoint_store s(dir.path());
  ASSERT_TRUE(s.write_plan(plan_of(0)));
  ASSERT_TRUE(s.commit(commit_of(0)));
  // A write of commit 1 killed before its rename.
  spit(dir / ".sluice-tmp-4242-0", R"({"version":1,"batch_id":1,"ran)");
  checkpoint_store again(dir.path());
  EXPECT_EQ(again.last_commit().value(), commit_of(0));
  EXPECT_EQ(again.pending().value(), std::nullopt);
  ASSERT_TRUE(again.write_plan(plan_of(1)));
  ASSERT_TRUE(again.commit(commit_of(1)));
  EXPECT_EQ(again.last_commit().value(), commit_of(1));
}

// A directory's blobs that counts the reads of each blob, and can fail puts of one blob.
struct counting_blobs {
  using stage_concept = sluice::store::blob_store_tag;
  sluice::fs::directory_blobs inner;
  std::map<std::string, int, std::less<>> gets;
  std::string fail_put_of;  // a put of this blob fails without writing
  sluice::result<void> put(std::string_view name, std::string_view bytes) {
    if (name == fail_put_of) return std::error_code(EIO, std::system_category());
    return inner.put(name, bytes);
  }
  sluice::result<std::optional<std::string>> get(std::string_view name) {
    ++gets[std::string(name)];
    return inner.get(name);
  }
  sluice::result<std::vector<std::string>> list(std::string_view prefix) { return inner.list(prefix); }
  sluice::result<void> remove(std::string_view name) { return inner.remove(name); }
};
using counting_store = sluice::store::blob_checkpoint_store<counting_blobs>;

TEST(FsCheckpointStore, NCommitsReadTheLastCommitOnce) {
  temp_dir dir;
  const std::string state(64 * 1024, 's');
  for (const std::int64_t first : {0, 20}) {  // an empty store, then one with commits
    counting_store s(counting_blobs{sluice::fs::directory_blobs(dir.path()), {}, {}});
    // What the runner does: read the last commit and the pending plan once at start, then plan
    // and commit batch after batch.
    const auto last = s.last_commit().value();
    if (first == 0) {
      EXPECT_EQ(last, std::nullopt);
    } else {
      EXPECT_EQ(last, commit_of(first - 1, state));
    }
    EXPECT_EQ(s.pending().value(), std::nullopt);
    for (std::int64_t id = first; id < first + 20; ++id) {
      ASSERT_TRUE(s.write_plan(plan_of(id)));
      EXPECT_EQ(s.pending().value(), plan_of(id));
      ASSERT_TRUE(s.commit(commit_of(id, state)));
    }
    EXPECT_EQ(s.blobs().gets["commit.json"], 1) << "first batch " << first;
    // The protocol still holds, checked against the commit kept in memory.
    EXPECT_EQ(s.write_plan(plan_of(first + 19)).error(), sluice::errc::invalid_argument);
    EXPECT_EQ(s.commit(commit_of(first + 18, state)).error(), sluice::errc::invalid_argument);
    EXPECT_EQ(s.commit(commit_of(first + 19, "other")).error(), sluice::errc::invalid_argument);
    ASSERT_TRUE(s.commit(commit_of(first + 19, state)));  // a retry of the last commit
    EXPECT_EQ(checkpoint_store(dir.path()).last_commit().value(), commit_of(first + 19, state));
  }
}

TEST(FsCheckpointStore, AFailedCommitIsNotTakenAsDone) {
  temp_dir dir;
  counting_store s(counting_blobs{sluice::fs::directory_blobs(dir.path()), {}, {}});
  ASSERT_TRUE(s.write_plan(plan_of(0)));
  ASSERT_TRUE(s.commit(commit_of(0)));
  ASSERT_TRUE(s.write_plan(plan_of(1)));
  s.blobs().fail_put_of = "commit.json";
  EXPECT_EQ(s.commit(commit_of(1)).error().value(), EIO);
  EXPECT_EQ(s.pending().value(), plan_of(1));
  ASSERT_TRUE(s.write_plan(plan_of(1)));  // the replay plans the batch again
  s.blobs().fail_put_of.clear();
  ASSERT_TRUE(s.commit(commit_of(1)));  // the retry writes it
  EXPECT_EQ(checkpoint_store(dir.path()).last_commit().value(), commit_of(1));
  EXPECT_EQ(s.pending().value(), std::nullopt);
}

// Kill a process that plans and commits batch after batch at random points: the store always
// reads back, the commits never go backwards, and a pending plan is always the next batch's.
TEST(FsCheckpointStore, AWriterKilledAtRandomPointsLeavesAConsistentStore) {
  temp_dir dir;
  std::mt19937 rng(11);
  std::int64_t last_seen = -1;
  for (int round = 0; round < 20; ++round) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      checkpoint_store s(dir.path());
      auto last = s.last_commit();
      if (!last) ::_exit(3);
      std::int64_t id = last.value() ? last.value()->plan.batch_id + 1 : 0;
      for (;; ++id) {
        if (!s.write_plan(plan_of(id)) || !s.commit(commit_of(id, std::to_string(id)))) ::_exit(4);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(2'000 + rng() % 20'000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own: " << WEXITSTATUS(status);
    checkpoint_store s(dir.path());
    const auto last = s.last_commit();
    ASSERT_TRUE(last) << last.error().message();
    const auto pending = s.pending();
    ASSERT_TRUE(pending) << pending.error().message();
    if (last.value()) {
      const auto id = last.value()->plan.batch_id;
      EXPECT_EQ(*last.value(), commit_of(id, std::to_string(id)));
      EXPECT_GE(id, last_seen);
      last_seen = id;
    }
    if (pending.value()) {
      EXPECT_EQ(pending.value()->batch_id, last_seen + 1);
    }
  }
  EXPECT_GT(last_seen, 0);
}

}  // namespace
