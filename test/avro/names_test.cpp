// SPDX-License-Identifier: Apache-2.0
// detail/names.hpp and detail/java_double.hpp: Java's name and Double.parseDouble rules. The
// expectations were checked with avro-oracle (Java Avro 1.12.2 on OpenJDK 17).
#include <sluice/avro/detail/java_double.hpp>
#include <sluice/avro/detail/names.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

namespace {

using sluice::avro::detail::is_java_double;
using sluice::avro::detail::is_valid_utf8;
using sluice::avro::detail::name_problem;
using sluice::avro::detail::validate_name;

TEST(AvroNames, JavaLetterRulesPerUtf16Unit) {
  EXPECT_EQ(validate_name("R\xC3\xA9"), name_problem::none);                   // "Ré"
  EXPECT_EQ(validate_name("\xC2\xAA"), name_problem::none);                    // U+00AA is a letter (Lo)
  EXPECT_EQ(validate_name("x\xD9\xA3"), name_problem::none);                   // Arabic-Indic digit after a letter
  EXPECT_EQ(validate_name("\xD9\xA3x"), name_problem::bad_initial);            // ... but not first
  EXPECT_EQ(validate_name("e\xCC\x81"), name_problem::bad_character);          // combining mark U+0301
  EXPECT_EQ(validate_name("R\xF0\x9D\x90\x80"), name_problem::bad_character);  // beyond the BMP: surrogates
  EXPECT_EQ(validate_name("R\xED\xA0\x80"), name_problem::bad_character);      // lone surrogate
  EXPECT_EQ(validate_name("R\xFF"), name_problem::bad_character);              // invalid UTF-8 -> U+FFFD
  EXPECT_EQ(validate_name(""), name_problem::empty);
  EXPECT_EQ(validate_name("1a"), name_problem::bad_initial);
  EXPECT_EQ(validate_name("_a1"), name_problem::none);
  EXPECT_EQ(validate_name("a-b"), name_problem::bad_character);
}

TEST(AvroNames, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain ascii text that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBD and \xF0\x9D\x90\x80"));
  EXPECT_FALSE(is_valid_utf8("abc\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
}

TEST(JavaDouble, AcceptsParseDoubleGrammar) {
  for (const char* ok : {"NaN", "-NaN", "+Infinity", "Infinity", " 0x1p3d ", "0X1P-2D", "0x.8p1", "1.", ".5", "1e5",
                         "1.5F", " \t1\n"})
    EXPECT_TRUE(is_java_double(ok)) << ok;
  for (const char* bad : {"abc", ".", "1e", "1e+", "Infinityd", "NaNf", "0xp1", "0x1", "1_0", "", "\xD9\xA1"})
    EXPECT_FALSE(is_java_double(bad)) << bad;
}

TEST(AvroNames, DecodesInvalidUtf8LikeJavaStrings) {
  // Expected bytes: new String(in, UTF_8).getBytes(UTF_8) on OpenJDK 17 (maximal subparts, one
  // U+FFFD for an encoded surrogate, a truncated sequence at the end is one U+FFFD).
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"\x41\xff\x42", "\x41\xef\xbf\xbd\x42"},
      {"\x41\xc3\x42", "\x41\xef\xbf\xbd\x42"},
      {"\x41\xc3", "\x41\xef\xbf\xbd"},
      {"\x41\xe1\x82", "\x41\xef\xbf\xbd"},
      {"\x41\xe1\x82\x42", "\x41\xef\xbf\xbd\x42"},
      {"\x41\xe0\x80\x41", "\x41\xef\xbf\xbd\xef\xbf\xbd\x41"},
      {"\x41\xed\xa0\x80\x41", "\x41\xef\xbf\xbd\x41"},
      {"\x41\xf0\x9f\x98\x42", "\x41\xef\xbf\xbd\x42"},
      {"\x41\xf0\x9f\x98", "\x41\xef\xbf\xbd"},
      {"\x41\xf0", "\x41\xef\xbf\xbd"},
      {"\x41\xf0\x8f\x80\x80\x41", "\x41\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\x41"},
      {"\x41\xf4\x90\x80\x80", "\x41\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"\x41\xf5\x80\x80\x80", "\x41\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},
      {"\x41\xf0\x9f\x98\x41", "\x41\xef\xbf\xbd\x41"},
      {"\x41\xf0\x41\x42\x43", "\x41\xef\xbf\xbd\x41\x42\x43"},
      {"\x41\xf7\xbf\xbf\xbf\x41", "\x41\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\x41"},
      {"\xe2\x82\x82\x41", "\xe2\x82\x82\x41"},
      {"\xf0\x9d\x90\x80\x41", "\xf0\x9d\x90\x80\x41"},
      {"\xd6\xff\xff", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
  };
  std::string out;
  for (const auto& [in, want] : cases) {
    sluice::avro::detail::java_decode_utf8(in, out);
    EXPECT_EQ(out, want) << testing::PrintToString(std::string(in));
    EXPECT_TRUE(is_valid_utf8(out));
  }
}

}  // namespace
