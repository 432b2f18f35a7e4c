/* Unit test of codegen's IR lowering without the front end: builds small typed IR modules by hand
 * (fib with recursion, a list comprehension with a generator sum, a caught and an uncaught
 * ZeroDivisionError), compiles them with cg_compile, runs pf_main in the JIT and compares the
 * program's output (stdout captured through a temporary file) and exceptions. */
#include "codegen/codegen.h"
#include "ir/ir.h"
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "check.h"

/* ---- a tiny IR builder (the arena is just calloc; freed in bulk at exit by the OS is not ok
 * under LSan, so every node goes on one list) ---------------------------------------------------- */
static void *pool[4096];
static int npool;
static void *mk(size_t n) {
    void *p = calloc(1, n);
    pool[npool++] = p;
    return p;
}
static void pool_free(void) {
    while (npool) free(pool[--npool]);
}

static ir_type T_INT = {.kind = IR_T_INT, .id = 0, .str = "int"};
static ir_type T_NONE = {.kind = IR_T_NONE, .id = 1, .str = "None"};
static ir_type T_STR = {.kind = IR_T_STR, .id = 2, .str = "str"};
static ir_type T_BOOL = {.kind = IR_T_BOOL, .id = 3, .str = "bool"};
static ir_type *LIST_INT_ELEMS[1] = {&T_INT};
static ir_type T_LIST_INT = {.kind = IR_T_LIST, .id = 4, .n = 1, .elems = LIST_INT_ELEMS, .str = "list[int]"};
static ir_type T_FLOAT = {.kind = IR_T_FLOAT, .id = 5, .str = "float"};
static ir_type *TYPES[] = {&T_INT, &T_NONE, &T_STR, &T_BOOL, &T_LIST_INT, &T_FLOAT};

static ir_expr *ex(ir_expr_kind k, ir_type *t, int n) {
    ir_expr *e = mk(sizeof *e);
    e->kind = k;
    e->type = t;
    e->line = 1;
    e->nargs = n;
    e->args = n ? mk(sizeof(ir_expr *) * (size_t)n) : NULL;
    return e;
}
static ir_expr *eint(int64_t v) {
    ir_expr *e = ex(IR_E_INT, &T_INT, 0);
    e->ival = v;
    return e;
}
static ir_expr *elocal(ir_local *l) {
    ir_expr *e = ex(IR_E_LOCAL, l->type, 0);
    e->local = l;
    return e;
}
static ir_expr *ebin(ir_op op, ir_type *t, ir_expr *a, ir_expr *b) {
    ir_expr *e = ex(IR_E_BINARY, t, 2);
    e->op = op;
    e->args[0] = a;
    e->args[1] = b;
    return e;
}
static ir_expr *eprint(ir_expr *v) {
    ir_expr *e = ex(IR_E_OP, &T_NONE, 4); /* sep, end, flush absent */
    e->op = IR_OP_PRINT;
    e->args[3] = v;
    return e;
}
static ir_stmt *st(ir_stmt_kind k, int line) {
    ir_stmt *s = mk(sizeof *s);
    s->kind = k;
    s->line = line;
    return s;
}
static void push(ir_block *b, ir_stmt *s) {
    if (b->len == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 8;
        ir_stmt **items = mk(sizeof(ir_stmt *) * (size_t)b->cap);
        if (b->len) memcpy(items, b->items, sizeof(ir_stmt *) * (size_t)b->len);
        b->items = items;
    }
    b->items[b->len++] = s;
}
static ir_stmt *sexpr(ir_expr *e, int line) {
    ir_stmt *s = st(IR_S_EXPR, line);
    s->expr = e;
    return s;
}
static ir_local *local(ir_func *f, const char *name, ir_type *t, bool param) {
    ir_local *l = mk(sizeof *l);
    l->name = name;
    l->type = t;
    l->is_param = param;
    l->id = f->nlocals;
    ir_local **ls = mk(sizeof(ir_local *) * (size_t)(f->nlocals + 1));
    if (f->nlocals) memcpy(ls, f->locals, sizeof(ir_local *) * (size_t)f->nlocals);
    ls[f->nlocals++] = l;
    f->locals = ls;
    return l;
}

