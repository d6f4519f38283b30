// SPDX-License-Identifier: Apache-2.0
#include "sluice/fs/kcat_source.hpp"

#include "mini_json.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

using sluice::offset_range;
using sluice::source_record;
using sluice::fs::kcat_source;
using sluice_test::spit;
using sluice_test::temp_dir;
namespace mj = sluice_test::mini_json;

const std::filesystem::path sample =
    std::filesystem::path(SLUICE_TESTDATA_DIR) / "goldengate" / "schema-topic.sample.jsonl";

std::vector<std::string> lines_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The record the oracle reads from one kcat line.
source_record oracle_record(const std::string& line) {
  const auto o = mj::parse(line);
  source_record r;
  r.topic = std::get<std::string>(o.at("topic"));
  r.partition = static_cast<std::int32_t>(std::get<std::int64_t>(o.at("partition")));
  r.offset = std::get<std::int64_t>(o.at("offset"));
  r.timestamp_ms = std::get<std::int64_t>(o.at("ts"));
  r.key = mj::opt_string(o, "key");
  r.payload = mj::opt_string(o, "payload");
  return r;
}

bool same(const source_record& a, const source_record& b) {
  return std::tie(a.topic, a.partition, a.offset, a.timestamp_ms, a.key, a.payload) ==
         std::tie(b.topic, b.partition, b.offset, b.timestamp_ms, b.key, b.payload);
}

std::string kcat_line(std::string_view topic, int partition, std::int64_t offset,
                      std::string_view payload) {
  std::string l = "{\"topic\": \"" + std::string(topic) + "\", \"partition\": " + std::to_string(partition) +
                  ", \"offset\": " + std::to_string(offset) +
                  ", \"tstype\": \"create\", \"ts\": " + std::to_string(1000 + offset) +
                  ", \"broker\": 0, \"key\": \"k" + std::to_string(offset) + "\", \"payload\": \"" +
                  std::string(payload) + "\"}";
  return l;
}

std::vector<source_record> read_all(kcat_source& src, const std::vector<offset_range>& plan) {
  std::vector<source_record> out;
  auto r = src.read(plan, out);
  EXPECT_TRUE(r) << r.error().message();
  return out;
}

TEST(KcatSource, IndexesTheSampleByPartition) {
  auto src = kcat_source::open(sample);
  ASSERT_TRUE(src) << src.error().message();
  const auto lines = lines_of(sample);
  // Oracle: count the lines per (topic, partition) with the independent reader.
  std::map<std::pair<std::string, int>, std::vector<std::int64_t>> expect;
  for (const auto& l : lines) {
    const auto r = oracle_record(l);
    expect[{r.topic, r.partition}].push_back(r.offset);
  }
  const auto parts = src.value().partitions();
  ASSERT_EQ(parts.size(), expect.size());
  ASSERT_EQ(parts.size(), 1u);
  const auto& [key, offsets] = *expect.begin();
  EXPECT_EQ(parts[0].topic, key.first);
  EXPECT_EQ(parts[0].partition, key.second);
  EXPECT_EQ(parts[0].records, offsets.size());
  EXPECT_EQ(parts[0].records, 41u);
  EXPECT_EQ(parts[0].first_offset, *std::min_element(offsets.begin(), offsets.end()));
  EXPECT_EQ(parts[0].end_offset, *std::max_element(offsets.begin(), offsets.end()) + 1);
  EXPECT_EQ(src.value().bad_line_count(), 0u);
}

TEST(KcatSource, ReadsEveryRecordOfTheSampleAsTheOracleDoes) {
  auto src = kcat_source::open(sample).value();
  const auto plan = src.plan({}, 1000).value();
  ASSERT_EQ(plan, (std::vector<offset_range>{{"gg-schemas", 0, 0, 41}}));
  const auto recs = read_all(src, plan);
  const auto lines = lines_of(sample);
  ASSERT_EQ(recs.size(), lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(same(recs[i], oracle_record(lines[i]))) << "line " << i;
  }
  // Spot checks of the awkward messages of the sample.
  EXPECT_FALSE(recs[1].payload.has_value());             // payload null
  EXPECT_FALSE(recs[2].key.has_value());                 // key null
  EXPECT_EQ(recs[8].key, std::string("ORCLPDB1.HR.\x01" "CTRL"));  // \u0001 unescaped
  EXPECT_NE(recs[5].payload->find('\n'), std::string::npos);      // pretty-printed schema
}

