/* Seed program 2 (issue 5): parallel sum of 10^8 doubles with latent ranges (rt_reduce) and the
 * fixed-block reduction tree. The float result must be bit-identical at 1, 2, 4 and 8 threads and at
 * heartbeat periods of 1, 10 and 100 µs, and equal to the same block tree computed serially here.
 * Also: the share hook runs once at the first promotion; rt_for writes every index exactly once;
 * an empty range; a tiny range; heap partials released exactly once, per block and exact. */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "test_sched_util.h"

#ifdef __SANITIZE_THREAD__
#define N 10000000LL
#else
#define N 100000000LL
#endif

static double val(int64_t i) { return 1.0 / (double)(i + 1) + (double)(i % 7) * 1e-9; }

static void sum_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    (void)ctx;
    (void)env;
    double s = *(double *)acc;
    for (int64_t i = lo; i < hi; i++)
        s += val(i);
    *(double *)acc = s;
}
static void sum_init(void *env, void *acc) { (void)env; *(double *)acc = 0.0; }
static void sum_combine(pf_ctx *ctx, void *env, void *acc, void *rhs) {
    (void)ctx;
    (void)env;
    *(double *)acc += *(double *)rhs;
}

static _Atomic int share_calls;
static void sum_share(pf_ctx *ctx, void *env) { /* nothing to share: counts the calls */
    (void)ctx;
    (void)env;
    atomic_fetch_add(&share_calls, 1);
}
static const rt_loop_desc sum_desc = {sum_body, NULL, sizeof(double), sum_init, sum_combine,
                                      NULL, 0, sum_share, 0};

typedef struct { int64_t n; double out; } sum_arg;

static void sum_main(pf_ctx *ctx, void *arg) {
    sum_arg *a = arg;
    rt_reduce(ctx, &sum_desc, 0, a->n, &a->out);
}

/* The reference: the same blocks (B = smallest power of two giving <= 65536 blocks) and tree. */
static double reference(int64_t n) {
    int64_t B = 1;
    while ((n + B - 1) / B > 65536)
        B *= 2;
    int64_t nb = (n + B - 1) / B;
    double *p = calloc((size_t)nb, sizeof *p);
    for (int64_t b = 0; b < nb; b++)
        for (int64_t i = b * B; i < n && i < (b + 1) * B; i++)
            p[b] += val(i);
    for (int64_t s = 1; s < nb; s *= 2)
        for (int64_t k = 0; k + s < nb; k += 2 * s)
            p[k] += p[k + s];
    double r = p[0];
    free(p);
    return r;
}

static _Atomic uint8_t *hits;
static void mark_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    (void)ctx;
    (void)env;
    (void)acc;
    for (int64_t i = lo; i < hi; i++)
        atomic_fetch_add_explicit(&hits[i], 1, memory_order_relaxed);
}
static void for_main(pf_ctx *ctx, void *arg) {
    rt_loop_desc d = {mark_body, NULL, 0, NULL, NULL, NULL, 0, NULL, 0};
    rt_for(ctx, &d, 0, *(int64_t *)arg);
    rt_for(ctx, &d, 5, 5); /* empty */
}

/* Reductions over owned heap partials: init allocates, combine frees its rhs (and may raise),
 * drop frees. Whatever fails, every partial is released exactly once (live == 0 after a failure,
 * 1 = the result after success). */
