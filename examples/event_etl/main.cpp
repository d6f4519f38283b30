// SPDX-License-Identifier: Apache-2.0
// sluice-event-etl: JSON device events (a file, or a Kafka topic keyed by device_id) → validation,
// range filters, dedup under a watermark, per-device tumbling windows → window rows on the
// console, in a folder or on S3, as checkpointed micro-batches (docs/event-etl.md). Run it with
// --help for the options.
#include "../common/blobs.hpp"
#include "../common/kafka_group.hpp"
#include "options.hpp"
#include "../common/cli_support.hpp"
#include "../common/open_locations.hpp"

#include "sluice/core/progress.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/core/stop.hpp"
#include "sluice/event_etl/event_codec.hpp"
#include "sluice/event_etl/jsonl_sink.hpp"
#include "sluice/event_etl/pipeline.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/fs/lines_source.hpp"
#include "sluice/fs/stdout_sink.hpp"
#include "sluice/kafka/config.hpp"
#include "sluice/kafka/group_runner.hpp"
#include "sluice/kafka/partition_source.hpp"
#include "sluice/kafka/topic_partition.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/store/any_blobs.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace {  // SLUICE_VERSION_STRING comes from the build (CMakeLists.txt)

namespace event_etl = sluice::event_etl;
namespace stream = sluice::stream;
using event_etl_cli::config;
using sluice_examples::blobs;
using sluice_examples::object_store;

constexpr const char* program = "sluice-event-etl";

using sluice_examples::checkpoint_store;
using sluice_examples::dead_letter_store;
using objects_sink = stream::jsonl_batch_sink<event_etl::device_window_row, object_store>;

using sluice_examples::describe;
using sluice_examples::runner_options_of;
using sluice_examples::getenv_lookup;

std::string iso(std::int64_t ms) {
  std::string s;
  sluice::append_iso8601_utc(s, ms);
  return s;
}

// One line a person can read per batch on stderr (what each stage did in it), plus the JSON
// progress record. For the file source's single pipeline.
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

// The per-partition pipelines of Kafka come and go with rebalances: their batches are reported
// from the record alone (partition, offsets, lag, rows).
class record_progress {
 public:
  using stage_concept = sluice::progress_reporter_tag;

  explicit record_progress(sluice::json_lines_progress json) : json_(std::move(json)) {}

  void report(const sluice::progress_record& r) noexcept {
    try {
      const std::string ranges = sluice_examples::ranges_text(r);
      std::fprintf(stderr, "%s: batch %lld%s: %lld events (%s): %lld dead letters, %lld windows written; %.1f ms\n",
                   program, static_cast<long long>(r.batch_id), r.replayed ? " (replayed)" : "",
                   static_cast<long long>(r.num_input_rows), ranges.c_str(), static_cast<long long>(r.rejects),
                   static_cast<long long>(r.num_output_rows), r.total_ms);
      std::fflush(stderr);
    } catch (...) {  // a log line must never take the batch down
    }
    json_.report(r);
  }

 private:
  sluice::json_lines_progress json_;
};

using sluice_examples::locations;

// The S3 client when any location is on S3; the console has no sink location.
std::variant<locations, int> open_locations(const config& cfg) {
  return sluice_examples::open_locations(program, cfg.s3, cfg.checkpoint, cfg.dead_letters,
                                         cfg.sink ? &*cfg.sink : nullptr);
}

// Set when the codec found that --field-map does not fit the input (it printed why).
bool field_map_mismatch = false;

event_etl::event_etl_options etl_options(const config& cfg) {
  event_etl::event_etl_options eopt;
  if (cfg.fields_mapped) {
    // A wrong map is an error before anything is committed, in any partition (with the file
    // source, `check_first_events` usually says so before the run starts).
    eopt.on_field_mismatch = [](const std::string& why) {
      if (!field_map_mismatch)
        std::fprintf(stderr, "%s: --field-map does not fit the input: %s; nothing of that batch was committed\n",
                     program, why.c_str());
      field_map_mismatch = true;
    };
  }
  eopt.window_ms = cfg.window.count();
  eopt.watermark_delay_ms = cfg.watermark_delay.count();
  eopt.ranges = cfg.ranges;
  eopt.fields = cfg.fields;
  eopt.state.snapshot_interval = cfg.state_snapshot_interval;
  eopt.state.min_batches_to_retain = cfg.min_batches_to_retain;
  return eopt;
}

std::string settings_text(const config& cfg, const locations& loc) {
  return "checkpoint " + loc.checkpoint->describe() + ", dead letters " + loc.dead_letters->describe() +
         ", windows of " + std::to_string(cfg.window.count()) + " ms, watermark delay " +
         std::to_string(cfg.watermark_delay.count()) + " ms, at most " +
         std::to_string(cfg.max_records_per_batch) + " events per batch, " +
         (cfg.once ? "once" : "until SIGTERM/SIGINT");
}

