/* Shared assertions for the runtime value tests (tests/unit/test_value_*.c): each check prints
 * the expression, the expected and the actual value, and counts failures; leak checks compare
 * glibc's count of allocated bytes before and after (mallinfo2), so no runtime global is needed. */
#ifndef PF_TEST_VALUE_CHECK_H
#define PF_TEST_VALUE_CHECK_H

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/value.h"

#include "check.h"

/* Consumes the pf_str produced by expr (NULL counts as a failure, and clears a pending error). */
#define CHECK_STR(ctx, expr, want) check_str((ctx), (expr), (want), #expr, __FILE__, __LINE__)

static inline void check_str(pf_ctx *ctx, pf_str *s, const char *want, const char *what, const char *file,
                             int line) {
    if (!s) {
        fprintf(stderr, "%s:%d: %s: expected \"%s\" but got NULL (%s)\n", file, line, what, want,
                ctx->exc ? rt_exc_name(ctx->exc->kind) : "no exception");
        failures++;
        rt_exc_clear(ctx);
        return;
    }
    if ((size_t)s->len != strlen(want) || memcmp(s->data, want, strlen(want)) != 0) {
        fprintf(stderr, "%s:%d: %s: expected \"%s\" but got \"%s\"\n", file, line, what, want, s->data);
        failures++;
    }
    int ascii = 1;
    int64_t ncp = 0;
    for (int64_t i = 0; i < s->len; i++) {
        if ((unsigned char)s->data[i] >= 0x80) ascii = 0;
        if (((unsigned char)s->data[i] & 0xC0) != 0x80) ncp++;
    }
    if (s->ncp != ncp || (!!(s->h.flags & PF_F_ASCII)) != ascii) {
        fprintf(stderr, "%s:%d: %s: bad ncp %lld (want %lld) or ASCII flag\n", file, line, what,
                (long long)s->ncp, (long long)ncp);
        failures++;
    }
    rt_decref(&s->h);
}

/* Expect a pending exception of `kind` whose message is `msg` (NULL: do not check); clears it. */
#define CHECK_RAISED(ctx, kind, msg) check_raised((ctx), (kind), (msg), __FILE__, __LINE__)

static inline void check_raised(pf_ctx *ctx, int kind, const char *msg, const char *file, int line) {
    if (!ctx->exc) {
        fprintf(stderr, "%s:%d: expected %s, nothing raised\n", file, line, rt_exc_name(kind));
        failures++;
        return;
    }
    if (ctx->exc->kind != kind) {
        fprintf(stderr, "%s:%d: expected %s, got %s\n", file, line, rt_exc_name(kind), rt_exc_name(ctx->exc->kind));
        failures++;
    } else if (msg && (!ctx->exc->msg || strcmp(ctx->exc->msg->data, msg) != 0)) {
        fprintf(stderr, "%s:%d: %s: expected message \"%s\" but got \"%s\"\n", file, line, rt_exc_name(kind), msg,
                ctx->exc->msg ? ctx->exc->msg->data : "(none)");
        failures++;
    }
    rt_exc_clear(ctx);
}

/* Bytes allocated from libc, after returning the runtime's cached free blocks to it. */
static inline size_t heap_in_use(void) {
    rt_alloc_flush();
    return mallinfo2().uordblks;
}

/* glibc's per-thread cache keeps freed chunks counted as in use; restart the test once with the
 * cache disabled so heap_in_use() is exact. Call first thing in main(). */
static inline void exact_heap_accounting(char **argv) {
    const char *t = getenv("GLIBC_TUNABLES");
    if (!t || !strstr(t, "tcache_count=0")) {
        setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
        execv("/proc/self/exe", argv);
        /* exec failed: carry on; a leak report may then be a false alarm */
    }
}

/* Under AddressSanitizer mallinfo2 reports nothing useful; LeakSanitizer checks leaks instead. */
#define CHECK_NO_LEAK(before)                                                                        \
    do {                                                                                             \
        size_t now_ = heap_in_use();                                                                 \
        if (now_ != (before)) {                                                                      \
            fprintf(stderr, "%s:%d: leak: %zu bytes in use before, %zu after\n", __FILE__, __LINE__, \
                    (size_t)(before), now_);                                                         \
            failures++;                                                                              \
        }                                                                                            \
    } while (0)

/* The whole main of a value test: `run` once to warm libc up (stdio, locale, pthreads), then again
 * counting heap bytes around it, so a leak is a failure. Returns the exit status. */
static inline int run_checking_leaks(const char *test, char **argv, void (*run)(void)) {
    exact_heap_accounting(argv);
    run();
    size_t heap0 = heap_in_use();
    run();
    CHECK_NO_LEAK(heap0);
    return check_report(test);
}

#endif
