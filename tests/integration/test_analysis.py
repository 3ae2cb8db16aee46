#!/usr/bin/env python3
"""The delay analysis (turns, turnarounds, stalls, handshake) against truth
computed independently, from tshark's own fields (-T fields), on real captures
without loss: a turn is a run of payload segments from one side (Wireshark's
retransmissions and keep-alives excluded), its turnaround the time since the
previous turn's last new byte; a stall is a pause longer than the threshold
between two payload segments of the current turn's sender.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tft  # noqa: E402

CASES = [  # capture, stream, stall threshold (s)
    ("ppp_one_stream_control.pcap", 0, "0.2"),
    ("ndpi_vlan8021q_http_clean.pcap", 0, "0.01"),
    ("sv_smb2-async-read_clean_bulk.pcap", 0, "0.005"),
    ("ppp_four_ipv6_http_streams.pcap", 1, "0.05"),
]

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "tcp.srcport", "tcp.len", "tcp.flags.syn",
          "tcp.flags.ack", "tcp.analysis.retransmission", "tcp.analysis.keep_alive"]


def segments(capture, stream):
    args = ["-r", capture, "-Y", f"tcp.stream == {stream}", "-T", "fields", "-o", "tcp.desegment_tcp_streams:FALSE"]
    for f in FIELDS:
        args += ["-e", f]
    rc, out, err = tft.tshark(args)
    rows = []
    for line in out.splitlines():
        v = line.split("\t")
        rows.append({"frame": int(v[0]), "time": Decimal(v[1]), "src": (v[2] or v[3], v[4]), "len": int(v[5]),
                     "syn": v[6] in ("1", "True"), "ack": v[7] in ("1", "True"), "resent": bool(v[8] or v[9])})
    return rows


def expected(rows, stall):
    turns, stalls, cur = [], [], None
    last_payload = None
    for r in rows:
        if r["len"] == 0:
            continue
        new = not r["resent"]
        if new and (cur is None or cur["src"] != r["src"]):
            prev_last = cur["last"] if cur else None
            cur = {"src": r["src"], "first": r["time"], "last": r["time"], "bytes": 0, "first_frame": r["frame"],
                   "turnaround": None if prev_last is None else r["time"] - prev_last}
            turns.append(cur)
        elif cur and cur["src"] == r["src"] and r["time"] - last_payload > stall:
            stalls.append((last_payload, r["time"]))
        if cur and cur["src"] == r["src"]:
            last_payload = r["time"]
            if new:
                cur["last"] = r["time"]
                cur["bytes"] += r["len"]
    return turns, stalls


def main():
    tft.assert_plugin_loaded()
    for cap, stream, stall in CASES:
        path = os.path.join(tft.CAPTURES, cap)
        rows = segments(path, stream)
        want_turns, want_stalls = expected(rows, Decimal(stall))
        rep = tft.follow_json(path, f"stream,{stream}", f"stall={stall}")
        got = rep["summary"]["turns"]
        tft.check(len(got) == len(want_turns), f"{cap}: {len(got)} turns, expected {len(want_turns)}")
        for g, w in zip(got, want_turns):
            tft.check(Decimal(g["first"]) == w["first"] and Decimal(g["last"]) == w["last"]
                      and g["bytes"] == w["bytes"] and g["first_frame"] == w["first_frame"],
                      f"{cap}: turn {g} != expected {w}")
            want_around = None if w["turnaround"] is None else float(w["turnaround"])
            tft.check(g["turnaround"] == want_around, f"{cap}: turnaround {g['turnaround']} != {want_around}")
        got_stalls = [(Decimal(s["start"]), Decimal(s["end"])) for s in rep["summary"]["stalls"]]
        tft.check(got_stalls == want_stalls, f"{cap}: stalls {got_stalls[:3]} != expected {want_stalls[:3]}")
        syn = [r for r in rows if r["syn"] and not r["ack"]]
        if syn:
            synack = next(r for r in rows if r["syn"] and r["ack"])
            ack = next(r for r in rows if r["frame"] > synack["frame"] and r["src"] == syn[0]["src"] and not r["syn"])
            h = rep["summary"]["handshake"]
            tft.check(h and Decimal(str(h["rtt"])) == ack["time"] - syn[0]["time"],
                      f"{cap}: handshake {h}, expected rtt {ack['time'] - syn[0]['time']}")
        print(f"{cap} stream {stream}: {len(want_turns)} turns, {len(want_stalls)} stalls (> {stall} s)")
    tft.done()


if __name__ == "__main__":
    main()
