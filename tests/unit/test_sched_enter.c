/* The function-entry check of compiled code (runtime/sched.h "Polls and function entries"): the
 * stack limit is the RecursionError floor, a raised poll bit trips it so that entries poll, the
 * slow path restores it; deep recursion stops at the floor (never a segfault), also on a worker
 * whose stack is smaller than the budget; a cancelled run interrupts code that only calls. */
#include "test_sched_util.h"

/* Recursion with only the entry check: returns how deep it got before RT_ENTER refused. */
__attribute__((noinline)) static int64_t dive(pf_ctx *ctx, int64_t n) {
    if (RT_ENTER(ctx))
        return n;
    volatile char pad[64]; /* a frame of some size, as compiled code has */
    pad[0] = (char)n;
    int64_t r = dive(ctx, n + 1);
    pad[1] = 1; /* after the call: no tail call, the frames really nest */
    return r + pad[1] - 1;
}

static void dive_main(pf_ctx *ctx, void *arg) { *(int64_t *)arg = dive(ctx, 0); }

__attribute__((noinline)) static int64_t callee(pf_ctx *ctx, int64_t n) {
    if (RT_ENTER(ctx))
        return -1;
    return n + 1;
}

/* Cancels its own run, then calls (no loop poll anywhere) until an entry sees the interruption. */
static void cancel_main(pf_ctx *ctx, void *arg) {
    rt_cancel_run(rt_ctx_runtime(ctx));
    int64_t calls = 0;
    while (callee(ctx, calls) >= 0 && calls < 1000000)
        calls++;
    *(int64_t *)arg = calls;
}

int main(void) {
    /* standalone ctx: a floor below this frame, and the limit equals it */
    pf_ctx sc;
    rt_ctx_init(&sc);
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    CHECK(sc.stack_floor > 0 && sc.stack_floor < here);
    CHECK(here - sc.stack_floor <= ((size_t)16 << 20));
    CHECK(atomic_load(&sc.stack_limit) == sc.stack_floor);
    CHECK_INT(callee(&sc, 1), 2);

    /* a raised bit trips the limit; the entry's slow path polls and restores it */
    rt_poll_raise(&sc, PF_POLL_HEARTBEAT);
    CHECK(atomic_load(&sc.stack_limit) == RT_STACK_TRIPPED);
    CHECK_INT(callee(&sc, 1), 2); /* a heartbeat on a standalone ctx raises nothing */
    CHECK(atomic_load(&sc.stack_limit) == sc.stack_floor);
    CHECK_INT(atomic_load(&sc.poll), 0);
    rt_poll_raise(&sc, PF_POLL_INTERRUPT); /* standalone: an interrupt bit interrupts */
    CHECK_INT(callee(&sc, 1), -1);
    CHECK(sc.exc == RT_EXC_INTERRUPTED);
    sc.exc = NULL;

    /* a loop poll (rt_poll_slow) restores the limit as well */
    rt_poll_raise(&sc, PF_POLL_HEARTBEAT);
    rt_poll(&sc);
    CHECK(atomic_load(&sc.stack_limit) == sc.stack_floor);

    /* below the floor: rt_enter_slow says "raise RecursionError", whatever the poll word */
    CHECK_INT(rt_enter_slow(&sc, sc.stack_floor - 1), 1);
    CHECK_INT(rt_enter_slow(&sc, sc.stack_floor), 0);

    /* deep recursion stops at the floor, on the host thread and on workers */
    int64_t d = dive(&sc, 0);
    CHECK(d > 20000);
    CHECK(sc.exc == NULL);
    rt_ctx_stack(&sc, (size_t)1 << 20); /* a smaller budget stops sooner */
    int64_t d1 = dive(&sc, 0);
    CHECK(d1 > 1000 && d1 < d);

    rt_options o;
    rt_options_init(&o);
    o.threads = 2;
    o.trace_path = NULL;
    o.workspan = 0;
    rt_runtime *rt = rt_open(&o);
    CHECK(rt != NULL);
    int64_t dw = 0;
    CHECK_INT(rt_run(rt, dive_main, &dw, NULL), RT_OK);
    CHECK(dw > 20000);
    rt_close(rt);

    /* a worker stack (1 MiB) smaller than the budget: the margin below the floor stays free */
    o.stack_size = (size_t)1 << 20;
    o.stack_budget = (size_t)64 << 20;
    rt = rt_open(&o);
    CHECK(rt != NULL);
    dw = 0;
    CHECK_INT(rt_run(rt, dive_main, &dw, NULL), RT_OK);
    CHECK(dw > 1000);
    rt_close(rt);

    /* interruption reaches code whose only polls are function entries */
    rt = rt_open(&o);
    CHECK(rt != NULL);
    int64_t calls = -1;
    CHECK_INT(rt_run(rt, cancel_main, &calls, NULL), RT_INTERRUPTED);
    CHECK_INT(calls, 0);
    rt_close(rt);
    printf("test_sched_enter: ok (depth %lld host, %lld with a 1 MiB budget, %lld on a 1 MiB worker stack)\n",
           (long long)d, (long long)d1, (long long)dw);
    return 0;
}
