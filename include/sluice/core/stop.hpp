// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `stop_flag`: a request to stop the runner after (or instead of) the current batch, and the
/// SIGTERM/SIGINT handlers that set it.

#include "sluice/core/error.hpp"

#include <atomic>
#include <csignal>
#include <system_error>

namespace sluice::inline v0 {

/// A one-way flag asking the runner to stop: it finishes the current batch if its writes have
/// started, else abandons it cleanly (its plan stays pending and is replayed on the next start).
///
/// Thread-safety: `request_stop` may be called from any thread and from a signal handler
/// (lock-free atomic store); `stop_requested` from any thread.
class stop_flag {
 public:
  stop_flag() noexcept = default;
  stop_flag(const stop_flag&) = delete;
  stop_flag& operator=(const stop_flag&) = delete;

  /// Asks for a stop. Async-signal-safe.
  void request_stop() noexcept { flag_.store(true, std::memory_order_relaxed); }
  /// True once a stop was requested.
  [[nodiscard]] bool stop_requested() const noexcept {
    return flag_.load(std::memory_order_relaxed);
  }

 private:
  static_assert(std::atomic<bool>::is_always_lock_free, "request_stop must be signal-safe");
  std::atomic<bool> flag_{false};
};

namespace detail {

inline std::atomic<stop_flag*>& signal_target() noexcept {
  static std::atomic<stop_flag*> target{nullptr};
  return target;
}

extern "C" inline void sluice_stop_signal_handler(int) noexcept {
  if (stop_flag* f = signal_target().load(std::memory_order_relaxed)) f->request_stop();
}

}  // namespace detail

/// Makes SIGTERM and SIGINT request a stop on `flag` instead of killing the process.
///
/// The handlers reset themselves (`SA_RESETHAND`): a second signal terminates the process at
/// once, which is safe because a batch is never half-committed. `flag` must outlive the handlers
/// (call `uninstall_signal_handlers` before destroying it). Calling it again retargets them.
/// Errors: the `errno` of a failed `sigaction` (generic category; classified as fatal).
/// Thread-safety: call from the main thread before starting other threads.
inline result<void> install_signal_handlers(stop_flag& flag) noexcept {
  detail::signal_target().store(&flag, std::memory_order_relaxed);
  struct sigaction sa {};
  sa.sa_handler = &detail::sluice_stop_signal_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  for (const int sig : {SIGTERM, SIGINT}) {
    if (::sigaction(sig, &sa, nullptr) != 0) return std::error_code(errno, std::generic_category());
  }
  return success();
}

/// Restores the default actions of SIGTERM and SIGINT and forgets the flag.
/// Errors: the `errno` of a failed `sigaction`.
inline result<void> uninstall_signal_handlers() noexcept {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  for (const int sig : {SIGTERM, SIGINT}) {
    if (::sigaction(sig, &sa, nullptr) != 0) return std::error_code(errno, std::generic_category());
  }
  detail::signal_target().store(nullptr, std::memory_order_relaxed);
  return success();
}

}  // namespace sluice::inline v0
