/* The math module: libm with CPython's error rules (mathmodule.c math_1: a NaN result from a
 * non-NaN argument is "math domain error" ValueError; an infinite result from a finite argument
 * is "math range error" OverflowError, except where CPython says otherwise). */
#include <math.h>

#include "stdlib/builtins.h"

static double domain(pf_ctx *ctx) {
    rt_raise(ctx, PF_EXC_VALUE, "math domain error");
    return 0;
}
static double range(pf_ctx *ctx) {
    rt_raise(ctx, PF_EXC_OVERFLOW, "math range error");
    return 0;
}

/* math_1 with can_overflow: check r computed from x. */
static double check1(pf_ctx *ctx, double x, double r, int can_overflow) {
    if (isnan(r) && !isnan(x)) return domain(ctx);
    if (isinf(r) && isfinite(x)) return can_overflow ? range(ctx) : domain(ctx);
    return r;
}

double pf_math_sqrt(pf_ctx *ctx, double x) { return check1(ctx, x, sqrt(x), 0); }
double pf_math_exp(pf_ctx *ctx, double x) { return check1(ctx, x, exp(x), 1); }
double pf_math_log(pf_ctx *ctx, double x) {
    if (isnan(x)) return x;
    if (x <= 0) return domain(ctx);
    return log(x);
}
double pf_math_log2(pf_ctx *ctx, double x) {
    if (isnan(x)) return x;
    if (x <= 0) return domain(ctx);
    return log2(x);
}
double pf_math_log10(pf_ctx *ctx, double x) {
    if (isnan(x)) return x;
    if (x <= 0) return domain(ctx);
    return log10(x);
}
double pf_math_log_base(pf_ctx *ctx, double x, double base) {
    double num = pf_math_log(ctx, x);
    if (ctx->exc) return 0;
    double den = pf_math_log(ctx, base);
    if (ctx->exc) return 0;
    if (den == 0.0) {
        rt_raise(ctx, PF_EXC_ZERODIV, "float division by zero");
        return 0;
    }
    return num / den;
}
double pf_math_sin(pf_ctx *ctx, double x) { return check1(ctx, x, sin(x), 0); }
double pf_math_cos(pf_ctx *ctx, double x) { return check1(ctx, x, cos(x), 0); }
double pf_math_tan(pf_ctx *ctx, double x) { return check1(ctx, x, tan(x), 0); }
double pf_math_asin(pf_ctx *ctx, double x) { return check1(ctx, x, asin(x), 0); }
double pf_math_acos(pf_ctx *ctx, double x) { return check1(ctx, x, acos(x), 0); }
double pf_math_atan(pf_ctx *ctx, double x) { return check1(ctx, x, atan(x), 0); }
double pf_math_atan2(pf_ctx *ctx, double y, double x) {
    (void)ctx;
    return atan2(y, x);
}
double pf_math_sinh(pf_ctx *ctx, double x) { return check1(ctx, x, sinh(x), 1); }
double pf_math_cosh(pf_ctx *ctx, double x) { return check1(ctx, x, cosh(x), 1); }
double pf_math_tanh(pf_ctx *ctx, double x) { return check1(ctx, x, tanh(x), 0); }
double pf_math_fabs(pf_ctx *ctx, double x) {
    (void)ctx;
    return fabs(x);
}
double pf_math_hypot(pf_ctx *ctx, double x, double y) {
    double r = hypot(x, y);
    if (isinf(r) && isfinite(x) && isfinite(y)) return range(ctx);
    return r;
}
double pf_math_pow(pf_ctx *ctx, double x, double y) {
    /* CPython math_pow: special cases first, then libm with errno-like checks */
    if (!isfinite(x) || !isfinite(y)) {
        if (isnan(x)) return y == 0.0 ? 1.0 : x;
        if (isnan(y)) return x == 1.0 ? 1.0 : y;
        return pow(x, y);
    }
    if (x == 0.0 && y < 0.0) return domain(ctx);
    if (x < 0.0 && floor(y) != y) return domain(ctx);
    double r = pow(x, y);
    if (isinf(r)) return range(ctx);
    return r;
}
double pf_math_copysign(pf_ctx *ctx, double x, double y) {
    (void)ctx;
    return copysign(x, y);
}
double pf_math_fmod(pf_ctx *ctx, double x, double y) {
    if (isinf(y) && isfinite(x)) return x;
    double r = fmod(x, y);
    if (isnan(r) && !isnan(x) && !isnan(y)) return domain(ctx);
    return r;
}
int64_t pf_math_floor(pf_ctx *ctx, double x) { return rt_float_floor(ctx, x); }
int64_t pf_math_ceil(pf_ctx *ctx, double x) { return rt_float_ceil(ctx, x); }
int64_t pf_math_trunc(pf_ctx *ctx, double x) { return rt_float_to_int(ctx, x); }
int64_t pf_math_isnan(pf_ctx *ctx, double x) {
    (void)ctx;
    return isnan(x) != 0;
}
int64_t pf_math_isinf(pf_ctx *ctx, double x) {
    (void)ctx;
    return isinf(x) != 0;
}
int64_t pf_math_isfinite(pf_ctx *ctx, double x) {
    (void)ctx;
    return isfinite(x) != 0;
}
int64_t pf_math_isclose(pf_ctx *ctx, double a, double b, double rel_tol, double abs_tol) {
    if (rel_tol < 0.0 || abs_tol < 0.0) {
        rt_raise(ctx, PF_EXC_VALUE, "tolerances must be non-negative");
        return 0;
    }
    if (a == b) return 1;
    if (isinf(a) || isinf(b)) return 0;
    double diff = fabs(b - a);
    return (diff <= fabs(rel_tol * b)) || (diff <= fabs(rel_tol * a)) || (diff <= abs_tol);
}
int64_t pf_math_gcd(pf_ctx *ctx, int64_t a, int64_t b) {
    uint64_t x = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, y = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    if (x > INT64_MAX) return rt_raise_overflow(ctx);
    return (int64_t)x;
}
int64_t pf_math_factorial(pf_ctx *ctx, int64_t n) {
    if (n < 0) return rt_raise(ctx, PF_EXC_VALUE, "factorial() not defined for negative values");
    int64_t r = 1;
    for (int64_t i = 2; i <= n; i++)
        if (__builtin_mul_overflow(r, i, &r)) return rt_raise_overflow(ctx);
    return r;
}
double pf_math_degrees(pf_ctx *ctx, double x) {
    (void)ctx;
    return x * (180.0 / PF_MATH_PI);
}
double pf_math_radians(pf_ctx *ctx, double x) {
    (void)ctx;
    return x * (PF_MATH_PI / 180.0);
}

