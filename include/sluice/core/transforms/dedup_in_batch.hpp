// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `dedup_in_batch<T, KeyFn>`: drops values whose key was already seen in the same batch,
/// keeping the first occurrence. The schema writer uses it on `object`s, whose key
/// (`<db.schema.table>/<fingerprint>.avsc`) is exactly (table, fingerprint).

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/fwd.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/reject.hpp"

#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sluice::inline v0 {

/// Projection of an `object` to its key.
struct by_object_key {
  [[nodiscard]] const std::string& operator()(const object& o) const noexcept { return o.key; }
};

/// The key projection `dedup_in_batch<T>` uses when none is given: the value itself, or
/// `by_object_key` for `object`. Specialize it for your value types.
template <class T>
struct default_dedup_key {
  using type = std::identity;
};
template <>
struct default_dedup_key<object> {
  using type = by_object_key;
};

namespace detail {
// Keys that are references to strings are kept as views into the batch's output values.
template <class R>
struct dedup_key_storage {
  using type = std::remove_cvref_t<R>;
};
template <class R>
  requires std::is_lvalue_reference_v<R> && std::same_as<std::remove_cvref_t<R>, std::string>
struct dedup_key_storage<R> {
  using type = std::string_view;
};
}  // namespace detail

/// A transform keeping only the first value of each key within one batch (values keep their
/// order). Dropped values are neither output nor rejected; `dropped()` counts them.
///
/// `KeyFn` maps `const T&` to a key hashable with `std::hash`; a key returned as a reference to
/// a `std::string` is not copied. Stateless across batches (it does not model
/// `stateful_transform`): a replayed batch is deduplicated exactly as the first time.
/// Errors: none. Thread-safety: none. Complexity: expected linear in the batch.
template <class T, class KeyFn>
class dedup_in_batch {
  using key_result = std::invoke_result_t<const KeyFn&, const T&>;
  using key_type = typename detail::dedup_key_storage<key_result>::type;

 public:
  using stage_concept = transform_tag;
  using output_type = T;

  dedup_in_batch() = default;
  explicit dedup_in_batch(KeyFn key) : key_(std::move(key)) {}

  /// Moves the first value of each key from `in` to `out`.
  result<void> apply(std::vector<T>& in, std::vector<T>& out, reject_list&) {
    seen_.clear();
    // Reserving first keeps the keys viewed in `out` in place while this batch is deduplicated.
    out.reserve(out.size() + in.size());
    for (auto& v : in) {
      out.push_back(std::move(v));
      if (!seen_.insert(key_type(std::invoke(key_, std::as_const(out.back())))).second) {
        out.pop_back();
        ++dropped_;
      }
    }
    seen_.clear();  // the views must not outlive this batch
    return success();
  }

  /// Values dropped as duplicates, over all batches.
  [[nodiscard]] std::int64_t dropped() const noexcept { return dropped_; }

 private:
  [[no_unique_address]] KeyFn key_{};
  std::unordered_set<key_type> seen_;
  std::int64_t dropped_ = 0;
};

}  // namespace sluice::inline v0
