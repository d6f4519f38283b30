// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `event_time_watermark`: the watermark of a stateful stage, as Spark Structured Streaming
/// defines it: the largest event time seen minus a delay, advanced at the end of each
/// micro-batch.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

namespace sluice::inline v0::stream {

/// The watermark of one stateful stage.
///
/// During a batch the watermark stays where the previous batch left it (`current()`), while
/// `observe` records the event times the batch brings; `advance()` at the end of the batch moves
/// it to `max(event time seen) − delay`. It never goes back. Before any event there is no
/// watermark (`current()` is the smallest `int64_t`): nothing is late and nothing closes.
/// An event is *late* when its time is before the watermark (`t < current()`).
///
/// Thread-safety: none. Complexity: O(1).
class event_time_watermark {
 public:
  /// The smallest `int64_t`: no watermark yet.
  static constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();

  explicit constexpr event_time_watermark(std::int64_t delay_ms = 0) noexcept : delay_ms_(delay_ms) {}

  /// Records an event time of the current batch.
  constexpr void observe(std::int64_t t) noexcept {
    max_seen_ = max_seen_ ? std::max(*max_seen_, t) : t;
  }
  /// True if an event at `t` is older than the watermark.
  [[nodiscard]] constexpr bool is_late(std::int64_t t) const noexcept { return t < current_; }
  /// Ends the batch: the watermark becomes `max_seen − delay` (if that is later).
  constexpr void advance() noexcept {
    if (max_seen_ && *max_seen_ >= none + std::max<std::int64_t>(delay_ms_, 0)) {
      const std::int64_t w = *max_seen_ - delay_ms_;
      if (w > current_) current_ = w;
    }
  }
  /// The watermark in force (ms since the epoch), `none` before the first event.
  [[nodiscard]] constexpr std::int64_t current() const noexcept { return current_; }
  /// The largest event time seen, if any.
  [[nodiscard]] constexpr std::optional<std::int64_t> max_seen() const noexcept { return max_seen_; }
  /// The delay behind the largest event time.
  [[nodiscard]] constexpr std::int64_t delay_ms() const noexcept { return delay_ms_; }

  /// Restores the state saved at the end of a batch: the watermark is `max_seen − delay`.
  constexpr void restore(std::optional<std::int64_t> max_seen) noexcept {
    max_seen_ = max_seen;
    current_ = none;
    advance();
  }

 private:
  std::int64_t delay_ms_ = 0;
  std::optional<std::int64_t> max_seen_;
  std::int64_t current_ = none;
};

}  // namespace sluice::inline v0::stream
