/* rt_reduce with rt_loop_desc.exact (runtime/sched.h): a run of consecutive blocks folds into one
 * partial, so an unpromoted reduction initialises exactly one partial (no per-block partials) and
 * each promoted task one more. Checks an order-sensitive concatenation (every index once, in
 * order) at 1, 2 and 4 threads and heartbeats of 1 and 100 µs, nested reductions, and a failure
 * in a block: the partials are released exactly once. */
#include <string.h>

#include "test_sched_util.h"

/* A partial: a growable array of indices (NULL = empty), owned. */
typedef struct vec {
    int64_t n, cap;
    int64_t *a;
} vec;

static _Atomic long inits, live;
static char boom;

static void v_push(vec *v, int64_t x) {
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 16;
        v->a = realloc(v->a, (size_t)v->cap * sizeof *v->a);
    }
    v->a[v->n++] = x;
}
static void v_init(void *env, void *acc) {
    (void)env;
    vec *v = calloc(1, sizeof *v);
    *(vec **)acc = v;
    atomic_fetch_add(&inits, 1);
    atomic_fetch_add(&live, 1);
}
static void v_free(vec *v) {
    free(v->a);
    free(v);
    atomic_fetch_sub(&live, 1);
}
static void v_combine(pf_ctx *ctx, void *env, void *acc, void *rhs) {
    (void)ctx;
    (void)env;
    vec *a = *(vec **)acc, *b = *(vec **)rhs;
    for (int64_t i = 0; i < b->n; i++)
        v_push(a, b->a[i]);
    v_free(b);
}
static void v_drop(void *env, void *acc) {
    (void)env;
    v_free(*(vec **)acc);
}

typedef struct { int64_t fail_at; } v_env;

static volatile double sink;
static void v_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    const v_env *e = env;
    for (int64_t i = lo; i < hi; i++) {
        if (i == e->fail_at) {
            ctx->exc = (struct pf_exc *)(void *)&boom;
            return;
        }
        double x = 0; /* some work per index, so heartbeats find marks to promote */
        for (int k = 0; k < 200; k++)
            x += (double)(i ^ k);
        sink = x;
        v_push(*(vec **)acc, i);
    }
}

typedef struct { int64_t n, fail_at; vec *out; int failed; } v_arg;

static void v_main(pf_ctx *ctx, void *arg) {
    v_arg *a = arg;
    v_env e = {a->fail_at};
    rt_loop_desc d = {v_body, &e, sizeof(vec *), v_init, v_combine, v_drop, 1, NULL, 1};
    a->out = NULL;
    rt_reduce(ctx, &d, 0, a->n, &a->out);
    a->failed = ctx->exc != NULL;
    ctx->exc = NULL;
}

/* Nested: an outer exact reduction whose body runs an inner one per index and appends its
 * length (both levels may be promoted). */
static void n_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    (void)env;
    v_env e = {-1};
    rt_loop_desc d = {v_body, &e, sizeof(vec *), v_init, v_combine, v_drop, 1, NULL, 1};
    for (int64_t i = lo; i < hi && !ctx->exc; i++) {
        vec *inner = NULL;
        rt_reduce(ctx, &d, 0, 50 + i % 7, &inner);
        if (ctx->exc)
            return;
        int64_t ok = inner->n == 50 + i % 7;
        for (int64_t k = 0; k < inner->n; k++)
            ok &= inner->a[k] == k;
        v_free(inner);
        v_push(*(vec **)acc, ok ? i : -1);
    }
}
static void nested_main(pf_ctx *ctx, void *arg) {
    v_arg *a = arg;
    rt_loop_desc d = {n_body, NULL, sizeof(vec *), v_init, v_combine, v_drop, 1, NULL, 1};
    a->out = NULL;
    rt_reduce(ctx, &d, 0, a->n, &a->out);
    a->failed = ctx->exc != NULL;
    ctx->exc = NULL;
}

static void check_iota(const vec *v, int64_t n) {
    CHECK_INT(v->n, n);
    for (int64_t i = 0; i < n; i++)
        if (v->a[i] != i) {
            CHECK_INT(v->a[i], i);
            break;
        }
}

int main(void) {
    static const int threads[] = {1, 2, 4};
    static const int periods[] = {100, 1};
    for (int ti = 0; ti < 3; ti++)
        for (int pi = 0; pi < 2; pi++) {
            rt_runtime *rt = open_rt(threads[ti], periods[pi]);
            rt_stats s0, s1;
            rt_stats_get(rt, &s0, NULL);
            atomic_store(&inits, 0);
            v_arg a = {20000, -1, NULL, 0};
            CHECK_INT(rt_run(rt, v_main, &a, NULL), RT_OK);
            rt_stats_get(rt, &s1, NULL);
            CHECK_INT(a.failed, 0);
            check_iota(a.out, a.n);
            v_free(a.out);
            /* one partial for the run, one per promoted task (no reduction is nested here) */
            long partials = atomic_load(&inits);
            CHECK_INT(partials, 1 + (long)(s1.total.promotions - s0.total.promotions));
            if (threads[ti] == 1)
                CHECK_INT(partials, 1);

            v_arg f = {20000, 12345, NULL, 0};
            CHECK_INT(rt_run(rt, v_main, &f, NULL), RT_OK);
            CHECK_INT(f.failed, 1);

            v_arg nest = {300, -1, NULL, 0};
            CHECK_INT(rt_run(rt, nested_main, &nest, NULL), RT_OK);
            CHECK_INT(nest.failed, 0);
            check_iota(nest.out, nest.n);
            v_free(nest.out);

            v_arg empty = {0, -1, NULL, 0};
            CHECK_INT(rt_run(rt, v_main, &empty, NULL), RT_OK);
            CHECK_INT(empty.out->n, 0);
            v_free(empty.out);
            CHECK_INT(atomic_load(&live), 0);
            printf("exact threads=%d hb=%dus: in order, %ld partials (promotions %llu)\n",
                   threads[ti], periods[pi], partials,
                   (unsigned long long)(s1.total.promotions - s0.total.promotions));
            rt_close(rt);
        }
    return 0;
}
