// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `kafka::config`: where to read (bootstrap servers, topic), as whom (group id, `-X` librdkafka
/// properties such as `security.protocol` and `sasl.*`, passed as kcat passes them), where a
/// new group starts (`starting_offsets`) and how long a blocking call may take. With it: the
/// parser of `kafka://HOST:PORT[,HOST:PORT…]/TOPIC` and of `-X KEY=VALUE`, the check of a whole
/// config against librdkafka, and `describe`, which never shows a secret.
///
/// Parsers and `validate` return `errc::invalid_argument` and, through an optional `problem`
/// string, one sentence for the user saying what is wrong. A problem text never contains the
/// value of a secret property.

#include "sluice/core/error.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::kafka {

/// Where a partition starts when neither the checkpoint nor the group has an offset for it.
enum class starting_offsets {
  earliest,  ///< the first offset still in the log (the log start offset)
  latest,    ///< the end of the log when the partition is first planned: only newer records
};

/// How to reach a topic and read it in a consumer group.
struct config {
  /// `HOST:PORT[,HOST:PORT…]`, librdkafka's `bootstrap.servers`.
  std::string bootstrap_servers;
  /// The topic to read.
  std::string topic;
  /// The consumer group (required by `group_member`; a standalone `partition_source` may leave
  /// it empty).
  std::string group_id;
  /// Where a partition without checkpoint and without committed group offset starts.
  starting_offsets starting = starting_offsets::earliest;
  /// librdkafka properties (`-X KEY=VALUE`), applied in order before the properties sluice
  /// manages (see `is_managed_property`), e.g. `security.protocol=SASL_SSL`,
  /// `sasl.mechanisms=SCRAM-SHA-512`, `sasl.username`, `sasl.password`, `ssl.ca.location`,
  /// `isolation.level`, `session.timeout.ms`, `max.poll.interval.ms`, `client.id`.
  std::vector<std::pair<std::string, std::string>> properties;
  /// Bound of what a reader's fetcher buffers ahead of the records asked for, in bytes: sets
  /// librdkafka's `queued.max.messages.kbytes` (per partition) and `fetch.max.bytes` (per
  /// request) to it, within librdkafka's limits (at least 1 MiB), before the `-X` properties,
  /// which may override them. Empty: librdkafka's defaults (64 MiB queued per partition, 50 MiB
  /// per fetch), which is what a backlog of large messages fills.
  std::optional<std::size_t> read_ahead_bytes;
  /// Bound of every blocking request (metadata, watermarks, committed offsets) and of the time
  /// `read` may go without receiving a record before it gives up with `errc::timeout`.
  std::chrono::milliseconds timeout{30'000};
};

/// The parts of a `kafka://` source URL.
struct source_url {
  std::string bootstrap_servers;  ///< `HOST:PORT[,HOST:PORT…]`
  std::string topic;
  friend bool operator==(const source_url&, const source_url&) = default;
};

/// True if `name` is a legal Kafka topic name: 1–249 characters of `[a-zA-Z0-9._-]`, not `.`
/// or `..`.
[[nodiscard]] constexpr bool is_valid_topic_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

/// True if the value of librdkafka property `name` is a secret that must never be shown:
/// passwords (`sasl.password`, `ssl.key.password`, `ssl.keystore.password`, …), secrets
/// (`sasl.oauthbearer.client.secret`), private keys given inline (`ssl.key.pem`), and the
/// free-form settings that may hold any of them (`sasl.oauthbearer.config`, `sasl.jaas.config`).
/// Names are compared case-insensitively; `topic.` prefixes are ignored.
[[nodiscard]] inline bool is_secret_property(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  if (n.starts_with("topic.")) n.erase(0, 6);
  return n.find("password") != std::string::npos || n.find("secret") != std::string::npos ||
         n.ends_with(".key.pem") || n == "ssl_key" || n == "sasl.oauthbearer.config" ||
         n == "sasl.jaas.config" || n.find("credential") != std::string::npos;
}

/// True for the properties sluice sets itself, which `-X` may not set: the servers and the
/// group (`bootstrap.servers`, `metadata.broker.list`, `group.id`: use the URL and the group
/// option), where a new group starts (`auto.offset.reset`: use `starting_offsets`), and what
/// the exactly-once protocol relies on (`enable.auto.commit`, `enable.auto.offset.store`,
/// `enable.partition.eof`, `log.queue`).
[[nodiscard]] inline bool is_managed_property(std::string_view name) {
  static constexpr std::array<std::string_view, 9> managed = {
      "bootstrap.servers",  "metadata.broker.list",     "group.id",
      "auto.offset.reset",  "topic.auto.offset.reset",  "enable.auto.commit",
      "enable.auto.offset.store", "enable.partition.eof", "log.queue"};
  return std::find(managed.begin(), managed.end(), name) != managed.end();
}

namespace detail {

inline void set_problem(std::string* problem, std::string text) {
  if (problem != nullptr) *problem = std::move(text);
}

// HOST:PORT with a non-empty host (a name, an IPv4 address or a bracketed IPv6 address) and a
// port in 1–65535.
inline bool is_host_port(std::string_view hp) {
  std::size_t colon = 0;
  if (!hp.empty() && hp.front() == '[') {
    const auto close = hp.find(']');
    if (close == std::string_view::npos || close < 2 || close + 1 >= hp.size() || hp[close + 1] != ':')
      return false;
    colon = close + 1;
  } else {
    colon = hp.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    for (const char c : hp.substr(0, colon))
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '_'))
        return false;
  }
  const std::string_view port = hp.substr(colon + 1);
  unsigned value = 0;
  const auto r = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && r.ec == std::errc() && r.ptr == port.data() + port.size() && value >= 1 &&
         value <= 65535;
}

}  // namespace detail

