// SPDX-License-Identifier: Apache-2.0
// detail/fast_path.hpp: the fused single pass must give exactly the exact engine's canonical form
// and full name, or bail. Every input here goes through both (the exact engine is driven directly,
// which is the "force exact" mode), including thousands of mutations of the real samples; and the
// GoldenGate samples must not bail.
#include <sluice/avro/detail/fast_path.hpp>
#include <sluice/avro/detail/schema_engine.hpp>
#include <sluice/avro/schema_parser.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace avro = sluice::avro;
namespace detail = sluice::avro::detail;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The inputs of Avro's schema-tests.txt ("<<INPUT x" lines and "<<INPUT" ... "INPUT" blocks).
std::vector<std::string> vector_inputs() {
  std::istringstream in(slurp(std::string(SLUICE_TESTDATA_DIR) + "/avro/schema-tests.txt"));
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line == "<<INPUT") {
      std::string block, l;
      while (std::getline(in, l) && l != "INPUT") block += l + "\n";
      out.push_back(block);
    } else if (line.rfind("<<INPUT ", 0) == 0) {
      out.push_back(line.substr(8));
    }
  }
  return out;
}

// The GoldenGate samples: the .avsc files and the "payload" strings of the schema-topic dump.
std::vector<std::string> goldengate_inputs() {
  const std::string dir = std::string(SLUICE_TESTDATA_DIR) + "/goldengate/";
  std::vector<std::string> out;
  for (const char* f : {"generic_wrapper.avsc", "gg_table_example.avsc", "gg_table_example_row_formatter.avsc"})
    out.push_back(slurp(dir + f));
  std::istringstream in(slurp(dir + "schema-topic.sample.jsonl"));
  std::string line;
  detail::json_document doc;
  while (std::getline(in, line)) {
    if (line.empty() || !doc.parse(line) || doc[0].kind != detail::jkind::object) continue;
    std::uint32_t c = 1;
    for (std::uint32_t i = 0; i < doc[0].a; ++i) {
      const std::uint32_t v = c + 1;
      if (doc.str(c) == "payload" && doc.is_string(v)) out.emplace_back(doc.str(v));
      c = doc[v].next;
    }
  }
  return out;
}

struct checker {
  detail::fast_analyser fast;
  detail::schema_engine exact;
  std::string exact_out;
  std::size_t handled = 0, bailed = 0;

  // Fast result == exact result, or a bail. Returns true when the fast path handled the input.
  bool check(const std::string& in) {
    const bool ok = fast.run(in);
    const bool exact_ok = !exact.compile(in, nullptr) && !exact.canonical(exact_out);
    if (!ok) {
      ++bailed;
      return false;
    }
    ++handled;
    EXPECT_TRUE(exact_ok) << "fast path accepted what the exact engine rejects: " << in.substr(0, 400);
    if (exact_ok) {
      EXPECT_EQ(fast.canonical(), exact_out) << in.substr(0, 400);
      EXPECT_EQ(fast.root_full_name(), exact.root_full_name()) << in.substr(0, 400);
    }
    return true;
  }
};

