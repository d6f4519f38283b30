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
///   work (`s3/addressing.hpp`).
/// - Connection reuse: all requests go through one curl multi handle, whose connection cache
///   keeps connections to the endpoint open between requests and batches; easy handles are
///   pooled (`s3/detail/transport.hpp`).
/// - Retries: connection failures, timeouts, 5xx (503 `SlowDown` among them), 429 and other
///   throttling replies are retried with exponential backoff and jitter within a budget
///   (`retry_budget`: attempts and total time per request). 401/403 (`SignatureDoesNotMatch`,
///   `InvalidAccessKeyId`, `AccessDenied` …) return `errc::access_denied` at once, never retried.
///   The waits are core's `backoff_delay` (doubling, capped, 50–100 % jitter). See
///   `classify_reply` for the whole mapping; the returned errors keep their classification,
///   so the runner retries what is retriable (`condition::retriable`) and stops on the rest.
/// - Diagnostics: `last_error()` describes the last failure (method, bucket, key, HTTP status,
///   S3's error code and message); `client_options::log` receives retries and failures. Neither
///   ever contains a secret, a signature or an `Authorization` header: of S3's error documents
///   only `<Code>` and `<Message>` are read.

#include "sluice/core/error.hpp"
#include "sluice/core/retry.hpp"
#include "sluice/core/splitmix64.hpp"
#include "sluice/s3/addressing.hpp"
#include "sluice/s3/credentials.hpp"
#include "sluice/s3/detail/reply.hpp"
#include "sluice/s3/detail/transport.hpp"
#include "sluice/s3/error.hpp"
#include "sluice/s3/location.hpp"
#include "sluice/s3/object_info.hpp"
#include "sluice/s3/sha256.hpp"
#include "sluice/s3/sigv4.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
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

/// How long and how often the client retries one request. The wait before each retry is
/// `backoff_delay` (core/retry.hpp) of these bounds with `multiplier` 2 and jitter: doubling from
/// `initial_backoff`, capped at `max_backoff`, a uniform 50–100 % of that.
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
    if (options.max_in_flight == 0) options.max_in_flight = 1;
    if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
    SLUICE_TRY(net, detail::transport::make({options.connect_timeout, options.request_timeout, options.ca_file,
                                             options.max_in_flight}));
    return client(std::move(options), std::move(creds), std::move(net));
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
        last_error_ = detail::describe(ops[k]);
      }
    }
    return out;
  }

  /// The bytes of `bucket/key`, or empty if there is no such object (404 `NoSuchKey`).
  result<std::optional<std::string>> get_object(std::string_view bucket, std::string_view key) {
    SLUICE_TRYV(check(bucket, key));
    detail::s3_op op = request("GET", bucket, key);
    run(std::span<detail::s3_op>(&op, 1));
    if (detail::is_absent(op)) return std::optional<std::string>{};
    SLUICE_TRYV(outcome(op));
    return std::optional<std::string>(std::move(op.reply));
  }

  /// Size, ETag and date of `bucket/key`, or empty if there is no such object.
  result<std::optional<object_info>> head_object(std::string_view bucket, std::string_view key) {
    SLUICE_TRYV(check(bucket, key));
    detail::s3_op op = request("HEAD", bucket, key);
    run(std::span<detail::s3_op>(&op, 1));
    if (detail::is_absent(op)) return std::optional<object_info>{};
    SLUICE_TRYV(outcome(op));
    return std::optional<object_info>(
        object_info{std::string(key), op.content_length, std::move(op.etag), std::move(op.last_modified)});
  }

  /// Deletes `bucket/key`; deleting an absent object succeeds (as S3 does).
  result<void> delete_object(std::string_view bucket, std::string_view key) {
    SLUICE_TRYV(check(bucket, key));
    detail::s3_op op = request("DELETE", bucket, key);
    run(std::span<detail::s3_op>(&op, 1));
    if (detail::is_absent(op)) return success();
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
      last_error_ = detail::describe(op) + ": the reply is not a ListBucketResult";
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
  /// canonical) appended: what the client sends and signs (`s3::target_of` with the client's
  /// endpoint and addressing). For tests and diagnostics.
  using target = request_target;
  [[nodiscard]] target target_of(std::string_view bucket, std::string_view key,
                                 std::string_view canonical_query = {}) const {
    return s3::target_of(endpoint_, options_.addressing, bucket, key, canonical_query);
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
  client(client_options options, credentials creds, detail::transport net)
      : options_(std::move(options)), creds_(std::move(creds)), net_(std::move(net)) {
    endpoint_ = options_.service_endpoint ? *options_.service_endpoint : aws_endpoint(options_.region);
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

  result<void> outcome(const detail::s3_op& op) {
    if (!op.error) return success();
    last_error_ = detail::describe(op);
    return op.error;
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

  // Prepares the next attempt of `op`: payload hash, signature, URL and headers.
  void start_attempt(detail::s3_op& op) {
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
    op.url = std::move(t.url);
    op.reset_reply();
    op.max_reply = options_.max_response_bytes;
    ++op.attempts;
    ++counters_.requests;
    if (op.attempts > 1) ++counters_.retries;
  }

  // The wait before retry number `attempt` (1 after the first failure): core's backoff, doubling
  // from `initial_backoff` up to `max_backoff`, a uniform 50–100 % of it.
  std::chrono::milliseconds backoff(int attempt) {
    const retry_options curve{options_.retry.max_attempts, options_.retry.initial_backoff,
                              options_.retry.max_backoff, 2.0, true};
    return backoff_delay(curve, attempt, rng_());
  }

  // Decides what the attempt that just ended means: done (success or final error), or retry.
  void end_attempt(detail::s3_op& op, CURLcode code) {
    counters_.bytes_sent += op.sent;
    counters_.bytes_received += op.received;
    counters_.connections += op.connects;
    detail::classify_attempt(op, code);
    const auto now = std::chrono::steady_clock::now();
    if (op.error && op.error == condition::retriable && op.attempts < options_.retry.max_attempts) {
      const auto wait = backoff(op.attempts);
      const bool in_time = options_.retry.max_elapsed.count() == 0 ||
                           now + wait - op.started <= options_.retry.max_elapsed;
      if (in_time) {
        log(detail::describe(op) + "; retrying in " + std::to_string(wait.count()) + " ms");
        op.due = now + wait;
        return;
      }
    }
    op.done = true;
    if (op.error && !detail::is_absent(op)) log(detail::describe(op));
  }

  // Runs every op to completion through the transport, with the retries of `end_attempt`.
  void run(std::span<detail::s3_op> ops) {
    net_.run(
        ops, [this](detail::s3_op& op) { start_attempt(op); },
        [this](detail::s3_op& op, CURLcode code) { end_attempt(op, code); });
  }

  client_options options_;
  credentials creds_;
  endpoint endpoint_;
  detail::transport net_;
  std::string last_error_;
  client_counters counters_;
  splitmix64 rng_;
  std::string key_date_;
  sha256_digest key_{};
};

}  // namespace sluice::inline v0::s3
