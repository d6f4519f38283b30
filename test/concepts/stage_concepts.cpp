// SPDX-License-Identifier: Apache-2.0
// Positive and negative models of every stage concept: each negative model breaks exactly one
// requirement (a missing tag, a missing member, a wrong signature or return type).

#include "sluice/core/at_least_once.hpp"
#include "sluice/core/codecs/raw_view.hpp"
#include "sluice/core/concepts.hpp"
#include "sluice/core/environment.hpp"
#include "sluice/core/memory_sink.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/transforms/dedup_in_batch.hpp"
#include "sluice/core/transforms/filter.hpp"
#include "sluice/core/transforms/map.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace concept_checks {

using namespace sluice;
using ranges_t = std::vector<offset_range>;

// --- source ------------------------------------------------------------------------------------
struct good_source {
  using stage_concept = source_tag;
  result<ranges_t> plan(const source_position&, std::int64_t);
  result<void> read(const ranges_t&, std::vector<source_record>&);
  result<void> commit(const ranges_t&);
};
struct source_without_tag {
  result<ranges_t> plan(const source_position&, std::int64_t);
  result<void> read(const ranges_t&, std::vector<source_record>&);
  result<void> commit(const ranges_t&);
};
struct source_with_wrong_tag {
  using stage_concept = sink_tag;
  result<ranges_t> plan(const source_position&, std::int64_t);
  result<void> read(const ranges_t&, std::vector<source_record>&);
  result<void> commit(const ranges_t&);
};
struct source_without_commit {
  using stage_concept = source_tag;
  result<ranges_t> plan(const source_position&, std::int64_t);
  result<void> read(const ranges_t&, std::vector<source_record>&);
};
struct source_plan_not_result {
  using stage_concept = source_tag;
  ranges_t plan(const source_position&, std::int64_t);
  result<void> read(const ranges_t&, std::vector<source_record>&);
  result<void> commit(const ranges_t&);
};
struct source_not_movable {
  using stage_concept = source_tag;
  source_not_movable(source_not_movable&&) = delete;
  result<ranges_t> plan(const source_position&, std::int64_t);
  result<void> read(const ranges_t&, std::vector<source_record>&);
  result<void> commit(const ranges_t&);
};
// A tag derived from source_tag still opts in.
struct refined_source_tag : source_tag {};
struct refined_source : good_source {
  using stage_concept = refined_source_tag;
};

static_assert(source<good_source>);
static_assert(source<refined_source>);
static_assert(source<memory_source>);
static_assert(!source<source_without_tag>);
static_assert(!source<source_with_wrong_tag>);
static_assert(!source<source_without_commit>);
static_assert(!source<source_plan_not_result>);
static_assert(!source<source_not_movable>);
static_assert(!source<int>);

// --- codec_for ---------------------------------------------------------------------------------
struct good_codec {
  using stage_concept = codec_tag;
  using value_type = int;
  result<void> decode(std::span<const source_record>, std::vector<int>&, reject_list&);
};
struct codec_without_tag {
  using value_type = int;
  result<void> decode(std::span<const source_record>, std::vector<int>&, reject_list&);
};
struct codec_without_value_type {
  using stage_concept = codec_tag;
  result<void> decode(std::span<const source_record>, std::vector<int>&, reject_list&);
};
struct codec_of_strings {  // decodes strings, not source records
  using stage_concept = codec_tag;
  using value_type = int;
  result<void> decode(std::span<const std::string>, std::vector<int>&, reject_list&);
};
struct codec_without_rejects {
  using stage_concept = codec_tag;
  using value_type = int;
  result<void> decode(std::span<const source_record>, std::vector<int>&);
};

static_assert(codec_for<good_codec, source_record>);
static_assert(codec_for<raw_view_codec, source_record>);
static_assert(codec_for<codec_of_strings, std::string>);
static_assert(!codec_for<codec_of_strings, source_record>);
static_assert(!codec_for<codec_without_tag, source_record>);
static_assert(!codec_for<codec_without_value_type, source_record>);
static_assert(!codec_for<codec_without_rejects, source_record>);

// --- transform_for, stateful_transform ----------------------------------------------------------
struct int_to_long {
  using stage_concept = transform_tag;
  using output_type = long;
  result<void> apply(std::vector<int>&, std::vector<long>&, reject_list&);
};
struct int_to_long_without_tag {
  using output_type = long;
  result<void> apply(std::vector<int>&, std::vector<long>&, reject_list&);
};
struct transform_without_output_type {
  using stage_concept = transform_tag;
  result<void> apply(std::vector<int>&, std::vector<long>&, reject_list&);
};
struct transform_returning_void {
  using stage_concept = transform_tag;
  using output_type = long;
  void apply(std::vector<int>&, std::vector<long>&, reject_list&);
};
struct stateful_counter : int_to_long {
  result<void> save_state(std::string&) const;
  result<void> load_state(std::string_view);
};
struct save_not_const : int_to_long {
  result<void> save_state(std::string&);
  result<void> load_state(std::string_view);
};

static_assert(transform_for<int_to_long, int>);
static_assert(!transform_for<int_to_long, std::string>);
static_assert(!transform_for<int_to_long_without_tag, int>);
static_assert(!transform_for<transform_without_output_type, int>);
static_assert(!transform_for<transform_returning_void, int>);
static_assert(transform_for<dedup_in_batch<object>, object>);
static_assert(!transform_for<dedup_in_batch<object>, int>);
static_assert(transform_for<map_transform<int, long (*)(int)>, int>);
static_assert(transform_for<filter_transform<int, bool (*)(const int&)>, int>);
static_assert(stateful_transform<stateful_counter>);
static_assert(transform_for<stateful_counter, int>);
static_assert(!stateful_transform<int_to_long>);
static_assert(!stateful_transform<save_not_const>);
static_assert(!stateful_transform<dedup_in_batch<object>>);

