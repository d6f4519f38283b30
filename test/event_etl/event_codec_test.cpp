// SPDX-License-Identifier: Apache-2.0
// json_event_codec: exact values of valid events (any field order, escapes, nulls, unknown
// fields, padded or not) and the exact reason of every kind of reject.
#include "helpers.hpp"

#include "sluice/event_etl/event_codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace stream_test;

struct decoded {
  std::vector<device_event> events;
  std::vector<reject> rejects;
};

decoded decode(json_event_codec& c, const std::vector<source_record>& recs) {
  decoded d;
  reject_list rj;
  EXPECT_TRUE(c.decode(recs, d.events, rj));
  d.rejects = rj.items();
  return d;
}

std::string reason_of(std::string payload, bool padded = true) {
  json_event_codec c;
  const auto d = decode(c, {record(std::move(payload), 0, padded)});
  EXPECT_TRUE(d.events.empty());
  return d.rejects.empty() ? std::string("<accepted>") : d.rejects[0].reason;
}

TEST(EventCodec, KeysAreMatchedAfterUnescapingAndOnlyWhole) {
  // Field names spelt with escapes are the same names (as a JSON reader sees them); a name that
  // only starts like a field name is another field; short keys at the end of a document are
  // read safely (padded or not).
  for (const bool padded : {true, false}) {
    json_event_codec c;
    const std::string text =
        R"({"event\u005fid":"a","device_id":"d1","device_type":"t","event_timestamp":"x",)"
        R"("event_time":"2024-06-01T00:00:00Z","event_idx":"ignored","locati\u006fn":)"
        R"({"c\u0069ty":"Oslo","countryx":"ignored","e":1},"e":1})";
    const auto d = decode(c, {record(text, 0, padded)});
    ASSERT_EQ(d.events.size(), 1u) << (d.rejects.empty() ? "" : d.rejects[0].reason);
    EXPECT_EQ(d.events[0].event_id, "a");
    EXPECT_EQ(d.events[0].city, "Oslo");
    EXPECT_FALSE(d.events[0].country.has_value());
  }
  EXPECT_EQ(reason_of(R"({"event_id":"a","event\u005fid":"b"})"), "duplicate field \"event_id\"");
  EXPECT_EQ(reason_of(R"({"location":{"city":"a","c\u0069ty":"b"}})"),
            "duplicate field \"location.city\"");
  EXPECT_EQ(reason_of(R"({"e":1})", false), "missing required field \"event_id\"");
}

TEST(EventCodec, InputTheSourceCouldNotReadIsRejectedWithTheSourcesReason) {
  // A record whose source flagged it (a kcat line that is not a kcat message, say) is rejected
  // with the source's reason, even if its raw bytes would parse as an event.
  json_event_codec c;
  auto rec = record(R"({"event_id":"a","device_id":"d","device_type":"t","event_time":"2024-06-01T00:00:00Z"})");
  rec.bad_input = "line 3 of the kcat file is not a kcat -J message: no string \"topic\"";
  const auto d = decode(c, {rec});
  EXPECT_TRUE(d.events.empty());
  ASSERT_EQ(d.rejects.size(), 1u);
  EXPECT_EQ(d.rejects[0].reason, *rec.bad_input);
  EXPECT_EQ(c.stats().rejected[0], 1);
}

TEST(EventCodec, DecodesEveryFieldExactly) {
  for (const bool padded : {true, false}) {
    json_event_codec c;
    json_event j;
    j.event_time = "2024-06-01T12:00:01.250Z";
    const auto d = decode(c, {record(j.text(), 0, padded)});
    ASSERT_EQ(d.events.size(), 1u);
    ASSERT_TRUE(d.rejects.empty());
    const auto& e = d.events[0];
    EXPECT_EQ(e.event_id, "e1");
    EXPECT_EQ(e.device_id, "d1");
    EXPECT_EQ(e.device_type, "thermostat");
    EXPECT_EQ(e.event_time_ms, ms("2024-06-01T12:00:01.250Z"));
    EXPECT_EQ(e.event_duration, 1.5);
    EXPECT_EQ(e.battery_level, 80.0);
    EXPECT_EQ(e.signal_strength, -70.0);
    EXPECT_EQ(e.city, "Berlin");
    EXPECT_EQ(e.country, "DE");
    EXPECT_EQ(e.latitude, 52.52);
    EXPECT_EQ(e.longitude, 13.405);
    EXPECT_EQ(e.firmware_version, "1.2.3");
    EXPECT_EQ(e.origin, 0u);
    EXPECT_EQ(c.stats().decoded, 1);
  }
}

