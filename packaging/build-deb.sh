#!/bin/bash
# packaging/build-deb.sh — build the Debian package wireshark-plugin-tcpfollowts.
#
#   packaging/build-deb.sh [--install-deps] [--no-lintian] [OUTDIR]
#
# dpkg-buildpackage wants debian/ at the source root, but the repository keeps
# it in packaging/debian: copy the tree into a temp dir with debian/ at its
# root, run `dpkg-buildpackage -us -uc -b` there, and put
# wireshark-plugin-tcpfollowts_<ver>_<arch>.deb (and its -dbgsym) into OUTDIR
# (default build/deb). The package is built for the Wireshark whose -dev
# packages are installed and depends on that major.minor series only.
#   --install-deps  apt-get install missing build dependencies (root)
#   --no-lintian    skip lintian (run by default when installed; its output
#                   goes to OUTDIR/lintian.txt, and errors fail the build)
# Env: TFT_KEEP_TMP=1 keeps the temp dir.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
. "$(dirname "$0")/lib.sh"

install_deps=0
run_lintian=1
out=""
for a in "$@"; do
    case "$a" in
        --install-deps) install_deps=1 ;;
        --no-lintian) run_lintian=0 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        -*) tft_die "unknown option $a" ;;
        *) out="$a" ;;
    esac
done
out="${out:-$TFT_SRC/build/deb}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

command -v dpkg-buildpackage >/dev/null || tft_die "dpkg-buildpackage missing (apt-get install dpkg-dev debhelper)"
ver="$(tft_version)"
[ -n "$ver" ] || tft_die "cannot read the version from CMakeLists.txt"

tmp="$(mktemp -d /tmp/tft-deb-XXXXXX)"
if [ "${TFT_KEEP_TMP:-0}" != 1 ]; then trap 'rm -rf "$tmp"' EXIT; fi
srcdir="$tmp/tcpfollowts-$ver"
tft_copy_source "$srcdir"
rm -rf "$srcdir/debian"
cp -a "$TFT_SRC/packaging/debian" "$srcdir/debian"

# Keep the package version in step with the CMake project version: when they
# differ, add a changelog entry in the copy (the repository's file is untouched).
debver="$(cd "$srcdir" && dpkg-parsechangelog -SVersion)"
if [ "$debver" != "$ver" ]; then
    tft_log "debian/changelog says $debver, CMakeLists.txt $ver: adding an entry for $ver in the build copy"
    maint="$(sed -n 's/^Maintainer: //p' "$srcdir/debian/control")"
    { printf 'tcpfollowts (%s) unstable; urgency=medium\n\n  * Upstream version %s.\n\n -- %s  %s\n\n' \
        "$ver" "$ver" "$maint" "$(date -R)"; cat "$srcdir/debian/changelog"; } >"$srcdir/debian/changelog.new"
    mv "$srcdir/debian/changelog.new" "$srcdir/debian/changelog"
fi

cd "$srcdir"
if ! missing="$(dpkg-checkbuilddeps 2>&1)"; then
    if [ $install_deps = 1 ]; then
        # "dpkg-checkbuilddeps: error: Unmet build dependencies: a (>= 1) b | c"
        pkgs="$(printf '%s\n' "$missing" | sed -n 's/.*Unmet build dependencies: //p' \
            | sed -e 's/([^)]*)//g' -e 's/ *| *[^ ]*//g')"
        tft_log "installing build dependencies: $pkgs"
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs
    else
        printf '%s\n' "$missing" >&2
        tft_die "missing build dependencies (rerun with --install-deps, as root)"
    fi
fi

tft_log "dpkg-buildpackage -us -uc -b in $srcdir"
log="$tmp/dpkg-buildpackage.log"
if ! dpkg-buildpackage -us -uc -b >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    tft_die "dpkg-buildpackage failed (full log: $log; set TFT_KEEP_TMP=1 to keep it)"
fi
grep -E '^tcpfollowts: built for|dpkg-deb: building' "$log" >&2 || true

arch="$(dpkg-architecture -qDEB_HOST_ARCH)"
debver="$(dpkg-parsechangelog -SVersion)"
deb="wireshark-plugin-tcpfollowts_${debver}_${arch}.deb"
[ -f "$tmp/$deb" ] || tft_die "$deb was not built"
rm -f "$out"/wireshark-plugin-tcpfollowts_*.deb "$out"/wireshark-plugin-tcpfollowts-dbgsym_*.deb
cp "$tmp"/wireshark-plugin-tcpfollowts*_"${debver}"_"${arch}".*deb "$out/"
cp "$tmp"/tcpfollowts_"${debver}"_"${arch}".buildinfo "$tmp"/tcpfollowts_"${debver}"_"${arch}".changes "$out/" 2>/dev/null || true

if [ $run_lintian = 1 ] && command -v lintian >/dev/null; then
    tft_log "lintian"
    lrc=0
    lintian --info --display-info --pedantic --show-overrides "$tmp/$deb" >"$out/lintian.txt" 2>&1 || lrc=$?
    sed 's/^/    /' "$out/lintian.txt" >&2
    if grep -q '^E: ' "$out/lintian.txt"; then
        tft_die "lintian reported errors"
    fi
    [ $lrc -eq 0 ] || tft_log "lintian exited $lrc (warnings only; see docs/packaging.md)"
fi

tft_log "Depends: $(dpkg-deb -f "$out/$deb" Depends)"
dpkg-deb -c "$out/$deb" | grep -F tcpfollowts.so >&2
echo "$out/$deb"
