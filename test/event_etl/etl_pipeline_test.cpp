// SPDX-License-Identifier: Apache-2.0
// The event ETL end to end in process: a JSON-lines file → lines_source → codec → range filter →
// dedup → windows → one file per batch, run by the core runner with the filesystem checkpoint
// store and dead letters. The output is compared with the reference models fed from the
// generator's own structs (not through the codec), and a run with a restart or a crash in the
// middle must leave exactly the files of a run without one.
#include "helpers.hpp"
#include "reference.hpp"
#include "stages.hpp"
#include "temp_dir.hpp"

#include "sluice/core/null_sink.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/event_etl/jsonl_sink.hpp"
#include "sluice/event_etl/pipeline.hpp"
#include "sluice/fs/checkpoint_store.hpp"
#include "sluice/fs/dead_letters.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/fs/lines_source.hpp"
#include "sluice/store/any_blobs.hpp"
#include "sluice/store/temp_name.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace stream_test;
constexpr std::int64_t minute = 60'000;
constexpr std::int64_t batch_size = 50;

// One line of the input, with what the pipeline must do with it.
struct line {
  enum kind { valid, reject, filtered, blank } what = valid;
  std::string text;
  std::string reason;                  // reject: the dead letter's reason
  std::string id, device, type, city;  // valid, filtered: the event
  std::int64_t t = 0;
  double duration = 0, battery = 0, signal = 0;
};