TEST(EventCodec, AnyFieldOrderUnknownFieldsAndWhitespace) {
  json_event_codec c;
  const std::string text =
      " { \"firmware_version\" : null , \"extra\" : {\"a\":[1,2,{\"b\":null}]} ,\n"
      "\"location\":{\"longitude\":-0.5,\"unknown\":true,\"city\":\"London\"},\"event_time\":"
      "\"2024-06-01T00:00:00+01:00\",\"battery_level\":1e2,\"device_type\":\"t\",\"signal_strength\":"
      "-1.25e1,\"device_id\":\"D\",\"event_duration\":0,\"event_id\":\"E\"}  ";
  const auto d = decode(c, {record(text)});
  ASSERT_EQ(d.events.size(), 1u) << (d.rejects.empty() ? "" : d.rejects[0].reason);
  const auto& e = d.events[0];
  EXPECT_EQ(e.event_id, "E");
  EXPECT_EQ(e.device_id, "D");
  EXPECT_EQ(e.device_type, "t");
  EXPECT_EQ(e.event_time_ms, ms("2024-05-31T23:00:00Z"));
  EXPECT_EQ(e.battery_level, 100.0);
  EXPECT_EQ(e.signal_strength, -12.5);
  EXPECT_EQ(e.event_duration, 0.0);
  EXPECT_EQ(e.city, "London");
  EXPECT_FALSE(e.country.has_value());
  EXPECT_FALSE(e.latitude.has_value());
  EXPECT_EQ(e.longitude, -0.5);
  EXPECT_FALSE(e.firmware_version.has_value());
}

TEST(EventCodec, NullsAndMissingOptionalFieldsAreAbsent) {
  json_event_codec c;
  const auto d = decode(
      c, {record(R"({"event_id":"a","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z"})"),
          record(R"({"event_id":"a","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z",)"
                 R"("event_duration":null,"battery_level":null,"signal_strength":null,"location":null,)"
                 R"("firmware_version":null})",
                 1)});
  ASSERT_EQ(d.events.size(), 2u);
  for (const auto& e : d.events) {
    EXPECT_FALSE(e.event_duration || e.battery_level || e.signal_strength || e.city || e.country ||
                 e.latitude || e.longitude || e.firmware_version);
  }
  EXPECT_EQ(d.events[1].origin, 1u);
}

TEST(EventCodec, EscapedStringsAreUnescapedAndStayValidForTheBatch) {
  json_event_codec c;
  std::vector<source_record> recs;
  for (int i = 0; i < 500; ++i) {
    json_event j;
    j.event_id = "id\\u002d" + std::to_string(i);   // "id-<i>"
    j.device_id = "d\\\"q\\\"";                       // d"q"
    j.city = "\"Z\\u00fcrich\"";                      // Zürich
    recs.push_back(record(j.text(), i, i % 2 == 0));
  }
  const auto d = decode(c, recs);
  ASSERT_EQ(d.events.size(), 500u);
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(d.events[i].event_id, "id-" + std::to_string(i));
    EXPECT_EQ(d.events[i].device_id, "d\"q\"");
    EXPECT_EQ(d.events[i].city, "Z\xc3\xbcrich");
    EXPECT_EQ(d.events[i].origin, static_cast<std::size_t>(i));
  }
}

