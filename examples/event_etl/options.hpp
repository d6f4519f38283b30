// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Command line and environment of `sluice-event-etl`: a pure function from arguments and an
/// environment lookup to a validated configuration or a usage error (exit code 2). The
/// environment names are those of the Spark job it replaces (KAFKA_*, S3_*, CHECKPOINT_LOCATION,
/// WINDOW_DURATION, WATERMARK_DELAY); every one has a flag too, and a flag beats its variable.

#include "../common/option_table.hpp"
#include "sluice/stream/range_filter.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
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
/// Where window rows go.
enum class sink_kind { console, folder, s3 };

/// Kafka settings (the librdkafka properties are checked by `sluice::kafka` when the run starts).
struct kafka_settings {
  std::string bootstrap_servers;            ///< KAFKA_BOOTSTRAP_SERVERS
  std::string topic = "input_events";       ///< KAFKA_TOPIC
  std::string starting_offsets = "latest";  ///< KAFKA_STARTING_OFFSETS: earliest | latest
  std::string group_id = "sluice-event-etl";   ///< KAFKA_GROUP_ID
  std::vector<std::string> properties;      ///< -X KEY=VALUE (--kafka-property), in order
};

/// S3 settings (of the sink, and of s3:// checkpoint and dead-letter locations).
struct s3_settings {
  std::string bucket;     ///< S3_BUCKET
  std::string prefix;     ///< S3_PREFIX
  std::string endpoint;   ///< S3_ENDPOINT (empty: AWS)
  std::string region = "us-east-1";   ///< S3_REGION, else AWS_REGION, else AWS_DEFAULT_REGION
  bool path_style = false;            ///< S3_PATH_STYLE / --s3-path-style
  std::string ca_file;                ///< S3_CA_FILE / --s3-ca-file: CA bundle (PEM) for https
};

