/* codegen's runtime entry-point table, tagged ORDER RTFN: every runtime function that compiled pf
 * code calls is listed here once, with its LLVM signature. Declarations in generated modules and the
 * JIT's absolute-symbol definitions (cg_llvm.c) are both derived from this table, and taking each
 * address here makes the linker keep every entry point in pfc and in the test programs. */
#include "codegen/cg_internal.h"

/* ORDER RTFN: name, address, return code, parameter codes, flags. */
static const cg_rt_symbol rt_table[] = {
    {"__pf_rtfn_sentinel", 0, "v", "", 0},
};

const cg_rt_symbol *cg_rt_symbols(size_t *n) {
    *n = sizeof rt_table / sizeof rt_table[0] - 1; /* the sentinel is not a symbol */
    return rt_table;
}
