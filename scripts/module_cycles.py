#!/usr/bin/env python3
"""Lists the import circles between the modules of a crate: each file is a module, and a file
that names `crate::a::b` depends on the module `a::b` (or the nearest one that exists). A module
and its own parent or children are not counted as a circle (they are one module's parts).

    python3 scripts/module_cycles.py crates/server/src crates/core/src

Exits 1 when a crate has a circle, printing each one."""
import os
import re
import sys


def modules(src):
    out = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), src)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            out["::".join(rel)] = os.path.join(root, f)
    return out


def strip(text):
    # A module's tests are not what it depends on: from `#[cfg(test)]` at the margin on
    # (a file's tests come last).
    text = text.split("\n#[cfg(test)]")[0]
    # Comments and strings name modules without depending on them.
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def related(a, b):
    return a == b or a.startswith(b + "::") or b.startswith(a + "::") or a == "" or b == ""


def deps(mods):
    edges = {m: set() for m in mods}
    for m, path in mods.items():
        text = strip(open(path, encoding="utf-8").read())
        # `use crate::{a, b::c}` and `crate::a::b` anywhere.
        names = []
        for group in re.findall(r"crate::\{([^}]*)\}", text):
            names += [n.strip().split(" as ")[0] for n in group.split(",")]
        names += re.findall(r"crate::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)", text)
        for n in names:
            parts = [p for p in n.split("::") if p and p != "self"]
            while parts and "::".join(parts) not in mods:
                parts.pop()
            target = "::".join(parts)
            if target and not related(m, target):
                edges[m].add(target)
    return edges


def cycles(edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                out.append(sorted(scc))

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


def main():
    bad = False
    for src in sys.argv[1:]:
        found = cycles(deps(modules(src)))
        for c in found:
            bad = True
            print(f"{src}: {len(c)} modules in a circle: {', '.join(c)}")
        if not found:
            print(f"{src}: no circles")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
