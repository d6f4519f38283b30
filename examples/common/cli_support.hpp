// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The plumbing every reference binary needs around its pipeline: the environment lookup of its
/// option parser, readable error codes, the progress-record output, a run under SIGTERM /
/// SIGINT handling that ends with S3's own words when it failed, and `main()` itself (usage
/// errors, `--help`, `--version`, exceptions). Shared by `sluice-schema-writer` and
/// `sluice-event-etl`.

#include "sluice/core/error.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/core/stop.hpp"
#include "sluice/s3/client.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace sluice_examples {

/// `std::getenv` as the option parsers' lookup.
inline std::optional<std::string> getenv_lookup(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

/// `message [category:value]`, for error lines.
inline std::string describe(const std::error_code& ec) {
  return ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
}

/// The progress records on stderr, or appended to `file` (its folder created); empty after
/// printing why when the file cannot be opened.
inline std::optional<sluice::json_lines_progress> open_progress(const char* program, bool to_stderr,
                                                                const std::filesystem::path& file) {
  if (to_stderr) return sluice::json_lines_progress(stderr);
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);  // open() reports
  auto opened = sluice::json_lines_progress::open(file.string());
  if (!opened) {
    std::fprintf(stderr, "%s: cannot open the progress file %s: %s\n", program, file.c_str(),
                 describe(opened.error()).c_str());
    return std::nullopt;
  }
  return std::move(opened).value();
}

/// The runner's options of a binary's `cfg` (its `max_records_per_batch`, `trigger_interval`,
/// `once` and `retry_max_attempts`, the same names in both binaries).
template <class Config>
sluice::runner_options runner_options_of(const Config& cfg) {
  sluice::runner_options opt;
  opt.max_records_per_batch = cfg.max_records_per_batch;
  opt.trigger_interval = cfg.trigger_interval;
  opt.once = cfg.once;
  opt.retry.max_attempts = cfg.retry_max_attempts;
  return opt;
}

/// Writes why a run stopped on `ec` to stderr, as `PROGRAM: fatal: …`, and that the checkpoint
/// still holds (a restart replays the unfinished batch); for a transient error, also which
/// budget it outlasted. Returns the exit code, 1.
inline int report_fatal(const char* program, const std::error_code& ec) {
  std::fprintf(stderr, "%s: fatal: %s; the checkpoint is consistent: a restart replays the unfinished batch\n",
               program, describe(ec).c_str());
  if (ec == sluice::condition::retriable) {
    std::fprintf(stderr,
                 "%s: the error is transient: it outlasted the retry budget (--s3-max-attempts, "
                 "--retry-max-attempts) or a timeout\n",
                 program);
  }
  return 1;
}

/// Runs `body(stop)` with SIGTERM and SIGINT setting `stop` (the pipeline finishes or abandons
/// its batch cleanly) and returns its exit code; when that is 1 (fatal) and `s3` saw a failure,
/// prints S3's error code and message (never a secret or a signature).
template <class Body>
int run_until_signal(const char* program, const std::shared_ptr<sluice::s3::client>& s3, Body&& body) {
  sluice::stop_flag stop;
  if (auto installed = sluice::install_signal_handlers(stop); !installed) {
    std::fprintf(stderr, "%s: cannot install signal handlers: %s\n", program, describe(installed.error()).c_str());
    return 1;
  }
  const int rc = std::forward<Body>(body)(static_cast<const sluice::stop_flag&>(stop));
  (void)sluice::uninstall_signal_handlers();
  if (rc == 1 && s3 && !s3->last_error().empty()) {
    std::fprintf(stderr, "%s: the last S3 error: %s\n", program, s3->last_error().c_str());
  }
  return rc;
}

/// The `main()` of a reference binary. `parse(args)` turns the arguments (without the program
/// name) into a `std::variant<Config, UsageError>`, where `Config::cmd` is a `command` enum with
/// `help` and `version` and `UsageError::message` the reason. Then:
/// - a usage error prints `PROGRAM: MESSAGE` and `Try 'PROGRAM --help'.` on stderr: exit code 2;
/// - `help` prints `help_text()` and `version` prints `PROGRAM VERSION` on stdout: exit code 0;
/// - any other command returns `body(config)`; an exception escaping it (`std::bad_alloc` and
///   the like) is reported as `PROGRAM: fatal: WHAT`, exit code 1, never an abort.
/// SIGPIPE is ignored first: a closed stdout or stderr (`… | head`) must not kill a run between
/// its steps; writes then fail with EPIPE, which the log lines and progress records tolerate.
template <class Parse, class HelpText, class Body>
int cli_main(const char* program, const char* version, int argc, char** argv, Parse&& parse,
             HelpText&& help_text, Body&& body) {
  std::signal(SIGPIPE, SIG_IGN);
  const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  auto parsed = std::forward<Parse>(parse)(args);
  using config_type = std::variant_alternative_t<0, decltype(parsed)>;
  using usage_error_type = std::variant_alternative_t<1, decltype(parsed)>;
  using command = decltype(config_type::cmd);
  if (const auto* err = std::get_if<usage_error_type>(&parsed)) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help'.\n", program, err->message.c_str(), program);
    return 2;
  }
  const config_type& cfg = std::get<config_type>(parsed);
  if (cfg.cmd == command::help) {
    std::fputs(std::forward<HelpText>(help_text)().c_str(), stdout);
    return 0;
  }
  if (cfg.cmd == command::version) {
    std::printf("%s %s\n", program, version);
    return 0;
  }
  try {
    return std::forward<Body>(body)(cfg);
  } catch (const std::exception& e) {  // std::bad_alloc and the like: report, never abort
    std::fprintf(stderr, "%s: fatal: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace sluice_examples
