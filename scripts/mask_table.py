#!/usr/bin/env python3
"""Prints the mask bench (benches/mask.rs) as a Markdown table: per kernel variant
and size, the criterion medians of forward, forward_with_mask, backward and
backward_from_mask, and the two ratios the mask path is judged by:
forward_with_mask / forward (time; 1.00 = free) and backward / backward_from_mask
(speed-up). Usage: scripts/mask_table.py [--criterion DIR] [--variant dispatched]
"""
import argparse, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_table import fmt, human, load  # noqa: E402  (criterion's results; "4 Ki" sizes)

OPS = ["forward", "forward_with_mask", "backward", "backward_from_mask"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--criterion", default="target/criterion")
    ap.add_argument("--variant", default=None, help="only this variant (dispatched, avx2, ...)")
    a = ap.parse_args()
    res = {}
    for n, funcs in load(a.criterion).get("mask_f32", {}).items():
        for func, (med, *_) in funcs.items():
            op, _, variant = func.partition("/")
            res.setdefault(variant, {}).setdefault(n, {})[op] = med
    print("| kernel | n (f32) | forward | forward_with_mask | with_mask / forward | backward | backward_from_mask | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    for variant in sorted(res, key=lambda v: (v != "dispatched", v)):
        if a.variant and variant != a.variant:
            continue
        for n in sorted(res[variant]):
            r = res[variant][n]
            if not all(op in r for op in OPS):
                continue
            print(f"| {variant} | {human(n)} | {fmt(r['forward'])} | {fmt(r['forward_with_mask'])} | "
                  f"{r['forward_with_mask'] / r['forward']:.2f} | {fmt(r['backward'])} | "
                  f"{fmt(r['backward_from_mask'])} | {r['backward'] / r['backward_from_mask']:.2f}x |")


if __name__ == "__main__":
    main()
