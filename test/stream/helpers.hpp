// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers of the stream and event-ETL tests: events built field by field (as JSON text and as
// values), and a record with or without simdjson padding. The generic stages of sluice/stream
// are tested on the event ETL's `device_event` (and its window rows), as the pipeline runs them.

#include "sluice/core/record.hpp"
#include "sluice/core/time.hpp"
#include "sluice/event_etl/device_event.hpp"

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace stream_test {

using namespace sluice;
using namespace sluice::stream;
using namespace sluice::event_etl;

/// Milliseconds of an ISO-8601 text (the test's own literals: always valid).
inline std::int64_t ms(std::string_view iso) { return *parse_iso8601_ms(iso); }

/// A JSON event with every field; `extra` is spliced in before the closing brace.
struct json_event {
  std::string event_id = "e1";
  std::string device_id = "d1";
  std::string device_type = "thermostat";
  std::string event_time = "2024-06-01T12:00:00Z";
  std::string event_duration = "1.5";
  std::string battery_level = "80";
  std::string signal_strength = "-70";
  std::string city = "\"Berlin\"";
  std::string country = "\"DE\"";
  std::string latitude = "52.52";
  std::string longitude = "13.405";
  std::string firmware_version = "\"1.2.3\"";
  std::string extra;

  [[nodiscard]] std::string text() const {
    std::string s = "{\"event_id\":\"" + event_id + "\",\"device_id\":\"" + device_id +
                    "\",\"device_type\":\"" + device_type + "\",\"event_time\":\"" + event_time +
                    "\",\"event_duration\":" + event_duration + ",\"battery_level\":" + battery_level +
                    ",\"signal_strength\":" + signal_strength + ",\"location\":{\"city\":" + city +
                    ",\"country\":" + country + ",\"latitude\":" + latitude +
                    ",\"longitude\":" + longitude + "},\"firmware_version\":" + firmware_version;
    s += extra;
    s += '}';
    return s;
  }
};

/// A record holding `payload`, padded for simdjson or not.
inline source_record record(std::string payload, std::int64_t offset = 0, bool padded = true) {
  source_record r;
  r.topic = "events";
  r.offset = offset;
  if (padded) {
    std::string p;
    p.reserve(payload.size() + simdjson::SIMDJSON_PADDING);
    p.assign(payload);
    r.payload = std::move(p);
  } else {
    std::string p = payload;
    p.shrink_to_fit();
    r.payload = std::move(p);
  }
  return r;
}

/// Keeps the strings that event values view.
class string_pool {
 public:
  std::string_view operator()(std::string s) { return pool_.emplace_back(std::move(s)); }

 private:
  std::deque<std::string> pool_;
};

/// A valid, in-range event value.
inline device_event event(std::string_view id, std::string_view device, std::int64_t t,
                          double duration = 1.0, double battery = 50.0, double signal = -60.0,
                          std::optional<std::string_view> city = "Berlin") {
  device_event e;
  e.event_id = id;
  e.device_id = device;
  e.device_type = "thermostat";
  e.event_time_ms = t;
  e.event_duration = duration;
  e.battery_level = battery;
  e.signal_strength = signal;
  e.city = city;
  e.country = std::string_view("DE");
  e.latitude = 52.5;
  e.longitude = 13.4;
  e.firmware_version = std::string_view("1.0.0");
  return e;
}

}  // namespace stream_test
