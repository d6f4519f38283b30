// SPDX-License-Identifier: Apache-2.0
#pragma once

// Default validation of the exact Avro engine: whether a field's default is a value of its
// schema as Java 1.12.2 checks it, including the order in which Java resolves named types
// (a default met before its record is resolved sees a placeholder).
#include <sluice/avro/detail/schema_equality.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::inline v0::avro::detail {

class schema_defaults : public schema_equality {
 protected:
  // ---------------------------------------------------------------- defaults
  bool bad_default(const sfield& f) {
    return fail(errc::invalid_default, f.def,
                "invalid default for field '" + std::string(doc_.str(f.name)) + "': " +
                    std::string(doc_.raw(f.def)).substr(0, 200) + " is not a " + describe(f.schema));
  }

  // One Schemas.visit(start, ResolvingVisitor) call.
  bool java_visit(std::uint32_t start) {
    if (++visit_depth_ > max_visit_depth) return fail(errc::invalid_schema, nodes_[start].json, "schema nests too deeply");
    const std::uint32_t id = ++visit_id_;
    const bool ok = java_dfs(start, id);
    --visit_depth_;
    return ok;
  }

  bool java_dfs(std::uint32_t s, std::uint32_t id) {
    if (++visit_depth_ > max_visit_depth) return fail(errc::invalid_schema, nodes_[s].json, "schema nests too deeply");
    struct guard {
      unsigned& d;
      ~guard() { --d; }
    } g{visit_depth_};
    snode* n = &nodes_[s];
    if (n->type == stype::ref_t) {
      if (n->forward) {
        // A placeholder: its target is copied by a nested visit unless that already started.
        return state_[n->child] != 0 || java_visit(n->child);
      }
      s = n->child;
      n = &nodes_[s];
    }
    switch (n->type) {
      case stype::array_t:
      case stype::map_t: return java_dfs(n->child, id);
      case stype::union_t:
        for (std::uint32_t i = 0; i < n->count; ++i)
          if (!java_dfs(kids_[n->first + i], id)) return false;
        return true;
      case stype::record_t: {
        if (seen_[s] == id) return true;
        seen_[s] = id;
        if (state_[s] == 0) state_[s] = 1;
        const std::uint32_t first = n->first, count = n->count;
        for (std::uint32_t i = 0; i < count; ++i)
          if (!java_dfs(fields_[first + i].schema, id)) return false;
        if (state_[s] != 2) {
          for (std::uint32_t i = 0; i < count; ++i) {
            const sfield& f = fields_[first + i];
            if (f.def == npos32 || f.def_is_double) continue;
            thrown_ = false;
            const bool ok = valid_default(f.schema, f.def, false, 0);
            if (thrown_)
              return fail(errc::invalid_default, f.def,
                          "default of field '" + std::string(doc_.str(f.name)) +
                              "' needs a record whose definition encloses it (Java fails: schema fields not set yet)");
            if (!ok) return bad_default(f);
          }
          state_[s] = 2;
        }
        return true;
      }
      default: return true;
    }
  }

  std::string describe(std::uint32_t s) const {
    const snode& n = nodes_[s];
    if (n.type == stype::ref_t || is_named(n.type)) return std::string(name_of(s));
    if (n.type == stype::union_t) {
      std::string d = "union [";
      for (std::uint32_t i = 0; i < n.count; ++i) {
        if (i) d += ", ";
        d += describe(kids_[n.first + i]);
      }
      return d + "]";
    }
    return std::string(stype_name(n.type));
  }

  std::string_view branch_name(std::uint32_t s) const noexcept {
    const snode& n = nodes_[s];
    if (n.type == stype::ref_t || is_named(n.type)) return name_of(s);
    return stype_name(n.type);
  }

  static constexpr std::uint32_t double_marker = npos32 - 1;

  // Schema.isValidDefault; `placeholders`: forward references accept any object.
  bool valid_default(std::uint32_t s, std::uint32_t v, bool placeholders, unsigned depth) {
    if (thrown_ || v == npos32 || depth > 4000) return false;
    const snode& n = nodes_[s];
    if (v == double_marker) return n.type == stype::float_t || n.type == stype::double_t ||
                                   (n.type == stype::union_t && any_branch(n, v, placeholders, depth));
    const jnode& j = doc_[v];
    switch (n.type) {
      case stype::string_t:
      case stype::bytes_t:
      case stype::enum_t:
      case stype::fixed_t: return j.kind == jkind::string;
      case stype::int_t: return j.kind == jkind::number && static_cast<jnum>(j.flags) == jnum::int32;
      case stype::long_t:
        return j.kind == jkind::number &&
               (static_cast<jnum>(j.flags) == jnum::int32 || static_cast<jnum>(j.flags) == jnum::int64);
      case stype::float_t:
      case stype::double_t: return j.kind == jkind::number;
      case stype::boolean_t: return j.kind == jkind::true_value || j.kind == jkind::false_value;
      case stype::null_t: return j.kind == jkind::null_value;
      case stype::array_t: {
        if (j.kind != jkind::array) return false;
        std::uint32_t c = v + 1;
        for (std::uint32_t i = 0; i < j.a; ++i, c = doc_[c].next)
          if (!valid_default(n.child, c, placeholders, depth + 1)) return false;
        return true;
      }
      case stype::map_t: {
        if (j.kind != jkind::object) return false;
        // Jackson keeps the last of duplicate keys.
        const pairs_view pv = unique_pairs(v);
        bool ok = true;
        for (std::uint32_t k = 0; k < pv.count && ok; ++k)
          ok = valid_default(n.child, pairs_[pv.base + k].val, placeholders, depth + 1);
        release(pv);
        return ok;
      }
      case stype::union_t: return any_branch(n, v, placeholders, depth);
      case stype::record_t: {
        if (j.kind != jkind::object) return false;
        met_record_ = true;
        if (!placeholders && state_[s] != 2) {
          thrown_ = true;
          return false;
        }
        const pairs_view pv = unique_pairs(v);
        bool ok = true;
        for (std::uint32_t i = 0; i < n.count && ok; ++i) {
          const sfield& f = fields_[n.first + i];
          std::uint32_t val = lookup(pv, doc_.str(f.name));
          if (val == npos32) val = f.def_is_double ? double_marker : f.def;
          ok = valid_default(f.schema, val, placeholders, depth + 1);
        }
        release(pv);
        return ok;
      }
      case stype::ref_t:
        if (placeholders && n.forward && !resolved_) return j.kind == jkind::object;
        return valid_default(n.child, v, placeholders, depth + 1);
    }
    return false;
  }

  bool any_branch(const snode& u, std::uint32_t v, bool placeholders, unsigned depth) {
    for (std::uint32_t i = 0; i < u.count; ++i) {
      if (valid_default(kids_[u.first + i], v, placeholders, depth + 1)) return true;
      if (thrown_) return false;
    }
    return false;
  }
};

}  // namespace sluice::inline v0::avro::detail
