// SPDX-License-Identifier: Apache-2.0
// schema_parser.hpp: canonical form, fingerprint and validation against independent oracles:
// Apache Avro's own vectors (schema-tests.txt) and values printed by Java Avro 1.12.2
// (test/tools/avro-oracle, `oracle fingerprint`), recorded below where noted.
#include <sluice/avro/schema_parser.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace avro = sluice::avro;
using sluice::errc;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct vector_case {
  std::string id, input, canonical;
  bool has_fingerprint = false;
  std::int64_t fingerprint = 0;
};

// Reads Avro's schema-tests.txt: "// NNN" headers, "<<INPUT x" or a "<<INPUT" ... "INPUT" block,
// "<<canonical x", "<<fingerprint n".
std::vector<vector_case> read_vectors() {
  std::istringstream in(slurp(std::string(SLUICE_TESTDATA_DIR) + "/avro/schema-tests.txt"));
  std::vector<vector_case> out;
  std::string line;
  vector_case cur;
  auto flush = [&] {
    if (!cur.input.empty()) out.push_back(cur);
    cur = {};
  };
  while (std::getline(in, line)) {
    if (line.rfind("// ", 0) == 0 && line.size() == 6 && std::isdigit(static_cast<unsigned char>(line[3]))) {
      flush();
      cur.id = line.substr(3);
    } else if (line == "<<INPUT") {
      std::string block, l;
      while (std::getline(in, l) && l != "INPUT") block += l + "\n";
      cur.input = block;
    } else if (line.rfind("<<INPUT ", 0) == 0) {
      cur.input = line.substr(8);
    } else if (line.rfind("<<canonical ", 0) == 0) {
      cur.canonical = line.substr(12);
    } else if (line.rfind("<<fingerprint ", 0) == 0) {
      cur.has_fingerprint = true;
      cur.fingerprint = std::stoll(line.substr(14));
    }
  }
  flush();
  return out;
}

TEST(SchemaParser, MatchesEveryAvroSchemaTestsVector) {
  const auto cases = read_vectors();
  ASSERT_EQ(cases.size(), 34u);
  avro::schema_parser p;
  for (const auto& c : cases) {
    avro::parse_error err;
    auto pcf = p.canonical_form(c.input, &err);
    ASSERT_TRUE(pcf) << c.id << ": " << err.to_string();
    EXPECT_EQ(pcf.value(), c.canonical) << c.id;
    if (c.has_fingerprint) {
      auto fp = p.fingerprint(c.input);
      ASSERT_TRUE(fp) << c.id;
      EXPECT_EQ(fp.value(), c.fingerprint) << c.id;
    }
  }
}

TEST(SchemaParser, GoldenGateSamplesMatchJavaFingerprints) {
  // Fingerprints printed by avro-oracle (Java Avro 1.12.2 SchemaNormalization.parsingFingerprint64)
  // for the files in $SLUICE_TESTDATA_DIR/goldengate.
  struct {
    const char* file;
    std::int64_t fp;
    const char* name;
  } const cases[] = {
      {"generic_wrapper.avsc", 6577756254776142981LL, "oracle.goldengate.generic_wrapper"},
      {"gg_table_example.avsc", -6527226719838183920LL, "GG.TCUSTORD"},
      {"gg_table_example_row_formatter.avsc", -4858847009767206142LL, "GG.TCUSTORD"},
  };
  avro::schema_parser p;
  for (const auto& c : cases) {
    const std::string text = slurp(std::string(SLUICE_TESTDATA_DIR) + "/goldengate/" + c.file);
    auto r = p.analyse(text);
    ASSERT_TRUE(r) << c.file;
    EXPECT_EQ(r.value().fingerprint, c.fp) << c.file;
    EXPECT_EQ(r.value().full_name, c.name) << c.file;
    EXPECT_EQ(static_cast<std::int64_t>(avro::crc64_avro(r.value().canonical)), c.fp);
  }
  auto pcf = avro::canonical_form(slurp(std::string(SLUICE_TESTDATA_DIR) + "/goldengate/generic_wrapper.avsc"));
  ASSERT_TRUE(pcf);
  EXPECT_EQ(pcf.value(),
            R"({"name":"oracle.goldengate.generic_wrapper","type":"record","fields":[{"name":"table_name",)"
            R"("type":"string"},{"name":"schema_fingerprint","type":"long"},{"name":"payload","type":"bytes"}]})");
}

struct oracle_case {
  const char* input;
  const char* canonical;
  std::int64_t fingerprint;
};

