// SPDX-License-Identifier: Apache-2.0
#include "sluice/core/json.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/text.hpp"
#include "sluice/store/state_json.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

TEST(StateJson, Base64RoundTripsWithTheCoreEncoder) {
  std::mt19937 rng(3);
  for (std::size_t n = 0; n < 200; ++n) {
    std::string bytes;
    for (std::size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng()));
    std::string enc;
    sluice::json::append_base64(enc, bytes);
    EXPECT_EQ(sluice::text::decode_base64(enc), bytes) << n;
  }
  // RFC 4648 test vectors.
  EXPECT_EQ(sluice::text::decode_base64("Zm9vYmFy"), std::string("foobar"));
  EXPECT_EQ(sluice::text::decode_base64("Zm9vYg=="), std::string("foob"));
  EXPECT_EQ(sluice::text::decode_base64("Zm9vYmE="), std::string("fooba"));
  for (const char* bad : {"Zm9", "Zm9v=mFy", "Zm=v", "Zm9vYm-y", "=AAA", "A==="})
    EXPECT_EQ(sluice::text::decode_base64(bad), std::nullopt) << bad;
}

TEST(StateJson, RangesRoundTrip) {
  const std::vector<sluice::offset_range> ranges{{"a\"b\\c\n", -3, -1, 0}, {"\xe2\x82\xac", 2147483647, 0, 9000000000000}};
  std::string out;
  ASSERT_TRUE(sluice::store::append_ranges_json(out, ranges));
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_EQ(p.parse(out).get(e), simdjson::SUCCESS);
  EXPECT_EQ(sluice::store::read_ranges_json(e), ranges);
  std::string empty;
  ASSERT_TRUE(sluice::store::append_ranges_json(empty, {}));
  EXPECT_EQ(empty, "[]");
}

}  // namespace
