// SPDX-License-Identifier: Apache-2.0
// The sluice-avro binary: output formats and exit codes.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// A temporary file name of this process: CTest runs the tests of this file in parallel processes.
std::string temp_path(const char* name) {
  return testing::TempDir() + "sluice_avro_cli_" + std::to_string(getpid()) + "_" + name;
}

struct run_result {
  int status;
  std::string out;
};

// Runs the CLI with `args`, feeding `input` on stdin (through a temporary file).
run_result run(const std::string& args, const std::string& input, bool with_stderr = false) {
  const std::string in_path = temp_path("in.txt");
  {
    std::ofstream f(in_path, std::ios::binary);
    f << input;
  }
  const std::string cmd = std::string(SLUICE_AVRO_CLI) + " " + args + " < " + in_path + (with_stderr ? " 2>&1" : " 2>/dev/null");
  std::FILE* p = popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = pclose(p);
  std::remove(in_path.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

TEST(SluiceAvroCli, FingerprintPrintsDecimalHexAndCanonical) {
  // Values from avro-oracle for {"type":"record","name":"foo","fields":[]} (also schema-tests 019).
  const auto r = run("fingerprint", R"({"fields":[], "type":"record", "name":"foo"})");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "-4824392279771201922\nbd0c50c84319be7e\n{\"name\":\"foo\",\"type\":\"record\",\"fields\":[]}\n");
}

TEST(SluiceAvroCli, CanonicalAndPreprocessFromAFile) {
  const std::string path = temp_path("schema.avsc");
  {
    std::ofstream f(path, std::ios::binary);
    f << R"({"type":"record","name":"R","fields":[{"name":"ID","type":{"type":"bytes","logicalType":"decimal","precision":40}}]})";
  }
  auto c = run("canonical " + path, "");
  EXPECT_EQ(c.status, 0);
  EXPECT_EQ(c.out, "{\"name\":\"R\",\"type\":\"record\",\"fields\":[{\"name\":\"ID\",\"type\":\"bytes\"}]}\n");
  auto p = run("preprocess " + path, "");
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.out,
            "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"id\",\"type\":{\"type\":\"bytes\","
            "\"logicalType\":\"decimal\",\"precision\":38}}]}\n");
  auto k = run("preprocess --keep-case --max-precision 20 " + path, "");
  EXPECT_EQ(k.status, 0);
  EXPECT_NE(k.out.find("\"name\":\"ID\""), std::string::npos);
  EXPECT_NE(k.out.find("\"precision\":20"), std::string::npos);
  std::remove(path.c_str());
}

TEST(SluiceAvroCli, InvalidSchemaExitsOneWithReasonOnStderr) {
  const auto r = run("fingerprint", R"({"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]})", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "sluice-avro: invalid schema: $.fields[0].type: undefined name 'Nope'\n");
}

TEST(SluiceAvroCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("", "").status, 2);
  EXPECT_EQ(run("frobnicate", "").status, 2);
  EXPECT_EQ(run("fingerprint --bogus", "").status, 2);
  EXPECT_EQ(run("fingerprint /nonexistent/file.avsc", "").status, 2);
  EXPECT_EQ(run("preprocess --max-precision x", "").status, 2);
  const auto h = run("--help", "");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("--jsonl"), std::string::npos);
}

TEST(SluiceAvroCli, JsonlModeOneObjectPerLineErrorsIncluded) {
  const std::string in = "\"\\\"int\\\"\"\n"
                         "\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"Q\\\"}]}\"\r\n"
                         "not json\n"
                         "\n"
                         "\"/* c */ [\\\"null\\\",\\\"string\\\"]\"\n";
  const auto f = run("fingerprint --jsonl", in);
  EXPECT_EQ(f.status, 0);
  // "int" -> 8247732601305521295 (Avro's schema-tests 004); ["null","string"] value from avro-oracle.
  EXPECT_EQ(f.out,
            "{\"fingerprint\":\"8247732601305521295\",\"hex\":\"7275d51a3f395c8f\",\"canonical\":\"\\\"int\\\"\"}\n"
            "{\"error\":\"$.fields[0].type: undefined name 'Q'\"}\n"
            "{\"error\":\"$: input line is not a JSON string\"}\n"
            "{\"error\":\"$: input line is not a JSON string\"}\n"
            "{\"fingerprint\":\"-7474301792809991011\",\"hex\":\"9845f21eb77ec49d\",\"canonical\":\"[\\\"null\\\",\\\"string\\\"]\"}\n");
  const auto c = run("canonical --jsonl", "\"\\\"long\\\"\"\n");
  EXPECT_EQ(c.out, "{\"canonical\":\"\\\"long\\\"\"}\n");
  const auto p = run("preprocess --jsonl", "\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[{\\\"name\\\":\\\"A\\\",\\\"type\\\":\\\"int\\\"}]}\"\n");
  EXPECT_EQ(p.out, "{\"schema\":{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}}\n");
}

}  // namespace
