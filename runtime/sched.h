/* pf's parallel runtime: a work-stealing scheduler with heartbeat promotion of latent parallelism
 * (DESIGN.md §3, shared/HEARTBEAT.md). This header is the API for C hosts and the driver, and the
 * ABI that compiled code mirrors: the latent-mark protocol below is emitted inline by codegen.
 *
 * ## Model
 * A runtime (`rt_runtime`, no globals: several may live in one process) owns N worker threads, each
 * with a pf_ctx, a Chase-Lev deque of ready tasks and a stack of *latent marks*. Code runs
 * sequentially. A parallel construct pushes a mark (a few plain stores, no atomics): a *fork mark*
 * (the pending second call of `a(); b()`), or a *loop mark* (the unclaimed block range of a loop,
 * pushed by rt_for / rt_reduce). A ping thread sets PF_POLL_HEARTBEAT in the poll word of every busy
 * worker every H µs; the next poll calls rt_poll_slow, which *promotes* the oldest promotable mark of
 * that worker into a task on its deque (fork: the pending call; loop: the upper half of the
 * unclaimed blocks), up to min(idle workers, 4) marks per beat. Idle workers steal from random
 * victims and park on a futex; a worker that runs out of work first sets PF_POLL_REQUEST in the poll
 * word of every other worker, so the next poll there promotes at once instead of at the next beat
 * (eager promotion: the cost is on the idle side, the poll stays one relaxed load). While every
 * worker is busy there are no beats at all. At the join of a mark that was never promoted the code simply goes
 * on sequentially; a promoted one is joined by helping (running other tasks, never blocking a core).
 *
 * ## Failures and cancellation
 * A task that raises leaves its `struct pf_exc *` (opaque here) in the task; the join hands it to the
 * joiner's ctx->exc. Every promoted task has its own group (rt_group), a child of the group of the
 * task that promoted it. A failure cancels the *later* siblings of the same construct; earlier ones
 * run on, and the join reports the first failure in sequential order (the others are released with
 * rt_options.exc_release). Cancelling a group (rt_cancel_run, or a failure) sets its flag and raises
 * PF_POLL_INTERRUPT on every worker; a poll of code whose group or any ancestor is cancelled sets
 * ctx->exc to an interruption (rt_options.exc_interrupt, default RT_EXC_INTERRUPTED) and compiled
 * code unwinds to its task boundary like for any exception. Unstarted tasks of a cancelled group
 * are dropped when dequeued. rt_cancel_run interrupts every task that exists at that moment, and
 * the main task once: when the main task receives an exception at a poll or a join, the cancel
 * counts as delivered, so code that catches the interruption goes on (the tasks it starts run
 * normally, stale poll bits are ignored) until the next rt_cancel_run.
 *
 * ## Latent-mark protocol (what codegen emits; LAYOUT comments give field offsets on LP64)
 * Fork `a = f(x); b = g(y)` (both in parallel, results in program order):
 *
 *     rt_fork m;                       // in the frame; lives until the join below
 *     int pushed = rt_fork_push(ctx, &m); // inline: mtop < mlimit ? record m, 1 : 0
 *     if (pushed) {                    // only recorded marks need their fields (the common,
 *         m.fn = g_thunk;              // unrecorded case costs two loads and a branch)
 *         m.env = &g_args;             // anything the thunk reads; must outlive the join
 *         m.result = &b;               // where the thunk stores g's result (any size)
 *         m.share = g_share;           // or NULL: makes g_args' heap values shared at promotion
 *     }                                // (fields are read only by a promotion, in a later poll)
 *     a = f(ctx, x);                   // the first call, sequentially (may poll and be stolen from)
 *     int b_set = 0;
 *     if (!pushed || rt_mark_pop(ctx, &m.m)) { // never promoted (the common case): run g here
 *         if (!ctx->exc) { b = g(ctx, y); b_set = !ctx->exc; }
 *     } else {                         // promoted: wait by helping; sets ctx->exc on failure
 *         b_set = rt_fork_join(ctx, &m) == RT_OK;
 *     }
 *     if (ctx->exc) goto unwind;       // a's exception wins over b's; b is cancelled if a failed;
 *                                      // unwind releases a, and b if b_set
 *
 * Pushes and pops must nest (LIFO) on the ctx; every recorded mark is popped exactly once, on the
 * normal path and on the unwind path alike (rt_fork_join must run before the frame dies, because a
 * thief may write into m.result). Values reachable from env that the thunk touches are shared with
 * another thread once the mark is promoted: m.share (rt_share_fn) makes them shared at that moment,
 * on the owner's thread, inside the poll that promotes (so never half-way through an RC update).
 * A result written by the thief is handed over at the join (release/acquire): no sharing needed.
 * Loops: call rt_for / rt_reduce with an outlined body; the runtime runs it in blocks, polls between
 * blocks and splits on block boundaries (deterministic reductions: HEARTBEAT.md §6). An exact
 * reduction (rt_loop_desc.exact) folds consecutive blocks into one partial per task, so an
 * unpromoted one allocates nothing and calls init once and combine never.
 *
 * ## The mark window (why most forks record nothing)
 * Promotion takes the OLDEST promotable mark, so a mark far above the oldest promotable one is
 * almost never promoted: recording it is wasted work, and in a recursion like fib, where nearly all
 * calls are near the leaves, that waste is the whole overhead (a recorded mark's address escapes,
 * which costs plain fib(35) about 2x). So the runtime keeps ctx->mlimit, and a fork is recorded
 * only while mtop < mlimit. After each promotion attempt (rt_poll_slow), mlimit = index of the
 * oldest still promotable mark + RT_MARK_WINDOW, or mtop + RT_MARK_WINDOW when none is left (the
 * next forks from here on are recorded); a new task starts with mtop + RT_MARK_WINDOW (its oldest
 * forks). With one worker (nothing can be promoted) or on a standalone ctx mlimit is 0 (and
 * compiled code does not even test it: a function with forks calls a fork-free copy of itself
 * when ctx->solo is set); in
 * workspan mode it is UINT32_MAX with mcap 0, so every fork takes rt_mark_push_slow (timed). A fork run while the
 * window was closed stays sequential for good: a scheduling choice, never a change of results.
 *
 * ## Polls and function entries
 * rt_poll(ctx) is a relaxed load and an unlikely call of rt_poll_slow (codegen mirrors it at loop
 * back-edges). After it, test ctx->exc (interruption). A function entry does not read the poll
 * word: it compares its stack pointer (or frame address: any address of its frame; codegen uses
 * llvm.stacksave) with ctx->stack_limit, which is both the RecursionError
 * limit and a second poll flag (the V8 stack-guard trick: one load, one compare, nothing at exit):
 *
 *     if (frame_address < ctx->stack_limit) {        // relaxed load; rarely taken
 *         if (rt_enter_slow(ctx, frame_address)) return raise RecursionError;  // no frame added
 *         if (ctx->exc) goto unwind;                 // interrupted
 *     }
 *
 * Everyone who sets a poll bit calls rt_poll_raise, which also stores RT_STACK_TRIPPED into
 * stack_limit (seq_cst, after the bit); rt_poll_slow restores stack_limit = stack_floor (seq_cst)
 * before it takes the bits, so a bit is never left pending with the limit restored (a restore
 * racing with a new bit costs one spurious slow entry, never a lost poll). */
