// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `fs::file_sink`: writes `object`s as files under a root directory, `<root>/<key>`, each
/// atomically, idempotently and durably.

#include "sluice/core/concepts/sink.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/record.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/fs/detail/posix.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <utility>

namespace sluice::inline v0::fs {

/// A sink of `object`s on the local file system: `object{key, bytes}` becomes the file
/// `<root>/<key>`, directories created as needed.
///
/// Semantics:
/// - Atomic: each file is written to a temp file in its directory, `fsync`'d and renamed over
///   the target, so readers and crashes see the old or the new content, never a part. A temp
///   file left by a killed write is never read as data and never blocks a later write.
/// - Idempotent: a file that already holds exactly the object's bytes is left untouched (its
///   mtime stays), so replaying a batch has no effect; other content is replaced.
/// - Durable: on success the files and their directory entries are synced.
/// - Safe keys only (defence in depth; the stage that makes keys validates them already): an
///   absolute key, an empty, `.` or `..` segment, a NUL byte or a temp-file name fails the whole
///   batch with `errc::invalid_argument` before anything is written.
/// - Within one batch the objects are written in order; two with the same key: the last wins.
/// Thread-safety: none; one sink per pipeline (several processes may share a root: writes of
/// one key by two of them leave one complete version).
class file_sink {
 public:
  using stage_concept = sink_tag;

  /// What the sink did so far (for tests and progress reports).
  struct counters {
    std::int64_t written = 0;     ///< files created or replaced
    std::int64_t unchanged = 0;   ///< objects whose file already held the same bytes
  };

  /// A sink writing under `root`, which is created on the first write.
  explicit file_sink(std::filesystem::path root) : root_(std::move(root)) {}

  /// Writes every object of the batch (see the class comment).
  ///
  /// Errors: `errc::invalid_argument` for an unsafe key (nothing written); OS errors
  /// (`std::system_category()`, e.g. `ENOSPC`, `EACCES`) — some objects may be written then,
  /// and a retry of the batch converges.
  /// Blocking: yes, until every file is durable. Complexity: linear in the bytes, plus a read
  /// of each existing file of equal size.
  result<void> write(std::span<const object> objects, const batch_plan& /*plan*/) {
    for (const auto& o : objects) {
      SLUICE_TRYV(check_relative_key(o.key));
    }
    std::set<std::filesystem::path> dirs;
    for (const auto& o : objects) {
      const auto path = root_ / o.key;
      SLUICE_TRY(same, holds(path, o.bytes));
      if (same) {
        ++counters_.unchanged;
        continue;
      }
      SLUICE_TRYV(write_file_atomic(path, o.bytes, sync_directory_mode::deferred));
      ++counters_.written;
      dirs.insert(path.parent_path());
    }
    for (const auto& d : dirs) {
      SLUICE_TRYV(sync_directory(d));
    }
    return success();
  }

  /// The root directory.
  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

  /// What the sink did so far.
  [[nodiscard]] const counters& stats() const noexcept { return counters_; }

 private:
  // True if `path` is a regular file with exactly `bytes`.
  static result<bool> holds(const std::filesystem::path& path, const std::string& bytes) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return false;
      return detail::last_error();
    }
    if (!S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) != bytes.size()) return false;
    SLUICE_TRY(text, read_file(path));
    return text && *text == bytes;
  }

  std::filesystem::path root_;
  counters counters_;
};

static_assert(sink_for<file_sink, object>);

}  // namespace sluice::inline v0::fs
