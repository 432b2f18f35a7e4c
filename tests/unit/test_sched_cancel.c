/* Interruption and failure semantics: cancelling a run interrupts a deep fork tree whose leaves
 * never end by themselves (latency from rt_cancel_run to all workers idle is printed); in a
 * parallel loop a failure at iteration k cancels only later iterations, earlier ones finish
 * normally, and the reported failure is the first in sequential order even when a later one fails
 * first in time; in a fork, a failing first call cancels the pending call. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sched_int.h"
#include "test_sched_util.h"

static char fake_exc[64];
#define EXC(k) ((struct pf_exc *)(void *)&fake_exc[k])
static _Atomic int nreleased;
static void release_hook(void *ud, struct pf_exc *e) {
    (void)ud;
    (void)e;
    atomic_fetch_add(&nreleased, 1);
}

static void spin(int64_t n) {
    for (volatile int64_t i = 0; i < n; i++)
        ;
}

/* ---- a deep fork tree with endless leaves */
static _Atomic int leaves_started, leaves_interrupted;
static void tree(pf_ctx *ctx, int depth);
typedef struct { int depth; } tree_env;
static void tree_thunk(pf_ctx *ctx, void *env, void *result) {
    (void)result;
    tree(ctx, ((tree_env *)env)->depth);
}
static void tree(pf_ctx *ctx, int depth) {
    rt_poll(ctx);
    if (ctx->exc)
        return;
    if (depth == 0) {
        atomic_fetch_add(&leaves_started, 1);
        while (!ctx->exc) { /* runs until interrupted */
            spin(2000);
            rt_poll(ctx);
        }
        atomic_fetch_add(&leaves_interrupted, 1);
        return;
    }
    tree_env e = {depth - 1};
    rt_fork m = {.fn = tree_thunk, .env = &e, .result = NULL};
    int pushed = rt_fork_push(ctx, &m);
    tree(ctx, depth - 1);
    if (!pushed || rt_mark_pop(ctx, &m.m)) {
        if (!ctx->exc)
            tree(ctx, depth - 1);
    } else {
        rt_fork_join(ctx, &m);
    }
}
static void tree_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    tree(ctx, 16);
}
typedef struct { rt_runtime *rt; int64_t t_cancel; } canceller_arg;
static void *canceller(void *arg) {
    canceller_arg *c = arg;
    while (atomic_load(&leaves_started) < 1) /* a leaf runs */
        usleep(1000);
    usleep(20000);
    c->t_cancel = rt_now_ns();
    rt_cancel_run(c->rt);
    return NULL;
}

/* ---- loop failures */
enum { NIT = 64 };
static _Atomic int outcome[NIT]; /* 1 finished normally, 2 interrupted, 3 failed */
static int fail_a, fail_b;       /* fail_a < fail_b; fail_b fails at once, fail_a late */
static void loop_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    (void)env;
    (void)acc;
    for (int64_t i = lo; i < hi; i++) {
        if (i == fail_b) {
            ctx->exc = EXC(fail_b);
            atomic_store(&outcome[i], 3);
            return;
        }
        for (int k = 0; k < 40 && !ctx->exc; k++) { /* work, polled */
            spin(5000);
            rt_poll(ctx);
        }
        if (ctx->exc) {
            atomic_store(&outcome[i], 2);
            return;
        }
        if (i == fail_a) {
            ctx->exc = EXC(fail_a);
            atomic_store(&outcome[i], 3);
            return;
        }
        atomic_store(&outcome[i], 1);
    }
}
static void loop_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    rt_loop_desc d = {loop_body, NULL, 0, NULL, NULL, NULL, 1, NULL, 0};
    rt_for(ctx, &d, 0, NIT);
    *(struct pf_exc **)arg = ctx->exc;
    ctx->exc = NULL;
}

