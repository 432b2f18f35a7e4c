/* Exceptions: raising into ctx->exc, the builtin hierarchy for `except`, traceback frames, and
 * printing in CPython's format. Messages follow CPython 3.11 for the common cases. MemoryError
 * is raised without allocating (an immortal preallocated object, as Lua's preregistered msg). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/value.h"

/* ORDER EXC: names and parents, indexed by pf_exc_kind. */
static const struct {
    const char *name;
    int parent;
} exc_info[PF_EXC__COUNT] = {
    [0] = {"?", 0},
    [PF_EXC_BASE] = {"BaseException", 0},
    [PF_EXC_EXCEPTION] = {"Exception", PF_EXC_BASE},
    [PF_EXC_ARITHMETIC] = {"ArithmeticError", PF_EXC_EXCEPTION},
    [PF_EXC_ZERODIV] = {"ZeroDivisionError", PF_EXC_ARITHMETIC},
    [PF_EXC_OVERFLOW] = {"OverflowError", PF_EXC_ARITHMETIC},
    [PF_EXC_LOOKUP] = {"LookupError", PF_EXC_EXCEPTION},
    [PF_EXC_INDEX] = {"IndexError", PF_EXC_LOOKUP},
    [PF_EXC_KEY] = {"KeyError", PF_EXC_LOOKUP},
    [PF_EXC_VALUE] = {"ValueError", PF_EXC_EXCEPTION},
    [PF_EXC_ASSERTION] = {"AssertionError", PF_EXC_EXCEPTION},
    [PF_EXC_RUNTIME] = {"RuntimeError", PF_EXC_EXCEPTION},
    [PF_EXC_RECURSION] = {"RecursionError", PF_EXC_RUNTIME},
    [PF_EXC_TYPE] = {"TypeError", PF_EXC_EXCEPTION},
    [PF_EXC_ATTRIBUTE] = {"AttributeError", PF_EXC_EXCEPTION},
    [PF_EXC_STOPITERATION] = {"StopIteration", PF_EXC_EXCEPTION},
    [PF_EXC_KEYBOARDINTERRUPT] = {"KeyboardInterrupt", PF_EXC_BASE},
    [PF_EXC_INTERRUPTED] = {"Interrupted", PF_EXC_BASE},
    [PF_EXC_MEMORY] = {"MemoryError", PF_EXC_EXCEPTION},
    [PF_EXC_NAME] = {"NameError", PF_EXC_EXCEPTION},
};

const char *rt_exc_name(int kind) {
    return kind > 0 && kind < PF_EXC__COUNT ? exc_info[kind].name : "?";
}

int rt_exc_matches(int kind, int handler) {
    for (int k = kind; k > 0 && k < PF_EXC__COUNT; k = exc_info[k].parent)
        if (k == handler) return 1;
    return 0;
}

/* Immortal (rc 0) and never written: frames are not recorded for it. */
static pf_exc nomem_exc = {.h = {.rc = 0, .kind = PF_K_EXC}, .kind = PF_EXC_MEMORY};

int64_t rt_raise_nomem(pf_ctx *ctx) {
    if (ctx->exc) rt_decref(&ctx->exc->h);
    ctx->exc = &nomem_exc;
    return 0;
}

static pf_exc *exc_make(pf_ctx *ctx, int kind, pf_str *msg) {
    pf_exc *e = (pf_exc *)rt_alloc(ctx, sizeof(pf_exc), PF_K_EXC);
    if (!e) {
        if (msg) rt_decref(&msg->h);
        return NULL;
    }
    e->kind = kind;
    e->nframes = 0;
    e->msg = msg;
    e->frames = NULL;
    e->cap = 0;
    return e;
}

pf_exc *rt_exc_new(pf_ctx *ctx, int kind, pf_str *msg) {
    if (kind == PF_EXC_KEY && msg) {
        /* str(KeyError(x)) is repr(x), as CPython: `raise KeyError("k")` prints KeyError: 'k' */
        pf_str *r = rt_str_repr(ctx, msg);
        rt_decref(&msg->h);
        if (!r) return NULL;
        msg = r;
    }
    return exc_make(ctx, kind, msg);
}

int64_t rt_raise_exc(pf_ctx *ctx, pf_exc *e) {
    if (!e) return 0; /* allocation failed: MemoryError is already pending */
    if (ctx->exc) rt_decref(&ctx->exc->h);
    ctx->exc = e;
    return 0;
}

int64_t rt_raise_msg(pf_ctx *ctx, int kind, pf_str *msg) {
    pf_exc *e = rt_exc_new(ctx, kind, msg);
    return rt_raise_exc(ctx, e);
}

int64_t rt_raise(pf_ctx *ctx, int kind, const char *fmt, ...) {
    pf_str *msg = NULL;
    if (fmt) {
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (n < 0) n = 0;
        if (n >= (int)sizeof buf) n = sizeof buf - 1;
        msg = rt_str_new(ctx, buf, n);
        if (!msg) return 0;
    }
    return rt_raise_msg(ctx, kind, msg);
}

