// SPDX-License-Identifier: Apache-2.0
// sluice-event-etl on a real Kafka broker and a real S3 server (issue 6 §3). Events from
// sluice-event-gen (duplicates, out-of-order, late, invalid, filtered) are produced with kcat to a
// multi-partition topic keyed by device_id. The oracles: (1) a run without a restart; a run
// stopped with SIGTERM after some batches and restarted, and one SIGKILLed at random moments and
// restarted, must write the same window rows (as a multiset, and the same objects byte for
// byte); (2) the file source run on each partition's events (read back with kcat, in offset
// order) with the same batch size computes the same windows: a device's events are in one
// partition in the same order, and each partition has its own watermark.
#include "writer_services.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace swtest;

const std::string etl_exe = SLUICE_EVENT_ETL_EXE;
const std::string gen_exe = SLUICE_EVENT_GEN_EXE;
constexpr int partitions = 4;
constexpr int batch_size = 50;   // 120 batches over the partitions: room for 20 kills

// The device_id of an event line, or "-" when the line has none (an invalid event: it goes to
// some partition and becomes a dead letter there).
std::string device_key(const std::string& line) {
  const std::string tag = "\"device_id\":\"";
  const auto at = line.find(tag);
  if (at == std::string::npos) return "-";
  const auto end = line.find('"', at + tag.size());
  if (end == std::string::npos || end == at + tag.size()) return "-";
  return line.substr(at + tag.size(), end - at - tag.size());
}

std::multiset<std::string> rows_of(const std::map<std::string, std::string>& objects) {
  std::multiset<std::string> rows;
  for (const auto& [k, v] : objects)
    for (auto& l : lines_of(v))
      if (!l.empty()) rows.insert(std::move(l));
  return rows;
}

// What differs between two multisets of rows (at most 5 rows of each side), for a failure message.
std::string difference(const std::multiset<std::string>& got, const std::multiset<std::string>& want) {
  std::vector<std::string> extra, missing;
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::string out = std::to_string(got.size()) + " rows instead of " + std::to_string(want.size()) + "; " +
                    std::to_string(extra.size()) + " unexpected, " + std::to_string(missing.size()) + " missing";
  for (std::size_t i = 0; i < extra.size() && i < 5; ++i) out += "\n  unexpected: " + extra[i];
  for (std::size_t i = 0; i < missing.size() && i < 5; ++i) out += "\n  missing:    " + missing[i];
  return out;
}

// The events a run reports at its end ("<program>: done|stopped: N batches (R replayed), E events").
std::int64_t events_reported(const std::string& err) {
  for (const char* what : {": done: ", ": stopped: "}) {
    const auto at = err.rfind(what);
    if (at == std::string::npos) continue;
    const auto paren = err.find("), ", at);
    if (paren == std::string::npos) return -1;
    return std::stoll(err.substr(paren + 3));
  }
  return -1;
}

// Lines of stderr that report a batch a run committed (not a replay).
std::size_t committed_batches(const fsys::path& err_file) {
  std::size_t n = 0;
  for (const auto& l : lines_of(read_file(err_file)))
    if (l.find(": batch ") != std::string::npos && l.find("(replayed)") == std::string::npos) ++n;
  return n;
}

class EventEtlServices : public swsvc::writer_services {
 protected:
  EventEtlServices() : swsvc::writer_services("etl", "device-events") {}

