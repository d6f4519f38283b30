// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `pipeline<Src, Codec, Transforms..., Sink[, Idem]>`: stages composed at compile time into one
/// type, and `make_pipeline`, which deduces it. The runner (runner.hpp) drives it batch by batch.

#include "sluice/core/at_least_once.hpp"
#include "sluice/core/concepts.hpp"
#include "sluice/core/detail/pipeline_shape.hpp"
#include "sluice/core/detail/stage_list.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/reject.hpp"

#include <charconv>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

namespace detail {

template <class Seq, class... S>
struct buffers_for;
template <std::size_t... I, class... S>
struct buffers_for<std::index_sequence<I...>, S...> {
  using type = stage_list<std::vector<value_after_t<I, S...>>...>;
};

/// Placeholder member when the pipeline's stage list names its idempotency policy.
struct no_default_policy {};

}  // namespace detail

/// A pipeline: a source, a codec, up to eight transforms, a sink and an idempotency policy,
/// composed at compile time. The stage list is `Src, Codec, Transforms..., Sink` optionally
/// followed by an idempotency policy (a stage declaring `idempotency_tag`); without one,
/// `default_idempotency<Sink>` (normally `at_least_once`) is used.
///
/// The template head checks every stage against its neighbour: `source<Src>`,
/// `codec_for<Codec, source_record>`, `transform_for<T, value type before T>` for each transform,
/// `sink_for<Sink, last value type>` and `idempotency_policy<Idem>`; a misuse is reported as the
/// failed satisfaction of that concept.
///
/// Stages are stored by value with `[[no_unique_address]]`: empty stages (stateless codecs,
/// transforms and policies) add no size. The batch loop lives in the runner; a pipeline only
/// knows the order of its stages.
///
/// Thread-safety: none; one pipeline per runner.
template <class... Stages>
  requires detail::pipeline_stages<Stages...>
class pipeline {
  using shape = detail::shape<Stages...>;

 public:
  using source_type = typename shape::source_type;
  /// The records the source yields (`source_record`, or `record_view` for a zero-copy source).
  using record_type = source_record_t<source_type>;
  using codec_type = typename shape::codec_type;
  using sink_type = typename shape::sink_type;
  using idempotency_type = typename shape::idempotency_type;
  /// The `I`-th transform.
  template <std::size_t I>
  using transform_type = typename shape::template transform_type<I>;
  /// Number of transforms between codec and sink.
  static constexpr std::size_t transform_count = shape::transform_count;
  /// The values after the codec and the first `I` transforms (`I == 0`: the codec's values).
  template <std::size_t I>
  using values_after_t = detail::value_after_t<I, Stages...>;
  /// What the sink receives.
  using value_type = values_after_t<transform_count>;

 private:
  template <std::size_t... I>
  static constexpr bool any_stateful(std::index_sequence<I...>) noexcept {
    return (stateful_transform<transform_type<I>> || ...);
  }

 public:
  /// True if a transform keeps state across batches (checkpointed with each commit).
  static constexpr bool has_state = any_stateful(std::make_index_sequence<transform_count>{});

  /// Scratch space of one batch: a vector per stage output, reused so that steady-state batches
  /// allocate no vectors. Kept outside the pipeline so that the pipeline holds only its stages.
  using buffers =
      typename detail::buffers_for<std::make_index_sequence<transform_count + 1>, Stages...>::type;

  /// Default-constructs every stage.
  pipeline()
    requires(std::default_initializable<Stages> && ...)
  = default;

  /// Takes the stages in order.
  explicit pipeline(Stages... stages) : stages_(std::move(stages)...) {}

