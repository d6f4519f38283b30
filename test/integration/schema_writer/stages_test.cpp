// SPDX-License-Identifier: Apache-2.0
// The schema writer's stages on their own: message_codec and catalog_transform.
#include "sluice/avro/avro.hpp"
#include "sluice/core/concepts/codec.hpp"
#include "sluice/core/concepts/transform.hpp"
#include "sluice/schema_writer/catalog_transform.hpp"
#include "sluice/schema_writer/message_codec.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <string>
#include <vector>

namespace sw = sluice::schema_writer;
using sluice::object;
using sluice::reject_list;
using sluice::source_record;

static_assert(sluice::codec_for<sw::message_codec, source_record>);
static_assert(sluice::transform_for<sw::catalog_transform, sw::schema_message>);
static_assert(std::is_trivially_copyable_v<sw::message_codec>);

namespace {

source_record rec(std::optional<std::string> key, std::optional<std::string> payload,
                  std::int64_t offset = 0) {
  source_record r;
  r.topic = "gg-schemas";
  r.offset = offset;
  r.key = std::move(key);
  r.payload = std::move(payload);
  return r;
}

sw::schema_message msg(std::size_t origin, std::optional<std::string> key, std::string payload) {
  return sw::schema_message{origin, std::move(key), std::move(payload)};
}

// GoldenGate's heartbeat table as in the sample topic (offset 14). Its fingerprint,
// -7631826525557311234, was computed by Java Avro 1.12.2 (test/tools/avro-oracle, `oracle
// fingerprint`) and is also the example docs/architecture.md §2 gives.
constexpr const char* heartbeat_schema =
    R"({"type": "record", "name": "GG_HEARTBEAT", "namespace": "C__GGADMIN", "fields": [{"name": "table", "type": "string"}, {"name": "op_type", "type": "string"}, {"name": "after", "type": ["null", {"type": "record", "name": "columns", "fields": [{"name": "REMOTE_DATABASE", "type": ["null", "string"], "default": null}, {"name": "INCOMING_HEARTBEAT_TS", "type": ["null", "string"], "default": null}, {"name": "INCOMING_LAG", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 40, "scale": 6}]}]}], "default": null}]})";

constexpr const char* wrapper_schema =
    R"({"type":"record","name":"generic_wrapper","namespace":"oracle.goldengate","fields":[{"name":"table_name","type":"string"},{"name":"schema_fingerprint","type":"long"},{"name":"payload","type":"bytes"}]})";

constexpr const char* upper_schema =
    R"({"type":"record","name":"T","namespace":"HR","fields":[{"name":"ID","type":"long"},{"name":"AMOUNT","type":{"type":"bytes","logicalType":"decimal","precision":44,"scale":40}}]})";

}  // namespace

TEST(MessageCodec, TextMessagesBecomeSchemaMessagesWithTheirOrigin) {
  const std::vector<source_record> in{rec("A.B.C", "{}"), rec(std::nullopt, "\"int\""),
                                      rec("X.Y.Z", "[]")};
  std::vector<sw::schema_message> out;
  reject_list rejects;
  sw::message_codec codec;
  ASSERT_TRUE(codec.decode(in, out, rejects));
  EXPECT_TRUE(rejects.empty());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], msg(0, "A.B.C", "{}"));
  EXPECT_EQ(out[1], msg(1, std::nullopt, "\"int\""));  // no key: decided by the transform
  EXPECT_EQ(out[2], msg(2, "X.Y.Z", "[]"));
}

TEST(MessageCodec, TombstonesAndNonUtf8AreRejectedWithReasons) {
  const std::vector<source_record> in{rec("A.B.C", std::nullopt), rec("A.B.C", "{\"a\":\"\xC3\x28\"}"),
                                      rec(std::string("A.\xFF.C"), "{}"), rec("ok.ok.ok", "{}")};
  std::vector<sw::schema_message> out;
  reject_list rejects;
  ASSERT_TRUE(sw::message_codec{}.decode(in, out, rejects));
  ASSERT_EQ(rejects.size(), 3u);
  EXPECT_EQ(rejects.items()[0].origin, 0u);
  EXPECT_NE(rejects.items()[0].reason.find("no payload"), std::string::npos);
  EXPECT_EQ(rejects.items()[1].origin, 1u);
  EXPECT_EQ(rejects.items()[1].reason, "payload is not valid UTF-8 (byte 0xC3 at offset 6)");
  EXPECT_EQ(rejects.items()[2].origin, 2u);
  EXPECT_EQ(rejects.items()[2].reason, "key is not valid UTF-8 (byte 0xFF at offset 2)");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].origin, 3u);
}

