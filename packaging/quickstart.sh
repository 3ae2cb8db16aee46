#!/usr/bin/env bash
# Fresh Debian 12 -> tcpfollowts installed and following a bundled capture.
# Installs the build dependencies (apt), builds, installs the plugin where the
# running user's tshark loads it (root: the system plugin dir, since Wireshark
# ignores personal plugin dirs for root; others: ~/.local/lib/wireshark/...),
# then prints the report of a small bundled capture.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! dpkg -s wireshark-dev tshark libglib2.0-dev cmake gcc pkg-config python3 >/dev/null 2>&1; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    wireshark-dev tshark libglib2.0-dev cmake gcc make pkg-config python3 >/dev/null
fi

install_mode=personal
[ "$(id -u)" -eq 0 ] && install_mode=system
cmake -S . -B build -DTCPFOLLOWTS_INSTALL="$install_mode" >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
cmake --install build >/dev/null
echo "tcpfollowts installed ($install_mode plugin dir):"
tshark -G plugins 2>/dev/null | grep tcpfollowts

echo
tshark -r tests/captures/sv_overlap_conflicting_data_vlan.pcap -q -z tcpfollowts,stream,0
