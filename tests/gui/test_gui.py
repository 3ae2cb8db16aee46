#!/usr/bin/env python3
"""The Wireshark GUI of tcpfollowts, headless: Xvfb + xdotool + xclip.

1. Statistics > TCP Stream Timeline (tcpfollowts)...: the menu item is found by
   comparing the open Statistics menu with the same menu of a Wireshark run
   without the plugin (the item's position differs per Wireshark version);
   the dialog's stream field must be pre-filled from the display filter
   `tcp.stream eq 0`; the options are typed in; the report window's text
   (select all, copy, xclip) must equal tshark's output for the same -z string.
   Then its buttons: Save report (the file must hold the same text), Filter
   gaps/retransmissions/conflicts and Filter this stream (the display filter
   they apply, read back from the filter bar, must select the right frames),
   the report must be unchanged after those filters (a retap), Open graph
   hands a file holding tshark's fmt=html report of the stream to a stand-in
   xdg-open, and Other options opens a second window with the same report.
2. wireshark -r CAP -z tcpfollowts,...: the same windows at start-up, also for
   a stream that does not exist (tshark's message, here shown in the window);
   Other options keeps the options the dialog has no field for (stall=, tap=).

Also measures how many text columns the report window shows at its default
size and fails if lines of the text renderer's width (89) would wrap.

Installs nothing: needs wireshark-qt xvfb xdotool xclip imagemagick.
Environment: TFT_BUILD_DIR (default ./build), TFT_PLUGIN_DIR (see tests/lib),
TFT_GUI_SCREENSHOTS=DIR to keep the screenshots (gui-menu.png, gui-dialog.png,
gui-report.png; docs/images holds the published ones), default
<build>/gui-screenshots.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tft  # noqa: E402

TOOLS = ["Xvfb", "xdotool", "xclip", "import", "convert", "wireshark"]
SCREEN = (1280, 1024)
MENU_CAPTURE = os.path.join(tft.CAPTURES, "ppp_one_stream_control.pcap")
ZARG_CAPTURE = os.path.join(tft.CAPTURES, "ppp_unidirectional_missing_packet.pcap")
# What the test types into the dialog, by option key (the dialog lists them in
# the order of `-z tcpfollowts,help`).
DIALOG_OPTIONS = {"fmt": "text", "dir": "both", "time": "delta", "overlap": "last", "data": "hex"}
DIALOG_TITLE = re.compile(r"TCP Stream Timeline \(tcpfollowts\)( · Wireshark)?$")
# The text renderer keeps its lines under 90 columns (plugin/report/render_text.c).
TEXT_COLUMNS = 89
SAVE_TITLE = re.compile(r"TCP Stream Timeline \(tcpfollowts\): save")


ANALYZE_CAPTURE = os.path.join(tft.CAPTURES, "sv_tor_ooo_lost.pcap")
ANALYZE_FRAME = 872  # stream 1, right after bytes never captured
TOOLBAR = "TCP Stream Timeline (tcpfollowts)"
# The toolbar shown, a Class column and a colouring rule on tcpfollowts.class.
CONTROL_BG = b"\xd0\xf0\xd0"
ANALYZE_CONFIG = {
    "recent": f'gui.additional_toolbar_show: "{TOOLBAR}"\n',
    "preferences": 'gui.column.format: "No.", "%m", "Time", "%t", "Source", "%s", "Destination", "%d", '
                   '"Class", "%Cus:tcpfollowts.class:0:R", "Info", "%i"\n',
    "colorfilters": '@tcpfollowts control@tcpfollowts.class == "control"@[53456,61680,53456][0,0,0]\n',
}
ALL_TITLE = re.compile(r"TCP Stream Timeline: all streams( · Wireshark)?$")
# Backgrounds of the report window: Wireshark's Follow colours, amber for '!' lines.
CLIENT_BG, SERVER_BG, WARNING_BG = b"\xfb\xed\xed", b"\xed\xed\xfb", b"\xff\xd2\x7f"


def report_title(stream):
    return re.compile(rf"TCP Stream Timeline: stream {stream}( · Wireshark)?$")


def screenshot_dir():
    d = os.environ.get("TFT_GUI_SCREENSHOTS", os.path.join(tft.build_dir(), "gui-screenshots"))
    os.makedirs(d, exist_ok=True)
    return d


class Display:
    """An Xvfb server and the xdotool/xclip/import calls the test needs."""

    def __init__(self):
        r, w = os.pipe()
        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp"],
            pass_fds=[w], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number:
            tft.fail("Xvfb did not start")
        self.name = ":" + number
        self.env = dict(os.environ, DISPLAY=self.name)

    def close(self):
        self.server.terminate()
        self.server.wait(timeout=10)

    def run(self, *cmd, input=None):
        p = subprocess.run(cmd, env=self.env, input=input, capture_output=True, timeout=30)
        return p.stdout.decode("utf-8", "replace")

    def xdo(self, *args):
        return self.run("xdotool", *[str(a) for a in args])

    def windows(self):
        """{window id: title} of the visible windows."""
        ids = self.xdo("search", "--onlyvisible", "--name", ".").split()
        return {i: self.xdo("getwindowname", i).strip() for i in ids}

    def wait_window(self, title, timeout=60, exclude=()):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for wid, name in self.windows().items():
                if wid not in exclude and title.search(name):
                    return wid
            time.sleep(0.3)
        tft.fail(f"no window titled /{title.pattern}/ within {timeout} s; windows: {self.windows()}")

    def geometry(self, wid):
        g = dict(l.split("=") for l in self.xdo("getwindowgeometry", "--shell", wid).split())
        return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])

    def focus(self, wid):
        # No window manager: windows open on top of each other at the same
        # place, and windowactivate is refused; raise, then focus.
        self.xdo("windowraise", wid)
        self.xdo("windowfocus", "--sync", wid)
        time.sleep(0.2)

    def key(self, *keys):
        self.xdo("key", "--delay", "60", *keys)
        time.sleep(0.2)

    def type(self, text):
        self.xdo("type", "--delay", "30", text)

    def move(self, x, y):
        # Not --sync: it waits for a motion that never comes when the pointer
        # is already there.
        self.xdo("mousemove", x, y)
        time.sleep(0.2)

    def click(self, x, y):
        self.move(x, y)
        self.xdo("click", "1")
        time.sleep(0.3)

    def park_mouse(self):
        self.move(SCREEN[0] - 2, SCREEN[1] - 2)

    def shot(self):
        """The screen as raw RGB rows."""
        raw = subprocess.run(["import", "-window", "root", "-depth", "8", "rgb:-"], env=self.env,
                             capture_output=True, timeout=30).stdout
        row = SCREEN[0] * 3
        if len(raw) != row * SCREEN[1]:
            tft.fail(f"screenshot has {len(raw)} bytes")
        return [raw[y * row:(y + 1) * row] for y in range(SCREEN[1])]

    def save_png(self, name, crop=None):
        """Screenshot to the screenshot dir; crop = (x, y, w, h), or trim the black root."""
        path = os.path.join(screenshot_dir(), name)
        subprocess.run(["import", "-window", "root", path], env=self.env, check=True, timeout=30)
        edit = ["-crop", "{2}x{3}+{0}+{1}".format(*crop)] if crop else ["-trim"]
        subprocess.run(["convert", path] + edit + ["+repage", path], check=True, timeout=30)

    def own_clipboard(self, text):
        """Put text on the clipboard, so a copy that did not happen shows. xclip
        stays in the background until someone else owns the clipboard."""
        subprocess.run(["xclip", "-selection", "clipboard", "-i"], env=self.env, input=text,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)

    def clipboard_of(self, wid):
        """Select all of a text window and copy it: its text as the clipboard has it."""
        sentinel = b"tcpfollowts-test: nothing was copied"
        self.own_clipboard(sentinel)
        x, y, w, h = self.geometry(wid)
        self.focus(wid)
        self.click(x + w // 2, y + h // 3)  # the text area fills the window's top
        self.key("ctrl+a", "ctrl+c")
        time.sleep(0.3)
        return self.run("xclip", "-o", "-selection", "clipboard")

    def settle(self, timeout=20):
        """Wait until the screen stops changing (a blinking caret is allowed)."""
        prev, deadline = self.shot(), time.time() + timeout
        while time.time() < deadline:
            time.sleep(0.4)
            cur = self.shot()
            if sum(a != b for a, b in zip(prev, cur)) <= 40:
                return
            prev = cur


class Wireshark:
    """wireshark as an unprivileged user, with its own HOME and configuration
    (config: {file name: text} for the profile, e.g. "recent", "preferences"),
    and a stand-in xdg-open first on its PATH that records what it was asked
    to open (opened_urls) instead of starting a browser."""

    def __init__(self, display, args, plugins=True, config=None):
        self.home = tempfile.mkdtemp(prefix="tft-gui-home-")
        runtime = os.path.join(self.home, "run")
        os.mkdir(runtime, 0o700)
        if config:
            os.mkdir(os.path.join(self.home, "wsconfig"))
            for name, text in config.items():
                with open(os.path.join(self.home, "wsconfig", name), "w") as f:
                    f.write(text)
        empty_plugins = os.path.join(self.home, "no-plugins")
        os.mkdir(empty_plugins)
        bin_dir = os.path.join(self.home, "bin")
        os.mkdir(bin_dir)
        self.opened_log = os.path.join(self.home, "xdg-open.log")
        with open(os.path.join(bin_dir, "xdg-open"), "w") as f:
            f.write(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{self.opened_log}"\n')
        os.chmod(os.path.join(bin_dir, "xdg-open"), 0o755)
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "nobody:", self.home], check=True)
        env = tft.env({
            "PATH": bin_dir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "WIRESHARK_CONFIG_DIR": os.path.join(self.home, "wsconfig"),
            "WIRESHARK_PLUGIN_DIR": tft.plugin_dir() if plugins else empty_plugins,
            "XDG_RUNTIME_DIR": runtime,
            "DISPLAY": display.name,
            "QT_QPA_PLATFORM": "xcb",
        })
        self.log = open(os.path.join(tempfile.gettempdir(), f"tft-gui-wireshark-{os.getpid()}.log"), "ab")
        self.proc = subprocess.Popen(tft.user_prefix() + ["wireshark"] + list(args), env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.display = display
        self.main = display.wait_window(re.compile(re.escape(os.path.basename(args[args.index("-r") + 1]))))
        display.settle()

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)

    def opened_urls(self, timeout=30):
        """What xdg-open was asked to open, waiting for the first request."""
        deadline = time.time() + timeout
        while not os.path.exists(self.opened_log) and time.time() < deadline:
            time.sleep(0.3)
        time.sleep(0.3)
        return open(self.opened_log).read().split() if os.path.exists(self.opened_log) else []

    def keys(self, *keys):
        """Keys for the main window, the pointer out of the way (menus open under it)."""
        self.display.park_mouse()
        self.display.focus(self.main)
        self.display.key(*keys)

    def selected_row(self):
        """The selected packet's row: Edit > Copy > As Plain Text copies it (after the heading)."""
        self.display.focus(self.main)
        self.display.own_clipboard(b"tcpfollowts-test: no row copied")
        self.display.key("alt+e", "Right", "Return")
        time.sleep(0.3)
        rows = self.display.run("xclip", "-o", "-selection", "clipboard").splitlines()
        return rows[1] if len(rows) > 1 else ""

    def selected_frame(self):
        """The selected packet's number (the first column)."""
        number = self.selected_row().split("\t")[0]
        return int(number) if number.isdigit() else None

    def our_details(self):
        """The selected packet's tcpfollowts tree, as View > Expand All and Edit >
        Copy > All Visible Items give it (by its shortcut: 4.6 has one more Copy
        item above it, As HTML)."""
        self.display.focus(self.main)
        self.display.key("ctrl+Right")
        self.display.own_clipboard(b"tcpfollowts-test: no details copied")
        self.display.key("ctrl+alt+shift+a")
        time.sleep(0.3)
        lines = self.display.run("xclip", "-o", "-selection", "clipboard").splitlines()
        ours = [i for i, l in enumerate(lines) if l.startswith("TCP Stream Timeline (tcpfollowts)")]
        if not ours:
            return ""
        end = next((i for i in range(ours[0] + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
        return "\n".join(lines[ours[0]:end])

    def go_to(self, frame):
        """Go > Go to Packet."""
        self.display.focus(self.main)
        self.display.key("ctrl+g")
        self.display.type(str(frame))
        self.display.key("Return")

    def display_filter(self):
        """The text in the display filter bar (Ctrl+/ focuses it)."""
        self.display.focus(self.main)
        self.display.key("ctrl+slash")
        sentinel = b"tcpfollowts-test: no filter copied"
        self.display.own_clipboard(sentinel)
        self.display.key("ctrl+a", "ctrl+c")
        time.sleep(0.3)
        return self.display.run("xclip", "-o", "-selection", "clipboard")


def tshark_report(capture, zarg):
    """What tshark prints for -z zarg: the report, then its notices."""
    rc, out, err = tft.tshark(["-r", capture, "-q", "-z", zarg])
    if rc != 0:
        tft.fail(f"tshark -z {zarg}: rc={rc}\n{err}")
    return out + err


def filtered_frames(capture, display_filter):
    rc, out, err = tft.tshark(["-r", capture, "-Y", display_filter, "-T", "fields", "-e", "frame.number"])
    tft.check(rc == 0 and not err.strip(), f"tshark -Y {display_filter!r}: rc={rc} {err.strip()}")
    return {int(f) for f in out.split()}


def problem_frames(capture, stream):
    """Frames next to each gap, and the retransmissions and conflicts, from the JSON report."""
    report = json.loads(tshark_report(capture, f"tcpfollowts,stream,{stream},fmt=json"))
    frames = {s["frame"] for s in report["segments"] if s["class"] in ("retransmission", "conflict")}
    for g in report["gaps"]:
        frames |= {g[k] for k in ("after_frame", "before_frame") if g.get(k) is not None}
    return frames


def option_keys():
    """The dialog's option fields in order: the report options of
    -z tcpfollowts,help that take a value name (not stall=SECONDS, and not
    tap=, which says how to read packets, not what to report)."""
    rc, out, err = tft.tshark(["-q", "-z", "tcpfollowts,help"])
    return [m.group(1) for m in re.finditer(r"^  (\w+)=\S*\|", out, re.M) if m.group(1) != "tap"]


# ---- the menu --------------------------------------------------------------------


def open_statistics_menu(display, ws):
    ws.keys("alt+s")
    time.sleep(0.8)


def menu_without_plugin(display, args, open_menu):
    """A shot of a menu open_menu(display, ws) opens, in a Wireshark without the plugin."""
    ws = Wireshark(display, args, plugins=False)
    try:
        open_menu(display, ws)
        return display.shot()
    finally:
        ws.close()


def highlight_new_item(display, base, what):
    """Highlight the item the open menu has more than `base` (the same menu
    without the plugin), by keyboard."""
    shot = display.shot()
    time.sleep(0.5)
    where = new_menu_item(base, shot, display.shot())
    if not where:
        tft.fail(f"{what}: no TCP Stream Timeline (tcpfollowts) item (same as without the plugin)")
    if not highlight_menu_item(display, where, shot):
        tft.fail(f"{what}: Down never highlighted the item at {where}")


def new_menu_item(base, shot, again):
    """Where the plugin's menu item is: the first text rows whose left part differs
    from the plugin-less menu. Items below it moved down and differ too; a wider
    menu differs only at its right edge; rows that changed between two shots of
    the same screen (a caret) are ignored. Returns (x, y) inside the item."""
    first_diff = {}
    for y, (b, s, a) in enumerate(zip(base, shot, again)):
        if b != s and s == a:
            first_diff[y] = next(i for i in range(len(b)) if b[i] != s[i]) // 3
    if not first_diff:
        return None
    left = min(first_diff.values())
    rows = sorted(y for y, x in first_diff.items() if x <= left + 40)
    band = [rows[0]]
    while band[-1] + 1 in rows:
        band.append(band[-1] + 1)
    return left + 20, (band[0] + band[-1]) // 2


def highlight_menu_item(display, where, opened, limit=60):
    """Walk the open menu with Down until the item at `where` is highlighted (its
    row changes colour around `where`). The keyboard, not the pointer:
    Qt 6.8 (Wireshark 4.4 in Debian 13) ignores xdotool's pointer motion over a
    popup menu. `opened` is a shot of the menu as it opened, pointer parked."""
    x, y = where
    strip = slice(max(0, x - 15) * 3, (x + 150) * 3)
    for _ in range(limit):
        display.key("Down")
        time.sleep(0.15)
        if display.shot()[y][strip] != opened[y][strip]:
            return True
    return False


def fill_dialog(display, dialog, values):
    """Click the first field (Qt5 and Qt6 order the dialog's focus chain
    differently), keep its pre-filled stream, type the options (None: keep
    the field's default)."""
    x, y, w, h = display.geometry(dialog)
    display.focus(dialog)
    display.click(x + w - 60, y + 25)
    for v in values:
        display.key("Tab")
        if v is not None:
            display.key("ctrl+a")
            display.type(v)


# ---- the report window -----------------------------------------------------------


def visible_columns(display, wid, first_lines):
    """Text columns of a report window at its size, from a screenshot with all text
    selected: the character advance from the highlight of the first two lines,
    the text area's right edge from the white run after the first line."""
    x0, y0, w, h = display.geometry(wid)
    rows = [r[x0 * 3:(x0 + w) * 3] for r in display.shot()[y0:y0 + h]]
    px = lambda r, x: r[x * 3:x * 3 + 3]  # noqa: E731
    colours = collections.Counter(px(r, x) for r in rows[: h // 2] for x in range(0, w, 2))
    highlight = next(c for c, _ in colours.most_common() if max(c) - min(c) > 60)
    spans = []  # (first row, left, right) of each highlighted line, top down
    for y, r in enumerate(rows):
        xs = [x for x in range(w) if px(r, x) == highlight]
        if xs and (not spans or spans[-1][2] != xs[-1]):
            spans.append((y, xs[0], xs[-1]))
    (y1, left, right1), (_, _, right2) = spans[0], spans[1]
    advance = (right2 - right1) / (len(first_lines[1]) - len(first_lines[0]))
    edge = right1
    while px(rows[y1 + 2], edge + 1) == b"\xff\xff\xff":
        edge += 1
    return int((edge + 1 - left - 4) / advance)  # 4: QTextDocument's margin


def check_report_window(display, wid, expected, what):
    got = display.clipboard_of(wid)
    tft.check(got == expected, f"{what}: the window's text differs from tshark's "
              f"({len(got)} vs {len(expected)} chars)\n--- window:\n{got[:600]}\n--- tshark:\n{expected[:600]}")


def press_button(display, wid, index):
    """The index-th button of a report window (0 = Save report): from the text,
    Tab goes to the Highlight field, then along the buttons."""
    x, y, w, h = display.geometry(wid)
    display.focus(wid)
    display.click(x + w // 2, y + h // 3)
    display.key(*["Tab"] * (2 + index), "space")
    time.sleep(1.0)


def test_menu(display):
    args = ["-r", MENU_CAPTURE, "-Y", "tcp.stream eq 0"]
    base = menu_without_plugin(display, args, open_statistics_menu)
    # the post-dissector off: its item in the packet details behind the menu
    # would differ from the plugin-less run too
    ws = Wireshark(display, args + ["-o", "tcpfollowts.fields:never"])
    try:
        open_statistics_menu(display, ws)
        highlight_new_item(display, base, "Statistics menu")
        display.save_png("gui-menu.png")
        display.key("Return")
        dialog = display.wait_window(DIALOG_TITLE, timeout=45)

        keys = option_keys()
        tft.check(set(DIALOG_OPTIONS) <= set(keys), f"help lists the options as {keys}")
        fill_dialog(display, dialog, [DIALOG_OPTIONS.get(k) for k in keys])
        display.save_png("gui-dialog.png", display.geometry(dialog))
        display.key("Return")  # in a field: the dialog's default button, OK
        report = display.wait_window(report_title(0), timeout=30)
        zarg = "tcpfollowts,stream,0," + ",".join(f"{k}={v}" for k, v in DIALOG_OPTIONS.items())
        expected = tshark_report(MENU_CAPTURE, zarg)

        display.settle()
        display.save_png("gui-report.png", display.geometry(report))
        check_report_window(display, report, expected, "menu report")
        lines = expected.splitlines()
        columns = visible_columns(display, report, lines[:2])
        _, _, w, h = display.geometry(report)
        print(f"report window: {columns} text columns at its default size {w}x{h} px")
        tft.check(columns >= TEXT_COLUMNS, f"the report window shows {columns} columns: "
                  f"the text report's lines of up to {TEXT_COLUMNS} wrap")
        wrapped = [l for l in lines if len(l) > columns]
        if wrapped:  # the renderer's business, not the window's: say so, do not fail
            print(f"NOTE: {len(wrapped)} report line(s) longer than {columns} columns wrap, e.g. "
                  f"{len(wrapped[0])}: {wrapped[0]!r}")

        press_button(display, report, 0)  # Save report...
        save = display.wait_window(SAVE_TITLE, timeout=45)
        display.focus(save)
        display.key("Return")
        saved = os.path.join(ws.home, "tcpfollowts-stream-0.txt")
        deadline = time.time() + 10
        while not os.path.exists(saved) and time.time() < deadline:
            time.sleep(0.2)
        tft.check(os.path.exists(saved) and open(saved, encoding="utf-8").read() == expected,
                  f"Save report: {saved} missing or not the report")
        display.focus(display.wait_window(SAVE_TITLE, timeout=45))  # the notice saying where
        display.key("Escape")

        press_button(display, report, 2)  # Filter problems (gaps, retransmissions, conflicts)
        display.settle()
        applied = ws.display_filter()
        want = problem_frames(MENU_CAPTURE, 0)
        tft.check(filtered_frames(MENU_CAPTURE, applied) == want,
                  f"gaps filter {applied!r} does not select frames {sorted(want)}")
        check_report_window(display, report, expected, "report after the gaps filter")

        press_button(display, report, 1)  # Filter this stream
        display.settle()
        applied = ws.display_filter()
        tft.check(applied == "tcp.stream eq 0", f"stream filter: {applied!r}")
        check_report_window(display, report, expected, "report after the stream filter")

        press_button(display, report, 4)  # Open graph: the HTML report, handed to xdg-open
        check_open_graph(ws, expected_html=tshark_report(MENU_CAPTURE, zarg.replace("fmt=text", "fmt=html")))

        press_button(display, report, 3)  # Other options...: same values, new window
        display.focus(display.wait_window(DIALOG_TITLE, timeout=45))
        display.key("Return")
        second = display.wait_window(report_title(0), timeout=30, exclude={report})
        display.settle()
        check_report_window(display, second, expected, "report from Other options")
    finally:
        ws.close()


def check_open_graph(ws, expected_html):
    """Open graph wrote the HTML report of the window's stream and options to a
    file (tshark's fmt=html output, byte for byte) and asked the desktop to
    open that file."""
    urls = ws.opened_urls()
    tft.check(len(urls) == 1 and urls[0].startswith("file:///") and urls[0].endswith(".html"),
              f"Open graph: xdg-open got {urls}")
    if len(urls) != 1:
        return
    path = urllib.parse.unquote(urllib.parse.urlparse(urls[0]).path)
    tft.check(os.path.exists(path), f"Open graph: {path} does not exist")
    if os.path.exists(path):
        got = open(path, encoding="utf-8").read()
        tft.check(got == expected_html, f"Open graph: {path} ({len(got)} chars) is not the HTML report "
                                        f"({len(expected_html)} chars): {got[:200]!r}")
        os.unlink(path)


def test_zarg_startup(display):
    # stall= and tap= have no dialog field: Other options must keep them.
    zargs = ["tcpfollowts,stream,0,fmt=json,stall=0.5,tap=tree", "tcpfollowts,stream,7,fmt=csv"]
    args = ["-r", ZARG_CAPTURE]
    for z in zargs:
        args += ["-z", z]
    ws = Wireshark(display, args)
    try:
        windows = {s: display.wait_window(report_title(s), timeout=30) for s in (0, 7)}
        display.settle()
        for (stream, wid), z in zip(windows.items(), zargs):
            check_report_window(display, wid, tshark_report(ZARG_CAPTURE, z), f"-z {z}")
        press_button(display, windows[0], 2)
        display.settle()
        applied = ws.display_filter()
        want = problem_frames(ZARG_CAPTURE, 0)
        tft.check(want and filtered_frames(ZARG_CAPTURE, applied) == want,
                  f"gaps filter {applied!r} does not select frames {sorted(want)}")

        press_button(display, windows[0], 3)  # Other options...
        display.focus(display.wait_window(DIALOG_TITLE, timeout=45))
        display.key("Return")
        second = display.wait_window(report_title(0), timeout=30, exclude={windows[0]})
        display.settle()
        check_report_window(display, second, tshark_report(ZARG_CAPTURE, zargs[0]),
                            "Other options of a -z window")
    finally:
        ws.close()


# ---- Analyze > TCP Stream Timeline and the toolbar ---------------------------------


def open_analyze_submenu(display, ws):
    """Analyze > TCP Stream Timeline (tcpfollowts), by keyboard: Analyze's last item."""
    ws.keys("alt+a")
    time.sleep(0.6)
    display.key("Up", "Right")
    time.sleep(0.4)


def open_analyze_item(display, ws, index):
    """The submenu's item `index` (0: Follow this stream with timing, 1: Graph this
    stream, 2: All streams)."""
    open_analyze_submenu(display, ws)
    display.key(*(["Down"] * index), "Return")


def changed_box(before, after):
    """(left, top, right, bottom) of what changed between two shots, or None."""
    rows = [y for y, (a, b) in enumerate(zip(before, after)) if a != b]
    if not rows:
        return None
    xs = []
    for y in rows:
        a, b = before[y], after[y]
        diff = [i // 3 for i in range(0, len(a), 3) if a[i:i + 3] != b[i:i + 3]]
        xs += [diff[0], diff[-1]]
    return min(xs), rows[0], max(xs), rows[-1]


def focus_display_filter(display, ws):
    """Ctrl+/ focuses the display filter, but not from a toolbar combo box, which
    keeps the key: first a click in the packet bytes pane (it selects no packet)."""
    x, y, w, h = display.geometry(ws.main)
    display.park_mouse()
    display.focus(ws.main)
    display.click(x + w * 3 // 4, y + h - 70)
    display.key("ctrl+slash")


def toolbar_from_right():
    """The toolbar's widgets right to left, as Shift+Tab from the display filter
    reaches them: a list per report option of `-z tcpfollowts,help` (but the csv
    tables), the stall field, the two buttons."""
    widgets = [k for k in option_keys() if k != "table"] + ["stall", "Previous problem", "Next problem"]
    return widgets[::-1]


def toolbar_steps(display, ws):
    """How many Shift+Tab from the display filter reach the toolbar's last widget:
    the focus frame then moves along one band of the screen, right to left, once
    per widget."""
    focus_display_filter(display, ws)
    prev, run = display.shot(), []
    for step in range(1, 41):
        display.key("shift+Tab")
        time.sleep(0.25)
        cur = display.shot()
        box, prev = changed_box(prev, cur), cur
        if box and run and run[-1][0] == step - 1 and abs(box[1] - run[-1][1][1]) <= 2 \
                and abs(box[3] - run[-1][1][3]) <= 2 and box[0] < run[-1][1][0]:
            run.append((step, box))
        else:
            run = [(step, box)] if box else []
        if len(run) == len(toolbar_from_right()):
            return run[0][0]
    tft.fail(f"no toolbar of {len(toolbar_from_right())} widgets on the focus chain from the display filter")


def focus_toolbar(display, ws, steps, widget):
    focus_display_filter(display, ws)
    display.key(*["shift+Tab"] * (steps + toolbar_from_right().index(widget)))


def colours_in(display, wid):
    """Which of the report window's backgrounds show in it."""
    x0, y0, w, h = display.geometry(wid)
    rows = [r[x0 * 3:(x0 + w) * 3] for r in display.shot()[y0:y0 + h]]
    return {name for name, c in (("client", CLIENT_BG), ("server", SERVER_BG), ("warning", WARNING_BG))
            if any(c in r for r in rows)}


def stream_problems(capture, stream):
    """What Previous / Next problem stop at: conflicts, stalls and frames next to
    bytes never captured, from the JSON report (the post-dissector's default stall
    threshold is the report's)."""
    rep = json.loads(tshark_report(capture, f"tcpfollowts,stream,{stream},fmt=json"))
    frames = {s["frame"] for s in rep["segments"] if s["class"] == "conflict"}
    frames |= {st["after_frame"] for st in rep["summary"]["stalls"]}
    frames |= {g["before_frame"] or g["after_frame"] for g in rep["gaps"] if g["before_frame"] or g["after_frame"]}
    return sorted(frames)


def test_analyze(display):
    """The Analyze menu acts on the selected packet's stream, with the toolbar's options."""
    ws = Wireshark(display, ["-r", ANALYZE_CAPTURE, "-g", str(ANALYZE_FRAME)], config=ANALYZE_CONFIG)
    try:
        tft.check(ws.selected_frame() == ANALYZE_FRAME, f"-g {ANALYZE_FRAME}: frame {ws.selected_frame()} selected")
        stream = 1
        display.xdo("windowsize", "--sync", ws.main, 1240, 900)
        display.settle()
        display.focus(ws.main)
        display.key("ctrl+slash", "Tab", "Tab", "End", "Right")  # the details' last tree: ours, open
        display.settle()
        display.save_png("gui-packet-list.png", display.geometry(ws.main))
        # the Class column and the colouring rule see the field
        tft.check("\tnew\t" in ws.selected_row(), f"the Class column of frame {ANALYZE_FRAME}: {ws.selected_row()!r}")
        tft.check(CONTROL_BG in b"".join(display.shot()), "no row coloured by the rule on tcpfollowts.class")
        # the packet's fields, whole-capture facts included; the same after other
        # packets were dissected again, later ones and earlier ones
        details = ws.our_details()
        tft.check("[Class: new]" in details and "[Bytes never captured before: 630]" in details,
                  f"frame {ANALYZE_FRAME}'s tcpfollowts tree: {details!r}")
        for frame in (946, 829, ANALYZE_FRAME):
            ws.go_to(frame)
            again = ws.our_details()
        tft.check(again == details, f"frame {ANALYZE_FRAME} dissected again shows\n{again}\ninstead of\n{details}")
        open_analyze_submenu(display, ws)
        display.save_png("gui-analyze-menu.png")
        display.key("Return")
        report = display.wait_window(report_title(stream), timeout=30)
        display.settle()
        display.save_png("gui-analyze-report.png", display.geometry(report))
        seen = colours_in(display, report)
        tft.check({"client", "server"} <= seen, f"the report window shows Follow's colours {seen}")
        check_report_window(display, report, tshark_report(ANALYZE_CAPTURE, f"tcpfollowts,stream,{stream}"),
                            "Analyze > Follow this stream with timing")

        press_button(display, report, 5)  # Go to first problem
        first = min(problem_frames(ANALYZE_CAPTURE, stream))
        tft.check(ws.selected_frame() == first, f"Go to first problem: frame {ws.selected_frame()}, not {first}")

        # the toolbar: time=delta, data=none, stall=0.5
        steps = toolbar_steps(display, ws)
        focus_toolbar(display, ws, steps, "time")
        display.save_png("gui-toolbar.png", toolbar_crop(display, ws))
        display.key("Down", "Down", "Down")  # rel -> delta
        focus_toolbar(display, ws, steps, "data")
        display.key("Down", "Down")  # ascii -> none
        focus_toolbar(display, ws, steps, "stall")
        display.key("ctrl+a")
        display.type("0.5")
        display.key("Return")
        open_analyze_item(display, ws, 0)
        second = display.wait_window(report_title(stream), timeout=30, exclude={report})
        display.settle()
        check_report_window(display, second, tshark_report(ANALYZE_CAPTURE, f"tcpfollowts,stream,{stream},"
                                                                             f"time=delta,data=none,stall=0.5"),
                            "the toolbar's options")
        open_analyze_item(display, ws, 1)  # Graph this stream: the HTML report with the same options
        check_open_graph(ws, expected_html=tshark_report(ANALYZE_CAPTURE, f"tcpfollowts,stream,{stream},"
                                                                          f"time=delta,data=none,stall=0.5,fmt=html"))

        # Previous / Next problem from the frame after the gap
        problems = stream_problems(ANALYZE_CAPTURE, stream)
        ws.go_to(ANALYZE_FRAME)
        tft.check(ws.selected_frame() == ANALYZE_FRAME, f"Go to packet {ANALYZE_FRAME}: {ws.selected_frame()}")
        later = min(f for f in problems if f > ANALYZE_FRAME)
        for widget, want in (("Next problem", later), ("Previous problem", ANALYZE_FRAME)):
            focus_toolbar(display, ws, steps, widget)
            display.key("space")
            time.sleep(0.5)
            tft.check(ws.selected_frame() == want, f"{widget}: frame {ws.selected_frame()}, not {want} "
                                                   f"(problems {problems})")
        if ANALYZE_FRAME == problems[0]:  # nothing before it: a notice says so, the selection stays
            focus_toolbar(display, ws, steps, "Previous problem")
            display.key("space")
            notice = display.wait_window(DIALOG_TITLE, timeout=45)
            text = display.clipboard_of(notice)
            tft.check(f"No earlier problem in TCP stream {stream}" in text, f"Previous problem at the first: {text!r}")
            display.key("Escape")
            tft.check(ws.selected_frame() == ANALYZE_FRAME, f"Previous problem at the first moved to "
                                                            f"{ws.selected_frame()}")

        open_analyze_item(display, ws, 2)  # All streams
        summary = display.wait_window(ALL_TITLE, timeout=30)
        display.settle()
        tft.check("warning" in colours_in(display, summary), "All streams: the stream with a gap is not marked")
        check_report_window(display, summary, tshark_report(ANALYZE_CAPTURE, "tcpfollowts,all,time=delta,stall=0.5"),
                            "Analyze > All streams")
    finally:
        ws.close()


MARKUP_CAPTURE = os.path.join(tft.CAPTURES, "ppp_four_ipv6_http_streams.pcap")  # stream 0: an HTML page


def test_markup_shows_as_text(display):
    """The window renders HTML: a payload that holds markup must show as text."""
    ws = Wireshark(display, ["-r", MARKUP_CAPTURE, "-g", "5"])
    try:
        expected = tshark_report(MARKUP_CAPTURE, "tcpfollowts,stream,0")
        tft.check("| <html>" in expected, "the capture's report shows no markup")
        open_analyze_item(display, ws, 0)
        report = display.wait_window(report_title(0), timeout=30)
        display.settle()
        check_report_window(display, report, expected, "a report whose payload holds HTML")
    finally:
        ws.close()


def open_packet_menu(display, ws):
    """The packet list's context menu of the selected packet, by keyboard."""
    ws.keys("ctrl+slash", "Tab")  # the display filter, then the packet list
    time.sleep(0.3)
    ws.keys("Menu")
    time.sleep(0.8)


def test_packet_menu(display):
    """Wireshark 4.4 and later: the packet list's context menu follows the clicked packet's stream."""
    args = ["-r", ANALYZE_CAPTURE, "-g", str(ANALYZE_FRAME)]
    base = menu_without_plugin(display, args, open_packet_menu)
    ws = Wireshark(display, args + ["-o", "tcpfollowts.fields:never"])  # as in test_menu: the details alike
    try:
        open_packet_menu(display, ws)
        highlight_new_item(display, base, "packet list context menu")
        display.save_png("gui-packet-menu.png")
        display.key("Right", "Return")  # its submenu's only item: Follow this stream with timing
        report = display.wait_window(report_title(1), timeout=30)
        display.settle()
        check_report_window(display, report, tshark_report(ANALYZE_CAPTURE, "tcpfollowts,stream,1"),
                            "packet list > TCP Stream Timeline > Follow this stream with timing")
    finally:
        ws.close()


def toolbar_crop(display, ws):
    """The main window's top, where the toolbars are."""
    x, y, w, h = display.geometry(ws.main)
    return x, y, w, min(h, 140)


def main():
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        tft.fail(f"missing {' '.join(missing)}: apt-get install wireshark-qt xvfb xdotool xclip imagemagick")
    tft.assert_plugin_loaded()
    display = Display()
    try:
        started = time.time()
        test_menu(display)
        print(f"menu, dialog, window, buttons: {time.time() - started:.1f} s")
        started = time.time()
        test_zarg_startup(display)
        print(f"wireshark -z start-up: {time.time() - started:.1f} s")
        started = time.time()
        test_analyze(display)
        test_markup_shows_as_text(display)
        print(f"Analyze menu, toolbar, problems, markup: {time.time() - started:.1f} s")
        if tft.ws_version() >= (4, 4):
            started = time.time()
            test_packet_menu(display)
            print(f"packet list context menu: {time.time() - started:.1f} s")
    finally:
        display.close()
    print(f"screenshots in {screenshot_dir()}")
    tft.done()


if __name__ == "__main__":
    main()
