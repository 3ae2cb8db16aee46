#!/bin/sh
# tests/sanitize.sh — AddressSanitizer + UndefinedBehaviorSanitizer run.
#
#   tests/sanitize.sh            # configure + build build-asan/, run everything
#   tests/sanitize.sh --no-ctest-integration   # skip ctest -L integration
#   tests/sanitize.sh CAPTURE... # only these captures (file names) in step 3
#
# 1. Configures a separate build directory (build-asan/, or $TFT_ASAN_DIR) with
#    $CC_SAN (default gcc) and -fsanitize=address,undefined
#    -fno-omit-frame-pointer -fno-sanitize-recover=undefined, and builds the
#    plugin, the unit tests and (when tests/CMakeLists.txt includes it) the
#    fuzz replay driver.
# 2. Runs the unit tests (ctest -L unit; every test if no test has that label)
#    with leak detection on: that code is ours.
# 3. Runs tshark against the sanitized plugin (WIRESHARK_PLUGIN_DIR =
#    build-asan/plugins, as the unprivileged user, via tests/lib/tft.py) with the
#    sanitizer runtime preloaded (tshark itself is not instrumented): every
#    capture of tests/captures through
#    -z tcpfollowts,stream,<MANIFEST recommended stream> with fmt=json and
#    fmt=text under overlap=first and overlap=last, plus fmt=csv, fmt=raw
#    (dir=client), fmt=svg, fmt=html (data=hex) and `all` (fmt=json) once per
#    capture. Leak detection is off
#    for tshark (ASAN_OPTIONS=detect_leaks=0): libwireshark and GLib keep
#    process-lifetime allocations; leaks are valgrind.sh's job.
#    Any "ERROR: AddressSanitizer", "runtime error:" or "ERROR: LeakSanitizer"
#    on stderr fails the run.
# 4. Runs the post-dissector on corrupted variants of every capture
#    (tests/fuzz/corrupt_captures.py: editcap -E 0.02, $TFT_CORRUPT_VARIANTS
#    variants each, default 3) with the same preload.
# 5. Runs the integration tests (ctest -L integration) with the same preload,
#    so their checks (stderr must stay clean) also see sanitizer reports —
#    only if tests/lib/tft.py passes WIRESHARK_EXTCAP_DIR on to tshark (without
#    it, `tshark -G plugins` hangs: the extcap helper androiddump deadlocks at
#    exit when the ASan runtime is preloaded); skipped with a note otherwise.
#
# Exit status 0 only if no sanitizer report was seen and every test passed.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${TFT_ASAN_DIR:-$ROOT/build-asan}
CC_SAN=${CC_SAN:-gcc}
RUN_CTEST_INTEGRATION=1
CAPS=""
for a in "$@"; do
    case "$a" in
    --no-ctest-integration) RUN_CTEST_INTEGRATION=0 ;;
    -*) echo "usage: $0 [--no-ctest-integration] [CAPTURE...]" >&2; exit 2 ;;
    *) CAPS="$CAPS $a" ;;
    esac
done

SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
echo "== configure $BUILD ($CC_SAN, $SAN)"
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$CC_SAN" \
    -DCMAKE_C_FLAGS="-O1 -g $SAN" \
    -DCMAKE_EXE_LINKER_FLAGS="$SAN" -DCMAKE_SHARED_LINKER_FLAGS="$SAN" \
    -DCMAKE_MODULE_LINKER_FLAGS="$SAN" >"$BUILD/configure.log" 2>&1 ||
    { cat "$BUILD/configure.log"; exit 1; }
echo "== build"
cmake --build "$BUILD" -j2 >"$BUILD/build.log" 2>&1 || { tail -n 50 "$BUILD/build.log"; exit 1; }

# The sanitizer runtime tshark must load first.
case "$("$CC_SAN" --version | head -n 1)" in
*clang*) ASAN_RT="$("$CC_SAN" -print-runtime-dir)/libclang_rt.asan-x86_64.so" ;;
*) ASAN_RT=$("$CC_SAN" -print-file-name=libasan.so) ;;
esac
[ -f "$ASAN_RT" ] || { echo "sanitize.sh: no ASan runtime at $ASAN_RT" >&2; exit 1; }
PLUGIN=$(find "$BUILD/plugins" -name 'tcpfollowts.so' | head -n 1)
[ -n "$PLUGIN" ] || { echo "sanitize.sh: no staged plugin under $BUILD/plugins" >&2; exit 1; }
nm -D "$PLUGIN" | grep -q '__asan_' || { echo "sanitize.sh: $PLUGIN is not instrumented" >&2; exit 1; }
echo "   plugin $PLUGIN (instrumented), runtime $ASAN_RT"

