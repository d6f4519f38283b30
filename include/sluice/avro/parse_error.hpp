// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The detailed description of why a schema was rejected.

#include <sluice/core/error.hpp>

#include <string>
#include <system_error>

namespace sluice::inline v0::avro {

/// Where and why a schema was rejected; filled by the parsing calls when they fail and a pointer
/// is given (the `result` carries only `code`).
struct parse_error {
  /// A `sluice::errc`: `invalid_json`, `invalid_schema`, `unknown_type`, `duplicate_name`,
  /// `invalid_name`, `missing_attribute` or `invalid_default`.
  std::error_code code;
  /// JSON path of the offending node, e.g. `"$.fields[3].type"`; `"$"` for the root and for JSON
  /// syntax errors (whose message gives line, column and byte offset instead).
  std::string path;
  /// A sentence naming the problem, e.g. `"duplicate field 'ID' in record 'HR.ACCOUNTS'"`.
  std::string message;

  /// `"<path>: <message>"`.
  ///
  /// Errors: none (`std::bad_alloc` aside).
  /// Thread-safety: const, safe to call concurrently.
  std::string to_string() const { return path + ": " + message; }
};

}  // namespace sluice::inline v0::avro
