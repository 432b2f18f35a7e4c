/* runtime/launch/launch.h: the run options and the run of a compiled entry, shared by `pfc run` and the
 * executables of `pfc build`, so both behave the same (threads, timeout, SIGINT, exit status). */
#include "runtime/launch/launch.h"
#include "runtime/launch/interrupt.h"
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int launch_parse_opt(int argc, char **argv, int *i, launch_opts *o, const char *who) {
    const char *a = argv[*i];
    if (strcmp(a, "--stats") == 0) {
        o->stats = true;
        return 1;
    }
    if (strcmp(a, "--workspan") == 0) {
        o->workspan = true;
        return 1;
    }
    /* `--threads N` or `--threads=N` (likewise --timeout, --trace) */
    const char *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    char name[16];
    if (len >= sizeof name) return 0;
    memcpy(name, a, len);
    name[len] = 0;
    if (strcmp(name, "--threads") && strcmp(name, "--timeout") && strcmp(name, "--trace")) return 0;
    if (!eq && *i + 1 >= argc) {
        fprintf(stderr, "%s: %s needs a value\n", who, a);
        return -1;
    }
    const char *v = eq ? eq + 1 : argv[++*i];
    char *end;
    if (strcmp(name, "--threads") == 0) {
        long n = strtol(v, &end, 10);
        if (*end || end == v || n < 1 || n > 1024) {
            fprintf(stderr, "%s: --threads: not a thread count: '%s'\n", who, v);
            return -1;
        }
        o->threads = (int)n;
    } else if (strcmp(name, "--timeout") == 0) {
        double t = strtod(v, &end);
        if (*end || end == v || !(t > 0) || t > 1e9) {
            fprintf(stderr, "%s: --timeout: not a number of seconds: '%s'\n", who, v);
            return -1;
        }
        o->timeout = t;
    } else if (*v) {
        o->trace = v;
    } else {
        fprintf(stderr, "%s: --trace: no file name\n", who);
        return -1;
    }
    return 1;
}

void launch_entry_main(pf_ctx *ctx, void *arg) {
    void (*entry)(pf_ctx *) = (void (*)(pf_ctx *))arg;
    intr_running(); /* a SIGINT that came before the run existed cancels it now */
    entry(ctx);
    rt_out_flush(ctx);
}

void launch_release_exc(void *ud, struct pf_exc *e) {
    (void)ud;
    rt_obj_decref(&e->h);
}

int launch_run(void (*entry)(pf_ctx *), const launch_opts *o) {
    rt_options ro;
    rt_options_init(&ro);
    if (o->threads > 0) ro.threads = o->threads;
    if (o->workspan) ro.workspan = 1;
    if (o->trace) ro.trace_path = o->trace;
    ro.argc = o->argc;
    ro.argv = o->argv;
    intr_watch iw; /* SIGINT and --timeout (runtime/launch/interrupt.c) */
    intr_init(&iw, o->timeout);
    ro.exc_interrupt = intr_exc_interrupt;
    ro.ud = &iw;
    ro.exc_release = launch_release_exc;
    fflush(stdout);
    rt_runtime *rt = rt_open(&ro);
    if (!rt) {
        fprintf(stderr, "pfc: cannot start the runtime's threads\n");
        return 2;
    }
    struct pf_exc *exc = NULL;
    bool watching = intr_start(&iw, rt) == 0;
    rt_run(rt, launch_entry_main, (void *)entry, &exc);
    intr_reason why = watching ? intr_stop(&iw) : INTR_NONE;
    if (o->stats || o->workspan) rt_stats_print(rt, stderr); /* --workspan alone: its report */
    rt_close(rt);
    fflush(stdout);
    return intr_report(exc, why, o->timeout);
}
