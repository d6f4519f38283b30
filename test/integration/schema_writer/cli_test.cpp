// SPDX-License-Identifier: Apache-2.0
// sluice-schema-writer end to end on the sample schema topic: the exact catalog (fingerprints
// from Java Avro, contents from sluice-avro preprocess plus independent checks), the dead
// letters, reruns, environment variables, exit codes, the `batches` command and signals.
#include "harness.hpp"

#include <simdjson.h>

#include <gtest/gtest.h>

#include <csignal>
#include <set>

namespace {

using namespace swtest;

// What must happen to each message of the sample, by offset: decided by reading the sample and
// docs/architecture.md §2, independently of the code under test.
enum class fate { write, filter, reject };
struct expectation {
  fate what;
  const char* detail;  // write: the normalized table; reject: a phrase of the reason
};

const std::map<std::int64_t, expectation>& sample_fates() {
  static const std::map<std::int64_t, expectation> m = {
      {0, {fate::write, "orclpdb1.hr.accounts"}},
      {1, {fate::reject, "no payload"}},
      {2, {fate::filter, ""}},  // the envelope without a key: by its full name
      {3, {fate::write, "hrpdb.hr.items"}},
      {4, {fate::filter, ""}},  // key generic_wrapper
      {5, {fate::write, "orclpdb1.fin.payments"}},
      {6, {fate::write, "salespdb.app_owner.accounts"}},
      {7, {fate::write, "hrpdb.hr.items"}},
      {8, {fate::reject, "control character U+0001"}},
      {9, {fate::filter, ""}},  // key oracle.goldengate.generic_wrapper
      {10, {fate::write, "orclpdb1.ggadmin.employees"}},
      {11, {fate::reject, "path separator"}},
      {12, {fate::write, "hrpdb.app_owner.payments"}},
      {13, {fate::reject, "'..'"}},
      {14, {fate::write, "gg.ggadmin.gg_heartbeat"}},
      {15, {fate::write, "orclpdb1.app_owner.accounts"}},
      {16, {fate::write, "salespdb.app_owner.accounts"}},
      {17, {fate::write, "salespdb.app_owner.accounts"}},
      {18, {fate::write, "orclpdb1.fin.payments"}},
      {19, {fate::write, "hrpdb.hr.items"}},
      {20, {fate::write, "salespdb.app_owner.accounts"}},
      {21, {fate::reject, "1 part"}},
      {22, {fate::write, "salespdb.ggadmin.items_7"}},
      {23, {fate::reject, "invalid Avro schema: $.fields[1]"}},  // duplicate field A
      {24, {fate::write, "hrpdb.app_owner.payments"}},
      {25, {fate::write, "salespdb.ggadmin.items_7"}},
      {26, {fate::reject, "invalid Avro schema: $"}},  // truncated JSON
      {27, {fate::write, "orclpdb1.hr.accounts"}},
      {28, {fate::write, "orclpdb1.app_owner.accounts"}},
      {29, {fate::write, "orclpdb1.ggadmin.employees"}},
      {30, {fate::write, "orclpdb1.hr.accounts"}},
      {31, {fate::reject, "invalid Avro schema: $.type"}},  // "recordz"
      {32, {fate::write, "salespdb.ggadmin.items_7"}},
      {33, {fate::write, "orclpdb1.ggadmin.employees"}},
      {34, {fate::write, "orclpdb1.app_owner.accounts"}},
      {35, {fate::write, "orclpdb1.fin.payments"}},
      {36, {fate::write, "gg.ggadmin.gg_heartbeat"}},
      {37, {fate::reject, "5 parts"}},
      {38, {fate::write, "orclpdb1.app_owner.accounts"}},
      {39, {fate::write, "orclpdb1.fin.payments"}},
      {40, {fate::write, "orclpdb1.fin.payments"}},
  };
  return m;
}

// The expected catalog: key → the payloads (offsets) that map to it.
struct expected_catalog {
  std::map<std::string, std::vector<std::int64_t>> files;
  std::vector<message> messages;
};

const expected_catalog& expected() {
  static const expected_catalog e = [] {
    expected_catalog c;
    c.messages = read_kcat(sample_file);
    std::vector<std::string> payloads;
    for (const auto& m : c.messages) payloads.push_back(m.payload.value_or(""));
    const auto fps = java_fingerprints(payloads);
    for (const auto& m : c.messages) {
      const auto& f = sample_fates().at(m.offset);
      if (f.what != fate::write) continue;
      const auto& fp = fps.at(static_cast<std::size_t>(m.offset));
      if (fp.empty()) throw std::runtime_error("Java rejects a schema the test expects written");
      c.files[std::string(f.detail) + "/" + fp + ".avsc"].push_back(m.offset);
    }
    return c;
  }();
  return e;
}

struct locations {
  fsys::path sink, checkpoint, dead;
  std::vector<std::string> args() const {
    return {"--source", "file:" + sample_file.string(), "--sink", "file:" + sink.string(),
            "--checkpoint", "file:" + checkpoint.string(), "--dead-letters",
            "file:" + dead.string()};
  }
};

locations in(const scratch_dir& d) {
  return {d / "catalog", d / "checkpoint", d / "dead-letters"};
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Parsed dead-letter lines of a directory, without the time fields, by offset.
std::map<std::int64_t, std::map<std::string, std::string>> dead_letters(const fsys::path& dir) {
  std::map<std::int64_t, std::map<std::string, std::string>> out;
  simdjson::dom::parser parser;
  for (const auto& [name, text] : tree(dir)) {
    for (const auto& line : lines_of(text)) {
      if (line.empty()) continue;
      simdjson::dom::object obj;
      EXPECT_EQ(parser.parse(line).get(obj), simdjson::SUCCESS) << line;
      std::map<std::string, std::string> fields;
      for (auto [k, v] : obj) {
        if (k == "time" || k == "time_ms") continue;
        fields[std::string(k)] = simdjson::minify(v);
      }
      const auto offset = std::int64_t(obj["offset"]);
      EXPECT_FALSE(out.contains(offset)) << "offset " << offset << " dead-lettered twice";
      out[offset] = std::move(fields);
    }
  }
  return out;
}

// `s` as simdjson prints a JSON string holding it (the form `dead_letters` compares).
std::string as_json(const std::string& s) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(json_quote(s)).get(e), simdjson::SUCCESS);
  return simdjson::minify(e);
}