std::vector<line> make_lines(unsigned seed, int n) {
  std::mt19937_64 rng(seed);
  std::vector<line> out;
  std::int64_t now = ms("2024-06-01T00:00:00Z");
  const char* cities[] = {"Berlin", "Z\xc3\xbcrich", "Paris"};
  for (int i = 0; i < n; ++i) {
    now += 1'000;
    const auto r = rng() % 100;
    if (r < 5 && !out.empty()) {   // a resend of an earlier line (a duplicate, or late by now)
      out.push_back(out[rng() % out.size()]);
      continue;
    }
    if (r < 7) {
      line l;
      l.what = line::blank;
      out.push_back(l);
      continue;
    }
    line l;
    l.id = "ev-" + std::to_string(i);
    l.device = "dev-" + std::to_string(rng() % 4);
    l.type = rng() % 5 == 0 ? "camera" : "meter";
    l.city = cities[rng() % 3];
    l.t = now - static_cast<std::int64_t>(rng() % 30'000);
    if (r < 10) l.t -= 5 * minute;   // late for a 2-minute watermark delay
    l.duration = static_cast<double>(rng() % 5000) / 1000.0;
    l.battery = static_cast<double>(rng() % 1001) / 10.0;
    l.signal = -static_cast<double>(rng() % 120);
    if (r >= 10 && r < 13) l.battery = 150, l.what = line::filtered;
    json_event j;
    j.event_id = l.id;
    j.device_id = l.device;
    j.device_type = l.type;
    std::string iso;
    append_iso8601_utc(iso, l.t);
    j.event_time = iso;
    auto num = [](double v) {
      char b[32];
      const auto e = std::to_chars(b, b + sizeof b, v);
      return std::string(b, e.ptr);
    };
    j.event_duration = num(l.duration);
    j.battery_level = num(l.battery);
    j.signal_strength = num(l.signal);
    j.city = "\"" + l.city + "\"";
    l.text = j.text();
    if (r >= 13 && r < 15) {
      l.what = line::reject;
      l.text = "[\"not an object\"]";
      l.reason = "not a JSON object";
    } else if (r >= 15 && r < 17) {
      l.what = line::reject;
      j.device_id.clear();
      l.text = j.text();
      l.reason = "empty required field \"device_id\"";
    }
    out.push_back(l);
  }
  return out;
}

std::string file_text(const std::vector<line>& lines) {
  std::string s;
  for (const auto& l : lines) s += l.text + "\n";
  return s;
}

// What the files and dead letters must be, from the reference models, batch by batch.
struct expected {
  std::map<std::string, std::string> files;          // key → bytes
  std::vector<std::pair<std::int64_t, std::string>> letters;   // offset, reason
};

expected oracle(const std::vector<line>& lines, std::int64_t window, std::int64_t delay) {
  expected ex;
  ref_dedup dedup(delay);
  ref_windows windows(window, delay);
  const range_filter_options ranges;
  for (std::size_t from = 0; from < lines.size(); from += batch_size) {
    std::vector<device_event> batch;
    for (std::size_t i = from; i < std::min(lines.size(), from + batch_size); ++i) {
      const auto& l = lines[i];
      if (l.what == line::reject) ex.letters.emplace_back(static_cast<std::int64_t>(i), l.reason);
      if (l.what != line::valid && l.what != line::filtered) continue;
      if (!ranges.battery_level.contains(l.battery)) continue;
      auto e = event(l.id, l.device, l.t, l.duration, l.battery, l.signal, std::string_view(l.city));
      e.device_type = l.type;
      e.country = std::nullopt;
      e.country = std::string_view("DE");
      e.latitude = 52.52;
      e.longitude = 13.405;
      e.firmware_version = std::string_view("1.2.3");
      batch.push_back(e);
    }
    const auto rows = windows.batch(dedup.batch(batch));
    if (rows.empty()) continue;
    std::string bytes;
    for (const auto& r : rows) {
      append_row_json(bytes, r);
      bytes += '\n';
    }
    ex.files[batch_object_key("", batch_plan{0, {{"events", 0, static_cast<std::int64_t>(from), 0}}})] = bytes;
  }
  return ex;
}

using folder_sink = jsonl_batch_sink<device_window_row, fs::file_sink>;

// A sink that fails (fatally) right after writing the batch with id `fail_batch`: a crash
// between the sink write and the checkpoint commit.
struct crash_after_write {
  using stage_concept = sink_tag;
  folder_sink inner;
  std::int64_t fail_batch = -1;
  result<void> write(std::span<const device_window_row> rows, const batch_plan& plan) {
    SLUICE_TRYV(inner.write(rows, plan));
    if (plan.batch_id == fail_batch) {
      fail_batch = -1;
      return errc::io_error;
    }
    return success();
  }
};

template <class Sink>
auto make_etl(const std::filesystem::path& input, Sink sink) {
  event_etl_options opt;
  opt.window_ms = minute;
  opt.watermark_delay_ms = 2 * minute;
  return make_event_etl(fs::lines_source::open(input).value(), std::move(sink), opt).value();
}

struct dirs {
  sluice_test::temp_dir root;
  std::filesystem::path input() const { return root / "in.jsonl"; }
  std::filesystem::path out() const { return root / "out"; }
  std::filesystem::path ckpt() const { return root / "ckpt"; }
  std::filesystem::path dlq() const { return root / "dlq"; }
};

runner_options options(bool once = true) {
  runner_options opt;
  opt.max_records_per_batch = batch_size;
  opt.once = once;
  opt.retry.max_attempts = 1;
  return opt;
}

// Runs `p` to the end of its input with the folder checkpoint and dead letters of `d`.
template <class Pipeline>
result<run_summary> run_in(const dirs& d, Pipeline& p) {
  fs::checkpoint_store ckpt(d.ckpt());
  fs::dead_letters dlq(d.dlq());
  null_progress progress;
  stop_flag stop;
  sluice_test::fake_environment env;
  return run(p, ckpt, dlq, progress, options(), stop, env);
}

std::map<std::string, std::string> folder(const std::filesystem::path& root) {
  std::map<std::string, std::string> m;
  for (const auto& f : sluice_test::files_under(root)) m[f] = sluice_test::slurp(root / f);
  return m;
}

std::vector<std::pair<std::int64_t, std::string>> letters(const std::filesystem::path& root) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::string>>> by_batch;
  for (const auto& f : sluice_test::files_under(root)) {
    const std::string text = sluice_test::slurp(root / f);
    std::size_t start = 0;
    const auto id = std::stoll(f.substr(6));   // batch-<id>.jsonl
    while (start < text.size()) {
      const auto nl = text.find('\n', start);
      auto d = store::parse_dead_letter_line(std::string_view(text).substr(start, nl - start)).value();
      by_batch[id].emplace_back(d.offset, d.reason);
      start = nl + 1;
    }
  }
  for (auto& [id, v] : by_batch) out.insert(out.end(), v.begin(), v.end());
  return out;
}

