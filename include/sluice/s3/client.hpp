// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `s3::client`: a small S3 client on libcurl — PUT, GET, HEAD, DELETE, ListObjectsV2 with
/// continuation tokens, and bucket creation (for tests) — signed with AWS Signature Version 4
/// (`s3/sigv4.hpp`), with retries and concurrent PUTs.
///
/// - Signing: every request carries `x-amz-date`, `x-amz-content-sha256` (the body's SHA-256, or
///   `UNSIGNED-PAYLOAD` when `client_options::sign_payload` is false) and, with a session token,
///   `x-amz-security-token`; the query string is canonicalized (sorted, RFC 3986-encoded) for
///   the signature and sent exactly as signed. Keys are percent-encoded byte by byte (spaces,
///   `=`, `+`, `$`, UTF-8 …), `/` kept.
/// - Addressing: virtual-host (`BUCKET.host/key`) or path style (`host/BUCKET/key`); virtual-host
///   falls back to path style for bucket names with `.` and for IP-address hosts, where it cannot
///   work.
/// - Connection reuse: all requests go through one curl multi handle, whose connection cache
///   keeps connections to the endpoint open between requests and batches; easy handles are
///   pooled.
/// - Retries: connection failures, timeouts, 5xx (503 `SlowDown` among them), 429 and other
///   throttling replies are retried with exponential backoff and jitter within a budget
///   (`retry_budget`: attempts and total time per request). 401/403 (`SignatureDoesNotMatch`,
///   `InvalidAccessKeyId`, `AccessDenied` …) return `errc::access_denied` at once, never retried.
///   See `classify_reply` for the whole mapping; the returned errors keep their classification,
///   so the runner retries what is retriable (`condition::retriable`) and stops on the rest.
/// - Diagnostics: `last_error()` describes the last failure (method, bucket, key, HTTP status,
///   S3's error code and message); `client_options::log` receives retries and failures. Neither
///   ever contains a secret, a signature or an `Authorization` header: of S3's error documents
///   only `<Code>` and `<Message>` are read.

#include "sluice/core/error.hpp"
#include "sluice/s3/credentials.hpp"
#include "sluice/s3/detail/ascii.hpp"
#include "sluice/s3/detail/xml.hpp"
#include "sluice/s3/error.hpp"
#include "sluice/s3/location.hpp"
#include "sluice/s3/sha256.hpp"
#include "sluice/s3/sigv4.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice::inline v0::s3 {

