// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The per-device window aggregates of the event ETL: `device_aggregator` (a
/// `window_aggregator` over `device_event`s grouped by device_id and device_type), its output
/// row `device_window_row`, and the row's JSON line.

#include "sluice/core/error.hpp"
#include "sluice/core/json.hpp"
#include "sluice/core/json_writer.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/event_etl/device_event.hpp"
#include "sluice/stream/state_blob.hpp"
#include "sluice/stream/tumbling_window.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0::event_etl {

/// One emitted window of one device.
///
/// Averages and minima/maxima are over the events of the window where the value is present
/// (absent when no event had it; after `range_filter` every event has them). `city`, `country`
/// and `firmware_version` come from the window's last event: the one with the latest event time,
/// the later one in arrival order on a tie.
struct device_window_row {
  std::int64_t window_start_ms = 0;
  std::int64_t window_end_ms = 0;
  std::string device_id;
  std::string device_type;
  std::int64_t event_count = 0;
  std::optional<double> avg_duration;
  std::optional<double> max_duration;
  std::optional<double> min_duration;
  std::optional<double> avg_battery_level;
  std::optional<double> min_battery_level;
  std::optional<double> avg_signal_strength;
  std::optional<double> min_signal_strength;
  std::optional<std::string> city;
  std::optional<std::string> country;
  std::optional<std::string> firmware_version;
  std::int64_t last_event_time_ms = 0;
  friend bool operator==(const device_window_row&, const device_window_row&) = default;
};

/// Running aggregate of one device in one window.
struct device_window_state {
  struct moments {
    std::int64_t n = 0;   ///< values seen
    double sum = 0;
    double min = 0;
    double max = 0;
    void add(const std::optional<double>& v) noexcept {
      if (!v) return;
      if (n == 0) {
        min = max = *v;
      } else {
        min = std::min(min, *v);
        max = std::max(max, *v);
      }
      sum += *v;
      ++n;
    }
    [[nodiscard]] std::optional<double> avg() const noexcept {
      return n == 0 ? std::nullopt : std::optional<double>(sum / static_cast<double>(n));
    }
    [[nodiscard]] std::optional<double> minimum() const noexcept {
      return n == 0 ? std::nullopt : std::optional<double>(min);
    }
    [[nodiscard]] std::optional<double> maximum() const noexcept {
      return n == 0 ? std::nullopt : std::optional<double>(max);
    }
  };
  std::int64_t count = 0;
  moments duration, battery, signal;
  std::int64_t last_time = 0;
  std::optional<std::string> city, country, firmware;
};

/// Groups `device_event`s by (device_id, device_type) and aggregates: event count, avg/min/max
/// event_duration, avg/min battery_level, avg/min signal_strength, last city, country and
/// firmware_version, last event time (see `device_window_row`).
///
/// Group key bytes: device_id with each NUL byte written as `\0\1`, then `\0\0`, then
/// device_type; so rows of a window are ordered by device_id, then device_type.
/// Thread-safety: stateless.
struct device_aggregator {
  using input_type = device_event;
  using output_type = device_window_row;
  using state_type = device_window_state;

  /// Hints the processor to fetch the bytes `group_key` will read (optional for an aggregator).
  void prefetch(const device_event& e) const noexcept {
    __builtin_prefetch(e.device_id.data());
    __builtin_prefetch(e.device_type.data());
  }

  void group_key(std::string& out, const device_event& e) const {
    const std::string_view id = e.device_id;
    bool has_nul = false;   // a loop, not memchr: ids are short and a call costs more
    for (const char c : id) has_nul |= c == '\0';
    if (!has_nul) {
      out.append(id);
    } else {
      for (const char c : id) {
        if (c == '\0') {
          out.push_back('\0');
          out.push_back('\1');
        } else {
          out.push_back(c);
        }
      }
    }
    out.push_back('\0');
    out.push_back('\0');
    out.append(e.device_type);
  }

  void add(device_window_state& s, const device_event& e) const {
    ++s.count;
    s.duration.add(e.event_duration);
    s.battery.add(e.battery_level);
    s.signal.add(e.signal_strength);
    if (s.count == 1 || e.event_time_ms >= s.last_time) {
      s.last_time = e.event_time_ms;
      assign(s.city, e.city);
      assign(s.country, e.country);
      assign(s.firmware, e.firmware_version);
    }
  }

