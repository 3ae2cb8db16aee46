#!/usr/bin/env python3
"""Integration test: generated captures with known truth.

tests/tools/gencap.py writes every scenario (pcap + NAME.truth.json, the truth
computed from the scenario definition by a reference model, never by the
plugin); this test runs the real tshark with the built plugin on each stream of
each scenario, in several variants (overlap=first, overlap=last, tap=tree, and
the addr selection for multi-stream captures), and compares the JSON report with
the truth: nodes, every segment (seq, nxtseq, ack, flags, win, len, class,
new_bytes, captured, conflict_bytes, time, rel), the chunks (seq, len, kept
frame, time, data), the kept bytes per direction, the gaps (with cause) and the
summary counts. It also checks the bulk and many generators on small sizes.

Environment:
  TFT_BUILD_DIR / TFT_PLUGIN_DIR   as for tests/lib/tft.py
  TFT_GEN_ONLY=a,b                 only these scenarios (and no bulk/many checks)
  TFT_GEN_SKIP=a,b                 all scenarios but these
  TFT_GEN_KEEP=DIR                 write the captures to DIR and keep them
  TFT_JOBS=N                       parallel tshark runs (default: CPU count, max 4)

Exit status: 0 when every check passed, 1 otherwise (a diff is printed for each).

SPDX-License-Identifier: GPL-2.0-or-later
"""
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))

import gencap  # noqa: E402
import tft  # noqa: E402

SEGMENT_KEYS = ["frame", "time", "rel", "dir", "seq", "nxtseq", "ack", "flags", "win", "len",
                "class", "new_bytes", "captured", "conflict_bytes"]
CHUNK_KEYS = ["dir", "seq", "len", "frame", "time", "rel"]
GAP_KEYS = ["dir", "seq", "len", "after_frame", "before_frame", "cause"]
SUMMARY_KEYS = ["bytes", "missing", "gaps", "segments", "retransmissions", "overlaps",
                "out_of_order", "conflicts", "conflict_bytes", "keep_alives",
                "zero_window_probes", "first", "last"]

# (name, policy whose truth applies, extra -z options)
VARIANTS = [
    ("overlap=first", "first", ""),
    ("overlap=last", "last", "overlap=last"),
    ("tap=tree", "first", "tap=tree"),
]


def rnd9(x):
    return None if x is None else round(float(x), 9)


