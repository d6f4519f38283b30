// SPDX-License-Identifier: Apache-2.0
// The test services are real servers: a topic created on the broker takes messages that kcat
// reads back exactly, and the S3 server refuses a request without a signature.
#include "support/kafka_admin.hpp"
#include "support/services.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  if (!p) return out;
  std::array<char, 4096> buf{};
  while (auto n = std::fread(buf.data(), 1, buf.size(), p.get())) out.append(buf.data(), n);
  return out;
}

TEST(ServicesHarness, KafkaTopicRoundTripThroughKcat) {
  const auto env = sluice::test::services_env();
  ASSERT_TRUE(env && !env->kafka_bootstrap.empty()) << "no Kafka: run through ctest (fixture services)";
  const std::string topic = sluice::test::unique_name("harness");
  ASSERT_EQ(sluice::test::create_topic(env->kafka_bootstrap, topic, 3), "");
  ASSERT_EQ(sluice::test::produce(env->kafka_bootstrap, topic,
                                  {{0, "k0", "zero"}, {1, "k1", "one"}, {2, std::nullopt, "two"}, {1, "k3", std::nullopt}}),
            "");
  const std::string out = run("kcat -C -b " + env->kafka_bootstrap + " -t " + topic +
                              " -e -q -f '%p %o %k=%s|\\n' -Z 2>&1 | sort");
  EXPECT_EQ(out, "0 0 k0=zero|\n1 0 k1=one|\n1 1 k3=NULL|\n2 0 NULL=two|\n");
}

TEST(ServicesHarness, S3RefusesAnUnsignedRequest) {
  const auto env = sluice::test::services_env();
  ASSERT_TRUE(env && !env->s3_endpoint.empty()) << "no S3: run through ctest (fixture services)";
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' -X PUT " + env->s3_endpoint + "/" +
                sluice::test::unique_name("unsigned")),
            "403");
}

}  // namespace
