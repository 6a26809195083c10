#!/usr/bin/env python3
"""Turns criterion results (target/criterion) into Markdown performance tables.

For each group (e.g. forward_f32) and size: GB/s (bytes read + written, 1e9) of
every variant, from criterion's median, plus the dispatched kernel's ratio to the
roofline and to each peer found. Peers come from the `peers` workspace member
(`cargo bench -p leaky-relu-peers`), which writes to the same target/criterion.

Where the CPU has AVX-512F the benches add `roofline512` (the roofline with 512-bit
vectors); the `avx512` kernel is then compared with it, and `avx2` with `roofline`.
`--funcs` keeps only the named variants (target/criterion keeps older runs' results for
variants not benched this time; list only those from the run being tabled).

Usage: scripts/bench_table.py [--criterion DIR] [--groups forward_f32,...] [--funcs avx512,...] [--plot out.svg]
"""
import argparse, json, os, platform, subprocess, sys, datetime
from pathlib import Path

ORDER = ["avx512", "avx2", "neon", "portable", "scalar", "dispatched", "leaky-relu", "leaky-relu-serial",
         "naive", "branchless", "roofline", "roofline512", "tract", "ndarray", "candle", "serial", "auto", "parallel"]


def load(root):
    res = {}
    for est in Path(root).glob("*/*/*/new/estimates.json"):
        d = est.parent
        bench = json.loads((d / "benchmark.json").read_text())
        e = json.loads(est.read_text())
        group = bench["group_id"]
        func = bench["function_id"]
        try:
            size = int(bench["value_str"])
        except (TypeError, ValueError):
            continue
        thr = bench.get("throughput") or {}
        nbytes = thr.get("Bytes") or thr.get("BytesDecimal")
        med = e["median"]["point_estimate"]
        lo = e["median"]["confidence_interval"]["lower_bound"]
        hi = e["median"]["confidence_interval"]["upper_bound"]
        res.setdefault(group, {}).setdefault(size, {})[func] = (med, lo, hi, nbytes)
    return res


def fmt(ns):
    """A criterion time in ns, in the unit that reads best (ms, µs, ns)."""
    for unit, div in (("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.2f} {unit}"
    return f"{ns:.1f} ns"


def human(n):
    for unit, s in (("Mi", 1 << 20), ("Ki", 1 << 10)):
        if n >= s and n % s == 0:
            return f"{n // s} {unit}"
    return str(n)


def header():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores; {rustc}; {datetime.date.today()}"


def table(group, sizes):
    funcs = sorted({f for s in sizes.values() for f in s},
                   key=lambda f: (ORDER.index(f) if f in ORDER else 99, f))
    out = [f"**{group}** (GB/s, median)", ""]
    ours = "leaky-relu" if "leaky-relu" in funcs else "dispatched"
    best = next((k for k in ("avx2", "neon", "portable") if k in funcs), None)
    wide = "avx512" in funcs and "roofline512" in funcs
    cols = list(funcs)
    if wide:
        cols.append("avx512 / roofline512")
    if "roofline" in funcs and best:
        cols.append(f"{best} / roofline")
    if "roofline" in funcs and "dispatched" in funcs:
        cols.append("dispatched / " + ("roofline512" if wide else "roofline"))
    peers = [p for p in ("naive", "tract", "ndarray", "candle") if p in funcs]
    cols += [f"{ours} / {p}" for p in peers]
    out.append("| size | " + " | ".join(cols) + " |")
    out.append("|---" * (len(cols) + 1) + "|")
    for n in sorted(sizes):
        row = sizes[n]
        gbs = {f: (v[3] / v[0] if v[3] else float("nan")) for f, v in row.items()}
        cells = [f"{gbs[f]:.1f}" if f in gbs else "" for f in funcs]
        d = gbs.get(ours)
        r = gbs.get("roofline")
        r512 = gbs.get("roofline512")
        if wide:
            a = gbs.get("avx512")
            cells.append(f"{a / r512:.2f}" if a and r512 else "")
        if best and f"{best} / roofline" in cols:
            b = gbs.get(best)
            cells.append(f"{b / r:.2f}" if b and r else "")
        if "roofline" in funcs and "dispatched" in funcs:
            dd = gbs.get("dispatched")
            rr = r512 if wide else r
            cells.append(f"{dd / rr:.2f}" if dd and rr else "")
        for p in peers:
            cells.append(f"{d / gbs[p]:.2f}x" if d and p in gbs else "")
        out.append(f"| {human(n)} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def plot(res, groups, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(groups), figsize=(7 * len(groups), 4.5), squeeze=False)
    for ax, g in zip(axes[0], groups):
        # Merge the peers measured for this group (tract, ndarray, ...) into the panel.
        sizes = {n: dict(v) for n, v in res.get(g, {}).items()}
        for n, v in res.get("peers_" + g, {}).items():
            for f, m in v.items():
                if f in ("tract", "ndarray", "candle"):
                    sizes.setdefault(n, {})[f] = m
        funcs = sorted({f for s in sizes.values() for f in s},
                       key=lambda f: (ORDER.index(f) if f in ORDER else 99, f))
        for f in funcs:
            pts = sorted((n, v[f][3] / v[f][0]) for n, v in sizes.items() if f in v and v[f][3])
            if pts:
                style = "--" if f == "roofline" else (":" if f in ("tract", "ndarray", "candle") else "-")
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker="o", ms=3, label=f)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("elements")
        ax.set_ylabel("GB/s (read + written)")
        ax.set_title(g)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(header(), fontsize=9)
    fig.tight_layout()
    fig.savefig(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--criterion", default="target/criterion")
    ap.add_argument("--groups", default="")
    ap.add_argument("--plot", default="")
    ap.add_argument("--funcs", default="")
    a = ap.parse_args()
    res = load(a.criterion)
    keep = {f for f in a.funcs.split(",") if f}
    if keep:
        res = {g: {n: {f: v for f, v in row.items() if f in keep} for n, row in sizes.items()}
               for g, sizes in res.items()}
    groups = [g for g in a.groups.split(",") if g] or sorted(res)
    print(f"Machine: {header()}\n")
    for g in groups:
        if g in res:
            print(table(g, res[g]))
            print()
    if a.plot:
        plot(res, [g for g in groups if g in res and not g.startswith("peers_")][:2], a.plot)
        print(f"plot written to {a.plot}", file=sys.stderr)


if __name__ == "__main__":
    main()
