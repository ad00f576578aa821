#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Small JSON helpers for the integration tests.  Each reads one JSON document
(`ip -j ...`, `tc -j ...`, `netnsctl ... --json`) on stdin.

  get PATH [DEFAULT]   print the value at PATH ("0.linkinfo.info_kind");
                       lists of scalars space-separated; exit 1 when missing
                       and no DEFAULT
  addrs                from `ip -j addr`: "LOCAL/PREFIXLEN" of every address
                       that is not link-local, sorted, one a line
  settled              from `ip -j addr` of one namespace: exit 0 when
                       nothing in it is still changing on its own (operstate
                       caught up with the flags, no address doing DAD);
                       otherwise say what and exit 1
  normalize            the document with sorted keys, counters dropped,
                       one key a line (for diffing two dumps)
  contains STRING      exit 0 when STRING is a key or a string value anywhere
  number N             exit 0 when the integer N is a value anywhere
  valid                exit 0 when stdin is JSON at all
  pair NS_A IF_A NS_B IF_B [ADDRS_A ADDRS_B]
                       stdin, one JSON document a line: `ip -d -j link show
                       dev IF_A` in NS_A, the same for IF_B in NS_B, `ip -j
                       netns list-id` in NS_A, then with ADDRS: `ip -j addr
                       show dev IF_A` in NS_A, the same for IF_B, `ip -j link
                       show dev lo` in NS_A and in NS_B.  Exit 0 when IF_A
                       and IF_B are the two ends of one veth, both up, and
                       with ADDRS (space-separated "LOCAL/LEN", not counting
                       link-local ones) the addresses are exactly those and
                       lo is up on both sides; else say what is wrong, exit 1
  stream               a snapshot: lines that hold JSON are normalized, others
                       copied; the JSON after a line "# addr ..." must be
                       settled, else say what is not and exit 3
"""

import json
import sys

VOLATILE = {"stats", "stats64"}


def walk(doc):
    yield doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield k
            yield from walk(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from walk(v)


def get(doc, path):
    for part in path.split("."):
        if part == "":
            continue
        if isinstance(doc, list):
            doc = doc[int(part)]
        else:
            doc = doc[part]
    return doc


def show(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, list) and all(not isinstance(x, (list, dict)) for x in v):
        return " ".join(show(x) for x in v)
    if isinstance(v, (list, dict)):
        return json.dumps(v, sort_keys=True)
    return str(v)


def settled(doc):
    for link in doc:
        name = link.get("ifname", "?")
        flags = link.get("flags", [])
        oper = link.get("operstate", "UNKNOWN")
        if "UP" not in flags:
            if oper not in ("DOWN", "UNKNOWN"):
                return f"{name} is down but operstate {oper}"
        elif "LOWER_UP" in flags:
            if oper not in ("UP", "UNKNOWN"):
                return f"{name} has carrier but operstate {oper}"
        elif oper == "UP":
            return f"{name} has no carrier but operstate UP"
        for a in link.get("addr_info", []):
            if a.get("tentative") and not a.get("dadfailed"):
                return f"{name} address {a.get('local')} is tentative"
    return None


def strip(doc):
    if isinstance(doc, dict):
        # a bridge's and its ports' running timers change by themselves
        return {k: strip(v) for k, v in doc.items()
                if k not in VOLATILE and not k.endswith("_timer")}
    if isinstance(doc, list):
        return [strip(v) for v in doc]
    return doc


def stream(lines):
    check = False
    for line in lines:
        line = line.rstrip("\n")
        if line[:1] in ("[", "{"):
            doc = json.loads(line)
            if check:
                why = settled(doc)
                if why:
                    print(f"ipjson: not settled: {why}", file=sys.stderr)
                    return 3
            print(json.dumps(strip(doc), sort_keys=True, indent=1))
            check = False
        else:
            print(line)
            check = line.startswith("# addr ")
    return 0


def addr_list(doc):
    return sorted(f"{a['local']}/{a['prefixlen']}"
                  for link in doc for a in link.get("addr_info", [])
                  if a.get("scope") != "link")


def pair(args, lines):
    ns_a, if_a, ns_b, if_b = args[:4]
    docs = [json.loads(line) if line.strip() else [] for line in lines]
    need = 7 if len(args) > 4 else 3
    if len(docs) < need:
        return f"missing dumps ({len(docs)} of {need})"
    a, b, ids = docs[0], docs[1], docs[2]
    if not a:
        return f"no {if_a} in {ns_a}"
    if not b:
        return f"no {if_b} in {ns_b}"
    a, b = a[0], b[0]
    for ns, ifn, link in ((ns_a, if_a, a), (ns_b, if_b, b)):
        kind = link.get("linkinfo", {}).get("info_kind")
        if kind != "veth":
            return f"{ifn} in {ns} is not a veth (kind {kind or 'none'})"
        if "UP" not in link.get("flags", []):
            return f"{ifn} in {ns} is down"
    if a.get("link_index") != b.get("ifindex"):
        return (f"the peer of {if_a} in {ns_a} has ifindex {a.get('link_index')}, "
                f"{if_b} in {ns_b} has {b.get('ifindex')}")
    nsid = a.get("link_netnsid")
    if nsid is None:
        return f"the peer of {if_a} in {ns_a} is in {ns_a} itself"
    names = [x.get("name") for x in ids if x.get("nsid") == nsid]
    if names != [ns_b]:
        return f"the peer of {if_a} in {ns_a} is in namespace {names or nsid}, not {ns_b}"
    if len(args) > 4:
        for ns, ifn, want, doc in ((ns_a, if_a, args[4], docs[3]),
                                   (ns_b, if_b, args[5], docs[4])):
            got = " ".join(addr_list(doc))
            if got != " ".join(sorted(want.split())):
                return f"addresses of {ifn} in {ns}: got \"{got}\", expected \"{want}\""
        for ns, doc in ((ns_a, docs[5]), (ns_b, docs[6])):
            if not doc or "UP" not in doc[0].get("flags", []):
                return f"lo in {ns} is down"
    return None


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "stream":
        return stream(sys.stdin)
    if cmd == "pair":
        why = pair(argv[2:], sys.stdin.read().splitlines())
        if why:
            print(why)
            return 1
        return 0
    text = sys.stdin.read()
    try:
        doc = json.loads(text) if text.strip() else []
    except ValueError as err:
        print(f"ipjson: not JSON: {err}", file=sys.stderr)
        return 1
    if cmd == "valid":
        return 0 if text.strip() else 1
    if cmd == "get":
        try:
            print(show(get(doc, argv[2])))
        except (KeyError, IndexError, ValueError, TypeError):
            if len(argv) > 3:
                print(argv[3])
                return 0
            return 1
        return 0
    if cmd == "addrs":
        for line in addr_list(doc):
            print(line)
        return 0
    if cmd == "settled":
        why = settled(doc)
        if why:
            print(why)
            return 1
        return 0
    if cmd == "normalize":
        print(json.dumps(strip(doc), sort_keys=True, indent=1))
        return 0
    if cmd == "contains":
        return 0 if any(isinstance(x, str) and x == argv[2] for x in walk(doc)) else 1
    if cmd == "number":
        n = int(argv[2])
        return 0 if any(type(x) is int and x == n for x in walk(doc)) else 1
    print(f"ipjson: unknown command {cmd!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
