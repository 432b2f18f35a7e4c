#!/usr/bin/env python3
"""Runs tests/lang/**/*.pf files against pfc, using the expectations written in each file.

Usage: run_lang.py --pfc PATH [--python PYTHON] [--no-python] FILE...

Expectations are comments (anywhere on a line, Wren style with '#'):
  # expect: TEXT                 one line of expected stdout, in order. The file is run with
                                 `pfc run --threads 1` and `--threads 4`; both must print exactly
                                 these lines and exit 0.
  # expect error: L:C: TEXT      a compile error: `pfc check` must exit 2 and print
                                 `FILE:L:C: error: ...TEXT...`. Every reported error must be
                                 expected (no unexpected extra errors); `L:C:` may be omitted to
                                 accept any position.
  # expect runtime error: TEXT   `pfc run` must exit 1 with TEXT in stderr, after printing the
                                 `# expect:` lines (if any) on stdout.
  # expect ast: TEXT             one line of `pfc parse --dump-ast` output, in order (golden
                                 tests for the parser); the whole dump must match.
  # skip: REASON                 the file is not run (reported as skipped, exit 0).
  # nopython                     do not compare with python3.
With no expectations at all, `pfc check` must exit 0.

When the file is valid Python (no `extern def`, no `import pf`, no `# nopython`) and has
`# expect:` or `# expect runtime error:` lines, python3 (if present) runs it too and must print
the same stdout (and, for a runtime error, fail with TEXT in its stderr): this catches wrong
expectations. Exit status: 0 if every file passed, 1 otherwise.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

EXPECT_OUT = re.compile(r"#\s*expect:\s?(.*?)\s*$")
EXPECT_ERR = re.compile(r"#\s*expect error:\s*(?:(\d+):(\d+):\s*)?(.*?)\s*$")
EXPECT_RT = re.compile(r"#\s*expect runtime error:\s*(.*?)\s*$")
EXPECT_AST = re.compile(r"#\s*expect ast:\s?(.*?)\s*$")
SKIP = re.compile(r"#\s*skip:\s*(.*?)\s*$")
NOPYTHON = re.compile(r"#\s*nopython\b")
DIAG = re.compile(r"^(.*):(\d+):(\d+): error: (.*)$")


class Expectations:
    def __init__(self, path):
        self.out = []       # expected stdout lines
        self.errors = []    # (line, col, text) with line/col None for "anywhere"
        self.runtime = None  # expected runtime error text
        self.ast = []       # expected AST dump lines
        self.skip = None
        self.python_ok = True
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for line in text.splitlines():
            m = EXPECT_RT.search(line)
            if m:
                self.runtime = m.group(1)
                continue
            m = EXPECT_ERR.search(line)
            if m:
                ln = int(m.group(1)) if m.group(1) else None
                col = int(m.group(2)) if m.group(2) else None
                self.errors.append((ln, col, m.group(3)))
                continue
            m = EXPECT_AST.search(line)
            if m:
                self.ast.append(m.group(1))
                continue
            m = EXPECT_OUT.search(line)
            if m:
                self.out.append(m.group(1))
                continue
            m = SKIP.search(line)
            if m:
                self.skip = m.group(1)
            if NOPYTHON.search(line):
                self.python_ok = False
        if re.search(r"^\s*extern\s+def\b", text, re.M) or re.search(
                r"^\s*(import\s+pf\b|from\s+pf\s+import)", text, re.M):
            self.python_ok = False


def run(cmd):
    """Runs cmd; returns (exit status, stdout, stderr) as text."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def lines_of(text):
    return text.splitlines()


def diff(expected, got):
    """A short expected-vs-got report of two line lists."""
    out = []
    n = max(len(expected), len(got))
    for i in range(n):
        e = repr(expected[i]) if i < len(expected) else "<nothing>"
        g = repr(got[i]) if i < len(got) else "<nothing>"
        if e != g:
            out.append(f"    line {i + 1}: expected {e}\n    {'':>{len(str(i + 1)) + 5}} got      {g}")
    return "\n".join(out)


def check_compile_errors(pfc, path, exp):
    code, out, err = run([pfc, "check", path])
    problems = []
    if code != 2:
        problems.append(f"`pfc check` exited {code}, expected 2 (compile error)")
    reported = []
    for line in lines_of(err):
        m = DIAG.match(line)
        if m:
            reported.append((int(m.group(2)), int(m.group(3)), m.group(4), line))
    unmatched = list(reported)
    for ln, col, text in exp.errors:
        found = None
        for r in unmatched:
            if (ln is None or (r[0] == ln and r[1] == col)) and text in r[2]:
                found = r
                break
        if found:
            unmatched.remove(found)
        else:
            where = f"{ln}:{col}: " if ln is not None else ""
            problems.append(f"expected error not reported: {where}{text}")
    for r in unmatched:
        problems.append(f"unexpected error: {r[3]}")
    if problems:
        return problems + ["stderr was:\n" + err.rstrip()]
    return []


