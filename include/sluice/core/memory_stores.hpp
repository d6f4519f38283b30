// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// In-memory models of the storage concepts, for tests, benchmarks and examples:
/// `memory_checkpoint_store`, `memory_dead_letter_sink` and `memory_batch_log` (an idempotency
/// policy that remembers completed batches). "Durable" here means: for the object's lifetime;
/// a restart is simulated by giving a new runner the same object (or a copy of it).

#include "sluice/core/concepts/checkpoint_store.hpp"
#include "sluice/core/concepts/dead_letter_sink.hpp"
#include "sluice/core/concepts/idempotency_policy.hpp"
#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

namespace sluice::inline v0 {

/// A checkpoint store in memory that also keeps every commit, in order, for inspection.
///
/// Errors: none. Thread-safety: none.
class memory_checkpoint_store {
 public:
  using stage_concept = checkpoint_store_tag;

  /// Makes `plan` the pending plan.
  result<void> write_plan(const batch_plan& plan) {
    plan_ = plan;
    ++plan_writes_;
    return success();
  }
  /// The plan written last, unless it was committed since.
  [[nodiscard]] result<std::optional<batch_plan>> pending() const { return plan_; }
  /// Records `rec` as the last commit and clears the pending plan.
  result<void> commit(const commit_record& rec) {
    last_ = rec;
    plan_.reset();
    history_.push_back(rec);
    return success();
  }
  /// The last commit, if any.
  [[nodiscard]] result<std::optional<commit_record>> last_commit() const { return last_; }

  /// Every commit so far, oldest first.
  [[nodiscard]] const std::vector<commit_record>& history() const noexcept { return history_; }
  /// Number of `write_plan` calls.
  [[nodiscard]] std::int64_t plan_writes() const noexcept { return plan_writes_; }

 private:
  std::optional<batch_plan> plan_;
  std::optional<commit_record> last_;
  std::vector<commit_record> history_;
  std::int64_t plan_writes_ = 0;
};

/// Keeps dead letters per batch id in memory; a second write for a batch id stores nothing.
///
/// Errors: none. Thread-safety: none.
class memory_dead_letter_sink {
 public:
  using stage_concept = dead_letter_sink_tag;

  /// Stores `letters` for `batch_id` unless that batch already has letters.
  result<void> write(std::int64_t batch_id, std::span<const dead_letter> letters) {
    ++write_calls_;
    if (letters.empty() || batches_.contains(batch_id)) return success();
    batches_.emplace(batch_id, std::vector<dead_letter>(letters.begin(), letters.end()));
    return success();
  }

  /// All stored letters, by batch id, then in the order written.
  [[nodiscard]] std::vector<dead_letter> letters() const {
    std::vector<dead_letter> out;
    for (const auto& [id, ls] : batches_) out.insert(out.end(), ls.begin(), ls.end());
    return out;
  }
  /// Stored letters per batch id.
  [[nodiscard]] const std::map<std::int64_t, std::vector<dead_letter>>& by_batch() const noexcept {
    return batches_;
  }
  /// Number of `write` calls (including ones that stored nothing).
  [[nodiscard]] std::int64_t write_calls() const noexcept { return write_calls_; }

 private:
  std::map<std::int64_t, std::vector<dead_letter>> batches_;
  std::int64_t write_calls_ = 0;
};

/// An idempotency policy remembering completed batches (by their whole plan) in memory: the
/// in-memory analogue of `completed_batches_log`.
///
/// Errors: none. Thread-safety: none. Complexity: `is_done` and `mark_done` O(batches).
class memory_batch_log {
 public:
  using stage_concept = idempotency_tag;

  /// True if `plan` was marked done.
  [[nodiscard]] result<bool> is_done(const batch_plan& plan) const {
    return std::find(done_.begin(), done_.end(), plan) != done_.end();
  }
  /// Records `plan` as done (once).
  result<void> mark_done(const batch_plan& plan) {
    ++mark_calls_;
    if (std::find(done_.begin(), done_.end(), plan) == done_.end()) done_.push_back(plan);
    return success();
  }

  /// The completed batches, in the order first marked.
  [[nodiscard]] const std::vector<batch_plan>& done() const noexcept { return done_; }
  /// Number of `mark_done` calls.
  [[nodiscard]] std::int64_t mark_calls() const noexcept { return mark_calls_; }

 private:
  std::vector<batch_plan> done_;
  std::int64_t mark_calls_ = 0;
};

static_assert(checkpoint_store<memory_checkpoint_store>);
static_assert(dead_letter_sink<memory_dead_letter_sink>);
static_assert(idempotency_policy<memory_batch_log>);

}  // namespace sluice::inline v0
