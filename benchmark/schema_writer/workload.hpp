// SPDX-License-Identifier: Apache-2.0
#pragma once
// The messages of the end-to-end benchmark of sluice-schema-writer: a GoldenGate schema topic as
// a database with many tables produces it (the shapes of ../shared/testdata/goldengate/*.avsc and
// of the sample topic), deterministic in a seed. Most messages describe a table seen for the first
// time (a new catalog object); some are a new version of a known table (a column added: a new
// object in the same folder); some resend an earlier message byte for byte (GoldenGate resends
// its schemas, e.g. on a restart: no new object); a few carry the envelope schema
// (oracle.goldengate.generic_wrapper, filtered by the writer: no object).
//
// For every message the workload names the catalog object it creates, if any:
// `<prefix>/<db.schema.table>/<fingerprint>.avsc`, with the key normalized as docs/architecture.md §2
// says (lowercase, `c##` removed from each part, `gg.` before a two-part key) by the code below,
// and the fingerprint computed by sluice::avro (checked against Java Avro by the avro tests).
#include <sluice/avro/schema_parser.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sw_e2e {

/// What a message is.
enum class message_kind { new_table, new_version, resend, wrapper };

inline const char* kind_name(message_kind k) noexcept {
  switch (k) {
    case message_kind::new_table: return "new_table";
    case message_kind::new_version: return "new_version";
    case message_kind::resend: return "resend";
    case message_kind::wrapper: return "wrapper";
  }
  return "?";
}

/// One message of the schema topic, and the catalog object it creates.
struct message {
  std::int32_t partition = 0;
  std::string key;        ///< the GoldenGate table name, e.g. `ORCLPDB1.C##APP_OWNER.ORDERS_00017`
  std::string payload;    ///< the Avro schema JSON
  message_kind kind = message_kind::new_table;
  std::string object;     ///< the catalog key it creates; empty when it creates none
};

/// The shape of a workload.
struct workload_options {
  std::size_t messages = 1000;
  int partitions = 4;
  std::uint64_t seed = 1;
  std::string prefix = "catalog";
  double version_share = 0.08;   ///< new version of a known table
  double resend_share = 0.10;    ///< an earlier message again, byte for byte
  double wrapper_share = 0.02;   ///< the envelope schema
  int columns = 0;               ///< > 0: every new table has this many columns (wide schemas)
};

namespace detail {

// A JSON value just rich enough for schemas, printed compactly (`", "`, `": "`, as most of the
// sample topic) or indented by two spaces (as its pretty-printed messages).
struct node {
  enum class kind { string, number, null, array, object } k = kind::null;
  std::string text;                // string or number
  std::vector<std::string> keys;   // object
  std::vector<node> items;         // array elements or object values

