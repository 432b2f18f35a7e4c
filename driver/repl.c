/* pfc repl (also `pfc` with no arguments): the interactive session of issue 8. Reads entries
 * (one line, or a block ended by an empty line), compiles each into one cg_session (codegen.h:
 * definitions and variables persist) and runs it on one runtime kept open across entries.
 * On a terminal: libedit editing, ~/.pf_history, prompts; Ctrl-C clears the line or interrupts
 * the running entry. Piped stdin: no prompts, exit status of the last failed entry (else 0). */
#include "codegen/codegen.h"
#include "driver/driver.h"
#include "runtime/launch/interrupt.h"
#include "runtime/launch/launch.h"
#include "parser/parser.h"
#include "runtime/runtime.h"

#include <editline/readline.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#ifndef PF_VERSION
#define PF_VERSION "0.0.0"
#endif

static const char help_text[] =
    "Type pf code (Python syntax, immutable values); an expression's value is echoed.\n"
    "A block (def, class, if, for, ...) ends with an empty line. Definitions and names persist.\n"
    "  :help          this text\n"
    "  :type EXPR     the inferred type of EXPR (nothing runs)\n"
    "  :time CODE     run CODE, then print compile and run times\n"
    "  :threads [N]   show, or restart the runtime with N worker threads\n"
    "  :load FILE     run FILE as one entry (its definitions persist)\n"
    "  :quit          leave (also Ctrl-D)\n"
    "Ctrl-C clears the line, or interrupts a running computation (the session is kept).\n";

typedef struct repl {
    cg_session *sess;
    rt_runtime *rt;
    int threads;        /* requested (0: the runtime's default) */
    intr_watch iw;      /* SIGINT during an entry (runtime/launch/interrupt.c); the runtime's hook ud */
    bool tty;           /* stdin is a terminal: prompts, editing, history */
    char *history;      /* ~/.pf_history, or NULL */
    int status;         /* exit status of the last failed entry, 0 if none failed */
    struct { char *s; size_t len, cap; } buf; /* the entry being read */
} repl;

/* ---- SIGINT on a terminal ------------------------------------------------------------------- */

/* On a terminal, SIGINT outside a run (at the prompt, while compiling) only sets got_sigint and
 * writes a byte to a self-pipe, so the select() of the line reader wakes up whichever thread took
 * the signal. The reader is libedit's callback interface, whose callback has no user pointer: the
 * line it delivers passes through rl_got. These statics are the prompt's, one per process, as the
 * terminal is. */
static volatile sig_atomic_t got_sigint;
static int sigint_pipe[2] = {-1, -1};
static struct { char *line; bool done; } rl_got;

static void on_sigint(int sig) {
    (void)sig;
    int saved = errno;
    got_sigint = 1;
    if (sigint_pipe[1] >= 0) {
        ssize_t n = write(sigint_pipe[1], "", 1);
        (void)n;
    }
    errno = saved;
}

static void drain_sigint(void) {
    char b[64];
    while (read(sigint_pipe[0], b, sizeof b) > 0) {
    }
    got_sigint = 0;
}

/* The terminal's SIGINT handling for the whole session (intr_start replaces it during runs and
 * restores it after). */
static bool watch_sigint(void) {
    if (pipe(sigint_pipe) != 0) return false;
    for (int i = 0; i < 2; i++) fcntl(sigint_pipe[i], F_SETFL, fcntl(sigint_pipe[i], F_GETFL) | O_NONBLOCK);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGINT, &sa, NULL) == 0;
}

/* ---- the runtime ---------------------------------------------------------------------------- */

