// SPDX-License-Identifier: Apache-2.0
// sluice-schema-writer: a GoldenGate schema topic (Kafka, or a kcat -J dump of it) to a schema
// catalog in a folder or on S3, as a micro-batch pipeline with checkpoints, a completed-batches
// log and dead letters. Run it with --help for the options; with no arguments it processes the
// bundled sample.
#include "../common/kafka_group.hpp"
#include "options.hpp"
#include "../common/cli_support.hpp"
#include "../common/open_locations.hpp"
#include "storage.hpp"

#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/core/stop.hpp"
#include "sluice/kafka/group_member.hpp"
#include "sluice/kafka/group_runner.hpp"
#include "sluice/kafka/partition_reader.hpp"
#include "sluice/kafka/partition_source.hpp"
#include "sluice/kafka/topic_partition.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/schema_writer/pipeline.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
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

using sluice_examples::describe;
using sluice_examples::runner_options_of;
using sluice_examples::getenv_lookup;

using schema_writer_cli::blobs;
using schema_writer_cli::catalog_sink;

// The stores of the writer, each over a folder or an S3 prefix.
using log_type = sluice::idempotency::completed_batches_log<blobs>;
using sluice_examples::checkpoint_store;
using sluice_examples::dead_letter_store;
template <class Src>
using pipeline_type = sw::catalog_pipeline<Src, catalog_sink, log_type>;

// One line a person can read per batch on stderr, plus the JSON progress record. `detail`
// describes what the batch did beyond the record (the file source's single pipeline knows its
// stages' counters; the per-partition pipelines of Kafka report from the record alone).
class console_progress {
 public:
  using stage_concept = sluice::progress_reporter_tag;
  using detail_fn = std::function<std::string(const sluice::progress_record&)>;

  console_progress(sluice::json_lines_progress json, detail_fn detail)
      : json_(std::move(json)), detail_(std::move(detail)) {}

  void report(const sluice::progress_record& r) noexcept {
    try {
      const std::string ranges = sluice_examples::ranges_text(r);
      std::fprintf(stderr, "%s: batch %lld%s: %lld messages (%s): %s%s; %.1f ms\n", program,
                   static_cast<long long>(r.batch_id), r.replayed ? " (replayed)" : "",
                   static_cast<long long>(r.num_input_rows), ranges.c_str(), detail_(r).c_str(),
                   r.skipped_write ? " (already in the completed-batches log: nothing written)" : "",
                   r.total_ms);
      std::fflush(stderr);
    } catch (...) {  // a log line must never take the batch down
    }
    json_.report(r);
  }

  [[nodiscard]] std::int64_t failures() const noexcept { return json_.failures(); }

 private:
  sluice::json_lines_progress json_;
  detail_fn detail_;
};

// The counters of the file source's pipeline, as deltas per batch.
class file_detail {
 public:
  explicit file_detail(const pipeline_type<sluice::fs::kcat_source>& p) : p_(&p) {}

  std::string operator()(const sluice::progress_record& r) {
    const auto& t = p_->transform<0>().stats();
    const std::int64_t dups = p_->transform<1>().dropped();
    const auto sink = p_->sink().stats();
    std::string out = std::to_string(sink.written - prev_sink_.written) + " written, " +
                      std::to_string(sink.unchanged - prev_sink_.unchanged) + " unchanged, " +
                      std::to_string(dups - prev_dups_) + " duplicates, " +
                      std::to_string(t.filtered - prev_.filtered) + " filtered, " +
                      std::to_string(r.rejects) + " dead letters";
    *filtered_ += t.filtered - prev_.filtered;
    prev_ = t;
    prev_dups_ = dups;
    prev_sink_ = sink;
    return out;
  }

  /// Envelope schemas filtered by the batches reported so far.
  [[nodiscard]] std::int64_t filtered() const noexcept { return *filtered_; }

 private:
  const pipeline_type<sluice::fs::kcat_source>* p_;
  sw::catalog_stats prev_{};
  std::int64_t prev_dups_ = 0;
  catalog_sink::counters prev_sink_{};
  std::shared_ptr<std::int64_t> filtered_ = std::make_shared<std::int64_t>(0);  // shared by copies
};

// What a Kafka batch did, from its record: catalog objects kept after the duplicates of the
// batch, dead letters, and the rest (envelope schemas and duplicates) dropped.
std::string record_detail(const sluice::progress_record& r) {
  const std::int64_t dropped = std::max<std::int64_t>(0, r.num_input_rows - r.num_output_rows - r.rejects);
  return std::to_string(r.num_output_rows) + " catalog objects, " + std::to_string(r.rejects) +
         " dead letters, " + std::to_string(dropped) + " envelope schemas or duplicates dropped";
}

// The codec with the configured message size limit.
sw::message_codec message_codec_of(const config& cfg) {
  return sw::message_codec{static_cast<std::size_t>(cfg.max_message_bytes)};
}

using sluice_examples::locations;

// The completed-batches log of the writer: <checkpoint>/completed-batches.
blobs log_blobs(const locations& loc) { return loc.checkpoint->at("completed-batches"); }

