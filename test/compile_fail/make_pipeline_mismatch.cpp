// SPDX-License-Identifier: Apache-2.0
// make_pipeline checks the same head: raw views into a sink of ints.
// expect-error: satisfaction of [^a-z_]*sink_for<
#include "stages.hpp"

auto p = sluice::make_pipeline(sluice::memory_source{}, sluice::raw_view_codec{}, cf::int_sink{});
