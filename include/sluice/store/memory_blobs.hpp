// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `store::memory_blobs`: a `store::blob_store` in memory, for tests and for pipelines whose
/// state need not survive the process.

#include "sluice/core/error.hpp"
#include "sluice/store/blob_store.hpp"
#include "sluice/store/key.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inline v0::store {

/// A `blob_store` over a shared in-memory map: copies of a store share the same blobs, so a test
/// can keep one copy while a pipeline owns another (a "restart" builds a new policy or store over
/// the same blobs).
///
/// Keys are checked as on every backend (`check_relative_key`): `errc::invalid_argument` for an
/// unsafe one.
/// Blocking: no. Thread-safety: none (copies share state).
class memory_blobs {
 public:
  using stage_concept = blob_store_tag;

  /// Stores `bytes` under `key`.
  result<void> put(std::string_view key, std::string_view bytes) {
    SLUICE_TRYV(check_relative_key(key));
    (*blobs_)[std::string(key)] = std::string(bytes);
    return success();
  }

  /// The blob under `key`, or empty.
  result<std::optional<std::string>> get(std::string_view key) {
    SLUICE_TRYV(check_relative_key(key));
    const auto it = blobs_->find(key);
    if (it == blobs_->end()) return std::optional<std::string>{};
    return std::optional<std::string>(it->second);
  }

  /// Removes the blob under `key` (absent is fine).
  result<void> remove(std::string_view key) {
    SLUICE_TRYV(check_relative_key(key));
    const auto it = blobs_->find(key);
    if (it != blobs_->end()) blobs_->erase(it);
    return success();
  }

  /// The keys starting with `prefix`, sorted. Complexity: O(log n + matches).
  result<std::vector<std::string>> list(std::string_view prefix) {
    std::vector<std::string> keys;
    for (auto it = blobs_->lower_bound(prefix);
         it != blobs_->end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      keys.push_back(it->first);
    return keys;
  }

  /// The number of blobs stored.
  [[nodiscard]] std::size_t size() const noexcept { return blobs_->size(); }

 private:
  std::shared_ptr<std::map<std::string, std::string, std::less<>>> blobs_ =
      std::make_shared<std::map<std::string, std::string, std::less<>>>();
};

static_assert(blob_store<memory_blobs>);

}  // namespace sluice::inline v0::store
