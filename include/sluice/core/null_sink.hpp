// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `null_sink`: accepts every batch of any value type, stores nothing, counts.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"

#include <cstdint>
#include <span>

namespace sluice::inline v0 {

/// A sink for any value type that keeps nothing but counts of values and batches; trivially
/// idempotent. For benchmarks and dry runs.
///
/// Errors: none. Thread-safety: none.
class null_sink {
 public:
  using stage_concept = sink_tag;

  /// Counts `values` and the batch.
  template <class T>
  result<void> write(std::span<const T> values, const batch_plan&) noexcept {
    values_ += static_cast<std::int64_t>(values.size());
    ++batches_;
    return success();
  }

  /// Values accepted so far.
  [[nodiscard]] std::int64_t values() const noexcept { return values_; }
  /// `write` calls so far.
  [[nodiscard]] std::int64_t batches() const noexcept { return batches_; }

 private:
  std::int64_t values_ = 0;
  std::int64_t batches_ = 0;
};

}  // namespace sluice::inline v0
