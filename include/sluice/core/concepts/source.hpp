// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `source` concept: where batches come from.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"

#include <concepts>
#include <cstdint>
#include <vector>

namespace sluice::inline v0 {

namespace detail {
template <class S>
struct record_type_of {
  using type = source_record;
};
template <class S>
  requires requires { typename S::record_type; }
struct record_type_of<S> {
  using type = typename S::record_type;
};
}  // namespace detail

/// The records source `S` yields: `S::record_type` if it names one (`record_view` for a
/// zero-copy source), else `source_record`.
template <class S>
using source_record_t = typename detail::record_type_of<S>::type;

/// A source of records that plans micro-batches as offset ranges and reads a plan exactly.
///
/// Syntax: `s.plan(position, max)`, `s.read(ranges, out)`, `s.commit(ranges)`; `out` is a
/// `std::vector<source_record_t<S>>`: owning `source_record`s, or `record_view`s of bytes the
/// source keeps until its next `read` when `S` declares `using record_type = record_view;`.
///
/// Semantics (checked by test/laws):
/// - `plan(position, max)` returns the ranges of the next batch, starting at `position` for
///   every (topic, partition) it names (partitions it does not name start where the source
///   decides: earliest or latest), covering at most `max` offsets in total. An empty vector means
///   nothing is available now, not end of stream. It has no side effect on what `read` returns.
/// - `read(ranges, out)` appends to `out` exactly the records whose offsets lie in `ranges`, in
///   offset order per partition; called again with the same ranges (a replay after a crash, in
///   the same or a new process) it appends the same records. It never skips a record silently.
/// - `commit(ranges)` is called only after the batch was written and logged complete; a source
///   may then release resources or commit offsets to its broker. Committing is idempotent.
/// - Errors: retriable ones (`ec == condition::retriable`) make the runner retry with backoff.
/// Blocking: `plan` and `read` may block up to the source's configured timeout.
template <class S>
concept source = detail::declares<S, source_tag> && std::movable<S> &&
                 (std::same_as<source_record_t<S>, source_record> ||
                  std::same_as<source_record_t<S>, record_view>) &&
                 requires(S& s, const source_position& pos, std::int64_t max,
                          const std::vector<offset_range>& ranges, std::vector<source_record_t<S>>& out) {
                   { s.plan(pos, max) } -> std::same_as<result<std::vector<offset_range>>>;
                   { s.read(ranges, out) } -> std::same_as<result<void>>;
                   { s.commit(ranges) } -> std::same_as<result<void>>;
                 };

}  // namespace sluice::inline v0
