/* Parallel code generation (issue 6): a comprehension or `for` loop marked `par` by ir/par.c becomes
 * one rt_reduce (runtime/sched.h) over the indices of its first source, the rest outlined into a
 * body over [lo, hi) whose env holds the locals it reads; one partial per block (lists concatenated
 * in order, sums/min/max in the fixed tree); what the body reads is shared only at promotion. */
#include "codegen/cg_internal.h"
#include "runtime/ctx.h"
#include "runtime/value.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define B (s->b)

/* Loops of at most this many iterations run their outlined body directly (no rt_reduce), unless
 * their reduction is exact (rt_loop_desc.exact: lists, min/max over a total order): those cost
 * no allocation when unpromoted, so any loop of two iterations or more may split (an outer
 * comprehension over 4 models whose elements each take a second must run in parallel). */
#define PAR_CUTOFF 8
/* min/max/any/all of at most this many elements nested under another mark run sequentially (the
 * same result; take_seq): nearest's inner min over 32 centres, inside a parallel comprehension,
 * cost 2.3x the CPU at --threads 2 with a block (an init, a body call, a poll, a combine) per
 * element. At a task's top level they split from 2 elements on, like other exact reductions. */
#define PAR_CUTOFF_SMALL 64

/* ---- what the comprehension reads and assigns ------------------------------------------------- */

typedef struct par_use {
    unsigned char *read, *set; /* per local id */
} par_use;

static void use_block(par_use *u, const ir_block *b);

static void use_expr(par_use *u, const ir_expr *e) {
    if (!e) return;
    if (e->kind == IR_E_LOCAL) u->read[e->local->id] = 1;
    if (e->kind == IR_E_LET) u->set[e->local->id] = 1;
    for (int32_t i = 0; i < e->nargs; i++) use_expr(u, e->args[i]);
    use_expr(u, e->env);
    if (e->kind != IR_E_COMP) return;
    const ir_comp *c = e->comp;
    for (int32_t i = 0; i < c->nclauses; i++) {
        use_expr(u, c->clauses[i].cond);
        const ir_iter *stack[32];
        int n = 0;
        if (c->clauses[i].iter) stack[n++] = c->clauses[i].iter;
        while (n > 0) {
            const ir_iter *it = stack[--n];
            if (it->var) u->set[it->var->id] = 1;
            if (it->var2) u->set[it->var2->id] = 1;
            use_expr(u, it->a);
            use_expr(u, it->b);
            use_expr(u, it->c);
            use_block(u, &it->bind);
            for (int32_t k = 0; k < it->nsubs && n < 32; k++) stack[n++] = it->subs[k];
        }
    }
    use_expr(u, c->elt);
    use_expr(u, c->key);
    use_expr(u, c->init);
    use_expr(u, c->key_fn);
    if (c->key_var) u->set[c->key_var->id] = 1;
}

static void use_iter(par_use *u, const ir_iter *it) {
    if (it->var) u->set[it->var->id] = 1;
    if (it->var2) u->set[it->var2->id] = 1;
    use_expr(u, it->a);
    use_expr(u, it->b);
    use_expr(u, it->c);
    use_block(u, &it->bind);
    for (int32_t k = 0; k < it->nsubs; k++) use_iter(u, it->subs[k]);
}

static void use_block(par_use *u, const ir_block *b) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        if (st->local) u->set[st->local->id] = 1;
        use_expr(u, st->expr);
        use_expr(u, st->expr2);
        if (st->iter) use_iter(u, st->iter);
        use_block(u, &st->body);
        use_block(u, &st->orelse);
        use_block(u, &st->finalbody);
        for (int32_t h = 0; h < st->nhandlers; h++) {
            if (st->handlers[h].var) u->set[st->handlers[h].var->id] = 1;
            use_block(u, &st->handlers[h].body);
        }
    }
}

/* ---- sources: the leaves of the first for-clause, each with its env slots ---------------------- */

typedef struct par_src {
    const ir_iter *it; /* RANGE or LIST leaf */
    int slot;          /* RANGE: start at slot, step at slot + 1; LIST: the list at slot */
} par_src;

typedef struct par_plan {
    const ir_expr *e;
    const ir_comp *c;
    par_src srcs[16];
    int nsrcs;
    int enum_slot;     /* ENUMERATE: its start, else -1 */
    int local_base;    /* env slot of local id 0 */
    int nslots;
    int accw;          /* words of one partial (rt_loop_desc.acc_size / 8) */
    int32_t part;      /* >= 0: only this component of a min/max tuple is wanted (cg_comp_part) */
    int decided_slot;  /* ANY/ALL: env slot of the lowest `lo` of a decided block (atomic min) */
    ir_par_minmax mm;  /* MIN/MAX: the partial's layout (mm_* below) */
    par_use use;
} par_plan;

static bool plan_sources(par_plan *p, const ir_iter *it, int *slot) {
    if (it->kind == IR_IT_ZIP || it->kind == IR_IT_ENUMERATE) {
        if (it->kind == IR_IT_ENUMERATE) p->enum_slot = (*slot)++;
        for (int32_t k = 0; k < it->nsubs; k++)
            if (!plan_sources(p, it->subs[k], slot)) return false;
        return true;
    }
    if (p->nsrcs == 16) return false;
    p->srcs[p->nsrcs].it = it;
    p->srcs[p->nsrcs].slot = *slot;
    p->nsrcs++;
    *slot += it->kind == IR_IT_RANGE ? 2 : 1;
    return true;
}

static const ir_type opt_any = {.kind = IR_T_OPTIONAL};

static LLVMValueRef i64c(cg_state *s, int64_t v) { return LLVMConstInt(s->t_i64, (unsigned long long)v, 1); }

static LLVMValueRef env_ptr(cg_state *s, LLVMValueRef env, int slot) {
    LLVMValueRef idx = i64c(s, slot);
    return LLVMBuildGEP2(B, s->t_i64, env, &idx, 1, "");
}

/* A helper function of the module: void name(params...), positioned at its entry block. */
static LLVMValueRef helper(cg_gen *g, const char *name, LLVMTypeRef *params, unsigned n, cg_gfn *hf) {
    cg_state *s = &g->s;
    LLVMTypeRef ty = LLVMFunctionType(s->t_void, params, n, 0);
    LLVMValueRef fn = LLVMAddFunction(s->m, name, ty);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    memset(hf, 0, sizeof *hf);
    hf->g = g;
    hf->base.s = s;
    hf->base.fn = fn;
    hf->base.entry = LLVMAppendBasicBlockInContext(s->c, fn, "entry");
    LLVMPositionBuilderAtEnd(B, hf->base.entry);
    return fn;
}

/* ---- the outlined body: void body(ctx, env, lo, hi, acc) --------------------------------------- */

static void body_element(cg_gfn *f, const par_plan *p, LLVMValueRef acc);

static void free_iterst(cg_iterst *st) {
    if (!st->subs) return;
    for (int32_t i = 0; i < st->it->nsubs; i++) free_iterst(&st->subs[i]);
    free(st->subs);
}

static void body_clauses(cg_gfn *f, const par_plan *p, int32_t i, LLVMValueRef acc) {
    cg_state *s = f->base.s;
    const ir_comp *c = p->c;
    if (i == c->nclauses) {
        body_element(f, p, acc);
        return;
    }
    const ir_clause *cl = &c->clauses[i];
    if (cl->iter) {
        cg_iterst st;
        cg_iter_begin(f, cl->iter, &st);
        body_clauses(f, p, i + 1, acc);
        cg_iter_end(f, &st);
        cg_iter_release(f, &st);
        free_iterst(&st);
        return;
    }
    cg_val cond = cg_expr(f, cl->cond);
    LLVMBasicBlockRef yes = cg_block(&f->base, "pc.if"), no = cg_block(&f->base, "pc.skip");
    LLVMBuildCondBr(B, cond.v, yes, no);
    LLVMPositionBuilderAtEnd(B, yes);
    body_clauses(f, p, i + 1, acc);
    if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(B))) LLVMBuildBr(B, no);
    LLVMPositionBuilderAtEnd(B, no);
}

/* ---- min/max partials: word 0 have, word 1 a NaN was compared, words 2.. the compared
 * components (ir_par_minmax), then with key= the element; object words owned (NULL when empty) */

enum { MM_HAVE = 0, MM_NAN = 1, MM_COMP = 2 };

static int mm_nslots(const ir_par_minmax *m) { return m->ncomp + (m->elem != NULL); }

static const ir_type *mm_type(const ir_par_minmax *m, int j) { return j < m->ncomp ? m->comp[j] : m->elem; }

/* Python's tuple order over the components: the first unequal pair decides (a < b). */
static LLVMValueRef lex_less(cg_gfn *f, const ir_par_minmax *m, LLVMValueRef *a, LLVMValueRef *b) {
    cg_state *s = f->base.s;
    LLVMValueRef r = cg_less(f, a[m->ncomp - 1], b[m->ncomp - 1], m->comp[m->ncomp - 1]);
    for (int32_t i = m->ncomp - 2; i >= 0; i--) {
        LLVMValueRef lt = cg_less(f, a[i], b[i], m->comp[i]);
        r = LLVMBuildOr(B, lt, LLVMBuildAnd(B, cg_eq(f, a[i], b[i], m->comp[i]), r, ""), "");
    }
    return r;
}

/* Folds the candidate cur[0..nslots) into the partial at acc: it wins when the partial is empty
 * or it is strictly better (so the first of equal ones stays, as in python3). cur_have (NULL:
 * true) and cur_nan (NULL: computed from cur) describe the candidate; `owned`: cur's objects
 * are the caller's (a right partial being combined: the loser is released), else borrowed. */
static void mm_keep(cg_gfn *f, const par_plan *p, LLVMValueRef acc, LLVMValueRef *cur, LLVMValueRef cur_have,
                    LLVMValueRef cur_nan, bool owned) {
    cg_state *s = f->base.s;
    const ir_par_minmax *m = &p->mm;
    int ns = mm_nslots(m);
    bool obj = false;
    LLVMValueRef old[9];
    for (int j = 0; j < ns; j++) {
        obj |= cg_is_obj(mm_type(m, j));
        old[j] = LLVMBuildLoad2(B, cg_ltype(f->g, mm_type(m, j)), env_ptr(s, acc, MM_COMP + j), "");
    }
    LLVMValueRef have = LLVMBuildICmp(B, LLVMIntNE, LLVMBuildLoad2(B, s->t_i64, acc, ""), i64c(s, 0), "");
    LLVMValueRef ch = cur_have ? cur_have : LLVMConstInt(s->t_i1, 1, 0);
    bool is_min = p->c->kind == IR_COMP_MIN;
    LLVMValueRef better;
    if (!obj) {
        better = is_min ? lex_less(f, m, cur, old) : lex_less(f, m, old, cur);
    } else { /* objects are compared only when both exist */
        LLVMBasicBlockRef from = LLVMGetInsertBlock(B);
        LLVMBasicBlockRef cmp = cg_block(&f->base, "mm.cmp"), fin = cg_block(&f->base, "mm.cmpd");
        LLVMBuildCondBr(B, LLVMBuildAnd(B, have, ch, ""), cmp, fin);
        LLVMPositionBuilderAtEnd(B, cmp);
        LLVMValueRef lt = is_min ? lex_less(f, m, cur, old) : lex_less(f, m, old, cur);
        LLVMBasicBlockRef cmp_end = LLVMGetInsertBlock(B);
        LLVMBuildBr(B, fin);
        LLVMPositionBuilderAtEnd(B, fin);
        better = LLVMBuildPhi(B, s->t_i1, "better");
        LLVMValueRef inv[2] = {LLVMConstInt(s->t_i1, 0, 0), lt};
        LLVMBasicBlockRef inb[2] = {from, cmp_end};
        LLVMAddIncoming(better, inv, inb, 2);
    }
    LLVMValueRef take = LLVMBuildAnd(B, ch, LLVMBuildOr(B, LLVMBuildNot(B, have, ""), better, ""), "take");
    if (m->nan) {
        LLVMValueRef nan = cur_nan;
        if (!nan) {
            nan = LLVMConstInt(s->t_i1, 0, 0);
            for (int32_t i = 0; i < m->ncomp; i++)
                if (m->comp[i]->kind == IR_T_FLOAT) nan = LLVMBuildOr(B, nan, LLVMBuildFCmp(B, LLVMRealUNO, cur[i], cur[i], ""), "");
        }
        LLVMValueRef np = env_ptr(s, acc, MM_NAN);
        LLVMValueRef w = LLVMBuildLoad2(B, s->t_i64, np, "");
        LLVMBuildStore(B, LLVMBuildOr(B, w, LLVMBuildZExt(B, nan, s->t_i64, ""), ""), np);
    }
    LLVMBuildStore(B, LLVMBuildZExt(B, LLVMBuildOr(B, have, ch, ""), s->t_i64, ""), acc);
    if (!obj) {
        for (int j = 0; j < ns; j++) LLVMBuildStore(B, LLVMBuildSelect(B, take, cur[j], old[j], ""), env_ptr(s, acc, MM_COMP + j));
        return;
    }
    /* the winner's objects stay in the partial, the loser's are released */
    LLVMBasicBlockRef tk = cg_block(&f->base, "mm.take"), nt = cg_block(&f->base, "mm.keep");
    LLVMBasicBlockRef done = cg_block(&f->base, "mm.done");
    LLVMBuildCondBr(B, take, tk, nt);
    LLVMPositionBuilderAtEnd(B, tk);
    for (int j = 0; j < ns; j++) {
        const ir_type *t = mm_type(m, j);
        if (cg_is_obj(t)) {
            if (!owned) cg_incref(f, cur[j], t);
            cg_decref(f, old[j], &opt_any);
        }
        LLVMBuildStore(B, cur[j], env_ptr(s, acc, MM_COMP + j));
    }
    LLVMBuildBr(B, done);
    LLVMPositionBuilderAtEnd(B, nt);
    for (int j = 0; owned && j < ns; j++)
        if (cg_is_obj(mm_type(m, j))) cg_decref(f, cur[j], &opt_any);
    LLVMBuildBr(B, done);
    LLVMPositionBuilderAtEnd(B, done);
}

