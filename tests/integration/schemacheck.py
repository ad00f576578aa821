#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""schemacheck.py NAME: validate the JSON document on stdin against
docs/schema/NAME.json (its $id is urn:netnsctl:NAME; the other schemas of
docs/schema/ are there for its $refs).  Exit 0 when valid, 1 with the
reasons on stderr when not, 2 when the document is no JSON."""

import glob
import json
import os
import sys

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "schema")


def validator_for(name):
    store = {}
    for path in glob.glob(os.path.join(SCHEMA_DIR, "*.json")):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        store[doc["$id"]] = doc
    schema = store["urn:netnsctl:" + name]
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            (uri, Resource.from_contents(doc)) for uri, doc in store.items())
        return cls(schema, registry=registry)
    except ImportError:  # Debian 12's 4.10
        return cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    text = sys.stdin.read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        print("not JSON: %s: %r" % (e, text[:200]), file=sys.stderr)
        return 2
    errors = sorted(validator_for(argv[1]).iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        print("%s: %s" % ("/".join(str(p) for p in e.path) or "(top)", e.message), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
