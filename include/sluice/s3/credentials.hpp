// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// AWS credentials and where they come from: the environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then the shared credentials file
/// (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`) under the profile `AWS_PROFILE`
/// (else `default`).
///
/// Secrets live in `secret_string`, which cannot be printed: it has no `operator<<`, no fmt
/// formatter and no conversion to a string type; `describe()` says only whether it is set.
/// Errors and diagnostics of this header never contain a secret.

#include "sluice/core/error.hpp"
#include "sluice/s3/detail/ascii.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace sluice::inline v0::s3 {

/// A secret (secret access key, session token) that is never printed.
///
/// `expose()` gives the text to whoever must use it (the signer); nothing else reads it. The
/// buffer is overwritten with zeros when the object dies or is assigned over.
/// Thread-safety: const members are safe to call concurrently.
class secret_string {
 public:
  secret_string() = default;
  explicit secret_string(std::string value) : value_(std::move(value)) {}
  secret_string(const secret_string&) = default;
  secret_string(secret_string&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  secret_string& operator=(const secret_string& other) {
    if (this != &other) {
      wipe();
      value_ = other.value_;
    }
    return *this;
  }
  secret_string& operator=(secret_string&& other) noexcept {
    if (this != &other) {
      wipe();
      value_ = std::move(other.value_);
      other.wipe();
    }
    return *this;
  }
  ~secret_string() { wipe(); }

  /// The secret itself, for the code that must use it (signing). Never log it.
  [[nodiscard]] std::string_view expose() const noexcept { return value_; }

  /// True if no secret is held.
  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

  /// `"(set, redacted)"` or `"(not set)"`: all that may be shown of a secret.
  [[nodiscard]] std::string describe() const { return empty() ? "(not set)" : "(set, redacted)"; }

  /// Secrets are not streamable: printing one is a compile error.
  friend std::ostream& operator<<(std::ostream&, const secret_string&) = delete;

 private:
  void wipe() noexcept {
    for (auto& c : value_) static_cast<volatile char&>(c) = 0;
    value_.clear();
  }

  std::string value_;
};

/// A set of AWS credentials and where they were found.
struct credentials {
  std::string access_key_id;         ///< not secret, but shown only masked by `describe()`
  secret_string secret_access_key;   ///< never printed
  secret_string session_token;       ///< empty for long-term keys; never printed
  std::string source;                ///< e.g. `"environment"`, `"/home/u/.aws/credentials [prod]"`