/* ---- any/all partials: word 0 the state (0 undecided, 1 a hit, 2 an error), word 1 the error
 * (owned). The first decided block decides, as the sequential loop would; a block stops at its
 * hit or error, and blocks after a decided one are skipped (env decided_slot): they cannot
 * change the result. */

enum { AA_UNDECIDED = 0, AA_HIT = 1, AA_ERROR = 2 };

/* The running block (the body's `lo`) decided: later blocks need not run. */
static void decide(cg_gfn *f, const par_plan *p) {
    cg_state *s = f->base.s;
    LLVMValueRef env = LLVMGetParam(f->base.fn, 1), lo = LLVMGetParam(f->base.fn, 2);
    LLVMBuildAtomicRMW(B, LLVMAtomicRMWBinOpMin, env_ptr(s, env, p->decided_slot), lo,
                       LLVMAtomicOrderingMonotonic, 0);
}

static void body_element(cg_gfn *f, const par_plan *p, LLVMValueRef acc) {
    cg_state *s = f->base.s;
    const ir_comp *c = p->c;
    const ir_type *t = p->e->type;
    switch (c->kind) {
    case IR_COMP_LIST: {
        const ir_type *et = t->elems[0];
        LLVMValueRef xs0 = LLVMBuildLoad2(B, s->t_ptr, acc, "");
        LLVMBasicBlockRef mk = cg_block(&f->base, "pl.new"), have = cg_block(&f->base, "pl.have");
        LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, xs0, ""), mk, have);
        LLVMPositionBuilderAtEnd(B, mk);
        LLVMValueRef nargs[3] = {f->base.ctx, cg_type_desc(f->g, t), i64c(s, 0)};
        LLVMValueRef nx = cg_call_rt(&f->base, "rt_list_new", nargs, 3);
        LLVMBuildStore(B, nx, acc);
        LLVMBasicBlockRef mk_end = LLVMGetInsertBlock(B);
        LLVMBuildBr(B, have);
        LLVMPositionBuilderAtEnd(B, have);
        LLVMValueRef xs = LLVMBuildPhi(B, s->t_ptr, "");
        LLVMValueRef inv[2] = {xs0, nx};
        LLVMBasicBlockRef inb[2] = {cur, mk_end};
        LLVMAddIncoming(xs, inv, inb, 2);
        cg_val x = cg_expr(f, c->elt);
        LLVMValueRef sv = cg_to_slot(f, cg_take(f, &x, et), et);
        LLVMValueRef args[3] = {f->base.ctx, xs, sv};
        cg_call_rt(&f->base, "rt_list_push", args, 3);
        break;
    }
    case IR_COMP_DICT: {
        /* the block's own dict (NULL until its first entry), key before value as in python3 */
        const ir_type *kt = t->elems[0], *vt = t->elems[1];
        cg_val k = cg_expr(f, c->key);
        cg_val v = cg_expr(f, c->elt);
        LLVMValueRef d0 = LLVMBuildLoad2(B, s->t_ptr, acc, "");
        LLVMBasicBlockRef mk = cg_block(&f->base, "pd.new"), have = cg_block(&f->base, "pd.have");
        LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, d0, ""), mk, have);
        LLVMPositionBuilderAtEnd(B, mk);
        LLVMValueRef nargs[3] = {f->base.ctx, cg_type_desc(f->g, t), i64c(s, 0)};
        LLVMValueRef nd = cg_call_rt(&f->base, "rt_dict_new", nargs, 3);
        LLVMBasicBlockRef mk_end = LLVMGetInsertBlock(B);
        LLVMBuildBr(B, have);
        LLVMPositionBuilderAtEnd(B, have);
        LLVMValueRef d = LLVMBuildPhi(B, s->t_ptr, "");
        LLVMValueRef inv[2] = {d0, nd};
        LLVMBasicBlockRef inb[2] = {cur, mk_end};
        LLVMAddIncoming(d, inv, inb, 2);
        LLVMBuildStore(B, LLVMConstNull(s->t_ptr), acc); /* consumed by rt_dict_set */
        LLVMValueRef args[4] = {f->base.ctx, d, cg_to_slot(f, cg_take(f, &k, kt), kt), cg_to_slot(f, cg_take(f, &v, vt), vt)};
        cg_set_line(&f->base, p->e->line);
        LLVMBuildStore(B, cg_call_rt(&f->base, "rt_dict_set", args, 4), acc);
        break;
    }
    case IR_COMP_SUM: {
        cg_val x = cg_expr(f, c->elt);
        LLVMTypeRef lt = cg_ltype(f->g, t);
        LLVMValueRef a = LLVMBuildLoad2(B, lt, acc, "");
        cg_set_line(&f->base, p->e->line);
        LLVMValueRef r = t->kind == IR_T_FLOAT ? LLVMBuildFAdd(B, a, x.v, "") : cg_int_add(&f->base, a, x.v);
        LLVMBuildStore(B, r, acc);
        break;
    }
    case IR_COMP_MIN:
    case IR_COMP_MAX: {
        /* the candidate: a register tuple's components, or the element (and with key= its key) */
        LLVMValueRef cur[9];
        cg_val x = cg_borrowed(NULL), k = cg_borrowed(NULL);
        if (p->mm.tuple) {
            for (int32_t i = 0; i < c->elt->nargs; i++) cur[i] = cg_expr(f, c->elt->args[i]).v;
        } else {
            x = cg_expr(f, c->elt);
            cur[0] = x.v;
            if (c->key_fn) {
                cg_assign_local(f, c->key_var, cg_borrowed(x.v));
                k = cg_expr(f, c->key_fn);
                cur[0] = k.v;
                cur[1] = x.v;
            }
        }
        mm_keep(f, p, acc, cur, NULL, NULL, false);
        if (c->key_fn) cg_release(f, &k, c->key_fn->type);
        if (!p->mm.tuple) cg_release(f, &x, c->elt->type);
        break;
    }
    case IR_COMP_ANY:
    case IR_COMP_ALL: {
        /* a hit decides the block: state 1, tell later blocks (decided_slot), leave the block */
        cg_val x = cg_expr(f, c->elt);
        LLVMValueRef tv = cg_truth(f, x.v, c->elt->type);
        cg_release(f, &x, c->elt->type);
        LLVMValueRef hit = c->kind == IR_COMP_ANY ? tv : LLVMBuildNot(B, tv, "");
        LLVMBasicBlockRef yes = cg_block(&f->base, "pa.hit"), no = cg_block(&f->base, "pa.next");
        LLVMBuildCondBr(B, hit, yes, no);
        LLVMPositionBuilderAtEnd(B, yes);
        LLVMBuildStore(B, i64c(s, 1), acc);
        decide(f, p);
        LLVMBuildBr(B, f->cleanup);
        LLVMPositionBuilderAtEnd(B, no);
        break;
    }
    default: cg_fail(f->g, "codegen: parallel comprehension of an unsupported kind"); break;
    }
}

/* What binding the first clause's variables needs, loaded once at the body's entry (not per
 * iteration: LLVM cannot hoist loads across the body's calls): per leaf source a range's start
 * and step (constants when the source has constant ones, so LLVM can drop the overflow checks of
 * the loop variable's arithmetic) or a list's data pointer; an enumerate's start. */
typedef struct par_bind {
    LLVMValueRef start[16], step[16], data[16], enum_start;
} par_bind;

static LLVMValueRef const_int(cg_state *s, const ir_expr *x, int64_t dflt) {
    if (!x) return i64c(s, dflt);
    return x->kind == IR_E_INT ? i64c(s, x->ival) : NULL;
}

static void assume(cg_state *s, LLVMValueRef cond) {
    unsigned id = LLVMLookupIntrinsicID("llvm.assume", 11);
    LLVMTypeRef fty = LLVMIntrinsicGetType(s->c, id, NULL, 0);
    LLVMBuildCall2(B, fty, LLVMGetIntrinsicDeclaration(s->m, id, NULL, 0), &cond, 1, "");
}

/* At the body's entry: fills *pb, and tells LLVM what the runtime guarantees about [lo, hi): 0 <=
 * lo <= hi, and hi <= the length of any source whose length is a constant. */
static void prepare_sources(cg_gfn *f, const par_plan *p, LLVMValueRef env, LLVMValueRef lo, LLVMValueRef hi,
                            par_bind *pb) {
    cg_state *s = f->base.s;
    if (p->enum_slot >= 0) pb->enum_start = LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, p->enum_slot), "");
    assume(s, LLVMBuildICmp(B, LLVMIntSGE, lo, i64c(s, 0), ""));
    assume(s, LLVMBuildICmp(B, LLVMIntSLE, lo, hi, ""));
    for (int k = 0; k < p->nsrcs; k++) {
        const ir_iter *it = p->srcs[k].it;
        int slot = p->srcs[k].slot;
        if (it->kind == IR_IT_RANGE) {
            LLVMValueRef a = const_int(s, it->a, 0), b = const_int(s, it->b, 0), c = const_int(s, it->c, 1);
            pb->start[k] = a ? a : LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, slot), "");
            pb->step[k] = c ? c : LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, slot + 1), "");
            if (a && b && c) { /* a constant length (step > 0; no overflow in its computation) */
                int64_t av = LLVMConstIntGetSExtValue(a), bv = LLVMConstIntGetSExtValue(b);
                int64_t cv = LLVMConstIntGetSExtValue(c);
                if (cv > 0 && av >= 0 && bv > av)
                    assume(s, LLVMBuildICmp(B, LLVMIntSLE, hi, i64c(s, (bv - av - 1) / cv + 1), ""));
            }
        } else {
            LLVMValueRef xs = LLVMBuildIntToPtr(B, LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, slot), ""), s->t_ptr, "");
            pb->data[k] = cg_load_field(f, xs, 24, s->t_ptr);
        }
    }
}

/* Binds the first clause's variables for index idx (a leaf source or a zip/enumerate of them). */
static void bind_source(cg_gfn *f, const par_plan *p, const ir_iter *it, const par_bind *pb, LLVMValueRef idx,
                        int *leaf) {
    cg_state *s = f->base.s;
    if (it->kind == IR_IT_ZIP || it->kind == IR_IT_ENUMERATE) {
        if (it->kind == IR_IT_ENUMERATE)
            cg_assign_local(f, it->var, cg_borrowed(LLVMBuildAdd(B, pb->enum_start, idx, "")));
        for (int32_t k = 0; k < it->nsubs; k++) bind_source(f, p, it->subs[k], pb, idx, leaf);
    } else {
        int k = (*leaf)++;
        if (it->kind == IR_IT_RANGE) {
            /* nsw: a range's elements are ints between its start and stop */
            LLVMValueRef v = LLVMBuildNSWAdd(B, pb->start[k], LLVMBuildNSWMul(B, idx, pb->step[k], ""), "");
            cg_assign_local(f, it->var, cg_borrowed(v));
        } else {
            LLVMValueRef v = LLVMBuildLoad2(B, s->t_i64, LLVMBuildGEP2(B, s->t_i64, pb->data[k], &idx, 1, ""), "");
            cg_assign_local(f, it->var, cg_borrowed(cg_from_slot(f, v, it->var->type)));
        }
    }
    cg_block_stmts(f, &it->bind);
}

