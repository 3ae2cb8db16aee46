#!/usr/bin/env python3
"""gencap_diag.py — generated captures with known *diagnosis* truth (issue 10).

Each scenario is one small TCP connection (5-20 frames, times in round
milliseconds) that tells one story — a dup-ACK fast retransmit, a timeout with
backoff, reordering, a spurious retransmission, a zero window with probes, a
window-limited or an idle sender, retransmitted SYNs — written with
gencap.py's machinery. Its truth (NAME.diag.json) follows the definitions of
docs/report.md "Diagnosis: why a stream was slow, where its bytes were lost"
and report-contract.md "Diagnosis", computed two independent ways that must
agree before anything is written:

  - by `model_diagnosis`, a small reference model written from those
    definitions (per segment in_flight / peer_win / rtt / episode, the loss
    episodes, zero windows, the time partition, the verdicts);
  - by hand: every scenario states its headline numbers (episodes, zero
    windows, the time partition with how it adds up, handshake, verdicts) in
    `expect(...)` calls next to the story.

The plugin is never run to make truth. Each scenario also states what plain
Wireshark flags in it (`wireshark(...)`: tcp.analysis.* frame sets), which the
integration test checks with tshark alone, so the captures themselves are
checked against an independent TCP analyser; every difference from our
definitions is explained where it is declared.

Commands:
  gencap_diag.py scenarios --out DIR [--only a,b]   DIR/NAME.pcap + DIR/NAME.diag.json
  gencap_diag.py list                               scenario names and stories

Times: `at(s)` places a frame at s seconds after the capture's epoch origin
(gencap.T0_NS), so every frame's time reads as in the story. The path RTT
(docs: the handshake's SYN -> ACK time) is 0.100 s in every scenario but the
SYN ones. Payloads are 1000 bytes (the MSS of the data direction) so seq
numbers read as multiples of 1000 (+1).

SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import json
import os
import struct
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gencap  # noqa: E402
from gencap import ACK, FIN, RST, SYN, MOD32, T0_NS  # noqa: E402

SEG = 1000                      # payload of a full data segment
MSS_OPT = b"\x02\x04\x05\xb4"   # MSS 1460 (what gencap.syn sends)
SACK_PERM_OPT = b"\x01\x01\x04\x02"
CLIENT, SERVER = 0, 1           # sides of a Conv, and dirs of the report (client sends the SYN)


def at(seconds):
    """Absolute time (ns) of a frame `seconds` after the capture origin; seconds as a
    string ("0.110") so the value is exact."""
    return T0_NS + int(Decimal(seconds) * 1_000_000_000)


def secs(ns):
    """A duration in integer ns as the truth writes it: seconds with 9 decimals."""
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    return "%s%d.%09d" % (sign, ns // 1_000_000_000, ns % 1_000_000_000)


def sack_option(conv, data_side, blocks):
    """TCP SACK option (kind 5) with blocks [(lo, hi), ...] given as data offsets of
    data_side's stream, NOP-padded to a multiple of 4 bytes."""
    body = b"".join(struct.pack("!II", conv.seq_of(data_side, lo) % MOD32,
                                conv.seq_of(data_side, hi) % MOD32) for lo, hi in blocks)
    return b"\x01\x01" + bytes([5, 2 + len(body)]) + body


