// SPDX-License-Identifier: Apache-2.0
// The micro-batch runner: step order, replay of a pending plan, exactly-once effect across
// crashes at every step, retries with backoff, stop requests, once mode, trigger interval,
// transform state, dead letters and progress records.

#include "stages.hpp"

#include "sluice/core/pipeline.hpp"
#include "sluice/core/runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace sluice;
using namespace sluice_test;
using std::chrono::milliseconds;

// 15 records: t/0 holds k0..k9 (k3 "bad-3" and k8 without payload are codec rejects, k6
// "veto-6" a transform reject), t/1 holds w0..w4.
void fill(world& w) {
  for (int i = 0; i < 10; ++i) {
    std::optional<std::string> payload = "v" + std::to_string(i);
    if (i == 3) payload = "bad-3";
    if (i == 6) payload = "veto-6";
    if (i == 8) payload = std::nullopt;
    w.data.push("t", 0, "k" + std::to_string(i), payload, 1000 + i);
  }
  for (int i = 0; i < 5; ++i) w.data.push("t", 1, "w" + std::to_string(i), "x" + std::to_string(i));
}

runner_options once(std::int64_t max = 10'000) {
  runner_options o;
  o.once = true;
  o.max_records_per_batch = max;
  o.retry.jitter = false;
  return o;
}

// Runs `p` against the world's stores, progress and (fake) environment.
template <class Pipeline>
result<run_summary> run_with(Pipeline& p, world& w, const runner_options& opt,
                             fake_environment& env, const stop_flag& stop) {
  rec_ckpt ckpt{&w};
  rec_dlq dlq{&w};
  rec_progress progress{&w};
  return run(p, ckpt, dlq, progress, opt, stop, env);
}

// One "process": a pipeline of handles on `w`, run to completion or error.
result<run_summary> run_on(world& w, const runner_options& opt, fake_environment& env,
                           const stop_flag& stop, bool remembers = false) {
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, rec_transform{&w}, rec_sink{&w},
                         rec_policy{&w, remembers});
  return run_with(p, w, opt, env, stop);
}

result<run_summary> run_on(world& w, const runner_options& opt, bool remembers = false) {
  fake_environment env;
  stop_flag stop;
  return run_on(w, opt, env, stop, remembers);
}

// Dead letters without their time (retry waits move the fake wall clock).
std::vector<dead_letter> timeless(std::vector<dead_letter> letters) {
  for (auto& l : letters) l.time_ms = 0;
  return letters;
}

std::vector<batch_plan> committed_plans(const world& w) {
  std::vector<batch_plan> out;
  for (const auto& c : w.ckpt.history()) out.push_back(c.plan);
  return out;
}

TEST(Runner, StepsRunInTheDocumentedOrder) {
  world w;
  fill(w);
  const auto r = run_on(w, once());
  ASSERT_TRUE(r) << r.error().message();
  const std::vector<std::string> expected{
      "last_commit", "pending", "plan",   "write_plan", "read",   "decode",        "transform",
      "is_done",     "write",   "dlq",    "mark_done",  "commit", "source.commit", "progress",
      "plan"};  // the second plan finds nothing: once mode returns
  EXPECT_EQ(w.events, expected);
  EXPECT_EQ(r.value(), (run_summary{1, 15, 3, 0}));
}

TEST(Runner, BatchWithoutRejectsWritesNoDeadLetters) {
  world w;
  w.data.push("t", 0, "k", "fine");
  ASSERT_TRUE(run_on(w, once()));
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "dlq"), 0);
  EXPECT_EQ(w.dlq.write_calls(), 0);
}

