/* codegen statements and loops: cg_stmt mirrors ir_stmt_kind; iteration sources (range, list, str,
 * tuple, dict views, zip, enumerate) become counted loops that allocate nothing; comprehensions
 * and generator reductions (list, dict, sum, min/max, any/all, sorted, join) are lowered over the
 * same loops. try/except/else/finally uses ctx->exc tests and a per-try dispatch block. */
#include "codegen/cg_internal.h"
#include "runtime/value.h"

#include <stdlib.h>
#include <string.h>

#define B (f->base.s->b)
#define S (f->base.s)
#define CTX (f->base.ctx)

static LLVMValueRef i64c(cg_gfn *f, int64_t v) { return LLVMConstInt(S->t_i64, (unsigned long long)v, 1); }
static LLVMValueRef rt(cg_gfn *f, const char *name, LLVMValueRef *args, unsigned n) {
    return cg_call_rt(&f->base, name, args, n);
}
static bool terminated(cg_gfn *f) { return LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(B)) != NULL; }
/* Continue emitting in a fresh block after a jump (code after break/return/raise is dead). */
static void dead_block(cg_gfn *f) { LLVMPositionBuilderAtEnd(B, cg_block(&f->base, "dead")); }

static void stmt(cg_gfn *f, const ir_stmt *st);

void cg_block_stmts(cg_gfn *f, const ir_block *b) {
    for (int32_t i = 0; i < b->len && !f->g->err; i++) {
        if (terminated(f)) dead_block(f);
        if (i + 1 < b->len && cg_par_stmt_pair(f, b->items[i], b->items[i + 1])) {
            i++; /* issue 6: two statements, the second call forked (codegen/cg_par.c) */
            continue;
        }
        stmt(f, b->items[i]);
    }
}

void cg_assign_local(cg_gfn *f, const ir_local *l, cg_val v) {
    LLVMValueRef sl = f->local_slot[l->id];
    if (!cg_is_obj(l->type)) {
        LLVMBuildStore(B, v.v, sl);
        return;
    }
    if (!f->local_owned[l->id]) { /* a borrowed loop variable (cg_loop_borrowed): no RC traffic */
        if (v.owned) cg_fail(f->g, "codegen: owned value bound to the borrowed loop variable '%s'", l->name);
        LLVMBuildStore(B, v.v, sl);
        return;
    }
    LLVMValueRef nv = cg_take(f, &v, l->type);
    LLVMValueRef old = LLVMBuildLoad2(B, S->t_ptr, sl, "old");
    LLVMBuildStore(B, nv, sl);
    ir_type opt = *l->type;
    opt.kind = IR_T_OPTIONAL; /* the slot may still be NULL (unassigned, or moved) */
    cg_val o = cg_owned(f, old, &opt);
    cg_release(f, &o, &opt);
}

/* Releases an owned value kept in a temp slot, wherever control reaches this point from. */
static void release_slot(cg_gfn *f, LLVMValueRef tslot) {
    if (!tslot) return;
    static const ir_type opt_any = {.kind = IR_T_OPTIONAL};
    LLVMValueRef v = LLVMBuildLoad2(B, S->t_ptr, tslot, "");
    LLVMBuildStore(B, LLVMConstNull(S->t_ptr), tslot);
    cg_decref(f, v, &opt_any);
}

/* ---- iteration sources ------------------------------------------------------------------------ */

static void src_prepare(cg_gfn *f, const ir_iter *it, cg_iterst *st) {
    memset(st, 0, sizeof *st);
    st->it = it;
    cg_set_line(&f->base, it->line);
    switch (it->kind) {
    case IR_IT_RANGE: {
        cg_val a = cg_expr(f, it->a), b = cg_expr(f, it->b);
        cg_val c = it->c ? cg_expr(f, it->c) : cg_borrowed(i64c(f, 1));
        st->start = a.v;
        st->step = c.v;
        if (LLVMIsAConstantInt(c.v) && LLVMConstIntGetSExtValue(c.v) == 1) {
            LLVMValueRef d = LLVMBuildSub(B, b.v, a.v, "");
            LLVMValueRef pos = LLVMBuildICmp(B, LLVMIntSGT, b.v, a.v, "");
            st->count = LLVMBuildSelect(B, pos, d, i64c(f, 0), "");
        } else {
            LLVMBasicBlockRef bad = cg_block(&f->base, "range.zero");
            cg_br_unlikely(&f->base, LLVMBuildICmp(B, LLVMIntEQ, c.v, i64c(f, 0), ""), bad);
            LLVMBasicBlockRef ok = LLVMGetInsertBlock(B);
            LLVMPositionBuilderAtEnd(B, bad);
            cg_raise_const(&f->base, PF_EXC_VALUE, "range() arg 3 must not be zero");
            LLVMPositionBuilderAtEnd(B, ok);
            LLVMValueRef args[3] = {a.v, b.v, c.v};
            st->count = rt(f, "rt_range_len", args, 3);
        }
        break;
    }
    case IR_IT_LIST:
    case IR_IT_STR:
    case IR_IT_TUPLE:
    case IR_IT_DICT_KEYS:
    case IR_IT_DICT_VALUES:
    case IR_IT_DICT_ITEMS: {
        cg_val c = cg_expr(f, it->a);
        if (it->a->kind == IR_E_LOCAL && !f->local_owned[it->a->local->id]) {
            /* a local never rebound while it is live (unassigned parameter, borrowed loop
             * variable): its value outlives the loop, no reference needed */
            st->owned_cont = cg_borrowed(c.v);
        } else {
            /* hold a reference for the whole loop: the body may rebind the name it came from */
            st->owned_cont = cg_owned(f, cg_take(f, &c, it->a->type), it->a->type);
        }
        st->cont = st->owned_cont.v;
        if (it->kind == IR_IT_TUPLE)
            st->count = i64c(f, it->a->type->n);
        else if (it->kind == IR_IT_STR) {
            st->pos = cg_alloca(&f->base, S->t_i64, "strpos");
            LLVMBuildStore(B, i64c(f, 0), st->pos);
        } else if (!(it->kind == IR_IT_LIST && cg_param_list(f, it->a, &st->count, &st->data)))
            st->count = cg_load_field(f, st->cont, 8, S->t_i64);
        /* the loop holds a reference (or the list is a local never rebound): no one can grow or
         * rewrite it in place while the loop runs, so its length and array are loaded once */
        if (it->kind == IR_IT_LIST && !st->data) st->data = cg_load_field(f, st->cont, 24, S->t_ptr);
        break;
    }
    case IR_IT_ZIP:
    case IR_IT_ENUMERATE: {
        st->subs = calloc((size_t)it->nsubs, sizeof *st->subs);
        for (int32_t i = 0; i < it->nsubs; i++) src_prepare(f, it->subs[i], &st->subs[i]);
        if (it->kind == IR_IT_ENUMERATE) st->start = it->a ? cg_expr(f, it->a).v : i64c(f, 0);
        break;
    }
    }
}

