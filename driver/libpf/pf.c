/* libpf: the embedding API of include/pf.h. Each module is a codegen session (cg_session, as the
 * REPL's): its source is the first entry, each per-signature call stub one more; runs everything
 * that touches a runtime on
 * one dispatcher thread per pf_runtime (rt_run takes one run at a time), converts pf_values to
 * and from runtime objects, and calls compiled stubs through libffi. Never prints, never exits. */
#define _GNU_SOURCE /* vasprintf, open_memstream */
#include "pf.h"

#include "codegen/codegen.h"
#include "ir/ir.h"
#include "parser/parser.h"
#include "runtime/runtime.h"
#include "stdlib/builtins.h"

#include <errno.h>
#include <ffi.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- errors */

static char *dupstr(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

static char *fmtstr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmtstr(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return s;
}

void pf_error_free(pf_error *e) {
    if (!e) return;
    free(e->message);
    free(e->kind);
    free(e->traceback);
    free(e->file);
    free(e->diagnostics);
    memset(e, 0, sizeof *e);
}

/* Replace *e (may be NULL) by a new error of status st with a message (consumed). */
static pf_status set_err(pf_error *e, pf_status st, char *msg) {
    if (e) {
        pf_error_free(e);
        e->status = st;
        e->message = msg;
    } else {
        free(msg);
    }
    return st;
}

const char *pf_status_name(pf_status s) {
    switch (s) {
    case PF_OK: return "PF_OK";
    case PF_ERR_COMPILE: return "PF_ERR_COMPILE";
    case PF_ERR_EXCEPTION: return "PF_ERR_EXCEPTION";
    case PF_ERR_INTERRUPTED: return "PF_ERR_INTERRUPTED";
    case PF_ERR_NAME: return "PF_ERR_NAME";
    case PF_ERR_VALUE: return "PF_ERR_VALUE";
    case PF_ERR_IO: return "PF_ERR_IO";
    case PF_ERR_SYSTEM: return "PF_ERR_SYSTEM";
    }
    return "PF_ERR_?";
}

/* A traceback (x) or diagnostics (d) as pfc prints them, in a malloc'd string (NULL: no memory). */
static char *print_text(const pf_exc *x, const pf_diags *d) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    if (x) rt_exc_print(x, f);
    else pf_diags_print(d, f);
    fclose(f);
    return buf;
}

/* An exception (owned, released here) as a pf_error. Frames of libpf's call stubs (__pf_*) are
 * left out of the traceback. */
static pf_status exc_error(pf_error *e, pf_exc *x) {
    pf_status st = x->kind == PF_EXC_INTERRUPTED || x->kind == PF_EXC_KEYBOARDINTERRUPT
                       ? PF_ERR_INTERRUPTED
                       : PF_ERR_EXCEPTION;
    if (e) {
        pf_error_free(e);
        e->status = st;
        e->kind = dupstr(rt_exc_name(x->kind));
        e->message = x->msg ? dupstr(x->msg->data) : dupstr("");
        int32_t n = x->nframes;
        while (n > 0 && x->frames[n - 1].func && strncmp(x->frames[n - 1].func, CG_EXPORT_PREFIX,
                                                          strlen(CG_EXPORT_PREFIX)) == 0)
            n--;
        int32_t saved = x->nframes;
        x->nframes = n;
        e->traceback = print_text(x, NULL);
        x->nframes = saved;
    }
    if ((void *)x != (void *)RT_EXC_INTERRUPTED) rt_obj_decref(&x->h);
    return st;
}

/* ---------------------------------------------------------------- host-side types */

/* The static type of an argument or result as libpf sees it (a small tree, malloc'd). */
typedef struct htype {
    pf_kind kind;
    int n;                 /* PF_TUPLE: number of items */
    struct htype **items;  /* PF_TUPLE */
    pf_type *rt;           /* runtime descriptor built for arguments (lists, tuples), or NULL */
} htype;

static void htype_free(htype *t) {
    if (!t) return;
    for (int i = 0; i < t->n; i++) htype_free(t->items[i]);
    free(t->items);
    if (t->rt) free((void *)t->rt->fields);
    free(t->rt);
    free(t);
}

static const pf_type *scalar_desc(pf_kind k) {
    switch (k) {
    case PF_INT: return &pf_type_int;
    case PF_FLOAT: return &pf_type_float;
    case PF_BOOL: return &pf_type_bool;
    case PF_STR: return &pf_type_str;
    default: return &pf_type_none;
    }
}

/* The runtime descriptor of t (for building argument objects). */
static const pf_type *htype_desc(htype *t) {
    if (t->rt) return t->rt;
    if (t->kind != PF_LIST_INT && t->kind != PF_LIST_FLOAT && t->kind != PF_TUPLE)
        return scalar_desc(t->kind);
    pf_type *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    if (t->kind == PF_TUPLE) {
        const pf_type **f = calloc((size_t)t->n + 1, sizeof *f);
        if (!f) { free(d); return NULL; }
        for (int i = 0; i < t->n; i++)
            if (!(f[i] = htype_desc(t->items[i]))) { free(f); free(d); return NULL; }
        d->kind = PF_T_TUPLE;
        d->n = (uint32_t)t->n;
        d->fields = f;
    } else {
        d->kind = PF_T_LIST;
        d->elem = t->kind == PF_LIST_INT ? &pf_type_int : &pf_type_float;
    }
    t->rt = d;
    return d;
}

/* The type of a host value; writes its pf type spelling (`int`, `list[float]`, `tuple[int, str]`:
 * ir_type_str's form, the call stub's export key) to *spell. NULL + message for an unsupported kind. */
