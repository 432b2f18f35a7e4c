/* The scheduler core: opening and closing a runtime, the workers' loop (take, steal, park), task
 * execution and completion, waiting by helping, cancellation of groups, and the heartbeat thread.
 *
 * Threads. N workers (each with a 256 MiB stack, a ctx, a deque and a mark stack) plus one beat
 * thread. rt_run hands main to the workers through `inject` and sleeps on the main task's latch.
 *
 * Parking (HEARTBEAT.md §4, futex form of Rayon's protocol). All sleeping threads wait on one futex
 * word, rt->epoch. A sleeper: seen = epoch; sleeping++ (seq_cst RMW); re-check for work (and its
 * latch); futex_wait(epoch, seen). A poster: publish the task (release store of bottom); then a
 * seq_cst RMW read of `sleeping`; if > 0, epoch++ and futex_wake(1). The two RMWs on `sleeping` are
 * totally ordered: if the poster's comes first, the sleeper's RMW synchronises with it and its
 * re-check sees the task; otherwise the poster sees the sleeper and bumps epoch, so the futex_wait
 * returns at once or is woken. A joiner waiting for a latch parks the same way after setting the
 * latch's SLEEPER bit; the completer that sees the bit wakes all sleepers (rare: joins that had
 * nothing to help with).
 *
 * Heartbeat (HEARTBEAT.md §1). The beat thread sleeps on an absolute deadline grid (timer slack 1 ns;
 * a futex wait on rt->stop with an absolute timeout, so that closing does not wait for a beat)
 * and ORs PF_POLL_HEARTBEAT into the poll word of every busy worker. When no worker is busy, or all
 * are (nobody to promote for: idle workers request promotion themselves), it parks on the futex
 * rt->nbusy; the 0 → 1 and n → n-1 transitions wake it. It never wakes workers. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sched_int.h"

const char rt_exc_interrupted_token = 0;

/* ---------------------------------------------------------------- clocks and futexes */