/* i1: does the source have an element at position idx? */
static LLVMValueRef src_has(cg_gfn *f, cg_iterst *st, LLVMValueRef idx) {
    switch (st->it->kind) {
    case IR_IT_ZIP:
    case IR_IT_ENUMERATE: {
        LLVMValueRef r = LLVMConstInt(S->t_i1, 1, 0);
        for (int32_t i = 0; i < st->it->nsubs; i++) r = LLVMBuildAnd(B, r, src_has(f, &st->subs[i], idx), "");
        return r;
    }
    case IR_IT_STR:
        return LLVMBuildICmp(B, LLVMIntSLT, LLVMBuildLoad2(B, S->t_i64, st->pos, ""),
                             cg_load_field(f, st->cont, 8, S->t_i64), "");
    default: return LLVMBuildICmp(B, LLVMIntSLT, idx, st->count, "");
    }
}

static void src_bind(cg_gfn *f, cg_iterst *st, LLVMValueRef idx) {
    const ir_iter *it = st->it;
    switch (it->kind) {
    case IR_IT_RANGE:
        cg_assign_local(f, it->var, cg_borrowed(LLVMBuildAdd(B, st->start, LLVMBuildMul(B, idx, st->step, ""), "")));
        break;
    case IR_IT_LIST: {
        LLVMValueRef i = idx;
        if (it->reverse) i = LLVMBuildSub(B, LLVMBuildSub(B, st->count, i64c(f, 1), ""), idx, "");
        LLVMValueRef v = LLVMBuildLoad2(B, S->t_i64, LLVMBuildGEP2(B, S->t_i64, st->data, &i, 1, ""), "");
        cg_assign_local(f, it->var, cg_borrowed(cg_from_slot(f, v, it->var->type)));
        break;
    }
    case IR_IT_TUPLE: {
        LLVMValueRef off = LLVMBuildAdd(B, LLVMBuildMul(B, idx, i64c(f, 8), ""), i64c(f, 24), "");
        LLVMValueRef v = LLVMBuildLoad2(B, S->t_i64, LLVMBuildGEP2(B, S->t_i8, st->cont, &off, 1, ""), "");
        cg_assign_local(f, it->var, cg_borrowed(cg_from_slot(f, v, it->var->type)));
        break;
    }
    case IR_IT_STR: {
        LLVMValueRef args[3] = {CTX, st->cont, st->pos};
        LLVMValueRef ch = rt(f, "rt_str_next_char", args, 3);
        cg_assign_local(f, it->var, cg_owned(f, ch, it->var->type));
        break;
    }
    case IR_IT_DICT_KEYS:
    case IR_IT_DICT_VALUES:
    case IR_IT_DICT_ITEMS: {
        LLVMValueRef ents = cg_load_field(f, st->cont, 24, S->t_ptr);
        LLVMValueRef base = LLVMBuildMul(B, idx, i64c(f, 24), "");
        if (it->kind != IR_IT_DICT_VALUES) {
            LLVMValueRef off = LLVMBuildAdd(B, base, i64c(f, 8), "");
            LLVMValueRef k = LLVMBuildLoad2(B, S->t_i64, LLVMBuildGEP2(B, S->t_i8, ents, &off, 1, ""), "");
            cg_assign_local(f, it->var, cg_borrowed(cg_from_slot(f, k, it->var->type)));
        }
        if (it->kind != IR_IT_DICT_KEYS) {
            const ir_local *vl = it->kind == IR_IT_DICT_ITEMS ? it->var2 : it->var;
            LLVMValueRef off = LLVMBuildAdd(B, base, i64c(f, 16), "");
            LLVMValueRef v = LLVMBuildLoad2(B, S->t_i64, LLVMBuildGEP2(B, S->t_i8, ents, &off, 1, ""), "");
            if (vl) cg_assign_local(f, vl, cg_borrowed(cg_from_slot(f, v, vl->type)));
        }
        break;
    }
    case IR_IT_ZIP:
        for (int32_t i = 0; i < it->nsubs; i++) src_bind(f, &st->subs[i], idx);
        break;
    case IR_IT_ENUMERATE:
        cg_assign_local(f, it->var, cg_borrowed(LLVMBuildAdd(B, st->start, idx, "")));
        src_bind(f, &st->subs[0], idx);
        break;
    }
    cg_block_stmts(f, &it->bind);
}

void cg_iter_begin(cg_gfn *f, const ir_iter *it, cg_iterst *st) {
    src_prepare(f, it, st);
    st->idx = cg_alloca(&f->base, S->t_i64, "idx");
    LLVMBuildStore(B, i64c(f, 0), st->idx);
    st->head = cg_block(&f->base, "loop.head");
    st->latch = cg_block(&f->base, "loop.latch");
    st->exit = cg_block(&f->base, "loop.exit");
    LLVMBuildBr(B, st->head);
    LLVMPositionBuilderAtEnd(B, st->head);
    LLVMValueRef idx = LLVMBuildLoad2(B, S->t_i64, st->idx, "i");
    LLVMBasicBlockRef body = cg_block(&f->base, "loop.body");
    LLVMBuildCondBr(B, src_has(f, st, idx), body, st->exit);
    LLVMPositionBuilderAtEnd(B, body);
    src_bind(f, st, idx);
}

static void poll(cg_gfn *f) {
    if (cg_rtfn_id("rt_poll_slow") >= 0) cg_poll(&f->base);
}

void cg_iter_end(cg_gfn *f, cg_iterst *st) {
    if (!terminated(f)) LLVMBuildBr(B, st->latch);
    LLVMPositionBuilderAtEnd(B, st->latch);
    LLVMValueRef i = LLVMBuildLoad2(B, S->t_i64, st->idx, "");
    LLVMBuildStore(B, LLVMBuildAdd(B, i, i64c(f, 1), ""), st->idx);
    poll(f);
    LLVMBuildBr(B, st->head);
    LLVMPositionBuilderAtEnd(B, st->exit);
}

/* Releases the containers the loop held (at its exit, and on early exits). */
void cg_iter_release(cg_gfn *f, cg_iterst *st) {
    if (st->owned_cont.owned) release_slot(f, st->owned_cont.tslot);
    if (st->subs)
        for (int32_t i = 0; i < st->it->nsubs; i++) cg_iter_release(f, &st->subs[i]);
}

static void iter_free(cg_iterst *st) {
    if (st->subs) {
        for (int32_t i = 0; i < st->it->nsubs; i++) iter_free(&st->subs[i]);
        free(st->subs);
    }
}

/* ---- comprehensions and generator reductions ------------------------------------------------ */

typedef struct comp_st {
    const ir_expr *e;
    const ir_comp *c;
    LLVMValueRef acc;          /* LIST/DICT/SORTED/JOIN: temp slot of the collection; SUM: acc alloca */
    LLVMValueRef best, have;   /* MIN/MAX: best value alloca (or temp slot), have-one flag */
    LLVMValueRef best_key;     /* MIN/MAX with key= */
    LLVMValueRef *bests;       /* MIN/MAX over register tuples: one alloca per component */
    LLVMValueRef count;        /* SORTED with key: running index */
    LLVMBasicBlockRef early;   /* ANY/ALL: leave all loops */
    cg_iterst *levels;
    int32_t nlevels;
    const ir_type *coll_type;  /* type of the collection being built */
    ir_type deco, *deco_elems[3]; /* SORTED with key: tuple[key, int, T] */
    ir_type lst, *lst_elems[1];   /* JOIN: list[str] being collected */
    LLVMValueRef bests_arr[8];
} comp_st;

