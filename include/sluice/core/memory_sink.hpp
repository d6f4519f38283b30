// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `memory_object_sink`: keeps `object`s by key in memory, the in-memory analogue of a file
/// system or S3 sink. For tests, benchmarks and examples.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/record.hpp"

#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace sluice::inline v0 {

/// Stores each object's bytes under its key; writing a key again replaces its bytes, so a
/// replayed batch leaves the contents unchanged (idempotent by key).
///
/// Errors: none. Thread-safety: none. Complexity: O(n log size) per batch.
class memory_object_sink {
 public:
  using stage_concept = sink_tag;

  /// Puts every object of the batch.
  result<void> write(std::span<const object> values, const batch_plan&) {
    for (const auto& o : values) contents_[o.key] = o.bytes;
    ++batches_;
    return success();
  }

  /// Key → bytes of everything written.
  [[nodiscard]] const std::map<std::string, std::string>& contents() const noexcept {
    return contents_;
  }
  /// `write` calls so far.
  [[nodiscard]] std::int64_t batches() const noexcept { return batches_; }

 private:
  std::map<std::string, std::string> contents_;
  std::int64_t batches_ = 0;
};

}  // namespace sluice::inline v0
