// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// UTC time for records and events, on `<chrono>`'s civil calendar: milliseconds since the
/// Unix epoch, ISO-8601 text (written and parsed), and the `yyyymm` month partition of the
/// completed-batches log. The one calendar of the library (docs/architecture.md, "core").

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0 {

/// Milliseconds since the Unix epoch of `tp`, rounded down.
[[nodiscard]] constexpr std::int64_t to_unix_ms(std::chrono::system_clock::time_point tp) noexcept {
  return std::chrono::floor<std::chrono::milliseconds>(tp).time_since_epoch().count();
}

/// The UTC month of `tp` as `year * 100 + month`, e.g. `202508`.
[[nodiscard]] constexpr int yyyymm_utc(std::chrono::system_clock::time_point tp) noexcept {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(tp)};
  return static_cast<int>(ymd.year()) * 100 + static_cast<int>(static_cast<unsigned>(ymd.month()));
}

/// The month before `yyyymm` (January goes to December of the year before).
[[nodiscard]] constexpr int previous_yyyymm(int yyyymm) noexcept {
  return yyyymm % 100 == 1 ? (yyyymm / 100 - 1) * 100 + 12 : yyyymm - 1;
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d`, or nothing when the date does
/// not exist (month outside 1–12, day outside the month; leap years counted).
[[nodiscard]] constexpr std::optional<std::int64_t> unix_days(int y, unsigned m, unsigned d) noexcept {
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

namespace detail {
inline void append_2_digits(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}
}  // namespace detail

/// Appends `ms` (since the Unix epoch) as an ISO-8601 UTC timestamp with milliseconds,
/// `2024-05-31T23:59:59.123Z` (proleptic Gregorian; the year is clamped to 0000–9999).
///
/// Errors: none (`std::bad_alloc` aside). Thread-safety: pure.
inline void append_iso8601_utc(std::string& out, std::int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{ms}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> tod{tp - day};
  const int y = static_cast<int>(ymd.year());
  const auto yy = static_cast<unsigned>(y < 0 ? 0 : (y > 9999 ? 9999 : y));
  detail::append_2_digits(out, yy / 100);
  detail::append_2_digits(out, yy % 100);
  out.push_back('-');
  detail::append_2_digits(out, static_cast<unsigned>(ymd.month()));
  out.push_back('-');
  detail::append_2_digits(out, static_cast<unsigned>(ymd.day()));
  out.push_back('T');
  detail::append_2_digits(out, static_cast<unsigned>(tod.hours().count()));
  out.push_back(':');
  detail::append_2_digits(out, static_cast<unsigned>(tod.minutes().count()));
  out.push_back(':');
  detail::append_2_digits(out, static_cast<unsigned>(tod.seconds().count()));
  out.push_back('.');
  const auto millis = static_cast<unsigned>(tod.subseconds().count());
  out.push_back(static_cast<char>('0' + millis / 100));
  detail::append_2_digits(out, millis % 100);
  out.push_back('Z');
}

/// `tp` as ISO-8601 UTC with milliseconds, e.g. `2025-08-12T12:00:00.000Z`.
[[nodiscard]] inline std::string iso8601_utc(std::chrono::system_clock::time_point tp) {
  std::string out;
  append_iso8601_utc(out, to_unix_ms(tp));
  return out;
}

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

// The date `YYYY-MM-DD` at the start of `s`, as days since 1970-01-01.
constexpr bool iso8601_date(std::string_view s, std::int64_t& days) noexcept {
  int year = 0, month = 0, day = 0;
  if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day))
    return false;
  const auto d = unix_days(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (!d) return false;
  days = *d;
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

}  // namespace sluice::inline v0