/// Parses `kafka://HOST:PORT[,HOST:PORT…]/TOPIC`.
///
/// Errors: `errc::invalid_argument` (with `problem`, if given, set to one sentence) for another
/// scheme, user credentials in the URL (they belong in `-X sasl.username=…`), an empty or
/// malformed server list (each entry `HOST:PORT`, port 1–65535, IPv6 in brackets), a missing
/// topic, an illegal topic name, or anything after the topic.
/// Thread-safety: safe. Complexity: linear.
[[nodiscard]] inline result<source_url> parse_source_url(std::string_view url,
                                                         std::string* problem = nullptr) {
  constexpr std::string_view scheme = "kafka://";
  const std::string shown = "'" + std::string(url) + "'";
  if (!url.starts_with(scheme)) {
    detail::set_problem(problem, "Kafka source " + shown +
                                     ": expected kafka://HOST:PORT[,HOST:PORT...]/TOPIC");
    return errc::invalid_argument;
  }
  const std::string_view rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string_view servers = rest.substr(0, slash);
  if (servers.find('@') != std::string_view::npos) {
    // Do not echo the URL: it holds credentials.
    detail::set_problem(problem,
                        "Kafka source: credentials do not belong in the URL; pass them with "
                        "-X sasl.username=... -X sasl.password=...");
    return errc::invalid_argument;
  }
  if (servers.empty()) {
    detail::set_problem(problem, "Kafka source " + shown + ": no bootstrap server before the topic");
    return errc::invalid_argument;
  }
  std::size_t start = 0;
  for (;;) {
    const auto comma = servers.find(',', start);
    const std::string_view hp = servers.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (!detail::is_host_port(hp)) {
      detail::set_problem(problem, "Kafka source " + shown + ": bootstrap server '" +
                                       std::string(hp) + "' is not HOST:PORT (port 1-65535)");
      return errc::invalid_argument;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (slash == std::string_view::npos || slash + 1 == rest.size()) {
    detail::set_problem(problem, "Kafka source " + shown + ": no topic after the servers (kafka://HOST:PORT/TOPIC)");
    return errc::invalid_argument;
  }
  const std::string_view topic = rest.substr(slash + 1);
  if (!is_valid_topic_name(topic)) {
    detail::set_problem(problem, "Kafka source " + shown + ": '" + std::string(topic) +
                                     "' is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -, not . or ..)");
    return errc::invalid_argument;
  }
  return source_url{std::string(servers), std::string(topic)};
}

/// Parses `earliest` or `latest`.
/// Errors: `errc::invalid_argument` for anything else (with `problem`).
[[nodiscard]] inline result<starting_offsets> parse_starting_offsets(std::string_view text,
                                                                     std::string* problem = nullptr) {
  if (text == "earliest") return starting_offsets::earliest;
  if (text == "latest") return starting_offsets::latest;
  detail::set_problem(problem, "starting offsets: expected earliest or latest, got '" + std::string(text) + "'");
  return errc::invalid_argument;
}

/// The name of `s` (`"earliest"` or `"latest"`).
[[nodiscard]] constexpr std::string_view to_string(starting_offsets s) noexcept {
  return s == starting_offsets::latest ? "latest" : "earliest";
}

/// Parses one `-X KEY=VALUE` (split at the first `=`) and appends it to `cfg.properties`.
///
/// Errors: `errc::invalid_argument` (with `problem`) for a missing `=`, an empty key, or a
/// property sluice manages itself (`is_managed_property`, the problem names the option to use).
/// Values are checked by `validate`. A problem text never contains the value.
inline result<void> add_property(config& cfg, std::string_view key_value, std::string* problem = nullptr) {
  const auto eq = key_value.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    // Not echoed: without its '=' the text may be a secret value.
    detail::set_problem(problem, eq == 0 ? "-X: empty property name (expected -X KEY=VALUE)"
                                         : "-X: no '=' (expected -X KEY=VALUE)");
    return errc::invalid_argument;
  }
  const std::string_view key = key_value.substr(0, eq);
  if (is_managed_property(key)) {
    std::string why = "-X " + std::string(key) + ": set by sluice; ";
    if (key == "group.id") {
      why += "use the group id option";
    } else if (key == "bootstrap.servers" || key == "metadata.broker.list") {
      why += "give the servers in the kafka:// URL";
    } else if (key == "auto.offset.reset" || key == "topic.auto.offset.reset") {
      why += "use the starting offsets option (earliest or latest)";
    } else {
      why += "offsets are committed only after a batch is logged complete";
    }
    detail::set_problem(problem, std::move(why));
    return errc::invalid_argument;
  }
  cfg.properties.emplace_back(std::string(key), std::string(key_value.substr(eq + 1)));
  return success();
}

/// `value` with every occurrence of every non-empty string of `secrets` replaced by
/// `[redacted]`. Complexity: O(|value| × Σ|secret|) worst case.
[[nodiscard]] inline std::string redact(std::string_view value, const std::vector<std::string>& secrets) {
  std::string out(value);
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    for (std::size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 10))
      out.replace(pos, s.size(), "[redacted]");
  }
  return out;
}

