// SPDX-License-Identifier: Apache-2.0
#pragma once

// A tiny HTTP/1.1 server on 127.0.0.1 for the S3 client's unit tests: scripted replies (500,
// 503 SlowDown, 403 …), delays, and a record of every request, connection and the largest
// number of requests in flight at once. One thread per connection, keep-alive honoured.
// `fake_s3_handler` turns it into a small in-memory S3 (PUT/GET/HEAD/DELETE objects, create
// bucket, ListObjectsV2 with continuation tokens) for the stage tests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sluice_s3_test {

struct http_request {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  int connection = 0;                          // which connection (1, 2, …) carried it

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string path() const { return target.substr(0, target.find('?')); }
  std::string query() const {
    const auto q = target.find('?');
    return q == std::string::npos ? std::string() : target.substr(q + 1);
  }
};

struct http_reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // wait before answering (timeouts, overlap)
  bool close = false;                  // close the connection without answering
};

using http_handler = std::function<http_reply(const http_request&)>;

inline std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto hex = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

inline std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const auto part = q.substr(0, amp);
    const auto eq = part.find('=');
    out[percent_decode(part.substr(0, eq))] = eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

class loopback_http {
 public:
  explicit loopback_http(http_handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 64);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  loopback_http(const loopback_http&) = delete;
  loopback_http& operator=(const loopback_http&) = delete;
  ~loopback_http() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    std::vector<std::thread> ts;
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
      ts.swap(workers_);
    }
    for (auto& t : ts) t.join();
  }

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  [[nodiscard]] std::vector<http_request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] int max_in_flight() const { return max_in_flight_.load(); }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      const int id = ++connections_;
      std::lock_guard lock(mutex_);
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd, id] { serve(fd, id); });
    }
  }

  static bool read_more(int fd, std::string& buf) {
    char tmp[65536];
    const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  void serve(int fd, int id) {
    std::string buf;
    for (;;) {
      std::size_t head_end;
      while ((head_end = buf.find("\r\n\r\n")) == std::string::npos)
        if (!read_more(fd, buf)) return finish(fd);
      http_request req;
      req.connection = id;
      std::string_view head(buf.data(), head_end);
      const auto line_end = head.find("\r\n");
      const std::string_view line = head.substr(0, line_end);
      const auto sp1 = line.find(' '), sp2 = line.rfind(' ');
      req.method = std::string(line.substr(0, sp1));
      req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
      std::string_view rest = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
      while (!rest.empty()) {
        const auto e = rest.find("\r\n");
        const auto h = rest.substr(0, e);
        const auto colon = h.find(':');
        if (colon != std::string_view::npos) {
          std::string name(h.substr(0, colon));
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          auto value = h.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
          req.headers[name] = std::string(value);
        }
        if (e == std::string_view::npos) break;
        rest.remove_prefix(e + 2);
      }
      std::size_t length = 0;
      if (auto cl = req.header("content-length"); !cl.empty()) length = std::stoull(cl);
      while (buf.size() < head_end + 4 + length)
        if (!read_more(fd, buf)) return finish(fd);
      req.body = buf.substr(head_end + 4, length);
      buf.erase(0, head_end + 4 + length);

      const int now = ++in_flight_;
      for (int seen = max_in_flight_.load(); now > seen && !max_in_flight_.compare_exchange_weak(seen, now);) {
      }
      http_reply reply;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(req);
      }
      reply = handler_(req);
      if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
      --in_flight_;
      if (reply.close) return finish(fd);
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
      for (const auto& [n, v] : reply.headers) out += n + ": " + v + "\r\n";
      const bool has_length = std::any_of(reply.headers.begin(), reply.headers.end(),
                                          [](const auto& h) { return h.first == "Content-Length"; });
      if (!has_length) out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
      out += "\r\n";
      if (req.method != "HEAD") out += reply.body;
      for (std::size_t sent = 0; sent < out.size();) {
        const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return finish(fd);
        sent += static_cast<std::size_t>(n);
      }
    }
  }

  void finish(int fd) {
    std::lock_guard lock(mutex_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    ::close(fd);
  }

  http_handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
  std::vector<http_request> requests_;
  std::atomic<int> connections_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

inline std::string xml_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out.push_back(c);
  }
  return out;
}

