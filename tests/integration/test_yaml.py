#!/usr/bin/env python3
"""fmt=yaml, parsed with a YAML library (Debian's python3-yaml), on every stream
of every bundled capture:
- it is a superset of `tshark -z follow,tcp,yaml,N`: on streams without gaps,
  `peers` and `packets` hold Follow's keys with Follow's values, entry by entry;
- every packet entry adds our keys (seq, len, class, rel) and the peers their
  role and base seq; gaps are entries of their own, equal to the JSON report's,
  and never inside `data`: each peer's data, in seq order, is the JSON report's
  kept bytes.

Run with /usr/bin/python3 (Debian's Python has python3-yaml).

SPDX-License-Identifier: GPL-2.0-or-later
"""
import os
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tft  # noqa: E402

FOLLOW_PEER_KEYS = ("peer", "host", "port")
FOLLOW_PACKET_KEYS = ("packet", "peer", "timestamp", "data")
OUR_PACKET_KEYS = ("seq", "len", "class", "rel")


def load(text, what):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        tft.fail(f"{what}: not YAML: {e}\n{text[:500]}")


def documents(path, zargs, first_key, what):
    """The outputs of several -z in one tshark run, split where a document's
    first top-level key starts a line (nested lines are indented)."""
    args = ["-r", path, "-q"]
    for z in zargs:
        args += ["-z", z]
    rc, out, err = tft.tshark(args)
    tft.check(tft.exit_ok(path, rc) and not tft.unexpected_stderr(path, err), f"{what}: rc={rc} {err[:200]}")
    docs = [first_key + d for d in out.split("\n" + first_key)]
    docs[0] = docs[0][len(first_key):]
    tft.check(len(docs) == len(zargs), f"{what}: {len(docs)} documents for {len(zargs)} -z")
    return [load(d, f"{what}: {z}") for d, z in zip(docs, zargs)]


def check_stream(cap, rep, ours):
    """Our document for one stream against its JSON report; True when the stream
    has no gaps (then Follow's document is compared, by compare_follow)."""
    stream = rep["stream"]
    what = f"{cap} stream {stream}"
    tft.check(ours["stream"] == stream and ours["tool"] == "tcpfollowts", f"{what}: header {ours.get('stream')}")
    # peer = sender: peer 0 sent the stream's first segment; the JSON's dir 0 is the client
    client = next(p["peer"] for p in ours["peers"] if p["role"] == "client")
    for p in ours["peers"]:
        node = rep["nodes"][p["peer"] ^ client]
        tft.check((p["host"], p["port"], p["base_seq"]) == (node["addr"], node["port"], node["base_seq"]),
                  f"{what}: peer {p}")
    packets = ours["packets"] or []
    for entry in packets:
        missing = [k for k in FOLLOW_PACKET_KEYS + OUR_PACKET_KEYS if k not in entry]
        tft.check(not missing, f"{what}: packet entry without {missing}")
    for peer in (0, 1):
        data = b"".join(e["data"] for e in sorted((e for e in packets if e["peer"] == peer), key=lambda e: e["seq"]))
        tft.check(data == tft.kept_bytes(rep, peer ^ client), f"{what} peer {peer}: data is not the kept bytes")
    gaps = [(g["peer"] ^ client, g["seq"], g["len"], g["after_packet"], g["before_packet"], g["cause"])
            for g in ours["gaps"]]
    want = [(g["dir"], g["seq"], g["len"], g["after_frame"], g["before_frame"], g["cause"]) for g in rep["gaps"]]
    tft.check(sorted(gaps) == sorted(want), f"{what}: gaps {gaps[:3]}, report {want[:3]}")
    return not rep["gaps"]


def compare_follow(what, ours, theirs):
    packets = ours["packets"] or []
    tft.check([{k: p[k] for k in FOLLOW_PEER_KEYS} for p in ours["peers"]] == theirs["peers"],
              f"{what}: peers {ours['peers']} vs Follow's {theirs['peers']}")
    mine = [{k: e[k] for k in FOLLOW_PACKET_KEYS} for e in packets]
    follow = theirs["packets"] or []
    tft.check(mine == follow, f"{what}: packets differ from Follow's: {len(mine)} vs {len(follow)}, first "
                              f"difference {next(((a, b) for a, b in zip(mine, follow) if a != b), None)}")


def main():
    tft.assert_plugin_loaded()
    compared = streams = 0
    for cap in tft.capture_files():
        path = os.path.join(tft.CAPTURES, cap)
        reps = tft.stream_reports(path, tft.tcp_stream_ids(path))
        if not reps:
            continue
        ours = documents(path, [f"tcpfollowts,stream,{r['stream']},fmt=yaml" for r in reps], "tool: ", cap)
        clean = [(r, o) for r, o in zip(reps, ours) if check_stream(cap, r, o)]
        if clean:
            # tshark prints Follow's documents in the reverse order of their -z
            theirs = documents(path, [f"follow,tcp,yaml,{r['stream']}" for r, _ in clean], "peers:",
                               f"{cap}: -z follow,tcp,yaml")[::-1]
            for (r, o), t in zip(clean, theirs):
                compare_follow(f"{cap} stream {r['stream']}", o, t)
        compared += len(clean)
        streams += len(reps)
    rc, out, err = tft.tshark(["-r", os.path.join(tft.CAPTURES, "sv_leading_gap_vlan.pcap"), "-q", "-z",
                               "tcpfollowts,all,fmt=yaml"])
    tft.check(rc != 0 and "fmt=yaml shows one stream" in err, f"all,fmt=yaml: rc={rc} {err.strip()}")
    print(f"{streams} streams; {compared} without gaps compared with -z follow,tcp,yaml")
    tft.done()


if __name__ == "__main__":
    main()