/// How long and how often the client retries one request.
struct retry_budget {
  int max_attempts = 5;                             ///< attempts per request, first included (≥ 1)
  std::chrono::milliseconds initial_backoff{100};   ///< wait after the first failure
  std::chrono::milliseconds max_backoff{5'000};     ///< cap of one wait
  /// No retry starts later than this after the first attempt began (0: no time limit).
  std::chrono::milliseconds max_elapsed{60'000};
};

/// Options of an `s3::client`.
struct client_options {
  /// The service endpoint (`--s3-endpoint`, see `parse_endpoint`); empty: AWS in `region`.
  std::optional<endpoint> service_endpoint;
  std::string region = "us-east-1";                      ///< the signing region (`--s3-region`)
  addressing_style addressing = addressing_style::virtual_host;  ///< `path` for `--s3-path-style`
  bool sign_payload = true;   ///< false: `x-amz-content-sha256: UNSIGNED-PAYLOAD` (no body hash)
  std::chrono::milliseconds connect_timeout{5'000};    ///< to establish a connection
  std::chrono::milliseconds request_timeout{60'000};   ///< for one whole attempt
  /// PEM file of the CA certificates that verify an https endpoint (`--s3-ca-file`,
  /// `CURLOPT_CAINFO`); empty: libcurl's default bundle. Verification is never turned off: a
  /// server certificate the bundle does not verify fails the request with
  /// `CURLE_PEER_FAILED_VERIFICATION`, which is not retried.
  std::string ca_file;
  std::size_t max_in_flight = 16;   ///< concurrent requests of `put_objects` (0 counts as 1)
  std::size_t max_response_bytes = std::size_t{256} << 20;  ///< larger replies: `errc::too_large`
  retry_budget retry;
  /// Receives one line per retry and per failure (method, bucket, key, status, S3 error code).
  std::function<void(std::string_view)> log;
};

/// An object as listed or HEADed.
struct object_info {
  std::string key;
  std::int64_t size = 0;
  std::string etag;            ///< as S3 sends it, quotes included
  std::string last_modified;   ///< as S3 sends it (ISO-8601 in lists, HTTP date in HEAD)
  friend bool operator==(const object_info&, const object_info&) = default;
};

/// One page of ListObjectsV2.
struct list_page {
  std::vector<object_info> objects;                ///< in S3's order (UTF-8 binary order of keys)
  std::optional<std::string> continuation_token;   ///< set when more pages follow
};

/// One object of `client::put_objects`.
struct put_item {
  std::string_view key;
  std::string_view bytes;
};

/// What a client did so far.
struct client_counters {
  std::int64_t requests = 0;          ///< attempts sent (retries included)
  std::int64_t retries = 0;           ///< attempts that were retries
  std::int64_t connections = 0;       ///< new connections opened (the rest reused one)
  std::int64_t bytes_sent = 0;        ///< request bodies
  std::int64_t bytes_received = 0;    ///< reply bodies
};

namespace detail {

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

inline bool is_ip_host(std::string_view host) noexcept {
  if (!host.empty() && host.front() == '[') return true;
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
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
  std::unique_ptr<curl_slist, curl_slist_deleter> headers;
  // The reply of the last attempt.
  long status = 0;
  std::string reply;
  std::string etag, last_modified, request_id;
  std::int64_t content_length = -1;
  bool too_large = false;
  std::size_t max_reply = 0;
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

// One page of a ListObjectsV2 reply; empty optional if it is not one.
inline std::optional<list_page> parse_list_page(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) return std::nullopt;
  list_page page;
  std::size_t pos = 0;
  while (auto c = find_element(xml, "Contents", pos)) {
    pos = c->end;
    object_info info;
    auto key = element_text(c->text, "Key");
    if (!key) return std::nullopt;
    info.key = std::move(*key);
    if (auto size = element_text(c->text, "Size")) {
      const auto [p, ec] = std::from_chars(size->data(), size->data() + size->size(), info.size);
      if (ec != std::errc() || p != size->data() + size->size()) return std::nullopt;
    }
    if (auto etag = element_text(c->text, "ETag")) info.etag = std::move(*etag);
    if (auto lm = element_text(c->text, "LastModified")) info.last_modified = std::move(*lm);
    page.objects.push_back(std::move(info));
  }
  const auto truncated = element_text(xml, "IsTruncated");
  if (truncated && *truncated == "true") {
    page.continuation_token = element_text(xml, "NextContinuationToken");
    if (!page.continuation_token || page.continuation_token->empty()) return std::nullopt;
  }
  return page;
}

}  // namespace detail

/// An S3 client (see the file comment).
///
/// Errors (all members): `errc::invalid_argument` for a bad bucket name or an empty key (nothing
/// sent) and for 400 replies; `errc::access_denied` for rejected credentials or permissions;
/// `errc::timeout` / `errc::unavailable` (retriable) and `curl_category()` codes (retriable or
/// fatal) when the retry budget ran out; `errc::protocol_error` for replies outside the
/// protocol; `errc::too_large` for a reply over `max_response_bytes`. `last_error()` has the
/// details.
/// Blocking: every request member blocks until done, retries included.
/// Thread-safety: none; one thread uses a client at a time (stages of one pipeline may share
/// one through a `std::shared_ptr`).
class client {
 public:
  /// A client for `options` signing with `creds`.
  ///
  /// Errors: `errc::invalid_argument` for an empty region or endpoint host; `curl_category()`
  /// if libcurl cannot be initialized.
  static result<client> make(client_options options, credentials creds) {
    if (options.region.empty()) return errc::invalid_argument;
    if (options.service_endpoint && options.service_endpoint->host.empty()) return errc::invalid_argument;
    if (const auto rc = detail::curl_global(); rc != CURLE_OK) return make_error(rc);
    std::unique_ptr<CURLM, detail::curl_multi_deleter> multi(curl_multi_init());
    if (!multi) return make_error(CURLE_OUT_OF_MEMORY);
    if (options.max_in_flight == 0) options.max_in_flight = 1;
    if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
    return client(std::move(options), std::move(creds), std::move(multi));
  }

  /// `make`, owned by a `std::shared_ptr` (for stages that share one client).
  static result<std::shared_ptr<client>> make_shared(client_options options, credentials creds) {
    SLUICE_TRY(c, make(std::move(options), std::move(creds)));
    return std::make_shared<client>(std::move(c));
  }

  client(client&&) noexcept = default;
  client& operator=(client&&) noexcept = default;
  ~client() {
    for (auto& b : key_) static_cast<volatile std::uint8_t&>(b) = 0;
  }

  /// Stores `bytes` as `bucket/key` (replacing any object there).
  result<void> put_object(std::string_view bucket, std::string_view key, std::string_view bytes) {
    const put_item item{key, bytes};
    const auto errors = put_objects(bucket, std::span<const put_item>(&item, 1));
    if (errors[0]) return errors[0];
    return success();
  }

  /// Stores every item in `bucket`, up to `max_in_flight` requests at a time, each retried on its
  /// own. Returns one error code per item (empty on success), in the order given; `last_error()`
  /// describes the first failure in that order.
  ///
  /// Items with the same key race (S3 keeps one of them): callers pass distinct keys.
  /// Complexity: one request per item (plus retries); hashing is linear in the bytes.
  std::vector<std::error_code> put_objects(std::string_view bucket, std::span<const put_item> items) {
    std::vector<std::error_code> out(items.size());
    std::vector<detail::s3_op> ops(items.size());
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (auto bad = check(bucket, items[i].key); !bad) {
        out[i] = bad.error();
        continue;
      }
      auto& op = ops[index.size()];
      op.method = "PUT";
      op.bucket = std::string(bucket);
      op.key = std::string(items[i].key);
      op.body = items[i].bytes;
      index.push_back(i);
    }
    ops.resize(index.size());
    run(ops);
    bool first = true;
    for (std::size_t k = 0; k < ops.size(); ++k) {
      out[index[k]] = ops[k].error;
      if (ops[k].error && first) {
        first = false;
        last_error_ = describe(ops[k]);
      }
    }
    return out;
  }

  /// The bytes of `bucket/key`, or empty if there is no such object (404 `NoSuchKey`).
  result<std::optional<std::string>> get_object(std::string_view bucket, std::string_view key) {
    SLUICE_TRYV(check(bucket, key));
    detail::s3_op op = request("GET", bucket, key);
    run(std::span<detail::s3_op>(&op, 1));
    if (is_absent(op)) return std::optional<std::string>{};
    SLUICE_TRYV(outcome(op));
    return std::optional<std::string>(std::move(op.reply));
  }

  /// Size, ETag and date of `bucket/key`, or empty if there is no such object.
  result<std::optional<object_info>> head_object(std::string_view bucket, std::string_view key) {
    SLUICE_TRYV(check(bucket, key));
    detail::s3_op op = request("HEAD", bucket, key);
    run(std::span<detail::s3_op>(&op, 1));
    if (is_absent(op)) return std::optional<object_info>{};
    SLUICE_TRYV(outcome(op));
    return std::optional<object_info>(
        object_info{std::string(key), op.content_length, std::move(op.etag), std::move(op.last_modified)});
  }

  /// Deletes `bucket/key`; deleting an absent object succeeds (as S3 does).
  result<void> delete_object(std::string_view bucket, std::string_view key) {
    SLUICE_TRYV(check(bucket, key));
    detail::s3_op op = request("DELETE", bucket, key);
    run(std::span<detail::s3_op>(&op, 1));
    if (is_absent(op)) return success();
    return outcome(op);
  }

  /// One page of the keys of `bucket` that start with `prefix` (ListObjectsV2), at most
  /// `max_keys` (1–1000) objects, continuing after `continuation_token` (empty: from the start).
  ///
  /// Errors: also `errc::protocol_error` if the reply is not a ListBucketResult.
  result<list_page> list_objects(std::string_view bucket, std::string_view prefix,
                                 std::string_view continuation_token = {}, int max_keys = 1000) {
    SLUICE_TRYV(check(bucket, "-"));
    if (max_keys < 1 || max_keys > 1000) return errc::invalid_argument;
    detail::s3_op op = request("GET", bucket, {});
    op.query.push_back({"list-type", "2"});
    op.query.push_back({"max-keys", std::to_string(max_keys)});
    if (!prefix.empty()) op.query.push_back({"prefix", std::string(prefix)});
    if (!continuation_token.empty()) op.query.push_back({"continuation-token", std::string(continuation_token)});
    run(std::span<detail::s3_op>(&op, 1));
    SLUICE_TRYV(outcome(op));
    auto page = detail::parse_list_page(op.reply);
    if (!page) {
      last_error_ = describe(op) + ": the reply is not a ListBucketResult";
      return errc::protocol_error;
    }
    return std::move(*page);
  }

  /// Every object of `bucket` whose key starts with `prefix`, following continuation tokens,
  /// `page_size` keys per request.
  ///
  /// Errors: as `list_objects`; `errc::protocol_error` if the server repeats a token.
  /// Complexity: one request per page.
  result<std::vector<object_info>> list_all(std::string_view bucket, std::string_view prefix,
                                            int page_size = 1000) {
    std::vector<object_info> out;
    std::string token;
    for (;;) {
      SLUICE_TRY(page, list_objects(bucket, prefix, token, page_size));
      for (auto& o : page.objects) out.push_back(std::move(o));
      if (!page.continuation_token) return out;
      if (*page.continuation_token == token) {
        last_error_ = "S3 list " + std::string(bucket) + ": the server repeated a continuation token";
        return errc::protocol_error;
      }
      token = std::move(*page.continuation_token);
    }
  }

  /// Creates `bucket` in the client's region; a bucket this account owns already is fine.
  result<void> create_bucket(std::string_view bucket) {
    SLUICE_TRYV(check(bucket, "-"));
    detail::s3_op op = request("PUT", bucket, {});
    std::string config;
    if (options_.region != "us-east-1") {
      config = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
               "<LocationConstraint>" + options_.region + "</LocationConstraint></CreateBucketConfiguration>";
      op.body = config;
    }
    op.accept_owned_bucket = true;
    run(std::span<detail::s3_op>(&op, 1));
    return outcome(op);
  }

  /// The last failure: method, bucket, key, HTTP status or transport error, S3's error code
  /// and message, attempts. Never contains secrets or signatures.
  [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }

  /// What the client did so far.
  [[nodiscard]] const client_counters& stats() const noexcept { return counters_; }

  /// The options the client runs with.
  [[nodiscard]] const client_options& options() const noexcept { return options_; }

  /// The endpoint requests go to (the AWS one of the region when none was given).
  [[nodiscard]] const endpoint& service_endpoint() const noexcept { return endpoint_; }

  /// Where the credentials came from, masked (see `credentials::describe`).
  [[nodiscard]] std::string describe_credentials() const { return creds_.describe(); }

  /// The URL, `Host` and path a request for `bucket/key` goes to, with `query` (already
  /// canonical) appended: what the client sends and signs. For tests and diagnostics.
  struct target {
    std::string url;
    std::string host;   ///< the `Host` header
    std::string path;   ///< not encoded: what SigV4 signs (encoded once)
  };
  [[nodiscard]] target target_of(std::string_view bucket, std::string_view key,
                                 std::string_view canonical_query = {}) const {
    target t;
    const bool virtual_host = options_.addressing == addressing_style::virtual_host && !bucket.empty() &&
                              bucket.find('.') == std::string_view::npos && !detail::is_ip_host(endpoint_.host);
    if (virtual_host) {
      endpoint ep = endpoint_;
      ep.host = std::string(bucket) + "." + endpoint_.host;
      t.host = ep.authority();
      t.path = "/" + std::string(key);
    } else {
      t.host = endpoint_.authority();
      t.path = "/" + std::string(bucket);
      if (!key.empty()) t.path += "/" + std::string(key);
    }
    t.url = endpoint_.scheme + "://" + t.host + sigv4::uri_encode(t.path, true);
    if (!canonical_query.empty()) {
      t.url.push_back('?');
      t.url += canonical_query;
    }
    return t;
  }

  /// The signed request (`sigv4::request`) and `Authorization` value the client would send for
  /// `method` on `bucket/key` with `query`, `extra_headers` and a body hashing to `payload_hash`
  /// at time `amz_date`. For tests against published signatures.
  [[nodiscard]] sigv4::signature_parts signature_for(std::string_view method, std::string_view bucket,
                                                     std::string_view key, std::vector<sigv4::query_param> query,
                                                     std::vector<sigv4::header> extra_headers,
                                                     std::string_view payload_hash, std::string_view amz_date) {
    return sign_request(method, bucket, key, query, extra_headers, payload_hash, amz_date).first;
  }

 private:
  client(client_options options, credentials creds, std::unique_ptr<CURLM, detail::curl_multi_deleter> multi)
      : options_(std::move(options)), creds_(std::move(creds)), multi_(std::move(multi)) {
    endpoint_ = options_.service_endpoint ? *options_.service_endpoint : aws_endpoint(options_.region);
    rng_ = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(options_.max_in_flight));
  }

  result<void> check(std::string_view bucket, std::string_view key) {
    std::string why;
    if (!check_bucket_name(bucket, &why)) {
      last_error_ = "S3: " + why;
      return errc::invalid_argument;
    }
    if (key.empty() || key.size() > 1024) {
      last_error_ = "S3: an object key must have 1 to 1024 bytes";
      return errc::invalid_argument;
    }
    return success();
  }

  detail::s3_op request(const char* method, std::string_view bucket, std::string_view key) const {
    detail::s3_op op;
    op.method = method;
    op.bucket = std::string(bucket);
    op.key = std::string(key);
    return op;
  }

  static bool is_absent(const detail::s3_op& op) {
    return op.error == std::errc::no_such_file_or_directory;
  }

  result<void> outcome(const detail::s3_op& op) {
    if (!op.error) return success();
    last_error_ = describe(op);
    return op.error;
  }

  static std::string describe(const detail::s3_op& op) {
    std::string s = "S3 " + op.method + " " + op.bucket;
    if (!op.key.empty()) s += "/" + op.key;
    s += ": ";
    if (op.too_large) {
      s += "the reply exceeds the configured maximum size";
    } else if (op.status == 0) {
      s += op.error.message();
    } else {
      s += "HTTP " + std::to_string(op.status);
      if (!op.s3_code.empty()) s += " " + op.s3_code;
      if (auto msg = detail::element_text(op.reply, "Message"); msg && !msg->empty()) s += " (" + *msg + ")";
      if (op.method == "HEAD" && op.s3_code.empty()) s += " (HEAD replies carry no error document)";
    }
    s += " after " + std::to_string(op.attempts) + (op.attempts == 1 ? " attempt" : " attempts");
    if (!op.request_id.empty()) s += ", request id " + op.request_id;
    return s;
  }

  void log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }

  // The signing key of `date` (cached: it changes once a day).
  const sha256_digest& key_for(std::string_view date) {
    if (key_date_ != date) {
      key_ = sigv4::signing_key(creds_.secret_access_key.expose(), date, options_.region, "s3");
      key_date_ = std::string(date);
    }
    return key_;
  }

  std::pair<sigv4::signature_parts, target> sign_request(std::string_view method, std::string_view bucket,
                                                         std::string_view key,
                                                         const std::vector<sigv4::query_param>& query,
                                                         const std::vector<sigv4::header>& extra,
                                                         std::string_view payload_hash,
                                                         std::string_view amz_date) {
    const std::string query_string = sigv4::canonical_query(query);
    target t = target_of(bucket, key, query_string);
    sigv4::request r;
    r.method = std::string(method);
    r.path = t.path;
    r.query = query;
    r.headers = extra;
    r.headers.push_back({"host", t.host});
    r.headers.push_back({"x-amz-content-sha256", std::string(payload_hash)});
    r.headers.push_back({"x-amz-date", std::string(amz_date)});
    if (!creds_.session_token.empty())
      r.headers.push_back({"x-amz-security-token", std::string(creds_.session_token.expose())});
    r.payload_hash = std::string(payload_hash);
    auto parts = sigv4::sign_with_key(r, amz_date, options_.region, "s3", creds_.access_key_id,
                                      key_for(amz_date.substr(0, 8)));
    return {std::move(parts), std::move(t)};
  }

  // Prepares `easy` for the next attempt of `op`. False if libcurl refused an option.
  bool start_attempt(CURL* easy, detail::s3_op& op) {
    if (op.payload_hash.empty())
      op.payload_hash = options_.sign_payload ? sha256_hex(op.body) : std::string(sigv4::unsigned_payload);
    const std::string amz = sigv4::amz_date(std::chrono::system_clock::now());
    auto [parts, t] = sign_request(op.method, op.bucket, op.key, op.query, {}, op.payload_hash, amz);
    curl_slist* list = nullptr;
    auto add = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(list, line.c_str());
      if (next == nullptr) {
        curl_slist_free_all(list);
        throw std::bad_alloc();
      }
      list = next;
    };
    add("Host: " + t.host);
    add("x-amz-date: " + amz);
    add("x-amz-content-sha256: " + op.payload_hash);
    if (!creds_.session_token.empty()) add("x-amz-security-token: " + std::string(creds_.session_token.expose()));
    add("Authorization: " + parts.authorization);
    add("Expect:");        // no 100-continue round trip before bodies
    add("Content-Type:");  // nothing signs or needs it
    op.headers.reset(list);
    op.reset_reply();
    op.max_reply = options_.max_response_bytes;

    curl_easy_reset(easy);
    bool ok = true;
    auto set = [&](CURLoption o, auto v) { ok = ok && curl_easy_setopt(easy, o, v) == CURLE_OK; };
    set(CURLOPT_URL, t.url.c_str());
    set(CURLOPT_HTTPHEADER, op.headers.get());
    set(CURLOPT_PRIVATE, static_cast<void*>(&op));
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_PATH_AS_IS, 1L);
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
    set(CURLOPT_WRITEFUNCTION, &detail::write_reply);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&op));
    set(CURLOPT_HEADERFUNCTION, &detail::read_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&op));
    if (op.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else if (op.method == "DELETE") {
      set(CURLOPT_CUSTOMREQUEST, "DELETE");
    } else if (op.method == "PUT") {
      set(CURLOPT_UPLOAD, 1L);
      set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(op.body.size()));
      set(CURLOPT_READFUNCTION, &detail::read_body);
      set(CURLOPT_READDATA, static_cast<void*>(&op));
      set(CURLOPT_SEEKFUNCTION, &detail::seek_body);
      set(CURLOPT_SEEKDATA, static_cast<void*>(&op));
    }
    ++op.attempts;
    ++counters_.requests;
    if (op.attempts > 1) ++counters_.retries;
    return ok;
  }

  // The wait before retry number `attempt` (1 after the first failure): exponential, capped,
  // a uniform 50–100 % of it (jitter, so clients that failed together do not retry together).
  std::chrono::milliseconds backoff(int attempt) {
    const double cap = static_cast<double>(options_.retry.max_backoff.count());
    double ms = static_cast<double>(options_.retry.initial_backoff.count()) * std::pow(2.0, attempt - 1);
    if (!(ms <= cap)) ms = cap;
    std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);  // SplitMix64
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    const double u = static_cast<double>(z >> 11) * 0x1.0p-53;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms / 2 + u * (ms / 2))));
  }

  // Decides what the attempt that just ended means: done (success or final error), or retry.
  void end_attempt(CURL* easy, detail::s3_op& op, CURLcode code) {
    curl_off_t up = 0, down = 0;
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    counters_.bytes_sent += up;
    counters_.bytes_received += down;
    counters_.connections += connects;
    op.headers.reset();
    op.s3_code.clear();
    if (code != CURLE_OK) {
      op.error = op.too_large ? std::error_code(errc::too_large) : make_error(code);
    } else {
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &op.status);
      if (op.status >= 300) {
        if (auto c = detail::element_text(op.reply, "Code")) op.s3_code = std::move(*c);
      }
      op.error = classify_reply(op.status, op.s3_code);
      if (op.accept_owned_bucket && op.status == 409 && op.s3_code == "BucketAlreadyOwnedByYou") op.error = {};
    }
    const auto now = std::chrono::steady_clock::now();
    if (op.error && op.error == condition::retriable && op.attempts < options_.retry.max_attempts) {
      const auto wait = backoff(op.attempts);
      const bool in_time = options_.retry.max_elapsed.count() == 0 ||
                           now + wait - op.started <= options_.retry.max_elapsed;
      if (in_time) {
        log(describe(op) + "; retrying in " + std::to_string(wait.count()) + " ms");
        op.due = now + wait;
        return;
      }
    }
    op.done = true;
    if (op.error && !is_absent(op)) log(describe(op));
  }

  // Runs every op to completion: at most max_in_flight at a time, retries scheduled by their
  // backoff, all through the one multi handle (whose connection cache gives reuse).
  void run(std::span<detail::s3_op> ops) {
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& op : ops) op.started = op.due = t0;
    std::vector<detail::s3_op*> waiting;
    waiting.reserve(ops.size());
    for (auto& op : ops) waiting.push_back(&op);
    std::vector<CURL*> active;
    // Whatever happens (bad_alloc), no easy handle stays in the multi handle pointing at an op.
    struct detach_all {
      client& self;
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
      for (auto it = waiting.begin(); it != waiting.end() && active.size() < options_.max_in_flight;) {
        if ((*it)->due > now) {
          ++it;
          continue;
        }
        detail::s3_op& op = **it;
        it = waiting.erase(it);
        std::unique_ptr<CURL, detail::curl_easy_deleter> easy;
        if (!idle_.empty()) {
          easy = std::move(idle_.back());
          idle_.pop_back();
        } else {
          easy.reset(curl_easy_init());
        }
        if (!easy || !start_attempt(easy.get(), op) || curl_multi_add_handle(multi_.get(), easy.get()) != CURLM_OK) {
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
        auto& op = *static_cast<detail::s3_op*>(priv);
        curl_multi_remove_handle(multi_.get(), easy);
        active.erase(std::find(active.begin(), active.end(), easy));
        idle_.emplace_back(easy);
        end_attempt(easy, op, code);
        if (op.done) ++finished;
        else waiting.push_back(&op);
      }
      if (finished == ops.size()) break;
      // Wait for traffic (curl shortens the wait to its own timers), or, while there is room
      // for another request, until the next retry is due. Ops that wait for room are started
      // when a transfer ends, which is traffic.
      now = std::chrono::steady_clock::now();
      auto wait = std::chrono::milliseconds(1000);
      if (active.size() < options_.max_in_flight) {
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

  client_options options_;
  credentials creds_;
  endpoint endpoint_;
  std::unique_ptr<CURLM, detail::curl_multi_deleter> multi_;
  std::vector<std::unique_ptr<CURL, detail::curl_easy_deleter>> idle_;
  std::string last_error_;
  client_counters counters_;
  std::uint64_t rng_ = 0;
  std::string key_date_;
  sha256_digest key_{};
};

}  // namespace sluice::inline v0::s3