/* ---- fork whose first call fails */
static _Atomic int second_ran;
static void second(pf_ctx *ctx, void *env, void *result) {
    (void)env;
    (void)result;
    atomic_store(&second_ran, 1);
    while (!ctx->exc) {
        spin(2000);
        rt_poll(ctx);
    }
}
static void fork_fail_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    rt_fork m = {.fn = second, .env = NULL, .result = NULL};
    CHECK(rt_fork_push(ctx, &m)); /* a new task records its forks (the window is open) */
    while (m.m.ntask == 0) { /* the first call: poll until the pending call got promoted */
        spin(2000);
        rt_poll(ctx);
    }
    ctx->exc = EXC(7); /* then fail: the second call must be interrupted, ours reported */
    CHECK_INT(rt_mark_pop(ctx, &m.m), 0);
    rt_status st = rt_fork_join(ctx, &m);
    CHECK(st == RT_FAILED || st == RT_INTERRUPTED); /* interrupted while running, or dropped */
    CHECK(ctx->exc == EXC(7));
}

/* ---- fork whose pending call finished before the first call failed: the join says RT_OK, so the
 * caller knows the result slot holds a value it must release */
static _Atomic int quick_done;
static void quick(pf_ctx *ctx, void *env, void *result) {
    (void)ctx;
    (void)env;
    *(int *)result = 42;
    atomic_store(&quick_done, 1);
}
static void fork_late_fail_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    int b = 0;
    atomic_store(&quick_done, 0);
    rt_fork m = {.fn = quick, .env = NULL, .result = &b, .share = NULL};
    CHECK(rt_fork_push(ctx, &m)); /* a new task records its forks (the window is open) */
    while (!atomic_load(&quick_done)) { /* until promoted and run by the other worker */
        spin(2000);
        rt_poll(ctx);
    }
    ctx->exc = EXC(8);
    CHECK_INT(rt_mark_pop(ctx, &m.m), 0);
    CHECK_INT(rt_fork_join(ctx, &m), RT_OK);
    CHECK_INT(b, 42);
    CHECK(ctx->exc == EXC(8));
}

/* ---- rt_cancel of one subtree: only that group's descendants are interrupted */
static _Atomic(rt_group *) sub_group;
static _Atomic int sub_interrupted, grandchild_started, grandchild_interrupted;
static void grandchild(pf_ctx *ctx, void *env, void *result) {
    (void)env;
    (void)result;
    atomic_store(&grandchild_started, 1);
    while (!ctx->exc) {
        spin(2000);
        rt_poll(ctx);
    }
    atomic_store(&grandchild_interrupted, 1);
}
static void subtree(pf_ctx *ctx, void *env, void *result) {
    (void)env;
    (void)result;
    rt_task *g = rt_spawn(ctx, grandchild, NULL, NULL);
    atomic_store(&sub_group, rt_current_group(ctx));
    while (!ctx->exc) {
        spin(2000);
        rt_poll(ctx);
    }
    atomic_store(&sub_interrupted, 1);
    rt_join(ctx, g); /* ctx->exc is set: the grandchild's outcome is discarded */
}
static void group_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    atomic_store(&sub_group, NULL);
    rt_task *t = rt_spawn(ctx, subtree, NULL, NULL);
    rt_group *g;
    while (!(g = atomic_load(&sub_group))) { /* help until the subtree has started */
        spin(2000);
        rt_poll(ctx);
        if (rt_current_group(ctx) == NULL)
            break;
    }
    if (!g) { /* one worker: the subtree can only run inside our join; cancel first */
        CHECK_INT(rt_threads(rt_ctx_runtime(ctx)), 1);
        return;
    }
    CHECK(g != rt_current_group(ctx));
    rt_cancel(rt_ctx_runtime(ctx), g);
    CHECK_INT(rt_join(ctx, t), RT_FAILED); /* the subtree raised the interruption */
    CHECK(ctx->exc == RT_EXC_INTERRUPTED);
    ctx->exc = NULL;
    CHECK_INT(atomic_load(&sub_interrupted), 1);
    /* the grandchild was interrupted if it had started, else dropped unstarted */
    CHECK_INT(atomic_load(&grandchild_interrupted), atomic_load(&grandchild_started));
    for (int i = 0; i < 100; i++) { /* we, outside the group, are not interrupted */
        spin(2000);
        rt_poll(ctx);
        CHECK(ctx->exc == NULL);
    }
}

