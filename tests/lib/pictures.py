"""Reading tcpfollowts' pictures back (fmt=svg and fmt=html), for the tests:
the marks, gaps and stalls of a graph, the parts of an HTML report (its CSP,
script, style, data block and bytes view), and what a JSON report says each
of them must hold.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import base64
import hashlib
import html.parser
import json
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
# The classes drawn as marks of their own (data-frame="N" class="seg-<class>"):
# all but in-order new data (merged into one path) and control (no payload).
MARK_CLASSES = ("retransmission", "overlap", "out-of-order", "conflict", "keep-alive",
                "zero-window-probe", "unknown-length")
FLAG_LETTERS = [(0x002, "S"), (0x001, "F"), (0x004, "R"), (0x010, "A"), (0x008, "P"), (0x020, "U"),
                (0x040, "E"), (0x080, "C"), (0x100, "N")]
# render_html.c HTML_BYTES_PER_DIR: the bytes view shows at most this much of a direction
BYTES_PER_DIR = 1 << 20


def split_outputs(text, start):
    """Several -z reports of one run, concatenated: split where each starts."""
    parts = text.split(start)
    return [start + p for p in parts[1:]]


# ---- what the JSON report says ------------------------------------------------------

def expected_marks(report):
    """{class: set of frames} of the segments a graph draws as marks."""
    out = {k: set() for k in MARK_CLASSES}
    for s in report["segments"]:
        if s["class"] in out:
            out[s["class"]].add(s["frame"])
    return out


def expected_gaps(report):
    return sorted((g["dir"], g["seq"], g["len"]) for g in report["gaps"])


def expected_stalls(report):
    return sorted((s["dir"], s["before_frame"], s["after_frame"]) for s in report["summary"]["stalls"])


def expected_zero_windows(report):
    return sorted((z["dir"], z["first_frame"], z["last_frame"]) for z in report["summary"].get("zero_windows", []))


def expected_timeouts(report):
    """The repairs before which a timeout's silence is shaded."""
    return sorted((e["dir"], e["repair_frame"]) for e in report["summary"].get("episodes", [])
                  if e["cause"] == "timeout" and e["repair_frame"] is not None)


# ---- a graph ------------------------------------------------------------------------------

def parse_svg(text):
    """The root element; raises ET.ParseError when the text is not well-formed XML."""
    return ET.fromstring(text.encode("utf-8"))


def panels(root):
    return [g for g in root.iter(SVG + "g") if "panel" in g.get("class", "").split()]


def graph_marks(root):
    """({class: set of frames}, problems): every element with data-frame, by its
    seg-<class>; a mark outside a panel, in the legend, or with no or an unknown
    class is a problem."""
    out = {k: set() for k in MARK_CLASSES}
    problems = []
    in_panels = set()
    for p in panels(root):
        for e in p.iter():
            if e.get("data-frame") is None:
                continue
            in_panels.add(id(e))
            cls = [c[4:] for c in e.get("class", "").split() if c.startswith("seg-")]
            if len(cls) != 1 or cls[0] not in out:
                problems.append(f"frame {e.get('data-frame')}: class {e.get('class')!r}")
                continue
            out[cls[0]].add(int(e.get("data-frame")))
    for e in root.iter():
        if e.get("data-frame") is not None and id(e) not in in_panels:
            problems.append(f"frame {e.get('data-frame')} outside the panels")
    return out, problems


def _in_plot(root, cls):
    for p in panels(root):
        for e in p.iter():
            if cls in e.get("class", "").split():
                yield int(p.get("data-dir")), e


def graph_gaps(root):
    return sorted((d, int(e.get("data-seq")), int(e.get("data-len"))) for d, e in _in_plot(root, "gap"))


def graph_stalls(root):
    return sorted((d, int(e.get("data-before")), int(e.get("data-after"))) for d, e in _in_plot(root, "stall"))


def graph_zero_windows(root):
    return sorted((d, int(e.get("data-first")), int(e.get("data-last"))) for d, e in _in_plot(root, "zero-window"))


def graph_timeouts(root):
    return sorted((d, int(e.get("data-repair"))) for d, e in _in_plot(root, "timeout"))


def panel_dirs(root):
    return [int(p.get("data-dir")) for p in panels(root)]


