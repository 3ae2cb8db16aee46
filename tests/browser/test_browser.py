#!/usr/bin/env python3
"""The HTML report in a real browser: Debian's chromium, headless, driven by
playwright-core (tests/browser/check_report.js; `npm ci` here installs it,
no browser is downloaded).

For reports of bundled captures with marks of several classes and gaps, and
of the generated markup_injection capture (payloads that attack the page):
- the page loads and its script finishes with no console message of type
  error or warning, no page error, no dialog and no request at all;
- the marks in the DOM, per class, are the JSON report's frames of that
  class; the gaps, stalls, zero windows and timeouts are the JSON's count;
- every table (turns, stalls, losses, loss episodes, zero windows, segments)
  drew the rows in its view, the segment table the JSON's first frames;
- a wheel over the graph narrows the visible time range, Reset restores it;
- the pointer over a mark shows its tooltip (frame, time, seq and len,
  class); a mouse click on it highlights that segment's row in the table;
- the injection capture: window.tftPwned stays unset (nothing ran) and the
  bytes view shows each attacking payload as text.
A screenshot of the first report goes to TFT_BROWSER_SCREENSHOTS (default
<build>/browser-screenshots; docs/images holds the published one).

SPDX-License-Identifier: GPL-2.0-or-later
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import gencap  # noqa: E402
import pictures  # noqa: E402
import tft  # noqa: E402

CHROMIUM = os.environ.get("TFT_CHROMIUM", "/usr/bin/chromium")
# (capture, stream, options): the first is the README's screenshot
PAGES = [
    ("zeek_reassembly_overlaps_gaps.pcap", 0, ""),
    ("sv_tor_ooo_lost.pcap", 0, ""),
    ("sv_tor_ooo_lost.pcap", 1, ",time=abs"),
    ("arkime_wireshark_retrans.pcap", 0, ",dir=server"),
]
# (generator, scenario, options) of tests/tools: zero windows, timeouts with
# backoff, and, last, the capture whose payloads attack the page
GENERATED = [
    ("gencap_diag", "zero_window_probes", ",time=epoch"),
    ("gencap_diag", "rto_backoff", ""),
    ("gencap", "markup_injection", ""),
]
SCREENSHOT = "html-report.png"


def screenshot_dir():
    d = os.environ.get("TFT_BROWSER_SCREENSHOTS", os.path.join(tft.build_dir(), "browser-screenshots"))
    os.makedirs(d, exist_ok=True)
    return d


def write_report(capture, stream, opts, out_dir):
    """The HTML report (a file) and the JSON report (parsed) of a stream."""
    name = f"{os.path.splitext(os.path.basename(capture))[0]}-{stream}{opts.replace(',', '_').replace('=', '-')}"
    html = tft.follow(capture, f"tcpfollowts,stream,{stream},fmt=html{opts}")
    path = os.path.join(out_dir, name + ".html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    os.chmod(path, 0o644)
    return path, tft.follow_json(capture, f"stream,{stream}", opts.lstrip(","))


def run_browser(pages):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"pages": pages, "chromium": CHROMIUM}, spec)
    try:
        p = subprocess.run(["node", os.path.join(HERE, "check_report.js"), spec.name], capture_output=True,
                           text=True, timeout=900, cwd=HERE)
    finally:
        os.unlink(spec.name)
    if p.returncode:
        tft.fail(f"check_report.js failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return json.loads(p.stdout)


def check_page(what, got, report):
    tft.check(got["ready"], f"{what}: the script did not finish")
    noise = [m for m in got["console"] if m["type"] in ("error", "warning")]
    tft.check(not noise and not got["errors"] and not got["dialogs"],
              f"{what}: console {noise[:3]}, page errors {got['errors'][:3]}, dialogs {got['dialogs'][:3]}")
    tft.check(not got["requests"], f"{what}: the page requested {got['requests'][:3]}")
    want = pictures.expected_marks(report)
    marks = {k: sorted(set(v)) for k, v in got["marks"].items()}
    for k in pictures.MARK_CLASSES:
        tft.check(marks.pop(k, []) == sorted(want[k]),
                  f"{what}: seg-{k} marks in the DOM {got['marks'].get(k, [])[:10]} != JSON {sorted(want[k])[:10]}")
    tft.check(not marks, f"{what}: marks of other classes {list(marks)}")
    tft.check(got["gaps"] == len(report["gaps"]), f"{what}: {got['gaps']} gaps in the DOM, JSON {len(report['gaps'])}")
    tft.check(got["stalls"] == len(report["summary"]["stalls"]),
              f"{what}: {got['stalls']} stalls in the DOM, JSON {len(report['summary']['stalls'])}")
    zero_windows, timeouts = pictures.expected_zero_windows(report), pictures.expected_timeouts(report)
    tft.check(got["zero_windows"] == len(zero_windows),
              f"{what}: {got['zero_windows']} zero windows in the DOM, JSON {len(zero_windows)}")
    tft.check(got["timeouts"] == len(timeouts), f"{what}: {got['timeouts']} timeouts in the DOM, JSON {len(timeouts)}")
    first = [s["frame"] for s in report["segments"][:5]]
    tft.check(got["segment_rows"] == first, f"{what}: segment table starts {got['segment_rows']}, JSON {first}")
    summary = report["summary"]
    for table, rows in (("turns", summary["turns"]), ("stalls", summary["stalls"]), ("losses", summary["losses"]),
                        ("episodes", summary["episodes"]), ("zero-windows", summary["zero_windows"]),
                        ("segments", report["segments"])):
        want = min(len(rows), 25)  # rows in view plus a few (report.js TABLE_ROWS + 5)
        tft.check(got["table_rows"].get(table) == want,
                  f"{what}: table {table} drew {got['table_rows'].get(table)} rows, expected {want}")


def check_interaction(what, got):
    (b0, b1), (a0, a1) = got["view_before"], got["view_after"]
    tft.check(b0 < a0 < a1 < b1 and (a1 - a0) < (b1 - b0) / 2,
              f"{what}: the wheel did not zoom in: {got['view_before']} -> {got['view_after']}")
    tft.check(got["view_reset"] == got["view_before"], f"{what}: Reset gave {got['view_reset']}")
    if "clicked_frame" in got:
        tft.check(got["clicked_frame"] is not None and got["selected_frame"] == got["clicked_frame"],
                  f"{what}: clicked the mark of frame {got['clicked_frame']}, row {got['selected_frame']} highlighted")
        tip = (got["tooltip"] or "").split("\n")
        tft.check(tip[0] == f"frame {got['clicked_frame']}" and len(tip) == 4 and tip[3].startswith("class "),
                  f"{what}: the tooltip over frame {got['clicked_frame']}'s mark is {got['tooltip']!r}")


def check_injection(what, got, report):
    tft.check(got["pwned"] is None, f"{what}: injected code ran (window.tftPwned = {got['pwned']!r})")
    shown = got["bytes"].get("0", "") + got["bytes"].get("1", "")
    for attack in gencap.MARKUP_ATTACKS:
        tft.check(pictures.follow_ascii(attack) in shown, f"{what}: the bytes view does not show {attack!r}")
    tft.check(got["gap_blocks"] == len(report["gaps"]), f"{what}: {got['gap_blocks']} gap blocks")


def main():
    if not shutil.which("node") or not os.path.exists(CHROMIUM):
        tft.fail(f"needs node and {CHROMIUM}: apt-get install nodejs npm chromium")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        tft.fail(f"playwright-core missing: run `npm ci` in {HERE} (tests/run.sh does)")
    tft.assert_plugin_loaded()
    work = tempfile.mkdtemp(prefix="tft-browser-")
    os.chmod(work, 0o755)
    try:
        generated = []
        for tool, name, opts in GENERATED:
            subprocess.run([sys.executable, os.path.join(HERE, "..", "tools", tool + ".py"), "scenarios", "--out", work,
                            "--only", name], check=True, stdout=subprocess.DEVNULL)
            os.chmod(os.path.join(work, name + ".pcap"), 0o644)
            generated.append((os.path.join(work, name + ".pcap"), 0, opts))
        cases = [(os.path.join(tft.CAPTURES, c), s, o) for c, s, o in PAGES] + generated
        pages, reports = [], []
        for i, (capture, stream, opts) in enumerate(cases):
            path, report = write_report(capture, stream, opts, work)
            shot = os.path.join(screenshot_dir(), SCREENSHOT) if i == 0 else None
            pages.append({"file": path, "interact": True, "screenshot": shot})
            reports.append(report)
        results = run_browser(pages)
        for (capture, stream, opts), got, report in zip(cases, results, reports):
            what = f"{os.path.basename(capture)} stream {stream}{opts}"
            check_page(what, got, report)
            check_interaction(what, got)
            print(f"{what}: first paint {got['first_paint_ms']:.0f} ms, script done {got['ready_ms']} ms, "
                  f"{sum(len(v) for v in got['marks'].values())} marks")
        check_injection("markup_injection", results[-1], reports[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"screenshot in {os.path.join(screenshot_dir(), SCREENSHOT)}")
    tft.done()


if __name__ == "__main__":
    main()
