// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `state_store<Blobs>`: incremental checkpointing of keyed state over a blob store (a folder or
/// S3), after Spark's HDFS-backed state store (delta and snapshot files) and its RocksDB store
/// with changelog checkpointing (docs/state-store.md). Each batch writes a **changelog** of only
/// the keys it added, changed or removed; every `snapshot_interval` changelogs a **snapshot** of
/// the whole state is written instead; **retention** deletes the files no recovery of the last
/// `min_batches_to_retain` batches needs. The manifest text `write` returns goes into the batch's
/// commit record, so the files and the committed offsets never disagree: a crash between the
/// two leaves files no committed manifest names, which the replay of the batch overwrites.

#include "sluice/core/error.hpp"
#include "sluice/state/manifest.hpp"
#include "sluice/store/blob_store.hpp"
#include "sluice/state/state_file.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::state {

/// Settings of a state store.
struct state_options {
  /// Names of the files start with this (`<prefix>changelog-<batch>.bin`, `…snapshot-…`).
  std::string prefix = "state/";
  /// A snapshot replaces the changelog once this many changelogs follow the last snapshot.
  std::int64_t snapshot_interval = 10;
  /// Retention keeps what recovering any of the last this many batches needs (Spark's
  /// `spark.sql.streaming.minBatchesToRetain`, default 100 there too).
  std::int64_t min_batches_to_retain = 100;
};

/// What a state store has written and removed (for progress records and benchmarks).
struct state_stats {
  std::int64_t changelogs_written = 0;
  std::int64_t snapshots_written = 0;
  std::int64_t bytes_written = 0;
  std::int64_t files_removed = 0;
  std::int64_t last_batch_bytes = 0;  ///< bytes the last `write` put (0: nothing changed)
};

/// Incremental state checkpointing over `Blobs`.
///
/// Protocol per batch: `write(batch, changes, all)` → the caller commits the returned manifest
/// text with the batch → `committed()` (which may run retention). On restart:
/// `recover(manifest_text, apply)` with the text of the last commit. `rollback()` forgets a
/// `write` whose commit did not happen (a retried batch).
///
/// Errors: the blob store's; `errc::corrupt_state` from `recover` for a manifest that does not
/// parse, a missing file, or a file whose size, checksum, kind or batch differ from the
/// manifest — `error_detail()` then names the file and what is wrong. Never an empty state in
/// place of an unreadable one.
/// Blocking: yes (the blob store's I/O). Thread-safety: none.
template <store::blob_store Blobs>
class state_store {
 public:
  explicit state_store(Blobs blobs, state_options opt = {})
      : blobs_(std::move(blobs)), opt_(std::move(opt)) {
    if (opt_.snapshot_interval < 1) opt_.snapshot_interval = 1;
    if (opt_.min_batches_to_retain < 1) opt_.min_batches_to_retain = 1;
  }