int report_failure(const std::error_code& ec) { return sluice_examples::report_fatal(program, ec); }

// The file source's first events against the field names: when none of the first 100 decodes
// and the first is a dead letter for a missing required field, the names do not fit the file.
// With --field-map that is an error at start (a wrong map would make every event a dead letter);
// without, a note. Returns 0, or the exit code 2.
int check_first_events(const config& cfg) {
  std::ifstream in(cfg.source_file, std::ios::binary);
  std::vector<sluice::source_record> recs;
  for (std::string line; recs.size() < 100 && std::getline(in, line);) {
    if (line.empty()) continue;
    auto& rec = recs.emplace_back();
    rec.offset = static_cast<std::int64_t>(recs.size() - 1);
    rec.payload = std::move(line);
  }
  if (recs.empty()) return 0;
  event_etl::json_event_codec codec(cfg.fields);
  std::vector<event_etl::device_event> out;
  sluice::reject_list rejects;
  if (!codec.decode(std::span<const sluice::source_record>(recs), out, rejects) || !out.empty() || rejects.empty())
    return 0;
  const std::string& why = rejects.items().front().reason;
  if (why.rfind("missing required field", 0) != 0) return 0;
  const std::string keys = event_etl::top_level_keys(*recs.front().payload);
  if (cfg.fields_mapped) {
    std::fprintf(stderr,
                 "%s: the first events of %s do not match --field-map: %s; its fields are: %s\n",
                 program, cfg.source_file.c_str(), why.c_str(), keys.c_str());
    return 2;
  }
  std::fprintf(stderr,
               "%s: note: none of the first %zu events of %s decodes: %s; its fields are: %s (other names: "
               "--field-map FIELD=NAME)\n",
               program, recs.size(), cfg.source_file.c_str(), why.c_str(), keys.c_str());
  return 0;
}

