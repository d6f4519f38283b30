// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `store::check_relative_key`: what a key of a `store::blob_store` may be, the same on every
/// backend: relative, `/`-separated segments that are safe file names and object keys alike; and
/// `store::last_of_each_key`, the objects a sink of keyed objects writes (folder or S3).

#include "sluice/core/error.hpp"
#include "sluice/core/object.hpp"
#include "sluice/store/temp_name.hpp"

#include <cstddef>
#include <map>
#include <span>
#include <string_view>
#include <vector>

namespace sluice::inline v0::store {

/// Checks that `key` is a safe relative key: not empty, not starting with `/`, no empty, `.` or
/// `..` segment, no NUL byte, no segment longer than 255 bytes or named like a temp file.
///
/// Errors: `errc::invalid_argument` (fatal: keys come from stages that validated them already,
/// so a bad one here is a bug, not bad input).
/// Complexity: linear in the key length.
[[nodiscard]] inline result<void> check_relative_key(std::string_view key) noexcept {
  if (key.empty() || key.front() == '/') return errc::invalid_argument;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = key.find('/', start);
    const std::string_view seg =
        key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == ".." || seg.size() > 255 ||
        seg.find('\0') != std::string_view::npos || is_temp_file_name(seg))
      return errc::invalid_argument;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return success();
}

/// The positions of the objects of a batch that a sink writes: every key is checked first
/// (`check_relative_key`), then for each key the last object with it is kept (the last one
/// wins), in batch order.
///
/// Errors: `errc::invalid_argument` for an unsafe key (then nothing is to be written).
/// Complexity: O(n log n) in the objects.
[[nodiscard]] inline result<std::vector<std::size_t>> last_of_each_key(std::span<const object> objects) {
  for (const auto& o : objects) {
    SLUICE_TRYV(check_relative_key(o.key));
  }
  std::map<std::string_view, std::size_t> last;
  for (std::size_t i = 0; i < objects.size(); ++i) last[objects[i].key] = i;
  std::vector<std::size_t> out;
  out.reserve(last.size());
  for (std::size_t i = 0; i < objects.size(); ++i)
    if (last[objects[i].key] == i) out.push_back(i);
  return out;
}

}  // namespace sluice::inline v0::store
