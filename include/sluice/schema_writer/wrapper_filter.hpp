// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The filter that drops GoldenGate's envelope schema, `oracle.goldengate.generic_wrapper`, from
/// the schema topic (docs/architecture.md §2, step 3). The wrapper is the same for every topic and is
/// not a table, so it never gets a catalog entry; it is dropped on purpose, not dead-lettered.

#include <cstddef>
#include <string_view>

namespace sluice::inline v0::schema_writer {

/// Full Avro name of GoldenGate's envelope schema.
inline constexpr std::string_view wrapper_full_name = "oracle.goldengate.generic_wrapper";

/// Short name of the envelope schema, which GoldenGate may also use as the message key.
inline constexpr std::string_view wrapper_short_name = "generic_wrapper";

namespace detail {

constexpr bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace detail

/// Whether an Avro named type with this `name` and `namespace` attribute is the envelope schema.
///
/// Follows Avro's full-name rule: a `name` containing a dot is already the full name and the
/// namespace is ignored; otherwise the full name is `namespace.name` (or `name` alone when the
/// namespace is empty). Avro names are case-sensitive, so the comparison is exact.
///
/// Thread-safety: pure.
[[nodiscard]] constexpr bool is_wrapper_full_name(std::string_view name,
                                                  std::string_view ns) noexcept {
  if (name.find('.') != std::string_view::npos) return name == wrapper_full_name;
  if (ns.empty()) return name == wrapper_full_name;
  return ns.size() + 1 + name.size() == wrapper_full_name.size() &&
         wrapper_full_name.substr(0, ns.size()) == ns &&
         wrapper_full_name[ns.size()] == '.' &&
         wrapper_full_name.substr(ns.size() + 1) == name;
}

/// Whether a schema-topic message carries the envelope schema, by its key or by its schema.
///
/// `key` is the raw message key (empty when the message has none); it matches when it equals
/// `generic_wrapper` or `oracle.goldengate.generic_wrapper`, ignoring ASCII case, since keys are
/// table names that GoldenGate may upper-case. `schema_full_name` is the full name of the
/// schema's top-level named type (empty when it has none or could not be parsed) and matches
/// exactly. Test this before `normalize_key`, which would reject the one-part key.
///
/// Thread-safety: pure.
[[nodiscard]] constexpr bool is_wrapper_schema(std::string_view key,
                                               std::string_view schema_full_name) noexcept {
  return detail::iequals_ascii(key, wrapper_full_name) ||
         detail::iequals_ascii(key, wrapper_short_name) || schema_full_name == wrapper_full_name;
}

}  // namespace sluice::inline v0::schema_writer
