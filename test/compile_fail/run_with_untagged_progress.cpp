// SPDX-License-Identifier: Apache-2.0
// A progress reporter must opt in with progress_reporter_tag.
// expect-error: satisfaction of [^a-z_]*progress_reporter<
#include "stages.hpp"

struct untagged_progress {
  void report(const sluice::progress_record&) {}
};

void f() {
  auto p = sluice::make_pipeline(sluice::memory_source{}, sluice::raw_view_codec{}, sluice::null_sink{});
  sluice::memory_checkpoint_store ckpt;
  sluice::memory_dead_letter_sink dlq;
  untagged_progress progress;
  sluice::stop_flag stop;
  (void)sluice::run(p, ckpt, dlq, progress, sluice::runner_options{}, stop);
}
