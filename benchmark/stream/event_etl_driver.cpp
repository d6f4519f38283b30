// SPDX-License-Identifier: Apache-2.0
// The event-ETL benchmark driver: one JSON-lines file through lines_source → json_event_codec →
// range_filter → watermark_dedup → device windows → null_sink, in one of two modes:
//   chain   the stages only: plan, read, process, write to the null sink, batch after batch
//           (no checkpoint), the figure the ≥ 2 M events/s goal is about;
//   runner  the core runner with a checkpoint after every batch (the dedup and window state are
//           serialised into each commit), an in-memory store keeping the last commit only, or
//           fs::checkpoint_store when --checkpoint DIR is given.
// It samples the resident set size after every batch and prints one JSON object:
//   {"mode":…,"events":…,"batches":…,"cpu_s":…,"wall_s":…,"events_per_cpu_s":…,
//    "events_per_wall_s":…,"steady_events_per_cpu_s":…,"peak_rss_mb":…,"rss_mb":[[events,rss],…],
//    "rows":…,…}  (steady: from the 2 millionth event on, once the state of the first ten
//    minutes of event time exists, so the first touch of its memory is left out)
//   event_etl_driver FILE [--mode chain|runner] [--batch N] [--checkpoint DIR]
//                         [--window-ms N] [--delay-ms N] [--samples N]
#include "sluice/core/null_sink.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/event_etl/pipeline.hpp"
#include "sluice/fs/checkpoint_store.hpp"
#include "sluice/fs/lines_source.hpp"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace sluice;

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double wall_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double rss_mb() {
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}
double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// A checkpoint store that keeps only the last commit and pending plan in memory: the state is
// still serialised on every commit (the cost the runner pays), without disk I/O.
class last_commit_store {
 public:
  using stage_concept = checkpoint_store_tag;
  result<void> write_plan(const batch_plan& p) {
    plan_ = p;
    return success();
  }
  result<std::optional<batch_plan>> pending() {
    if (plan_ && (!last_ || plan_->batch_id > last_->plan.batch_id)) return plan_;
    return std::optional<batch_plan>{};
  }
  result<void> commit(const commit_record& r) {
    state_bytes_ = r.state.size();
    last_ = r;
    return success();
  }
  result<std::optional<commit_record>> last_commit() { return last_; }
  [[nodiscard]] std::size_t state_bytes() const noexcept { return state_bytes_; }

 private:
  std::optional<batch_plan> plan_;
  std::optional<commit_record> last_;
  std::size_t state_bytes_ = 0;
};

struct counting_dead_letters {
  using stage_concept = dead_letter_sink_tag;
  std::int64_t letters = 0;
  result<void> write(std::int64_t, std::span<const dead_letter> l) {
    letters += static_cast<std::int64_t>(l.size());
    return success();
  }
};

struct sampler {
  std::vector<std::pair<std::int64_t, double>> samples;
  std::int64_t every = 1'000'000;
  std::int64_t next = 0;
  // The steady state: from the first sample at or after `warm` events (the state of the first
  // ten minutes of event time is built by then), events and CPU seconds.
  std::int64_t warm = 2'000'000;
  std::int64_t warm_events = -1;
  double warm_cpu = 0;
  void at(std::int64_t events) {
    if (events >= next) {
      samples.emplace_back(events, rss_mb());
      next = events + every;
    }
    if (warm_events < 0 && events >= warm) {
      warm_events = events;
      warm_cpu = cpu_seconds();
    }
  }
};