TEST(MessageCodec, InputTheSourceCouldNotReadIsRejectedWithTheSourcesReason) {
  // The codec does not know the source: a record the source flagged as unreadable is rejected
  // with the source's reason, although its bytes would be a valid message.
  std::vector<source_record> in{rec("A.B.C", "{}"), rec("A.B.C", "{}")};
  in[0].bad_input = "line 1 of the kcat file is not a kcat -J message: not valid JSON";
  std::vector<sw::schema_message> out;
  reject_list rejects;
  ASSERT_TRUE(sw::message_codec{}.decode(in, out, rejects));
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects.items()[0].origin, 0u);
  EXPECT_EQ(rejects.items()[0].reason, *in[0].bad_input);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].origin, 1u);
}

TEST(CatalogTransform, TableSchemaBecomesCatalogObjectNamedByRawFingerprint) {
  std::vector<sw::schema_message> in{msg(7, "C##GGADMIN.GG_HEARTBEAT", heartbeat_schema)};
  std::vector<object> out;
  reject_list rejects;
  sw::catalog_transform t;
  ASSERT_TRUE(t.apply(in, out, rejects));
  EXPECT_TRUE(rejects.empty());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].key, "gg.ggadmin.gg_heartbeat/-7631826525557311234.avsc");
  EXPECT_EQ(out[0].origin, 7u);
  const auto expected = sluice::avro::preprocess(heartbeat_schema);
  ASSERT_TRUE(expected);
  EXPECT_EQ(out[0].bytes, expected.value());
  // Independently of preprocess: the column names are lowercased, type names are kept, the
  // decimal precision 40 is capped at 38.
  EXPECT_NE(out[0].bytes.find("\"incoming_heartbeat_ts\""), std::string::npos);
  EXPECT_EQ(out[0].bytes.find("INCOMING"), std::string::npos);
  EXPECT_EQ(out[0].bytes.find("REMOTE"), std::string::npos);
  EXPECT_NE(out[0].bytes.find("\"GG_HEARTBEAT\""), std::string::npos);
  EXPECT_NE(out[0].bytes.find("\"precision\":38,\"scale\":6"), std::string::npos);
  EXPECT_EQ(t.stats(), (sw::catalog_stats{1, 0, 0}));
}

TEST(CatalogTransform, FingerprintIsOfTheRawSchemaNotThePreprocessedOne) {
  std::vector<sw::schema_message> in{msg(0, "DB.HR.T", upper_schema)};
  std::vector<object> out;
  reject_list rejects;
  sw::catalog_transform t;
  ASSERT_TRUE(t.apply(in, out, rejects));
  ASSERT_EQ(out.size(), 1u);
  const auto raw_fp = sluice::avro::fingerprint(upper_schema);
  const auto pre_fp = sluice::avro::fingerprint(out[0].bytes);
  ASSERT_TRUE(raw_fp && pre_fp);
  ASSERT_NE(raw_fp.value(), pre_fp.value());
  EXPECT_EQ(out[0].key, "db.hr.t/" + sluice::avro::fingerprint_decimal(raw_fp.value()) + ".avsc");
  // Decimal precision capped at 38, scale kept within it.
  EXPECT_NE(out[0].bytes.find("\"precision\":38"), std::string::npos);
  EXPECT_NE(out[0].bytes.find("\"scale\":38"), std::string::npos);
  EXPECT_NE(out[0].bytes.find("\"id\""), std::string::npos);
}

TEST(CatalogTransform, LowercasingCanBeSwitchedOff) {
  std::vector<sw::schema_message> in{msg(0, "DB.HR.T", upper_schema)};
  std::vector<object> out;
  reject_list rejects;
  sw::catalog_transform t{sw::catalog_options{.lowercase_field_names = false}};
  ASSERT_TRUE(t.apply(in, out, rejects));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].bytes.find("\"ID\""), std::string::npos);
  EXPECT_NE(out[0].bytes.find("\"AMOUNT\""), std::string::npos);
  EXPECT_NE(out[0].bytes.find("\"precision\":38"), std::string::npos);
}

