// SPDX-License-Identifier: Apache-2.0
#include <sluice/avro/fingerprint.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace {

namespace avro = sluice::avro;

TEST(FingerprintDecimal, IsJavaLongToString) {
  EXPECT_EQ(avro::fingerprint_decimal(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(avro::fingerprint_decimal(std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(avro::fingerprint_decimal(0), "0");
  EXPECT_EQ(avro::fingerprint_decimal(-7631826525557311234LL), "-7631826525557311234");
}

TEST(FingerprintHex, IsSixteenLowercaseDigitsOfTheBits) {
  // Values printed by Java's String.format("%016x", fp) (avro-oracle output for these fingerprints).
  EXPECT_EQ(avro::fingerprint_hex(-7631826525557311234LL), "96164e35ccc0b8fe");
  EXPECT_EQ(avro::fingerprint_hex(8247732601305521295LL), "7275d51a3f395c8f");
  EXPECT_EQ(avro::fingerprint_hex(272309061987568775LL), "03c76fa62ce38c87");
  EXPECT_EQ(avro::fingerprint_hex(-1), "ffffffffffffffff");
  EXPECT_EQ(avro::fingerprint_hex(0), "0000000000000000");
  EXPECT_EQ(avro::fingerprint_hex(std::numeric_limits<std::int64_t>::min()), "8000000000000000");
}

TEST(FingerprintLeBytes, LeastSignificantByteFirst) {
  const auto b = avro::fingerprint_le_bytes(static_cast<std::int64_t>(0x0102030405060708LL));
  const std::array<std::byte, 8> want{std::byte{8}, std::byte{7}, std::byte{6}, std::byte{5},
                                      std::byte{4}, std::byte{3}, std::byte{2}, std::byte{1}};
  EXPECT_EQ(b, want);
  const auto m = avro::fingerprint_le_bytes(-7631826525557311234LL);  // 96164e35ccc0b8fe
  const std::array<std::byte, 8> wm{std::byte{0xfe}, std::byte{0xb8}, std::byte{0xc0}, std::byte{0xcc},
                                    std::byte{0x35}, std::byte{0x4e}, std::byte{0x16}, std::byte{0x96}};
  EXPECT_EQ(m, wm);
  static_assert(avro::fingerprint_le_bytes(-1)[7] == std::byte{0xff});
}

}  // namespace