static htype *htype_of_value(const pf_value *v, char **spell, size_t *len, char **msg) {
    htype *t = calloc(1, sizeof *t);
    FILE *f = NULL;
    if (!t) return NULL;
    t->kind = v->kind;
    const char *s = NULL;
    bool bad = (v->kind == PF_STR && !v->u.str.ptr) ||
               ((v->kind == PF_LIST_INT || v->kind == PF_LIST_FLOAT) &&
                (v->u.ints.len < 0 || (v->u.ints.len > 0 && !v->u.ints.ptr)));
    if (bad) {
        *msg = fmtstr("a %s with a NULL pointer or a negative length",
                      v->kind == PF_STR ? "str" : v->kind == PF_LIST_INT ? "list[int]" : "list[float]");
        free(t);
        return NULL;
    }
    switch (v->kind) {
    case PF_INT: s = "int"; break;
    case PF_FLOAT: s = "float"; break;
    case PF_BOOL: s = "bool"; break;
    case PF_STR: s = "str"; break;
    case PF_LIST_INT: s = "list[int]"; break;
    case PF_LIST_FLOAT: s = "list[float]"; break;
    case PF_TUPLE: break;
    default:
        *msg = fmtstr("unsupported argument kind %d", (int)v->kind);
        free(t);
        return NULL;
    }
    f = open_memstream(spell, len);
    if (!f) { free(t); return NULL; }
    if (s) {
        fputs(s, f);
        fclose(f);
        return t;
    }
    if (v->u.tuple.len < 0 || v->u.tuple.len > 64 || (v->u.tuple.len && !v->u.tuple.items)) {
        fclose(f);
        *msg = fmtstr("bad tuple argument (length %lld; at most 64 items)", (long long)v->u.tuple.len);
        free(t);
        return NULL;
    }
    t->n = (int)v->u.tuple.len;
    t->items = calloc((size_t)t->n + 1, sizeof *t->items);
    fputs("tuple[", f);
    for (int i = 0; t->items && i < t->n; i++) {
        char *sub = NULL;
        size_t sl = 0;
        t->items[i] = htype_of_value(&v->u.tuple.items[i], &sub, &sl, msg);
        if (!t->items[i]) {
            free(sub);
            fclose(f);
            t->n = i;
            htype_free(t);
            return NULL;
        }
        fprintf(f, "%s%s", i ? ", " : "", sub);
        free(sub);
    }
    fputc(']', f);
    fclose(f);
    if (!t->items) { htype_free(t); return NULL; }
    return t;
}

/* The host type of a result's ir type, or NULL + message when the API cannot return it. */
static htype *htype_of_ir(const ir_type *it, char **msg) {
    htype *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    switch (it->kind) {
    case IR_T_INT: t->kind = PF_INT; return t;
    case IR_T_FLOAT: t->kind = PF_FLOAT; return t;
    case IR_T_BOOL: t->kind = PF_BOOL; return t;
    case IR_T_NONE: t->kind = PF_NONE; return t;
    case IR_T_STR: t->kind = PF_STR; return t;
    case IR_T_LIST:
        if (it->elems[0]->kind == IR_T_INT) { t->kind = PF_LIST_INT; return t; }
        if (it->elems[0]->kind == IR_T_FLOAT) { t->kind = PF_LIST_FLOAT; return t; }
        break;
    case IR_T_TUPLE:
        t->kind = PF_TUPLE;
        t->items = calloc((size_t)it->n + 1, sizeof *t->items);
        if (!t->items) break;
        for (int i = 0; i < it->n; i++) {
            if (!(t->items[i] = htype_of_ir(it->elems[i], msg))) {
                htype_free(t);
                return NULL;
            }
            t->n = i + 1;
        }
        return t;
    default: break;
    }
    htype_free(t);
    if (!*msg) *msg = fmtstr("cannot return a value of type %s to the host (supported: int, float, "
                             "bool, str, None, list[int], list[float] and tuples of these)",
                             ir_type_str(it));
    return NULL;
}

/* ---------------------------------------------------------------- the pipeline */

/* The diagnostics as a compile error: position of the first error, the full text. An error in
 * the call stub itself (source `stub`: a wrong argument count) is reported without a line. */
static pf_status diag_error(pf_error *e, const pf_diags *d, const pf_source *stub) {
    if (!e) return PF_ERR_COMPILE;
    pf_error_free(e);
    e->status = PF_ERR_COMPILE;
    for (int32_t i = 0; i < d->len; i++) {
        const pf_diag *g = &d->items[i];
        if (g->sev != PF_SEV_ERROR) continue;
        e->message = dupstr(g->msg);
        if (g->src) e->file = dupstr(g->src->name);
        if (g->src && g->src != stub) {
            e->line = g->line;
            e->col = g->col;
        }
        break;
    }
    if (!e->message) e->message = dupstr("compile error");
    e->diagnostics = print_text(NULL, d);
    return PF_ERR_COMPILE;
}

/* A host function registered with pf_register. */
typedef struct reg {
    char *name;
    pf_cfunc fn;
    char *decl; /* "extern def name(a0: float) -> float\n" */
} reg;

/* Compiles text as the next entry of sess (docs/internals.md "Sessions"): the module's source at
 * load, a call stub (`def __pf_call_N(a0, ...): return f(a0, ...)`, exported for the argument
 * types in root) later. Returns the entry's code, or NULL with *err set. *ret (stubs): the
 * exported function's address and result type (the host type; PF_ERR_VALUE when the host cannot
 * receive it). *map (stubs): where the kept definitions' lines come from, for tracebacks. */
