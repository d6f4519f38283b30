// SPDX-License-Identifier: Apache-2.0
// Google Benchmark cases of the Avro core: fingerprint (parse + canonical form + CRC-64-AVRO),
// analyse, preprocess, against the floor of a bare simdjson on-demand pass over the same texts.
// Corpora: the GoldenGate samples of the test data (valid schemas only) and 64 generated
// GoldenGate-shaped tables of 20..500 columns.
#include "corpus.hpp"
#include "ondemand_pass.hpp"

#include <sluice/avro/avro.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

namespace avro = sluice::avro;
namespace bench = sluice::bench;

std::vector<std::string> valid_only(std::vector<std::string> texts) {
  std::vector<std::string> out;
  for (auto& t : texts)
    if (avro::fingerprint(t).has_value()) out.push_back(std::move(t));
  return out;
}

const std::vector<std::string>& goldengate() {
  static const auto texts = valid_only(bench::goldengate_samples(SLUICE_TESTDATA_DIR));
  return texts;
}

const std::vector<std::string>& generated() {
  static const auto texts = valid_only(bench::generated_tables(64, 42));
  return texts;
}

std::int64_t total_bytes(const std::vector<std::string>& texts) {
  std::int64_t n = 0;
  for (const auto& t : texts) n += static_cast<std::int64_t>(t.size());
  return n;
}

template <class F>
void run(benchmark::State& state, const std::vector<std::string>& texts, F&& f) {
  if (texts.empty()) {
    state.SkipWithError("empty corpus");
    return;
  }
  for (auto _ : state) {
    for (const auto& t : texts) f(t);
  }
  state.SetBytesProcessed(state.iterations() * total_bytes(texts));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(texts.size()));
}

void fingerprint_case(benchmark::State& state, const std::vector<std::string>& texts) {
  avro::schema_parser parser;
  run(state, texts, [&](const std::string& t) {
    auto r = parser.fingerprint(t);
    if (!r) state.SkipWithError("fingerprint failed");
    benchmark::DoNotOptimize(r);
  });
}

void analyse_case(benchmark::State& state, const std::vector<std::string>& texts) {
  avro::schema_parser parser;
  run(state, texts, [&](const std::string& t) {
    auto r = parser.analyse(t);
    if (!r) state.SkipWithError("analyse failed");
    benchmark::DoNotOptimize(r);
  });
}

void preprocess_case(benchmark::State& state, const std::vector<std::string>& texts) {
  avro::schema_parser parser;
  run(state, texts, [&](const std::string& t) {
    auto r = parser.preprocess(t);
    benchmark::DoNotOptimize(r);
  });
}

void BM_Avro_Fingerprint_GoldenGate(benchmark::State& s) { fingerprint_case(s, goldengate()); }
void BM_Avro_Fingerprint_Generated(benchmark::State& s) { fingerprint_case(s, generated()); }
void BM_Avro_Analyse_Generated(benchmark::State& s) { analyse_case(s, generated()); }
void BM_Avro_Preprocess_GoldenGate(benchmark::State& s) { preprocess_case(s, goldengate()); }
void BM_Avro_Preprocess_Generated(benchmark::State& s) { preprocess_case(s, generated()); }

void BM_Simdjson_OnDemandPass(benchmark::State& state) {
  std::vector<simdjson::padded_string> padded;
  for (const auto& t : generated()) padded.emplace_back(t);
  simdjson::ondemand::parser parser;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    for (const auto& p : padded) {
      if (bench::ondemand_pass(parser, p, sum)) state.SkipWithError("simdjson failed");
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetBytesProcessed(state.iterations() * total_bytes(generated()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(padded.size()));
}

void BM_Avro_Crc64(benchmark::State& state) {
  const std::string text(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(avro::crc64_avro(text));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

// One field whose default has range(0) keys (all but two unknown to its record type, or a map),
// plus a duplicate key: the cost per key of preprocess must stay flat as the object grows (it once
// was quadratic). The unit tests check the output of the 5,000-key case.
void wide_default_case(benchmark::State& state, bool record) {
  const auto keys = static_cast<int>(state.range(0));
  std::string in = R"({"type":"record","name":"R","fields":[{"name":"W","type":)";
  in += record ? R"({"type":"record","name":"S","fields":[{"name":"K7","type":"int"},{"name":"K4999","type":"int"}]})"
               : R"({"type":"map","values":"int"})";
  in += R"(,"default":{)";
  for (int i = 0; i < keys; ++i) in += "\"K" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  in += R"("K7":-7}}]})";
  avro::schema_parser parser;
  for (auto _ : state) {
    auto r = parser.preprocess(in);
    if (!r) state.SkipWithError("preprocess failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
  state.SetItemsProcessed(state.iterations() * keys);
}
void BM_Avro_Preprocess_WideRecordDefault(benchmark::State& s) { wide_default_case(s, true); }
void BM_Avro_Preprocess_WideMapDefault(benchmark::State& s) { wide_default_case(s, false); }

}  // namespace

BENCHMARK(BM_Avro_Fingerprint_GoldenGate);
BENCHMARK(BM_Avro_Fingerprint_Generated);
BENCHMARK(BM_Avro_Analyse_Generated);
BENCHMARK(BM_Avro_Preprocess_GoldenGate);
BENCHMARK(BM_Avro_Preprocess_Generated);
BENCHMARK(BM_Simdjson_OnDemandPass);
BENCHMARK(BM_Avro_Crc64)->Arg(64)->Arg(64 << 10);
BENCHMARK(BM_Avro_Preprocess_WideRecordDefault)->Arg(5000)->Arg(20000);
BENCHMARK(BM_Avro_Preprocess_WideMapDefault)->Arg(5000)->Arg(20000);
