/* pf.h: the public embedding API of pf (libpf.so / libpf.a, `pkg-config --cflags --libs pf`).
 * A C host opens a runtime, loads pf source into modules, calls pf functions with tagged values
 * (synchronously or as futures it can wait for, poll or cancel) and gets back values it owns.
 * The only public header: every handle is opaque, and there is no global state (several runtimes
 * may live in one process). Nothing in libpf prints or exits: failures come back as pf_error.
 *
 *     pf_runtime *rt = pf_open(NULL);                     // defaults: all cores
 *     pf_error err = {0};
 *     pf_module *m = pf_load_file(rt, "nearest.pf", &err);
 *     if (!m) { fprintf(stderr, "%s:%d:%d: %s\n", err.file, err.line, err.col, err.message); }
 *     double pts[2 * n] = {...};
 *     pf_value args[2] = {pf_val_floats(xs, n), pf_val_floats(ys, n)};
 *     pf_value res;
 *     if (pf_call(m, "nearest", args, 2, &res, &err) == PF_OK) { ... res.u.ints.ptr ...;
 *                                                                pf_value_free(&res); }
 *     pf_error_free(&err);                                  // no-op when nothing failed
 *     pf_module_free(m);
 *     pf_close(rt);
 *
 * ## How a call works (and what it costs)
 * pf functions are specialised per argument types (DESIGN.md §1), so the first call of `f` with a
 * new tuple of argument types compiles a stub `def __pf_call_N(a0, ...): return f(a0, ...)` for
 * those types as one more entry of the module's incremental session (what it reaches is
 * specialised; milliseconds for small functions), and caches it; later calls with the same types
 * only convert the arguments and call the compiled stub through libffi. The stub reads the loaded
 * module's variables (computed once, at load) where they live.
 * Calls of one runtime run one at a time, in submission order, each on all of the runtime's
 * workers (the parallelism is inside the call). Any host thread may call, submit, wait, poll and
 * cancel concurrently; a dedicated host thread per runtime runs the queue.
 * Names starting with `__pf_` are reserved in loaded source.
 *
 * ## Values and ownership
 * A pf_value is a tagged union. Values the host builds (pf_int, pf_list_float, ...) borrow the
 * host's memory for the duration of the call: lists of int64_t / double are handed over without
 * copying when the pf code does not keep them beyond the call (a result that contains an
 * argument list gets its own copy). Results are owned by the host and released with
 * pf_value_free; a result list of int or float points into the pf list itself (zero-copy) and
 * stays valid until pf_value_free. Supported types: int, float, bool, str, list[int],
 * list[float], tuples of these (nested), and None (results only).
 *
 * ## Errors
 * Functions that can fail return a pf_status (or NULL) and fill a caller-provided pf_error
 * (which may be NULL if the caller does not care). The error's strings are malloc'd: release
 * them with pf_error_free (which resets the struct, so it can be reused). */
#ifndef PF_H
#define PF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PF_VERSION_MAJOR 0
#define PF_VERSION_MINOR 1
#define PF_VERSION_PATCH 0

#if defined(__GNUC__)
#define PF_API __attribute__((visibility("default")))
#else
#define PF_API
#endif

typedef struct pf_runtime pf_runtime; /* worker threads + a call queue; pf_open / pf_close */
typedef struct pf_module pf_module;   /* loaded source: its globals and compiled call stubs */
typedef struct pf_future pf_future;   /* one submitted call; pf_submit / pf_wait */

/* ---------------------------------------------------------------- status and errors */

typedef enum pf_status {
    PF_OK = 0,
    PF_ERR_COMPILE,     /* the source (or the call stub for these argument types) does not compile */
    PF_ERR_EXCEPTION,   /* the pf code raised: kind, message and traceback are set */
    PF_ERR_INTERRUPTED, /* the call was cancelled (pf_cancel) */
    PF_ERR_NAME,        /* no top-level function of that name in the module */
    PF_ERR_VALUE,       /* an argument or result value the API cannot convert (type named) */
    PF_ERR_IO,          /* the file cannot be read */
    PF_ERR_SYSTEM,      /* threads, memory or the JIT failed */
} pf_status;

