#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Side-by-side throughput of Avro schema fingerprinting on ONE GoldenGate-shaped corpus:
#   java    Java Avro 1.12: Schema.Parser + SchemaNormalization.parsingFingerprint64 (oracle bench),
#           pinned, and again unpinned (java-all); the ratio uses the faster of the two
#   sluice  sluice::avro::schema_parser::analyse (canonical form + fingerprint + full name)
#   floor   a bare simdjson on-demand pass touching every value
# Each runs in process after a warm-up, pinned to the same core with taskset, under /usr/bin/time -v
# (peak RSS).
#
#   benchmark/avro/side_by_side.sh BUILD_DIR
# BUILD_DIR: a Release build configured with -DSLUICE_BUILD_BENCHMARKS=ON (the avro_side_by_side
# target is built if missing). Environment: COUNT (schemas, default 400 ≈ 25 MB), SEED (7),
# SECS (seconds measured per implementation, 10), CPU (core to pin to, 1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: side_by_side.sh BUILD_DIR}" && pwd)
count=${COUNT:-400} seed=${SEED:-7} secs=${SECS:-10} cpu=${CPU:-1}
for tool in taskset /usr/bin/time java; do
  command -v "$tool" >/dev/null || { echo "side_by_side: needs $tool (apt-get install time util-linux)" >&2; exit 1; }
done

cmake --build "$build" --target avro_side_by_side >&2
driver=$build/benchmark/avro/avro_side_by_side
oracle=$(bash "$repo/test/tools/avro-oracle/build.sh")
work=$build/side_by_side
mkdir -p "$work"
corpus=$work/corpus.jsonl
"$oracle" generate-gg "$count" "$seed" > "$corpus"

run() {  # run NAME COMMAND…: pinned, timed; result JSON in $work/NAME.json
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" taskset -c "$cpu" "$@" > "$work/$name.json"
}
run_unpinned() {  # the JVM's JIT and GC threads may use every core here
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" > "$work/$name.json"
}
field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$work/$1.json"; }
rss_mb() { awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$work/$1.time"; }

run java "$oracle" bench "$corpus" "$secs"
run_unpinned java-all "$oracle" bench "$corpus" "$secs"
run sluice "$driver" analyse "$corpus" "$secs"
run floor "$driver" floor "$corpus" "$secs"

bytes=$(field sluice bytes)
schemas=$(wc -l < "$corpus")
printf 'corpus: %s schemas, %.1f MB of schema JSON (oracle generate-gg %s %s); %s s per implementation, pinned to CPU %s\n' \
  "$schemas" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$count" "$seed" "$secs" "$cpu"
printf '%-9s %12s %12s %14s %12s\n' impl "MB/s (cpu)" "MB/s (wall)" "schemas/s" "peak RSS MB"
for n in java java-all sluice floor; do
  printf '%-9s %12s %12s %14s %12s\n' "$n" "$(field $n cpu_mb_per_s)" "$(field $n mb_per_s)" "$(field $n schemas_per_s)" "$(rss_mb $n)"
done
echo "(MB/s (cpu): bytes per second of process CPU time, robust against other load on the machine;"
echo " java: pinned like the others; java-all: unpinned, JIT and GC threads on every core;"
echo " peak RSS includes the corpus held in memory: the JSON-lines file and the decoded texts)"
awk -v j1="$(field java cpu_mb_per_s)" -v j2="$(field java-all cpu_mb_per_s)" -v s="$(field sluice cpu_mb_per_s)" \
    -v f="$(field floor cpu_mb_per_s)" 'BEGIN {
  j = j1 > j2 ? j1 : j2  # the faster Java run, so the ratio is not flattered
  printf "sluice/java speed-up: %.1fx (goal >= 10: %s)\n", s / j, (s / j >= 10 ? "met" : "MISSED")
  printf "sluice/floor slowdown: %.2fx (goal <= 2.5: %s)\n", f / s, (f / s <= 2.5 ? "met" : "MISSED")
}'
