/* Unit tests of the parser API (parser/parser.h) beyond the golden dumps in tests/lang/syntax:
 * node positions (op_line/op_col), error recovery reporting several independent errors, the
 * `incomplete` flag the REPL relies on, and that partial input never yields a module. */
#include "parser/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

typedef struct result {
    pf_arena a;
    pf_diags d;
    ast_module *m;
} result;

static void parse(result *r, const char *text) {
    pf_arena_init(&r->a);
    pf_diags_init(&r->d, &r->a);
    pf_source *src = pf_source_new(&r->a, "t.pf", text, strlen(text));
    r->m = parse_module(&r->a, &r->d, src);
}

static void test_positions(void) {
    result r;
    parse(&r, "def f(a, b=2):\n    return a  +  b * f(a)[0].x\n");
    CHECK(r.m && r.d.nerrors == 0);
    ast_stmt *def = r.m->body.items[0];
    CHECK(def->kind == AST_DEF && def->line == 1 && def->col == 1);
    CHECK(def->u.def.params.len == 2 && def->u.def.params.items[1].default_ &&
          def->u.def.params.items[1].col == 10);
    ast_stmt *ret = def->u.def.body.items[0];
    CHECK(ret->kind == AST_RETURN && ret->line == 2 && ret->col == 5);
    ast_expr *add = ret->u.return_.value;
    CHECK(add->kind == AST_BINARY && add->u.binary.op == AST_ADD);
    CHECK(add->line == 2 && add->col == 12 && add->op_col == 15);
    ast_expr *mul = add->u.binary.right;
    CHECK(mul->kind == AST_BINARY && mul->u.binary.op == AST_MUL && mul->col == 18);
    ast_expr *attr = mul->u.binary.right;
    CHECK(attr->kind == AST_ATTR && attr->col == 22 && attr->op_col == 30);
    ast_expr *sub = attr->u.attr.value;
    CHECK(sub->kind == AST_SUBSCRIPT && sub->op_col == 26);
    CHECK(sub->u.subscript.value->kind == AST_CALL && sub->u.subscript.value->op_col == 23);
    pf_arena_free(&r.a);
}

static void test_recovery(void) {
    result r;
    parse(&r, "a = 1 +\nb = 2\nc = * 3\nd = (\ndef f(:\n    pass\ne = 4\nf() = 5\n");
    CHECK(r.m == NULL);
    CHECK(r.d.nerrors == 5);
    int lines[] = {1, 3, 4, 5, 8};
    for (int i = 0; i < 5 && i < r.d.len; i++)
        CHECK(r.d.items[i].line == lines[i]);
    pf_arena_free(&r.a);
}

static void test_incomplete(void) {
    const char *partial[] = {"def f(x):\n", "x = (1 +\n", "s = '''abc\n", "if x:\n    y = [1,\n",
                             "x = 1 + \\\n", "x = c\n\\\n"};
    for (size_t i = 0; i < sizeof partial / sizeof partial[0]; i++) {
        result r;
        parse(&r, partial[i]);
        if (r.m || !r.d.incomplete) {
            fprintf(stderr, "test_parser.c: %s should be incomplete (m=%p incomplete=%d)\n",
                    partial[i], (void *)r.m, r.d.incomplete);
            failures++;
        }
        pf_arena_free(&r.a);
    }
    const char *wrong[] = {"x = )\n", "def f(:\n    pass\n", "1 = x\n"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        result r;
        parse(&r, wrong[i]);
        if (r.m || r.d.incomplete) {
            fprintf(stderr, "test_parser.c: %s is an error, not incomplete\n", wrong[i]);
            failures++;
        }
        pf_arena_free(&r.a);
    }
}

static void test_structures(void) {
    result r;
    parse(&r, "\"\"\"doc\"\"\"\nx = [y for a in b if c if d for y in a]\nif a:\n    pass\nelif b:\n"
              "    pass\nelse:\n    pass\n");
    CHECK(r.m && r.m->docstring && strcmp(r.m->docstring, "doc") == 0);
    ast_expr *lc = r.m->body.items[1]->u.assign.value;
    CHECK(lc->kind == AST_LISTCOMP && lc->u.comp.fors.len == 2 &&
          lc->u.comp.fors.items[0].ifs.len == 2 && lc->u.comp.fors.items[1].ifs.len == 0);
    ast_stmt *ifs = r.m->body.items[2];
    CHECK(ifs->kind == AST_IF && !ifs->u.if_.is_elif && ifs->u.if_.orelse.len == 1);
    ast_stmt *elif = ifs->u.if_.orelse.items[0];
    CHECK(elif->kind == AST_IF && elif->u.if_.is_elif && elif->u.if_.orelse.len == 1 &&
          elif->u.if_.orelse.items[0]->kind == AST_PASS);
    pf_arena_free(&r.a);
}

/* Memory is linear in the input: a regression test for string literals that once reserved the
 * rest of the file each (quadratic; a 2 MB file exhausted memory). */
static void test_memory_linear(void) {
    const char *line = "s = 'abc' + f\"{x!r:>10}\" + \"\"\"doc\"\"\"\n";
    size_t n = strlen(line), count = 20000;
    char *text = malloc(n * count + 1);
    for (size_t i = 0; i < count; i++)
        memcpy(text + i * n, line, n);
    text[n * count] = 0;
    result r;
    parse(&r, text);
    CHECK(r.m && r.m->body.len == (int32_t)count);
    size_t per_byte = r.a.total / (n * count);
    if (per_byte > 400) { /* ~100 expected: tokens and nodes are tens of bytes each */
        fprintf(stderr, "test_parser.c: %zu arena bytes per source byte\n", per_byte);
        failures++;
    }
    pf_arena_free(&r.a);
    free(text);
}

int main(void) {
    test_memory_linear();
    test_positions();
    test_recovery();
    test_incomplete();
    test_structures();
    return check_report("test_parser");
}
