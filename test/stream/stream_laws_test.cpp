// SPDX-License-Identifier: Apache-2.0
// The law suites of test/laws/laws.hpp for the stream models (lines_source, the folder sink,
// watermark_dedup), and the stateful-transform laws (stateful_laws.hpp) for dedup and windows.
#include "laws.hpp"
#include "helpers.hpp"
#include "stateful_laws.hpp"
#include "temp_dir.hpp"

#include "sluice/event_etl/device_aggregate.hpp"
#include "sluice/event_etl/jsonl_sink.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/fs/lines_source.hpp"
#include "sluice/stream/dedup.hpp"
#include "sluice/stream/jsonl_batch_sink.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using namespace stream_test;

sluice_test::temp_dir& scratch() {
  static sluice_test::temp_dir dir;
  return dir;
}
std::filesystem::path fresh_dir() {
  static int n = 0;
  return scratch() / ("m" + std::to_string(n++));
}

struct lines_source_model {
  using type = fs::lines_source;
  static type make() {
    static const std::filesystem::path file = [] {
      std::string text;
      for (int i = 0; i < 40; ++i) text += i % 9 == 4 ? "\n" : "{\"n\":" + std::to_string(i) + "}\n";
      const auto path = scratch() / "laws.jsonl";
      sluice_test::spit(path, text);
      return path;
    }();
    return fs::lines_source::open(file).value();
  }
  static type reopen(type& s) { return fs::lines_source::open(s.path()).value(); }
};

struct folder_sink_model {
  using type = jsonl_batch_sink<device_window_row, fs::file_sink>;
  using value_type = device_window_row;
  static type make() { return type(fs::file_sink(fresh_dir()), "rows"); }
  static std::vector<device_window_row> values() {
    device_window_row a, b;
    a.device_id = "a";
    a.event_count = 1;
    b.device_id = "b";
    b.event_count = 2;
    b.city = "Berlin";
    return {a, b};
  }
  static std::map<std::string, std::string> contents(type& k) {
    std::map<std::string, std::string> out;
    const auto root = k.inner().root();
    for (const auto& f : sluice_test::files_under(root)) out[f] = sluice_test::slurp(root / f);
    return out;
  }
};

struct dedup_model {
  using type = watermark_dedup<device_event>;
  using value_type = device_event;
  static type make() { return type(600'000); }
  static std::vector<device_event> batch() {
    return {event("a", "d1", 1), event("b", "d1", 2), event("a", "d1", 3), event("a", "d2", 4),
            event("b", "d1", 5)};
  }
  static std::pair<std::string_view, std::string_view> key(const device_event& e) {
    return {e.event_id, e.device_id};
  }
};

std::vector<std::vector<device_event>> event_batches() {
  constexpr std::int64_t m = 60'000;
  return {
      {event("a", "d1", 0), event("b", "d2", 10'000), event("a", "d1", 20'000)},
      {event("c", "d1", 3 * m), event("b", "d2", 10'000), event("d", "d2", m + 5)},
      {event("e", "d1", 1), event("f", "d1", 6 * m), event("c", "d1", 3 * m)},
      {event("g", "d3", 6 * m + 1), event("h", "d2", 12 * m)},
      {event("i", "d1", 20 * m)},
  };
}

struct stateful_dedup_model {
  using type = watermark_dedup<device_event>;
  using value_type = device_event;
  static type make() { return type(2 * 60'000); }
  static std::vector<std::vector<device_event>> batches() { return event_batches(); }
};

struct stateful_window_model {
  using type = device_windows;
  using value_type = device_event;
  static type make() { return device_windows::make({60'000, 2 * 60'000}).value(); }
  static std::vector<std::vector<device_event>> batches() { return event_batches(); }
};

}  // namespace

namespace sluice_laws {
INSTANTIATE_TYPED_TEST_SUITE_P(Stream, SourceLaws, ::testing::Types<lines_source_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(Stream, SinkLaws, ::testing::Types<folder_sink_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(Stream, DedupLaws, ::testing::Types<dedup_model>);
// The other suites have no model in sluice/stream.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(IdempotencyLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CheckpointStoreLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DeadLetterSinkLaws);
}  // namespace sluice_laws

namespace stream_laws {
using stateful_models = ::testing::Types<stateful_dedup_model, stateful_window_model>;
INSTANTIATE_TYPED_TEST_SUITE_P(Stream, StatefulTransformLaws, stateful_models);
}  // namespace stream_laws
