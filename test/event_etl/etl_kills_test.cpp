// SPDX-License-Identifier: Apache-2.0
// SIGKILL in each phase of the state store (docs/state-store.md, "The commit names its state"):
// the event ETL runs in a child process whose state blobs kill it at the n-th changelog put,
// snapshot put or retention remove, before the operation, after it, or half-way through; after
// the restarts, the window files and dead letters must be the reference models' (no window
// lost, none counted twice).
//
// Built twice: on the folder (the unit binary), and with SLUICE_ETL_KILLS_ON_S3 on the real S3
// server of the test services (a service binary), where the checkpoint records and the state
// live under one prefix of a fresh bucket.
#include "etl_fixture.hpp"

#include "sluice/fs/directory_blobs.hpp"
#include "sluice/store/any_blobs.hpp"
#include "sluice/store/temp_name.hpp"

#if SLUICE_ETL_KILLS_ON_S3
#include "sluice/s3/blob_store.hpp"
#include "sluice/s3/checkpoint_store.hpp"
#include "support/s3_services.hpp"

#include <chrono>
#include <thread>
#endif

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace stream_test;
using namespace etl_test;

// Where a `killing_blobs` kills its process: at a put of a changelog or of a snapshot, or at a
// remove (retention); before the operation, after it, or half-way through.
enum class kill_phase { changelog, snapshot, retention };
enum class kill_moment { before, after, torn };

[[noreturn]] void die() {
  ::raise(SIGKILL);
  ::_exit(99);
}

