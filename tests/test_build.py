#!/usr/bin/env python3
"""`pfc build` (ahead-of-time executables, driver/build.c) and `extern def` (issue 9): every
examples/*.pf built and run at --threads 1 and 4 must print its .out file, like `pfc run`; exit
statuses (runtime error 1 with the same traceback as `pfc run`, compile error 2 with no output
file, SIGINT 130, --timeout 124, bad option 2); PF_THREADS; -O0/-O3, --static-runtime, the
default output name and an installed pfc; extern calls of libm and of a named library (a C
library built here, with bool and str), and a missing symbol reported at its extern def by both
run and build.
Usage: test_build.py --pfc PATH

No wall-clock limits: each child only gets a generous timeout against hangs."""
import argparse
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
HANG = 300  # seconds: only against hangs, never a measured limit
failures = 0


def check(cond, what, res=None):
    global failures
    if cond:
        print(f"ok: {what}")
        return
    failures += 1
    print(f"FAIL: {what}")
    if res is not None:
        code, out, err = res
        print(f"  exit {code}\n  stdout: {out[-600:]!r}\n  stderr: {err[-600:]!r}")


def run(cmd, env=None, cwd=None):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG, env=env, cwd=cwd)
    except subprocess.TimeoutExpired:
        return ("hang", "", "")
    return (p.returncode, p.stdout, p.stderr)


def build(pfc, src, out, *opts):
    return run([pfc, "build", *opts, str(src), "-o", str(out)])


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


LIB_C = r"""
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
bool pft_is_even(int64_t x) { return x % 2 == 0; }
bool pft_both(bool a, bool b) { return a && b; }
int64_t pft_count(const char *s, int64_t c) {
    int64_t n = 0;
    for (; *s; s++) n += *s == c;
    return n;
}
const char *pft_pick(bool first) { return first ? "first" : "second"; }
double pft_scale(double x, int64_t k) { return x * (double)k; }
"""


def ext_prog(lib):
    return f'''extern def pft_is_even(x: int) -> bool from "{lib}"
extern def pft_both(a: bool, b: bool) -> bool from "{lib}"
extern def pft_count(s: str, c: int) -> int from "{lib}"
extern def pft_pick(first: bool) -> str from "{lib}"
extern def pft_scale(x: float, k: int) -> float from "{lib}"
extern def cos(x: float) -> float
extern def atan2(y: float, x: float) -> float from "libm.so.6"
print(pft_is_even(4), pft_is_even(7), pft_both(True, False), pft_both(True, True))
print(pft_count("banana", 97), pft_pick(True), pft_pick(1 > 2), pft_scale(1.5, 4))
print([x for x in range(10) if pft_is_even(x)])
print(cos(0.0), atan2(0.0, -1.0))
'''


