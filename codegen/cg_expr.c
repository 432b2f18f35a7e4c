/* codegen expressions: cg_expr mirrors ir_expr_kind with one case per kind, and cg_op one case
 * per builtin ir_op. Scalars stay unboxed in registers; objects come back owned or borrowed
 * (cg_val) and every operation that may raise stores its line and tests ctx->exc (cg_call_rt).
 * Container element reads are inline (bounds check + load) where the layout is fixed. */
#include "codegen/cg_internal.h"
#include "runtime/value.h"

#include <string.h>

#define B (f->base.s->b)
#define S (f->base.s)
#define CTX (f->base.ctx)

static LLVMValueRef i64c(cg_gfn *f, int64_t v) { return LLVMConstInt(S->t_i64, (unsigned long long)v, 1); }

static LLVMValueRef rt(cg_gfn *f, const char *name, LLVMValueRef *args, unsigned n) {
    return cg_call_rt(&f->base, name, args, n);
}

/* Calls a libm function double name(double...) (resolved in the process by the JIT). */
static LLVMValueRef libm(cg_gfn *f, const char *name, LLVMValueRef *args, unsigned n) {
    LLVMTypeRef params[2] = {S->t_f64, S->t_f64};
    LLVMTypeRef ty = LLVMFunctionType(S->t_f64, params, n, 0);
    LLVMValueRef fn = LLVMGetNamedFunction(S->m, name);
    if (!fn) fn = LLVMAddFunction(S->m, name, ty);
    return LLVMBuildCall2(B, ty, fn, args, n, "");
}

static LLVMValueRef intrinsic1(cg_gfn *f, const char *name, LLVMValueRef x) {
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMTypeRef fty = LLVMIntrinsicGetType(S->c, id, &t, 1);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(S->m, id, &t, 1);
    return LLVMBuildCall2(B, fty, fn, &x, 1, "");
}

static void line(cg_gfn *f, const ir_expr *e) { cg_set_line(&f->base, e->line); }

/* Raises kind/msg when cond holds (cold, shared per function), continuing on the likely path. */
static void raise_if(cg_gfn *f, LLVMValueRef cond, int kind, const char *msg) { cg_raise_if(&f->base, cond, kind, msg); }

static LLVMValueRef desc(cg_gfn *f, const ir_type *t) { return cg_type_desc(f->g, t); }
static LLVMValueRef slot(cg_gfn *f, LLVMValueRef v, const ir_type *t) { return cg_to_slot(f, v, t); }
static LLVMValueRef i64_to_bool(cg_gfn *f, LLVMValueRef v) {
    return LLVMBuildICmp(B, LLVMIntNE, v, LLVMConstInt(LLVMTypeOf(v), 0, 0), "");
}

/* A value read out of a container: borrowed when the container is, else made owned before the
 * container (an owned temporary) is released. */
static cg_val from_container(cg_gfn *f, cg_val *cont, const ir_type *ct, LLVMValueRef v, const ir_type *t) {
    if (!cont->owned) return cg_borrowed(v);
    cg_incref(f, v, t);
    cg_val r = cg_owned(f, v, t);
    cg_release(f, cont, ct);
    return r;
}

/* ---- comparisons ------------------------------------------------------------------------------ */

LLVMValueRef cg_eq(cg_gfn *f, LLVMValueRef a, LLVMValueRef b, const ir_type *t) {
    switch (t->kind) {
    case IR_T_INT:
    case IR_T_NONE:
    case IR_T_BOOL: return LLVMBuildICmp(B, LLVMIntEQ, a, b, "");
    case IR_T_FLOAT: return LLVMBuildFCmp(B, LLVMRealOEQ, a, b, "");
    case IR_T_STR: {
        LLVMValueRef args[2] = {a, b};
        return i64_to_bool(f, rt(f, "rt_str_eq", args, 2));
    }
    default: {
        LLVMValueRef args[4] = {CTX, slot(f, a, t), slot(f, b, t), desc(f, t)};
        return i64_to_bool(f, rt(f, "rt_eq", args, 4));
    }
    }
}

LLVMValueRef cg_less(cg_gfn *f, LLVMValueRef a, LLVMValueRef b, const ir_type *t) {
    switch (t->kind) {
    case IR_T_INT: return LLVMBuildICmp(B, LLVMIntSLT, a, b, "");
    case IR_T_BOOL: return LLVMBuildICmp(B, LLVMIntULT, a, b, "");
    case IR_T_FLOAT: return LLVMBuildFCmp(B, LLVMRealOLT, a, b, "");
    case IR_T_STR: {
        LLVMValueRef args[2] = {a, b};
        return LLVMBuildICmp(B, LLVMIntSLT, rt(f, "rt_str_cmp", args, 2), i64c(f, 0), "");
    }
    default: {
        LLVMValueRef args[4] = {CTX, slot(f, a, t), slot(f, b, t), desc(f, t)};
        return i64_to_bool(f, rt(f, "rt_lt", args, 4));
    }
    }
}

static LLVMValueRef less_eq(cg_gfn *f, LLVMValueRef a, LLVMValueRef b, const ir_type *t) {
    switch (t->kind) {
    case IR_T_INT: return LLVMBuildICmp(B, LLVMIntSLE, a, b, "");
    case IR_T_BOOL: return LLVMBuildICmp(B, LLVMIntULE, a, b, "");
    case IR_T_FLOAT: return LLVMBuildFCmp(B, LLVMRealOLE, a, b, "");
    case IR_T_STR: {
        LLVMValueRef args[2] = {a, b};
        return LLVMBuildICmp(B, LLVMIntSLE, rt(f, "rt_str_cmp", args, 2), i64c(f, 0), "");
    }
    default: {
        LLVMValueRef args[4] = {CTX, slot(f, a, t), slot(f, b, t), desc(f, t)};
        return i64_to_bool(f, rt(f, "rt_le", args, 4));
    }
    }
}

/* `x in c` for a list, str, homogeneous tuple or dict c. */
static LLVMValueRef contains(cg_gfn *f, LLVMValueRef x, const ir_type *xt, LLVMValueRef c, const ir_type *ct) {
    switch (ct->kind) {
    case IR_T_STR: {
        LLVMValueRef args[2] = {c, x};
        return i64_to_bool(f, rt(f, "rt_str_contains", args, 2));
    }
    case IR_T_LIST: {
        LLVMValueRef args[3] = {CTX, c, slot(f, x, xt)};
        return i64_to_bool(f, rt(f, "rt_list_contains", args, 3));
    }
    case IR_T_DICT: {
        LLVMValueRef args[3] = {CTX, c, slot(f, x, xt)};
        return i64_to_bool(f, rt(f, "rt_dict_contains", args, 3));
    }
    case IR_T_TUPLE: {
        LLVMValueRef r = LLVMConstInt(S->t_i1, 0, 0);
        for (int32_t i = 0; i < ct->n; i++) {
            LLVMValueRef el = cg_from_slot(f, cg_load_field(f, c, 24 + 8 * (unsigned)i, S->t_i64), ct->elems[i]);
            r = LLVMBuildOr(B, r, cg_eq(f, x, el, xt), "");
        }
        return r;
    }
    default: cg_fail(f->g, "codegen: `in` over %s is not supported", ir_type_str(ct)); return LLVMConstInt(S->t_i1, 0, 0);
    }
}

static LLVMValueRef compare1(cg_gfn *f, ir_cmp op, LLVMValueRef a, const ir_type *at, LLVMValueRef b,
                             const ir_type *bt) {
    switch (op) {
    case IR_CMP_EQ: return cg_eq(f, a, b, at);
    case IR_CMP_NE:
        if (at->kind == IR_T_FLOAT) return LLVMBuildFCmp(B, LLVMRealUNE, a, b, "");
        return LLVMBuildNot(B, cg_eq(f, a, b, at), "");
    case IR_CMP_LT: return cg_less(f, a, b, at);
    case IR_CMP_LE: return less_eq(f, a, b, at);
    case IR_CMP_GT: return cg_less(f, b, a, at);
    case IR_CMP_GE: return less_eq(f, b, a, at);
    case IR_CMP_IN: return contains(f, a, at, b, bt);
    case IR_CMP_NOT_IN: return LLVMBuildNot(B, contains(f, a, at, b, bt), "");
    }
    return LLVMConstInt(S->t_i1, 0, 0);
}

/* a0 c0 a1 c1 a2 ...: each operand once, short-circuit left to right. */
static cg_val compare(cg_gfn *f, const ir_expr *e) {
    line(f, e);
    LLVMValueRef res = cg_alloca(&f->base, S->t_i1, "cmp");
    LLVMBuildStore(B, LLVMConstInt(S->t_i1, 0, 0), res);
    LLVMBasicBlockRef done = cg_block(&f->base, "cmp.done");
    cg_val left = cg_expr(f, e->args[0]);
    for (int32_t i = 0; i + 1 < e->nargs; i++) {
        cg_val right = cg_expr(f, e->args[i + 1]);
        line(f, e);
        LLVMValueRef c = compare1(f, e->cmps[i], left.v, e->args[i]->type, right.v, e->args[i + 1]->type);
        cg_release(f, &left, e->args[i]->type);
        left = right;
        if (i + 2 < e->nargs) {
            LLVMBasicBlockRef next = cg_block(&f->base, "cmp.next");
            LLVMBasicBlockRef fail = cg_block(&f->base, "cmp.fail");
            LLVMBuildCondBr(B, c, next, fail);
            LLVMPositionBuilderAtEnd(B, fail);
            cg_val tmp = left;
            cg_release(f, &tmp, e->args[i + 1]->type);
            LLVMBuildBr(B, done);
            LLVMPositionBuilderAtEnd(B, next);
        } else {
            LLVMBuildStore(B, c, res);
        }
    }
    cg_release(f, &left, e->args[e->nargs - 1]->type);
    LLVMBuildBr(B, done);
    LLVMPositionBuilderAtEnd(B, done);
    return cg_borrowed(LLVMBuildLoad2(B, S->t_i1, res, ""));
}

/* ---- truth ----------------------------------------------------------------------------------------- */

