#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Differential test of sluice-avro against Java Avro (test tooling, run by CTest).
#
#   run_differential.sh build    ORACLE_DIR
#   run_differential.sh MODE     ORACLE_DIR SLUICE_AVRO TESTDATA WORKDIR [COUNT SEED]
#     MODE generated:  COUNT schemas from `oracle generate COUNT SEED`
#          vectors:    the inputs of testdata/avro/schema-tests.txt
#          goldengate: testdata/goldengate/*.avsc and the payloads of the schema-topic dump
#          preprocess: all three sets through `preprocess --jsonl`, twice: byte-identical output,
#                      and every output checked in Java (oracle check-preprocess)
#          preprocess-bites: check-preprocess fails on tampered record defaults (a self-test)
# Fingerprint modes run `oracle fingerprint` and `sluice-avro fingerprint --jsonl` on the same input
# and compare them with `oracle compare` (summary line "differential: N passed, M failed").
set -euo pipefail
mode=$1 oracle_dir=$2
if [[ $mode == build ]]; then
  bash "$oracle_dir/build.sh"
  exit
fi
sluice=$(realpath "$3") testdata=$(realpath "$4") work=$5 count=${6:-2000} seed=${7:-1}
oracle_dir=$(realpath "$oracle_dir")
oracle=$oracle_dir/target/oracle
[[ -x $oracle ]] || { echo "oracle not built: run $oracle_dir/build.sh" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"

inputs() {  # inputs SET > file
  case $1 in
    generated) "$oracle" generate "$count" "$seed" ;;
    vectors) "$oracle" vectors "$testdata/avro/schema-tests.txt" ;;
    goldengate) "$oracle" samples "$testdata/goldengate" ;;
    *) echo "unknown set $1" >&2; return 2 ;;
  esac
}

run_sluice() {  # run_sluice COMMAND IN OUT: the CLI must exit 0 even when inputs are invalid
  local rc=0
  "$sluice" "$1" --jsonl < "$2" > "$3" || rc=$?
  if [[ $rc -ne 0 ]]; then echo "sluice-avro $1 --jsonl exited with $rc" >&2; return 1; fi
}

case $mode in
  generated|vectors|goldengate)
    inputs "$mode" > in.jsonl
    n=$(wc -l < in.jsonl)
    echo "$mode: $n inputs"
    if [[ $mode == generated && $n -lt 2000 ]]; then echo "too few generated inputs: $n" >&2; exit 1; fi
    [[ $n -gt 0 ]] || { echo "no inputs" >&2; exit 1; }
    "$oracle" fingerprint < in.jsonl > java.jsonl
    run_sluice fingerprint in.jsonl sluice.jsonl
    "$oracle" compare in.jsonl java.jsonl sluice.jsonl 10
    ;;
  preprocess)
    for s in generated vectors goldengate; do inputs "$s"; done > in.jsonl
    echo "preprocess: $(wc -l < in.jsonl) inputs"
    "$oracle" fingerprint < in.jsonl > java.jsonl
    run_sluice preprocess in.jsonl pre1.jsonl
    run_sluice preprocess in.jsonl pre2.jsonl
    if ! cmp -s pre1.jsonl pre2.jsonl; then
      echo "preprocess output differs between two runs on the same input:" >&2
      cmp pre1.jsonl pre2.jsonl >&2 || true
      exit 1
    fi
    echo "preprocess: two runs byte-identical ($(wc -c < pre1.jsonl) bytes)"
    "$oracle" check-preprocess in.jsonl java.jsonl pre1.jsonl 10
    ;;
  preprocess-bites)
    # The preprocess check must catch wrong defaults: run it on sluice's output for record defaults
    # whose keys are lowercased or dropped, then on three tampered copies that must each fail.
    inner='{\"type\":\"record\",\"name\":\"Inner\",\"fields\":[{\"name\":\"ID\",\"type\":\"int\",\"default\":0},{\"name\":\"Nm\",\"type\":\"string\"}]}'
    for d in '{\"ID\":1,\"id\":\"x\",\"Nm\":\"a\"}' '{\"id\":5,\"Nm\":\"a\"}' '{\"ID\":1,\"Id\":2,\"Nm\":\"a\"}'; do
      echo "\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"T\\\",\\\"fields\\\":[{\\\"name\\\":\\\"R\\\",\\\"type\\\":$inner,\\\"default\\\":$d}]}\""
    done > in.jsonl
    "$oracle" fingerprint < in.jsonl > java.jsonl
    run_sluice preprocess in.jsonl pre.jsonl
    "$oracle" check-preprocess in.jsonl java.jsonl pre.jsonl 10
    bites=0
    for edit in 's/"default":{"id":1,"nm":"a"}/"default":{"id":1,"nm":"a","iD":"x"}/' \
                's/"default":{"nm":"a"}/"default":{"id":5,"nm":"a"}/' \
                's/"default":{"id":1,"Id":2,"nm":"a"}/"default":{"id":1,"nm":"a"}/'; do
      sed "$edit" pre.jsonl > tampered.jsonl
      if cmp -s pre.jsonl tampered.jsonl; then echo "tampering '$edit' changed nothing" >&2; exit 1; fi
      if "$oracle" check-preprocess in.jsonl java.jsonl tampered.jsonl 1 > tampered.out; then
        echo "check-preprocess accepts a wrong default ($edit):" >&2; cat tampered.out >&2; exit 1
      fi
      bites=$((bites + 1))
    done
    echo "preprocess-bites: check-preprocess rejected all $bites tampered defaults"
    ;;
  *) echo "usage: $0 build|generated|vectors|goldengate|preprocess|preprocess-bites …" >&2; exit 2 ;;
esac
