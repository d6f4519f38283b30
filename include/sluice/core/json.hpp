// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Small JSON writing helpers shared by progress records, dead letters, checkpoints and logs:
/// string escaping and bytes members (text when UTF-8, else base64); `json::writer`
/// (`json_writer.hpp`) builds whole objects on these.

#include "sluice/core/text.hpp"
#include "sluice/core/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::inline v0::json {

/// True if `s` is well-formed UTF-8 (see `utf8::is_valid`).
[[nodiscard]] constexpr bool is_valid_utf8(std::string_view s) noexcept { return utf8::is_valid(s); }

/// Appends `s` to `out` as a quoted JSON string, escaping `"`, `\` and control characters.
/// Bytes ≥ 0x80 are copied as they are: pass only valid UTF-8 (see `is_valid_utf8`).
inline void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          text::append_hex_byte(out, c);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

/// Appends the standard base64 of `bytes` (`text::append_base64`).
using text::append_base64;

/// Appends `"name":"<text>"` for UTF-8 bytes, or `"name":"<base64>","name_encoding":"base64"` for
/// other bytes, or `"name":null` when absent. The dead-letter format uses this for key and
/// payload.
inline void append_bytes_field(std::string& out, std::string_view name, const std::string* bytes) {
  append_string(out, name);
  out.push_back(':');
  if (bytes == nullptr) {
    out += "null";
  } else if (is_valid_utf8(*bytes)) {
    append_string(out, *bytes);
  } else {
    out.push_back('"');
    append_base64(out, *bytes);
    out += "\",";
    std::string enc(name);
    enc += "_encoding";
    append_string(out, enc);
    out += ":\"base64\"";
  }
}

}  // namespace sluice::inline v0::json
