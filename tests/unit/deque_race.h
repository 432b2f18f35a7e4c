/* The owner-against-thieves race on one Chase-Lev deque, shared by tests/unit/test_deque.c and
 * tests/stress/stress_deque.c: the owner pushes and takes in random bursts while thieves steal;
 * every item must be taken exactly once. Items point at payloads written before the push, which the
 * taker checks: a steal that returns an unpublished slot shows up as a wrong payload. */
#ifndef PF_TEST_DEQUE_RACE_H
#define PF_TEST_DEQUE_RACE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "runtime/sched_int.h"
#include "test_sched_util.h"

typedef struct deque_race {
    rt_deque dq;
    long n;
    long *payload;          /* payload[i] = i * 3 + 1 once item i is pushed */
    _Atomic uint8_t *seen;  /* times item i was taken */
    _Atomic int done;
    _Atomic long stolen;
} deque_race;

static void race_take(deque_race *r, rt_task *t) {
    long i = (long *)t - r->payload;
    CHECK(i >= 0 && i < r->n);
    CHECK_INT(*(long *)t, i * 3 + 1);
    CHECK_INT(atomic_fetch_add(&r->seen[i], 1), 0);
}

static void *race_thief(void *arg) {
    deque_race *r = arg;
    long mine = 0;
    for (;;) {
        int lost;
        rt_task *t = rt_deque_steal(&r->dq, &lost);
        if (t) {
            race_take(r, t);
            mine++;
        } else if (!lost && atomic_load(&r->done)) {
            break;
        }
    }
    atomic_fetch_add(&r->stolen, mine);
    return NULL;
}

/* One race over n items against `thieves` threads (at most 16); bursts of 1..max_burst pushes and
 * 0..max_takes-1 takes from a seeded generator. Prints how the items were split. */
static void deque_race_run(long n, int thieves, uint64_t seed, int max_burst, int max_takes) {
    deque_race *r = aligned_alloc(64, (sizeof *r + 63) & ~(size_t)63);
    CHECK(r != NULL && thieves <= 16);
    rt_deque_init(&r->dq);
    r->n = n;
    r->payload = calloc((size_t)n, sizeof *r->payload);
    r->seen = calloc((size_t)n, sizeof *r->seen);
    CHECK(r->payload && r->seen);
    atomic_init(&r->done, 0);
    atomic_init(&r->stolen, 0);
    pthread_t th[16];
    for (int i = 0; i < thieves; i++)
        CHECK(pthread_create(&th[i], NULL, race_thief, r) == 0);
    long taken = 0, next = 0;
    while (next < n) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int burst = 1 + (int)((seed >> 33) % (uint64_t)max_burst);
        for (int k = 0; k < burst && next < n; k++) {
            r->payload[next] = next * 3 + 1; /* written before the push publishes it */
            if (rt_deque_push(&r->dq, (rt_task *)&r->payload[next]))
                next++;
        }
        int takes = (int)((seed >> 45) % (uint64_t)max_takes);
        for (int k = 0; k < takes; k++) {
            rt_task *t = rt_deque_take(&r->dq);
            if (!t)
                break;
            race_take(r, t);
            taken++;
        }
    }
    rt_task *t;
    while ((t = rt_deque_take(&r->dq)) != NULL) {
        race_take(r, t);
        taken++;
    }
    atomic_store(&r->done, 1);
    for (int i = 0; i < thieves; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(taken + atomic_load(&r->stolen), n);
    for (long i = 0; i < n; i++)
        CHECK_INT(atomic_load(&r->seen[i]), 1);
    printf("deque race: %ld items, owner took %ld, %d thieves stole %ld\n", n, taken, thieves,
           atomic_load(&r->stolen));
    free(r->payload);
    free((void *)r->seen);
    free(r);
}

#endif
