/* Parallelism analysis (issue 6): decides which comprehensions and generator reductions of a
 * built module may run in parallel (sets ir_comp.par) and, for `pfc run --explain`, says with
 * positions what was made parallel and why the rest was not. Effects are tracked per function
 * (printing, random, clocks, extern calls make code order-dependent and keep it sequential). */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

typedef struct par_st {
    ir_module *m;
    unsigned char *impure; /* per func id: 1 when it (transitively) has an ordered effect */
    FILE *out;             /* --explain, or NULL */
    const ir_func *cur;
    int nmarked;
} par_st;

static bool op_impure(ir_op op) {
    switch (op) {
    case IR_OP_PRINT:
    case IR_OP_RANDOM_SEED:
    case IR_OP_RANDOM_RANDOM:
    case IR_OP_RANDOM_RANDINT:
    case IR_OP_RANDOM_UNIFORM:
    case IR_OP_RANDOM_GAUSS:
    case IR_OP_RANDOM_CHOICE:
    case IR_OP_TIME_TIME:
    case IR_OP_TIME_PERF: return true;
    default: return false;
    }
}

static bool block_impure(par_st *p, const ir_block *b);
static bool iter_impure(par_st *p, const ir_iter *it);

/* Does evaluating e have an ordered effect (directly or through a call)? */
static bool expr_impure(par_st *p, const ir_expr *e) {
    if (!e) return false;
    if (e->kind == IR_E_OP && op_impure(e->op)) return true;
    if ((e->kind == IR_E_CALL || e->kind == IR_E_NEW) && e->func &&
        (e->func->extern_sym || p->impure[e->func->id]))
        return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (expr_impure(p, e->args[i])) return true;
    if (expr_impure(p, e->env)) return true;
    if (e->kind == IR_E_COMP) {
        const ir_comp *c = e->comp;
        for (int32_t i = 0; i < c->nclauses; i++)
            if (expr_impure(p, c->clauses[i].cond) || iter_impure(p, c->clauses[i].iter)) return true;
        if (expr_impure(p, c->elt) || expr_impure(p, c->key) || expr_impure(p, c->init) ||
            expr_impure(p, c->key_fn))
            return true;
    }
    return false;
}

static bool iter_impure(par_st *p, const ir_iter *it) {
    if (!it) return false;
    if (expr_impure(p, it->a) || expr_impure(p, it->b) || expr_impure(p, it->c) || block_impure(p, &it->bind))
        return true;
    for (int32_t k = 0; k < it->nsubs; k++)
        if (iter_impure(p, it->subs[k])) return true;
    return false;
}

static bool block_impure(par_st *p, const ir_block *b) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        if (expr_impure(p, st->expr) || expr_impure(p, st->expr2) || iter_impure(p, st->iter) ||
            block_impure(p, &st->body) || block_impure(p, &st->orelse) || block_impure(p, &st->finalbody))
            return true;
        for (int32_t h = 0; h < st->nhandlers; h++)
            if (block_impure(p, &st->handlers[h].body)) return true;
    }
    return false;
}

/* A source codegen can split by index: a range, a list, or a zip/enumerate of those. */
static const char *source_problem(const ir_iter *it) {
    switch (it->kind) {
    case IR_IT_RANGE: return NULL;
    case IR_IT_LIST: return it->reverse ? "the source is reversed()" : NULL;
    case IR_IT_ZIP:
    case IR_IT_ENUMERATE:
        for (int32_t k = 0; k < it->nsubs; k++) {
            const char *w = source_problem(it->subs[k]);
            if (w) return w;
            if (it->subs[k]->kind != IR_IT_RANGE && it->subs[k]->kind != IR_IT_LIST)
                return "a zip/enumerate nests another zip/enumerate";
        }
        return NULL;
    case IR_IT_STR: return "the source is a str (not indexable in O(1))";
    case IR_IT_TUPLE: return "the source is a tuple (too short to be worth it)";
    default: return "the source is a dict view";
    }
}

static const char *comp_name(ir_comp_kind k) {
    switch (k) {
    case IR_COMP_LIST: return "list comprehension";
    case IR_COMP_DICT: return "dict comprehension";
    case IR_COMP_SUM: return "sum";
    case IR_COMP_MIN: return "min";
    case IR_COMP_MAX: return "max";
    case IR_COMP_ANY: return "any";
    case IR_COMP_ALL: return "all";
    case IR_COMP_SORTED: return "sorted";
    case IR_COMP_JOIN: return "str.join";
    }
    return "comprehension";
}

