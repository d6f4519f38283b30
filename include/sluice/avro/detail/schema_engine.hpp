// SPDX-License-Identifier: Apache-2.0
#pragma once

// The schema compiler behind schema_parser: JSON tape -> schema graph with Java Avro 1.12.2's
// rules (Schema.parse, ParseContext, SchemaResolver), Parsing Canonical Form, and the
// preprocessor. All buffers are members and reused across calls.

#include <sluice/avro/crc64.hpp>
#include <sluice/avro/detail/java_double.hpp>
#include <sluice/avro/detail/json.hpp>
#include <sluice/avro/detail/names.hpp>
#include <sluice/avro/parse_error.hpp>
#include <sluice/core/error.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inline v0::avro::detail {

enum class stype : std::uint8_t {
  null_t, boolean_t, int_t, long_t, float_t, double_t, bytes_t, string_t,
  record_t, enum_t, fixed_t, array_t, map_t, union_t, ref_t
};

inline constexpr std::string_view stype_name(stype t) noexcept {
  constexpr std::string_view names[] = {"null", "boolean", "int",   "long",  "float", "double", "bytes", "string",
                                        "record", "enum", "fixed", "array", "map", "union", "ref"};
  return names[static_cast<int>(t)];
}

inline constexpr bool is_named(stype t) noexcept {
  return t == stype::record_t || t == stype::enum_t || t == stype::fixed_t;
}

struct snode {
  stype type;
  bool forward;         // ref: unresolved when referenced (a placeholder in Java until resolution)
  std::uint8_t unused[2];
  std::uint32_t json;   // defining JSON node
  std::uint32_t full;   // named / ref: full name in the names arena (offset)
  std::uint32_t full_len;
  std::uint32_t first;  // record: fields_ offset; union: kids_ offset; enum: symbols JSON array
  std::uint32_t count;  // record: field count; union: branch count; enum: symbol count; fixed: size
  std::uint32_t child;  // array/map: item schema; ref: target def; named def: canonical def
};

struct sfield {
  std::uint32_t json;
  std::uint32_t name;    // JSON string node
  std::uint32_t schema;  // snode
  std::uint32_t def;     // JSON node of the default, npos32 if none
  bool def_is_double;    // a float/double field whose string default Java converted to a DoubleNode
};

// Keys of a schema or field object (value node of the last occurrence; npos32 when absent).
struct object_keys {
  std::uint32_t type, name, space, fields, symbols, items, values, size, def, order, aliases, logical, precision, scale;
};

class schema_engine {
 public:
  // Parses and validates; on success the graph is ready for canonical()/preprocess().
  std::error_code compile(std::string_view text, parse_error* err) {
    err_ = err;
    nodes_.clear();
    fields_.clear();
    kids_.clear();
    names_.clear();
    forwards_.clear();
    unions_.clear();
    registered_.clear();
    table_clear();
    pairs_.clear();
    resolved_ = false;
    // Java reads the schema as a String: invalid UTF-8 has become U+FFFD before Jackson sees it,
    // so keys, names and values are compared (and re-emitted) as that text.
    if (!is_valid_utf8(text)) {
      java_decode_utf8(text, decoded_);
      text = decoded_;
    }
    if (!doc_.parse(text)) {
      if (doc_.empty_input()) return fail_at(errc::invalid_json, npos32, doc_.error_message());
      return json_fail();
    }
    std::uint32_t root = 0;
    if (!parse_schema(0, 0, 0, root)) return code_;
    if (nodes_[root].type == stype::ref_t && nodes_[root].forward)
      return fail_at(errc::unknown_type, 0, "undefined name '" + std::string(name_of(root)) + "'");
    root_candidate_ = root;
    if (!resolve()) return code_;
    resolved_ = true;
    root_ = root;
    return {};
  }

  // Parsing Canonical Form of the compiled schema into out (cleared first).
  std::error_code canonical(std::string& out) {
    out.clear();
    printed_.assign(nodes_.size(), 0);
    pcf_depth_ = 0;
    if (!emit_pcf(root_, out)) return fail_at(errc::invalid_schema, 0, "schema nests too deeply for its canonical form");
    return {};
  }

