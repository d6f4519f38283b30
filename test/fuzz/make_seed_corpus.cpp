// SPDX-License-Identifier: Apache-2.0
// Writes the seed corpus of avro_fuzz: one file per schema text found in the shared test data
// (the inputs of avro/schema-tests.txt, goldengate/*.avsc and the payloads of goldengate/*.jsonl).
//   make_seed_corpus TESTDATA_DIR OUT_DIR
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The <<INPUT entries of Avro's schema-tests.txt: one line, or lines up to a line "INPUT".
std::vector<std::string> vector_inputs(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("<<INPUT", 0) != 0) continue;
    if (line == "<<INPUT") {
      std::string body;
      while (std::getline(in, line) && line != "INPUT") body += line + "\n";
      out.push_back(body);
    } else {
      out.push_back(line.substr(8));
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_seed_corpus TESTDATA_DIR OUT_DIR\n");
    return 2;
  }
  const fs::path data = argv[1], out = argv[2];
  fs::create_directories(out);
  std::vector<std::string> seeds = vector_inputs(slurp(data / "avro" / "schema-tests.txt"));
  std::vector<fs::path> files(fs::directory_iterator(data / "goldengate"), fs::directory_iterator());
  std::sort(files.begin(), files.end());
  simdjson::ondemand::parser parser;
  for (const auto& p : files) {
    if (p.extension() == ".avsc") {
      seeds.push_back(slurp(p));
    } else if (p.extension() == ".jsonl") {
      std::istringstream in(slurp(p));
      std::string line;
      while (std::getline(in, line)) {
        simdjson::padded_string padded(line);
        auto doc = parser.iterate(padded);
        std::string_view payload;
        if (doc.error() || doc["payload"].get_string().get(payload)) continue;  // null or malformed
        seeds.emplace_back(payload);
      }
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "make_seed_corpus: no schema texts under %s\n", argv[1]);
    return 1;
  }
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream(out / ("seed-" + std::to_string(i) + ".json"), std::ios::binary) << seeds[i];
  }
  std::printf("make_seed_corpus: %zu seeds in %s\n", seeds.size(), argv[2]);
  return 0;
}
