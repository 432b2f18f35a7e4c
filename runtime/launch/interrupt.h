/* Interrupting a running pf program from outside (issue 7): SIGINT and `--timeout SECONDS` for
 * `pfc run`, AOT-built programs (both through runtime/launch/launch.h) and the REPL. A watch cancels the
 * current rt_run of its runtime (rt_cancel_run) when SIGINT arrives or the deadline passes;
 * compiled code then unwinds at its next poll. A second SIGINT while the first is being handled
 * ends the process at once (_exit(130)). */
#ifndef PF_LAUNCH_INTERRUPT_H
#define PF_LAUNCH_INTERRUPT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "runtime/sched.h"

typedef enum intr_reason {
    INTR_NONE = 0,
    INTR_SIGINT = 1,  /* SIGINT arrived: exit 130 with KeyboardInterrupt */
    INTR_TIMEOUT = 2, /* the --timeout deadline passed: exit 124 */
} intr_reason;

typedef struct intr_watch {
    rt_runtime *rt;           /* the runtime whose run is cancelled (set by intr_start) */
    double timeout_s;         /* <= 0: no deadline */
    _Atomic int reason;       /* intr_reason of the first interruption; written once */
    bool sig_installed;       /* SIGINT handler installed, old one saved below */
    struct sigaction old_int;
    bool timer_started;       /* the deadline thread runs */
    pthread_t timer;
    pthread_mutex_t mu;       /* guards `stop` for the deadline thread */
    pthread_cond_t cv;
    bool stop;
} intr_watch;

/* Prepare a watch (no threads or handlers yet). Install intr_exc_interrupt as
 * rt_options.exc_interrupt with ud = w, so the interruption raised in pf code says why. */
void intr_init(intr_watch *w, double timeout_s);

/* Start watching rt: install the SIGINT handler and, with a timeout, the deadline thread. Only one
 * watch may be started at a time in a process (the signal handler reaches it through one pointer).
 * Returns 0, or -1 if the handler or the thread cannot be set up (nothing is left installed). */
int intr_start(intr_watch *w, rt_runtime *rt);

/* Stop watching: restore the previous SIGINT disposition, stop and join the deadline thread.
 * Returns why the run was interrupted (INTR_NONE if it was not). */
intr_reason intr_stop(intr_watch *w);

/* Called by the run's main function before the program starts (inside rt_run): a SIGINT that
 * arrived after intr_start but before rt_run had published the run (when rt_cancel_run has no run
 * to cancel) cancels the run now. No effect when no watch is active or nothing arrived. */
void intr_running(void);

/* rt_options.exc_interrupt hook (ud = the watch): a new owned exception, KeyboardInterrupt after
 * SIGINT, else the pf-internal Interrupted (timeouts, cancelled siblings). */
struct pf_exc *intr_exc_interrupt(void *ud, pf_ctx *ctx);

/* The end of a watched run: prints what the user must see and returns pfc's exit status, taking
 * ownership of exc (rt_run's exception, may be NULL). An uncaught interruption: after the timeout
 * "pfc: timed out after S s" (124), else the pf traceback ending in KeyboardInterrupt (130). Any
 * other exception: its traceback (1), even if a timeout or SIGINT came later. No exception: 0,
 * or 124 if the deadline passed (the program may have stopped anywhere). */
int intr_report(struct pf_exc *exc, intr_reason why, double timeout_s);

#endif
