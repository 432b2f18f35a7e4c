/* The assertions every C test shares (tests/unit, tests/stress, bench/runtime): each failed check
 * prints file:line, the expression and, for values, "expected ... but got ...". By default checks
 * count failures and the test goes on (main returns check_report()); a test whose later steps
 * cannot run after a failure (threads, pointers) defines CHECK_STOPS before including this header,
 * and then the first failed check exits with status 1. */
#ifndef PF_TEST_CHECK_H
#define PF_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int failures; /* checks may fail on several threads at once */

#ifdef CHECK_STOPS
#define CHECK_FAILED() exit(1)
#else
#define CHECK_FAILED() (void)failures++
#endif

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            CHECK_FAILED();                                                                        \
        }                                                                                          \
    } while (0)

#define CHECK_INT(got, want)                                                                       \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (g_ != w_) {                                                                            \
            fprintf(stderr, "%s:%d: %s: expected %lld but got %lld\n", __FILE__, __LINE__, #got,   \
                    w_, g_);                                                                       \
            CHECK_FAILED();                                                                        \
        }                                                                                          \
    } while (0)

/* NUL-terminated C strings; a NULL `got` is a failure. */
#define CHECK_TEXT(got, want)                                                                      \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (!g_ || strcmp(g_, w_) != 0) {                                                          \
            fprintf(stderr, "%s:%d: %s: expected\n  %s\nbut got\n  %s\n", __FILE__, __LINE__,      \
                    #got, w_, g_ ? g_ : "(null)");                                                 \
            CHECK_FAILED();                                                                        \
        }                                                                                          \
    } while (0)

/* main's exit status: 0, or 1 after printing how many checks failed. */
static inline int check_report(const char *test) {
    int n = failures;
    if (n) fprintf(stderr, "%s: %d failure(s)\n", test, n);
    return n ? 1 : 0;
}

#endif