#ifndef PF_RUNTIME_SCHED_H
#define PF_RUNTIME_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/ctx.h"

typedef struct rt_runtime rt_runtime;
typedef struct rt_worker rt_worker;
typedef struct rt_task rt_task;
typedef struct rt_group rt_group;

/* ---------------------------------------------------------------- options, open, run, close */

/* The interruption exception when rt_options.exc_interrupt is NULL: a sentinel, never dereferenced
 * by the runtime and never released. A host that installs no hooks compares ctx->exc with it. */
extern const char rt_exc_interrupted_token;
#define RT_EXC_INTERRUPTED ((struct pf_exc *)(void *)&rt_exc_interrupted_token)

typedef struct rt_options {
    int threads;             /* workers; default: PF_THREADS, else the number of online cores */
    int heartbeat_us;        /* heartbeat period; default: PF_HEARTBEAT_US, else 100 */
    size_t stack_budget;     /* bytes of stack pf frames may use per worker before RecursionError
                              * (at most stack_size less a margin for C code); default 16 MiB */
    size_t stack_size;       /* bytes of stack per worker (virtual); default 256 MiB */
    int stats;               /* collect per-worker statistics for rt_stats_print (cheap; default 1) */
    int workspan;            /* account work and span (PF_WORKSPAN=1): marks run serially, timed */
    const char *trace_path;  /* if set, rt_close writes a Chrome trace JSON there (PF_TRACE) */
    /* A new owned interruption exception for ctx (VALUES: rt_exc_new(ctx, PF_EXC_INTERRUPTED,
     * NULL)); NULL = use RT_EXC_INTERRUPTED. Called on the worker that was interrupted. */
    struct pf_exc *(*exc_interrupt)(void *ud, pf_ctx *ctx);
    /* Release an owned exception that lost "first failure in sequential order" (VALUES: decref).
     * Never called with RT_EXC_INTERRUPTED. NULL = the loser is dropped without release (leak). */
    void (*exc_release)(void *ud, struct pf_exc *exc);
    /* Workspan mode: the clock work and span are measured with, in ns (called on the worker that
     * runs the strand). NULL = the thread's CPU time. Tests inject a fake one to check exact values. */
    int64_t (*ws_clock)(void *ud);
    void *ud;                /* passed to the hooks above */
    int argc;                /* sys.argv: argv[0..argc) (script path, then its arguments), borrowed: */
    char *const *argv;       /* the caller keeps them alive until rt_close; argc 0 = `['']` */
} rt_options;

