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
/// The JSON names are configurable (`event_fields`: e.g. the event time in a field called
/// `timestamp`); the names above are the defaults, and messages name the configured fields.
///
/// Other fields are ignored (skipped, not validated). Rejects, with the first problem found in
/// document order, else the first missing field in the order above:
/// - bytes the source could not read as a message (`bad_input` set, core/record.hpp): its reason;
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
#include "sluice/core/time.hpp"
#include "sluice/event_etl/detail/arena.hpp"
#include "sluice/event_etl/device_event.hpp"
#include "sluice/event_etl/event_fields.hpp"

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::event_etl {

/// Why the codec rejected a record, for counting (the reject itself carries the sentence).
enum class event_reject_kind {
  not_json,        ///< unreadable input, no payload, not JSON, or not a JSON object
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

}  // namespace detail

/// The top-level keys of the JSON object `payload`, comma-separated, for messages about a
/// record that does not fit the field names; "(not a JSON object)" for anything else.
/// Complexity: a parse of `payload` (the error path only).
[[nodiscard]] inline std::string top_level_keys(std::string_view payload) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (parser.parse(payload.data(), payload.size()).get(doc) || doc.get(obj)) return "(not a JSON object)";
  std::string keys;
  for (const auto field : obj) {
    if (!keys.empty()) keys += ", ";
    keys += field.key;
  }
  return keys;
}

/// The JSON event codec (see the file comment for the schema and the reject reasons).
///
/// Zero-copy: strings without escapes are views into the payload; simdjson parses a payload in
/// place when `payload_padding(record)` ≥ `SIMDJSON_PADDING` (`fs::lines_source`'s record views
/// have it), else a padded copy is made in the codec's per-batch arena. Values stay valid until the next
/// `decode` call.
/// Errors: none (bad input is a reject). Thread-safety: none; one codec per pipeline.
/// Complexity: linear in the bytes of the batch.
class json_event_codec {
 public:
  using stage_concept = codec_tag;
  using value_type = device_event;

  /// Called with the sentence when the field-name check fails (see the constructor).
  using mismatch_handler = std::function<void(const std::string&)>;

  /// A codec for events whose fields have the JSON names `names` (the schema's by default).
  ///
  /// With `on_mismatch`, the names are checked on the input: until one event has decoded, a
  /// batch in which no record decodes and the first reject is a missing required field is not
  /// the input's fault but the names': `decode` calls `on_mismatch` with a sentence naming the
  /// field and the record's fields, and fails with `errc::invalid_argument`, so nothing of the
  /// batch is committed (not even as dead letters). Once an event has decoded the check is off.
  explicit json_event_codec(event_fields names = {}, mismatch_handler on_mismatch = {})
      : names_(std::move(names)),
        on_mismatch_(std::move(on_mismatch)),
        custom_(names_ != event_fields{}),
        city_label_(name(F::location) + "." + name(F::city)),
        country_label_(name(F::location) + "." + name(F::country)),
        latitude_label_(name(F::location) + "." + name(F::latitude)),
        longitude_label_(name(F::location) + "." + name(F::longitude)) {}

  /// The JSON names of the fields.
  [[nodiscard]] const event_fields& fields() const noexcept { return names_; }

  /// Decodes every record of `in` (owning `source_record`s or zero-copy `record_view`s): an
  /// event appended to `out` or a reject (see the file comment).
  result<void> decode(std::span<const source_record> in, std::vector<device_event>& out,
                      reject_list& rejects) {
    return decode_all(in, out, rejects);
  }
  result<void> decode(std::span<const record_view> in, std::vector<device_event>& out,
                      reject_list& rejects) {
    return decode_all(in, out, rejects);
  }

  /// What the codec did so far (all batches of this process, retries included).
  [[nodiscard]] const event_codec_stats& stats() const noexcept { return stats_; }

 private:
  template <class R>
  result<void> decode_all(std::span<const R> in, std::vector<device_event>& out, reject_list& rejects) {
    SLUICE_TRYV(decode_each(in, out, rejects));
    if (on_mismatch_ && stats_.decoded == 0 && !rejects.empty()) return check_names(in, rejects);
    return success();
  }

