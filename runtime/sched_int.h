/* Internal structures of the scheduler shared by runtime/sched*.c: tasks, latches, groups, the
 * Chase-Lev deque, workers and the runtime object. Not part of the ABI: compiled code and hosts
 * see only runtime/sched.h. Ownership of every field is written beside it ("owner" = the worker's
 * own thread; anything else touched by other threads is atomic and says its ordering). */
#ifndef PF_RUNTIME_SCHED_INT_H
#define PF_RUNTIME_SCHED_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/sched.h"
#include "runtime/value_impl.h" /* rt_sbuf */

#define RT_DEQUE_CAP 4096   /* tasks per deque (power of two); a full deque refuses promotion */
#define RT_MARK_CAP 4096    /* recorded latent marks per worker; deeper marks stay latent */
#define RT_STACK_BUDGET ((size_t)16 << 20) /* default rt_options.stack_budget */
#define RT_STACK_MARGIN ((size_t)256 << 10) /* stack kept below pf frames for C code (sched.h) */
#define RT_MAX_THREADS 256
#define RT_SPIN_ROUNDS 16   /* failed steal rounds (with a short backoff) before parking */

/* ---------------------------------------------------------------- latch */

/* A countdown latch with a sleeper flag: word = (count << 1) | SLEEPER. The joiner waits for
 * count == 0. Whoever counts it to zero while SLEEPER is set wakes the runtime's sleepers (the
 * joiner parks on rt->epoch, so it can also be woken for new work). Once a completer has counted
 * down, it must not touch the latch or the object holding it again: the joiner may free it. */
typedef struct rt_latch {
    _Atomic uint32_t word;
} rt_latch;
#define RT_LATCH_SLEEPER 1u

/* ---------------------------------------------------------------- groups and tasks */

/* A cancellation scope. A task is cancelled when its group or any ancestor is: flagged (a failed
 * sibling, rt_cancel), or, below the run's root, created before the run's latest rt_cancel_run
 * (gen < rt->run_gen). Groups are embedded in tasks; a child task never outlives its parent's
 * group (structured fork-join). */
typedef struct rt_group {
    _Atomic uint32_t cancelled; /* 0/1; set with release, read with acquire */
    uint32_t gen;               /* rt->run_gen when its task was created; immutable */
    struct rt_group *parent;    /* immutable after creation; NULL for a run's root */
} rt_group;

/* The output of a promoted or spawned task (print.c): held until its join, then stitched into
 * the joiner's output in sequential order. Owner: the thread running the task, then the joiner. */
typedef struct rt_obuf {
    rt_sbuf sb;  /* sb.failed: could not grow, the rest was lost (the print raised MemoryError) */
    int flush;   /* flush=True was asked: flush stdout when this reaches it */
} rt_obuf;

enum { TASK_CALL = 1, TASK_LOOP, TASK_MAIN };

struct loop_root;
struct loop_mark;

/* Task states: created by its owner (promotion/spawn/run) → pushed (visible to thieves) → taken
 * by exactly one worker (take or steal) → executed or dropped (cancelled) → status/exc written →
 * latch counted down (release) → freed by the joiner after its latch wait (acquire). */
struct rt_task {
    int kind;                 /* TASK_CALL / TASK_LOOP / TASK_MAIN */
    int status;               /* RT_OK / RT_FAILED / RT_INTERRUPTED; written before countdown */
    struct pf_exc *exc;       /* owned failure when RT_FAILED (may be the interruption) */
    rt_obuf out;              /* output (not TASK_MAIN, which writes to stdout) */
    rt_group group;
    rt_latch *latch;          /* counted down once at completion (own, or the loop mark's) */
    rt_latch own;             /* TASK_CALL / TASK_MAIN */
    /* TASK_CALL / TASK_MAIN */
    rt_call_fn fn;
    void *env, *result;
    void (*main)(pf_ctx *, void *);
    /* TASK_LOOP: blocks [blo, bhi) of root, promoted from mark; next = older sibling task */
    struct loop_root *root;
    int64_t blo, bhi;
    struct loop_mark *mark;
    struct rt_task *next;     /* immutable once published through mark->tasks */
    void *acc;                /* TASK_LOOP of an exact reduction: the task's partial (accbuf
                               * or malloc'd), initialised by the task; NULL otherwise */
    _Alignas(16) unsigned char accbuf[32];
    int64_t ws_end;           /* workspan: span at the end of an inline-run spawned task */
    struct rt_task *free_next;/* owner's free list */
};

/* ---------------------------------------------------------------- loops */

typedef struct loop_root {
    const rt_loop_desc *d;
    int64_t lo, hi;           /* iterations */
    int64_t B, nb;            /* block size, number of blocks */
    char *partials;           /* reduction: nb partials of stride bytes; NULL for rt_for and
                               * exact reductions (a partial per run: loop_run's acc) */
    size_t stride;
    int shared;               /* d->share was called (set by the root's owner before any task) */
} loop_root;

typedef struct loop_mark {
    rt_mark m;                    /* kind RT_MARK_LOOP; m.ntask = promoted tasks (owner) */
    int64_t blo, bhi;             /* unclaimed blocks (owner only: promotion runs on the owner) */
    loop_root *root;
    _Atomic(rt_task *) tasks;     /* promoted tasks, newest (= lowest blocks) first; release */
    rt_latch latch;               /* one count per promoted task */
} loop_mark;

/* ---------------------------------------------------------------- deque */

typedef struct rt_deque {
    _Alignas(64) _Atomic int64_t top;    /* thieves CAS it forward */
    _Alignas(64) _Atomic int64_t bottom; /* owner only writes it */
    _Atomic(rt_task *) slot[RT_DEQUE_CAP];
} rt_deque;

