/* Parallelism analysis (issue 6): decides which comprehensions, generator reductions and `for`
 * loops (carried names only updated by associative reductions) may run in parallel, and for
 * `pfc run --explain` says with positions what was made parallel and why the rest was not. Random,
 * clocks and extern calls (tracked per function) make code order-dependent: sequential. print does
 * not: the runtime keeps the output of parallel code in program order (runtime/print.c). */
#include "ir/ir.h"

#include <stdio.h>
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

static bool scalar(const ir_type *t) { return t->kind == IR_T_INT || t->kind == IR_T_FLOAT || t->kind == IR_T_BOOL; }

/* Ordered without NaN (ints, bools, str, tuples of those): a fold and a tree keep the same element. */
static bool exact_order(const ir_type *t) {
    if (t->kind == IR_T_INT || t->kind == IR_T_BOOL || t->kind == IR_T_STR) return true;
    if (t->kind != IR_T_TUPLE) return false;
    for (int32_t i = 0; i < t->n; i++)
        if (!exact_order(t->elems[i])) return false;
    return t->n > 0;
}

const char *ir_par_minmax_shape(const ir_expr *e, ir_par_minmax *m) {
    const ir_comp *c = e->comp;
    ir_par_minmax M;
    memset(&M, 0, sizeof M);
    if (c->key_fn) {
        const ir_type *kt = c->key_fn->type;
        if (!scalar(kt) && !exact_order(kt))
            return "min/max with a key= that is not a number, a str or a tuple of ints/strs";
        if (c->elt->type->kind == IR_T_NONE) return "min/max of None values";
        M.comp[M.ncomp++] = kt;
        M.elem = c->elt->type;
    } else if (c->elt->kind == IR_E_TUPLE && c->elt->nargs > 0 && c->elt->nargs <= 8) {
        for (int32_t i = 0; i < c->elt->nargs; i++) {
            const ir_type *ct = c->elt->args[i]->type;
            if (!scalar(ct)) {
                if (!exact_order(e->type)) return "min/max of tuples holding floats inside objects";
                M.ncomp = 0;
                break;
            }
            M.comp[M.ncomp++] = ct;
        }
        M.tuple = M.ncomp > 0;
        if (!M.tuple) M.comp[M.ncomp++] = e->type;
    } else {
        if (!scalar(e->type) && !exact_order(e->type))
            return "min/max of values holding floats inside objects (lists, classes, tuples of those)";
        M.comp[M.ncomp++] = e->type;
    }
    for (int32_t i = 0; i < M.ncomp; i++) M.nan |= M.comp[i]->kind == IR_T_FLOAT;
    if (m) *m = M;
    return NULL;
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
    case IR_COMP_MAX: {
        const char *w = ir_par_minmax_shape(e, NULL);
        if (w) return w;
        break;
    }
    case IR_COMP_DICT: break;
    case IR_COMP_ANY:
    case IR_COMP_ALL:
        for (int32_t i = 1; i < c->nclauses; i++)
            if (c->clauses[i].iter) return "any/all over several for-clauses (kept sequential)";
        break;
    case IR_COMP_SORTED: return "sorted (not yet parallel)";
    case IR_COMP_JOIN: return "str.join (not yet parallel)";
    }
    const char *w = source_problem(c->clauses[0].iter);
    if (w) return w;
    if (expr_impure(p, e)) return "the body uses random/time (order-dependent effects)";
    return NULL;
}

/* ---- for loops: carried names updated only by associative reductions ---------------------------- */

/* How `st` updates its target, if it is `t = t OP e` (see ir_par_red); *skip = the argument index
 * holding the read of t itself. */
