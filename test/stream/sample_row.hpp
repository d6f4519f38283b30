// SPDX-License-Identifier: Apache-2.0
#pragma once

// A window row with every kind of value (escapes, UTF-8, a fraction, a null), for the tests of
// its JSON line and of the sinks that write it.

#include "helpers.hpp"

#include "sluice/event_etl/device_aggregate.hpp"

namespace stream_test {

inline device_window_row sample_row() {
  device_window_row r;
  r.window_start_ms = ms("2024-06-01T12:00:00Z");
  r.window_end_ms = ms("2024-06-01T12:01:00Z");
  r.device_id = "dev-\"1\"";
  r.device_type = "thermostat";
  r.event_count = 3;
  r.avg_duration = 2.0 / 3.0;
  r.max_duration = 1.5;
  r.min_duration = 0.1;
  r.avg_battery_level = 70;
  r.min_battery_level = 60.5;
  r.avg_signal_strength = -60;
  r.min_signal_strength = -70;
  r.city = "Z\xc3\xbcrich";
  r.country = "CH";
  r.firmware_version = std::nullopt;
  r.last_event_time_ms = ms("2024-06-01T12:00:50.250Z");
  return r;
}

}  // namespace stream_test
