// SPDX-License-Identifier: Apache-2.0
// The output of the event ETL: a row's exact JSON line, and rows on the console
// (fs::stdout_sink through the line_formatter of event_etl/jsonl_sink.hpp).
#include "helpers.hpp"
#include "sample_row.hpp"

#include "sluice/event_etl/jsonl_sink.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

using namespace stream_test;

TEST(JsonlSink, RowAsOneJsonLine) {
  std::string line;
  append_row_json(line, sample_row());
  EXPECT_EQ(line,
            "{\"window_start\":\"2024-06-01T12:00:00.000Z\",\"window_end\":\"2024-06-01T12:01:00.000Z\","
            "\"device_id\":\"dev-\\\"1\\\"\",\"device_type\":\"thermostat\",\"event_count\":3,"
            "\"avg_duration\":0.6666666666666666,\"max_duration\":1.5,"
            "\"min_duration\":0.1,\"avg_battery_level\":70,\"min_battery_level\":60.5,"
            "\"avg_signal_strength\":-60,\"min_signal_strength\":-70,\"city\":\"Z\xc3\xbcrich\","
            "\"country\":\"CH\",\"firmware_version\":null,\"last_event_time\":\"2024-06-01T12:00:50.250Z\"}");
  device_window_row empty;
  std::string e;
  append_row_json(e, empty);
  EXPECT_NE(e.find("\"avg_duration\":null"), std::string::npos);
  EXPECT_NE(e.find("\"city\":null"), std::string::npos);
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
