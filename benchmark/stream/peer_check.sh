#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The DuckDB peer as a test oracle: generated events (duplicates, out-of-order, late, invalid and
# filtered ones) through sluice-event-etl into a folder, and through peer_duckdb.py; the windows
# must be equal (compare_rows.py).
#   benchmark/stream/peer_check.sh SLUICE_EVENT_GEN SLUICE_EVENT_ETL WORK_DIR [VENV_DIR]
# Environment: EVENTS (default 30000), BATCH (1000), SEED (7).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gen=${1:?usage: peer_check.sh GEN ETL WORK_DIR [VENV_DIR]} etl=${2:?} work=${3:?}
venv=${4:-$work/../peer-venv}
events=${EVENTS:-30000} batch=${BATCH:-1000} seed=${SEED:-7}
python=$(bash "$here/peer_env.sh" "$venv")
rm -rf "$work" && mkdir -p "$work"
"$gen" --events "$events" --devices 40 --rate 25 --seed "$seed" --output "$work/events.jsonl"
"$etl" --source "file:$work/events.jsonl" --sink "file:$work/out" --once \
  --checkpoint-location "$work/ck" --max-offsets-per-trigger "$batch" \
  --window-duration 1m --watermark-delay 2m --progress "file:$work/progress.jsonl" 2> "$work/etl.log"
tail -1 "$work/etl.log"
"$python" "$here/peer_duckdb.py" "$work/events.jsonl" --batch "$batch" --window-ms 60000 \
  --delay-ms 120000 --rows "$work/peer.jsonl"
"$python" "$here/compare_rows.py" "$work/out" "$work/peer.jsonl"
