// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Crash-safe file primitives shared by every filesystem stage (sink, checkpoint store, dead
/// letters, completed-batches log): atomic replacement of a file (temp file in the same directory,
/// `fsync`, `rename`, `fsync` of the directory), `mkdir -p` that makes new directories durable,
/// whole-file reads, and the validation of relative keys.
///
/// Temp files are named `.sluice-tmp-<pid>-<n>`: a write killed half-way leaves one behind, which
/// is never mistaken for data (`is_temp_file_name`), never blocks a later write (names are
/// unique per process and call) and can be removed with `remove_temp_files` when no writer runs.

#include "sluice/core/error.hpp"
#include "sluice/fs/detail/posix.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::inline v0::fs {

/// The name prefix of the temp files of atomic writes.
inline constexpr std::string_view temp_file_prefix = ".sluice-tmp-";

/// True if `name` (a file name, not a path) is a temp file of an atomic write.
[[nodiscard]] constexpr bool is_temp_file_name(std::string_view name) noexcept {
  return name.substr(0, temp_file_prefix.size()) == temp_file_prefix;
}

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

/// Replaces (or creates) the file at `path` with `bytes`, atomically: readers and a crash see
/// the old content or the new, never a mix. Missing parent directories are created.
///
/// The content goes to a temp file in the same directory, which is `fsync`'d and renamed over
/// `path`; with `sync_directory_mode::now` the directory is synced too, so the new content is
/// durable on return. On failure the temp file is removed.
/// Errors: the OS error (`std::system_category()`), e.g. `ENOSPC`, `EACCES`, `EISDIR`.
/// Blocking: yes. Thread-safety: safe; concurrent writers of one path leave one complete
/// version.
inline result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                                      sync_directory_mode mode = sync_directory_mode::now) {
  static std::atomic<std::uint64_t> counter{0};
  const auto dir = path.parent_path();
  SLUICE_TRYV(make_directories(dir));
  std::string name(temp_file_prefix);
  name += std::to_string(::getpid());
  name += '-';
  name += std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
  const auto tmp = dir / name;
  SLUICE_TRY(fd, detail::open_fd(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644));
  auto fail = [&](std::error_code ec) -> result<void> {
    fd.reset();
    ::unlink(tmp.c_str());
    return ec;
  };
  if (auto r = detail::write_all(fd.get(), bytes); !r) return fail(r.error());
  if (auto r = detail::fsync_fd(fd.get()); !r) return fail(r.error());
  if (auto r = fd.close(); !r) return fail(r.error());
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(detail::last_error());
  if (mode == sync_directory_mode::now)
    return sync_directory(dir.empty() ? std::filesystem::path(".") : dir);
  return success();
}

/// Checks that `key` is a safe relative key: not empty, not starting with `/`, no empty, `.` or
/// `..` segment, no NUL byte, no segment longer than 255 bytes or named like a temp file.
///
/// Errors: `errc::invalid_argument` (fatal: keys come from stages that validated them already,
/// so a bad one here is a bug, not bad input).
/// Complexity: linear in the key length.
[[nodiscard]] inline result<void> check_relative_key(std::string_view key) noexcept {
  if (key.empty() || key.front() == '/') return errc::invalid_argument;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = key.find('/', start);
    const std::string_view seg =
        key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == ".." || seg.size() > 255 ||
        seg.find('\0') != std::string_view::npos || is_temp_file_name(seg))
      return errc::invalid_argument;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return success();
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
    if (is_temp_file_name(it->path().filename().native()) && it->is_regular_file(ec)) {
      if (!std::filesystem::remove(it->path(), ec) && ec) return ec;
      ++removed;
    }
  }
  if (ec) return ec;
  return removed;
}

}  // namespace sluice::inline v0::fs