void rt_deque_init(rt_deque *d);
/* Owner: push t; false if full. */
bool rt_deque_push(rt_deque *d, rt_task *t);
/* Owner: take the youngest task, or NULL. */
rt_task *rt_deque_take(rt_deque *d);
/* Any thread: steal the oldest task. NULL with *lost = 0: empty; NULL with *lost = 1: lost a race. */
rt_task *rt_deque_steal(rt_deque *d, int *lost);
/* Any thread: a racy "probably non-empty" check (seq_cst loads), for the sleep protocol. */
bool rt_deque_nonempty(rt_deque *d);

/* ---------------------------------------------------------------- workers and the runtime */

/* Where a running task's marks start and which group they belong to; a stack through the C
 * frames of task_exec (helping nests tasks on one thread). */
typedef struct task_frame {
    rt_group *group;
    uint32_t mbase;           /* ctx->mtop when the task started */
    uint32_t cancel_epoch;    /* rt->cancel_epoch when it started */
    rt_obuf *out;             /* where its output goes: the task's buffer, NULL = stdout */
    struct task_frame *prev;
} task_frame;

typedef struct trace_ev {
    int64_t ts, dur;          /* ns since rt open */
    int type;                 /* TR_TASK / TR_PARK / TR_PROMOTE / TR_STEAL */
} trace_ev;
enum { TR_TASK, TR_PARK, TR_PROMOTE, TR_STEAL };

typedef struct rt_wstat {     /* owner-written, relaxed atomics so rt_stats_get may read them */
    _Atomic uint64_t promotions, steals, heartbeats, requests, tasks, parked_ns, wakes;
} rt_wstat;

struct rt_worker {
    pf_ctx ctx;               /* ctx.worker == this */
    rt_runtime *rt;
    int id;
    pthread_t thread;
    uint32_t mbot;            /* owner: oldest possibly promotable mark index */
    uint32_t mfull;           /* cap of ctx.mlimit: RT_MARK_CAP, 0 (one worker), UINT32_MAX (workspan) */
    task_frame *frame;        /* owner: innermost running task */
    uint64_t rng;             /* owner: victim selection */
    rt_task *free_tasks;      /* owner: recycled task records */
    _Atomic int busy;         /* 1 while running a task and not parked; read by the beat thread */
    rt_wstat st;
    /* workspan (owner) */
    int64_t ws_base, ws_t0;   /* span at ws_t0 of the current strand (ns of thread CPU time) */
    int64_t *ws_fork;         /* span at the push of the mark at each index */
    uint32_t ws_cap;
    /* trace (owner; read after the workers stopped or between runs) */
    trace_ev *ev;
    size_t nev, cev;
    rt_mark *mark_slots[RT_MARK_CAP];
    _Alignas(64) rt_deque dq;
};

struct rt_runtime {
    rt_options o;
    int n;
    rt_worker **w;
    pthread_t beat;
    int beat_started;
    _Atomic uint32_t epoch;       /* futex: bumped on new work / latch completion / stop */
    _Atomic int sleeping;         /* threads parked (or about to park) on epoch */
    _Atomic uint32_t nbusy;       /* futex for the beat thread: busy workers */
    _Atomic uint32_t stop;        /* 0/1; also the futex the beat thread sleeps on */
    _Atomic(rt_task *) inject;    /* a run's main task waiting for a worker */
    _Atomic(rt_group *) run_group;/* the current run's root group, for rt_cancel_run */
    _Atomic uint32_t cancel_epoch;/* bumped by every cancel */
    _Atomic uint64_t cancels;
    _Atomic uint64_t beats, beat_active_ns; /* written by the beat thread only */
    _Atomic int64_t beat_since;   /* start of the beat thread's current active period, 0 parked */
    rt_task main_task;            /* reused by each rt_run; never freed while the runtime lives */
    _Atomic uint32_t run_gen;     /* rt_cancel_run calls in the current run */
    _Atomic uint32_t main_pending;/* 1: the main task has not yet received the latest cancel */
    struct pf_exc *delivered;     /* main task's worker: the exception that took the pending
                                   * cancel (rt_delivered), compared by rt_run; not owned */
    int64_t ws_work, ws_span;     /* workspan result of the last run */
    int64_t t_open;               /* CLOCK_MONOTONIC ns at open (trace origin) */
};

/* sched.c */
int64_t rt_now_ns(void);
int64_t rt_cpu_ns(void);
void rt_notify(rt_runtime *rt);
void rt_wake_all(rt_runtime *rt);
void rt_task_exec(rt_worker *w, rt_task *t);
void rt_wait_latch(rt_worker *w, rt_latch *l);
void rt_latch_countdown(rt_runtime *rt, rt_latch *l);
void rt_cancel_group(rt_runtime *rt, rt_group *g);
void rt_delivered(rt_worker *w);
bool rt_group_cancelled(rt_runtime *rt, const rt_group *g);
bool rt_task_interrupted(rt_worker *w);
rt_task *rt_task_alloc(rt_worker *w);
void rt_task_free(rt_worker *w, rt_task *t);
struct pf_exc *rt_make_interrupt(pf_ctx *ctx);
void rt_release_exc(rt_runtime *rt, struct pf_exc *e);
void rt_trace_add(rt_worker *w, int type, int64_t ts, int64_t dur);
/* sched_mark.c */
void rt_loop_task_run(pf_ctx *ctx, rt_task *t);
void rt_cancel_later_siblings(rt_runtime *rt, rt_task *t);
uint32_t rt_window_at(const rt_worker *w, uint32_t i);
/* print.c */
void rt_out_join(rt_worker *w, rt_obuf *b, bool keep);
/* sched_stats.c */
int64_t rt_ws_clock(rt_runtime *rt);
int64_t rt_ws_now(rt_worker *w);

#endif
