#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo: installs what is missing, builds the example binaries (Release, Ninja, ccache) in
# build/release, runs the reference binary `sluice-schema-writer` with its defaults (the bundled
# schema-topic sample into ./schema-catalog) and shows the catalog it wrote.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

echo "== 1/3 dependencies"
bash scripts/install-deps.sh

echo "== 2/3 build the examples (build/release)"
build=build/release
# The same configuration as test.sh's release build, so the two share build/release.
sluice_configure "$build" "${release_args[@]}"
cmake --build "$build" --target examples/all

writer=$build/examples/schema_writer/sluice-schema-writer
if [[ ! -x $writer ]]; then
  echo "demo: $writer was not built (is examples/schema_writer in the tree?)" >&2
  exit 1
fi

echo "== 3/3 run sluice-schema-writer (defaults: bundled sample -> ./schema-catalog)"
"$writer"

# The catalog as a tree: one line per folder and file, files with their size.
echo
echo "Catalog written to $repo_root/schema-catalog:"
if [[ ! -d schema-catalog ]]; then
  echo "demo: sluice-schema-writer finished but ./schema-catalog does not exist" >&2
  exit 1
fi
find schema-catalog -mindepth 1 | LC_ALL=C sort | while IFS= read -r path; do
  rel=${path#schema-catalog/}
  depth=$(($(tr -cd '/' <<<"$rel" | wc -c)))
  indent=$(printf '%*s' $((depth * 4)) '')
  if [[ -d $path ]]; then
    echo "${indent}${rel##*/}/"
  else
    echo "${indent}${rel##*/}  ($(stat -c %s "$path") bytes)"
  fi
done
echo
echo "$(find schema-catalog -type f -name '*.avsc' | wc -l) schema file(s) in" \
  "$(find schema-catalog -mindepth 1 -maxdepth 1 -type d | wc -l) table folder(s)"

# Rejected messages are not lost: they are dead letters, one JSON line each, with the reason.
if [[ -e .sluice/dead-letters ]]; then
  n=$(find .sluice/dead-letters -type f -exec cat {} + | wc -l)
  echo "$n rejected message(s) in $repo_root/.sluice/dead-letters (one JSON line each, with the reason)"
fi
