// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Errors of the S3 module: libcurl's `CURLcode` in the category `"sluice.curl"` (transport
/// failures, classified retriable or fatal), and the mapping of S3's HTTP replies to
/// `sluice::errc`, which decides what the client retries and what the runner sees.

#include "sluice/core/error.hpp"

#include <curl/curl.h>

#include <string>
#include <string_view>
#include <system_error>

namespace sluice::inline v0::s3 {

namespace detail {

// Transport failures worth another attempt: the server or the network may be fine next time.
constexpr bool is_transient_curl_code(int code) noexcept {
  switch (static_cast<CURLcode>(code)) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_AGAIN:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

class curl_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.curl"; }
  std::string message(int ev) const override { return curl_easy_strerror(static_cast<CURLcode>(ev)); }
  bool equivalent(int ev, const std::error_condition& cond) const noexcept override {
    if (cond.category() != condition_category()) return false;
    switch (static_cast<condition>(cond.value())) {
      case condition::retriable: return is_transient_curl_code(ev);
      case condition::fatal: return !is_transient_curl_code(ev);
      default: return false;
    }
  }
};

}  // namespace detail

/// The category of libcurl's `CURLcode`; one instance per program.
inline const std::error_category& curl_category() noexcept {
  static const detail::curl_category_impl c;
  return c;
}

/// A `std::error_code` for a libcurl failure. Connection failures, timeouts, resets and empty
/// replies compare equal to `condition::retriable`; everything else (TLS verification, bad
/// URLs, out of memory) to `condition::fatal`.
[[nodiscard]] inline std::error_code make_error(CURLcode code) noexcept {
  return {static_cast<int>(code), curl_category()};
}

/// The error an S3 reply stands for: empty for 2xx, else a `sluice::errc`.
///
/// `status` is the HTTP status, `s3_code` the `<Code>` of the reply's error document (empty when
/// there is none, e.g. for HEAD):
/// - 401, 403 and the token errors (`ExpiredToken`, `InvalidToken`, `TokenRefreshRequired`,
///   `AuthorizationHeaderMalformed`) → `errc::access_denied` (fatal: wrong keys stay wrong);
/// - 408, 400 `RequestTimeout` → `errc::timeout`; 429, 5xx (503 `SlowDown` among them), 409
///   `OperationAborted` → `errc::unavailable` (both retriable);
/// - 404 `NoSuchBucket` → `errc::invalid_argument` (the configuration names a missing bucket);
///   other 404s → `std::errc::no_such_file_or_directory` (GET and HEAD turn it into "absent");
/// - other 400s → `errc::invalid_argument`; anything else (redirects to another region, 405,
///   409, 412, …) → `errc::protocol_error`.
[[nodiscard]] inline std::error_code classify_reply(long status, std::string_view s3_code) noexcept {
  if (status >= 200 && status < 300) return {};
  if (status == 401 || status == 403 || s3_code == "ExpiredToken" || s3_code == "InvalidToken" ||
      s3_code == "TokenRefreshRequired" || s3_code == "AuthorizationHeaderMalformed")
    return errc::access_denied;
  if (status == 408 || s3_code == "RequestTimeout") return errc::timeout;
  if (status == 429 || status >= 500 || s3_code == "OperationAborted" || s3_code == "SlowDown")
    return errc::unavailable;
  if (status == 404)
    return s3_code == "NoSuchBucket" ? std::error_code(errc::invalid_argument)
                                     : std::make_error_code(std::errc::no_such_file_or_directory);
  if (status == 400) return errc::invalid_argument;
  return errc::protocol_error;
}

}  // namespace sluice::inline v0::s3
