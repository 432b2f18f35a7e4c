/* The per-thread execution context that every compiled pf function receives as its first argument.
 * It is the worker's face towards compiled code: the poll word, the pending exception, the
 * recursion depth and the latent-mark stack. There is no thread-local or global state: a ctx
 * belongs to one worker of one runtime, so two runtimes can live in one process.
 *
 * ORDER CTX: codegen reads `poll`, `exc`, `depth`, `max_depth` by field index (0, 1, 2, 3), and
 * `solo`, `mtop`, `mlimit` by offsetof (codegen/cg_par.c mirrors the inline helpers of
 * runtime/sched.h); keep them in this order, and update codegen/ if you change them. */
#ifndef PF_RUNTIME_CTX_H
#define PF_RUNTIME_CTX_H

#include <stdatomic.h>
#include <stdint.h>

struct pf_exc;    /* runtime/value.h: a raised exception (kind, message, traceback) */
struct rt_worker; /* runtime/sched.h: the scheduler's worker that owns this context */
struct rt_mark;   /* runtime/sched.h: a latent fork or loop mark living in a compiled frame */

/* Bits of the poll word. Compiled code tests `poll != 0` (relaxed load + unlikely branch) and
 * calls rt_poll_slow(ctx) when any bit is set. */
enum {
    PF_POLL_HEARTBEAT = 1u << 0, /* set by the heartbeat thread: promote the oldest latent mark */
    PF_POLL_INTERRUPT = 1u << 1, /* set by cancellation: unwind to the task boundary */
    PF_POLL_REQUEST = 1u << 2,   /* set by a worker that ran out of work: promote now */
};

typedef struct pf_ctx {
    _Atomic uint32_t poll;    /* ORDER CTX 0: heartbeat/interrupt request bits (written by others) */
    struct pf_exc *exc;       /* ORDER CTX 1: pending exception, NULL when none (owner only) */
    int32_t depth;            /* ORDER CTX 2: pf call depth, for RecursionError (owner only) */
    int32_t max_depth;        /* ORDER CTX 3: depth limit, from the runtime's options */
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
