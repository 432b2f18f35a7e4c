/* Running a compiled pf program's entry (`void pf_main(pf_ctx *)`, codegen/codegen.h) the way
 * `pfc run` does: the run options shared by pfc and AOT-built programs (--threads, --timeout,
 * --stats), the runtime, the SIGINT/--timeout watch (runtime/launch/interrupt.h), output flushing and the
 * exit status. One copy, linked into pfc (driver/run.c) and into every `pfc build` executable
 * (runtime/launch/start/start.c). Prints only diagnostics of the run itself, never exits. */
#ifndef PF_LAUNCH_H
#define PF_LAUNCH_H

#include <stdbool.h>

#include "runtime/ctx.h"

typedef struct launch_opts {
    int threads;       /* --threads N; 0 = PF_THREADS, else all cores (rt_options_init) */
    double timeout;    /* --timeout S in seconds; 0 = none */
    bool stats;        /* --stats: scheduler statistics on stderr at exit */
    bool workspan;     /* --workspan: measure work and span (prints its report) */
    const char *trace; /* --trace FILE: Chrome trace JSON, NULL = none */
    int argc;          /* sys.argv (rt_options.argc/argv): the program's path and its arguments */
    char **argv;
} launch_opts;

/* One run option at argv[*i] (`--threads N`, `--timeout S`, `--stats`, `--workspan`,
 * `--trace F`; a value may also follow an `=`: `--threads=N`): stores it in *o, advances *i past
 * its value and returns 1; returns 0 when argv[*i]
 * is not a run option; -1 after printing "<who>: <problem>" to stderr for a bad or missing value. */
int launch_parse_opt(int argc, char **argv, int *i, launch_opts *o, const char *who);

/* Runs entry on a new runtime with o's options and the SIGINT/--timeout watch, prints the
 * statistics if asked, flushes stdout and returns the exit status: 0, 1 (uncaught exception:
 * traceback printed), 2 (the runtime's threads cannot start), 124 (timeout), 130 (SIGINT). */
int launch_run(void (*entry)(pf_ctx *), const launch_opts *o);

/* The pieces of launch_run for a host that keeps its runtime open across runs (the REPL):
 * rt_run's main for a compiled entry (arg = `void entry(pf_ctx *)`; worker 0, big stack): runs
 * it and flushes its output, a SIGINT that came before the run started cancels it; and the
 * rt_options.exc_release hook (drops an exception that lost to an earlier failure). */
void launch_entry_main(pf_ctx *ctx, void *arg);
struct pf_exc;
void launch_release_exc(void *ud, struct pf_exc *e);

#endif