  // The names' check (see the constructor): the first reject is a missing required field and
  // nothing decoded yet.
  template <class R>
  result<void> check_names(std::span<const R> in, const reject_list& rejects) {
    const auto& first = rejects.items().front();
    if (first.reason.rfind("missing required field", 0) != 0) return success();
    on_mismatch_("the events do not match the field names (" + first.reason + "); the first such event's fields are: " +
                 top_level_keys(*in[first.origin].payload));
    return errc::invalid_argument;
  }

  template <class R>
  result<void> decode_each(std::span<const R> in, std::vector<device_event>& out, reject_list& rejects) {
    arena_.reset();
    out.reserve(out.size() + in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      const auto& rec = in[i];
      if (rec.bad_input) {
        ++stats_.rejected[static_cast<std::size_t>(event_reject_kind::not_json)];
        rejects.add(i, std::string(*rec.bad_input));
        continue;
      }
      if (!rec.payload) {
        ++stats_.rejected[static_cast<std::size_t>(event_reject_kind::not_json)];
        rejects.add(i, "no payload (a tombstone)");
        continue;
      }
      const std::string_view p = *rec.payload;
      const char* buf = p.data();
      std::size_t cap = p.size() + payload_padding(rec);
      if (cap - p.size() < simdjson::SIMDJSON_PADDING) {
        char* copy = arena_.allocate(p.size() + simdjson::SIMDJSON_PADDING);
        std::memcpy(copy, p.data(), p.size());
        std::memset(copy + p.size(), 0, simdjson::SIMDJSON_PADDING);
        buf = copy;
        cap = p.size() + simdjson::SIMDJSON_PADDING;
      }
      device_event& e = out.emplace_back();
      e.origin = i;
      if (decode_one(buf, p.size(), cap, e)) {
        out.pop_back();
        ++stats_.rejected[static_cast<std::size_t>(fail_kind_)];
        rejects.add(i, std::move(fail_reason_));
        continue;
      }
      ++stats_.decoded;
    }
    return success();
  }

  // Every parsing step returns `failed`: true after `fail` noted the reject's kind and reason
  // (kept in members, so the success path moves no strings around).
  using failed = bool;
  using json_type = simdjson::ondemand::json_type;

  failed fail(event_reject_kind kind, std::string reason) {
    fail_kind_ = kind;
    fail_reason_ = std::move(reason);
    return true;
  }
  failed not_json(simdjson::error_code err) {
    return fail(event_reject_kind::not_json, std::string("not JSON: ") + simdjson::error_message(err));
  }
  failed wrong_type(std::string_view name, const char* expected, json_type got) {
    std::string r = "wrong type for field \"";
    r += name;
    r += "\": expected ";
    r += expected;
    r += ", got ";
    r += detail::json_type_name(got);
    return fail(event_reject_kind::wrong_type, std::move(r));
  }

  // Marks `bit` seen; a second time is a duplicate field.
  [[gnu::always_inline]] failed see(std::uint32_t& seen, std::uint32_t bit, std::string_view name) {
    if (seen & bit) {
      std::string r = "duplicate field \"";
      r += name;
      r += '"';
      return fail(event_reject_kind::wrong_type, std::move(r));
    }
    seen |= bit;
    return false;
  }

  // `v` is a JSON `null` (checked strictly: `nul` is not JSON).
  failed check_null(simdjson::ondemand::value& v) {
    bool is_null = false;
    if (const auto err = v.is_null().get(is_null); err) return not_json(err);
    if (!is_null) return not_json(simdjson::INCORRECT_TYPE);
    return false;
  }

