/* Latent parallelism: the poll's cold path, promotion of the oldest latent mark into a task, the
 * joins of fork and loop marks, the block-structured loops (rt_for, rt_reduce), explicit futures,
 * and the serial timed execution of marks in workspan mode.
 *
 * Mark stack (MPL's promotion stack, HEARTBEAT.md §2). ctx->marks[0..mtop) are the marks of the
 * frames on this worker's stack, oldest first; only the owner thread touches them (promotion runs
 * inside rt_poll_slow, on the owner). w->mbot is the oldest mark that may still be promotable:
 * promotion scans from mbot upward and advances mbot only over marks that have ntask > 0, whose
 * pop therefore takes the slow join, which resets mbot to at most mtop. So a fast pop (ntask == 0)
 * never leaves mbot above mtop, and the inline push/pop need not touch mbot.
 *
 * Promotion. A fork mark: its pending call becomes a task (pushed on the deque, ntask = 1). A loop
 * mark with >= 2 unclaimed blocks: the upper half of them becomes a task; the mark keeps the lower
 * half and stays promotable. Loop marks with < 2 blocks are skipped (the HBC rule: the outermost
 * level that can still be split). Each task's group is a child of the group of the task whose frame
 * holds the mark (task_frame.mbase <= mark index). */
#include <stdlib.h>
#include <string.h>

#include "runtime/sched_int.h"

/* ---------------------------------------------------------------- promotion */

static rt_group *group_of_mark(rt_worker *w, uint32_t i) {
    task_frame *f = w->frame;
    while (f && f->mbase > i)
        f = f->prev;
    return f ? f->group : NULL;
}

static bool promote_fork(rt_worker *w, rt_fork *f, uint32_t i) {
    rt_task *t = rt_task_alloc(w);
    if (!t)
        return false;
    if (f->share)
        f->share(&w->ctx, f->env); /* harmless if the push below fails: shared stays correct */
    t->kind = TASK_CALL;
    t->fn = f->fn;
    t->env = f->env;
    t->result = f->result;
    t->group.parent = group_of_mark(w, i);
    atomic_init(&t->own.word, 2);
    t->latch = &t->own;
    if (!rt_deque_push(&w->dq, t)) {
        rt_task_free(w, t);
        return false;
    }
    f->task = t;
    f->m.ntask = 1;
    return true;
}

static void task_acc_free(rt_task *t) {
    if (t->acc != t->accbuf)
        free(t->acc);
}

/* Give blocks [mid, bhi) of lm to a new task; the mark keeps [blo, mid). */
static bool promote_loop(rt_worker *w, loop_mark *lm, uint32_t i, int64_t mid) {
    rt_task *t = rt_task_alloc(w);
    if (!t)
        return false;
    loop_root *r = lm->root;
    if (r->d->exact && r->d->acc_size) { /* the task's own partial (exact reductions) */
        t->acc = r->d->acc_size <= sizeof t->accbuf ? t->accbuf : malloc(r->d->acc_size);
        if (!t->acc) {
            rt_task_free(w, t);
            return false;
        }
    }
    if (!r->shared) { /* first promotion of this loop: only the root's owner can be here */
        r->shared = 1;
        if (r->d->share)
            r->d->share(&w->ctx, r->d->env);
    }
    t->kind = TASK_LOOP;
    t->root = lm->root;
    t->blo = mid;
    t->bhi = lm->bhi;
    t->mark = lm;
    t->group.parent = group_of_mark(w, i);
    t->latch = &lm->latch;
    t->next = atomic_load_explicit(&lm->tasks, memory_order_relaxed);
    /* relaxed: only this thread waits on the latch, and the push below releases the count */
    atomic_fetch_add_explicit(&lm->latch.word, 2, memory_order_relaxed);
    if (!rt_deque_push(&w->dq, t)) {
        atomic_fetch_sub_explicit(&lm->latch.word, 2, memory_order_relaxed);
        task_acc_free(t);
        rt_task_free(w, t);
        return false;
    }
    /* published after the push: a failing sibling scanning the list for LATER blocks never needs
     * t (the newest task covers the lowest blocks), and the owner's join reads it on this thread */
    atomic_store_explicit(&lm->tasks, t, memory_order_release);
    lm->bhi = mid;
    lm->m.ntask++;
    return true;
}

/* Promote the oldest promotable mark, spending at most `budget` (>= 1) promotions: a loop mark
 * promoted p times at once is cut into p + 1 equal parts (the owner keeps the first), so idle
 * workers get equal shares instead of halves, quarters, eighths. Returns promotions made; 0 if
 * there is no promotable mark (or the deque is full). */
