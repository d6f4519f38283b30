// SPDX-License-Identifier: Apache-2.0
// Test tooling: a deterministic generator of Avro schema texts, valid and invalid, for the
// differential test of sluice against Java Avro and for the benchmark corpora.
//
//   oracle generate N SEED        N schema texts, one JSON string per line (mixed: every construct,
//                                 awkward spellings and a good share of invalid inputs)
//   oracle generate-gg N SEED     N GoldenGate-shaped table schemas (valid, 20..500 columns)
//
// Schema i depends only on (SEED, i), so a failing case can be regenerated alone. Whether a text
// is valid is decided by the oracle, not here; the generator only aims at a mix.
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

final class SchemaGen {
  // ---- a tiny JSON model that keeps key order, allows duplicate keys and raw number text ----------
  static final class Obj {
    final List<String> keys = new ArrayList<>();
    final List<Object> vals = new ArrayList<>();
    Obj put(String k, Object v) { keys.add(k); vals.add(v); return this; }
    Object get(String k) { int i = keys.indexOf(k); return i < 0 ? null : vals.get(i); }
  }
  static final class Raw {  // a number (or any token) printed verbatim
    final String text;
    Raw(String t) { text = t; }
  }
  static final Object NULL = new Object();

  private final SplittableRandom rnd;
  private final List<String> named = new ArrayList<>();       // full names defined so far
  private final List<String> namedSpace = new ArrayList<>();  // their namespaces ("" = none)
  private final List<Object> namedSchema = new ArrayList<>(); // their definitions (for defaults)
  private int counter;
  // printer settings for the current schema
  private int wsStyle;        // 0 compact, 1 spaces, 2 pretty, 3 random odd whitespace
  private boolean escapeAll;  // escape non-ASCII as \\uXXXX
  private boolean comments;   // sprinkle /* */ comments (not JSON: sluice must reject)

