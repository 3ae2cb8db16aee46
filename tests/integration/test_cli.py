#!/usr/bin/env python3
"""The -z command line through the real tshark: every form, every format, bad
arguments, unknown streams, several reports in one run, golden outputs.
Set TFT_UPDATE_GOLDEN=1 to rewrite tests/golden/ after an intended change.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import csv
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tft  # noqa: E402

CAP = lambda name: os.path.join(tft.CAPTURES, name)  # noqa: E731
GOLDEN = os.path.join(tft.ROOT, "tests", "golden")
SMALL = CAP("sv_rst_with_data_vlan.pcap")

# (-z argument, text the one stderr line must contain)
BAD_ARGS = [
    ("tcpfollowts", "missing selection"),
    ("tcpfollowtsX,stream,0", "unknown statistic 'tcpfollowtsX'"),
    ("tcpfollowts,stream", "missing stream index"),
    ("tcpfollowts,stream,", "missing stream index"),
    ("tcpfollowts,stream,-1", "bad stream index '-1'"),
    ("tcpfollowts,stream,4294967295", "bad stream index '4294967295'"),
    ("tcpfollowts,stream,123456789012345678901234", "bad stream index"),
    ("tcpfollowts,stream,0x1", "bad stream index '0x1'"),
    ("tcpfollowts,bogus,1", "unknown selection 'bogus'"),
    ("tcpfollowts,stream,0,fmt=xml", "bad value 'xml' for fmt"),
    ("tcpfollowts,stream,0,dir=up", "bad value 'up' for dir"),
    ("tcpfollowts,stream,0,time=later", "bad value 'later' for time"),
    ("tcpfollowts,stream,0,overlap=middle", "bad value 'middle' for overlap"),
    ("tcpfollowts,stream,0,data=binary", "bad value 'binary' for data"),
    ("tcpfollowts,stream,0,colour=red", "unknown option 'colour'"),
    ("tcpfollowts,stream,0,,fmt=json", "bad option ''"),
    ("tcpfollowts,stream,0,fmt=json,fmt=csv", "'fmt' given twice"),
    ("tcpfollowts,stream,0,fmt=raw", "add dir=client or dir=server"),
    ("tcpfollowts,addr,1.1.1.1:12345", "two endpoints"),
    ("tcpfollowts,addr,1.1.1.1,2.2.2.2:8080", "bad endpoint '1.1.1.1'"),
    ("tcpfollowts,addr,1.1.1.999:1,2.2.2.2:8080", "bad endpoint '1.1.1.999:1'"),
    ("tcpfollowts,addr,1.1.1.1:70000,2.2.2.2:8080", "bad endpoint '1.1.1.1:70000'"),
    ("tcpfollowts,addr,[::1]:1,2.2.2.2:8080", "mix IPv4 and IPv6"),
    ("tcpfollowts,all,dir=server", "'dir' applies to one stream"),
    ("tcpfollowts,all,fmt=raw", "fmt=raw shows one stream"),
    ("tcpfollowts,stream,0,stall=soon", "bad value 'soon' for stall"),
    ("tcpfollowts,stream,0,table=bytes", "bad value 'bytes' for table"),
]


def test_bad_arguments():
    for zarg, needle in BAD_ARGS:
        rc, out, err = tft.tshark(["-r", SMALL, "-q", "-z", zarg])
        lines = [l for l in err.splitlines() if l.strip()]
        tft.check(rc != 0, f"-z {zarg}: exit 0, expected an error")
        tft.check(len(lines) == 1 and needle in lines[0],
                  f"-z {zarg}: stderr should be one line naming '{needle}', got {lines}")
        tft.check(out.strip() == "", f"-z {zarg}: unexpected stdout {out[:80]!r}")


def test_help():
    rc, out, err = tft.tshark(["-q", "-z", "tcpfollowts,help"])
    tft.check(rc == 0 and "tcpfollowts,stream,N" in out and "overlap=first|last" in out,
              f"help: rc={rc} out={out[:200]!r} err={err!r}")
    for key in ("fmt=", "dir=", "time=", "overlap=", "data="):
        tft.check(key in out, f"help does not document {key}")
    # the packet fields it names are the ones the plugin registers, and it names them all
    para = out[out.index("packet fields"):] if "packet fields" in out else ""
    para = para[:para.find("e.g.")]
    named = {"tcpfollowts." + m for m in re.findall(r"(?:tcpfollowts)?\.([a-z_]+(?:\.[a-z_]+)?)[,;: ]", para)}
    rc, fields, err = tft.tshark(["-G", "fields"])
    registered = {line.split("\t")[2] for line in fields.splitlines()
                  if line.startswith("F\t") and "\ttcpfollowts." in line and "\ttcpfollowts.expert." not in line}
    tft.check(rc == 0 and named == registered, f"help names packet fields {sorted(named)}, "
              f"the plugin registers {sorted(registered)}")


def test_unknown_stream():
    rc, out, err = tft.tshark(["-r", SMALL, "-q", "-z", "tcpfollowts,stream,7"])
    tft.check("no TCP segment matches stream 7" in err and "one TCP stream: 0" in err,
              f"unknown stream: stderr {err!r}")
    tft.check(out.strip() == "", f"unknown stream: stdout {out!r}")
    rc, out, err = tft.tshark(["-r", SMALL, "-q", "-z", "tcpfollowts,stream,7,fmt=json"])
    rep = json.loads(out)
    tft.check(rep.get("error", "").startswith("no TCP segment matches stream 7") and rep["streams_seen"] == 1,
              f"unknown stream json: {out!r}")
    rc, out, err = tft.tshark(["-r", SMALL, "-q", "-z", "tcpfollowts,addr,9.9.9.9:1,8.8.8.8:2"])
    tft.check("no TCP segment matches addr 9.9.9.9:1 8.8.8.8:2" in err, f"unknown addr: {err!r}")


def test_addr_equals_stream():
    for cap, stream in (("ppp_four_ipv6_http_streams.pcap", 2), ("arkime_tcp_reassembly_synthetic.pcap", 3)):
        by_stream = tft.follow_json(CAP(cap), f"stream,{stream}")
        n = by_stream["nodes"]
        ep = lambda i: tft.node_name(by_stream, i)  # noqa: E731
        for a, b in ((0, 1), (1, 0)):
            by_addr = tft.follow_json(CAP(cap), f"addr,{ep(a)},{ep(b)}")
            tft.check(by_addr == by_stream, f"{cap}: addr,{ep(a)},{ep(b)} differs from stream,{stream} ({n})")


def test_several_reports_in_one_run():
    rc, out, err = tft.tshark(["-r", CAP("ppp_four_ipv6_http_streams.pcap"), "-q",
                               "-z", "tcpfollowts,stream,0,fmt=json", "-z", "tcpfollowts,stream,3,fmt=json",
                               "-z", "tcpfollowts,stream,0,fmt=json,dir=server"])
    order = [(r["stream"], r["options"].split()[1]) for r in tft.reports(out)]
    tft.check(not err.strip() and order == [(0, "dir=both"), (3, "dir=both"), (0, "dir=server")],
              f"three reports, in -z order: {err} {order}")
    reps = {(r["stream"], r["options"].split()[1]): r for r in tft.reports(out)}
    if len(reps) == 3:
        both, server = reps[(0, "dir=both")], reps[(0, "dir=server")]
        tft.check(server["segments"] == [s for s in both["segments"] if s["dir"] == 1],
                  "dir=server does not keep exactly the server's segments")
        tft.check(server["chunks"] == [c for c in both["chunks"] if c["dir"] == 1],
                  "dir=server chunks are not the server's chunks")


def test_formats_agree():
    cap = CAP("zeek_reassembly_overlaps_gaps.pcap")
    rep = tft.follow_json(cap, "stream,0")
    # raw: exactly the kept bytes; each gap announced on stderr, never filled
    for d, name in ((0, "client"), (1, "server")):
        rc, raw, err = tft.tshark(["-r", cap, "-q", "-z", f"tcpfollowts,stream,0,fmt=raw,dir={name}"], binary=True)
        tft.check(raw == tft.kept_bytes(rep, d), f"raw dir={name}: {len(raw)} bytes, json has {len(tft.kept_bytes(rep, d))}")
        gaps = [g for g in rep["gaps"] if g["dir"] == d]
        notes = [l for l in err.splitlines() if "not filled in the raw output" in l]
        tft.check(len(notes) == len(gaps), f"raw dir={name}: {len(notes)} gap notices for {len(gaps)} gaps")
    # csv: one row per segment, same classes as json
    out = tft.follow(cap, "tcpfollowts,stream,0,fmt=csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    tft.check(len(rows) == len(rep["segments"]), f"csv rows {len(rows)} != segments {len(rep['segments'])}")
    tft.check([r["class"] for r in rows] == [s["class"] for s in rep["segments"]], "csv classes differ from json")
    tft.check([int(r["frame"]) for r in rows] == [s["frame"] for s in rep["segments"]], "csv frames differ")
    # text: one timeline line per segment, one gap line per gap
    text = tft.follow(cap, "tcpfollowts,stream,0,data=none")
    gap_lines = [l for l in text.splitlines() if l.startswith("!   gap ")]
    tft.check(len(gap_lines) == len(rep["gaps"]), f"text has {len(gap_lines)} gap lines for {len(rep['gaps'])} gaps")
    # the plain timeline fits the GUI window; the diagnosis columns add 23
    plain = tft.follow(cap, "tcpfollowts,stream,0,data=none,cols=plain")
    # a repairing segment's note ("[fast-retransmit, lost before capture]") may go past the width
    tft.check(max(len(l) for l in plain.splitlines() if "[" not in l) <= 89,
              "cols=plain lines wider than 89 columns (the GUI window)")
    tft.check(max(len(l) for l in text.splitlines() if "[" not in l) <= 89 + 23,
              "text lines wider than 89 + 23 (the diagnosis columns) columns")
    tft.check([l[:63] for l in plain.splitlines()[8:]] == [l[:63] for l in text.splitlines()[8:]][:len(plain.splitlines()) - 8],
              "cols=plain changes more than the diagnosis columns")
    conflict_lines = [l for l in text.splitlines() if l.startswith("!") and "conflict" in l]
    tft.check(len(conflict_lines) == sum(s["class"] == "conflict" for s in rep["segments"]),
              "conflict lines are not marked with '!'")


def test_times():
    cap = SMALL
    rep = tft.follow_json(cap, "stream,0")
    first = rep["segments"][0]
    tft.check(first["rel"] == 0 and first["time"] == "1691137947.482113000", f"first segment time {first}")
    epoch = tft.follow(cap, "tcpfollowts,stream,0,fmt=csv,time=epoch").splitlines()[1].split(",")[2]
    tft.check(epoch == "1691137947.482113000", f"csv epoch time {epoch}")
    delta = [l.split(",")[2] for l in tft.follow(cap, "tcpfollowts,stream,0,fmt=csv,time=delta").splitlines()[1:]]
    tft.check(delta[:2] == ["0.000000", "0.000930"], f"csv delta times {delta[:3]}")
    absolute = tft.follow(cap, "tcpfollowts,stream,0,fmt=csv,time=abs").splitlines()[1].split(",")[2]
    tft.check(absolute == "2023-08-04T08:32:27.482113Z", f"csv abs time {absolute}")


def test_cut_short_capture():
    rc, out, err = tft.tshark(["-r", CAP("sv_http-mime-truncated_zwp_bulk.pcap"), "-q", "-z",
                               "tcpfollowts,stream,0,fmt=json"])
    rep = json.loads(out)
    tft.check(rep["summary"]["dirs"][1]["bytes"] > 2_000_000, "cut-short capture: report lost its data")
    extra = [l for l in err.splitlines() if l.strip() and "cut short in the middle of a packet" not in l]
    tft.check(not extra, f"cut-short capture: stderr {extra}")


def test_preferences_do_not_change_the_report():
    """Relative seq and analysis off, desegmentation off, two-pass: same report."""
    cap = CAP("zeek_reassembly_overlaps_gaps.pcap")
    base = tft.follow_json(cap, "stream,0")
    for extra in (["-o", "tcp.relative_sequence_numbers:FALSE"], ["-o", "tcp.analyze_sequence_numbers:FALSE"],
                  ["-o", "tcp.desegment_tcp_streams:FALSE"], ["-2"]):
        out = tft.follow(cap, "tcpfollowts,stream,0,fmt=json", extra)
        tft.check(json.loads(out) == base, f"report changes with {' '.join(extra)}")


def test_fragments_without_reassembly():
    """With IP reassembly off TCP cannot know the length: the segment is reported
    as unknown-length, and bytes the peer's ACK proves become a gap."""
    off = ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]
    out = tft.follow(CAP("zeek_ipv4_frag_out_of_order.pcap"), "tcpfollowts,stream,1,fmt=json", off)
    rep = json.loads(out)
    classes = [s["class"] for s in rep["segments"]]
    tft.check("unknown-length" in classes, f"defragment off: classes {classes}")
    tft.check(rep["summary"]["dirs"][0]["unknown_length"] == 1, "defragment off: unknown_length count")
    tft.check(sum(g["len"] for g in rep["gaps"]) == 69, f"defragment off: gaps {rep['gaps']}")
    on = tft.follow_json(CAP("zeek_ipv4_frag_out_of_order.pcap"), "stream,1")
    tft.check(on["summary"]["dirs"][0]["bytes"] == 69 and not on["gaps"], "defragment on: 69 bytes, no gap")


