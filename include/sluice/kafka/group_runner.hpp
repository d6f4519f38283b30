// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `kafka::group_runner`: runs one pipeline per owned partition of a consumer group, batch by
/// batch, round robin. Partitions come and go with rebalances: a newly assigned partition gets a
/// unit (pipeline, checkpoint store, dead letters) from a user factory, which builds them on the
/// partition's own state in the location all members share; a revoked or lost partition's unit
/// is dropped between two batches (its plan, if any, stays pending in the shared store and the
/// next owner replays it exactly). Generic: nothing here knows what the pipelines do.

#include "sluice/core/concepts.hpp"
#include "sluice/core/environment.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/core/stop.hpp"
#include "sluice/kafka/group_member.hpp"
#include "sluice/kafka/partition_reader.hpp"
#include "sluice/kafka/partition_source.hpp"
#include "sluice/kafka/topic_partition.hpp"

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::inline v0::kafka {

/// What a `group_runner`'s factory builds for one partition: its pipeline (whose source is the
/// `partition_source` the factory was given), its checkpoint store and its dead-letter sink,
/// all on that partition's own state (e.g. under `<checkpoint>/<partition_path(tp)>/`, with
/// `partition_stream_name(tp)` as the completed-batches log stream).
template <class Pipeline, class Ckpt, class Dlq>
struct partition_unit {
  Pipeline pipeline;
  Ckpt checkpoint;
  Dlq dead_letters;
};

/// How a `group_runner` schedules.
struct group_runner_options {
  /// Per partition: batch size, retries; `trigger_interval` is the least time between two batch
  /// starts of one partition, `once` makes the run available-now (see `group_runner::run`).
  runner_options run;
  /// How long an idle partition waits before it is planned again when `trigger_interval` is 0.
  std::chrono::milliseconds idle_poll{100};
  /// With `run.once`: the longest wait for the group to assign partitions before `run` fails.
  std::chrono::milliseconds settle_timeout{60'000};
};

/// What a `group_runner` did.
struct group_summary {
  run_summary totals;              ///< over all partitions and units, dropped ones included
  std::int64_t assigned = 0;       ///< partitions taken on (units created)
  std::int64_t revoked = 0;        ///< units dropped because their partition was revoked or lost
  std::int64_t lost = 0;           ///< of those, partitions lost rather than handed over
};

/// What one `group_runner::step` did.
enum class group_step {
  committed,  ///< a partition committed a batch
  idle,       ///< a partition had nothing to plan
  waiting,    ///< no partition was due (none owned, or all waiting for their next trigger)
  stopped,    ///< a stop was requested
};

namespace detail {
template <class T>
struct unit_traits {
  static constexpr bool valid = false;
};
template <class P, class C, class D>
struct unit_traits<partition_unit<P, C, D>> {
  static constexpr bool valid = true;
  using pipeline = P;
  using checkpoint = C;
  using dead_letters = D;
};
}  // namespace detail

/// Drives the partitions a `group_member` owns (see the file comment).
///
/// `Factory` is called as `factory(const topic_partition&, partition_source)` and returns
/// `result<partition_unit<Pipeline, Ckpt, Dlq>>`; `Pipeline`'s source must be
/// `partition_source` (the factory moves the given one into it). Each partition runs under its
/// own `sluice::runner` (recovery, write-ahead plans, retries, progress with the partition's
/// lag); `Progress` receives the records of all partitions.
///
/// Each `step`: serve the group (`member.poll(0)`: rebalances happen only here, between two
/// batches), drop the units of revoked partitions, create units for assigned ones, then run one
/// batch of the next due partition in (topic, partition) order after the one that ran last.
///
/// Errors: a unit's fatal error (or a retriable one that outlived the retries), a factory error,
/// the member's errors; the run stops at the first one, every checkpoint consistent.
/// Thread-safety: none; the member, reader, progress and environment must outlive the runner,
/// which is neither copyable nor movable (its per-partition runners refer to it).
template <class Factory, class Progress, class Env = system_environment>
class group_runner {
  using factory_result = std::invoke_result_t<Factory&, const topic_partition&, partition_source>;
  using unit_type = typename factory_result::value_type;
  using traits = detail::unit_traits<unit_type>;
  static_assert(traits::valid, "the factory must return result<kafka::partition_unit<Pipeline, Ckpt, Dlq>>");
  using pipeline_type = typename traits::pipeline;
  using ckpt_type = typename traits::checkpoint;
  using dlq_type = typename traits::dead_letters;
  static_assert(std::same_as<typename pipeline_type::source_type, partition_source>,
                "the pipeline's source must be the kafka::partition_source given to the factory");
  static_assert(checkpoint_store<ckpt_type>);
  static_assert(dead_letter_sink<dlq_type>);
  static_assert(progress_reporter<Progress>);
  static_assert(runner_environment<Env>);
  using runner_type = runner<pipeline_type, ckpt_type, dlq_type, Progress, Env>;
  using clock = std::chrono::steady_clock;

 public:
  /// Keeps references to `member`, `progress`, `stop` and `env`; shares `reader` with the
  /// partition sources it creates.
  group_runner(group_member& member, std::shared_ptr<partition_reader> reader, Factory factory,
               Progress& progress, const group_runner_options& opt, const stop_flag& stop, Env& env)
      : member_(member), reader_(std::move(reader)), factory_(std::move(factory)), progress_(progress),
        opt_(opt), stop_(stop), env_(env) {}

  group_runner(const group_runner&) = delete;
  group_runner& operator=(const group_runner&) = delete;

  /// One step (see the class).
  /// Errors: see the class.
  result<group_step> step() {
    if (stop_.stop_requested()) return group_step::stopped;
    SLUICE_TRY(change, member_.poll(std::chrono::milliseconds(0)));
    SLUICE_TRYV(apply(change));
    if (stop_.stop_requested()) return group_step::stopped;
    const auto now = clock::now();
    unit* u = next_due(now);
    if (u == nullptr) return group_step::waiting;
    u->last_start = now;
    SLUICE_TRY(outcome, u->run->run_batch());
    cursor_ = u->tp;
    switch (outcome) {
      case batch_outcome::committed:
        u->idle = false;
        u->due = now + opt_.run.trigger_interval;
        return group_step::committed;
      case batch_outcome::idle:
        u->idle = true;
        u->due = now + std::max(opt_.run.trigger_interval, opt_.idle_poll);
        return group_step::idle;
      case batch_outcome::stopped: return group_step::stopped;
    }
    return group_step::waiting;
  }

  /// Steps until a stop request, an error, or with `run.once` until the group has assigned
  /// partitions (or none) and every partition owned is idle, i.e. caught up with the end its
  /// log had when its unit was created. While nothing is due it waits in `member.poll`, so
  /// rebalances are served.
  /// Errors: see the class; with `once`, `errc::timeout` if no assignment came within
  /// `settle_timeout`. A stop request is not an error.
  result<group_summary> run() {
    const auto started = clock::now();
    for (;;) {
      if (stop_.stop_requested()) return summary();
      SLUICE_TRY(s, step());
      if (s == group_step::stopped) return summary();
      if (opt_.run.once && is_done()) return summary();
      if (opt_.run.once && !member_.is_settled() && clock::now() - started > opt_.settle_timeout) {
        member_.log(3, "no partition assignment within the settle timeout");
        return errc::timeout;
      }
      if (s == group_step::waiting) {
        auto wait = std::chrono::milliseconds(100);
        if (const auto due = earliest_due()) {
          const auto left = std::chrono::ceil<std::chrono::milliseconds>(*due - clock::now());
          wait = std::clamp(left, std::chrono::milliseconds(0), wait);
        }
        SLUICE_TRY(change, member_.poll(wait));
        SLUICE_TRYV(apply(change));
      }
    }
  }

  /// With `run.once`: true when the membership is settled and every owned partition is idle.
  [[nodiscard]] bool is_done() const noexcept {
    if (!member_.is_settled()) return false;
    return std::all_of(units_.begin(), units_.end(), [](const auto& kv) { return kv.second->idle; });
  }

  /// The totals so far (see `group_summary`).
  [[nodiscard]] group_summary summary() const {
    group_summary s = done_;
    for (const auto& [tp, u] : units_) add(s.totals, u->run->summary());
    return s;
  }

  /// The partitions that have a unit now, in order.
  [[nodiscard]] std::vector<topic_partition> active() const {
    std::vector<topic_partition> out;
    for (const auto& [tp, u] : units_) out.push_back(tp);
    return out;
  }

 private:
  struct unit {
    topic_partition tp;
    unit_type parts;
    std::optional<runner_type> run;
    bool idle = false;
    clock::time_point due{};
    clock::time_point last_start{};
  };

  static void add(run_summary& into, const run_summary& s) {
    into.batches += s.batches;
    into.records += s.records;
    into.rejects += s.rejects;
    into.replayed += s.replayed;
  }

  // Brings the units in line with what the member owns now: the member may already own
  // partitions when the runner starts (another runner used it before), so ownership, not the
  // change events, decides.
  result<void> apply(const membership_change& change) {
    for (auto it = units_.begin(); it != units_.end();) {
      if (member_.owns(it->first)) {
        ++it;
        continue;
      }
      add(done_.totals, it->second->run->summary());
      ++done_.revoked;
      if (change.lost) ++done_.lost;
      it = units_.erase(it);
    }
    for (const auto& tp : member_.owned()) {
      if (units_.contains(tp)) continue;
      SLUICE_TRYV(create(tp));
    }
    return success();
  }

  result<void> create(const topic_partition& tp) {
    partition_source src(reader_, tp, member_.settings().starting, &member_);
    if (opt_.run.once) {
      // Available-now: the partition is done once it reaches the end its log has now.
      SLUICE_TRY(wm, retrying([&] { return reader_->query_watermarks(tp); }));
      src.set_end_limit(wm.high);
    }
    SLUICE_TRY(parts, factory_(tp, std::move(src)));
    auto u = std::make_unique<unit>(unit{tp, std::move(parts), std::nullopt, false, clock::now(), {}});
    u->run.emplace(u->parts.pipeline, u->parts.checkpoint, u->parts.dead_letters, progress_, opt_.run, stop_,
                   env_);
    units_.emplace(tp, std::move(u));
    ++done_.assigned;
    return success();
  }

  // The first due unit after the cursor, wrapping around; in once mode idle units are done.
  unit* next_due(clock::time_point now) {
    if (units_.empty()) return nullptr;
    auto start = cursor_ ? units_.upper_bound(*cursor_) : units_.begin();
    for (std::size_t i = 0; i < units_.size(); ++i, ++start) {
      if (start == units_.end()) start = units_.begin();
      unit& u = *start->second;
      if (opt_.run.once && u.idle) continue;
      if (u.due <= now) return &u;
    }
    return nullptr;
  }

  std::optional<clock::time_point> earliest_due() const {
    std::optional<clock::time_point> t;
    for (const auto& [tp, u] : units_) {
      if (opt_.run.once && u->idle) continue;
      if (!t || u->due < *t) t = u->due;
    }
    return t;
  }

  template <class F>
  auto retrying(F&& f) -> std::invoke_result_t<F&> {
    const int max = std::max(1, opt_.run.retry.max_attempts);
    for (int attempt = 1;; ++attempt) {
      auto r = f();
      if (r.has_value() || attempt >= max || !(r.error() == condition::retriable)) return r;
      if (!env_.sleep_for(backoff_delay(opt_.run.retry, attempt, env_.random_u64()), stop_))
        return std::error_code(errc::cancelled);
    }
  }

  group_member& member_;
  std::shared_ptr<partition_reader> reader_;
  Factory factory_;
  Progress& progress_;
  group_runner_options opt_;
  const stop_flag& stop_;
  Env& env_;
  std::map<topic_partition, std::unique_ptr<unit>> units_;
  std::optional<topic_partition> cursor_;
  group_summary done_;
};

}  // namespace sluice::inline v0::kafka
