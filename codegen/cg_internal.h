/* codegen internals shared by the files of codegen/: the runtime entry-point table (ORDER RTFN in
 * cg_rtfn.c) and the helpers the IR lowering uses to declare and call runtime functions.
 * Not part of the interface: other layers include only codegen/codegen.h. */
#ifndef PF_CG_INTERNAL_H
#define PF_CG_INTERNAL_H

#include <stddef.h>

/* One runtime entry point that JIT-compiled code may call: its C name, its address in this process,
 * and its LLVM signature as type codes (see cg_rtfn.c: v void, p ptr, l i64, i i32, d double, b i1). */
typedef struct cg_rt_symbol {
    const char *name;
    void *addr;
    const char *ret;    /* one code */
    const char *params; /* one code per parameter, "" for none */
    unsigned flags;     /* CG_RT_* */
} cg_rt_symbol;

enum {
    CG_RT_MAY_RAISE = 1u << 0, /* may set ctx->exc: callers test it afterwards */
    CG_RT_COLD = 1u << 1,      /* slow path: mark the call site cold */
    CG_RT_PURE = 1u << 2,      /* reads only its arguments: readnone-like, no side effects */
};

/* The whole table, in ORDER RTFN. */
const cg_rt_symbol *cg_rt_symbols(size_t *n);

#endif