TEST(EventCodec, RejectsNotJsonWithTheReason) {
  EXPECT_EQ(reason_of("not json").rfind("not JSON: ", 0), 0u) << reason_of("not json");
  EXPECT_EQ(reason_of("{\"event_id\":\"a\"").rfind("not JSON: ", 0), 0u);
  EXPECT_EQ(reason_of("{\"event_id\":\"a\",}").rfind("not JSON: ", 0), 0u);
  EXPECT_EQ(reason_of("").rfind("not JSON: ", 0), 0u);
  EXPECT_EQ(reason_of("\xff\xfe{}").rfind("not JSON: ", 0), 0u);   // not UTF-8
  json_event j;
  EXPECT_EQ(reason_of(j.text() + " {}"), "not JSON: " + std::string(simdjson::error_message(simdjson::TRAILING_CONTENT)));
  j.battery_level = "nul";
  EXPECT_EQ(reason_of(j.text()).rfind("not JSON: ", 0), 0u);
  EXPECT_EQ(reason_of("[1,2,3]"), "not a JSON object");
  EXPECT_EQ(reason_of("\"text\""), "not a JSON object");
  EXPECT_EQ(reason_of("42"), "not a JSON object");
}

TEST(EventCodec, RejectsMissingAndEmptyRequiredFields) {
  EXPECT_EQ(reason_of(R"({"device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z"})"),
            "missing required field \"event_id\"");
  EXPECT_EQ(reason_of(R"({"event_id":"a","device_id":null,"device_type":"c","event_time":"2024-06-01T00:00:00Z"})"),
            "missing required field \"device_id\"");
  EXPECT_EQ(reason_of(R"({"event_id":"a","device_id":"b","event_time":"2024-06-01T00:00:00Z"})"),
            "missing required field \"device_type\"");
  EXPECT_EQ(reason_of(R"({"event_id":"a","device_id":"b","device_type":"c"})"),
            "missing required field \"event_time\"");
  EXPECT_EQ(reason_of(R"({"event_id":"","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z"})"),
            "empty required field \"event_id\"");
  EXPECT_EQ(reason_of("{}"), "missing required field \"event_id\"");
}

TEST(EventCodec, RejectsWrongTypesAndDuplicateFields) {
  json_event j;
  j.battery_level = "\"high\"";
  EXPECT_EQ(reason_of(j.text()), "wrong type for field \"battery_level\": expected number or null, got string");
  j = {};
  j.city = "42";
  EXPECT_EQ(reason_of(j.text()), "wrong type for field \"location.city\": expected string or null, got number");
  j = {};
  j.signal_strength = "[1]";
  EXPECT_EQ(reason_of(j.text()), "wrong type for field \"signal_strength\": expected number or null, got array");
  EXPECT_EQ(reason_of(R"({"event_id":7,"device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z"})"),
            "wrong type for field \"event_id\": expected string, got number");
  EXPECT_EQ(reason_of(R"({"event_id":"a","device_id":"b","device_type":"c","event_time":1717200000000})"),
            "wrong type for field \"event_time\": expected string, got number");
  EXPECT_EQ(reason_of(R"({"event_id":"a","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z","location":"Berlin"})"),
            "wrong type for field \"location\": expected object or null, got string");
  EXPECT_EQ(reason_of(R"({"event_id":"a","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z","location":{"latitude":true}})"),
            "wrong type for field \"location.latitude\": expected number or null, got boolean");
  EXPECT_EQ(reason_of(R"({"event_id":"a","event_id":"b","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z"})"),
            "duplicate field \"event_id\"");
  EXPECT_EQ(reason_of(R"({"event_id":"a","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z","location":{"city":"x","city":"y"}})"),
            "duplicate field \"location.city\"");
}

TEST(EventCodec, RejectsBadTimestamps) {
  json_event j;
  j.event_time = "2024-13-01T00:00:00Z";
  EXPECT_EQ(reason_of(j.text()), "bad timestamp in field \"event_time\": \"2024-13-01T00:00:00Z\"");
  j.event_time = "yesterday";
  EXPECT_EQ(reason_of(j.text()), "bad timestamp in field \"event_time\": \"yesterday\"");
  j.event_time = std::string(100, 'x');
  EXPECT_EQ(reason_of(j.text()), "bad timestamp in field \"event_time\": \"" + std::string(64, 'x') + "\"");
  // Cut at a character boundary: 63 ASCII bytes, then a two-byte character across byte 64.
  j.event_time = std::string(63, 'y') + "\xc3\xa9" + "zz";
  EXPECT_EQ(reason_of(j.text()), "bad timestamp in field \"event_time\": \"" + std::string(63, 'y') + "\"");
}

