// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `store::blob_store` concept: small blobs under relative keys, the one storage contract
/// under the checkpoint store (`store::blob_checkpoint_store`), the dead letters
/// (`store::blob_dead_letters`) and the completed-batches log
/// (`idempotency::completed_batches_log`). Its models are the backends: a folder
/// (`fs::directory_blobs`), an S3 prefix (`s3::blob_store`) and memory (`store::memory_blobs`);
/// docs/architecture.md (Storage contracts) gives the layouts the stores keep in them.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"

#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inline v0::store {

/// Opt-in tag of `blob_store` models: `using stage_concept = store::blob_store_tag;`.
struct blob_store_tag {};

/// A store of small blobs under relative, `/`-separated keys (like object keys on S3).
///
/// Syntax: `s.put(key, bytes)` → `result<void>`, `s.get(key)` →
/// `result<std::optional<std::string>>`, `s.list(prefix)` → `result<std::vector<std::string>>`,
/// `s.remove(key)` → `result<void>`.
///
/// Semantics (checked on every model by the `BlobStoreLaws` suite, test/laws/laws.hpp):
/// - `put` is atomic and durable when it returns: a reader (in any process, also after a crash)
///   sees the old blob or the new one, never a part; `put` of an existing key replaces it. Any
///   bytes may be stored, NUL bytes and the empty blob included.
/// - `get` returns the blob last put under `key`, or an empty optional if there is none; another
///   handle on the same storage (another process) sees the same.
/// - `list(prefix)` returns every key that starts with `prefix` (a plain string prefix, which
///   may end inside a segment), sorted, each once; leftovers of interrupted `put`s are not keys
///   (`store/temp_name.hpp`).
/// - `remove(key)` deletes the blob under `key`; afterwards `get` is empty and `list` does not
///   name it. Removing a key that has no blob is a success (retention may repeat a delete after
///   a crash).
/// - Keys are safe relative keys (`store::check_relative_key`); `put`, `get` and `remove`
///   refuse others with `errc::invalid_argument`.
/// Errors: `errc::invalid_argument` as above; otherwise the backend's (OS errors, S3 replies).
/// Blocking: yes (file system or network I/O), except in memory.
/// Thread-safety: as the model says; none of them is safe for concurrent use of one object.
template <class S>
concept blob_store = sluice::detail::declares<S, blob_store_tag> &&
                     requires(S& s, std::string_view key, std::string_view bytes) {
                       { s.put(key, bytes) } -> std::same_as<result<void>>;
                       { s.get(key) } -> std::same_as<result<std::optional<std::string>>>;
                       { s.list(key) } -> std::same_as<result<std::vector<std::string>>>;
                       { s.remove(key) } -> std::same_as<result<void>>;
                     };

/// Where `fill` writes the pieces of a blob: called once per piece, in order; an error stops
/// the blob.
using piece_sink = std::function<result<void>(std::string_view)>;
/// Writes a blob piece by piece into the sink it is given.
using piece_fill = std::function<result<void>(const piece_sink&)>;

/// Blob stores that store a blob written piece by piece, so a large blob (a state snapshot)
/// never has to be whole in memory: `s.put_pieces(key, fill)` stores what `fill` writes, with
/// the semantics of `put` (atomic, durable, replacing); a failing `fill` stores nothing.
template <class S>
concept piecewise_blob_store = blob_store<S> && requires(S& s, std::string_view key, const piece_fill& fill) {
  { s.put_pieces(key, fill) } -> std::same_as<result<void>>;
};

/// `s.put_pieces(key, fill)` where `S` has it; else the pieces gathered in memory (in a buffer
/// of `size_hint` bytes, when the caller knows the size) and `put`.
template <blob_store S>
result<void> put_pieces(S& s, std::string_view key, const piece_fill& fill, std::size_t size_hint = 0) {
  if constexpr (requires { s.put_pieces(key, fill, size_hint); }) {
    return s.put_pieces(key, fill, size_hint);   // a wrapper that passes the hint on
  } else if constexpr (piecewise_blob_store<S>) {
    return s.put_pieces(key, fill);
  } else {
    std::string all;
    all.reserve(size_hint);
    SLUICE_TRYV(fill([&all](std::string_view piece) -> result<void> {
      all += piece;
      return success();
    }));
    return s.put(key, all);
  }
}

}  // namespace sluice::inline v0::store
