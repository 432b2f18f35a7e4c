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

/* min/max: is a better than b (strictly: the first of equal ones stays)? */
static LLVMValueRef better(cg_gfn *f, const ir_comp *c, LLVMValueRef a, LLVMValueRef b, const ir_type *t) {
    return c->kind == IR_COMP_MIN ? cg_less(f, a, b, t) : cg_less(f, b, a, t);
}

/* min/max of objects (str, tuples): acc = {have, best (owned)}. Keeps the better of the current
 * best and x (compared only when both exist: the first of equal ones stays); the loser released. */
static void obj_keep_better(cg_gfn *f, const ir_comp *c, LLVMValueRef acc, cg_val *x, const ir_type *t) {
    cg_state *s = f->base.s;
    LLVMValueRef bestp = env_ptr(s, acc, 1);
    LLVMValueRef have = LLVMBuildLoad2(B, s->t_i64, acc, "");
    LLVMValueRef old = LLVMBuildLoad2(B, s->t_ptr, bestp, "");
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
    LLVMBasicBlockRef cmp = cg_block(&f->base, "pm.cmp"), fin = cg_block(&f->base, "pm.keep");
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, have, i64c(s, 0), ""), fin, cmp);
    LLVMPositionBuilderAtEnd(B, cmp);
    LLVMValueRef lt = better(f, c, x->v, old, t);
    LLVMBasicBlockRef cmp_end = LLVMGetInsertBlock(B);
    LLVMBuildBr(B, fin);
    LLVMPositionBuilderAtEnd(B, fin);
    LLVMValueRef take = LLVMBuildPhi(B, s->t_i1, "take");
    LLVMValueRef inv[2] = {LLVMConstInt(s->t_i1, 1, 0), lt};
    LLVMBasicBlockRef inb[2] = {cur, cmp_end};
    LLVMAddIncoming(take, inv, inb, 2);
    LLVMValueRef xv = cg_take(f, x, t);
    LLVMBuildStore(B, LLVMBuildSelect(B, take, xv, old, ""), bestp);
    LLVMBuildStore(B, i64c(s, 1), acc);
    LLVMValueRef loser = LLVMBuildSelect(B, take, old, xv, "");
    LLVMTypeRef ty;
    LLVMValueRef df = cg_rtfn(s, cg_rtfn_id("rt_obj_decref"), &ty);
    LLVMBuildCall2(B, ty, df, &loser, 1, "");
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
        cg_val x = cg_expr(f, c->elt);
        if (cg_is_obj(t)) {
            obj_keep_better(f, c, acc, &x, t);
            break;
        }
        LLVMTypeRef lt = cg_ltype(f->g, t);
        LLVMValueRef bestp = env_ptr(s, acc, 1);
        LLVMValueRef have = LLVMBuildLoad2(B, s->t_i64, acc, "");
        LLVMValueRef best = LLVMBuildLoad2(B, lt, bestp, "");
        LLVMValueRef take = LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntEQ, have, i64c(s, 0), ""),
                                        better(f, c, x.v, best, t), "");
        LLVMBuildStore(B, LLVMBuildSelect(B, take, x.v, best, ""), bestp);
        LLVMBuildStore(B, i64c(s, 1), acc);
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
    LLVMTypeRef acc_t = LLVMArrayType(s->t_i64, 2);
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
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSLT, i, hi, ""), lbody, f->cleanup);
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
    LLVMBuildStore(B, i64c(s, 0), acc);
    LLVMBuildStore(B, i64c(s, 0), env_ptr(s, acc, 1));
    (void)p;
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
    case IR_COMP_SUM: {
        LLVMTypeRef lt = cg_ltype(g, t);
        LLVMValueRef a = LLVMBuildLoad2(B, lt, acc, ""), r = LLVMBuildLoad2(B, lt, rhs, "");
        f->base.line_slot = NULL;
        LLVMValueRef v = t->kind == IR_T_FLOAT ? LLVMBuildFAdd(B, a, r, "") : cg_int_add(&f->base, a, r);
        LLVMBuildStore(B, v, acc);
        LLVMBuildBr(B, out);
        break;
    }
    case IR_COMP_MIN:
    case IR_COMP_MAX: {
        if (cg_is_obj(t)) {
            /* the right partial's best, if any, competes as one more element (it comes later) */
            LLVMValueRef rh = LLVMBuildLoad2(B, s->t_i64, rhs, "");
            LLVMBasicBlockRef some = cg_block(&f->base, "pm.some");
            LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, rh, i64c(s, 0), ""), out, some);
            LLVMPositionBuilderAtEnd(B, some);
            cg_val rb = {LLVMBuildLoad2(B, s->t_ptr, env_ptr(s, rhs, 1), ""), NULL, true}; /* consumed */
            obj_keep_better(f, p->c, acc, &rb, t);
            LLVMBuildBr(B, out);
            break;
        }
        LLVMTypeRef lt = cg_ltype(g, t);
        LLVMValueRef ah = LLVMBuildLoad2(B, s->t_i64, acc, ""), rh = LLVMBuildLoad2(B, s->t_i64, rhs, "");
        LLVMValueRef ab = LLVMBuildLoad2(B, lt, env_ptr(s, acc, 1), "");
        LLVMValueRef rb = LLVMBuildLoad2(B, lt, env_ptr(s, rhs, 1), "");
        LLVMValueRef rhave = LLVMBuildICmp(B, LLVMIntNE, rh, i64c(s, 0), "");
        LLVMValueRef take = LLVMBuildAnd(
            B, rhave, LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntEQ, ah, i64c(s, 0), ""), better(f, p->c, rb, ab, t), ""),
            "");
        LLVMBuildStore(B, LLVMBuildSelect(B, take, rb, ab, ""), env_ptr(s, acc, 1));
        LLVMBuildStore(B, LLVMBuildOr(B, ah, rh, ""), acc);
        LLVMBuildBr(B, out);
        break;
    }
    default: LLVMBuildBr(B, out); break;
    }
    LLVMPositionBuilderAtEnd(B, out);
    LLVMBuildRetVoid(B);
    return fn;
}

