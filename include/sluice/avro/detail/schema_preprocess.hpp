// SPDX-License-Identifier: Apache-2.0
#pragma once

// The preprocessor of the exact Avro engine: the schema JSON rewritten for Spark (names
// lowercased, decimal precision capped, defaults made explicit), key order kept.
#include <sluice/avro/detail/schema_canonical.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::inline v0::avro::detail {

class schema_preprocessor : public schema_canonical {
 protected:
  enum class mode { plain, schema, field_list, field };

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
};

}  // namespace sluice::inline v0::avro::detail
