/* pf_register: C functions of the host called from pf code by name (int, float, bool, str and
 * void signatures), at load time and from parallel code on every worker; calls with wrong types
 * are compile errors; bad names and signatures are refused. */
#include "test_embed_check.h"

#include <math.h>
#include <stdatomic.h>

static double c_hyp(double x, double y) { return sqrt(x * x + y * y); }
static int64_t c_len(const char *s) { return (int64_t)strlen(s); }
static bool c_even(int64_t n) { return n % 2 == 0; }
static atomic_long seen;
static void c_note(int64_t n) { atomic_fetch_add(&seen, n); }
static const char *c_greeting(bool formal) { return formal ? "Good day" : NULL; }

static const char *SRC =
    "BASE = hyp(3.0, 4.0)\n"                       /* called by the top-level code at load */
    "def dist(x, y):\n"
    "    return hyp(x, y) + BASE\n"
    "def lens(s):\n"
    "    return c_len(s) + c_len(s + '!')\n"
    "def evens(n):\n"
    "    return [i for i in range(n) if even(i)]\n"
    "def noted(n):\n"
    "    for i in range(n):\n"
    "        note(i)\n"
    "    return n\n"
    "def far(n):\n"
    "    return sum(hyp(float(i), 0.0) for i in range(n))\n"   /* parallel reduction over C calls */
    "def greet(formal):\n"
    "    return greeting(formal) + '.'\n";

int main(void) {
    pf_error err = {0};
    pf_options o;
    pf_options_init(&o);
    o.threads = 4;
    pf_runtime *rt = pf_open(&o, &err);
    if (!rt) return 1;
    CHECK_STATUS(pf_register(rt, "hyp", PF_CFUNC(c_hyp), "f(ff)", &err), PF_OK, &err);
    CHECK_STATUS(pf_register(rt, "c_len", PF_CFUNC(c_len), "i(s)", &err), PF_OK, &err);
    CHECK_STATUS(pf_register(rt, "even", PF_CFUNC(c_even), "b(i)", &err), PF_OK, &err);
    CHECK_STATUS(pf_register(rt, "note", PF_CFUNC(c_note), "v(i)", &err), PF_OK, &err);
    CHECK_STATUS(pf_register(rt, "greeting", PF_CFUNC(c_greeting), "s(b)", &err), PF_OK, &err);
    /* refused */
    CHECK_STATUS(pf_register(rt, "bad name", PF_CFUNC(c_hyp), "f(ff)", &err), PF_ERR_VALUE, &err);
    CHECK_STATUS(pf_register(rt, "while", PF_CFUNC(c_hyp), "f(ff)", &err), PF_ERR_VALUE, &err);
    CHECK_STATUS(pf_register(rt, "__pf_x", PF_CFUNC(c_hyp), "f(ff)", &err), PF_ERR_VALUE, &err);
    CHECK_STATUS(pf_register(rt, "h2", PF_CFUNC(c_hyp), "f(fx)", &err), PF_ERR_VALUE, &err);
    CHECK_STATUS(pf_register(rt, "h3", PF_CFUNC(c_hyp), "f(fv)", &err), PF_ERR_VALUE, &err);
    CHECK_STATUS(pf_register(rt, "h4", PF_CFUNC(c_hyp), "ff", &err), PF_ERR_VALUE, &err);
    CHECK_STATUS(pf_register(rt, "h5", NULL, "f(f)", &err), PF_ERR_VALUE, &err);

    pf_module *m = load_or_die(rt, "reg.pf", SRC);
    pf_value r;
    pf_value xy[2] = {pf_val_float(6.0), pf_val_float(8.0)};
    CHECK_STATUS(pf_call(m, "dist", xy, 2, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_FLOAT && r.u.f == 15.0);
    pf_value s = pf_val_str("héllo", -1);
    CHECK_STATUS(pf_call(m, "lens", &s, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_INT && r.u.i == 13); /* bytes: 6 + 7 */
    pf_value n = pf_val_int(10);
    CHECK_STATUS(pf_call(m, "evens", &n, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_LIST_INT && r.u.ints.len == 5 && r.u.ints.ptr[4] == 8);
    pf_value_free(&r);
    n = pf_val_int(1000);
    CHECK_STATUS(pf_call(m, "noted", &n, 1, &r, &err), PF_OK, &err);
    CHECK_INT(atomic_load(&seen), 999 * 1000 / 2);
    n = pf_val_int(100000);
    CHECK_STATUS(pf_call(m, "far", &n, 1, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_FLOAT && r.u.f == 99999.0 * 100000.0 / 2);
    pf_value b = pf_val_bool(true);
    CHECK_STATUS(pf_call(m, "greet", &b, 1, &r, &err), PF_OK, &err);
    CHECK_TEXT(r.kind == PF_STR ? r.u.str.ptr : NULL, "Good day.");
    pf_value_free(&r);
    b = pf_val_bool(false);
    CHECK_STATUS(pf_call(m, "greet", &b, 1, &r, &err), PF_OK, &err);
    CHECK_TEXT(r.kind == PF_STR ? r.u.str.ptr : NULL, ".");
    pf_value_free(&r);
    /* a registered function is also callable from the host, through pf */
    CHECK_STATUS(pf_call(m, "hyp", xy, 2, &r, &err), PF_OK, &err);
    CHECK(r.kind == PF_FLOAT && r.u.f == 10.0);

    /* wrong types are compile errors in the loaded source */
    pf_module *bad = pf_load_string(rt, "bad.pf", "x = 1\ny = hyp('a', 1.0)\n", &err);
    CHECK(bad == NULL);
    CHECK_INT(err.status, PF_ERR_COMPILE);
    CHECK_INT(err.line, 2);
    pf_module_free(m);

    /* registrations belong to their runtime */
    pf_runtime *rt2 = pf_open(&o, &err);
    bad = pf_load_string(rt2, "other.pf", "def f(x):\n    return hyp(x, x)\ny = f(1.0)\n", &err);
    CHECK(bad == NULL);
    CHECK_INT(err.status, PF_ERR_COMPILE);
    pf_error_free(&err);
    pf_close(rt2);
    pf_close(rt);
    return check_report("test_embed_register");
}