TEST(KcatSource, PlansAtMostMaxOffsetsAndResumesFromThePosition) {
  auto src = kcat_source::open(sample).value();
  sluice::source_position pos;
  std::vector<source_record> all;
  int batches = 0;
  for (;;) {
    const auto plan = src.plan(pos, 10).value();
    if (plan.empty()) break;
    ++batches;
    std::int64_t size = 0;
    for (const auto& r : plan) size += r.size();
    EXPECT_LE(size, 10);
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan[0].from, pos.empty() ? 0 : pos[0].to);
    const auto recs = read_all(src, plan);
    all.insert(all.end(), recs.begin(), recs.end());
    pos = {{plan[0].topic, plan[0].partition, plan[0].to, plan[0].to}};
  }
  EXPECT_EQ(batches, 5);  // 10 + 10 + 10 + 10 + 1
  ASSERT_EQ(all.size(), 41u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].offset, static_cast<std::int64_t>(i));
  EXPECT_EQ(src.plan({{"gg-schemas", 0, 41, 41}}, 10).value(), std::vector<offset_range>{});
  EXPECT_EQ(src.plan({}, 0).error(), sluice::errc::invalid_argument);
}

TEST(KcatSource, ReplayOfAPlanReadsTheSameRecordsInANewProcess) {
  const std::vector<offset_range> plan{{"gg-schemas", 0, 7, 23}};
  auto first = kcat_source::open(sample).value();
  const auto a = read_all(first, plan);
  // Other reads in between move the read-ahead window elsewhere.
  (void)read_all(first, {{"gg-schemas", 0, 30, 41}});
  const auto b = read_all(first, plan);
  auto second = kcat_source::open(sample).value();  // a restarted process
  const auto c = read_all(second, plan);
  ASSERT_EQ(a.size(), 16u);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), c.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(same(a[i], b[i]));
    EXPECT_TRUE(same(a[i], c[i]));
    EXPECT_EQ(a[i].offset, 7 + static_cast<std::int64_t>(i));
  }
  EXPECT_TRUE(first.commit(plan));
}

TEST(KcatSource, SharesTheBudgetFairlyAmongPartitionsAndReadsInOffsetOrder) {
  temp_dir dir;
  // t1/0: 20 records, t1/1: 2 records, t2/0: 20 records; lines interleaved.
  std::string text;
  for (int i = 0; i < 20; ++i) {
    text += kcat_line("t1", 0, i, "a") + "\n";
    if (i < 2) text += kcat_line("t1", 1, 100 + i, "b") + "\n";
    text += kcat_line("t2", 0, i, "c") + "\n";
  }
  spit(dir / "multi.jsonl", text);
  auto src = kcat_source::open(dir / "multi.jsonl").value();
  const auto parts = src.partitions();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].topic, "t1");
  EXPECT_EQ(parts[1].partition, 1);
  EXPECT_EQ(parts[1].first_offset, 100);
  EXPECT_EQ(parts[1].end_offset, 102);

  // 12 offsets: t1/1 has only 2, the other two share the rest equally.
  const auto plan = src.plan({}, 12).value();
  EXPECT_EQ(plan, (std::vector<offset_range>{{"t1", 0, 0, 5}, {"t1", 1, 100, 102}, {"t2", 0, 0, 5}}));
  const auto recs = read_all(src, plan);
  ASSERT_EQ(recs.size(), 12u);
  std::vector<std::int64_t> t2;
  for (const auto& r : recs)
    if (r.topic == "t2") t2.push_back(r.offset);
  EXPECT_EQ(t2, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));

  // From a position naming only t1/0, the others start at their first offset.
  const auto next = src.plan({{"t1", 0, 18, 18}}, 100).value();
  EXPECT_EQ(next, (std::vector<offset_range>{{"t1", 0, 18, 20}, {"t1", 1, 100, 102}, {"t2", 0, 0, 20}}));
  // A budget smaller than the partitions still advances.
  EXPECT_EQ(src.plan({}, 1).value(), (std::vector<offset_range>{{"t1", 0, 0, 1}}));
}

