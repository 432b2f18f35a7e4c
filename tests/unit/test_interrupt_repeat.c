/* Interrupting compiled pf code 1000 times in one process without leaks (issue 7): three programs
 * that never end by themselves (a serial loop holding lists and strings, an endless parallel
 * comprehension, a deep recursion holding a list per frame) are JIT-compiled once each and run
 * again and again on one runtime (4 workers, then 1), each run cancelled by a host thread with
 * rt_cancel_run after a varying delay. Every run must end RT_INTERRUPTED with an Interrupted
 * exception carrying a traceback. Leaks are checked by the ASan build (-DPF_SANITIZE=address), whose
 * LeakSanitizer fails the test at exit if any reference held by an interrupted frame was not freed
 * (1000 runs: a single leaked object per run is reported a thousand times). Prints the latency from
 * rt_cancel_run to the return of rt_run (every task unwound and joined), p50/p99: a measurement
 * for bench/README, not a pass/fail limit. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codegen/codegen.h"
#include "ir/ir.h"
#include "parser/parser.h"
#include "runtime/runtime.h"

#include "check.h"

static const char *const programs[] = {
    /* serial: a tight loop that keeps a list of strings and builds new lists */
    "def work(n: int) -> int:\n"
    "    xs = [str(i) for i in range(n)]\n"
    "    t = 0\n"
    "    while t >= 0:\n"
    "        ys = [len(s) + t for s in xs]\n"
    "        t = t + sum(ys) % 3 + 1\n"
    "    return t\n"
    "\n"
    "print(work(50))\n",
    /* parallel: endless iterations of a comprehension, each holding its own list */
    "def spin(n: int) -> int:\n"
    "    acc = [n]\n"
    "    i = 0\n"
    "    while i >= 0:\n"
    "        acc = acc + [i]\n"
    "        if len(acc) > 100:\n"
    "            acc = [n]\n"
    "        i = i + 1\n"
    "    return i + len(acc)\n"
    "\n"
    "print(sum([spin(i) for i in range(64)]))\n",
    /* deep recursion: 2000 frames each holding a list, an endless loop at the bottom */
    "def bottom(xs: list[int]) -> int:\n"
    "    t = 0\n"
    "    while t >= 0:\n"
    "        t = t + len(xs) % 5 + 1\n"
    "    return t\n"
    "\n"
    "def deep(n: int, xs: list[int]) -> int:\n"
    "    ys = xs + [n]\n"
    "    if n == 0:\n"
    "        return bottom(ys)\n"
    "    return deep(n - 1, [n, n + 1]) + len(ys)\n"
    "\n"
    "print(deep(2000, []))\n",
};
enum { NPROG = sizeof programs / sizeof programs[0] };

typedef struct compiled {
    cg_jit *jit;
    void (*entry)(pf_ctx *);
} compiled;

static bool compile(const char *text, const char *name, compiled *out) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    char *msg = NULL;
    bool ok = false;
    out->jit = NULL;
    pf_source *src = pf_source_new(&a, name, text, strlen(text));
    ast_module *ast = src ? parse_module(&a, &d, src) : NULL;
    ir_module *ir = ast && !pf_diags_has_errors(&d) ? ir_build(&a, &d, ast, name) : NULL;
    if (!ir || pf_diags_has_errors(&d)) {
        pf_diags_print(&d, stderr);
        goto done;
    }
    cg_module *m = cg_compile(ir, &msg);
    if (!m || !cg_module_optimize(m, 2, &msg)) {
        cg_module_free(m);
        goto done;
    }
    out->jit = cg_jit_new(&msg);
    if (!out->jit || !cg_jit_add(out->jit, m, &msg)) {
        if (!out->jit) cg_module_free(m);
        goto done;
    }
    out->entry = (void (*)(pf_ctx *))cg_jit_lookup(out->jit, CG_ENTRY_NAME, &msg);
    ok = out->entry != NULL;
done:
    if (msg) fprintf(stderr, "%s: %s\n", name, msg);
    cg_free_message(msg);
    pf_arena_free(&a);
    return ok;
}