LOGDIR="$BUILD/sanitize-logs"
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
status=0
SAN_PATTERN='ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|SUMMARY: UndefinedBehaviorSanitizer'

echo "== unit tests (leak detection on)"
if ctest --test-dir "$BUILD" -N -L unit | grep -q 'Total Tests: 0'; then
    unit_sel=""
    echo "   (no test labelled 'unit': running every non-integration test)"
else
    unit_sel="-L unit"
fi
# shellcheck disable=SC2086
if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   ctest --test-dir "$BUILD" $unit_sel -LE integration --output-on-failure >"$LOGDIR/unit.log" 2>&1; then
    grep -E 'tests passed|Total Test' "$LOGDIR/unit.log" | sed 's/^/   /'
else
    status=1
    tail -n 60 "$LOGDIR/unit.log"
fi
if grep -Eq "$SAN_PATTERN" "$LOGDIR/unit.log"; then
    echo "   SANITIZER REPORT in unit tests (see $LOGDIR/unit.log)"
    status=1
fi

echo "== tshark on every capture (sanitized plugin, $ASAN_RT preloaded)"
# shellcheck disable=SC2086
TFT_BUILD_DIR="$BUILD" TFT_PLUGIN_DIR="$BUILD/plugins" TFT_ASAN_RT="$ASAN_RT" \
TFT_LOGDIR="$LOGDIR" TFT_SAN_PATTERN="$SAN_PATTERN" \
python3 - "$ROOT" $CAPS <<'PYEOF' || status=1
import json, os, re, subprocess, sys, tempfile, time
root = sys.argv[1]
sys.path.insert(0, os.path.join(root, "tests", "lib"))
import tft  # noqa: E402

caps = tft.CAPTURES
streams = tft.recommended_streams()

