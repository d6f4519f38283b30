// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// What `watermark_dedup` and `tumbling_window` share to checkpoint incrementally through a
/// `state::state_store` (docs/state-store.md, "Stages on the state store"): the store once
/// attached, the watermark entry every file starts with, and the recovery loop.
///
/// Both stages forget state by the watermark alone (expired keys, closed windows), so their
/// files hold puts only: a file's first entry is the watermark (key `w`, the largest event time
/// seen: 8 bytes little-endian, or none), and recovery forgets what that watermark passed before
/// it applies the file's other entries, as the batch did.

#include "sluice/core/error.hpp"
#include "sluice/state/shared_store.hpp"
#include "sluice/state/state_file.hpp"
#include "sluice/state/state_store.hpp"
#include "sluice/store/any_blobs.hpp"

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::inline v0::stream::detail {

/// The key of the watermark entry.
inline constexpr std::string_view watermark_key = "w";

/// True if `blob` is a state store's manifest (not a whole state saved in the commit), the
/// stage's own store's or a shared store's (`shared_marker`).
[[nodiscard]] inline bool is_manifest(std::string_view blob) noexcept {
  return blob.substr(0, 13) == "sluice-state ";
}

/// What a member of a `state::shared_store` saves in the commit record: this alone when a
/// later member's blob holds the manifest; this, a space and the manifest for the last member.
inline constexpr std::string_view shared_marker = "sluice-state shared";

/// Writes the watermark entry: `max_seen` as 8 bytes little-endian, or no bytes for none.
inline void put_watermark(state::file_writer& w, std::optional<std::int64_t> max_seen) {
  char v[8];
  if (max_seen) std::memcpy(v, &*max_seen, 8);
  w.put(watermark_key, std::string_view(v, max_seen ? 8 : 0));
}

/// The largest event time a watermark entry's value holds.
/// Errors: `errc::corrupt_state` unless it has 0 or 8 bytes.
[[nodiscard]] inline result<std::optional<std::int64_t>> watermark_value(std::string_view v) {
  if (v.empty()) return std::optional<std::int64_t>();
  if (v.size() != 8) return errc::corrupt_state;
  std::int64_t m;
  std::memcpy(&m, v.data(), 8);
  return std::optional<std::int64_t>(m);
}

/// A stage's state store, once attached, and the watermark of its last commit (an unchanged
/// watermark and no other change write no file).
class incremental_state {
 public:
  using store_type = state::state_store<store::any_blobs>;

  void attach(store::any_blobs blobs, state::state_options opt) {
    store_.emplace(std::move(blobs), std::move(opt));
    shared_.reset();
    committed_max_seen_.reset();
    pending_max_seen_.reset();
  }
  /// Joins `shared` (one file per batch for all its members); `own` is where this stage's own
  /// store kept its files, read when a commit from before names them (its first commit then
  /// writes a snapshot of the shared store).
  /// Errors: `errc::invalid_argument` if `shared` has its maximum of members.
  result<void> attach(std::shared_ptr<state::shared_store> shared, state::state_options own) {
    SLUICE_TRY(member, shared->join());
    store_.emplace(shared->store().blobs(), std::move(own));
    shared_ = std::move(shared);
    member_ = member;
    committed_max_seen_.reset();
    pending_max_seen_.reset();
    return success();
  }
  [[nodiscard]] bool attached() const noexcept { return store_.has_value(); }
  [[nodiscard]] store_type& store() noexcept { return *store_; }
  [[nodiscard]] const store_type* store_if() const noexcept { return store_ ? &*store_ : nullptr; }


  /// Writes batch `batch_id`'s file and leaves the manifest in `blob`: a changelog of the
  /// watermark entry (`max_seen`) then what `changes(writer)` writes, or, when a snapshot is due,
  /// the watermark entry then what `all(writer)` writes. No file when `changed` is false and the
  /// watermark is the committed one.
  /// Errors: the blob store's.
  ///
  /// Sharing a store, `changes` and `all` are called when the store's last member saves its
  /// state: they may only refer to the stage (see `state::shared_store`).
  template <class Changes, class All>
  result<void> write(std::int64_t batch_id, std::optional<std::int64_t> max_seen, bool changed, Changes&& changes,
                     All&& all, std::string& blob) {
    if (shared_) {
      auto text = shared_->write(
          member_, batch_id,
          [this, changed, max_seen, changes = state::shared_store::part(changes)](state::file_writer& w) {
            if (!changed && max_seen == committed_max_seen_) return;
            put_watermark(w, max_seen);
            changes(w);
          },
          [max_seen, all = state::shared_store::part(all)](state::file_writer& w) {
            put_watermark(w, max_seen);
            all(w);
          });
      if (!text) return text.error();
      blob = shared_marker;
      if (text.value()) {
        blob += ' ';
        blob += *text.value();
      }
      pending_max_seen_ = max_seen;
      return success();
    }
    auto text = store_->write(
        batch_id,
        [&](state::file_writer& w) {
          if (!changed && max_seen == committed_max_seen_) return;
          put_watermark(w, max_seen);
          changes(w);
        },
        [&](state::file_writer& w) {
          put_watermark(w, max_seen);
          all(w);
        });
    if (!text) return text.error();
    blob = std::move(text).value();
    pending_max_seen_ = max_seen;
    return success();
  }

  /// The commit of the last write is durable.
  result<void> committed() {
    if (!store_) return success();
    committed_max_seen_ = pending_max_seen_;
    if (shared_) return shared_->last(member_) ? shared_->committed() : success();
    return store_->committed();
  }

  /// Loads the state `manifest_text` names: `apply(key, value) -> result<void>` for each put in
  /// order, then `finish()`. A removal entry is an error (these stages write none). The
  /// watermark of the result is the committed one afterwards (`recovered_max_seen`).
  ///
  /// Sharing a store, with the text a member saved (or "" for none): an earlier member only
  /// registers `apply` and `finish`, which the last member's call runs, so they may only refer
  /// to the stage. A manifest of the stage's own store (a commit from before it shared one) is
  /// read from there, and the shared store's next batch writes a snapshot.
  /// Errors: `errc::corrupt_state` (`error_detail()` says which file and why).
  template <class Apply, class Finish>
  result<void> recover(std::string_view manifest_text, Apply&& apply, Finish&& finish) {
    if (shared_ && (manifest_text.empty() || manifest_text.substr(0, shared_marker.size()) == shared_marker)) {
      std::string_view shared_text = manifest_text.substr(std::min(manifest_text.size(), shared_marker.size()));
      if (!shared_text.empty()) {
        if (shared_text.front() != ' ' || !shared_->last(member_)) return errc::corrupt_state;
        shared_text.remove_prefix(1);
      } else if (!manifest_text.empty() && shared_->last(member_)) {
        return errc::corrupt_state;   // the last member's blob holds the manifest
      }
      why_.clear();
      return shared_->recover(
          member_, shared_text,
          [this, put = std::function<result<void>(std::string_view, std::string_view)>(apply)](
              state::op o, std::string_view k, std::string_view v) -> result<void> {
            if (o != state::op::put) {
              why_ = "a removal entry, which this stage never writes";
              return errc::corrupt_state;
            }
            return put(k, v);
          },
          state::shared_store::finish_fn(finish));
    }
    SLUICE_TRYV(recover_own(manifest_text, apply));
    finish();
    if (shared_) shared_->snapshot_next();
    return success();
  }
  /// A stage's `apply` for `recover`: the watermark entry to `watermark(max_seen)`, every other
  /// entry to `entry(key, value) -> result<void>`. Both must refer to the stage only (with a
  /// shared store they run in the load of the store's last member).
  template <class Watermark, class Entry>
  [[nodiscard]] static auto entries(Watermark watermark, Entry entry) {
    return [watermark, entry](std::string_view key, std::string_view value) -> result<void> {
      if (key != watermark_key) return entry(key, value);
      SLUICE_TRY(m, watermark_value(value));
      watermark(m);
      return success();
    };
  }

  void recovered_max_seen(std::optional<std::int64_t> m) noexcept {
    committed_max_seen_ = m;
    pending_max_seen_ = m;
  }

  /// A whole state was loaded from the commit record (saved before the store was attached): no
  /// file holds it, so the next write is a snapshot.
  void recovered_whole() {
    if (!store_) return;
    if (shared_) shared_->snapshot_next();
    store_->snapshot_next();
    committed_max_seen_.reset();
  }

  /// What recovery found wrong (the file and why), else empty.
  [[nodiscard]] std::string error_detail() const {
    if (!store_) return {};
    const std::string store_detail = shared_ ? shared_->error_detail() : store_->error_detail();
    if (!why_.empty()) return why_ + (store_detail.empty() ? "" : "; " + store_detail);
    return store_detail;
  }

 private:
  template <class Apply>
  result<void> recover_own(std::string_view manifest_text, Apply& apply) {
    result<void> first = success();
    auto r = store_->recover(manifest_text, [&](state::op o, std::string_view k, std::string_view v) {
      if (!first) return;
      if (o != state::op::put) {
        first = errc::corrupt_state;
        why_ = "a removal entry, which this stage never writes";
        return;
      }
      first = apply(k, v);
      if (!first) why_ = "an entry this stage cannot read (key of " + std::to_string(k.size()) + " bytes)";
    });
    if (!r) return r;
    if (!first) return first;
    why_.clear();
    return success();
  }

  std::optional<store_type> store_;                 // the stage's own (sharing: read for old commits)
  std::shared_ptr<state::shared_store> shared_;     // sharing: the store its commits write
  std::size_t member_ = 0;
  std::optional<std::int64_t> committed_max_seen_;
  std::optional<std::int64_t> pending_max_seen_;
  std::string why_;
};

}  // namespace sluice::inline v0::stream::detail