  void SetUp() override {
    swsvc::writer_services::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(sluice::test::create_topic(svc_.kafka_bootstrap, topic_, partitions), "");

    // 6000 events of 60 devices over 25 minutes of event time (4/s): 1-minute windows, and
    // late events 11 to 40 minutes back against the 10-minute watermark.
    const auto gen = run({gen_exe, "--events", "6000", "--devices", "60", "--seed", "20261121", "--rate", "4",
                          "--duplicates", "0.05", "--late", "0.03", "--invalid", "0.02", "--filtered", "0.02"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::string input;
    std::size_t keyless = 0;
    for (const auto& line : lines_of(gen.out)) {
      if (line.empty()) continue;
      ASSERT_EQ(line.find_first_of("\x1e\x1f"), std::string::npos);
      const std::string key = device_key(line);
      keyless += key == "-" ? 1 : 0;
      input += key + '\x1f' + line + '\x1e';
      ++events_;
    }
    ASSERT_EQ(events_, 6000u);
    ASSERT_GT(keyless, 0u) << "some invalid events have no device_id";
    const auto p = run({"/usr/bin/env", "kcat", "-P", "-b", svc_.kafka_bootstrap, "-t", topic_, "-K", "\x1f", "-D",
                        "\x1e"},
                       {}, {}, input);
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }

  // The binary's arguments: group `group`, rows under s3://bucket/<root>/out/, the checkpoint
  // under s3://bucket/<root>/checkpoint.
  std::vector<std::string> args(const std::string& group, const std::string& root, bool once) const {
    std::vector<std::string> a{etl_exe,
                               "--kafka-bootstrap-servers", svc_.kafka_bootstrap,
                               "--kafka-topic", topic_,
                               "--kafka-starting-offsets", "earliest",
                               "--kafka-group-id", group,
                               "--s3-bucket", bucket_,
                               "--s3-prefix", root + "/out/",
                               "--s3-endpoint", svc_.s3_endpoint,
                               "--s3-region", svc_.s3_region,
                               "--s3-path-style",
                               "--checkpoint-location", "s3://" + bucket_ + "/" + root + "/checkpoint",
                               "--kafka-max-offsets-per-trigger", std::to_string(batch_size),
                               // Incremental state on S3 with a snapshot every 3 changelogs and
                               // retention of 2 batches, so kills land in all three kinds of write.
                               "--state-snapshot-interval", "3", "--min-batches-to-retain", "2",
                               // A killed member leaves the group within a second or two.
                               "-X", "session.timeout.ms=2000", "-X", "heartbeat.interval.ms=300"};
    if (once) a.emplace_back("--once");
    return a;
  }
  // Runs to the end of the topic (--once), checks that it succeeded, returns its stderr.
  std::string finish(const std::string& group, const std::string& root) {
    const auto r = run(args(group, root, true), credentials());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(": done: "), std::string::npos) << r.err;
    return r.err;
  }

  // Objects under <root>/out/, keys relative to it.
  std::map<std::string, std::string> output(const std::string& root) const { return objects(root, "out"); }

  // Starts a run without --once with stderr into `err_file`, waits until it has committed
  // `batches` batches more than `err_file` reported so far (or it exits), then sends `sig`.
  // Returns the wait status.
  int interrupt(const std::string& group, const std::string& root, const fsys::path& err_file, std::size_t batches,
                int sig, std::chrono::milliseconds extra = std::chrono::milliseconds(0)) {
    const int fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0);
    const pid_t pid = spawn(args(group, root, false), credentials(), {}, -1, -1, fd);
    ::close(fd);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    int status = 0;
    while (committed_batches(err_file) < batches && std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        ADD_FAILURE() << "the run ended before " << batches << " batches: " << read_file(err_file);
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GE(committed_batches(err_file), batches) << read_file(err_file);
    std::this_thread::sleep_for(extra);
    ::kill(pid, sig);
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return status;
  }

  std::size_t events_ = 0;
};

TEST_F(EventEtlServices, RestartsAfterSigtermAndSigkillWriteTheRowsOfAnUninterruptedRun) {
  // The reference: one run to the end of the topic.
  EXPECT_EQ(events_reported(finish("etl-ref", "ref")), static_cast<std::int64_t>(events_));
  const auto reference = output("ref");
  const auto ref_rows = rows_of(reference);
  ASSERT_GT(ref_rows.size(), 500u) << "the windows of 60 devices over 25 minutes";
  // Every object is one partition's batch: part-<topic>-<partition>-<first offset>.jsonl.
  std::set<int> parts_seen;
  for (const auto& [k, v] : reference) {
    ASSERT_EQ(k.rfind("part-" + topic_ + "-", 0), 0u) << k;
    const auto rest = k.substr(5 + topic_.size() + 1);
    parts_seen.insert(std::stoi(rest.substr(0, rest.find('-'))));
    const auto from = std::stoll(rest.substr(rest.find('-') + 1, 20));
    EXPECT_EQ(from % batch_size, 0) << "batches of " << batch_size << " offsets: " << k;
  }
  EXPECT_EQ(parts_seen.size(), static_cast<std::size_t>(partitions));

  scratch_dir dir;
  // SIGTERM after some batches: the run stops after the batch in progress (exit 0, "stopped"),
  // the restart continues from the checkpoint.
  {
    const int status = interrupt("etl-term", "term", dir / "term.err", 6, SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << read_file(dir / "term.err");
    EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(dir / "term.err");
    EXPECT_NE(read_file(dir / "term.err").find(": stopped: "), std::string::npos) << read_file(dir / "term.err");
    EXPECT_LT(output("term").size(), reference.size()) << "the SIGTERM landed before the end";
    // The restart goes on where the stopped run ended: every event is read once.
    const auto before = events_reported(read_file(dir / "term.err"));
    EXPECT_GT(before, 0);
    EXPECT_EQ(before + events_reported(finish("etl-term", "term")), static_cast<std::int64_t>(events_));
    const auto term = output("term");
    EXPECT_TRUE(rows_of(term) == ref_rows) << difference(rows_of(term), ref_rows);
    EXPECT_TRUE(term == reference) << "the objects differ (names or bytes)";
  }
  // SIGKILL at random moments (after a commit plus a random delay, so also inside a batch: in
  // the state's changelog and snapshot PUTs and retention's DELETEs), at least 20 times and until
  // a killed batch was replayed, then a run to the end: a killed batch is replayed from its plan
  // with the state of the last commit, so nothing is lost or counted twice.
  {
    std::mt19937 rng(20261121);
    std::size_t replayed_lines = 0;
    int kills = 0;
    const auto replays_in = [](const std::string& err) {
      std::size_t n = 0;
      for (const auto& l : lines_of(err)) n += l.find("(replayed)") != std::string::npos ? 1 : 0;
      return n;
    };
    // A kill replays a batch only if it lands between the batch's plan and its commit, a few
    // tens of milliseconds out of each batch: 20 to 30 kills, each after a random delay.
    for (; kills < 30 && (kills < 20 || replayed_lines == 0); ++kills) {
      const auto err = dir / ("kill" + std::to_string(kills) + ".err");
      const int status = interrupt("etl-kill", "kill", err, 1, SIGKILL, std::chrono::milliseconds(rng() % 60));
      ASSERT_TRUE(WIFSIGNALED(status)) << read_file(err);
      replayed_lines += replays_in(read_file(err));
    }
    replayed_lines += replays_in(finish("etl-kill", "kill"));
    EXPECT_GE(replayed_lines, 1u) << "no SIGKILL landed inside a batch in " << kills << " kills";
    const auto killed = output("kill");
    EXPECT_TRUE(rows_of(killed) == ref_rows) << difference(rows_of(killed), ref_rows);
    EXPECT_TRUE(killed == reference) << "the objects differ (names or bytes)";
    std::printf("[ restart  ] %zu rows in %zu objects; %d SIGKILLs, %zu batches replayed after them\n",
                ref_rows.size(), reference.size(), kills, replayed_lines);
  }
}

TEST_F(EventEtlServices, EachPartitionComputesTheWindowsOfTheFileSourceOnItsEvents) {
  finish("etl-part", "part");
  const auto kafka_rows = rows_of(output("part"));
  ASSERT_FALSE(kafka_rows.empty());

  scratch_dir dir;
  std::multiset<std::string> file_rows;
  std::size_t consumed = 0;
  for (int p = 0; p < partitions; ++p) {
    // The partition's events in offset order, read back with kcat (not with sluice).
    const auto c = run({"/usr/bin/env", "kcat", "-C", "-b", svc_.kafka_bootstrap, "-t", topic_, "-p",
                        std::to_string(p), "-o", "beginning", "-e", "-q", "-f", "%s\\n"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    const auto in = dir / ("p" + std::to_string(p) + ".jsonl");
    write_file(in, c.out);
    for (const auto& l : lines_of(c.out)) consumed += l.empty() ? 0 : 1;
    const auto out = dir / ("out" + std::to_string(p));
    const auto r = run({etl_exe, "--source", "file:" + in.string(), "--sink", "file:" + out.string(),
                        "--checkpoint-location", (dir / ("ck" + std::to_string(p))).string(),
                        "--dead-letters", (dir / ("dl" + std::to_string(p))).string(),
                        "--kafka-max-offsets-per-trigger", std::to_string(batch_size), "--once"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& row : rows_of(tree(out))) file_rows.insert(row);
  }
  ASSERT_EQ(consumed, events_);
  EXPECT_TRUE(kafka_rows == file_rows) << difference(kafka_rows, file_rows);

  // And the Kafka run's dead letters are those of the file runs: as many, per partition.
  std::size_t kafka_letters = 0;
  for (const auto& [k, v] : sluice_s3_it::objects_under(*s3_, bucket_, "part/dead-letters/"))
    for (const auto& l : lines_of(v)) kafka_letters += l.empty() ? 0 : 1;
  std::size_t file_letters = 0;
  for (const auto& [k, v] : tree(dir.path()))
    if (k.rfind("dl", 0) == 0)
      for (const auto& l : lines_of(v)) file_letters += l.empty() ? 0 : 1;
  EXPECT_GT(kafka_letters, 0u);
  EXPECT_EQ(kafka_letters, file_letters);
}

TEST_F(EventEtlServices, AWrongFieldMapStopsTheKafkaJobBeforeItCommitsAnything) {
  // The topic's events call their time `event_time`; the map says `timestamp`.
  auto a = args("etl-badmap", "badmap", true);
  a.insert(a.end(), {"--field-map", "event_time=timestamp"});
  const auto r = run(a, credentials());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--field-map does not fit the input"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing required field \"timestamp\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("event_time"), std::string::npos) << r.err;
  // Nothing committed: no rows, no dead letters, no commit record.
  EXPECT_TRUE(sluice_s3_it::keys_under(*s3_, bucket_, "badmap/out/").empty());
  EXPECT_TRUE(sluice_s3_it::keys_under(*s3_, bucket_, "badmap/dead-letters/").empty());
  for (const auto& k : sluice_s3_it::keys_under(*s3_, bucket_, "badmap/checkpoint/"))
    EXPECT_EQ(k.find("commit.json"), std::string::npos) << k;
}

}  // namespace