static LLVMValueRef gen_body(cg_gfn *pf, const par_plan *p, const char *name) {
    cg_gen *g = pf->g;
    cg_state *s = &g->s;
    const ir_func *fn = pf->ir;
    LLVMTypeRef params[5] = {s->t_ptr, s->t_ptr, s->t_i64, s->t_i64, s->t_ptr};
    cg_gfn F;
    LLVMValueRef bfn = helper(g, name, params, 5, &F);
    cg_gfn *f = &F;
    f->ir = fn;
    f->base.ctx = LLVMGetParam(bfn, 0);
    LLVMValueRef env = LLVMGetParam(bfn, 1), lo = LLVMGetParam(bfn, 2), hi = LLVMGetParam(bfn, 3);
    /* the block accumulates into a local copy of the caller's 16-byte accumulator, written back
     * at the one exit: in memory the caller's slot would carry a load and a store per iteration
     * (LLVM cannot keep it in a register across the raising exits) */
    LLVMValueRef acc_out = LLVMGetParam(bfn, 4);
    LLVMTypeRef acc_t = LLVMArrayType(s->t_i64, (unsigned)p->accw);
    LLVMValueRef acc = LLVMBuildAlloca(B, acc_t, "acc");
    LLVMBuildStore(B, LLVMBuildLoad2(B, acc_t, acc_out, ""), acc);
    LLVMBasicBlockRef body = cg_block(&f->base, "body");
    f->cleanup = cg_block(&f->base, "cleanup");
    f->fn_unwind = cg_block(&f->base, "unwind");
    f->base.unwind = f->fn_unwind;
    f->base.line_slot = LLVMBuildAlloca(B, s->t_i32, "line");
    LLVMBuildStore(B, LLVMConstInt(s->t_i32, (unsigned long long)p->e->line, 0), f->base.line_slot);
    f->local_slot = calloc((size_t)fn->nlocals + 1, sizeof *f->local_slot);
    f->local_owned = calloc((size_t)fn->nlocals + 1, sizeof *f->local_owned);
    for (int32_t i = 0; i < fn->nlocals; i++) {
        const ir_local *l = fn->locals[i];
        LLVMTypeRef lt = cg_ltype(g, l->type);
        f->local_slot[i] = LLVMBuildAlloca(B, lt, l->name);
        if (p->use.read[i] && !p->use.set[i] && l->type->kind != IR_T_NONE) {
            LLVMValueRef v = LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, p->local_base + i), "");
            LLVMBuildStore(B, cg_from_slot(f, v, l->type), f->local_slot[i]);
        } else {
            LLVMBuildStore(B, LLVMConstNull(lt), f->local_slot[i]);
            f->local_owned[i] = cg_is_obj(l->type);
        }
    }
    {   /* element loop variables stay borrowed (cg_loop_borrowed): the env / inner loops hold their lists */
        bool *lb = calloc((size_t)fn->nlocals + 1, sizeof *lb);
        cg_loop_borrowed(fn, NULL, p->e, lb);
        for (int32_t i = 0; i < fn->nlocals; i++)
            if (lb[i] && p->use.set[i]) f->local_owned[i] = false;
        free(lb);
    }
    if (fn->env) f->env = LLVMBuildIntToPtr(B, LLVMBuildLoad2(B, s->t_i64, env, ""), s->t_ptr, "clo");

    /* for (i = lo; i < hi; i++) { bind; clauses[1..]; element } with a poll at the back-edge */
    LLVMPositionBuilderAtEnd(B, body);
    par_bind pb;
    prepare_sources(f, p, env, lo, hi, &pb);
    LLVMValueRef islot = cg_alloca(&f->base, s->t_i64, "pi");
    LLVMBuildStore(B, lo, islot);
    LLVMBasicBlockRef head = cg_block(&f->base, "pb.head"), lbody = cg_block(&f->base, "pb.body");
    LLVMBasicBlockRef latch = cg_block(&f->base, "pb.latch");
    LLVMBuildBr(B, head);
    LLVMPositionBuilderAtEnd(B, head);
    LLVMValueRef i = LLVMBuildLoad2(B, s->t_i64, islot, "i");
    LLVMValueRef more = LLVMBuildICmp(B, LLVMIntSLT, i, hi, "");
    if (p->c->kind == IR_COMP_ANY || p->c->kind == IR_COMP_ALL) {
        LLVMValueRef d = LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, p->decided_slot), "decided");
        LLVMSetOrdering(d, LLVMAtomicOrderingMonotonic);
        more = LLVMBuildAnd(B, more, LLVMBuildICmp(B, LLVMIntSGE, d, lo, ""), "");
    }
    LLVMBuildCondBr(B, more, lbody, f->cleanup);
    LLVMPositionBuilderAtEnd(B, lbody);
    int leaf = 0;
    bind_source(f, p, p->c->clauses[0].iter, &pb, i, &leaf);
    body_clauses(f, p, 1, acc);
    if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(B))) LLVMBuildBr(B, latch);
    LLVMPositionBuilderAtEnd(B, latch);
    LLVMValueRef i2 = LLVMBuildLoad2(B, s->t_i64, islot, "");
    LLVMBuildStore(B, LLVMBuildAdd(B, i2, i64c(s, 1), ""), islot);
    /* no poll here: rt_reduce polls between blocks, calls poll at their entry, inner loops at
     * their back-edges (and this loop stays vectorisable) */
    LLVMBuildBr(B, head);

    LLVMPositionBuilderAtEnd(B, f->fn_unwind);
    LLVMBuildBr(B, f->cleanup);
    /* cleanup: release the locals the body owns and its temps (the exception, if any, stays in
     * ctx->exc: the runtime hands the first one in sequential order to the caller) */
    LLVMPositionBuilderAtEnd(B, f->cleanup);
    for (int32_t k = 0; k < fn->nlocals; k++) {
        if (!f->local_owned[k]) continue;
        LLVMValueRef v = LLVMBuildLoad2(B, s->t_ptr, f->local_slot[k], "");
        cg_decref(f, v, &opt_any);
    }
    for (int32_t k = 0; k < f->ntemps; k++) cg_decref(f, LLVMBuildLoad2(B, s->t_ptr, f->temps[k], ""), &opt_any);
    if (p->c->kind == IR_COMP_ANY || p->c->kind == IR_COMP_ALL) {
        /* an error (not an interruption) decides the block like a hit: it is raised only if no
         * earlier block decides (the runtime would report it whatever earlier blocks found) */
        LLVMValueRef cargs[2] = {f->base.ctx, LLVMConstInt(s->t_i32, PF_EXC_EXCEPTION, 0)};
        LLVMTypeRef ty;
        LLVMValueRef cf = cg_rtfn(s, cg_rtfn_id("rt_exc_catch"), &ty);
        LLVMValueRef e = LLVMBuildCall2(B, ty, cf, cargs, 2, "");
        LLVMBasicBlockRef caught = cg_block(&f->base, "pa.caught"), fin = cg_block(&f->base, "pa.out");
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, e, ""), fin, caught);
        LLVMPositionBuilderAtEnd(B, caught);
        LLVMBuildStore(B, i64c(s, AA_ERROR), acc);
        LLVMBuildStore(B, e, env_ptr(s, acc, 1));
        decide(f, p);
        LLVMBuildBr(B, fin);
        LLVMPositionBuilderAtEnd(B, fin);
    }
    LLVMBuildStore(B, LLVMBuildLoad2(B, acc_t, acc, ""), acc_out);
    LLVMBuildRetVoid(B);
    LLVMPositionBuilderAtEnd(B, f->base.entry);
    LLVMBuildBr(B, body);
    free(f->local_slot);
    free(f->local_owned);
    free(f->temps);
    return bfn;
}

/* ---- init, combine, drop, share ---------------------------------------------------------------- */

static LLVMValueRef gen_init(cg_gen *g, const par_plan *p, const char *name) {
    cg_state *s = &g->s;
    LLVMTypeRef params[2] = {s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 2, &F);
    LLVMValueRef acc = LLVMGetParam(fn, 1);
    for (int k = 0; k < p->accw; k++) LLVMBuildStore(B, i64c(s, 0), env_ptr(s, acc, k));
    LLVMBuildRetVoid(B);
    return fn;
}

static LLVMValueRef gen_combine(cg_gen *g, const par_plan *p, const char *name) {
    cg_state *s = &g->s;
    LLVMTypeRef params[4] = {s->t_ptr, s->t_ptr, s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 4, &F);
    cg_gfn *f = &F;
    f->base.ctx = LLVMGetParam(fn, 0);
    LLVMValueRef acc = LLVMGetParam(fn, 2), rhs = LLVMGetParam(fn, 3);
    LLVMBasicBlockRef out = cg_block(&f->base, "out");
    f->base.unwind = out;
    const ir_type *t = p->e->type;
    switch (p->c->kind) {
    case IR_COMP_LIST: {
        /* acc = acc + rhs (consumes both; either may be NULL: an empty block) */
        LLVMValueRef a = LLVMBuildLoad2(B, s->t_ptr, acc, ""), r = LLVMBuildLoad2(B, s->t_ptr, rhs, "");
        LLVMBasicBlockRef move = cg_block(&f->base, "move"), both = cg_block(&f->base, "both");
        LLVMBasicBlockRef join = cg_block(&f->base, "join");
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, a, ""), move, both);
        LLVMPositionBuilderAtEnd(B, move);
        LLVMBuildStore(B, r, acc);
        LLVMBuildBr(B, out);
        LLVMPositionBuilderAtEnd(B, both);
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, r, ""), out, join);
        LLVMPositionBuilderAtEnd(B, join);
        LLVMBuildStore(B, LLVMConstNull(s->t_ptr), acc);
        LLVMValueRef cargs[3] = {f->base.ctx, a, r};
        LLVMTypeRef ty;
        /* the pieces are the combine's own (rc 1): their elements move, no RC per element */
        LLVMValueRef cf = cg_rtfn(s, cg_rtfn_id("rt_list_concat_move"), &ty);
        LLVMValueRef na = LLVMBuildCall2(B, ty, cf, cargs, 3, "");
        LLVMBuildStore(B, na, acc);
        LLVMBuildBr(B, out);
        break;
    }
    case IR_COMP_DICT: {
        /* acc = acc | rhs: later keys win, each key keeps its first position (either may be NULL) */
        LLVMValueRef a = LLVMBuildLoad2(B, s->t_ptr, acc, ""), r = LLVMBuildLoad2(B, s->t_ptr, rhs, "");
        LLVMBasicBlockRef move = cg_block(&f->base, "move"), both = cg_block(&f->base, "both");
        LLVMBasicBlockRef join = cg_block(&f->base, "join");
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, a, ""), move, both);
        LLVMPositionBuilderAtEnd(B, move);
        LLVMBuildStore(B, r, acc);
        LLVMBuildBr(B, out);
        LLVMPositionBuilderAtEnd(B, both);
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, r, ""), out, join);
        LLVMPositionBuilderAtEnd(B, join);
        LLVMBuildStore(B, LLVMConstNull(s->t_ptr), acc);
        LLVMValueRef cargs[3] = {f->base.ctx, a, r};
        LLVMTypeRef ty;
        LLVMValueRef mf = cg_rtfn(s, cg_rtfn_id("rt_dict_merge"), &ty);
        LLVMBuildStore(B, LLVMBuildCall2(B, ty, mf, cargs, 3, ""), acc);
        LLVMValueRef df = cg_rtfn(s, cg_rtfn_id("rt_obj_decref"), &ty);
        LLVMBuildCall2(B, ty, df, &r, 1, "");
        LLVMBuildBr(B, out);
        break;
    }
    case IR_COMP_SUM: {
        LLVMTypeRef lt = cg_ltype(g, t);
        LLVMValueRef a = LLVMBuildLoad2(B, lt, acc, ""), r = LLVMBuildLoad2(B, lt, rhs, "");
        f->base.line_slot = NULL;
        LLVMValueRef v = t->kind == IR_T_FLOAT ? LLVMBuildFAdd(B, a, r, "") : cg_int_add(&f->base, a, r);
        LLVMBuildStore(B, v, acc);
        LLVMBuildBr(B, out);
        break;
    }
    case IR_COMP_ANY:
    case IR_COMP_ALL: {
        /* the left partial decided: the right one is dropped; else the right one is the result */
        LLVMValueRef a = LLVMBuildLoad2(B, s->t_i64, acc, "");
        LLVMValueRef rs = LLVMBuildLoad2(B, s->t_i64, rhs, ""), re = LLVMBuildLoad2(B, s->t_ptr, env_ptr(s, rhs, 1), "");
        LLVMBasicBlockRef keep = cg_block(&f->base, "pa.keep"), take = cg_block(&f->base, "pa.take");
        LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, a, i64c(s, AA_UNDECIDED), ""), keep, take);
        LLVMPositionBuilderAtEnd(B, keep);
        LLVMTypeRef ty;
        LLVMValueRef df = cg_rtfn(s, cg_rtfn_id("rt_obj_decref"), &ty);
        LLVMBuildCall2(B, ty, df, &re, 1, "");
        LLVMBuildBr(B, out);
        LLVMPositionBuilderAtEnd(B, take);
        LLVMBuildStore(B, rs, acc);
        LLVMBuildStore(B, re, env_ptr(s, acc, 1));
        LLVMBuildBr(B, out);
        break;
    }
    case IR_COMP_MIN:
    case IR_COMP_MAX: {
        /* the right partial (later elements) competes as one more candidate; consumed */
        LLVMValueRef cur[9];
        for (int j = 0; j < mm_nslots(&p->mm); j++)
            cur[j] = LLVMBuildLoad2(B, cg_ltype(g, mm_type(&p->mm, j)), env_ptr(s, rhs, MM_COMP + j), "");
        LLVMValueRef rh = LLVMBuildICmp(B, LLVMIntNE, LLVMBuildLoad2(B, s->t_i64, rhs, ""), i64c(s, 0), "");
        LLVMValueRef rn = LLVMBuildICmp(B, LLVMIntNE, LLVMBuildLoad2(B, s->t_i64, env_ptr(s, rhs, MM_NAN), ""), i64c(s, 0), "");
        mm_keep(f, p, acc, cur, rh, rn, true);
        LLVMBuildBr(B, out);
        break;
    }
    default: LLVMBuildBr(B, out); break;
    }
    LLVMPositionBuilderAtEnd(B, out);
    LLVMBuildRetVoid(B);
    return fn;
}

