#!/usr/bin/env python3
"""The parallel-policy table from `cargo bench --bench policy` (criterion results).

For forward and backward f32 at each size: the dispatched call against the faster
of the one-thread roofline and the best two-thread roofline (the time ratio
dispatched / best, 1.00 = as fast as the machine allows), and, from the busy_
groups (policy_busy_: a busy-loop process pinned to one core), against the one-thread roofline.
At 16 elements, also against the naive loop inlined in the caller.

Usage: scripts/policy_table.py [--criterion DIR]
"""
import argparse, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_table import load, human  # noqa: E402


def t(ns):
    if ns is None:
        return ""
    for unit, div in (("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.2f} {unit}"
    return f"{ns:.1f} ns"


def best(row, prefix):
    vals = [(v[0], k) for k, v in row.items() if k.startswith(prefix)]
    return min(vals) if vals else (None, None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--criterion", default="target/criterion")
    args = ap.parse_args()
    res = load(args.criterion)
    print("| op | n (f32) | dispatched | roofline, 1 thread | roofline, 2 threads (best chunk) | dispatched / best | busy: dispatched | busy: roofline, 1 thread | busy: roofline, 2 threads | busy: dispatched / roofline, 1 thread |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for op in ["forward", "backward"]:
        quiet, busy = res.get(f"policy_{op}_f32", {}), res.get(f"policy_busy_{op}_f32", {})
        for n in sorted(quiet):
            row = quiet[n]
            if "roofline1" not in row:
                continue
            d = row.get("dispatched", (None,))[0]
            r1 = row.get("roofline1", (None,))[0]
            r2, r2k = best(row, "roofline2_")
            bestt = min(x for x in (r1, r2) if x is not None)
            b = busy.get(n, {})
            bd, br1 = b.get("dispatched", (None,))[0], b.get("roofline1", (None,))[0]
            br2, _ = best(b, "roofline2_")
            fmt = t
            r2s = f"{fmt(r2)} ({r2k.split('_')[1]})" if r2 is not None else "(one chunk)"
            busy_ratio = f"{bd / br1:.2f}" if bd and br1 else ""
            print(f"| {op} | {human(n)} | {fmt(d)} | {fmt(r1)} | {r2s} | {d / bestt:.2f} | {fmt(bd)} | {fmt(br1)} | {fmt(br2)} | {busy_ratio} |")
    for op in ["forward", "backward"]:
        row = res.get(f"policy_{op}_f32", {}).get(16, {})
        if "naive_inlined" in row and "dispatched" in row:
            d, nv = row["dispatched"][0], row["naive_inlined"][0]
            print(f"\n{op}, 16 elements: dispatched {t(d)}, naive loop inlined {t(nv)}: {d / nv:.2f}x")


if __name__ == "__main__":
    main()
