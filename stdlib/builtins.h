/* pf's builtins and stdlib modules implemented in C, called by compiled code (same ABI rules as
 * runtime/value.h: ctx first, borrowed arguments, owned results, errors raised into ctx->exc).
 * Builtins that compile to loops (range, zip, enumerate, map, filter, any, all, comprehension
 * reductions) have no entry here; these are the ones with real work or Python-exact errors. */
#ifndef PF_STDLIB_BUILTINS_H
#define PF_STDLIB_BUILTINS_H

#include "runtime/value.h"

/* ---- builtins over lists ---- */
int64_t pf_sum_int(pf_ctx *ctx, const pf_list *xs);              /* sum(list[int]), OverflowError */
double pf_sum_float(const pf_list *xs);                          /* sum(list[float]), DESIGN.md rule */
/* min(xs) / max(xs) (key may be NULL; ties keep the first, as CPython): borrowed result.
 * Empty: ValueError "min() arg is an empty sequence". */
pf_slot pf_min(pf_ctx *ctx, const pf_list *xs, pf_key_fn key, pf_obj *env, const pf_type *key_type);
pf_slot pf_max(pf_ctx *ctx, const pf_list *xs, pf_key_fn key, pf_obj *env, const pf_type *key_type);
int64_t pf_any(const pf_list *xs); /* any(list) by truthiness of the element type */
int64_t pf_all(const pf_list *xs);
pf_str *pf_chr(pf_ctx *ctx, int64_t cp);      /* chr(i) */
int64_t pf_ord(pf_ctx *ctx, const pf_str *s); /* ord(c) */
pf_list *pf_list_of_str(pf_ctx *ctx, const pf_str *s); /* list("abc") */

/* ---- math module: doubles in, CPython's ValueError/OverflowError ("math domain error",
 * "math range error") out. Constants: use these values directly. ---- */
#define PF_MATH_PI 3.141592653589793
#define PF_MATH_E 2.718281828459045
#define PF_MATH_TAU 6.283185307179586
double pf_math_sqrt(pf_ctx *ctx, double x);
double pf_math_exp(pf_ctx *ctx, double x);
double pf_math_log(pf_ctx *ctx, double x);
double pf_math_log_base(pf_ctx *ctx, double x, double base); /* math.log(x, base) */
double pf_math_log2(pf_ctx *ctx, double x);
double pf_math_log10(pf_ctx *ctx, double x);
double pf_math_sin(pf_ctx *ctx, double x);
double pf_math_cos(pf_ctx *ctx, double x);
double pf_math_tan(pf_ctx *ctx, double x);
double pf_math_asin(pf_ctx *ctx, double x);
double pf_math_acos(pf_ctx *ctx, double x);
double pf_math_atan(pf_ctx *ctx, double x);
double pf_math_atan2(pf_ctx *ctx, double y, double x);
double pf_math_sinh(pf_ctx *ctx, double x);
double pf_math_cosh(pf_ctx *ctx, double x);
double pf_math_tanh(pf_ctx *ctx, double x);
double pf_math_fabs(pf_ctx *ctx, double x);
double pf_math_hypot(pf_ctx *ctx, double x, double y);
double pf_math_pow(pf_ctx *ctx, double x, double y);
double pf_math_copysign(pf_ctx *ctx, double x, double y);
double pf_math_fmod(pf_ctx *ctx, double x, double y);
int64_t pf_math_floor(pf_ctx *ctx, double x); /* -> int */
int64_t pf_math_ceil(pf_ctx *ctx, double x);  /* -> int */
int64_t pf_math_trunc(pf_ctx *ctx, double x); /* -> int */
int64_t pf_math_isnan(pf_ctx *ctx, double x);
int64_t pf_math_isinf(pf_ctx *ctx, double x);
int64_t pf_math_isfinite(pf_ctx *ctx, double x);
int64_t pf_math_isclose(pf_ctx *ctx, double a, double b, double rel_tol, double abs_tol);
int64_t pf_math_gcd(pf_ctx *ctx, int64_t a, int64_t b);
int64_t pf_math_factorial(pf_ctx *ctx, int64_t n);
double pf_math_degrees(pf_ctx *ctx, double x);
double pf_math_radians(pf_ctx *ctx, double x);
double pf_math_fsum(pf_ctx *ctx, const pf_list *xs); /* exact (Shewchuk) like CPython */

/* ---- random module: CPython's Mersenne Twister, seeding and derivations, so a seeded pf
 * program draws exactly the numbers python3 draws. The state lives wherever its owner puts it
 * (the compiler/driver; one per task once parallel code uses it) — there is no global state. ---- */
typedef struct pf_rng {
    uint32_t mt[624];
    int32_t idx;        /* next word of mt to temper; 624 = regenerate */
    int32_t has_gauss;  /* gauss_next is valid (CPython's gauss keeps the second value) */
    double gauss_next;
} pf_rng;
void pf_random_seed(pf_rng *r, int64_t seed);                           /* random.seed(n) */
double pf_random_random(pf_rng *r);                                    /* random.random() */
int64_t pf_random_randint(pf_ctx *ctx, pf_rng *r, int64_t a, int64_t b); /* ValueError if a > b */
double pf_random_uniform(pf_rng *r, double a, double b);
double pf_random_gauss(pf_rng *r, double mu, double sigma);
/* index for random.choice(xs): IndexError "Cannot choose from an empty sequence" when n == 0 */
int64_t pf_random_choice_index(pf_ctx *ctx, pf_rng *r, int64_t n);

/* ---- time module ---- */
double pf_time_time(pf_ctx *ctx);         /* time.time(): seconds since the epoch */
double pf_time_perf_counter(pf_ctx *ctx); /* time.perf_counter(): monotonic seconds */
void pf_time_sleep(pf_ctx *ctx, double s); /* time.sleep(s); negative raises ValueError */

/* ---- sys module ---- */
pf_list *pf_sys_argv(pf_ctx *ctx); /* sys.argv: a new list[str] (rt_args; `['']` without a runtime) */

/* ---- the module table the compiler resolves `import math` / `math.sqrt(x)` against ----
 * Type codes: 'l' int, 'd' float (int arguments are converted), 'b' bool, 'v' none. Every
 * function takes ctx first; `params` lists the rest. A name may appear twice with different
 * arities (math.log(x) and math.log(x, base)). ORDER MODTAB: one row per function. */
typedef struct pf_module_fn {
    const char *module;  /* "math" */
    const char *name;    /* "sqrt" */
    const char *symbol;  /* "pf_math_sqrt": the C symbol compiled code calls */
    void *addr;          /* its address, for the JIT's symbol table */
    const char *ret;     /* one type code */
    const char *params;  /* type codes after ctx */
    int may_raise;       /* sets ctx->exc on error: test it after the call */
} pf_module_fn;

typedef struct pf_module_const {
    const char *module, *name; /* "math", "pi" */
    char type;                 /* 'd' (all current constants are floats) */
    double value;
} pf_module_const;

const pf_module_fn *pf_module_fns(size_t *n);
const pf_module_const *pf_module_consts(size_t *n);
/* The row for module.name with nparams arguments, or NULL. */
const pf_module_fn *pf_module_find(const char *module, const char *name, int nparams);
const pf_module_const *pf_module_find_const(const char *module, const char *name);
int pf_module_exists(const char *module); /* is `import module` a stdlib module? */

#endif
