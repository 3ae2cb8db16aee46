#!/usr/bin/env python3
"""Every stream of every real capture in tests/captures, through the real tshark
with the built plugin:
- the plugin loads, stderr stays clean, every stream gets a report;
- the fast tap path and the public protocol-tree path (tap=tree) agree exactly;
- kept bytes equal Wireshark's own -z follow,tcp,raw,N where that is reliable
  (no gap and no conflict: Follow writes its gap marker into the data);
- the PcapPlusPlus reference bytes are reproduced for the control and the
  seq-wrapped capture;
- gap, missing-byte and conflict counts equal the MANIFEST's independently
  measured figures (STREAMS.tsv), except where EXPLAINED says why they differ
  (a connection the host Wireshark splits into several tcp.streams is compared
  as the sum of its parts);
- -z tcpfollowts,all gives each stream a row equal to its own summary.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tft  # noqa: E402

CAPS = tft.CAPTURES

# (capture, tcp.stream) -> (expected {field: value}, why it differs from STREAMS.tsv)
EXPLAINED = {
    ("zeek_headers_only_snaplen_retrans.pcap", 0): (
        {"gaps": 2, "missing": 24257, "conflicts": 0, "bytes": 0},
        "snaplen 54: the payload of every segment was cut; the contract counts cut bytes as "
        "gaps (cause 'truncated'), the MANIFEST counts only holes between captured bytes"),
    ("ppp_one_stream_control.pcap", 0): (
        {"gaps": 0, "missing": 0, "conflicts": 0, "bytes": 22392},
        "the MANIFEST's one 'overlap with different bytes' is the keep-alive garbage byte of "
        "frame 17, classed keep-alive (its byte is filler, not data)"),
    ("ppp_one_stream_seq_wrap.pcap", 0): (
        {"gaps": 0, "missing": 0, "conflicts": 0, "bytes": 22392},
        "as the control capture: the differing byte is the keep-alive of frame 17"),
    ("arkime_tcp_reassembly_synthetic.pcap", 10): (
        {"gaps": 1, "missing": 1, "conflicts": 0, "bytes": 31},
        "the client ACKs one server byte that was never captured (Wireshark flags frame 105 "
        "tcp.analysis.ack_lost_segment): a lost tail proven by the peer's ACK is a gap"),
    ("zeek_ftp_4GiB_multi_seq_wrap.pcap", 2): (
        {"gaps": 9, "missing": 5416642848, "conflicts": 0, "bytes": 23822},
        "the >4 GiB transfer unwraps to FIN seq - (SYN+1) = 2*2^32 + 741174212 - 3914442134 = "
        "5,416,666,670 bytes = kept + missing; frames 56 and 68 (same raw seq) are 4 GiB apart "
        "once unwrapped through the ACKs, so they neither conflict nor overlap; the MANIFEST "
        "conflated them (it says its gap sizes are not meaningful)"),
    ("ndpi_reasm_crash_anon.pcapng", 0): (
        {"gaps": 17, "missing": 2382064101, "conflicts": 12, "bytes": 6064, "segments": 207},
        "anonymised crash reproducer with seq jumps of 0.4-1.5 GB both ways: the gaps are "
        "measured between those islands (data before the SYN included) and up to the peer's "
        "highest ACK, which the MANIFEST does not use (16 gaps); frame 87 has a truncated "
        "TCP header (Malformed) and never reaches the tap, hence 207 segments for 208 packets"),
}
EXPLAINED.update({
    ("ndpi_keepalive_garbage_byte.pcap", s): (
        {"gaps": 0, "missing": 0, "conflicts": 0},
        "the MANIFEST's 'overlaps with different bytes' are keep-alives carrying one garbage "
        "byte at seq-1, classed keep-alive")
    for s in range(10)
})

# Wireshark 4.4 and later start a new tcp.stream at a SYN that reuses the ports of
# an earlier connection, where 4.0 kept it in the old one: the arkime capture's
# late SYN retransmission (frame 101) becomes stream 10, so its stream 10 is 11;
# the crash reproducer's SYN with every flag set (frame 96) starts stream 1.
EXPLAINED_4_4 = dict(EXPLAINED)
EXPLAINED_4_4[("arkime_tcp_reassembly_synthetic.pcap", 11)] = \
    EXPLAINED_4_4.pop(("arkime_tcp_reassembly_synthetic.pcap", 10))
NDPI_SPLIT = (
    "the crash reproducer as Wireshark >= 4.4 splits it at frame 96's SYN: each part's gaps "
    "run from its own start (so missing bytes differ from 4.0's one stream), while gaps "
    "(8 + 9), conflicts (4 + 8) and bytes (4988 + 1076) add up to 4.0's 17, 12 and 6064; "
    "frame 87's short TCP header reaches the tap on 4.4 as an unknown-length segment")
EXPLAINED_4_4[("ndpi_reasm_crash_anon.pcapng", 0)] = (
    {"gaps": 8, "missing": 792139486, "conflicts": 4, "bytes": 4988, "segments": 94}, NDPI_SPLIT)
EXPLAINED_4_4[("ndpi_reasm_crash_anon.pcapng", 1)] = (
    {"gaps": 9, "missing": 2130722699, "conflicts": 8, "bytes": 1076, "segments": 114}, NDPI_SPLIT)


def load_streams():
    rows = list(csv.DictReader(open(os.path.join(CAPS, "STREAMS.tsv")), delimiter="\t"))
    by_capture = {}
    for r in rows:
        by_capture.setdefault(r["file"], []).append(r)
    return by_capture


def totals(rep):
    d = rep["summary"]["dirs"]
    return {
        "gaps": d[0]["gaps"] + d[1]["gaps"],
        "missing": d[0]["missing"] + d[1]["missing"],
        "conflicts": d[0]["conflicts"] + d[1]["conflicts"],
        "bytes": d[0]["bytes"] + d[1]["bytes"],
        "segments": d[0]["segments"] + d[1]["segments"],
        "keep_alives": d[0]["keep_alives"] + d[1]["keep_alives"],
    }


def match_rows(reps, rows):
    """STREAMS.tsv numbers connections in its own order: pair rows with our
    tcp.stream reports by packet count, then payload bytes. A row left over is
    a connection the host Wireshark split into several streams: it is paired
    with the run of consecutive left-over streams whose segments and bytes add
    up to it. Returns ({stream: row}, [(reports of a split, row)])."""
    left, pairs = list(rows), {}
    for rep in reps:
        t = totals(rep)
        cands = [r for r in left if int(r["packets"]) == t["segments"]]
        cands = [r for r in cands if int(r["payload_bytes"]) == t["bytes"]] or cands
        if cands:
            left.remove(cands[0])
            pairs[rep["stream"]] = cands[0]
    rest = [rep for rep in reps if rep["stream"] not in pairs]
    runs = [rest[i:j] for i in range(len(rest)) for j in range(i + 2, len(rest) + 1)]
    splits = []
    for row in left:
        for run in runs:
            ids = [r["stream"] for r in run]
            if (ids == list(range(ids[0], ids[0] + len(ids)))
                    and not any(r in used for used, _ in splits for r in run)
                    and sum(totals(r)["segments"] for r in run) == int(row["packets"])
                    and sum(totals(r)["bytes"] for r in run) == int(row["payload_bytes"])):
                splits.append((run, row))
                break
    return pairs, splits


def manifest_counts(row):
    return {"gaps": int(row["unfilled_gaps"]), "missing": int(row["gap_bytes"]),
            "conflicts": int(row["conflicting_overlaps"]), "bytes": int(row["payload_bytes"])}


def check_counts(cap, rep, row, explained):
    t = totals(rep)
    key = (cap, rep["stream"])
    if key in explained:
        expected, why = explained[key]
        if cap == "ndpi_keepalive_garbage_byte.pcap":
            tft.check(t["keep_alives"] >= int(row["conflicting_overlaps"]),
                      f"{key}: keep-alives {t['keep_alives']} < MANIFEST garbage-byte overlaps")
        for k, v in expected.items():
            tft.check(t[k] == v, f"{key}: {k} = {t[k]}, expected {v} ({why})")
        return
    tft.check(row is not None, f"{key}: no STREAMS.tsv row with {t['segments']} packets")
    if row is None:
        return
    for k, v in manifest_counts(row).items():
        tft.check(t[k] == v, f"{key}: {k} = {t[k]}, MANIFEST says {v}")


def check_split(cap, run, row, explained):
    """A connection split into several streams: unless its parts are EXPLAINED
    one by one, their counts add up to the MANIFEST's row."""
    streams = [r["stream"] for r in run]
    if any((cap, s) in explained for s in streams):
        return
    for k, v in manifest_counts(row).items():
        got = sum(totals(r)[k] for r in run)
        tft.check(got == v, f"{cap} streams {streams} (one connection): {k} = {got}, MANIFEST says {v}")


