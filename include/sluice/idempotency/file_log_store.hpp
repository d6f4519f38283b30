// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `idempotency::file_log_store`: the `log_store` model on the local file system, one file per
/// key under a root directory.

#include "sluice/core/error.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/idempotency/log_store.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice::inline v0::idempotency {

/// A `log_store` keeping each blob in the file `<root>/<key>`.
///
/// `put` uses `fs::write_file_atomic` (temp file, `fsync`, `rename`, `fsync` of the directory);
/// temp files left by killed writes are skipped by `list` and never returned by `get`.
/// Errors (all members): `errc::invalid_argument` for an unsafe key or prefix
/// (`fs::check_relative_key`); OS errors (`std::system_category()`).
/// Blocking: yes. Thread-safety: none per object; several processes may share a root.
class file_log_store {
 public:
  using stage_concept = log_store_tag;

  /// A store under `root`, created on the first `put`.
  explicit file_log_store(std::filesystem::path root) : root_(std::move(root)) {}

  /// Atomically and durably stores `bytes` under `key`.
  result<void> put(std::string_view key, std::string_view bytes) {
    SLUICE_TRYV(fs::check_relative_key(key));
    return fs::write_file_atomic(root_ / key, bytes);
  }

  /// The blob under `key`, or empty if there is none.
  result<std::optional<std::string>> get(std::string_view key) {
    SLUICE_TRYV(fs::check_relative_key(key));
    return fs::read_file(root_ / key);
  }

  /// The keys starting with `prefix`, sorted.
  ///
  /// Complexity: linear in the entries under the deepest directory `prefix` names.
  result<std::vector<std::string>> list(std::string_view prefix) {
    const std::size_t slash = prefix.rfind('/');
    const std::string_view dir = slash == std::string_view::npos ? std::string_view() : prefix.substr(0, slash);
    if (!dir.empty()) {
      SLUICE_TRYV(fs::check_relative_key(dir));
    }
    const auto start = dir.empty() ? root_ : root_ / dir;
    std::vector<std::string> keys;
    std::error_code ec;
    if (!std::filesystem::is_directory(start, ec)) {
      if (ec && ec != std::errc::no_such_file_or_directory) return ec;
      return keys;
    }
    std::filesystem::recursive_directory_iterator it(start, ec), end;
    if (ec) return ec;
    for (; it != end; it.increment(ec)) {
      if (ec) return ec;
      if (fs::is_temp_file_name(it->path().filename().native()) || !it->is_regular_file(ec)) continue;
      std::string key = it->path().lexically_relative(root_).generic_string();
      if (key.compare(0, prefix.size(), prefix) == 0) keys.push_back(std::move(key));
    }
    if (ec) return ec;
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  /// The root directory.
  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

 private:
  std::filesystem::path root_;
};

static_assert(log_store<file_log_store>);

}  // namespace sluice::inline v0::idempotency
