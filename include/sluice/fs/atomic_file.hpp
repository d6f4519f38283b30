// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Crash-safe file primitives shared by every filesystem stage (sink, the folder blob store under
/// the checkpoint store, dead letters and completed-batches log): atomic replacement of a file
/// (temp file in the same directory, `fsync`, `rename`, `fsync` of the directory), `mkdir -p` that
/// makes new directories durable, and whole-file reads.
///
/// Temp files carry the names the storage layer reserves (`store/temp_name.hpp`:
/// `.<name>.sluice-tmp-<pid>-<n>`, never keys). A write killed half-way leaves one behind, which
/// is never mistaken for data (`store::is_temp_file_name`), never blocks a later write, and is
/// removed by the next writer into that directory (`remove_stale_temp_files`: only temp files
/// whose process is gone, or which this process left from an earlier life of its pid) or, when no
/// writer runs, by `remove_temp_files`.

#include "sluice/core/error.hpp"
#include "sluice/fs/detail/posix.hpp"
#include "sluice/store/temp_name.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice::inline v0::fs {

namespace detail {

// The atomic writes of this process in flight, and the directories already cleaned of stale
// temp files. A temp file of this pid whose serial is not in flight is a leftover of an earlier
// process that had the same pid (pids are reused, e.g. pid 1 in every container run).
struct temp_file_registry {
  std::mutex mutex;
  std::uint64_t next_serial = 0;
  std::set<std::uint64_t> in_flight;
  std::set<std::filesystem::path> cleaned;
};

inline temp_file_registry& temp_files() {
  static temp_file_registry r;
  return r;
}

// Marks one serial in flight for the lifetime of a write.
class temp_file_lease {
 public:
  temp_file_lease() {
    auto& r = temp_files();
    const std::lock_guard lock(r.mutex);
    serial_ = r.next_serial++;
    r.in_flight.insert(serial_);
  }
  temp_file_lease(const temp_file_lease&) = delete;
  temp_file_lease& operator=(const temp_file_lease&) = delete;
  ~temp_file_lease() {
    auto& r = temp_files();
    const std::lock_guard lock(r.mutex);
    r.in_flight.erase(serial_);
  }
  [[nodiscard]] std::uint64_t serial() const noexcept { return serial_; }

 private:
  std::uint64_t serial_ = 0;
};

}  // namespace detail

/// Whether an atomic write also makes the rename durable by syncing the directory.
enum class sync_directory_mode {
  now,       ///< `fsync` the directory before returning (the write is durable on return)
  deferred,  ///< the caller syncs the directory later (batching several writes to one directory)
};

/// Makes the entries of `dir` (creations, renames) durable.
///
/// Errors: the OS error (`std::system_category()`).
/// Blocking: yes. Thread-safety: safe.
inline result<void> sync_directory(const std::filesystem::path& dir) noexcept {
  SLUICE_TRY(fd, detail::open_fd(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY));
  SLUICE_TRYV(detail::fsync_fd(fd.get()));
  return fd.close();
}

/// Creates `dir` and its missing parents; each directory it creates is made durable (its parent
/// is synced). Existing directories are left alone.
///
/// Errors: the OS error, e.g. `ENOTDIR` when a path component is a file.
/// Blocking: yes. Thread-safety: safe; a concurrent creator of the same directory is harmless.
inline result<void> make_directories(const std::filesystem::path& dir) {
  if (dir.empty()) return success();
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return success();
    return std::error_code(ENOTDIR, std::system_category());
  }
  if (errno != ENOENT) return detail::last_error();
  const auto parent = dir.parent_path();
  if (!parent.empty() && parent != dir) {
    SLUICE_TRYV(make_directories(parent));
  }
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno != EEXIST) return detail::last_error();
    if (::stat(dir.c_str(), &st) != 0) return detail::last_error();
    if (!S_ISDIR(st.st_mode)) return std::error_code(ENOTDIR, std::system_category());
    return success();  // created concurrently by someone else, who syncs it
  }
  return sync_directory(parent.empty() ? std::filesystem::path(".") : parent);
}

