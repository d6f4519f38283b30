// SPDX-License-Identifier: Apache-2.0
#pragma once

// Just enough XML for S3's replies (ListBucketResult, Error): the text of simple elements that
// have no attributes and no children, with the predefined and numeric entities decoded. S3
// escapes every `<` and `&` in text, so a search for `<Name>` … `</Name>` is exact.

#include "sluice/core/text.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0::s3::detail {

// Appends the UTF-8 encoding of code point `cp`; false if it is not a valid scalar value.
inline bool append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp <= 0x10FFFF) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    return false;
  }
  return true;
}

// XML character data with entities decoded; empty optional for a malformed entity.
inline std::optional<std::string> xml_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const auto amp = s.find('&');
    out += s.substr(0, amp);
    if (amp == std::string_view::npos) break;
    s.remove_prefix(amp);
    const auto semi = s.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    const auto ent = s.substr(1, semi - 1);
    s.remove_prefix(semi + 1);
    if (ent == "amp") out.push_back('&');
    else if (ent == "lt") out.push_back('<');
    else if (ent == "gt") out.push_back('>');
    else if (ent == "quot") out.push_back('"');
    else if (ent == "apos") out.push_back('\'');
    else if (ent.size() >= 2 && ent[0] == '#') {
      const bool hex = ent[1] == 'x';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty() || digits.size() > 8) return std::nullopt;
      std::uint32_t cp = 0;
      for (const char c : digits) {
        const int d = hex ? text::hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
        if (d < 0) return std::nullopt;
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      }
      if (!append_utf8(out, cp)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// The raw text of the first `<name>…</name>` in `xml` at or after `from`, and the position after
// its end tag; `<name/>` gives empty text. Empty optional when there is none.
struct xml_element {
  std::string_view text;
  std::size_t end = 0;
};
inline std::optional<xml_element> find_element(std::string_view xml, std::string_view name,
                                               std::size_t from = 0) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string empty = "<" + std::string(name) + "/>";
  const std::string close = "</" + std::string(name) + ">";
  const auto o = xml.find(open, from);
  const auto e = xml.find(empty, from);
  if (e != std::string_view::npos && (o == std::string_view::npos || e < o))
    return xml_element{std::string_view(), e + empty.size()};
  if (o == std::string_view::npos) return std::nullopt;
  const auto c = xml.find(close, o + open.size());
  if (c == std::string_view::npos) return std::nullopt;
  return xml_element{xml.substr(o + open.size(), c - o - open.size()), c + close.size()};
}

// The decoded text of the first `<name>` element; empty optional when absent or malformed.
inline std::optional<std::string> element_text(std::string_view xml, std::string_view name) {
  const auto e = find_element(xml, name);
  if (!e) return std::nullopt;
  return xml_unescape(e->text);
}

}  // namespace sluice::inline v0::s3::detail