// Deterministic single-byte mutations: deletions, duplications and replacements by JSON
// punctuation and letters at positions spread over the text.
void mutate_all(checker& ch, const std::string& in, std::size_t step) {
  static constexpr char repl[] = {'"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'a', '1', '.', '/', 'n', '\x01', '\xC3'};
  for (std::size_t i = 0; i < in.size(); i += step) {
    std::string m = in;
    m.erase(i, 1);
    ch.check(m);
    m = in;
    m.insert(i, 1, in[i]);
    ch.check(m);
    m = in;
    m[i] = repl[i % sizeof repl];
    ch.check(m);
  }
}

TEST(FastPath, GoldenGateSamplesTakeTheFastPathAndMatchTheEngine) {
  checker ch;
  const auto inputs = goldengate_inputs();
  ASSERT_GE(inputs.size(), 10u);
  std::size_t valid = 0;
  for (const auto& in : inputs) {
    detail::schema_engine e;
    if (e.compile(in, nullptr)) continue;  // the dump holds a few invalid payloads on purpose
    ++valid;
    EXPECT_TRUE(ch.check(in)) << "the fast path bailed on a GoldenGate sample: " << in.substr(0, 200);
  }
  EXPECT_GE(valid, 10u);
  EXPECT_EQ(ch.handled, valid);
}

TEST(FastPath, AvroVectorsMatchTheEngineOrBail) {
  checker ch;
  const auto inputs = vector_inputs();
  ASSERT_EQ(inputs.size(), 34u);
  for (const auto& in : inputs) ch.check(in);
  // Most of Avro's vectors are within the subset.
  EXPECT_GE(ch.handled, 20u);
}

TEST(FastPath, MutatedSamplesMatchTheEngineOrBail) {
  checker ch;
  for (const auto& in : vector_inputs()) mutate_all(ch, in, 1);
  const auto gg = goldengate_inputs();
  for (std::size_t k = 0; k < gg.size(); ++k) mutate_all(ch, gg[k], k < 4 ? 3 : 97);
  EXPECT_GT(ch.handled, 1000u);
  EXPECT_GT(ch.bailed, 1000u);
}

TEST(FastPath, EdgeCasesMatchTheEngineOrBail) {
  const std::vector<std::string> cases = {
      R"("int")", R"( "lon\u0067" )", R"("in\u0074")", R"("foo")", R"("")", R"(["null","int"])", R"([])",
      R"(["int","int"])", R"(["null",["int"]])", R"({"type":"\u0069nt"})", R"({"type":"int","type":"long"})",
      R"({"type":"array","items":"int","items":"long"})", R"({"items":"int","type":"array"})",
      R"({"type":"map","values":{"type":"array","items":"bytes"}})",
      R"({"type":"record","name":"R","fields":[]})", R"({"type":"error","name":"R","fields":[]})",
      R"({"name":"R","type":"record","fields":[{"name":"a","type":"int"}]})",
      R"({"type":"record","fields":[],"name":"R"})", R"({"type":"record","name":"R","fields":[],"namespace":"x"})",
      R"({"type":"record","name":"R","namespace":"a.b","fields":[{"name":"s","type":{"type":"record","name":"S","fields":[]}},{"name":"t","type":"S"},{"name":"u","type":"a.b.S"}]})",
      R"({"type":"record","name":"R","namespace":"a..b","fields":[]})",
      R"({"type":"record","name":"R","namespace":"","fields":[]})",
      R"({"type":"record","name":"R","namespace":null,"fields":[]})",
      R"({"type":"record","name":"a.R","fields":[]})", R"({"type":"record","name":"int","fields":[]})",
      R"({"type":"record","name":"array","fields":[]})",
      R"(["null",{"type":"record","name":"array","fields":[]},{"type":"array","items":"int"}])",
      R"({"type":"record","name":"R","fields":[{"name":"r","type":"R"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"r","type":["null","R"]}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"Later"},{"name":"b","type":{"type":"fixed","name":"Later","size":2}}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"R","fields":[]}}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":3000000000}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"long","default":3000000000}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1.0}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"double","default":"1.5"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1e3}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":null}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":["int","null"],"default":null}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":["string","null"],"default":"x"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"int"},"default":{}}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":[ ]}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":{}}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"boolean","default":true}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"boolean","default":null}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","default":1,"type":"int"}]})",
      R"({"type":"record","name":"R","fields":[{"type":"int","name":"a"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"descending"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"1a","type":"int"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"\u00e9t\u00e9","type":"int"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"été","type":"int"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[]},"default":{}}]})",
      R"({"type":"enum","name":"E","symbols":["A","B"]})", R"({"type":"enum","name":"E","symbols":["A","A"]})",
      R"({"type":"enum","name":"E","symbols":["A"],"default":"B"})", R"({"type":"enum","name":"E","symbols":["1"]})",
      R"({"type":"fixed","name":"F","size":16})", R"({"type":"fixed","name":"F","size":-1})",
      R"({"type":"fixed","name":"F","size":2147483640})", R"({"type":"fixed","name":"F","size":1.0})",
      R"({"type":"fixed","name":"F","size":"4"})", R"({"type":"fixed","size":4,"name":"F"})",
      R"({"type":"long","logicalType":"timestamp-micros","doc":"\ud800 lone"})",
      R"({"type":"string","x":{"a":[1,2,{"b":null}],"c":-0.5e-3}})", R"({"type":"string","x":01})",
      R"({"type":"string","x":1.})", R"({"type":"string","x":tru})", R"({"type":"string","x":truex})",
      R"({"type":"string"} x)", "{\"type\":\"string\"}\x01", "{\"type\":\"string\"}\x7f", "/* c */\"int\"",
      "\"int\" // c", "{\"type\":\"str\\u0069ng\",\"doc\":\"\xC3\"}", "{\"type\":\"string\",\"doc\":\"\xC3\xA9\"}",
      "{\"type\":\"string\",\"doc\":\"a\tb\"}", "\xEF\xBB\xBF\"int\"", "\f\"int\"", "", "   ",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","aliases":["b"]}]})",
      R"({"type":"record","name":"R","aliases":["x.Y"],"fields":[]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","name":"b"}]})",
      R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}],"fields":[]})",
  };
  checker ch;
  for (const auto& c : cases) ch.check(c);
  EXPECT_GE(ch.handled, 25u);
  EXPECT_GE(ch.bailed, 40u);
}