static ir_par_red update_kind(const ir_stmt *st, int *skip) {
    if (st->kind != IR_S_ASSIGN || !st->local || !st->expr) return IR_RED_NONE;
    const ir_expr *e = st->expr;
    const ir_local *t = st->local;
    bool num = t->type->kind == IR_T_INT || t->type->kind == IR_T_FLOAT;
    bool first = e->nargs == 2 && e->args[0]->kind == IR_E_LOCAL && e->args[0]->local == t;
    bool second = e->nargs == 2 && e->args[1]->kind == IR_E_LOCAL && e->args[1]->local == t;
    *skip = first ? 0 : 1;
    if (e->kind == IR_E_BINARY && num && (e->op == IR_OP_ADD || e->op == IR_OP_MUL) && (first || second))
        return e->op == IR_OP_ADD ? IR_RED_ADD : IR_RED_MUL;
    /* t = t - e: the block partial (from 0) is minus the block's terms, so partials add up */
    if (e->kind == IR_E_BINARY && num && e->op == IR_OP_SUB && first) return IR_RED_ADD;
    if (e->kind != IR_E_OP) return IR_RED_NONE;
    /* min(e, t) keeps e on a tie: only ints make that indistinguishable from min(t, e) */
    if ((e->op == IR_OP_MIN || e->op == IR_OP_MAX) && num && (first || (second && t->type->kind == IR_T_INT)))
        return e->op == IR_OP_MIN ? IR_RED_MIN : IR_RED_MAX;
    if (e->op == IR_OP_LIST_CONCAT && first) return IR_RED_CONCAT;
    return IR_RED_NONE;
}

typedef struct loop_an {
    const ir_func *fn;
    const ir_stmt *loop;
    signed char *kind;     /* per local: 0 not assigned in the loop, -1 plainly, > 0 a reduction */
    unsigned char *cand;   /* assigned by some reduction-shaped update (for the message) */
    unsigned char *set;    /* assigned in the loop and not a reduction: must be fresh each iteration */
    unsigned char *scoped; /* bound by a comprehension or a let inside: bound before every read */
    const char *why;       /* the first problem found */
    char buf[200];
} loop_an;

static void an_problem(loop_an *a, const char *fmt, const char *name, int line, int col) {
    if (a->why) return;
    snprintf(a->buf, sizeof a->buf, fmt, name, line, col);
    a->why = a->buf;
}

typedef void (*read_fn)(loop_an *a, const ir_expr *local_read, unsigned char *state);

static void an_block_scoped(loop_an *a, const ir_block *b);
static void an_iter_reads(loop_an *a, const ir_iter *it, read_fn visit, unsigned char *state);

/* Visits every local read in e (comprehension parts included); marks comprehension/let-bound
 * locals scoped. */
static void an_reads(loop_an *a, const ir_expr *e, read_fn visit, unsigned char *state) {
    if (!e) return;
    if (e->kind == IR_E_LOCAL) visit(a, e, state);
    if (e->kind == IR_E_LET) a->scoped[e->local->id] = 1;
    for (int32_t i = 0; i < e->nargs; i++) an_reads(a, e->args[i], visit, state);
    an_reads(a, e->env, visit, state);
    if (e->kind != IR_E_COMP) return;
    const ir_comp *c = e->comp;
    if (c->key_var) a->scoped[c->key_var->id] = 1;
    for (int32_t i = 0; i < c->nclauses; i++) {
        an_reads(a, c->clauses[i].cond, visit, state);
        const ir_iter *stack[32];
        int n = 0;
        if (c->clauses[i].iter) stack[n++] = c->clauses[i].iter;
        while (n > 0) {
            const ir_iter *it = stack[--n];
            if (it->var) a->scoped[it->var->id] = 1;
            if (it->var2) a->scoped[it->var2->id] = 1;
            an_block_scoped(a, &it->bind);
            an_reads(a, it->a, visit, state);
            an_reads(a, it->b, visit, state);
            an_reads(a, it->c, visit, state);
            for (int32_t k = 0; k < it->bind.len; k++) an_reads(a, it->bind.items[k]->expr, visit, state);
            for (int32_t k = 0; k < it->nsubs && n < 32; k++) stack[n++] = it->subs[k];
        }
    }
    an_reads(a, c->elt, visit, state);
    an_reads(a, c->key, visit, state);
    an_reads(a, c->init, visit, state);
    an_reads(a, c->key_fn, visit, state);
}

