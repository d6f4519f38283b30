// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `store::blob_checkpoint_store<Blobs>`: the write-ahead plan and the last commit of a
/// pipeline, as two JSON blobs in any `store::blob_store` (a folder: `fs::checkpoint_store`; an
/// S3 prefix: `s3::checkpoint_store`; docs/architecture.md, Checkpoint store).
///
/// Layout of the storage:
/// - `plan.json`: the plan written last, `{"version":1,"batch_id":N,"ranges":[…]}`;
/// - `commit.json`: the last commit, `{"version":1,"batch_id":N,"ranges":[…],"position":[…],
///   "state":"…"}` (`"state_encoding":"base64"` follows when the state is not UTF-8).
/// Ranges are `{"topic","partition","from","to"}` objects (`store/state_json.hpp`). Both blobs
/// are replaced atomically (a `put` of the blob store: on the file system a temp file renamed
/// into place, on S3 a PUT), so a crash leaves the old or the new version, never a torn one. A
/// plan is pending while its batch id is greater than the committed one. Only the last commit is
/// kept: the history of batches lives in the completed-batches log.

#include "sluice/core/concepts/checkpoint_store.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/json_writer.hpp"
#include "sluice/core/record.hpp"
#include "sluice/store/blob_store.hpp"
#include "sluice/store/state_json.hpp"

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace sluice::inline v0::store {

/// A `sluice::checkpoint_store` keeping `plan.json` and `commit.json` in `Blobs` (see the file
/// comment for the layout).
///
/// Errors (all members): the storage's errors (file system: `std::system_category()`, fatal
/// unless transient; S3: see `s3::client`); `errc::corrupt_state` when `plan.json` or
/// `commit.json` exists but cannot be read back (not JSON, another shape, another version) or
/// the two contradict each other; `errc::invalid_argument` for a call that breaks the protocol
/// (see each member).
/// Blocking: every member may do I/O; writes return when durable.
/// Thread-safety: none; one store per pipeline, and one process per storage location.
///
/// Single writer: the plan of the last commit is kept in memory after the store first reads
/// `commit.json` (or commits), so `write_plan`, `pending` and `commit` validate against it
/// without reading the whole previous commit (state included) again; `last_commit()` always
/// reads the storage and refreshes it. This assumes the runner's contract: while this object is
/// in use, nobody else commits into its storage (one process per location; a consumer-group
/// member makes a new store each time it takes a partition on, and a new store reads afresh).
/// A failed put of `commit.json` forgets the cached plan, since the put may or may not have
/// happened, so a retry reads what the storage holds.
template <blob_store Blobs>
class blob_checkpoint_store {
 public:
  using stage_concept = checkpoint_store_tag;

  /// A store in `blobs`; nothing is touched until the first call.
  explicit blob_checkpoint_store(Blobs blobs) : blobs_(std::move(blobs)) {}

  /// Durably records `plan` as the pending batch (the write-ahead step).
  ///
  /// Errors: `errc::invalid_argument` if the batch id is negative or not greater than the last
  /// committed one, a range has `from > to`, or a topic is not UTF-8.
  result<void> write_plan(const batch_plan& plan) {
    if (plan.batch_id < 0) return errc::invalid_argument;
    for (const auto& r : plan.ranges)
      if (r.from > r.to) return errc::invalid_argument;
    SLUICE_TRYV(load_committed());
    if (const auto& last = *committed_; last && plan.batch_id <= last->batch_id)
      return errc::invalid_argument;
    std::string out;
    json::writer w(out);
    SLUICE_TRYV(write_plan_fields(w.begin_object(), plan));
    w.end_object();
    out.push_back('\n');
    return blobs_.put("plan.json", out);
  }

  /// The plan written last if its batch has not been committed yet.
  ///
  /// Errors: `errc::corrupt_state` also when the plan has the committed batch id but other
  /// ranges than the commit.
  result<std::optional<batch_plan>> pending() {
    SLUICE_TRY(text, blobs_.get("plan.json"));
    if (!text) return std::optional<batch_plan>{};
    SLUICE_TRY(plan, parse_plan(*text));
    SLUICE_TRYV(load_committed());
    if (const auto& last = *committed_) {
      if (plan.batch_id == last->batch_id && plan != *last) return errc::corrupt_state;
      if (plan.batch_id <= last->batch_id) return std::optional<batch_plan>{};
    }
    return std::optional<batch_plan>(std::move(plan));
  }

  /// Durably and atomically records `rec` as the last commit; `pending()` is then empty (for
  /// the plan of `rec`). Committing the last commit again is a no-op, so a retry is harmless.
  ///
  /// Errors: `errc::invalid_argument` if the batch id is not greater than the last committed
  /// one (unless `rec` equals the last commit), a plan other than the pending one is committed
  /// under the pending batch id, or a topic is not UTF-8.
  result<void> commit(const commit_record& rec) {
    SLUICE_TRYV(load_committed());
    if (const auto& last = *committed_; last && rec.plan.batch_id <= last->batch_id) {
      // Only a retry of the last commit is allowed here. Position and state are not kept in
      // memory, so telling a retry from another commit of that batch reads them (a rare path).
      if (rec.plan != *last) return errc::invalid_argument;
      SLUICE_TRY(stored, last_commit());
      if (stored && *stored == rec) return success();
      return errc::invalid_argument;
    }
    if (rec.plan.batch_id < 0) return errc::invalid_argument;
    SLUICE_TRY(text, blobs_.get("plan.json"));
    if (text) {
      SLUICE_TRY(plan, parse_plan(*text));
      if (plan.batch_id == rec.plan.batch_id && plan != rec.plan) return errc::invalid_argument;
    }
    std::string out;
    json::writer w(out);
    SLUICE_TRYV(write_plan_fields(w.begin_object(), rec.plan));
    w.key("position");
    SLUICE_TRYV(write_ranges_json(w, rec.position));
    w.bytes_member("state", &rec.state).end_object();
    out.push_back('\n');
    if (auto put = blobs_.put("commit.json", out); !put) {
      committed_.reset();
      return put;
    }
    committed_.emplace(rec.plan);
    return success();
  }

  /// The last commit, or empty before the first. Always reads the storage (see the class
  /// comment).
  result<std::optional<commit_record>> last_commit() {
    committed_.reset();
    SLUICE_TRY(text, blobs_.get("commit.json"));
    if (!text) {
      committed_.emplace();
      return std::optional<commit_record>{};
    }
    simdjson::dom::object obj;
    SLUICE_TRYV(parse_object(*text, obj));
    commit_record rec;
    SLUICE_TRYV(read_plan_fields(obj, rec.plan));
    simdjson::dom::element pos;
    if (obj["position"].get(pos) != simdjson::SUCCESS) return errc::corrupt_state;
    auto position = read_ranges_json(pos);
    auto state = read_bytes_field(obj, "state");
    if (!position || !state || !*state) return errc::corrupt_state;
    rec.position = std::move(*position);
    rec.state = std::move(**state);
    committed_.emplace(rec.plan);
    return std::optional<commit_record>(std::move(rec));
  }

  /// The storage of the store.
  [[nodiscard]] Blobs& blobs() noexcept { return blobs_; }
  [[nodiscard]] const Blobs& blobs() const noexcept { return blobs_; }

 private:
  // The members both blobs start with: version, batch id, ranges.
  static result<void> write_plan_fields(json::writer& w, const batch_plan& plan) {
    w.key("version").integer(1).key("batch_id").integer(plan.batch_id).key("ranges");
    return write_ranges_json(w, plan.ranges);
  }

  result<void> parse_object(const std::string& text, simdjson::dom::object& obj) {
    if (!parse_json_object(parser_, text, obj)) return errc::corrupt_state;
    std::int64_t version = 0;
    if (obj["version"].get(version) != simdjson::SUCCESS || version != 1) return errc::corrupt_state;
    return success();
  }

  static result<void> read_plan_fields(simdjson::dom::object obj, batch_plan& plan) {
    const auto id = json_int_field(obj, "batch_id", 0);
    simdjson::dom::element ranges;
    if (!id || obj["ranges"].get(ranges) != simdjson::SUCCESS) return errc::corrupt_state;
    auto rs = read_ranges_json(ranges);
    if (!rs) return errc::corrupt_state;
    plan.batch_id = *id;
    plan.ranges = std::move(*rs);
    return success();
  }

  // Makes `committed_` known, reading `commit.json` unless it is already.
  result<void> load_committed() {
    if (committed_) return success();
    SLUICE_TRYV(last_commit());
    return success();
  }

  result<batch_plan> parse_plan(const std::string& text) {
    simdjson::dom::object obj;
    SLUICE_TRYV(parse_object(text, obj));
    batch_plan plan;
    SLUICE_TRYV(read_plan_fields(obj, plan));
    return plan;
  }

  Blobs blobs_;
  simdjson::dom::parser parser_;
  // The plan of the last commit (inner empty: no commit yet); empty while unknown.
  std::optional<std::optional<batch_plan>> committed_;
};

}  // namespace sluice::inline v0::store
