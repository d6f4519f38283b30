// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Command line and environment of `sluice-schema-writer`: a pure function from arguments and an
/// environment lookup to a validated configuration or a usage error (exit code 2).

#include "../common/option_table.hpp"
#include "sluice/kafka/config.hpp"
#include "sluice/s3/location.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace schema_writer_cli {

/// What the program was asked to do.
enum class command { run, batches, help, version };

/// Where progress records go.
struct progress_target {
  bool to_stderr = true;         ///< JSON lines on stderr (mixed with the human log lines)
  std::filesystem::path file;    ///< else appended to this file
};

/// S3 settings shared by every s3:// location of an invocation.
struct s3_settings {
  std::optional<sluice::s3::endpoint> endpoint;   ///< --s3-endpoint; else AWS's for the region
  std::string region = "us-east-1";               ///< --s3-region, AWS_REGION, AWS_DEFAULT_REGION
  bool path_style = false;                        ///< --s3-path-style
  int max_attempts = 5;                           ///< --s3-max-attempts: per request, first included
  std::chrono::milliseconds request_timeout{60'000};   ///< --s3-request-timeout: one attempt
  std::string ca_file;   ///< --s3-ca-file: CA bundle (PEM) for an https endpoint; empty: the system's
};

/// The validated configuration of one invocation.
///
/// Each location is local (the path member) unless its `*_s3` member is set (an `s3://` URL);
/// the source is a kcat -J file unless `kafka` is set (a `kafka://` URL).
struct config {
  command cmd = command::run;
  std::filesystem::path source;            ///< kcat -J file
  bool source_is_default = false;          ///< no --source / SLUICE_SOURCE: the bundled sample
  std::optional<sluice::kafka::config> kafka;   ///< --source kafka://…, group, offsets, -X
  std::filesystem::path sink;              ///< catalog root
  std::optional<sluice::s3::location> sink_s3;
  std::filesystem::path checkpoint;        ///< checkpoint directory
  std::optional<sluice::s3::location> checkpoint_s3;
  std::filesystem::path dead_letters;      ///< dead-letter directory
  std::optional<sluice::s3::location> dead_letters_s3;
  s3_settings s3;
  bool once = false;                       ///< available-now: process what exists, then exit
  bool lowercase_names = true;
  std::int64_t max_records_per_batch = 10'000;
  std::int64_t max_message_bytes = 10 << 20;  ///< larger messages (key + payload) are dead letters
  std::chrono::milliseconds trigger_interval{1'000};
  int retry_max_attempts = 8;              ///< --retry-max-attempts: per batch step, first included
  std::string app = "sluice-schema-writer";
  std::string stream_name = "default";
  bool stream_name_given = false;          ///< --stream-name / SLUICE_STREAM_NAME was set
  progress_target progress;
  std::optional<int> since_yyyymm;         ///< `batches --since`
};

/// A usage or configuration error: the message for stderr; the exit code is 2.
struct usage_error {
  std::string message;
};

/// Looks up an environment variable (`std::getenv` in the program, a map in tests).
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// Defaults that depend on where the program lives.
struct defaults {
  std::filesystem::path sample;   ///< the bundled sample, the default source
};

namespace detail {

inline bool parse_bool(std::string_view v, bool& out) {
  if (v == "1" || v == "true" || v == "yes" || v == "on") return out = true, true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return out = false, true;
  return false;
}

// The scheme of a location (`file`, `s3`, `kafka`, …), or empty for a bare local path.
inline std::string_view scheme_of(std::string_view v) {
  const auto colon = v.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  const std::string_view scheme = v.substr(0, colon);
  for (const char c : scheme) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '-' || c == '.';
    if (!ok) return {};
  }
  return scheme;
}

// "file:PATH", "file://PATH" or a bare local path; `allowed` names the other schemes the option
// takes (handled by the caller), any other scheme is refused.
inline std::variant<std::filesystem::path, usage_error> parse_location(
    std::string_view option, std::string_view v, std::string_view allowed = "file:PATH") {
  if (v.empty()) return usage_error{std::string(option) + ": empty location"};
  const std::string_view scheme = scheme_of(v);
  if (scheme.empty()) return std::filesystem::path(v);
  if (scheme != "file") {
    return usage_error{std::string(option) + ": the scheme '" + std::string(scheme) +
                       ":' is not supported here; expected " + std::string(allowed)};
  }
  std::string_view path = v.substr(scheme.size() + 1);
  if (path.substr(0, 2) == "//") path.remove_prefix(2);  // file:///abs → /abs
  if (path.empty()) return usage_error{std::string(option) + ": empty path after 'file:'"};
  return std::filesystem::path(path);
}

inline bool parse_int64(std::string_view v, std::int64_t& out) {
  if (v.empty()) return false;
  const auto* first = v.data();
  const auto* last = v.data() + v.size();
  const auto [ptr, ec] = std::from_chars(first, last, out);
  return ec == std::errc{} && ptr == last;
}

// "500ms", "10s", "1m", "2h", or "0".
inline bool parse_duration(std::string_view v, std::chrono::milliseconds& out) {
  std::size_t digits = 0;
  while (digits < v.size() && v[digits] >= '0' && v[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return false;
  std::int64_t n = 0;
  if (!parse_int64(v.substr(0, digits), n)) return false;
  const std::string_view unit = v.substr(digits);
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1'000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit.empty() && n == 0) scale = 1;
  else return false;
  out = std::chrono::milliseconds(n * scale);
  return true;
}

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
  if (!parse_int64(v, n) || n < 0) return false;
  const auto month = n % 100;
  if (month < 1 || month > 12 || n / 100 < 1970) return false;
  out = static_cast<int>(n);
  return true;
}

}  // namespace detail

/// One option: its name (without the leading `--`), its variable (`SLUICE_<NAME>`), its
/// argument placeholder (empty for a flag) and its help line.
using sluice_examples::option_info;

/// The options, their environment variables and their help lines, in the order of `--help`.
inline constexpr option_info options_table[] = {
    {"source", "SLUICE_SOURCE", "kafka://HOST:PORT[,HOST:PORT...]/TOPIC | file:PATH",
     "the schema topic, or kcat -J JSON lines of it (default: the bundled sample; see below)"},
    {"group-id", "SLUICE_GROUP_ID", "NAME",
     "Kafka consumer group; instances of one group share the partitions (default "
     "sluice-schema-writer)"},
    {"starting-offsets", "SLUICE_STARTING_OFFSETS", "earliest|latest",
     "where a partition starts that has neither a checkpoint nor a committed group offset "
     "(default earliest)"},
    {"kafka-property", "", "KEY=VALUE",
     "a librdkafka property, as kcat -X (TLS, SASL, timeouts); repeatable; also -X KEY=VALUE"},
    {"sink", "SLUICE_SINK", "s3://BUCKET/PREFIX | file:DIR",
     "schema catalog root (default: file:./schema-catalog)"},
    {"checkpoint", "SLUICE_CHECKPOINT", "s3://BUCKET/PREFIX | file:DIR",
     "checkpoint and completed-batches log (default: file:./.sluice/checkpoint)"},
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
    {"s3-max-attempts", "SLUICE_S3_MAX_ATTEMPTS", "N",
     "attempts per S3 request, the first included, for 5xx, 503 SlowDown, throttling, timeouts "
     "and connection errors (default 5; 1 to 100)"},
    {"s3-request-timeout", "SLUICE_S3_REQUEST_TIMEOUT", "DURATION",
     "time limit of one S3 request attempt; a stalled request is retried (default 60s)"},
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

/// Parses `args` (without the program name) with `env` as fallback into a configuration.
///
/// Errors: a `usage_error` for an unknown option or command, a missing or bad value, an
/// unsupported location scheme.
inline std::variant<config, usage_error> parse(const std::vector<std::string>& args,
                                               const env_lookup& env, const defaults& defs) {
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

  // Flags first, in order by option name; then fill every option from flag, env or default.
  auto scanned = sluice_examples::scan_flags(args, i, options_table);
  if (auto* bad = std::get_if<std::string>(&scanned)) return usage_error{std::move(*bad)};
  auto& sf = std::get<sluice_examples::scanned_flags>(scanned);
  if (sf.help || sf.version) {
    cfg.cmd = sf.help ? command::help : command::version;
    return cfg;
  }
  const auto& given = sf.given;   // name → value ("" for switches)
  if (cfg.cmd != command::batches) {
    for (const auto& [name, value] : given) {
      if (name == "since") return usage_error{"--since applies to the 'batches' command only"};
    }
  }

  const auto flag = [&](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> last;
    for (const auto& [n, v] : given) {
      if (n == name) last = v;
    }
    return last;
  };
  // A flag's value, else its variable's; the second member says where it came from.
  struct sourced {
    std::string value;
    std::string where;
  };
  const auto lookup = [&](std::string_view name, const char* var) -> std::optional<sourced> {
    if (auto v = flag(name)) return sourced{*v, "--" + std::string(name)};
    if (auto v = env(var)) return sourced{*v, var};
    return std::nullopt;
  };

  // A local location, or an S3 one when the value is an s3:// URL.
  const auto location = [&](std::string_view name, const char* var, std::filesystem::path& out,
                            std::optional<sluice::s3::location>* s3_out) -> std::optional<usage_error> {
    if (auto v = lookup(name, var)) {
      if (s3_out != nullptr && detail::scheme_of(v->value) == "s3") {
        std::string why;
        auto parsed = sluice::s3::parse_location(v->value, &why);
        if (!parsed) return usage_error{v->where + ": " + why};
        *s3_out = std::move(parsed).value();
        return std::nullopt;
      }
      auto parsed = detail::parse_location(
          v->where, v->value, s3_out != nullptr ? "s3://BUCKET/PREFIX or file:PATH" : "file:PATH");
      if (auto* e = std::get_if<usage_error>(&parsed)) return *e;
      out = std::get<std::filesystem::path>(parsed);
      if (s3_out != nullptr) s3_out->reset();
    }
    return std::nullopt;
  };

  cfg.source = defs.sample;
  cfg.source_is_default = true;
  if (auto v = lookup("source", "SLUICE_SOURCE")) {
    cfg.source_is_default = false;
    if (detail::scheme_of(v->value) == "kafka") {
      std::string why;
      auto url = sluice::kafka::parse_source_url(v->value, &why);
      if (!url) return usage_error{v->where + ": " + why};
      sluice::kafka::config k;
      k.bootstrap_servers = url.value().bootstrap_servers;
      k.topic = url.value().topic;
      cfg.kafka = std::move(k);
    } else {
      auto parsed = detail::parse_location(v->where, v->value,
                                           "kafka://HOST:PORT[,HOST:PORT...]/TOPIC or file:PATH");
      if (auto* e = std::get_if<usage_error>(&parsed)) return *e;
      cfg.source = std::get<std::filesystem::path>(parsed);
    }
  }
  {
    const bool kafka_only_given = flag("group-id") || flag("starting-offsets") || flag("kafka-property");
    if (cfg.kafka) {
      cfg.kafka->group_id = "sluice-schema-writer";
      if (auto v = lookup("group-id", "SLUICE_GROUP_ID")) {
        if (v->value.empty() || v->value.size() > 255) {
          return usage_error{v->where + ": expected a consumer group name of 1 to 255 characters"};
        }
        cfg.kafka->group_id = v->value;
      }
      if (auto v = lookup("starting-offsets", "SLUICE_STARTING_OFFSETS")) {
        std::string why;
        auto so = sluice::kafka::parse_starting_offsets(v->value, &why);
        if (!so) return usage_error{v->where + ": " + why};
        cfg.kafka->starting = so.value();
      }
      for (const auto& [n, value] : given) {
        if (n != "kafka-property") continue;
        std::string why;
        if (!sluice::kafka::add_property(*cfg.kafka, value, &why)) return usage_error{why};
      }
    } else if (kafka_only_given && cfg.cmd == command::run) {
      return usage_error{"--group-id, --starting-offsets and -X apply to a kafka:// source only"};
    }
  }
  cfg.sink = "schema-catalog";
  if (auto e = location("sink", "SLUICE_SINK", cfg.sink, &cfg.sink_s3)) return *e;
  cfg.checkpoint = std::filesystem::path(".sluice") / "checkpoint";
  if (auto e = location("checkpoint", "SLUICE_CHECKPOINT", cfg.checkpoint, &cfg.checkpoint_s3)) return *e;
  if (cfg.checkpoint_s3) {
    // Default: a sibling of the checkpoint prefix (s3://b/x/checkpoint → s3://b/x/dead-letters).
    sluice::s3::location dl = *cfg.checkpoint_s3;
    const auto slash = dl.prefix.rfind('/');
    dl.prefix = slash == std::string::npos ? "dead-letters" : dl.prefix.substr(0, slash) + "/dead-letters";
    if (cfg.checkpoint_s3->prefix.empty()) dl.prefix = "dead-letters";
    cfg.dead_letters_s3 = std::move(dl);
  } else {
    // Default: a sibling of the checkpoint directory (./.sluice/dead-letters by default).
    auto parent = cfg.checkpoint.lexically_normal();
    if (!parent.has_filename()) parent = parent.parent_path();  // "dir/" → "dir"
    parent = parent.parent_path();
    cfg.dead_letters = (parent.empty() ? std::filesystem::path(".") : parent) / "dead-letters";
  }
  if (auto e = location("dead-letters", "SLUICE_DEAD_LETTERS", cfg.dead_letters, &cfg.dead_letters_s3)) return *e;

  if (auto v = lookup("s3-endpoint", "SLUICE_S3_ENDPOINT")) {
    std::string why;
    auto ep = sluice::s3::parse_endpoint(v->value, &why);
    if (!ep) return usage_error{v->where + ": " + why};
    cfg.s3.endpoint = std::move(ep).value();
  }
  if (auto v = lookup("s3-region", "SLUICE_S3_REGION")) {
    cfg.s3.region = v->value;
  } else if (auto r = env("AWS_REGION")) {
    cfg.s3.region = *r;
  } else if (auto d = env("AWS_DEFAULT_REGION")) {
    cfg.s3.region = *d;
  }
  if (cfg.s3.region.empty() || cfg.s3.region.size() > 64 ||
      cfg.s3.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return usage_error{"S3 region: expected a region name such as eu-west-1, got '" + cfg.s3.region + "'"};
  }
  if (auto v = lookup("s3-ca-file", "SLUICE_S3_CA_FILE")) {
    std::error_code ec;
    if (v->value.empty() || !std::filesystem::is_regular_file(v->value, ec)) {
      return usage_error{v->where + ": not a readable file: '" + v->value + "'"};
    }
    cfg.s3.ca_file = v->value;
  }
  if (flag("s3-path-style")) {
    cfg.s3.path_style = true;
  } else if (auto v = env("SLUICE_S3_PATH_STYLE")) {
    if (!detail::parse_bool(*v, cfg.s3.path_style)) {
      return usage_error{"SLUICE_S3_PATH_STYLE: expected true or false, got '" + *v + "'"};
    }
  }

  const auto attempts = [&](std::string_view name, const char* var, int& out) -> std::optional<usage_error> {
    if (auto v = lookup(name, var)) {
      std::int64_t n = 0;
      if (!detail::parse_int64(v->value, n) || n < 1 || n > 100) {
        return usage_error{v->where + ": expected a whole number from 1 to 100, got '" + v->value + "'"};
      }
      out = static_cast<int>(n);
    }
    return std::nullopt;
  };
  if (auto e = attempts("s3-max-attempts", "SLUICE_S3_MAX_ATTEMPTS", cfg.s3.max_attempts)) return *e;
  if (auto e = attempts("retry-max-attempts", "SLUICE_RETRY_MAX_ATTEMPTS", cfg.retry_max_attempts)) return *e;
  if (auto v = lookup("s3-request-timeout", "SLUICE_S3_REQUEST_TIMEOUT")) {
    if (!detail::parse_duration(v->value, cfg.s3.request_timeout) || cfg.s3.request_timeout.count() < 1) {
      return usage_error{v->where + ": expected a duration such as 500ms, 10s or 1m, got '" + v->value + "'"};
    }
  }

  if (flag("once")) {
    cfg.once = true;
  } else if (auto v = env("SLUICE_ONCE")) {
    if (!detail::parse_bool(*v, cfg.once)) {
      return usage_error{"SLUICE_ONCE: expected true or false, got '" + *v + "'"};
    }
  } else {
    // The demo must return: the bundled sample never grows, so running on it means --once.
    cfg.once = cfg.source_is_default;
  }

  {
    // The last of --lowercase-names / --no-lowercase-names wins; else the variable.
    std::optional<bool> lower;
    for (const auto& [n, v] : given) {
      if (n == "lowercase-names") lower = true;
      if (n == "no-lowercase-names") lower = false;
    }
    if (lower) {
      cfg.lowercase_names = *lower;
    } else if (auto v = env("SLUICE_LOWERCASE_NAMES")) {
      if (!detail::parse_bool(*v, cfg.lowercase_names)) {
        return usage_error{"SLUICE_LOWERCASE_NAMES: expected true or false, got '" + *v + "'"};
      }
    }
  }

  if (auto v = lookup("max-records-per-batch", "SLUICE_MAX_RECORDS_PER_BATCH")) {
    if (!detail::parse_int64(v->value, cfg.max_records_per_batch) ||
        cfg.max_records_per_batch < 1 || cfg.max_records_per_batch > 100'000'000) {
      return usage_error{v->where + ": expected a whole number from 1 to 100000000, got '" +
                         v->value + "'"};
    }
  }
  if (auto v = lookup("max-message-bytes", "SLUICE_MAX_MESSAGE_BYTES")) {
    if (!detail::parse_int64(v->value, cfg.max_message_bytes) || cfg.max_message_bytes < 1 ||
        cfg.max_message_bytes > (std::int64_t{1} << 30)) {
      return usage_error{v->where + ": expected a whole number from 1 to 1073741824, got '" + v->value + "'"};
    }
  }
  if (auto v = lookup("trigger-interval", "SLUICE_TRIGGER_INTERVAL")) {
    if (!detail::parse_duration(v->value, cfg.trigger_interval)) {
      return usage_error{v->where + ": expected a duration such as 500ms, 10s, 1m or 1h, got '" +
                         v->value + "'"};
    }
  } else if (cfg.once) {
    // Available-now runs its batches back to back (as Spark's Trigger.AvailableNow) unless an
    // interval is asked for.
    cfg.trigger_interval = std::chrono::milliseconds(0);
  }
  if (auto v = lookup("app", "SLUICE_APP")) {
    if (!detail::is_safe_name(v->value)) {
      return usage_error{v->where + ": expected 1 to 128 of A-Z a-z 0-9 _ - . (not . or ..), got '" +
                         v->value + "'"};
    }
    cfg.app = v->value;
  }
  if (auto v = lookup("stream-name", "SLUICE_STREAM_NAME")) {
    if (!detail::is_safe_name(v->value)) {
      return usage_error{v->where + ": expected 1 to 128 of A-Z a-z 0-9 _ - . (not . or ..), got '" +
                         v->value + "'"};
    }
    cfg.stream_name = v->value;
    cfg.stream_name_given = true;
  }
  if (auto v = lookup("progress", "SLUICE_PROGRESS")) {
    if (v->value == "stderr") {
      cfg.progress = {};
    } else {
      auto parsed = detail::parse_location(v->where, v->value);
      if (auto* e = std::get_if<usage_error>(&parsed)) return *e;
      cfg.progress.to_stderr = false;
      cfg.progress.file = std::get<std::filesystem::path>(parsed);
    }
  }
  if (cfg.cmd == command::batches) {
    if (auto v = lookup("since", "SLUICE_SINCE")) {
      int yyyymm = 0;
      if (!detail::parse_yyyymm(v->value, yyyymm)) {
        return usage_error{v->where + ": expected a month as YYYYMM (e.g. 202508), got '" +
                           v->value + "'"};
      }
      cfg.since_yyyymm = yyyymm;
    }
  }
  return cfg;
}

}  // namespace schema_writer_cli
