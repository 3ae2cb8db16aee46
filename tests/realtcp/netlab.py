"""A throw-away three-namespace network for real TCP connections, and dumpcap
captures inside it.

    sender (S_ADDR) --veth-- router --veth, tbf bottleneck--> receiver (R_ADDR)
             snd0      rtr0          rtr1                rcv0

Names carry the test's pid, so parallel runs never collide; everything is created
inside the namespaces (never in the host's), and Lab.close() deletes it all —
called from a finally and from atexit, so a failing or interrupted test leaves
nothing behind.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import atexit
import ctypes
import os
import re
import signal
import subprocess
import time

S_ADDR, R_ADDR = "10.77.1.1", "10.77.2.2"
ROUTES = [("snd", "snd0", "10.77.1.1/24", "10.77.1.2"), ("rcv", "rcv0", "10.77.2.2/24", "10.77.2.1")]


def _die_with_parent():
    """In the child before exec: killed when the test dies, even by SIGKILL
    (prctl PR_SET_PDEATHSIG), so no dumpcap or peer outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def run(*cmd, check=True):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


class Lab:
    def __init__(self, tag):
        self.ns = {role: f"tft-{os.getpid()}-{tag}-{role}" for role in ("snd", "rtr", "rcv")}
        self.procs = []
        atexit.register(self.close)

    # -- topology --------------------------------------------------------------
    def create(self, tbf):
        """tbf: the `tc qdisc ... tbf` arguments of the bottleneck (router -> receiver)."""
        for name in self.ns.values():
            run("ip", "netns", "add", name)
            self.sysctl(name, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
        snd, rtr, rcv = self.ns["snd"], self.ns["rtr"], self.ns["rcv"]
        run("ip", "link", "add", "snd0", "netns", snd, "type", "veth", "peer", "name", "rtr0", "netns", rtr)
        run("ip", "link", "add", "rcv0", "netns", rcv, "type", "veth", "peer", "name", "rtr1", "netns", rtr)
        run("ip", "-n", rtr, "addr", "add", "10.77.1.2/24", "dev", "rtr0")
        run("ip", "-n", rtr, "addr", "add", "10.77.2.1/24", "dev", "rtr1")
        # While rtr1 is down (the timeout scenario) its connected route is gone: a
        # blackhole drops the traffic silently instead of answering with ICMP
        # unreachable, which would make the sender revert its RTO backoff (RFC 6069).
        run("ip", "-n", rtr, "route", "add", "blackhole", "10.77.2.0/24", "metric", "4000")
        self.sysctl(rtr, "net.ipv4.ip_forward=1")
        for role, dev, addr, gw in ROUTES:
            run("ip", "-n", self.ns[role], "addr", "add", addr, "dev", dev)
        for role, devs in (("snd", ["snd0"]), ("rtr", ["rtr0", "rtr1"]), ("rcv", ["rcv0"])):
            for dev in devs + ["lo"]:
                run("ip", "-n", self.ns[role], "link", "set", dev, "up")
        for role, dev, addr, gw in ROUTES:
            run("ip", "-n", self.ns[role], "route", "add", "default", "via", gw)
        run("ip", "netns", "exec", rtr, "tc", "qdisc", "add", "dev", "rtr1", "root", "tbf", *tbf.split())

    def sysctl(self, ns, *settings):
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", *settings)

    def link(self, dev, state):
        run("ip", "-n", self.ns["rtr"], "link", "set", dev, state)

    def exec(self, role, *cmd):
        return ["ip", "netns", "exec", self.ns[role], *cmd]

    def spawn(self, role, *cmd, **kw):
        p = subprocess.Popen(self.exec(role, *cmd), preexec_fn=_die_with_parent, **kw)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.procs = []
        for name in self.ns.values():
            if os.path.exists(f"/run/netns/{name}"):
                run("ip", "netns", "del", name, check=False)


def sweep_stale(prefix="tft-"):
    """Namespaces of an earlier run killed outright (no cleanup ran): ours are
    tft-<pid>-<tag>-<role>, stale when that pid is gone. Their processes (our
    dumpcaps and peers) are ended by pid, then the namespaces deleted."""
    names = os.listdir("/run/netns") if os.path.isdir("/run/netns") else []
    for name in names:
        parts = name.split("-")
        if len(parts) != 4 or parts[0] + "-" != prefix or not parts[1].isdigit() or \
                parts[3] not in ("snd", "rtr", "rcv") or os.path.exists(f"/proc/{parts[1]}"):
            continue
        for pid in run("ip", "netns", "pids", name, check=False).split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        run("ip", "netns", "del", name, check=False)


class Capture:
    """dumpcap on one interface of one namespace, writing a pcapng file."""

    def __init__(self, lab, role, dev, path):
        self.path = path
        self.proc = lab.spawn(role, "dumpcap", "-i", dev, "-B", "64", "-w", path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.scanned = 0

    def wait_started(self):
        """dumpcap says 'Capturing on' once its socket is open."""
        line = self.proc.stderr.readline()
        while line and "Capturing on" not in line:
            line = self.proc.stderr.readline()
        if not line:
            raise RuntimeError(f"dumpcap for {self.path} did not start: {self.proc.stderr.read()}")

    def holds(self, marker):
        """Whether the file written so far holds `marker` (new bytes only are read)."""
        if not os.path.exists(self.path):
            return False
        with open(self.path, "rb") as f:
            f.seek(max(0, self.scanned - len(marker)))
            data = f.read()
        self.scanned = max(self.scanned, os.path.getsize(self.path))
        return marker in data

    def stop(self):
        """SIGINT: dumpcap writes the interface statistics and closes the file.
        Returns its final report {"captured": N, "dropped": N} and the packets
        the file holds ("in_file", counted by capinfos)."""
        self.proc.send_signal(signal.SIGINT)
        err = self.proc.stderr.read()
        rc = self.proc.wait(timeout=30)
        if rc != 0:
            raise RuntimeError(f"dumpcap for {self.path}: exit {rc}: {err}")
        os.chmod(self.path, 0o644)  # tshark reads it as 'nobody'
        m = re.search(r"Packets received/dropped on interface '[^']*': (\d+)/(\d+)", err)
        if not m:
            raise RuntimeError(f"dumpcap for {self.path}: no final statistics in {err!r}")
        in_file = run("capinfos", "-c", "-M", "-T", "-r", self.path).split("\t")[-1]
        return {"captured": int(m.group(1)), "dropped": int(m.group(2)), "in_file": int(in_file)}


def sync(lab, captures, timeout=10):
    """Make sure every capture holds everything sent so far: ping through both
    capture points with a payload unique to this call until each file holds it.
    libpcap hands packets over in order, in blocks retired on a timer, so once
    the ping is in a file, every earlier packet is too (stopping dumpcap before
    that loses the last block: the tail of the connection)."""
    sync.count = getattr(sync, "count", 0) + 1
    pattern = "%08x%08x" % (os.getpid() & 0xFFFFFFFF, sync.count)
    marker = bytes.fromhex(pattern) * 2
    deadline = time.monotonic() + timeout
    waiting = list(captures)
    while waiting:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{[c.path for c in waiting]}: no ping captured after {timeout} s")
        run(*lab.exec("snd", "ping", "-c", "1", "-W", "1", "-q", "-s", "64", "-p", pattern, R_ADDR), check=False)
        time.sleep(0.05)
        waiting = [c for c in waiting if not c.holds(marker)]
