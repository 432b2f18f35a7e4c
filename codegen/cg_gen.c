/* codegen IR lowering, module level: LLVM types of pf types, runtime type descriptors (pf_type
 * constants), string constants, slot conversions, inline reference counting, owned/borrowed value
 * bookkeeping, and the lowering of each specialisation (entry check, locals, the single
 * cleanup/unwind exit with its traceback frame) plus the pf_main entry. Expressions are in
 * cg_expr.c, statements and loops in cg_stmt.c. */
#include "codegen/cg_internal.h"
#include "runtime/value.h"
#include "stdlib/builtins.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cg_fail(cg_gen *g, const char *fmt, ...) {
    if (g->err) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    g->err = strdup(buf);
}

/* ---- types ------------------------------------------------------------------------------------ */

bool cg_is_obj(const ir_type *t) { return t->kind >= IR_T_STR && t->kind <= IR_T_EXC; }

LLVMTypeRef cg_ltype(cg_gen *g, const ir_type *t) {
    switch (t->kind) {
    case IR_T_FLOAT: return g->s.t_f64;
    case IR_T_BOOL: return g->s.t_i1;
    case IR_T_INT:
    case IR_T_NONE: return g->s.t_i64;
    default: return g->s.t_ptr;
    }
}

static LLVMValueRef const_cstr(cg_gen *g, const char *s, const char *name) {
    size_t n = strlen(s);
    LLVMValueRef init = LLVMConstStringInContext(g->s.c, s, (unsigned)n, 0);
    LLVMValueRef gv = LLVMAddGlobal(g->s.m, LLVMTypeOf(init), name);
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, 1);
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
    return gv;
}

/* A pf_type constant (runtime/value.h LAYOUT pf_type) for t, emitted once per type id. */
LLVMValueRef cg_type_desc(cg_gen *g, const ir_type *t) {
    if (t->id >= 0 && t->id < g->mod->ntypes && g->tdesc[t->id]) return g->tdesc[t->id];
    cg_state *s = &g->s;
    LLVMValueRef gv = LLVMAddGlobal(s->m, g->t_desc, "pf.type");
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetGlobalConstant(gv, 1);
    if (t->id >= 0 && t->id < g->mod->ntypes) g->tdesc[t->id] = gv; /* before recursing: cycles */
    LLVMValueRef null = LLVMConstNull(s->t_ptr);
    LLVMValueRef elem = null, val = null, fields = null, name = null, fnames = null, repr = null,
                 str = null;
    uint32_t n = 0;
    switch (t->kind) {
    case IR_T_LIST:
    case IR_T_OPTIONAL:
        elem = cg_type_desc(g, t->elems[0]);
        break;
    case IR_T_DICT:
        elem = cg_type_desc(g, t->elems[0]);
        val = cg_type_desc(g, t->elems[1]);
        break;
    case IR_T_TUPLE:
    case IR_T_CLASS:
    case IR_T_FUNC: {
        n = (uint32_t)t->n;
        if (n) {
            LLVMValueRef *fs = calloc(n, sizeof *fs);
            for (uint32_t i = 0; i < n; i++) fs[i] = cg_type_desc(g, t->elems[i]);
            LLVMValueRef arr = LLVMConstArray(s->t_ptr, fs, n);
            LLVMValueRef ag = LLVMAddGlobal(s->m, LLVMTypeOf(arr), "pf.fields");
            LLVMSetInitializer(ag, arr);
            LLVMSetGlobalConstant(ag, 1);
            LLVMSetLinkage(ag, LLVMPrivateLinkage);
            fields = ag;
            free(fs);
        }
        if (t->kind == IR_T_CLASS && t->cls) {
            ir_class *c = t->cls;
            name = const_cstr(g, c->name, "pf.cname");
            if (n) {
                LLVMValueRef *ns = calloc(n, sizeof *ns);
                for (uint32_t i = 0; i < n; i++) ns[i] = const_cstr(g, c->field_names[i], "pf.fname");
                LLVMValueRef arr = LLVMConstArray(s->t_ptr, ns, n);
                LLVMValueRef ag = LLVMAddGlobal(s->m, LLVMTypeOf(arr), "pf.fnames");
                LLVMSetInitializer(ag, arr);
                LLVMSetGlobalConstant(ag, 1);
                LLVMSetLinkage(ag, LLVMPrivateLinkage);
                fnames = ag;
                free(ns);
            }
            if (c->repr) repr = g->fn[c->repr->id];
            if (c->str) str = g->fn[c->str->id];
        } else if (t->kind == IR_T_FUNC) {
            name = const_cstr(g, t->str ? t->str : "function", "pf.fnname");
        }
        break;
    }
    default:
        break;
    }
    LLVMValueRef vals[12] = {
        LLVMConstInt(s->t_i32, (unsigned long long)t->kind, 0), /* ORDER TKIND == pf_tkind */
        LLVMConstInt(s->t_i32, n, 0), elem, val, fields, name, fnames, repr, str, null, null, null,
    };
    LLVMSetInitializer(gv, LLVMConstNamedStruct(g->t_desc, vals, 12));
    return gv;
}

/* An immortal pf_str constant (value.h LAYOUT pf_str). */
LLVMValueRef cg_str_const(cg_gen *g, const char *bytes, int32_t len) {
    cg_state *s = &g->s;
    int64_t ncp = 0;
    int ascii = 1;
    for (int32_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)bytes[i];
        if (ch >= 0x80) ascii = 0;
        if ((ch & 0xC0) != 0x80) ncp++;
    }
    LLVMValueRef data = LLVMConstStringInContext(s->c, bytes, (unsigned)len, 0); /* adds the NUL */
    LLVMValueRef fields[7] = {
        LLVMConstInt(s->t_i32, 0, 0),
        LLVMConstInt(s->t_i8, PF_K_STR, 0),
        LLVMConstInt(s->t_i8, ascii ? PF_F_ASCII : 0, 0),
        LLVMConstInt(LLVMInt16TypeInContext(s->c), 0, 0),
        LLVMConstInt(s->t_i64, (unsigned long long)len, 0),
        LLVMConstInt(s->t_i64, (unsigned long long)ncp, 0),
        data,
    };
    LLVMValueRef init = LLVMConstStructInContext(s->c, fields, 7, 0);
    LLVMValueRef gv = LLVMAddGlobal(s->m, LLVMTypeOf(init), "pf.str");
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, 0); /* the header's rc is read (never written: rc == 0) */
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetAlignment(gv, 8);
    return gv;
}

