/* The stdlib module table: which functions and constants `import math` and `import time`
 * provide, with their C symbols and signatures, so the compiler can type and call them without
 * knowing stdlib's sources. Also the time module's few functions and sys.argv. */
#include <math.h>
#include <time.h>

#include "stdlib/builtins.h"
#include "runtime/sched.h"

double pf_time_time(pf_ctx *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double pf_time_perf_counter(pf_ctx *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void pf_time_sleep(pf_ctx *ctx, double s) {
    if (s < 0) {
        rt_raise(ctx, PF_EXC_VALUE, "sleep length must be non-negative");
        return;
    }
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL);
}

pf_list *pf_sys_argv(pf_ctx *ctx) {
    int argc = 0;
    rt_runtime *rt = rt_ctx_runtime(ctx);
    char *const *argv = rt ? rt_args(rt, &argc) : NULL;
    pf_list *xs = rt_list_new(ctx, &pf_type_list_str, argc > 0 ? argc : 1);
    for (int i = 0; xs && i < (argc > 0 ? argc : 1); i++) {
        pf_str *s = rt_str_from_cstr(ctx, argc > 0 ? argv[i] : "");
        if (!s || rt_list_push(ctx, xs, (pf_slot)s) != 0) { /* push consumes s */
            rt_obj_decref(&xs->h);
            return NULL;
        }
    }
    return xs;
}

#define FN(mod, name, sym, ret, params, raise) {mod, name, #sym, (void *)&sym, ret, params, raise}

/* ORDER MODTAB */
static const pf_module_fn fns[] = {
    FN("math", "sqrt", pf_math_sqrt, "d", "d", 1),
    FN("math", "exp", pf_math_exp, "d", "d", 1),
    FN("math", "log", pf_math_log, "d", "d", 1),
    FN("math", "log", pf_math_log_base, "d", "dd", 1),
    FN("math", "log2", pf_math_log2, "d", "d", 1),
    FN("math", "log10", pf_math_log10, "d", "d", 1),
    FN("math", "sin", pf_math_sin, "d", "d", 1),
    FN("math", "cos", pf_math_cos, "d", "d", 1),
    FN("math", "tan", pf_math_tan, "d", "d", 1),
    FN("math", "asin", pf_math_asin, "d", "d", 1),
    FN("math", "acos", pf_math_acos, "d", "d", 1),
    FN("math", "atan", pf_math_atan, "d", "d", 1),
    FN("math", "atan2", pf_math_atan2, "d", "dd", 0),
    FN("math", "sinh", pf_math_sinh, "d", "d", 1),
    FN("math", "cosh", pf_math_cosh, "d", "d", 1),
    FN("math", "tanh", pf_math_tanh, "d", "d", 0),
    FN("math", "fabs", pf_math_fabs, "d", "d", 0),
    FN("math", "hypot", pf_math_hypot, "d", "dd", 1),
    FN("math", "pow", pf_math_pow, "d", "dd", 1),
    FN("math", "copysign", pf_math_copysign, "d", "dd", 0),
    FN("math", "fmod", pf_math_fmod, "d", "dd", 1),
    FN("math", "floor", pf_math_floor, "l", "d", 1),
    FN("math", "ceil", pf_math_ceil, "l", "d", 1),
    FN("math", "trunc", pf_math_trunc, "l", "d", 1),
    FN("math", "isnan", pf_math_isnan, "b", "d", 0),
    FN("math", "isinf", pf_math_isinf, "b", "d", 0),
    FN("math", "isfinite", pf_math_isfinite, "b", "d", 0),
    FN("math", "gcd", pf_math_gcd, "l", "ll", 1),
    FN("math", "factorial", pf_math_factorial, "l", "l", 1),
    FN("math", "degrees", pf_math_degrees, "d", "d", 0),
    FN("math", "radians", pf_math_radians, "d", "d", 0),
    FN("time", "time", pf_time_time, "d", "", 0),
    FN("time", "perf_counter", pf_time_perf_counter, "d", "", 0),
    FN("time", "sleep", pf_time_sleep, "v", "d", 1),
};

static const pf_module_const consts[] = {
    {"math", "pi", 'd', PF_MATH_PI},
    {"math", "e", 'd', PF_MATH_E},
    {"math", "tau", 'd', PF_MATH_TAU},
    {"math", "inf", 'd', INFINITY},
    {"math", "nan", 'd', NAN},
};

const pf_module_fn *pf_module_fns(size_t *n) {
    *n = sizeof fns / sizeof fns[0];
    return fns;
}

const pf_module_const *pf_module_consts(size_t *n) {
    *n = sizeof consts / sizeof consts[0];
    return consts;
}

const pf_module_fn *pf_module_find(const char *module, const char *name, int nparams) {
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (strcmp(fns[i].module, module) == 0 && strcmp(fns[i].name, name) == 0 &&
            (nparams < 0 || (int)strlen(fns[i].params) == nparams))
            return &fns[i];
    return NULL;
}

const pf_module_const *pf_module_find_const(const char *module, const char *name) {
    for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
        if (strcmp(consts[i].module, module) == 0 && strcmp(consts[i].name, name) == 0) return &consts[i];
    return NULL;
}

int pf_module_exists(const char *module) { return strcmp(module, "math") == 0 || strcmp(module, "time") == 0; }
