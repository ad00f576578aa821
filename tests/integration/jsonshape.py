#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check a netnsctl JSON document against its shape in docs/json.md.

jsonshape.py SHAPE < DOCUMENT     (SHAPE: create-clients, exec-all, list-clients)

Exits 1 naming the first path that differs: a key missing or unknown, a
value of the wrong type, a number out of range.  The shapes here and the
tables in docs/json.md describe the same thing: change both.
"""

import json
import sys

INT = ("int",)
NUM = ("num",)            # int or float, >= 0
STR = ("str",)
BOOL = ("bool",)
TIME = ("time",)          # "YYYY-MM-DDTHH:MM:SSZ"


def opt(t):
    return ("null", t)


def arr(t):
    return ("arr", t)


FIGURES_LEASED = {"leased": BOOL, "discover_offer_ms": NUM, "request_ack_ms": NUM,
                  "total_ms": NUM, "retransmissions": INT, "naks": INT}
FIGURES_UNLEASED = {"leased": BOOL, "why": STR, "retransmissions": INT, "naks": INT}

CLIENT = {
    "name": STR, "mac": STR, "address": opt(STR), "gateway": opt(STR), "dns": arr(STR),
    "static": BOOL, "lease_time": opt(INT), "expires": opt(TIME),
    "acquired": opt({"at": TIME, "total_ms": NUM, "retransmissions": INT}),
    "last_renewal": opt({"at": TIME, "latency_ms": NUM, "retransmissions": INT}),
    "renewals": INT, "renewing": opt(BOOL),
}

SHAPES = {
    "list-clients": {"version": INT, "clients": arr(CLIENT)},
    "create-clients": {
        "version": INT, "created": INT, "clients_in_all": INT, "asked": INT, "leased": INT,
        "released": INT,
        "summary": opt({"duration_ms": NUM, "p50_ms": opt(NUM), "p90_ms": opt(NUM),
                        "p99_ms": opt(NUM), "max_ms": opt(NUM), "retransmissions": INT,
                        "naks": INT, "timeouts": INT, "window_peak": INT, "window_end": INT}),
        "clients": arr(("client",)),
        "released_clients": arr({"name": STR, **FIGURES_UNLEASED}),
    },
    "exec-all": {
        "version": INT, "targets": STR, "command": arr(STR), "parallel": INT,
        "timeout_ms": opt(INT), "count": INT, "ran": INT, "ok": INT, "failed": INT,
        "duration_ms": NUM,
        "results": arr({"name": STR, "ran": BOOL, "exit": opt(INT), "signal": opt(INT),
                        "timed_out": BOOL, "duration_ms": NUM, "stdout": STR,
                        "stdout_cut": BOOL, "stderr": STR, "stderr_cut": BOOL}),
    },
}


class Bad(Exception):
    pass


def check(v, t, path):
    if isinstance(t, dict):
        if not isinstance(v, dict):
            raise Bad(f"{path}: not an object")
        for k in t:
            if k not in v:
                raise Bad(f"{path}: no key \"{k}\"")
        for k in v:
            if k not in t:
                raise Bad(f"{path}: unknown key \"{k}\"")
        for k, sub in t.items():
            check(v[k], sub, f"{path}.{k}")
        return
    kind = t[0]
    if kind == "null":
        if v is not None:
            check(v, t[1], path)
    elif kind == "arr":
        if not isinstance(v, list):
            raise Bad(f"{path}: not an array")
        for i, x in enumerate(v):
            check(x, t[1], f"{path}[{i}]")
    elif kind == "int":
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise Bad(f"{path}: {v!r} is not a whole number >= 0")
    elif kind == "num":
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
            raise Bad(f"{path}: {v!r} is not a number >= 0")
    elif kind == "str":
        if not isinstance(v, str):
            raise Bad(f"{path}: {v!r} is not a string")
    elif kind == "bool":
        if not isinstance(v, bool):
            raise Bad(f"{path}: {v!r} is not true or false")
    elif kind == "time":
        if not isinstance(v, str) or len(v) != 20 or v[10] != "T" or v[-1] != "Z":
            raise Bad(f"{path}: {v!r} is not a UTC time")
    elif kind == "client":
        # a client as list-clients shows it, and this call's figures
        if not isinstance(v, dict) or "new" not in v:
            raise Bad(f"{path}: no key \"new\"")
        base = {k: x for k, x in v.items() if k in CLIENT}
        check(base, CLIENT, path)
        extra = {k: x for k, x in v.items() if k not in CLIENT}
        if v["new"] is True and v.get("static") is False:
            shape = FIGURES_LEASED if v.get("leased") is True else FIGURES_UNLEASED
            check(extra, {"new": BOOL, **shape}, path)
        else:
            check(extra, {"new": BOOL}, path)
    else:
        raise Bad(f"{path}: unknown shape {t!r}")


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in SHAPES:
        sys.exit(f"usage: jsonshape.py {'|'.join(SHAPES)} < DOCUMENT")
    text = sys.stdin.read()
    try:
        doc = json.loads(text)
        if doc.get("version") != 1:
            raise Bad("$.version: not 1")
        check(doc, SHAPES[sys.argv[1]], "$")
    except (ValueError, Bad, AttributeError) as ex:
        sys.exit(f"{sys.argv[1]} JSON: {ex}")


if __name__ == "__main__":
    main()