/* Fill *o with the defaults above, reading PF_THREADS, PF_HEARTBEAT_US, PF_WORKSPAN, PF_TRACE. */
void rt_options_init(rt_options *o);

/* Start a runtime: its workers and heartbeat thread. Returns NULL when threads cannot be created
 * (o->threads is clamped to [1, 256]). Release with rt_close. */
rt_runtime *rt_open(const rt_options *o);

typedef enum rt_status {
    RT_OK = 0,          /* main returned with ctx->exc == NULL */
    RT_FAILED = 1,      /* main raised: *exc_out holds the (owned) exception */
    RT_INTERRUPTED = 2, /* the run was cancelled (rt_cancel_run) and main raised the interruption
                         * (or failed while cancelled); *exc_out holds that exception */
} rt_status;

/* Run main(ctx, arg) on a worker (with a big stack) to completion, helping with all the tasks it
 * creates. Blocks the calling thread. *exc_out (if exc_out != NULL) receives the exception main
 * left in ctx->exc (owned by the caller), else NULL. Runs may follow each other on one runtime. */
rt_status rt_run(rt_runtime *rt, void (*main)(pf_ctx *ctx, void *arg), void *arg,
                 struct pf_exc **exc_out);

/* Cancel the current rt_run: every task of it that exists now is interrupted at its next poll, and
 * the main task once (code that catches that interruption runs on normally, and so do the tasks
 * it starts afterwards). Async-signal-safe (atomics only), so a SIGINT handler or a --timeout
 * thread may call it. Calling it again interrupts again code that caught its interruption (bare
 * `except:`). No effect between runs. */
void rt_cancel_run(rt_runtime *rt);

/* The cancellation group of the task running on ctx (each promoted or spawned task has its own,
 * a child of the group of the task that created it; a run's main task has the root). NULL on a
 * standalone ctx. Valid until that task completes. */
rt_group *rt_current_group(pf_ctx *ctx);

/* Cancel g and all its descendants: their code is interrupted at its next poll (ctx->exc = the
 * interruption) and their unstarted tasks are dropped; the joins of g's task report RT_INTERRUPTED
 * (or the failure of the first failing sibling in sequential order). Async-signal-safe. */
void rt_cancel(rt_runtime *rt, rt_group *g);

/* The runtime of a worker's ctx, NULL for a standalone ctx. */
rt_runtime *rt_ctx_runtime(pf_ctx *ctx);

/* Stop the workers, write the trace if one was requested, free everything. */
void rt_close(rt_runtime *rt);

int rt_threads(const rt_runtime *rt);

/* The program arguments of rt_options (sys.argv): sets *argc, returns argv (argc may be 0). */
char *const *rt_args(const rt_runtime *rt, int *argc);