static void an_block_scoped(loop_an *a, const ir_block *b) {
    for (int32_t i = 0; i < b->len; i++)
        if (b->items[i]->local) a->scoped[b->items[i]->local->id] = 1;
}

static void no_visit(loop_an *a, const ir_expr *e, unsigned char *st) { (void)a, (void)e, (void)st; }

static void an_mark(loop_an *a, const ir_local *l, int k) {
    if (!l) return;
    signed char *p = &a->kind[l->id];
    if (k > 0) a->cand[l->id] = 1;
    if (*p == 0) *p = (signed char)(k > 0 ? k : -1);
    else if (*p != k) *p = -1;
}

static void an_iter_vars(loop_an *a, const ir_iter *it, int k) {
    an_mark(a, it->var, k);
    an_mark(a, it->var2, k);
    for (int32_t i = 0; i < it->bind.len; i++) an_mark(a, it->bind.items[i]->local, k);
    for (int32_t i = 0; i < it->nsubs; i++) an_iter_vars(a, it->subs[i], k);
}

/* Pass 1: what each statement assigns; break/return/globals make the loop sequential. */
static void an_collect(loop_an *a, const ir_block *b, int depth) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        int skip;
        if (st->kind == IR_S_ASSIGN && st->local) an_mark(a, st->local, (int)update_kind(st, &skip));
        if (st->global) an_problem(a, "assigns the module global `%s` (line %d)", st->global->name, st->line, 0);
        if (st->kind == IR_S_BREAK && depth == 0) an_problem(a, "%sthe body breaks out of the loop (line %d)", "", st->line, 0);
        if (st->kind == IR_S_RETURN) an_problem(a, "%sthe body returns (line %d)", "", st->line, 0);
        an_reads(a, st->expr, no_visit, NULL);
        an_reads(a, st->expr2, no_visit, NULL);
        if (st->kind == IR_S_FOR) {
            an_iter_vars(a, st->iter, -1);
            an_iter_reads(a, st->iter, no_visit, NULL);
        }
        bool loop = st->kind == IR_S_FOR || st->kind == IR_S_WHILE;
        an_collect(a, &st->body, depth + loop);
        an_collect(a, &st->orelse, depth);
        an_collect(a, &st->finalbody, depth);
        for (int32_t h = 0; h < st->nhandlers; h++) {
            an_mark(a, st->handlers[h].var, -1);
            an_collect(a, &st->handlers[h].body, depth);
        }
    }
}

/* Pass 2: a reduction target read anywhere but in its own update is a plain carried name. */
static void demote_read(loop_an *a, const ir_expr *e, unsigned char *st) {
    (void)st;
    if (a->kind[e->local->id] > 0) a->kind[e->local->id] = -1;
}

static void an_iter_reads(loop_an *a, const ir_iter *it, read_fn visit, unsigned char *state) {
    an_reads(a, it->a, visit, state);
    an_reads(a, it->b, visit, state);
    an_reads(a, it->c, visit, state);
    for (int32_t k = 0; k < it->nsubs; k++) an_iter_reads(a, it->subs[k], visit, state);
}

static void an_demote(loop_an *a, const ir_block *b) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        int skip = -1;
        if (st->kind == IR_S_ASSIGN && st->local && a->kind[st->local->id] > 0 && update_kind(st, &skip)) {
            for (int32_t k = 0; k < st->expr->nargs; k++)
                if (k != skip) an_reads(a, st->expr->args[k], demote_read, NULL);
        } else {
            an_reads(a, st->expr, demote_read, NULL);
        }
        an_reads(a, st->expr2, demote_read, NULL);
        if (st->iter) {
            an_iter_reads(a, st->iter, demote_read, NULL);
            an_demote(a, &st->iter->bind);
        }
        an_demote(a, &st->body);
        an_demote(a, &st->orelse);
        an_demote(a, &st->finalbody);
        for (int32_t h = 0; h < st->nhandlers; h++) an_demote(a, &st->handlers[h].body);
    }
}

