// SPDX-License-Identifier: Apache-2.0
// Test tooling: Java Avro as the oracle for sluice's canonical form and fingerprints.
//
//   oracle fingerprint        JSON lines in (each a JSON string holding one schema text), one JSON
//                             object out per line: {"fingerprint":"<signed decimal>","hex":"<16 hex>",
//                             "canonical":"<pcf>"} or {"error":"<Java's message>"}
//   oracle bench FILE [SECS]  parse + parsingFingerprint64 over every schema of FILE (same format),
//                             in process, after a warm-up; prints {"mb_per_s":…,"schemas_per_s":…,
//                             "cpu_mb_per_s":…} (wall-clock and process-CPU-time throughput)
//   oracle generate N SEED    N generated schema texts (valid and invalid), JSON lines (SchemaGen)
//   oracle generate-gg N SEED N generated GoldenGate-shaped table schemas, JSON lines (SchemaGen)
//   oracle compare …, check-preprocess …, vectors FILE, samples DIR: see Differential.java
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
    } else if (args.length == 3 && (args[0].equals("generate") || args[0].equals("generate-gg"))) {
      SchemaGen.main(args, args[0].equals("generate-gg"));
    } else if (args.length >= 4 && args[0].equals("compare")) {
      boolean strict = args[args.length - 1].equals("--strict-json");
      int n = strict ? args.length - 1 : args.length;
      System.exit(Differential.compare(args[1], args[2], args[3], n > 4 ? Integer.parseInt(args[4]) : 10, strict));
    } else if (args.length >= 4 && args[0].equals("check-preprocess")) {
      System.exit(Differential.checkPreprocess(args[1], args[2], args[3], args.length > 4 ? Integer.parseInt(args[4]) : 10));
    } else if (args.length == 2 && args[0].equals("vectors")) {
      Differential.vectors(args[1]);
    } else if (args.length == 2 && args[0].equals("samples")) {
      Differential.samples(args[1]);
    } else {
      System.err.println("usage: oracle fingerprint < schemas.jsonl | oracle bench FILE [SECONDS]\n"
          + "     | oracle generate N SEED | oracle generate-gg N SEED\n"
          + "     | oracle compare INPUT JAVA SLUICE [MAX] [--strict-json] | oracle check-preprocess INPUT JAVA PRE [MAX]\n"
          + "     | oracle vectors schema-tests.txt | oracle samples DIR");
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
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpuStart = os.getProcessCpuTime();  // all JVM threads: JIT, GC and the parser
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      for (String s : schemas) sink ^= run(s);
      ++rounds;
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
    System.out.printf("{\"impl\":\"java-avro\",\"mb_per_s\":%.2f,\"schemas_per_s\":%.1f,\"cpu_mb_per_s\":%.2f,\"rounds\":%d,\"bytes\":%d,\"check\":%d}%n",
        bytes * rounds / elapsed / 1e6, schemas.size() * rounds / elapsed, bytes * rounds / cpu / 1e6, rounds, bytes, sink & 1);
  }

  private static long run(String text) {
    try {
      return SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(text));
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
