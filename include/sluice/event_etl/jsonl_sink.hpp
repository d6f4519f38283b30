// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Output of the event ETL: window rows as JSON lines (`append_row_json`), on the console
/// (`fs::stdout_sink`, through the `fs::line_formatter` specialization below) or as one
/// JSON-lines object per batch in an object sink (`stream::jsonl_batch_sink<device_window_row,
/// …>`: a folder with `fs::file_sink`, a bucket with an S3 object sink).

#include "sluice/core/concepts/sink.hpp"
#include "sluice/event_etl/device_aggregate.hpp"
#include "sluice/fs/stdout_sink.hpp"
#include "sluice/stream/jsonl_batch_sink.hpp"

#include <string>

namespace sluice::inline v0::fs {

/// A window row as its JSON line (`event_etl::append_row_json`).
template <>
struct line_formatter<event_etl::device_window_row> {
  void operator()(std::string& out, const event_etl::device_window_row& r) const {
    event_etl::append_row_json(out, r);
  }
};

}  // namespace sluice::inline v0::fs

namespace sluice::inline v0::event_etl {

static_assert(sink_for<fs::stdout_sink, device_window_row>);

}  // namespace sluice::inline v0::event_etl
