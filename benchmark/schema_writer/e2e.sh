#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end benchmark of sluice-schema-writer on a real Kafka broker and a real S3 server
# (docs/benchmarks.md, "Schema writer end to end"). Starts the services of the test harness in a
# state directory of its own (test/services/start.sh; stopped again on exit), then runs:
#   warmup  a small burst, not reported: the JVMs of the services JIT-compile their hot paths
#   steady  RATE messages/s for DURATION s into a running writer (--trigger-interval TRIGGER)
#   burst   FULL messages produced as fast as possible into a running writer
#   once    FULL messages produced first, then `sluice-schema-writer --once` over the backlog
#   floors  the S3 server's PUT rate for the same objects (16 in flight, like the writer), and
#           kcat reading the burst topic to the end (the read side)
# and prints a table. Each case has its own topic (PARTITIONS partitions), bucket and group.
#
#   benchmark/schema_writer/e2e.sh BUILD_DIR
# BUILD_DIR: a Release build with -DSLUICE_BUILD_BENCHMARKS=ON -DSLUICE_BUILD_EXAMPLES=ON
# (configured here if it has no CMakeCache.txt). Environment (defaults in brackets): RATE [200],
# DURATION [60], FULL [20000], PARTITIONS [4], SEED [1], TRIGGER [100ms], POLL_MS [20],
# LOOKAHEAD [4] (watcher), SAMPLE [10] (the burst and once cases watch every SAMPLEth object),
# CASES ["warmup steady burst once floors"], OUT [BUILD_DIR/sw-e2e], COLUMNS [0: 2..24 columns a table,
# now and then 40..120; N: every new table N columns wide, about 100 bytes each]. The writer gets
# EXTRA_WRITER_ARGS.
# Set SLUICE_TEST_KAFKA_BOOTSTRAP / SLUICE_TEST_S3_* to measure your own services instead.
# Needs java, mvn, kcat, curl (the harness) and jq.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:?usage: e2e.sh BUILD_DIR}
rate=${RATE:-200} duration=${DURATION:-60} full=${FULL:-20000} partitions=${PARTITIONS:-4}
seed=${SEED:-1} trigger=${TRIGGER:-100ms} poll_ms=${POLL_MS:-20} lookahead=${LOOKAHEAD:-4}
sample=${SAMPLE:-10} cases=${CASES:-warmup steady burst once floors} columns=${COLUMNS:-0}
command -v jq >/dev/null || { echo "e2e.sh: needs jq (apt-get install jq)" >&2; exit 1; }

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_BENCHMARKS=ON \
        -DSLUICE_BUILD_EXAMPLES=ON -DSLUICE_BUILD_TESTS=OFF >&2
