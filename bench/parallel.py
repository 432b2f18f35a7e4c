#!/usr/bin/env python3
"""Parallel speed of pf programs (issue 6), in one run: --no-par vs --threads 1 vs 2 vs 8.

Each program is compiled once with `pfc build` (and once more with `pfc build --no-par`), so
compile time is not in the numbers; then each executable runs with --threads 1, 2 and 8 and the
best wall time of --runs runs is kept (speedups need wall time; the user+sys CPU time of the best
2-thread run is printed too: CPU(2) / wall(1) above 1 is work the second thread added). Outputs
must be identical at every thread count (DESIGN.md's determinism promise). Against --no-par they
are compared exactly too, except that float numbers may differ in their last bits: a parallel float
sum adds fixed blocks combined by a pairwise tree, which rounds differently from --no-par's one
sequential sum (expected; reported as a note, not a mismatch). Issue 6's targets: t1/no-par <= 1.1, t1/t2 >= 1.8, t8/t2 <= 1.1. On a
shared machine the load average (printed before and after) decides what these numbers mean.
Sizes are those of issue 6 or larger, so that every run lasts 0.1 s or more (start-up and the first
promotion must not weigh in). --workspan instead prints each program's work, span and parallelism
from `--workspan --stats` (issue 6: >= 64 on the embarrassingly parallel ones).

usage: bench/parallel.py [--build build] [--runs 3] [--quick] [--workspan] [name ...]
"""
import argparse
import os
import pathlib
import re
import resource
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

# name -> (source, {constant: full size}, {constant: --quick size})
PROGRAMS = {
    "nearest": ("bench/pf/nearest.pf", {"N": 200000, "N_CENTERS": 64, "DIM": 8},
                {"N": 20000, "N_CENTERS": 64, "DIM": 8}),
    "grid_search": ("examples/grid_search.pf", {"STEPS": 1200}, {"STEPS": 60}),
    "fib": ("bench/pf/fib.pf", {"N": 37}, {"N": 27}),
    "mandelbrot": ("bench/pf/mandelbrot.pf", {"N": 2000}, {"N": 400}),
    "sum": ("bench/pf/psum.pf", {"N": 100000000}, {"N": 5000000}),
    "nested": ("bench/pf/nested.pf", {"N": 50000000}, {"N": 500000}),
}
THREADS = [1, 2, 8]
# --workspan times every recorded fork (two clock reads each): fib(37) would take ~40 s of work
WORKSPAN_SIZES = {"fib": {"N": 30}}


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def sized(name, quick, tmp, sizes=None):
    src, full, small = PROGRAMS[name]
    text = (ROOT / src).read_text()
    for const, value in (sizes or (small if quick else full)).items():
        text, n = re.subn(rf"^{const} = \d+$", f"{const} = {value}", text, flags=re.M)
        if n != 1:
            sys.exit(f"parallel.py: {src} has no line '{const} = ...'")
    path = pathlib.Path(tmp) / f"{name}.pf"
    path.write_text(text)
    return path


def build(pfc, src, out, nopar):
    cmd = [str(pfc), "build", str(src), "-o", str(out)] + (["--no-par"] if nopar else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"parallel.py: {' '.join(cmd)} failed:\n{p.stderr}")


def best(cmd, runs):
    """(best wall seconds, CPU seconds of that run, stdout)."""
    top = None
    for _ in range(runs):
        c0, t0 = children_cpu(), time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        wall, cpu = time.perf_counter() - t0, children_cpu() - c0
        if p.returncode != 0:
            sys.exit(f"parallel.py: {' '.join(cmd)} exited {p.returncode}: {p.stderr[-300:]}")
        if top is None or wall < top[0]:
            top = (wall, cpu, p.stdout)
    return top


NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?|-?\d+e[-+]?\d+|nan|inf")


def float_rounding_only(a, b):
    """True when outputs a and b differ only in float numbers within a relative 1e-9."""
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
        fx, fy = float(x), float(y)
        if fx != fy and not abs(fx - fy) <= 1e-9 * max(abs(fx), abs(fy)):
            return False
    return True