TEST(EventEtl, RunMatchesTheReferenceModels) {
  dirs d;
  const auto lines = make_lines(21, 1500);
  sluice_test::spit(d.input(), file_text(lines));
  auto p = make_etl(d.input(), folder_sink(fs::file_sink(d.out())));
  const auto summary = run_in(d, p);
  ASSERT_TRUE(summary) << summary.error().message();
  EXPECT_EQ(summary.value().batches, 30);
  const auto want = oracle(lines, minute, 2 * minute);
  ASSERT_GT(want.files.size(), 10u);
  EXPECT_EQ(folder(d.out()), want.files);
  EXPECT_EQ(letters(d.dlq()), want.letters);
  EXPECT_GT(p.transform<1>().stats().duplicates, 0);
  EXPECT_GT(p.transform<1>().stats().late, 0);
  EXPECT_GT(p.transform<0>().dropped_total(), 0);
  // The last commit carries the state of dedup and windows.
  const auto last = fs::checkpoint_store(d.ckpt()).last_commit().value();
  ASSERT_TRUE(last.has_value());
  EXPECT_NE(last->state.find("dedup1;"), std::string::npos);
  EXPECT_NE(last->state.find("window1;"), std::string::npos);
}

TEST(EventEtl, RestartInTheMiddleEqualsARunWithoutIt) {
  const auto lines = make_lines(22, 1500);
  dirs plain, restarted;
  for (const auto* d : {&plain, &restarted}) sluice_test::spit(d->input(), file_text(lines));
  {
    auto p = make_etl(plain.input(), folder_sink(fs::file_sink(plain.out())));
    fs::checkpoint_store ckpt(plain.ckpt());
    fs::dead_letters dlq(plain.dlq());
    null_progress progress;
    stop_flag stop;
    sluice_test::fake_environment env;
    ASSERT_TRUE(run(p, ckpt, dlq, progress, options(), stop, env));
  }
  for (const int stop_after : {7, 13, 29}) {
    // A process stops after `stop_after` batches; the next one finishes.
    std::filesystem::remove_all(restarted.out());
    std::filesystem::remove_all(restarted.ckpt());
    std::filesystem::remove_all(restarted.dlq());
    {
      auto p = make_etl(restarted.input(), folder_sink(fs::file_sink(restarted.out())));
      fs::checkpoint_store ckpt(restarted.ckpt());
      fs::dead_letters dlq(restarted.dlq());
      null_progress progress;
      stop_flag stop;
      sluice_test::fake_environment env;
      const auto opt = options();
      runner r(p, ckpt, dlq, progress, opt, stop, env);
      for (int b = 0; b < stop_after; ++b) ASSERT_EQ(r.run_batch().value(), batch_outcome::committed);
    }
    {
      auto p = make_etl(restarted.input(), folder_sink(fs::file_sink(restarted.out())));
      fs::checkpoint_store ckpt(restarted.ckpt());
      fs::dead_letters dlq(restarted.dlq());
      null_progress progress;
      stop_flag stop;
      sluice_test::fake_environment env;
      const auto s = run(p, ckpt, dlq, progress, options(), stop, env);
      ASSERT_TRUE(s);
      EXPECT_EQ(s.value().batches, 30 - stop_after);
    }
    EXPECT_EQ(folder(restarted.out()), folder(plain.out())) << stop_after;
    EXPECT_EQ(letters(restarted.dlq()), letters(plain.dlq())) << stop_after;
  }
}

