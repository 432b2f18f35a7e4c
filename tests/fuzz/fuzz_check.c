/* libFuzzer target over the front end and the type checker: parse any bytes and, when they
 * parse, run ir_check (name resolution, inference, checks). No input may crash, hang or leak
 * in either. Built by tests/fuzz/build.sh check, replayed by the fuzz/check_replay ctest. */
#include "ir/ir.h"
#include "parser/parser.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    pf_source *src = pf_source_new(&a, "fuzz.pf", (const char *)data, size);
    if (src) {
        ast_module *m = parse_module(&a, &d, src);
        if (m)
            ir_check(&a, &d, m, "fuzz.pf");
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        if (out) {
            pf_diags_print(&d, out);
            fclose(out);
            free(buf);
        }
    }
    pf_arena_free(&a);
    return 0;
}
