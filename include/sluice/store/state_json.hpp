// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// JSON encoding of persisted pipeline state (offset ranges, opaque blobs) shared by the stores
/// of the storage layer (checkpoint store, dead letters) and the completed-batches log: written
/// with `json::writer`, read back with simdjson's DOM parser. Readers return an empty optional on
/// anything that does not have the expected shape, which the stores report as
/// `errc::corrupt_state`.

#include "sluice/core/error.hpp"
#include "sluice/core/json.hpp"
#include "sluice/core/json_writer.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/text.hpp"

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inline v0::store {

/// Writes `ranges` into `w` as one JSON array value of `{"topic","partition","from","to"}`
/// objects (the next value of the object or array `w` is in).
///
/// Errors: `errc::invalid_argument` if a topic is not valid UTF-8 (it could not be read back).
/// Complexity: linear.
inline result<void> write_ranges_json(json::writer& w, std::span<const offset_range> ranges) {
  w.begin_array();
  for (const auto& r : ranges) {
    if (!json::is_valid_utf8(r.topic)) return errc::invalid_argument;
    w.begin_object()
        .key("topic").string(r.topic)
        .key("partition").integer(r.partition)
        .key("from").integer(r.from)
        .key("to").integer(r.to)
        .end_object();
  }
  w.end_array();
  return success();
}

/// Appends `ranges` to `out` as a JSON array (`write_ranges_json`).
///
/// Errors: `errc::invalid_argument` if a topic is not valid UTF-8.
inline result<void> append_ranges_json(std::string& out, std::span<const offset_range> ranges) {
  json::writer w(out);
  return write_ranges_json(w, ranges);
}

/// Parses `text` (no padding needed) as one JSON object into `obj`, which lives in `parser`'s
/// memory until its next parse; false if `text` is not a JSON object.
[[nodiscard]] inline bool parse_json_object(simdjson::dom::parser& parser, std::string_view text,
                                            simdjson::dom::object& obj) {
  simdjson::dom::element doc;
  return parser.parse(text.data(), text.size()).get(doc) == simdjson::SUCCESS &&
         doc.get(obj) == simdjson::SUCCESS;
}

/// The string member `name` of `obj`, if present and a string.
[[nodiscard]] inline std::optional<std::string_view> json_string_field(simdjson::dom::object obj,
                                                                       std::string_view name) {
  std::string_view v;
  if (obj[name].get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

/// The integer member `name` of `obj`, if present and an integer in `[lo, hi]`.
[[nodiscard]] inline std::optional<std::int64_t> json_int_field(
    simdjson::dom::object obj, std::string_view name,
    std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
    std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
  std::int64_t v = 0;
  if (obj[name].get(v) != simdjson::SUCCESS || v < lo || v > hi) return std::nullopt;
  return v;
}

/// Reads an array written by `append_ranges_json`; empty optional if `e` has another shape
/// (missing members, wrong types, a partition outside `int32`, `from > to`).
[[nodiscard]] inline std::optional<std::vector<offset_range>> read_ranges_json(
    simdjson::dom::element e) {
  simdjson::dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) return std::nullopt;
  std::vector<offset_range> out;
  for (simdjson::dom::element item : arr) {
    simdjson::dom::object obj;
    if (item.get(obj) != simdjson::SUCCESS) return std::nullopt;
    const auto topic = json_string_field(obj, "topic");
    const auto partition = json_int_field(obj, "partition", std::numeric_limits<std::int32_t>::min(),
                                          std::numeric_limits<std::int32_t>::max());
    const auto from = json_int_field(obj, "from");
    const auto to = json_int_field(obj, "to");
    if (!topic || !partition || !from || !to || *from > *to) return std::nullopt;
    out.push_back({std::string(*topic), static_cast<std::int32_t>(*partition), *from, *to});
  }
  return out;
}

/// Reads a bytes member written by `json::writer::bytes_member`: the text itself, or its base64
/// when `<name>_encoding` is `"base64"`; `null` gives an engaged optional holding an empty
/// optional. Empty optional when the member is missing or malformed.
[[nodiscard]] inline std::optional<std::optional<std::string>> read_bytes_field(
    simdjson::dom::object obj, std::string_view name) {
  simdjson::dom::element e;
  if (obj[name].get(e) != simdjson::SUCCESS) return std::nullopt;
  if (e.is_null()) return std::optional<std::string>{};
  std::string_view text;
  if (e.get(text) != simdjson::SUCCESS) return std::nullopt;
  std::string enc_name(name);
  enc_name += "_encoding";
  simdjson::dom::element enc;
  if (obj[enc_name].get(enc) != simdjson::SUCCESS) return std::optional<std::string>(std::string(text));
  std::string_view enc_text;
  if (enc.get(enc_text) != simdjson::SUCCESS || enc_text != "base64") return std::nullopt;
  auto bytes = text::decode_base64(text);
  if (!bytes) return std::nullopt;
  return std::optional<std::string>(std::move(*bytes));
}

}  // namespace sluice::inline v0::store