static int promote_one(rt_worker *w, int budget) {
    pf_ctx *ctx = &w->ctx;
    uint32_t top = ctx->mtop < ctx->mcap ? ctx->mtop : ctx->mcap;
    if (w->mbot > top)
        w->mbot = top;
    for (uint32_t i = w->mbot; i < top; i++) {
        rt_mark *m = ctx->marks[i];
        if (m->kind == RT_MARK_FORK) {
            if (m->ntask == 0) {
                if (!promote_fork(w, (rt_fork *)m, i))
                    return 0;
                if (i == w->mbot)
                    w->mbot = i + 1;
                return 1;
            }
        } else {
            loop_mark *lm = (loop_mark *)m;
            int64_t rem = lm->bhi - lm->blo;
            if (rem >= 2) {
                int64_t parts = budget + 1 < rem ? budget + 1 : rem;
                int done = 0;
                for (int64_t p = parts - 1; p >= 1; p--) /* the top part first */
                    if (promote_loop(w, lm, i, lm->blo + rem * p / parts))
                        done++;
                    else
                        break;
                return done;
            }
            if (m->ntask == 0)
                continue; /* exhausted, never promoted: its pop is fast, so mbot stays below */
        }
        if (i == w->mbot)
            w->mbot = i + 1;
    }
    return 0;
}

/* The mark window (sched.h) opened at mark index i: forks are recorded up to index
 * i + RT_MARK_WINDOW, capped by mfull (0 with one worker); workspan records every fork. */
uint32_t rt_window_at(const rt_worker *w, uint32_t i) {
    if (w->mfull == UINT32_MAX)
        return UINT32_MAX;
    uint32_t lim = i + RT_MARK_WINDOW;
    return lim < w->mfull ? lim : w->mfull;
}

/* After a promotion attempt: the window starts at the oldest promotable mark, or at mtop when
 * nothing is promotable (the next forks from here on are recorded). Scans like promote_one. */
static void set_window(rt_worker *w) {
    pf_ctx *ctx = &w->ctx;
    uint32_t top = ctx->mtop < ctx->mcap ? ctx->mtop : ctx->mcap;
    for (uint32_t i = w->mbot; i < top; i++) {
        rt_mark *m = ctx->marks[i];
        bool open = m->kind == RT_MARK_FORK ? m->ntask == 0
                                            : ((loop_mark *)m)->bhi - ((loop_mark *)m)->blo >= 2;
        if (open) {
            ctx->mlimit = rt_window_at(w, i);
            return;
        }
    }
    ctx->mlimit = rt_window_at(w, ctx->mtop);
}

static void promote(rt_worker *w) {
    rt_runtime *rt = w->rt;
    int idle = rt->n - (int)atomic_load_explicit(&rt->nbusy, memory_order_relaxed);
    int k = idle < 1 ? 1 : idle > 4 ? 4 : idle;
    int done = 0;
    while (done < k) {
        int d = promote_one(w, k - done);
        if (!d)
            break;
        done += d;
    }
    if (done) {
        uint64_t p = atomic_load_explicit(&w->st.promotions, memory_order_relaxed);
        atomic_store_explicit(&w->st.promotions, p + (uint64_t)done, memory_order_relaxed);
        if (rt->o.trace_path)
            rt_trace_add(w, TR_PROMOTE, rt_now_ns(), 0);
        rt_notify(rt);
    }
    set_window(w);
}

void rt_poll_slow(pf_ctx *ctx) {
    /* restore the limit before taking the bits: a bit raised after this trips it again (sched.h) */
    atomic_store_explicit(&ctx->stack_limit, ctx->stack_floor, memory_order_seq_cst);
    uint32_t bits = atomic_exchange_explicit(&ctx->poll, 0, memory_order_seq_cst);
    rt_worker *w = ctx->worker;
    if ((bits & PF_POLL_INTERRUPT) && !ctx->exc) {
        if (!w || rt_task_interrupted(w)) {
            ctx->exc = rt_make_interrupt(ctx);
            if (w)
                rt_delivered(w);
        }
    }
    if ((bits & (PF_POLL_HEARTBEAT | PF_POLL_REQUEST)) && w && !ctx->exc) {
        _Atomic uint64_t *c = bits & PF_POLL_HEARTBEAT ? &w->st.heartbeats : &w->st.requests;
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        promote(w);
    }
}

