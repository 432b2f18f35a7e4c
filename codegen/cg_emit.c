/* codegen emit helpers: the small builders every lowering uses — allocas in the entry block, runtime
 * calls derived from the RTFN table, the exception test after a call that may raise, poll points,
 * the function-entry check (stack limit and poll), and Python-exact int/float arithmetic with checked overflow
 * and a cold raise path. Each runtime interaction lives behind one named helper (STYLE.md codegen/). */
#include "codegen/cg_internal.h"
#include "runtime/value.h"

#include <stdlib.h>
#include <string.h>

static void raise_if(cg_fn *f, LLVMValueRef cond, int kind, const char *msg);

void cg_state_init(cg_state *s, LLVMContextRef c, LLVMModuleRef m) {
    memset(s, 0, sizeof *s);
    s->c = c;
    s->m = m;
    s->b = LLVMCreateBuilderInContext(c);
    s->t_void = LLVMVoidTypeInContext(c);
    s->t_i1 = LLVMInt1TypeInContext(c);
    s->t_i8 = LLVMInt8TypeInContext(c);
    s->t_i32 = LLVMInt32TypeInContext(c);
    s->t_i64 = LLVMInt64TypeInContext(c);
    s->t_f64 = LLVMDoubleTypeInContext(c);
    s->t_ptr = LLVMPointerTypeInContext(c, 0);
    /* ORDER CTX (runtime/ctx.h): poll, exc, stack_limit, stack_floor */
    LLVMTypeRef fields[4] = {s->t_i32, s->t_ptr, s->t_i64, s->t_i64};
    s->t_ctx = LLVMStructTypeInContext(c, fields, 4, 0);
    cg_rt_symbols(&s->rt_n);
    s->rt_decl = calloc(s->rt_n ? s->rt_n : 1, sizeof *s->rt_decl);
    s->rt_type = calloc(s->rt_n ? s->rt_n : 1, sizeof *s->rt_type);
}

void cg_state_dispose(cg_state *s) {
    if (s->b) LLVMDisposeBuilder(s->b);
    free(s->rt_decl);
    free(s->rt_type);
    memset(s, 0, sizeof *s);
}

/* ---- runtime declarations ------------------------------------------------------------------- */

int cg_rtfn_id(const char *name) {
    size_t n;
    const cg_rt_symbol *t = cg_rt_symbols(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0) return (int)i;
    return -1;
}

static LLVMTypeRef code_type(cg_state *s, char code) {
    switch (code) {
    case 'v': return s->t_void;
    case 'p': return s->t_ptr;
    case 'l': return s->t_i64;
    case 'i': return s->t_i32;
    case 'd': return s->t_f64;
    case 'b': return s->t_i1;
    default: return s->t_i64;
    }
}

static void add_fn_attr(cg_state *s, LLVMValueRef fn, const char *attr) {
    unsigned kind = LLVMGetEnumAttributeKindForName(attr, strlen(attr));
    if (kind) LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(s->c, kind, 0));
}

LLVMValueRef cg_rtfn(cg_state *s, int id, LLVMTypeRef *type) {
    size_t n;
    const cg_rt_symbol *t = cg_rt_symbols(&n);
    if (!s->rt_decl[id]) {
        const cg_rt_symbol *r = &t[id];
        LLVMTypeRef params[16];
        unsigned np = (unsigned)strlen(r->params);
        int vararg = np > 0 && r->params[np - 1] == '.';
        if (vararg) np--;
        for (unsigned i = 0; i < np && i < 16; i++) params[i] = code_type(s, r->params[i]);
        s->rt_type[id] = LLVMFunctionType(code_type(s, r->ret[0]), params, np, vararg);
        s->rt_decl[id] = LLVMGetNamedFunction(s->m, r->name);
        if (!s->rt_decl[id]) s->rt_decl[id] = LLVMAddFunction(s->m, r->name, s->rt_type[id]);
        add_fn_attr(s, s->rt_decl[id], "nounwind");
        if (r->flags & CG_RT_COLD) add_fn_attr(s, s->rt_decl[id], "cold");
        if (r->flags & CG_RT_PURE) {
            add_fn_attr(s, s->rt_decl[id], "willreturn");
            /* memory(none) has no C-API spelling common to LLVM 15..19: leave it to the optimiser */
        }
    }
    if (type) *type = s->rt_type[id];
    return s->rt_decl[id];
}

