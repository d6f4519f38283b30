// SPDX-License-Identifier: Apache-2.0
// kafka::config: the kafka:// URL, -X properties, starting offsets, validation against
// librdkafka, redaction of secrets in descriptions, problems and log lines; the error category.

#include "sluice/kafka/config.hpp"
#include "sluice/kafka/error.hpp"
#include "sluice/kafka/group_member.hpp"
#include "sluice/kafka/partition_reader.hpp"

#include "kafka_test_support.hpp"
#include "mock_cluster.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace sluice;
using namespace sluice_test;

TEST(KafkaConfig, ParsesSourceUrls) {
  const auto one = kafka::parse_source_url("kafka://broker-1.example:9092/orders");
  ASSERT_TRUE(one);
  EXPECT_EQ(one.value(), (kafka::source_url{"broker-1.example:9092", "orders"}));
  const auto many = kafka::parse_source_url("kafka://10.0.0.1:9092,b2:19092,[::1]:9093/gg.schema_topic-1");
  ASSERT_TRUE(many);
  EXPECT_EQ(many.value(), (kafka::source_url{"10.0.0.1:9092,b2:19092,[::1]:9093", "gg.schema_topic-1"}));
}

TEST(KafkaConfig, RefusesBadSourceUrlsWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://h:1/t", "expected kafka://HOST:PORT"},
      {"kafka:///t", "no bootstrap server"},
      {"kafka://h/t", "'h' is not HOST:PORT"},
      {"kafka://h:0/t", "'h:0' is not HOST:PORT"},
      {"kafka://h:65536/t", "is not HOST:PORT"},
      {"kafka://h:9x/t", "is not HOST:PORT"},
      {"kafka://h:1,,h:2/t", "'' is not HOST:PORT"},
      {"kafka://[::1/t", "is not HOST:PORT"},
      {"kafka://h:1", "no topic"},
      {"kafka://h:1/", "no topic"},
      {"kafka://h:1/a/b", "'a/b' is not a Kafka topic name"},
      {"kafka://h:1/..", "is not a Kafka topic name"},
      {"kafka://h:1/" + std::string(250, 'a'), "is not a Kafka topic name"},
      {"kafka://h:1/t t", "is not a Kafka topic name"},
  };
  for (const auto& [url, why] : cases) {
    std::string problem;
    const auto r = kafka::parse_source_url(url, &problem);
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error(), errc::invalid_argument);
    EXPECT_NE(problem.find(why), std::string::npos) << url << " -> " << problem;
  }
  // Credentials in the URL are refused without echoing them.
  std::string problem;
  EXPECT_FALSE(kafka::parse_source_url("kafka://user:hunter2@h:1/t", &problem));
  EXPECT_EQ(problem.find("hunter2"), std::string::npos) << problem;
  EXPECT_NE(problem.find("-X sasl.username"), std::string::npos) << problem;
}

TEST(KafkaConfig, StartingOffsets) {
  EXPECT_EQ(kafka::parse_starting_offsets("earliest").value(), kafka::starting_offsets::earliest);
  EXPECT_EQ(kafka::parse_starting_offsets("latest").value(), kafka::starting_offsets::latest);
  std::string problem;
  EXPECT_FALSE(kafka::parse_starting_offsets("Earliest", &problem));
  EXPECT_NE(problem.find("expected earliest or latest"), std::string::npos);
  EXPECT_EQ(kafka::to_string(kafka::starting_offsets::latest), "latest");
}

TEST(KafkaConfig, PropertiesAsKcatTakesThem) {
  kafka::config cfg;
  ASSERT_TRUE(kafka::add_property(cfg, "security.protocol=SASL_SSL"));
  ASSERT_TRUE(kafka::add_property(cfg, "sasl.password=a=b=c"));
  ASSERT_TRUE(kafka::add_property(cfg, "client.id="));
  EXPECT_EQ(cfg.properties, (std::vector<std::pair<std::string, std::string>>{
                                {"security.protocol", "SASL_SSL"}, {"sasl.password", "a=b=c"}, {"client.id", ""}}));
  std::string problem;
  EXPECT_EQ(kafka::add_property(cfg, "sasl.passwordhunter2", &problem).error(), errc::invalid_argument);
  EXPECT_EQ(problem.find("hunter2"), std::string::npos) << "a malformed -X is not echoed: " << problem;
  EXPECT_FALSE(kafka::add_property(cfg, "=x", &problem));
  for (const auto& [key, hint] : std::vector<std::pair<std::string, std::string>>{
           {"group.id", "group id option"},
           {"bootstrap.servers", "kafka:// URL"},
           {"auto.offset.reset", "starting offsets"},
           {"enable.auto.commit", "logged complete"}}) {
    EXPECT_FALSE(kafka::add_property(cfg, key + "=x", &problem)) << key;
    EXPECT_NE(problem.find(hint), std::string::npos) << problem;
  }
  EXPECT_EQ(cfg.properties.size(), 3u);
}

