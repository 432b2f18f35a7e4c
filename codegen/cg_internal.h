/* codegen internals shared by the files of codegen/: the runtime entry-point table (ORDER RTFN),
 * the lowering state (cg_state per module, cg_fn per function being emitted) and the tiny emit
 * helpers of cg_emit.c. Not part of the interface: other layers include only codegen/codegen.h. */
#ifndef PF_CG_INTERNAL_H
#define PF_CG_INTERNAL_H

#include <llvm-c/Core.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- runtime entry points (ORDER RTFN) --------------------------------------------------------
 * One runtime entry point that JIT-compiled code may call: its C name, its address in this process,
 * and its LLVM signature as type codes: v void, p ptr, l i64, i i32, d double, b i1; a final '.'
 * in params makes the function variadic (rt_raise). */
typedef struct cg_rt_symbol {
    const char *name;
    void *addr;
    const char *ret;    /* one code */
    const char *params; /* one code per parameter, "" for none */
    unsigned flags;     /* CG_RT_* */
} cg_rt_symbol;

enum {
    CG_RT_MAY_RAISE = 1u << 0, /* may set ctx->exc: callers test it afterwards */
    CG_RT_COLD = 1u << 1,      /* slow path: the declaration is marked cold */
    CG_RT_PURE = 1u << 2,      /* reads only its arguments, no side effects (readnone) */
};

/* The whole table, in ORDER RTFN (cg_rtfn.c); index it with cg_rtfn_id. */
const cg_rt_symbol *cg_rt_symbols(size_t *n);

/* ---- lowering state ------------------------------------------------------------------------- */
typedef struct cg_state {
    LLVMContextRef c;
    LLVMModuleRef m;
    LLVMBuilderRef b;
    LLVMTypeRef t_void, t_i1, t_i8, t_i32, t_i64, t_f64, t_ptr;
    LLVMTypeRef t_ctx;             /* struct pf_ctx prefix: { i32 poll, ptr exc, i32 depth, i32 max_depth } */
    LLVMValueRef *rt_decl;         /* declared runtime functions, by table index (NULL until used) */
    LLVMTypeRef *rt_type;
    size_t rt_n;
} cg_state;

/* The function being emitted. */
typedef struct cg_fn {
    cg_state *s;
    LLVMValueRef fn;
    LLVMValueRef ctx;              /* parameter 0 */
    LLVMBasicBlockRef entry;       /* allocas go here */
    LLVMBasicBlockRef unwind;      /* releases live references, appends the frame, returns */
    LLVMValueRef line_slot;        /* i32 alloca: source line of the operation that may raise */
} cg_fn;

void cg_state_init(cg_state *s, LLVMContextRef c, LLVMModuleRef m);
void cg_state_dispose(cg_state *s);

/* Index of the runtime function `name` in the RTFN table; aborts the compile (returns -1) if absent. */
int cg_rtfn_id(const char *name);
/* Declaration of runtime function `id` in this module (declared on first use, with attributes). */
LLVMValueRef cg_rtfn(cg_state *s, int id, LLVMTypeRef *type);

/* Emit helpers (cg_emit.c). All position at the builder's current block. */
LLVMValueRef cg_alloca(cg_fn *f, LLVMTypeRef t, const char *name);  /* in the entry block */
LLVMBasicBlockRef cg_block(cg_fn *f, const char *name);
void cg_set_line(cg_fn *f, int32_t line);
/* Calls runtime function `name`; when it may raise, tests ctx->exc and branches to the unwind path. */
LLVMValueRef cg_call_rt(cg_fn *f, const char *name, LLVMValueRef *args, unsigned n);
/* `if (ctx->exc) goto unwind` (unlikely). */
void cg_check_exc(cg_fn *f);
/* Branch to `target` if cond is true, marked unlikely; continues in a fresh block. */
void cg_br_unlikely(cg_fn *f, LLVMValueRef cond, LLVMBasicBlockRef target);
/* Poll point: relaxed load of ctx->poll, unlikely call of rt_poll_slow, then an exception test. */
void cg_poll(cg_fn *f);
/* Function entry/exit depth accounting (RecursionError past ctx->max_depth). */
void cg_enter(cg_fn *f);
void cg_leave(cg_fn *f);

/* Checked int arithmetic: on overflow / zero division raise and unwind. */
LLVMValueRef cg_int_add(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_int_sub(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_int_mul(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_int_neg(cg_fn *f, LLVMValueRef a);
LLVMValueRef cg_int_floordiv(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_int_mod(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_int_pow(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_int_truediv(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_float_div(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_float_floordiv(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_float_mod(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cg_float_pow(cg_fn *f, LLVMValueRef a, LLVMValueRef b);
/* Raises builtin exception `kind` (runtime/value.h pf_exc_kind) with a constant message (no '%'),
 * then branches to the unwind path: terminates the current block. */
void cg_raise_const(cg_fn *f, int kind, const char *msg);
/* A constant C string (private global), as a pointer. */
LLVMValueRef cg_cstr(cg_fn *f, const char *s);

#endif
