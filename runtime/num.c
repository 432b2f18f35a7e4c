/* Numbers with Python's semantics: floor division and modulo signs, checked int64 power,
 * correctly rounded int true division, float // % ** with CPython's special cases and messages,
 * round() (half to even, and round(x, n) through correctly rounded decimal conversion), and
 * int()/float() conversions from floats and strings. */
#include <math.h>
#include <stdlib.h>

#include "runtime/value.h"

int64_t rt_int_floordiv(pf_ctx *ctx, int64_t a, int64_t b) {
    if (b == 0) return rt_raise_int_zerodiv(ctx);
    if (b == -1) {
        if (a == INT64_MIN) return rt_raise_overflow(ctx);
        return -a;
    }
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

int64_t rt_int_mod(pf_ctx *ctx, int64_t a, int64_t b) {
    if (b == 0) return rt_raise(ctx, PF_EXC_ZERODIV, "integer modulo by zero");
    if (b == -1) return 0;
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}

int64_t rt_int_pow(pf_ctx *ctx, int64_t a, int64_t b) {
    if (b < 0) {
        if (a == 0) return rt_raise(ctx, PF_EXC_ZERODIV, "0.0 cannot be raised to a negative power");
        return rt_raise(ctx, PF_EXC_VALUE, "negative exponent in an int ** int power (its type is int in pf: write float(a) ** b)");
    }
    int64_t r = 1, base = a;
    while (b) {
        if (b & 1)
            if (__builtin_mul_overflow(r, base, &r)) return rt_raise_overflow(ctx);
        b >>= 1;
        if (b && __builtin_mul_overflow(base, base, &base)) {
            /* base overflowed but may not be needed: only if a remaining bit uses it */
            return rt_raise_overflow(ctx);
        }
    }
    return r;
}

double rt_int_pow_neg(pf_ctx *ctx, int64_t a, int64_t b) {
    if (a == 0 && b < 0) {
        rt_raise(ctx, PF_EXC_ZERODIV, "0.0 cannot be raised to a negative power");
        return 0;
    }
    return pow((double)a, (double)b);
}

double rt_int_truediv(pf_ctx *ctx, int64_t a, int64_t b) {
    if (b == 0) {
        rt_raise_div_zerodiv(ctx);
        return 0;
    }
    const int64_t lim = (int64_t)1 << 53;
    if (a >= -lim && a <= lim && b >= -lim && b <= lim) return (double)a / (double)b;
    /* 64-bit operands: long double holds them exactly; the quotient may round twice, rarely */
    return (double)((long double)a / (long double)b);
}

int64_t rt_int_lshift(pf_ctx *ctx, int64_t a, int64_t b) {
    if (b < 0) return rt_raise(ctx, PF_EXC_VALUE, "negative shift count");
    if (a == 0) return 0;
    if (b >= 64) return rt_raise_overflow(ctx);
    int64_t r = (int64_t)((uint64_t)a << b);
    if ((r >> b) != a) return rt_raise_overflow(ctx);
    return r;
}

int64_t rt_int_rshift(pf_ctx *ctx, int64_t a, int64_t b) {
    if (b < 0) return rt_raise(ctx, PF_EXC_VALUE, "negative shift count");
    if (b >= 63) return a < 0 ? -1 : 0;
    return a >> b; /* arithmetic shift = floor division by 2**b, as Python */
}

double rt_float_div(pf_ctx *ctx, double a, double b) {
    if (b == 0.0) {
        rt_raise_float_zerodiv(ctx);
        return 0;
    }
    return a / b;
}

/* CPython's float_divmod (floatobject.c): the quotient and remainder that Python prints. */
static void float_divmod(double vx, double wx, double *floordiv, double *modulo) {
    double mod = fmod(vx, wx);
    double div = (vx - mod) / wx;
    if (mod) {
        if ((wx < 0) != (mod < 0)) {
            mod += wx;
            div -= 1.0;
        }
    } else {
        mod = copysign(0.0, wx);
    }
    double fd;
    if (div) {
        fd = floor(div);
        if (div - fd > 0.5) fd += 1.0;
    } else {
        fd = copysign(0.0, vx / wx);
    }
    *floordiv = fd;
    *modulo = mod;
}

double rt_float_floordiv(pf_ctx *ctx, double a, double b) {
    if (b == 0.0) {
        rt_raise(ctx, PF_EXC_ZERODIV, "float floor division by zero");
        return 0;
    }
    double q, m;
    float_divmod(a, b, &q, &m);
    return q;
}

double rt_float_mod(pf_ctx *ctx, double a, double b) {
    if (b == 0.0) {
        rt_raise(ctx, PF_EXC_ZERODIV, "float modulo");
        return 0;
    }
    double mod = fmod(a, b);
    if (mod) {
        if ((b < 0) != (mod < 0)) mod += b;
    } else {
        mod = copysign(0.0, b);
    }
    return mod;
}

double rt_float_pow(pf_ctx *ctx, double a, double b) {
    if (b == 0.0) return 1.0;
    if (isnan(a)) return a;
    if (isnan(b)) return a == 1.0 ? 1.0 : b;
    if (a == 0.0 && b < 0.0 && isfinite(b)) {
        rt_raise(ctx, PF_EXC_ZERODIV, "0.0 cannot be raised to a negative power");
        return 0;
    }
    if (a < 0.0 && isfinite(a) && isfinite(b) && floor(b) != b) {
        /* CPython returns a complex number here; pf has none */
        rt_raise(ctx, PF_EXC_VALUE, "negative number cannot be raised to a fractional power");
        return 0;
    }
    double r = pow(a, b);
    if (isinf(r) && isfinite(a) && isfinite(b)) {
        rt_raise(ctx, PF_EXC_OVERFLOW, "(34, 'Numerical result out of range')");
        return 0;
    }
    return r;
}

int64_t rt_int_abs(pf_ctx *ctx, int64_t a) {
    if (a == INT64_MIN) return rt_raise_overflow(ctx);
    return a < 0 ? -a : a;
}

/* A float that is already integral (or inf/nan) to int64, with CPython's errors. */
static int64_t integral_to_int(pf_ctx *ctx, double x) {
    if (isnan(x)) return rt_raise(ctx, PF_EXC_VALUE, "cannot convert float NaN to integer");
    if (isinf(x)) return rt_raise(ctx, PF_EXC_OVERFLOW, "cannot convert float infinity to integer");
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return rt_raise_overflow(ctx);
    return (int64_t)x;
}

int64_t rt_float_to_int(pf_ctx *ctx, double x) { return integral_to_int(ctx, trunc(x)); }
int64_t rt_float_floor(pf_ctx *ctx, double x) { return integral_to_int(ctx, floor(x)); }
int64_t rt_float_ceil(pf_ctx *ctx, double x) { return integral_to_int(ctx, ceil(x)); }
int64_t rt_float_round(pf_ctx *ctx, double x) { return integral_to_int(ctx, nearbyint(x)); }

double rt_float_round_n(pf_ctx *ctx, double x, int64_t n) {
    (void)ctx;
    if (!isfinite(x) || x == 0.0) return x;
    if (n > 323) return x;
    if (n < -308) return 0.0 * x;
    char buf[720];
    if (n >= 0) {
        /* glibc prints the exact binary value rounded half-even: CPython's dtoa mode 3 */
        snprintf(buf, sizeof buf, "%.*f", (int)n, x);
        return strtod(buf, NULL);
    }
    /* n < 0: keep (digits before the point) + n significant digits */
    int e10;
    snprintf(buf, sizeof buf, "%.17e", x);
    e10 = atoi(strchr(buf, 'e') + 1);
    int64_t sig = (int64_t)e10 + 1 + n; /* significant digits to keep */
    if (sig > 0) {
        snprintf(buf, sizeof buf, "%.*e", (int)(sig - 1), x);
        return strtod(buf, NULL);
    }
    if (sig < 0) return copysign(0.0, x);
    /* sig == 0: result is 0 or ±10^-n; compare |x| with half of 10^-n exactly via decimal */
    snprintf(buf, sizeof buf, "%.0e", x); /* rounds to 1 digit: d e e10 */
    double p = strtod(buf, NULL);
    double unit = pow(10.0, (double)-n);
    /* x in [10^(e10), 10^(e10+1)) with e10 = -n-1: rounds to unit when x > unit/2 (ties to 0) */
    double half = unit / 2;
    (void)p;
    if (fabs(x) > half) return copysign(unit, x);
    return copysign(0.0, x);
}

int64_t rt_int_round_n(pf_ctx *ctx, int64_t x, int64_t n) {
    if (n >= 0) return x;
    if (n < -18) return 0;
    int64_t q = 1;
    for (int64_t i = 0; i < -n; i++) q *= 10;
    int64_t r = x % q;
    if (r < 0) r += q; /* Python modulo: 0 <= r < q */
    int64_t base = x - r; /* cannot overflow: moves towards -inf by < q ... */
    if (x < 0 && base > x) return rt_raise_overflow(ctx);
    int64_t twice = r * 2;
    if (twice > q || (twice == q && ((base / q) & 1))) {
        int64_t out;
        if (__builtin_add_overflow(base, q, &out)) return rt_raise_overflow(ctx);
        return out;
    }
    return base;
}

/* ---- conversions from strings ------------------------------------------------------------ */

static int is_space(unsigned char c) { return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f); }

