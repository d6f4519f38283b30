// SPDX-License-Identifier: Apache-2.0
// run() needs a checkpoint store; a dead-letter sink is not one.
// expect-error: satisfaction of [^a-z_]*checkpoint_store<
#include "stages.hpp"

void f() {
  auto p = sluice::make_pipeline(sluice::memory_source{}, sluice::raw_view_codec{}, sluice::null_sink{});
  sluice::memory_dead_letter_sink not_a_store, dlq;
  sluice::null_progress progress;
  sluice::stop_flag stop;
  (void)sluice::run(p, not_a_store, dlq, progress, sluice::runner_options{}, stop);
}