TEST(EventEtl, CrashBetweenWriteAndCommitIsReplayedExactly) {
  const auto lines = make_lines(23, 1500);
  dirs d;
  sluice_test::spit(d.input(), file_text(lines));
  {
    auto p = make_etl(d.input(), crash_after_write{folder_sink(fs::file_sink(d.out())), 11});
    fs::checkpoint_store ckpt(d.ckpt());
    fs::dead_letters dlq(d.dlq());
    null_progress progress;
    stop_flag stop;
    sluice_test::fake_environment env;
    const auto s = run(p, ckpt, dlq, progress, options(), stop, env);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), errc::io_error);
    const auto pending = ckpt.pending().value();
    ASSERT_TRUE(pending.has_value());
    EXPECT_EQ(pending->batch_id, 11);
  }
  {
    auto p = make_etl(d.input(), crash_after_write{folder_sink(fs::file_sink(d.out())), -1});
    fs::checkpoint_store ckpt(d.ckpt());
    fs::dead_letters dlq(d.dlq());
    null_progress progress;
    stop_flag stop;
    sluice_test::fake_environment env;
    const auto s = run(p, ckpt, dlq, progress, options(), stop, env);
    ASSERT_TRUE(s);
    EXPECT_EQ(s.value().replayed, 1);
  }
  const auto want = oracle(lines, minute, 2 * minute);
  EXPECT_EQ(folder(d.out()), want.files);
  EXPECT_EQ(letters(d.dlq()), want.letters);
}

TEST(EventEtl, BadOptionsAreRefused) {
  dirs d;
  sluice_test::spit(d.input(), "");
  event_etl_options opt;
  opt.window_ms = 0;
  EXPECT_EQ(make_event_etl(fs::lines_source::open(d.input()).value(), null_sink{}, opt).error(),
            errc::invalid_argument);
  opt.window_ms = minute;
  opt.watermark_delay_ms = -1;
  EXPECT_EQ(make_event_etl(fs::lines_source::open(d.input()).value(), null_sink{}, opt).error(),
            errc::invalid_argument);
}

// --- SIGKILL in each phase of the state store (docs/state-store.md, "Crashes") ---------------

// Where a `killing_blobs` kills its process: at a put of a changelog or of a snapshot, or at a
// remove (retention); before the operation, after it, or half-way through (a torn temp file
// where the folder writes its temp files, as a write killed mid-way leaves one).
enum class kill_phase { changelog, snapshot, retention };
enum class kill_moment { before, after, torn };

// The state store's blobs over the checkpoint folder, which SIGKILL their own process at the
// `nth` operation of `phase`, at `moment`: the kill lands exactly in the phase named.
struct killing_blobs {
  using stage_concept = store::blob_store_tag;
  fs::directory_blobs inner;
  std::filesystem::path root;
  kill_phase phase;
  kill_moment moment;
  int nth;
  std::shared_ptr<int> seen = std::make_shared<int>(0);

  bool hit(std::string_view key, bool removal) {
    const bool ours = removal ? phase == kill_phase::retention
                              : (phase == kill_phase::changelog && key.find("/changelog-") != std::string_view::npos) ||
                                    (phase == kill_phase::snapshot && key.find("/snapshot-") != std::string_view::npos);
    return ours && ++*seen == nth;
  }
  [[noreturn]] static void die() {
    ::raise(SIGKILL);
    ::_exit(99);
  }
  result<void> put(std::string_view key, std::string_view bytes) {
    const bool kill = hit(key, false);
    if (kill && moment == kill_moment::torn) {
      const std::filesystem::path target = root / std::string(key);
      std::filesystem::create_directories(target.parent_path());
      std::ofstream(target.parent_path() / store::make_temp_file_name(target.filename().native(),
                                                                       static_cast<std::uint64_t>(::getpid()), 1),
                    std::ios::binary)
          .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
      die();
    }
    if (kill && moment == kill_moment::before) die();
    SLUICE_TRYV(inner.put(key, bytes));
    if (kill) die();
    return success();
  }
  result<std::optional<std::string>> get(std::string_view key) { return inner.get(key); }
  result<std::vector<std::string>> list(std::string_view prefix) { return inner.list(prefix); }
  result<void> remove(std::string_view key) {
    const bool kill = hit(key, true);
    if (kill && moment != kill_moment::after) die();
    SLUICE_TRYV(inner.remove(key));
    if (kill) die();
    return success();
  }
};

