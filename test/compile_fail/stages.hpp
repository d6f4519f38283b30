// SPDX-License-Identifier: Apache-2.0
#pragma once
// Well-formed stages the misuse files combine with one broken piece.

#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"

#include <span>
#include <string>
#include <vector>

namespace cf {
using namespace sluice;

struct int_codec {
  using stage_concept = codec_tag;
  using value_type = int;
  result<void> decode(std::span<const source_record>, std::vector<int>&, reject_list&) { return success(); }
};
struct long_to_string {
  using stage_concept = transform_tag;
  using output_type = std::string;
  result<void> apply(std::vector<long>&, std::vector<std::string>&, reject_list&) { return success(); }
};
struct int_sink {
  using stage_concept = sink_tag;
  result<void> write(std::span<const int>, const batch_plan&) { return success(); }
};
}  // namespace cf
