#!/usr/bin/env python3
"""pf benchmarks against C -O2 and python3, in one run (see bench/README.md).

Compiles bench/c/<name>.c with `cc -O2`, then runs each program as C, as
`<build>/pfc run --threads 1 bench/pf/<name>.pf` and as `python3 bench/pf/<name>.pf`, checks that
the three outputs agree, keeps the best of several runs and prints one table with the ratios.
A pf run that fails or prints something else is shown as n/a; the harness always goes on.
"""
import argparse
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent

# name -> (full size, --quick size). The size is the `N = ...` line of bench/pf/<name>.pf and the
# first argument of the C program; python3 takes ~10-15 s per program at full size.
PROGRAMS = {
    "fib": (38, 30),
    "nbody": (2000000, 100000),
    "spectral_norm": (1500, 300),
    "mandelbrot": (2000, 400),
    "fannkuch": (10, 8),
    "nearest": (500000, 20000),
}

TARGET_PF_OVER_C = 1.5
TARGET_PY_OVER_PF = 30.0
TARGET_STARTUP_MS = 150.0


CLOCK = {"cpu": False}  # set from --cpu in main(); read by run_once


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(cmd, timeout):
    """Runs cmd; returns (seconds, stdout, error text or None). Seconds are wall-clock, or with
    --cpu the child's user+sys CPU time (children run one at a time, so the RUSAGE_CHILDREN
    difference is this child's)."""
    start = time.perf_counter()
    cpu0 = children_cpu()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return (None, "", f"timed out after {timeout} s")
    except OSError as e:
        return (None, "", str(e))
    elapsed = children_cpu() - cpu0 if CLOCK["cpu"] else time.perf_counter() - start
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or [""])[-1]
        return (None, p.stdout, f"exit {p.returncode}: {last[:100]}")
    return (elapsed, p.stdout, None)


def best_of(cmd, repeat, timeout):
    """Best time of `repeat` runs; stops at the first failure. Returns (seconds, stdout, error)."""
    best, out = None, ""
    for _ in range(max(repeat, 1)):
        t, out, err = run_once(cmd, timeout)
        if err is not None:
            return (None, out, err)
        best = t if best is None else min(best, t)
    return (best, out, None)


def sized_source(name, size, tmp):
    """bench/pf/<name>.pf itself at its default size, else a copy with the N line rewritten."""
    src = HERE / "pf" / f"{name}.pf"
    text = src.read_text()
    m = re.search(r"^N = (\d+)$", text, re.M)
    if m is None:
        raise SystemExit(f"{src}: no `N = <int>` line")
    if int(m.group(1)) == size:
        return src
    dst = tmp / f"{name}.pf"
    dst.write_text(text[:m.start()] + f"N = {size}" + text[m.end():])
    return dst