  /// Writes the state of batch `batch_id` and returns the manifest text for its commit record.
  /// `changes(file_writer&)` writes the batch's puts and removes; when a snapshot is due,
  /// `all(file_writer&)` writes every entry of the state after the batch instead. A batch that
  /// changed nothing writes no file.
  template <class Changes, class All>
  result<std::string> write(std::int64_t batch_id, Changes&& changes, All&& all) {
    manifest next = committed_;
    next.batch_id = batch_id;
    const bool snapshot_due = snapshot_next_ ||
        static_cast<std::int64_t>(committed_.changelogs.size()) + 1 >= opt_.snapshot_interval;
    stats_.last_batch_bytes = 0;
    if (snapshot_due) {
      // Two passes over the state: one counts the entries (the file's header holds their
      // number), one sends the file in pieces, so the snapshot is never whole in memory where
      // the store takes pieces (`store::put_pieces`).
      file_writer counter = file_writer::counting();
      all(counter);
      file_writer::sent sent;
      SLUICE_TRYV(store::put_pieces(blobs_, file_name(file_kind::snapshot, batch_id),
                                    [&](const store::piece_sink& out) -> result<void> {
                                      file_writer w(file_kind::snapshot, batch_id, counter.entries(), out);
                                      all(w);
                                      SLUICE_TRY(done, w.finish_pieces());
                                      sent = done;
                                      return success();
                                    },
                                    counter.counted_bytes()));
      next.snapshot = file_ref{batch_id, sent.bytes, sent.crc};
      next.changelogs.clear();
      ++stats_.snapshots_written;
      stats_.last_batch_bytes = static_cast<std::int64_t>(sent.bytes);
    } else {
      file_writer w(file_kind::changelog, batch_id);
      changes(w);
      if (w.entries() != 0) {
        const std::string bytes = w.finish();
        SLUICE_TRYV(blobs_.put(file_name(file_kind::changelog, batch_id), bytes));
        next.changelogs.push_back(file_ref{batch_id, bytes.size(), crc_of(bytes)});
        ++stats_.changelogs_written;
        stats_.last_batch_bytes = static_cast<std::int64_t>(bytes.size());
      }
    }
    stats_.bytes_written += stats_.last_batch_bytes;
    pending_ = std::move(next);
    pending_snapshot_ = snapshot_due;
    return to_text(*pending_);
  }

  /// The commit of the last `write` is durable: its manifest becomes the committed one, and
  /// after a snapshot, retention deletes what is no longer needed (a failed delete is retried at
  /// the next snapshot; the files left are only extra).
  result<void> committed() {
    if (!pending_) return success();
    committed_ = std::move(*pending_);
    pending_.reset();
    if (pending_snapshot_) {
      pending_snapshot_ = false;
      snapshot_next_ = false;
      return retain();
    }
    return success();
  }

  /// The next `write` writes a snapshot, whatever the interval: for a state that no file holds
  /// (loaded from elsewhere, e.g. a whole state saved in a commit record before this store).
  void snapshot_next() noexcept { snapshot_next_ = true; }

  /// Forgets the last `write` (its batch will be written again).
  void rollback() noexcept {
    pending_.reset();
    pending_snapshot_ = false;
  }

  /// Loads the state of the commit whose manifest is `manifest_text` ("" = no state yet):
  /// `apply(op, key, value)` for every entry of the snapshot, then of each changelog in order.
  /// Every file is checked against the manifest before anything of it is applied.
  template <class Apply>
  result<void> recover(std::string_view manifest_text, Apply&& apply) {
    pending_.reset();
    pending_snapshot_ = false;
    snapshot_next_ = false;
    if (manifest_text.empty()) {
      committed_ = manifest{};
      return success();
    }
    auto m = parse_manifest(manifest_text);
    if (!m) {
      detail_ = "the commit's state manifest does not parse: '" +
                std::string(manifest_text.substr(0, 200)) + "'";
      return errc::corrupt_state;
    }
    if (m->snapshot) {
      SLUICE_TRYV(load(file_kind::snapshot, *m->snapshot, apply));
    }
    for (const file_ref& f : m->changelogs) {
      SLUICE_TRYV(load(file_kind::changelog, f, apply));
    }
    committed_ = std::move(*m);
    // A retention killed half-way left files no recovery needs: finish it now, not only at the
    // next snapshot (best effort: what a failed delete leaves is only extra).
    (void)retain();
    return success();
  }

  /// Deletes the files that no recovery of the last `min_batches_to_retain` committed batches
  /// needs: snapshots older than the newest snapshot at or before the oldest such batch, and the
  /// changelogs up to that snapshot. Runs by itself after each snapshot and after `recover`.
  result<void> retain() {
    SLUICE_TRY(names, blobs_.list(opt_.prefix));
    const std::int64_t oldest = committed_.batch_id - opt_.min_batches_to_retain + 1;
    std::int64_t keep_from = -1;  // the snapshot the oldest retained batch recovers from
    for (const std::string& n : names) {
      const auto f = parse_name(n);
      if (f && f->first == file_kind::snapshot && f->second <= oldest && f->second > keep_from)
        keep_from = f->second;
    }
    if (keep_from < 0) return success();
    for (const std::string& n : names) {
      const auto f = parse_name(n);
      if (!f) continue;
      const bool old = f->first == file_kind::snapshot ? f->second < keep_from : f->second <= keep_from;
      if (!old) continue;
      SLUICE_TRYV(blobs_.remove(n));
      ++stats_.files_removed;
    }
    return success();
  }

