#!/usr/bin/env python3
"""Interrupting running pf programs (issue 7, runtime/launch/interrupt.c): `pfc run --timeout S` on endless
serial, parallel and deeply recursive code exits 124 with a clear message; SIGINT sent to a child
pfc exits 130 with the pf traceback ending in KeyboardInterrupt; `except KeyboardInterrupt` catches
it; a second SIGINT exits at once. Usage: test_interrupt.py --pfc PATH

No wall-clock limits on the results: each child only gets a generous 60 s against hangs. The
child prints a line when it is running (line-buffered through stdbuf when available) and the
SIGINT is sent after that line, so the handler is certainly installed."""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

failures = 0
HANG = 60  # seconds: only against hangs, never a measured limit

SPIN = """
def spin(n: int) -> int:
    if n == 1:
        print("ready")
    i = 0
    while i >= 0:  # (`while True` makes the return unreachable: spin would type as None)
        i = i + n
    return i
"""

PROGRAMS = {
    # a tight `while` with no calls in it (back-edge poll only)
    "serial": SPIN + 'print(spin(1))\n',
    # endless iterations of a comprehension (parallel when PAR's codegen is there)
    "parallel": SPIN + 'print(sum([spin(i + 1) for i in range(64)]))\n',
    # a for loop over a huge range whose body calls nothing
    "for_loop": 'print("ready")\nt = 0\nfor i in range(1 << 62):\n    t = t + i % 7\nprint(t)\n',
    # deep recursion, then an endless loop at the bottom
    "deep": SPIN + 'def deep(n: int) -> int:\n    if n == 0:\n        return spin(1)\n'
            '    return deep(n - 1) + 1\n\n\nprint(deep(5000))\n',
    # exponential recursion (calls everywhere, no loops)
    "fib": 'def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\n\n'
           'print("ready")\nprint(fib(90))\n',
    # an interruption is not an Exception: `except Exception` does not swallow it
    "except_exception": SPIN + 'try:\n    print(spin(1))\nexcept Exception:\n'
                        '    print("caught")\nprint("after")\n',
    # Python's way: the program may catch KeyboardInterrupt and finish normally
    "catch_kbd": SPIN + 'try:\n    print(spin(1))\nexcept KeyboardInterrupt:\n'
                 '    print("caught")\nprint("after")\n',
    # catches every KeyboardInterrupt and goes on spinning: only a second SIGINT ends it
    "stubborn": SPIN + 'while True:\n    try:\n        print(spin(1))\n'
                '    except KeyboardInterrupt:\n        print("caught")\n',
    # the same around a parallel comprehension: the tasks started after the catch run normally
    "stubborn_par": SPIN + 'while True:\n    try:\n        print(sum([spin(i + 1) for i in range(64)]))\n'
                    '    except KeyboardInterrupt:\n        print("caught")\n',
}


def check(cond, what, res):
    global failures
    if not cond:
        failures += 1
        code, out, err = res
        print(f"FAIL: {what}\n  exit {code}\n  stdout: {out[-600:]!r}\n  stderr: {err[-600:]!r}")
    else:
        print(f"ok: {what}")


def start(pfc, path, threads, extra=()):
    cmd = [pfc, "run", "--threads", str(threads), *extra, path]
    if shutil.which("stdbuf"):
        cmd = ["stdbuf", "-oL", *cmd]
    env = dict(os.environ)
    # stdbuf preloads a library: an ASan-built pfc must not refuse to start because of it
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def finish(p):
    try:
        out, err = p.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return ("hang", out, err)
    return (p.returncode, out, err)


def run_timeout(pfc, path, threads):
    return finish(start(pfc, path, threads, ("--timeout", "0.3")))


def run_sigint(pfc, path, threads, second_after=None):
    """Starts pfc, waits for its "ready" line, sends SIGINT; with second_after, waits for that
    line too and sends a second SIGINT."""
    p = start(pfc, path, threads)
    first = p.stdout.readline()
    if first != "ready\n":
        p.kill()
        out, err = p.communicate()
        return ("no ready line", first + out, err)
    p.send_signal(signal.SIGINT)
    if second_after is not None:
        line = p.stdout.readline()
        if line != second_after + "\n":
            p.kill()
            out, err = p.communicate()
            return ("no second line", line + out, err)
        p.send_signal(signal.SIGINT)
    code, out, err = finish(p)
    return (code, first + out, err)