/* Pass 3: every name bound in the loop must be bound in the iteration before it is read
 * (state = the names bound so far on every path). */
static void fresh_read(loop_an *a, const ir_expr *e, unsigned char *bound) {
    const ir_local *l = e->local;
    if (!a->set[l->id] || bound[l->id]) return;
    an_problem(a,
               a->cand[l->id] ? "`%s` is carried from one iteration to the next: read at %d:%d, not only "
                                "updated by a reduction"
                              : "`%s` is carried from one iteration to the next (read at %d:%d before it is "
                                "assigned in the iteration)",
               l->name, e->line, e->col);
}

static unsigned char *state_copy(const loop_an *a, const unsigned char *s) {
    size_t n = (size_t)a->fn->nlocals + 1;
    unsigned char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

static void bind_iter(loop_an *a, const ir_iter *it, unsigned char *bound) {
    if (it->var) bound[it->var->id] = 1;
    if (it->var2) bound[it->var2->id] = 1;
    for (int32_t k = 0; k < it->nsubs; k++) bind_iter(a, it->subs[k], bound);
}

/* Returns true when the block cannot fall through (ends in continue/raise/break/return). */
static bool an_fresh(loop_an *a, const ir_block *b, unsigned char *bound) {
    for (int32_t i = 0; i < b->len && !a->why; i++) {
        const ir_stmt *st = b->items[i];
        an_reads(a, st->expr, fresh_read, bound);
        an_reads(a, st->expr2, fresh_read, bound);
        switch (st->kind) {
        case IR_S_ASSIGN:
            if (st->local) bound[st->local->id] = 1;
            break;
        case IR_S_CONTINUE:
        case IR_S_BREAK:
        case IR_S_RETURN:
        case IR_S_RAISE: return true;
        case IR_S_IF: {
            unsigned char *t = state_copy(a, bound), *e = state_copy(a, bound);
            if (!t || !e) {
                free(t);
                free(e);
                if (!a->why) a->why = "out of memory";
                return false;
            }
            bool tx = an_fresh(a, &st->body, t), ex = an_fresh(a, &st->orelse, e);
            for (int32_t k = 0; k < a->fn->nlocals; k++)
                bound[k] = tx && ex ? 1 : tx ? e[k] : ex ? t[k] : (unsigned char)(t[k] & e[k]);
            free(t);
            free(e);
            if (tx && ex) return true;
            break;
        }
        case IR_S_FOR:
        case IR_S_WHILE:
        case IR_S_TRY: {
            unsigned char *in = state_copy(a, bound);
            if (!in) {
                if (!a->why) a->why = "out of memory";
                return false;
            }
            if (st->iter) {
                an_iter_reads(a, st->iter, fresh_read, bound);
                bind_iter(a, st->iter, in);
                an_fresh(a, &st->iter->bind, in);
            }
            an_fresh(a, &st->body, in);
            if (st->kind == IR_S_TRY) {
                an_fresh(a, &st->orelse, in);
                for (int32_t h = 0; h < st->nhandlers; h++) {
                    memcpy(in, bound, (size_t)a->fn->nlocals + 1);
                    if (st->handlers[h].var) in[st->handlers[h].var->id] = 1;
                    an_fresh(a, &st->handlers[h].body, in);
                }
                an_fresh(a, &st->finalbody, bound);
            } else {
                memcpy(in, bound, (size_t)a->fn->nlocals + 1);
                an_fresh(a, &st->orelse, in);
            }
            free(in);
            break;
        }
        default: break;
        }
    }
    return false;
}

/* Pass 4: names bound in the loop must be dead after it (the parallel loop leaves them unset):
 * state = the names whose value may still come from the loop. Loops are walked twice (a read
 * at the top of an enclosing loop's body sees the previous iteration). */
static void tainted_read(loop_an *a, const ir_expr *e, unsigned char *taint) {
    if (taint[e->local->id])
        an_problem(a, "`%s` is bound in the loop and read after it (at %d:%d)", e->local->name, e->line, e->col);
}

static void untaint_iter(const ir_iter *it, unsigned char *taint) {
    if (it->var) taint[it->var->id] = 0;
    if (it->var2) taint[it->var2->id] = 0;
    for (int32_t k = 0; k < it->nsubs; k++) untaint_iter(it->subs[k], taint);
}

static void an_after(loop_an *a, const ir_block *b, unsigned char *taint) {
    size_t n = (size_t)a->fn->nlocals + 1;
    for (int32_t i = 0; i < b->len && !a->why; i++) {
        const ir_stmt *st = b->items[i];
        if (st == a->loop) {
            for (int32_t k = 0; k < a->fn->nlocals; k++) taint[k] |= a->set[k];
            an_after(a, &st->orelse, taint);
            continue;
        }
        an_reads(a, st->expr, tainted_read, taint);
        an_reads(a, st->expr2, tainted_read, taint);
        if (st->iter) an_iter_reads(a, st->iter, tainted_read, taint);
        if (st->kind == IR_S_ASSIGN && st->local) taint[st->local->id] = 0;
        if (st->kind == IR_S_IF) {
            unsigned char *e = state_copy(a, taint);
            if (!e) return;
            an_after(a, &st->body, taint);
            an_after(a, &st->orelse, e);
            for (size_t k = 0; k < n; k++) taint[k] |= e[k];
            free(e);
        } else if (st->kind == IR_S_FOR || st->kind == IR_S_WHILE || st->kind == IR_S_TRY) {
            unsigned char *in = state_copy(a, taint);
            if (!in) return;
            for (int pass = 0; pass < 2; pass++) {
                if (st->iter) untaint_iter(st->iter, in);
                if (st->iter) an_after(a, &st->iter->bind, in);
                an_after(a, &st->body, in);
                for (int32_t h = 0; h < st->nhandlers; h++) an_after(a, &st->handlers[h].body, in);
            }
            for (size_t k = 0; k < n; k++) taint[k] |= in[k];
            free(in);
            an_after(a, &st->orelse, taint);
            an_after(a, &st->finalbody, taint);
        }
    }
}

/* Why the FOR statement must stay sequential, or NULL; fills red (per local id) when given. */
static const char *loop_problem(par_st *p, const ir_func *fn, const ir_stmt *loop, loop_an *a, unsigned char *red) {
    size_t n = (size_t)fn->nlocals + 1;
    memset(a, 0, sizeof *a);
    a->fn = fn;
    a->loop = loop;
    a->kind = calloc(n, 1);
    a->cand = calloc(n, 1);
    a->set = calloc(n, 1);
    a->scoped = calloc(n, 1);
    unsigned char *st = calloc(n, 1);
    if (!a->kind || !a->cand || !a->set || !a->scoped || !st) {
        a->why = "out of memory";
        goto done;
    }
    if (p && (a->why = source_problem(loop->iter))) goto done;
    if (loop->orelse.len > 0) {
        a->why = "the loop has an else: clause";
        goto done;
    }
    if (p && block_impure(p, &loop->body)) {
        a->why = "the body uses random/time (order-dependent effects)";
        goto done;
    }
    an_iter_vars(a, loop->iter, -1);
    an_collect(a, &loop->body, 0);
    if (a->why) goto done;
    an_demote(a, &loop->body);
    int32_t nred = 0;
    for (int32_t k = 0; k < fn->nlocals; k++) {
        a->set[k] = a->kind[k] < 0 && !a->scoped[k];
        nred += a->kind[k] > 0;
        if (red) red[k] = (unsigned char)(a->kind[k] > 0 ? a->kind[k] : 0);
    }
    bind_iter(a, loop->iter, st);
    an_fresh(a, &loop->iter->bind, st);
    an_fresh(a, &loop->body, st);
    if (a->why) goto done;
    if (nred == 0) {
        a->why = "nothing is accumulated across iterations";
        goto done;
    }
    memset(st, 0, n);
    an_after(a, &fn->body, st);
done:
    free(a->kind);
    free(a->cand);
    free(a->set);
    free(a->scoped);
    free(st);
    return a->why;
}

int32_t ir_par_for_reductions(const ir_func *fn, const ir_stmt *loop, unsigned char *red) {
    loop_an a;
    memset(red, 0, (size_t)fn->nlocals);
    if (loop_problem(NULL, fn, loop, &a, red)) {
        memset(red, 0, (size_t)fn->nlocals);
        return 0;
    }
    int32_t n = 0;
    for (int32_t k = 0; k < fn->nlocals; k++) n += red[k] != 0;
    return n;
}

static const char *red_name(int k) {
    switch (k) {
    case IR_RED_ADD: return "+";
    case IR_RED_MUL: return "*";
    case IR_RED_MIN: return "min";
    case IR_RED_MAX: return "max";
    case IR_RED_CONCAT: return "list +";
    }
    return "?";
}

/* Decides (and explains) one FOR statement. */
static void walk_for(par_st *p, ir_stmt *st) {
    const ir_func *fn = p->cur;
    unsigned char *red = calloc((size_t)fn->nlocals + 1, 1);
    loop_an a;
    const char *why = red ? loop_problem(p, fn, st, &a, red) : "out of memory";
    st->par = why == NULL;
    p->nmarked += st->par;
    if (p->out) {
        const char *file = fn->src ? fn->src->name : "?";
        const char *fnm = fn->src_name ? fn->src_name : fn->name;
        if (why) {
            fprintf(p->out, "%s:%d:%d: sequential: for loop in %s: %s\n", file, st->line, st->col, fnm, why);
        } else {
            fprintf(p->out, "%s:%d:%d: parallel: for loop in %s (blocks of the iterations; reductions:", file,
                    st->line, st->col, fnm);
            for (int32_t k = 0; k < fn->nlocals; k++)
                if (red[k]) fprintf(p->out, " %s %s", fn->locals[k]->name, red_name(red[k]));
            fprintf(p->out, "; per-block partials combined in a fixed tree)\n");
        }
    }
    free(red);
}

static void walk_block(par_st *p, const ir_block *b);

/* The first statement of b (in order, nested blocks included) that assigns l, or NULL. */
static const ir_stmt *assigns(const ir_block *b, const ir_local *l) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        if (st->local == l || (st->iter && (st->iter->var == l || st->iter->var2 == l))) return st;
        const ir_stmt *r = assigns(&st->body, l);
        if (!r) r = assigns(&st->orelse, l);
        if (!r) r = assigns(&st->finalbody, l);
        for (int32_t h = 0; h < st->nhandlers && !r; h++) r = assigns(&st->handlers[h].body, l);
        if (r) return r;
    }
    return NULL;
}

