// SPDX-License-Identifier: Apache-2.0
#pragma once

// The schema graph of the exact Avro engine (schema_engine.hpp): node and field records, the keys
// of a schema object, and `schema_state`, the buffers every step of the engine shares (all
// reused across calls) with the error reporting (code, message, JSON path).
//
// The engine is a chain of layers, each a class adding one job on top of the one below:
// schema_state (this file) -> schema_names (name table, object keys) -> schema_equality
// (redefinitions) -> schema_defaults (default validation, Java's resolution order) ->
// schema_compiler (parsing and resolution) -> schema_canonical (Parsing Canonical Form) ->
// schema_preprocessor (the Spark-friendly rewrite) -> schema_engine (the facade).

#include <sluice/avro/detail/json.hpp>
#include <sluice/avro/detail/names.hpp>
#include <sluice/avro/parse_error.hpp>
#include <sluice/core/error.hpp>

#include <cstddef>
#include <cstdint>
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

class schema_state {
 protected:
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

  json_document doc_;
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