typedef struct pf_error {
    pf_status status;
    char *message;   /* "unsupported operand types for -: 'str' and 'int'" (malloc'd) or NULL */
    char *kind;      /* PF_ERR_EXCEPTION: the exception's name, "ZeroDivisionError"; else NULL */
    char *traceback; /* PF_ERR_EXCEPTION: Python-style traceback text, ends with "Kind: msg\n" */
    char *file;      /* PF_ERR_COMPILE: the file of the first error (as given), else NULL */
    int line, col;   /* PF_ERR_COMPILE: its 1-based position (0 = none) */
    char *diagnostics; /* PF_ERR_COMPILE: every diagnostic as pfc prints them (carets, notes) */
} pf_error;

/* Release the strings of *e and zero it. Safe on a zeroed pf_error and on NULL. */
PF_API void pf_error_free(pf_error *e);

/* "PF_OK", "PF_ERR_COMPILE", ... (static strings). */
PF_API const char *pf_status_name(pf_status s);

/* ---------------------------------------------------------------- runtimes */

typedef struct pf_options {
    int threads;      /* worker threads; 0 = PF_THREADS, else the number of online cores */
    int heartbeat_us; /* heartbeat period in µs; 0 = PF_HEARTBEAT_US, else 100 */
} pf_options;

/* Fill *o with the defaults (all zero: environment, then built-in defaults). */
PF_API void pf_options_init(pf_options *o);

/* Start a runtime (its workers, heartbeat and call-queue threads). o may be NULL (defaults).
 * Returns NULL (and fills *err, which may be NULL) if threads or the JIT cannot start. */
PF_API pf_runtime *pf_open(const pf_options *o, pf_error *err);

/* Number of worker threads of rt. */
PF_API int pf_threads(const pf_runtime *rt);

/* Stop rt. Every module of rt must have been freed and every future waited for first. */
PF_API void pf_close(pf_runtime *rt);

/* Make the C function fn callable from pf code of modules loaded into rt afterwards, as `name`.
 * sig gives its C types, result first, then the parameters in parentheses:
 *     i = int64_t   f = double   b = bool   s = const char * (UTF-8, NUL-terminated)
 *     v = void (result only: pf sees None)
 * e.g. "f(ff)" is double fn(double, double); "v(s)" is void fn(const char *). A str argument is
 * borrowed for the call; a str result is copied (NULL reads as ''). pf code calls it like any
 * function (`name(x, y)`); libpf declares it to the module as `extern def name(a0: float, a1:
 * float) -> float`, so calls are checked at compile time and compiled as direct calls (no libffi
 * in the path). fn may be called from any worker thread, concurrently: it must be thread-safe,
 * and it cannot raise or be interrupted. It must not call into the same runtime (pf_call would wait
 * for itself: calls of one runtime run one at a time). Returns PF_OK, or PF_ERR_VALUE for a bad name or
 * signature (*err says which), PF_ERR_SYSTEM when out of memory. Registering a name again
 * replaces the function for modules loaded later. */
typedef void (*pf_cfunc)(void); /* any C function, cast: PF_CFUNC(hypot) */
#define PF_CFUNC(f) ((pf_cfunc)(f))
PF_API pf_status pf_register(pf_runtime *rt, const char *name, pf_cfunc fn, const char *sig,
                             pf_error *err);

/* ---------------------------------------------------------------- modules */

/* Compile `path` and run its top-level code once (its output goes to stdout as with pfc run).
 * Returns NULL and fills *err on a read error (PF_ERR_IO), a compile error (PF_ERR_COMPILE, with
 * file/line/col of the first error) or an exception in the top-level code (PF_ERR_EXCEPTION). */
PF_API pf_module *pf_load_file(pf_runtime *rt, const char *path, pf_error *err);

/* Same from a NUL-terminated source string; `name` is the file name used in errors and
 * tracebacks ("<string>" if NULL). The text is copied. */
PF_API pf_module *pf_load_string(pf_runtime *rt, const char *name, const char *src,
                                 pf_error *err);

/* Release the module's globals and compiled code. No call of it may be pending. */
PF_API void pf_module_free(pf_module *m);

/* ---------------------------------------------------------------- values */