// Checks a preprocessed schema independently of the preprocessor: valid JSON, every field name
// without upper case (when lowercasing), every decimal with precision ≤ 38 and scale ≤ precision.
void check_preprocessed(simdjson::dom::element e, bool lowercase, int& decimals) {
  if (e.is_array()) {
    for (auto x : e.get_array()) check_preprocessed(x, lowercase, decimals);
    return;
  }
  if (!e.is_object()) return;
  auto obj = e.get_object();
  std::string_view lt;
  if (obj["logicalType"].get(lt) == simdjson::SUCCESS && lt == "decimal") {
    ++decimals;
    const auto p = std::int64_t(obj["precision"]);
    std::int64_t s = 0;
    if (obj["scale"].get(s) != simdjson::SUCCESS) s = 0;
    EXPECT_LE(p, 38);
    EXPECT_LE(s, p);
  }
  simdjson::dom::array fields;
  if (obj["fields"].get(fields) == simdjson::SUCCESS) {
    for (auto f : fields) {
      const std::string_view name = f["name"];
      if (lowercase) {
        for (const char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << "field " << name;
      }
      check_preprocessed(f["type"], lowercase, decimals);
    }
  }
  for (const char* child : {"type", "items", "values"}) {
    simdjson::dom::element x;
    if (obj[child].get(x) == simdjson::SUCCESS) check_preprocessed(x, lowercase, decimals);
  }
}

}  // namespace

