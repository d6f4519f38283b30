// SPDX-License-Identifier: Apache-2.0
#include <sluice/avro/crc64.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace {

using sluice::avro::crc64_avro;
using sluice::avro::crc64_avro_update;

// Independent oracle: the bit-at-a-time definition from the Avro specification, no tables.
std::uint64_t crc64_bitwise(const std::string& s) {
  std::uint64_t fp = 0xc15d213aa4d7a795ULL;
  for (unsigned char b : s) {
    fp ^= b;
    for (int i = 0; i < 8; ++i) fp = (fp >> 1) ^ (0xc15d213aa4d7a795ULL & (0 - (fp & 1)));
  }
  return fp;
}

static_assert(crc64_avro("") == 0xc15d213aa4d7a795ULL, "the empty string fingerprints to the polynomial");
// Avro's own vector (schema-tests.txt case 000): "null" -> 7195948357588979594.
static_assert(crc64_avro("\"null\"") == 7195948357588979594ULL, "usable at compile time");

TEST(Crc64Avro, MatchesSpecificationVectors) {
  EXPECT_EQ(static_cast<std::int64_t>(crc64_avro("\"int\"")), 8247732601305521295LL);
  EXPECT_EQ(static_cast<std::int64_t>(crc64_avro("\"string\"")), -8142146995180207161LL);
  EXPECT_EQ(static_cast<std::int64_t>(crc64_avro(R"({"name":"foo","type":"record","fields":[]})")),
            -4824392279771201922LL);
}

TEST(Crc64Avro, SlicedLoopEqualsBitwiseDefinitionForAllLengthsAndOffsets) {
  std::mt19937_64 rng(42);
  std::string buf(300, '\0');
  for (auto& c : buf) c = static_cast<char>(rng());
  for (std::size_t off = 0; off < 9; ++off) {
    for (std::size_t len = 0; len + off <= buf.size(); len += 7) {
      const std::string s = buf.substr(off, len);
      ASSERT_EQ(crc64_avro(s), crc64_bitwise(s)) << "offset " << off << " length " << len;
    }
  }
}

TEST(Crc64Avro, EveryLengthAndLargeInputsEqualBitwiseDefinition) {
  // Covers the carry-less-multiplication path (32 bytes and more, when the CPU has PCLMULQDQ)
  // for every tail length, and chaining from arbitrary registers.
  std::mt19937_64 rng(7);
  std::string buf(70000, '\0');
  for (auto& c : buf) c = static_cast<char>(rng());
  for (std::size_t len = 0; len <= 700; ++len) {
    const std::string s = buf.substr(len % 5, len);
    ASSERT_EQ(crc64_avro(s), crc64_bitwise(s)) << "length " << len;
  }
  EXPECT_EQ(crc64_avro(buf), crc64_bitwise(buf));
  const std::string head = buf.substr(0, 12345), tail = buf.substr(12345);
  EXPECT_EQ(crc64_avro_update(crc64_avro(head), tail), crc64_bitwise(buf));
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))  // where crc64.hpp has the folding path
TEST(Crc64Avro, FoldingPathEqualsTablePath) {
  std::mt19937_64 rng(11);
  std::string buf(5000, '\0');
  for (auto& c : buf) c = static_cast<char>(rng());
  if (!sluice::avro::detail::crc64_has_clmul()) {  // CPU without PCLMULQDQ: the table path only
    EXPECT_EQ(crc64_avro(buf), crc64_bitwise(buf));
    return;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(buf.data());
  for (std::size_t len = 32; len <= buf.size(); len += 13) {
    const std::uint64_t init = rng();
    ASSERT_EQ(sluice::avro::detail::crc64_clmul(init, p, len), sluice::avro::detail::crc64_bytes(init, p, len))
        << "length " << len;
  }
}
#endif

TEST(Crc64Avro, UpdateChainsLikeOneCall) {
  const std::string a = "{\"type\":\"array\",", b = "\"items\":\"long\"}";
  EXPECT_EQ(crc64_avro_update(crc64_avro(a), b), crc64_avro(a + b));
  EXPECT_EQ(crc64_avro(a + b), crc64_bitwise(a + b));
}

}  // namespace
