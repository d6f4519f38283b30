// SPDX-License-Identifier: Apache-2.0
// sluice-event-etl's options: defaults, the Spark job's environment names, flags beating
// variables, durations, ranges, conflicts and errors.
#include "options.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using namespace event_etl_cli;

struct env_map {
  std::map<std::string, std::string> vars;
  std::optional<std::string> operator()(const std::string& k) const {
    const auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }
};

std::variant<config, usage_error> parse_with(std::vector<std::string> args,
                                             std::map<std::string, std::string> vars = {}) {
  return parse(args, env_map{std::move(vars)});
}

config ok(std::vector<std::string> args, std::map<std::string, std::string> vars = {}) {
  auto r = parse_with(std::move(args), std::move(vars));
  if (auto* e = std::get_if<usage_error>(&r)) ADD_FAILURE() << e->message;
  return std::holds_alternative<config>(r) ? std::get<config>(r) : config{};
}

std::string error(std::vector<std::string> args, std::map<std::string, std::string> vars = {}) {
  auto r = parse_with(std::move(args), std::move(vars));
  if (auto* e = std::get_if<usage_error>(&r)) return e->message;
  ADD_FAILURE() << "accepted";
  return {};
}

TEST(EventEtlOptions, DefaultsWithAFileSource) {
  const auto c = ok({"--source", "file:events.jsonl"});
  EXPECT_EQ(c.cmd, command::run);
  EXPECT_EQ(c.source, source_kind::file);
  EXPECT_EQ(c.source_file, "events.jsonl");
  EXPECT_FALSE(c.sink) << "the console";
  EXPECT_EQ(c.kafka.topic, "input_events");
  EXPECT_EQ(c.kafka.starting_offsets, "latest");
  EXPECT_EQ(c.max_records_per_batch, 1000);
  EXPECT_EQ(c.window, std::chrono::minutes(1));
  EXPECT_EQ(c.watermark_delay, std::chrono::minutes(10));
  EXPECT_EQ(c.checkpoint, ".sluice/event-etl/checkpoint");
  EXPECT_EQ(c.dead_letters, ".sluice/event-etl/dead-letters");
  EXPECT_FALSE(c.once);
  EXPECT_EQ(c.trigger_interval.count(), 0);
  EXPECT_TRUE(c.progress.to_stderr);
  EXPECT_EQ(c.ranges, sluice::event_etl::range_filter_options{});
}

TEST(EventEtlOptions, TheSparkJobsEnvironmentNames) {
  const auto c = ok({}, {{"KAFKA_BOOTSTRAP_SERVERS", "b1:9092,b2:9092"},
                         {"KAFKA_TOPIC", "device.events"},
                         {"KAFKA_STARTING_OFFSETS", "earliest"},
                         {"KAFKA_MAX_OFFSETS_PER_TRIGGER", "5000"},
                         {"S3_BUCKET", "my-bucket"},
                         {"S3_PREFIX", "aggregates/"},
                         {"S3_ENDPOINT", "http://127.0.0.1:9000"},
                         {"CHECKPOINT_LOCATION", "/var/lib/etl/ckpt"},
                         {"WINDOW_DURATION", "5 minutes"},
                         {"WATERMARK_DELAY", "30 seconds"}});
  EXPECT_EQ(c.source, source_kind::kafka);
  EXPECT_EQ(c.kafka.bootstrap_servers, "b1:9092,b2:9092");
  EXPECT_EQ(c.kafka.topic, "device.events");
  EXPECT_EQ(c.kafka.starting_offsets, "earliest");
  EXPECT_EQ(c.max_records_per_batch, 5000);
  ASSERT_TRUE(c.sink && c.sink->s3());
  EXPECT_EQ(c.sink->s3()->bucket, "my-bucket");
  EXPECT_EQ(c.sink->s3()->prefix, "aggregates");  // the key prefix of S3_PREFIX=aggregates/
  ASSERT_TRUE(c.s3.endpoint);
  EXPECT_EQ(c.s3.endpoint->scheme, "http");
  EXPECT_EQ(c.s3.endpoint->host, "127.0.0.1");
  EXPECT_EQ(c.s3.endpoint->port, 9000);
  EXPECT_EQ(c.checkpoint, "/var/lib/etl/ckpt");
  EXPECT_EQ(c.dead_letters, "/var/lib/etl/dead-letters");
  EXPECT_EQ(c.window, std::chrono::minutes(5));
  EXPECT_EQ(c.watermark_delay, std::chrono::seconds(30));
}

