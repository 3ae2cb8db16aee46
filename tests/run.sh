#!/usr/bin/env bash
# The whole test suite: unit tests, tshark integration tests (as an unprivileged
# user), the GUI test (Xvfb) and the browser test (headless chromium). Installs
# the packages they need when one is missing (apt-get, npm ci;
# TFT_INSTALL_TEST_DEPS=0 never installs), builds into ./build, then runs
# ctest (arguments go to ctest, e.g. -LE gui).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

deps="wireshark-dev tshark libglib2.0-dev cmake gcc make pkg-config python3
      wireshark-qt xvfb xdotool xclip imagemagick iproute2 iputils-ping libxml2-utils chromium python3-yaml"
# Node and npm for the browser test: Debian's, unless some node is there already.
command -v npm >/dev/null || deps="$deps nodejs npm"
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

# The browser test's driver, playwright-core, from the npm registry (the
# browser is Debian's chromium: nothing else is downloaded).
if [ "${TFT_INSTALL_TEST_DEPS:-1}" = 1 ] && { [ ! -d tests/browser/node_modules/playwright-core ] ||
     [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; }; then
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure "$@"
