#!/bin/bash
# packaging/test-chroots.sh — build and test tcpfollowts against newer Wireshark
# releases in Debian chroots: trixie (Wireshark 4.4) and sid (4.6).
#
#   packaging/test-chroots.sh [CAPTURE]
#
# Environment:
#   TFT_CHROOT_CACHE   where chroots are kept between runs
#                      (default /var/cache/tcpfollowts-chroots); empty or
#                      missing is fine: they are made with debootstrap.
#   TFT_CHROOT_SUITES  suites to test (default "trixie sid")
#   TFT_MIRROR         Debian mirror (default http://deb.debian.org/debian)
#   TFT_CHROOT_REFRESH=1  apt-get update + dist-upgrade cached chroots first
#   TFT_CHROOT_CTEST=0    do not run the project's ctest suite in the chroots;
#                    =report  run it, show failures in the summary, but do not
#                             fail the suite for them (default 1: they fail it)
#   TFT_CHROOT_DEB=1      also build the .deb there with build-deb.sh, and
#                         install and smoke-test it (needs debhelper, more time)
#   TFT_CHROOT_GUI=1      also install Wireshark's Qt GUI and the X tools there and
#                         run the GUI test (default: ctest -LE 'gui|browser|realtcp'; the
#                         browser and real-TCP tests run on the host only)
#   TFT_CHROOT_CTEST_ARGS  ctest's test selection instead of the default one
#                         below, e.g. "-R 'cli|fields'"
#   TFT_UPDATE_GOLDEN=1   the tests rewrite their goldens there (a version's own,
#                         e.g. tests/golden/*.ws4.4.*), copied back into this tree
#   TFT_LOG_DIR        per-suite logs (default /tmp/tft-chroot-logs)
#
# Per suite: debootstrap (if not cached), apt-get install the build deps, copy
# the source in, cmake (system plugin dir) + build, ctest when the suite has
# tests, install, then packaging/smoke.sh as nobody: `tshark -G plugins` lists
# tcpfollowts and a report on a bundled capture has clean stderr.
# Needs root (debootstrap, chroot, mount). Exits non-zero if any suite fails.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || tft_die "run as root (debootstrap, chroot)"
CACHE="${TFT_CHROOT_CACHE:-/var/cache/tcpfollowts-chroots}"
SUITES="${TFT_CHROOT_SUITES:-trixie sid}"
MIRROR="${TFT_MIRROR:-http://deb.debian.org/debian}"
LOGDIR="${TFT_LOG_DIR:-/tmp/tft-chroot-logs}"
if [ "${1:-}" = --one-suite ]; then CAP="$3"; else CAP="$(tft_find_capture "${1:-}")"; fi
PKGS="wireshark-dev tshark cmake make gcc libc6-dev pkg-config libglib2.0-dev python3 python3-yaml ca-certificates libxml2-utils"
if [ "${TFT_CHROOT_DEB:-0}" = 1 ]; then
    PKGS="$PKGS build-essential debhelper dpkg-dev fakeroot"
fi
# "wireshark" is the Qt GUI in every suite (sid has no wireshark-qt any more).
if [ "${TFT_CHROOT_GUI:-0}" = 1 ]; then
    PKGS="$PKGS wireshark xvfb xdotool xclip imagemagick"
fi

export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null; then
    tft_log "installing debootstrap"
    apt-get install -y --no-install-recommends debootstrap >/dev/null \
        || { apt-get update >/dev/null && apt-get install -y --no-install-recommends debootstrap >/dev/null; }
fi
mkdir -p "$CACHE" "$LOGDIR"

MOUNTED=()
cleanup_mounts() {
    local i
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount -l "${MOUNTED[$i]}" 2>/dev/null || true
    done
    MOUNTED=()
}
trap cleanup_mounts EXIT

mount_chroot() {
    local root="$1" m
    for m in proc dev/pts dev/shm; do
        mkdir -p "$root/$m"
        if ! mountpoint -q "$root/$m"; then
            case "$m" in
                proc) mount -t proc proc "$root/proc" ;;
                dev/pts) mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" ;;
                dev/shm) mount -t tmpfs -o mode=1777,size=256m tmpfs "$root/dev/shm" ;;
            esac
            MOUNTED+=("$root/$m")
        fi
    done
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