TEST(Runner, RejectsBecomeDeadLettersWithTheRawRecord) {
  world w;
  fill(w);
  fake_environment env;
  stop_flag stop;
  ASSERT_TRUE(run_on(w, once(), env, stop));
  // Codec rejects first (in record order), then the transform's.
  const std::vector<dead_letter> expected{
      {"t", 0, 3, std::string("k3"), std::string("bad-3"), "bad payload: bad-3", env.wall},
      {"t", 0, 8, std::string("k8"), std::nullopt, "no payload", env.wall},
      {"t", 0, 6, std::string("k6"), std::string("veto-6"), "vetoed", env.wall},
  };
  EXPECT_EQ(w.dlq.letters(), expected);
  // Everything else reached the sink, transformed.
  std::map<std::string, std::string> sink{{"k0", "v0!"}, {"k1", "v1!"}, {"k2", "v2!"}, {"k4", "v4!"},
                                          {"k5", "v5!"}, {"k7", "v7!"}, {"k9", "v9!"}, {"w0", "x0!"},
                                          {"w1", "x1!"}, {"w2", "x2!"}, {"w3", "x3!"}, {"w4", "x4!"}};
  EXPECT_EQ(w.sink_contents, sink);
}

TEST(Runner, OnceModeProcessesEverythingThenReturns) {
  world w;
  fill(w);
  const auto r = run_on(w, once(4));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r.value(), (run_summary{4, 15, 3, 0}));
  // Fair planning over both partitions, at most 4 offsets per batch, dense batch ids.
  const std::vector<batch_plan> expected{
      {0, {{"t", 0, 0, 2}, {"t", 1, 0, 2}}},
      {1, {{"t", 0, 2, 4}, {"t", 1, 2, 4}}},
      {2, {{"t", 0, 4, 7}, {"t", 1, 4, 5}}},
      {3, {{"t", 0, 7, 10}}},
  };
  EXPECT_EQ(committed_plans(w), expected);
  EXPECT_EQ(w.ckpt.history().back().position,
            (source_position{{"t", 0, 10, 10}, {"t", 1, 5, 5}}));
  EXPECT_EQ(w.data.committed("t", 0), 10);
  EXPECT_EQ(w.data.committed("t", 1), 5);
  EXPECT_EQ(w.dlq.letters().size(), 3u);
}

TEST(Runner, SecondRunFindsNothingToDo) {
  world w;
  fill(w);
  ASSERT_TRUE(run_on(w, once(4)));
  const auto before = w.ckpt.history().size();
  const auto r = run_on(w, once(4));
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value(), run_summary{});
  EXPECT_EQ(w.ckpt.history().size(), before);
}

TEST(Runner, ReplaysExactlyThePendingPlanAfterAFatalError) {
  world w;
  fill(w);
  w.fail("write", {});                     // batch 0 writes
  w.fail("write", errc::io_error);         // batch 1 fails fatally
  const auto first = run_on(w, once(4));
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error(), errc::io_error);
  ASSERT_EQ(w.ckpt.history().size(), 1u);
  const auto pending = w.ckpt.pending().value();
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, (batch_plan{1, {{"t", 0, 2, 4}, {"t", 1, 2, 4}}}));
  EXPECT_EQ(w.events.back(), "write") << "nothing after the failed write";

  // A new process with a larger batch limit: a fresh plan would differ, the replay must not.
  w.events.clear();
  const auto second = run_on(w, once(6));
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second.value().replayed, 1);
  ASSERT_GE(w.ckpt.history().size(), 2u);
  EXPECT_EQ(w.ckpt.history()[1].plan, *pending);
  EXPECT_TRUE(w.progress[1].replayed);
  // On start: the last commit's ranges are committed to the source again, then the replay.
  const std::vector<std::string> replay_start{"last_commit", "source.commit", "pending", "read"};
  EXPECT_TRUE(std::equal(replay_start.begin(), replay_start.end(), w.events.begin()))
      << "a replay neither plans nor writes the plan again";
  // After the replay, planning resumes with the new limit.
  EXPECT_EQ(w.ckpt.history()[2].plan, (batch_plan{2, {{"t", 0, 4, 9}, {"t", 1, 4, 5}}}));
}

