/* Unit tests of ir/par.c's decisions on `for` statements and consecutive calls, through `--explain`
 * text: which loops become parallel reductions (and of what), which statement pairs fork, and for
 * the others the reason (with the carried name and its position). Each case builds a module. */
#include "check.h"
#include "ir/ir.h"
#include "parser/parser.h"

/* The explain output of src contains want (one substring per line of want, in any order). */
static void expect_explain(int line, const char *src, const char *const *want, int nwant) {
    pf_arena a;
    pf_diags d;
    pf_arena_init(&a);
    pf_diags_init(&d, &a);
    pf_source *s = pf_source_new(&a, "t.pf", src, strlen(src));
    ast_module *am = parse_module(&a, &d, s);
    ir_module *m = am ? ir_build(&a, &d, am, "t.pf") : NULL;
    if (!m) {
        fprintf(stderr, "%s:%d: the source did not build\n", __FILE__, line);
        CHECK_FAILED();
        pf_arena_free(&a);
        return;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ir_par_analyze(m, out);
    fclose(out);
    for (int i = 0; i < nwant; i++) {
        if (!strstr(text, want[i])) {
            fprintf(stderr, "%s:%d: missing \"%s\" in:\n%s", __FILE__, line, want[i], text);
            CHECK_FAILED();
        }
    }
    free(text);
    pf_arena_free(&a);
}

#define EXPECT(src, ...)                                                                          \
    do {                                                                                           \
        static const char *const w_[] = {__VA_ARGS__};                                             \
        expect_explain(__LINE__, src, w_, (int)(sizeof w_ / sizeof w_[0]));                        \
    } while (0)

int main(void) {
    /* every reduction kind, a temp, a continue and an if-counted name */
    EXPECT("def g(xs):\n"
           "    t = 0\n"
           "    n = 0\n"
           "    lo = 99\n"
           "    p = 1.0\n"
           "    acc = []\n"
           "    for x in xs:\n"
           "        v = x % 10\n"
           "        if v == 3:\n"
           "            continue\n"
           "        if v > 5:\n"
           "            n += 1\n"
           "        t = t + v\n"
           "        lo = min(lo, v)\n"
           "        p = p * 1.5\n"
           "        acc = acc + [v]\n"
           "    return t, n, lo, p, acc\n"
           "print(g([1, 2, 3]))\n",
           "t.pf:7:5: parallel: for loop in g (blocks of the iterations; reductions: t + n + lo min p * acc list +;");
    /* a real carried dependency, named with the position of the read */
    EXPECT("def g(n):\n"
           "    prev = 0\n"
           "    t = 0\n"
           "    for i in range(n):\n"
           "        t = t + prev\n"
           "        prev = i\n"
           "    return t\n"
           "print(g(5))\n",
           "t.pf:4:5: sequential: for loop in g: `prev` is carried from one iteration to the next (read at 5:17 "
           "before it is assigned in the iteration)");
    /* a reduced name read elsewhere in the body is carried */
    EXPECT("def g(n):\n"
           "    s = 0\n"
           "    for i in range(n):\n"
           "        if s > 10:\n"
           "            s = 0\n"
           "        s = s + i\n"
           "    return s\n"
           "print(g(5))\n",
           "t.pf:3:5: sequential: for loop in g: `s` is carried from one iteration to the next: read at 4:12, not "
           "only updated by a reduction");
    /* a name bound in the loop and read after it; the loop variable too; break; print; else: */
    EXPECT("def g(n):\n"
           "    t = 0\n"
           "    for i in range(n):\n"
           "        v = i * 2\n"
           "        t = t + v\n"
           "    u = 0\n"
           "    for j in range(n):\n"
           "        u = u + j\n"
           "    w = 0\n"
           "    for k in range(n):\n"
           "        if k > 3:\n"
           "            break\n"
           "        w = w + k\n"
           "    for k in range(n):\n"
           "        print(k)\n"
           "        w = w + k\n"
           "    for k in range(n):\n"
           "        w = w + k\n"
           "    else:\n"
           "        w = w + 1\n"
           "    return t + v + u + j + w\n"
           "print(g(5))\n",
           "t.pf:3:5: sequential: for loop in g: `v` is bound in the loop and read after it (at 21:16)",
           "t.pf:7:5: sequential: for loop in g: `j` is bound in the loop and read after it (at 21:24)",
           "t.pf:10:5: sequential: for loop in g: the body breaks out of the loop (line 12)",
           "t.pf:14:5: parallel: for loop in g (blocks of the iterations; reductions: w +;",
           "t.pf:17:5: sequential: for loop in g: the loop has an else: clause");
    /* a name rebound before it is read again after the loop is dead there: parallel; a value
     * read from the previous iteration of an enclosing loop is not */
    EXPECT("def g(n):\n"
           "    t = 0\n"
           "    for i in range(n):\n"
           "        v = i\n"
           "        t = t + v\n"
           "    for i in range(3):\n"
           "        t = t + i\n"
           "    v = 0\n"
           "    for k in range(2):\n"
           "        t = t + v\n"
           "        for i in range(n):\n"
           "            v = i\n"
           "            t = t + v\n"
           "    return t + v\n"
           "print(g(5))\n",
           "t.pf:3:5: parallel: for loop in g",
           "t.pf:6:5: parallel: for loop in g",
           "t.pf:9:5: sequential: for loop in g: `v` is carried from one iteration to the next (read at 10:17",
           "t.pf:11:9: sequential: for loop in g: `v` is bound in the loop and read after it (at 10:17)");
    /* nothing accumulated; min with the reduced name second on floats (ties keep the new value) */
    EXPECT("def g(xs):\n"
           "    b = 1.0\n"
           "    for x in xs:\n"
           "        b = min(x, b)\n"
           "    for x in xs:\n"
           "        assert x > 0.0\n"
           "    return b\n"
           "print(g([1.0]))\n",
           "t.pf:3:5: sequential: for loop in g: `b` is carried",
           "t.pf:5:5: sequential: for loop in g: nothing is accumulated across iterations");
    /* independent calls in consecutive statements fork (also one that prints); a dependent one
     * does not */
    EXPECT("def w(k):\n"
           "    return k * 3\n"
           "def say(k):\n"
           "    print(k)\n"
           "    return k\n"
           "def g(n):\n"
           "    a = w(n)\n"
           "    b = w(n + 1)\n"
           "    c = w(a)\n"
           "    d = w(c)\n"
           "    e = say(n)\n"
           "    return a + b + c + d + e\n"
           "print(g(5))\n",
           "t.pf:8:10: parallel: fork of the call to w while the statement at line 7 runs, in g",
           "t.pf:10:5: sequential: calls in consecutive statements in g: the second call reads the first one's result",
           "t.pf:11:12: parallel: fork of the call to say while the statement at line 10 runs, in g");
    /* print is not an ordered effect (the runtime keeps output in program order); random is */
    EXPECT("import random\n"
           "def r(k):\n"
           "    return random.randint(0, k)\n"
           "def g(n):\n"
           "    t = 0\n"
           "    for k in range(n):\n"
           "        t = t + random.randint(0, k)\n"
           "    a = r(n)\n"
           "    b = r(n + 1)\n"
           "    return t + a + b\n"
           "print(g(5))\n",
           "t.pf:6:5: sequential: for loop in g: the body uses random/time",
           "t.pf:9:5: sequential: calls in consecutive statements in g: the second call uses random/time");
    /* min/max: register tuples, key= (number, str or int-tuple keys; any element), str; not
     * values with floats inside objects, nor keys of such */
    EXPECT("def g(ps, ws, rows):\n"
           "    a = min((p, i) for i, p in enumerate(ps))[1]\n"
           "    b = max(range(len(ps)), key=lambda i: ps[i])\n"
           "    c = min(rows, key=lambda r: r[0])\n"
           "    d = max(ws, key=lambda w: (len(w), w))\n"
           "    e = min(rows)\n"
           "    k = min(rows, key=lambda r: (r[0], r[1]))\n"
           "    return a + b + int(c[0]) + len(d) + int(e[0]) + int(k[0]) + len(min(w for w in ws))\n"
           "print(g([1.0, 0.5], ['a', 'bb'], [[1.0], [0.5]]))\n",
           "t.pf:2:12: parallel: min in g",
           "t.pf:3:12: parallel: max in g",
           "t.pf:4:12: parallel: min in g",
           "t.pf:5:12: parallel: max in g",
           "t.pf:6:12: sequential: min in g: min/max of values holding floats inside objects",
           "t.pf:7:12: sequential: min in g: min/max with a key= that is not a number, a str or a tuple of ints/strs",
           "t.pf:8:72: parallel: min in g");
    /* any/all: one for-clause (filters allowed); not several */
    EXPECT("def g(xs, ys):\n"
           "    a = any(x > 3 for x in xs if x % 2 == 0)\n"
           "    b = all(x != y for x in xs for y in ys)\n"
           "    return a and b\n"
           "print(g([1, 4], [2]))\n",
           "t.pf:2:12: parallel: any in g (blocks of the first for-clause; the first block with a hit or an error "
           "decides; later blocks are skipped)",
           "t.pf:3:12: sequential: all in g: any/all over several for-clauses (kept sequential)");
    /* while loops stay sequential; the reason names the carried variable */
    EXPECT("def spin(n):\n"
           "    i = 0\n"
           "    t = 0\n"
           "    while i < n:\n"
           "        t = t + i\n"
           "        i += 1\n"
           "    while True:\n"
           "        if t > 5:\n"
           "            break\n"
           "        t = t + 1\n"
           "    return t\n"
           "print(spin(10))\n",
           "t.pf:4:5: sequential: while loop in spin: `i` is carried from one iteration to the next (read by the "
           "condition at 4:11, assigned at 6:9)",
           "t.pf:7:5: sequential: while loop in spin: the condition changes only by leaving the loop");
    /* dict comprehensions */
    EXPECT("def g(xs):\n"
           "    return {x % 7: x for x in xs}\n"
           "print(g([1, 8]))\n",
           "t.pf:2:12: parallel: dict comprehension in g (blocks of the first for-clause; per-block dicts merged in "
           "order: later keys win, first positions kept)");
    return check_report("test_par_explain");
}
