#!/usr/bin/env python3
"""Write the seed corpus of fuzz_engine (tests/fuzz/corpus/) from readable
segment lists, in the input encoding documented at the top of fuzz_engine.c.

    python3 tests/fuzz/make_corpus.py [OUTDIR]                 # seeds -> corpus/
    python3 tests/fuzz/make_corpus.py --regressions [OUTDIR]   # -> regressions/

Each seed is small and aims at one part of the encoding or of the engine.

SPDX-License-Identifier: GPL-2.0-or-later
"""
import os
import struct
import sys

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100

LEN_CODES = {1460: 240, 65535: 241, 65536: 242, 0x7FFFFFFF: 243, 0x80000000: 244,
             0xFFFFFFFF: 245, 0xFFFFFFFE: 246}


def header(policy="first", mode0=0, x0=1000, mode1=0, x1=500000):
    h0 = (1 if policy == "last" else 0) | (mode0 & 3) << 1 | (mode1 & 3) << 3
    return bytes([h0]) + struct.pack("<II", x0 & 0xFFFFFFFF, x1 & 0xFFFFFFFF)


def seg(sender, seq, flags=ACK, ack=0, length=0, caplen=None, win=255, variant=None,
        payload=None, have_len=True, wide_seq=None, wide_ack=None, wide_len=None):
    """One record. seq/ack are offsets from the sender's / peer's base. caplen:
    None (= len), an int 0..250, ('minus', k) for len - k (k 1..4), or 'over'
    for len + 1. payload: bytes taken from the input (sets caplen to its size
    unless caplen is given)."""
    wide_seq = wide_seq if wide_seq is not None else not (-32768 <= seq <= 32767)
    wide_ack = wide_ack if wide_ack is not None else not (-32768 <= ack <= 32767)
    code = None if wide_len else (length if length < 240 else LEN_CODES.get(length))
    if code is None and not wide_len and length % 512 == 0 and 1 <= length // 512 <= 9:
        code = 246 + length // 512
    wide_len = code is None
    c = sender & 1
    c |= 0 if have_len else 2
    c |= 4 if wide_seq else 0
    c |= 8 if wide_ack else 0
    c |= 16 if payload is not None else 0
    if payload is not None and caplen is None:
        caplen = len(payload)
    c |= 32 if caplen is not None else 0
    c |= 64 if wide_len else 0
    c |= 128 if variant is not None else 0
    out = bytes([c]) + struct.pack("<H", flags & 0x1FF)
    out += struct.pack("<I", seq & 0xFFFFFFFF) if wide_seq else struct.pack("<h", seq)
    out += struct.pack("<I", ack & 0xFFFFFFFF) if wide_ack else struct.pack("<h", ack)
    out += struct.pack("<I", length) if wide_len else bytes([code])
    if caplen is not None:
        if caplen == "over":
            out += bytes([255])
        elif isinstance(caplen, tuple):
            out += bytes([250 + caplen[1]])
        else:
            assert 0 <= caplen <= 250
            out += bytes([caplen])
    out += bytes([win])
    if variant is not None:
        out += bytes([variant])
    if payload is not None:
        out += payload
    return out


def handshake(c_isn=0, s_isn=0):
    return [seg(0, c_isn, SYN, ack=0, win=255),
            seg(1, s_isn, SYN | ACK, ack=c_isn + 1),
            seg(0, c_isn + 1, ACK, ack=s_isn + 1)]