  /// The source.
  [[nodiscard]] source_type& source() & noexcept { return detail::get<0>(stages_); }
  [[nodiscard]] const source_type& source() const& noexcept { return detail::get<0>(stages_); }
  /// The codec.
  [[nodiscard]] codec_type& codec() & noexcept { return detail::get<1>(stages_); }
  [[nodiscard]] const codec_type& codec() const& noexcept { return detail::get<1>(stages_); }
  /// The `I`-th transform.
  template <std::size_t I>
  [[nodiscard]] transform_type<I>& transform() & noexcept {
    return detail::get<2 + I>(stages_);
  }
  template <std::size_t I>
  [[nodiscard]] const transform_type<I>& transform() const& noexcept {
    return detail::get<2 + I>(stages_);
  }
  /// The sink.
  [[nodiscard]] sink_type& sink() & noexcept { return detail::get<2 + transform_count>(stages_); }
  [[nodiscard]] const sink_type& sink() const& noexcept {
    return detail::get<2 + transform_count>(stages_);
  }
  /// The idempotency policy.
  [[nodiscard]] idempotency_type& idempotency() & noexcept {
    if constexpr (shape::explicit_idempotency) {
      return detail::get<3 + transform_count>(stages_);
    } else {
      return default_policy_;
    }
  }
  [[nodiscard]] const idempotency_type& idempotency() const& noexcept {
    if constexpr (shape::explicit_idempotency) {
      return detail::get<3 + transform_count>(stages_);
    } else {
      return default_policy_;
    }
  }

  /// Decodes `records` and runs the transforms; the sink's input ends up in `output(buf)`.
  ///
  /// Rejects of every stage go to `rejects` (origins index `records`). Every vector of `buf` is
  /// cleared first, so a retry starts from scratch (stateful transforms must be reset by the
  /// caller with `load_state`).
  /// Errors: the first error a stage returns (not a reject); later stages are not run.
  /// Complexity: that of the stages.
  result<void> process(std::span<const record_type> records, buffers& buf, reject_list& rejects) {
    auto& decoded = detail::get<0>(buf);
    decoded.clear();
    SLUICE_TRYV(codec().decode(records, decoded, rejects));
    return apply_from<0>(buf, rejects);
  }

  /// The values `process` left for the sink.
  [[nodiscard]] static std::span<const value_type> output(const buffers& buf) noexcept {
    return detail::get<transform_count>(buf);
  }

  /// Writes `output(buf)` to the sink.
  /// Errors: the sink's. Blocking: as the sink.
  result<void> write(const buffers& buf, const batch_plan& plan) {
    return sink().write(output(buf), plan);
  }

  /// Serialises the state of every stateful transform into `out` (empty when there is none):
  /// for each, in order, its blob's length in decimal, a `:`, then the blob.
  /// Errors: the first a transform returns.
  result<void> save_state(std::string& out) const {
    out.clear();
    return save_from<0>(out);
  }

  /// As `save_state(out)`, for the commit of batch `batch_id`: transforms that checkpoint
  /// incrementally (`batch_stateful_transform`) write that batch's changes to their state store
  /// and save a manifest; the others save their whole state.
  /// Errors: the first a transform returns. Blocking: as the transforms' state stores.
  result<void> save_state(std::string& out, std::int64_t batch_id) {
    out.clear();
    return save_batch_from<0>(out, batch_id);
  }

  /// Tells the incremental transforms that the commit of their last `save_state` is durable.
  /// Errors: the first a transform returns (its files stay; nothing committed is lost).
  result<void> state_committed() { return committed_from<0>(); }

  /// Restores what `save_state` wrote; `""` resets every stateful transform to "no state yet".
  /// Errors: `errc::corrupt_state` if `in` is not a well-formed concatenation for this pipeline;
  /// else the first error a transform returns.
  result<void> load_state(std::string_view in) {
    const bool fresh = in.empty();
    SLUICE_TRYV(load_from<0>(in, fresh));
    if (!in.empty()) return errc::corrupt_state;
    return success();
  }

 private:
  template <std::size_t I>
  result<void> apply_from(buffers& buf, reject_list& rejects) {
    if constexpr (I == transform_count) {
      return success();
    } else {
      auto& in = detail::get<I>(buf);
      auto& out = detail::get<I + 1>(buf);
      out.clear();
      SLUICE_TRYV(transform<I>().apply(in, out, rejects));
      in.clear();
      return apply_from<I + 1>(buf, rejects);
    }
  }

