#!/usr/bin/env python3
"""Real Linux TCP as the peer: connections between network namespaces created
here (netlab.py), through a router with a tbf bottleneck, captured with dumpcap
before the bottleneck ("sender-side", the router's interface facing the sender)
and in the receiver's namespace ("receiver-side"). The sender's kernel keeps its
own accounting (TCP_INFO, nstat); the report, and tshark's own fields, must agree
with it. docs/realtcp.md describes the scenarios and what is compared.

Root only (namespaces, dumpcap): exits 77 (skipped) otherwise.
TFT_REALTCP_KEEP=DIR keeps the captures and the kernel's figures in DIR.
TFT_REALTCP_PRE_DIAGNOSIS=1 lets the test pass while the diagnosis fields of the
report contract are not in the JSON yet (never set it in ctest).
TFT_REALTCP_ONLY=name[,name] runs only those scenarios (while iterating).

SPDX-License-Identifier: GPL-2.0-or-later
"""
import gzip
import json
import math
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import tft  # noqa: E402
import netlab  # noqa: E402
import peer  # noqa: E402

PORT = 5001
SCENARIO_TIMEOUT = 90  # seconds: far above the few seconds each needs; a hang fails, never blocks


class Scenario:
    def __init__(self, name, tbf, recv, bursts, link_down=None, what=""):
        self.name, self.tbf, self.recv, self.bursts, self.link_down, self.what = \
            name, tbf, recv, bursts, link_down, what

    @property
    def total(self):
        return sum(size for size, _ in self.bursts)

    @property
    def pauses(self):
        return [pause for _, pause in self.bursts if pause]


# recv: [SO_RCVBUF (0: the default, autotuned), mode, mode arguments] (peer.py recv).
# bursts: [(bytes, seconds the sender pauses once they are all acknowledged)].
# A tbf `limit` of 30 kB (about 20 full segments) behind a 20 Mbit/s rate overflows
# as soon as cubic's window outgrows it: drops at the bottleneck, and a queueing
# delay of a few ms that gives the connection an RTT (no netem in this kernel).
SCENARIOS = [
    Scenario("loss", "rate 20mbit burst 16kb limit 30kb", [0, "drain"], [(3_000_000, 0)],
             what="bulk transfer through a dropping tbf: SACK fast retransmits, maybe TLP"),
    Scenario("zero-window", "rate 50mbit burst 32kb limit 1mb", [16384, "pause", 262144, 1.5],
             [(1_500_000, 0)],
             what="a 16 kB receive buffer whose reader stops for 1.5 s: zero window, persist probes"),
    Scenario("timeout", "rate 20mbit burst 16kb limit 30kb", [0, "drain"], [(3_000_000, 0)],
             link_down=(0.4, 3.0),
             what="the router's link to the receiver down for 3 s mid-transfer: RTOs with backoff"),
    Scenario("window-limited", "rate 50mbit burst 32kb limit 1mb", [16384, "steady", 4096, 0.004],
             [(300_000, 0.3), (300_000, 0.3), (300_000, 0)],
             what="a small buffer read steadily (window-limited), written in bursts with pauses"),
]


# -- running one scenario -------------------------------------------------------

class Peer:
    """A peer.py process and the JSON events it prints."""

    def __init__(self, lab, role, args):
        self.proc = lab.spawn(role, sys.executable, os.path.join(HERE, "peer.py"), *map(str, args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.role, self.events = role, {}

    def wait(self, event, timeout=SCENARIO_TIMEOUT):
        deadline = time.monotonic() + timeout
        while event not in self.events:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise RuntimeError(f"{self.role}: no '{event}' within {timeout} s")
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{self.role} exited ({self.proc.wait()}) before '{event}': "
                                   f"{self.proc.stderr.read().strip()}")
            ev = json.loads(line)
            self.events[ev["event"]] = ev
        return self.events[event]


def run_scenario(sc, workdir):
    """Run the connection; returns the paths of both captures and the kernel's figures."""
    caps = {side: os.path.join(workdir, f"{sc.name}-{side}.pcapng") for side in ("sender", "receiver")}
    truth_path = os.path.join(workdir, f"{sc.name}-kernel.json")
    lab = netlab.Lab(sc.name[:4])
    try:
        lab.create(sc.tbf)
        captures = [netlab.Capture(lab, "rtr", "rtr0", caps["sender"]),
                    netlab.Capture(lab, "rcv", "rcv0", caps["receiver"])]
        for c in captures:
            c.wait_started()
        netlab.sync(lab, captures)
        receiver = Peer(lab, "rcv", ["recv", PORT] + sc.recv)
        receiver.wait("listening")
        sender = Peer(lab, "snd", ["send", netlab.R_ADDR, PORT, truth_path]
                      + [x for burst in sc.bursts for x in burst])
        sender.wait("connected")
        if sc.link_down:
            at, seconds = sc.link_down
            time.sleep(at)
            lab.link("rtr1", "down")
            time.sleep(seconds)
            lab.link("rtr1", "up")
        sender.wait("done")
        eof = receiver.wait("eof")
        netlab.sync(lab, captures)
        stats = {side: c.stop() for side, c in zip(("sender", "receiver"), captures)}
    finally:
        lab.close()
    with open(truth_path) as f:
        kernel = json.load(f)
    kernel["receiver_nstat"] = eof.pop("nstat")
    kernel["receiver"] = eof
    kernel["events"] = {role: p.events for role, p in (("sender", sender), ("receiver", receiver))}
    kernel["dumpcap"] = stats
    with open(truth_path, "w") as f:
        json.dump(kernel, f, indent=1)
    return caps, kernel


# -- what tshark itself says ----------------------------------------------------

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "tcp.len", "tcp.seq", "tcp.ack", "tcp.window_size",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.analysis.retransmission",
          "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission", "tcp.analysis.out_of_order",
          "tcp.analysis.zero_window", "tcp.analysis.zero_window_probe", "tcp.analysis.keep_alive",
          "tcp.analysis.bytes_in_flight", "tcp.analysis.ack_rtt", "tcp.options.sack_le", "tcp.options.sack_re"]
