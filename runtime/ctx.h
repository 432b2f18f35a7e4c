/* The per-thread execution context that every compiled pf function receives as its first argument.
 * It is the worker's face towards compiled code: the poll word, the pending exception, the
 * stack limit (RecursionError, and the entry poll) and the latent-mark stack. There is no
 * thread-local or global state: a ctx belongs to one worker of one runtime, so two runtimes can
 * live in one process.
 *
 * ORDER CTX: codegen reads `poll`, `exc`, `stack_limit` by field index (0, 1, 2), and
 * `solo`, `mtop`, `mlimit` by offsetof (codegen/cg_par.c mirrors the inline helpers of
 * runtime/sched.h); keep them in this order, and update codegen/ if you change them. */
#ifndef PF_RUNTIME_CTX_H
#define PF_RUNTIME_CTX_H

#include <stdatomic.h>
#include <stdint.h>

struct pf_exc;    /* runtime/value.h: a raised exception (kind, message, traceback) */
struct rt_worker; /* runtime/sched.h: the scheduler's worker that owns this context */
struct rt_mark;   /* runtime/sched.h: a latent fork or loop mark living in a compiled frame */

/* Bits of the poll word. Compiled code tests `poll != 0` (relaxed load + unlikely branch) at loop
 * back-edges and calls rt_poll_slow(ctx) when any bit is set. Whoever sets a bit also trips
 * `stack_limit` (rt_poll_raise, runtime/sched.h), so function entries see it too. */
enum {
    PF_POLL_HEARTBEAT = 1u << 0, /* set by the heartbeat thread: promote the oldest latent mark */
    PF_POLL_INTERRUPT = 1u << 1, /* set by cancellation: unwind to the task boundary */
    PF_POLL_REQUEST = 1u << 2,   /* set by a worker that ran out of work: promote now */
};

typedef struct pf_ctx {
    _Atomic uint32_t poll;    /* ORDER CTX 0: heartbeat/interrupt request bits (written by others) */
    struct pf_exc *exc;       /* ORDER CTX 1: pending exception, NULL when none (owner only) */
    /* ORDER CTX 2: compiled functions compare their frame address with it at entry (one load,
     * one compare): below it they call rt_enter_slow. It is stack_floor, or RT_STACK_TRIPPED
     * (every entry takes the slow path) while a poll bit is pending (written by others). */
    _Atomic uintptr_t stack_limit;
    uintptr_t stack_floor;    /* ORDER CTX 3: frames below it raise RecursionError; 0 = no limit
                               * (owner only; set from the thread's stack by the scheduler) */
    struct rt_worker *worker; /* ORDER CTX 4: owning worker; NULL outside the scheduler */
    struct rt_mark **marks;   /* ORDER CTX 5: latent-mark stack (owner only; sched.h protocol) */
    uint32_t mtop;            /* ORDER CTX 6: marks pushed and not yet popped (may exceed mcap) */
    uint32_t mcap;            /* ORDER CTX 7: slots in marks[]; 0 = every push takes the slow path */
    int32_t solo;             /* ORDER CTX 8: 1 when the runtime has one worker and no workspan
                               * accounting (nothing can be promoted): codegen/cg_par.c then runs
                               * parallel comprehensions whose result cannot differ through their
                               * sequential lowering; 0 (default, standalone ctx) = parallel path */
    uint32_t mlimit;          /* ORDER CTX 9: fork marks are recorded only while mtop < mlimit
                               * (the mark window, owner only; sched.h protocol). 0 = never (one
                               * worker, standalone ctx) */
} pf_ctx;

#endif
