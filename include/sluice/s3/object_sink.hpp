// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `s3::object_sink`: writes `object`s as S3 objects `PREFIX/<key>` under `s3://BUCKET/PREFIX`,
/// concurrently (curl multi, a bound on requests in flight), each PUT atomic.

#include "sluice/core/concepts/sink.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/record.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/s3/location.hpp"
#include "sluice/store/key.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice::inline v0::s3 {

/// A sink of `object`s on S3: `object{key, bytes}` becomes the object `PREFIX/key` of `BUCKET`.
///
/// Semantics:
/// - Atomic: one PUT per object; S3 shows the old object or the new one, never a part.
/// - Idempotent: a replayed batch PUTs the same bytes under the same keys again, which leaves
///   the bucket as it was.
/// - Concurrent: the objects of a batch are PUT through the client's multi handle, at most
///   `client_options::max_in_flight` at a time, each retried on its own (see `s3::client`). Two
///   objects with the same key: the last wins (the earlier is not written). On errors every
///   object is still attempted, and the error of the first failing object (in batch order) is
///   returned once all finished; a retry of the batch converges.
/// - Safe keys only (defence in depth, as `fs::file_sink`): an unsafe key fails the whole batch
///   with `errc::invalid_argument` before anything is sent.
/// Errors: `errc::invalid_argument`; the client's errors (`errc::access_denied` at once,
/// retriable ones after the client's retry budget).
/// Blocking: until every PUT finished. Thread-safety: none; one sink per pipeline (it may share
/// its client with the other S3 stages of the pipeline).
class object_sink {
 public:
  using stage_concept = sink_tag;

  /// What the sink did so far (for tests and progress reports).
  struct counters {
    std::int64_t written = 0;   ///< objects PUT successfully
    std::int64_t bytes = 0;     ///< their bytes
  };

  /// A sink writing under `where`, through `c`.
  object_sink(std::shared_ptr<client> c, location where) : client_(std::move(c)), where_(std::move(where)) {}

  /// Writes every object of the batch (see the class comment).
  result<void> write(std::span<const object> objects, const batch_plan& /*plan*/) {
    SLUICE_TRY(origin, store::last_of_each_key(objects));
    std::vector<std::string> keys;
    keys.reserve(origin.size());
    for (const auto i : origin) keys.push_back(where_.key_of(objects[i].key));
    std::vector<put_item> items;
    items.reserve(keys.size());
    for (std::size_t k = 0; k < keys.size(); ++k) items.push_back({keys[k], objects[origin[k]].bytes});
    const auto errors = client_->put_objects(where_.bucket, items);
    std::error_code first;
    for (std::size_t k = 0; k < errors.size(); ++k) {
      if (errors[k]) {
        if (!first) first = errors[k];
        continue;
      }
      ++counters_.written;
      counters_.bytes += static_cast<std::int64_t>(items[k].bytes.size());
    }
    if (first) return first;
    return success();
  }

  /// Where the sink writes.
  [[nodiscard]] const location& where() const noexcept { return where_; }

  /// What the sink did so far.
  [[nodiscard]] const counters& stats() const noexcept { return counters_; }

  /// The client it sends requests through (for `last_error()` and its counters).
  [[nodiscard]] client& connection() const noexcept { return *client_; }

 private:
  std::shared_ptr<client> client_;
  location where_;
  counters counters_;
};

static_assert(sink_for<object_sink, object>);

}  // namespace sluice::inline v0::s3
