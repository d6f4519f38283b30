// SPDX-License-Identifier: Apache-2.0
#pragma once

// The schema compiler behind schema_parser: JSON tape -> schema graph with Java Avro 1.12.2's
// rules (Schema.parse, ParseContext, SchemaResolver), Parsing Canonical Form, and the
// preprocessor. All buffers are members and reused across calls. Each job is one layer
// (schema_model.hpp lists them); this file is the facade the parser uses.

#include <sluice/avro/detail/names.hpp>
#include <sluice/avro/detail/schema_preprocess.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace sluice::inline v0::avro::detail {

class schema_engine : private schema_preprocessor {
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
};

}  // namespace sluice::inline v0::avro::detail
