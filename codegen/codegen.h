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
#include <stdint.h>

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
/* The same split in two: `void pf_init(pf_ctx *)` runs the top-level code and keeps the module
 * globals alive; `void pf_fini(pf_ctx *)` releases them. pf_main = pf_init then pf_fini. (Hosts
 * that keep code loaded, the REPL and libpf, use sessions instead: their variables live in slots.) */
#define CG_INIT_NAME "pf_init"
#define CG_FINI_NAME "pf_fini"
/* Specialisations of defs whose name starts with this prefix keep external linkage, under the
 * symbol "pf:" + ir_func.name (e.g. "pf:__pf_call_0[int,list[float]]"), so cg_jit_lookup finds
 * them; every other function is internal. Names with this prefix are reserved for libpf. */
#define CG_EXPORT_PREFIX "__pf_"

struct ir_module;
struct ir_env_root;
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

/* Makes every symbol the module defines internal (no clash with other modules in one JIT), except
 * its entry, renamed `entry`, and the first specialisation of each def named in exports (ir_func
 * src_name), renamed "<entry>.<name>" and callable as ret f(pf_ctx *ctx, params...). */
bool cg_module_localize(cg_module *m, const struct ir_module *mod, const char *entry,
                        const char *const *exports, int32_t nexports, char **err);

/* ---- incremental sessions (the REPL, libpf) -----------------------------------------------------
 * A session compiles a sequence of entries (pieces of pf source) into one JIT. Each entry sees the
 * defs, classes, imports and module-level variables of the entries before it; a def or class
 * entered again replaces the earlier one for later entries. Variables live in 8-byte slots the
 * session owns (one reference per object, released when rebound or at cg_session_free); an
 * entry's assignment `x = v` that is its first statement and does not read x binds x anew, with
 * any type. Diagnostics of an entry carry its own line numbers (the kept definitions are compiled
 * after it). Not thread-safe: one caller at a time. See docs/internals.md "Sessions". */
typedef struct cg_session cg_session;
struct pf_source;
struct pf_diags;
struct pf_arena;

cg_session *cg_session_new(char **err);
/* Releases every variable's value (no runtime needed) and the JIT with all entries' code. */
void cg_session_free(cg_session *s);

typedef struct cg_entry_opts {
    bool echo;                   /* top-level expression statements print repr(value) unless None */
    const struct ir_env_root *exports; /* defs to specialise for these argument types and keep
                                    callable as ret f(pf_ctx *ctx, params...) (scalars unboxed,
                                    objects borrowed, result owned: docs/internals.md) */
    int32_t nexports;
    void **export_addrs;         /* out: their addresses, parallel to exports */
    const struct ir_type **export_rets; /* out (or NULL): their result types, in the entry's arena */
} cg_entry_opts;

/* Compiles src as the next entry (o may be NULL). Returns its code, `void entry(pf_ctx *ctx)`, to
 * run as a program's pf_main (e.g. with rt_run), or NULL: compile errors in d (d->incomplete when
 * the input ended early), an internal error in *err. Allocates in a, which must live until
 * cg_session_end. What the entry defines takes effect at cg_session_end. */
void *cg_session_compile(cg_session *s, struct pf_arena *a, struct pf_diags *d, const struct pf_source *src,
                         const cg_entry_opts *o, char **err);
/* Ends the entry compiled last: ok (it ran without an uncaught exception) keeps its definitions and
 * new variables; !ok forgets them (variables it rebound keep their new values). No-op when no
 * entry is pending. */
void cg_session_end(cg_session *s, bool ok);
/* The inferred type of the expression src (`:type`), as a spelling in a; nothing runs. NULL with
 * diagnostics in d when it does not compile. */
const char *cg_session_type(cg_session *s, struct pf_arena *a, struct pf_diags *d, const struct pf_source *expr);
/* Where line `line` of the entry compiled last comes from when it lies in a kept definition
 * (tracebacks of its code carry lines of the compiled text: the entry, then the kept
 * definitions): the source name and line where that definition was entered. False for the
 * entry's own lines. Valid until cg_session_end. */
bool cg_session_origin(const cg_session *s, int64_t line, const char **file, int32_t *orig_line);
/* A copy of cg_session_origin's map for the entry compiled last, for a host that runs that entry's
 * code after later entries (libpf's call stubs map traceback lines with it). NULL: out of memory. */
typedef struct cg_linemap cg_linemap;
cg_linemap *cg_session_linemap(const cg_session *s);
bool cg_linemap_origin(const cg_linemap *m, int64_t line, const char **file, int32_t *orig_line);
void cg_linemap_free(cg_linemap *m);
/* Defines the C function `name` at addr for the session's entries (libpf's pf_register; an extern
 * def of that name then calls it). Define before the first entry that uses it. */
bool cg_session_define(cg_session *s, const char *name, void *addr, char **err);
/* The session's variables (committed ones), for hosts and tests: name, type spelling, slot. */
int32_t cg_session_nvars(const cg_session *s);
bool cg_session_var(const cg_session *s, int32_t i, const char **name, const char **type, void **slot);

#endif