// The S3 client when any location is on S3; a usage-type problem returns exit code 2.
std::variant<locations, int> open_locations(const config& cfg) {
  return sluice_examples::open_locations(program, cfg.s3, cfg.checkpoint, cfg.dead_letters, &cfg.sink);
}

// Every record of the app's completed-batches log, all streams (with Kafka, one per partition),
// from month `since` on; ordered by stream, then batch id.
sluice::result<std::vector<sluice::idempotency::completed_batch>> list_batches(blobs store, const std::string& app,
                                                                              const std::string* only_stream,
                                                                              int since) {
  SLUICE_TRY(keys, store.list("yyyymm="));
  std::vector<std::string> streams;
  for (const auto& key : keys) {
    // yyyymm=YYYYMM/<app>/<stream>/batch-<id>.json
    const auto a = key.find('/');
    if (a == std::string::npos) continue;
    const auto b = key.find('/', a + 1);
    if (b == std::string::npos || key.compare(a + 1, b - a - 1, app) != 0) continue;
    const auto c = key.find('/', b + 1);
    if (c == std::string::npos) continue;
    std::string stream = key.substr(b + 1, c - b - 1);
    if (only_stream == nullptr || stream == *only_stream) streams.push_back(std::move(stream));
  }
  std::sort(streams.begin(), streams.end());
  streams.erase(std::unique(streams.begin(), streams.end()), streams.end());
  std::vector<sluice::idempotency::completed_batch> out;
  for (const auto& stream : streams) {
    if (!sluice::idempotency::is_valid_log_name(stream)) continue;
    SLUICE_TRY(log, log_type::make(store, app, stream));
    SLUICE_TRY(records, log.list(since));
    for (auto& r : records) out.push_back(std::move(r));
  }
  return out;
}

