// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the end-to-end, bad-input, scale-out and security tests of sluice-schema-writer on the real
// services (the `services` fixture): the writer's arguments and readers of what the writer left in the bucket (catalog, dead letters, log, progress).

#include "harness.hpp"
#include "support/kafka_admin.hpp"
#include "support/s3_services.hpp"
#include "support/services.hpp"

#include <simdjson.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace swsvc {

using namespace swtest;

/// One dead letter as the writer stored it.
struct dead_letter {
  std::string object;   // the S3 key (or file) holding it
  std::int64_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;  // absent: null or base64-encoded
  std::optional<std::string> key_as_written;  // the "key" field, base64 included; absent: null
  std::string reason;
  std::size_t line_bytes = 0;
};

/// Every dead letter in `objects` (key → JSON lines).
inline std::vector<dead_letter> parse_dead_letters(const std::map<std::string, std::string>& objects) {
  std::vector<dead_letter> out;
  simdjson::dom::parser parser;
  for (const auto& [k, v] : objects) {
    for (const auto& line : lines_of(v)) {
      if (line.empty()) continue;
      simdjson::dom::element d;
      EXPECT_EQ(parser.parse(line).get(d), simdjson::SUCCESS) << k << ": " << line.substr(0, 200);
      dead_letter dl;
      dl.object = k;
      std::string_view reason;
      EXPECT_EQ(d["partition"].get(dl.partition), simdjson::SUCCESS);
      EXPECT_EQ(d["offset"].get(dl.offset), simdjson::SUCCESS);
      EXPECT_EQ(d["reason"].get(reason), simdjson::SUCCESS);
      dl.reason = std::string(reason);
      std::string_view enc;
      if (std::string_view kv; d["key"].get(kv) == simdjson::SUCCESS) {
        dl.key_as_written = std::string(kv);
        if (d["key_encoding"].get(enc) != simdjson::SUCCESS) dl.key = dl.key_as_written;
      }
      dl.line_bytes = line.size();
      out.push_back(std::move(dl));
    }
  }
  return out;
}

/// One completed-batches record.
struct logged {
  std::string stream;
  std::int64_t batch_id = 0;
  std::int32_t partition = 0;
  std::int64_t from = 0, to = 0;
};

/// Every range of the completed-batches records in `objects` (key → JSON), one entry per range.
inline std::vector<logged> parse_log(const std::map<std::string, std::string>& objects) {
  std::vector<logged> out;
  simdjson::dom::parser parser;
  for (const auto& [k, v] : objects) {
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(v).get(doc), simdjson::SUCCESS) << k;
    std::string_view stream;
    std::int64_t id = 0;
    simdjson::dom::array ranges;
    EXPECT_EQ(doc["stream_name"].get(stream), simdjson::SUCCESS) << k << ": " << v;
    EXPECT_EQ(doc["batch_id"].get(id), simdjson::SUCCESS) << k << ": " << v;
    EXPECT_EQ(doc["ranges"].get(ranges), simdjson::SUCCESS) << k << ": " << v;
    for (auto r : ranges) {
      std::int64_t p = 0, from = 0, to = 0;
      EXPECT_EQ(r["partition"].get(p), simdjson::SUCCESS) << k;
      EXPECT_EQ(r["from"].get(from), simdjson::SUCCESS) << k;
      EXPECT_EQ(r["to"].get(to), simdjson::SUCCESS) << k;
      out.push_back({std::string(stream), id, static_cast<std::int32_t>(p), from, to});
    }
  }
  return out;
}

/// Checks that `records` tile [0, ends[p]) of every partition exactly once, with dense batch ids
/// per partition stream `<topic>-<p>`; returns the number of records.
inline std::size_t expect_log_tiles(const std::vector<logged>& records, const std::string& topic,
                                    const std::vector<std::int64_t>& ends, const std::string& what) {
  std::map<std::int32_t, std::vector<logged>> by_partition;
  for (const auto& r : records) {
    EXPECT_EQ(r.stream, topic + "-" + std::to_string(r.partition)) << what;
    by_partition[r.partition].push_back(r);
  }
  for (std::size_t p = 0; p < ends.size(); ++p) {
    auto& rs = by_partition[static_cast<std::int32_t>(p)];
    std::sort(rs.begin(), rs.end(), [](const logged& a, const logged& b) { return a.batch_id < b.batch_id; });
    std::int64_t next = 0;
    for (std::size_t i = 0; i < rs.size(); ++i) {
      EXPECT_EQ(rs[i].batch_id, static_cast<std::int64_t>(i)) << what << ": partition " << p;
      EXPECT_EQ(rs[i].from, next) << what << ": partition " << p << " batch " << rs[i].batch_id;
      next = rs[i].to;
    }
    EXPECT_EQ(next, ends[p]) << what << ": partition " << p;
  }
  return records.size();
}