TEST(KcatSource, BadLinesBecomeRecordsOfThePseudoPartitionWithTheirReason) {
  temp_dir dir;
  const std::vector<std::string> lines = {
      kcat_line("t", 0, 0, "ok0"),                                        // 0
      R"({"topic": "t", "partition": 0, "offset": 1, "payload": "x")",   // 1 truncated JSON
      R"({"topic": "t", "partition": 0, "payload": "no offset"})",       // 2 no offset
      R"({"topic": "t", "partition": "0", "offset": 2})",                // 3 partition string
      "",                                                                 // 4 blank: ignored
      R"({"topic": "t", "partition": 0, "offset": 3, "key": 5})",        // 5 key number
      kcat_line("t", 0, 0, "dup"),                                        // 6 repeats offset 0
      R"(["topic", "t"])",                                                // 7 not an object
      R"({"topic": "t", "partition": 0, "offset": 4, "ts": "now"})",     // 8 ts string
      R"({"topic": "<kcat-bad-line>", "partition": 0, "offset": 5})",    // 9 reserved topic
      kcat_line("t", 0, 6, "ok6"),                                        // 10
      "   \t",                                                            // 11 blank: ignored
      R"({"topic": "t", "partition": 0, "offset": 7, "payload": 1.5})",  // 12 payload number
      R"({"topic": "", "partition": 0, "offset": 8})",                   // 13 empty topic
  };
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  text += R"({"topic": "t", "partition": 0, "offs)";  // 14, no final newline yet
  spit(dir / "bad.jsonl", text);

  auto src = kcat_source::open(dir / "bad.jsonl").value();
  // The incomplete last line waits for its newline.
  EXPECT_EQ(src.bad_line_count(), 10u);
  EXPECT_EQ(src.pending_bytes(), std::string_view(R"({"topic": "t", "partition": 0, "offs)").size());
  {
    std::ofstream out(dir / "bad.jsonl", std::ios::binary | std::ios::app);
    out << R"(et": "nine"})" << "\n";  // 14 completed: offset not an integer
  }
  ASSERT_EQ(src.refresh().value(), 1u);
  EXPECT_EQ(src.pending_bytes(), 0u);
  EXPECT_EQ(src.bad_line_count(), 11u);
  const auto parts = src.partitions();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].topic, sluice::fs::kcat_bad_line_topic);
  EXPECT_EQ(parts[0].first_offset, 1);
  EXPECT_EQ(parts[0].end_offset, 15);
  EXPECT_EQ(parts[1].topic, "t");
  EXPECT_EQ(parts[1].records, 2u);

  const auto plan = src.plan({}, 100).value();
  const auto recs = read_all(src, plan);
  ASSERT_EQ(recs.size(), 13u);  // 2 messages + 11 bad lines, nothing lost
  std::map<std::int64_t, std::string> reasons;
  for (const auto& r : recs) {
    EXPECT_EQ(r.bad_input.has_value(), sluice::fs::is_kcat_bad_line(r));
    if (!sluice::fs::is_kcat_bad_line(r)) continue;
    EXPECT_EQ(r.partition, 0);
    EXPECT_FALSE(r.key.has_value());
    ASSERT_TRUE(r.payload.has_value());
    const std::string raw = r.offset == 14 ? std::string(R"({"topic": "t", "partition": 0, "offset": "nine"})")
                                           : lines.at(static_cast<std::size_t>(r.offset));
    EXPECT_EQ(*r.payload, raw) << "line " << r.offset;
    reasons[r.offset] = sluice::fs::kcat_bad_line_reason(r);
    EXPECT_EQ(r.bad_input, reasons[r.offset]) << "line " << r.offset;  // what every codec rejects with
  }
  std::vector<std::int64_t> bad_lines;
  for (const auto& [line, reason] : reasons) bad_lines.push_back(line);
  EXPECT_EQ(bad_lines, (std::vector<std::int64_t>{1, 2, 3, 5, 6, 7, 8, 9, 12, 13, 14}));
  auto has = [&](std::int64_t line, std::string_view part) {
    return reasons[line].find(part) != std::string::npos;
  };
  EXPECT_TRUE(has(1, "line 2 of the kcat file is not a kcat -J message: not valid JSON"));
  EXPECT_TRUE(has(2, "\"offset\""));
  EXPECT_TRUE(has(3, "\"partition\""));
  EXPECT_TRUE(has(5, "\"key\" is neither a string nor null"));
  EXPECT_TRUE(has(6, "offset 0 of topic t partition 0 is not above the offset of an earlier line"));
  EXPECT_TRUE(has(7, "not a JSON object"));
  EXPECT_TRUE(has(8, "\"ts\""));
  EXPECT_TRUE(has(9, "reserved"));
  EXPECT_TRUE(has(12, "\"payload\""));
  EXPECT_TRUE(has(13, "\"topic\""));
  EXPECT_TRUE(has(14, "line 15 of the kcat file is not a kcat -J message: no integer \"offset\""));
  // The first line with a position wins; the message records are intact.
  std::vector<std::string> payloads;
  for (const auto& r : recs)
    if (r.topic == "t") payloads.push_back(*r.payload);
  EXPECT_EQ(payloads, (std::vector<std::string>{"ok0", "ok6"}));
  // The pseudo-partition replays like any other.
  auto again = kcat_source::open(dir / "bad.jsonl").value();
  const auto bad_only = read_all(again, {{std::string(sluice::fs::kcat_bad_line_topic), 0, 5, 9}});
  ASSERT_EQ(bad_only.size(), 4u);
  EXPECT_EQ(bad_only[0].offset, 5);
  EXPECT_EQ(bad_only[3].offset, 8);
}

