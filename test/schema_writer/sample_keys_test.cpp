// SPDX-License-Identifier: Apache-2.0
// Every key of the bundled schema-topic sample, with the decision the schema writer must take.
#include <sluice/schema_writer/normalize_key.hpp>
#include <sluice/schema_writer/wrapper_filter.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sw = sluice::schema_writer;

namespace {

struct message {
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::string schema_name;       // top-level "name", empty when absent or not parseable
  std::string schema_namespace;  // top-level "namespace"
};

std::vector<message> read_sample() {
  const std::string path = std::string(SLUICE_TESTDATA_DIR) + "/goldengate/schema-topic.sample.jsonl";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::vector<message> out;
  simdjson::dom::parser line_parser;
  simdjson::dom::parser payload_parser;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    simdjson::dom::element doc;
    EXPECT_FALSE(line_parser.parse(line).get(doc)) << line;
    message m;
    EXPECT_FALSE(doc["offset"].get(m.offset));
    std::string_view text;
    if (!doc["key"].is_null()) {
      EXPECT_FALSE(doc["key"].get(text));
      m.key = std::string(text);
    }
    if (!doc["payload"].is_null() && !doc["payload"].get(text)) {
      simdjson::dom::element schema;
      if (!payload_parser.parse(std::string(text)).get(schema) && schema.is_object()) {
        if (!schema["name"].get(text)) m.schema_name = text;
        if (!schema["namespace"].get(text)) m.schema_namespace = text;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

TEST(SampleKeys, EveryKeyOfTheSampleHasItsExpectedDecision) {
  // Written by hand from docs/architecture.md §2: the normalized key, or "reject: <reason>".
  const std::map<std::string, std::string> expected = {
      {"ORCLPDB1.HR.ACCOUNTS", "orclpdb1.hr.accounts"},
      {"ORCLPDB1.HR.NOPAYLOAD", "orclpdb1.hr.nopayload"},
      {"HRPDB.HR.ITEMS", "hrpdb.hr.items"},
      {"ORCLPDB1.FIN.PAYMENTS", "orclpdb1.fin.payments"},
      {"SALESPDB.C##APP_OWNER.ACCOUNTS", "salespdb.app_owner.accounts"},
      {"ORCLPDB1.C##GGADMIN.EMPLOYEES", "orclpdb1.ggadmin.employees"},
      {"HRPDB.C##APP_OWNER.PAYMENTS", "hrpdb.app_owner.payments"},
      {"C##GGADMIN.GG_HEARTBEAT", "gg.ggadmin.gg_heartbeat"},
      {"ORCLPDB1.C##APP_OWNER.ACCOUNTS", "orclpdb1.app_owner.accounts"},
      {"SALESPDB.C##GGADMIN.ITEMS_7", "salespdb.ggadmin.items_7"},
      {"ORCLPDB1.HR.DUP_FIELDS", "orclpdb1.hr.dup_fields"},
      {"ORCLPDB1.HR.BROKEN_JSON", "orclpdb1.hr.broken_json"},
      {"ORCLPDB1.HR.NOT_AVRO", "orclpdb1.hr.not_avro"},
      {"ORCLPDB1.HR.\x01" "CTRL", "reject: key contains the control character U+0001 at offset 12"},
      {"ORCLPDB1.HR/../../ETC.PASSWD",
       "reject: key contains the path separator '/' (U+002F) at offset 11"},
      {"..", "reject: key contains '..'"},
      {"ONEPART",
       "reject: key has 1 part; expected db.schema.table (or schema.table for a GoldenGate "
       "heartbeat table)"},
      {"A.B.C.D.E",
       "reject: key has 5 parts; expected db.schema.table (or schema.table for a GoldenGate "
       "heartbeat table)"},
  };
  // Offsets whose message is the envelope schema: filtered, neither written nor dead-lettered.
  const std::set<std::int64_t> wrappers = {2, 4, 9};

  const auto messages = read_sample();
  ASSERT_EQ(messages.size(), 41u);
  std::set<std::string> seen;
  for (const auto& m : messages) {
    SCOPED_TRACE("offset " + std::to_string(m.offset));
    const std::string_view key = m.key ? std::string_view(*m.key) : std::string_view{};
    const bool by_name = sw::is_wrapper_full_name(m.schema_name, m.schema_namespace);
    const std::string full_name =
        m.schema_namespace.empty() ? m.schema_name : m.schema_namespace + "." + m.schema_name;
    const bool wrapper = sw::is_wrapper_schema(key, full_name);
    ASSERT_EQ(wrapper, wrappers.count(m.offset) == 1);
    EXPECT_EQ(by_name, wrapper);  // in the sample every wrapper also names itself
    if (wrapper) continue;

    ASSERT_TRUE(m.key.has_value());
    const auto it = expected.find(*m.key);
    ASSERT_NE(it, expected.end()) << "key not in the table: " << ::testing::PrintToString(*m.key);
    seen.insert(*m.key);
    const auto r = sw::normalize_key(*m.key);
    EXPECT_EQ(r ? r.value() : "reject: " + r.error().reason, it->second);
  }
  EXPECT_EQ(seen.size(), expected.size()) << "every expected key occurs in the sample";
}

TEST(SampleKeys, WrapperKeysWouldBeRejectedOrKeptWithoutTheFilter) {
  // Why the filter runs first: the short key is one part and the long one a valid table name.
  EXPECT_FALSE(sw::normalize_key("generic_wrapper").has_value());
  EXPECT_EQ(sw::normalize_key("oracle.goldengate.generic_wrapper").value(),
            "oracle.goldengate.generic_wrapper");
}