static void *compile_entry(cg_session *sess, const char *name, const char *text, size_t len,
                           const ir_env_root *root, void **fn, htype **ret, cg_linemap **map, pf_error *err) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    char *msg = NULL;
    void *entry = NULL;
    const ir_type *rt = NULL;
    cg_entry_opts o = {.exports = root, .nexports = root ? 1 : 0, .export_addrs = fn, .export_rets = &rt};
    pf_source *src = pf_source_new(&a, name, text, len);
    if (!src) {
        set_err(err, PF_ERR_COMPILE, dupstr("source too large"));
    } else if (!(entry = cg_session_compile(sess, &a, &d, src, &o, &msg))) {
        if (pf_diags_has_errors(&d)) diag_error(err, &d, root ? src : NULL);
        else set_err(err, PF_ERR_SYSTEM, fmtstr("code generation failed: %s", msg ? msg : "?"));
    } else if (root) {
        char *rmsg = NULL;
        *map = cg_session_linemap(sess);
        if (!rt || !(*ret = htype_of_ir(rt, &rmsg)) || !*map) {
            set_err(err, rt && rmsg ? PF_ERR_VALUE : PF_ERR_SYSTEM, rmsg ? rmsg : dupstr("out of memory"));
            cg_linemap_free(*map);
            *map = NULL;
            entry = NULL;
        }
    }
    cg_free_message(msg);
    pf_arena_free(&a);
    return entry;
}

/* ---------------------------------------------------------------- runtime, modules, futures */

typedef struct stub {
    struct stub *next;
    char *fname;   /* the pf function */
    char *sig;     /* its argument literals: the cache key */
    int nargs;
    htype **args;
    void *init;    /* the stub entry's code (defaults of defs, imports' top-level code): run once */
    void *fn;      /* the exported __pf_call_N specialisation: ret f(pf_ctx *, args...) */
    htype *ret;    /* its result type */
    cg_linemap *map; /* traceback lines of the kept definitions compiled with it */
    ffi_cif cif;
    ffi_type **atypes;
} stub;

struct pf_module {
    pf_runtime *rt;
    reg *regs;          /* the runtime's registrations when the module was loaded (copies) */
    int nregs;
    char *name;         /* file name for errors */
    char *text;         /* the source, with a final newline */
    size_t len;
    char **defs;        /* names of the top-level defs */
    int ndefs;
    cg_session *sess;   /* the loaded code, its variables and the call stubs (dispatcher thread) */
    stub *stubs;        /* dispatcher thread only */
    int nstubs;
};

enum job_kind { JOB_LOAD = 1, JOB_CALL, JOB_UNLOAD };

struct pf_future {
    struct pf_future *next; /* queue link (rt->mu) */
    enum job_kind kind;
    pf_module *mod;
    char *name;             /* JOB_CALL: function name */
    const pf_value *args;
    int nargs;
    atomic_bool cancelled;
    bool done;              /* rt->mu */
    pf_status status;
    pf_value result;
    pf_error err;
    stub *st;               /* while running */
};

struct pf_runtime {
    rt_runtime *rt;
    pthread_t thread;       /* the dispatcher */
    pthread_mutex_t mu;     /* guards the queue, running and every future's done */
    pthread_cond_t work;    /* queue non-empty or stop */
    pthread_cond_t done;    /* some future finished */
    pf_future *head, *tail;
    pf_future *running;     /* the future inside rt_run, or NULL */
    bool stop;
    reg *regs;              /* pf_register'ed functions (mu) */
    int nregs;
};

static void regs_free(reg *r, int n) {
    for (int i = 0; i < n; i++) {
        free(r[i].name);
        free(r[i].decl);
    }
    free(r);
}

static bool is_keyword(const char *s) {
    static const char *const kw[] = {"False", "None", "True", "and", "as", "assert", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "extern", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
        "while", "with", "yield"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strcmp(s, kw[i]) == 0) return true;
    return false;
}

static const char *sig_type(char c, bool result) {
    switch (c) {
    case 'i': return "int";
    case 'f': return "float";
    case 'b': return "bool";
    case 's': return "str";
    case 'v': return result ? "None" : NULL;
    default: return NULL;
    }
}

pf_status pf_register(pf_runtime *R, const char *name, pf_cfunc fn, const char *sig, pf_error *err) {
    bool ident = name && fn && ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
                                name[0] == '_');
    for (const char *p = name; ident && *p; p++)
        ident = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (!ident || is_keyword(name) || strncmp(name, CG_EXPORT_PREFIX, strlen(CG_EXPORT_PREFIX)) == 0)
        return set_err(err, PF_ERR_VALUE, fmtstr("pf_register: '%s' is not a usable function name%s",
                                                 name ? name : "(null)", fn ? "" : " (or fn is NULL)"));
    size_t n = sig ? strlen(sig) : 0;
    const char *rt = n >= 3 ? sig_type(sig[0], true) : NULL;
    bool ok = rt && sig[1] == '(' && sig[n - 1] == ')' && n - 3 <= 16;
    for (size_t i = 2; ok && i + 1 < n; i++) ok = sig_type(sig[i], false) != NULL;
    if (!ok)
        return set_err(err, PF_ERR_VALUE, fmtstr("pf_register %s: bad signature '%s' (want e.g. \"f(ff)\": "
                                                 "result then parameters, each one of i f b s, v for a void "
                                                 "result; at most 16 parameters)", name, sig ? sig : "(null)"));
    char *decl = NULL;
    size_t dl = 0;
    FILE *f = open_memstream(&decl, &dl);
    if (!f) return set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
    fprintf(f, "extern def %s(", name);
    for (size_t i = 2; i + 1 < n; i++) fprintf(f, "%sa%zu: %s", i > 2 ? ", " : "", i - 2, sig_type(sig[i], false));
    fprintf(f, ") -> %s\n", rt);
    fclose(f);
    char *nm = dupstr(name);
    pthread_mutex_lock(&R->mu);
    int k = 0;
    while (k < R->nregs && strcmp(R->regs[k].name, name) != 0) k++;
    reg *regs = k < R->nregs ? R->regs : realloc(R->regs, sizeof *regs * (size_t)(R->nregs + 1));
    if (regs && nm && decl) {
        R->regs = regs;
        if (k == R->nregs) {
            R->nregs++;
        } else {
            free(regs[k].name);
            free(regs[k].decl);
        }
        regs[k] = (reg){nm, fn, decl};
        nm = decl = NULL;
    }
    pthread_mutex_unlock(&R->mu);
    if (nm || decl) {
        free(nm);
        free(decl);
        return set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
    }
    return PF_OK;
}