/// Sums of the progress records (JSON lines) in `text`.
struct progress_totals {
  std::int64_t records = 0, input_rows = 0, rejects = 0;
  std::map<std::int64_t, std::int64_t> rows_by_partition;  // from "sources"
};
inline progress_totals sum_progress(const std::string& text) {
  progress_totals t;
  simdjson::dom::parser parser;
  for (const auto& line : lines_of(text)) {
    if (line.empty()) continue;
    simdjson::dom::element r;
    EXPECT_EQ(parser.parse(line).get(r), simdjson::SUCCESS) << line;
    std::int64_t n = 0, rej = 0;
    EXPECT_EQ(r["numInputRows"].get(n), simdjson::SUCCESS);
    EXPECT_EQ(r["rejects"].get(rej), simdjson::SUCCESS);
    ++t.records;
    t.input_rows += n;
    t.rejects += rej;
    simdjson::dom::array sources;
    if (r["sources"].get(sources) == simdjson::SUCCESS) {
      for (auto s : sources) {
        std::int64_t p = 0, from = 0, to = 0;
        EXPECT_EQ(s["partition"].get(p), simdjson::SUCCESS);
        EXPECT_EQ(s["startOffset"].get(from), simdjson::SUCCESS);
        EXPECT_EQ(s["endOffset"].get(to), simdjson::SUCCESS);
        t.rows_by_partition[p] += to - from;
      }
    }
  }
  return t;
}

/// The writer against the services, everything under s3://<bucket>/<root>/.
class writer_services : public ::testing::Test {
 protected:
  writer_services() = default;
  /// A fresh bucket named after `bucket_tag` and a fresh topic named after `topic_prefix`.
  writer_services(std::string bucket_tag, std::string topic_prefix)
      : bucket_tag_(std::move(bucket_tag)), topic_prefix_(std::move(topic_prefix)) {}

  void SetUp() override {
    const auto env = sluice::test::services_env();
    ASSERT_TRUE(env && !env->kafka_bootstrap.empty() && !env->s3_endpoint.empty())
        << "no services: run through ctest (fixture services)";
    svc_ = *env;
    s3_ = sluice_s3_it::make_client();
    bucket_ = sluice_s3_it::fresh_bucket(*s3_, bucket_tag_);
    topic_ = sluice::test::unique_name(topic_prefix_);
  }

  [[nodiscard]] std::vector<std::string> args(const std::string& group, const std::string& root,
                                              std::vector<std::string> extra = {}) const {
    std::vector<std::string> a{"--source", "kafka://" + svc_.kafka_bootstrap + "/" + topic_,
                               "--group-id", group,
                               "--sink", "s3://" + bucket_ + "/" + root + "/catalog",
                               "--checkpoint", "s3://" + bucket_ + "/" + root + "/checkpoint",
                               "--s3-endpoint", svc_.s3_endpoint, "--s3-region", svc_.s3_region,
                               "--s3-path-style",
                               "-X", "session.timeout.ms=2000", "-X", "heartbeat.interval.ms=300"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  [[nodiscard]] env_list credentials() const {
    return {{"AWS_ACCESS_KEY_ID", svc_.s3_access_key},
            {"AWS_SECRET_ACCESS_KEY", svc_.s3_secret_key},
            {"HOME", "/nonexistent"}};
  }
  // Objects under <root>/<what>/, keys relative to it.
  [[nodiscard]] std::map<std::string, std::string> objects(const std::string& root, const std::string& what) const {
    std::map<std::string, std::string> out;
    const std::string prefix = root + "/" + what + "/";
    for (auto& [k, v] : sluice_s3_it::objects_under(*s3_, bucket_, prefix)) out[k.substr(prefix.size())] = v;
    return out;
  }

  [[nodiscard]] std::vector<logged> log(const std::string& root) const {
    return parse_log(objects(root, "checkpoint/completed-batches"));
  }
  // The log's ranges tile [0, ends[p]) of every partition exactly once, with dense batch ids.
  void expect_log_tiles(const std::vector<logged>& records, const std::vector<std::int64_t>& ends) const {
    swsvc::expect_log_tiles(records, topic_, ends, "the log");
  }

  std::string bucket_tag_ = "sw";
  std::string topic_prefix_ = "gg-schemas";
  sluice::test::service_endpoints svc_;
  std::shared_ptr<sluice::s3::client> s3_;
  std::string bucket_;
  std::string topic_;
};

}  // namespace swsvc
