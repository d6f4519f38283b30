// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The micro-batch runner: plans a batch, writes the plan ahead, reads, decodes, transforms,
/// writes, marks the batch done, commits, reports progress; replays a pending plan after a
/// restart; retries retriable errors with exponential backoff and jitter; honours the trigger
/// interval, available-now mode and stop requests. The batch loop is the only place that knows
/// the order of the stages (docs/architecture.md §3–§4).

#include "sluice/core/concepts.hpp"
#include "sluice/core/environment.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/fwd.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/core/retry.hpp"
#include "sluice/core/stop.hpp"

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

/// How the runner schedules batches.
struct runner_options {
  std::int64_t max_records_per_batch = 10'000;        ///< offsets per batch, all partitions
  std::chrono::milliseconds trigger_interval{0};      ///< time between batch starts
  bool once = false;   ///< available-now: process what exists, then return
  retry_options retry;
};

/// What a run did.
struct run_summary {
  std::int64_t batches = 0;    ///< batches committed
  std::int64_t records = 0;    ///< records read by committed batches
  std::int64_t rejects = 0;    ///< records those batches rejected
  std::int64_t replayed = 0;   ///< committed batches that were pending plans replayed
  friend bool operator==(const run_summary&, const run_summary&) = default;
};

/// What `runner::run_batch` did.
enum class batch_outcome {
  committed,  ///< a batch was committed
  idle,       ///< the source had nothing to plan
  stopped,    ///< a stop was requested: the batch (if any) was abandoned, its plan stays pending
};

