#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A scripted DHCP server for the clients tests: answers what a test tells it to.

dnsmasq cannot hand out what these tests need: a lease under 2 minutes,
T1 = T2 = 0, a router outside the subnet, DNS servers 0.0.0.0 or
127.0.0.1 (dnsmasq reads 0.0.0.0 as "my own address").  This one offers
addresses FIRST..LAST of the server's /24 in order of first DISCOVER, ACKs
every REQUEST for the address it gave that MAC, and logs one line per
message it gets ("REQUEST 02:.. ciaddr 10.77.1.100 dst unicast").

    dhcpd.py IFNAME SERVER FIRST LAST LOG [--lease S] [--t1 S] [--t2 S]
             [--router A] [--dns A,B] [--nak TEXT] [--seconds N]

Run it inside the server's namespace.  It stops by itself after --seconds
(default 120): a test that dies cannot leave it running for long.
"""

import argparse
import ipaddress
import select
import signal
import socket
import struct
import sys
import time

COOKIE = b"\x63\x82\x53\x63"
NAMES = {1: "DISCOVER", 3: "REQUEST", 4: "DECLINE", 7: "RELEASE", 8: "INFORM"}


def options(data):
    out, i = {}, 0
    while i < len(data):
        code = data[i]
        if code == 0:
            i += 1
            continue
        if code == 255 or i + 1 >= len(data):
            break
        n = data[i + 1]
        out[code] = data[i + 2:i + 2 + n]
        i += 2 + n
    return out


def opt(code, value):
    return bytes([code, len(value)]) + value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ifname")
    ap.add_argument("server")
    ap.add_argument("first", type=int)
    ap.add_argument("last", type=int)
    ap.add_argument("log")
    ap.add_argument("--lease", type=int, default=120)
    ap.add_argument("--t1", type=int)
    ap.add_argument("--t2", type=int)
    ap.add_argument("--router")
    ap.add_argument("--dns", default="")
    ap.add_argument("--nak", help="answer every REQUEST with a DHCPNAK saying this")
    ap.add_argument("--seconds", type=float, default=120)
    a = ap.parse_args()
    # stopped by lan_down as dnsmasq is: a clean exit
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    server = ipaddress.IPv4Address(a.server)
    net = ipaddress.IPv4Network(f"{a.server}/24", strict=False)
    pool = [net.network_address + k for k in range(a.first, a.last + 1)]
    given = {}
    log = open(a.log, "a", buffering=1)

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.ifname.encode() + b"\0")
    s.bind(("0.0.0.0", 67))
    log.write("ready\n")

    end = time.monotonic() + a.seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        if not select.select([s], [], [], left)[0]:
            continue
        pkt, src = s.recvfrom(2048)
        if len(pkt) < 240 or pkt[0] != 1 or pkt[236:240] != COOKIE:
            continue
        xid = pkt[4:8]
        flags = pkt[10:12]
        ciaddr = ipaddress.IPv4Address(pkt[12:16])
        chaddr = pkt[28:34]
        mac = ":".join(f"{b:02x}" for b in chaddr)
        o = options(pkt[240:])
        kind = o.get(53, b"\0")[0]
        log.write(f"{NAMES.get(kind, kind)} {mac} ciaddr {ciaddr} from {src[0]} "
                  f"t {time.monotonic():.3f}\n")
        if kind not in (1, 3):
            continue
        if mac not in given:
            if len(given) == len(pool):
                continue
            given[mac] = pool[len(given)]
        yiaddr = given[mac]
        reply_type = 2 if kind == 1 else 6 if a.nak is not None else 5
        body = bytearray(236)
        body[0:4] = bytes([2, 1, 6, 0])
        body[4:8] = xid
        body[10:12] = flags
        body[12:16] = pkt[12:16]
        body[16:20] = yiaddr.packed
        body[20:24] = server.packed
        body[28:44] = pkt[28:44]
        opts = opt(53, bytes([reply_type])) + opt(54, server.packed)
        if reply_type == 6:
            body[16:20] = bytes(4)
            msg = bytes(body) + COOKIE + opts + opt(56, a.nak.encode()) + b"\xff"
            s.sendto(msg + bytes(max(0, 300 - len(msg))), ("255.255.255.255", 68))
            continue
        opts += opt(51, struct.pack("!I", a.lease))
        if a.t1 is not None:
            opts += opt(58, struct.pack("!I", a.t1))
        if a.t2 is not None:
            opts += opt(59, struct.pack("!I", a.t2))
        opts += opt(1, net.netmask.packed)
        if a.router:
            opts += opt(3, ipaddress.IPv4Address(a.router).packed)
        if a.dns:
            opts += opt(6, b"".join(ipaddress.IPv4Address(d).packed for d in a.dns.split(",")))
        msg = bytes(body) + COOKIE + opts + b"\xff"
        msg += bytes(max(0, 300 - len(msg)))
        s.sendto(msg, ("255.255.255.255", 68))
    return 0


if __name__ == "__main__":
    sys.exit(main())