/* ---- slots and fields ------------------------------------------------------------------------- */

LLVMValueRef cg_to_slot(cg_gfn *f, LLVMValueRef v, const ir_type *t) {
    cg_state *s = f->base.s;
    switch (t->kind) {
    case IR_T_INT:
    case IR_T_NONE: return v;
    case IR_T_FLOAT: return LLVMBuildBitCast(s->b, v, s->t_i64, "");
    case IR_T_BOOL: return LLVMBuildZExt(s->b, v, s->t_i64, "");
    default: return LLVMBuildPtrToInt(s->b, v, s->t_i64, "");
    }
}

LLVMValueRef cg_from_slot(cg_gfn *f, LLVMValueRef v, const ir_type *t) {
    cg_state *s = f->base.s;
    switch (t->kind) {
    case IR_T_INT:
    case IR_T_NONE: return v;
    case IR_T_FLOAT: return LLVMBuildBitCast(s->b, v, s->t_f64, "");
    case IR_T_BOOL: return LLVMBuildICmp(s->b, LLVMIntNE, v, LLVMConstInt(s->t_i64, 0, 0), "");
    default: return LLVMBuildIntToPtr(s->b, v, s->t_ptr, "");
    }
}

static LLVMValueRef field_ptr(cg_gfn *f, LLVMValueRef obj, unsigned offset) {
    cg_state *s = f->base.s;
    if (offset == 0) return obj;
    LLVMValueRef off = LLVMConstInt(s->t_i64, offset, 0);
    return LLVMBuildGEP2(s->b, s->t_i8, obj, &off, 1, "");
}

LLVMValueRef cg_load_field(cg_gfn *f, LLVMValueRef obj, unsigned offset, LLVMTypeRef t) {
    return LLVMBuildLoad2(f->base.s->b, t, field_ptr(f, obj, offset), "");
}

void cg_store_field(cg_gfn *f, LLVMValueRef obj, unsigned offset, LLVMValueRef v) {
    LLVMBuildStore(f->base.s->b, v, field_ptr(f, obj, offset));
}

/* ---- reference counting (value.h rt_incref / rt_decref, inline fast path, cold slow path) ------ */

/* Optional objects may be NULL (None); others never are. */
static bool may_be_null(const ir_type *t) { return t->kind == IR_T_OPTIONAL || t->kind == IR_T_FUNC; }

static void rc_update(cg_gfn *f, LLVMValueRef p, const ir_type *t, int delta) {
    cg_state *s = f->base.s;
    cg_fn *F = &f->base;
    LLVMBasicBlockRef done = cg_block(F, delta > 0 ? "inc.done" : "dec.done");
    if (may_be_null(t)) {
        LLVMBasicBlockRef nn = cg_block(F, "rc.nonnull");
        LLVMBuildCondBr(s->b, LLVMBuildIsNull(s->b, p, ""), done, nn);
        LLVMPositionBuilderAtEnd(s->b, nn);
    }
    LLVMValueRef rc = LLVMBuildLoad2(s->b, s->t_i32, p, "rc");
    /* inc: rc > 0 -> rc + 1; dec: rc > 1 -> rc - 1; anything else (free, shared, immortal) -> call */
    LLVMValueRef fast = LLVMBuildICmp(s->b, LLVMIntSGT, rc, LLVMConstInt(s->t_i32, delta > 0 ? 0 : 1, 0), "");
    LLVMBasicBlockRef fastb = cg_block(F, "rc.fast"), slowb = cg_block(F, "rc.slow");
    LLVMBuildCondBr(s->b, fast, fastb, slowb);
    LLVMPositionBuilderAtEnd(s->b, fastb);
    LLVMBuildStore(s->b, LLVMBuildAdd(s->b, rc, LLVMConstInt(s->t_i32, (unsigned long long)(int64_t)delta, 1), ""), p);
    LLVMBuildBr(s->b, done);
    LLVMPositionBuilderAtEnd(s->b, slowb);
    LLVMTypeRef ty;
    LLVMValueRef fn = cg_rtfn(s, cg_rtfn_id(delta > 0 ? "rt_obj_incref" : "rt_obj_decref"), &ty);
    LLVMBuildCall2(s->b, ty, fn, &p, 1, "");
    LLVMBuildBr(s->b, done);
    LLVMPositionBuilderAtEnd(s->b, done);
}

void cg_incref(cg_gfn *f, LLVMValueRef p, const ir_type *t) {
    if (cg_is_obj(t)) rc_update(f, p, t, +1);
}
void cg_decref(cg_gfn *f, LLVMValueRef p, const ir_type *t) {
    if (cg_is_obj(t)) rc_update(f, p, t, -1);
}

/* ---- owned and borrowed values ------------------------------------------------------------------ */

LLVMValueRef cg_temp_slot(cg_gfn *f) {
    cg_state *s = f->base.s;
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(s->b);
    LLVMPositionBuilderAtEnd(s->b, f->base.entry);
    LLVMValueRef a = LLVMBuildAlloca(s->b, s->t_ptr, "tmp");
    LLVMBuildStore(s->b, LLVMConstNull(s->t_ptr), a);
    LLVMPositionBuilderAtEnd(s->b, cur);
    if (f->ntemps == f->captemps) {
        f->captemps = f->captemps ? 2 * f->captemps : 16;
        f->temps = realloc(f->temps, (size_t)f->captemps * sizeof *f->temps);
    }
    f->temps[f->ntemps++] = a;
    return a;
}