void pf_options_init(pf_options *o) { memset(o, 0, sizeof *o); }

static void run_future(pf_runtime *R, pf_future *f);

static void *dispatcher(void *arg) {
    pf_runtime *R = arg;
    pthread_mutex_lock(&R->mu);
    for (;;) {
        while (!R->head && !R->stop) pthread_cond_wait(&R->work, &R->mu);
        if (!R->head) break;
        pf_future *f = R->head;
        R->head = f->next;
        if (!R->head) R->tail = NULL;
        pthread_mutex_unlock(&R->mu);
        run_future(R, f);
        pthread_mutex_lock(&R->mu);
        f->done = true;
        pthread_cond_broadcast(&R->done);
    }
    pthread_mutex_unlock(&R->mu);
    return NULL;
}

pf_runtime *pf_open(const pf_options *o, pf_error *err) {
    char *msg = NULL;
    if (!cg_init(&msg)) {
        set_err(err, PF_ERR_SYSTEM, fmtstr("no native target: %s", msg ? msg : "?"));
        cg_free_message(msg);
        return NULL;
    }
    pf_runtime *R = calloc(1, sizeof *R);
    if (!R) {
        set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
        return NULL;
    }
    rt_options ro;
    rt_options_init(&ro);
    if (o && o->threads > 0) ro.threads = o->threads;
    if (o && o->heartbeat_us > 0) ro.heartbeat_us = o->heartbeat_us;
    ro.exc_interrupt = rt_exc_interrupt_cb;
    ro.exc_release = rt_exc_release_cb;
    R->rt = rt_open(&ro);
    pthread_mutex_init(&R->mu, NULL);
    pthread_cond_init(&R->work, NULL);
    pthread_cond_init(&R->done, NULL);
    if (!R->rt || pthread_create(&R->thread, NULL, dispatcher, R) != 0) {
        set_err(err, PF_ERR_SYSTEM, dupstr("cannot start the runtime's threads"));
        rt_close(R->rt);
        pthread_mutex_destroy(&R->mu);
        pthread_cond_destroy(&R->work);
        pthread_cond_destroy(&R->done);
        free(R);
        return NULL;
    }
    return R;
}

int pf_threads(const pf_runtime *rt) { return rt_threads(rt->rt); }

void pf_close(pf_runtime *R) {
    if (!R) return;
    pthread_mutex_lock(&R->mu);
    R->stop = true;
    pthread_cond_signal(&R->work);
    pthread_mutex_unlock(&R->mu);
    pthread_join(R->thread, NULL);
    rt_close(R->rt);
    pthread_mutex_destroy(&R->mu);
    pthread_cond_destroy(&R->work);
    pthread_cond_destroy(&R->done);
    regs_free(R->regs, R->nregs);
    free(R);
}

static void enqueue(pf_runtime *R, pf_future *f) {
    pthread_mutex_lock(&R->mu);
    if (R->tail) R->tail->next = f;
    else R->head = f;
    R->tail = f;
    pthread_cond_signal(&R->work);
    pthread_mutex_unlock(&R->mu);
}

bool pf_poll(pf_future *f) {
    pf_runtime *R = f->mod->rt;
    pthread_mutex_lock(&R->mu);
    bool d = f->done;
    pthread_mutex_unlock(&R->mu);
    return d;
}

void pf_cancel(pf_future *f) {
    pf_runtime *R = f->mod->rt;
    pthread_mutex_lock(&R->mu);
    atomic_store(&f->cancelled, true);
    /* run_main rechecks the flag once the run exists, so a cancel landing before rt_run has
     * installed its group is not lost */
    if (R->running == f) rt_cancel_run(R->rt);
    pthread_mutex_unlock(&R->mu);
}

pf_status pf_wait(pf_future *f, pf_value *result, pf_error *err) {
    pf_runtime *R = f->mod->rt;
    pthread_mutex_lock(&R->mu);
    while (!f->done) pthread_cond_wait(&R->done, &R->mu);
    pthread_mutex_unlock(&R->mu);
    pf_status st = f->status;
    if (result) *result = f->result;
    else pf_value_free(&f->result);
    if (err) {
        pf_error_free(err);
        *err = f->err;
    } else {
        pf_error_free(&f->err);
    }
    free(f->name);
    free(f);
    return st;
}

static pf_future *new_future(pf_module *m, enum job_kind k) {
    pf_future *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->kind = k;
    f->mod = m;
    atomic_init(&f->cancelled, false);
    return f;
}

/* ---------------------------------------------------------------- loading */

/* Collect the names of the module's top-level defs (for PF_ERR_NAME). */
static void collect_defs(pf_module *m) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    pf_source *src = pf_source_new(&a, m->name, m->text, m->len);
    ast_module *ast = src ? parse_module(&a, &d, src) : NULL;
    if (ast) {
        m->defs = calloc((size_t)ast->body.len + 1, sizeof *m->defs);
        for (int32_t i = 0; m->defs && i < ast->body.len; i++) {
            const ast_stmt *s = ast->body.items[i];
            if (s->kind == AST_DEF || s->kind == AST_EXTERN) m->defs[m->ndefs++] = dupstr(s->u.def.name);
        }
    }
    pf_arena_free(&a);
}

