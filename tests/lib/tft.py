"""Shared helpers for tcpfollowts integration tests: run the real tshark with the
built plugin, as an unprivileged user (Wireshark ignores personal and
WIRESHARK_PLUGIN_DIR plugins for root), and parse its reports.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import atexit
import csv
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURES = os.path.join(ROOT, "tests", "captures")

# tshark's own warning for the capture that is cut inside its last record (as
# stored upstream): the only stderr line allowed, and it is not ours. tshark then
# exits 2 (4.0, 4.4) or 14 (WS_EXIT_READ_ERROR, 4.6), plugin or not.
CUT_SHORT = {
    "sv_http-mime-truncated_zwp_bulk.pcap":
        "appears to have been cut short in the middle of a packet",
}
CUT_SHORT_EXIT = (2, 14)


def build_dir():
    return os.environ.get("TFT_BUILD_DIR", os.path.join(ROOT, "build"))


def plugin_dir():
    """The staged plugin tree (<dir>/<maj.min>/epan/tcpfollowts.so); TFT_PLUGIN_DIR
    overrides it (e.g. a sanitizer build)."""
    return os.environ.get("TFT_PLUGIN_DIR", os.path.join(build_dir(), "plugins"))


_temp_dirs = {}


def _temp_dir(prefix, mode):
    """One directory per prefix for the whole run, removed at exit."""
    if prefix not in _temp_dirs:
        path = tempfile.mkdtemp(prefix=prefix)
        os.chmod(path, mode)
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _temp_dirs[prefix] = path
    return _temp_dirs[prefix]


def _private_home():
    return _temp_dir("tft-home-", 0o777)


def empty_dir():
    """An empty directory 'nobody' can read: no plugins (WIRESHARK_PLUGIN_DIR),
    no extcap helpers (WIRESHARK_EXTCAP_DIR: they hang at exit when ASan is
    preloaded)."""
    return _temp_dir("tft-empty-", 0o755)


def user_prefix():
    """As root, drop to 'nobody' so tshark honours WIRESHARK_PLUGIN_DIR."""
    if os.geteuid() != 0:
        return []
    nobody = pwd.getpwnam("nobody")
    return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]


def env(extra=None):
    e = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": _private_home(),
        "WIRESHARK_PLUGIN_DIR": plugin_dir(),
        "WIRESHARK_CONFIG_DIR": os.path.join(_private_home(), "wsconfig"),
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    }
    for k in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            e[k] = os.environ[k]
    if extra:
        e.update(extra)
    return e


def tshark(args, binary=False, wrapper=None, timeout=600, discard_stdout=False, env_extra=None):
    """Run tshark with args; returns (returncode, stdout, stderr). stdout is bytes
    when binary=True, empty with discard_stdout (sent to /dev/null, as a
    benchmark wants). wrapper is a command prefix such as valgrind; env_extra
    adds to or overrides the environment."""
    cmd = user_prefix() + (wrapper or []) + ["tshark"] + list(args)
    p = subprocess.run(cmd, env=env(env_extra), stdout=subprocess.DEVNULL if discard_stdout else subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    out = p.stdout or b""
    out = out if binary else out.decode("utf-8", "replace")
    return p.returncode, out, p.stderr.decode("utf-8", "replace")


def assert_plugin_loaded(env_extra=None):
    rc, out, err = tshark(["-G", "plugins"], env_extra=env_extra)
    line = [l for l in out.splitlines() if "tcpfollowts" in l]
    if rc != 0 or not line or err.strip():
        hint = ""
        if os.geteuid() == 0:
            hint = (" (tshark runs as 'nobody' here: can it read that directory? "
                    "tests/run.sh tests a readable copy when not)")
        fail(f"tcpfollowts plugin not loaded from {plugin_dir()}{hint}: rc={rc}\n{out}\n{err}")
    return line[0]


def recommended_streams():
    """{capture file: the stream its MANIFEST line recommends following} for the
    captures bundled in tests/captures."""
    with open(os.path.join(CAPTURES, "MANIFEST.tsv"), newline="") as f:
        return {row["file"]: int(row.get("recommended_stream") or 0)
                for row in csv.DictReader(f, delimiter="\t")}


def capture_files():
    return sorted(f for f in os.listdir(CAPTURES) if f.endswith((".pcap", ".pcapng")))


_ws_version = None


def ws_version():
    """The host tshark's (major, minor), e.g. (4, 0): stream numbering and exit
    codes changed between releases, and a few expectations depend on it."""
    global _ws_version
    if _ws_version is None:
        first = subprocess.run(["tshark", "--version"], env=env(), capture_output=True,
                               text=True).stdout.split("\n", 1)[0]
        _ws_version = tuple(int(x) for x in first.split()[2].split(".")[:2])
    return _ws_version


def by_version(variants):
    """Pick from {(major, minor): value} the entry of the newest release not newer
    than the host's tshark ((0, 0) is the default)."""
    return variants[max(v for v in variants if v <= ws_version())]