static _Atomic long live;
static char boom;
typedef struct { int64_t fail_body_at, fail_sum_over; } heap_env;
static void h_init(void *env, void *acc) {
    (void)env;
    int64_t *p = malloc(sizeof *p);
    *p = 0;
    *(int64_t **)acc = p;
    atomic_fetch_add(&live, 1);
}
static void h_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    heap_env *e = env;
    for (int64_t i = lo; i < hi; i++) {
        if (i == e->fail_body_at) {
            ctx->exc = (struct pf_exc *)(void *)&boom;
            return;
        }
        **(int64_t **)acc += i;
    }
}
static void h_combine(pf_ctx *ctx, void *env, void *acc, void *rhs) {
    heap_env *e = env;
    int64_t *a = *(int64_t **)acc, *b = *(int64_t **)rhs;
    *a += *b;
    free(b);
    atomic_fetch_sub(&live, 1);
    if (*a > e->fail_sum_over)
        ctx->exc = (struct pf_exc *)(void *)&boom;
}
static void h_drop(void *env, void *acc) {
    (void)env;
    free(*(int64_t **)acc);
    atomic_fetch_sub(&live, 1);
}
typedef struct { heap_env e; int64_t n, out; int failed, exact; } heap_arg;
static void heap_main(pf_ctx *ctx, void *arg) {
    heap_arg *a = arg;
    rt_loop_desc d = {h_body, &a->e, sizeof(int64_t *), h_init, h_combine, h_drop, 1, NULL, a->exact};
    int64_t *res = NULL;
    rt_reduce(ctx, &d, 0, a->n, &res);
    a->failed = ctx->exc != NULL;
    if (ctx->exc) {
        ctx->exc = NULL;
    } else {
        a->out = *res;
        free(res);
        atomic_fetch_sub(&live, 1);
    }
}

int main(void) {
    for (int th = 1; th <= 4; th *= 2) {
        rt_runtime *rt = open_rt(th, 10);
        int64_t n = 5000;
        static const int64_t cases[][2] = {
            {-1, INT64_MAX}, {4321, INT64_MAX}, {0, INT64_MAX}, {-1, 1000}, {-1, 12000000}};
        for (int c = 0; c < 10; c++) {
            /* exact: one partial per run of blocks, so combine (and its failure) happens only at
             * the joins of promoted tasks: cases 3 and 4 may or may not fail */
            heap_arg a = {{cases[c % 5][0], cases[c % 5][1]}, n, 0, 0, c >= 5};
            CHECK_INT(rt_run(rt, heap_main, &a, NULL), RT_OK);
            CHECK_INT(atomic_load(&live), 0);
            if (c < 5 || c % 5 < 3)
                CHECK_INT(a.failed, c % 5 != 0);
            if (c % 5 == 0)
                CHECK_INT(a.out, n * (n - 1) / 2);
        }
        rt_close(rt);
    }
    printf("heap partials: released exactly once on success, body failure and combine failure\n");

    double ref = reference(N);
    printf("reference sum = %.17g\n", ref);
    static const int threads[] = {1, 2, 4, 8};
    static const int periods[] = {100, 10, 1};
    for (int ti = 0; ti < 4; ti++)
        for (int pi = 0; pi < 3; pi++) {
            rt_runtime *rt = open_rt(threads[ti], periods[pi]);
            sum_arg a = {N, 0};
            rt_stats s0;
            rt_stats_get(rt, &s0, NULL);
            atomic_store(&share_calls, 0);
            CHECK_INT(rt_run(rt, sum_main, &a, NULL), RT_OK);
            rt_stats s1;
            rt_stats_get(rt, &s1, NULL);
            /* the share hook runs once, at the loop's first promotion, and only if it had one */
            CHECK_INT(atomic_load(&share_calls), s1.total.promotions > s0.total.promotions);
            if (memcmp(&a.out, &ref, sizeof ref) != 0) {
                fprintf(stderr, "threads=%d hb=%d: %.17g != %.17g\n", threads[ti], periods[pi],
                        a.out, ref);
                return 1;
            }
            sum_arg small = {3, 0}, empty = {0, 42};
            CHECK_INT(rt_run(rt, sum_main, &small, NULL), RT_OK);
            CHECK(small.out == val(0) + val(1) + val(2));
            CHECK_INT(rt_run(rt, sum_main, &empty, NULL), RT_OK);
            CHECK(empty.out == 0.0);
            rt_stats s;
            rt_stats_get(rt, &s, NULL);
            printf("sum threads=%d hb=%dus: identical (promotions %llu, steals %llu)\n", threads[ti],
                   periods[pi], (unsigned long long)s.total.promotions,
                   (unsigned long long)s.total.steals);
            if (pi == 0) { /* rt_for covers every index exactly once */
                int64_t n = 1000003;
                hits = calloc((size_t)n, 1);
                CHECK_INT(rt_run(rt, for_main, &n, NULL), RT_OK);
                for (int64_t i = 0; i < n; i++)
                    CHECK_INT(hits[i], 1);
                free((void *)hits);
            }
            rt_close(rt);
        }
    return 0;
}
