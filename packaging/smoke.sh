#!/bin/bash
# packaging/smoke.sh — check an installed tcpfollowts (system plugin dir) works.
#
#   packaging/smoke.sh [CAPTURE] [EXPECTED_SO_PATH_PREFIX]
#
# As an unprivileged user with a fresh HOME (so no personal plugin dir and no
# WIRESHARK_PLUGIN_DIR):
#   1. `tshark -G plugins` exits 0, has clean stderr and lists tcpfollowts
#      (loaded from under EXPECTED_SO_PATH_PREFIX when given);
#   2. `tshark -r CAPTURE -q -z tcpfollowts,stream,0` exits 0, has clean stderr
#      and prints a non-empty report.
# Exits non-zero on any failure. Used by test-deb.sh on the host and by
# test-chroots.sh inside each chroot.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cap="$(tft_find_capture "${1:-}")"
want_prefix="${2:-}"
command -v tshark >/dev/null || tft_die "tshark not installed"
command -v setpriv >/dev/null || tft_die "setpriv (util-linux) not installed"

work="$(mktemp -d /tmp/tft-smoke-XXXXXX)"
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
# The capture must be readable by nobody.
cp "$cap" "$work/cap" && chmod 0644 "$work/cap"

fail=0
tft_log "$(tshark --version 2>/dev/null | head -n1)"

rc=0
tft_as_nobody tshark -G plugins >"$work/plugins.out" 2>"$work/plugins.err" || rc=$?
line="$(grep -E '^tcpfollowts\.so' "$work/plugins.out" || true)"
if [ $rc -ne 0 ] || [ -s "$work/plugins.err" ] || [ -z "$line" ]; then
    tft_log "FAIL: tshark -G plugins (rc=$rc) does not list tcpfollowts cleanly"
    grep -i tcpfollowts "$work/plugins.out" >&2 || true
    cat "$work/plugins.err" >&2
    fail=1
else
    tft_log "plugin: $line"
    if [ -n "$want_prefix" ] && ! printf '%s\n' "$line" | grep -qF "$want_prefix"; then
        tft_log "FAIL: plugin not loaded from under $want_prefix"
        fail=1
    fi
fi

rc=0
tft_as_nobody tshark -r "$work/cap" -q -z tcpfollowts,stream,0 >"$work/report.out" 2>"$work/report.err" || rc=$?
if [ $rc -ne 0 ] || [ -s "$work/report.err" ] || [ ! -s "$work/report.out" ]; then
    tft_log "FAIL: report on $(basename "$cap") (rc=$rc, $(wc -c <"$work/report.out") bytes out)"
    head -n 20 "$work/report.out" >&2
    echo "--- stderr:" >&2
    cat "$work/report.err" >&2
    fail=1
else
    tft_log "report on $(basename "$cap"): $(wc -l <"$work/report.out") lines, stderr empty; first lines:"
    head -n 8 "$work/report.out" | sed 's/^/    /' >&2
fi

if [ $fail -ne 0 ]; then
    tft_log "smoke: FAIL"
    exit 1
fi
tft_log "smoke: PASS"
