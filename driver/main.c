/* pfc's entry point: command-line dispatch, --help/--version, and the front-end commands
 * `check` (parse, then type-check) and `parse --dump-ast`. run/build/repl live in
 * C files in driver/ (driver/driver.h). Exit status: 0 ok, 2 compile or usage error. */
#include "driver/driver.h"
#include "ir/ir.h"
#include "parser/parser.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef PF_VERSION
#define PF_VERSION "0.0.0"
#endif

static const char usage_text[] =
    "usage: pfc <command> [options] [FILE] [args...]\n"
    "\n"
    "commands:\n"
    "  run FILE [args]        compile FILE with LLVM and run it\n"
    "  build FILE [-o PROG]   compile FILE to a native executable PROG (default: FILE without .pf)\n"
    "  check FILE             parse and type-check FILE only (exit 0, or 2 with diagnostics)\n"
    "  parse --dump-ast FILE  print FILE's syntax tree (--dump-tokens: its tokens)\n"
    "  repl [--threads N]     interactive prompt (also: pfc with no arguments; :help inside)\n"
    "\n"
    "options of run:\n"
    "  --threads N            number of worker threads (default: all cores; PF_THREADS)\n"
    "  --timeout SECONDS      stop the program after SECONDS (exit 124)\n"
    "  --stats                print scheduler statistics at exit\n"
    "  --trace FILE           write a Chrome trace of the run to FILE\n"
    "  --emit-ir              print the typed pf IR instead of running\n"
    "  --emit-llvm            print the optimised LLVM IR instead of running\n"
    "  --explain              say which loops and calls run in parallel, and why others do not\n"
    "  --no-par               run everything sequentially (as PF_NOPAR=1)\n"
    "  --workspan             with --stats: measure work, span and parallelism (PF_WORKSPAN=1)\n"
    "\n"
    "options of build:\n"
    "  -o PROG                the executable to write (nothing is written after a compile error)\n"
    "  -O0 .. -O3             optimisation level (default -O2, as run)\n"
    "  --static-runtime       link the C library statically too: a fully static executable\n"
    "                         (the pf runtime is always linked statically)\n"
    "  --no-par               compile everything sequentially\n"
    "  PROG takes --threads N, --timeout S, --stats, --workspan, --trace F before its own\n"
    "  arguments and behaves exactly as `pfc run FILE`\n"
    "  (every valued option may also be written --threads=N)\n"
    "\n"
    "general options:\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "exit status: 0 ok, 1 uncaught runtime error, 2 compile or usage error,\n"
    "             124 timeout, 130 interrupted\n";

static int usage_error(const char *fmt, const char *arg) {
    fputs("pfc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nusage: pfc <command> [options] [FILE]  (see pfc --help)\n", stderr);
    return 2;
}

/* One argument of `check`/`parse` that is not one of their flags: the FILE (only one), else a
 * usage error ("<cmd>: unknown option", "<cmd>: more than one file given"). Returns 0 or 2. */
static int file_arg(const char *cmd, const char *a, const char **path) {
    char fmt[64];
    if (a[0] == '-' && a[1] != 0) snprintf(fmt, sizeof fmt, "%s: unknown option '%%s'", cmd);
    else if (*path) snprintf(fmt, sizeof fmt, "%s: more than one file given ('%%s')", cmd);
    else {
        *path = a;
        return 0;
    }
    return usage_error(fmt, a);
}

/* Reads and parses path into a; on failure prints the diagnostics (or a one-line error for an
 * unreadable file) and returns NULL. */
static ast_module *load_and_parse(pf_arena *a, pf_diags *d, const char *path) {
    int err = 0;
    pf_source *src = pf_source_from_file(a, path, &err);
    if (!src) {
        fprintf(stderr, "pfc: cannot read '%s': %s\n", path, strerror(err));
        return NULL;
    }
    ast_module *m = parse_module(a, d, src);
    if (!m || pf_diags_has_errors(d)) {
        pf_diags_print(d, stderr);
        return NULL;
    }
    return m;
}

