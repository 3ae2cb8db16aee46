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
      wireshark-qt xvfb xdotool xclip imagemagick"
# shellcheck disable=SC2086
if [ "${TFT_INSTALL_TEST_DEPS:-1}" = 1 ] && ! dpkg -s $deps >/dev/null 2>&1; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $deps >/dev/null
fi

# As root the tests run tshark as 'nobody' (Wireshark ignores plugin dirs for
# root). When 'nobody' cannot read this tree (a clone under /root), test a copy
# it can read; its build dir is kept between runs.
if [ "$(id -u)" -eq 0 ] &&
   ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$PWD/tests/captures/MANIFEST.tsv"; then
  stage=/var/tmp/tcpfollowts-tests
  echo "tests/run.sh: user 'nobody' cannot read $PWD; testing a copy in $stage" >&2
  mkdir -p "$stage"
  find "$stage" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
  tar --exclude=./.git --exclude=./build --exclude='./build-*' -cf - . | tar -C "$stage" -xf -
  chmod -R a+rX "$stage"
  cd "$stage"
fi

cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure "$@"
