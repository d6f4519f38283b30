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
#include "sluice/store/key.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <new>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::inline v0::fs {

/// Options of a `file_sink`.
struct file_sink_options {
  /// At most this many files of one batch are written at the same time (ARCHITECTURE §2 step 6:
  /// the writes of a batch run concurrently); 1 writes them one after the other. 0 counts as 1.
  std::size_t max_concurrent_writes = 4;
};

/// A sink of `object`s on the local file system: `object{key, bytes}` becomes the file
/// `<root>/<key>`, directories created as needed.
///
/// Semantics:
/// - Atomic: each file is written to a temp file in its directory, `fsync`'d and renamed over
///   the target, so readers and crashes see the old or the new content, never a part. A temp
///   file left by a killed write is never read as data and never blocks a later write.
/// - Self-cleaning: the first time this process writes into a directory, the stale temp files
///   there are removed (`remove_stale_temp_files_once`: those of processes that are gone; the
///   temp files of live writers sharing the directory and all other files stay).
/// - Idempotent: a file that already holds exactly the object's bytes is left untouched (its
///   mtime stays), so replaying a batch has no effect; other content is replaced.
/// - Durable: on success the files and their directory entries are synced.
/// - Safe keys only (defence in depth; the stage that makes keys validates them already): an
///   absolute key, an empty, `.` or `..` segment, a NUL byte or a temp-file name fails the whole
///   batch with `errc::invalid_argument` before anything is written.
/// - Concurrent: the files of a batch are written by up to `max_concurrent_writes` threads
///   (`std::jthread`s started per batch, the calling thread among them). The result does not
///   depend on it: two objects with the same key, the last wins (the earlier is not written);
///   on errors every object is still attempted, and the error of the first failing object (in
///   batch order) is returned once all writes have finished.
/// Thread-safety: none; one sink per pipeline (several processes may share a root: writes of
/// one key by two of them leave one complete version).
class file_sink {
 public:
  using stage_concept = sink_tag;

  /// What the sink did so far (for tests and progress reports).
  struct counters {
    std::int64_t written = 0;             ///< files created or replaced
    std::int64_t unchanged = 0;           ///< objects whose file already held the same bytes
    std::int64_t temp_files_removed = 0;  ///< stale temp files of killed writes removed
  };

  /// A sink writing under `root`, which is created on the first write.
  explicit file_sink(std::filesystem::path root, file_sink_options options = {})
      : root_(std::move(root)), options_(options) {
    if (options_.max_concurrent_writes == 0) options_.max_concurrent_writes = 1;
  }

  /// Writes every object of the batch (see the class comment).
  ///
  /// Errors: `errc::invalid_argument` for an unsafe key (nothing written); OS errors
  /// (`std::system_category()`, e.g. `ENOSPC`, `EACCES`, `ENOTDIR`) of the first object that
  /// failed — the others are written, and a retry of the batch converges.
  /// Blocking: yes, until every file is durable. Complexity: linear in the bytes, plus a read
  /// of each existing file of equal size.
  result<void> write(std::span<const object> objects, const batch_plan& /*plan*/) {
    SLUICE_TRY(todo, store::last_of_each_key(objects));

    std::set<std::filesystem::path> dirs;
    for (const auto i : todo) dirs.insert((root_ / objects[i].key).parent_path());
    for (const auto& d : dirs) {
      SLUICE_TRY(removed, remove_stale_temp_files_once(d));
      counters_.temp_files_removed += static_cast<std::int64_t>(removed);
    }

    std::vector<outcome> done(todo.size());
    run_all(todo.size(), [&](std::size_t k) { done[k] = write_one(objects[todo[k]]); });

    std::optional<std::error_code> first_error;
    std::set<std::filesystem::path> written_dirs;
    for (std::size_t k = 0; k < todo.size(); ++k) {
      if (done[k].error) {
        if (!first_error) first_error = done[k].error;
        continue;
      }
      if (done[k].written) {
        ++counters_.written;
        written_dirs.insert((root_ / objects[todo[k]].key).parent_path());
      } else {
        ++counters_.unchanged;
      }
    }
    if (first_error) return *first_error;
    for (const auto& d : written_dirs) {
      SLUICE_TRYV(sync_directory(d));
    }
    return success();
  }

  /// The root directory.
  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

  /// The options the sink runs with.
  [[nodiscard]] const file_sink_options& options() const noexcept { return options_; }

  /// What the sink did so far.
  [[nodiscard]] const counters& stats() const noexcept { return counters_; }

 private:
  struct outcome {
    std::error_code error;
    bool written = false;
  };

  outcome write_one(const object& o) const noexcept {
    try {
      const auto path = root_ / o.key;
      auto same = holds(path, o.bytes);
      if (!same) return {same.error(), false};
      if (same.value()) return {{}, false};
      auto w = write_file_atomic(path, o.bytes, sync_directory_mode::deferred);
      if (!w) return {w.error(), false};
      return {{}, true};
    } catch (const std::bad_alloc&) {
      return {std::make_error_code(std::errc::not_enough_memory), false};
    }
  }

  // Calls `fn(k)` for every k in [0, n), on up to max_concurrent_writes threads (this one
  // included); returns when all calls have returned.
  template <class Fn>
  void run_all(std::size_t n, Fn fn) const {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(k);
    };
    const std::size_t threads = std::min(options_.max_concurrent_writes, n);
    {
      std::vector<std::jthread> helpers;
      if (threads > 1) helpers.reserve(threads - 1);
      for (std::size_t t = 1; t < threads; ++t) {
        try {
          helpers.emplace_back(worker);
        } catch (const std::system_error&) {
          break;  // no more threads now: fewer workers do the same work
        }
      }
      worker();
    }  // joins the helpers
  }

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
  file_sink_options options_;
  counters counters_;
};

static_assert(sink_for<file_sink, object>);

}  // namespace sluice::inline v0::fs
