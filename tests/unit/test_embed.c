/* The embedding API (include/pf.h) on one runtime: every value kind in both directions, module
 * globals computed once at load, zero-copy lists (borrowed, and copied when pf keeps them), and
 * every error path: unknown function, wrong argument types, compile errors with positions,
 * exceptions with kind and traceback, unsupported values, unreadable files. */
#include "test_embed_check.h"

static const char *SRC =
    "import math\n"
    "SCALE = [1.0, 10.0, 100.0]\n"          /* line 2: a global read by functions */
    "WORDS = {'a': 1, 'b': 2}\n"
    "print('loaded')\n"
    "def add(a, b):\n"                       /* line 5 */
    "    return a + b\n"
    "def scaled(i, x):\n"
    "    return SCALE[i] * x\n"
    "def total(xs):\n"
    "    return sum(xs)\n"                   /* line 10 */
    "def double_all(xs):\n"
    "    return [2 * x for x in xs]\n"
    "def keep(xs):\n"
    "    return (xs, len(xs))\n"
    "def greet(name, n):\n"                  /* line 15 */
    "    return ', '.join(['hello ' + name] * n)\n"
    "def flip(b):\n"
    "    return not b\n"
    "def swap(t):\n"
    "    return (t[1], t[0])\n"              /* line 20 */
    "def nothing(x):\n"
    "    pass\n"
    "def divide(a, b):\n"
    "    return a // b\n"
    "def outer(a, b):\n"                     /* line 25 */
    "    return divide(a, b) + 1\n"
    "def words():\n"
    "    return WORDS\n"
    "def root(x):\n"
    "    return math.sqrt(x)\n";             /* line 30 */

