#!/usr/bin/env python3
"""fmt=svg and fmt=html through the real tshark, on every stream of every
bundled capture and of every generated scenario (tests/tools/gencap.py and
gencap_diag.py), each compared with the JSON report of the same stream:
- the SVG is well-formed (xmllint --noout);
- per class, the frames of its marks (data-frame, class seg-<class>) are
  exactly the JSON's frames of that class; gaps (class gap, with seq and len),
  stalls, zero windows (class zero-window, with their frames) and timeouts
  (the silence before each timeout repair) are the JSON's;
- the HTML page: its CSP allows nothing but its own inline script and style
  by their sha256 (computed here from the page); its graph passes the same
  checks; its data block (from which the script draws the tables) decodes to
  the JSON's segments; its bytes view shows the JSON's kept bytes of each
  direction as Follow's ASCII (or hex) view would, with a block per gap;
- options: dir= draws only that direction, time=abs|epoch labels the time
  axis, data=hex|none for the bytes view;
- golden SVGs for two captures (TFT_UPDATE_GOLDEN=1 rewrites them);
- the markup_injection scenario (payloads that attack the page): no capture
  byte reaches the page as markup, the bytes show as text; tests/browser
  checks in Chromium that nothing runs.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import csv
import io
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import gencap  # noqa: E402
import pictures  # noqa: E402
import tft  # noqa: E402

GOLDEN = os.path.join(tft.ROOT, "tests", "golden")
GOLDENS = [  # (file, capture, -z)
    ("zeek_overlaps_gaps.svg", "zeek_reassembly_overlaps_gaps.pcap", "tcpfollowts,stream,0,fmt=svg"),
    ("sv_tor_ooo_lost_s1.server.abs.svg", "sv_tor_ooo_lost.pcap",
     "tcpfollowts,stream,1,fmt=svg,dir=server,time=abs"),
]
# (options, captures) run on top of the defaults
VARIANTS = [
    ("dir=server,time=abs,data=hex", ["sv_tor_ooo_lost.pcap", "zeek_reassembly_overlaps_gaps.pcap"]),
    ("dir=client,time=epoch,overlap=last", ["sv_tor_ooo_lost.pcap", "arkime_tcp_reassembly_synthetic.pcap"]),
    ("data=none,time=delta", ["sv_overlap_conflicting_data_vlan.pcap"]),
]
JOBS = int(os.environ.get("TFT_JOBS", min(4, os.cpu_count() or 1)))
# fmt=svg keeps which bytes were covered, not the bytes (as fmt=csv): a
# conflicting copy of bytes older than its 4 MiB payload window is not
# compared (docs/report.md, Memory). Where that changes a class, the graph is
# checked against fmt=csv, which reads the stream the same way.
LEAN_CLASSES = {
    "ndpi_reasm_crash_anon.pcapng": "seq jumps of 0.4-1.5 GB: copies of bytes far behind are retransmissions "
                                    "and overlaps to a lean engine, conflicts to a full one",
}


def run_reports(path, ids, fmt, extra=""):
    """The fmt= report of every stream in ids, from one tshark run."""
    args = ["-r", path, "-q"]
    for s in ids:
        args += ["-z", f"tcpfollowts,stream,{s},fmt={fmt}{extra}"]
    rc, out, err = tft.tshark(args)
    allowed = tft.CUT_SHORT.get(os.path.basename(path))
    problems = [l for l in err.splitlines() if l.strip() and not (allowed and allowed in l)]
    tft.check(rc == 0 or (allowed and rc in tft.CUT_SHORT_EXIT), f"{path} fmt={fmt}{extra}: tshark exit {rc}")
    tft.check(not problems, f"{path} fmt={fmt}{extra}: stderr {problems[:3]}")
    if fmt == "json":
        return tft.reports(out)
    return pictures.split_outputs(out, "<?xml " if fmt == "svg" else "<!DOCTYPE html>")


def xmllint(text):
    p = subprocess.run(["xmllint", "--noout", "-"], input=text.encode("utf-8"), capture_output=True, timeout=60)
    return p.stderr.decode("utf-8", "replace")[:500] if p.returncode else ""


def options(extra):
    return dict(kv.split("=") for kv in extra.split(",") if kv)


def check_svg(what, text, report, opts):
    diffs = []
    problem = xmllint(text)
    if problem:
        return [f"{what}: xmllint: {problem}"]
    root = pictures.parse_svg(text)
    diffs += pictures.check_graph(root, report, what)
    want_dirs = {"client": [0], "server": [1]}.get(opts.get("dir"), [0, 1])
    if pictures.panel_dirs(root) != want_dirs:
        diffs.append(f"{what}: panels {pictures.panel_dirs(root)}, expected {want_dirs}")
    title = {"abs": "time (UTC, ", "epoch": "time (seconds since the epoch)"}.get(
        opts.get("time"), "time (seconds since the first segment)")
    if title not in text:
        diffs.append(f"{what}: no time axis titled {title!r}")
    return diffs


def check_html(what, text, report, opts):
    try:
        parts = pictures.html_parts(text)
    except (ValueError, KeyError) as e:
        return [f"{what}: not the report page ({e})"]
    diffs = pictures.check_csp(parts, what)
    diffs += [f"{what}: {p}" for p in pictures.foreign_markup(text)]
    if "<" in parts["data_text"]:
        diffs.append(f"{what}: the data block holds a '<'")
    try:
        root = pictures.parse_svg(parts["svg"])
    except Exception as e:  # noqa: BLE001 - any parse error is the finding
        return diffs + [f"{what}: the graph is not well-formed: {e}"]
    diffs += pictures.check_graph(root, report, what + " graph")
    shown = [d for d in (0, 1) if parts["data"]["dirs"][d]]
    got = [s for s in pictures.decode_segments(parts["data"]) if s["dir"] in shown]
    want = pictures.json_segments(report)
    if got != want:
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        diffs.append(f"{what}: data block segment {first} differs: {got[first:first + 1]} vs JSON "
                     f"{want[first:first + 1]} ({len(got)} vs {len(want)} segments)")
    if opts.get("data") == "none":
        if "Not shown (data=none)" not in text:
            diffs.append(f"{what}: data=none still shows bytes")
        return diffs
    seen, gaps, _ = pictures.bytes_view(text)
    want_text, want_gaps = pictures.expected_bytes(report, opts.get("data") == "hex")
    for d in shown:
        if seen[d] != want_text[d]:
            at = next((i for i, (a, b) in enumerate(zip(seen[d], want_text[d])) if a != b),
                      min(len(seen[d]), len(want_text[d])))
            diffs.append(f"{what}: dir {d} bytes view differs at {at}: {seen[d][at:at + 40]!r} vs "
                         f"{want_text[d][at:at + 40]!r} ({len(seen[d])} vs {len(want_text[d])} chars)")
        if gaps[d] != want_gaps[d]:
            diffs.append(f"{what}: dir {d}: {gaps[d]} gap blocks, expected {want_gaps[d]}")
    return diffs


def check_capture(path, extra=""):
    """Every stream of a capture in fmt=json, svg and html; the differences found."""
    ids = tft.tcp_stream_ids(path)
    reports = run_reports(path, ids, "json", extra)
    svgs = run_reports(path, ids, "svg", extra)
    htmls = run_reports(path, ids, "html", extra)
    name = os.path.basename(path)
    if not (len(reports) == len(svgs) == len(htmls) == len(ids)):
        return [f"{name}{extra}: {len(ids)} streams, {len(reports)} json, {len(svgs)} svg, {len(htmls)} html reports"]
    diffs = []
    opts = options(extra)
    for report, svg, page in zip(reports, svgs, htmls):
        what = f"{name} stream {report['stream']}{extra}"
        lean = lean_report(path, report, extra) if name in LEAN_CLASSES else report
        diffs += check_svg(what + " svg", svg, lean, opts)
        diffs += check_html(what + " html", page, report, opts)
    return diffs


def lean_report(path, report, extra):
    """The JSON report with the classes fmt=csv gives its segments."""
    out = tft.follow(path, f"tcpfollowts,stream,{report['stream']},fmt=csv{extra}")
    classes = {int(r["frame"]): r["class"] for r in csv.DictReader(io.StringIO(out))}
    return dict(report, segments=[dict(s, **{"class": classes[s["frame"]]}) for s in report["segments"]])


def check_all(paths):
    jobs = [(p, "") for p in paths]
    jobs += [(os.path.join(tft.CAPTURES, c), "," + o) for o, caps in VARIANTS for c in caps]
    with ThreadPoolExecutor(JOBS) as pool:
        for (path, extra), diffs in zip(jobs, pool.map(lambda j: check_capture(*j), jobs)):
            for d in diffs:
                tft.check(False, d)
    return len(jobs)


def check_goldens():
    update = os.environ.get("TFT_UPDATE_GOLDEN") == "1"
    for name, capture, zarg in GOLDENS:
        out = tft.follow(os.path.join(tft.CAPTURES, capture), zarg)
        again = tft.follow(os.path.join(tft.CAPTURES, capture), zarg)
        tft.check(out == again, f"{zarg} on {capture}: two runs differ (not deterministic)")
        path = os.path.join(GOLDEN, name)
        if update:
            with open(path, "w", encoding="utf-8") as f:
                f.write(out)
            continue
        with open(path, encoding="utf-8") as f:
            want = f.read()
        tft.check(out == want, f"golden {name} differs (-z {zarg} on {capture}); rerun with "
                               f"TFT_UPDATE_GOLDEN=1 if intended")


def check_injection(path):
    """No capture byte of the attacking payloads reaches the page as markup."""
    html = tft.follow(path, "tcpfollowts,stream,0,fmt=html")
    svg = tft.follow(path, "tcpfollowts,stream,0,fmt=svg")
    report = tft.follow_json(path, "stream,0")
    for attack in gencap.MARKUP_ATTACKS:
        text = attack.decode("latin-1")
        for page, kind in ((html, "html"), (svg, "svg")):
            tft.check(text not in page, f"injection {kind}: {text!r} appears unescaped")
    problems = pictures.foreign_markup(html)
    tft.check(not problems, f"injection html: markup from the capture: {problems[:5]}")
    tft.check(not xmllint(svg) and "]]>" not in svg, "injection svg: not well-formed, or ']]>' in it")
    seen, gaps, _ = pictures.bytes_view(html)
    for attack in gencap.MARKUP_ATTACKS:
        tft.check(pictures.follow_ascii(attack) in seen[0] + seen[1],
                  f"injection html: the bytes view does not show {attack!r} as text")
    tft.check(gaps[1] == 1 and report["gaps"], f"injection html: gap blocks {gaps}")
    tft.check("\ufffd" not in seen[0] + seen[1], "injection html: invalid UTF-8 became U+FFFD, not '.'")


def check_refusals(path):
    rc, out, err = tft.tshark(["-r", path, "-q", "-z", "tcpfollowts,stream,9,fmt=html"])
    tft.check(rc == 0 and not out and "no TCP segment matches stream 9" in err,
              f"fmt=html for a missing stream: rc={rc} out={out[:80]!r} err={err[:120]!r}")
    for fmt in ("svg", "html"):
        rc, out, err = tft.tshark(["-r", path, "-q", "-z", f"tcpfollowts,all,fmt={fmt}"])
        tft.check(rc != 0 and f"fmt={fmt} shows one stream" in err, f"all,fmt={fmt}: rc={rc} err={err[:120]!r}")


def main():
    tft.assert_plugin_loaded()
    with tempfile.TemporaryDirectory(prefix="tft-pictures-") as gen:
        os.chmod(gen, 0o755)
        generated = []
        for tool in ("gencap", "gencap_diag"):
            out = os.path.join(gen, tool)
            os.makedirs(out)
            os.chmod(out, 0o755)
            subprocess.run([sys.executable, os.path.join(HERE, "..", "tools", tool + ".py"), "scenarios", "--out", out],
                           check=True, stdout=subprocess.DEVNULL)
            for f in os.listdir(out):
                os.chmod(os.path.join(out, f), 0o644)
            generated += sorted(os.path.join(out, f) for f in os.listdir(out) if f.endswith(".pcap"))
        bundled = [os.path.join(tft.CAPTURES, c) for c in tft.capture_files()]
        runs = check_all(bundled + generated)
        injection = os.path.join(gen, "gencap", "markup_injection.pcap")
        check_injection(injection)
        check_refusals(injection)
    check_goldens()
    print(f"{len(bundled)} bundled and {len(generated)} generated captures, {runs} runs of json, svg and html")
    tft.done()


if __name__ == "__main__":
    main()
