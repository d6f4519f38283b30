// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `map_transform` / `map_values<In>(fn)`: a stateless transform applying a function to every
/// value of a batch.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/fwd.hpp"
#include "sluice/core/reject.hpp"

#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

/// Replaces each value `v` by `fn(std::move(v))`, in order. `fn` must not throw on any input
/// (bad input belongs in a stage that rejects it).
///
/// Errors: none. Thread-safety: as `Fn`. Complexity: linear.
template <class In, class Fn>
class map_transform {
 public:
  using stage_concept = transform_tag;
  using output_type = std::remove_cvref_t<std::invoke_result_t<Fn&, In&&>>;

  map_transform() = default;
  explicit map_transform(Fn fn) : fn_(std::move(fn)) {}

  result<void> apply(std::vector<In>& in, std::vector<output_type>& out, reject_list&) {
    out.reserve(out.size() + in.size());
    for (auto& v : in) out.push_back(std::invoke(fn_, std::move(v)));
    return success();
  }

 private:
  [[no_unique_address]] Fn fn_{};
};

/// A `map_transform` over values of type `In`: `map_values<order>([](order o) { ... })`.
template <class In, class Fn>
[[nodiscard]] map_transform<In, std::decay_t<Fn>> map_values(Fn&& fn) {
  return map_transform<In, std::decay_t<Fn>>(std::forward<Fn>(fn));
}

}  // namespace sluice::inline v0
