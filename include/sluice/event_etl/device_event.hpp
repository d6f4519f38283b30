// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `device_event`: one device event as the event ETL declares it (no schema inference), nested
/// `location` flattened, and the projections the stateful stages use on it: the event time and
/// the dedup key (event_id, device_id), as the specializations of `stream::event_time_of` and
/// `stream::dedup_key_of`. docs/event-etl.md shows the JSON it comes from.

#include "sluice/stream/dedup_key_of.hpp"
#include "sluice/stream/event_time_of.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0::event_etl {

/// A decoded device event.
///
/// String members are views: into the batch's source records or into the codec's per-batch
/// arena (for strings with JSON escapes). They are valid while the batch is processed and
/// written (the runner keeps its records until the batch is committed); a stateful stage copies
/// what it keeps across batches. Optional members are absent when the JSON field is missing or
/// `null`; `range_filter` drops events whose numeric fields are absent or out of range.
struct device_event {
  std::string_view event_id;                       ///< required, non-empty
  std::string_view device_id;                      ///< required, non-empty
  std::string_view device_type;                    ///< required, non-empty
  std::int64_t event_time_ms = 0;                  ///< required; ISO-8601 in the JSON, UTC ms here
  std::optional<double> event_duration;            ///< seconds
  std::optional<double> battery_level;             ///< percent
  std::optional<double> signal_strength;           ///< dBm
  std::optional<std::string_view> city;            ///< `location.city`
  std::optional<std::string_view> country;         ///< `location.country`
  std::optional<double> latitude;                  ///< `location.latitude`, degrees
  std::optional<double> longitude;                 ///< `location.longitude`, degrees
  std::optional<std::string_view> firmware_version;
  std::size_t origin = 0;                          ///< index of the source record in the batch
  friend bool operator==(const device_event&, const device_event&) = default;
};

}  // namespace sluice::inline v0::event_etl

// The two projections the stateful stages of sluice/stream ask of their values.
namespace sluice::inline v0::stream {

/// `device_event`'s event time.
template <>
struct event_time_of<event_etl::device_event> {
  [[nodiscard]] static std::int64_t get(const event_etl::device_event& e) noexcept {
    return e.event_time_ms;
  }
};

/// (event_id, device_id) as `<length of event_id in decimal>:<event_id><device_id>`: no pair
/// of strings encodes like another, and the bytes stay UTF-8 (they go into checkpoints).
template <>
struct dedup_key_of<event_etl::device_event> {
  static void append(std::string& out, const event_etl::device_event& e) {
    char len[24];
    const auto r = std::to_chars(len, len + sizeof len, e.event_id.size());
    out.append(len, r.ptr);
    out.push_back(':');
    out.append(e.event_id);
    out.append(e.device_id);
  }
};

}  // namespace sluice::inline v0::stream
