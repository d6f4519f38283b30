// SPDX-License-Identifier: Apache-2.0
#pragma once

// The compiler of the exact Avro engine: JSON tape -> schema graph with Java Avro 1.12.2's
// rules (Schema.parse, ParseContext, SchemaResolver): names and namespaces, records, enums,
// fixed, unions, references, then resolution of forward references and defaults.
#include <sluice/avro/detail/java_double.hpp>
#include <sluice/avro/detail/schema_defaults.hpp>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::inline v0::avro::detail {

class schema_compiler : public schema_defaults {
 protected:
  // ---------------------------------------------------------------- schema parsing
  static stype primitive(std::string_view s) noexcept {
    switch (s.size()) {
      case 3: if (s == "int") return stype::int_t; break;
      case 4:
        if (s == "null") return stype::null_t;
        if (s == "long") return stype::long_t;
        break;
      case 5:
        if (s == "float") return stype::float_t;
        if (s == "bytes") return stype::bytes_t;
        break;
      case 6:
        if (s == "double") return stype::double_t;
        if (s == "string") return stype::string_t;
        break;
      case 7: if (s == "boolean") return stype::boolean_t; break;
      default: break;
    }
    return stype::ref_t;
  }

  std::uint32_t add_node(stype t, std::uint32_t json) {
    nodes_.push_back(snode{t, false, {0, 0}, json, 0, 0, 0, 0, npos32});
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  void scan_keys(std::uint32_t obj, object_keys& k) const noexcept {
    k = object_keys{npos32, npos32, npos32, npos32, npos32, npos32, npos32,
                    npos32, npos32, npos32, npos32, npos32, npos32, npos32};
    const jnode& n = doc_[obj];
    std::uint32_t c = obj + 1;
    for (std::uint32_t i = 0; i < n.a; ++i) {
      const std::uint32_t v = c + 1;
      const std::string_view key = doc_.str(c);
      switch (key.size()) {
        case 3: if (key == "doc") {} break;
        case 4:
          if (key == "type") k.type = v;
          else if (key == "name") k.name = v;
          else if (key == "size") k.size = v;
          break;
        case 5:
          if (key == "items") k.items = v;
          else if (key == "order") k.order = v;
          else if (key == "scale") k.scale = v;
          break;
        case 6:
          if (key == "fields") k.fields = v;
          else if (key == "values") k.values = v;
          break;
        case 7:
          if (key == "symbols") k.symbols = v;
          else if (key == "default") k.def = v;
          else if (key == "aliases") k.aliases = v;
          break;
        case 9:
          if (key == "namespace") k.space = v;
          else if (key == "precision") k.precision = v;
          break;
        case 11: if (key == "logicalType") k.logical = v; break;
        default: break;
      }
      c = doc_[v].next;
    }
  }

  std::string_view text_or_empty(std::uint32_t j) const noexcept {
    return (j != npos32 && doc_.is_string(j)) ? doc_.str(j) : std::string_view{};
  }

  // Appends a string to the names arena; returns its offset.
  std::uint32_t intern(std::string_view a, std::string_view b = {}) {
    const auto off = static_cast<std::uint32_t>(names_.size());
    names_.append(a);
    if (!b.empty()) {
      names_ += '.';
      names_.append(b);
    }
    return off;
  }

  bool check_name(std::uint32_t json, std::string_view name, const char* what) {
    switch (validate_name(name)) {
      case name_problem::none: return true;
      case name_problem::empty: return fail(errc::invalid_name, json, std::string(what) + " is empty");
      case name_problem::bad_initial:
        return fail(errc::invalid_name, json,
                    std::string(what) + " '" + std::string(name) + "' must start with a letter or '_'");
      case name_problem::bad_character:
        return fail(errc::invalid_name, json,
                    std::string(what) + " '" + std::string(name) + "' may contain only letters, digits and '_'");
    }
    return true;
  }

  // parseName: the full name of a named type; space_* receives the namespace for its children.
  bool parse_name(std::uint32_t obj, const object_keys& k, std::uint32_t ns_off, std::uint32_t ns_len,
                  std::uint32_t node) {
    if (k.name == npos32 || !doc_.is_string(k.name))
      return fail(errc::missing_attribute, k.name == npos32 ? obj : k.name, "named type has no string 'name'");
    std::string_view space = (k.space != npos32 && doc_.is_string(k.space))
                                 ? doc_.str(k.space)
                                 : std::string_view(names_.data() + ns_off, ns_len);
    const std::string_view name = doc_.str(k.name);
    std::string_view shortname = name;
    if (const auto dot = name.rfind('.'); dot != std::string_view::npos) {
      space = name.substr(0, dot);
      shortname = name.substr(dot + 1);
    }
    if (!check_name(k.name, shortname, "name")) return false;
    // names_ may reallocate while interning; copy views that point into it first.
    std::string_view sp = space;
    if (!space.empty() && space.data() >= names_.data() && space.data() < names_.data() + names_.size()) {
      qual_.assign(space);
      sp = qual_;
    }
    nodes_[node].full = sp.empty() ? intern(shortname) : intern(sp, shortname);
    nodes_[node].full_len = static_cast<std::uint32_t>(names_.size() - nodes_[node].full);
    if (sp.empty() && primitive(shortname) != stype::ref_t)
      return fail(errc::invalid_name, k.name, "a named type may not be named after a primitive: '" +
                                                  std::string(shortname) + "'");
    return true;
  }

  std::uint32_t space_len_of(std::uint32_t node) const noexcept {
    const std::string_view full = name_of(node);
    const auto dot = full.rfind('.');
    return dot == std::string_view::npos ? 0u : static_cast<std::uint32_t>(dot);
  }

  bool parse_aliases(std::uint32_t a, bool named) {
    if (a == npos32) return true;
    if (doc_[a].kind != jkind::array) return fail(errc::invalid_schema, a, "'aliases' is not an array");
    std::uint32_t c = a + 1;
    for (std::uint32_t i = 0; i < doc_[a].a; ++i, c = doc_[c].next) {
      if (!doc_.is_string(c)) return fail(errc::invalid_schema, c, "alias is not a string");
      if (named) {
        const std::string_view s = doc_.str(c);
        const auto dot = s.rfind('.');
        if (!check_name(c, dot == std::string_view::npos ? s : s.substr(dot + 1), "alias")) return false;
      }
    }
    return true;
  }

  // ParseContext.put: validates the namespace parts and registers the name (or accepts an equal
  // redefinition).
  bool register_named(std::uint32_t node, std::uint32_t name_json) {
    const std::string_view full = name_of(node);
    std::size_t b = 0;
    for (;;) {
      const std::size_t dot = full.find('.', b);
      if (dot == std::string_view::npos) break;
      if (!check_name(name_json, full.substr(b, dot - b), "namespace part")) return false;
      b = dot + 1;
    }
    const std::uint32_t prev = table_find(full);
    if (prev == npos32) {
      nodes_[node].child = node;
      table_insert(node);
      registered_.push_back(node);
      return true;
    }
    if (!schema_equal(prev, node))
      return fail(errc::duplicate_name, nodes_[node].json, "cannot redefine '" + std::string(full) + "'");
    nodes_[node].child = prev;
    return true;
  }

  bool parse_schema(std::uint32_t j, std::uint32_t ns_off, std::uint32_t ns_len, std::uint32_t& out) {
    const jnode& jn = doc_[j];
    switch (jn.kind) {
      case jkind::string: return parse_reference(j, doc_.str(j), ns_off, ns_len, out);
      case jkind::array: return parse_union(j, ns_off, ns_len, out);
      case jkind::object: break;
      default:
        return fail(errc::invalid_schema, j,
                    "a schema must be a type name, an object or an array (union), not '" + std::string(doc_.raw(j)) +
                        "'");
    }
    object_keys k;
    scan_keys(j, k);
    if (k.type == npos32 || !doc_.is_string(k.type))
      return fail(errc::missing_attribute, k.type == npos32 ? j : k.type, "schema object has no string 'type'");
    const std::string_view type = doc_.str(k.type);
    if (const stype p = primitive(type); p != stype::ref_t) {
      out = add_node(p, j);
      return true;
    }
    if (type == "record" || type == "error") return parse_record(j, k, ns_off, ns_len, out);
    if (type == "enum") return parse_enum(j, k, ns_off, ns_len, out);
    if (type == "array" || type == "map") {
      const bool arr = type == "array";
      const std::uint32_t sub = arr ? k.items : k.values;
      if (sub == npos32)
        return fail(errc::missing_attribute, j, arr ? "array has no 'items'" : "map has no 'values'");
      const std::uint32_t me = add_node(arr ? stype::array_t : stype::map_t, j);
      std::uint32_t child = 0;
      if (!parse_schema(sub, ns_off, ns_len, child)) return false;
      nodes_[me].child = child;
      out = me;
      return true;
    }
    if (type == "fixed") return parse_fixed(j, k, ns_off, ns_len, out);
    return fail(errc::unknown_type, k.type,
                "'type' must be a primitive type or one of record, error, enum, array, map, fixed; not '" +
                    std::string(type) + "'");
  }

  bool parse_reference(std::uint32_t j, std::string_view name, std::uint32_t ns_off, std::uint32_t ns_len,
                       std::uint32_t& out) {
    if (const stype p = primitive(name); p != stype::ref_t) {
      out = add_node(p, j);
      return true;
    }
    const std::uint32_t me = add_node(stype::ref_t, j);
    std::uint32_t target = npos32;
    if (ns_len != 0 && name.find('.') == std::string_view::npos) {
      const std::string_view ns(names_.data() + ns_off, ns_len);
      // Java first tries "<namespace>.<name>", then the name as given.
      qual_.assign(ns);
      qual_ += '.';
      qual_.append(name);
      target = table_find(qual_);
      if (target == npos32) target = table_find(name);
      if (target == npos32) {
        nodes_[me].full = intern(qual_);
        nodes_[me].full_len = static_cast<std::uint32_t>(qual_.size());
      }
    } else {
      target = table_find(name);
      if (target == npos32) {
        nodes_[me].full = intern(name);
        nodes_[me].full_len = static_cast<std::uint32_t>(name.size());
      }
    }
    if (target == npos32) {
      nodes_[me].forward = true;
      forwards_.push_back(me);
    } else {
      nodes_[me].child = target;
      nodes_[me].full = nodes_[target].full;
      nodes_[me].full_len = nodes_[target].full_len;
    }
    out = me;
    return true;
  }

  bool parse_union(std::uint32_t j, std::uint32_t ns_off, std::uint32_t ns_len, std::uint32_t& out) {
    const std::uint32_t me = add_node(stype::union_t, j);
    const std::uint32_t n = doc_[j].a;
    const auto first = static_cast<std::uint32_t>(kids_.size());
    kids_.resize(kids_.size() + n);
    std::uint32_t c = j + 1;
    for (std::uint32_t i = 0; i < n; ++i, c = doc_[c].next) {
      std::uint32_t b = 0;
      if (!parse_schema(c, ns_off, ns_len, b)) return false;
      kids_[first + i] = b;
    }
    c = j + 1;
    for (std::uint32_t i = 0; i < n; ++i, c = doc_[c].next)
      if (nodes_[kids_[first + i]].type == stype::union_t)
        return fail(errc::invalid_schema, c, "a union may not immediately contain another union");
    nodes_[me].first = first;
    nodes_[me].count = n;
    unions_.push_back(me);
    out = me;
    return true;
  }

  static bool order_is_valid(std::string_view s) noexcept {
    // Java: Field.Order.valueOf(text.toUpperCase(Locale.ENGLISH)); besides ASCII, U+0131 (dotless
    // i) upper-cases to 'I' and U+017F (long s) to 'S'.
    char buf[16];
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
      if (n == sizeof buf) return false;
      const auto b = static_cast<unsigned char>(s[i]);
      if (b < 0x80) {
        buf[n++] = static_cast<char>(b >= 'a' && b <= 'z' ? b - 32 : b);
        ++i;
        continue;
      }
      const std::uint32_t cp = next_code_point(s, i);
      if (cp == 0x131) buf[n++] = 'I';
      else if (cp == 0x17F) buf[n++] = 'S';
      else return false;
    }
    const std::string_view u(buf, n);
    return u == "ASCENDING" || u == "DESCENDING" || u == "IGNORE";
  }

