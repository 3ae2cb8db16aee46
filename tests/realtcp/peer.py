#!/usr/bin/env python3
"""The two ends of one real Linux TCP connection, run inside the test's network
namespaces with `ip netns exec` (see test_realtcp.py).

  peer.py recv PORT RCVBUF MODE ...   listen, accept one connection, read it to EOF
  peer.py send ADDR PORT TRUTH BURST... connect, write, record the kernel's accounting

Each prints one JSON line per event on stdout ({"event": "listening"}, ...), which
the test waits for. Byte i of the stream is i % 256, so the receiver can prove it got
every byte in order (sha256).

SPDX-License-Identifier: GPL-2.0-or-later
"""
import fcntl
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import termios
import time

PATTERN = bytes(range(256)) * 257  # byte i of every stream is i % 256


def payload(start, size):
    """Bytes start .. start + size of the stream, in pieces of 64 KiB."""
    end = start + size
    while start < end:
        n = min(65536, end - start)
        yield PATTERN[start % 256:start % 256 + n]
        start += n


def expected_digest(total):
    h = hashlib.sha256()
    for piece in payload(0, total):
        h.update(piece)
    return h.hexdigest()


def say(event, **fields):
    """One event for the test, stamped with the wall clock (the captures' clock)."""
    print(json.dumps(dict(event=event, time=time.time(), **fields)), flush=True)


# struct tcp_info (include/uapi/linux/tcp.h): the fields up to tcpi_snd_wnd have been
# there since Linux 5.4; tcpi_rcv_wnd, tcpi_rehash and the RTO totals came in 6.2-6.7
# and are read only when the kernel returns that much.
TCP_INFO_FIELDS = [
    ("B", "state"), ("B", "ca_state"), ("B", "retransmits"), ("B", "probes"), ("B", "backoff"),
    ("B", "options"), ("B", "wscale"), ("B", "app_limited"),
    ("I", "rto"), ("I", "ato"), ("I", "snd_mss"), ("I", "rcv_mss"),
    ("I", "unacked"), ("I", "sacked"), ("I", "lost"), ("I", "retrans"), ("I", "fackets"),
    ("I", "last_data_sent"), ("I", "last_ack_sent"), ("I", "last_data_recv"), ("I", "last_ack_recv"),
    ("I", "pmtu"), ("I", "rcv_ssthresh"), ("I", "rtt"), ("I", "rttvar"), ("I", "snd_ssthresh"),
    ("I", "snd_cwnd"), ("I", "advmss"), ("I", "reordering"), ("I", "rcv_rtt"), ("I", "rcv_space"),
    ("I", "total_retrans"), ("Q", "pacing_rate"), ("Q", "max_pacing_rate"), ("Q", "bytes_acked"),
    ("Q", "bytes_received"), ("I", "segs_out"), ("I", "segs_in"), ("I", "notsent_bytes"),
    ("I", "min_rtt"), ("I", "data_segs_in"), ("I", "data_segs_out"), ("Q", "delivery_rate"),
    ("Q", "busy_time"), ("Q", "rwnd_limited"), ("Q", "sndbuf_limited"), ("I", "delivered"),
    ("I", "delivered_ce"), ("Q", "bytes_sent"), ("Q", "bytes_retrans"), ("I", "dsack_dups"),
    ("I", "reord_seen"), ("I", "rcv_ooopack"), ("I", "snd_wnd"),
    ("I", "rcv_wnd"), ("I", "rehash"), ("H", "total_rto"), ("H", "total_rto_recoveries"),
    ("I", "total_rto_time"),
]


def tcp_info(sock):
    raw = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 512)
    info, fmt = {}, "="
    for code, name in TCP_INFO_FIELDS:
        if struct.calcsize(fmt + code) > len(raw):
            break
        fmt += code
    for (_, name), value in zip(TCP_INFO_FIELDS, struct.unpack_from(fmt, raw)):
        info[name] = value
    return info


