/* Running a compiled entry in a C test: on a standalone ctx (rt_ctx_init, no runtime), with its
 * stdout captured through a temporary file. Shared by test_cg_gen.c and test_session.c. */
#ifndef PF_TEST_CAPTURE_H
#define PF_TEST_CAPTURE_H

#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Runs entry on *ctx (initialised here) and returns what it printed (malloc'd, NUL-terminated;
 * NULL when out of memory). The uncaught exception, if any, stays in ctx->exc for the caller. */
static char *run_captured(void (*entry)(pf_ctx *), pf_ctx *ctx) {
    fflush(stdout);
    FILE *tmp = tmpfile();
    int saved = dup(1);
    dup2(fileno(tmp), 1);
    rt_ctx_init(ctx);
    entry(ctx);
    rt_out_flush(ctx);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    long n = ftell(tmp);
    char *out = calloc(1, (size_t)n + 1);
    rewind(tmp);
    if (out && fread(out, 1, (size_t)n, tmp) != (size_t)n) out[0] = 0;
    fclose(tmp);
    return out;
}

#endif