double pf_math_fsum(pf_ctx *ctx, const pf_list *xs) {
    /* Shewchuk's exact partial sums (as CPython's math_fsum), without the special-value paths */
    double partials[64];
    int n = 0;
    double special = 0.0;
    for (int64_t k = 0; k < xs->len; k++) {
        double x = pf_slot_to_float(xs->data[k]);
        if (!isfinite(x)) {
            special += x;
            continue;
        }
        int i = 0;
        for (int j = 0; j < n; j++) {
            double y = partials[j];
            if (fabs(x) < fabs(y)) {
                double t = x;
                x = y;
                y = t;
            }
            double hi = x + y, lo = y - (hi - x);
            if (lo != 0.0) partials[i++] = lo;
            x = hi;
        }
        if (i >= 64) {
            rt_raise(ctx, PF_EXC_OVERFLOW, "fsum: too many partials");
            return 0;
        }
        partials[i++] = x;
        n = i;
    }
    if (special != 0.0 || isnan(special)) return special;
    double hi = 0.0;
    if (n > 0) {
        hi = partials[--n];
        double lo = 0;
        while (n > 0) {
            double x = hi, y = partials[--n];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0) break;
        }
        if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
            double y = lo * 2.0, x = hi + y, yr = x - hi;
            if (y == yr) hi = x;
        }
    }
    return hi;
}
