/* Unit tests of ir/: specialisation per call signature, recursion, closures, narrowing,
 * structured comprehensions and for-sources, imports of sibling .pf files, and the errors the
 * checker reports (with positions). Each test builds a module from source text. */
#include "ir/ir.h"
#include "parser/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

typedef struct build {
    pf_arena a;
    pf_diags d;
    ir_module *m;
} build;

static void build_src(build *b, const char *path, const char *text)
{
    pf_arena_init(&b->a);
    pf_diags_init(&b->d, &b->a);
    pf_source *src = pf_source_new(&b->a, path, text, strlen(text));
    ast_module *am = parse_module(&b->a, &b->d, src);
    b->m = am ? ir_build(&b->a, &b->d, am, path) : NULL;
}

static void build_free(build *b) { pf_arena_free(&b->a); }

static ir_func *find_func(ir_module *m, const char *name)
{
    for (int32_t i = 0; i < m->nfuncs; i++)
        if (!strcmp(m->funcs[i]->name, name)) return m->funcs[i];
    return NULL;
}

/* The first error's message contains `text` at line:col. */
static bool has_error(build *b, int line, int col, const char *text)
{
    for (int32_t i = 0; i < b->d.len; i++) {
        pf_diag *g = &b->d.items[i];
        if (g->sev == PF_SEV_ERROR && g->line == line && g->col == col && strstr(g->msg, text)) return true;
    }
    fprintf(stderr, "  missing error %d:%d: %s; got:\n", line, col, text);
    for (int32_t i = 0; i < b->d.len; i++)
        fprintf(stderr, "    %d:%d: %s\n", b->d.items[i].line, b->d.items[i].col, b->d.items[i].msg);
    return false;
}

static void test_specialisation(void)
{
    build b;
    build_src(&b, "spec.pf",
              "def twice(x):\n"
              "    return x + x\n"
              "print(twice(2), twice(1.5), twice(\"ab\"))\n");
    CHECK(b.m != NULL);
    if (b.m) {
        ir_func *fi = find_func(b.m, "twice[int]");
        ir_func *ff = find_func(b.m, "twice[float]");
        ir_func *fs = find_func(b.m, "twice[str]");
        CHECK(fi && ff && fs);
        if (fi) CHECK(fi->ret->kind == IR_T_INT);
        if (ff) CHECK(ff->ret->kind == IR_T_FLOAT);
        if (fs) CHECK(fs->ret->kind == IR_T_STR);
        /* the str version concatenates: an op, not arithmetic */
        if (fs) {
            ir_stmt *r = fs->body.items[0];
            CHECK(r->kind == IR_S_RETURN && r->expr->kind == IR_E_OP && r->expr->op == IR_OP_STR_CONCAT);
        }
        if (fi) CHECK(fi->body.items[0]->expr->kind == IR_E_BINARY && fi->body.items[0]->expr->may_raise);
    }
    build_free(&b);
}

static void test_recursion_and_promotion(void)
{
    build b;
    build_src(&b, "fib.pf",
              "def fib(n):\n"
              "    if n < 2:\n"
              "        return n\n"
              "    return fib(n - 1) + fib(n - 2)\n"
              "def half(n):\n"
              "    return n / 2\n"
              "print(fib(20), half(3))\n");
    CHECK(b.m != NULL);
    if (b.m) {
        ir_func *f = find_func(b.m, "fib[int]");
        CHECK(f && f->ret->kind == IR_T_INT);
        ir_func *h = find_func(b.m, "half[int]");
        CHECK(h && h->ret->kind == IR_T_FLOAT);
        if (h) {
            ir_expr *e = h->body.items[0]->expr;
            CHECK(e->kind == IR_E_BINARY && e->op == IR_OP_DIV);
            CHECK(e->args[0]->kind == IR_E_CONVERT && e->args[0]->type->kind == IR_T_FLOAT);
            CHECK(e->args[1]->kind == IR_E_FLOAT && e->args[1]->fval == 2.0);
        }
    }
    build_free(&b);
}