/* Runs the module and returns its stdout (malloc'd); *exc_kind gets the uncaught exception's kind. */
static char *run_module(ir_module *m, int *exc_kind) {
    char *err = NULL;
    cg_module *cm = cg_compile(m, &err);
    if (!cm || !cg_module_optimize(cm, 2, &err)) {
        fprintf(stderr, "compile failed: %s\n", err ? err : "?");
        cg_free_message(err);
        if (cm) cg_module_free(cm);
        failures++;
        return strdup("");
    }
    cg_jit *j = cg_jit_new(&err);
    void (*entry)(pf_ctx *) = NULL;
    if (j && cg_jit_add(j, cm, &err)) entry = (void (*)(pf_ctx *))cg_jit_lookup(j, CG_ENTRY_NAME, &err);
    if (!entry) {
        fprintf(stderr, "jit failed: %s\n", err ? err : "?");
        cg_free_message(err);
        cg_jit_free(j);
        failures++;
        return strdup("");
    }
    pf_ctx ctx;
    char *out = run_captured(entry, &ctx);
    *exc_kind = 0;
    if (ctx.exc) {
        *exc_kind = ctx.exc->kind;
        CHECK(ctx.exc->nframes >= 1);
        rt_obj_decref(&ctx.exc->h);
    }
    CHECK(atomic_load(&ctx.stack_limit) == ctx.stack_floor || atomic_load(&ctx.poll) != 0);
    cg_jit_free(j);
    return out ? out : strdup("");
}

static ir_module *new_module(void) {
    ir_module *m = mk(sizeof *m);
    m->path = "test.pf";
    m->types = TYPES;
    m->ntypes = 6;
    return m;
}
static ir_func *new_func(ir_module *m, const char *name, ir_type *ret) {
    ir_func *f = mk(sizeof *f);
    f->name = name;
    f->src_name = name;
    f->ret = ret;
    f->line = 1;
    f->id = m->nfuncs;
    ir_func **fs = mk(sizeof(ir_func *) * (size_t)(m->nfuncs + 1));
    if (m->nfuncs) memcpy(fs, m->funcs, sizeof(ir_func *) * (size_t)m->nfuncs);
    fs[m->nfuncs++] = f;
    m->funcs = fs;
    return f;
}

/* def fib(n): if n < 2: return n; return fib(n-1) + fib(n-2)
 * print(fib(20)); xs = [i * i for i in range(10)]; print(xs); print(sum(x for x in xs if x > 10)) */
