// SPDX-License-Identifier: Apache-2.0
// The law suites of laws.hpp run against every model in sluice/core/.

#include "laws.hpp"

#include "sluice/core/at_least_once.hpp"
#include "sluice/core/memory_sink.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/transforms/dedup_in_batch.hpp"

#include <gtest/gtest.h>

namespace {

using namespace sluice;

struct memory_source_model {
  using type = memory_source;
  static type make() {
    memory_source s;
    for (int i = 0; i < 12; ++i) s.push("orders", 0, "k" + std::to_string(i), "v" + std::to_string(i));
    for (int i = 0; i < 5; ++i) s.push("orders", 2, std::nullopt, "w" + std::to_string(i));
    // A compacted partition: offsets with gaps.
    for (const std::int64_t o : {3, 4, 9, 10, 11, 20, 21, 40}) {
      EXPECT_TRUE(s.add(source_record{"payments", 1, o, 1000 + o, std::string("p"), std::nullopt, std::nullopt}));
    }
    return s;
  }
  static type reopen(type& s) { return s; }
};
}  // namespace
namespace sluice_laws {
INSTANTIATE_TYPED_TEST_SUITE_P(Core, SourceLaws, ::testing::Types<memory_source_model>);
}  // namespace sluice_laws
namespace {

struct memory_object_sink_model {
  using type = memory_object_sink;
  using value_type = object;
  static type make() { return {}; }
  static std::vector<object> values() {
    return {object{"db.s.t/1.avsc", "{}", 0}, object{"db.s.u/-2.avsc", "[1]", 1}};
  }
  static auto contents(type& k) { return k.contents(); }
};
}  // namespace
namespace sluice_laws {
INSTANTIATE_TYPED_TEST_SUITE_P(Core, SinkLaws, ::testing::Types<memory_object_sink_model>);
}  // namespace sluice_laws
namespace {

struct at_least_once_model {
  using type = at_least_once;
  static constexpr bool remembers = false;
  static type make() { return {}; }
};
struct memory_batch_log_model {
  using type = memory_batch_log;
  static constexpr bool remembers = true;
  static type make() { return {}; }
  static std::size_t records(type& p) { return p.done().size(); }
};
}  // namespace
namespace sluice_laws {
using idempotency_models = ::testing::Types<at_least_once_model, memory_batch_log_model>;
INSTANTIATE_TYPED_TEST_SUITE_P(Core, IdempotencyLaws, idempotency_models);
}  // namespace sluice_laws
namespace {

struct memory_checkpoint_store_model {
  using type = memory_checkpoint_store;
  static type make() { return {}; }
  static type reopen(type& s) { return s; }
};
}  // namespace
namespace sluice_laws {
INSTANTIATE_TYPED_TEST_SUITE_P(Core, CheckpointStoreLaws,
                               ::testing::Types<memory_checkpoint_store_model>);
}  // namespace sluice_laws
namespace {

struct memory_dead_letter_sink_model {
  using type = memory_dead_letter_sink;
  static type make() { return {}; }
  static std::vector<dead_letter> contents(type& d) { return d.letters(); }
};
}  // namespace
namespace sluice_laws {
INSTANTIATE_TYPED_TEST_SUITE_P(Core, DeadLetterSinkLaws,
                               ::testing::Types<memory_dead_letter_sink_model>);
}  // namespace sluice_laws
namespace {

struct object_dedup_model {
  using type = dedup_in_batch<object>;
  using value_type = object;
  static type make() { return {}; }
  static std::vector<object> batch() {
    return {object{"a/1.avsc", "x", 0}, object{"b/1.avsc", "y", 1}, object{"a/1.avsc", "x", 2},
            object{"a/2.avsc", "z", 3}, object{"b/1.avsc", "y", 4}};
  }
  static const std::string& key(const object& o) { return o.key; }
};

struct table_fp {
  std::string table;
  std::int64_t fingerprint = 0;
  int origin = 0;
  friend bool operator==(const table_fp&, const table_fp&) = default;
};
struct table_fp_key {
  std::string operator()(const table_fp& v) const { return v.table + '/' + std::to_string(v.fingerprint); }
};
struct projected_dedup_model {
  using type = dedup_in_batch<table_fp, table_fp_key>;
  using value_type = table_fp;
  static type make() { return {}; }
  static std::vector<table_fp> batch() {
    // Long tables (no small-string optimisation) and short ones.
    const std::string long_table(100, 't');
    return {{"a", 1, 0}, {long_table, 1, 1}, {"a", 2, 2}, {long_table, 1, 3}, {"a", 1, 4}, {"b", -1, 5}};
  }
  static std::string key(const table_fp& v) { return table_fp_key{}(v); }
};
}  // namespace
namespace sluice_laws {
using dedup_models = ::testing::Types<object_dedup_model, projected_dedup_model>;
INSTANTIATE_TYPED_TEST_SUITE_P(Core, DedupLaws, dedup_models);
}  // namespace sluice_laws
namespace {

}  // namespace
