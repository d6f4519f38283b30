// SPDX-License-Identifier: Apache-2.0
// sluice-schema-writer on a real Kafka broker and a real S3 server (docs/architecture.md §2, §4, §7).
// The oracle of the catalog is the same binary's run on the sample file into a local folder,
// whose files the file-mode tests check against Java Avro; dead letters are compared by key and
// reason with that run; the log and the committed offsets are checked against the topic itself.
#include "writer_services.hpp"

#include <simdjson.h>

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

namespace {

using namespace swtest;

// The sample topic's messages.
std::vector<message> sample_messages() { return read_kcat(sample_file); }

// Produces `messages` with kcat: key and value split by \x1f, messages by \x1e, empty = null (-Z).
void produce_with_kcat(const std::string& bootstrap, const std::string& topic, const std::vector<message>& messages) {
  std::string input;
  for (const auto& m : messages) {
    ASSERT_FALSE(m.key && m.key->empty()) << "an empty key would become null";
    input += m.key.value_or("") + '\x1f' + m.payload.value_or("") + '\x1e';
  }
  const auto r = run({"/usr/bin/env", "kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\x1f", "-D", "\x1e", "-Z"},
                     {}, {}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// The number of messages per partition, read back with kcat.
std::vector<std::int64_t> partition_ends(const std::string& bootstrap, const std::string& topic, int partitions) {
  const auto r = run({"/usr/bin/env", "kcat", "-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-f", "%p %o\\n"});
  std::vector<std::int64_t> ends(static_cast<std::size_t>(partitions), 0);
  for (const auto& line : lines_of(r.out)) {
    if (line.empty()) continue;
    const auto sp = line.find(' ');
    const auto p = std::stoul(line.substr(0, sp));
    ends.at(p) = std::max<std::int64_t>(ends.at(p), std::stoll(line.substr(sp + 1)) + 1);
  }
  return ends;
}

class SchemaWriterServices : public swsvc::writer_services {
 protected:
  void SetUp() override {
    swsvc::writer_services::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(sluice::test::create_topic(svc_.kafka_bootstrap, topic_, partitions), "");
  }

  // The credentials of the services, or another secret key.
  [[nodiscard]] env_list credentials(const std::string& secret = {}) const {
    auto env = swsvc::writer_services::credentials();
    if (!secret.empty()) {
      for (auto& [k, v] : env)
        if (k == "AWS_SECRET_ACCESS_KEY") v = secret;
    }
    return env;
  }

  // Catalog objects relative to <root>/catalog/.
  [[nodiscard]] std::map<std::string, std::string> catalog(const std::string& root) const {
    return objects(root, "catalog");
  }

  // Dead letters as (partition, offset) → (key, reason), and their count (duplicates included).
  std::pair<std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::string, std::string>>, std::size_t>
  dead_letters(const std::string& root) const {
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::string, std::string>> out;
    std::size_t count = 0;
    for (const auto& d : swsvc::parse_dead_letters(objects(root, "dead-letters"))) {
      EXPECT_NE(("/" + d.object).find("/" + topic_ + "/" + std::to_string(d.partition) + "/"), std::string::npos)
          << "dead letter of partition " << d.partition << " in " << d.object;
      out[{d.partition, d.offset}] = {d.key_as_written.value_or("<null>"), d.reason};
      ++count;
    }
    return {out, count};
  }

  static constexpr int partitions = 3;
};

// The oracle: the same sample through the file source into a local folder.
struct file_run {
  std::map<std::string, std::string> catalog;
  std::multiset<std::pair<std::string, std::string>> dead;  // (key, reason)
};
file_run run_sample_locally(const scratch_dir& d) {
  file_run out;
  const auto r = writer({"--source", "file:" + sample_file.string(), "--sink", "file:" + (d / "catalog").string(),
                         "--checkpoint", "file:" + (d / "checkpoint").string(), "--once"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  out.catalog = tree(d / "catalog");
  simdjson::dom::parser parser;
  for (auto& [k, v] : tree(d / "dead-letters")) {
    for (const auto& line : lines_of(v)) {
      if (line.empty()) continue;
      simdjson::dom::element e;
      EXPECT_EQ(parser.parse(line).get(e), simdjson::SUCCESS);
      std::string key = "<null>";
      if (std::string_view kv; e["key"].get(kv) == simdjson::SUCCESS) key = std::string(kv);
      out.dead.emplace(key, std::string(e["reason"].get_string().value()));
    }
  }
  return out;
}

TEST_F(SchemaWriterServices, SampleToS3ThenResendsWriteOnlyTheNewSchemas) {
  scratch_dir d;
  const file_run want = run_sample_locally(d);
  ASSERT_EQ(want.catalog.size(), 16u);
  ASSERT_EQ(want.dead.size(), 9u);

  const auto sample = sample_messages();
  produce_with_kcat(svc_.kafka_bootstrap, topic_, sample);
  const auto ends = partition_ends(svc_.kafka_bootstrap, topic_, partitions);
  ASSERT_EQ(ends[0] + ends[1] + ends[2], static_cast<std::int64_t>(sample.size()));
  ASSERT_GE(std::count_if(ends.begin(), ends.end(), [](std::int64_t e) { return e > 0; }), 2)
      << "the keys should spread over the partitions";

  const std::string group = sluice::test::unique_name("sw");
  auto first = writer(args(group, "r", {"--once", "--progress", "file:" + (d / "progress.jsonl").string()}),
                      credentials());
  ASSERT_EQ(first.exit_code, 0) << first.err;

  // The catalog: exactly the oracle's objects, byte for byte.
  const auto got = catalog("r");
  EXPECT_EQ(got, want.catalog);
  // Dead letters: the same (key, reason) pairs, each once.
  const auto [dead, dead_count] = dead_letters("r");
  EXPECT_EQ(dead_count, dead.size()) << "a dead letter written twice";
  std::multiset<std::pair<std::string, std::string>> dead_pairs;
  for (const auto& [pos, kr] : dead) dead_pairs.insert(kr);
  EXPECT_EQ(dead_pairs, want.dead);
  // The log covers every offset once; the group committed the partitions' ends.
  expect_log_tiles(log("r"), ends);
  EXPECT_EQ(sluice::test::committed_offsets(svc_.kafka_bootstrap, group, topic_, partitions), ends);
  // Progress records name the partition and the consumer lag.
  const auto progress = read_file(d / "progress.jsonl");
  EXPECT_NE(progress.find("\"lag\":0"), std::string::npos) << progress;

  // Round two: resends of everything plus two new tables (one new schema each).
  std::vector<message> more = sample;
  const auto keyed = [](std::string key, std::optional<std::string> payload) {
    message m;
    m.key = std::move(key);
    m.payload = std::move(payload);
    return m;
  };
  more.push_back(keyed("ORCLPDB1.HR.NEW_TABLE", sample[0].payload));  // same schema, new table
  more.push_back(keyed("HRPDB.HR.ITEMS", std::string(R"({"type":"record","name":"ITEMS","fields":[{"name":"ID","type":"long"}]})")));
  produce_with_kcat(svc_.kafka_bootstrap, topic_, more);
  const auto ends2 = partition_ends(svc_.kafka_bootstrap, topic_, partitions);
  const auto log_before = log("r");
  auto second = writer(args(group, "r", {"--once"}), credentials());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto got2 = catalog("r");
  std::set<std::string> added;
  for (const auto& [k, v] : got2) {
    if (!got.contains(k)) {
      added.insert(k.substr(0, k.find('/')));
    } else {
      EXPECT_EQ(v, got.at(k)) << k;  // an existing object keeps its bytes
    }
  }
  EXPECT_EQ(added, (std::set<std::string>{"orclpdb1.hr.new_table", "hrpdb.hr.items"}));
  EXPECT_EQ(got2.size(), got.size() + 2);
  const auto log_after = log("r");
  EXPECT_GT(log_after.size(), log_before.size());
  expect_log_tiles(log_after, ends2);
  EXPECT_EQ(sluice::test::committed_offsets(svc_.kafka_bootstrap, group, topic_, partitions), ends2);
  const auto [dead2, dead_count2] = dead_letters("r");
  EXPECT_EQ(dead_count2, dead2.size());
  EXPECT_EQ(dead2.size(), 2 * want.dead.size());  // the resent bad messages are dead letters again

  // A third run with nothing new writes nothing and logs nothing.
  auto third = writer(args(group, "r", {"--once"}), credentials());
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(log("r").size(), log_after.size());
  EXPECT_EQ(catalog("r"), got2);

  // `batches` lists the log of every partition stream, read from S3.
  auto listed = writer({"batches", "--checkpoint", "s3://" + bucket_ + "/r/checkpoint", "--s3-endpoint",
                        svc_.s3_endpoint, "--s3-path-style"},
                       credentials());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto listed_lines = lines_of(listed.out);
  EXPECT_EQ(static_cast<std::size_t>(std::count_if(listed_lines.begin(), listed_lines.end(),
                                                   [](const std::string& l) { return !l.empty(); })),
            log_after.size())
      << listed.out;
}

// A GoldenGate-like table schema of exactly `bytes` bytes with its key (the doc string pads it).
message wide_table(int i, std::size_t bytes) {
  message m;
  char key[32];
  std::snprintf(key, sizeof key, "ORCLPDB1.WIDE.T_%04d", i);
  m.key = key;
  std::string fields;
  for (int c = 0; fields.size() + m.key->size() + 200 < bytes && c < 1000; ++c) {
    char f[96];
    std::snprintf(f, sizeof f, R"(%s{"name":"COLUMN_%04d_OF_T_%04d","type":["null","string"],"default":null})",
                  c == 0 ? "" : ",", c, i);
    fields += f;
  }
  std::string head = R"({"type":"record","name":"T_)" + std::to_string(i) + R"(","namespace":"WIDE","doc":")";
  const std::string tail = R"(","fields":[)" + fields + "]}";
  const std::size_t used = m.key->size() + head.size() + tail.size();
  m.payload = head + std::string(bytes - used, 'd') + tail;
  return m;
}

TEST_F(SchemaWriterServices, ABacklogOfLargeSchemasIsCutIntoBatchesBoundedInBytes) {
  scratch_dir d;
  constexpr std::size_t size = 20'000;   // key + payload of every message
  constexpr std::size_t bound = 100'000;  // five messages fit, the sixth would not
  std::vector<message> backlog;
  for (int i = 0; i < 120; ++i) backlog.push_back(wide_table(i, size));
  for (const auto& m : backlog) ASSERT_EQ(m.key->size() + m.payload->size(), size);
  produce_with_kcat(svc_.kafka_bootstrap, topic_, backlog);
  const auto ends = partition_ends(svc_.kafka_bootstrap, topic_, partitions);

  // The reference: the default bound (4 MiB) takes each partition's backlog in one batch.
  auto whole = writer(args(sluice::test::unique_name("whole"), "whole", {"--once"}), credentials());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto want = catalog("whole");
  ASSERT_EQ(want.size(), backlog.size());

  auto cut_args = args(sluice::test::unique_name("cut"), "cut",
                       {"--once", "--max-bytes-per-batch", std::to_string(bound), "--progress",
                        "file:" + (d / "cut.jsonl").string()});
  auto cut = writer(cut_args, credentials());
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  EXPECT_NE(cut.err.find("100000 bytes per batch"), std::string::npos) << cut.err;
  EXPECT_EQ(catalog("cut"), want) << "the same catalog, byte for byte";
  expect_log_tiles(log("cut"), ends);

  // Every batch holds five messages (100,000 bytes), but a partition's last one, which holds the rest.
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> batches;  // partition → ranges
  simdjson::dom::parser parser;
  for (const auto& line : lines_of(read_file(d / "cut.jsonl"))) {
    if (line.empty()) continue;
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    for (auto src : e["sources"].get_array()) {
      batches[src["partition"].get_int64().value()].emplace_back(src["startOffset"].get_int64().value(),
                                                                src["endOffset"].get_int64().value());
    }
  }
  for (int p = 0; p < partitions; ++p) {
    const auto end = ends[static_cast<std::size_t>(p)];
    std::vector<std::pair<std::int64_t, std::int64_t>> expected;
    for (std::int64_t from = 0; from < end; from += 5) expected.emplace_back(from, std::min<std::int64_t>(from + 5, end));
    EXPECT_EQ(batches[p], expected) << "partition " << p;
  }
}

TEST_F(SchemaWriterServices, AWrongSecretFailsFastWithAnAuthenticationError) {
  produce_with_kcat(svc_.kafka_bootstrap, topic_, sample_messages());
  const std::string wrong = "wrongSecretKey0123456789abcdefghijklmnop";
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = writer(args(sluice::test::unique_name("sw"), "bad", {"--once"}), credentials(wrong));
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(secs, 30.0) << "a retry loop?\n" << r.err;
  EXPECT_NE(r.err.find("access denied"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(wrong), std::string::npos) << "the secret was printed";
  EXPECT_EQ(r.err.find(svc_.s3_secret_key), std::string::npos);
  EXPECT_TRUE(catalog("bad").empty());
}

TEST_F(SchemaWriterServices, SigkillAtRandomPointsThenRestartEqualsACrashFreeRun) {
  scratch_dir d;
  produce_with_kcat(svc_.kafka_bootstrap, topic_, sample_copies(6));
  const auto ends = partition_ends(svc_.kafka_bootstrap, topic_, partitions);
  const std::vector<std::string> small{"--once", "--max-records-per-batch", "4"};

  // The reference: one run without crashes.
  auto clean_args = args(sluice::test::unique_name("clean"), "clean", small);
  clean_args.insert(clean_args.end(), {"--progress", "file:" + (d / "clean.jsonl").string()});
  auto clean = writer(clean_args, credentials());
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  // The mean batch time, from the progress records (durationMs.total).
  double total_ms = 0;
  std::size_t batches = 0;
  {
    simdjson::dom::parser parser;
    for (const auto& line : lines_of(read_file(d / "clean.jsonl"))) {
      if (line.empty()) continue;
      double ms = 0;
      ASSERT_EQ(parser.parse(line)["durationMs"]["total"].get(ms), simdjson::SUCCESS) << line;
      total_ms += ms;
      ++batches;
    }
  }
  ASSERT_GE(batches, 30u);
  const auto want_catalog = catalog("clean");
  const auto [want_dead, want_dead_count] = dead_letters("clean");
  ASSERT_GE(want_catalog.size(), 6u * 15u);
  ASSERT_EQ(want_dead_count, 6u * 9u);

  // The crashing run: SIGKILL after it commits one more batch (and a random moment into the
  // next), restart, again and again; then let the last run finish.
  const char* seed_env = std::getenv("SLUICE_CRASH_SEED");
  const auto seed = seed_env != nullptr ? static_cast<std::uint32_t>(std::stoul(seed_env))
                                        : static_cast<std::uint32_t>(std::random_device{}());
  std::mt19937 rng(seed);
  // Kill a random moment into about two batches' time after a commit: most kills land inside
  // the next batch (plan written, objects, dead letters, log, commit) and must be replayed.
  const int batch_ms = std::max(5, static_cast<int>(total_ms / static_cast<double>(batches)));
  std::uniform_int_distribution<int> delay_ms(0, 2 * batch_ms);
  const std::string group = sluice::test::unique_name("crash");
  const auto progress_file = d / "progress.jsonl";
  auto crash_args = args(group, "crash", small);
  crash_args.insert(crash_args.end(), {"--progress", "file:" + progress_file.string()});
  crash_args.insert(crash_args.begin(), writer_exe.string());
  std::vector<std::string> env_strings;
  // About 1 kill in 4 lands inside a batch; past 20 kills, killing goes on until one did (a
  // loaded machine stretches the time between batches, which the random delay may miss).
  constexpr int min_kills = 20;
  const auto replays = [&] {
    std::size_t n = 0;
    for (const auto& line : lines_of(read_file(progress_file)))
      n += line.find("\"replayed\":true") != std::string::npos ? 1 : 0;
    return n;
  };
  int kills = 0, runs = 0;
  for (;;) {
    ASSERT_LT(runs, 60) << "seed " << seed;
    ++runs;
    const pid_t pid = spawn(crash_args, credentials(), {}, -1, -1, -1);
    int status = 0;
    if (kills < min_kills || (replays() == 0 && kills < 40)) {
      const auto before = lines_of(read_file(progress_file)).size();
      bool exited = false;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (lines_of(read_file(progress_file)).size() <= before) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
          exited = true;
          break;
        }
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no batch within 60 s; seed " << seed;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      if (!exited) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
        ::kill(pid, SIGKILL);
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      }
      if (WIFSIGNALED(status)) {
        ++kills;
        continue;
      }
    } else {
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    }
    ASSERT_TRUE(WIFEXITED(status)) << "seed " << seed;
    ASSERT_EQ(WEXITSTATUS(status), 0) << "seed " << seed;
    ASSERT_GE(kills, min_kills) << "the run finished after " << kills << " kills; seed " << seed;
    break;
  }

  EXPECT_EQ(catalog("crash"), want_catalog) << "seed " << seed;
  const auto [dead, dead_count] = dead_letters("crash");
  EXPECT_EQ(dead_count, want_dead_count) << "dead letters lost or written twice; seed " << seed;
  EXPECT_EQ(dead, want_dead) << "seed " << seed;
  expect_log_tiles(log("crash"), ends);
  expect_log_tiles(log("clean"), ends);
  EXPECT_EQ(sluice::test::committed_offsets(svc_.kafka_bootstrap, group, topic_, partitions), ends);
  const std::size_t replayed = replays();
  EXPECT_GE(replayed, 1u) << "no kill landed inside a batch in " << kills << " kills; seed " << seed;
  std::printf("[ crash    ] %d kills over %d runs, %zu batches replayed after a kill, mean batch %d ms, seed %u\n",
              kills, runs, replayed, batch_ms, seed);
}

}  // namespace
