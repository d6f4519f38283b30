// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// UTC calendar helpers for persisted records: the `yyyymm` month partition of the
/// completed-batches log, and ISO-8601 timestamps of `system_clock` time points.

#include "sluice/core/progress.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace sluice::inline v0::fs {

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

/// `tp` as ISO-8601 UTC with milliseconds, e.g. `2025-08-12T12:00:00.000Z` (the format of
/// progress records, `sluice::append_iso8601_utc`).
[[nodiscard]] inline std::string iso8601_utc(std::chrono::system_clock::time_point tp) {
  std::string out;
  append_iso8601_utc(out, to_unix_ms(tp));
  return out;
}

}  // namespace sluice::inline v0::fs
