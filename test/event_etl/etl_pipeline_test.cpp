// SPDX-License-Identifier: Apache-2.0
// The event ETL end to end in process: a JSON-lines file → lines_source → codec → range filter →
// dedup → windows → one file per batch, run by the core runner with the filesystem checkpoint
// store and dead letters. The output is compared with the reference models fed from the
// generator's own structs (not through the codec), and a run with a restart or a crash in the
// middle must leave exactly the files of a run without one. The SIGKILL tests of the state
// store are in etl_kills_test.cpp.
#include "etl_fixture.hpp"

#include "sluice/core/null_sink.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace stream_test;
using namespace etl_test;

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

}  // namespace
