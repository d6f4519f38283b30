// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Where the real services of the integration tests are (test/services/start.sh): the
/// environment first (a user's own services), then the `services.env` file the CTest fixture
/// `services` wrote (compile definition SLUICE_SERVICES_ENV of `sluice_add_service_gtest`).

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <unistd.h>

namespace sluice::test {

/// The endpoints and credentials of the test services. Empty strings where a service is absent.
struct service_endpoints {
  std::string kafka_bootstrap;   ///< HOST:PORT[,HOST:PORT…]
  std::string s3_endpoint;       ///< http://127.0.0.1:PORT
  std::string s3_region;         ///< us-east-1 unless configured
  std::string s3_access_key;
  std::string s3_secret_key;
  std::string kafka_ssl_bootstrap;   ///< the broker's SSL listener, HOST:PORT
  std::string s3_tls_endpoint;       ///< https://127.0.0.1:PORT, the same S3 server over TLS
  std::string tls_ca;                ///< PEM file of the CA that signed both server certificates
};

/// The services as configured, or empty when neither the environment nor the services.env file
/// names any (the test should then fail: the fixture starts them).
inline std::optional<service_endpoints> services_env() {
  std::map<std::string, std::string> vars;
#ifdef SLUICE_SERVICES_ENV
  if (std::ifstream in(SLUICE_SERVICES_ENV); in) {
    for (std::string line; std::getline(in, line);) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) vars[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
#endif
  auto get = [&](const char* name) -> std::string {
    if (const char* v = std::getenv(name); v && *v) return v;
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
  service_endpoints e;
  e.kafka_bootstrap = get("SLUICE_TEST_KAFKA_BOOTSTRAP");
  e.s3_endpoint = get("SLUICE_TEST_S3_ENDPOINT");
  e.s3_region = get("SLUICE_TEST_S3_REGION");
  if (e.s3_region.empty()) e.s3_region = "us-east-1";
  e.s3_access_key = get("SLUICE_TEST_S3_ACCESS_KEY");
  e.s3_secret_key = get("SLUICE_TEST_S3_SECRET_KEY");
  e.kafka_ssl_bootstrap = get("SLUICE_TEST_KAFKA_SSL_BOOTSTRAP");
  e.s3_tls_endpoint = get("SLUICE_TEST_S3_TLS_ENDPOINT");
  e.tls_ca = get("SLUICE_TEST_TLS_CA");
  if (e.kafka_bootstrap.empty() && e.s3_endpoint.empty()) return std::nullopt;
  return e;
}

/// A name unique per process and call: lowercase letters, digits and '-', starting with
/// `prefix` (which should be lowercase), at most 63 characters — valid as a Kafka topic, a
/// consumer group and an S3 bucket name.
inline std::string unique_name(const std::string& prefix) {
  static std::atomic<unsigned> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  std::string name = prefix + "-" + std::to_string(::getpid()) + "-" +
                     std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count() % 1000000000) +
                     "-" + std::to_string(counter.fetch_add(1));
  if (name.size() > 63) name.erase(0, name.size() - 63);
  return name;
}

}  // namespace sluice::test