def compile_c(name, cc, tmp):
    exe = tmp / f"{name}_c"
    cmd = [cc, "-O2", "-std=c11", "-ffp-contract=off", "-o", str(exe), str(HERE / "c" / f"{name}.c"), "-lm"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return (None, p.stderr.strip()[:200])
    return (exe, None)


def startup_script(tmp):
    """A 50-line pf program that does almost nothing, to time compile + JIT start-up."""
    lines = ["# start-up probe: 50 lines of small definitions, almost no work"]
    for i in range(8):
        lines += [f"def f{i}(x, y):", "    if x > y:", f"        return x - y + {i}",
                  f"    return y * 2 + x // {i + 1}", ""]
    lines += ["", "def main():", "    total = 0", "    for i in range(10):"]
    lines += ["        total = total + f0(i, 3) + f1(i, 4) + f2(i, 5) + f3(i, 6)",
              "        total = total + f4(i, 7) + f5(i, 8) + f6(i, 9) + f7(i, 1)",
              "    print(total)", "", "main()"]
    assert len(lines) == 50, len(lines)
    path = tmp / "startup50.pf"
    path.write_text("\n".join(lines) + "\n")
    return path


def fmt_time(t):
    return "n/a" if t is None else f"{t:.3f}"


def fmt_ratio(num, den, target=None, lower_is_better=True):
    if num is None or den is None or den == 0:
        return "n/a"
    r = num / den
    mark = ""
    if target is not None:
        ok = r <= target if lower_is_better else r >= target
        mark = "" if ok else " *"
    return f"{r:.2f}{mark}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="CMake build directory holding pfc (default: build)")
    ap.add_argument("--quick", action="store_true", help="small sizes, one run each (a smoke test)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of C and pf; the best counts (default 3)")
    ap.add_argument("--py-repeat", type=int, default=1, help="runs of python3 (default 1)")
    ap.add_argument("--no-python", action="store_true", help="skip python3 (compare pf with C only)")
    ap.add_argument("--threads", default="1", help="pfc --threads (default 1)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is abandoned")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"), help="C compiler (default $CC or cc)")
    ap.add_argument("--cpu", action="store_true",
                    help="time user+sys CPU of each run instead of wall-clock (steadier on a loaded "
                         "machine; only meaningful with --threads 1)")
    ap.add_argument("programs", nargs="*", help=f"subset of: {' '.join(PROGRAMS)}")
    args = ap.parse_args()

    CLOCK["cpu"] = args.cpu
    names = args.programs or list(PROGRAMS)
    for n in names:
        if n not in PROGRAMS:
            ap.error(f"unknown program {n!r}")
    repeat = 1 if args.quick else args.repeat
    pfc = pathlib.Path(args.build) / "pfc"
    have_pfc = pfc.is_file() and os.access(pfc, os.X_OK)
    python = None if args.no_python else (shutil.which("python3") or sys.executable)
    if not have_pfc:
        print(f"note: {pfc} not found; the pf column is n/a", file=sys.stderr)

    rows, notes = [], []
    with tempfile.TemporaryDirectory(prefix="pfbench") as tmpname:
        tmp = pathlib.Path(tmpname)
        for name in names:
            size = PROGRAMS[name][1 if args.quick else 0]
            src = sized_source(name, size, tmp)
            print(f"running {name} (N = {size}) ...", file=sys.stderr, flush=True)

            exe, err = compile_c(name, args.cc, tmp)
            c_t, c_out = None, None
            if exe is None:
                notes.append(f"{name}: C does not compile: {err}")
            else:
                c_t, c_out, err = best_of([str(exe), str(size)], repeat, args.timeout)
                if err:
                    notes.append(f"{name}: C failed: {err}")

            py_t, py_out = None, None
            if python:
                py_t, py_out, err = best_of([python, str(src)], 1 if args.quick else args.py_repeat,
                                            args.timeout)
                if err:
                    notes.append(f"{name}: python3 failed: {err}")

            reference = py_out if py_t is not None else (c_out if c_t is not None else None)
            if c_t is not None and py_t is not None and c_out != py_out:
                notes.append(f"{name}: C and python3 outputs differ: {c_out.split()!r} vs {py_out.split()!r}")

            pf_t = None
            if have_pfc:
                pf_t, pf_out, err = best_of([str(pfc), "run", "--threads", args.threads, str(src)],
                                            repeat, args.timeout)
                if err:
                    notes.append(f"{name}: pf n/a: {err}")
                    pf_t = None
                elif reference is not None and pf_out != reference:
                    notes.append(f"{name}: pf n/a: output differs: {pf_out.split()[:4]!r}")
                    pf_t = None
            pf_compile = None
            if pf_t is not None:
                # compile share of pf s: parse, types, LLVM -O2 pipeline, no JIT or execution
                pf_compile, _, err = best_of([str(pfc), "run", "--emit-llvm", str(src)], repeat, args.timeout)
            rows.append((name, size, c_t, pf_t, py_t, pf_compile))

        startup = None
        py_startup = None
        probe = startup_script(tmp)
        want = "\n"
        if python:
            py_startup, want, _ = best_of([python, str(probe)], 5, 60)
        if have_pfc:
            startup, out, err = best_of([str(pfc), "run", "--threads", "1", str(probe)], 5, 60)
            if err:
                notes.append(f"start-up probe: pf n/a: {err}")
                startup = None
            elif python and out != want:
                notes.append(f"start-up probe: pf output differs: {out.strip()!r} vs {want.strip()!r}")
                startup = None

    header = ("program", "N", "C s", "pf s", "python3 s", "pf/C", "python3/pf", "python3/C", "pf compile s",
              "run/C")
    table = [header]
    for name, size, c_t, pf_t, py_t, pf_compile in rows:
        table.append((name, str(size), fmt_time(c_t), fmt_time(pf_t), fmt_time(py_t),
                      fmt_ratio(pf_t, c_t, TARGET_PF_OVER_C, True),
                      fmt_ratio(py_t, pf_t, TARGET_PY_OVER_PF, False),
                      fmt_ratio(py_t, c_t), fmt_time(pf_compile),
                      fmt_ratio(None if pf_t is None or pf_compile is None else max(pf_t - pf_compile, 0.0), c_t)))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print(f"pf benchmarks: best of {repeat} (C, pf --threads {args.threads}), "
          f"{1 if args.quick else args.py_repeat} python3 run(s); "
          f"{'CPU (user+sys)' if args.cpu else 'wall-clock'} seconds"
          + (" [--quick sizes]" if args.quick else ""))
    for i, r in enumerate(table):
        print("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(f"targets: pf/C <= {TARGET_PF_OVER_C}, python3/pf >= {TARGET_PY_OVER_PF:g} (* = missed); "
          "run/C = (pf s - pf compile s) / C s, the compiled code's share")
    ms = "n/a" if startup is None else f"{startup * 1000:.0f} ms"
    pyms = "n/a" if py_startup is None else f"{py_startup * 1000:.0f} ms"
    print(f"start-up, 50-line script: pfc run {ms} (target < {TARGET_STARTUP_MS:g} ms), python3 {pyms}")
    for n in notes:
        print(f"note: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