LLVMValueRef cg_truth(cg_gfn *f, LLVMValueRef v, const ir_type *t) {
    switch (t->kind) {
    case IR_T_INT: return LLVMBuildICmp(B, LLVMIntNE, v, i64c(f, 0), "");
    case IR_T_FLOAT: return LLVMBuildFCmp(B, LLVMRealUNE, v, LLVMConstReal(S->t_f64, 0.0), "");
    case IR_T_BOOL: return v;
    case IR_T_NONE: return LLVMConstInt(S->t_i1, 0, 0);
    case IR_T_STR:
    case IR_T_LIST:
    case IR_T_DICT: return LLVMBuildICmp(B, LLVMIntNE, cg_load_field(f, v, 8, S->t_i64), i64c(f, 0), "");
    case IR_T_TUPLE: return LLVMConstInt(S->t_i1, t->n > 0, 0);
    case IR_T_OPTIONAL: {
        const ir_type *in = t->elems[0];
        if (in->kind == IR_T_CLASS || in->kind == IR_T_FUNC || in->kind == IR_T_EXC)
            return LLVMBuildIsNotNull(B, v, "");
        /* None is false, else the truth of the value */
        LLVMValueRef res = cg_alloca(&f->base, S->t_i1, "truth");
        LLVMBuildStore(B, LLVMConstInt(S->t_i1, 0, 0), res);
        LLVMBasicBlockRef some = cg_block(&f->base, "some"), done = cg_block(&f->base, "truth.done");
        LLVMBuildCondBr(B, LLVMBuildIsNotNull(B, v, ""), some, done);
        LLVMPositionBuilderAtEnd(B, some);
        LLVMValueRef inner = cg_is_scalar(in) ? cg_from_slot(f, cg_load_field(f, v, 8, S->t_i64), in) : v;
        LLVMBuildStore(B, cg_truth(f, inner, in), res);
        LLVMBuildBr(B, done);
        LLVMPositionBuilderAtEnd(B, done);
        return LLVMBuildLoad2(B, S->t_i1, res, "");
    }
    default: return LLVMConstInt(S->t_i1, 1, 0);
    }
}

/* ---- arithmetic ---------------------------------------------------------------------------------- */

static LLVMValueRef binary(cg_gfn *f, const ir_expr *e, LLVMValueRef a, LLVMValueRef b) {
    cg_fn *F = &f->base;
    const ir_type *t = e->args[0]->type;
    bool fl = t->kind == IR_T_FLOAT;
    line(f, e);
    switch (e->op) {
    case IR_OP_ADD: return fl ? LLVMBuildFAdd(B, a, b, "") : cg_int_add(F, a, b);
    case IR_OP_SUB: return fl ? LLVMBuildFSub(B, a, b, "") : cg_int_sub(F, a, b);
    case IR_OP_MUL: return fl ? LLVMBuildFMul(B, a, b, "") : cg_int_mul(F, a, b);
    case IR_OP_DIV:
        if (fl && e->ival == 1) { /* int operands folded to float constants: int's message */
            cg_raise_if(F, LLVMBuildFCmp(B, LLVMRealOEQ, b, LLVMConstReal(S->t_f64, 0.0), ""), PF_EXC_ZERODIV,
                        "division by zero");
            return LLVMBuildFDiv(B, a, b, "");
        }
        return fl ? cg_float_div(F, a, b) : cg_int_truediv(F, a, b);
    case IR_OP_FLOORDIV: return fl ? cg_float_floordiv(F, a, b) : cg_int_floordiv(F, a, b);
    case IR_OP_MOD: return fl ? cg_float_mod(F, a, b) : cg_int_mod(F, a, b);
    case IR_OP_POW:
        if (fl) return cg_float_pow(F, a, b);
        if (e->type->kind == IR_T_FLOAT) {
            LLVMValueRef args[3] = {CTX, a, b};
            return rt(f, "rt_int_pow_neg", args, 3);
        }
        return cg_int_pow(F, a, b);
    case IR_OP_LSHIFT: {
        raise_if(f, LLVMBuildICmp(B, LLVMIntSLT, b, i64c(f, 0), ""), PF_EXC_VALUE, "negative shift count");
        LLVMValueRef big = LLVMBuildICmp(B, LLVMIntSGT, b, i64c(f, 63), "");
        LLVMValueRef sh = LLVMBuildSelect(B, big, i64c(f, 0), b, "");
        LLVMValueRef r = LLVMBuildShl(B, a, sh, "");
        LLVMValueRef back = LLVMBuildAShr(B, r, sh, "");
        LLVMValueRef ovf = LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntNE, back, a, ""),
                                       LLVMBuildAnd(B, big, LLVMBuildICmp(B, LLVMIntNE, a, i64c(f, 0), ""), ""), "");
        raise_if(f, ovf, PF_EXC_OVERFLOW, "integer overflow");
        return r;
    }
    case IR_OP_RSHIFT: {
        raise_if(f, LLVMBuildICmp(B, LLVMIntSLT, b, i64c(f, 0), ""), PF_EXC_VALUE, "negative shift count");
        LLVMValueRef sh = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSGT, b, i64c(f, 63), ""), i64c(f, 63), b, "");
        return LLVMBuildAShr(B, a, sh, "");
    }
    case IR_OP_BITAND: return LLVMBuildAnd(B, a, b, "");
    case IR_OP_BITOR: return LLVMBuildOr(B, a, b, "");
    case IR_OP_BITXOR: return LLVMBuildXor(B, a, b, "");
    default: cg_fail(f->g, "codegen: binary op %s", ir_op_name(e->op)); return LLVMGetUndef(cg_ltype(f->g, e->type));
    }
}

/* ---- helpers for builtins -------------------------------------------------------------------------- */

/* Evaluates every argument (NULL args stay NULL values). */
static void eval_args(cg_gfn *f, const ir_expr *e, cg_val *vals) {
    for (int32_t i = 0; i < e->nargs; i++) vals[i] = e->args[i] ? cg_expr(f, e->args[i]) : cg_borrowed(NULL);
}

static void release_args(cg_gfn *f, const ir_expr *e, cg_val *vals) {
    for (int32_t i = 0; i < e->nargs; i++)
        if (e->args[i]) cg_release(f, &vals[i], e->args[i]->type);
}

static LLVMValueRef opt_str(cg_gfn *f, cg_val *v) { return v->v ? v->v : LLVMConstNull(S->t_ptr); }
static LLVMValueRef opt_idx(cg_gfn *f, cg_val *v) { return v->v ? v->v : i64c(f, PF_NONE_IDX); }

/* Inline xs[i] with Python negatives and IndexError; borrowed element slot. */
bool cg_param_list(cg_gfn *f, const ir_expr *x, LLVMValueRef *len, LLVMValueRef *data) {
    if (x->kind != IR_E_LOCAL || x->type->kind != IR_T_LIST || !x->local->is_param) return false;
    const ir_local *l = x->local;
    /* only in the function compiled for f->ir itself (not in a block body outlined from it), and
     * only for a parameter the function never rebinds */
    if (f->local_owned[l->id] || f->base.fn != f->g->fn[f->ir->id]) return false;
    for (int32_t i = 0; i < f->nplists; i++)
        if (f->plists[i].l == l) {
            *len = f->plists[i].len;
            *data = f->plists[i].data;
            return true;
        }
    int32_t k = -1;
    for (int32_t i = 0; i < f->ir->nparams; i++)
        if (f->ir->params[i] == l) k = i;
    if (k < 0 || f->nplists == (int32_t)(sizeof f->plists / sizeof f->plists[0])) return false;
    LLVMValueRef arg = LLVMGetParam(f->base.fn, 1 + (f->ir->env ? 1u : 0u) + (unsigned)k);
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
    LLVMValueRef first = LLVMGetFirstInstruction(f->base.entry);
    if (first)
        LLVMPositionBuilderBefore(B, first);
    else
        LLVMPositionBuilderAtEnd(B, f->base.entry);
    *len = cg_load_field(f, arg, 8, S->t_i64);
    *data = cg_load_field(f, arg, 24, S->t_ptr);
    LLVMPositionBuilderAtEnd(B, cur);
    f->plists[f->nplists].l = l;
    f->plists[f->nplists].len = *len;
    f->plists[f->nplists].data = *data;
    f->nplists++;
    return true;
}

/* xs[i] with Python's negative indices and IndexError; len/data: xs's, when already known. */
static LLVMValueRef list_index(cg_gfn *f, LLVMValueRef xs, LLVMValueRef i, LLVMValueRef len, LLVMValueRef data) {
    if (!len) len = cg_load_field(f, xs, 8, S->t_i64);
    LLVMValueRef neg = LLVMBuildICmp(B, LLVMIntSLT, i, i64c(f, 0), "");
    LLVMValueRef idx = LLVMBuildSelect(B, neg, LLVMBuildAdd(B, i, len, ""), i, "");
    LLVMBasicBlockRef bad = cg_block(&f->base, "index.bad");
    cg_br_unlikely(&f->base, LLVMBuildICmp(B, LLVMIntUGE, idx, len, ""), bad);
    LLVMBasicBlockRef ok = LLVMGetInsertBlock(B);
    LLVMPositionBuilderAtEnd(B, bad);
    LLVMValueRef args[2] = {CTX, cg_cstr(&f->base, "list")};
    LLVMTypeRef ty;
    LLVMValueRef fn = cg_rtfn(S, cg_rtfn_id("rt_raise_index"), &ty);
    LLVMBuildCall2(B, ty, fn, args, 2, "");
    LLVMBuildBr(B, f->base.unwind);
    LLVMPositionBuilderAtEnd(B, ok);
    if (!data) data = cg_load_field(f, xs, 24, S->t_ptr);
    LLVMValueRef p = LLVMBuildGEP2(B, S->t_i64, data, &idx, 1, "");
    return LLVMBuildLoad2(B, S->t_i64, p, "");
}

