/* Stress (label "stress", ThreadSanitizer in `make tsan`): the whole scheduler under a 1 µs
 * heartbeat (a promotion at almost every poll) with more workers than cores: random fork trees with
 * results written through the result slot, nested reductions, futures, random failures (the first
 * in sequential order must win) and cancellations of whole runs from another thread. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "runtime/sched_int.h"
#include "test_sched_util.h"

#ifdef __SANITIZE_THREAD__
#define SCALE 4
#else
#define SCALE 12
#endif

static char fake_exc[1 << 12];
#define EXC(k) ((struct pf_exc *)(void *)&fake_exc[k])
static _Atomic long released;
static void release_hook(void *ud, struct pf_exc *e) {
    (void)ud;
    (void)e;
    atomic_fetch_add(&released, 1);
}

/* A random tree: node id's value = id + sum of children; node fail_at raises EXC(id % 4096). */
typedef struct { uint64_t id; int depth; uint64_t fail_at; } node_env;
static int64_t node(pf_ctx *ctx, node_env *e);
static void node_thunk(pf_ctx *ctx, void *env, void *result) {
    *(int64_t *)result = node(ctx, env);
}
static int64_t node(pf_ctx *ctx, node_env *e) {
    rt_poll(ctx);
    if (ctx->exc)
        return 0;
    if (e->id == e->fail_at) {
        ctx->exc = EXC(e->id % 4096);
        return 0;
    }
    if (e->depth == 0) {
        for (volatile int k = 0; k < 300; k++) /* some work per leaf, so beats land inside */
            ;
        return (int64_t)e->id;
    }
    node_env l = {e->id * 2, e->depth - 1, e->fail_at}, r = {e->id * 2 + 1, e->depth - 1, e->fail_at};
    int64_t a, b = 0;
    rt_fork m = {.fn = node_thunk, .env = &r, .result = &b};
    int pushed = rt_fork_push(ctx, &m);
    a = node(ctx, &l);
    if (!pushed || rt_mark_pop(ctx, &m.m)) {
        if (!ctx->exc)
            b = node(ctx, &r);
    } else {
        rt_fork_join(ctx, &m);
    }
    return a + b + (int64_t)e->id;
}
static int64_t node_expect(uint64_t id, int depth) {
    if (depth == 0)
        return (int64_t)id;
    return node_expect(id * 2, depth - 1) + node_expect(id * 2 + 1, depth - 1) + (int64_t)id;
}
/* the first failing node in sequential (left-to-right, pre-order) order is the one raised: with one
 * failing node it is that node, if it exists in the tree */

typedef struct { int depth; uint64_t fail_at; int64_t out; struct pf_exc *exc; } tree_arg;
static void tree_main(pf_ctx *ctx, void *arg) {
    tree_arg *a = arg;
    node_env e = {1, a->depth, a->fail_at};
    a->out = node(ctx, &e);
}

/* nested reduction: sum over i of (sum over j < i % 50 of j) */
static void inner_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    (void)ctx;
    (void)env;
    for (int64_t j = lo; j < hi; j++)
        *(int64_t *)acc += j;
}
static void i_init(void *env, void *acc) { (void)env; *(int64_t *)acc = 0; }
static void i_comb(pf_ctx *ctx, void *env, void *acc, void *rhs) {
    (void)ctx;
    (void)env;
    *(int64_t *)acc += *(int64_t *)rhs;
}
static const rt_loop_desc inner_desc = {inner_body, NULL, 8, i_init, i_comb, NULL, 1, NULL, 0};
static void outer_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    (void)env;
    for (int64_t i = lo; i < hi && !ctx->exc; i++) {
        int64_t s;
        rt_reduce(ctx, &inner_desc, 0, i % 50, &s);
        *(int64_t *)acc += s;
    }
}
static const rt_loop_desc outer_desc = {outer_body, NULL, 8, i_init, i_comb, NULL, 1, NULL, 0};
static void nested_main(pf_ctx *ctx, void *arg) { rt_reduce(ctx, &outer_desc, 0, 3000, arg); }

/* endless tree cancelled from outside (once it runs: a cancel between runs is a no-op) */
static _Atomic int forever_running;
static void forever_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    atomic_store(&forever_running, 1);
    while (!ctx->exc) {
        tree_arg a = {12, 0, 0, NULL};
        tree_main(ctx, &a);
    }
}
static void *canceller(void *arg) {
    while (!atomic_load(&forever_running))
        usleep(100);
    usleep(3000);
    rt_cancel_run(arg);
    return NULL;
}

int main(void) {
    static const int threads[] = {2, 3, 8};
    uint64_t r = 42;
    for (int ti = 0; ti < 3; ti++) {
        rt_options o;
        rt_options_init(&o);
        o.threads = threads[ti];
        o.heartbeat_us = 1;
        o.trace_path = NULL;
        o.workspan = 0;
        o.exc_release = release_hook;
        rt_runtime *rt = rt_open(&o);
        CHECK(rt != NULL);
        for (int it = 0; it < 10 * SCALE; it++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            int depth = 10 + (int)((r >> 40) % 5);
            tree_arg a = {depth, 0, 0, NULL}; /* fail_at 0: no node has id 0 */
            CHECK_INT(rt_run(rt, tree_main, &a, NULL), RT_OK);
            CHECK_INT(a.out, node_expect(1, depth));
            uint64_t nodes = (2ULL << depth) - 1;
            a.fail_at = 1 + (r >> 20) % nodes;
            struct pf_exc *e = NULL;
            CHECK_INT(rt_run(rt, tree_main, &a, &e), RT_FAILED);
            CHECK(e == EXC(a.fail_at % 4096));
        }
        for (int it = 0; it < SCALE; it++) {
            int64_t s = 0, expect = 0;
            for (int64_t i = 0; i < 3000; i++)
                expect += (i % 50) * (i % 50 - 1) / 2;
            CHECK_INT(rt_run(rt, nested_main, &s, NULL), RT_OK);
            CHECK_INT(s, expect);
        }
        for (int it = 0; it < 2 * SCALE; it++) {
            pthread_t c;
            atomic_store(&forever_running, 0);
            pthread_create(&c, NULL, canceller, rt);
            CHECK_INT(rt_run(rt, forever_main, NULL, NULL), RT_INTERRUPTED);
            pthread_join(c, NULL);
        }
        rt_stats s;
        rt_stats_get(rt, &s, NULL);
        printf("threads=%d: beats %llu, promotions %llu steals %llu heartbeats %llu tasks %llu cancels %llu\n",
               threads[ti], (unsigned long long)s.beats,
               (unsigned long long)s.total.promotions,
               (unsigned long long)s.total.steals, (unsigned long long)s.total.heartbeats,
               (unsigned long long)s.total.tasks, (unsigned long long)s.cancels);
        rt_close(rt);
    }
    return 0;
}
