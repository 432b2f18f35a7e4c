/* The Chase-Lev deque (runtime/sched_deque.c): sequential semantics (LIFO take, FIFO steal, empty,
 * full), then races: one owner pushing and taking against three thieves over millions of items;
 * every item must be taken exactly once. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "runtime/sched_int.h"
#include "test_sched_util.h"

#ifdef __SANITIZE_THREAD__
#define NITEMS 200000
#else
#define NITEMS 3000000
#endif
#define NTHIEVES 3

static rt_deque dq;
static _Atomic uint8_t seen[NITEMS];
static _Atomic int done;
static _Atomic long stolen;

static rt_task *item(long i) { return (rt_task *)(uintptr_t)(i + 1); }
static long index_of(rt_task *t) { return (long)(uintptr_t)t - 1; }

static void mark_seen(rt_task *t) {
    long i = index_of(t);
    CHECK(i >= 0 && i < NITEMS);
    uint8_t prev = atomic_fetch_add(&seen[i], 1);
    if (prev != 0) {
        fprintf(stderr, "item %ld taken twice\n", i);
        exit(1);
    }
}

static void *thief(void *arg) {
    (void)arg;
    long mine = 0;
    for (;;) {
        int lost;
        rt_task *t = rt_deque_steal(&dq, &lost);
        if (t) {
            mark_seen(t);
            mine++;
        } else if (!lost && atomic_load(&done)) {
            break;
        }
    }
    atomic_fetch_add(&stolen, mine);
    return NULL;
}

static void sequential(void) {
    rt_deque_init(&dq);
    CHECK(rt_deque_take(&dq) == NULL);
    int lost;
    CHECK(rt_deque_steal(&dq, &lost) == NULL && lost == 0);
    for (long i = 0; i < 10; i++)
        CHECK(rt_deque_push(&dq, item(i)));
    CHECK(rt_deque_take(&dq) == item(9));       /* owner: youngest */
    CHECK(rt_deque_steal(&dq, &lost) == item(0)); /* thief: oldest */
    CHECK(rt_deque_steal(&dq, &lost) == item(1));
    for (long i = 8; i >= 2; i--)
        CHECK(rt_deque_take(&dq) == item(i));
    CHECK(rt_deque_take(&dq) == NULL);
    CHECK(rt_deque_take(&dq) == NULL); /* twice: bottom must not drift below top */
    CHECK(!rt_deque_nonempty(&dq));
    long n = 0;
    while (rt_deque_push(&dq, item(n)))
        n++;
    CHECK_INT(n, RT_DEQUE_CAP);
    for (long i = 0; i < n; i++) /* wrap-around: steal all, then refill past the ring's end */
        CHECK(rt_deque_steal(&dq, &lost) == item(i));
    for (long i = 0; i < 100; i++)
        CHECK(rt_deque_push(&dq, item(i)));
    for (long i = 99; i >= 0; i--)
        CHECK(rt_deque_take(&dq) == item(i));
}

int main(void) {
    sequential();
    rt_deque_init(&dq);
    pthread_t th[NTHIEVES];
    for (int i = 0; i < NTHIEVES; i++)
        pthread_create(&th[i], NULL, thief, NULL);
    long taken = 0, next = 0;
    uint64_t r = 12345;
    while (next < NITEMS) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        int burst = 1 + (int)((r >> 33) % 64);
        for (int k = 0; k < burst && next < NITEMS; k++) {
            if (rt_deque_push(&dq, item(next)))
                next++;
        }
        int takes = (int)((r >> 45) % 48);
        for (int k = 0; k < takes; k++) {
            rt_task *t = rt_deque_take(&dq);
            if (!t)
                break;
            mark_seen(t);
            taken++;
        }
    }
    rt_task *t;
    while ((t = rt_deque_take(&dq)) != NULL) {
        mark_seen(t);
        taken++;
    }
    atomic_store(&done, 1);
    for (int i = 0; i < NTHIEVES; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(taken + atomic_load(&stolen), NITEMS);
    for (long i = 0; i < NITEMS; i++)
        CHECK_INT(atomic_load(&seen[i]), 1);
    printf("deque: %d items, owner took %ld, thieves stole %ld\n", NITEMS, taken,
           atomic_load(&stolen));
    return 0;
}