  static node str(std::string s) { return node{kind::string, std::move(s), {}, {}}; }
  static node num(long long v) { return node{kind::number, std::to_string(v), {}, {}}; }
  static node nil() { return node{}; }
  static node arr(std::vector<node> v) { return node{kind::array, {}, {}, std::move(v)}; }
  static node obj() { return node{kind::object, {}, {}, {}}; }
  node& add(std::string key, node v) {
    keys.push_back(std::move(key));
    items.push_back(std::move(v));
    return *this;
  }
};

inline void quote(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

inline void print(std::string& out, const node& n, bool pretty, int depth) {
  const auto newline = [&](int d) {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(d) * 2, ' ');
  };
  switch (n.k) {
    case node::kind::string: quote(out, n.text); return;
    case node::kind::number: out += n.text; return;
    case node::kind::null: out += "null"; return;
    case node::kind::array:
    case node::kind::object: {
      const bool is_object = n.k == node::kind::object;
      out.push_back(is_object ? '{' : '[');
      if (n.items.empty()) {
        out.push_back(is_object ? '}' : ']');
        return;
      }
      // Like Python's json.dumps(indent=2): a compact array of scalars stays on one line only in
      // the compact style.
      for (std::size_t i = 0; i < n.items.size(); ++i) {
        if (i > 0) out += pretty ? "," : ", ";
        if (pretty) newline(depth + 1);
        if (is_object) {
          quote(out, n.keys[i]);
          out += ": ";
        }
        print(out, n.items[i], pretty, depth + 1);
      }
      if (pretty) newline(depth);
      out.push_back(is_object ? '}' : ']');
      return;
    }
  }
}

// One column of a table: name and Avro type (without the null branch).
struct column {
  std::string name;
  node type;
};

struct table {
  std::string db, schema, name;
  std::vector<column> columns;
  bool pretty = false;
  std::int32_t partition = 0;
  int version = 0;
};

inline constexpr std::string_view dbs[] = {"ORCLPDB1", "HRPDB", "SALESPDB", "FINPDB", "OPSPDB"};
inline constexpr std::string_view schemas[] = {"HR", "FIN", "SALES", "C##APP_OWNER", "C##GGADMIN",
                                               "INVENTORY", "BILLING", "CRM"};
inline constexpr std::string_view table_words[] = {
    "ACCOUNTS", "ORDERS", "ITEMS", "PAYMENTS", "EMPLOYEES", "CUSTOMERS", "INVOICES", "SHIPMENTS",
    "PRODUCTS", "ADDRESSES", "CONTRACTS", "LEDGER", "AUDIT_LOG", "PRICES", "STOCK", "RETURNS"};
inline constexpr std::string_view column_words[] = {
    "ID", "NAME", "CODE", "STATUS", "CREATED_AT", "UPDATED_AT", "AMOUNT", "PRICE", "QTY", "COUNTRY",
    "EMAIL", "PHONE", "DESCRIPTION", "FLAGS", "REGION", "CURRENCY", "RATE", "BALANCE", "NOTE",
    "REF", "CUST_CODE", "ORDER_ID", "PRODUCT_CODE", "TRANSACTION_ID", "VERSION", "OWNER"};

inline node random_type(std::mt19937_64& rng) {
  const int pick = static_cast<int>(rng() % 100);
  if (pick < 40) return node::str("string");
  if (pick < 50) return node::str("double");
  if (pick < 65) return node::str("long");
  if (pick < 85) {
    // Oracle NUMBER: GoldenGate writes precisions above Spark's 38 too (the sample has 164).
    const long long precision = (rng() % 4 == 0) ? 40 + static_cast<long long>(rng() % 130)
                                                 : 5 + static_cast<long long>(rng() % 34);
    const long long scale = static_cast<long long>(rng() % static_cast<std::uint64_t>(std::min(precision, 41LL)));
    return node::obj()
        .add("type", node::str("bytes"))
        .add("logicalType", node::str("decimal"))
        .add("precision", node::num(precision))
        .add("scale", node::num(scale));
  }
  if (pick < 92) return node::obj().add("type", node::str("array")).add("items", node::str("string"));
  return node::obj().add("type", node::str("long")).add("logicalType", node::str("timestamp-micros"));
}

inline column random_column(std::mt19937_64& rng, int index) {
  const auto word = column_words[rng() % std::size(column_words)];
  // The index keeps names unique, also after lowercasing.
  return column{std::string(word) + "_" + std::to_string(index), random_type(rng)};
}

// The GoldenGate "operation record" of a table (gg_table_example.avsc, the sample topic).
inline std::string schema_text(const table& t) {
  std::string ns = t.schema;
  for (auto& c : ns)
    if (c == '#') c = '_';  // C##APP_OWNER → C__APP_OWNER, as GoldenGate does
  node columns = node::arr({});
  for (const auto& c : t.columns) {
    columns.items.push_back(node::obj()
                                .add("name", node::str(c.name))
                                .add("type", node::arr({node::str("null"), c.type}))
                                .add("default", node::nil()));
    columns.items.push_back(
        node::obj().add("name", node::str(c.name + "_isMissing")).add("type", node::str("boolean")));
  }
  node fields = node::arr({});
  for (const char* f : {"table", "op_type", "op_ts", "current_ts", "pos"})
    fields.items.push_back(node::obj().add("name", node::str(f)).add("type", node::str("string")));
  fields.items.push_back(node::obj().add("name", node::str("primary_keys"))
                             .add("type", node::obj().add("type", node::str("array")).add("items", node::str("string"))));
  fields.items.push_back(node::obj()
                             .add("name", node::str("tokens"))
                             .add("type", node::obj().add("type", node::str("map")).add("values", node::str("string")))
                             .add("default", node::obj()));
  node record = node::obj()
                    .add("type", node::str("record"))
                    .add("name", node::str("columns"))
                    .add("fields", std::move(columns));
  fields.items.push_back(node::obj()
                             .add("name", node::str("before"))
                             .add("type", node::arr({node::str("null"), std::move(record)}))
                             .add("default", node::nil()));
  fields.items.push_back(node::obj()
                             .add("name", node::str("after"))
                             .add("type", node::arr({node::str("null"), node::str("columns")}))
                             .add("default", node::nil()));
  node top = node::obj()
                 .add("type", node::str("record"))
                 .add("name", node::str(t.name))
                 .add("namespace", node::str(ns))
                 .add("doc", node::str("GoldenGate operation record for " + t.schema + "." + t.name))
                 .add("fields", std::move(fields));
  std::string out;
  print(out, top, t.pretty, 0);
  return out;
}

inline const char* wrapper_schema =
    R"({"type": "record", "name": "generic_wrapper", "namespace": "oracle.goldengate", "fields": [)"
    R"({"name": "table_name", "type": "string"}, {"name": "schema_fingerprint", "type": "long"}, )"
    R"({"name": "payload", "type": "bytes"}]})";

}  // namespace detail