/* A standalone context for single-threaded use of compiled code or runtime functions outside a
 * runtime (tests of other layers): worker NULL, no mark stack (every mark stays latent and runs
 * sequentially), stack limit from the calling thread's stack (rt_ctx_stack): run compiled code with
 * it on that thread only. rt_poll_slow on it only handles the interrupt bit. */
void rt_ctx_init(pf_ctx *ctx);

/* Sets ctx->stack_floor and stack_limit for compiled code running on the calling thread: budget
 * bytes below the caller's frame (0 = the default 16 MiB), but never closer than a margin (for C
 * code called from the deepest pf frame: 256 KiB, less on small stacks) to the thread's stack end. */
void rt_ctx_stack(pf_ctx *ctx, size_t budget);

/* ---------------------------------------------------------------- polls */

/* Cold path of a poll: ctx->poll != 0. Heartbeat: promote latent marks. Interrupt: if the running
 * task's group (or an ancestor) is cancelled, set ctx->exc to an interruption. Never raises anything
 * else; returns with ctx->exc unchanged when nothing is cancelled. */
void rt_poll_slow(pf_ctx *ctx);

/* The value of ctx->stack_limit while a poll bit is pending: every function entry is below it. */
#define RT_STACK_TRIPPED UINTPTR_MAX

/* Sets poll bits in ctx's poll word from any thread (or a signal handler: atomics only) and trips
 * its stack_limit so that the next function entry polls too (protocol above). */
static inline void rt_poll_raise(pf_ctx *ctx, uint32_t bits) {
    atomic_fetch_or_explicit(&ctx->poll, bits, memory_order_seq_cst);
    atomic_store_explicit(&ctx->stack_limit, RT_STACK_TRIPPED, memory_order_seq_cst);
}

/* Cold path of a function entry whose frame address is below ctx->stack_limit. Returns 1 when the
 * frame is below ctx->stack_floor (the caller raises RecursionError and returns at once); else
 * handles a pending poll (rt_poll_slow, which may set ctx->exc) and returns 0. */
int rt_enter_slow(pf_ctx *ctx, uintptr_t frame);

/* The function-entry check for C copies of the protocol (tests, benchmarks), a macro so that the
 * frame is the caller's: nonzero when the function must return at once (past the stack floor, where
 * compiled code raises RecursionError, or interrupted: ctx->exc set). */
#define RT_ENTER(ctx)                                                                              \
    (__builtin_expect((uintptr_t)__builtin_frame_address(0) <                                      \
                          atomic_load_explicit(&(ctx)->stack_limit, memory_order_relaxed),         \
                      0)                                                                           \
         ? rt_enter_slow((ctx), (uintptr_t)__builtin_frame_address(0)) || (ctx)->exc != NULL      \
         : 0)

static inline void rt_poll(pf_ctx *ctx) {
    if (__builtin_expect(atomic_load_explicit(&ctx->poll, memory_order_relaxed) != 0, 0))
        rt_poll_slow(ctx);
}

/* ---------------------------------------------------------------- latent marks */

enum { RT_MARK_FORK = 1, RT_MARK_LOOP = 2 };
#define RT_MARK_SLOW 0x80000000u /* ntask value forcing the slow join (workspan mode) */

/* LAYOUT rt_mark: 0 kind:u32  4 ntask:u32 */
typedef struct rt_mark {
    uint32_t kind;  /* RT_MARK_FORK / RT_MARK_LOOP */
    uint32_t ntask; /* tasks promoted from this mark; 0 = still fully latent (owner only) */
} rt_mark;

/* A fork's pending call: writes its result (any size) through `result`, may raise via ctx->exc. */
typedef void (*rt_call_fn)(pf_ctx *ctx, void *env, void *result);

/* Called on the owner's thread when a mark is promoted, before another thread can see env: make
 * the values the pending work reads shared (VALUES: rt_share on each object), so both threads use
 * atomic reference counts from then on. NULL when env holds no heap values. Marks that are never
 * promoted (almost all) never pay for sharing. */
typedef void (*rt_share_fn)(pf_ctx *ctx, void *env);

