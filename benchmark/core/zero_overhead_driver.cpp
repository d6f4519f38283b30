// SPDX-License-Identifier: Apache-2.0
// Runs one variant of the zero-overhead comparison once, for callgrind:
//   sluice_zero_overhead_driver pipeline|fused [RECORDS [BATCH]]
//   sluice_zero_overhead_driver verify [RECORDS [BATCH]]   both variants produce the same objects
// Prints `<variant> records=<n> batch=<b> values=<objects written>`; exit 0, or 1 on a mismatch.

#include "zero_overhead.hpp"

#include "sluice/core/memory_sink.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

namespace {

using namespace zero_overhead;

// Both variants again, keeping the objects, to compare them.
bool verify(const std::vector<std::pair<std::string, std::string>>& corpus, std::int64_t n,
            std::int64_t batch) {
  auto p = make_pipeline(make_source(corpus, n), raw_view_codec{}, catalog_entries{},
                         memory_object_sink{});
  const auto letters = drain(p, batch);

  auto src = make_source(corpus, n);
  avro::schema_parser parser;
  std::map<std::string, std::string> fused;
  std::vector<source_record> all;
  if (!src.read(src.plan({}, n).value(), all)) return false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    object o;
    if (build_entry(parser, *all[i].key, *all[i].payload, i, o)) fused[o.key] = o.bytes;
  }
  const bool same = fused == p.sink().contents() && !fused.empty() && letters.empty();
  std::printf("verify records=%lld objects=%zu same=%s\n", static_cast<long long>(n), fused.size(),
              same ? "yes" : "NO");
  return same;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s pipeline|fused|verify [RECORDS [BATCH]]\n", argv[0]);
    return 2;
  }
  const std::string variant = argv[1];
  const std::int64_t n = argc > 2 ? std::atoll(argv[2]) : 2000;
  const std::int64_t batch = argc > 3 ? std::atoll(argv[3]) : 500;
  const auto corpus = load_corpus(SLUICE_TESTDATA_DIR);
  if (variant == "verify") return verify(corpus, n, batch) ? 0 : 1;
  outcome values = 0;
  if (variant == "pipeline") {
    schema_pipeline p(make_source(corpus, n), raw_view_codec{}, catalog_entries{}, null_sink{},
                      idempotency::none{});
    values = run_pipeline(p, batch);
  } else if (variant == "fused") {
    auto src = make_source(corpus, n);
    values = run_fused(src, batch);
  } else {
    std::fprintf(stderr, "unknown variant %s\n", variant.c_str());
    return 2;
  }
  std::printf("%s records=%lld batch=%lld values=%lld\n", variant.c_str(), static_cast<long long>(n),
              static_cast<long long>(batch), static_cast<long long>(values));
  return values == n ? 0 : 1;
}