// The state store's blobs, which SIGKILL their own process at the `nth` operation of `phase`,
// at `moment`: the kill lands exactly in the phase named. `torn` is what a kill half-way
// through a put leaves on the backend (it must not return).
struct killing_blobs {
  using stage_concept = store::blob_store_tag;
  store::any_blobs inner;
  std::function<void(store::any_blobs&, std::string_view, std::string_view)> torn;
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
  result<void> put(std::string_view key, std::string_view bytes) {
    const bool kill = hit(key, false);
    if (kill && moment == kill_moment::torn) {
      torn(inner, key, bytes);
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

// Runs `p` to the end of its input with the checkpoint store `ckpt` and the folder dead letters
// of `d`.
template <class Pipeline, class Ckpt>
result<run_summary> run_to_end(const dirs& d, Pipeline& p, Ckpt& ckpt) {
  fs::dead_letters dlq(d.dlq());
  null_progress progress;
  stop_flag stop;
  sluice_test::fake_environment env;
  return run(p, ckpt, dlq, progress, options(), stop, env);
}

template <class Ckpt>
[[noreturn]] void run_pipeline(const dirs& d, killing_blobs blobs, Ckpt ckpt) {
  event_etl_options opt;
  opt.window_ms = minute;
  opt.watermark_delay_ms = 2 * minute;
  opt.state_blobs = store::any_blobs(std::move(blobs));
  opt.state.snapshot_interval = 3;      // a snapshot every third batch,
  opt.state.min_batches_to_retain = 2;  // and after each one, retention deletes files
  auto p = make_event_etl(fs::lines_source::open(d.input()).value(), folder_sink(fs::file_sink(d.out())), opt).value();
  ::_exit(run_to_end(d, p, ckpt) ? 0 : 3);
}

#if SLUICE_ETL_KILLS_ON_S3
// The checkpoint (records and state) under `prefix` of `bucket` on the test S3 server. A put
// killed half-way is a PUT whose request is cut: the put runs on a thread and the process is
// killed a random moment (up to 4 ms) after it started, before, while or after the request
// reaches the server.
struct backend {
  std::string bucket;
  std::string prefix;
  std::mt19937 rng{7};

  static backend make(unsigned seed) {
    auto c = sluice_s3_it::make_client();
    return {sluice_s3_it::fresh_bucket(*c, "etlkills"), "job-" + std::to_string(seed) + "/ckpt", std::mt19937(seed)};
  }
  // In the child: a client made after the fork.
  [[noreturn]] void run_child(const dirs& d, kill_phase phase, kill_moment moment, int nth) {
    auto c = sluice_s3_it::make_client();
    const unsigned delay_us = rng() % 4000;
    killing_blobs blobs{store::any_blobs(s3::blob_store(c, {bucket, prefix})),
                        [delay_us](store::any_blobs& inner, std::string_view key, std::string_view bytes) {
                          std::thread([inner, key, bytes]() mutable { (void)inner.put(key, bytes); }).detach();
                          std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
                        },
                        phase, moment, nth};
    run_pipeline(d, std::move(blobs), s3::checkpoint_store(s3::blob_store(c, {bucket, prefix})));
  }
  void advance() { (void)rng(); }
  std::vector<std::string> state_files(const dirs&) {
    auto c = sluice_s3_it::make_client();
    return sluice_s3_it::keys_under(*c, bucket, prefix + "/state/");
  }
};
#else
// The checkpoint in the folder `d.ckpt()`. A put killed half-way leaves a torn temp file where
// the folder writes its temp files, as a write killed mid-way does.
struct backend {
  static backend make(unsigned) { return {}; }
  [[noreturn]] void run_child(const dirs& d, kill_phase phase, kill_moment moment, int nth) {
    const std::filesystem::path root = d.ckpt();
    killing_blobs blobs{store::any_blobs(fs::directory_blobs(root)),
                        [root](store::any_blobs&, std::string_view key, std::string_view bytes) {
                          const std::filesystem::path target = root / std::string(key);
                          std::filesystem::create_directories(target.parent_path());
                          std::ofstream(target.parent_path() / store::make_temp_file_name(target.filename().native(),
                                                                                           static_cast<std::uint64_t>(::getpid()), 1),
                                        std::ios::binary)
                              .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
                        },
                        phase, moment, nth};
    run_pipeline(d, std::move(blobs), fs::checkpoint_store(root));
  }
  void advance() {}
  std::vector<std::string> state_files(const dirs& d) {
    const auto files = sluice_test::files_under(d.ckpt() / "state");
    return {files.begin(), files.end()};
  }
};
#endif

// Runs the pipeline in a child process until its input is done (exit 0) or its blobs kill it.
// Returns the child's wait status.
int run_in_child(backend& b, const dirs& d, kill_phase phase, kill_moment moment, int nth) {
  const pid_t pid = ::fork();
  if (pid == 0) b.run_child(d, phase, moment, nth);
  b.advance();   // the child drew a delay from its copy: draw one here too, so the next differs
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
  auto b = backend::make(seed);
  std::mt19937 rng(seed);
  int kills = 0;
  int moments[3] = {0, 0, 0};
  for (int round = 0; round < 400; ++round) {
    const auto moment = static_cast<kill_moment>(round % 3);
    // Each stage writes a changelog per batch and a snapshot every third batch, and retention
    // deletes a few files per stage after a snapshot: kill within the next two batches or so.
    const int nth = 1 + static_cast<int>(rng() % (phase == kill_phase::retention ? 4u : 3u));
    const int status = run_in_child(b, d, phase, moment, nth);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;   // the input is done
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "round " << round << ": the run failed instead (status " << status << ")";
    ++kills;
    ++moments[static_cast<int>(moment)];
  }
  EXPECT_GE(kills, 20);
  for (const int m : moments) EXPECT_GE(m, 5) << "kills before, after and half-way through the operation";
  // A last run sees nothing left to do, or finishes; either way nothing is lost or doubled.
  const int status = run_in_child(b, d, phase, kill_moment::before, -1);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const auto want = oracle(lines, minute, 2 * minute);
  EXPECT_EQ(folder(d.out()), want.files);
  EXPECT_EQ(letters(d.dlq()), want.letters);
  // The state files left are what retention keeps, and each kill's torn temp file is ignored.
  std::size_t snapshots = 0;
  for (const auto& f : b.state_files(d))
    snapshots += f.find("snapshot-") != std::string::npos && f.find(".sluice-tmp-") == std::string::npos ? 1 : 0;
  EXPECT_GE(snapshots, 2u);
  EXPECT_LE(snapshots, 6u) << "retention ran";
}

#if SLUICE_ETL_KILLS_ON_S3
TEST(EventEtlKillsOnS3, DuringChangelogWrites) { kill_in_phase(kill_phase::changelog, 41); }
TEST(EventEtlKillsOnS3, DuringSnapshotWrites) { kill_in_phase(kill_phase::snapshot, 42); }
TEST(EventEtlKillsOnS3, DuringRetentionDeletes) { kill_in_phase(kill_phase::retention, 43); }
#else
TEST(EventEtlKills, DuringChangelogWrites) { kill_in_phase(kill_phase::changelog, 31); }
TEST(EventEtlKills, DuringSnapshotWrites) { kill_in_phase(kill_phase::snapshot, 32); }
TEST(EventEtlKills, DuringRetentionDeletes) { kill_in_phase(kill_phase::retention, 33); }
#endif

}  // namespace
