// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// AWS Signature Version 4 (header-based): the canonical request, the string to sign, the signing
/// key and the `Authorization` header, as the S3 API reference ("Signature Calculations for the
/// Authorization Header") specifies them.
///
/// This is the generic signer: it signs exactly the headers it is given. The S3 client
/// (`s3/client.hpp`) adds `host`, `x-amz-date`, `x-amz-content-sha256` (always) and
/// `x-amz-security-token` (with a session token) before it calls `sign`. Paths are encoded once
/// (S3's rule; other services encode twice and normalize, which this signer does not do).
///
/// Checked against the four S3 examples of the API reference and against cases of AWS's
/// aws-sig-v4-test-suite (test/s3/sigv4_test.cpp), and end to end by S3Proxy, which verifies
/// every signature (test/integration/s3).

#include "sluice/core/text.hpp"
#include "sluice/s3/detail/ascii.hpp"
#include "sluice/s3/sha256.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::s3::sigv4 {

/// The `x-amz-content-sha256` value that leaves the payload out of the signature.
inline constexpr std::string_view unsigned_payload = "UNSIGNED-PAYLOAD";

/// The SHA-256 of the empty payload (GET, HEAD, DELETE).
inline constexpr std::string_view empty_payload_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Percent-encodes `s` as SigV4 and S3 want (RFC 3986): the unreserved characters `A-Z a-z 0-9
/// - . _ ~` stay, every other byte becomes `%XX` with uppercase hex (so UTF-8 text is encoded
/// byte by byte); `/` stays when `keep_slash` (object key paths) and is encoded otherwise (query
/// names and values).
///
/// Complexity: linear.
[[nodiscard]] inline std::string uri_encode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      text::append_hex_byte(out, c, text::hex_upper);
    }
  }
  return out;
}

/// One HTTP header (any case; the signer lowercases the name).
struct header {
  std::string name;
  std::string value;
};

/// One query parameter, not encoded (`{"lifecycle", ""}` is `?lifecycle`).
struct query_param {
  std::string name;
  std::string value;
};

/// What is signed of a request.
struct request {
  std::string method;                ///< `GET`, `PUT`, …
  std::string path = "/";            ///< not encoded, starting with `/` (e.g. `/bucket/a b.txt`)
  std::vector<query_param> query;    ///< not encoded, any order
  std::vector<header> headers;       ///< every header to sign, `host` included
  std::string payload_hash;          ///< hex SHA-256 of the body, or `unsigned_payload`
};

/// The pieces of a signature; `authorization` is the header value to send.
///
/// `signature` and `authorization` are credentials for this request: never log them.
struct signature_parts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;   ///< `host;x-amz-date;…`
  std::string signature;        ///< 64 lowercase hex digits
  std::string authorization;    ///< `AWS4-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`
};

/// `YYYYMMDDTHHMMSSZ` (UTC), the form of `x-amz-date`.
[[nodiscard]] inline std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[20];
  const auto n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

/// The canonical query string: names and values `uri_encode`d (also `/`), pairs sorted by
/// encoded name, then encoded value, joined with `&`; a parameter without a value is `name=`.
///
/// Complexity: O(n log n) in the parameters.
[[nodiscard]] inline std::string canonical_query(const std::vector<query_param>& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(query.size());
  for (const auto& q : query) enc.emplace_back(uri_encode(q.name, false), uri_encode(q.value, false));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [n, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += n;
    out.push_back('=');
    out += v;
  }
  return out;
}

namespace detail {

// A header value as SigV4 canonicalizes it: trimmed, runs of spaces (and of the folded line
// breaks of multi-line values) collapsed to one space.
inline std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (const char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace detail

/// The signing key: HMAC chain of `"AWS4" + secret`, the date (`YYYYMMDD`), region, service and
/// `"aws4_request"`. It is valid for one day, region and service, and as secret as the key.
[[nodiscard]] inline sha256_digest signing_key(std::string_view secret, std::string_view date,
                                               std::string_view region, std::string_view service) {
  std::string k = "AWS4";
  k += secret;
  const auto k_date = hmac_sha256(k, date);
  // The buffer held the secret: clear it before it is freed.
  for (auto& c : k) static_cast<volatile char&>(c) = 0;
  const auto k_region = hmac_sha256(as_bytes(k_date), region);
  const auto k_service = hmac_sha256(as_bytes(k_region), service);
  return hmac_sha256(as_bytes(k_service), "aws4_request");
}

/// Signs `r` at `amz_date` (`YYYYMMDDTHHMMSSZ`, the value of the request's `x-amz-date`
/// header) for `region` and `service` with a signing key from `signing_key`.
///
/// Headers with the same name (any case) are joined with `,` in the order given; names are
/// lowercased and sorted, values canonicalized (trimmed, inner runs of white space collapsed).
/// Errors: none. Complexity: linear in the request's size, plus sorting.
[[nodiscard]] inline signature_parts sign_with_key(const request& r, std::string_view amz_date,
                                                   std::string_view region, std::string_view service,
                                                   std::string_view access_key_id,
                                                   const sha256_digest& key) {
  std::vector<std::pair<std::string, std::string>> hs;
  hs.reserve(r.headers.size());
  for (const auto& h : r.headers) {
    auto name = s3::detail::ascii_lower(h.name);
    auto value = detail::canonical_value(h.value);
    auto it = std::find_if(hs.begin(), hs.end(), [&](const auto& p) { return p.first == name; });
    if (it != hs.end()) {
      it->second.push_back(',');
      it->second += value;
    } else {
      hs.emplace_back(std::move(name), std::move(value));
    }
  }
  std::stable_sort(hs.begin(), hs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  signature_parts out;
  for (const auto& [n, v] : hs) {
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers += n;
  }
  std::string& cr = out.canonical_request;
  cr += r.method;
  cr.push_back('\n');
  cr += uri_encode(r.path, true);
  cr.push_back('\n');
  cr += canonical_query(r.query);
  cr.push_back('\n');
  for (const auto& [n, v] : hs) {
    cr += n;
    cr.push_back(':');
    cr += v;
    cr.push_back('\n');
  }
  cr.push_back('\n');
  cr += out.signed_headers;
  cr.push_back('\n');
  cr += r.payload_hash;

  const std::string_view date = amz_date.substr(0, 8);
  std::string scope(date);
  scope += '/';
  scope += region;
  scope += '/';
  scope += service;
  scope += "/aws4_request";
  std::string& sts = out.string_to_sign;
  sts = "AWS4-HMAC-SHA256\n";
  sts += amz_date;
  sts.push_back('\n');
  sts += scope;
  sts.push_back('\n');
  sts += sha256_hex(cr);

  out.signature = to_hex(hmac_sha256(as_bytes(key), sts));
  out.authorization = "AWS4-HMAC-SHA256 Credential=";
  out.authorization += access_key_id;
  out.authorization.push_back('/');
  out.authorization += scope;
  out.authorization += ",SignedHeaders=";
  out.authorization += out.signed_headers;
  out.authorization += ",Signature=";
  out.authorization += out.signature;
  return out;
}

/// `sign_with_key` with the key derived from `secret` (see `signing_key`).
[[nodiscard]] inline signature_parts sign(const request& r, std::string_view amz_date,
                                          std::string_view region, std::string_view service,
                                          std::string_view access_key_id, std::string_view secret) {
  return sign_with_key(r, amz_date, region, service, access_key_id,
                       signing_key(secret, amz_date.substr(0, 8), region, service));
}

}  // namespace sluice::inline v0::s3::sigv4
