// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Where an S3 request goes: the URL, `Host` header and path of a request for `bucket/key` on an
/// endpoint, in virtual-host style (`BUCKET.host/key`) or path style (`host/BUCKET/key`).
/// Virtual-host falls back to path style for bucket names with `.` and for IP-address hosts,
/// where it cannot work (no certificate covers a dotted bucket name, no DNS resolves a bucket
/// below an address).

#include "sluice/s3/location.hpp"
#include "sluice/s3/sigv4.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace sluice::inline v0::s3 {

/// The URL, `Host` and path a request for `bucket/key` goes to: what the client sends and signs.
struct request_target {
  std::string url;    ///< scheme, authority, encoded path, and the query as given
  std::string host;   ///< the `Host` header
  std::string path;   ///< not encoded: what SigV4 signs (encoded once)
};

namespace detail {

// True for an IPv4 address or a bracketed IPv6 address.
inline bool is_ip_host(std::string_view host) noexcept {
  if (!host.empty() && host.front() == '[') return true;
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace detail

/// The target of a request for `bucket/key` (`key` may be empty: a bucket request) on `ep` with
/// `style`, with `canonical_query` (already canonical, `sigv4::canonical_query`) appended after
/// `?` when not empty. See the file comment for the fallback to path style.
///
/// Errors: none. Thread-safety: pure. Complexity: linear in the sizes.
[[nodiscard]] inline request_target target_of(const endpoint& ep, addressing_style style, std::string_view bucket,
                                              std::string_view key, std::string_view canonical_query = {}) {
  request_target t;
  const bool virtual_host = style == addressing_style::virtual_host && !bucket.empty() &&
                            bucket.find('.') == std::string_view::npos && !detail::is_ip_host(ep.host);
  if (virtual_host) {
    endpoint bucket_ep = ep;
    bucket_ep.host = std::string(bucket) + "." + ep.host;
    t.host = bucket_ep.authority();
    t.path = "/" + std::string(key);
  } else {
    t.host = ep.authority();
    t.path = "/" + std::string(bucket);
    if (!key.empty()) t.path += "/" + std::string(key);
  }
  t.url = ep.scheme + "://" + t.host + sigv4::uri_encode(t.path, true);
  if (!canonical_query.empty()) {
    t.url.push_back('?');
    t.url += canonical_query;
  }
  return t;
}

}  // namespace sluice::inline v0::s3
