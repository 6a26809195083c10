#!/usr/bin/env python3
"""Prints the halves bench (benches/half.rs) as a Markdown table: per size, for
f16 and bf16, the criterion median of the best kernel (the fastest available
one, named), of the workaround (widen with half, the f32 kernel, narrow back)
and their ratio, and the best kernel's bytes per second against the f32
kernel's on an f32 buffer of the same length (1.00 = the same bandwidth).
Usage: scripts/half_table.py [--criterion DIR]
"""
import argparse, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_table import fmt, header, human, load  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--criterion", default="target/criterion")
    a = ap.parse_args()
    res = load(a.criterion)
    f32 = res.get("half_forward_f32", {})
    print(f"<!-- {header()} -->")
    print("| n | type | best kernel | workaround | workaround / best | best GB/s | f32 kernel GB/s | f32 / best (bytes per s) |")
    print("|---|---|---|---|---|---|---|---|")
    for t in ("f16", "bf16"):
        for n, funcs in sorted(res.get(f"half_forward_{t}", {}).items()):
            kernels = {f: v for f, v in funcs.items() if f != "workaround"}
            if not kernels or "workaround" not in funcs:
                continue
            name, (med, _, _, nbytes) = min(kernels.items(), key=lambda kv: kv[1][0])
            wa = funcs["workaround"][0]
            gbs = nbytes / med
            row = f"| {human(n)} | {t} | {name} {fmt(med)} | {fmt(wa)} | {wa / med:.1f}x | {gbs:.1f}"
            if n in f32 and "f32" in f32[n]:
                fmed, _, _, fbytes = f32[n]["f32"]
                fgbs = fbytes / fmed
                row += f" | {fgbs:.1f} | {fgbs / gbs:.2f} |"
            else:
                row += " | | |"
            print(row)


if __name__ == "__main__":
    main()
