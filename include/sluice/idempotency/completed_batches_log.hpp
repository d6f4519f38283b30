// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `idempotency::completed_batches_log`: the policy of the seed job: one record per completed
/// batch in a `store::blob_store` (a folder, an S3 prefix, memory), partitioned by month, checked
/// before a batch is written (docs/architecture.md, Storage contracts).
///
/// Layout in the store: `yyyymm=<YYYYMM>/<app>/<stream_name>/batch-<batch_id>.json`, where
/// `YYYYMM` is the UTC month in which the batch completed. Each blob is one JSON line:
/// `{"app":…,"stream_name":…,"batch_id":N,"completed_at":"2025-08-31T23:59:59.000Z",
/// "yyyymm":202508,"ranges":[{"topic":…,"partition":…,"from":…,"to":…}]}`.
///
/// `is_done` looks in the partitions of the current and the previous month (by the injectable
/// clock), so a batch replayed right after a month boundary is still recognized. Several apps
/// and streams may share one store; each log sees only its own records.

#include "sluice/core/concepts/idempotency_policy.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/json.hpp"
#include "sluice/core/json_writer.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/time.hpp"
#include "sluice/store/blob_store.hpp"
#include "sluice/store/state_json.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace sluice::inline v0::idempotency {

/// One record of the completed-batches log.
struct completed_batch {
  std::string app;                   ///< the application that ran the batch
  std::string stream_name;           ///< the stream (query) within the application
  std::int64_t batch_id = 0;         ///< the batch's id in the stream's checkpoint
  std::string completed_at;          ///< ISO-8601 UTC, e.g. `2025-08-31T23:59:59.000Z`
  int yyyymm = 0;                    ///< the UTC month of `completed_at`, e.g. `202508`
  std::vector<offset_range> ranges;  ///< exactly the batch's plan
  friend bool operator==(const completed_batch&, const completed_batch&) = default;
};

/// The record as one JSON line (without `'\n'`), the format of the store and of the
/// `batches` audit command.
///
/// Errors: `errc::invalid_argument` if a string is not UTF-8.
inline result<std::string> to_json(const completed_batch& b) {
  if (!json::is_valid_utf8(b.app) || !json::is_valid_utf8(b.stream_name) ||
      !json::is_valid_utf8(b.completed_at))
    return errc::invalid_argument;
  std::string out;
  json::writer w(out);
  w.begin_object()
      .key("app").string(b.app)
      .key("stream_name").string(b.stream_name)
      .key("batch_id").integer(b.batch_id)
      .key("completed_at").string(b.completed_at)
      .key("yyyymm").integer(b.yyyymm)
      .key("ranges");
  SLUICE_TRYV(store::write_ranges_json(w, b.ranges));
  w.end_object();
  return out;
}

