/* The parser's interface: pf source -> syntax tree (parser/ast.h), syntax errors into pf_diags,
 * and a stable textual dump of the tree (`pfc parse --dump-ast`, golden tests).
 *
 * Typical use (driver, REPL, ir/ for imported files):
 *     pf_arena a; pf_arena_init(&a);
 *     pf_diags d; pf_diags_init(&d, &a);
 *     pf_source *src = pf_source_from_file(&a, path, &err);
 *     ast_module *m = parse_module(&a, &d, src);
 *     if (!m) { pf_diags_print(&d, stderr); ... exit status 2 }
 *     ... ir ...
 *     pf_arena_free(&a);    // tokens, tree, messages: everything at once */
#ifndef PF_PARSER_H
#define PF_PARSER_H

#include "parser/ast.h"

/* Limits (errors cite them): statement/expression nesting depth (the parser is recursive, so
 * this bounds its stack use) and the number of items in one list (arguments, elements, ...). */
#define PARSE_MAX_DEPTH 200
#define PARSE_MAX_ITEMS (1 << 20)

/* Lexes and parses a whole file. Returns the module, or NULL if any syntax error was reported
 * (all of them are in d: the parser recovers at statement boundaries and reports independent
 * errors, up to PF_DIAGS_MAX_ERRORS). Never crashes and never prints, whatever the input. */
ast_module *parse_module(pf_arena *a, pf_diags *d, const pf_source *src);

/* Writes the tree as indented S-expressions, one statement per line, e.g.
 *     (module
 *       (def f ((x) (y (int 1))) nil
 *         (return (binary + (name x) (name y)))))
 * Stable: golden tests compare it. */
void ast_dump(const ast_module *m, FILE *out);
/* One expression on one line, same notation. */
void ast_dump_expr(const ast_expr *e, FILE *out);

#endif