TEST(SchemaWriterCli, SampleGivesExactlyTheExpectedCatalogWithJavaFingerprints) {
  scratch_dir d;
  const auto loc = in(d);
  const auto r = writer(with(loc.args(), {"--once"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto files = tree(loc.sink);
  std::set<std::string> got;
  for (const auto& [k, v] : files) got.insert(k);
  std::set<std::string> want;
  for (const auto& [k, v] : expected().files) want.insert(k);
  EXPECT_EQ(got, want);
  EXPECT_EQ(want.size(), 16u);  // 9 tables; resends of the same schema share one file
  // The human log and the progress record of the one batch.
  EXPECT_NE(r.err.find("batch 0: 41 messages"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("16 written"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 filtered"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("9 dead letters"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("{\"batchId\":0,"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"numInputRows\":41,\"numOutputRows\":16,\"rejects\":9"),
            std::string::npos)
      << r.err;
}

TEST(SchemaWriterCli, CatalogFilesHoldThePreprocessedSchemas) {
  scratch_dir d;
  const auto loc = in(d);
  ASSERT_EQ(writer(with(loc.args(), {"--once"})).exit_code, 0);
  const auto& e = expected();
  std::vector<std::string> payloads;
  for (const auto& m : e.messages) payloads.push_back(m.payload.value_or(""));
  const auto pre = cli_preprocess(payloads);
  simdjson::dom::parser parser;
  int decimals = 0;
  for (const auto& [key, offsets] : e.files) {
    const std::string bytes = read_file(loc.sink / key);
    for (const auto off : offsets) {
      EXPECT_EQ(bytes, pre.at(static_cast<std::size_t>(off))) << key << " vs offset " << off;
    }
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(bytes).get(doc), simdjson::SUCCESS) << key;
    check_preprocessed(doc, true, decimals);
    // Same structure as the raw schema: the same fields in the same order, only lowercased.
    simdjson::dom::parser raw_parser;
    simdjson::dom::element raw;
    const auto& payload = *e.messages.at(static_cast<std::size_t>(offsets.front())).payload;
    ASSERT_EQ(raw_parser.parse(payload).get(raw), simdjson::SUCCESS);
    std::string_view raw_name = raw["name"];
    std::string_view name = doc["name"];
    EXPECT_EQ(name, raw_name);  // type names are not field names: kept
    auto raw_fields = raw["fields"].get_array();
    auto fields = doc["fields"].get_array();
    ASSERT_EQ(raw_fields.size(), fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::string want(std::string_view(raw_fields.at(i)["name"]));
      for (auto& c : want) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(std::string_view(fields.at(i)["name"]), want);
    }
  }
  EXPECT_GT(decimals, 0);  // the sample has decimals, some with precision > 38
}

TEST(SchemaWriterCli, NoLowercaseNamesKeepsFieldNames) {
  scratch_dir d;
  const auto loc = in(d);
  const auto r = writer(with(loc.args(), {"--once", "--no-lowercase-names"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto& e = expected();
  std::vector<std::string> payloads;
  for (const auto& m : e.messages) payloads.push_back(m.payload.value_or(""));
  const auto pre = cli_preprocess(payloads, false);
  simdjson::dom::parser parser;
  int decimals = 0;
  bool saw_upper = false;
  for (const auto& [key, offsets] : e.files) {
    const std::string bytes = read_file(loc.sink / key);  // same names: fingerprints are raw
    EXPECT_EQ(bytes, pre.at(static_cast<std::size_t>(offsets.front()))) << key;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(bytes).get(doc), simdjson::SUCCESS);
    check_preprocessed(doc, false, decimals);
    saw_upper = saw_upper || bytes.find("\"name\":\"SCORE\"") != std::string::npos ||
                bytes.find("_isMissing") != std::string::npos;
  }
  EXPECT_TRUE(saw_upper);
  EXPECT_EQ(tree(loc.sink).size(), e.files.size());
}

TEST(SchemaWriterCli, MalformedMessagesBecomeDeadLettersWithTheirReasons) {
  scratch_dir d;
  const auto loc = in(d);
  ASSERT_EQ(writer(with(loc.args(), {"--once"})).exit_code, 0);
  const auto letters = dead_letters(loc.dead);
  std::set<std::int64_t> want;
  for (const auto& [off, f] : sample_fates()) {
    if (f.what == fate::reject) want.insert(off);
  }
  std::set<std::int64_t> got;
  for (const auto& [off, fields] : letters) got.insert(off);
  EXPECT_EQ(got, want);
  const auto& msgs = expected().messages;
  for (const auto& [off, fields] : letters) {
    const auto& m = msgs.at(static_cast<std::size_t>(off));
    const std::string reason = fields.at("reason");
    EXPECT_NE(reason.find(sample_fates().at(off).detail), std::string::npos)
        << "offset " << off << ": " << reason;
    EXPECT_EQ(fields.at("topic"), "\"gg-schemas\"");
    EXPECT_EQ(fields.at("partition"), "0");
    // Key and payload are the raw bytes (all UTF-8 in the sample), null when absent.
    EXPECT_EQ(fields.at("key"), m.key ? as_json(*m.key) : "null");
    EXPECT_EQ(fields.at("payload"), m.payload ? as_json(*m.payload) : "null");
  }
}

TEST(SchemaWriterCli, SecondRunWritesNothingNewAndLogsNoBatchTwice) {
  scratch_dir d;
  const auto loc = in(d);
  const auto args = with(loc.args(), {"--once", "--max-records-per-batch", "7"});
  const auto first = writer(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto sink_before = identities(loc.sink);
  const auto dead_before = identities(loc.dead);
  const auto log_before = identities(loc.checkpoint / "completed-batches");
  ASSERT_EQ(sink_before.size(), 16u + 9u);  // files and table directories
  const auto second = writer(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(identities(loc.sink), sink_before);
  EXPECT_EQ(identities(loc.dead), dead_before);
  EXPECT_EQ(identities(loc.checkpoint / "completed-batches"), log_before);
  EXPECT_EQ(second.err.find("batchId"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("done: 0 batches"), std::string::npos) << second.err;

  // The log: one record per batch, ids 0..5 (41 offsets by 7), each once.
  const auto b = writer(with({"batches"}, {"--checkpoint", "file:" + loc.checkpoint.string()}));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto lines = lines_of(b.out);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  ASSERT_EQ(lines.size(), 6u) << b.out;
  simdjson::dom::parser parser;
  std::int64_t next_from = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    simdjson::dom::element rec;
    ASSERT_EQ(parser.parse(lines[i]).get(rec), simdjson::SUCCESS);
    EXPECT_EQ(std::int64_t(rec["batch_id"]), static_cast<std::int64_t>(i));
    EXPECT_EQ(std::string_view(rec["app"]), "sluice-schema-writer");
    EXPECT_EQ(std::string_view(rec["stream_name"]), "default");
    auto ranges = rec["ranges"].get_array();
    ASSERT_EQ(ranges.size(), 1u);
    EXPECT_EQ(std::int64_t(ranges.at(0)["from"]), next_from);
    next_from = std::int64_t(ranges.at(0)["to"]);
    EXPECT_LE(next_from - std::int64_t(ranges.at(0)["from"]), 7);
  }
  EXPECT_EQ(next_from, 41);
}

TEST(SchemaWriterCli, ReplayAfterLosingTheCheckpointCommitIsRecognizedByTheLog) {
  // A crash after the completed-batches log was written but before the checkpoint commit: the
  // restart replays the batch; the log says it is done, so nothing is written again.
  scratch_dir d;
  const auto loc = in(d);
  const auto args = with(loc.args(), {"--once", "--max-records-per-batch", "50"});
  ASSERT_EQ(writer(args).exit_code, 0);
  const auto sink_before = identities(loc.sink);
  const auto dead_before = identities(loc.dead);
  const auto log_before = tree(loc.checkpoint / "completed-batches");
  ASSERT_TRUE(fsys::remove(loc.checkpoint / "commit.json"));  // plan.json stays: pending again
  const auto r = writer(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("batch 0 (replayed)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"skippedWrite\":true"), std::string::npos) << r.err;
  EXPECT_EQ(identities(loc.sink), sink_before);
  EXPECT_EQ(identities(loc.dead), dead_before);
  EXPECT_EQ(tree(loc.checkpoint / "completed-batches"), log_before);
}

TEST(SchemaWriterCli, EveryOptionWorksAsEnvironmentVariableAndFlagsBeatThem) {
  scratch_dir d;
  const env_list env = {{"SLUICE_SOURCE", "file:" + sample_file.string()},
                        {"SLUICE_SINK", "file:" + (d / "env-catalog").string()},
                        {"SLUICE_CHECKPOINT", "file:" + (d / "env-ckpt").string()},
                        {"SLUICE_DEAD_LETTERS", "file:" + (d / "env-dead").string()},
                        {"SLUICE_ONCE", "true"},
                        {"SLUICE_LOWERCASE_NAMES", "false"},
                        {"SLUICE_MAX_RECORDS_PER_BATCH", "20"},
                        {"SLUICE_TRIGGER_INTERVAL", "10ms"},
                        {"SLUICE_APP", "env-app"},
                        {"SLUICE_STREAM_NAME", "env-stream"},
                        {"SLUICE_PROGRESS", "file:" + (d / "progress.jsonl").string()}};
  const auto r = writer({}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(tree(d / "env-catalog").size(), 16u);
  EXPECT_EQ(dead_letters(d / "env-dead").size(), 9u);
  EXPECT_EQ(r.err.find("{\"batchId\""), std::string::npos);  // progress went to the file
  const auto progress = lines_of(read_file(d / "progress.jsonl"));
  ASSERT_GE(progress.size(), 3u);
  EXPECT_EQ(progress[0].rfind("{\"batchId\":0,", 0), 0u);
  EXPECT_EQ(progress[2].rfind("{\"batchId\":2,", 0), 0u);  // 41 offsets by 20: 3 batches
  bool app_dir = false;
  for (const auto& [k, v] : tree(d / "env-ckpt" / "completed-batches")) {
    app_dir = app_dir || k.find("/env-app/env-stream/batch-2.json") != std::string::npos;
  }
  EXPECT_TRUE(app_dir);
  // SLUICE_LOWERCASE_NAMES=false: upper-case field names survive.
  bool upper = false;
  for (const auto& [k, v] : tree(d / "env-catalog")) upper = upper || v.find("_isMissing") != std::string::npos;
  EXPECT_TRUE(upper);

  // Flags beat variables: --sink and --checkpoint win over SLUICE_SINK and SLUICE_CHECKPOINT,
  // --lowercase-names over SLUICE_LOWERCASE_NAMES=false.
  scratch_dir d2;
  env_list env2;
  for (const auto& [k, v] : env) {
    if (k == "SLUICE_CHECKPOINT") env2.push_back({k, "file:" + (d2 / "ignored").string()});
    else if (k == "SLUICE_DEAD_LETTERS") env2.push_back({k, "file:" + (d2 / "dead").string()});
    else if (k == "SLUICE_PROGRESS") env2.push_back({k, "stderr"});
    else env2.push_back({k, v});
  }
  const auto r2 = writer({"--sink", "file:" + (d2 / "flag-catalog").string(), "--checkpoint",
                          "file:" + (d2 / "ckpt").string(), "--lowercase-names"},
                         env2);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const auto flagged = tree(d2 / "flag-catalog");
  EXPECT_EQ(flagged.size(), 16u);
  for (const auto& [k, v] : flagged) EXPECT_EQ(v.find("_isMissing"), std::string::npos) << k;
  EXPECT_FALSE(fsys::exists(d2 / "ignored"));
  EXPECT_EQ(dead_letters(d2 / "dead").size(), 9u);
  EXPECT_NE(r2.err.find("{\"batchId\":2,"), std::string::npos);  // SLUICE_PROGRESS=stderr
}

TEST(SchemaWriterCli, TheEventEtlsOptionNamesWorkAndAnIgnoredVariableIsNoted) {
  scratch_dir d;
  const auto loc = in(d);
  const auto r = writer({"--source", "file:" + sample_file.string(), "--once", "--sink", "file:" + loc.sink.string(),
                         "--checkpoint-location", "file:" + loc.checkpoint.string(),
                         "--kafka-max-offsets-per-trigger", "20"},
                        {{"SLUICE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("sluice-schema-writer: note: SLUICE_KAFKA_BOOTSTRAP_SERVERS is ignored: --source names "
                       "the source\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("at most 20 per batch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("done: 3 batches"), std::string::npos) << r.err;
  EXPECT_TRUE(fsys::exists(loc.checkpoint / "commit.json"));
  EXPECT_EQ(tree(loc.sink).size(), 16u);
  EXPECT_EQ(dead_letters(loc.dead).size(), 9u);  // beside the checkpoint
}

TEST(SchemaWriterCli, ExitCodesForUsageConfigurationAndFatalErrors) {
  scratch_dir d;
  const auto loc = in(d);
  struct bad {
    std::vector<std::string> args;
    env_list env;
    const char* message;
  };
  const std::vector<bad> usage = {
      {{"--frobnicate"}, {}, "unknown option '--frobnicate'"},
      {{"--max-records-per-batch", "ten"}, {}, "expected a whole number"},
      {{"--max-records-per-batch", "0"}, {}, "expected a whole number"},
      {{"--max-records-per-batch"}, {}, "needs a value"},
      {{}, {{"SLUICE_MAX_RECORDS_PER_BATCH", "-3"}}, "SLUICE_MAX_RECORDS_PER_BATCH"},
      {{"--trigger-interval", "5 parsecs"}, {}, "expected a duration"},
      {{"--sink", "kafka://broker:9092/t"}, {}, "'kafka:' is not supported here"},
      {{}, {{"SLUICE_SOURCE", "s3://bucket/gg-schemas"}}, "'s3:' is not supported here"},
      {{"--once=yes"}, {}, "takes no value"},
      {{}, {{"SLUICE_ONCE", "maybe"}}, "SLUICE_ONCE"},
      {{"--app", "../etc"}, {}, "--app"},
      {{"frobnicate"}, {}, "unknown command"},
      {{"batches", "--since", "2025-08"}, {}, "YYYYMM"},
      {{"--since", "202508"}, {}, "'batches' command only"},
      {{"--source", "file:" + (d / "missing.jsonl").string()}, {}, "not a readable file"},
  };
  // Run in the scratch directory, so the default locations would land there.
  for (const auto& b : usage) {
    const auto r = writer(b.args, b.env, d.path());
    EXPECT_EQ(r.exit_code, 2) << b.message << "\n" << r.err;
    EXPECT_NE(r.err.find(b.message), std::string::npos) << r.err;
  }
  EXPECT_TRUE(fsys::is_empty(d.path()));  // a usage error touches nothing

  // Fatal: the sink's root is a file, so no catalog file can be written.
  write_file(d / "not-a-dir", "x");
  const auto fatal = writer({"--source", "file:" + sample_file.string(), "--once", "--sink",
                             "file:" + (d / "not-a-dir").string(), "--checkpoint",
                             "file:" + loc.checkpoint.string()});
  EXPECT_EQ(fatal.exit_code, 1) << fatal.err;
  EXPECT_NE(fatal.err.find("fatal:"), std::string::npos) << fatal.err;
  // Nothing was committed: the plan is pending for a replay.
  EXPECT_TRUE(fsys::exists(loc.checkpoint / "plan.json"));
  EXPECT_FALSE(fsys::exists(loc.checkpoint / "commit.json"));

  const auto help = writer({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: sluice-schema-writer"), std::string::npos);
  for (const char* var : {"SLUICE_SOURCE", "SLUICE_SINK", "SLUICE_CHECKPOINT",
                          "SLUICE_DEAD_LETTERS", "SLUICE_ONCE", "SLUICE_LOWERCASE_NAMES",
                          "SLUICE_MAX_RECORDS_PER_BATCH", "SLUICE_TRIGGER_INTERVAL", "SLUICE_APP",
                          "SLUICE_STREAM_NAME", "SLUICE_PROGRESS", "SLUICE_SINCE"}) {
    EXPECT_NE(help.out.find(var), std::string::npos) << var;
  }
  const auto version = writer({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("sluice-schema-writer ", 0), 0u);
}

TEST(SchemaWriterCli, BatchesCommandListsTheLogSinceAMonth) {
  scratch_dir d;
  const auto loc = in(d);
  ASSERT_EQ(writer(with(loc.args(), {"--once", "--max-records-per-batch", "10", "--app", "audit",
                                     "--stream-name", "s1"}))
                .exit_code,
            0);
  const std::vector<std::string> where = {"--checkpoint", "file:" + loc.checkpoint.string(),
                                          "--app", "audit", "--stream-name", "s1"};
  const auto all = writer(with({"batches"}, where));
  ASSERT_EQ(all.exit_code, 0) << all.err;
  auto lines = lines_of(all.out);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  ASSERT_EQ(lines.size(), 5u);  // 41 offsets by 10
  simdjson::dom::parser parser;
  std::int64_t month = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    simdjson::dom::element rec;
    ASSERT_EQ(parser.parse(lines[i]).get(rec), simdjson::SUCCESS) << lines[i];
    EXPECT_EQ(std::int64_t(rec["batch_id"]), static_cast<std::int64_t>(i));
    EXPECT_EQ(std::string_view(rec["app"]), "audit");
    EXPECT_EQ(std::string_view(rec["stream_name"]), "s1");
    std::string_view completed = rec["completed_at"];
    month = std::int64_t(rec["yyyymm"]);
    // yyyymm is the month of completed_at.
    EXPECT_EQ(std::string(completed.substr(0, 4)) + std::string(completed.substr(5, 2)),
              std::to_string(month));
    auto r = rec["ranges"].get_array().at(0);
    EXPECT_EQ(std::string_view(r["topic"]), "gg-schemas");
    EXPECT_EQ(std::int64_t(r["from"]), static_cast<std::int64_t>(i) * 10);
    EXPECT_EQ(std::int64_t(r["to"]), std::min<std::int64_t>(static_cast<std::int64_t>(i) * 10 + 10, 41));
  }
  const auto since_now = writer(with({"batches", "--since", std::to_string(month)}, where));
  EXPECT_EQ(since_now.out, all.out);
  const auto next_month = month % 100 == 12 ? month + 89 : month + 1;
  const auto since_later = writer(with({"batches", "--since", std::to_string(next_month)}, where));
  EXPECT_EQ(since_later.exit_code, 0);
  EXPECT_EQ(since_later.out, "");
  // Another stream in the same log has no batches.
  const auto other = writer({"batches", "--checkpoint", "file:" + loc.checkpoint.string(),
                             "--app", "audit", "--stream-name", "s2"});
  EXPECT_EQ(other.exit_code, 0);
  EXPECT_EQ(other.out, "");
  // SLUICE_SINCE works as well.
  const auto env_since =
      writer(with({"batches"}, where), {{"SLUICE_SINCE", std::to_string(next_month)}});
  EXPECT_EQ(env_since.exit_code, 0);
  EXPECT_EQ(env_since.out, "");
}

TEST(SchemaWriterCli, WithNoArgumentsItRunsTheDemoOnTheBundledSample) {
  scratch_dir d;
  const auto r = writer({}, {}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> got;
  for (const auto& [k, v] : tree(d / "schema-catalog")) got.insert(k);
  std::set<std::string> want;
  for (const auto& [k, v] : expected().files) want.insert(k);
  EXPECT_EQ(got, want);
  EXPECT_TRUE(fsys::exists(d / ".sluice" / "checkpoint" / "commit.json"));
  EXPECT_EQ(dead_letters(d / ".sluice" / "dead-letters").size(), 9u);
  EXPECT_FALSE(tree(d / ".sluice" / "checkpoint" / "completed-batches").empty());
  // The default source is the sample bundled with the binary, equal to the shared test data.
  EXPECT_NE(r.err.find("schema-topic.sample.jsonl"), std::string::npos);
}

TEST(SchemaWriterCli, ContinuousRunStopsCleanlyOnSigterm) {
  scratch_dir d;
  const auto loc = in(d);
  const int err_fd = ::open((d / "stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(err_fd, 0);
  const auto argv = with({writer_exe.string()},
                         with(loc.args(), {"--trigger-interval", "50ms", "--max-records-per-batch",
                                           "20"}));
  const pid_t pid = spawn(argv, {}, {}, -1, -1, err_fd);
  ::close(err_fd);
  // Without --once it keeps polling after the 3 batches; wait for the last commit.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (read_file(d / "stderr.txt").find("\"batchId\":2") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // idle now, still running
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "exited without a stop request";
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  const auto stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  pid_t w = 0;
  while ((w = ::waitpid(pid, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < stop_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (w == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL() << "did not stop within 10 s of SIGTERM";
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const auto err = read_file(d / "stderr.txt");
  EXPECT_NE(err.find("stopped: 3 batches"), std::string::npos) << err;
  EXPECT_EQ(tree(loc.sink).size(), 16u);
}

TEST(SchemaWriterCli, LinesThatAreNotKcatMessagesAreDeadLetteredWithTheRawLine) {
  scratch_dir d;
  const auto loc = in(d);
  std::string input = read_file(sample_file);
  const std::string not_json = "this is not JSON at all";
  const std::string not_utf8 = "{\"topic\": \"gg-schemas\", \"key\": \"\xff\xfe\"}";
  input += not_json + "\n" + not_utf8 + "\n";
  write_file(d / "topic.jsonl", input);
  auto args = loc.args();
  args[1] = "file:" + (d / "topic.jsonl").string();
  const auto r = writer(with(args, {"--once"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(tree(loc.sink).size(), 16u);
  // The 9 of the sample plus the 2 bad lines, which carry the raw line as payload.
  simdjson::dom::parser parser;
  std::vector<std::string> bad_payloads;
  std::size_t total = 0;
  for (const auto& [name, text] : tree(loc.dead)) {
    for (const auto& line : lines_of(text)) {
      if (line.empty()) continue;
      ++total;
      simdjson::dom::object obj;
      ASSERT_EQ(parser.parse(line).get(obj), simdjson::SUCCESS) << line;
      if (std::string_view(obj["topic"]) == "gg-schemas") continue;
      std::string_view reason = obj["reason"];
      EXPECT_NE(reason.find("not a kcat -J message"), std::string::npos) << reason;
      std::string_view payload = obj["payload"];
      std::string_view encoding;
      if (obj["payload_encoding"].get(encoding) == simdjson::SUCCESS) {
        EXPECT_EQ(encoding, "base64");
        std::string expected_b64;
        // Independent base64 of the raw line: RFC 4648 with padding.
        static constexpr char tbl[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::uint32_t acc = 0;
        int bits = 0;
        for (const unsigned char c : not_utf8) {
          acc = (acc << 8) | c;
          bits += 8;
          while (bits >= 6) {
            bits -= 6;
            expected_b64 += tbl[(acc >> bits) & 63];
          }
        }
        if (bits > 0) expected_b64 += tbl[(acc << (6 - bits)) & 63];
        while (expected_b64.size() % 4 != 0) expected_b64 += '=';
        EXPECT_EQ(payload, expected_b64);
        bad_payloads.push_back(not_utf8);
      } else {
        bad_payloads.emplace_back(payload);
      }
    }
  }
  EXPECT_EQ(total, 11u);
  std::sort(bad_payloads.begin(), bad_payloads.end());
  std::vector<std::string> want{not_json, not_utf8};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(bad_payloads, want);
}

#if SLUICE_INSTALL_ENABLED
TEST(SchemaWriterCli, InstalledBinaryFindsTheInstalledSample) {
  scratch_dir d;
  const auto prefix = d / "prefix";
  const auto inst = run({SLUICE_CMAKE_COMMAND, "--install", SLUICE_BINARY_DIR, "--prefix",
                         prefix.string(), "--component", "sluice_schema_writer"});
  ASSERT_EQ(inst.exit_code, 0) << inst.out << inst.err;
  fsys::path exe;
  fsys::path sample;
  for (const auto& e : fsys::recursive_directory_iterator(prefix)) {
    if (e.path().filename() == "sluice-schema-writer") exe = e.path();
    if (e.path().filename() == "schema-topic.sample.jsonl") sample = e.path();
  }
  ASSERT_FALSE(exe.empty());
  ASSERT_FALSE(sample.empty());
  EXPECT_EQ(read_file(sample), read_file(sample_file));  // the bundled copy is the test data
  const auto work = d / "work";
  fsys::create_directories(work);
  const auto r = run({exe.string()}, {}, work);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(sample.lexically_normal().string()), std::string::npos) << r.err;
  EXPECT_EQ(tree(work / "schema-catalog").size(), 16u);
}
#endif

TEST(SchemaWriterCli, AClosedStderrPipeDoesNotStopTheRun) {
  scratch_dir d;
  const auto loc = in(d);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // like `sluice-schema-writer … 2>&1 | head -1` after head exited
  const pid_t pid = spawn(with({writer_exe.string()},
                               with(loc.args(), {"--once", "--max-records-per-batch", "5"})),
                          {}, {}, -1, -1, fds[1]);
  ::close(fds[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(tree(loc.sink).size(), 16u);
  EXPECT_EQ(dead_letters(loc.dead).size(), 9u);
}