TEST(CatalogTransform, EnvelopeSchemaIsFilteredByKeyOrFullNameAndCounted) {
  std::vector<sw::schema_message> in{
      msg(0, "generic_wrapper", wrapper_schema),
      msg(1, "ORACLE.GOLDENGATE.GENERIC_WRAPPER", "not even JSON"),  // key alone decides
      msg(2, std::nullopt, wrapper_schema),                          // no key: by full name
      msg(3, "DB.HR.T", wrapper_schema),                             // table key, wrapper schema
  };
  std::vector<object> out;
  reject_list rejects;
  sw::catalog_transform t;
  ASSERT_TRUE(t.apply(in, out, rejects));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(rejects.empty());
  EXPECT_EQ(t.stats(), (sw::catalog_stats{0, 4, 0}));
}

TEST(CatalogTransform, BadKeysInvalidSchemasAndMissingKeysAreRejectedWithReasons) {
  std::vector<sw::schema_message> in{
      msg(0, "ONEPART", heartbeat_schema),
      msg(1, "DB.HR/../ETC.PASSWD", heartbeat_schema),
      msg(2, "DB.HR.BROKEN", R"({"type":"record","name":"X",)"),
      msg(3, "DB.HR.DUP", R"({"type":"record","name":"D","fields":[{"name":"A","type":"int"},{"name":"A","type":"int"}]})"),
      msg(4, std::nullopt, heartbeat_schema),
      msg(5, "DB.HR.COLLIDE", R"({"type":"record","name":"C","fields":[{"name":"Id","type":"int"},{"name":"ID","type":"int"}]})"),
      msg(6, "DB.HR.OK", heartbeat_schema),
  };
  std::vector<object> out;
  reject_list rejects;
  sw::catalog_transform t;
  ASSERT_TRUE(t.apply(in, out, rejects));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].origin, 6u);
  EXPECT_EQ(out[0].key, "db.hr.ok/-7631826525557311234.avsc");
  ASSERT_EQ(rejects.size(), 6u);
  const auto& r = rejects.items();
  EXPECT_EQ(r[0].origin, 0u);
  EXPECT_NE(r[0].reason.find("1 part"), std::string::npos) << r[0].reason;
  EXPECT_EQ(r[1].origin, 1u);
  EXPECT_NE(r[1].reason.find("path separator"), std::string::npos) << r[1].reason;
  EXPECT_EQ(r[2].origin, 2u);
  EXPECT_EQ(r[2].reason.rfind("invalid Avro schema: $", 0), 0u) << r[2].reason;
  EXPECT_EQ(r[3].origin, 3u);
  EXPECT_EQ(r[3].reason.rfind("invalid Avro schema: $", 0), 0u) << r[3].reason;
  EXPECT_NE(r[3].reason.find("A"), std::string::npos);
  EXPECT_EQ(r[4].origin, 4u);
  EXPECT_NE(r[4].reason.find("no key"), std::string::npos);
  EXPECT_EQ(r[5].origin, 5u);
  EXPECT_EQ(r[5].reason.rfind("cannot preprocess the schema: ", 0), 0u) << r[5].reason;
  EXPECT_EQ(t.stats(), (sw::catalog_stats{1, 0, 6}));
  EXPECT_TRUE(in.empty());
}

TEST(CatalogTransform, OutputIsDeterministic) {
  sw::catalog_transform a;
  sw::catalog_transform b;
  std::vector<object> out_a;
  std::vector<object> out_b;
  reject_list ra;
  reject_list rb;
  for (int round = 0; round < 3; ++round) {
    std::vector<sw::schema_message> in{msg(0, "DB.HR.T", upper_schema),
                                       msg(1, "C##GGADMIN.GG_HEARTBEAT", heartbeat_schema)};
    std::vector<sw::schema_message> in2 = in;
    ASSERT_TRUE(a.apply(in, out_a, ra));
    ASSERT_TRUE(b.apply(in2, out_b, rb));
  }
  ASSERT_EQ(out_a.size(), 6u);
  EXPECT_EQ(out_a, out_b);
  for (std::size_t i = 2; i < out_a.size(); ++i) EXPECT_EQ(out_a[i], out_a[i - 2]);
}

TEST(CatalogKey, IsTableSlashSignedDecimalDotAvsc) {
  EXPECT_EQ(sw::catalog_key("a.b.c", -7631826525557311234), "a.b.c/-7631826525557311234.avsc");
  EXPECT_EQ(sw::catalog_key("a.b.c", 0), "a.b.c/0.avsc");
  EXPECT_EQ(sw::catalog_key("a.b.c", INT64_MIN), "a.b.c/-9223372036854775808.avsc");
}