/// Reads a record written by `to_json`.
///
/// Errors: `errc::corrupt_state` for anything else (not JSON, missing or mistyped members).
/// Complexity: linear in the text.
inline result<completed_batch> parse_completed_batch(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (!store::parse_json_object(parser, text, obj)) return errc::corrupt_state;
  const auto app = store::json_string_field(obj, "app");
  const auto stream = store::json_string_field(obj, "stream_name");
  const auto id = store::json_int_field(obj, "batch_id", 0);
  const auto at = store::json_string_field(obj, "completed_at");
  const auto month = store::json_int_field(obj, "yyyymm", 0, 999'912);
  simdjson::dom::element ranges_elem;
  if (!app || !stream || !id || !at || !month || obj["ranges"].get(ranges_elem) != simdjson::SUCCESS)
    return errc::corrupt_state;
  auto ranges = store::read_ranges_json(ranges_elem);
  if (!ranges) return errc::corrupt_state;
  return completed_batch{std::string(*app), std::string(*stream), *id, std::string(*at),
                         static_cast<int>(*month), std::move(*ranges)};
}

/// True if `name` can be an app or stream name: 1–255 characters of `[A-Za-z0-9._-]`, not
/// starting with `.` (so it is one safe path segment on every store).
[[nodiscard]] constexpr bool is_valid_log_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 255 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

/// A source of UTC wall-clock time: `c.now()` gives a `system_clock::time_point`.
/// `std::chrono::system_clock` models it; tests inject a clock they can set.
template <class C>
concept utc_clock = requires(C& c) {
  { c.now() } -> std::convertible_to<std::chrono::system_clock::time_point>;
};

/// The completed-batches log over `Store`, with time from `Clock` (see the file comment).
///
/// An `idempotency_policy`: `is_done(plan)` is true once `mark_done(plan)` returned, in any
/// process, for at least a full month (the lookup covers the current and the previous one).
/// Errors (all members): the store's errors; `errc::corrupt_state` when a stored record cannot
/// be read or belongs to another batch than its key says, or when the record of a batch id
/// holds other ranges than the plan (the log does not belong to this stream's checkpoint).
/// Blocking: as the store (one or two `get`s per call; `mark_done` one `put` at most).
/// Thread-safety: none; one log per stream and process.
template <store::blob_store Store, utc_clock Clock = std::chrono::system_clock>
class completed_batches_log {
 public:
  using stage_concept = idempotency_tag;

  /// A log for (`app`, `stream_name`) in `store`.
  ///
  /// Errors: `errc::invalid_argument` if a name is not `is_valid_log_name`.
  static result<completed_batches_log> make(Store store, std::string app, std::string stream_name,
                                            Clock clock = Clock{}) {
    if (!is_valid_log_name(app) || !is_valid_log_name(stream_name)) return errc::invalid_argument;
    return completed_batches_log(std::move(store), std::move(app), std::move(stream_name),
                                 std::move(clock));
  }

  /// True if the log holds `plan`'s batch, looking in this month's and last month's partition.
  ///
  /// Errors: see the class; `errc::invalid_argument` for a negative batch id.
  result<bool> is_done(const batch_plan& plan) {
    SLUICE_TRY(found, find(plan, clock_.now()));
    return found.has_value();
  }

  /// Records `plan`'s batch as completed now, unless the log holds it already (then it writes
  /// nothing: never two records for one batch).
  ///
  /// Errors: see the class; `errc::invalid_argument` for a negative batch id.
  result<void> mark_done(const batch_plan& plan) {
    const std::chrono::system_clock::time_point now = clock_.now();
    SLUICE_TRY(found, find(plan, now));
    if (found) return success();
    const completed_batch rec{app_, stream_name_, plan.batch_id, iso8601_utc(now),
                              yyyymm_utc(now), plan.ranges};
    SLUICE_TRY(text, to_json(rec));
    text.push_back('\n');
    return store_.put(key_of(rec.yyyymm, rec.batch_id), text);
  }

  /// This stream's records from the partitions of month `since_yyyymm` on (0: all), ordered by
  /// batch id. Store entries under this stream's folders that are not named `batch-<id>.json`
  /// are not records and are ignored.
  ///
  /// Complexity: one `list` and one `get` per record.
  result<std::vector<completed_batch>> list(int since_yyyymm = 0) {
    SLUICE_TRY(keys, store_.list("yyyymm="));
    std::vector<completed_batch> out;
    for (const auto& key : keys) {
      const auto parsed = parse_key(key);
      if (!parsed || std::get<0>(*parsed) < since_yyyymm) continue;
      const auto [month, id] = *parsed;
      SLUICE_TRY(blob, store_.get(key));
      if (!blob) continue;  // removed since listed (retention)
      SLUICE_TRY(rec, parse_completed_batch(*blob));
      if (!belongs(rec, month, id)) return errc::corrupt_state;
      out.push_back(std::move(rec));
    }
    std::sort(out.begin(), out.end(), [](const completed_batch& a, const completed_batch& b) {
      return std::tie(a.batch_id, a.yyyymm) < std::tie(b.batch_id, b.yyyymm);
    });
    return out;
  }

  /// The store key of batch `batch_id` completed in month `yyyymm`.
  [[nodiscard]] std::string key_of(int yyyymm, std::int64_t batch_id) const {
    return "yyyymm=" + std::to_string(yyyymm) + '/' + app_ + '/' + stream_name_ + "/batch-" +
           std::to_string(batch_id) + ".json";
  }

  [[nodiscard]] const std::string& app() const noexcept { return app_; }
  [[nodiscard]] const std::string& stream_name() const noexcept { return stream_name_; }
  [[nodiscard]] Store& store() noexcept { return store_; }
  [[nodiscard]] Clock& clock() noexcept { return clock_; }

 private:
  completed_batches_log(Store store, std::string app, std::string stream_name, Clock clock)
      : store_(std::move(store)), app_(std::move(app)), stream_name_(std::move(stream_name)),
        clock_(std::move(clock)) {}

  [[nodiscard]] bool belongs(const completed_batch& rec, int month, std::int64_t id) const {
    return rec.app == app_ && rec.stream_name == stream_name_ && rec.batch_id == id &&
           rec.yyyymm == month;
  }

  result<std::optional<completed_batch>> find(const batch_plan& plan,
                                              std::chrono::system_clock::time_point now) {
    if (plan.batch_id < 0) return errc::invalid_argument;
    const int current = yyyymm_utc(now);
    for (const int month : {current, previous_yyyymm(current)}) {
      SLUICE_TRY(blob, store_.get(key_of(month, plan.batch_id)));
      if (!blob) continue;
      SLUICE_TRY(rec, parse_completed_batch(*blob));
      if (!belongs(rec, month, plan.batch_id) || rec.ranges != plan.ranges) return errc::corrupt_state;
      return std::optional<completed_batch>(std::move(rec));
    }
    return std::optional<completed_batch>{};
  }

  // (yyyymm, batch id) of a key of this stream, or empty for any other key.
  [[nodiscard]] std::optional<std::pair<int, std::int64_t>> parse_key(std::string_view key) const {
    constexpr std::string_view head = "yyyymm=";
    if (key.substr(0, head.size()) != head) return std::nullopt;
    key.remove_prefix(head.size());
    int month = 0;
    const auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), month);
    if (ec != std::errc() || p != key.data() + 6 || month < 0) return std::nullopt;
    key.remove_prefix(6);
    const std::string folder = '/' + app_ + '/' + stream_name_ + "/batch-";
    if (key.substr(0, folder.size()) != folder) return std::nullopt;
    key.remove_prefix(folder.size());
    constexpr std::string_view tail = ".json";
    if (key.size() <= tail.size() || key.substr(key.size() - tail.size()) != tail) return std::nullopt;
    key.remove_suffix(tail.size());
    std::int64_t id = 0;
    const auto [q, ec2] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec2 != std::errc() || q != key.data() + key.size() || id < 0) return std::nullopt;
    return std::pair{month, id};
  }

  Store store_;
  std::string app_;
  std::string stream_name_;
  [[no_unique_address]] Clock clock_;
};

}  // namespace sluice::inline v0::idempotency