// --- sink_for ----------------------------------------------------------------------------------
struct int_sink {
  using stage_concept = sink_tag;
  result<void> write(std::span<const int>, const batch_plan&);
};
struct int_sink_without_tag {
  result<void> write(std::span<const int>, const batch_plan&);
};
struct sink_without_plan {
  using stage_concept = sink_tag;
  result<void> write(std::span<const int>);
};
struct sink_returning_bool {
  using stage_concept = sink_tag;
  bool write(std::span<const int>, const batch_plan&);
};

static_assert(sink_for<int_sink, int>);
static_assert(!sink_for<int_sink, std::string>);
static_assert(!sink_for<int_sink_without_tag, int>);
static_assert(!sink_for<sink_without_plan, int>);
static_assert(!sink_for<sink_returning_bool, int>);
static_assert(sink_for<null_sink, int>);
static_assert(sink_for<null_sink, object>);
static_assert(sink_for<memory_object_sink, object>);
static_assert(!sink_for<memory_object_sink, int>);

// --- idempotency_policy ------------------------------------------------------------------------
struct good_policy {
  using stage_concept = idempotency_tag;
  result<bool> is_done(const batch_plan&);
  result<void> mark_done(const batch_plan&);
};
struct policy_without_tag {
  result<bool> is_done(const batch_plan&);
  result<void> mark_done(const batch_plan&);
};
struct policy_without_mark_done {
  using stage_concept = idempotency_tag;
  result<bool> is_done(const batch_plan&);
};
struct policy_is_done_bool {
  using stage_concept = idempotency_tag;
  bool is_done(const batch_plan&);
  result<void> mark_done(const batch_plan&);
};

static_assert(idempotency_policy<good_policy>);
static_assert(idempotency_policy<at_least_once>);
static_assert(idempotency_policy<memory_batch_log>);
static_assert(!idempotency_policy<policy_without_tag>);
static_assert(!idempotency_policy<policy_without_mark_done>);
static_assert(!idempotency_policy<policy_is_done_bool>);

// --- checkpoint_store --------------------------------------------------------------------------
struct good_store {
  using stage_concept = checkpoint_store_tag;
  result<void> write_plan(const batch_plan&);
  result<std::optional<batch_plan>> pending();
  result<void> commit(const commit_record&);
  result<std::optional<commit_record>> last_commit();
};
struct store_without_tag {
  result<void> write_plan(const batch_plan&);
  result<std::optional<batch_plan>> pending();
  result<void> commit(const commit_record&);
  result<std::optional<commit_record>> last_commit();
};
struct store_without_pending {
  using stage_concept = checkpoint_store_tag;
  result<void> write_plan(const batch_plan&);
  result<void> commit(const commit_record&);
  result<std::optional<commit_record>> last_commit();
};
struct store_last_commit_not_optional {
  using stage_concept = checkpoint_store_tag;
  result<void> write_plan(const batch_plan&);
  result<std::optional<batch_plan>> pending();
  result<void> commit(const commit_record&);
  result<commit_record> last_commit();
};

static_assert(checkpoint_store<good_store>);
static_assert(checkpoint_store<memory_checkpoint_store>);
static_assert(!checkpoint_store<store_without_tag>);
static_assert(!checkpoint_store<store_without_pending>);
static_assert(!checkpoint_store<store_last_commit_not_optional>);

// --- dead_letter_sink --------------------------------------------------------------------------
struct good_dlq {
  using stage_concept = dead_letter_sink_tag;
  result<void> write(std::int64_t, std::span<const dead_letter>);
};
struct dlq_without_tag {
  result<void> write(std::int64_t, std::span<const dead_letter>);
};
struct dlq_without_batch_id {
  using stage_concept = dead_letter_sink_tag;
  result<void> write(std::span<const dead_letter>);
};

static_assert(dead_letter_sink<good_dlq>);
static_assert(dead_letter_sink<memory_dead_letter_sink>);
static_assert(!dead_letter_sink<dlq_without_tag>);
static_assert(!dead_letter_sink<dlq_without_batch_id>);
static_assert(!dead_letter_sink<int_sink>);  // a value sink is not a dead-letter sink

// --- progress_reporter, runner_environment -----------------------------------------------------
struct good_reporter {
  using stage_concept = progress_reporter_tag;
  void report(const progress_record&);
};
struct reporter_without_tag {
  void report(const progress_record&);
};
struct reporter_returning_result {
  using stage_concept = progress_reporter_tag;
  result<void> report(const progress_record&);
};

static_assert(progress_reporter<good_reporter>);
static_assert(progress_reporter<null_progress>);
static_assert(progress_reporter<json_lines_progress>);
static_assert(!progress_reporter<reporter_without_tag>);
static_assert(!progress_reporter<reporter_returning_result>);

struct env_without_tag {
  std::int64_t wall_ms();
  std::int64_t monotonic_ns();
  bool sleep_for(std::chrono::milliseconds, const stop_flag&);
  std::uint64_t random_u64();
};
struct env_without_random {
  using stage_concept = environment_tag;
  std::int64_t wall_ms();
  std::int64_t monotonic_ns();
  bool sleep_for(std::chrono::milliseconds, const stop_flag&);
};

static_assert(runner_environment<system_environment>);
static_assert(!runner_environment<env_without_tag>);
static_assert(!runner_environment<env_without_random>);

// --- empty policies --------------------------------------------------------------------------
static_assert(std::is_empty_v<at_least_once>);
static_assert(std::is_empty_v<raw_view_codec>);
static_assert(std::is_empty_v<null_progress>);

}  // namespace concept_checks
