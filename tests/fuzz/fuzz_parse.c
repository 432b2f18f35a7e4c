/* libFuzzer target over the front end: lex + parse any bytes, then print the diagnostics and
 * dump the tree (to a memory stream), so the printer and dumper are exercised too. No input
 * may crash, hang or leak. Built with clang -fsanitize=fuzzer,address by tests/fuzz/build.sh,
 * and linked with tests/fuzz/replay.c into the normal build's corpus-replay test. */
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
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        if (out) {
            pf_diags_print(&d, out);
            if (m)
                ast_dump(m, out);
            fclose(out);
            free(buf);
        }
    }
    pf_arena_free(&a);
    return 0;
}
