// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `plan_fairly`: splits a batch's offset budget over partitions with a backlog, so that one
/// busy partition never starves the others. Shared by sources that plan from known backlogs
/// (`memory_source`, file sources).

#include "sluice/core/record.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sluice::inline v0 {

/// The unread offsets `[from, end)` of one partition.
struct partition_backlog {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t from = 0;   ///< first offset to read
  std::int64_t end = 0;    ///< one past the last available offset
};

/// The ranges of the next batch: at most `max` offsets in total, shared by water filling: every
/// partition with a backlog gets an equal share of what is left (a smaller backlog takes only
/// what it has, the rest is shared again); when the budget is smaller than the number of
/// partitions, the first partitions get one offset each. Ranges come in the order of
/// `backlogs`, empty ones omitted. Deterministic: the same backlogs give the same ranges.
///
/// Complexity: O(n²) in the number of partitions, worst case.
[[nodiscard]] inline std::vector<offset_range> plan_fairly(std::span<const partition_backlog> backlogs,
                                                           std::int64_t max) {
  std::vector<std::int64_t> take(backlogs.size(), 0);
  std::int64_t budget = std::max<std::int64_t>(max, 0);
  for (;;) {
    std::int64_t hungry = 0;
    for (std::size_t i = 0; i < backlogs.size(); ++i)
      hungry += backlogs[i].from + take[i] < backlogs[i].end ? 1 : 0;
    if (hungry == 0 || budget == 0) break;
    const std::int64_t share = std::max<std::int64_t>(budget / hungry, 1);
    for (std::size_t i = 0; i < backlogs.size() && budget > 0; ++i) {
      const std::int64_t left = backlogs[i].end - backlogs[i].from - take[i];
      const std::int64_t t = std::min({share, std::max<std::int64_t>(left, 0), budget});
      take[i] += t;
      budget -= t;
    }
  }
  std::vector<offset_range> out;
  for (std::size_t i = 0; i < backlogs.size(); ++i)
    if (take[i] > 0)
      out.push_back({backlogs[i].topic, backlogs[i].partition, backlogs[i].from,
                     backlogs[i].from + take[i]});
  return out;
}

}  // namespace sluice::inline v0
