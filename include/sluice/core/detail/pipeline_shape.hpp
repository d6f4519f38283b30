// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// How a pack of stages splits into source, codec, transforms, sink and idempotency policy, and
/// the concept on `pipeline`'s template head that checks every stage against its neighbours.

#include "sluice/core/concepts.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/reject.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

template <class Sink>
struct default_idempotency;

namespace detail {

// --- nth type of a pack, without recursion on the pack --------------------------------------
template <std::size_t I, class T>
struct indexed_type {
  using type = T;
};
template <class Seq, class... Ts>
struct indexed_types;
template <std::size_t... Is, class... Ts>
struct indexed_types<std::index_sequence<Is...>, Ts...> : indexed_type<Is, Ts>... {};
template <std::size_t I, class T>
indexed_type<I, T> select_indexed(const indexed_type<I, T>&);

/// The `I`-th type of `Ts...`; a substitution failure (not a hard error) when out of range.
template <std::size_t I, class... Ts>
using nth_t = typename decltype(select_indexed<I>(
    std::declval<indexed_types<std::index_sequence_for<Ts...>, Ts...>>()))::type;

/// The value type after applying `Ts...` in order to values of type `In`; no `type` member
/// (a substitution failure, never a hard error) when a transform has no `output_type`.
template <class In, class... Ts>
struct chain_output {
  using type = In;
};
template <class In, class T, class... Ts>
struct chain_output<In, T, Ts...> {};
template <class In, class T, class... Ts>
  requires requires { typename T::output_type; }
struct chain_output<In, T, Ts...> : chain_output<typename T::output_type, Ts...> {};

/// A transform that passes values through; stands in for unused transform slots of the
/// head constraint, so every slot is a plain `transform_for<...>` concept-id (GCC then names the
/// first transform that fails, which a fold expression would not).
template <class T>
struct pass_through {
  using stage_concept = transform_tag;
  using output_type = T;
  result<void> apply(std::vector<T>& in, std::vector<T>& out, reject_list& rejects);
};

/// The stage layout of a pipeline: `Src, Codec, Ts..., Sink[, Idem]`. The last stage is the
/// idempotency policy if it declares `idempotency_tag`; otherwise `default_idempotency<Sink>`
/// applies. Only instantiated for packs of at least three stages.
template <class... S>
struct shape {
  static constexpr std::size_t size = sizeof...(S);
  static constexpr bool explicit_idempotency =
      declares<nth_t<sizeof...(S) - 1, S...>, idempotency_tag>;
  static constexpr std::size_t transform_count =
      size >= 3 + (explicit_idempotency ? 1 : 0) ? size - 3 - (explicit_idempotency ? 1 : 0) : 0;

  using source_type = nth_t<0, S...>;
  using codec_type = nth_t<1, S...>;
  using sink_type = nth_t<size - 1 - (explicit_idempotency ? 1 : 0), S...>;

  template <std::size_t I>
  using transform_type = nth_t<2 + I, S...>;

  template <bool Explicit, class Dummy = void>
  struct idem_of {
    using type = typename default_idempotency<sink_type>::type;
  };
  template <class Dummy>
  struct idem_of<true, Dummy> {
    using type = nth_t<size - 1, S...>;
  };
  using idempotency_type = typename idem_of<explicit_idempotency>::type;
};

template <class Codec, class Seq, class... S>
struct chain_from_codec {};
template <class Codec, std::size_t... I, class... S>
  requires requires { typename Codec::value_type; }
struct chain_from_codec<Codec, std::index_sequence<I...>, S...>
    : chain_output<typename Codec::value_type,
                   typename shape<S...>::template transform_type<I>...> {};

/// The values after the codec and the first `N` transforms (SFINAE-friendly).
template <std::size_t N, class... S>
using value_after_t = typename chain_from_codec<typename shape<S...>::codec_type,
                                                std::make_index_sequence<N>, S...>::type;

// Picks the `I`-th transform, or a pass-through for an unused slot. Evaluated only after the
// slots before it were satisfied, so the value chain it names is well-formed.
template <bool Used, std::size_t I, class... S>
struct slot {
  using type = pass_through<value_after_t<shape<S...>::transform_count, S...>>;
};
template <std::size_t I, class... S>
struct slot<true, I, S...> {
  using type = typename shape<S...>::template transform_type<I>;
};
template <std::size_t I, class... S>
using slot_t = typename slot<(I < shape<S...>::transform_count), I, S...>::type;
template <std::size_t I, class... S>
using slot_input_t = value_after_t<(I < shape<S...>::transform_count) ? I
                                                                      : shape<S...>::transform_count,
                                  S...>;

/// Largest number of transforms a pipeline takes (compose more into one transform stage).
inline constexpr std::size_t max_transforms = 8;

template <class... S>
concept pipeline_size = sizeof...(S) >= 3 && sizeof...(S) <= 4 + max_transforms &&
                        (sizeof...(S) >= 3 + (shape<S...>::explicit_idempotency ? 1 : 0)) &&
                        (shape<S...>::transform_count <= max_transforms);

/// The template-head check of `pipeline`: each stage models its concept for the value type its
/// predecessor produces. Unrolled over `max_transforms` slots (see `pass_through`), so a failure
/// names the concept and the stage: `source`, `codec_for`, `transform_for`, `sink_for` or
/// `idempotency_policy`.
template <class... S>
concept pipeline_stages =
    pipeline_size<S...> && source<typename shape<S...>::source_type> &&
    codec_for<typename shape<S...>::codec_type, source_record_t<typename shape<S...>::source_type>> &&
    transform_for<slot_t<0, S...>, slot_input_t<0, S...>> &&
    transform_for<slot_t<1, S...>, slot_input_t<1, S...>> &&
    transform_for<slot_t<2, S...>, slot_input_t<2, S...>> &&
    transform_for<slot_t<3, S...>, slot_input_t<3, S...>> &&
    transform_for<slot_t<4, S...>, slot_input_t<4, S...>> &&
    transform_for<slot_t<5, S...>, slot_input_t<5, S...>> &&
    transform_for<slot_t<6, S...>, slot_input_t<6, S...>> &&
    transform_for<slot_t<7, S...>, slot_input_t<7, S...>> &&
    sink_for<typename shape<S...>::sink_type,
             value_after_t<shape<S...>::transform_count, S...>> &&
    idempotency_policy<typename shape<S...>::idempotency_type>;

static_assert(max_transforms == 8, "pipeline_stages unrolls exactly max_transforms slots");

}  // namespace detail
}  // namespace sluice::inline v0