EXT_OUT = ("True False False True\n3 first second 6.0\n[0, 2, 4, 6, 8]\n"
           "1.0 3.141592653589793\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pfc", required=True)
    pfc = os.path.abspath(ap.parse_args().pfc)
    with tempfile.TemporaryDirectory() as d:
        # every example, at 1 and 4 threads, against its .out and against `pfc run`
        for src in sorted(EXAMPLES.glob("*.pf")):
            exe = os.path.join(d, src.stem)
            r = build(pfc, src, exe)
            check(r[0] == 0 and os.access(exe, os.X_OK), f"build {src.name}", r)
            if r[0] != 0:
                continue
            want = src.with_suffix(".out").read_text()
            for t in ("1", "4"):
                r = run([exe, "--threads", t])
                check(r[0] == 0 and r[1] == want, f"{src.name} built, --threads {t}: output", r)
                if t == "4":
                    j = run([pfc, "run", "--threads", t, str(src)])
                    check(j[:2] == r[:2], f"{src.name}: the same output and status as pfc run", j)

        # exit statuses
        rterr = write(d, "rterr.pf", "def f(x: int) -> int:\n    return 10 // x\n\n\n"
                      "print(f(2))\nprint(f(0))\n")
        exe = os.path.join(d, "rterr")
        check(build(pfc, rterr, exe)[0] == 0, "build a program that fails at run time")
        r, j = run([exe]), run([pfc, "run", rterr])
        check(r[0] == 1 and r[1] == "5\n" and "ZeroDivisionError" in r[2] and "line 2, in f" in r[2],
              "runtime error: exit 1, output flushed, traceback", r)
        check(r == j, "runtime error: exactly as pfc run", j)

        bad = write(d, "bad.pf", "x = 1\nprint(x +)\n")
        exe = os.path.join(d, "bad")
        r = build(pfc, bad, exe)
        check(r[0] == 2 and "bad.pf:2:" in r[2] and not os.path.exists(exe),
              "compile error: exit 2 with the diagnostic, no output file", r)
        typo = write(d, "typo.pf", "print(undefined_name)\n")
        r = build(pfc, typo, os.path.join(d, "typo"))
        check(r[0] == 2 and "typo.pf:1:" in r[2] and not os.path.exists(os.path.join(d, "typo")),
              "type error: exit 2, no output file", r)
        r = run([pfc, "build", os.path.join(d, "missing.pf"), "-o", os.path.join(d, "m")])
        check(r[0] == 2 and "cannot read" in r[2], "unreadable file: exit 2", r)
        r = run([pfc, "build", "-O7", rterr])
        check(r[0] == 2 and "unknown option" in r[2], "bad option: exit 2", r)

        spin = write(d, "spin.pf", 'def spin(n: int) -> int:\n    print("ready")\n    i = 0\n'
                     '    while i >= 0:\n        i = i + n\n    return i\n\n\nprint(spin(1))\n')
        exe = os.path.join(d, "spin")
        check(build(pfc, spin, exe)[0] == 0, "build an endless program")
        for t in ("1", "4"):
            r = run([exe, "--threads", t, "--timeout", "0.3"])
            check(r[0] == 124 and r[1] == "ready\n" and "timed out after 0.3 s" in r[2],
                  f"--timeout at --threads {t}: exit 124", r)
            cmd = [exe, "--threads", t]
            if shutil.which("stdbuf"):
                cmd = ["stdbuf", "-oL", *cmd]
            env = dict(os.environ)
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                         "verify_asan_link_order=0"]))
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=env)
            first = p.stdout.readline()
            p.send_signal(signal.SIGINT)
            try:
                out, err = p.communicate(timeout=HANG)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
            lines = err.strip().splitlines()
            check(first == "ready\n" and p.returncode == 130 and lines[-1:] == ["KeyboardInterrupt"]
                  and any(line.endswith(", in spin") for line in lines),
                  f"SIGINT at --threads {t}: exit 130, traceback ending in KeyboardInterrupt",
                  (p.returncode, first + out, err))
        r = run([exe, "--threads", "0"])
        check(r[0] == 2 and "--threads" in r[2], "bad --threads value: exit 2", r)

        # PF_THREADS, --stats, program arguments after the run options
        par = write(d, "par.pf", "print(sum([i * i for i in range(100000)]))\n")
        exe = os.path.join(d, "par")
        check(build(pfc, par, exe, "-O3")[0] == 0, "build with -O3")
        env = dict(os.environ, PF_THREADS="3")
        r = run([exe, "--stats"], env=env)
        check(r[0] == 0 and r[1] == "333328333350000\n" and "pf runtime: 3 workers" in r[2],
              "PF_THREADS=3 and --stats", r)
        r = run([exe, "--threads", "2", "--stats"], env=env)
        check(r[0] == 0 and "pf runtime: 2 workers" in r[2], "--threads wins over PF_THREADS", r)
        r = run([exe, "--threads=2", "--timeout=60", "--stats"], env=env)
        check(r[0] == 0 and r[1] == "333328333350000\n" and "pf runtime: 2 workers" in r[2],
              "--threads=2 --timeout=60 (the = form)", r)
        r = run([exe, "--threads", "2", "some", "--threads", "args"])
        check(r[0] == 0 and r[1] == "333328333350000\n", "program arguments end the run options", r)
        # sys.argv of a built program: its path, then its own arguments (after the run options)
        argv = write(d, "argv.pf", "import sys\nprint(sys.argv)\n")
        exe_argv = os.path.join(d, "argv")
        check(build(pfc, argv, exe_argv)[0] == 0, "build a program reading sys.argv")
        r = run([exe_argv, "--threads=2", "a", "--", "--stats"])
        check(r == (0, f"['{exe_argv}', 'a', '--', '--stats']\n", ""), "sys.argv after run options", r)
        r = run([exe_argv, "--", "--threads", "2"])
        check(r == (0, f"['{exe_argv}', '--threads', '2']\n", ""), "-- ends the run options", r)
        exe0 = os.path.join(d, "par0")
        r = build(pfc, par, exe0, "-O0")
        check(r[0] == 0 and run([exe0])[1] == "333328333350000\n", "build with -O0", r)
        r = run([pfc, "build", "par.pf"], cwd=d)
        check(r[0] == 0 and run([os.path.join(d, "par")])[1] == "333328333350000\n",
              "default output: the file's name without .pf", r)
        exes = os.path.join(d, "par_static")
        r = build(pfc, par, exes, "--static-runtime")
        if r[0] == 2 and "not available in a sanitizer build" in r[2]:
            print("skip: --static-runtime (sanitizers need shared libraries)")
        else:
            check(r[0] == 0 and run([exes, "--threads", "2"])[1] == "333328333350000\n",
                  "--static-runtime: a fully static executable runs", r)
        if r[0] == 0 and shutil.which("ldd"):
            l = run(["ldd", exes])
            check("not a dynamic executable" in (l[1] + l[2]) or "statically linked" in (l[1] + l[2]),
                  "--static-runtime: no shared libraries", l)

        # an installed pfc finds the archives in <prefix>/lib/pf (pfc sits in the build tree's top)
        if shutil.which("cmake") and os.path.exists(os.path.join(os.path.dirname(pfc), "CMakeCache.txt")):
            prefix = os.path.join(d, "prefix")
            r = run(["cmake", "--install", os.path.dirname(pfc), "--prefix", prefix])
            inst = os.path.join(prefix, "bin", "pfc")
            check(r[0] == 0 and os.access(inst, os.X_OK)
                  and os.path.exists(os.path.join(prefix, "lib", "pf", "libpf_rt.a")),
                  "cmake --install puts pfc in bin/ and the runtime archives in lib/pf/", r)
            exe = os.path.join(d, "par_inst")
            r = build(inst, par, exe)
            check(r[0] == 0 and run([exe])[1] == "333328333350000\n", "an installed pfc builds", r)

        # extern def: a C library built here (bool, str, int, float), libm from the process and
        # by name, through the JIT and through pfc build
        if shutil.which("cc"):
            lib = os.path.join(d, "libpftest.so")
            c = write(d, "pftest.c", LIB_C)
            r = run(["cc", "-shared", "-fPIC", "-o", lib, c])
            check(r[0] == 0, "build the test C library", r)
            prog = write(d, "ext.pf", ext_prog(lib))
            r = run([pfc, "run", prog])
            check(r == (0, EXT_OUT, ""), "extern calls through the JIT", r)
            exe = os.path.join(d, "ext")
            r = build(pfc, prog, exe)
            check(r[0] == 0, "build a program with extern calls", r)
            r = run([exe, "--threads", "4"])
            check(r == (0, EXT_OUT, ""), "extern calls in the built program", r)

        # the REPL resolves extern defs per entry the same way (codegen/cg_session.c)
        p = subprocess.run([pfc, "repl"], input='extern def atan2(y: float, x: float) -> float from '
                           '"libm.so.6"\nprint(atan2(1.0, 1.0))\nextern def nosuch(x: int) -> int '
                           'from "libm.so.6"\nprint(nosuch(1))\nextern def cos(x: float) -> float\nprint(cos(0.0))\n',
                           capture_output=True, text=True, timeout=HANG)
        r = (p.returncode, p.stdout, p.stderr)
        check(r[1] == "0.7853981633974483\n1.0\n"
              and "3:1: error: extern def nosuch: no C symbol 'nosuch' in 'libm.so.6'" in r[2],
              "pfc repl: extern calls, and a missing symbol at its extern def", r)

        for where, text, msg in (
                ("process", "extern def pf_no_such_fn(x: int) -> int\nprint(pf_no_such_fn(1))\n",
                 "no C symbol 'pf_no_such_fn' in the process"),
                ("library", 'x = 1\nextern def pf_no_such_fn(x: int) -> int from "libm.so.6"\n'
                 'print(pf_no_such_fn(x))\n', "no C symbol 'pf_no_such_fn' in 'libm.so.6'"),
                ("no library", 'extern def f(x: int) -> int from "libpf_surely_missing.so"\n'
                 'print(f(1))\n', "cannot load library 'libpf_surely_missing.so'")):
            prog = write(d, "unknown.pf", text)
            line = 2 if where == "library" else 1
            exe = os.path.join(d, "unknown")
            r = run([pfc, "run", prog])
            check(r[0] == 2 and f"unknown.pf:{line}:1: error: " in r[2] and msg in r[2] and r[1] == "",
                  f"pfc run: missing extern symbol ({where}) is an error at its extern def", r)
            r = build(pfc, prog, exe)
            check(r[0] == 2 and f"unknown.pf:{line}:1: error: " in r[2] and msg in r[2]
                  and not os.path.exists(exe),
                  f"pfc build: missing extern symbol ({where}) is an error, no output file", r)
    print("PASS" if failures == 0 else f"{failures} FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
