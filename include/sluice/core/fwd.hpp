// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Forward declarations of everything in `sluice/core/`. A header that only *names* one of these
/// types includes this file instead of the defining header (Hana's `fwd/`). It includes the stage
/// concepts, because `pipeline`'s declaration carries its template-head constraint.

#include "sluice/core/detail/pipeline_shape.hpp"

#include <cstdint>

namespace sluice::inline v0 {

// record.hpp, reject.hpp, object.hpp
struct offset_range;
struct batch_plan;
struct source_record;
struct record_view;
struct reject;
class reject_list;
struct object;

// concepts/
struct commit_record;
struct dead_letter;

// stop.hpp
class stop_flag;

// environment.hpp
struct system_environment;

// progress.hpp
struct progress_record;
class json_lines_progress;
struct null_progress;

// fair_share.hpp
struct partition_backlog;

// retry.hpp, splitmix64.hpp
struct retry_options;
class splitmix64;

// runner.hpp
struct runner_options;
struct run_summary;
enum class batch_outcome;
template <class Pipeline, class Ckpt, class Dlq, class Progress, class Env = system_environment>
class runner;

// pipeline.hpp
template <class... Stages>
  requires detail::pipeline_stages<Stages...>
class pipeline;

// at_least_once.hpp
struct at_least_once;
template <class Sink>
struct default_idempotency;  // declared in detail/pipeline_shape.hpp, defined in at_least_once.hpp

// memory_source.hpp, null_sink.hpp, memory_sink.hpp, memory_stores.hpp
class memory_source;
class null_sink;
class memory_object_sink;
class memory_checkpoint_store;
class memory_dead_letter_sink;
class memory_batch_log;

// codecs/raw_view.hpp
struct raw_view;
struct raw_view_codec;

// transforms/
struct by_object_key;
template <class T>
struct default_dedup_key;
template <class T, class KeyFn = typename default_dedup_key<T>::type>
class dedup_in_batch;
template <class In, class Fn>
class map_transform;
template <class In, class Pred>
class filter_transform;

}  // namespace sluice::inline v0
