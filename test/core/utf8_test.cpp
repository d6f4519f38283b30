// SPDX-License-Identifier: Apache-2.0
#include <sluice/core/utf8.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace sd = sluice::utf8;

namespace {

// Independent oracle: RFC 3629's encoder. A byte string is well-formed UTF-8 exactly when it is
// the encoding of a Unicode scalar value (not a surrogate, at most U+10FFFF).
std::string encode(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

bool is_scalar(char32_t cp) { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

// Whether `bytes` (1-4 long) is exactly one well-formed sequence: read the payload bits as the
// lead byte's pattern claims, then ask the encoder whether it would produce the same bytes.
bool oracle_well_formed(std::string_view bytes) {
  const auto b0 = static_cast<unsigned char>(bytes[0]);
  const int payload_bits = bytes.size() == 1 ? 7 : 7 - static_cast<int>(bytes.size());
  char32_t cp = b0 & ((1u << payload_bits) - 1);
  for (std::size_t k = 1; k < bytes.size(); ++k) cp = (cp << 6) | (bytes[k] & 0x3F);
  return is_scalar(cp) && encode(cp) == bytes;
}

}  // namespace

TEST(Utf8, DecodesEveryScalarValue) {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (!is_scalar(cp)) continue;
    const std::string s = encode(cp);
    const auto step = sd::decode(s, 0);
    ASSERT_TRUE(step.valid) << std::hex << static_cast<unsigned>(cp);
    ASSERT_EQ(step.code_point, cp);
    ASSERT_EQ(step.length, s.size());
  }
}

TEST(Utf8, RejectsSurrogates) {
  for (char32_t cp = 0xD800; cp <= 0xDFFF; ++cp) {
    const std::string s = encode(cp);
    ASSERT_FALSE(sd::decode(s, 0).valid) << std::hex << static_cast<unsigned>(cp);
  }
}

// Every one-, two- and three-byte string: accepted with full length exactly when the oracle says
// it is one well-formed sequence.
TEST(Utf8, AgreesWithEncoderOnAllShortByteStrings) {
  std::size_t accepted[4] = {};
  for (unsigned n = 0; n < (1u << 24); ++n) {
    const char bytes[3] = {static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                           static_cast<char>(n)};
    for (std::size_t len = 1; len <= 3; ++len) {
      if (len < 3 && (n & ((1u << (8 * (3 - len))) - 1)) != 0) continue;  // each prefix once
      const std::string_view s(bytes, len);
      const auto step = sd::decode(s, 0);
      const bool whole = step.valid && step.length == len;
      ASSERT_EQ(whole, oracle_well_formed(s)) << "n=" << std::hex << n << " len=" << len;
      if (whole) ++accepted[len];
      if (step.valid) {
        ASSERT_LE(step.length, len);
      }
    }
  }
  EXPECT_EQ(accepted[1], 0x80u);
  EXPECT_EQ(accepted[2], 0x800u - 0x80u);
  EXPECT_EQ(accepted[3], 0x10000u - 0x800u - 0x800u);  // minus the surrogates
}

TEST(Utf8, AgreesWithEncoderOnFourByteStrings) {
  const unsigned char tails[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0xA5, 0xBF, 0xC0, 0xFF};
  for (unsigned b0 = 0xE0; b0 <= 0xFF; ++b0) {
    for (unsigned b1 = 0; b1 <= 0xFF; ++b1) {
      for (const unsigned char b2 : tails) {
        for (const unsigned char b3 : tails) {
          const char bytes[4] = {static_cast<char>(b0), static_cast<char>(b1),
                                 static_cast<char>(b2), static_cast<char>(b3)};
          const std::string_view s(bytes, 4);
          const auto step = sd::decode(s, 0);
          ASSERT_EQ(step.valid && step.length == 4, oracle_well_formed(s))
              << std::hex << b0 << ' ' << b1 << ' ' << +b2 << ' ' << +b3;
        }
      }
    }
  }
}

TEST(Utf8, NeverReadsPastTheEnd) {
  const std::string s = "a\xf0\x9f\x98";  // truncated U+1F600 at the end
  EXPECT_TRUE(sd::decode(s, 0).valid);
  const auto step = sd::decode(s, 1);
  EXPECT_FALSE(step.valid);
  EXPECT_EQ(step.length, 1u);
}
