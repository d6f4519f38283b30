// SPDX-License-Identifier: Apache-2.0
// sluice-schema-writer: a GoldenGate schema topic (kcat -J dump) to a schema catalog on local
// files, as a micro-batch pipeline with checkpoints, a completed-batches log and dead letters.
// Run it with --help for the options; with no arguments it processes the bundled sample.
#include "options.hpp"

#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/core/stop.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/fs/checkpoint_store.hpp"
#include "sluice/fs/dead_letters.hpp"
#include "sluice/schema_writer/pipeline.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
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
#ifndef SLUICE_SW_SAMPLE_RELATIVE
#error "SLUICE_SW_SAMPLE_RELATIVE must be defined by the build"
#endif
#ifndef SLUICE_SW_SAMPLE_SOURCE_TREE
#error "SLUICE_SW_SAMPLE_SOURCE_TREE must be defined by the build"
#endif

namespace {

namespace fsys = std::filesystem;
namespace sw = sluice::schema_writer;
using schema_writer_cli::config;

constexpr const char* program = "sluice-schema-writer";

// The bundled sample: installed next to the binary (<bindir>/../share/sluice/…), else the copy in
// the source tree (running from the build tree).
fsys::path bundled_sample() {
  std::error_code ec;
  const fsys::path exe = fsys::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fsys::path installed = (exe.parent_path() / SLUICE_SW_SAMPLE_RELATIVE).lexically_normal();
    if (fsys::is_regular_file(installed, ec)) return installed;
  }
  return fsys::path(SLUICE_SW_SAMPLE_SOURCE_TREE);
}

