// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// ISO-8601 timestamps of events: parsing into milliseconds since the Unix epoch (UTC), and the
/// inverse for output (`sluice::append_iso8601_utc` of core).

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::inline v0::stream {

namespace detail {

constexpr bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) noexcept {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

constexpr bool is_leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int days_in_month(int y, int m) noexcept {
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
constexpr std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const auto mp = static_cast<unsigned>(m > 2 ? m - 3 : m + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace detail

/// Parses an ISO-8601 date-time into milliseconds since the Unix epoch, or nothing if `s` is not
/// one.
///
/// Accepted: `YYYY-MM-DD` `T` (or `t`, or one space) `HH:MM`, then optionally `:SS` and a
/// fraction `.f` of 1 to 9 digits (cut to milliseconds, towards the past), then optionally a
/// zone: `Z`, `z`, `±HH:MM`, `±HHMM` or `±HH`. Without a zone the time is taken as UTC (as
/// Spark does with `spark.sql.session.timeZone=UTC`). Years 0000–9999 (proleptic Gregorian);
/// month, day (leap years included), hour ≤ 23, minute ≤ 59, second ≤ 59 (no leap second) and
/// zone offsets below 18 hours are checked. Nothing may precede or follow.
///
/// Complexity: linear in `s`. Thread-safety: pure.
[[nodiscard]] constexpr std::optional<std::int64_t> parse_iso8601_ms(std::string_view s) noexcept {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!detail::digits(s, 0, 4, year) || s.size() < 16 || s[4] != '-' ||
      !detail::digits(s, 5, 2, month) || s[7] != '-' || !detail::digits(s, 8, 2, day))
    return std::nullopt;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  if (!detail::digits(s, 11, 2, hour) || s[13] != ':' || !detail::digits(s, 14, 2, minute))
    return std::nullopt;
  std::size_t i = 16;
  std::int64_t millis = 0;
  if (i < s.size() && s[i] == ':') {
    if (!detail::digits(s, i + 1, 2, second)) return std::nullopt;
    i += 3;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      const std::size_t first = i;
      int scale = 100;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        millis += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i == first || i - first > 9) return std::nullopt;
    }
  }
  std::int64_t offset_min = 0;
  if (i < s.size()) {
    const char z = s[i];
    if (z == 'Z' || z == 'z') {
      ++i;
    } else if (z == '+' || z == '-') {
      int oh = 0, om = 0;
      if (!detail::digits(s, i + 1, 2, oh)) return std::nullopt;
      i += 3;
      if (i < s.size() && s[i] == ':') {
        if (!detail::digits(s, i + 1, 2, om)) return std::nullopt;
        i += 3;
      } else if (i < s.size()) {
        if (!detail::digits(s, i, 2, om)) return std::nullopt;
        i += 2;
      }
      if (oh > 17 || om > 59) return std::nullopt;
      offset_min = (z == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > detail::days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  const std::int64_t days = detail::days_from_civil(year, month, day);
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return secs * 1000 + millis;
}

}  // namespace sluice::inline v0::stream