  /// The name of the file of `kind` for `batch_id`: the prefix, the kind, the batch id in 20
  /// digits (so names sort by batch), `.bin`.
  [[nodiscard]] std::string file_name(file_kind kind, std::int64_t batch_id) const {
    std::string digits = std::to_string(batch_id);
    std::string out = opt_.prefix;
    out += kind == file_kind::snapshot ? "snapshot-" : "changelog-";
    out.append(digits.size() < 20 ? 20 - digits.size() : 0, '0');
    out += digits;
    out += ".bin";
    return out;
  }

  /// The manifest of the last commit (after `recover` or `committed`).
  [[nodiscard]] const manifest& committed_manifest() const noexcept { return committed_; }
  /// What failed last, with the file's name (after `errc::corrupt_state`).
  [[nodiscard]] const std::string& error_detail() const noexcept { return detail_; }
  [[nodiscard]] const state_stats& stats() const noexcept { return stats_; }
  [[nodiscard]] const state_options& options() const noexcept { return opt_; }
  [[nodiscard]] Blobs& blobs() noexcept { return blobs_; }

 private:
  static std::uint32_t crc_of(std::string_view file) noexcept {
    return static_cast<std::uint32_t>(detail::get_le(file, file.size() - detail::trailer_size, 4));
  }

  template <class Apply>
  result<void> load(file_kind kind, const file_ref& f, Apply& apply) {
    const std::string name = file_name(kind, f.batch_id);
    SLUICE_TRY(bytes, blobs_.get(name));
    if (!bytes) {
      detail_ = "state file " + name + " is missing (the commit of batch " +
                std::to_string(f.batch_id) + " names it)";
      return errc::corrupt_state;
    }
    if (bytes->size() != f.bytes || bytes->size() < detail::trailer_size || crc_of(*bytes) != f.crc) {
      detail_ = "state file " + name + " has " + std::to_string(bytes->size()) +
                " bytes or a checksum other than the commit records (" + std::to_string(f.bytes) +
                " bytes)";
      return errc::corrupt_state;
    }
    std::string why;
    auto h = read_file(*bytes, kind, f.batch_id, apply, &why);
    if (!h) {
      detail_ = "state file " + name + ": " + why;
      return h.error();
    }
    return success();
  }

  // (kind, batch) of a name this store writes; empty for any other name.
  [[nodiscard]] std::optional<std::pair<file_kind, std::int64_t>> parse_name(std::string_view n) const {
    if (n.substr(0, opt_.prefix.size()) != opt_.prefix) return std::nullopt;
    n.remove_prefix(opt_.prefix.size());
    file_kind kind{};
    if (n.substr(0, 9) == "snapshot-") {
      kind = file_kind::snapshot;
      n.remove_prefix(9);
    } else if (n.substr(0, 10) == "changelog-") {
      kind = file_kind::changelog;
      n.remove_prefix(10);
    } else {
      return std::nullopt;
    }
    if (n.size() != 24 || n.substr(20) != ".bin") return std::nullopt;
    std::int64_t batch = 0;
    if (!detail::parse_number(n.substr(0, 20), batch)) return std::nullopt;
    return std::pair{kind, batch};
  }

  Blobs blobs_;
  state_options opt_;
  manifest committed_;
  std::optional<manifest> pending_;
  bool pending_snapshot_ = false;
  bool snapshot_next_ = false;
  state_stats stats_;
  std::string detail_;
};

}  // namespace sluice::inline v0::state
