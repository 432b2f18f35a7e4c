/* Unit test of codegen's incremental sessions (cg_session, the REPL's and libpf's compiler):
 * variables, defs and classes persisting across entries, redefinition, rebinding with a new type,
 * echo, compile and runtime errors leaving the session intact, :type, and an exported
 * specialisation called directly. Entries run on a standalone ctx; stdout is captured. */
#include "codegen/codegen.h"
#include "ir/ir.h"
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"

static int failures;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* What one entry did: its output, the kind of its uncaught exception (0: none), or compile
 * errors (first message). */
typedef struct result {
    char out[4096];
    int exc;
    bool compiled;
    char err[512];
} result;

static result R;
static cg_session *S_; /* the session out_is uses */

static void capture_run(void (*entry)(pf_ctx *)) {
    pf_ctx ctx;
    char *out = run_captured(entry, &ctx);
    R.exc = 0;
    if (ctx.exc) {
        R.exc = ctx.exc->kind;
        rt_obj_decref(&ctx.exc->h);
    }
    snprintf(R.out, sizeof R.out, "%s", out ? out : "");
    free(out);
}

/* Compiles and runs text as the next entry (echo on), then ends it. */
static const result *entry(cg_session *s, const char *text) {
    memset(&R, 0, sizeof R);
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    const pf_source *src = pf_source_new(&a, "<entry>", text, strlen(text));
    char *err = NULL;
    cg_entry_opts o = {.echo = true};
    void *fn = cg_session_compile(s, &a, &d, src, &o, &err);
    R.compiled = fn != NULL;
    if (fn) {
        capture_run((void (*)(pf_ctx *))fn);
        cg_session_end(s, R.exc == 0);
    } else {
        snprintf(R.err, sizeof R.err, "%s", d.len ? d.items[0].msg : err ? err : "?");
    }
    cg_free_message(err);
    pf_arena_free(&a);
    return &R;
}

static bool out_is(const char *text, const char *want) {
    const result *r = entry(S_, text);
    if (!r->compiled || r->exc || strcmp(r->out, want) != 0) {
        fprintf(stderr, "entry %s\n  compiled %d exc %d err '%s'\n  output '%s'\n  wanted '%s'\n", text, r->compiled,
                r->exc, r->err, r->out, want);
        return false;
    }
    return true;
}

static const char *type_of(cg_session *s, const char *expr, char *buf, size_t n) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    const pf_source *src = pf_source_new(&a, "<type>", expr, strlen(expr));
    const char *t = cg_session_type(s, &a, &d, src);
    snprintf(buf, n, "%s", t ? t : "(error)");
    pf_arena_free(&a);
    return buf;
}