// The file source: one pipeline, one checkpoint. `Sink` is the console or an object sink.
template <class Sink>
int run_file_source(const config& cfg, locations& loc, Sink sink, sluice::json_lines_progress json,
                    const sluice::stop_flag& stop) {
  if (const int rc = check_first_events(cfg); rc != 0) return rc;
  auto src = sluice::fs::lines_source::open(cfg.source_file);
  if (!src) {
    std::fprintf(stderr, "%s: cannot open the source %s: %s\n", program, cfg.source_file.c_str(),
                 describe(src.error()).c_str());
    return 2;
  }
  auto eopt = etl_options(cfg);
  eopt.state_blobs = sluice::store::any_blobs(*loc.checkpoint);   // <checkpoint>/state/
  auto made = event_etl::make_event_etl(std::move(src).value(), std::move(sink), eopt);
  if (!made) {
    std::fprintf(stderr, "%s: cannot set up the pipeline: %s\n", program, describe(made.error()).c_str());
    return 2;
  }
  auto pipeline = std::move(made).value();
  console_progress<decltype(pipeline)> progress(pipeline, std::move(json));

  if (const int rc = loc.clean_checkpoint_folder(program); rc != 0) return rc;
  auto checkpoint = loc.checkpoint_root();
  auto dead_letters = loc.dead_letters_root();

  std::fprintf(stderr, "%s: %s → %s (%s)\n", program, cfg.source_file.c_str(), loc.sink_text.c_str(),
               settings_text(cfg, loc).c_str());
  auto summary = sluice::run(pipeline, checkpoint, dead_letters, progress, runner_options_of(cfg), stop);
  if (!summary && field_map_mismatch) return 2;
  if (!summary) {
    // A state file that is missing or damaged: say which (the stages' state stores know).
    for (const std::string& why : {pipeline.template transform<1>().state_error(),
                                   pipeline.template transform<2>().state_error()})
      if (!why.empty()) std::fprintf(stderr, "%s: %s\n", program, why.c_str());
    return report_failure(summary.error());
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

// Kafka: a consumer group member; every partition it owns is its own pipeline with its own
// checkpoint (dedup and window state included) under <checkpoint>/<topic>/<partition>/ and its
// own dead letters, shared by all members. `make_sink` builds a sink per partition.
template <class MakeSink>
int run_kafka_source(const config& cfg, locations& loc, MakeSink make_sink, sluice::json_lines_progress json,
                     const sluice::stop_flag& stop) {
  sluice::kafka::config kcfg;
  kcfg.bootstrap_servers = cfg.kafka.bootstrap_servers;
  kcfg.topic = cfg.kafka.topic;
  kcfg.group_id = cfg.kafka.group_id;
  kcfg.starting = cfg.kafka.starting_offsets == "earliest" ? sluice::kafka::starting_offsets::earliest
                                                           : sluice::kafka::starting_offsets::latest;
  for (const auto& kv : cfg.kafka.properties) {
    std::string why;
    if (!sluice::kafka::add_property(kcfg, kv, &why)) {
      std::fprintf(stderr, "%s: %s\n", program, why.c_str());
      return 2;
    }
  }
  auto joined = sluice_examples::join_group(program, kcfg);
  if (auto* rc = std::get_if<int>(&joined)) return *rc;
  auto& group = std::get<sluice_examples::group_connection>(joined);

  const auto eopt = etl_options(cfg);
  using pipe = event_etl::event_etl_pipeline<sluice::kafka::partition_source, std::invoke_result_t<MakeSink&>>;
  using unit = sluice::kafka::partition_unit<pipe, checkpoint_store, dead_letter_store>;
  auto factory = [&](const sluice::kafka::topic_partition& tp,
                     sluice::kafka::partition_source src) -> sluice::result<unit> {
    const std::string sub = sluice::kafka::partition_path(tp);
    auto popt = eopt;
    popt.state_blobs = sluice::store::any_blobs(loc.checkpoint->at(sub));   // <partition>/state/
    SLUICE_TRY(p, event_etl::make_event_etl(std::move(src), make_sink(), popt));
    std::fprintf(stderr, "%s: partition %s[%d] assigned\n", program, tp.topic.c_str(), tp.partition);
    return unit{std::move(p), loc.checkpoint_at(sub), loc.dead_letters_at(sub)};
  };
  record_progress progress(std::move(json));
  sluice::kafka::group_runner_options gopt;
  gopt.run = runner_options_of(cfg);
  sluice::system_environment env;
  sluice::kafka::group_runner<decltype(factory), record_progress> runner(
      group.member, std::move(group.reader), factory, progress, gopt, stop, env);

  std::fprintf(stderr, "%s: %s (group %s, starting offsets %s) → %s (%s)\n", program,
               sluice::kafka::describe(kcfg).c_str(), kcfg.group_id.c_str(), cfg.kafka.starting_offsets.c_str(),
               loc.sink_text.c_str(), settings_text(cfg, loc).c_str());
  auto summary = runner.run();
  if (!summary && field_map_mismatch) return 2;
  if (!summary) return report_failure(summary.error());
  const auto& g = summary.value();
  const auto& s = g.totals;
  std::fprintf(stderr,
               "%s: %s: %lld batches (%lld replayed), %lld events, %lld dead letters; partitions: %lld "
               "assigned, %lld revoked (%lld lost)\n",
               program, stop.stop_requested() ? "stopped" : "done", static_cast<long long>(s.batches),
               static_cast<long long>(s.replayed), static_cast<long long>(s.records),
               static_cast<long long>(s.rejects), static_cast<long long>(g.assigned),
               static_cast<long long>(g.revoked), static_cast<long long>(g.lost));
  return 0;
}

std::optional<sluice::json_lines_progress> open_progress(const config& cfg) {
  return sluice_examples::open_progress(program, cfg.progress.to_stderr, cfg.progress.file);
}

// The source and sink chosen: two sources × two sink types (the console, or one JSON-lines
// object per batch in a folder or on S3).
int dispatch(const config& cfg, locations& loc, sluice::json_lines_progress json, const sluice::stop_flag& stop) {
  const bool kafka = cfg.source == event_etl_cli::source_kind::kafka;
  if (!loc.make_sink) {
    auto make = [] { return sluice::fs::stdout_sink{}; };
    return kafka ? run_kafka_source(cfg, loc, make, std::move(json), stop)
                 : run_file_source(cfg, loc, make(), std::move(json), stop);
  }
  auto make = [&loc] { return objects_sink(loc.make_sink()); };
  return kafka ? run_kafka_source(cfg, loc, make, std::move(json), stop)
               : run_file_source(cfg, loc, make(), std::move(json), stop);
}

int run(const config& cfg) {
  for (const auto& n : cfg.notes) std::fprintf(stderr, "%s: note: %s\n", program, n.c_str());
  auto opened = open_locations(cfg);
  if (auto* rc = std::get_if<int>(&opened)) return *rc;
  auto& loc = std::get<locations>(opened);
  auto json = open_progress(cfg);
  if (!json) return 2;

  const int rc = sluice_examples::run_until_signal(
      program, loc.s3, [&](const sluice::stop_flag& stop) { return dispatch(cfg, loc, std::move(*json), stop); });
  if (loc.s3) {
    const auto& c = loc.s3->stats();
    std::fprintf(stderr, "%s: S3: %lld requests (%lld retries), %lld connections, %lld bytes sent, %lld received\n",
                 program, static_cast<long long>(c.requests), static_cast<long long>(c.retries),
                 static_cast<long long>(c.connections), static_cast<long long>(c.bytes_sent),
                 static_cast<long long>(c.bytes_received));
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  return sluice_examples::cli_main(
      program, SLUICE_VERSION_STRING, argc, argv,
      [](const std::vector<std::string>& args) { return event_etl_cli::parse(args, getenv_lookup); },
      event_etl_cli::help_text, [](const config& cfg) { return run(cfg); });
}
