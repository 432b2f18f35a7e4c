#!/usr/bin/env python3
"""Start-up time of a `pfc build` executable (issue 9 asks under 5 ms) next to `pfc run` and
/bin/true: builds a hello-world with <build>/pfc, runs each command N times and prints the
minimum and median wall time per run (fork + exec + runtime start + exit, as a shell sees it).
Printed, never asserted. Usage: bench/startup.py [--build build] [-n 200]"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time


def times(cmd, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        out.append((time.perf_counter() - t) * 1e3)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("-n", type=int, default=200)
    a = ap.parse_args()
    pfc = os.path.abspath(os.path.join(a.build, "pfc"))
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "hello.pf"), os.path.join(d, "hello")
        with open(src, "w") as f:
            f.write('print("hello")\n')
        subprocess.run([pfc, "build", src, "-o", exe], check=True)
        rows = [("/bin/true", ["true"], a.n), ("built hello (--threads 1)", [exe, "--threads", "1"], a.n),
                ("built hello (all cores)", [exe], a.n), ("pfc run hello.pf", [pfc, "run", src], 20)]
        print(f"{'command':28} {'min ms':>8} {'median ms':>10}  (runs)")
        for name, cmd, n in rows:
            t = times(cmd, n)
            print(f"{name:28} {min(t):8.2f} {statistics.median(t):10.2f}  ({n})")


if __name__ == "__main__":
    main()