static const ir_type *int_type(cg_gfn *f) {
    for (int32_t i = 0; i < f->g->mod->ntypes; i++)
        if (f->g->mod->types[i]->kind == IR_T_INT) return f->g->mod->types[i];
    static const ir_type t = {.kind = IR_T_INT, .id = -1};
    return &t;
}

/* Are all components of the tuple expression scalars? Then min/max keeps it in registers. */
static bool register_tuple(const ir_expr *x) {
    if (x->kind != IR_E_TUPLE) return false;
    for (int32_t i = 0; i < x->nargs; i++)
        if (!cg_is_scalar(x->args[i]->type) || x->args[i]->type->kind == IR_T_NONE) return false;
    return x->nargs > 0 && x->nargs <= 8;
}

/* Lexicographic a < b over register tuples. */
static LLVMValueRef tuple_less(cg_gfn *f, const ir_expr *x, LLVMValueRef *a, LLVMValueRef *b) {
    LLVMValueRef r = LLVMConstInt(S->t_i1, 0, 0);
    for (int32_t i = x->nargs - 1; i >= 0; i--) {
        const ir_type *t = x->args[i]->type;
        LLVMValueRef lt = cg_less(f, a[i], b[i], t);
        LLVMValueRef eq = cg_eq(f, a[i], b[i], t);
        r = LLVMBuildOr(B, lt, LLVMBuildAnd(B, eq, r, ""), "");
    }
    return r;
}

static void comp_element(cg_gfn *f, comp_st *cs) {
    const ir_comp *c = cs->c;
    const ir_type *rt_ = cs->e->type;
    switch (c->kind) {
    case IR_COMP_LIST:
    case IR_COMP_SORTED:
    case IR_COMP_JOIN: {
        const ir_type *et = cs->coll_type->elems[0];
        LLVMValueRef xs = LLVMBuildLoad2(B, S->t_ptr, cs->acc, "");
        LLVMValueRef sv;
        if (c->kind == IR_COMP_SORTED && c->key_fn) {
            /* decorate: (key, index, element) so equal keys keep their order */
            cg_val x = cg_expr(f, c->elt);
            const ir_type *xt = c->elt->type;
            LLVMValueRef xo = cg_take(f, &x, xt);
            cg_val xh = cg_owned(f, xo, xt);
            cg_assign_local(f, c->key_var, cg_borrowed(xo));
            cg_val k = cg_expr(f, c->key_fn);
            const ir_type *kt = c->key_fn->type;
            LLVMValueRef args[2] = {CTX, cg_type_desc(f->g, &cs->deco)};
            LLVMValueRef rec = rt(f, "rt_rec_new", args, 2);
            cg_store_field(f, rec, 24, cg_to_slot(f, cg_take(f, &k, kt), kt));
            LLVMValueRef n = LLVMBuildLoad2(B, S->t_i64, cs->count, "");
            /* reverse=True sorts descending: a negated index keeps equal keys in input order */
            cg_store_field(f, rec, 32, c->reverse ? LLVMBuildNeg(B, n, "") : n);
            LLVMBuildStore(B, LLVMBuildAdd(B, n, i64c(f, 1), ""), cs->count);
            cg_store_field(f, rec, 40, cg_to_slot(f, cg_take(f, &xh, xt), xt));
            sv = LLVMBuildPtrToInt(B, rec, S->t_i64, "");
        } else {
            cg_val x = cg_expr(f, c->elt);
            sv = cg_to_slot(f, cg_take(f, &x, et), et);
        }
        /* push: a store while there is room (the capacity is usually the source's length) */
        LLVMValueRef len = cg_load_field(f, xs, 8, S->t_i64);
        LLVMBasicBlockRef room = cg_block(&f->base, "push.room"), grow = cg_block(&f->base, "push.grow");
        LLVMBasicBlockRef pushed = cg_block(&f->base, "push.done");
        LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSLT, len, cg_load_field(f, xs, 16, S->t_i64), ""), room, grow);
        LLVMPositionBuilderAtEnd(B, room);
        LLVMValueRef data = cg_load_field(f, xs, 24, S->t_ptr);
        LLVMBuildStore(B, sv, LLVMBuildGEP2(B, S->t_i64, data, &len, 1, ""));
        cg_store_field(f, xs, 8, LLVMBuildAdd(B, len, i64c(f, 1), ""));
        LLVMBuildBr(B, pushed);
        LLVMPositionBuilderAtEnd(B, grow);
        LLVMValueRef args[3] = {CTX, xs, sv};
        rt(f, "rt_list_push", args, 3);
        LLVMBuildBr(B, pushed);
        LLVMPositionBuilderAtEnd(B, pushed);
        break;
    }
    case IR_COMP_DICT: {
        const ir_type *kt = rt_->elems[0], *vt = rt_->elems[1];
        cg_val k = cg_expr(f, c->key);
        cg_val v = cg_expr(f, c->elt);
        LLVMValueRef d = LLVMBuildLoad2(B, S->t_ptr, cs->acc, "");
        LLVMBuildStore(B, LLVMConstNull(S->t_ptr), cs->acc); /* consumed by rt_dict_set */
        LLVMValueRef args[4] = {CTX, d, cg_to_slot(f, cg_take(f, &k, kt), kt), cg_to_slot(f, cg_take(f, &v, vt), vt)};
        cg_set_line(&f->base, cs->e->line);
        LLVMValueRef nd = rt(f, "rt_dict_set", args, 4);
        LLVMBuildStore(B, nd, cs->acc);
        break;
    }
    case IR_COMP_SUM: {
        cg_val x = cg_expr(f, c->elt);
        LLVMValueRef a = LLVMBuildLoad2(B, cg_ltype(f->g, rt_), cs->acc, "");
        cg_set_line(&f->base, cs->e->line);
        LLVMValueRef s = rt_->kind == IR_T_FLOAT ? LLVMBuildFAdd(B, a, x.v, "") : cg_int_add(&f->base, a, x.v);
        LLVMBuildStore(B, s, cs->acc);
        break;
    }
    case IR_COMP_ANY:
    case IR_COMP_ALL: {
        cg_val x = cg_expr(f, c->elt);
        LLVMValueRef tv = cg_truth(f, x.v, c->elt->type);
        cg_release(f, &x, c->elt->type);
        LLVMValueRef hit = c->kind == IR_COMP_ANY ? tv : LLVMBuildNot(B, tv, "");
        LLVMBasicBlockRef yes = cg_block(&f->base, "anyall.hit"), no = cg_block(&f->base, "anyall.next");
        LLVMBuildCondBr(B, hit, yes, no);
        LLVMPositionBuilderAtEnd(B, yes);
        LLVMBuildStore(B, LLVMConstInt(S->t_i1, c->kind == IR_COMP_ANY, 0), cs->acc);
        LLVMBuildBr(B, cs->early);
        LLVMPositionBuilderAtEnd(B, no);
        break;
    }
    case IR_COMP_MIN:
    case IR_COMP_MAX: {
        bool is_min = c->kind == IR_COMP_MIN;
        LLVMValueRef have = LLVMBuildLoad2(B, S->t_i1, cs->have, "");
        if (cs->bests) {
            const ir_expr *x = c->elt;
            LLVMValueRef cur[8], old[8];
            for (int32_t i = 0; i < x->nargs; i++) {
                cur[i] = cg_expr(f, x->args[i]).v;
                old[i] = LLVMBuildLoad2(B, cg_ltype(f->g, x->args[i]->type), cs->bests[i], "");
            }
            LLVMValueRef better = is_min ? tuple_less(f, x, cur, old) : tuple_less(f, x, old, cur);
            better = LLVMBuildOr(B, better, LLVMBuildNot(B, have, ""), "");
            for (int32_t i = 0; i < x->nargs; i++)
                LLVMBuildStore(B, LLVMBuildSelect(B, better, cur[i], old[i], ""), cs->bests[i]);
            LLVMBuildStore(B, LLVMConstInt(S->t_i1, 1, 0), cs->have);
            break;
        }
        const ir_type *t = rt_;
        const ir_type *kt = c->key_fn ? c->key_fn->type : t;
        cg_val x = cg_expr(f, c->elt);
        LLVMValueRef xv = x.v;
        cg_val k = x;
        if (c->key_fn) {
            cg_assign_local(f, c->key_var, cg_borrowed(xv));
            k = cg_expr(f, c->key_fn);
        }
        LLVMValueRef bk = LLVMBuildLoad2(B, cg_ltype(f->g, kt), c->key_fn ? cs->best_key : cs->best, "");
        LLVMBasicBlockRef cmpb = cg_block(&f->base, "mm.cmp"), take = cg_block(&f->base, "mm.take");
        LLVMBasicBlockRef skip = cg_block(&f->base, "mm.skip");
        LLVMBuildCondBr(B, have, cmpb, take);
        LLVMPositionBuilderAtEnd(B, cmpb);
        cg_set_line(&f->base, cs->e->line);
        LLVMValueRef better = is_min ? cg_less(f, k.v, bk, kt) : cg_less(f, bk, k.v, kt);
        LLVMBuildCondBr(B, better, take, skip);
        LLVMPositionBuilderAtEnd(B, take);
        /* new best: own it (and its key), drop the previous ones */
        if (cg_is_obj(t)) {
            LLVMValueRef old = LLVMBuildLoad2(B, S->t_ptr, cs->best, "");
            cg_incref(f, xv, t);
            LLVMBuildStore(B, xv, cs->best);
            ir_type opt = {.kind = IR_T_OPTIONAL};
            cg_decref(f, old, &opt);
        } else {
            LLVMBuildStore(B, xv, cs->best);
        }
        if (c->key_fn) {
            if (cg_is_obj(kt)) {
                LLVMValueRef old = LLVMBuildLoad2(B, S->t_ptr, cs->best_key, "");
                cg_incref(f, k.v, kt);
                LLVMBuildStore(B, k.v, cs->best_key);
                ir_type opt = {.kind = IR_T_OPTIONAL};
                cg_decref(f, old, &opt);
            } else {
                LLVMBuildStore(B, k.v, cs->best_key);
            }
        }
        LLVMBuildStore(B, LLVMConstInt(S->t_i1, 1, 0), cs->have);
        LLVMBuildBr(B, skip);
        LLVMPositionBuilderAtEnd(B, skip);
        if (c->key_fn) cg_release(f, &k, kt);
        cg_release(f, &x, t);
        break;
    }
    }
}