  bool parse_record(std::uint32_t j, const object_keys& k, std::uint32_t ns_off, std::uint32_t ns_len,
                    std::uint32_t& out) {
    const std::uint32_t me = add_node(stype::record_t, j);
    if (!parse_name(j, k, ns_off, ns_len, me)) return false;
    if (k.fields == npos32 || doc_[k.fields].kind != jkind::array)
      return fail(errc::missing_attribute, k.fields == npos32 ? j : k.fields, "record '" +
                                                                                std::string(name_of(me)) +
                                                                                "' has no 'fields' array");
    const std::uint32_t child_ns = nodes_[me].full;
    const std::uint32_t child_ns_len = space_len_of(me);
    const std::uint32_t n = doc_[k.fields].a;
    const auto first = static_cast<std::uint32_t>(fields_.size());
    fields_.resize(fields_.size() + n);
    std::uint32_t f = k.fields + 1;
    object_keys fk;
    for (std::uint32_t i = 0; i < n; ++i, f = doc_[f].next) {
      if (doc_[f].kind == jkind::object) {
        scan_keys(f, fk);
      } else {
        fk.name = npos32;
      }
      if (fk.name == npos32 || !doc_.is_string(fk.name))
        return fail(errc::missing_attribute, fk.name == npos32 ? f : fk.name, "field has no string 'name'");
      if (fk.type == npos32) return fail(errc::missing_attribute, f, "field '" + std::string(doc_.str(fk.name)) +
                                                                           "' has no 'type'");
      std::uint32_t fs = 0;
      if (!parse_schema(fk.type, child_ns, child_ns_len, fs)) return false;
      if (fk.order != npos32) {
        if (!doc_.is_string(fk.order) || !order_is_valid(doc_.str(fk.order)))
          return fail(errc::invalid_schema, fk.order, "'order' must be \"ascending\", \"descending\" or \"ignore\"");
      }
      bool def_is_double = false;
      const stype ft = nodes_[fs].type;
      if (fk.def != npos32 && (ft == stype::float_t || ft == stype::double_t) && doc_.is_string(fk.def)) {
        if (!is_java_double(doc_.str(fk.def)))
          return fail(errc::invalid_default, fk.def, "default of field '" + std::string(doc_.str(fk.name)) +
                                                         "' is a string that is not a number");
        def_is_double = true;
      }
      if (!check_name(fk.name, doc_.str(fk.name), "field name")) return false;
      if (!parse_aliases(fk.aliases, false)) return false;
      fields_[first + i] = sfield{f, fk.name, fs, fk.def, def_is_double};
    }
    nodes_[me].first = first;
    nodes_[me].count = n;
    // Duplicate field names.
    if (!check_unique_fields(me, false)) return false;
    if (!parse_aliases(k.aliases, true)) return false;
    if (!register_named(me, k.name)) return false;
    out = me;
    return true;
  }