def unacked_bytes(sock):
    """SIOCOUTQ on TCP: bytes written and not yet acknowledged (write_seq - snd_una)."""
    buf = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    return struct.unpack("i", buf)[0]


def wait_all_acked(sock, timeout=60):
    deadline = time.monotonic() + timeout
    while unacked_bytes(sock):
        if time.monotonic() > deadline:
            raise SystemExit("sender: data still unacknowledged after %d s" % timeout)
        time.sleep(0.001)


def nstat():
    """The namespace's own TCP MIB counters (absolute, zeros included), history untouched."""
    out = subprocess.run(["nstat", "-asz", "--json"], capture_output=True, text=True, check=True,
                         env=dict(os.environ, NSTAT_HISTORY="/dev/null")).stdout
    return json.loads(out)["kernel"]


def ss_line(sock):
    """What `ss -tin` prints for this socket (the same tcp_info, for people reading the JSON)."""
    local = "%s:%d" % sock.getsockname()
    out = subprocess.run(["ss", "-tinH", "src", local], capture_output=True, text=True).stdout
    return " ".join(out.split())


def send(addr, port, truth_path, bursts):
    """bursts: [(bytes, pause after it once all of it is acknowledged), ...]."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Cubic, not the host's default: the classic loss behaviour (fast retransmit on
    # SACK/dupacks, RTO backoff) that the scenarios are about, whatever the host runs.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"cubic")
    sock.connect((addr, port))
    say("connected")
    total = 0
    for size, pause in bursts:
        for piece in payload(total, size):
            sock.sendall(piece)
        total += size
        if pause:
            wait_all_acked(sock)
            say("burst-acked", bytes=total)
            time.sleep(pause)
    wait_all_acked(sock)
    say("all-acked")
    # The kernel's figures for the data, before the FIN adds its own busy time.
    truth = {"tcp_info": tcp_info(sock), "ss": ss_line(sock), "nstat": nstat(), "bytes": total}
    say("fin")
    sock.shutdown(socket.SHUT_WR)
    wait_all_acked(sock)  # the FIN counts in SIOCOUTQ until acknowledged
    truth["tcp_info_after_fin"] = tcp_info(sock)
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1)
    while sock.recv(65536):
        pass
    sock.close()
    say("done", bytes=total)


def recv(port, rcvbuf, mode, args):
    """mode: drain (read as fast as possible), pause AFTER SECONDS (stop reading for a
    while once AFTER bytes arrived), steady CHUNK INTERVAL (read CHUNK bytes every
    INTERVAL seconds: a slow reader that keeps the window small)."""
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        # Set before listen: the accepted socket inherits it, and the window scale
        # offered in the SYN-ACK is chosen from it.
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    lsock.bind(("0.0.0.0", port))
    lsock.listen(1)
    say("listening")
    sock, _ = lsock.accept()
    lsock.close()
    h, got = hashlib.sha256(), 0
    paused = mode != "pause"
    chunk = int(args[0]) if mode == "steady" else 1 << 20
    while True:
        data = sock.recv(chunk)
        if not data:
            break
        h.update(data)
        got += len(data)
        if not paused and got >= int(args[0]):
            paused = True
            say("pausing", bytes=got)
            time.sleep(float(args[1]))
            say("resuming")
        if mode == "steady":
            time.sleep(float(args[1]))
    truth = {"nstat": nstat()}
    sock.close()
    say("eof", bytes=got, sha256=h.hexdigest(), **truth)


def main(argv):
    if argv[0] == "send":
        pairs = [float(x) for x in argv[4:]]
        bursts = [(int(pairs[i]), pairs[i + 1]) for i in range(0, len(pairs), 2)]
        send(argv[1], int(argv[2]), argv[3], bursts)
    elif argv[0] == "recv":
        recv(int(argv[1]), int(argv[2]), argv[3], argv[4:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
