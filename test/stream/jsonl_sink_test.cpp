// SPDX-License-Identifier: Apache-2.0
// The output of the event ETL: a row's exact JSON line, object keys, and jsonl_batch_sink over
// fs::file_sink (one file per batch, nothing for an empty batch, replays change nothing).
#include "helpers.hpp"
#include "temp_dir.hpp"

#include "sluice/fs/file_sink.hpp"
#include "sluice/stream/jsonl_sink.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

using namespace stream_test;

device_window_row sample_row() {
  device_window_row r;
  r.window_start_ms = ms("2024-06-01T12:00:00Z");
  r.window_end_ms = ms("2024-06-01T12:01:00Z");
  r.device_id = "dev-\"1\"";
  r.device_type = "thermostat";
  r.event_count = 3;
  r.avg_event_duration = 2.0 / 3.0;
  r.max_event_duration = 1.5;
  r.min_event_duration = 0.1;
  r.avg_battery_level = 70;
  r.min_battery_level = 60.5;
  r.avg_signal_strength = -60;
  r.min_signal_strength = -70;
  r.city = "Z\xc3\xbcrich";
  r.country = "CH";
  r.firmware_version = std::nullopt;
  r.last_event_time_ms = ms("2024-06-01T12:00:50.250Z");
  return r;
}

TEST(JsonlSink, RowAsOneJsonLine) {
  std::string line;
  append_row_json(line, sample_row());
  EXPECT_EQ(line,
            "{\"window_start\":\"2024-06-01T12:00:00.000Z\",\"window_end\":\"2024-06-01T12:01:00.000Z\","
            "\"device_id\":\"dev-\\\"1\\\"\",\"device_type\":\"thermostat\",\"event_count\":3,"
            "\"avg_event_duration\":0.6666666666666666,\"max_event_duration\":1.5,"
            "\"min_event_duration\":0.1,\"avg_battery_level\":70,\"min_battery_level\":60.5,"
            "\"avg_signal_strength\":-60,\"min_signal_strength\":-70,\"city\":\"Z\xc3\xbcrich\","
            "\"country\":\"CH\",\"firmware_version\":null,\"last_event_time\":\"2024-06-01T12:00:50.250Z\"}");
  device_window_row empty;
  std::string e;
  append_row_json(e, empty);
  EXPECT_NE(e.find("\"avg_event_duration\":null"), std::string::npos);
  EXPECT_NE(e.find("\"city\":null"), std::string::npos);
}

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

TEST(JsonlSink, ConsoleLines) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  fs::stdout_sink sink(f);
  const std::vector<device_window_row> rows = {sample_row()};
  ASSERT_TRUE(sink.write(std::span<const device_window_row>(rows), batch_plan{}));
  std::rewind(f);
  char buf[2048] = {};
  const auto n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  std::string want;
  append_row_json(want, rows[0]);
  want += '\n';
  EXPECT_EQ(std::string(buf, n), want);
}

}  // namespace