/* A local read in e that the loop body assigns (the condition's carried name), or NULL. */
static const ir_expr *carried_read(const ir_expr *e, const ir_block *body, const ir_stmt **where) {
    if (!e) return NULL;
    if (e->kind == IR_E_LOCAL && (*where = assigns(body, e->local))) return e;
    for (int32_t i = 0; i < e->nargs; i++) {
        const ir_expr *r = carried_read(e->args[i], body, where);
        if (r) return r;
    }
    return NULL;
}

/* `while` loops stay sequential (their trip count is only known by running them): --explain
 * names the carried variable that the condition reads and the body updates. */
static void walk_while(par_st *p, const ir_stmt *st) {
    if (!p->out) return;
    const char *file = p->cur->src ? p->cur->src->name : "?";
    const char *fnm = p->cur->src_name ? p->cur->src_name : p->cur->name;
    const ir_stmt *at = NULL;
    const ir_expr *r = carried_read(st->expr, &st->body, &at);
    if (r)
        fprintf(p->out,
                "%s:%d:%d: sequential: while loop in %s: `%s` is carried from one iteration to the next (read by "
                "the condition at %d:%d, assigned at %d:%d)\n",
                file, st->line, st->col, fnm, r->local->name, r->line, r->col, at->line, at->col);
    else
        fprintf(p->out, "%s:%d:%d: sequential: while loop in %s: the condition changes only by leaving the loop "
                "(break, return or raise)\n", file, st->line, st->col, fnm);
}

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

