// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// A fault-injecting HTTP/1.1 proxy on 127.0.0.1 for the reliability tests: it sits in front of a
/// real server (S3Proxy), forwards requests, and on a schedule answers one itself instead: `500
/// InternalError`, `503 SlowDown`, a connection reset before the request reaches the server, a
/// reset after it did (the server applied the request, the client never hears of it), a stall
/// (no answer until the client gives up), or "down for a while" (the listener closes, so new
/// connections are refused, and requests on open connections are reset, for `down_for`).
///
/// Requests are framed by `Content-Length` (the sluice S3 client never sends chunked bodies);
/// replies are relayed as bytes, which is exact because the client does not pipeline: a
/// request arrives only after the previous reply did. Counters say what was injected.
/// Thread-safety: the public members may be called from any thread.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sluice::test {

/// What the proxy does with one request.
enum class fault {
  none,                  ///< forward it
  http_500,              ///< answer 500 InternalError
  slow_down_503,         ///< answer 503 SlowDown
  reset,                 ///< reset the connection; the server never sees the request
  reset_after_forward,   ///< forward it, then reset the client's connection before the reply
  stall,                 ///< never answer; close after `stall_for` (or when the client gives up)
  down,                  ///< reset, and refuse every connection and request for `down_for`
};

/// The name of `f`, for reports.
inline const char* fault_name(fault f) {
  switch (f) {
    case fault::none: return "none";
    case fault::http_500: return "500";
    case fault::slow_down_503: return "503 SlowDown";
    case fault::reset: return "reset";
    case fault::reset_after_forward: return "reset after forward";
    case fault::stall: return "stall";
    case fault::down: return "down";
  }
  return "?";
}

/// Decides the fate of request number `n` (1, 2, … over the proxy's life) with `method` and
/// `target` (path and query).
using fault_schedule = std::function<fault(std::int64_t n, const std::string& method, const std::string& target)>;

/// Every `period`-th request (from `offset` on) gets the next fault of `kinds`, cycling.
inline fault_schedule periodic_faults(std::int64_t period, std::int64_t offset, std::vector<fault> kinds) {
  return [=](std::int64_t n, const std::string&, const std::string&) {
    if (n < offset || (n - offset) % period != 0 || kinds.empty()) return fault::none;
    return kinds[static_cast<std::size_t>((n - offset) / period) % kinds.size()];
  };
}

/// What the proxy saw and did.
struct fault_counts {
  std::int64_t requests = 0;     ///< requests received
  std::int64_t forwarded = 0;    ///< requests sent on to the server (reset_after_forward included)
  std::int64_t http_500 = 0, slow_down_503 = 0, resets = 0, resets_after_forward = 0, stalls = 0;
  std::int64_t downs = 0;           ///< down windows begun
  std::int64_t reset_while_down = 0;   ///< requests on open connections reset while down
  /// Faults injected, down windows counted once.
  [[nodiscard]] std::int64_t injected() const {
    return http_500 + slow_down_503 + resets + resets_after_forward + stalls + downs + reset_while_down;
  }
};