/// The source position after `plan`: each planned (topic, partition) advanced to its range's
/// end, the others unchanged; sorted by topic, then partition.
[[nodiscard]] inline source_position advance_position(source_position pos,
                                                      const std::vector<offset_range>& ranges) {
  for (const auto& r : ranges) {
    auto it = std::find_if(pos.begin(), pos.end(), [&](const offset_range& p) {
      return p.topic == r.topic && p.partition == r.partition;
    });
    if (it == pos.end()) {
      pos.push_back({r.topic, r.partition, r.to, r.to});
    } else {
      it->from = it->to = r.to;
    }
  }
  std::sort(pos.begin(), pos.end(), [](const offset_range& a, const offset_range& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  return pos;
}

/// Drives a pipeline batch by batch against a checkpoint store, a dead-letter sink and a
/// progress reporter.
///
/// Each batch: plan (or replay the pending plan) → `write_plan` → `read` → `process` (codec and
/// transforms) → unless `is_done(plan)`: sink write, then dead letters → `mark_done` →
/// checkpoint `commit` (plan, new position, transform state) → `source.commit` → progress.
/// Retriable errors of any step are retried with backoff; any other error is returned at once,
/// leaving the checkpoint consistent (the plan, if written, stays pending and is replayed with
/// exactly its ranges by the next runner). A stop request before the writes begin abandons the
/// batch the same way; once writes began the batch is finished, unless a retry wait is
/// interrupted by the stop (then it is abandoned, and the idempotent writes are redone on replay).
///
/// Thread-safety: none; one runner per pipeline.
template <class Pipeline, class Ckpt, class Dlq, class Progress, class Env>
class runner {
  static_assert(runnable_pipeline<Pipeline>, "Pipeline must be a sluice::pipeline<...>");
  static_assert(checkpoint_store<Ckpt>);
  static_assert(dead_letter_sink<Dlq>);
  static_assert(progress_reporter<Progress>);
  static_assert(runner_environment<Env>);

 public:
  /// Keeps references to everything; all must outlive the runner.
  runner(Pipeline& p, Ckpt& ckpt, Dlq& dlq, Progress& progress, const runner_options& opt,
         const stop_flag& stop, Env& env)
      : p_(p), ckpt_(ckpt), dlq_(dlq), progress_(progress), opt_(opt), stop_(stop), env_(env) {}

  /// Reads the last commit and any pending plan, restores the transforms' state, and commits
  /// the last batch's ranges to the source again (in case a crash came between the checkpoint
  /// commit and the source commit). `run_batch` calls it first if it was not called; `run`
  /// always calls it.
  /// Errors: the checkpoint store's (after retries); `errc::corrupt_state` if the pending plan
  /// does not follow the last commit or the saved state does not load.
  result<void> recover() {
    SLUICE_TRY(last, retrying([&] { return ckpt_.last_commit(); }));
    position_.clear();
    next_batch_id_ = 0;
    state_.clear();
    if (last) {
      position_ = last->position;
      next_batch_id_ = last->plan.batch_id + 1;
      state_ = last->state;
    }
    SLUICE_TRYV(p_.load_state(state_));
    state_dirty_ = false;
    if (last) {
      // A crash between the checkpoint commit and the source commit leaves the source behind
      // (e.g. Kafka group offsets): commit the last batch's ranges again (idempotent).
      SLUICE_TRYV(retrying([&] { return p_.source().commit(last->plan.ranges); }));
    }
    SLUICE_TRY(pending, retrying([&] { return ckpt_.pending(); }));
    pending_.reset();
    if (pending) {
      if (pending->batch_id != next_batch_id_) return errc::corrupt_state;
      pending_ = std::move(*pending);
    }
    recovered_ = true;
    return success();
  }

  /// Runs one batch: the pending plan if there is one, else a new plan from the source.
  /// Errors: a fatal error of any step, or a retriable one that outlived `max_attempts`.
  /// Blocking: as the stages, plus retry waits.
  result<batch_outcome> run_batch() {
    if (!recovered_) {
      SLUICE_TRYV(recover());
    }
    const std::int64_t t0 = env_.monotonic_ns();
    const std::int64_t wall0 = env_.wall_ms();

    // --- plan -----------------------------------------------------------------------------
    batch_plan plan;
    const bool replay = pending_.has_value();
    if (replay) {
      plan = std::move(*pending_);
      pending_.reset();
    } else {
      if (stop_.stop_requested()) return batch_outcome::stopped;
      auto ranges = retrying([&] { return p_.source().plan(position_, opt_.max_records_per_batch); });
      if (!ranges) return stopped_or(ranges.error(), std::nullopt);
      if (ranges.value().empty()) return batch_outcome::idle;
      SLUICE_TRYV(validate(ranges.value()));
      plan.batch_id = next_batch_id_;
      plan.ranges = std::move(ranges).value();
      auto written = retrying([&] { return ckpt_.write_plan(plan); });
      // If the write-ahead may have happened, the store's pending() decides on restart.
      if (!written) return stopped_or(written.error(), std::nullopt);
    }
    const std::int64_t t_plan = env_.monotonic_ns();
    if (stop_.stop_requested()) return abandon(std::move(plan));

    // --- read -----------------------------------------------------------------------------
    auto read = retrying([&] {
      records_.clear();
      return p_.source().read(plan.ranges, records_);
    });
    if (!read) return stopped_or(read.error(), std::move(plan));
    const std::int64_t t_read = env_.monotonic_ns();
    if (stop_.stop_requested()) return abandon(std::move(plan));

    // --- process --------------------------------------------------------------------------
    bool first_attempt = true;
    auto processed = retrying([&]() -> result<void> {
      rejects_.clear();
      // A failed attempt, or an earlier batch of this runner that was processed but not
      // committed (an error or a stop after `process`; its plan is replayed now), may have
      // advanced stateful transforms: start again from the last commit's state.
      if (!first_attempt || state_dirty_) {
        SLUICE_TRYV(p_.load_state(state_));
        state_dirty_ = false;
      }
      first_attempt = false;
      state_dirty_ = true;
      return p_.process(records_, buffers_, rejects_);
    });
    if (!processed) return stopped_or(processed.error(), std::move(plan));
    SLUICE_TRYV(build_letters(wall0));
    const std::int64_t t_process = env_.monotonic_ns();
    if (stop_.stop_requested()) return abandon(std::move(plan));

    // --- write ----------------------------------------------------------------------------
    auto done = retrying([&] { return p_.idempotency().is_done(plan); });
    if (!done) return stopped_or(done.error(), std::move(plan));
    const bool skip = done.value();
    if (!skip) {
      auto w = retrying([&] { return p_.write(buffers_, plan); });
      if (!w) return stopped_or(w.error(), std::move(plan));
      if (!letters_.empty()) {
        auto d = retrying([&] {
          return dlq_.write(plan.batch_id, std::span<const dead_letter>(letters_));
        });
        if (!d) return stopped_or(d.error(), std::move(plan));
      }
    }
    const std::int64_t t_write = env_.monotonic_ns();
    std::optional<latency_summary> visible_latency;
    if (!skip) {
      // The sink's output is visible now: how long each record (with a timestamp) took.
      const std::int64_t visible_ms = env_.wall_ms();
      latencies_.clear();
      for (const auto& r : records_)
        if (r.timestamp_ms > 0) latencies_.push_back(visible_ms - r.timestamp_ms);
      visible_latency = summarize_latencies(latencies_);
    }

    // --- commit ---------------------------------------------------------------------------
    if (!skip) {
      auto m = retrying([&] { return p_.idempotency().mark_done(plan); });
      if (!m) return stopped_or(m.error(), std::move(plan));
    }
    commit_record rec;
    rec.position = advance_position(position_, plan.ranges);
    if constexpr (requires(std::string& s) { p_.save_state(s, plan.batch_id); }) {
      // Incremental state writes files (a changelog, a snapshot): retried like the commit.
      auto st = retrying([&] { return p_.save_state(rec.state, plan.batch_id); });
      if (!st) return stopped_or(st.error(), std::move(plan));
    } else {
      SLUICE_TRYV(p_.save_state(rec.state));
    }
    rec.plan = std::move(plan);
    auto c = retrying([&] { return ckpt_.commit(rec); });
    if (!c) return stopped_or(c.error(), std::move(rec.plan));
    position_ = std::move(rec.position);
    state_ = std::move(rec.state);
    state_dirty_ = false;  // the transforms' state is the committed one
    next_batch_id_ = rec.plan.batch_id + 1;
    if constexpr (requires { p_.state_committed(); }) {
      // Retention of the state store; a failure leaves extra files only, but is reported.
      auto retained = retrying([&] { return p_.state_committed(); });
      if (!retained) return retained.error();
    }
    // The batch is committed: from here on an error no longer abandons it.
    auto sc = retrying([&] { return p_.source().commit(rec.plan.ranges); });
    if (!sc && !(sc.error() == errc::cancelled && stop_.stop_requested())) return sc.error();
    const std::int64_t t_commit = env_.monotonic_ns();

    // --- progress -------------------------------------------------------------------------
    progress_record pr;
    pr.batch_id = rec.plan.batch_id;
    pr.timestamp_ms = wall0;
    pr.num_input_rows = static_cast<std::int64_t>(records_.size());
    pr.num_output_rows = skip ? 0 : static_cast<std::int64_t>(Pipeline::output(buffers_).size());
    pr.rejects = static_cast<std::int64_t>(rejects_.size());
    pr.replayed = replay;
    pr.skipped_write = skip;
    pr.plan_ms = ms_between(t0, t_plan);
    pr.read_ms = ms_between(t_plan, t_read);
    pr.process_ms = ms_between(t_read, t_process);
    pr.write_ms = ms_between(t_process, t_write);
    pr.commit_ms = ms_between(t_write, t_commit);
    pr.total_ms = ms_between(t0, t_commit);
    const double since_prev = prev_start_ns_ ? ms_between(*prev_start_ns_, t0) : pr.total_ms;
    pr.input_rows_per_second = rate(pr.num_input_rows, since_prev);
    pr.processed_rows_per_second = rate(pr.num_input_rows, pr.total_ms);
    pr.visible_latency = visible_latency;
    pr.sources = rec.plan.ranges;
    if constexpr (requires(typename Pipeline::source_type& s, const std::vector<offset_range>& rs) {
                    { s.lag(rs) } -> std::same_as<std::vector<std::optional<std::int64_t>>>;
                  }) {
      pr.lag = p_.source().lag(pr.sources);  // consumer lag, for sources that know it (Kafka)
    }
    prev_start_ns_ = t0;
    progress_.report(pr);

    ++summary_.batches;
    summary_.records += pr.num_input_rows;
    summary_.rejects += pr.rejects;
    summary_.replayed += replay ? 1 : 0;
    return batch_outcome::committed;
  }

  /// Runs batches until a stop request, a fatal error or, with `once`, until the source has
  /// nothing more to plan. Batches start at least `trigger_interval` apart; when the source is
  /// idle the runner waits the trigger interval (or `idle_poll` if it is zero) before planning
  /// again.
  /// Errors: as `run_batch`. A stop request is not an error: the summary is returned.
  /// Blocking: until done.
  result<run_summary> run() {
    SLUICE_TRYV(recover());
    std::optional<std::int64_t> last_attempt_ns;
    for (;;) {
      if (stop_.stop_requested()) return summary_;
      if (last_attempt_ns && opt_.trigger_interval.count() > 0) {
        const std::int64_t elapsed_ns = env_.monotonic_ns() - *last_attempt_ns;
        const std::int64_t wait_ns =
            std::chrono::nanoseconds(opt_.trigger_interval).count() - elapsed_ns;
        if (wait_ns > 0) {
          const auto wait = std::chrono::ceil<std::chrono::milliseconds>(std::chrono::nanoseconds(wait_ns));
          if (!env_.sleep_for(wait, stop_)) return summary_;
        }
      }
      last_attempt_ns = env_.monotonic_ns();
      SLUICE_TRY(outcome, run_batch());
      switch (outcome) {
        case batch_outcome::committed: break;
        case batch_outcome::stopped: return summary_;
        case batch_outcome::idle:
          if (opt_.once) return summary_;
          if (opt_.trigger_interval.count() <= 0 && !env_.sleep_for(idle_poll, stop_)) return summary_;
          break;
      }
    }
  }

  /// Totals of the batches committed by this runner.
  [[nodiscard]] const run_summary& summary() const noexcept { return summary_; }
  /// The position after the last commit (valid after `recover`).
  [[nodiscard]] const source_position& position() const noexcept { return position_; }
  /// The dead letters built for the last processed batch.
  [[nodiscard]] const std::vector<dead_letter>& last_letters() const noexcept { return letters_; }

  /// Wait between polls of an idle source when the trigger interval is zero.
  static constexpr std::chrono::milliseconds idle_poll{100};

 private:
  template <class F>
  auto retrying(F&& f) -> std::invoke_result_t<F&> {
    const int max = std::max(1, opt_.retry.max_attempts);
    for (int attempt = 1;; ++attempt) {
      auto r = f();
      if (r.has_value() || attempt >= max || !(r.error() == condition::retriable)) return r;
      if (!env_.sleep_for(backoff_delay(opt_.retry, attempt, env_.random_u64()), stop_))
        return std::error_code(errc::cancelled);
    }
  }

  // A step failed: if it failed because of a stop request, abandon the batch (its plan stays
  // pending), else return the error.
  result<batch_outcome> stopped_or(std::error_code ec, std::optional<batch_plan> plan) {
    if (ec == errc::cancelled && stop_.stop_requested()) {
      if (plan) return abandon(std::move(*plan));
      return batch_outcome::stopped;
    }
    if (plan) pending_ = std::move(*plan);  // a later run_batch on this runner replays it
    return ec;
  }

  result<batch_outcome> abandon(batch_plan plan) {
    pending_ = std::move(plan);
    return batch_outcome::stopped;
  }

  result<void> validate(const std::vector<offset_range>& ranges) const {
    std::int64_t total = 0;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      const auto& r = ranges[i];
      if (r.from < 0 || r.to <= r.from) return errc::invalid_argument;
      for (std::size_t j = 0; j < i; ++j)
        if (ranges[j].topic == r.topic && ranges[j].partition == r.partition)
          return errc::invalid_argument;
      for (const auto& p : position_)
        if (p.topic == r.topic && p.partition == r.partition && r.from < p.to)
          return errc::invalid_argument;
      total += r.size();
    }
    if (total > std::max<std::int64_t>(opt_.max_records_per_batch, 1)) return errc::invalid_argument;
    return success();
  }

  result<void> build_letters(std::int64_t time_ms) {
    letters_.clear();
    letters_.reserve(rejects_.size());
    for (const auto& rj : rejects_.items()) {
      if (rj.origin >= records_.size()) return errc::invalid_argument;  // a stage bug
      const auto& rec = records_[rj.origin];
      auto owned = [](const auto& bytes) {
        return bytes ? std::optional<std::string>(std::in_place, *bytes) : std::nullopt;
      };
      letters_.push_back(dead_letter{std::string(rec.topic), rec.partition, rec.offset,
                                     owned(rec.key), owned(rec.payload), rj.reason, time_ms});
    }
    return success();
  }

  static double ms_between(std::int64_t from_ns, std::int64_t to_ns) noexcept {
    return static_cast<double>(to_ns - from_ns) / 1e6;
  }
  static double rate(std::int64_t rows, double ms) noexcept {
    return ms > 0 ? static_cast<double>(rows) * 1000.0 / ms : 0.0;
  }

  Pipeline& p_;
  Ckpt& ckpt_;
  Dlq& dlq_;
  Progress& progress_;
  const runner_options& opt_;
  const stop_flag& stop_;
  Env& env_;

  bool recovered_ = false;
  source_position position_;
  std::int64_t next_batch_id_ = 0;
  std::string state_;
  std::optional<batch_plan> pending_;
  bool state_dirty_ = false;   // transforms processed records since the last commit or load
  std::optional<std::int64_t> prev_start_ns_;
  std::vector<typename Pipeline::record_type> records_;
  typename Pipeline::buffers buffers_;
  reject_list rejects_;
  std::vector<dead_letter> letters_;
  std::vector<std::int64_t> latencies_;   // scratch of the visible latencies of a batch
  run_summary summary_;
};

/// Runs `p` until a stop request, a fatal error, or (with `opt.once`) until the source has
/// nothing more: see `runner`. Uses the real clocks and sleeps (`system_environment`).
/// Errors: a fatal error of a step, or a retriable one that outlived `opt.retry.max_attempts`;
/// the checkpoint is left consistent. Blocking: until done.
template <class Pipeline, checkpoint_store Ckpt, dead_letter_sink Dlq, class Progress>
  requires runnable_pipeline<Pipeline> && progress_reporter<Progress>
result<run_summary> run(Pipeline& p, Ckpt& ckpt, Dlq& dlq, Progress& progress,
                        const runner_options& opt, const stop_flag& stop) {
  system_environment env;
  return runner<Pipeline, Ckpt, Dlq, Progress, system_environment>(p, ckpt, dlq, progress, opt,
                                                                   stop, env)
      .run();
}

/// As above, with an injected environment (clocks, sleeping, jitter), e.g. a fake in tests.
template <class Pipeline, checkpoint_store Ckpt, dead_letter_sink Dlq, class Progress,
          runner_environment Env>
  requires runnable_pipeline<Pipeline> && progress_reporter<Progress>
result<run_summary> run(Pipeline& p, Ckpt& ckpt, Dlq& dlq, Progress& progress,
                        const runner_options& opt, const stop_flag& stop, Env& env) {
  return runner<Pipeline, Ckpt, Dlq, Progress, Env>(p, ckpt, dlq, progress, opt, stop, env).run();
}

}  // namespace sluice::inline v0