/* Does the partial hold objects (a list; min/max object components or element)? */
static bool has_objects(const par_plan *p) {
    ir_comp_kind k = p->c->kind;
    if (k == IR_COMP_LIST || k == IR_COMP_DICT || k == IR_COMP_ANY || k == IR_COMP_ALL) return true;
    if (p->c->kind != IR_COMP_MIN && p->c->kind != IR_COMP_MAX) return false;
    for (int j = 0; j < mm_nslots(&p->mm); j++)
        if (cg_is_obj(mm_type(&p->mm, j))) return true;
    return false;
}

/* void drop(env, acc): releases the objects of a partial (a list, min/max objects; NULL-safe) */
static LLVMValueRef gen_drop(cg_gen *g, const par_plan *p, const char *name) {
    cg_state *s = &g->s;
    LLVMTypeRef params[2] = {s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 2, &F);
    LLVMTypeRef ty;
    LLVMValueRef df = cg_rtfn(s, cg_rtfn_id("rt_obj_decref"), &ty);
    for (int k = 0; k < p->accw; k++) {
        ir_comp_kind ck = p->c->kind;
        bool obj = ck == IR_COMP_LIST || ck == IR_COMP_DICT     ? k == 0
                   : ck == IR_COMP_ANY || ck == IR_COMP_ALL ? k == 1
                                                              : k >= MM_COMP && cg_is_obj(mm_type(&p->mm, k - MM_COMP));
        if (!obj) continue;
        LLVMValueRef a = LLVMBuildLoad2(B, s->t_ptr, env_ptr(s, LLVMGetParam(fn, 1), k), "");
        LLVMBuildCall2(B, ty, df, &a, 1, "");
    }
    LLVMBuildRetVoid(B);
    return fn;
}

/* At the loop's first promotion: share what the body reads (copied locals, list sources, the
 * closure, module globals), so the thief and the owner use atomic counts on them from then on. */
static LLVMValueRef gen_share(cg_gfn *pf, const par_plan *p, const char *name) {
    cg_gen *g = pf->g;
    cg_state *s = &g->s;
    LLVMTypeRef params[2] = {s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 2, &F);
    LLVMValueRef env = LLVMGetParam(fn, 1);
    LLVMTypeRef ty;
    LLVMValueRef sh = cg_rtfn(s, cg_rtfn_id("rt_share"), &ty);
#define SHARE_SLOT(k)                                                                             \
    do {                                                                                          \
        LLVMValueRef v = LLVMBuildIntToPtr(B, LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, (k)), ""), \
                                           s->t_ptr, "");                                         \
        LLVMBuildCall2(B, ty, sh, &v, 1, "");                                                     \
    } while (0)
    if (pf->ir->env) SHARE_SLOT(0);
    for (int i = 0; i < p->nsrcs; i++)
        if (p->srcs[i].it->kind == IR_IT_LIST) SHARE_SLOT(p->srcs[i].slot);
    for (int32_t i = 0; i < pf->ir->nlocals; i++)
        if (p->use.read[i] && !p->use.set[i] && cg_is_obj(pf->ir->locals[i]->type)) SHARE_SLOT(p->local_base + i);
#undef SHARE_SLOT
    for (int32_t i = 0; i < g->mod->nglobals; i++) {
        if (!cg_is_obj(g->mod->globals[i]->type)) continue;
        LLVMValueRef v = LLVMBuildLoad2(B, s->t_ptr, g->gvar[i], "");
        LLVMBuildCall2(B, ty, sh, &v, 1, "");
    }
    LLVMBuildRetVoid(B);
    return fn;
}

/* ---- the call site ---------------------------------------------------------------------------- */

/* Evaluates the first clause's sources into env; returns the iteration count. Owned list sources
 * are kept in *held (released by the caller after the loop, or by the unwind path). */
static LLVMValueRef eval_sources(cg_gfn *f, const par_plan *p, const ir_iter *it, LLVMValueRef env, int *leaf,
                                 cg_val *held) {
    cg_state *s = f->base.s;
    if (it->kind == IR_IT_ZIP || it->kind == IR_IT_ENUMERATE) {
        LLVMValueRef n = NULL;
        for (int32_t k = 0; k < it->nsubs; k++) {
            LLVMValueRef nk = eval_sources(f, p, it->subs[k], env, leaf, held);
            n = n ? LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSLT, nk, n, ""), nk, n, "") : nk;
        }
        if (it->kind == IR_IT_ENUMERATE) {
            LLVMValueRef st = it->a ? cg_expr(f, it->a).v : i64c(s, 0);
            LLVMBuildStore(B, st, env_ptr(s, env, p->enum_slot));
        }
        return n;
    }
    int li = (*leaf)++;
    const par_src *src = &p->srcs[li];
    if (it->kind == IR_IT_RANGE) {
        cg_val a = cg_expr(f, it->a), b = cg_expr(f, it->b);
        cg_val c = it->c ? cg_expr(f, it->c) : cg_borrowed(i64c(s, 1));
        LLVMBuildStore(B, a.v, env_ptr(s, env, src->slot));
        LLVMBuildStore(B, c.v, env_ptr(s, env, src->slot + 1));
        if (LLVMIsAConstantInt(c.v) && LLVMConstIntGetSExtValue(c.v) == 1) {
            LLVMValueRef d = LLVMBuildSub(B, b.v, a.v, "");
            return LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSGT, b.v, a.v, ""), d, i64c(s, 0), "");
        }
        cg_raise_if(&f->base, LLVMBuildICmp(B, LLVMIntEQ, c.v, i64c(s, 0), ""), PF_EXC_VALUE,
                    "range() arg 3 must not be zero");
        LLVMValueRef args[3] = {a.v, b.v, c.v};
        return cg_call_rt(&f->base, "rt_range_len", args, 3);
    }
    cg_val c = cg_expr(f, it->a);
    if (it->a->kind == IR_E_LOCAL && !f->local_owned[it->a->local->id])
        held[li] = cg_borrowed(c.v); /* never rebound while live (cg_stmt.c src_prepare): no reference */
    else
        held[li] = cg_owned(f, cg_take(f, &c, it->a->type), it->a->type);
    LLVMBuildStore(B, LLVMBuildPtrToInt(B, held[li].v, s->t_i64, ""), env_ptr(s, env, src->slot));
    return cg_load_field(f, held[li].v, 8, s->t_i64);
}

/* Kinds whose sequential lowering gives exactly the result of the block tree at any n: lists
 * (partials concatenated in order) and min/max (the tree keeps the first best element as the left
 * fold does whenever the order is total; when a NaN was compared the result is recomputed by
 * the fold: cg_par_comp), dicts (merged in order: python3's later-key-wins, first position) and any/all (the first decided block decides, errors included). Not float sums (left to right vs fixed 1024-blocks combined pairwise:
 * other bits) nor int sums (the tree and the left fold can differ on whether an intermediate
 * overflows). */
static bool solo_seq_kind(const ir_expr *e) {
    switch (e->comp->kind) {
    case IR_COMP_LIST:
    case IR_COMP_DICT:
    case IR_COMP_ANY:
    case IR_COMP_ALL:
    case IR_COMP_MIN:
    case IR_COMP_MAX: return true;
    default: return false;
    }
}

/* Up to how many iterations a comprehension runs as one block: a float sum's 1024 (DESIGN.md's
 * fixed blocks), 1 for exact reductions (they cost no allocation unpromoted), or PAR_CUTOFF. */
static int64_t comp_cutoff(const ir_expr *e, bool exact) {
    if (e->comp->kind == IR_COMP_SUM && e->type->kind == IR_T_FLOAT) return 1024;
    return exact ? 1 : PAR_CUTOFF;
}

/* Up to how many iterations an exact reduction nested under another mark runs sequentially
 * (take_seq): PAR_CUTOFF_SMALL for min/max/any/all, PAR_CUTOFF for the others. */
static int64_t nested_cutoff(const ir_expr *e) {
    ir_comp_kind k = e->comp->kind;
    return k == IR_COMP_MIN || k == IR_COMP_MAX || k == IR_COMP_ANY || k == IR_COMP_ALL ? PAR_CUTOFF_SMALL : PAR_CUTOFF;
}

static LLVMValueRef ctx_i32(cg_gfn *f, size_t off, const char *name) {
    cg_state *s = f->base.s;
    LLVMValueRef o = i64c(s, (int64_t)off);
    return LLVMBuildLoad2(B, s->t_i32, LLVMBuildGEP2(B, s->t_i8, f->base.ctx, &o, 1, ""), name);
}

/* i1: run sequentially: n <= cut, or for an exact reduction (which splits from 2 iterations on)
 * ctx->solo, i.e. one worker and no workspan (nothing could be promoted, so the block loop is
 * pure cost and the sequential fold gives the same result), or a short loop (n <= nested_cut)
 * nested under another mark (mtop != 0): promotion takes the oldest mark first, so the enclosing
 * loop or fork is split instead (gen_points' rows of 8 coordinates inside its parallel loop over
 * the points), while a short loop at a task's top level (4 heavy models) is the parallelism. */
static LLVMValueRef take_seq(cg_gfn *f, bool exact, LLVMValueRef n, int64_t cut, int64_t nested_cut) {
    cg_state *s = f->base.s;
    LLVMValueRef r = LLVMBuildICmp(B, LLVMIntSLE, n, i64c(s, cut), "");
    if (!exact) return r;
    LLVMValueRef zero = LLVMConstInt(s->t_i32, 0, 0);
    r = LLVMBuildOr(B, r, LLVMBuildICmp(B, LLVMIntNE, ctx_i32(f, offsetof(pf_ctx, solo), "solo"), zero, ""), "");
    LLVMValueRef nested = LLVMBuildICmp(B, LLVMIntNE, ctx_i32(f, offsetof(pf_ctx, mtop), "mtop"), zero, "");
    LLVMValueRef shorter = LLVMBuildICmp(B, LLVMIntSLE, n, i64c(s, nested_cut), "");
    return LLVMBuildOr(B, r, LLVMBuildAnd(B, nested, shorter, ""), "");
}

/* Source expressions cheap and effect-free enough to evaluate twice. */
static bool simple_expr(const ir_expr *x) {
    if (!x) return true;
    switch (x->kind) {
    case IR_E_INT:
    case IR_E_LOCAL:
    case IR_E_GLOBAL:
    case IR_E_CAPTURE: return true;
    case IR_E_CONVERT: return simple_expr(x->args[0]);
    case IR_E_BINARY:
        return (x->op == IR_OP_ADD || x->op == IR_OP_SUB || x->op == IR_OP_MUL) && simple_expr(x->args[0]) &&
               simple_expr(x->args[1]);
    case IR_E_OP: return x->op == IR_OP_LEN && simple_expr(x->args[0]);
    default: return false;
    }
}

static bool simple_source(const ir_iter *it) {
    if (!simple_expr(it->a) || !simple_expr(it->b) || !simple_expr(it->c)) return false;
    for (int32_t k = 0; k < it->nsubs; k++)
        if (!simple_source(it->subs[k])) return false;
    return true;
}

