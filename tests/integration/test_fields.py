#!/usr/bin/env python3
"""The post-dissector's packet fields through the real tshark, on every bundled
capture:
- -T fields -e tcpfollowts.class (and .new_bytes) equal the JSON reports'
  segments frame by frame, in one pass and with -2; the stalls equal the
  reports' stalls, the kept copies their chunks, and (with -2, once the whole
  capture is read) gap_before / gap_after their gaps;
- -Y 'tcpfollowts.class == "X"' finds exactly the frames of class X;
- -z expert lists the entries, colouring rules (--color) and custom columns
  see the fields, -V prints them without being asked, the preference turns
  them off, and nothing named: nothing runs.

The one allowed difference: the post-dissector follows every stream as the
all-streams summary does (payload only until acknowledged), so a conflicting
copy of bytes the peer had already acknowledged is a plain retransmission (or
overlap) in the field; each such frame is checked against the summary's count.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import json
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tft  # noqa: E402

FIELDS = ["tcpfollowts.class", "tcpfollowts.new_bytes", "tcpfollowts.kept_frame", "tcpfollowts.stall",
          "tcpfollowts.gap_before", "tcpfollowts.gap_after", "tcpfollowts.in_flight", "tcpfollowts.rtt",
          "tcpfollowts.episode.cause", "tcpfollowts.episode.lost"]
# known once the whole capture was read: only with -2 (or in Wireshark)
SETTLED = ("gap_before", "gap_after", "rtt", "episode.cause", "episode.lost")
RESENT = ("retransmission", "overlap", "conflict")
JOBS = int(os.environ.get("TFT_JOBS", min(4, os.cpu_count() or 1)))


def packet_fields(path, extra=()):
    """{frame: {field: [values, one per TCP layer]}} from -T fields."""
    args = list(extra) + ["-r", path, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                          "-e", "frame.number"]
    for f in FIELDS:
        args += ["-e", f]
    rc, out, err = tft.tshark(args)
    tft.check(tft.exit_ok(path, rc) and not tft.unexpected_stderr(path, err),
              f"{path} {extra}: rc={rc} stderr={err[:300]}")
    frames = {}
    for line in out.splitlines():
        cols = line.split("\t")
        values = {f: (c.split("|") if c else []) for f, c in zip(FIELDS, cols[1:])}
        if values.get(FIELDS[0]):
            frames[int(cols[0])] = values
    return frames


def expected(reps):
    """What the JSON reports say per frame."""
    want = {"class": {}, "new_bytes": {}, "stall": {}, "gap_before": {}, "gap_after": {}, "kept": {},
            "in_flight": {}, "rtt": {}, "episode.cause": {}, "episode.lost": {}}
    for rep in reps:
        for seg in rep["segments"]:
            want["class"].setdefault(seg["frame"], []).append(seg["class"])
            want["new_bytes"].setdefault(seg["frame"], []).append(seg.get("new_bytes", 0))
            want["in_flight"].setdefault(seg["frame"], []).append(seg["in_flight"])
            if seg["rtt"] is not None:
                want["rtt"][seg["frame"]] = seg["rtt"]
            if seg["episode"] is not None:
                want["episode.cause"][seg["frame"]] = seg["cause"]
                want["episode.lost"][seg["frame"]] = seg["lost"]
        for st in rep["summary"]["stalls"]:
            want["stall"][st["after_frame"]] = st["duration"]
        for gap in rep["gaps"]:
            key, frame = ("gap_before", gap["before_frame"]) if gap["before_frame"] else ("gap_after", gap["after_frame"])
            if frame:  # a direction seen only through the peer's ACKs has no frame to show it on
                want[key][frame] = want[key].get(frame, 0) + gap["len"]
        want["kept"].update(kept_copies(rep))
    return want


def kept_copies(rep):
    """{frame: frame whose copy of its first resent byte was kept} for resent
    segments: the first chunk inside the segment's bytes that another frame
    carried."""
    chunks = {0: [], 1: []}
    for c in rep["chunks"]:
        chunks[c["dir"]].append(c)
    kept = {}
    for seg in rep["segments"]:
        if seg["class"] not in RESENT or not seg["len"]:
            continue
        first = seg["seq"] + (1 if "S" in seg["flags"] else 0)
        end = first + seg.get("captured", seg["len"])
        inside = [c for c in chunks[seg["dir"]] if c["seq"] < end and c["seq"] + c["len"] > first]
        others = [c["frame"] for c in inside if c["frame"] != seg["frame"]]
        if others:
            kept[seg["frame"]] = others[0]
    return kept


def acknowledged_conflicts(path):
    """How many conflicting copies the all-streams summary does not see."""
    rc, out, err = tft.tshark(["-r", path, "-q", "-z", "tcpfollowts,all,fmt=json"])
    return sum(d["conflicts"] for s in json.loads(out)["streams"] for d in s["dirs"])


def check_capture(cap):
    path = os.path.join(tft.CAPTURES, cap)
    reps = tft.stream_reports(path, tft.tcp_stream_ids(path))
    want = expected(reps)
    one, two = packet_fields(path), packet_fields(path, ["-2"])
    json_conflicts = sum(c.count("conflict") for c in want["class"].values())
    escaped = json_conflicts - acknowledged_conflicts(path)
    for name, got in (("one pass", one), ("-2", two)):
        tft.check(sorted(got) == sorted(want["class"]), f"{cap} {name}: fields on {len(got)} frames, "
                                                        f"{len(want['class'])} segments in the reports")
        differ = 0
        for frame, classes in want["class"].items():
            fields = got.get(frame, {})
            if fields.get("tcpfollowts.class") == classes:
                for key in ("new_bytes", "in_flight"):
                    tft.check(fields[f"tcpfollowts.{key}"] == [str(n) for n in want[key][frame]],
                              f"{cap} {name} frame {frame}: {key} {fields[f'tcpfollowts.{key}']}, "
                              f"report {want[key][frame]}")
                continue
            differ += 1
            tft.check(classes == ["conflict"] and fields.get("tcpfollowts.class") in (["retransmission"], ["overlap"]),
                      f"{cap} {name} frame {frame}: class {fields.get('tcpfollowts.class')}, report says {classes}")
        tft.check(differ == escaped, f"{cap} {name}: {differ} frames differ, the all-streams summary "
                                     f"misses {escaped} conflicts")
        stalls = {f: v["tcpfollowts.stall"] for f, v in got.items() if v["tcpfollowts.stall"]}
        tft.check(sorted(stalls) == sorted(want["stall"]), f"{cap} {name}: stalls on {sorted(stalls)[:8]}, "
                                                           f"report {sorted(want['stall'])[:8]}")
        for frame, secs in want["stall"].items():
            got_secs = float(stalls.get(frame, ["nan"])[0])
            tft.check(abs(got_secs - secs) < 1e-9, f"{cap} {name} frame {frame}: stall {got_secs}, report {secs}")
        for frame, v in got.items():
            kept = v["tcpfollowts.kept_frame"]
            if kept and frame in want["kept"]:
                tft.check(kept == [str(want["kept"][frame])], f"{cap} {name} frame {frame}: kept copy {kept}, "
                                                              f"report's chunks {want['kept'][frame]}")
    # what the rest of the capture tells is known once it was read: -2
    for key in SETTLED:
        got = {f: v[f"tcpfollowts.{key}"][0] for f, v in two.items() if v[f"tcpfollowts.{key}"]}
        got = {f: (float(x) if key == "rtt" else int(x) if key.startswith("gap") else x) for f, x in got.items()}
        differ = {f: (got.get(f), want[key].get(f)) for f in set(got) | set(want[key])
                  if key != "rtt" and got.get(f) != want[key].get(f)
                  or key == "rtt" and (f not in got or f not in want[key] or abs(got[f] - want[key][f]) > 1e-9)}
        tft.check(not differ, f"{cap} -2: {key} differs from the report on {len(differ)} frames, e.g. "
                              f"{dict(list(differ.items())[:4])}")
        tft.check(not any(v[f"tcpfollowts.{key}"] for v in one.values()),
                  f"{cap} one pass: {key} before the capture was read")
    check_filters(cap, path, one)
    return len(one)


def check_filters(cap, path, fields):
    """-Y on each class present finds exactly those frames."""
    by_class = {}
    for frame, v in fields.items():
        for c in set(v["tcpfollowts.class"]):
            by_class.setdefault(c, []).append(frame)
    for klass, frames in by_class.items():
        rc, out, err = tft.tshark(["-r", path, "-Y", f'tcpfollowts.class == "{klass}"', "-T", "fields",
                                   "-e", "frame.number"])
        got = sorted(int(x) for x in out.split())
        tft.check(got == sorted(frames), f"{cap}: -Y class {klass} finds {len(got)} frames, fields say {len(frames)}")


def cap(name):
    return os.path.join(tft.CAPTURES, name)


def check_expert():
    """The entries, in Expert Information terms (tshark -z expert)."""
    for extra in ([], ["-2"]):
        rc, out, err = tft.tshark(extra + ["-r", cap("sv_overlap_conflicting_data_vlan.pcap"), "-q",
                                           "-o", "tcpfollowts.fields:always", "-z", "expert"])
        tft.check("TCPFOLLOWTS  3 resent bytes differ from the copy kept from frame 5" in out,
                  f"-z expert {extra}: no conflict entry:\n{out}")
    # what needs the whole capture: with -2
    for name, severity, entry in (
            ("sv_leading_gap_vlan.pcap", "Warns", "4 bytes never captured right before this segment"),
            ("ppp_one_stream_seq_wrap.pcap", "Notes", "Timeout repair of bytes first sent in frame 5"),
            ("sv_http-mime-truncated_zwp_bulk.pcap", "Notes",
             "Zero window: the peer's window stays 0 for 0.004455 s, until frame 1001 (probes: 1)"),
            ("zeek_qinq_pppoe_spurious_retrans.pcap", "Warns",
             "Unresponsive peer: nothing the server sends is acknowledged after this frame")):
        rc, out, err = tft.tshark(["-2", "-r", cap(name), "-q", "-o", "tcpfollowts.fields:always", "-z", "expert"])
        sections = expert_sections(out)
        tft.check(any(f"TCPFOLLOWTS  {entry}" in line for line in sections.get(severity, [])),
                  f"-z expert -2 on {name}: no {severity} entry {entry!r}:\n{out}")


def expert_sections(out):
    """-z expert's output: {"Warns": [lines], "Notes": [...], ...}."""
    sections, current = {}, None
    for line in out.splitlines():
        head = line.split(" (")[0]
        if head in ("Errors", "Warns", "Notes", "Chats", "Comments"):
            current = sections.setdefault(head, [])
        elif current is not None:
            current.append(line)
    return sections