# Refuse to delete a tree that still has something mounted inside it.
safe_rm_tree() {
    local root="$1"
    if grep -qF " $root/" /proc/mounts; then
        tft_die "$root still has mounts; not deleting it"
    fi
    rm -rf --one-file-system "$root"
}

in_chroot() { # in_chroot ROOT CMD...
    local root="$1"; shift
    chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
        TZ=UTC DEBIAN_FRONTEND=noninteractive "$@"
}

prepare_chroot() { # prepare_chroot SUITE -> ready chroot at $CACHE/SUITE
    local suite="$1" root="$CACHE/$1" stamp="$CACHE/$1/.tft-ready"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PKGS" ]; then
        tft_log "$suite: using cached chroot $root"
        mount_chroot "$root"
        if [ "${TFT_CHROOT_REFRESH:-0}" = 1 ]; then
            tft_log "$suite: refreshing"
            in_chroot "$root" apt-get update
            in_chroot "$root" apt-get -y dist-upgrade
        fi
        return
    fi
    if [ -f "$root/.tft-debootstrapped" ]; then
        tft_log "$suite: debootstrapped chroot found, (re)installing packages"
    else
        [ -e "$root" ] && { tft_log "$suite: removing incomplete chroot"; safe_rm_tree "$root"; }
        tft_log "$suite: debootstrap --variant=minbase $suite from $MIRROR"
        debootstrap --variant=minbase "$suite" "$root" "$MIRROR"
        touch "$root/.tft-debootstrapped"
    fi
    # No daemons from maintainer scripts in the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
    # Don't pull documentation into the chroot.
    printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
        >"$root/etc/dpkg/dpkg.cfg.d/01-tft-nodoc"
    # sid's Release file is valid for a week only; a mirror that lags (or a
    # clock ahead of it) would make apt refuse it. The signature is still checked.
    printf 'Acquire::Check-Valid-Until "false";\n' >"$root/etc/apt/apt.conf.d/99-tft-no-valid-until"
    mount_chroot "$root"
    tft_log "$suite: apt-get install $PKGS"
    in_chroot "$root" apt-get update
    # shellcheck disable=SC2086
    in_chroot "$root" apt-get install -y --no-install-recommends $PKGS
    in_chroot "$root" apt-get clean
    printf '%s' "$PKGS" >"$stamp"
}