TEST(SchemaParser, MatchesJavaOnLenientAndTrickyInputs) {
  // Canonical forms and fingerprints printed by avro-oracle for exactly these inputs.
  const oracle_case cases[] = {
      // A forward reference: the named type is printed in full where it first occurs.
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"X"},{"name":"b","type":{"type":"enum","name":"X","symbols":["A"]}}]})",
       R"({"name":"R","type":"record","fields":[{"name":"a","type":{"name":"X","type":"enum","symbols":["A"]}},{"name":"b","type":"X"}]})",
       -6745577841041847685LL},
      // Namespaces: "" resets to the null namespace, dotted names override, ".T" is null-space T,
      // lookups try "<ns>.<name>" first and the bare name second.
      {R"({"type":"record","name":"R","namespace":"n","fields":[{"name":"b","type":{"type":"enum","name":"X","namespace":"","symbols":["A"]}},{"name":"a","type":"X"},{"name":"c","type":{"type":"fixed","name":"m.F","size":2}},{"name":"d","type":{"type":"record","name":"S","fields":[{"name":"f","type":"m.F"},{"name":"g","type":{"type":"record","name":".T","fields":[{"name":"h","type":"n.S"}]}}]}}]})",
       R"({"name":"n.R","type":"record","fields":[{"name":"b","type":{"name":"X","type":"enum","symbols":["A"]}},{"name":"a","type":"X"},{"name":"c","type":{"name":"m.F","type":"fixed","size":2}},{"name":"d","type":{"name":"n.S","type":"record","fields":[{"name":"f","type":"m.F"},{"name":"g","type":{"name":"T","type":"record","fields":[{"name":"h","type":"n.S"}]}}]}}]})",
       -1716908395363453795LL},
      // A comment before the schema; duplicate keys: the last wins.
      {R"(/* GoldenGate */ {"type":"record","name":"R","fields":[],"name":"S"})",
       R"({"name":"S","type":"record","fields":[]})", 8534244169755561753LL},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","type":"string"}]})",
       R"({"name":"R","type":"record","fields":[{"name":"a","type":"string"}]})", -6961096025343866286LL},
      // String defaults of float/double fields go through Double.parseDouble; a union default may
      // match any branch; order is case-insensitive; field aliases are not validated; a lone
      // surrogate in a doc is fine.
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"double","default":"NaN"},{"name":"b","type":"float","default":" 0x1p3d "},{"name":"c","type":["null","int"],"default":5},{"name":"d","type":"int","order":"IGNORE","aliases":["1x"],"doc":"\ud800"}]})",
       R"({"name":"R","type":"record","fields":[{"name":"a","type":"double"},{"name":"b","type":"float"},{"name":"c","type":["null","int"]},{"name":"d","type":"int"}]})",
       -8183902816328984443LL},
      // "error" prints as record; logical types and aliases are stripped.
      {R"({"type":"error","name":"E","namespace":"a.b","aliases":["c.D"],"fields":[{"name":"m","type":{"type":"map","values":{"type":"array","items":{"type":"bytes","logicalType":"decimal","precision":4}}}}]})",
       R"({"name":"a.b.E","type":"record","fields":[{"name":"m","type":{"type":"map","values":{"type":"array","items":"bytes"}}}]})",
       737536228415029401LL},
      // Unicode letters in names (escaped in the input).
      {R"({"type":"record","name":"R\u00e9","fields":[{"name":"\u00e9t\u00e9","type":"long"}]})",
       "{\"name\":\"R\xC3\xA9\",\"type\":\"record\",\"fields\":[{\"name\":\"\xC3\xA9t\xC3\xA9\",\"type\":\"long\"}]}",
       -658715053860458609LL},
      // An identical redefinition (docs may differ) is accepted and printed as a reference.
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":1,"doc":"x"}},{"name":"b","type":{"type":"fixed","name":"F","size":1,"doc":"y"}}]})",
       R"({"name":"R","type":"record","fields":[{"name":"a","type":{"name":"F","type":"fixed","size":1}},{"name":"b","type":"F"}]})",
       5496788636931859452LL},
      // Whitespace and control bytes after the schema are trimmed like Java's String.trim().
      {"\"int\" \x01", "\"int\"", 8247732601305521295LL},
  };
  avro::schema_parser p;
  for (const auto& c : cases) {
    avro::parse_error err;
    auto r = p.analyse(c.input, &err);
    ASSERT_TRUE(r) << c.input << "\n" << err.to_string();
    EXPECT_EQ(r.value().canonical, c.canonical) << c.input;
    EXPECT_EQ(r.value().fingerprint, c.fingerprint) << c.input;
  }
}

struct error_case {
  const char* input;
  errc code;
  const char* path;
  const char* message_part;
};

