// SPDX-License-Identifier: Apache-2.0
// The text module: hexadecimal digits both ways, and base64 against RFC 4648's vectors.
#include "sluice/core/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace text = sluice::text;

TEST(Text, HexOfBytesInBothCases) {
  EXPECT_EQ(text::to_hex(std::string("\x00\x7f\x80\xff", 4)), "007f80ff");
  std::string upper;
  text::append_hex(upper, "\xab\x01", text::hex_upper);
  EXPECT_EQ(upper, "AB01");
  EXPECT_EQ(text::to_hex(""), "");
}

TEST(Text, HexValueOfEveryByte) {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const auto lower = text::hex_lower.find(ch);
    const auto upper = text::hex_upper.find(ch);
    const int expected = lower != std::string::npos   ? static_cast<int>(lower)
                         : upper != std::string::npos ? static_cast<int>(upper)
                                                      : -1;
    EXPECT_EQ(text::hex_value(ch), expected) << c;
  }
}

TEST(Text, Base64Rfc4648Vectors) {
  const char* vectors[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                              {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                              {"foobar", "Zm9vYmFy"}};
  for (const auto& v : vectors) {
    std::string enc;
    text::append_base64(enc, v[0]);
    EXPECT_EQ(enc, v[1]);
    EXPECT_EQ(text::decode_base64(v[1]), std::string(v[0]));
  }
}

TEST(Text, Base64RoundTripsEveryByteAndRejectsNonBase64) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::string enc;
    text::append_base64(enc, all.substr(0, n));
    EXPECT_EQ(text::decode_base64(enc), all.substr(0, n)) << n;
  }
  for (const char* bad : {"Zg=", "Z===", "Zg=a", "Zm9v!A==", "x=y="})
    EXPECT_EQ(text::decode_base64(bad), std::nullopt) << bad;
}
