// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `keyed_state<Blobs>`: a key → value map whose changes are checkpointed incrementally by a
/// `state_store` (docs/state-store.md). For stages whose state is naturally a map of byte strings
/// (latest row per key, small aggregates); stages with their own tables write their changes to a
/// `state_store` directly.

#include "sluice/core/error.hpp"
#include "sluice/state/state_store.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice::inline v0::state {

/// A map of byte strings with a batch protocol: change it (`put`, `remove`), then `commit`
/// (changelog of the changed keys, or a snapshot) and `committed()` once the batch's commit
/// record is durable; `rollback()` undoes the changes since the last commit; `recover` loads a
/// committed state.
///
/// Errors: those of `state_store`. Complexity: `put`/`remove`/`get` O(1) on average; `commit`
/// O(k log k) for k changed keys (the changelog is sorted, so its bytes are deterministic), or
/// O(n log n) when it writes a snapshot. Thread-safety: none.
template <store::blob_store Blobs>
class keyed_state {
 public:
  explicit keyed_state(Blobs blobs, state_options opt = {}) : store_(std::move(blobs), std::move(opt)) {}

  /// Sets `key` to `value`.
  void put(std::string_view key, std::string_view value) {
    auto it = map_.find(std::string(key));
    if (it == map_.end()) {
      remember(key, std::nullopt);
      map_.emplace(std::string(key), std::string(value));
    } else {
      remember(key, it->second);
      it->second.assign(value);
    }
  }
  /// Removes `key` (nothing if it is absent).
  void remove(std::string_view key) {
    auto it = map_.find(std::string(key));
    if (it == map_.end()) return;
    remember(key, it->second);
    map_.erase(it);
  }
  /// The value of `key`, or null.
  [[nodiscard]] const std::string* get(std::string_view key) const {
    const auto it = map_.find(std::string(key));
    return it == map_.end() ? nullptr : &it->second;
  }
  [[nodiscard]] std::size_t size() const noexcept { return map_.size(); }
  [[nodiscard]] const std::unordered_map<std::string, std::string>& entries() const noexcept {
    return map_;
  }

  /// Writes batch `batch_id`'s changes and returns the manifest text for its commit record.
  result<std::string> commit(std::int64_t batch_id) {
    std::vector<const std::string*> changed;
    changed.reserve(undo_.size());
    for (const auto& [k, old] : undo_) {
      const std::string* now = get(k);
      const bool same = now == nullptr ? !old.has_value() : old.has_value() && *old == *now;
      if (!same) changed.push_back(&k);
    }
    const auto by_key = [](const std::string* a, const std::string* b) { return *a < *b; };
    std::sort(changed.begin(), changed.end(), by_key);
    return store_.write(
        batch_id,
        [&](file_writer& w) {
          for (const std::string* k : changed) {
            if (const std::string* v = get(*k)) {
              w.put(*k, *v);
            } else {
              w.remove(*k);
            }
          }
        },
        [&](file_writer& w) {
          std::vector<const std::pair<const std::string, std::string>*> all;
          all.reserve(map_.size());
          for (const auto& e : map_) all.push_back(&e);
          std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->first < b->first; });
          for (const auto* e : all) w.put(e->first, e->second);
        });
  }

  /// The batch's commit record is durable: its changes become the committed state.
  result<void> committed() {
    undo_.clear();
    return store_.committed();
  }

  /// Undoes every change since the last commit (and the last `commit` if not `committed()`).
  void rollback() {
    for (auto& [k, old] : undo_) {
      if (old) {
        map_.insert_or_assign(k, std::move(*old));
      } else {
        map_.erase(k);
      }
    }
    undo_.clear();
    store_.rollback();
  }

  /// Replaces the map by the committed state `manifest_text` names ("" = empty).
  /// On an error the map is empty and `error_detail()` says which file is wrong.
  result<void> recover(std::string_view manifest_text) {
    map_.clear();
    undo_.clear();
    auto r = store_.recover(manifest_text, [&](op o, std::string_view k, std::string_view v) {
      if (o == op::put) {
        map_.insert_or_assign(std::string(k), std::string(v));
      } else {
        map_.erase(std::string(k));
      }
    });
    if (!r) map_.clear();
    return r;
  }

  [[nodiscard]] state_store<Blobs>& store() noexcept { return store_; }
  [[nodiscard]] const std::string& error_detail() const noexcept { return store_.error_detail(); }

 private:
  // Keeps the value `key` had at the last commit, the first time it changes in a batch.
  void remember(std::string_view key, std::optional<std::string> old) {
    undo_.try_emplace(std::string(key), std::move(old));
  }

  std::unordered_map<std::string, std::string> map_;
  std::unordered_map<std::string, std::optional<std::string>> undo_;
  state_store<Blobs> store_;
};

}  // namespace sluice::inline v0::state
