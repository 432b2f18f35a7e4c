/* Output in sequential order (runtime/print.c) from C, the way compiled code prints: a fork whose
 * pending call is promoted and prints while the first call prints, a parallel loop printing every
 * index (promoted blocks run ahead on other workers), a failing loop whose output stops exactly at
 * the failing iteration, and nested loops. stdout is redirected to a file and compared with the
 * sequential text, at 1, 2 and 4 workers. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "runtime/sched_int.h"
#include "test_sched_util.h"

static char fake_exc;
#define FAIL ((struct pf_exc *)(void *)&fake_exc)

static void spin(int64_t n) {
    for (volatile int64_t i = 0; i < n; i++)
        ;
}

static void say(pf_ctx *ctx, const char *fmt, long v) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, fmt, v);
    rt_out_write(ctx, buf, (size_t)n);
}

/* ---- a fork: the pending call is promoted (requested by the idle workers) before the first call
 * prints; the pending call prints while the first one still runs */
static _Atomic int pending_done;
static void pending(pf_ctx *ctx, void *env, void *result) {
    (void)env;
    (void)result;
    for (int k = 0; k < 5; k++)
        say(ctx, "p%ld ", k);
    rt_out_flush(ctx); /* remembered: done when the buffer reaches stdout */
    atomic_store(&pending_done, 1);
}
static void fork_main(pf_ctx *ctx, void *arg) {
    int threads = *(int *)arg;
    say(ctx, "before ", 0);
    rt_fork m;
    atomic_store(&pending_done, 0);
    int pushed = rt_fork_push(ctx, &m);
    if (pushed) {
        m.fn = pending;
        m.env = NULL;
        m.result = NULL;
        m.share = NULL;
    }
    if (threads > 1) { /* promoted, and finished, before the first call prints */
        CHECK(pushed);
        for (int k = 0; m.m.ntask == 0 || !atomic_load(&pending_done); k++) {
            spin(2000);
            rt_poll(ctx);
        }
    }
    for (int k = 0; k < 5; k++)
        say(ctx, "f%ld ", k);
    if (!pushed || rt_mark_pop(ctx, &m.m))
        pending(ctx, NULL, NULL);
    else
        CHECK_INT(rt_fork_join(ctx, &m), RT_OK);
    say(ctx, "after\n", 0);
}

/* ---- loops: every index, in order; a failure at `bad` after its print */
typedef struct { long bad; int nested; } loop_env;
static void inner_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    (void)env;
    (void)acc;
    for (int64_t i = lo; i < hi; i++)
        say(ctx, ".%ld", (long)i);
}
static void loop_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    const loop_env *e = env;
    (void)acc;
    for (int64_t i = lo; i < hi; i++) {
        spin(3000);
        say(ctx, " %ld", (long)i);
        if (e->nested) {
            rt_loop_desc d = {.body = inner_body, .grain = 1};
            rt_for(ctx, &d, 0, 3);
        }
        if (i == e->bad) {
            ctx->exc = FAIL;
            return;
        }
        rt_poll(ctx);
        if (ctx->exc)
            return;
    }
}
static void loop_main(pf_ctx *ctx, void *arg) {
    loop_env *e = arg;
    rt_loop_desc d = {.body = loop_body, .env = e, .grain = 1};
    rt_for(ctx, &d, 0, 2000);
    if (ctx->exc) {
        CHECK(ctx->exc == FAIL);
        ctx->exc = NULL;
        say(ctx, " failed", 0);
    }
    say(ctx, "\n", 0);
}

/* Run fn under rt_run with stdout redirected to a file; return the text (caller frees). */
static char *captured(rt_runtime *rt, void (*fn)(pf_ctx *, void *), void *arg) {
    char path[] = "/tmp/pf_test_sched_out_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    CHECK_INT(rt_run(rt, fn, arg, NULL), RT_OK);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    off_t n = lseek(fd, 0, SEEK_END);
    char *text = calloc((size_t)n + 1, 1);
    CHECK(pread(fd, text, (size_t)n, 0) == n);
    close(fd);
    unlink(path);
    return text;
}

static char *expected_loop(long bad, int nested) {
    char *s = calloc(64 * 2000, 1), *p = s;
    for (long i = 0; i < 2000; i++) {
        p += sprintf(p, " %ld", i);
        if (nested)
            p += sprintf(p, ".0.1.2");
        if (i == bad) {
            p += sprintf(p, " failed");
            break;
        }
    }
    sprintf(p, "\n");
    return s;
}

int main(void) {
    for (int threads = 1; threads <= 4; threads *= 2) {
        rt_options o;
        rt_options_init(&o);
        o.threads = threads;
        o.workspan = 0;
        o.trace_path = NULL;
        rt_runtime *rt = rt_open(&o);
        CHECK(rt != NULL);
        char *got = captured(rt, fork_main, &threads);
        CHECK_TEXT(got, "before f0 f1 f2 f3 f4 p0 p1 p2 p3 p4 after\n");
        free(got);
        static const loop_env cases[] = {{-1, 0}, {1234, 0}, {0, 0}, {1999, 0}, {-1, 1}, {777, 1}};
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            loop_env e = cases[k];
            got = captured(rt, loop_main, &e);
            char *want = expected_loop(e.bad, e.nested);
            CHECK_TEXT(got, want);
            free(want);
            free(got);
        }
        rt_stats s;
        rt_stats_get(rt, &s, NULL);
        if (threads > 1)
            CHECK(s.total.promotions > 0); /* the loops really ran in parallel */
        printf("threads %d: output in sequential order (%llu promotions)\n", threads,
               (unsigned long long)s.total.promotions);
        rt_close(rt);
    }
    return 0;
}
