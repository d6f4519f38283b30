// SPDX-License-Identifier: Apache-2.0
#pragma once

// A client for the S3 server of the test services (test/support/services.hpp: the
// SLUICE_TEST_S3_* variables, or the services.env the fixture wrote), and fresh buckets on it.

#include "sluice/s3/client.hpp"
#include "support/services.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sluice_s3_it {

/// The options and credentials for the test S3 server; throws if there is none (a test run
/// outside ctest's `services` fixture without the variables set).
inline std::pair<sluice::s3::client_options, sluice::s3::credentials> s3_config() {
  const auto env = sluice::test::services_env();
  if (!env || env->s3_endpoint.empty())
    throw std::runtime_error("no S3 service: run through ctest (fixture services) or set SLUICE_TEST_S3_*");
  std::string why;
  auto ep = sluice::s3::parse_endpoint(env->s3_endpoint, &why);
  if (!ep) throw std::runtime_error(why);
  sluice::s3::client_options opt;
  opt.service_endpoint = ep.value();
  opt.region = env->s3_region;
  opt.addressing = sluice::s3::addressing_style::path;
  opt.retry.initial_backoff = std::chrono::milliseconds(20);
  sluice::s3::credentials creds;
  creds.access_key_id = env->s3_access_key;
  creds.secret_access_key = sluice::s3::secret_string(env->s3_secret_key);
  creds.source = "SLUICE_TEST_S3_*";
  return {opt, creds};
}

/// A client of the test S3 server; `tweak` may change its options and credentials first.
inline std::shared_ptr<sluice::s3::client> make_client(
    const std::function<void(sluice::s3::client_options&, sluice::s3::credentials&)>& tweak = {}) {
  auto [opt, creds] = s3_config();
  if (tweak) tweak(opt, creds);
  return sluice::s3::client::make_shared(opt, creds).value();
}

/// A new bucket with a unique name.
inline std::string fresh_bucket(sluice::s3::client& c, const std::string& prefix = "s3it") {
  const std::string name = sluice::test::unique_name(prefix);
  const auto r = c.create_bucket(name);
  if (!r) throw std::runtime_error("create bucket " + name + ": " + c.last_error());
  return name;
}

/// The keys under `prefix` in `bucket`, sorted, without the `dir/` entries that S3Proxy's
/// filesystem backend lists for its directories (real S3 has none unless someone made them).
inline std::vector<std::string> keys_under(sluice::s3::client& c, const std::string& bucket,
                                           const std::string& prefix = "", int page_size = 1000) {
  auto listed = c.list_all(bucket, prefix, page_size);
  if (!listed) throw std::runtime_error("list " + bucket + ": " + c.last_error());
  std::vector<std::string> keys;
  for (const auto& o : listed.value())
    if (o.key.empty() || o.key.back() != '/') keys.push_back(o.key);
  return keys;
}

/// Every object under `prefix` in `bucket` with its bytes (see `keys_under`).
inline std::map<std::string, std::string> objects_under(sluice::s3::client& c, const std::string& bucket,
                                                        const std::string& prefix = "") {
  std::map<std::string, std::string> out;
  for (const auto& k : keys_under(c, bucket, prefix)) {
    auto got = c.get_object(bucket, k);
    if (!got || !got.value()) throw std::runtime_error("get " + bucket + "/" + k + ": " + c.last_error());
    out[k] = std::move(*got.value());
  }
  return out;
}

}  // namespace sluice_s3_it
