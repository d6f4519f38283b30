// SPDX-License-Identifier: Apache-2.0
// run() needs a dead-letter sink; a value sink is not one.
// expect-error: satisfaction of [^a-z_]*dead_letter_sink<
#include "stages.hpp"

void f() {
  auto p = sluice::make_pipeline(sluice::memory_source{}, sluice::raw_view_codec{}, sluice::null_sink{});
  sluice::memory_checkpoint_store ckpt;
  sluice::null_sink not_a_dlq;
  sluice::null_progress progress;
  sluice::stop_flag stop;
  (void)sluice::run(p, ckpt, not_a_dlq, progress, sluice::runner_options{}, stop);
}