// The exactly-once effect: a fatal error at any call of any step, then a restart, ends with
// the same sink contents, dead letters, completed batches and commits as a run without one.
TEST(Runner, CrashAtAnyStepThenRestartEqualsACrashFreeRun) {
  for (const bool remembers : {false, true}) {
    world oracle;
    fill(oracle);
    ASSERT_TRUE(run_on(oracle, once(4), remembers));
    ASSERT_EQ(oracle.ckpt.history().size(), 4u);

    for (const char* step : {"last_commit", "pending", "plan", "write_plan", "read", "decode",
                             "transform", "is_done", "write", "dlq", "mark_done", "commit",
                             "source.commit"}) {
      for (int nth = 1; nth <= 4; ++nth) {
        SCOPED_TRACE(std::string(step) + " #" + std::to_string(nth) +
                     (remembers ? " (batch log)" : " (at least once)"));
        world w;
        fill(w);
        for (int i = 1; i < nth; ++i) w.fail(step, {});
        w.fail(step, errc::io_error);
        const auto crashed = run_on(w, once(4), remembers);
        w.faults.clear();
        const auto restarted = run_on(w, once(4), remembers);
        ASSERT_TRUE(restarted) << restarted.error().message();
        if (crashed) continue;  // the step ran fewer than nth times
        EXPECT_EQ(crashed.error(), errc::io_error);
        EXPECT_EQ(w.sink_contents, oracle.sink_contents);
        EXPECT_EQ(w.dlq.letters(), oracle.dlq.letters());
        EXPECT_EQ(committed_plans(w), committed_plans(oracle));
        EXPECT_EQ(w.ckpt.history().back(), oracle.ckpt.history().back());
        EXPECT_EQ(w.batch_log.done(), oracle.batch_log.done());
        EXPECT_EQ(w.data.committed("t", 0), 10);
        EXPECT_EQ(w.data.committed("t", 1), 5);
      }
    }
  }
}

TEST(Runner, ReplayDoesNotWriteDeadLettersTwice) {
  world w;
  fill(w);
  w.fail("mark_done", errc::io_error);  // after the sink and the dead letters of batch 0
  ASSERT_FALSE(run_on(w, once()));
  EXPECT_EQ(w.dlq.write_calls(), 1);
  ASSERT_TRUE(run_on(w, once()));
  EXPECT_EQ(w.dlq.write_calls(), 2) << "at-least-once policy: the replay offers them again";
  EXPECT_EQ(w.dlq.letters().size(), 3u) << "and the dead-letter sink keeps one set per batch";
  EXPECT_EQ(w.dlq.by_batch().size(), 1u);
}

