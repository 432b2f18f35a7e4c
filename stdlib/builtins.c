/* Builtins with real work or Python-exact errors: sum over lists (checked int, fixed-tree float),
 * min/max with key (first of equal elements wins, as CPython), any/all over lists, chr/ord. */
#include "runtime/value_impl.h"
#include "stdlib/builtins.h"

int64_t pf_sum_int(pf_ctx *ctx, const pf_list *xs) {
    int64_t s = 0;
    for (int64_t i = 0; i < xs->len; i++)
        if (__builtin_add_overflow(s, xs->data[i], &s)) return rt_raise_overflow(ctx);
    return s;
}

double pf_sum_float(const pf_list *xs) { return rt_float_sum((const double *)xs->data, xs->len); }

static pf_slot extreme(pf_ctx *ctx, const pf_list *xs, pf_key_fn key, pf_obj *env, const pf_type *key_type,
                       int want_max) {
    if (xs->len == 0) {
        rt_raise(ctx, PF_EXC_VALUE, "%s() arg is an empty sequence", want_max ? "max" : "min");
        return 0;
    }
    const pf_type *kt = key ? key_type : xs->type->elem;
    pf_slot best = xs->data[0];
    pf_slot best_key = key ? key(ctx, env, best) : best;
    if (ctx->exc) return 0;
    for (int64_t i = 1; i < xs->len; i++) {
        pf_slot v = xs->data[i];
        pf_slot k = key ? key(ctx, env, v) : v;
        if (ctx->exc) break;
        /* CPython: replace only when strictly better */
        int better = want_max ? (int)rt_lt(ctx, best_key, k, kt) : (int)rt_lt(ctx, k, best_key, kt);
        if (better && !ctx->exc) {
            if (key) rt_release(best_key, kt);
            best = v;
            best_key = k;
        } else if (key) {
            rt_release(k, kt);
        }
        if (ctx->exc) break;
    }
    if (key) rt_release(best_key, kt);
    return ctx->exc ? 0 : best;
}

pf_slot pf_min(pf_ctx *ctx, const pf_list *xs, pf_key_fn key, pf_obj *env, const pf_type *key_type) {
    return extreme(ctx, xs, key, env, key_type, 0);
}
pf_slot pf_max(pf_ctx *ctx, const pf_list *xs, pf_key_fn key, pf_obj *env, const pf_type *key_type) {
    return extreme(ctx, xs, key, env, key_type, 1);
}

int64_t pf_any(const pf_list *xs) {
    for (int64_t i = 0; i < xs->len; i++)
        if (rt_truthy(xs->data[i], xs->type->elem)) return 1;
    return 0;
}

int64_t pf_all(const pf_list *xs) {
    for (int64_t i = 0; i < xs->len; i++)
        if (!rt_truthy(xs->data[i], xs->type->elem)) return 0;
    return 1;
}

pf_str *pf_chr(pf_ctx *ctx, int64_t cp) {
    if (cp < 0 || cp > 0x10FFFF) {
        rt_raise(ctx, PF_EXC_VALUE, "chr() arg not in range(0x110000)");
        return NULL;
    }
    char u[4];
    int n;
    uint32_t c = (uint32_t)cp;
    if (c < 0x80) u[0] = (char)c, n = 1;
    else if (c < 0x800) u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F)), n = 2;
    else if (c < 0x10000)
        u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)), u[2] = (char)(0x80 | (c & 0x3F)), n = 3;
    else
        u[0] = (char)(0xF0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3F)), u[2] = (char)(0x80 | ((c >> 6) & 0x3F)),
        u[3] = (char)(0x80 | (c & 0x3F)), n = 4;
    return rt_str_const_or_new(ctx, u, n);
}

int64_t pf_ord(pf_ctx *ctx, const pf_str *s) {
    if (s->ncp != 1)
        return rt_raise(ctx, PF_EXC_TYPE, "ord() expected a character, but string of length %lld found",
                        (long long)s->ncp);
    const unsigned char *d = (const unsigned char *)s->data;
    uint32_t c = d[0];
    int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (n) c &= 0x3F >> n;
    for (int i = 1; i <= n; i++) c = (c << 6) | (d[i] & 0x3F);
    return c;
}

pf_list *pf_list_of_str(pf_ctx *ctx, const pf_str *s) {
    pf_list *r = rt_list_new(ctx, &pf_type_list_str, s->ncp);
    if (!r) return NULL;
    int64_t pos = 0;
    while (pos < s->len) {
        pf_str *c = rt_str_next_char(ctx, s, &pos);
        if (!c) {
            rt_decref(&r->h);
            return NULL;
        }
        r->data[r->len++] = PF_SLOT_OBJ(c);
    }
    return r;
}