/* LAYOUT rt_fork: 0 m:rt_mark  8 fn  16 env  24 result  32 share  40 task (runtime only) */
typedef struct rt_fork {
    rt_mark m;
    rt_call_fn fn;      /* the pending second call */
    void *env;          /* its argument block (must outlive the join) */
    void *result;       /* its result slot (must outlive the join) */
    rt_share_fn share;  /* called at promotion (may be NULL) */
    rt_task *task;      /* set by promotion; runtime only */
} rt_fork;

/* Cold path of rt_mark_push when the mark stack is full or absent (mcap reached): the mark is not
 * recorded (never promoted) unless the runtime is in workspan mode. */
#define RT_MARK_WINDOW 8 /* marks recorded above the oldest promotable one (see the essay) */
void rt_mark_push_slow(pf_ctx *ctx, rt_mark *m);

/* Push a mark (kind already set), regardless of the window (loop marks: one per loop, not per
 * call). Cost: the stores below, no atomics. */
static inline void rt_mark_push(pf_ctx *ctx, rt_mark *m) {
    m->ntask = 0; /* first: the compiler can merge it with the caller's store of kind */
    uint32_t t = ctx->mtop;
    if (__builtin_expect(t < ctx->mcap, 1))
        ctx->marks[t] = m;
    else
        rt_mark_push_slow(ctx, m);
    ctx->mtop = t + 1;
}

/* Pop the youngest mark, which must be m. Returns 1 if m was never promoted: continue
 * sequentially. Returns 0 if it was: call its join (rt_fork_join) before going on. */
static inline int rt_mark_pop(pf_ctx *ctx, rt_mark *m) {
    ctx->mtop--;
    return m->ntask == 0;
}

/* Record f as a latent fork if the mark window is open (mtop < mlimit): returns 1, and then f must
 * be popped with rt_mark_pop; else returns 0 and f is not recorded (no pop: the pending call simply
 * runs after the first). Writes only f->m; set f's other fields before the next poll. */
__attribute__((warn_unused_result)) static inline int rt_fork_push(pf_ctx *ctx, rt_fork *f) {
    if (__builtin_expect(ctx->mtop >= ctx->mlimit, 1))
        return 0;
    f->m.kind = RT_MARK_FORK;
    rt_mark_push(ctx, &f->m);
    return 1;
}

/* Out-of-line copies of rt_fork_push / rt_mark_pop for codegen, which inlines only the window test
 * (mtop < mlimit) and calls these on the recorded path. Same contract. */
int rt_fork_push_call(pf_ctx *ctx, rt_fork *f);
int rt_mark_pop_call(pf_ctx *ctx, rt_mark *m);

/* Join a promoted fork mark (after rt_mark_pop returned 0). If ctx->exc is set (the first call
 * failed) the pending call is cancelled and its exception discarded. Waits, by helping, for the
 * pending call. Returns its status: RT_OK means it completed and *f->result holds its (owned)
 * result — which the caller must release on its unwind path if ctx->exc is set (the first call
 * failed but the second had already finished). Otherwise its exception (or an interruption) is
 * moved into ctx->exc unless one is already there, and *f->result was not written. */
rt_status rt_fork_join(pf_ctx *ctx, rt_fork *f);

/* ---------------------------------------------------------------- parallel loops */

/* Body of a loop: runs iterations [lo, hi) in order; for a reduction folds them into *acc (the
 * block's partial, already initialised by init). May raise via ctx->exc; should poll if long. */
typedef void (*rt_range_fn)(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc);

typedef struct rt_loop_desc {
    rt_range_fn body;
    void *env;          /* passed to every function here; shared by all workers (read-only) */
    size_t acc_size;    /* reduction: bytes of one accumulator; 0 = plain loop (rt_for) */
    void (*init)(void *env, void *acc);   /* reduction: *acc = identity */
    /* reduction: *acc = *acc ⊕ *rhs (rhs is the later range; consumes *rhs) */
    void (*combine)(pf_ctx *ctx, void *env, void *acc, void *rhs);
    void (*drop)(void *env, void *acc);   /* reduction: release a discarded partial (may be NULL) */
    int64_t grain;      /* minimum iterations per block; 0 = 1 */
    rt_share_fn share;  /* called once, at the loop's first promotion (may be NULL) */
    /* reduction: nonzero when combine is exactly associative (list concatenation; min/max over a
     * total order; not float +, nor int + whose overflow depends on the grouping). Then a run of
     * consecutive blocks folds into ONE partial: rt_reduce folds into *acc itself and each
     * promoted task into its own, combined in index order at the join; nothing is allocated
     * unless a mark is promoted. 0: one partial per block and the fixed tree (deterministic bits
     * for float sums). */
    int64_t exact;
} rt_loop_desc;