TEST(Runner, SkipsWritesOfABatchThePolicyKnows) {
  world w;
  fill(w);
  w.fail("commit", errc::io_error);  // batch 0 is marked done, then the commit fails
  ASSERT_FALSE(run_on(w, once(), /*remembers=*/true));
  EXPECT_EQ(w.sink_writes, 1);
  EXPECT_EQ(w.batch_log.done().size(), 1u);
  w.events.clear();
  const auto r = run_on(w, once(), /*remembers=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(w.sink_writes, 1) << "no second write";
  EXPECT_EQ(w.dlq.write_calls(), 1) << "no second dead-letter write";
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "mark_done"), 0);
  ASSERT_EQ(w.progress.size(), 1u);
  EXPECT_TRUE(w.progress[0].skipped_write);
  EXPECT_TRUE(w.progress[0].replayed);
  EXPECT_EQ(w.progress[0].num_output_rows, 0);
  EXPECT_EQ(w.batch_log.mark_calls(), 1);
}

TEST(Runner, RetriesRetriableErrorsWithExponentialBackoff) {
  world w;
  fill(w);
  w.fail("read", errc::timeout, 3);
  fake_environment env;
  stop_flag stop;
  const auto r = run_on(w, once(), env, stop);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "read"), 4);
  EXPECT_EQ(env.sleeps, (std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400)}));
  EXPECT_EQ(w.sink_contents.size(), 12u);
}

TEST(Runner, RetriableErrorsOfEveryStepAreRetried) {
  for (const char* step : {"last_commit", "pending", "plan", "write_plan", "read", "decode",
                           "transform", "is_done", "write", "dlq", "mark_done", "commit",
                           "source.commit"}) {
    SCOPED_TRACE(step);
    world oracle;
    fill(oracle);
    ASSERT_TRUE(run_on(oracle, once()));
    world w;
    fill(w);
    w.fail(step, errc::unavailable, 2);
    fake_environment env;
    stop_flag stop;
    const auto r = run_on(w, once(), env, stop);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(env.sleeps.size(), 2u);
    EXPECT_EQ(w.sink_contents, oracle.sink_contents);
    EXPECT_EQ(timeless(w.dlq.letters()), timeless(oracle.dlq.letters()));
    EXPECT_EQ(committed_plans(w), committed_plans(oracle));
  }
}

TEST(Runner, GivesUpAfterMaxAttemptsAndKeepsThePlanPending) {
  world w;
  fill(w);
  w.fail("read", errc::timeout, 100);
  runner_options opt = once();
  opt.retry.max_attempts = 4;
  fake_environment env;
  stop_flag stop;
  const auto r = run_on(w, opt, env, stop);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::timeout);
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "read"), 4);
  EXPECT_EQ(env.sleeps.size(), 3u);
  EXPECT_TRUE(w.ckpt.pending().value().has_value());
  EXPECT_TRUE(w.ckpt.history().empty());
}

TEST(Runner, FatalErrorsAreReturnedAtOnce) {
  world w;
  fill(w);
  w.fail("read", errc::corrupt_state);
  fake_environment env;
  stop_flag stop;
  const auto r = run_on(w, once(), env, stop);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::corrupt_state);
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "read"), 1);
  EXPECT_TRUE(env.sleeps.empty());
}

TEST(Runner, JitterDrawsFromHalfToAllOfTheBackoff) {
  world w;
  fill(w);
  w.fail("plan", errc::timeout, 2);
  runner_options opt = once();
  opt.retry.jitter = true;
  fake_environment env;
  env.random = 0;  // the lowest draw
  stop_flag stop;
  ASSERT_TRUE(run_on(w, opt, env, stop));
  EXPECT_EQ(env.sleeps, (std::vector<milliseconds>{milliseconds(50), milliseconds(100)}));
}

TEST(Backoff, GrowsExponentiallyUpToTheCap) {
  retry_options o;
  o.jitter = false;
  o.initial_backoff = milliseconds(100);
  o.multiplier = 3.0;
  o.max_backoff = milliseconds(2000);
  EXPECT_EQ(backoff_delay(o, 1, 0), milliseconds(100));
  EXPECT_EQ(backoff_delay(o, 2, 0), milliseconds(300));
  EXPECT_EQ(backoff_delay(o, 3, 0), milliseconds(900));
  EXPECT_EQ(backoff_delay(o, 4, 0), milliseconds(2000));
  EXPECT_EQ(backoff_delay(o, 5000, 0), milliseconds(2000)) << "no overflow";
}

TEST(Backoff, JitterIsUniformBetweenHalfAndAll) {
  retry_options o;
  o.initial_backoff = milliseconds(1000);
  EXPECT_EQ(backoff_delay(o, 1, 0), milliseconds(500));
  EXPECT_EQ(backoff_delay(o, 1, ~std::uint64_t{0}), milliseconds(1000));
  EXPECT_EQ(backoff_delay(o, 1, std::uint64_t{1} << 63), milliseconds(750));
  EXPECT_EQ(backoff_delay(o, 2, 0), milliseconds(1000));
}

TEST(Runner, StopBeforeTheWritesAbandonsTheBatchCleanly) {
  world w;
  fill(w);
  fake_environment env;
  stop_flag stop;
  w.on_event = [&](std::string_view step) {
    if (step == "read") stop.request_stop();
  };
  const auto r = run_on(w, once(4), env, stop);
  ASSERT_TRUE(r) << "a stop is not an error";
  EXPECT_EQ(r.value(), run_summary{});
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "write"), 0);
  EXPECT_TRUE(w.ckpt.history().empty());
  const auto pending = w.ckpt.pending().value();
  ASSERT_TRUE(pending.has_value()) << "the plan stays pending";

  w.on_event = nullptr;
  const auto again = run_on(w, once(4));
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().replayed, 1);
  EXPECT_EQ(w.ckpt.history().front().plan, *pending);
  EXPECT_EQ(w.sink_contents.size(), 12u);
}

TEST(Runner, StopDuringTheWritesFinishesTheBatch) {
  world w;
  fill(w);
  fake_environment env;
  stop_flag stop;
  w.on_event = [&](std::string_view step) {
    if (step == "write") stop.request_stop();
  };
  const auto r = run_on(w, once(4), env, stop);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().batches, 1);
  EXPECT_EQ(w.ckpt.history().size(), 1u);
  EXPECT_FALSE(w.ckpt.pending().value().has_value()) << "never half-committed";
  EXPECT_EQ(w.data.commit_calls(), 1);
  EXPECT_EQ(w.progress.size(), 1u);
}

TEST(Runner, StopDuringARetryWaitAbandonsTheBatch) {
  world w;
  fill(w);
  w.fail("write", errc::timeout, 10);
  fake_environment env;
  stop_flag stop;
  env.on_sleep = [&](milliseconds) { stop.request_stop(); };
  const auto r = run_on(w, once(), env, stop);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r.value(), run_summary{});
  EXPECT_EQ(env.sleeps.size(), 1u);
  EXPECT_TRUE(w.ckpt.pending().value().has_value());
  EXPECT_TRUE(w.ckpt.history().empty());
}

TEST(Runner, StopRequestedBeforeTheStartDoesNothing) {
  world w;
  fill(w);
  fake_environment env;
  stop_flag stop;
  stop.request_stop();
  const auto r = run_on(w, once(), env, stop);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value(), run_summary{});
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "plan"), 0);
}

TEST(Runner, TriggerIntervalSeparatesBatchStarts) {
  world w;
  fill(w);
  runner_options opt;
  opt.max_records_per_batch = 4;
  opt.trigger_interval = milliseconds(1000);
  fake_environment env;
  stop_flag stop;
  std::vector<std::int64_t> plan_times;
  w.on_event = [&](std::string_view step) {
    if (step == "plan") plan_times.push_back(env.mono);
    if (step == "write") env.mono += 300'000'000;  // a 300 ms write
    if (step == "progress" && w.progress.size() == 2) stop.request_stop();
  };
  const auto r = run_on(w, opt, env, stop);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().batches, 3);
  EXPECT_EQ(env.sleeps, (std::vector<milliseconds>{milliseconds(700), milliseconds(700)}));
  ASSERT_EQ(plan_times.size(), 3u);
  EXPECT_EQ(plan_times[1] - plan_times[0], 1'000'000'000);
  EXPECT_EQ(plan_times[2] - plan_times[1], 1'000'000'000);
}

TEST(Runner, SlowBatchesStartTheNextAtOnce) {
  world w;
  fill(w);
  runner_options opt = once(4);
  opt.trigger_interval = milliseconds(1000);
  fake_environment env;
  stop_flag stop;
  w.on_event = [&](std::string_view step) {
    if (step == "write") env.mono += 1'500'000'000;
  };
  ASSERT_TRUE(run_on(w, opt, env, stop));
  EXPECT_TRUE(env.sleeps.empty());
}

TEST(Runner, IdleSourceIsPolledAgainAfterAWait) {
  world w;
  runner_options opt;  // not once, no trigger interval
  fake_environment env;
  stop_flag stop;
  env.on_sleep = [&](milliseconds) {
    if (env.sleeps.size() == 3) stop.request_stop();
  };
  const auto r = run_on(w, opt, env, stop);
  ASSERT_TRUE(r);
  EXPECT_EQ(env.sleeps, std::vector<milliseconds>(3, milliseconds(100)));
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "plan"), 3);
  // Data arriving later is picked up by the next poll.
  w.data.push("t", 0, "late", "v");
  stop_flag stop2;
  env.on_sleep = [&](milliseconds) { stop2.request_stop(); };
  ASSERT_TRUE(run_on(w, opt, env, stop2));
  EXPECT_EQ(w.sink_contents.at("late"), "v!");
}

TEST(Runner, InvalidPlansFromTheSourceAreFatal) {
  struct scripted_source {
    using stage_concept = source_tag;
    std::vector<offset_range> ranges;
    result<std::vector<offset_range>> plan(const source_position&, std::int64_t) { return ranges; }
    result<void> read(const std::vector<offset_range>&, std::vector<source_record>&) { return success(); }
    result<void> commit(const std::vector<offset_range>&) { return success(); }
  };
  const std::vector<std::vector<offset_range>> bad{
      {{"t", 0, 5, 5}},                       // empty range
      {{"t", 0, 0, 2}, {"t", 0, 2, 4}},       // two ranges of one partition
      {{"t", 0, 0, 11}},                      // more than max_records_per_batch
      {{"t", 0, -1, 3}},                      // negative offset
  };
  for (const auto& ranges : bad) {
    world w;
    auto p = make_pipeline(scripted_source{ranges}, rec_codec{&w}, rec_sink{&w});
    fake_environment env;
    stop_flag stop;
    const auto r = run_with(p, w, once(10), env, stop);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), errc::invalid_argument);
    EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "write_plan"), 0);
  }
}

TEST(Runner, PendingPlanThatDoesNotFollowTheLastCommitIsCorrupt) {
  world w;
  fill(w);
  ASSERT_TRUE(w.ckpt.write_plan(batch_plan{7, {{"t", 0, 0, 1}}}));
  const auto r = run_on(w, once());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::corrupt_state);
}

TEST(Runner, RejectOriginOutsideTheBatchIsFatal) {
  struct lying_codec {
    using stage_concept = codec_tag;
    using value_type = item;
    result<void> decode(std::span<const source_record> in, std::vector<item>&, reject_list& rejects) {
      rejects.add(in.size(), "points past the batch");
      return success();
    }
  };
  world w;
  fill(w);
  auto p = make_pipeline(rec_source{&w}, lying_codec{}, rec_sink{&w});
  fake_environment env;
  stop_flag stop;
  const auto r = run_with(p, w, once(), env, stop);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::invalid_argument);
  EXPECT_EQ(w.sink_writes, 0);
}

// --- transform state ---------------------------------------------------------------------------

result<run_summary> run_numbered(world& w, numbering_transform& seen, const runner_options& opt) {
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, numbering_transform{}, rec_sink{&w});
  fake_environment env;
  stop_flag stop;
  auto r = run_with(p, w, opt, env, stop);
  seen = p.transform<0>();
  return r;
}

TEST(Runner, TransformStateIsCommittedWithEachBatch) {
  world w;
  fill(w);
  numbering_transform t;
  ASSERT_TRUE(run_numbered(w, t, once(4)));
  std::vector<std::string> states;
  for (const auto& c : w.ckpt.history()) states.push_back(c.state);
  // Values per batch (codec rejects excluded): 4, 3, 4, 2 -> next = 4, 7, 11, 13; each state is
  // the transform's blob with its length in front.
  EXPECT_EQ(states, (std::vector<std::string>{"1:4", "1:7", "2:11", "2:13"}));
  EXPECT_EQ(t.loads, std::vector<std::string>{""});
}

TEST(Runner, TransformStateIsRestoredAfterACrash) {
  world oracle;
  fill(oracle);
  numbering_transform t;
  ASSERT_TRUE(run_numbered(oracle, t, once(4)));

  world w;
  fill(w);
  w.fail("write", {}, 2);
  w.fail("write", errc::io_error);  // batch 2 crashes after its transform ran
  ASSERT_FALSE(run_numbered(w, t, once(4)));
  EXPECT_EQ(t.next, 11) << "the crashed process had advanced past the last commit (7)";
  ASSERT_TRUE(run_numbered(w, t, once(4)));
  EXPECT_EQ(t.loads.front(), "7") << "the new process starts from the committed state";
  EXPECT_EQ(w.sink_contents, oracle.sink_contents);
  EXPECT_EQ(w.ckpt.history().back(), oracle.ckpt.history().back());
}

TEST(Runner, RetriedProcessingStartsAgainFromTheCommittedState) {
  world oracle;
  fill(oracle);
  numbering_transform t;
  ASSERT_TRUE(run_numbered(oracle, t, once(4)));
  world w;
  fill(w);
  // Batch 2's transform runs, then its second stage fails retriably: the retry must not number
  // the batch's values twice.
  struct failing_after_numbering {
    using stage_concept = transform_tag;
    using output_type = item;
    world* w;
    result<void> apply(std::vector<item>& in, std::vector<item>& out, reject_list&) {
      SLUICE_TRYV(w->hit("after"));
      for (auto& v : in) out.push_back(std::move(v));
      return success();
    }
  };
  w.fail("after", {}, 2);
  w.fail("after", errc::timeout);
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, numbering_transform{},
                         failing_after_numbering{&w}, rec_sink{&w});
  fake_environment env;
  stop_flag stop;
  ASSERT_TRUE(run_with(p, w, once(4), env, stop));
  EXPECT_EQ(env.sleeps.size(), 1u);
  EXPECT_EQ(std::count(w.events.begin(), w.events.end(), "after"), 5);
  EXPECT_EQ(w.sink_contents, oracle.sink_contents);
  EXPECT_EQ(w.ckpt.history(), oracle.ckpt.history());
}

TEST(Runner, APlanReplayedByTheSameRunnerStartsFromTheCommittedState) {
  world oracle;
  fill(oracle);
  numbering_transform t;
  ASSERT_TRUE(run_numbered(oracle, t, once(4)));

  // Batch 2 is processed, then its write fails fatally; the same runner object is asked for the
  // next batch (a group runner does that): the replay must not number batch 2's values twice.
  world w;
  fill(w);
  w.fail("write", {}, 2);
  w.fail("write", errc::io_error);
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, numbering_transform{}, rec_sink{&w});
  rec_ckpt ckpt{&w};
  rec_dlq dlq{&w};
  rec_progress progress{&w};
  fake_environment env;
  stop_flag stop;
  const auto opt = once(4);
  runner<decltype(p), rec_ckpt, rec_dlq, rec_progress, fake_environment> r(p, ckpt, dlq, progress, opt, stop,
                                                                            env);
  ASSERT_TRUE(r.run_batch());
  ASSERT_TRUE(r.run_batch());
  ASSERT_FALSE(r.run_batch()) << "batch 2's write fails";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(r.run_batch());
  EXPECT_EQ(w.sink_contents, oracle.sink_contents);
  EXPECT_EQ(w.ckpt.history(), oracle.ckpt.history()) << "the states 4, 7, 11, 13 of a run without the error";
}

// --- progress --------------------------------------------------------------------------------

TEST(Runner, ProgressRecordDescribesTheBatch) {
  world w;
  fill(w);
  fake_environment env;
  stop_flag stop;
  w.on_event = [&](std::string_view step) {
    if (step == "plan") env.mono += 1'000'000;
    if (step == "read") env.mono += 2'000'000;
    if (step == "decode") env.mono += 3'000'000;
    if (step == "write") env.mono += 4'000'000;
    if (step == "commit") env.mono += 5'000'000;
  };
  ASSERT_TRUE(run_on(w, once(), env, stop));
  ASSERT_EQ(w.progress.size(), 1u);
  EXPECT_EQ(to_json(w.progress[0]),
            R"({"batchId":0,"timestamp":"2024-06-01T11:59:59.000Z","numInputRows":15,)"
            R"("numOutputRows":12,"rejects":3,"replayed":false,"skippedWrite":false,)"
            R"("durationMs":{"plan":1.000,"read":2.000,"process":3.000,"write":4.000,)"
            R"("commit":5.000,"total":15.000},)"
            // t/0's records carry timestamps 1000..1009 ms after the epoch, t/1's none.
            R"("visibleLatencyMs":{"count":10,"p50":1717243197995.000,"p99":1717243198000.000,)"
            R"("max":1717243198000.000},"inputRowsPerSecond":1000.000,)"
            R"("processedRowsPerSecond":1000.000,"sources":[{"topic":"t","partition":0,)"
            R"("startOffset":0,"endOffset":10},{"topic":"t","partition":1,"startOffset":0,)"
            R"("endOffset":5}]})");
}

TEST(Runner, VisibleLatencyRunsFromEachRecordsTimestampToTheEndOfTheWrites) {
  world w;
  fake_environment env;
  const std::int64_t start = env.wall;
  // 100 records produced 0, 100, …, 9900 ms before the batch starts, one without a timestamp
  // and one stamped 5 s in the future (a producer clock ahead of ours).
  for (int i = 0; i < 100; ++i) w.data.push("t", 0, "k" + std::to_string(i), "v", start - 100 * i);
  w.data.push("t", 0, "none", "v", 0);
  w.data.push("t", 0, "ahead", "v", start + 5000);
  w.on_event = [&](std::string_view step) {
    if (step == "write") env.wall += 40;        // the sink takes 40 ms
    if (step == "commit") env.wall += 1000;     // not part of the latency
  };
  stop_flag stop;
  ASSERT_TRUE(run_on(w, once(), env, stop));
  ASSERT_EQ(w.progress.size(), 1u);
  const auto& l = w.progress[0].visible_latency;
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->count, 101);   // the one without a timestamp is left out; the one ahead counts as 0
  EXPECT_DOUBLE_EQ(l->max, 9940.0);
  EXPECT_DOUBLE_EQ(l->p99, 9840.0);   // the 100th smallest of 101: 99 % of them at or below it
  EXPECT_DOUBLE_EQ(l->p50, 4940.0);   // the 51st smallest (0 from the one ahead, then 40, 140, …)
  // Nothing to summarize: no summary.
  std::vector<std::int64_t> none;
  EXPECT_FALSE(summarize_latencies(none).has_value());
}

TEST(Runner, ABatchWithoutTimestampsHasNoVisibleLatency) {
  world w;
  for (int i = 0; i < 3; ++i) w.data.push("t", 0, "k" + std::to_string(i), "v");
  fake_environment env;
  stop_flag stop;
  ASSERT_TRUE(run_on(w, once(), env, stop));
  ASSERT_EQ(w.progress.size(), 1u);
  EXPECT_FALSE(w.progress[0].visible_latency.has_value());
  EXPECT_EQ(to_json(w.progress[0]).find("visibleLatencyMs"), std::string::npos);
}

TEST(Runner, InputRateCountsTimeSinceThePreviousBatchStarted) {
  world w;
  fill(w);
  runner_options opt = once(5);
  opt.trigger_interval = milliseconds(1000);
  fake_environment env;
  stop_flag stop;
  w.on_event = [&](std::string_view step) {
    if (step == "write") env.mono += 250'000'000;
  };
  ASSERT_TRUE(run_on(w, opt, env, stop));
  ASSERT_EQ(w.progress.size(), 3u);
  // Batch 1: 5 rows; its start is 1 s after batch 0's; it took 250 ms.
  EXPECT_DOUBLE_EQ(w.progress[1].input_rows_per_second, 5.0);
  EXPECT_DOUBLE_EQ(w.progress[1].processed_rows_per_second, 20.0);
  EXPECT_DOUBLE_EQ(w.progress[1].total_ms, 250.0);
}

}  // namespace
