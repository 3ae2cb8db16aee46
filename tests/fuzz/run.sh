#!/bin/sh
# tests/fuzz/run.sh [SECONDS] [libFuzzer options...]
#
# Build the engine fuzzer (tests/fuzz/fuzz_engine.c + plugin/engine/*.c) with
# clang -fsanitize=fuzzer,address,undefined into its own directory and run it
# for SECONDS (default 60) on one core. The seed corpus tests/fuzz/corpus/ and
# tests/fuzz/corpus-found/ (what earlier long runs found, merged) are read,
# never written: new inputs go to $TFT_FUZZ_DIR/corpus, crashes to
# $TFT_FUZZ_DIR/artifacts/. The number of executions of every run is appended
# to $TFT_FUZZ_DIR/executions.log and the running total is printed.
#
# Environment:
#   TFT_FUZZ_DIR    build/work directory (default: <repo>/build-fuzz)
#   CC_FUZZ         compiler (default: clang; needs libclang-rt-*-dev)
#   TFT_FUZZ_RELAX  comma-separated invariant names the harness must not check
#                   (see fuzz_engine.c), e.g. to fuzz past a known engine bug
#
# Exit status: 0 when the run ended without a finding, 72 when interrupted
# (SIGINT; the executions so far are still counted), other non-zero on a finding
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

mkdir -p "$OUT/corpus" "$OUT/artifacts" "$OUT/obj"
# The sources this binary is built from, for executions.log.
engine=$(git -C "$ROOT" log -1 --format=%h -- plugin/engine tests/fuzz/fuzz_engine.c 2>/dev/null || echo unknown)
if ! git -C "$ROOT" diff --quiet HEAD -- plugin/engine tests/fuzz/fuzz_engine.c 2>/dev/null; then
    engine="$engine+dirty"
fi
GLIB_CFLAGS=$(pkg-config --cflags glib-2.0)
GLIB_LIBS=$(pkg-config --libs glib-2.0)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
WARN="-Wall -Wextra -Wno-unused-parameter"
# The engine gets the coverage instrumentation that guides libFuzzer; the
# harness and its reference model only the sanitizers (instrumenting their
# loops for coverage would cost 2-3x the executions and guide nothing).
objs=""
for src in "$ROOT"/plugin/engine/*.c; do
    obj="$OUT/obj/$(basename "$src" .c).o"
    # shellcheck disable=SC2086
    "$CC_FUZZ" -g -O1 -fsanitize=fuzzer-no-link $SAN $WARN $GLIB_CFLAGS -c "$src" -o "$obj"
    objs="$objs $obj"
done
# shellcheck disable=SC2086
"$CC_FUZZ" -g -O2 $SAN $WARN -I"$ROOT/plugin/engine" $GLIB_CFLAGS \
    -c "$ROOT/tests/fuzz/fuzz_engine.c" -o "$OUT/obj/fuzz_engine.o"
# shellcheck disable=SC2086
"$CC_FUZZ" -fsanitize=fuzzer $SAN "$OUT/obj/fuzz_engine.o" $objs $GLIB_LIBS -o "$OUT/fuzz_engine"

LOG="$OUT/fuzz-$(date -u +%Y%m%dT%H%M%SZ).log"
echo "fuzz_engine: fuzzing for ${SECS}s, log $LOG"
set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:quarantine_size_mb=16:max_malloc_fill_size=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$OUT/fuzz_engine" -max_total_time="$SECS" -max_len=4096 -timeout=25 \
    -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" "$@" \
    "$OUT/corpus" "$ROOT/tests/fuzz/corpus" "$ROOT/tests/fuzz/corpus-found" >"$LOG" 2>&1
rc=$?
set -e

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n 1)
execs=${execs:-0}
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) seconds=$SECS executions=$execs rc=$rc source=$engine relax=${TFT_FUZZ_RELAX:-}" >>"$OUT/executions.log"
total=$(sed -n 's/.*executions=\([0-9]*\).*/\1/p' "$OUT/executions.log" | awk '{s += $1} END {print s + 0}')
grep -E '^(#[0-9]+: cov:|stat::|SUMMARY|fuzz_engine: VIOLATION)' "$LOG" | tail -n 8
echo "fuzz_engine: this run: $execs executions (rc $rc); all runs logged in $OUT/executions.log: $total"
if [ "$rc" -eq 72 ]; then
    echo "fuzz_engine: interrupted (SIGINT), no finding" >&2
elif [ "$rc" -ne 0 ]; then
    echo "fuzz_engine: FINDING — see $LOG and $OUT/artifacts/" >&2
    grep -A 40 'VIOLATION\|ERROR: AddressSanitizer\|runtime error:' "$LOG" | head -n 60 >&2 || true
fi
exit "$rc"
