// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The options both reference binaries take for where they keep and write things: the
/// `location` of the sink, checkpoint and dead letters (a local path or an S3 prefix), the
/// dead letters' default beside the checkpoint, the S3 settings (endpoint, region, addressing,
/// CA file, retries and timeout), the sink as `--sink` or `--s3-bucket`/`--s3-prefix`, and the
/// progress target. Needs `sluice/s3/location.hpp` only (no libcurl).

#include "option_reader.hpp"
#include "option_table.hpp"
#include "sluice/s3/location.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace sluice_examples {

/// A place to keep or write files: a local path, or an S3 bucket and prefix.
class location {
 public:
  /// The current folder.
  location() = default;
  // Implicit both: a path or an S3 prefix *is* a location, and defaults read as plain paths.
  /// The local path `local`.
  location(std::filesystem::path local) : where_(std::move(local)) {}
  /// The S3 prefix `s3`.
  location(sluice::s3::location s3) : where_(std::move(s3)) {}

  /// The local path, or null for S3.
  [[nodiscard]] const std::filesystem::path* local() const noexcept { return std::get_if<0>(&where_); }
  /// The S3 prefix, or null for a local path.
  [[nodiscard]] const sluice::s3::location* s3() const noexcept { return std::get_if<1>(&where_); }

  /// The path, or `s3://bucket/prefix`: for log lines and messages.
  [[nodiscard]] std::string string() const { return s3() != nullptr ? s3()->to_string() : local()->string(); }

  friend bool operator==(const location&, const location&) = default;
  /// True if `l` is the local path `p`.
  friend bool operator==(const location& l, const std::filesystem::path& p) {
    return l.local() != nullptr && *l.local() == p;
  }
  friend std::ostream& operator<<(std::ostream& os, const location& l) { return os << l.string(); }

 private:
  std::variant<std::filesystem::path, sluice::s3::location> where_;
};

/// What a location option takes.
struct location_rules {
  /// The forms it takes, for the message about another scheme (`file:PATH`,
  /// `s3://BUCKET/PREFIX or file:PATH`).
  std::string_view expected;
  /// Whether `s3://BUCKET/PREFIX` is one of them.
  bool s3 = false;
  /// What the message about a bad `s3://` location names; empty: the flag or variable. (The
  /// event ETL names its checkpoint `CHECKPOINT_LOCATION` there, as it always has.)
  std::string_view s3_label = {};
};

namespace detail {

// The scheme of a location (`file`, `s3`, `kafka`, …): two or more of A-Z a-z 0-9 + - . before
// the first ':'; empty for a bare local path.
inline std::string_view scheme_of(std::string_view v) {
  const auto colon = v.find(':');
  if (colon == std::string_view::npos || colon < 2) return {};
  const std::string_view scheme = v.substr(0, colon);
  for (const char c : scheme) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '-' || c == '.';
    if (!ok) return {};
  }
  return scheme;
}

}  // namespace detail

/// The scheme of `v` (`kafka`, `s3`, `file`, …), or empty for a plain path.
inline std::string_view scheme_of(std::string_view v) { return detail::scheme_of(v); }

/// Parses a location: `file:PATH`, `file://PATH` (so `file:///abs` is `/abs`) or a plain path,
/// and `s3://BUCKET/PREFIX` if `rules.s3`.
///
/// Errors: an empty value or path, a bad S3 location (`WHERE: <why>`, see
/// `s3::parse_location`), another scheme (`WHERE: the scheme 'X:' is not supported here;
/// expected …`).
inline std::variant<location, usage_error> parse_location(std::string_view where, std::string_view v,
                                                          const location_rules& rules) {
  if (v.empty()) return usage_error{std::string(where) + ": empty location"};
  const std::string_view scheme = scheme_of(v);
  if (scheme.empty()) return location(std::filesystem::path(v));
  if (scheme == "s3" && rules.s3) {
    std::string why;
    auto parsed = sluice::s3::parse_location(v, &why);
    if (!parsed) return usage_error{std::string(rules.s3_label.empty() ? where : rules.s3_label) + ": " + why};
    return location(std::move(parsed).value());
  }
  if (scheme != "file") {
    return usage_error{std::string(where) + ": the scheme '" + std::string(scheme) +
                       ":' is not supported here; expected " + std::string(rules.expected)};
  }
  std::string_view path = v.substr(scheme.size() + 1);
  if (path.substr(0, 2) == "//") path.remove_prefix(2);  // file:///abs → /abs
  if (path.empty()) return usage_error{std::string(where) + ": empty path after 'file:'"};
  return location(std::filesystem::path(path));
}