/* Why the call b in `a OP b` cannot be forked (run while a runs), or NULL. */
static const char *fork_problem(par_st *p, const ir_expr *a, const ir_expr *b) {
    if (b->kind != IR_E_CALL || a->kind != IR_E_CALL) return "not two calls";
    if (b->env || !b->func || b->func->extern_sym) return "the second call is a closure or extern call";
    if (p->impure[b->func->id]) return "the second call uses random/time";
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
                    c->kind == IR_COMP_LIST   ? "per-block pieces concatenated in order"
                    : c->kind == IR_COMP_DICT ? "per-block dicts merged in order: later keys win, first positions kept"
                    : c->kind == IR_COMP_ANY || c->kind == IR_COMP_ALL
                        ? "the first block with a hit or an error decides; later blocks are skipped"
                        : "per-block partials combined in a fixed tree");
    }
}

static bool reads_local(const ir_expr *e, const ir_local *l) {
    if (!e) return false;
    if (e->kind == IR_E_LOCAL && e->local == l) return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (reads_local(e->args[i], l)) return true;
    return false;
}

/* `a = f(x)` followed by `b = g(y)`: g's call may run while f's does (a fork, as for `f(x) OP
 * g(y)`) when fork_problem allows it, y does not read a, and a and b differ. Marks the second
 * call par (codegen: cg_par_stmt_pair) and returns true. */