/* Parallel loop over [lo, hi): blocks of B iterations, B = the smallest power of two >= grain
 * giving at most 65536 blocks (a function of hi - lo and grain only). On failure ctx->exc holds the
 * failure of the lowest failing iteration's block; later blocks may not have run. */
void rt_for(pf_ctx *ctx, const rt_loop_desc *d, int64_t lo, int64_t hi);

/* Deterministic parallel reduction over [lo, hi) into *acc (acc_size bytes, written on success;
 * on failure nothing is left to release there): one partial per block, folded in index order,
 * then combined by a fixed pairwise tree over block indices. The result is bit-identical at any
 * thread count and heartbeat period. With d->exact, partials per run of blocks instead (above):
 * the same result, since combine is exactly associative. */
void rt_reduce(pf_ctx *ctx, const rt_loop_desc *d, int64_t lo, int64_t hi, void *acc);

/* ---------------------------------------------------------------- futures */

/* Spawn fn(ctx, env, result) as a real task at once (no latency hiding: prefer fork marks).
 * Returns a handle that must be joined exactly once by the same thread of control. On a
 * standalone ctx, or when the deque is full, runs the call inline before returning. */
rt_task *rt_spawn(pf_ctx *ctx, rt_call_fn fn, void *env, void *result);

/* Wait (helping) for a spawned task and free it. If it failed and ctx->exc is NULL, its exception
 * moves to ctx->exc; if ctx->exc is already set the task is cancelled and its exception discarded.
 * Returns the task's status (RT_OK, RT_FAILED, RT_INTERRUPTED); RT_OK means *result holds its
 * (owned) result, also when ctx->exc was set (as for rt_fork_join). */
rt_status rt_join(pf_ctx *ctx, rt_task *t);

/* ---------------------------------------------------------------- statistics, trace, work/span */

typedef struct rt_worker_stats {
    uint64_t promotions;   /* marks turned into tasks by this worker */
    uint64_t steals;       /* tasks taken from other workers */
    uint64_t heartbeats;   /* heartbeat polls handled (rt_poll_slow with the heartbeat bit) */
    uint64_t requests;     /* polls that promoted at an idle worker's request (PF_POLL_REQUEST) */
    uint64_t tasks;        /* tasks run (own, stolen, or helped) */
    uint64_t parked_ns;    /* time parked on the futex */
    uint64_t wakes;        /* times this worker returned from the futex */
} rt_worker_stats;

typedef struct rt_stats {
    int threads;
    rt_worker_stats total;
    uint64_t beats;           /* rounds of the heartbeat thread */
    uint64_t beat_active_ns;  /* time the heartbeat thread was not parked */
    double beat_rate_hz;      /* achieved rate: beats / active time */
    uint64_t cancels;         /* groups cancelled */
    /* workspan mode only (else 0): of the last rt_run, in ns of the workspan clock (thread CPU
     * time unless rt_options.ws_clock) */
    uint64_t work_ns, span_ns;
} rt_stats;

/* Snapshot of the statistics (sums over workers in `total`; per worker in w[0..threads) if w != NULL
 * has room for rt_threads(rt) entries). Exact only while no rt_run is in progress. */
void rt_stats_get(rt_runtime *rt, rt_stats *s, rt_worker_stats *w);

/* Print the --stats table: per worker promotions, steals, heartbeats, requests, tasks, parked time; the
 * achieved heartbeat rate; in workspan mode work, span, parallelism and the speedup bounds on 4, 16
 * and 64 cores (Brent: T_P >= max(work/P, span)). */
void rt_stats_print(rt_runtime *rt, FILE *out);

/* Write the event log as Chrome trace JSON (Perfetto / chrome://tracing). Returns 0, or -1 if the
 * file cannot be written or tracing was not enabled. rt_close calls it for options.trace_path. */
int rt_trace_write(rt_runtime *rt, const char *path);

#endif