static void test_fib_and_comp(void) {
    ir_module *m = new_module();
    ir_func *mainf = new_func(m, "main", &T_NONE);
    mainf->src_name = "<module>";
    m->main = mainf;
    ir_func *fib = new_func(m, "fib[int]", &T_INT);
    ir_local *n = local(fib, "n", &T_INT, true);
    fib->params = mk(sizeof(ir_local *));
    fib->params[0] = n;
    fib->nparams = 1;
    ir_expr *cmp = ex(IR_E_COMPARE, &T_BOOL, 2);
    cmp->args[0] = elocal(n);
    cmp->args[1] = eint(2);
    cmp->cmps = mk(sizeof(ir_cmp));
    cmp->cmps[0] = IR_CMP_LT;
    ir_stmt *sif = st(IR_S_IF, 2);
    sif->expr = cmp;
    ir_stmt *r1 = st(IR_S_RETURN, 3);
    r1->expr = elocal(n);
    push(&sif->body, r1);
    push(&fib->body, sif);
    ir_expr *c1 = ex(IR_E_CALL, &T_INT, 1), *c2 = ex(IR_E_CALL, &T_INT, 1);
    c1->func = c2->func = fib;
    c1->args[0] = ebin(IR_OP_SUB, &T_INT, elocal(n), eint(1));
    c2->args[0] = ebin(IR_OP_SUB, &T_INT, elocal(n), eint(2));
    ir_stmt *r2 = st(IR_S_RETURN, 4);
    r2->expr = ebin(IR_OP_ADD, &T_INT, c1, c2);
    push(&fib->body, r2);

    ir_expr *call = ex(IR_E_CALL, &T_INT, 1);
    call->func = fib;
    call->args[0] = eint(20);
    push(&mainf->body, sexpr(eprint(call), 5));

    /* xs = [i * i for i in range(10)] */
    ir_local *i = local(mainf, "i", &T_INT, false);
    ir_local *xs = local(mainf, "xs", &T_LIST_INT, false);
    ir_local *x = local(mainf, "x", &T_INT, false);
    ir_iter *it = mk(sizeof *it);
    it->kind = IR_IT_RANGE;
    it->a = eint(0);
    it->b = eint(10);
    it->var = i;
    ir_comp *comp = mk(sizeof *comp);
    comp->kind = IR_COMP_LIST;
    comp->clauses = mk(sizeof(ir_clause));
    comp->clauses[0].iter = it;
    comp->nclauses = 1;
    comp->elt = ebin(IR_OP_MUL, &T_INT, elocal(i), elocal(i));
    ir_expr *ce = ex(IR_E_COMP, &T_LIST_INT, 0);
    ce->comp = comp;
    ir_stmt *as = st(IR_S_ASSIGN, 6);
    as->local = xs;
    as->expr = ce;
    push(&mainf->body, as);
    push(&mainf->body, sexpr(eprint(elocal(xs)), 7));
    /* print(sum(x for x in xs if x > 10)) */
    ir_iter *it2 = mk(sizeof *it2);
    it2->kind = IR_IT_LIST;
    it2->a = elocal(xs);
    it2->var = x;
    ir_comp *sc = mk(sizeof *sc);
    sc->kind = IR_COMP_SUM;
    sc->clauses = mk(2 * sizeof(ir_clause));
    sc->clauses[0].iter = it2;
    ir_expr *gt = ex(IR_E_COMPARE, &T_BOOL, 2);
    gt->args[0] = elocal(x);
    gt->args[1] = eint(10);
    gt->cmps = mk(sizeof(ir_cmp));
    gt->cmps[0] = IR_CMP_GT;
    sc->clauses[1].cond = gt;
    sc->nclauses = 2;
    sc->elt = elocal(x);
    ir_expr *se = ex(IR_E_COMP, &T_INT, 0);
    se->comp = sc;
    push(&mainf->body, sexpr(eprint(se), 8));
    /* xs = xs + [7]  (in-place reuse path), print(len(xs)) */
    ir_expr *lit = ex(IR_E_LIST, &T_LIST_INT, 1);
    lit->args[0] = eint(7);
    ir_expr *cat = ex(IR_E_OP, &T_LIST_INT, 2);
    cat->op = IR_OP_LIST_CONCAT;
    cat->args[0] = elocal(xs);
    cat->args[1] = lit;
    ir_stmt *as2 = st(IR_S_ASSIGN, 9);
    as2->local = xs;
    as2->expr = cat;
    push(&mainf->body, as2);
    ir_expr *len = ex(IR_E_OP, &T_INT, 1);
    len->op = IR_OP_LEN;
    len->args[0] = elocal(xs);
    push(&mainf->body, sexpr(eprint(len), 10));
    /* print(7 / 2.0 ... ) skip; print(1 // 0) -> uncaught ZeroDivisionError */
    push(&mainf->body, sexpr(eprint(ebin(IR_OP_FLOORDIV, &T_INT, eint(1), eint(0))), 11));

    int kind = -1;
    char *out = run_module(m, &kind);
    const char *want = "6765\n[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\n271\n11\n";
    if (strcmp(out, want) != 0) {
        fprintf(stderr, "test_fib_and_comp: expected:\n%sbut got:\n%s", want, out);
        failures++;
    }
    CHECK(kind == PF_EXC_ZERODIV);
    free(out);
}

/* try: print(10 // 0) except ZeroDivisionError: print(1) finally: print(2) */
static void test_try(void) {
    ir_module *m = new_module();
    ir_func *mainf = new_func(m, "main", &T_NONE);
    m->main = mainf;
    ir_stmt *t = st(IR_S_TRY, 1);
    push(&t->body, sexpr(eprint(ebin(IR_OP_FLOORDIV, &T_INT, eint(10), eint(0))), 2));
    push(&t->body, sexpr(eprint(eint(99)), 3));
    t->handlers = mk(sizeof(ir_handler));
    t->nhandlers = 1;
    t->handlers[0].kinds = mk(sizeof(int32_t));
    t->handlers[0].kinds[0] = PF_EXC_ZERODIV;
    t->handlers[0].nkinds = 1;
    push(&t->handlers[0].body, sexpr(eprint(eint(1)), 4));
    push(&t->finalbody, sexpr(eprint(eint(2)), 5));
    push(&mainf->body, t);
    push(&mainf->body, sexpr(eprint(eint(3)), 6));
    int kind = -1;
    char *out = run_module(m, &kind);
    CHECK(strcmp(out, "1\n2\n3\n") == 0);
    if (strcmp(out, "1\n2\n3\n") != 0) fprintf(stderr, "test_try got:\n%s", out);
    CHECK(kind == 0);
    free(out);
}

int main(void) {
    test_fib_and_comp();
    test_try();
    pool_free();
    return check_report("test_cg_gen");
}
