// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Parsing of Avro schema JSON exactly as Java Avro 1.12.2 (`new Schema.Parser().parse(String)`)
/// accepts it, its Parsing Canonical Form and CRC-64-AVRO fingerprint (Java's
/// `SchemaNormalization.toParsingForm` / `parsingFingerprint64`), and the Spark-oriented
/// preprocessing (lowercased field names, capped decimal precision).
///
/// What Java accepts beyond strict JSON, and so does this parser: `/* */` and `//` comments before
/// and inside the schema (not after it), duplicate object keys (the last one wins), lone surrogate
/// escapes, numbers of any magnitude (up to 1000 characters), trailing bytes <= 0x20 after the
/// schema; and forward references to named types defined later in the same schema.
/// What it rejects like Java: `#` comments, a BOM, trailing commas, single quotes, unescaped
/// control characters in strings, nesting deeper than 1000, dangling content after the schema,
/// invalid names (Java's `Character.isLetter`/`isLetterOrDigit` per UTF-16 unit), defaults that do
/// not match their type, duplicate fields, symbols and union branches, redefinitions that differ.

#include <sluice/avro/crc64.hpp>
#include <sluice/avro/detail/fast_path.hpp>
#include <sluice/avro/detail/schema_engine.hpp>
#include <sluice/avro/parse_error.hpp>
#include <sluice/core/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::inline v0::avro {

/// Options of `preprocess`.
struct preprocess_options {
  /// Lowercase (ASCII) every record field name; two fields of one record that collide when
  /// lowercased make the call fail with `errc::duplicate_name`.
  bool lowercase_field_names = true;
  /// Decimal logical types with a larger integral `precision` get this precision, and their
  /// `scale` becomes `min(scale, max_decimal_precision)`.
  unsigned max_decimal_precision = 38;
};

/// A reusable schema parser: amortises its buffers over calls, so keep one per thread.
///
/// Views returned by a call stay valid until the next call on the same object.
/// Thread-safety: not thread-safe; distinct objects may be used concurrently.
class schema_parser {
 public:
  /// What `analyse` returns: fingerprint, canonical form and the top-level full name.
  struct analysis {
    std::int64_t fingerprint;    ///< CRC-64-AVRO of `canonical`, as Java's signed long
    std::string_view canonical;  ///< Parsing Canonical Form (UTF-8)
    std::string_view full_name;  ///< full name of the top-level named type, "" for other schemas
  };

  /// Parses `json` and computes its canonical form, fingerprint and top-level full name; the fast
  /// path of the library. Common schemas take a fused single pass (detail::fast_analyser) that
  /// validates and prints the canonical form at once; anything outside its subset (and every
  /// invalid input) goes through the exact engine, so results and errors are the engine's.
  ///
  /// Errors: `errc::invalid_json` (not JSON as Java's reader accepts it, or empty), and for JSON
  /// that is not a valid schema `invalid_schema`, `unknown_type`, `duplicate_name`,
  /// `invalid_name`, `missing_attribute` or `invalid_default`; `*err` (when given) receives the
  /// JSON path and a message.
  /// Thread-safety: not thread-safe (mutates the parser).
  /// Complexity: O(json.size()) for schemas without redefinitions and small objects.
  result<analysis> analyse(std::string_view json, parse_error* err = nullptr) {
    if (fast_.run(json)) {
      const std::string_view pcf = fast_.canonical();
      return analysis{static_cast<std::int64_t>(crc64_avro(pcf)), pcf, fast_.root_full_name()};
    }
    if (auto ec = engine_.compile(json, err)) return ec;
    if (auto ec = engine_.canonical(out_)) return ec;
    const auto fp = static_cast<std::int64_t>(crc64_avro(out_));
    return analysis{fp, out_, engine_.root_full_name()};
  }

  /// Parsing Canonical Form of `json` (a view into this parser).
  ///
  /// Errors: as `analyse`.
  /// Thread-safety: not thread-safe.
  /// Complexity: O(json.size()).
  result<std::string_view> canonical_form(std::string_view json, parse_error* err = nullptr) {
    if (fast_.run(json)) return fast_.canonical();
    if (auto ec = engine_.compile(json, err)) return ec;
    if (auto ec = engine_.canonical(out_)) return ec;
    return std::string_view(out_);
  }

  /// CRC-64-AVRO fingerprint of the canonical form of `json`, as Java's
  /// `SchemaNormalization.parsingFingerprint64`.
  ///
  /// Errors: as `analyse`.
  /// Thread-safety: not thread-safe.
  /// Complexity: O(json.size()).
  result<std::int64_t> fingerprint(std::string_view json, parse_error* err = nullptr) {
    if (fast_.run(json)) return static_cast<std::int64_t>(crc64_avro(fast_.canonical()));
    if (auto ec = engine_.compile(json, err)) return ec;
    if (auto ec = engine_.canonical(out_)) return ec;
    return static_cast<std::int64_t>(crc64_avro(out_));
  }

  /// Validates `json` like `canonical_form`, then rewrites it for Spark: minified, keys in input
  /// order (a duplicate key keeps its first position and its last value, as Jackson does), field
  /// names lowercased and decimal precision capped as `opt` says, everything else (docs, defaults,
  /// logical types, type names, unknown properties, numbers and string escapes) byte for byte.
  /// Invalid UTF-8 inside strings becomes U+FFFD. The output is a pure function of the input bytes.
  ///
  /// Errors: as `analyse`; and `errc::duplicate_name` when lowercasing makes two field names of a
  /// record collide (the message names both).
  /// Thread-safety: not thread-safe.
  /// Complexity: O(json.size()) for objects with few keys (O(k^2) in the keys of one object).
  result<std::string_view> preprocess(std::string_view json, const preprocess_options& opt = {},
                                      parse_error* err = nullptr) {
    if (auto ec = engine_.compile(json, err)) return ec;
    if (auto ec = engine_.preprocess(opt.lowercase_field_names, opt.max_decimal_precision, out_)) return ec;
    return std::string_view(out_);
  }

 private:
  detail::fast_analyser fast_;
  detail::schema_engine engine_;
  std::string out_;
};

namespace detail {
inline schema_parser& thread_parser() {
  thread_local schema_parser p;
  return p;
}
}  // namespace detail

/// Parsing Canonical Form of `json` (a thread-local `schema_parser` underneath).
///
/// Errors: as `schema_parser::analyse`.
/// Thread-safety: safe to call concurrently.
/// Complexity: O(json.size()).
inline result<std::string> canonical_form(std::string_view json, parse_error* err = nullptr) {
  auto r = detail::thread_parser().canonical_form(json, err);
  if (!r) return r.error();
  return std::string(r.value());
}

/// CRC-64-AVRO fingerprint of the canonical form of `json` (Java's `parsingFingerprint64`).
///
/// Errors: as `schema_parser::analyse`.
/// Thread-safety: safe to call concurrently.
/// Complexity: O(json.size()).
inline result<std::int64_t> fingerprint(std::string_view json, parse_error* err = nullptr) {
  return detail::thread_parser().fingerprint(json, err);
}

/// The preprocessed schema (see `schema_parser::preprocess`).
///
/// Errors: as `schema_parser::preprocess`.
/// Thread-safety: safe to call concurrently.
/// Complexity: O(json.size()).
inline result<std::string> preprocess(std::string_view json, const preprocess_options& opt = {},
                                      parse_error* err = nullptr) {
  auto r = detail::thread_parser().preprocess(json, opt, err);
  if (!r) return r.error();
  return std::string(r.value());
}

}  // namespace sluice::inline v0::avro