  private SchemaGen(long seed, long index) {
    rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 1);
  }

  static void main(String[] args, boolean gg) throws Exception {
    int n = Integer.parseInt(args[1]);
    long seed = Long.parseLong(args[2]);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    for (int i = 0; i < n; ++i) {
      SchemaGen g = new SchemaGen(seed, i);
      String text;
      if (gg) {
        g.wsStyle = 1 + g.rnd.nextInt(2);  // like GoldenGate's payloads: `, ` separated or pretty-printed
        text = g.ggText(20 + g.rnd.nextInt(481));
      } else {
        text = g.schemaText(i);
      }
      out.write(Json.quote(text));
      out.write('\n');
    }
    out.flush();
  }

  // ---- the mix -----------------------------------------------------------------------------------
  static final String[] PRIMS = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};

  String schemaText(int i) {
    wsStyle = rnd.nextInt(4);
    escapeAll = rnd.nextInt(8) == 0;
    int kind = i % 20;
    switch (kind) {
      case 0: return bareString();
      case 1: return print(primitiveObject());
      case 2: return print(logical());
      case 3: case 4: case 5: return print(record(ns(), 0));
      case 6: return print(enumType(ns()));
      case 7: return print(fixedType(ns()));
      case 8: return print(rnd.nextBoolean() ? array(ns(), 1) : map(ns(), 1));
      case 9: return print(union(ns(), 1));
      case 10: case 11: return ggText(rnd.nextInt(10) == 0 ? 100 + rnd.nextInt(401) : 1 + rnd.nextInt(60));
      case 12: return print(references());
      case 13: return print(recursive());
      case 19: return edgeCase(i / 20);
      default: return invalid();
    }
  }

  String ns() {
    switch (rnd.nextInt(6)) {
      case 0: case 1: return null;
      case 2: return "";
      case 3: return pick("com.example", "org.apache.avro.test", "HR", "C__GGADMIN", "x.y.z", "ñandú.café");
      default: return ident() + (rnd.nextBoolean() ? "." + ident() : "");
    }
  }

  String ident() {
    int r = rnd.nextInt(20);
    if (r == 0) return pick("émile", "Ärger", "straße", "Ωmega", "名前", "данные", "_x", "_", "A1_b2");
    if (r == 1) return pick("record", "enum", "fields", "type", "name", "namespace", "doc");  // legal names
    StringBuilder b = new StringBuilder();
    String first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    String rest = first + "0123456789";
    b.append(first.charAt(rnd.nextInt(first.length())));
    int len = rnd.nextInt(12);
    for (int k = 0; k < len; ++k) b.append(rest.charAt(rnd.nextInt(rest.length())));
    return b.toString();
  }

  String uniqueName() { return ident() + "_" + (counter++); }

  String doc() {
    switch (rnd.nextInt(8)) {
      case 0: return "";
      case 1: return "Line one\nline two\ttabbed \"quoted\" back\\slash / slash";
      case 2: return "Ünïcödé dōc — 日本語 😀 \u0001 control";
      case 3: return "</script> & <b>html</b> \u2028 \u2029";
      default: return "doc " + ident();
    }
  }

  Object primitiveObject() {
    Obj o = new Obj().put("type", pick(PRIMS));
    if (rnd.nextBoolean()) o.put("doc", doc());
    if (rnd.nextInt(3) == 0) o.put("connect.name", "io.debezium.time." + ident());
    if (rnd.nextInt(4) == 0) o.put("custom", new Obj().put("a", list(new Raw("1"), "b", NULL)));
    return o;
  }

  Object logical() {
    switch (rnd.nextInt(12)) {
      case 0: return decimalBytes();
      case 1: {
        Obj f = named("fixed", ns());
        int size = 1 + rnd.nextInt(20);
        f.put("size", new Raw(Integer.toString(size)));
        f.put("logicalType", "decimal").put("precision", new Raw(Integer.toString(1 + rnd.nextInt(60))));
        if (rnd.nextBoolean()) f.put("scale", new Raw(Integer.toString(rnd.nextInt(10))));
        return f;
      }
      case 2: return new Obj().put("type", "int").put("logicalType", "date");
      case 3: return new Obj().put("type", "int").put("logicalType", "time-millis");
      case 4: return new Obj().put("type", "long").put("logicalType", "time-micros");
      case 5: return new Obj().put("type", "long").put("logicalType", pick("timestamp-millis", "timestamp-micros", "timestamp-nanos"));
      case 6: return new Obj().put("type", "long").put("logicalType", pick("local-timestamp-millis", "local-timestamp-micros"));
      case 7: return new Obj().put("type", "string").put("logicalType", "uuid");
      case 8: return named("fixed", ns()).put("size", new Raw("12")).put("logicalType", "duration");
      case 9: return new Obj().put("type", pick(PRIMS)).put("logicalType", pick("unknown-logical", "decimal", "date"));
      case 10: return named("fixed", ns()).put("size", new Raw("16")).put("logicalType", "uuid");
      default: return new Obj().put("type", "bytes").put("logicalType", "big-decimal");
    }
  }

  Obj decimalBytes() {
    Obj o = new Obj().put("type", "bytes").put("logicalType", "decimal");
    int p = rnd.nextInt(4) == 0 ? 39 + rnd.nextInt(130) : 1 + rnd.nextInt(38);
    o.put("precision", new Raw(Integer.toString(p)));
    if (rnd.nextInt(4) != 0) o.put("scale", new Raw(Integer.toString(rnd.nextInt(p + 1))));
    return o;
  }

  Obj named(String type, String ns) {
    Obj o = new Obj();
    String name = uniqueName();
    boolean dotted = rnd.nextInt(6) == 0;
    if (dotted) name = ident() + "." + name;
    // shuffle where "type" goes: Avro does not care about key order
    if (rnd.nextBoolean()) o.put("type", type);
    o.put("name", name);
    if (ns != null && rnd.nextInt(3) != 0) o.put("namespace", ns);
    if (!o.keys.contains("type")) o.put("type", type);
    if (rnd.nextInt(3) == 0) o.put("doc", doc());
    if (rnd.nextInt(6) == 0) o.put("aliases", list(ident(), ident() + "." + ident()));
    return o;
  }

  // Registers a named type after its definition was built; returns its full name.
  String register(Obj o, String enclosingNs) {
    String name = (String) o.get("name");
    String space = name.contains(".") ? name.substring(0, name.lastIndexOf('.'))
        : o.get("namespace") instanceof String ? (String) o.get("namespace")
        : enclosingNs == null ? "" : enclosingNs;
    String full = name.contains(".") || space.isEmpty() ? name : space + "." + name;
    named.add(full);
    namedSpace.add(space);
    namedSchema.add(o);
    return full;
  }

  String spaceOf(Obj o, String enclosing) {
    String name = (String) o.get("name");
    if (name.contains(".")) return name.substring(0, name.lastIndexOf('.'));
    if (o.get("namespace") instanceof String) return (String) o.get("namespace");
    return enclosing;
  }

  Obj record(String enclosing, int depth) {
    Obj o = named(rnd.nextInt(20) == 0 ? "error" : "record", enclosing);
    String space = spaceOf(o, enclosing);
    List<Object> fields = new ArrayList<>();
    int n = depth > 2 ? rnd.nextInt(3) : rnd.nextInt(9);
    List<String> names = new ArrayList<>();
    for (int k = 0; k < n; ++k) {
      Obj f = new Obj();
      String fname = ident();
      while (names.contains(fname)) fname = fname + k;
      names.add(fname);
      Object type = type(space, depth + 1);
      boolean typeFirst = rnd.nextBoolean();
      if (typeFirst) f.put("type", type);
      f.put("name", fname);
      if (!typeFirst) f.put("type", type);
      if (rnd.nextInt(3) == 0) f.put("doc", doc());
      if (rnd.nextInt(3) == 0) f.put("default", defaultFor(type, space));
      if (rnd.nextInt(8) == 0) f.put("order", pick("ascending", "descending", "ignore"));
      if (rnd.nextInt(10) == 0) f.put("aliases", list(ident()));
      fields.add(f);
    }
    o.put("fields", fields);
    register(o, enclosing);
    return o;
  }

  Obj enumType(String enclosing) {
    Obj o = named("enum", enclosing);
    List<Object> syms = new ArrayList<>();
    int n = 1 + rnd.nextInt(8);
    for (int k = 0; k < n; ++k) syms.add(pick("A", "B", "RED", "green", "_x", "Ö", "s") + k);
    o.put("symbols", syms);
    if (rnd.nextInt(3) == 0) o.put("default", syms.get(rnd.nextInt(syms.size())));
    register(o, enclosing);
    return o;
  }

  Obj fixedType(String enclosing) {
    Obj o = named("fixed", enclosing);
    o.put("size", new Raw(Integer.toString(rnd.nextInt(40))));
    register(o, enclosing);
    return o;
  }

  Obj array(String space, int depth) {
    return new Obj().put("type", "array").put("items", type(space, depth + 1));
  }

  Obj map(String space, int depth) {
    Obj o = new Obj();
    if (rnd.nextBoolean()) o.put("values", type(space, depth + 1)).put("type", "map");
    else o.put("type", "map").put("values", type(space, depth + 1));
    return o;
  }

  List<Object> union(String space, int depth) {
    List<Object> u = new ArrayList<>();
    if (rnd.nextInt(3) != 0) u.add("null");
    List<String> used = new ArrayList<>(u.isEmpty() ? List.of() : List.of("null"));
    int n = rnd.nextInt(4);
    for (int k = 0; k < n; ++k) {
      int r = rnd.nextInt(5);
      if (r == 0 && !used.contains("array")) { used.add("array"); u.add(array(space, depth)); }
      else if (r == 1 && !used.contains("map")) { used.add("map"); u.add(map(space, depth)); }
      else if (r == 2 && depth < 3) u.add(rnd.nextBoolean() ? record(space, depth) : enumType(space));
      else {
        String p = pick(PRIMS);
        if (!used.contains(p)) { used.add(p); u.add(rnd.nextBoolean() ? p : new Obj().put("type", p)); }
      }
    }
    return u;
  }

  Object reference(String space) {
    int i = rnd.nextInt(named.size());
    String full = named.get(i);
    String nsOf = namedSpace.get(i);
    boolean sameSpace = nsOf.equals(space == null ? "" : space);
    if (sameSpace && rnd.nextInt(3) != 0) return full.substring(full.lastIndexOf('.') + 1);
    return full;
  }

  Object type(String space, int depth) {
    int r = rnd.nextInt(depth > 3 ? 4 : 12);
    if (r < 3) return rnd.nextInt(4) == 0 ? new Obj().put("type", pick(PRIMS)) : pick(PRIMS);
    if (r == 3) return named.isEmpty() ? "string" : reference(space);
    switch (r) {
      case 4: return logical();
      case 5: return record(rnd.nextInt(4) == 0 ? ns() : space, depth);
      case 6: return enumType(rnd.nextInt(4) == 0 ? ns() : space);
      case 7: return fixedType(space);
      case 8: return array(space, depth);
      case 9: return map(space, depth);
      default: return union(space, depth);
    }
  }

  // A default value matching `type` (per the specification; unions take their first branch).
  Object defaultFor(Object type, String space) {
    if (type instanceof List) {
      List<?> u = (List<?>) type;
      return u.isEmpty() ? NULL : defaultFor(u.get(0), space);
    }
    if (type instanceof String) {
      String t = (String) type;
      switch (t) {
        case "null": return NULL;
        case "boolean": return rnd.nextBoolean();
        case "int": return new Raw(pick("0", "-1", "2147483647", "-2147483648", "42"));
        case "long": return new Raw(pick("0", "9223372036854775807", "-9223372036854775808", "7"));
        case "float": case "double":
          return rnd.nextInt(5) == 0 ? pick("NaN", "Infinity", "-Infinity")
              : new Raw(pick("0", "1.5", "-0.0", "1e10", "1.5E-3", "3.4028235E38", "12"));
        case "bytes": return pick("", "\u00ff\u0000ab", "\\u00e9");
        case "string": return pick("", "plain", "esc \"\\/\n\t\b\f\r", "ünï 😀", "\u0000nul");
        default:
          for (int i = named.size() - 1; i >= 0; --i) {
            String full = named.get(i);
            if (full.equals(t) || full.endsWith("." + t)) return defaultFor(namedSchema.get(i), space);
          }
          return NULL;
      }
    }
    Obj o = (Obj) type;
    Object tt = o.get("type");
    if (!(tt instanceof String)) return NULL;
    switch ((String) tt) {
      case "record": case "error": {
        Obj d = new Obj();
        @SuppressWarnings("unchecked") List<Object> fields = (List<Object>) o.get("fields");
        List<String> lowered = new ArrayList<>();
        for (Object f : fields) {
          Obj fo = (Obj) f;
          d.put((String) fo.get("name"), defaultFor(fo.get("type"), spaceOf(o, space)));
          lowered.add(Differential.asciiLower((String) fo.get("name")));
        }
        // Now and then a key that Java ignores but that names a field once field names are
        // lowercased ("id" next to field "ID"), with a value of any type: preprocess must drop it.
        for (Object f : fields) {
          String fname = (String) ((Obj) f).get("name");
          String low = Differential.asciiLower(fname);
          if (low.equals(fname) || d.keys.contains(low) || lowered.indexOf(low) != lowered.lastIndexOf(low)) continue;
          if (rnd.nextInt(3) != 0) continue;
          Object v = pick("shadow", new Raw("5"), NULL, list(), new Obj());
          if (rnd.nextBoolean()) d.put(low, v);
          else { d.keys.add(0, low); d.vals.add(0, v); }
        }
        return d;
      }
      case "enum": {
        List<?> s = (List<?>) o.get("symbols");
        return s.get(rnd.nextInt(s.size()));
      }
      case "fixed": {
        int size = Integer.parseInt(((Raw) o.get("size")).text);
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < size; ++k) b.append((char) rnd.nextInt(256));
        return b.toString();
      }
      case "array": return rnd.nextBoolean() ? list() : list(defaultFor(o.get("items"), space));
      case "map": return rnd.nextBoolean() ? new Obj() : new Obj().put("k", defaultFor(o.get("values"), space));
      default: return defaultFor(tt, space);
    }
  }

  // Named types declared once and reused by short and full name, with namespace overrides.
  Object references() {
    Obj rec = named("record", pick("com.acme", "a.b", null, ""));
    String space = spaceOf(rec, null);
    List<Object> fields = new ArrayList<>();
    Obj inner = named(pick("record", "enum", "fixed"), rnd.nextBoolean() ? null : pick("other.ns", "", "x"));
    if (inner.get("type").equals("record")) inner.put("fields", list(new Obj().put("name", "v").put("type", "int")));
    else if (inner.get("type").equals("enum")) inner.put("symbols", list("A", "B"));
    else inner.put("size", new Raw("4"));
    fields.add(new Obj().put("name", "first").put("type", inner));
    String full = register(inner, space);
    String innerSpace = spaceOf(inner, space);
    String shortName = full.substring(full.lastIndexOf('.') + 1);
    fields.add(new Obj().put("name", "by_full").put("type", full));
    if (innerSpace == null || innerSpace.equals(space == null ? "" : space) || rnd.nextInt(4) == 0)
      fields.add(new Obj().put("name", "by_short").put("type", shortName));
    fields.add(new Obj().put("name", "in_union").put("type", list("null", full)).put("default", NULL));
    fields.add(new Obj().put("name", "in_array").put("type", new Obj().put("type", "array").put("items", full)));
    // a nested record that inherits the namespace and references the outer one
    Obj nested = new Obj().put("type", "record").put("name", "Nested" + counter++);
    nested.put("fields", list(new Obj().put("name", "back").put("type", list("null", rec.get("name")))));
    fields.add(new Obj().put("name", "nested").put("type", nested));
    fields.add(new Obj().put("name", "nested_again").put("type", nested.get("name")));
    rec.put("fields", fields);
    return rec;
  }

  Object recursive() {
    String name = "Node" + counter++;
    Obj rec = new Obj().put("type", "record").put("name", name);
    if (rnd.nextBoolean()) rec.put("namespace", "list.ns");
    rec.put("fields", list(new Obj().put("name", "value").put("type", pick(PRIMS)),
        new Obj().put("name", "next").put("type", list("null", name)).put("default", NULL),
        new Obj().put("name", "children").put("type", new Obj().put("type", "array").put("items", name))));
    return rec;
  }

  String bareString() {
    String[] ws = {"", " ", "\n", "\t", "\r\n", "  \n\t "};
    String body = rnd.nextInt(10) == 0 ? pick("\"\\u0069nt\"", "\"lon\\u0067\"") : Json.quote(pick(PRIMS));
    return pick(ws) + body + pick(ws);
  }

  // ---- GoldenGate-shaped table schemas -------------------------------------------------------------
  String ggText(int columns) {
    String table = pick("ACCOUNTS", "ITEMS", "PAYMENTS", "EMPLOYEES", "TCUSTORD", "ORDERS_") + rnd.nextInt(1000);
    String schema = pick("HR", "FIN", "C__GGADMIN", "C__APP_OWNER", "GG");
    Obj rec = new Obj().put("type", "record").put("name", table).put("namespace", schema)
        .put("doc", "GoldenGate operation record for " + schema + "." + table);
    List<Object> fields = new ArrayList<>();
    for (String f : new String[] {"table", "op_type", "op_ts", "current_ts", "pos"})
      fields.add(new Obj().put("name", f).put("type", "string"));
    fields.add(new Obj().put("name", "primary_keys").put("type", new Obj().put("type", "array").put("items", "string")));
    fields.add(new Obj().put("name", "tokens").put("type", new Obj().put("type", "map").put("values", "string")).put("default", new Obj()));
    List<Object> cols = new ArrayList<>();
    for (int c = 0; c < columns; ++c) {
      String col = pick("CUST_CODE", "ORDER_DATE", "PRODUCT_CODE", "ORDER_ID", "PRICE", "AMOUNT", "COUNTRY", "FLAGS", "CREATED_AT", "ID") + "_" + c;
      Object t;
      switch (rnd.nextInt(9)) {
        case 0: t = "double"; break;
        case 1: t = "long"; break;
        case 2: t = decimalBytes(); break;
        case 3: t = new Obj().put("type", "long").put("logicalType", "timestamp-micros"); break;
        case 4: t = new Obj().put("type", "array").put("items", "string"); break;
        case 5: t = new Obj().put("type", "int").put("logicalType", "date"); break;
        default: t = "string";
      }
      cols.add(new Obj().put("name", col).put("type", list("null", t)).put("default", NULL));
      cols.add(new Obj().put("name", col + "_isMissing").put("type", "boolean"));
    }
    if (rnd.nextInt(10) == 0) {  // Oracle columns that differ only in case: preprocess must not merge them
      cols.add(new Obj().put("name", "Mixed").put("type", "string"));
      cols.add(new Obj().put("name", "MIXED").put("type", "string"));
    }
    Obj columnsRec = new Obj().put("type", "record").put("name", "columns").put("fields", cols);
    fields.add(new Obj().put("name", "before").put("type", list("null", columnsRec)).put("default", NULL));
    fields.add(new Obj().put("name", "after").put("type", list("null", rnd.nextBoolean() ? "columns" : schema + ".columns")).put("default", NULL));
    rec.put("fields", fields);
    return print(rec);
  }

  // ---- invalid inputs --------------------------------------------------------------------------------
  String invalid() {
    int r = rnd.nextInt(30);
    switch (r) {
      case 0: { String t = print(record(ns(), 0)); return t.substring(0, rnd.nextInt(Math.max(1, t.length()))); }  // truncated
      case 1: return print(record(ns(), 0)).replaceFirst(",", "");                  // missing comma
      case 2: return print(record(ns(), 0)).replace('"', '\'');                     // single quotes
      case 3: return print(record(ns(), 0)).replaceFirst("\\]", ",]");              // trailing comma
      case 4: return print(new Obj().put("type", pick("strin", "recordz", "Int", "integer", "", "array ")));
      case 5: return Json.quote(pick("foo", "Int", "STRING", "com.x.Undefined", ""));
      case 6: {                                                                      // duplicate field
        Obj rec = record(ns(), 0);
        @SuppressWarnings("unchecked") List<Object> f = (List<Object>) rec.get("fields");
        f.add(new Obj().put("name", f.isEmpty() ? "x" : ((Obj) f.get(0)).get("name")).put("type", "int"));
        if (f.size() == 1) f.add(new Obj().put("name", "x").put("type", "long"));
        return print(rec);
      }
      case 7: return print(new Obj().put("type", "enum").put("name", "E").put("symbols", list("A", "B", "A")));
      case 8: return print(new Obj().put("type", pick("record", "enum", "fixed")).put(pick("fields", "symbols", "size"), list()));  // missing name
      case 9: return print(new Obj().put("type", "record").put("name", "R").put("fields", list(new Obj().put("name", "a").put("type", "Undefined" + rnd.nextInt(9)))));
      case 10: return print(new Obj().put("type", "record").put("name", pick("1abc", "a-b", "", "a..b", "a.", ".a", "a b", "a$")).put("fields", list()));
      case 11: {                                                                      // bad default
        Object[] bad = {new Raw("\"s\""), new Raw("1.5"), new Raw("3000000000"), NULL, new Raw("[1]"), true};
        String t = pick("int", "long", "boolean", "string", "null");
        Object d = bad[rnd.nextInt(bad.length)];
        return print(new Obj().put("type", "record").put("name", "R").put("fields",
            list(new Obj().put("name", "a").put("type", t).put("default", d))));
      }
      case 12: return print(record(ns(), 0)) + pick(" x", " {}", "\"int\"", " ]", " null", "}");  // dangling
      case 13: comments = true; try { return print(record(ns(), 0)); } finally { comments = false; }
      case 14: { String t = print(record(ns(), 0)); return t.replaceFirst("\\{", "{\"name\":\"Dup\","); }  // duplicate key
      case 15: return print(new Obj().put("type", "map").put("values", "int").put("values", "long"));
      case 16: return print(list("int", "int"));
      case 17: return print(list("null", list("int")));
      case 18: return print(new Obj().put("type", "fixed").put("name", "F").put("size", new Raw(pick("-1", "1.0", "\"4\"", "2147483648", "null"))));
      case 19: return print(new Obj().put("type", "array"));
      case 20: return pick("", " ", "\n", "null", "5", "true", "{}", "[", "]", "\"", "{\"type\"}", "\"int");
      case 21: return print(new Obj().put("type", "record").put("name", pick("int", "string", "null")).put("fields", list()));
      case 22: {                                                                      // redefinition
        Obj a = new Obj().put("type", "fixed").put("name", "Same").put("size", new Raw("1"));
        Obj b = new Obj().put("type", "enum").put("name", "Same").put("symbols", list("X"));
        return print(new Obj().put("type", "record").put("name", "R").put("fields",
            list(new Obj().put("name", "a").put("type", a), new Obj().put("name", "b").put("type", b))));
      }
      case 23: return print(new Obj().put("type", "enum").put("name", "E").put("symbols", list("A", "1B")));
      case 24: return print(new Obj().put("type", "enum").put("name", "E").put("symbols", list("A")).put("default", "Z"));
      case 25: return print(record(ns(), 0)).replaceFirst("\"", "\"\\x");           // bad escape
      case 26: return pick("{\"type\":\"string\"\u0001}", "{\"type\":\"str\u0001ing\"}", "{\"type\": 01}", "[\"int\",]", "{\"type\":\"int\",,}", "\"\\ud800\"", "{\"type\":NaN}");
      case 27: return print(new Obj().put("type", "record").put("name", "R").put("fields", list(new Obj().put("type", "int"))));
      case 28: return print(new Obj().put("type", "record").put("name", "R").put("namespace", pick("1x", "a..b", "a-b.c")).put("fields", list()));
      default: return print(new Obj().put("type", "record").put("name", "R").put("fields",
          list(new Obj().put("name", "a").put("type", "int").put("order", "sideways"))));
    }
  }

  // ---- hand-written edge cases, cycled through in order ------------------------------------------------
  static String nest(String open, String inner, String close, int depth) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < depth; ++k) b.append(open);
    b.append(inner);
    for (int k = 0; k < depth; ++k) b.append(close);
    return b.toString();
  }

  static String digits(int n) {
    StringBuilder b = new StringBuilder("1");
    for (int k = 1; k < n; ++k) b.append((char) ('0' + k % 10));
    return b.toString();
  }

  static String rec(String name, String fieldsJson) {
    return "{\"type\":\"record\",\"name\":" + Json.quote(name) + ",\"fields\":[" + fieldsJson + "]}";
  }

  static String fieldWith(String type, String extra) {
    return "{\"name\":\"f\",\"type\":" + type + extra + "}";
  }

  static final String[] EDGE = buildEdges();

  private static String[] buildEdges() {
    List<String> e = new ArrayList<>();
    // nesting around Jackson's depth limit (1000)
    for (int d : new int[] {200, 497, 498, 499, 500, 501, 998, 999, 1000, 1001}) {
      e.add(nest("{\"type\":\"array\",\"items\":", "\"int\"", "}", d));
      e.add(nest("[", "", "]", d));
    }
    e.add(rec("R", fieldWith("\"string\"", ",\"doc\":" + nest("[", "", "]", 999))));
    e.add(rec("R", fieldWith("\"string\"", ",\"doc\":" + nest("{\"a\":", "1", "}", 1000))));
    // numbers around Jackson's length limit (1000 characters)
    for (int n : new int[] {19, 20, 309, 999, 1000, 1001}) {
      e.add(rec("R", fieldWith("\"double\"", ",\"default\":" + digits(n))));
      e.add(rec("R", fieldWith("\"string\"", ",\"x\":" + digits(n))));
      e.add(rec("R", fieldWith("\"string\"", ",\"x\":0." + digits(n))));
    }
    for (String d : new String[] {"1e400", "-1e400", "1e-400", "4.9e-324", "-0", "0e0", "1E+2", "2147483648", "-2147483649",
                                  "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.0", "1e2"}) {
      for (String t : new String[] {"\"int\"", "\"long\"", "\"float\"", "\"double\""})
        e.add(rec("R", fieldWith(t, ",\"default\":" + d)));
    }
    // names: letters beyond ASCII, combining marks, other scripts' digits, supplementary planes
    for (String n : new String[] {"é", "e\u0301", "\u0301e", "ǅx", "x٣", "٣x", "x\u200d", "\ud835\udc9c", "x\ud835\udfce",
                                  "_\u00b2", "x\u00b7", "\u3007", "ⅻ", "x-y", "x y", "x\ty", "\u00aa", "\u02b0"}) {
      e.add(rec(n, ""));
      e.add(rec("R", "{\"name\":" + Json.quote(n) + ",\"type\":\"int\"}"));
      e.add("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[" + Json.quote(n) + "]}");
      e.add("{\"type\":\"fixed\",\"name\":\"F\",\"namespace\":" + Json.quote("a." + n) + ",\"size\":1}");
    }
    // type-position oddities and Java's known leniencies
    String[] misc = {
      "{\"type\":{\"type\":\"int\"}}", "{\"type\":[\"int\"]}", rec("R", fieldWith("{\"type\":{\"type\":\"int\"}}", "")),
      rec("R", fieldWith("[]", "")), rec("R", fieldWith("[]", ",\"default\":null")), "[\"null\",\"null\"]",
      "[{\"type\":\"array\",\"items\":\"int\"},{\"type\":\"array\",\"items\":\"long\"}]",
      "[{\"type\":\"fixed\",\"name\":\"a\",\"size\":1},{\"type\":\"fixed\",\"name\":\"a\",\"size\":1}]",
      "[{\"type\":\"enum\",\"name\":\"a\",\"symbols\":[]},\"a\"]",
      rec("R", fieldWith("\"R\"", "")), rec("R", fieldWith("[\"null\",\"R\"]", ",\"default\":null")),
      rec("a.b.R", fieldWith("\"R\"", "")), rec("a.b.R", fieldWith("\"b.R\"", "")),
      "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"n\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"fixed\",\"name\":\"X\",\"namespace\":\"\",\"size\":1}},{\"name\":\"b\",\"type\":\"X\"}]}",
      "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"n\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"fixed\",\"name\":\"X\",\"size\":1}},{\"name\":\"b\",\"type\":\"n.X\"},{\"name\":\"c\",\"type\":\".X\"}]}",
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"fixed\",\"name\":\"X\",\"size\":1}},{\"name\":\"b\",\"type\":{\"type\":\"fixed\",\"name\":\"X\",\"size\":1}}]}",
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"fixed\",\"name\":\"X\",\"size\":1}},{\"name\":\"b\",\"type\":{\"type\":\"fixed\",\"name\":\"X\",\"size\":2}}]}",
      "{\"type\":\"fixed\",\"name\":\"F\",\"size\":2147483647}", "{\"type\":\"fixed\",\"name\":\"F\",\"size\":0}",
      "{\"type\":\"fixed\",\"name\":\"F\",\"size\":1e0}", "{\"type\":\"fixed\",\"name\":\"F\",\"size\":-0}",
      "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],\"default\":null}",
      "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":\"A\"}", "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[1]}",
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":{}}", "{\"type\":\"record\",\"name\":\"R\",\"fields\":[1]}",
      "{\"type\":\"record\",\"name\":\"R\"}", "{\"type\":\"map\"}", "{\"type\":\"map\",\"values\":null}",
      "{\"type\":\"array\",\"items\":[]}", "{\"type\":\"array\",\"items\":{}}",
      rec("R", fieldWith("\"int\"", ",\"order\":\"ASCENDING\"")), rec("R", fieldWith("\"int\"", ",\"order\":1")),
      rec("R", fieldWith("\"int\"", ",\"aliases\":\"x\"")), rec("R", fieldWith("\"int\"", ",\"doc\":null")),
      "{\"type\":\"record\",\"name\":\"R\",\"aliases\":[\"a.b\",\"c\"],\"fields\":[]}",
      "{\"type\":\"record\",\"name\":\"R\",\"aliases\":[5],\"fields\":[]}",
      "{\"type\":\"record\",\"name\":\"R\",\"namespace\":5,\"fields\":[]}",
      "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\".a\",\"fields\":[]}",
      "\"\\u0069nt\"", "\" int\"", "\"int \"", "\"INT\"", "\"\"", "\"a.b\"", "{\"type\":\"\\u0069nt\"}",
      "\ufeff\"int\"", "\"int\"\u0000", "\"int\" //", "/**/\"int\"", "# c\n\"int\"", "\"int\"/**/", "\u000b\"int\"",
      "{\"type\":\"int\",}", "{,\"type\":\"int\"}", "{\"type\":\"int\" \"x\":1}", "{\"type\":'int'}", "{type:\"int\"}",
      "{\"type\":\"int\",\"x\":tru}", "{\"type\":\"int\",\"x\":True}", "{\"type\":\"int\",\"x\":.5}", "{\"type\":\"int\",\"x\":5.}",
      "{\"type\":\"int\",\"x\":-}", "{\"type\":\"int\",\"x\":+1}", "{\"type\":\"int\",\"x\":0x10}", "{\"type\":\"int\",\"x\":Infinity}",
      "{\"type\":\"int\",\"x\":\"\\u12\"}", "{\"type\":\"int\",\"x\":\"\\U0041\"}", "{\"type\":\"int\",\"x\":\"\\'\"}",
      "{\"type\":\"int\",\"x\":\"\\udc00\\ud800\"}", "{\"type\":\"int\",\"x\":\"\\ud800\\u0041\"}",
      "{\"type\":\"int\",\"x\":\"\u007f\"}", "{\"type\":\"int\",\"x\":\"\u001f\"}",
      "{\"type\":\"int\",\"type\":\"long\",\"type\":\"string\"}",
      "{\"type\":\"record\",\"name\":\"A\",\"fields\":[],\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}",
      "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"x\",\"type\":\"int\",\"name\":\"y\"}]}",
    };
    e.addAll(Arrays.asList(misc));
    // GoldenGate column names that only differ by case (preprocess must fail, not merge them)
    e.add(rec("T", "{\"name\":\"ID\",\"type\":\"long\"},{\"name\":\"id\",\"type\":\"long\"}"));
    e.add(rec("T", "{\"name\":\"Ä\",\"type\":\"long\"},{\"name\":\"ä\",\"type\":\"long\"}"));
    e.add(rec("T", "{\"name\":\"R\",\"type\":" + rec("Inner", "{\"name\":\"A\",\"type\":\"int\"}") + ",\"default\":{\"A\":1}}"));
    // record defaults with keys that read as a field only once field names are lowercased
    String inner = rec("Inner", "{\"name\":\"ID\",\"type\":\"int\",\"default\":0},{\"name\":\"Nm\",\"type\":\"string\"}");
    for (String d : new String[] {"{\"ID\":1,\"id\":\"x\",\"Nm\":\"a\"}", "{\"id\":[],\"ID\":1,\"Nm\":\"a\",\"nm\":2}",
                                  "{\"id\":5,\"Nm\":\"a\"}", "{\"ID\":1,\"Id\":2,\"Nm\":\"a\",\"nM\":3}"}) {
      e.add(rec("T", "{\"name\":\"R\",\"type\":" + inner + ",\"default\":" + d + "}"));
      e.add(rec("T", "{\"name\":\"R\",\"type\":[" + inner + ",\"null\"],\"default\":" + d + "}"));
    }
    e.add(rec("T", "{\"name\":\"D\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":164,\"scale\":40}}"));
    e.add(rec("T", "{\"name\":\"D\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":40,\"scale\":39}}"));
    e.add(rec("T", "{\"name\":\"D\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":32,\"logicalType\":\"decimal\",\"precision\":70}}"));
    e.add(rec("T", "{\"name\":\"D\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":\"40\"}}"));
    e.add(rec("T", "{\"name\":\"D\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":40.0}}"));
    return e.toArray(new String[0]);
  }

  String edgeCase(int k) { return EDGE[k % EDGE.length]; }

  // ---- printing ----------------------------------------------------------------------------------------
  String print(Object v) {
    StringBuilder b = new StringBuilder();
    if (comments) b.append("/* leading */ ");
    emit(b, v, 0);
    return b.toString();
  }

  private void ws(StringBuilder b, int indent, boolean newline) {
    if (comments && rnd.nextInt(4) == 0) b.append(rnd.nextBoolean() ? "/* c */" : "// line\n");
    switch (wsStyle) {
      case 0: break;
      case 1: b.append(' '); break;
      case 2: if (newline) { b.append('\n'); for (int k = 0; k < indent; ++k) b.append("  "); } break;
      default: b.append(pick("", " ", "\t", "\n", "\r\n", "  \t\n ")); break;
    }
  }

  private void emit(StringBuilder b, Object v, int indent) {
    if (v == NULL || v == null) b.append("null");
    else if (v instanceof Boolean) b.append(v.toString());
    else if (v instanceof Raw) b.append(((Raw) v).text);
    else if (v instanceof String) b.append(escapeAll ? Json.quoteAscii((String) v) : quoteVaried((String) v));
    else if (v instanceof List) {
      List<?> l = (List<?>) v;
      b.append('[');
      for (int k = 0; k < l.size(); ++k) {
        if (k > 0) b.append(',');
        ws(b, indent + 1, true);
        emit(b, l.get(k), indent + 1);
      }
      ws(b, indent, !l.isEmpty());
      b.append(']');
    } else {
      Obj o = (Obj) v;
      b.append('{');
      for (int k = 0; k < o.keys.size(); ++k) {
        if (k > 0) b.append(',');
        ws(b, indent + 1, true);
        emit(b, o.keys.get(k), indent + 1);
        ws(b, indent + 1, false);
        b.append(':');
        ws(b, indent + 1, false);
        emit(b, o.vals.get(k), indent + 1);
      }
      ws(b, indent, !o.keys.isEmpty());
      b.append('}');
    }
  }

  // Quotes with a random mix of spellings: \/ for /, \\u escapes for some plain letters.
  private String quoteVaried(String s) {
    if (rnd.nextInt(10) != 0) return Json.quote(s);
    StringBuilder b = new StringBuilder("\"");
    for (int k = 0; k < s.length(); ++k) {
      char c = s.charAt(k);
      if (c == '/' ) b.append("\\/");
      else if (c >= 'a' && c <= 'z' && rnd.nextInt(4) == 0) b.append(String.format("\\u%04X", (int) c));
      else b.append(Json.quote(String.valueOf(c)), 1, Json.quote(String.valueOf(c)).length() - 1);
    }
    return b.append('"').toString();
  }

  // ---- helpers ---------------------------------------------------------------------------------------
  @SafeVarargs
  private <T> T pick(T... xs) { return xs[rnd.nextInt(xs.length)]; }

  static List<Object> list(Object... xs) { return new ArrayList<>(Arrays.asList(xs)); }
}
