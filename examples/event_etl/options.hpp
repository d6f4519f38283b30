// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Command line and environment of `sluice-event-etl`: a pure function from arguments and an
/// environment lookup to a validated configuration or a usage error (exit code 2). The
/// environment names are those of the Spark job it replaces (KAFKA_*, S3_*, CHECKPOINT_LOCATION,
/// WINDOW_DURATION, WATERMARK_DELAY); every one has a flag too, and a flag beats its variable.
/// Reading values (`../common/option_reader.hpp`) and the locations and S3 settings
/// (`../common/storage_options.hpp`) are shared with `sluice-schema-writer`, whose S3, Kafka,
/// checkpoint and dead-letter option names it takes too.

#include "../common/option_reader.hpp"
#include "../common/option_table.hpp"
#include "../common/storage_options.hpp"
#include "sluice/event_etl/event_fields.hpp"
#include "sluice/event_etl/range_filter.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace event_etl_cli {

/// What the program was asked to do.
enum class command { run, help, version };

/// Where events come from.
enum class source_kind { file, kafka };

/// A local path or an S3 prefix.
using location = sluice_examples::location;
/// S3 settings (of the sink, and of s3:// checkpoint and dead-letter locations).
using s3_settings = sluice_examples::s3_settings;
/// Where progress records go.
using progress_target = sluice_examples::progress_target;

/// Kafka settings (the librdkafka properties are checked by `sluice::kafka` when the run starts).
struct kafka_settings {
  std::string bootstrap_servers;            ///< KAFKA_BOOTSTRAP_SERVERS
  std::string topic = "input_events";       ///< KAFKA_TOPIC
  std::string starting_offsets = "latest";  ///< KAFKA_STARTING_OFFSETS: earliest | latest
  std::string group_id = "sluice-event-etl";   ///< KAFKA_GROUP_ID
  std::vector<std::string> properties;      ///< -X KEY=VALUE (--kafka-property), in order
};