TEST(EventEtlOptions, FlagsBeatVariables) {
  const auto c = ok({"--kafka-topic=flagged", "--window-duration", "2m", "--sink", "file:/tmp/out",
                     "--source", "in.jsonl", "--checkpoint-location", "file:///ck"},
                    {{"KAFKA_TOPIC", "from_env"}, {"WINDOW_DURATION", "1 hour"}, {"S3_BUCKET", "bucket"},
                     {"KAFKA_BOOTSTRAP_SERVERS", "b:1"}});
  EXPECT_EQ(c.kafka.topic, "flagged");
  EXPECT_EQ(c.window, std::chrono::minutes(2));
  ASSERT_TRUE(c.sink);
  EXPECT_EQ(*c.sink, "/tmp/out");
  EXPECT_EQ(c.source, source_kind::file);
  EXPECT_EQ(c.checkpoint, "/ck");
  EXPECT_EQ(c.notes.size(), 2u) << "the ignored Kafka and S3 variables are mentioned";
}

TEST(EventEtlOptions, DurationsRangesAndSwitches) {
  using std::chrono::milliseconds;
  const std::pair<const char*, long long> durations[] = {
      {"1 minute", 60'000}, {"10 minutes", 600'000}, {"30 seconds", 30'000}, {"500 milliseconds", 500},
      {"2 hours", 7'200'000}, {"1 day", 86'400'000}, {"500ms", 500}, {"30s", 30'000}, {"1m", 60'000},
      {"2h", 7'200'000}, {"0", 0}, {" 3 min ", 180'000}};
  for (const auto& [text, want] : durations) {
    const auto c = ok({"--source", "f", "--watermark-delay", text});
    EXPECT_EQ(c.watermark_delay, milliseconds(want)) << text;
  }
  for (const char* bad : {"", "m", "1 fortnight", "-1m", "1.5m", "1 minute ago", "10"}) {
    EXPECT_NE(error({"--source", "f", "--watermark-delay", bad}).find("--watermark-delay"), std::string::npos)
        << bad;
  }
  EXPECT_NE(error({"--source", "f", "--window-duration", "0"}).find("positive"), std::string::npos);
  const auto c = ok({"--source", "f", "--battery-range", "10:90", "--signal-range", "-120:-30",
                     "--latitude-range=-45:45", "--once", "--trigger-interval", "5s",
                     "--progress", "file:p.jsonl", "--max-offsets-per-trigger", "7"});
  EXPECT_EQ(c.ranges.battery_level, (sluice::event_etl::value_range{10, 90}));
  EXPECT_EQ(c.ranges.signal_strength, (sluice::event_etl::value_range{-120, -30}));
  EXPECT_EQ(c.ranges.latitude, (sluice::event_etl::value_range{-45, 45}));
  EXPECT_TRUE(c.once);
  EXPECT_EQ(c.trigger_interval, std::chrono::seconds(5));
  EXPECT_FALSE(c.progress.to_stderr);
  EXPECT_EQ(c.progress.file, "p.jsonl");
  EXPECT_EQ(c.max_records_per_batch, 7);
  EXPECT_NE(error({"--source", "f", "--battery-range", "90:10"}).find("LO <= HI"), std::string::npos);
  EXPECT_NE(error({"--source", "f", "--battery-range", "abc"}).find("--battery-range"), std::string::npos);
  EXPECT_TRUE(ok({"--source", "f"}, {{"SLUICE_ONCE", "true"}}).once);
  EXPECT_FALSE(ok({"--source", "f"}, {{"SLUICE_ONCE", "0"}}).once);
  EXPECT_NE(error({"--source", "f"}, {{"SLUICE_ONCE", "maybe"}}).find("SLUICE_ONCE"), std::string::npos);
}

TEST(EventEtlOptions, ConflictsAndErrors) {
  EXPECT_NE(error({}).find("no source"), std::string::npos);
  EXPECT_NE(error({"--source", "f", "--kafka-bootstrap-servers", "b:1"}).find("choose a file or Kafka"),
            std::string::npos);
  EXPECT_NE(error({"--source", "f", "--sink", "console", "--s3-bucket", "bkt"}).find("choose the console"),
            std::string::npos);
  EXPECT_NE(error({}, {{"SLUICE_SOURCE", "g"}, {"KAFKA_BOOTSTRAP_SERVERS", "b:1"}}).find("choose a file or Kafka"),
            std::string::npos);
  EXPECT_NE(error({"--bogus"}).find("unknown option '--bogus'"), std::string::npos);
  EXPECT_NE(error({"--source"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error({"--once=yes", "--source", "f"}).find("takes no value"), std::string::npos);
  EXPECT_NE(error({"positional"}).find("unexpected argument"), std::string::npos);
  EXPECT_NE(error({"--source", "kafka://b:1/t"}).find("not supported"), std::string::npos);
  EXPECT_NE(error({"--source", "f", "--kafka-starting-offsets", "newest"}).find("earliest or latest"),
            std::string::npos);
  EXPECT_NE(error({"--source", "f", "--kafka-topic", "bad topic"}).find("topic name"), std::string::npos);
  EXPECT_NE(error({"--source", "f", "--kafka-max-offsets-per-trigger", "0"}).find("1 to 100000000"),
            std::string::npos);
  EXPECT_NE(error({"--kafka-bootstrap-servers", "b:1", "--s3-bucket", "No_Caps"}).find("bucket name"),
            std::string::npos);
  EXPECT_NE(error({"--source", "f", "--s3-endpoint", "ftp://x"}).find("http://"), std::string::npos);
  const auto s3ck = ok({"--source", "f", "--checkpoint-location", "s3://bucket/ck"});
  EXPECT_TRUE(s3ck.checkpoint.s3());
  EXPECT_EQ(ok({"--help"}).cmd, command::help);
  EXPECT_EQ(ok({"--source", "f", "--version"}).cmd, command::version);
}

TEST(EventEtlOptions, KafkaGroupPropertiesAndS3Settings) {
  const auto d = ok({}, {{"KAFKA_BOOTSTRAP_SERVERS", "b:1"}, {"S3_BUCKET", "bkt"}});
  EXPECT_EQ(d.kafka.group_id, "sluice-event-etl");
  EXPECT_TRUE(d.kafka.properties.empty());
  EXPECT_EQ(d.s3.region, "us-east-1");
  EXPECT_FALSE(d.s3.path_style);
  const auto c = ok({"-X", "session.timeout.ms=2000", "-Xclient.id=a=b", "--kafka-property", "x.y=1",
                     "--kafka-group-id", "g1", "--s3-path-style"},
                    {{"KAFKA_BOOTSTRAP_SERVERS", "b:1"}, {"KAFKA_GROUP_ID", "from-env"}, {"S3_BUCKET", "bkt"},
                     {"AWS_REGION", "eu-west-1"}});
  EXPECT_EQ(c.kafka.group_id, "g1");
  EXPECT_EQ(c.kafka.properties,
            (std::vector<std::string>{"session.timeout.ms=2000", "client.id=a=b", "x.y=1"}));
  EXPECT_EQ(c.s3.region, "eu-west-1");
  EXPECT_TRUE(c.s3.path_style);
  const auto e = ok({}, {{"KAFKA_BOOTSTRAP_SERVERS", "b:1"}, {"KAFKA_GROUP_ID", "from-env"},
                         {"S3_PATH_STYLE", "false"}, {"S3_REGION", "ap-south-1"}, {"AWS_REGION", "eu-west-1"}});
  EXPECT_EQ(e.kafka.group_id, "from-env");
  EXPECT_FALSE(e.s3.path_style);
  EXPECT_EQ(e.s3.region, "ap-south-1");
  EXPECT_NE(error({"-X"}).find("KEY=VALUE"), std::string::npos);
  const auto secret = error({"--source", "f", "-X", "sasl.passwordhunter2"});
  EXPECT_NE(secret.find("KEY=VALUE"), std::string::npos);
  EXPECT_EQ(secret.find("hunter2"), std::string::npos) << "a malformed -X is not echoed";
  EXPECT_NE(error({"--source", "f", "--s3-region", "EU WEST"}).find("region"), std::string::npos);
  EXPECT_NE(error({"--source", "f"}, {{"S3_PATH_STYLE", "maybe"}}).find("true or false"), std::string::npos);
  // Dead letters next to an s3:// checkpoint are on S3 too; an explicit location wins.
  const auto s3ck = ok({"--source", "f", "--checkpoint-location", "s3://bkt/app/ck/"});
  EXPECT_TRUE(s3ck.dead_letters.s3());
  EXPECT_EQ(s3ck.dead_letters.string(), "s3://bkt/app/dead-letters");
  EXPECT_EQ(ok({"--source", "f", "--checkpoint-location", "s3://bkt"}).dead_letters.string(),
            "s3://bkt/dead-letters");
  const auto local = ok({"--source", "f", "--checkpoint-location", "s3://bkt/ck", "--dead-letters", "dl"});
  EXPECT_FALSE(local.dead_letters.s3());
  EXPECT_EQ(local.dead_letters, "dl");
  EXPECT_TRUE(ok({"--source", "f", "--dead-letters", "s3://bkt/dl"}).dead_letters.s3());
}

TEST(EventEtlOptions, RetryBudgetAndS3TimeoutAsTheSchemaWriters) {
  const auto d = ok({"--source", "f"});
  EXPECT_EQ(d.s3.max_attempts, 5);
  EXPECT_EQ(d.s3.request_timeout, std::chrono::seconds(60));
  EXPECT_EQ(d.retry_max_attempts, 8);
  const auto c = ok({"--source", "f", "--s3-max-attempts", "2", "--retry-max-attempts=3", "--s3-request-timeout", "1500ms"},
                    {{"SLUICE_S3_MAX_ATTEMPTS", "9"}, {"SLUICE_RETRY_MAX_ATTEMPTS", "9"},
                     {"SLUICE_S3_REQUEST_TIMEOUT", "9s"}});
  EXPECT_EQ(c.s3.max_attempts, 2);
  EXPECT_EQ(c.retry_max_attempts, 3);
  EXPECT_EQ(c.s3.request_timeout, std::chrono::milliseconds(1500));
  const auto e = ok({"--source", "f"}, {{"SLUICE_S3_MAX_ATTEMPTS", "1"}, {"SLUICE_RETRY_MAX_ATTEMPTS", "100"},
                                        {"SLUICE_S3_REQUEST_TIMEOUT", "2 minutes"}});
  EXPECT_EQ(e.s3.max_attempts, 1);
  EXPECT_EQ(e.retry_max_attempts, 100);
  EXPECT_EQ(e.s3.request_timeout, std::chrono::minutes(2));  // this binary's durations
  for (const char* bad : {"0", "101", "-1", "x", "2.5", ""}) {
    for (const std::string name : {"--s3-max-attempts", "--retry-max-attempts"}) {
      EXPECT_NE(error({"--source", "f", name + "=" + bad}).find(name + ": expected a whole number from 1 to 100"),
                std::string::npos)
          << name << " " << bad;
    }
  }
  for (const char* bad : {"0", "10", "fast", "-1s"}) {
    EXPECT_NE(error({"--source", "f", "--s3-request-timeout", bad})
                  .find("--s3-request-timeout: expected a duration such as 500ms, 10s or 1m"),
              std::string::npos)
        << bad;
  }
}

TEST(EventEtlOptions, StateSnapshotIntervalAndRetention) {
  const auto d = ok({"--source", "f"});
  EXPECT_EQ(d.state_snapshot_interval, 100);
  EXPECT_EQ(d.min_batches_to_retain, 100);
  const auto c = ok({"--source", "f", "--state-snapshot-interval", "7"}, {{"SLUICE_MIN_BATCHES_TO_RETAIN", "3"}});
  EXPECT_EQ(c.state_snapshot_interval, 7);
  EXPECT_EQ(c.min_batches_to_retain, 3);
  for (const std::string name : {"--state-snapshot-interval", "--min-batches-to-retain"}) {
    for (const std::string bad : {"0", "-1", "1000001", "ten"}) {
      const auto e = error({"--source", "f", name, bad});
      EXPECT_NE(e.find(name.substr(2)), std::string::npos) << e;
    }
  }
}

TEST(EventEtlOptions, FieldMapNamesTheJsonFields) {
  const auto d = ok({"--source", "f"});
  EXPECT_EQ(d.fields, sluice::event_etl::event_fields{});
  EXPECT_FALSE(d.fields_mapped);
  const auto c = ok({"--source", "f", "--field-map", "event_time=timestamp,location.city=town,location=loc"});
  EXPECT_TRUE(c.fields_mapped);
  using f = sluice::event_etl::event_fields;
  EXPECT_EQ(c.fields[f::event_time], "timestamp");
  EXPECT_EQ(c.fields[f::city], "town");
  EXPECT_EQ(c.fields[f::location], "loc");
  EXPECT_EQ(c.fields[f::event_id], "event_id");
  EXPECT_EQ(c.fields[f::country], "country");
  const auto e = ok({"--source", "f"}, {{"SLUICE_FIELD_MAP", "device_id=dev"}});
  EXPECT_EQ(e.fields[f::device_id], "dev");
  EXPECT_NE(error({"--source", "f", "--field-map", "time=ts"}).find("unknown field 'time' (the fields: event_id, "),
            std::string::npos);
  EXPECT_NE(error({"--source", "f", "--field-map", "event_time"}).find("expected FIELD=NAME"), std::string::npos);
  EXPECT_NE(error({"--source", "f", "--field-map", "event_time="}).find("an empty name"), std::string::npos);
  EXPECT_NE(error({"--source", "f", "--field-map", "event_time=a,event_time=b"}).find("mapped twice"),
            std::string::npos);
  // Two fields of one object under one name; the same name at two levels is fine.
  EXPECT_NE(error({"--source", "f", "--field-map", "event_time=device_id"})
                .find("the fields 'device_id' and 'event_time' have the same name 'device_id'"),
            std::string::npos);
  EXPECT_EQ(ok({"--source", "f", "--field-map", "location.city=device_id"}).fields[f::city], "device_id");
}

TEST(EventEtlOptions, TheSchemaWritersNamesAreTheSameOptions) {
  const auto a = ok({"--source", "f", "--checkpoint", "s3://bkt/x/ck", "--max-records-per-batch", "42", "--group-id",
                     "g", "--starting-offsets", "earliest"});
  const auto b = ok({"--source", "f", "--checkpoint-location", "s3://bkt/x/ck", "--kafka-max-offsets-per-trigger",
                     "42", "--kafka-group-id", "g", "--kafka-starting-offsets", "earliest"});
  EXPECT_EQ(a.checkpoint.string(), "s3://bkt/x/ck");
  EXPECT_EQ(a.checkpoint, b.checkpoint);
  EXPECT_EQ(a.dead_letters.string(), "s3://bkt/x/dead-letters");
  EXPECT_EQ(a.dead_letters, b.dead_letters);
  EXPECT_EQ(a.max_records_per_batch, 42);
  EXPECT_EQ(b.max_records_per_batch, 42);
  EXPECT_EQ(a.kafka.group_id, "g");
  EXPECT_EQ(b.kafka.group_id, "g");
  EXPECT_EQ(a.kafka.starting_offsets, "earliest");
  EXPECT_EQ(b.kafka.starting_offsets, "earliest");
  // Spark's name of the batch size is still read; the last flag wins whichever name it has; a
  // flag of either name beats the variable.
  EXPECT_EQ(ok({"--source", "f", "--max-offsets-per-trigger", "9"}).max_records_per_batch, 9);
  EXPECT_EQ(ok({"--source", "f", "--checkpoint", "a", "--checkpoint-location", "b"}).checkpoint, "b");
  EXPECT_EQ(ok({"--source", "f", "--checkpoint-location", "a", "--checkpoint", "b"}).checkpoint, "b");
  EXPECT_EQ(ok({"--source", "f", "--checkpoint", "flag"}, {{"CHECKPOINT_LOCATION", "env"}}).checkpoint, "flag");
  // Messages name the option as it was written.
  EXPECT_NE(error({"--source", "f", "--max-records-per-batch", "0"})
                .find("--max-records-per-batch: expected a whole number from 1 to 100000000, got '0'"),
            std::string::npos);
  EXPECT_NE(error({"--source", "f", "--checkpoint", "gs://b/ck"}).find("--checkpoint: the scheme 'gs:' is not supported"),
            std::string::npos);
  EXPECT_NE(error({"--source", "f", "--checkpoint"}).find("option '--checkpoint' needs a value"), std::string::npos);
  EXPECT_NE(error({"--source", "f", "--group-id="}).find("--group-id: empty consumer group id"), std::string::npos);
  const auto h = help_text();
  EXPECT_NE(h.find("  --checkpoint PATH|s3://BUCKET/PREFIX\n      the same as --checkpoint-location\n"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("  --max-records-per-batch N\n      the same as --kafka-max-offsets-per-trigger\n"),
            std::string::npos);
  EXPECT_NE(h.find("  --group-id GROUP\n      the same as --kafka-group-id\n"), std::string::npos);
  EXPECT_NE(h.find("  --starting-offsets earliest|latest\n      the same as --kafka-starting-offsets\n"),
            std::string::npos);
  EXPECT_EQ(h.find("--max-offsets-per-trigger "), std::string::npos) << "Spark's spelling is not listed";
}

TEST(EventEtlOptions, OneDurationParserForBothSyntaxes) {
  using sluice_examples::duration_syntax;
  using sluice_examples::parse_duration;
  using std::chrono::milliseconds;
  for (const char* both : {"500ms", "10s", "1m", "2h", "0", "0ms"}) {
    EXPECT_EQ(parse_duration(both, duration_syntax::compact), parse_duration(both, duration_syntax::spark)) << both;
    EXPECT_TRUE(parse_duration(both, duration_syntax::compact)) << both;
  }
  for (const char* spark_only : {"1 minute", "10 minutes", "30 seconds", "1d", "5 s", " 3 min "}) {
    EXPECT_FALSE(parse_duration(spark_only, duration_syntax::compact)) << spark_only;
    EXPECT_TRUE(parse_duration(spark_only, duration_syntax::spark)) << spark_only;
  }
  EXPECT_EQ(parse_duration("1 day", duration_syntax::spark), milliseconds(86'400'000));
  EXPECT_FALSE(parse_duration("999999999999 days", duration_syntax::spark)) << "too long for milliseconds";
  EXPECT_EQ(parse_duration("999999999999 hours", duration_syntax::spark), milliseconds(999'999'999'999 * 3'600'000));
}

TEST(EventEtlOptions, HelpNamesEveryOptionAndVariable) {
  const auto h = help_text();
  EXPECT_NE(h.find("-X KEY=VALUE"), std::string::npos);
  EXPECT_NE(h.find("keyed by device_id"), std::string::npos);
  for (const auto& o : options_table) {
    EXPECT_NE(h.find("--" + std::string(o.name)), std::string::npos) << o.name;
    if (!o.env.empty()) {
      EXPECT_NE(h.find("[" + std::string(o.env) + "]"), std::string::npos) << o.env;
    }
  }
  for (const char* env : {"KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC", "KAFKA_STARTING_OFFSETS",
                          "KAFKA_MAX_OFFSETS_PER_TRIGGER", "S3_BUCKET", "S3_PREFIX", "S3_ENDPOINT",
                          "CHECKPOINT_LOCATION", "WINDOW_DURATION", "WATERMARK_DELAY", "KAFKA_GROUP_ID",
                          "S3_REGION", "S3_PATH_STYLE"})
    EXPECT_NE(h.find(env), std::string::npos) << env;
}

}  // namespace
