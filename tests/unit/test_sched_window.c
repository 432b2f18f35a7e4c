/* The mark window and eager promotion (runtime/sched.h): a fork is recorded only while
 * ctx->mtop < ctx->mlimit; a new task opens the window fully, a promotion narrows it to the oldest
 * promotable mark + RT_MARK_WINDOW and reopens it fully when nothing is left to promote; one worker
 * and a standalone ctx record no fork, workspan records every fork; an idle worker's request
 * (PF_POLL_REQUEST) makes a busy worker promote with no heartbeat at all. */
#include "test_sched_util.h"

#define NF 20

static void count_call(pf_ctx *ctx, void *env, void *result) {
    (void)ctx;
    (void)env;
    *(int *)result += 1;
}

/* Record NF nested forks, take one heartbeat by hand, check what it promoted and the window it
 * left, then pop and join everything (each pending call must run exactly once). */
static void window_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    CHECK_INT(ctx->mlimit, 4096); /* RT_MARK_CAP: a new task records every fork */
    uint32_t base = ctx->mtop;
    rt_fork m[NF];
    int res[NF] = {0}, pushed[NF];
    for (int i = 0; i < NF; i++) {
        pushed[i] = rt_fork_push(ctx, &m[i]);
        CHECK(pushed[i]);
        m[i].fn = count_call;
        m[i].env = NULL;
        m[i].result = &res[i];
        m[i].share = NULL;
    }
    CHECK_INT(ctx->mtop, base + NF);
    atomic_fetch_or(&ctx->poll, PF_POLL_HEARTBEAT);
    rt_poll(ctx);
    /* promotion takes the oldest first (one per idle worker, up to 4) */
    int j = 0;
    while (j < NF && m[j].m.ntask != 0)
        j++;
    CHECK(j >= 1 && j <= 4);
    for (int i = j; i < NF; i++)
        CHECK_INT(m[i].m.ntask, 0);
    CHECK_INT(ctx->mlimit, base + (uint32_t)j + RT_MARK_WINDOW);
    /* the window is narrower than the stack now: a new fork is not recorded, and costs no pop */
    rt_fork extra;
    CHECK_INT(rt_fork_push(ctx, &extra), 0);
    CHECK_INT(ctx->mtop, base + NF);
    for (int i = NF - 1; i >= 0; i--) {
        if (rt_mark_pop(ctx, &m[i].m))
            count_call(ctx, NULL, &res[i]);
        else
            CHECK_INT(rt_fork_join(ctx, &m[i]), RT_OK);
    }
    for (int i = 0; i < NF; i++)
        CHECK_INT(res[i], 1);
    CHECK_INT(ctx->mtop, base);
    /* nothing promotable left: the next promotion attempt reopens the window fully */
    atomic_fetch_or(&ctx->poll, PF_POLL_HEARTBEAT);
    rt_poll(ctx);
    CHECK_INT(ctx->mlimit, 4096);
}

static void closed_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    CHECK_INT(ctx->mlimit, 0);
    rt_fork m;
    CHECK_INT(rt_fork_push(ctx, &m), 0);
    CHECK_INT(tfib(ctx, 15), 610);
}

static void workspan_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    CHECK_INT(tfib(ctx, 15), 610); /* every fork recorded (slow path, timed) and joined */
    CHECK_INT(ctx->mtop, 0);
}

int main(void) {
    /* a heartbeat period of 1000 s: no beat lands during the test, so every promotion below is
     * the hand-made one or an idle worker's request */
    rt_runtime *rt = open_rt(2, 1000000000);
    CHECK_INT(rt_run(rt, window_main, NULL, NULL), RT_OK);
    int stolen = 0;
    CHECK_INT(rt_run(rt, forced_steal_main, &stolen, NULL), RT_OK);
    CHECK(stolen);
    rt_stats s;
    rt_stats_get(rt, &s, NULL);
    CHECK_INT(s.beats, 0);
    CHECK(s.total.requests > 0); /* the forced steal was promoted on request */
    CHECK(s.total.steals > 0);
    rt_close(rt); /* at once: the beat thread's 1000 s sleep ends with the stop flag */
    unsigned long long requests = s.total.requests, steals = s.total.steals;

    rt = open_rt(1, 100); /* one worker: nothing can be promoted, nothing is recorded */
    CHECK_INT(rt_run(rt, closed_main, NULL, NULL), RT_OK);
    rt_close(rt);

    pf_ctx sc; /* standalone */
    rt_ctx_init(&sc);
    closed_main(&sc, NULL);

    rt_options o;
    rt_options_init(&o);
    o.threads = 2;
    o.workspan = 1;
    o.trace_path = NULL;
    rt = rt_open(&o);
    CHECK(rt != NULL);
    CHECK_INT(rt_run(rt, workspan_main, NULL, NULL), RT_OK);
    rt_stats_get(rt, &s, NULL);
    CHECK(s.span_ns > 0 && s.span_ns < s.work_ns); /* the forks were timed as parallel strands */
    rt_close(rt);
    printf("mark window and eager promotion: ok (requests %llu, steals %llu)\n", requests, steals);
    return 0;
}