/* Trim ASCII whitespace; copy without underscores that sit between two digits into out (NUL
 * terminated). Returns 0 on a misplaced underscore. */
static int clean_number(const pf_str *s, char *out, size_t cap) {
    int64_t a = 0, b = s->len;
    while (a < b && is_space((unsigned char)s->data[a])) a++;
    while (b > a && is_space((unsigned char)s->data[b - 1])) b--;
    size_t o = 0;
    for (int64_t i = a; i < b; i++) {
        char c = s->data[i];
        if (c == '_') {
            if (i == a || i + 1 >= b || !(s->data[i - 1] >= '0' && s->data[i - 1] <= '9') ||
                !(s->data[i + 1] >= '0' && s->data[i + 1] <= '9'))
                return 0;
            continue;
        }
        if (c == 0) return 0;
        if (o + 1 >= cap) return 0;
        out[o++] = c;
    }
    out[o] = 0;
    return 1;
}

/* A scratch buffer for clean_number: on the stack when small, else malloc'd (freed by caller
 * when it differs from the stack one). NULL means MemoryError was raised. */
static char *scratch(pf_ctx *ctx, const pf_str *s, char *stack, size_t n) {
    if ((size_t)s->len + 1 <= n) return stack;
    char *p = malloc((size_t)s->len + 1);
    if (!p) rt_raise_nomem(ctx);
    return p;
}

