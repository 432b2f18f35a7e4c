/* The parser (parser/parser.h): recursive descent over statements, a Pratt table for
 * expressions. Temporary stub returning an empty module (being written). */
#include "parser/parser.h"

ast_module *parse_module(pf_arena *a, pf_diags *d, const pf_source *src) {
    lex_token_list toks = lex_source(a, d, src);
    (void)toks;
    if (pf_diags_has_errors(d))
        return NULL;
    ast_module *m = pf_arena_alloc(a, sizeof *m);
    m->src = src;
    return m;
}

void ast_dump(const ast_module *m, FILE *out) { (void)m; fputs("(module)\n", out); }
void ast_dump_expr(const ast_expr *e, FILE *out) { (void)e; fputs("nil", out); }