test_suite() { # test_suite SUITE (output goes to the suite's log)
    local suite="$1" root="$CACHE/$1"
    local t0=$SECONDS
    prepare_chroot "$suite"
    local t1=$SECONDS
    local wsver
    wsver="$(in_chroot "$root" tshark --version | head -n1)"
    tft_log "$suite: $wsver (chroot ready in $((t1 - t0)) s)"

    # Fresh copy of the source and the capture.
    local src=/tmp/tft-src bld=/tmp/tft-build
    for d in "$root$src" "$root$bld"; do [ -e "$d" ] && rm -rf --one-file-system "$d"; done
    tft_copy_source "$root$src"
    mkdir -p "$root$src/.tft"
    cp "$CAP" "$root$src/.tft/capture.pcap"
    chmod -R a+rX "$root$src"
    # Remove a plugin installed by an earlier run, so the one tested is this build's.
    find "$root/usr/lib" -path '*/wireshark/plugins/*/epan/tcpfollowts.so' -delete 2>/dev/null || true

    local testing=OFF
    if [ "${TFT_CHROOT_CTEST:-1}" != 0 ] && [ -f "$root$src/tests/CMakeLists.txt" ]; then
        testing=ON
    fi
    tft_log "$suite: configure + build (BUILD_TESTING=$testing)"
    in_chroot "$root" cmake -S "$src" -B "$bld" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DTCPFOLLOWTS_INSTALL=system -DBUILD_TESTING=$testing
    in_chroot "$root" cmake --build "$bld" -j2
    chmod -R a+rX "$root$bld"

    if [ $testing = ON ]; then
        local ntests
        ntests="$(in_chroot "$root" sh -c "cd $bld && ctest -N" | sed -n 's/^Total Tests: *//p')"
        if [ "${ntests:-0}" -gt 0 ]; then
            tft_log "$suite: ctest ($ntests tests)"
            # The GUI test needs the Qt GUI and X tools: only with TFT_CHROOT_GUI=1.
            # The browser test (chromium) and the real-TCP test (network namespaces of
            # the host's kernel, the same in every chroot) run on the host only.
            local only="-LE 'browser|realtcp'"
            [ "${TFT_CHROOT_GUI:-0}" = 1 ] || only="-LE 'gui|browser|realtcp'"
            only="${TFT_CHROOT_CTEST_ARGS:-$only}"
            local golden=""
            [ "${TFT_UPDATE_GOLDEN:-0}" = 1 ] && golden="env TFT_UPDATE_GOLDEN=1"
            if in_chroot "$root" sh -c "cd $bld && $golden ctest --output-on-failure -j2 $only"; then
                tft_log "$suite: ctest passed"
                if [ -n "$golden" ]; then # only the goldens of a Wireshark release of their own
                    cp -v "$root$src"/tests/golden/*.ws[0-9]* "$TFT_SRC/tests/golden/" >&2 || true
                fi
            elif [ "${TFT_CHROOT_CTEST:-1}" = report ]; then
                tft_log "$suite: ctest FAILED (reported only: TFT_CHROOT_CTEST=report)"
                echo "$suite" >>"$LOGDIR/ctest-failed"
            else
                tft_log "$suite: ctest FAILED"
                return 1
            fi
        else
            tft_log "$suite: the ctest suite has no tests yet; skipped"
        fi
    fi

    tft_log "$suite: install into the system plugin dir"
    in_chroot "$root" cmake --install "$bld"
    local plugdir
    plugdir="$(in_chroot "$root" pkg-config --variable=plugindir wireshark)"
    tft_log "$suite: smoke test (system dir $plugdir)"
    in_chroot "$root" bash "$src/packaging/smoke.sh" "$src/.tft/capture.pcap" "$plugdir/epan/tcpfollowts.so"
    in_chroot "$root" find /usr/lib -path '*/wireshark/plugins/*/epan/tcpfollowts.so' -delete

    if [ "${TFT_CHROOT_DEB:-0}" = 1 ]; then
        tft_log "$suite: build-deb.sh"
        in_chroot "$root" bash "$src/packaging/build-deb.sh" --install-deps /tmp/tft-deb
        local deb
        deb="$(ls "$root"/tmp/tft-deb/wireshark-plugin-tcpfollowts_*.deb | head -n1)"
        in_chroot "$root" dpkg-deb -f "/tmp/tft-deb/$(basename "$deb")" Depends
        in_chroot "$root" apt-get install -y "/tmp/tft-deb/$(basename "$deb")"
        in_chroot "$root" bash "$src/packaging/smoke.sh" "$src/.tft/capture.pcap" "$plugdir/epan/tcpfollowts.so"
        in_chroot "$root" apt-get remove -y wireshark-plugin-tcpfollowts
    fi
    tft_log "$suite: PASS ($wsver; $((SECONDS - t0)) s)"
}

# One suite per process: `set -e` stays in force inside it (it would not in a
# subshell whose status is tested).
if [ "${1:-}" = --one-suite ]; then
    test_suite "$2"
    exit 0
fi

declare -A RESULT DURATION
overall=0
rm -f "$LOGDIR/ctest-failed"
for suite in $SUITES; do
    log="$LOGDIR/$suite.log"
    tft_log "== $suite (log: $log)"
    t0=$SECONDS
    rc=0
    bash "$0" --one-suite "$suite" "$CAP" >"$log" 2>&1 || rc=$?
    DURATION[$suite]=$((SECONDS - t0))
    if [ $rc -eq 0 ]; then
        RESULT[$suite]=PASS
    else
        RESULT[$suite]=FAIL
        overall=1
        tft_log "$suite: FAILED (rc=$rc); last lines of $log:"
        tail -n 40 "$log" >&2
    fi
    grep -E 'plugin: |report on |smoke: |ctest|: PASS|TShark' "$log" >&2 || true
done

echo "== test-chroots summary"
for suite in $SUITES; do
    ver="$(grep -o 'TShark (Wireshark) [0-9]*\.[0-9]*\.[0-9]*' "$LOGDIR/$suite.log" | head -n1 || true)"
    note=""
    if grep -qx "$suite" "$LOGDIR/ctest-failed" 2>/dev/null; then note="; ctest FAILED (reported only)"; fi
    echo "$suite: ${RESULT[$suite]} (${ver:-version unknown}, ${DURATION[$suite]} s$note)"
done
exit $overall
