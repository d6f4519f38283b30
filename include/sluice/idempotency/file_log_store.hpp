// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `idempotency::file_log_store`: the `log_store` model on the local file system, one file per
/// key under a root directory (`fs::directory_blobs` with the `log_store` opt-in tag).

#include "sluice/fs/directory_blobs.hpp"
#include "sluice/idempotency/log_store.hpp"

#include <filesystem>
#include <utility>

namespace sluice::inline v0::idempotency {

/// A `log_store` keeping each blob in the file `<root>/<key>`: `fs::directory_blobs`, which
/// documents the layout, the atomic `put` (`fs::write_file_atomic`), the clean-up of stale temp
/// files on the first put into a directory, and that temp files left by killed writes are
/// skipped by `list` and never returned by `get`.
///
/// Errors (all members): `errc::invalid_argument` for an unsafe key or prefix
/// (`fs::check_relative_key`); OS errors (`std::system_category()`).
/// Blocking: yes. Thread-safety: none per object; several processes may share a root.
class file_log_store : public fs::directory_blobs {
 public:
  using stage_concept = log_store_tag;

  /// A store under `root`, created on the first `put`.
  explicit file_log_store(std::filesystem::path root) : fs::directory_blobs(std::move(root)) {}
};

static_assert(log_store<file_log_store>);

}  // namespace sluice::inline v0::idempotency