static bool open_runtime(repl *r) {
    rt_options ro;
    rt_options_init(&ro);
    if (r->threads > 0) ro.threads = r->threads;
    ro.exc_interrupt = intr_exc_interrupt;
    ro.exc_release = launch_release_exc;
    ro.ud = &r->iw;
    r->rt = rt_open(&ro);
    if (!r->rt) fprintf(stderr, "pfc: cannot start the runtime's threads\n");
    return r->rt != NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Compiles and runs one entry; returns its status (0 ok, 1 uncaught exception, 2 compile error,
 * 130 interrupted) after printing what went wrong. */
static int run_entry(repl *r, const char *name, const char *text, size_t len, bool timed) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    char *msg = NULL;
    int st = 2;
    double t0 = now();
    const pf_source *src = pf_source_new(&a, name, text, len);
    cg_entry_opts o = {.echo = true};
    void *fn = src ? cg_session_compile(r->sess, &a, &d, src, &o, &msg) : NULL;
    double t1 = now();
    if (!fn) {
        if (pf_diags_has_errors(&d)) pf_diags_print(&d, stderr);
        else fprintf(stderr, "pfc: %s\n", msg ? msg : "the entry is too large");
        goto done;
    }
    if (got_sigint) { /* Ctrl-C while compiling: do not start it */
        drain_sigint();
        fputs("KeyboardInterrupt\n", stderr);
        cg_session_end(r->sess, false);
        st = 130;
        goto done;
    }
    fflush(stdout);
    intr_init(&r->iw, 0);
    struct pf_exc *exc = NULL;
    bool watching = intr_start(&r->iw, r->rt) == 0;
    rt_run(r->rt, launch_entry_main, fn, &exc);
    intr_reason why = watching ? intr_stop(&r->iw) : INTR_NONE;
    fflush(stdout);
    if (exc && exc != RT_EXC_INTERRUPTED) /* frames in kept definitions: where they were entered */
        for (int32_t i = 0; i < exc->nframes; i++) {
            const char *file;
            int32_t line;
            if (cg_session_origin(r->sess, exc->frames[i].line, &file, &line)) {
                exc->frames[i].file = file;
                exc->frames[i].line = line;
            }
        }
    st = intr_report(exc, why, 0);
    cg_session_end(r->sess, st == 0);
    if (timed) printf("compile %.1f ms, run %.6f s\n", 1e3 * (t1 - t0), now() - t1);
done:
    fflush(stdout);
    cg_free_message(msg);
    pf_arena_free(&a);
    if (st) r->status = st;
    return st;
}

static void show_type(repl *r, const char *expr) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    const pf_source *src = pf_source_new(&a, "<stdin>", expr, strlen(expr));
    const char *t = src ? cg_session_type(r->sess, &a, &d, src) : NULL;
    if (t) printf("%s\n", t);
    else {
        pf_diags_print(&d, stderr);
        r->status = 2;
    }
    fflush(stdout);
    pf_arena_free(&a);
}

static void load_file(repl *r, const char *path) {
    pf_arena a;
    pf_arena_init(&a);
    int err = 0;
    pf_source *src = pf_source_from_file(&a, path, &err);
    if (!src) {
        fprintf(stderr, "pfc: cannot read '%s': %s\n", path, strerror(err));
        r->status = 2;
    } else {
        run_entry(r, src->name, src->text, (size_t)src->len, false);
    }
    pf_arena_free(&a);
}

/* ---- commands ------------------------------------------------------------------------------- */

