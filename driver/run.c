/* pfc run: the `run` command. Reads a .pf file, lexes and parses it, builds and checks the typed
 * IR, lowers it to LLVM (codegen/), JIT-compiles it and runs its entry on a pf_ctx; prints
 * diagnostics (exit 2) or an uncaught exception's traceback (exit 1), flushes output, exits 0.
 * Options: --threads N, --timeout S, --stats, --workspan (with --stats: work, span, parallelism),
 * --trace F (Chrome trace JSON), --emit-ir, --emit-llvm, --explain (parallelism decisions on
 * stderr, ir/par.c), --no-par (same as PF_NOPAR=1). */
#include "codegen/codegen.h"
#include "driver/driver.h"
#include "driver/interrupt.h"
#include "ir/ir.h"
#include "parser/parser.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run_opts {
    const char *path;
    int threads;
    double timeout; /* --timeout S: seconds, 0 = none (driver/interrupt.c) */
    bool emit_ir, emit_llvm, stats, explain, workspan;
    const char *trace; /* --trace FILE, NULL = none */
    int argc; /* program arguments after FILE */
    char **argv;
} run_opts;

static int usage(const char *fmt, const char *arg) {
    fputs("pfc run: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nusage: pfc run [--threads N] [--timeout S] [--emit-ir] [--emit-llvm] [--stats] [--workspan] [--trace F] [--explain] [--no-par] FILE [args]\n", stderr);
    return 2;
}

static int parse_opts(int argc, char **argv, run_opts *o) {
    memset(o, 0, sizeof *o);
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--threads") == 0 || strcmp(a, "--timeout") == 0 || strcmp(a, "--trace") == 0) {
            if (i + 1 >= argc) return usage("%s needs a value", a);
            if (strcmp(a, "--threads") == 0) {
                char *end;
                long n = strtol(argv[i + 1], &end, 10);
                if (*end || n < 1 || n > 1024) return usage("--threads: not a thread count: '%s'", argv[i + 1]);
                o->threads = (int)n;
            } else if (strcmp(a, "--timeout") == 0) {
                char *end;
                double t = strtod(argv[i + 1], &end);
                if (*end || !(t > 0) || t > 1e9) return usage("--timeout: not a number of seconds: '%s'", argv[i + 1]);
                o->timeout = t;
            } else {
                o->trace = argv[i + 1];
            }
            i++;
        } else if (strcmp(a, "--emit-ir") == 0) {
            o->emit_ir = true;
        } else if (strcmp(a, "--emit-llvm") == 0) {
            o->emit_llvm = true;
        } else if (strcmp(a, "--stats") == 0) {
            o->stats = true;
        } else if (strcmp(a, "--workspan") == 0) {
            o->workspan = true;
        } else if (strcmp(a, "--explain") == 0) {
            o->explain = true;
        } else if (strcmp(a, "--no-par") == 0) {
            setenv("PF_NOPAR", "1", 1); /* read by ir_build (ir/par.c) */
        } else {
            return usage("unknown option '%s'", a);
        }
    }
    if (i >= argc) return usage("%sno file given", "");
    o->path = argv[i];
    o->argc = argc - i - 1;
    o->argv = argv + i + 1;
    return 0;
}

/* Runs the compiled entry on a runtime (rt_run: worker 0, big stack, RecursionError depth);
 * returns the exit status: 0, or 1 after printing the uncaught exception's traceback. */
static void run_main(pf_ctx *ctx, void *arg) {
    void (*entry)(pf_ctx *) = (void (*)(pf_ctx *))arg;
    intr_running(); /* a SIGINT that came before the run existed cancels it now */
    entry(ctx);
    rt_out_flush(ctx);
}

static void release_exc(void *ud, struct pf_exc *e) {
    (void)ud;
    rt_obj_decref(&e->h);
}

static int run_entry(void (*entry)(pf_ctx *), const run_opts *o) {
    rt_options ro;
    rt_options_init(&ro);
    if (o->threads > 0) ro.threads = o->threads;
    if (o->workspan) ro.workspan = 1;
    if (o->trace) ro.trace_path = o->trace;
    intr_watch iw; /* SIGINT and --timeout (driver/interrupt.c) */
    intr_init(&iw, o->timeout);
    ro.exc_interrupt = intr_exc_interrupt;
    ro.ud = &iw;
    ro.exc_release = release_exc;
    rt_runtime *rt = rt_open(&ro);
    if (!rt) {
        fprintf(stderr, "pfc: cannot start the runtime's threads\n");
        return 2;
    }
    struct pf_exc *exc = NULL;
    bool watching = intr_start(&iw, rt) == 0;
    rt_run(rt, run_main, (void *)entry, &exc);
    intr_reason why = watching ? intr_stop(&iw) : INTR_NONE;
    if (o->stats || o->workspan) rt_stats_print(rt, stderr); /* --workspan alone: its report */
    rt_close(rt);
    fflush(stdout);
    return intr_report(exc, why, o->timeout);
}

int driver_run(int argc, char **argv) {
    run_opts o;
    int st = parse_opts(argc, argv, &o);
    if (st) return st;

    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    int status = 2;
    int err = 0;
    cg_module *m = NULL;
    cg_jit *jit = NULL;
    char *msg = NULL;
    pf_source *src = pf_source_from_file(&a, o.path, &err);
    if (!src) {
        fprintf(stderr, "pfc: cannot read '%s': %s\n", o.path, strerror(err));
        goto done;
    }
    ast_module *ast = parse_module(&a, &d, src);
    if (!ast || pf_diags_has_errors(&d)) {
        pf_diags_print(&d, stderr);
        goto done;
    }
    ir_module *prog = ir_build(&a, &d, ast, o.path);
    if (!prog || pf_diags_has_errors(&d)) {
        pf_diags_print(&d, stderr);
        goto done;
    }
    if (o.explain && !getenv("PF_NOPAR")) ir_par_analyze(prog, stderr);
    if (o.emit_ir) {
        ir_dump(prog, stdout);
        status = 0;
        goto done;
    }
    m = cg_compile(prog, &msg);
    if (!m || !cg_module_optimize(m, 2, &msg)) {
        fprintf(stderr, "pfc: %s\n", msg ? msg : "code generation failed");
        status = 2;
        goto done;
    }
    if (o.emit_llvm) {
        char *text = cg_module_print(m);
        if (text) fputs(text, stdout);
        cg_free_message(text);
        status = 0;
        goto done;
    }
    jit = cg_jit_new(&msg);
    if (!jit) {
        fprintf(stderr, "pfc: %s\n", msg ? msg : "cannot start the JIT");
        status = 2;
        goto done;
    }
    cg_module *mm = m;
    m = NULL; /* consumed by cg_jit_add */
    void *entry = NULL;
    if (!cg_jit_add(jit, mm, &msg) || !(entry = cg_jit_lookup(jit, CG_ENTRY_NAME, &msg))) {
        fprintf(stderr, "pfc: %s\n", msg ? msg : "JIT failed");
        status = 2;
        goto done;
    }
    fflush(stdout);
    status = run_entry((void (*)(pf_ctx *))entry, &o);
done:
    cg_free_message(msg);
    cg_module_free(m);
    cg_jit_free(jit);
    pf_arena_free(&a);
    return status;
}
