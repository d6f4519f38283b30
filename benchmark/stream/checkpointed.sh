#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# sluice-event-etl as a user runs it (docs/benchmarks.md, "Event ETL with checkpoints"): the file
# source, a folder sink and a folder checkpoint on local disk, every batch committed durably with
# its state (changelogs, snapshots, retention), side by side with the disk's floor measured in the
# same run: stream_commit_floor writes, fsyncs and renames one file per batch of the size the
# binary wrote per batch. Also counts the fsyncs per batch (strace) of a second run.
#
# usage: checkpointed.sh BUILD_DIR   (a Release build with -DSLUICE_BUILD_BENCHMARKS=ON)
# Environment: EVENTS (1000000), BATCH (1000: the binary's default), DEVICES (1000), RATE (1000),
# SEED (42), CPU (1: the core to pin to), WORK (BUILD_DIR/checkpointed: on the disk measured),
# EXTRA (more options for the binary, e.g. "--state-snapshot-interval 10").
set -euo pipefail
# shellcheck source=benchmark/stream/time_v.sh
source "$(dirname "$0")/time_v.sh"
build=$(cd "${1:?usage: checkpointed.sh BUILD_DIR}" && pwd)
events=${EVENTS:-1000000} batch=${BATCH:-1000} devices=${DEVICES:-1000} rate=${RATE:-1000} seed=${SEED:-42}
cpu=${CPU:-1} work=${WORK:-$build/checkpointed} extra=${EXTRA:-}
for tool in taskset /usr/bin/time strace; do
  command -v "$tool" >/dev/null || { echo "checkpointed: needs $tool (apt-get install time util-linux strace)" >&2; exit 1; }
done
cmake --build "$build" --target sluice-event-etl sluice-event-gen stream_commit_floor >&2
etl=$build/examples/event_etl/sluice-event-etl
input=$(bash "$(dirname "$0")/input.sh" "$build" "$work" "$events" "$devices" "$rate" "$seed")
batches=$(( (events + batch - 1) / batch ))

run_etl() {  # run_etl DIR [PREFIX…]: a fresh run in DIR
  local dir=$1; shift
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && "$@" "$etl" --source "file:$input" --once --sink file:out --checkpoint-location ck \
     --kafka-max-offsets-per-trigger "$batch" --progress file:progress.jsonl $extra > /dev/null 2> stderr.txt)
}
run_etl "$work/etl" /usr/bin/time -v -o "$work/etl.time" taskset -c "$cpu"
read -r wall cpu_s rss < <(time_v "$work/etl.time")
blocks=$(awk -F': ' '/File system outputs/ { print $2 }' "$work/etl.time")
bytes_per_batch=$(( blocks * 512 / batches ))

run_etl "$work/etl-strace" strace -f --seccomp-bpf -c -o "$work/strace.txt" -e trace=fsync,fdatasync,rename,unlink
fsyncs=$(awk '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { print n + 0 }' "$work/strace.txt")
renames=$(awk '$NF == "rename" { print $4 }' "$work/strace.txt")
unlinks=$(awk '$NF == "unlink" { print $4 }' "$work/strace.txt")

rm -rf "$work/floor"
taskset -c "$cpu" "$build/benchmark/stream/stream_commit_floor" "$work/floor" "$batches" "$bytes_per_batch" > "$work/floor.json"
floor_wall=$(sed -n 's/.*"wall_s": \([0-9.]*\).*/\1/p' "$work/floor.json")

state_files=$(find "$work/etl/ck/state" -type f | wc -l)
printf 'sluice-event-etl: %s events in %s batches of %s (file source, folder sink and checkpoint in %s)\n' \
  "$events" "$batches" "$batch" "$work"
awk -v e="$events" -v w="$wall" -v c="$cpu_s" -v r="$rss" -v f="$floor_wall" -v b="$batches" \
    -v bpb="$bytes_per_batch" -v fs="$fsyncs" -v rn="${renames:-0}" -v ul="${unlinks:-0}" -v sf="$state_files" 'BEGIN {
  printf "  wall %.2f s, CPU %.2f s: %.0f events/s (wall), %.0f events/s of CPU time; peak RSS %s MB\n", w, c, e / w, e / c, r
  printf "  written per batch: %d bytes (file system outputs / batches); %.1f fsyncs, %.1f renames, %.2f deletes per batch\n", bpb, fs / b, rn / b, ul / b
  printf "  floor (one file of %d bytes written, fsynced, renamed and the folder fsynced per batch): %.2f s\n", bpb, f
  printf "  sluice / floor: %.2fx the floor'"'"'s time (goal <= 1.5); %d state files left after retention\n", w / f, sf
}'
