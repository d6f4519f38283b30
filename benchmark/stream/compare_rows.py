#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compares the window rows of sluice-event-etl (the JSON-lines files of its folder sink) with
the peer's rows (peer_duckdb.py --rows): the same windows, counts, minima, maxima, last values
and times exactly; averages within a relative 1e-12 (the engines may sum in another order).

  compare_rows.py SLUICE_OUT_DIR PEER_ROWS.jsonl
Exit 0 when equal (prints a summary), 1 with the first differences otherwise.
"""
import datetime
import json
import math
import os
import sys


def ms(iso):
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp() * 1000 + 0.5) if d.microsecond % 1000 == 0 else None


def main():
    ours_dir, peer_file = sys.argv[1], sys.argv[2]
    ours = {}
    for name in sorted(os.listdir(ours_dir)):
        with open(os.path.join(ours_dir, name), encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                key = (ms(r["window_start"]), r["device_id"], r["device_type"])
                if key in ours:
                    print(f"sluice wrote window {key} twice")
                    return 1
                r["window_start_ms"], r["window_end_ms"] = key[0], ms(r["window_end"])
                r["last_event_time_ms"] = ms(r["last_event_time"])
                ours[key] = r
    peer = {}
    with open(peer_file, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            peer[(r["window_start_ms"], r["device_id"], r["device_type"])] = r
    problems = []
    for k in sorted(set(ours) | set(peer), key=str):
        if k not in ours:
            problems.append(f"only the peer has {k}")
            continue
        if k not in peer:
            problems.append(f"only sluice has {k}")
            continue
        a, b = ours[k], peer[k]
        for field in ["window_end_ms", "event_count", "max_duration", "min_duration",
                      "min_battery_level", "min_signal_strength", "city", "country", "firmware_version",
                      "last_event_time_ms"]:
            if a[field] != b[field]:
                problems.append(f"{k} {field}: sluice {a[field]!r}, peer {b[field]!r}")
        for field in ["avg_duration", "avg_battery_level", "avg_signal_strength"]:
            if not math.isclose(a[field], b[field], rel_tol=1e-12, abs_tol=1e-12):
                problems.append(f"{k} {field}: sluice {a[field]!r}, peer {b[field]!r}")
    if problems:
        print(f"{len(problems)} differences; the first:")
        for p in problems[:20]:
            print("  " + p)
        return 1
    events = sum(r["event_count"] for r in ours.values())
    print(f"equal: {len(ours)} windows, {events} events in them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
