// SPDX-License-Identifier: Apache-2.0
// parse_iso8601_ms against libc's timegm and hand-checked instants; round trips through core's
// ISO formatter.
#include "sluice/core/progress.hpp"
#include "sluice/core/time.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <iterator>
#include <random>
#include <string>

namespace {

using sluice::parse_iso8601_ms;

TEST(Timestamp, KnownInstants) {
  EXPECT_EQ(parse_iso8601_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601_ms("2024-06-01T00:00:00Z"), 1'717'200'000'000);
  EXPECT_EQ(parse_iso8601_ms("2024-06-01T00:00:00.123Z"), 1'717'200'000'123);
  EXPECT_EQ(parse_iso8601_ms("2024-06-01T00:00:00.123999999Z"), 1'717'200'000'123);  // cut, not rounded
  EXPECT_EQ(parse_iso8601_ms("2024-06-01T00:00:00.5Z"), 1'717'200'000'500);
  EXPECT_EQ(parse_iso8601_ms("2024-06-01T02:00:00+02:00"), 1'717'200'000'000);
  EXPECT_EQ(parse_iso8601_ms("2024-05-31T19:30:00-0430"), 1'717'200'000'000);
  EXPECT_EQ(parse_iso8601_ms("2024-06-01T05:00:00+05"), 1'717'200'000'000);
  EXPECT_EQ(parse_iso8601_ms("2024-06-01 00:00:00"), 1'717'200'000'000);   // no zone: UTC
  EXPECT_EQ(parse_iso8601_ms("2024-06-01t00:00z"), 1'717'200'000'000);     // no seconds
  EXPECT_EQ(parse_iso8601_ms("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(parse_iso8601_ms("2024-02-29T00:00:00Z"), 1'709'164'800'000);  // leap day
  EXPECT_EQ(parse_iso8601_ms("2000-02-29T00:00:00Z"), 951'782'400'000);
}

TEST(Timestamp, RejectsWhatIsNotADateTime) {
  for (const char* bad :
       {"", "2024-06-01", "2024-06-01T", "2024-06-01T00", "2024-6-01T00:00:00Z", "2024-06-01X00:00:00Z",
        "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z", "2024-06-01T24:00:00Z", "2024-06-01T23:60:00Z", "2024-06-01T23:59:60Z",
        "2024-06-01T00:00:00.Z", "2024-06-01T00:00:00.1234567890Z", "2024-06-01T00:00:00ZZ",
        " 2024-06-01T00:00:00Z", "2024-06-01T00:00:00Z ", "2024-06-01T00:00:00+2", "2024-06-01T00:00:00+18:00",
        "2024-06-01T00:00:00+01:60", "+2024-06-01T00:00:00Z", "2024-06-01T00:00:00 at", "1717200000000"}) {
    EXPECT_FALSE(parse_iso8601_ms(bad).has_value()) << bad;
  }
}

TEST(Timestamp, AgreesWithTimegmOnRandomInstants) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20'000; ++i) {
    std::tm tm{};
    tm.tm_year = static_cast<int>(rng() % 400) + 1700 - 1900;
    tm.tm_mon = static_cast<int>(rng() % 12);
    tm.tm_mday = static_cast<int>(rng() % 28) + 1;
    tm.tm_hour = static_cast<int>(rng() % 24);
    tm.tm_min = static_cast<int>(rng() % 60);
    tm.tm_sec = static_cast<int>(rng() % 60);
    const int millis = static_cast<int>(rng() % 1000);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    const auto expected = static_cast<std::int64_t>(timegm(&tm)) * 1000 + millis;
    ASSERT_EQ(parse_iso8601_ms(text), expected) << text;
    std::string back;
    sluice::append_iso8601_utc(back, expected);
    ASSERT_EQ(back, text);
  }
}

TEST(Timestamp, TheCachingParserAgreesWithTheFunctionOnEveryInput) {
  // Bad and good texts interleaved, many sharing a date, so the remembered date is used for
  // good and bad times alike and replaced when a bad date or another date comes.
  const char* texts[] = {"2024-06-01T00:00:00Z",  "2024-06-01T24:00:00Z",   "2024-06-01T12:30:00.5+02:00",
                         "2024-06-01",            "2024-06-01T",            "2024-06-01X00:00:00Z",
                         "2024-06-02T00:00:01Z",  "2024-02-30T00:00:00Z",   "2024-06-02T23:59:59.999z",
                         "2024-06-01 00:00",      "2024-06-01T00:00:00Z ",  "2024-13-01T00:00:00Z",
                         "2024-06-01T00:00:00Z",  "",                       "2024-06-0",
                         "2024-06-01T00:00:00-0130"};
  sluice::iso8601_parser cached;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const char* t = texts[rng() % std::size(texts)];
    ASSERT_EQ(cached(t), parse_iso8601_ms(t)) << t;
  }
}

}  // namespace
