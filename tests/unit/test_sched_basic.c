/* Runtime basics: two runtimes in one process, futures (spawn/join with large results, nested
 * spawns, joins in any order), failure status and "first failure in join order wins" with release
 * of the loser, failure of main, deep recursion on the workers' big stacks, a standalone ctx, and
 * the idle runtime's CPU use (/proc/self/stat over 1 s: well under 10% of one core). */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "test_sched_util.h"

static char fake_exc[8]; /* fake exception objects: the runtime treats them as opaque */
#define EXC(k) ((struct pf_exc *)(void *)&fake_exc[k])
static _Atomic int released[8];

static void release_hook(void *ud, struct pf_exc *e) {
    (void)ud;
    atomic_fetch_add(&released[(char *)e - fake_exc], 1);
}

/* ---- two runtimes at once */
typedef struct { int64_t n, out; } fib_arg;
static void fib_main(pf_ctx *ctx, void *arg) {
    fib_arg *a = arg;
    a->out = tfib(ctx, a->n);
}
static void *host_thread(void *arg) {
    rt_runtime *rt = open_rt(2, 50);
    for (int i = 0; i < 5; i++)
        CHECK_INT(rt_run(rt, fib_main, arg, NULL), RT_OK);
    rt_close(rt);
    return NULL;
}

/* ---- futures with big results */
typedef struct { int64_t v[32]; } big;
typedef struct { int64_t seed; int depth; } big_env;
static void make_big(pf_ctx *ctx, void *env, void *result) {
    big_env *e = env;
    big *r = result;
    if (e->depth > 0) { /* nested spawns */
        big_env ce[2] = {{e->seed * 2, e->depth - 1}, {e->seed * 2 + 1, e->depth - 1}};
        big rs[2];
        rt_task *t0 = rt_spawn(ctx, make_big, &ce[0], &rs[0]);
        rt_task *t1 = rt_spawn(ctx, make_big, &ce[1], &rs[1]);
        CHECK_INT(rt_join(ctx, t0), RT_OK); /* join in spawn order (not LIFO) */
        CHECK_INT(rt_join(ctx, t1), RT_OK);
        for (int i = 0; i < 32; i++)
            r->v[i] = rs[0].v[i] + rs[1].v[i];
        return;
    }
    for (int i = 0; i < 32; i++)
        r->v[i] = e->seed * 100 + i;
}
static void futures_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    enum { K = 64 };
    big_env env[K];
    big res[K];
    rt_task *t[K];
    for (int k = 0; k < K; k++) {
        env[k] = (big_env){k, 0};
        t[k] = rt_spawn(ctx, make_big, &env[k], &res[k]);
    }
    for (int k = K - 1; k >= 0; k--)
        CHECK_INT(rt_join(ctx, t[k]), RT_OK);
    for (int k = 0; k < K; k++)
        for (int i = 0; i < 32; i++)
            CHECK_INT(res[k].v[i], k * 100 + i);
    big_env root = {1, 6};
    big r;
    rt_task *rt_ = rt_spawn(ctx, make_big, &root, &r);
    CHECK_INT(rt_join(ctx, rt_), RT_OK);
    /* leaves are seeds 64..127 at depth 6: sum of seed*100 + i */
    int64_t seeds = 0;
    for (int s = 64; s < 128; s++)
        seeds += s;
    for (int i = 0; i < 32; i++)
        CHECK_INT(r.v[i], seeds * 100 + 64 * i);
}

/* ---- failures */
static void fail_with(pf_ctx *ctx, void *env, void *result) {
    (void)result;
    int k = *(int *)env;
    for (volatile int spin = 0; spin < (k == 1 ? 2000000 : 0); spin++) /* fail late for k = 1 */
        ;
    ctx->exc = EXC(k);
}
static void ok_call(pf_ctx *ctx, void *env, void *result) {
    (void)ctx;
    *(int *)result = *(int *)env + 1;
}
static void failures_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    int one = 1, two = 2, three = 3, res = 0;
    /* exc 1 (joined first, fails late) must win over exc 2 (fails early) */
    rt_task *a = rt_spawn(ctx, fail_with, &one, NULL);
    rt_task *b = rt_spawn(ctx, fail_with, &two, NULL);
    rt_task *c = rt_spawn(ctx, ok_call, &three, &res);
    CHECK_INT(rt_join(ctx, a), RT_FAILED);
    CHECK(ctx->exc == EXC(1));
    rt_status sb = rt_join(ctx, b); /* ctx->exc set: b's outcome is discarded (released) */
    CHECK(sb == RT_FAILED || sb == RT_INTERRUPTED);
    CHECK(ctx->exc == EXC(1));
    rt_join(ctx, c);
    ctx->exc = NULL;
    CHECK_INT(released[2], sb == RT_FAILED ? 1 : 0);
    /* the plain case */
    rt_task *d = rt_spawn(ctx, ok_call, &three, &res);
    CHECK_INT(rt_join(ctx, d), RT_OK);
    CHECK_INT(res, 4);
}
static void raise_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    ctx->exc = EXC(5);
}

