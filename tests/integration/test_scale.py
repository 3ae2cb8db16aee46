#!/usr/bin/env python3
"""A capture with 100,000 TCP streams: the all-streams summary gives every one
of them a row, and following the last one works, without a crash, a hang or a
word on stderr. (The > 1 GB single-stream figures are in docs/reliability.md;
tests/bench/run.py measures time and memory.)

SPDX-License-Identifier: GPL-2.0-or-later
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import tft  # noqa: E402

STREAMS = int(os.environ.get("TFT_SCALE_STREAMS", "100000"))


def main():
    tft.assert_plugin_loaded()
    work = tempfile.mkdtemp(prefix="tft-scale-")
    os.chmod(work, 0o755)
    cap = os.path.join(work, "many.pcap")
    subprocess.run([sys.executable, os.path.join(HERE, "..", "tools", "gencap.py"), "many", "--out", cap,
                    "--streams", str(STREAMS), "--quiet"], check=True)
    os.chmod(cap, 0o644)

    out = tft.follow(cap, "tcpfollowts,all,fmt=csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    tft.check(len(rows) == STREAMS, f"all: {len(rows)} rows for {STREAMS} streams")
    tft.check([int(r["stream"]) for r in rows] == list(range(STREAMS)), "all: rows not in tcp.stream order")
    tft.check(all(r["gaps_c2s"] == "0" and r["gaps_s2c"] == "0" for r in rows), "all: gaps in clean streams")

    last = json.loads(tft.follow(cap, f"tcpfollowts,stream,{STREAMS - 1},fmt=json"))
    row = rows[-1]
    tft.check(last["stream"] == STREAMS - 1 and last["summary"]["dirs"][0]["bytes"] == int(row["bytes_c2s"])
              and last["summary"]["dirs"][1]["bytes"] == int(row["bytes_s2c"]),
              f"stream {STREAMS - 1}: report differs from its all-streams row")
    rc, out, err = tft.tshark(["-r", cap, "-q", "-z", f"tcpfollowts,stream,{STREAMS}"])
    tft.check(f"no TCP segment matches stream {STREAMS} (the capture has TCP streams 0-{STREAMS - 1})" in err,
              f"stream {STREAMS}: {err!r}")
    os.remove(cap)
    os.rmdir(work)
    print(f"{STREAMS} streams")
    tft.done()


if __name__ == "__main__":
    main()