/// The catalog folder of a GoldenGate key (docs/architecture.md §2), for the well-formed keys the
/// workload makes: lowercase, `c##` removed from the front of each part, `gg.` before two parts.
inline std::string normalized_key(std::string_view key) {
  std::vector<std::string> parts(1);
  for (const char c : key) {
    if (c == '.') parts.emplace_back();
    else parts.back().push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  std::string out = parts.size() == 2 ? "gg" : "";
  for (auto& p : parts) {
    if (p.rfind("c##", 0) == 0) p.erase(0, 3);
    if (!out.empty()) out.push_back('.');
    out += p;
  }
  return out;
}

/// The envelope schema message, which the writer filters (no object).
inline message wrapper_message(std::int32_t partition) {
  return message{partition, "oracle.goldengate.generic_wrapper", detail::wrapper_schema, message_kind::wrapper, {}};
}

/// `opt.messages` messages, deterministic in `opt.seed`.
/// Throws std::runtime_error if sluice::avro rejects a generated schema (a bug of the generator).
inline std::vector<message> make_workload(const workload_options& opt) {
  std::mt19937_64 rng(opt.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<detail::table> tables;
  std::vector<message> out;
  out.reserve(opt.messages);
  std::set<std::string> objects;
  sluice::avro::schema_parser parser;

  const auto finish = [&](message m) {
    const auto fp = parser.fingerprint(m.payload);
    if (!fp) throw std::runtime_error("generated schema rejected: " + m.key);
    std::string object = opt.prefix + "/" + normalized_key(m.key) + "/" + std::to_string(fp.value()) + ".avsc";
    if (objects.insert(object).second) m.object = std::move(object);
    out.push_back(std::move(m));
  };

  // The heartbeat table first: a two-part key (gg.ggadmin.gg_heartbeat).
  {
    detail::table hb{"", "C##GGADMIN", "GG_HEARTBEAT", {}, false, 0, 0};
    for (const char* c : {"REMOTE_DATABASE", "INCOMING_HEARTBEAT_TS", "INCOMING_LAG"})
      hb.columns.push_back(detail::column{c, detail::node::str("string")});
    if (opt.messages > 0) finish(message{0, "C##GGADMIN.GG_HEARTBEAT", detail::schema_text(hb), message_kind::new_table, {}});
  }

  while (out.size() < opt.messages) {
    const double r = unit(rng);
    if (r < opt.wrapper_share) {
      out.push_back(wrapper_message(static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(opt.partitions))));
      continue;
    }
    if (r < opt.wrapper_share + opt.resend_share && out.size() > 1) {
      // Resend a recent message that carried a table schema.
      const std::size_t window = std::min<std::size_t>(out.size(), 500);
      const message& prev = out[out.size() - 1 - rng() % window];
      if (prev.kind == message_kind::wrapper) continue;
      message m{prev.partition, prev.key, prev.payload, message_kind::resend, {}};
      finish(std::move(m));
      continue;
    }
    if (r < opt.wrapper_share + opt.resend_share + opt.version_share && !tables.empty()) {
      // A new version of a known table: a column added.
      auto& t = tables[rng() % tables.size()];
      t.columns.push_back(detail::random_column(rng, static_cast<int>(t.columns.size())));
      ++t.version;
      finish(message{t.partition, t.db + "." + t.schema + "." + t.name, detail::schema_text(t),
                     message_kind::new_version, {}});
      continue;
    }
    detail::table t;
    t.db = detail::dbs[rng() % std::size(detail::dbs)];
    t.schema = detail::schemas[rng() % std::size(detail::schemas)];
    t.name = std::string(detail::table_words[rng() % std::size(detail::table_words)]) + "_" +
             std::to_string(tables.size());
    // 2 to 24 columns (the sample has 3 to 20), now and then a wide one of 40 to 120.
    int n = rng() % 50 == 0 ? 40 + static_cast<int>(rng() % 81) : 2 + static_cast<int>(rng() % 23);
    if (opt.columns > 0) n = opt.columns;
    for (int i = 0; i < n; ++i) t.columns.push_back(detail::random_column(rng, i));
    t.pretty = rng() % 4 == 0;
    t.partition = static_cast<std::int32_t>(tables.size() % static_cast<std::size_t>(opt.partitions));
    tables.push_back(t);
    finish(message{t.partition, t.db + "." + t.schema + "." + t.name, detail::schema_text(t),
                   message_kind::new_table, {}});
  }
  return out;
}

}  // namespace sw_e2e
