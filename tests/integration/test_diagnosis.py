#!/usr/bin/env python3
"""Integration test: the diagnosis (issue 10) on generated captures with known truth.

tests/tools/gencap_diag.py writes one small capture per cause (dup-ACK fast
retransmit at the sender and at the receiver, with SACK, RTO with backoff, an
unresponsive peer, reordering, spurious and D-SACK, zero window with Linux
probes, window-limited and idle senders, retransmitted and unanswered SYNs)
with its truth, computed from the scenario definition by a reference model of
docs/report.md "Diagnosis" and by hand — never by the plugin. For each one this
test checks:

  1. the capture itself against plain Wireshark: the tcp.analysis.* flags on
     every frame, bytes_in_flight against our in_flight and ack_rtt against our
     rtt (differences are declared and explained by the scenario);
  2. the plugin's JSON (-z tcpfollowts,stream,0,fmt=json): per segment class,
     in_flight, peer_win, rtt, episode, syn_retransmission; summary.episodes,
     zero_windows, dirs[d] (active, time, repairs, zero_window, max_in_flight,
     rtt), turns (active, time), handshake, capture_point, unresponsive —
     counts, frames and classes exactly, times to the nanosecond;
  3. the text report's closing diagnosis mentions what the scenario is about;
  4. fmt=csv carries in_flight, peer_win, rtt, cause and lost with the JSON's values.

Environment: TFT_BUILD_DIR / TFT_PLUGIN_DIR as for tests/lib/tft.py;
TFT_DIAG_ONLY=a,b runs only these scenarios; TFT_DIAG_KEEP=DIR keeps the files.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))

import gencap_diag  # noqa: E402
import tft  # noqa: E402

TIME = re.compile(r"^-?\d+\.\d{9}$")     # how the truth writes seconds
SEGMENT_KEYS = ["class", "in_flight", "peer_win", "rtt", "episode", "cause", "lost", "syn_retransmission"]
DIR_KEYS = ["active", "time", "repairs", "zero_window", "max_in_flight"]
CSV_COLUMNS = ["in_flight", "peer_win", "rtt", "cause", "lost"]


def as_decimal(v):
    if isinstance(v, bool) or v is None:
        return None
    try:
        return Decimal(str(v))
    except ArithmeticError:
        return None


def diff(path, want, got, out):
    """Append to out every difference between the truth `want` and the report's `got`:
    seconds (strings with 9 decimals) compare as numbers to the nanosecond, dicts on
    the truth's keys (the report may have more), lists item by item."""
    if isinstance(want, str) and TIME.match(want):
        g = as_decimal(got)
        if g is None or g.quantize(Decimal("1e-9")) != Decimal(want) or abs(g - Decimal(want)) >= Decimal("1e-9"):
            out.append("%s: expected %s, got %s" % (path, want, json.dumps(got, default=str)))
    elif isinstance(want, dict):
        if not isinstance(got, dict):
            out.append("%s: expected an object %s, got %s" % (path, json.dumps(want), json.dumps(got, default=str)))
            return
        for k, v in want.items():
            if k not in got:
                out.append("%s.%s: missing (expected %s)" % (path, k, json.dumps(v)))
            else:
                diff("%s.%s" % (path, k), v, got[k], out)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            out.append("%s: expected %d item(s) %s, got %s" % (path, len(want), json.dumps(want),
                                                             json.dumps(got, default=str)))
            return
        for i, (w, g) in enumerate(zip(want, got)):
            diff("%s[%d]" % (path, i), w, g, out)
    elif want != got or isinstance(want, bool) != isinstance(got, bool):
        out.append("%s: expected %s, got %s" % (path, json.dumps(want), json.dumps(got, default=str)))


def segment_view(seg):
    """A report segment's diagnosis fields as the truth writes them: `episode` the index
    into summary.episodes, `cause` and `lost` its episode's (absent = null),
    `syn_retransmission` a boolean (absent = false)."""
    view = {k: seg.get(k) for k in SEGMENT_KEYS}
    view["syn_retransmission"] = bool(seg.get("syn_retransmission"))
    return view


