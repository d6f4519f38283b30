// SPDX-License-Identifier: Apache-2.0
// The C++ side of benchmark/avro/side_by_side.sh: measures one implementation over a JSON-lines
// corpus (each line a JSON string holding a schema text) in process, after a warm-up pass.
//   avro_side_by_side analyse|floor FILE [SECONDS]
//     analyse  sluice::avro::schema_parser::analyse (canonical form + fingerprint + full name)
//     floor    a bare simdjson on-demand pass touching every value (texts pre-padded)
//   avro_side_by_side paths FILE
//     runs the fused fast path and the exact engine on every text and prints how many texts the
//     fast path handled and how many it left to the engine: {"texts":…,"fast":…,"bailed":…,
//     "mismatches":…}; exit status 1 when a fast result differs from the engine's.
// Prints one JSON object: {"impl":…,"mb_per_s":…,"schemas_per_s":…,"cpu_mb_per_s":…,"rounds":…,
// "bytes":…,"check":…}: throughput by wall-clock time and by process CPU time.
#include "corpus.hpp"
#include "ondemand_pass.hpp"

#include <sluice/avro/avro.hpp>
#include <sluice/avro/detail/fast_path.hpp>
#include <sluice/avro/detail/schema_engine.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <time.h>

namespace {

using clock_type = std::chrono::steady_clock;

// CPU time of the whole process: robust against other programs sharing the core.
double process_cpu_seconds() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

template <class Pass>
int measure(const char* impl, std::size_t schemas, std::size_t bytes, double seconds, Pass&& pass) {
  std::uint64_t check = 0;
  if (!pass(check)) return 1;  // warm-up, and every text must be accepted
  std::uint64_t rounds = 0;
  const double cpu_start = process_cpu_seconds();
  const auto start = clock_type::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (clock_type::now() < end) {
    pass(check);
    ++rounds;
  }
  const double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  const double cpu = process_cpu_seconds() - cpu_start;
  const double total = static_cast<double>(bytes) * static_cast<double>(rounds);
  std::printf("{\"impl\":\"%s\",\"mb_per_s\":%.2f,\"schemas_per_s\":%.1f,\"cpu_mb_per_s\":%.2f,\"rounds\":%llu,"
              "\"bytes\":%zu,\"check\":%llu}\n",
              impl, total / elapsed / 1e6, static_cast<double>(schemas) * static_cast<double>(rounds) / elapsed,
              total / cpu / 1e6, static_cast<unsigned long long>(rounds), bytes,
              static_cast<unsigned long long>(check & 1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (std::string_view(argv[1]) != "analyse" && std::string_view(argv[1]) != "floor" &&
                    std::string_view(argv[1]) != "paths")) {
    std::fprintf(stderr, "usage: avro_side_by_side analyse|floor FILE [SECONDS] | paths FILE\n");
    return 2;
  }
  const std::string_view mode = argv[1];
  const double seconds = argc > 3 ? std::strtod(argv[3], nullptr) : 5.0;
  const auto texts = sluice::bench::jsonl_strings(sluice::bench::slurp(argv[2]));
  std::size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  if (texts.empty()) {
    std::fprintf(stderr, "avro_side_by_side: no schema texts in %s\n", argv[2]);
    return 1;
  }
  if (mode == "paths") {
    sluice::avro::detail::fast_analyser fast;
    sluice::avro::detail::schema_engine exact;
    std::string pcf;
    std::size_t handled = 0, bailed = 0, mismatches = 0;
    for (const auto& t : texts) {
      if (!fast.run(t)) {
        ++bailed;
        continue;
      }
      ++handled;
      if (exact.compile(t, nullptr) || exact.canonical(pcf) || pcf != fast.canonical() ||
          exact.root_full_name() != fast.root_full_name()) {
        ++mismatches;
        std::fprintf(stderr, "avro_side_by_side: fast path differs from the engine on: %.200s\n", t.c_str());
      }
    }
    std::printf("{\"texts\":%zu,\"fast\":%zu,\"bailed\":%zu,\"mismatches\":%zu}\n", texts.size(), handled, bailed,
                mismatches);
    return mismatches == 0 ? 0 : 1;
  }
  if (mode == "analyse") {
    sluice::avro::schema_parser parser;
    return measure("sluice-analyse", texts.size(), bytes, seconds, [&](std::uint64_t& check) {
      for (const auto& t : texts) {
        auto r = parser.analyse(t);
        if (!r) {
          std::fprintf(stderr, "avro_side_by_side: analyse failed: %s\n", r.error().message().c_str());
          return false;
        }
        check += static_cast<std::uint64_t>(r.value().fingerprint);
      }
      return true;
    });
  }
  std::vector<simdjson::padded_string> padded;
  for (const auto& t : texts) padded.emplace_back(t);
  simdjson::ondemand::parser parser;
  return measure("simdjson-floor", texts.size(), bytes, seconds, [&](std::uint64_t& check) {
    for (const auto& p : padded) {
      if (auto e = sluice::bench::ondemand_pass(parser, p, check)) {
        std::fprintf(stderr, "avro_side_by_side: simdjson: %s\n", simdjson::error_message(e));
        return false;
      }
    }
    return true;
  });
}
