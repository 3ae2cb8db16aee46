#!/usr/bin/env python3
"""tcpfollowts benchmark: paired runs of tshark reports on generated captures,
printed as ratios against the floor (-z conv,tcp: what dissection alone costs)
and against Wireshark's own -z follow,tcp,raw,N, plus peak memory, the sizes of
the stream's fmt=svg and fmt=html, the HTML's first paint in headless Chromium
(tests/browser, after npm ci there) and the engine alone; then the packet
fields (the post-dissector): the floor with the plugin installed against the
floor without it, a display filter on tcpfollowts.class against one on
tcp.analysis, and the memory of the fields on the many-streams capture.

    python3 tests/bench/run.py [--runs 5] [--segments 300000] [--streams 5000] [--dir DIR] [--only many|fields]

Each round runs every command once, in turn, so that machine noise hits all of
them alike; the figure of a command is its median over the rounds. Wall time and
peak RSS come from /usr/bin/time. Captures are generated once into --dir.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import tft  # noqa: E402

GENCAP = os.path.join(HERE, "..", "tools", "gencap.py")


def generate(args):
    os.makedirs(args.dir, exist_ok=True)
    os.chmod(args.dir, 0o755)
    bulk = os.path.join(args.dir, f"bulk-{args.segments}.pcap")
    many = os.path.join(args.dir, f"many-{args.streams}.pcap")
    if not os.path.exists(bulk):
        subprocess.run([sys.executable, GENCAP, "bulk", "--out", bulk, "--segments", str(args.segments),
                        "--quiet"], check=True)
    if not os.path.exists(many):
        subprocess.run([sys.executable, GENCAP, "many", "--out", many, "--streams", str(args.streams)],
                       check=True, stdout=subprocess.DEVNULL)
    for f in (bulk, many):
        os.chmod(f, 0o644)
    return bulk, many


NO_PLUGIN = "no plugin"  # a command of that name runs without any plugin


def timed(capture, args, plugins=True):
    """(seconds, peak RSS in KiB) of one tshark run; args: ["-z", ...] or a -z string."""
    args = ["-z", args] if isinstance(args, str) else args
    env = None if plugins else {"WIRESHARK_PLUGIN_DIR": tft.empty_dir()}
    rc, out, err = tft.tshark(["-r", capture, "-q"] + args, discard_stdout=True, timeout=3600,
                              wrapper=["/usr/bin/time", "-f", "TIME %e %M"], env_extra=env)
    line = [l for l in err.splitlines() if l.startswith("TIME ")]
    if rc != 0 or not line:
        sys.exit(f"benchmark run failed: {args}: rc={rc}\n{err[-2000:]}")
    _, secs, rss = line[-1].split()
    return float(secs), int(rss)


def measure(capture, commands, runs):
    samples = {name: [] for name, _ in commands}
    for _ in range(runs):
        for name, args in commands:
            samples[name].append(timed(capture, args, plugins=NO_PLUGIN not in name))
    return {name: (statistics.median(s[0] for s in v), statistics.median(s[1] for s in v))
            for name, v in samples.items()}


def payload_bytes(capture):
    """Payload bytes and segments of stream 0, from the all-streams csv."""
    out = tft.follow(capture, "tcpfollowts,all,fmt=csv")
    row = out.splitlines()[1].split(",")
    return int(row[3]) + int(row[4]), int(row[5]) + int(row[6])


def first_paint(html, runs):
    """Median (first contentful paint, script done) in ms of the page in headless
    Chromium (tests/browser/check_report.js), or None without playwright-core."""
    browser = os.path.join(HERE, "..", "browser")
    if not os.path.isdir(os.path.join(browser, "node_modules", "playwright-core")):
        return None
    paint, ready = [], []
    with tempfile.NamedTemporaryFile("w", suffix=".json") as spec:
        json.dump({"pages": [{"file": html, "interact": False, "screenshot": None}]}, spec)
        spec.flush()
        for _ in range(runs):
            p = subprocess.run(["node", os.path.join(browser, "check_report.js"), spec.name], cwd=browser,
                               capture_output=True, text=True, timeout=600, check=True)
            page = json.loads(p.stdout)[0]
            paint.append(page["first_paint_ms"])
            ready.append(page["ready_ms"])
    return statistics.median(paint), statistics.median(ready)


def pictures(bulk, runs, svg_ratio):
    """fmt=svg and fmt=html of the bulk stream: sizes, and the page's first paint."""
    sizes = {}
    with tempfile.TemporaryDirectory() as d:
        html = os.path.join(d, "bulk.html")
        for fmt in ("svg", "html"):
            rc, out, err = tft.tshark(["-r", bulk, "-q", "-z", f"tcpfollowts,stream,0,fmt={fmt}"], binary=True,
                                      timeout=3600)
            if rc != 0:
                sys.exit(f"fmt={fmt} failed: rc={rc}\n{err[-2000:]}")
            sizes[fmt] = len(out)
            if fmt == "html":
                with open(html, "wb") as f:
                    f.write(out)
        paint = first_paint(html, runs)
    shown = f"{paint[0]:.0f} ms (script done {paint[1]:.0f} ms)" if paint else "not measured (npm ci in tests/browser)"
    print(f"\npictures of stream 0: fmt=svg {sizes['svg'] / 1e6:.2f} MB (target <= 8), fmt=html "
          f"{sizes['html'] / 1e6:.2f} MB (<= 40), fmt=svg {svg_ratio:.3f} x the floor (<= 1.3), "
          f"html first paint in headless Chromium {shown} (< 3 s)")


