/* Stress (ctest label "stress", run under ThreadSanitizer by `make tsan`): one owner pushing and
 * taking in random bursts against seven thieves, over several rounds; every item must be taken
 * exactly once, and TSan must report no race on the deque's slots or indices. */
#include <pthread.h>
#include <stdatomic.h>

#include "runtime/sched_int.h"
#include "test_sched_util.h"

#ifdef __SANITIZE_THREAD__
#define NITEMS 100000
#else
#define NITEMS 1000000
#endif
#define NTHIEVES 7
#define ROUNDS 3

static rt_deque dq;
static _Atomic uint8_t seen[NITEMS];
static _Atomic int done;
static _Atomic long stolen;
/* items point at real payloads the thief reads: catches a steal that returns an unpublished slot */
static long payload[NITEMS];

static void take_item(rt_task *t) {
    long *p = (long *)t;
    long i = p - payload;
    CHECK(i >= 0 && i < NITEMS);
    CHECK_INT(*p, i * 3 + 1);
    CHECK_INT(atomic_fetch_add(&seen[i], 1), 0);
}

static void *thief(void *arg) {
    (void)arg;
    long mine = 0;
    for (;;) {
        int lost;
        rt_task *t = rt_deque_steal(&dq, &lost);
        if (t) {
            take_item(t);
            mine++;
        } else if (!lost && atomic_load(&done)) {
            break;
        }
    }
    atomic_fetch_add(&stolen, mine);
    return NULL;
}

int main(void) {
    for (int round = 0; round < ROUNDS; round++) {
        rt_deque_init(&dq);
        atomic_store(&done, 0);
        atomic_store(&stolen, 0);
        for (long i = 0; i < NITEMS; i++) {
            atomic_store(&seen[i], 0);
            payload[i] = 0;
        }
        pthread_t th[NTHIEVES];
        for (int i = 0; i < NTHIEVES; i++)
            pthread_create(&th[i], NULL, thief, NULL);
        long taken = 0, next = 0;
        uint64_t r = 777 + (uint64_t)round;
        while (next < NITEMS) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            int burst = 1 + (int)((r >> 33) % (round == 1 ? 4 : 200));
            for (int k = 0; k < burst && next < NITEMS; k++) {
                payload[next] = next * 3 + 1; /* written before the push publishes it */
                if (rt_deque_push(&dq, (rt_task *)&payload[next]))
                    next++;
            }
            int takes = (int)((r >> 45) % 100);
            for (int k = 0; k < takes; k++) {
                rt_task *t = rt_deque_take(&dq);
                if (!t)
                    break;
                take_item(t);
                taken++;
            }
        }
        rt_task *t;
        while ((t = rt_deque_take(&dq)) != NULL) {
            take_item(t);
            taken++;
        }
        atomic_store(&done, 1);
        for (int i = 0; i < NTHIEVES; i++)
            pthread_join(th[i], NULL);
        CHECK_INT(taken + atomic_load(&stolen), NITEMS);
        for (long i = 0; i < NITEMS; i++)
            CHECK_INT(atomic_load(&seen[i]), 1);
        printf("round %d: owner %ld, thieves %ld\n", round, taken, atomic_load(&stolen));
    }
    return 0;
}