def workspan(exe):
    """(work ms, span ms, parallelism) of one --workspan --stats run."""
    p = subprocess.run([str(exe), "--threads", "1", "--workspan", "--stats"], capture_output=True, text=True)
    m = re.search(r"workspan: work ([\d.]+) ms, span ([\d.]+) ms, parallelism ([\d.]+)", p.stderr)
    if p.returncode != 0 or not m:
        sys.exit(f"parallel.py: {exe} --workspan --stats: no workspan line: {p.stderr[-300:]}")
    return tuple(float(x) for x in m.groups())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="CMake build directory holding pfc")
    ap.add_argument("--runs", type=int, default=3, help="runs per mode (best wall time kept)")
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test of the script)")
    ap.add_argument("--workspan", action="store_true", help="work, span and parallelism instead")
    ap.add_argument("names", nargs="*", help=f"programs (default: all of {', '.join(PROGRAMS)})")
    a = ap.parse_args()
    pfc = (ROOT / a.build / "pfc").resolve()
    names = a.names or list(PROGRAMS)
    for n in names:
        if n not in PROGRAMS:
            sys.exit(f"parallel.py: unknown program {n}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} cores; best wall time of {a.runs} run(s)")
    if a.workspan:
        print(f"{'program':<12} {'work ms':>9} {'span ms':>9} {'parallelism':>12}")
        with tempfile.TemporaryDirectory() as tmp:
            for n in names:
                exe = pathlib.Path(tmp) / n
                build(pfc, sized(n, a.quick, tmp, WORKSPAN_SIZES.get(n)), exe, False)
                w, sp, par = workspan(exe)
                print(f"{n:<12} {w:9.1f} {sp:9.3f} {par:12.1f}", flush=True)
        return
    head = (f"{'program':<12} {'no-par s':>9} {'t1 s':>7} {'t2 s':>7} {'t8 s':>7} {'cpu2 s':>7}"
            f" {'t1/nopar':>9} {'t1/t2':>7} {'t8/t2':>7}")
    print(head)
    print("-" * len(head))
    with tempfile.TemporaryDirectory() as tmp:
        for n in names:
            src = sized(n, a.quick, tmp)
            exe, exe_np = pathlib.Path(tmp) / n, pathlib.Path(tmp) / f"{n}-nopar"
            build(pfc, src, exe, False)
            build(pfc, src, exe_np, True)
            np_wall, _, out = best([str(exe_np), "--threads", "1"], a.runs)
            res = {}
            for t in THREADS:
                res[t] = best([str(exe), "--threads", str(t)], a.runs)
                if res[t][2] != res[THREADS[0]][2]:
                    print(f"{n}: MISMATCH: output at --threads {t} differs from --threads {THREADS[0]}",
                          file=sys.stderr)
            if res[THREADS[0]][2] != out:
                if float_rounding_only(res[THREADS[0]][2], out):
                    print(f"{n}: note: floats differ from --no-par in the last bits (block-tree sum; expected)",
                          file=sys.stderr)
                else:
                    print(f"{n}: MISMATCH: output differs from --no-par", file=sys.stderr)
            t1, t2, t8 = res[1][0], res[2][0], res[8][0]
            flag = lambda ok: " " if ok else "*"
            print(f"{n:<12} {np_wall:9.3f} {t1:7.3f} {t2:7.3f} {t8:7.3f} {res[2][1]:7.3f}"
                  f" {t1 / np_wall:8.2f}{flag(t1 / np_wall <= 1.1)} {t1 / t2:6.2f}{flag(t1 / t2 >= 1.8)}"
                  f" {t8 / t2:6.2f}{flag(t8 / t2 <= 1.1)}", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("targets: t1/nopar <= 1.1, t1/t2 >= 1.8, t8/t2 <= 1.1 (* = missed)")


if __name__ == "__main__":
    main()
