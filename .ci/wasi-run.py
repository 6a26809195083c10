#!/usr/bin/env python3
"""Cargo runner for wasm32-wasip1 (.ci/cross-cpu wasm): runs a .wasm module under
wasmtime, from PyPI's `wasmtime` package, with the given arguments, the caller's
environment and stdio, and the current directory preopened; exits with the
module's WASI exit code (libtest exits 101 when a test fails)."""
import os
import sys

from wasmtime import Engine, ExitTrap, Linker, Module, Store, WasiConfig


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: wasi-run.py MODULE.wasm [ARGS...]", file=sys.stderr)
        return 2
    engine = Engine()  # SIMD (simd128) is on by default
    store = Store(engine)
    wasi = WasiConfig()
    wasi.argv = sys.argv[1:]
    wasi.env = list(os.environ.items())
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    wasi.preopen_dir(".", ".")
    store.set_wasi(wasi)
    linker = Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, Module.from_file(engine, sys.argv[1]))
    try:
        instance.exports(store)["_start"](store)
    except ExitTrap as e:
        return e.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