TEST(FastPath, NamesKeysAndWhitespaceAroundTheWordAtATimeChecks) {
  // Field names of 1..40 bytes (the 16- and 32-byte steps of the name check), valid and invalid in
  // every position, near the end of the input and far from it, with keys spelled plainly and
  // escaped, and every whitespace Jackson allows between tokens.
  checker ch;
  const std::string seps[] = {"", " ", "\n    ", "\t", "\r\n", " \n\t  \r "};
  std::size_t expected_handled = 0;
  for (std::size_t len = 1; len <= 40; ++len) {
    for (char bad : {'\0', '-', '9', '\xC3'}) {
      for (std::size_t at = 0; at < len; at += (bad == '\0' ? len : 5)) {
        std::string name(len, 'a');
        for (std::size_t i = 0; i < len; ++i) name[i] = "aZ_9x"[i % 5];
        name[0] = 'N';
        if (bad == '\xC3') name.replace(at, 1, "\xC3\xA9");  // é: a letter, valid
        else if (bad != '\0') name[at] = bad;
        const std::string& sp = seps[(len + at) % 6];
        const std::string key = len % 3 == 0 ? "\"n\\u0061me\"" : "\"name\"";
        const std::string text = "{" + sp + "\"type\"" + sp + ":" + sp + "\"record\"," + sp + "\"name\":\"R\"," + sp +
                                 "\"fields\":[{" + key + ":\"" + name + "\"," + sp + "\"type\":\"int\"" + sp + "}]" + sp + "}";
        if (ch.check(text)) ++expected_handled;
        ch.check(text + std::string(40, ' '));
      }
    }
  }
  EXPECT_GT(expected_handled, 60u);
  EXPECT_GT(ch.bailed, 60u);
}

TEST(FastPath, DeepNestingBailsOrMatches) {
  checker ch;
  std::string s;
  for (int i = 0; i < 600; ++i) s += R"({"type":"array","items":)";
  s += R"("int")";
  for (int i = 0; i < 600; ++i) s += '}';
  ch.check(s);
  std::string u = R"({"type":"string","x":)";
  for (int i = 0; i < 1200; ++i) u += '[';
  for (int i = 0; i < 1200; ++i) u += ']';
  u += '}';
  EXPECT_FALSE(ch.check(u));
}

TEST(FastPath, SchemaParserResultsDoNotDependOnThePath) {
  // Through the public API: the fast path's results equal the engine's for the GoldenGate samples.
  avro::schema_parser p;
  detail::schema_engine e;
  std::string pcf;
  for (const auto& in : goldengate_inputs()) {
    if (e.compile(in, nullptr)) continue;
    ASSERT_FALSE(e.canonical(pcf));
    auto a = p.analyse(in);
    ASSERT_TRUE(a);
    EXPECT_EQ(a.value().canonical, pcf);
    EXPECT_EQ(a.value().fingerprint, static_cast<std::int64_t>(avro::crc64_avro(pcf)));
    EXPECT_EQ(a.value().full_name, e.root_full_name());
  }
}

}  // namespace
