// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Where things are on S3: `s3://BUCKET/PREFIX` locations (bucket-name rules, an empty prefix
/// allowed), and service endpoints (`http(s)://host[:port]`) with path-style or virtual-host
/// addressing.

#include "sluice/core/error.hpp"
#include "sluice/store/key.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::inline v0::s3 {

/// Checks `name` against the bucket naming rules of general purpose buckets: 3–63 characters of
/// `a-z 0-9 . -`, starting and ending with a letter or digit, no `..`, not shaped like an IPv4
/// address, none of the reserved prefixes (`xn--`, `sthree-`, `amzn-s3-demo-`) or suffixes
/// (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`).
///
/// Errors: `errc::invalid_argument`; `why` (if given) gets the rule that failed.
/// Complexity: linear.
[[nodiscard]] inline result<void> check_bucket_name(std::string_view name, std::string* why = nullptr) {
  auto fail = [&](const char* rule) -> result<void> {
    if (why) *why = "invalid bucket name '" + std::string(name) + "': " + rule;
    return errc::invalid_argument;
  };
  if (name.size() < 3 || name.size() > 63) return fail("it must have 3 to 63 characters");
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
      return fail("only lowercase letters, digits, '.' and '-' are allowed");
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return fail("it must start and end with a letter or digit");
  if (name.find("..") != std::string_view::npos) return fail("it must not contain '..'");
  {
    int parts = 0;
    bool ip = true;
    std::string_view rest = name;
    while (ip) {
      const auto dot = rest.find('.');
      const auto part = rest.substr(0, dot);
      unsigned v = 0;
      const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
      ip = !part.empty() && ec == std::errc() && p == part.data() + part.size() && v <= 255;
      ++parts;
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    if (ip && parts == 4) return fail("it must not be formatted as an IP address");
  }
  for (const std::string_view pre : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (name.substr(0, pre.size()) == pre) return fail("it starts with a reserved prefix");
  for (const std::string_view suf : {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"})
    if (name.size() >= suf.size() && name.substr(name.size() - suf.size()) == suf)
      return fail("it ends with a reserved suffix");
  return success();
}

/// A bucket and a key prefix: `s3://BUCKET/PREFIX`.
///
/// The prefix has no leading or trailing `/`; empty means the bucket's root. Objects of a stage
/// at this location are `PREFIX/<relative key>`.
struct location {
  std::string bucket;
  std::string prefix;

  /// The object key of `relative` under this location (`prefix/relative`, or `relative` at the
  /// root).
  [[nodiscard]] std::string key_of(std::string_view relative) const {
    if (prefix.empty()) return std::string(relative);
    std::string k = prefix;
    k.push_back('/');
    k += relative;
    return k;
  }

  /// `s3://bucket/prefix` (or `s3://bucket` at the root).
  [[nodiscard]] std::string to_string() const {
    return "s3://" + bucket + (prefix.empty() ? std::string() : "/" + prefix);
  }

  friend bool operator==(const location&, const location&) = default;
};

/// Parses `s3://BUCKET[/PREFIX][/]`. The prefix is taken literally (no percent-decoding); one
/// trailing `/` is dropped; it must be a safe relative key (`store::check_relative_key`: no empty,
/// `.` or `..` segment, no NUL).
///
/// Errors: `errc::invalid_argument`; `why` (if given) gets a sentence saying what is wrong.
/// Complexity: linear.
[[nodiscard]] inline result<location> parse_location(std::string_view url, std::string* why = nullptr) {
  auto fail = [&](std::string msg) -> result<location> {
    if (why) *why = std::move(msg);
    return errc::invalid_argument;
  };
  constexpr std::string_view scheme = "s3://";
  if (url.substr(0, scheme.size()) != scheme)
    return fail("'" + std::string(url) + "' is not an S3 location: expected s3://BUCKET/PREFIX");
  std::string_view rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  location loc;
  loc.bucket = std::string(rest.substr(0, slash));
  if (loc.bucket.empty()) return fail("'" + std::string(url) + "' names no bucket: expected s3://BUCKET/PREFIX");
  SLUICE_TRYV(check_bucket_name(loc.bucket, why));
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    if (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (!prefix.empty() && !store::check_relative_key(prefix))
      return fail("invalid prefix '" + std::string(rest.substr(slash + 1)) +
                  "' in '" + std::string(url) + "': it must not start with '/' or contain empty, '.' or '..' segments");
    loc.prefix = std::string(prefix);
  }
  return loc;
}

/// How the bucket goes into request URLs.
enum class addressing_style {
  virtual_host,  ///< `https://BUCKET.host/key` (AWS's default; buckets with `.` fall back to path)
  path,          ///< `https://host/BUCKET/key` (S3-compatible servers, `--s3-path-style`)
};

/// An S3 service endpoint: scheme, host and port.
struct endpoint {
  std::string scheme = "https";   ///< `http` or `https`
  std::string host;               ///< name or address (IPv6 in brackets)
  std::uint16_t port = 443;

  /// The `Host` header value: `host`, plus `:port` unless it is the scheme's default.
  [[nodiscard]] std::string authority() const {
    const bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
    return default_port ? host : host + ":" + std::to_string(port);
  }

  friend bool operator==(const endpoint&, const endpoint&) = default;
};

/// The AWS endpoint of `region`: `https://s3.<region>.amazonaws.com`.
[[nodiscard]] inline endpoint aws_endpoint(std::string_view region) {
  return endpoint{"https", "s3." + std::string(region) + ".amazonaws.com", 443};
}

/// Parses an endpoint URL `http(s)://host[:port][/]` (the `--s3-endpoint` option).
///
/// Errors: `errc::invalid_argument` for another scheme, an empty host, a bad port, or a path,
/// query or user info (which an endpoint cannot have); `why` says which.
[[nodiscard]] inline result<endpoint> parse_endpoint(std::string_view url, std::string* why = nullptr) {
  auto fail = [&](const char* what) -> result<endpoint> {
    if (why) *why = "invalid S3 endpoint '" + std::string(url) + "': " + what;
    return errc::invalid_argument;
  };
  endpoint ep;
  std::string_view rest;
  if (url.substr(0, 7) == "http://") {
    ep.scheme = "http";
    ep.port = 80;
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else {
    return fail("expected http://HOST[:PORT] or https://HOST[:PORT]");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@ ") != std::string_view::npos)
    return fail("it must be scheme, host and port only (no path, query or user info)");
  std::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address");
    host = rest.substr(0, close + 1);
    const auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("garbage after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return fail("empty port");
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty()) return fail("empty port");
  }
  if (host.empty() || host == "[]") return fail("no host");
  if (!port.empty()) {
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535)
      return fail("the port must be a number from 1 to 65535");
    ep.port = static_cast<std::uint16_t>(v);
  }
  ep.host = std::string(host);
  return ep;
}

}  // namespace sluice::inline v0::s3