# Only tshark gets the runtime (its children too: see NO_EXTCAP).
san_env = {
    "LD_PRELOAD": os.environ["TFT_ASAN_RT"],
    "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}
# tshark -G plugins runs every extcap helper (androiddump, sshdump, ...). With
# the ASan runtime preloaded, androiddump deadlocks in exit (libp11-kit's
# destructor -> freelocale), so tshark waits forever. Extcaps have nothing to do
# with reading a file: point tshark at an empty extcap directory.
NO_EXTCAP = tempfile.mkdtemp(prefix="tft-no-extcap-")
os.chmod(NO_EXTCAP, 0o755)
san_env["WIRESHARK_EXTCAP_DIR"] = NO_EXTCAP
pattern = re.compile(os.environ["TFT_SAN_PATTERN"])
logdir = os.environ["TFT_LOGDIR"]


user_prefix = getattr(tft, "user_prefix", None) or getattr(tft, "_user_prefix")


def tshark(args, timeout=900):
    """tft.tshark with extra environment: the same user and plugin directory."""
    p = subprocess.run(user_prefix() + ["tshark"] + list(args), env=tft.env(san_env),
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


rc, out, err = tshark(["-G", "plugins"])
line = [l for l in out.decode().splitlines() if "tcpfollowts" in l]
if rc != 0 or not line or pattern.search(err):
    print(f"   tcpfollowts not loaded from {tft.plugin_dir()}: rc {rc}\n{err}")
    sys.exit(1)
print("   loaded:", line[0].strip())
files = sys.argv[2:] or tft.capture_files()
runs = reports = odd = 0
t0 = time.time()
for cap in files:
    n = streams.get(cap, 0)
    zargs = [f"tcpfollowts,stream,{n},fmt={fmt},overlap={ov}"
             for fmt in ("json", "text") for ov in ("first", "last")]
    zargs += [f"tcpfollowts,stream,{n},fmt=csv", f"tcpfollowts,stream,{n},fmt=raw,dir=client",
              f"tcpfollowts,stream,{n},fmt=svg", f"tcpfollowts,stream,{n},fmt=html,data=hex",
              "tcpfollowts,all,fmt=json,overlap=last"]
    for z in zargs:
        rc, out, err = tshark(["-r", os.path.join(caps, cap), "-q", "-z", z])
        runs += 1
        tag = f"{cap} -z {z}"
        if pattern.search(err):
            reports += 1
            path = os.path.join(logdir, f"{cap}.{runs}.stderr")
            with open(path, "w") as f:
                f.write(tag + "\n" + err)
            print(f"   SANITIZER REPORT: {tag} (rc {rc}) -> {path}")
            print("\n".join("      " + l for l in err.splitlines()[:30]))
            continue
        if ",fmt=json" in z:
            try:
                json.loads(out.decode("utf-8"))
            except ValueError as e:
                odd += 1
                print(f"   note: {tag}: output is not JSON ({e})")
        if rc != 0:
            odd += 1
            first = (err.strip().splitlines() or [""])[0]
            print(f"   note: {tag}: exit {rc}: {first}")
print(f"   {len(files)} captures from {os.path.realpath(caps)}, {runs} tshark runs in "
      f"{time.time() - t0:.0f} s: {reports} with a sanitizer report, {odd} other anomalies (not failures)")
sys.exit(1 if reports else 0)
PYEOF

echo "== corrupted captures (editcap -E 0.02, ${TFT_CORRUPT_VARIANTS:-3} variants each, runtime preloaded)"
if LD_PRELOAD="$ASAN_RT" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   TFT_BUILD_DIR="$BUILD" TFT_PLUGIN_DIR="$BUILD/plugins" \
   python3 "$ROOT/tests/fuzz/corrupt_captures.py" --variants "${TFT_CORRUPT_VARIANTS:-3}" \
   --keep "$LOGDIR/corrupt-failures" >"$LOGDIR/corrupt.log" 2>&1; then
    tail -n 1 "$LOGDIR/corrupt.log" | sed 's/^/   /'
else
    status=1
    grep -E '^FAIL|corrupt_captures:' "$LOGDIR/corrupt.log" | sed 's/^/   /'
fi

# The integration tests run `tshark -G plugins` through tests/lib/tft.py; with
# the runtime preloaded that hangs in the extcap helpers (see above) unless
# tft.py hands WIRESHARK_EXTCAP_DIR to tshark. Run them only when it does.
NO_EXTCAP_DIR="$BUILD/no-extcap"
mkdir -p "$NO_EXTCAP_DIR"
chmod 755 "$NO_EXTCAP_DIR"
if [ "$RUN_CTEST_INTEGRATION" = 1 ] && ! ctest --test-dir "$BUILD" -N -L integration | grep -q 'Total Tests: 0'; then
    if WIRESHARK_EXTCAP_DIR="$NO_EXTCAP_DIR" python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests/lib'); import tft
sys.exit(0 if 'WIRESHARK_EXTCAP_DIR' in tft.env() else 1)"; then
        echo "== integration tests (ctest -L integration, runtime preloaded)"
        # LD_PRELOAD/ASAN_OPTIONS also reach the Python and setpriv processes,
        # which is harmless with leak detection off.
        if LD_PRELOAD="$ASAN_RT" WIRESHARK_EXTCAP_DIR="$NO_EXTCAP_DIR" \
           ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
           ctest --test-dir "$BUILD" -L integration --timeout 1800 --output-on-failure \
           >"$LOGDIR/integration.log" 2>&1; then
            grep -E 'tests passed' "$LOGDIR/integration.log" | sed 's/^/   /'
        else
            status=1
            grep -E 'tests passed|Failed|\*\*\*' "$LOGDIR/integration.log" | sed 's/^/   /'
        fi
        if grep -Eq "$SAN_PATTERN" "$LOGDIR/integration.log"; then
            echo "   SANITIZER REPORT in integration tests (see $LOGDIR/integration.log)"
            status=1
        fi
    else
        echo "== integration tests: SKIPPED — tests/lib/tft.py does not pass WIRESHARK_EXTCAP_DIR"
        echo "   to tshark, and tshark -G plugins hangs in the extcap helpers with ASan preloaded"
    fi
fi

if [ "$status" = 0 ]; then
    echo "sanitize.sh: OK — no sanitizer report"
else
    echo "sanitize.sh: FAILED (logs in $LOGDIR)" >&2
fi
exit "$status"