def check_activation():
    path = cap("sv_overlap_conflicting_data_vlan.pcap")
    for extra in ([], ["-2"]):
        rc, out, err = tft.tshark(extra + ["-r", path, "-V"])
        tft.check(out.count("TCP Stream Timeline (tcpfollowts): ") == 7 and "[Class: conflict]" in out,
                  f"-V {extra}: the fields are not printed")
    # nothing names the fields: the post-dissector does not run (no protocol of it in the frames)
    rc, out, err = tft.tshark(["-r", path, "-T", "fields", "-e", "frame.protocols"])
    tft.check(out.strip() and "tcpfollowts" not in out, f"unasked, the post-dissector ran: {out[:200]}")
    rc, out, err = tft.tshark(["-r", path, "-o", "tcpfollowts.fields:never", "-Y", 'tcpfollowts.class'])
    tft.check(rc == 0 and not out.strip(), f"fields:never still matches: {out[:200]}")
    # a -z filter naming a field is compiled after the file is opened: still in time
    rc, out, err = tft.tshark(["-r", path, "-q", "-z", 'io,stat,0,COUNT(frame)frame && tcpfollowts.class == "new"'])
    tft.check("|      1 |" in out.replace("  ", " ").replace("|  ", "| ") or " 1 |" in out,
              f"-z io,stat filter on a field: {out}")


