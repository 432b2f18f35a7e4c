/* Shared assertions for the embedding API tests (tests/unit/test_embed*.c): each check prints the
 * expression and the expected and actual values and counts failures; a failed pf call prints its
 * pf_error (message, diagnostics, traceback). Uses only include/pf.h, as a host would. */
#ifndef PF_TEST_EMBED_CHECK_H
#define PF_TEST_EMBED_CHECK_H

#include <pf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                                  \
    do {                                                                                             \
        if (!(cond)) {                                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                 \
            failures++;                                                                              \
        }                                                                                            \
    } while (0)

#define CHECK_INT(expr, want)                                                                        \
    do {                                                                                             \
        long long got_ = (long long)(expr), want_ = (long long)(want);                              \
        if (got_ != want_) {                                                                         \
            fprintf(stderr, "%s:%d: %s: expected %lld but got %lld\n", __FILE__, __LINE__, #expr,     \
                    want_, got_);                                                                    \
            failures++;                                                                              \
        }                                                                                            \
    } while (0)

#define CHECK_STR(expr, want)                                                                        \
    do {                                                                                             \
        const char *got_ = (expr), *want_ = (want);                                                 \
        if (!got_ || strcmp(got_, want_) != 0) {                                                     \
            fprintf(stderr, "%s:%d: %s: expected \"%s\" but got \"%s\"\n", __FILE__, __LINE__, #expr, \
                    want_, got_ ? got_ : "(null)");                                                  \
            failures++;                                                                              \
        }                                                                                            \
    } while (0)

/* expr is a pf_status; on a mismatch print the error too. */
#define CHECK_STATUS(expr, want, err)                                                                \
    do {                                                                                             \
        pf_status got_ = (expr);                                                                     \
        if (got_ != (want)) {                                                                        \
            fprintf(stderr, "%s:%d: %s: expected %s but got %s: %s\n%s%s", __FILE__, __LINE__, #expr, \
                    pf_status_name(want), pf_status_name(got_), (err)->message ? (err)->message : "", \
                    (err)->diagnostics ? (err)->diagnostics : "", (err)->traceback ? (err)->traceback : ""); \
            failures++;                                                                              \
        }                                                                                            \
    } while (0)

/* Loads src into rt or fails the test program at once (nothing else can be checked then). */
static inline pf_module *load_or_die(pf_runtime *rt, const char *name, const char *src) {
    pf_error err = {0};
    pf_module *m = pf_load_string(rt, name, src, &err);
    if (!m) {
        fprintf(stderr, "cannot load %s: %s\n%s%s", name, err.message ? err.message : "",
                err.diagnostics ? err.diagnostics : "", err.traceback ? err.traceback : "");
        exit(1);
    }
    return m;
}

static inline int report(const char *name) {
    if (failures) fprintf(stderr, "%s: %d failure(s)\n", name, failures);
    else printf("%s: ok\n", name);
    return failures != 0;
}

#endif
