// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `state::shared_store`: one state store for several stages of a pipeline, so that a batch
/// writes one changelog (or snapshot) for all of them instead of one per stage — one durable put
/// per batch less per extra stage, on a folder two fsyncs, on S3 one request
/// (docs/state-store.md, "One file for several stages").
///
/// Each member (a stage, in pipeline order) has a **section**: its entries' keys start with the
/// byte `'0' + index`. A batch's commit collects the members' parts in pipeline order; the last
/// member's part completes the batch, and the file (the sections of the members that changed,
/// or every section for a snapshot) is written then. Recovery works the other way round: each
/// member says how to apply its entries, and the last one runs the recovery, which gives every
/// entry (prefix removed) to its section's member, then tells each member it is done.
///
/// The parts are called when the last member's part arrives, so they may only refer to what
/// outlives the earlier members' calls (the stage itself, not the call's locals); the pipeline
/// calls its stages one after the other, with nothing in between that changes them.

#include "sluice/core/error.hpp"
#include "sluice/state/state_file.hpp"
#include "sluice/state/state_store.hpp"
#include "sluice/store/any_blobs.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::state {

/// One state store shared by the stages that joined it (see the file comment).
///
/// Errors: those of `state_store`; `errc::corrupt_state` from `recover` also for an entry of
/// no member's section. Blocking: the blob store's. Thread-safety: none.
class shared_store {
 public:
  using store_type = state_store<store::any_blobs>;
  /// A member's part of a batch's file.
  using part = std::function<void(file_writer&)>;
  /// How a member applies one of its entries in recovery.
  using apply_fn = std::function<result<void>(op, std::string_view, std::string_view)>;
  /// Called on each member once its entries are applied.
  using finish_fn = std::function<void()>;

  /// At most this many members (their sections are the bytes `'0'` to `'9'`).
  static constexpr std::size_t max_members = 10;

  shared_store(store::any_blobs blobs, state_options opt) : store_(std::move(blobs), std::move(opt)) {}

  /// A new member: its index (members write their parts in index order).
  /// Errors: `errc::invalid_argument` past `max_members`.
  [[nodiscard]] result<std::size_t> join() {
    if (members_.size() == max_members) return errc::invalid_argument;
    members_.emplace_back();
    return members_.size() - 1;
  }
  [[nodiscard]] std::size_t members() const noexcept { return members_.size(); }
  /// True for the member whose part completes a batch (and whose load runs the recovery).
  [[nodiscard]] bool last(std::size_t member) const noexcept { return member + 1 == members_.size(); }

  /// Member `member`'s part of batch `batch_id`: `changes` writes its entries into a changelog
  /// (nothing if it changed nothing), `all` its whole state into a snapshot. The last member's
  /// part writes the file: the manifest text for the commit record; before, nothing.
  /// Errors: the blob store's (of the last part).
  result<std::optional<std::string>> write(std::size_t member, std::int64_t batch_id, part changes, part all) {
    members_[member].changes = std::move(changes);
    members_[member].all = std::move(all);
    if (!last(member)) return std::optional<std::string>();
    auto text = store_.write(
        batch_id, [&](file_writer& w) { write_sections(w, &member_state::changes); },
        [&](file_writer& w) { write_sections(w, &member_state::all); });
    for (auto& m : members_) m.changes = m.all = nullptr;
    if (!text) return text.error();
    return std::optional<std::string>(std::move(text).value());
  }

  /// The commit of the last written batch is durable (retention may run).
  result<void> committed() { return store_.committed(); }

  /// Member `member` applies its entries with `apply` and is told with `finish` when recovery
  /// is done; the last member's call then runs it with `manifest_text` (the text the last
  /// member's commit holds; "" for no state). Earlier members' calls only register.
  /// Errors: `errc::corrupt_state` (`error_detail()` says which file and why).
  result<void> recover(std::size_t member, std::string_view manifest_text, apply_fn apply, finish_fn finish) {
    members_[member].apply = std::move(apply);
    members_[member].finish = std::move(finish);
    if (!last(member)) return success();
    for (const auto& m : members_)
      if (!m.apply) {
        why_ = "a stage sharing the state store did not load its state";
        return errc::corrupt_state;
      }
    why_.clear();
    result<void> first = success();
    auto r = store_.recover(manifest_text, [&](op o, std::string_view k, std::string_view v) {
      if (!first) return;
      const std::size_t section = k.empty() || k.front() < '0' ? max_members : static_cast<std::size_t>(k.front() - '0');
      if (section >= members_.size()) {
        first = errc::corrupt_state;
        why_ = "an entry of no stage's section";
        return;
      }
      first = members_[section].apply(o, k.substr(1), v);
      if (!first) why_ = "an entry the stage of section " + std::to_string(section) + " cannot read";
    });
    for (auto& m : members_) m.apply = nullptr;
    if (!r) return r;
    if (!first) return first;
    for (auto& m : members_) {
      if (m.finish) m.finish();
      m.finish = nullptr;
    }
    return success();
  }

  /// The next batch writes a snapshot (a member's state came from elsewhere).
  void snapshot_next() noexcept { store_.snapshot_next(); }

  /// What recovery found wrong (the file and why), else empty.
  [[nodiscard]] std::string error_detail() const {
    if (!why_.empty()) return why_ + (store_.error_detail().empty() ? "" : "; " + store_.error_detail());
    return store_.error_detail();
  }

  [[nodiscard]] store_type& store() noexcept { return store_; }

 private:
  struct member_state {
    part changes, all;
    apply_fn apply;
    finish_fn finish;
  };

  void write_sections(file_writer& w, part member_state::*which) {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      w.section(static_cast<char>('0' + i));
      if (const part& p = members_[i].*which) p(w);
    }
    w.section('\0');
  }

  store_type store_;
  std::vector<member_state> members_;
  std::string why_;
};

}  // namespace sluice::inline v0::state
