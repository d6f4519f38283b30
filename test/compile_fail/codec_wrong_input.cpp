// SPDX-License-Identifier: Apache-2.0
// A codec of strings cannot decode source records.
// expect-error: satisfaction of [^a-z_]*codec_for<
#include "stages.hpp"

struct string_codec {
  using stage_concept = sluice::codec_tag;
  using value_type = int;
  sluice::result<void> decode(std::span<const std::string>, std::vector<int>&, sluice::reject_list&);
};

sluice::pipeline<sluice::memory_source, string_codec, cf::int_sink> p;