/* The math module: float functions with Python's domain errors. */
static LLVMValueRef math_op(cg_gfn *f, const ir_expr *e, cg_val *v) {
    LLVMValueRef x = e->nargs > 0 ? v[0].v : NULL, y = e->nargs > 1 ? v[1].v : NULL;
    LLVMValueRef zero = LLVMConstReal(S->t_f64, 0.0);
    LLVMValueRef args[2] = {x, y};
    switch (e->op) {
    case IR_OP_MATH_SQRT:
        raise_if(f, LLVMBuildFCmp(B, LLVMRealOLT, x, zero, ""), PF_EXC_VALUE, "math domain error");
        return intrinsic1(f, "llvm.sqrt", x);
    case IR_OP_MATH_FABS: return intrinsic1(f, "llvm.fabs", x);
    case IR_OP_MATH_SIN: return libm(f, "sin", args, 1);
    case IR_OP_MATH_COS: return libm(f, "cos", args, 1);
    case IR_OP_MATH_TAN: return libm(f, "tan", args, 1);
    case IR_OP_MATH_ATAN: return libm(f, "atan", args, 1);
    case IR_OP_MATH_ATAN2: return libm(f, "atan2", args, 2);
    case IR_OP_MATH_HYPOT: return libm(f, "hypot", args, 2);
    case IR_OP_MATH_ASIN:
    case IR_OP_MATH_ACOS: {
        LLVMValueRef one = LLVMConstReal(S->t_f64, 1.0);
        LLVMValueRef ax = intrinsic1(f, "llvm.fabs", x);
        raise_if(f, LLVMBuildFCmp(B, LLVMRealOGT, ax, one, ""), PF_EXC_VALUE, "math domain error");
        return libm(f, e->op == IR_OP_MATH_ASIN ? "asin" : "acos", args, 1);
    }
    case IR_OP_MATH_EXP: {
        LLVMValueRef r = libm(f, "exp", args, 1);
        LLVMValueRef inf = LLVMConstReal(S->t_f64, __builtin_inf());
        LLVMValueRef ovf = LLVMBuildAnd(B, LLVMBuildFCmp(B, LLVMRealOEQ, r, inf, ""),
                                        LLVMBuildFCmp(B, LLVMRealONE, x, inf, ""), "");
        raise_if(f, ovf, PF_EXC_OVERFLOW, "math range error");
        return r;
    }
    case IR_OP_MATH_LOG:
    case IR_OP_MATH_LOG2:
    case IR_OP_MATH_LOG10: {
        raise_if(f, LLVMBuildFCmp(B, LLVMRealOLE, x, zero, ""), PF_EXC_VALUE, "math domain error");
        const char *fn = e->op == IR_OP_MATH_LOG ? "log" : e->op == IR_OP_MATH_LOG2 ? "log2" : "log10";
        LLVMValueRef r = libm(f, fn, args, 1);
        if (e->op == IR_OP_MATH_LOG && y) {
            raise_if(f, LLVMBuildFCmp(B, LLVMRealOLE, y, zero, ""), PF_EXC_VALUE, "math domain error");
            LLVMValueRef lb = libm(f, "log", &args[1], 1);
            raise_if(f, LLVMBuildFCmp(B, LLVMRealOEQ, lb, zero, ""), PF_EXC_ZERODIV, "float division by zero");
            r = LLVMBuildFDiv(B, r, lb, "");
        }
        return r;
    }
    case IR_OP_MATH_POW: return libm(f, "pow", args, 2);
    case IR_OP_MATH_FLOOR: {
        LLVMValueRef a[2] = {CTX, x};
        return rt(f, "rt_float_floor", a, 2);
    }
    case IR_OP_MATH_CEIL: {
        LLVMValueRef a[2] = {CTX, x};
        return rt(f, "rt_float_ceil", a, 2);
    }
    case IR_OP_MATH_TRUNC: {
        LLVMValueRef a[2] = {CTX, x};
        return rt(f, "rt_float_to_int", a, 2);
    }
    case IR_OP_MATH_ISNAN: return LLVMBuildFCmp(B, LLVMRealUNO, x, x, "");
    case IR_OP_MATH_ISINF:
        return LLVMBuildFCmp(B, LLVMRealOEQ, intrinsic1(f, "llvm.fabs", x), LLVMConstReal(S->t_f64, __builtin_inf()), "");
    case IR_OP_MATH_ISFINITE:
        return LLVMBuildFCmp(B, LLVMRealOLT, intrinsic1(f, "llvm.fabs", x), LLVMConstReal(S->t_f64, __builtin_inf()), "");
    default: cg_fail(f->g, "codegen: %s is not supported yet", ir_op_name(e->op)); return LLVMGetUndef(cg_ltype(f->g, e->type));
    }
}

/* min(a, b, ...) / max(a, b, ...) of values: the first extreme one, as Python. */
static cg_val minmax_values(cg_gfn *f, const ir_expr *e) {
    const ir_type *t = e->type;
    cg_val best = cg_expr(f, e->args[0]);
    if (cg_is_obj(t)) best = cg_owned(f, cg_take(f, &best, t), t);
    for (int32_t i = 1; i < e->nargs; i++) {
        cg_val x = cg_expr(f, e->args[i]);
        line(f, e);
        /* min: take x when x < best; max: when best < x */
        LLVMValueRef better = e->op == IR_OP_MIN ? cg_less(f, x.v, best.v, t) : cg_less(f, best.v, x.v, t);
        if (!cg_is_obj(t)) {
            best = cg_borrowed(LLVMBuildSelect(B, better, x.v, best.v, ""));
            continue;
        }
        LLVMValueRef xo = cg_take(f, &x, t);
        LLVMValueRef nb = LLVMBuildSelect(B, better, xo, best.v, "");
        LLVMValueRef loser = LLVMBuildSelect(B, better, best.v, xo, "");
        cg_forget(f, &best);
        cg_decref(f, loser, t);
        best = cg_owned(f, nb, t);
    }
    return best;
}

/* print(*values, sep=, end=) through rt_print with the values' slots and type descriptors. */
static void print_op(cg_gfn *f, const ir_expr *e, cg_val *v) {
    int32_t n = e->nargs - 3;
    LLVMTypeRef at = LLVMArrayType(S->t_i64, (unsigned)(n > 0 ? n : 1));
    LLVMTypeRef tt = LLVMArrayType(S->t_ptr, (unsigned)(n > 0 ? n : 1));
    LLVMValueRef vals = cg_alloca(&f->base, at, "print.vals");
    LLVMValueRef types = cg_alloca(&f->base, tt, "print.types");
    for (int32_t i = 0; i < n; i++) {
        const ir_type *t = e->args[i + 3]->type;
        LLVMValueRef idx[2] = {i64c(f, 0), i64c(f, i)};
        LLVMBuildStore(B, slot(f, v[i + 3].v, t), LLVMBuildGEP2(B, at, vals, idx, 2, ""));
        LLVMBuildStore(B, desc(f, t), LLVMBuildGEP2(B, tt, types, idx, 2, ""));
    }
    LLVMValueRef args[6] = {CTX, i64c(f, n), vals, types, opt_str(f, &v[0]), opt_str(f, &v[1])};
    rt(f, "rt_print", args, 6);
    if (!v[2].v || (LLVMIsAConstantInt(v[2].v) && !LLVMConstIntGetZExtValue(v[2].v))) return;
    /* flush=: after the line is written (not when a __str__ raised: the op's check unwinds first) */
    LLVMBasicBlockRef yes = cg_block(&f->base, "print.flush"), done = cg_block(&f->base, "print.done");
    LLVMBuildCondBr(B, v[2].v, yes, done);
    LLVMPositionBuilderAtEnd(B, yes);
    rt(f, "rt_out_flush", &CTX, 1);
    LLVMBuildBr(B, done);
    LLVMPositionBuilderAtEnd(B, done);
}

/* Does e read local l? (conservative: comprehensions count as reading everything) */
static bool uses_local(const ir_expr *e, const ir_local *l) {
    if (!e) return false;
    if ((e->kind == IR_E_LOCAL || e->kind == IR_E_LET) && e->local == l) return true;
    if (e->kind == IR_E_COMP) return true;
    for (int32_t i = 0; i < e->nargs; i++)
        if (uses_local(e->args[i], l)) return true;
    return uses_local(e->env, l);
}

/* Runtime call returning an owned object for op e. */
static cg_val rt_obj(cg_gfn *f, const ir_expr *e, const char *name, LLVMValueRef *args, unsigned n) {
    line(f, e);
    return cg_owned(f, rt(f, name, args, n), e->type);
}

/* May e take over the old value of the local being reassigned (f->move_local)? Only the
 * assignment's value itself, or the first operand of such a consuming op, may: anywhere else the
 * local may still be read after the move (`x = [len(x + [1]), len(x)]`). */
static bool may_move(cg_gfn *f, const ir_expr *e) {
    return f->move_local && e == f->move_expr && f->local_owned[f->move_local->id];
}

/* The first operand of a consuming op (list +, str +, dict |): when it is the local being
 * reassigned by the enclosing statement (`acc = acc + [v]`) and nothing else reads it, move the
 * local's reference into the op so a unique value is reused in place (amortised O(1) append). */
static cg_val consumable_first(cg_gfn *f, const ir_expr *e) {
    const ir_expr *a = e->args[0];
    bool ok = may_move(f, e);
    f->move_expr = NULL;
    for (int32_t i = 1; ok && i < e->nargs; i++) ok = !uses_local(e->args[i], f->move_local);
    if (ok && a->kind == IR_E_LOCAL && a->local == f->move_local) {
        LLVMValueRef sl = f->local_slot[a->local->id];
        LLVMValueRef v = LLVMBuildLoad2(B, S->t_ptr, sl, "moved");
        LLVMBuildStore(B, LLVMConstNull(S->t_ptr), sl);
        f->move_local = NULL;
        return cg_owned(f, v, a->type);
    }
    if (ok) f->move_expr = a; /* `acc + [a] + [b]`: the inner + may take acc over */
    cg_val r = cg_expr(f, a);
    f->move_expr = NULL;
    return r;
}

/* ---- fused list concatenation: `x[:i] + [v] + x[i + 1:]` in one rt_list_splice ---------------- */

enum { SPLICE_MAX = 16 }; /* pieces per call (runtime SPLICE_PIECES) */

/* A slice whose step is absent or a nonzero constant: computing it cannot raise, so it may be
 * computed after the operands to its right are evaluated. */
static bool quiet_slice(const ir_expr *x) {
    if (x->kind != IR_E_OP || x->op != IR_OP_LIST_SLICE) return false;
    const ir_expr *st = x->nargs > 3 ? x->args[3] : NULL;
    return !st || (st->kind == IR_E_INT && st->ival != 0);
}

/* The operands of a left-nested chain of list `+` (`a + b + c`), when it is worth fusing: at most
 * SPLICE_MAX pieces (a list literal counts one per element), at least one slice, and every slice
 * quiet. Returns the number of leaves, 0 if not. */