static const char *skip_space(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

static void print_threads(const repl *r) {
    int n = rt_threads(r->rt);
    printf("%d thread%s\n", n, n == 1 ? "" : "s");
}

/* `word` is the command (after ':'), arg what follows. Returns false for :quit. */
static bool command(repl *r, const char *line) {
    const char *p = line + 1;
    size_t n = strcspn(p, " \t\n");
    const char *arg = skip_space(p + n);
    char *argc = strdup(arg);
    size_t al = strlen(argc);
    while (al && (argc[al - 1] == '\n' || argc[al - 1] == ' ')) argc[--al] = 0;
#define IS(w) (n == strlen(w) && !strncmp(p, w, n))
    bool go_on = true;
    if (IS("quit") || IS("q") || IS("exit")) {
        go_on = false;
    } else if (IS("help") || IS("h") || IS("?")) {
        fputs(help_text, stdout);
    } else if (IS("type") || IS("t")) {
        if (!*argc) fputs("usage: :type EXPR\n", stderr);
        else show_type(r, argc);
    } else if (IS("time")) {
        if (!*argc) fputs("usage: :time CODE\n", stderr);
        else run_entry(r, "<stdin>", argc, al, true);
    } else if (IS("threads")) {
        char *end;
        long k = *argc ? strtol(argc, &end, 10) : 0;
        if (!*argc) {
            print_threads(r);
        } else if (*end || k < 1 || k > 256) {
            fprintf(stderr, ":threads: not a thread count: '%s'\n", argc);
            r->status = 2;
        } else {
            rt_close(r->rt);
            r->threads = (int)k;
            if (!open_runtime(r)) go_on = false;
            else print_threads(r);
        }
    } else if (IS("load") || IS("l")) {
        if (!*argc) fputs("usage: :load FILE\n", stderr);
        else load_file(r, argc);
    } else {
        fprintf(stderr, "unknown command ':%.*s' (:help lists the commands)\n", (int)n, p);
        r->status = 2;
    }
#undef IS
    fflush(stdout);
    free(argc);
    return go_on;
}

/* ---- reading lines -------------------------------------------------------------------------- */

static void on_line(char *line) {
    rl_got.line = line;
    rl_got.done = true;
    rl_callback_handler_remove();
}

/* One line without its newline (malloc'd), NULL at end of input; *cleared when Ctrl-C dropped it. */
static char *read_line(repl *r, const char *prompt, bool *cleared) {
    *cleared = false;
    if (!r->tty) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, stdin);
        if (n < 0) {
            free(line);
            return NULL;
        }
        if (n && line[n - 1] == '\n') line[n - 1] = 0;
        return line;
    }
    drain_sigint();
    rl_got.line = NULL;
    rl_got.done = false;
    rl_callback_handler_install(prompt, on_line);
    while (!rl_got.done) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(STDIN_FILENO, &fds);
        FD_SET(sigint_pipe[0], &fds);
        int top = sigint_pipe[0] > STDIN_FILENO ? sigint_pipe[0] : STDIN_FILENO;
        int n = select(top + 1, &fds, NULL, NULL, NULL);
        if (got_sigint) {
            drain_sigint();
            rl_callback_handler_remove();
            fputs("\nKeyboardInterrupt\n", stdout);
            fflush(stdout);
            *cleared = true;
            break;
        }
        if (n < 0 && errno != EINTR) {
            rl_callback_handler_remove();
            break;
        }
        if (n > 0 && FD_ISSET(STDIN_FILENO, &fds)) rl_callback_read_char();
    }
    if (rl_got.line && *rl_got.line) {
        add_history(rl_got.line);
        if (r->history) write_history(r->history);
    }
    return rl_got.line;
}

/* ---- entries -------------------------------------------------------------------------------- */

static bool blank(const char *s) { return *skip_space(s) == 0 || *skip_space(s) == '#'; }

static bool starts_word(const char *s, const char *w) {
    size_t n = strlen(w);
    return !strncmp(s, w, n) && !(s[n] == '_' || (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
                                  (s[n] >= '0' && s[n] <= '9'));
}

/* A line that opens a block: the entry then ends with an empty line (or a new unindented line). */
static bool compound(const char *s) {
    static const char *const kw[] = {"def", "class", "if", "for", "while", "try", "with", "extern", NULL};
    for (int i = 0; kw[i]; i++)
        if (starts_word(s, kw[i])) return true;
    return false;
}

/* A line that continues the block above it at column 0. */
static bool continues(const char *s) {
    return starts_word(s, "else") || starts_word(s, "elif") || starts_word(s, "except") || starts_word(s, "finally");
}

/* The entry so far ends inside brackets, a string or a block header without body. */
static bool incomplete(const repl *r) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    const pf_source *src = pf_source_new(&a, "<stdin>", r->buf.s, r->buf.len);
    bool inc = false;
    if (src) {
        parse_module(&a, &d, src);
        inc = d.incomplete;
    }
    pf_arena_free(&a);
    return inc;
}