inline http_reply s3_error(int status, const std::string& code, const std::string& message = "msg") {
  return {status,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message +
              "</Message><SignatureProvided>sig-that-must-not-leak</SignatureProvided></Error>",
          {{"Content-Type", "application/xml"}, {"x-amz-request-id", "REQ123"}}};
}

/// A small in-memory S3 behind path-style URLs (`/bucket/key`): objects, bucket creation and
/// ListObjectsV2 with max-keys and continuation tokens. Copies share the same buckets.
class fake_s3 {
 public:
  http_reply operator()(const http_request& r) {
    std::lock_guard lock(state_->mutex);
    const std::string path = percent_decode(r.path());
    const auto slash = path.find('/', 1);
    const std::string bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    const std::string key = slash == std::string::npos ? std::string() : path.substr(slash + 1);
    auto b = state_->buckets.find(bucket);
    if (key.empty()) {
      if (r.method == "PUT") {
        if (b != state_->buckets.end()) return s3_error(409, "BucketAlreadyOwnedByYou");
        state_->buckets[bucket];
        return {200, "", {}};
      }
      if (b == state_->buckets.end()) return s3_error(404, "NoSuchBucket");
      auto q = parse_query(r.query());
      const std::string prefix = q["prefix"];
      const int max_keys = q.count("max-keys") ? std::stoi(q["max-keys"]) : 1000;
      const std::string after = q["continuation-token"];
      std::string xml = "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" +
                        bucket + "</Name>";
      int n = 0;
      std::string last;
      bool truncated = false;
      for (auto it = after.empty() ? b->second.begin() : b->second.upper_bound(after); it != b->second.end(); ++it) {
        if (it->first.compare(0, prefix.size(), prefix) != 0) continue;
        if (n == max_keys) {
          truncated = true;
          break;
        }
        xml += "<Contents><Key>" + xml_escape(it->first) + "</Key><Size>" + std::to_string(it->second.size()) +
               "</Size><ETag>&quot;x&quot;</ETag></Contents>";
        last = it->first;
        ++n;
      }
      xml += "<KeyCount>" + std::to_string(n) + "</KeyCount><IsTruncated>" + (truncated ? "true" : "false") +
             "</IsTruncated>";
      if (truncated) xml += "<NextContinuationToken>" + xml_escape(last) + "</NextContinuationToken>";
      xml += "</ListBucketResult>";
      return {200, xml, {}};
    }
    if (b == state_->buckets.end()) return s3_error(404, "NoSuchBucket");
    if (r.method == "PUT") {
      b->second[key] = r.body;
      return {200, "", {{"ETag", "\"e\""}}};
    }
    const auto o = b->second.find(key);
    if (r.method == "DELETE") {
      if (o != b->second.end()) b->second.erase(o);
      return {204, "", {}};
    }
    if (o == b->second.end()) return s3_error(404, "NoSuchKey");
    if (r.method == "HEAD") return {200, "", {{"Content-Length", std::to_string(o->second.size())}, {"ETag", "\"e\""}}};
    return {200, o->second, {}};
  }

  /// The objects of `bucket`.
  std::map<std::string, std::string> objects(const std::string& bucket) const {
    std::lock_guard lock(state_->mutex);
    auto b = state_->buckets.find(bucket);
    return b == state_->buckets.end() ? std::map<std::string, std::string>{} : b->second;
  }

 private:
  struct state {
    std::mutex mutex;
    std::map<std::string, std::map<std::string, std::string>> buckets;
  };
  std::shared_ptr<state> state_ = std::make_shared<state>();
};

}  // namespace sluice_s3_test