TEST(EventCodec, TombstoneIsARejectAndEveryRecordIsAccountedFor) {
  json_event_codec c;
  std::vector<source_record> recs;
  recs.push_back(record(json_event{}.text(), 0));
  source_record tomb;
  tomb.offset = 1;
  recs.push_back(tomb);
  recs.push_back(record("oops", 2));
  recs.push_back(record(json_event{}.text(), 3));
  recs.push_back(record(R"({"event_id":"a"})", 4));
  recs.push_back(record(R"({"event_id":"a","device_id":"b","device_type":"c","event_time":"x"})", 5));
  recs.push_back(record(R"({"event_id":1})", 6));
  const auto d = decode(c, recs);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[0].origin, 0u);
  EXPECT_EQ(d.events[1].origin, 3u);
  ASSERT_EQ(d.rejects.size(), 5u);
  EXPECT_EQ(d.rejects[0], (reject{1, "no payload (a tombstone)"}));
  EXPECT_EQ(d.rejects[1].origin, 2u);
  EXPECT_EQ(d.rejects[2].origin, 4u);
  EXPECT_EQ(d.rejects[3].origin, 5u);
  EXPECT_EQ(d.rejects[4].origin, 6u);
  const auto& s = c.stats();
  EXPECT_EQ(s.decoded, 2);
  EXPECT_EQ(s.rejected[static_cast<std::size_t>(event_reject_kind::not_json)], 2);
  EXPECT_EQ(s.rejected[static_cast<std::size_t>(event_reject_kind::missing_field)], 1);
  EXPECT_EQ(s.rejected[static_cast<std::size_t>(event_reject_kind::bad_timestamp)], 1);
  EXPECT_EQ(s.rejected[static_cast<std::size_t>(event_reject_kind::wrong_type)], 1);
  EXPECT_EQ(s.rejected_total(), 5);
}

TEST(EventCodec, SameInputSameOutput) {
  std::vector<source_record> recs;
  for (int i = 0; i < 50; ++i) {
    json_event j;
    j.event_id = "e" + std::to_string(i);
    recs.push_back(record(i % 7 == 0 ? "broken" : j.text(), i));
  }
  json_event_codec a, b;
  const auto x = decode(a, recs);
  const auto y = decode(b, recs);
  EXPECT_EQ(x.events, y.events);
  EXPECT_EQ(x.rejects, y.rejects);
  const auto z = decode(a, recs);   // the same codec again (its arena is reused)
  EXPECT_EQ(z.events, x.events);
}

}  // namespace

