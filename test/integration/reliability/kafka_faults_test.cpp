// SPDX-License-Identifier: Apache-2.0
// Kafka faults (issue 5 §1) under the real sluice-schema-writer binary: librdkafka's mock
// cluster runs in this test process (three brokers listening on loopback), the writer joins a
// consumer group on it, and while it runs the test injects request errors (Fetch, ListOffsets,
// OffsetCommit, Heartbeat), takes a partition leader down and back, takes every broker down and
// back, and moves the group coordinator twice. The oracle is a fault-free run of the same binary
// on the same topic: catalog byte for byte, dead letters each once, the log tiling every
// partition's offsets once, the group's committed offsets at the partitions' ends.
#include "outcome.hpp"

#include "../../kafka/mock_cluster.hpp"
#include "support/kafka_admin.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace {

using namespace reliability;
using namespace std::chrono_literals;
using sluice_test::api::fetch;
using sluice_test::api::heartbeat;
using sluice_test::api::list_offsets;
using sluice_test::api::offset_commit;
using swtest::read_file;
using swtest::scratch_dir;

constexpr int partitions = 3;
constexpr int brokers = 3;

class KafkaFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    mc_.create_topic(topic_, partitions);
    // The sample twice, round robin over the partitions.
    const auto messages = sample_copies(2);
    ends_.assign(partitions, 0);
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const auto p = static_cast<std::int32_t>(i % partitions);
      mc_.produce(topic_, p, messages[i].key, messages[i].payload);
      ++ends_[static_cast<std::size_t>(p)];
    }
  }

  std::vector<std::string> args(const std::string& group, const std::filesystem::path& root,
                                std::vector<std::string> extra) const {
    std::vector<std::string> a{"--source", "kafka://" + mc_.bootstrap() + "/" + topic_, "--group-id", group,
                               "--sink", "file:" + (root / "catalog").string(),
                               "--checkpoint", "file:" + (root / "checkpoint").string(),
                               "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=300",
                               "-X", "reconnect.backoff.max.ms=500"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  static outcome outcome_of(const std::filesystem::path& root) {
    return read_outcome(swtest::tree(root / "catalog"), swtest::tree(root / "checkpoint" / "completed-batches"),
                        swtest::tree(root / "dead-letters"));
  }

  sluice_test::mock_cluster mc_{brokers};
  std::string topic_ = "gg-schemas";
  std::vector<std::int64_t> ends_;
};

TEST_F(KafkaFaults, RequestErrorsBrokersDownAndCoordinatorChangesLoseNothingAndWriteNothingTwice) {
  scratch_dir d;
  const std::vector<std::string> batch{"--once", "--max-records-per-batch", "3"};
  const auto ref = swtest::writer(args("reference", d / "ref", batch));
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const outcome want = outcome_of(d / "ref");
  ASSERT_GE(want.catalog.size(), 2u * 15u);
  ASSERT_EQ(want.dead_count, 2u * 9u);

  // Request errors the writer meets from its first requests on (each consumed once, by the next
  // request of its type).
  int request_errors = 0;
  const auto push = [&](std::int16_t api, std::vector<rd_kafka_resp_err_t> errors) {
    request_errors += static_cast<int>(errors.size());
    mc_.push_errors(api, errors);
  };
  push(list_offsets, {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                      RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION});
  push(fetch, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
               RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE});

  const std::string group = "faulty";
  const auto progress = d / "progress.jsonl";
  auto a = args(group, d / "faulty", {"--once", "--max-records-per-batch", "3", "--trigger-interval", "300ms",
                                      "--progress", "file:" + progress.string()});
  a.insert(a.begin(), swtest::writer_exe.string());
  const auto err_path = d / "stderr.txt";
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(err_fd, 0);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = swtest::spawn(a, {}, {}, -1, -1, err_fd);
  ::close(err_fd);
  int status = 0;
  bool exited = false;
  // Waits until the run has committed `n` batches (false if it exited first).
  const auto wait_batches = [&](std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (progress_lines(read_file(progress)) < n) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        return false;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  };
  int downs = 0, coordinator_moves = 0;
  ASSERT_TRUE(wait_batches(2)) << read_file(err_path);
  push(offset_commit, {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
                       RD_KAFKA_RESP_ERR_NOT_COORDINATOR});
  push(heartbeat, {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR});
  push(fetch, {RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  ASSERT_TRUE(wait_batches(5)) << read_file(err_path);
  // The leader of partition 0 down for 2 s, then back.
  rd_kafka_mock_partition_set_leader(mc_.get(), topic_.c_str(), 0, 1);
  mc_.broker_down(1);
  ++downs;
  std::this_thread::sleep_for(2s);
  mc_.broker_up(1);
  ASSERT_TRUE(wait_batches(8)) << read_file(err_path);
  ASSERT_EQ(rd_kafka_mock_coordinator_set(mc_.get(), "group", group.c_str(), 2), RD_KAFKA_RESP_ERR_NO_ERROR);
  ++coordinator_moves;
  ASSERT_TRUE(wait_batches(11)) << read_file(err_path);
  // Every broker down for 2 s (shorter than the session timeout), then back.
  for (int b = 1; b <= brokers; ++b) mc_.broker_down(b);
  ++downs;
  std::this_thread::sleep_for(2s);
  for (int b = 1; b <= brokers; ++b) mc_.broker_up(b);
  ASSERT_TRUE(wait_batches(14)) << read_file(err_path);
  if (::waitpid(pid, &status, WNOHANG) == pid) {
    exited = true;
  } else {
    ASSERT_EQ(rd_kafka_mock_coordinator_set(mc_.get(), "group", group.c_str(), 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    ++coordinator_moves;
  }
  if (!exited) {
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string err = read_file(err_path);
  ASSERT_TRUE(WIFEXITED(status)) << err;
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the process did not survive the faults:\n" << err;

  const outcome got = outcome_of(d / "faulty");
  expect_same_outcome(got, want, topic_, ends_, "under Kafka faults");
  EXPECT_EQ(sluice::test::committed_offsets(mc_.bootstrap(), group, topic_, partitions), ends_);
  const std::size_t batches = progress_lines(read_file(progress));
  // The writer saw the faults: librdkafka's warnings and errors are its log lines.
  std::size_t kafka_lines = 0;
  for (const auto& l : swtest::lines_of(err)) kafka_lines += l.find(": kafka ") != std::string::npos ? 1 : 0;
  EXPECT_GE(kafka_lines, 1u) << err;
  EXPECT_NE(err.find("_ALL_BROKERS_DOWN"), std::string::npos) << err;
  std::printf("[ faults   ] Kafka: %d injected request errors (ListOffsets, Fetch, OffsetCommit, Heartbeat), "
              "%d broker outages (a leader, then all %d brokers, 2 s each), %d coordinator moves; 1 process, "
              "exit 0, %zu batches, %lld messages, %zu catalog objects, %zu dead letters, lost 0, "
              "duplicates 0, %zu librdkafka warnings logged, %.1f s\n",
              request_errors, downs, brokers, coordinator_moves, batches,
              static_cast<long long>(ends_[0] + ends_[1] + ends_[2]), got.catalog.size(), got.dead_count, kafka_lines, secs);
}

}  // namespace
