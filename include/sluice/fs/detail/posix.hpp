// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Thin POSIX wrappers for the fs module: an owning file descriptor, errno as `std::error_code`,
/// loops that survive short reads and writes and `EINTR`.

#include "sluice/core/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace sluice::inline v0::fs::detail {

/// The current `errno` as a `std::system_category()` code.
inline std::error_code last_error() noexcept { return {errno, std::system_category()}; }

/// Owns a file descriptor; closes it on destruction. Movable, not copyable.
class unique_fd {
 public:
  unique_fd() noexcept = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] explicit operator bool() const noexcept { return fd_ >= 0; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  /// Closes and reports the result: a failed close can mean lost data (NFS, quotas).
  result<void> close() noexcept {
    const int fd = std::exchange(fd_, -1);
    if (fd >= 0 && ::close(fd) != 0 && errno != EINTR) return last_error();
    return success();
  }

 private:
  int fd_ = -1;
};

/// Opens `path` with `flags` (`O_CLOEXEC` added), retrying on `EINTR`.
inline result<unique_fd> open_fd(const char* path, int flags, mode_t mode = 0644) noexcept {
  for (;;) {
    const int fd = ::open(path, flags | O_CLOEXEC, mode);
    if (fd >= 0) return unique_fd(fd);
    if (errno != EINTR) return last_error();
  }
}

/// Writes all of `data` to `fd`.
inline result<void> write_all(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return success();
}

/// Reads up to `len` bytes at `pos` into `buf`; fewer only at end of file. Returns the count.
inline result<std::size_t> pread_full(int fd, char* buf, std::size_t len, off_t pos) noexcept {
  std::size_t done = 0;
  while (done < len) {
    const ssize_t n = ::pread(fd, buf + done, len - done, pos + static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

/// `fsync(fd)`, retrying on `EINTR`.
inline result<void> fsync_fd(int fd) noexcept {
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return last_error();
  }
  return success();
}

}  // namespace sluice::inline v0::fs::detail