static int splice_leaves(const ir_expr *e, const ir_expr **leaves) {
    const ir_expr *right[SPLICE_MAX];
    int n = 0;
    while (e->kind == IR_E_OP && e->op == IR_OP_LIST_CONCAT && e->nargs == 2) {
        if (n == SPLICE_MAX - 1) return 0;
        right[n++] = e->args[1];
        e = e->args[0];
    }
    if (n == 0) return 0;
    leaves[0] = e;
    for (int i = 0; i < n; i++) leaves[i + 1] = right[n - 1 - i];
    int pieces = 0, slices = 0;
    for (int i = 0; i <= n; i++) {
        const ir_expr *x = leaves[i];
        if (x->kind == IR_E_OP && x->op == IR_OP_LIST_SLICE && !quiet_slice(x)) return 0;
        slices += quiet_slice(x);
        pieces += x->kind == IR_E_LIST ? x->nargs : 1;
    }
    return slices && pieces <= SPLICE_MAX ? n + 1 : 0;
}

static void store_piece(cg_gfn *f, LLVMValueRef arr, int k, int field, LLVMValueRef v) {
    LLVMValueRef idx = i64c(f, 4 * k + field);
    LLVMBuildStore(B, v, LLVMBuildGEP2(B, S->t_i64, arr, &idx, 1, ""));
}

/* One piece of a fused concatenation as evaluated: a single element (v) or a slice of xs. */
typedef struct piece {
    LLVMValueRef xs, lo, hi, v; /* lo/hi NULL when absent; v: the element's slot (xs NULL) */
    int64_t step;
    bool self; /* a slice of the local being reassigned */
} piece;

/* The shapes of the rebuilt list that keep its length and can be written into a unique list in
 * place with a few stores, recognised by their pieces (the bounds are compared at run time):
 *   SET   x[:i] + [v] + x[j:]          j == i + 1, 0 <= i < len: x[i] = v
 *   FLIP  x[k::-1] + x[j:]             j == k + 1, 0 <= k < len: reverse x[0..k]
 *   SHIFT x[1:j] + [v] + x[j2:]        j2 == j, 1 <= j <= len:   x[0..j-1) = x[1..j), x[j-1] = v */
enum { SHAPE_NONE, SHAPE_SET, SHAPE_FLIP, SHAPE_SHIFT };

static int splice_shape(const piece *p, int n) {
    if (!p[0].self || !p[n - 1].self || p[n - 1].hi || !p[n - 1].lo || p[n - 1].step != 1) return SHAPE_NONE;
    if (n == 2 && p[0].step == -1 && p[0].lo && !p[0].hi) return SHAPE_FLIP;
    if (n != 3 || p[1].xs || p[0].step != 1 || !p[0].hi) return SHAPE_NONE;
    return p[0].lo ? SHAPE_SHIFT : SHAPE_SET;
}

/* The in-place rewrite of `shape` into the unique list x when the run-time bounds fit; branches to
 * `fast` after it, or to `slow` (the general rt_list_splice) when they do not. */
static void splice_in_place(cg_gfn *f, int shape, const piece *p, LLVMValueRef x, LLVMBasicBlockRef fast,
                            LLVMBasicBlockRef slow) {
    LLVMValueRef len = cg_load_field(f, x, 8, S->t_i64), one = i64c(f, 1), ok;
    LLVMValueRef a = shape == SHAPE_SHIFT ? p[0].hi : p[0].hi ? p[0].hi : p[0].lo; /* i, k or j */
    LLVMValueRef next = shape == SHAPE_SHIFT ? a : LLVMBuildAdd(B, a, one, "");
    ok = LLVMBuildICmp(B, LLVMIntEQ, p[shape == SHAPE_FLIP ? 1 : 2].lo, next, "");
    if (shape == SHAPE_SHIFT) {
        ok = LLVMBuildAnd(B, ok, LLVMBuildICmp(B, LLVMIntEQ, p[0].lo, one, ""), "");
        ok = LLVMBuildAnd(B, ok, LLVMBuildICmp(B, LLVMIntSGE, a, one, ""), "");
        ok = LLVMBuildAnd(B, ok, LLVMBuildICmp(B, LLVMIntSLE, a, len, ""), "");
    } else {
        ok = LLVMBuildAnd(B, ok, LLVMBuildICmp(B, LLVMIntULT, a, len, ""), ""); /* 0 <= a < len */
    }
    LLVMBasicBlockRef body = cg_block(&f->base, "splice.inplace");
    LLVMBuildCondBr(B, ok, body, slow);
    LLVMPositionBuilderAtEnd(B, body);
    LLVMValueRef data = cg_load_field(f, x, 24, S->t_ptr);
    if (shape == SHAPE_SET) {
        LLVMBuildStore(B, p[1].v, LLVMBuildGEP2(B, S->t_i64, data, &a, 1, ""));
        LLVMBuildBr(B, fast);
        return;
    }
    if (shape == SHAPE_SHIFT) {
        LLVMValueRef last = LLVMBuildSub(B, a, one, "");
        LLVMValueRef src = LLVMBuildGEP2(B, S->t_i64, data, &one, 1, "");
        LLVMBuildMemMove(B, data, 8, src, 8, LLVMBuildMul(B, last, i64c(f, 8), ""));
        LLVMBuildStore(B, p[1].v, LLVMBuildGEP2(B, S->t_i64, data, &last, 1, ""));
        LLVMBuildBr(B, fast);
        return;
    }
    /* FLIP: swap data[lo] and data[hi] while lo < hi, from 0 and k */
    LLVMBasicBlockRef head = LLVMGetInsertBlock(B), loop = cg_block(&f->base, "flip.loop");
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSGT, a, i64c(f, 0), ""), loop, fast);
    LLVMPositionBuilderAtEnd(B, loop);
    LLVMValueRef lo = LLVMBuildPhi(B, S->t_i64, "lo"), hi = LLVMBuildPhi(B, S->t_i64, "hi");
    LLVMValueRef plo = LLVMBuildGEP2(B, S->t_i64, data, &lo, 1, ""), phi_ = LLVMBuildGEP2(B, S->t_i64, data, &hi, 1, "");
    LLVMValueRef vlo = LLVMBuildLoad2(B, S->t_i64, plo, ""), vhi = LLVMBuildLoad2(B, S->t_i64, phi_, "");
    LLVMBuildStore(B, vhi, plo);
    LLVMBuildStore(B, vlo, phi_);
    LLVMValueRef lo2 = LLVMBuildAdd(B, lo, one, ""), hi2 = LLVMBuildSub(B, hi, one, "");
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(B);
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSLT, lo2, hi2, ""), loop, fast);
    LLVMValueRef lo_in[2] = {i64c(f, 0), lo2}, hi_in[2] = {a, hi2};
    LLVMBasicBlockRef from[2] = {head, cur};
    LLVMAddIncoming(lo, lo_in, from, 2);
    LLVMAddIncoming(hi, hi_in, from, 2);
}

static cg_val list_splice(cg_gfn *f, const ir_expr *e, const ir_expr **leaves, int nleaves) {
    bool move = may_move(f, e);
    const ir_local *self = move ? f->move_local : NULL;
    f->move_expr = NULL;
    const ir_type *et = e->type->elems[0];
    LLVMValueRef arr = cg_alloca(&f->base, LLVMArrayType(S->t_i64, 4 * SPLICE_MAX), "pieces");
    cg_val held[SPLICE_MAX];
    const ir_type *held_t[SPLICE_MAX];
    piece pc[SPLICE_MAX];
    int nheld = 0, k = 0;
    for (int i = 0; i < nleaves; i++) {
        const ir_expr *x = leaves[i];
        if (x->kind == IR_E_LIST) {
            for (int32_t j = 0; j < x->nargs; j++, k++) {
                cg_val el = cg_expr(f, x->args[j]);
                pc[k] = (piece){.v = slot(f, el.v, et)};
                store_piece(f, arr, k, 0, LLVMConstNull(S->t_ptr));
                store_piece(f, arr, k, 1, pc[k].v);
                held_t[nheld] = et;
                held[nheld++] = el;
            }
            continue;
        }
        bool sl = quiet_slice(x);
        cg_val xs = cg_expr(f, sl ? x->args[0] : x);
        cg_val lo = sl && x->args[1] ? cg_expr(f, x->args[1]) : cg_borrowed(NULL);
        cg_val hi = sl && x->args[2] ? cg_expr(f, x->args[2]) : cg_borrowed(NULL);
        const ir_expr *step = sl && x->nargs > 3 ? x->args[3] : NULL;
        pc[k] = (piece){.xs = xs.v, .lo = lo.v, .hi = hi.v, .step = step ? step->ival : 1,
                        .self = sl && self && x->args[0]->kind == IR_E_LOCAL && x->args[0]->local == self};
        store_piece(f, arr, k, 0, xs.v);
        store_piece(f, arr, k, 1, opt_idx(f, &lo));
        store_piece(f, arr, k, 2, opt_idx(f, &hi));
        store_piece(f, arr, k, 3, i64c(f, pc[k].step));
        k++;
        held_t[nheld] = x->type;
        held[nheld++] = xs;
    }
    /* every operand is evaluated: the reassigned local's old value is dead, its storage reusable */
    LLVMValueRef reuse = LLVMConstNull(S->t_ptr);
    if (move) {
        LLVMValueRef sl = f->local_slot[f->move_local->id];
        reuse = LLVMBuildLoad2(B, S->t_ptr, sl, "reuse");
        LLVMBuildStore(B, LLVMConstNull(S->t_ptr), sl);
        f->move_local = NULL;
    }
    int shape = move && !cg_is_obj(et) ? splice_shape(pc, k) : SHAPE_NONE;
    LLVMBasicBlockRef fast = NULL, slow = NULL, join = NULL;
    if (shape != SHAPE_NONE) {
        /* a unique scalar list rebuilt in one of the in-place shapes: a few stores, no call */
        fast = cg_block(&f->base, "splice.fast");
        slow = cg_block(&f->base, "splice.slow");
        join = cg_block(&f->base, "splice.done");
        LLVMBasicBlockRef uniq = cg_block(&f->base, "splice.unique");
        LLVMBuildCondBr(B, LLVMBuildIsNull(B, reuse, ""), slow, uniq);
        LLVMPositionBuilderAtEnd(B, uniq);
        LLVMValueRef rc = LLVMBuildLoad2(B, S->t_i32, reuse, "rc");
        LLVMBasicBlockRef check = cg_block(&f->base, "splice.check");
        LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, rc, LLVMConstInt(S->t_i32, 1, 0), ""), check, slow);
        LLVMPositionBuilderAtEnd(B, check);
        splice_in_place(f, shape, pc, reuse, fast, slow);
        LLVMPositionBuilderAtEnd(B, fast);
        LLVMBuildBr(B, join);
        LLVMPositionBuilderAtEnd(B, slow);
    }
    LLVMValueRef args[5] = {CTX, reuse, desc(f, e->type), i64c(f, k), arr};
    line(f, e);
    LLVMValueRef rv = rt(f, "rt_list_splice", args, 5);
    if (shape != SHAPE_NONE) {
        LLVMBasicBlockRef slow_end = LLVMGetInsertBlock(B);
        LLVMBuildBr(B, join);
        LLVMPositionBuilderAtEnd(B, join);
        LLVMValueRef phi = LLVMBuildPhi(B, S->t_ptr, "spliced");
        LLVMValueRef in[2] = {reuse, rv};
        LLVMBasicBlockRef from[2] = {fast, slow_end};
        LLVMAddIncoming(phi, in, from, 2);
        rv = phi;
    }
    cg_val r = cg_owned(f, rv, e->type);
    while (nheld > 0) {
        nheld--;
        cg_release(f, &held[nheld], held_t[nheld]);
    }
    return r;
}