RESENT = ("tcp.analysis.retransmission", "tcp.analysis.fast_retransmission",
          "tcp.analysis.spurious_retransmission", "tcp.analysis.out_of_order")


def tshark_rows(capture):
    args = ["-r", capture, "-Y", "tcp", "-T", "fields", "-E", "occurrence=a"]
    for f in FIELDS:
        args += ["-e", f]
    rc, out, err = tft.tshark(args)
    if rc != 0:
        tft.fail(f"tshark -T fields on {capture}: rc={rc} {err}")
    return [dict(zip(FIELDS, line.split("\t"))) for line in out.splitlines()]


def sack_blocks(row):
    """The SACK blocks of this segment, [(left, right)], relative seq."""
    edges = [row["tcp.options.sack_le"], row["tcp.options.sack_re"]]
    if not edges[0]:
        return []
    return [(int(left), int(right)) for left, right in zip(*(e.split(",") for e in edges))]


def sack_bytes(row):
    """Bytes the SACK blocks of this segment cover (D-SACK blocks included)."""
    return sum(right - left for left, right in sack_blocks(row))


def dsack_block(row):
    """RFC 2883: the first block is a D-SACK when it lies below the cumulative
    ACK or inside the second block; None otherwise."""
    blocks = sack_blocks(row)
    if blocks and (blocks[0][1] <= int(row["tcp.ack"]) or
                   (len(blocks) > 1 and blocks[1][0] <= blocks[0][0] and blocks[0][1] <= blocks[1][1])):
        return blocks[0]
    return None


def flag(value):
    return value in ("1", "True")


def tshark_view(rows, mss):
    """tshark's own figures for the data direction (sender -> receiver)."""
    data = [r for r in rows if r["ip.src"] == netlab.S_ADDR and int(r["tcp.len"]) > 0]
    acks = [r for r in rows if r["ip.src"] == netlab.R_ADDR]
    segs = lambda rs: sum(math.ceil(int(r["tcp.len"]) / mss) for r in rs)  # noqa: E731
    resent = [r for r in data if any(r[f] for f in RESENT)]
    wins = [int(r["tcp.window_size"]) for r in acks]
    rtts = [float(r["tcp.analysis.ack_rtt"]) for r in acks if r["tcp.analysis.ack_rtt"]]
    # tshark's bytes_in_flight (4.0, its default "payload" method) is the span of
    # the segments it holds unacknowledged, minus the bytes the SACK blocks of the
    # peer's latest ACK cover. The report's in_flight (highest nxtseq - highest
    # ACK) subtracts nothing. The span is the same, except after a re-send of bytes
    # already acknowledged (a tail loss probe crossing the ACK): tshark holds it
    # until the peer's next ACK. Kept apart per frame: (tshark, SACKed, stale).
    flight, sacked, una, stale = {}, 0, 0, False
    for r in rows:
        if r["ip.src"] == netlab.R_ADDR:
            sacked, stale = sack_bytes(r), False
            una = max(una, int(r["tcp.ack"] or 0))
        elif int(r["tcp.len"]) > 0:
            stale |= int(r["tcp.seq"]) + int(r["tcp.len"]) <= una
            if r["tcp.analysis.bytes_in_flight"]:
                flight[int(r["frame.number"])] = (int(r["tcp.analysis.bytes_in_flight"]), sacked, stale)
    fin = next((i for i, r in enumerate(rows) if r["ip.src"] == netlab.S_ADDR and flag(r["tcp.flags.fin"])),
               len(rows))
    before_fin = [r for r in rows[:fin] if r["ip.src"] == netlab.R_ADDR]
    data_end = max((int(r["tcp.seq"]) + int(r["tcp.len"]) for r in data), default=0)
    return {
        "data_frames": len(data), "data_bytes": sum(int(r["tcp.len"]) for r in data), "data_segs": segs(data),
        "resent_frames": {f.split(".")[-1]: sum(1 for r in data if r[f]) for f in RESENT},
        "resent_bytes": sum(int(r["tcp.len"]) for r in resent), "resent_segs": segs(resent),
        "zero_window": sum(1 for r in acks if r["tcp.analysis.zero_window"]),
        "zero_window_runs": sum(1 for a, b in zip([1] + wins, wins) if a and not b),
        "probes": sum(1 for r in rows if r["ip.src"] == netlab.S_ADDR and int(r["tcp.len"]) <= 1
                      and (r["tcp.analysis.zero_window_probe"] or r["tcp.analysis.keep_alive"])),
        "window_min": min(wins), "window_max": max(wins),
        "last_window": int(before_fin[-1]["tcp.window_size"]) if before_fin else None,
        # the receiver's windows from the ACK of the last data byte to the sender's FIN: the
        # reader may still open its window while the sender reads TCP_INFO
        "final_windows": {int(r["tcp.window_size"]) for r in before_fin if int(r["tcp.ack"] or 0) >= data_end},
        "bytes_in_flight_max": max((bif for bif, _, _ in flight.values()), default=None),
        "in_flight_by_frame": flight,
        "ack_rtt": {"samples": len(rtts), "min": min(rtts, default=None),
                    "median": statistics.median(rtts) if rtts else None},
        "handshake": handshake_halves(rows),
        "acks": [(int(r["frame.number"]), int(r["tcp.ack"]), dsack_block(r)) for r in acks if r["tcp.ack"]],
    }


