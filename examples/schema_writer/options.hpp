// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Command line and environment of `sluice-schema-writer`: a pure function from arguments and an
/// environment lookup to a validated configuration or a usage error (exit code 2). The option
/// table says what it takes; reading values (`../common/option_reader.hpp`) and the locations
/// and S3 settings (`../common/storage_options.hpp`) are shared with `sluice-event-etl`, whose
/// S3, Kafka, checkpoint and dead-letter option names it takes too.

#include "../common/option_reader.hpp"
#include "../common/option_table.hpp"
#include "../common/storage_options.hpp"
#include "sluice/kafka/config.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace schema_writer_cli {

/// What the program was asked to do.
enum class command { run, batches, help, version };

/// Where progress records go.
using progress_target = sluice_examples::progress_target;
/// S3 settings shared by every s3:// location of an invocation.
using s3_settings = sluice_examples::s3_settings;
/// A local path or an S3 prefix.
using location = sluice_examples::location;

/// The validated configuration of one invocation.
///
/// The source is a kcat -J file unless `kafka` is set (a `kafka://` URL, or
/// `--kafka-bootstrap-servers` with `--kafka-topic`).
struct config {
  command cmd = command::run;
  std::filesystem::path source;            ///< kcat -J file
  bool source_is_default = false;          ///< no --source / SLUICE_SOURCE: the bundled sample
  std::optional<sluice::kafka::config> kafka;   ///< --source kafka://…, group, offsets, -X
  location sink;                           ///< catalog root
  location checkpoint;                     ///< checkpoint and completed-batches log
  location dead_letters;
  s3_settings s3;
  bool once = false;                       ///< available-now: process what exists, then exit
  bool lowercase_names = true;
  std::int64_t max_records_per_batch = 10'000;
  std::int64_t max_bytes_per_batch = 4 << 20;   ///< Kafka: a batch's keys and payloads, at most
  std::int64_t max_message_bytes = 10 << 20;  ///< larger messages (key + payload) are dead letters
  std::chrono::milliseconds trigger_interval{1'000};
  int retry_max_attempts = 8;              ///< --retry-max-attempts: per batch step, first included
  std::string app = "sluice-schema-writer";
  std::string stream_name = "default";
  bool stream_name_given = false;          ///< --stream-name / SLUICE_STREAM_NAME was set
  progress_target progress;
  std::optional<int> since_yyyymm;         ///< `batches --since`
  std::vector<std::string> notes;          ///< things worth telling the user at start
};

/// A usage or configuration error: the message for stderr; the exit code is 2.
using usage_error = sluice_examples::usage_error;

/// Looks up an environment variable (`std::getenv` in the program, a map in tests).
using env_lookup = sluice_examples::env_lookup;

/// Defaults that depend on where the program lives.
struct defaults {
  std::filesystem::path sample;   ///< the bundled sample, the default source
};

namespace detail {

// App and stream names become path segments of the completed-batches log.
inline bool is_safe_name(std::string_view v) {
  if (v.empty() || v.size() > 128 || v == "." || v == "..") return false;
  for (const char c : v) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

inline bool parse_yyyymm(std::string_view v, int& out) {
  if (v.size() != 6) return false;
  std::int64_t n = 0;
  if (!sluice_examples::parse_int64(v, n) || n < 0) return false;
  const auto month = n % 100;
  if (month < 1 || month > 12 || n / 100 < 1970) return false;
  out = static_cast<int>(n);
  return true;
}

}  // namespace detail

/// One option: its name (without the leading `--`), its variable (`SLUICE_<NAME>`), its
/// argument placeholder (empty for a flag) and its help line; or an alias (`same_as`).
using sluice_examples::option_info;

/// The options, their environment variables and their help lines, in the order of `--help`.
inline constexpr option_info options_table[] = {
    {"source", "SLUICE_SOURCE", "kafka://HOST:PORT[,HOST:PORT...]/TOPIC | file:PATH",
     "the schema topic, or kcat -J JSON lines of it (default: the bundled sample; see below)"},
    {"kafka-bootstrap-servers", "SLUICE_KAFKA_BOOTSTRAP_SERVERS", "HOST:PORT[,HOST:PORT...]",
     "Kafka brokers; with --kafka-topic, the same as --source kafka://HOST:PORT[,HOST:PORT...]/TOPIC"},
    {"kafka-topic", "SLUICE_KAFKA_TOPIC", "TOPIC", "the schema topic of --kafka-bootstrap-servers"},
    {"group-id", "SLUICE_GROUP_ID", "NAME",
     "Kafka consumer group; instances of one group share the partitions (default "
     "sluice-schema-writer)"},
    sluice_examples::alias("kafka-group-id", "group-id"),
    {"starting-offsets", "SLUICE_STARTING_OFFSETS", "earliest|latest",
     "where a partition starts that has neither a checkpoint nor a committed group offset "
     "(default earliest)"},
    sluice_examples::alias("kafka-starting-offsets", "starting-offsets"),
    {"kafka-property", "", "KEY=VALUE",
     "a librdkafka property, as kcat -X (TLS, SASL, timeouts); repeatable; also -X KEY=VALUE"},
    {"sink", "SLUICE_SINK", "s3://BUCKET/PREFIX | file:DIR",
     "schema catalog root (default: file:./schema-catalog)"},
    {"s3-bucket", "SLUICE_S3_BUCKET", "BUCKET",
     "the catalog in this bucket, under --s3-prefix: the same as --sink s3://BUCKET/PREFIX"},
    {"s3-prefix", "SLUICE_S3_PREFIX", "PREFIX", "key prefix of --s3-bucket"},
    {"checkpoint", "SLUICE_CHECKPOINT", "s3://BUCKET/PREFIX | file:DIR",
     "checkpoint and completed-batches log (default: file:./.sluice/checkpoint)"},
    sluice_examples::alias("checkpoint-location", "checkpoint"),
    {"dead-letters", "SLUICE_DEAD_LETTERS", "s3://BUCKET/PREFIX | file:DIR",
     "dead letters, one JSON line per rejected message (default: dead-letters next to the "
     "checkpoint, i.e. file:./.sluice/dead-letters by default)"},
    {"s3-endpoint", "SLUICE_S3_ENDPOINT", "URL",
     "S3 endpoint, http(s)://HOST[:PORT] (default: AWS's for the region)"},
    {"s3-region", "SLUICE_S3_REGION", "REGION",
     "S3 region for signing (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)"},
    {"s3-path-style", "SLUICE_S3_PATH_STYLE", "",
     "address buckets as HOST/BUCKET/KEY instead of BUCKET.HOST/KEY (S3-compatible servers)"},
    {"s3-ca-file", "SLUICE_S3_CA_FILE", "PATH",
     "PEM file of the CA certificates that verify an https S3 endpoint (default: the system's "
     "bundle); certificates are always verified"},
    sluice_examples::s3_max_attempts_option,
    sluice_examples::s3_request_timeout_option,
    {"retry-max-attempts", "SLUICE_RETRY_MAX_ATTEMPTS", "N",
     "attempts per batch step (plan, read, write, log, commit), the first included, when a step "
     "failed with a retriable error after the S3 client's own retries; past it the run stops "
     "with exit 1 and its checkpoint intact (default 8; 1 to 100)"},
    {"once", "SLUICE_ONCE", "",
     "process what the source holds now, then exit 0 (implied when the source is the bundled "
     "sample)"},
    {"lowercase-names", "SLUICE_LOWERCASE_NAMES", "", "lowercase field names (the default)"},
    {"no-lowercase-names", "SLUICE_LOWERCASE_NAMES=false", "", "keep field names as they are"},
    {"max-records-per-batch", "SLUICE_MAX_RECORDS_PER_BATCH", "N",
     "at most N offsets per micro-batch (default 10000)"},
    sluice_examples::alias("kafka-max-offsets-per-trigger", "max-records-per-batch"),
    {"max-bytes-per-batch", "SLUICE_MAX_BYTES_PER_BATCH", "N",
     "with Kafka, a micro-batch also ends before the message that would take its keys and "
     "payloads past N bytes (a larger message is a batch of its own), and the consumer buffers "
     "about N bytes ahead, so memory stays bounded at any backlog (default 4194304 = 4 MiB; "
     "65536 to 1073741824)"},
    {"max-message-bytes", "SLUICE_MAX_MESSAGE_BYTES", "N",
     "a message whose key and payload exceed N bytes is a dead letter ('too large'; default "
     "10485760)"},
    {"trigger-interval", "SLUICE_TRIGGER_INTERVAL", "DURATION",
     "time between batch starts: 500ms, 10s, 1m, 1h (default 1s; 0 with --once)"},
    {"app", "SLUICE_APP", "NAME", "app name in the completed-batches log (default sluice-schema-writer)"},
    {"stream-name", "SLUICE_STREAM_NAME", "NAME",
     "stream name in the log (default: default; with Kafka <topic>-<partition>); batches: list "
     "only this stream (default: every stream of the app)"},
    {"progress", "SLUICE_PROGRESS", "stderr|file:PATH",
     "where the JSON progress record of each batch goes (default stderr)"},
    {"since", "SLUICE_SINCE", "YYYYMM", "batches: list only months from YYYYMM on"},
};

/// The text of `--help`.
inline std::string help_text() {
  std::string s =
      "usage: sluice-schema-writer [run] [OPTIONS]\n"
      "       sluice-schema-writer batches [--checkpoint LOCATION] [--app NAME]\n"
      "                                    [--stream-name NAME] [--since YYYYMM]\n"
      "\n"
      "Reads a GoldenGate schema topic (from Kafka, or a kcat -C -J dump of it), and writes\n"
      "every table schema to SINK/<db.schema.table>/<fingerprint>.avsc (a folder or an S3\n"
      "prefix): the key normalized, the envelope schema\n"
      "(oracle.goldengate.generic_wrapper) dropped, the fingerprint of the raw schema as Java\n"
      "Avro computes it, the schema preprocessed for Spark (lowercase field names, decimal\n"
      "precision at most 38). Micro-batches are checkpointed and logged, so a restart after a\n"
      "crash replays exactly the unfinished batch. 'batches' prints the completed-batches log.\n"
      "\n"
      "Options (each also as an environment variable; a flag beats its variable):\n";
  sluice_examples::append_options_help(s, options_table);
  s +=
      "  --help      this text\n"
      "  --version   the version\n"
      "\n"
      "Run with no arguments, it processes the bundled sample into ./schema-catalog and exits\n"
      "(the demo). With another --source and no --once it runs until SIGTERM or SIGINT, one batch\n"
      "per trigger interval, and stops after the current batch commits.\n"
      "Locations: s3://BUCKET/PREFIX, file:PATH, file://PATH or a plain path. Boolean variables\n"
      "take 1/0, true/false, yes/no, on/off.\n"
      "S3 credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, else the\n"
      "shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials) with\n"
      "AWS_PROFILE; they are never printed.\n"
      "Kafka: every partition is its own stream with its own checkpoint under\n"
      "<checkpoint>/<topic>/<partition>/; run more instances with the same --group-id and the\n"
      "same --checkpoint (S3 or a shared folder) to share the partitions. Group offsets are\n"
      "committed after a batch is logged complete. --once stops when every partition owned\n"
      "has caught up with the end it had at start.\n"
      "The completed-batches log lives in <checkpoint>/completed-batches/. One writer per\n"
      "checkpoint (per partition with Kafka); temp files of a killed run are removed at start.\n"
      "Exit codes: 0 done, 1 fatal error, 2 usage or configuration error.\n";
  return s;
}

namespace detail {

// The sink, checkpoint and dead letters: a folder or an S3 prefix.
inline constexpr sluice_examples::location_rules storage_rules{"s3://BUCKET/PREFIX or file:PATH", true};

// --source (kafka://… or a file), or --kafka-bootstrap-servers with --kafka-topic.
inline std::optional<usage_error> read_source(const sluice_examples::option_reader& r, config& cfg) {
  const auto source = r.get("source");
  const auto servers = r.get("kafka-bootstrap-servers");
  auto which = sluice_examples::pick_one(source, servers, "choose one source", "the source", cfg.notes);
  if (auto* e = std::get_if<usage_error>(&which)) return std::move(*e);
  const auto picked = std::get<sluice_examples::picked>(which);
  const auto topic = r.get("kafka-topic");
  if (topic && topic->from_flag && picked != sluice_examples::picked::second) {
    return usage_error{topic->where + " applies with --kafka-bootstrap-servers only"};
  }
  if (picked == sluice_examples::picked::neither) return std::nullopt;
  cfg.source_is_default = false;
  std::string url;
  std::string_view where;
  if (picked == sluice_examples::picked::first) {
    if (sluice_examples::scheme_of(source->value) != "kafka") {
      auto parsed = sluice_examples::parse_location(
          source->where, source->value, {"kafka://HOST:PORT[,HOST:PORT...]/TOPIC or file:PATH"});
      if (auto* e = std::get_if<usage_error>(&parsed)) return std::move(*e);
      cfg.source = *std::get<location>(parsed).local();
      return std::nullopt;
    }
    url = source->value;
    where = source->where;
  } else {
    if (!topic) return usage_error{servers->where + ": needs --kafka-topic (the schema topic)"};
    url = "kafka://" + servers->value + "/" + topic->value;
    where = servers->where;
  }
  std::string why;
  auto parsed = sluice::kafka::parse_source_url(url, &why);
  if (!parsed) return usage_error{std::string(where) + ": " + why};
  sluice::kafka::config k;
  k.bootstrap_servers = parsed.value().bootstrap_servers;
  k.topic = parsed.value().topic;
  cfg.kafka = std::move(k);
  return std::nullopt;
}

// The consumer group, starting offsets and -X properties of a Kafka source.
inline std::optional<usage_error> read_kafka(const sluice_examples::option_reader& r, config& cfg) {
  if (!cfg.kafka) {
    const bool kafka_only_given = r.flag("group-id") || r.flag("starting-offsets") || r.flag("kafka-property");
    if (kafka_only_given && cfg.cmd == command::run) {
      return usage_error{"--group-id, --starting-offsets and -X apply to a kafka:// source only"};
    }
    return std::nullopt;
  }
  cfg.kafka->group_id = "sluice-schema-writer";
  if (auto v = r.get("group-id")) {
    if (v->value.empty() || v->value.size() > 255) {
      return usage_error{v->where + ": expected a consumer group name of 1 to 255 characters"};
    }
    cfg.kafka->group_id = v->value;
  }
  if (auto v = r.get("starting-offsets")) {
    std::string why;
    auto so = sluice::kafka::parse_starting_offsets(v->value, &why);
    if (!so) return usage_error{v->where + ": " + why};
    cfg.kafka->starting = so.value();
  }
  for (const auto& value : r.all("kafka-property")) {
    std::string why;
    if (!sluice::kafka::add_property(*cfg.kafka, value, &why)) return usage_error{why};
  }
  return std::nullopt;
}

// A name of the completed-batches log (--app, --stream-name).
inline std::optional<usage_error> read_name(const sluice_examples::option_reader& r, std::string_view name,
                                            std::string& out, bool* given = nullptr) {
  const auto v = r.get(name);
  if (!v) return std::nullopt;
  if (!is_safe_name(v->value)) {
    return usage_error{v->where + ": expected 1 to 128 of A-Z a-z 0-9 _ - . (not . or ..), got '" + v->value + "'"};
  }
  out = v->value;
  if (given != nullptr) *given = true;
  return std::nullopt;
}

}  // namespace detail

/// Parses `args` (without the program name) with `env` as fallback into a configuration.
///
/// Errors: a `usage_error` for an unknown option or command, a missing or bad value, an
/// unsupported location scheme.
inline std::variant<config, usage_error> parse(const std::vector<std::string>& args,
                                               const env_lookup& env, const defaults& defs) {
  namespace ex = sluice_examples;
  config cfg;
  std::size_t i = 0;
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    if (args[0] == "run") {
      cfg.cmd = command::run;
    } else if (args[0] == "batches") {
      cfg.cmd = command::batches;
    } else {
      return usage_error{"unknown command '" + args[0] + "' (expected run or batches)"};
    }
    i = 1;
  }

