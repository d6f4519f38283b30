// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `s3::connect`: a client from command-line settings (`--s3-endpoint`, `--s3-region`,
/// `--s3-path-style`) and the credentials chain, for binaries that put several stages on S3
/// (they share the one client and its connections).

#include "sluice/core/error.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/s3/credentials.hpp"
#include "sluice/s3/location.hpp"

#include <memory>
#include <string>
#include <utility>

namespace sluice::inline v0::s3 {

/// Where S3 is, as a user says it.
struct connection_settings {
  std::string endpoint_url;   ///< `--s3-endpoint`; empty: AWS (`https://s3.<region>.amazonaws.com`)
  std::string region;         ///< `--s3-region`; empty: `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`
  bool path_style = false;    ///< `--s3-path-style`; else virtual-host addressing
};

/// A client for `settings`, with `options` for everything else (timeouts, retries, bound on
/// requests in flight, log hook), signing with `load_credentials(env)`.
///
/// Errors: `errc::invalid_argument` for a bad endpoint URL; `errc::access_denied` when no
/// credentials are found (both with a sentence in `why`, never a secret); the OS error of an
/// unreadable credentials file; `curl_category()` if libcurl cannot start.
/// Blocking: reads the credentials file.
[[nodiscard]] inline result<std::shared_ptr<client>> connect(const connection_settings& settings,
                                                             client_options options = {},
                                                             std::string* why = nullptr,
                                                             const environment_lookup& env = process_environment) {
  if (!settings.endpoint_url.empty()) {
    SLUICE_TRY(ep, parse_endpoint(settings.endpoint_url, why));
    options.service_endpoint = std::move(ep);
  }
  options.region = settings.region;
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (!options.region.empty()) break;
    if (auto v = env(var)) options.region = std::move(*v);
  }
  if (options.region.empty()) options.region = "us-east-1";
  options.addressing = settings.path_style ? addressing_style::path : addressing_style::virtual_host;
  SLUICE_TRY(creds, load_credentials(env, why));
  return client::make_shared(std::move(options), std::move(creds));
}

}  // namespace sluice::inline v0::s3
