// SPDX-License-Identifier: Apache-2.0
// fs::lines_source: offsets are line numbers, blank lines are gaps, plans and reads against a
// split of the file, the sparse index, padded payloads, growth, and changed files.
#include "temp_dir.hpp"

#include "sluice/core/runner.hpp"
#include "sluice/fs/lines_source.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace sluice;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      lines.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return lines;   // an unterminated last line is not a line yet
}

void append(const std::filesystem::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out << s;
}

TEST(LinesSource, OffsetsAreLineNumbersAndBlankLinesAreGaps) {
  sluice_test::temp_dir dir;
  sluice_test::spit(dir / "a.jsonl", "{\"a\":1}\n\n  \t\n{\"b\":2}\r\nnot json\n");
  auto s = fs::lines_source::open(dir / "a.jsonl").value();
  const auto plan = s.plan({}, 100).value();
  ASSERT_EQ(plan, (std::vector<offset_range>{{"events", 0, 0, 5}}));
  std::vector<record_view> out;
  ASSERT_TRUE(s.read(plan, out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].offset, 0);
  EXPECT_EQ(*out[0].payload, "{\"a\":1}");
  EXPECT_EQ(out[1].offset, 3);
  EXPECT_EQ(*out[1].payload, "{\"b\":2}") << "the \\r of a CRLF line is dropped";
  EXPECT_EQ(out[2].offset, 4);
  EXPECT_EQ(*out[2].payload, "not json");
  for (const auto& r : out) {
    EXPECT_EQ(r.topic, "events");
    EXPECT_EQ(r.partition, 0);
    EXPECT_FALSE(r.key.has_value());
    // simdjson may read this far past the payload: the bytes must be the source's (ASan checks).
    ASSERT_GE(payload_padding(r), simdjson::SIMDJSON_PADDING);
    volatile char last = r.payload->data()[r.payload->size() + payload_padding(r) - 1];
    (void)last;
  }
  EXPECT_TRUE(s.plan(advance_position({}, plan), 100).value().empty());
}

TEST(LinesSource, PlansAndReadsMatchASplitOfTheFileAcrossTheSparseIndex) {
  sluice_test::temp_dir dir;
  std::mt19937_64 rng(5);
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    if (rng() % 50 == 0) {
      text += "\n";
      continue;
    }
    text += "line " + std::to_string(i) + std::string(rng() % 300, 'x') + "\n";
  }
  sluice_test::spit(dir / "big.jsonl", text);
  const auto lines = split_lines(text);
  fs::lines_source_options opt;
  opt.topic = "t";
  auto s = fs::lines_source::open(dir / "big.jsonl", opt).value();
  // Walk the file in batches of 777.
  source_position pos;
  std::vector<source_record> all;
  for (;;) {
    const auto plan = s.plan(pos, 777).value();
    if (plan.empty()) break;
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_LE(plan[0].size(), 777);
    std::vector<record_view> batch;
    ASSERT_TRUE(s.read(plan, batch));
    for (const auto& r : batch) all.push_back(to_source_record(r));   // views die at the next read
    pos = advance_position(pos, plan);
  }
  std::vector<source_record> want;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    source_record r;
    r.topic = "t";
    r.offset = static_cast<std::int64_t>(i);
    r.payload = lines[i];
    want.push_back(r);
  }
  ASSERT_EQ(all.size(), want.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].offset, want[i].offset);
    ASSERT_EQ(all[i].payload, want[i].payload);
  }
  // Random ranges, read by a fresh instance (a restarted process), in random order.
  auto fresh = fs::lines_source::open(dir / "big.jsonl", opt).value();
  for (int k = 0; k < 200; ++k) {
    const auto from = static_cast<std::int64_t>(rng() % lines.size());
    const auto to = from + 1 + static_cast<std::int64_t>(rng() % 3000);
    const auto end = std::min<std::int64_t>(to, static_cast<std::int64_t>(lines.size()));
    std::vector<record_view> got;
    ASSERT_TRUE(fresh.read({{"t", 0, from, end}}, got));
    std::size_t j = 0;
    for (auto i = from; i < end; ++i) {
      if (lines[static_cast<std::size_t>(i)].empty()) continue;
      ASSERT_LT(j, got.size());
      ASSERT_EQ(got[j].offset, i);
      ASSERT_EQ(*got[j].payload, lines[static_cast<std::size_t>(i)]);
      ++j;
    }
    ASSERT_EQ(j, got.size());
  }
  // The same with almost no bytes kept between counting and reading: every path of the source
  // (bytes taken from the count, read again, scanned) gives the same records.
  fs::lines_source_options tight = opt;
  tight.max_kept_bytes = 1000;
  for (const std::int64_t batch : {1, 7, 333}) {
    auto small = fs::lines_source::open(dir / "big.jsonl", tight).value();
    std::vector<source_record> walked;
    source_position at;
    for (;;) {
      const auto plan = small.plan(at, batch).value();
      if (plan.empty()) break;
      std::vector<record_view> got;
      ASSERT_TRUE(small.read(plan, got));
      for (const auto& r : got) walked.push_back(to_source_record(r));
      at = advance_position(at, plan);
    }
    ASSERT_EQ(walked.size(), want.size()) << batch;
    for (std::size_t i = 0; i < walked.size(); ++i) {
      ASSERT_EQ(walked[i].offset, want[i].offset);
      ASSERT_EQ(walked[i].payload, want[i].payload);
    }
    // A replay of a late range on a fresh instance counts far ahead first.
    auto fresh_small = fs::lines_source::open(dir / "big.jsonl", tight).value();
    const auto n = static_cast<std::int64_t>(lines.size());
    std::vector<record_view> tail;
    ASSERT_TRUE(fresh_small.read({{"t", 0, n - 50, n}}, tail));
    std::size_t j = 0;
    for (auto i = n - 50; i < n; ++i) {
      if (lines[static_cast<std::size_t>(i)].empty()) continue;
      ASSERT_LT(j, tail.size());
      ASSERT_EQ(*tail[j].payload, lines[static_cast<std::size_t>(i)]);
      ++j;
    }
    ASSERT_EQ(j, tail.size());
  }
  std::vector<record_view> none;
  ASSERT_TRUE(fresh.read({{"other", 0, 0, 10}, {"t", 1, 0, 10}}, none));
  EXPECT_TRUE(none.empty()) << "ranges of other partitions are not this source's";
  const auto past = fresh.read({{"t", 0, 0, static_cast<std::int64_t>(lines.size()) + 1}}, none);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error(), errc::corrupt_state);
}