int rt_enter_slow(pf_ctx *ctx, uintptr_t frame) {
    if (frame < ctx->stack_floor)
        return 1;
    rt_poll_slow(ctx);
    return 0;
}

int rt_fork_push_call(pf_ctx *ctx, rt_fork *f) { return rt_fork_push(ctx, f); }
int rt_mark_pop_call(pf_ctx *ctx, rt_mark *m) { return rt_mark_pop(ctx, m); }

/* ---------------------------------------------------------------- workspan (serial, timed) */

void rt_mark_push_slow(pf_ctx *ctx, rt_mark *m) {
    rt_worker *w = ctx->worker;
    if (!w || !w->rt->o.workspan)
        return; /* mark stack full (or standalone ctx): this mark stays latent */
    uint32_t t = ctx->mtop;
    if (t >= w->ws_cap) {
        uint32_t c = w->ws_cap ? 2 * w->ws_cap : 256;
        while (c <= t)
            c *= 2;
        int64_t *a = realloc(w->ws_fork, c * sizeof *a);
        if (!a)
            return; /* untimed: runs as plain sequential code */
        w->ws_fork = a;
        w->ws_cap = c;
    }
    w->ws_fork[t] = rt_ws_now(w);
    m->ntask = RT_MARK_SLOW;
}

/* Start a new strand whose span so far is `span`. */
static void ws_strand(rt_worker *w, int64_t span) {
    w->ws_base = span;
    w->ws_t0 = rt_ws_clock(w->rt);
}

/* ---------------------------------------------------------------- joins */

/* Wait for t, then move its failure into ctx->exc unless an earlier one is already there. */
static rt_status join_task(rt_worker *w, rt_task *t) {
    pf_ctx *ctx = &w->ctx;
    if (ctx->exc)
        rt_cancel_group(w->rt, &t->group); /* t is later in sequential order: its outcome is moot */
    rt_wait_latch(w, t->latch);
    rt_status st = (rt_status)t->status;
    rt_out_join(w, &t->out, !ctx->exc);
    if (st != RT_OK) {
        if (ctx->exc) {
            rt_release_exc(w->rt, t->exc);
        } else {
            ctx->exc = t->exc ? t->exc : rt_make_interrupt(ctx);
            rt_delivered(w);
        }
    }
    return st;
}

rt_status rt_fork_join(pf_ctx *ctx, rt_fork *f) {
    rt_worker *w = ctx->worker;
    if (f->m.ntask == RT_MARK_SLOW) { /* workspan: the pending call runs here, on its own strand */
        int64_t s0 = w->ws_fork[ctx->mtop], s1 = rt_ws_now(w), s2 = s0;
        rt_status st = RT_INTERRUPTED; /* not run: the first call failed */
        if (!ctx->exc) {
            ws_strand(w, s0);
            f->fn(ctx, f->env, f->result);
            s2 = rt_ws_now(w);
            st = ctx->exc ? RT_FAILED : RT_OK;
        }
        ws_strand(w, s1 > s2 ? s1 : s2);
        return st;
    }
    rt_status st = join_task(w, f->task);
    rt_task_free(w, f->task);
    if (w->mbot > ctx->mtop)
        w->mbot = ctx->mtop;
    return st;
}

/* Waits for the tasks promoted from lm and takes their outcomes in block order. For an exact
 * reduction, acc is the owner's partial (its blocks come first): each task's partial is combined
 * into it in block order, or dropped once something has failed. */
static void loop_join(pf_ctx *ctx, loop_mark *lm, void *acc) {
    rt_worker *w = ctx->worker;
    const rt_loop_desc *d = lm->root->d;
    rt_task *list = atomic_load_explicit(&lm->tasks, memory_order_relaxed);
    if (ctx->exc) /* the owner's blocks come first: every promoted block is later */
        for (rt_task *t = list; t; t = t->next)
            rt_cancel_group(w->rt, &t->group);
    rt_wait_latch(w, &lm->latch);
    /* newest first = lowest blocks first: the first failure met is the first in sequential order */
    while (list) {
        rt_task *t = list;
        list = t->next;
        rt_out_join(w, &t->out, !ctx->exc); /* in block order, up to the first failure */
        if (t->status != RT_OK) { /* (a failed task dropped its own partial) */
            if (ctx->exc) {
                rt_release_exc(w->rt, t->exc);
            } else {
                ctx->exc = t->exc ? t->exc : rt_make_interrupt(ctx);
                rt_delivered(w);
            }
        } else if (t->acc) {
            if (ctx->exc) {
                if (d->drop)
                    d->drop(d->env, t->acc);
            } else {
                d->combine(ctx, d->env, acc, t->acc); /* consumes t->acc, also when it raises */
            }
        }
        task_acc_free(t);
        rt_task_free(w, t);
    }
    if (w->mbot > ctx->mtop)
        w->mbot = ctx->mtop;
}

