// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `checkpoint_store` concept: the write-ahead plan log and the commit log.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"

#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0 {

/// What a commit leaves behind: the batch, where the source stands after it, and the state of
/// the stateful transforms as of its end.
struct commit_record {
  batch_plan plan;             ///< the committed batch
  source_position position;    ///< next offset per (topic, partition), after this batch
  std::string state;           ///< opaque state of stateful transforms ("" when none)
  friend bool operator==(const commit_record&, const commit_record&) = default;
};

/// Durable storage of the write-ahead plan and the commits.
///
/// Syntax: `s.write_plan(plan)`, `s.pending()`, `s.commit(record)`, `s.last_commit()`.
///
/// Semantics (checked by test/laws):
/// - `write_plan(plan)` is durable when it returns (write-ahead: before the batch's first write).
/// - `pending()` returns the plan written last if it has no commit yet, else empty.
/// - `commit(record)` is durable and atomic when it returns: afterwards `last_commit()` returns
///   `record` and `pending()` is empty. A crash during `commit` leaves either the old or the new
///   state, never a torn one.
/// - Both survive process restarts; a store that finds unreadable state reports
///   `errc::corrupt_state` instead of guessing.
/// Blocking: yes (file system or network I/O).
template <class S>
concept checkpoint_store = detail::declares<S, checkpoint_store_tag> &&
                           requires(S& s, const batch_plan& plan, const commit_record& rec) {
                             { s.write_plan(plan) } -> std::same_as<result<void>>;
                             { s.pending() } -> std::same_as<result<std::optional<batch_plan>>>;
                             { s.commit(rec) } -> std::same_as<result<void>>;
                             { s.last_commit() } -> std::same_as<result<std::optional<commit_record>>>;
                           };

}  // namespace sluice::inline v0