def tb_ok(err, func):
    lines = err.strip().splitlines()
    return (len(lines) >= 2 and lines[-1] == "KeyboardInterrupt"
            and lines[0] == "Traceback (most recent call last):"
            and any(l.endswith(", in " + func) for l in lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pfc", required=True)
    pfc = ap.parse_args().pfc
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for name, src in PROGRAMS.items():
            paths[name] = os.path.join(d, name + ".pf")
            with open(paths[name], "w") as f:
                f.write(src)

        for threads in (1, 4):
            for name, func in (("serial", "spin"), ("parallel", "spin"), ("for_loop", "<module>"),
                               ("deep", "spin"), ("fib", "fib"), ("except_exception", "spin")):
                r = run_timeout(pfc, paths[name], threads)
                check(r[0] == 124 and "pfc: timed out after 0.3 s" in r[2] and r[1] == "ready\n"
                      and "Traceback" not in r[2],
                      f"--timeout on {name} at --threads {threads}: exit 124 with a message", r)
                r = run_sigint(pfc, paths[name], threads)
                check(r[0] == 130 and tb_ok(r[2], func) and r[1] == "ready\n",
                      f"SIGINT on {name} at --threads {threads}: exit 130, traceback through "
                      f"{func} ending in KeyboardInterrupt", r)
            r = run_sigint(pfc, paths["deep"], threads)
            # identical consecutive frames are collapsed as CPython does ("[Previous line
            # repeated N more times]"); the repeated ones are all frames of deep here
            repeated = sum(int(n) for n in re.findall(r"\[Previous line repeated (\d+) more time", r[2]))
            check(r[2].count(", in deep") + repeated == 5001,
                  f"SIGINT at --threads {threads}: the traceback accounts for all 5001 frames of deep", r)
            r = run_sigint(pfc, paths["catch_kbd"], threads)
            check(r[0] == 0 and r[1] == "ready\ncaught\nafter\n" and r[2] == "",
                  f"--threads {threads}: except KeyboardInterrupt catches SIGINT, program ends normally",
                  r)
            # the caught interruption is not raised again (runtime/sched.h: a cancelled run is
            # interrupted once), so the program is still running when the second SIGINT comes
            for name in ("stubborn", "stubborn_par"):
                r = run_sigint(pfc, paths[name], threads, second_after="caught")
                check(r[0] == 130 and "second interrupt" in r[2] and "Traceback" not in r[2]
                      and "caught" not in r[1],  # (r[1]: the ready line, then what followed "caught")
                      f"{name} at --threads {threads}: a second SIGINT exits at once with 130", r)

        # every loop shape polls: generators, dict comprehensions, nested comprehensions, map/lambda
        shapes = ["print(sum(i % 7 for i in range(1 << 62)))",
                  "print(len({i: i for i in range(1 << 62)}))",
                  "print(any(i < 0 for i in range(1 << 62)))",
                  "print(len([j for i in range(1 << 31) for j in range(1 << 31) if j < 0]))",
                  "print(sum(map(lambda i: i % 7, range(1 << 62))))",
                  "xs = [1, 2, 3]\nwhile len(xs) > 0:\n    xs = xs[1:] + xs[:1]\n"]
        for k, src in enumerate(shapes):
            path = os.path.join(d, f"shape{k}.pf")
            with open(path, "w") as f:
                f.write(src + "\n")
            for threads in (1, 4):
                r = finish(start(pfc, path, threads, ("--timeout", "0.3")))
                check(r[0] == 124 and "timed out" in r[2],
                      f"--timeout stops `{src.splitlines()[0]}` at --threads {threads}", r)
        # the timeout's repeated cancel interrupts again code that caught the interruption once;
        # code that swallows every interruption is ended anyway
        swallow_once = os.path.join(d, "swallow_once.pf")
        with open(swallow_once, "w") as f:
            f.write(SPIN + "try:\n    print(spin(2))\nexcept BaseException:\n"
                    "    print(\"swallowed once\")\nprint(spin(3))\n")
        swallow_all = os.path.join(d, "swallow_all.pf")
        with open(swallow_all, "w") as f:
            f.write(SPIN + "k = 0\nwhile k >= 0:\n    try:\n        print(spin(2))\n"
                    "    except BaseException:\n        k = k + 1\n")
        for threads in (1, 4):
            r = finish(start(pfc, swallow_once, threads, ("--timeout", "0.3")))
            check(r[0] == 124 and r[1] == "swallowed once\n" and "timed out after 0.3 s" in r[2],
                  f"--timeout interrupts again after `except BaseException` (--threads {threads})", r)
            r = finish(start(pfc, swallow_all, threads, ("--timeout", "0.3")))
            # (an interruption at the loop's own back-edge, outside the try, ends it normally)
            check(r[0] == 124 and "pfc: timed out after 0.3 s" in r[2],
                  f"--timeout ends a program that swallows every interruption (--threads {threads})",
                  r)

        r = finish(start(pfc, paths["serial"], 1, ("--timeout", "0")))
        check(r[0] == 2 and "--timeout" in r[2], "--timeout 0 is a usage error", r)
        r = finish(start(pfc, paths["serial"], 1, ("--timeout", "abc")))
        check(r[0] == 2 and "--timeout" in r[2], "--timeout abc is a usage error", r)
    print("PASS" if failures == 0 else f"{failures} FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