def parse_sack(options):
    """The SACK blocks (raw 32-bit edges) of a raw TCP option string."""
    blocks, i = [], 0
    while i < len(options):
        kind = options[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        length = options[i + 1]
        if kind == 5:
            body = options[i + 2:i + length]
            blocks += [struct.unpack("!II", body[j:j + 8]) for j in range(0, len(body), 8)]
        i += length
    return blocks


# --------------------------------------------------------------------------- scenarios

class DiagCapture(gencap.Capture):
    """A gencap Capture whose scenario also states its diagnosis by hand."""

    def __init__(self, name, description):
        super().__init__(name, description)
        self.hand = []          # (path, value): parts of the truth computed by hand
        self.ws = {}            # tshark field -> frames Wireshark flags with it
        self.ws_in_flight = {}  # frame -> {"value": Wireshark's bytes_in_flight, "why"}
        self.text = []          # regexes the text report's diagnosis must match

    def expect(self, path, value):
        """A hand-computed part of the truth; path like "summary.episodes" or
        "summary.dirs.1.time" (list indices as numbers)."""
        self.hand.append((path, value))

    def wireshark(self, field, frames):
        """Frames plain tshark flags with `field`, one of WS_FLAGS. The table is complete:
        a flag a scenario does not declare is set on no frame."""
        assert field in WS_FLAGS, field
        self.ws[field] = list(frames)       # Segs (numbered when written) or frame numbers

    def wireshark_in_flight(self, values, why):
        """Frames where tcp.analysis.bytes_in_flight differs from our in_flight: {frame: value}."""
        self.ws_in_flight.update({frame: {"value": v, "why": why} for frame, v in values.items()})

    def says(self, *regexes):
        """Regexes (case-insensitive) the text report's diagnosis part must match."""
        self.text += regexes


# The Wireshark expert flags the scenarios declare (tshark -T fields prints 1 when set).
WS_FLAGS = ["tcp.analysis." + f for f in (
    "retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
    "lost_segment", "ack_lost_segment", "duplicate_ack", "window_update", "window_full",
    "keep_alive", "keep_alive_ack", "zero_window_probe", "zero_window", "zero_window_probe_ack")] \
    + ["tcp.options.sack.dsack"]

# Wireshark's bytes_in_flight with SACK: it counts only the bytes above the highest
# SACKed byte (plus a re-sent segment's own length); ours is the contract's
# highest nxtseq - una, the SACKed bytes included.
SACK_IN_FLIGHT = "Wireshark discounts the bytes below the highest SACKed byte"

SCENARIOS = []


def scenario(name, description):
    def deco(fn):
        SCENARIOS.append((name, description, fn))
        return fn
    return deco


def conversation(cap, sack=False, client_win=65535):
    c = cap.conv(isn=(1000, 500000))
    c.win = [client_win, 65535]
    c.syn_options = MSS_OPT + (SACK_PERM_OPT if sack else b"")
    return c


def handshake(c, syn_ack_at):
    """SYN 0.000, SYN-ACK at syn_ack_at, ACK 0.100 (path RTT 0.100), then the client's
    100-byte request at 0.101 (frame 4). Captured at the server, the SYN-ACK leaves
    at 0.001: SYN -> SYN-ACK is under a tenth of SYN-ACK -> ACK (near-server); at
    the client it arrives at 0.099: SYN-ACK -> ACK 0.001 is (near-client)."""
    c.syn(CLIENT, t=at("0.000"), options=c.syn_options)
    c.syn(SERVER, t=at(syn_ack_at), options=c.syn_options)
    c.ack(CLIENT, t=at("0.100"))
    c.send(CLIENT, 100, t=at("0.101"))


def at_server(cap, **kw):
    c = conversation(cap, **kw)
    handshake(c, "0.001")
    cap.says(r"near[- ]the[- ]server")
    return c


def at_client(cap, **kw):
    c = conversation(cap, **kw)
    handshake(c, "0.099")
    cap.says(r"near[- ]the[- ]client")
    return c


def server_sends(c, *times):
    """A 1000-byte server segment at each time, one after the other in the stream."""
    return [c.send(SERVER, SEG, t=at(t)) for t in times]


def hole_at_receiver(c, shown_at):
    """Captured at the client: the server's seq 1 arrives at 0.200 (frame 5); seq 1001
    is not captured (lost upstream, or late); seq 2001 arrives at shown_at and shows
    the hole (frame 6)."""
    server_sends(c, "0.200")
    c.send(SERVER, SEG, drop=True, t=at("0.200"))
    server_sends(c, shown_at)


def resend(c, *times):
    """The server's 2nd segment (seq 1001) again at each time."""
    return [c.send(SERVER, SEG, off=SEG, t=at(t)) for t in times]


def episode(cause, lost, first_frame, repair_frame, dupacks, delay, timeouts=0, repairs=1):
    """An episode of the server's 2nd segment (dir 1, seq 1001, len 1000)."""
    return {"dir": 1, "seq": 1001, "len": 1000, "cause": cause, "lost": lost,
            "first_frame": first_frame, "repair_frame": repair_frame, "dupacks": dupacks,
            "timeouts": timeouts, "delay": delay, "repairs": repairs}


def no_repairs():
    return {"fast_retransmit": 0, "timeout": 0, "reordering": 0, "spurious": 0, "unrepaired": 0}


def repairs(**counts):
    r = no_repairs()
    r.update(counts)
    return r


def time_split(**buckets):
    """A time partition in seconds (strings), the unnamed buckets 0."""
    t = {k: "0.000000000" for k in ("transfer", "window_limited", "zero_window", "loss_recovery",
                                    "timeout", "sender_idle")}
    for k, v in buckets.items():
        t[k] = secs(int(Decimal(v) * 1_000_000_000))
    return t


def server_time(cap, active, **buckets):
    """The server direction's active time and its partition (also its only turn's)."""
    cap.expect("summary.dirs.1.active", active)
    cap.expect("summary.dirs.1.time", time_split(**buckets))


def request_turn(cap, answered_at):
    """The client's 100-byte request at 0.101, acknowledged by the server's first segment:
    active 0.101 -> answered_at, all transfer (100 bytes in flight, window open)."""
    span = secs(at(answered_at) - at("0.101"))
    cap.expect("summary.dirs.0.active", span)
    cap.expect("summary.dirs.0.time", time_split(transfer=span))


@scenario("fast_retransmit_sender",
          "captured at the sender: a segment lost downstream, 3 duplicate ACKs, fast retransmit")
def sc_fast_retransmit_sender(cap):
    # The server sends 5 segments back to back; the 2nd (frame 6) is captured on its
    # way out and lost downstream. The client acknowledges the 1st (frame 10) and
    # repeats that ACK for each of segments 3-5 (frames 11-13: 3 duplicate ACKs, same
    # window, 4000 bytes in flight); the server re-sends the 2nd at once (frame 14)
    # and the client acknowledges everything a path RTT later.
    c = at_server(cap)
    server_sends(c, "0.110", "0.111", "0.112", "0.113", "0.114")      # 5-9
    c.ack(CLIENT, ackd=SEG, t=at("0.210"))                            # 10: acks 1001
    dups = [c.ack(CLIENT, ackd=SEG, t=at(t)) for t in ("0.212", "0.213", "0.214")]
    fix, = resend(c, "0.215")                                         # 14
    c.ack(CLIENT, t=at("0.315"))                                      # 15: acks 5001
    cap.expect_class(fix, "retransmission", 0)
    cap.expect("summary.episodes", [                                  # delay 0.215 - 0.111
        episode("fast-retransmit", "after-capture", 6, 14, dupacks=3, delay="0.104000000")])
    cap.expect("summary.dirs.1.repairs", repairs(fast_retransmit=1))
    # Server turn: first data 0.110 (frame 5) -> ACK of 5001 at 0.315: 0.205 s.
    # 0.110-0.215 data in flight, window open, no episode yet: transfer 0.105;
    # 0.215-0.315 the episode is open (first repair -> ACK of its end): loss_recovery 0.100.
    server_time(cap, "0.205000000", transfer="0.105", loss_recovery="0.100")
    request_turn(cap, "0.110")
    cap.expect("summary.capture_point", "near-server")
    cap.expect("summary.unresponsive", [None, None])
    cap.expect("segments.13.episode", 0)                              # frame 14
    cap.expect("segments.5.rtt", None)                # frame 6: re-sent before its ACK (Karn)
    cap.expect("segments.4.rtt", "0.100000000")       # frame 5: acknowledged by frame 10
    cap.expect("segments.13.in_flight", 4000)         # 5001 - 1001
    cap.wireshark("tcp.analysis.duplicate_ack", dups)
    cap.wireshark("tcp.analysis.fast_retransmission", [fix])
    cap.wireshark("tcp.analysis.retransmission", [fix])
    cap.says(r"1 fast[- ]retransmi", r"after the capture point|after[- ]capture|downstream")


@scenario("fast_retransmit_receiver",
          "captured at the receiver: a segment lost upstream, 3 duplicate ACKs, the hole filled")
def sc_fast_retransmit_receiver(cap):
    # The same loss seen at the client: the server's 2nd segment (seq 1001) is lost
    # before the capture point. Frame 6 (seq 2001) shows the hole; the client's ACK of
    # 1001 (frame 7, una moves 1 -> 1001) is followed by 3 duplicates (frames 9, 11, 13)
    # as segments 3-5 arrive. The fill (frame 14) comes 0.120 s after the hole showed
    # (more than the path RTT 0.100: not reordering) and 0.089 s after the last segment
    # (less than the path RTT: not a silence, so no timeout re-send).
    c = at_client(cap)
    hole_at_receiver(c, "0.210")                                      # 5, 6
    c.ack(CLIENT, ackd=SEG, t=at("0.211"))                            # 7
    dups = []
    for t_data, t_ack in (("0.220", "0.221"), ("0.230", "0.231"), ("0.240", "0.241")):
        server_sends(c, t_data)                                       # 8, 10, 12
        dups.append(c.ack(CLIENT, ackd=SEG, t=at(t_ack)))             # 9, 11, 13
    fill, = resend(c, "0.330")                                        # 14
    c.ack(CLIENT, t=at("0.331"))                                      # 15: acks 6001
    cap.expect_class(fill, "out-of-order", SEG)
    cap.expect("summary.episodes", [                                  # delay 0.330 - 0.210
        episode("fast-retransmit", "before-capture", 6, 14, dupacks=3, delay="0.120000000")])
    cap.expect("summary.dirs.1.repairs", repairs(fast_retransmit=1))
    # Server turn 0.200 (frame 5) -> ACK of 6001 at 0.331: 0.131 s. Until the fill there
    # is always data in flight (the ACK of frame 5 only comes after frame 6): transfer
    # 0.130; 0.330-0.331 the episode is open: loss_recovery 0.001.
    server_time(cap, "0.131000000", transfer="0.130", loss_recovery="0.001")
    request_turn(cap, "0.200")
    cap.expect("summary.capture_point", "near-client")
    cap.expect("segments.13.rtt", "0.001000000")      # the fill was sent once: 0.331 - 0.330
    cap.wireshark("tcp.analysis.duplicate_ack", dups)
    cap.wireshark("tcp.analysis.lost_segment", [6])
    # Wireshark calls the fill out-of-order — the confusion issue 10 is about: its
    # fast-retransmission rule wants the segment within 20 ms of the last duplicate ACK
    # (at the receiver the repair comes a round trip after it), and it arrived less than
    # the handshake RTT after the highest segment (Wireshark's out-of-order threshold).
    # We measure from the frame that showed the hole: 0.120 s >= the path RTT, after 3
    # duplicate ACKs: fast-retransmit, lost before the capture point.
    cap.wireshark("tcp.analysis.out_of_order", [fill])
    # Wireshark leaves the never-captured bytes 1001-2001 out of its count (frame 8:
    # 4001 - 2001); for the sender they are in flight (4001 - una 1001).
    cap.wireshark_in_flight({8: 2000, 10: 3000, 12: 4000},
                            "Wireshark does not count the hole's bytes, never captured")
    cap.says(r"1 fast[- ]retransmi", r"before the capture point|before[- ]capture|upstream")


@scenario("fast_retransmit_sack",
          "captured at the receiver: a segment lost upstream, SACK blocks show the hole (2 dup ACKs)")
def sc_fast_retransmit_sack(cap):
    # As fast_retransmit_receiver, with SACK negotiated: every ACK of the client carries
    # a SACK block above the hole at seq 1001. Only 2 of them are duplicates (frames 10,
    # 13) and 6000 bytes are in flight at the fill (not fewer than 4 MSS: no early
    # retransmit), so the evidence for fast-retransmit is the SACK block alone.
    c = at_client(cap, sack=True)
    hole_at_receiver(c, "0.210")                                      # 5, 6
    dups = []
    for i, t in enumerate(("0.211", "0.231", "0.251")):               # 7, 10, 13
        if i:
            server_sends(c, "0.%d0" % (200 + 20 * i), "0.%d0" % (210 + 20 * i))  # 8-9, 11-12
        sacked = (2000, 3000 + 2000 * i)                              # 2001-3001, -5001, -7001
        dups.append(c.ack(CLIENT, ackd=SEG, t=at(t), options=sack_option(c, SERVER, [sacked])))
    fill, = resend(c, "0.330")                        # 14: 0.120 after the hole, 0.079 silence
    c.ack(CLIENT, t=at("0.331"))                                      # 15: acks 7001
    cap.expect_class(fill, "out-of-order", SEG)
    cap.expect("summary.episodes", [
        episode("fast-retransmit", "before-capture", 6, 14, dupacks=2, delay="0.120000000")])
    # Server turn 0.200 -> 0.331 (ACK of 7001): transfer until the fill (0.130), the
    # episode open 0.330-0.331 (loss_recovery 0.001).
    server_time(cap, "0.131000000", transfer="0.130", loss_recovery="0.001")
    request_turn(cap, "0.200")
    # rtt needs the cumulative ACK: a SACK block does not cover bytes (frame 6, seq
    # 2001-3001, SACKed at 0.211 but acknowledged only by frame 15 at 0.331).
    cap.expect("segments.5.rtt", "0.121000000")
    cap.wireshark("tcp.analysis.duplicate_ack", dups[1:])             # frame 7 moved una
    cap.wireshark("tcp.analysis.lost_segment", [6])
    cap.wireshark("tcp.analysis.out_of_order", [fill])                # as in fast_retransmit_receiver
    # highest SACKed byte 3001 (frame 7), 5001 (frame 10), 7001 (frame 13)
    cap.wireshark_in_flight({8: 1000, 9: 2000, 11: 1000, 12: 2000, 14: 1000}, SACK_IN_FLIGHT)
    cap.says(r"1 fast[- ]retransmi", r"before the capture point|before[- ]capture|upstream")


def rto_series(c):
    """Server side of the timeout stories: 2 segments, the 2nd lost downstream, the 1st
    acknowledged, then the 2nd re-sent after silences of 0.2, 0.4, 0.8 and 1.6 s
    (frames 8-11 at 0.410, 0.810, 1.610, 3.210)."""
    server_sends(c, "0.110", "0.111")                                 # 5, 6 (lost downstream)
    c.ack(CLIENT, ackd=SEG, t=at("0.210"))                            # 7: acks 1001, no dups
    return resend(c, "0.410", "0.810", "1.610", "3.210")


TIMEOUT_EPISODE = episode("timeout", "after-capture", 6, 8, dupacks=0, timeouts=4, repairs=4,
                          delay="0.299000000")                        # 0.410 - 0.111


@scenario("rto_backoff",
          "captured at the sender: a lost segment re-sent 4 times with backoff (0.2, 0.4, 0.8, 1.6 s)")
def sc_rto_backoff(cap):
    # The last segment of a response (frame 6) is lost downstream, and so are its first
    # three re-sends: nothing follows it, so there are no duplicate ACKs, only the
    # retransmission timer doubling (silences 0.2, 0.4, 0.8, 1.6 s, each at least the
    # path RTT 0.100). The 4th re-send gets through and is acknowledged (frame 12).
    c = at_server(cap)
    resent = rto_series(c)
    c.ack(CLIENT, t=at("3.310"))                                      # 12: acks 2001
    cap.expect("summary.episodes", [TIMEOUT_EPISODE])
    cap.expect("summary.dirs.1.repairs", repairs(timeout=1))
    # Server turn 0.110 -> 3.310 (frame 12): 3.200 s. After frame 5 (0.110-0.111) the
    # next server segment is new data: transfer 0.001. From frame 6 on bytes are in
    # flight and the server's next segment is a re-send after silence (frames 8-11):
    # timeout 0.111-3.210 = 3.099 (0.099 + 0.2 + 0.4 + 0.8 + 1.6). After the last
    # re-send the episode is open until its ACK: loss_recovery 3.210-3.310 = 0.100.
    server_time(cap, "3.200000000", transfer="0.001", timeout="3.099", loss_recovery="0.100")
    request_turn(cap, "0.110")
    cap.expect("summary.unresponsive", [None, None])  # frame 12 acknowledged new bytes
    cap.expect("segments.7.episode", 0)
    cap.expect("segments.10.episode", 0)
    cap.wireshark("tcp.analysis.retransmission", resent)
    cap.says(r"timeout", r"\b4 times", r"backoff", r"after the capture point|downstream")


@scenario("rto_unresponsive",
          "captured at the sender: 4 backed-off re-sends never acknowledged, then the sender resets")
def sc_rto_unresponsive(cap):
    # As rto_backoff, but the client has gone away: no re-send is acknowledged, and 3.2 s
    # after the 4th the server gives up with a RST (frame 12). The client's last segment
    # is its ACK at 0.210 (frame 7): unresponsive since frame 7, 6.200 s to the end of
    # the stream (6.410), 4 timeouts.
    c = at_server(cap)
    resent = rto_series(c)
    c.rst(SERVER, t=at("6.410"))                                      # 12
    cap.expect("summary.episodes", [TIMEOUT_EPISODE])
    cap.expect("summary.unresponsive", [None, {"since_frame": 7, "seconds": "6.200000000",
                                               "timeouts": 4}])
    # No ACK covers the turn's last byte (2001): the turn ends at its last segment, the
    # 4th re-send (frame 11, 3.210) — the RST carries no data and is no segment of the
    # turn. Server: 0.110 -> 3.210 = 3.100 s: transfer 0.001 (after frame 5), timeout
    # 3.099 (0.111-3.210, as in rto_backoff).
    server_time(cap, "3.100000000", transfer="0.001", timeout="3.099")
    cap.expect("segments.11.in_flight", 1000)         # the RST: 2001 - 1001
    cap.wireshark("tcp.analysis.retransmission", resent)
    cap.says(r"unresponsive|stopped acknowledging|no (answer|response)", r"frame 7\b",
             r"\b4 times", r"6\.20? s")


@scenario("reordering",
          "captured at the receiver: a segment overtaken by the next one, arriving 2 ms after it")
def sc_reordering(cap):
    # The server's 2nd segment (seq 1001) is overtaken in the network by the 3rd: frame
    # 6 (seq 2001) shows a hole, the client acknowledges 1001 (frame 7), and 2 ms after
    # the hole showed, far less than the path RTT 0.100, the missing segment arrives
    # (frame 8): nobody re-sent it, it was late. No loss.
    c = at_client(cap)
    hole_at_receiver(c, "0.201")                                      # 5, 6
    c.ack(CLIENT, ackd=SEG, t=at("0.202"))                            # 7
    fill, = resend(c, "0.203")                                        # 8: the late segment
    c.ack(CLIENT, t=at("0.204"))                                      # 9: acks 3001
    cap.expect_class(fill, "out-of-order", SEG)
    cap.expect("summary.episodes", [episode("reordering", "none", 6, 8, dupacks=0,
                                            delay="0.002000000")])
    cap.expect("summary.dirs.1.repairs", repairs(reordering=1))
    # Server turn 0.200 -> 0.204 (frame 9): data always in flight, a reordering episode
    # is no loss recovery: transfer 0.004.
    server_time(cap, "0.004000000", transfer="0.004")
    request_turn(cap, "0.200")
    cap.expect("segments.7.rtt", "0.001000000")       # frame 8 -> frame 9
    cap.wireshark("tcp.analysis.out_of_order", [fill])
    cap.wireshark("tcp.analysis.lost_segment", [6])
    cap.says(r"reorder")


@scenario("spurious_acked",
          "captured at the sender: a segment re-sent just after the ACK that covered it arrived")
def sc_spurious_acked(cap):
    # The client delays its ACK of both server segments by 0.2 s (frame 7 at 0.310); the
    # server re-sends the 2nd segment 1 ms later anyway (frame 8): every byte of it was
    # already acknowledged, so the re-send was useless. The client acknowledges the
    # duplicate again (frame 9, nothing in flight: no duplicate ACK by our definition).
    c = at_server(cap)
    server_sends(c, "0.110", "0.111")                                 # 5, 6
    c.ack(CLIENT, t=at("0.310"))                                      # 7: acks 2001
    again, = resend(c, "0.311")                                       # 8
    c.ack(CLIENT, t=at("0.411"))                                      # 9
    cap.expect_class(again, "retransmission", 0)
    cap.expect("summary.episodes", [episode("spurious", "none", 6, 8, dupacks=0,
                                            delay="0.200000000")])
    cap.expect("summary.dirs.1.repairs", repairs(spurious=1))
    # Server turn 0.110 -> 0.310 (frame 7); the re-send comes after it: transfer 0.200.
    server_time(cap, "0.200000000", transfer="0.200")
    request_turn(cap, "0.110")
    # Karn's rule only drops a sample when bytes are re-sent *before* the ACK.
    cap.expect("segments.5.rtt", "0.199000000")
    cap.wireshark("tcp.analysis.spurious_retransmission", [again])
    cap.wireshark("tcp.analysis.retransmission", [again])
    # Wireshark's duplicate ACK needs no bytes in flight; ours does (frame 9 acks a
    # duplicate of acknowledged bytes: nothing is missing).
    cap.wireshark("tcp.analysis.duplicate_ack", [9])
    cap.wireshark_in_flight({8: 1000}, "Wireshark counts the re-sent segment even when acknowledged")
    cap.says(r"spurious")


@scenario("spurious_dsack",
          "captured at the sender: a fast retransmit of a segment that was only reordered; D-SACK")
def sc_spurious_dsack(cap):
    # As fast_retransmit_sender, with SACK, but the 2nd segment was only delayed in the
    # network: 3 duplicate ACKs (SACKing 2001-5001) make the server re-send it (frame
    # 14), the original arrives at the client meanwhile and its ACK of 5001 comes 1 ms
    # later (frame 15); when the re-sent copy arrives the client reports it with a
    # D-SACK block 1001-2001 below its cumulative ACK (frame 16). The episode opened as
    # fast-retransmit turns spurious, lost none.
    c = at_server(cap, sack=True)
    server_sends(c, "0.110", "0.111", "0.112", "0.113", "0.114")      # 5-9
    c.ack(CLIENT, ackd=SEG, t=at("0.210"))                            # 10
    dups = [c.ack(CLIENT, ackd=SEG, t=at(t), options=sack_option(c, SERVER, [(2000, hi)]))
            for t, hi in (("0.212", 3000), ("0.213", 4000), ("0.214", 5000))]   # 11-13
    fix, = resend(c, "0.215")                                         # 14
    c.ack(CLIENT, t=at("0.216"))                                      # 15: acks 5001
    dsack = c.ack(CLIENT, t=at("0.315"), options=sack_option(c, SERVER, [(1000, 2000)]))  # 16
    cap.expect("summary.episodes", [episode("spurious", "none", 6, 14, dupacks=3,
                                            delay="0.104000000")])
    cap.expect("summary.dirs.1.repairs", repairs(spurious=1))
    # Server turn 0.110 -> 0.216 (frame 15): 0.106 s; transfer 0.110-0.215, then 1 ms
    # with the episode open, as loss_recovery until the D-SACK at 0.315 shows there was
    # no loss: docs/report.md gives a spurious episode's time back to where it would
    # have gone (transfer), so transfer 0.106.
    server_time(cap, "0.106000000", transfer="0.106")
    request_turn(cap, "0.110")
    cap.wireshark("tcp.analysis.fast_retransmission", [fix])
    cap.wireshark("tcp.analysis.retransmission", [fix])
    # frame 16 too for Wireshark (it needs no bytes in flight, as in spurious_acked)
    cap.wireshark("tcp.analysis.duplicate_ack", dups + [dsack])
    cap.wireshark("tcp.options.sack.dsack", [dsack])
    cap.wireshark_in_flight({14: 1000}, SACK_IN_FLIGHT)               # highest SACKed byte 5001
    cap.says(r"spurious")


@scenario("zero_window_probes",
          "captured at the sender: the receiver's window closes, Linux-style 0-byte probes, reopens")
def sc_zero_window_probes(cap):
    # The client's application stops reading: its ACK of the server's 2000 bytes
    # advertises window 0 (frame 7). The server probes as Linux does, a 0-byte segment
    # at snd.una - 1 (seq 2000), with backoff (frames 8, 10, 12 at 0.411, 0.811, 1.611);
    # each probe is answered with window 0. At 2.011 the application reads and the client
    # opens its window to 8192 (frame 14); the server sends 2 more segments.
    c = at_server(cap)
    server_sends(c, "0.110", "0.111")                                 # 5, 6
    answers = [c.ack(CLIENT, win=0, t=at("0.211"))]                   # 7: acks 2001, window 0
    probes = []
    for t_probe, t_answer in (("0.411", "0.511"), ("0.811", "0.911"), ("1.611", "1.711")):
        probes.append(c.seg(SERVER, c.seq_of(SERVER, 2 * SEG - 1), b"", "A", t=at(t_probe)))
        answers.append(c.ack(CLIENT, win=0, t=at(t_answer)))
    update = c.ack(CLIENT, win=8192, t=at("2.011"))                   # 14
    server_sends(c, "2.012", "2.013")                                 # 15, 16
    c.ack(CLIENT, win=8192, t=at("2.113"))                            # 17: acks 4001
    for p in probes:
        cap.expect_class(p, "zero-window-probe", 0)   # 0 bytes at una - 1, the window 0
    cap.expect("summary.zero_windows", [{"dir": 1, "first_frame": 7, "last_frame": 14,
                                         "start": gencap.fmt_time(at("0.211")),
                                         "seconds": "1.800000000", "probes": 3}])
    cap.expect("summary.dirs.1.zero_window", {"periods": 1, "seconds": "1.800000000"})
    cap.expect("summary.episodes", [])
    # Server turn 0.110 -> 2.113 (ACK of 4001, frame 17): 2.003 s. Transfer 0.110-0.211
    # (0.101) and 2.012-2.113 (0.101); zero_window 0.211-2.011 (1.800); after the window
    # update nothing is in flight and the window is open for 1 ms until frame 15:
    # sender_idle 0.001. 0.202 + 1.800 + 0.001 = 2.003.
    server_time(cap, "2.003000000", transfer="0.202", zero_window="1.800", sender_idle="0.001")
    for i in (7, 9, 11):                                              # frames 8, 10, 12
        cap.expect("segments.%d.class" % i, "zero-window-probe")
        cap.expect("segments.%d.peer_win" % i, 0)
        cap.expect("segments.%d.rtt" % i, None)       # 0 bytes: no RTT sample
    cap.wireshark("tcp.analysis.zero_window", answers)
    cap.wireshark("tcp.analysis.window_update", [update])
    # Wireshark's zero-window probe is 1 byte at the next seq; a 0-byte segment at
    # nxtseq - 1 is a keep-alive to it. We follow the Linux persist probe: at
    # snd.una - 1 while the peer's window is 0, it is a zero-window probe.
    cap.wireshark("tcp.analysis.keep_alive", probes)
    cap.says(r"zero[- ]window", r"frames 7\s*[-–]\s*14\b", r"1\.80? s")


@scenario("window_limited",
          "captured at the sender: the receiver's 3000-byte window keeps the sender waiting for ACKs")
def sc_window_limited(cap):
    # The client advertises a 3000-byte window (3 segments). The server fills it
    # (frames 5-7), waits a round trip for the ACK of 2001 (frame 8), sends 2 more
    # (frames 9-10, the window full again), waits, then sends the last one (frame 12).
    c = at_server(cap, client_win=3000)
    full = server_sends(c, "0.110", "0.111", "0.112")[2:]             # 5-7
    c.ack(CLIENT, ackd=2 * SEG, t=at("0.210"))                        # 8
    full += server_sends(c, "0.211", "0.212")[1:]                     # 9, 10
    c.ack(CLIENT, ackd=4 * SEG, t=at("0.311"))                        # 11
    server_sends(c, "0.312")                                          # 12
    c.ack(CLIENT, t=at("0.412"))                                      # 13: acks 6001
    # Window-limited: in flight >= peer window 3000 - MSS 1000, i.e. >= 2000 bytes.
    # Server turn 0.110 -> 0.412: 0.302 s. In flight after frames 5..12: 1000, 2000,
    # 3000, 1000, 2000, 3000, 1000, 2000. transfer: after 5 (0.001), 8 (0.001), 11
    # (0.001) = 0.003; window_limited: after 6 (0.001), 7 (0.098), 9 (0.001), 10 (0.099),
    # 12 (0.100) = 0.299.
    server_time(cap, "0.302000000", transfer="0.003", window_limited="0.299")
    cap.expect("summary.dirs.1.max_in_flight", 3000)
    cap.expect("summary.episodes", [])
    cap.expect("segments.6.in_flight", 3000)
    cap.expect("segments.6.peer_win", 3000)
    cap.expect("segments.6.rtt", "0.199000000")       # frame 7: acknowledged by frame 11
    cap.wireshark("tcp.analysis.window_full", full)   # frames 7 and 10 fill the window
    cap.says(r"window[- ]limited|limited by the client's (receive )?window")


@scenario("sender_idle",
          "captured at the sender: everything acknowledged, the application pauses 0.5 s, sends more")
def sc_sender_idle(cap):
    # The server sends 2000 bytes, the client acknowledges them all (frame 7); the
    # server application takes 0.5 s to produce the rest of the response and sends 2
    # more segments (frames 8-9) in the same turn (the client sent nothing meanwhile).
    c = at_server(cap)
    server_sends(c, "0.110", "0.111")                                 # 5, 6
    c.ack(CLIENT, t=at("0.211"))                                      # 7: acks 2001
    server_sends(c, "0.711", "0.712")                                 # 8, 9
    c.ack(CLIENT, t=at("0.812"))                                      # 10: acks 4001
    # Server turn 0.110 -> 0.812: 0.702 s. Transfer 0.110-0.211 and 0.711-0.812 (0.202);
    # 0.211-0.711 nothing in flight, window open: sender_idle 0.500.
    server_time(cap, "0.702000000", transfer="0.202", sender_idle="0.500")
    cap.expect("summary.episodes", [])
    cap.expect("segments.6.in_flight", 0)             # frame 7, the client's ACK: its own 0
    cap.expect("segments.7.in_flight", 1000)          # frame 8
    cap.says(r"idle|application was slow")


@scenario("sender_idle_receiver",
          "captured at the receiver: the same pause of the server's application seen at the client")
def sc_sender_idle_receiver(cap):
    # As sender_idle, captured at the client: the client acknowledges the server's 2000
    # bytes at once (frame 7, 0.202); the server gets that ACK half a round trip later,
    # its application pauses 0.5 s, and its next data arrives at 0.802 (frames 8-9).
    # From the capture point nothing is in flight and the window is open for 0.600 s, but
    # for the first (path RTT - the client's own data -> ACK time) = 0.100 - 0.001 = 0.099 s
    # after the flight emptied, the server may already be sending without the capture
    # knowing: docs/report.md gives that part to transfer, the rest (0.501) to sender_idle.
    c = at_client(cap)
    server_sends(c, "0.200", "0.201")                                 # 5, 6
    c.ack(CLIENT, t=at("0.202"))                                      # 7: acks 2001
    server_sends(c, "0.802", "0.803")                                 # 8, 9
    c.ack(CLIENT, t=at("0.804"))                                      # 10: acks 4001
    # Server turn 0.200 -> 0.804: 0.604 s. Transfer 0.200-0.202, 0.202-0.301 (the pipe) and
    # 0.802-0.804 (0.103); 0.301-0.802 sender_idle 0.501.
    server_time(cap, "0.604000000", transfer="0.103", sender_idle="0.501")
    cap.says(r"idle|application was slow")


def client_syns(cap, *times):
    c = conversation(cap)
    return c, [c.syn(CLIENT, t=at(t), options=c.syn_options) for t in times]


@scenario("syn_retransmitted",
          "captured at the client: the SYN sent 3 times (0, 1, 3 s) before the SYN-ACK")
def sc_syn_retransmitted(cap):
    # The server does not answer the first two SYNs (a full accept queue, a lost path);
    # the client re-sends at 1 s and 3 s and the third SYN is answered. Connection setup
    # (first SYN -> the handshake's ACK) took 3.021 s. A short request and response follow.
    c, syns = client_syns(cap, "0.000", "1.000", "3.000")             # 1-3
    c.syn(SERVER, t=at("3.020"), options=c.syn_options)               # 4
    c.ack(CLIENT, t=at("3.021"))                                      # 5
    c.send(CLIENT, 100, t=at("3.022"))                                # 6
    c.send(SERVER, 500, t=at("3.042"))                                # 7
    c.ack(CLIENT, t=at("3.043"))                                      # 8
    cap.expect("summary.handshake", {"syn_sent": 3, "syn_ack_sent": 1, "setup": "3.021000000",
                                     "answered": True})
    # SYN-ACK -> ACK (0.001) is under a tenth of SYN -> SYN-ACK, whether measured from the
    # first SYN (3.020) or the answered one (0.020): near-client either way.
    cap.expect("summary.capture_point", "near-client")
    cap.expect("segments.0.syn_retransmission", False)
    cap.expect("segments.1.syn_retransmission", True)
    cap.expect("segments.2.syn_retransmission", True)
    cap.expect("segments.2.class", "control")
    cap.expect("summary.dirs.0.time", time_split(transfer="0.020"))   # 3.022 -> 3.042
    cap.expect("summary.dirs.1.time", time_split(transfer="0.001"))   # 3.042 -> 3.043
    cap.expect("summary.episodes", [])
    cap.wireshark("tcp.analysis.retransmission", syns[1:])
    cap.says(r"the SYN was sent 3 times", r"3\.02 s")


@scenario("syn_unanswered",
          "captured at the client: 4 SYNs (0, 1, 3, 7 s) that nobody answered")
def sc_syn_unanswered(cap):
    # Nothing listens (or a firewall drops silently): the client's SYN is re-sent at 1, 3
    # and 7 s and never answered.
    c, syns = client_syns(cap, "0.000", "1.000", "3.000", "7.000")
    cap.expect("summary.handshake", {"syn_sent": 4, "syn_ack_sent": 0, "setup": None,
                                     "answered": False})
    cap.expect("summary.capture_point", "unknown")
    cap.expect("summary.dirs.0.active", "0.000000000")
    cap.expect("summary.dirs.0.time", time_split())
    cap.expect("segments.3.in_flight", 1)             # the SYN's sequence number
    cap.expect("segments.3.peer_win", None)           # the server never spoke
    cap.wireshark("tcp.analysis.retransmission", syns[1:])
    cap.says(r"\bsent 4 times", r"never answered|no answer|unanswered|not answered")


# --------------------------------------------------------------------------- the model

class Side:
    """What the model tracks about one direction (its sender and the peer's view of it)."""

    def __init__(self):
        self.first_seq = None   # relative seq of its first segment
        self.high_nxt = None    # highest nxtseq so far
        self.una = None         # highest ACK the peer sent for it
        self.mss = 0            # largest payload so far
        self.dupacks = 0        # duplicate ACKs since una last moved
        self.last_win = None    # window of this side's latest segment (what it offers the peer)
        self.sack = []          # SACK blocks (rel seq in the peer's space) of its latest ACK
        self.syns = 0

    def in_flight(self):
        if self.high_nxt is None:
            return 0
        base = self.una if self.una is not None else self.first_seq
        return max(0, self.high_nxt - base)


def rel_sack(blocks, isn_rel_base):
    return [((le - isn_rel_base) % MOD32, (re - isn_rel_base) % MOD32) for le, re in blocks]


def model_diagnosis(segs, base_truth):
    """The diagnosis of one stream from its captured segments (gencap Seg, frame order)
    and gencap's base truth for it (classes, relative seqs: policy "first"), following
    docs/report.md "Diagnosis" sentence by sentence."""
    recs = base_truth["policies"]["first"]["segments"]
    bases = [n["base_seq"] for n in base_truth["nodes"]]          # raw seq of relative 0 per dir
    client_side = next((s.side for s in segs if s.flags & SYN and not s.flags & ACK), segs[0].side)
    dirs = [0 if s.side == client_side else 1 for s in segs]
    for s in segs:
        if any(o == 3 for o in option_kinds(s.options)):
            raise ValueError("window scaling is not modelled")
    times = [s.t_ns for s in segs]
    n = len(segs)
    D = [Side(), Side()]

    # -- handshake and path RTT (first SYN, first SYN-ACK, the client's first ACK after it)
    syn_i = next((i for i in range(n) if segs[i].flags & SYN and not segs[i].flags & ACK), None)
    synack_i = next((i for i in range(n) if syn_i is not None and i > syn_i and dirs[i] == 1
                     and segs[i].flags & SYN and segs[i].flags & ACK), None)
    hs_ack_i = next((i for i in range(n) if synack_i is not None and i > synack_i and dirs[i] == 0
                     and segs[i].flags & ACK and not segs[i].flags & SYN), None)
    path_rtt = times[hs_ack_i] - times[syn_i] if hs_ack_i is not None else None

    out_segs = []
    episodes = []               # as written, plus private keys (_end, _first_repair_i, ...)
    zero_windows = []
    open_zw = [None, None]      # open period per blocked direction
    state_after = []            # per segment: in_flight, peer_win, mss of both dirs after it
    una_moves = [[], []]        # per dir: indices of the segments that moved its una
    rtt_candidates = []
    for i, s in enumerate(segs):
        d, rec = dirs[i], recs[i]
        me, peer = D[d], D[1 - d]
        klass = rec["class"]
        plen = rec["len"]
        syn, fin, rst = bool(s.flags & SYN), bool(s.flags & FIN), bool(s.flags & RST)
        data_seq = rec["seq"] + (1 if syn else 0)
        end = data_seq + plen
        silence = times[i] - times[i - 1] if i else None
        syn_retx = False
        if syn:
            me.syns += 1
            syn_retx = me.syns > 1
        # -- this segment's ACK: the other direction's una, duplicate ACKs, SACK, D-SACK
        if s.flags & ACK:
            ack = rec["ack"]
            dup = (plen == 0 and not (syn or fin or rst) and peer.una is not None and ack == peer.una
                   and me.last_win is not None and s.win == me.last_win and peer.in_flight() > 0)
            if peer.una is None or ack > peer.una:
                peer.una = ack
                peer.dupacks = 0
                una_moves[1 - d].append(i)
            elif dup:
                peer.dupacks += 1
            me.sack = rel_sack(parse_sack(s.options), bases[1 - d])
            for k, (le, re) in enumerate(me.sack):
                second = me.sack[1] if len(me.sack) > 1 else None
                is_dsack = re <= ack or (k == 0 and second and second[0] <= le and re <= second[1])
                if is_dsack:
                    for ep in episodes:
                        if ep["dir"] == 1 - d and le < ep["_end"] and ep["seq"] < re:
                            ep["cause"], ep["lost"] = "spurious", "none"
                            ep["_causes"].append((i, "spurious"))
        # -- zero windows: a period of the blocked direction 1-d starts/ends at this segment
        zw = open_zw[1 - d]
        if zw is not None and s.win != 0:
            zw["last_frame"] = s.frame
            zw["seconds"] = secs(times[i] - zw["_start_ns"])
            open_zw[1 - d] = None
        elif zw is None and s.win == 0 and not syn and not rst:
            zw = {"dir": 1 - d, "first_frame": s.frame, "last_frame": None,
                  "start": gencap.fmt_time(times[i]), "seconds": None, "probes": 0,
                  "_start_ns": times[i]}
            open_zw[1 - d] = zw
            zero_windows.append(zw)
        if open_zw[d] is not None:
            open_zw[d]["probes"] += 1
        # -- repairs and loss episodes
        episode = None
        if klass in ("retransmission", "overlap", "conflict", "out-of-order"):
            fill = klass == "out-of-order"
            hole_i = None
            if fill:
                hole_i = next(j for j in range(i) if dirs[j] == d and recs[j]["len"] > 0
                              and recs[j]["seq"] > data_seq)
            sack_hole = any(le > data_seq for le, _ in peer.sack) and (me.una is None or me.una <= data_seq)
            evidence = (me.dupacks >= 3 or sack_hole
                        or (me.dupacks >= 1 and me.in_flight() < 4 * me.mss))
            after_silence = path_rtt is not None and silence is not None and silence >= path_rtt
            if not fill:
                orig_i = next((j for j in range(i) if dirs[j] == d and recs[j]["len"] > 0
                               and recs[j]["seq"] + (1 if segs[j].flags & SYN else 0) <= data_seq
                               < recs[j]["seq"] + (1 if segs[j].flags & SYN else 0) + recs[j]["len"]), i)
                premature = path_rtt is not None and times[i] - times[orig_i] < path_rtt
                if me.una is not None and me.una >= end:
                    cause = ("spurious", "none")
                elif evidence:
                    cause = ("fast-retransmit", "after-capture")
                elif after_silence:
                    cause = ("timeout", "after-capture")
                elif premature:
                    cause = ("spurious", "none")
                else:  # the ACKs stopped short of the bytes for over an RTT (RACK, TLP)
                    cause = ("fast-retransmit", "after-capture")
            else:
                prev_data = [j for j in range(hole_i) if dirs[j] == d and recs[j]["len"] > 0]
                quiet = times[hole_i] - times[prev_data[-1]] if prev_data else 0
                # the turn resumed from a stall of a round trip or more within a round trip
                # before the hole showed: the stalled bytes were lost, not reordered
                turn_data = []
                for j in range(hole_i + 1):
                    if dirs[j] != d and recs[j]["new_bytes"] > 0:
                        turn_data = []  # the other side's turn: ours starts again
                    elif dirs[j] == d and recs[j]["len"] > 0:
                        turn_data.append(j)
                resumed = [b for a, b in zip(turn_data, turn_data[1:])
                           if path_rtt is not None and times[b] - times[a] >= path_rtt]
                stalled = bool(resumed) and times[hole_i] - times[resumed[-1]] < path_rtt
                early = ((times[i] - times[hole_i] < path_rtt and quiet < path_rtt / 2 and not stalled)
                         if path_rtt is not None else me.dupacks < 3)
                if early:
                    cause = ("reordering", "none")
                elif evidence:
                    cause = ("fast-retransmit", "before-capture")
                else:
                    cause = ("timeout", "before-capture")
            joined = None
            for k, ep in enumerate(episodes):
                still_open = me.una is None or me.una < ep["_end"]
                if ep["dir"] == d and still_open and data_seq < ep["_end"] and ep["seq"] < end:
                    joined = k
            same_dir = [k for k, ep in enumerate(episodes) if ep["dir"] == d]
            if joined is None and same_dir:
                prev = episodes[same_dir[-1]]
                if prev["_end"] == data_seq and prev["cause"] == cause[0]:
                    joined = same_dir[-1]
                    prev["_end"] = end
                    prev["len"] = end - prev["seq"]
            if joined is None:
                start = data_seq if me.una is None or me.una >= end else max(data_seq, me.una)
                first_i = hole_i if fill else next(j for j in range(i) if dirs[j] == d and recs[j]["len"] > 0
                                                   and recs[j]["seq"] + (1 if segs[j].flags & SYN else 0)
                                                   <= start < recs[j]["seq"] + recs[j]["len"])
                episodes.append({"dir": d, "seq": start, "len": end - start, "cause": cause[0],
                                 "lost": cause[1], "first_frame": segs[first_i].frame,
                                 "repair_frame": s.frame, "dupacks": me.dupacks, "timeouts": 0,
                                 "delay": secs(times[i] - times[first_i]), "repairs": 0,
                                 "_end": end, "_first_repair_i": i, "_timeout_repairs": [],
                                 "_causes": [(i, cause[0])]})
                joined = len(episodes) - 1
            ep = episodes[joined]
            ep["repairs"] += 1
            if after_silence:
                ep["timeouts"] += 1
                ep["_timeout_repairs"].append(i)
                if ep["cause"] == "fast-retransmit" and ep["_first_repair_i"] != i:
                    # the fast retransmission was lost too: a timeout repaired it
                    ep["cause"] = "timeout"
                    ep["_causes"].append((i, "timeout"))
            episode = joined
        # -- this segment's own sequence space
        if me.first_seq is None:
            me.first_seq = rec["seq"]
        # a probe or keep-alive lies below the highest nxtseq: max() leaves it unchanged
        me.high_nxt = rec["nxtseq"] if me.high_nxt is None else max(me.high_nxt, rec["nxtseq"])
        me.mss = max(me.mss, plen)
        peer_win = peer.last_win
        me.last_win = s.win
        if plen > 0 and (klass in ("new", "out-of-order") or (klass == "zero-window-probe" and plen == 1)):
            rtt_candidates.append(i)
        out_segs.append({"frame": s.frame, "dir": d, "seq": data_seq, "len": plen,
                         "class": klass, "in_flight": me.in_flight(),
                         "peer_win": peer_win, "rtt": None, "episode": episode,
                         "syn_retransmission": syn_retx})
        state_after.append({"in_flight": [D[0].in_flight(), D[1].in_flight()],
                            "peer_win": [D[1].last_win, D[0].last_win],
                            "mss": [D[0].mss, D[1].mss]})

    # -- rtt: the first ACK of the peer covering all the bytes, unless re-sent before it (Karn)
    samples_at = [[], []]  # per direction: (index of the ACK that gave it, rtt)
    for i in rtt_candidates:
        d, rec = dirs[i], recs[i]
        lo = rec["seq"]
        hi = lo + rec["len"]
        acker = next((j for j in range(i + 1, n) if dirs[j] != d and segs[j].flags & ACK
                      and recs[j]["ack"] >= hi), None)
        if acker is None:
            continue
        resent = any(dirs[j] == d and recs[j]["len"] > 0 and recs[j]["seq"] < hi
                     and lo < recs[j]["seq"] + recs[j]["len"] for j in range(i + 1, acker))
        if not resent:
            out_segs[i]["rtt"] = secs(times[acker] - times[i])
            samples_at[d].append((acker, times[acker] - times[i]))

    for r in out_segs:
        ep = episodes[r["episode"]] if r["episode"] is not None else {}
        r["cause"], r["lost"] = ep.get("cause"), ep.get("lost")

    # -- the end of each episode (first ACK covering it) and the end of open zero windows
    for ep in episodes:
        ep["_acked_i"] = next((j for j in range(ep["_first_repair_i"] + 1, n) if dirs[j] != ep["dir"]
                               and segs[j].flags & ACK and recs[j]["ack"] >= ep["_end"]), None)
    for zw in zero_windows:
        if zw["seconds"] is None:
            zw["seconds"] = secs(times[-1] - zw["_start_ns"])
    # an episode that turned out spurious gives its recovery time back; its timeout time
    # only where the window held the sender (window_limited), see bucket()
    timeout_repairs = {j for ep in episodes for j in ep["_timeout_repairs"]}
    spurious_repairs = {j for ep in episodes if ep["cause"] == "spurious" for j in ep["_timeout_repairs"]}

    # -- turns (runs of new data in one direction) and their spans
    turns = []
    for i in range(n):
        if recs[i]["new_bytes"] > 0:
            d = dirs[i]
            if not turns or turns[-1]["dir"] != d:
                turns.append({"dir": d, "first_i": i, "hi": 0, "last_payload_i": i})
            t = turns[-1]
            t["hi"] = max(t["hi"], recs[i]["seq"] + (1 if segs[i].flags & SYN else 0) + recs[i]["len"])
        if turns and dirs[i] == turns[-1]["dir"] and recs[i]["len"] > 0:
            turns[-1]["last_payload_i"] = i
    for k, t in enumerate(turns):
        acker = next((j for j in range(t["first_i"] + 1, n) if dirs[j] != t["dir"]
                      and segs[j].flags & ACK and recs[j]["ack"] >= t["hi"]), None)
        end_ns = times[acker] if acker is not None else times[t["last_payload_i"]]
        nxt = next((u for u in turns[k + 1:] if u["dir"] == t["dir"]), None)
        if nxt is not None:
            end_ns = min(end_ns, times[nxt["first_i"]])
        t["span"] = (times[t["first_i"]], end_ns)

    def bucket(d, i):
        st = state_after[i]
        if st["peer_win"][d] == 0:
            return "zero_window"
        nxt = next((j for j in range(i + 1, n) if dirs[j] == d), None)
        window_held = (st["peer_win"][d] is not None
                       and st["in_flight"][d] >= st["peer_win"][d] - st["mss"][d])
        if st["in_flight"][d] > 0 and nxt in timeout_repairs and not (nxt in spurious_repairs and window_held):
            return "timeout"
        for ep in episodes:
            cause_then = [c for j, c in ep["_causes"] if j <= i]  # the state after segment i
            if (ep["dir"] == d and cause_then and cause_then[-1] in ("fast-retransmit", "timeout")
                    and ep["cause"] != "spurious"
                    and (ep["_acked_i"] is None or ep["_acked_i"] > i)):
                return "loss_recovery"
        if st["peer_win"][d] is not None and st["in_flight"][d] >= st["peer_win"][d] - st["mss"][d]:
            return "window_limited"
        if st["in_flight"][d] == 0 and st["peer_win"][d] != 0:
            return "sender_idle"
        return "transfer"

    def pipe(d, i):
        """How long after its flight empties the sender may be sending unseen: the path
        RTT minus the direction's smallest data -> ACK time known after segment i."""
        own = [r for j, r in samples_at[d] if j <= i]
        return max(0, path_rtt - min(own)) if own and path_rtt is not None else 0

    def empty_since(d, i):
        for j in range(i, 0, -1):
            if state_after[j]["in_flight"][d] == 0 and state_after[j - 1]["in_flight"][d] > 0:
                return times[j]
        return None

    def covered(lo, hi, spans):
        return sum(max(0, min(hi, b) - max(lo, a)) for a, b in merge(spans))

    def partition(d, spans):
        acc = {k: 0 for k in ("transfer", "window_limited", "zero_window", "loss_recovery",
                              "timeout", "sender_idle")}
        for i in range(n - 1):
            lo, hi = times[i], times[i + 1]
            b = bucket(d, i)
            if b == "sender_idle":
                # the first pipe(d, i) after the flight emptied is the path, not idleness
                empty = empty_since(d, i)
                split = lo if empty is None else min(hi, max(lo, empty + pipe(d, i)))
                acc["transfer"] += covered(lo, split, spans)
                acc["sender_idle"] += covered(split, hi, spans)
            else:
                acc[b] += covered(lo, hi, spans)
        return acc

    dirs_out = []
    for d in (0, 1):
        spans = [t["span"] for t in turns if t["dir"] == d]
        part = partition(d, spans)
        active = sum(b - a for a, b in merge(spans))
        assert sum(part.values()) == active, (d, part, active)
        samples = sorted(int(Decimal(r["rtt"]) * 1_000_000_000) for r in out_segs
                         if r["dir"] == d and r["rtt"] is not None)
        rep = no_repairs()
        for ep in episodes:
            if ep["dir"] == d:
                rep[ep["cause"].replace("-", "_")] += 1
        zws = [z for z in zero_windows if z["dir"] == d]
        dirs_out.append({
            "active": secs(active), "time": {k: secs(v) for k, v in part.items()},
            "repairs": rep,
            "zero_window": {"periods": len(zws),
                            "seconds": secs(sum(int(Decimal(z["seconds"]) * 10**9) for z in zws))},
            "max_in_flight": max([r["in_flight"] for r in out_segs if r["dir"] == d], default=0),
            "rtt": {"samples": len(samples), "min": secs(samples[0]), "max": secs(samples[-1])}
            if samples else None,
        })

    turns_out = []
    for t in turns:
        part = partition(t["dir"], [t["span"]])
        turns_out.append({"dir": t["dir"], "first_frame": segs[t["first_i"]].frame,
                          "active": secs(t["span"][1] - t["span"][0]),
                          "time": {k: secs(v) for k, v in part.items()}})

    # -- verdicts
    unresponsive = [None, None]
    for d in (0, 1):
        mine = [ep for ep in episodes if ep["dir"] == d]
        if not mine or mine[-1]["timeouts"] < 2:
            continue
        ep = mine[-1]
        r = ep["_first_repair_i"]
        if any(j > r for j in una_moves[d]):
            continue
        since = max(j for j in range(r) if dirs[j] != d)
        unresponsive[d] = {"since_frame": segs[since].frame, "seconds": secs(times[-1] - times[since]),
                           "timeouts": ep["timeouts"]}
    if hs_ack_i is not None:
        a, b = times[synack_i] - times[syn_i], times[hs_ack_i] - times[synack_i]
        point = "near-client" if b * 10 < a else "near-server" if a * 10 < b else "in-path"
    else:
        point = "unknown"
    handshake = {"syn_sent": sum(1 for i in range(n) if dirs[i] == 0 and segs[i].flags & SYN
                                 and not segs[i].flags & ACK),
                 "syn_ack_sent": sum(1 for i in range(n) if dirs[i] == 1 and segs[i].flags & SYN
                                     and segs[i].flags & ACK),
                 "setup": secs(times[hs_ack_i] - times[syn_i]) if hs_ack_i is not None else None,
                 "answered": synack_i is not None}

    for ep in episodes:
        for k in [k for k in ep if k.startswith("_")]:
            del ep[k]
    for zw in zero_windows:
        for k in [k for k in zw if k.startswith("_")]:
            del zw[k]
    return {"segments": out_segs,
            "summary": {"episodes": episodes, "zero_windows": zero_windows, "dirs": dirs_out,
                        "turns": turns_out, "handshake": handshake, "capture_point": point,
                        "unresponsive": unresponsive,
                        "path_rtt": secs(path_rtt) if path_rtt is not None else None}}


def option_kinds(options):
    kinds, i = [], 0
    while i < len(options):
        kinds.append(options[i])
        if options[i] in (0, 1):
            i += 1
        else:
            i += options[i + 1]
    return kinds


def merge(spans):
    out = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


# --------------------------------------------------------------------------- output

def lookup(tree, path):
    node = tree
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def build(name):
    for n, desc, fn in SCENARIOS:
        if n == name:
            cap = DiagCapture(n, desc)
            fn(cap)
            return cap
    raise KeyError(name)


def write(cap, out_dir):
    """Write NAME.pcap and NAME.diag.json; the model and the hand-stated truth must agree."""
    path = os.path.join(out_dir, cap.name + ".pcap")
    frames = cap.write(path)
    base, order = cap.truth(frames)
    if len(base["streams"]) != 1:
        raise AssertionError("%s: one stream per diagnosis scenario" % cap.name)
    cap.check_expectations(base, order)
    diag = model_diagnosis(frames, base["streams"][0])
    errors = []
    for p, want in cap.hand:
        got = lookup(diag, p)
        if got != want:
            errors.append("%s:\n    by hand: %s\n    model:   %s" % (p, json.dumps(want), json.dumps(got)))
    if errors:
        raise AssertionError("scenario %s: the model and the hand-computed truth disagree:\n  %s"
                             % (cap.name, "\n  ".join(errors)))
    truth = {"scenario": cap.name, "description": cap.description, "pcap": cap.name + ".pcap",
             "stream": 0, "segments": diag["segments"], "summary": diag["summary"],
             "text": cap.text,
             "wireshark": {k: sorted(f if isinstance(f, int) else f.frame for f in cap.ws.get(k, []))
                           for k in WS_FLAGS},
             "wireshark_in_flight": {str(k): v for k, v in sorted(cap.ws_in_flight.items())}}
    with open(os.path.join(out_dir, cap.name + ".diag.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    return path, truth


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("scenarios", help="write every scenario and its diagnosis truth")
    p.add_argument("--out", required=True)
    p.add_argument("--only", help="comma-separated scenario names")
    p = sub.add_parser("list", help="scenario names")
    args = ap.parse_args(argv)
    if args.cmd == "list":
        for n, d, _ in SCENARIOS:
            print("%-26s %s" % (n, d))
        return
    os.makedirs(args.out, exist_ok=True)
    names = args.only.split(",") if args.only else [n for n, *_ in SCENARIOS]
    for n in names:
        path, _ = write(build(n), args.out)
        print(path)


if __name__ == "__main__":
    main()