/// Reads the whole file at `path`; empty optional if it does not exist.
///
/// Errors: the OS error (other than `ENOENT`).
/// Blocking: yes. Thread-safety: safe. Complexity: linear in the file size.
inline result<std::optional<std::string>> read_file(const std::filesystem::path& path) {
  auto fd = detail::open_fd(path.c_str(), O_RDONLY);
  if (!fd) {
    if (fd.error() == std::errc::no_such_file_or_directory) return std::optional<std::string>{};
    return fd.error();
  }
  struct stat st {};
  if (::fstat(fd.value().get(), &st) != 0) return detail::last_error();
  std::string out;
  // Room for a file that grew a little since fstat, so reading it to its end (which needs one
  // more read past the size) does not copy a large file.
  out.reserve(static_cast<std::size_t>(st.st_size) + 4096);
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t have = 0;
  for (;;) {
    if (have == out.size()) out.resize(out.size() + 4096);  // the file may have grown since fstat
    SLUICE_TRY(n, detail::pread_full(fd.value().get(), out.data() + have, out.size() - have,
                                     static_cast<off_t>(have)));
    have += n;
    if (have < out.size()) break;
  }
  out.resize(have);
  return std::optional<std::string>(std::move(out));
}

/// Replaces (or creates) the file at `path` with what `fill(fd)` writes to the open file
/// descriptor `fd` (`fill` returns `result<void>`), atomically: readers and a crash see the old
/// content or the new, never a mix. Missing parent directories are created.
///
/// The content goes to a temp file in the same directory, which is `fsync`'d and renamed over
/// `path`; with `sync_directory_mode::now` the directory is synced too, so the new content is
/// durable on return. On failure (of `fill` too) the temp file is removed.
/// Errors: `fill`'s; the OS error (`std::system_category()`), e.g. `ENOSPC`, `EACCES`, `EISDIR`.
/// Blocking: yes. Thread-safety: safe; concurrent writers of one path leave one complete
/// version.
template <class Fill>
result<void> write_file_atomic_with(const std::filesystem::path& path, Fill&& fill,
                                    sync_directory_mode mode = sync_directory_mode::now) {
  const auto dir = path.parent_path();
  SLUICE_TRYV(make_directories(dir));
  const auto pid = static_cast<std::uint64_t>(::getpid());
  const detail::temp_file_lease lease;
  const auto tmp = dir / store::make_temp_file_name(path.filename().native(), pid, lease.serial());
  detail::unique_fd fd;
  for (int attempt = 0;; ++attempt) {
    auto opened = detail::open_fd(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (opened) {
      fd = std::move(opened).value();
      break;
    }
    if (opened.error() != std::errc::file_exists || attempt > 0) return opened.error();
    // A leftover of an earlier process with this pid holds the name: no live write can own it
    // (this process just leased the serial, and no other live process has this pid).
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return detail::last_error();
  }
  auto fail = [&](std::error_code ec) -> result<void> {
    fd.reset();
    ::unlink(tmp.c_str());
    return ec;
  };
  if (result<void> r = fill(fd.get()); !r) return fail(r.error());
  if (auto r = detail::fsync_fd(fd.get()); !r) return fail(r.error());
  if (auto r = fd.close(); !r) return fail(r.error());
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(detail::last_error());
  if (mode == sync_directory_mode::now)
    return sync_directory(dir.empty() ? std::filesystem::path(".") : dir);
  return success();
}

/// Replaces (or creates) the file at `path` with `bytes`, atomically and (with
/// `sync_directory_mode::now`) durably: `write_file_atomic_with` writing `bytes`.
inline result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                                      sync_directory_mode mode = sync_directory_mode::now) {
  return write_file_atomic_with(path, [bytes](int fd) { return detail::write_all(fd, bytes); }, mode);
}