int main(void) {
    char *err = NULL;
    cg_session *s = cg_session_new(&err);
    if (!s) {
        fprintf(stderr, "no session: %s\n", err ? err : "?");
        return 1;
    }
    S_ = s;
    /* variables and echo */
    CHECK(out_is("x = 3\n", ""));
    CHECK(out_is("x + 1\n", "4\n"));
    CHECK(out_is("print('a')\n", "a\n")); /* None is not echoed */
    CHECK(out_is("'s'\n", "'s'\n"));      /* echo is repr */
    /* defs persist, read variables, and can be redefined */
    CHECK(out_is("def f(a):\n    return a * x\n", ""));
    CHECK(out_is("f(5)\n", "15\n"));
    CHECK(out_is("x = 10\nf(5)\n", "50\n"));
    CHECK(out_is("def f(a):\n    return a + x\n", ""));
    CHECK(out_is("f(5)\n", "15\n"));
    /* a new type for a name bound anew */
    CHECK(out_is("x = 'ab'\n", ""));
    CHECK(out_is("x\n", "'ab'\n"));
    CHECK(out_is("f('c')\n", "'cab'\n"));
    /* objects in variables: lists, dicts, tuples, optional values, classes */
    CHECK(out_is("xs = [1.5, 2.5]\nd = {'k': (1, 'v')}\nn = None\n", ""));
    CHECK(out_is("xs + [sum(xs)]\n", "[1.5, 2.5, 4.0]\n"));
    CHECK(out_is("d['k']\n", "(1, 'v')\n"));
    CHECK(out_is("n\n", ""));
    CHECK(out_is("class P:\n    def __init__(self, a):\n        self.a = a\n    def twice(self):\n        return self.a * 2\n",
                 ""));
    CHECK(out_is("p = P(21)\n", ""));
    CHECK(out_is("p.twice()\n", "42\n"));
    CHECK(out_is("ps = [P(i) for i in range(4)]\n", ""));
    CHECK(out_is("sum(q.a for q in ps)\n", "6\n"));
    /* imports and lambdas are kept too */
    CHECK(out_is("import math\nsq = lambda v: v * v\n", ""));
    CHECK(out_is("sq(math.floor(2.5))\n", "4\n"));
    /* a compile error leaves the session as it was */
    const result *r = entry(s, "y = undefined_name + 1\n");
    CHECK(!r->compiled && strstr(r->err, "undefined_name"));
    CHECK(out_is("f('z')\n", "'zab'\n"));
    /* a runtime error forgets the names its entry bound first, keeps rebound ones */
    r = entry(s, "z = 5\nxs = [9.0]\nprint(1 // 0)\n");
    CHECK(r->compiled && r->exc == PF_EXC_ZERODIV);
    r = entry(s, "z\n");
    CHECK(!r->compiled);
    CHECK(out_is("xs\n", "[9.0]\n"));
    /* the type of an expression, without running it */
    char buf[128];
    CHECK(!strcmp(type_of(s, "xs", buf, sizeof buf), "list[float]"));
    CHECK(!strcmp(type_of(s, "[(q.a, x) for q in ps]", buf, sizeof buf), "list[tuple[int, str]]"));
    CHECK(!strcmp(type_of(s, "nope", buf, sizeof buf), "(error)"));
    /* the session's variables */
    bool found = false;
    for (int32_t i = 0; i < cg_session_nvars(s); i++) {
        const char *name, *type;
        void *slot;
        CHECK(cg_session_var(s, i, &name, &type, &slot));
        if (!strcmp(name, "p")) found = !strcmp(type, "P");
    }
    CHECK(found);
    /* an exported specialisation, called directly */
    {
        pf_arena a;
        pf_arena_init(&a);
        pf_diags d;
        pf_diags_init(&d, &a);
        const char *text = "def __call(a, b):\n    return f(str(a)) + b\n";
        const pf_source *src = pf_source_new(&a, "<call>", text, strlen(text));
        static const char *const params[] = {"int", "str"};
        ir_env_root root = {"__call", params, 2};
        void *addr = NULL;
        cg_entry_opts o = {.exports = &root, .nexports = 1, .export_addrs = &addr};
        void *fn = cg_session_compile(s, &a, &d, src, &o, &err);
        CHECK(fn && addr);
        if (fn && addr) {
            capture_run((void (*)(pf_ctx *))fn);
            cg_session_end(s, true);
            pf_ctx ctx;
            rt_ctx_init(&ctx);
            pf_str *(*call)(pf_ctx *, int64_t, pf_str *) = (pf_str * (*)(pf_ctx *, int64_t, pf_str *)) addr;
            pf_str *b = rt_str_new(&ctx, "!", 1);
            pf_str *res = call(&ctx, 7, b);
            CHECK(!ctx.exc && res && res->len == 4 && !memcmp(res->data, "7ab!", 4));
            rt_obj_decref((pf_obj *)b);
            rt_obj_decref((pf_obj *)res);
        }
        pf_arena_free(&a);
    }
    cg_session_free(s);
    if (failures) fprintf(stderr, "%d failures\n", failures);
    return failures != 0;
}
