// SPDX-License-Identifier: Apache-2.0
// A sink of ints after a transform producing strings.
// expect-error: satisfaction of [^a-z_]*sink_for<
#include "stages.hpp"

struct int_to_string {
  using stage_concept = sluice::transform_tag;
  using output_type = std::string;
  sluice::result<void> apply(std::vector<int>&, std::vector<std::string>&, sluice::reject_list&);
};

sluice::pipeline<sluice::memory_source, cf::int_codec, int_to_string, cf::int_sink> p;