static cg_val op(cg_gfn *f, const ir_expr *e) {
    cg_val v[16];
    if (e->nargs > 16) {
        cg_fail(f->g, "codegen: too many arguments to %s", ir_op_name(e->op));
        return cg_borrowed(LLVMGetUndef(cg_ltype(f->g, e->type)));
    }
    if (e->op == IR_OP_LIST_CONCAT) {
        const ir_expr *leaves[SPLICE_MAX];
        int n = splice_leaves(e, leaves);
        if (n) return list_splice(f, e, leaves, n);
    }
    bool consuming = e->op == IR_OP_LIST_CONCAT || e->op == IR_OP_STR_CONCAT || e->op == IR_OP_DICT_MERGE;
    if (consuming) {
        v[0] = consumable_first(f, e);
        for (int32_t i = 1; i < e->nargs; i++) v[i] = cg_expr(f, e->args[i]);
    } else if (e->op != IR_OP_MIN && e->op != IR_OP_MAX) {
        eval_args(f, e, v);
    }
    const ir_type *t0 = e->nargs > 0 && e->args[0] ? e->args[0]->type : NULL;
    cg_val r = cg_borrowed(NULL);
    if (e->op >= IR_OP_RANDOM_SEED && e->op <= IR_OP_RANDOM_CHOICE) f->g->uses_random = true;
    LLVMValueRef a0 = e->nargs > 0 ? v[0].v : NULL, a1 = e->nargs > 1 ? v[1].v : NULL;
    line(f, e);
    switch (e->op) {
    case IR_OP_PRINT: print_op(f, e, v); r = cg_borrowed(i64c(f, 0)); break;
    case IR_OP_LEN:
        LLVMValueRef plen, pdata;
        if (t0->kind == IR_T_TUPLE) r = cg_borrowed(i64c(f, t0->n));
        else if (cg_param_list(f, e->args[0], &plen, &pdata)) r = cg_borrowed(plen);
        else r = cg_borrowed(cg_load_field(f, a0, t0->kind == IR_T_STR ? 16 : 8, S->t_i64));
        break;
    case IR_OP_ABS:
        if (t0->kind == IR_T_FLOAT) r = cg_borrowed(intrinsic1(f, "llvm.fabs", a0));
        else {
            LLVMValueRef args[2] = {CTX, a0};
            r = cg_borrowed(rt(f, "rt_int_abs", args, 2));
        }
        break;
    case IR_OP_ROUND:
        if (t0->kind == IR_T_INT && e->nargs == 1) r = cg_borrowed(a0);
        else if (t0->kind == IR_T_INT) {
            LLVMValueRef args[3] = {CTX, a0, a1};
            r = cg_borrowed(rt(f, "rt_int_round_n", args, 3));
        } else if (e->nargs == 1 || !a1) {
            LLVMValueRef args[2] = {CTX, a0};
            r = cg_borrowed(rt(f, "rt_float_round", args, 2));
        } else {
            LLVMValueRef args[3] = {CTX, a0, a1};
            r = cg_borrowed(rt(f, "rt_float_round_n", args, 3));
        }
        break;
    case IR_OP_MIN:
    case IR_OP_MAX: return minmax_values(f, e);
    case IR_OP_INT:
        switch (t0->kind) {
        case IR_T_INT: r = cg_borrowed(a0); break;
        case IR_T_BOOL: r = cg_borrowed(LLVMBuildZExt(B, a0, S->t_i64, "")); break;
        case IR_T_FLOAT: {
            LLVMValueRef args[2] = {CTX, a0};
            r = cg_borrowed(rt(f, "rt_float_to_int", args, 2));
            break;
        }
        default: {
            LLVMValueRef args[2] = {CTX, a0};
            r = cg_borrowed(rt(f, "rt_str_to_int", args, 2));
            break;
        }
        }
        break;
    case IR_OP_FLOAT:
        switch (t0->kind) {
        case IR_T_FLOAT: r = cg_borrowed(a0); break;
        case IR_T_BOOL: r = cg_borrowed(LLVMBuildUIToFP(B, a0, S->t_f64, "")); break;
        case IR_T_INT: r = cg_borrowed(LLVMBuildSIToFP(B, a0, S->t_f64, "")); break;
        default: {
            LLVMValueRef args[2] = {CTX, a0};
            r = cg_borrowed(rt(f, "rt_str_to_float", args, 2));
            break;
        }
        }
        break;
    case IR_OP_STR:
        if (t0->kind == IR_T_STR) {
            r = cg_owned(f, cg_take(f, &v[0], t0), e->type);
        } else if (t0->kind == IR_T_INT) {
            LLVMValueRef args[2] = {CTX, a0};
            r = rt_obj(f, e, "rt_str_from_int", args, 2);
        } else {
            LLVMValueRef args[3] = {CTX, slot(f, a0, t0), desc(f, t0)};
            r = rt_obj(f, e, "rt_to_str", args, 3);
        }
        break;
    case IR_OP_REPR: {
        LLVMValueRef args[3] = {CTX, slot(f, a0, t0), desc(f, t0)};
        r = rt_obj(f, e, "rt_repr", args, 3);
        break;
    }
    case IR_OP_FORMAT: {
        LLVMValueRef args[4] = {CTX, slot(f, a0, t0), desc(f, t0), opt_str(f, &v[1])};
        r = rt_obj(f, e, "rt_format", args, 4);
        break;
    }
    case IR_OP_STR_BUILD: {
        LLVMTypeRef at = LLVMArrayType(S->t_ptr, (unsigned)(e->nargs ? e->nargs : 1));
        LLVMValueRef parts = cg_alloca(&f->base, at, "parts");
        for (int32_t i = 0; i < e->nargs; i++) {
            LLVMValueRef idx[2] = {i64c(f, 0), i64c(f, i)};
            LLVMBuildStore(B, cg_take(f, &v[i], e->args[i]->type), LLVMBuildGEP2(B, at, parts, idx, 2, ""));
        }
        LLVMValueRef args[3] = {CTX, i64c(f, e->nargs), parts};
        r = rt_obj(f, e, "rt_str_concat_n", args, 3);
        break;
    }
    case IR_OP_STR_CONCAT:
    case IR_OP_LIST_CONCAT:
    case IR_OP_DICT_MERGE: { /* consume the first operand (reused in place when unique) */
        LLVMValueRef args[3] = {CTX, cg_take(f, &v[0], t0), a1};
        const char *fn = e->op == IR_OP_STR_CONCAT    ? "rt_str_concat"
                         : e->op == IR_OP_LIST_CONCAT ? "rt_list_concat"
                                                      : "rt_dict_merge";
        r = rt_obj(f, e, fn, args, 3);
        break;
    }
    case IR_OP_STR_REPEAT:
    case IR_OP_LIST_REPEAT: {
        LLVMValueRef args[3] = {CTX, a0, a1};
        r = rt_obj(f, e, e->op == IR_OP_STR_REPEAT ? "rt_str_repeat" : "rt_list_repeat", args, 3);
        break;
    }
    case IR_OP_STR_INDEX: {
        LLVMValueRef args[3] = {CTX, a0, a1};
        r = rt_obj(f, e, "rt_str_index", args, 3);
        break;
    }
    case IR_OP_STR_SLICE:
    case IR_OP_LIST_SLICE: {
        LLVMValueRef args[5] = {CTX, a0, opt_idx(f, &v[1]), opt_idx(f, &v[2]), v[3].v ? v[3].v : i64c(f, 1)};
        r = rt_obj(f, e, e->op == IR_OP_STR_SLICE ? "rt_str_slice" : "rt_list_slice", args, 5);
        break;
    }
    case IR_OP_STR_CONTAINS: {
        LLVMValueRef args[2] = {a0, a1};
        r = cg_borrowed(i64_to_bool(f, rt(f, "rt_str_contains", args, 2)));
        break;
    }
    case IR_OP_STR_SPLIT: {
        LLVMValueRef args[4] = {CTX, a0, opt_str(f, &v[1]), i64c(f, -1)};
        r = rt_obj(f, e, "rt_str_split", args, 4);
        break;
    }
    case IR_OP_STR_JOIN: {
        LLVMValueRef args[3] = {CTX, a0, a1};
        r = rt_obj(f, e, "rt_str_join", args, 3);
        break;
    }
    case IR_OP_STR_STRIP:
    case IR_OP_STR_LSTRIP:
    case IR_OP_STR_RSTRIP: {
        LLVMValueRef args[3] = {CTX, a0, e->nargs > 1 ? opt_str(f, &v[1]) : LLVMConstNull(S->t_ptr)};
        const char *fn = e->op == IR_OP_STR_STRIP ? "rt_str_strip" : e->op == IR_OP_STR_LSTRIP ? "rt_str_lstrip" : "rt_str_rstrip";
        r = rt_obj(f, e, fn, args, 3);
        break;
    }
    case IR_OP_STR_REPLACE: {
        LLVMValueRef args[4] = {CTX, a0, a1, v[2].v};
        r = rt_obj(f, e, "rt_str_replace", args, 4);
        break;
    }
    case IR_OP_STR_STARTSWITH:
    case IR_OP_STR_ENDSWITH: {
        LLVMValueRef args[2] = {a0, a1};
        r = cg_borrowed(i64_to_bool(f, rt(f, e->op == IR_OP_STR_STARTSWITH ? "rt_str_startswith" : "rt_str_endswith", args, 2)));
        break;
    }
    case IR_OP_STR_FIND: {
        LLVMValueRef args[2] = {a0, a1};
        r = cg_borrowed(rt(f, "rt_str_find", args, 2));
        break;
    }
    case IR_OP_STR_UPPER:
    case IR_OP_STR_LOWER: {
        LLVMValueRef args[2] = {CTX, a0};
        r = rt_obj(f, e, e->op == IR_OP_STR_UPPER ? "rt_str_upper" : "rt_str_lower", args, 2);
        break;
    }
    case IR_OP_STR_FIND_RANGE:
    case IR_OP_STR_RFIND:
    case IR_OP_STR_COUNT_RANGE: {
        LLVMValueRef args[4] = {a0, a1, e->nargs > 2 ? opt_idx(f, &v[2]) : i64c(f, PF_NONE_IDX),
                                e->nargs > 3 ? opt_idx(f, &v[3]) : i64c(f, PF_NONE_IDX)};
        const char *fn = e->op == IR_OP_STR_FIND_RANGE ? "rt_str_find_range"
                         : e->op == IR_OP_STR_RFIND    ? "rt_str_rfind_range"
                                                       : "rt_str_count_range";
        r = cg_borrowed(rt(f, fn, args, 4));
        break;
    }
    case IR_OP_STR_COUNT: {
        LLVMValueRef args[2] = {a0, a1};
        r = cg_borrowed(rt(f, "rt_str_count", args, 2));
        break;
    }
    case IR_OP_STR_INDEX_OF: {
        LLVMValueRef args[3] = {CTX, a0, a1};
        r = cg_borrowed(rt(f, "rt_str_index_of", args, 3));
        break;
    }
    case IR_OP_STR_REPLACE_N: {
        LLVMValueRef args[5] = {CTX, a0, a1, v[2].v, v[3].v};
        r = rt_obj(f, e, "rt_str_replace_n", args, 5);
        break;
    }
    case IR_OP_STR_SPLIT_N:
    case IR_OP_STR_RSPLIT: {
        LLVMValueRef args[4] = {CTX, a0, e->nargs > 1 ? opt_str(f, &v[1]) : LLVMConstNull(S->t_ptr),
                                e->nargs > 2 && v[2].v ? v[2].v : i64c(f, -1)};
        r = rt_obj(f, e, e->op == IR_OP_STR_SPLIT_N ? "rt_str_split" : "rt_str_rsplit", args, 4);
        break;
    }
    case IR_OP_STR_SPLITLINES:
    case IR_OP_STR_CAPITALIZE:
    case IR_OP_STR_TITLE: {
        LLVMValueRef args[2] = {CTX, a0};
        const char *fn = e->op == IR_OP_STR_SPLITLINES ? "rt_str_splitlines"
                         : e->op == IR_OP_STR_CAPITALIZE ? "rt_str_capitalize"
                                                         : "rt_str_title";
        r = rt_obj(f, e, fn, args, 2);
        break;
    }
    case IR_OP_STR_ISDIGIT:
    case IR_OP_STR_ISALPHA:
    case IR_OP_STR_ISSPACE:
    case IR_OP_STR_ISALNUM:
    case IR_OP_STR_ISUPPER:
    case IR_OP_STR_ISLOWER: {
        const char *fn = e->op == IR_OP_STR_ISDIGIT   ? "rt_str_isdigit"
                         : e->op == IR_OP_STR_ISALPHA ? "rt_str_isalpha"
                         : e->op == IR_OP_STR_ISSPACE ? "rt_str_isspace"
                         : e->op == IR_OP_STR_ISALNUM ? "rt_str_isalnum"
                         : e->op == IR_OP_STR_ISUPPER ? "rt_str_isupper"
                                                      : "rt_str_islower";
        r = cg_borrowed(i64_to_bool(f, rt(f, fn, &a0, 1)));
        break;
    }
    case IR_OP_STR_ZFILL: {
        LLVMValueRef args[3] = {CTX, a0, a1};
        r = rt_obj(f, e, "rt_str_zfill", args, 3);
        break;
    }
    case IR_OP_STR_CENTER:
    case IR_OP_STR_LJUST:
    case IR_OP_STR_RJUST: {
        LLVMValueRef args[4] = {CTX, a0, a1, e->nargs > 2 ? opt_str(f, &v[2]) : LLVMConstNull(S->t_ptr)};
        const char *fn = e->op == IR_OP_STR_CENTER ? "rt_str_center"
                         : e->op == IR_OP_STR_LJUST ? "rt_str_ljust"
                                                    : "rt_str_rjust";
        r = rt_obj(f, e, fn, args, 4);
        break;
    }
    case IR_OP_STR_REMOVEPREFIX:
    case IR_OP_STR_REMOVESUFFIX: {
        LLVMValueRef args[3] = {CTX, a0, a1};
        r = rt_obj(f, e, e->op == IR_OP_STR_REMOVEPREFIX ? "rt_str_removeprefix" : "rt_str_removesuffix", args, 3);
        break;
    }
    case IR_OP_LIST_INDEX: {
        LLVMValueRef plen = NULL, pdata = NULL;
        cg_param_list(f, e->args[0], &plen, &pdata);
        LLVMValueRef el = cg_from_slot(f, list_index(f, a0, a1, plen, pdata), e->type);
        r = from_container(f, &v[0], t0, el, e->type);
        v[0].owned = false; /* released by from_container */
        break;
    }
    case IR_OP_LIST_CONTAINS: {
        LLVMValueRef args[3] = {CTX, a0, slot(f, a1, e->args[1]->type)};
        r = cg_borrowed(i64_to_bool(f, rt(f, "rt_list_contains", args, 3)));
        break;
    }
    case IR_OP_LIST_FIND:
    case IR_OP_LIST_COUNT: {
        LLVMValueRef args[3] = {CTX, a0, slot(f, a1, e->args[1]->type)};
        r = cg_borrowed(rt(f, e->op == IR_OP_LIST_FIND ? "rt_list_index" : "rt_list_count", args, 3));
        break;
    }
    case IR_OP_LIST_REVERSED: {
        LLVMValueRef args[2] = {CTX, cg_take(f, &v[0], t0)};
        r = rt_obj(f, e, "rt_list_reversed", args, 2);
        break;
    }
    case IR_OP_TUPLE_INDEX: {
        LLVMValueRef args[3] = {CTX, a0, a1};
        LLVMValueRef el = cg_from_slot(f, rt(f, "rt_tuple_get", args, 3), e->type);
        r = from_container(f, &v[0], t0, el, e->type);
        v[0].owned = false;
        break;
    }
    case IR_OP_TUPLE_CONTAINS: r = cg_borrowed(contains(f, a1, e->args[1]->type, a0, t0)); break;
    case IR_OP_DICT_GETITEM:
    case IR_OP_DICT_GET: {
        LLVMValueRef el;
        if (e->op == IR_OP_DICT_GETITEM) {
            LLVMValueRef args[3] = {CTX, a0, slot(f, a1, e->args[1]->type)};
            el = cg_from_slot(f, rt(f, "rt_dict_getitem", args, 3), e->type);
        } else {
            LLVMValueRef args[4] = {CTX, a0, slot(f, a1, e->args[1]->type), slot(f, v[2].v, e->args[2]->type)};
            el = cg_from_slot(f, rt(f, "rt_dict_get", args, 4), e->type);
        }
        /* borrowed from the dict or the default: own it before any operand is released */
        cg_incref(f, el, e->type);
        r = cg_owned(f, el, e->type);
        break;
    }
    case IR_OP_DICT_GET_OPT: {
        const ir_type *vt = e->type->elems[0];
        LLVMValueRef args[3] = {CTX, a0, slot(f, a1, e->args[1]->type)};
        LLVMValueRef pos = rt(f, "rt_dict_find", args, 3);
        LLVMValueRef res = cg_alloca(&f->base, S->t_ptr, "dget");
        LLVMBuildStore(B, LLVMConstNull(S->t_ptr), res);
        LLVMBasicBlockRef found = cg_block(&f->base, "dget.found"), done = cg_block(&f->base, "dget.done");
        LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSGE, pos, i64c(f, 0), ""), found, done);
        LLVMPositionBuilderAtEnd(B, found);
        LLVMValueRef ents = cg_load_field(f, a0, 24, S->t_ptr);
        LLVMValueRef off = LLVMBuildAdd(B, LLVMBuildMul(B, pos, i64c(f, 24), ""), i64c(f, 16), "");
        LLVMValueRef sv = LLVMBuildLoad2(B, S->t_i64, LLVMBuildGEP2(B, S->t_i8, ents, &off, 1, ""), "");
        if (cg_is_scalar(vt)) {
            LLVMValueRef bargs[2] = {CTX, sv};
            LLVMBuildStore(B, rt(f, "rt_box_new", bargs, 2), res);
        } else {
            LLVMValueRef p = cg_from_slot(f, sv, vt);
            cg_incref(f, p, vt);
            LLVMBuildStore(B, p, res);
        }
        LLVMBuildBr(B, done);
        LLVMPositionBuilderAtEnd(B, done);
        r = cg_owned(f, LLVMBuildLoad2(B, S->t_ptr, res, ""), e->type);
        break;
    }
    case IR_OP_DICT_CONTAINS: {
        LLVMValueRef args[3] = {CTX, a0, slot(f, a1, e->args[1]->type)};
        r = cg_borrowed(i64_to_bool(f, rt(f, "rt_dict_contains", args, 3)));
        break;
    }
    case IR_OP_DICT_KEYS:
    case IR_OP_DICT_VALUES:
    case IR_OP_DICT_ITEMS: {
        LLVMValueRef args[3] = {CTX, a0, desc(f, e->type)};
        const char *fn = e->op == IR_OP_DICT_KEYS ? "rt_dict_keys" : e->op == IR_OP_DICT_VALUES ? "rt_dict_values" : "rt_dict_items";
        r = rt_obj(f, e, fn, args, 3);
        break;
    }
    case IR_OP_RANGE_LIST: {
        LLVMValueRef args[4] = {CTX, a0, a1, v[2].v ? v[2].v : i64c(f, 1)};
        r = rt_obj(f, e, "rt_list_range", args, 4);
        break;
    }
    case IR_OP_CHR: {
        LLVMValueRef args[2] = {CTX, a0};
        r = rt_obj(f, e, "pf_chr", args, 2);
        break;
    }
    case IR_OP_ORD: {
        LLVMValueRef args[2] = {CTX, a0};
        r = cg_borrowed(rt(f, "pf_ord", args, 2));
        break;
    }
    case IR_OP_MATH_GCD: {
        LLVMValueRef args[3] = {CTX, a0, a1};
        r = cg_borrowed(rt(f, "pf_math_gcd", args, 3));
        break;
    }
    case IR_OP_TIME_TIME:
    case IR_OP_TIME_PERF: {
        LLVMValueRef args[1] = {CTX};
        r = cg_borrowed(rt(f, e->op == IR_OP_TIME_TIME ? "pf_time_time" : "pf_time_perf_counter", args, 1));
        break;
    }
    case IR_OP_PF_THREADS: {
        /* rt_threads(rt_ctx_runtime(ctx)), 1 for a standalone context */
        LLVMValueRef rtp = rt(f, "rt_ctx_runtime", &CTX, 1);
        LLVMValueRef res = cg_alloca(&f->base, S->t_i64, "threads");
        LLVMBuildStore(B, i64c(f, 1), res);
        LLVMBasicBlockRef has = cg_block(&f->base, "threads.rt"), done = cg_block(&f->base, "threads.done");
        LLVMBuildCondBr(B, LLVMBuildIsNotNull(B, rtp, ""), has, done);
        LLVMPositionBuilderAtEnd(B, has);
        LLVMBuildStore(B, LLVMBuildSExt(B, rt(f, "rt_threads", &rtp, 1), S->t_i64, ""), res);
        LLVMBuildBr(B, done);
        LLVMPositionBuilderAtEnd(B, done);
        r = cg_borrowed(LLVMBuildLoad2(B, S->t_i64, res, ""));
        break;
    }
    case IR_OP_SYS_ARGV: r = rt_obj(f, e, "pf_sys_argv", &CTX, 1); break;
    case IR_OP_RANDOM_SEED: {
        LLVMValueRef args[2] = {f->g->rng, a0};
        rt(f, "pf_random_seed", args, 2);
        r = cg_borrowed(i64c(f, 0));
        break;
    }
    case IR_OP_RANDOM_RANDOM: r = cg_borrowed(rt(f, "pf_random_random", &f->g->rng, 1)); break;
    case IR_OP_RANDOM_RANDINT: {
        LLVMValueRef args[4] = {CTX, f->g->rng, a0, a1};
        r = cg_borrowed(rt(f, "pf_random_randint", args, 4));
        break;
    }
    case IR_OP_RANDOM_UNIFORM:
    case IR_OP_RANDOM_GAUSS: {
        LLVMValueRef args[3] = {f->g->rng, a0, a1};
        r = cg_borrowed(rt(f, e->op == IR_OP_RANDOM_UNIFORM ? "pf_random_uniform" : "pf_random_gauss", args, 3));
        break;
    }
    case IR_OP_RANDOM_CHOICE: {
        LLVMValueRef args[3] = {CTX, f->g->rng, cg_load_field(f, a0, 8, S->t_i64)};
        LLVMValueRef idx = rt(f, "pf_random_choice_index", args, 3);
        LLVMValueRef data = cg_load_field(f, a0, 24, S->t_ptr);
        LLVMValueRef sv = LLVMBuildLoad2(B, S->t_i64, LLVMBuildGEP2(B, S->t_i64, data, &idx, 1, ""), "");
        r = from_container(f, &v[0], t0, cg_from_slot(f, sv, e->type), e->type);
        v[0].owned = false;
        break;
    }
    case IR_OP_EXC_STR: {
        LLVMValueRef args[2] = {CTX, a0};
        r = rt_obj(f, e, "rt_exc_str", args, 2);
        break;
    }
    default:
        if (e->op >= IR_OP_MATH_SQRT && e->op <= IR_OP_MATH_GCD) {
            r = cg_borrowed(math_op(f, e, v));
            break;
        }
        cg_fail(f->g, "codegen: builtin %s is not supported yet (line %d)", ir_op_name(e->op), e->line);
        r = cg_borrowed(LLVMGetUndef(cg_ltype(f->g, e->type)));
        break;
    }
    release_args(f, e, v);
    return r;
}