cg_val cg_borrowed(LLVMValueRef v) {
    cg_val r = {v, NULL, false};
    return r;
}

cg_val cg_owned(cg_gfn *f, LLVMValueRef v, const ir_type *t) {
    cg_val r = {v, NULL, false};
    if (!cg_is_obj(t)) return r;
    r.owned = true;
    r.tslot = cg_temp_slot(f);
    LLVMBuildStore(f->base.s->b, v, r.tslot);
    return r;
}

void cg_forget(cg_gfn *f, cg_val *v) {
    if (v->owned && v->tslot) LLVMBuildStore(f->base.s->b, LLVMConstNull(f->base.s->t_ptr), v->tslot);
    v->owned = false;
    v->tslot = NULL;
}

void cg_release(cg_gfn *f, cg_val *v, const ir_type *t) {
    if (!v->owned) return;
    cg_forget(f, v);
    cg_decref(f, v->v, t);
}

LLVMValueRef cg_take(cg_gfn *f, cg_val *v, const ir_type *t) {
    if (v->owned)
        cg_forget(f, v);
    else
        cg_incref(f, v->v, t);
    return v->v;
}

/* ---- functions ---------------------------------------------------------------------------------- */

/* Size of a function body in IR nodes, and whether it calls or loops: small straight-line leaf
 * functions (eval_a in spectral-norm, body() in n-body) are always inlined, since their checked
 * arithmetic and entry bookkeeping otherwise push them over LLVM's inline threshold. */
typedef struct fn_shape {
    int nodes;
    bool calls, loops, forks; /* forks: a call marked par (ir/par.c) outside comprehensions */
} fn_shape;

static void expr_shape(const ir_expr *e, fn_shape *sh) {
    if (!e) return;
    sh->nodes++;
    if (e->kind == IR_E_CALL || e->kind == IR_E_NEW) sh->calls = true;
    if (e->kind == IR_E_CALL && e->par) sh->forks = true;
    if (e->kind == IR_E_COMP) sh->loops = true;
    for (int32_t i = 0; i < e->nargs; i++) expr_shape(e->args[i], sh);
    expr_shape(e->env, sh);
}

static void block_shape(const ir_block *b, fn_shape *sh) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        sh->nodes++;
        if (st->kind == IR_S_FOR || st->kind == IR_S_WHILE || st->kind == IR_S_TRY) sh->loops = true;
        expr_shape(st->expr, sh);
        expr_shape(st->expr2, sh);
        block_shape(&st->body, sh);
        block_shape(&st->orelse, sh);
    }
}

static void declare_func(cg_gen *g, const ir_func *fn) {
    cg_state *s = &g->s;
    LLVMTypeRef params[64];
    unsigned np = 0;
    params[np++] = s->t_ptr; /* ctx */
    if (fn->env) params[np++] = s->t_ptr;
    for (int32_t i = 0; i < fn->nparams && np < 64; i++) params[np++] = cg_ltype(g, fn->params[i]->type);
    LLVMTypeRef ret = fn->ret->kind == IR_T_NONE ? s->t_void : cg_ltype(g, fn->ret);
    LLVMTypeRef ty = LLVMFunctionType(ret, params, np, 0);
    char name[600];
    snprintf(name, sizeof name, "pf:%s", fn->name);
    LLVMValueRef f = LLVMAddFunction(s->m, name, ty);
    /* defs named __pf_* are entry points for libpf (codegen.h CG_EXPORT_PREFIX): kept external */
    if (strncmp(fn->name, CG_EXPORT_PREFIX, strlen(CG_EXPORT_PREFIX)) != 0)
        LLVMSetLinkage(f, LLVMInternalLinkage);
    fn_shape sh = {0, false, false, false};
    block_shape(&fn->body, &sh);
    if (sh.forks && g->fn_solo) { /* the fork-free copy for one worker (gen_func) */
        g->fn_solo[fn->id] = LLVMAddFunction(s->m, name, ty);
        LLVMSetLinkage(g->fn_solo[fn->id], LLVMInternalLinkage);
    }
    if (fn != g->mod->main && !sh.calls && !sh.loops && sh.nodes <= 60) {
        const char *a = "alwaysinline";
        unsigned kind = LLVMGetEnumAttributeKindForName(a, strlen(a));
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(s->c, kind, 0));
    }
    g->fn[fn->id] = f;
    g->fn_type[fn->id] = ty;
}

/* Does the block (recursively) assign local l? Params that are rebound become owned at entry. */
static bool block_assigns(const ir_block *b, const ir_local *l);
static bool iter_assigns(const ir_iter *it, const ir_local *l) {
    if (!it) return false;
    if (it->var == l || it->var2 == l || block_assigns(&it->bind, l)) return true;
    for (int32_t i = 0; i < it->nsubs; i++)
        if (iter_assigns(it->subs[i], l)) return true;
    return false;
}
static bool block_assigns(const ir_block *b, const ir_local *l) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        if (st->kind == IR_S_ASSIGN && st->local == l) return true;
        if (st->kind == IR_S_FOR && iter_assigns(st->iter, l)) return true;
        if (block_assigns(&st->body, l) || block_assigns(&st->orelse, l) || block_assigns(&st->finalbody, l))
            return true;
        for (int32_t h = 0; h < st->nhandlers; h++)
            if (st->handlers[h].var == l || block_assigns(&st->handlers[h].body, l)) return true;
    }
    return false;
}

/* Locals that hold only elements of borrowed parameters (`c = bodies[j]`, bodies a parameter
 * never rebound), or of such locals: the caller keeps the parameter, hence each element, alive for
 * the whole call, so they are borrowed too (no incref/decref per assignment). */
