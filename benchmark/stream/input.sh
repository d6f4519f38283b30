#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prints the path of a generated event file in WORK_DIR, generating it first if missing, and reads
# it into the page cache (so every run reads it alike). Shared by side_by_side.sh and
# checkpointed.sh.
#   benchmark/stream/input.sh BUILD_DIR WORK_DIR EVENTS DEVICES RATE SEED
set -euo pipefail
build=$1 work=$2 events=$3 devices=$4 rate=$5 seed=$6
mkdir -p "$work"
input=$work/events-$events-$devices-$rate-$seed.jsonl
if [ ! -s "$input" ]; then
  "$build/examples/event_etl/sluice-event-gen" --events "$events" --devices "$devices" --rate "$rate" \
    --seed "$seed" --output "$input.tmp" >&2
  mv "$input.tmp" "$input"
fi
cat "$input" > /dev/null
echo "$input"