TEST(KcatSource, ALineWithBytesThatAreNotUtf8IsABadLineKeepingItsBytes) {
  temp_dir dir;
  const std::string raw = "{\"topic\": \"t\", \"partition\": 0, \"offset\": 0, \"payload\": \"\xff\xfe\"}";
  spit(dir / "bin.jsonl", raw + "\r\n" + kcat_line("t", 0, 1, "fine") + "\r\n");
  auto src = kcat_source::open(dir / "bin.jsonl").value();
  const auto recs = read_all(src, src.plan({}, 10).value());
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_TRUE(sluice::fs::is_kcat_bad_line(recs[0]));
  EXPECT_EQ(*recs[0].payload, raw + "\r");
  EXPECT_NE(sluice::fs::kcat_bad_line_reason(recs[0]).find("UTF-8"), std::string::npos);
  EXPECT_EQ(recs[1].payload, std::string("fine"));  // CRLF line endings are fine
}

TEST(KcatSource, OffsetGapsCountTowardsTheBudget) {
  temp_dir dir;
  std::string text;
  for (const std::int64_t off : {0, 1, 5, 6, 50}) text += kcat_line("t", 0, off, "p") + "\n";
  spit(dir / "gaps.jsonl", text);
  auto src = kcat_source::open(dir / "gaps.jsonl").value();
  EXPECT_EQ(src.plan({{"t", 0, 2, 2}}, 3).value(), (std::vector<offset_range>{{"t", 0, 2, 5}}));
  EXPECT_TRUE(read_all(src, {{"t", 0, 2, 5}}).empty());
  const auto recs = read_all(src, src.plan({{"t", 0, 5, 5}}, 100).value());
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[2].offset, 50);
  // A position for a partition the file does not have is ignored.
  EXPECT_EQ(src.plan({{"other", 3, 7, 7}, {"t", 0, 51, 51}}, 100).value(), std::vector<offset_range>{});
  EXPECT_TRUE(read_all(src, {{"other", 3, 0, 100}}).empty());
}

