#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The side-by-side peer of the event ETL: DuckDB computing the same windows over the same
JSON-lines file, with the same semantics expressed in SQL (test and benchmark tooling only).

  peer_duckdb.py FILE --batch N [--window-ms 60000] [--delay-ms 600000] [--threads 1]
                 [--rows OUT.jsonl]

Semantics (docs/event-etl.md), for the generator's data (one line per event, no blank lines);
one json_extract of every path per line:
- a line is valid if it is a JSON object with non-empty string event_id, device_id, device_type,
  an ISO-8601 event_time, and numbers (or null) for the numeric fields; then kept if the five
  numeric fields are present and within their ranges;
- micro-batch b holds lines [b*N, (b+1)*N); the watermark in force during batch b is the largest
  event time of the kept events of the batches before it, minus the delay; an event older than
  it is late;
- dedup keeps the first on-time event of each (event_id, device_id) in line order (exact for
  resends, which repeat the event time);
- tumbling windows per (device_id, device_type); written are the windows whose end is at or
  before the final watermark (the largest kept event time minus the delay): append mode.
Prints one JSON object with the timing; with --rows, writes the rows as JSON lines.
"""
import argparse
import json
import sys
import time

import duckdb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--window-ms", type=int, default=60000)
    ap.add_argument("--delay-ms", type=int, default=600000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rows")
    a = ap.parse_args()

    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    con.execute("SET preserve_insertion_order = true")
    t0 = time.perf_counter()
    c0 = time.process_time()
    # Every line as one text value, in file order (no delimiter or quote can occur in it).
    con.execute(
        "CREATE TEMP TABLE raw AS SELECT row_number() OVER () - 1 AS line, j FROM read_csv(?, "
        "columns = {'j': 'VARCHAR'}, header = false, delim = '\x01', quote = '\x02', "
        "escape = '\x02', auto_detect = false, strict_mode = false)", [a.file])
    W, D, B = a.window_ms, a.delay_ms, a.batch
    num = "('BIGINT', 'UBIGINT', 'DOUBLE', 'NULL')"
    rows = con.execute(f"""
      WITH parsed AS (
        -- One parse per line: every path at once (try: lines that are not JSON give NULL).
        SELECT line, line // {B} AS batch,
          try(json_extract(j, ['$.event_id', '$.device_id', '$.device_type', '$.event_time',
                               '$.event_duration', '$.battery_level', '$.signal_strength',
                               '$.location.latitude', '$.location.longitude', '$.location.city',
                               '$.location.country', '$.firmware_version'])) AS v
        FROM raw),
      typed AS (
        SELECT line, batch,
          v[1]->>'$' AS event_id, v[2]->>'$' AS device_id, v[3]->>'$' AS device_type,
          epoch_ms(try_cast(v[4]->>'$' AS TIMESTAMP)) AS t,
          try_cast(v[5]->>'$' AS DOUBLE) AS duration, try_cast(v[6]->>'$' AS DOUBLE) AS battery,
          try_cast(v[7]->>'$' AS DOUBLE) AS signal, try_cast(v[8]->>'$' AS DOUBLE) AS lat,
          try_cast(v[9]->>'$' AS DOUBLE) AS lon,
          v[10]->>'$' AS city, v[11]->>'$' AS country, v[12]->>'$' AS firmware
        FROM parsed
        WHERE v IS NOT NULL
          AND json_type(v[1]) = 'VARCHAR' AND json_type(v[2]) = 'VARCHAR'
          AND json_type(v[3]) = 'VARCHAR' AND json_type(v[4]) = 'VARCHAR'
          AND coalesce(json_type(v[5]), 'NULL') IN {num} AND coalesce(json_type(v[6]), 'NULL') IN {num}
          AND coalesce(json_type(v[7]), 'NULL') IN {num} AND coalesce(json_type(v[8]), 'NULL') IN {num}
          AND coalesce(json_type(v[9]), 'NULL') IN {num}),
      valid AS (
        SELECT * FROM typed
        WHERE event_id <> '' AND device_id <> '' AND device_type <> '' AND t IS NOT NULL
          AND duration >= 0 AND battery BETWEEN 0 AND 100 AND signal BETWEEN -150 AND 0
          AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180),
      batch_max AS (SELECT batch, max(t) AS m FROM valid GROUP BY batch),
      marks AS (
        SELECT batch, max(m) OVER (ORDER BY batch ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - {D} AS wm
        FROM batch_max),
      on_time AS (
        SELECT v.* FROM valid v JOIN marks USING (batch) WHERE marks.wm IS NULL OR v.t >= marks.wm),
      dedup AS (
        SELECT * FROM on_time
        QUALIFY row_number() OVER (PARTITION BY event_id, device_id ORDER BY line) = 1),
      final AS (SELECT max(t) - {D} AS wm FROM valid)
      SELECT (t // {W}) * {W} AS ws, (t // {W}) * {W} + {W} AS we, device_id, device_type,
             count(*) AS n, avg(duration), max(duration), min(duration), avg(battery), min(battery),
             avg(signal), min(signal),
             arg_max(city, t::HUGEINT * 10000000000 + line), arg_max(country, t::HUGEINT * 10000000000 + line),
             arg_max(firmware, t::HUGEINT * 10000000000 + line), max(t)
      FROM dedup
      GROUP BY 1, 2, 3, 4
      HAVING we <= (SELECT wm FROM final)
      ORDER BY ws, device_id, device_type
    """).fetchall()
    cpu = time.process_time() - c0
    wall = time.perf_counter() - t0
    lines = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if a.rows:
        keys = ["window_start_ms", "window_end_ms", "device_id", "device_type", "event_count",
                "avg_duration", "max_duration", "min_duration", "avg_battery_level",
                "min_battery_level", "avg_signal_strength", "min_signal_strength", "city", "country",
                "firmware_version", "last_event_time_ms"]
        with open(a.rows, "w") as out:
            for r in rows:
                out.write(json.dumps(dict(zip(keys, r)), ensure_ascii=False) + "\n")
    json.dump({"impl": f"duckdb-{duckdb.__version__}", "threads": a.threads, "events": lines,
               "rows": len(rows), "cpu_s": round(cpu, 3), "wall_s": round(wall, 3),
               "events_per_wall_s": round(lines / wall), "events_per_cpu_s": round(lines / cpu)},
              sys.stdout)
    print()


if __name__ == "__main__":
    main()
