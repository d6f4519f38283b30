// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Normalization of schema-topic keys into the `db.schema.table` names of the schema catalog
/// (docs/architecture.md §2, step 2).
///
/// The rules, in the order they are checked (the first one that fails gives the reason):
/// 1. the key is not empty and is well-formed UTF-8;
/// 2. every character is a letter `A-Z`/`a-z`, a digit, `_`, `$`, `#`, or the separator `.`
///    (control characters, `/` and `\`, spaces, any other punctuation and any non-ASCII character
///    are rejected: the key becomes a path segment of the catalog, on S3 and on a filesystem, and
///    this set is what Oracle allows in an unquoted identifier);
/// 3. no `..`;
/// 4. two or three parts, none empty;
/// 5. each part, lowercased, loses every leading Oracle common-user prefix `c##`, and must not be
///    empty afterwards nor longer than `max_key_part_length`;
/// 6. a two-part key (a GoldenGate heartbeat table such as `C##GGADMIN.GG_HEARTBEAT`) gets the
///    database `gg` in front, so every result reads `db.schema.table`.
///
/// Normalization is idempotent: a normalized key normalizes to itself.

#include <sluice/core/error.hpp>
#include <sluice/core/text.hpp>
#include <sluice/core/utf8.hpp>

#include <boost/outcome/std_result.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace sluice::inline v0::schema_writer {

/// The longest part of a normalized key, in bytes; Oracle identifiers have at most 128.
inline constexpr std::size_t max_key_part_length = 128;

/// The database part given to two-part keys (GoldenGate heartbeat tables).
inline constexpr std::string_view heartbeat_database = "gg";

/// Why a key was rejected: one sentence for the dead-letter record.
///
/// The reason names the offending character by code point (and shows it only when it is printable
/// ASCII) and never repeats the key, which the dead-letter record carries anyway.
struct key_rejection {
  std::string reason;  ///< e.g. "key has 1 part; expected db.schema.table …"

  /// The library code of every rejection, `errc::invalid_key` (`condition::invalid_input`).
  [[nodiscard]] std::error_code code() const noexcept { return errc::invalid_key; }
};

/// The normalized `db.schema.table` key, or the rejection with its reason.
///
/// `has_value()` tells which; `value()` throws `bad_result_access` when there is none, so
/// production code tests first (STYLE.md §4).
using key_result = BOOST_OUTCOME_V2_NAMESPACE::std_checked<std::string, key_rejection>;

/// Whether `c` may appear inside a part of a normalized key: `a-z`, `0-9`, `_`, `$`, `#`.
///
/// Thread-safety: pure.
[[nodiscard]] constexpr bool is_safe_key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '#';
}

namespace detail {

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline void append_hex(std::string& out, unsigned long value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out += text::hex_upper[(value >> shift) & 0xFu];
}

// "U+0001", "'%' (U+0025)": readable in a dead-letter record without echoing raw control bytes.
inline std::string describe_code_point(char32_t cp) {
  std::string out;
  if (cp >= 0x20 && cp < 0x7F) {
    out += '\'';
    out += static_cast<char>(cp);
    out += "' (";
  }
  out += "U+";
  append_hex(out, cp, cp > 0xFFFFF ? 6 : cp > 0xFFFF ? 5 : 4);
  if (cp >= 0x20 && cp < 0x7F) out += ')';
  return out;
}

inline key_result reject_key(std::string reason) {
  return BOOST_OUTCOME_V2_NAMESPACE::failure(key_rejection{std::move(reason)});
}

}  // namespace detail

/// Normalizes a schema-topic key to `db.schema.table`, or says why it cannot be one.
///
/// See the file comment for the rules; e.g. `ORCLPDB1.C##APP.ACCOUNTS` → `orclpdb1.app.accounts`,
/// `C##GGADMIN.GG_HEARTBEAT` → `gg.ggadmin.gg_heartbeat`. A Kafka message without a key has no
/// string to pass: the caller rejects it itself. Call `is_wrapper_schema` first, so the envelope
/// schema (whose key may be the one-part `generic_wrapper`) is filtered rather than rejected.
///
/// Errors: a `key_rejection` (code `errc::invalid_key`) for every key outside the rules.
/// Thread-safety: pure.
/// Complexity: linear in `raw.size()`.
[[nodiscard]] inline key_result normalize_key(std::string_view raw) {
  using detail::reject_key;
  if (raw.empty()) return reject_key("key is empty");

  // Encoding first: nothing else can be said about bytes that are not text.
  for (std::size_t i = 0; i < raw.size();) {
    const auto step = utf8::decode(raw, i);
    if (!step.valid) {
      std::string reason = "key is not valid UTF-8 (byte 0x";
      detail::append_hex(reason, static_cast<unsigned char>(raw[i]), 2);
      return reject_key(reason + " at offset " + std::to_string(i) + ")");
    }
    i += step.length;
  }

  for (std::size_t i = 0; i < raw.size();) {
    const auto step = utf8::decode(raw, i);
    const char32_t cp = step.code_point;
    const auto at = " at offset " + std::to_string(i);
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      return reject_key("key contains the control character " + detail::describe_code_point(cp) +
                        at);
    }
    if (cp == '/' || cp == '\\') {
      return reject_key("key contains the path separator " + detail::describe_code_point(cp) + at);
    }
    if (cp != '.' && (cp >= 0x80 || !is_safe_key_char(detail::ascii_lower(static_cast<char>(cp))))) {
      return reject_key("key contains " + detail::describe_code_point(cp) + at +
                        "; allowed are letters a-z, digits, '_', '$', '#' and '.' between parts");
    }
    i += step.length;
  }

  if (raw.find("..") != std::string_view::npos) return reject_key("key contains '..'");

  std::size_t dots = 0;
  for (const char c : raw) dots += c == '.' ? 1 : 0;
  if (dots == 0 || dots > 2) {
    return reject_key("key has " + std::to_string(dots + 1) + (dots == 0 ? " part" : " parts") +
                      "; expected db.schema.table (or schema.table for a GoldenGate heartbeat "
                      "table)");
  }
  if (raw.front() == '.' || raw.back() == '.') {
    return reject_key("key has an empty part (it starts or ends with '.')");
  }

  std::array<std::string_view, 3> parts{};
  std::size_t count = 0;
  for (std::string_view rest = raw;;) {
    const auto dot = rest.find('.');
    parts[count++] = rest.substr(0, dot);
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }

  std::string out;
  out.reserve(raw.size() + heartbeat_database.size() + 1);
  if (count == 2) {
    out += heartbeat_database;
    out += '.';
  }
  for (std::size_t k = 0; k < count; ++k) {
    std::string_view part = parts[k];
    // Strip every leading "c##" (any case): "C##C##APP" is still the common user APP.
    while (part.size() >= 3 && detail::ascii_lower(part[0]) == 'c' && part[1] == '#' &&
           part[2] == '#') {
      part.remove_prefix(3);
    }
    const auto which = "part " + std::to_string(k + 1) + " of the key";
    if (part.empty()) return reject_key(which + " is only the Oracle common-user prefix 'c##'");
    if (part.size() > max_key_part_length) {
      return reject_key(which + " is longer than " + std::to_string(max_key_part_length) +
                        " characters");
    }
    if (k > 0) out += '.';
    for (const char c : part) out += detail::ascii_lower(c);
  }
  return out;
}

}  // namespace sluice::inline v0::schema_writer
