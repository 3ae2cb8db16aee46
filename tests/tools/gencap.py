#!/usr/bin/env python3
"""gencap.py — synthetic TCP captures with known truth, for testing tcpfollowts.

Pure Python 3 standard library. Writes classic pcap files (Ethernet [+ 802.1Q] +
IPv4 or IPv6 + TCP, correct IP and TCP checksums, optional snapshot-length
truncation of chosen frames, micro- or nanosecond timestamps).

A scenario is built from "conversations": each has a client and a server byte
stream; frames are emitted from those streams (seq offset, payload or length,
flags, ack, window, time) and perturbed on the way (dropped = not captured,
truncated, reordered, retransmitted with other boundaries or other bytes,
keep-alives, zero-window probes, ...). Every scenario also gets NAME.truth.json:
what tcpfollowts must report, computed by a small reference model of the
report's semantics (below, `model_stream`) from the scenario definition only —
the plugin is never run to make truth. Each scenario also states a few
hand-computed expectations that are checked against the model when the files
are written, so the model and the scenarios check each other.

Commands:
  gencap.py scenarios --out DIR            all scenarios: DIR/NAME.pcap + DIR/NAME.truth.json
  gencap.py bulk --out F --segments N [--mss 1448] [--reorder P] [--loss P]
                 [--retrans P] [--seed S]  one long stream, both directions (fast)
  gencap.py many --out F --streams N [--seed S] [--truth]
                                           N short complete connections, interleaved
  gencap.py list                           scenario names and descriptions

SPDX-License-Identifier: GPL-2.0-or-later
"""
import argparse
import ipaddress
import json
import os
import random
import struct
import sys

MOD32 = 1 << 32
T0_NS = 1_700_000_000 * 1_000_000_000

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80
FLAG_LETTERS = {"F": FIN, "S": SYN, "R": RST, "P": PSH, "A": ACK, "U": URG, "E": ECE, "C": CWR}
FLAG_ORDER = [(SYN, "S"), (FIN, "F"), (RST, "R"), (ACK, "A"), (PSH, "P"), (URG, "U"),
              (ECE, "E"), (CWR, "C")]


def parse_flags(s):
    if isinstance(s, int):
        return s
    v = 0
    for ch in s:
        v |= FLAG_LETTERS[ch]
    return v


def flags_str(v):
    return "".join(letter for bit, letter in FLAG_ORDER if v & bit)