def check_columns_and_colours():
    path = cap("sv_overlap_conflicting_data_vlan.pcap")
    rc, out, err = tft.tshark(["-r", path, "-o", 'gui.column.format:"No.","%m","Class","%Cus:tcpfollowts.class"'])
    tft.check(out.split() == "1 control 2 control 3 control 4 control 5 new 6 conflict 7 control".split(),
              f"custom column: {out}")
    config = tempfile.mkdtemp(prefix="tft-colours-")
    os.chmod(config, 0o755)
    with open(os.path.join(config, "colorfilters"), "w") as f:
        f.write('@TFT conflict@tcpfollowts.class == "conflict"@[65535,0,0][0,0,0]\n')
    os.chmod(os.path.join(config, "colorfilters"), 0o644)
    rc, out, err = tft.tshark(["-r", path, "--color", "-T", "psml"], env_extra={"WIRESHARK_CONFIG_DIR": config})
    coloured = [i + 1 for i, l in enumerate(l for l in out.splitlines() if l.startswith("<packet"))
                if "background='#ff0000'" in l]
    tft.check(coloured == [6], f"colouring rule on tcpfollowts.class matched frames {coloured}")


def check_stall_preference():
    path = cap("sv_tor_ooo_lost.pcap")
    rep = tft.follow_json(path, "stream,0", "stall=0.05")
    want = sorted(st["after_frame"] for st in rep["summary"]["stalls"])
    rc, out, err = tft.tshark(["-r", path, "-o", "tcpfollowts.stall_ms:50", "-Y", "tcp.stream == 0 && tcpfollowts.stall",
                               "-T", "fields", "-e", "frame.number"])
    tft.check(sorted(int(x) for x in out.split()) == want, f"stall_ms:50 gives {out.split()[:10]}, report {want[:10]}")


def main():
    tft.assert_plugin_loaded()
    with ThreadPoolExecutor(JOBS) as pool:  # tshark runs in parallel; tft.check only appends
        frames = sum(pool.map(check_capture, tft.capture_files()))
    check_expert()
    check_activation()
    check_columns_and_colours()
    check_stall_preference()
    print(f"{frames} TCP frames in {len(tft.capture_files())} captures")
    tft.done()


if __name__ == "__main__":
    main()
