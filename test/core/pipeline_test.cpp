// SPDX-License-Identifier: Apache-2.0
// pipeline<...>: stage order in process(), accessors, and the transform-state concatenation.

#include "stages.hpp"

#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/memory_sink.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/transforms/dedup_in_batch.hpp"
#include "sluice/core/transforms/filter.hpp"
#include "sluice/core/transforms/map.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace sluice;
using namespace sluice_test;

std::vector<source_record> records(std::initializer_list<const char*> payloads) {
  std::vector<source_record> out;
  std::int64_t off = 0;
  for (const char* p : payloads) out.push_back({"t", 0, off++, 0, std::string("k") + p, std::string(p)});
  return out;
}

TEST(Pipeline, ProcessRunsCodecThenTransformsInOrder) {
  world w;
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, rec_transform{&w}, rec_transform{&w},
                         rec_sink{&w});
  decltype(p)::buffers buf;
  reject_list rejects;
  const auto in = records({"a", "bad", "veto", "b"});
  ASSERT_TRUE(p.process(in, buf, rejects));
  EXPECT_EQ(w.events, (std::vector<std::string>{"decode", "transform", "transform"}));
  const auto out = decltype(p)::output(buf);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (item{"ka", "a!!", 0}));
  EXPECT_EQ(out[1], (item{"kb", "b!!", 3}));
  EXPECT_EQ(rejects.items(), (std::vector<reject>{{1, "bad payload: bad"}, {2, "vetoed"}}));
  // Buffers are reused: a second batch starts clean.
  rejects.clear();
  ASSERT_TRUE(p.process(records({"c"}), buf, rejects));
  ASSERT_EQ(decltype(p)::output(buf).size(), 1u);
  EXPECT_EQ(decltype(p)::output(buf)[0].payload, "c!!");
}

TEST(Pipeline, StageErrorStopsProcessing) {
  world w;
  w.fail("decode", errc::unavailable);
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, rec_transform{&w}, rec_sink{&w});
  decltype(p)::buffers buf;
  reject_list rejects;
  const auto r = p.process(records({"a"}), buf, rejects);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::unavailable);
  EXPECT_EQ(w.events, std::vector<std::string>{"decode"});
}

TEST(Pipeline, WriteHandsTheOutputToTheSink) {
  world w;
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, rec_sink{&w});
  decltype(p)::buffers buf;
  reject_list rejects;
  ASSERT_TRUE(p.process(records({"a", "b"}), buf, rejects));
  ASSERT_TRUE(p.write(buf, batch_plan{0, {{"t", 0, 0, 2}}}));
  EXPECT_EQ(w.sink_contents, (std::map<std::string, std::string>{{"ka", "a"}, {"kb", "b"}}));
}

TEST(Pipeline, AccessorsReachTheStoredStages) {
  memory_source src;
  src.push("t", 0, std::nullopt, "x");
  auto to_object = [](raw_view v) { return object{"k", std::string(v.payload.value_or("")), v.origin}; };
  auto p = make_pipeline(std::move(src), raw_view_codec{}, map_values<raw_view>(to_object),
                         dedup_in_batch<object>{}, memory_object_sink{}, memory_batch_log{});
  EXPECT_EQ(p.source().size(), 1u);
  ASSERT_TRUE(p.idempotency().mark_done(batch_plan{0, {}}));
  const auto& cp = p;
  EXPECT_EQ(cp.idempotency().done().size(), 1u);
  EXPECT_EQ(cp.transform<1>().dropped(), 0);
  EXPECT_EQ(cp.sink().batches(), 0);
}

TEST(Pipeline, MapAndFilterAdaptLambdas) {
  memory_source src;
  auto p = make_pipeline(
      std::move(src), raw_view_codec{},
      map_values<raw_view>([](raw_view v) { return object{std::string(v.key.value_or("")), std::string(v.payload.value_or("")), v.origin}; }),
      filter_values<object>([](const object& o) { return !o.bytes.empty(); }),
      dedup_in_batch<object>{}, memory_object_sink{});
  decltype(p)::buffers buf;
  reject_list rejects;
  std::vector<source_record> in{{"t", 0, 0, 0, "a", "1"}, {"t", 0, 1, 0, "b", ""},
                                {"t", 0, 2, 0, "a", "3"}, {"t", 0, 3, 0, "c", "4"}};
  ASSERT_TRUE(p.process(in, buf, rejects));
  ASSERT_TRUE(p.write(buf, batch_plan{0, {{"t", 0, 0, 4}}}));
  EXPECT_EQ(p.sink().contents(), (std::map<std::string, std::string>{{"a", "1"}, {"c", "4"}}));
  EXPECT_EQ(p.transform<1>().dropped(), 1);
  EXPECT_EQ(p.transform<2>().dropped(), 1);
}

// Two stateful transforms and a stateless one between them.
TEST(Pipeline, StateIsALengthPrefixedConcatenation) {
  world w;
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, numbering_transform{}, rec_transform{&w},
                         numbering_transform{}, rec_sink{&w});
  static_assert(decltype(p)::has_state);
  p.transform<0>().next = 12;
  p.transform<2>().next = 3456789;
  std::string blob;
  ASSERT_TRUE(p.save_state(blob));
  EXPECT_EQ(blob, "2:127:3456789");

  auto q = make_pipeline(rec_source{&w}, rec_codec{&w}, numbering_transform{}, rec_transform{&w},
                         numbering_transform{}, rec_sink{&w});
  ASSERT_TRUE(q.load_state(blob));
  EXPECT_EQ(q.transform<0>().next, 12);
  EXPECT_EQ(q.transform<2>().next, 3456789);
  ASSERT_TRUE(q.load_state(""));
  EXPECT_EQ(q.transform<0>().next, 0);
  EXPECT_EQ(q.transform<2>().next, 0);
  EXPECT_EQ(q.transform<0>().loads, (std::vector<std::string>{"12", ""}));
}

TEST(Pipeline, MalformedStateIsCorrupt) {
  world w;
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, numbering_transform{},
                         numbering_transform{}, rec_sink{&w});
  for (const char* bad : {"x", "2:12", "2:121:", ":1:2", "1:1", "1:11:2trailing", "99999999999999999999:1",
                          "-1:1", "1:11:a"}) {
    SCOPED_TRACE(bad);
    const auto r = p.load_state(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), errc::corrupt_state);
  }
}

TEST(Pipeline, StatelessPipelinesSaveNothing) {
  world w;
  auto p = make_pipeline(rec_source{&w}, rec_codec{&w}, rec_transform{&w}, rec_sink{&w});
  static_assert(!decltype(p)::has_state);
  std::string blob = "junk";
  ASSERT_TRUE(p.save_state(blob));
  EXPECT_EQ(blob, "");
  EXPECT_TRUE(p.load_state(""));
  EXPECT_EQ(p.load_state("1:x").error(), errc::corrupt_state);
}

}  // namespace
