/* Type inference with specialisation: AST -> typed pf IR (ir/ir.h). Placeholder until the
 * inference lands: reports that type checking is not available. */
#include "ir/ir.h"

ir_module *ir_build(pf_arena *a, pf_diags *d, const ast_module *m, const char *path)
{
    (void)a; (void)path;
    pf_diag_error(d, m->src, 0, 0, "the type checker is not implemented yet");
    return NULL;
}

bool ir_check(pf_arena *a, pf_diags *d, const ast_module *m, const char *path)
{
    return ir_build(a, d, m, path) != NULL;
}