  std::string_view root_full_name() const noexcept {
    const snode& n = nodes_[root_];
    return is_named(n.type) ? std::string_view(names_.data() + n.full, n.full_len) : std::string_view{};
  }

  // Preprocess the compiled schema (compile() must have succeeded) into out.
  std::error_code preprocess(bool lowercase, unsigned max_precision, std::string& out) {
    out.clear();
    if (lowercase && !check_lowercase_collisions()) return code_;
    lowercase_ = lowercase;
    max_precision_ = max_precision;
    if (lowercase) {
      field_schema_.assign(doc_.size(), npos32);
      for (const sfield& f : fields_) field_schema_[f.json] = f.schema;
    }
    pairs_.clear();
    emit_json(0, mode::schema, out);
    return {};
  }

 private:
  enum class mode { plain, schema, field_list, field };

  // ---------------------------------------------------------------- errors
  std::error_code fail_at(errc e, std::uint32_t json, std::string msg) {
    code_ = make_error_code(e);
    if (err_) {
      err_->code = code_;
      err_->path = json == npos32 ? "$" : path_of(json);
      err_->message = std::move(msg);
    }
    return code_;
  }
  bool fail(errc e, std::uint32_t json, std::string msg) {
    fail_at(e, json, std::move(msg));
    return false;
  }
  std::error_code json_fail() {
    code_ = make_error_code(errc::invalid_json);
    if (err_) {
      const std::string_view in = doc_.input();
      const std::size_t off = std::min(doc_.error_offset(), in.size());
      std::size_t line = 1, col = 1;
      for (std::size_t i = 0; i < off; ++i) {
        if (in[i] == '\n') {
          ++line;
          col = 1;
        } else {
          ++col;
        }
      }
      err_->code = code_;
      err_->path = doc_.error_path();
      err_->message = doc_.error_message() + " at line " + std::to_string(line) + ", column " + std::to_string(col) +
                      " (byte " + std::to_string(off) + ")";
    }
    return code_;
  }

  // JSON path of a tape node, computed only when reporting an error.
  std::string path_of(std::uint32_t target) const {
    std::string p = "$";
    std::uint32_t cur = 0;
    while (cur != target && cur < doc_.size()) {
      const jnode& n = doc_[cur];
      bool found = false;
      if (n.kind == jkind::object) {
        std::uint32_t c = cur + 1;
        for (std::uint32_t i = 0; i < n.a; ++i) {
          const std::uint32_t v = c + 1;
          const std::uint32_t e = doc_[v].next;
          if (target >= c && target < e) {
            append_path_key(p, doc_.str(c));
            cur = target == c ? target : v;
            found = true;
            break;
          }
          c = e;
        }
      } else if (n.kind == jkind::array) {
        std::uint32_t c = cur + 1;
        for (std::uint32_t i = 0; i < n.a; ++i) {
          const std::uint32_t e = doc_[c].next;
          if (target >= c && target < e) {
            append_path_index(p, i);
            cur = c;
            found = true;
            break;
          }
          c = e;
        }
      }
      if (!found) break;
    }
    return p;
  }

