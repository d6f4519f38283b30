// SPDX-License-Identifier: Apache-2.0
#include <sluice/avro/parse_error.hpp>

#include <gtest/gtest.h>

namespace {

TEST(ParseError, ToStringJoinsPathAndMessage) {
  sluice::avro::parse_error e{sluice::errc::duplicate_name, "$.fields[1].name", "duplicate field 'a' in record 'R'"};
  EXPECT_EQ(e.to_string(), "$.fields[1].name: duplicate field 'a' in record 'R'");
  EXPECT_TRUE(e.code == sluice::condition::invalid_input);
}

}  // namespace