TEST(KcatSource, LinesLongerThanTheReadBuffersAreIndexedAndRead) {
  temp_dir dir;
  const std::string big(3 << 20, 'x');
  spit(dir / "big.jsonl", kcat_line("t", 0, 0, "a") + "\n" + kcat_line("t", 0, 1, big) + "\n" +
                              kcat_line("t", 0, 2, "c") + "\n");
  auto src = kcat_source::open(dir / "big.jsonl").value();
  const auto recs = read_all(src, src.plan({}, 10).value());
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].payload, big);
  EXPECT_EQ(recs[2].payload, std::string("c"));
}

TEST(KcatSource, ManyRecordsAcrossPartitionsAreEachReadExactlyOnce) {
  temp_dir dir;
  std::mt19937 rng(42);
  std::map<std::pair<std::string, int>, std::int64_t> next;
  std::string text;
  std::map<std::tuple<std::string, int, std::int64_t>, std::string> expect;
  for (int i = 0; i < 20000; ++i) {
    const std::string topic = (rng() % 2) ? "orders" : "users";
    const int part = static_cast<int>(rng() % 3);
    const std::int64_t off = next[{topic, part}]++;
    const std::string payload = "v" + std::to_string(rng());
    expect[{topic, part, off}] = payload;
    text += kcat_line(topic, part, off, payload) + "\n";
  }
  spit(dir / "many.jsonl", text);
  auto src = kcat_source::open(dir / "many.jsonl").value();
  sluice::source_position pos;
  std::map<std::tuple<std::string, int, std::int64_t>, std::string> got;
  for (;;) {
    const auto plan = src.plan(pos, 1000).value();
    if (plan.empty()) break;
    for (const auto& r : read_all(src, plan)) {
      EXPECT_TRUE(got.emplace(std::tuple{r.topic, r.partition, r.offset}, *r.payload).second);
    }
    for (const auto& r : plan) {
      auto it = std::find_if(pos.begin(), pos.end(), [&](const offset_range& p) {
        return p.topic == r.topic && p.partition == r.partition;
      });
      if (it == pos.end()) pos.push_back({r.topic, r.partition, r.to, r.to});
      else it->from = it->to = r.to;
    }
  }
  EXPECT_EQ(got, expect);
}

TEST(KcatSource, AFileChangedUnderTheIndexIsCorruptStateNotWrongRecords) {
  temp_dir dir;
  const auto path = dir / "changing.jsonl";
  spit(path, kcat_line("t", 0, 0, "aaaa") + "\n" + kcat_line("t", 0, 1, "bbbb") + "\n");
  auto src = kcat_source::open(path).value();
  // Same length, other offsets.
  spit(path, kcat_line("t", 0, 7, "aaaa") + "\n" + kcat_line("t", 0, 8, "bbbb") + "\n");
  std::vector<source_record> out;
  EXPECT_EQ(src.read({{"t", 0, 0, 2}}, out).error(), sluice::errc::corrupt_state);
  auto src2 = kcat_source::open(path).value();
  spit(path, "");  // truncated
  out.clear();
  EXPECT_EQ(src2.read({{"t", 0, 7, 9}}, out).error(), sluice::errc::corrupt_state);
}

TEST(KcatSource, AMissingFileIsAnOsError) {
  temp_dir dir;
  auto src = kcat_source::open(dir / "nope.jsonl");
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error(), std::errc::no_such_file_or_directory);
  auto d = kcat_source::open(dir.path());  // a directory: reading it fails
  EXPECT_FALSE(d);
}

TEST(KcatSource, AnEmptyFileHasNothingToPlan) {
  temp_dir dir;
  spit(dir / "empty.jsonl", "\n\n");
  auto src = kcat_source::open(dir / "empty.jsonl").value();
  EXPECT_TRUE(src.partitions().empty());
  EXPECT_EQ(src.plan({}, 10).value(), std::vector<offset_range>{});
}