SEEDS = {
    # A clean exchange: handshake, data both ways, FIN/ACK both ways.
    "01_clean_handshake_fin": header() + b"".join(
        handshake() + [
            seg(0, 1, PSH | ACK, ack=1, length=100),
            seg(1, 1, PSH | ACK, ack=101, length=200),
            seg(0, 101, FIN | ACK, ack=201),
            seg(1, 201, FIN | ACK, ack=102),
            seg(0, 102, ACK, ack=202)]),
    # Identical retransmission and a partial overlap (policy first).
    "02_retransmission_overlap": header() + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=100),
            seg(0, 1, ACK, ack=1, length=100),
            seg(0, 51, ACK, ack=1, length=100),
            seg(0, 151, ACK, ack=1, length=50)]),
    # Overlapping copies whose bytes differ, kept first.
    "03_conflict_first": header("first") + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=60),
            seg(0, 31, ACK, ack=1, length=60, variant=0x5A),
            seg(0, 1, ACK, ack=1, length=200, variant=0x01)]),
    # The same with the last copy kept; the middle segment splits an old chunk.
    "04_conflict_last_split": header("last") + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=200),
            seg(0, 51, ACK, ack=1, length=20, variant=0x33),
            seg(0, 41, ACK, ack=1, length=40, variant=0x77),
            seg(0, 301, ACK, ack=1, length=10),
            seg(0, 181, ACK, ack=1, length=140)]),
    # Both sequence spaces start just below 2^32 and wrap.
    "05_seq_wrap": header(mode0=1, x0=40, mode1=1, x1=3) + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=30),
            seg(0, 31, ACK, ack=1, length=30),
            seg(0, 61, ACK, ack=1, length=30),
            seg(1, 1, ACK, ack=91, length=100),
            seg(0, 31, ACK, ack=101, length=30)]),
    # Out of order with a hole that is never filled, and an ACK past the data.
    "06_out_of_order_gap": header() + b"".join(
        handshake() + [
            seg(0, 201, ACK, ack=1, length=100),
            seg(0, 1, ACK, ack=1, length=100),
            seg(0, 401, ACK, ack=1, length=100),
            seg(1, 1, ACK, ack=700),
            seg(0, 101, ACK, ack=1, length=50)]),
    # Keep-alives (0 and 1 byte at next - 1), a zero window and a 1-byte probe.
    "07_keepalive_zero_window_probe": header() + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=10),
            seg(0, 10, ACK, ack=1, length=1),
            seg(0, 10, ACK, ack=1, length=0),
            seg(1, 1, ACK, ack=11, win=0),
            seg(0, 11, ACK, ack=1, length=1),
            seg(0, 11, ACK, ack=1, length=1),
            seg(1, 1, ACK, ack=12, win=200),
            seg(0, 12, ACK, ack=1, length=20)]),
    # Snapshot-length cuts: caplen < len, caplen = len - 2, huge announced lengths.
    "08_truncated_huge_len": header() + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=1460, caplen=60),
            seg(0, 1461, ACK, ack=1, length=200, caplen=("minus", 2)),
            seg(0, 1661, ACK, ack=1, length=0xFFFFFFFF, caplen=16),
            seg(1, 1, ACK, ack=0x7FFF0000, length=0x80000000, caplen=0),
            seg(0, 30000, ACK, ack=1, length=65536, caplen=100)]),
    # Data on SYN (TCP fast open), on FIN and on RST, flags combined.
    "09_syn_fin_rst_with_data": header(mode0=3, x0=7, mode1=3, x1=9) + b"".join([
        seg(0, 0, SYN | ECE | CWR, length=40),
        seg(1, 0, SYN | ACK | ECE, ack=41, length=5),
        seg(0, 41, ACK | PSH, ack=6, length=30),
        seg(1, 6, FIN | ACK | PSH, ack=71, length=25),
        seg(0, 71, RST, length=12),
        seg(0, 83, RST | ACK | URG | AE, ack=32, length=3),
        seg(0, 71, FIN | SYN | RST | ACK, ack=32, length=7)]),
    # TCP could not tell the payload length (IP fragments): have_len false.
    "10_unknown_length": header() + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=100, have_len=False),
            seg(0, 1, ACK, ack=1, length=100),
            seg(0, 101, ACK, ack=1, length=40, have_len=False, caplen=40),
            seg(0, 141, ACK, ack=1, length=10)]),
    # A capture that starts mid-stream: no SYN, older data retransmitted later,
    # pure ACKs, a window of 0 from the start.
    "11_midstream_no_syn": header(x0=123456789, x1=987654321) + b"".join([
        seg(1, 5000, ACK, ack=7000, win=0),
        seg(0, 7000, ACK | PSH, ack=5000, length=120),
        seg(0, 6880, ACK, ack=5000, length=120),
        seg(1, 5000, ACK, ack=7120, length=1),
        seg(0, 7120, ACK, ack=5001, length=1),
        seg(0, 6000, ACK, ack=5001, length=100)]),
    # Payload bytes from the input, a caplen larger than len (must be clamped).
    "12_payload_from_input": header("last") + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=8, payload=b"GET / HT"),
            seg(0, 9, ACK, ack=1, length=8, payload=b"TP/1.1\r\n"),
            seg(0, 5, ACK, ack=1, length=8, payload=b"XXXXXXXXX", caplen="over"),
            seg(1, 1, ACK, ack=17, length=4, payload=b"HTTP")]),
    # Sign flip at 2^31 and 4-byte seq offsets that jump around the space.
    "13_sign_flip_wide_jumps": header("first", mode0=2, x0=100, mode1=2, x1=0) + b"".join([
        seg(0, 0, ACK, ack=0, length=50),
        seg(0, 0x7FFFFFF0, ACK, ack=0, length=50, wide_seq=True),
        seg(0, 50, ACK, ack=0x80000000, length=50, wide_ack=True),
        seg(1, -200, ACK, ack=100, length=50),
        seg(1, 0xFFFFFF00, ACK, ack=100, length=250, wide_seq=True)]),
    # A hole that is filled later by segments straddling existing chunks (policy last).
    "14_late_fill_last": header("last") + b"".join(
        handshake() + [
            seg(0, 1, ACK, ack=1, length=10),
            seg(0, 21, ACK, ack=1, length=10),
            seg(0, 41, ACK, ack=1, length=10),
            seg(0, 5, ACK, ack=1, length=42, variant=0x10),
            seg(0, 1, FIN | ACK, ack=1, length=60)]),
}