/* void drop(env, acc): releases the object partial in acc slot `slot` (a list, a min/max best) */
static LLVMValueRef gen_drop(cg_gen *g, const char *name, int slot) {
    cg_state *s = &g->s;
    LLVMTypeRef params[2] = {s->t_ptr, s->t_ptr};
    cg_gfn F;
    LLVMValueRef fn = helper(g, name, params, 2, &F);
    LLVMValueRef a = LLVMBuildLoad2(B, s->t_ptr, env_ptr(s, LLVMGetParam(fn, 1), slot), "");
    LLVMTypeRef ty;
    LLVMValueRef df = cg_rtfn(s, cg_rtfn_id("rt_obj_decref"), &ty);
    LLVMBuildCall2(B, ty, df, &a, 1, "");
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

/* A total order (no float NaN in it): the tree keeps the same element as a left-to-right fold. */
static bool exact_order(const ir_type *t) {
    if (t->kind == IR_T_INT || t->kind == IR_T_BOOL || t->kind == IR_T_STR) return true;
    if (t->kind != IR_T_TUPLE) return false;
    for (int32_t i = 0; i < t->n; i++)
        if (!exact_order(t->elems[i])) return false;
    return true;
}

/* Kinds whose sequential lowering gives exactly the result of the block tree at any n: lists
 * (partials concatenated in order) and min/max over a total order (ints, str, tuples of those;
 * the first of equal ones stays). Not float sums (left to right vs fixed 1024-blocks combined
 * pairwise: other bits), float min/max (NaN compares false: the fold and the tree can keep
 * different values) nor int sums (the tree and the left fold can differ on whether an
 * intermediate overflows). */

static bool solo_seq_kind(const ir_expr *e) {
    switch (e->comp->kind) {
    case IR_COMP_LIST: return true;
    case IR_COMP_MIN:
    case IR_COMP_MAX: return exact_order(e->type);
    default: return false;
    }
}

static LLVMValueRef ctx_i32(cg_gfn *f, size_t off, const char *name) {
    cg_state *s = f->base.s;
    LLVMValueRef o = i64c(s, (int64_t)off);
    return LLVMBuildLoad2(B, s->t_i32, LLVMBuildGEP2(B, s->t_i8, f->base.ctx, &o, 1, ""), name);
}

/* i1: run sequentially: n <= cut, or for an exact reduction (which splits from 2 iterations on)
 * ctx->solo, i.e. one worker and no workspan (nothing could be promoted, so the block loop is
 * pure cost and the sequential fold gives the same result), or a short loop (n <= PAR_CUTOFF)
 * nested under another mark (mtop != 0): promotion takes the oldest mark first, so the enclosing
 * loop or fork is split instead (gen_points' rows of 8 coordinates inside its parallel loop over
 * the points), while a short loop at a task's top level (4 heavy models) is the parallelism. */
static LLVMValueRef take_seq(cg_gfn *f, bool exact, LLVMValueRef n, int64_t cut) {
    cg_state *s = f->base.s;
    LLVMValueRef r = LLVMBuildICmp(B, LLVMIntSLE, n, i64c(s, cut), "");
    if (!exact) return r;
    LLVMValueRef zero = LLVMConstInt(s->t_i32, 0, 0);
    r = LLVMBuildOr(B, r, LLVMBuildICmp(B, LLVMIntNE, ctx_i32(f, offsetof(pf_ctx, solo), "solo"), zero, ""), "");
    LLVMValueRef nested = LLVMBuildICmp(B, LLVMIntNE, ctx_i32(f, offsetof(pf_ctx, mtop), "mtop"), zero, "");
    LLVMValueRef shorter = LLVMBuildICmp(B, LLVMIntSLE, n, i64c(s, PAR_CUTOFF), "");
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
    case IR_COMP_SUM: {
        LLVMValueRef a = LLVMBuildLoad2(B, cg_ltype(g, t), acc, "");
        cg_val init0 = c->init ? cg_expr(f, c->init)
                               : cg_borrowed(t->kind == IR_T_FLOAT ? LLVMConstReal(s->t_f64, 0.0) : i64c(s, 0));
        cg_set_line(&f->base, e->line);
        return cg_borrowed(t->kind == IR_T_FLOAT ? LLVMBuildFAdd(B, init0.v, a, "") : cg_int_add(&f->base, init0.v, a));
    }
    case IR_COMP_MIN:
    case IR_COMP_MAX: {
        LLVMValueRef have = LLVMBuildLoad2(B, s->t_i64, acc, "");
        LLVMValueRef best = LLVMBuildLoad2(B, cg_ltype(g, t), env_ptr(s, acc, 1), "");
        LLVMValueRef empty = LLVMBuildICmp(B, LLVMIntEQ, have, i64c(s, 0), "");
        bool obj = cg_is_obj(t); /* best is owned (NULL when empty) */
        if (!c->init) {
            cg_set_line(&f->base, e->line);
            cg_raise_if(&f->base, empty, PF_EXC_VALUE,
                        c->kind == IR_COMP_MIN ? "min() arg is an empty sequence" : "max() arg is an empty sequence");
            return obj ? cg_owned(f, best, t) : cg_borrowed(best);
        }
        LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
        LLVMBasicBlockRef dflt = cg_block(&f->base, "pm.default"), fin = cg_block(&f->base, "pm.done");
        LLVMBuildCondBr(B, empty, dflt, fin);
        LLVMPositionBuilderAtEnd(B, dflt);
        cg_val d = cg_expr(f, c->init);
        LLVMValueRef dv = obj ? cg_take(f, &d, t) : d.v;
        LLVMBasicBlockRef dend = LLVMGetInsertBlock(B);
        LLVMBuildBr(B, fin);
        LLVMPositionBuilderAtEnd(B, fin);
        LLVMValueRef r = LLVMBuildPhi(B, cg_ltype(g, t), "");
        LLVMValueRef inv[2] = {best, dv};
        LLVMBasicBlockRef inb[2] = {cur, dend};
        LLVMAddIncoming(r, inv, inb, 2);
        return obj ? cg_owned(f, r, t) : cg_borrowed(r);
    }
    default: cg_fail(g, "codegen: parallel comprehension of an unsupported kind"); return cg_borrowed(NULL);
    }
}

