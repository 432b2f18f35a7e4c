#!/usr/bin/env python3
"""Cancellation latency of `pfc run` (issue 7): SIGINT to process exit, p50/p99 over N trials, for
an endless serial loop and an endless parallel comprehension at several thread counts. Each trial
starts pfc, waits for the program's "ready" line (stdout line-buffered through stdbuf), sends
SIGINT and times until the process has exited (includes rt_close and the JIT's teardown).
The in-process latency from rt_cancel_run to the end of rt_run is printed by
tests/unit/test_interrupt_repeat. Usage: interrupt_latency.py --pfc PATH [--trials 100]"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SPIN = """
def spin(n: int) -> int:
    if n == 1:
        print("ready")
    i = 0
    while i >= 0:
        i = i + n
    return i
"""
PROGRAMS = {
    "serial": SPIN + "print(spin(1))\n",
    "parallel": SPIN + "print(sum([spin(i + 1) for i in range(64)]))\n",
}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def trial(pfc, path, threads):
    cmd = [pfc, "run", "--threads", str(threads), path]
    if shutil.which("stdbuf"):
        cmd = ["stdbuf", "-oL", *cmd]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if p.stdout.readline() != "ready\n":
        p.kill()
        p.wait()
        return None
    time.sleep(0.02)  # let the parallel program spread over the workers
    t0 = time.perf_counter()
    p.send_signal(signal.SIGINT)
    code = p.wait(timeout=60)
    dt = time.perf_counter() - t0
    p.stdout.close()
    return dt if code == 130 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pfc", required=True)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--threads", default="1,2,4")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        print(f"{'program':10} {'threads':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  bad")
        for name, src in PROGRAMS.items():
            path = os.path.join(d, name + ".pf")
            with open(path, "w") as f:
                f.write(src)
            for threads in [int(t) for t in a.threads.split(",")]:
                lat, bad = [], 0
                for _ in range(a.trials):
                    dt = trial(a.pfc, path, threads)
                    if dt is None:
                        bad += 1
                    else:
                        lat.append(dt * 1000)
                if lat:
                    print(f"{name:10} {threads:>7} {pct(lat, 50):8.2f} {pct(lat, 99):8.2f} "
                          f"{max(lat):8.2f}  {bad}")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
