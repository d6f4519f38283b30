// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `file_watch`: what a source that follows a growing file (`kcat_source`, `lines_source`)
/// checks before it reads more of it.

#include "sluice/core/error.hpp"
#include "sluice/fs/detail/posix.hpp"

#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace sluice::inline v0::fs::detail {

/// The identity, size and last consumed bytes of a file a source reads as it grows.
///
/// `check` makes sure the path still names the open file (not removed, renamed away or replaced),
/// that the file has not shrunk below what the source consumed, and that the last bytes it
/// consumed (`note_tail`) are unchanged, a cheap guard against a file rewritten in place. A
/// failed check is final: `problem()` says why ("the <kind> <path> was replaced by another
/// file") and every later check fails with `errc::corrupt_state`.
/// Thread-safety: none.
class file_watch {
 public:
  /// `kind` names the file in problems, e.g. "lines file".
  explicit file_watch(std::string kind) : kind_(std::move(kind)) {}

  /// Checks the file open as `fd` at `path`, of which the source consumed `consumed` bytes.
  /// Returns true if its size or modification time changed since the last check (new bytes may
  /// be there), false if not; `size()` is then its size.
  /// Errors: `errc::corrupt_state` (see the class comment); the OS error of `fstat`, `stat` or a
  /// read. Blocking: yes (two `stat`s, and a read of the tail when the file changed).
  result<bool> check(int fd, const std::filesystem::path& path, std::uint64_t consumed) {
    if (!problem_.empty()) return errc::corrupt_state;
    struct stat fst {};
    if (::fstat(fd, &fst) != 0) return last_error();
    struct stat pst {};
    if (::stat(path.c_str(), &pst) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return fail(path, "was removed or renamed away");
      return last_error();
    }
    if (pst.st_dev != fst.st_dev || pst.st_ino != fst.st_ino) return fail(path, "was replaced by another file");
    const auto size = static_cast<std::uint64_t>(fst.st_size);
    if (seen_ && size == size_ && fst.st_mtim.tv_sec == mtime_.tv_sec && fst.st_mtim.tv_nsec == mtime_.tv_nsec)
      return false;
    if (size < consumed)
      return fail(path, "shrank to " + std::to_string(size) + " bytes, below the " + std::to_string(consumed) +
                            " bytes already indexed (truncated)");
    if (!tail_.empty()) {
      std::string now(tail_.size(), '\0');
      SLUICE_TRY(n, pread_full(fd, now.data(), now.size(), static_cast<off_t>(consumed - tail_.size())));
      if (n != now.size() || now != tail_)
        return fail(path, "was rewritten: its bytes before position " + std::to_string(consumed) + " changed");
    }
    seen_ = true;
    size_ = size;
    mtime_ = fst.st_mtim;
    return true;
  }

  /// Notes the last consumed bytes: at most the last 64 of `last_bytes`, which end where the
  /// source's consumed bytes end.
  void note_tail(std::string_view last_bytes) {
    tail_.assign(last_bytes.substr(last_bytes.size() - std::min<std::size_t>(last_bytes.size(), tail_size)));
  }
  /// Notes the last consumed bytes by reading up to 64 bytes before `consumed` from `fd`.
  /// Errors: the OS error of the read.
  result<void> read_tail(int fd, std::uint64_t consumed) {
    tail_.assign(static_cast<std::size_t>(std::min<std::uint64_t>(consumed, tail_size)), '\0');
    if (tail_.empty()) return success();
    SLUICE_TRY(n, pread_full(fd, tail_.data(), tail_.size(), static_cast<off_t>(consumed - tail_.size())));
    tail_.resize(n);  // shorter only if the file shrank meanwhile: the next check notices
    return success();
  }

  /// Bytes of tail kept.
  static constexpr std::size_t tail_size = 64;
  /// The file's size at the last check that found it changed.
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  /// Why a check failed with `errc::corrupt_state`; empty if none did.
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

  /// Fails the watch for a reason the source found itself ("the <kind> <path> <what>"), and
  /// returns `errc::corrupt_state`.
  std::error_code fail(const std::filesystem::path& path, const std::string& what) {
    problem_ = "the " + kind_ + " " + path.string() + " " + what;
    return errc::corrupt_state;
  }

 private:
  std::string kind_;
  bool seen_ = false;   // size_ and mtime_ are set
  std::uint64_t size_ = 0;
  timespec mtime_{};
  std::string tail_;    // the last consumed bytes, as consumed
  std::string problem_;
};

}  // namespace sluice::inline v0::fs::detail
