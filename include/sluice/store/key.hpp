// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `store::check_relative_key`: what a key of a `store::blob_store` may be, the same on every
/// backend: relative, `/`-separated segments that are safe file names and object keys alike.

#include "sluice/core/error.hpp"
#include "sluice/store/temp_name.hpp"

#include <cstddef>
#include <string_view>

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

}  // namespace sluice::inline v0::store