def check_report(truth, rep):
    problems = []
    got_segs = {s["frame"]: s for s in rep.get("segments", [])}
    for want in truth["segments"]:
        got = got_segs.get(want["frame"])
        if got is None:
            problems.append("frame %d: not in the report" % want["frame"])
            continue
        diff("frame %d" % want["frame"], {k: want[k] for k in SEGMENT_KEYS}, segment_view(got), problems)
    summ = rep.get("summary", {})
    ts = truth["summary"]
    for key in ("episodes", "zero_windows", "capture_point", "unresponsive"):
        if key not in summ:
            problems.append("summary.%s: missing" % key)
        else:
            diff("summary." + key, ts[key], summ[key], problems)
    diff("summary.handshake", ts["handshake"], summ.get("handshake"), problems)
    dirs = summ.get("dirs", [])
    for d in (0, 1):
        got = dirs[d] if d < len(dirs) else {}
        diff("summary.dirs[%d]" % d, {k: ts["dirs"][d][k] for k in DIR_KEYS}, got, problems)
        check_rtt_stats("summary.dirs[%d].rtt" % d, ts["dirs"][d]["rtt"], got.get("rtt", "missing"), problems)
    turns = summ.get("turns", [])
    if len(turns) != len(ts["turns"]):
        problems.append("summary.turns: expected %d, got %d" % (len(ts["turns"]), len(turns)))
    else:
        for i, (w, g) in enumerate(zip(ts["turns"], turns)):
            diff("summary.turns[%d]" % i, w, g, problems)
    return problems


def check_rtt_stats(path, want, got, problems):
    """samples, min and max exactly; median and p90 between them (their percentile
    method is not part of the definitions)."""
    if want is None:
        if got is not None:
            problems.append("%s: expected null, got %s" % (path, json.dumps(got, default=str)))
        return
    if not isinstance(got, dict):
        problems.append("%s: expected %s, got %s" % (path, json.dumps(want), json.dumps(got, default=str)))
        return
    diff(path, want, got, problems)
    vals = [as_decimal(got.get(k)) for k in ("min", "median", "p90", "max")]
    if None in vals or vals != sorted(vals):
        problems.append("%s: min <= median <= p90 <= max does not hold: %s" % (path, json.dumps(got, default=str)))


def diagnosis_part(text):
    """The text report's closing diagnosis: from its last line starting with 'diagnosis'."""
    lines = text.splitlines()
    starts = [i for i, l in enumerate(lines) if re.match(r"\s*diagnosis\b", l, re.I)]
    return "\n".join(lines[starts[-1]:]) if starts else None


def check_text(truth, text):
    part = diagnosis_part(text)
    if part is None:
        return ["text: no closing 'diagnosis' part"]
    flat = " ".join(part.split())       # the report wraps its lines
    return ["text diagnosis does not match /%s/:\n%s" % (rx, part)
            for rx in truth["text"] if not re.search(rx, flat, re.I)]


def check_csv(rep, out):
    rows = list(csv.DictReader(io.StringIO(out)))
    missing = [c for c in CSV_COLUMNS if not rows or c not in rows[0]]
    if missing:
        return ["csv: no column(s) %s (header: %s)" % (",".join(missing), out.split("\n", 1)[0])]
    problems = []
    by_frame = {s["frame"]: s for s in rep.get("segments", [])}
    for row in rows:
        seg = by_frame.get(int(row["frame"]))
        if seg is None:
            problems.append("csv frame %s: not in the JSON" % row["frame"])
            continue
        for c in CSV_COLUMNS:
            j, v = seg.get(c), row[c]
            same = (v == "") if j is None else v == j if isinstance(j, str) else as_decimal(v) == as_decimal(j)
            if not same:
                problems.append("csv frame %s %s: %r, the JSON has %s" % (row["frame"], c, v, j))
    return problems