TEST(LinesSource, FollowsAGrowingFileOneCompleteLineAtATime) {
  sluice_test::temp_dir dir;
  const auto path = dir / "grow.jsonl";
  sluice_test::spit(path, "a\nb\n");
  auto s = fs::lines_source::open(path).value();
  auto plan = s.plan({}, 10).value();
  ASSERT_EQ(plan, (std::vector<offset_range>{{"events", 0, 0, 2}}));
  auto pos = advance_position({}, plan);
  append(path, "c");   // no newline yet: not planned
  EXPECT_TRUE(s.plan(pos, 10).value().empty());
  append(path, "d\ne\n");
  plan = s.plan(pos, 10).value();
  ASSERT_EQ(plan, (std::vector<offset_range>{{"events", 0, 2, 4}}));
  std::vector<record_view> out;
  ASSERT_TRUE(s.read(plan, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*out[0].payload, "cd");
  EXPECT_EQ(*out[1].payload, "e");
}

TEST(LinesSource, ChangedFilesAreErrorsNeverMisreadings) {
  sluice_test::temp_dir dir;
  const auto path = dir / "x.jsonl";
  sluice_test::spit(path, "one\ntwo\nthree\n");
  {
    auto s = fs::lines_source::open(path).value();
    ASSERT_FALSE(s.plan({}, 10).value().empty());
    sluice_test::spit(path, "on\n");   // truncated
    const auto r = s.plan({}, 10);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), errc::corrupt_state);
    EXPECT_NE(s.problem().find("shrank"), std::string::npos) << s.problem();
  }
  {
    sluice_test::spit(path, "one\ntwo\nthree\n");
    auto s = fs::lines_source::open(path).value();
    ASSERT_FALSE(s.plan({}, 10).value().empty());
    std::filesystem::rename(path, dir / "old.jsonl");
    sluice_test::spit(path, "one\ntwo\nthree\nfour\n");
    const auto r = s.plan({}, 10);
    ASSERT_FALSE(r);
    EXPECT_NE(s.problem().find("replaced"), std::string::npos) << s.problem();
  }
  {
    sluice_test::spit(path, "one\ntwo\nthree\n");
    auto s = fs::lines_source::open(path).value();
    ASSERT_FALSE(s.plan({}, 10).value().empty());
    sluice_test::spit(path, "ONE\nTWO\nTHREE\nfour\n");   // rewritten in place, longer
    const auto r = s.plan({}, 10);
    ASSERT_FALSE(r);
    EXPECT_NE(s.problem().find("rewritten"), std::string::npos) << s.problem();
  }
}

TEST(LinesSource, ArgumentsAndOpenErrors) {
  sluice_test::temp_dir dir;
  sluice_test::spit(dir / "f", "x\n");
  auto s = fs::lines_source::open(dir / "f").value();
  EXPECT_EQ(s.plan({}, 0).error(), errc::invalid_argument);
  EXPECT_EQ(fs::lines_source::open(dir / "missing").error(), std::errc::no_such_file_or_directory);
  EXPECT_EQ(fs::lines_source::open(dir.path()).error(), std::errc::is_a_directory);
  // A position of another topic does not move this one.
  const auto p = s.plan({{"other", 0, 5, 5}}, 10).value();
  ASSERT_EQ(p, (std::vector<offset_range>{{"events", 0, 0, 1}}));
}

}  // namespace
