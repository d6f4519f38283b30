// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `fs::blob_access`: the two calls the state stores need of their storage (put and get a blob
/// by name), so one store implementation serves the local file system and object stores
/// (`fs::blob_checkpoint_store`, `fs::blob_dead_letters`); `fs::directory_blobs` is the file
/// system's model. Every `idempotency::log_store` models it too (an S3 prefix, for instance).

#include "sluice/core/error.hpp"
#include "sluice/fs/atomic_file.hpp"

#include <concepts>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::inline v0::fs {

/// Storage of blobs under relative names.
///
/// Semantics: `put(name, bytes)` is atomic and durable when it returns (readers, also after a
/// crash, see the old blob or the new one, never a part) and replaces an existing blob;
/// `get(name)` returns the blob last put, or an empty optional if there is none.
/// Blocking: yes (file system or network I/O).
template <class B>
concept blob_access = requires(B& b, std::string_view name, std::string_view bytes) {
  { b.put(name, bytes) } -> std::same_as<result<void>>;
  { b.get(name) } -> std::same_as<result<std::optional<std::string>>>;
};

/// A directory as `blob_access`: the blob `name` is the file `<dir>/<name>`, replaced with
/// `write_file_atomic` (temp file, `fsync`, `rename`, `fsync` of the directory; the directory is
/// created on the first put) and read with `read_file`. Names come from the stores, which use
/// fixed ones (`plan.json`, `batch-<id>.jsonl`).
///
/// Errors: OS errors (`std::system_category()`).
/// Blocking: yes. Thread-safety: as the file system; one object per thread.
class directory_blobs {
 public:
  /// Blobs in `dir`; nothing is touched until the first call.
  explicit directory_blobs(std::filesystem::path dir) : dir_(std::move(dir)) {}

  /// Atomically and durably stores `bytes` as `<dir>/<name>`.
  result<void> put(std::string_view name, std::string_view bytes) { return write_file_atomic(dir_ / name, bytes); }

  /// The content of `<dir>/<name>`, or empty if there is no such file.
  result<std::optional<std::string>> get(std::string_view name) { return read_file(dir_ / name); }

  /// The directory.
  [[nodiscard]] const std::filesystem::path& root() const noexcept { return dir_; }

 private:
  std::filesystem::path dir_;
};

static_assert(blob_access<directory_blobs>);

}  // namespace sluice::inline v0::fs
