// SPDX-License-Identifier: Apache-2.0
// Progress records: timestamps against the C library, JSON against simdjson's parser, and the
// JSON-lines reporter against the records it was given.

#include "sluice/core/progress.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace sluice;

std::string libc_iso8601(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000));
  return out;
}

TEST(Progress, TimestampsMatchTheCLibrary) {
  std::vector<std::int64_t> samples{0, 1, 999, 1000, 86'399'999, 951'782'400'000 /* 2000-02-29 */,
                                    4'107'542'399'999 /* 2100-02-28T23:59:59.999 */,
                                    1'717'243'199'000, -1, -86'400'001, 253'402'300'799'999};
  std::uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 20000; ++i) {  // xorshift over 1900..2200
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    samples.push_back(static_cast<std::int64_t>(x % 9'467'280'000'000ULL) - 2'208'988'800'000LL);
  }
  for (const auto ms : samples) {
    std::string s;
    append_iso8601_utc(s, ms);
    ASSERT_EQ(s, libc_iso8601(ms)) << ms;
  }
}

progress_record sample() {
  progress_record r;
  r.batch_id = 42;
  r.timestamp_ms = 1'717'243'199'123;
  r.num_input_rows = 1000;
  r.num_output_rows = 990;
  r.rejects = 10;
  r.replayed = true;
  r.plan_ms = 0.5;
  r.read_ms = 12.25;
  r.process_ms = 30.125;
  r.write_ms = 7;
  r.commit_ms = 1.0005;
  r.total_ms = 50.875;
  r.input_rows_per_second = 1.0 / 3.0;
  r.processed_rows_per_second = 19656.0;
  r.sources = {{"orders \"eu\"\n", 3, 100, 1100}, {"b", 0, 5, 6}};
  return r;
}

TEST(Progress, JsonParsesBackToTheRecord) {
  const auto r = sample();
  const std::string json = to_json(r);
  EXPECT_EQ(json.find('\n'), std::string::npos) << "one line";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(int64_t(doc["batchId"]), 42);
  EXPECT_EQ(std::string_view(doc["timestamp"]), "2024-06-01T11:59:59.123Z");
  EXPECT_EQ(int64_t(doc["numInputRows"]), 1000);
  EXPECT_EQ(int64_t(doc["numOutputRows"]), 990);
  EXPECT_EQ(int64_t(doc["rejects"]), 10);
  EXPECT_TRUE(bool(doc["replayed"]));
  EXPECT_FALSE(bool(doc["skippedWrite"]));
  EXPECT_DOUBLE_EQ(double(doc["durationMs"]["plan"]), 0.5);
  EXPECT_DOUBLE_EQ(double(doc["durationMs"]["read"]), 12.25);
  EXPECT_DOUBLE_EQ(double(doc["durationMs"]["process"]), 30.125);
  EXPECT_DOUBLE_EQ(double(doc["durationMs"]["write"]), 7.0);
  EXPECT_DOUBLE_EQ(double(doc["durationMs"]["commit"]), 1.0);  // three decimals
  EXPECT_DOUBLE_EQ(double(doc["durationMs"]["total"]), 50.875);
  EXPECT_DOUBLE_EQ(double(doc["inputRowsPerSecond"]), 0.333);
  EXPECT_DOUBLE_EQ(double(doc["processedRowsPerSecond"]), 19656.0);
  simdjson::dom::array sources = doc["sources"];
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(std::string_view(sources.at(0)["topic"]), "orders \"eu\"\n");
  EXPECT_EQ(int64_t(sources.at(0)["partition"]), 3);
  EXPECT_EQ(int64_t(sources.at(0)["startOffset"]), 100);
  EXPECT_EQ(int64_t(sources.at(0)["endOffset"]), 1100);
}

TEST(Progress, NonFiniteRatesBecomeZero) {
  progress_record r;
  r.input_rows_per_second = 1.0 / 0.0;
  r.processed_rows_per_second = std::nan("");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const auto json = to_json(r);
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(double(doc["inputRowsPerSecond"]), 0.0);
  EXPECT_EQ(double(doc["processedRowsPerSecond"]), 0.0);
}

std::vector<std::string> lines_of(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Progress, JsonLinesReporterAppendsOneLinePerRecord) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("sluice-progress-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  auto a = sample();
  auto b = sample();
  b.batch_id = 43;
  {
    auto rep = json_lines_progress::open(path.string());
    ASSERT_TRUE(rep) << rep.error().message();
    rep.value().report(a);
    auto moved = std::move(rep.value());
    moved.report(b);
    EXPECT_EQ(moved.failures(), 0);
  }
  {
    auto rep = json_lines_progress::open(path.string());  // appends
    ASSERT_TRUE(rep);
    rep.value().report(a);
  }
  EXPECT_EQ(lines_of(path), (std::vector<std::string>{to_json(a), to_json(b), to_json(a)}));
  std::filesystem::remove(path);
}

TEST(Progress, JsonLinesReporterOnAStream) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  json_lines_progress rep(f);
  rep.report(sample());
  std::rewind(f);
  char buf[4096];
  const auto n = std::fread(buf, 1, sizeof buf, f);
  EXPECT_EQ(std::string(buf, n), to_json(sample()) + "\n");
  std::fclose(f);
}

TEST(Progress, OpenFailsClearlyOnAMissingDirectory) {
  const auto rep = json_lines_progress::open("/nonexistent-sluice-dir/progress.jsonl");
  ASSERT_FALSE(rep);
  EXPECT_EQ(rep.error(), std::errc::no_such_file_or_directory);
}

TEST(Progress, WriteFailuresAreCountedNotThrown) {
  std::FILE* full = std::fopen("/dev/full", "w");
  if (full == nullptr) GTEST_FAIL() << "/dev/full is missing";
  json_lines_progress rep(full);
  rep.report(sample());
  EXPECT_EQ(rep.failures(), 1);
  std::fclose(full);
}

}  // namespace