  template <std::size_t I>
  result<void> save_from(std::string& out) const {
    if constexpr (I == transform_count) {
      return success();
    } else {
      if constexpr (stateful_transform<transform_type<I>>) {
        std::string blob;
        SLUICE_TRYV(transform<I>().save_state(blob));
        out += std::to_string(blob.size());
        out.push_back(':');
        out += blob;
      }
      return save_from<I + 1>(out);
    }
  }

  template <std::size_t I>
  result<void> save_batch_from(std::string& out, std::int64_t batch_id) {
    if constexpr (I == transform_count) {
      return success();
    } else {
      if constexpr (stateful_transform<transform_type<I>>) {
        std::string blob;
        if constexpr (batch_stateful_transform<transform_type<I>>) {
          SLUICE_TRYV(transform<I>().save_state(blob, batch_id));
        } else {
          SLUICE_TRYV(std::as_const(transform<I>()).save_state(blob));
        }
        out += std::to_string(blob.size());
        out.push_back(':');
        out += blob;
      }
      return save_batch_from<I + 1>(out, batch_id);
    }
  }

  template <std::size_t I>
  result<void> committed_from() {
    if constexpr (I == transform_count) {
      return success();
    } else {
      if constexpr (batch_stateful_transform<transform_type<I>>) {
        SLUICE_TRYV(transform<I>().state_committed());
      }
      return committed_from<I + 1>();
    }
  }

  template <std::size_t I>
  result<void> load_from(std::string_view& in, bool fresh) {
    if constexpr (I == transform_count) {
      return success();
    } else {
      if constexpr (stateful_transform<transform_type<I>>) {
        std::string_view blob;
        if (!fresh) {
          const auto colon = in.find(':');
          if (colon == std::string_view::npos || colon == 0) return errc::corrupt_state;
          std::size_t len = 0;
          const auto [end, ec] = std::from_chars(in.data(), in.data() + colon, len);
          if (ec != std::errc{} || end != in.data() + colon || len > in.size() - colon - 1)
            return errc::corrupt_state;
          blob = in.substr(colon + 1, len);
          in.remove_prefix(colon + 1 + len);
        }
        SLUICE_TRYV(transform<I>().load_state(blob));
      }
      return load_from<I + 1>(in, fresh);
    }
  }

  [[no_unique_address]] detail::stage_list<Stages...> stages_;
  [[no_unique_address]] std::conditional_t<shape::explicit_idempotency, detail::no_default_policy,
                                           idempotency_type> default_policy_;
};

/// Composes `stages` into a `pipeline`, deducing its type (stages are copied or moved in).
template <class... Stages>
  requires detail::pipeline_stages<std::decay_t<Stages>...>
[[nodiscard]] auto make_pipeline(Stages&&... stages) {
  return pipeline<std::decay_t<Stages>...>(std::forward<Stages>(stages)...);
}

/// What the runner needs from a pipeline: a `pipeline<...>` or a type with the same members.
template <class P>
concept runnable_pipeline =
    requires(P& p, const P& cp, std::span<const typename P::record_type> records,
             typename P::buffers& buf, reject_list& rejects, const batch_plan& plan,
             std::string& blob, std::string_view in) {
      typename P::value_type;
      requires std::same_as<typename P::record_type,
                            source_record_t<std::remove_cvref_t<decltype(p.source())>>>;
      requires source<std::remove_cvref_t<decltype(p.source())>>;
      requires idempotency_policy<std::remove_cvref_t<decltype(p.idempotency())>>;
      { p.process(records, buf, rejects) } -> std::same_as<result<void>>;
      { P::output(buf) } -> std::same_as<std::span<const typename P::value_type>>;
      { p.write(buf, plan) } -> std::same_as<result<void>>;
      { cp.save_state(blob) } -> std::same_as<result<void>>;
      { p.load_state(in) } -> std::same_as<result<void>>;
    };

}  // namespace sluice::inline v0
