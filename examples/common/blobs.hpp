// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Where a reference binary keeps its state (`blobs`) and writes its output (`object_store`),
/// chosen at run time from its options: a local folder or an S3 prefix. Shared by
/// `sluice-schema-writer` and `sluice-event-etl`: their pipelines stay compile-time compositions,
/// and the storage calls this wraps are I/O-bound (a branch per call is nothing next to a write,
/// let alone a PUT).

#include "sluice/core/concepts/sink.hpp"
#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/record.hpp"
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/s3/blob_store.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/s3/location.hpp"
#include "sluice/s3/object_sink.hpp"
#include "sluice/store/blob_store.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice_examples {

/// Blobs under a local folder or an S3 prefix: a `store::blob_store` (the storage of
/// `store::blob_checkpoint_store`, `store::blob_dead_letters` and the completed-batches log). A
/// local folder is an `fs::directory_blobs` (`<dir>/<key>`, the layout of `fs::checkpoint_store`
/// and `fs::dead_letters`), which removes the stale temp files of killed writes from
/// each folder on its first put there.
class blobs {
 public:
  using stage_concept = sluice::store::blob_store_tag;

  /// Blobs in the folder `root` (created on the first put).
  static blobs local(std::filesystem::path root) { return blobs(local_t{std::move(root)}); }

  /// Blobs under `where`, sent through `client`.
  static blobs s3(std::shared_ptr<sluice::s3::client> client, sluice::s3::location where) {
    return blobs(s3_t{std::move(client), std::move(where)});
  }

  /// The blobs under the relative folder `sub` (a safe relative key, e.g. `orders/3`).
  [[nodiscard]] blobs at(std::string_view sub) const {
    if (const auto* l = std::get_if<local_t>(&where_)) return local(l->root / sub);
    const auto& s = std::get<s3_t>(where_);
    sluice::s3::location inner = s.where;
    inner.prefix = inner.key_of(sub);
    return blobs::s3(s.client, std::move(inner));
  }

  sluice::result<void> put(std::string_view key, std::string_view bytes) {
    return std::visit([&](auto& w) { return w.store.put(key, bytes); }, where_);
  }
  /// Piece by piece in a folder; gathered first for S3 (`store::put_pieces`).
  sluice::result<void> put_pieces(std::string_view key, const sluice::store::piece_fill& fill,
                                  std::size_t size_hint = 0) {
    return std::visit([&](auto& w) { return sluice::store::put_pieces(w.store, key, fill, size_hint); }, where_);
  }
  sluice::result<std::optional<std::string>> get(std::string_view key) {
    return std::visit([&](auto& w) { return w.store.get(key); }, where_);
  }
  sluice::result<std::vector<std::string>> list(std::string_view prefix) {
    return std::visit([&](auto& w) { return w.store.list(prefix); }, where_);
  }
  sluice::result<void> remove(std::string_view key) {
    return std::visit([&](auto& w) { return w.store.remove(key); }, where_);
  }

  /// The local folder, or empty for S3.
  [[nodiscard]] std::optional<std::filesystem::path> local_root() const {
    if (const auto* l = std::get_if<local_t>(&where_)) return l->root;
    return std::nullopt;
  }

  /// `s3://bucket/prefix` or the folder, for log lines.
  [[nodiscard]] std::string describe() const {
    if (const auto* l = std::get_if<local_t>(&where_)) return l->root.string();
    return std::get<s3_t>(where_).where.to_string();
  }

 private:
  struct local_t {
    explicit local_t(std::filesystem::path r) : root(std::move(r)), store(root) {}
    std::filesystem::path root;
    sluice::fs::directory_blobs store;
  };
  struct s3_t {
    s3_t(std::shared_ptr<sluice::s3::client> c, sluice::s3::location w)
        : client(std::move(c)), where(std::move(w)), store(client, where) {}
    std::shared_ptr<sluice::s3::client> client;
    sluice::s3::location where;
    sluice::s3::blob_store store;
  };
  explicit blobs(std::variant<local_t, s3_t> w) : where_(std::move(w)) {}

  std::variant<local_t, s3_t> where_;
};

static_assert(sluice::store::blob_store<blobs>);

/// A sink of objects: `fs::file_sink` into a folder or `s3::object_sink` under a prefix, chosen at
/// run time. Errors, blocking and thread-safety: those of the sink chosen.
class object_store {
 public:
  using stage_concept = sluice::sink_tag;

  /// What the sink did so far.
  struct counters {
    std::int64_t written = 0;     ///< objects (re)written
    std::int64_t unchanged = 0;   ///< objects a folder already held with the same bytes
  };

  static object_store local(std::filesystem::path root) {
    return object_store(sluice::fs::file_sink(std::move(root)));
  }
  static object_store s3(std::shared_ptr<sluice::s3::client> client, sluice::s3::location where) {
    return object_store(sluice::s3::object_sink(std::move(client), std::move(where)));
  }

  sluice::result<void> write(std::span<const sluice::object> objects, const sluice::batch_plan& plan) {
    return std::visit([&](auto& k) { return k.write(objects, plan); }, sink_);
  }

  [[nodiscard]] counters stats() const {
    if (const auto* f = std::get_if<sluice::fs::file_sink>(&sink_)) {
      return {f->stats().written, f->stats().unchanged};
    }
    return {std::get<sluice::s3::object_sink>(sink_).stats().written, 0};
  }

 private:
  explicit object_store(std::variant<sluice::fs::file_sink, sluice::s3::object_sink> k) : sink_(std::move(k)) {}
  std::variant<sluice::fs::file_sink, sluice::s3::object_sink> sink_;
};

static_assert(sluice::sink_for<object_store, sluice::object>);

}  // namespace sluice_examples