typedef struct run_state {
    rt_runtime *rt;
    void (*entry)(pf_ctx *);
    _Atomic int started;
    long delay_ns; /* how long after the entry started the host cancels */
    int64_t cancel_ns; /* when rt_cancel_run was called (CLOCK_MONOTONIC) */
} run_state;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void run_main(pf_ctx *ctx, void *arg) {
    run_state *s = arg;
    atomic_store(&s->started, 1);
    s->entry(ctx);
}

static void *canceller(void *arg) {
    run_state *s = arg;
    while (!atomic_load(&s->started)) sched_yield();
    if (s->delay_ns > 0) {
        struct timespec t = {0, s->delay_ns};
        nanosleep(&t, NULL);
    }
    s->cancel_ns = now_ns();
    rt_cancel_run(s->rt);
    return NULL;
}

/* One interrupted run; returns false (and counts a failure) when it did not end as it must. */
static bool one_run(rt_runtime *rt, const compiled *c, long delay_ns, int64_t *latency_ns) {
    run_state s = {.rt = rt, .entry = c->entry, .delay_ns = delay_ns};
    atomic_init(&s.started, 0);
    pthread_t th;
    if (pthread_create(&th, NULL, canceller, &s) != 0) {
        CHECK(!"pthread_create");
        return false;
    }
    struct pf_exc *exc = NULL;
    rt_status st = rt_run(rt, run_main, &s, &exc);
    int64_t end = now_ns();
    pthread_join(th, NULL);
    *latency_ns = end - s.cancel_ns;
    bool ok = st == RT_INTERRUPTED && exc && exc != RT_EXC_INTERRUPTED &&
              exc->kind == PF_EXC_INTERRUPTED && exc->nframes >= 1;
    if (!ok) {
        fprintf(stderr, "run: status %d, exc %p kind %d\n", (int)st, (void *)exc,
                exc && exc != RT_EXC_INTERRUPTED ? exc->kind : -1);
        failures++;
    }
    if (exc && exc != RT_EXC_INTERRUPTED) rt_obj_decref(&exc->h);
    return ok;
}

/* Runtime entry points the programs use that nothing else in this test references: taking their
 * addresses links them in (codegen's symbol table refers to the runtime weakly). */
static void *volatile keep[] = {(void *)rt_print};

int main(void) {
    (void)keep;
    compiled c[NPROG];
    for (int i = 0; i < NPROG; i++) {
        char name[32];
        snprintf(name, sizeof name, "prog%d.pf", i);
        if (!compile(programs[i], name, &c[i])) {
            fprintf(stderr, "cannot compile %s\n", name);
            return 1;
        }
    }
    int total = 0;
    for (int threads = 4; threads >= 1; threads -= 3) {
        rt_options o;
        rt_options_init(&o);
        o.threads = threads;
        o.exc_interrupt = rt_exc_interrupt_cb;
        o.exc_release = rt_exc_release_cb;
        rt_runtime *rt = rt_open(&o);
        CHECK(rt != NULL);
        if (!rt) break;
        enum { N = 600 };
        int n = threads == 4 ? N : 400;
        int64_t lat[NPROG][N / NPROG + 1];
        for (int i = 0; i < n && failures < 10; i++, total++) /* cancel 0 .. 200 µs after start */
            one_run(rt, &c[i % NPROG], (i * 37 % 11) * 20000L, &lat[i % NPROG][i / NPROG]);
        printf("threads %d: %d interrupted runs; rt_cancel_run -> rt_run returned:\n", threads, n);
        for (int p = 0; p < NPROG && failures == 0; p++) {
            int k = (n - p + NPROG - 1) / NPROG;
            qsort(lat[p], (size_t)k, sizeof lat[p][0], cmp_i64);
            printf("  prog%d: p50 %.1f us  p99 %.1f us  max %.1f us (%d runs)\n", p,
                   lat[p][k / 2] / 1e3, lat[p][(k * 99) / 100] / 1e3, lat[p][k - 1] / 1e3, k);
        }
        rt_close(rt);
    }
    printf("%d interrupted runs\n", total);
    CHECK(total >= 1000);
    for (int i = 0; i < NPROG; i++) cg_jit_free(c[i].jit);
    return check_report("test_interrupt_repeat");
}
