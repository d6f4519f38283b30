// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `store::any_blobs`: any `store::blob_store`, behind one type. For a stage that keeps its own
/// files (the incremental state of `stream::watermark_dedup` and `stream::tumbling_window`) and
/// is attached to a store at run time, so the stage's type does not name the backend. A call
/// costs one indirect call next to a file write or a PUT (docs/architecture.md §6).

#include "sluice/core/error.hpp"
#include "sluice/store/blob_store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::inline v0::store {

/// A `blob_store` that forwards to the store it was made from (copies share that store).
///
/// Errors, blocking and thread-safety: those of the wrapped store.
class any_blobs {
 public:
  using stage_concept = blob_store_tag;

  /// Wraps `s` (moved in; copies of this object share it).
  template <blob_store S>
    requires(!std::is_same_v<std::decay_t<S>, any_blobs>)
  explicit any_blobs(S s) : impl_(std::make_shared<model<S>>(std::move(s))) {}

  result<void> put(std::string_view key, std::string_view bytes) { return impl_->put(key, bytes); }
  result<std::optional<std::string>> get(std::string_view key) { return impl_->get(key); }
  result<std::vector<std::string>> list(std::string_view prefix) { return impl_->list(prefix); }
  result<void> remove(std::string_view key) { return impl_->remove(key); }
  /// Piece by piece where the wrapped store can (`store::put_pieces`), else gathered first.
  result<void> put_pieces(std::string_view key, const piece_fill& fill, std::size_t size_hint = 0) {
    return impl_->put_pieces(key, fill, size_hint);
  }

 private:
  struct concept_t {
    virtual ~concept_t() = default;
    virtual result<void> put(std::string_view key, std::string_view bytes) = 0;
    virtual result<std::optional<std::string>> get(std::string_view key) = 0;
    virtual result<std::vector<std::string>> list(std::string_view prefix) = 0;
    virtual result<void> remove(std::string_view key) = 0;
    virtual result<void> put_pieces(std::string_view key, const piece_fill& fill, std::size_t size_hint) = 0;
  };
  template <class S>
  struct model final : concept_t {
    explicit model(S s) : store(std::move(s)) {}
    result<void> put(std::string_view key, std::string_view bytes) override { return store.put(key, bytes); }
    result<std::optional<std::string>> get(std::string_view key) override { return store.get(key); }
    result<std::vector<std::string>> list(std::string_view prefix) override { return store.list(prefix); }
    result<void> remove(std::string_view key) override { return store.remove(key); }
    result<void> put_pieces(std::string_view key, const piece_fill& fill, std::size_t size_hint) override {
      return store::put_pieces(store, key, fill, size_hint);
    }
    S store;
  };

  std::shared_ptr<concept_t> impl_;
};

static_assert(piecewise_blob_store<any_blobs>);

}  // namespace sluice::inline v0::store
