#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""dotcheck.py < FILE.dot: parse Graphviz DOT without Graphviz and list it.

Refuses (exit 1, the reason on stderr) what Graphviz would refuse or read
differently than meant: bytes that are not UTF-8, an unterminated string, a
token or statement outside the DOT grammar, "->" in an undirected graph, and
in a label any backslash escape other than \\\\ and \\n (so a name cannot
smuggle in \\N, \\G ...) and \\l (a left-aligned line end).  Prints one line per object, tab-separated,
labels with their escapes resolved and lines joined by "|":

    node    ID    LABEL
    member  CLUSTER    ID
    edge    TAIL    HEAD    STYLE(or -)    LABEL
"""

import re
import sys

KEYWORDS = {"graph", "digraph", "subgraph", "node", "edge", "strict"}


class Bad(Exception):
    pass


def tokens(text):
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("//", i) or (c == "#" and (i == 0 or text[i - 1] == "\n")):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise Bad("unterminated comment")
            i = j + 2
        elif c == '"':
            out, i = [], i + 1
            while True:
                if i >= n:
                    raise Bad("unterminated string")
                c = text[i]
                if c == "\\" and i + 1 < n and text[i + 1] == '"':
                    out.append('"')
                    i += 2
                elif c == "\\" and i + 1 < n and text[i + 1] == "\n":
                    i += 2
                elif c == "\\" and i + 1 < n:
                    out.append(text[i:i + 2])
                    i += 2
                elif c == '"':
                    i += 1
                    break
                else:
                    out.append(c)
                    i += 1
            yield ("id", "".join(out))
        elif text.startswith("--", i) or text.startswith("->", i):
            yield ("op", text[i:i + 2])
            i += 2
        elif c in "{}[];,=:":
            yield ("op", c)
            i += 1
        elif c == "<":
            raise Bad("HTML strings are not expected here")
        else:
            m = re.compile(r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)").match(text, i)
            if not m:
                raise Bad("unexpected character %r at offset %d" % (c, i))
            w = m.group(0)
            yield ("kw" if w.lower() in KEYWORDS else "id", w.lower() if w.lower() in KEYWORDS else w)
            i = m.end()


def label_text(raw):
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            nxt = raw[i + 1:i + 2]
            if nxt == "\\":
                out.append("\\")
            elif nxt in ("n", "l"):
                out.append("\n")
            else:
                raise Bad("label escape \\%s in %r" % (nxt, raw))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Parser:
    def __init__(self, toks):
        self.toks = list(toks)
        self.pos = 0
        self.nodes = {}
        self.edges = []
        self.members = []
        self.directed = False

    def peek(self, k=0):
        return self.toks[self.pos + k] if self.pos + k < len(self.toks) else (None, None)

    def take(self, kind=None, value=None):
        t = self.peek()
        if t[0] is None or (kind and t[0] != kind) or (value and t[1] != value):
            raise Bad("expected %s, got %r" % (value or kind, t[1]))
        self.pos += 1
        return t[1]

    def accept(self, kind, value=None):
        t = self.peek()
        if t[0] == kind and (value is None or t[1] == value):
            self.pos += 1
            return True
        return False

    def graph(self):
        self.accept("kw", "strict")
        kind = self.take("kw")
        if kind not in ("graph", "digraph"):
            raise Bad("expected graph or digraph")
        self.directed = kind == "digraph"
        if self.peek()[0] == "id":
            self.take("id")
        self.take("op", "{")
        self.stmt_list([])
        self.take("op", "}")
        if self.peek()[0] is not None:
            raise Bad("text after the graph")

    def stmt_list(self, clusters):
        while not (self.peek()[0] == "op" and self.peek()[1] == "}"):
            if self.peek()[0] is None:
                raise Bad("missing }")
            self.stmt(clusters)
            self.accept("op", ";")

    def attr_list(self):
        attrs = {}
        while self.accept("op", "["):
            while not self.accept("op", "]"):
                k = self.take("id")
                self.take("op", "=")
                v = self.take("id")
                if "label" in k:
                    v = label_text(v)
                attrs[k] = v
                self.accept("op", ",") or self.accept("op", ";")
        return attrs

    def node_id(self):
        name = self.take("id")
        if self.accept("op", ":"):
            self.take("id")
            if self.accept("op", ":"):
                self.take("id")
        return name

    def subgraph(self, clusters):
        name = None
        if self.accept("kw", "subgraph") and self.peek()[0] == "id":
            name = self.take("id")
        self.take("op", "{")
        self.stmt_list(clusters + [name] if name and name.startswith("cluster") else clusters)
        self.take("op", "}")
        return ("subgraph", name)

    def stmt(self, clusters):
        t = self.peek()
        if t[0] == "kw" and t[1] in ("graph", "node", "edge"):
            self.take("kw")
            self.attr_list()
            return
        if (t[0] == "kw" and t[1] == "subgraph") or t == ("op", "{"):
            left = self.subgraph(clusters)
        elif t[0] == "id" and self.peek(1) == ("op", "="):
            self.take("id")
            self.take("op", "=")
            self.take("id")
            return
        else:
            left = self.node_id()
        chain = [left]
        while self.peek()[0] == "op" and self.peek()[1] in ("--", "->"):
            op = self.take("op")
            if (op == "->") != self.directed:
                raise Bad("%s in a %s" % (op, "digraph" if self.directed else "graph"))
            nt = self.peek()
            chain.append(self.subgraph(clusters) if nt[0] == "kw" or nt == ("op", "{") else self.node_id())
        attrs = self.attr_list()
        if len(chain) == 1:
            if isinstance(left, tuple):
                return
            self.nodes.setdefault(left, {}).update(attrs)
            for c in clusters:
                self.members.append((c, left))
            return
        for a, b in zip(chain, chain[1:]):
            if isinstance(a, tuple) or isinstance(b, tuple):
                raise Bad("edges to subgraphs are not expected here")
            for x in (a, b):
                self.nodes.setdefault(x, {})
            self.edges.append((a, b, attrs))


def flat(s):
    if s.endswith("\n"):
        s = s[:-1]
    return s.replace("\n", "|")


def listing(p):
    out = []
    for name, attrs in p.nodes.items():
        out.append("node\t%s\t%s" % (flat(label_text(name)), flat(attrs.get("label", label_text(name)))))
    for c, name in p.members:
        out.append("member\t%s\t%s" % (flat(label_text(c)), flat(label_text(name))))
    for a, b, attrs in p.edges:
        out.append("edge\t%s\t%s\t%s\t%s" % (
            flat(label_text(a)), flat(label_text(b)), attrs.get("style", "-"),
            flat(attrs.get("label", ""))))
    return out


def main():
    data = sys.stdin.buffer.read()
    try:
        p = Parser(tokens(data.decode("utf-8")))
        p.graph()
        out = listing(p)
    except UnicodeDecodeError as ex:
        print("dotcheck: not UTF-8: %s" % ex, file=sys.stderr)
        return 1
    except Bad as ex:
        print("dotcheck: %s" % ex, file=sys.stderr)
        return 1
    for line in out:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