def fmt_time(ns):
    return "%d.%09d" % (ns // 1_000_000_000, ns % 1_000_000_000)


# --------------------------------------------------------------------------- packets

def csum_add(data, start=0):
    """One's-complement sum of 16-bit big-endian words (not yet folded/inverted)."""
    if len(data) % 2:
        data = bytes(data) + b"\0"
    # The one's-complement sum is byte-order independent (RFC 1071): sum native
    # words, then swap the folded result back.
    s = sum(memoryview(data).cast("H"))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    if sys.byteorder == "little":
        s = ((s & 0xFF) << 8) | (s >> 8)
    return start + s


def csum_fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac_for(addr):
    h = sum(addr.packed) & 0xFF
    return bytes([0x02, 0x00, 0x5E, 0x10, addr.packed[-2] if len(addr.packed) > 1 else 0, h])


class Endpoint:
    def __init__(self, addr, port):
        self.addr = ipaddress.ip_address(addr)
        self.port = port
        self.mac = mac_for(self.addr)

    @property
    def v6(self):
        return self.addr.version == 6

    def __str__(self):
        return str(self.addr)


def tcp_header(src, dst, seq, ack, flags, win, options=b""):
    hlen = 20 + len(options)
    return struct.pack("!HHIIBBHHH", src.port, dst.port, seq % MOD32, (ack or 0) % MOD32,
                       (hlen // 4) << 4, flags & 0xFF, win, 0, 0) + options


def build_frame(src, dst, seq, ack, flags, win, payload, vlan=None, ip_id=0, options=b""):
    """The full Ethernet frame of one TCP segment, and the header length before the payload."""
    tcp = bytearray(tcp_header(src, dst, seq, ack, flags, win, options))
    tcp_len = len(tcp) + len(payload)
    if src.v6:
        pseudo = src.addr.packed + dst.addr.packed + struct.pack("!IxxxB", tcp_len, 6)
    else:
        pseudo = src.addr.packed + dst.addr.packed + struct.pack("!xBH", 6, tcp_len)
    s = csum_add(pseudo)
    s = csum_add(bytes(tcp), s)
    s = csum_add(payload, s)
    struct.pack_into("!H", tcp, 16, csum_fold(s))
    if src.v6:
        ip = struct.pack("!IHBB", 0x60000000, tcp_len, 6, 64) + src.addr.packed + dst.addr.packed
        ethertype = 0x86DD
    else:
        ip = bytearray(struct.pack("!BBHHHBBH", 0x45, 0, 20 + tcp_len, ip_id & 0xFFFF, 0x4000, 64, 6, 0)
                       + src.addr.packed + dst.addr.packed)
        struct.pack_into("!H", ip, 10, csum_fold(csum_add(bytes(ip))))
        ip = bytes(ip)
        ethertype = 0x0800
    eth = dst.mac + src.mac
    if vlan is not None:
        eth += struct.pack("!HH", 0x8100, vlan & 0x0FFF)
    eth += struct.pack("!H", ethertype)
    head = eth + ip + bytes(tcp)
    return head + bytes(payload), len(head)


class PcapWriter:
    """Classic pcap, LINKTYPE_ETHERNET, micro- or nanosecond resolution."""

    def __init__(self, path, nsec=False, snaplen=262144):
        self.f = open(path, "wb")
        self.nsec = nsec
        self.buf = []
        self.size = 0
        magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
        self.f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, 1))

    def record(self, t_ns, data, orig_len=None):
        sec, frac = divmod(t_ns, 1_000_000_000)
        if not self.nsec:
            frac //= 1000
        orig = len(data) if orig_len is None else orig_len
        self.buf.append(struct.pack("<IIII", sec, frac, len(data), orig))
        self.buf.append(data)
        self.size += len(data) + 16
        if self.size > (8 << 20):
            self.flush()

    def flush(self):
        self.f.write(b"".join(self.buf))
        self.buf = []
        self.size = 0

    def close(self):
        self.flush()
        self.f.close()


# --------------------------------------------------------------------------- scenarios

class Seg:
    """One TCP segment as sent. seq/ack are unbounded integers (written mod 2^32)."""
    __slots__ = ("conv", "side", "seq", "ack", "flags", "win", "payload", "cap", "t_ns",
                 "drop", "frame", "label", "options")

    def __init__(self, conv, side, seq, ack, flags, win, payload, cap, t_ns, drop, label, options):
        self.conv, self.side, self.seq, self.ack, self.flags = conv, side, seq, ack, flags
        self.win, self.payload, self.cap, self.t_ns, self.drop = win, payload, cap, t_ns, drop
        self.frame = None
        self.label = label
        self.options = options

    @property
    def caplen(self):
        return len(self.payload) if self.cap is None else min(self.cap, len(self.payload))

    def __repr__(self):
        return "<%s frame=%s side=%d %s len=%d>" % (self.label or "seg", self.frame, self.side,
                                                   flags_str(self.flags), len(self.payload))


class Conv:
    """One TCP connection: side 0 = the client role, side 1 = the server role.

    Data offsets: offset 0 is the first data byte of a side (relative seq 1 when
    the SYN is seq 0), so a data segment at offset `off` has seq isn + 1 + off."""

    def __init__(self, cap, client, server, isn=(1000, 500000), vlan=None, win=65535, tag=None):
        self.cap = cap
        self.ep = [Endpoint(*client), Endpoint(*server)]
        self.isn = list(isn)
        self.vlan = vlan
        self.win = [win, win]
        self.tag = tag or ["c", "s"]
        self.streams = [bytearray(), bytearray()]
        self.sent = [0, 0]          # high-water data offset per side (dropped frames included)
        self.fin_sent = [False, False]
        self.ip_id = [1, 1]
        self.segs = []

    # byte streams ---------------------------------------------------------
    def content(self, side, off, n):
        """The side's stream bytes [off, off + n): readable 32-byte lines naming their offset."""
        s = self.streams[side]
        while len(s) < off + n:
            pos = len(s)
            line = ("%s%s %010d " % (self.tag[side], "->" if side == 0 else "<-", pos)).encode()
            line += (b"abcdefghijklmnopqrstuvwxyz0123456789"[(pos // 32) % 26:])[:31 - len(line)]
            s += line.ljust(31, b".") + b"\n"
        return bytes(s[off:off + n])

    def seq_of(self, side, off):
        return self.isn[side] + 1 + off

    def next_off(self, side):
        return self.sent[side] + (1 if self.fin_sent[side] else 0)

    def default_ack(self, side):
        peer = 1 - side
        return self.isn[peer] + 1 + self.next_off(peer)

    # frames ---------------------------------------------------------------
    def seg(self, side, seq, payload=b"", flags="A", ack=None, ackd=None, win=None, cap=None,
            drop=False, dt=None, t=None, label=None, options=b""):
        """Low-level: seq is an unbounded sequence number. ack: an unbounded ack
        number; ackd: the same as a data offset of the peer (isn + 1 + ackd)."""
        fl = parse_flags(flags)
        if fl & ACK:
            if ack is None:
                ack = self.isn[1 - side] + 1 + ackd if ackd is not None else self.default_ack(side)
        else:
            ack = None
        s = Seg(self, side, seq, ack, fl, self.win[side] if win is None else win, bytes(payload),
                cap, self.cap.clock(dt, t), drop, label, options)
        self.segs.append(s)
        self.cap.frames.append(s)
        return s

    def syn(self, side=0, data=b"", **kw):
        flags = "S" if side == 0 else "SA"
        if isinstance(data, int):
            data = self.content(side, 0, data)
        self.sent[side] = max(self.sent[side], len(data))
        kw.setdefault("options", b"\x02\x04\x05\xb4")  # MSS 1460
        return self.seg(side, self.isn[side], data, flags, **kw)

    def handshake(self, **kw):
        return self.syn(0, **kw), self.syn(1, **kw), self.ack(0)

    def send(self, side, n=None, off=None, payload=None, flags="AP", **kw):
        """A data segment from the side's stream (or an explicit payload) at offset off."""
        if off is None:
            off = self.sent[side]
        if payload is None:
            payload = self.content(side, off, n)
        self.sent[side] = max(self.sent[side], off + len(payload))
        return self.seg(side, self.seq_of(side, off), payload, flags, **kw)

    def ack(self, side, **kw):
        return self.seg(side, self.seq_of(side, self.next_off(side)), b"", "A", **kw)

    def fin(self, side, n=0, flags="FA", **kw):
        off = self.sent[side]
        payload = self.content(side, off, n) if n else b""
        self.sent[side] += n
        s = self.seg(side, self.seq_of(side, off), payload, flags, **kw)
        self.fin_sent[side] = True
        return s

    def rst(self, side, payload=b"", with_ack=True, seq=None, **kw):
        flags = "RA" if with_ack else "R"
        if seq is None:
            seq = self.seq_of(side, self.next_off(side))
        if payload:
            self.sent[side] += len(payload)
        return self.seg(side, seq, payload, flags, **kw)


class Capture:
    def __init__(self, name, description, nsec=False, sort_by_time=False):
        self.name = name
        self.description = description
        self.nsec = nsec
        self.sort_by_time = sort_by_time
        self.frames = []
        self.convs = []
        self.now = T0_NS
        self.default_dt = 137_000       # 137 us: times are not round numbers
        self.expectations = []

    def clock(self, dt=None, t=None):
        if t is not None:
            return t if self.nsec else t - t % 1000
        self.now += self.default_dt if dt is None else dt
        if not self.nsec:
            self.now -= self.now % 1000
        return self.now

    def conv(self, client=("10.0.0.1", 40000), server=("10.0.0.2", 80), **kw):
        c = Conv(self, client, server, **kw)
        self.convs.append(c)
        return c

    # expectations (hand-computed; checked against the model) ---------------
    def expect_class(self, seg, klass, new_bytes=None, policy=None):
        self.expectations.append(("class", seg, klass, new_bytes, policy))

    def expect_gaps(self, conv, gaps, policy=None):
        """gaps: list of (dir, rel seq, len, after Seg|None, before Seg|None, cause)."""
        self.expectations.append(("gaps", conv, gaps, policy))

    def expect_kept(self, conv, direction, data, policy=None):
        self.expectations.append(("kept", conv, direction, data, policy))

    # output ------------------------------------------------------------------
    def captured(self):
        frames = [f for f in self.frames if not f.drop]
        if self.sort_by_time:
            frames.sort(key=lambda f: f.t_ns)
        for i, f in enumerate(frames):
            f.frame = i + 1
        return frames

    def write(self, path):
        frames = self.captured()
        w = PcapWriter(path, nsec=self.nsec)
        for f in frames:
            c = f.conv
            src, dst = c.ep[f.side], c.ep[1 - f.side]
            data, hlen = build_frame(src, dst, f.seq, f.ack, f.flags, f.win, f.payload,
                                     vlan=c.vlan, ip_id=c.ip_id[f.side], options=f.options)
            c.ip_id[f.side] += 1
            if f.cap is not None and f.cap < len(f.payload):
                w.record(f.t_ns, data[:hlen + f.cap], len(data))
            else:
                w.record(f.t_ns, data)
        w.close()
        return frames

    def truth(self, frames):
        """Truth for every conversation that has captured frames, by tcp.stream index
        (Wireshark numbers streams in order of their first frame)."""
        by_conv = {}
        for f in frames:
            by_conv.setdefault(id(f.conv), []).append(f)
        order = [segs[0].conv for segs in by_conv.values()]   # dicts keep insertion order
        streams = []
        for index, segs in enumerate(by_conv.values()):
            st = {"stream": index}
            st.update(model_stream(segs))
            streams.append(st)
        return {"scenario": self.name, "description": self.description,
                "pcap": self.name + ".pcap", "streams": streams}, order

    def check_expectations(self, truth, order):
        errors = []
        for exp in self.expectations:
            kind = exp[0]
            policies = ["first", "last"] if exp[-1] is None else [exp[-1]]
            for pol in policies:
                if kind == "class":
                    _, seg, klass, nb, _ = exp
                    st = truth["streams"][order.index(seg.conv)]["policies"][pol]
                    got = [s for s in st["segments"] if s["frame"] == seg.frame]
                    if not got or got[0]["class"] != klass or (nb is not None and got[0]["new_bytes"] != nb):
                        errors.append("%s: frame %s (%r): expected %s/%s, model says %s" % (
                            pol, seg.frame, seg, klass, nb, got[0] if got else None))
                elif kind == "gaps":
                    _, conv, gaps, _ = exp
                    st = truth["streams"][order.index(conv)]["policies"][pol]
                    want = [{"dir": d, "seq": q, "len": n,
                             "after_frame": a.frame if a else None,
                             "before_frame": b.frame if b else None, "cause": cause}
                            for d, q, n, a, b, cause in gaps]
                    if want != st["gaps"]:
                        errors.append("%s: gaps: expected %s, model says %s" % (pol, want, st["gaps"]))
                elif kind == "kept":
                    _, conv, d, data, _ = exp
                    st = truth["streams"][order.index(conv)]["policies"][pol]
                    if st["kept_hex"][d] != bytes(data).hex():
                        errors.append("%s: kept bytes of dir %d differ from the expectation" % (pol, d))
        if errors:
            raise AssertionError("scenario %s: model and hand-computed expectations disagree:\n  %s"
                                 % (self.name, "\n  ".join(errors)))


# --------------------------------------------------------------------------- the model

def model_stream(segs):
    """Reference model of the tcpfollowts report for one stream, from the segments as
    captured (in frame order). Follows docs/report-contract.md and the documented
    semantics; works byte by byte for clarity, not speed."""
    first_t = segs[0].t_ns
    client_side = None
    for s in segs:
        if s.flags & SYN and not s.flags & ACK:
            client_side = s.side
            break
    if client_side is None:
        client_side = segs[0].side
    conv = segs[0].conv

    def direction(s):
        return 0 if s.side == client_side else 1

    # bases first: relative seq 0 is the SYN, or lowest seq - 1 (RST without ACK excluded)
    base = [None, None]
    for d in (0, 1):
        mine = [s for s in segs if direction(s) == d]
        syns = [s for s in mine if s.flags & SYN]
        if syns:
            base[d] = syns[0].seq
        else:
            lows = [s.seq for s in mine if not (s.flags & RST and not s.flags & ACK)]
            if lows:
                base[d] = min(lows) - 1
            elif mine:
                base[d] = mine[0].seq - 1
            else:
                # never sent a segment: by analogy, the lowest ack the peer sent for it
                # is seq 1 (a mid-stream capture gets no negative numbers)
                acks = [s.ack for s in segs if direction(s) != d and s.flags & ACK]
                if acks:
                    base[d] = min(acks) - 1

    nodes = []
    for d in (0, 1):
        side = client_side if d == 0 else 1 - client_side
        ep = conv.ep[side]
        nodes.append({"addr": str(ep.addr), "port": ep.port,
                      "base_seq": (base[d] % MOD32) if base[d] is not None else None})

    out = {"nodes": nodes, "policies": {}}
    for policy in ("first", "last"):
        out["policies"][policy] = model_policy(segs, direction, base, policy, first_t)
    return out


def model_policy(segs, direction, base, policy, first_t):
    class Dir:
        def __init__(self):
            self.seen = False
            self.syn_seq = None
            self.lowest = None
            self.next = None
            self.claimed = None
            self.fin = None
            self.max_ack = None
            self.last_win = None
            self.store = {}          # seq -> (byte, frame)
            self.truncated = []      # (from, to)
            self.segments = 0
            self.first = self.last = None
            self.counts = {}
            self.conflict_bytes = 0

    D = [Dir(), Dir()]
    seg_out = []
    for s in segs:
        d = direction(s)
        me, peer = D[d], D[1 - d]
        me.seen = True
        me.segments += 1
        if me.first is None:
            me.first = s.t_ns
        me.last = s.t_ns
        if s.flags & ACK:
            peer.max_ack = s.ack if peer.max_ack is None else max(peer.max_ack, s.ack)
        syn, fin, rst = bool(s.flags & SYN), bool(s.flags & FIN), bool(s.flags & RST)
        if syn and me.syn_seq is None:
            me.syn_seq = s.seq
        if not (rst and not s.flags & ACK):
            me.lowest = s.seq if me.lowest is None else min(me.lowest, s.seq)
        plen = len(s.payload)
        caplen = s.caplen
        data_seq = s.seq + (1 if syn else 0)
        new = old = conflict = 0
        probe_shape = plen <= 1 and not (syn or fin or rst)
        # the Linux persist probe: 0/1 byte at snd.una - 1 (or next - 1) while the window is 0
        filler = False
        if (probe_shape and peer.last_win == 0
                and ((me.next is not None and s.seq == me.next - 1)
                     or (me.max_ack is not None and s.seq == me.max_ack - 1))):
            klass, filler = "zero-window-probe", True
        elif probe_shape and me.next is not None and s.seq == me.next - 1:
            klass = "keep-alive"
        elif plen == 0:
            klass = "control"
        else:
            zwp = (plen == 1 and me.next is not None and data_seq == me.next
                   and peer.last_win is not None and peer.last_win == 0)
            for i in range(caplen):
                pos, b = data_seq + i, s.payload[i]
                if pos in me.store:
                    old += 1
                    if me.store[pos][0] != b:
                        conflict += 1
                    if policy == "last":
                        me.store[pos] = (b, s.frame)
                else:
                    me.store[pos] = (b, s.frame)
                    new += 1
            if caplen < plen:
                me.truncated.append((data_seq + caplen, data_seq + plen))
            if zwp and not conflict:
                klass = "zero-window-probe"
            elif conflict:
                klass = "conflict"
            elif old == 0:
                klass = "out-of-order" if me.next is not None and data_seq < me.next else "new"
            else:
                klass = "overlap" if new else "retransmission"
        if klass not in ("keep-alive", "control") and not filler:
            # what the headers of data segments announce, captured or not (a pure
            # ACK's seq does not count: after a FIN it is FIN + 1)
            end = data_seq + plen
            me.claimed = end if me.claimed is None else max(me.claimed, end)
        if fin:
            me.fin = data_seq + plen if me.fin is None else max(me.fin, data_seq + plen)
        if klass != "keep-alive" and not filler:
            nxt = s.seq + plen + (1 if syn else 0) + (1 if fin else 0)
            me.next = nxt if me.next is None else max(me.next, nxt)
        me.last_win = s.win
        me.counts[klass] = me.counts.get(klass, 0) + 1
        me.conflict_bytes += conflict
        rec = {"frame": s.frame, "time": fmt_time(s.t_ns), "rel": (s.t_ns - first_t) / 1e9,
               "dir": d, "seq": s.seq - base[d],
               "nxtseq": s.seq + plen + (1 if syn else 0) + (1 if fin else 0) - base[d],
               "ack": (s.ack - base[1 - d]) if s.flags & ACK else None,
               "flags": flags_str(s.flags), "win": s.win, "len": plen,
               "class": klass, "new_bytes": new}
        if caplen < plen:
            rec["captured"] = caplen
        if conflict:
            rec["conflict_bytes"] = conflict
        seg_out.append(rec)

    frame_time = {s.frame: s.t_ns for s in segs}
    chunks, gaps, kept_hex, summary = [], [], [], []
    for d in (0, 1):
        me = D[d]
        keys = sorted(me.store)
        # chunks: runs of consecutive bytes kept from one frame
        run = None
        for k in keys:
            b, fr = me.store[k]
            if run and run["frame"] == fr and run["seq"] + run["len"] == k - base[d]:
                run["len"] += 1
                run["_data"].append(b)
            else:
                run = {"dir": d, "seq": k - base[d], "len": 1, "frame": fr, "_data": bytearray([b])}
                chunks.append(run)
        kept_hex.append(bytes(me.store[k][0] for k in keys).hex())
        dgaps = []
        if me.seen:
            start = me.syn_seq + 1 if me.syn_seq is not None else me.lowest
            end = start
            for v in (me.claimed, me.fin):
                if v is not None:
                    end = max(end, v)
            if me.max_ack is not None:
                end = max(end, min(me.max_ack, me.fin) if me.fin is not None else me.max_ack)
            pos = start
            while pos < end:
                if pos in me.store:
                    pos += 1
                    continue
                a = pos
                while pos < end and pos not in me.store:
                    pos += 1
                after = me.store[a - 1][1] if (a - 1) in me.store else None
                before = me.store[pos][1] if pos in me.store else None
                # split by cause
                p = a
                while p < pos:
                    cause = "truncated" if any(lo <= p < hi for lo, hi in me.truncated) else "not-captured"
                    q = p
                    while q < pos and ("truncated" if any(lo <= q < hi for lo, hi in me.truncated)
                                       else "not-captured") == cause:
                        q += 1
                    dgaps.append({"dir": d, "seq": p - base[d], "len": q - p, "after_frame": after,
                                  "before_frame": before, "cause": cause})
                    p = q
        gaps.extend(dgaps)
        summary.append({
            "bytes": len(me.store), "missing": sum(g["len"] for g in dgaps), "gaps": len(dgaps),
            "segments": me.segments,
            "retransmissions": me.counts.get("retransmission", 0),
            "overlaps": me.counts.get("overlap", 0),
            "out_of_order": me.counts.get("out-of-order", 0),
            "conflicts": me.counts.get("conflict", 0),
            "conflict_bytes": me.conflict_bytes,
            "keep_alives": me.counts.get("keep-alive", 0),
            "zero_window_probes": me.counts.get("zero-window-probe", 0),
            "first": fmt_time(me.first) if me.first is not None else None,
            "last": fmt_time(me.last) if me.last is not None else None,
        })
    for c in chunks:
        c["time"] = fmt_time(frame_time[c["frame"]])
        c["rel"] = (frame_time[c["frame"]] - first_t) / 1e9
        c["data"] = bytes(c.pop("_data")).hex()
    return {"kept_hex": kept_hex, "segments": seg_out, "chunks": chunks, "gaps": gaps,
            "summary": {"dirs": summary}}


# --------------------------------------------------------------------------- the scenarios

SCENARIOS = []


def scenario(name, description, **capkw):
    def deco(fn):
        SCENARIOS.append((name, description, fn, capkw))
        return fn
    return deco


MSS = 1448


@scenario("clean", "clean transfer both directions, FIN with data, orderly close")
def sc_clean(cap):
    c = cap.conv()
    c.handshake()
    req = c.send(0, 300)
    c.ack(1)
    s1 = c.send(1, MSS)
    c.send(1, MSS)
    c.ack(0)
    c.send(1, 700)
    c.ack(0)
    c.send(0, 120)
    c.send(1, 50)
    c.ack(0)
    c.fin(0)
    sfin = c.fin(1, n=33)       # FIN carrying the last data
    c.ack(0)
    cap.expect_class(req, "new", 300)
    cap.expect_class(s1, "new", MSS)
    cap.expect_class(sfin, "new", 33)
    cap.expect_gaps(c, [])
    cap.expect_kept(c, 0, c.content(0, 0, 420))
    cap.expect_kept(c, 1, c.content(1, 0, 2 * MSS + 700 + 50 + 33))


@scenario("loss_recovered", "a lost segment later filled by its retransmission")
def sc_loss_recovered(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 200)
    c.ack(1)
    c.send(1, MSS)
    c.send(1, MSS, drop=True)
    c.send(1, MSS)
    c.ack(0, ackd=MSS)
    c.send(1, MSS)
    c.ack(0, ackd=MSS)
    r = c.send(1, MSS, off=MSS)          # fills the hole: new bytes below the highest seq
    c.ack(0)
    c.fin(1)
    c.fin(0)
    c.ack(1)
    cap.expect_class(r, "out-of-order", MSS)
    cap.expect_gaps(c, [])
    cap.expect_kept(c, 1, c.content(1, 0, 4 * MSS))


@scenario("loss_unrecovered", "a segment lost in the middle and never retransmitted")
def sc_loss_unrecovered(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 100)
    s1 = c.send(1, 1000)
    c.send(1, 1000, drop=True)
    s3 = c.send(1, 1000)
    c.ack(0)
    c.fin(1)
    c.fin(0)
    c.ack(1)
    cap.expect_gaps(c, [(1, 1001, 1000, s1, s3, "not-captured")])
    cap.expect_kept(c, 1, c.content(1, 0, 1000) + c.content(1, 2000, 1000))


@scenario("tail_lost_ack", "the last segment is lost; only the peer's ACK proves it (no FIN)")
def sc_tail_lost_ack(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 80)
    c.send(1, 1000)
    s2 = c.send(1, 1000)
    c.send(1, 500, drop=True)
    c.ack(0)                          # acks 2500 bytes
    cap.expect_gaps(c, [(1, 2001, 500, s2, None, "not-captured")])


@scenario("tail_lost_fin", "data before the FIN is lost; the FIN's seq proves the tail")
def sc_tail_lost_fin(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 80)
    s1 = c.send(1, 1000)
    c.ack(0, ackd=1000)
    c.send(1, 700, drop=True)
    c.fin(1)
    c.ack(0, ackd=1000)                # the client never got it: no ACK covers the tail
    refin = c.seg(1, c.seq_of(1, 1700), b"", "FA", dt=300_000)   # FIN retransmitted
    c.fin(0, ackd=1000)
    cap.expect_class(refin, "control", 0)
    cap.expect_gaps(c, [(1, 1001, 700, s1, None, "not-captured")])


@scenario("leading_gap", "the client's first data segment after the handshake is lost")
def sc_leading_gap(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 500, drop=True)
    c2 = c.send(0, 300)
    c.ack(1)
    c.send(1, 900)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_gaps(c, [(0, 1, 500, None, c2, "not-captured")])


@scenario("midstream", "capture starts mid-stream without a SYN, first server segment reordered:"
          " no leading gap")
def sc_midstream(cap):
    c = cap.conv(isn=(2_000_000_000, 3_000_000_000))
    c.sent = [100_000, 250_000]          # earlier bytes were sent before the capture started
    c1 = c.send(0, 400)
    s2 = c.send(1, 1000, off=251_000)
    s1 = c.send(1, 1000, off=250_000)
    c.ack(0)
    c.send(1, 1000)
    c.send(0, 50)
    c.ack(1)
    cap.expect_class(c1, "new", 400)
    cap.expect_class(s2, "new", 1000)
    cap.expect_class(s1, "out-of-order", 1000)
    cap.expect_gaps(c, [])


@scenario("retransmission", "plain retransmissions: same segment again, and a bigger one covering two")
def sc_retransmission(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 100)
    c.send(1, MSS)
    s2 = c.send(1, MSS)
    r1 = c.send(1, MSS, off=MSS, dt=200_000)
    r2 = c.send(1, 2 * MSS, off=0)
    c.ack(0)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(s2, "new", MSS)
    cap.expect_class(r1, "retransmission", 0)
    cap.expect_class(r2, "retransmission", 0)
    cap.expect_gaps(c, [])


@scenario("reorder", "segments captured out of order in both directions")
def sc_reorder(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 100, off=100)
    a = c.send(0, 100, off=0)
    c.ack(1)
    c.send(1, 1000, off=0)
    s3 = c.send(1, 1000, off=2000)
    s2 = c.send(1, 1000, off=1000)
    s4 = c.send(1, 1000, off=3000)
    s6 = c.send(1, 1000, off=5000)
    s5 = c.send(1, 1000, off=4000)
    c.ack(0)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(a, "out-of-order", 100)
    cap.expect_class(s3, "new", 1000)
    cap.expect_class(s2, "out-of-order", 1000)
    cap.expect_class(s4, "new", 1000)
    cap.expect_class(s6, "new", 1000)
    cap.expect_class(s5, "out-of-order", 1000)
    cap.expect_gaps(c, [])
    cap.expect_kept(c, 1, c.content(1, 0, 6000))


@scenario("overlap_shifted", "retransmissions with shifted boundaries: part old, part new bytes")
def sc_overlap_shifted(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 60)
    a = c.send(1, 1000, off=0)
    c.send(1, 1000, off=1000, drop=True)
    cc = c.send(1, 1000, off=2000)
    r1 = c.send(1, 1000, off=500)       # 500 old (A) + 500 new
    r2 = c.send(1, 700, off=1400)       # 100 old (R1) + 500 new + 100 old (C)
    c.ack(0)
    c.fin(1)
    c.fin(0)
    c.ack(1)
    cap.expect_class(r1, "overlap", 500)
    cap.expect_class(r2, "overlap", 500)
    cap.expect_gaps(c, [])
    cap.expect_kept(c, 1, c.content(1, 0, 3000))
    for pol, layout in (("first", [(1, 1000, a), (1001, 500, r1), (1501, 500, r2), (2001, 1000, cc)]),
                        ("last", [(1, 500, a), (501, 900, r1), (1401, 700, r2), (2101, 900, cc)])):
        cap.expectations.append(("chunks", c, layout, pol))


@scenario("conflict", "overlapping copies whose bytes differ: first keeps the first copy, last the last")
def sc_conflict(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 40)
    A = c.content(1, 0, 100)
    B = c.content(1, 100, 100)
    a = c.send(1, payload=A, off=0)
    b = c.send(1, payload=B, off=100)
    xp = bytearray(A[50:100] + B[0:50])
    for i in range(0, 50, 5):            # 10 differing bytes inside A's part
        xp[i] ^= 0x20
    x = c.send(1, payload=bytes(xp), off=50)           # 100 old, 10 differ, 0 new
    yp = b"Y" * 50 + c.content(1, 200, 60)
    y = c.send(1, payload=yp, off=150)                 # 50 old all differ, 60 new
    z = c.send(1, payload=A, off=0)                    # the original A again
    c.ack(0)
    c.fin(1)
    c.fin(0)
    c.ack(1)
    tail = c.content(1, 200, 60)
    cap.expect_class(a, "new", 100)
    cap.expect_class(b, "new", 100)
    cap.expect_class(x, "conflict", 0)
    cap.expect_class(y, "conflict", 60)
    cap.expect_class(z, "retransmission", 0, policy="first")
    cap.expect_class(z, "conflict", 0, policy="last")
    cap.expect_kept(c, 1, A + B + tail, policy="first")
    cap.expect_kept(c, 1, A + bytes(xp[50:100]) + b"Y" * 50 + tail, policy="last")
    cap.expect_gaps(c, [])


@scenario("keepalive", "keep-alives with 1 garbage byte and with no byte: the byte is never kept")
def sc_keepalive(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 500)
    c.ack(1)
    k1 = c.seg(0, c.seq_of(0, 499), b"\x00", "A", dt=1_000_000_000)
    c.ack(1)
    k0 = c.seg(0, c.seq_of(0, 499), b"", "A", dt=1_000_000_000)
    c.ack(1)
    d = c.send(0, 200)
    c.send(1, 300)
    k2 = c.seg(1, c.seq_of(1, 299), b"Z", "A", dt=1_000_000_000)
    c.ack(0)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(k1, "keep-alive", 0)
    cap.expect_class(k0, "keep-alive", 0)
    cap.expect_class(k2, "keep-alive", 0)
    cap.expect_class(d, "new", 200)
    cap.expect_kept(c, 0, c.content(0, 0, 700))
    cap.expect_kept(c, 1, c.content(1, 0, 300))
    cap.expect_gaps(c, [])


@scenario("zero_window", "peer advertises window 0, 1-byte probe at next seq, a probe at next - 1 "
                        "(the Linux shape), window reopens")
def sc_zero_window(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 1000)
    c.ack(1, ackd=1000, win=0)
    p1 = c.send(0, 1, dt=200_000)                 # probe: the next byte of the stream
    c.ack(1, ackd=1000, win=0)
    p2 = c.send(0, 1, off=1000, dt=400_000)       # same byte again at highest nxtseq - 1: filler
    c.ack(1, ackd=1000, win=8192)
    d = c.send(0, 1000, off=1000)                 # resumes at the probe byte
    c.ack(1)
    c.send(1, 100)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(p1, "zero-window-probe", 1)
    cap.expect_class(p2, "zero-window-probe", 0)
    cap.expect_class(d, "overlap", 999)
    cap.expect_kept(c, 0, c.content(0, 0, 2000))
    cap.expect_gaps(c, [])


@scenario("seq_wrap", "ISNs close to 2^32: data, a retransmission and a lost segment across the wrap")
def sc_seq_wrap(cap):
    c = cap.conv(isn=(MOD32 - 100, MOD32 - 3000))
    c.handshake()
    c.send(0, 300)                      # crosses the wrap in the client direction
    c.ack(1)
    s = [c.send(1, MSS) for _ in range(2)]
    c.send(1, MSS, drop=True)           # [2897, 4345) spans raw 2^32
    s4 = c.send(1, MSS)
    c.ack(0, ackd=2 * MSS)
    r = c.send(1, MSS, off=2 * MSS)     # fills it
    c.send(1, MSS, drop=True)
    s7 = c.send(1, MSS)
    c.ack(0)
    c.fin(1)
    c.fin(0)
    c.ack(1)
    cap.expect_class(r, "out-of-order", MSS)
    cap.expect_class(s4, "new", MSS)
    cap.expect_gaps(c, [(1, 4 * MSS + 1, MSS, s4, s7, "not-captured")])


@scenario("syn_data", "TCP Fast Open: data in the SYN and in the SYN-ACK")
def sc_syn_data(cap):
    c = cap.conv()
    syn = c.syn(0, data=120)
    synack = c.syn(1, data=50)
    c.ack(0)
    c.send(1, 700)
    c.send(0, 30)
    c.ack(1)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(syn, "new", 120)
    cap.expect_class(synack, "new", 50)
    cap.expect_kept(c, 0, c.content(0, 0, 150))
    cap.expect_kept(c, 1, c.content(1, 0, 750))
    cap.expect_gaps(c, [])


@scenario("rst_data", "a RST+ACK carrying data (a reset reason), then a bare RST")
def sc_rst_data(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 200)
    c.send(1, 400)
    c.ack(0)
    reason = b"connection reset: policy violation\n"
    r = c.rst(1, payload=reason)
    r2 = c.rst(0, with_ack=False)
    cap.expect_class(r, "new", len(reason))
    cap.expect_class(r2, "control", 0)
    cap.expect_kept(c, 1, c.content(1, 0, 400) + reason)
    cap.expect_gaps(c, [])


@scenario("truncated", "snaplen-truncated payloads: cut bytes are 'truncated' gaps, never data")
def sc_truncated(cap):
    c = cap.conv()
    c.handshake()
    q = c.send(0, 600, cap=250)
    c.ack(1)
    s1 = c.send(1, MSS)
    s2 = c.send(1, MSS, cap=100)
    s3 = c.send(1, MSS)
    s4 = c.send(1, MSS, cap=0)            # headers only
    c.send(1, MSS, drop=True)
    s6 = c.send(1, MSS)
    s7 = c.send(1, MSS, cap=200)
    c.ack(0, ackd=6 * MSS + 200)
    r7 = c.send(1, MSS, off=6 * MSS)      # full copy of the truncated one
    r1 = c.send(1, MSS, off=0, cap=300)   # truncated copy of bytes already kept: no gap
    c.ack(0)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(q, "new", 250)
    cap.expect_class(s1, "new", MSS)
    cap.expect_class(s2, "new", 100)
    cap.expect_class(s4, "new", 0)
    cap.expect_class(s7, "new", 200)
    cap.expect_class(r7, "overlap", MSS - 200)
    cap.expect_class(r1, "retransmission", 0)
    cap.expect_gaps(c, [
        (0, 251, 350, q, None, "truncated"),
        (1, MSS + 101, MSS - 100, s2, s3, "truncated"),
        (1, 3 * MSS + 1, MSS, s3, s6, "truncated"),
        (1, 4 * MSS + 1, MSS, s3, s6, "not-captured"),
    ])


@scenario("ipv6", "IPv6, nanosecond timestamps, one recovered and one unrecovered loss", nsec=True)
def sc_ipv6(cap):
    cap.default_dt = 100_123_457
    c = cap.conv(client=("2001:db8::10", 50123), server=("2001:db8:0:1::20", 443))
    c.handshake()
    c.send(0, 517)
    c.ack(1)
    s1 = c.send(1, 1220)
    c.send(1, 1220, drop=True)
    s3 = c.send(1, 1220)
    c.ack(0, ackd=1220)
    r = c.send(1, 1220, off=1220)
    c.send(1, 1220, drop=True)
    s5 = c.send(1, 600)
    c.ack(0)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(s1, "new", 1220)
    cap.expect_class(r, "out-of-order", 1220)
    cap.expect_gaps(c, [(1, 3 * 1220 + 1, 1220, s3, s5, "not-captured")])


@scenario("vlan", "802.1Q-tagged frames (VLAN 100), with reordering and a retransmission")
def sc_vlan(cap):
    c = cap.conv(client=("192.168.100.5", 51000), server=("192.168.100.1", 8080), vlan=100)
    c.handshake()
    c.send(0, 250)
    c.ack(1)
    c.send(1, MSS)
    c.send(1, MSS, off=2 * MSS)
    o = c.send(1, MSS, off=MSS)
    rt = c.send(1, MSS, off=MSS)
    c.ack(0)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(o, "out-of-order", MSS)
    cap.expect_class(rt, "retransmission", 0)
    cap.expect_gaps(c, [])


@scenario("interleaved", "several streams interleaved in one pcap (same ISNs, same IP pairs)")
def sc_interleaved(cap):
    convs = [
        cap.conv(client=("10.0.0.1", 40001), server=("10.0.0.2", 80), isn=(1000, 500000), tag=["A", "a"]),
        cap.conv(client=("10.0.0.1", 40002), server=("10.0.0.2", 80), isn=(1000, 500000), tag=["B", "b"]),
        cap.conv(client=("10.0.0.2", 40003), server=("10.0.0.1", 22), isn=(77777, 88888), tag=["C", "c"]),
        cap.conv(client=("10.0.0.3", 5555), server=("10.0.0.2", 80), isn=(1000, 500000), tag=["D", "d"]),
    ]

    def script(c, i):
        c.syn(0)
        yield
        c.syn(1)
        yield
        c.ack(0)
        yield
        c.send(0, 100 + 10 * i)
        yield
        for k in range(3 + i):
            c.send(1, 700 + i, drop=(i == 1 and k == 1))
            yield
        c.ack(0)
        yield
        if i == 2:
            c.send(1, 700 + i, off=0)   # a retransmission
            yield
        c.fin(0)
        yield
        c.fin(1)
        yield
        c.ack(0)
        yield

    gens = [script(c, i) for i, c in enumerate(convs)]
    rnd = random.Random(7)
    active = list(gens)
    # start in a fixed order so stream indexes are known, then interleave at random
    for g in list(active):
        next(g)
    while active:
        g = rnd.choice(active)
        try:
            next(g)
        except StopIteration:
            active.remove(g)
    c1 = convs[1]
    b1 = [s for s in c1.segs if s.side == 1 and s.payload]
    cap.expect_gaps(c1, [(1, 702, 701, b1[0], b1[2], "not-captured")])


@scenario("server_first", "server speaks first: after a handshake (client = SYN sender), and"
          " mid-stream without SYN (node 0 = the server, first sender)")
def sc_server_first(cap):
    a = cap.conv(client=("10.1.0.1", 33000), server=("10.1.0.2", 25))
    a.handshake()
    banner = a.send(1, 60)
    a.ack(0)
    a.send(0, 20)
    a.send(1, 30)
    a.fin(0)
    a.fin(1)
    a.ack(0)
    b = cap.conv(client=("10.1.0.1", 33001), server=("10.1.0.2", 25), isn=(123456, 654321))
    b.sent = [5000, 9000]
    first = b.send(1, 400)
    b.ack(0)
    b.send(0, 30)
    b.send(1, 100)
    b.ack(0)
    cap.expect_class(banner, "new", 60)
    cap.expect_class(first, "new", 400)
    cap.expect_gaps(a, [])
    cap.expect_gaps(b, [])


@scenario("tail_own_ack", "the sender's last data segment is lost and the peer never acknowledges"
          " it; only the sender's own later pure ACK (seq past the hole) hints at it: by the contract"
          " (end = data headers, FIN, peer ACK) that is no gap")
def sc_tail_own_ack(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 100)
    c.ack(1)
    c1 = c.send(0, 200)
    c.send(0, 300, drop=True)
    c.send(1, 500, ackd=300)          # the server did not get the lost bytes
    c.ack(0)                          # client's pure ACK: seq = 601
    cap.expect_gaps(c, [])
    cap.expect_kept(c, 0, c.content(0, 0, 300))


@scenario("rst_noack", "mid-stream: a RST without ACK whose seq lies below the lowest data seq"
          " (excluded from the lowest-seq base)")
def sc_rst_noack(cap):
    c = cap.conv(isn=(40_000_000, 90_000_000))
    c.sent = [10_000, 20_000]
    c.send(0, 300)
    c.send(1, 800)
    c.ack(0)
    r = c.rst(1, with_ack=False, seq=c.seq_of(1, 15_000))
    cap.expect_class(r, "control", 0)
    cap.expect_gaps(c, [])


@scenario("overlap_inside", "a retransmission inside one kept segment, and one segment filling"
          " three holes between old bytes at once")
def sc_overlap_inside(cap):
    c = cap.conv()
    c.handshake()
    c.send(0, 30)
    big = c.send(1, 3000)
    mid = c.send(1, 100, off=1000)                 # inside big: splits it under overlap=last
    a = c.send(1, 100, off=3100)
    c.send(1, 100, off=3000, drop=True)
    b = c.send(1, 100, off=3300)
    e = c.send(1, 100, off=3500)
    fill = c.send(1, 700, off=3000)                # holes 3000, 3200, 3400, 3600-3700 new
    c.ack(0)
    c.fin(1)
    c.fin(0)
    c.ack(1)
    cap.expect_class(mid, "retransmission", 0)
    cap.expect_class(a, "new", 100)
    cap.expect_class(b, "new", 100)
    cap.expect_class(fill, "overlap", 400)
    cap.expect_gaps(c, [])
    cap.expect_kept(c, 1, c.content(1, 0, 3700))
    cap.expectations.append(("chunks", c, [(1, 3000, big), (3001, 100, fill), (3101, 100, a),
                                           (3201, 100, fill), (3301, 100, b), (3401, 100, fill),
                                           (3501, 100, e), (3601, 100, fill)], "first"))
    cap.expectations.append(("chunks", c, [(1, 1000, big), (1001, 100, mid), (1101, 1900, big),
                                           (3001, 700, fill)], "last"))


@scenario("unidirectional", "only the client's side of a mid-stream connection was captured,"
          " with a loss the client's later data reveals (its ACKs all carry the same number)")
def sc_unidirectional(cap):
    c = cap.conv(isn=(7_000_000, 9_000_000))
    c.sent = [3000, 80_000]
    c1 = c.send(0, 500)
    c.send(0, 500, drop=True)
    c3 = c.send(0, 500)
    c.ack(0)
    c.send(0, 200)
    cap.expect_class(c3, "new", 500)
    cap.expect_gaps(c, [(0, 501, 500, c1, c3, "not-captured")])


@scenario("unseen_dir_acks", "one-directional mid-stream capture whose ACK numbers grow: the"
          " direction that sent nothing gets its relative base from the lowest ACK (ack 1), so"
          " no relative ack is negative")
def sc_unseen_dir_acks(cap):
    c = cap.conv(isn=(7_000_000, 9_000_000))
    c.sent = [3000, 80_000]
    c.send(0, 500)
    c.send(1, 1000, drop=True)
    c.ack(0)
    c.send(0, 200)
    for s in c.segs:
        if s.side == 1:
            s.drop = True
    cap.expect_gaps(c, [])


@scenario("midstream_wrap", "mid-stream start just after the server's seq wrapped; an older"
          " segment from before the wrap arrives later and becomes relative seq 1")
def sc_midstream_wrap(cap):
    c = cap.conv(isn=(123_456_789, MOD32 - 1_000_000))
    c.sent = [2000, 1_000_000 + 500]       # server offsets near the wrap: raw wrap at 999_999
    c.send(0, 100, ackd=1_000_000 + 500)
    s2 = c.send(1, 1000, off=1_000_500)    # raw seq just past 2^32
    s1 = c.send(1, 1000, off=999_000)      # raw seq just below 2^32 (the wrap is inside it)
    c.ack(0, ackd=1_000_000 + 500)
    c.send(1, 1000, off=1_001_500)
    c.ack(0)
    cap.expect_class(s2, "new", 1000)
    cap.expect_class(s1, "out-of-order", 1000)
    cap.expect_gaps(c, [(1, 1001, 500, s1, s2, "not-captured")])


@scenario("port_reuse", "two connections on the same 4-tuple, one after the other: two tcp.streams")
def sc_port_reuse(cap):
    for n, isn in enumerate(((1000, 500000), (90_000_000, 70_000_000))):
        c = cap.conv(client=("10.3.0.1", 41000), server=("10.3.0.2", 80), isn=isn,
                     tag=["r%d" % n, "R%d" % n])
        c.handshake()
        c.send(0, 100 + n)
        c.send(1, 800 + n, drop=(n == 1))
        c.send(1, 300)
        c.ack(0)
        c.fin(0)
        c.fin(1)
        c.ack(0, dt=1_000_000)
        cap.expect_gaps(c, [] if n == 0 else [(1, 1, 801, None, c.segs[5], "not-captured")])


@scenario("syn_missing", "the SYN was not captured (node 0 = the SYN-ACK sender, the first"
          " sender), and a SYN captured after its SYN-ACK (node 0 = the SYN sender)")
def sc_syn_missing(cap):
    a = cap.conv(client=("10.4.0.1", 42000), server=("10.4.0.2", 8000), isn=(111_111, 222_222))
    a.syn(0, drop=True)
    sa = a.syn(1)
    a.ack(0)
    a.send(0, 150)
    a.send(1, 900)
    a.ack(0)
    b = cap.conv(client=("10.4.0.1", 42001), server=("10.4.0.2", 8000), isn=(333_333, 444_444))
    syn = b.syn(0)
    synack = b.syn(1)
    # captured the other way round: swap the two frames in the capture
    fr = cap.frames
    i, j = fr.index(syn), fr.index(synack)
    fr[i], fr[j] = fr[j], fr[i]
    syn.t_ns, synack.t_ns = synack.t_ns, syn.t_ns
    b.ack(0)
    b.send(0, 60)
    b.send(1, 400)
    b.ack(0)
    cap.expect_class(sa, "control", 0)
    cap.expect_gaps(a, [])
    cap.expect_gaps(b, [])


# What a capture's payload may hold to attack a page that shows it: every
# context of the HTML report (text, attribute, script data, SVG, CDATA) and
# bytes that are not UTF-8. tests/browser checks that a page shows these as
# data and that none of them runs (window.tftPwned stays unset).
MARKUP_ATTACKS = [
    b"<script>window.tftPwned = 1</script>",
    b"</textarea></title></style></pre>",
    b"\"><img src=x onerror=\"window.tftPwned = 2\">",
    b"' onmouseover='window.tftPwned = 3' x='",
    b"]]></script><script>window.tftPwned = 4</script><!--",
    b"<svg onload=\"window.tftPwned = 5\"><![CDATA[ ]]>",
    b"&amp; &lt; &#60; \\u003c",
    b"invalid UTF-8: \xff\xfe \xc3\x28 \xed\xa0\x80 \xf0\x28\x8c\x28 \xc0\xaf end",
]


@scenario("markup_injection", "payloads that attack a page showing them (<script>, </textarea>, "
          "attribute breaks, ]]>, invalid UTF-8), a lost segment and a retransmission")
def sc_markup_injection(cap):
    c = cap.conv(client=("10.9.0.1", 41000), server=("10.9.0.2", 9000))
    c.handshake()
    req = c.send(0, payload=b"\n".join(MARKUP_ATTACKS[:4]) + b"\n")
    c.ack(1)
    s1 = c.send(1, payload=b"\n".join(MARKUP_ATTACKS[4:]) + b"\n")
    c.send(1, payload=b"lost: " + MARKUP_ATTACKS[0] + b"\n", drop=True)
    s3 = c.send(1, payload=b"after the gap: " + MARKUP_ATTACKS[2] + b"\n")
    again = c.send(1, off=0, payload=s1.payload)
    c.ack(0)
    c.fin(0)
    c.fin(1)
    c.ack(0)
    cap.expect_class(req, "new")
    cap.expect_class(again, "retransmission", 0)
    cap.expect_gaps(c, [(1, len(s1.payload) + 1, len(b"lost: " + MARKUP_ATTACKS[0] + b"\n"), s1, s3,
                         "not-captured")], policy="first")


def build_scenario(name):
    for n, desc, fn, capkw in SCENARIOS:
        if n == name:
            cap = Capture(n, desc, **capkw)
            fn(cap)
            return cap
    raise KeyError(name)


def write_scenario(cap, out_dir):
    path = os.path.join(out_dir, cap.name + ".pcap")
    frames = cap.write(path)
    truth, order = cap.truth(frames)
    # chunk-layout expectations (frame attribution per policy)
    extra = [e for e in cap.expectations if e[0] == "chunks"]
    cap.expectations = [e for e in cap.expectations if e[0] != "chunks"]
    cap.check_expectations(truth, order)
    for _, conv, layout, pol in extra:
        st = truth["streams"][order.index(conv)]["policies"][pol]
        want = [(q, n, s.frame) for q, n, s in layout]
        got = [(ch["seq"], ch["len"], ch["frame"]) for ch in st["chunks"] if ch["dir"] == 1]
        if want != got:
            raise AssertionError("scenario %s: %s chunks: expected %s, model says %s"
                                 % (cap.name, pol, want, got))
    with open(os.path.join(out_dir, cap.name + ".truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    return path, truth


def cmd_scenarios(args):
    os.makedirs(args.out, exist_ok=True)
    names = args.only.split(",") if args.only else [n for n, *_ in SCENARIOS]
    for n in names:
        cap = build_scenario(n)
        path, truth = write_scenario(cap, args.out)
        if not args.quiet:
            print("%-18s %d stream(s)  %s" % (n, len(truth["streams"]), path))


# --------------------------------------------------------------------------- bulk

class FastStream:
    """Fast frame writer for one connection: precomputed Ethernet/IP headers, TCP
    checksums from precomputed payload sums (exact, cheap)."""

    PERIOD = 65521  # prime: the payload pattern never lines up with the MSS

    def __init__(self, writer, client, server, mss, seed):
        self.w = writer
        self.ep = [Endpoint(*client), Endpoint(*server)]
        rnd = random.Random(seed)
        self.pattern = []
        self.prefix = []     # prefix[side][align][k]: sum of the first k words at alignment
        for side in (0, 1):
            # random lowercase letters: random binary payloads sometimes look like the
            # start of a PDU to one of Wireshark's heuristic dissectors (TPKT, ...),
            # which then asks TCP to reassemble ever larger PDUs: tshark goes quadratic
            letters = b"abcdefghijklmnopqrstuvwxyz"
            pat = bytes(letters[rnd.randrange(26)] for _ in range(self.PERIOD + mss + 2))
            self.pattern.append(pat)
            pre = []
            for align in (0, 1):
                words = struct.unpack("!%dH" % ((len(pat) - align) // 2),
                                      pat[align:align + 2 * ((len(pat) - align) // 2)])
                acc = [0]
                t = 0
                for wv in words:
                    t += wv
                    acc.append(t)
                pre.append(acc)
            self.prefix.append(pre)
        self.head_cache = {}
        self.pseudo = []
        for side in (0, 1):
            src, dst = self.ep[side], self.ep[1 - side]
            self.pseudo.append(csum_add(src.addr.packed + dst.addr.packed) + 6)

    def payload(self, side, off, n):
        i = off % self.PERIOD
        return self.pattern[side][i:i + n]

    def payload_sum(self, side, off, n):
        i = off % self.PERIOD
        a = i & 1
        j0 = (i - a) // 2
        pre = self.prefix[side][a]
        s = pre[j0 + n // 2] - pre[j0]
        if n & 1:
            s += self.pattern[side][i + n - 1] << 8
        return s

    def frame(self, t_ns, side, seq, ack, flags, win, off, n):
        tcp_len = 20 + n
        key = (side, tcp_len)
        head = self.head_cache.get(key)
        if head is None:
            src, dst = self.ep[side], self.ep[1 - side]
            ip = bytearray(struct.pack("!BBHHHBBH", 0x45, 0, 20 + tcp_len, 0, 0x4000, 64, 6, 0)
                           + src.addr.packed + dst.addr.packed)
            struct.pack_into("!H", ip, 10, csum_fold(csum_add(bytes(ip))))
            head = dst.mac + src.mac + b"\x08\x00" + bytes(ip)
            self.head_cache[key] = head
        src, dst = self.ep[side], self.ep[1 - side]
        seq &= 0xFFFFFFFF
        ack &= 0xFFFFFFFF
        offflags = (5 << 12) | flags
        s = (self.pseudo[side] + tcp_len + src.port + dst.port + (seq >> 16) + (seq & 0xFFFF)
             + (ack >> 16) + (ack & 0xFFFF) + offflags + win)
        if n:
            s += self.payload_sum(side, off, n)
        tcp = struct.pack("!HHIIHHHH", src.port, dst.port, seq, ack, offflags, win, csum_fold(s), 0)
        data = head + tcp
        if n:
            data += self.payload(side, off, n)
        self.w.record(t_ns, data)


def bulk_summary_model(events, isn, syn_seen=True):
    """Segment-level model for bulk captures (segments never partially overlap):
    returns summary.dirs as the report must give them."""
    out = []
    for d in (0, 1):
        kept = {}
        nxt = None
        counts = {"retransmission": 0, "out-of-order": 0}
        claimed = isn[d] + 1
        fin = None
        nseg = 0
        for ev in events:
            kind = ev[0]
            if kind == "ack":
                continue
            _, side, seq, n, flags = ev
            if side != d:
                continue
            nseg += 1
            if n:
                if seq in kept:
                    counts["retransmission"] += 1
                else:
                    if nxt is not None and seq < nxt:
                        counts["out-of-order"] += 1
                    kept[seq] = n
                claimed = max(claimed, seq + n)
            if flags & FIN:
                fin = seq + n
            nx = seq + n + (1 if flags & SYN else 0) + (1 if flags & FIN else 0)
            nxt = nx if nxt is None else max(nxt, nx)
        max_ack = max((ev[3] for ev in events if ev[0] == "ack" and ev[1] != d), default=None)
        start = isn[d] + 1
        end = max(claimed, fin or 0)
        if max_ack is not None:
            end = max(end, min(max_ack, fin) if fin is not None else max_ack)
        cursor, missing, gaps = start, 0, 0
        for seq in sorted(kept):
            if seq > cursor:
                missing += seq - cursor
                gaps += 1
            cursor = max(cursor, seq + kept[seq])
        if end > cursor:
            missing += end - cursor
            gaps += 1
        out.append({"bytes": sum(kept.values()), "missing": missing, "gaps": gaps, "segments": nseg,
                    "retransmissions": counts["retransmission"],
                    "out_of_order": counts["out-of-order"], "overlaps": 0, "conflicts": 0})
    return out


def cmd_bulk(args):
    rnd = random.Random(args.seed)
    mss = args.mss
    w = PcapWriter(args.out)
    fs = FastStream(w, ("10.20.0.1", 45000), ("10.20.0.2", 5001), mss, args.seed)
    isn = [0x89ABCDEF, 0xFFF00000]    # the server direction wraps after ~1 MB
    t = [T0_NS]
    step = 20_000
    events = []        # ("seg", side, seq, n, flags) / ("ack", side, seq, ack) for the truth
    track = True

    def emit(side, seq, ack, flags, off, n, win=65535):
        t[0] += step
        fs.frame(t[0], side, seq, ack, flags, win, off, n)
        if track:
            if n or flags & (SYN | FIN):
                events.append(("seg", side, seq, n, flags))
            else:
                events.append(("seg", side, seq, 0, flags))
            if flags & ACK:
                events.append(("ack", side, seq, ack))

    sent = [0, 0]
    emit(0, isn[0], 0, SYN, 0, 0)
    emit(1, isn[1], isn[0] + 1, SYN | ACK, 0, 0)
    emit(0, isn[0] + 1, isn[1] + 1, ACK, 0, 0)
    req = 320
    held = None          # a server segment held back to be sent after the next one
    retrans = []
    since_ack = 0
    for i in range(args.segments):
        if i % 32 == 0:
            side, n = 0, req
        else:
            side, n = 1, mss
        off = sent[side]
        sent[side] += n
        seq = isn[side] + 1 + off
        ack = isn[1 - side] + 1 + sent[1 - side]
        if rnd.random() < args.loss:
            continue
        if side == 1 and held is None and rnd.random() < args.reorder:
            held = (seq, off, n)
            continue
        emit(side, seq, ack, ACK | PSH, off, n)
        if side == 1 and held is not None:
            hs, ho, hn = held
            held = None
            emit(1, hs, ack, ACK | PSH, ho, hn)
        if side == 1 and args.retrans and rnd.random() < args.retrans:
            emit(1, seq, ack, ACK | PSH, off, n)
        if side == 1:
            since_ack += 1
            if since_ack == 2:
                since_ack = 0
                emit(0, isn[0] + 1 + sent[0], isn[1] + 1 + sent[1], ACK, 0, 0)
    if held is not None:
        hs, ho, hn = held
        emit(1, hs, isn[0] + 1 + sent[0], ACK | PSH, ho, hn)
    emit(0, isn[0] + 1 + sent[0], isn[1] + 1 + sent[1], ACK | FIN, 0, 0)
    emit(1, isn[1] + 1 + sent[1], isn[0] + 2 + sent[0], ACK | FIN, 0, 0)
    emit(0, isn[0] + 2 + sent[0], isn[1] + 2 + sent[1], ACK, 0, 0)
    w.close()
    # events hold unbounded seq/ack values (frame() writes them mod 2^32)
    truth = {"pcap": os.path.basename(args.out), "stream": 0,
             "args": {"segments": args.segments, "mss": mss, "reorder": args.reorder,
                      "loss": args.loss, "retrans": args.retrans, "seed": args.seed},
             "summary": {"dirs": bulk_summary_model(events, isn)}}
    with open(args.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    if not args.quiet:
        st = os.stat(args.out)
        print("%s: %d bytes, truth in %s.truth.json" % (args.out, st.st_size, args.out))


# --------------------------------------------------------------------------- many

def cmd_many(args):
    rnd = random.Random(args.seed)
    cap = Capture("many", "%d short connections, interleaved" % args.streams, sort_by_time=True)
    for i in range(args.streams):
        ip = "10.%d.%d.%d" % (100 + i // 60000, (i % 60000) // 250, 1 + (i % 60000) % 250)
        c = cap.conv(client=(ip, 1024 + (i % 60000)), server=("10.99.0.1", 80),
                     isn=(rnd.getrandbits(32), rnd.getrandbits(32)))
        t = T0_NS + i * 50_000 + rnd.randrange(20_000)
        gap = 80_000

        def at():
            nonlocal t
            t += gap + rnd.randrange(40_000)
            return t

        c.syn(0, t=at())
        c.syn(1, t=at())
        c.ack(0, t=at())
        c.send(0, rnd.randrange(60, 400), t=at())
        for _ in range(rnd.randrange(1, 4)):
            c.send(1, rnd.randrange(200, MSS + 1), t=at())
        c.ack(0, t=at())
        c.fin(0, t=at())
        c.fin(1, t=at())
        c.ack(0, t=at())
    frames = cap.write(args.out)
    if args.truth:
        truth, _ = cap.truth(frames)
        with open(args.out + ".truth.json", "w") as f:
            json.dump(truth, f)
            f.write("\n")
    if not args.quiet:
        print("%s: %d streams, %d frames" % (args.out, args.streams, len(frames)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("scenarios", help="write every scenario and its truth")
    p.add_argument("--out", required=True)
    p.add_argument("--only", help="comma-separated scenario names")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(fn=cmd_scenarios)
    p = sub.add_parser("bulk", help="one long stream, both directions")
    p.add_argument("--out", required=True)
    p.add_argument("--segments", type=int, required=True)
    p.add_argument("--mss", type=int, default=1448)
    p.add_argument("--reorder", type=float, default=0.0)
    p.add_argument("--loss", type=float, default=0.0)
    p.add_argument("--retrans", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(fn=cmd_bulk)
    p = sub.add_parser("many", help="N short complete connections, interleaved")
    p.add_argument("--out", required=True)
    p.add_argument("--streams", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--truth", action="store_true", help="also write OUT.truth.json (full truth)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(fn=cmd_many)
    p = sub.add_parser("list", help="scenario names")
    p.set_defaults(fn=lambda a: [print("%-18s %s" % (n, d)) for n, d, *_ in SCENARIOS])
    args = ap.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