def check_against_wireshark_follow(path, rep):
    d = rep["summary"]["dirs"]
    if any(x["gaps"] or x["conflicts"] for x in d):
        return False
    ws = tft.wireshark_follow_raw(path, rep["stream"])
    for direction in (0, 1):
        ours = tft.kept_bytes(rep, direction)
        theirs = ws.get(tft.node_name(rep, direction), b"")
        tft.check(ours == theirs, f"{path} stream {rep['stream']} dir {direction}: "
                                  f"{len(ours)} kept bytes differ from Follow's {len(theirs)}")
    return True


def check_pcapplusplus_reference():
    ref = open(os.path.join(CAPS, "reference", "ppp_one_tcp_stream_output.txt"), "rb").read()
    for cap in ("ppp_one_stream_control.pcap", "ppp_one_stream_seq_wrap.pcap"):
        rep = tft.follow_json(os.path.join(CAPS, cap), "stream,0")
        # PcapPlusPlus writes the conversation in the order the data arrived.
        chunks = sorted(rep["chunks"], key=lambda c: (c["frame"], c["seq"]))
        got = b"".join(bytes.fromhex(c["data"]) for c in chunks)
        tft.check(got == ref, f"{cap}: reassembled data differs from PcapPlusPlus reference")
        ka = [s for s in rep["segments"] if s["frame"] == 17]
        tft.check(ka and ka[0]["class"] == "keep-alive", f"{cap}: frame 17 is not a keep-alive")


