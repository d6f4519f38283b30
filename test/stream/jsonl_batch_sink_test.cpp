// SPDX-License-Identifier: Apache-2.0
// jsonl_batch_sink: object keys, and the sink over fs::file_sink (one file per batch, nothing
// for an empty batch, replays change nothing), with the event ETL's window rows as the values.
#include "helpers.hpp"
#include "sample_row.hpp"
#include "temp_dir.hpp"

#include "sluice/event_etl/jsonl_sink.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/stream/jsonl_batch_sink.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace stream_test;

TEST(JsonlSink, ObjectKeysAreDeterministicAndUniquePerRange) {
  const batch_plan plan{7, {{"input_events", 3, 1000, 2000}}};
  EXPECT_EQ(batch_object_key("", plan), "part-input_events-3-00000000000000001000.jsonl");
  EXPECT_EQ(batch_object_key("out", plan), "out/part-input_events-3-00000000000000001000.jsonl");
  EXPECT_EQ(batch_object_key("out/", plan), "out/part-input_events-3-00000000000000001000.jsonl");
  EXPECT_EQ(batch_object_key("", batch_plan{1, {{"a b/c", 0, 5, 6}}}), "part-a_b_c-0-00000000000000000005.jsonl");
  EXPECT_EQ(batch_object_key("", batch_plan{4, {}}), "part-batch-0-00000000000000000004.jsonl");
}

TEST(JsonlSink, OneFilePerBatchIdempotent) {
  sluice_test::temp_dir dir;
  jsonl_batch_sink<device_window_row, fs::file_sink> sink(fs::file_sink(dir.path()), "rows");
  const std::vector<device_window_row> rows = {sample_row(), sample_row()};
  const batch_plan plan{0, {{"events", 0, 0, 10}}};
  ASSERT_TRUE(sink.write(std::span<const device_window_row>(rows), plan));
  const auto files = sluice_test::files_under(dir.path());
  ASSERT_EQ(files, (std::set<std::string>{"rows/part-events-0-00000000000000000000.jsonl"}));
  std::string want;
  for (const auto& r : rows) {
    append_row_json(want, r);
    want += '\n';
  }
  EXPECT_EQ(sluice_test::slurp(dir / "rows/part-events-0-00000000000000000000.jsonl"), want);
  ASSERT_TRUE(sink.write(std::span<const device_window_row>(rows), plan));
  EXPECT_EQ(sink.inner().stats().unchanged, 1) << "the replay found the same bytes";
  EXPECT_EQ(sluice_test::files_under(dir.path()).size(), 1u);
  ASSERT_TRUE(sink.write(std::span<const device_window_row>(), batch_plan{1, {{"events", 0, 10, 20}}}));
  EXPECT_EQ(sluice_test::files_under(dir.path()).size(), 1u) << "no file for a batch without rows";
  EXPECT_EQ(sink.objects(), 2);
  EXPECT_EQ(sink.rows(), 4);
}

}  // namespace
