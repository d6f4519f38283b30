// SPDX-License-Identifier: Apache-2.0
// Bad input through sluice-schema-writer from a real Kafka topic into S3 and into a folder
// (issue 5 §2): every kind of broken message is a dead letter with its reason, counted in the
// progress records, the batch goes on, and no message writes anything outside
// <prefix>/<db.schema.table>/ (the whole bucket and the whole folder are listed).
#include "writer_services.hpp"

#include <gtest/gtest.h>

#include <set>

namespace {

using namespace swsvc;

constexpr std::size_t max_bytes = std::size_t{10} << 20;  // the writer's default --max-message-bytes

// A producer that sends messages up to 16 MiB (the topic allows as much, see below).
const std::vector<std::pair<std::string, std::string>> big_producer{
    {"message.max.bytes", std::to_string(16 << 20)}, {"batch.size", std::to_string(16 << 20)},
    {"message.timeout.ms", "60000"}};

const std::string good_schema = R"({"type":"record","name":"T","fields":[{"name":"ID","type":"long"}]})";

// A valid schema of exactly `total` bytes (a long doc pads it).
std::string schema_of_size(std::size_t total) {
  const std::string head = R"({"type":"record","name":"BIG","doc":")";
  const std::string tail = R"(","fields":[{"name":"ID","type":"long"}]})";
  return head + std::string(total - head.size() - tail.size(), 'x') + tail;
}

struct case_t {
  std::optional<std::string> key;
  std::optional<std::string> payload;
  std::string reason;  // expected in the dead letter's reason; empty: a catalog object
};

std::vector<case_t> cases() {
  std::vector<case_t> c;
  c.push_back({"DB1.HR.GOOD", good_schema, ""});
  c.push_back({"DB1.HR.T1", R"({"type":"record","name":"X","fields":[)", "invalid Avro schema"});  // invalid JSON
  c.push_back({"DB1.HR.T2", "not json at all", "invalid Avro schema"});
  c.push_back({"DB1.HR.T3", R"({"hello":"world"})", "invalid Avro schema"});  // JSON, not Avro
  c.push_back({"DB1.HR.T4", R"([1,2,3])", "invalid Avro schema"});
  c.push_back({"DB1.HR.T5",
               R"({"type":"record","name":"D","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]})",
               "invalid Avro schema"});  // duplicate fields
  c.push_back({"DB1.HR.T6", R"({"type":"record","name":"1bad","fields":[]})", "invalid Avro schema"});  // bad name
  c.push_back({"DB1.HR.T7", R"({"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]})",
               "invalid Avro schema"});  // bad field name
  c.push_back({"DB1.HR.T8", R"({"type":"record","name":"R","fields":[{"name":"a","type":"Undefined"}]})",
               "invalid Avro schema"});  // undefined reference
  c.push_back({std::nullopt, good_schema, "no key"});                   // null key
  c.push_back({"DB1.HR.TOMB", std::nullopt, "no payload"});              // tombstone
  c.push_back({std::nullopt, std::nullopt, "no payload"});               // null key and value
  c.push_back({"DB1.HR.U1", std::string("{\"type\":\"string\",\"doc\":\"\xff\xfe\"}"), "payload is not valid UTF-8"});
  c.push_back({std::string("DB1.HR.\xc3\x28"), good_schema, "key is not valid UTF-8"});
  c.push_back({"ONLYONEPART", good_schema, "key"});                      // wrong shapes
  c.push_back({"A.B.C.D", good_schema, "key"});
  c.push_back({"A..B", good_schema, "key"});
  c.push_back({".A.B", good_schema, "key"});
  c.push_back({"DB1.HR.", good_schema, "key"});
  c.push_back({"DB1.HR.T 9", good_schema, "key"});
  c.push_back({"../../etc.passwd.x", good_schema, "key"});              // escapes
  c.push_back({"DB1/../../X.Y.Z", good_schema, "key"});
  c.push_back({"DB1.HR.T/../../../ESC", good_schema, "key"});
  c.push_back({"..", good_schema, "key"});
  c.push_back({"/ABS.HR.T", good_schema, "key"});
  c.push_back({"DB1.HR.T\\..\\X", good_schema, "key"});
  c.push_back({std::string("DB1.HR.T\nX"), good_schema, "key"});        // control characters
  c.push_back({std::string("DB1.HR.T\x01"), good_schema, "key"});
  c.push_back({std::string("DB1.HR.T\x7f"), good_schema, "key"});
  c.push_back({"DB1.HR.%2E%2E", good_schema, "key"});
  c.push_back({std::string("DB1.HR.\xc3\xa9T"), good_schema, "key"});    // non-ASCII
  // Sizes: key + payload exactly at the maximum is accepted, one byte more is too large.
  c.push_back({"DB1.HR.BIG", schema_of_size(max_bytes - std::string("DB1.HR.BIG").size()), ""});
  c.push_back({"DB1.HR.HUGE", schema_of_size(max_bytes - std::string("DB1.HR.HUGE").size() + 1), "too large"});
  c.push_back({"DB1.HR.LAST", good_schema, ""});  // the batch goes on after all of that
  return c;
}

