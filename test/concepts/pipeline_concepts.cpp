// SPDX-License-Identifier: Apache-2.0
// The template head of `pipeline`: which stage lists compose and which do not, the types a
// composition computes, and the zero-size cost of empty stages.

#include "sluice/core/at_least_once.hpp"
#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/transforms/dedup_in_batch.hpp"
#include "sluice/core/transforms/filter.hpp"
#include "sluice/core/transforms/map.hpp"
#include "sluice/idempotency/none.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pipeline_checks {

using namespace sluice;

template <class... S>
concept composes = requires { typename pipeline<S...>; };

struct int_codec {
  using stage_concept = codec_tag;
  using value_type = int;
  result<void> decode(std::span<const source_record>, std::vector<int>&, reject_list&);
};
struct int_to_long {
  using stage_concept = transform_tag;
  using output_type = long;
  result<void> apply(std::vector<int>&, std::vector<long>&, reject_list&);
};
struct long_to_string {
  using stage_concept = transform_tag;
  using output_type = std::string;
  result<void> apply(std::vector<long>&, std::vector<std::string>&, reject_list&);
};
struct int_to_int {
  using stage_concept = transform_tag;
  using output_type = int;
  result<void> apply(std::vector<int>&, std::vector<int>&, reject_list&);
};
struct stateful_int {
  using stage_concept = transform_tag;
  using output_type = int;
  result<void> apply(std::vector<int>&, std::vector<int>&, reject_list&);
  result<void> save_state(std::string&) const;
  result<void> load_state(std::string_view);
};
struct long_sink {
  using stage_concept = sink_tag;
  result<void> write(std::span<const long>, const batch_plan&);
};
struct string_sink {
  using stage_concept = sink_tag;
  result<void> write(std::span<const std::string>, const batch_plan&);
};
struct policy_without_mark_done {
  using stage_concept = idempotency_tag;
  result<bool> is_done(const batch_plan&);
};
struct long_sink_without_tag {
  result<void> write(std::span<const long>, const batch_plan&);
};

// --- compositions that hold -------------------------------------------------------------------
static_assert(composes<memory_source, raw_view_codec, null_sink>);
static_assert(composes<memory_source, raw_view_codec, null_sink, at_least_once>);
static_assert(composes<memory_source, raw_view_codec, null_sink, memory_batch_log>);
static_assert(composes<memory_source, int_codec, int_to_long, long_sink>);
static_assert(composes<memory_source, int_codec, int_to_long, long_to_string, string_sink>);
static_assert(composes<memory_source, int_codec, int_to_int, int_to_int, int_to_int, int_to_int,
                       int_to_int, int_to_int, int_to_int, int_to_long, long_sink, at_least_once>);

// --- compositions that do not ----------------------------------------------------------------
static_assert(!composes<memory_source, null_sink>);                          // too few stages
static_assert(!composes<raw_view_codec, memory_source, null_sink>);          // order
static_assert(!composes<memory_source, int_codec, long_sink>);               // int into long sink
static_assert(!composes<memory_source, int_codec, long_to_string, string_sink>);  // int into long→
static_assert(!composes<memory_source, int_codec, int_to_long, string_sink>);
static_assert(!composes<memory_source, int_codec, int_to_long, long_sink, policy_without_mark_done>);
static_assert(!composes<memory_source, int_codec, int_to_long, long_sink_without_tag>);
static_assert(!composes<memory_source, int_codec, int_to_int, int_to_int, int_to_int, int_to_int,
                        int_to_int, int_to_int, int_to_int, int_to_int, int_to_long, long_sink>);  // 9

// --- what a composition computes -------------------------------------------------------------
using p3 = pipeline<memory_source, int_codec, int_to_long, long_to_string, string_sink>;
static_assert(std::is_same_v<p3::value_type, std::string>);
static_assert(std::is_same_v<p3::values_after_t<0>, int>);
static_assert(std::is_same_v<p3::values_after_t<1>, long>);
static_assert(p3::transform_count == 2);
static_assert(std::is_same_v<p3::transform_type<1>, long_to_string>);
static_assert(std::is_same_v<p3::sink_type, string_sink>);
static_assert(std::is_same_v<p3::idempotency_type, at_least_once>);  // the default
static_assert(!p3::has_state);
static_assert(pipeline<memory_source, int_codec, int_to_int, stateful_int, int_to_long, long_sink>::has_state);
static_assert(std::is_same_v<pipeline<memory_source, raw_view_codec, null_sink, memory_batch_log>::idempotency_type,
                             memory_batch_log>);
static_assert(runnable_pipeline<p3>);
static_assert(!runnable_pipeline<memory_source>);

// make_pipeline deduces the same type.
static_assert(std::is_same_v<decltype(make_pipeline(std::declval<memory_source>(), int_codec{},
                                                    int_to_long{}, long_to_string{}, string_sink{})),
                             p3>);

// --- zero overhead: empty stages take no space -----------------------------------------------
struct empty_source {
  using stage_concept = source_tag;
  result<std::vector<offset_range>> plan(const source_position&, std::int64_t);
  result<void> read(const std::vector<offset_range>&, std::vector<source_record>&);
  result<void> commit(const std::vector<offset_range>&);
};
static_assert(std::is_empty_v<int_codec> && std::is_empty_v<int_to_long> && std::is_empty_v<at_least_once>);
// An explicit empty policy adds nothing over the default one.
static_assert(std::is_empty_v<idempotency::none>);
static_assert(sizeof(pipeline<memory_source, raw_view_codec, null_sink, idempotency::none>) ==
              sizeof(pipeline<memory_source, raw_view_codec, null_sink>));
static_assert(sizeof(pipeline<memory_source, raw_view_codec, null_sink, at_least_once>) ==
              sizeof(pipeline<memory_source, raw_view_codec, null_sink>));
// Empty codec, transforms and policy cost nothing: the pipeline is its source plus its sink.
static_assert(sizeof(pipeline<memory_source, raw_view_codec, null_sink>) ==
              sizeof(memory_source) + sizeof(null_sink));
static_assert(sizeof(pipeline<memory_source, int_codec, int_to_long, long_sink, at_least_once>) ==
              sizeof(memory_source));
static_assert(sizeof(pipeline<memory_source, int_codec, int_to_int, int_to_long, long_to_string,
                              string_sink, at_least_once>) == sizeof(memory_source));
// All stages empty: one byte, like any empty object.
static_assert(sizeof(pipeline<empty_source, int_codec, int_to_long, long_sink, at_least_once>) == 1);
// A stateful policy costs exactly its own size (plus alignment).
static_assert(sizeof(pipeline<memory_source, raw_view_codec, null_sink, memory_batch_log>) ==
              sizeof(memory_source) + sizeof(null_sink) + sizeof(memory_batch_log));
// Lambdas without captures are empty stages too.
inline constexpr auto is_even = [](const int& v) { return v % 2 == 0; };
static_assert(sizeof(pipeline<memory_source, int_codec, filter_transform<int, std::decay_t<decltype(is_even)>>,
                              int_to_long, long_sink>) == sizeof(memory_source) + sizeof(std::int64_t));

}  // namespace pipeline_checks
