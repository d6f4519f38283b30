// SPDX-License-Identifier: Apache-2.0
#pragma once

// Straightforward reference models of the stateful stages (std::map, no hashing, no lazy
// expiry), written from the documented semantics, as oracles for the real stages.

#include "helpers.hpp"

#include "sluice/event_etl/device_aggregate.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace stream_test {

/// The watermark of one stage: max − delay after each batch.
struct ref_watermark {
  std::int64_t delay;
  std::optional<std::int64_t> max;
  std::int64_t current = std::numeric_limits<std::int64_t>::min();
  void end_batch() {
    if (max) current = std::max(current, *max - delay);
  }
};

/// Dedup by (event_id, device_id) under a watermark.
struct ref_dedup {
  ref_watermark wm;
  std::map<std::pair<std::string, std::string>, std::int64_t> keys;
  std::int64_t late = 0, duplicates = 0;

  explicit ref_dedup(std::int64_t delay) : wm{delay, std::nullopt} {}

  std::vector<device_event> batch(const std::vector<device_event>& in) {
    std::vector<device_event> out;
    for (const auto& e : in) {
      wm.max = wm.max ? std::max(*wm.max, e.event_time_ms) : e.event_time_ms;
      if (e.event_time_ms < wm.current) {
        ++late;
        continue;
      }
      const auto k = std::make_pair(std::string(e.event_id), std::string(e.device_id));
      if (keys.count(k)) {
        ++duplicates;
        continue;
      }
      keys[k] = e.event_time_ms;
      out.push_back(e);
    }
    wm.end_batch();
    std::erase_if(keys, [&](const auto& kv) { return kv.second < wm.current; });
    return out;
  }
};

/// Per-device tumbling windows, emitted when the watermark passes their end.
struct ref_windows {
  struct acc {
    std::vector<device_event> events;   // in arrival order
  };
  std::int64_t size;
  ref_watermark wm;
  std::map<std::tuple<std::int64_t, std::string, std::string>, acc> open;
  std::int64_t late = 0;

  ref_windows(std::int64_t window, std::int64_t delay) : size(window), wm{delay, std::nullopt} {}

  static std::optional<double> avg(const std::vector<double>& v) {
    if (v.empty()) return std::nullopt;
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  }
  static std::optional<double> mn(const std::vector<double>& v) {
    if (v.empty()) return std::nullopt;
    return *std::min_element(v.begin(), v.end());
  }
  static std::optional<double> mx(const std::vector<double>& v) {
    if (v.empty()) return std::nullopt;
    return *std::max_element(v.begin(), v.end());
  }

  device_window_row finish(std::int64_t start, const std::string& dev, const std::string& type,
                           const acc& a) const {
    device_window_row r;
    r.window_start_ms = start;
    r.window_end_ms = start + size;
    r.device_id = dev;
    r.device_type = type;
    r.event_count = static_cast<std::int64_t>(a.events.size());
    std::vector<double> d, b, s;
    const device_event* last = nullptr;
    for (const auto& e : a.events) {
      if (e.event_duration) d.push_back(*e.event_duration);
      if (e.battery_level) b.push_back(*e.battery_level);
      if (e.signal_strength) s.push_back(*e.signal_strength);
      if (last == nullptr || e.event_time_ms >= last->event_time_ms) last = &e;
    }
    r.avg_duration = avg(d);
    r.max_duration = mx(d);
    r.min_duration = mn(d);
    r.avg_battery_level = avg(b);
    r.min_battery_level = mn(b);
    r.avg_signal_strength = avg(s);
    r.min_signal_strength = mn(s);
    if (last->city) r.city = std::string(*last->city);
    if (last->country) r.country = std::string(*last->country);
    if (last->firmware_version) r.firmware_version = std::string(*last->firmware_version);
    r.last_event_time_ms = last->event_time_ms;
    return r;
  }

  std::vector<device_window_row> batch(const std::vector<device_event>& in) {
    for (const auto& e : in) {
      wm.max = wm.max ? std::max(*wm.max, e.event_time_ms) : e.event_time_ms;
      if (e.event_time_ms < wm.current) {
        ++late;
        continue;
      }
      std::int64_t start = e.event_time_ms / size * size;
      if (start > e.event_time_ms) start -= size;
      open[{start, std::string(e.device_id), std::string(e.device_type)}].events.push_back(e);
    }
    wm.end_batch();
    std::vector<device_window_row> out;
    for (auto it = open.begin(); it != open.end();) {
      const auto& [start, dev, type] = it->first;
      if (start + size <= wm.current) {
        out.push_back(finish(start, dev, type, it->second));
        it = open.erase(it);
      } else {
        ++it;
      }
    }
    return out;
  }
};

}  // namespace stream_test
