#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""udp-probe.py RUN_DIR NS_A ADDR_A NS_B ADDR_B: one process that sends and
receives UDP between two network namespaces, for the fidelity tests.

It opens its sockets in NS_A and NS_B itself (setns(2) on RUN_DIR/NS), so
both ends read one clock: a packet's one-way delay is the kernel's receive
time of it (SO_TIMESTAMPNS: when the receiving namespace's stack got it,
after every qdisc, also after an ifb, which takes it in anew) minus the send
time it carries, CLOCK_REALTIME taken before sendto: never below the real
delay, and not moved by a receiver that the UML schedules late.
One python3 start serves a whole test: it reads commands on stdin, one a
line, and answers each with one line on stdout:

  loss PORT_X PORT_Y N      N datagrams A -> ADDR_B:PORT_X and N to PORT_Y,
                            interleaved, in bursts that the queues hold;
                            answers "LOST_X LOST_Y" (distinct sequence
                            numbers that did not arrive).
  oneway N GAP_MS PORT      N probes A -> ADDR_B:PORT and N B -> ADDR_A:PORT,
                            one each way every GAP_MS; answers
                            "N_AB MIN_AB MEDIAN_AB N_BA MIN_BA MEDIAN_BA" (ms).
  rate ab|ba SIZE MBIT SECONDS PORT CAP_MS
                            a stream of SIZE-byte datagrams for SECONDS,
                            paced at MBIT Mbit/s of Ethernet frames (SIZE +
                            42 bytes: UDP, IPv4, Ethernet headers, what tbf
                            meters); answers "SENT GOT MBIT SPAN_MBIT
                            LONGEST_GAP_MS SENT_MBIT", SENT_MBIT the rate
                            the sender reached, the others over the arrivals from 100 ms
                            after the first (past the tbf's burst) to the
                            last: SPAN_MBIT the frames over that span, MBIT
                            the frames over the gaps between arrivals, each
                            counted at most CAP_MS (the tbf's bucket fill
                            time: what a longer pause can earn it).
"""

import ctypes
import os
import select
import socket
import statistics
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
SO_RCVBUFFORCE = 33
SO_TIMESTAMPNS = 35  # also SCM_TIMESTAMPNS
TIMESPEC = struct.Struct("=qq")
L2_OVERHEAD = 8 + 20 + 14
HDR = struct.Struct("!IQ")  # sequence number, send time (ns)

libc = ctypes.CDLL(None, use_errno=True)


def die(msg):
    print(f"udp-probe: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


class Ns:
    def __init__(self, run_dir, name, addr):
        self.name, self.addr = name, addr
        self.fd = os.open(os.path.join(run_dir, name), os.O_RDONLY | os.O_CLOEXEC)

    def udp(self, port=None):
        """A UDP socket in this namespace (bound to PORT when given)."""
        if libc.setns(self.fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            die(f"setns to {self.name}: {os.strerror(e)}")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # Room for every datagram of a burst (SO_RCVBUFFORCE: root).
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        # The kernel's receive time of each datagram, so that a receiver
        # the UML schedules late does not move arrivals.
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        if port is not None:
            s.bind(("0.0.0.0", port))
        s.setblocking(False)
        return s


def now():
    return time.time_ns()


def drain(socks, got, until_idle_ns, deadline_ns):
    """Receive into got[sock] (lists of (seq, sent, received, size)) until
    nothing came for until_idle_ns or deadline_ns passed."""
    last = now()
    while True:
        t = now()
        if t - last >= until_idle_ns or t >= deadline_ns:
            return
        r, _, _ = select.select(socks, [], [], min(until_idle_ns - (t - last), deadline_ns - t) / 1e9)
        for s in r:
            while True:
                try:
                    data, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(TIMESPEC.size))
                except BlockingIOError:
                    break
                t = None
                for level, kind, val in anc:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                        sec, nsec = TIMESPEC.unpack_from(val)
                        t = sec * 1_000_000_000 + nsec
                if t is None:
                    die("a datagram without its receive time (SCM_TIMESTAMPNS)")
                seq, sent = HDR.unpack_from(data)
                got[s].append((seq, sent, t, len(data)))
                last = now()


def cmd_loss(a, b, port_x, port_y, n):
    rx = [b.udp(port_x), b.udp(port_y)]
    tx = a.udp()
    got = {s: [] for s in rx}
    burst = 50
    pad = bytes(64)
    for i in range(0, n, burst):
        for seq in range(i, min(i + burst, n)):
            for port in (port_x, port_y):
                tx.sendto(HDR.pack(seq, now()) + pad, (b.addr, port))
        drain(rx, got, 2_000_000, now() + 200_000_000)
    drain(rx, got, 200_000_000, now() + 2_000_000_000)
    lost = [n - len({g[0] for g in got[s]}) for s in rx]
    for s in rx + [tx]:
        s.close()
    return f"{lost[0]} {lost[1]}"


def cmd_oneway(a, b, n, gap_ms, port):
    ra, rb = a.udp(port), b.udp(port)
    ta, tb = a.udp(), b.udp()
    got = {ra: [], rb: []}
    gap = int(gap_ms * 1e6)
    start = now()
    for seq in range(n):
        while now() < start + seq * gap:
            drain([ra, rb], got, start + seq * gap - now(), start + seq * gap)
        ta.sendto(HDR.pack(seq, now()), (b.addr, port))
        tb.sendto(HDR.pack(seq, now()), (a.addr, port))
    drain([ra, rb], got, 200_000_000, now() + 3_000_000_000)
    out = []
    for s in (rb, ra):  # A -> B arrives at B's socket
        d = [(g[2] - g[1]) / 1e6 for g in got[s]]
        out += [len(d), min(d, default=0), statistics.median(d) if d else 0]
    for s in (ra, rb, ta, tb):
        s.close()
    return " ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in out)


def cmd_rate(a, b, way, size, mbit, seconds, port, cap_ms):
    src, dst = (a, b) if way == "ab" else (b, a)
    rx, tx = dst.udp(port), src.udp()
    got = {rx: []}
    gap = int((size + L2_OVERHEAD) * 8 / (mbit * 1e6) * 1e9)
    pad = bytes(size - HDR.size)
    start = now()
    end = start + int(seconds * 1e9)
    seq = 0
    first_sent = last_sent = start
    while now() < end:
        # Catch up on the schedule: a late wake-up sends what was due
        # (up to the end, however long the wake-up took).
        while start + seq * gap <= min(now(), end):
            last_sent = now()
            if seq == 0:
                first_sent = last_sent
            tx.sendto(HDR.pack(seq, last_sent) + pad, (dst.addr, port))
            seq += 1
        drain([rx], got, start + seq * gap - now(), start + seq * gap)
    drain([rx], got, 300_000_000, now() + 3_000_000_000)
    arr = sorted(g[2] for g in got[rx])
    span_rate = rate = 0.0
    longest = 0
    cap = int(cap_ms * 1e6)
    if len(arr) > 2:
        first = next((i for i, t in enumerate(arr) if t >= arr[0] + 100_000_000), len(arr) - 1)
        frames = (len(arr) - 1 - first) * (size + L2_OVERHEAD) * 8
        gaps = [arr[i] - arr[i - 1] for i in range(first + 1, len(arr))]
        if gaps and arr[-1] > arr[first]:
            span_rate = frames / ((arr[-1] - arr[first]) / 1e9) / 1e6
            longest = max(gaps)
            # A gap longer than the bucket's fill time (the UML not run by
            # a busy host, or the sender's queue run dry) earned the tbf no
            # more than a full bucket, which it then sends at once: it
            # counts as that fill time.
            rate = frames / (sum(min(g, cap) for g in gaps) / 1e9) / 1e6
    # What the sender reached: a UML that a busy host runs slowly sends
    # slower than it was asked to, and a tbf it does not keep busy is not
    # measured.
    send_rate = 0.0
    if seq > 1 and last_sent > first_sent:
        send_rate = (seq - 1) * (size + L2_OVERHEAD) * 8 / ((last_sent - first_sent) / 1e9) / 1e6
    rx.close()
    tx.close()
    return f"{seq} {len(arr)} {rate:.3f} {span_rate:.3f} {longest / 1e6:.1f} {send_rate:.3f}"


def main():
    if len(sys.argv) != 6:
        die("usage: udp-probe.py RUN_DIR NS_A ADDR_A NS_B ADDR_B")
    run_dir = sys.argv[1]
    a = Ns(run_dir, sys.argv[2], sys.argv[3])
    b = Ns(run_dir, sys.argv[4], sys.argv[5])
    print("ready", flush=True)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        try:
            if w[0] == "loss" and len(w) == 4:
                r = cmd_loss(a, b, int(w[1]), int(w[2]), int(w[3]))
            elif w[0] == "oneway" and len(w) == 4:
                r = cmd_oneway(a, b, int(w[1]), float(w[2]), int(w[3]))
            elif w[0] == "rate" and len(w) == 7 and w[1] in ("ab", "ba"):
                r = cmd_rate(a, b, w[1], int(w[2]), float(w[3]), float(w[4]), int(w[5]),
                             float(w[6]))
            else:
                die(f"bad command: {line.strip()}")
        except OSError as e:
            die(f"{w[0]}: {e}")
        print(r, flush=True)


if __name__ == "__main__":
    main()