static bool elem_read(const ir_expr *e, const bool *root) {
    bool read = (e->kind == IR_E_OP && (e->op == IR_OP_LIST_INDEX || e->op == IR_OP_TUPLE_INDEX)) ||
                e->kind == IR_E_TUPLE_GET;
    return read && e->args[0]->kind == IR_E_LOCAL && root[e->args[0]->local->id];
}

/* Is every binding of l in b an assignment of such an element read (and l bound nowhere else)? */
static bool elem_assigns_only(const ir_block *b, const ir_local *l, const bool *root) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        if (st->kind == IR_S_ASSIGN && st->local == l && !elem_read(st->expr, root)) return false;
        if (st->kind == IR_S_FOR && iter_assigns(st->iter, l)) return false;
        if (!elem_assigns_only(&st->body, l, root) || !elem_assigns_only(&st->orelse, l, root) ||
            !elem_assigns_only(&st->finalbody, l, root))
            return false;
        for (int32_t h = 0; h < st->nhandlers; h++)
            if (st->handlers[h].var == l || !elem_assigns_only(&st->handlers[h].body, l, root)) return false;
    }
    return true;
}

static void elem_borrowed(const ir_func *fn, bool *owned) {
    bool *root = calloc((size_t)fn->nlocals + 1, sizeof *root); /* never-rebound object params */
    for (int32_t i = 0; i < fn->nlocals; i++) {
        const ir_local *l = fn->locals[i];
        root[i] = l->is_param && cg_is_obj(l->type) && !block_assigns(&fn->body, l);
    }
    for (bool more = true; more;) { /* `b = xs[i]` then `c = b[0]`: b first */
        more = false;
        for (int32_t i = 0; i < fn->nlocals; i++) {
            const ir_local *l = fn->locals[i];
            if (root[i] || !owned[i] || l->is_param || !block_assigns(&fn->body, l)) continue;
            if (elem_assigns_only(&fn->body, l, root)) {
                root[i] = more = true;
                owned[i] = false;
            }
        }
    }
    free(root);
}

/* Loop variables that may hold BORROWED elements (no incref/decref per element): a local bound
 * only as the var of a for/comprehension source over a list, tuple or dict (whose container the
 * loop holds for its whole duration, cg_iterst.cont), never bound again while such a loop runs,
 * never assigned otherwise and read only inside the loops that bind it (not after them, where the
 * container may be gone). Anything that keeps the element increfs it (cg_take of a borrowed value). */
typedef struct lb_scan {
    int32_t *inside;            /* per local id: enclosing loops that bind it */
    unsigned char *bad, *bound; /* per local id */
} lb_scan;

static void lb_block(lb_scan *s, const ir_block *b);
static void lb_expr(lb_scan *s, const ir_expr *e);

static void lb_set(lb_scan *s, const ir_local *l, bool elem) {
    if (!l) return;
    if (!elem || s->inside[l->id] > 0) s->bad[l->id] = 1;
    s->bound[l->id] = 1;
}

static void lb_iter_src(lb_scan *s, const ir_iter *it) {
    lb_expr(s, it->a);
    lb_expr(s, it->b);
    lb_expr(s, it->c);
    for (int32_t i = 0; i < it->nsubs; i++) lb_iter_src(s, it->subs[i]);
}

/* d = +1: the iteration binds its vars (then its bind block runs); d = -1: the loop is left. */
static void lb_iter_vars(lb_scan *s, const ir_iter *it, int d) {
    bool elem = it->kind == IR_IT_LIST || it->kind == IR_IT_TUPLE || it->kind == IR_IT_DICT_KEYS ||
                it->kind == IR_IT_DICT_VALUES || it->kind == IR_IT_DICT_ITEMS;
    const ir_local *vs[2] = {it->var, it->var2};
    for (int k = 0; k < 2; k++) {
        if (!vs[k]) continue;
        if (d > 0) lb_set(s, vs[k], elem);
        s->inside[vs[k]->id] += d;
    }
    for (int32_t i = 0; i < it->nsubs; i++) lb_iter_vars(s, it->subs[i], d);
}

static void lb_expr(lb_scan *s, const ir_expr *e) {
    if (!e) return;
    if (e->kind == IR_E_LOCAL && s->inside[e->local->id] == 0) s->bad[e->local->id] = 1;
    if (e->kind == IR_E_LET) lb_set(s, e->local, false);
    for (int32_t i = 0; i < e->nargs; i++) lb_expr(s, e->args[i]);
    lb_expr(s, e->env);
    if (e->kind != IR_E_COMP) return;
    const ir_comp *c = e->comp;
    lb_expr(s, c->init);
    for (int32_t i = 0; i < c->nclauses; i++) {
        lb_expr(s, c->clauses[i].cond);
        const ir_iter *it = c->clauses[i].iter;
        if (!it) continue;
        lb_iter_src(s, it);
        lb_iter_vars(s, it, +1);
        lb_block(s, &it->bind);
    }
    lb_set(s, c->key_var, false);
    lb_expr(s, c->key);
    lb_expr(s, c->elt);
    lb_expr(s, c->key_fn);
    for (int32_t i = c->nclauses - 1; i >= 0; i--)
        if (c->clauses[i].iter) lb_iter_vars(s, c->clauses[i].iter, -1);
}

static void lb_block(lb_scan *s, const ir_block *b) {
    for (int32_t i = 0; i < b->len; i++) {
        const ir_stmt *st = b->items[i];
        lb_set(s, st->local, false);
        lb_expr(s, st->expr);
        lb_expr(s, st->expr2);
        if (st->kind == IR_S_FOR && st->iter) {
            lb_iter_src(s, st->iter);
            lb_iter_vars(s, st->iter, +1);
            lb_block(s, &st->iter->bind);
            lb_block(s, &st->body);
            lb_iter_vars(s, st->iter, -1);
        } else
            lb_block(s, &st->body);
        lb_block(s, &st->orelse);
        lb_block(s, &st->finalbody);
        for (int32_t h = 0; h < st->nhandlers; h++) {
            lb_set(s, st->handlers[h].var, false);
            lb_block(s, &st->handlers[h].body);
        }
    }
}

