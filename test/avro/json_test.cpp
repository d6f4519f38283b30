// SPDX-License-Identifier: Apache-2.0
// detail/json.hpp: the Jackson-compatible reader. Expectations come from Java Avro 1.12.2 / Jackson
// (avro-oracle runs over the same texts; see schema_parser_test.cpp for the schema-level cases).
#include <sluice/avro/detail/json.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using sluice::avro::detail::jkind;
using sluice::avro::detail::jnum;
using sluice::avro::detail::json_document;

bool accepts(const std::string& s) {
  json_document d;
  return d.parse(s);
}

TEST(JsonDocument, AcceptsJacksonCommentsBeforeAndInside) {
  EXPECT_TRUE(accepts("/*c*/\"int\""));
  EXPECT_TRUE(accepts("// c\n\"int\""));
  EXPECT_TRUE(accepts("{\"type\"/**/:\"int\" // c\n}"));
  EXPECT_FALSE(accepts("# c\n\"int\""));     // YAML comments are off in Avro's factory
  EXPECT_FALSE(accepts("/*/ \"int\""));      // unterminated comment
  EXPECT_FALSE(accepts("\"int\"/*c*/"));     // after the value: dangling content
  EXPECT_FALSE(accepts("\"int\"\n// c"));
}

TEST(JsonDocument, TrailingBytesUpToSpaceAreTrimmedLikeJavaTrim) {
  EXPECT_TRUE(accepts("\"int\" \x01\x02"));
  EXPECT_TRUE(accepts(std::string("\"int\"\0\0", 7)));
  EXPECT_FALSE(accepts("\"int\" x"));
  EXPECT_FALSE(accepts(std::string("\0\"int\"", 6)));  // only \t \n \r and space before a token
  EXPECT_FALSE(accepts("\xEF\xBB\xBF\"int\""));       // a BOM is an unexpected character
}

TEST(JsonDocument, RejectsWhatJacksonRejects) {
  for (const char* bad : {"[\"int\",]", "{\"type\":\"int\",}", "\"a\tb\"", "[1", "\"\\x\"", "\"\\'\"",
                          "{'type':\"int\"}", "{type:\"int\"}", "01", "-", "1.", ".5", "NaN", "true1", "tru",
                          "\"\\u00zz\"", "", "   "}) {
    EXPECT_FALSE(accepts(bad)) << bad;
  }
}

TEST(JsonDocument, DuplicateKeysAndRawSpansAreKept) {
  json_document d;
  ASSERT_TRUE(d.parse(R"({"a":1,"a":"x\u0041"})"));
  ASSERT_EQ(d[0].kind, jkind::object);
  EXPECT_EQ(d[0].a, 2u);  // both pairs are on the tape; consumers take the last
  EXPECT_EQ(d.str(4), "xA");
  EXPECT_EQ(d.raw(4), "x\\u0041");
}

TEST(JsonDocument, ClassifiesNumbersLikeJacksonNodes) {
  auto cls = [](const char* s) {
    json_document d;
    EXPECT_TRUE(d.parse(s)) << s;
    return static_cast<jnum>(d[0].flags);
  };
  EXPECT_EQ(cls("2147483647"), jnum::int32);
  EXPECT_EQ(cls("-2147483648"), jnum::int32);
  EXPECT_EQ(cls("-0"), jnum::int32);
  EXPECT_EQ(cls("2147483648"), jnum::int64);
  EXPECT_EQ(cls("-9223372036854775808"), jnum::int64);
  EXPECT_EQ(cls("9223372036854775808"), jnum::big_integer);
  EXPECT_EQ(cls("123456789012345678901234567890"), jnum::big_integer);
  EXPECT_EQ(cls("1e0"), jnum::floating);
  EXPECT_EQ(cls("-0.0"), jnum::floating);
}

TEST(JsonDocument, NumberLengthLimitCountsDigitsLikeJackson) {
  // Jackson 2.22 maxNumberLength = 1000 digits (integer part without a lone leading zero, fraction,
  // exponent); boundaries measured with avro-oracle.
  EXPECT_TRUE(accepts(std::string(1000, '1')));
  EXPECT_FALSE(accepts(std::string(1001, '1')));
  EXPECT_TRUE(accepts("0." + std::string(1000, '1')));
  EXPECT_TRUE(accepts("12." + std::string(998, '1')));
  EXPECT_FALSE(accepts("12." + std::string(999, '1')));
  EXPECT_FALSE(accepts("1." + std::string(500, '1') + "e" + std::string(500, '1')));
}

TEST(JsonDocument, NestingDepthLimitIsOneThousand) {
  EXPECT_TRUE(accepts(std::string(1000, '[') + std::string(1000, ']')));
  EXPECT_FALSE(accepts(std::string(1001, '[') + std::string(1001, ']')));
  EXPECT_FALSE(accepts(std::string(100000, '[')));  // deep garbage fails cleanly, no stack overflow
}

TEST(JsonDocument, SurrogateEscapes) {
  json_document d;
  ASSERT_TRUE(d.parse(R"("\ud835\udc00")"));
  EXPECT_EQ(d.str(0), "\xF0\x9D\x90\x80");  // a pair is one code point
  ASSERT_TRUE(d.parse(R"("\ud800x")"));      // a lone surrogate is kept (WTF-8), as Java keeps it
  EXPECT_EQ(d.str(0), "\xED\xA0\x80x");
}

TEST(JsonDocument, ErrorsCarryAnOffset) {
  json_document d;
  ASSERT_FALSE(d.parse("{\"a\" 1}"));
  EXPECT_EQ(d.error_offset(), 5u);
  EXPECT_NE(d.error_message().find("':'"), std::string::npos);
}

TEST(JsonDocument, ErrorPathNamesTheInnermostNodeBeingRead) {
  const struct {
    const char* text;
    const char* path;
  } cases[] = {
      {R"({"fields":[{"name":"a","type":"int"},{"name":"b","type":tru}]})", "$.fields[1].type"},
      {R"({"a":[1,2,{"x y":"\q"}]})", "$.a[2][\"x y\"]"},
      {R"({"q\"k":[0, 01]})", "$[\"q\\\"k\"][1]"},
      {R"({"fields":[{"name":"a\u12"}]})", "$.fields[0].name"},
      {R"({"a" 1})", "$"},
      {R"([1, [2, 3 4]])", "$[1]"},
      {R"({"a":{"b":{"c":[true,nul]}}})", "$.a.b.c[1]"},
      {R"({"a":1,})", "$"},
      {"{\"a\":\"x\ty\"}", "$.a"},
  };
  for (const auto& c : cases) {
    json_document d;
    ASSERT_FALSE(d.parse(c.text)) << c.text;
    EXPECT_EQ(d.error_path(), c.path) << c.text << ": " << d.error_message();
  }
  json_document ok;
  ASSERT_TRUE(ok.parse(R"({"a":[1]})"));
  ASSERT_FALSE(ok.parse(R"({"b":[1,})"));
  EXPECT_EQ(ok.error_path(), "$.b[1]") << "steps of an earlier parse must not leak";
}

}  // namespace
