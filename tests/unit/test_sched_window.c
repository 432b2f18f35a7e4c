/* The mark window and eager promotion (runtime/sched.h): a fork is recorded only while
 * ctx->mtop < ctx->mlimit; a new task records its RT_MARK_WINDOW oldest forks, a promotion moves
 * the window to the oldest promotable mark (or to the top when nothing is left to promote); one
 * worker and a standalone ctx record no fork, workspan records every fork; an idle worker's
 * request (PF_POLL_REQUEST) makes a busy worker promote with no heartbeat at all. */
#include "test_sched_util.h"

#define NF RT_MARK_WINDOW

static void count_call(pf_ctx *ctx, void *env, void *result) {
    (void)ctx;
    (void)env;
    *(int *)result += 1;
}

static void fill(rt_fork *m, int *res) {
    m->fn = count_call;
    m->env = NULL;
    m->result = res;
    m->share = NULL;
}

/* A new task records its NF oldest nested forks and no more; one heartbeat (by hand) promotes the
 * oldest and moves the window one mark up; then everything is popped and joined (each pending call
 * must run exactly once). */
static void window_main(pf_ctx *ctx, void *arg) {
    (void)arg;
    uint32_t base = ctx->mtop;
    CHECK_INT(ctx->mlimit, base + RT_MARK_WINDOW);
    rt_fork m[NF + 1], extra;
    int res[NF + 1] = {0};
    for (int i = 0; i < NF; i++) {
        CHECK(rt_fork_push(ctx, &m[i]));
        fill(&m[i], &res[i]);
    }
    CHECK_INT(ctx->mtop, base + NF);
    CHECK_INT(rt_fork_push(ctx, &extra), 0); /* beyond the window: not recorded, no pop */
    CHECK_INT(ctx->mtop, base + NF);
    rt_poll_raise(ctx, PF_POLL_HEARTBEAT);
    rt_poll(ctx);
    /* promotion took the oldest (one idle worker: one promotion) */
    CHECK(m[0].m.ntask != 0);
    for (int i = 1; i < NF; i++)
        CHECK_INT(m[i].m.ntask, 0);
    CHECK_INT(ctx->mlimit, base + 1 + RT_MARK_WINDOW);
    CHECK(rt_fork_push(ctx, &m[NF])); /* the window moved up by one */
    fill(&m[NF], &res[NF]);
    CHECK_INT(rt_fork_push(ctx, &extra), 0);
    for (int i = NF; i >= 0; i--) {
        if (rt_mark_pop(ctx, &m[i].m))
            count_call(ctx, NULL, &res[i]);
        else
            CHECK_INT(rt_fork_join(ctx, &m[i]), RT_OK);
    }
    for (int i = 0; i <= NF; i++)
        CHECK_INT(res[i], 1);
    CHECK_INT(ctx->mtop, base);
    /* nothing promotable left: the window starts at the current top */
    rt_poll_raise(ctx, PF_POLL_HEARTBEAT);
    rt_poll(ctx);
    CHECK_INT(ctx->mlimit, base + RT_MARK_WINDOW);
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
