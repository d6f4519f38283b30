// SPDX-License-Identifier: Apache-2.0
#include "sluice/fs/stdout_sink.hpp"

#include "mini_json.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace {

using sluice::batch_plan;
using sluice::object;
using sluice::fs::stdout_sink;
namespace mj = sluice_test::mini_json;

struct captured {
  std::FILE* f = std::tmpfile();
  ~captured() { std::fclose(f); }
  std::vector<std::string> lines() const {
    std::rewind(f);
    std::string all;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) all.append(buf, n);
    std::vector<std::string> out;
    std::istringstream in(all);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    EXPECT_TRUE(all.empty() || all.back() == '\n');
    return out;
  }
};

static_assert(sluice::sink_for<stdout_sink, object>);
static_assert(sluice::sink_for<stdout_sink, int>);
static_assert(sluice::sink_for<stdout_sink, std::string>);
struct no_format {};
static_assert(!sluice::sink_for<stdout_sink, no_format>);

TEST(StdoutSink, WritesObjectsAsOneJsonLineEach) {
  captured out;
  stdout_sink sink(out.f);
  const std::vector<object> objs{{"a/1.avsc", "{\"type\":\n\"int\"}", 0},
                                 {"b/2.bin", std::string("\xff\x00\x01", 3), 1}};
  ASSERT_TRUE(sink.write(std::span<const object>(objs), batch_plan{}));
  const auto lines = out.lines();
  ASSERT_EQ(lines.size(), 2u);
  const auto first = mj::parse(lines[0]);
  EXPECT_EQ(std::get<std::string>(first.at("key")), "a/1.avsc");
  EXPECT_EQ(std::get<std::string>(first.at("bytes")), objs[0].bytes);
  const auto second = mj::parse(lines[1]);
  EXPECT_EQ(std::get<std::string>(second.at("bytes")), "/wAB");  // base64 of ff 00 01
  EXPECT_EQ(std::get<std::string>(second.at("bytes_encoding")), "base64");
}

TEST(StdoutSink, FormatsOtherValuesWithFmtOnOneLine) {
  captured out;
  stdout_sink sink(out.f);
  const std::vector<int> ints{1, -2, 30};
  ASSERT_TRUE(sink.write(std::span<const int>(ints), batch_plan{}));
  const std::vector<std::string> texts{"two\nlines", "back\\slash\r"};
  ASSERT_TRUE(sink.write(std::span<const std::string>(texts), batch_plan{}));
  EXPECT_EQ(out.lines(), (std::vector<std::string>{"1", "-2", "30", "two\\nlines", "back\\\\slash\\r"}));
}

TEST(StdoutSink, AFailedWriteIsAnError) {
  std::FILE* full = std::fopen("/dev/full", "w");
  ASSERT_NE(full, nullptr);
  stdout_sink sink(full);
  const std::vector<int> ints{1};
  const auto r = sink.write(std::span<const int>(ints), batch_plan{});
  std::fclose(full);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::no_space_on_device);
}

}  // namespace
