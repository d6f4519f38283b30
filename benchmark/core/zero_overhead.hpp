// SPDX-License-Identifier: Apache-2.0
#pragma once

// The zero-overhead comparison: the same work (Avro fingerprint + Spark preprocessing of schema
// messages into catalog objects, handed to a null sink) once as a sluice pipeline driven by the
// runner, once as one hand-fused loop. Both read the same in-memory source in batches of the same
// size and call the same per-record function, so any difference is the cost of composition.

#include "sluice/avro/avro.hpp"
#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/idempotency/none.hpp"

#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace zero_overhead {

using namespace sluice;

/// The per-record work both variants share: fingerprint the raw schema, preprocess it, and
/// build the catalog object `<key>/<fingerprint>.avsc`. False for a schema that does not parse.
inline bool build_entry(avro::schema_parser& parser, std::string_view key, std::string_view schema,
                        std::size_t origin, object& out) {
  const auto analysed = parser.analyse(schema);
  if (!analysed) return false;
  const std::int64_t fp = analysed.value().fingerprint;
  const auto pre = parser.preprocess(schema);
  if (!pre) return false;
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, fp).ptr;
  out.key.assign(key);
  out.key.push_back('/');
  out.key.append(digits, end);
  out.key.append(".avsc");
  out.bytes.assign(pre.value());
  out.origin = origin;
  return true;
}

/// The transform stage: raw schema messages to catalog objects; unparsable ones are rejected.
struct catalog_entries {
  using stage_concept = transform_tag;
  using output_type = object;

  result<void> apply(std::vector<raw_view>& in, std::vector<object>& out, reject_list& rejects) {
    out.reserve(out.size() + in.size());
    for (const auto& v : in) {
      object o;
      if (v.key && v.payload && build_entry(parser_, *v.key, *v.payload, v.origin, o)) {
        out.push_back(std::move(o));
      } else {
        rejects.add(v.origin, "not an Avro schema");
      }
    }
    return success();
  }

 private:
  avro::schema_parser parser_;
};

using schema_pipeline =
    pipeline<memory_source, raw_view_codec, catalog_entries, null_sink, idempotency::none>;

// --- zero-size claims -------------------------------------------------------------------------
// The explicit empty policy costs nothing over the default, and the empty codec and policy
// nothing at all: the pipeline is exactly its source, transform and sink.
static_assert(std::is_empty_v<idempotency::none> && std::is_empty_v<raw_view_codec>);
static_assert(sizeof(schema_pipeline) ==
              sizeof(pipeline<memory_source, raw_view_codec, catalog_entries, null_sink>));
static_assert(sizeof(schema_pipeline) ==
              sizeof(memory_source) + sizeof(catalog_entries) + sizeof(null_sink));
static_assert(sizeof(pipeline<memory_source, raw_view_codec, catalog_entries, null_sink,
                              idempotency::none>) ==
              sizeof(pipeline<memory_source, raw_view_codec, catalog_entries, null_sink,
                              at_least_once>));

/// The distinct valid schema messages of the GoldenGate sample (kcat -J lines) and the .avsc
/// files next to it, as (key, schema) pairs.
inline std::vector<std::pair<std::string, std::string>> load_corpus(const std::string& testdata) {
  std::vector<std::pair<std::string, std::string>> out;
  avro::schema_parser parser;
  simdjson::dom::parser json;
  simdjson::dom::document_stream lines;
  const std::string sample = testdata + "/goldengate/schema-topic.sample.jsonl";
  simdjson::padded_string text;
  if (simdjson::padded_string::load(sample).get(text) != simdjson::SUCCESS) {
    std::fprintf(stderr, "cannot read %s\n", sample.c_str());
    std::exit(2);
  }
  if (json.parse_many(text).get(lines) != simdjson::SUCCESS) std::exit(2);
  for (auto doc : lines) {
    simdjson::dom::element e;
    if (doc.get(e) != simdjson::SUCCESS) continue;  // a malformed line
    std::string_view key, payload;
    if (e["key"].get(key) != simdjson::SUCCESS || e["payload"].get(payload) != simdjson::SUCCESS)
      continue;
    if (!parser.analyse(payload) || !parser.preprocess(payload)) continue;
    out.emplace_back(std::string(key), std::string(payload));
  }
  for (const char* name : {"generic_wrapper", "gg_table_example", "gg_table_example_row_formatter"}) {
    simdjson::padded_string avsc;
    if (simdjson::padded_string::load(testdata + "/goldengate/" + name + ".avsc").get(avsc) !=
        simdjson::SUCCESS)
      std::exit(2);
    const std::string schema(avsc.data(), avsc.size());
    if (parser.analyse(schema)) out.emplace_back(std::string("bench.avsc.") + name, schema);
  }
  return out;
}

/// `n` records cycling through the corpus, in `partitions` partitions of topic "schemas".
inline memory_source make_source(const std::vector<std::pair<std::string, std::string>>& corpus,
                                  std::int64_t n, std::int32_t partitions = 3) {
  memory_source s;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto& [key, schema] = corpus[static_cast<std::size_t>(i) % corpus.size()];
    s.push("schemas", static_cast<std::int32_t>(i % partitions), key, schema, i);
  }
  return s;
}

/// How many catalog objects a run handed to its sink.
using outcome = std::int64_t;

/// Runs `p` with the runner in available-now mode over in-memory stores; returns its dead
/// letters (none for valid input).
template <class Pipeline>
std::vector<dead_letter> drain(Pipeline& p, std::int64_t batch) {
  memory_checkpoint_store ckpt;
  memory_dead_letter_sink dlq;
  null_progress progress;
  runner_options opt;
  opt.once = true;
  opt.max_records_per_batch = batch;
  stop_flag stop;
  if (!run(p, ckpt, dlq, progress, opt, stop)) std::abort();
  return dlq.letters();
}

/// The pipeline, driven by the runner.
[[gnu::noinline]] inline outcome run_pipeline(schema_pipeline& p, std::int64_t batch) {
  (void)drain(p, batch);
  return p.sink().values();
}

// Keeps the compiler from dropping work whose result is unused (like benchmark::DoNotOptimize).
template <class T>
inline void escape(T& v) {
  asm volatile("" : : "g"(&v) : "memory");
}

/// The same work as one hand-written loop: plan, read, and per record build the object and count
/// it (what the null sink does).
[[gnu::noinline]] inline outcome run_fused(memory_source& src, std::int64_t batch) {
  avro::schema_parser parser;
  std::int64_t count = 0;
  source_position pos;
  std::vector<source_record> records;
  for (;;) {
    auto ranges = src.plan(pos, batch);
    if (!ranges) std::abort();
    if (ranges.value().empty()) break;
    records.clear();
    if (!src.read(ranges.value(), records)) std::abort();
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto& r = records[i];
      object o;
      if (r.key && r.payload && build_entry(parser, *r.key, *r.payload, i, o)) {
        escape(o);
        ++count;
      }
    }
    pos = advance_position(std::move(pos), ranges.value());
  }
  return count;
}

}  // namespace zero_overhead
