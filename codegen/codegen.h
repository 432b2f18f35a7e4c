/* codegen: the interface of pf's back end. Lowers the typed pf IR (ir/ir.h) to an LLVM module
 * through the LLVM C API, optimises it with the `default<O2>` pipeline for the host CPU, and runs
 * it in an ORC LLJIT whose symbol resolution reaches the runtime linked into the host (pfc, libpf).
 *
 * Life cycle:  cg_module_new / cg_compile  ->  cg_module_optimize  ->  [cg_module_print]
 *              ->  cg_jit_new + [cg_jit_add_externs] + cg_jit_add (consumes the module)  ->  cg_jit_lookup
 *              ->  cg_jit_free;   or, ahead of time:  cg_module_emit_object (pfc build).
 * Nothing here prints or exits: failures come back as a malloc'd message (`char **err`, free with
 * cg_free_message) or as diagnostics in the caller's pf_diags. */
#ifndef PF_CODEGEN_H
#define PF_CODEGEN_H

#include <stdbool.h>
#include <stddef.h>

/* One LLVM module plus the thread-safe context that owns it. Opaque. */
typedef struct cg_module cg_module;
/* One ORC LLJIT instance with the runtime's symbols visible. Opaque. */
typedef struct cg_jit cg_jit;

/* Initialises LLVM's native target once per process (idempotent, thread-safe). Returns false and a
 * message in *err when the host has no usable target. */
bool cg_init(char **err);

/* An empty module named `name` for the host triple and data layout. NULL + *err on failure. */
cg_module *cg_module_new(const char *name, char **err);
void cg_module_free(cg_module *m);

/* The raw LLVM handles, for the IR lowering (cg_gen.c) and for tests that build modules by hand.
 * Returned as void* so that users of this header need not include llvm-c. */
void *cg_module_llvm_context(cg_module *m); /* LLVMContextRef */
void *cg_module_llvm_module(cg_module *m);  /* LLVMModuleRef */

/* Verifies the module, then runs `default<O<level>>` (level 0..3) tuned for the host CPU.
 * false + *err when verification or a pass fails. */
bool cg_module_optimize(cg_module *m, int level, char **err);

/* The module as LLVM assembly text (for `pfc run --emit-llvm`). malloc'd; free with cg_free_message. */
char *cg_module_print(cg_module *m);

/* A JIT for the host, resolving undefined symbols first in the runtime's table (codegen/rtfn.h),
 * then in the whole process (libc, libm, anything exported by the executable). */
cg_jit *cg_jit_new(char **err);
/* Hands the module to the JIT (consumed, also on failure). */
bool cg_jit_add(cg_jit *j, cg_module *m, char **err);
/* Address of a compiled function or global, materialising it on first use; NULL + *err if absent. */
void *cg_jit_lookup(cg_jit *j, const char *name, char **err);
void cg_jit_free(cg_jit *j);

/* The compiled program's entry point: `void pf_main(pf_ctx *ctx)` runs the module's top-level
 * code; on return ctx->exc holds the uncaught exception, if any (with its traceback). */
#define CG_ENTRY_NAME "pf_main"
/* The same split in two, for hosts that keep a module loaded (libpf): `void pf_init(pf_ctx *)`
 * runs the top-level code and keeps the module globals alive; `void pf_fini(pf_ctx *)` releases
 * them. pf_main = pf_init then pf_fini. */
#define CG_INIT_NAME "pf_init"
#define CG_FINI_NAME "pf_fini"
/* `void *pf_globals[nglobals + 1]`: the address of each module global's 8-byte slot, in
 * ir_module.globals order, then of the random generator's state (sizeof(pf_rng) bytes). Two
 * modules compiled from the same source have the same globals, so a host can copy one's values
 * into the other (libpf's call stubs borrow the loaded module's globals this way). */
#define CG_GLOBALS_NAME "pf_globals"
/* Specialisations of defs whose name starts with this prefix keep external linkage, under the
 * symbol "pf:" + ir_func.name (e.g. "pf:__pf_call_0[int,list[float]]"), so cg_jit_lookup finds
 * them; every other function is internal. Names with this prefix are reserved for libpf. */
#define CG_EXPORT_PREFIX "__pf_"

struct ir_module;
/* Lowers a built IR module (ir/ir.h) to a new LLVM module exporting CG_ENTRY_NAME. The IR must
 * outlive the call only. NULL + *err on an internal error (a construct codegen cannot lower). */
cg_module *cg_compile(const struct ir_module *m, char **err);

/* Makes the C symbols of m's `extern def`s (ir_func.extern_sym) callable from the modules added to
 * j afterwards (call it before cg_jit_add): a library named by `from "libm.so.6"` is dlopen'ed and
 * stays open until cg_jit_free; other symbols come from the process. Each missing library or
 * symbol is reported to d at its extern def; false then. */
struct pf_diags;
bool cg_jit_add_externs(cg_jit *j, const struct ir_module *m, struct pf_diags *d);
/* Defines the C symbol `name` in j as addr (call it before cg_jit_add_externs): an `extern def
 * name(...)` without a library then calls addr. libpf's pf_register uses it for host functions. */
bool cg_jit_define(cg_jit *j, const char *name, void *addr, char **err);
/* The same look-ups without a JIT (`pfc build`: a missing symbol is a compile error with a
 * position, not a link error); the libraries are closed again. */
bool cg_check_externs(const struct ir_module *m, struct pf_diags *d);

/* Writes m (optimised already) as a relocatable, position-independent object file for the host
 * CPU at path, code generation at level 0..3 (`pfc build`). false + *err on failure. */
bool cg_module_emit_object(cg_module *m, const char *path, int level, char **err);

void cg_free_message(char *msg);

#endif