/* ---- blocks, slots, branches ---------------------------------------------------------------- */

LLVMValueRef cg_alloca(cg_fn *f, LLVMTypeRef t, const char *name) {
    cg_state *s = f->s;
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(s->b);
    LLVMValueRef first = LLVMGetFirstInstruction(f->entry);
    if (first)
        LLVMPositionBuilderBefore(s->b, first);
    else
        LLVMPositionBuilderAtEnd(s->b, f->entry);
    LLVMValueRef a = LLVMBuildAlloca(s->b, t, name);
    LLVMPositionBuilderAtEnd(s->b, cur);
    return a;
}

LLVMBasicBlockRef cg_block(cg_fn *f, const char *name) { return LLVMAppendBasicBlockInContext(f->s->c, f->fn, name); }

void cg_set_line(cg_fn *f, int32_t line) {
    if (f->line_slot) LLVMBuildStore(f->s->b, LLVMConstInt(f->s->t_i32, (unsigned long long)line, 0), f->line_slot);
}

/* Attaches branch weights saying the true edge is rarely taken. */
static void mark_unlikely(cg_state *s, LLVMValueRef br) {
    LLVMMetadataRef ops[3] = {
        LLVMMDStringInContext2(s->c, "branch_weights", 14),
        LLVMValueAsMetadata(LLVMConstInt(s->t_i32, 1, 0)),
        LLVMValueAsMetadata(LLVMConstInt(s->t_i32, 2000, 0)),
    };
    LLVMMetadataRef md = LLVMMDNodeInContext2(s->c, ops, 3);
    LLVMSetMetadata(br, LLVMGetMDKindIDInContext(s->c, "prof", 4), LLVMMetadataAsValue(s->c, md));
}

void cg_br_unlikely(cg_fn *f, LLVMValueRef cond, LLVMBasicBlockRef target) {
    LLVMBasicBlockRef cont = cg_block(f, "cont");
    mark_unlikely(f->s, LLVMBuildCondBr(f->s->b, cond, target, cont));
    LLVMPositionBuilderAtEnd(f->s->b, cont);
}

static LLVMValueRef ctx_field(cg_fn *f, unsigned idx) {
    return LLVMBuildStructGEP2(f->s->b, f->s->t_ctx, f->ctx, idx, "");
}

/* Guards every operation that may raise: a pending exception sends control to the unwind path. */
void cg_check_exc(cg_fn *f) {
    cg_state *s = f->s;
    LLVMValueRef exc = LLVMBuildLoad2(s->b, s->t_ptr, ctx_field(f, 1), "exc");
    cg_br_unlikely(f, LLVMBuildIsNotNull(s->b, exc, "raised"), f->unwind);
}

LLVMValueRef cg_call_rt(cg_fn *f, const char *name, LLVMValueRef *args, unsigned n) {
    cg_state *s = f->s;
    int id = cg_rtfn_id(name);
    if (id < 0) abort(); /* a codegen bug: every runtime call must be in the RTFN table */
    LLVMTypeRef ty;
    LLVMValueRef fn = cg_rtfn(s, id, &ty);
    LLVMValueRef r = LLVMBuildCall2(s->b, ty, fn, args, n, "");
    size_t nt;
    if (cg_rt_symbols(&nt)[id].flags & CG_RT_MAY_RAISE) cg_check_exc(f);
    return r;
}

/* Poll point (docs/internals.md "Polls"): one relaxed load and a predicted branch; the slow path
 * (heartbeat promotion, interruption) may leave an exception, which unwinds. */
void cg_poll(cg_fn *f) {
    cg_state *s = f->s;
    LLVMValueRef ld = LLVMBuildLoad2(s->b, s->t_i32, ctx_field(f, 0), "poll");
    LLVMSetOrdering(ld, LLVMAtomicOrderingMonotonic);
    LLVMSetAlignment(ld, 4);
    LLVMBasicBlockRef slow = cg_block(f, "poll.slow");
    LLVMBasicBlockRef cont = cg_block(f, "poll.cont");
    mark_unlikely(s, LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntNE, ld, LLVMConstInt(s->t_i32, 0, 0), ""),
                                     slow, cont));
    LLVMPositionBuilderAtEnd(s->b, slow);
    LLVMValueRef arg = f->ctx;
    cg_call_rt(f, "rt_poll_slow", &arg, 1);
    LLVMBuildBr(s->b, cont);
    LLVMPositionBuilderAtEnd(s->b, cont);
}