def check_ast(pfc, path, exp):
    code, out, err = run([pfc, "parse", "--dump-ast", path])
    if code != 0:
        return [f"`pfc parse --dump-ast` exited {code}, expected 0", "stderr was:\n" + err.rstrip()]
    got = lines_of(out)
    if got != exp.ast:
        return ["AST dump differs:\n" + diff(exp.ast, got)]
    return []


def check_run(pfc, path, exp):
    problems = []
    want_code = 1 if exp.runtime is not None else 0
    for threads in ("1", "4"):
        code, out, err = run([pfc, "run", "--threads", threads, path])
        tag = f"`pfc run --threads {threads}`"
        if code != want_code:
            problems.append(f"{tag} exited {code}, expected {want_code}")
            if err.strip():
                problems.append("stderr was:\n" + err.rstrip())
        got = lines_of(out)
        if got != exp.out:
            problems.append(f"{tag} printed wrong output:\n" + diff(exp.out, got))
        if exp.runtime is not None and exp.runtime not in err:
            problems.append(f"{tag}: stderr does not contain {exp.runtime!r}; stderr was:\n"
                            + err.rstrip())
        if problems:
            break
    return problems


# Runs a .pf file under python3 so that `import foo` finds a sibling foo.pf, as pfc does.
PY_BOOTSTRAP = """
import importlib.machinery, importlib.util, os, runpy, sys
path = sys.argv[1]
here = os.path.dirname(os.path.abspath(path))
class PfFinder:
    def find_spec(self, name, p=None, target=None):
        f = os.path.join(here, name + ".pf")
        if p is None and os.path.isfile(f):
            return importlib.util.spec_from_file_location(
                name, f, loader=importlib.machinery.SourceFileLoader(name, f))
        return None
sys.meta_path.insert(0, PfFinder())
sys.argv = sys.argv[1:]
runpy.run_path(path, run_name="__main__")
"""


def check_python(python, path, exp):
    code, out, err = run([python, "-c", PY_BOOTSTRAP, path])
    problems = []
    if exp.runtime is None and code != 0:
        problems.append(f"python3 exited {code} (is the test valid Python?); stderr:\n"
                        + err.rstrip())
    if exp.runtime is not None:
        if code == 0:
            problems.append("python3 succeeded but the test expects a runtime error")
        elif exp.runtime not in err:
            problems.append(f"python3's stderr does not contain {exp.runtime!r}:\n" + err.rstrip())
    got = lines_of(out)
    if got != exp.out:
        problems.append("python3 prints something else (wrong expectation?):\n"
                        + diff(exp.out, got))
    return problems


def test_file(pfc, python, path):
    """Returns (status, problems) with status 'pass', 'fail' or 'skip'."""
    exp = Expectations(path)
    if exp.skip is not None:
        return "skip", [exp.skip]
    problems = []
    if exp.errors:
        problems += check_compile_errors(pfc, path, exp)
    elif exp.out or exp.runtime is not None:
        if python and exp.python_ok:
            problems += check_python(python, path, exp)
        problems += check_run(pfc, path, exp)
    else:
        if exp.ast:
            problems += check_ast(pfc, path, exp)
        code, out, err = run([pfc, "check", path])
        if code != 0:
            problems.append(f"`pfc check` exited {code}, expected 0; stderr:\n" + err.rstrip())
    return ("fail" if problems else "pass"), problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pfc", required=True, help="path to the pfc executable")
    ap.add_argument("--python", default=None, help="python3 to compare with (default: PATH)")
    ap.add_argument("--no-python", action="store_true", help="do not compare with python3")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    python = None if args.no_python else (args.python or shutil.which("python3"))
    if not os.access(args.pfc, os.X_OK):
        print(f"run_lang.py: pfc not found or not executable: {args.pfc}", file=sys.stderr)
        return 2
    failed = 0
    for path in args.files:
        status, problems = test_file(args.pfc, python, path)
        if status == "fail":
            failed += 1
            print(f"FAIL {path}")
            for p in problems:
                print("  " + p.replace("\n", "\n  "))
        elif status == "skip":
            print(f"SKIP {path}: {problems[0]}")
        elif len(args.files) > 1:
            print(f"PASS {path}")
    if len(args.files) > 1:
        print(f"{len(args.files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
