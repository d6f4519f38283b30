// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a sluice-schema-writer run left behind (catalog, completed-batches log, dead letters),
// read from a folder or an S3 prefix into one comparable value, and the checks of the
// reliability tests: the catalog and the dead letters equal a fault-free run's, the log tiles
// every partition's offsets exactly once, no dead letter twice.

#include "harness.hpp"

#include <simdjson.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace reliability {

using swtest::lines_of;

/// One message to produce: key and payload, either absent (null).
struct msg {
  std::optional<std::string> key;
  std::optional<std::string> payload;
};

/// The sample topic `copies` times, table names made unique per copy (so most messages are new
/// catalog objects and the malformed ones dead letters again).
inline std::vector<msg> sample_copies(int copies) {
  std::vector<msg> sample;
  for (const auto& m : swtest::read_kcat(swtest::sample_file)) sample.push_back({m.key, m.payload});
  std::vector<msg> out;
  for (int c = 0; c < copies; ++c) {
    for (auto m : sample) {
      if (c > 0 && m.key && std::count(m.key->begin(), m.key->end(), '.') == 2 &&
          m.key->find("generic_wrapper") == std::string::npos) {
        *m.key += "_C" + std::to_string(c);
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

/// One completed-batches record (a Kafka partition's batch covers that partition only).
struct logged {
  std::string stream;
  std::int64_t batch_id = 0;
  std::int32_t partition = 0;
  std::int64_t from = 0, to = 0;
};

/// What a run left behind.
struct outcome {
  std::map<std::string, std::string> catalog;   ///< <db.schema.table>/<fingerprint>.avsc → bytes
  std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::string, std::string>> dead;  ///< (p, o) → (key, reason)
  std::size_t dead_count = 0;                   ///< dead-letter lines, duplicates included
  std::vector<logged> log;
};

/// Reads an outcome from the objects under a run's catalog, completed-batches log and
/// dead-letter locations (each map: key relative to the location → bytes).
inline outcome read_outcome(std::map<std::string, std::string> catalog,
                            const std::map<std::string, std::string>& log_objects,
                            const std::map<std::string, std::string>& dead_objects) {
  outcome out;
  out.catalog = std::move(catalog);
  simdjson::dom::parser parser;
  for (const auto& [k, v] : log_objects) {
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(v).get(doc), simdjson::SUCCESS) << k;
    std::string_view stream;
    std::int64_t id = 0;
    simdjson::dom::array ranges;
    EXPECT_EQ(doc["stream_name"].get(stream), simdjson::SUCCESS) << v;
    EXPECT_EQ(doc["batch_id"].get(id), simdjson::SUCCESS) << v;
    EXPECT_EQ(doc["ranges"].get(ranges), simdjson::SUCCESS) << v;
    EXPECT_EQ(ranges.size(), 1u) << "a partition's batch covers that partition only: " << v;
    for (auto r : ranges) {
      std::int64_t p = 0, from = 0, to = 0;
      EXPECT_EQ(r["partition"].get(p), simdjson::SUCCESS);
      EXPECT_EQ(r["from"].get(from), simdjson::SUCCESS);
      EXPECT_EQ(r["to"].get(to), simdjson::SUCCESS);
      out.log.push_back({std::string(stream), id, static_cast<std::int32_t>(p), from, to});
    }
  }
  for (const auto& [k, v] : dead_objects) {
    for (const auto& line : lines_of(v)) {
      if (line.empty()) continue;
      simdjson::dom::element d;
      EXPECT_EQ(parser.parse(line).get(d), simdjson::SUCCESS) << line;
      std::int64_t p = 0, o = 0;
      std::string_view reason;
      EXPECT_EQ(d["partition"].get(p), simdjson::SUCCESS);
      EXPECT_EQ(d["offset"].get(o), simdjson::SUCCESS);
      EXPECT_EQ(d["reason"].get(reason), simdjson::SUCCESS);
      std::string key = "<null>";
      if (std::string_view kv; d["key"].get(kv) == simdjson::SUCCESS) key = std::string(kv);
      out.dead[{p, o}] = {key, std::string(reason)};
      ++out.dead_count;
    }
  }
  return out;
}

/// Checks that `records` tile [0, ends[p]) of every partition exactly once with dense batch ids
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

/// Checks `got` against the fault-free run `want`: the same catalog byte for byte, the same dead
/// letters each written once, both logs tiling the partitions.
inline void expect_same_outcome(const outcome& got, const outcome& want, const std::string& topic,
                                const std::vector<std::int64_t>& ends, const std::string& what) {
  EXPECT_FALSE(want.catalog.empty());
  EXPECT_EQ(got.catalog.size(), want.catalog.size()) << what;
  EXPECT_EQ(got.catalog, want.catalog) << what << ": catalog differs from the fault-free run";
  EXPECT_EQ(got.dead_count, got.dead.size()) << what << ": a dead letter written twice";
  EXPECT_EQ(got.dead, want.dead) << what << ": dead letters differ from the fault-free run";
  expect_log_tiles(got.log, topic, ends, what);
  expect_log_tiles(want.log, topic, ends, "the fault-free run");
}

/// The number of JSON progress records in `text` (lines starting with `{`).
inline std::size_t progress_lines(const std::string& text) {
  std::size_t n = 0;
  for (const auto& l : lines_of(text)) n += (!l.empty() && l.front() == '{') ? 1 : 0;
  return n;
}

/// The number of progress records of replayed batches in `text`.
inline std::size_t replayed_lines(const std::string& text) {
  std::size_t n = 0;
  for (const auto& l : lines_of(text)) n += l.find("\"replayed\":true") != std::string::npos ? 1 : 0;
  return n;
}

}  // namespace reliability