static pf_module *load(pf_runtime *R, const char *name, char *text, size_t len, pf_error *err) {
    pf_module *m = calloc(1, sizeof *m);
    if (!m) {
        free(text);
        set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
        return NULL;
    }
    m->rt = R;
    m->name = dupstr(name);
    /* the registered functions, declared after the user's text (positions stay the file's) */
    char *full = NULL;
    size_t fl = 0;
    FILE *ff = open_memstream(&full, &fl);
    if (ff) fwrite(text, 1, len, ff);
    pthread_mutex_lock(&R->mu);
    m->regs = calloc((size_t)R->nregs + 1, sizeof *m->regs);
    for (int i = 0; m->regs && i < R->nregs; i++) {
        m->regs[i] = (reg){dupstr(R->regs[i].name), R->regs[i].fn, dupstr(R->regs[i].decl)};
        m->nregs++;
        if (ff) fputs(R->regs[i].decl, ff);
    }
    pthread_mutex_unlock(&R->mu);
    if (ff) fclose(ff);
    free(text);
    m->text = full;
    m->len = fl;
    if (!ff || !m->regs) {
        set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
        regs_free(m->regs, m->nregs);
        free(m->name);
        free(m->text);
        free(m);
        return NULL;
    }
    pf_future *f = new_future(m, JOB_LOAD);
    if (!f) {
        set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
        regs_free(m->regs, m->nregs);
        free(m->name);
        free(m->text);
        free(m);
        return NULL;
    }
    enqueue(R, f);
    pf_status st = pf_wait(f, NULL, err);
    if (st != PF_OK) {
        regs_free(m->regs, m->nregs);
        free(m->name);
        free(m->text);
        free(m);
        return NULL;
    }
    collect_defs(m);
    return m;
}

/* Copy of the source with a final newline (stubs are appended after it). */
static char *with_newline(const char *s, size_t n, size_t *len) {
    char *t = malloc(n + 2);
    if (!t) return NULL;
    memcpy(t, s, n);
    if (n && s[n - 1] != '\n') t[n++] = '\n';
    t[n] = 0;
    *len = n;
    return t;
}

pf_module *pf_load_string(pf_runtime *R, const char *name, const char *src, pf_error *err) {
    size_t len;
    char *t = with_newline(src, strlen(src), &len);
    if (!t) {
        set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
        return NULL;
    }
    return load(R, name ? name : "<string>", t, len, err);
}

pf_module *pf_load_file(pf_runtime *R, const char *path, pf_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, PF_ERR_IO, fmtstr("cannot read '%s': %s", path, strerror(errno)));
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    char chunk[65536];
    size_t k;
    while (out && (k = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, k, out);
    int rerr = ferror(f);
    fclose(f);
    if (out) fclose(out);
    if (!out || rerr) {
        free(buf);
        set_err(err, PF_ERR_IO, fmtstr("cannot read '%s'", path));
        return NULL;
    }
    size_t len;
    char *t = with_newline(buf, n, &len);
    free(buf);
    if (!t) {
        set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
        return NULL;
    }
    return load(R, path, t, len, err);
}

void pf_module_free(pf_module *m) {
    if (!m) return;
    pf_future *f = new_future(m, JOB_UNLOAD);
    if (f) {
        enqueue(m->rt, f);
        pf_wait(f, NULL, NULL);
    }
    for (int i = 0; i < m->ndefs; i++) free(m->defs[i]);
    free(m->defs);
    regs_free(m->regs, m->nregs);
    free(m->name);
    free(m->text);
    free(m);
}

/* ---------------------------------------------------------------- calls */

pf_status pf_call(pf_module *m, const char *name, const pf_value *args, int nargs, pf_value *result,
                  pf_error *err) {
    pf_future *f = pf_submit(m, name, args, nargs, err);
    if (!f) return err ? err->status : PF_ERR_SYSTEM;
    return pf_wait(f, result, err);
}

pf_future *pf_submit(pf_module *m, const char *name, const pf_value *args, int nargs, pf_error *err) {
    pf_future *f = new_future(m, JOB_CALL);
    if (!f || !(f->name = dupstr(name))) {
        free(f);
        set_err(err, PF_ERR_SYSTEM, dupstr("out of memory"));
        return NULL;
    }
    f->args = args;
    f->nargs = nargs;
    enqueue(m->rt, f);
    return f;
}

static void stub_free(stub *s) {
    for (int i = 0; i < s->nargs; i++) htype_free(s->args[i]);
    free(s->args);
    free(s->atypes);
    free(s->fname);
    free(s->sig);
    htype_free(s->ret);
    cg_linemap_free(s->map);
    free(s);
}

static ffi_type *ffi_of(pf_kind k) {
    switch (k) {
    case PF_INT: return &ffi_type_sint64;
    case PF_FLOAT: return &ffi_type_double;
    case PF_BOOL: return &ffi_type_uint8;
    case PF_NONE: return &ffi_type_void;
    default: return &ffi_type_pointer;
    }
}

