#!/bin/bash
# packaging/compile-4.2.sh — compile the plugin against Wireshark 4.2 headers,
# without installing them: no 4.2 Debian release runs here, so this is a
# compile-only check (the 4.0 host, the 4.4 and 4.6 chroots run the plugin).
#
#   packaging/compile-4.2.sh
#
# With a private apt state (its own sources.list, etc dir, lists, cache and an
# empty dpkg status; APT_CONFIG points at a private apt.conf so the system's
# apt.conf.d is not read either; nothing of the system's apt is touched):
#   apt-get download wireshark-dev libwireshark-dev libwiretap-dev libwsutil-dev
#   dpkg-deb -x each into a temp root
#   gcc -c plugin/engine/*.c plugin/report/*.c plugin/ws/*.c with
#       -I<root>/usr/include/wireshark (objects only; no link)
# Environment:
#   TFT_WS_SERIES       Wireshark series to check (default 4.2)
#   TFT_APT_SOURCE      one sources.list line (default: Debian bookworm-backports)
#   TFT_APT_SOURCE_DEFAULTS=1  if TFT_APT_SOURCE is unset, also try Debian
#                       trixie (4.4) and sid (4.6): useful with TFT_WS_SERIES=4.4/4.6
#   TFT_WERROR=0        do not turn warnings into errors
#   TFT_MISSING_OK=1    exit 77 ("skipped") instead of 1 when the configured
#                       archive no longer has that series (Debian dropped
#                       4.2 from bookworm-backports; see docs/packaging.md)
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series="${TFT_WS_SERIES:-4.2}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
sources=()
if [ -n "${TFT_APT_SOURCE:-}" ]; then
    sources=("$TFT_APT_SOURCE")
else
    sources=("deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main")
    if [ "${TFT_APT_SOURCE_DEFAULTS:-0}" = 1 ]; then
        sources+=("deb [signed-by=$keyring] http://deb.debian.org/debian trixie main"
                  "deb [signed-by=$keyring] http://deb.debian.org/debian sid main")
    fi
fi
pkgs="wireshark-dev libwireshark-dev libwiretap-dev libwsutil-dev"
for t in apt-get dpkg-deb gcc pkg-config; do command -v $t >/dev/null || tft_die "$t missing"; done
pkg-config --exists glib-2.0 || tft_die "libglib2.0-dev missing"

t0=$SECONDS
tmp="$(mktemp -d /tmp/tft-ws${series}-XXXXXX)"
if [ "${TFT_KEEP_TMP:-0}" != 1 ]; then trap 'rm -rf "$tmp"' EXIT; fi
A="$tmp/apt"
mkdir -p "$A/etc/apt.conf.d" "$A/etc/sources.list.d" "$A/etc/preferences.d" "$A/etc/trusted.gpg.d" \
    "$A/state/lists/partial" "$A/cache/archives/partial" "$tmp/debs" "$tmp/root" "$tmp/obj"
: >"$A/state/status"
printf '%s\n' "${sources[@]}" >"$A/etc/sources.list"
# Read first (APT_CONFIG): keeps the system's /etc/apt/apt.conf.d out.
cat >"$A/apt.conf" <<EOF
Dir::Etc::parts "$A/etc/apt.conf.d";
Dir::Etc::main "$A/etc/apt.conf.main";
EOF
APTOPTS=(-o "Dir::Etc=$A/etc" -o "Dir::Etc::sourcelist=$A/etc/sources.list"
    -o "Dir::Etc::sourceparts=$A/etc/sources.list.d" -o "Dir::Etc::preferencesparts=$A/etc/preferences.d"
    -o "Dir::Etc::trustedparts=$A/etc/trusted.gpg.d"
    -o "Dir::State=$A/state" -o "Dir::State::status=$A/state/status" -o "Dir::Cache=$A/cache"
    -o "Debug::NoLocking=1" -o "Acquire::Check-Valid-Until=false" -o "APT::Get::AllowUnauthenticated=false")
papt() { APT_CONFIG="$A/apt.conf" "$@" "${APTOPTS[@]}"; }