  // Flags first, in order; then every option from its flag, its variable or its default.
  auto read = ex::read_options(args, i, options_table, env, ex::duration_syntax::compact);
  if (auto* bad = std::get_if<usage_error>(&read)) return std::move(*bad);
  const auto& r = std::get<ex::option_reader>(read);
  if (r.help() || r.version()) {
    cfg.cmd = r.help() ? command::help : command::version;
    return cfg;
  }
  if (cfg.cmd != command::batches && r.flag("since")) {
    return usage_error{"--since applies to the 'batches' command only"};
  }

  cfg.source = defs.sample;
  cfg.source_is_default = true;
  if (auto e = detail::read_source(r, cfg)) return *e;
  if (auto e = detail::read_kafka(r, cfg)) return *e;
  std::optional<location> sink = location(std::filesystem::path("schema-catalog"));
  if (auto e = ex::read_sink(r, detail::storage_rules, false, sink, cfg.notes)) return *e;
  cfg.sink = std::move(*sink);
  cfg.checkpoint = std::filesystem::path(".sluice") / "checkpoint";
  if (auto e = ex::read_location(r, "checkpoint", detail::storage_rules, cfg.checkpoint)) return *e;
  cfg.dead_letters = ex::dead_letters_beside(cfg.checkpoint);
  if (auto e = ex::read_location(r, "dead-letters", detail::storage_rules, cfg.dead_letters)) return *e;
  if (auto e = ex::read_s3_settings(r, cfg.s3)) return *e;
  if (auto e = ex::read_whole_number(r, "retry-max-attempts", 1, 100, cfg.retry_max_attempts)) return *e;