/* The stub for calling f->name with f->args' types: cached, else compiled now (dispatcher). */
static stub *get_stub(pf_module *m, pf_future *f) {
    bool known = false;
    for (int i = 0; i < m->ndefs; i++) known |= strcmp(m->defs[i], f->name) == 0;
    if (!known) {
        set_err(&f->err, PF_ERR_NAME, fmtstr("no function '%s' in module %s", f->name, m->name));
        return NULL;
    }
    if (f->nargs < 0 || f->nargs > 60 || (f->nargs && !f->args)) {
        set_err(&f->err, PF_ERR_VALUE, fmtstr("bad argument count %d", f->nargs));
        return NULL;
    }
    stub *s = calloc(1, sizeof *s);
    char *sig = NULL;
    size_t siglen = 0;
    FILE *sf = s ? open_memstream(&sig, &siglen) : NULL;
    if (!sf) {
        free(s);
        set_err(&f->err, PF_ERR_SYSTEM, dupstr("out of memory"));
        return NULL;
    }
    s->nargs = f->nargs;
    s->args = calloc((size_t)f->nargs + 1, sizeof *s->args);
    char *msg = NULL;
    for (int i = 0; s->args && i < f->nargs; i++) {
        char *lit = NULL;
        size_t ll = 0;
        if (!(s->args[i] = htype_of_value(&f->args[i], &lit, &ll, &msg))) {
            free(lit);
            fclose(sf);
            free(sig);
            s->nargs = i;
            stub_free(s);
            set_err(&f->err, PF_ERR_VALUE, msg ? fmtstr("argument %d: %s", i + 1, msg) : dupstr("out of memory"));
            free(msg);
            return NULL;
        }
        fprintf(sf, "%s%s", i ? "\n" : "", lit);
        free(lit);
    }
    fclose(sf);
    for (stub *c = m->stubs; c; c = c->next)
        if (strcmp(c->fname, f->name) == 0 && strcmp(c->sig, sig) == 0) {
            free(sig);
            stub_free(s);
            return c;
        }
    s->sig = sig;
    s->fname = dupstr(f->name);
    /* def __pf_call_N(a0, a1):\n    return f(a0, a1)\n, exported for the argument types */
    char stub_name[64];
    snprintf(stub_name, sizeof stub_name, "%scall_%d", CG_EXPORT_PREFIX, m->nstubs);
    char *text = NULL;
    size_t tl = 0;
    FILE *tf = open_memstream(&text, &tl);
    const char **params = calloc((size_t)f->nargs + 1, sizeof *params);
    char *spell = NULL, *save = NULL;
    if (!tf || !params || !(spell = dupstr(sig))) {
        if (tf) fclose(tf);
        free(text);
        free(params);
        stub_free(s);
        set_err(&f->err, PF_ERR_SYSTEM, dupstr("out of memory"));
        return NULL;
    }
    fprintf(tf, "def %s(", stub_name);
    for (int i = 0; i < f->nargs; i++) fprintf(tf, "%sa%d", i ? ", " : "", i);
    fprintf(tf, "):\n    return %s(", f->name);
    for (int i = 0; i < f->nargs; i++) fprintf(tf, "%sa%d", i ? ", " : "", i);
    fprintf(tf, ")\n");
    fclose(tf);
    for (int i = 0; i < f->nargs; i++) /* sig: the spellings, one per line */
        params[i] = strtok_r(i ? NULL : spell, "\n", &save);
    ir_env_root root = {stub_name, params, f->nargs};
    s->init = compile_entry(m->sess, m->name, text, tl, &root, &s->fn, &s->ret, &s->map, &f->err);
    cg_session_end(m->sess, false); /* the stub is not kept as a definition; its code stays */
    free(text);
    free(params);
    free(spell);
    if (!s->init) {
        stub_free(s);
        return NULL;
    }
    s->atypes = calloc((size_t)f->nargs + 1, sizeof *s->atypes);
    if (!s->atypes) {
        stub_free(s);
        set_err(&f->err, PF_ERR_SYSTEM, dupstr("out of memory"));
        return NULL;
    }
    s->atypes[0] = &ffi_type_pointer; /* ctx */
    for (int i = 0; i < f->nargs; i++) s->atypes[i + 1] = ffi_of(s->args[i]->kind);
    if (ffi_prep_cif(&s->cif, FFI_DEFAULT_ABI, (unsigned)f->nargs + 1, ffi_of(s->ret->kind), s->atypes) != FFI_OK) {
        stub_free(s);
        set_err(&f->err, PF_ERR_SYSTEM, dupstr("libffi cannot describe the call"));
        return NULL;
    }
    s->next = m->stubs;
    m->stubs = s;
    m->nstubs++;
    return s;
}

/* A host argument as a runtime slot (owned). Lists of int/float borrow the host's buffer: the
 * list gets an extra reference so pf code never reuses it in place; release_arg undoes this. */
static pf_slot make_arg(pf_ctx *ctx, htype *t, const pf_value *v) {
    switch (t->kind) {
    case PF_INT: return v->u.i;
    case PF_FLOAT: return pf_slot_from_float(v->u.f);
    case PF_BOOL: return v->u.b ? 1 : 0;
    case PF_STR: {
        int64_t n = v->u.str.len < 0 ? (int64_t)strlen(v->u.str.ptr) : v->u.str.len;
        return PF_SLOT_OBJ(rt_str_new(ctx, v->u.str.ptr, n));
    }
    case PF_LIST_INT:
    case PF_LIST_FLOAT: {
        pf_list *xs = rt_list_new(ctx, htype_desc(t), 0);
        if (!xs) return 0;
        int64_t n = t->kind == PF_LIST_INT ? v->u.ints.len : v->u.floats.len;
        const void *p = t->kind == PF_LIST_INT ? (const void *)v->u.ints.ptr : (const void *)v->u.floats.ptr;
        if (n > 0) {
            xs->data = (pf_slot *)(uintptr_t)p; /* zero-copy: the host's int64_t/double array */
            xs->len = xs->cap = n;
        }
        xs->h.rc = 2;
        return PF_SLOT_OBJ(xs);
    }
    case PF_TUPLE: {
        const pf_type *d = htype_desc(t);
        pf_rec *r = d ? rt_rec_new(ctx, d) : NULL;
        if (!r) return 0;
        for (int i = 0; i < t->n; i++) r->slots[i] = 0;
        for (int i = 0; i < t->n; i++) {
            r->slots[i] = make_arg(ctx, t->items[i], &v->u.tuple.items[i]);
            if (ctx->exc) break;
        }
        r->h.flags &= (uint8_t)~PF_F_SCALARS; /* fields may hold objects: scan them */
        return PF_SLOT_OBJ(r);
    }
    default: return 0;
    }
}