  device_window_row finish(std::int64_t start, std::int64_t end, std::string_view key,
                           const device_window_state& s) const {
    device_window_row r;
    r.window_start_ms = start;
    r.window_end_ms = end;
    std::size_t i = 0;
    for (; i < key.size(); ++i) {
      if (key[i] != '\0') {
        r.device_id.push_back(key[i]);
      } else if (i + 1 < key.size() && key[i + 1] == '\1') {
        r.device_id.push_back('\0');
        ++i;
      } else {
        break;  // the "\0\0" separator
      }
    }
    if (i + 2 <= key.size()) r.device_type.assign(key.substr(i + 2));
    r.event_count = s.count;
    r.avg_duration = s.duration.avg();
    r.max_duration = s.duration.maximum();
    r.min_duration = s.duration.minimum();
    r.avg_battery_level = s.battery.avg();
    r.min_battery_level = s.battery.minimum();
    r.avg_signal_strength = s.signal.avg();
    r.min_signal_strength = s.signal.minimum();
    r.city = s.city;
    r.country = s.country;
    r.firmware_version = s.firmware;
    r.last_event_time_ms = s.last_time;
    return r;
  }

  void save(const device_window_state& s, stream::blob_writer& w) const {
    w.integer(s.count);
    for (const auto* m : {&s.duration, &s.battery, &s.signal}) {
      w.integer(m->n);
      w.real(m->sum);
      w.real(m->min);
      w.real(m->max);
    }
    w.integer(s.last_time);
    w.optional_bytes(s.city);
    w.optional_bytes(s.country);
    w.optional_bytes(s.firmware);
  }

  result<void> load(device_window_state& s, stream::blob_reader& r) const {
    SLUICE_TRY(count, r.integer());
    if (count < 1) return errc::corrupt_state;
    s.count = count;
    for (auto* m : {&s.duration, &s.battery, &s.signal}) {
      SLUICE_TRY(n, r.integer());
      SLUICE_TRY(sum, r.real());
      SLUICE_TRY(mn, r.real());
      SLUICE_TRY(mx, r.real());
      if (n < 0 || n > count || !sum || !mn || !mx) return errc::corrupt_state;
      m->n = n;
      m->sum = *sum;
      m->min = *mn;
      m->max = *mx;
    }
    SLUICE_TRY(last, r.integer());
    s.last_time = last;
    SLUICE_TRY(city, r.optional_bytes());
    SLUICE_TRY(country, r.optional_bytes());
    SLUICE_TRY(firmware, r.optional_bytes());
    s.city = std::move(city);
    s.country = std::move(country);
    s.firmware = std::move(firmware);
    return success();
  }

 private:
  // Reuses the string's capacity, so steady-state windows do not allocate per event.
  static void assign(std::optional<std::string>& to, const std::optional<std::string_view>& from) {
    if (!from) {
      to.reset();
    } else if (to) {
      // Mostly the same value as before (a device's place and firmware rarely change).
      if (std::string_view(*to) != *from) to->assign(*from);
    } else {
      to.emplace(*from);
    }
  }
};

static_assert(stream::window_aggregator<device_aggregator>);

/// The window stage of the event ETL.
using device_windows = stream::tumbling_window<device_aggregator>;

/// Appends `r` as one JSON object (no newline), members in this order: `window_start`,
/// `window_end` (ISO-8601 UTC with milliseconds), `device_id`, `device_type`, `event_count`,
/// `avg_duration`, `max_duration`, `min_duration`, `avg_battery_level`,
/// `min_battery_level`, `avg_signal_strength`, `min_signal_strength`, `city`, `country`,
/// `firmware_version`, `last_event_time`. Numbers in their shortest round-trip form; absent
/// values are `null`. Strings are valid UTF-8 (they come from simdjson, which validates).
inline void append_row_json(std::string& out, const device_window_row& r) {
  json::writer w(out);
  w.begin_object()
      .key("window_start").timestamp(r.window_start_ms)
      .key("window_end").timestamp(r.window_end_ms)
      .key("device_id").string(r.device_id)
      .key("device_type").string(r.device_type)
      .key("event_count").integer(r.event_count)
      .key("avg_duration").number_or_null(r.avg_duration)
      .key("max_duration").number_or_null(r.max_duration)
      .key("min_duration").number_or_null(r.min_duration)
      .key("avg_battery_level").number_or_null(r.avg_battery_level)
      .key("min_battery_level").number_or_null(r.min_battery_level)
      .key("avg_signal_strength").number_or_null(r.avg_signal_strength)
      .key("min_signal_strength").number_or_null(r.min_signal_strength)
      .key("city").string_or_null(r.city)
      .key("country").string_or_null(r.country)
      .key("firmware_version").string_or_null(r.firmware_version)
      .key("last_event_time").timestamp(r.last_event_time_ms)
      .end_object();
}

}  // namespace sluice::inline v0::event_etl
