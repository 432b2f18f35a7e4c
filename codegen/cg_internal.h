/* codegen internals shared by the files of codegen/: the runtime entry-point table (ORDER RTFN),
 * the lowering state (cg_state per module, cg_fn per function being emitted) and the tiny emit
 * helpers of cg_emit.c. Not part of the interface: other layers include only codegen/codegen.h. */
#ifndef PF_CG_INTERNAL_H
#define PF_CG_INTERNAL_H

#include <llvm-c/Core.h>
#include "codegen/codegen.h"

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
    LLVMTypeRef t_ctx;             /* struct pf_ctx prefix: { i32 poll, ptr exc, i64 stack_limit, i64 stack_floor } */
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
    struct {                       /* shared cold raise blocks (the line comes from line_slot) */
        int kind;
        const char *msg;
        LLVMBasicBlockRef unwind, block;
    } raises[16];
    int nraises;
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
/* Function entry check: stack limit (RecursionError) doubling as the entry poll (sched.h). */
void cg_enter(cg_fn *f);

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
/* Branches to a shared cold block raising kind/msg (msg: a string literal) when cond holds. */
void cg_raise_if(cg_fn *f, LLVMValueRef cond, int kind, const char *msg);
/* A constant C string (private global), as a pointer. */
LLVMValueRef cg_cstr(cg_fn *f, const char *s);

/* ---- IR lowering (cg_gen.c, cg_expr.c, cg_stmt.c) ------------------------------------------- */
#include "ir/ir.h"

/* A lowered value. Object values are either borrowed (owned == false: someone else keeps them
 * alive for the duration of the statement) or owned; an owned object also sits in `tslot`, a
 * temp slot the unwind path releases, until it is consumed or released (then tslot is nulled). */
typedef struct cg_val {
    LLVMValueRef v;
    LLVMValueRef tslot; /* owned objects only, else NULL */
    bool owned;
} cg_val;

/* A loop being lowered: where break and continue go, and how deep the finally stack was. */
typedef struct cg_loop {
    LLVMBasicBlockRef brk, cont;
    int32_t nfinally;      /* finally bodies enclosing the loop (not run by break/continue) */
    int32_t ntemps;        /* temp slots live at loop entry (the loop's own container etc.) */
} cg_loop;

/* What `return`, `break`, `continue` must run on the way out of a try with a finally body. */
typedef struct cg_finally {
    const ir_block *body;  /* a finally body to run, or NULL: */
    LLVMValueRef release;  /* a temp slot to release (the exception an except handler holds) */
} cg_finally;

typedef struct cg_gen cg_gen;

/* The function being lowered (extends cg_fn, which the emit helpers see). */
typedef struct cg_gfn {
    cg_fn base;
    cg_gen *g;
    const ir_func *ir;
    LLVMValueRef env;            /* closure parameter or NULL */
    LLVMValueRef *local_slot;    /* alloca per ir_local */
    bool *local_owned;           /* object local whose slot holds an owned reference */
    LLVMValueRef *temps;         /* temp slots (ptr allocas), released by the unwind path */
    int32_t ntemps, captemps;
    LLVMValueRef ret_slot;       /* return value, or NULL for None */
    LLVMValueRef raised_slot;    /* i1: leaving by exception */
    LLVMBasicBlockRef cleanup;   /* releases everything, returns */
    LLVMBasicBlockRef fn_unwind; /* sets raised, goes to cleanup */
    cg_loop loops[64];
    int32_t nloops;
    cg_finally finals[32];
    int32_t nfinals;
    const ir_local *move_local;  /* ASSIGN target whose old value a consuming op may take over */
    const ir_expr *move_expr;    /* the one expression that may take it over: the ASSIGN's value, then
                                    the first operand of a consuming op that did not */
    LLVMValueRef handled_exc;    /* slot with the exception of the innermost handler (bare raise) */
    struct {                     /* cg_param_list: length and array of list parameters */
        const ir_local *l;
        LLVMValueRef len, data;
    } plists[8];
    int32_t nplists;
} cg_gfn;

/* Module-wide lowering state. */
struct cg_gen {
    cg_state s;
    const ir_module *mod;
    LLVMValueRef *fn;            /* per ir_func id */
    LLVMTypeRef *fn_type;
    LLVMValueRef *fn_solo;       /* per ir_func id: its fork-free copy (forks lowered as plain
                                  * calls), which the function itself calls at once when ctx->solo;
                                  * NULL for functions without forks */
    bool no_forks;               /* lowering a fork-free copy: forks are sequential calls */
    LLVMValueRef *gvar;          /* per ir_global id */
    LLVMValueRef *gdef;          /* per ir_global id: its i8 "defined" flag (check_defined), or NULL */
    LLVMValueRef *tdesc;         /* per ir_type id: pf_type constant, lazily */
    LLVMTypeRef t_desc;          /* struct pf_type */
    LLVMValueRef file_name;      /* current source file name constant */
    LLVMValueRef rng;            /* the random module's state (a pf_rng), seeded by pf_main */
    bool uses_random;            /* some random op was lowered: pf_main seeds rng */
    char *err;                   /* first internal error (malloc'd) */
};