def handshake_halves(rows):
    """(SYN -> SYN-ACK, SYN-ACK -> ACK) in seconds, from tshark's fields."""
    t = lambda r: float(r["frame.time_epoch"])  # noqa: E731
    syn = next(r for r in rows if flag(r["tcp.flags.syn"]) and not flag(r["tcp.flags.ack"]))
    syn_ack = next(r for r in rows if flag(r["tcp.flags.syn"]) and flag(r["tcp.flags.ack"]))
    ack = next(r for r in rows if r["ip.src"] == netlab.S_ADDR and t(r) >= t(syn_ack)
               and not flag(r["tcp.flags.syn"]))
    return t(syn_ack) - t(syn), t(ack) - t(syn_ack)


def capture_point_rule(halves):
    """docs/report.md: one half under a tenth of the other puts the capture next
    to the end that answers fast."""
    to_syn_ack, to_ack = halves
    if to_ack < to_syn_ack / 10:
        return "near-client"
    if to_syn_ack < to_ack / 10:
        return "near-server"
    return "in-path"


# -- the comparisons that hold with the report as it is -------------------------

def data_dir(rep):
    """Our dir of the data (sender -> receiver): the sender connected, so it is
    the client, dir 0; checked, not assumed."""
    addrs = [n["addr"] for n in rep["nodes"]]
    tft.check(addrs == [netlab.S_ADDR, netlab.R_ADDR], f"nodes {addrs}: the sender should be node 0")
    return 0


def hole_fill_bytes(rep, d):
    return sum(s["new_bytes"] for s in rep["segments"] if s["dir"] == d and s["class"] == "out-of-order")


def check_scenario_happened(sc, k):
    """The kernel confirms each scenario produced what it is about, so a later
    comparison cannot pass on a connection where nothing happened."""
    info, snd, rcv = k["tcp_info"], k["nstat"], k["receiver_nstat"]
    want = {
        "loss": [("bytes_retrans", info["bytes_retrans"], 1)],
        "zero-window": [("receiver TcpExtTCPToZeroWindowAdv", rcv.get("TcpExtTCPToZeroWindowAdv", 0), 1),
                        ("sender TcpExtTCPWinProbe", snd.get("TcpExtTCPWinProbe", 0), 1)],
        "timeout": [("sender TcpExtTCPTimeouts", snd.get("TcpExtTCPTimeouts", 0), 2)],
        "window-limited": [("rwnd_limited", info["rwnd_limited"], 1)],
    }[sc.name]
    for name, value, least in want:
        tft.check(value >= least, f"{sc.name}: the kernel's {name} is {value}, the scenario needs >= {least}")


