// SPDX-License-Identifier: Apache-2.0
// An idempotency policy that cannot record completion.
// expect-error: satisfaction of [^a-z_]*idempotency_policy<
#include "stages.hpp"

struct forgetful_policy {
  using stage_concept = sluice::idempotency_tag;
  sluice::result<bool> is_done(const sluice::batch_plan&);
};

sluice::pipeline<sluice::memory_source, cf::int_codec, cf::int_sink, forgetful_policy> p;
