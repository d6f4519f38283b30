// SPDX-License-Identifier: Apache-2.0
// BM_ZeroOverhead_*: the schema work as a sluice pipeline driven by the runner versus the same
// work as one hand-fused loop (see zero_overhead.hpp and docs/benchmarks.md).

#include "zero_overhead.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace zero_overhead;

constexpr std::int64_t records = 4000;

const std::vector<std::pair<std::string, std::string>>& corpus() {
  static const auto c = load_corpus(SLUICE_TESTDATA_DIR);
  return c;
}

void BM_ZeroOverhead_Pipeline(benchmark::State& state) {
  schema_pipeline p(make_source(corpus(), records), raw_view_codec{}, catalog_entries{}, null_sink{},
                    idempotency::none{});
  std::int64_t values = 0;
  for (auto _ : state) {
    const auto before = p.sink().values();
    values = run_pipeline(p, state.range(0)) - before;
    benchmark::DoNotOptimize(values);
  }
  state.SetItemsProcessed(state.iterations() * records);
  state.counters["values"] = static_cast<double>(values);
}

void BM_ZeroOverhead_HandFused(benchmark::State& state) {
  auto src = make_source(corpus(), records);
  std::int64_t values = 0;
  for (auto _ : state) {
    values = run_fused(src, state.range(0));
    benchmark::DoNotOptimize(values);
  }
  state.SetItemsProcessed(state.iterations() * records);
  state.counters["values"] = static_cast<double>(values);
}

BENCHMARK(BM_ZeroOverhead_Pipeline)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZeroOverhead_HandFused)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
