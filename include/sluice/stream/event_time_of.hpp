// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `event_time_of<T>`: the event time of a value, what the stages ordered by event time
/// (`watermark_dedup`, `tumbling_window`) ask of the values they receive.

namespace sluice::inline v0::stream {

/// The event time of a value, for stages ordered by event time (dedup under a watermark,
/// tumbling windows). Specialize it for your event types: `static std::int64_t get(const T&)`
/// returning milliseconds since the Unix epoch (`event_etl::device_event` has one).
///
/// Semantics: `get` is a pure function of the value, so a replayed batch sees the same times.
template <class T>
struct event_time_of;

}  // namespace sluice::inline v0::stream