/// The validated configuration of one invocation.
struct config {
  command cmd = command::run;
  source_kind source = source_kind::file;
  std::filesystem::path source_file;             ///< --source file:PATH
  kafka_settings kafka;
  std::int64_t max_offsets_per_trigger = 1'000;  ///< KAFKA_MAX_OFFSETS_PER_TRIGGER (any source)
  sink_kind sink = sink_kind::console;
  std::filesystem::path sink_dir;                ///< --sink file:DIR
  s3_settings s3;
  std::string checkpoint_location = ".sluice/event-etl/checkpoint";   ///< CHECKPOINT_LOCATION
  bool checkpoint_on_s3 = false;                 ///< CHECKPOINT_LOCATION is s3://…
  std::filesystem::path dead_letters;            ///< --dead-letters (default: next to the checkpoint)
  bool dead_letters_on_s3 = false;               ///< `dead_letters` is s3://… (given, or next to
                                                 ///< an s3:// checkpoint)
  std::chrono::milliseconds window{60'000};      ///< WINDOW_DURATION
  std::chrono::milliseconds watermark_delay{600'000};   ///< WATERMARK_DELAY
  sluice::stream::range_filter_options ranges{};
  bool once = false;
  std::chrono::milliseconds trigger_interval{0};
  bool progress_to_stderr = true;
  std::filesystem::path progress_file;
  std::vector<std::string> notes;                ///< things worth telling the user at start
};

/// A usage or configuration error: the message for stderr; the exit code is 2.
struct usage_error {
  std::string message;
};

/// Looks up an environment variable (`std::getenv` in the program, a map in tests).
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// One option: its name (without `--`), its variable, its argument placeholder (empty for a
/// switch) and its help line.
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
    {"kafka-property", "", "KEY=VALUE",
     "a librdkafka property, as kcat -X (TLS, SASL, timeouts); repeatable; also -X KEY=VALUE"},
    {"kafka-starting-offsets", "KAFKA_STARTING_OFFSETS", "earliest|latest",
     "where a new query starts on Kafka (default latest)"},
    {"kafka-max-offsets-per-trigger", "KAFKA_MAX_OFFSETS_PER_TRIGGER", "N",
     "at most N events per micro-batch, for any source (default 1000)"},
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
    {"checkpoint-location", "CHECKPOINT_LOCATION", "PATH|s3://BUCKET/PREFIX",
     "checkpoint: plan, commit, dedup and window state; with Kafka one per partition under "
     "<location>/<topic>/<partition>/ (default .sluice/event-etl/checkpoint)"},
    {"dead-letters", "SLUICE_DEAD_LETTERS", "PATH|s3://BUCKET/PREFIX",
     "dead letters (rejected events with the reason), one JSON-lines file per batch (default: "
     "dead-letters next to the checkpoint directory)"},
    {"window-duration", "WINDOW_DURATION", "DURATION", "tumbling window length (default 1 minute)"},
    {"watermark-delay", "WATERMARK_DELAY", "DURATION",
     "how far behind the latest event time the watermark trails (default 10 minutes)"},
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

namespace detail {

inline bool to_int(std::string_view v, std::int64_t& out) {
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return !v.empty() && ec == std::errc{} && p == v.data() + v.size();
}

inline bool to_double(std::string_view v, double& out) {
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return !v.empty() && ec == std::errc{} && p == v.data() + v.size();
}

/// A duration as Spark writes them (`1 minute`, `10 minutes`, `30 seconds`, `500 milliseconds`,
/// `2 hours`, `1 day`) or short (`500ms`, `30s`, `1m`, `2h`, `1d`); `0` alone is zero.
inline std::optional<std::chrono::milliseconds> parse_duration(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  std::size_t digits = 0;
  while (digits < v.size() && v[digits] >= '0' && v[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  std::int64_t n = 0;
  if (!to_int(v.substr(0, digits), n)) return std::nullopt;
  std::string_view unit = v.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  struct named {
    std::string_view name;
    std::int64_t ms;
  };
  static constexpr named units[] = {
      {"ms", 1},          {"millisecond", 1},   {"milliseconds", 1}, {"s", 1'000},
      {"sec", 1'000},     {"second", 1'000},    {"seconds", 1'000},  {"m", 60'000},
      {"min", 60'000},    {"minute", 60'000},   {"minutes", 60'000}, {"h", 3'600'000},
      {"hour", 3'600'000}, {"hours", 3'600'000}, {"d", 86'400'000},  {"day", 86'400'000},
      {"days", 86'400'000}};
  if (unit.empty()) {
    if (n == 0) return std::chrono::milliseconds(0);
    return std::nullopt;
  }
  for (const auto& u : units)
    if (u.name == unit) return std::chrono::milliseconds(n * u.ms);
  return std::nullopt;
}

/// `LO:HI` with LO ≤ HI.
inline std::optional<sluice::stream::value_range> parse_range(std::string_view v) {
  // The separator is the first ':' that is not the sign of HI: "-150:0", "0:100", "-90:-10".
  const auto colon = v.find(':', 1);
  if (colon == std::string_view::npos) return std::nullopt;
  sluice::stream::value_range r;
  if (!to_double(v.substr(0, colon), r.lo) || !to_double(v.substr(colon + 1), r.hi) || r.lo > r.hi)
    return std::nullopt;
  return r;
}

/// `file:PATH`, `file://PATH` or a plain path; `s3://…` is reported through `on_s3`.
inline std::variant<std::filesystem::path, usage_error> parse_path(std::string_view where,
                                                                    std::string_view v,
                                                                    bool* on_s3 = nullptr) {
  if (v.empty()) return usage_error{std::string(where) + ": empty location"};
  if (v.rfind("s3://", 0) == 0 || v.rfind("s3a://", 0) == 0) {
    if (on_s3 != nullptr) {
      *on_s3 = true;
      return std::filesystem::path(v);
    }
    return usage_error{std::string(where) + ": s3:// locations are not supported here"};
  }
  if (v.rfind("file:", 0) == 0) {
    v.remove_prefix(5);
    if (v.rfind("//", 0) == 0) v.remove_prefix(2);
    if (v.empty()) return usage_error{std::string(where) + ": empty path after 'file:'"};
    return std::filesystem::path(v);
  }
  const auto colon = v.find(':');
  const auto slash = v.find('/');
  if (colon != std::string_view::npos && colon > 1 && (slash == std::string_view::npos || colon < slash))
    return usage_error{std::string(where) + ": the scheme '" + std::string(v.substr(0, colon)) +
                       ":' is not supported (use file:PATH or a plain path)"};
  return std::filesystem::path(v);
}

inline bool is_bucket_name(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (const char c : b)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  return b.front() != '.' && b.front() != '-' && b.back() != '.' && b.back() != '-';
}

inline bool is_topic_name(std::string_view t) {
  if (t.empty() || t.size() > 249 || t == "." || t == "..") return false;
  for (const char c : t)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace detail

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

/// Parses `args` (without the program name) with `env` as fallback into a configuration.
///
/// Errors: a `usage_error` for an unknown option, a missing or bad value, or conflicting
/// choices of source or sink.
inline std::variant<config, usage_error> parse(const std::vector<std::string>& args,
                                               const env_lookup& env) {
  config cfg;
  auto scanned = sluice_examples::scan_flags(args, 0, options_table,
                                             {{"max-offsets-per-trigger", "kafka-max-offsets-per-trigger"}});
  if (auto* bad = std::get_if<std::string>(&scanned)) return usage_error{std::move(*bad)};
  auto& sf = std::get<sluice_examples::scanned_flags>(scanned);
  if (sf.help || sf.version) {
    cfg.cmd = sf.help ? command::help : command::version;
    return cfg;
  }
  const auto& flags = sf.given;   // flag → value ("" for a switch)

  struct found {
    std::string value;
    std::string where;    // "--flag" or the variable's name
    bool from_flag;
  };
  const auto get = [&](std::string_view flag) -> std::optional<found> {
    std::optional<found> last;
    for (const auto& [n, v] : flags)
      if (n == flag) last = found{v, "--" + n, true};
    if (last) return last;
    for (const auto& o : options_table)
      if (o.name == flag)
        if (auto v = env(std::string(o.env))) return found{*v, std::string(o.env), false};
    return std::nullopt;
  };

  // --- source ---------------------------------------------------------------------------------
  const auto file = get("source");
  const auto brokers = get("kafka-bootstrap-servers");
  if (file && brokers && file->from_flag == brokers->from_flag)
    return usage_error{"both " + file->where + " and " + brokers->where +
                       " are given: choose a file or Kafka as the source"};
  if (file && (!brokers || file->from_flag)) {
    auto p = detail::parse_path(file->where, file->value);
    if (auto* e = std::get_if<usage_error>(&p)) return *e;
    cfg.source = source_kind::file;
    cfg.source_file = std::get<std::filesystem::path>(p);
    if (brokers) cfg.notes.push_back(brokers->where + " is ignored: " + file->where + " names the source");
  } else if (brokers) {
    if (brokers->value.empty()) return usage_error{brokers->where + ": empty broker list"};
    cfg.source = source_kind::kafka;
    cfg.kafka.bootstrap_servers = brokers->value;
  } else {
    return usage_error{"no source: give --source file:PATH, or KAFKA_BOOTSTRAP_SERVERS for Kafka"};
  }
  if (auto v = get("kafka-topic")) {
    if (!detail::is_topic_name(v->value))
      return usage_error{v->where + ": not a Kafka topic name (1 to 249 of A-Z a-z 0-9 . _ -): '" +
                         v->value + "'"};
    cfg.kafka.topic = v->value;
  }
  if (auto v = get("kafka-starting-offsets")) {
    if (v->value != "earliest" && v->value != "latest")
      return usage_error{v->where + ": expected earliest or latest, got '" + v->value + "'"};
    cfg.kafka.starting_offsets = v->value;
  }
  if (auto v = get("kafka-group-id")) {
    if (v->value.empty()) return usage_error{v->where + ": empty consumer group id"};
    cfg.kafka.group_id = v->value;
  }
  for (const auto& [n, v] : flags) {
    if (n != "kafka-property") continue;
    const auto eq = v.find('=');
    // The value is not echoed: it may be a secret.
    if (eq == std::string::npos || eq == 0) return usage_error{"-X: expected KEY=VALUE"};
    cfg.kafka.properties.push_back(v);
  }
  if (auto v = get("kafka-max-offsets-per-trigger")) {
    if (!detail::to_int(v->value, cfg.max_offsets_per_trigger) || cfg.max_offsets_per_trigger < 1 ||
        cfg.max_offsets_per_trigger > 100'000'000)
      return usage_error{v->where + ": expected a whole number from 1 to 100000000, got '" +
                         v->value + "'"};
  }

  // --- sink -----------------------------------------------------------------------------------
  const auto sink = get("sink");
  const auto bucket = get("s3-bucket");
  if (sink && bucket && sink->from_flag == bucket->from_flag)
    return usage_error{"both " + sink->where + " and " + bucket->where +
                       " are given: choose the console, a folder or S3 as the sink"};
  if (sink && (!bucket || sink->from_flag)) {
    if (sink->value == "console" || sink->value == "stdout") {
      cfg.sink = sink_kind::console;
    } else {
      auto p = detail::parse_path(sink->where, sink->value);
      if (auto* e = std::get_if<usage_error>(&p)) return *e;
      cfg.sink = sink_kind::folder;
      cfg.sink_dir = std::get<std::filesystem::path>(p);
    }
    if (bucket) cfg.notes.push_back(bucket->where + " is ignored: " + sink->where + " names the sink");
  } else if (bucket) {
    if (!detail::is_bucket_name(bucket->value))
      return usage_error{bucket->where + ": not a bucket name (3 to 63 of a-z 0-9 . -): '" +
                         bucket->value + "'"};
    cfg.sink = sink_kind::s3;
    cfg.s3.bucket = bucket->value;
  }
  if (auto v = get("s3-prefix")) cfg.s3.prefix = v->value;
  if (auto v = get("s3-endpoint")) {
    if (v->value.rfind("http://", 0) != 0 && v->value.rfind("https://", 0) != 0)
      return usage_error{v->where + ": expected http://HOST[:PORT] or https://…, got '" + v->value + "'"};
    cfg.s3.endpoint = v->value;
  }
  if (auto v = get("s3-region")) {
    cfg.s3.region = v->value;
  } else if (auto r = env("AWS_REGION"); r && !r->empty()) {
    cfg.s3.region = *r;
  } else if (auto d = env("AWS_DEFAULT_REGION"); d && !d->empty()) {
    cfg.s3.region = *d;
  }
  if (cfg.s3.region.empty() || cfg.s3.region.size() > 64 ||
      cfg.s3.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    return usage_error{"S3 region: expected a region name such as eu-west-1, got '" + cfg.s3.region + "'"};
  if (auto v = get("s3-path-style")) {
    if (v->from_flag || v->value == "1" || v->value == "true" || v->value == "yes" || v->value == "on") {
      cfg.s3.path_style = true;
    } else if (v->value == "0" || v->value == "false" || v->value == "no" || v->value == "off") {
      cfg.s3.path_style = false;
    } else {
      return usage_error{v->where + ": expected true or false, got '" + v->value + "'"};
    }
  }

  if (auto v = get("s3-ca-file")) {
    std::error_code ec;
    if (v->value.empty() || !std::filesystem::is_regular_file(v->value, ec))
      return usage_error{v->where + ": not a readable file: '" + v->value + "'"};
    cfg.s3.ca_file = v->value;
  }

  // --- checkpoint and dead letters --------------------------------------------------------------
  if (auto v = get("checkpoint-location")) {
    auto p = detail::parse_path(v->where, v->value, &cfg.checkpoint_on_s3);
    if (auto* e = std::get_if<usage_error>(&p)) return *e;
    cfg.checkpoint_location = std::get<std::filesystem::path>(p).string();
  }
  if (cfg.checkpoint_on_s3) {
    // s3://bucket/x/checkpoint → s3://bucket/x/dead-letters; s3://bucket → s3://bucket/dead-letters.
    std::string url = cfg.checkpoint_location;
    while (url.size() > 5 && url.back() == '/') url.pop_back();
    const auto scheme_end = url.find("://") + 3;
    const auto slash = url.rfind('/');
    cfg.dead_letters = (slash < scheme_end ? url : url.substr(0, slash)) + "/dead-letters";
    cfg.dead_letters_on_s3 = true;
  } else {
    auto base = std::filesystem::path(cfg.checkpoint_location).lexically_normal();
    if (!base.has_filename()) base = base.parent_path();
    const auto parent = base.parent_path();
    cfg.dead_letters = (parent.empty() ? std::filesystem::path(".") : parent) / "dead-letters";
  }
  if (auto v = get("dead-letters")) {
    cfg.dead_letters_on_s3 = false;
    auto p = detail::parse_path(v->where, v->value, &cfg.dead_letters_on_s3);
    if (auto* e = std::get_if<usage_error>(&p)) return *e;
    cfg.dead_letters = std::get<std::filesystem::path>(p);
  }

  // --- windows, watermark, ranges -------------------------------------------------------------
  if (auto v = get("window-duration")) {
    const auto d = detail::parse_duration(v->value);
    if (!d || d->count() <= 0)
      return usage_error{v->where + ": expected a positive duration such as '1 minute' or 30s, got '" +
                         v->value + "'"};
    cfg.window = *d;
  }
  if (auto v = get("watermark-delay")) {
    const auto d = detail::parse_duration(v->value);
    if (!d) return usage_error{v->where + ": expected a duration such as '10 minutes' or 0, got '" +
                               v->value + "'"};
    cfg.watermark_delay = *d;
  }
  const std::pair<std::string_view, sluice::stream::value_range*> ranges[] = {
      {"battery-range", &cfg.ranges.battery_level},  {"signal-range", &cfg.ranges.signal_strength},
      {"latitude-range", &cfg.ranges.latitude},      {"longitude-range", &cfg.ranges.longitude},
      {"duration-range", &cfg.ranges.event_duration}};
  for (const auto& [flag, range] : ranges) {
    if (auto v = get(flag)) {
      const auto r = detail::parse_range(v->value);
      if (!r) return usage_error{v->where + ": expected LO:HI with LO <= HI, got '" + v->value + "'"};
      *range = *r;
    }
  }

  // --- running --------------------------------------------------------------------------------
  if (auto v = get("once")) {
    if (v->from_flag) {
      cfg.once = true;
    } else if (v->value == "1" || v->value == "true" || v->value == "yes" || v->value == "on") {
      cfg.once = true;
    } else if (v->value == "0" || v->value == "false" || v->value == "no" || v->value == "off") {
      cfg.once = false;
    } else {
      return usage_error{v->where + ": expected true or false, got '" + v->value + "'"};
    }
  }
  if (auto v = get("trigger-interval")) {
    const auto d = detail::parse_duration(v->value);
    if (!d) return usage_error{v->where + ": expected a duration such as 10s, got '" + v->value + "'"};
    cfg.trigger_interval = *d;
  }
  if (auto v = get("progress")) {
    if (v->value == "stderr") {
      cfg.progress_to_stderr = true;
    } else {
      auto p = detail::parse_path(v->where, v->value);
      if (auto* e = std::get_if<usage_error>(&p)) return *e;
      cfg.progress_to_stderr = false;
      cfg.progress_file = std::get<std::filesystem::path>(p);
    }
  }
  return cfg;
}

}  // namespace event_etl_cli
