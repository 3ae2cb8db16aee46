# tests/lib/readable_copy.sh — sourced by tests/run.sh and .ci/run.
# As root the tests run tshark as 'nobody' (Wireshark ignores plugin dirs for
# root), and 'nobody' may not be able to read the clone (one under /root).
#
# tft_readable_copy DEST: when that is so, refresh a copy of the current tree in
# DEST that 'nobody' can read (its build directories are kept between runs) and
# return 0; otherwise return 1 and touch nothing.
# SPDX-License-Identifier: GPL-2.0-or-later
tft_readable_copy() {
    local dest="$1"
    [ "$(id -u)" -eq 0 ] || return 1
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$PWD/README.md" && return 1
    echo "user 'nobody' cannot read $PWD: using a copy in $dest" >&2
    mkdir -p "$dest"
    find "$dest" -mindepth 1 -maxdepth 1 ! -name build ! -name 'build-*' -exec rm -rf {} +
    # (a caller's `if` turns off set -e in here: fail loudly by hand)
    { tar --exclude=./build --exclude='./build-*' -cf - . | tar -C "$dest" -xf - &&
      chmod -R a+rX "$dest"; } || { echo "cannot copy $PWD to $dest" >&2; exit 1; }
}