void cg_loop_borrowed(const ir_func *fn, const ir_block *body, const ir_expr *comp, bool *out) {
    size_t n = (size_t)fn->nlocals + 1;
    lb_scan s = {calloc(n, sizeof *s.inside), calloc(n, 1), calloc(n, 1)};
    if (body) lb_block(&s, body);
    if (comp) lb_expr(&s, comp);
    for (int32_t i = 0; i < fn->nlocals; i++) {
        const ir_local *l = fn->locals[i];
        out[i] = s.bound[i] && !s.bad[i] && !l->is_param && cg_is_obj(l->type);
    }
    free(s.inside);
    free(s.bad);
    free(s.bound);
}

static void gen_func(cg_gen *g, const ir_func *fn) {
    cg_state *s = &g->s;
    cg_gfn F;
    memset(&F, 0, sizeof F);
    cg_gfn *f = &F;
    f->g = g;
    f->ir = fn;
    f->base.s = s;
    f->base.fn = g->fn[fn->id];
    f->base.ctx = LLVMGetParam(f->base.fn, 0);
    unsigned pi = 1;
    if (fn->env) f->env = LLVMGetParam(f->base.fn, pi++);
    f->base.entry = cg_block(&f->base, "entry");
    LLVMBasicBlockRef body = cg_block(&f->base, "body");
    f->cleanup = cg_block(&f->base, "cleanup");
    f->fn_unwind = cg_block(&f->base, "unwind");
    f->base.unwind = f->fn_unwind;
    g->file_name = NULL;

    LLVMPositionBuilderAtEnd(s->b, f->base.entry);
    f->base.line_slot = LLVMBuildAlloca(s->b, s->t_i32, "line");
    LLVMBuildStore(s->b, LLVMConstInt(s->t_i32, (unsigned long long)fn->line, 0), f->base.line_slot);
    f->raised_slot = LLVMBuildAlloca(s->b, s->t_i1, "raised");
    LLVMBuildStore(s->b, LLVMConstInt(s->t_i1, 0, 0), f->raised_slot);
    if (fn->ret->kind != IR_T_NONE) {
        f->ret_slot = LLVMBuildAlloca(s->b, cg_ltype(g, fn->ret), "ret");
        LLVMBuildStore(s->b, LLVMConstNull(cg_ltype(g, fn->ret)), f->ret_slot);
    }
    f->local_slot = calloc((size_t)fn->nlocals + 1, sizeof *f->local_slot);
    f->local_owned = calloc((size_t)fn->nlocals + 1, sizeof *f->local_owned);
    for (int32_t i = 0; i < fn->nlocals; i++) {
        const ir_local *l = fn->locals[i];
        LLVMTypeRef lt = cg_ltype(g, l->type);
        f->local_slot[i] = LLVMBuildAlloca(s->b, lt, l->name);
        LLVMBuildStore(s->b, LLVMConstNull(lt), f->local_slot[i]);
        f->local_owned[i] = cg_is_obj(l->type) && (!l->is_param || block_assigns(&fn->body, l));
    }
    {
        bool *lb = calloc((size_t)fn->nlocals + 1, sizeof *lb);
        cg_loop_borrowed(fn, &fn->body, NULL, lb);
        for (int32_t i = 0; i < fn->nlocals; i++)
            if (lb[i]) f->local_owned[i] = false;
        free(lb);
    }
    elem_borrowed(fn, f->local_owned);
    LLVMPositionBuilderAtEnd(s->b, body);
    /* A leaf without loops or calls (and not a __repr__/__str__, which print/str/f-strings call
     * from C) cannot recurse and ends quickly: no entry check. The entry
     * check (stack limit and poll in one compare) comes before anything is owned: past the limit
     * it returns at once. */
    fn_shape sh = {0, false, false, false};
    block_shape(&fn->body, &sh);
    bool leaf = !sh.calls && !sh.loops && fn != g->mod->main;
    for (int32_t i = 0; i < g->mod->nclasses && leaf; i++) /* the runtime calls these: they may */
        if (g->mod->classes[i]->repr == fn || g->mod->classes[i]->str == fn) /* recurse through it */
            leaf = false;
    if (g->fn_solo[fn->id] && !g->no_forks) {
        /* one worker (ctx->solo): nothing can be promoted, so run the copy whose forks are plain
         * calls (and call that copy recursively): no fork bookkeeping at all, not even the
         * closed window's test and the fork record's frame space */
        LLVMValueRef off = LLVMConstInt(s->t_i64, offsetof(pf_ctx, solo), 0);
        LLVMValueRef solo = LLVMBuildLoad2(s->b, s->t_i32, LLVMBuildGEP2(s->b, s->t_i8, f->base.ctx, &off, 1, ""), "solo");
        LLVMBasicBlockRef one = cg_block(&f->base, "solo"), go = cg_block(&f->base, "par");
        LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntNE, solo, LLVMConstInt(s->t_i32, 0, 0), ""), one, go);
        LLVMPositionBuilderAtEnd(s->b, one);
        unsigned np = LLVMCountParams(f->base.fn);
        LLVMValueRef args[66];
        for (unsigned k = 0; k < np && k < 66; k++) args[k] = LLVMGetParam(f->base.fn, k);
        LLVMValueRef r = LLVMBuildCall2(s->b, g->fn_type[fn->id], g->fn_solo[fn->id], args, np, "");
        LLVMSetTailCall(r, 1);
        if (fn->ret->kind == IR_T_NONE) LLVMBuildRetVoid(s->b);
        else LLVMBuildRet(s->b, r);
        LLVMPositionBuilderAtEnd(s->b, go);
    }
    if (!leaf) cg_enter(&f->base);
    for (int32_t i = 0; i < fn->nparams; i++) {
        const ir_local *l = fn->params[i];
        LLVMValueRef p = LLVMGetParam(f->base.fn, pi + (unsigned)i);
        LLVMBuildStore(s->b, p, f->local_slot[l->id]);
        if (f->local_owned[l->id]) cg_incref(f, p, l->type);
    }
    cg_block_stmts(f, &fn->body);
    if (!LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(s->b))) LLVMBuildBr(s->b, f->cleanup);

    LLVMPositionBuilderAtEnd(s->b, f->fn_unwind);
    LLVMBuildStore(s->b, LLVMConstInt(s->t_i1, 1, 0), f->raised_slot);
    LLVMBuildBr(s->b, f->cleanup);

    /* cleanup: release owned locals and temps, leave, add the traceback frame when raising */
    LLVMPositionBuilderAtEnd(s->b, f->cleanup);
    for (int32_t i = 0; i < fn->nlocals; i++) {
        if (!f->local_owned[i]) continue;
        const ir_local *l = fn->locals[i];
        ir_type opt = *l->type;
        opt.kind = IR_T_OPTIONAL; /* may still be NULL */
        LLVMValueRef v = LLVMBuildLoad2(s->b, s->t_ptr, f->local_slot[i], "");
        rc_update(f, v, &opt, -1);
    }
    static const ir_type opt_any = {.kind = IR_T_OPTIONAL};
    for (int32_t i = 0; i < f->ntemps; i++) {
        LLVMValueRef v = LLVMBuildLoad2(s->b, s->t_ptr, f->temps[i], "");
        rc_update(f, v, &opt_any, -1);
    }
    LLVMValueRef raised = LLVMBuildLoad2(s->b, s->t_i1, f->raised_slot, "");
    LLVMBasicBlockRef exc_exit = cg_block(&f->base, "exc.exit"), ok_exit = cg_block(&f->base, "ok.exit");
    LLVMBuildCondBr(s->b, raised, exc_exit, ok_exit);
    LLVMPositionBuilderAtEnd(s->b, exc_exit);
    {
        const char *file = fn->src ? fn->src->name : (g->mod->path ? g->mod->path : "?");
        LLVMValueRef args[4] = {
            f->base.ctx,
            cg_cstr(&f->base, file),
            LLVMBuildSExt(s->b, LLVMBuildLoad2(s->b, s->t_i32, f->base.line_slot, ""), s->t_i64, ""),
            cg_cstr(&f->base, fn->src_name ? fn->src_name : fn->name),
        };
        LLVMTypeRef ty;
        LLVMValueRef af = cg_rtfn(s, cg_rtfn_id("rt_exc_add_frame"), &ty);
        LLVMBuildCall2(s->b, ty, af, args, 4, "");
    }
    if (f->ret_slot)
        LLVMBuildRet(s->b, LLVMConstNull(cg_ltype(g, fn->ret)));
    else
        LLVMBuildRetVoid(s->b);
    LLVMPositionBuilderAtEnd(s->b, ok_exit);
    if (f->ret_slot)
        LLVMBuildRet(s->b, LLVMBuildLoad2(s->b, cg_ltype(g, fn->ret), f->ret_slot, ""));
    else
        LLVMBuildRetVoid(s->b);

    LLVMPositionBuilderAtEnd(s->b, f->base.entry);
    LLVMBuildBr(s->b, body);
    free(f->local_slot);
    free(f->local_owned);
    free(f->temps);
}

