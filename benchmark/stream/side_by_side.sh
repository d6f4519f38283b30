#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Event ETL side by side on ONE generated file: sluice's chain (parse → validate → dedup → window
# → null sink) at several batch sizes (1 000 is the binary's default, as Spark's
# maxOffsetsPerTrigger), sluice under the runner with a checkpoint per batch (in memory, and on
# disk), and
# DuckDB computing the same windows with the same semantics in SQL (peer_duckdb.py), on one core
# (taskset) and unpinned. Every run is under /usr/bin/time -v (peak RSS); the sluice driver also
# samples its RSS every million events.
#
#   benchmark/stream/side_by_side.sh BUILD_DIR
# BUILD_DIR: a Release build configured with -DSLUICE_BUILD_BENCHMARKS=ON (targets are built if
# missing). Environment: EVENTS (default 10000000), DEVICES (1000), RATE (1000 events per second
# of event time), SEED (42), BATCH (100000: the runner and DuckDB runs), CHAIN_BATCHES ("1000 5000
# 100000"), REPEAT (3: chain runs per batch size, the median by CPU-time rate is shown), CPU (1),
# PEER (1: run DuckDB, 0: skip it), VENV (DuckDB venv, default BUILD_DIR/peer-venv).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: side_by_side.sh BUILD_DIR}" && pwd)
events=${EVENTS:-10000000} devices=${DEVICES:-1000} rate=${RATE:-1000} seed=${SEED:-42}
batch=${BATCH:-100000} cpu=${CPU:-1} peer=${PEER:-1} venv=${VENV:-$build/peer-venv}
chain_batches=${CHAIN_BATCHES:-1000 5000 100000} repeat=${REPEAT:-3}
case " $chain_batches " in *" $batch "*) ;; *) chain_batches="$chain_batches $batch" ;; esac
ref=chain-$batch   # the chain run in DuckDB's batches
for tool in taskset /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "side_by_side: needs $tool (apt-get install time util-linux)" >&2; exit 1; }
done
cmake --build "$build" --target stream_event_etl_driver sluice-event-gen >&2
driver=$build/benchmark/stream/stream_event_etl_driver
work=$build/stream_side_by_side
input=$(bash "$here/input.sh" "$build" "$work" "$events" "$devices" "$rate" "$seed")

run() {  # run NAME COMMAND…: timed; result JSON in $work/NAME.json
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" > "$work/$name.json"
}
rss_mb() { awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$work/$1.time"; }
field() { sed -n "s/.*\"$2\": *\([0-9.]*\).*/\1/p" "$work/$1.json"; }

names=""
for b in $chain_batches; do
  for i in $(seq "$repeat"); do
    run "chain-$b-$i" taskset -c "$cpu" "$driver" "$input" --mode chain --batch "$b"
  done
  # The median run by CPU-time rate becomes chain-$b; every run's rate is listed.
  median=$(for i in $(seq "$repeat"); do echo "$(field "chain-$b-$i" events_per_cpu_s) $i"; done | sort -n |
    awk -v n="$repeat" 'NR == int((n + 1) / 2) { print $2 }')
  cp "$work/chain-$b-$median.json" "$work/chain-$b.json"
  cp "$work/chain-$b-$median.time" "$work/chain-$b.time"
  echo "chain-$b: $repeat runs, events/s of CPU time: $(for i in $(seq "$repeat"); do field "chain-$b-$i" events_per_cpu_s; done | tr '\n' ' ')(median shown)"
  names="$names chain-$b"
done
run runner taskset -c "$cpu" "$driver" "$input" --mode runner --batch "$batch"
rm -rf "$work/ckpt"
run runner-disk taskset -c "$cpu" "$driver" "$input" --mode runner --batch "$batch" --checkpoint "$work/ckpt"
names="$names runner runner-disk"
if [ "$peer" = 1 ]; then
  python=$(bash "$here/peer_env.sh" "$venv")
  run duckdb-1 taskset -c "$cpu" "$python" "$here/peer_duckdb.py" "$input" --batch "$batch" --threads 1
  run duckdb-2 "$python" "$here/peer_duckdb.py" "$input" --batch "$batch" --threads 2
  names="$names duckdb-1 duckdb-2"
fi

printf 'input: %s events (%s MB), %s devices, %s events/s of event time, seed %s; batches of %s; pinned to CPU %s\n' \
  "$events" "$(( $(stat -c %s "$input") / 1000000 ))" "$devices" "$rate" "$seed" "$batch" "$cpu"
printf '%-13s %14s %16s %14s %10s %10s %12s\n' impl "events/s cpu" "steady (2M on)" "events/s wall" "cpu s" \
  "wall s" "peak RSS MB"
for n in $names; do
  printf '%-13s %14s %16s %14s %10s %10s %12s\n' "$n" "$(field $n events_per_cpu_s)" \
    "$(field $n steady_events_per_cpu_s)" "$(field $n events_per_wall_s)" "$(field $n cpu_s)" "$(field $n wall_s)" \
    "$(rss_mb $n)"
done
echo "rows written: sluice $(field $ref rows)$( [ "$peer" = 1 ] && echo ", duckdb $(field duckdb-1 rows)")"
echo "RSS of the $ref run, MB at every million events: $(sed -n 's/.*"rss_mb":\(\[.*\]\)}.*/\1/p' "$work/$ref.json")"
echo "RSS of the runner run: $(sed -n 's/.*"rss_mb":\(\[.*\]\)}.*/\1/p' "$work/runner.json")"
echo "state per commit: $(field runner state_bytes) bytes; dedup keys $(field $ref dedup_keys), open windows $(field $ref open_windows)"
if [ "$peer" = 1 ]; then
  awk -v s="$(field $ref cpu_s)" -v r="$(field runner cpu_s)" -v d1="$(field duckdb-1 cpu_s)" -v d2="$(field duckdb-2 cpu_s)" 'BEGIN {
    printf "CPU-time ratio duckdb(1 thread) / sluice chain: %.2fx; / sluice runner: %.2fx; duckdb(2 threads) / sluice chain: %.2fx\n", d1 / s, d1 / r, d2 / s }'
fi