  /// A line fit for logs: masked key id, source, whether a session token is present. Never
  /// contains the secret or the token.
  [[nodiscard]] std::string describe() const {
    std::string key = access_key_id.size() > 8
                          ? std::string(access_key_id.size() - 4, '*') + access_key_id.substr(access_key_id.size() - 4)
                          : std::string(access_key_id.size(), '*');
    return "access key " + key + " from " + (source.empty() ? std::string("(unknown)") : source) +
           ", secret key " + secret_access_key.describe() + ", session token " + session_token.describe();
  }
};

/// Reads an environment variable: empty optional when unset. `process_environment` reads the
/// real one; tests pass their own.
using environment_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment (`std::getenv`).
///
/// Thread-safety: as `std::getenv` (safe while nobody calls `setenv`).
[[nodiscard]] inline std::optional<std::string> process_environment(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

/// The credentials of `profile` in the text of a shared credentials file (INI: `[profile]`
/// sections, `key = value` lines, `#` and `;` comment lines; key names in any case).
///
/// Errors: `errc::access_denied` when the profile is missing or lacks `aws_access_key_id` or
/// `aws_secret_access_key`; `why` (if given) then says which, naming the profile and `origin`
/// but never a value.
/// Complexity: linear in the text.
[[nodiscard]] inline result<credentials> parse_shared_credentials(std::string_view text,
                                                                 std::string_view profile,
                                                                 std::string_view origin,
                                                                 std::string* why = nullptr) {
  credentials c;
  bool in_profile = false, found = false;
  std::string secret, token;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = detail::trim_blanks(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const auto close = line.find(']');
      in_profile = close != std::string_view::npos && detail::trim_blanks(line.substr(1, close - 1)) == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const auto key = detail::ascii_lower(detail::trim_blanks(line.substr(0, eq)));
    const auto value = detail::trim_blanks(line.substr(eq + 1));
    if (key == "aws_access_key_id") c.access_key_id = std::string(value);
    if (key == "aws_secret_access_key") secret = std::string(value);
    if (key == "aws_session_token") token = std::string(value);
  }
  c.secret_access_key = secret_string(std::move(secret));
  c.session_token = secret_string(std::move(token));
  c.source = std::string(origin) + " [" + std::string(profile) + "]";
  auto fail = [&](std::string msg) -> result<credentials> {
    if (why) *why = std::move(msg);
    return errc::access_denied;
  };
  if (!found) return fail("profile [" + std::string(profile) + "] not found in " + std::string(origin));
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return fail("profile [" + std::string(profile) + "] in " + std::string(origin) +
                " lacks aws_access_key_id or aws_secret_access_key");
  return c;
}

namespace detail {

// The whole file at `path`, or empty if it does not exist; the OS error otherwise (EISDIR for a
// directory). Read unbuffered, so no stdio buffer keeps a copy of the secrets in it.
inline result<std::optional<std::string>> read_credentials_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rbe");
  if (f == nullptr) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return std::error_code(errno, std::system_category());
  }
  std::setvbuf(f, nullptr, _IONBF, 0);
  constexpr std::size_t step = 16 * 1024;
  std::string out;
  std::size_t have = 0;
  for (;;) {
    out.resize(have + step);
    const std::size_t n = std::fread(out.data() + have, 1, step, f);
    have += n;
    if (n < step) break;
  }
  out.resize(have);
  const int err = std::ferror(f) != 0 ? errno : 0;
  std::fclose(f);
  if (err != 0) {
    for (auto& c : out) static_cast<volatile char&>(c) = 0;
    return std::error_code(err, std::system_category());
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace detail

/// Finds credentials the way the AWS CLI does (environment first, then the shared credentials
/// file; see the file comment).
///
/// Errors: `errc::access_denied` when none are found or they are incomplete (only one of
/// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` set; a profile without its keys); the OS error
/// when the credentials file exists but cannot be read. `why` (if given) gets a sentence naming
/// the variables, file and profile looked at, never a secret.
/// Blocking: reads one small file.
[[nodiscard]] inline result<credentials> load_credentials(const environment_lookup& env = process_environment,
                                                          std::string* why = nullptr) {
  auto get = [&](const char* name) -> std::string {
    auto v = env(name);
    return v ? std::move(*v) : std::string();
  };
  auto fail = [&](std::string msg) -> result<credentials> {
    if (why) *why = std::move(msg);
    return errc::access_denied;
  };
  std::string id = get("AWS_ACCESS_KEY_ID");
  std::string secret = get("AWS_SECRET_ACCESS_KEY");
  if (!id.empty() || !secret.empty()) {
    if (id.empty() || secret.empty())
      return fail(id.empty() ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                             : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    credentials c;
    c.access_key_id = std::move(id);
    c.secret_access_key = secret_string(std::move(secret));
    c.session_token = secret_string(get("AWS_SESSION_TOKEN"));
    c.source = "environment";
    return c;
  }
  std::string file = get("AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) {
    const std::string home = get("HOME");
    if (home.empty())
      return fail("no credentials: AWS_ACCESS_KEY_ID is not set, and neither "
                  "AWS_SHARED_CREDENTIALS_FILE nor HOME names a credentials file");
    file = home + "/.aws/credentials";
  }
  std::string profile = get("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  auto text = detail::read_credentials_file(file);
  if (!text) {
    if (text.error() == std::errc::not_a_directory)
      return fail("no credentials: AWS_ACCESS_KEY_ID is not set and " + file + " does not exist");
    if (why) *why = "cannot read " + file;
    return text.error();
  }
  if (!text.value())
    return fail("no credentials: AWS_ACCESS_KEY_ID is not set and " + file + " does not exist");
  auto found = parse_shared_credentials(*text.value(), profile, file, why);
  for (auto& c : *text.value()) static_cast<volatile char&>(c) = 0;  // the file held the secret
  return found;
}

}  // namespace sluice::inline v0::s3
