// SPDX-License-Identifier: Apache-2.0
// Scale-out on Kafka's consumer groups (issue 5 §3): two and three sluice-schema-writer processes
// in one group over a 6-partition topic on the real broker, sharing an S3 checkpoint. The
// partitions are shared (each process's progress names only some of them); SIGKILLing one hands
// its partitions to the others; and the catalog, the dead letters, the completed-batches log
// (each partition's offsets tiled exactly once) and the committed offsets end exactly as a
// single process leaves them.
#include "writer_services.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <set>
#include <thread>

namespace {

using namespace swsvc;

constexpr int partitions = 6;

// The sample `copies` times from copy `first` on, table names unique per copy, spread over the
// partitions round-robin.
std::vector<sluice::test::test_message> input(int first, int copies) {
  const auto sample = read_kcat(sample_file);
  std::vector<sluice::test::test_message> out;
  int i = 0;
  for (int c = first; c < first + copies; ++c) {
    for (const auto& m : sample) {
      auto key = m.key;
      if (c > 0 && key && std::count(key->begin(), key->end(), '.') == 2 &&
          key->find("generic_wrapper") == std::string::npos) {
        *key += "_C" + std::to_string(c);
      }
      out.push_back({i++ % partitions, key, m.payload});
    }
  }
  return out;
}

// The partitions a progress file names.
std::set<std::int64_t> partitions_in(const fsys::path& progress) {
  std::set<std::int64_t> out;
  for (const auto& [p, n] : sum_progress(read_file(progress)).rows_by_partition) {
    if (n > 0) out.insert(p);
  }
  return out;
}

class ScaleOut : public writer_services, public ::testing::WithParamInterface<int> {
 protected:
  // Each partition's end: what the test produced to it (the topic is new).
  std::vector<std::int64_t> ends() const { return produced_; }
  void produce(const std::vector<sluice::test::test_message>& msgs) {
    ASSERT_EQ(sluice::test::produce(svc_.kafka_bootstrap, topic_, msgs), "");
    for (const auto& m : msgs) ++produced_[static_cast<std::size_t>(m.partition)];
  }
  // Waits until `group` committed `want` for every partition.
  void wait_committed(const std::string& group, const std::vector<std::int64_t>& want, const std::string& why) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    for (;;) {
      if (sluice::test::committed_offsets(svc_.kafka_bootstrap, group, topic_, partitions) == want) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "not caught up: " << why;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  }

