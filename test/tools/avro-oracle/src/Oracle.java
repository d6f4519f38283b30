// SPDX-License-Identifier: Apache-2.0
// Test tooling: Java Avro as the oracle for sluice's canonical form and fingerprints.
//
//   oracle fingerprint        JSON lines in (each a JSON string holding one schema text), one JSON
//                             object out per line: {"fingerprint":"<signed decimal>","hex":"<16 hex>",
//                             "canonical":"<pcf>"} or {"error":"<Java's message>"}
//   oracle bench FILE [SECS]  parse + parsingFingerprint64 over every schema of FILE (same format),
//                             in process, after a warm-up; prints {"mb_per_s":…,"schemas_per_s":…}
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

public final class Oracle {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("fingerprint")) {
      fingerprint();
    } else if (args.length >= 2 && args[0].equals("bench")) {
      bench(args[1], args.length >= 3 ? Double.parseDouble(args[2]) : 5.0);
    } else {
      System.err.println("usage: oracle fingerprint < schemas.jsonl | oracle bench FILE [SECONDS]");
      System.exit(2);
    }
  }

  private static void fingerprint() throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      ObjectNode o = JSON.createObjectNode();
      try {
        String text = JSON.readValue(line, String.class);
        Schema s = new Schema.Parser().parse(text);
        long fp = SchemaNormalization.parsingFingerprint64(s);
        o.put("fingerprint", Long.toString(fp));
        o.put("hex", String.format("%016x", fp));
        o.put("canonical", SchemaNormalization.toParsingForm(s));
      } catch (Throwable e) {
        o.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      out.write(JSON.writeValueAsString(o));
      out.write('\n');
    }
    out.flush();
  }

  private static void bench(String file, double seconds) throws Exception {
    List<String> schemas = new ArrayList<>();
    long bytes = 0;
    for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) {
      if (line.isEmpty()) continue;
      String text = JSON.readValue(line, String.class);
      schemas.add(text);
      bytes += text.getBytes(StandardCharsets.UTF_8).length;
    }
    long sink = 0;
    // Warm-up: let the JIT compile the parser and the fingerprint before measuring.
    long warmEnd = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < warmEnd) for (String s : schemas) sink ^= run(s);
    long rounds = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      for (String s : schemas) sink ^= run(s);
      ++rounds;
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("{\"impl\":\"java-avro\",\"mb_per_s\":%.2f,\"schemas_per_s\":%.1f,\"rounds\":%d,\"check\":%d}%n",
        bytes * rounds / elapsed / 1e6, schemas.size() * rounds / elapsed, rounds, sink & 1);
  }

  private static long run(String text) {
    try {
      return SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(text));
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
