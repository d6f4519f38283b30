// SPDX-License-Identifier: Apache-2.0
// sluice-event-etl: JSON device events → validation, range filters, dedup under a watermark,
// per-device tumbling windows → window rows on the console or in a folder, as checkpointed
// micro-batches (docs/event-etl.md). Run it with --help for the options.
#include "options.hpp"

#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/core/stop.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/fs/checkpoint_store.hpp"
#include "sluice/fs/dead_letters.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/fs/lines_source.hpp"
#include "sluice/fs/stdout_sink.hpp"
#include "sluice/stream/event_etl.hpp"
#include "sluice/stream/jsonl_sink.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#ifndef SLUICE_VERSION_STRING
#error "SLUICE_VERSION_STRING must be defined by the build"
#endif

namespace {

namespace fsys = std::filesystem;
namespace stream = sluice::stream;
using event_etl_cli::config;

constexpr const char* program = "sluice-event-etl";

std::optional<std::string> getenv_lookup(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

std::string describe(const std::error_code& ec) {
  return ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
}

std::string iso(std::int64_t ms) {
  std::string s;
  sluice::append_iso8601_utc(s, ms);
  return s;
}

// One line a person can read per batch on stderr (what each stage did in it), plus the JSON
// progress record.
template <class Pipeline>
class console_progress {
 public:
  using stage_concept = sluice::progress_reporter_tag;

  console_progress(const Pipeline& p, sluice::json_lines_progress json) : p_(p), json_(std::move(json)) {}

  void report(const sluice::progress_record& r) noexcept {
    const counts now = take();
    const auto& wm = p_.template transform<2>().watermark();
    std::fprintf(stderr,
                 "%s: batch %lld%s: %lld events: %lld dead letters, %lld filtered, %lld duplicates, "
                 "%lld late, %lld windows written; watermark %s, %zu windows open; %.1f ms\n",
                 program, static_cast<long long>(r.batch_id), r.replayed ? " (replayed)" : "",
                 static_cast<long long>(r.num_input_rows), static_cast<long long>(r.rejects),
                 static_cast<long long>(now.filtered - prev_.filtered),
                 static_cast<long long>(now.duplicates - prev_.duplicates),
                 static_cast<long long>(now.late - prev_.late),
                 static_cast<long long>(r.num_output_rows),
                 wm.current() == stream::event_time_watermark::none ? "none" : iso(wm.current()).c_str(),
                 p_.template transform<2>().open_windows(), r.total_ms);
    std::fflush(stderr);
    prev_ = now;
    json_.report(r);
  }

  struct counts {
    std::int64_t filtered = 0, duplicates = 0, late = 0;
  };
  [[nodiscard]] counts take() const noexcept {
    return {p_.template transform<0>().dropped_total(), p_.template transform<1>().stats().duplicates,
            p_.template transform<1>().stats().late + p_.template transform<2>().stats().late};
  }

 private:
  const Pipeline& p_;
  sluice::json_lines_progress json_;
  counts prev_{};
};

// Runs the event ETL from `src` into `sink` with the configured checkpoint, dead letters and
// progress. Source and sink are template parameters: adding Kafka or S3 is a branch in main().
template <class Source, class Sink>
int run_pipeline(const config& cfg, Source src, Sink sink, const std::string& from,
                 const std::string& to) {
  stream::event_etl_options eopt;
  eopt.window_ms = cfg.window.count();
  eopt.watermark_delay_ms = cfg.watermark_delay.count();
  eopt.ranges = cfg.ranges;
  auto made = stream::make_event_etl(std::move(src), std::move(sink), eopt);
  if (!made) {
    std::fprintf(stderr, "%s: cannot set up the pipeline: %s\n", program, describe(made.error()).c_str());
    return 2;
  }
  auto pipeline = std::move(made).value();
  using pipeline_type = decltype(pipeline);

  std::optional<sluice::json_lines_progress> json;
  std::error_code ec;
  if (cfg.progress_to_stderr) {
    json.emplace(stderr);
  } else {
    if (cfg.progress_file.has_parent_path()) fsys::create_directories(cfg.progress_file.parent_path(), ec);
    auto opened = sluice::json_lines_progress::open(cfg.progress_file.string());
    if (!opened) {
      std::fprintf(stderr, "%s: cannot open the progress file %s: %s\n", program,
                   cfg.progress_file.c_str(), describe(opened.error()).c_str());
      return 2;
    }
    json.emplace(std::move(opened).value());
  }
  console_progress<pipeline_type> progress(pipeline, std::move(*json));

  // One writer per checkpoint directory, so temp files there are leftovers of a killed run.
  const fsys::path checkpoint_dir(cfg.checkpoint_location);
  if (auto removed = sluice::fs::remove_temp_files(checkpoint_dir); !removed) {
    std::fprintf(stderr, "%s: fatal: cannot clean the checkpoint directory %s: %s\n", program,
                 checkpoint_dir.c_str(), describe(removed.error()).c_str());
    return 1;
  }
  sluice::fs::checkpoint_store checkpoint(checkpoint_dir);
  sluice::fs::dead_letters dead_letters(cfg.dead_letters);

  sluice::runner_options opt;
  opt.max_records_per_batch = cfg.max_offsets_per_trigger;
  opt.trigger_interval = cfg.trigger_interval;
  opt.once = cfg.once;

  sluice::stop_flag stop;
  if (auto installed = sluice::install_signal_handlers(stop); !installed) {
    std::fprintf(stderr, "%s: cannot install signal handlers: %s\n", program,
                 describe(installed.error()).c_str());
    return 1;
  }
  std::fprintf(stderr,
               "%s: %s → %s (checkpoint %s, dead letters %s, windows of %lld ms, watermark delay "
               "%lld ms, at most %lld events per batch, %s)\n",
               program, from.c_str(), to.c_str(), checkpoint_dir.c_str(), cfg.dead_letters.c_str(),
               static_cast<long long>(cfg.window.count()),
               static_cast<long long>(cfg.watermark_delay.count()),
               static_cast<long long>(cfg.max_offsets_per_trigger),
               cfg.once ? "once" : "until SIGTERM/SIGINT");

  auto summary = sluice::run(pipeline, checkpoint, dead_letters, progress, opt, stop);
  (void)sluice::uninstall_signal_handlers();
  if (!summary) {
    std::fprintf(stderr,
                 "%s: fatal: %s; the checkpoint is consistent: a restart replays the unfinished "
                 "batch\n",
                 program, describe(summary.error()).c_str());
    return 1;
  }
  const auto& s = summary.value();
  const auto c = progress.take();
  std::fprintf(stderr,
               "%s: %s: %lld batches (%lld replayed), %lld events, %lld dead letters, %lld filtered, "
               "%lld duplicates, %lld late; %zu windows still open (written once the watermark "
               "passes their end)\n",
               program, stop.stop_requested() ? "stopped" : "done", static_cast<long long>(s.batches),
               static_cast<long long>(s.replayed), static_cast<long long>(s.records),
               static_cast<long long>(s.rejects), static_cast<long long>(c.filtered),
               static_cast<long long>(c.duplicates), static_cast<long long>(c.late),
               pipeline.template transform<2>().open_windows());
  return 0;
}

template <class Source>
int with_sink(const config& cfg, Source src, const std::string& from) {
  switch (cfg.sink) {
    case event_etl_cli::sink_kind::console:
      return run_pipeline(cfg, std::move(src), sluice::fs::stdout_sink{}, from, "stdout");
    case event_etl_cli::sink_kind::folder:
      return run_pipeline(cfg, std::move(src),
                          stream::jsonl_batch_sink<stream::device_window_row, sluice::fs::file_sink>(
                              sluice::fs::file_sink(cfg.sink_dir)),
                          from, cfg.sink_dir.string());
    case event_etl_cli::sink_kind::s3:
      // TODO(lead): wire sluice::s3's object sink here as jsonl_batch_sink<row, s3 sink> #6
      std::fprintf(stderr,
                   "%s: the S3 sink (S3_BUCKET=%s) is not built into this binary yet: module "
                   "sluice::s3 has not landed; use --sink console or --sink file:DIR\n",
                   program, cfg.s3.bucket.c_str());
      return 2;
  }
  return 2;
}

int run(const config& cfg) {
  for (const auto& n : cfg.notes) std::fprintf(stderr, "%s: note: %s\n", program, n.c_str());
  if (cfg.checkpoint_on_s3) {
    std::fprintf(stderr,
                 "%s: CHECKPOINT_LOCATION %s is on S3, which this build does not support yet "
                 "(module sluice::s3 has not landed); use a local directory\n",
                 program, cfg.checkpoint_location.c_str());
    return 2;
  }
  switch (cfg.source) {
    case event_etl_cli::source_kind::file: {
      auto src = sluice::fs::lines_source::open(cfg.source_file);
      if (!src) {
        std::fprintf(stderr, "%s: cannot open the source %s: %s\n", program, cfg.source_file.c_str(),
                     describe(src.error()).c_str());
        return 2;
      }
      return with_sink(cfg, std::move(src).value(), cfg.source_file.string());
    }
    case event_etl_cli::source_kind::kafka:
      // TODO(lead): wire sluice::kafka's source (one pipeline per owned partition) here #6
      std::fprintf(stderr,
                   "%s: the Kafka source (KAFKA_BOOTSTRAP_SERVERS=%s, topic %s) is not built into "
                   "this binary yet: module sluice::kafka has not landed; use --source file:PATH\n",
                   program, cfg.kafka.bootstrap_servers.c_str(), cfg.kafka.topic.c_str());
      return 2;
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed stdout (`… | head`) must not kill a run between its steps: writes fail with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  auto parsed = event_etl_cli::parse(args, getenv_lookup);
  if (auto* err = std::get_if<event_etl_cli::usage_error>(&parsed)) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help'.\n", program, err->message.c_str(), program);
    return 2;
  }
  const config& cfg = std::get<config>(parsed);
  switch (cfg.cmd) {
    case event_etl_cli::command::help:
      std::fputs(event_etl_cli::help_text().c_str(), stdout);
      return 0;
    case event_etl_cli::command::version:
      std::printf("%s %s\n", program, SLUICE_VERSION_STRING);
      return 0;
    case event_etl_cli::command::run:
      break;
  }
  try {
    return run(cfg);
  } catch (const std::exception& e) {  // std::bad_alloc and the like: report, never abort
    std::fprintf(stderr, "%s: fatal: %s\n", program, e.what());
    return 1;
  }
}