/* A failed loop task cancels the promoted siblings of its mark that cover later blocks. The list
 * is only prepended to (by the owner) and freed after the latch, which t has not counted down yet. */
void rt_cancel_later_siblings(rt_runtime *rt, rt_task *t) {
    for (rt_task *s = atomic_load_explicit(&t->mark->tasks, memory_order_acquire); s; s = s->next)
        if (s->blo > t->blo)
            rt_cancel_group(rt, &s->group);
}

/* ---------------------------------------------------------------- loops */

/* acc: the partial of the run (exact reductions), else NULL */
static void run_block(pf_ctx *ctx, const loop_root *r, int64_t b, void *acc) {
    int64_t lo = r->lo + b * r->B;
    int64_t hi = r->hi - lo > r->B ? lo + r->B : r->hi;
    if (r->partials)
        acc = r->partials + (size_t)b * r->stride;
    r->d->body(ctx, r->d->env, lo, hi, acc);
}

/* Run blocks [blo, bhi) of r under a loop mark: claim one block at a time (mark.blo is always the
 * first unclaimed block, so a promotion inside a block never gives away claimed ones), poll after
 * each block, join the promoted parts at the end. acc: the run's partial (exact reductions). */
static void loop_run(pf_ctx *ctx, loop_root *r, int64_t blo, int64_t bhi, void *acc) {
    loop_mark lm;
    lm.m.kind = RT_MARK_LOOP;
    lm.blo = blo;
    lm.bhi = bhi;
    lm.root = r;
    atomic_init(&lm.tasks, NULL);
    atomic_init(&lm.latch.word, 0);
    rt_mark_push(ctx, &lm.m);
    while (lm.blo < lm.bhi) {
        int64_t b = lm.blo++;
        run_block(ctx, r, b, acc);
        if (ctx->exc)
            break;
        rt_poll(ctx);
        if (ctx->exc)
            break;
    }
    if (!rt_mark_pop(ctx, &lm.m) && lm.m.ntask != RT_MARK_SLOW)
        loop_join(ctx, &lm, acc);
}

void rt_loop_task_run(pf_ctx *ctx, rt_task *t) {
    const rt_loop_desc *d = t->root->d;
    if (t->acc)
        d->init(d->env, t->acc);
    loop_run(ctx, t->root, t->blo, t->bhi, t->acc);
    if (ctx->exc && t->acc && d->drop) /* the joiner takes only the partials of tasks that succeeded */
        d->drop(d->env, t->acc);
}

/* Workspan: every block is a strand starting at the loop's fork point; the loop ends at the
 * latest block end (then the combine tree runs on the same strand, counted as span). */
static void ws_loop_run(pf_ctx *ctx, loop_root *r, void *acc) {
    rt_worker *w = ctx->worker;
    int64_t s0 = rt_ws_now(w), smax = s0;
    for (int64_t b = 0; b < r->nb && !ctx->exc; b++) {
        ws_strand(w, s0);
        run_block(ctx, r, b, acc);
        int64_t s = rt_ws_now(w);
        if (s > smax)
            smax = s;
        if (!ctx->exc)
            rt_poll(ctx);
    }
    ws_strand(w, smax);
}

static void root_init(loop_root *r, const rt_loop_desc *d, int64_t lo, int64_t hi) {
    memset(r, 0, sizeof *r);
    r->d = d;
    r->lo = lo;
    r->hi = hi;
    int64_t n = hi - lo, B = 1;
    while (B < d->grain)
        B *= 2;
    while ((n + B - 1) / B > 65536)
        B *= 2;
    r->B = B;
    r->nb = (n + B - 1) / B;
}

static void run_root(pf_ctx *ctx, loop_root *r, void *acc) {
    if (ctx->worker && ctx->worker->rt->o.workspan)
        ws_loop_run(ctx, r, acc);
    else
        loop_run(ctx, r, 0, r->nb, acc);
}

void rt_for(pf_ctx *ctx, const rt_loop_desc *d, int64_t lo, int64_t hi) {
    if (hi <= lo)
        return;
    loop_root r;
    root_init(&r, d, lo, hi);
    run_root(ctx, &r, NULL);
}

