// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// A minimal heterogeneous list whose empty elements take no space (`[[no_unique_address]]`),
/// used to store a pipeline's stages and its per-stage batch buffers.

#include <cstddef>
#include <utility>

namespace sluice::inline v0::detail {

template <class... Ts>
struct stage_list {
  constexpr stage_list() noexcept = default;
};

template <class T, class... Ts>
struct stage_list<T, Ts...> {
  [[no_unique_address]] T head;
  [[no_unique_address]] stage_list<Ts...> tail;

  constexpr stage_list() = default;
  constexpr explicit stage_list(T h, Ts... t) : head(std::move(h)), tail(std::move(t)...) {}
};

/// The `I`-th element of a `stage_list`.
template <std::size_t I, class L>
[[nodiscard]] constexpr auto& get(L& l) noexcept {
  if constexpr (I == 0) {
    return l.head;
  } else {
    return get<I - 1>(l.tail);
  }
}

}  // namespace sluice::inline v0::detail