static void test_closure(void)
{
    build b;
    build_src(&b, "clo.pf",
              "def adder(k):\n"
              "    def add(x):\n"
              "        return x + k\n"
              "    return add\n"
              "f = adder(10)\n"
              "print(f(5), sorted([3, 1, 2], key=lambda v: -v))\n");
    CHECK(b.m != NULL);
    if (b.m) {
        ir_func *ad = find_func(b.m, "adder[int]");
        CHECK(ad && ad->ret->kind == IR_T_FUNC && ad->ret->n == 1 && ad->ret->elems[0]->kind == IR_T_INT);
        ir_func *add = NULL;
        for (int32_t i = 0; i < b.m->nfuncs; i++)
            if (!strncmp(b.m->funcs[i]->name, "add", 3) && b.m->funcs[i]->env) add = b.m->funcs[i];
        CHECK(add != NULL);
        if (add) {
            ir_expr *e = add->body.items[0]->expr;
            CHECK(e->kind == IR_E_BINARY && e->args[1]->kind == IR_E_CAPTURE && e->args[1]->index == 0);
        }
        /* main: print(f(5), ...) calls add with env = f */
        ir_stmt *p = b.m->main->body.items[1];
        CHECK(p->kind == IR_S_EXPR && p->expr->op == IR_OP_PRINT);
        ir_expr *call = p->expr->args[3];
        CHECK(call->kind == IR_E_CALL && call->env != NULL && call->func == add);
        ir_expr *srt = p->expr->args[4];
        CHECK(srt->kind == IR_E_COMP && srt->comp->kind == IR_COMP_SORTED && srt->comp->key_var &&
              srt->comp->key_fn && srt->comp->key_fn->kind == IR_E_CALL);
    }
    build_free(&b);
}

static void test_narrowing(void)
{
    build b;
    build_src(&b, "opt.pf",
              "def find(xs, v):\n"
              "    for i, x in enumerate(xs):\n"
              "        if x == v:\n"
              "            return i\n"
              "    return None\n"
              "def total(xs, acc=None):\n"
              "    if acc is None:\n"
              "        acc = 0\n"
              "    for x in xs:\n"
              "        acc = acc + x\n"
              "    return acc\n"
              "i = find([4, 5], 5)\n"
              "if i is not None:\n"
              "    print(i + 1, total([1, 2]))\n");
    CHECK(b.m != NULL);
    if (b.m) {
        ir_func *f = find_func(b.m, "find[list[int],int]");
        CHECK(f && f->ret->kind == IR_T_OPTIONAL && f->ret->elems[0]->kind == IR_T_INT);
        ir_func *t = find_func(b.m, "total[list[int],None]");
        CHECK(t && t->ret->kind == IR_T_INT);
        if (f) {
            ir_stmt *loop = f->body.items[0];
            CHECK(loop->kind == IR_S_FOR && loop->iter->kind == IR_IT_ENUMERATE &&
                  loop->iter->subs[0]->kind == IR_IT_LIST && loop->iter->var &&
                  loop->iter->subs[0]->var);
        }
    }
    build_free(&b);
}

static void test_comprehension_structure(void)
{
    build b;
    build_src(&b, "comp.pf",
              "def sq_distance(p1, p2):\n"
              "    return sum((a - b) ** 2 for a, b in zip(p1, p2))\n"
              "print(sq_distance([1.0, 2.0], [0.5, 0.0]))\n"
              "print([[x * y for x in range(3)] for y in range(2) if y > 0])\n");
    CHECK(b.m != NULL);
    if (b.m) {
        ir_func *f = find_func(b.m, "sq_distance[list[float],list[float]]");
        CHECK(f && f->ret->kind == IR_T_FLOAT);
        if (f) {
            ir_expr *s = f->body.items[0]->expr;
            CHECK(s->kind == IR_E_COMP && s->comp->kind == IR_COMP_SUM && s->comp->nclauses == 1);
            ir_iter *it = s->comp->clauses[0].iter;
            CHECK(it->kind == IR_IT_ZIP && it->nsubs == 2 && it->subs[0]->var && it->subs[1]->var &&
                  it->bind.len == 0);
            CHECK(s->comp->init && s->comp->init->kind == IR_E_FLOAT);
            CHECK(s->comp->elt->kind == IR_E_BINARY && s->comp->elt->op == IR_OP_POW);
        }
        ir_expr *outer = b.m->main->body.items[1]->expr->args[3];
        CHECK(outer->kind == IR_E_COMP && outer->comp->kind == IR_COMP_LIST && outer->comp->nclauses == 2 &&
              outer->comp->clauses[1].cond != NULL && outer->comp->elt->kind == IR_E_COMP);
        CHECK(strcmp(outer->type->str, "list[list[int]]") == 0);
    }
    build_free(&b);
}