/// Sets `out` from the location option `name`, if given. Errors: those of `parse_location`.
inline std::optional<usage_error> read_location(const option_reader& r, std::string_view name,
                                                const location_rules& rules, location& out) {
  const auto v = r.get(name);
  if (!v) return std::nullopt;
  auto parsed = parse_location(v->where, v->value, rules);
  if (auto* e = std::get_if<usage_error>(&parsed)) return std::move(*e);
  out = std::get<location>(std::move(parsed));
  return std::nullopt;
}

/// The default of the dead letters: `dead-letters` beside the checkpoint, on S3 when it is
/// (`ck` → `./dead-letters`, `/srv/x/ck/` → `/srv/x/dead-letters`, `s3://b/x/ck` →
/// `s3://b/x/dead-letters`, `s3://b` → `s3://b/dead-letters`).
inline location dead_letters_beside(const location& checkpoint) {
  if (const auto* s3 = checkpoint.s3()) {
    sluice::s3::location dl = *s3;
    const auto slash = dl.prefix.rfind('/');
    dl.prefix = slash == std::string::npos ? "dead-letters" : dl.prefix.substr(0, slash) + "/dead-letters";
    return dl;
  }
  auto parent = checkpoint.local()->lexically_normal();
  if (!parent.has_filename()) parent = parent.parent_path();  // "dir/" → "dir"
  parent = parent.parent_path();
  return (parent.empty() ? std::filesystem::path(".") : parent) / "dead-letters";
}