int run_batches_command(const config& cfg) {
  auto opened = open_locations(cfg);
  if (auto* rc = std::get_if<int>(&opened)) return *rc;
  auto& loc = std::get<locations>(opened);
  const blobs log = log_blobs(loc);
  auto records = list_batches(log, cfg.app, cfg.stream_name_given ? &cfg.stream_name : nullptr,
                              cfg.since_yyyymm.value_or(0));
  if (!records) {
    std::fprintf(stderr, "%s: cannot read the completed-batches log in %s: %s\n", program,
                 log.describe().c_str(), describe(records.error()).c_str());
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

std::optional<sluice::json_lines_progress> open_progress(const config& cfg) {
  return sluice_examples::open_progress(program, cfg.progress.to_stderr, cfg.progress.file);
}

int report_end(const sluice::result<sluice::run_summary>& summary, const sluice::stop_flag& stop,
               std::int64_t filtered, const char* what) {
  if (!summary) return sluice_examples::report_fatal(program, summary.error());
  const auto& s = summary.value();
  std::fprintf(stderr, "%s: %s: %lld batches (%lld replayed), %lld messages, %lld dead letters%s%s\n", program,
               stop.stop_requested() ? "stopped" : "done", static_cast<long long>(s.batches),
               static_cast<long long>(s.replayed), static_cast<long long>(s.records),
               static_cast<long long>(s.rejects),
               filtered >= 0 ? (", " + std::to_string(filtered) + " filtered").c_str() : "", what);
  return 0;
}

std::string mode_text(const config& cfg) {
  return cfg.once ? "once"
                  : "every " + std::to_string(cfg.trigger_interval.count()) + " ms until SIGTERM/SIGINT";
}

// The kcat -J file source: one pipeline, one checkpoint.
int run_file_source(const config& cfg, locations& loc, sluice::json_lines_progress json,
                    const sluice::stop_flag& stop) {
  std::error_code ec;
  if (!fsys::is_regular_file(cfg.source, ec)) {
    std::fprintf(stderr, "%s: the source %s is not a readable file%s\n", program, cfg.source.c_str(),
                 cfg.source_is_default ? " (the bundled sample is missing from this install)" : "");
    return 2;
  }
  auto source = sluice::fs::kcat_source::open(cfg.source);
  if (!source) {
    std::fprintf(stderr, "%s: cannot open the source %s: %s\n", program, cfg.source.c_str(),
                 describe(source.error()).c_str());
    return 1;
  }
  auto log = log_type::make(log_blobs(loc), cfg.app, cfg.stream_name);
  if (!log) {
    std::fprintf(stderr, "%s: cannot set up the completed-batches log: %s\n", program, describe(log.error()).c_str());
    return 2;
  }
  sw::catalog_options catalog;
  catalog.lowercase_field_names = cfg.lowercase_names;
  pipeline_type<sluice::fs::kcat_source> pipeline(std::move(source).value(), message_codec_of(cfg),
                                                  sw::catalog_transform(catalog), sw::catalog_dedup{},
                                                  loc.make_sink(), std::move(log).value());
  file_detail detail(pipeline);
  console_progress progress(std::move(json), detail);
  auto checkpoint = loc.checkpoint_root();
  auto dead_letters = loc.dead_letters_root();

  std::fprintf(stderr, "%s: %s → %s (checkpoint %s, dead letters %s, %s, at most %lld per batch)\n", program,
               cfg.source.c_str(), loc.sink_text.c_str(), loc.checkpoint->describe().c_str(),
               loc.dead_letters->describe().c_str(), mode_text(cfg).c_str(),
               static_cast<long long>(cfg.max_records_per_batch));
  const auto opt = runner_options_of(cfg);
  auto summary = sluice::run(pipeline, checkpoint, dead_letters, progress, opt, stop);
  return report_end(summary, stop, detail.filtered(), "");
}

// Kafka: a consumer group member; every partition it owns is its own stream with its own
// checkpoint under <checkpoint>/<topic>/<partition>/ and its own dead letters, shared by all
// members (docs/architecture.md §4).
int run_kafka_source(const config& cfg, locations& loc, sluice::json_lines_progress json,
                     const sluice::stop_flag& stop) {
  const auto& kcfg = *cfg.kafka;
  auto joined = sluice_examples::join_group(program, kcfg);
  if (auto* rc = std::get_if<int>(&joined)) return *rc;
  auto& group = std::get<sluice_examples::group_connection>(joined);

  sw::catalog_options catalog;
  catalog.lowercase_field_names = cfg.lowercase_names;
  using pipe = pipeline_type<sluice::kafka::partition_source>;
  using unit = sluice::kafka::partition_unit<pipe, checkpoint_store, dead_letter_store>;
  const blobs log_root = log_blobs(loc);
  auto factory = [&](const sluice::kafka::topic_partition& tp,
                     sluice::kafka::partition_source src) -> sluice::result<unit> {
    const std::string sub = sluice::kafka::partition_path(tp);
    SLUICE_TRY(log, log_type::make(log_root, cfg.app, sluice::kafka::partition_stream_name(tp)));
    std::fprintf(stderr, "%s: partition %s[%d] assigned\n", program, tp.topic.c_str(), tp.partition);
    src.set_max_bytes(static_cast<std::size_t>(cfg.max_bytes_per_batch));
    return unit{pipe(std::move(src), message_codec_of(cfg), sw::catalog_transform(catalog), sw::catalog_dedup{},
                     loc.make_sink(), std::move(log)),
                loc.checkpoint_at(sub), loc.dead_letters_at(sub)};
  };
  console_progress progress(std::move(json), record_detail);
  sluice::kafka::group_runner_options gopt;
  gopt.run = runner_options_of(cfg);
  sluice::system_environment env;
  sluice::kafka::group_runner<decltype(factory), console_progress> runner(
      group.member, std::move(group.reader), factory, progress, gopt, stop, env);

  std::fprintf(stderr, "%s: %s → %s (checkpoint %s, dead letters %s, %s, at most %lld messages and %lld bytes per batch)\n",
               program, sluice::kafka::describe(kcfg).c_str(), loc.sink_text.c_str(),
               loc.checkpoint->describe().c_str(), loc.dead_letters->describe().c_str(), mode_text(cfg).c_str(),
               static_cast<long long>(cfg.max_records_per_batch), static_cast<long long>(cfg.max_bytes_per_batch));
  auto summary = runner.run();
  if (!summary) return report_end(summary.error(), stop, -1, "");
  const auto& g = summary.value();
  const std::string parts = "; partitions: " + std::to_string(g.assigned) + " assigned, " +
                            std::to_string(g.revoked) + " revoked (" + std::to_string(g.lost) + " lost)";
  return report_end(g.totals, stop, -1, parts.c_str());
}

int run_pipeline(const config& cfg) {
  auto opened = open_locations(cfg);
  if (auto* rc = std::get_if<int>(&opened)) return *rc;
  auto& loc = std::get<locations>(opened);

  auto json = open_progress(cfg);
  if (!json) return 2;

  // One writer per checkpoint folder with a file source (the checkpoint store's contract), so
  // temp files there (the log included) are leftovers of a killed run. With Kafka the folder is
  // shared by the group's members. The catalog sink and the local blob store
  // (`fs::directory_blobs`, under the checkpoint, log and dead letters) remove dead writers'
  // stale temp files from each folder on their first write there.
  if (!cfg.kafka) {
    if (const int rc = loc.clean_checkpoint_folder(program); rc != 0) return rc;
  }

  return sluice_examples::run_until_signal(program, loc.s3, [&](const sluice::stop_flag& stop) {
    return cfg.kafka ? run_kafka_source(cfg, loc, std::move(*json), stop)
                     : run_file_source(cfg, loc, std::move(*json), stop);
  });
}

}  // namespace

int main(int argc, char** argv) {
  return sluice_examples::cli_main(
      program, SLUICE_VERSION_STRING, argc, argv,
      [](const std::vector<std::string>& args) {
        return schema_writer_cli::parse(args, getenv_lookup, {bundled_sample()});
      },
      schema_writer_cli::help_text,
      [](const config& cfg) {
        for (const auto& n : cfg.notes) std::fprintf(stderr, "%s: note: %s\n", program, n.c_str());
        return cfg.cmd == schema_writer_cli::command::batches ? run_batches_command(cfg) : run_pipeline(cfg);
      });
}