class BadInput : public writer_services {};

// Every key in `keys` lies under <root>/catalog/<allowed table>/, <root>/checkpoint/ or
// <root>/dead-letters/, and no key has a `..` segment or a control character.
void expect_contained(const std::vector<std::string>& keys, const std::string& root,
                      const std::set<std::string>& tables) {
  for (const auto& k : keys) {
    EXPECT_EQ(k.find(".."), std::string::npos) << k;
    EXPECT_TRUE(std::none_of(k.begin(), k.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; })) << k;
    const bool state = k.rfind(root + "/checkpoint/", 0) == 0 || k.rfind(root + "/dead-letters/", 0) == 0;
    bool catalog = false;
    const std::string cat = root + "/catalog/";
    if (k.rfind(cat, 0) == 0) {
      const std::string rest = k.substr(cat.size());
      const auto slash = rest.find('/');
      catalog = slash != std::string::npos && tables.contains(rest.substr(0, slash)) &&
                rest.find('/', slash + 1) == std::string::npos && rest.ends_with(".avsc");
    }
    EXPECT_TRUE(state || catalog) << "written outside <prefix>/<db.schema.table>/ and the state: " << k;
  }
}

TEST_F(BadInput, EveryBadMessageIsADeadLetterWithItsReasonAndNothingEscapesThePrefix) {
  ASSERT_EQ(sluice::test::create_topic(svc_.kafka_bootstrap, topic_, 1, {{"max.message.bytes", std::to_string(16 << 20)}}), "");
  const auto cs = cases();
  std::vector<sluice::test::test_message> msgs;
  std::set<std::size_t> bad;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    msgs.push_back({0, cs[i].key, cs[i].payload});
    if (!cs[i].reason.empty()) bad.insert(i);
  }
  ASSERT_EQ(sluice::test::produce(svc_.kafka_bootstrap, topic_, msgs, big_producer), "");

  scratch_dir d;
  const std::set<std::string> tables{"db1.hr.good", "db1.hr.big", "db1.hr.last"};

  // S3 sink, small batches so bad messages sit in batches between good ones.
  const auto progress_file = d / "progress.jsonl";
  const auto r = writer(args(sluice::test::unique_name("bad"), "p",
                             {"--once", "--max-records-per-batch", "7", "--progress", "file:" + progress_file.string()}),
                        credentials());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const auto dead = parse_dead_letters(objects("p", "dead-letters"));
  std::map<std::int64_t, const dead_letter*> by_offset;
  for (const auto& dl : dead) {
    EXPECT_EQ(dl.partition, 0);
    EXPECT_TRUE(by_offset.emplace(dl.offset, &dl).second) << "two dead letters for offset " << dl.offset;
  }
  EXPECT_EQ(dead.size(), bad.size());
  for (const std::size_t i : bad) {
    const auto it = by_offset.find(static_cast<std::int64_t>(i));
    ASSERT_NE(it, by_offset.end()) << "no dead letter for message " << i << " (" << cs[i].reason << ")";
    EXPECT_NE(it->second->reason.find(cs[i].reason), std::string::npos)
        << "message " << i << ": reason '" << it->second->reason << "', expected '" << cs[i].reason << "'";
    if (cs[i].key && cs[i].reason != "key is not valid UTF-8") {
      EXPECT_EQ(it->second->key, cs[i].key) << "message " << i << ": the dead letter keeps the raw key";
    }
  }
  // The too-large message's dead letter keeps its bytes (never vanishes).
  EXPECT_GT(by_offset.at(static_cast<std::int64_t>(cs.size() - 2))->line_bytes, max_bytes);

  // The catalog: one object per good table (the big one with its 10 MiB), nothing else.
  const auto cat = objects("p", "catalog");
  std::set<std::string> got_tables;
  for (const auto& [k, v] : cat) got_tables.insert(k.substr(0, k.find('/')));
  EXPECT_EQ(got_tables, tables);
  EXPECT_EQ(cat.size(), 3u);
  for (const auto& [k, v] : cat) {
    if (k.rfind("db1.hr.big/", 0) == 0) {
      EXPECT_GT(v.size(), max_bytes - 100) << k;
    }
  }

  // Progress: every message counted once, every dead letter counted as a reject.
  const auto totals = sum_progress(read_file(progress_file));
  EXPECT_EQ(totals.input_rows, static_cast<std::int64_t>(cs.size()));
  EXPECT_EQ(totals.rejects, static_cast<std::int64_t>(bad.size()));
  EXPECT_GE(totals.records, static_cast<std::int64_t>((cs.size() + 6) / 7));
  expect_log_tiles(log("p"), {static_cast<std::int64_t>(cs.size())});

  // The whole bucket: nothing outside the prefix's catalog tables and the state folders.
  const auto all = sluice_s3_it::keys_under(*s3_, bucket_, "");
  ASSERT_FALSE(all.empty());
  expect_contained(all, "p", tables);

  // The same topic into a folder: the whole tree is contained likewise.
  const auto root = d / "out";
  const auto rf = writer({"--source", "kafka://" + svc_.kafka_bootstrap + "/" + topic_, "--group-id",
                          sluice::test::unique_name("badf"), "--sink", "file:" + (root / "catalog").string(),
                          "--checkpoint", "file:" + (root / "checkpoint").string(), "--once",
                          "--max-records-per-batch", "5"});
  ASSERT_EQ(rf.exit_code, 0) << rf.err;
  std::vector<std::string> files;
  for (const auto& e : fsys::recursive_directory_iterator(d.path())) {
    const auto rel = e.path().lexically_relative(d.path()).string();
    if (e.is_regular_file() && rel != "progress.jsonl") files.push_back(rel);
  }
  expect_contained(files, "out", tables);
  std::set<std::string> file_tables;
  for (const auto& e : fsys::directory_iterator(root / "catalog")) file_tables.insert(e.path().filename().string());
  EXPECT_EQ(file_tables, tables);
  // The folder run's dead letters equal the S3 run's, reason for reason.
  std::map<std::string, std::string> dl_files;
  for (auto& [k, v] : tree(root / "dead-letters")) dl_files[k] = v;
  const auto fdead = parse_dead_letters(dl_files);
  ASSERT_EQ(fdead.size(), dead.size());
  for (const auto& dl : fdead) EXPECT_EQ(dl.reason, by_offset.at(dl.offset)->reason) << dl.offset;
}

