#!/usr/bin/env python3
"""Checks pfc's command line (driver/main.c): --help, --version, usage errors, unreadable files,
`check` and `parse --dump-ast` exit statuses and output shapes. Usage: test_cli.py --pfc PATH"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading

failures = 0


def run(pfc, *args):
    p = subprocess.run([pfc, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(cond, what, result):
    global failures
    if not cond:
        failures += 1
        code, out, err = result
        print(f"FAIL: {what}\n  exit {code}\n  stdout: {out!r}\n  stderr: {err!r}")


def flush_reaches_pipe(pfc, d):
    """print("ready", flush=True), then a loop that never ends: the line must reach the pipe while
    pfc still runs (stdout is fully buffered when piped; SIGKILL drops what was not flushed)."""
    path = os.path.join(d, "flush.pf")
    with open(path, "w") as f:
        f.write('print("ready", flush=True)\nt = 0\nwhile t >= 0:\n    t = (t + 1) % 7\n')
    p = subprocess.Popen([pfc, "run", "--threads", "1", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    guard = threading.Timer(120, p.kill)  # a hang guard only: a flushed line arrives at once
    guard.start()
    line = p.stdout.readline()
    p.kill()
    p.communicate()
    guard.cancel()
    return line == "ready\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pfc", required=True)
    pfc = ap.parse_args().pfc
    with tempfile.TemporaryDirectory() as d:
        good = os.path.join(d, "good.pf")
        bad = os.path.join(d, "bad.pf")
        with open(good, "w") as f:
            f.write("x = 1 + 2 * 3\nprint(x)\n")
        with open(bad, "w") as f:
            f.write("x = 1\nif x\n    pass\ny = (1 +\n")

        r = run(pfc, "--help")
        check(r[0] == 0 and all(c in r[1] for c in ("run", "build", "check", "parse", "repl",
                                                     "--threads", "--version")),
              "--help lists the subcommands and options, exit 0", r)
        r = run(pfc, "-h")
        check(r[0] == 0 and "usage: pfc" in r[1], "-h is --help", r)
        r = run(pfc, "--version")
        check(r[0] == 0 and r[1].startswith("pfc "), "--version prints 'pfc X.Y.Z', exit 0", r)
        r = run(pfc, "--frobnicate")
        check(r[0] == 2 and "unknown option '--frobnicate'" in r[2] and "usage" in r[2],
              "unknown option: usage error, exit 2", r)
        r = run(pfc, "frobnicate")
        check(r[0] == 2 and "unknown command 'frobnicate'" in r[2], "unknown command, exit 2", r)
        r = run(pfc, "check")
        check(r[0] == 2 and "no file given" in r[2], "check without a file, exit 2", r)
        r = run(pfc, "check", "--bogus", good)
        check(r[0] == 2 and "unknown option '--bogus'" in r[2], "check with a bad option", r)
        missing = os.path.join(d, "missing.pf")
        r = run(pfc, "check", missing)
        check(r[0] == 2 and r[2].count("\n") == 1 and "cannot read" in r[2] and missing in r[2],
              "missing file: one-line error, exit 2", r)
        r = run(pfc, "check", d)
        check(r[0] == 2 and r[2].count("\n") == 1 and "cannot read" in r[2],
              "a directory: one-line error, exit 2", r)
        r = run(pfc, "check", good)
        check(r[0] == 0 and r[1] == "" and r[2] == "", "check of a valid file: silent, exit 0", r)
        r = run(pfc, "check", bad)
        check(r[0] == 2 and f"{bad}:2:5: error: expected ':'" in r[2]
              and f"{bad}:4:5: error: '(' was never closed" in r[2],
              "check reports every syntax error with file:line:col, exit 2", r)
        lines = r[2].splitlines()
        check(len(lines) >= 3 and lines[1] == "    if x" and lines[2] == "        ^",
              "the source line and a caret under the column follow the message", r)
        r = run(pfc, "parse", "--dump-ast", good)
        check(r[0] == 0 and r[1] == "(module\n  (= x (+ 1 (* 2 3)))\n  (expr (call print x)))\n",
              "parse --dump-ast prints the tree", r)
        r = run(pfc, "parse", "--dump-ast", bad)
        check(r[0] == 2 and r[1] == "", "parse --dump-ast of a bad file: errors only, exit 2", r)
        r = run(pfc, "parse", "--dump-tokens", good)
        check(r[0] == 0 and r[1].startswith("1:1 name x\n1:3 '='\n"), "parse --dump-tokens", r)
        trace = os.path.join(d, "trace.json")
        r = run(pfc, "run", "--threads", "2", "--stats", "--workspan", "--trace", trace, good)
        check(r[0] == 0 and r[1] == "7\n" and "parallelism" in r[2] and "64 cores" in r[2],
              "run --stats --workspan prints work, span and parallelism", r)
        try:
            with open(trace) as f:
                events = json.load(f)["traceEvents"]
            ok = isinstance(events, list)
        except (OSError, ValueError, KeyError):
            ok = False
        check(ok, "run --trace FILE writes Chrome trace JSON", r)
        deep = os.path.join(d, "deep.pf")
        with open(deep, "w") as f:
            f.write("def f(n):\n    if n < 0:\n        return 0\n    return f(n + 1) + 1\n\nprint(f(0))\n")
        r = run(pfc, "run", deep)
        repeated = re.search(r"\[Previous line repeated (\d+) more times\]", r[2])
        check(r[0] == 1 and repeated is not None and int(repeated.group(1)) >= 19990
              and r[2].endswith("RecursionError: maximum recursion depth exceeded\n")
              and r[2].count("\n") < 12,
              "a RecursionError traceback collapses repeated frames as CPython does", r)
        frames = [l for l in r[2].splitlines() if l.startswith("  File")]
        check(frames[-1:] == [f'  File "{deep}", line 4, in f'],
              "the innermost RecursionError frame is the call line, not the callee's def line", r)
        check(flush_reaches_pipe(pfc, d), "print(flush=True) writes through a pipe at once",
              (None, "", ""))
        r = run(pfc, "run", "--threads", "0", good)
        check(r[0] == 2 and "not a thread count" in r[2], "run --threads 0 is a usage error", r)
        # sys.argv: FILE, then the program's arguments, exactly as python3 gives them
        argv = os.path.join(d, "argv.pf")
        with open(argv, "w") as f:
            f.write("import sys\nprint(sys.argv)\nprint(len(sys.argv[1:]))\n")
        for extra in ([], ["a", "b c", "--threads", "3", "--", ""]):
            r = run(pfc, "run", "--threads=2", argv, *extra)
            py = subprocess.run([sys.executable, argv, *extra], capture_output=True, text=True)
            check(r[0] == 0 and r[1] == py.stdout and r[1].startswith(f"['{argv}'"),
                  f"run FILE {extra}: sys.argv as python3's", r)
        # the `=` form of every valued run option (launch_parse_opt)
        r = run(pfc, "run", "--threads=2", "--timeout=60", f"--trace={trace}", "--stats", good)
        check(r[0] == 0 and r[1] == "7\n" and "2 workers" in r[2], "run --threads=2 --timeout=60 --trace=F", r)
        r = run(pfc, "run", "--threads=0", good)
        check(r[0] == 2 and "not a thread count: '0'" in r[2], "run --threads=0 is a usage error", r)
        r = run(pfc, "run", "--timeout=", good)
        check(r[0] == 2 and "not a number of seconds" in r[2], "run --timeout= is a usage error", r)
        r = run(pfc, "run", "--threadsx=2", good)
        check(r[0] == 2 and "unknown option '--threadsx=2'" in r[2], "run --threadsx=2 is unknown", r)
    if failures:
        print(f"test_cli: {failures} failure(s)")
        return 1
    print("test_cli: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
