#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Reads what `/usr/bin/time -v -o FILE` wrote, for the benchmark scripts of this folder:
#   source benchmark/stream/time_v.sh; read -r wall cpu_s rss < <(time_v FILE)
# prints the wall time (s), the CPU time (user + system, s) and the peak RSS (MB).
time_v() {
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
    /User time/ { u = $2 }
    /System time/ { s = $2 }
    /Maximum resident set size/ { r = $2 / 1024 }
    END { printf "%s %s %.1f\n", w, u + s, r }' "$1"
}
