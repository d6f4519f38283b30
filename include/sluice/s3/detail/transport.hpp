// SPDX-License-Identifier: Apache-2.0
#pragma once

// The transport of the S3 client: one request and its attempts (`s3_op`), and `transport`, which
// runs a set of them to completion through one curl multi handle. Its connection cache keeps
// connections to the endpoint open between requests and batches; easy handles are pooled. What
// is sent (signing) and what a reply means (reply.hpp, the retry policy) are the client's.

#include "sluice/core/error.hpp"
#include "sluice/s3/detail/ascii.hpp"
#include "sluice/s3/error.hpp"
#include "sluice/s3/sigv4.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::s3::detail {

struct curl_multi_deleter {
  void operator()(CURLM* m) const noexcept { curl_multi_cleanup(m); }
};
struct curl_easy_deleter {
  void operator()(CURL* e) const noexcept { curl_easy_cleanup(e); }
};
struct curl_slist_deleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

// libcurl's global state, initialized once per process before the first handle.
inline CURLcode curl_global() noexcept {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  return rc;
}

// One request and its attempts.
struct s3_op {
  // What to send.
  std::string method;
  std::string bucket;
  std::string key;
  std::vector<sigv4::query_param> query;
  std::string_view body;
  std::string payload_hash;
  bool accept_owned_bucket = false;   // 409 BucketAlreadyOwnedByYou counts as success
  // Progress.
  int attempts = 0;
  std::chrono::steady_clock::time_point started{}, due{};
  std::size_t body_offset = 0;
  std::string url;                                          // of the current attempt
  std::unique_ptr<curl_slist, curl_slist_deleter> headers;  // of the current attempt
  // The reply of the last attempt.
  long status = 0;
  std::string reply;
  std::string etag, last_modified, request_id;
  std::int64_t content_length = -1;
  bool too_large = false;
  std::size_t max_reply = 0;
  // What the last attempt moved.
  std::int64_t sent = 0, received = 0, connects = 0;
  // The outcome.
  std::error_code error;
  std::string s3_code;
  bool done = false;

  void reset_reply() {
    status = 0;
    reply.clear();
    etag.clear();
    last_modified.clear();
    request_id.clear();
    content_length = -1;
    too_large = false;
    body_offset = 0;
  }
};

inline std::size_t write_reply(char* data, std::size_t size, std::size_t n, void* user) noexcept {
  auto* op = static_cast<s3_op*>(user);
  const std::size_t bytes = size * n;
  if (op->reply.size() + bytes > op->max_reply) {
    op->too_large = true;
    return 0;
  }
  try {
    op->reply.append(data, bytes);
  } catch (const std::bad_alloc&) {
    return 0;
  }
  return bytes;
}

inline std::size_t read_body(char* out, std::size_t size, std::size_t n, void* user) noexcept {
  auto* op = static_cast<s3_op*>(user);
  const std::size_t room = size * n;
  const std::size_t left = op->body.size() - op->body_offset;
  const std::size_t take = left < room ? left : room;
  std::copy_n(op->body.data() + op->body_offset, take, out);
  op->body_offset += take;
  return take;
}

inline int seek_body(void* user, curl_off_t offset, int origin) noexcept {
  auto* op = static_cast<s3_op*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > op->body.size())
    return CURL_SEEKFUNC_CANTSEEK;
  op->body_offset = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

inline std::size_t read_header(char* data, std::size_t size, std::size_t n, void* user) noexcept {
  auto* op = static_cast<s3_op*>(user);
  const std::size_t bytes = size * n;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  const auto name = line.substr(0, colon);
  auto value = line.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  try {
    if (ascii_iequals(name, "etag")) op->etag = std::string(value);
    else if (ascii_iequals(name, "last-modified")) op->last_modified = std::string(value);
    else if (ascii_iequals(name, "x-amz-request-id")) op->request_id = std::string(value);
    else if (ascii_iequals(name, "content-length")) {
      std::int64_t v = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec == std::errc()) op->content_length = v;
    }
  } catch (const std::bad_alloc&) {
    return 0;
  }
  return bytes;
}

// What every attempt is sent with.
struct transport_settings {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{60'000};
  std::string ca_file;             // empty: libcurl's default bundle
  std::size_t max_in_flight = 16;  // ≥ 1
};

// Runs requests through one curl multi handle (see the file comment).
class transport {
 public:
  // Errors: `curl_category()` if libcurl cannot be initialized.
  static result<transport> make(transport_settings settings) {
    if (const auto rc = curl_global(); rc != CURLE_OK) return make_error(rc);
    std::unique_ptr<CURLM, curl_multi_deleter> multi(curl_multi_init());
    if (!multi) return make_error(CURLE_OUT_OF_MEMORY);
    if (settings.max_in_flight == 0) settings.max_in_flight = 1;
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(settings.max_in_flight));
    return transport(std::move(settings), std::move(multi));
  }