int64_t rt_raise_int_zerodiv(pf_ctx *ctx) {
    return rt_raise(ctx, PF_EXC_ZERODIV, "integer division or modulo by zero");
}
int64_t rt_raise_float_zerodiv(pf_ctx *ctx) {
    return rt_raise(ctx, PF_EXC_ZERODIV, "float division by zero");
}
int64_t rt_raise_div_zerodiv(pf_ctx *ctx) { return rt_raise(ctx, PF_EXC_ZERODIV, "division by zero"); }
int64_t rt_raise_overflow(pf_ctx *ctx) { return rt_raise(ctx, PF_EXC_OVERFLOW, "integer overflow"); }
int64_t rt_raise_index(pf_ctx *ctx, const char *what) {
    return rt_raise(ctx, PF_EXC_INDEX, "%s index out of range", what);
}
int64_t rt_raise_recursion(pf_ctx *ctx) {
    return rt_raise(ctx, PF_EXC_RECURSION, "maximum recursion depth exceeded");
}
int64_t rt_raise_assert(pf_ctx *ctx, pf_str *msg) { return rt_raise_msg(ctx, PF_EXC_ASSERTION, msg); }
int64_t rt_raise_key(pf_ctx *ctx, pf_slot key, const pf_type *kt) {
    pf_str *r = rt_repr(ctx, key, kt);
    if (!r) return 0;
    return rt_raise_exc(ctx, exc_make(ctx, PF_EXC_KEY, r));
}

void rt_exc_add_frame(pf_ctx *ctx, const char *file, int64_t line, const char *func) {
    pf_exc *e = ctx->exc;
    if (!e || e->h.rc == 0) return;
    if (e->nframes == e->cap) {
        int64_t cap = e->cap ? e->cap * 2 : 8;
        pf_frame *f = realloc(e->frames, sizeof(pf_frame) * cap);
        if (!f) return; /* the traceback loses a frame rather than the error itself */
        e->frames = f;
        e->cap = cap;
    }
    e->frames[e->nframes++] = (pf_frame){file, line, func};
}

pf_exc *rt_exc_interrupt_cb(void *ud, pf_ctx *ctx) {
    (void)ud;
    return rt_exc_new(ctx, PF_EXC_INTERRUPTED, NULL);
}

void rt_exc_release_cb(void *ud, pf_exc *e) {
    (void)ud;
    if (e) rt_decref(&e->h);
}

pf_exc *rt_exc_catch(pf_ctx *ctx, int handler) {
    pf_exc *e = ctx->exc;
    if (!e || !rt_exc_matches(e->kind, handler)) return NULL;
    ctx->exc = NULL;
    return e;
}

void rt_exc_clear(pf_ctx *ctx) {
    if (ctx->exc) rt_decref(&ctx->exc->h);
    ctx->exc = NULL;
}

static int same_frame(const pf_frame *a, const pf_frame *b) {
    return a->line == b->line && strcmp(a->file, b->file) == 0 &&
           (a->func == b->func || (a->func && b->func && strcmp(a->func, b->func) == 0));
}

void rt_exc_print(const pf_exc *e, FILE *out) {
    if (e->nframes > 0) {
        fputs("Traceback (most recent call last):\n", out);
        /* As CPython: after 3 identical consecutive frames the rest are counted, not printed. */
        enum { RECURSIVE_CUTOFF = 3 };
        const pf_frame *last = NULL;
        int64_t same = 0;
        for (int32_t i = e->nframes - 1; i >= -1; i--) {
            const pf_frame *f = i >= 0 ? &e->frames[i] : NULL;
            if (f && last && same_frame(f, last)) {
                if (++same > RECURSIVE_CUTOFF) continue;
            } else {
                if (same > RECURSIVE_CUTOFF) {
                    int64_t more = same - RECURSIVE_CUTOFF;
                    fprintf(out, "  [Previous line repeated %lld more time%s]\n", (long long)more,
                            more > 1 ? "s" : "");
                }
                same = 1;
            }
            if (!f) break;
            last = f;
            fprintf(out, "  File \"%s\", line %lld, in %s\n", f->file, (long long)f->line,
                    f->func ? f->func : "<module>");
        }
    }
    fputs(rt_exc_name(e->kind), out);
    if (e->msg && e->msg->len > 0) {
        fputs(": ", out);
        fwrite(e->msg->data, 1, (size_t)e->msg->len, out);
    }
    fputc('\n', out);
}

pf_str *rt_exc_str(pf_ctx *ctx, const pf_exc *e) {
    if (!e->msg) return rt_str_new(ctx, "", 0);
    rt_incref((pf_obj *)&e->msg->h);
    return e->msg;
}

pf_str *rt_exc_repr(pf_ctx *ctx, const pf_exc *e) {
    const char *name = rt_exc_name(e->kind);
    pf_str *inner = e->kind == PF_EXC_KEY && e->msg ? (rt_incref((pf_obj *)&e->msg->h), e->msg)
                    : e->msg                        ? rt_str_repr(ctx, e->msg)
                                                    : rt_str_new(ctx, "", 0);
    if (!inner) return NULL;
    pf_str *parts[4] = {rt_str_from_cstr(ctx, name), rt_str_from_cstr(ctx, "("), inner,
                        rt_str_from_cstr(ctx, ")")};
    return rt_str_concat_n(ctx, 4, parts);
}