def check_graph(root, report, what):
    """Every difference between a graph and the JSON report of the same stream."""
    diffs = []
    marks, problems = graph_marks(root)
    diffs += [f"{what}: {p}" for p in problems]
    want = expected_marks(report)
    for k in MARK_CLASSES:
        if marks[k] != want[k]:
            diffs.append(f"{what}: seg-{k} marks {sorted(marks[k])[:10]} != JSON {sorted(want[k])[:10]} "
                         f"({len(marks[k])} vs {len(want[k])})")
    if graph_gaps(root) != expected_gaps(report):
        diffs.append(f"{what}: gaps {graph_gaps(root)[:5]} != JSON {expected_gaps(report)[:5]}")
    if graph_stalls(root) != expected_stalls(report):
        diffs.append(f"{what}: stalls {graph_stalls(root)[:5]} != JSON {expected_stalls(report)[:5]}")
    if graph_zero_windows(root) != expected_zero_windows(report):
        diffs.append(f"{what}: zero windows {graph_zero_windows(root)[:5]} != JSON "
                     f"{expected_zero_windows(report)[:5]}")
    if graph_timeouts(root) != expected_timeouts(report):
        diffs.append(f"{what}: timeouts {graph_timeouts(root)[:5]} != JSON {expected_timeouts(report)[:5]}")
    return diffs


# ---- an HTML report --------------------------------------------------------------------------

def _between(text, start, end, after=0):
    i = text.index(start, after) + len(start)
    return text[i:text.index(end, i)], i


def html_parts(text):
    """{csp, style, script, svg, data (parsed), data_text}"""
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
    style, _ = _between(text, "<style>", "</style>")
    data_text, at = _between(text, '<script type="application/json" id="tft-data">', "</script>")
    script, _ = _between(text, "<script>", "</script>", at)
    graph = text.index('<svg xmlns="http://www.w3.org/2000/svg" class="tft-graph"')
    svg = text[graph:text.index("</svg>", graph) + len("</svg>")]
    return {"csp": csp.group(1) if csp else None, "style": style, "script": script, "svg": svg,
            "data": json.loads(data_text), "data_text": data_text}


def csp_hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def check_csp(parts, what):
    """The policy: nothing by default, the inline script and style by their hashes."""
    csp = parts["csp"] or ""
    want = {"default-src": ["'none'"], "script-src": [csp_hash(parts["script"])],
            "style-src": [csp_hash(parts["style"])], "base-uri": ["'none'"], "form-action": ["'none'"]}
    got = {}
    for directive in csp.split(";"):
        words = directive.split()
        if words:
            got[words[0]] = words[1:]
    return [] if got == want else [f"{what}: CSP {got} != {want}"]


def flag_letters(bits):
    return "".join(l for b, l in FLAG_LETTERS if bits & b)


def _sparse(values, k):
    """[index, v1..vk, index, ...] -> {index: v1 or [v1..vk]}"""
    step = k + 1
    return {values[i]: values[i + 1] if k == 1 else values[i + 1:i + step] for i in range(0, len(values), step)}


def decode_segments(data):
    """The data block's segments (differences per direction and column, null
    for no value) as the JSON report spells them, every direction."""
    s = data["segments"]
    n = s["count"]
    dirs = [int(c) for c in s["dir"]]

    def column(name):
        prev, out = [0, 0], []
        for i in range(n):
            v = s[name][i]
            if v is None:
                out.append(None)
                continue
            prev[dirs[i]] += v
            out.append(prev[dirs[i]])
        return out

    frames, times, frame, t = [], [], 0, 0
    for i in range(n):
        frame += s["frame"][i]
        t += s["t"][i]
        frames.append(frame)
        times.append(t)
    seq, ack, win = column("seq"), column("ack"), column("win")
    diag = "in_flight" in s
    in_flight, peer_win = (column("in_flight"), column("peer_win")) if diag else (None, None)
    cut, differ = _sparse(s["cut"], 1), _sparse(s["differ"], 1)
    rtt, episode = (_sparse(s["rtt"], 1), _sparse(s["episode"], 2)) if diag else ({}, {})
    out = []
    for i in range(n):
        flags = s["flags"][i]
        seg = {"frame": frames[i], "rel_ns": times[i], "dir": dirs[i], "seq": seq[i],
               "nxtseq": seq[i] + s["len"][i] + bool(flags & 2) + bool(flags & 1), "ack": ack[i],
               "flags": flag_letters(flags), "win": win[i], "len": s["len"][i],
               "class": data["classes"][ord(s["class"][i]) - 97]}
        if i in cut:
            seg["captured"] = seg["len"] - cut[i]
        if i in differ:
            seg["conflict_bytes"] = differ[i]
        if diag:
            seg["in_flight"], seg["peer_win"] = in_flight[i], peer_win[i]
            seg["rtt_ns"] = rtt.get(i)
        if i in episode:
            seg["cause"], seg["lost"] = data["causes"][episode[i][0]], data["lost"][episode[i][1]]
        out.append(seg)
    return out


