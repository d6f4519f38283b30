// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The plumbing every reference binary needs around its pipeline: the environment lookup of its
/// option parser, readable error codes, the progress-record output, and a run under SIGTERM /
/// SIGINT handling that ends with S3's own words when it failed. Shared by
/// `sluice-schema-writer` and `sluice-event-etl`.

#include "sluice/core/progress.hpp"
#include "sluice/core/stop.hpp"
#include "sluice/s3/client.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

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

}  // namespace sluice_examples
