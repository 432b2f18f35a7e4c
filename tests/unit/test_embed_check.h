/* Helpers of the embedding API tests (tests/unit/test_embed*.c) on top of check.h: a status check
 * that prints the pf_error (message, diagnostics, traceback) on a mismatch, and loading a module
 * or stopping the test. Uses only include/pf.h, as a host would. */
#ifndef PF_TEST_EMBED_CHECK_H
#define PF_TEST_EMBED_CHECK_H

#include <pf.h>

#include "check.h"

/* expr is a pf_status; on a mismatch print the error too. */
#define CHECK_STATUS(expr, want, err)                                                              \
    do {                                                                                           \
        pf_status got_ = (expr);                                                                   \
        if (got_ != (want)) {                                                                      \
            fprintf(stderr, "%s:%d: %s: expected %s but got %s: %s\n%s%s", __FILE__, __LINE__,      \
                    #expr, pf_status_name(want), pf_status_name(got_),                             \
                    (err)->message ? (err)->message : "", (err)->diagnostics ? (err)->diagnostics : "", \
                    (err)->traceback ? (err)->traceback : "");                                     \
            CHECK_FAILED();                                                                        \
        }                                                                                          \
    } while (0)

/* Loads src into rt or stops the test program (nothing else can be checked then). */
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

#endif
