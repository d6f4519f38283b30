// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `transform_for` and `stateful_transform` concepts: stages between codec and sink.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/reject.hpp"

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inline v0 {

/// A transform from a batch of `In` to a batch of `T::output_type`.
///
/// Syntax: `typename T::output_type`; `t.apply(std::vector<In>& in, std::vector<output_type>& out,
/// reject_list&)`.
///
/// Semantics (checked by test/laws):
/// - `apply` consumes `in` (it may move from it or swap it into `out` when the types agree) and
///   appends its results to `out`. A value it refuses goes to `rejects` with its origin and a
///   reason; a value it drops on purpose (a filter, a duplicate) is neither output nor reject
///   and is counted by the transform itself.
/// - Stateless transforms are deterministic functions of the batch. Stateful ones (dedup under
///   a watermark, tumbling windows, latest-per-key) keep bounded state across batches and also
///   model `stateful_transform`, so the runner can checkpoint that state with each commit.
template <class T, class In>
concept transform_for = detail::declares<T, transform_tag> &&
                        requires(T& t, std::vector<In>& in,
                                 std::vector<typename T::output_type>& out, reject_list& rejects) {
                          typename T::output_type;
                          { t.apply(in, out, rejects) } -> std::same_as<result<void>>;
                        };

/// A transform whose state survives restarts through the checkpoint.
///
/// Semantics: `save_state(blob)` serialises the state as of the end of the last applied batch;
/// `load_state(blob)` restores exactly that state, so that replaying the next batch after a
/// restart gives the same output as without the restart. The state is bounded (a watermark or a
/// capacity limits it); `load_state("")` means "no state yet".
template <class T>
concept stateful_transform = requires(const T& ct, T& t, std::string& blob, std::string_view in) {
  { ct.save_state(blob) } -> std::same_as<result<void>>;
  { t.load_state(in) } -> std::same_as<result<void>>;
};

/// A stateful transform that checkpoints incrementally: it writes the changes of a batch to a
/// state store of its own (docs/state-store.md) and saves only a manifest naming them.
///
/// Semantics: `save_state(blob, batch_id)` writes what batch `batch_id` changed (durably, before
/// it returns) and leaves in `blob` what `load_state` needs to restore the state as of that
/// batch; it may be called again for the same batch (a retry) and must then write the same.
/// `state_committed()` is called once the commit record holding `blob` is durable (the store
/// may then delete files no retained commit needs). Without a store attached, a model behaves
/// as a plain `stateful_transform` (`save_state(blob, id)` = `save_state(blob)`).
template <class T>
concept batch_stateful_transform =
    stateful_transform<T> && requires(T& t, std::string& blob, std::int64_t batch_id) {
      { t.save_state(blob, batch_id) } -> std::same_as<result<void>>;
      { t.state_committed() } -> std::same_as<result<void>>;
    };

}  // namespace sluice::inline v0
