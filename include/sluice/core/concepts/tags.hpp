// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Stage tags: a stage opts into a concept with `using stage_concept = sluice::<kind>_tag;`, so a
/// type never models a stage concept by accident (stdexec's `receiver_concept`).

#include <concepts>

namespace sluice::inline v0 {

struct source_tag {};            ///< plans batches and reads their records
struct codec_tag {};             ///< decodes a batch of source records into values
struct transform_tag {};         ///< maps a batch of values to a batch of values
struct sink_tag {};              ///< writes a batch of values, idempotently
struct idempotency_tag {};       ///< knows which batches were already applied
struct checkpoint_store_tag {};  ///< keeps the write-ahead plan and the commit log
struct dead_letter_sink_tag {};  ///< keeps the dead letters of each batch

namespace detail {
/// `T` declares it models the stage kind `Tag` (or a kind derived from it).
template <class T, class Tag>
concept declares = requires { typename T::stage_concept; } &&
                   std::derived_from<typename T::stage_concept, Tag>;
}  // namespace detail

}  // namespace sluice::inline v0
