#!/usr/bin/env python3
"""The summary of scripts/bench-scaling.sh: medians of its rounds as a Markdown table, each figure
next to its limit from the same run (one node's figure times the nodes; the bare endpoint)."""
import glob
import json
import os
import statistics
import sys

out, nodes, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def runs(label):
    files = sorted(glob.glob(os.path.join(out, f"{label}-[0-9]*.json"))) or glob.glob(os.path.join(out, f"{label}.json"))
    return [json.load(open(f)) for f in files]


def med(label, key):
    rs = runs(label)
    if not rs:
        return None
    return statistics.median(key(r) for r in rs)


def tput(label):
    return med(label, lambda r: r["throughput"])


def cell(label):
    rs = runs(label)
    if not rs:
        return "not run", None
    t = tput(label)
    p50 = med(label, lambda r: r["latencyMs"]["p50"])
    p99 = med(label, lambda r: r["latencyMs"]["p99"])
    errors = med(label, lambda r: r["errors"])
    cpu = med(label, lambda r: r.get("loadGeneratorCpuCores") or 0)
    rounds = ", ".join(f"{r['throughput']:,.0f}" for r in rs)
    text = f"**{t:,.0f} req/s** (rounds {rounds}), p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {errors:.0f}, load generator {cpu:.1f} cores"
    return text, t


one_uncached = tput("uncached-1node")
one_cached = tput("cached-1node")
base = tput("baseline")
rows = [
    ("bare Pekko HTTP JSON endpoint, one node's cores", "baseline", None, None),
    ("uncached, 1 node", "uncached-1node", None, None),
    ("cached, 1 node", "cached-1node", base, "the bare endpoint on the same cores"),
    (f"uncached, {nodes} nodes, local lanes (default)", f"uncached-{nodes}nodes-local", one_uncached and one_uncached * nodes, f"{nodes} x 1 node"),
    (f"cached, {nodes} nodes", f"cached-{nodes}nodes-local", one_cached and one_cached * nodes, f"{nodes} x 1 node"),
    (f"uncached, {nodes} nodes, one shared lane", f"uncached-{nodes}nodes-onelane", one_uncached and one_uncached * nodes, f"{nodes} x 1 node"),
    (f"uncached, {nodes} nodes, one shared lane, all through node 1", f"uncached-{nodes}nodes-onelane-via1", one_uncached, "1 node"),
    (f"uncached, {nodes} nodes, {nodes} spread lanes", f"uncached-{nodes}nodes-spread", one_uncached and one_uncached * nodes, f"{nodes} x 1 node"),
]
print(f"| figure ({nodes} nodes of {cores} cores; medians) | measured | limit in the same run | ratio |")
print("|---|---|---|---|")
for name, label, limit, limit_name in rows:
    text, value = cell(label)
    if limit and value is not None:
        print(f"| {name} | {text} | {limit_name}: {limit:,.0f} req/s | **{value / limit:.2f}x** |")
    else:
        print(f"| {name} | {text} | | |")
