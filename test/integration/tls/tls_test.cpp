// SPDX-License-Identifier: Apache-2.0
// sluice-schema-writer over TLS (issue 5 §4): the broker's SSL listener (`-X security.protocol=SSL
// -X ssl.ca.location=CA`) and S3Proxy's HTTPS endpoint (`--s3-ca-file CA` / SLUICE_S3_CA_FILE),
// both with certificates of the CA that test/services/start.sh made. The oracle of the TLS run is
// the same writer's run on the plain endpoints over the same topic; without the CA, the
// certificate check must stop the run (S3: at once, exit 1; Kafka: exit 1 when the group join
// times out, nothing consumed or committed).
#include "writer_services.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace swtest;

class SchemaWriterTls : public swsvc::writer_services {
 protected:
  static constexpr int partitions = 3;
  std::int64_t produced_ = 0;   // messages in the topic

  void SetUp() override {
    swsvc::writer_services::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_FALSE(svc_.kafka_ssl_bootstrap.empty() || svc_.s3_tls_endpoint.empty() || svc_.tls_ca.empty())
        << "the services have no TLS endpoints (SLUICE_TEST_KAFKA_SSL_BOOTSTRAP, SLUICE_TEST_S3_TLS_ENDPOINT, "
           "SLUICE_TEST_TLS_CA)";
    ASSERT_EQ(svc_.s3_tls_endpoint.rfind("https://", 0), 0u) << svc_.s3_tls_endpoint;
    ASSERT_EQ(sluice::test::create_topic(svc_.kafka_bootstrap, topic_, partitions), "");
    // The sample goes in through the SSL listener too (librdkafka, verified against the CA).
    std::vector<sluice::test::test_message> messages;
    for (const auto& m : read_kcat(sample_file)) messages.push_back({-1, m.key, m.payload});
    ASSERT_GT(messages.size(), 20u);
    produced_ = static_cast<std::int64_t>(messages.size());
    ASSERT_EQ(sluice::test::produce(svc_.kafka_ssl_bootstrap, topic_, messages,
                                    {{"security.protocol", "SSL"}, {"ssl.ca.location", svc_.tls_ca}}),
              "");
  }

  // The writer's arguments with the Kafka source and the S3 endpoint swapped for the TLS ones
  // (`kafka_ca`/`s3_ca` empty: no CA given for that side).
  [[nodiscard]] std::vector<std::string> tls_args(const std::string& group, const std::string& root, bool kafka_tls,
                                                  const std::string& kafka_ca, bool s3_tls, const std::string& s3_ca,
                                                  std::vector<std::string> extra = {}) const {
    auto a = args(group, root, std::move(extra));
    for (auto& v : a) {
      if (kafka_tls && v == "kafka://" + svc_.kafka_bootstrap + "/" + topic_)
        v = "kafka://" + svc_.kafka_ssl_bootstrap + "/" + topic_;
      if (s3_tls && v == svc_.s3_endpoint) v = svc_.s3_tls_endpoint;
    }
    if (kafka_tls) {
      a.insert(a.end(), {"-X", "security.protocol=SSL"});
      if (!kafka_ca.empty()) a.insert(a.end(), {"-X", "ssl.ca.location=" + kafka_ca});
    }
    if (s3_tls && !s3_ca.empty()) a.insert(a.end(), {"--s3-ca-file", s3_ca});
    return a;
  }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST_F(SchemaWriterTls, KafkaSslAndHttpsS3GiveThePlainRunsCatalog) {
  const std::string plain_group = sluice::test::unique_name("plain");
  const auto plain = writer(args(plain_group, "plain", {"--once"}), credentials());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto want = objects("plain", "catalog");
  ASSERT_EQ(want.size(), 16u);

  const std::string group = sluice::test::unique_name("tls");
  const auto r = writer(tls_args(group, "tls", true, svc_.tls_ca, true, svc_.tls_ca, {"--once"}), credentials());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(objects("tls", "catalog"), want);
  const auto plain_ends = sluice::test::committed_offsets(svc_.kafka_bootstrap, plain_group, topic_, partitions);
  std::int64_t total = 0;
  for (auto e : plain_ends) total += e;
  EXPECT_EQ(total, produced_);
  EXPECT_EQ(sluice::test::committed_offsets(svc_.kafka_bootstrap, group, topic_, partitions), plain_ends);
  EXPECT_EQ(log("tls").size(), log("plain").size());
  EXPECT_EQ(objects("tls", "dead-letters").size(), objects("plain", "dead-letters").size());

  // SLUICE_S3_CA_FILE does what --s3-ca-file does: `batches` reads the TLS run's log over HTTPS.
  const std::vector<std::string> batches{"batches", "--checkpoint", "s3://" + bucket_ + "/tls/checkpoint",
                                         "--s3-endpoint", svc_.s3_tls_endpoint, "--s3-path-style"};
  auto env = credentials();
  env.emplace_back("SLUICE_S3_CA_FILE", svc_.tls_ca);
  const auto listed = writer(batches, env);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto lines = lines_of(listed.out);
  EXPECT_EQ(static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return !l.empty(); })),
            log("tls").size())
      << listed.out;
  // …and without it, the same command fails on the certificate.
  const auto unverified = writer(batches, credentials());
  EXPECT_EQ(unverified.exit_code, 1) << unverified.err;
  EXPECT_NE(unverified.err.find("certificate"), std::string::npos) << unverified.err;
}

