// SPDX-License-Identifier: Apache-2.0
// schema_parser::preprocess / avro::preprocess: Spark-oriented rewriting of a validated schema.
#include <sluice/avro/schema_parser.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <string>

namespace {

namespace avro = sluice::avro;
using sluice::errc;

std::string pre(const std::string& s, avro::preprocess_options opt = {}) {
  avro::parse_error err;
  auto r = avro::preprocess(s, opt, &err);
  EXPECT_TRUE(r) << s << "\n" << err.to_string();
  return r ? r.value() : std::string();
}

TEST(Preprocess, LowercasesFieldNamesRecursivelyAndNothingElse) {
  const std::string in = R"({
    "type" : "record", "name" : "ACCOUNTS", "namespace" : "HR",
    "fields" : [
      { "name" : "ID", "type" : "long", "aliases" : [ "OLD_ID" ] },
      { "name" : "Before", "type" : [ "null", { "type" : "record", "name" : "COLUMNS",
          "fields" : [ { "name" : "CUST_CODE", "type" : { "type" : "enum", "name" : "KIND", "symbols" : [ "A", "B" ] } } ] } ] },
      { "name" : "Items", "type" : { "type" : "array", "items" : { "type" : "record", "name" : "ITEM",
          "fields" : [ { "name" : "SKU", "type" : "string" } ] } } },
      { "name" : "Tags", "type" : { "type" : "map", "values" : { "type" : "record", "name" : "TAG",
          "fields" : [ { "name" : "Val\u0055E", "type" : "int" } ] } } }
    ] })";
  EXPECT_EQ(pre(in),
            R"({"type":"record","name":"ACCOUNTS","namespace":"HR","fields":[)"
            R"({"name":"id","type":"long","aliases":["OLD_ID"]},)"
            R"({"name":"before","type":["null",{"type":"record","name":"COLUMNS","fields":[{"name":"cust_code","type":{"type":"enum","name":"KIND","symbols":["A","B"]}}]}]},)"
            R"({"name":"items","type":{"type":"array","items":{"type":"record","name":"ITEM","fields":[{"name":"sku","type":"string"}]}}},)"
            R"({"name":"tags","type":{"type":"map","values":{"type":"record","name":"TAG","fields":[{"name":"value","type":"int"}]}}}]})");
}

TEST(Preprocess, LowercasingIsSwitchable) {
  const std::string in = R"({"type":"record","name":"R","fields":[{"name":"ID","type":"int"},{"name":"id","type":"int"}]})";
  avro::preprocess_options keep;
  keep.lowercase_field_names = false;
  EXPECT_EQ(pre(in, keep), in);
}

TEST(Preprocess, CollisionAfterLowercasingIsAnErrorNamingBoth) {
  const std::string in =
      R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"Id","type":"int"},{"name":"x","type":"int"},{"name":"ID","type":"long"}]}}]})";
  avro::parse_error err;
  auto r = avro::preprocess(in, {}, &err);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::duplicate_name);
  EXPECT_EQ(err.path, "$.fields[0].type.fields[2].name");
  EXPECT_EQ(err.message, "fields 'Id' and 'ID' of record 'S' collide when lowercased");
  // The schema itself is valid: only preprocessing refuses it.
  EXPECT_TRUE(avro::fingerprint(in));
}

TEST(Preprocess, CollisionCheckScalesToWideRecords) {
  std::string in = R"({"type":"record","name":"W","fields":[)";
  for (int i = 0; i < 500; ++i) in += R"({"name":"c)" + std::to_string(i) + R"(","type":"int"},)";
  in += R"({"name":"C250","type":"int"}]})";
  avro::parse_error err;
  auto r = avro::preprocess(in, {}, &err);
  ASSERT_FALSE(r);
  EXPECT_EQ(err.message, "fields 'c250' and 'C250' of record 'W' collide when lowercased");
}

