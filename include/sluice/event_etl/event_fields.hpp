// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `event_fields`: the JSON names of a device event's fields, for `json_event_codec` (and the
/// options of `sluice-event-etl`, which map them with `--field-map`). Free of simdjson.

#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::inline v0::event_etl {

/// The JSON names of an event's fields: each logical field of the schema (the member's name) and
/// the key it has in the user's JSON (the value; by default the same). Nested fields are keys of
/// the `location` object.
struct event_fields {
  std::string event_id = "event_id";
  std::string device_id = "device_id";
  std::string device_type = "device_type";
  std::string event_time = "event_time";
  std::string event_duration = "event_duration";
  std::string battery_level = "battery_level";
  std::string signal_strength = "signal_strength";
  std::string location = "location";
  std::string firmware_version = "firmware_version";
  std::string city = "city";              ///< in `location`
  std::string country = "country";        ///< in `location`
  std::string latitude = "latitude";      ///< in `location`
  std::string longitude = "longitude";    ///< in `location`

  friend bool operator==(const event_fields&, const event_fields&) = default;

  /// The logical names (`location.city` for the nested ones) and their members, in schema order.
  static constexpr std::array<std::pair<std::string_view, std::string event_fields::*>, 13> members{{
      {"event_id", &event_fields::event_id},
      {"device_id", &event_fields::device_id},
      {"device_type", &event_fields::device_type},
      {"event_time", &event_fields::event_time},
      {"event_duration", &event_fields::event_duration},
      {"battery_level", &event_fields::battery_level},
      {"signal_strength", &event_fields::signal_strength},
      {"location", &event_fields::location},
      {"firmware_version", &event_fields::firmware_version},
      {"location.city", &event_fields::city},
      {"location.country", &event_fields::country},
      {"location.latitude", &event_fields::latitude},
      {"location.longitude", &event_fields::longitude},
  }};
};

}  // namespace sluice::inline v0::event_etl