void rt_reduce(pf_ctx *ctx, const rt_loop_desc *d, int64_t lo, int64_t hi, void *acc) {
    if (hi <= lo) {
        d->init(d->env, acc);
        return;
    }
    loop_root r;
    root_init(&r, d, lo, hi);
    if (d->exact) { /* one partial, *acc, for the blocks this thread runs */
        d->init(d->env, acc);
        run_root(ctx, &r, acc);
        if (ctx->exc && d->drop)
            d->drop(d->env, acc);
        return;
    }
    r.stride = (d->acc_size + 15) & ~(size_t)15;
    r.partials = malloc((size_t)r.nb * r.stride);
    if (!r.partials) { /* out of memory: one sequential fold, still in index order */
        d->init(d->env, acc);
        d->body(ctx, d->env, lo, hi, acc);
        return;
    }
    for (int64_t b = 0; b < r.nb; b++)
        d->init(d->env, r.partials + (size_t)b * r.stride);
    run_root(ctx, &r, NULL);
    if (ctx->exc) {
        if (d->drop)
            for (int64_t b = 0; b < r.nb; b++)
                d->drop(d->env, r.partials + (size_t)b * r.stride);
    } else {
        /* the fixed pairwise tree over block indices: the same at any thread count. combine
         * consumes its rhs, also when it raises; then the partials still owned are dropped */
        int64_t fs = 0, fk = 0;
        for (int64_t s = 1; s < r.nb && !fs; s *= 2)
            for (int64_t k = 0; k + s < r.nb; k += 2 * s) {
                d->combine(ctx, d->env, r.partials + (size_t)k * r.stride,
                           r.partials + (size_t)(k + s) * r.stride);
                if (ctx->exc) {
                    fs = s;
                    fk = k;
                    break;
                }
            }
        if (!fs) {
            memcpy(acc, r.partials, d->acc_size);
        } else if (d->drop) {
            /* at level fs the live partials are the multiples of fs; the rhs of pairs k <= fk
             * (the blocks k + fs) are consumed */
            for (int64_t b = 0; b < r.nb; b += fs)
                if (!(b % (2 * fs) == fs && b - fs <= fk))
                    d->drop(d->env, r.partials + (size_t)b * r.stride);
        }
    }
    free(r.partials);
}

/* ---------------------------------------------------------------- futures */

rt_task *rt_spawn(pf_ctx *ctx, rt_call_fn fn, void *env, void *result) {
    rt_worker *w = ctx->worker;
    rt_task *t = calloc(1, sizeof *t);
    if (!t) { /* out of memory: run it now; the join then reports it as done */
        fn(ctx, env, result);
        return NULL;
    }
    t->kind = TASK_CALL;
    t->fn = fn;
    t->env = env;
    t->result = result;
    t->group.parent = w && w->frame ? w->frame->group : NULL;
    t->group.gen = w ? atomic_load_explicit(&w->rt->run_gen, memory_order_acquire) : 0;
    atomic_init(&t->own.word, 2);
    t->latch = &t->own;
    if (w && !w->rt->o.workspan && rt_deque_push(&w->dq, t)) {
        rt_notify(w->rt);
        return t;
    }
    /* inline: standalone ctx, workspan mode (a strand from the spawn point), or a full deque */
    int64_t s0 = w && w->rt->o.workspan ? rt_ws_now(w) : 0;
    struct pf_exc *saved = ctx->exc;
    ctx->exc = NULL;
    fn(ctx, env, result);
    t->exc = ctx->exc;
    ctx->exc = saved;
    t->status = t->exc ? RT_FAILED : RT_OK;
    if (w && w->rt->o.workspan) {
        t->ws_end = rt_ws_now(w);
        ws_strand(w, s0);
    }
    atomic_store_explicit(&t->own.word, 0, memory_order_release);
    return t;
}

rt_status rt_join(pf_ctx *ctx, rt_task *t) {
    if (!t)
        return RT_OK;
    rt_worker *w = ctx->worker;
    rt_status st;
    if (w) {
        st = join_task(w, t);
        if (w->rt->o.workspan) {
            int64_t s = rt_ws_now(w);
            ws_strand(w, s > t->ws_end ? s : t->ws_end);
        }
    } else {
        st = (rt_status)t->status;
        if (st != RT_OK && !ctx->exc)
            ctx->exc = t->exc;
    }
    free(t);
    return st;
}
