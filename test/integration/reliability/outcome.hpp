// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a sluice-schema-writer run left behind (catalog, completed-batches log, dead letters),
// read from a folder or an S3 prefix into one comparable value (with the readers of
// writer_services.hpp), and the checks of the reliability tests: the catalog and the dead
// letters equal a fault-free run's, the log tiles every partition's offsets exactly once, no
// dead letter twice.

#include "harness.hpp"
#include "writer_services.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace reliability {

using swtest::lines_of;
using swtest::sample_copies;

using swsvc::expect_log_tiles;
using swsvc::logged;

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
  out.log = swsvc::parse_log(log_objects);
  std::map<std::pair<std::string, std::int64_t>, int> ranges;  // (stream, batch id) → ranges
  for (const auto& r : out.log) {
    const int n = ++ranges[{r.stream, r.batch_id}];
    EXPECT_EQ(n, 1) << "a partition's batch covers that partition only: " << r.stream << " batch " << r.batch_id;
  }
  for (const auto& d : swsvc::parse_dead_letters(dead_objects)) {
    out.dead[{d.partition, d.offset}] = {d.key_as_written.value_or("<null>"), d.reason};
    ++out.dead_count;
  }
  return out;
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