def check_now(sc, caps, k, reps, views):
    """Comparisons with what the report has today (and with tshark's fields)."""
    info, snd, rcv = k["tcp_info"], k["nstat"], k["receiver_nstat"]
    for side in caps:
        dc = k["dumpcap"][side]
        tft.check(dc["dropped"] == 0 and dc["in_file"] == dc["captured"], f"{sc.name}: dumpcap {side}-side "
                  f"captured {dc['captured']}, dropped {dc['dropped']}, the file holds {dc['in_file']}: incomplete")
    tft.check(k["receiver"]["bytes"] == sc.total and k["receiver"]["sha256"] == peer.expected_digest(sc.total),
              f"{sc.name}: the receiver got {k['receiver']['bytes']} bytes (sha256 {k['receiver']['sha256']}), "
              f"the sender wrote {sc.total}")
    for side, rep in reps.items():
        d = data_dir(rep)
        tft.check(tft.tcp_stream_ids(caps[side]) == [0], f"{sc.name} {side}: one TCP stream expected")
        st = rep["summary"]["dirs"][d]
        # Every byte passed both points (the receiver got them all): nothing missing.
        tft.check(st["bytes"] == sc.total and st["missing"] == 0,
                  f"{sc.name} {side}-side: kept {st['bytes']} missing {st['missing']}, expected {sc.total} / 0")

    # Sender-side: the capture sees every transmission of the sender's kernel, so
    # the retransmitted bytes must be the kernel's bytes_retrans exactly (veth
    # passes GSO super-segments whole: a frame may carry up to 64 kB, bytes are
    # bytes). The same for tshark: every data frame below the highest seq is a
    # resend on this side of the bottleneck, which tshark labels retransmission,
    # fast retransmission, spurious retransmission or (when it comes soon after
    # the highest segment, as SACK recovery's do) out-of-order. The kernel counts
    # segments of one MSS (tcp_skb_pcount), so a frame counts ceil(len / mss).
    ours = reps["sender"]["summary"]["dirs"][0]["retransmitted_bytes"]
    v = views["sender"]
    tft.check(ours == info["bytes_retrans"], f"{sc.name} sender-side: our retransmitted_bytes {ours} != "
              f"kernel bytes_retrans {info['bytes_retrans']}")
    tft.check(v["resent_bytes"] == info["bytes_retrans"], f"{sc.name} sender-side: tshark's retransmitted/"
              f"out-of-order frames carry {v['resent_bytes']} bytes, kernel bytes_retrans {info['bytes_retrans']}")
    tft.check(v["resent_segs"] == info["total_retrans"], f"{sc.name} sender-side: tshark's resent frames are "
              f"{v['resent_segs']} MSS segments, kernel retrans (total) {info['total_retrans']}")
    tft.check(v["data_bytes"] == info["bytes_sent"], f"{sc.name} sender-side: data frames carry {v['data_bytes']} "
              f"bytes, kernel bytes_sent {info['bytes_sent']}")
    tft.check(v["data_segs"] == info["data_segs_out"], f"{sc.name} sender-side: data frames are {v['data_segs']} "
              f"MSS segments, kernel data_segs_out {info['data_segs_out']}")
    # bytes_acked counts the SYN too (snd_una moves past it).
    tft.check(info["bytes_acked"] == sc.total + 1, f"{sc.name}: kernel bytes_acked {info['bytes_acked']}, "
              f"expected {sc.total} + 1 (the SYN)")

    # Receiver-side: what reached the receiver again is a subset of what was
    # re-sent. On a FIFO path every data frame below the highest seq is a resend;
    # we call it retransmission (old bytes) or out-of-order (it fills a hole: the
    # original was lost before this point); tshark flags the same frames.
    r = reps["receiver"]
    got = r["summary"]["dirs"][0]["retransmitted_bytes"] + hole_fill_bytes(r, 0)
    vr = views["receiver"]
    tft.check(got == vr["resent_bytes"], f"{sc.name} receiver-side: our retransmitted + hole-filling bytes {got} "
              f"!= tshark's retransmitted/out-of-order bytes {vr['resent_bytes']}")
    tft.check(got <= info["bytes_retrans"], f"{sc.name} receiver-side: {got} resent bytes arrived, more than the "
              f"kernel's bytes_retrans {info['bytes_retrans']}")

    for side, view in views.items():
        # Each run of zero-window advertisements starts with one transition from
        # open to 0, which the receiver's kernel counts (TCPToZeroWindowAdv); the
        # ACK path is not shaped and drops nothing, so both points see them all.
        want = rcv.get("TcpExtTCPToZeroWindowAdv", 0)
        tft.check(view["zero_window_runs"] == want, f"{sc.name} {side}-side: tshark sees "
                  f"{view['zero_window_runs']} runs of window 0, the receiver's kernel went to 0 {want} times")
        # Linux's persist probes (seq snd.una - 1, no payload) are TCPWinProbe.
        want = snd.get("TcpExtTCPWinProbe", 0)
        tft.check(view["probes"] == want, f"{sc.name} {side}-side: tshark flags {view['probes']} probes "
                  f"(zero-window probe / keep-alive), the sender's kernel sent {want} (TCPWinProbe)")
    # The peer window the kernel holds when it reads TCP_INFO (all data acknowledged) is one
    # the receiver advertised between the ACK of the last data byte and the sender's FIN
    # (tshark scales it: tcp.window_size); a window update may race the read.
    tft.check(info["snd_wnd"] in views["sender"]["final_windows"], f"{sc.name}: the kernel's snd_wnd "
              f"{info['snd_wnd']} is none of the receiver's final windows {sorted(views['sender']['final_windows'])}")


# -- the diagnosis (report contract, "Diagnosis") ---------------------------------

DIAGNOSIS_KEYS = {
    "summary": ["capture_point", "episodes", "zero_windows", "unresponsive"],
    "summary.dirs[]": ["rtt", "max_in_flight", "zero_window", "repairs", "active", "time"],
    "segments[]": ["in_flight", "peer_win", "rtt"],
}
TIME_KEYS = ["transfer", "window_limited", "zero_window", "loss_recovery", "timeout", "sender_idle"]


def missing_diagnosis(rep):
    s = rep["summary"]
    have = {"summary": s, "summary.dirs[]": s["dirs"][0], "segments[]": rep["segments"][0]}
    return [f"{where}.{k}" for where, keys in DIAGNOSIS_KEYS.items() for k in keys if k not in have[where]]


def kernel_tick():
    """The kernel's chrono clock: TCP's busy / rwnd_limited are counted in jiffies
    (tcp_jiffies32), 1/HZ each. HZ from the kernel's config; 10 ms (HZ=100, the
    coarsest) when it cannot be read."""
    for path, opener in (("/proc/config.gz", gzip.open), (f"/boot/config-{os.uname().release}", open)):
        try:
            with opener(path, "rt") as f:
                hz = [line.split("=")[1] for line in f if line.startswith("CONFIG_HZ=")]
        except OSError:
            continue
        if hz:
            return 1.0 / int(hz[0])
    return 0.01


def close_enough(got, want, rel, floor):
    return abs(got - want) <= max(rel * want, floor)


