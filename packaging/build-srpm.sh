#!/bin/bash
# packaging/build-srpm.sh — make the source RPM for Fedora.
#
#   packaging/build-srpm.sh [--bb-here] [OUTDIR]
#
# Packs the source tree as tcpfollowts-<ver>.tar.gz, checks that
# packaging/rpm/tcpfollowts.spec parses (rpmspec -P) and runs `rpmbuild -bs`
# in a private _topdir; the .src.rpm goes to OUTDIR (default build/rpm).
# On Fedora: `sudo dnf builddep X.src.rpm && rpmbuild --rebuild X.src.rpm`.
#   --bb-here  also try `rpmbuild -bb --nodeps` on this (non-Fedora) host with
#              stand-ins for Fedora's %cmake macros, against the local
#              Wireshark: checks %build/%install/%check/%files, not Fedora.
# Needs rpm (Debian: apt-get install rpm; done here when run as root).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bb_here=0
out=""
for a in "$@"; do
    case "$a" in
        --bb-here) bb_here=1 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        -*) tft_die "unknown option $a" ;;
        *) out="$a" ;;
    esac
done
out="${out:-$TFT_SRC/build/rpm}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if ! command -v rpmbuild >/dev/null; then
    [ "$(id -u)" = 0 ] || tft_die "rpmbuild missing (Debian: apt-get install rpm)"
    tft_apt_install rpm
fi

ver="$(tft_version)"
[ -n "$ver" ] || tft_die "cannot read the version from CMakeLists.txt"
top="$(mktemp -d /tmp/tft-rpm-XXXXXX)"
if [ "${TFT_KEEP_TMP:-0}" != 1 ]; then trap 'rm -rf "$top"' EXIT; fi
mkdir -p "$top"/{SOURCES,SPECS,SRPMS,RPMS,BUILD,BUILDROOT}

spec="$top/SPECS/tcpfollowts.spec"
cp "$TFT_SRC/packaging/rpm/tcpfollowts.spec" "$spec"
specver="$(sed -n 's/^Version: *//p' "$spec")"
if [ "$specver" != "$ver" ]; then
    tft_log "spec says $specver, CMakeLists.txt $ver: using $ver in the build copy"
    sed -i "s/^Version:.*/Version:        $ver/" "$spec"
fi
for f in LICENSE README.md; do
    [ -f "$TFT_SRC/$f" ] || tft_log "warning: $f missing at the source root: the binary build's %files will fail"
done

tft_copy_source "$top/tcpfollowts-$ver"
tar -C "$top" --owner=0 --group=0 -czf "$top/SOURCES/tcpfollowts-$ver.tar.gz" "tcpfollowts-$ver"
rm -rf "${top:?}/tcpfollowts-$ver"

tft_log "rpmspec -P (parse check)"
rpmspec -P "$spec" >"$top/spec.parsed"
grep -E '^(Name|Version|Release|Requires|BuildRequires):' "$top/spec.parsed" >&2

tft_log "rpmbuild -bs"
rpmbuild --define "_topdir $top" -bs "$spec" >&2
srpm="$(ls "$top"/SRPMS/tcpfollowts-"$ver"-*.src.rpm)"
rpm -qpl "$srpm" >&2
cp "$srpm" "$out/"

if [ $bb_here = 1 ]; then
    tft_log "rpmbuild -bb --nodeps on this host (Fedora macro stand-ins)"
    rpmbuild --define "_topdir $top" --nodeps \
        --define '__cmake_builddir redhat-linux-build' \
        --define 'cmake cmake -S . -B redhat-linux-build -DCMAKE_INSTALL_PREFIX:PATH=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo' \
        --define 'cmake_build cmake --build redhat-linux-build -j2' \
        --define 'cmake_install DESTDIR=%{buildroot} cmake --install redhat-linux-build' \
        --define 'debug_package %{nil}' \
        -bb "$spec" >"$top/bb.log" 2>&1 || { tail -n 40 "$top/bb.log" >&2; tft_die "rpmbuild -bb failed"; }
    for r in "$top"/RPMS/*/*.rpm; do
        rpm -qp --requires "$r" | sed 's/^/    requires: /' >&2
        rpm -qpl "$r" | sed 's/^/    file: /' >&2
        cp "$r" "$out/"
    done
fi
echo "$out/$(basename "$srpm")"
