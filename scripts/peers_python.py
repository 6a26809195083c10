#!/usr/bin/env python3
"""numpy and onnxruntime leaky ReLU throughput, for comparison with the Rust peers bench.

Usage: python3 scripts/peers_python.py   (needs numpy; onnxruntime and onnx optional:
       pip install numpy onnxruntime onnx)
Prints GB/s (bytes read + written, 1e9) from the median of repeated runs, f32, alpha
alternating 0.01 and 100 like the Rust benches. numpy runs in place
(np.multiply(x, a, out=x, where=x <= 0)); onnxruntime writes a separate output
(it has no in-place API), so it moves the same bytes.
"""
import os, statistics, time
import numpy as np

SIZES = [16, 256, 4 << 10, 64 << 10, 256 << 10, 1 << 20, 16 << 20, 64 << 20]


def timeit(fn, n, reps):
    ts = []
    for i in range(reps):
        t = time.perf_counter()
        fn(i)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main():
    rng = np.random.default_rng(1)
    sizes = [int(s) for s in os.environ.get("LEAKY_RELU_BENCH_SIZES", "").split(",") if s] or SIZES
    try:
        import onnxruntime as ort  # noqa: F401
        from onnx import helper, TensorProto
        sessions = []
        for a in (0.01, 100.0):
            node = helper.make_node("LeakyRelu", ["x"], ["y"], alpha=a)
            g = helper.make_graph([node], "lr", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])])
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 16)])
            so = ort.SessionOptions()
            so.intra_op_num_threads = 1
            sessions.append(ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"]))
    except ImportError:
        sessions = None
    print(f"| size | numpy (GB/s) | onnxruntime 1 thread (GB/s) |")
    print("|---|---|---|")
    for n in sizes:
        x = (rng.random(n, dtype=np.float32) - 0.5) * 8
        reps = max(5, min(2000, (1 << 24) // n))
        alphas = (np.float32(0.01), np.float32(100.0))
        t_np = timeit(lambda i: np.multiply(x, alphas[i & 1], out=x, where=x <= 0), n, reps)
        cell = ""
        if sessions:
            t_ort = timeit(lambda i: sessions[i & 1].run(["y"], {"x": x}), n, reps)
            cell = f"{2 * 4 * n / t_ort / 1e9:.1f}"
        print(f"| {n} | {2 * 4 * n / t_np / 1e9:.1f} | {cell} |")


if __name__ == "__main__":
    main()
