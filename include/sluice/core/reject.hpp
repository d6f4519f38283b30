// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Rejects: records a codec or transform refused, with the reason. The runner turns each into a
/// dead letter (topic, partition, offset, key, payload, reason, time) and the batch goes on.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

/// One refused record: the index of its source record in the current batch, and why.
struct reject {
  std::size_t origin = 0;   ///< index into the batch's `source_record`s
  std::string reason;       ///< a sentence a person can act on; never contains secrets
  friend bool operator==(const reject&, const reject&) = default;
};

/// Collects the rejects of one batch; every stage gets the same collector.
///
/// Values that a later stage may reject must carry the index of their source record (their
/// `origin`), since only the runner holds the raw bytes the dead letter needs.
/// Thread-safety: none; one collector per batch.
class reject_list {
 public:
  /// Records that the source record at `origin` was refused for `reason`.
  void add(std::size_t origin, std::string reason) { items_.push_back({origin, std::move(reason)}); }
  /// The rejects so far, in the order they were added.
  [[nodiscard]] const std::vector<reject>& items() const noexcept { return items_; }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  void clear() noexcept { items_.clear(); }

 private:
  std::vector<reject> items_;
};

}  // namespace sluice::inline v0