/* Nested clauses, left to right: for-clauses open loops, filters skip to the innermost latch. */
static void comp_clauses(cg_gfn *f, comp_st *cs, int32_t i) {
    const ir_comp *c = cs->c;
    if (i == c->nclauses) {
        comp_element(f, cs);
        return;
    }
    const ir_clause *cl = &c->clauses[i];
    if (cl->iter) {
        cg_iterst *st = &cs->levels[cs->nlevels++];
        cg_iter_begin(f, cl->iter, st);
        comp_clauses(f, cs, i + 1);
        cg_iter_end(f, st);
        cg_iter_release(f, st);
        return;
    }
    cg_val cond = cg_expr(f, cl->cond);
    LLVMBasicBlockRef yes = cg_block(&f->base, "comp.if"), no = cg_block(&f->base, "comp.skip");
    LLVMBuildCondBr(B, cond.v, yes, no);
    LLVMPositionBuilderAtEnd(B, yes);
    comp_clauses(f, cs, i + 1);
    if (!terminated(f)) LLVMBuildBr(B, no);
    LLVMPositionBuilderAtEnd(B, no);
}

/* A constant, a local or len(local): reading it again before the loop costs nothing and changes nothing. */
static bool cheap_int(const ir_expr *x) {
    if (x && x->kind == IR_E_OP && x->op == IR_OP_LEN) return x->args[0]->kind == IR_E_LOCAL;
    return x && (x->kind == IR_E_INT || x->kind == IR_E_LOCAL);
}

/* How many elements `it` yields, when that is known before the loop without side effects: a
 * range with constant or local bounds and a constant positive step, a list in a local, zip and
 * enumerate of those. NULL if not known. */
static LLVMValueRef iter_count(cg_gfn *f, const ir_iter *it) {
    switch (it->kind) {
    case IR_IT_RANGE: {
        if (!cheap_int(it->a) || !cheap_int(it->b) || (it->c && (it->c->kind != IR_E_INT || it->c->ival <= 0)))
            return NULL;
        LLVMValueRef a = cg_expr(f, it->a).v, b = cg_expr(f, it->b).v, s = i64c(f, it->c ? it->c->ival : 1);
        /* b > a: (b - a - 1) / s + 1, unsigned (b - a may exceed INT64_MAX) */
        LLVMValueRef n = LLVMBuildAdd(B, LLVMBuildUDiv(B, LLVMBuildSub(B, LLVMBuildSub(B, b, a, ""), i64c(f, 1), ""), s, ""),
                                      i64c(f, 1), "");
        return LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSGT, b, a, ""), n, i64c(f, 0), "");
    }
    case IR_IT_LIST:
        if (it->a->kind != IR_E_LOCAL) return NULL;
        return cg_load_field(f, LLVMBuildLoad2(B, S->t_ptr, f->local_slot[it->a->local->id], ""), 8, S->t_i64);
    case IR_IT_ENUMERATE: return iter_count(f, it->subs[0]);
    case IR_IT_ZIP: {
        LLVMValueRef n = NULL;
        for (int32_t i = 0; i < it->nsubs; i++) {
            LLVMValueRef k = iter_count(f, it->subs[i]);
            if (!k) return NULL;
            n = n ? LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSLT, k, n, ""), k, n, "") : k;
        }
        return n;
    }
    default: return NULL;
    }
}

/* Capacity hint for a list comprehension: the length of a single unfiltered source, at most
 * 2^24 slots (a hint: the list still grows past it, and an element that raises early must not
 * have allocated a huge buffer first). */
static LLVMValueRef comp_capacity(cg_gfn *f, const ir_comp *c) {
    if (c->nclauses != 1 || !c->clauses[0].iter) return i64c(f, 0);
    LLVMValueRef n = iter_count(f, c->clauses[0].iter);
    if (!n) return i64c(f, 0);
    LLVMValueRef cap = i64c(f, (int64_t)1 << 24);
    return LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntULT, n, cap, ""), n, cap, "");
}

