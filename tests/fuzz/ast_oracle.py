#!/usr/bin/env python3
"""Python's own parser as the oracle for pfc's: prints a file's tree from Python's `ast` module
in the notation of `pfc parse --dump-ast` (parser/ast.c), and compares the two.

Usage: ast_oracle.py --pfc PATH FILE|DIR...  compare every file (pf files that are valid Python)
       ast_oracle.py --dump FILE             print Python's tree in pfc's notation
       ast_oracle.py --pfc PATH --random N   compare N random expressions (precedence check)
Files pfc rejects, or that use pf-only syntax (extern), are skipped. Exit 1 on any difference.
"""
import argparse
import ast
import os
import random
import subprocess
import sys
import tempfile
import warnings

BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
          ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
          ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
UNOPS = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Not: "not"}
CMPOPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
          ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}


def q(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif c < 0x20 or c == 0x7f:
            out.append("\\x%02x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class Dumper:
    def __init__(self, source):
        self.lines = source.splitlines()

    def params(self, args):
        defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
        parts = []
        for a, d in zip(args.args, defaults):
            if a.annotation is None and d is None:
                parts.append(a.arg)
                continue
            s = "(" + a.arg
            if a.annotation is not None:
                s += " : " + self.e(a.annotation)
            if d is not None:
                s += " = " + self.e(d)
            parts.append(s + ")")
        return "(" + " ".join(parts) + ")"

    def comp(self, head, elt, gens, key=None):
        s = "(" + head + " "
        if key is not None:
            s += self.e(key) + " "
        s += self.e(elt)
        for g in gens:
            s += " (for " + self.e(g.target) + " " + self.e(g.iter)
            for c in g.ifs:
                s += " (if " + self.e(c) + ")"
            s += ")"
        return s + ")"

    def e(self, n):
        if n is None:
            return "nil"
        t = type(n)
        if t is ast.Constant:
            v = n.value
            if v is True or v is False or v is None:
                return str(v)
            if v is Ellipsis:
                return "..."
            if isinstance(v, int):
                return str(v)
            if isinstance(v, float):
                return repr(v)
            if isinstance(v, str):
                return q(v)
            raise ValueError("constant %r" % (v,))
        if t is ast.Name:
            return n.id
        if t is ast.JoinedStr:
            return "(fstring" + "".join(" " + self.e(v) for v in n.values) + ")"
        if t is ast.FormattedValue:
            s = "(format " + self.e(n.value)
            if n.conversion != -1:
                s += " !" + chr(n.conversion)
            if n.format_spec is not None:
                s += " " + self.e(n.format_spec)
            return s + ")"
        if t in (ast.Tuple, ast.List, ast.Set):
            head = {ast.Tuple: "tuple", ast.List: "list", ast.Set: "set"}[t]
            return "(" + head + "".join(" " + self.e(x) for x in n.elts) + ")"
        if t is ast.Dict:
            return "(dict" + "".join(" (%s %s)" % (self.e(k), self.e(v))
                                     for k, v in zip(n.keys, n.values)) + ")"
        if t is ast.ListComp:
            return self.comp("listcomp", n.elt, n.generators)
        if t is ast.SetComp:
            return self.comp("setcomp", n.elt, n.generators)
        if t is ast.GeneratorExp:
            return self.comp("genexp", n.elt, n.generators)
        if t is ast.DictComp:
            return self.comp("dictcomp", n.value, n.generators, key=n.key)
        if t is ast.Subscript:
            return "(index %s %s)" % (self.e(n.value), self.e(n.slice))
        if t is ast.Slice:
            return "(slice %s %s %s)" % (self.e(n.lower), self.e(n.upper), self.e(n.step))
        if t is ast.Attribute:
            return "(. %s %s)" % (self.e(n.value), n.attr)
        if t is ast.Call:
            s = "(call " + self.e(n.func) + "".join(" " + self.e(a) for a in n.args)
            s += "".join(" (%s = %s)" % (k.arg, self.e(k.value)) for k in n.keywords)
            return s + ")"
        if t is ast.Starred:
            return "(* " + self.e(n.value) + ")"
        if t is ast.UnaryOp:
            if (type(n.op) is ast.USub and type(n.operand) is ast.Constant
                    and n.operand.value == 2 ** 63 and type(n.operand.value) is int):
                return "-9223372036854775808"
            return "(%s %s)" % (UNOPS[type(n.op)], self.e(n.operand))
        if t is ast.BinOp:
            return "(%s %s %s)" % (BINOPS[type(n.op)], self.e(n.left), self.e(n.right))
        if t is ast.BoolOp:
            return "(" + ("and" if type(n.op) is ast.And else "or") + "".join(
                " " + self.e(v) for v in n.values) + ")"
        if t is ast.Compare:
            s = "(cmp " + self.e(n.left)
            for op, c in zip(n.ops, n.comparators):
                s += " %s %s" % (CMPOPS[type(op)], self.e(c))
            return s + ")"
        if t is ast.IfExp:
            return "(ifexp %s %s %s)" % (self.e(n.test), self.e(n.body), self.e(n.orelse))
        if t is ast.Lambda:
            return "(lambda %s %s)" % (self.params(n.args), self.e(n.body))
        raise ValueError("expression " + t.__name__)

    def section(self, head, body, ind):
        s = "\n" + "  " * ind + "(" + head
        for st in body:
            s += self.s(st, ind + 1)
        return s + ")"

    def is_elif(self, orelse):
        if len(orelse) != 1 or type(orelse[0]) is not ast.If:
            return False
        n = orelse[0]
        line = self.lines[n.lineno - 1]
        return line[n.col_offset:].startswith("elif") or line.lstrip().startswith("elif")

    def s(self, n, ind, elif_=False):
        pre = "\n" + "  " * ind
        t = type(n)
        if t is ast.Expr:
            return pre + "(expr " + self.e(n.value) + ")"
        if t is ast.Assign:
            return pre + "(=" + "".join(" " + self.e(x) for x in n.targets) + " " + \
                self.e(n.value) + ")"
        if t is ast.AugAssign:
            return pre + "(%s= %s %s)" % (BINOPS[type(n.op)], self.e(n.target), self.e(n.value))
        if t is ast.AnnAssign:
            return pre + "(: %s %s %s)" % (self.e(n.target), self.e(n.annotation),
                                           self.e(n.value))
        if t is ast.FunctionDef:
            s = "".join(pre + "(@ " + self.e(d) + ")" for d in n.decorator_list)
            s += pre + "(def %s %s -> %s" % (n.name, self.params(n.args), self.e(n.returns))
            return s + "".join(self.s(x, ind + 1) for x in n.body) + ")"
        if t is ast.ClassDef:
            s = "".join(pre + "(@ " + self.e(d) + ")" for d in n.decorator_list)
            s += pre + "(class %s (%s)" % (n.name, " ".join(self.e(b) for b in n.bases))
            return s + "".join(self.s(x, ind + 1) for x in n.body) + ")"
        if t is ast.If:
            s = pre + "(%s %s" % ("elif" if elif_ else "if", self.e(n.test))
            s += self.section("then", n.body, ind + 1)
            if n.orelse:
                if self.is_elif(n.orelse):
                    s += "\n" + "  " * (ind + 1) + "(else" + self.s(n.orelse[0], ind + 2, True) + ")"
                else:
                    s += self.section("else", n.orelse, ind + 1)
            return s + ")"
        if t in (ast.For, ast.While):
            if t is ast.For:
                s = pre + "(for %s %s" % (self.e(n.target), self.e(n.iter))
            else:
                s = pre + "(while %s" % self.e(n.test)
            s += self.section("do", n.body, ind + 1)
            if n.orelse:
                s += self.section("else", n.orelse, ind + 1)
            return s + ")"
        if t is ast.Break:
            return pre + "(break)"
        if t is ast.Continue:
            return pre + "(continue)"
        if t is ast.Pass:
            return pre + "(pass)"
        if t is ast.Return:
            return pre + "(return" + ("" if n.value is None else " " + self.e(n.value)) + ")"
        if t is ast.Assert:
            return pre + "(assert " + self.e(n.test) + (
                "" if n.msg is None else " " + self.e(n.msg)) + ")"
        if t is ast.Import:
            return pre + "(import" + "".join(
                " (%s as %s)" % (a.name, a.asname) if a.asname else " " + a.name
                for a in n.names) + ")"
        if t is ast.ImportFrom:
            return pre + "(from " + "." * n.level + (n.module or "") + "".join(
                " (%s as %s)" % (a.name, a.asname) if a.asname else " " + a.name
                for a in n.names) + ")"
        if t is ast.Try:
            s = pre + "(try" + self.section("body", n.body, ind + 1)
            for h in n.handlers:
                s += "\n" + "  " * (ind + 1) + "(except %s %s" % (self.e(h.type), h.name or "nil")
                s += "".join(self.s(x, ind + 2) for x in h.body) + ")"
            if n.orelse:
                s += self.section("else", n.orelse, ind + 1)
            if n.finalbody:
                s += self.section("finally", n.finalbody, ind + 1)
            return s + ")"
        if t is ast.Raise:
            s = pre + "(raise"
            if n.exc is not None:
                s += " " + self.e(n.exc)
            if n.cause is not None:
                s += " from " + self.e(n.cause)
            return s + ")"
        if t in (ast.Global, ast.Nonlocal):
            return pre + ("(global" if t is ast.Global else "(nonlocal") + "".join(
                " " + x for x in n.names) + ")"
        if t is ast.Delete:
            return pre + "(del" + "".join(" " + self.e(x) for x in n.targets) + ")"
        raise ValueError("statement " + t.__name__)

    def module(self, tree):
        return "(module" + "".join(self.s(x, 1) for x in tree.body) + ")\n"


def python_dump(path):
    with open(path, encoding="utf-8") as f:
        src = f.read()
    return Dumper(src).module(ast.parse(src, path))


def pfc_dump(pfc, path):
    p = subprocess.run([pfc, "parse", "--dump-ast", path], capture_output=True)
    if p.returncode != 0:
        return None
    return p.stdout.decode("utf-8")


def compare(pfc, path, strict=False):
    """Returns None if equal or skipped, else a message. pfc rejecting the file is a skip, or,
    when strict (generated inputs, all within pf's syntax), a difference."""
    mine = pfc_dump(pfc, path)
    if mine is None:
        return f"{path}: pfc rejects it, python3 accepts it" if strict else None
    try:
        theirs = python_dump(path)
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return None
    if mine == theirs:
        return None
    a, b = mine.splitlines(), theirs.splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"{path}: line {i + 1} of the dump differs:\n  pfc:    {x}\n  python: {y}"
    return f"{path}: dumps differ in length ({len(a)} vs {len(b)} lines)"


def random_expr(rng, depth=0):
    atoms = ["a", "b", "c", "1", "2", "3.5", "xs", "True", "None", "'s'"]
    if depth > 4 or rng.random() < 0.25:
        return rng.choice(atoms)
    r = rng.random()
    sub = lambda: random_expr(rng, depth + 1)
    if r < 0.35:
        op = rng.choice(["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "and",
                         "or", "<", "<=", "==", "!=", ">", ">=", "in", "not in", "is", "is not"])
        return f"{sub()} {op} {sub()}"
    if r < 0.5:
        return rng.choice(["-", "+", "~", "not "]) + sub()
    if r < 0.6:
        return f"({sub()})"
    if r < 0.67:
        return f"{sub()} if {sub()} else {sub()}"
    if r < 0.72:
        return f"f({sub()}, k={sub()})"
    if r < 0.77:
        return f"xs[{sub()}:{sub()}]"
    if r < 0.82:
        return f"[{sub()} for a in xs if {sub()}]"
    if r < 0.86:
        return f"(lambda a: {sub()})"
    if r < 0.9:
        return f"{sub()}.real"
    if r < 0.95:
        return f"({sub()}, {sub()})"
    return f"{{{sub()}: {sub()}}}"


def random_literals(rng, n):
    """n lines of random int (every base, underscores), float, string (every escape, raw) and
    f-string literals: checks the lexer's decoding against Python's."""
    def num():
        k = rng.randrange(6)
        if k == 0:
            return hex(rng.randrange(2 ** 63)).replace("0x", rng.choice(["0x", "0X"]))
        if k == 1:
            return oct(rng.randrange(2 ** 63))
        if k == 2:
            return bin(rng.randrange(2 ** 20))
        if k == 3:
            d = str(rng.randrange(10 ** rng.randrange(1, 19)))
            return "_".join(d[i:i + 3] for i in range(0, len(d), 3)) if rng.random() < 0.5 else d
        if k == 4:
            return repr(rng.uniform(0, 1e10))
        return (f"{rng.randrange(1, 999)}.{rng.randrange(0, 99999)}" + rng.choice(["e", "E"])
                + rng.choice(["", "+", "-"]) + str(rng.randrange(0, 330)))

    def string():
        chars = ["a", "\\n", "\\t", "\\\\", "\\x41", "\\u00e9", "\\U0001F600", "\\0", "\\101",
                 "\\'", '"', "\u00e9", "{", "}", " ", "\\q", "\\a", "\\b", "\\f", "\\v", "\\r"]
        body = "".join(rng.choice(chars) for _ in range(rng.randrange(0, 8)))
        prefix = rng.choice(["", "r", "u", "R"])
        if prefix.lower() == "r":
            body = body.replace("\\'", "x").rstrip("\\")
        return prefix + "'" + body + "'"

    def fstring():
        parts = []
        for _ in range(rng.randrange(1, 5)):
            k = rng.randrange(4)
            if k == 0:
                parts.append(rng.choice(["ab", "{{", "}}", " ", "\\n", "\u00e9"]))
            elif k == 1:
                parts.append("{x" + rng.choice(["", "!r", "!s", "!a"])
                             + rng.choice(["", ":>10", ":.3f", ":{w}.{p}f", ":,"]) + "}")
            elif k == 2:
                parts.append("{x + 1 if x else 's'}")
            else:
                parts.append("{xs[1:2]!r}")
        return rng.choice(["f", "F", "rf", "fR"]) + '"' + "".join(parts) + '"'

    lines = []
    for i in range(n):
        lines += [f"a{i} = {num()}", f"b{i} = {string()} {string()}", f"c{i} = {fstring()}"]
    return "\n".join(lines) + "\n"


def random_program(rng, n):
    """A random program of nested blocks: varied indentation widths (spaces or tabs, consistent
    per block), blank and comment lines, one-line bodies, semicolons, backslash continuations,
    implicit joining, and every compound statement. Checks INDENT/DEDENT and statement parsing."""
    out = []
    unit = rng.choice(["    ", "  ", "\t", " "])

    def simple(in_func, in_loop):
        choices = ["pass", "x = 1", "x += 2", "a, *b = xs", "f(x, k=2)", "assert x, 'm'",
                   "raise E('e')", "del x", "y: int = 3", "x = [1,\n2]", "x = 1 + \\\n    2",
                   "import m as n", "from .m import (a, b as c)", "x = y = z"]
        if in_func:
            choices += ["return x", "return"]
        if in_loop:
            choices += ["break", "continue"]
        return rng.choice(choices)

    def block(depth, budget, in_func=False, in_loop=False, ind=""):
        # Each block adds its own random indentation (spaces, tabs or both) to its parent's:
        # always consistent, as Python requires, but with every width and tab position.
        for _ in range(budget):
            child = ind + rng.choice([unit, unit, " ", "  ", "\t", "        ", " \t", "\t  "])
            r = rng.random()
            if rng.random() < 0.1:
                out.append(rng.choice(["", "   ", ind + "# comment", "# top comment"]))
            if depth > 5 or r < 0.35:
                line = simple(in_func, in_loop)
                if rng.random() < 0.2:
                    line += "; " + simple(in_func, in_loop)
                out.append(ind + line.replace("\n", "\n" + child))
                continue
            head = rng.choice(["if x:", "while x:", "for i, v in xs:", "def f(a, b=1):",
                               "class C(B):", "try:", "with_else"])
            f = (in_func or head == "def f(a, b=1):") and head != "class C(B):"
            lp = (in_loop or head in ("while x:", "for i, v in xs:")) and head not in (
                "def f(a, b=1):", "class C(B):")
            if rng.random() < 0.15 and head not in ("try:", "with_else"):
                out.append(ind + head + " " + simple(f, lp))
                continue
            if head == "with_else":
                out.append(ind + "if x:")
                block(depth + 1, rng.randrange(1, 3), f, lp, ind=child)
                for _ in range(rng.randrange(0, 3)):
                    out.append(ind + "elif y:")
                    block(depth + 1, rng.randrange(1, 3), f, lp, ind=child)
                if rng.random() < 0.5:
                    out.append(ind + "else:")
                    block(depth + 1, rng.randrange(1, 3), f, lp, ind=child)
                continue
            out.append(ind + head)
            block(depth + 1, rng.randrange(1, 4), f, lp, ind=child)
            if head == "try:":
                handlers = rng.randrange(0, 3)
                for _ in range(handlers):
                    out.append(ind + rng.choice(["except E:", "except (E, F) as e:"]))
                    block(depth + 1, 1, f, lp, ind=child)
                if rng.random() < 0.5 or handlers == 0:
                    out.append(ind + "finally:")
                    block(depth + 1, 1, f, lp, ind=child)
            elif head in ("while x:", "for i, v in xs:") and rng.random() < 0.3:
                out.append(ind + "else:")
                block(depth + 1, 1, in_func, in_loop, ind=child)

    block(0, n)
    return "\n".join(out) + rng.choice(["\n", "", "\n\n"])


MUTATION_FRAGMENTS = ["(", ")", "[", "]", "{", "}", ":", ",", "=", "==", "+", "*", "**", "not",
                      "in", "if", "else", "for", "lambda", "\n", "\n    ", "\\\n", " ", '"',
                      'f"{', "}", ".", "1", "x", "return", "def", "pass", "elif", "is", "and",
                      ";", "@", "->", "...", "*", "\t", "#"]


def mutation_check(pfc, rng, d, count):
    """Random one- or two-character edits of generated programs: pfc must reject what python3
    rejects (parsing plus compile-time checks) and accept what it accepts, unless pfc says the
    construct is not supported in pf. Returns the list of problems."""
    problems = []
    for i in range(count):
        src = random_program(rng, 4) if rng.random() < 0.5 else "x = " + random_expr(rng) + "\n"
        for _ in range(rng.randrange(1, 3)):
            pos = rng.randrange(len(src) + 1)
            if rng.random() < 0.5 and src:
                src = src[:pos] + src[pos + 1:]
            else:
                src = src[:pos] + rng.choice(MUTATION_FRAGMENTS) + src[pos:]
        try:
            compile(src, "m", "exec")
            py_ok = True
        except SyntaxError:
            py_ok = False
        except Exception:  # noqa: BLE001  (e.g. a null byte: not a syntax question)
            continue
        path = f"{d}/mut{i}.pf"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(src)
        p = subprocess.run([pfc, "parse", path], capture_output=True)
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode == 0 and not py_ok:
            problems.append(f"pfc accepts what python3 rejects: {src!r}")
        elif p.returncode != 0 and py_ok and "not supported" not in err \
                and "does not support" not in err:
            problems.append(f"pfc rejects what python3 accepts: {src!r}\n{err}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pfc")
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("--random", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.dump:
        for f in args.files:
            sys.stdout.write(python_dump(f))
        return 0
    bad = 0
    checked = 0
    files = []
    for f in args.files:
        if os.path.isdir(f):
            for root, _, names in os.walk(f):
                files += sorted(os.path.join(root, x) for x in names if x.endswith(".pf"))
        else:
            files.append(f)
    warnings.simplefilter("ignore")  # "is" with a literal, invalid escapes: fine here
    for f in files:
        msg = compare(args.pfc, f)
        checked += 1
        if msg:
            print(msg)
            bad += 1
    if args.random:
        rng = random.Random(args.seed)
        with tempfile.TemporaryDirectory() as d:
            for i in range(args.random):
                path = f"{d}/e{i}.pf"
                with open(path, "w") as fh:
                    fh.write("x = " + random_expr(rng) + "\n")
                try:
                    compile(open(path).read(), path, "exec")
                except SyntaxError:
                    continue
                msg = compare(args.pfc, path, strict=True)
                checked += 1
                if msg:
                    print(msg.replace(path, open(path).read().strip()))
                    bad += 1
            for i in range(max(1, args.random // 20)):
                path = f"{d}/program{i}.pf"
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(random_program(rng, 8))
                try:
                    compile(open(path).read(), path, "exec")
                except SyntaxError:
                    continue  # e.g. return/break placement Python rejects at compile time
                msg = compare(args.pfc, path, strict=True)
                checked += 1
                if msg:
                    print(msg)
                    print(open(path).read())
                    bad += 1
            for msg in mutation_check(args.pfc, rng, d, args.random // 2):
                print(msg)
                bad += 1
            checked += args.random // 2
            path = f"{d}/literals.pf"
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(random_literals(rng, max(10, args.random)))
            msg = compare(args.pfc, path, strict=True)
            checked += 1
            if msg:
                print(msg)
                bad += 1
    print(f"ast_oracle: {checked} compared, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
