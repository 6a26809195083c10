#!/usr/bin/env python3
"""Compares two criterion result trees (before/after) bench by bench.

For every benchmark present in both (group/function/size), prints the median
time before and after and after/before as a throughput ratio (> 1: faster).
Use it on two runs made back to back on the same machine, e.g. a worktree of
the old commit and this tree:

    LEAKY_RELU_BENCH_SIZES=16,4096,1048576 cargo bench --bench kernels -- '^forward_f32/'
    scripts/bench_compare.py OLD/target/criterion target/criterion [--filter forward_]
"""
import argparse, json
from pathlib import Path


def load(root):
    res = {}
    for est in Path(root).glob("*/*/*/new/estimates.json"):
        b = json.loads((est.parent / "benchmark.json").read_text())
        med = json.loads(est.read_text())["median"]["point_estimate"]
        res[(b["group_id"], b["function_id"], b.get("value_str"))] = med
    return res


def human(n):
    n = int(n)
    for unit, s in (("Mi", 1 << 20), ("Ki", 1 << 10)):
        if n >= s and n % s == 0:
            return f"{n // s} {unit}"
    return str(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--filter", default="")
    a = ap.parse_args()
    old, new = load(a.before), load(a.after)
    keys = sorted((k for k in old if k in new and a.filter in k[0]),
                  key=lambda k: (k[0], k[1], int(k[2]) if k[2] and k[2].isdigit() else 0))
    print("| group | variant | size | before (ns) | after (ns) | after / before speed |")
    print("|---|---|---|---|---|---|")
    ratios = []
    for g, f, n in keys:
        r = old[(g, f, n)] / new[(g, f, n)]
        ratios.append(r)
        print(f"| {g} | {f} | {human(n)} | {old[(g, f, n)]:.1f} | {new[(g, f, n)]:.1f} | {r:.2f} |")
    if ratios:
        ratios.sort()
        print(f"\n{len(ratios)} benches; speed ratio median {ratios[len(ratios) // 2]:.2f}, "
              f"min {ratios[0]:.2f}, max {ratios[-1]:.2f}")


if __name__ == "__main__":
    main()