namespace {

// Configured names: the user's JSON calls the event time `timestamp`, the device `dev`, the
// location `where` and its city `town`; the values land in the same event fields, the schema's
// names are then other fields, and every message names the configured field.
TEST(EventCodec, ConfiguredFieldNamesAreReadAndNamedInRejects) {
  event_fields names;
  names[event_fields::event_time] = "timestamp";
  names[event_fields::device_id] = "dev";
  names[event_fields::location] = "where";
  names[event_fields::city] = "town";
  json_event_codec c(names);
  const auto d = decode(
      c, {record(R"({"event_id":"e1","dev":"d1","device_type":"meter","timestamp":"2024-06-01T12:00:01.250Z",)"
                 R"("where":{"town":"Paris","country":"FR","city":"ignored"},"battery_level":50})"),
          record(R"({"event_id":"e2","dev":"d1","device_type":"meter","ti\u006Destamp":"2024-06-01T12:00:02Z"})")});
  ASSERT_EQ(d.events.size(), 2u) << (d.rejects.empty() ? "" : d.rejects[0].reason);
  EXPECT_EQ(d.events[0].device_id, "d1");
  EXPECT_EQ(d.events[0].event_time_ms, ms("2024-06-01T12:00:01.250Z"));
  EXPECT_EQ(d.events[0].city, std::optional<std::string_view>("Paris"));
  EXPECT_EQ(d.events[0].country, std::optional<std::string_view>("FR"));
  EXPECT_EQ(d.events[0].battery_level, 50.0);
  EXPECT_EQ(d.events[1].event_time_ms, ms("2024-06-01T12:00:02Z"));   // an escaped key is the same key

  const auto reason = [&](std::string payload) {
    json_event_codec cc(names);
    const auto r = decode(cc, {record(std::move(payload))});
    return r.rejects.empty() ? std::string("<accepted>") : r.rejects[0].reason;
  };
  // The schema's own name is now just another field.
  EXPECT_EQ(reason(R"({"event_id":"a","dev":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z"})"),
            "missing required field \"timestamp\"");
  EXPECT_EQ(reason(R"({"event_id":"a","device_id":"b","device_type":"c","timestamp":"2024-06-01T00:00:00Z"})"),
            "missing required field \"dev\"");
  EXPECT_EQ(reason(R"({"event_id":"a","dev":"b","device_type":"c","timestamp":"yesterday"})"),
            "bad timestamp in field \"timestamp\": \"yesterday\"");
  EXPECT_EQ(reason(R"({"where":{"town":1}})"), "wrong type for field \"where.town\": expected string or null, got number");
  EXPECT_EQ(reason(R"({"where":3})"), "wrong type for field \"where\": expected object or null, got number");
  EXPECT_EQ(reason(R"({"dev":"a","dev":"b"})"), "duplicate field \"dev\"");
  // The default names decode as before through the same constructor.
  json_event_codec plain{event_fields{}};
  EXPECT_EQ(decode(plain, {record(R"({"event_id":"a","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z"})")})
                .events.size(),
            1u);
}

TEST(EventCodec, TheFieldNamesCheckFailsABatchOnlyUntilAnEventDecodes) {
  event_fields names;
  names[event_fields::event_time] = "timestamp";
  std::vector<std::string> said;
  json_event_codec c(names, [&](const std::string& why) { said.push_back(why); });
  const std::string schema_names = R"({"event_id":"a","device_id":"b","device_type":"c","event_time":"2024-06-01T00:00:00Z"})";
  const std::string mapped = R"({"event_id":"a","device_id":"b","device_type":"c","timestamp":"2024-06-01T00:00:00Z"})";
  std::vector<device_event> out;
  // Every record lacks the mapped field: the batch fails, with the field and the record's fields.
  {
    reject_list rj;
    const auto r = c.decode(std::vector<source_record>{record(schema_names), record(schema_names)}, out, rj);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), errc::invalid_argument);
    ASSERT_EQ(said.size(), 1u);
    EXPECT_NE(said[0].find("missing required field \"timestamp\""), std::string::npos) << said[0];
    EXPECT_NE(said[0].find("event_id, device_id, device_type, event_time"), std::string::npos) << said[0];
  }
  // Other rejects alone (not JSON) are the input's fault: dead letters, no failure.
  {
    reject_list rj;
    out.clear();
    EXPECT_TRUE(c.decode(std::vector<source_record>{record("[1]"), record("nope")}, out, rj));
    EXPECT_EQ(rj.items().size(), 2u);
  }
  // One event decodes: the batch passes, its misfit is a dead letter, and the check is off.
  {
    reject_list rj;
    out.clear();
    EXPECT_TRUE(c.decode(std::vector<source_record>{record(schema_names), record(mapped)}, out, rj));
    EXPECT_EQ(out.size(), 1u);
    EXPECT_EQ(rj.items().size(), 1u);
    rj.clear();
    out.clear();
    EXPECT_TRUE(c.decode(std::vector<source_record>{record(schema_names)}, out, rj));
    EXPECT_EQ(rj.items().size(), 1u);
    EXPECT_EQ(said.size(), 1u);
  }
  // Without a handler there is no check.
  json_event_codec unchecked(names);
  reject_list rj;
  out.clear();
  EXPECT_TRUE(unchecked.decode(std::vector<source_record>{record(schema_names)}, out, rj));
  EXPECT_EQ(rj.items().size(), 1u);
}

}  // namespace
