// SPDX-License-Identifier: Apache-2.0
#pragma once

// Parsing Canonical Form of the exact Avro engine (the text Avro fingerprints).
#include <sluice/avro/detail/schema_compiler.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::inline v0::avro::detail {

class schema_canonical : public schema_compiler {
 protected:
  // ---------------------------------------------------------------- canonical form
  bool emit_pcf(std::uint32_t s, std::string& o) {
    if (++pcf_depth_ > max_visit_depth) return false;
    struct guard {
      unsigned& d;
      ~guard() { --d; }
    } g{pcf_depth_};
    const snode& n = nodes_[s];
    switch (n.type) {
      case stype::union_t:
        o += '[';
        for (std::uint32_t i = 0; i < n.count; ++i) {
          if (i) o += ',';
          if (!emit_pcf(kids_[n.first + i], o)) return false;
        }
        o += ']';
        return true;
      case stype::array_t:
        o += "{\"type\":\"array\",\"items\":";
        if (!emit_pcf(n.child, o)) return false;
        o += '}';
        return true;
      case stype::map_t:
        o += "{\"type\":\"map\",\"values\":";
        if (!emit_pcf(n.child, o)) return false;
        o += '}';
        return true;
      case stype::ref_t:
      case stype::record_t:
      case stype::enum_t:
      case stype::fixed_t: {
        const std::uint32_t canon = n.type == stype::ref_t ? nodes_[n.child].child : n.child;
        if (printed_[canon]) {
          o += '"';
          o += name_of(canon);
          o += '"';
          return true;
        }
        printed_[canon] = 1;
        const std::uint32_t def = n.type == stype::ref_t ? canon : s;
        return emit_named(def, o);
      }
      default: o += quoted_type_name(n.type); return true;
    }
  }

  static std::string_view quoted_type_name(stype t) noexcept {
    constexpr std::string_view names[] = {R"("null")",  R"("boolean")", R"("int")",   R"("long")",
                                          R"("float")", R"("double")",  R"("bytes")", R"("string")"};
    return names[static_cast<int>(t)];
  }

  bool emit_named(std::uint32_t s, std::string& o) {
    const snode& n = nodes_[s];
    o += "{\"name\":\"";
    o += name_of(s);
    o += "\",\"type\":\"";
    o += stype_name(n.type);
    o += '"';
    if (n.type == stype::enum_t) {
      o += ",\"symbols\":[";
      std::uint32_t c = n.first + 1;
      for (std::uint32_t i = 0; i < n.count; ++i, c = doc_[c].next) {
        if (i) o += ',';
        o += '"';
        o += doc_.str(c);
        o += '"';
      }
      o += "]}";
      return true;
    }
    if (n.type == stype::fixed_t) {
      char buf[16];
      const auto r = std::to_chars(buf, buf + sizeof buf, n.count);
      o += ",\"size\":";
      o.append(buf, r.ptr);
      o += '}';
      return true;
    }
    o += ",\"fields\":[";
    for (std::uint32_t i = 0; i < n.count; ++i) {
      const sfield& f = fields_[n.first + i];
      if (i) o += ',';
      o += "{\"name\":\"";
      o += doc_.str(f.name);
      o += "\",\"type\":";
      if (!emit_pcf(f.schema, o)) return false;
      o += '}';
    }
    o += "]}";
    return true;
  }
};

}  // namespace sluice::inline v0::avro::detail