fi
build=$(cd "$build" && pwd)
cmake --build "$build" --target sluice-schema-writer sluice_sw_e2e_driver >&2
driver=$build/benchmark/schema_writer/sluice_sw_e2e_driver
writer=$build/examples/schema_writer/sluice-schema-writer
out=${OUT:-$build/sw-e2e}
mkdir -p "$out"
rm -f "$out"/{warmup,steady,burst,once}.json "$out"/*.topic "$out"/{s3,kcat}-floor.json "$out/machine.txt"

state=$(mktemp -d "${TMPDIR:-/tmp}/sluice-sw-e2e.XXXXXX")
cleanup() {
  bash "$repo/test/services/stop.sh" "$state" >&2 || true
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bash "$repo/test/services/start.sh" "$state" >&2
set -a
# shellcheck disable=SC1091
source "$state/services.env"
set +a
bootstrap=$SLUICE_TEST_KAFKA_BOOTSTRAP endpoint=$SLUICE_TEST_S3_ENDPOINT
pids=()
for name in kafka s3proxy; do
  [[ -f $state/$name.pid ]] && pids+=(--pid "$name=$(cat "$state/$name.pid")")
done

echo "machine: $(nproc) cores; $(uptime)" | tee "$out/machine.txt" >&2
tag=$(date +%s)-$$

run_case() {  # run_case NAME MODE MESSAGES [driver options…] -- [writer options…]
  local name=$1 mode=$2 messages=$3
  shift 3
  local dopts=() wopts=()
  while (($#)) && [[ $1 != -- ]]; do dopts+=("$1"); shift; done
  (($#)) && shift
  wopts=("$@")
  local topic=sw-$name-$tag bucket=sw-$name-$tag
  "$driver" setup --bootstrap "$bootstrap" --topic "$topic" --partitions "$partitions" \
    --s3-endpoint "$endpoint" --bucket "$bucket"
  echo "== $(date +%T) $name: $messages messages, topic $topic ($partitions partitions); $(uptime)" >&2
  # shellcheck disable=SC2086
  "$driver" run --mode "$mode" --bootstrap "$bootstrap" --topic "$topic" --partitions "$partitions" \
    --s3-endpoint "$endpoint" --bucket "$bucket" --messages "$messages" --seed "$seed" --columns "$columns" \
    --poll-ms "$poll_ms" --lookahead "$lookahead" --out "$out/$name" "${pids[@]}" "${dopts[@]}" -- \
    "$writer" --source "kafka://$bootstrap/$topic" --group-id "sw-$name-$tag" \
    --sink "s3://$bucket/catalog" --checkpoint "s3://$bucket/ops/checkpoint" \
    --s3-endpoint "$endpoint" --s3-path-style "${wopts[@]}" ${EXTRA_WRITER_ARGS:-} > "$out/$name.json" ||
    echo "e2e.sh: case $name incomplete or failed (see $out/$name/writer.log)" >&2
  echo "$topic" > "$out/$name.topic"
}

for c in $cases; do
  case $c in
    warmup) run_case warmup continuous 3000 --sample "$sample" -- --trigger-interval "$trigger" ;;
    steady) run_case steady continuous $((rate * duration)) --rate "$rate" -- --trigger-interval "$trigger" ;;
    burst) run_case burst continuous "$full" --sample "$sample" -- --trigger-interval "$trigger" ;;
    once) run_case once once-after "$full" --sample "$sample" -- --once ;;
    floors)
      "$driver" setup --bootstrap "$bootstrap" --topic "sw-floor-$tag" --partitions 1 \
        --s3-endpoint "$endpoint" --bucket "sw-floor-$tag"
      "$driver" s3-floor --s3-endpoint "$endpoint" --bucket "sw-floor-$tag" --messages "$full" \
        --seed "$seed" --partitions "$partitions" --columns "$columns" > "$out/s3-floor.json"
      if [[ -f $out/burst.topic ]]; then
        start=$(date +%s%N)
        n=$(kcat -C -b "$bootstrap" -t "$(cat "$out/burst.topic")" -o beginning -e -q -f '%o\n' | wc -l)
        end=$(date +%s%N)
        jq -n --argjson n "$n" --argjson s "$(awk -v a="$start" -v b="$end" 'BEGIN { print (b - a) / 1e9 }')" \
          '{case:"kcat-read", messages:$n, seconds:$s, msgs_per_s:($n / $s)}' -c > "$out/kcat-floor.json"
      fi
      ;;
    *) echo "e2e.sh: unknown case $c" >&2; exit 2 ;;
  esac
done
echo "after: $(uptime)" | tee -a "$out/machine.txt" >&2

# The table.
printf '\n%-7s %6s %8s %9s %9s %8s %8s %8s %8s %7s %8s %7s %7s %6s %8s %5s\n' case msgs "in msg/s" \
  "e2e msg/s" "busy m/s" "p50 ms" "p99 ms" "max ms" "n lat" "CPU s" "us/msg" "RSS MB" "S3P s" "Kfk s" \
  "HEAD/s" "ok"
for c in steady burst once; do
  f=$out/$c.json
  [[ -s $f ]] || continue
  jq -r --arg c "$c" '[$c, .messages, (if .rate > 0 then .rate else .produce_rate end), .e2e_msgs_per_s,
      .writer.busy_rows_per_s, .latency_ms.p50, .latency_ms.p99, .latency_ms.max, .latency_ms.n,
      .writer.window_cpu_s, (.writer.window_cpu_s / .messages * 1e6), .writer.peak_rss_mb,
      (.services.s3proxy_cpu_s // "-"), (.services.kafka_cpu_s // "-"), .watcher.heads_per_s,
      (if .complete then "yes" else "NO" end)] | @tsv' "$f" |
    awk -F'\t' '{ printf "%-7s %6d %8.0f %9.1f %9.1f %8.1f %8.1f %8.1f %8d %7.2f %8.0f %7.1f %7s %6s %8.0f %5s\n",
                  $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 }'
done
for c in steady burst once; do
  f=$out/$c.json
  [[ -s $f ]] || continue
  jq -r --arg c "$c" '"\($c): writer commit latency p50 \(.writer_commit_latency_ms.p50) ms p99 \(.writer_commit_latency_ms.p99) ms (progress records); watcher saw objects \(.detect_after_write_ms.p50) ms (p50) / \(.detect_after_write_ms.p99) ms (p99) after their batch finished writing; \(.writer.batches) batches; driver (producer + watcher) CPU \(.driver_cpu_s) s; writer wall \(.writer.wall_s) s; writer RSS peak while running \(.writer.hwm_running_mb) MB (VmHWM), at the end \(.writer.rss_end_mb) MB"' "$f"
done
[[ -s $out/s3-floor.json ]] && jq -r '"floor: S3 server PUT \(.objects_per_s) objects/s (\(.objects) objects, \(.in_flight) in flight, batches of \(.batch))"' "$out/s3-floor.json"
[[ -s $out/kcat-floor.json ]] && jq -r '"floor: kcat read \(.messages) messages in \(.seconds | . * 1000 | round / 1000) s = \(.msgs_per_s | round) msg/s"' "$out/kcat-floor.json"
echo "(in msg/s: the produce rate; e2e: messages / (first produce, or the writer's start for once, until the"
echo " last object was visible); busy m/s: the writer's rows / summed batch durations; p50/p99/max: produce"
echo " to visible on S3 over n watched objects, polled every ${poll_ms} ms; CPU s, us/msg: the writer's user+sys"
echo " in the measured window; RSS MB: its peak (getrusage); S3P s, Kfk s: CPU of S3Proxy and Kafka in the"
echo " window; HEAD/s: the watcher's load on S3. Details: $out)"