/* The comprehension's value from the reduction's accumulator. */
static cg_val par_result(cg_gfn *f, const par_plan *p, LLVMValueRef acc) {
    cg_gen *g = f->g;
    cg_state *s = &g->s;
    const ir_expr *e = p->e;
    const ir_type *t = e->type;
    const ir_comp *c = p->c;
    switch (c->kind) {
    case IR_COMP_LIST: {
        LLVMValueRef xs0 = LLVMBuildLoad2(B, s->t_ptr, acc, "");
        LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
        LLVMBasicBlockRef mk = cg_block(&f->base, "pl.empty"), fin = cg_block(&f->base, "pl.done");
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, xs0, ""), mk, fin);
        LLVMPositionBuilderAtEnd(B, mk);
        LLVMValueRef nargs[3] = {f->base.ctx, cg_type_desc(g, t), i64c(s, 0)};
        LLVMValueRef nx = cg_call_rt(&f->base, "rt_list_new", nargs, 3);
        LLVMBasicBlockRef mk_end = LLVMGetInsertBlock(B);
        LLVMBuildBr(B, fin);
        LLVMPositionBuilderAtEnd(B, fin);
        LLVMValueRef xs = LLVMBuildPhi(B, s->t_ptr, "");
        LLVMValueRef inv[2] = {xs0, nx};
        LLVMBasicBlockRef inb[2] = {cur, mk_end};
        LLVMAddIncoming(xs, inv, inb, 2);
        return cg_owned(f, xs, t);
    }
    case IR_COMP_DICT: {
        LLVMValueRef d0 = LLVMBuildLoad2(B, s->t_ptr, acc, "");
        LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
        LLVMBasicBlockRef mk = cg_block(&f->base, "pd.empty"), fin = cg_block(&f->base, "pd.done");
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, d0, ""), mk, fin);
        LLVMPositionBuilderAtEnd(B, mk);
        LLVMValueRef nargs[3] = {f->base.ctx, cg_type_desc(g, t), i64c(s, 0)};
        LLVMValueRef nd = cg_call_rt(&f->base, "rt_dict_new", nargs, 3);
        LLVMBasicBlockRef mk_end = LLVMGetInsertBlock(B);
        LLVMBuildBr(B, fin);
        LLVMPositionBuilderAtEnd(B, fin);
        LLVMValueRef d = LLVMBuildPhi(B, s->t_ptr, "");
        LLVMValueRef inv[2] = {d0, nd};
        LLVMBasicBlockRef inb[2] = {cur, mk_end};
        LLVMAddIncoming(d, inv, inb, 2);
        return cg_owned(f, d, t);
    }
    case IR_COMP_SUM: {
        LLVMValueRef a = LLVMBuildLoad2(B, cg_ltype(g, t), acc, "");
        cg_val init0 = c->init ? cg_expr(f, c->init)
                               : cg_borrowed(t->kind == IR_T_FLOAT ? LLVMConstReal(s->t_f64, 0.0) : i64c(s, 0));
        cg_set_line(&f->base, e->line);
        return cg_borrowed(t->kind == IR_T_FLOAT ? LLVMBuildFAdd(B, init0.v, a, "") : cg_int_add(&f->base, init0.v, a));
    }
    case IR_COMP_MIN:
    case IR_COMP_MAX: {
        /* the value: a new tuple of the components, the element (key=) or the one component;
         * its objects move out of the partial */
        const ir_par_minmax *m = &p->mm;
        LLVMValueRef have = LLVMBuildLoad2(B, s->t_i64, acc, "");
        LLVMValueRef empty = LLVMBuildICmp(B, LLVMIntEQ, have, i64c(s, 0), "");
        bool obj = cg_is_obj(t); /* owned (NULL when empty) */
        LLVMBasicBlockRef cur = NULL, dflt = NULL, dend = NULL, fin = NULL;
        LLVMValueRef dv = NULL;
        if (!c->init) {
            cg_set_line(&f->base, e->line);
            cg_raise_if(&f->base, empty, PF_EXC_VALUE,
                        c->kind == IR_COMP_MIN ? "min() arg is an empty sequence" : "max() arg is an empty sequence");
        } else {
            dflt = cg_block(&f->base, "pm.default");
            fin = cg_block(&f->base, "pm.done");
            LLVMBasicBlockRef some = cg_block(&f->base, "pm.some");
            LLVMBuildCondBr(B, empty, dflt, some);
            LLVMPositionBuilderAtEnd(B, dflt);
            cg_val d = cg_expr(f, c->init);
            dv = obj ? cg_take(f, &d, t) : d.v;
            dend = LLVMGetInsertBlock(B);
            LLVMBuildBr(B, fin);
            LLVMPositionBuilderAtEnd(B, some);
        }
        LLVMValueRef best;
        if (p->part >= 0) { /* only `[part]` of the tuple is read: no tuple built */
            return cg_borrowed(LLVMBuildLoad2(B, cg_ltype(g, m->comp[p->part]), env_ptr(s, acc, MM_COMP + p->part), ""));
        } else if (m->tuple) {
            LLVMValueRef args[2] = {f->base.ctx, cg_type_desc(g, t)};
            best = cg_call_rt(&f->base, "rt_rec_new", args, 2);
            for (int32_t i = 0; i < m->ncomp; i++) {
                LLVMValueRef v = LLVMBuildLoad2(B, cg_ltype(g, m->comp[i]), env_ptr(s, acc, MM_COMP + i), "");
                cg_store_field(f, best, 24 + 8 * (unsigned)i, cg_to_slot(f, v, m->comp[i]));
            }
        } else {
            best = LLVMBuildLoad2(B, cg_ltype(g, t), env_ptr(s, acc, MM_COMP + (m->elem ? m->ncomp : 0)), "");
            /* with key=, the key is dropped */
            if (m->elem && cg_is_obj(m->comp[0]))
                cg_decref(f, LLVMBuildLoad2(B, s->t_ptr, env_ptr(s, acc, MM_COMP), ""), m->comp[0]);
        }
        if (!c->init) return obj ? cg_owned(f, best, t) : cg_borrowed(best);
        cur = LLVMGetInsertBlock(B);
        LLVMBuildBr(B, fin);
        LLVMPositionBuilderAtEnd(B, fin);
        LLVMValueRef r = LLVMBuildPhi(B, cg_ltype(g, t), "");
        LLVMValueRef inv[2] = {best, dv};
        LLVMBasicBlockRef inb[2] = {cur, dend};
        LLVMAddIncoming(r, inv, inb, 2);
        return obj ? cg_owned(f, r, t) : cg_borrowed(r);
    }
    case IR_COMP_ANY:
    case IR_COMP_ALL: {
        /* an error decided: raise it here; else any = a hit was found, all = none was */
        LLVMValueRef st = LLVMBuildLoad2(B, s->t_i64, acc, "");
        LLVMBasicBlockRef err = cg_block(&f->base, "pa.raise"), ok = cg_block(&f->base, "pa.value");
        LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, st, i64c(s, AA_ERROR), ""), err, ok);
        LLVMPositionBuilderAtEnd(B, err);
        LLVMBuildStore(B, LLVMBuildLoad2(B, s->t_ptr, env_ptr(s, acc, 1), ""),
                       LLVMBuildStructGEP2(B, s->t_ctx, f->base.ctx, 1, ""));
        LLVMBuildBr(B, f->base.unwind);
        LLVMPositionBuilderAtEnd(B, ok);
        LLVMValueRef hit = LLVMBuildICmp(B, LLVMIntEQ, st, i64c(s, AA_HIT), "");
        return cg_borrowed(c->kind == IR_COMP_ANY ? hit : LLVMBuildNot(B, hit, ""));
    }
    default: cg_fail(g, "codegen: parallel comprehension of an unsupported kind"); return cg_borrowed(NULL);
    }
}