TEST(SchemaParser, RejectsWhatJavaRejectsWithPathAndReason) {
  // Every input here is rejected by Java Avro 1.12.2 (checked with avro-oracle).
  const error_case cases[] = {
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"Q"}]})",
       errc::unknown_type, "$.fields[1].type", "undefined name 'Q'"},
      {R"({"type":"record","name":"HR.ACCOUNTS","fields":[{"name":"ID","type":"int"},{"name":"ID","type":"long"}]})",
       errc::duplicate_name, "$.fields[1].name", "duplicate field 'ID' in record 'HR.ACCOUNTS'"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":2147483648}]})",
       errc::invalid_default, "$.fields[0].default", "invalid default for field 'a'"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","double"],"default":"NaN"}]})",
       errc::invalid_default, "$.fields[0].default", "not a union [null, double]"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"double","default":"abc"}]})",
       errc::invalid_default, "$.fields[0].default", "not a number"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"X","default":"A"},{"name":"b","type":{"type":"enum","name":"X","symbols":["A"]}}]})",
       errc::invalid_default, "$.fields[0].default", "invalid default"},
      {R"({"type":"record","name":"R","fields":[{"name":"x","type":["R","null"],"default":{"x":null}}]})",
       errc::invalid_default, "$.fields[0].default", "schema fields not set yet"},
      {R"({"type":"enum","name":"E","symbols":["A"],"default":"B"})", errc::invalid_default, "$.default",
       "enum default 'B'"},
      {R"({"type":"enum","name":"E","symbols":["A","A"]})", errc::duplicate_name, "$.symbols[1]",
       "duplicate enum symbol 'A'"},
      {R"({"type":"fixed","name":"F","size":-1})", errc::invalid_schema, "$.size", "out of range"},
      {R"({"type":"fixed","name":"F","size":1.0})", errc::missing_attribute, "$.size", "no int 'size'"},
      {R"([["int"]])", errc::invalid_schema, "$[0]", "another union"},
      {R"(["int",{"type":"int"}])", errc::duplicate_name, "$[1]", "duplicate branch 'int'"},
      {R"([{"type":"array","items":"int"},{"type":"array","items":"long"}])", errc::duplicate_name, "$[1]",
       "duplicate branch 'array'"},
      {R"({"type":"record","name":"1R","fields":[]})", errc::invalid_name, "$.name", "must start with"},
      {"{\"type\":\"record\",\"name\":\"R\xF0\x9D\x90\x80\",\"fields\":[]}", errc::invalid_name, "$.name",
       "letters, digits"},
      {R"({"type":"record","name":"R","namespace":"a..b","fields":[]})", errc::invalid_name, "$.name",
       "namespace part is empty"},
      {R"({"type":"record","name":"int","fields":[]})", errc::invalid_name, "$.name", "after a primitive"},
      {R"({"type":"record","name":"R"})", errc::missing_attribute, "$", "no 'fields' array"},
      {R"({"type":"record","name":5,"fields":[]})", errc::missing_attribute, "$.name", "no string 'name'"},
      {R"({"type":{"type":"int"}})", errc::missing_attribute, "$.type", "no string 'type'"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"R"}}]})", errc::unknown_type,
       "$.fields[0].type.type", "'type' must be"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","order":5}]})", errc::invalid_schema,
       "$.fields[0].order", "'order'"},
      {R"({"type":"record","name":"R","fields":[],"aliases":"x"})", errc::invalid_schema, "$.aliases",
       "not an array"},
      {R"({"type":"record","name":"R","fields":[],"aliases":["1x"]})", errc::invalid_name, "$.aliases[0]",
       "alias '1x'"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"b","type":{"type":"enum","name":"E","symbols":["B"]}}]})",
       errc::duplicate_name, "$.fields[1].type", "cannot redefine 'E'"},
      {R"({"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"X"},{"name":"b","type":{"type":"enum","name":"X","namespace":"","symbols":["A"]}}]})",
       errc::unknown_type, "$.fields[0].type", "undefined name 'n.X'"},
      {R"("in t")", errc::unknown_type, "$", "undefined name"},
      {R"(null)", errc::invalid_schema, "$", "must be a type name"},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]} {})", errc::invalid_json, "$",
       "dangling content"},
      {R"("int"/*c*/)", errc::invalid_json, "$", "dangling content"},
      {"\xEF\xBB\xBF\"int\"", errc::invalid_json, "$", "unexpected character"},
      {"# c\n\"int\"", errc::invalid_json, "$", "line 1, column 1"},
      {"{\"type\":\n \"int\",}", errc::invalid_json, "$", "line 2, column 8"},
      {"", errc::invalid_json, "$", "empty"},
      {"  \n ", errc::invalid_json, "$", "empty"},
      {"\"a\tb\"", errc::invalid_json, "$", "control character"},
  };
  avro::schema_parser p;
  for (const auto& c : cases) {
    avro::parse_error err;
    auto r = p.fingerprint(c.input, &err);
    ASSERT_FALSE(r) << c.input;
    EXPECT_EQ(r.error(), c.code) << c.input << "\n" << err.to_string();
    EXPECT_EQ(err.code, c.code) << c.input;
    EXPECT_EQ(err.path, c.path) << c.input << "\n" << err.to_string();
    EXPECT_NE(err.message.find(c.message_part), std::string::npos) << c.input << "\n" << err.to_string();
    EXPECT_TRUE(r.error() == sluice::condition::invalid_input);
  }
}

