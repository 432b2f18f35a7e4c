#!/usr/bin/env python3
"""Writes or checks the `# expect:` comments of corpus programs by running them under python3.

  annotate.py FILE...          rewrite each file's expectations from python3's actual behaviour
  annotate.py --check FILE...  only verify that the expectations match python3 (exit 1 if not);
                               files are never written in this mode

Each output line is attributed to the module-level statement whose print ended it: a single line
becomes a trailing `# expect:` on that line, several become comment lines right after it. When the
output does not come out in source-line order every
expectation goes, in order, to the end of the file. An uncaught exception becomes
`# expect runtime error: Name: message` on the innermost line of the file that raised it. Files marked `# nopython`
(pf-only behaviour such as int overflow) are skipped: their expectations are written by hand.
"""
import importlib.machinery
import importlib.util
import os
import re
import runpy
import sys
import traceback

EXPECT_RE = re.compile(r"\s*# expect( runtime error)?:.*$")


def strip_expectations(lines):
    """The lines without expectation comments, each with its 1-based line number in `lines`."""
    out = []
    for number, line in enumerate(lines, start=1):
        if re.match(r"^\s*# expect( runtime error)?:", line):
            continue
        out.append((number, EXPECT_RE.sub("", line)))
    return out


class Recorder:
    """Replaces sys.stdout; remembers which line of `path` wrote each newline."""

    def __init__(self, path):
        self.path = path
        self.lines = []  # (source line, text)
        self.partial = ""

    def write(self, s):
        lineno = self.caller_line()
        parts = s.split("\n")
        for p in parts[:-1]:
            self.lines.append((lineno, self.partial + p))
            self.partial = ""
        self.partial += parts[-1]
        return len(s)

    def flush(self):
        pass

    def caller_line(self):
        # the outermost frame of the program: module-level statements own their output
        f = sys._getframe(1)
        line = 0
        while f is not None:
            if f.f_code.co_filename == self.path:
                line = f.f_lineno
            f = f.f_back
        return line


class PfFinder:
    """Lets python3 import a sibling `name.pf` as module `name`, as pf does."""

    def __init__(self, directory):
        self.directory = directory

    def find_spec(self, name, path=None, target=None):
        candidate = os.path.join(self.directory, name + ".pf")
        if path is None and os.path.isfile(candidate):
            loader = importlib.machinery.SourceFileLoader(name, candidate)
            return importlib.util.spec_from_file_location(name, candidate, loader=loader)
        return None


def run(path):
    """Runs path under python3; returns (output lines with source lines, error or None)."""
    rec = Recorder(path)
    old = sys.stdout
    sys.stdout = rec
    err = None
    finder = PfFinder(os.path.dirname(os.path.abspath(path)))
    sys.meta_path.insert(0, finder)
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as e:  # the program's own uncaught error
        tb = traceback.extract_tb(e.__traceback__)
        line = max((fr.lineno for fr in tb if fr.filename == path), default=0)
        last = [fr.lineno for fr in tb if fr.filename == path]
        line = last[-1] if last else line
        msg = str(e)
        if isinstance(e, KeyError) and e.args:
            msg = repr(e.args[0])
        err = (line, f"{type(e).__name__}: {msg}" if msg else type(e).__name__)
    finally:
        sys.stdout = old
        sys.meta_path.remove(finder)
        for name in [m for m, mod in sys.modules.items()
                     if getattr(mod, "__file__", None) and mod.__file__.endswith(".pf")]:
            del sys.modules[name]
    if rec.partial:
        rec.lines.append((rec.caller_line(), rec.partial))
    return rec.lines, err


def annotate(path):
    src = open(path).read()
    if "# nopython" in src or "# nontest" in src:
        return src
    lines = strip_expectations(src.split("\n"))
    out, err = run(path)  # comments do not change what runs, so the file itself is run as is
    for _, text in out:
        if text != text.strip() or text == "":
            raise SystemExit(f"{path}: output line {text!r} has leading or trailing blanks, or is empty; change the test")
    in_order = all(a[0] <= b[0] for a, b in zip(out, out[1:])) and all(ln > 0 for ln, _ in out)
    by_line = {}
    tail = []
    if in_order:
        for ln, text in out:
            by_line.setdefault(ln, []).append(f"# expect: {text}")
    else:
        tail = [f"# expect: {text}" for _, text in out]
    if err is not None:
        if err[0] > 0:  # on the line that raised; stderr is checked apart from stdout
            by_line.setdefault(err[0], []).append(f"# expect runtime error: {err[1]}")
        else:
            tail.append(f"# expect runtime error: {err[1]}")
    result = []
    for i, line in lines:
        notes = by_line.get(i, [])
        if len(notes) == 1 and "#" not in line:
            result.append(f"{line}  {notes[0]}")
        else:
            result.append(line)
            indent = re.match(r"\s*", line).group(0)
            result.extend(indent + n for n in notes)
    while result and result[-1] == "":
        result.pop()
    if tail:
        result.append("")
        result.extend(tail)
    return "\n".join(result) + "\n"


def expectations(text):
    """The ordered stdout expectations and the runtime error of a program's text."""
    out = re.findall(r"#\s*expect:\s?(.*?)\s*$", text, re.M)
    rt = re.findall(r"#\s*expect runtime error:\s*(.*?)\s*$", text, re.M)
    return (out, rt)


def main():
    sys.dont_write_bytecode = True
    args = sys.argv[1:]
    check = False
    if args and args[0] == "--check":
        check, args = True, args[1:]
    bad = 0
    for path in args:
        original = open(path).read()
        new = annotate(path)
        if check:
            # compare what is expected, not where the comments sit (tests/lang files written by
            # hand list their expectations in other places)
            if expectations(new) != expectations(original):
                bad += 1
                print(f"stale expectations: {path}")
        elif new != original:
            with open(path, "w") as f:
                f.write(new)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
