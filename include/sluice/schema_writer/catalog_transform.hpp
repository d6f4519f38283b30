// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `catalog_transform`: the schema writer's transform, `schema_message`s to catalog `object`s
/// (docs/architecture.md §2, steps 2–5): normalize the key, drop the envelope schema, fingerprint the
/// raw schema, preprocess it, and name the result `<db.schema.table>/<fingerprint>.avsc`.

#include "sluice/avro/avro.hpp"
#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/schema_writer/normalize_key.hpp"
#include "sluice/schema_writer/schema_message.hpp"
#include "sluice/schema_writer/wrapper_filter.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::schema_writer {

/// Options of `catalog_transform`.
struct catalog_options {
  /// Lowercase field names in the written schema (Spark resolves columns case-insensitively,
  /// and some readers do not); the fingerprint is always of the raw schema.
  bool lowercase_field_names = true;
  /// Decimal precision cap of the written schema (Spark's maximum).
  unsigned max_decimal_precision = 38;
};

/// What `catalog_transform` did with the messages it saw, since it was made.
struct catalog_stats {
  std::int64_t entries = 0;   ///< catalog objects produced (before in-batch dedup)
  std::int64_t filtered = 0;  ///< envelope schemas dropped on purpose (not dead letters)
  std::int64_t rejected = 0;  ///< messages refused into the dead letters
  friend bool operator==(const catalog_stats&, const catalog_stats&) = default;
};

/// The catalog key of a schema: `<db.schema.table>/<fingerprint>.avsc`, with the fingerprint as
/// Java's `Long.toString` prints it (e.g. `-7631826525557311234`).
///
/// `table` must be a normalized key (`normalize_key`), which keeps the result a safe relative
/// path: no `/` inside the table, no `..`.
/// Thread-safety: pure.
[[nodiscard]] inline std::string catalog_key(std::string_view table, std::int64_t fingerprint) {
  std::string key;
  key.reserve(table.size() + 26);
  key += table;
  key += '/';
  key += avro::fingerprint_decimal(fingerprint);
  key += ".avsc";
  return key;
}

/// Turns schema messages into catalog objects, one per message that is a table schema.
///
/// Per message, in this order (the first step that decides wins):
/// 1. a key naming the envelope schema (`generic_wrapper`, `oracle.goldengate.generic_wrapper`,
///    any case) → filtered: dropped and counted in `stats().filtered`, not a dead letter;
/// 2. a key that `normalize_key` refuses → reject with its reason;
/// 3. a payload that is not a valid Avro schema (as Java Avro's parser decides) → reject with
///    "invalid Avro schema: <JSON path>: <problem>";
/// 4. a schema whose top-level full name is `oracle.goldengate.generic_wrapper` → filtered (this
///    catches the envelope sent without a key, or under a table's key);
/// 5. no key → reject "message has no key …";
/// 6. preprocessing fails (lowercased field names collide) → reject with the reason;
/// 7. otherwise `object{catalog_key(table, fingerprint of the RAW schema), preprocessed schema,
///    origin}`. The bytes are deterministic (minified JSON in input key order), so a replayed
///    write of the same object is harmless.
///
/// Models `transform_for<catalog_transform, schema_message>`; stateless as a function of the
/// batch (the parser only amortises allocations, the stats only count).
/// Errors: none at batch level; bad messages are rejects.
/// Thread-safety: none (owns a reusable `avro::schema_parser`); one instance per pipeline.
/// Complexity: linear in the bytes of the batch (two parses per message: fingerprint of the raw
/// schema, then preprocess).
class catalog_transform {
 public:
  using stage_concept = transform_tag;
  using output_type = object;

  catalog_transform() = default;
  explicit catalog_transform(catalog_options opt) : opt_(opt) {}

  /// Consumes `in`, appending one object per table schema to `out`; rejects go to `rejects`.
  result<void> apply(std::vector<schema_message>& in, std::vector<object>& out,
                     reject_list& rejects) {
    out.reserve(out.size() + in.size());
    const avro::preprocess_options popt{opt_.lowercase_field_names, opt_.max_decimal_precision};
    for (schema_message& msg : in) {
      if (msg.key && is_wrapper_schema(*msg.key, {})) {
        ++stats_.filtered;
        continue;
      }
      std::string table;
      if (msg.key) {
        auto normalized = normalize_key(*msg.key);
        if (!normalized.has_value()) {
          reject(rejects, msg.origin, std::move(normalized.error().reason));
          continue;
        }
        table = std::move(normalized.value());
      }

      avro::parse_error err;
      auto analysed = parser_.analyse(msg.payload, &err);
      if (!analysed) {
        reject(rejects, msg.origin, "invalid Avro schema: " + err.to_string());
        continue;
      }
      // Views into the parser die at its next call: take what we need now.
      const std::int64_t fingerprint = analysed.value().fingerprint;
      if (is_wrapper_schema({}, analysed.value().full_name)) {
        ++stats_.filtered;
        continue;
      }
      if (!msg.key) {
        reject(rejects, msg.origin,
               "message has no key; expected the table name db.schema.table");
        continue;
      }

      avro::parse_error perr;
      auto processed = parser_.preprocess(msg.payload, popt, &perr);
      if (!processed) {
        reject(rejects, msg.origin, "cannot preprocess the schema: " + perr.to_string());
        continue;
      }
      out.push_back(object{catalog_key(table, fingerprint), std::string(processed.value()),
                           msg.origin});
      ++stats_.entries;
    }
    in.clear();
    return success();
  }

  /// Counts since construction; `filtered` is the number reported as "filtered" per batch.
  [[nodiscard]] const catalog_stats& stats() const noexcept { return stats_; }

  /// The options this transform applies.
  [[nodiscard]] const catalog_options& options() const noexcept { return opt_; }

 private:
  void reject(reject_list& rejects, std::size_t origin, std::string reason) {
    rejects.add(origin, std::move(reason));
    ++stats_.rejected;
  }

  catalog_options opt_{};
  avro::schema_parser parser_{};
  catalog_stats stats_{};
};

}  // namespace sluice::inline v0::schema_writer