def check_wireshark(truth, pcap):
    """The capture as plain Wireshark sees it: the declared tcp.analysis flags on exactly
    their frames, bytes_in_flight equal to our in_flight where both define one (or the
    declared Wireshark value), ack_rtt on an ACK equal to our rtt on the segment it
    acknowledges, unless ours has none by Karn's rule (a re-send, or a segment re-sent
    before the ACK: Wireshark measures those too)."""
    flags = list(truth["wireshark"])
    fields = ["frame.number", "tcp.analysis.bytes_in_flight", "tcp.analysis.acks_frame",
              "tcp.analysis.ack_rtt"] + flags
    args = ["-r", pcap, "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        args += ["-e", f]
    rc, out, err = tft.tshark(args)
    if rc != 0:
        return ["tshark -T fields: rc=%d %s" % (rc, err.strip())]
    segs = {s["frame"]: s for s in truth["segments"]}
    problems, seen = [], {f: [] for f in flags}
    for line in out.splitlines():
        v = line.split("\t")
        frame = int(v[0])
        for f, x in zip(flags, v[4:]):
            if x:
                seen[f].append(frame)
        if v[1]:
            want = truth["wireshark_in_flight"].get(str(frame), {"value": segs[frame]["in_flight"]})["value"]
            if int(v[1]) != want:
                problems.append("wireshark frame %d: bytes_in_flight %s, expected %d" % (frame, v[1], want))
        if v[2] and v[3]:
            acked = segs[int(v[2])]
            if acked["rtt"] is None:
                lo, hi = acked["seq"], acked["seq"] + acked["len"]
                resent = any(acked["frame"] < s["frame"] < frame and s["dir"] == acked["dir"]
                             and s["len"] and s["seq"] < hi and lo < s["seq"] + s["len"]
                             for s in truth["segments"])
                sample_class = acked["class"] in ("new", "out-of-order", "zero-window-probe")
                if acked["len"] and sample_class and not resent:
                    problems.append("wireshark frame %d: ack_rtt %s for frame %s, which has no rtt in the truth"
                                    % (frame, v[3], v[2]))
            elif Decimal(v[3]) != Decimal(acked["rtt"]):
                problems.append("wireshark frame %d: ack_rtt %s for frame %s, truth rtt %s"
                                % (frame, v[3], v[2], acked["rtt"]))
    for f in flags:
        if seen[f] != truth["wireshark"][f]:
            problems.append("wireshark %s on frames %s, the scenario declares %s" % (f, seen[f], truth["wireshark"][f]))
    return problems


def run(pcap, opts):
    z = "tcpfollowts,stream,0" + ("," + opts if opts else "")
    rc, out, err = tft.tshark(["-r", pcap, "-q", "-z", z])
    if rc != 0 or err.strip():
        return None, ["tshark -z %s: rc=%d stderr: %s" % (z, rc, err.strip())]
    return out, []


def check_scenario(truth, pcap):
    problems = check_wireshark(truth, pcap)
    out, p = run(pcap, "fmt=json")
    problems += p
    rep = None
    if out is not None:
        try:
            rep = json.loads(out, parse_float=Decimal)
        except ValueError as e:
            problems.append("fmt=json: not JSON (%s)" % e)
    if rep is not None:
        problems += check_report(truth, rep)
        out, p = run(pcap, "fmt=csv")
        problems += p if out is None else check_csv(rep, out)
    out, p = run(pcap, "data=none")
    problems += p if out is None else check_text(truth, out)
    return problems


def main():
    names = [n for n, *_ in gencap_diag.SCENARIOS]
    only = os.environ.get("TFT_DIAG_ONLY")
    if only:
        names = [n for n in names if n in only.split(",")]
    keep = os.environ.get("TFT_DIAG_KEEP")
    out_dir = os.path.abspath(keep) if keep else tempfile.mkdtemp(prefix="tft-diag-")
    os.makedirs(out_dir, exist_ok=True)
    os.chmod(out_dir, 0o755)            # tshark runs as nobody
    line = tft.assert_plugin_loaded()
    print("plugin: " + " ".join(line.split()))
    try:
        for name in names:
            pcap, truth = gencap_diag.write(gencap_diag.build(name), out_dir)
            for f in os.listdir(out_dir):
                os.chmod(os.path.join(out_dir, f), 0o644)
            problems = check_scenario(truth, pcap)
            if problems:
                print("FAIL %s (%s)\n  %s" % (name, pcap, "\n  ".join(p.replace("\n", "\n    ")
                                                                   for p in problems)))
                tft.check(False, "%s: %d problem(s)" % (name, len(problems)))
            else:
                print("ok   %s" % name)
    finally:
        if not keep:
            shutil.rmtree(out_dir, ignore_errors=True)
    tft.done()


if __name__ == "__main__":
    main()