  std::vector<std::int64_t> produced_ = std::vector<std::int64_t>(partitions, 0);
};

TEST_P(ScaleOut, MembersSharePartitionsAKilledMembersGoToTheOthersAndTheResultEqualsOneProcess) {
  const int n = GetParam();
  ASSERT_EQ(sluice::test::create_topic(svc_.kafka_bootstrap, topic_, partitions), "");
  scratch_dir d;
  const std::string group = sluice::test::unique_name("group");
  const std::vector<std::string> common{"--max-records-per-batch", "3", "--trigger-interval", "100ms"};

  // N members join the group on the empty topic; the assignment settles before data arrives, so
  // each member's progress shows only its own partitions.
  std::vector<pid_t> pids;
  std::vector<fsys::path> progress, errs;
  for (int i = 0; i < n; ++i) {
    progress.push_back(d / ("progress-" + std::to_string(i) + ".jsonl"));
    errs.push_back(d / ("stderr-" + std::to_string(i) + ".log"));
    auto a = args(group, "many", common);
    a.insert(a.end(), {"--progress", "file:" + progress.back().string()});
    a.insert(a.begin(), writer_exe.string());
    const int fd = ::open(errs.back().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    pids.push_back(spawn(a, credentials(), {}, -1, -1, fd));
    ::close(fd);
  }
  auto stop_all = [&](int sig) {
    for (const pid_t p : pids) {
      if (p > 0) ::kill(p, sig);
    }
  };
  {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      int with = 0;
      for (const auto& e : errs) with += read_file(e).find("] assigned") != std::string::npos ? 1 : 0;
      if (with == n) break;
      if (std::chrono::steady_clock::now() > deadline) {
        stop_all(SIGKILL);
        FAIL() << "not every member got partitions:\n" << read_file(errs[0]);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::this_thread::sleep_for(std::chrono::seconds(4));  // the last rebalance settles
  }

  // Round one: every member works on its share.
  produce(input(0, 3));
  wait_committed(group, ends(), "round one");
  std::set<std::int64_t> all;
  std::vector<std::set<std::int64_t>> share;
  for (int i = 0; i < n; ++i) {
    share.push_back(partitions_in(progress[static_cast<std::size_t>(i)]));
    EXPECT_FALSE(share.back().empty()) << "member " << i << " did nothing";
    EXPECT_LT(share.back().size(), static_cast<std::size_t>(partitions)) << "member " << i << " took every partition";
    all.insert(share.back().begin(), share.back().end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(partitions));

  // Round two: member 0 is SIGKILLed while the members work; its partitions go to the others.
  produce(input(3, 3));
  {
    const auto before = sum_progress(read_file(progress[0])).records;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sum_progress(read_file(progress[0])).records == before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pids[0], SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pids[0], &status, 0), pids[0]);
  pids[0] = -1;
  const auto killed_share = share[0];
  wait_committed(group, ends(), "after member 0 was killed");

  std::set<std::int64_t> taken_over;
  for (int i = 1; i < n; ++i) {
    for (const auto p : partitions_in(progress[static_cast<std::size_t>(i)])) {
      if (killed_share.contains(p) && !share[static_cast<std::size_t>(i)].contains(p)) taken_over.insert(p);
    }
  }
  EXPECT_EQ(taken_over, killed_share) << "the killed member's partitions were not all handed over";

  // The survivors stop cleanly on SIGTERM.
  stop_all(SIGTERM);
  for (int i = 1; i < n; ++i) {
    ASSERT_EQ(::waitpid(pids[static_cast<std::size_t>(i)], &status, 0), pids[static_cast<std::size_t>(i)]);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(errs[static_cast<std::size_t>(i)]);
  }

  // The reference: one process over the whole topic.
  const std::string one_group = sluice::test::unique_name("one");
  const auto one = writer(args(one_group, "one", {"--once", "--max-records-per-batch", "3"}), credentials());
  ASSERT_EQ(one.exit_code, 0) << one.err;

  const auto want_catalog = objects("one", "catalog");
  ASSERT_GE(want_catalog.size(), 6u * 15u);
  EXPECT_EQ(objects("many", "catalog"), want_catalog);
  const auto to_map = [](const std::vector<dead_letter>& v) {
    std::map<std::pair<std::int64_t, std::int64_t>, std::string> m;
    for (const auto& dl : v) EXPECT_TRUE(m.emplace(std::pair{dl.partition, dl.offset}, dl.reason).second) << "twice";
    return m;
  };
  const auto want_dead = parse_dead_letters(objects("one", "dead-letters"));
  const auto got_dead = parse_dead_letters(objects("many", "dead-letters"));
  EXPECT_EQ(want_dead.size(), 6u * 9u);
  EXPECT_EQ(got_dead.size(), want_dead.size()) << "dead letters lost or written twice";
  EXPECT_EQ(to_map(got_dead), to_map(want_dead));
  expect_log_tiles(log("many"), ends());
  expect_log_tiles(log("one"), ends());
  EXPECT_EQ(sluice::test::committed_offsets(svc_.kafka_bootstrap, group, topic_, partitions), ends());
  EXPECT_EQ(sluice::test::committed_offsets(svc_.kafka_bootstrap, one_group, topic_, partitions), ends());
  std::string shares;
  for (const auto& s : share) {
    shares += " {";
    for (const auto p : s) shares += std::to_string(p) + " ";
    shares += "}";
  }
  std::printf("[ scale-out] %d members, round-one shares%s, killed member's partitions handed over: %zu\n", n,
              shares.c_str(), taken_over.size());
}

INSTANTIATE_TEST_SUITE_P(Members, ScaleOut, ::testing::Values(2, 3));

}  // namespace