def tcp_stream_ids(capture):
    """The tcp.stream numbers the host tshark gives the capture's segments, in order
    (independent of the plugin: the dissector's own field)."""
    rc, out, err = tshark(["-r", capture, "-T", "fields", "-e", "tcp.stream"])
    return sorted({int(x) for x in out.split() if x.strip()})


def follow(capture, zarg, extra_args=()):
    """Run one -z report; fail on a non-zero exit or anything on stderr."""
    rc, out, err = tshark(["-r", capture, "-q", "-z", zarg] + list(extra_args))
    if rc != 0 or err.strip():
        fail(f"tshark -r {capture} -z {zarg}: rc={rc}\nstderr:\n{err}")
    return out


def follow_json(capture, selection, opts=""):
    out = follow(capture, f"tcpfollowts,{selection},fmt=json" + (f",{opts}" if opts else ""))
    return json.loads(out)


# tshark's own warning for the capture that is cut inside its last record (as
# stored upstream): the only stderr line allowed, and it is not ours. tshark then
# exits 2 (4.0, 4.4) or 14 (WS_EXIT_READ_ERROR, 4.6), plugin or not.
CUT_SHORT = {
    "sv_http-mime-truncated_zwp_bulk.pcap":
        "appears to have been cut short in the middle of a packet",
}
CUT_SHORT_EXIT = (2, 14)


def unexpected_stderr(capture, err):
    """The stderr lines of a run on a bundled capture that are not tshark's
    known complaint about that capture."""
    allowed = CUT_SHORT.get(os.path.basename(capture))
    return [l for l in err.splitlines() if l.strip() and not (allowed and allowed in l)]


def exit_ok(capture, rc):
    return rc == 0 or (os.path.basename(capture) in CUT_SHORT and rc in CUT_SHORT_EXIT)


def stream_reports(capture, ids, extra=""):
    """The JSON report of every given stream, in one tshark run (checked: exit
    status and stderr)."""
    args = ["-r", capture, "-q"]
    for s in ids:
        args += ["-z", f"tcpfollowts,stream,{s},fmt=json{extra}"]
    rc, out, err = tshark(args)
    check(exit_ok(capture, rc), f"{capture}{extra}: tshark exit {rc}")
    check(not unexpected_stderr(capture, err), f"{capture}{extra}: unexpected stderr: "
                                              f"{unexpected_stderr(capture, err)[:3]}")
    return reports(out)


def wireshark_follow_raw(capture, stream):
    """Wireshark's own -z follow,tcp,raw,N: returns {"addr:port": bytes sent by it}
    (its node 0 is the first sender, not necessarily our client)."""
    rc, out, err = tshark(["-r", capture, "-q", "-z", f"follow,tcp,raw,{stream}"])
    nodes, data = {}, {0: bytearray(), 1: bytearray()}
    for line in out.splitlines():
        if line.startswith("Node "):
            idx, ep = line[5:].split(": ", 1)
            nodes[int(idx)] = ep.strip()
        elif line.strip() and not line.startswith(("=", "Follow:", "Filter:")):
            data[1 if line.startswith("\t") else 0] += bytes.fromhex(line.strip())
    return {nodes.get(k, str(k)): bytes(v) for k, v in data.items()}


def node_name(report, direction):
    """"addr:port" of the sender of a direction, spelled as Wireshark's follow does."""
    n = report["nodes"][direction]
    return f"[{n['addr']}]:{n['port']}" if ":" in n["addr"] else f"{n['addr']}:{n['port']}"


def reports(text):
    """Split the output of several -z ...,fmt=json in one run into objects."""
    dec, pos, out = json.JSONDecoder(), 0, []
    text = text.strip()
    while pos < len(text):
        obj, pos = dec.raw_decode(text, pos)
        out.append(obj)
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def kept_bytes(report, direction):
    """Concatenate a JSON report's chunks of one direction (gaps not filled)."""
    return b"".join(bytes.fromhex(c["data"]) for c in report["chunks"] if c["dir"] == direction)


_failures = []


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        _failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)


def done():
    if _failures:
        print(f"{len(_failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("ok")