tft_log "private apt: ${sources[*]}"
papt apt-get -q update >"$tmp/update.log" 2>&1 || { cat "$tmp/update.log" >&2; tft_die "apt-get update (private) failed"; }

# Find the newest version of each package in the wanted series.
missing=()
want=()
for p in $pkgs; do
    v="$(papt apt-cache madison "$p" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' \
        | grep -E "^([0-9]+:)?${series//./\\.}\.[0-9]" | head -n1 || true)"
    if [ -z "$v" ]; then missing+=("$p"); else want+=("$p=$v"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
    tft_log "Wireshark $series packages not found in the configured archive: ${missing[*]}"
    papt apt-cache madison $pkgs >&2 || true
    if [ "${TFT_MISSING_OK:-0}" = 1 ]; then
        tft_log "compile-$series: SKIPPED (set TFT_APT_SOURCE to an archive that has $series)"
        exit 77
    fi
    tft_die "no Wireshark $series -dev packages (set TFT_APT_SOURCE)"
fi
tft_log "apt-get download ${want[*]}"
(cd "$tmp/debs" && papt apt-get -q download "${want[@]}") >"$tmp/download.log" 2>&1 \
    || { cat "$tmp/download.log" >&2; tft_die "apt-get download failed"; }
for d in "$tmp"/debs/*.deb; do dpkg-deb -x "$d" "$tmp/root"; done
inc="$tmp/root/usr/include/wireshark"
[ -f "$inc/ws_version.h" ] || tft_die "no ws_version.h in the unpacked headers"
hdrver="$(sed -n 's/^#define VERSION_\(MAJOR\|MINOR\|MICRO\) \([0-9]*\).*/\2/p; s/^#define WIRESHARK_VERSION_\(MAJOR\|MINOR\|MICRO\) \([0-9]*\).*/\2/p' "$inc/ws_version.h" | head -n3 | paste -sd.)"
tft_log "headers: Wireshark $hdrver from ${want[*]}"

# The other libraries' headers come from the host (GLib; for 4.x also what
# the epan headers include, e.g. gcrypt is not needed by this plugin).
# Compile a copy (TFT_FROM_GIT=REV compiles a committed tree, see lib.sh).
src="$tmp/src"
tft_copy_source "$src"
cflags=(-std=gnu11 -fPIC -O2 -Wall -Wextra -Wno-unused-parameter -fvisibility=hidden
    -Werror=incompatible-pointer-types -Werror=implicit-function-declaration -Werror=int-conversion
    -DWS_BUILD_DLL "-DTCPFOLLOWTS_VERSION=\"$(tft_version)\""
    -I"$src/plugin/ws" -I"$src/plugin/report" -I"$src/plugin/engine" -isystem "$inc")
[ "${TFT_WERROR:-1}" = 1 ] && cflags+=(-Werror)
read -r -a glib <<<"$(pkg-config --cflags glib-2.0)"

n=0
fail=0
for c in "$src"/plugin/engine/*.c "$src"/plugin/report/*.c "$src"/plugin/ws/*.c; do
    o="$tmp/obj/$(basename "$(dirname "$c")")_$(basename "$c" .c).o"
    if gcc "${cflags[@]}" "${glib[@]}" -c "$c" -o "$o" 2>"$tmp/cc.err"; then
        n=$((n + 1))
    else
        fail=1
        tft_log "FAIL: ${c#"$src"/}"
    fi
    [ -s "$tmp/cc.err" ] && cat "$tmp/cc.err" >&2
done
if [ $fail -ne 0 ]; then
    tft_log "compile-$series: FAIL against Wireshark $hdrver headers"
    exit 1
fi
# The plugin's entry points must be there and exported.
for s in plugin_version plugin_want_major plugin_want_minor plugin_register; do
    nm "$tmp/obj/ws_plugin.o" | grep -qE " [A-Z] $s\$" || { tft_log "FAIL: $s not defined in plugin.o"; exit 1; }
done
tft_log "compile-$series: PASS ($n objects against Wireshark $hdrver headers, $((SECONDS - t0)) s)"
