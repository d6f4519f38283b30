// SPDX-License-Identifier: Apache-2.0
// The retry-budget options of sluice-schema-writer (--s3-max-attempts, --s3-request-timeout,
// --retry-max-attempts): flags, variables, defaults, bounds.
#include "options.hpp"

#include <gtest/gtest.h>

#include <map>

namespace cli = schema_writer_cli;

namespace {

std::variant<cli::config, cli::usage_error> parse(std::vector<std::string> args,
                                                  std::map<std::string, std::string> env = {}) {
  const cli::env_lookup lookup = [env](const std::string& k) -> std::optional<std::string> {
    const auto it = env.find(k);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return cli::parse(args, lookup, cli::defaults{"/opt/sample.jsonl"});
}

TEST(RetryOptions, DefaultsMatchTheClientAndTheRunner) {
  const auto r = parse({});
  ASSERT_TRUE(std::holds_alternative<cli::config>(r));
  const auto& c = std::get<cli::config>(r);
  EXPECT_EQ(c.s3.max_attempts, 5);
  EXPECT_EQ(c.s3.request_timeout, std::chrono::milliseconds(60'000));
  EXPECT_EQ(c.retry_max_attempts, 8);
}

TEST(RetryOptions, FlagsBeatVariables) {
  auto r = parse({"--s3-max-attempts", "2", "--retry-max-attempts=3", "--s3-request-timeout", "1500ms"},
                 {{"SLUICE_S3_MAX_ATTEMPTS", "9"}, {"SLUICE_RETRY_MAX_ATTEMPTS", "9"}});
  ASSERT_TRUE(std::holds_alternative<cli::config>(r));
  EXPECT_EQ(std::get<cli::config>(r).s3.max_attempts, 2);
  EXPECT_EQ(std::get<cli::config>(r).retry_max_attempts, 3);
  EXPECT_EQ(std::get<cli::config>(r).s3.request_timeout, std::chrono::milliseconds(1500));
  r = parse({}, {{"SLUICE_S3_MAX_ATTEMPTS", "1"}, {"SLUICE_RETRY_MAX_ATTEMPTS", "100"},
                 {"SLUICE_S3_REQUEST_TIMEOUT", "2m"}});
  ASSERT_TRUE(std::holds_alternative<cli::config>(r));
  EXPECT_EQ(std::get<cli::config>(r).s3.max_attempts, 1);
  EXPECT_EQ(std::get<cli::config>(r).retry_max_attempts, 100);
  EXPECT_EQ(std::get<cli::config>(r).s3.request_timeout, std::chrono::milliseconds(120'000));
}

TEST(RetryOptions, OutOfRangeValuesAreUsageErrors) {
  for (const auto& bad : {"0", "101", "-1", "x", "2.5", ""}) {
    for (const auto* name : {"--s3-max-attempts", "--retry-max-attempts"}) {
      const auto r = parse({std::string(name) + "=" + bad});
      ASSERT_TRUE(std::holds_alternative<cli::usage_error>(r)) << name << " " << bad;
      EXPECT_NE(std::get<cli::usage_error>(r).message.find("from 1 to 100"), std::string::npos);
    }
  }
  for (const auto& bad : {"0", "10", "fast", "-1s"}) {
    const auto r = parse({"--s3-request-timeout", bad});
    EXPECT_TRUE(std::holds_alternative<cli::usage_error>(r)) << bad;
  }
}

TEST(RetryOptions, HelpDocumentsThem) {
  const std::string help = cli::help_text();
  for (const auto* s : {"--s3-max-attempts N", "SLUICE_S3_MAX_ATTEMPTS", "--s3-request-timeout DURATION",
                        "SLUICE_S3_REQUEST_TIMEOUT", "--retry-max-attempts N", "SLUICE_RETRY_MAX_ATTEMPTS"}) {
    EXPECT_NE(help.find(s), std::string::npos) << s;
  }
}

}  // namespace
