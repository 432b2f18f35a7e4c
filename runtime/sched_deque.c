/* The Chase-Lev work-stealing deque of each worker (Lê, Pop, Cohen, Zappa Nardelli, PPoPP 2013),
 * fixed capacity (no growth, so no buffer reclamation: HEARTBEAT.md §3). The owner pushes and takes
 * at the bottom; thieves steal at the top with a CAS.
 *
 * Memory orders. The paper's fences are replaced by seq_cst accesses at the same points (the owner's
 * bottom store in take, the loads of top and bottom on both sides): the same Dekker argument holds
 * through the single total order of seq_cst operations, and ThreadSanitizer, which does not model
 * standalone fences, checks exactly what runs. Indices are signed 64-bit (an empty take computes
 * bottom - 1 = -1 without wrapping). A thief reads the slot before its CAS: after top moves the
 * owner may reuse the slot. */
#include "runtime/sched_int.h"

void rt_deque_init(rt_deque *d) {
    atomic_init(&d->top, 0);
    atomic_init(&d->bottom, 0);
    for (int i = 0; i < RT_DEQUE_CAP; i++)
        atomic_init(&d->slot[i], NULL);
}

/* Owner only. */
bool rt_deque_push(rt_deque *d, rt_task *t) {
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
    int64_t tp = atomic_load_explicit(&d->top, memory_order_acquire); /* sync with thieves' CAS */
    if (b - tp >= RT_DEQUE_CAP)
        return false;
    atomic_store_explicit(&d->slot[b & (RT_DEQUE_CAP - 1)], t, memory_order_relaxed);
    /* release: the task's contents and the slot are visible to whoever reads this bottom */
    atomic_store_explicit(&d->bottom, b + 1, memory_order_release);
    return true;
}

/* Owner only. */
rt_task *rt_deque_take(rt_deque *d) {
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed) - 1;
    /* seq_cst store then seq_cst load: a thief either sees the smaller bottom, or we see its top */
    atomic_store_explicit(&d->bottom, b, memory_order_seq_cst);
    int64_t tp = atomic_load_explicit(&d->top, memory_order_seq_cst);
    if (tp > b) { /* empty: restore */
        atomic_store_explicit(&d->bottom, b + 1, memory_order_release);
        return NULL;
    }
    rt_task *t = atomic_load_explicit(&d->slot[b & (RT_DEQUE_CAP - 1)], memory_order_relaxed);
    if (tp == b) { /* the last task: race the thieves for it through top */
        if (!atomic_compare_exchange_strong_explicit(&d->top, &tp, tp + 1, memory_order_seq_cst,
                                                     memory_order_relaxed))
            t = NULL;
        atomic_store_explicit(&d->bottom, b + 1, memory_order_release);
    }
    return t;
}

/* Any thread. */
rt_task *rt_deque_steal(rt_deque *d, int *lost) {
    *lost = 0;
    int64_t tp = atomic_load_explicit(&d->top, memory_order_seq_cst);
    /* seq_cst (acquire at least): synchronises with the pushing release, so the task is visible */
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_seq_cst);
    if (tp >= b)
        return NULL;
    rt_task *t = atomic_load_explicit(&d->slot[tp & (RT_DEQUE_CAP - 1)], memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&d->top, &tp, tp + 1, memory_order_seq_cst,
                                                 memory_order_relaxed)) {
        *lost = 1;
        return NULL;
    }
    return t;
}

bool rt_deque_nonempty(rt_deque *d) {
    int64_t tp = atomic_load_explicit(&d->top, memory_order_seq_cst);
    int64_t b = atomic_load_explicit(&d->bottom, memory_order_seq_cst);
    return tp < b;
}