def check_all_mode(path, reps):
    """-z tcpfollowts,all: a row per stream whose figures equal the stream's own
    summary (all mode keeps no payload; only conflicting copies of bytes the
    peer had already acknowledged can escape it, as in the crash reproducer)."""
    rc, out, err = tft.tshark(["-r", path, "-q", "-z", "tcpfollowts,all,fmt=json"])
    tft.check(not tft.unexpected_stderr(path, err), f"{path} all: stderr {err[:200]}")
    rows = {r["stream"]: r for r in json.loads(out)["streams"]}
    tft.check(sorted(rows) == sorted(r["stream"] for r in reps), f"{path} all: streams {sorted(rows)}")
    for rep in reps:
        row = rows.get(rep["stream"])
        if row is None:
            continue
        resent = ("retransmissions", "overlaps", "conflicts")
        skip = set(resent) | {"conflict_bytes"} if os.path.basename(path) == "ndpi_reasm_crash_anon.pcapng" else set()
        for d in (0, 1):
            want = {k: v for k, v in rep["summary"]["dirs"][d].items() if k not in skip}
            got = {k: v for k, v in row["dirs"][d].items() if k not in skip}
            tft.check(sum(row["dirs"][d][k] for k in resent) == sum(rep["summary"]["dirs"][d][k] for k in resent),
                      f"{path} stream {rep['stream']} dir {d}: resent segments differ in all mode")
            tft.check(got == want, f"{path} stream {rep['stream']} dir {d}: all-mode row differs: "
                                   f"{ {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v} }")
        turns = [t["turnaround"] for t in rep["summary"]["turns"] if t["turnaround"] is not None]
        tft.check(row["worst_turnaround"] == (max(turns) if turns else None),
                  f"{path} stream {rep['stream']}: worst turnaround {row['worst_turnaround']} vs turns {turns[:5]}")
        stalls = [st["duration"] for st in rep["summary"]["stalls"]]
        got_stall = row["longest_stall"]["duration"] if row["longest_stall"] else None
        tft.check(got_stall == (max(stalls) if stalls else None),
                  f"{path} stream {rep['stream']}: longest stall {got_stall} vs {stalls[:5]}")
        tft.check(row["duration"] == rep["summary"]["duration"], f"{path} stream {rep['stream']}: duration")


def main():
    tft.assert_plugin_loaded()
    streams = load_streams()
    explained = tft.by_version({(0, 0): EXPLAINED, (4, 4): EXPLAINED_4_4})
    compared = reported = 0
    for cap in sorted(streams):
        path = os.path.join(CAPS, cap)
        rows = streams[cap]
        ids = tft.tcp_stream_ids(path)
        reps = tft.stream_reports(path, ids)
        tree = tft.stream_reports(path, ids, ",tap=tree")
        tft.check([r["stream"] for r in reps] == ids, f"{cap}: reports for {[r['stream'] for r in reps]}, "
                                                      f"tshark numbers streams {ids}")
        tft.check(reps == tree, f"{cap}: the fast tap and tap=tree reports differ")
        pairs, splits = match_rows(reps, rows)
        split_of = {r["stream"]: (run, row) for run, row in splits for r in run}
        tft.check(len(reps) == len(rows) + sum(len(run) - 1 for run, _ in splits),
                  f"{cap}: {len(reps)} streams for the MANIFEST's {len(rows)} connections")
        for rep in reps:
            split = split_of.get(rep["stream"])
            if split is None or rep["stream"] in pairs or (cap, rep["stream"]) in explained:
                check_counts(cap, rep, pairs.get(rep["stream"]), explained)
            elif rep is split[0][0]:
                check_split(cap, *split, explained)
            compared += check_against_wireshark_follow(path, rep)
        check_all_mode(path, reps)
        reported += len(reps)
    check_pcapplusplus_reference()
    print(f"{reported} streams in {len(streams)} captures (Wireshark {'.'.join(map(str, tft.ws_version()))}); "
          f"{compared} compared byte-for-byte with Wireshark's Follow")
    tft.done()


if __name__ == "__main__":
    main()