void append(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Moves `pos` past the ranges of `plan`.
void advance(sluice::source_position& pos, const std::vector<offset_range>& plan) {
  for (const auto& r : plan) {
    auto it = std::find_if(pos.begin(), pos.end(), [&](const offset_range& p) {
      return p.topic == r.topic && p.partition == r.partition;
    });
    if (it == pos.end()) pos.push_back({r.topic, r.partition, r.to, r.to});
    else it->from = it->to = r.to;
  }
}

TEST(KcatSource, LinesAppendedWhileOpenArePlannedWithoutAReopen) {
  temp_dir dir;
  const auto path = dir / "follow.jsonl";
  spit(path, kcat_line("t", 0, 0, "a0") + "\n" + kcat_line("t", 1, 0, "b0") + "\n" +
                 kcat_line("t", 0, 1, "a1") + "\n");
  auto src = kcat_source::open(path).value();
  sluice::source_position pos;
  const auto first = src.plan(pos, 100).value();
  EXPECT_EQ(first, (std::vector<offset_range>{{"t", 0, 0, 2}, {"t", 1, 0, 1}}));
  const auto first_recs = read_all(src, first);
  advance(pos, first);
  EXPECT_EQ(src.plan(pos, 100).value(), std::vector<offset_range>{});  // nothing new
  EXPECT_EQ(src.refresh().value(), 0u);

  // kcat appends to several partitions, a new one among them.
  append(path, kcat_line("t", 1, 1, "b1") + "\n" + kcat_line("t", 0, 2, "a2") + "\n" +
                   kcat_line("s", 3, 40, "c40") + "\n" + kcat_line("t", 0, 3, "a3") + "\n");
  const auto second = src.plan(pos, 100).value();
  EXPECT_EQ(second, (std::vector<offset_range>{{"s", 3, 40, 41}, {"t", 0, 2, 4}, {"t", 1, 1, 2}}));
  const auto second_recs = read_all(src, second);
  std::vector<std::string> payloads;
  for (const auto& r : second_recs) payloads.push_back(*r.payload);
  EXPECT_EQ(payloads, (std::vector<std::string>{"c40", "a2", "a3", "b1"}));
  EXPECT_EQ(src.partitions().size(), 3u);

  // Replays stay exact: the first plan reads the same records after the growth, here and in a
  // new process; the new process plans the same second batch.
  const auto again = read_all(src, first);
  auto fresh = kcat_source::open(path).value();
  const auto replay = read_all(fresh, first);
  ASSERT_EQ(again.size(), first_recs.size());
  ASSERT_EQ(replay.size(), first_recs.size());
  for (std::size_t i = 0; i < first_recs.size(); ++i) {
    EXPECT_TRUE(same(again[i], first_recs[i]));
    EXPECT_TRUE(same(replay[i], first_recs[i]));
  }
  sluice::source_position pos1;
  advance(pos1, first);
  EXPECT_EQ(fresh.plan(pos1, 100).value(), second);
  EXPECT_EQ(fresh.partitions(), src.partitions());
}

TEST(KcatSource, APartialLastLineIsIndexedOnlyOnceComplete) {
  temp_dir dir;
  const auto path = dir / "partial.jsonl";
  spit(path, kcat_line("t", 0, 0, "a0") + "\n");
  auto src = kcat_source::open(path).value();
  sluice::source_position pos;
  advance(pos, src.plan(pos, 100).value());
  const std::string line1 = kcat_line("t", 0, 1, "a1");
  const std::string line2 = kcat_line("t", 0, 2, "a2");
  // Half a line: not a message yet, not a bad line either.
  append(path, line1.substr(0, 30));
  EXPECT_EQ(src.plan(pos, 100).value(), std::vector<offset_range>{});
  EXPECT_EQ(src.pending_bytes(), 30u);
  EXPECT_EQ(src.bad_line_count(), 0u);
  // The rest of it and half of the next.
  append(path, line1.substr(30) + "\n" + line2.substr(0, line2.size() - 1));
  auto plan = src.plan(pos, 100).value();
  EXPECT_EQ(plan, (std::vector<offset_range>{{"t", 0, 1, 2}}));
  EXPECT_EQ(src.pending_bytes(), line2.size() - 1);
  advance(pos, plan);
  // The closing brace makes line 2 a whole message before its newline comes.
  append(path, line2.substr(line2.size() - 1));
  plan = src.plan(pos, 100).value();
  EXPECT_EQ(plan, (std::vector<offset_range>{{"t", 0, 2, 3}}));
  EXPECT_EQ(read_all(src, plan).at(0).payload, std::string("a2"));
  EXPECT_EQ(src.pending_bytes(), 0u);
  advance(pos, plan);
  // Its newline (after some whitespace) and a bad line: line numbers as a fresh index counts.
  append(path, " \r\nnot json\n" + kcat_line("t", 0, 3, "a3") + "\n");
  plan = src.plan(pos, 100).value();
  const auto recs = read_all(src, plan);
  auto fresh = kcat_source::open(path).value();
  EXPECT_EQ(fresh.partitions(), src.partitions());
  const auto fresh_recs = read_all(fresh, plan);
  ASSERT_EQ(recs.size(), 2u);
  ASSERT_EQ(fresh_recs.size(), 2u);
  EXPECT_TRUE(sluice::fs::is_kcat_bad_line(recs[0]));
  EXPECT_EQ(recs[0].offset, 3);  // the 4th line of the file
  for (std::size_t i = 0; i < recs.size(); ++i) EXPECT_TRUE(same(recs[i], fresh_recs[i]));
  // Text appended to a line indexed as complete is a change, not a new message.
  temp_dir dir2;
  spit(dir2 / "f.jsonl", kcat_line("t", 0, 0, "x"));
  auto open_line = kcat_source::open(dir2 / "f.jsonl").value();
  EXPECT_EQ(open_line.partitions().size(), 1u);
  append(dir2 / "f.jsonl", "{\"more\": 1}\n");
  EXPECT_EQ(open_line.plan({}, 10).error(), sluice::errc::corrupt_state);
  EXPECT_NE(open_line.problem().find("appended to its last line"), std::string::npos);
}

TEST(KcatSource, ATruncatedRewrittenReplacedOrRemovedFileIsAClearError) {
  temp_dir dir;
  const std::string text = kcat_line("t", 0, 0, "aaaa") + "\n" + kcat_line("t", 0, 1, "bbbb") + "\n";
  auto expect_problem = [](kcat_source& src, std::string_view what) {
    const auto r = src.plan({}, 10);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), sluice::errc::corrupt_state);
    EXPECT_TRUE(r.error() == sluice::condition::fatal);
    EXPECT_NE(src.problem().find(what), std::string::npos) << src.problem();
    // It stays failed, even if the file looks fine again.
    EXPECT_EQ(src.refresh().error(), sluice::errc::corrupt_state);
  };
  {
    spit(dir / "a.jsonl", text);
    auto src = kcat_source::open(dir / "a.jsonl").value();
    EXPECT_TRUE(src.problem().empty());
    ASSERT_EQ(::truncate((dir / "a.jsonl").c_str(), 10), 0);
    expect_problem(src, "shrank to 10 bytes");
  }
  {
    spit(dir / "b.jsonl", text);
    auto src = kcat_source::open(dir / "b.jsonl").value();
    // Rewritten in place, same size, other offsets (and then grown, as `cp` over it would).
    std::fstream f(dir / "b.jsonl", std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(text.size() - 20));
    f << "xxxx";
    f.close();
    append(dir / "b.jsonl", kcat_line("t", 0, 2, "c") + "\n");
    expect_problem(src, "was rewritten");
  }
  {
    spit(dir / "c.jsonl", text);
    auto src = kcat_source::open(dir / "c.jsonl").value();
    spit(dir / "c2.jsonl", text + kcat_line("t", 0, 2, "c") + "\n");
    std::filesystem::rename(dir / "c2.jsonl", dir / "c.jsonl");  // log rotation, replacement
    expect_problem(src, "was replaced by another file");
  }
  {
    spit(dir / "d.jsonl", text);
    auto src = kcat_source::open(dir / "d.jsonl").value();
    std::filesystem::remove(dir / "d.jsonl");
    expect_problem(src, "was removed");
  }
}