TEST(Preprocess, CapsDecimalPrecisionEverywhereInTheSchema) {
  const std::string in =
      R"({"type":"record","name":"R","fields":[)"
      R"({"name":"a","type":["null",{"type":"bytes","logicalType":"decimal","precision":40,"scale":39}]},)"
      R"({"name":"b","type":{"type":"array","items":{"type":"bytes","logicalType":"decimal","precision":50,"scale":10}}},)"
      R"({"name":"c","type":{"type":"map","values":{"type":"fixed","name":"F","size":32,"logicalType":"decimal","precision":76,"scale":76}}},)"
      R"({"name":"d","type":{"type":"record","name":"N","fields":[{"name":"e","type":{"type":"bytes","logicalType":"decimal","scale":2,"precision":38}}]}},)"
      R"({"name":"f","type":{"type":"bytes","logicalType":"decimal","precision":123456789012345678901234567890}},)"
      R"({"name":"g","type":"string","precision":99}]})";
  EXPECT_EQ(pre(in),
            R"({"type":"record","name":"R","fields":[)"
            R"({"name":"a","type":["null",{"type":"bytes","logicalType":"decimal","precision":38,"scale":38}]},)"
            R"({"name":"b","type":{"type":"array","items":{"type":"bytes","logicalType":"decimal","precision":38,"scale":10}}},)"
            R"({"name":"c","type":{"type":"map","values":{"type":"fixed","name":"F","size":32,"logicalType":"decimal","precision":38,"scale":38}}},)"
            R"({"name":"d","type":{"type":"record","name":"N","fields":[{"name":"e","type":{"type":"bytes","logicalType":"decimal","scale":2,"precision":38}}]}},)"
            R"({"name":"f","type":{"type":"bytes","logicalType":"decimal","precision":38}},)"
            R"({"name":"g","type":"string","precision":99}]})");
  avro::preprocess_options ten;
  ten.max_decimal_precision = 10;
  EXPECT_EQ(pre(R"({"type":"bytes","logicalType":"decimal","precision":12,"scale":11})", ten),
            R"({"type":"bytes","logicalType":"decimal","precision":10,"scale":10})");
  EXPECT_EQ(pre(R"({"type":"bytes","logicalType":"decimal","precision":9,"scale":11})", ten),
            R"({"type":"bytes","logicalType":"decimal","precision":9,"scale":11})");
}

TEST(Preprocess, KeepsDocsDefaultsPropsOrderAndEscapesByteForByte) {
  const std::string in =
      R"({"doc":"Tab\t\u00e9 \"q\"","type":"record","name":"R","x-unknown":{"k":[1,2.50,-0,1e3]},"fields":[)"
      R"({"name":"b","type":"double","default":1.50,"doc":"d"},)"
      R"({"name":"a","type":{"type":"int","logicalType":"date"},"default":-0,"order":"descending"},)"
      R"({"name":"s","type":"string","default":"x\ud800y"}]})";
  avro::preprocess_options keep;
  keep.lowercase_field_names = false;
  EXPECT_EQ(pre(in, keep), in);
}

TEST(Preprocess, DuplicateKeysKeepFirstPositionAndLastValueLikeJackson) {
  EXPECT_EQ(pre(R"({"name":"A","type":"record","fields":[{"name":"X","type":"int","name":"Y"}],"name":"B"})"),
            R"({"name":"B","type":"record","fields":[{"name":"y","type":"int"}]})");
}

TEST(Preprocess, IsDeterministicAcrossFormattingAndCalls) {
  const std::string a = R"({"type":"record","name":"R","fields":[{"name":"A","type":"int"}]})";
  const std::string b = "/* c */ {\n  \"type\" : \"record\",\n  \"name\" : \"R\", // n\n  \"fields\" : [ {\n"
                        "    \"name\" : \"A\",\n    \"type\" : \"int\"\n  } ]\n}\n";
  avro::schema_parser p;
  const std::string first(p.preprocess(a).value());
  EXPECT_EQ(first, R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]})");
  EXPECT_EQ(std::string(p.preprocess(b).value()), first);
  EXPECT_EQ(std::string(p.preprocess(a).value()), first);
}

TEST(Preprocess, OutputIsAValidSchemaWithTheSameCanonicalFormWhenNothingChanges) {
  std::string gg;
  {
    std::FILE* f = std::fopen(SLUICE_TESTDATA_DIR "/goldengate/gg_table_example.avsc", "rb");
    ASSERT_NE(f, nullptr);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) gg.append(buf, n);
    std::fclose(f);
  }
  avro::preprocess_options keep;
  keep.lowercase_field_names = false;
  const std::string out = pre(gg, keep);
  EXPECT_LT(out.size(), gg.size());
  EXPECT_EQ(avro::canonical_form(out).value(), avro::canonical_form(gg).value());
  const std::string lowered = pre(gg);
  EXPECT_NE(lowered.find(R"("name":"cust_code_ismissing")"), std::string::npos);
  EXPECT_TRUE(avro::fingerprint(lowered));
}