static bool walk_stmt_pair(par_st *p, ir_stmt *st, ir_stmt *nx) {
    if (st->kind != IR_S_ASSIGN || nx->kind != IR_S_ASSIGN || !st->local || !nx->local) return false;
    if (st->expr->kind != IR_E_CALL || nx->expr->kind != IR_E_CALL || st->local == nx->local) return false;
    const char *why = fork_problem(p, st->expr, nx->expr);
    if (!why && reads_local(nx->expr, st->local)) why = "the second call reads the first one's result";
    nx->expr->par = why == NULL;
    p->nmarked += why == NULL;
    if (p->out) {
        const char *file = p->cur->src ? p->cur->src->name : "?";
        const char *fnm = p->cur->src_name ? p->cur->src_name : p->cur->name;
        if (why)
            fprintf(p->out, "%s:%d:%d: sequential: calls in consecutive statements in %s: %s\n", file, nx->line,
                    nx->col, fnm, why);
        else
            fprintf(p->out, "%s:%d:%d: parallel: fork of the call to %s while the statement at line %d runs, in %s\n",
                    file, nx->expr->line, nx->expr->col, nx->expr->func->src_name, st->line, fnm);
    }
    return why == NULL;
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
    bool paired = false; /* items[i - 1] is the second statement of a pair (codegen pairs greedily) */
    for (int32_t i = 0; i < b->len; i++) {
        ir_stmt *st = b->items[i];
        paired = i > 0 && !paired && walk_stmt_pair(p, b->items[i - 1], st);
        if (st->kind == IR_S_FOR) walk_for(p, st);
        if (st->kind == IR_S_WHILE) walk_while(p, st);
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
