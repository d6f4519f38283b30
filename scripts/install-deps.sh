#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian (bookworm) packages that building, testing and the demo need. Idempotent:
# only missing packages are installed, and `apt-get update` runs only when something is missing.
# Run as root, or as a user with sudo.
set -euo pipefail

# One entry per need; "a|b" is satisfied by either package and installs the first.
packages=(
  build-essential g++ cmake ninja-build ccache pkg-config git time ca-certificates
  libboost-dev libfmt-dev libsimdjson-dev librdkafka-dev libcurl4-openssl-dev libssl-dev
  libgtest-dev libbenchmark-dev
  clang libclang-rt-14-dev                       # clang builds and libFuzzer/sanitizer runtimes
  "default-jdk-headless|openjdk-17-jdk-headless" maven   # Java Avro oracle (test tooling)
  kcat valgrind curl                               # curl: readiness checks of test/services
  util-linux                                       # setpriv: the unprivileged-user test
)

is_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

missing=()
for entry in "${packages[@]}"; do
  IFS='|' read -r -a alternatives <<<"$entry"
  found=false
  for p in "${alternatives[@]}"; do
    if is_installed "$p"; then found=true; break; fi
  done
  $found || missing+=("${alternatives[0]}")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} required packages are installed"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or install sudo)" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
