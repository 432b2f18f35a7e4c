/* Shared helpers for the scheduler's C tests (tests/unit/test_sched_*.c, test_deque.c,
 * tests/stress/ programs) and bench/runtime: CHECK macros that print the expression and both
 * values, clocks, and the latent-fork fib kernel written the way codegen emits the mark protocol of
 * runtime/sched.h. */
#ifndef PF_TEST_SCHED_UTIL_H
#define PF_TEST_SCHED_UTIL_H

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "runtime/sched.h"

#define CHECK_STOPS /* the scheduler tests run threads: stop at the first failure */
#include "check.h"

/* Seconds of CLOCK_MONOTONIC, and of the calling thread's CPU time (what a loaded machine barely
 * disturbs: ratios of single-thread work use it; speedups need wall time). */
static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static inline double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* fib with a latent fork per call: fib(n-2) is the pending call, as codegen emits it. The share
 * hook counts promotions of its marks (it has nothing to share). */
static int64_t tfib(pf_ctx *ctx, int64_t n);
static _Atomic long tfib_shared;
static void tfib_share(pf_ctx *ctx, void *env) {
    (void)ctx;
    (void)env;
    atomic_fetch_add_explicit(&tfib_shared, 1, memory_order_relaxed);
}

typedef struct { int64_t n; } tfib_env;

static void tfib_thunk(pf_ctx *ctx, void *env, void *result) {
    *(int64_t *)result = tfib(ctx, ((tfib_env *)env)->n);
}

static int64_t tfib(pf_ctx *ctx, int64_t n) {
    if (RT_ENTER(ctx))
        return 0;
    if (n < 2)
        return n;
    int64_t a, b = 0;
    tfib_env e = {n - 2};
    rt_fork m;
    int pushed = rt_fork_push(ctx, &m);
    if (pushed) {
        m.fn = tfib_thunk;
        m.env = &e;
        m.result = &b;
        m.share = tfib_share;
    }
    a = tfib(ctx, n - 1);
    if (!pushed || rt_mark_pop(ctx, &m.m)) {
        if (!ctx->exc)
            b = tfib(ctx, n - 2);
    } else {
        rt_fork_join(ctx, &m);
    }
    return a + b;
}

/* A steal that cannot fail to happen on >= 2 workers, whatever the load: main records a fork and
 * polls (never joining) until the pending call has run, which only another worker can do once the
 * mark is promoted (by a heartbeat or an idle worker's request). No time bound: if promotion or
 * stealing were broken this would hang, and ctest's timeout fails it. Sets *(int *)arg to 1 when
 * the pending call ran on a ctx other than main's. */
static inline void stolen_call(pf_ctx *ctx, void *env, void *result) {
    *(pf_ctx **)result = ctx;
    atomic_store_explicit((_Atomic int *)env, 1, memory_order_release);
}
static inline void forced_steal_main(pf_ctx *ctx, void *arg) {
    _Atomic int ran = 0;
    pf_ctx *where = NULL;
    rt_fork m;
    CHECK(rt_fork_push(ctx, &m)); /* a new task records its forks: the window is open */
    m.fn = stolen_call;
    m.env = (void *)&ran;
    m.result = &where;
    m.share = NULL;
    while (!atomic_load_explicit(&ran, memory_order_acquire))
        rt_poll(ctx);
    CHECK_INT(rt_mark_pop(ctx, &m.m), 0); /* it was promoted */
    CHECK_INT(rt_fork_join(ctx, &m), RT_OK);
    *(int *)arg = where != NULL && where != ctx;
}

static inline rt_runtime *open_rt(int threads, int hb_us) {
    rt_options o;
    rt_options_init(&o);
    o.threads = threads;
    o.heartbeat_us = hb_us;
    o.trace_path = NULL;
    o.workspan = 0;
    rt_runtime *rt = rt_open(&o);
    CHECK(rt != NULL);
    return rt;
}

#endif