/// The validated configuration of one invocation.
struct config {
  command cmd = command::run;
  source_kind source = source_kind::file;
  std::filesystem::path source_file;             ///< --source file:PATH
  kafka_settings kafka;
  std::int64_t max_records_per_batch = 1'000;    ///< KAFKA_MAX_OFFSETS_PER_TRIGGER (any source)
  std::optional<location> sink;                  ///< --sink file:DIR or S3_BUCKET; none: the console
  s3_settings s3;
  int retry_max_attempts = 8;                    ///< --retry-max-attempts: per batch step, first included
  location checkpoint = std::filesystem::path(".sluice/event-etl/checkpoint");   ///< CHECKPOINT_LOCATION
  location dead_letters;                         ///< --dead-letters (default: next to the checkpoint)
  std::chrono::milliseconds window{60'000};      ///< WINDOW_DURATION
  std::chrono::milliseconds watermark_delay{600'000};   ///< WATERMARK_DELAY
  std::int64_t state_snapshot_interval = 100;    ///< --state-snapshot-interval: changelogs per snapshot
  std::int64_t min_batches_to_retain = 100;      ///< --min-batches-to-retain: batches recoverable
  sluice::event_etl::range_filter_options ranges{};
  sluice::event_etl::event_fields fields{};      ///< --field-map: the JSON names of the fields
  bool fields_mapped = false;                    ///< --field-map given (checked on the first events)
  bool once = false;
  std::chrono::milliseconds trigger_interval{0};
  progress_target progress;
  std::vector<std::string> notes;                ///< things worth telling the user at start
};

/// A usage or configuration error: the message for stderr; the exit code is 2.
using usage_error = sluice_examples::usage_error;

/// Looks up an environment variable (`std::getenv` in the program, a map in tests).
using env_lookup = sluice_examples::env_lookup;

/// One option: its name (without `--`), its variable, its argument placeholder (empty for a
/// switch) and its help line; or an alias (`same_as`).
using sluice_examples::option_info;

/// The options, in the order of `--help`.
inline constexpr option_info options_table[] = {
    {"source", "SLUICE_SOURCE", "file:PATH",
     "read JSON-lines events from a file (one event per line); without it the source is Kafka"},
    {"kafka-bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "HOST:PORT[,…]",
     "Kafka brokers of the input topic; a consumer group member runs one pipeline per partition "
     "it owns"},
    {"kafka-topic", "KAFKA_TOPIC", "TOPIC",
     "input topic (default input_events); it must be keyed by device_id (see below)"},
    {"kafka-group-id", "KAFKA_GROUP_ID", "GROUP", "consumer group (default sluice-event-etl)"},
    sluice_examples::alias("group-id", "kafka-group-id"),
    {"kafka-property", "", "KEY=VALUE",
     "a librdkafka property, as kcat -X (TLS, SASL, timeouts); repeatable; also -X KEY=VALUE"},
    {"kafka-starting-offsets", "KAFKA_STARTING_OFFSETS", "earliest|latest",
     "where a new query starts on Kafka (default latest)"},
    sluice_examples::alias("starting-offsets", "kafka-starting-offsets"),
    {"kafka-max-offsets-per-trigger", "KAFKA_MAX_OFFSETS_PER_TRIGGER", "N",
     "at most N events per micro-batch, for any source (default 1000)"},
    sluice_examples::alias("max-records-per-batch", "kafka-max-offsets-per-trigger"),
    {"sink", "SLUICE_SINK", "console|file:DIR",
     "where window rows go: stdout as JSON lines, or one JSON-lines file per batch in DIR "
     "(default: console, or S3 when S3_BUCKET is set)"},
    {"s3-bucket", "S3_BUCKET", "BUCKET",
     "write window rows to this bucket, one JSON-lines object per batch (credentials: "
     "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or AWS_PROFILE)"},
    {"s3-prefix", "S3_PREFIX", "PREFIX", "key prefix in the bucket"},
    {"s3-endpoint", "S3_ENDPOINT", "URL", "S3-compatible endpoint, http(s)://HOST[:PORT] (default AWS)"},
    {"s3-region", "S3_REGION", "REGION",
     "region for signing (default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)"},
    {"s3-path-style", "S3_PATH_STYLE", "",
     "path-style addressing (http://HOST/BUCKET/KEY), for S3-compatible servers"},
    {"s3-ca-file", "S3_CA_FILE", "PATH",
     "PEM file of the CA certificates that verify an https S3 endpoint (default: the system's "
     "bundle); certificates are always verified"},
    sluice_examples::s3_max_attempts_option,
    sluice_examples::s3_request_timeout_option,
    {"retry-max-attempts", "SLUICE_RETRY_MAX_ATTEMPTS", "N",
     "attempts per batch step (plan, read, write, commit), the first included, when a step "
     "failed with a retriable error after the S3 client's own retries; past it the run stops "
     "with exit 1 and its checkpoint intact (default 8; 1 to 100)"},
    {"checkpoint-location", "CHECKPOINT_LOCATION", "PATH|s3://BUCKET/PREFIX",
     "checkpoint: plan, commit, dedup and window state; with Kafka one per partition under "
     "<location>/<topic>/<partition>/ (default .sluice/event-etl/checkpoint)"},
    sluice_examples::alias("checkpoint", "checkpoint-location"),
    {"dead-letters", "SLUICE_DEAD_LETTERS", "PATH|s3://BUCKET/PREFIX",
     "dead letters (rejected events with the reason), one JSON-lines file per batch (default: "
     "dead-letters next to the checkpoint directory)"},
    {"state-snapshot-interval", "SLUICE_STATE_SNAPSHOT_INTERVAL", "N",
     "the dedup keys and open windows are checkpointed incrementally under <checkpoint>/state/: "
     "a changelog of what each batch changed, and every N changelogs a snapshot of the whole "
     "state instead (default 100; 1 to 1000000)"},
    {"min-batches-to-retain", "SLUICE_MIN_BATCHES_TO_RETAIN", "N",
     "keep the state files that recovering any of the last N batches needs, delete older ones "
     "(as spark.sql.streaming.minBatchesToRetain; default 100; 1 to 1000000)"},
    {"window-duration", "WINDOW_DURATION", "DURATION", "tumbling window length (default 1 minute)"},
    {"watermark-delay", "WATERMARK_DELAY", "DURATION",
     "how far behind the latest event time the watermark trails (default 10 minutes)"},
    {"field-map", "SLUICE_FIELD_MAP", "FIELD=NAME[,…]",
     "the JSON names of the event's fields where they differ from the schema's, e.g. "
     "event_time=timestamp,location.city=town; FIELD is one of event_id, device_id, device_type, "
     "event_time, event_duration, battery_level, signal_strength, location, firmware_version, "
     "location.city, location.country, location.latitude, location.longitude (default: the "
     "names as written); a map that the first events do not fit (none decodes, one lacks a "
     "required field) is an error (exit 2) before anything is committed"},
    {"battery-range", "SLUICE_BATTERY_RANGE", "LO:HI", "valid battery_level, percent (default 0:100)"},
    {"signal-range", "SLUICE_SIGNAL_RANGE", "LO:HI", "valid signal_strength, dBm (default -150:0)"},
    {"latitude-range", "SLUICE_LATITUDE_RANGE", "LO:HI", "valid latitude (default -90:90)"},
    {"longitude-range", "SLUICE_LONGITUDE_RANGE", "LO:HI", "valid longitude (default -180:180)"},
    {"duration-range", "SLUICE_DURATION_RANGE", "LO:HI",
     "valid event_duration, seconds (default 0:1e300)"},
    {"once", "SLUICE_ONCE", "", "process what the source holds now, then exit (available-now)"},
    {"trigger-interval", "SLUICE_TRIGGER_INTERVAL", "DURATION",
     "time between micro-batch starts (default 0: as soon as the previous one is done)"},
    {"progress", "SLUICE_PROGRESS", "stderr|file:PATH",
     "where the JSON progress record of each batch goes (default stderr)"},
};

/// The text of `--help`.
inline std::string help_text() {
  std::string s =
      "usage: sluice-event-etl [OPTIONS]\n"
      "\n"
      "Device events (JSON, one per message or line) are parsed and validated against the\n"
      "declared schema (rejects go to the dead letters with the reason), filtered by value\n"
      "ranges, deduplicated by (event_id, device_id) under the watermark, and aggregated per\n"
      "device in tumbling event-time windows; a window is written once the watermark (the\n"
      "latest event time minus WATERMARK_DELAY) passes its end (append mode). Micro-batches are\n"
      "checkpointed with the dedup and window state, so a restart neither loses nor double-counts\n"
      "an event. See docs/event-etl.md.\n"
      "\n"
      "Options (each also as an environment variable, shown in brackets; a flag beats its\n"
      "variable):\n";
  sluice_examples::append_options_help(s, options_table);
  s +=
      "  --help      this text\n"
      "  --version   the version\n"
      "\n"
      "Durations: '1 minute', '10 minutes', '30 seconds', '500 milliseconds', '2 hours', or\n"
      "500ms, 30s, 1m, 2h.\n"
      "Kafka: every partition this member of the consumer group owns is its own pipeline with its\n"
      "own checkpoint, dedup and window state and watermark. Dedup by (event_id, device_id) and\n"
      "windows per device are therefore exact only when all events of a device are in one\n"
      "partition: the topic MUST be keyed by device_id (as Spark's per-key semantics need).\n"
      "Without --once it runs until SIGTERM or SIGINT and stops after the batch in progress,\n"
      "with the checkpoint intact; with --once it stops when every partition is caught up.\n"
      "Exit codes: 0 done, 1 fatal error, 2 usage or configuration error.\n";
  return s;
}

/// Names the scanner reads without listing them: Spark's name of the batch size.
inline constexpr sluice_examples::hidden_alias hidden_aliases[] = {
    {"max-offsets-per-trigger", "kafka-max-offsets-per-trigger"}};

namespace detail {

inline bool to_double(std::string_view v, double& out) {
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return !v.empty() && ec == std::errc{} && p == v.data() + v.size();
}

/// `LO:HI` with LO ≤ HI.
inline std::optional<sluice::event_etl::value_range> parse_range(std::string_view v) {
  // The separator is the first ':' that is not the sign of HI: "-150:0", "0:100", "-90:-10".
  const auto colon = v.find(':', 1);
  if (colon == std::string_view::npos) return std::nullopt;
  sluice::event_etl::value_range r;
  if (!to_double(v.substr(0, colon), r.lo) || !to_double(v.substr(colon + 1), r.hi) || r.lo > r.hi)
    return std::nullopt;
  return r;
}

/// `FIELD=NAME[,FIELD=NAME…]` into `out` (from the defaults); the reason on an error: an unknown
/// FIELD, an empty NAME, a FIELD twice, or two fields of one object under one name.
inline std::optional<std::string> parse_field_map(std::string_view v, sluice::event_etl::event_fields& out) {
  using fields = sluice::event_etl::event_fields;
  out = fields{};
  std::array<bool, fields::count> given{};   // the fields mapped so far
  while (!v.empty()) {
    const auto comma = v.find(',');
    const std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return "expected FIELD=NAME, got '" + std::string(item) + "'";
    const std::string_view field = item.substr(0, eq), name = item.substr(eq + 1);
    const auto f = fields::find(field);
    if (!f) {
      std::string known;
      for (const auto l : fields::logical) known += (known.empty() ? "" : ", ") + std::string(l);
      return "unknown field '" + std::string(field) + "' (the fields: " + known + ")";
    }
    if (name.empty()) return "an empty name for the field '" + std::string(field) + "'";
    if (given[*f]) return "the field '" + std::string(field) + "' is mapped twice";
    given[*f] = true;
    out[*f] = std::string(name);
  }
  // Two fields of one object (the event, or its location) under one JSON name.
  for (std::size_t i = 0; i < fields::count; ++i) {
    for (std::size_t j = i + 1; j < fields::count; ++j) {
      const auto a = static_cast<fields::field>(i), b = static_cast<fields::field>(j);
      if (fields::nested(a) == fields::nested(b) && out[a] == out[b])
        return "the fields '" + std::string(fields::logical[a]) + "' and '" + std::string(fields::logical[b]) +
               "' have the same name '" + out[a] + "'";
    }
  }
  return std::nullopt;
}

inline bool is_topic_name(std::string_view t) {
  if (t.empty() || t.size() > 249 || t == "." || t == "..") return false;
  for (const char c : t)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return false;
  return true;
}


// The source, the sink and the progress file: local.
inline constexpr sluice_examples::location_rules local_rules{"file:PATH or a plain path"};

// --source file:PATH, or Kafka: servers, topic, starting offsets, group, -X.
inline std::optional<usage_error> read_source(const sluice_examples::option_reader& r, config& cfg) {
  const auto file = r.get("source");
  const auto brokers = r.get("kafka-bootstrap-servers");
  auto which = sluice_examples::pick_one(file, brokers, "choose a file or Kafka as the source", "the source", cfg.notes);
  if (auto* e = std::get_if<usage_error>(&which)) return std::move(*e);
  switch (std::get<sluice_examples::picked>(which)) {
    case sluice_examples::picked::first: {
      auto p = sluice_examples::parse_location(file->where, file->value, local_rules);
      if (auto* e = std::get_if<usage_error>(&p)) return std::move(*e);
      cfg.source = source_kind::file;
      cfg.source_file = *std::get<location>(p).local();
      break;
    }
    case sluice_examples::picked::second:
      if (brokers->value.empty()) return usage_error{brokers->where + ": empty broker list"};
      cfg.source = source_kind::kafka;
      cfg.kafka.bootstrap_servers = brokers->value;
      break;
    case sluice_examples::picked::neither:
      return usage_error{"no source: give --source file:PATH, or KAFKA_BOOTSTRAP_SERVERS for Kafka"};
  }
  if (auto v = r.get("kafka-topic")) {
    if (!is_topic_name(v->value))
      return usage_error{v->where + ": not a Kafka topic name (1 to 249 of A-Z a-z 0-9 . _ -): '" + v->value + "'"};
    cfg.kafka.topic = v->value;
  }
  if (auto v = r.get("kafka-starting-offsets")) {
    if (v->value != "earliest" && v->value != "latest")
      return usage_error{v->where + ": expected earliest or latest, got '" + v->value + "'"};
    cfg.kafka.starting_offsets = v->value;
  }
  if (auto v = r.get("kafka-group-id")) {
    if (v->value.empty()) return usage_error{v->where + ": empty consumer group id"};
    cfg.kafka.group_id = v->value;
  }
  for (auto& v : r.all("kafka-property")) {
    const auto eq = v.find('=');
    // The value is not echoed: it may be a secret.
    if (eq == std::string::npos || eq == 0) return usage_error{"-X: expected KEY=VALUE"};
    cfg.kafka.properties.push_back(std::move(v));
  }
  return std::nullopt;
}

}  // namespace detail

/// Parses `args` (without the program name) with `env` as fallback into a configuration.
///
/// Errors: a `usage_error` for an unknown option, a missing or bad value, or conflicting
/// choices of source or sink.
inline std::variant<config, usage_error> parse(const std::vector<std::string>& args,
                                               const env_lookup& env) {
  namespace ex = sluice_examples;
  config cfg;
  auto read = ex::read_options(args, 0, options_table, env, ex::duration_syntax::spark, hidden_aliases);
  if (auto* bad = std::get_if<usage_error>(&read)) return std::move(*bad);
  const auto& r = std::get<ex::option_reader>(read);
  if (r.help() || r.version()) {
    cfg.cmd = r.help() ? command::help : command::version;
    return cfg;
  }

  if (auto e = detail::read_source(r, cfg)) return *e;
  if (auto e = ex::read_whole_number(r, "kafka-max-offsets-per-trigger", 1, 100'000'000, cfg.max_records_per_batch))
    return *e;
  if (auto e = ex::read_sink(r, {"console, file:DIR or a plain path"}, true, cfg.sink, cfg.notes)) return *e;
  if (auto e = ex::read_s3_settings(r, cfg.s3)) return *e;
  if (auto e = ex::read_whole_number(r, "retry-max-attempts", 1, 100, cfg.retry_max_attempts)) return *e;

  // An S3 problem of the checkpoint names CHECKPOINT_LOCATION, as the Spark job's users know it.
  constexpr ex::location_rules storage_rules{"s3://BUCKET/PREFIX, file:PATH or a plain path", true};
  constexpr ex::location_rules checkpoint_rules{storage_rules.expected, true, "CHECKPOINT_LOCATION"};
  if (auto e = ex::read_location(r, "checkpoint-location", checkpoint_rules, cfg.checkpoint)) return *e;
  cfg.dead_letters = ex::dead_letters_beside(cfg.checkpoint);
  if (auto e = ex::read_location(r, "dead-letters", storage_rules, cfg.dead_letters)) return *e;

  if (auto e = ex::read_whole_number(r, "state-snapshot-interval", 1, 1'000'000, cfg.state_snapshot_interval))
    return *e;
  if (auto e = ex::read_whole_number(r, "min-batches-to-retain", 1, 1'000'000, cfg.min_batches_to_retain))
    return *e;
  if (auto e = ex::read_duration(r, "window-duration", "a positive duration such as '1 minute' or 30s", cfg.window,
                                 std::chrono::milliseconds(1)))
    return *e;
  if (auto e = ex::read_duration(r, "watermark-delay", "a duration such as '10 minutes' or 0", cfg.watermark_delay))
    return *e;
  const std::pair<std::string_view, sluice::event_etl::value_range*> ranges[] = {
      {"battery-range", &cfg.ranges.battery_level},  {"signal-range", &cfg.ranges.signal_strength},
      {"latitude-range", &cfg.ranges.latitude},      {"longitude-range", &cfg.ranges.longitude},
      {"duration-range", &cfg.ranges.event_duration}};
  for (const auto& [name, range] : ranges) {
    if (auto v = r.get(name)) {
      const auto parsed = detail::parse_range(v->value);
      if (!parsed) return usage_error{v->where + ": expected LO:HI with LO <= HI, got '" + v->value + "'"};
      *range = *parsed;
    }
  }

  if (auto v = r.get("field-map")) {
    if (auto why = detail::parse_field_map(v->value, cfg.fields)) return usage_error{v->where + ": " + *why};
    cfg.fields_mapped = true;
  }

  if (auto e = ex::read_switch(r, "once", cfg.once)) return *e;
  if (auto e = ex::read_duration(r, "trigger-interval", "a duration such as 10s", cfg.trigger_interval)) return *e;
  if (auto e = ex::read_progress(r, detail::local_rules.expected, cfg.progress)) return *e;
  return cfg;
}

}  // namespace event_etl_cli
