#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python peers of the benchmark, run by bench/case inside its sandbox.

  peers.py pyroute2-star-up N     the star lab with pyroute2, the usual way:
  peers.py pyroute2-star-down N   IPRoute here, netns.create/remove, and a
                                  NetNS (pyroute2's helper process) per node
  peers.py pyroute2-tbf N RATE    root tbf on v-n1..v-nN, one IPRoute
  peers.py mininet-star N         Mininet's SingleSwitchTopo(N) on a Linux
                                  bridge, no controller: build, ping, stop;
                                  prints "build S", "teardown S", "verify ok"

The same lab as bench/floor.c: bridge br0 (Mininet: s1) here, n1..nN with
eth0 10.77.I/16, the host ends v-nI on the bridge, everything up.
"""
import resource
import sys
import time


def addr_of(i):
    return "10.77.%d.%d" % (i >> 8, i & 255)


def pyroute2_star_up(n):
    from pyroute2 import IPRoute, NetNS, netns

    with IPRoute() as ipr:
        ipr.link("add", ifname="br0", kind="bridge")
        br = ipr.link_lookup(ifname="br0")[0]
        ipr.link("set", index=br, state="up")
        for i in range(1, n + 1):
            name = "n%d" % i
            netns.create(name)
            ipr.link("add", ifname="v-" + name, kind="veth",
                     peer={"ifname": "eth0", "net_ns_fd": name})
            idx = ipr.link_lookup(ifname="v-" + name)[0]
            ipr.link("set", index=idx, master=br, state="up")
            ns = NetNS(name)
            try:
                lo = ns.link_lookup(ifname="lo")[0]
                ns.link("set", index=lo, state="up")
                eth = ns.link_lookup(ifname="eth0")[0]
                ns.addr("add", index=eth, address=addr_of(i), prefixlen=16)
                ns.link("set", index=eth, state="up")
            finally:
                ns.close()


def pyroute2_star_down(n):
    from pyroute2 import IPRoute, netns

    for i in range(1, n + 1):
        netns.remove("n%d" % i)
    with IPRoute() as ipr:
        ipr.link("del", index=ipr.link_lookup(ifname="br0")[0])


def pyroute2_tbf(n, rate):
    from pyroute2 import IPRoute

    with IPRoute() as ipr:
        for i in range(1, n + 1):
            idx = ipr.link_lookup(ifname="v-n%d" % i)[0]
            ipr.tc("replace", "tbf", idx, 0, rate="%dbit" % (rate * 8),
                   burst=32768, limit=32768)


def mininet_star(n):
    from mininet.log import setLogLevel
    from mininet.net import Mininet
    from mininet.nodelib import LinuxBridge
    from mininet.topo import SingleSwitchTopo

    setLogLevel("warning")
    # Mininet.init() would raise fs.file-max and kernel.pty.max, which are
    # the host's, not the sandbox's: skip it and raise only our own limits.
    Mininet.inited = True
    for lim in (resource.RLIMIT_NOFILE, resource.RLIMIT_NPROC):
        hard = resource.getrlimit(lim)[1]
        want = 16384 if hard == resource.RLIM_INFINITY else min(16384, hard)
        resource.setrlimit(lim, (want, hard))

    t0 = time.monotonic()
    net = Mininet(topo=SingleSwitchTopo(k=n), switch=LinuxBridge,
                  controller=None, ipBase="10.77.0.0/16", waitConnected=False)
    net.start()
    t1 = time.monotonic()
    hosts = net.hosts
    ok = True
    for a, b in ((hosts[0], hosts[-1]), (hosts[-1], hosts[0]),
                 (hosts[len(hosts) // 2], hosts[-1])):
        out = a.cmd("ping -c 1 -W 2 %s" % b.IP())
        ok = ok and " 0% packet loss" in out
    t2 = time.monotonic()
    net.stop()
    t3 = time.monotonic()
    print("build %.4f" % (t1 - t0))
    print("teardown %.4f" % (t3 - t2))
    print("verify %s" % ("ok" if ok else "failed"))
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("rss %d" % ru)
    return 0 if ok else 1


def main(argv):
    what, n = argv[1], int(argv[2])
    if what == "pyroute2-star-up":
        pyroute2_star_up(n)
    elif what == "pyroute2-star-down":
        pyroute2_star_down(n)
    elif what == "pyroute2-tbf":
        pyroute2_tbf(n, int(argv[3]))
    elif what == "mininet-star":
        return mininet_star(n)
    else:
        print("peers.py: unknown \"%s\"" % what, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