def digest(hexdata):
    return "%d bytes sha1:%s" % (len(hexdata) // 2, hashlib.sha1(hexdata.encode()).hexdigest()[:12])


def project(item, keys):
    out = {}
    for k in keys:
        v = item.get(k)
        out[k] = rnd9(v) if k == "rel" else v
    return out


def merge_chunks(chunks):
    """Adjacent chunks of one direction kept from the same frame are one run of
    bytes: how the plugin splits them internally is not part of the contract."""
    out = []
    for c in chunks:
        prev = out[-1] if out else None
        if prev and prev["dir"] == c["dir"] and prev["frame"] == c["frame"] and \
                prev["seq"] + prev["len"] == c["seq"]:
            prev["len"] += c["len"]
            prev["data"] += c["data"]
        else:
            out.append(dict(c))
    return out


def list_diff(title, want, got):
    """A unified diff of two lists of dicts, one JSON line per item; '' if equal."""
    a = [json.dumps(x, sort_keys=False) for x in want]
    b = [json.dumps(x, sort_keys=False) for x in got]
    if a == b:
        return ""
    lines = difflib.unified_diff(a, b, "expected " + title, "plugin " + title, lineterm="", n=2)
    return "\n".join(lines)


def compare(truth_stream, policy, report):
    """Every difference between the truth (one stream, one policy) and a report."""
    want = truth_stream["policies"][policy]
    diffs = []
    if report.get("stream") != truth_stream["stream"]:
        diffs.append("stream: expected %s, got %s" % (truth_stream["stream"], report.get("stream")))
    d = list_diff("nodes", truth_stream["nodes"],
                  [project(n, ["addr", "port", "base_seq"]) for n in report.get("nodes", [])])
    if d:
        diffs.append(d)

    d = list_diff("segments", [project(s, SEGMENT_KEYS) for s in want["segments"]],
                  [project(s, SEGMENT_KEYS) for s in report.get("segments", [])])
    if d:
        diffs.append(d)

    got_chunks = merge_chunks(report.get("chunks", []))
    wc = [dict(project(c, CHUNK_KEYS), data=digest(c["data"])) for c in want["chunks"]]
    gc = [dict(project(c, CHUNK_KEYS), data=digest(c.get("data", ""))) for c in got_chunks]
    d = list_diff("chunks", wc, gc)
    if d:
        diffs.append(d)

    for direction in (0, 1):
        exp = bytes.fromhex(want["kept_hex"][direction])
        got = tft.kept_bytes(report, direction)
        if exp != got:
            at = next((i for i in range(min(len(exp), len(got))) if exp[i] != got[i]),
                      min(len(exp), len(got)))
            diffs.append("kept bytes dir %d: expected %d bytes, got %d; first difference at byte %d:\n"
                         "  expected ...%r\n  got      ...%r"
                         % (direction, len(exp), len(got), at, exp[at:at + 24], got[at:at + 24]))

    d = list_diff("gaps", [project(g, GAP_KEYS) for g in want["gaps"]],
                  [project(g, GAP_KEYS) for g in report.get("gaps", [])])
    if d:
        diffs.append(d)

    got_dirs = report.get("summary", {}).get("dirs", [])
    d = list_diff("summary.dirs", [project(s, SUMMARY_KEYS) for s in want["summary"]["dirs"]],
                  [project(s, SUMMARY_KEYS) for s in got_dirs])
    if d:
        diffs.append(d)
    return diffs


def addr_selection(truth_stream):
    eps = []
    for n in truth_stream["nodes"]:
        a = n["addr"]
        eps.append(("[%s]:%d" if ":" in a else "%s:%d") % (a, n["port"]))
    return "addr,%s,%s" % (eps[1], eps[0])   # reversed on purpose: either order selects


def run_report(pcap, selection, opts):
    z = "tcpfollowts,%s,fmt=json%s" % (selection, "," + opts if opts else "")
    rc, out, err = tft.tshark(["-r", pcap, "-q", "-z", z])
    problems = []
    if rc != 0:
        problems.append("tshark exit status %d" % rc)
    if err.strip():
        problems.append("stderr not empty:\n" + err.rstrip())
    report = None
    try:
        report = json.loads(out)
    except ValueError as e:
        problems.append("stdout is not one JSON object (%s):\n%s" % (e, out[:2000]))
    return z, report, problems


class Job:
    def __init__(self, label, pcap, selection, opts, truth_stream, policy):
        self.label, self.pcap, self.selection, self.opts = label, pcap, selection, opts
        self.truth_stream, self.policy = truth_stream, policy

    def run(self):
        z, report, problems = run_report(self.pcap, self.selection, self.opts)
        if report is not None:
            problems += compare(self.truth_stream, self.policy, report)
        return z, problems


def scenario_jobs(out_dir, names):
    jobs = []
    for name in names:
        cap = gencap.build_scenario(name)
        pcap, truth = gencap.write_scenario(cap, out_dir)
        pairs = set()
        for st in truth["streams"]:
            for vname, policy, opts in VARIANTS:
                jobs.append(Job("%s stream %d %s" % (name, st["stream"], vname), pcap,
                                "stream,%d" % st["stream"], opts, st, policy))
            pair = frozenset((n["addr"], n["port"]) for n in st["nodes"])
            first_of_pair = pair not in pairs    # addr follows the first stream of a 4-tuple
            pairs.add(pair)
            if first_of_pair and (len(truth["streams"]) > 1 or name == "ipv6"):
                jobs.append(Job("%s stream %d addr" % (name, st["stream"]), pcap,
                                addr_selection(st), "", st, "first"))
    return jobs


def many_jobs(out_dir):
    out = os.path.join(out_dir, "many.pcap")
    gencap.main(["many", "--out", out, "--streams", "6", "--seed", "3", "--truth", "--quiet"])
    with open(out + ".truth.json") as f:
        truth = json.load(f)
    jobs = []
    for st in truth["streams"]:
        jobs.append(Job("many stream %d" % st["stream"], out, "stream,%d" % st["stream"], "", st, "first"))
    return jobs


class BulkJob:
    label = "bulk (summary counts)"

    def __init__(self, out_dir):
        self.pcap = os.path.join(out_dir, "bulk.pcap")
        gencap.main(["bulk", "--out", self.pcap, "--segments", "4000", "--reorder", "0.03",
                     "--loss", "0.01", "--retrans", "0.01", "--seed", "5", "--quiet"])
        with open(self.pcap + ".truth.json") as f:
            self.truth = json.load(f)

    def run(self):
        z, report, problems = run_report(self.pcap, "stream,0", "")
        if report is not None:
            keys = list(self.truth["summary"]["dirs"][0].keys())
            want = [{k: d[k] for k in keys} for d in self.truth["summary"]["dirs"]]
            got = [{k: d.get(k) for k in keys} for d in report.get("summary", {}).get("dirs", [])]
            diff = list_diff("summary.dirs", want, got)
            if diff:
                problems.append(diff)
        return z, problems


def main():
    names = [n for n, *_ in gencap.SCENARIOS]
    only = os.environ.get("TFT_GEN_ONLY")
    if only:
        names = [n for n in names if n in only.split(",")]
    skip = os.environ.get("TFT_GEN_SKIP")
    if skip:
        names = [n for n in names if n not in skip.split(",")]
    keep = os.environ.get("TFT_GEN_KEEP")
    if keep:
        out_dir = os.path.abspath(keep)
        os.makedirs(out_dir, exist_ok=True)
    else:
        out_dir = tempfile.mkdtemp(prefix="tft-gen-")
    os.chmod(out_dir, 0o755)            # tshark runs as nobody

    line = tft.assert_plugin_loaded()
    print("plugin: " + " ".join(line.split()))
    tft.env()                            # create the private home once, before threads

    try:
        jobs = scenario_jobs(out_dir, names)
        if not only:
            jobs += many_jobs(out_dir)
            jobs.append(BulkJob(out_dir))
        for f in os.listdir(out_dir):
            os.chmod(os.path.join(out_dir, f), 0o644)
        njobs = int(os.environ.get("TFT_JOBS", min(4, os.cpu_count() or 1)))
        failed = 0
        with ThreadPoolExecutor(max_workers=njobs) as ex:
            results = list(ex.map(lambda j: (j, j.run()), jobs))
        for job, (z, problems) in results:
            if problems:
                failed += 1
                print("FAIL %s\n  tshark -r %s -q -z %s" % (job.label, job.pcap, z))
                for p in problems:
                    print("    " + p.replace("\n", "\n    "))
                tft.check(False, job.label)
            else:
                print("ok   %s" % job.label)
        print("%d/%d runs passed (%d scenarios)" % (len(results) - failed, len(results), len(names)))
    finally:
        if not keep:
            shutil.rmtree(out_dir, ignore_errors=True)
    tft.done()


if __name__ == "__main__":
    main()
