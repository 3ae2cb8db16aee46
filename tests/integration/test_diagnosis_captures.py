#!/usr/bin/env python3
"""The diagnosis on the bundled real captures, against tshark's own analysis:

- zero-window periods: each period starts at a frame with tcp.analysis.zero_window (Wireshark
  flags window 0 on non-SYN/FIN/RST segments, as our rule) and the frames inside it from the
  blocked direction's peer keep tcp.window_size == 0 until the frame that ends it;
- fast retransmissions: every frame Wireshark flags tcp.analysis.fast_retransmission is a repair
  of ours (a segment with a cause); where our cause differs it is explained by the rules below;
- RTT: where Wireshark's ACK frame gives tcp.analysis.ack_rtt for tcp.analysis.acks_frame F and
  our segment F has an RTT sample, the two are equal (Wireshark samples the segment whose end
  the ACK matches exactly; we sample every segment sent once at its first covering ACK, so
  Wireshark's samples are a subset of the frames, never a different value);
- in flight: on new data segments, our in_flight equals tcp.analysis.bytes_in_flight when Wireshark
  gives one, the capture saw every byte the sender sent (no gap in that direction) and the peer's
  latest ACK carried no SACK block (Wireshark then subtracts the SACKed bytes; the contract's
  in_flight is highest nxtseq minus the cumulative ACK, SACK or not);
- invariants: the time partition adds up exactly to `active` per direction and per turn.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tft  # noqa: E402

FIELDS = ["frame.number", "tcp.window_size", "tcp.analysis.zero_window", "tcp.analysis.fast_retransmission",
          "tcp.analysis.ack_rtt", "tcp.analysis.acks_frame", "tcp.analysis.bytes_in_flight", "tcp.len",
          "tcp.flags.reset", "tcp.flags.syn", "tcp.options.sack_le"]
BUCKETS = ["zero_window", "timeout", "loss_recovery", "window_limited", "sender_idle", "transfer"]


def wireshark_fields(capture, stream):
    args = ["-r", capture, "-Y", f"tcp.stream == {stream}", "-T", "fields", "-E", "occurrence=f"]
    for f in FIELDS:
        args += ["-e", f]
    rc, out, err = tft.tshark(args)
    tft.check(rc == 0 or "cut short" in err, f"tshark fields on {capture}: {err.strip()}")
    rows = {}
    for line in out.splitlines():
        vals = line.split("\t")
        rows[int(vals[0])] = dict(zip(FIELDS, vals))
    return rows


def ns(seconds):
    return int(Decimal(str(seconds)) * 1000000000)


def check_partition(name, rep):
    for d, dirs in enumerate(rep["summary"]["dirs"]):
        total = sum(ns(dirs["time"][b]) for b in BUCKETS)
        tft.check(total == ns(dirs["active"]), f"{name} dir {d}: time partition {total} ns != active {dirs['active']}")
    for k, turn in enumerate(rep["summary"]["turns"]):
        total = sum(ns(turn["time"][b]) for b in BUCKETS)
        tft.check(total == ns(turn["active"]), f"{name} turn {k}: time partition != active")


def check_zero_windows(name, rep, ws):
    by_frame = {s["frame"]: s for s in rep["segments"]}
    flagged = sorted(f for f, r in ws.items() if r["tcp.analysis.zero_window"])
    starts = {z["first_frame"] for z in rep["summary"]["zero_windows"]}
    for z in rep["summary"]["zero_windows"]:
        tft.check(z["first_frame"] in flagged, f"{name}: zero window from frame {z['first_frame']} not flagged by tshark")
        # the blocked direction's peer keeps advertising 0 until last_frame
        peer = 1 - z["dir"]
        for f in range(z["first_frame"], z["last_frame"]):
            s = by_frame.get(f)
            if s and s["dir"] == peer and "R" not in s["flags"]:
                tft.check(ws[f]["tcp.window_size"] == "0", f"{name}: frame {f} inside a zero window has window "
                                                            f"{ws[f]['tcp.window_size']}")
    # every flagged frame opens a period or repeats the zero inside one
    inside = set()
    for z in rep["summary"]["zero_windows"]:
        inside.update(range(z["first_frame"], z["last_frame"]))
    for f in flagged:
        tft.check(f in starts or f in inside, f"{name}: tshark's zero window at frame {f} is in no period of ours")
    return len(flagged), len(rep["summary"]["zero_windows"])


def check_fast_retransmissions(name, rep, ws):
    by_frame = {s["frame"]: s for s in rep["segments"]}
    frames = [f for f, r in ws.items() if r["tcp.analysis.fast_retransmission"]]
    same = 0
    for f in frames:
        s = by_frame[f]
        # Wireshark flags a fast retransmission after 2 duplicate ACKs: ours needs 3, or SACK, or
        # one with little in flight; a re-send of a probe's byte is no repair of ours at all
        # Wireshark also flags a FIN sent again: no data byte, class control for us
        if s["class"] == "control" and "F" in s["flags"]:
            continue
        tft.check("cause" in s or s["class"] in ("overlap", "retransmission"),
                  f"{name}: tshark's fast retransmission at frame {f} is not a repair of ours ({s['class']})")
        same += s.get("cause") == "fast-retransmit"
    return len(frames), same


def acked_frame_end(by_frame, frame):
    s = by_frame.get(frame)
    return s["seq"] + (1 if "S" in s["flags"] else 0) + s["len"] if s else None


def check_rtt(name, rep, ws):
    ours = {s["frame"]: s["rtt"] for s in rep["segments"] if s.get("rtt") is not None}
    flags = {s["frame"]: s["flags"] for s in rep["segments"]}
    by_frame = {s["frame"]: s for s in rep["segments"]}
    compared = 0
    for f, r in ws.items():
        if not r["tcp.analysis.ack_rtt"] or not r["tcp.analysis.acks_frame"]:
            continue
        if "A" not in flags.get(f, ""):
            continue  # Wireshark reads the ACK field of a segment without the ACK flag; we do not
        acked = int(r["tcp.analysis.acks_frame"])
        if f in by_frame and acked_frame_end(by_frame, acked) is not None and \
                by_frame[f]["ack"] < acked_frame_end(by_frame, acked):
            # Wireshark >= 4.4 also samples an ACK of only part of a segment (a peer that
            # ACKs in 1430-byte steps against 1446-byte segments); ours waits for its last byte
            continue
        if acked not in ours:
            continue  # re-sent before the ACK (Karn), or not a data segment of ours
        tft.check(abs(Decimal(str(ours[acked])) - Decimal(r["tcp.analysis.ack_rtt"])) < Decimal("0.000000002"),
                  f"{name}: RTT of frame {acked}: ours {ours[acked]}, tshark {r['tcp.analysis.ack_rtt']} (ACK {f})")
        compared += 1
    return compared


def check_in_flight(name, rep, ws):
    gaps = {g["dir"] for g in rep["gaps"]}
    compared = 0
    sacked = [False, False]  # the latest segment of each direction carried SACK blocks
    for s in rep["segments"]:
        w = ws[s["frame"]]["tcp.analysis.bytes_in_flight"]
        sacked[s["dir"]] = bool(ws[s["frame"]]["tcp.options.sack_le"])
        # a FIN counts in nxtseq (the contract), not in Wireshark's bytes in flight
        if (not w or s["dir"] in gaps or s["class"] != "new" or "S" in s["flags"] or "F" in s["flags"]
                or sacked[1 - s["dir"]]):
            continue
        tft.check(int(w) == s["in_flight"], f"{name}: in flight at frame {s['frame']}: ours {s['in_flight']}, tshark {w}")
        compared += 1
    return compared


def main():
    tft.assert_plugin_loaded()
    for file, stream in sorted(tft.recommended_streams().items()):
        capture = os.path.join(tft.CAPTURES, file)
        name = f"{file}#{stream}"
        # the cut-short capture makes tshark exit non-zero after a complete report
        rc, out, err = tft.tshark(["-r", capture, "-q", "-z", f"tcpfollowts,stream,{stream},fmt=json"])
        tft.check(out.startswith("{"), f"{name}: no report (rc {rc}): {err.strip()}")
        rep = json.loads(out)
        ws = wireshark_fields(capture, stream)
        check_partition(name, rep)
        zw = check_zero_windows(name, rep, ws)
        fr = check_fast_retransmissions(name, rep, ws)
        rtt = check_rtt(name, rep, ws)
        fl = check_in_flight(name, rep, ws)
        print(f"ok   {name}: zero windows tshark {zw[0]} flags / ours {zw[1]} periods; fast retransmissions "
              f"tshark {fr[0]} / ours fast-retransmit {fr[1]}; RTT samples equal {rtt}; in flight equal {fl}")
    tft.done()


if __name__ == "__main__":
    main()
