// SPDX-License-Identifier: Apache-2.0
// A transform of longs placed after a codec of ints.
// expect-error: satisfaction of [^a-z_]*transform_for<
#include "stages.hpp"

struct string_sink {
  using stage_concept = sluice::sink_tag;
  sluice::result<void> write(std::span<const std::string>, const sluice::batch_plan&);
};

sluice::pipeline<sluice::memory_source, cf::int_codec, cf::long_to_string, string_sink> p;