/* min/max of a register tuple without a default: its components stay in registers, so `[k]` of
 * the result needs no tuple (cg_comp_part). */
static bool has_parts(const ir_expr *e) {
    const ir_comp *c = e->kind == IR_E_COMP ? e->comp : NULL;
    return c && (c->kind == IR_COMP_MIN || c->kind == IR_COMP_MAX) && !c->key_fn && !c->init &&
           register_tuple(c->elt);
}

/* The comprehension e; part >= 0 (only when has_parts(e)): component `part` of its tuple result. */
static cg_val comp(cg_gfn *f, const ir_expr *e, int32_t part) {
    const ir_comp *c = e->comp;
    if (c->par) return cg_par_comp(f, e, part); /* issue 6: codegen/cg_par.c */
    comp_st cs;
    memset(&cs, 0, sizeof cs);
    cs.e = e;
    cs.c = c;
    cg_iterst levels[16];
    int32_t nfor = 0;
    for (int32_t i = 0; i < c->nclauses; i++) nfor += c->clauses[i].iter != NULL;
    if (nfor > 16) {
        cg_fail(f->g, "codegen: comprehension nested too deeply");
        return cg_borrowed(NULL);
    }
    cs.levels = levels;
    const ir_type *t = e->type;
    cg_set_line(&f->base, e->line);
    if (part >= 0) t = c->elt->args[part]->type;
    LLVMBasicBlockRef done = cg_block(&f->base, "comp.done");
    switch (c->kind) {
    case IR_COMP_LIST:
    case IR_COMP_SORTED:
    case IR_COMP_JOIN: {
        cs.coll_type = t;
        if (c->kind == IR_COMP_JOIN) {
            /* collect list[str] then join: use the descriptor of a list of the element type */
            cs.lst.kind = IR_T_LIST;
            cs.lst.id = -1;
            cs.lst.n = 1;
            cs.lst_elems[0] = c->elt->type;
            cs.lst.elems = cs.lst_elems;
            cs.coll_type = &cs.lst;
        }
        const ir_type *lt = cs.coll_type;
        if (c->kind == IR_COMP_SORTED && c->key_fn) {
            cs.deco.kind = IR_T_TUPLE;
            cs.deco.id = -1;
            cs.deco.n = 3;
            cs.deco_elems[0] = c->key_fn->type;
            cs.deco_elems[1] = (ir_type *)int_type(f);
            cs.deco_elems[2] = c->elt->type;
            cs.deco.elems = cs.deco_elems;
            cs.count = cg_alloca(&f->base, S->t_i64, "sortidx");
            LLVMBuildStore(B, i64c(f, 0), cs.count);
            cs.lst.kind = IR_T_LIST; /* the decorated list: list[tuple[key, int, T]] */
            cs.lst.id = -1;
            cs.lst.n = 1;
            cs.lst_elems[0] = &cs.deco;
            cs.lst.elems = cs.lst_elems;
            cs.coll_type = &cs.lst;
            lt = cs.coll_type;
        }
        LLVMValueRef args[3] = {CTX, cg_type_desc(f->g, lt), c->kind == IR_COMP_LIST ? comp_capacity(f, c) : i64c(f, 0)};
        LLVMValueRef xs = rt(f, "rt_list_new", args, 3);
        cs.acc = cg_temp_slot(f);
        LLVMBuildStore(B, xs, cs.acc);
        break;
    }
    case IR_COMP_DICT: {
        LLVMValueRef args[3] = {CTX, cg_type_desc(f->g, t), i64c(f, 0)};
        cs.acc = cg_temp_slot(f);
        LLVMBuildStore(B, rt(f, "rt_dict_new", args, 3), cs.acc);
        break;
    }
    case IR_COMP_SUM: {
        cs.acc = cg_alloca(&f->base, cg_ltype(f->g, t), "sum");
        cg_val init = c->init ? cg_expr(f, c->init)
                              : cg_borrowed(t->kind == IR_T_FLOAT ? LLVMConstReal(S->t_f64, 0.0) : i64c(f, 0));
        LLVMBuildStore(B, init.v, cs.acc);
        break;
    }
    case IR_COMP_ANY:
    case IR_COMP_ALL:
        cs.acc = cg_alloca(&f->base, S->t_i1, "anyall");
        LLVMBuildStore(B, LLVMConstInt(S->t_i1, c->kind == IR_COMP_ALL, 0), cs.acc);
        cs.early = cg_block(&f->base, "anyall.early");
        break;
    case IR_COMP_MIN:
    case IR_COMP_MAX:
        cs.have = cg_alloca(&f->base, S->t_i1, "have");
        LLVMBuildStore(B, LLVMConstInt(S->t_i1, 0, 0), cs.have);
        if (!c->key_fn && register_tuple(c->elt)) {
            LLVMValueRef *bests = cs.bests_arr;
            for (int32_t i = 0; i < c->elt->nargs; i++) {
                LLVMTypeRef lt = cg_ltype(f->g, c->elt->args[i]->type);
                bests[i] = cg_alloca(&f->base, lt, "best");
                LLVMBuildStore(B, LLVMConstNull(lt), bests[i]);
            }
            cs.bests = bests;
        } else {
            if (cg_is_obj(t)) {
                cs.best = cg_temp_slot(f);
            } else {
                cs.best = cg_alloca(&f->base, cg_ltype(f->g, t), "best");
                LLVMBuildStore(B, LLVMConstNull(cg_ltype(f->g, t)), cs.best);
            }
            if (c->key_fn) {
                const ir_type *kt = c->key_fn->type;
                if (cg_is_obj(kt)) {
                    cs.best_key = cg_temp_slot(f);
                } else {
                    cs.best_key = cg_alloca(&f->base, cg_ltype(f->g, kt), "bestkey");
                    LLVMBuildStore(B, LLVMConstNull(cg_ltype(f->g, kt)), cs.best_key);
                }
            }
        }
        break;
    }

    comp_clauses(f, &cs, 0);
    if (!terminated(f)) LLVMBuildBr(B, done);
    if (cs.early) {
        LLVMPositionBuilderAtEnd(B, cs.early);
        for (int32_t i = 0; i < cs.nlevels; i++) cg_iter_release(f, &cs.levels[i]);
        LLVMBuildBr(B, done);
    }
    LLVMPositionBuilderAtEnd(B, done);
    for (int32_t i = 0; i < cs.nlevels; i++) iter_free(&cs.levels[i]);

    cg_val r = cg_borrowed(NULL);
    switch (c->kind) {
    case IR_COMP_LIST:
    case IR_COMP_DICT:
        r.v = LLVMBuildLoad2(B, S->t_ptr, cs.acc, "");
        r.tslot = cs.acc;
        r.owned = true;
        break;
    case IR_COMP_SORTED: {
        LLVMValueRef xs = LLVMBuildLoad2(B, S->t_ptr, cs.acc, "");
        LLVMBuildStore(B, LLVMConstNull(S->t_ptr), cs.acc);
        LLVMValueRef null = LLVMConstNull(S->t_ptr);
        cg_set_line(&f->base, e->line);
        LLVMValueRef args[6] = {CTX, xs, null, null, null, i64c(f, c->reverse)};
        LLVMValueRef sorted = rt(f, "rt_list_sorted", args, 6);
        if (!c->key_fn) {
            r = cg_owned(f, sorted, t);
            break;
        }
        /* undecorate: new list of the elements, in sorted order */
        cg_val dec = cg_owned(f, sorted, t);
        LLVMValueRef n = cg_load_field(f, sorted, 8, S->t_i64);
        LLVMValueRef nargs[3] = {CTX, cg_type_desc(f->g, t), n};
        LLVMValueRef out = rt(f, "rt_list_new", nargs, 3);
        r = cg_owned(f, out, t);
        LLVMValueRef i = cg_alloca(&f->base, S->t_i64, "ui");
        LLVMBuildStore(B, i64c(f, 0), i);
        LLVMBasicBlockRef head = cg_block(&f->base, "undeco.head"), body = cg_block(&f->base, "undeco.body");
        LLVMBasicBlockRef fin = cg_block(&f->base, "undeco.done");
        LLVMBuildBr(B, head);
        LLVMPositionBuilderAtEnd(B, head);
        LLVMValueRef iv = LLVMBuildLoad2(B, S->t_i64, i, "");
        LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSLT, iv, n, ""), body, fin);
        LLVMPositionBuilderAtEnd(B, body);
        LLVMValueRef data = cg_load_field(f, sorted, 24, S->t_ptr);
        LLVMValueRef rec = LLVMBuildIntToPtr(B, LLVMBuildLoad2(B, S->t_i64, LLVMBuildGEP2(B, S->t_i64, data, &iv, 1, ""), ""), S->t_ptr, "");
        const ir_type *et = t->elems[0];
        LLVMValueRef el = cg_from_slot(f, cg_load_field(f, rec, 40, S->t_i64), et);
        cg_incref(f, el, et);
        LLVMValueRef pargs[3] = {CTX, out, cg_to_slot(f, el, et)};
        rt(f, "rt_list_push", pargs, 3);
        LLVMBuildStore(B, LLVMBuildAdd(B, iv, i64c(f, 1), ""), i);
        LLVMBuildBr(B, head);
        LLVMPositionBuilderAtEnd(B, fin);
        cg_release(f, &dec, t);
        break;
    }
    case IR_COMP_JOIN: {
        cg_val sep = cg_expr(f, c->init);
        LLVMValueRef xs = LLVMBuildLoad2(B, S->t_ptr, cs.acc, "");
        LLVMValueRef args[3] = {CTX, sep.v, xs};
        cg_set_line(&f->base, e->line);
        r = cg_owned(f, rt(f, "rt_str_join", args, 3), t);
        release_slot(f, cs.acc);
        cg_release(f, &sep, c->init->type);
        break;
    }
    case IR_COMP_SUM:
        r = cg_borrowed(LLVMBuildLoad2(B, cg_ltype(f->g, t), cs.acc, ""));
        break;
    case IR_COMP_ANY:
    case IR_COMP_ALL:
        r = cg_borrowed(LLVMBuildLoad2(B, S->t_i1, cs.acc, ""));
        break;
    case IR_COMP_MIN:
    case IR_COMP_MAX: {
        LLVMValueRef have = LLVMBuildLoad2(B, S->t_i1, cs.have, "");
        LLVMBasicBlockRef empty = cg_block(&f->base, "mm.empty"), ok = cg_block(&f->base, "mm.ok");
        LLVMValueRef res = cg_alloca(&f->base, cg_ltype(f->g, t), "mm.res");
        LLVMValueRef rts = cg_is_obj(t) ? cg_temp_slot(f) : NULL;
        LLVMBasicBlockRef fin = cg_block(&f->base, "mm.done");
        LLVMBuildCondBr(B, have, ok, empty);
        LLVMPositionBuilderAtEnd(B, empty);
        if (c->init) {
            cg_val d = cg_expr(f, c->init);
            LLVMValueRef dv = cg_is_obj(t) ? cg_take(f, &d, t) : d.v;
            LLVMBuildStore(B, dv, res);
            if (rts) LLVMBuildStore(B, dv, rts);
            LLVMBuildBr(B, fin);
        } else {
            cg_set_line(&f->base, e->line);
            cg_raise_const(&f->base, PF_EXC_VALUE,
                           c->kind == IR_COMP_MIN ? "min() arg is an empty sequence" : "max() arg is an empty sequence");
        }
        LLVMPositionBuilderAtEnd(B, ok);
        if (part >= 0) {
            LLVMBuildStore(B, LLVMBuildLoad2(B, cg_ltype(f->g, t), cs.bests[part], ""), res);
        } else if (cs.bests) {
            const ir_expr *x = c->elt;
            LLVMValueRef args[2] = {CTX, cg_type_desc(f->g, t)};
            LLVMValueRef rec = rt(f, "rt_rec_new", args, 2);
            for (int32_t i = 0; i < x->nargs; i++) {
                const ir_type *ct = x->args[i]->type;
                LLVMValueRef bv = LLVMBuildLoad2(B, cg_ltype(f->g, ct), cs.bests[i], "");
                cg_store_field(f, rec, 24 + 8 * (unsigned)i, cg_to_slot(f, bv, ct));
            }
            LLVMBuildStore(B, rec, res);
            if (rts) LLVMBuildStore(B, rec, rts);
        } else {
            LLVMValueRef bv = LLVMBuildLoad2(B, cg_ltype(f->g, t), cs.best, "");
            if (cg_is_obj(t)) LLVMBuildStore(B, LLVMConstNull(S->t_ptr), cs.best); /* moved to the result */
            LLVMBuildStore(B, bv, res);
            if (rts) LLVMBuildStore(B, bv, rts);
        }
        if (cs.best_key) {
            const ir_type *kt = c->key_fn->type;
            if (cg_is_obj(kt)) release_slot(f, cs.best_key);
        }
        LLVMBuildBr(B, fin);
        LLVMPositionBuilderAtEnd(B, fin);
        r.v = LLVMBuildLoad2(B, cg_ltype(f->g, t), res, "");
        r.tslot = rts;
        r.owned = rts != NULL;
        break;
    }
    }
    return r;
}

