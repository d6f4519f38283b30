// SPDX-License-Identifier: Apache-2.0
#pragma once
// Corpora of schema texts for the Avro benchmarks: JSON-lines files (each line a JSON string, as
// written by `oracle generate-gg`), the GoldenGate samples of the test data, and GoldenGate-shaped
// tables generated in process.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace sluice::inline v0::bench {

/// Reads a whole file; empty when it cannot be read.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The JSON string of every line of `text` (lines that are not a JSON string are skipped).
/// Complexity: linear in the size of the text.
inline std::vector<std::string> jsonl_strings(const std::string& text, std::string_view member = {}) {
  std::vector<std::string> out;
  simdjson::ondemand::parser parser;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    simdjson::padded_string padded(line);
    auto doc = parser.iterate(padded);
    std::string_view s;
    auto e = member.empty() ? doc.get_string().get(s) : doc[member].get_string().get(s);
    if (!e) out.emplace_back(s);
  }
  return out;
}

/// The GoldenGate samples: goldengate/*.avsc and every string payload of goldengate/*.jsonl.
inline std::vector<std::string> goldengate_samples(const std::filesystem::path& testdata) {
  std::vector<std::string> out;
  std::vector<std::filesystem::path> files(std::filesystem::directory_iterator(testdata / "goldengate"),
                                           std::filesystem::directory_iterator());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    if (p.extension() == ".avsc") out.push_back(slurp(p));
    if (p.extension() == ".jsonl") {
      for (auto& s : jsonl_strings(slurp(p), "payload")) out.push_back(std::move(s));
    }
  }
  return out;
}

/// `count` GoldenGate-shaped table schemas with 20..500 columns each, deterministic in `seed`:
/// the operation header fields, a `before` record of nullable columns and `_isMissing` flags, and
/// an `after` that references it, pretty-printed like GoldenGate does.
inline std::vector<std::string> generated_tables(std::size_t count, std::uint64_t seed) {
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1;
  auto next = [&](std::uint64_t bound) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % bound;
  };
  static constexpr const char* columns[] = {"CUST_CODE", "ORDER_DATE", "PRODUCT_CODE", "ORDER_ID", "PRICE",
                                            "AMOUNT", "COUNTRY", "FLAGS", "CREATED_AT", "ID"};
  std::vector<std::string> out;
  for (std::size_t t = 0; t < count; ++t) {
    std::string s = fmt::format(
        "{{\n  \"type\" : \"record\",\n  \"name\" : \"TABLE_{0}\",\n  \"namespace\" : \"HR\",\n"
        "  \"doc\" : \"GoldenGate operation record for HR.TABLE_{0}\",\n  \"fields\" : [ ",
        t);
    for (const char* f : {"table", "op_type", "op_ts", "current_ts", "pos"})
      s += fmt::format("{{\n    \"name\" : \"{}\",\n    \"type\" : \"string\"\n  }}, ", f);
    s += "{\n    \"name\" : \"primary_keys\",\n    \"type\" : {\n      \"type\" : \"array\",\n      \"items\" : \"string\"\n    }\n  }, "
         "{\n    \"name\" : \"tokens\",\n    \"type\" : {\n      \"type\" : \"map\",\n      \"values\" : \"string\"\n    },\n    \"default\" : { }\n  }, "
         "{\n    \"name\" : \"before\",\n    \"type\" : [ \"null\", {\n      \"type\" : \"record\",\n      \"name\" : \"columns\",\n      \"fields\" : [ ";
    const std::size_t n = 20 + next(481);
    for (std::size_t c = 0; c < n; ++c) {
      std::string type;
      switch (next(6)) {
        case 0: type = "\"double\""; break;
        case 1: type = "\"long\""; break;
        case 2: {
          const auto p = 1 + next(80);
          type = fmt::format("{{\n          \"type\" : \"bytes\",\n          \"logicalType\" : \"decimal\",\n"
                             "          \"precision\" : {},\n          \"scale\" : {}\n        }}", p, next(p + 1));
          break;
        }
        case 3: type = "{\n          \"type\" : \"long\",\n          \"logicalType\" : \"timestamp-micros\"\n        }"; break;
        default: type = "\"string\"";
      }
      s += fmt::format("{}{{\n        \"name\" : \"{}_{}\",\n        \"type\" : [ \"null\", {} ],\n        \"default\" : null\n      }}, "
                       "{{\n        \"name\" : \"{}_{}_isMissing\",\n        \"type\" : \"boolean\"\n      }}",
                       c == 0 ? "" : ", ", columns[c % 10], c, type, columns[c % 10], c);
    }
    s += " ]\n    } ],\n    \"default\" : null\n  }, {\n    \"name\" : \"after\",\n    \"type\" : [ \"null\", \"columns\" ],\n"
         "    \"default\" : null\n  } ]\n}";
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sluice::inline v0::bench
