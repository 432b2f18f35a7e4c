/* Seed program 1 (issue 5): parallel fib(30) with a latent fork per call, as codegen will emit the
 * mark protocol. The result must be 832040 at 1, 2, 4 and 8 threads and at heartbeat periods of
 * 1, 10 and 100 µs; at >= 2 threads runs must promote, and a promoted task must be stolen (forced,
 * so that a loaded machine where the other workers rarely get a core cannot fail the test). */
#include "test_sched_util.h"

typedef struct { int64_t n, out; } fib_arg;

static void fib_main(pf_ctx *ctx, void *arg) {
    fib_arg *a = arg;
    a->out = tfib(ctx, a->n);
}

int main(void) {
    static const int threads[] = {1, 2, 4, 8};
    static const int periods[] = {100, 10, 1};
    for (int ti = 0; ti < 4; ti++) {
        for (int pi = 0; pi < 3; pi++) {
            rt_runtime *rt = open_rt(threads[ti], periods[pi]);
            fib_arg a = {30, 0};
            struct pf_exc *e = (struct pf_exc *)1;
            CHECK_INT(rt_run(rt, fib_main, &a, &e), RT_OK);
            CHECK(e == NULL);
            CHECK_INT(a.out, 832040);
            /* at >= 2 threads the runtime must really go parallel: repeat runs until something was
             * promoted (bounded, so a broken promotion path fails the test), and then steal */
            rt_stats s;
            rt_stats_get(rt, &s, NULL);
            for (int rep = 0; threads[ti] > 1 && rep < 100 && s.total.promotions == 0; rep++) {
                fib_arg b = {27, 0};
                CHECK_INT(rt_run(rt, fib_main, &b, NULL), RT_OK);
                CHECK_INT(b.out, 196418);
                rt_stats_get(rt, &s, NULL);
            }
            /* every promotion (all of fork marks here) called the share hook exactly once */
            CHECK_INT(atomic_exchange(&tfib_shared, 0), s.total.promotions);
            if (threads[ti] > 1) {
                CHECK(s.total.promotions > 0);
                int stolen = 0;
                CHECK_INT(rt_run(rt, forced_steal_main, &stolen, NULL), RT_OK);
                CHECK(stolen);
                rt_stats_get(rt, &s, NULL);
                CHECK(s.total.steals > 0);
            }
            printf("fib(30) threads=%d hb=%dus: ok (promotions %llu, steals %llu, heartbeats %llu)\n",
                   threads[ti], periods[pi], (unsigned long long)s.total.promotions,
                   (unsigned long long)s.total.steals, (unsigned long long)s.total.heartbeats);
            rt_close(rt);
        }
    }
    return 0;
}