typedef enum pf_kind {
    PF_NONE = 0,   /* results only: the function returned None */
    PF_INT,        /* u.i */
    PF_FLOAT,      /* u.f */
    PF_BOOL,       /* u.b */
    PF_STR,        /* u.str: UTF-8 bytes (NUL-terminated in results) */
    PF_LIST_INT,   /* u.ints: int64_t[len] */
    PF_LIST_FLOAT, /* u.floats: double[len] */
    PF_TUPLE,      /* u.tuple: items[len] */
} pf_kind;

typedef struct pf_value {
    pf_kind kind;
    union {
        int64_t i;
        double f;
        bool b;
        struct { const char *ptr; int64_t len; } str;
        struct { const int64_t *ptr; int64_t len; } ints;
        struct { const double *ptr; int64_t len; } floats;
        struct { struct pf_value *items; int64_t len; } tuple;
    } u;
    void *owner; /* results: what pf_value_free releases; NULL in values the host builds */
} pf_value;

/* Constructors of borrowed argument values (no allocation; the memory stays the host's). */
static inline pf_value pf_val_int(int64_t i) { pf_value v = {PF_INT, {.i = i}, NULL}; return v; }
static inline pf_value pf_val_float(double f) { pf_value v = {PF_FLOAT, {.f = f}, NULL}; return v; }
static inline pf_value pf_val_bool(bool b) { pf_value v = {PF_BOOL, {.b = b}, NULL}; return v; }
/* s: UTF-8 text of len bytes (len < 0: NUL-terminated). Copied into a pf str at call time. */
static inline pf_value pf_val_str(const char *s, int64_t len) {
    pf_value v = {PF_STR, {.str = {s, len}}, NULL};
    return v;
}
static inline pf_value pf_val_ints(const int64_t *xs, int64_t n) {
    pf_value v = {PF_LIST_INT, {.ints = {xs, n}}, NULL};
    return v;
}
static inline pf_value pf_val_floats(const double *xs, int64_t n) {
    pf_value v = {PF_LIST_FLOAT, {.floats = {xs, n}}, NULL};
    return v;
}
static inline pf_value pf_val_tuple(pf_value *items, int64_t n) {
    pf_value v = {PF_TUPLE, {.tuple = {items, n}}, NULL};
    return v;
}

/* Release a result (recursively for tuples) and set it to PF_NONE. No-op on values the host built
 * (owner == NULL) and on NULL. */
PF_API void pf_value_free(pf_value *v);

/* ---------------------------------------------------------------- calls */

/* Call the top-level function `name` of m with args[0..nargs) and wait for it. On PF_OK, *result
 * (which may be NULL to drop it) holds the owned result (PF_NONE if the function returns None).
 * Otherwise *err says why: PF_ERR_NAME, PF_ERR_VALUE (an argument of an unsupported kind, or a
 * result type the API cannot return), PF_ERR_COMPILE (f cannot take these argument types, e.g.
 * `str - int`: the position is in the loaded source), PF_ERR_EXCEPTION, PF_ERR_INTERRUPTED.
 * The args (and the memory they point to) must stay valid until the call returns. */
PF_API pf_status pf_call(pf_module *m, const char *name, const pf_value *args, int nargs,
                         pf_value *result, pf_error *err);

/* Queue the same call and return at once. The args (and the memory they point to) must stay
 * valid until pf_wait returns. Returns NULL (and fills *err) only when out of memory. */
PF_API pf_future *pf_submit(pf_module *m, const char *name, const pf_value *args, int nargs,
                            pf_error *err);

/* true once the call has finished (successfully or not): pf_wait will not block. */
PF_API bool pf_poll(pf_future *f);

/* Interrupt the call: a queued call never starts, a running one is interrupted at its next poll
 * as SIGINT interrupts pfc (every task of it unwinds, releasing what it holds); pf_wait then
 * returns PF_ERR_INTERRUPTED unless the call had already finished. Any thread; idempotent. */
PF_API void pf_cancel(pf_future *f);

/* Wait for the call to finish, store its result and error as pf_call does, and free f. Exactly
 * one pf_wait per future. */
PF_API pf_status pf_wait(pf_future *f, pf_value *result, pf_error *err);

#ifdef __cplusplus
}
#endif

#endif
