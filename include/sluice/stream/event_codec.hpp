// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `json_event_codec`: JSON device events (one per record payload) into `device_event`s with
/// simdjson's on-demand API, against a declared schema; anything else is a reject with a reason.
///
/// The schema (docs/event-etl.md has an example):
///
/// | field | JSON type | |
/// |---|---|---|
/// | `event_id`, `device_id`, `device_type` | string, non-empty | required |
/// | `event_time` | ISO-8601 string (`parse_iso8601_ms`) | required |
/// | `event_duration`, `battery_level`, `signal_strength` | number | optional, may be `null` |
/// | `location` | object or `null`: `city`, `country` (string), `latitude`, `longitude` (number), each optional and nullable | optional |
/// | `firmware_version` | string | optional, may be `null` |
///
/// Other fields are ignored (skipped, not validated). Rejects, with the first problem found in
/// document order, else the first missing field in the order above:
/// - `no payload (a tombstone)`;
/// - `not JSON: <simdjson's message>` (also trailing text after the object);
/// - `not a JSON object`;
/// - `missing required field "<name>"` (absent or `null`), `empty required field "<name>"`;
/// - `wrong type for field "<name>": expected <types>, got <type>`, `duplicate field "<name>"`;
/// - `bad timestamp in field "event_time": "<text>"` (text cut to 64 bytes).

