#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stops what test/services/start.sh STATE_DIR started and removes its data.
# Usage: test/services/stop.sh STATE_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
(($# == 1)) || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
state=$1
[[ -d $state ]] || exit 0
for pidfile in "$state"/*.pid; do
  [[ -e $pidfile ]] || continue
  name=$(basename "$pidfile" .pid)
  stop_daemon "$pidfile" && echo "services: stopped $name"
done
rm -rf "$state/kafka" "$state/s3proxy" "$state/tls" "$state/services.env" "$state/services.env.tmp"
