// SPDX-License-Identifier: Apache-2.0
// Test tooling: the comparison side of the differential test of sluice against Java Avro.
//
//   oracle compare INPUT JAVA SLUICE [MAX] [--strict-json]   INPUT: schema texts (JSON strings, one
//       a line); JAVA: `oracle fingerprint` over INPUT; SLUICE: `sluice-avro fingerprint --jsonl`.
//       Rule: sluice accepts a text iff Java Avro does; then canonical, fingerprint and hex must equal
//       Java's; else sluice must answer {"error":…}. Java's Jackson is lenient beyond RFC 8259
//       (comments, last duplicate key wins, unpaired surrogate escapes); the summary counts such
//       inputs, and with --strict-json sluice must reject them instead. Prints
//       `differential: N passed, M failed` and the first MAX (default 10) mismatches; exit 1 if any.
//   oracle check-preprocess INPUT JAVA PRE [MAX]   PRE: `sluice-avro preprocess --jsonl` over INPUT.
//       For each valid input: the output schema parses with Java Avro, equals the input except that
//       field names are lowercased and decimal precision is capped at 38 (a capped decimal's scale
//       capped with it; in defaults, keys naming record fields are lowercased with them, and a
//       key Java ignores that would name a field once lowercased, like "id" for field "ID", is dropped), has no
//       upper-case ASCII in field names and no decimal precision above 38. Inputs whose lowercased
//       field names collide, and invalid inputs, must give {"error":…}.
//   oracle vectors FILE       the inputs of Avro's schema-tests.txt as JSON lines
//   oracle samples DIR        the .avsc files of DIR and the payloads of its *.jsonl kcat dumps
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.util.internal.Accessor;

final class Differential {
  private static final ObjectMapper LENIENT = new ObjectMapper();
  private static final ObjectMapper STRICT = strictMapper();