template <class Pipeline>
struct sampling_progress {
  using stage_concept = progress_reporter_tag;
  sampler* s;
  std::int64_t events = 0;
  void report(const progress_record& r) noexcept {
    events += r.num_input_rows;
    s->at(events);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: event_etl_driver FILE [--mode chain|runner] [--batch N] [--checkpoint DIR] "
                         "[--window-ms N] [--delay-ms N] [--samples N]\n");
    return 2;
  }
  const std::string file = argv[1];
  std::string mode = "chain", checkpoint_dir;
  std::int64_t batch = 100'000, window_ms = 60'000, delay_ms = 600'000, every = 1'000'000;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--mode") mode = v;
    else if (a == "--batch") batch = std::atoll(v.c_str());
    else if (a == "--checkpoint") checkpoint_dir = v;
    else if (a == "--window-ms") window_ms = std::atoll(v.c_str());
    else if (a == "--delay-ms") delay_ms = std::atoll(v.c_str());
    else if (a == "--samples") every = std::atoll(v.c_str());
    else {
      std::fprintf(stderr, "event_etl_driver: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  auto src = fs::lines_source::open(file);
  if (!src) {
    std::fprintf(stderr, "event_etl_driver: cannot open %s: %s\n", file.c_str(), src.error().message().c_str());
    return 1;
  }
  event_etl::event_etl_options opt;
  opt.window_ms = window_ms;
  opt.watermark_delay_ms = delay_ms;
  auto p = event_etl::make_event_etl(std::move(src).value(), null_sink{}, opt).value();
  sampler s;
  s.every = every;
  s.at(0);
  std::int64_t events = 0, batches = 0, rejects = 0;
  std::size_t state_bytes = 0;
  const double c0 = cpu_seconds(), w0 = wall_seconds();
  if (mode == "chain") {
    decltype(p)::buffers buf;
    reject_list rj;
    std::vector<decltype(p)::record_type> recs;
    source_position pos;
    for (;;) {
      auto ranges = p.source().plan(pos, batch);
      if (!ranges) return 1;
      if (ranges.value().empty()) break;
      recs.clear();
      if (!p.source().read(ranges.value(), recs)) return 1;
      rj.clear();
      if (!p.process(recs, buf, rj) || !p.write(buf, batch_plan{batches, ranges.value()})) return 1;
      events += static_cast<std::int64_t>(recs.size());
      rejects += static_cast<std::int64_t>(rj.size());
      ++batches;
      pos = advance_position(std::move(pos), ranges.value());
      s.at(events);
    }
  } else if (mode == "runner") {
    counting_dead_letters dlq;
    sampling_progress<decltype(p)> progress{&s};
    runner_options ro;
    ro.max_records_per_batch = batch;
    ro.once = true;
    stop_flag stop;
    result<run_summary> r = errc::invalid_argument;
    if (checkpoint_dir.empty()) {
      last_commit_store ckpt;
      r = run(p, ckpt, dlq, progress, ro, stop);
      state_bytes = ckpt.state_bytes();
    } else {
      fs::checkpoint_store ckpt(checkpoint_dir);
      r = run(p, ckpt, dlq, progress, ro, stop);
    }
    if (!r) {
      std::fprintf(stderr, "event_etl_driver: %s\n", r.error().message().c_str());
      return 1;
    }
    events = r.value().records;
    batches = r.value().batches;
    rejects = r.value().rejects;
  } else {
    std::fprintf(stderr, "event_etl_driver: unknown mode %s\n", mode.c_str());
    return 2;
  }
  const double c1 = cpu_seconds();
  const double cpu = c1 - c0, wall = wall_seconds() - w0;
  const double steady = s.warm_events >= 0 && events > s.warm_events && c1 > s.warm_cpu
                            ? static_cast<double>(events - s.warm_events) / (c1 - s.warm_cpu)
                            : 0.0;
  s.samples.emplace_back(events, rss_mb());
  std::printf("{\"mode\":\"%s\",\"batch\":%lld,\"events\":%lld,\"batches\":%lld,\"cpu_s\":%.3f,\"wall_s\":%.3f,"
              "\"events_per_cpu_s\":%.0f,\"events_per_wall_s\":%.0f,\"steady_events_per_cpu_s\":%.0f,"
              "\"peak_rss_mb\":%.1f,\"rows\":%lld,"
              "\"rejects\":%lld,\"filtered\":%lld,\"duplicates\":%lld,\"late\":%lld,\"dedup_keys\":%zu,"
              "\"open_windows\":%zu,\"state_bytes\":%zu,\"rss_mb\":[",
              mode.c_str(), static_cast<long long>(batch), static_cast<long long>(events),
              static_cast<long long>(batches), cpu, wall, static_cast<double>(events) / cpu,
              static_cast<double>(events) / wall, steady, peak_rss_mb(), static_cast<long long>(p.sink().values()),
              static_cast<long long>(rejects), static_cast<long long>(p.transform<0>().dropped_total()),
              static_cast<long long>(p.transform<1>().stats().duplicates),
              static_cast<long long>(p.transform<1>().stats().late + p.transform<2>().stats().late),
              p.transform<1>().state_size(), p.transform<2>().open_windows(), state_bytes);
  for (std::size_t i = 0; i < s.samples.size(); ++i)
    std::printf("%s[%lld,%.1f]", i ? "," : "", static_cast<long long>(s.samples[i].first), s.samples[i].second);
  std::printf("]}\n");
  return 0;
}
