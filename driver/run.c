/* pfc run: the `run` command. Reads a .pf file, lexes and parses it, builds and checks the typed
 * IR, lowers it to LLVM (codegen/), JIT-compiles it and runs its entry on a pf_ctx; prints
 * diagnostics (exit 2) or an uncaught exception's traceback (exit 1), flushes output, exits 0.
 * Options: --threads N, --timeout S, --stats, --workspan (with --stats: work, span, parallelism),
 * --trace F (Chrome trace JSON), --emit-ir, --emit-llvm, --explain (parallelism decisions on
 * stderr, ir/par.c), --no-par (same as PF_NOPAR=1). */
#include "codegen/codegen.h"
#include "driver/driver.h"
#include "ir/ir.h"
#include "runtime/launch/launch.h"
#include "parser/parser.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run_opts {
    const char *path;
    launch_opts run; /* --threads, --timeout, --stats, --workspan, --trace (runtime/launch/launch.h) */
    bool emit_ir, emit_llvm, explain;
    int argc; /* program arguments after FILE */
    char **argv;
} run_opts;

static int usage_line(void) {
    fputs("usage: pfc run [--threads N] [--timeout S] [--emit-ir] [--emit-llvm] [--stats] [--workspan] [--trace F] [--explain] [--no-par] FILE [args]\n", stderr);
    return 2;
}

static int usage(const char *fmt, const char *arg) {
    fputs("pfc run: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return usage_line();
}

static int parse_opts(int argc, char **argv, run_opts *o) {
    memset(o, 0, sizeof *o);
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        int r = launch_parse_opt(argc, argv, &i, &o->run, "pfc run");
        if (r < 0) return usage_line(); /* the problem is printed */
        if (r > 0) continue;
        if (strcmp(a, "--emit-ir") == 0) {
            o->emit_ir = true;
        } else if (strcmp(a, "--emit-llvm") == 0) {
            o->emit_llvm = true;
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
    if (!cg_jit_add_externs(jit, prog, &d)) { /* a missing C symbol or library */
        pf_diags_print(&d, stderr);
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
    o.run.argc = o.argc + 1; /* sys.argv: FILE, then the program's arguments (as python3 gives) */
    o.run.argv = o.argv - 1;
    status = launch_run((void (*)(pf_ctx *))entry, &o.run);
done:
    cg_free_message(msg);
    cg_module_free(m);
    cg_jit_free(jit);
    pf_arena_free(&a);
    return status;
}