/// The values of `cfg`'s secret properties (`is_secret_property`), for `redact`.
[[nodiscard]] inline std::vector<std::string> secret_values(const config& cfg) {
  std::vector<std::string> out;
  for (const auto& [k, v] : cfg.properties)
    if (is_secret_property(k) && !v.empty()) out.push_back(v);
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

/// True if librdkafka knows the property `name` (a misspelt one, e.g. `sasl.pasword`, is not;
/// its value may well be a secret). The names come from librdkafka's property table, read once.
/// Thread-safety: safe (a function-local static).
[[nodiscard]] inline bool is_known_property(std::string_view name) {
  static const std::vector<std::string> known = [] {
    std::vector<std::string> names;
    char* text = nullptr;
    std::size_t size = 0;
    if (FILE* f = ::open_memstream(&text, &size)) {
      rd_kafka_conf_properties_show(f);
      std::fclose(f);
    }
    // A Markdown table per scope: `name | C/P | range | default | importance | description`.
    const std::string_view all(text != nullptr ? text : "", size);
    for (std::size_t at = 0; at < all.size();) {
      std::size_t nl = all.find('\n', at);
      if (nl == std::string_view::npos) nl = all.size();
      const std::string_view line = all.substr(at, nl - at);
      at = nl + 1;
      const std::size_t end = line.find_first_of(" |");
      const std::string_view first = line.substr(0, end);
      if (!first.empty() && first.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._") == std::string_view::npos)
        names.emplace_back(first);
    }
    std::free(text);
    std::sort(names.begin(), names.end());
    return names;
  }();
  std::string n(name);
  if (n.starts_with("topic.") && !std::binary_search(known.begin(), known.end(), n)) n.erase(0, 6);
  return std::binary_search(known.begin(), known.end(), n);
}

/// One line describing `cfg` for logs and `--help` output, secrets redacted:
/// `kafka://h1:9092,h2:9092/orders group=g starting-offsets=earliest timeout=30000ms
/// -X security.protocol=SASL_SSL -X sasl.password=[redacted]`. The value of a property librdkafka
/// does not know (a misspelt name) is redacted too.
[[nodiscard]] inline std::string describe(const config& cfg) {
  std::string out = "kafka://" + cfg.bootstrap_servers + "/" + cfg.topic;
  if (!cfg.group_id.empty()) out += " group=" + cfg.group_id;
  out += " starting-offsets=";
  out += to_string(cfg.starting);
  out += " timeout=" + std::to_string(cfg.timeout.count()) + "ms";
  for (const auto& [k, v] : cfg.properties) {
    out += " -X " + k + "=";
    out += is_secret_property(k) || !is_known_property(k) ? std::string("[redacted]") : v;
  }
  return out;
}

namespace detail {

struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const noexcept { rd_kafka_conf_destroy(c); }
};
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;

// Sets one property; on failure describes it without showing a secret value.
inline result<void> set_property(rd_kafka_conf_t* conf, const std::string& key, const std::string& value,
                                 const std::vector<std::string>& secrets, std::string* problem) {
  char err[512] = {0};
  const rd_kafka_conf_res_t r = rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err);
  if (r == RD_KAFKA_CONF_OK) return success();
  std::string why = "-X " + key + ": ";
  if (r == RD_KAFKA_CONF_UNKNOWN) {
    why += "unknown librdkafka property";
  } else if (is_secret_property(key)) {
    why += "invalid value";
  } else {
    why += redact(err, secrets);
  }
  set_problem(problem, std::move(why));
  return errc::invalid_argument;
}

}  // namespace detail