/* pfc check FILE */
static int cmd_check(int argc, char **argv) {
    const char *path = NULL;
    for (int i = 1; i < argc; i++)
        if (file_arg("check", argv[i], &path)) return 2;
    if (!path)
        return usage_error("check: %sno file given", "");
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    int status = 0;
    ast_module *m = load_and_parse(&a, &d, path);
    if (!m) {
        status = 2;
    } else {
        /* IR: name resolution, inference, mutation checks */
        if (!ir_check(&a, &d, m, path)) {
            pf_diags_print(&d, stderr);
            if (!pf_diags_has_errors(&d)) /* never silent: exit 2 always comes with a reason */
                fprintf(stderr, "pfc: internal error: type check failed without a diagnostic\n");
            status = 2;
        }
    }
    pf_arena_free(&a);
    return status;
}

/* One token per line: position, kind, and its text or decoded value. */
static void dump_token(const lex_token *t, FILE *out) {
    fprintf(out, "%d:%d %s", t->line, t->col, lex_kind_name(t->kind));
    switch (t->kind) {
    case TK_NAME: fprintf(out, " %s", t->v.name); break;
    case TK_INT: fprintf(out, " %llu", (unsigned long long)t->v.i); break;
    case TK_FLOAT: fprintf(out, " %.17g", t->v.f); break;
    case TK_STRING:
    case TK_FSTRING_MIDDLE:
        fputs(" \"", out);
        for (int32_t i = 0; i < t->v.str.n; i++) {
            unsigned char c = (unsigned char)t->v.str.s[i];
            if (c == '\n') fputs("\\n", out);
            else if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
            else if (c < 0x20 || c == 0x7f) fprintf(out, "\\x%02x", c);
            else fputc(c, out);
        }
        fputc('"', out);
        break;
    default: break;
    }
    fputc('\n', out);
}

/* pfc parse [--dump-ast | --dump-tokens] FILE */
static int cmd_parse(int argc, char **argv) {
    const char *path = NULL;
    bool dump = false, tokens = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dump-ast") == 0)
            dump = true;
        else if (strcmp(argv[i], "--dump-tokens") == 0)
            tokens = true;
        else if (file_arg("parse", argv[i], &path))
            return 2;
    }
    if (!path)
        return usage_error("parse: %sno file given", "");
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    if (tokens) {
        int err = 0;
        pf_source *src = pf_source_from_file(&a, path, &err);
        if (!src) {
            fprintf(stderr, "pfc: cannot read '%s': %s\n", path, strerror(err));
            pf_arena_free(&a);
            return 2;
        }
        lex_token_list toks = lex_source(&a, &d, src);
        for (int32_t i = 0; i < toks.len; i++)
            dump_token(&toks.items[i], stdout);
        pf_diags_print(&d, stderr);
        int status = pf_diags_has_errors(&d) ? 2 : 0;
        pf_arena_free(&a);
        return status;
    }
    ast_module *m = load_and_parse(&a, &d, path);
    if (m && dump)
        ast_dump(m, stdout);
    pf_arena_free(&a);
    return m ? 0 : 2;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return driver_repl(1, (char *[]){"repl", NULL});
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("pfc %s\n", PF_VERSION);
        return 0;
    }
    for (int i = 2; i < argc; i++) {
        /* `pfc run --help` etc.: the general help covers every command's options. */
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(cmd, "run") == 0 && argv[i][0] != '-')
            break; /* the program's own arguments follow the file */
    }
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "parse") == 0)
        return cmd_parse(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return driver_run(argc - 1, argv + 1);
    if (strcmp(cmd, "build") == 0)
        return driver_build(argc - 1, argv + 1);
    if (strcmp(cmd, "repl") == 0)
        return driver_repl(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return usage_error("unknown option '%s'", cmd);
    return usage_error("unknown command '%s'", cmd);
}
