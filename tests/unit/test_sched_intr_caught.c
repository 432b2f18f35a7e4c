/* A cancelled run is interrupted once (runtime/sched.h "Failures and cancellation"): the main task
 * receives the interruption, catches it (clears ctx->exc) and goes on, and then neither a stale
 * interrupt bit in any worker's poll word nor the run's cancel flag interrupts it again, and the
 * tasks it promotes afterwards run normally; a new rt_cancel_run interrupts again. Also: rt_run
 * returns the main task's own interruption (made by the hook) without making another one. */
#include <string.h>

#include "runtime/sched_int.h"
#include "test_sched_util.h"

static char fake_exc[8];
static _Atomic int made, released;
static struct pf_exc *make_hook(void *ud, pf_ctx *ctx) {
    (void)ud;
    (void)ctx;
    atomic_fetch_add(&made, 1);
    return (struct pf_exc *)(void *)&fake_exc[1];
}
static void release_hook(void *ud, struct pf_exc *e) {
    (void)ud;
    CHECK(e == (struct pf_exc *)(void *)&fake_exc[1]);
    atomic_fetch_add(&released, 1);
}
#define INTR ((struct pf_exc *)(void *)&fake_exc[1])

static void spin(int64_t n) {
    for (volatile int64_t i = 0; i < n; i++)
        ;
}

/* The pending call of a fork: spins (polling) until interrupted, or `n` rounds when n > 0. */
static _Atomic int pending_started;
static void pending(pf_ctx *ctx, void *env, void *result) {
    int64_t n = *(int64_t *)env;
    atomic_store(&pending_started, 1);
    for (int64_t k = 0; (n == 0 || k < n) && !ctx->exc; k++) {
        spin(2000);
        rt_poll(ctx);
    }
    if (!ctx->exc)
        *(int64_t *)result = 42;
}

/* Fork `pending(n)` and poll until it was promoted (the idle workers request promotion) and, with
 * n == 0, started; then run `first` rounds of polled work. Returns the join's status. */
static rt_status fork_and_join(pf_ctx *ctx, int64_t n, rt_runtime *cancel, int64_t *res) {
    rt_fork m;
    atomic_store(&pending_started, 0);
    CHECK(rt_fork_push(ctx, &m));
    m.fn = pending;
    m.env = &n;
    m.result = res;
    m.share = NULL;
    while (m.m.ntask == 0 || (n == 0 && !atomic_load(&pending_started))) {
        spin(2000);
        rt_poll(ctx);
        CHECK(ctx->exc == NULL);
    }
    if (cancel) { /* the cancel, then the first call polls until it is interrupted */
        rt_cancel_run(cancel);
        while (!ctx->exc) {
            spin(2000);
            rt_poll(ctx);
        }
    }
    CHECK_INT(rt_mark_pop(ctx, &m.m), 0);
    return rt_fork_join(ctx, &m);
}

static void caught_main(pf_ctx *ctx, void *arg) {
    rt_runtime *rt = arg;
    int64_t res = 0;
    for (int round = 0; round < 3; round++) {
        /* interrupted while a promoted task runs; the join cancels and releases the task's */
        rt_status st = fork_and_join(ctx, 0, rt, &res);
        CHECK(st == RT_FAILED || st == RT_INTERRUPTED);
        CHECK(ctx->exc == INTR);
        ctx->exc = NULL; /* `except KeyboardInterrupt:` (the fake needs no release) */

        /* stale bits everywhere: nothing is cancelled any more */
        for (int i = 0; i < rt->n; i++)
            rt_poll_raise(&rt->w[i]->ctx, PF_POLL_INTERRUPT);
        for (int k = 0; k < 100; k++) {
            spin(2000);
            rt_poll(ctx);
            CHECK(ctx->exc == NULL);
        }
        /* new parallel work runs to completion (a task started now is not dropped) */
        res = 0;
        CHECK_INT(fork_and_join(ctx, 200, NULL, &res), RT_OK);
        CHECK(ctx->exc == NULL);
        CHECK_INT(res, 42);
        CHECK_INT(tfib(ctx, 22), 17711);
        CHECK(ctx->exc == NULL);
    }
}

/* Interrupted and not caught: rt_run reports the main task's own interruption. */
static void uncaught_main(pf_ctx *ctx, void *arg) {
    rt_runtime *rt = arg;
    int64_t res = 0;
    fork_and_join(ctx, 0, rt, &res);
    CHECK(ctx->exc == INTR);
}

int main(void) {
    for (int threads = 2; threads <= 4; threads *= 2) {
        rt_options o;
        rt_options_init(&o);
        o.threads = threads;
        o.workspan = 0;
        o.trace_path = NULL;
        o.exc_interrupt = make_hook;
        o.exc_release = release_hook;
        rt_runtime *rt = rt_open(&o);
        CHECK(rt != NULL);
        { /* two workers at least: one worker never promotes */
            atomic_store(&made, 0);
            atomic_store(&released, 0);
            CHECK_INT(rt_run(rt, caught_main, rt, NULL), RT_OK);
            /* every interruption made was released by a join or caught by main (3 rounds) */
            CHECK_INT(atomic_load(&made), atomic_load(&released) + 3);

            atomic_store(&made, 0);
            atomic_store(&released, 0);
            struct pf_exc *e = NULL;
            CHECK_INT(rt_run(rt, uncaught_main, rt, &e), RT_INTERRUPTED);
            CHECK(e == INTR);
            CHECK_INT(atomic_load(&made), atomic_load(&released) + 1); /* no extra one made */
            /* and the runtime is usable afterwards */
            CHECK_INT(rt_run(rt, caught_main, rt, NULL), RT_OK);
        }
        rt_close(rt);
    }
    printf("an interruption caught by the main task is not raised again: ok\n");
    return 0;
}
