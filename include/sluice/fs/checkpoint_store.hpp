// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `fs::checkpoint_store`: the write-ahead plan and the last commit of a pipeline, as the two JSON
/// files `plan.json` and `commit.json` in a directory: `store::blob_checkpoint_store` (which
/// documents the layout and the protocol) over the folder backend `fs::directory_blobs`. Both
/// files are replaced with `fs::write_file_atomic` (temp file, `fsync`, `rename`, `fsync` of the
/// directory; the directory is created on the first write); leftover temp files are ignored.

#include "sluice/core/concepts/checkpoint_store.hpp"
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/store/blob_checkpoint_store.hpp"

#include <filesystem>
#include <utility>

namespace sluice::inline v0::fs {

/// The checkpoint store on the local file system: `plan.json` and `commit.json` in a directory
/// (`store::blob_checkpoint_store` over `directory_blobs`, which also removes the stale temp files
/// of killed writes from the directory on its first put there).
///
/// Errors, blocking and thread-safety: those of `store::blob_checkpoint_store`, with OS errors
/// (`std::system_category()`) as the storage's.
class checkpoint_store : public store::blob_checkpoint_store<directory_blobs> {
 public:
  /// A store in `dir`; nothing is touched until the first call.
  explicit checkpoint_store(std::filesystem::path dir)
      : store::blob_checkpoint_store<directory_blobs>(directory_blobs(std::move(dir))) {}

  /// The directory of the store.
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return blobs().root(); }
};

static_assert(sluice::checkpoint_store<checkpoint_store>);

}  // namespace sluice::inline v0::fs
