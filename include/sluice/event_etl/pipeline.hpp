// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The event ETL as a composed pipeline type (docs/architecture.md §1, pipeline 5;
/// docs/event-etl.md): JSON events → `json_event_codec` → `range_filter` →
/// `stream::watermark_dedup` by (event_id, device_id) → per-device `stream::tumbling_window`s →
/// a sink of `device_window_row`s. `event_etl_pipeline<Src, Sink>` takes any source and sink;
/// `make_event_etl` builds the stages from `event_etl_options`.

#include "sluice/core/concepts/transform.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/event_etl/device_aggregate.hpp"
#include "sluice/event_etl/device_event.hpp"
#include "sluice/event_etl/event_codec.hpp"
#include "sluice/event_etl/range_filter.hpp"
#include "sluice/state/shared_store.hpp"
#include "sluice/state/state_store.hpp"
#include "sluice/store/any_blobs.hpp"
#include "sluice/stream/dedup.hpp"
#include "sluice/stream/tumbling_window.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace sluice::inline v0::event_etl {

/// The dedup stage of the event ETL: by (event_id, device_id) under a watermark.
using device_dedup = stream::watermark_dedup<device_event>;

static_assert(transform_for<device_dedup, device_event>);
static_assert(batch_stateful_transform<device_dedup>);
static_assert(batch_stateful_transform<device_windows>);

/// The knobs of the event ETL's stages.
struct event_etl_options {
  std::int64_t window_ms = 60'000;      ///< tumbling window length (> 0)
  std::int64_t watermark_delay_ms = 600'000;   ///< watermark delay of dedup and windows (≥ 0)
  range_filter_options ranges{};        ///< the value ranges events must satisfy
  event_fields fields{};                ///< the JSON names of the events' fields
  /// When set, the codec checks `fields` on the input and a batch that shows they do not fit
  /// fails the run, with this called with the reason (`json_event_codec`'s constructor).
  json_event_codec::mismatch_handler on_field_mismatch{};
  /// Where the dedup keys and open windows are checkpointed incrementally (changelogs and
  /// snapshots, docs/state-store.md): the checkpoint's blobs, say. Empty: the whole state goes
  /// into each commit record (small states and tests only: it costs O(state) per batch).
  std::optional<store::any_blobs> state_blobs;
  /// Snapshot interval and retention of the stages' state store, which both share (one file per
  /// batch, under `state/shared/` of `state_blobs`; the `prefix` here is ignored). Commits from
  /// before it name files under `state/dedup/` and `state/windows/`, which still load.
  state::state_options state{};
};

/// The event ETL over source `Src` and a sink `Sink` of `device_window_row`s, at-least-once
/// towards the sink (use an idempotent sink: `stream::jsonl_batch_sink`) with exactly-once
/// state: the dedup keys, open windows and watermarks are committed with each checkpoint commit
/// (the commit record names their state files, or holds them whole without `state_blobs`).
///
/// Stage indices for `transform<I>()`: 0 `range_filter`, 1 `device_dedup`, 2 `device_windows`.
template <class Src, class Sink>
using event_etl_pipeline = pipeline<Src, json_event_codec, range_filter, device_dedup, device_windows, Sink>;

/// Composes the event ETL from `src`, `sink` and `opt`.
/// Errors: `errc::invalid_argument` if `window_ms` ≤ 0 or `watermark_delay_ms` < 0.
template <class Src, class Sink>
[[nodiscard]] result<event_etl_pipeline<Src, Sink>> make_event_etl(Src src, Sink sink,
                                                                  const event_etl_options& opt) {
  if (opt.watermark_delay_ms < 0) return errc::invalid_argument;
  SLUICE_TRY(windows, device_windows::make({opt.window_ms, opt.watermark_delay_ms}));
  device_dedup dedup(opt.watermark_delay_ms);
  if (opt.state_blobs) {
    // One state file per batch for both stages (`state::shared_store`); commits from before it
    // name files of a store per stage, which are read from their own folders.
    state::state_options so = opt.state;
    so.prefix = "state/shared/";
    auto shared = std::make_shared<state::shared_store>(*opt.state_blobs, so);
    so.prefix = "state/dedup/";
    SLUICE_TRYV(dedup.checkpoint_to(shared, so));
    so.prefix = "state/windows/";
    SLUICE_TRYV(windows.checkpoint_to(shared, so));
  }
  return event_etl_pipeline<Src, Sink>(std::move(src), json_event_codec(opt.fields, opt.on_field_mismatch), range_filter(opt.ranges),
                                       std::move(dedup), std::move(windows), std::move(sink));
}

}  // namespace sluice::inline v0::event_etl