def check_diagnosis(sc, k, reps, views, texts, table):
    """The contract's diagnosis fields against the kernel. Returns False when the
    JSON does not have them yet."""
    missing = {side: missing_diagnosis(rep) for side, rep in reps.items()}
    if any(missing.values()):
        print(f"{sc.name}: diagnosis fields not present yet: {missing['sender']}")
        return False
    info, snd, rcv = k["tcp_info"], k["nstat"], k["receiver_nstat"]
    s = reps["sender"]["summary"]
    d = s["dirs"][0]
    t = d["time"]
    tick = kernel_tick()

    for side, rep in reps.items():
        # The partition is exact (integer ns in the engine; 1 us for the JSON's
        # rounding), per direction and per turn.
        for what in [rep["summary"]["dirs"][0]] + rep["summary"]["turns"]:
            total = sum(what["time"][key] for key in TIME_KEYS)
            tft.check(abs(total - what["active"]) <= 1e-6, f"{sc.name} {side}-side: time {what['time']} "
                      f"sums to {total}, not active {what['active']}")
        dd = rep["summary"]["dirs"][0]
        # A FIFO bottleneck never reorders: every hole is a loss.
        tft.check(dd["repairs"]["reordering"] == 0, f"{sc.name} {side}-side: {dd['repairs']['reordering']} "
                  f"reordering episodes through a FIFO tbf")
        tft.check(all(u is None for u in rep["summary"]["unresponsive"]),
                  f"{sc.name} {side}-side: unresponsive {rep['summary']['unresponsive']}, but the receiver "
                  f"acknowledged every byte in the end")

    # Busy: the kernel's clock runs while its write or retransmit queue holds data
    # (first byte written -> ACK of the last byte), stopped while both are empty.
    # It was read once every data byte was acknowledged, before the FIN (which
    # runs the clock again: tcp_info_after_fin, printed). Our active time spans
    # the turn, so it includes the application's pauses (sender_idle: nothing in
    # flight, window open); the capture point is a veth hop (microseconds) from
    # the sender. The kernel's clock also runs while its own stack is slow to
    # answer an ACK that opened the window (data queued, nothing sent: softirq
    # work deferred to ksoftirqd on a loaded machine; CI saw 4.8 ms of it): on the
    # wire that is the sender not sending, our sender_idle. So busy lies between
    # active - sender_idle and that plus the sender_idle the application's pauses
    # (each at least its sleep) do not explain. Tolerance 0.1 %, but never below
    # the kernel's own resolution: each busy period is counted in whole jiffies
    # (under 1 tick of error per period; one period per burst here), plus up to
    # 1 ms between the kernel's clock events and the frames the capture point
    # sees (the write before the first segment leaves, scheduling: seen up to 0.12 ms).
    ours = d["active"] - t["sender_idle"]
    stack_slack = max(0.0, t["sender_idle"] - sum(sc.pauses))
    busy = info["busy_time"] / 1e6
    periods = len(sc.bursts)
    tol = max(0.001 * busy, tick * periods + 0.001)
    tft.check(ours - tol <= busy <= ours + stack_slack + tol,
              f"{sc.name}: active - sender_idle = {ours:.6f} s (+ {stack_slack:.6f} s of sender_idle not in "
              f"the application's pauses), kernel busy {busy:.6f} s (tolerance {tol:.6f} s: 0.1 % or "
              f"{periods} tick(s) of {tick * 1e3:g} ms + 1 ms)")
    # rwnd_limited: the kernel's clock runs from a transmission attempt that the
    # peer window blocked to the next one it did not (tcp_write_xmit), which is
    # our zero_window + window_limited; 2 %, or 30 ms when that is larger.
    ours_rwnd = t["zero_window"] + t["window_limited"]
    rwnd = info["rwnd_limited"] / 1e6
    tft.check(close_enough(ours_rwnd, rwnd, 0.02, 0.030), f"{sc.name}: zero_window + window_limited = "
              f"{ours_rwnd:.6f} s, kernel rwnd_limited {rwnd:.6f} s (tolerance 2 % or 30 ms)")

    # Where the losses happened: everything is dropped at the tbf, downstream of
    # the sender-side capture and upstream of the receiver-side one.
    for side, lost in (("sender", "after-capture"), ("receiver", "before-capture")):
        for ep in reps[side]["summary"]["episodes"]:
            if ep["dir"] != 0 or ep["cause"] == "spurious":
                continue
            tft.check(ep["cause"] in ("fast-retransmit", "timeout") and ep["lost"] == lost,
                      f"{sc.name} {side}-side: episode {ep}: expected a fast-retransmit or timeout repair "
                      f"lost {lost}")
    # Spurious: Linux re-sends only what its peer has not acknowledged (it trims
    # acknowledged bytes off), so a spurious re-send is one the receiver got
    # twice: either its ACK crossed the re-send (the capture saw the bytes
    # acknowledged before the repair) or the receiver reports the duplicate with a
    # D-SACK (tcp_dsack, on by default) — the receiver's kernel counts those it
    # sends (TCPDSACKOldSent/OfoSent, printed). Every spurious episode must show
    # one of the two in the capture (tshark's tcp.ack and SACK fields).
    for side in reps:
        for ep in reps[side]["summary"]["episodes"]:
            if ep["dir"] == 0 and ep["cause"] == "spurious":
                tft.check(spurious_evidence(ep, views[side]["acks"]), f"{sc.name} {side}-side: spurious "
                          f"episode {ep}, but no ACK covered its bytes before the repair and no D-SACK "
                          f"reported them after it (the kernel sent it as a loss repair)")
    # The receiver-side capture sees every hole the losses left; each filled hole
    # is a repair episode there.
    fills = sum(1 for seg in reps["receiver"]["segments"] if seg["dir"] == 0 and seg["class"] == "out-of-order")
    rep_rcv = reps["receiver"]["summary"]["dirs"][0]["repairs"]
    tft.check(fills == 0 or rep_rcv["fast_retransmit"] + rep_rcv["timeout"] >= 1,
              f"{sc.name} receiver-side: {fills} holes filled, repairs {rep_rcv}")

    # In flight: the report's highest nxtseq - highest ACK on every data frame is
    # tshark's bytes_in_flight plus what tshark subtracts (the SACKed bytes of the
    # peer's latest ACK), except where tshark still holds an acknowledged re-send
    # (see tshark_view). Where nothing is SACKed or stale they are equal.
    per_frame = {seg["frame"]: seg["in_flight"] for seg in reps["sender"]["segments"] if seg["dir"] == 0}
    flight = {f: v for f, v in views["sender"]["in_flight_by_frame"].items() if not v[2]}
    differ = [(f, per_frame.get(f), bif, sacked) for f, (bif, sacked, _) in flight.items()
              if per_frame.get(f) != bif + sacked]
    tft.check(not differ, f"{sc.name} sender-side: in_flight != tshark's bytes_in_flight + SACKed bytes on "
              f"{len(differ)} of {len(flight)} frames, e.g. (frame, ours, tshark, sacked) {differ[:3]}")
    tft.check(d["max_in_flight"] == max(per_frame.values()), f"{sc.name}: max_in_flight {d['max_in_flight']} "
              f"!= the largest in_flight of its segments {max(per_frame.values())}")
    literal = sum(1 for f, (bif, _, _) in views["sender"]["in_flight_by_frame"].items() if per_frame.get(f) != bif)
    # RTT: for each of our samples (segment X, first ACK A covering it) the kernel
    # took one at A that is at most as long (ca_rtt: from the newest segment A
    # acknowledges), measured at the sender, one veth hop each way beyond the
    # capture (microseconds): its min is no larger than ours + 0.2 ms.
    if d["rtt"]:
        tft.check(info["min_rtt"] / 1e6 <= d["rtt"]["min"] + 0.0002, f"{sc.name}: kernel minrtt "
                  f"{info['min_rtt']} us > our smallest rtt {d['rtt']['min']} s + 0.2 ms")

    # The capture point from the handshake. The sender-side capture is one veth
    # hop from the client (SYN-ACK -> ACK is that hop, the client's stack and back),
    # the receiver-side one next to the server (SYN -> SYN-ACK is the server's own
    # stack). Without netem there is no propagation delay: both halves are tens of
    # microseconds of forwarding and scheduling, so the documented 10x rule may
    # honestly answer in-path. Checked: the answer is the rule applied to tshark's
    # own handshake times, and never the far end.
    for side, far in (("sender", "near-server"), ("receiver", "near-client")):
        got, halves = reps[side]["summary"]["capture_point"], views[side]["handshake"]
        tft.check(got == capture_point_rule(halves) and got != far, f"{sc.name} {side}-side: capture_point "
                  f"{got}; tshark's SYN->SYN-ACK {halves[0] * 1e6:.0f} us, SYN-ACK->ACK {halves[1] * 1e6:.0f} us "
                  f"say {capture_point_rule(halves)}")

    if sc.name == "timeout":
        # Each re-send of the same bytes after a silence is the kernel's
        # retransmission timer (TCPTimeouts counts every expiry) or its tail loss
        # probe timer (TCPLossProbes); the backoff series needs >= 2. Its episode
        # is a timeout, or spurious when the original did arrive before the link
        # went down and only its ACK was lost (the receiver D-SACKs the re-send).
        eps = [ep for ep in s["episodes"] if ep["dir"] == 0]
        most = max((ep["timeouts"] for ep in eps), default=0)
        timers = snd.get("TcpExtTCPTimeouts", 0) + snd.get("TcpExtTCPLossProbes", 0)
        tft.check(2 <= most <= timers, f"{sc.name}: the longest timeout episode has {most} re-sends after "
                  f"silence, expected >= 2 and <= the kernel's TCPTimeouts + TCPLossProbes {timers}")
        # From the link going down to the retransmission that got through, the
        # sender only waits for its timer (apart from one tail loss probe ~2 RTT
        # after the last segment): that silence is the timeout time.
        down = sc.link_down[1]
        tft.check(t["timeout"] >= 0.9 * down, f"{sc.name}: timeout time {t['timeout']:.3f} s, the link was "
                  f"down {down} s")
        tft.check("timeout" in diagnosis_text(texts["sender"]), f"{sc.name}: the text diagnosis does not "
                  f"mention the timeouts:\n{diagnosis_text(texts['sender'])}")
    if sc.name == "zero-window":
        zw = [z for z in s["zero_windows"] if z["dir"] == 0]
        want = rcv.get("TcpExtTCPToZeroWindowAdv", 0)
        tft.check(len(zw) == want and d["zero_window"]["periods"] == want, f"{sc.name}: {len(zw)} "
                  f"zero-window periods ({d['zero_window']}), the receiver's kernel went to 0 {want} times")
        probes = sum(z["probes"] for z in zw)
        tft.check(probes == snd.get("TcpExtTCPWinProbe", 0) and probes >= 1, f"{sc.name}: {probes} probes "
                  f"in the zero-window periods, the kernel sent {snd.get('TcpExtTCPWinProbe', 0)}")
        # The window closes once the reader stops (a 16 kB buffer fills in a few
        # ms) and opens when it reads again (plus one ACK's way to the capture).
        ev = k["events"]["receiver"]
        longest = max(zw, key=lambda z: z["seconds"]) if zw else None
        if longest:
            start = float(longest["start"])
            end = start + longest["seconds"]
            tft.check(ev["pausing"]["time"] - 0.05 <= start <= ev["pausing"]["time"] + 0.3
                      and ev["resuming"]["time"] - 0.05 <= end <= ev["resuming"]["time"] + 0.3,
                      f"{sc.name}: zero window {start:.3f}-{end:.3f}, the reader paused "
                      f"{ev['pausing']['time']:.3f}-{ev['resuming']['time']:.3f}")
        tft.check("zero window" in diagnosis_text(texts["sender"]), f"{sc.name}: the text diagnosis does not "
                  f"mention the zero window:\n{diagnosis_text(texts['sender'])}")
    if sc.name == "window-limited":
        # The sender sleeps `pause` once a burst is all acknowledged (it polls
        # every ms) and then writes: idle from that ACK to the next burst's
        # first segment, the pause plus its wake-up (20 ms each is generous).
        pauses = sum(sc.pauses)
        tft.check(pauses <= t["sender_idle"] <= pauses + 0.02 * len(sc.pauses), f"{sc.name}: sender_idle "
                  f"{t['sender_idle']:.4f} s, the application paused {pauses} s")

    rep = lambda side: reps[side]["summary"]["dirs"][0]["repairs"]  # noqa: E731
    ev = k["events"]["sender"]
    table += [
        ("active - sender_idle / busy (s)", f"{ours:.4f}", "", "", f"{busy:.4f}"),
        ("  kernel busy with the FIN; the sender's pause before it (s)", "", "", "",
         f"{k['tcp_info_after_fin']['busy_time'] / 1e6:.4f}; {ev['fin']['time'] - ev['all-acked']['time']:.4f}"),
        ("zero_window + window_limited / rwnd_limited (s)", f"{ours_rwnd:.4f}", "", "", f"{rwnd:.4f}"),
        ("fast-retransmit episodes / TCPFastRetrans (segs)", rep("sender")["fast_retransmit"],
         rep("receiver")["fast_retransmit"], views["sender"]["resent_frames"]["fast_retransmission"],
         snd.get("TcpExtTCPFastRetrans", 0)),
        ("timeout episodes / TCPTimeouts", rep("sender")["timeout"], rep("receiver")["timeout"], "",
         snd.get("TcpExtTCPTimeouts", 0)),
        ("spurious episodes / D-SACKs received, sent", rep("sender")["spurious"], rep("receiver")["spurious"],
         views["sender"]["resent_frames"]["spurious_retransmission"],
         f"{snd.get('TcpExtTCPDSACKRecv', 0)}, {rcv.get('TcpExtTCPDSACKOldSent', 0)}"),
        ("zero-window periods / receiver TCPToZeroWindowAdv", d["zero_window"]["periods"],
         reps["receiver"]["summary"]["dirs"][0]["zero_window"]["periods"], views["sender"]["zero_window_runs"],
         rcv.get("TcpExtTCPToZeroWindowAdv", 0)),
        ("rtt min / median (ms) vs kernel minrtt / srtt", fmt_rtt(d["rtt"]),
         fmt_rtt(reps["receiver"]["summary"]["dirs"][0]["rtt"]), fmt_rtt(views["sender"]["ack_rtt"]),
         f"{info['min_rtt'] / 1e3:.3f} / {info['rtt'] / 1e3:.3f}"),
        ("capture point", s["capture_point"], reps["receiver"]["summary"]["capture_point"], "", ""),
        ("max in flight / frames where in_flight != tshark", f"{d['max_in_flight']} / {literal}", "",
         f"{views['sender']['bytes_in_flight_max']} / {len(views['sender']['in_flight_by_frame'])}", ""),
    ]
    return True


