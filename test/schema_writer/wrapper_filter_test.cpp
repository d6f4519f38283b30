// SPDX-License-Identifier: Apache-2.0
#include <sluice/schema_writer/wrapper_filter.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

namespace sw = sluice::schema_writer;

static_assert(sw::is_wrapper_schema("", "oracle.goldengate.generic_wrapper"));
static_assert(!sw::is_wrapper_schema("orclpdb1.hr.t", "HR.T"));

TEST(WrapperFilter, MatchesByKeyIgnoringCase) {
  EXPECT_TRUE(sw::is_wrapper_schema("generic_wrapper", ""));
  EXPECT_TRUE(sw::is_wrapper_schema("GENERIC_WRAPPER", ""));
  EXPECT_TRUE(sw::is_wrapper_schema("oracle.goldengate.generic_wrapper", ""));
  EXPECT_TRUE(sw::is_wrapper_schema("ORACLE.GoldenGate.Generic_Wrapper", "HR.T"));
}

TEST(WrapperFilter, DoesNotMatchSimilarKeys) {
  EXPECT_FALSE(sw::is_wrapper_schema("generic_wrapper2", ""));
  EXPECT_FALSE(sw::is_wrapper_schema("x.generic_wrapper", ""));
  EXPECT_FALSE(sw::is_wrapper_schema("goldengate.generic_wrapper", ""));
  EXPECT_FALSE(sw::is_wrapper_schema("oracle.goldengate.generic_wrapper ", ""));
  EXPECT_FALSE(sw::is_wrapper_schema("gg.oracle.generic_wrapper", ""));
  EXPECT_FALSE(sw::is_wrapper_schema("", ""));
  EXPECT_FALSE(sw::is_wrapper_schema("orclpdb1.hr.accounts", "HR.ACCOUNTS"));
}

TEST(WrapperFilter, MatchesBySchemaFullNameExactly) {
  EXPECT_TRUE(sw::is_wrapper_schema("ORCLPDB1.HR.ACCOUNTS", "oracle.goldengate.generic_wrapper"));
  EXPECT_FALSE(sw::is_wrapper_schema("", "Oracle.GoldenGate.generic_wrapper"));  // Avro names are case-sensitive
  EXPECT_FALSE(sw::is_wrapper_schema("", "generic_wrapper"));
  EXPECT_FALSE(sw::is_wrapper_schema("", "oracle.goldengate.generic_wrapper_v2"));
}

TEST(WrapperFilter, FullNameFollowsAvroNamespaceRules) {
  EXPECT_TRUE(sw::is_wrapper_full_name("generic_wrapper", "oracle.goldengate"));
  EXPECT_TRUE(sw::is_wrapper_full_name("oracle.goldengate.generic_wrapper", ""));
  EXPECT_TRUE(sw::is_wrapper_full_name("oracle.goldengate.generic_wrapper", "ignored.ns"));
  EXPECT_FALSE(sw::is_wrapper_full_name("generic_wrapper", ""));
  EXPECT_FALSE(sw::is_wrapper_full_name("generic_wrapper", "oracle"));
  EXPECT_FALSE(sw::is_wrapper_full_name("generic_wrapper", "Oracle.goldengate"));
  EXPECT_FALSE(sw::is_wrapper_full_name("wrapper", "oracle.goldengate.generic"));
  EXPECT_FALSE(sw::is_wrapper_full_name("goldengate.generic_wrapper", "oracle"));  // dotted name ignores ns
  EXPECT_FALSE(sw::is_wrapper_full_name("generic_wrapper", "oracle.goldengate."));
  EXPECT_FALSE(sw::is_wrapper_full_name("", "oracle.goldengate.generic_wrapper"));
}

namespace {

bool file_names_wrapper(const char* file) {
  simdjson::dom::parser parser;
  const auto doc = parser.load(std::string(SLUICE_TESTDATA_DIR) + "/goldengate/" + file);
  EXPECT_FALSE(doc.error()) << file << ": " << simdjson::error_message(doc.error());
  if (doc.error()) return false;
  std::string_view name;
  std::string_view ns;
  EXPECT_FALSE(doc["name"].get(name));
  EXPECT_FALSE(doc["namespace"].get(ns));
  return sw::is_wrapper_full_name(name, ns);
}

}  // namespace

TEST(WrapperFilter, RecognizesTheGoldenGateWrapperFileAndNoTableSchema) {
  EXPECT_TRUE(file_names_wrapper("generic_wrapper.avsc"));
  EXPECT_FALSE(file_names_wrapper("gg_table_example.avsc"));
  EXPECT_FALSE(file_names_wrapper("gg_table_example_row_formatter.avsc"));
}
