#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prints the Python of a venv that has DuckDB (from PyPI), creating it first if needed.
#   benchmark/stream/peer_env.sh VENV_DIR
set -euo pipefail
venv=${1:?usage: peer_env.sh VENV_DIR}
if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check duckdb >&2
fi
echo "$venv/bin/python"
