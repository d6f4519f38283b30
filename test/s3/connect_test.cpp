// SPDX-License-Identifier: Apache-2.0
// `s3::connect`: command-line settings and the environment to a working client.
#include "sluice/s3/connect.hpp"

#include "loopback_http.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

sluice::s3::environment_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(S3Connect, EndpointRegionAddressingAndCredentials) {
  sluice_s3_test::loopback_http server([](const sluice_s3_test::http_request&) {
    return sluice_s3_test::http_reply{200, "hello", {}};
  });
  sluice::s3::connection_settings s{server.endpoint(), "eu-west-3", true};
  auto c = sluice::s3::connect(s, {}, nullptr, env_of({{"AWS_ACCESS_KEY_ID", "AKIDCONNECT"}, {"AWS_SECRET_ACCESS_KEY", "x"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c.value()->options().region, "eu-west-3");
  EXPECT_EQ(c.value()->options().addressing, sluice::s3::addressing_style::path);
  EXPECT_EQ(c.value()->get_object("bkt", "k").value(), std::optional<std::string>("hello"));
  const auto r = server.requests().at(0);
  EXPECT_EQ(r.target, "/bkt/k");
  EXPECT_NE(r.header("authorization").find("Credential=AKIDCONNECT/"), std::string::npos);
  EXPECT_NE(r.header("authorization").find("/eu-west-3/s3/aws4_request"), std::string::npos);
}

TEST(S3Connect, RegionFromTheEnvironmentThenTheDefault) {
  const auto creds = std::map<std::string, std::string>{{"AWS_ACCESS_KEY_ID", "A"}, {"AWS_SECRET_ACCESS_KEY", "x"}};
  auto with = [&](std::map<std::string, std::string> more) {
    more.insert(creds.begin(), creds.end());
    return sluice::s3::connect({}, {}, nullptr, env_of(more)).value();
  };
  EXPECT_EQ(with({{"AWS_REGION", "ap-south-1"}, {"AWS_DEFAULT_REGION", "eu-north-1"}})->options().region, "ap-south-1");
  EXPECT_EQ(with({{"AWS_DEFAULT_REGION", "eu-north-1"}})->options().region, "eu-north-1");
  const auto aws = with({});
  EXPECT_EQ(aws->options().region, "us-east-1");
  EXPECT_EQ(aws->options().addressing, sluice::s3::addressing_style::virtual_host);
  EXPECT_EQ(aws->service_endpoint(), (sluice::s3::endpoint{"https", "s3.us-east-1.amazonaws.com", 443}));
}

TEST(S3Connect, ClearErrors) {
  std::string why;
  EXPECT_EQ(sluice::s3::connect({"ftp://x", "", false}, {}, &why, env_of({})).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(why, "invalid S3 endpoint 'ftp://x': expected http://HOST[:PORT] or https://HOST[:PORT]");
  EXPECT_EQ(sluice::s3::connect({"http://127.0.0.1:9", "", true}, {}, &why, env_of({})).error(),
            sluice::errc::access_denied);
  EXPECT_NE(why.find("no credentials"), std::string::npos) << why;
}

}  // namespace