  // The demo must return: the bundled sample never grows, so running on it means --once.
  cfg.once = cfg.source_is_default;
  if (auto e = ex::read_switch(r, "once", cfg.once)) return *e;
  {
    // The last of --lowercase-names / --no-lowercase-names wins; else the variable.
    std::optional<bool> lower;
    for (const auto& g : r.given()) {
      if (g.name == "lowercase-names") lower = true;
      if (g.name == "no-lowercase-names") lower = false;
    }
    if (!lower) {
      if (auto v = r.env("SLUICE_LOWERCASE_NAMES")) {
        lower = ex::parse_bool(*v);
        if (!lower) return usage_error{"SLUICE_LOWERCASE_NAMES: expected true or false, got '" + *v + "'"};
      }
    }
    cfg.lowercase_names = lower.value_or(cfg.lowercase_names);
  }

  if (auto e = ex::read_whole_number(r, "max-records-per-batch", 1, 100'000'000, cfg.max_records_per_batch)) return *e;
  if (auto e = ex::read_whole_number(r, "max-bytes-per-batch", std::int64_t{1} << 16, std::int64_t{1} << 30,
                                     cfg.max_bytes_per_batch)) {
    return *e;
  }
  if (cfg.kafka) cfg.kafka->read_ahead_bytes = static_cast<std::size_t>(cfg.max_bytes_per_batch);
  if (auto e = ex::read_whole_number(r, "max-message-bytes", 1, std::int64_t{1} << 30, cfg.max_message_bytes)) {
    return *e;
  }
  if (r.get("trigger-interval")) {
    if (auto e = ex::read_duration(r, "trigger-interval", "a duration such as 500ms, 10s, 1m or 1h",
                                   cfg.trigger_interval)) {
      return *e;
    }
  } else if (cfg.once) {
    // Available-now runs its batches back to back (as Spark's Trigger.AvailableNow) unless an
    // interval is asked for.
    cfg.trigger_interval = std::chrono::milliseconds(0);
  }
  if (auto e = detail::read_name(r, "app", cfg.app)) return *e;
  if (auto e = detail::read_name(r, "stream-name", cfg.stream_name, &cfg.stream_name_given)) return *e;
  if (auto e = ex::read_progress(r, "file:PATH", cfg.progress)) return *e;
  if (cfg.cmd == command::batches) {
    if (auto v = r.get("since")) {
      int yyyymm = 0;
      if (!detail::parse_yyyymm(v->value, yyyymm)) {
        return usage_error{v->where + ": expected a month as YYYYMM (e.g. 202508), got '" + v->value + "'"};
      }
      cfg.since_yyyymm = yyyymm;
    }
  }
  return cfg;
}

}  // namespace schema_writer_cli