cg_val cg_comp(cg_gfn *f, const ir_expr *e) { return comp(f, e, -1); }

bool cg_comp_part(cg_gfn *f, const ir_expr *e, int32_t part, cg_val *out) {
    if (!has_parts(e)) return false;
    *out = comp(f, e, part);
    return true;
}

/* ---- statements ------------------------------------------------------------------------------- */

/* Runs the finally bodies from the innermost down to (not including) depth `to`, for an exit
 * (return, break, continue) that leaves them. */
static void run_finals(cg_gfn *f, int32_t to) {
    int32_t saved = f->nfinals;
    for (int32_t i = saved - 1; i >= to && !terminated(f); i--) {
        f->nfinals = i; /* a finally body runs outside its own try */
        if (f->finals[i].body)
            cg_block_stmts(f, f->finals[i].body);
        else
            release_slot(f, f->finals[i].release);
    }
    f->nfinals = saved;
}

static void loop_push(cg_gfn *f, LLVMBasicBlockRef brk, LLVMBasicBlockRef cont) {
    if (f->nloops >= 64) {
        cg_fail(f->g, "codegen: loops nested too deeply");
        return;
    }
    cg_loop *l = &f->loops[f->nloops++];
    l->brk = brk;
    l->cont = cont;
    l->nfinally = f->nfinals;
}