/* Release an argument built by make_arg. A borrowed host list still referenced by pf (retained in
 * the result) gets its own copy of the data first. */
static void release_arg(htype *t, pf_slot s) {
    if (!s) return;
    if (t->kind == PF_LIST_INT || t->kind == PF_LIST_FLOAT) {
        pf_list *xs = (pf_list *)PF_OBJ_OF(s);
        int32_t rc = xs->h.rc < 0 ? -xs->h.rc : xs->h.rc;
        if (rc > 2 && xs->len > 0) {
            pf_slot *copy = malloc(sizeof(pf_slot) * (size_t)xs->len);
            if (copy) memcpy(copy, xs->data, sizeof(pf_slot) * (size_t)xs->len);
            xs->data = copy;
            xs->cap = copy ? xs->len : 0;
            if (!copy) xs->len = 0;
        } else if (rc <= 2) {
            xs->data = NULL;
            xs->len = xs->cap = 0;
        }
        rt_obj_decref(&xs->h);
        rt_obj_decref(&xs->h);
        return;
    }
    if (t->kind == PF_TUPLE) {
        pf_rec *r = (pf_rec *)PF_OBJ_OF(s);
        int32_t rc = r->h.rc < 0 ? -r->h.rc : r->h.rc;
        if (rc == 1) { /* ours alone: release the fields the host way, then the empty record */
            for (int i = 0; i < t->n; i++) {
                release_arg(t->items[i], r->slots[i]);
                r->slots[i] = 0;
            }
        } else { /* retained by pf: let pf own the fields; host lists must not dangle */
            for (int i = 0; i < t->n; i++)
                if (t->items[i]->kind == PF_LIST_INT || t->items[i]->kind == PF_LIST_FLOAT) {
                    pf_list *xs = (pf_list *)PF_OBJ_OF(r->slots[i]);
                    pf_slot *copy = xs->len ? malloc(sizeof(pf_slot) * (size_t)xs->len) : NULL;
                    if (copy) memcpy(copy, xs->data, sizeof(pf_slot) * (size_t)xs->len);
                    xs->data = copy;
                    xs->cap = xs->len = copy ? xs->len : 0;
                    rt_obj_decref(&xs->h); /* the extra reference of make_arg */
                }
        }
        rt_obj_decref(&r->h);
        return;
    }
    if (t->kind == PF_STR) rt_obj_decref(PF_OBJ_OF(s));
}

/* A result slot (owned; consumed) as a host value. Lists and strings stay pf objects that the
 * value points into (owner); they are made shared so any host thread may release them. */
static void take_result(htype *t, pf_slot s, pf_value *out) {
    memset(out, 0, sizeof *out);
    out->kind = t->kind;
    switch (t->kind) {
    case PF_NONE: return;
    case PF_INT: out->u.i = s; return;
    case PF_FLOAT: out->u.f = pf_slot_to_float(s); return;
    case PF_BOOL: out->u.b = s != 0; return;
    case PF_STR: {
        pf_str *x = (pf_str *)PF_OBJ_OF(s);
        rt_share(&x->h);
        out->u.str.ptr = x->data;
        out->u.str.len = x->len;
        out->owner = x;
        return;
    }
    case PF_LIST_INT:
    case PF_LIST_FLOAT: {
        pf_list *xs = (pf_list *)PF_OBJ_OF(s);
        rt_share(&xs->h);
        out->u.ints.ptr = (const int64_t *)xs->data; /* same layout for floats */
        out->u.ints.len = xs->len;
        out->owner = xs;
        return;
    }
    case PF_TUPLE: {
        pf_rec *r = (pf_rec *)PF_OBJ_OF(s);
        pf_value *items = calloc((size_t)t->n + 1, sizeof *items);
        out->u.tuple.items = items;
        out->u.tuple.len = items ? t->n : 0;
        out->owner = items ? (void *)items : (void *)out; /* non-NULL: a result */
        for (int i = 0; items && i < t->n; i++) {
            pf_slot f = r->slots[i];
            if (t->items[i]->kind >= PF_STR && f) rt_obj_incref(PF_OBJ_OF(f));
            take_result(t->items[i], f, &items[i]);
        }
        rt_obj_decref(&r->h);
        return;
    }
    default: return;
    }
}

void pf_value_free(pf_value *v) {
    if (!v || !v->owner) return;
    if (v->kind == PF_TUPLE) {
        for (int64_t i = 0; i < v->u.tuple.len; i++) pf_value_free(&v->u.tuple.items[i]);
        free(v->u.tuple.items);
    } else if (v->kind == PF_STR || v->kind == PF_LIST_INT || v->kind == PF_LIST_FLOAT) {
        rt_obj_decref((pf_obj *)v->owner);
    }
    memset(v, 0, sizeof *v);
}