int64_t rt_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rt_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *a, uint32_t v) {
    syscall(SYS_futex, (uint32_t *)a, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

/* Wait until *a != v, a wake-up, or the absolute CLOCK_MONOTONIC time `until`. */
static void futex_wait_until(_Atomic uint32_t *a, uint32_t v, const struct timespec *until) {
    syscall(SYS_futex, (uint32_t *)a, FUTEX_WAIT_BITSET_PRIVATE, v, until, NULL, FUTEX_BITSET_MATCH_ANY);
}

static void futex_wake(_Atomic uint32_t *a, int n) {
    syscall(SYS_futex, (uint32_t *)a, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* ---------------------------------------------------------------- options */

static int env_int(const char *name, int dflt) {
    const char *s = getenv(name);
    if (!s || !*s)
        return dflt;
    char *end;
    long v = strtol(s, &end, 10);
    return (*end || v <= 0 || v > INT_MAX) ? dflt : (int)v;
}

void rt_options_init(rt_options *o) {
    memset(o, 0, sizeof *o);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = env_int("PF_THREADS", cores > 0 ? (int)cores : 1);
    o->heartbeat_us = env_int("PF_HEARTBEAT_US", 100);
    o->stack_budget = RT_STACK_BUDGET;
    o->stack_size = (size_t)256 << 20;
    o->stats = 1;
    const char *ws = getenv("PF_WORKSPAN");
    o->workspan = ws && *ws && strcmp(ws, "0") != 0;
    const char *tr = getenv("PF_TRACE");
    o->trace_path = tr && *tr ? tr : NULL;
}

void rt_ctx_init(pf_ctx *ctx) {
    memset(ctx, 0, sizeof *ctx);
    rt_ctx_stack(ctx, 0);
}

void rt_ctx_stack(pf_ctx *ctx, size_t budget) {
    uintptr_t top = (uintptr_t)__builtin_frame_address(0), lo = 0, hi = 0;
    pthread_attr_t a;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(&a, &addr, &size) == 0) {
            lo = (uintptr_t)addr;
            hi = lo + size;
        }
        pthread_attr_destroy(&a);
    }
    if (!budget)
        budget = RT_STACK_BUDGET;
    uintptr_t floor = top > budget ? top - budget : 0;
    if (hi > lo) {
        size_t margin = (hi - lo) / 4 < RT_STACK_MARGIN ? (hi - lo) / 4 : RT_STACK_MARGIN;
        if (floor < lo + margin)
            floor = lo + margin;
    }
    ctx->stack_floor = floor;
    atomic_store_explicit(&ctx->stack_limit, floor, memory_order_seq_cst);
    if (atomic_load_explicit(&ctx->poll, memory_order_seq_cst)) /* a bit raised before: keep it seen */
        atomic_store_explicit(&ctx->stack_limit, RT_STACK_TRIPPED, memory_order_seq_cst);
}

int rt_threads(const rt_runtime *rt) { return rt->n; }

char *const *rt_args(const rt_runtime *rt, int *argc) {
    *argc = rt->o.argc;
    return rt->o.argv;
}

/* ---------------------------------------------------------------- exceptions */

struct pf_exc *rt_make_interrupt(pf_ctx *ctx) {
    rt_worker *w = ctx->worker;
    if (w && w->rt->o.exc_interrupt)
        return w->rt->o.exc_interrupt(w->rt->o.ud, ctx);
    return RT_EXC_INTERRUPTED;
}

void rt_release_exc(rt_runtime *rt, struct pf_exc *e) {
    if (e && e != RT_EXC_INTERRUPTED && rt->o.exc_release)
        rt->o.exc_release(rt->o.ud, e);
}

/* ---------------------------------------------------------------- tasks */

rt_task *rt_task_alloc(rt_worker *w) {
    rt_task *t = w->free_tasks;
    if (t)
        w->free_tasks = t->free_next;
    else if (!(t = malloc(sizeof *t)))
        return NULL;
    memset(t, 0, sizeof *t);
    t->group.gen = atomic_load_explicit(&w->rt->run_gen, memory_order_acquire);
    return t;
}

/* Owner of the task's promotion only (the same thread that allocated it). */
void rt_task_free(rt_worker *w, rt_task *t) {
    t->free_next = w->free_tasks;
    w->free_tasks = t;
}

void rt_trace_add(rt_worker *w, int type, int64_t ts, int64_t dur) {
    if (w->nev == w->cev) {
        size_t c = w->cev ? 2 * w->cev : 1024;
        trace_ev *e = realloc(w->ev, c * sizeof *e);
        if (!e)
            return;
        w->ev = e;
        w->cev = c;
    }
    w->ev[w->nev++] = (trace_ev){ts - w->rt->t_open, dur, type};
}

static void stat_add(_Atomic uint64_t *c, uint64_t v) {
    /* owner-only writer: a relaxed load + store is enough and cheaper than an RMW */
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v, memory_order_relaxed);
}

/* ---------------------------------------------------------------- latches, groups, wake-ups */

void rt_wake_all(rt_runtime *rt) {
    atomic_fetch_add_explicit(&rt->epoch, 1, memory_order_seq_cst);
    futex_wake(&rt->epoch, INT_MAX);
}

/* After publishing a task: wake one sleeper if there is any (see the essay at the top). */
void rt_notify(rt_runtime *rt) {
    if (atomic_fetch_add_explicit(&rt->sleeping, 0, memory_order_seq_cst) > 0) {
        atomic_fetch_add_explicit(&rt->epoch, 1, memory_order_seq_cst);
        futex_wake(&rt->epoch, 1);
    }
}

/* Count down once. acq_rel: the task's status/exc/result writes are released to the joiner. */
void rt_latch_countdown(rt_runtime *rt, rt_latch *l) {
    uint32_t old = atomic_fetch_sub_explicit(&l->word, 2, memory_order_acq_rel);
    if ((old >> 1) == 1 && (old & RT_LATCH_SLEEPER))
        rt_wake_all(rt); /* l may already be freed: only rt is touched */
}

static bool latch_done(rt_latch *l) {
    return (atomic_load_explicit(&l->word, memory_order_acquire) >> 1) == 0;
}

/* Set the SLEEPER bit unless the latch is done. Returns false when done. */
static bool latch_arm(rt_latch *l) {
    uint32_t v = atomic_load_explicit(&l->word, memory_order_acquire);
    for (;;) {
        if ((v >> 1) == 0)
            return false;
        if (v & RT_LATCH_SLEEPER)
            return true;
        if (atomic_compare_exchange_weak_explicit(&l->word, &v, v | RT_LATCH_SLEEPER,
                                                  memory_order_seq_cst, memory_order_acquire))
            return true;
    }
}

bool rt_group_cancelled(rt_runtime *rt, const rt_group *g) {
    uint32_t gen = atomic_load_explicit(&rt->run_gen, memory_order_acquire);
    for (; g; g = g->parent) {
        if (atomic_load_explicit(&g->cancelled, memory_order_acquire))
            return true;
        if (g->gen < gen && g != &rt->main_task.group)
            return true;
    }
    return false;
}

/* Is the task running on w interrupted: its group cancelled or, for the run's main task, a cancel
 * of the run it has not received yet (rt_delivered takes it)? */
bool rt_task_interrupted(rt_worker *w) {
    rt_runtime *rt = w->rt;
    if (!w->frame)
        return false;
    if (w->frame->group == &rt->main_task.group &&
        atomic_load_explicit(&rt->main_pending, memory_order_acquire))
        return true;
    return rt_group_cancelled(rt, w->frame->group);
}

/* Async-signal-safe: atomics only. */
void rt_cancel_group(rt_runtime *rt, rt_group *g) {
    if (atomic_exchange_explicit(&g->cancelled, 1, memory_order_release))
        return;
    atomic_fetch_add_explicit(&rt->cancel_epoch, 1, memory_order_release);
    atomic_fetch_add_explicit(&rt->cancels, 1, memory_order_relaxed);
    for (int i = 0; i < rt->n; i++)
        rt_poll_raise(&rt->w[i]->ctx, PF_POLL_INTERRUPT);
}

void rt_cancel(rt_runtime *rt, rt_group *g) {
    if (rt && g)
        rt_cancel_group(rt, g);
}

rt_group *rt_current_group(pf_ctx *ctx) {
    rt_worker *w = ctx->worker;
    return w && w->frame ? w->frame->group : NULL;
}

rt_runtime *rt_ctx_runtime(pf_ctx *ctx) { return ctx->worker ? ctx->worker->rt : NULL; }

/* Cancelling the run interrupts every task that exists now (created before this cancel: their
 * gen is older) and, once, the main task: main_pending is taken when the interruption reaches the
 * main task itself (rt_delivered). So code that catches it (`except KeyboardInterrupt:` in a
 * loop) goes on, the tasks it creates afterwards run normally, stale poll bits find nothing to
 * interrupt, and a new cancel interrupts again everything, also a task that caught the first one
 * (a bare `except:` in a parallel body): --timeout repeats the cancel. Async-signal-safe. */
void rt_cancel_run(rt_runtime *rt) {
    if (!atomic_load_explicit(&rt->run_group, memory_order_acquire))
        return;
    atomic_fetch_add_explicit(&rt->run_gen, 1, memory_order_acq_rel);
    atomic_store_explicit(&rt->main_pending, 1, memory_order_release);
    atomic_fetch_add_explicit(&rt->cancel_epoch, 1, memory_order_release);
    atomic_fetch_add_explicit(&rt->cancels, 1, memory_order_relaxed);
    for (int i = 0; i < rt->n; i++)
        rt_poll_raise(&rt->w[i]->ctx, PF_POLL_INTERRUPT);
}

/* The main task of the run just received ctx->exc at a runtime boundary (its own poll, or a join
 * of a task it promoted or spawned). If a cancel of the run is pending, that exception is its
 * interruption delivered (or the first failure in sequential order, which takes its place): the
 * main task is not interrupted again without a new rt_cancel_run. */
void rt_delivered(rt_worker *w) {
    rt_runtime *rt = w->rt;
    if (w->frame && w->frame->group == &rt->main_task.group && w->ctx.exc &&
        atomic_exchange_explicit(&rt->main_pending, 0, memory_order_acq_rel))
        rt->delivered = w->ctx.exc;
}

static void set_busy(rt_worker *w, int busy) {
    rt_runtime *rt = w->rt;
    atomic_store_explicit(&w->busy, busy, memory_order_relaxed);
    if (busy) {
        if (atomic_fetch_add_explicit(&rt->nbusy, 1, memory_order_acq_rel) == 0)
            futex_wake(&rt->nbusy, 1);
    } else {
        /* all busy -> one idle: the beat thread sleeps while everybody is busy; wake it */
        if (atomic_fetch_sub_explicit(&rt->nbusy, 1, memory_order_acq_rel) == (uint32_t)rt->n)
            futex_wake(&rt->nbusy, 1);
    }
}

/* ---------------------------------------------------------------- finding work */

static uint64_t rng_next(uint64_t *s) { /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static rt_task *steal_round(rt_worker *w) {
    rt_runtime *rt = w->rt;
    int n = rt->n;
    if (n < 2)
        return NULL;
    int start = (int)(rng_next(&w->rng) % (uint64_t)n);
    for (int k = 0; k < n; k++) {
        rt_worker *v = rt->w[(start + k) % n];
        if (v == w)
            continue;
        for (int tries = 0; tries < 4; tries++) {
            int lost;
            rt_task *t = rt_deque_steal(&v->dq, &lost);
            if (t) {
                stat_add(&w->st.steals, 1);
                if (rt->o.trace_path)
                    rt_trace_add(w, TR_STEAL, rt_now_ns(), 0);
                return t;
            }
            if (!lost)
                break;
        }
    }
    return NULL;
}

static rt_task *take_inject(rt_runtime *rt) {
    if (!atomic_load_explicit(&rt->inject, memory_order_acquire))
        return NULL;
    return atomic_exchange_explicit(&rt->inject, NULL, memory_order_acq_rel);
}

static bool work_visible(rt_runtime *rt) {
    if (atomic_load_explicit(&rt->inject, memory_order_seq_cst))
        return true;
    for (int i = 0; i < rt->n; i++)
        if (rt_deque_nonempty(&rt->w[i]->dq))
            return true;
    return false;
}

/* Between failed rounds of stealing: a few µs of pause, yielding the core now and then. Kept
 * short: on an oversubscribed machine a spinning idle worker takes CPU time from busy ones, and a
 * parked one is woken by the promotion that creates work (rt_notify). */
static void backoff(int round) {
    for (int i = 0; i < 64; i++)
        __builtin_ia32_pause();
    if ((round & 3) == 0)
        sched_yield();
}

/* Out of work: ask every other worker to promote at its next poll (eager promotion, sched.h). Sent
 * when a worker starts looking for work and again when it parks, to busy and idle workers alike:
 * on an idle one the bit stands until the first poll of its next task, so a task started after
 * everybody else parked still promotes at once. A relaxed OR is enough: the bit only makes the
 * owner's poll take the slow path sooner, and what it promotes is published by the deque push and
 * rt_notify as usual. */
static void request_work(rt_worker *w) {
    rt_runtime *rt = w->rt;
    for (int i = 0; i < rt->n; i++)
        if (rt->w[i] != w)
            rt_poll_raise(&rt->w[i]->ctx, PF_POLL_REQUEST);
}

/* Park on rt->epoch unless work (or, with l != NULL, the latch) shows up; see the essay. */
static void park(rt_worker *w, rt_latch *l) {
    rt_runtime *rt = w->rt;
    uint32_t seen = atomic_load_explicit(&rt->epoch, memory_order_seq_cst);
    atomic_fetch_add_explicit(&rt->sleeping, 1, memory_order_seq_cst);
    bool sleep = !atomic_load_explicit(&rt->stop, memory_order_seq_cst) && !work_visible(rt);
    if (sleep && l)
        sleep = latch_arm(l);
    if (sleep) {
        request_work(w); /* after sleeping++: a promotion it causes finds us in rt_notify */
        int64_t t0 = rt_now_ns();
        if (l)
            set_busy(w, 0);
        futex_wait(&rt->epoch, seen);
        if (l)
            set_busy(w, 1);
        int64_t t1 = rt_now_ns();
        stat_add(&w->st.parked_ns, (uint64_t)(t1 - t0));
        stat_add(&w->st.wakes, 1);
        if (rt->o.trace_path)
            rt_trace_add(w, TR_PARK, t0, t1 - t0);
    }
    atomic_fetch_sub_explicit(&rt->sleeping, 1, memory_order_seq_cst);
}

/* ---------------------------------------------------------------- running tasks */

/* Run (or drop, if cancelled) a task taken from a deque or the injection slot, on w, possibly
 * nested inside a join that is helping. Ends with the latch countdown, after which t is not
 * touched. */
void rt_task_exec(rt_worker *w, rt_task *t) {
    rt_runtime *rt = w->rt;
    pf_ctx *ctx = &w->ctx;
    struct pf_exc *saved = ctx->exc;
    uint32_t saved_limit = ctx->mlimit;
    ctx->exc = NULL;
    ctx->mlimit = rt_window_at(w, ctx->mtop); /* a new task records its oldest forks */
    task_frame f = {&t->group, ctx->mtop,
                    atomic_load_explicit(&rt->cancel_epoch, memory_order_acquire),
                    t->kind == TASK_MAIN ? NULL : &t->out, w->frame};
    w->frame = &f;
    int64_t t0 = rt->o.trace_path ? rt_now_ns() : 0;
    if (rt_group_cancelled(rt, &t->group)) {
        t->status = RT_INTERRUPTED;
        t->exc = NULL;
    } else {
        if (t->kind == TASK_LOOP) {
            rt_loop_task_run(ctx, t);
        } else if (t->kind == TASK_MAIN) {
            int64_t c0 = rt->o.workspan ? rt_ws_clock(rt) : 0;
            w->ws_base = 0;
            w->ws_t0 = c0;
            t->main(ctx, t->env);
            if (rt->o.workspan) {
                rt->ws_span = rt_ws_now(w);
                rt->ws_work = rt_ws_clock(rt) - c0;
            }
        } else {
            t->fn(ctx, t->env, t->result);
        }
        t->exc = ctx->exc;
        ctx->exc = NULL;
        t->status = t->exc ? RT_FAILED : RT_OK;
    }
    w->frame = f.prev;
    ctx->exc = saved;
    ctx->mlimit = saved_limit;
    stat_add(&w->st.tasks, 1);
    if (rt->o.trace_path)
        rt_trace_add(w, TR_TASK, t0, rt_now_ns() - t0);
    if (t->status == RT_FAILED && t->kind == TASK_LOOP)
        rt_cancel_later_siblings(rt, t);
    /* a cancel while we ran may have had its interrupt bit consumed by a poll of this nested task;
     * re-raise it so the enclosing task checks its own groups at its next poll */
    if (atomic_load_explicit(&rt->cancel_epoch, memory_order_acquire) != f.cancel_epoch)
        rt_poll_raise(ctx, PF_POLL_INTERRUPT);
    if (t->kind == TASK_MAIN) {
        atomic_store_explicit(&t->own.word, 0, memory_order_release);
        futex_wake(&t->own.word, INT_MAX); /* main_task lives in rt: safe after the store */
    } else {
        rt_latch_countdown(rt, t->latch);
    }
}

/* Wait until l is done, running other tasks meanwhile: first our own deque (the task we wait for
 * is usually at its bottom, unstarted: we run it inline), then steals; park when nothing is found. */
void rt_wait_latch(rt_worker *w, rt_latch *l) {
    int fails = 0;
    while (!latch_done(l)) {
        rt_task *t = rt_deque_take(&w->dq);
        if (!t)
            t = steal_round(w);
        if (t) {
            rt_task_exec(w, t);
            fails = 0;
            continue;
        }
        if (fails == 0)
            request_work(w);
        if (++fails < RT_SPIN_ROUNDS) {
            backoff(fails);
            continue;
        }
        park(w, l);
        fails = 0;
    }
}

static void *worker_main(void *arg) {
    rt_worker *w = arg;
    rt_runtime *rt = w->rt;
    rt_ctx_stack(&w->ctx, rt->o.stack_budget);
    int fails = 0;
    while (!atomic_load_explicit(&rt->stop, memory_order_acquire)) {
        rt_task *t = rt_deque_take(&w->dq);
        if (!t)
            t = take_inject(rt);
        if (!t)
            t = steal_round(w);
        if (t) {
            set_busy(w, 1);
            rt_task_exec(w, t);
            set_busy(w, 0);
            fails = 0;
            continue;
        }
        if (fails == 0)
            request_work(w);
        if (++fails < RT_SPIN_ROUNDS) {
            backoff(fails);
            continue;
        }
        park(w, NULL);
        fails = 0;
    }
    return NULL;
}

/* ---------------------------------------------------------------- heartbeat thread */

static void ts_add_ns(struct timespec *ts, int64_t ns) {
    ts->tv_nsec += ns;
    while (ts->tv_nsec >= 1000000000) {
        ts->tv_nsec -= 1000000000;
        ts->tv_sec++;
    }
}

static void *beat_main(void *arg) {
    rt_runtime *rt = arg;
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    int64_t period = (int64_t)rt->o.heartbeat_us * 1000;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    atomic_store_explicit(&rt->beat_since, rt_now_ns(), memory_order_relaxed);
    while (!atomic_load_explicit(&rt->stop, memory_order_acquire)) {
        /* promotion is for idle workers: with one worker, none busy or all busy, beats would be
         * pure overhead (on a 2-core machine each one preempts a worker). A worker that runs out
         * of work asks for promotion itself (PF_POLL_REQUEST) and wakes us (set_busy) */
        uint32_t busy = atomic_load_explicit(&rt->nbusy, memory_order_acquire);
        if (rt->n == 1 || busy == 0 || busy >= (uint32_t)rt->n) {
            int64_t since = atomic_exchange_explicit(&rt->beat_since, 0, memory_order_relaxed);
            atomic_fetch_add_explicit(&rt->beat_active_ns, (uint64_t)(rt_now_ns() - since),
                                      memory_order_relaxed);
            futex_wait(&rt->nbusy, busy); /* returns at once if nbusy changed since */
            clock_gettime(CLOCK_MONOTONIC, &next);
            atomic_store_explicit(&rt->beat_since, rt_now_ns(), memory_order_relaxed);
            continue;
        }
        ts_add_ns(&next, period);
        /* sleep on rt->stop, so that rt_close never waits out a long period */
        futex_wait_until(&rt->stop, 0, &next);
        if (atomic_load_explicit(&rt->stop, memory_order_acquire))
            break;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t late = (int64_t)(now.tv_sec - next.tv_sec) * 1000000000 + (now.tv_nsec - next.tv_nsec);
        if (late > period) /* missed beats are not made up in a burst */
            next = now;
        for (int i = 0; i < rt->n; i++) {
            rt_worker *w = rt->w[i];
            if (atomic_load_explicit(&w->busy, memory_order_relaxed))
                rt_poll_raise(&w->ctx, PF_POLL_HEARTBEAT);
        }
        atomic_fetch_add_explicit(&rt->beats, 1, memory_order_relaxed);
    }
    return NULL;
}

/* ---------------------------------------------------------------- open, run, close */

static void stop_threads(rt_runtime *rt, int started) {
    atomic_store_explicit(&rt->stop, 1, memory_order_seq_cst);
    futex_wake(&rt->stop, INT_MAX); /* the beat thread's sleep */
    rt_wake_all(rt);
    atomic_fetch_add_explicit(&rt->nbusy, 1, memory_order_seq_cst);
    futex_wake(&rt->nbusy, INT_MAX);
    for (int i = 0; i < started; i++)
        pthread_join(rt->w[i]->thread, NULL);
    if (rt->beat_started)
        pthread_join(rt->beat, NULL);
}

static void free_runtime(rt_runtime *rt) {
    for (int i = 0; i < rt->n; i++) {
        rt_worker *w = rt->w[i];
        if (!w)
            continue;
        while (w->free_tasks) {
            rt_task *t = w->free_tasks;
            w->free_tasks = t->free_next;
            free(t);
        }
        free(w->ws_fork);
        free(w->ev);
        free(w);
    }
    free(rt->w);
    free(rt);
}

rt_runtime *rt_open(const rt_options *o) {
    rt_runtime *rt = calloc(1, sizeof *rt);
    if (!rt)
        return NULL;
    if (o)
        rt->o = *o;
    else
        rt_options_init(&rt->o);
    rt->n = rt->o.threads < 1 ? 1 : rt->o.threads > RT_MAX_THREADS ? RT_MAX_THREADS : rt->o.threads;
    if (rt->o.heartbeat_us < 1)
        rt->o.heartbeat_us = 100;
    if (rt->o.stack_budget == 0)
        rt->o.stack_budget = RT_STACK_BUDGET;
    if (rt->o.stack_size < ((size_t)1 << 20))
        rt->o.stack_size = (size_t)256 << 20;
    rt->t_open = rt_now_ns();
    rt->w = calloc((size_t)rt->n, sizeof *rt->w);
    if (!rt->w) {
        free(rt);
        return NULL;
    }
    for (int i = 0; i < rt->n; i++) {
        rt_worker *w = aligned_alloc(64, (sizeof(rt_worker) + 63) & ~(size_t)63);
        if (!w) {
            free_runtime(rt);
            return NULL;
        }
        memset(w, 0, sizeof *w);
        rt->w[i] = w;
        w->rt = rt;
        w->id = i;
        w->rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) ^ (uint64_t)(uintptr_t)rt;
        w->ctx.worker = w;
        w->ctx.marks = w->mark_slots;
        w->ctx.mcap = rt->o.workspan ? 0 : RT_MARK_CAP; /* workspan: every push takes the slow path */
        /* the mark window (sched.h): one worker never promotes, so it records no forks */
        w->mfull = rt->o.workspan ? UINT32_MAX : rt->n == 1 ? 0 : RT_MARK_CAP;
        w->ctx.mlimit = w->mfull;
        w->ctx.solo = rt->n == 1 && !rt->o.workspan;
        rt_deque_init(&w->dq);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, rt->o.stack_size);
    int started = 0;
    for (; started < rt->n; started++)
        if (pthread_create(&rt->w[started]->thread, &attr, worker_main, rt->w[started]) != 0)
            break;
    pthread_attr_destroy(&attr);
    if (started == rt->n && pthread_create(&rt->beat, NULL, beat_main, rt) == 0)
        rt->beat_started = 1;
    if (!rt->beat_started) {
        stop_threads(rt, started);
        free_runtime(rt);
        return NULL;
    }
    return rt;
}

rt_status rt_run(rt_runtime *rt, void (*main)(pf_ctx *ctx, void *arg), void *arg,
                 struct pf_exc **exc_out) {
    rt_task *t = &rt->main_task;
    memset(t, 0, sizeof *t);
    t->kind = TASK_MAIN;
    t->main = main;
    t->env = arg;
    atomic_init(&t->own.word, 2);
    t->latch = &t->own;
    rt->ws_work = rt->ws_span = 0;
    rt->delivered = NULL;
    atomic_store_explicit(&rt->run_gen, 0, memory_order_relaxed);
    atomic_store_explicit(&rt->main_pending, 0, memory_order_relaxed);
    atomic_store_explicit(&rt->run_group, &t->group, memory_order_release);
    atomic_store_explicit(&rt->inject, t, memory_order_seq_cst);
    rt_wake_all(rt);
    uint32_t v;
    while ((v = atomic_load_explicit(&t->own.word, memory_order_acquire)) != 0)
        futex_wait(&t->own.word, v);
    atomic_store_explicit(&rt->run_group, NULL, memory_order_release);
    /* dropped before it started (cancelled at once): no exception was made, make one */
    struct pf_exc *e = t->exc;
    if (t->status == RT_INTERRUPTED && !e && exc_out)
        e = rt->o.exc_interrupt ? rt->o.exc_interrupt(rt->o.ud, &rt->w[0]->ctx) : RT_EXC_INTERRUPTED;
    if (exc_out)
        *exc_out = e;
    else
        rt_release_exc(rt, e);
    if (t->status == RT_OK)
        return RT_OK;
    /* main raised the interruption it was delivered (rt_delivered), or failed while cancelled */
    if (t->status == RT_INTERRUPTED || e == rt->delivered ||
        atomic_load_explicit(&rt->main_pending, memory_order_acquire) ||
        atomic_load_explicit(&t->group.cancelled, memory_order_acquire))
        return RT_INTERRUPTED;
    return RT_FAILED;
}

void rt_close(rt_runtime *rt) {
    if (!rt)
        return;
    stop_threads(rt, rt->n);
    if (rt->o.trace_path)
        rt_trace_write(rt, rt->o.trace_path);
    free_runtime(rt);
}
