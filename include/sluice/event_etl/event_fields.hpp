// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `event_fields`: the JSON names of a device event's fields, for `json_event_codec` (and the
/// options of `sluice-event-etl`, which map them with `--field-map`). Free of simdjson.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0::event_etl {

/// The JSON names of an event's fields: for each logical field of the schema, the key it has in
/// the user's JSON (by default the logical name itself; `location.city` and the other nested
/// fields are keys of the `location` object, by default `city`, …).
struct event_fields {
  /// The logical fields, in schema order.
  enum field : std::size_t {
    event_id, device_id, device_type, event_time, event_duration, battery_level, signal_strength,
    location, firmware_version, city, country, latitude, longitude, count
  };
  /// Their logical names, as `--field-map` spells them, indexed by `field`.
  static constexpr std::array<std::string_view, count> logical{
      "event_id",      "device_id",       "device_type",     "event_time",        "event_duration",
      "battery_level", "signal_strength", "location",        "firmware_version",  "location.city",
      "location.country", "location.latitude", "location.longitude"};

  /// True for a key of the `location` object.
  [[nodiscard]] static constexpr bool nested(field f) noexcept { return f >= city; }
  /// The field whose logical name is `name`, if any.
  [[nodiscard]] static constexpr std::optional<field> find(std::string_view name) noexcept {
    for (std::size_t i = 0; i < count; ++i)
      if (logical[i] == name) return static_cast<field>(i);
    return std::nullopt;
  }

  /// The JSON names, indexed by `field`.
  std::array<std::string, count> names = defaults();

  [[nodiscard]] const std::string& operator[](field f) const noexcept { return names[f]; }
  [[nodiscard]] std::string& operator[](field f) noexcept { return names[f]; }
  friend bool operator==(const event_fields&, const event_fields&) = default;

 private:
  static std::array<std::string, count> defaults() {
    std::array<std::string, count> n;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string_view l = logical[i];
      n[i] = std::string(l.substr(l.find('.') + 1));   // npos + 1 == 0: the whole name
    }
    return n;
  }
};

}  // namespace sluice::inline v0::event_etl
