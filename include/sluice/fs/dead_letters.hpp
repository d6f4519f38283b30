// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `fs::dead_letters`: a `dead_letter_sink` that keeps the dead letters of each batch as one
/// JSON-lines file, `DIR/batch-<batch_id>.jsonl`: `store::blob_dead_letters` (which documents the
/// line format) over the folder backend `fs::directory_blobs`. A batch's file is written with
/// `fs::write_file_atomic`; the temp files of writes killed half-way are removed when the next
/// `dead_letters` over the directory is made.

#include "sluice/core/concepts/dead_letter_sink.hpp"
#include "sluice/core/error.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/store/blob_dead_letters.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

namespace sluice::inline v0::fs {

/// A `dead_letter_sink` writing `DIR/batch-<batch_id>.jsonl` (see the file comment):
/// `store::blob_dead_letters` over `directory_blobs`, plus the clean-up of killed writes.
///
/// Thread-safety: none; one sink per pipeline.
class dead_letters : public store::blob_dead_letters<directory_blobs> {
 public:
  /// A sink writing into `dir`, created on the first write. Removes the stale temp files of
  /// killed writes from `dir` (`remove_stale_temp_files`: only temp files whose writer is gone;
  /// other files stay). That is best effort, since a constructor cannot fail: an unreadable `dir`
  /// is reported by the first write; `temp_files_removed()` says how many went.
  /// Blocking: yes, lists `dir` once.
  explicit dead_letters(std::filesystem::path dir)
      : store::blob_dead_letters<directory_blobs>(directory_blobs(std::move(dir))) {
    if (auto removed = remove_stale_temp_files(directory())) temp_files_removed_ = removed.value();
  }

  /// The dead letters stored for `batch_id`, in the order written (empty if none).
  ///
  /// Errors: OS errors; `errc::corrupt_state` for a line that is not a dead letter.
  /// Blocking: yes.
  result<std::vector<dead_letter>> read(std::int64_t batch_id) const {
    SLUICE_TRY(text, read_file(file_of(batch_id)));
    if (!text) return std::vector<dead_letter>{};
    return store::parse_dead_letter_lines(*text);
  }

  /// The file that holds the dead letters of `batch_id`.
  [[nodiscard]] std::filesystem::path file_of(std::int64_t batch_id) const {
    return directory() / name_of(batch_id);
  }

  /// The directory of the sink.
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return blobs().root(); }

  /// How many stale temp files the constructor removed from the directory.
  [[nodiscard]] std::size_t temp_files_removed() const noexcept { return temp_files_removed_; }

 private:
  std::size_t temp_files_removed_ = 0;
};

static_assert(dead_letter_sink<dead_letters>);

}  // namespace sluice::inline v0::fs
