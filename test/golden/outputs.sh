#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the reference binaries on the bundled sample and the shared test data and prints every
# file they wrote (catalog, dead letters, completed-batches log, checkpoint, window rows, logs
# and progress records) as one text dump, with the values that depend on the clock (times,
# durations, rates, the current yyyymm) replaced by placeholders. Two builds whose dumps are
# equal wrote byte-equal outputs. test/golden/expected.txt is the dump of the build before the
# refold (issue 12); the `golden` test compares the current build with it.
# Usage: outputs.sh <build dir> [testdata dir]
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
testdata=${2:-$here/../../../shared/testdata}
testdata=$(cd "$testdata" && pwd)
writer=$build/examples/schema_writer/sluice-schema-writer
etl=$build/examples/event_etl/sluice-event-etl
gen=$build/examples/event_etl/sluice-event-gen

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
yyyymm=$(date -u +%Y%m)
# The source tree of the build: the bundled sample's path is compiled in.
source_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")

normalize() {
  sed -E \
    -e 's/"(timestamp|completed_at|time)":"[0-9T:.Z-]+"/"\1":"T"/g' \
    -e 's/"time_ms":[0-9]+/"time_ms":0/g' \
    -e 's/"durationMs":\{[^}]*\}/"durationMs":{}/g' \
    -e 's/("visibleLatencyMs":\{"count":[0-9]+),[^}]*\}/\1}/g' \
    -e 's/"(inputRowsPerSecond|processedRowsPerSecond)":[0-9.e+-]+/"\1":0/g' \
    -e "s/; [0-9.]+ ms$/; N ms/" \
    -e "s/${yyyymm}/YYYYMM/g" \
    -e "s#${work}#WORK#g" -e "s#${build}#BUILD#g" -e "s#${source_dir}#SOURCE#g" -e "s#${testdata}#TESTDATA#g"
}

# dump <name> <dir>: every file under <dir>, sorted by path, as "== path" then its normalized text.
dump() {
  local name=$1 dir=$2
  (cd "$dir" && find . -type f ! -name '*.tmp*' | LC_ALL=C sort) | while read -r f; do
    echo "== $name/${f#./}" | normalize
    # State files (binary, docs/state-store.md) by size and digest; large files by the digest of
    # their normalized text.
    if [[ $f == */state/* ]]; then
      echo "binary $(stat -c %s "$dir/$f") bytes, sha256 $(sha256sum <"$dir/$f" | cut -d' ' -f1)"
    elif (($(stat -c %s "$dir/$f") > 65536)); then
      echo "sha256 $(normalize <"$dir/$f" | sha256sum | cut -d' ' -f1)"
    else
      normalize <"$dir/$f"
    fi
    echo
  done
}

case_run() { # case_run <name> <command…>: runs in $work/<name>, dumps what it wrote and printed
  local name=$1
  shift
  mkdir -p "$work/$name"
  local rc=0
  (cd "$work/$name" && "$@" >stdout.txt 2>stderr.txt) || rc=$?
  echo "== $name exit $rc"
  dump "$name" "$work/$name"
}

# 1. The demo: the bundled sample with every default.
case_run writer-demo "$writer"
case_run writer-demo-batches bash -c "cd ../writer-demo && '$writer' batches"
# 2. The shared sample in batches of 7, field names kept, and a replay of the same input.
case_run writer-small-batches "$writer" --source "file:$testdata/goldengate/schema-topic.sample.jsonl" \
  --once --max-records-per-batch 7 --no-lowercase-names --sink file:catalog --checkpoint file:ck
case_run writer-replay bash -c "cp -r ../writer-small-batches/catalog ../writer-small-batches/ck . &&
  '$writer' --source 'file:$testdata/goldengate/schema-topic.sample.jsonl' --once \
    --max-records-per-batch 7 --no-lowercase-names --sink file:catalog --checkpoint file:ck"
# 3. Bad usage: the messages and exit codes.
case_run writer-bad-flag "$writer" --max-records-per-batch 0
case_run etl-bad-flag "$etl" --source file:none.jsonl --window-duration forever

# 4. The event ETL on generated events: folder sink, console sink, other windows.
"$gen" --events 10000 --devices 50 --seed 7 --output "$work/events.jsonl"
case_run etl-file "$etl" --source "file:$work/events.jsonl" --once --sink file:out \
  --checkpoint-location ck --dead-letters dl
case_run etl-console "$etl" --source "file:$work/events.jsonl" --once \
  --kafka-max-offsets-per-trigger 5000 --window-duration 30s --watermark-delay 2m \
  --checkpoint-location ck
case_run etl-ranges "$etl" --source "file:$work/events.jsonl" --once --sink file:out \
  --battery-range 10:90 --signal-range -100:-10 --kafka-max-offsets-per-trigger 10000 \
  --checkpoint-location ck