/// How to reach S3: shared by every s3:// location of an invocation.
struct s3_settings {
  std::optional<sluice::s3::endpoint> endpoint;   ///< --s3-endpoint; else AWS's for the region
  std::string region = "us-east-1";               ///< --s3-region, else AWS_REGION, AWS_DEFAULT_REGION
  bool path_style = false;                        ///< --s3-path-style
  int max_attempts = 5;                           ///< --s3-max-attempts: per request, first included
  std::chrono::milliseconds request_timeout{60'000};   ///< --s3-request-timeout: one attempt
  std::string ca_file;   ///< --s3-ca-file: CA bundle (PEM) for an https endpoint; empty: the system's
};

/// `--s3-max-attempts`, the same row in both binaries.
inline constexpr option_info s3_max_attempts_option = {
    "s3-max-attempts", "SLUICE_S3_MAX_ATTEMPTS", "N",
    "attempts per S3 request, the first included, for 5xx, 503 SlowDown, throttling, timeouts "
    "and connection errors (default 5; 1 to 100)"};
/// `--s3-request-timeout`, the same row in both binaries.
inline constexpr option_info s3_request_timeout_option = {
    "s3-request-timeout", "SLUICE_S3_REQUEST_TIMEOUT", "DURATION",
    "time limit of one S3 request attempt; a stalled request is retried (default 60s)"};

/// Reads the options `s3-endpoint`, `s3-region` (else the variables `AWS_REGION`,
/// `AWS_DEFAULT_REGION` when not empty), `s3-ca-file`, `s3-path-style`, `s3-max-attempts`
/// (1 to 100) and `s3-request-timeout` (at least 1 ms) into `out`.
///
/// Errors: the first bad value: an endpoint that `s3::parse_endpoint` refuses, a region that is
/// not 1 to 64 of a-z 0-9 -, a CA file that is not a file, … Blocking: stats the CA file.
inline std::optional<usage_error> read_s3_settings(const option_reader& r, s3_settings& out) {
  if (auto v = r.get("s3-endpoint")) {
    std::string why;
    auto ep = sluice::s3::parse_endpoint(v->value, &why);
    if (!ep) return usage_error{v->where + ": " + why};
    out.endpoint = std::move(ep).value();
  }
  if (auto v = r.get("s3-region")) {
    out.region = v->value;
  } else if (auto a = r.env("AWS_REGION"); a && !a->empty()) {
    out.region = *a;
  } else if (auto d = r.env("AWS_DEFAULT_REGION"); d && !d->empty()) {
    out.region = *d;
  }
  if (out.region.empty() || out.region.size() > 64 ||
      out.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return usage_error{"S3 region: expected a region name such as eu-west-1, got '" + out.region + "'"};
  }
  if (auto v = r.get("s3-ca-file")) {
    std::error_code ec;
    if (v->value.empty() || !std::filesystem::is_regular_file(v->value, ec)) {
      return usage_error{v->where + ": not a readable file: '" + v->value + "'"};
    }
    out.ca_file = v->value;
  }
  if (auto e = read_switch(r, "s3-path-style", out.path_style)) return e;
  if (auto e = read_whole_number(r, "s3-max-attempts", 1, 100, out.max_attempts)) return e;
  return read_duration(r, "s3-request-timeout", "a duration such as 500ms, 10s or 1m", out.request_timeout,
                       std::chrono::milliseconds(1));
}

/// `s3://BUCKET/PREFIX` of the options `--s3-bucket` and `--s3-prefix` (the prefix without
/// leading or trailing '/'; none: the bucket's root).
///
/// Errors: a bad bucket name (`WHERE: invalid bucket name …`) or prefix.
inline std::variant<location, usage_error> s3_bucket_location(const option_value& bucket,
                                                              const std::optional<option_value>& prefix) {
  std::string why;
  if (!sluice::s3::check_bucket_name(bucket.value, &why)) return usage_error{bucket.where + ": " + why};
  std::string p = prefix ? prefix->value : std::string();
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  while (!p.empty() && p.back() == '/') p.pop_back();
  auto parsed = sluice::s3::parse_location("s3://" + bucket.value + (p.empty() ? "" : "/" + p), &why);
  if (!parsed) return usage_error{(prefix ? prefix->where : bucket.where) + ": " + why};
  return location(std::move(parsed).value());
}

/// Sets `out` from the sink options: `--sink` (a location of `rules`; with `console`, also
/// `console` or `stdout`, which empty `out`) or `--s3-bucket` with `--s3-prefix`; when both are
/// given, the flag wins (`notes` says so). Left as it is when neither is given.
///
/// Errors: both given as flags or both as variables; a bad location, bucket or prefix.
inline std::optional<usage_error> read_sink(const option_reader& r, const location_rules& rules, bool console,
                                            std::optional<location>& out, std::vector<std::string>& notes) {
  const auto sink = r.get("sink");
  const auto bucket = r.get("s3-bucket");
  auto which = pick_one(sink, bucket,
                        console ? "choose the console, a folder or S3 as the sink" : "choose a folder or S3 as the sink",
                        "the sink", notes);
  if (auto* e = std::get_if<usage_error>(&which)) return std::move(*e);
  std::variant<location, usage_error> parsed;
  switch (std::get<picked>(which)) {
    case picked::neither: return std::nullopt;
    case picked::first:
      if (console && (sink->value == "console" || sink->value == "stdout")) {
        out.reset();
        return std::nullopt;
      }
      parsed = parse_location(sink->where, sink->value, rules);
      break;
    case picked::second: parsed = s3_bucket_location(*bucket, r.get("s3-prefix")); break;
  }
  if (auto* e = std::get_if<usage_error>(&parsed)) return std::move(*e);
  out = std::get<location>(std::move(parsed));
  return std::nullopt;
}

/// Where progress records go.
struct progress_target {
  bool to_stderr = true;         ///< JSON lines on stderr (mixed with the human log lines)
  std::filesystem::path file;    ///< else appended to this file
};

/// Sets `out` from `--progress`: `stderr`, or a local file (`expected` names the forms taken).
/// Errors: those of `parse_location`.
inline std::optional<usage_error> read_progress(const option_reader& r, std::string_view expected,
                                                progress_target& out) {
  const auto v = r.get("progress");
  if (!v) return std::nullopt;
  if (v->value == "stderr") {
    out = {};
    return std::nullopt;
  }
  auto parsed = parse_location(v->where, v->value, {expected});
  if (auto* e = std::get_if<usage_error>(&parsed)) return std::move(*e);
  out.to_stderr = false;
  out.file = *std::get<location>(parsed).local();
  return std::nullopt;
}

}  // namespace sluice_examples