cg_val cg_par_comp(cg_gfn *f, const ir_expr *e, int32_t part) {
    cg_gen *g = f->g;
    cg_state *s = &g->s;
    const ir_func *fn = f->ir;
    par_plan P;
    memset(&P, 0, sizeof P);
    par_plan *p = &P;
    p->e = e;
    p->c = e->comp;
    p->enum_slot = -1;
    p->part = part;
    const ir_type *rt_ = part >= 0 ? e->comp->elt->args[part]->type : e->type; /* of the value */
    int slot = 1; /* slot 0: the closure */
    if (!plan_sources(p, p->c->clauses[0].iter, &slot)) {
        cg_fail(g, "codegen: parallel comprehension source too complex");
        return cg_borrowed(NULL);
    }
    p->local_base = slot;
    p->nslots = slot + fn->nlocals;
    p->decided_slot = p->nslots;
    if (p->c->kind == IR_COMP_ANY || p->c->kind == IR_COMP_ALL) p->nslots++;
    p->accw = 2;
    bool mm = p->c->kind == IR_COMP_MIN || p->c->kind == IR_COMP_MAX;
    if (mm) {
        if (ir_par_minmax_shape(e, &p->mm)) {
            cg_fail(g, "codegen: parallel min/max of an unsupported shape");
            return cg_borrowed(NULL);
        }
        p->accw = MM_COMP + mm_nslots(&p->mm);
    }
    bool nanable = mm && p->mm.nan; /* a NaN compared: the fold recomputes the result */
    p->use.read = calloc((size_t)fn->nlocals + 1, 1);
    p->use.set = calloc((size_t)fn->nlocals + 1, 1);
    use_expr(&p->use, e);

    /* the outlined functions, emitted with the builder saved */
    static const char *const kinds[] = {"?", "list", "dict", "sum", "min", "max", "any", "all", "sorted", "join"};
    char name[400];
    LLVMBasicBlockRef here = LLVMGetInsertBlock(B);
    int n0 = (int)LLVMCountBasicBlocks(f->base.fn);
    snprintf(name, sizeof name, "par:%s:%s@%d:%d.%d", fn->name, kinds[p->c->kind], e->line, e->col, n0);
    size_t nl = strlen(name);
    LLVMValueRef body = gen_body(f, p, name);
    snprintf(name + nl, sizeof name - nl, ".init");
    LLVMValueRef init = gen_init(g, p, name);
    snprintf(name + nl, sizeof name - nl, ".combine");
    LLVMValueRef comb = gen_combine(g, p, name);
    snprintf(name + nl, sizeof name - nl, ".drop");
    bool has_drop = has_objects(p);
    LLVMValueRef drop = has_drop ? gen_drop(g, p, name) : LLVMConstNull(s->t_ptr);
    snprintf(name + nl, sizeof name - nl, ".share");
    LLVMValueRef share = gen_share(f, p, name);
    LLVMPositionBuilderAtEnd(B, here);

    /* env: closure, sources, copied locals */
    cg_set_line(&f->base, e->line);
    LLVMValueRef env = cg_alloca(&f->base, LLVMArrayType(s->t_i64, (unsigned)p->nslots), "penv");
    LLVMBuildStore(B, f->env ? LLVMBuildPtrToInt(B, f->env, s->t_i64, "") : i64c(s, 0), env_ptr(s, env, 0));
    if (p->decided_slot < p->nslots) LLVMBuildStore(B, i64c(s, INT64_MAX), env_ptr(s, env, p->decided_slot));
    cg_val held[16];
    memset(held, 0, sizeof held);
    int leaf = 0;
    LLVMValueRef n = eval_sources(f, p, p->c->clauses[0].iter, env, &leaf, held);
    /* short loops with sources that are cheap to evaluate again take the ordinary sequential
     * lowering (same result: at most one block), and so do all loops of solo_seq_kind on a
     * single-worker runtime (take_seq); a min/max that compared a NaN comes back to it too */
    LLVMBasicBlockRef seq_final = NULL, seqb = NULL;
    LLVMValueRef common = NULL;
    bool exact = solo_seq_kind(e);
    int64_t cutoff = comp_cutoff(e, exact);
    bool simple = simple_source(p->c->clauses[0].iter);
    if (simple || nanable) {
        seq_final = cg_block(&f->base, "par.final");
        common = cg_is_obj(rt_) ? cg_temp_slot(f) : cg_alloca(&f->base, cg_ltype(g, rt_), "pres");
        seqb = cg_block(&f->base, "par.seq");
        LLVMBasicBlockRef parb = cg_block(&f->base, "par.par");
        if (simple) LLVMBuildCondBr(B, take_seq(f, exact, n, cutoff, nested_cutoff(e)), seqb, parb);
        else LLVMBuildBr(B, parb);
        LLVMPositionBuilderAtEnd(B, seqb);
        ir_comp *mc = (ir_comp *)p->c; /* lowered once more without par, then restored */
        mc->par = false;
        cg_val rs;
        if (part < 0 || !cg_comp_part(f, e, part, &rs)) rs = cg_comp(f, e);
        mc->par = true;
        if (cg_is_obj(rt_)) LLVMBuildStore(B, cg_take(f, &rs, rt_), common);
        else LLVMBuildStore(B, rs.v, common);
        LLVMBuildBr(B, seq_final);
        LLVMPositionBuilderAtEnd(B, parb);
    }
    for (int32_t i = 0; i < fn->nlocals; i++) {
        const ir_local *l = fn->locals[i];
        if (!p->use.read[i] || p->use.set[i] || l->type->kind == IR_T_NONE) continue;
        LLVMValueRef v = LLVMBuildLoad2(B, cg_ltype(g, l->type), f->local_slot[i], "");
        LLVMBuildStore(B, cg_to_slot(f, v, l->type), env_ptr(s, env, p->local_base + i));
    }

    /* rt_loop_desc: body env acc_size init combine drop grain share exact (9 words) */
    LLVMTypeRef words = LLVMArrayType(s->t_i64, 9);
    LLVMValueRef desc = cg_alloca(&f->base, words, "pdesc");
    /* grain: float sums in DESIGN.md's fixed blocks of 1024; otherwise at most ~256 blocks, so
     * cheap bodies do not pay a call and a partial per few iterations (a function of n only) */
    LLVMValueRef grain = i64c(s, 1024);
    if (!(p->c->kind == IR_COMP_SUM && e->type->kind == IR_T_FLOAT)) {
        LLVMValueRef q = LLVMBuildAShr(B, n, i64c(s, 8), "");
        grain = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSGT, q, i64c(s, 1), ""), q, i64c(s, 1), "grain");
    }
    LLVMValueRef fields[9] = {body, env, i64c(s, 8 * p->accw), init, comb, drop, grain, share, i64c(s, exact)};
    for (int k = 0; k < 9; k++) {
        LLVMValueRef v = fields[k];
        if (LLVMTypeOf(v) != s->t_i64) v = LLVMBuildPtrToInt(B, v, s->t_i64, "");
        LLVMBuildStore(B, v, env_ptr(s, desc, k));
    }
    LLVMValueRef acc = cg_alloca(&f->base, LLVMArrayType(s->t_i64, (unsigned)p->accw), "pacc");
    /* short loops (at most cutoff iterations, or one float-sum block), and exact reductions on
     * one worker, run the body directly: the same result as rt_reduce, without its setup */
    LLVMBasicBlockRef direct = cg_block(&f->base, "par.direct"), pooled = cg_block(&f->base, "par.reduce");
    LLVMBasicBlockRef merged = cg_block(&f->base, "par.merged");
    /* (when the sequential lowering already took the short loops, this test is always false) */
    if (simple)
        LLVMBuildBr(B, pooled);
    else
        LLVMBuildCondBr(B, take_seq(f, exact, n, cutoff, nested_cutoff(e)), direct, pooled);
    LLVMPositionBuilderAtEnd(B, direct);
    {
        LLVMValueRef iargs[2] = {env, acc};
        LLVMBuildCall2(B, LLVMGlobalGetValueType(init), init, iargs, 2, "");
        LLVMValueRef bargs[5] = {f->base.ctx, env, i64c(s, 0), n, acc};
        LLVMBuildCall2(B, LLVMGlobalGetValueType(body), body, bargs, 5, "");
        LLVMValueRef exc = LLVMBuildLoad2(B, s->t_ptr, LLVMBuildStructGEP2(B, s->t_ctx, f->base.ctx, 1, ""), "");
        LLVMBasicBlockRef failed = cg_block(&f->base, "par.dfail");
        LLVMBuildCondBr(B, LLVMBuildIsNotNull(B, exc, ""), failed, merged);
        LLVMPositionBuilderAtEnd(B, failed);
        if (has_drop) LLVMBuildCall2(B, LLVMGlobalGetValueType(drop), drop, iargs, 2, "");
        LLVMBuildBr(B, f->base.unwind);
    }
    LLVMPositionBuilderAtEnd(B, pooled);
    LLVMValueRef rargs[5] = {f->base.ctx, desc, i64c(s, 0), n, acc};
    cg_call_rt(&f->base, "rt_reduce", rargs, 5);
    LLVMBuildBr(B, merged);
    LLVMPositionBuilderAtEnd(B, merged);
    if (nanable) {
        LLVMValueRef nw = LLVMBuildLoad2(B, s->t_i64, env_ptr(s, acc, MM_NAN), "");
        LLVMBasicBlockRef redo = cg_block(&f->base, "par.nan"), ok = cg_block(&f->base, "par.ok");
        LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, nw, i64c(s, 0), ""), redo, ok);
        LLVMPositionBuilderAtEnd(B, redo);
        LLVMValueRef dargs[2] = {env, acc};
        if (has_drop) LLVMBuildCall2(B, LLVMGlobalGetValueType(drop), drop, dargs, 2, "");
        LLVMBuildBr(B, seqb);
        LLVMPositionBuilderAtEnd(B, ok);
    }

    cg_val rp = par_result(f, p, acc);
    if (!seq_final) {
        for (int i = 0; i < p->nsrcs; i++)
            if (held[i].owned) cg_release(f, &held[i], p->srcs[i].it->a->type);
        free(p->use.read);
        free(p->use.set);
        return rp;
    }
    /* both paths meet: one result slot (and one temp slot for an object) */
    if (cg_is_obj(rt_)) LLVMBuildStore(B, cg_take(f, &rp, rt_), common);
    else LLVMBuildStore(B, rp.v, common);
    LLVMBuildBr(B, seq_final);
    LLVMPositionBuilderAtEnd(B, seq_final);
    for (int i = 0; i < p->nsrcs; i++)
        if (held[i].owned) cg_release(f, &held[i], p->srcs[i].it->a->type);
    free(p->use.read);
    free(p->use.set);
    LLVMValueRef v = LLVMBuildLoad2(B, cg_ltype(g, rt_), common, "");
    if (!cg_is_obj(rt_)) return cg_borrowed(v);
    cg_val r = {v, common, true};
    return r;
}

/* ---- forks: `a OP b` with b a call marked par ---------------------------------------------------- */

/* void thunk(ctx, env, result): *result = b.func(ctx, args from env) */
static LLVMValueRef gen_thunk(cg_gen *g, const ir_expr *b, const char *name) {
    cg_state *s = &g->s;
    LLVMTypeRef params[3] = {s->t_ptr, s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 3, &F);
    cg_gfn *f = &F;
    LLVMValueRef env = LLVMGetParam(fn, 1);
    LLVMValueRef args[9];
    args[0] = LLVMGetParam(fn, 0);
    for (int32_t k = 0; k < b->nargs; k++) {
        const ir_type *t = b->func->params[k]->type;
        args[k + 1] = cg_from_slot(f, LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, k), ""), t);
    }
    LLVMValueRef r = LLVMBuildCall2(B, g->fn_type[b->func->id], g->fn[b->func->id], args, (unsigned)b->nargs + 1, "");
    LLVMBuildStore(B, cg_to_slot(f, r, b->type), LLVMGetParam(fn, 2));
    LLVMBuildRetVoid(B);
    return fn;
}

/* void share(ctx, env): the object arguments become shared when the fork is promoted */
static LLVMValueRef gen_fork_share(cg_gen *g, const ir_expr *b, const char *name) {
    cg_state *s = &g->s;
    bool any = false;
    for (int32_t k = 0; k < b->nargs; k++) any |= cg_is_obj(b->args[k]->type);
    if (!any) return LLVMConstNull(s->t_ptr);
    LLVMTypeRef params[2] = {s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 2, &F);
    LLVMTypeRef ty;
    LLVMValueRef sh = cg_rtfn(s, cg_rtfn_id("rt_share"), &ty);
    for (int32_t k = 0; k < b->nargs; k++) {
        if (!cg_is_obj(b->args[k]->type)) continue;
        LLVMValueRef v = LLVMBuildIntToPtr(B, LLVMBuildLoad2(B, s->t_i64, env_ptr(s, LLVMGetParam(fn, 1), k), ""),
                                           s->t_ptr, "");
        LLVMBuildCall2(B, ty, sh, &v, 1, "");
    }
    LLVMBuildRetVoid(B);
    return fn;
}

void cg_par_operands(cg_gfn *f, const ir_expr *a, const ir_expr *b, cg_val *av, cg_val *bv) {
    cg_gen *g = f->g;
    cg_state *s = &g->s;
    char name[400];
    LLVMBasicBlockRef here = LLVMGetInsertBlock(B);
    snprintf(name, sizeof name, "par:%s:fork@%d:%d.%u", f->ir->name, b->line, b->col,
             LLVMCountBasicBlocks(f->base.fn));
    size_t nl = strlen(name);
    LLVMValueRef thunk = gen_thunk(g, b, name);
    snprintf(name + nl, sizeof name - nl, ".share");
    LLVMValueRef share = gen_fork_share(g, b, name);
    LLVMPositionBuilderAtEnd(B, here);

    /* the mark window (runtime/sched.h): only when ctx->mtop < ctx->mlimit is the fork recorded,
     * with the pending call's arguments (simple expressions: ir/par.c), its result slot and the
     * mark; otherwise (almost always) nothing is stored and b runs after a, as sequential code */
    LLVMValueRef env = cg_alloca(&f->base, LLVMArrayType(s->t_i64, (unsigned)(b->nargs + 1)), "fenv");
    LLVMValueRef res = cg_alloca(&f->base, s->t_i64, "fres");
    LLVMValueRef fork = cg_alloca(&f->base, LLVMArrayType(s->t_i64, 6), "fork");
    LLVMValueRef woff[2] = {i64c(s, (int64_t)offsetof(pf_ctx, mtop)), i64c(s, (int64_t)offsetof(pf_ctx, mlimit))};
    LLVMValueRef mtop = LLVMBuildLoad2(B, s->t_i32, LLVMBuildGEP2(B, s->t_i8, f->base.ctx, &woff[0], 1, ""), "mtop");
    LLVMValueRef mlim = LLVMBuildLoad2(B, s->t_i32, LLVMBuildGEP2(B, s->t_i8, f->base.ctx, &woff[1], 1, ""), "mlimit");
    LLVMBasicBlockRef rec = cg_block(&f->base, "fork.record"), go = cg_block(&f->base, "fork.go");
    LLVMBasicBlockRef norec = LLVMGetInsertBlock(B);
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntULT, mtop, mlim, ""), rec, go);
    LLVMPositionBuilderAtEnd(B, rec);
    for (int32_t k = 0; k < b->nargs; k++) {
        cg_val v = cg_expr(f, b->args[k]);
        LLVMBuildStore(B, cg_to_slot(f, v.v, b->args[k]->type), env_ptr(s, env, k));
        cg_release(f, &v, b->args[k]->type); /* simple args are borrowed locals or scalars */
    }
    LLVMValueRef fields[4] = {thunk, env, res, share};
    for (int k = 0; k < 4; k++) LLVMBuildStore(B, LLVMBuildPtrToInt(B, fields[k], s->t_i64, ""), env_ptr(s, fork, k + 1));
    LLVMValueRef pargs[2] = {f->base.ctx, fork};
    LLVMValueRef pushed_rec = cg_call_rt(&f->base, "rt_fork_push_call", pargs, 2);
    LLVMBasicBlockRef rec_end = LLVMGetInsertBlock(B);
    LLVMBuildBr(B, go);
    LLVMPositionBuilderAtEnd(B, go);
    LLVMValueRef pushed = LLVMBuildPhi(B, s->t_i32, "pushed");
    LLVMValueRef pv[2] = {LLVMConstInt(s->t_i32, 0, 0), pushed_rec};
    LLVMBasicBlockRef pb[2] = {norec, rec_end};
    LLVMAddIncoming(pushed, pv, pb, 2);
    LLVMValueRef was_pushed = LLVMBuildICmp(B, LLVMIntNE, pushed, LLVMConstInt(s->t_i32, 0, 0), "");

    /* the first operand; if it raises, pop (and join, cancelling) a recorded mark on the way out */
    LLVMBasicBlockRef saved = f->base.unwind, fu = cg_block(&f->base, "fork.unwind");
    f->base.unwind = fu;
    *av = cg_expr(f, a);
    f->base.unwind = saved;
    LLVMBasicBlockRef after_a = LLVMGetInsertBlock(B);
    LLVMPositionBuilderAtEnd(B, fu);
    LLVMBasicBlockRef upop = cg_block(&f->base, "fork.upop");
    LLVMBuildCondBr(B, was_pushed, upop, saved);
    LLVMPositionBuilderAtEnd(B, upop);
    LLVMValueRef up = cg_call_rt(&f->base, "rt_mark_pop_call", pargs, 2);
    LLVMBasicBlockRef ujoin = cg_block(&f->base, "fork.ujoin");
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, up, LLVMConstInt(s->t_i32, 0, 0), ""), ujoin, saved);
    LLVMPositionBuilderAtEnd(B, ujoin);
    cg_call_rt(&f->base, "rt_fork_join", pargs, 2);
    LLVMBuildBr(B, saved);

    /* not recorded or never promoted: run b here; promoted: join by helping */
    LLVMPositionBuilderAtEnd(B, after_a);
    LLVMBasicBlockRef inl = cg_block(&f->base, "fork.inline"), joined = cg_block(&f->base, "fork.join");
    LLVMBasicBlockRef done = cg_block(&f->base, "fork.done"), pop = cg_block(&f->base, "fork.pop");
    LLVMBuildCondBr(B, was_pushed, pop, inl);
    LLVMPositionBuilderAtEnd(B, pop);
    LLVMValueRef popped = cg_call_rt(&f->base, "rt_mark_pop_call", pargs, 2);
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, popped, LLVMConstInt(s->t_i32, 0, 0), ""), inl, joined);
    LLVMPositionBuilderAtEnd(B, inl);
    cg_val vi = cg_expr(f, b);
    LLVMBasicBlockRef inl_end = LLVMGetInsertBlock(B);
    LLVMBuildBr(B, done);
    LLVMPositionBuilderAtEnd(B, joined);
    cg_set_line(&f->base, b->line);
    cg_call_rt(&f->base, "rt_fork_join", pargs, 2);
    cg_check_exc(&f->base);
    LLVMValueRef vj = cg_from_slot(f, LLVMBuildLoad2(B, s->t_i64, res, ""), b->type);
    LLVMBasicBlockRef j_end = LLVMGetInsertBlock(B);
    LLVMBuildBr(B, done);
    LLVMPositionBuilderAtEnd(B, done);
    LLVMValueRef phi = LLVMBuildPhi(B, cg_ltype(g, b->type), "forked");
    LLVMValueRef inv[2] = {vi.v, vj};
    LLVMBasicBlockRef inb[2] = {inl_end, j_end};
    LLVMAddIncoming(phi, inv, inb, 2);
    *bv = cg_borrowed(phi);
}

