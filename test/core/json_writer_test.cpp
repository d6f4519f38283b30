// SPDX-License-Identifier: Apache-2.0
// json::writer: commas, keys, escapes and the number forms, checked against the text and read
// back by simdjson.
#include "sluice/core/json_writer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>

TEST(JsonWriter, NestedObjectsAndArraysGetTheirCommas) {
  std::string out = "x";
  sluice::json::writer w(out);
  w.begin_object().key("a").integer(-7).key("b").begin_array();
  w.integer(1).string("two").begin_object().end_object().begin_array().end_array().null();
  w.end_array().key("c").boolean(true).key("d").raw("[1,2]").end_object();
  EXPECT_EQ(out, R"(x{"a":-7,"b":[1,"two",{},[],null],"c":true,"d":[1,2]})");
  simdjson::dom::parser parser;
  EXPECT_EQ(parser.parse(out.substr(1)).error(), simdjson::SUCCESS);
}

TEST(JsonWriter, NumbersFixedShortestAndNotFinite) {
  std::string out;
  sluice::json::writer w(out);
  w.begin_array().fixed(1.0005, 3).fixed(2.5, 0).fixed(-0.125, 2).number(0.1).number(1e15);
  w.number(std::numeric_limits<double>::quiet_NaN()).fixed(INFINITY, 3);
  w.number_or_null(std::nullopt).number_or_null(3.25);
  w.integer(std::numeric_limits<std::int64_t>::min()).end_array();
  EXPECT_EQ(out, "[1.000,2,-0.12,0.1,1e+15,null,null,null,3.25,-9223372036854775808]");
}

TEST(JsonWriter, StringsTimestampsAndBytesMembers) {
  std::string out;
  sluice::json::writer w(out);
  const std::string text = "k\x01";
  const std::string binary("\xff\xfe", 2);
  w.begin_object().key("s\"").string("a\\b\n").key("t").timestamp(1'717'200'000'123);
  w.key("o").string_or_null(std::nullopt).bytes_member("key", &text);
  w.bytes_member("payload", &binary).bytes_member("none", nullptr).end_object();
  EXPECT_EQ(out, R"({"s\"":"a\\b\n","t":"2024-06-01T00:00:00.123Z","o":null,"key":"k\u0001",)"
                 R"("payload":"//4=","payload_encoding":"base64","none":null})");
}
