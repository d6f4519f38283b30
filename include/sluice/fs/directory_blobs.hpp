// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `fs::directory_blobs`: the folder backend of the storage layer, the `store::blob_store` model
/// of the local file system. Under it run `fs::checkpoint_store`, `fs::dead_letters` and the
/// completed-batches log on a folder (`idempotency::completed_batches_log<fs::directory_blobs>`).

#include "sluice/core/error.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/store/blob_store.hpp"
#include "sluice/store/key.hpp"
#include "sluice/store/temp_name.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice::inline v0::fs {

/// A directory as blob storage: the blob `key` (a safe relative key, `/`-separated, e.g.
/// `plan.json` or `yyyymm=202601/app/s/batch-3.json`) is the file `<root>/<key>`, replaced with
/// `write_file_atomic` (temp file, `fsync`, `rename`, `fsync` of the directory; directories are
/// created on the first put into them) and read with `read_file`.
///
/// Self-cleaning: the first time this process puts into a directory, the stale temp files there
/// are removed (`remove_stale_temp_files_once`: those of killed writers whose process is gone;
/// the temp files of live writers sharing the directory and all other files stay). Temp files
/// are never keys: `list` skips them and `get` never returns one.
/// Errors (all members): `errc::invalid_argument` for an unsafe key or prefix
/// (`store::check_relative_key`); OS errors (`std::system_category()`).
/// Blocking: yes. Thread-safety: none per object; several processes may share a root.
class directory_blobs {
 public:
  using stage_concept = store::blob_store_tag;

  /// Blobs under `root`; nothing is touched until the first call, and `root` is created on the
  /// first put.
  explicit directory_blobs(std::filesystem::path root) : root_(std::move(root)) {}

  /// Atomically and durably stores `bytes` as `<root>/<key>`, replacing any earlier blob.
  result<void> put(std::string_view key, std::string_view bytes) {
    SLUICE_TRYV(store::check_relative_key(key));
    auto path = root_ / key;
    SLUICE_TRYV(remove_stale_temp_files_once(path.parent_path()));
    return write_file_atomic(path, bytes);
  }

  /// As `put`, with the content written piece by piece by `fill` straight into the temp file
  /// (`store::piecewise_blob_store`): a large blob is never whole in memory.
  result<void> put_pieces(std::string_view key, const store::piece_fill& fill) {
    SLUICE_TRYV(store::check_relative_key(key));
    auto path = root_ / key;
    SLUICE_TRYV(remove_stale_temp_files_once(path.parent_path()));
    return write_file_atomic_with(path, [&fill](int fd) {
      return fill([fd](std::string_view piece) { return detail::write_all(fd, piece); });
    });
  }

  /// The content of `<root>/<key>`, or empty if there is no such file.
  result<std::optional<std::string>> get(std::string_view key) {
    SLUICE_TRYV(store::check_relative_key(key));
    return read_file(root_ / key);
  }

  /// Removes `<root>/<key>` (absent is fine); the directory is synced, so the removal is
  /// durable on return.
  result<void> remove(std::string_view key) {
    SLUICE_TRYV(store::check_relative_key(key));
    const auto path = root_ / key;
    std::error_code ec;
    if (!std::filesystem::remove(path, ec)) {
      if (ec && ec != std::errc::no_such_file_or_directory) return ec;
      return success();
    }
    return sync_directory(path.parent_path());
  }

  /// The keys starting with `prefix` (a plain string prefix, which may end inside a segment),
  /// sorted.
  ///
  /// Complexity: linear in the entries under the deepest directory `prefix` names.
  result<std::vector<std::string>> list(std::string_view prefix) {
    const std::size_t slash = prefix.rfind('/');
    const std::string_view dir = slash == std::string_view::npos ? std::string_view() : prefix.substr(0, slash);
    if (!dir.empty()) {
      SLUICE_TRYV(store::check_relative_key(dir));
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
      if (store::is_temp_file_name(it->path().filename().native()) || !it->is_regular_file(ec)) continue;
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

static_assert(store::piecewise_blob_store<directory_blobs>);

}  // namespace sluice::inline v0::fs