/* `a = f(x)` then `b = g(y)` with g's call marked par (ir/par.c walk_stmt_pair): g forked while f
 * runs, both assigned in order. False (nothing emitted) when the pair is not one. */
bool cg_par_stmt_pair(cg_gfn *f, const ir_stmt *st, const ir_stmt *nx) {
    if (f->g->no_forks) return false;
    if (st->kind != IR_S_ASSIGN || nx->kind != IR_S_ASSIGN || !st->local || !nx->local) return false;
    if (st->expr->kind != IR_E_CALL || nx->expr->kind != IR_E_CALL || !nx->expr->par) return false;
    cg_val av, bv;
    cg_set_line(&f->base, st->line);
    cg_par_operands(f, st->expr, nx->expr, &av, &bv);
    cg_assign_local(f, st->local, av);
    cg_set_line(&f->base, nx->line);
    cg_assign_local(f, nx->local, bv);
    return true;
}

/* ---- for loops marked par (ir/par.c): one rt_reduce, a partial per reduced local ---------------- */

/* The partial of the k-th reduced local (in local id order) is acc slot k (8 bytes: int, float
 * bits, or an owned list / NULL for an empty one). Everything else the body binds is fresh in
 * every iteration and dead after the loop (ir/par.c checked), so blocks share nothing else. */
typedef struct par_for {
    par_plan p;
    const ir_func *fn;
    const ir_stmt *st;
    unsigned char *red; /* per local id: ir_par_red */
    int *accslot;       /* per local id: acc slot, or -1 */
    int nacc;
} par_for;

static LLVMValueRef red_identity(cg_state *s, int red, const ir_type *t) {
    bool fl = t->kind == IR_T_FLOAT;
    switch (red) {
    case IR_RED_ADD: return fl ? LLVMConstReal(s->t_f64, -0.0) : i64c(s, 0);
    case IR_RED_MUL: return fl ? LLVMConstReal(s->t_f64, 1.0) : i64c(s, 1);
    case IR_RED_MIN: return fl ? LLVMConstReal(s->t_f64, 1.0 / 0.0) : i64c(s, INT64_MAX);
    case IR_RED_MAX: return fl ? LLVMConstReal(s->t_f64, -1.0 / 0.0) : i64c(s, INT64_MIN);
    default: return LLVMConstNull(s->t_ptr);
    }
}

/* a ⊕ b for a numeric reduction (a: the earlier range; on a tie min/max keep a, as Python does). */
static LLVMValueRef red_num(cg_gfn *f, int red, const ir_type *t, LLVMValueRef a, LLVMValueRef b) {
    cg_state *s = f->base.s;
    bool fl = t->kind == IR_T_FLOAT;
    switch (red) {
    case IR_RED_ADD: return fl ? LLVMBuildFAdd(B, a, b, "") : cg_int_add(&f->base, a, b);
    case IR_RED_MUL: return fl ? LLVMBuildFMul(B, a, b, "") : cg_int_mul(&f->base, a, b);
    case IR_RED_MIN: return LLVMBuildSelect(B, cg_less(f, b, a, t), b, a, "");
    default: return LLVMBuildSelect(B, cg_less(f, a, b, t), b, a, "");
    }
}

/* void body(ctx, env, lo, hi, acc): the loop's iterations [lo, hi) folded into the partials */
static LLVMValueRef gen_for_body(cg_gfn *pf, const par_for *q, const char *name) {
    cg_gen *g = pf->g;
    cg_state *s = &g->s;
    const ir_func *fn = pf->ir;
    const par_plan *p = &q->p;
    LLVMTypeRef params[5] = {s->t_ptr, s->t_ptr, s->t_i64, s->t_i64, s->t_ptr};
    cg_gfn F;
    LLVMValueRef bfn = helper(g, name, params, 5, &F);
    cg_gfn *f = &F;
    f->ir = fn;
    f->base.ctx = LLVMGetParam(bfn, 0);
    LLVMValueRef env = LLVMGetParam(bfn, 1), lo = LLVMGetParam(bfn, 2), hi = LLVMGetParam(bfn, 3);
    LLVMValueRef acc = LLVMGetParam(bfn, 4);
    LLVMBasicBlockRef body = cg_block(&f->base, "body");
    f->cleanup = cg_block(&f->base, "cleanup");
    f->fn_unwind = cg_block(&f->base, "unwind");
    f->base.unwind = f->fn_unwind;
    f->base.line_slot = LLVMBuildAlloca(B, s->t_i32, "line");
    LLVMBuildStore(B, LLVMConstInt(s->t_i32, (unsigned long long)q->st->line, 0), f->base.line_slot);
    f->local_slot = calloc((size_t)fn->nlocals + 1, sizeof *f->local_slot);
    f->local_owned = calloc((size_t)fn->nlocals + 1, sizeof *f->local_owned);
    bool *lb = calloc((size_t)fn->nlocals + 1, sizeof *lb);
    {   /* loop variables over list elements stay borrowed (cg_loop_borrowed), as in the function */
        ir_stmt *one = (ir_stmt *)q->st;
        ir_block blk = {&one, 1, 1};
        cg_loop_borrowed(fn, &blk, NULL, lb);
    }
    for (int32_t i = 0; i < fn->nlocals; i++) {
        const ir_local *l = fn->locals[i];
        LLVMTypeRef lt = cg_ltype(g, l->type);
        f->local_slot[i] = LLVMBuildAlloca(B, lt, l->name);
        if (q->red[i]) {
            LLVMBuildStore(B, LLVMBuildLoad2(B, lt, env_ptr(s, acc, q->accslot[i]), ""), f->local_slot[i]);
            f->local_owned[i] = cg_is_obj(l->type);
        } else if (p->use.read[i] && !p->use.set[i] && l->type->kind != IR_T_NONE) {
            LLVMValueRef v = LLVMBuildLoad2(B, s->t_i64, env_ptr(s, env, p->local_base + i), "");
            LLVMBuildStore(B, cg_from_slot(f, v, l->type), f->local_slot[i]);
        } else {
            LLVMBuildStore(B, LLVMConstNull(lt), f->local_slot[i]);
            f->local_owned[i] = cg_is_obj(l->type) && !(lb[i] && p->use.set[i]);
        }
    }
    free(lb);
    if (fn->env) f->env = LLVMBuildIntToPtr(B, LLVMBuildLoad2(B, s->t_i64, env, ""), s->t_ptr, "clo");

    LLVMPositionBuilderAtEnd(B, body);
    /* an empty list partial (NULL) becomes a real list before the body appends to it */
    for (int32_t i = 0; i < fn->nlocals; i++) {
        if (q->red[i] != IR_RED_CONCAT) continue;
        LLVMValueRef xs0 = LLVMBuildLoad2(B, s->t_ptr, f->local_slot[i], "");
        LLVMBasicBlockRef mk = cg_block(&f->base, "pf.new"), have = cg_block(&f->base, "pf.have");
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, xs0, ""), mk, have);
        LLVMPositionBuilderAtEnd(B, mk);
        LLVMValueRef nargs[3] = {f->base.ctx, cg_type_desc(g, fn->locals[i]->type), i64c(s, 0)};
        LLVMBuildStore(B, cg_call_rt(&f->base, "rt_list_new", nargs, 3), f->local_slot[i]);
        LLVMBuildBr(B, have);
        LLVMPositionBuilderAtEnd(B, have);
    }
    par_bind pb;
    prepare_sources(f, p, env, lo, hi, &pb);
    LLVMValueRef islot = cg_alloca(&f->base, s->t_i64, "pi");
    LLVMBuildStore(B, lo, islot);
    LLVMBasicBlockRef head = cg_block(&f->base, "pf.head"), lbody = cg_block(&f->base, "pf.body");
    LLVMBasicBlockRef latch = cg_block(&f->base, "pf.latch");
    LLVMBuildBr(B, head);
    LLVMPositionBuilderAtEnd(B, head);
    LLVMValueRef i = LLVMBuildLoad2(B, s->t_i64, islot, "i");
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSLT, i, hi, ""), lbody, f->cleanup);
    LLVMPositionBuilderAtEnd(B, lbody);
    int leaf = 0;
    bind_source(f, p, q->st->iter, &pb, i, &leaf);
    f->loops[0].brk = f->cleanup; /* (no break: ir/par.c) */
    f->loops[0].cont = latch;
    f->nloops = 1;
    cg_block_stmts(f, &q->st->body);
    if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(B))) LLVMBuildBr(B, latch);
    LLVMPositionBuilderAtEnd(B, latch);
    LLVMValueRef i2 = LLVMBuildLoad2(B, s->t_i64, islot, "");
    LLVMBuildStore(B, LLVMBuildAdd(B, i2, i64c(s, 1), ""), islot);
    cg_poll(&f->base);
    LLVMBuildBr(B, head);

    LLVMPositionBuilderAtEnd(B, f->fn_unwind);
    LLVMBuildBr(B, f->cleanup);
    /* cleanup: the partials go back to acc (also on failure: the runtime drops them); the other
     * owned locals and temps are released; an exception stays in ctx->exc */
    LLVMPositionBuilderAtEnd(B, f->cleanup);
    for (int32_t k = 0; k < fn->nlocals; k++) {
        LLVMTypeRef lt = cg_ltype(g, fn->locals[k]->type);
        if (q->red[k]) {
            LLVMBuildStore(B, LLVMBuildLoad2(B, lt, f->local_slot[k], ""), env_ptr(s, acc, q->accslot[k]));
        } else if (f->local_owned[k]) {
            cg_decref(f, LLVMBuildLoad2(B, s->t_ptr, f->local_slot[k], ""), &opt_any);
        }
    }
    for (int32_t k = 0; k < f->ntemps; k++) cg_decref(f, LLVMBuildLoad2(B, s->t_ptr, f->temps[k], ""), &opt_any);
    LLVMBuildRetVoid(B);
    LLVMPositionBuilderAtEnd(B, f->base.entry);
    LLVMBuildBr(B, body);
    free(f->local_slot);
    free(f->local_owned);
    free(f->temps);
    return bfn;
}

static LLVMValueRef gen_for_init(cg_gen *g, const par_for *q, const char *name) {
    cg_state *s = &g->s;
    LLVMTypeRef params[2] = {s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 2, &F);
    const ir_func *ir = q->fn;
    for (int32_t k = 0; k < ir->nlocals; k++)
        if (q->red[k])
            LLVMBuildStore(B, red_identity(s, q->red[k], ir->locals[k]->type), env_ptr(s, LLVMGetParam(fn, 1), q->accslot[k]));
    LLVMBuildRetVoid(B);
    return fn;
}