/// Checks `cfg` as a whole: servers and topic present and well-formed, a positive timeout, and
/// every `-X` property known to librdkafka with a value it accepts (checked by librdkafka on a
/// scratch configuration; no connection is made).
///
/// Errors: `errc::invalid_argument` with `problem` set to the first problem found.
/// Thread-safety: safe.
inline result<void> validate(const config& cfg, std::string* problem = nullptr) {
  if (cfg.bootstrap_servers.empty()) {
    detail::set_problem(problem, "Kafka: no bootstrap servers");
    return errc::invalid_argument;
  }
  if (!is_valid_topic_name(cfg.topic)) {
    detail::set_problem(problem, "Kafka: '" + cfg.topic + "' is not a Kafka topic name");
    return errc::invalid_argument;
  }
  if (cfg.timeout.count() <= 0) {
    detail::set_problem(problem, "Kafka: the timeout must be positive");
    return errc::invalid_argument;
  }
  const auto secrets = secret_values(cfg);
  detail::conf_ptr conf(rd_kafka_conf_new());
  for (const auto& [k, v] : cfg.properties) {
    if (is_managed_property(k)) {
      detail::set_problem(problem, "-X " + k + ": set by sluice");
      return errc::invalid_argument;
    }
    SLUICE_TRYV(detail::set_property(conf.get(), k, v, secrets, problem));
  }
  return success();
}

}  // namespace sluice::inline v0::kafka
