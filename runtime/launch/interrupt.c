/* SIGINT and --timeout for `pfc run` and AOT-built programs (runtime/launch/interrupt.h): a signal handler
 * and a deadline thread that cancel the running rt_run through rt_cancel_run (async-signal-safe:
 * atomic stores only), so compiled code unwinds at its next poll, releasing everything it holds,
 * and the launcher reports KeyboardInterrupt (130) or the timeout (124). A second SIGINT ends the
 * process at once. */
#define _GNU_SOURCE
#include "runtime/launch/interrupt.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/value.h"

/* The one piece of global mutable state, which a signal handler unavoidably needs: the watch that
 * SIGINT must reach, set by intr_start and cleared by intr_stop (NULL when no run is watched). It
 * is an atomic pointer, read by the handler with a lock-free load. Ordering: the handler sets
 * w->reason (seq_cst) before rt_cancel_run reads the run group; rt_run publishes the run group
 * before the main task starts and calls intr_running, which reads w->reason (seq_cst): so either
 * the handler's cancel finds the run, or intr_running sees the reason and cancels it. */
static _Atomic(intr_watch *) active_watch;

/* Async-signal-safe: atomics, rt_cancel_run (atomics only), write and _exit. */
static void on_sigint(int sig) {
    (void)sig;
    int saved_errno = errno;
    intr_watch *w = atomic_load(&active_watch);
    int none = INTR_NONE;
    if (!w || !atomic_compare_exchange_strong(&w->reason, &none, INTR_SIGINT)) {
        /* a second interrupt (or one after the timeout fired): leave now, as the issue asks */
        static const char msg[] = "\nKeyboardInterrupt (second interrupt: exiting at once)\n";
        ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)n;
        _exit(130);
    }
    rt_cancel_run(w->rt);
    errno = saved_errno;
}

/* The deadline thread: sleeps on a monotonic condition variable until the deadline or intr_stop.
 * After the deadline it cancels the run, and repeats the cancel every 10 ms until stopped: a cancel
 * that lands before rt_run has published its run group would otherwise be lost, and a program that
 * catches its interruption (bare `except:` in a loop) is interrupted again. If the run still has
 * not ended HARD_GRACE_S seconds after the deadline (it swallows every interruption, or sits in a
 * long runtime call that does not poll), the timeout is enforced by ending the process. */
#define HARD_GRACE_S 2
static void *deadline_main(void *arg) {
    intr_watch *w = arg;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double whole = (double)(long long)w->timeout_s;
    t.tv_sec += (time_t)whole;
    t.tv_nsec += (long)((w->timeout_s - whole) * 1e9);
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    int late = 0; /* 10 ms rounds since the deadline */
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        if (pthread_cond_timedwait(&w->cv, &w->mu, &t) != ETIMEDOUT) continue;
        int none = INTR_NONE;
        atomic_compare_exchange_strong(&w->reason, &none, INTR_TIMEOUT);
        rt_cancel_run(w->rt);
        if (++late > HARD_GRACE_S * 100) {
            fflush(stdout);
            fprintf(stderr, "pfc: timed out after %g s (the program did not stop when interrupted)\n",
                    w->timeout_s);
            _exit(124);
        }
        t.tv_nsec += 10000000L; /* re-cancel in 10 ms if the run is still going */
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

void intr_init(intr_watch *w, double timeout_s) {
    memset(w, 0, sizeof *w);
    w->timeout_s = timeout_s;
    atomic_init(&w->reason, INTR_NONE);
}

int intr_start(intr_watch *w, rt_runtime *rt) {
    w->rt = rt;
    w->stop = false;
    intr_watch *none = NULL;
    if (!atomic_compare_exchange_strong(&active_watch, &none, w)) return -1; /* one at a time */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, &w->old_int) != 0) {
        atomic_store(&active_watch, NULL);
        return -1;
    }
    w->sig_installed = true;
    if (w->timeout_s > 0) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->cv, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&w->mu, NULL);
        /* the deadline thread must never take SIGINT (the workers may: the handler is safe) */
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        pthread_sigmask(SIG_BLOCK, &block, &old);
        int rc = pthread_create(&w->timer, NULL, deadline_main, w);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc != 0) {
            pthread_cond_destroy(&w->cv);
            pthread_mutex_destroy(&w->mu);
            intr_stop(w);
            return -1;
        }
        w->timer_started = true;
    }
    return 0;
}

intr_reason intr_stop(intr_watch *w) {
    if (w->timer_started) {
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->timer, NULL);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        w->timer_started = false;
    }
    if (w->sig_installed) {
        sigaction(SIGINT, &w->old_int, NULL);
        w->sig_installed = false;
    }
    intr_watch *me = w;
    atomic_compare_exchange_strong(&active_watch, &me, NULL);
    return (intr_reason)atomic_load(&w->reason);
}

void intr_running(void) {
    intr_watch *w = atomic_load(&active_watch);
    if (w && atomic_load(&w->reason) != INTR_NONE) rt_cancel_run(w->rt);
}

struct pf_exc *intr_exc_interrupt(void *ud, pf_ctx *ctx) {
    intr_watch *w = ud;
    int kind = w && atomic_load(&w->reason) == INTR_SIGINT ? PF_EXC_KEYBOARDINTERRUPT
                                                            : PF_EXC_INTERRUPTED;
    return rt_exc_new(ctx, kind, NULL);
}

int intr_report(struct pf_exc *exc, intr_reason why, double timeout_s) {
    if (exc == RT_EXC_INTERRUPTED) { /* no hook installed: no traceback to show */
        if (why == INTR_TIMEOUT) goto timed_out;
        fputs("KeyboardInterrupt\n", stderr);
        return 130;
    }
    if (!exc) {
        if (why == INTR_TIMEOUT) goto timed_out;
        return 0;
    }
    int st = 1;
    if (exc->kind == PF_EXC_INTERRUPTED || exc->kind == PF_EXC_KEYBOARDINTERRUPT) {
        if (why == INTR_TIMEOUT) {
            rt_obj_decref(&exc->h);
            goto timed_out;
        }
        exc->kind = PF_EXC_KEYBOARDINTERRUPT;
        st = 130;
    }
    rt_exc_print(exc, stderr);
    rt_obj_decref(&exc->h);
    return st;
timed_out:
    fprintf(stderr, "pfc: timed out after %g s\n", timeout_s);
    return 124;
}
