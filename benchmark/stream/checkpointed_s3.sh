#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# sluice-event-etl with its checkpoint on the S3 server of the test harness (docs/benchmarks.md,
# "Event ETL with checkpoints", on S3): the file source and a folder sink as in checkpointed.sh,
# the checkpoint records and the state store (changelogs, snapshots, retention) under
# s3://BUCKET/ck. Starts the harness's S3 server in a state directory of its own
# (test/services/start.sh, S3 only; stopped again on exit) and reports events/s, peak RSS and the
# S3 requests per batch (the binary's own count of the requests it sent).
#
# usage: checkpointed_s3.sh BUILD_DIR   (a Release build with -DSLUICE_BUILD_BENCHMARKS=ON)
# Environment: EVENTS (1000000), BATCH (1000), DEVICES (1000), RATE (1000), SEED (42), CPU (1),
# WORK (BUILD_DIR/checkpointed), EXTRA (more options for the binary). Set SLUICE_TEST_S3_* to
# measure your own S3 server instead. Needs java and mvn (the harness), curl 7.75 or later.
set -euo pipefail
# shellcheck source=benchmark/stream/time_v.sh
source "$(dirname "$0")/time_v.sh"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: checkpointed_s3.sh BUILD_DIR}" && pwd)
events=${EVENTS:-1000000} batch=${BATCH:-1000} devices=${DEVICES:-1000} rate=${RATE:-1000} seed=${SEED:-42}
cpu=${CPU:-1} work=${WORK:-$build/checkpointed} extra=${EXTRA:-}
for tool in taskset /usr/bin/time curl; do
  command -v "$tool" >/dev/null || { echo "checkpointed_s3: needs $tool (apt-get install time util-linux curl)" >&2; exit 1; }
done
cmake --build "$build" --target sluice-event-etl sluice-event-gen >&2
etl=$build/examples/event_etl/sluice-event-etl
input=$(bash "$here/input.sh" "$build" "$work" "$events" "$devices" "$rate" "$seed")
batches=$(( (events + batch - 1) / batch ))

state=$(mktemp -d "${TMPDIR:-/tmp}/sluice-ck-s3.XXXXXX")
cleanup() {
  SLUICE_SERVICES_ONLY=s3 bash "$repo/test/services/stop.sh" "$state" >&2 || true
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
SLUICE_SERVICES_ONLY=s3 bash "$repo/test/services/start.sh" "$state" >&2
set -a
# shellcheck disable=SC1091
source "$state/services.env"
set +a
endpoint=$SLUICE_TEST_S3_ENDPOINT region=${SLUICE_TEST_S3_REGION:-us-east-1}
bucket=etl-ck-$(date +%s)-$$
curl -fsS -X PUT -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" --aws-sigv4 "aws:amz:$region:s3" \
  --user "$SLUICE_TEST_S3_ACCESS_KEY:$SLUICE_TEST_S3_SECRET_KEY" "$endpoint/$bucket" >&2

dir=$work/etl-s3
rm -rf "$dir" && mkdir -p "$dir"
# shellcheck disable=SC2086
(cd "$dir" && AWS_ACCESS_KEY_ID=$SLUICE_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SLUICE_TEST_S3_SECRET_KEY \
   /usr/bin/time -v -o "$work/etl-s3.time" taskset -c "$cpu" \
   "$etl" --source "file:$input" --once --sink file:out --checkpoint-location "s3://$bucket/ck" \
   --dead-letters dead-letters --s3-endpoint "$endpoint" --s3-region "$region" --s3-path-style \
   --kafka-max-offsets-per-trigger "$batch" --progress file:progress.jsonl $extra > /dev/null 2> stderr.txt) ||
  { cat "$dir/stderr.txt" >&2; exit 1; }
read -r wall cpu_s rss < <(time_v "$work/etl-s3.time")
read -r requests retries sent < <(sed -n 's/.*S3: \([0-9]*\) requests (\([0-9]*\) retries), [0-9]* connections, \([0-9]*\) bytes sent.*/\1 \2 \3/p' "$dir/stderr.txt")
printf 'sluice-event-etl: %s events in %s batches of %s (file source, folder sink, checkpoint on the S3 server %s)\n' \
  "$events" "$batches" "$batch" "$endpoint"
awk -v e="$events" -v w="$wall" -v c="$cpu_s" -v r="$rss" -v b="$batches" -v q="$requests" -v rt="$retries" -v s="$sent" 'BEGIN {
  printf "  wall %.2f s, CPU %.2f s: %.0f events/s (wall), %.0f events/s of CPU time; peak RSS %s MB\n", w, c, e / w, e / c, r
  printf "  S3: %d requests (%d retries): %.2f per batch; %d bytes sent: %d per batch\n", q, rt, q / b, s, s / b
}'
