// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// How a reference binary joins a consumer group and reports its batches: the group member and
/// the partition reader its per-partition pipelines share (`join_group`), and the text of a
/// batch's offset ranges for its progress lines (`ranges_text`). Shared by `sluice-schema-writer`
/// and `sluice-event-etl`.

#include "sluice/core/error.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/kafka/config.hpp"
#include "sluice/kafka/group_member.hpp"
#include "sluice/kafka/log.hpp"
#include "sluice/kafka/partition_reader.hpp"

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace sluice_examples {

/// A member of the consumer group of `kafka::config::group_id` and the reader of its partitions.
struct group_connection {
  sluice::kafka::group_member member;
  std::shared_ptr<sluice::kafka::partition_reader> reader;
};

/// Joins the group of `kcfg` and opens the partition reader. librdkafka's warnings and errors
/// (secrets redacted by the kafka module) go to stderr as `<program>: kafka …` lines.
///
/// Errors: none returned; a failure is written to stderr and yields the exit code: 2 for a
/// configuration error (`errc::invalid_argument`: an unknown or bad `-X` property, …), else 1.
/// Blocking: up to `kcfg.timeout`. Thread-safety: none (writes stderr).
inline std::variant<group_connection, int> join_group(const char* program, const sluice::kafka::config& kcfg) {
  const auto describe = [](const std::error_code& ec) {
    return ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
  };
  const sluice::kafka::log_function log_line = [program](const sluice::kafka::log_line& l) {
    if (l.level > 5) return;
    std::fprintf(stderr, "%s: kafka %s %.*s: %.*s\n", program, l.level <= 3 ? "error" : "warning",
                 static_cast<int>(l.facility.size()), l.facility.data(), static_cast<int>(l.message.size()),
                 l.message.data());
  };
  std::string why;
  auto member = sluice::kafka::group_member::make(kcfg, log_line, &why);
  if (!member) {
    std::fprintf(stderr, "%s: cannot join consumer group '%s' on %s: %s\n", program, kcfg.group_id.c_str(),
                 sluice::kafka::describe(kcfg).c_str(), why.empty() ? describe(member.error()).c_str() : why.c_str());
    return member.error() == sluice::errc::invalid_argument ? 2 : 1;
  }
  auto reader = sluice::kafka::partition_reader::make(kcfg, log_line, &why);
  if (!reader) {
    std::fprintf(stderr, "%s: cannot read %s: %s\n", program, sluice::kafka::describe(kcfg).c_str(),
                 why.empty() ? describe(reader.error()).c_str() : why.c_str());
    return reader.error() == sluice::errc::invalid_argument ? 2 : 1;
  }
  return group_connection{std::move(member).value(), std::move(reader).value()};
}

/// `topic[p] from..last lag N, …`: the offset ranges of a progress record, for a log line.
/// Errors: `std::bad_alloc` only.
inline std::string ranges_text(const sluice::progress_record& r) {
  std::string ranges;
  for (std::size_t i = 0; i < r.sources.size(); ++i) {
    const auto& s = r.sources[i];
    if (!ranges.empty()) ranges += ", ";
    ranges += s.topic + "[" + std::to_string(s.partition) + "] " + std::to_string(s.from) + ".." +
              std::to_string(s.to - 1);
    if (i < r.lag.size() && r.lag[i]) ranges += " lag " + std::to_string(*r.lag[i]);
  }
  return ranges;
}

}  // namespace sluice_examples
