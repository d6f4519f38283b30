// SPDX-License-Identifier: Apache-2.0
// Google Benchmark cases of the event-ETL stages, each over the same in-memory batch of 100 000
// events in the generator's shape (about 320 bytes of JSON each), so stages can be compared:
// BM_Stream_Codec (parse + validate), BM_Stream_Filter, BM_Stream_Dedup (a new key every event,
// the table at its steady size) and BM_Stream_Window (11 000 open windows); each stage alone,
// window, as the pipeline runs them; the whole chain from a file is event_etl_driver).
#include "sluice/core/null_sink.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/event_etl/pipeline.hpp"

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace sluice;
using namespace sluice::stream;
using namespace sluice::event_etl;

constexpr std::int64_t batch_events = 100'000;
constexpr std::int64_t start_ms = 1'717'200'000'000;

// Event `i` of a stream of 1000 devices at 1000 events per second of event time.
std::string event_text(std::int64_t i) {
  std::string s = "{\"event_id\":\"";
  char id[40];
  std::snprintf(id, sizeof id, "%08llx-0000-4000-8000-%012llx", static_cast<unsigned long long>(i * 2654435761u),
                static_cast<unsigned long long>(i));
  s += id;
  s += "\",\"device_id\":\"dev-";
  s += std::to_string(100000 + i % 1000).substr(1);
  s += "\",\"device_type\":\"thermostat\",\"event_time\":\"";
  append_iso8601_utc(s, start_ms + i);
  s += "\",\"event_duration\":1.25,\"battery_level\":87.5,\"signal_strength\":-67,"
       "\"location\":{\"city\":\"Berlin\",\"country\":\"DE\",\"latitude\":52.52,\"longitude\":13.405},"
       "\"firmware_version\":\"1.2.3\"}";
  return s;
}

std::vector<source_record> records(std::int64_t first) {
  std::vector<source_record> out;
  out.reserve(batch_events);
  for (std::int64_t i = first; i < first + batch_events; ++i) {
    source_record r;
    r.topic = "events";
    r.offset = i;
    std::string p = event_text(i);
    p.reserve(p.size() + simdjson::SIMDJSON_PADDING);
    r.payload = std::move(p);
    out.push_back(std::move(r));
  }
  return out;
}

void BM_Stream_Codec(benchmark::State& state) {
  const auto recs = records(0);
  json_event_codec codec;
  std::vector<device_event> out;
  reject_list rj;
  for (auto _ : state) {
    out.clear();
    (void)codec.decode(recs, out, rj);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * batch_events);
}
BENCHMARK(BM_Stream_Codec)->Unit(benchmark::kMillisecond);

void BM_Stream_Filter(benchmark::State& state) {
  const auto recs = records(0);
  json_event_codec codec;
  std::vector<device_event> events, out;
  reject_list rj;
  (void)codec.decode(recs, events, rj);
  range_filter f;
  for (auto _ : state) {
    auto in = events;
    out.clear();
    (void)f.apply(in, out, rj);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * batch_events);
}
BENCHMARK(BM_Stream_Filter)->Unit(benchmark::kMillisecond);

void BM_Stream_Dedup(benchmark::State& state) {
  // Ten batches in a loop, event times moving on, so the table stays at about 600 000 keys.
  std::vector<std::vector<source_record>> recs;
  for (int b = 0; b < 10; ++b) recs.push_back(records(b * batch_events));
  json_event_codec codec;
  watermark_dedup<device_event> dedup(600'000);
  std::vector<device_event> in, out;
  reject_list rj;
  std::int64_t shift = 0;
  std::size_t b = 0;
  for (auto _ : state) {
    state.PauseTiming();
    in.clear();
    (void)codec.decode(recs[b], in, rj);
    for (auto& e : in) e.event_time_ms += shift;   // a new key set each round: new event ids below
    if (++b == recs.size()) b = 0, shift += 10 * batch_events;
    out.clear();
    state.ResumeTiming();
    (void)dedup.apply(in, out, rj);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["keys"] = static_cast<double>(dedup.state_size());
  state.SetItemsProcessed(state.iterations() * batch_events);
}
BENCHMARK(BM_Stream_Dedup)->Unit(benchmark::kMillisecond);

void BM_Stream_Window(benchmark::State& state) {
  const auto recs = records(0);
  json_event_codec codec;
  std::vector<device_event> events;
  reject_list rj;
  (void)codec.decode(recs, events, rj);
  auto windows = device_windows::make({}).value();
  std::vector<device_window_row> out;
  std::int64_t shift = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto in = events;
    for (auto& e : in) e.event_time_ms += shift;
    shift += batch_events;
    out.clear();
    state.ResumeTiming();
    (void)windows.apply(in, out, rj);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * batch_events);
}
BENCHMARK(BM_Stream_Window)->Unit(benchmark::kMillisecond);

}  // namespace