static void values(pf_module *m) {
    pf_error err = {0};
    pf_value r;
    pf_value a2[2] = {pf_val_int(40), pf_val_int(2)};
    CHECK_STATUS(pf_call(m, "add", a2, 2, &r, &err), PF_OK, &err);
    CHECK_INT(r.kind, PF_INT);
    CHECK_INT(r.u.i, 42);
    pf_value f2[2] = {pf_val_float(0.5), pf_val_float(0.25)};
    CHECK_STATUS(pf_call(m, "add", f2, 2, &r, &err), PF_OK, &err);
    CHECK_INT(r.kind, PF_FLOAT);
    CHECK(r.u.f == 0.75);
    pf_value s2[2] = {pf_val_str("py", -1), pf_val_str("thonic", 3)};
    CHECK_STATUS(pf_call(m, "add", s2, 2, &r, &err), PF_OK, &err);
    CHECK_INT(r.kind, PF_STR);
    CHECK_TEXT(r.u.str.ptr, "pytho");
    CHECK_INT(r.u.str.len, 5);
    pf_value_free(&r);
    CHECK_INT(r.kind, PF_NONE);

    pf_value g[2] = {pf_val_int(2), pf_val_float(1.5)};
    CHECK_STATUS(pf_call(m, "scaled", g, 2, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_FLOAT && r.u.f == 150.0);

    double xs[4] = {1.0, 2.0, 3.5, -0.5};
    pf_value l = pf_val_floats(xs, 4);
    CHECK_STATUS(pf_call(m, "total", &l, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_FLOAT && r.u.f == 6.0);
    int64_t is[3] = {7, 8, 9};
    pf_value li = pf_val_ints(is, 3);
    CHECK_STATUS(pf_call(m, "total", &li, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_INT && r.u.i == 24);
    pf_value empty = pf_val_ints(NULL, 0);
    CHECK_STATUS(pf_call(m, "total", &empty, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_INT && r.u.i == 0);

    CHECK_STATUS(pf_call(m, "double_all", &l, 1, &r, &err), PF_OK, &err);
    CHECK_INT(r.kind, PF_LIST_FLOAT);
    CHECK_INT(r.u.floats.len, 4);
    if (r.kind == PF_LIST_FLOAT && r.u.floats.len == 4)
        CHECK(r.u.floats.ptr[0] == 2.0 && r.u.floats.ptr[2] == 7.0 && r.u.floats.ptr[3] == -1.0);
    pf_value_free(&r);

    /* pf keeps the host list in its result: the result must own a copy */
    CHECK_STATUS(pf_call(m, "keep", &li, 1, &r, &err), PF_OK, &err);
    CHECK_INT(r.kind, PF_TUPLE);
    CHECK_INT(r.u.tuple.len, 2);
    if (r.kind == PF_TUPLE && r.u.tuple.len == 2) {
        pf_value *it = r.u.tuple.items;
        CHECK_INT(it[0].kind, PF_LIST_INT);
        CHECK(it[0].u.ints.ptr != is);
        is[0] = 1000; /* the host changes its array after the call */
        CHECK_INT(it[0].u.ints.ptr[0], 7);
        CHECK_INT(it[0].u.ints.ptr[2], 9);
        CHECK(it[1].kind == PF_INT && it[1].u.i == 3);
    }
    pf_value_free(&r);
    is[0] = 7;

    pf_value gr[2] = {pf_val_str("pf", -1), pf_val_int(2)};
    CHECK_STATUS(pf_call(m, "greet", gr, 2, &r, &err), PF_OK, &err);
    CHECK_TEXT(r.kind == PF_STR ? r.u.str.ptr : NULL, "hello pf, hello pf");
    pf_value_free(&r);

    pf_value b = pf_val_bool(true);
    CHECK_STATUS(pf_call(m, "flip", &b, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_BOOL && r.u.b == false);
    b = pf_val_bool(false);
    CHECK_STATUS(pf_call(m, "flip", &b, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_BOOL && r.u.b == true);

    pf_value items[2] = {pf_val_str("x", -1), pf_val_floats(xs, 2)};
    pf_value t = pf_val_tuple(items, 2);
    CHECK_STATUS(pf_call(m, "swap", &t, 1, &r, &err), PF_OK, &err);
    CHECK_INT(r.kind, PF_TUPLE);
    if (r.kind == PF_TUPLE && r.u.tuple.len == 2) {
        CHECK_INT(r.u.tuple.items[0].kind, PF_LIST_FLOAT);
        CHECK_INT(r.u.tuple.items[0].u.floats.len, 2);
        xs[0] = 99.0;
        CHECK(r.u.tuple.items[0].u.floats.ptr[0] == 1.0);
        CHECK_TEXT(r.u.tuple.items[1].u.str.ptr, "x");
    }
    pf_value_free(&r);
    xs[0] = 1.0;

    pf_value one = pf_val_int(1);
    r.kind = PF_INT;
    CHECK_STATUS(pf_call(m, "nothing", &one, 1, &r, &err), PF_OK, &err);
    CHECK_INT(r.kind, PF_NONE);
    CHECK_STATUS(pf_call(m, "root", &one, 1, NULL, &err), PF_OK, &err); /* result dropped */
    pf_error_free(&err);
}

static void errors(pf_runtime *rt, pf_module *m) {
    pf_error err = {0};
    pf_value r;
    pf_value one = pf_val_int(1);

    CHECK_STATUS(pf_call(m, "nope", &one, 1, &r, &err), PF_ERR_NAME, &err);
    CHECK(err.message && strstr(err.message, "nope"));
    CHECK_STATUS(pf_call(m, "SCALE", NULL, 0, &r, &err), PF_ERR_NAME, &err); /* not a def */

    /* wrong types: str + int is a compile error inside add, at its line */
    pf_value bad[2] = {pf_val_str("a", -1), pf_val_int(1)};
    CHECK_STATUS(pf_call(m, "add", bad, 2, &r, &err), PF_ERR_COMPILE, &err);
    CHECK_INT(err.line, 6);
    CHECK_TEXT(err.file, "embed.pf");
    CHECK(err.diagnostics && strstr(err.diagnostics, "return a + b"));
    /* wrong argument count */
    CHECK_STATUS(pf_call(m, "add", &one, 1, &r, &err), PF_ERR_COMPILE, &err);
    CHECK(err.message != NULL);
    /* an unsupported argument kind */
    pf_value weird = {(pf_kind)99, {.i = 0}, NULL};
    CHECK_STATUS(pf_call(m, "flip", &weird, 1, &r, &err), PF_ERR_VALUE, &err);
    pf_value nullist = pf_val_floats(NULL, 3), neglist = pf_val_ints(NULL, -1), nullstr = pf_val_str(NULL, 0);
    CHECK_STATUS(pf_call(m, "total", &nullist, 1, &r, &err), PF_ERR_VALUE, &err);
    CHECK(err.message && strstr(err.message, "argument 1: a list[float] with a NULL pointer"));
    CHECK_STATUS(pf_call(m, "total", &neglist, 1, &r, &err), PF_ERR_VALUE, &err);
    CHECK_STATUS(pf_call(m, "flip", &nullstr, 1, &r, &err), PF_ERR_VALUE, &err);
    /* a result type the host cannot receive */
    CHECK_STATUS(pf_call(m, "words", NULL, 0, &r, &err), PF_ERR_VALUE, &err);
    CHECK(err.message && strstr(err.message, "dict[str, int]"));

    /* exceptions: kind, message, traceback with the pf frames (and not the stub's) */
    pf_value d[2] = {pf_val_int(1), pf_val_int(0)};
    CHECK_STATUS(pf_call(m, "outer", d, 2, &r, &err), PF_ERR_EXCEPTION, &err);
    CHECK_TEXT(err.kind, "ZeroDivisionError");
    CHECK_TEXT(err.message, "integer division or modulo by zero");
    CHECK(err.traceback && strstr(err.traceback, "line 24, in divide"));
    CHECK(err.traceback && strstr(err.traceback, "line 26, in outer"));
    CHECK(err.traceback && !strstr(err.traceback, "__pf_"));
    pf_value neg = pf_val_float(-1.0);
    CHECK_STATUS(pf_call(m, "root", &neg, 1, &r, &err), PF_ERR_EXCEPTION, &err);
    CHECK_TEXT(err.kind, "ValueError");
    /* the module still works after errors */
    pf_value ok[2] = {pf_val_int(6), pf_val_int(3)};
    CHECK_STATUS(pf_call(m, "outer", ok, 2, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_INT && r.u.i == 3);

    /* compile error in loaded source: position of the first error */
    pf_module *bad_mod = pf_load_string(rt, "bad.pf", "x = 1\ndef f(a):\n    return a +\n", &err);
    CHECK(bad_mod == NULL);
    CHECK_INT(err.status, PF_ERR_COMPILE);
    CHECK_TEXT(err.file, "bad.pf");
    CHECK_INT(err.line, 3);
    CHECK(err.col > 0);
    bad_mod = pf_load_string(rt, "types.pf", "def f(a):\n    return a\nx = 'a' - 1\n", &err);
    CHECK(bad_mod == NULL);
    CHECK_INT(err.status, PF_ERR_COMPILE);
    CHECK_INT(err.line, 3);
    /* an exception in the top-level code */
    bad_mod = pf_load_string(rt, "raise.pf", "def f(a):\n    return a\nx = [1, 2][5]\n", &err);
    CHECK(bad_mod == NULL);
    CHECK_INT(err.status, PF_ERR_EXCEPTION);
    CHECK_TEXT(err.kind, "IndexError");
    CHECK(err.traceback && strstr(err.traceback, "File \"raise.pf\", line 3"));
    /* unreadable file */
    CHECK(pf_load_file(rt, "/nonexistent/x.pf", &err) == NULL);
    CHECK_INT(err.status, PF_ERR_IO);
    pf_error_free(&err);
    pf_error_free(&err); /* twice is fine */
    CHECK(pf_load_file(rt, "/nonexistent/x.pf", NULL) == NULL); /* err may be NULL */
}

/* A module whose functions use random: the generator's state carries over from call to call. */
static void random_state(pf_runtime *rt) {
    pf_module *m = load_or_die(rt, "rnd.pf",
                               "import random\nrandom.seed(5)\ndef draw(n):\n    return random.randint(1, n)\n");
    pf_error err = {0};
    pf_value r, n = pf_val_int(1000000);
    int64_t a = -1, b = -1;
    CHECK_STATUS(pf_call(m, "draw", &n, 1, &r, &err), PF_OK, &err);
    a = r.u.i;
    CHECK_STATUS(pf_call(m, "draw", &n, 1, &r, &err), PF_OK, &err);
    b = r.u.i;
    CHECK(a != b); /* python3: random.seed(5); randint(1, 10**6) twice gives two different values */
    pf_module_free(m);
}

/* Call stubs are entries of the module's session: a non-literal default argument is computed for
 * them, a variable assigned after a call in the top-level code is read where it lives, and a
 * function the module reads before assigning one of its variables raises NameError at load. */
static void session_stubs(pf_runtime *rt) {
    pf_module *m = load_or_die(rt, "dflt.pf",
                               "import math\n"
                               "def f(x, s=math.sqrt(4.0)):\n"
                               "    return x * s + K\n"
                               "def g():\n"
                               "    return 1\n"
                               "N = g()\n"
                               "K = N + 0.5\n");
    pf_error err = {0};
    pf_value r, x = pf_val_float(3.0);
    CHECK_STATUS(pf_call(m, "f", &x, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_FLOAT && r.u.f == 7.5);
    pf_value xi[2] = {pf_val_int(2), pf_val_float(10.0)};
    CHECK_STATUS(pf_call(m, "f", xi, 2, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_FLOAT && r.u.f == 21.5);
    pf_module_free(m);
    CHECK(pf_load_string(rt, "early.pf", "def h():\n    return V + 1\nW = h()\nV = 2\n", &err) == NULL);
    CHECK_INT(err.status, PF_ERR_EXCEPTION);
    CHECK_TEXT(err.kind, "NameError");
    CHECK(err.traceback && strstr(err.traceback, "File \"early.pf\", line 2, in h"));
    pf_error_free(&err);
}

int main(void) {
    pf_error err = {0};
    pf_options o;
    pf_options_init(&o);
    o.threads = 2;
    pf_runtime *rt = pf_open(&o, &err);
    if (!rt) {
        fprintf(stderr, "pf_open: %s\n", err.message);
        return 1;
    }
    CHECK_INT(pf_threads(rt), 2);
    pf_module *m = load_or_die(rt, "embed.pf", SRC);
    values(m);
    errors(rt, m);
    random_state(rt);
    session_stubs(rt);
    pf_module_free(m);
    pf_close(rt);
    return check_report("test_embed");
}