/* cg_gen.c */
LLVMTypeRef cg_ltype(cg_gen *g, const ir_type *t);     /* register type of a value of t */
bool cg_is_obj(const ir_type *t);                      /* held by reference (RC) */
static inline bool cg_is_scalar(const ir_type *t) { return t->kind >= IR_T_INT && t->kind <= IR_T_NONE; }
LLVMValueRef cg_type_desc(cg_gen *g, const ir_type *t); /* pointer to t's pf_type */
LLVMValueRef cg_to_slot(cg_gfn *f, LLVMValueRef v, const ir_type *t);
LLVMValueRef cg_from_slot(cg_gfn *f, LLVMValueRef slot, const ir_type *t);
void cg_incref(cg_gfn *f, LLVMValueRef p, const ir_type *t);
void cg_decref(cg_gfn *f, LLVMValueRef p, const ir_type *t);
cg_val cg_owned(cg_gfn *f, LLVMValueRef v, const ir_type *t);
cg_val cg_borrowed(LLVMValueRef v);
void cg_release(cg_gfn *f, cg_val *v, const ir_type *t);
LLVMValueRef cg_take(cg_gfn *f, cg_val *v, const ir_type *t); /* an owned reference */
void cg_forget(cg_gfn *f, cg_val *v); /* ownership moved elsewhere: clear the temp slot */
LLVMValueRef cg_temp_slot(cg_gfn *f);
LLVMValueRef cg_str_const(cg_gen *g, const char *bytes, int32_t len);
LLVMValueRef cg_load_field(cg_gfn *f, LLVMValueRef obj, unsigned offset, LLVMTypeRef t);
void cg_store_field(cg_gfn *f, LLVMValueRef obj, unsigned offset, LLVMValueRef v);
void cg_fail(cg_gen *g, const char *fmt, ...);
/* out[local id]: a loop variable that holds borrowed elements (its slot is not owned), found over
 * a function body and/or one comprehension (cg_gen.c, rules there). */
void cg_loop_borrowed(const ir_func *fn, const ir_block *body, const ir_expr *comp, bool *out);

/* cg_expr.c */
cg_val cg_expr(cg_gfn *f, const ir_expr *e);
LLVMValueRef cg_truth(cg_gfn *f, LLVMValueRef v, const ir_type *t);
LLVMValueRef cg_eq(cg_gfn *f, LLVMValueRef a, LLVMValueRef b, const ir_type *t);
LLVMValueRef cg_less(cg_gfn *f, LLVMValueRef a, LLVMValueRef b, const ir_type *t);

/* cg_stmt.c */
void cg_block_stmts(cg_gfn *f, const ir_block *b);
void cg_assign_local(cg_gfn *f, const ir_local *l, cg_val v);
/* Iteration sources (fused counted loops): begin tests the next element and binds the loop
 * variables, end is the latch (continue target) that advances and polls. */
typedef struct cg_iterst {
    const ir_iter *it;
    LLVMBasicBlockRef head, latch, exit;
    LLVMValueRef idx;            /* i64 alloca: elements consumed */
    LLVMValueRef count;          /* i64: number of elements, or NULL (str, zip with str) */
    LLVMValueRef cont;           /* container value (borrowed for the loop's duration) */
    cg_val owned_cont;
    LLVMValueRef start, step;    /* RANGE */
    LLVMValueRef data;           /* LIST: the element array, loaded once (see src_prepare) */
    LLVMValueRef pos;            /* STR: byte position alloca */
    struct cg_iterst *subs;      /* ZIP / ENUMERATE */
} cg_iterst;
void cg_iter_begin(cg_gfn *f, const ir_iter *it, cg_iterst *st);
void cg_iter_end(cg_gfn *f, cg_iterst *st);
void cg_iter_release(cg_gfn *f, cg_iterst *st);
cg_val cg_comp(cg_gfn *f, const ir_expr *e);
/* x is a list parameter of f never rebound: its length and element array, loaded once at the
 * function's entry (the caller keeps the list alive and unchanged for the whole call), so bounds
 * checks against them fold and loops keep them in registers. False (nothing emitted) otherwise. */
bool cg_param_list(cg_gfn *f, const ir_expr *x, LLVMValueRef *len, LLVMValueRef *data);
/* Component `part` of e's tuple result when e is a min/max comprehension that keeps its tuple in
 * registers (`min((d, i) for ...)[1]` builds no tuple); false (nothing emitted) otherwise. */
bool cg_comp_part(cg_gfn *f, const ir_expr *e, int32_t part, cg_val *out);

/* cg_par.c: a comprehension marked par (ir/par.c) as one rt_reduce over an outlined body */
cg_val cg_par_comp(cg_gfn *f, const ir_expr *e, int32_t part); /* part: as cg_comp_part, or -1 */
/* cg_par.c: a for statement marked par (ir/par.c): its reductions through one rt_reduce */
void cg_par_for(cg_gfn *f, const ir_stmt *st);
/* cg_par.c: `a = f(x); b = g(y)` with g's call marked par: forked; false when st, nx are not such a pair */
bool cg_par_stmt_pair(cg_gfn *f, const ir_stmt *st, const ir_stmt *nx);
/* cg_par.c: *a = a, *b = the call b (marked par), b forked through a latent fork mark while a runs */
void cg_par_operands(cg_gfn *f, const ir_expr *a, const ir_expr *b, cg_val *av, cg_val *bv);

#endif