TEST(Preprocess, InvalidUtf8InStringsBecomesReplacementCharacter) {
  EXPECT_EQ(pre("{\"type\":\"int\",\"doc\":\"a\xFF" "b\"}"), "{\"type\":\"int\",\"doc\":\"a\xEF\xBF\xBD" "b\"}");
}

TEST(Preprocess, KeysThatJavaDecodesToTheSameTextAreOneKey) {
  // Java decodes the bytes to a String first: both keys read "do\uFFFD\uFFFDc", so Jackson keeps
  // one key (first position, last value), and so must the output, which then is a fixed point.
  const std::string in = "{\"type\":\"long\",\"do\xFF\xFF" "c\":\"x\",\"do\xFE\xC3" "c\":3}";
  const std::string out = pre(in);
  EXPECT_EQ(out, "{\"type\":\"long\",\"do\xEF\xBF\xBD\xEF\xBF\xBD" "c\":3}");
  EXPECT_EQ(pre(out), out);
  // The fuzz regression input (eight invalid bytes each, decoded to eight U+FFFD each).
  const std::string fuzz = "{\"type\":\"long\",\"do\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF" "c\":\"\",\"do\xFF\xFF\xFF\xFF\xD6\xFF\xFF\xFF" "c\":3}";
  std::string eight;
  for (int i = 0; i < 8; ++i) eight += "\xEF\xBF\xBD";
  const std::string fuzz_out = pre(fuzz);
  EXPECT_EQ(fuzz_out, "{\"type\":\"long\",\"do" + eight + "c\":3}");
  EXPECT_EQ(pre(fuzz_out), fuzz_out);
  // The merge decides validity too: the last value of the one key "k\uFFFD" is an int.
  const std::string map_default =
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"int\"},"
      "\"default\":{\"k\xFF\":\"x\",\"k\xFE\":1}}]}";
  EXPECT_TRUE(avro::fingerprint(map_default));
  EXPECT_EQ(pre(map_default), "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"m\",\"type\":{\"type\":\"map\","
                              "\"values\":\"int\"},\"default\":{\"k\xEF\xBF\xBD\":1}}]}");
  const std::string swapped =
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"int\"},"
      "\"default\":{\"k\xFF\":1,\"k\xFE\":\"x\"}}]}";
  EXPECT_EQ(avro::fingerprint(swapped).error(), errc::invalid_default);
}

TEST(Preprocess, RejectsInvalidSchemasLikeCanonicalForm) {
  for (const char* bad : {R"({"type":"record","name":"R","fields":[{"name":"a","type":"Q"}]})",
                          R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]})",
                          R"({"type":"fixed","name":"F","size":-1})", R"(["int","int"])", "\"int\" x", ""}) {
    avro::parse_error e1, e2;
    auto p = avro::preprocess(bad, {}, &e1);
    auto c = avro::canonical_form(bad, &e2);
    ASSERT_FALSE(p) << bad;
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(p.error(), c.error()) << bad;
    EXPECT_EQ(e1.to_string(), e2.to_string()) << bad;
  }
}

