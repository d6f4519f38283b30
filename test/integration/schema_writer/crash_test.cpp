// SPDX-License-Identifier: Apache-2.0
// Exactly-once effect under crashes: SIGKILL sluice-schema-writer at random points of a
// multi-batch run, restart it each time, and compare the catalog, the completed-batches log, the
// dead letters and the checkpoint with those of a run without crashes (docs/architecture.md §4).
#include "harness.hpp"

#include <simdjson.h>

#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <regex>

namespace {

using namespace swtest;

// The sample four times over two partitions (sample_copies): copy c goes to partition c % 2
// with dense offsets.
std::string make_input() {
  constexpr int copies = 4;
  const auto messages = sample_copies(copies);
  const auto per_copy = messages.size() / copies;
  std::string out;
  std::int64_t next[2] = {0, 0};
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto m = messages[i];
    m.partition = static_cast<std::int64_t>(i / per_copy % 2);
    m.offset = next[m.partition]++;
    out += kcat_line(m) + "\n";
  }
  return out;
}

// What a run leaves behind, with the time fields removed.
struct outcome {
  std::map<std::string, std::string> catalog;        // relative path → bytes
  std::map<std::string, std::string> log;            // app/stream/batch-N.json → record sans time
  std::map<std::string, std::vector<std::string>> dead;  // batch-N.jsonl → lines sans time
  std::string commit;                                // checkpoint commit.json
  std::size_t temp_files = 0;       // leftovers of killed atomic writes (catalog, dead letters)
  std::size_t checkpoint_temp = 0;  // … in the checkpoint directory (the log included)
  friend bool operator==(const outcome& a, const outcome& b) {
    return a.catalog == b.catalog && a.log == b.log && a.dead == b.dead && a.commit == b.commit;
  }
};

// The temp files of atomic writes: `.<name>.sluice-tmp-<pid>-<n>` (`.sluice-tmp-<pid>-<n>` before).
bool is_temp(const std::string& rel) {
  static const std::regex temp(R"(\.(.*\.)?sluice-tmp-[0-9]+-[0-9]+)");
  return std::regex_match(fsys::path(rel).filename().string(), temp);
}

std::string without(simdjson::dom::object obj, std::initializer_list<std::string_view> drop) {
  std::string s = "{";
  for (auto [k, v] : obj) {
    if (std::find(drop.begin(), drop.end(), k) != drop.end()) continue;
    if (s.size() > 1) s += ',';
    s += json_quote(k) + ":" + simdjson::minify(v);
  }
  return s + "}";
}

outcome collect(const fsys::path& root) {
  outcome o;
  simdjson::dom::parser parser;
  for (auto& [k, v] : tree(root / "catalog")) {
    if (is_temp(k)) {
      ++o.temp_files;
    } else {
      o.catalog[k] = v;
    }
  }
  for (auto& [k, v] : tree(root / "checkpoint")) {
    if (is_temp(k)) ++o.checkpoint_temp;
  }
  for (auto& [k, v] : tree(root / "checkpoint" / "completed-batches")) {
    if (is_temp(k)) continue;
    // Drop the yyyymm=… partition from the path: the two runs may straddle a month boundary.
    const auto slash = k.find('/');
    simdjson::dom::object obj;
    EXPECT_EQ(parser.parse(v).get(obj), simdjson::SUCCESS) << k;
    o.log[k.substr(slash + 1)] = without(obj, {"completed_at", "yyyymm"});
  }
  for (auto& [k, v] : tree(root / "dead-letters")) {
    if (is_temp(k)) {
      ++o.temp_files;
      continue;
    }
    for (const auto& line : lines_of(v)) {
      if (line.empty()) continue;
      simdjson::dom::object obj;
      EXPECT_EQ(parser.parse(line).get(obj), simdjson::SUCCESS) << line;
      o.dead[k].push_back(without(obj, {"time", "time_ms"}));
    }
  }
  o.commit = read_file(root / "checkpoint" / "commit.json");
  return o;
}

std::vector<std::string> args_for(const fsys::path& input, const fsys::path& root) {
  return {writer_exe.string(),
          "--source", "file:" + input.string(),
          "--sink", "file:" + (root / "catalog").string(),
          "--checkpoint", "file:" + (root / "checkpoint").string(),
          "--dead-letters", "file:" + (root / "dead-letters").string(),
          "--once",
          "--max-records-per-batch", "3",
          "--progress", "file:" + (root / "progress.jsonl").string()};
}

}  // namespace