  // True if `s` holds a backslash; 8 bytes a step.
  static bool has_backslash(std::string_view s) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    constexpr std::uint64_t pattern = ones * static_cast<unsigned char>('\\');
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      w ^= pattern;
      if ((w - ones) & ~w & highs) return true;
    }
    for (; i < s.size(); ++i)
      if (s[i] == '\\') return true;
    return false;
  }

  // A string value: a view of the payload when it has no escapes, else unescaped into the arena.
  failed read_string(simdjson::ondemand::value& v, std::string_view& out) {
    std::string_view tok = v.raw_json_token();
    while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\n' ||
                            tok.back() == '\r'))
      tok.remove_suffix(1);
    if (tok.size() >= 2 && tok.front() == '"' && tok.back() == '"') {
      const std::string_view inner = tok.substr(1, tok.size() - 2);
      if (!has_backslash(inner)) {
        out = inner;
        return false;
      }
    }
    std::string_view s;
    if (const auto err = v.get_string().get(s); err) return not_json(err);
    out = arena_.copy(s);
    return false;
  }

  // A string field, possibly null when `nullable`.
  failed string_field(simdjson::ondemand::value& v, std::string_view name, bool nullable,
                      std::optional<std::string_view>& out) {
    const std::string_view tok = v.raw_json_token();
    if (!tok.empty() && tok.front() == '"') {
      std::string_view s;
      if (read_string(v, s)) return true;
      out = s;
      return false;
    }
    if (!tok.empty() && tok.front() == 'n') {
      if (check_null(v)) return true;
      out.reset();
      return false;
    }
    json_type t;
    if (const auto err = v.type().get(t); err) return not_json(err);
    return wrong_type(name, nullable ? "string or null" : "string", t);
  }

  // The common number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most 15 digits, then only
  // whitespace. Its value is m / 10^k with m < 2^53 and k ≤ 15, both exact in a double, so one
  // division gives the correctly rounded result (Clinger's fast path), as simdjson would.
  // Anything else returns false and is left to simdjson.
  static bool simple_number(std::string_view tok, double& out) noexcept {
    static constexpr double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    std::size_t i = 0;
    const bool negative = i < tok.size() && tok[i] == '-';
    if (negative) ++i;
    const std::size_t int_from = i;
    std::uint64_t m = 0;
    int digits = 0;
    while (i < tok.size() && tok[i] >= '0' && tok[i] <= '9') {
      m = m * 10 + static_cast<std::uint64_t>(tok[i] - '0');
      ++i;
      ++digits;
    }
    const std::size_t int_digits = i - int_from;
    if (int_digits == 0 || (int_digits > 1 && tok[int_from] == '0')) return false;
    int frac = 0;
    if (i < tok.size() && tok[i] == '.') {
      ++i;
      while (i < tok.size() && tok[i] >= '0' && tok[i] <= '9') {
        m = m * 10 + static_cast<std::uint64_t>(tok[i] - '0');
        ++i;
        ++frac;
        ++digits;
      }
      if (frac == 0) return false;
    }
    if (digits > 15) return false;
    for (; i < tok.size(); ++i)
      if (tok[i] != ' ' && tok[i] != '\t' && tok[i] != '\n' && tok[i] != '\r') return false;
    const double d = static_cast<double>(m) / pow10[frac];
    out = negative ? -d : d;
    return true;
  }

  // A number field, possibly null.
  failed number_field(simdjson::ondemand::value& v, std::string_view name, std::optional<double>& out) {
    if (double quick = 0; simple_number(v.raw_json_token(), quick)) {
      out = quick;   // the value is left unconsumed: the object's iteration skips it
      return false;
    }
    double d = 0;
    const auto err = v.get_double().get(d);
    if (!err) {
      out = d;
      return false;
    }
    // get_double consumes nothing on failure: look at what it is.
    const std::string_view tok = v.raw_json_token();
    if (!tok.empty() && tok.front() == 'n') {
      if (check_null(v)) return true;
      out.reset();
      return false;
    }
    json_type t;
    if (const auto terr = v.type().get(t); terr) return not_json(terr);
    if (t == json_type::number) return not_json(err);
    return wrong_type(name, "number or null", t);
  }

  // True if the raw key at `p` (just after its opening quote) is `name` with no escapes: the
  // bytes of `name` then the closing quote. Reads at most `N` bytes at `p`: inside the document
  // or its padding, since a key is followed by at least `":x}`.
  template <std::size_t N>
  static bool key_is(const char* p, const char (&name)[N]) noexcept {
    return std::memcmp(p, name, N - 1) == 0 && p[N - 1] == '"';
  }

  // The key of `f`: `known` when it is one of the schema's field names spelt without escapes
  // (the fast path: no scan for its end), else the key itself (unescaped if needed) in `key`.
  enum class key_id {
    other, event_id, device_id, device_type, event_time, event_duration, battery_level,
    signal_strength, location, firmware_version, city, country, latitude, longitude
  };
  static_assert(static_cast<std::size_t>(key_id::longitude) == event_fields::longitude + 1,
                "key_id lists the fields in event_fields' order, after `other`");
  [[gnu::always_inline]] static key_id top_key(const char* p) noexcept {
    switch (p[0]) {
      case 'e':
        if (key_is(p, "event_id")) return key_id::event_id;
        if (key_is(p, "event_time")) return key_id::event_time;
        if (key_is(p, "event_duration")) return key_id::event_duration;
        break;
      case 'd':
        if (key_is(p, "device_id")) return key_id::device_id;
        if (key_is(p, "device_type")) return key_id::device_type;
        break;
      case 'b':
        if (key_is(p, "battery_level")) return key_id::battery_level;
        break;
      case 's':
        if (key_is(p, "signal_strength")) return key_id::signal_strength;
        break;
      case 'l':
        if (key_is(p, "location")) return key_id::location;
        break;
      case 'f':
        if (key_is(p, "firmware_version")) return key_id::firmware_version;
        break;
      default: break;
    }
    return key_id::other;
  }
  [[gnu::always_inline]] static key_id location_key(const char* p) noexcept {
    switch (p[0]) {
      case 'c':
        if (key_is(p, "city")) return key_id::city;
        if (key_is(p, "country")) return key_id::country;
        break;
      case 'l':
        if (key_is(p, "latitude")) return key_id::latitude;
        if (key_is(p, "longitude")) return key_id::longitude;
        break;
      default: break;
    }
    return key_id::other;
  }
  // A key that is not a field name as spelt: it may still be one with escapes
  // (`"event\u005fid"`), so unescape it and look again.
  template <class Classify>
  failed slow_key(simdjson::ondemand::field& f, Classify classify, key_id& id) {
    std::string_view k;
    if (const auto err = f.unescaped_key().get(k); err) return not_json(err);
    if (k.find('"') != std::string_view::npos) return false;   // cannot name a field
    std::string probe(k);
    probe += "\"                ";   // `key_is` reads up to 17 bytes
    id = classify(probe.data());
    return false;
  }

  // With configured names: the key of `f`, unescaped, against them (`top`: the event's own
  // fields, else those of `location`).
  failed custom_key(simdjson::ondemand::field& f, bool top, key_id& id) {
    std::string_view k;
    if (const auto err = f.unescaped_key().get(k); err) return not_json(err);
    id = key_id::other;
    for (std::size_t i = 0; i < F::count; ++i) {
      const auto which = static_cast<F::field>(i);
      if (F::nested(which) != !top || k != name(which)) continue;
      id = static_cast<key_id>(i + 1);   // key_id lists the fields in event_fields' order, after `other`
    }
    return false;
  }

  failed location_field(simdjson::ondemand::value& v, device_event& e, std::uint32_t& seen) {
    json_type t;
    if (const auto err = v.type().get(t); err) return not_json(err);
    if (t == json_type::null) return check_null(v);
    if (t != json_type::object) return wrong_type(name(F::location), "object or null", t);
    simdjson::ondemand::object obj;
    if (const auto err = v.get_object().get(obj); err) return not_json(err);
    for (auto fr : obj) {
      // By reference: copying simdjson's field and value structs costs store-forwarding stalls.
      if (const auto err = fr.error(); err) return not_json(err);
      simdjson::ondemand::field& f = fr.value_unsafe();
      key_id id = custom_ ? key_id::other : location_key(f.key().raw());
      if (id == key_id::other && (custom_ ? custom_key(f, false, id) : slow_key(f, location_key, id))) return true;
      simdjson::ondemand::value& fv = f.value();
      switch (id) {
        case key_id::city:
          if (see(seen, detail::f_city, city_label_) || string_field(fv, city_label_, true, e.city))
            return true;
          break;
        case key_id::country:
          if (see(seen, detail::f_country, country_label_) || string_field(fv, country_label_, true, e.country))
            return true;
          break;
        case key_id::latitude:
          if (see(seen, detail::f_latitude, latitude_label_) || number_field(fv, latitude_label_, e.latitude))
            return true;
          break;
        case key_id::longitude:
          if (see(seen, detail::f_longitude, longitude_label_) || number_field(fv, longitude_label_, e.longitude))
            return true;
          break;
        default: break;
      }
    }
    return false;
  }

  failed decode_one(const char* buf, std::size_t len, std::size_t cap, device_event& e) {
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
      key_id id = custom_ ? key_id::other : top_key(f.key().raw());
      if (id == key_id::other && (custom_ ? custom_key(f, true, id) : slow_key(f, top_key, id))) return true;
      simdjson::ondemand::value& v = f.value();
      bool bad = false;
      switch (id) {
        case key_id::event_id:
          bad = see(seen, detail::f_event_id, name(F::event_id)) || string_field(v, name(F::event_id), false, event_id);
          break;
        case key_id::device_id:
          bad = see(seen, detail::f_device_id, name(F::device_id)) ||
                string_field(v, name(F::device_id), false, device_id);
          break;
        case key_id::device_type:
          bad = see(seen, detail::f_device_type, name(F::device_type)) ||
                string_field(v, name(F::device_type), false, device_type);
          break;
        case key_id::event_time:
          bad = see(seen, detail::f_event_time, name(F::event_time)) ||
                string_field(v, name(F::event_time), false, event_time);
          break;
        case key_id::event_duration:
          bad = see(seen, detail::f_event_duration, name(F::event_duration)) ||
                number_field(v, name(F::event_duration), e.event_duration);
          break;
        case key_id::battery_level:
          bad = see(seen, detail::f_battery_level, name(F::battery_level)) ||
                number_field(v, name(F::battery_level), e.battery_level);
          break;
        case key_id::signal_strength:
          bad = see(seen, detail::f_signal_strength, name(F::signal_strength)) ||
                number_field(v, name(F::signal_strength), e.signal_strength);
          break;
        case key_id::location:
          bad = see(seen, detail::f_location, name(F::location)) || location_field(v, e, seen);
          break;
        case key_id::firmware_version:
          bad = see(seen, detail::f_firmware_version, name(F::firmware_version)) ||
                string_field(v, name(F::firmware_version), true, e.firmware_version);
          break;
        default: break;
      }
      if (bad) return true;
    }
    // After the object, only the end of the document may follow.
    if (const char* rest = nullptr; doc.current_location().get(rest) == simdjson::SUCCESS)
      return not_json(simdjson::TRAILING_CONTENT);
    const auto missing = [&](const std::optional<std::string_view>& f, const std::string& name) -> failed {
      if (!f) return fail(event_reject_kind::missing_field, "missing required field \"" + name + '"');
      if (f->empty()) return fail(event_reject_kind::missing_field, "empty required field \"" + name + '"');
      return false;
    };
    if (missing(event_id, name(F::event_id)) || missing(device_id, name(F::device_id)) ||
        missing(device_type, name(F::device_type)) || missing(event_time, name(F::event_time)))
      return true;
    const auto t = time_parser_(*event_time);
    if (!t) {
      std::string r = "bad timestamp in field \"" + name(F::event_time) + "\": \"";
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
    return false;
  }

  using F = event_fields;
  [[nodiscard]] const std::string& name(F::field f) const noexcept { return names_[f]; }

  event_fields names_;
  mismatch_handler on_mismatch_;   // the names' check, when set
  bool custom_ = false;        // names other than the schema's: keys are matched by `custom_key`
  std::string city_label_;     // "location.city" with the configured names, for messages
  std::string country_label_;
  std::string latitude_label_;
  std::string longitude_label_;
  simdjson::ondemand::parser parser_;
  simdjson::dom::parser dom_parser_;   // allocates on its first use
  detail::chunk_arena arena_;
  iso8601_parser time_parser_;
  event_codec_stats stats_;
  event_reject_kind fail_kind_ = event_reject_kind::not_json;   // of the last failed decode_one
  std::string fail_reason_;
};

static_assert(codec_for<json_event_codec, source_record>);
static_assert(codec_for<json_event_codec, record_view>);

}  // namespace sluice::inline v0::event_etl