std::optional<std::string> getenv_lookup(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

std::string describe(const std::error_code& ec) {
  return ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
}

// One line a person can read per batch on stderr, plus the JSON progress record.
class console_progress {
 public:
  using stage_concept = sluice::progress_reporter_tag;

  console_progress(const sw::file_pipeline& p, sluice::json_lines_progress json)
      : p_(p), json_(std::move(json)) {}

  void report(const sluice::progress_record& r) noexcept {
    const auto& t = p_.transform<0>().stats();
    const std::int64_t dups = p_.transform<1>().dropped();
    const auto& sink = p_.sink().stats();
    std::string ranges;
    for (const auto& s : r.sources) {
      if (!ranges.empty()) ranges += ", ";
      ranges += s.topic + "[" + std::to_string(s.partition) + "] " + std::to_string(s.from) +
                ".." + std::to_string(s.to - 1);
    }
    std::fprintf(stderr,
                 "%s: batch %lld%s: %lld messages (%s): %lld written, %lld unchanged, "
                 "%lld duplicates, %lld filtered, %lld dead letters%s; %.1f ms\n",
                 program, static_cast<long long>(r.batch_id), r.replayed ? " (replayed)" : "",
                 static_cast<long long>(r.num_input_rows), ranges.c_str(),
                 static_cast<long long>(sink.written - prev_sink_.written),
                 static_cast<long long>(sink.unchanged - prev_sink_.unchanged),
                 static_cast<long long>(dups - prev_dups_),
                 static_cast<long long>(t.filtered - prev_.filtered),
                 static_cast<long long>(r.rejects),
                 r.skipped_write ? " (already in the completed-batches log: nothing written)" : "",
                 r.total_ms);
    std::fflush(stderr);
    filtered_ += t.filtered - prev_.filtered;
    prev_ = t;
    prev_dups_ = dups;
    prev_sink_ = sink;
    json_.report(r);
  }

  /// Envelope schemas filtered by the batches reported so far.
  [[nodiscard]] std::int64_t filtered() const noexcept { return filtered_; }
  [[nodiscard]] std::int64_t failures() const noexcept { return json_.failures(); }

 private:
  const sw::file_pipeline& p_;
  sluice::json_lines_progress json_;
  sw::catalog_stats prev_{};
  std::int64_t prev_dups_ = 0;
  sluice::fs::file_sink::counters prev_sink_{};
  std::int64_t filtered_ = 0;
};

fsys::path log_root(const config& cfg) { return cfg.checkpoint / "completed-batches"; }

int run_batches_command(const config& cfg) {
  auto log = sw::file_batches_log<>::make(sluice::idempotency::file_log_store(log_root(cfg)),
                                          cfg.app, cfg.stream_name);
  if (!log) {
    std::fprintf(stderr, "%s: cannot open the completed-batches log: %s\n", program,
                 describe(log.error()).c_str());
    return 1;
  }
  auto records = log.value().list(cfg.since_yyyymm.value_or(0));
  if (!records) {
    std::fprintf(stderr, "%s: cannot read the completed-batches log in %s: %s\n", program,
                 log_root(cfg).c_str(), describe(records.error()).c_str());
    return 1;
  }
  for (const auto& rec : records.value()) {
    auto line = sluice::idempotency::to_json(rec);
    if (!line) {
      std::fprintf(stderr, "%s: cannot print batch %lld: %s\n", program,
                   static_cast<long long>(rec.batch_id), describe(line.error()).c_str());
      return 1;
    }
    std::fwrite(line.value().data(), 1, line.value().size(), stdout);
    std::fputc('\n', stdout);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int run_pipeline(const config& cfg) {
  std::error_code ec;
  if (!fsys::is_regular_file(cfg.source, ec)) {
    std::fprintf(stderr, "%s: the source %s is not a readable file%s\n", program,
                 cfg.source.c_str(),
                 cfg.source_is_default ? " (the bundled sample is missing from this install)" : "");
    return 2;
  }

  sw::file_pipeline_config pcfg;
  pcfg.source = cfg.source;
  pcfg.sink = cfg.sink;
  pcfg.log = log_root(cfg);
  pcfg.app = cfg.app;
  pcfg.stream_name = cfg.stream_name;
  pcfg.catalog.lowercase_field_names = cfg.lowercase_names;
  auto made = sw::make_file_pipeline(pcfg);
  if (!made) {
    std::fprintf(stderr, "%s: cannot set up the pipeline: %s\n", program,
                 describe(made.error()).c_str());
    return made.error() == sluice::errc::invalid_argument ? 2 : 1;
  }
  sw::file_pipeline pipeline = std::move(made).value();

  std::optional<sluice::json_lines_progress> json;
  if (cfg.progress.to_stderr) {
    json.emplace(stderr);
  } else {
    if (cfg.progress.file.has_parent_path()) {
      fsys::create_directories(cfg.progress.file.parent_path(), ec);  // open() reports failure
    }
    auto opened = sluice::json_lines_progress::open(cfg.progress.file.string());
    if (!opened) {
      std::fprintf(stderr, "%s: cannot open the progress file %s: %s\n", program,
                   cfg.progress.file.c_str(), describe(opened.error()).c_str());
      return 2;
    }
    json.emplace(std::move(opened).value());
  }
  console_progress progress(pipeline, std::move(*json));

  // One writer per checkpoint directory (the checkpoint store's contract), so temp files there
  // (the log included) are leftovers of a killed run. The catalog sink and the dead-letter sink
  // remove their own stale temp files (those whose writing process is gone) as they go.
  if (auto removed = sluice::fs::remove_temp_files(cfg.checkpoint); !removed) {
    std::fprintf(stderr, "%s: fatal: cannot clean the checkpoint directory %s: %s\n", program,
                 cfg.checkpoint.c_str(), describe(removed.error()).c_str());
    return 1;
  } else if (removed.value() > 0) {
    std::fprintf(stderr, "%s: removed %zu temp files of an interrupted run from %s\n", program,
                 removed.value(), cfg.checkpoint.c_str());
  }

  sluice::fs::checkpoint_store checkpoint(cfg.checkpoint);
  sluice::fs::dead_letters dead_letters(cfg.dead_letters);

  sluice::runner_options opt;
  opt.max_records_per_batch = cfg.max_records_per_batch;
  opt.trigger_interval = cfg.trigger_interval;
  opt.once = cfg.once;

  sluice::stop_flag stop;
  if (auto installed = sluice::install_signal_handlers(stop); !installed) {
    std::fprintf(stderr, "%s: cannot install signal handlers: %s\n", program,
                 describe(installed.error()).c_str());
    return 1;
  }

  std::fprintf(stderr,
               "%s: %s → %s (checkpoint %s, dead letters %s, %s, at most %lld per batch)\n",
               program, cfg.source.c_str(), cfg.sink.c_str(), cfg.checkpoint.c_str(),
               cfg.dead_letters.c_str(),
               cfg.once ? "once" : ("every " + std::to_string(cfg.trigger_interval.count()) +
                                    " ms until SIGTERM/SIGINT").c_str(),
               static_cast<long long>(cfg.max_records_per_batch));

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
  std::fprintf(stderr,
               "%s: %s: %lld batches (%lld replayed), %lld messages, %lld dead letters, "
               "%lld filtered\n",
               program, stop.stop_requested() ? "stopped" : "done",
               static_cast<long long>(s.batches), static_cast<long long>(s.replayed),
               static_cast<long long>(s.records), static_cast<long long>(s.rejects),
               static_cast<long long>(progress.filtered()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed stderr or stdout pipe (`… | head`) must not kill a run between its steps: writes
  // then fail with EPIPE, which the log lines and progress records tolerate.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  auto parsed = schema_writer_cli::parse(args, getenv_lookup, {bundled_sample()});
  if (auto* err = std::get_if<schema_writer_cli::usage_error>(&parsed)) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help'.\n", program, err->message.c_str(), program);
    return 2;
  }
  const config& cfg = std::get<config>(parsed);
  switch (cfg.cmd) {
    case schema_writer_cli::command::help:
      std::fputs(schema_writer_cli::help_text().c_str(), stdout);
      return 0;
    case schema_writer_cli::command::version:
      std::printf("%s %s\n", program, SLUICE_VERSION_STRING);
      return 0;
    case schema_writer_cli::command::batches:
      return run_batches_command(cfg);
    case schema_writer_cli::command::run:
      break;
  }
  try {
    return run_pipeline(cfg);
  } catch (const std::exception& e) {  // std::bad_alloc and the like: report, never abort
    std::fprintf(stderr, "%s: fatal: %s\n", program, e.what());
    return 1;
  }
}