  // ---------------------------------------------------------------- names table
  static std::uint64_t hash(std::string_view s) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return h;
  }
  struct slot {
    std::uint64_t h;
    std::uint32_t node;  // npos32 = empty
  };
  void table_clear() {
    if (table_.size() != 64 || table_used_ != 0) {
      for (std::uint32_t i : table_slots_) table_[i].node = npos32;
      if (table_.empty()) table_.assign(64, slot{0, npos32});
    }
    table_slots_.clear();
    table_used_ = 0;
  }
  std::string_view name_of(std::uint32_t node) const noexcept {
    return {names_.data() + nodes_[node].full, nodes_[node].full_len};
  }
  std::uint32_t table_find(std::string_view full) const noexcept {
    const std::uint64_t h = hash(full);
    const std::size_t mask = table_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const slot& s = table_[i];
      if (s.node == npos32) return npos32;
      if (s.h == h && name_of(s.node) == full) return s.node;
    }
  }
  void table_insert(std::uint32_t node) {
    if ((table_used_ + 1) * 2 > table_.size()) {
      std::vector<slot> old;
      old.swap(table_);
      table_.assign(old.size() * 2, slot{0, npos32});
      table_slots_.clear();
      table_used_ = 0;
      for (const slot& s : old)
        if (s.node != npos32) table_put(s.h, s.node);
    }
    table_put(hash(name_of(node)), node);
  }
  void table_put(std::uint64_t h, std::uint32_t node) {
    const std::size_t mask = table_.size() - 1;
    std::size_t i = h & mask;
    while (table_[i].node != npos32) i = (i + 1) & mask;
    table_[i] = slot{h, node};
    table_slots_.push_back(static_cast<std::uint32_t>(i));
    ++table_used_;
  }

  // ---------------------------------------------------------------- object keys
  // Jackson's ObjectNode keeps each key once, at its first position, with its last value. The
  // distinct pairs of an object are pushed on pairs_ (a stack: release() in reverse order, so
  // recursion may push more); objects above small_object keys also get an open-addressing table
  // behind the pairs, so finding duplicates and looking keys up stays linear for wide objects.
  struct kv {
    std::uint32_t key;  // pairs: key node; table slots: pair index (npos32 = empty)
    std::uint32_t val;  // pairs: last value node; table slots: low 32 bits of the key's hash
  };
  struct pairs_view {
    std::uint32_t base, count, cap;  // cap 0: no table, look keys up linearly
  };
  static constexpr std::uint32_t small_object = 16;

  static std::uint32_t table_cap(std::uint32_t n) noexcept {
    std::uint32_t cap = 32;
    while (cap < n * 2) cap *= 2;
    return cap;
  }

  pairs_view unique_pairs(std::uint32_t obj) const {
    const std::uint32_t n = doc_[obj].a;
    pairs_view pv{static_cast<std::uint32_t>(pairs_.size()), 0, 0};
    std::uint32_t c = obj + 1;
    if (n <= small_object) {
      for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t v = c + 1;
        const std::string_view key = doc_.str(c);
        std::uint32_t k = 0;
        while (k < pv.count && doc_.str(pairs_[pv.base + k].key) != key) ++k;
        if (k < pv.count) pairs_[pv.base + k].val = v;
        else pairs_.push_back(kv{c, v}), ++pv.count;
        c = doc_[v].next;
      }
      return pv;
    }
    pv.cap = table_cap(n);
    pairs_.resize(pv.base + n + pv.cap, kv{npos32, 0});
    const std::uint32_t mask = pv.cap - 1;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t v = c + 1;
      const std::string_view key = doc_.str(c);
      const std::uint64_t h = hash(key);
      for (std::uint32_t t = static_cast<std::uint32_t>(h) & mask;; t = (t + 1) & mask) {
        kv& slot = pairs_[pv.base + n + t];
        if (slot.key == npos32) {
          slot = kv{pv.count, static_cast<std::uint32_t>(h)};
          pairs_[pv.base + pv.count++] = kv{c, v};
          break;
        }
        if (slot.val == static_cast<std::uint32_t>(h) && doc_.str(pairs_[pv.base + slot.key].key) == key) {
          pairs_[pv.base + slot.key].val = v;
          break;
        }
      }
      c = doc_[v].next;
    }
    // Compact: move the table right behind the pairs.
    if (pv.count < n)
      std::copy(pairs_.begin() + pv.base + n, pairs_.begin() + pv.base + n + pv.cap, pairs_.begin() + pv.base + pv.count);
    pairs_.resize(pv.base + pv.count + pv.cap);
    return pv;
  }

  // Last value of key in an object given by unique_pairs (npos32 when absent).
  std::uint32_t lookup(const pairs_view& pv, std::string_view key) const noexcept {
    if (pv.cap == 0) {
      for (std::uint32_t k = 0; k < pv.count; ++k)
        if (doc_.str(pairs_[pv.base + k].key) == key) return pairs_[pv.base + k].val;
      return npos32;
    }
    const std::uint64_t h = hash(key);
    const std::uint32_t mask = pv.cap - 1;
    for (std::uint32_t t = static_cast<std::uint32_t>(h) & mask;; t = (t + 1) & mask) {
      const kv& slot = pairs_[pv.base + pv.count + t];
      if (slot.key == npos32) return npos32;
      if (slot.val == static_cast<std::uint32_t>(h) && doc_.str(pairs_[pv.base + slot.key].key) == key)
        return pairs_[pv.base + slot.key].val;
    }
  }

  void release(const pairs_view& pv) const { pairs_.resize(pv.base); }

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

  // Value node of the last occurrence of key in object obj (npos32 when absent).
  std::uint32_t last_value(std::uint32_t obj, std::string_view key) const noexcept {
    std::uint32_t found = npos32;
    std::uint32_t c = obj + 1;
    for (std::uint32_t i = 0; i < doc_[obj].a; ++i) {
      const std::uint32_t v = c + 1;
      if (doc_.str(c) == key) found = v;
      c = doc_[v].next;
    }
    return found;
  }

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

  // ---------------------------------------------------------------- preprocess
  bool check_lowercase_collisions() {
    for (std::uint32_t r = 0; r < nodes_.size(); ++r)
      if (nodes_[r].type == stype::record_t && !check_unique_fields(r, true)) return false;
    return true;
  }

  // Strings are re-emitted from their raw text (valid UTF-8: compile() replaced invalid bytes).
  void emit_raw_string(std::uint32_t j, std::string& o) const {
    o += '"';
    o += doc_.raw(j);
    o += '"';
  }

  void emit_lowercase_name(std::uint32_t j, std::string& o) const {
    if (!(doc_[j].flags & 1u)) {
      const std::size_t at = o.size();
      emit_raw_string(j, o);
      for (std::size_t i = at; i < o.size(); ++i) o[i] = ascii_lower(o[i]);
      return;
    }
    // Escaped: emit the decoded (validated, so escape-free) name.
    o += '"';
    for (char c : doc_.str(j)) o += ascii_lower(c);
    o += '"';
  }

  static void append_uint(std::string& o, unsigned v) {
    char buf[16];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    o.append(buf, r.ptr);
  }

  // Value of an integral JSON number, saturated to [0, UINT32_MAX]; false for non-integers.
  bool int_value(std::uint32_t j, std::uint64_t& v) const noexcept {
    if (j == npos32 || doc_[j].kind != jkind::number || static_cast<jnum>(doc_[j].flags) == jnum::floating) return false;
    const std::string_view r = doc_.raw(j);
    if (!r.empty() && r[0] == '-') {
      v = 0;
      return true;
    }
    if (static_cast<jnum>(doc_[j].flags) == jnum::big_integer || r.size() > 18) {
      v = UINT64_MAX;
      return true;
    }
    v = 0;
    for (char c : r) v = v * 10 + static_cast<unsigned>(c - '0');
    return true;
  }

  void emit_json(std::uint32_t j, mode m, std::string& o) {
    const jnode& n = doc_[j];
    switch (n.kind) {
      case jkind::string: emit_raw_string(j, o); return;
      case jkind::number:
      case jkind::true_value:
      case jkind::false_value:
      case jkind::null_value: o += doc_.raw(j); return;
      case jkind::array: {
        const mode child = (m == mode::schema) ? mode::schema : (m == mode::field_list ? mode::field : mode::plain);
        o += '[';
        std::uint32_t c = j + 1;
        for (std::uint32_t i = 0; i < n.a; ++i, c = doc_[c].next) {
          if (i) o += ',';
          emit_json(c, child, o);
        }
        o += ']';
        return;
      }
      case jkind::object: break;
    }
    object_keys k;
    std::string_view type;
    bool cap = false;
    std::uint64_t precision = 0, scale = 0;
    bool has_scale = false;
    if (m == mode::schema || m == mode::field) {
      scan_keys(j, k);
      type = text_or_empty(k.type);
      if (m == mode::schema && text_or_empty(k.logical) == "decimal" && int_value(k.precision, precision) &&
          precision > max_precision_) {
        cap = true;
        has_scale = int_value(k.scale, scale);
      }
    }
    o += '{';
    // Jackson's ObjectNode: a duplicate key keeps the first position and the last value.
    const pairs_view pv = unique_pairs(j);
    for (std::uint32_t i = 0; i < pv.count; ++i) {
      const std::uint32_t c = pairs_[pv.base + i].key;
      const std::uint32_t val = pairs_[pv.base + i].val;
      const std::string_view key = doc_.str(c);
      {
        if (i) o += ',';
        emit_raw_string(c, o);
        o += ':';
        mode vm = mode::plain;
        if (m == mode::schema) {
          if (key == "type" && doc_[val].kind != jkind::string) vm = mode::schema;
          else if (key == "fields" && (type == "record" || type == "error")) vm = mode::field_list;
          else if ((key == "items" && type == "array") || (key == "values" && type == "map")) vm = mode::schema;
        } else if (m == mode::field && key == "type") {
          vm = mode::schema;
        }
        if (m == mode::field && key == "name" && lowercase_ && doc_.is_string(val)) {
          emit_lowercase_name(val, o);
        } else if (m == mode::field && key == "default" && lowercase_ && field_schema_[j] != npos32) {
          emit_default(field_schema_[j], val, o, 0);
        } else if (cap && key == "precision") {
          append_uint(o, max_precision_);
        } else if (cap && has_scale && key == "scale" && scale > max_precision_) {
          append_uint(o, max_precision_);
        } else {
          emit_json(val, vm, o);
        }
      }
    }
    release(pv);
    o += '}';
  }

  // A field default, re-emitted so that it keeps its meaning once field names are lowercased: the
  // keys naming fields of the record type a value is for are lowercased too, through nested
  // records, arrays, maps and the union branch Java's isValidDefault matches first. Other values
  // are emitted as they are.
  void emit_default(std::uint32_t s, std::uint32_t v, std::string& o, unsigned depth) {
    const jnode& jv = doc_[v];
    if ((jv.kind != jkind::object && jv.kind != jkind::array) || depth > max_visit_depth) {
      emit_json(v, mode::plain, o);
      return;
    }
    if (nodes_[s].type == stype::ref_t) s = nodes_[s].child;
    const snode& n = nodes_[s];
    switch (n.type) {
      case stype::union_t:
        for (std::uint32_t i = 0; i < n.count; ++i) {
          thrown_ = false;
          if (valid_default(kids_[n.first + i], v, true, 0)) {
            emit_default(kids_[n.first + i], v, o, depth + 1);
            return;
          }
        }
        break;
      case stype::array_t:
        if (jv.kind != jkind::array) break;
        o += '[';
        for (std::uint32_t i = 0, c = v + 1; i < jv.a; ++i, c = doc_[c].next) {
          if (i) o += ',';
          emit_default(n.child, c, o, depth + 1);
        }
        o += ']';
        return;
      case stype::map_t: {
        if (jv.kind != jkind::object) break;
        const pairs_view pv = unique_pairs(v);
        o += '{';
        for (std::uint32_t k = 0; k < pv.count; ++k) {
          if (k) o += ',';
          emit_raw_string(pairs_[pv.base + k].key, o);
          o += ':';
          emit_default(n.child, pairs_[pv.base + k].val, o, depth + 1);
        }
        o += '}';
        release(pv);
        return;
      }
      case stype::record_t:
        if (jv.kind != jkind::object) break;
        emit_record_default(s, v, o, depth);
        return;
      default: break;
    }
    emit_json(v, mode::plain, o);
  }

  static std::uint64_t hash_lower(std::string_view k) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : k) h = (h ^ static_cast<unsigned char>(ascii_lower(c))) * 0x100000001b3ULL;
    return h;
  }
  static bool equal_lower(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
  }

  void emit_record_default(std::uint32_t rec, std::uint32_t v, std::string& o, unsigned depth) {
    const std::uint32_t first = nodes_[rec].first, count = nodes_[rec].count;
    const pairs_view pv = unique_pairs(v);
    // A case-insensitive index of the field names (they are unique once lowercased: checked).
    const auto tbase = static_cast<std::uint32_t>(pairs_.size());
    std::uint32_t cap = 0;
    if (count > small_object) {
      cap = table_cap(count);
      pairs_.resize(tbase + cap, kv{npos32, 0});
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint64_t h = hash_lower(doc_.str(fields_[first + i].name));
        std::uint32_t t = static_cast<std::uint32_t>(h) & (cap - 1);
        while (pairs_[tbase + t].key != npos32) t = (t + 1) & (cap - 1);
        pairs_[tbase + t] = kv{i, static_cast<std::uint32_t>(h)};
      }
    }
    auto find_field = [&](std::string_view key) -> std::uint32_t {
      if (cap == 0) {
        for (std::uint32_t i = 0; i < count; ++i)
          if (equal_lower(doc_.str(fields_[first + i].name), key)) return i;
        return npos32;
      }
      const std::uint64_t h = hash_lower(key);
      for (std::uint32_t t = static_cast<std::uint32_t>(h) & (cap - 1);; t = (t + 1) & (cap - 1)) {
        const kv& slot = pairs_[tbase + t];
        if (slot.key == npos32) return npos32;
        if (slot.val == static_cast<std::uint32_t>(h) && equal_lower(doc_.str(fields_[first + slot.key].name), key))
          return slot.key;
      }
    };
    o += '{';
    bool comma = false;
    for (std::uint32_t k = 0; k < pv.count; ++k) {
      const std::uint32_t key = pairs_[pv.base + k].key;
      const std::uint32_t val = pairs_[pv.base + k].val;
      const std::string_view ks = doc_.str(key);
      const std::uint32_t f = find_field(ks);
      if (f != npos32 && doc_.str(fields_[first + f].name) != ks) {
        // Not this field's key (Java ignores it), but it would read as the field once lowercased:
        // drop it so the default keeps its meaning.
        if (std::none_of(ks.begin(), ks.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) continue;
        if (comma) o += ',';
        comma = true;
        emit_raw_string(key, o);
        o += ':';
        emit_json(val, mode::plain, o);
        continue;
      }
      if (comma) o += ',';
      comma = true;
      if (f == npos32) {
        emit_raw_string(key, o);
        o += ':';
        emit_json(val, mode::plain, o);
      } else {
        emit_lowercase_name(key, o);
        o += ':';
        emit_default(fields_[first + f].schema, val, o, depth + 1);
      }
    }
    o += '}';
    release(pv);
  }

  json_document doc_;
  mutable std::vector<kv> pairs_;            // scratch stack of unique_pairs (see there)
  std::vector<std::uint32_t> field_schema_;  // preprocess: field JSON object -> its schema node
  bool resolved_ = false;                    // names resolved: valid_default follows every reference
  bool met_record_ = false;                  // valid_default met an object for a record type
  std::vector<snode> nodes_;
  std::vector<sfield> fields_;
  std::vector<std::uint32_t> kids_;
  std::vector<std::uint32_t> forwards_;
  std::vector<std::uint32_t> unions_;
  std::vector<std::uint32_t> registered_;
  std::vector<std::uint8_t> state_;     // resolution emulation: 0 unstarted, 1 open, 2 done
  std::vector<std::uint32_t> seen_;     // resolution emulation: visit id that last entered a node
  std::uint32_t visit_id_ = 0;
  unsigned visit_depth_ = 0;
  unsigned pcf_depth_ = 0;
  bool thrown_ = false;
  std::vector<std::uint32_t> set_;
  std::vector<slot> table_;
  std::vector<std::uint32_t> table_slots_;
  std::size_t table_used_ = 0;
  std::vector<std::uint8_t> printed_;
  std::string names_;
  std::string qual_;
  std::uint32_t root_ = 0;
  std::uint32_t root_candidate_ = 0;
  static constexpr unsigned max_visit_depth = 20000;
  parse_error* err_ = nullptr;
  std::error_code code_;
  bool lowercase_ = true;
  unsigned max_precision_ = 38;
  std::string decoded_;  // the input as Java decodes it, when it is not valid UTF-8
};

}  // namespace sluice::inline v0::avro::detail
