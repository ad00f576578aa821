#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A slow DHCP server, for the pacing tests and bench/clients.

dhcp-slow-server.py IFACE SERVER_ADDR FIRST LAST --rate N [--rcvbuf BYTES] [--t1 S] [--log FILE]

Serves FIRST..LAST (IPv4, one /24) on IFACE from SERVER_ADDR (router and
DNS option: SERVER_ADDR), lease 120 s, T1 60 s (or S), T2 105 s.  It handles one request at a time and
sleeps 1/N s after each answer: it answers at most N requests a second, as
a small router does; what arrives meanwhile waits in its socket buffer
(SO_RCVBUF BYTES, the kernel doubles it) and is dropped when that is full.
An offered address is kept for its client (no two clients are offered one
address).  Replies are broadcast (the clients set the broadcast flag).

The log has one line per packet: "T rx TYPE XID MAC K" for each request read
(K: when the kernel received it, SO_TIMESTAMPNS, CLOCK_REALTIME seconds),
"T tx TYPE XID MAC ADDR" for each answer, "T drops N" when the kernel's
count of packets dropped on the full socket buffer (SO_RXQ_OVFL) grows; T is
CLOCK_MONOTONIC seconds.  "ready" is logged once the socket is bound.
Stops on SIGTERM.
"""

import argparse
import ipaddress
import signal
import socket
import struct
import sys
import time

SO_RXQ_OVFL = 40
SO_TIMESTAMPNS = 35
SO_BINDTODEVICE = 25
NAMES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
         7: "RELEASE", 8: "INFORM"}


def options(data):
    """The options of a BOOTP message (no overload: our clients do not use it)."""
    opts, i = {}, 240
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(data) or i + 2 + data[i + 1] > len(data):
            raise ValueError("option runs past the end")
        opts[code] = data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return opts


def reply(req, mtype, yiaddr, server, t1):
    """An OFFER, ACK or NAK to REQ."""
    xid, flags, ciaddr, chaddr = req["xid"], req["flags"], req["ciaddr"], req["chaddr"]
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, xid, 0, flags, ciaddr,
                      yiaddr, b"\0" * 4, b"\0" * 4, chaddr, b"\0" * 64, b"\0" * 128)
    srv = server.packed
    opts = bytes([53, 1, mtype, 54, 4]) + srv
    if mtype != 6:
        mask = ipaddress.IPv4Address("255.255.255.0").packed
        opts += bytes([51, 4]) + struct.pack("!I", 120)
        opts += bytes([58, 4]) + struct.pack("!I", t1)
        opts += bytes([59, 4]) + struct.pack("!I", 105)
        opts += bytes([1, 4]) + mask + bytes([3, 4]) + srv + bytes([6, 4]) + srv
    else:
        msg = b"address not offered"
        opts += bytes([56, len(msg)]) + msg
    pkt = hdr + b"\x63\x82\x53\x63" + opts + b"\xff"
    return pkt + b"\0" * max(0, 300 - len(pkt))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("server")
    ap.add_argument("first")
    ap.add_argument("last")
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--rcvbuf", type=int, default=0)
    ap.add_argument("--t1", type=int, default=60)
    ap.add_argument("--log", default="-")
    a = ap.parse_args()
    server = ipaddress.IPv4Address(a.server)
    pool = [ipaddress.IPv4Address(i) for i in
            range(int(ipaddress.IPv4Address(a.first)), int(ipaddress.IPv4Address(a.last)) + 1)]
    given = {}                   # MAC -> address (offered or leased)
    taken = set()
    log = sys.stdout if a.log == "-" else open(a.log, "a", buffering=1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, a.iface.encode() + b"\0")
    s.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    if a.rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    s.bind(("", 67))
    print(f"{time.monotonic():.6f} ready", file=log)
    drops = 0
    while True:
        data, anc, _, _ = s.recvmsg(1500, socket.CMSG_SPACE(4) + socket.CMSG_SPACE(16))
        kt = 0.0
        for level, kind, val in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(val) >= 16:
                sec, nsec = struct.unpack("qq", val[:16])
                kt = sec + nsec / 1e9
            if level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL and len(val) >= 4:
                n = struct.unpack("I", val[:4])[0]
                if n != drops:
                    drops = n
                    print(f"{time.monotonic():.6f} drops {drops}", file=log)
        try:
            if len(data) < 240 or data[0] != 1 or data[236:240] != b"\x63\x82\x53\x63":
                continue
            op = options(data)
            mtype = op.get(53, b"\0")[0]
        except (ValueError, IndexError):
            continue
        xid, _, flags = struct.unpack("!IHH", data[4:12])
        req = {"xid": xid, "flags": flags, "ciaddr": data[12:16], "chaddr": data[28:44]}
        mac = data[28:34].hex(":")
        print(f"{time.monotonic():.6f} rx {NAMES.get(mtype, mtype)} {xid} {mac} {kt:.6f}",
              file=log)
        answer = None
        if mtype == 1:                                   # DISCOVER
            addr = given.get(mac)
            if addr is None:
                free = [p for p in pool if p not in taken]
                if not free:
                    continue
                addr = given[mac] = free[0]
                taken.add(addr)
            answer = (2, addr)
        elif mtype == 3:                                 # REQUEST
            sid = op.get(54)
            if sid is not None and sid != server.packed:
                continue                                 # another server's
            want = op.get(50) or data[12:16]
            addr = given.get(mac)
            if addr is not None and addr.packed == want:
                answer = (5, addr)
            else:
                answer = (6, ipaddress.IPv4Address(0))
        elif mtype == 7:                                 # RELEASE
            addr = given.pop(mac, None)
            if addr is not None:
                taken.discard(addr)
            continue
        if answer is None:
            continue
        # a renewal is unicast from the client's address: answered to it
        to = "255.255.255.255" if data[12:16] == b"\0" * 4 else str(ipaddress.IPv4Address(data[12:16]))
        s.sendto(reply(req, answer[0], answer[1].packed, server, a.t1), (to, 68))
        print(f"{time.monotonic():.6f} tx {NAMES[answer[0]]} {xid} {mac} {answer[1]}", file=log)
        time.sleep(1 / a.rate)


if __name__ == "__main__":
    main()
