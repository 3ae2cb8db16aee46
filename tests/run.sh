#!/usr/bin/env bash
# The whole test suite: unit tests, tshark integration tests (as an unprivileged
# user), and the GUI test when its packages are present (TFT_INSTALL_TEST_DEPS=1
# installs them). Builds into ./build first.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${TFT_INSTALL_TEST_DEPS:-0}" = 1 ]; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    wireshark-dev tshark libglib2.0-dev cmake gcc make pkg-config python3 \
    wireshark-qt xvfb xdotool xclip imagemagick >/dev/null
fi

cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure "$@"