/* `extern def` (ir_func.extern_sym, ir/ir.h): the pf-convention function is a thin always-inline
 * wrapper calling the C symbol, declared with C's ABI: int = int64_t, float = double, bool = C
 * bool (zero-extended i1), str = const char * (the NUL-terminated bytes of the pf str, borrowed for
 * the call). A str result is copied into a new pf str; NULL gives ''. No poll, no entry check, no frame:
 * C code cannot raise (only the copy can, as out of memory). The symbol is resolved by the JIT
 * (cg_jit_add_externs) or by the linker (pfc build). */
static LLVMTypeRef extern_ctype(cg_gen *g, const ir_type *t) {
    cg_state *s = &g->s;
    switch (t->kind) {
    case IR_T_STR: return s->t_ptr;
    case IR_T_BOOL: return s->t_i1;
    case IR_T_NONE: return s->t_void;
    default: return cg_ltype(g, t);
    }
}

static void zeroext(cg_gen *g, LLVMValueRef fn_or_call, unsigned idx, bool call) {
    const char *a = "zeroext";
    LLVMAttributeRef at = LLVMCreateEnumAttribute(g->s.c, LLVMGetEnumAttributeKindForName(a, strlen(a)), 0);
    if (call) LLVMAddCallSiteAttribute(fn_or_call, idx, at);
    else LLVMAddAttributeAtIndex(fn_or_call, idx, at);
}