static LLVMValueRef intrinsic(cg_state *s, const char *name, LLVMTypeRef overload, LLVMTypeRef *fty);

/* Function entry, before the function owns anything (runtime/sched.h "Polls and function
 * entries"): the stack pointer (llvm.stacksave: unlike llvm.frameaddress it needs no frame pointer,
 * 20% on fib) below ctx->stack_limit takes the cold path, rt_enter_slow. Past
 * the stack floor it raises RecursionError and returns at once, without a traceback frame, so the
 * innermost frame shown is the caller's call line as in CPython; else it was a poll, which may
 * leave an interruption that unwinds. Nothing to undo at exit. */
void cg_enter(cg_fn *f) {
    cg_state *s = f->s;
    LLVMTypeRef fty;
    LLVMValueRef fa = intrinsic(s, "llvm.stacksave", s->t_ptr, &fty);
    LLVMValueRef zero = LLVMConstInt(s->t_i32, 0, 0);
    LLVMValueRef frame = LLVMBuildPtrToInt(s->b, LLVMBuildCall2(s->b, fty, fa, NULL, 0, ""), s->t_i64, "frame");
    LLVMValueRef ld = LLVMBuildLoad2(s->b, s->t_i64, ctx_field(f, 2), "stack_limit");
    LLVMSetOrdering(ld, LLVMAtomicOrderingMonotonic);
    LLVMSetAlignment(ld, 8);
    LLVMBasicBlockRef slow = cg_block(f, "enter.slow");
    LLVMBasicBlockRef cont = cg_block(f, "enter.cont");
    mark_unlikely(s, LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntULT, frame, ld, ""), slow, cont));
    LLVMPositionBuilderAtEnd(s->b, slow);
    LLVMValueRef args[2] = {f->ctx, frame};
    LLVMValueRef deep = cg_call_rt(f, "rt_enter_slow", args, 2);
    LLVMBasicBlockRef raise = cg_block(f, "too.deep"), polled = cg_block(f, "enter.polled");
    LLVMBuildCondBr(s->b, LLVMBuildICmp(s->b, LLVMIntNE, deep, zero, ""), raise, polled);
    LLVMPositionBuilderAtEnd(s->b, raise);
    cg_call_rt(f, "rt_raise_recursion", &f->ctx, 1);
    LLVMTypeRef rt = LLVMGetReturnType(LLVMGlobalGetValueType(f->fn));
    if (LLVMGetTypeKind(rt) == LLVMVoidTypeKind)
        LLVMBuildRetVoid(s->b);
    else
        LLVMBuildRet(s->b, LLVMConstNull(rt));
    LLVMPositionBuilderAtEnd(s->b, polled);
    cg_check_exc(f);
    LLVMBuildBr(s->b, cont);
    LLVMPositionBuilderAtEnd(s->b, cont);
}

/* ---- arithmetic ------------------------------------------------------------------------------ */

static LLVMValueRef intrinsic(cg_state *s, const char *name, LLVMTypeRef overload, LLVMTypeRef *fty) {
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    *fty = LLVMIntrinsicGetType(s->c, id, &overload, 1);
    return LLVMGetIntrinsicDeclaration(s->m, id, &overload, 1);
}

/* The cold block raising kind/msg and unwinding, shared by every check of one function that
 * raises the same error towards the same unwind target (the line comes from line_slot). */
static LLVMBasicBlockRef raise_block(cg_fn *f, int kind, const char *msg) {
    for (int i = 0; i < f->nraises; i++)
        if (f->raises[i].kind == kind && f->raises[i].msg == msg && f->raises[i].unwind == f->unwind)
            return f->raises[i].block;
    cg_state *s = f->s;
    LLVMBasicBlockRef bad = cg_block(f, "raise");
    LLVMBasicBlockRef cur = LLVMGetInsertBlock(s->b);
    LLVMPositionBuilderAtEnd(s->b, bad);
    cg_raise_const(f, kind, msg);
    LLVMPositionBuilderAtEnd(s->b, cur);
    if (f->nraises < 16) {
        f->raises[f->nraises].kind = kind;
        f->raises[f->nraises].msg = msg;
        f->raises[f->nraises].unwind = f->unwind;
        f->raises[f->nraises].block = bad;
        f->nraises++;
    }
    return bad;
}