int64_t rt_str_to_int(pf_ctx *ctx, const pf_str *s) {
    char stack[128];
    char *buf = scratch(ctx, s, stack, sizeof stack);
    if (!buf) return 0;
    int ok = clean_number(s, buf, (size_t)s->len + 1 > sizeof stack ? (size_t)s->len + 1 : sizeof stack);
    const char *p = buf;
    int neg = 0;
    if (ok && (*p == '+' || *p == '-')) neg = *p++ == '-';
    if (ok && !(*p >= '0' && *p <= '9')) ok = 0;
    uint64_t v = 0;
    int overflow = 0;
    for (; ok && *p; p++) {
        if (!(*p >= '0' && *p <= '9')) {
            ok = 0;
            break;
        }
        if (v > (UINT64_MAX - 9) / 10) overflow = 1;
        else v = v * 10 + (uint64_t)(*p - '0');
    }
    if (buf != stack) free(buf);
    if (!ok) {
        pf_str *r = rt_str_repr(ctx, s);
        if (!r) return 0;
        rt_raise(ctx, PF_EXC_VALUE, "invalid literal for int() with base 10: %s", r->data);
        rt_decref(&r->h);
        return 0;
    }
    if (overflow || v > (uint64_t)INT64_MAX + (uint64_t)neg) return rt_raise_overflow(ctx);
    return neg ? (int64_t)(0 - v) : (int64_t)v;
}