TEST(KafkaConfig, SecretPropertiesAreRecognised) {
  for (const char* k : {"sasl.password", "ssl.key.password", "ssl.keystore.password", "sasl.oauthbearer.client.secret",
                        "ssl.key.pem", "sasl.oauthbearer.config", "sasl.jaas.config", "SASL.PASSWORD",
                        "topic.sasl.password"})
    EXPECT_TRUE(kafka::is_secret_property(k)) << k;
  for (const char* k : {"sasl.username", "security.protocol", "ssl.ca.location", "ssl.key.location", "client.id"})
    EXPECT_FALSE(kafka::is_secret_property(k)) << k;
}

TEST(KafkaConfig, DescribeRedactsSecrets) {
  kafka::config cfg;
  cfg.bootstrap_servers = "h1:9092,h2:9092";
  cfg.topic = "orders";
  cfg.group_id = "g";
  cfg.starting = kafka::starting_offsets::latest;
  cfg.properties = {{"security.protocol", "SASL_SSL"}, {"sasl.username", "svc"}, {"sasl.password", "hunter2"},
                    {"ssl.key.password", "s3cr3t"}};
  EXPECT_EQ(kafka::describe(cfg),
            "kafka://h1:9092,h2:9092/orders group=g starting-offsets=latest timeout=30000ms "
            "-X security.protocol=SASL_SSL -X sasl.username=svc -X sasl.password=[redacted] "
            "-X ssl.key.password=[redacted]");
  EXPECT_EQ(kafka::redact("user svc pass hunter2 key s3cr3t hunter2", kafka::secret_values(cfg)),
            "user svc pass [redacted] key [redacted] [redacted]");
}

TEST(KafkaConfig, ValidateChecksPropertiesWithLibrdkafka) {
  kafka::config cfg;
  cfg.bootstrap_servers = "127.0.0.1:9";
  cfg.topic = "t";
  std::string problem;
  EXPECT_TRUE(kafka::validate(cfg, &problem)) << problem;
  cfg.properties = {{"no.such.property", "1"}};
  EXPECT_FALSE(kafka::validate(cfg, &problem));
  EXPECT_EQ(problem, "-X no.such.property: unknown librdkafka property");
  cfg.properties = {{"security.protocol", "carrier-pigeon"}};
  EXPECT_FALSE(kafka::validate(cfg, &problem));
  EXPECT_NE(problem.find("-X security.protocol: "), std::string::npos) << problem;
  EXPECT_NE(problem.find("carrier-pigeon"), std::string::npos) << "non-secret values may be shown: " << problem;
  cfg.properties = {{"group.id", "x"}};
  EXPECT_FALSE(kafka::validate(cfg, &problem));
  cfg.properties = {};
  cfg.topic = "bad topic";
  EXPECT_FALSE(kafka::validate(cfg, &problem));
  cfg.topic = "t";
  cfg.bootstrap_servers.clear();
  EXPECT_FALSE(kafka::validate(cfg, &problem));
  cfg.bootstrap_servers = "h:1";
  cfg.timeout = std::chrono::milliseconds(0);
  EXPECT_FALSE(kafka::validate(cfg, &problem));
}

TEST(KafkaConfig, GroupMemberNeedsAGroupId) {
  kafka::config cfg;
  cfg.bootstrap_servers = "127.0.0.1:9";
  cfg.topic = "t";
  std::string problem;
  const auto m = kafka::group_member::make(cfg, {}, &problem);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error(), errc::invalid_argument);
  EXPECT_NE(problem.find("group id"), std::string::npos) << problem;
}