/* Raises `kind` with `msg` (a string literal) when cond holds; continues on the likely path. */
static void raise_if(cg_fn *f, LLVMValueRef cond, int kind, const char *msg) {
    cg_br_unlikely(f, cond, raise_block(f, kind, msg));
}

void cg_raise_if(cg_fn *f, LLVMValueRef cond, int kind, const char *msg) { raise_if(f, cond, kind, msg); }

static LLVMValueRef checked(cg_fn *f, const char *intr, LLVMValueRef a, LLVMValueRef b) {
    cg_state *s = f->s;
    LLVMTypeRef fty;
    LLVMValueRef fn = intrinsic(s, intr, s->t_i64, &fty);
    LLVMValueRef args[2] = {a, b};
    LLVMValueRef pair = LLVMBuildCall2(s->b, fty, fn, args, 2, "");
    raise_if(f, LLVMBuildExtractValue(s->b, pair, 1, "ovf"), PF_EXC_OVERFLOW, "integer overflow");
    return LLVMBuildExtractValue(s->b, pair, 0, "");
}

LLVMValueRef cg_int_add(cg_fn *f, LLVMValueRef a, LLVMValueRef b) { return checked(f, "llvm.sadd.with.overflow", a, b); }
LLVMValueRef cg_int_sub(cg_fn *f, LLVMValueRef a, LLVMValueRef b) { return checked(f, "llvm.ssub.with.overflow", a, b); }
LLVMValueRef cg_int_mul(cg_fn *f, LLVMValueRef a, LLVMValueRef b) { return checked(f, "llvm.smul.with.overflow", a, b); }
LLVMValueRef cg_int_neg(cg_fn *f, LLVMValueRef a) {
    return checked(f, "llvm.ssub.with.overflow", LLVMConstInt(f->s->t_i64, 0, 0), a);
}

static void check_zero_int(cg_fn *f, LLVMValueRef b, const char *msg) {
    cg_state *s = f->s;
    raise_if(f, LLVMBuildICmp(s->b, LLVMIntEQ, b, LLVMConstInt(s->t_i64, 0, 0), ""), PF_EXC_ZERODIV, msg);
}

/* Python floor division: q = a / b (truncating), minus one when the remainder is non-zero and has
 * the other sign than b. INT64_MIN // -1 overflows. */
LLVMValueRef cg_int_floordiv(cg_fn *f, LLVMValueRef a, LLVMValueRef b) {
    cg_state *s = f->s;
    LLVMBuilderRef B = s->b;
    check_zero_int(f, b, "integer division or modulo by zero");
    LLVMValueRef minus1 = LLVMConstInt(s->t_i64, (unsigned long long)-1, 1);
    LLVMValueRef ovf = LLVMBuildAnd(B, LLVMBuildICmp(B, LLVMIntEQ, b, minus1, ""),
                                    LLVMBuildICmp(B, LLVMIntEQ, a, LLVMConstInt(s->t_i64, 1ull << 63, 0), ""), "");
    raise_if(f, ovf, PF_EXC_OVERFLOW, "integer overflow");
    LLVMValueRef q = LLVMBuildSDiv(B, a, b, "");
    LLVMValueRef r = LLVMBuildSRem(B, a, b, "");
    LLVMValueRef zero = LLVMConstInt(s->t_i64, 0, 0);
    LLVMValueRef adj = LLVMBuildAnd(B, LLVMBuildICmp(B, LLVMIntNE, r, zero, ""),
                                    LLVMBuildICmp(B, LLVMIntSLT, LLVMBuildXor(B, r, b, ""), zero, ""), "");
    return LLVMBuildSub(B, q, LLVMBuildZExt(B, adj, s->t_i64, ""), "");
}