TEST(SchemaWriterCrash, SigkillAtRandomPointsThenRestartEqualsACrashFreeRun) {
  scratch_dir d;
  const auto input = d / "topic.jsonl";
  write_file(input, make_input());

  // The reference: one run without crashes.
  const auto t0 = std::chrono::steady_clock::now();
  const auto clean = run(args_for(input, d / "clean"));
  const auto clean_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  const outcome want = collect(d / "clean");
  const auto batches = lines_of(read_file(d / "clean" / "progress.jsonl")).size();
  ASSERT_GE(batches, 40u);           // 164 offsets by at most 3: a long multi-batch run
  // 16 files per copy, but the two-part heartbeat key is not renamed: its one file is shared.
  ASSERT_EQ(want.catalog.size(), 16u + 3 * 15u);
  ASSERT_EQ(want.temp_files, 0u);
  std::size_t dead = 0;
  for (const auto& [k, v] : want.dead) dead += v.size();
  ASSERT_EQ(dead, 36u);  // 9 per copy

  // The crashing run: kill at a random time after start, restart, again and again.
  // SLUICE_CRASH_SEED=<n> replays a reported run's kill times (as far as timing allows).
  const char* seed_env = std::getenv("SLUICE_CRASH_SEED");
  const auto seed = seed_env != nullptr ? static_cast<std::uint32_t>(std::stoul(seed_env))
                                        : static_cast<std::uint32_t>(std::random_device{}());
  std::mt19937 rng(seed);
  // Kill points are tied to progress, not to wall time (a loaded machine can spend any fixed
  // window in start-up): each run is killed after it committed one more batch, at a random
  // moment within about one batch's time, so most kills land inside a batch (plan, writes, log,
  // commit) and the next run must replay it.
  const auto batch_us = std::max<std::int64_t>(clean_ms * 1000 / static_cast<std::int64_t>(batches), 200);
  std::uniform_int_distribution<std::int64_t> delay_us(0, batch_us);
  const auto progress_file = d / "crash" / "progress.jsonl";
  const auto crash_args = args_for(input, d / "crash");
  constexpr int min_kills = 24;
  int kills = 0;
  int runs = 0;
  bool finished = false;
  while (!finished) {
    ASSERT_LT(runs, 200) << "seed " << seed;
    ++runs;
    const pid_t pid = spawn(crash_args, {}, {}, -1, -1, -1);
    int status = 0;
    if (kills < min_kills) {
      // Progress lines are appended across runs: wait for this run's first commit.
      const auto committed_before = lines_of(read_file(progress_file)).size();
      bool exited = false;
      while (lines_of(read_file(progress_file)).size() <= committed_before) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
          exited = true;
          break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
      if (!exited) {
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
        ::kill(pid, SIGKILL);
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      }
      if (WIFSIGNALED(status)) {
        ASSERT_EQ(WTERMSIG(status), SIGKILL);
        ++kills;
        continue;
      }
    } else {
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    }
    ASSERT_TRUE(WIFEXITED(status)) << "seed " << seed;
    ASSERT_EQ(WEXITSTATUS(status), 0) << "seed " << seed;
    // A run that finished before its kill: fine once min_kills happened, else the kills came
    // too late to test anything.
    ASSERT_GE(kills, min_kills) << "the run finished after " << kills << " kills; seed " << seed;
    finished = true;
  }

  const outcome got = collect(d / "crash");
  EXPECT_EQ(got.catalog, want.catalog) << "seed " << seed;
  EXPECT_EQ(got.log, want.log) << "seed " << seed;
  EXPECT_EQ(got.dead, want.dead) << "seed " << seed;
  EXPECT_EQ(got.commit, want.commit) << "seed " << seed;
  // The batch ids run densely: the log has exactly one record per batch.
  EXPECT_EQ(got.log.size(), batches);
  // The last run cleaned the checkpoint directory of the kills' temp files, and the writers the
  // catalog and dead-letter directories.
  EXPECT_EQ(got.checkpoint_temp, 0u);
  EXPECT_EQ(got.temp_files, 0u) << "seed " << seed;
  // Kills landed inside batches: planned batches were replayed by the next run.
  std::size_t replayed = 0;
  for (const auto& line : lines_of(read_file(d / "crash" / "progress.jsonl"))) {
    replayed += line.find("\"replayed\":true") != std::string::npos ? 1 : 0;
  }
  EXPECT_GE(replayed, 1u) << "seed " << seed;
  RecordProperty("kills", kills);
  RecordProperty("runs", runs);
  RecordProperty("replayed", static_cast<int>(replayed));
  RecordProperty("temp_files_left", static_cast<int>(got.temp_files));
  std::printf("[ crash    ] %d kills over %d runs, %zu batches, %zu replayed after a kill, "
              "%zu temp files left in catalog and dead letters, seed %u\n",
              kills, runs, batches, replayed, got.temp_files, seed);
}
