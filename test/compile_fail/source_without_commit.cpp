// SPDX-License-Identifier: Apache-2.0
// A source lacking commit() cannot head a pipeline.
// expect-error: satisfaction of [^a-z_]*source<
#include "stages.hpp"

struct no_commit_source {
  using stage_concept = sluice::source_tag;
  sluice::result<std::vector<sluice::offset_range>> plan(const sluice::source_position&, std::int64_t);
  sluice::result<void> read(const std::vector<sluice::offset_range>&, std::vector<sluice::source_record>&);
};

sluice::pipeline<no_commit_source, cf::int_codec, cf::int_sink> p;