TEST_F(SchemaWriterTls, HttpsS3WithoutTheCaFailsFastOnTheCertificate) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = writer(tls_args(sluice::test::unique_name("noca"), "noca", false, {}, true, {}, {"--once"}),
                        credentials());
  const double secs = seconds_since(t0);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(secs, 20.0) << "a retry loop?\n" << r.err;
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("retrying"), std::string::npos) << "a certificate error was retried\n" << r.err;
  EXPECT_EQ(r.err.find(svc_.s3_secret_key), std::string::npos) << "the secret was printed";
  EXPECT_TRUE(objects("noca", "catalog").empty());
  EXPECT_TRUE(objects("noca", "checkpoint").empty());
}

TEST_F(SchemaWriterTls, AnUnreadableCaFileIsAUsageError) {
  const auto r = writer(tls_args("g", "x", false, {}, true, "/nonexistent/ca.pem", {"--once"}), credentials());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--s3-ca-file"), std::string::npos) << r.err;
  auto env = credentials();
  env.emplace_back("SLUICE_S3_CA_FILE", "/nonexistent/ca.pem");
  const auto e = writer(tls_args("g", "x", false, {}, true, {}, {"--once"}), env);
  EXPECT_EQ(e.exit_code, 2) << e.err;
  EXPECT_NE(e.err.find("SLUICE_S3_CA_FILE"), std::string::npos) << e.err;
}

TEST_F(SchemaWriterTls, KafkaSslWithoutTheCaFailsOnTheCertificateAndConsumesNothing) {
  const std::string group = sluice::test::unique_name("noca");
  const auto t0 = std::chrono::steady_clock::now();
  const auto a = tls_args(group, "noca", true, {}, false, {}, {"--once"});
  std::vector<std::string> argv{"/usr/bin/timeout", "-s", "TERM", "-k", "10", "60", writer_exe.string()};
  argv.insert(argv.end(), a.begin(), a.end());
  const auto r = run(argv, credentials());
  const double secs = seconds_since(t0);
  // The writer gives up itself (its group-join timeout, 30 s), before `timeout` would stop it.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(secs, 59.0);
  EXPECT_NE(r.err.find("certificate verify failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot reach the cluster"), std::string::npos) << r.err;
  EXPECT_TRUE(objects("noca", "catalog").empty());
  EXPECT_EQ(sluice::test::committed_offsets(svc_.kafka_bootstrap, group, topic_, partitions),
            std::vector<std::int64_t>(partitions, -1));
}

// The library option itself: `client_options::ca_file` verifies the HTTPS endpoint; without it
// the first attempt fails with CURLE_PEER_FAILED_VERIFICATION and is not retried.
TEST_F(SchemaWriterTls, ClientCaFileVerifiesTheHttpsEndpointAndAFailureIsNotRetried) {
  const auto tls_client = [&](const std::string& ca) {
    return sluice_s3_it::make_client([&](sluice::s3::client_options& o, sluice::s3::credentials&) {
      std::string why;
      auto ep = sluice::s3::parse_endpoint(svc_.s3_tls_endpoint, &why);
      ASSERT_TRUE(ep) << why;
      o.service_endpoint = ep.value();
      o.ca_file = ca;
    });
  };
  const auto verified = tls_client(svc_.tls_ca);
  ASSERT_TRUE(verified->put_object(bucket_, "client/hello.txt", "over TLS")) << verified->last_error();
  // Read back over plain HTTP: the same server stored it.
  const auto plain = s3_->get_object(bucket_, "client/hello.txt");
  ASSERT_TRUE(plain && plain.value()) << s3_->last_error();
  EXPECT_EQ(*plain.value(), "over TLS");
  const auto back = verified->get_object(bucket_, "client/hello.txt");
  ASSERT_TRUE(back && back.value()) << verified->last_error();
  EXPECT_EQ(*back.value(), "over TLS");

  const auto unverified = tls_client({});
  const auto put = unverified->put_object(bucket_, "client/no.txt", "x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error(), sluice::s3::make_error(CURLE_PEER_FAILED_VERIFICATION)) << put.error().message();
  EXPECT_EQ(unverified->stats().requests, 1);
  EXPECT_EQ(unverified->stats().retries, 0);
  // A CA that did not sign the server's certificate fails the same way (the system bundle).
  const auto wrong = tls_client("/etc/ssl/certs/ca-certificates.crt");
  const auto put2 = wrong->put_object(bucket_, "client/no.txt", "x");
  ASSERT_FALSE(put2);
  EXPECT_EQ(put2.error(), sluice::s3::make_error(CURLE_PEER_FAILED_VERIFICATION)) << put2.error().message();
  const auto none = s3_->get_object(bucket_, "client/no.txt");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value().has_value());
}

}  // namespace