static bool is_zero(const ir_expr *e) {
    if (!e) return true;
    if (e->kind == IR_E_INT) return e->ival == 0;
    if (e->kind == IR_E_FLOAT) return e->fval == 0.0;
    if (e->kind == IR_E_CONVERT) return is_zero(e->args[0]);
    return false;
}

/* Why the comprehension must stay sequential, or NULL when it may run in parallel. */
static const char *comp_problem(par_st *p, const ir_expr *e) {
    const ir_comp *c = e->comp;
    const ir_type *t = e->type;
    switch (c->kind) {
    case IR_COMP_LIST: break;
    case IR_COMP_SUM:
        if (t->kind != IR_T_INT && t->kind != IR_T_FLOAT) return "sum of a non-number";
        if (t->kind == IR_T_FLOAT && !is_zero(c->init)) return "float sum with a non-zero start";
        break;
    case IR_COMP_MIN:
    case IR_COMP_MAX:
        if (c->key_fn) return "min/max with key= (not yet parallel)";
        if (t->kind != IR_T_INT && t->kind != IR_T_FLOAT) return "min/max of non-numbers (not yet parallel)";
        break;
    case IR_COMP_DICT: return "dict comprehension (later keys win: kept sequential)";
    case IR_COMP_ANY:
    case IR_COMP_ALL: return "any/all stop at the first hit (kept sequential)";
    case IR_COMP_SORTED: return "sorted (not yet parallel)";
    case IR_COMP_JOIN: return "str.join (not yet parallel)";
    }
    const char *w = source_problem(c->clauses[0].iter);
    if (w) return w;
    if (expr_impure(p, e)) return "the body prints or uses random/time (order-dependent effects)";
    return NULL;
}

static void walk_block(par_st *p, const ir_block *b);

/* An argument of a forked call: evaluated before the first operand runs, so it must be cheap,
 * effect-free and unable to fail in practice (locals, constants, int/float arithmetic on them). */
static bool simple_arg(const ir_expr *a) {
    switch (a->kind) {
    case IR_E_INT:
    case IR_E_FLOAT:
    case IR_E_BOOL:
    case IR_E_LOCAL: return true;
    case IR_E_CONVERT: return simple_arg(a->args[0]);
    case IR_E_BINARY:
        return (a->op == IR_OP_ADD || a->op == IR_OP_SUB || a->op == IR_OP_MUL) && simple_arg(a->args[0]) &&
               simple_arg(a->args[1]);
    default: return false;
    }
}

static bool scalar(const ir_type *t) { return t->kind == IR_T_INT || t->kind == IR_T_FLOAT || t->kind == IR_T_BOOL; }

/* Why the call b in `a OP b` cannot be forked (run while a runs), or NULL. */
static const char *fork_problem(par_st *p, const ir_expr *a, const ir_expr *b) {
    if (b->kind != IR_E_CALL || a->kind != IR_E_CALL) return "not two calls";
    if (b->env || !b->func || b->func->extern_sym) return "the second call is a closure or extern call";
    if (p->impure[b->func->id]) return "the second call prints or uses random/time";
    if (!scalar(b->type)) return "the second call does not return a number";
    if (b->nargs > 8) return "too many arguments";
    for (int32_t i = 0; i < b->nargs; i++)
        if (!simple_arg(b->args[i])) return "an argument of the second call is not a simple expression";
    return NULL;
}