int main(void) {
    for (int th = 1; th <= 4; th *= 2) {
        rt_options o;
        rt_options_init(&o);
        o.threads = th;
        o.trace_path = NULL;
        o.workspan = 0;
        o.exc_release = release_hook;
        rt_runtime *rt = rt_open(&o);
        CHECK(rt != NULL);

        /* cancellation of a deep tree */
        atomic_store(&leaves_started, 0);
        atomic_store(&leaves_interrupted, 0);
        canceller_arg c = {rt, 0};
        pthread_t ct;
        pthread_create(&ct, NULL, canceller, &c);
        struct pf_exc *e = NULL;
        CHECK_INT(rt_run(rt, tree_main, NULL, &e), RT_INTERRUPTED);
        int64_t t_ret = rt_now_ns();
        CHECK(e == RT_EXC_INTERRUPTED);
        pthread_join(ct, NULL);
        while (atomic_load(&rt->nbusy) != 0) /* all workers idle */
            sched_yield();
        int64_t t_idle = rt_now_ns();
        CHECK_INT(atomic_load(&leaves_started), atomic_load(&leaves_interrupted));
        printf("threads=%d: cancel of a depth-16 tree (%d leaves running): rt_run returned after "
               "%.1f us, all workers idle after %.1f us\n",
               th, atomic_load(&leaves_started), (t_ret - c.t_cancel) / 1e3,
               (t_idle - c.t_cancel) / 1e3);
        /* the runtime is usable after a cancelled run */

        /* loop failures: k cancels only later iterations; first in sequential order wins */
        static const int cases[][2] = {{20, 50}, {5, 6}, {40, 63}, {0, 1}};
        for (int ci = 0; ci < 4; ci++) {
            fail_a = cases[ci][0];
            fail_b = cases[ci][1];
            for (int i = 0; i < NIT; i++)
                atomic_store(&outcome[i], 0);
            struct pf_exc *got = NULL;
            CHECK_INT(rt_run(rt, loop_main, &got, NULL), RT_OK);
            CHECK(got == EXC(fail_a));
            for (int i = 0; i < fail_a; i++)
                CHECK_INT(atomic_load(&outcome[i]), 1);
            CHECK_INT(atomic_load(&outcome[fail_a]), 3);
            int later_run = 0;
            for (int i = fail_a + 1; i < NIT; i++)
                later_run += atomic_load(&outcome[i]) == 1;
            printf("threads=%d: loop fails at %d and %d: got %d; %d later iterations finished\n", th,
                   fail_a, fail_b, fail_a, later_run);
        }

        /* rt_cancel of a subtree's group */
        if (th > 1) {
            atomic_store(&sub_interrupted, 0);
            atomic_store(&grandchild_interrupted, 0);
            atomic_store(&grandchild_started, 0);
            CHECK_INT(rt_run(rt, group_main, NULL, NULL), RT_OK);
            printf("threads=%d: rt_cancel of a subtree interrupted it and its child only\n", th);
        }

        /* fork: the first call fails, the promoted pending call is interrupted */
        if (th > 1) {
            atomic_store(&second_ran, 0);
            e = NULL;
            CHECK_INT(rt_run(rt, fork_fail_main, NULL, &e), RT_FAILED);
            CHECK(e == EXC(7));
            CHECK_INT(rt_run(rt, fork_late_fail_main, NULL, &e), RT_FAILED);
            CHECK(e == EXC(8));
        }
        rt_close(rt);
    }
    return 0;
}