/* ---- calls and constructors ---------------------------------------------------------------------- */

/* A direct call of a specialisation: ret f(ctx, [env], args...); arguments are borrowed. */
static LLVMValueRef call_func(cg_gfn *f, const ir_func *fn, LLVMValueRef env, cg_val *v, int32_t nargs,
                              LLVMValueRef self, int line_no) {
    LLVMValueRef args[66];
    unsigned n = 0;
    args[n++] = CTX;
    if (fn->env) args[n++] = env ? env : LLVMConstNull(S->t_ptr);
    if (self) args[n++] = self;
    for (int32_t i = 0; i < nargs && n < 66; i++) args[n++] = v[i].v;
    cg_set_line(&f->base, line_no);
    LLVMValueRef r = LLVMBuildCall2(B, f->g->fn_type[fn->id], f->g->fn[fn->id], args, n, "");
    cg_check_exc(&f->base);
    return fn->ret->kind == IR_T_NONE ? i64c(f, 0) : r;
}

static cg_val call(cg_gfn *f, const ir_expr *e) {
    cg_val v[64];
    if (e->nargs > 64) {
        cg_fail(f->g, "codegen: too many arguments");
        return cg_borrowed(NULL);
    }
    cg_val env = e->env ? cg_expr(f, e->env) : cg_borrowed(NULL);
    eval_args(f, e, v);
    LLVMValueRef r = call_func(f, e->func, env.v, v, e->nargs, NULL, e->line);
    release_args(f, e, v);
    if (e->env) cg_release(f, &env, e->env->type);
    return cg_owned(f, r, e->type);
}