def spurious_evidence(ep, acks):
    """Whether the receiver's segments (frame, ack, D-SACK block) show the
    episode's bytes acknowledged before its repair, or D-SACKed after it."""
    start, end = ep["seq"], ep["seq"] + ep["len"]
    for frame, ack, dsack in acks:
        if frame < ep["repair_frame"] and ack >= end:
            return True
        if frame > ep["repair_frame"] and dsack and dsack[0] < end and start < dsack[1]:
            return True
    return False


def fmt_rtt(r):
    return f"{r['min'] * 1e3:.3f} / {r['median'] * 1e3:.3f}" if r and r.get("min") is not None else "-"


def diagnosis_text(text):
    """The text report from its last 'diagnosis' heading on (empty without one)."""
    at = text.lower().rfind("diagnosis")
    return text[at:].lower() if at >= 0 else ""


# -- the table for the closing note -------------------------------------------

def print_table(sc, rows, notes):
    head = ("quantity", "ours snd-side", "ours rcv-side", "tshark snd-side", "kernel")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
    print(f"\n{sc.name}: {sc.what}")
    for r in [head] + rows:
        print("  " + "  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())
    for line in notes:
        print("  " + line)


def base_table(k, reps, views):
    info, snd = k["tcp_info"], k["nstat"]
    ours = lambda side: reps[side]["summary"]["dirs"][0]  # noqa: E731
    v = views["sender"]
    return [
        ("retransmitted bytes / bytes_retrans", ours("sender")["retransmitted_bytes"],
         ours("receiver")["retransmitted_bytes"] + hole_fill_bytes(reps["receiver"], 0), v["resent_bytes"],
         info["bytes_retrans"]),
        ("retransmitted segments / retrans (total)", "", "", v["resent_segs"], info["total_retrans"]),
        ("data bytes sent / bytes_sent", "", "", v["data_bytes"], info["bytes_sent"]),
        ("data segments / data_segs_out", "", "", v["data_segs"], info["data_segs_out"]),
        ("zero-window probes / TCPWinProbe", "", "", v["probes"], snd.get("TcpExtTCPWinProbe", 0)),
        ("tail loss probes / TCPLossProbes", "", "", "", snd.get("TcpExtTCPLossProbes", 0)),
        ("window: min / max / last vs snd_wnd", "", "", f"{v['window_min']} / {v['window_max']} / "
         f"{v['last_window']}", info["snd_wnd"]),
        ("bytes_in_flight max / ack_rtt samples", "", "", f"{v['bytes_in_flight_max']} / "
         f"{v['ack_rtt']['samples']}", ""),
    ]


NSTAT_SHOWN = ["TcpExtTCPTimeouts", "TcpExtTCPLossProbes", "TcpExtTCPLossProbeRecovery", "TcpExtTCPFastRetrans",
               "TcpExtTCPSlowStartRetrans", "TcpExtTCPSackRecovery", "TcpExtTCPLostRetransmit",
               "TcpExtTCPSpuriousRTOs", "TcpExtTCPDSACKRecv", "TcpExtTCPDSACKOfoRecv", "TcpExtTCPWinProbe",
               "TcpExtTCPLossUndo", "TcpExtTCPFullUndo", "TcpExtTCPPartialUndo", "TcpExtTCPDSACKUndo"]


def notes(k, reps, views):
    """The lines under a scenario's table: what explains its numbers."""
    lines = ["tshark's resent frames (sender-side): " + " ".join(
        f"{key}={n}" for key, n in views["sender"]["resent_frames"].items()),
        "handshake SYN->SYN-ACK / SYN-ACK->ACK (us): " + ", ".join(
            f"{side}-side {v['handshake'][0] * 1e6:.0f} / {v['handshake'][1] * 1e6:.0f}" for side, v in views.items()),
        "sender nstat: " + " ".join(f"{key[6:]}={k['nstat'][key]}" for key in NSTAT_SHOWN if k["nstat"].get(key)),
        f"ss -tin: {k['ss']}"]
    time_split = reps["sender"]["summary"]["dirs"][0].get("time")
    if time_split:
        lines.insert(0, "our time partition (sender-side, s): " + " ".join(
            f"{key}={time_split[key]:.4f}" for key in TIME_KEYS))
    return lines


# -- main -----------------------------------------------------------------------

def on_signal(signum, frame):
    raise SystemExit(f"signal {signum}: cleaning up")


def on_alarm(signum, frame):
    raise TimeoutError(f"a scenario took more than {SCENARIO_TIMEOUT} s")


def main():
    if os.geteuid() != 0:
        print("SKIP: the real-TCP test needs root (network namespaces, dumpcap); run it as root")
        sys.exit(77)
    for tool in ("ip", "tc", "dumpcap", "nstat", "ss", "ping"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed")
            sys.exit(77)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    netlab.sweep_stale()
    tft.assert_plugin_loaded()
    keep = os.environ.get("TFT_REALTCP_KEEP")
    workdir = keep or tempfile.mkdtemp(prefix="tft-realtcp-")
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)  # tshark runs as 'nobody'
    only = set(filter(None, os.environ.get("TFT_REALTCP_ONLY", "").split(",")))
    pre_diagnosis = os.environ.get("TFT_REALTCP_PRE_DIAGNOSIS") == "1"
    diagnosis_present = True
    try:
        for sc in SCENARIOS:
            if only and sc.name not in only:
                continue
            started = time.monotonic()
            signal.alarm(SCENARIO_TIMEOUT)
            caps, k = run_scenario(sc, workdir)
            signal.alarm(0)
            mss = k["tcp_info"]["snd_mss"]
            reps = {side: tft.follow_json(path, "stream,0") for side, path in caps.items()}
            texts = {side: tft.follow(path, "tcpfollowts,stream,0,data=none") for side, path in caps.items()}
            views = {side: tshark_view(tshark_rows(path), mss) for side, path in caps.items()}
            check_scenario_happened(sc, k)
            check_now(sc, caps, k, reps, views)
            table = base_table(k, reps, views)
            diagnosis_present &= check_diagnosis(sc, k, reps, views, texts, table)
            print_table(sc, table, notes(k, reps, views))
            print(f"  ({time.monotonic() - started:.1f} s)")
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if not diagnosis_present:
        msg = "diagnosis fields not present yet (report contract, 'Diagnosis')"
        if pre_diagnosis:
            print(f"note: {msg}; TFT_REALTCP_PRE_DIAGNOSIS=1 lets the rest pass")
        else:
            tft.check(False, msg)
    tft.done()


if __name__ == "__main__":
    main()