// A lower --max-message-bytes applies: the 10 MiB message is then too large as well.
TEST_F(BadInput, MaxMessageBytesIsConfigurable) {
  ASSERT_EQ(sluice::test::create_topic(svc_.kafka_bootstrap, topic_, 1), "");
  const std::string small = good_schema;
  const std::string bigger = schema_of_size(1000);
  ASSERT_EQ(sluice::test::produce(svc_.kafka_bootstrap, topic_, {{0, "DB1.HR.A", small}, {0, "DB1.HR.B", bigger}}), "");
  scratch_dir d;
  const auto r = writer(args(sluice::test::unique_name("max"), "m", {"--once", "--max-message-bytes", "500"}),
                        credentials());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto dead = parse_dead_letters(objects("m", "dead-letters"));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].offset, 1);
  EXPECT_NE(dead[0].reason.find("too large: the message has 1008 bytes (key and payload), more than the maximum of 500"),
            std::string::npos)
      << dead[0].reason;
  const auto cat = objects("m", "catalog");
  ASSERT_EQ(cat.size(), 1u);
  EXPECT_EQ(cat.begin()->first.substr(0, 9), "db1.hr.a/");
  // A bad value is a usage error.
  EXPECT_EQ(writer(args("g", "m", {"--once", "--max-message-bytes", "0"}), credentials()).exit_code, 2);
}

}  // namespace
