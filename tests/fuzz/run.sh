#!/bin/sh
# tests/fuzz/run.sh [SECONDS] [libFuzzer options...]
#
# Build the engine fuzzer (tests/fuzz/fuzz_engine.c + plugin/engine/*.c) with
# clang -fsanitize=fuzzer,address,undefined into its own directory and run it
# for SECONDS (default 60) on one core. The seed corpus tests/fuzz/corpus/ is
# read, never written: new inputs go to $TFT_FUZZ_DIR/corpus, crashes to
# $TFT_FUZZ_DIR/artifacts/. The number of executions of every run is appended
# to $TFT_FUZZ_DIR/executions.log and the running total is printed.
#
# Environment:
#   TFT_FUZZ_DIR    build/work directory (default: <repo>/build-fuzz)
#   CC_FUZZ         compiler (default: clang; needs libclang-rt-*-dev)
#   TFT_FUZZ_RELAX  comma-separated invariant names the harness must not check
#                   (see fuzz_engine.c), e.g. to fuzz past a known engine bug
#
# Exit status: 0 when the run ended without a finding, non-zero otherwise
# (the crashing input is in $TFT_FUZZ_DIR/artifacts/; replay it with
# $TFT_FUZZ_DIR/fuzz_engine FILE, which prints the decoded segment list).
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${1:-60}
[ $# -gt 0 ] && shift
OUT=${TFT_FUZZ_DIR:-$ROOT/build-fuzz}
CC_FUZZ=${CC_FUZZ:-clang}

mkdir -p "$OUT/corpus" "$OUT/artifacts"
# shellcheck disable=SC2046
"$CC_FUZZ" -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Wno-unused-parameter \
    -I"$ROOT/plugin/engine" \
    "$ROOT/tests/fuzz/fuzz_engine.c" "$ROOT"/plugin/engine/*.c \
    $(pkg-config --cflags --libs glib-2.0) \
    -o "$OUT/fuzz_engine"

LOG="$OUT/fuzz-$(date -u +%Y%m%dT%H%M%SZ).log"
echo "fuzz_engine: fuzzing for ${SECS}s, log $LOG"
set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$OUT/fuzz_engine" -max_total_time="$SECS" -max_len=4096 -timeout=25 \
    -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" "$@" \
    "$OUT/corpus" "$ROOT/tests/fuzz/corpus" >"$LOG" 2>&1
rc=$?
set -e

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n 1)
execs=${execs:-0}
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) seconds=$SECS executions=$execs rc=$rc" >>"$OUT/executions.log"
total=$(sed -n 's/.*executions=\([0-9]*\).*/\1/p' "$OUT/executions.log" | awk '{s += $1} END {print s + 0}')
grep -E '^(#[0-9]+: cov:|stat::|SUMMARY|fuzz_engine: VIOLATION)' "$LOG" | tail -n 8
echo "fuzz_engine: this run: $execs executions (rc $rc); all runs logged in $OUT/executions.log: $total"
if [ "$rc" -ne 0 ]; then
    echo "fuzz_engine: FINDING — see $LOG and $OUT/artifacts/" >&2
    grep -A 40 'VIOLATION\|ERROR: AddressSanitizer\|runtime error:' "$LOG" | head -n 60 >&2 || true
fi
exit "$rc"