// Runs the pipeline with its state on `blobs` until the input is done (exit 0) or `blobs` kill
// the process; in a child process. Returns the child's wait status.
int run_in_child(const dirs& d, killing_blobs blobs) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    event_etl_options opt;
    opt.window_ms = minute;
    opt.watermark_delay_ms = 2 * minute;
    opt.state_blobs = store::any_blobs(std::move(blobs));
    opt.state.snapshot_interval = 3;      // a snapshot every third batch,
    opt.state.min_batches_to_retain = 2;  // and after each one, retention deletes files
    auto p = make_event_etl(fs::lines_source::open(d.input()).value(),
                            folder_sink(fs::file_sink(d.out())), opt).value();
    ::_exit(run_in(d, p) ? 0 : 3);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

// SIGKILLs in `phase` until the input is done, then one run without kills: its files and dead
// letters must be those of the reference models (no window lost, none counted twice).
void kill_in_phase(kill_phase phase, unsigned seed) {
  const auto lines = make_lines(seed, 6000);   // 120 batches
  dirs d;
  sluice_test::spit(d.input(), file_text(lines));
  std::mt19937 rng(seed);
  int kills = 0;
  int moments[3] = {0, 0, 0};
  for (int round = 0; round < 400; ++round) {
    const auto moment = static_cast<kill_moment>(round % 3);
    // Each stage writes a changelog per batch and a snapshot every third batch, and retention
    // deletes a few files per stage after a snapshot: kill within the next two batches or so.
    const int nth = 1 + static_cast<int>(rng() % (phase == kill_phase::retention ? 4u : 3u));
    const int status = run_in_child(d, killing_blobs{fs::directory_blobs(d.ckpt()), d.ckpt(), phase, moment, nth});
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;   // the input is done
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "round " << round << ": the run failed instead (status " << status << ")";
    ++kills;
    ++moments[static_cast<int>(moment)];
  }
  EXPECT_GE(kills, 20);
  for (const int m : moments) EXPECT_GE(m, 5) << "kills before, after and half-way through the operation";
  // A last run sees nothing left to do, or finishes; either way nothing is lost or doubled.
  killing_blobs never{fs::directory_blobs(d.ckpt()), d.ckpt(), phase, kill_moment::before, -1};
  const int status = run_in_child(d, never);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const auto want = oracle(lines, minute, 2 * minute);
  EXPECT_EQ(folder(d.out()), want.files);
  EXPECT_EQ(letters(d.dlq()), want.letters);
  // The state files left are what retention keeps, and each kill's torn temp file is ignored.
  std::size_t snapshots = 0;
  for (const auto& f : sluice_test::files_under(d.ckpt() / "state"))
    snapshots += f.find("snapshot-") != std::string::npos && f.find(".sluice-tmp-") == std::string::npos ? 1 : 0;
  EXPECT_GE(snapshots, 2u);
  EXPECT_LE(snapshots, 6u) << "retention ran";
}

TEST(EventEtlKills, DuringChangelogWrites) { kill_in_phase(kill_phase::changelog, 31); }
TEST(EventEtlKills, DuringSnapshotWrites) { kill_in_phase(kill_phase::snapshot, 32); }
TEST(EventEtlKills, DuringRetentionDeletes) { kill_in_phase(kill_phase::retention, 33); }

}  // namespace