#include "sluice/core/concepts/codec.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/stream/detail/arena.hpp"
#include "sluice/stream/device_event.hpp"
#include "sluice/stream/timestamp.hpp"

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::stream {

/// Why the codec rejected a record, for counting (the reject itself carries the sentence).
enum class event_reject_kind {
  not_json,        ///< no payload, not JSON, or not a JSON object
  missing_field,   ///< a required field is absent, `null` or empty
  wrong_type,      ///< a field has another JSON type than declared, or appears twice
  bad_timestamp,   ///< `event_time` is a string but not an ISO-8601 date-time
};

/// Counts of a `json_event_codec`.
struct event_codec_stats {
  std::int64_t decoded = 0;                 ///< events produced
  std::array<std::int64_t, 4> rejected{};   ///< per `event_reject_kind`
  [[nodiscard]] std::int64_t rejected_total() const noexcept {
    return rejected[0] + rejected[1] + rejected[2] + rejected[3];
  }
};

namespace detail {

enum field_bit : std::uint32_t {
  f_event_id = 1u << 0,
  f_device_id = 1u << 1,
  f_device_type = 1u << 2,
  f_event_time = 1u << 3,
  f_event_duration = 1u << 4,
  f_battery_level = 1u << 5,
  f_signal_strength = 1u << 6,
  f_location = 1u << 7,
  f_firmware_version = 1u << 8,
  f_city = 1u << 9,
  f_country = 1u << 10,
  f_latitude = 1u << 11,
  f_longitude = 1u << 12,
};

inline const char* json_type_name(simdjson::ondemand::json_type t) noexcept {
  switch (t) {
    case simdjson::ondemand::json_type::array: return "array";
    case simdjson::ondemand::json_type::object: return "object";
    case simdjson::ondemand::json_type::number: return "number";
    case simdjson::ondemand::json_type::string: return "string";
    case simdjson::ondemand::json_type::boolean: return "boolean";
    case simdjson::ondemand::json_type::null: return "null";
  }
  return "unknown";
}

struct decode_failure {
  event_reject_kind kind;
  std::string reason;
};

}  // namespace detail

/// The JSON event codec (see the file comment for the schema and the reject reasons).
///
/// Zero-copy: strings without escapes are views into the payload; simdjson parses a payload in
/// place when it has `SIMDJSON_PADDING` spare capacity (`fs::lines_source` makes such payloads),
/// else a padded copy is made in the codec's per-batch arena. Values stay valid until the next
/// `decode` call.
/// Errors: none (bad input is a reject). Thread-safety: none; one codec per pipeline.
/// Complexity: linear in the bytes of the batch.
class json_event_codec {
 public:
  using stage_concept = codec_tag;
  using value_type = device_event;

  /// Decodes every record of `in`: an event appended to `out` or a reject (see the file comment).
  result<void> decode(std::span<const source_record> in, std::vector<device_event>& out,
                      reject_list& rejects) {
    arena_.reset();
    out.reserve(out.size() + in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      const auto& rec = in[i];
      if (!rec.payload) {
        ++stats_.rejected[static_cast<std::size_t>(event_reject_kind::not_json)];
        rejects.add(i, "no payload (a tombstone)");
        continue;
      }
      const std::string& p = *rec.payload;
      const char* buf = p.data();
      std::size_t cap = p.capacity();
      if (cap - p.size() < simdjson::SIMDJSON_PADDING) {
        char* copy = arena_.allocate(p.size() + simdjson::SIMDJSON_PADDING);
        std::memcpy(copy, p.data(), p.size());
        std::memset(copy + p.size(), 0, simdjson::SIMDJSON_PADDING);
        buf = copy;
        cap = p.size() + simdjson::SIMDJSON_PADDING;
      }
      device_event& e = out.emplace_back();
      e.origin = i;
      if (auto bad = decode_one(buf, p.size(), cap, e)) {
        out.pop_back();
        ++stats_.rejected[static_cast<std::size_t>(bad->kind)];
        rejects.add(i, std::move(bad->reason));
        continue;
      }
      ++stats_.decoded;
    }
    return success();
  }

  /// What the codec did so far (all batches of this process, retries included).
  [[nodiscard]] const event_codec_stats& stats() const noexcept { return stats_; }

 private:
  using failure = std::optional<detail::decode_failure>;
  using json_type = simdjson::ondemand::json_type;

  static failure fail(event_reject_kind kind, std::string reason) {
    return detail::decode_failure{kind, std::move(reason)};
  }
  static failure not_json(simdjson::error_code err) {
    return fail(event_reject_kind::not_json,
                std::string("not JSON: ") + simdjson::error_message(err));
  }
  static failure wrong_type(std::string_view name, const char* expected, json_type got) {
    std::string r = "wrong type for field \"";
    r += name;
    r += "\": expected ";
    r += expected;
    r += ", got ";
    r += detail::json_type_name(got);
    return fail(event_reject_kind::wrong_type, std::move(r));
  }
  static failure duplicate(std::string_view name) {
    std::string r = "duplicate field \"";
    r += name;
    r += '"';
    return fail(event_reject_kind::wrong_type, std::move(r));
  }

  // Marks `bit` seen; a second time is a duplicate field.
  static failure see(std::uint32_t& seen, std::uint32_t bit, std::string_view name) {
    if (seen & bit) return duplicate(name);
    seen |= bit;
    return std::nullopt;
  }

  // `v` is a JSON `null` (checked strictly: `nul` is not JSON).
  static failure check_null(simdjson::ondemand::value& v) {
    bool is_null = false;
    if (const auto err = v.is_null().get(is_null); err) return not_json(err);
    if (!is_null) return not_json(simdjson::INCORRECT_TYPE);
    return std::nullopt;
  }

  // A string value: a view of the payload when it has no escapes, else unescaped into the arena.
  failure read_string(simdjson::ondemand::value& v, std::string_view& out) {
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\n' ||
                            tok.back() == '\r'))
      tok.remove_suffix(1);
    if (tok.size() >= 2 && tok.front() == '"' && tok.back() == '"') {
      const std::string_view inner = tok.substr(1, tok.size() - 2);
      if (inner.find('\\') == std::string_view::npos) {
        out = inner;
        return std::nullopt;
      }
    }
    std::string_view s;
    if (const auto err = v.get_string().get(s); err) return not_json(err);
    out = arena_.copy(s);
    return std::nullopt;
  }

  // A string field, possibly null when `nullable`.
  failure string_field(simdjson::ondemand::value& v, std::string_view name, bool nullable,
                       std::optional<std::string_view>& out) {
    const std::string_view tok = v.raw_json_token();
    if (!tok.empty() && tok.front() == '"') {
      std::string_view s;
      if (auto bad = read_string(v, s)) return bad;
      out = s;
      return std::nullopt;
    }
    if (!tok.empty() && tok.front() == 'n') {
      if (auto bad = check_null(v)) return bad;
      out.reset();
      return std::nullopt;
    }
    json_type t;
    if (const auto err = v.type().get(t); err) return not_json(err);
    return wrong_type(name, nullable ? "string or null" : "string", t);
  }

  // A number field, possibly null.
  static failure number_field(simdjson::ondemand::value& v, std::string_view name,
                              std::optional<double>& out) {
    double d = 0;
    const auto err = v.get_double().get(d);
    if (!err) {
      out = d;
      return std::nullopt;
    }
    // get_double consumes nothing on failure: look at what it is.
    const std::string_view tok = v.raw_json_token();
    if (!tok.empty() && tok.front() == 'n') {
      if (auto bad = check_null(v)) return bad;
      out.reset();
      return std::nullopt;
    }
    json_type t;
    if (const auto terr = v.type().get(t); terr) return not_json(terr);
    if (t == json_type::number) return not_json(err);
    return wrong_type(name, "number or null", t);
  }

  // The key of `f` as a view of the document when it has no escapes, else unescaped.
  static failure field_key(simdjson::ondemand::field& f, const char* end, std::string_view& out) {
    const char* p = f.key().raw();
    if (p < end) {
      if (const void* q = std::memchr(p, '"', static_cast<std::size_t>(end - p))) {
        const std::string_view k(p, static_cast<std::size_t>(static_cast<const char*>(q) - p));
        if (k.find('\\') == std::string_view::npos) {
          out = k;
          return std::nullopt;
        }
      }
    }
    if (const auto err = f.unescaped_key().get(out); err) return not_json(err);
    return std::nullopt;
  }

  failure location_field(simdjson::ondemand::value& v, const char* end, device_event& e,
                         std::uint32_t& seen) {
    json_type t;
    if (const auto err = v.type().get(t); err) return not_json(err);
    if (t == json_type::null) return check_null(v);
    if (t != json_type::object) return wrong_type("location", "object or null", t);
    simdjson::ondemand::object obj;
    if (const auto err = v.get_object().get(obj); err) return not_json(err);
    for (auto fr : obj) {
      // By reference: copying simdjson's field and value structs costs store-forwarding stalls.
      if (const auto err = fr.error(); err) return not_json(err);
      simdjson::ondemand::field& f = fr.value_unsafe();
      std::string_view key;
      if (auto bad = field_key(f, end, key)) return bad;
      simdjson::ondemand::value& fv = f.value();
      failure bad;
      if (key == "city") {
        if (!(bad = see(seen, detail::f_city, "location.city"))) bad = string_field(fv, "location.city", true, e.city);
      } else if (key == "country") {
        if (!(bad = see(seen, detail::f_country, "location.country")))
          bad = string_field(fv, "location.country", true, e.country);
      } else if (key == "latitude") {
        if (!(bad = see(seen, detail::f_latitude, "location.latitude")))
          bad = number_field(fv, "location.latitude", e.latitude);
      } else if (key == "longitude") {
        if (!(bad = see(seen, detail::f_longitude, "location.longitude")))
          bad = number_field(fv, "location.longitude", e.longitude);
      }
      if (bad) return bad;
    }
    return std::nullopt;
  }

  failure decode_one(const char* buf, std::size_t len, std::size_t cap, device_event& e) {
    simdjson::ondemand::document doc;
    if (const auto err = parser_.iterate(buf, len, cap).get(doc); err) return not_json(err);
    simdjson::ondemand::object obj;
    if (const auto err = doc.get_object().get(obj); err) {
      if (err != simdjson::INCORRECT_TYPE) return not_json(err);
      // On demand only saw the first token: tell "not an object" from "not JSON" with a full
      // parse (rare, so the DOM parser's memory is allocated only when needed).
      simdjson::dom::element whole;
      if (const auto derr = dom_parser_.parse(buf, len, false).get(whole); derr) return not_json(derr);
      return fail(event_reject_kind::not_json, "not a JSON object");
    }
    std::uint32_t seen = 0;
    std::optional<std::string_view> event_id, device_id, device_type, event_time;
    for (auto fr : obj) {
      if (const auto err = fr.error(); err) return not_json(err);
      simdjson::ondemand::field& f = fr.value_unsafe();
      std::string_view key;
      if (auto bad = field_key(f, buf + len, key)) return bad;
      simdjson::ondemand::value& v = f.value();
      failure bad;
      switch (key.size()) {
        case 8:
          if (key == "event_id") {
            if (!(bad = see(seen, detail::f_event_id, key))) bad = string_field(v, "event_id", false, event_id);
          } else if (key == "location") {
            if (!(bad = see(seen, detail::f_location, key))) bad = location_field(v, buf + len, e, seen);
          }
          break;
        case 9:
          if (key == "device_id") {
            if (!(bad = see(seen, detail::f_device_id, key)))
              bad = string_field(v, "device_id", false, device_id);
          }
          break;
        case 10:
          if (key == "event_time") {
            if (!(bad = see(seen, detail::f_event_time, key)))
              bad = string_field(v, "event_time", false, event_time);
          }
          break;
        case 11:
          if (key == "device_type") {
            if (!(bad = see(seen, detail::f_device_type, key)))
              bad = string_field(v, "device_type", false, device_type);
          }
          break;
        case 13:
          if (key == "battery_level") {
            if (!(bad = see(seen, detail::f_battery_level, key)))
              bad = number_field(v, "battery_level", e.battery_level);
          }
          break;
        case 14:
          if (key == "event_duration") {
            if (!(bad = see(seen, detail::f_event_duration, key)))
              bad = number_field(v, "event_duration", e.event_duration);
          }
          break;
        case 15:
          if (key == "signal_strength") {
            if (!(bad = see(seen, detail::f_signal_strength, key)))
              bad = number_field(v, "signal_strength", e.signal_strength);
          }
          break;
        case 16:
          if (key == "firmware_version") {
            if (!(bad = see(seen, detail::f_firmware_version, key)))
              bad = string_field(v, "firmware_version", true, e.firmware_version);
          }
          break;
        default: break;
      }
      if (bad) return bad;
    }
    // After the object, only the end of the document may follow.
    if (const char* rest = nullptr; doc.current_location().get(rest) == simdjson::SUCCESS)
      return not_json(simdjson::TRAILING_CONTENT);
    const auto required = [](const std::optional<std::string_view>& f,
                             const char* name) -> failure {
      if (!f) return fail(event_reject_kind::missing_field,
                          std::string("missing required field \"") + name + '"');
      if (f->empty())
        return fail(event_reject_kind::missing_field,
                    std::string("empty required field \"") + name + '"');
      return std::nullopt;
    };
    if (auto bad = required(event_id, "event_id")) return bad;
    if (auto bad = required(device_id, "device_id")) return bad;
    if (auto bad = required(device_type, "device_type")) return bad;
    if (auto bad = required(event_time, "event_time")) return bad;
    const auto t = parse_iso8601_ms(*event_time);
    if (!t) {
      std::string r = "bad timestamp in field \"event_time\": \"";
      std::string_view shown = event_time->substr(0, 64);
      // Cut at a character boundary, so the reason stays UTF-8.
      if (shown.size() < event_time->size())
        while (!shown.empty() && (static_cast<unsigned char>((*event_time)[shown.size()]) & 0xC0) == 0x80)
          shown.remove_suffix(1);
      r += shown;
      r += '"';
      return fail(event_reject_kind::bad_timestamp, std::move(r));
    }
    e.event_id = *event_id;
    e.device_id = *device_id;
    e.device_type = *device_type;
    e.event_time_ms = *t;
    return std::nullopt;
  }

  simdjson::ondemand::parser parser_;
  simdjson::dom::parser dom_parser_;   // allocates on its first use
  detail::chunk_arena arena_;
  event_codec_stats stats_;
};

static_assert(codec_for<json_event_codec, source_record>);

}  // namespace sluice::inline v0::stream