def all_streams(many, runs):
    """The all-streams summary on many short streams."""
    many_cmds = [("floor: conv,tcp", "conv,tcp"), ("tcpfollowts all", "tcpfollowts,all"),
                 ("tcpfollowts all fmt=csv", "tcpfollowts,all,fmt=csv")]
    res = measure(many, many_cmds, runs)
    floor_t, floor_m = res["floor: conv,tcp"]
    print(f"\n{'all streams (' + os.path.basename(many) + ')':44} {'time s':>8} {'/floor':>7} {'RSS MB':>8} "
          f"{'extra MB':>9}")
    for name, _ in many_cmds:
        t, m = res[name]
        print(f"{name:44} {t:8.2f} {t / floor_t:7.3f} {m / 1024:8.0f} {(m - floor_m) / 1024:9.1f}")


RETRANSMISSION = ["-Y", 'tcpfollowts.class == "retransmission"']


def fields(bulk, many, runs):
    """The post-dissector: free when nothing names its fields, and what a filter on them costs."""
    cmds = [(f"floor: conv,tcp, {NO_PLUGIN}", "conv,tcp"), ("conv,tcp, plugin installed", "conv,tcp"),
            ("-Y tcp.analysis.retransmission", ["-Y", "tcp.analysis.retransmission"]),
            ('-Y tcpfollowts.class == "retransmission"', RETRANSMISSION),
            ("-Y tcpfollowts.in_flight > 65535 (diagnosis)", ["-Y", "tcpfollowts.in_flight > 65535"])]
    for capture in (bulk, many):
        res = measure(capture, cmds, runs)
        base_t, base_m = res[cmds[0][0]]
        ref_t = res[cmds[2][0]][0]
        print(f"\n{'packet fields (' + os.path.basename(capture) + ')':44} {'time s':>8} {'/floor':>7} "
              f"{'/tcp.analysis':>13} {'RSS MB':>8} {'RSS/floor':>9}")
        for name, _ in cmds:
            t, m = res[name]
            print(f"{name:44} {t:8.2f} {t / base_t:7.3f} {t / ref_t:13.3f} {m / 1024:8.0f} {m / base_m:9.3f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--segments", type=int, default=300000)
    p.add_argument("--streams", type=int, default=5000)
    p.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "tcpfollowts-bench"))
    p.add_argument("--only", choices=["many", "fields"],
                   help="run one part: many = the all-streams summary of the many-streams capture, "
                        "fields = the packet fields (post-dissector)")
    args = p.parse_args()

    print(tft.assert_plugin_loaded())
    bulk, many = generate(args)
    payload, segments = payload_bytes(bulk)
    print(f"bulk: {os.path.getsize(bulk) / 1e6:.0f} MB, stream 0: {segments} segments, "
          f"{payload / 1e6:.1f} MB payload; many: {args.streams} streams; median of {args.runs} paired runs\n")
    if args.only == "fields":
        fields(bulk, many, args.runs)
        return
    if args.only == "many":
        all_streams(many, args.runs)
        return

    stream_cmds = [
        ("floor: conv,tcp", "conv,tcp"),
        ("follow,tcp,raw,0", "follow,tcp,raw,0"),
        ("tcpfollowts stream (text, data)", "tcpfollowts,stream,0"),
        ("tcpfollowts stream data=none", "tcpfollowts,stream,0,data=none"),
        ("tcpfollowts stream fmt=csv", "tcpfollowts,stream,0,fmt=csv"),
        ("tcpfollowts stream fmt=json", "tcpfollowts,stream,0,fmt=json"),
        ("tcpfollowts stream fmt=svg", "tcpfollowts,stream,0,fmt=svg"),
        ("tcpfollowts stream fmt=html", "tcpfollowts,stream,0,fmt=html"),
        ("tcpfollowts all", "tcpfollowts,all"),
    ]
    res = measure(bulk, stream_cmds, args.runs)
    floor_t, floor_m = res["floor: conv,tcp"]
    follow_t = res["follow,tcp,raw,0"][0]
    print(f"{'single stream (' + os.path.basename(bulk) + ')':44} {'time s':>8} {'/floor':>7} {'/follow':>8} "
          f"{'RSS MB':>8} {'extra MB':>9} {'extra/payload':>13} {'B/segment':>10}")
    for name, _ in stream_cmds:
        t, m = res[name]
        extra = (m - floor_m) * 1024
        print(f"{name:44} {t:8.2f} {t / floor_t:7.3f} {t / follow_t:8.3f} {m / 1024:8.0f} {extra / 1e6:9.1f} "
              f"{extra / payload:13.3f} {extra / segments:10.1f}")

    pictures(bulk, args.runs, res["tcpfollowts stream fmt=svg"][0] / floor_t)

    all_streams(many, args.runs)
    fields(bulk, many, args.runs)
    print()
    engine = os.path.join(tft.build_dir(), "tests", "bench_engine")
    subprocess.run([engine, "2000000"], check=True)


if __name__ == "__main__":
    main()
