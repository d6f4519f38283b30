// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The `log_store` concept: the small key-value store under the completed-batches log (a
/// directory on the local file system, a bucket prefix on S3).

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inline v0::idempotency {

/// Opt-in tag of `log_store` models: `using stage_concept = idempotency::log_store_tag;`.
struct log_store_tag {};

/// A store of small blobs under relative, `/`-separated keys (like object keys on S3).
///
/// Syntax: `s.put(key, bytes)` → `result<void>`, `s.get(key)` →
/// `result<std::optional<std::string>>`, `s.list(prefix)` → `result<std::vector<std::string>>`.
///
/// Semantics:
/// - `put` is atomic and durable when it returns: a reader (in any process, also after a crash)
///   sees the old blob or the new one, never a part; `put` of an existing key replaces it.
/// - `get` returns the blob last put under `key`, or an empty optional if there is none.
/// - `list(prefix)` returns every key that starts with `prefix` (a plain string prefix, which
///   may end inside a segment), sorted, each once; leftovers of interrupted `put`s are not keys.
/// - Keys are safe relative keys (`fs::check_relative_key`); a store refuses others with
///   `errc::invalid_argument`.
/// Blocking: yes (file system or network I/O).
template <class S>
concept log_store = sluice::detail::declares<S, log_store_tag> &&
                    requires(S& s, std::string_view key, std::string_view bytes) {
                      { s.put(key, bytes) } -> std::same_as<result<void>>;
                      { s.get(key) } -> std::same_as<result<std::optional<std::string>>>;
                      { s.list(key) } -> std::same_as<result<std::vector<std::string>>>;
                    };

}  // namespace sluice::inline v0::idempotency