static void gen_extern(cg_gen *g, const ir_func *fn) {
    cg_state *s = &g->s;
    LLVMValueRef w = g->fn[fn->id];
    LLVMTypeRef cp[64];
    LLVMValueRef args[64];
    unsigned np = 0;
    LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(s->c, w, "entry");
    LLVMPositionBuilderAtEnd(s->b, bb);
    for (int32_t i = 0; i < fn->nparams && np < 64; i++, np++) {
        const ir_type *t = fn->params[i]->type;
        LLVMValueRef p = LLVMGetParam(w, 1 + (unsigned)i);
        cp[np] = extern_ctype(g, t);
        if (t->kind == IR_T_STR) {
            LLVMValueRef off = LLVMConstInt(s->t_i64, offsetof(pf_str, data), 0);
            p = LLVMBuildGEP2(s->b, s->t_i8, p, &off, 1, "");
        }
        args[np] = p;
    }
    LLVMTypeRef cret = extern_ctype(g, fn->ret);
    LLVMTypeRef cty = LLVMFunctionType(cret, cp, np, 0);
    LLVMValueRef cf = LLVMGetNamedFunction(s->m, fn->extern_sym);
    if (!cf) {
        cf = LLVMAddFunction(s->m, fn->extern_sym, cty);
        for (unsigned i = 0; i < np; i++)
            if (cp[i] == s->t_i1) zeroext(g, cf, i + 1, false);
        if (cret == s->t_i1) zeroext(g, cf, LLVMAttributeReturnIndex, false);
    }
    LLVMValueRef r = LLVMBuildCall2(s->b, cty, cf, args, np, "");
    for (unsigned i = 0; i < np; i++)
        if (cp[i] == s->t_i1) zeroext(g, r, i + 1, true);
    if (cret == s->t_i1) zeroext(g, r, LLVMAttributeReturnIndex, true);
    if (fn->ret->kind == IR_T_NONE) {
        LLVMBuildRetVoid(s->b);
        return;
    }
    if (fn->ret->kind == IR_T_STR) {
        LLVMValueRef empty = cg_cstr(&(cg_fn){.s = s, .fn = w}, "");
        LLVMValueRef isnull = LLVMBuildICmp(s->b, LLVMIntEQ, r, LLVMConstNull(s->t_ptr), "");
        LLVMValueRef sargs[2] = {LLVMGetParam(w, 0), LLVMBuildSelect(s->b, isnull, empty, r, "")};
        LLVMTypeRef ty;
        LLVMValueRef sf = cg_rtfn(s, cg_rtfn_id("rt_str_from_cstr"), &ty);
        r = LLVMBuildCall2(s->b, ty, sf, sargs, 2, "");
    }
    LLVMBuildRet(s->b, r);
}

/* The module's entry points (codegen.h): pf_init runs main and keeps the globals, pf_fini
 * releases them (zero leaks), pf_main does both. */
static void gen_entry(cg_gen *g) {
    cg_state *s = &g->s;
    LLVMTypeRef ty = LLVMFunctionType(s->t_void, &s->t_ptr, 1, 0);
    LLVMValueRef init = LLVMAddFunction(s->m, CG_INIT_NAME, ty);
    LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(s->c, init, "entry");
    LLVMPositionBuilderAtEnd(s->b, bb);
    LLVMValueRef ctx = LLVMGetParam(init, 0);
    if (g->uses_random) {
        /* random: a fixed default seed, so an unseeded program is still deterministic; only while
         * the state is still zeroed (idx 0: never seeded, never drawn from), since a session's
         * entries share one state (ir_module.rng_state) */
        LLVMValueRef ip = LLVMBuildGEP2(s->b, s->t_i8, g->rng,
                                        &(LLVMValueRef){LLVMConstInt(s->t_i64, offsetof(pf_rng, idx), 0)}, 1, "");
        LLVMValueRef fresh = LLVMBuildICmp(s->b, LLVMIntEQ, LLVMBuildLoad2(s->b, s->t_i32, ip, ""),
                                           LLVMConstInt(s->t_i32, 0, 0), "");
        LLVMBasicBlockRef seed = LLVMAppendBasicBlockInContext(s->c, init, "seed");
        LLVMBasicBlockRef go = LLVMAppendBasicBlockInContext(s->c, init, "go");
        LLVMBuildCondBr(s->b, fresh, seed, go);
        LLVMPositionBuilderAtEnd(s->b, seed);
        LLVMValueRef args[2] = {g->rng, LLVMConstInt(s->t_i64, 0, 0)};
        LLVMTypeRef ty;
        LLVMValueRef sf = cg_rtfn(s, cg_rtfn_id("pf_random_seed"), &ty);
        LLVMBuildCall2(s->b, ty, sf, args, 2, "");
        LLVMBuildBr(s->b, go);
        LLVMPositionBuilderAtEnd(s->b, go);
    }
    const ir_func *m = g->mod->main;
    LLVMBuildCall2(s->b, g->fn_type[m->id], g->fn[m->id], &ctx, 1, "");
    LLVMBuildRetVoid(s->b);

    LLVMValueRef fini = LLVMAddFunction(s->m, CG_FINI_NAME, ty);
    bb = LLVMAppendBasicBlockInContext(s->c, fini, "entry");
    LLVMPositionBuilderAtEnd(s->b, bb);
    ctx = LLVMGetParam(fini, 0);
    cg_gfn F;
    memset(&F, 0, sizeof F);
    F.base.s = s;
    F.base.fn = fini;
    F.base.ctx = ctx;
    F.base.entry = bb;
    F.g = g;
    for (int32_t i = 0; i < g->mod->nglobals; i++) {
        const ir_global *gl = g->mod->globals[i];
        if (!cg_is_obj(gl->type) || gl->slot) continue; /* a slot's owner releases it */
        ir_type opt = *gl->type;
        opt.kind = IR_T_OPTIONAL;
        LLVMValueRef v = LLVMBuildLoad2(s->b, s->t_ptr, g->gvar[i], "");
        rc_update(&F, v, &opt, -1);
        LLVMBuildStore(s->b, LLVMConstNull(s->t_ptr), g->gvar[i]);
    }
    LLVMBuildRetVoid(s->b);

    LLVMValueRef fn = LLVMAddFunction(s->m, CG_ENTRY_NAME, ty);
    bb = LLVMAppendBasicBlockInContext(s->c, fn, "entry");
    LLVMPositionBuilderAtEnd(s->b, bb);
    ctx = LLVMGetParam(fn, 0);
    LLVMBuildCall2(s->b, ty, init, &ctx, 1, "");
    LLVMBuildCall2(s->b, ty, fini, &ctx, 1, "");
    LLVMBuildRetVoid(s->b);
}