/* Appends list *rhs to list *acc (either may be NULL: empty); consumes *rhs. */
static void concat_into(cg_gfn *f, LLVMValueRef accp, LLVMValueRef rhsp) {
    cg_state *s = f->base.s;
    LLVMValueRef a = LLVMBuildLoad2(B, s->t_ptr, accp, ""), r = LLVMBuildLoad2(B, s->t_ptr, rhsp, "");
    LLVMBasicBlockRef move = cg_block(&f->base, "move"), both = cg_block(&f->base, "both");
    LLVMBasicBlockRef join = cg_block(&f->base, "join"), out = cg_block(&f->base, "cdone");
    LLVMBuildCondBr(B, LLVMBuildIsNull(B, a, ""), move, both);
    LLVMPositionBuilderAtEnd(B, move);
    LLVMBuildStore(B, r, accp);
    LLVMBuildBr(B, out);
    LLVMPositionBuilderAtEnd(B, both);
    LLVMBuildCondBr(B, LLVMBuildIsNull(B, r, ""), out, join);
    LLVMPositionBuilderAtEnd(B, join);
    LLVMValueRef cargs[3] = {f->base.ctx, a, r};
    LLVMTypeRef ty;
    LLVMValueRef cf = cg_rtfn(s, cg_rtfn_id("rt_list_concat"), &ty);
    LLVMBuildStore(B, LLVMBuildCall2(B, ty, cf, cargs, 3, ""), accp);
    LLVMValueRef df = cg_rtfn(s, cg_rtfn_id("rt_obj_decref"), &ty);
    LLVMBuildCall2(B, ty, df, &r, 1, "");
    LLVMBuildBr(B, out);
    LLVMPositionBuilderAtEnd(B, out);
}

static LLVMValueRef gen_for_combine(cg_gen *g, const par_for *q, const char *name) {
    cg_state *s = &g->s;
    LLVMTypeRef params[4] = {s->t_ptr, s->t_ptr, s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 4, &F);
    cg_gfn *f = &F;
    f->base.ctx = LLVMGetParam(fn, 0);
    LLVMValueRef acc = LLVMGetParam(fn, 2), rhs = LLVMGetParam(fn, 3);
    LLVMBasicBlockRef out = cg_block(&f->base, "out");
    f->base.unwind = out;
    const ir_func *ir = q->fn;
    /* lists first: an int overflow below leaves ctx->exc set and skips the rest */
    for (int32_t k = 0; k < ir->nlocals; k++)
        if (q->red[k] == IR_RED_CONCAT) concat_into(f, env_ptr(s, acc, q->accslot[k]), env_ptr(s, rhs, q->accslot[k]));
    for (int32_t k = 0; k < ir->nlocals; k++) {
        if (!q->red[k] || q->red[k] == IR_RED_CONCAT) continue;
        const ir_type *t = ir->locals[k]->type;
        LLVMValueRef ap = env_ptr(s, acc, q->accslot[k]);
        LLVMValueRef a = LLVMBuildLoad2(B, cg_ltype(g, t), ap, "");
        LLVMValueRef r = LLVMBuildLoad2(B, cg_ltype(g, t), env_ptr(s, rhs, q->accslot[k]), "");
        LLVMBuildStore(B, red_num(f, q->red[k], t, a, r), ap);
    }
    LLVMBuildBr(B, out);
    LLVMPositionBuilderAtEnd(B, out);
    LLVMBuildRetVoid(B);
    return fn;
}

static LLVMValueRef gen_for_drop(cg_gen *g, const par_for *q, const char *name) {
    cg_state *s = &g->s;
    LLVMTypeRef params[2] = {s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 2, &F);
    const ir_func *ir = q->fn;
    LLVMTypeRef ty;
    LLVMValueRef df = cg_rtfn(s, cg_rtfn_id("rt_obj_decref"), &ty);
    for (int32_t k = 0; k < ir->nlocals; k++) {
        if (q->red[k] != IR_RED_CONCAT) continue;
        LLVMValueRef a = LLVMBuildLoad2(B, s->t_ptr, env_ptr(s, LLVMGetParam(fn, 1), q->accslot[k]), "");
        LLVMBuildCall2(B, ty, df, &a, 1, "");
    }
    LLVMBuildRetVoid(B);
    return fn;
}

/* Kinds whose sequential lowering gives exactly the block tree's result (see solo_seq_kind). */
static bool for_solo_exact(const par_for *q) {
    const ir_func *ir = q->fn;
    for (int32_t k = 0; k < ir->nlocals; k++) {
        int r = q->red[k];
        if (r && r != IR_RED_CONCAT &&
            !((r == IR_RED_MIN || r == IR_RED_MAX) && ir->locals[k]->type->kind == IR_T_INT))
            return false;
    }
    return true;
}

void cg_par_for(cg_gfn *f, const ir_stmt *st) {
    cg_gen *g = f->g;
    cg_state *s = &g->s;
    const ir_func *fn = f->ir;
    par_for Q;
    memset(&Q, 0, sizeof Q);
    par_for *q = &Q;
    par_plan *p = &q->p;
    q->st = st;
    p->enum_slot = -1;
    q->fn = fn;
    q->red = calloc((size_t)fn->nlocals + 1, 1);
    q->accslot = calloc((size_t)fn->nlocals + 1, sizeof *q->accslot);
    p->use.read = calloc((size_t)fn->nlocals + 1, 1);
    p->use.set = calloc((size_t)fn->nlocals + 1, 1);
    int slot = 1; /* slot 0: the closure */
    if (!q->red || !q->accslot || !p->use.read || !p->use.set || ir_par_for_reductions(fn, st, q->red) == 0 ||
        !plan_sources(p, st->iter, &slot)) {
        cg_fail(g, "codegen: parallel for loop at line %d: no reduction or source too complex", st->line);
        goto out;
    }
    for (int32_t k = 0; k < fn->nlocals; k++) q->accslot[k] = q->red[k] ? q->nacc++ : -1;
    p->local_base = slot;
    p->nslots = slot + fn->nlocals;
    use_iter(&p->use, st->iter);
    use_block(&p->use, &st->body);

    char name[400];
    LLVMBasicBlockRef here = LLVMGetInsertBlock(B);
    snprintf(name, sizeof name, "par:%s:for@%d:%d.%u", fn->name, st->line, st->col, LLVMCountBasicBlocks(f->base.fn));
    size_t nl = strlen(name);
    LLVMValueRef body = gen_for_body(f, q, name);
    snprintf(name + nl, sizeof name - nl, ".init");
    LLVMValueRef init = gen_for_init(g, q, name);
    snprintf(name + nl, sizeof name - nl, ".combine");
    LLVMValueRef comb = gen_for_combine(g, q, name);
    bool lists = false;
    for (int32_t k = 0; k < fn->nlocals; k++) lists |= q->red[k] == IR_RED_CONCAT;
    snprintf(name + nl, sizeof name - nl, ".drop");
    LLVMValueRef drop = lists ? gen_for_drop(g, q, name) : LLVMConstNull(s->t_ptr);
    snprintf(name + nl, sizeof name - nl, ".share");
    LLVMValueRef share = gen_share(f, p, name);
    LLVMPositionBuilderAtEnd(B, here);

    cg_set_line(&f->base, st->line);
    LLVMValueRef env = cg_alloca(&f->base, LLVMArrayType(s->t_i64, (unsigned)p->nslots), "fenv");
    LLVMBuildStore(B, f->env ? LLVMBuildPtrToInt(B, f->env, s->t_i64, "") : i64c(s, 0), env_ptr(s, env, 0));
    cg_val held[16];
    memset(held, 0, sizeof held);
    int leaf = 0;
    LLVMValueRef n = eval_sources(f, p, st->iter, env, &leaf, held);
    LLVMBasicBlockRef done = cg_block(&f->base, "pfor.done");
    if (simple_source(st->iter)) {
        /* short loops, and on one worker the loops whose sequential result is the same, run the
         * ordinary loop (its sources are cheap to evaluate again) */
        bool fl = false;
        for (int32_t k = 0; k < fn->nlocals; k++) fl |= q->red[k] && fn->locals[k]->type->kind == IR_T_FLOAT;
        /* (float reductions of at most one 1024-block run sequentially: python3's bits) */
        bool exact = for_solo_exact(q);
        LLVMValueRef seq = take_seq(f, exact, n, fl ? 1024 : exact ? 1 : PAR_CUTOFF, PAR_CUTOFF);
        LLVMBasicBlockRef seqb = cg_block(&f->base, "pfor.seq"), parb = cg_block(&f->base, "pfor.par");
        LLVMBuildCondBr(B, seq, seqb, parb);
        LLVMPositionBuilderAtEnd(B, seqb);
        ir_stmt *ms = (ir_stmt *)st; /* lowered once more without par, then restored */
        ms->par = false;
        ir_block blk = {&ms, 1, 1};
        cg_block_stmts(f, &blk);
        ms->par = true;
        if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(B))) LLVMBuildBr(B, done);
        LLVMPositionBuilderAtEnd(B, parb);
    }
    for (int32_t i = 0; i < fn->nlocals; i++) {
        const ir_local *l = fn->locals[i];
        if (!p->use.read[i] || p->use.set[i] || l->type->kind == IR_T_NONE) continue;
        LLVMValueRef v = LLVMBuildLoad2(B, cg_ltype(g, l->type), f->local_slot[i], "");
        LLVMBuildStore(B, cg_to_slot(f, v, l->type), env_ptr(s, env, p->local_base + i));
    }
    LLVMValueRef desc = cg_alloca(&f->base, LLVMArrayType(s->t_i64, 9), "fdesc");
    /* grain: at most ~256 blocks (a function of n only); float reductions in fixed 1024-blocks */
    bool fl = false;
    for (int32_t k = 0; k < fn->nlocals; k++) fl |= q->red[k] && fn->locals[k]->type->kind == IR_T_FLOAT;
    LLVMValueRef q8 = LLVMBuildAShr(B, n, i64c(s, 8), "");
    LLVMValueRef grain = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSGT, q8, i64c(s, 1), ""), q8, i64c(s, 1), "grain");
    if (fl) grain = i64c(s, 1024);
    LLVMValueRef fields[9] = {body, env, i64c(s, 8 * q->nacc), init, comb, drop, grain, share,
                              i64c(s, for_solo_exact(q))};
    for (int k = 0; k < 9; k++) {
        LLVMValueRef v = fields[k];
        if (LLVMTypeOf(v) != s->t_i64) v = LLVMBuildPtrToInt(B, v, s->t_i64, "");
        LLVMBuildStore(B, v, env_ptr(s, desc, k));
    }
    LLVMValueRef acc = cg_alloca(&f->base, LLVMArrayType(s->t_i64, (unsigned)q->nacc), "facc");
    LLVMValueRef rargs[5] = {f->base.ctx, desc, i64c(s, 0), n, acc};
    cg_call_rt(&f->base, "rt_reduce", rargs, 5);
    /* t = t0 ⊕ total, lists first (an int overflow below unwinds with the lists already bound) */
    for (int pass = 0; pass < 2; pass++) {
        for (int32_t k = 0; k < fn->nlocals; k++) {
            int r = q->red[k];
            if (!r || (r == IR_RED_CONCAT) != (pass == 0)) continue;
            const ir_local *l = fn->locals[k];
            LLVMValueRef tot = LLVMBuildLoad2(B, cg_ltype(g, l->type), env_ptr(s, acc, q->accslot[k]), "");
            if (r != IR_RED_CONCAT) {
                LLVMValueRef t0 = LLVMBuildLoad2(B, cg_ltype(g, l->type), f->local_slot[k], "");
                LLVMBuildStore(B, red_num(f, r, l->type, t0, tot), f->local_slot[k]);
                continue;
            }
            LLVMValueRef tmp = cg_alloca(&f->base, s->t_ptr, "ftot");
            LLVMValueRef t0p = cg_alloca(&f->base, s->t_ptr, "ft0");
            LLVMValueRef t0 = LLVMBuildLoad2(B, s->t_ptr, f->local_slot[k], "");
            if (f->local_owned[k]) LLVMBuildStore(B, LLVMConstNull(s->t_ptr), f->local_slot[k]);
            else cg_incref(f, t0, l->type);
            LLVMBuildStore(B, t0, t0p);
            LLVMBuildStore(B, tot, tmp);
            concat_into(f, t0p, tmp);
            cg_assign_local(f, l, cg_owned(f, LLVMBuildLoad2(B, s->t_ptr, t0p, ""), l->type));
        }
    }
    LLVMBuildBr(B, done);
    LLVMPositionBuilderAtEnd(B, done);
    for (int i = 0; i < p->nsrcs; i++)
        if (held[i].owned) cg_release(f, &held[i], p->srcs[i].it->a->type);
out:
    free(q->red);
    free(q->accslot);
    free(p->use.read);
    free(p->use.set);
}
