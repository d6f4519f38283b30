// SPDX-License-Identifier: Apache-2.0
#pragma once

// Equality of the exact Avro engine, as Java decides whether a named type defined twice is
// the same definition: JSON values as Jackson compares them, properties, schemas, defaults.
#include <sluice/avro/detail/schema_names.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sluice::inline v0::avro::detail {

class schema_equality : public schema_names {
 protected:
  // ---------------------------------------------------------------- equality (redefinitions)
  // Jackson JsonNode.equals: objects as maps (after last-wins), numbers by node class and value.
  bool json_equal(std::uint32_t a, std::uint32_t b) const {
    const jnode& x = doc_[a];
    const jnode& y = doc_[b];
    if (x.kind != y.kind) return false;
    switch (x.kind) {
      case jkind::string: return doc_.str(a) == doc_.str(b);
      case jkind::number: {
        if (x.flags != y.flags) return false;
        if (static_cast<jnum>(x.flags) != jnum::floating) return doc_.raw(a) == doc_.raw(b);
        return std::strtod(std::string(doc_.raw(a)).c_str(), nullptr) ==
               std::strtod(std::string(doc_.raw(b)).c_str(), nullptr);
      }
      case jkind::array: {
        if (x.a != y.a) return false;
        std::uint32_t c = a + 1, d = b + 1;
        for (std::uint32_t i = 0; i < x.a; ++i, c = doc_[c].next, d = doc_[d].next)
          if (!json_equal(c, d)) return false;
        return true;
      }
      case jkind::object: return props_equal(a, b, nullptr);
      default: return true;
    }
  }

  // Props of two objects equal as maps; `reserved` (a predicate) excludes keys.
  template <class Reserved>
  bool props_equal_impl(std::uint32_t a, std::uint32_t b, Reserved reserved) const {
    const pairs_view pa = unique_pairs(a);
    const pairs_view pb = unique_pairs(b);
    std::uint32_t ca = 0, cb = 0;
    for (std::uint32_t k = 0; k < pa.count; ++k) ca += reserved(doc_.str(pairs_[pa.base + k].key)) ? 0 : 1;
    for (std::uint32_t k = 0; k < pb.count; ++k) cb += reserved(doc_.str(pairs_[pb.base + k].key)) ? 0 : 1;
    bool eq = ca == cb;
    for (std::uint32_t k = 0; k < pa.count && eq; ++k) {
      const std::string_view key = doc_.str(pairs_[pa.base + k].key);
      if (reserved(key)) continue;
      const std::uint32_t w = lookup(pb, key);
      eq = w != npos32 && json_equal(pairs_[pa.base + k].val, w);
    }
    release(pb);
    release(pa);
    return eq;
  }
  bool props_equal(std::uint32_t a, std::uint32_t b, const char* const* reserved) const {
    return props_equal_impl(a, b, [reserved](std::string_view k) {
      if (!reserved) return false;
      for (const char* const* r = reserved; *r; ++r)
        if (k == *r) return true;
      return false;
    });
  }

  static constexpr const char* schema_reserved[] = {"doc",    "fields", "items", "name",    "namespace",
                                                    "size",   "symbols", "values", "type", "aliases", nullptr};
  static constexpr const char* enum_reserved[] = {"doc",    "fields", "items", "name",    "namespace", "size",
                                                  "symbols", "values", "type", "aliases", "default",   nullptr};
  static constexpr const char* field_reserved[] = {"default", "doc", "name", "order", "type", "aliases", nullptr};

  bool schema_props_equal(std::uint32_t a, std::uint32_t b, const char* const* reserved) const {
    const bool ao = doc_[nodes_[a].json].kind == jkind::object;
    const bool bo = doc_[nodes_[b].json].kind == jkind::object;
    if (!ao && !bo) return true;
    if (ao && bo) return props_equal(nodes_[a].json, nodes_[b].json, reserved);
    // One is a bare name ("int"), so it has no props: equal when the other has none either.
    const std::uint32_t o = ao ? nodes_[a].json : nodes_[b].json;
    std::uint32_t c = o + 1;
    for (std::uint32_t i = 0; i < doc_[o].a; ++i, c = doc_[c + 1].next) {
      bool r = false;
      for (const char* const* p = reserved; *p; ++p) r = r || doc_.str(c) == *p;
      if (!r) return false;
    }
    return true;
  }

