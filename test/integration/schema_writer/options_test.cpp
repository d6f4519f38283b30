// SPDX-License-Identifier: Apache-2.0
// The option parser of sluice-schema-writer: flags, environment variables, defaults, errors.
#include "options.hpp"

#include <gtest/gtest.h>

#include <map>
#include <span>

namespace cli = schema_writer_cli;

namespace {

struct parsed {
  std::optional<cli::config> cfg;
  std::string error;
};

parsed parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  const cli::env_lookup lookup = [env](const std::string& k) -> std::optional<std::string> {
    const auto it = env.find(k);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto r = cli::parse(args, lookup, cli::defaults{"/opt/share/sluice/sample.jsonl"});
  if (auto* e = std::get_if<cli::usage_error>(&r)) return {std::nullopt, e->message};
  return {std::get<cli::config>(r), {}};
}

}  // namespace

TEST(SchemaWriterOptions, DefaultsRunTheDemoOnceOnTheBundledSample) {
  const auto p = parse({});
  ASSERT_TRUE(p.cfg) << p.error;
  const auto& c = *p.cfg;
  EXPECT_EQ(c.cmd, cli::command::run);
  EXPECT_EQ(c.source, "/opt/share/sluice/sample.jsonl");
  EXPECT_TRUE(c.source_is_default);
  EXPECT_TRUE(c.once);
  EXPECT_EQ(c.sink, "schema-catalog");
  EXPECT_EQ(c.checkpoint, ".sluice/checkpoint");
  EXPECT_EQ(c.dead_letters, ".sluice/dead-letters");
  EXPECT_TRUE(c.lowercase_names);
  EXPECT_EQ(c.max_records_per_batch, 10'000);
  EXPECT_EQ(c.trigger_interval, std::chrono::milliseconds(0));  // once: batches back to back
  EXPECT_EQ(c.app, "sluice-schema-writer");
  EXPECT_EQ(c.stream_name, "default");
  EXPECT_TRUE(c.progress.to_stderr);
}

TEST(SchemaWriterOptions, AnExplicitSourceRunsContinuouslyUnlessOnce) {
  auto p = parse({"--source", "file:/data/topic.jsonl"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->source, "/data/topic.jsonl");
  EXPECT_FALSE(p.cfg->source_is_default);
  EXPECT_FALSE(p.cfg->once);
  EXPECT_EQ(p.cfg->trigger_interval, std::chrono::milliseconds(1000));
  p = parse({"--source=file:/data/topic.jsonl", "--once"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_TRUE(p.cfg->once);
  EXPECT_EQ(p.cfg->trigger_interval, std::chrono::milliseconds(0));
  p = parse({"--source=file:/data/topic.jsonl", "--once", "--trigger-interval", "2s"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->trigger_interval, std::chrono::milliseconds(2000));
  p = parse({}, {{"SLUICE_SOURCE", "/data/t.jsonl"}});  // a plain path is a local file too
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->source, "/data/t.jsonl");
  EXPECT_FALSE(p.cfg->once);
  p = parse({}, {{"SLUICE_ONCE", "false"}});  // the demo can be made continuous
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_FALSE(p.cfg->once);
}

TEST(SchemaWriterOptions, LocationsAcceptFileAndS3FormsAndRefuseOthers) {
  auto p = parse({"--sink", "file:///var/catalog", "--checkpoint", "file://rel/ckpt"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->sink, "/var/catalog");
  EXPECT_FALSE(p.cfg->sink.s3());
  EXPECT_EQ(p.cfg->checkpoint, "rel/ckpt");
  for (const char* bad : {"kafka://b:9092/t", "https://example/x", "gs://b"}) {
    p = parse({"--sink", bad});
    EXPECT_FALSE(p.cfg) << bad;
    EXPECT_NE(p.error.find("is not supported here; expected s3://BUCKET/PREFIX or file:PATH"),
              std::string::npos)
        << p.error;
  }
  p = parse({"--sink", "file:"});
  EXPECT_FALSE(p.cfg);
  p = parse({"--sink", ""});
  EXPECT_FALSE(p.cfg);
}

TEST(SchemaWriterOptions, S3LocationsAndSettings) {
  auto p = parse({"--sink", "s3://catalog-bucket/gg/schemas/", "--checkpoint", "s3://ops/sw/checkpoint",
                  "--s3-endpoint", "http://127.0.0.1:9000", "--s3-path-style"},
                 {{"AWS_REGION", "eu-west-1"}});
  ASSERT_TRUE(p.cfg) << p.error;
  const auto& c = *p.cfg;
  ASSERT_TRUE(c.sink.s3());
  EXPECT_EQ(c.sink.s3()->bucket, "catalog-bucket");
  EXPECT_EQ(c.sink.s3()->prefix, "gg/schemas");  // the trailing '/' dropped
  ASSERT_TRUE(c.checkpoint.s3());
  EXPECT_EQ(c.checkpoint.s3()->to_string(), "s3://ops/sw/checkpoint");
  ASSERT_TRUE(c.dead_letters.s3());  // a sibling of the checkpoint, on S3 too
  EXPECT_EQ(c.dead_letters.s3()->to_string(), "s3://ops/sw/dead-letters");
  ASSERT_TRUE(c.s3.endpoint);
  EXPECT_EQ(c.s3.endpoint->scheme, "http");
  EXPECT_EQ(c.s3.endpoint->host, "127.0.0.1");
  EXPECT_EQ(c.s3.endpoint->port, 9000);
  EXPECT_TRUE(c.s3.path_style);
  EXPECT_EQ(c.s3.region, "eu-west-1");

  p = parse({"--checkpoint", "s3://ops"}, {{"SLUICE_S3_REGION", "ap-south-1"}, {"AWS_REGION", "eu-west-1"}});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->dead_letters.s3()->to_string(), "s3://ops/dead-letters");
  EXPECT_EQ(p.cfg->s3.region, "ap-south-1");  // SLUICE_S3_REGION beats AWS_REGION
  EXPECT_FALSE(p.cfg->s3.path_style);
  EXPECT_FALSE(p.cfg->s3.endpoint);

  p = parse({"--checkpoint", "s3://ops/ck", "--dead-letters", "file:/var/dl"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_FALSE(p.cfg->dead_letters.s3());
  EXPECT_EQ(p.cfg->dead_letters, "/var/dl");

  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--sink", "s3://"}, {"--sink", "s3://Bad_Bucket/x"},
        {"--sink", "s3://b/../x"}, {"--s3-endpoint", "ftp://h"}, {"--s3-endpoint", "http://h/path"},
        {"--s3-region", "EU WEST"}}) {
    p = parse(bad);
    EXPECT_FALSE(p.cfg) << bad[0] << " " << bad[1];
    EXPECT_FALSE(p.error.empty());
  }
}

TEST(SchemaWriterOptions, KafkaSourceGroupOffsetsAndProperties) {
  auto p = parse({"--source", "kafka://b1:9092,b2:9093/gg.schemas", "-X", "security.protocol=SSL",
                  "-Xssl.ca.location=/etc/ca.pem", "--kafka-property", "client.id=sw-1",
                  "--starting-offsets", "latest"},
                 {{"SLUICE_GROUP_ID", "catalog-writers"}});
  ASSERT_TRUE(p.cfg) << p.error;
  const auto& c = *p.cfg;
  ASSERT_TRUE(c.kafka);
  EXPECT_FALSE(c.source_is_default);
  EXPECT_FALSE(c.once);  // a topic never ends: continuous unless --once
  EXPECT_EQ(c.kafka->bootstrap_servers, "b1:9092,b2:9093");
  EXPECT_EQ(c.kafka->topic, "gg.schemas");
  EXPECT_EQ(c.kafka->group_id, "catalog-writers");
  EXPECT_EQ(c.kafka->starting, sluice::kafka::starting_offsets::latest);
  const std::vector<std::pair<std::string, std::string>> props{
      {"security.protocol", "SSL"}, {"ssl.ca.location", "/etc/ca.pem"}, {"client.id", "sw-1"}};
  EXPECT_EQ(c.kafka->properties, props);

  p = parse({"--source", "kafka://b1:9092/t"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->kafka->group_id, "sluice-schema-writer");
  EXPECT_EQ(p.cfg->kafka->starting, sluice::kafka::starting_offsets::earliest);

  // Properties sluice manages, a broken URL, Kafka options without a Kafka source.
  p = parse({"--source", "kafka://b1:9092/t", "-X", "enable.auto.commit=true"});
  EXPECT_FALSE(p.cfg);
  EXPECT_NE(p.error.find("enable.auto.commit"), std::string::npos) << p.error;
  p = parse({"--source", "kafka://b1:9092/t", "-X", "group.id=x"});
  EXPECT_FALSE(p.cfg);
  p = parse({"--source", "kafka://b1:9092"});
  EXPECT_FALSE(p.cfg);
  p = parse({"--source", "kafka://user:pw@b1:9092/t"});
  EXPECT_FALSE(p.cfg);
  EXPECT_EQ(p.error.find("pw"), std::string::npos) << "credentials echoed: " << p.error;
  p = parse({"--group-id", "g"});
  EXPECT_FALSE(p.cfg);
  EXPECT_NE(p.error.find("kafka:// source only"), std::string::npos) << p.error;
  p = parse({"--source", "kafka://b1:9092/t", "--starting-offsets", "middle"});
  EXPECT_FALSE(p.cfg);
  p = parse({"--source", "kafka://b1:9092/t", "-X"});
  EXPECT_FALSE(p.cfg);
  // A secret given with -X never shows in an error.
  p = parse({"--source", "kafka://b1:9092/t", "-X", "sasl.password"});
  EXPECT_FALSE(p.cfg);
}

TEST(SchemaWriterOptions, DeadLettersDefaultToASiblingOfTheCheckpoint) {
  auto p = parse({"--checkpoint", "file:/srv/sw/ckpt"});
  ASSERT_TRUE(p.cfg);
  EXPECT_EQ(p.cfg->dead_letters, "/srv/sw/dead-letters");
  p = parse({"--checkpoint", "file:/srv/sw/ckpt/"});
  ASSERT_TRUE(p.cfg);
  EXPECT_EQ(p.cfg->dead_letters, "/srv/sw/dead-letters");
  p = parse({"--checkpoint", "ckpt"});
  ASSERT_TRUE(p.cfg);
  EXPECT_EQ(p.cfg->dead_letters, "./dead-letters");
  p = parse({"--checkpoint", "ckpt", "--dead-letters", "file:/dlq"});
  ASSERT_TRUE(p.cfg);
  EXPECT_EQ(p.cfg->dead_letters, "/dlq");
}

TEST(SchemaWriterOptions, NumbersDurationsAndNamesAreValidated) {
  auto p = parse({"--max-records-per-batch", "3", "--trigger-interval", "500ms"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->max_records_per_batch, 3);
  EXPECT_EQ(p.cfg->trigger_interval, std::chrono::milliseconds(500));
  const std::pair<const char*, long long> durations[] = {
      {"10s", 10'000}, {"1m", 60'000}, {"2h", 7'200'000}, {"0", 0}, {"0ms", 0}};
  for (const auto& [text, ms] : durations) {
    p = parse({"--trigger-interval", text});
    ASSERT_TRUE(p.cfg) << text << ": " << p.error;
    EXPECT_EQ(p.cfg->trigger_interval.count(), ms) << text;
  }
  for (const char* bad : {"10", "1d", "-5s", "ms", "5 s", "1.5s", ""}) {
    EXPECT_FALSE(parse({"--trigger-interval", bad}).cfg) << bad;
  }
  for (const char* bad : {"0", "-1", "1e3", "12x", "", "100000001", "99999999999999999999"}) {
    p = parse({"--max-records-per-batch", bad});
    EXPECT_FALSE(p.cfg) << bad;
  }
  // The byte bound of a batch: 4 MiB by default, 64 KiB to 1 GiB, from the flag or the variable;
  // with Kafka it also bounds the consumer's read-ahead.
  p = parse({});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->max_bytes_per_batch, 4 << 20);
  p = parse({"--max-bytes-per-batch", "65536"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->max_bytes_per_batch, 65536);
  p = parse({"--source", "kafka://127.0.0.1:9/t", "--group-id", "g"}, {{"SLUICE_MAX_BYTES_PER_BATCH", "1048576"}});
  ASSERT_TRUE(p.cfg) << p.error;
  ASSERT_TRUE(p.cfg->kafka);
  EXPECT_EQ(p.cfg->kafka->read_ahead_bytes, std::optional<std::size_t>(1048576));
  for (const char* bad : {"0", "65535", "1073741825", "4MiB", ""}) {
    p = parse({"--max-bytes-per-batch", bad});
    EXPECT_FALSE(p.cfg) << bad;
    EXPECT_NE(p.error.find("max-bytes-per-batch"), std::string::npos) << p.error;
  }
  for (const char* bad : {"", ".", "..", "a/b", "a b", "ü"}) {
    EXPECT_FALSE(parse({"--app", bad}).cfg) << bad;
    EXPECT_FALSE(parse({"--stream-name", bad}).cfg) << bad;
  }
  p = parse({"--app", "billing-2", "--stream-name", "gg.schemas_v1"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->app, "billing-2");
  EXPECT_EQ(p.cfg->stream_name, "gg.schemas_v1");
}

TEST(SchemaWriterOptions, FlagsBeatEnvironmentAndTheLastFlagWins) {
  const std::map<std::string, std::string> env = {
      {"SLUICE_SINK", "file:/env/sink"},
      {"SLUICE_MAX_RECORDS_PER_BATCH", "7"},
      {"SLUICE_LOWERCASE_NAMES", "0"},
      {"SLUICE_PROGRESS", "file:/env/progress.jsonl"},
      {"SLUICE_TRIGGER_INTERVAL", "1m"}};
  auto p = parse({}, env);
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->sink, "/env/sink");
  EXPECT_EQ(p.cfg->max_records_per_batch, 7);
  EXPECT_FALSE(p.cfg->lowercase_names);
  EXPECT_FALSE(p.cfg->progress.to_stderr);
  EXPECT_EQ(p.cfg->progress.file, "/env/progress.jsonl");
  EXPECT_EQ(p.cfg->trigger_interval, std::chrono::minutes(1));
  p = parse({"--sink", "file:/flag/sink", "--max-records-per-batch", "9", "--lowercase-names",
             "--progress", "stderr", "--max-records-per-batch", "11"},
            env);
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->sink, "/flag/sink");
  EXPECT_EQ(p.cfg->max_records_per_batch, 11);
  EXPECT_TRUE(p.cfg->lowercase_names);
  EXPECT_TRUE(p.cfg->progress.to_stderr);
  p = parse({"--lowercase-names", "--no-lowercase-names"});
  ASSERT_TRUE(p.cfg);
  EXPECT_FALSE(p.cfg->lowercase_names);
  for (const char* bad : {"maybe", "", "2"}) {
    EXPECT_FALSE(parse({}, {{"SLUICE_LOWERCASE_NAMES", bad}}).cfg) << bad;
    EXPECT_FALSE(parse({}, {{"SLUICE_ONCE", bad}}).cfg) << bad;
  }
  // A flag wins without its variable being read, so a bad variable behind a flag is harmless.
  EXPECT_TRUE(parse({"--max-records-per-batch", "5"}, {{"SLUICE_MAX_RECORDS_PER_BATCH", "x"}}).cfg);
  EXPECT_FALSE(parse({}, {{"SLUICE_MAX_RECORDS_PER_BATCH", "x"}}).cfg);
}

TEST(SchemaWriterOptions, CommandsHelpVersionAndUsageErrors) {
  EXPECT_EQ(parse({"run", "--once"}).cfg->cmd, cli::command::run);
  EXPECT_EQ(parse({"--help"}).cfg->cmd, cli::command::help);
  EXPECT_EQ(parse({"-h"}).cfg->cmd, cli::command::help);
  EXPECT_EQ(parse({"--version"}).cfg->cmd, cli::command::version);
  auto p = parse({"batches", "--since", "202508"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->cmd, cli::command::batches);
  EXPECT_EQ(p.cfg->since_yyyymm, 202508);
  p = parse({"batches"}, {{"SLUICE_SINCE", "202412"}});
  ASSERT_TRUE(p.cfg);
  EXPECT_EQ(p.cfg->since_yyyymm, 202412);
  EXPECT_FALSE(parse({"batches"}).cfg->since_yyyymm);
  for (const char* bad : {"202513", "202500", "2025-08", "20258", "abcdef", "196912"}) {
    EXPECT_FALSE(parse({"batches", "--since", bad}).cfg) << bad;
  }
  const std::vector<std::vector<std::string>> usage = {
      {"--nope"}, {"-x"}, {"extra", "--once"}, {"run", "stray"}, {"--once=1"},
      {"--sink"}, {"--max-records-per-batch", "--once"}, {"--since", "202508"}, {"--no-lowercase-names=true"}};
  for (const auto& args : usage) {
    p = parse(args);
    EXPECT_FALSE(p.cfg) << args.front();
    EXPECT_FALSE(p.error.empty());
  }
}

namespace {

// Arguments that must be refused, and a phrase of the message.
using usage_case = std::pair<std::vector<std::string>, const char*>;
void expect_usage_errors(std::span<const usage_case> cases) {
  for (const auto& [args, message] : cases) {
    const auto p = parse(args);
    EXPECT_FALSE(p.cfg) << args[0];
    EXPECT_NE(p.error.find(message), std::string::npos) << p.error;
  }
}

}  // namespace

TEST(SchemaWriterOptions, TheEventEtlsNamesAreTheSameOptions) {
  auto a = parse({"--source", "kafka://b1:9092,b2:9093/gg.schemas", "--checkpoint", "s3://ops/ck",
                  "--max-records-per-batch", "42", "--group-id", "g", "--starting-offsets", "latest"});
  auto b = parse({"--kafka-bootstrap-servers", "b1:9092,b2:9093", "--kafka-topic", "gg.schemas",
                  "--checkpoint-location", "s3://ops/ck", "--kafka-max-offsets-per-trigger", "42",
                  "--kafka-group-id", "g", "--kafka-starting-offsets", "latest", "-X", "client.id=sw"});
  ASSERT_TRUE(a.cfg) << a.error;
  ASSERT_TRUE(b.cfg) << b.error;
  for (const auto* c : {&*a.cfg, &*b.cfg}) {
    ASSERT_TRUE(c->kafka);
    EXPECT_FALSE(c->source_is_default);
    EXPECT_FALSE(c->once);
    EXPECT_EQ(c->kafka->bootstrap_servers, "b1:9092,b2:9093");
    EXPECT_EQ(c->kafka->topic, "gg.schemas");
    EXPECT_EQ(c->kafka->group_id, "g");
    EXPECT_EQ(c->kafka->starting, sluice::kafka::starting_offsets::latest);
    EXPECT_EQ(c->checkpoint.string(), "s3://ops/ck");
    EXPECT_EQ(c->dead_letters.string(), "s3://ops/dead-letters");
    EXPECT_EQ(c->max_records_per_batch, 42);
    EXPECT_TRUE(c->notes.empty());
  }
  EXPECT_EQ(b.cfg->kafka->properties.size(), 1u);

  auto p = parse({}, {{"SLUICE_KAFKA_BOOTSTRAP_SERVERS", "b:1"}, {"SLUICE_KAFKA_TOPIC", "t"}});
  ASSERT_TRUE(p.cfg) << p.error;
  ASSERT_TRUE(p.cfg->kafka);
  EXPECT_EQ(p.cfg->kafka->bootstrap_servers, "b:1");
  EXPECT_EQ(p.cfg->kafka->topic, "t");
  // A flag beats the other name's variable; the ignored variable is noted.
  p = parse({"--source", "file:/x.jsonl"}, {{"SLUICE_KAFKA_BOOTSTRAP_SERVERS", "b:1"}});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_FALSE(p.cfg->kafka);
  EXPECT_EQ(p.cfg->notes, std::vector<std::string>{"SLUICE_KAFKA_BOOTSTRAP_SERVERS is ignored: --source names the source"});
  p = parse({"--kafka-bootstrap-servers", "b:1", "--kafka-topic", "t"}, {{"SLUICE_SOURCE", "file:/x.jsonl"}});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_TRUE(p.cfg->kafka);

  const usage_case bad[] = {
      {{"--kafka-bootstrap-servers", "b:1"}, "--kafka-bootstrap-servers: needs --kafka-topic"},
      {{"--kafka-topic", "t"}, "--kafka-topic applies with --kafka-bootstrap-servers only"},
      {{"--source", "kafka://b:1/t", "--kafka-bootstrap-servers", "b:2", "--kafka-topic", "t"},
       "both --source and --kafka-bootstrap-servers are given"},
      {{"--kafka-bootstrap-servers", "b:1", "--kafka-topic", "bad topic"}, "--kafka-bootstrap-servers: "},
      {{"--kafka-group-id", "g"}, "apply to a kafka:// source only"},
      {{"--checkpoint-location", "gs://b"}, "--checkpoint-location: the scheme 'gs:' is not supported here"},
      {{"--kafka-max-offsets-per-trigger", "0"}, "--kafka-max-offsets-per-trigger: expected a whole number"},
      {{"--kafka-starting-offsets", "middle", "--source", "kafka://b:1/t"}, "--kafka-starting-offsets: "},
  };
  expect_usage_errors(bad);
}

TEST(SchemaWriterOptions, S3BucketAndPrefixAreTheSinkOnS3) {
  auto p = parse({"--s3-bucket", "catalog-bucket", "--s3-prefix", "/gg/schemas/"});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->sink, parse({"--sink", "s3://catalog-bucket/gg/schemas"}).cfg->sink);
  ASSERT_TRUE(p.cfg->sink.s3());
  EXPECT_EQ(p.cfg->sink.s3()->prefix, "gg/schemas");
  p = parse({}, {{"SLUICE_S3_BUCKET", "catalog-bucket"}});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->sink.string(), "s3://catalog-bucket");
  p = parse({"--sink", "file:/cat"}, {{"SLUICE_S3_BUCKET", "catalog-bucket"}});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->sink, "/cat");
  EXPECT_EQ(p.cfg->notes, std::vector<std::string>{"SLUICE_S3_BUCKET is ignored: --sink names the sink"});
  const usage_case bad[] = {
      {{"--s3-bucket", "Bad_Bucket"}, "--s3-bucket: invalid bucket name 'Bad_Bucket'"},
      {{"--s3-bucket", "bkt", "--s3-prefix", "a/../b"}, "--s3-prefix: invalid prefix"},
      {{"--sink", "file:/cat", "--s3-bucket", "bkt"}, "both --sink and --s3-bucket are given: choose a folder or S3"},
  };
  expect_usage_errors(bad);
}

TEST(SchemaWriterOptions, AnEmptyAwsRegionIsUnset) {
  // As in sluice-event-etl: the region resolution is one.
  auto p = parse({}, {{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "eu-north-1"}});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->s3.region, "eu-north-1");
  p = parse({}, {{"AWS_REGION", ""}});
  ASSERT_TRUE(p.cfg) << p.error;
  EXPECT_EQ(p.cfg->s3.region, "us-east-1");
}

TEST(SchemaWriterOptions, HelpListsTheOtherNames) {
  const auto help = cli::help_text();
  for (const char* line : {"  --checkpoint-location s3://BUCKET/PREFIX | file:DIR\n      the same as --checkpoint\n",
                           "  --kafka-group-id NAME\n      the same as --group-id\n",
                           "  --kafka-starting-offsets earliest|latest\n      the same as --starting-offsets\n",
                           "  --kafka-max-offsets-per-trigger N\n      the same as --max-records-per-batch\n",
                           "--kafka-bootstrap-servers HOST:PORT", "[SLUICE_KAFKA_TOPIC]", "[SLUICE_S3_BUCKET]",
                           "[SLUICE_S3_PREFIX]"}) {
    EXPECT_NE(help.find(line), std::string::npos) << line;
  }
}

TEST(SchemaWriterOptions, HelpNamesEveryOptionAndItsVariable) {
  const auto help = cli::help_text();
  for (const auto& o : cli::options_table) {
    EXPECT_NE(help.find("--" + std::string(o.name)), std::string::npos) << o.name;
    EXPECT_NE(help.find(std::string(o.env)), std::string::npos) << o.env;
  }
  EXPECT_NE(help.find("Exit codes: 0 done, 1 fatal error, 2 usage or configuration error"),
            std::string::npos);
}