/* ---- deep recursion on the worker's stack: ~200 MB of frames would overflow 8 MB stacks
 * (sanitizers enlarge frames and shadow the stack: a shallower run there) */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define DEEP 20000
#else
#define DEEP 200000
#endif
static int64_t deep(pf_ctx *ctx, int64_t n) {
    volatile char pad[900];
    pad[0] = (char)n;
    rt_poll(ctx);
    return n == 0 ? pad[0] : deep(ctx, n - 1) + 1;
}
static void deep_main(pf_ctx *ctx, void *arg) { *(int64_t *)arg = deep(ctx, DEEP); }

/* ---- idle CPU */
static double proc_cpu_seconds(void) {
    FILE *f = fopen("/proc/self/stat", "r");
    CHECK(f != NULL);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* fields after the command name */
    CHECK(p != NULL);
    unsigned long utime = 0, stime = 0;
    /* ") state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime" */
    CHECK(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2);
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}
static void nop_main(pf_ctx *ctx, void *arg) {
    (void)ctx;
    (void)arg;
}

int main(void) {
    /* two runtimes, driven from two host threads at the same time */
    fib_arg a1 = {22, 0}, a2 = {23, 0};
    pthread_t h1, h2;
    pthread_create(&h1, NULL, host_thread, &a1);
    pthread_create(&h2, NULL, host_thread, &a2);
    pthread_join(h1, NULL);
    pthread_join(h2, NULL);
    CHECK_INT(a1.out, 17711);
    CHECK_INT(a2.out, 28657);

    for (int th = 1; th <= 4; th *= 2) {
        rt_options o;
        rt_options_init(&o);
        o.threads = th;
        o.trace_path = NULL;
        o.workspan = 0;
        o.exc_release = release_hook;
        rt_runtime *rt = rt_open(&o);
        CHECK(rt != NULL);
        CHECK_INT(rt_threads(rt), th);
        CHECK_INT(rt_run(rt, futures_main, NULL, NULL), RT_OK);
        memset((void *)released, 0, sizeof released);
        CHECK_INT(rt_run(rt, failures_main, NULL, NULL), RT_OK);
        struct pf_exc *e = NULL;
        CHECK_INT(rt_run(rt, raise_main, NULL, &e), RT_FAILED);
        CHECK(e == EXC(5));
        int64_t d = 0;
        CHECK_INT(rt_run(rt, deep_main, &d, NULL), RT_OK);
        CHECK_INT(d, DEEP);
        rt_close(rt);
    }

    /* standalone ctx: marks stay latent, spawns run inline, an interrupt bit interrupts */
    pf_ctx sc;
    rt_ctx_init(&sc);
    CHECK_INT(tfib(&sc, 20), 6765);
    CHECK_INT(sc.mtop, 0);
    int three = 3, res = 0;
    rt_task *t = rt_spawn(&sc, ok_call, &three, &res);
    CHECK_INT(rt_join(&sc, t), RT_OK);
    CHECK_INT(res, 4);
    { /* the out-of-line push/pop behave like the inline ones; a standalone ctx records no fork
       * (nothing could promote it) unless its window is opened */
        rt_fork m = {.fn = ok_call, .env = &three, .result = &res, .share = NULL};
        CHECK_INT(rt_fork_push_call(&sc, &m), 0);
        CHECK_INT(sc.mtop, 0);
        rt_mark *slot[1];
        sc.marks = slot;
        sc.mcap = sc.mlimit = 1;
        CHECK_INT(rt_fork_push_call(&sc, &m), 1);
        CHECK_INT(sc.mtop, 1);
        CHECK(slot[0] == &m.m);
        CHECK_INT(rt_fork_push_call(&sc, &m), 0); /* the window is full */
        CHECK_INT(rt_mark_pop_call(&sc, &m.m), 1);
        CHECK_INT(sc.mtop, 0);
        sc.marks = NULL;
        sc.mcap = sc.mlimit = 0;
    }
    rt_poll_raise(&sc, PF_POLL_INTERRUPT);
    CHECK_INT(tfib(&sc, 10), 0);
    CHECK(sc.exc == RT_EXC_INTERRUPTED);
    CHECK_INT(sc.mtop, 0);

    /* an idle runtime uses ~0% CPU */
    rt_runtime *rt = open_rt(4, 100);
    fib_arg a = {25, 0};
    CHECK_INT(rt_run(rt, fib_main, &a, NULL), RT_OK);
    CHECK_INT(rt_run(rt, nop_main, NULL, NULL), RT_OK);
    usleep(100000); /* let the workers finish spinning and park */
    double c0 = proc_cpu_seconds();
    sleep(1);
    double used = proc_cpu_seconds() - c0;
    printf("idle runtime (4 workers): %.1f%% of one core over 1 s\n", used * 100);
    CHECK(used < 0.10);
    rt_close(rt);
    return 0;
}