  // Java Schema.equals between two parsed schemas (placeholders equal only themselves).
  bool schema_equal(std::uint32_t a, std::uint32_t b, unsigned depth = 0) const {
    if (depth > 4000) return false;
    if (nodes_[a].type == stype::ref_t) {
      if (nodes_[a].forward) return a == b;
      a = nodes_[a].child;
    }
    if (nodes_[b].type == stype::ref_t) {
      if (nodes_[b].forward) return false;
      b = nodes_[b].child;
    }
    if (a == b) return true;
    const snode& x = nodes_[a];
    const snode& y = nodes_[b];
    if (x.type != y.type) return false;
    switch (x.type) {
      case stype::union_t:
        if (x.count != y.count) return false;
        for (std::uint32_t i = 0; i < x.count; ++i)
          if (!schema_equal(kids_[x.first + i], kids_[y.first + i], depth + 1)) return false;
        return true;
      case stype::array_t:
      case stype::map_t:
        return schema_props_equal(a, b, schema_reserved) && schema_equal(x.child, y.child, depth + 1);
      case stype::enum_t: {
        if (name_of(a) != name_of(b) || x.count != y.count || !schema_props_equal(a, b, enum_reserved)) return false;
        std::uint32_t c = x.first + 1, d = y.first + 1;
        for (std::uint32_t i = 0; i < x.count; ++i, c = doc_[c].next, d = doc_[d].next)
          if (doc_.str(c) != doc_.str(d)) return false;
        return true;
      }
      case stype::fixed_t:
        return name_of(a) == name_of(b) && x.count == y.count && schema_props_equal(a, b, schema_reserved);
      case stype::record_t: {
        if (name_of(a) != name_of(b) || x.count != y.count || !schema_props_equal(a, b, schema_reserved))
          return false;
        for (std::uint32_t i = 0; i < x.count; ++i) {
          const sfield& f = fields_[x.first + i];
          const sfield& g = fields_[y.first + i];
          if (doc_.str(f.name) != doc_.str(g.name)) return false;
          if (!schema_equal(f.schema, g.schema, depth + 1)) return false;
          if ((f.def == npos32) != (g.def == npos32)) return false;
          if (f.def != npos32 && !default_equal(f, g)) return false;
          if (order_of(f) != order_of(g)) return false;
          if (!props_equal(f.json, g.json, field_reserved)) return false;
        }
        return true;
      }
      default: return schema_props_equal(a, b, schema_reserved);
    }
  }

  // A default as Java holds it: a DoubleNode for converted strings and JSON floats.
  bool as_double(const sfield& f, double& d) const {
    if (f.def_is_double) {
      // Java's parseDouble grammar (already checked): a trailing [fFdD] is always a type suffix.
      std::string t(doc_.str(f.def));
      while (!t.empty() && static_cast<unsigned char>(t.back()) <= 0x20) t.pop_back();
      if (!t.empty() && (t.back() == 'd' || t.back() == 'D' || t.back() == 'f' || t.back() == 'F')) t.pop_back();
      d = std::strtod(t.c_str(), nullptr);
      return true;
    }
    if (doc_[f.def].kind == jkind::number && static_cast<jnum>(doc_[f.def].flags) == jnum::floating) {
      d = std::strtod(std::string(doc_.raw(f.def)).c_str(), nullptr);
      return true;
    }
    return false;
  }

  // Field.defaultValueEquals: NaN equals NaN, otherwise JsonNode.equals.
  bool default_equal(const sfield& f, const sfield& g) const {
    double a = 0, b = 0;
    const bool fa = as_double(f, a), gb = as_double(g, b);
    if (fa && a != a) return gb && b != b;
    if (fa || gb) return fa && gb && a == b && std::signbit(a) == std::signbit(b);
    return json_equal(f.def, g.def);
  }

  char order_of(const sfield& f) const noexcept {
    const std::uint32_t o = last_value(f.json, "order");
    if (o == npos32) return 'A';
    const std::string_view s = doc_.str(o);
    const char c = s.empty() ? 'A' : s[0];
    return (c == 'd' || c == 'D') ? 'D' : (c == 'a' || c == 'A') ? 'A' : 'I';
  }

};

}  // namespace sluice::inline v0::avro::detail