  // Runs every op to completion: at most max_in_flight at a time, retries scheduled by their
  // `due` time, all through the one multi handle (whose connection cache gives reuse).
  // `start(op)` prepares an attempt (url, headers; it may throw std::bad_alloc);
  // `finish(op, code)` judges the attempt that ended, setting `op.done` or a new `op.due`.
  template <class Start, class Finish>
  void run(std::span<s3_op> ops, Start&& start, Finish&& finish) {
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& op : ops) op.started = op.due = t0;
    std::vector<s3_op*> waiting;
    waiting.reserve(ops.size());
    for (auto& op : ops) waiting.push_back(&op);
    std::vector<CURL*> active;
    // Whatever happens (bad_alloc), no easy handle stays in the multi handle pointing at an op.
    struct detach_all {
      transport& self;
      std::vector<CURL*>& active;
      ~detach_all() {
        for (CURL* e : active) {
          curl_multi_remove_handle(self.multi_.get(), e);
          self.idle_.emplace_back(e);
        }
      }
    } guard{*this, active};
    std::size_t finished = 0;
    while (finished < ops.size()) {
      auto now = std::chrono::steady_clock::now();
      // Start the due ops, oldest first, while there is room.
      for (auto it = waiting.begin(); it != waiting.end() && active.size() < settings_.max_in_flight;) {
        if ((*it)->due > now) {
          ++it;
          continue;
        }
        s3_op& op = **it;
        it = waiting.erase(it);
        std::unique_ptr<CURL, curl_easy_deleter> easy;
        if (!idle_.empty()) {
          easy = std::move(idle_.back());
          idle_.pop_back();
        } else {
          easy.reset(curl_easy_init());
        }
        bool sent = false;
        if (easy) {
          start(op);
          sent = configure(easy.get(), op) && curl_multi_add_handle(multi_.get(), easy.get()) == CURLM_OK;
        }
        if (!sent) {
          op.error = make_error(easy ? CURLE_FAILED_INIT : CURLE_OUT_OF_MEMORY);
          op.done = true;
          op.headers.reset();
          if (easy) idle_.push_back(std::move(easy));
          ++finished;
          continue;
        }
        active.push_back(easy.release());
      }
      int running = 0;
      curl_multi_perform(multi_.get(), &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* easy = msg->easy_handle;
        const CURLcode code = msg->data.result;
        void* priv = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        auto& op = *static_cast<s3_op*>(priv);
        curl_multi_remove_handle(multi_.get(), easy);
        active.erase(std::find(active.begin(), active.end(), easy));
        idle_.emplace_back(easy);
        collect(easy, op, code);
        finish(op, code);
        if (op.done) ++finished;
        else waiting.push_back(&op);
      }
      if (finished == ops.size()) break;
      // Wait for traffic (curl shortens the wait to its own timers), or, while there is room
      // for another request, until the next retry is due. Ops that wait for room are started
      // when a transfer ends, which is traffic.
      now = std::chrono::steady_clock::now();
      auto wait = std::chrono::milliseconds(1000);
      if (active.size() < settings_.max_in_flight) {
        for (const auto* op : waiting) {
          const auto until = std::chrono::ceil<std::chrono::milliseconds>(op->due - now);
          wait = std::min(wait, std::max(until, std::chrono::milliseconds(0)));
        }
      }
      // curl_multi_poll waits the whole timeout also when no transfer is active (a backoff).
      if (!active.empty() || wait.count() > 0)
        curl_multi_poll(multi_.get(), nullptr, 0, static_cast<int>(wait.count()), nullptr);
    }
  }

 private:
  transport(transport_settings settings, std::unique_ptr<CURLM, curl_multi_deleter> multi)
      : settings_(std::move(settings)), multi_(std::move(multi)) {}

  // Sets `easy` up to send the attempt `start` prepared. False if libcurl refused an option.
  bool configure(CURL* easy, s3_op& op) const {
    curl_easy_reset(easy);
    bool ok = true;
    auto set = [&](CURLoption o, auto v) { ok = ok && curl_easy_setopt(easy, o, v) == CURLE_OK; };
    set(CURLOPT_URL, op.url.c_str());
    set(CURLOPT_HTTPHEADER, op.headers.get());
    set(CURLOPT_PRIVATE, static_cast<void*>(&op));
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_PATH_AS_IS, 1L);
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout.count()));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.request_timeout.count()));
    if (!settings_.ca_file.empty()) set(CURLOPT_CAINFO, settings_.ca_file.c_str());
    set(CURLOPT_WRITEFUNCTION, &write_reply);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&op));
    set(CURLOPT_HEADERFUNCTION, &read_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&op));
    if (op.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else if (op.method == "DELETE") {
      set(CURLOPT_CUSTOMREQUEST, "DELETE");
    } else if (op.method == "PUT") {
      set(CURLOPT_UPLOAD, 1L);
      set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(op.body.size()));
      set(CURLOPT_READFUNCTION, &read_body);
      set(CURLOPT_READDATA, static_cast<void*>(&op));
      set(CURLOPT_SEEKFUNCTION, &seek_body);
      set(CURLOPT_SEEKDATA, static_cast<void*>(&op));
    }
    return ok;
  }

  // Records what the attempt that just ended moved, and its HTTP status when it got a reply.
  static void collect(CURL* easy, s3_op& op, CURLcode code) {
    curl_off_t up = 0, down = 0;
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    op.sent = up;
    op.received = down;
    op.connects = connects;
    op.headers.reset();
    if (code == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &op.status);
  }

  transport_settings settings_;
  std::unique_ptr<CURLM, curl_multi_deleter> multi_;
  std::vector<std::unique_ptr<CURL, curl_easy_deleter>> idle_;
};

}  // namespace sluice::inline v0::s3::detail