static void stmt_for(cg_gfn *f, const ir_stmt *st) {
    if (st->par) {
        cg_par_for(f, st);
        return;
    }
    cg_iterst it;
    cg_iter_begin(f, st->iter, &it);
    LLVMBasicBlockRef brk = cg_block(&f->base, "for.break");
    loop_push(f, brk, it.latch);
    cg_block_stmts(f, &st->body);
    f->nloops--;
    cg_iter_end(f, &it);
    /* normal exit: release the sources, run else */
    cg_iter_release(f, &it);
    LLVMBasicBlockRef after = cg_block(&f->base, "for.after");
    cg_block_stmts(f, &st->orelse);
    if (!terminated(f)) LLVMBuildBr(B, after);
    LLVMPositionBuilderAtEnd(B, brk);
    cg_iter_release(f, &it);
    LLVMBuildBr(B, after);
    LLVMPositionBuilderAtEnd(B, after);
    iter_free(&it);
}

static void stmt_while(cg_gfn *f, const ir_stmt *st) {
    LLVMBasicBlockRef head = cg_block(&f->base, "while.head"), body = cg_block(&f->base, "while.body");
    LLVMBasicBlockRef latch = cg_block(&f->base, "while.latch"), exit = cg_block(&f->base, "while.exit");
    LLVMBasicBlockRef after = cg_block(&f->base, "while.after");
    LLVMBuildBr(B, head);
    LLVMPositionBuilderAtEnd(B, head);
    cg_val c = cg_expr(f, st->expr);
    LLVMBuildCondBr(B, c.v, body, exit);
    LLVMPositionBuilderAtEnd(B, body);
    loop_push(f, after, latch);
    cg_block_stmts(f, &st->body);
    f->nloops--;
    if (!terminated(f)) LLVMBuildBr(B, latch);
    LLVMPositionBuilderAtEnd(B, latch);
    poll(f);
    LLVMBuildBr(B, head);
    LLVMPositionBuilderAtEnd(B, exit);
    cg_block_stmts(f, &st->orelse);
    if (!terminated(f)) LLVMBuildBr(B, after);
    LLVMPositionBuilderAtEnd(B, after);
}

/* try: body / except handlers / else / finally.
 *   body's exceptions go to `dispatch`, which releases the body's temporaries and tries each
 *   handler's kinds (rt_exc_catch takes the exception); no match goes on to `fin_unwind`: the
 *   finally body runs with the exception set aside, which is then restored and propagated.
 *   return/break/continue inside run the finally body on their way out (run_finals). */
static void stmt_try(cg_gfn *f, const ir_stmt *st) {
    LLVMBasicBlockRef outer = f->base.unwind;
    bool has_final = st->finalbody.len > 0;
    LLVMBasicBlockRef after = cg_block(&f->base, "try.after");
    LLVMBasicBlockRef fin_unwind = has_final ? cg_block(&f->base, "try.finally.exc") : outer;
    LLVMBasicBlockRef dispatch = st->nhandlers ? cg_block(&f->base, "try.dispatch") : fin_unwind;
    if (has_final) {
        if (f->nfinals >= 32) {
            cg_fail(f->g, "codegen: try statements nested too deeply");
            return;
        }
        f->finals[f->nfinals].body = &st->finalbody;
        f->finals[f->nfinals++].release = NULL;
    }
    int32_t mark = f->ntemps;
    f->base.unwind = dispatch;
    cg_block_stmts(f, &st->body);
    int32_t body_end = f->ntemps;
    f->base.unwind = fin_unwind;
    /* else */
    if (!terminated(f)) cg_block_stmts(f, &st->orelse);
    LLVMBasicBlockRef normal_fin = cg_block(&f->base, "try.finally");
    if (!terminated(f)) LLVMBuildBr(B, normal_fin);

    if (st->nhandlers) {
        LLVMPositionBuilderAtEnd(B, dispatch);
        for (int32_t i = mark; i < body_end; i++) release_slot(f, f->temps[i]);
        for (int32_t h = 0; h < st->nhandlers; h++) {
            const ir_handler *hd = &st->handlers[h];
            LLVMValueRef caught = cg_temp_slot(f);
            LLVMBasicBlockRef run = cg_block(&f->base, "except"), next = cg_block(&f->base, "except.next");
            int32_t nk = hd->nkinds ? hd->nkinds : 1;
            for (int32_t k = 0; k < nk; k++) {
                int32_t kind = hd->nkinds ? hd->kinds[k] : PF_EXC_EXCEPTION;
                LLVMValueRef args[2] = {CTX, LLVMConstInt(S->t_i32, (unsigned long long)kind, 0)};
                LLVMTypeRef ty;
                LLVMValueRef fn = cg_rtfn(S, cg_rtfn_id("rt_exc_catch"), &ty);
                LLVMValueRef e = LLVMBuildCall2(B, ty, fn, args, 2, "");
                LLVMBuildStore(B, e, caught);
                LLVMBasicBlockRef more = k + 1 < nk ? cg_block(&f->base, "except.kind") : next;
                LLVMBuildCondBr(B, LLVMBuildIsNotNull(B, e, ""), run, more);
                LLVMPositionBuilderAtEnd(B, more);
            }
            LLVMPositionBuilderAtEnd(B, run);
            LLVMValueRef saved_handled = f->handled_exc;
            f->handled_exc = caught;
            if (hd->var) {
                LLVMValueRef e = LLVMBuildLoad2(B, S->t_ptr, caught, "");
                cg_assign_local(f, hd->var, cg_borrowed(e));
            }
            bool pushed = f->nfinals < 32;
            if (pushed) { /* break/continue/return out of the handler release the exception */
                f->finals[f->nfinals].body = NULL;
                f->finals[f->nfinals++].release = caught;
            }
            cg_block_stmts(f, &hd->body);
            if (pushed) f->nfinals--;
            f->handled_exc = saved_handled;
            if (!terminated(f)) {
                release_slot(f, caught);
                LLVMBuildBr(B, normal_fin);
            }
            LLVMPositionBuilderAtEnd(B, next);
        }
        LLVMBuildBr(B, fin_unwind);
    }
    if (has_final) f->nfinals--;
    f->base.unwind = outer;

    /* finally on the normal path */
    LLVMPositionBuilderAtEnd(B, normal_fin);
    cg_block_stmts(f, &st->finalbody);
    if (!terminated(f)) LLVMBuildBr(B, after);

    /* finally on the exception path: set the exception aside, run the body, restore it */
    if (has_final) {
        LLVMPositionBuilderAtEnd(B, fin_unwind);
        LLVMValueRef excp = LLVMBuildStructGEP2(B, S->t_ctx, CTX, 1, "");
        LLVMValueRef pending = cg_temp_slot(f);
        LLVMBuildStore(B, LLVMBuildLoad2(B, S->t_ptr, excp, ""), pending);
        LLVMBuildStore(B, LLVMConstNull(S->t_ptr), excp);
        cg_block_stmts(f, &st->finalbody);
        if (!terminated(f)) {
            LLVMBuildStore(B, LLVMBuildLoad2(B, S->t_ptr, pending, ""), excp);
            LLVMBuildStore(B, LLVMConstNull(S->t_ptr), pending);
            LLVMBuildBr(B, outer);
        }
    }
    LLVMPositionBuilderAtEnd(B, after);
}

