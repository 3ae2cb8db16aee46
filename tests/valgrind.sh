#!/bin/sh
# tests/valgrind.sh — tshark with the tcpfollowts plugin under valgrind memcheck.
#
#   tests/valgrind.sh [CAPTURE...]      # default: every capture
#
# Builds the plugin normally (no sanitizer) in build-valgrind/ unless
# TFT_BUILD_DIR names an existing build (e.g. TFT_BUILD_DIR=build), then runs,
# for every capture of tests/captures, as the
# unprivileged user (valgrind runs inside setpriv, via tests/lib/tft.py):
#
#   valgrind --error-exitcode=1 --leak-check=full \
#            --suppressions=tests/valgrind.supp tshark -r CAP -q \
#            -z tcpfollowts,stream,N,fmt=json \
#            -z tcpfollowts,stream,N,fmt=text,overlap=last \
#            -z tcpfollowts,stream,N,fmt=html \
#            -z tcpfollowts,all,fmt=csv
#
# N is the capture's recommended stream from MANIFEST.tsv (0 otherwise). Four
# reports in one process exercise the plugin's per-report state, both overlap
# policies, and the all-streams path. Any memcheck error (invalid read/write,
# uninitialised value, definitely or possibly lost block not covered by
# tests/valgrind.supp) fails the run; ERROR SUMMARY is parsed from each log,
# and the logs (with --gen-suppressions=all) are kept in
# <build>/valgrind-logs/. The suppression file covers only libwireshark/GLib
# process-lifetime allocations; each entry says why.
#
# Then the post-dissector on corrupted variants of every capture under
# memcheck (tests/fuzz/corrupt_captures.py --valgrind --quick: editcap -E 0.02,
# $TFT_CORRUPT_VARIANTS variants each, default 1, through tshark -2 -V with the
# fields on; the originals and the one-pass -Y run are sanitize.sh's).
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${TFT_BUILD_DIR:-}" ]; then
    BUILD=$(cd "$TFT_BUILD_DIR" && pwd)
else
    BUILD=$ROOT/build-valgrind
    echo "== build $BUILD (normal flags)"
    mkdir -p "$BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/configure.log" 2>&1 ||
        { cat "$BUILD/configure.log"; exit 1; }
    cmake --build "$BUILD" -j2 >"$BUILD/build.log" 2>&1 || { tail -n 50 "$BUILD/build.log"; exit 1; }
fi
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed" >&2; exit 1; }
LOGDIR="$BUILD/valgrind-logs"
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"

status=0
TFT_BUILD_DIR="$BUILD" TFT_PLUGIN_DIR="${TFT_PLUGIN_DIR:-$BUILD/plugins}" TFT_LOGDIR="$LOGDIR" \
python3 - "$ROOT" "$@" <<'PYEOF' || status=1
import os, re, sys, time
root = sys.argv[1]
sys.path.insert(0, os.path.join(root, "tests", "lib"))
import tft  # noqa: E402

caps = tft.CAPTURES
streams = tft.recommended_streams()
logdir = os.environ["TFT_LOGDIR"]
supp = os.path.join(root, "tests", "valgrind.supp")

print("== plugin:", tft.assert_plugin_loaded().strip())
files = sys.argv[2:] or tft.capture_files()
valgrind = ["valgrind", "--error-exitcode=1", "--leak-check=full",
            "--show-leak-kinds=definite,possible", "--errors-for-leak-kinds=definite,possible",
            f"--suppressions={supp}", "--num-callers=40", "--gen-suppressions=all",
            "--keep-debuginfo=yes"]  # the plugin is dlclose()d before the leak check
failed, total_t = [], time.time()
for cap in files:
    n = streams.get(os.path.basename(cap), 0)
    args = ["-r", os.path.join(caps, cap), "-q",
            "-z", f"tcpfollowts,stream,{n},fmt=json",
            "-z", f"tcpfollowts,stream,{n},fmt=text,overlap=last",
            "-z", f"tcpfollowts,stream,{n},fmt=html",
            "-z", "tcpfollowts,all,fmt=csv"]
    t0 = time.time()
    rc, out, err = tft.tshark(args, binary=True, wrapper=valgrind, timeout=3600)
    log = os.path.join(logdir, os.path.basename(cap) + ".log")
    with open(log, "w") as f:
        f.write(" ".join(valgrind + ["tshark"] + args) + "\n" + err)
    m = re.search(r"ERROR SUMMARY: (\d+) errors from \d+ contexts \(suppressed: (\d+) from (\d+)\)", err)
    lost = re.search(r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks", err)
    errors = int(m.group(1)) if m else -1
    supp_n = int(m.group(2)) if m else 0
    # tshark's own exit status (2: the capture is cut short) is not ours; with
    # --error-exitcode=1 a memcheck error also makes it 1, so ERROR SUMMARY decides.
    # the three reports must be there: the plugin ran
    ok = errors == 0 and out.count(b"tcpfollowts") >= 1 and len(out) > 0
    state = "ok" if ok else ("NO SUMMARY (crash?)" if errors < 0 else f"{errors} ERRORS")
    if errors == 0 and not ok:
        state = "NO REPORT on stdout"
    print(f"   {cap} (stream {n}): {state}; rc {rc}; reports {len(out)} bytes; suppressed {supp_n}; "
          f"definitely lost {lost.group(1) if lost else '0'} bytes; "
          f"{time.time() - t0:.0f} s")
    if not ok:
        failed.append(cap)
        for line in err.splitlines():
            if re.match(r"==\d+== (Invalid|Conditional|Use of|Syscall|Mismatched|\d[\d,]* .*bytes in)", line):
                print("      " + line)
print(f"valgrind.sh: {len(files)} captures in {time.time() - total_t:.0f} s, "
      f"{len(failed)} with memcheck errors{': ' + ', '.join(failed) if failed else ''}; logs in {logdir}")
sys.exit(1 if failed else 0)
PYEOF

echo "== corrupted captures under memcheck (${TFT_CORRUPT_VARIANTS:-1} variants each)"
TFT_BUILD_DIR="$BUILD" TFT_PLUGIN_DIR="${TFT_PLUGIN_DIR:-$BUILD/plugins}" \
python3 "$ROOT/tests/fuzz/corrupt_captures.py" --valgrind --quick --variants "${TFT_CORRUPT_VARIANTS:-1}" \
    --keep "$LOGDIR/corrupt-failures" "$@" || status=1
exit "$status"