/// Removes the temp files left under `root` (recursively) by atomic writes that were killed.
/// Returns how many it removed. Call it only while no writer works under `root`: it cannot tell a
/// live writer's temp file from a dead one's.
///
/// Errors: the OS error of the directory walk or of a removal.
/// Blocking: yes. Thread-safety: see above. Complexity: linear in the entries under `root`.
inline result<std::size_t> remove_temp_files(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return ec ? result<std::size_t>(ec) : std::size_t{0};
  std::size_t removed = 0;
  std::filesystem::recursive_directory_iterator it(root, ec), end;
  if (ec) return ec;
  for (; it != end; it.increment(ec)) {
    if (ec) return ec;
    if (store::is_temp_file_name(it->path().filename().native()) && it->is_regular_file(ec)) {
      if (!std::filesystem::remove(it->path(), ec) && ec) return ec;
      ++removed;
    }
  }
  if (ec) return ec;
  return removed;
}

namespace detail {

// True if the temp file `parts` describes cannot belong to a write in progress: its process is
// gone, or it is this process and the serial is not in flight. Call with the registry locked.
inline bool is_stale_temp_file(const store::temp_file_name_parts& parts, const temp_file_registry& r) {
  if (parts.pid == 0 || parts.pid > static_cast<std::uint64_t>(INT_MAX)) return true;  // no process
  if (parts.pid == static_cast<std::uint64_t>(::getpid())) return !r.in_flight.contains(parts.serial);
  return ::kill(static_cast<pid_t>(parts.pid), 0) != 0 && errno == ESRCH;
}

}  // namespace detail

/// Removes the temp files in `dir` (not below it) left by atomic writes that were killed: those
/// whose process no longer exists, and those of this process's pid that no write of this process
/// has in flight (leftovers of an earlier process with the same pid). Temp files of live writers
/// and every other file stay. Returns how many it removed; a missing `dir` has none.
///
/// Writers that share a directory must share a pid namespace (run on one host, or in one
/// container), since the owner of a temp file is told by its pid.
/// Errors: the OS error of reading the directory or of a removal (other than `ENOENT`).
/// Blocking: yes. Thread-safety: safe, also against concurrent atomic writes.
/// Complexity: linear in the entries of `dir`.
inline result<std::size_t> remove_stale_temp_files(const std::filesystem::path& dir) {
  DIR* d = ::opendir(dir.empty() ? "." : dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return std::size_t{0};
    return detail::last_error();
  }
  struct closer {
    DIR* d;
    ~closer() { ::closedir(d); }
  } close_on_exit{d};
  std::vector<std::string> candidates;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d);
    if (e == nullptr) {
      if (errno != 0) return detail::last_error();
      break;
    }
    if (store::is_temp_file_name(e->d_name)) candidates.emplace_back(e->d_name);
  }
  std::size_t removed = 0;
  auto& r = detail::temp_files();
  // Deciding and removing under the lock: a serial not in flight now is never used later.
  const std::lock_guard lock(r.mutex);
  for (const auto& name : candidates) {
    if (!detail::is_stale_temp_file(*store::parse_temp_file_name(name), r)) continue;
    const auto p = dir / name;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::unlink(p.c_str()) != 0) {
      if (errno == ENOENT) continue;  // another cleaner was first
      return detail::last_error();
    }
    ++removed;
  }
  return removed;
}

/// `remove_stale_temp_files(dir)` the first time it is called for `dir` in this process (as
/// spelled, lexically normalized); later calls return 0 without touching the directory.
///
/// Errors, Blocking: as `remove_stale_temp_files`; after an error the next call tries again.
/// Thread-safety: safe.
inline result<std::size_t> remove_stale_temp_files_once(const std::filesystem::path& dir) {
  auto key = dir.lexically_normal();
  if (!key.has_filename() && key.has_relative_path()) key = key.parent_path();  // "a/." is "a"
  {
    auto& r = detail::temp_files();
    const std::lock_guard lock(r.mutex);
    if (r.cleaned.contains(key)) return std::size_t{0};
  }
  SLUICE_TRY(removed, remove_stale_temp_files(dir));
  auto& r = detail::temp_files();
  const std::lock_guard lock(r.mutex);
  r.cleaned.insert(key);
  return removed;
}

}  // namespace sluice::inline v0::fs