/// The proxy (see the file comment). Starts listening at construction, stops at destruction.
class fault_proxy {
 public:
  /// A proxy to `upstream_port` on 127.0.0.1.
  explicit fault_proxy(int upstream_port, fault_schedule schedule = {},
                       std::chrono::milliseconds stall_for = std::chrono::milliseconds(5'000),
                       std::chrono::milliseconds down_for = std::chrono::milliseconds(2'000))
      : upstream_port_(upstream_port), schedule_(std::move(schedule)), stall_for_(stall_for), down_for_(down_for) {
    listen_fd_ = open_listener(0);
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;
  ~fault_proxy() {
    stop_ = true;
    acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  [[nodiscard]] int port() const noexcept { return port_; }
  /// `http://127.0.0.1:PORT`, for `--s3-endpoint`.
  [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// Replaces the schedule (requests from now on).
  void set_schedule(fault_schedule s) {
    std::lock_guard lock(mu_);
    schedule_ = std::move(s);
  }
  /// Goes down now for `d` (0: back up now).
  void set_down_for(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    down_until_ = std::chrono::steady_clock::now() + d;
  }
  [[nodiscard]] fault_counts counts() const {
    std::lock_guard lock(mu_);
    return counts_;
  }

 private:
  static int open_listener(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 128) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  [[nodiscard]] bool is_down() const {
    std::lock_guard lock(mu_);
    return std::chrono::steady_clock::now() < down_until_;
  }

  void accept_loop() {
    while (!stop_) {
      const bool down = is_down();
      if (down && listen_fd_ >= 0) {
        ::close(listen_fd_);  // new connections are refused
        listen_fd_ = -1;
      } else if (!down && listen_fd_ < 0) {
        listen_fd_ = open_listener(port_);
        if (listen_fd_ < 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
      }
      if (listen_fd_ < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::lock_guard lock(mu_);
      threads_.emplace_back([this, c] { serve(c); });
    }
  }

  static void reset_close(int fd) {
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
  }

  static bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  int connect_upstream() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(upstream_port_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  // The length of the first complete request in `buf` (0: not complete yet), its method and
  // target; -1 when its framing is not one this proxy handles.
  static std::int64_t frame(const std::string& buf, std::string& method, std::string& target) {
    const auto end = buf.find("\r\n\r\n");
    if (end == std::string::npos) return 0;
    const std::string_view head(buf.data(), end);
    const auto sp1 = head.find(' ');
    const auto sp2 = head.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return -1;
    method = std::string(head.substr(0, sp1));
    target = std::string(head.substr(sp1 + 1, sp2 - sp1 - 1));
    std::int64_t length = 0;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos < head.size()) {
      const auto next = head.find("\r\n", pos + 2);
      std::string line(head.substr(pos + 2, (next == std::string_view::npos ? head.size() : next) - pos - 2));
      std::transform(line.begin(), line.end(), line.begin(), [](unsigned char ch) { return std::tolower(ch); });
      if (line.rfind("content-length:", 0) == 0) length = std::stoll(line.substr(15));
      if (line.rfind("transfer-encoding:", 0) == 0) return -1;
      pos = next;
    }
    const auto total = static_cast<std::int64_t>(end + 4) + length;
    return static_cast<std::int64_t>(buf.size()) >= total ? total : 0;
  }

  static std::string error_reply(int status, const char* reason, const char* code) {
    const std::string body = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>") + code +
                             "</Code><Message>injected by the fault proxy</Message></Error>";
    return "HTTP/1.1 " + std::to_string(status) + " " + reason +
           "\r\nContent-Type: application/xml\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  fault decide(std::int64_t& n, const std::string& method, const std::string& target) {
    std::lock_guard lock(mu_);
    n = ++counts_.requests;
    const auto now = std::chrono::steady_clock::now();
    if (now < down_until_) {
      ++counts_.reset_while_down;
      return fault::reset;
    }
    fault f = schedule_ ? schedule_(n, method, target) : fault::none;
    switch (f) {
      case fault::none: ++counts_.forwarded; break;
      case fault::http_500: ++counts_.http_500; break;
      case fault::slow_down_503: ++counts_.slow_down_503; break;
      case fault::reset: ++counts_.resets; break;
      case fault::reset_after_forward: ++counts_.resets_after_forward; ++counts_.forwarded; break;
      case fault::stall: ++counts_.stalls; break;
      case fault::down:
        ++counts_.downs;
        down_until_ = now + down_for_;
        break;
    }
    return f;
  }

  // One client connection: requests framed and decided one by one, replies relayed as bytes.
  void serve(int client) {
    int upstream = -1;
    std::string buf;
    char chunk[65536];
    bool client_open = true;
    // After reset_after_forward: read the server's reply to the end (so it finishes the
    // request), then stop.
    bool draining = false;
    bool drained_any = false;
    auto drain_deadline = std::chrono::steady_clock::now();
    while (!stop_) {
      pollfd fds[2] = {{client_open ? client : -1, POLLIN, 0}, {upstream, POLLIN, 0}};
      const int r = ::poll(fds, 2, 100);
      if (draining && ((r == 0 && drained_any) || std::chrono::steady_clock::now() > drain_deadline)) break;
      if (r <= 0) continue;
      if (upstream >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        const auto n = ::recv(upstream, chunk, sizeof chunk, 0);
        if (n <= 0) break;  // the server closed: so does the client's connection
        drained_any = draining;
        if (!draining && !write_all(client, std::string_view(chunk, static_cast<std::size_t>(n)))) break;
        continue;
      }
      if (!client_open || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const auto n = ::recv(client, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buf.append(chunk, static_cast<std::size_t>(n));
      bool end = false;
      for (;;) {
        std::string method, target;
        const std::int64_t len = frame(buf, method, target);
        if (len == 0) break;
        if (len < 0) {
          end = true;
          break;
        }
        const std::string request = buf.substr(0, static_cast<std::size_t>(len));
        buf.erase(0, static_cast<std::size_t>(len));
        std::int64_t no = 0;
        const fault f = decide(no, method, target);
        if (f == fault::none || f == fault::reset_after_forward) {
          if (upstream < 0) upstream = connect_upstream();
          if (upstream < 0 || !write_all(upstream, request)) {
            end = true;
            break;
          }
          if (f == fault::reset_after_forward) {
            reset_close(client);
            client_open = false;
            draining = true;
            drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            break;
          }
          continue;
        }
        if (f == fault::http_500) {
          write_all(client, error_reply(500, "Internal Server Error", "InternalError"));
        } else if (f == fault::slow_down_503) {
          write_all(client, error_reply(503, "Slow Down", "SlowDown"));
        } else if (f == fault::stall) {
          // Wait until the client gives up (closes) or stall_for passes.
          const auto until = std::chrono::steady_clock::now() + stall_for_;
          while (!stop_ && std::chrono::steady_clock::now() < until) {
            pollfd p{client, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0 && ::recv(client, chunk, sizeof chunk, 0) <= 0) break;
          }
          ::close(client);
          client_open = false;
          end = true;
          break;
        } else {  // reset, down
          reset_close(client);
          client_open = false;
          end = true;
          break;
        }
        ::close(client);  // after an error reply (Connection: close)
        client_open = false;
        end = true;
        break;
      }
      if (end) break;
    }
    if (client_open) ::close(client);
    if (upstream >= 0) ::close(upstream);
  }

  int upstream_port_;
  int port_ = 0;
  int listen_fd_ = -1;   // used by the acceptor thread only (and the destructor after it)
  mutable std::mutex mu_;
  fault_schedule schedule_;
  std::chrono::milliseconds stall_for_;
  std::chrono::milliseconds down_for_;
  std::chrono::steady_clock::time_point down_until_{};
  fault_counts counts_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace sluice::test