  // Duplicate (or, with lower, case-insensitively colliding) field names of a record.
  bool check_unique_fields(std::uint32_t rec, bool lower) {
    const snode& r = nodes_[rec];
    const std::uint32_t n = r.count;
    if (n < 2) return true;
    auto key = [&](std::uint32_t i) { return doc_.str(fields_[r.first + i].name); };
    auto eq = [&](std::string_view a, std::string_view b) {
      if (a.size() != b.size()) return false;
      if (!lower) return a == b;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
      return true;
    };
    auto report = [&](std::uint32_t i, std::uint32_t prev) {
      if (!lower)
        return fail(errc::duplicate_name, fields_[r.first + i].name,
                    "duplicate field '" + std::string(key(i)) + "' in record '" + std::string(name_of(rec)) + "'");
      return fail(errc::duplicate_name, fields_[r.first + i].name,
                  "fields '" + std::string(key(prev)) + "' and '" + std::string(key(i)) + "' of record '" +
                      std::string(name_of(rec)) + "' collide when lowercased");
    };
    if (n <= 16) {
      for (std::uint32_t i = 1; i < n; ++i)
        for (std::uint32_t p = 0; p < i; ++p)
          if (eq(key(i), key(p))) return report(i, p);
      return true;
    }
    // Larger records: open addressing over field indices.
    std::size_t cap = 32;
    while (cap < n * 2) cap *= 2;
    set_.assign(cap, npos32);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::string_view k = key(i);
      const std::uint64_t h = quick_hash(k, lower);
      for (std::size_t s = h & (cap - 1);; s = (s + 1) & (cap - 1)) {
        if (set_[s] == npos32) {
          set_[s] = i;
          break;
        }
        if (eq(key(set_[s]), k)) return report(i, set_[s]);
      }
    }
    return true;
  }

  // A cheap hash of a name: its length and its first and last (up to) 8 bytes, ASCII-lowercased
  // when `lower` (so that names equal ignoring ASCII case hash equally).
  static std::uint64_t quick_hash(std::string_view k, bool lower) noexcept {
    std::uint64_t a = 0, b = 0;
    const std::size_t n = k.size();
    if (n >= 8) {
      std::memcpy(&a, k.data(), 8);
      std::memcpy(&b, k.data() + (n - 8), 8);
    } else {
      for (std::size_t i = 0; i < n; ++i) a |= std::uint64_t{static_cast<unsigned char>(k[i])} << (8 * i);
    }
    if (lower) {
      // Set bit 5 of every ASCII letter byte: 'A'..'Z' -> 'a'..'z', other bytes unchanged.
      auto fold = [](std::uint64_t w) {
        std::uint64_t out = w;
        for (int i = 0; i < 8; ++i) {
          const auto c = static_cast<unsigned char>(w >> (8 * i));
          if (c >= 'A' && c <= 'Z') out |= std::uint64_t{0x20} << (8 * i);
        }
        return out;
      };
      a = fold(a);
      b = fold(b);
    }
    std::uint64_t h = a * 0x9E3779B97F4A7C15ULL;
    h = (h ^ (h >> 32) ^ b) * 0xC2B2AE3D27D4EB4FULL;
    h = (h ^ (h >> 29) ^ n) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 32);
  }

  static char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

  bool parse_enum(std::uint32_t j, const object_keys& k, std::uint32_t ns_off, std::uint32_t ns_len,
                  std::uint32_t& out) {
    const std::uint32_t me = add_node(stype::enum_t, j);
    if (!parse_name(j, k, ns_off, ns_len, me)) return false;
    if (k.symbols == npos32 || doc_[k.symbols].kind != jkind::array)
      return fail(errc::missing_attribute, k.symbols == npos32 ? j : k.symbols,
                  "enum '" + std::string(name_of(me)) + "' has no 'symbols' array");
    const std::uint32_t n = doc_[k.symbols].a;
    std::uint32_t c = k.symbols + 1;
    for (std::uint32_t i = 0; i < n; ++i, c = doc_[c].next) {
      if (!doc_.is_string(c)) return fail(errc::invalid_name, c, "enum symbol is not a string");
      if (!check_name(c, doc_.str(c), "enum symbol")) return false;
      std::uint32_t p = k.symbols + 1;
      for (std::uint32_t q = 0; q < i; ++q, p = doc_[p].next)
        if (doc_.str(p) == doc_.str(c))
          return fail(errc::duplicate_name, c, "duplicate enum symbol '" + std::string(doc_.str(c)) + "'");
    }
    // A non-string default is ignored by Java (textValue() is null).
    if (k.def != npos32 && doc_.is_string(k.def)) {
      bool found = false;
      const std::string_view d = doc_.str(k.def);
      c = k.symbols + 1;
      for (std::uint32_t i = 0; i < n && !found; ++i, c = doc_[c].next) found = doc_.str(c) == d;
      if (!found)
        return fail(errc::invalid_default, k.def, "enum default '" + std::string(d) + "' is not a symbol of '" +
                                                      std::string(name_of(me)) + "'");
    }
    nodes_[me].first = k.symbols;
    nodes_[me].count = n;
    if (!parse_aliases(k.aliases, true)) return false;
    if (!register_named(me, k.name)) return false;
    out = me;
    return true;
  }

  bool parse_fixed(std::uint32_t j, const object_keys& k, std::uint32_t ns_off, std::uint32_t ns_len,
                   std::uint32_t& out) {
    const std::uint32_t me = add_node(stype::fixed_t, j);
    if (!parse_name(j, k, ns_off, ns_len, me)) return false;
    if (k.size == npos32 || doc_[k.size].kind != jkind::number ||
        static_cast<jnum>(doc_[k.size].flags) != jnum::int32)
      return fail(errc::missing_attribute, k.size == npos32 ? j : k.size,
                  "fixed '" + std::string(name_of(me)) + "' has no int 'size'");
    long long size = 0;
    const std::string_view raw = doc_.raw(k.size);
    std::from_chars(raw.data(), raw.data() + raw.size(), size);
    if (size < 0 || size > 2147483639LL)
      return fail(errc::invalid_schema, k.size, "fixed size " + std::string(raw) + " is out of range [0, 2147483639]");
    nodes_[me].count = static_cast<std::uint32_t>(size);
    if (!parse_aliases(k.aliases, true)) return false;
    if (!register_named(me, k.name)) {
      return false;
    }
    out = me;
    return true;
  }

  // ---------------------------------------------------------------- resolution and defaults
  bool resolve() {
    for (std::uint32_t r : forwards_) {
      const std::uint32_t t = table_find(name_of(r));
      if (t == npos32)
        return fail(errc::unknown_type, nodes_[r].json, "undefined name '" + std::string(name_of(r)) + "'");
      nodes_[r].child = t;
    }
    // Union branches must be unique by (full) type name once every name is resolved.
    for (std::uint32_t u : unions_) {
      const snode& un = nodes_[u];
      for (std::uint32_t i = 1; i < un.count; ++i) {
        for (std::uint32_t p = 0; p < i; ++p) {
          if (branch_name(kids_[un.first + i]) == branch_name(kids_[un.first + p])) {
            std::uint32_t c = un.json + 1;
            for (std::uint32_t q = 0; q < i; ++q) c = doc_[c].next;
            return fail(errc::duplicate_name, c, "duplicate branch '" + std::string(branch_name(kids_[un.first + i])) +
                                                     "' in union");
          }
        }
      }
    }
    thrown_ = false;
    // Java's re-check while resolving can only differ from the parse-time check when a default
    // meets a forward reference or a record (an object value for a record type); skip it
    // otherwise. Without forward references both checks take the same paths, so the parse-time
    // check tells whether a record was met.
    met_record_ = false;
    // Defaults, first as Java checks them while parsing: a forward reference is a placeholder
    // record without fields there, so it accepts any object.
    for (std::uint32_t r = 0; r < nodes_.size(); ++r) {
      if (nodes_[r].type != stype::record_t) continue;
      const snode& rec = nodes_[r];
      for (std::uint32_t i = 0; i < rec.count; ++i) {
        const sfield& f = fields_[rec.first + i];
        if (f.def == npos32 || f.def_is_double) continue;
        if (!valid_default(f.schema, f.def, true, 0)) return bad_default(f);
      }
    }
    const bool needs_resolution_check = !forwards_.empty() || met_record_;
    // Then as SchemaResolver re-checks them while copying the schema graph, where a record whose
    // copy is still being built makes Java fail ("Schema fields not set yet").
    if (!needs_resolution_check) return true;
    state_.assign(nodes_.size(), 0);
    seen_.assign(nodes_.size(), 0);
    visit_id_ = 0;
    visit_depth_ = 0;
    for (std::uint32_t r : registered_)
      if (!java_visit(r)) return false;
    if (!is_named(nodes_[root_candidate_].type) && !java_visit(root_candidate_)) return false;
    return true;
  }
};

}  // namespace sluice::inline v0::avro::detail