static void stmt(cg_gfn *f, const ir_stmt *st) {
    cg_set_line(&f->base, st->line);
    switch (st->kind) {
    case IR_S_EXPR: {
        cg_val v = cg_expr(f, st->expr);
        cg_release(f, &v, st->expr->type);
        break;
    }
    case IR_S_ASSIGN: {
        f->move_local = st->local;
        f->move_expr = st->expr;
        cg_val v = cg_expr(f, st->expr);
        f->move_local = NULL;
        f->move_expr = NULL;
        if (st->local) {
            cg_assign_local(f, st->local, v);
        } else if (st->global) {
            const ir_type *t = st->global->type;
            LLVMValueRef gv = f->g->gvar[st->global->id];
            if (cg_is_obj(t)) {
                LLVMValueRef nv = cg_take(f, &v, t);
                LLVMValueRef old = LLVMBuildLoad2(B, S->t_ptr, gv, "");
                LLVMBuildStore(B, nv, gv);
                ir_type opt = {.kind = IR_T_OPTIONAL};
                cg_decref(f, old, &opt);
            } else {
                LLVMBuildStore(B, v.v, gv);
            }
            if (f->g->gdef[st->global->id]) LLVMBuildStore(B, LLVMConstInt(S->t_i8, 1, 0), f->g->gdef[st->global->id]);
        }
        break;
    }
    case IR_S_FIELD_INIT: {
        cg_val self = cg_expr(f, st->expr2);
        cg_val v = cg_expr(f, st->expr);
        const ir_type *t = st->expr->type;
        unsigned off = 24 + 8 * (unsigned)st->index;
        LLVMValueRef nv = cg_to_slot(f, cg_take(f, &v, t), t);
        if (cg_is_obj(t)) {
            LLVMValueRef old = cg_from_slot(f, cg_load_field(f, self.v, off, S->t_i64), t);
            cg_store_field(f, self.v, off, nv);
            ir_type opt = {.kind = IR_T_OPTIONAL};
            cg_decref(f, old, &opt);
        } else {
            cg_store_field(f, self.v, off, nv);
        }
        cg_release(f, &self, st->expr2->type);
        break;
    }
    case IR_S_IF: {
        cg_val c = cg_expr(f, st->expr);
        LLVMBasicBlockRef yes = cg_block(&f->base, "if.then"), no = cg_block(&f->base, "if.else");
        LLVMBasicBlockRef after = cg_block(&f->base, "if.after");
        LLVMBuildCondBr(B, c.v, yes, no);
        LLVMPositionBuilderAtEnd(B, yes);
        cg_block_stmts(f, &st->body);
        if (!terminated(f)) LLVMBuildBr(B, after);
        LLVMPositionBuilderAtEnd(B, no);
        cg_block_stmts(f, &st->orelse);
        if (!terminated(f)) LLVMBuildBr(B, after);
        LLVMPositionBuilderAtEnd(B, after);
        break;
    }
    case IR_S_WHILE: stmt_while(f, st); break;
    case IR_S_FOR: stmt_for(f, st); break;
    case IR_S_BREAK:
    case IR_S_CONTINUE: {
        if (f->nloops == 0) {
            cg_fail(f->g, "codegen: break/continue outside a loop");
            break;
        }
        cg_loop *l = &f->loops[f->nloops - 1];
        run_finals(f, l->nfinally);
        if (!terminated(f)) LLVMBuildBr(B, st->kind == IR_S_BREAK ? l->brk : l->cont);
        break;
    }
    case IR_S_RETURN: {
        if (st->expr) {
            cg_val v = cg_expr(f, st->expr);
            if (f->ret_slot) LLVMBuildStore(B, cg_take(f, &v, st->expr->type), f->ret_slot);
            else cg_release(f, &v, st->expr->type);
        }
        run_finals(f, 0);
        if (!terminated(f)) LLVMBuildBr(B, f->cleanup);
        break;
    }
    case IR_S_RAISE: {
        if (st->index > 0) {
            LLVMValueRef msg = LLVMConstNull(S->t_ptr);
            if (st->expr) {
                cg_val m = cg_expr(f, st->expr);
                msg = cg_take(f, &m, st->expr->type);
            }
            cg_set_line(&f->base, st->line);
            LLVMValueRef args[3] = {CTX, LLVMConstInt(S->t_i32, (unsigned long long)st->index, 0), msg};
            LLVMTypeRef ty;
            LLVMValueRef fn = cg_rtfn(S, cg_rtfn_id("rt_raise_msg"), &ty);
            LLVMBuildCall2(B, ty, fn, args, 3, "");
        } else {
            LLVMValueRef exc;
            if (st->expr) {
                cg_val x = cg_expr(f, st->expr);
                exc = cg_take(f, &x, st->expr->type);
            } else if (f->handled_exc) {
                exc = LLVMBuildLoad2(B, S->t_ptr, f->handled_exc, "");
                ir_type et = {.kind = IR_T_EXC};
                cg_incref(f, exc, &et);
            } else {
                cg_raise_const(&f->base, PF_EXC_RUNTIME, "No active exception to reraise");
                break;
            }
            cg_set_line(&f->base, st->line);
            LLVMValueRef args[2] = {CTX, exc};
            LLVMTypeRef ty;
            LLVMValueRef fn = cg_rtfn(S, cg_rtfn_id("rt_raise_exc"), &ty);
            LLVMBuildCall2(B, ty, fn, args, 2, "");
        }
        LLVMBuildBr(B, f->base.unwind);
        break;
    }
    case IR_S_ASSERT: {
        cg_val c = cg_expr(f, st->expr);
        LLVMBasicBlockRef bad = cg_block(&f->base, "assert.fail"), ok = cg_block(&f->base, "assert.ok");
        LLVMBuildCondBr(B, c.v, ok, bad);
        LLVMPositionBuilderAtEnd(B, bad);
        LLVMValueRef msg = LLVMConstNull(S->t_ptr);
        if (st->expr2) {
            cg_val m = cg_expr(f, st->expr2);
            const ir_type *mt = st->expr2->type;
            if (mt->kind == IR_T_STR) {
                msg = cg_take(f, &m, mt);
            } else {
                LLVMValueRef args[3] = {CTX, cg_to_slot(f, m.v, mt), cg_type_desc(f->g, mt)};
                msg = rt(f, "rt_to_str", args, 3);
                cg_release(f, &m, mt);
            }
        }
        cg_set_line(&f->base, st->line);
        LLVMValueRef args[2] = {CTX, msg};
        LLVMTypeRef ty;
        LLVMValueRef fn = cg_rtfn(S, cg_rtfn_id("rt_raise_assert"), &ty);
        LLVMBuildCall2(B, ty, fn, args, 2, "");
        LLVMBuildBr(B, f->base.unwind);
        LLVMPositionBuilderAtEnd(B, ok);
        break;
    }
    case IR_S_TRY: stmt_try(f, st); break;
    }
}