/* A new record (tuple or class instance) of type t with n slots, all zero. */
static LLVMValueRef new_rec(cg_gfn *f, const ir_type *t, int line_no) {
    cg_set_line(&f->base, line_no);
    LLVMValueRef args[2] = {CTX, desc(f, t)};
    return rt(f, "rt_rec_new", args, 2);
}

static cg_val construct(cg_gfn *f, const ir_expr *e) {
    LLVMValueRef rec = new_rec(f, e->type, e->line);
    for (int32_t i = 0; i < e->type->n; i++) cg_store_field(f, rec, 24 + 8 * (unsigned)i, i64c(f, 0));
    cg_val self = cg_owned(f, rec, e->type); /* released by the unwind path if __init__ raises */
    cg_val v[64];
    if (e->nargs > 64) {
        cg_fail(f->g, "codegen: too many arguments");
        return self;
    }
    eval_args(f, e, v);
    if (e->func) call_func(f, e->func, NULL, v, e->nargs, rec, e->line);
    release_args(f, e, v);
    return self;
}

static cg_val tuple(cg_gfn *f, const ir_expr *e) {
    cg_val v[64];
    if (e->nargs > 64) {
        cg_fail(f->g, "codegen: tuple too long");
        return cg_borrowed(NULL);
    }
    eval_args(f, e, v);
    LLVMValueRef rec = new_rec(f, e->type, e->line);
    for (int32_t i = 0; i < e->nargs; i++) {
        const ir_type *t = e->args[i]->type;
        cg_store_field(f, rec, 24 + 8 * (unsigned)i, slot(f, cg_take(f, &v[i], t), t));
    }
    return cg_owned(f, rec, e->type);
}

static cg_val list(cg_gfn *f, const ir_expr *e) {
    const ir_type *et = e->type->elems[0];
    line(f, e);
    LLVMValueRef args[3] = {CTX, desc(f, e->type), i64c(f, e->nargs)};
    LLVMValueRef xs = rt(f, "rt_list_new", args, 3);
    cg_val res = cg_owned(f, xs, e->type);
    for (int32_t i = 0; i < e->nargs; i++) {
        cg_val x = cg_expr(f, e->args[i]);
        LLVMValueRef data = cg_load_field(f, xs, 24, S->t_ptr);
        LLVMValueRef idx = i64c(f, i);
        LLVMBuildStore(B, slot(f, cg_take(f, &x, et), et), LLVMBuildGEP2(B, S->t_i64, data, &idx, 1, ""));
        cg_store_field(f, xs, 8, i64c(f, i + 1)); /* len counts initialised slots (unwind frees them) */
    }
    return res;
}

static cg_val dict(cg_gfn *f, const ir_expr *e) {
    const ir_type *kt = e->type->elems[0], *vt = e->type->elems[1];
    line(f, e);
    LLVMValueRef args[3] = {CTX, desc(f, e->type), i64c(f, e->nargs / 2)};
    cg_val d = cg_owned(f, rt(f, "rt_dict_new", args, 3), e->type);
    for (int32_t i = 0; i + 1 < e->nargs; i += 2) {
        cg_val k = cg_expr(f, e->args[i]);
        cg_val v = cg_expr(f, e->args[i + 1]);
        line(f, e);
        LLVMValueRef a[4] = {CTX, cg_take(f, &d, e->type), slot(f, cg_take(f, &k, kt), kt), slot(f, cg_take(f, &v, vt), vt)};
        d = cg_owned(f, rt(f, "rt_dict_set", a, 4), e->type);
    }
    return d;
}

static cg_val make_func(cg_gfn *f, const ir_expr *e) {
    if (e->type->n == 0) return cg_borrowed(LLVMConstNull(S->t_ptr));
    cg_val v[64];
    if (e->nargs > 64) {
        cg_fail(f->g, "codegen: too many captures");
        return cg_borrowed(NULL);
    }
    eval_args(f, e, v);
    line(f, e);
    LLVMValueRef args[3] = {CTX, desc(f, e->type), LLVMConstNull(S->t_ptr)};
    LLVMValueRef c = rt(f, "rt_closure_new", args, 3);
    for (int32_t i = 0; i < e->nargs; i++) {
        const ir_type *t = e->args[i]->type;
        cg_store_field(f, c, 32 + 8 * (unsigned)i, slot(f, cg_take(f, &v[i], t), t));
    }
    return cg_owned(f, c, e->type);
}

