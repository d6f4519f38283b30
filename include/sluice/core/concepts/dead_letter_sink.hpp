// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `dead_letter_sink` concept and the dead-letter record.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sluice::inline v0 {

/// A rejected message as kept for people to inspect and replay: one JSON line each, with topic,
/// partition, offset, key, payload (base64 where not UTF-8), reason and time.
struct dead_letter {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;       ///< raw bytes; absent for a null key
  std::optional<std::string> payload;   ///< raw bytes; absent for a tombstone
  std::string reason;
  std::int64_t time_ms = 0;             ///< when it was rejected, ms since the epoch
  friend bool operator==(const dead_letter&, const dead_letter&) = default;
};

/// Keeps the dead letters of each batch.
///
/// Syntax: `d.write(batch_id, letters)` → `result<void>`.
///
/// Semantics (checked by test/laws): called once per batch that has rejects, before the batch is
/// marked done; a call for a batch id whose letters are already stored (a replay) stores nothing
/// new, so no dead letter is ever kept twice. Writes are atomic per batch.
template <class D>
concept dead_letter_sink = detail::declares<D, dead_letter_sink_tag> &&
                           requires(D& d, std::int64_t batch_id, std::span<const dead_letter> letters) {
                             { d.write(batch_id, letters) } -> std::same_as<result<void>>;
                           };

}  // namespace sluice::inline v0
