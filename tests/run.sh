#!/usr/bin/env bash
# The whole test suite: unit tests, tshark integration tests (as an unprivileged
# user) and the GUI test (Xvfb). Installs the packages they need when one is
# missing (apt-get; TFT_INSTALL_TEST_DEPS=0 never installs), builds into
# ./build, then runs ctest (arguments go to ctest, e.g. -LE gui).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

deps="wireshark-dev tshark libglib2.0-dev cmake gcc make pkg-config python3
      wireshark-qt xvfb xdotool xclip imagemagick iproute2 iputils-ping"
# shellcheck disable=SC2086
if [ "${TFT_INSTALL_TEST_DEPS:-1}" = 1 ] && ! dpkg -s $deps >/dev/null 2>&1; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $deps >/dev/null
fi

# As root the tests run tshark as 'nobody': a clone it cannot read (under
# /root) is tested from a copy.
. tests/lib/readable_copy.sh
if tft_readable_copy /var/tmp/tcpfollowts-tests; then
  cd /var/tmp/tcpfollowts-tests
fi

cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure "$@"
