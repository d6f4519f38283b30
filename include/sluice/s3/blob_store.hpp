// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `s3::blob_store`: the S3 backend of the storage layer, the `store::blob_store` model on S3, one
/// object per key under `s3://BUCKET/PREFIX`. It carries the completed-batches log
/// (`completed_batches_log<s3::blob_store>`), the S3 checkpoint store and the S3 dead letters.

#include "sluice/core/error.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/s3/location.hpp"
#include "sluice/store/blob_store.hpp"
#include "sluice/store/key.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::s3 {

/// A `store::blob_store` keeping the blob `key` as the object `PREFIX/key` of `BUCKET`.
///
/// - `put` is one PUT: atomic (S3 never shows part of an object) and durable when it returns.
/// - `get` is one GET (404: empty); `list(prefix)` is ListObjectsV2 over `PREFIX/prefix`,
///   following continuation tokens, with `PREFIX/` taken off, sorted. Objects under the location
///   whose relative key is not a safe key (written by someone else) are not listed.
/// - Keys must be safe relative keys (`store::check_relative_key`).
/// Errors (all members): `errc::invalid_argument` for an unsafe key or prefix (nothing sent);
/// the client's errors (see `s3::client`).
/// Blocking: yes (network). Thread-safety: as the shared client (one thread at a time).
class blob_store {
 public:
  using stage_concept = store::blob_store_tag;

  /// A store at `where`, sending its requests through `client` (shared with other stages).
  blob_store(std::shared_ptr<client> c, location where) : client_(std::move(c)), where_(std::move(where)) {}

  /// Stores `bytes` under `key`.
  result<void> put(std::string_view key, std::string_view bytes) {
    SLUICE_TRYV(store::check_relative_key(key));
    return client_->put_object(where_.bucket, where_.key_of(key), bytes);
  }

  /// The blob under `key`, or empty.
  result<std::optional<std::string>> get(std::string_view key) {
    SLUICE_TRYV(store::check_relative_key(key));
    return client_->get_object(where_.bucket, where_.key_of(key));
  }

  /// The keys starting with `prefix` (a plain string prefix), sorted.
  ///
  /// Complexity: one request per 1000 keys (`page_size`).
  result<std::vector<std::string>> list(std::string_view prefix) {
    const std::string full = where_.prefix.empty() ? std::string(prefix) : where_.prefix + "/" + std::string(prefix);
    SLUICE_TRY(objects, client_->list_all(where_.bucket, full, page_size_));
    const std::size_t cut = where_.prefix.empty() ? 0 : where_.prefix.size() + 1;
    std::vector<std::string> keys;
    keys.reserve(objects.size());
    for (auto& o : objects) {
      if (o.key.size() <= cut) continue;
      std::string rel = o.key.substr(cut);
      if (store::check_relative_key(rel)) keys.push_back(std::move(rel));
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
  }

  /// Removes the blob under `key` (absent is fine): one DeleteObject.
  result<void> remove(std::string_view key) {
    SLUICE_TRYV(store::check_relative_key(key));
    return client_->delete_object(where_.bucket, where_.key_of(key));
  }

  /// Keys per ListObjectsV2 request (1–1000; tests use small pages).
  void set_page_size(int n) noexcept { page_size_ = std::clamp(n, 1, 1000); }

  /// Where the store keeps its blobs.
  [[nodiscard]] const location& where() const noexcept { return where_; }

  /// The client it sends requests through.
  [[nodiscard]] client& connection() const noexcept { return *client_; }

 private:
  std::shared_ptr<client> client_;
  location where_;
  int page_size_ = 1000;
};

static_assert(store::blob_store<blob_store>);

}  // namespace sluice::inline v0::s3