TEST(SchemaParser, AnalyseGivesFullNameOnlyForNamedTopLevel) {
  avro::schema_parser p;
  auto a = p.analyse(R"({"type":"record","name":"ACCOUNTS","namespace":"HR","fields":[]})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a.value().full_name, "HR.ACCOUNTS");
  auto b = p.analyse(R"(["null","string"])");
  ASSERT_TRUE(b);
  EXPECT_EQ(b.value().full_name, "");
  EXPECT_EQ(b.value().canonical, R"(["null","string"])");
}

TEST(SchemaParser, ReuseGivesTheSameResultsAsFreshParsersAndFreeFunctions) {
  const char* schemas[] = {
      R"({"type":"record","name":"A","fields":[{"name":"x","type":{"type":"enum","name":"E","symbols":["P"]}}]})",
      R"("E")",  // a name defined by a previous call must not leak into this one
      R"({"type":"record","name":"B","namespace":"n","fields":[{"name":"y","type":["null","E2"]},{"name":"z","type":{"type":"fixed","name":"E2","size":3}}]})",
      R"({"type":"map","values":{"type":"record","name":"A","fields":[]}})",
  };
  avro::schema_parser reused;
  for (int round = 0; round < 3; ++round) {
    for (const char* s : schemas) {
      avro::schema_parser fresh;
      auto a = reused.fingerprint(s);
      auto b = fresh.fingerprint(s);
      auto c = avro::fingerprint(s);
      ASSERT_EQ(a.has_value(), b.has_value()) << s;
      ASSERT_EQ(a.has_value(), c.has_value()) << s;
      if (a) {
        EXPECT_EQ(a.value(), b.value()) << s;
        EXPECT_EQ(a.value(), c.value()) << s;
        auto pcf = avro::canonical_form(s);
        ASSERT_TRUE(pcf);
        EXPECT_EQ(static_cast<std::int64_t>(avro::crc64_avro(pcf.value())), a.value());
      }
    }
  }
  EXPECT_FALSE(reused.fingerprint(R"("E")"));
  // A rejected default in one call must not affect the validation of the next.
  EXPECT_FALSE(reused.fingerprint(R"({"type":"record","name":"R","fields":[{"name":"x","type":["R","null"],"default":{"x":null}}]})"));
  EXPECT_TRUE(reused.fingerprint(R"({"type":"record","name":"R","fields":[{"name":"a","type":"long","default":-9223372036854775808}]})"));
}

TEST(SchemaParser, HostileInputsFailCleanly) {
  avro::schema_parser p;
  // Deep nesting beyond Jackson's limit, and a long chain of forward references.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += R"({"type":"array","items":)";
  deep += "\"int\"" + std::string(5000, '}');
  EXPECT_EQ(p.fingerprint(deep).error(), errc::invalid_json);
  std::string chain = R"({"type":"record","name":"R0","fields":[)";
  for (int i = 1; i < 3000; ++i)
    chain += R"({"name":"f)" + std::to_string(i) + R"(","type":"R)" + std::to_string(i) + "\"},";
  for (int i = 1; i < 3000; ++i)
    chain += R"({"name":"g)" + std::to_string(i) + R"(","type":{"type":"record","name":"R)" + std::to_string(i) +
             R"(","fields":[]}})" + (i + 1 < 3000 ? "," : "");
  chain += "]}";
  auto r = p.analyse(chain);
  ASSERT_TRUE(r);
  EXPECT_NE(r.value().canonical.find(R"({"name":"f1","type":{"name":"R1","type":"record","fields":[]}})"),
            std::string::npos);
}

TEST(SchemaParser, JsonSyntaxErrorsReportThePathAndThePosition) {
  const std::string in = "{\"type\":\"record\",\"name\":\"R\",\n \"fields\":[{\"name\":\"a\",\"type\":\"int\"},\n"
                         "  {\"name\":\"b\",\"type\":\"long\",\"default\":01}]}";
  avro::parse_error err;
  auto r = avro::fingerprint(in, &err);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::invalid_json);
  EXPECT_EQ(err.path, "$.fields[1].default");
  EXPECT_NE(err.message.find("leading zeroes"), std::string::npos) << err.message;
  EXPECT_NE(err.message.find("line 3, column 39 (byte 105)"), std::string::npos) << err.message;
  EXPECT_EQ(err.to_string(), "$.fields[1].default: " + err.message);
}

}  // namespace