  private static ObjectMapper strictMapper() {
    JsonFactory f = new JsonFactory();
    f.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    // Outputs wrap a schema in one more level ({"schema":…}) and may hold its long numbers.
    f.setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000).maxNumberLength(100_000).build());
    ObjectMapper m = new ObjectMapper(f);
    m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    m.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    m.enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    return m;
  }

  // Jackson configured as Avro 1.12 configures it (comments allowed), numbers kept exact.
  private static final ObjectMapper AVRO_LIKE = avroLikeMapper();

  private static ObjectMapper avroLikeMapper() {
    JsonFactory f = new JsonFactory();
    f.enable(JsonParser.Feature.ALLOW_COMMENTS);
    ObjectMapper m = new ObjectMapper(f);
    m.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    m.enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    return m;
  }

  /// Parses text as Java Avro's Jackson does; null when it cannot.
  static JsonNode avroJson(String text) {
    try {
      JsonNode n = AVRO_LIKE.readTree(text);
      return n == null || n.isMissingNode() ? null : n;
    } catch (Exception e) {
      return null;
    }
  }

  private Differential() {}

  // ---- inputs -----------------------------------------------------------------------------------
  static List<String> readLines(String file) throws Exception {
    List<String> out = new ArrayList<>();
    for (String l : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) if (!l.isEmpty()) out.add(l);
    return out;
  }

  /// Parses text as strict JSON; null when it is not (the reason is ignored on purpose).
  static JsonNode strictJson(String text) {
    try {
      JsonNode n = STRICT.readTree(text);
      return n == null || n.isMissingNode() || hasUnpairedSurrogate(n) ? null : n;
    } catch (Exception e) {
      return null;
    }
  }

  private static boolean hasUnpairedSurrogate(JsonNode n) {
    if (n.isTextual()) return unpaired(n.textValue());
    if (n.isArray()) { for (JsonNode c : n) if (hasUnpairedSurrogate(c)) return true; }
    if (n.isObject()) {
      for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
        String k = it.next();
        if (unpaired(k) || hasUnpairedSurrogate(n.get(k))) return true;
      }
    }
    return false;
  }

  private static boolean unpaired(String s) {
    for (int i = 0; i < s.length(); ++i) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) ++i;
        else return true;
      } else if (Character.isLowSurrogate(c)) return true;
    }
    return false;
  }

  static String clip(String s, int n) { return s.length() <= n ? s : s.substring(0, n) + "…(" + s.length() + " chars)"; }

  // ---- compare ----------------------------------------------------------------------------------------
  static int compare(String input, String javaFile, String sluiceFile, int max, boolean strictJson) throws Exception {
    List<String> in = readLines(input), jv = readLines(javaFile), sl = readLines(sluiceFile);
    int passed = 0, failed = 0, javaOk = 0, javaErr = 0, strictOnly = 0;
    List<String> report = new ArrayList<>();
    if (jv.size() != in.size() || sl.size() != in.size()) {
      report.add(String.format("line counts differ: input %d, java %d, sluice %d", in.size(), jv.size(), sl.size()));
      ++failed;
    }
    int n = Math.min(in.size(), Math.min(jv.size(), sl.size()));
    for (int i = 0; i < n; ++i) {
      String text = LENIENT.readValue(in.get(i), String.class);
      JsonNode j = LENIENT.readTree(jv.get(i));
      JsonNode s;
      try {
        s = STRICT.readTree(sl.get(i));
      } catch (Exception e) {
        s = null;
      }
      boolean javaValid = !j.has("error");
      if (javaValid) ++javaOk; else ++javaErr;
      boolean strict = strictJson(text) != null;
      if (javaValid && !strict) ++strictOnly;
      boolean expectValid = javaValid && (strict || !strictJson);
      String why = null;
      if (s == null || !s.isObject()) why = "sluice output is not a JSON object";
      else if (expectValid) {
        if (s.has("error")) why = "sluice rejects a schema Java accepts";
        else {
          for (String k : new String[] {"canonical", "fingerprint", "hex"}) {
            if (!s.has(k) || !s.get(k).isTextual()) { why = "sluice output lacks \"" + k + "\""; break; }
            if (!s.get(k).textValue().equals(j.get(k).textValue())) { why = k + " differs"; break; }
          }
        }
      } else if (!s.has("error") || !s.get("error").isTextual() || s.get("error").textValue().isEmpty()) {
        why = javaValid ? "sluice accepts text that is not strict JSON (Java is lenient here)"
                        : "sluice accepts a schema Java rejects";
      } else if (s.size() != 1) why = "error output has extra members";
      if (why == null) { ++passed; continue; }
      ++failed;
      if (report.size() < max) {
        report.add(String.format("#%d (line %d): %s%n  input:  %s%n  java:   %s%n  sluice: %s",
            failed, i + 1, why, clip(in.get(i), 600), clip(jv.get(i), 600), clip(i < sl.size() ? sl.get(i) : "", 600)));
      }
    }
    System.out.printf("differential: %d passed, %d failed%n", passed, failed);
    System.out.printf("  inputs %d: java accepted %d (of which %d are not strict JSON%s), java rejected %d%n",
        in.size(), javaOk, strictOnly, strictJson ? ", sluice must reject them" : ", sluice must accept them like Java", javaErr);
    for (String r : report) System.out.println(r);
    return failed == 0 ? 0 : 1;
  }

  // ---- check-preprocess -------------------------------------------------------------------------------
  static int checkPreprocess(String input, String javaFile, String preFile, int max) throws Exception {
    List<String> in = readLines(input), jv = readLines(javaFile), pre = readLines(preFile);
    int passed = 0, failed = 0, checkedValid = 0, collisions = 0;
    List<String> report = new ArrayList<>();
    if (jv.size() != in.size() || pre.size() != in.size()) {
      report.add(String.format("line counts differ: input %d, java %d, preprocess %d", in.size(), jv.size(), pre.size()));
      ++failed;
    }
    int n = Math.min(in.size(), Math.min(jv.size(), pre.size()));
    for (int i = 0; i < n; ++i) {
      String text = LENIENT.readValue(in.get(i), String.class);
      JsonNode orig = avroJson(text);
      boolean valid = orig != null && !LENIENT.readTree(jv.get(i)).has("error");
      JsonNode out;
      try {
        out = STRICT.readTree(pre.get(i));
      } catch (Exception e) {
        out = null;
      }
      String why = null;
      if (out == null || !out.isObject()) why = "output is not a JSON object";
      else if (!valid) {
        if (!out.has("error") || !out.get("error").isTextual()) why = "preprocess accepts an invalid schema";
      } else if (lowercaseCollision(orig, true, false)) {
        ++collisions;
        if (!out.has("error")) why = "lowercased field names collide, but preprocess did not fail";
      } else if (lowercaseCollision(orig, true, true) && out.has("error")) {
        ++collisions;  // they collide only when lowercased beyond ASCII: failing is right too
      } else if (!out.has("schema")) why = "preprocess fails on a valid schema: " + out;
      else {
        ++checkedValid;
        JsonNode got = out.get("schema");
        why = equivalent(orig, got, "$", true);
        if (why == null) {
          try {
            Schema parsed = new Schema.Parser().parse(STRICT.writeValueAsString(got));
            why = javaCheck(parsed, new HashSet<>());
            if (why == null) why = defaultsMatch(new Schema.Parser().parse(text), parsed, new HashSet<>());
          } catch (Exception e) {
            why = "Java Avro rejects the preprocessed schema: " + e;
          }
        }
      }
      if (why == null) { ++passed; continue; }
      ++failed;
      if (report.size() < max) {
        report.add(String.format("#%d (line %d): %s%n  input:      %s%n  preprocess: %s",
            failed, i + 1, clip(why, 400), clip(in.get(i), 600), clip(i < pre.size() ? pre.get(i) : "", 600)));
      }
    }
    System.out.printf("preprocess: %d passed, %d failed%n", passed, failed);
    System.out.printf("  inputs %d: %d valid outputs checked against Java, %d lowercase collisions%n", in.size(), checkedValid, collisions);
    for (String r : report) System.out.println(r);
    return failed == 0 ? 0 : 1;
  }

  private static boolean isRecord(JsonNode o) {
    JsonNode t = o.get("type");
    return t != null && t.isTextual() && (t.textValue().equals("record") || t.textValue().equals("error"));
  }

  /// True when some record's field names collide once lowercased (ASCII only, or fully).
  static boolean lowercaseCollision(JsonNode n, boolean typePos, boolean unicode) {
    if (n.isArray()) { for (JsonNode c : n) if (lowercaseCollision(c, typePos, unicode)) return true; return false; }
    if (!n.isObject() || !typePos) return false;
    if (isRecord(n) && n.get("fields").isArray()) {
      Set<String> seen = new HashSet<>();
      for (JsonNode f : n.get("fields")) {
        String name = f.get("name").textValue();
        if (!seen.add(unicode ? name.toLowerCase(Locale.ROOT) : asciiLower(name))) return true;
        if (lowercaseCollision(f.get("type"), true, unicode)) return true;
      }
      return false;
    }
    for (String k : new String[] {"items", "values"}) if (n.has(k) && lowercaseCollision(n.get(k), true, unicode)) return true;
    return false;
  }

  static String asciiLower(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    return b.toString();
  }

  private static boolean decimal(JsonNode o) {
    JsonNode lt = o.get("logicalType");
    return lt != null && lt.isTextual() && lt.textValue().equals("decimal");
  }

  /// Null when `got` is `orig` preprocessed (names lowercased, decimals capped); else the reason.
  static String equivalent(JsonNode orig, JsonNode got, String path, boolean typePos) {
    if (!typePos || !(orig.isObject() || orig.isArray())) {
      return dataEqual(orig, got) ? null : path + ": " + got + " differs from " + orig;
    }
    if (orig.isArray()) {
      if (!got.isArray() || got.size() != orig.size()) return path + ": union changed shape";
      for (int k = 0; k < orig.size(); ++k) {
        String w = equivalent(orig.get(k), got.get(k), path + "[" + k + "]", true);
        if (w != null) return w;
      }
      return null;
    }
    if (!got.isObject()) return path + ": object became " + got;
    Set<String> ok = new HashSet<>(), gk = new HashSet<>();
    orig.fieldNames().forEachRemaining(ok::add);
    got.fieldNames().forEachRemaining(gk::add);
    if (!ok.equals(gk)) return path + ": keys " + gk + " differ from " + ok;
    boolean rec = isRecord(orig);
    String type = orig.get("type").isTextual() ? orig.get("type").textValue() : "";
    for (String k : ok) {
      JsonNode a = orig.get(k), b = got.get(k);
      String p = path + "." + k;
      String w;
      if (rec && k.equals("fields")) {
        if (!b.isArray() || b.size() != a.size()) return p + ": fields changed shape";
        w = null;
        for (int f = 0; f < a.size() && w == null; ++f) w = field(a.get(f), b.get(f), p + "[" + f + "]");
      } else if ((type.equals("array") && k.equals("items")) || (type.equals("map") && k.equals("values"))) {
        w = equivalent(a, b, p, true);
      } else if (decimal(orig) && k.equals("precision") && a.isIntegralNumber()) {
        long want = Math.min(a.longValue(), 38);
        w = b.isIntegralNumber() && b.longValue() == want ? null : p + ": precision " + b + ", want " + want;
      } else if (decimal(orig) && k.equals("scale") && a.isIntegralNumber() && orig.path("precision").isIntegralNumber()
                 && orig.get("precision").longValue() > 38) {
        // Capping the precision caps the scale with it; a decimal whose scale already exceeds a
        // precision ≤ 38 is invalid, ignored by Java as a logical type, and kept as it is.
        long want = Math.min(a.longValue(), 38);
        w = b.isIntegralNumber() && b.longValue() == want ? null : p + ": scale " + b + ", want " + want;
      } else {
        w = dataEqual(a, b) ? null : p + ": " + b + " differs from " + a;
      }
      if (w != null) return w;
    }
    return null;
  }

  private static String field(JsonNode a, JsonNode b, String path) {
    if (!b.isObject()) return path + ": field is not an object";
    Set<String> ak = new HashSet<>(), bk = new HashSet<>();
    a.fieldNames().forEachRemaining(ak::add);
    b.fieldNames().forEachRemaining(bk::add);
    if (!ak.equals(bk)) return path + ": keys " + bk + " differ from " + ak;
    for (String k : ak) {
      if (k.equals("name")) {
        String n = a.get(k).textValue(), got = b.get(k).isTextual() ? b.get(k).textValue() : null;
        // ASCII-only lowering and full Unicode lowering are both accepted.
        if (got == null || !(got.equals(asciiLower(n)) || got.equals(n.toLowerCase(Locale.ROOT))))
          return path + ".name: " + b.get(k) + " is not the lowercase of " + a.get(k);
      } else if (k.equals("type")) {
        String w = equivalent(a.get(k), b.get(k), path + ".type", true);
        if (w != null) return w;
      } else if (k.equals("default")) {
        continue;  // compared on Java's model, where the field's type is known (defaultsMatch)
      } else if (!dataEqual(a.get(k), b.get(k))) {
        return path + "." + k + ": " + b.get(k) + " differs from " + a.get(k);
      }
    }
    return null;
  }

  /// JSON value equality with numbers compared by value and objects by key set.
  static boolean dataEqual(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      if (!Double.isFinite(a.doubleValue()) || !Double.isFinite(b.doubleValue()))  // NaN, ±Infinity
        return Double.compare(a.doubleValue(), b.doubleValue()) == 0;
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isNumber() != b.isNumber() && (a.isTextual() || b.isTextual())) {
      // Avro keeps a float default "NaN" / "Infinity" as a number; compare the spelled-out value.
      JsonNode num = a.isNumber() ? a : b, text = a.isNumber() ? b : a;
      return !Double.isFinite(num.doubleValue()) && text.textValue().equals(Double.toString(num.doubleValue()));
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) return false;
      for (Iterator<String> it = a.fieldNames(); it.hasNext();) {
        String k = it.next();
        if (!b.has(k) || !dataEqual(a.get(k), b.get(k))) return false;
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) return false;
      for (int k = 0; k < a.size(); ++k) if (!dataEqual(a.get(k), b.get(k))) return false;
      return true;
    }
    return a.equals(b);
  }

  /// Null when every field default of `pre` equals the one of `orig`, allowing the keys that name
  /// record fields to be lowercased (as the field names are); else the reason.
  static String defaultsMatch(Schema orig, Schema pre, Set<String> seen) {
    switch (orig.getType()) {
      case RECORD: {
        if (!seen.add(orig.getFullName())) return null;
        for (int i = 0; i < orig.getFields().size(); ++i) {
          Schema.Field fo = orig.getFields().get(i), fp = pre.getFields().get(i);
          JsonNode a = Accessor.defaultValue(fo), b = Accessor.defaultValue(fp);
          if ((a == null) != (b == null) || (a != null && !defaultEqual(fo.schema(), a, b)))
            return "default of field " + fo.name() + ": " + b + " differs from " + a;
          String w = defaultsMatch(fo.schema(), fp.schema(), seen);
          if (w != null) return w;
        }
        return null;
      }
      case ARRAY: return defaultsMatch(orig.getElementType(), pre.getElementType(), seen);
      case MAP: return defaultsMatch(orig.getValueType(), pre.getValueType(), seen);
      case UNION:
        for (int i = 0; i < orig.getTypes().size(); ++i) {
          String w = defaultsMatch(orig.getTypes().get(i), pre.getTypes().get(i), seen);
          if (w != null) return w;
        }
        return null;
      default: return null;
    }
  }

  /// Whether default `b` is default `a` of type `s`, record keys possibly lowercased.
  static boolean defaultEqual(Schema s, JsonNode a, JsonNode b) {
    switch (s.getType()) {
      case RECORD: {
        if (!a.isObject() || !b.isObject()) return dataEqual(a, b);
        // A key naming a field is lowercased with the field; any other key is kept as it is,
        // except one without upper-case ASCII that names a field once that field is lowercased
        // (key "id" for field "ID"): Java ignores it, and kept it would become the field's value,
        // so it is dropped. Every other key of `a` maps to exactly one key of `b`, and `b` has no
        // other keys.
        int dropped = 0;
        for (Iterator<String> it = a.fieldNames(); it.hasNext();) {
          String k = it.next();
          Schema.Field f = s.getField(k);
          if (f == null && shadowsField(s, k)) { ++dropped; continue; }
          JsonNode got = f == null ? b.get(k)
              : b.has(asciiLower(k)) ? b.get(asciiLower(k)) : b.get(k.toLowerCase(Locale.ROOT));
          if (got == null) return false;
          if (f == null ? !dataEqual(a.get(k), got) : !defaultEqual(f.schema(), a.get(k), got)) return false;
        }
        return b.size() == a.size() - dropped;
      }
      case MAP: {
        if (!a.isObject() || !b.isObject() || a.size() != b.size()) return dataEqual(a, b);
        for (Iterator<String> it = a.fieldNames(); it.hasNext();) {
          String k = it.next();
          if (!b.has(k) || !defaultEqual(s.getValueType(), a.get(k), b.get(k))) return false;
        }
        return true;
      }
      case ARRAY: {
        if (!a.isArray() || !b.isArray() || a.size() != b.size()) return dataEqual(a, b);
        for (int i = 0; i < a.size(); ++i) if (!defaultEqual(s.getElementType(), a.get(i), b.get(i))) return false;
        return true;
      }
      case UNION:
        for (Schema branch : s.getTypes()) if (defaultEqual(branch, a, b)) return true;
        return false;
      default: return dataEqual(a, b);
    }
  }

  /// Whether non-field key `k` of a record default reads as a field of `s` once field names are
  /// lowercased: it has no upper-case ASCII and equals the ASCII lowercase of a field's name.
  static boolean shadowsField(Schema s, String k) {
    if (!k.equals(asciiLower(k))) return false;
    for (Schema.Field f : s.getFields()) if (asciiLower(f.name()).equals(k)) return true;
    return false;
  }

  /// Checks Java's own model of the preprocessed schema: lowercase field names, precision ≤ 38.
  static String javaCheck(Schema s, Set<String> seen) {
    LogicalType lt = s.getLogicalType();
    if (lt instanceof LogicalTypes.Decimal && ((LogicalTypes.Decimal) lt).getPrecision() > 38)
      return "decimal precision " + ((LogicalTypes.Decimal) lt).getPrecision() + " > 38 in " + s;
    switch (s.getType()) {
      case RECORD:
        if (!seen.add(s.getFullName())) return null;
        for (Schema.Field f : s.getFields()) {
          if (!f.name().equals(asciiLower(f.name()))) return "field name " + f.name() + " is not lowercase";
          String w = javaCheck(f.schema(), seen);
          if (w != null) return w;
        }
        return null;
      case ARRAY: return javaCheck(s.getElementType(), seen);
      case MAP: return javaCheck(s.getValueType(), seen);
      case UNION:
        for (Schema b : s.getTypes()) { String w = javaCheck(b, seen); if (w != null) return w; }
        return null;
      default: return null;
    }
  }

  // ---- vectors and samples --------------------------------------------------------------------------
  static void vectors(String file) throws Exception {
    List<String> lines = Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    for (int i = 0; i < lines.size(); ++i) {
      String l = lines.get(i);
      if (!l.startsWith("<<INPUT")) continue;
      String text;
      if (l.trim().equals("<<INPUT")) {  // multi-line form, ends at a line "INPUT"
        StringBuilder b = new StringBuilder();
        while (!lines.get(++i).equals("INPUT")) b.append(lines.get(i)).append('\n');
        text = b.toString();
      } else {
        text = l.substring("<<INPUT ".length());
      }
      out.write(Json.quote(text));
      out.write('\n');
    }
    out.flush();
  }

  static void samples(String dir) throws Exception {
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    List<Path> files;
    try (Stream<Path> s = Files.list(Paths.get(dir))) {
      files = s.sorted().collect(Collectors.toList());
    }
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.endsWith(".avsc")) {
        out.write(Json.quote(new String(Files.readAllBytes(p), StandardCharsets.UTF_8)));
        out.write('\n');
      } else if (name.endsWith(".jsonl")) {
        for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          if (l.isEmpty()) continue;
          JsonNode payload = LENIENT.readTree(l).get("payload");
          if (payload != null && payload.isTextual()) {
            out.write(Json.quote(payload.textValue()));
            out.write('\n');
          }
        }
      }
    }
    out.flush();
  }
}
