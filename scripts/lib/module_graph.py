#!/usr/bin/env python3
"""Checks that the top-level module graph of each crate is acyclic (docs/architecture.md).

A module's dependencies are the `crate::<module>` paths in its non-test code (comments excluded).
Prints each crate's graph with -v; exits 1 naming the cycle if one exists.
"""
import os
import re
import sys
from collections import defaultdict

CRATES = ["circuits", "prover", "relayer", "node", "cli", "import"]


def items_of(group):
    depth, cur, out = 0, "", []
    for ch in group:
        if ch == "{":
            depth += 1
        if ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return [i for i in out if i]


def graph(src_dir):
    edges = defaultdict(set)
    for root, _, files in os.walk(src_dir):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), src_dir)
            top = rel.split(os.sep)[0].removesuffix(".rs")
            if top in ("lib", "main"):
                continue
            text = open(os.path.join(root, f), encoding="utf-8").read()
            cut = text.find("#[cfg(test)]")
            if cut >= 0:
                text = text[:cut]
            text = "\n".join(l for l in text.split("\n") if not l.strip().startswith("//"))
            for m in re.finditer(r"crate::\{([^;]*?)\};", text, re.S):
                for it in items_of(m.group(1)):
                    edges[top].add(re.split(r"[:{ ]", it)[0])
            for m in re.finditer(r"crate::(\w+)", text):
                edges[top].add(m.group(1))
            edges[top].discard(top)
    return edges


def find_cycle(edges):
    state = {}

    def visit(n, path):
        state[n] = 1
        for d in sorted(edges.get(n, ())):
            if state.get(d) == 1:
                return path[path.index(d):] + [d]
            if d not in state:
                c = visit(d, path + [d])
                if c:
                    return c
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            c = visit(n, [n])
            if c:
                return c
    return None


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    bad = False
    for crate in CRATES:
        edges = graph(os.path.join(root, crate, "src"))
        if "-v" in sys.argv:
            for k in sorted(edges):
                print(f"{crate}::{k} -> {', '.join(sorted(edges[k]))}")
        cycle = find_cycle(edges)
        if cycle:
            print(f"layout: module cycle in {crate}: {' -> '.join(cycle)}", file=sys.stderr)
            bad = True
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