double rt_str_to_float(pf_ctx *ctx, const pf_str *s) {
    char stack[128];
    char *buf = scratch(ctx, s, stack, sizeof stack);
    if (!buf) return 0;
    int ok = clean_number(s, buf, (size_t)s->len + 1 > sizeof stack ? (size_t)s->len + 1 : sizeof stack);
    if (ok) {
        const char *p = buf;
        if (*p == '+' || *p == '-') p++;
        if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0 || strcasecmp(p, "nan") == 0) {
            /* strtod handles these spellings */
        } else {
            int digits = 0;
            for (const char *q = p; *q; q++) {
                if (*q >= '0' && *q <= '9') digits = 1;
                else if (!(*q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-')) ok = 0;
            }
            if (!digits) ok = 0;
        }
    }
    if (ok && buf[0]) {
        char *end;
        double d = strtod(buf, &end);
        int all = *end == 0;
        if (buf != stack) free(buf);
        if (all) return d;
    } else if (buf != stack) {
        free(buf);
    }
    pf_str *r = rt_str_repr(ctx, s);
    if (!r) return 0;
    rt_raise(ctx, PF_EXC_VALUE, "could not convert string to float: %s", r->data);
    rt_decref(&r->h);
    return 0;
}

/* ---- ranges and sums --------------------------------------------------------------------- */

int64_t rt_range_len(int64_t start, int64_t stop, int64_t step) {
    if (step > 0 && start < stop) return (int64_t)(((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1);
    if (step < 0 && start > stop)
        return (int64_t)(((uint64_t)start - (uint64_t)stop - 1) / (0 - (uint64_t)step) + 1);
    return 0;
}

/* The same block tree as the scheduler's rt_reduce with a grain of 1024 (runtime/sched_mark.c
 * root_init and the combine loop): blocks of B = 1024 elements (doubled until there are at most
 * 65536 blocks), each summed left to right from 0.0, then combined bottom-up pairwise over block
 * indices — so sum(list) and a parallel sum(... for ...) give the same bits. */
enum { SUM_GRAIN = 1024, SUM_MAX_BLOCKS = 65536 };

typedef struct sum_tree {
    const double *xs;
    int64_t n, B, nb;
} sum_tree;

static double block_sum(const sum_tree *t, int64_t k) {
    int64_t lo = k * t->B, hi = lo + t->B < t->n ? lo + t->B : t->n;
    double s = 0.0;
    for (int64_t i = lo; i < hi; i++) s += t->xs[i];
    return s;
}

/* the partial at block k after the levels below `size` (a power of two) have been combined */
static double tree_sum(const sum_tree *t, int64_t k, int64_t size) {
    if (size == 1) return block_sum(t, k);
    int64_t half = size / 2;
    double left = tree_sum(t, k, half);
    if (k + half < t->nb) return left + tree_sum(t, k + half, half);
    return left;
}

double rt_float_sum(const double *xs, int64_t n) {
    if (n <= 0) return 0.0;
    sum_tree t = {xs, n, SUM_GRAIN, 0};
    while ((n + t.B - 1) / t.B > SUM_MAX_BLOCKS) t.B *= 2;
    t.nb = (n + t.B - 1) / t.B;
    int64_t size = 1;
    while (size < t.nb) size *= 2;
    return tree_sum(&t, 0, size);
}
