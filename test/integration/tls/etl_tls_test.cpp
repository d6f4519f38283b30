// SPDX-License-Identifier: Apache-2.0
// sluice-event-etl's S3 sink over HTTPS (`--s3-ca-file` / S3_CA_FILE): the rows equal those of
// the same run on the plain endpoint; without the CA the run stops on the certificate (exit 1).
#include "writer_services.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace swtest;

class EventEtlTls : public swsvc::writer_services {
 protected:
  void SetUp() override {
    swsvc::writer_services::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_FALSE(svc_.s3_tls_endpoint.empty() || svc_.tls_ca.empty()) << "the services have no TLS endpoint";
    const auto gen = run({SLUICE_EVENT_GEN_EXE, "--events", "400", "--devices", "8", "--seed", "5", "--rate", "4",
                          "--duplicates", "0.05", "--invalid", "0.02"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    write_file(dir_ / "events.jsonl", gen.out);
  }

  [[nodiscard]] std::vector<std::string> etl(const std::string& root, const std::string& endpoint) const {
    return {SLUICE_EVENT_ETL_EXE, "--source", "file:" + (dir_ / "events.jsonl").string(),
            "--s3-bucket", bucket_, "--s3-prefix", root + "/out/", "--s3-endpoint", endpoint,
            "--s3-region", svc_.s3_region, "--s3-path-style",
            "--checkpoint-location", (dir_ / root / "checkpoint").string(), "--once"};
  }

  scratch_dir dir_;
};

TEST_F(EventEtlTls, HttpsSinkWithTheCaWritesThePlainRunsRows) {
  const auto plain = run(etl("plain", svc_.s3_endpoint), credentials());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto want = objects("plain", "out");
  ASSERT_FALSE(want.empty());

  auto args = etl("tls", svc_.s3_tls_endpoint);
  args.insert(args.end(), {"--s3-ca-file", svc_.tls_ca});
  const auto r = run(args, credentials());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(objects("tls", "out"), want);

  // S3_CA_FILE is the same option.
  auto env = credentials();
  env.emplace_back("S3_CA_FILE", svc_.tls_ca);
  const auto e = run(etl("tls-env", svc_.s3_tls_endpoint), env);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(objects("tls-env", "out"), want);
}

TEST_F(EventEtlTls, HttpsSinkWithoutTheCaStopsOnTheCertificate) {
  const auto r = run(etl("noca", svc_.s3_tls_endpoint), credentials());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("certificate"), std::string::npos) << r.err;
  EXPECT_TRUE(objects("noca", "out").empty());

  auto args = etl("noca", svc_.s3_tls_endpoint);
  args.insert(args.end(), {"--s3-ca-file", "/nonexistent/ca.pem"});
  const auto bad = run(args, credentials());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--s3-ca-file"), std::string::npos) << bad.err;
}

}  // namespace
