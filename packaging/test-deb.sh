#!/bin/bash
# packaging/test-deb.sh — build the .deb, install it with apt, check that
# Wireshark loads it from the system plugin dir, then remove it.
#
#   packaging/test-deb.sh [CAPTURE]
#
# 1. packaging/build-deb.sh --install-deps into $TFT_DEB_OUT (default: a temp dir)
# 2. apt-get install -y ./wireshark-plugin-tcpfollowts_<ver>_<arch>.deb
# 3. packaging/smoke.sh as nobody with a fresh HOME (no personal plugin dir):
#    `tshark -G plugins` lists tcpfollowts from
#    /usr/lib/<triplet>/wireshark/plugins/<maj.min>/epan/, and
#    `tshark -r CAPTURE -q -z tcpfollowts,stream,0` prints a report, stderr empty
# 4. apt-get remove -y wireshark-plugin-tcpfollowts (also on failure) and check
#    the plugin file is gone. A tcpfollowts.so that was in the system dir
#    before (not from the package, e.g. quickstart.sh as root) is set aside
#    during the test and put back afterwards.
# Runs as root (CI). Exits non-zero on any failure.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || tft_die "run as root (apt-get install)"
cap="$(tft_find_capture "${1:-}")"
t0=$SECONDS

tft_apt_install dpkg-dev debhelper lintian tshark util-linux
out="${TFT_DEB_OUT:-}"
if [ -z "$out" ]; then
    out="$(mktemp -d /tmp/tft-test-deb-XXXXXX)"
    trap 'rm -rf "$out"' EXIT
fi

deb="$(bash "$here/build-deb.sh" --install-deps "$out" | tail -n1)"
[ -f "$deb" ] || tft_die "build-deb.sh produced no .deb"
tft_log "built $deb ($((SECONDS - t0)) s)"

triplet="$(dpkg-architecture -qDEB_HOST_MULTIARCH)"
majmin="$(tshark --version 2>/dev/null | head -n1 | sed -n 's/.*(Wireshark) \([0-9]*\.[0-9]*\)\..*/\1/p')"
sysdir="/usr/lib/$triplet/wireshark/plugins/$majmin/epan"
so="$sysdir/tcpfollowts.so"

remove_pkg() {
    if dpkg-query -W -f='${Status}\n' wireshark-plugin-tcpfollowts 2>/dev/null | grep -q 'ok installed'; then
        DEBIAN_FRONTEND=noninteractive apt-get remove -y wireshark-plugin-tcpfollowts >/dev/null
    fi
}
# A leftover from an earlier run would hide what this build installs.
remove_pkg
# A plugin installed by hand (e.g. quickstart.sh as root: `cmake --install`
# into the system dir) sits at the same path: set it aside, put it back after.
stash=""
if [ -e "$so" ]; then
    stash="$out/tcpfollowts.so.stashed"
    tft_log "setting aside $so (not from a package) during the test"
    mv "$so" "$stash"
fi
restore() {
    remove_pkg || true
    if [ -n "$stash" ] && [ -e "$stash" ]; then
        mkdir -p "$sysdir" && mv "$stash" "$so" && tft_log "restored $so"
    fi
    if [ -z "${TFT_DEB_OUT:-}" ]; then rm -rf "$out"; fi
}
trap restore EXIT

fail=0
tft_log "apt-get install -y ./$(basename "$deb")"
(cd "$(dirname "$deb")" && DEBIAN_FRONTEND=noninteractive apt-get install -y "./$(basename "$deb")") >"$out/apt-install.log" 2>&1 \
    || { cat "$out/apt-install.log" >&2; tft_die "apt-get install failed"; }
dpkg -L wireshark-plugin-tcpfollowts | grep -qxF "$so" \
    || { dpkg -L wireshark-plugin-tcpfollowts >&2; tft_log "FAIL: package does not ship $so"; fail=1; }

bash "$here/smoke.sh" "$cap" "$so" || fail=1

tft_log "apt-get remove -y wireshark-plugin-tcpfollowts"
DEBIAN_FRONTEND=noninteractive apt-get remove -y wireshark-plugin-tcpfollowts >"$out/apt-remove.log" 2>&1 \
    || { cat "$out/apt-remove.log" >&2; fail=1; }
if [ -e "$so" ]; then tft_log "FAIL: $so left after remove"; fail=1; fi

if [ $fail -ne 0 ]; then
    tft_log "test-deb: FAIL ($((SECONDS - t0)) s)"
    exit 1
fi
tft_log "test-deb: PASS (Wireshark $majmin, $((SECONDS - t0)) s)"