static void walk_expr(par_st *p, ir_expr *e) {
    if (!e) return;
    for (int32_t i = 0; i < e->nargs; i++) walk_expr(p, e->args[i]);
    walk_expr(p, e->env);
    if (e->kind == IR_E_BINARY && e->args[0]->kind == IR_E_CALL && e->args[1]->kind == IR_E_CALL) {
        const char *why = fork_problem(p, e->args[0], e->args[1]);
        e->args[1]->par = why == NULL;
        p->nmarked += why == NULL;
        if (p->out) {
            const char *file = p->cur->src ? p->cur->src->name : "?";
            const char *fnm = p->cur->src_name ? p->cur->src_name : p->cur->name;
            if (why)
                fprintf(p->out, "%s:%d:%d: sequential: calls in %s: %s\n", file, e->line, e->col, fnm, why);
            else
                fprintf(p->out, "%s:%d:%d: parallel: fork of the call to %s while the first operand runs, in %s\n",
                        file, e->args[1]->line, e->args[1]->col, e->args[1]->func->src_name, fnm);
        }
    }
    if (e->kind != IR_E_COMP) return;
    ir_comp *c = e->comp;
    for (int32_t i = 0; i < c->nclauses; i++) {
        walk_expr(p, c->clauses[i].cond);
        ir_iter *it = c->clauses[i].iter;
        if (it) {
            walk_expr(p, it->a);
            walk_expr(p, it->b);
            walk_expr(p, it->c);
            walk_block(p, &it->bind);
            for (int32_t k = 0; k < it->nsubs; k++) {
                walk_expr(p, it->subs[k]->a);
                walk_expr(p, it->subs[k]->b);
                walk_expr(p, it->subs[k]->c);
            }
        }
    }
    walk_expr(p, c->elt);
    walk_expr(p, c->key);
    walk_expr(p, c->init);
    walk_expr(p, c->key_fn);
    const char *why = comp_problem(p, e);
    c->par = why == NULL;
    p->nmarked += c->par;
    if (p->out) {
        const char *file = p->cur->src ? p->cur->src->name : "?";
        if (why)
            fprintf(p->out, "%s:%d:%d: sequential: %s in %s: %s\n", file, e->line, e->col, comp_name(c->kind),
                    p->cur->src_name ? p->cur->src_name : p->cur->name, why);
        else
            fprintf(p->out, "%s:%d:%d: parallel: %s in %s (blocks of the first for-clause; %s)\n", file, e->line,
                    e->col, comp_name(c->kind), p->cur->src_name ? p->cur->src_name : p->cur->name,
                    c->kind == IR_COMP_LIST ? "per-block pieces concatenated in order"
                                            : "per-block partials combined in a fixed tree");
    }
}

static void walk_iter(par_st *p, ir_iter *it) {
    if (!it) return;
    walk_expr(p, it->a);
    walk_expr(p, it->b);
    walk_expr(p, it->c);
    walk_block(p, &it->bind);
    for (int32_t k = 0; k < it->nsubs; k++) walk_iter(p, it->subs[k]);
}

static void walk_block(par_st *p, const ir_block *b) {
    for (int32_t i = 0; i < b->len; i++) {
        ir_stmt *st = b->items[i];
        if (st->kind == IR_S_FOR && p->out)
            fprintf(p->out, "%s:%d:%d: sequential: for loop in %s: statement loops are not parallelised yet "
                    "(write the reduction as sum/min/max over a generator, or a comprehension)\n",
                    p->cur->src ? p->cur->src->name : "?", st->line, st->col,
                    p->cur->src_name ? p->cur->src_name : p->cur->name);
        walk_expr(p, st->expr);
        walk_expr(p, st->expr2);
        walk_iter(p, st->iter);
        walk_block(p, &st->body);
        walk_block(p, &st->orelse);
        walk_block(p, &st->finalbody);
        for (int32_t h = 0; h < st->nhandlers; h++) walk_block(p, &st->handlers[h].body);
    }
}

int ir_par_analyze(ir_module *m, FILE *explain) {
    par_st p;
    memset(&p, 0, sizeof p);
    p.m = m;
    p.out = explain;
    p.impure = calloc((size_t)m->nfuncs + 1, 1);
    if (!p.impure) return 0;
    /* effects to a fixpoint over the call graph (recursion included) */
    for (bool changed = true; changed;) {
        changed = false;
        for (int32_t i = 0; i < m->nfuncs; i++) {
            const ir_func *fn = m->funcs[i];
            if (p.impure[fn->id]) continue;
            if (fn->extern_sym || block_impure(&p, &fn->body)) {
                p.impure[fn->id] = 1;
                changed = true;
            }
        }
    }
    for (int32_t i = 0; i < m->nfuncs; i++) {
        p.cur = m->funcs[i];
        walk_block(&p, &m->funcs[i]->body);
    }
    free(p.impure);
    return p.nmarked;
}