TEST(KafkaErrors, CategoryAndClassification) {
  const auto ec = kafka::make_error(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
  EXPECT_STREQ(ec.category().name(), "sluice.kafka");
  EXPECT_NE(ec.message().find("REQUEST_TIMED_OUT"), std::string::npos) << ec.message();
  EXPECT_EQ(kafka::code_of(ec), RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
  EXPECT_EQ(kafka::code_of(make_error_code(errc::timeout)), RD_KAFKA_RESP_ERR_UNKNOWN);
  EXPECT_FALSE(kafka::make_error(RD_KAFKA_RESP_ERR_NO_ERROR));
  for (const auto e : {RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
                       RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                       RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                       RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED}) {
    EXPECT_TRUE(kafka::make_error(e) == condition::retriable) << rd_kafka_err2name(e);
    EXPECT_FALSE(kafka::make_error(e) == condition::fatal) << rd_kafka_err2name(e);
  }
  for (const auto e : {RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
                       RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
                       RD_KAFKA_RESP_ERR__SSL}) {
    EXPECT_TRUE(kafka::make_error(e) == condition::fatal) << rd_kafka_err2name(e);
    EXPECT_TRUE(kafka::is_access_denied(e)) << rd_kafka_err2name(e);
  }
  for (const auto e : {RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET,
                       RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__INVALID_ARG,
                       RD_KAFKA_RESP_ERR_INVALID_MSG}) {
    EXPECT_TRUE(kafka::make_error(e) == condition::fatal) << rd_kafka_err2name(e);
    EXPECT_FALSE(kafka::make_error(e) == condition::retriable) << rd_kafka_err2name(e);
    EXPECT_FALSE(kafka::is_access_denied(e)) << rd_kafka_err2name(e);
  }
  EXPECT_FALSE(kafka::make_error(RD_KAFKA_RESP_ERR__TRANSPORT) == condition::invalid_input);
}

// Secrets never reach the log function, even with every debug context on.
TEST(KafkaLog, SecretsAreRedactedFromLibrdkafkaLogLines) {
  mock_cluster mc;
  const std::string topic = unique("redact");
  mc.create_topic(topic, 1);
  auto cfg = mock_config(mc, topic, unique("g"));
  cfg.timeout = std::chrono::milliseconds(3000);
  cfg.properties.emplace_back("debug", "all");
  cfg.properties.emplace_back("security.protocol", "sasl_plaintext");
  cfg.properties.emplace_back("sasl.mechanisms", "PLAIN");
  cfg.properties.emplace_back("sasl.username", "svc-user");
  cfg.properties.emplace_back("sasl.password", "Pa55-hunter2-word");
  cfg.properties.emplace_back("ssl.key.password", "k3y-pa55-s3cr3t");
  log_collector logs;
  {
    auto reader = kafka::partition_reader::make(cfg, logs.function());
    ASSERT_TRUE(reader);
    const auto wm = reader.value()->query_watermarks({topic, 0});
    // The mock cluster speaks no SASL: the attempt fails, retriable or as refused credentials.
    EXPECT_FALSE(wm);
    auto member = kafka::group_member::make(cfg, logs.function());
    EXPECT_FALSE(member);
  }
  const std::string all = logs.all();
  EXPECT_GT(logs.lines.size(), 20u) << "debug logging reached the log function";
  EXPECT_NE(all.find("security.protocol = sasl_plaintext"), std::string::npos) << "non-secret values stay readable";
  EXPECT_EQ(all.find("hunter2"), std::string::npos);
  EXPECT_EQ(all.find("Pa55"), std::string::npos);
  EXPECT_EQ(all.find("s3cr3t"), std::string::npos);
}

// The router itself redacts whatever librdkafka would print (error events, future log lines).
TEST(KafkaLog, TheRouterRedactsEverySecretValue) {
  kafka::config cfg;
  cfg.properties = {{"sasl.password", "hunter2"}, {"ssl.key.password", "hunter2-longer"}, {"sasl.username", "svc"}};
  std::vector<std::string> got;
  kafka::detail::client_state st(
      [&](const kafka::log_line& l) { got.push_back(std::string(l.facility) + "|" + std::string(l.message)); },
      kafka::secret_values(cfg));
  st.log(3, "FAIL", "c", "auth with svc/hunter2 and key hunter2-longer failed");
  st.on_error(nullptr, RD_KAFKA_RESP_ERR__AUTHENTICATION, "SASL PLAIN with hunter2 refused");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "FAIL|auth with svc/[redacted] and key [redacted] failed");
  EXPECT_EQ(got[1], "ERROR|_AUTHENTICATION: SASL PLAIN with [redacted] refused");
  EXPECT_EQ(st.access_error(), RD_KAFKA_RESP_ERR__AUTHENTICATION) << "refused credentials are remembered";
}

}  // namespace