# Minimal reproducers of engine defects found by fuzzing (tests/fuzz/regressions/,
# written with --regressions). See docs/reliability.md for each.
REGRESSIONS = {
    # Data kept below the direction's start: a SYN arrives after data whose seq
    # is below it. start = SYN + 1, so the walk's cursor starts above both
    # chunks: the hole [110, 150) between them is neither kept nor a gap, and
    # the walk stops at 160 although the direction ends at 201.
    "prestart_hole_syn_above_data": header(x0=1000) + b"".join([
        seg(0, 100, ACK, length=10),
        seg(0, 150, ACK, length=10),
        seg(0, 200, SYN)]),
    # A direction whose segments are all RST without ACK: they are kept, but do
    # not count for the lowest seq, so start falls back to the unwrap reference
    # (the highest nxtseq, 160): the hole [110, 150) is not reported.
    "nostart_rst_without_ack_data": header(x0=1000) + b"".join([
        seg(0, 100, RST, length=10),
        seg(0, 150, RST, length=10)]),
    # Lean engine without records (the all-streams summary), policy first:
    # A's bytes are acknowledged, so their payload is dropped; B (a conflicting
    # copy that extends past the ACK) is then kept whole in the payload window,
    # acknowledged head included; C repeats A's bytes exactly. The full engine
    # (and the policy: A's copy is the kept one) says C is a retransmission
    # with 0 conflict bytes; engine_new_lean(first, false) says conflict, 10.
    "lean_norecords_conflict_vs_unkept_copy": header("first", x0=1000, x1=5000) + b"".join([
        seg(0, 0, SYN),
        seg(0, 1, ACK, ack=1, length=10),
        seg(1, 1, ACK, ack=11),
        seg(0, 1, ACK, ack=1, length=20, variant=0x55),
        seg(0, 1, ACK, ack=1, length=10)]),
    # The same through the 4 MiB payload window of a lean engine with records:
    # a segment 4 MiB ahead pushes A out of the window, B is kept whole, C
    # (= A) is classed conflict (10 bytes) instead of retransmission.
    "lean_window_conflict_vs_unkept_copy": header("first", x0=1000, x1=5000) + b"".join([
        seg(0, 0, SYN),
        seg(0, 1, ACK, ack=1, length=10),
        seg(0, (4 << 20) + 15, ACK, ack=1, length=10, wide_seq=True),
        seg(0, 1, ACK, ack=1, length=40, variant=0x55),
        seg(0, 1, ACK, ack=1, length=10)]),
}


def main():
    regressions = "--regressions" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "--regressions"]
    here = os.path.dirname(os.path.abspath(__file__))
    out = args[0] if args else os.path.join(here, "regressions" if regressions else "corpus")
    files = REGRESSIONS if regressions else SEEDS
    os.makedirs(out, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(files)} {'regressions' if regressions else 'seeds'} written to {out}")


if __name__ == "__main__":
    main()