GOLDEN_CASES = [
    ("sv_overlap_conflicting_data_vlan.text", "sv_overlap_conflicting_data_vlan.pcap", "tcpfollowts,stream,0"),
    ("sv_rst_with_data_vlan.hex.text", "sv_rst_with_data_vlan.pcap", "tcpfollowts,stream,0,data=hex,time=epoch"),
    ("zeek_tcp_fast_open.json", "zeek_tcp_fast_open_syn_data.pcap", "tcpfollowts,stream,1,fmt=json"),
    ("arkime_synthetic_s6.text", "arkime_tcp_reassembly_synthetic.pcap", "tcpfollowts,stream,6,time=delta"),
    ("zeek_overlaps_gaps.csv", "zeek_reassembly_overlaps_gaps.pcap", "tcpfollowts,stream,0,fmt=csv"),
    ("zeek_overlaps_gaps.losses.csv", "zeek_reassembly_overlaps_gaps.pcap", "tcpfollowts,stream,0,fmt=csv,table=losses"),
    # Wireshark >= 4.4 makes the late SYN of frame 101 a stream of its own (port reuse).
    ({(0, 0): "arkime_synthetic.all.text", (4, 4): "arkime_synthetic.all.ws4.4.text"},
     "arkime_tcp_reassembly_synthetic.pcap", "tcpfollowts,all"),
    ("ppp_midstream.all.csv", "ppp_http_midstream_bulk.pcap", "tcpfollowts,all,fmt=csv"),
    ("ppp_unidirectional_missing.text", "ppp_unidirectional_missing_packet.pcap", "tcpfollowts,stream,0,data=none"),
]


def test_golden():
    update = os.environ.get("TFT_UPDATE_GOLDEN") == "1"
    for name, cap, zarg in GOLDEN_CASES:
        if isinstance(name, dict):  # the output differs between Wireshark releases
            name = tft.by_version(name)
        out = tft.follow(CAP(cap), zarg)
        path = os.path.join(GOLDEN, name)
        if update:
            os.makedirs(GOLDEN, exist_ok=True)
            open(path, "w").write(out)
            continue
        want = open(path).read() if os.path.exists(path) else None
        tft.check(out == want, f"golden {name} differs (-z {zarg}); rerun with TFT_UPDATE_GOLDEN=1 if intended")


def main():
    tft.assert_plugin_loaded()
    for test in (test_bad_arguments, test_help, test_unknown_stream, test_addr_equals_stream,
                 test_several_reports_in_one_run, test_formats_agree, test_times, test_cut_short_capture,
                 test_preferences_do_not_change_the_report, test_fragments_without_reassembly,
                 test_golden):
        test()
    tft.done()


if __name__ == "__main__":
    main()