static void test_classes(void)
{
    build b;
    build_src(&b, "cls.pf",
              "class Model:\n"
              "    def __init__(self, rate, w):\n"
              "        self.rate = rate\n"
              "        self.w = w\n"
              "    def step(self, g):\n"
              "        return Model(self.rate, [x - self.rate * y for x, y in zip(self.w, g)])\n"
              "    def __repr__(self):\n"
              "        return f\"Model({self.rate})\"\n"
              "m = Model(0.1, [1.0, 2.0]).step([0.5, 0.5])\n"
              "print(m, m.w)\n");
    CHECK(b.m != NULL);
    if (b.m) {
        CHECK(b.m->nclasses == 1);
        ir_class *c = b.m->classes[0];
        CHECK(c->nfields == 2);
        CHECK_TEXT(c->field_names[0], "rate");
        CHECK_TEXT(c->field_types[1]->str, "list[float]");
        CHECK(c->repr != NULL);
        CHECK(find_func(b.m, "Model.step[Model,list[float]]") != NULL);
        ir_func *init = find_func(b.m, "Model.__init__[Model,float,list[float]]");
        CHECK(init && init->is_init && init->body.items[0]->kind == IR_S_FIELD_INIT);
    }
    build_free(&b);
}

static void test_errors(void)
{
    build b;
    build_src(&b, "err.pf",
              "xs = [1, 2]\n"
              "xs.append(3)\n"
              "ys = [1, \"a\"]\n"
              "def f(a, b=1):\n"
              "    return a + b\n"
              "print(f(1, c=2), undefined)\n"
              "d = {1: 2}\n"
              "d[3] = 4\n");
    CHECK(b.m == NULL);
    CHECK(has_error(&b, 2, 4, "list.append"));
    CHECK(has_error(&b, 3, 10, "list mixes int and str"));
    CHECK(has_error(&b, 6, 12, "unexpected keyword argument 'c'"));
    CHECK(has_error(&b, 6, 18, "name 'undefined' is not defined"));
    CHECK(has_error(&b, 8, 1, "cannot assign to an element"));
    CHECK(b.d.nerrors == 5);
    /* the mutation error carries the hint */
    bool hint = false;
    for (int32_t i = 0; i < b.d.len; i++)
        if (b.d.items[i].hint && strstr(b.d.items[i].hint, "xs = xs + [v]")) hint = true;
    CHECK(hint);
    build_free(&b);
}

static void test_import(void)
{
    char dir[] = "/tmp/pf_test_ir_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp failed");
        return;
    }
    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "%s/geom.pf", dir);
    snprintf(p2, sizeof p2, "%s/main.pf", dir);
    FILE *f = fopen(p1, "w");
    fputs("SCALE = 2\ndef area(w, h):\n    return w * h * SCALE\n", f);
    fclose(f);
    build b;
    build_src(&b, p2, "import geom\nfrom geom import area\nprint(geom.area(2, 3), area(1.5, 2.0))\n");
    CHECK(b.m != NULL);
    if (b.m) {
        CHECK(find_func(b.m, "geom.area[int,int]") != NULL);
        CHECK(find_func(b.m, "geom.area[float,float]") != NULL);
        CHECK(b.m->nglobals == 1 && !strcmp(b.m->globals[0]->name, "geom.SCALE"));
    }
    build_free(&b);
    unlink(p1);
    rmdir(dir);
}

int main(void)
{
    test_specialisation();
    test_recursion_and_promotion();
    test_closure();
    test_narrowing();
    test_comprehension_structure();
    test_classes();
    test_errors();
    test_import();
    return check_report("test_ir");
}