TEST(Preprocess, LowercasesTheFieldKeysOfRecordDefaultsWithTheFieldNames) {
  // Keys naming fields of the record type are lowercased through nested records, arrays, maps and
  // the union branch that matches; map keys and keys that name no field stay as they are.
  const std::string in =
      R"({"type":"record","name":"R","fields":[)"
      R"({"name":"Addr","type":{"type":"record","name":"A","fields":[)"
      R"({"name":"Street","type":"string"},{"name":"Zip","type":["null","int"],"default":null},)"
      R"({"name":"Tags","type":{"type":"array","items":{"type":"record","name":"T","fields":[{"name":"K","type":"string"}]}}},)"
      R"({"name":"M","type":{"type":"map","values":"T"}}]},)"
      R"("default":{"Street":"Main","Zip":5,"Tags":[{"K":"x"}],"M":{"KeyA":{"K":"y"}},"Extra":{"K":1}}},)"
      R"({"name":"U","type":[{"type":"record","name":"B","fields":[{"name":"Q","type":"int"}]},"A"],)"
      R"("default":{"Street":"s","Tags":[],"M":{}}},)"
      R"({"name":"V","type":["null","A"],"default":null},)"
      R"({"name":"L","type":{"type":"array","items":["null","T"]},"default":[null,{"K":"z"}]}]})";
  const std::string out = pre(in);
  EXPECT_EQ(out,
            R"({"type":"record","name":"R","fields":[)"
            R"({"name":"addr","type":{"type":"record","name":"A","fields":[)"
            R"({"name":"street","type":"string"},{"name":"zip","type":["null","int"],"default":null},)"
            R"({"name":"tags","type":{"type":"array","items":{"type":"record","name":"T","fields":[{"name":"k","type":"string"}]}}},)"
            R"({"name":"m","type":{"type":"map","values":"T"}}]},)"
            R"("default":{"street":"Main","zip":5,"tags":[{"k":"x"}],"m":{"KeyA":{"k":"y"}},"Extra":{"K":1}}},)"
            R"({"name":"u","type":[{"type":"record","name":"B","fields":[{"name":"q","type":"int"}]},"A"],)"
            R"("default":{"street":"s","tags":[],"m":{}}},)"
            R"({"name":"v","type":["null","A"],"default":null},)"
            R"({"name":"l","type":{"type":"array","items":["null","T"]},"default":[null,{"k":"z"}]}]})");
  // The output is a valid schema (its defaults validate against the lowercased fields).
  EXPECT_TRUE(avro::fingerprint(out));
  // Without lowering the defaults, the output would be rejected: "street" has no default.
  std::string stale = out;
  stale.replace(stale.find(R"("street":"Main")"), 8, R"("Street")");
  EXPECT_EQ(avro::fingerprint(stale).error(), errc::invalid_default);
}

TEST(Preprocess, DefaultKeysThatWouldReadAsALoweredFieldAreDropped) {
  // Java ignores "id" in the default (the field is "ID", which takes its own default 0); once the
  // field is "id", keeping the key would change the default to 5.
  const std::string in =
      R"({"type":"record","name":"R","fields":[{"name":"c","type":{"type":"record","name":"C","fields":[)"
      R"({"name":"ID","type":"int","default":0},{"name":"Nm","type":"string","default":""}]},)"
      R"("default":{"id":5,"Id":6,"Nm":"a","nm":"b"}}]})";
  EXPECT_EQ(pre(in),
            R"({"type":"record","name":"R","fields":[{"name":"c","type":{"type":"record","name":"C","fields":[)"
            R"({"name":"id","type":"int","default":0},{"name":"nm","type":"string","default":""}]},)"
            R"("default":{"Id":6,"nm":"a"}}]})");
  avro::preprocess_options keep;
  keep.lowercase_field_names = false;
  EXPECT_EQ(pre(in, keep), in);
}

std::string wide_default(int keys, bool record) {
  std::string in = R"({"type":"record","name":"R","fields":[{"name":"W","type":)";
  in += record ? R"({"type":"record","name":"S","fields":[{"name":"K7","type":"int"},{"name":"K4999","type":"int"}]})"
               : R"({"type":"map","values":"int"})";
  in += R"(,"default":{)";
  for (int i = 0; i < keys; ++i) in += "\"K" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  in += R"("K7":-7}}]})";  // a duplicate key: keeps the first position, takes the last value
  return in;
}

TEST(Preprocess, WideDefaultsKeepJacksonKeyOrderAndLastValues) {
  for (bool record : {false, true}) {
    const std::string in = wide_default(5000, record);
    const std::string out = pre(in);
    std::string want = R"({"type":"record","name":"R","fields":[{"name":"w","type":)";
    want += record ? R"({"type":"record","name":"S","fields":[{"name":"k7","type":"int"},{"name":"k4999","type":"int"}]})"
                   : R"({"type":"map","values":"int"})";
    want += R"(,"default":{)";
    for (int i = 0; i < 5000; ++i) {
      if (i) want += ',';
      const bool field = record && (i == 7 || i == 4999);
      want += "\"" + std::string(field ? "k" : "K") + std::to_string(i) + "\":" + (i == 7 ? "-7" : std::to_string(i));
    }
    want += "}}]}";
    EXPECT_EQ(out, want) << (record ? "record" : "map");
    EXPECT_TRUE(avro::fingerprint(out));
  }
}

}  // namespace
