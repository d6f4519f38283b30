// SPDX-License-Identifier: Apache-2.0
// A sink with the right members but no `stage_concept` tag does not opt in.
// expect-error: satisfaction of [^a-z_]*sink_for<
#include "stages.hpp"

struct untagged_sink {
  sluice::result<void> write(std::span<const int>, const sluice::batch_plan&);
};

sluice::pipeline<sluice::memory_source, cf::int_codec, untagged_sink> p;