LLVMValueRef cg_int_mod(cg_fn *f, LLVMValueRef a, LLVMValueRef b) {
    cg_state *s = f->s;
    LLVMBuilderRef B = s->b;
    check_zero_int(f, b, "integer modulo by zero");
    /* srem(INT64_MIN, -1) is UB in LLVM: make b = 1 in that case (result 0 either way) */
    LLVMValueRef minus1 = LLVMConstInt(s->t_i64, (unsigned long long)-1, 1);
    LLVMValueRef one = LLVMConstInt(s->t_i64, 1, 0);
    LLVMValueRef bb = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntEQ, b, minus1, ""), one, b, "");
    LLVMValueRef r = LLVMBuildSRem(B, a, bb, "");
    LLVMValueRef zero = LLVMConstInt(s->t_i64, 0, 0);
    LLVMValueRef adj = LLVMBuildAnd(B, LLVMBuildICmp(B, LLVMIntNE, r, zero, ""),
                                    LLVMBuildICmp(B, LLVMIntSLT, LLVMBuildXor(B, r, bb, ""), zero, ""), "");
    return LLVMBuildSelect(B, adj, LLVMBuildAdd(B, r, bb, ""), r, "");
}

/* int ** int with a non-negative exponent (the IR types a negative-exponent power as float).
 * Small constant exponents become multiplies; the rest calls rt_int_pow (checked). */
LLVMValueRef cg_int_pow(cg_fn *f, LLVMValueRef a, LLVMValueRef b) {
    cg_state *s = f->s;
    if (LLVMIsAConstantInt(b)) {
        long long e = LLVMConstIntGetSExtValue(b);
        if (e == 0) return LLVMConstInt(s->t_i64, 1, 0);
        if (e == 1) return a;
        if (e == 2) return cg_int_mul(f, a, a);
        if (e == 3) return cg_int_mul(f, cg_int_mul(f, a, a), a);
    }
    LLVMValueRef args[3] = {f->ctx, a, b};
    return cg_call_rt(f, "rt_int_pow", args, 3);
}

LLVMValueRef cg_float_div(cg_fn *f, LLVMValueRef a, LLVMValueRef b) {
    cg_state *s = f->s;
    raise_if(f, LLVMBuildFCmp(s->b, LLVMRealOEQ, b, LLVMConstReal(s->t_f64, 0.0), ""), PF_EXC_ZERODIV,
             "float division by zero");
    return LLVMBuildFDiv(s->b, a, b, "");
}

LLVMValueRef cg_int_truediv(cg_fn *f, LLVMValueRef a, LLVMValueRef b) {
    LLVMValueRef args[3] = {f->ctx, a, b};
    return cg_call_rt(f, "rt_int_truediv", args, 3); /* correctly rounded beyond 2**53 */
}

static LLVMValueRef float_rt(cg_fn *f, const char *name, LLVMValueRef a, LLVMValueRef b) {
    LLVMValueRef args[3] = {f->ctx, a, b};
    return cg_call_rt(f, name, args, 3);
}

LLVMValueRef cg_float_floordiv(cg_fn *f, LLVMValueRef a, LLVMValueRef b) { return float_rt(f, "rt_float_floordiv", a, b); }
LLVMValueRef cg_float_mod(cg_fn *f, LLVMValueRef a, LLVMValueRef b) { return float_rt(f, "rt_float_mod", a, b); }

/* float ** float: x ** 2 and x ** 3 with constant exponents are multiplies; the rest calls
 * rt_float_pow (0.0 ** negative raises ZeroDivisionError as in Python). */
LLVMValueRef cg_float_pow(cg_fn *f, LLVMValueRef a, LLVMValueRef b) {
    cg_state *s = f->s;
    if (LLVMIsAConstantFP(b)) {
        LLVMBool lossy;
        double e = LLVMConstRealGetDouble(b, &lossy);
        if (e == 1.0) return a;
        if (e == 2.0) return LLVMBuildFMul(s->b, a, a, "");
        if (e == 3.0) return LLVMBuildFMul(s->b, LLVMBuildFMul(s->b, a, a, ""), a, "");
    }
    return float_rt(f, "rt_float_pow", a, b);
}

/* ---- raising --------------------------------------------------------------------------------- */

LLVMValueRef cg_cstr(cg_fn *f, const char *str) { return LLVMBuildGlobalStringPtr(f->s->b, str, "cstr"); }

void cg_raise_const(cg_fn *f, int kind, const char *msg) {
    cg_state *s = f->s;
    LLVMValueRef args[3] = {f->ctx, LLVMConstInt(s->t_i32, (unsigned long long)kind, 0), cg_cstr(f, msg)};
    int id = cg_rtfn_id("rt_raise");
    LLVMTypeRef ty;
    LLVMValueRef fn = cg_rtfn(s, id, &ty);
    LLVMBuildCall2(s->b, ty, fn, args, 3, "");
    LLVMBuildBr(s->b, f->unwind);
}
