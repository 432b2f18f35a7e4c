/* Stress (label "stress"): the sleep/wake protocol. A joiner whose task was stolen parks on its
 * latch and must be woken by the thief's completion; idle workers park and must be woken by new
 * work. Thousands of rounds of spawn / short pause / join with stolen tasks of random length, at
 * 2, 3 and 8 workers: a lost wake-up shows as a hang (ctest timeout), a wrong hand-over as a bad
 * result; TSan checks the orders. */
#include <stdatomic.h>
#include <unistd.h>

#include "runtime/sched_int.h"
#include "test_sched_util.h"

#ifdef __SANITIZE_THREAD__
#define ROUNDS 300
#else
#define ROUNDS 2000
#endif

static void spin(int64_t n) {
    for (volatile int64_t i = 0; i < n; i++)
        ;
}

typedef struct { int64_t work, in, out; } job;
static void job_fn(pf_ctx *ctx, void *env, void *result) {
    (void)ctx;
    job *j = env;
    spin(j->work);
    *(int64_t *)result = j->in * 3 + 1;
}

static void park_main(pf_ctx *ctx, void *arg) {
    uint64_t r = (uint64_t)(uintptr_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        job j[3];
        rt_task *t[3];
        int nj = 1 + (int)((r >> 60) % 3);
        for (int k = 0; k < nj; k++) {
            j[k] = (job){(int64_t)((r >> (20 + 8 * k)) % 40000), i * 3 + k, 0};
            t[k] = rt_spawn(ctx, job_fn, &j[k], &j[k].out);
        }
        spin((int64_t)((r >> 44) % 3000)); /* give thieves a chance to take them */
        for (int k = nj - 1; k >= 0; k--) {
            CHECK_INT(rt_join(ctx, t[k]), RT_OK);
            CHECK_INT(j[k].out, (i * 3 + k) * 3 + 1);
        }
        if (i % 500 == 499)
            usleep(2000); /* let everyone park, then wake them with new work */
    }
}

int main(void) {
    static const int threads[] = {2, 3, 8};
    for (int ti = 0; ti < 3; ti++) {
        rt_runtime *rt = open_rt(threads[ti], 100);
        CHECK_INT(rt_run(rt, park_main, (void *)(uintptr_t)(ti + 7), NULL), RT_OK);
        rt_stats s;
        rt_stats_get(rt, &s, NULL);
        printf("threads=%d: %d rounds, steals %llu, wakes %llu, parked %.1f ms\n", threads[ti],
               ROUNDS, (unsigned long long)s.total.steals, (unsigned long long)s.total.wakes,
               s.total.parked_ns / 1e6);
#ifndef __SANITIZE_THREAD__ /* under TSan's slowdown the owner often joins before a thief wakes */
        CHECK(s.total.steals > 0);
#endif
        rt_close(rt);
    }
    return 0;
}
