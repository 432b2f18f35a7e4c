/* The Chase-Lev deque (runtime/sched_deque.c): sequential semantics (LIFO take, FIFO steal, empty,
 * full), then races: one owner pushing and taking against three thieves over millions of items;
 * every item must be taken exactly once. */
#include "deque_race.h"

#ifdef __SANITIZE_THREAD__
#define NITEMS 200000
#else
#define NITEMS 3000000
#endif

static rt_deque dq;
static rt_task *item(long i) { return (rt_task *)(uintptr_t)(i + 1); }

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
    deque_race_run(NITEMS, 3, 12345, 64, 48);
    return 0;
}