cg_module *cg_compile(const ir_module *mod, char **err) {
    cg_module *cm = cg_module_new(mod->path ? mod->path : "pf", err);
    if (!cm) return NULL;
    cg_gen G;
    memset(&G, 0, sizeof G);
    cg_gen *g = &G;
    g->mod = mod;
    cg_state_init(&g->s, cg_module_llvm_context(cm), cg_module_llvm_module(cm));
    cg_state *s = &g->s;
    LLVMTypeRef df[12] = {s->t_i32, s->t_i32, s->t_ptr, s->t_ptr, s->t_ptr, s->t_ptr,
                          s->t_ptr, s->t_ptr, s->t_ptr, s->t_ptr, s->t_ptr, s->t_ptr};
    g->t_desc = LLVMStructCreateNamed(s->c, "pf_type");
    LLVMStructSetBody(g->t_desc, df, 12, 0);
    g->fn = calloc((size_t)mod->nfuncs + 1, sizeof *g->fn);
    g->fn_type = calloc((size_t)mod->nfuncs + 1, sizeof *g->fn_type);
    g->fn_solo = calloc((size_t)mod->nfuncs + 1, sizeof *g->fn_solo);
    g->gvar = calloc((size_t)mod->nglobals + 1, sizeof *g->gvar);
    g->gdef = calloc((size_t)mod->nglobals + 1, sizeof *g->gdef);
    g->tdesc = calloc((size_t)mod->ntypes + 1, sizeof *g->tdesc);
    for (int32_t i = 0; i < mod->nglobals; i++) {
        const ir_global *gl = mod->globals[i];
        LLVMTypeRef t = cg_ltype(g, gl->type);
        if (gl->check_defined) {
            char name[300];
            snprintf(name, sizeof name, "pf.d:%s", gl->name);
            g->gdef[i] = LLVMAddGlobal(s->m, s->t_i8, name);
            LLVMSetInitializer(g->gdef[i], LLVMConstNull(s->t_i8));
            LLVMSetLinkage(g->gdef[i], LLVMInternalLinkage);
        }
        if (gl->slot) { /* a session variable: its slot lives outside the module (ir_env) */
            g->gvar[i] = LLVMConstIntToPtr(LLVMConstInt(s->t_i64, (unsigned long long)(uintptr_t)gl->slot, 0), s->t_ptr);
            continue;
        }
        char name[300];
        snprintf(name, sizeof name, "pf.g:%s", gl->name);
        g->gvar[i] = LLVMAddGlobal(s->m, t, name);
        LLVMSetInitializer(g->gvar[i], LLVMConstNull(t));
        LLVMSetLinkage(g->gvar[i], LLVMInternalLinkage);
    }
    if (mod->rng_state) {
        g->rng = LLVMConstIntToPtr(LLVMConstInt(s->t_i64, (unsigned long long)(uintptr_t)mod->rng_state, 0), s->t_ptr);
    } else {
        LLVMTypeRef rt = LLVMArrayType(s->t_i64, (unsigned)((sizeof(pf_rng) + 7) / 8));
        g->rng = LLVMAddGlobal(s->m, rt, "pf.rng");
        LLVMSetInitializer(g->rng, LLVMConstNull(rt));
        LLVMSetLinkage(g->rng, LLVMInternalLinkage);
        LLVMSetAlignment(g->rng, 16);
    }
    for (int32_t i = 0; i < mod->nfuncs; i++) declare_func(g, mod->funcs[i]);
    for (int32_t i = 0; i < mod->nfuncs && !g->err; i++) {
        if (mod->funcs[i]->extern_sym) gen_extern(g, mod->funcs[i]);
        else gen_func(g, mod->funcs[i]);
        LLVMValueRef solo = g->fn_solo[mod->funcs[i]->id];
        if (solo && !g->err) { /* its fork-free copy, calling itself (other functions as usual) */
            LLVMValueRef par = g->fn[mod->funcs[i]->id];
            g->fn[mod->funcs[i]->id] = solo;
            g->no_forks = true;
            gen_func(g, mod->funcs[i]);
            g->no_forks = false;
            g->fn[mod->funcs[i]->id] = par;
        }
    }
    if (!g->err) gen_entry(g);
    free(g->fn);
    free(g->fn_type);
    free(g->fn_solo);
    free(g->gvar);
    free(g->gdef);
    free(g->tdesc);
    cg_state_dispose(&g->s);
    if (g->err) {
        if (err) *err = g->err;
        else free(g->err);
        cg_module_free(cm);
        return NULL;
    }
    return cm;
}

bool cg_module_localize(cg_module *cm, const ir_module *mod, const char *entry, const char *const *exports,
                        int32_t nexports, char **err) {
    LLVMModuleRef m = cg_module_llvm_module(cm);
    for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f))
        if (!LLVMIsDeclaration(f)) LLVMSetLinkage(f, LLVMInternalLinkage);
    for (LLVMValueRef v = LLVMGetFirstGlobal(m); v; v = LLVMGetNextGlobal(v))
        if (!LLVMIsDeclaration(v)) LLVMSetLinkage(v, LLVMInternalLinkage);
    LLVMValueRef main = LLVMGetNamedFunction(m, CG_ENTRY_NAME);
    if (!main) {
        if (err) *err = strdup("codegen: the module has no entry point");
        return false;
    }
    LLVMSetValueName2(main, entry, strlen(entry));
    LLVMSetLinkage(main, LLVMExternalLinkage);
    for (int32_t i = 0; i < nexports; i++) {
        const ir_func *fn = NULL;
        for (int32_t k = 0; k < mod->nfuncs && !fn; k++)
            if (mod->funcs[k]->src_name && !strcmp(mod->funcs[k]->src_name, exports[i])) fn = mod->funcs[k];
        char name[700];
        snprintf(name, sizeof name, "pf:%s", fn ? fn->name : "");
        LLVMValueRef f = fn ? LLVMGetNamedFunction(m, name) : NULL;
        if (!f) {
            if (err) {
                snprintf(name, sizeof name, "codegen: no compiled function '%s' to export", exports[i]);
                *err = strdup(name);
            }
            return false;
        }
        snprintf(name, sizeof name, "%s.%s", entry, exports[i]);
        LLVMSetValueName2(f, name, strlen(name));
        LLVMSetLinkage(f, LLVMExternalLinkage);
    }
    return true;
}