/* a and b / a or b with Python's value semantics; both branches yield an owned value. */
static cg_val and_or(cg_gfn *f, const ir_expr *e) {
    const ir_type *t = e->type;
    LLVMValueRef res = cg_alloca(&f->base, cg_ltype(f->g, t), "andor");
    LLVMValueRef ts = cg_is_obj(t) ? cg_temp_slot(f) : NULL;
    cg_val a = cg_expr(f, e->args[0]);
    LLVMValueRef tr = cg_truth(f, a.v, t);
    LLVMBasicBlockRef second = cg_block(&f->base, "andor.rhs"), first = cg_block(&f->base, "andor.lhs");
    LLVMBasicBlockRef done = cg_block(&f->base, "andor.done");
    if (e->kind == IR_E_AND)
        LLVMBuildCondBr(B, tr, second, first);
    else
        LLVMBuildCondBr(B, tr, first, second);
    LLVMPositionBuilderAtEnd(B, first);
    {
        cg_val a2 = a;
        LLVMValueRef x = cg_is_obj(t) ? cg_take(f, &a2, t) : a2.v;
        LLVMBuildStore(B, x, res);
        if (ts) LLVMBuildStore(B, x, ts);
        LLVMBuildBr(B, done);
    }
    LLVMPositionBuilderAtEnd(B, second);
    {
        cg_val a2 = a;
        cg_release(f, &a2, t);
        cg_val b = cg_expr(f, e->args[1]);
        LLVMValueRef x = cg_is_obj(t) ? cg_take(f, &b, t) : b.v;
        LLVMBuildStore(B, x, res);
        if (ts) LLVMBuildStore(B, x, ts);
        LLVMBuildBr(B, done);
    }
    LLVMPositionBuilderAtEnd(B, done);
    cg_val r = {LLVMBuildLoad2(B, cg_ltype(f->g, t), res, ""), ts, ts != NULL};
    return r;
}

static cg_val cond(cg_gfn *f, const ir_expr *e) {
    const ir_type *t = e->type;
    LLVMValueRef res = cg_alloca(&f->base, cg_ltype(f->g, t), "cond");
    LLVMValueRef ts = cg_is_obj(t) ? cg_temp_slot(f) : NULL;
    cg_val c = cg_expr(f, e->args[0]);
    LLVMBasicBlockRef yes = cg_block(&f->base, "cond.yes"), no = cg_block(&f->base, "cond.no");
    LLVMBasicBlockRef done = cg_block(&f->base, "cond.done");
    LLVMBuildCondBr(B, c.v, yes, no);
    for (int k = 0; k < 2; k++) {
        LLVMPositionBuilderAtEnd(B, k == 0 ? yes : no);
        cg_val x = cg_expr(f, e->args[k == 0 ? 1 : 2]);
        LLVMValueRef xv = cg_is_obj(t) ? cg_take(f, &x, t) : x.v;
        LLVMBuildStore(B, xv, res);
        if (ts) LLVMBuildStore(B, xv, ts);
        LLVMBuildBr(B, done);
    }
    LLVMPositionBuilderAtEnd(B, done);
    cg_val r = {LLVMBuildLoad2(B, cg_ltype(f->g, t), res, ""), ts, ts != NULL};
    return r;
}

/* ---- the expression switch (mirrors ir_expr_kind) ------------------------------------------------ */

cg_val cg_expr(cg_gfn *f, const ir_expr *e) {
    const ir_type *t = e->type;
    switch (e->kind) {
    case IR_E_INT: return cg_borrowed(i64c(f, e->ival));
    case IR_E_FLOAT: return cg_borrowed(LLVMConstReal(S->t_f64, e->fval));
    case IR_E_BOOL: return cg_borrowed(LLVMConstInt(S->t_i1, e->ival != 0, 0));
    case IR_E_NONE: return cg_borrowed(t->kind == IR_T_OPTIONAL ? LLVMConstNull(S->t_ptr) : i64c(f, 0));
    case IR_E_STR: return cg_borrowed(cg_str_const(f->g, e->str, e->slen));
    case IR_E_LOCAL:
        return cg_borrowed(LLVMBuildLoad2(B, cg_ltype(f->g, t), f->local_slot[e->local->id], e->local->name));
    case IR_E_GLOBAL: {
        /* a function called before main assigns the global (ir_global.check_defined): NameError
         * while its flag is clear, as python3 (main itself reads it only after assigning) */
        LLVMValueRef def = f->g->gdef[e->global->id];
        if (def && f->ir != f->g->mod->main) {
            char msg[160];
            snprintf(msg, sizeof msg, "name '%s' is not defined", e->global->name);
            LLVMValueRef flag = LLVMBuildLoad2(B, S->t_i8, def, "");
            raise_if(f, LLVMBuildICmp(B, LLVMIntEQ, flag, LLVMConstInt(S->t_i8, 0, 0), ""), PF_EXC_NAME, msg);
        }
        return cg_borrowed(LLVMBuildLoad2(B, cg_ltype(f->g, t), f->g->gvar[e->global->id], ""));
    }
    case IR_E_CAPTURE:
        return cg_borrowed(cg_from_slot(f, cg_load_field(f, f->env, 32 + 8 * (unsigned)e->index, S->t_i64), t));
    case IR_E_FUNC: return make_func(f, e);
    case IR_E_UNARY: {
        cg_val a = cg_expr(f, e->args[0]);
        line(f, e);
        switch (e->op) {
        case IR_OP_NEG:
            return cg_borrowed(t->kind == IR_T_FLOAT ? LLVMBuildFNeg(B, a.v, "") : cg_int_neg(&f->base, a.v));
        case IR_OP_INVERT: return cg_borrowed(LLVMBuildNot(B, a.v, ""));
        case IR_OP_NOT: return cg_borrowed(LLVMBuildNot(B, a.v, ""));
        default: cg_fail(f->g, "codegen: unary %s", ir_op_name(e->op)); return a;
        }
    }
    case IR_E_BINARY: {
        if (e->op == IR_OP_DIV && e->args[0]->kind == IR_E_CONVERT && e->args[1]->kind == IR_E_CONVERT &&
            e->args[0]->args[0]->type->kind == IR_T_INT && e->args[1]->args[0]->type->kind == IR_T_INT) {
            /* int / int: correctly rounded, and Python's "division by zero" message */
            cg_val a = cg_expr(f, e->args[0]->args[0]);
            cg_val b = cg_expr(f, e->args[1]->args[0]);
            line(f, e);
            return cg_borrowed(cg_int_truediv(&f->base, a.v, b.v));
        }
        cg_val a, b;
        if (e->args[1]->par && !f->g->no_forks) { /* issue 6: b forked while a runs (cg_par.c) */
            cg_par_operands(f, e->args[0], e->args[1], &a, &b);
        } else {
            a = cg_expr(f, e->args[0]);
            b = cg_expr(f, e->args[1]);
        }
        return cg_borrowed(binary(f, e, a.v, b.v));
    }
    case IR_E_COMPARE: return compare(f, e);
    case IR_E_AND:
    case IR_E_OR: return and_or(f, e);
    case IR_E_TRUTH: {
        cg_val a = cg_expr(f, e->args[0]);
        LLVMValueRef r = cg_truth(f, a.v, e->args[0]->type);
        cg_release(f, &a, e->args[0]->type);
        return cg_borrowed(r);
    }
    case IR_E_COND: return cond(f, e);
    case IR_E_CONVERT: {
        cg_val a = cg_expr(f, e->args[0]);
        const ir_type *from = e->args[0]->type;
        if (t->kind == IR_T_FLOAT)
            return cg_borrowed(from->kind == IR_T_BOOL ? LLVMBuildUIToFP(B, a.v, S->t_f64, "") : LLVMBuildSIToFP(B, a.v, S->t_f64, ""));
        if (t->kind == IR_T_INT && from->kind == IR_T_BOOL) return cg_borrowed(LLVMBuildZExt(B, a.v, S->t_i64, ""));
        return a;
    }
    case IR_E_WRAP: {
        const ir_type *in = e->args[0]->type;
        cg_val a = cg_expr(f, e->args[0]);
        if (in->kind == IR_T_NONE) return cg_borrowed(LLVMConstNull(S->t_ptr));
        if (!cg_is_scalar(in)) return a;
        line(f, e);
        LLVMValueRef args[2] = {CTX, slot(f, a.v, in)};
        return cg_owned(f, rt(f, "rt_box_new", args, 2), t);
    }
    case IR_E_UNWRAP: {
        cg_val a = cg_expr(f, e->args[0]);
        if (!cg_is_scalar(t)) return a;
        LLVMValueRef x = cg_from_slot(f, cg_load_field(f, a.v, 8, S->t_i64), t);
        cg_release(f, &a, e->args[0]->type);
        return cg_borrowed(x);
    }
    case IR_E_ISNONE: {
        cg_val a = cg_expr(f, e->args[0]);
        LLVMValueRef r = e->ival ? LLVMBuildIsNotNull(B, a.v, "") : LLVMBuildIsNull(B, a.v, "");
        cg_release(f, &a, e->args[0]->type);
        return cg_borrowed(r);
    }
    case IR_E_TUPLE: return tuple(f, e);
    case IR_E_LIST: return list(f, e);
    case IR_E_DICT: return dict(f, e);
    case IR_E_TUPLE_GET:
    case IR_E_FIELD: {
        cg_val part;
        if (e->kind == IR_E_TUPLE_GET && cg_comp_part(f, e->args[0], e->index, &part)) return part;
        cg_val a = cg_expr(f, e->args[0]);
        LLVMValueRef x = cg_from_slot(f, cg_load_field(f, a.v, 24 + 8 * (unsigned)e->index, S->t_i64), t);
        return from_container(f, &a, e->args[0]->type, x, t);
    }
    case IR_E_CALL: return call(f, e);
    case IR_E_NEW: return construct(f, e);
    case IR_E_OP: return op(f, e);
    case IR_E_COMP: return cg_comp(f, e);
    case IR_E_LET: {
        cg_assign_local(f, e->local, cg_expr(f, e->args[0]));
        return cg_expr(f, e->args[1]);
    }
    }
    cg_fail(f->g, "codegen: unknown expression kind %d", (int)e->kind);
    return cg_borrowed(LLVMGetUndef(cg_ltype(f->g, t)));
}
