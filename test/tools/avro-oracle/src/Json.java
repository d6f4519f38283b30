// SPDX-License-Identifier: Apache-2.0
// Test tooling: JSON string quoting shared by the oracle's modes.
final class Json {
  private Json() {}

  /// Quotes s as a JSON string: escapes '"', '\\' and control characters, keeps the rest raw.
  static String quote(String s) { return quote(s, false); }

  /// Quotes s as a JSON string that is pure ASCII (every non-ASCII UTF-16 unit as \\uXXXX).
  static String quoteAscii(String s) { return quote(s, true); }

  private static String quote(String s, boolean ascii) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ++i) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        case '\b': b.append("\\b"); break;
        case '\f': b.append("\\f"); break;
        default:
          if (c < 0x20 || (ascii && c > 0x7e)) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
