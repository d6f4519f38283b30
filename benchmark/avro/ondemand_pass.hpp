// SPDX-License-Identifier: Apache-2.0
#pragma once
// The floor of the Avro benchmarks: one simdjson on-demand pass over a JSON text that touches every
// value (unescapes every key and string, parses every number). A schema parser built on simdjson
// cannot be faster than this, so sluice's throughput is reported relative to it.
#include <simdjson.h>

#include <cstdint>
#include <string_view>

namespace sluice::inline v0::bench {

namespace detail {

inline simdjson::error_code touch(simdjson::ondemand::value v, std::uint64_t& sum) noexcept {
  simdjson::ondemand::json_type t{};
  if (auto e = v.type().get(t)) return e;
  switch (t) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object o;
      if (auto e = v.get_object().get(o)) return e;
      for (auto field : o) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        sum += key.size();
        simdjson::ondemand::value inner;
        if (auto e = field.value().get(inner)) return e;
        if (auto e = touch(inner, sum)) return e;
      }
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array a;
      if (auto e = v.get_array().get(a)) return e;
      for (auto element : a) {
        simdjson::ondemand::value inner;
        if (auto e = element.get(inner)) return e;
        if (auto e = touch(inner, sum)) return e;
      }
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return e;
      sum += s.size();
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::number: {
      double d = 0;
      if (auto e = v.get_double().get(d)) return e;
      sum += static_cast<std::uint64_t>(d != 0);
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return e;
      sum += b;
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::null:
      sum += v.is_null();
      return simdjson::SUCCESS;
  }
  return simdjson::INCORRECT_TYPE;
}

}  // namespace detail

/// Parses `json` (which must carry SIMDJSON_PADDING readable bytes after its end) with `parser`
/// and touches every value; adds a checksum to `sum` so the work cannot be optimized away.
/// Errors: the simdjson error of a malformed text.
/// Thread-safety: one parser per thread.
inline simdjson::error_code ondemand_pass(simdjson::ondemand::parser& parser, const simdjson::padded_string& json,
                                          std::uint64_t& sum) noexcept {
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(json).get(doc)) return e;
  simdjson::ondemand::value root;
  // A bare scalar document cannot be viewed as a value in simdjson 3.0; count its bytes instead.
  bool scalar = false;
  if (auto e = doc.is_scalar().get(scalar)) return e;
  if (scalar) {
    std::string_view raw;
    if (auto e = doc.raw_json_token().get(raw)) return e;
    sum += raw.size();
    return simdjson::SUCCESS;
  }
  if (auto e = doc.get_value().get(root)) return e;
  // simdjson 3.0 has no document::at_end(); trailing content is not looked for (the corpora have none).
  return detail::touch(root, sum);
}

}  // namespace sluice::inline v0::bench