TEST(KcatSource, AnOffsetNotAboveThePreviousOfItsPartitionIsABadLine) {
  temp_dir dir;
  spit(dir / "ooo.jsonl", kcat_line("t", 0, 0, "a") + "\n" + kcat_line("t", 0, 5, "b") + "\n" +
                              kcat_line("t", 1, 2, "x") + "\n" + kcat_line("t", 0, 3, "late") + "\n" +
                              kcat_line("t", 0, 6, "c") + "\n");
  auto src = kcat_source::open(dir / "ooo.jsonl").value();
  const auto plan = src.plan({}, 100).value();
  const auto recs = read_all(src, plan);
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_TRUE(sluice::fs::is_kcat_bad_line(recs[0]));
  EXPECT_EQ(recs[0].offset, 3);  // line index
  EXPECT_NE(sluice::fs::kcat_bad_line_reason(recs[0]).find("out-of-order"), std::string::npos);
  std::vector<std::int64_t> t0;
  for (const auto& r : recs)
    if (r.topic == "t" && r.partition == 0) t0.push_back(r.offset);
  EXPECT_EQ(t0, (std::vector<std::int64_t>{0, 5, 6}));
}

// Random appends, cut at random bytes, interleaved with batches: every message is read exactly
// once, and every plan replays exactly in a new process over the final file.
TEST(KcatSource, RandomAppendsInterleavedWithBatchesReadEveryMessageOnce) {
  temp_dir dir;
  const auto path = dir / "grow.jsonl";
  std::mt19937 rng(5);
  std::string all;
  std::map<std::pair<std::string, int>, std::int64_t> next;
  std::map<std::tuple<std::string, int, std::int64_t>, std::string> expect;
  for (int i = 0; i < 3000; ++i) {
    const std::string topic = rng() % 2 ? "orders" : "users";
    const int part = static_cast<int>(rng() % 3);
    const std::int64_t off = next[{topic, part}]++;
    const std::string payload = "v" + std::to_string(rng());
    expect[{topic, part, off}] = payload;
    all += kcat_line(topic, part, off, payload) + "\n";
  }
  spit(path, "");
  auto src = kcat_source::open(path).value();
  sluice::source_position pos;
  std::vector<std::pair<std::vector<offset_range>, std::vector<source_record>>> batches;
  std::map<std::tuple<std::string, int, std::int64_t>, std::string> got;
  std::size_t written = 0;
  while (written < all.size() || !src.plan(pos, 1).value().empty()) {
    if (written < all.size()) {
      const std::size_t n = std::min<std::size_t>(all.size() - written, 1 + rng() % 4000);
      append(path, std::string_view(all).substr(written, n));
      written += n;
    }
    const auto plan = src.plan(pos, 1 + static_cast<std::int64_t>(rng() % 300)).value();
    if (plan.empty()) continue;
    auto recs = read_all(src, plan);
    for (const auto& r : recs) {
      ASSERT_FALSE(sluice::fs::is_kcat_bad_line(r)) << *r.payload;
      EXPECT_TRUE(got.emplace(std::tuple{r.topic, r.partition, r.offset}, *r.payload).second);
    }
    advance(pos, plan);
    batches.emplace_back(plan, std::move(recs));
  }
  EXPECT_EQ(got, expect);
  EXPECT_GT(batches.size(), 20u);
  auto fresh = kcat_source::open(path).value();
  for (const auto& [plan, recs] : batches) {
    const auto replay = read_all(fresh, plan);
    ASSERT_EQ(replay.size(), recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i) EXPECT_TRUE(same(replay[i], recs[i]));
  }
}

}  // namespace
