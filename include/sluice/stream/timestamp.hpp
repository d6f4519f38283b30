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
[[nodiscard]] constexpr std::optional<std::int64_t> parse_iso8601_ms(std::string_view s) noexcept;

namespace detail {

// The date `YYYY-MM-DD` at the start of `s`, as days since 1970-01-01.
constexpr bool iso8601_date(std::string_view s, std::int64_t& days) noexcept {
  int year = 0, month = 0, day = 0;
  if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
  days = days_from_civil(year, month, day);
  return true;
}

// The rest of `s` after a date of `days`: `T` (`t`, one space), `HH:MM[:SS[.f]]`, a zone.
constexpr std::optional<std::int64_t> iso8601_after_date(std::string_view s, std::int64_t days) noexcept {
  int hour = 0, minute = 0, second = 0;
  if (s.size() < 16) return std::nullopt;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  if (!digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute)) return std::nullopt;
  std::size_t i = 16;
  std::int64_t millis = 0;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, i + 1, 2, second)) return std::nullopt;
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
      if (!digits(s, i + 1, 2, oh)) return std::nullopt;
      i += 3;
      if (i < s.size() && s[i] == ':') {
        if (!digits(s, i + 1, 2, om)) return std::nullopt;
        i += 3;
      } else if (i < s.size()) {
        if (!digits(s, i, 2, om)) return std::nullopt;
        i += 2;
      }
      if (oh > 17 || om > 59) return std::nullopt;
      offset_min = (z == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return secs * 1000 + millis;
}

}  // namespace detail

constexpr std::optional<std::int64_t> parse_iso8601_ms(std::string_view s) noexcept {
  std::int64_t days = 0;
  if (!detail::iso8601_date(s, days)) return std::nullopt;
  return detail::iso8601_after_date(s, days);
}

/// `parse_iso8601_ms` with the last date remembered: the events of a stream mostly share their
/// date, so its checks and day count are done once per date. Same results as
/// `parse_iso8601_ms` for every input. Thread-safety: none (one per codec).
class iso8601_parser {
 public:
  [[nodiscard]] std::optional<std::int64_t> operator()(std::string_view s) noexcept {
    if (have_ && s.size() >= 10 && s.compare(0, 10, std::string_view(date_, 10)) == 0)
      return detail::iso8601_after_date(s, days_);
    std::int64_t days = 0;
    if (!detail::iso8601_date(s, days)) return std::nullopt;
    s.copy(date_, 10);
    days_ = days;
    have_ = true;
    return detail::iso8601_after_date(s, days);
  }

 private:
  char date_[10] = {};
  std::int64_t days_ = 0;
  bool have_ = false;
};

}  // namespace sluice::inline v0::stream
