// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `object`: a named blob, what object-store-like sinks (file system, S3) write.

#include <cstddef>
#include <string>

namespace sluice::inline v0 {

/// A blob to store under a relative key (`<db.schema.table>/<fingerprint>.avsc` for the schema
/// writer). Sinks put it at `<prefix>/<key>`; the key never starts with `/` and never contains
/// `..` segments (the stage that makes it guarantees that).
struct object {
  std::string key;          ///< relative key, `/`-separated
  std::string bytes;        ///< content, written as is
  std::size_t origin = 0;   ///< index of the source record it came from (for rejects)
  friend bool operator==(const object&, const object&) = default;
};

}  // namespace sluice::inline v0