cg_val cg_par_comp(cg_gfn *f, const ir_expr *e) {
    cg_gen *g = f->g;
    cg_state *s = &g->s;
    const ir_func *fn = f->ir;
    par_plan P;
    memset(&P, 0, sizeof P);
    par_plan *p = &P;
    p->e = e;
    p->c = e->comp;
    p->enum_slot = -1;
    int slot = 1; /* slot 0: the closure */
    if (!plan_sources(p, p->c->clauses[0].iter, &slot)) {
        cg_fail(g, "codegen: parallel comprehension source too complex");
        return cg_borrowed(NULL);
    }
    p->local_base = slot;
    p->nslots = slot + fn->nlocals;
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
    bool has_drop = p->c->kind == IR_COMP_LIST || cg_is_obj(e->type);
    LLVMValueRef drop = has_drop ? gen_drop(g, name, p->c->kind == IR_COMP_LIST ? 0 : 1) : LLVMConstNull(s->t_ptr);
    snprintf(name + nl, sizeof name - nl, ".share");
    LLVMValueRef share = gen_share(f, p, name);
    LLVMPositionBuilderAtEnd(B, here);

    /* env: closure, sources, copied locals */
    cg_set_line(&f->base, e->line);
    LLVMValueRef env = cg_alloca(&f->base, LLVMArrayType(s->t_i64, (unsigned)p->nslots), "penv");
    LLVMBuildStore(B, f->env ? LLVMBuildPtrToInt(B, f->env, s->t_i64, "") : i64c(s, 0), env_ptr(s, env, 0));
    cg_val held[16];
    memset(held, 0, sizeof held);
    int leaf = 0;
    LLVMValueRef n = eval_sources(f, p, p->c->clauses[0].iter, env, &leaf, held);
    /* short loops with sources that are cheap to evaluate again take the ordinary sequential
     * lowering (same result: at most one block), and so do all loops of solo_seq_kind on a
     * single-worker runtime (take_seq) */
    LLVMBasicBlockRef seq_final = NULL;
    LLVMValueRef common = NULL;
    bool exact = solo_seq_kind(e);
    int64_t cutoff = p->c->kind == IR_COMP_SUM && e->type->kind == IR_T_FLOAT ? 1024 : exact ? 1 : PAR_CUTOFF;
    if (simple_source(p->c->clauses[0].iter)) {
        seq_final = cg_block(&f->base, "par.final");
        common = cg_is_obj(e->type) ? cg_temp_slot(f) : cg_alloca(&f->base, cg_ltype(g, e->type), "pres");
        LLVMBasicBlockRef seqb = cg_block(&f->base, "par.seq"), parb = cg_block(&f->base, "par.par");
        LLVMBuildCondBr(B, take_seq(f, exact, n, cutoff), seqb, parb);
        LLVMPositionBuilderAtEnd(B, seqb);
        ir_comp *mc = (ir_comp *)p->c; /* lowered once more without par, then restored */
        mc->par = false;
        cg_val rs = cg_comp(f, e);
        mc->par = true;
        if (cg_is_obj(e->type)) LLVMBuildStore(B, cg_take(f, &rs, e->type), common);
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
    LLVMValueRef fields[9] = {body, env, i64c(s, 16), init, comb, drop, grain, share, i64c(s, exact)};
    for (int k = 0; k < 9; k++) {
        LLVMValueRef v = fields[k];
        if (LLVMTypeOf(v) != s->t_i64) v = LLVMBuildPtrToInt(B, v, s->t_i64, "");
        LLVMBuildStore(B, v, env_ptr(s, desc, k));
    }
    LLVMValueRef acc = cg_alloca(&f->base, LLVMArrayType(s->t_i64, 2), "pacc");
    /* short loops (at most cutoff iterations, or one float-sum block), and exact reductions on
     * one worker, run the body directly: the same result as rt_reduce, without its setup */
    LLVMBasicBlockRef direct = cg_block(&f->base, "par.direct"), pooled = cg_block(&f->base, "par.reduce");
    LLVMBasicBlockRef merged = cg_block(&f->base, "par.merged");
    /* (when the sequential lowering already took the short loops, this test is always false) */
    if (seq_final)
        LLVMBuildBr(B, pooled);
    else
        LLVMBuildCondBr(B, take_seq(f, exact, n, cutoff), direct, pooled);
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

    cg_val rp = par_result(f, p, acc);
    if (!seq_final) {
        for (int i = 0; i < p->nsrcs; i++)
            if (held[i].owned) cg_release(f, &held[i], p->srcs[i].it->a->type);
        free(p->use.read);
        free(p->use.set);
        return rp;
    }
    /* both paths meet: one result slot (and one temp slot for an object) */
    if (cg_is_obj(e->type)) LLVMBuildStore(B, cg_take(f, &rp, e->type), common);
    else LLVMBuildStore(B, rp.v, common);
    LLVMBuildBr(B, seq_final);
    LLVMPositionBuilderAtEnd(B, seq_final);
    for (int i = 0; i < p->nsrcs; i++)
        if (held[i].owned) cg_release(f, &held[i], p->srcs[i].it->a->type);
    free(p->use.read);
    free(p->use.set);
    LLVMValueRef v = LLVMBuildLoad2(B, cg_ltype(g, e->type), common, "");
    if (!cg_is_obj(e->type)) return cg_borrowed(v);
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
        LLVMValueRef seq = take_seq(f, exact, n, fl ? 1024 : exact ? 1 : PAR_CUTOFF);
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
