# packaging/lib.sh — helpers shared by the packaging scripts (sourced, not run).
# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later

# The source tree: the directory above packaging/.
TFT_SRC="${TFT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

tft_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
tft_die() { tft_log "ERROR: $*"; exit 1; }

# tft_copy_source DEST: copy the source tree (no .git, no build dirs, no packaging
# outputs) into DEST, which must not exist yet or be empty.
# With TFT_FROM_GIT=REV (e.g. HEAD), copy the committed tree of REV instead of
# the work tree (useful while others edit the work tree), with the work tree's
# packaging/ on top of it.
tft_copy_source() {
    local dest="$1"
    mkdir -p "$dest"
    if [ -n "${TFT_FROM_GIT:-}" ]; then
        git -C "$TFT_SRC" archive --format=tar "$TFT_FROM_GIT" | tar -C "$dest" -xf -
        rm -rf "$dest/packaging"
        tar -C "$TFT_SRC" -cf - packaging | tar -C "$dest" -xf -
        return
    fi
    tar -C "$TFT_SRC" \
        --exclude=./.git --exclude='./build' --exclude='./build-*' --exclude='./build_*' \
        --exclude='./_build*' --exclude='*.o' --exclude='__pycache__' \
        -cf - . | tar -C "$dest" -xf -
}

# tft_find_capture [PATH]: print the capture to use for smoke reports.
# An explicit path wins; otherwise a small capture bundled in tests/captures,
# then the shared corpus (beside the clone in CI, or /work/shared).
tft_find_capture() {
    local c
    if [ -n "${1:-}" ]; then
        [ -r "$1" ] || tft_die "capture not readable: $1"
        printf '%s\n' "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
        return
    fi
    for c in \
        "$TFT_SRC/tests/captures/ppp_one_stream_control.pcap" \
        "$TFT_SRC/tests/captures/sv_overlap_conflicting_data_vlan.pcap" \
        "$TFT_SRC/../shared/captures/sv_overlap_conflicting_data_vlan.pcap" \
        /work/shared/captures/sv_overlap_conflicting_data_vlan.pcap; do
        if [ -r "$c" ]; then printf '%s\n' "$c"; return; fi
    done
    tft_die "no capture found: pass one as an argument"
}

# Upstream version from the top-level CMakeLists.txt: project(tcpfollowts VERSION x.y.z ...)
tft_version() {
    sed -n 's/^project(tcpfollowts VERSION \([0-9.]*\).*/\1/p' "$TFT_SRC/CMakeLists.txt" | head -n1
}

# tft_as_nobody CMD...: run CMD as an unprivileged user with a fresh HOME and
# config dir (Wireshark ignores personal plugins as root; the fresh HOME has no
# personal plugin dir). Sets nothing but PATH, HOME, LC_ALL, TZ.
tft_as_nobody() {
    local home
    home="$(mktemp -d /tmp/tft-nobody-XXXXXX)"
    chmod 0777 "$home"
    local rc=0
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups \
            env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" LC_ALL=C.UTF-8 TZ=UTC "$@" || rc=$?
    else
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" LC_ALL=C.UTF-8 TZ=UTC "$@" || rc=$?
    fi
    rm -rf "$home"
    return $rc
}

# tft_apt_install PKG...: install missing Debian packages (root); runs
# apt-get update once and retries when the first attempt fails.
tft_apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    tft_log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
        apt-get update >/dev/null 2>&1 || true
        apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
    }
}
