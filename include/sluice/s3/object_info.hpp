// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// What the S3 client tells about objects: `object_info` (a HEAD, one entry of a listing) and
/// `list_page` (one page of ListObjectsV2).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::inline v0::s3 {

/// An object as listed or HEADed.
struct object_info {
  std::string key;
  std::int64_t size = 0;
  std::string etag;            ///< as S3 sends it, quotes included
  std::string last_modified;   ///< as S3 sends it (ISO-8601 in lists, HTTP date in HEAD)
  friend bool operator==(const object_info&, const object_info&) = default;
};

/// One page of ListObjectsV2.
struct list_page {
  std::vector<object_info> objects;                ///< in S3's order (UTF-8 binary order of keys)
  std::optional<std::string> continuation_token;   ///< set when more pages follow
};

}  // namespace sluice::inline v0::s3
