// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `range_filter`: drops device events with a null numeric field or a value out of its range.
/// Dropped on purpose (not dead letters, as a Spark `filter` drops rows), counted per reason.

#include "sluice/core/concepts/transform.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/event_etl/device_event.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::event_etl {

/// A closed interval `[lo, hi]`.
struct value_range {
  double lo = 0;
  double hi = 0;
  [[nodiscard]] constexpr bool contains(double v) const noexcept { return v >= lo && v <= hi; }
  friend bool operator==(const value_range&, const value_range&) = default;
};

/// The ranges `range_filter` checks; each bound is inclusive.
struct range_filter_options {
  value_range event_duration{0, 1e300};      ///< seconds, non-negative
  value_range battery_level{0, 100};         ///< percent
  value_range signal_strength{-150, 0};      ///< dBm
  value_range latitude{-90, 90};             ///< degrees
  value_range longitude{-180, 180};          ///< degrees
  friend bool operator==(const range_filter_options&, const range_filter_options&) = default;
};

/// Why `range_filter` dropped an event; the first failing check in this order decides.
enum class filter_reason : std::size_t {
  null_event_duration,
  null_battery_level,
  null_signal_strength,
  null_latitude,
  null_longitude,
  event_duration_out_of_range,
  battery_level_out_of_range,
  signal_strength_out_of_range,
  latitude_out_of_range,
  longitude_out_of_range,
};

/// Number of `filter_reason`s.
inline constexpr std::size_t filter_reason_count = 10;

/// The name of a reason, e.g. `battery_level out of range` (as in progress lines and docs).
[[nodiscard]] constexpr std::string_view to_string(filter_reason r) noexcept {
  constexpr std::string_view names[filter_reason_count] = {
      "null event_duration",          "null battery_level",
      "null signal_strength",         "null location.latitude",
      "null location.longitude",      "event_duration out of range",
      "battery_level out of range",   "signal_strength out of range",
      "location.latitude out of range", "location.longitude out of range"};
  return names[static_cast<std::size_t>(r)];
}

/// Keeps the events whose `event_duration`, `battery_level`, `signal_strength`, `latitude` and
/// `longitude` are present and within `range_filter_options`; drops the others, counting each
/// under its first failing reason (`filter_reason`). NaN cannot come from JSON; it would fail
/// every range.
///
/// Stateless: a deterministic function of the batch. Counters cover every batch applied in this
/// process (retries included).
/// Errors: none. Thread-safety: none. Complexity: linear.
class range_filter {
 public:
  using stage_concept = transform_tag;
  using output_type = device_event;

  range_filter() = default;
  explicit range_filter(range_filter_options opt) noexcept : opt_(opt) {}

  /// The reason `e` would be dropped for, or nothing if it is kept.
  [[nodiscard]] std::optional<filter_reason> check(const device_event& e) const noexcept {
    if (!e.event_duration) return filter_reason::null_event_duration;
    if (!e.battery_level) return filter_reason::null_battery_level;
    if (!e.signal_strength) return filter_reason::null_signal_strength;
    if (!e.latitude) return filter_reason::null_latitude;
    if (!e.longitude) return filter_reason::null_longitude;
    if (!opt_.event_duration.contains(*e.event_duration)) return filter_reason::event_duration_out_of_range;
    if (!opt_.battery_level.contains(*e.battery_level)) return filter_reason::battery_level_out_of_range;
    if (!opt_.signal_strength.contains(*e.signal_strength))
      return filter_reason::signal_strength_out_of_range;
    if (!opt_.latitude.contains(*e.latitude)) return filter_reason::latitude_out_of_range;
    if (!opt_.longitude.contains(*e.longitude)) return filter_reason::longitude_out_of_range;
    return std::nullopt;
  }

  /// Moves the kept events of `in` to `out`, in order.
  result<void> apply(std::vector<device_event>& in, std::vector<device_event>& out, reject_list&) {
    // In place, then swapped into `out` when it is empty (as the pipeline passes it): the
    // events that pass are not copied to another buffer.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (const auto why = check(in[i])) {
        ++dropped_[static_cast<std::size_t>(*why)];
      } else {
        if (kept != i) in[kept] = in[i];
        ++kept;
      }
    }
    in.erase(in.begin() + static_cast<std::ptrdiff_t>(kept), in.end());
    if (out.empty()) {
      out.swap(in);
    } else {
      out.insert(out.end(), in.begin(), in.end());
    }
    return success();
  }

  /// Events dropped so far, per `filter_reason`.
  [[nodiscard]] const std::array<std::int64_t, filter_reason_count>& dropped() const noexcept {
    return dropped_;
  }
  /// Events dropped so far, all reasons.
  [[nodiscard]] std::int64_t dropped_total() const noexcept {
    std::int64_t n = 0;
    for (const auto d : dropped_) n += d;
    return n;
  }
  /// The ranges it checks.
  [[nodiscard]] const range_filter_options& options() const noexcept { return opt_; }

 private:
  range_filter_options opt_{};
  std::array<std::int64_t, filter_reason_count> dropped_{};
};

static_assert(transform_for<range_filter, device_event>);

}  // namespace sluice::inline v0::event_etl