/* Runs on worker 0 inside rt_run: the whole call, from argument conversion to the result. */
static void call_main(pf_ctx *ctx, void *arg) {
    pf_future *f = arg;
    stub *s = f->st;
    if (atomic_load(&f->cancelled)) {
        ctx->exc = rt_exc_new(ctx, PF_EXC_INTERRUPTED, NULL);
        return;
    }
    pf_slot slots[64];
    void *avals[65];
    uint8_t bools[64];
    avals[0] = &ctx;
    for (int i = 0; i < s->nargs; i++) {
        slots[i] = ctx->exc ? 0 : make_arg(ctx, s->args[i], &f->args[i]);
        bools[i] = (uint8_t)slots[i];
        avals[i + 1] = s->args[i]->kind == PF_BOOL ? (void *)&bools[i] : (void *)&slots[i];
    }
    if (s->init && !ctx->exc) { /* first call: the stub entry's own module-level code */
        ((void (*)(pf_ctx *))s->init)(ctx);
        if (!ctx->exc) s->init = NULL;
    }
    union { ffi_arg a; int64_t i; double d; void *p; uint8_t b; } ret;
    memset(&ret, 0, sizeof ret);
    if (!ctx->exc) ffi_call(&s->cif, FFI_FN(s->fn), &ret, avals);
    rt_out_flush(ctx);
    pf_slot r = 0;
    switch (s->ret->kind) {
    case PF_NONE: break;
    case PF_INT: r = ret.i; break;
    case PF_FLOAT: r = pf_slot_from_float(ret.d); break;
    case PF_BOOL: r = (uint8_t)ret.a & 1; break;
    default: r = PF_SLOT_OBJ(ret.p); break;
    }
    /* arguments first: a host list the result still holds gets its own copy before the result
     * points into it */
    for (int i = 0; i < s->nargs; i++) release_arg(s->args[i], slots[i]);
    if (!ctx->exc) take_result(s->ret, r, &f->result);
}

/* Runs on worker 0: the module's top-level code (its load entry; arg = its code). */
static void load_main(pf_ctx *ctx, void *arg) {
    ((void (*)(pf_ctx *))arg)(ctx);
    rt_out_flush(ctx);
}

/* The module's variables are read by later calls on any worker: their objects become shared. */
static void share_vars(cg_session *sess) {
    for (int32_t i = 0; i < cg_session_nvars(sess); i++) {
        const char *name, *type;
        void *slot;
        pf_slot v;
        if (!cg_session_var(sess, i, &name, &type, &slot)) continue;
        memcpy(&v, slot, sizeof v);
        bool obj = strcmp(type, "int") && strcmp(type, "float") && strcmp(type, "bool") && strcmp(type, "None");
        if (obj && v) rt_share(PF_OBJ_OF(v));
    }
}

/* rt_run with f as the running future (for pf_cancel); the exception (owned) or NULL. */
static pf_exc *run(pf_runtime *R, pf_future *f, void (*fn)(pf_ctx *, void *), void *arg) {
    pthread_mutex_lock(&R->mu);
    R->running = f;
    pthread_mutex_unlock(&R->mu);
    pf_exc *x = NULL;
    rt_run(R->rt, fn, arg, &x);
    pthread_mutex_lock(&R->mu);
    R->running = NULL;
    pthread_mutex_unlock(&R->mu);
    return x;
}

static void run_future(pf_runtime *R, pf_future *f) {
    pf_module *m = f->mod;
    f->status = PF_OK;
    if (f->kind == JOB_UNLOAD) {
        for (stub *s = m->stubs, *n; s; s = n) {
            n = s->next;
            stub_free(s);
        }
        m->stubs = NULL;
        cg_session_free(m->sess); /* releases the variables: no runtime needed */
        m->sess = NULL;
        return;
    }
    if (f->kind == JOB_LOAD) {
        char *msg = NULL;
        if (!(m->sess = cg_session_new(&msg))) {
            f->status = set_err(&f->err, PF_ERR_SYSTEM, fmtstr("cannot start the JIT: %s", msg ? msg : "?"));
            cg_free_message(msg);
            return;
        }
        for (int i = 0; i < m->nregs; i++)
            if (!cg_session_define(m->sess, m->regs[i].name, (void *)m->regs[i].fn, &msg)) {
                f->status = set_err(&f->err, PF_ERR_SYSTEM, fmtstr("%s", msg ? msg : "?"));
                cg_free_message(msg);
                break;
            }
        void *entry = NULL;
        if (f->status == PF_OK &&
            !(entry = compile_entry(m->sess, m->name, m->text, m->len, NULL, NULL, NULL, NULL, &f->err)))
            f->status = f->err.status;
        pf_exc *x = entry ? run(R, f, load_main, entry) : NULL;
        if (x) f->status = exc_error(&f->err, x);
        cg_session_end(m->sess, f->status == PF_OK);
        if (f->status != PF_OK) {
            cg_session_free(m->sess);
            m->sess = NULL;
        } else {
            share_vars(m->sess);
        }
        return;
    }
    if (atomic_load(&f->cancelled)) {
        f->status = set_err(&f->err, PF_ERR_INTERRUPTED, dupstr("cancelled before it started"));
        return;
    }
    stub *s = get_stub(m, f);
    if (!s) {
        f->status = f->err.status;
        return;
    }
    f->st = s;
    pf_exc *x = run(R, f, call_main, f);
    if (x && (void *)x != (void *)RT_EXC_INTERRUPTED) /* frames in the module's defs: their own lines */
        for (int32_t i = 0; i < x->nframes; i++) {
            const char *file;
            int32_t line;
            if (cg_linemap_origin(s->map, x->frames[i].line, &file, &line)) {
                x->frames[i].file = file;
                x->frames[i].line = line;
            }
        }
    if (x) {
        pf_value_free(&f->result);
        f->status = exc_error(&f->err, x);
    }
}
