// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `filter_transform` / `filter_values<In>(pred)`: a stateless transform keeping the values a
/// predicate accepts.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/fwd.hpp"
#include "sluice/core/reject.hpp"

#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

/// Keeps the values for which `pred(const In&)` is true, in order; the others are dropped on
/// purpose (not rejected) and counted in `dropped()`.
///
/// Errors: none. Thread-safety: none. Complexity: linear.
template <class In, class Pred>
class filter_transform {
 public:
  using stage_concept = transform_tag;
  using output_type = In;

  filter_transform() = default;
  explicit filter_transform(Pred pred) : pred_(std::move(pred)) {}

  result<void> apply(std::vector<In>& in, std::vector<In>& out, reject_list&) {
    out.reserve(out.size() + in.size());
    for (auto& v : in) {
      if (std::invoke(pred_, std::as_const(v))) {
        out.push_back(std::move(v));
      } else {
        ++dropped_;
      }
    }
    return success();
  }

  /// Values dropped so far.
  [[nodiscard]] std::int64_t dropped() const noexcept { return dropped_; }

 private:
  [[no_unique_address]] Pred pred_{};
  std::int64_t dropped_ = 0;
};

/// A `filter_transform` over values of type `In`.
template <class In, class Pred>
[[nodiscard]] filter_transform<In, std::decay_t<Pred>> filter_values(Pred&& pred) {
  return filter_transform<In, std::decay_t<Pred>>(std::forward<Pred>(pred));
}

}  // namespace sluice::inline v0