static void buf_add(repl *r, const char *line) {
    size_t n = strlen(line);
    if (r->buf.len + n + 2 > r->buf.cap) {
        size_t nc = (r->buf.len + n + 2) * 2;
        char *s = realloc(r->buf.s, nc);
        if (!s) abort();
        r->buf.s = s;
        r->buf.cap = nc;
    }
    memcpy(r->buf.s + r->buf.len, line, n);
    r->buf.len += n;
    r->buf.s[r->buf.len++] = '\n';
    r->buf.s[r->buf.len] = 0;
}

static void flush_entry(repl *r) {
    if (r->buf.len) run_entry(r, "<stdin>", r->buf.s, r->buf.len, false);
    r->buf.len = 0;
}

static void loop(repl *r) {
    bool block = false; /* the entry is a block: it ends at an empty line */
    for (;;) {
        bool cleared;
        char *line = read_line(r, r->buf.len ? "... " : ">>> ", &cleared);
        if (cleared) {
            r->buf.len = 0;
            continue;
        }
        if (!line) {
            if (r->tty) fputc('\n', stdout);
            flush_entry(r);
            return;
        }
        if (r->buf.len && block) {
            if (blank(line) && r->tty && !incomplete(r)) {
                free(line);
                flush_entry(r);
                continue;
            }
            if (!blank(line) && line[0] != ' ' && line[0] != '\t' && !continues(line) && !incomplete(r))
                flush_entry(r); /* a new statement after the block (pasted code, scripts) */
        }
        if (!r->buf.len) {
            if (blank(line)) {
                free(line);
                continue;
            }
            if (line[0] == ':') {
                bool go_on = command(r, line);
                free(line);
                if (!go_on) return;
                continue;
            }
            block = compound(line);
        }
        buf_add(r, line);
        free(line);
        if (!block && !incomplete(r)) flush_entry(r);
    }
}

/* ---- pfc repl ------------------------------------------------------------------------------- */

/* Prints "pfc repl: <problem>" (none if fmt is NULL: already printed) and the usage line. */
static int usage(const char *fmt, const char *arg) {
    if (fmt) {
        fputs("pfc repl: ", stderr);
        fprintf(stderr, fmt, arg);
        fputc('\n', stderr);
    }
    fputs("usage: pfc repl [--threads N]\n", stderr);
    return 2;
}

int driver_repl(int argc, char **argv) {
    repl R;
    memset(&R, 0, sizeof R);
    repl *r = &R;
    launch_opts lo; /* the run options' one parser; the REPL takes --threads only */
    memset(&lo, 0, sizeof lo);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int k = launch_parse_opt(argc, argv, &i, &lo, "pfc repl");
        if (k < 0) return usage(NULL, NULL); /* the problem is printed */
        if (k == 0 || lo.timeout || lo.stats || lo.workspan || lo.trace) return usage("unknown argument '%s'", a);
    }
    r->threads = lo.threads;
    char *msg = NULL;
    r->sess = cg_session_new(&msg);
    if (!r->sess) {
        fprintf(stderr, "pfc: %s\n", msg ? msg : "cannot start the JIT");
        cg_free_message(msg);
        return 2;
    }
    if (!open_runtime(r)) {
        cg_session_free(r->sess);
        return 2;
    }
    r->tty = isatty(STDIN_FILENO) && watch_sigint();
    if (r->tty) {
        const char *home = getenv("HOME");
        if (home && *home) {
            size_t n = strlen(home) + 16;
            r->history = malloc(n);
            if (r->history) snprintf(r->history, n, "%s/.pf_history", home);
        }
        using_history();
        stifle_history(1000);
        if (r->history) {
            if (read_history(r->history) != 0) write_history(r->history); /* create it */
        }
        printf("pf %s (%d %s). Type :help for help, Ctrl-D to leave.\n", PF_VERSION, rt_threads(r->rt),
               rt_threads(r->rt) == 1 ? "thread" : "threads");
        fflush(stdout);
    }
    loop(r);
    if (r->history) history_truncate_file(r->history, 1000);
    free(r->history);
    free(r->buf.s);
    rt_close(r->rt);
    cg_session_free(r->sess);
    if (r->tty) {
        signal(SIGINT, SIG_DFL);
        close(sigint_pipe[0]);
        close(sigint_pipe[1]);
    }
    return r->tty ? 0 : r->status;
}