def json_segments(report):
    """The JSON report's segments in the data block's terms (rel and rtt in ns)."""
    keys = ["frame", "dir", "seq", "nxtseq", "ack", "flags", "win", "len", "class", "captured", "conflict_bytes",
            "in_flight", "peer_win", "cause", "lost"]
    out = []
    for s in report["segments"]:
        seg = {k: s[k] for k in keys if k in s}
        seg["rel_ns"] = round(s["rel"] * 1e9)
        if "rtt" in s:
            seg["rtt_ns"] = None if s["rtt"] is None else round(s["rtt"] * 1e9)
        out.append(seg)
    return out


# ---- the bytes view -----------------------------------------------------------------------------

def follow_ascii(data):
    """What markup_payload shows of a chunk: printable ASCII, LF and TAB, CR
    before LF dropped, every other byte '.'."""
    out = []
    for i, b in enumerate(data):
        if b == 13 and i + 1 < len(data) and data[i + 1] == 10:
            continue
        out.append(chr(b) if 0x20 <= b < 0x7f or b in (9, 10) else ".")
    return "".join(out)


def hex_dump(data, rel_seq):
    """What the hex view shows of a chunk (render_common.c report_hex_line)."""
    lines = []
    for off in range(0, len(data), 16):
        row = data[off:off + 16]
        hexes = "".join(f"{b:02x} " for b in row) + "   " * (16 - len(row))
        ascii_column = "".join(chr(b) if 0x20 <= b < 0x7f else "." for b in row)
        lines.append(f"{rel_seq + off:08d}  {hexes} {ascii_column}\n")
    return "".join(lines)


def expected_bytes(report, hex_view=False):
    """{dir: text} of the bytes view for a JSON report: per direction its chunks
    in seq order, at most BYTES_PER_DIR bytes; and {dir: number of gap blocks}
    (0 once the direction was cut at the limit)."""
    text, shown, gaps = {0: "", 1: ""}, {0: 0, 1: 0}, {0: 0, 1: 0}
    items = sorted([(c["dir"], c["seq"], 1, c) for c in report["chunks"]] +
                   [(g["dir"], g["seq"], 0, g) for g in report["gaps"]], key=lambda x: x[:3])
    capped = {0: False, 1: False}
    for d, seq, is_chunk, item in items:
        if capped[d]:
            continue
        if not is_chunk:
            gaps[d] += 1
            continue
        data = bytes.fromhex(item["data"])
        if shown[d] + len(data) > BYTES_PER_DIR:
            data = data[:BYTES_PER_DIR - shown[d]]
            capped[d] = True
        shown[d] += len(data)
        text[d] += hex_dump(data, seq) if hex_view else follow_ascii(data)
    return text, gaps


class _BytesView(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.gaps, self.frames = {0: [], 1: []}, {0: 0, 1: 0}, set()
        self.where = None  # the direction of the <pre> we are in
        self.inside = False
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "div" and "follow" in cls:
            self.inside, self.depth = True, 0
        if not self.inside:
            return
        if tag == "div":
            self.depth += 1
            if "gap" in cls:
                self.gaps[int([c for c in cls if c in ("c0", "c1")][0][1])] += 1
        elif tag == "pre":
            self.where = int(cls[0][1])
        elif tag == "span" and "data-f" in a:
            self.frames.add(int(a["data-f"]))

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "pre":
            self.where = None
        elif tag == "div":
            self.depth -= 1
            if self.depth == 0:
                self.inside = False

    def handle_data(self, data):
        if self.inside and self.where is not None:
            self.text[self.where].append(data)


def bytes_view(text):
    """({dir: text shown}, {dir: gap blocks}, frames named) of an HTML report's bytes view."""
    p = _BytesView()
    p.feed(text)
    return {d: "".join(v) for d, v in p.text.items()}, p.gaps, p.frames


# ---- the page's own markup ----------------------------------------------------------------------

# Every element the HTML report writes: anything else in a page came from a capture.
PAGE_ELEMENTS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "span", "nav", "a",
                 "section", "ul", "li", "div", "button", "table", "thead", "tbody", "tr", "th", "td", "pre",
                 "script", "svg", "g", "path", "rect", "text", "clippath"}


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def foreign_markup(text):
    """Elements the report does not write, event-handler attributes, and
    script elements besides the data block and the page's one script."""
    p = _Elements()
    p.feed(text)
    problems = [f"<{t}>" for t, _ in p.found if t not in PAGE_ELEMENTS]
    problems += [f"<{t} {k}=...>" for t, a in p.found for k in a if k.startswith("on")]
    scripts = [a for t, a in p.found if t == "script"]
    if scripts != [{"type": "application/json", "id": "tft-data"}, {}]:
        problems.append(f"script elements {scripts}")
    return problems
