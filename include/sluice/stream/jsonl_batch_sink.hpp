// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `jsonl_batch_sink<T, ObjectSink>`: the values of each batch as one JSON-lines object (one line
/// per value, written by `fs::line_formatter<T>`) in an object sink (a folder with
/// `fs::file_sink`, a bucket with an S3 object sink), named by `batch_object_key` so a replayed
/// batch rewrites the same object.

#include "sluice/core/concepts/sink.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/record.hpp"
#include "sluice/fs/stdout_sink.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::inline v0::stream {

/// The key of the object holding the values of batch `plan`:
/// `<prefix>part-<topic>-<partition>-<from>.jsonl` from the batch's first range, `<from>`
/// zero-padded to 20 digits so names sort in offset order, characters of the topic outside
/// `[A-Za-z0-9._-]` written as `_`. A `/` is put between a non-empty prefix and the name when the
/// prefix does not end in one. Deterministic, so a replayed batch rewrites the same object; the
/// offset range makes it unique per partition, also when several partitions (each with its own
/// batch ids) write to one prefix.
[[nodiscard]] inline std::string batch_object_key(std::string_view prefix, const batch_plan& plan) {
  std::string key(prefix);
  if (!key.empty() && key.back() != '/') key.push_back('/');
  key += "part-";
  std::string_view topic = "batch";
  std::int32_t partition = 0;
  std::int64_t from = plan.batch_id;
  if (!plan.ranges.empty()) {
    topic = plan.ranges.front().topic;
    partition = plan.ranges.front().partition;
    from = plan.ranges.front().from;
  }
  for (const char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    key.push_back(ok ? c : '_');
  }
  key.push_back('-');
  key += std::to_string(partition);
  key.push_back('-');
  const std::string digits = std::to_string(from < 0 ? 0 : from);
  key.append(digits.size() < 20 ? 20 - digits.size() : 0, '0');
  key += digits;
  key += ".jsonl";
  return key;
}

/// A sink writing the values of each batch as one JSON-lines object (`fs::line_formatter<T>` per
/// line) named by `batch_object_key` into an object sink (`fs::file_sink`, an S3 sink, …).
///
/// A batch without values writes nothing. Idempotent as its inner sink: a replayed batch has the
/// same rows (the stages are deterministic and their state is restored from the checkpoint), so
/// it rewrites the same bytes under the same key.
/// Errors: those of the inner sink. Blocking: as the inner sink. Thread-safety: none.
template <class T, class ObjectSink>
  requires fs::line_formattable<T> && sink_for<ObjectSink, object>
class jsonl_batch_sink {
 public:
  using stage_concept = sink_tag;

  explicit jsonl_batch_sink(ObjectSink inner, std::string prefix = {})
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}

  /// Writes `values` as one object (nothing if empty).
  result<void> write(std::span<const T> values, const batch_plan& plan) {
    if (values.empty()) return success();
    object o;
    o.key = batch_object_key(prefix_, plan);
    for (const auto& v : values) {
      fs::line_formatter<T>{}(o.bytes, v);
      o.bytes.push_back('\n');
    }
    SLUICE_TRYV(inner_.write(std::span<const object>(&o, 1), plan));
    ++objects_;
    rows_ += static_cast<std::int64_t>(values.size());
    return success();
  }

  /// The inner sink.
  [[nodiscard]] ObjectSink& inner() noexcept { return inner_; }
  [[nodiscard]] const ObjectSink& inner() const noexcept { return inner_; }
  /// Objects and rows written so far (replays included).
  [[nodiscard]] std::int64_t objects() const noexcept { return objects_; }
  [[nodiscard]] std::int64_t rows() const noexcept { return rows_; }

 private:
  ObjectSink inner_;
  std::string prefix_;
  std::int64_t objects_ = 0;
  std::int64_t rows_ = 0;
};

}  // namespace sluice::inline v0::stream
