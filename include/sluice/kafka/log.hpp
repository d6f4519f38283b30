// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Where librdkafka's log lines and error events go: a `kafka::log_function` receives each as a
/// `log_line` (syslog level, facility, message), after every secret value of the configuration
/// has been replaced by `[redacted]`. `log_to(stream)` writes them as text lines.

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace sluice::inline v0::kafka {

/// One line of librdkafka's log, or an event of the kafka module.
struct log_line {
  int level = 6;                 ///< syslog level: 3 error, 4 warning, 5 notice, 6 info, 7 debug
  std::string_view facility;     ///< librdkafka's facility (`FAIL`, `REQTMOUT`, …), `ERROR` for
                                 ///< error events, `SLUICE` for lines of the kafka module itself
  std::string_view client;       ///< the librdkafka client name (e.g. `rdkafka#consumer-1`)
  std::string_view message;      ///< the text, secrets redacted
};

/// Receives log lines.
///
/// Thread-safety: called from librdkafka's internal threads as well as the caller's; calls are
/// serialised (never two at once for the same client) but may come from different threads, so
/// the function must not touch unsynchronised state shared with the caller's thread.
using log_function = std::function<void(const log_line&)>;

/// A `log_function` writing `sluice.kafka <level> <facility> [<client>]: <message>` lines to
/// `stream` (which must outlive the clients), dropping lines above `max_level` (default 6: no
/// debug lines unless asked for).
[[nodiscard]] inline log_function log_to(std::FILE* stream, int max_level = 6) {
  return [stream, max_level](const log_line& l) {
    if (l.level > max_level) return;
    std::string s = "sluice.kafka ";
    s += std::to_string(l.level);
    s += ' ';
    s += l.facility;
    s += " [";
    s += l.client;
    s += "]: ";
    s += l.message;
    s += '\n';
    std::fwrite(s.data(), 1, s.size(), stream);
    std::fflush(stream);
  };
}

}  // namespace sluice::inline v0::kafka
