/* codegen LLVM plumbing: host target machine, the `default<O2>` new-pass-manager pipeline, module
 * printing, object files for `pfc build`, and the ORC LLJIT that runs compiled pf code (with the
 * C symbols of `extern def`s, dlopen'ing their libraries). Uses only LLVM C APIs present in LLVM 15
 * (opaque pointers, LLVMRunPasses, LLVMOrcCreateLLJIT), so it builds with LLVM 15..19.
 * Independent of the IR: tests/unit/test_cg_jit.c drives it with hand-built modules. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "codegen/codegen.h"
#include "codegen/cg_internal.h"
#include "lexer/lexer.h"

#include <stdint.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct cg_module {
    LLVMOrcThreadSafeContextRef tsctx; /* owns ctx; shared with the JIT once the module is added */
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMTargetMachineRef tm; /* host triple, CPU and features: used by the pass pipeline */
};

struct cg_jit {
    LLVMOrcLLJITRef jit;
    void **libs;        /* dlopen handles of `extern def ... from "lib"` libraries, closed by cg_jit_free */
    size_t nlibs;
    char **syms;        /* extern symbols already defined in the JIT (a REPL adds modules one by one) */
    size_t nsyms;
    char *session_err; /* last error the JIT's session reported (e.g. "Symbols not found: ..."),
                          appended to the next failed lookup's message; LLVM's default reporter
                          would print it to stderr, which a library must not do */
};

static char *dup_message(const char *prefix, const char *msg) {
    size_t a = strlen(prefix), b = msg ? strlen(msg) : 0;
    char *s = malloc(a + b + 1);
    if (!s) return NULL;
    memcpy(s, prefix, a);
    if (b) memcpy(s + a, msg, b);
    s[a + b] = 0;
    return s;
}

/* Turns an LLVMErrorRef into a malloc'd message (consumes the error). */
static char *error_message(const char *prefix, LLVMErrorRef e) {
    char *m = LLVMGetErrorMessage(e);
    char *s = dup_message(prefix, m);
    LLVMDisposeErrorMessage(m);
    return s;
}

void cg_free_message(char *msg) { free(msg); }

/* ---- target initialisation ---------------------------------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool init_ok; /* written once under init_once, read-only afterwards */

static void init_native(void) {
    init_ok = !LLVMInitializeNativeTarget() && !LLVMInitializeNativeAsmPrinter();
}

bool cg_init(char **err) {
    pthread_once(&init_once, init_native);
    if (!init_ok && err) *err = dup_message("codegen: LLVM has no native target for this host", NULL);
    return init_ok;
}

/* ---- modules -------------------------------------------------------------------------------- */

static LLVMTargetMachineRef host_machine(int level, LLVMCodeModel model, char **err) {
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        if (err) *err = dup_message("codegen: no target for host triple: ", msg);
        LLVMDisposeMessage(msg);
        LLVMDisposeMessage(triple);
        return NULL;
    }
    char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
    LLVMCodeGenOptLevel ol = level <= 0   ? LLVMCodeGenLevelNone
                             : level == 1 ? LLVMCodeGenLevelLess
                             : level == 2 ? LLVMCodeGenLevelDefault
                                          : LLVMCodeGenLevelAggressive;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, ol, LLVMRelocPIC,
                                                      model);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    LLVMDisposeMessage(triple);
    if (!tm && err) *err = dup_message("codegen: cannot create a target machine for the host", NULL);
    return tm;
}

cg_module *cg_module_new(const char *name, char **err) {
    if (!cg_init(err)) return NULL;
    cg_module *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->tm = host_machine(2, LLVMCodeModelJITDefault, err);
    if (!m->tm) {
        free(m);
        return NULL;
    }
    m->tsctx = LLVMOrcCreateNewThreadSafeContext();
    m->ctx = LLVMOrcThreadSafeContextGetContext(m->tsctx);
    m->mod = LLVMModuleCreateWithNameInContext(name, m->ctx);
    char *triple = LLVMGetTargetMachineTriple(m->tm);
    LLVMSetTarget(m->mod, triple);
    LLVMDisposeMessage(triple);
    LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(m->tm);
    LLVMSetModuleDataLayout(m->mod, dl);
    LLVMDisposeTargetData(dl);
    return m;
}

void cg_module_free(cg_module *m) {
    if (!m) return;
    if (m->mod) LLVMDisposeModule(m->mod);
    if (m->tm) LLVMDisposeTargetMachine(m->tm);
    if (m->tsctx) LLVMOrcDisposeThreadSafeContext(m->tsctx);
    free(m);
}

void *cg_module_llvm_context(cg_module *m) { return m->ctx; }
void *cg_module_llvm_module(cg_module *m) { return m->mod; }

bool cg_module_optimize(cg_module *m, int level, char **err) {
    char *msg = NULL;
    if (LLVMVerifyModule(m->mod, LLVMReturnStatusAction, &msg)) {
        if (err) *err = dup_message("codegen: invalid LLVM module (internal error):\n", msg);
        LLVMDisposeMessage(msg);
        return false;
    }
    LLVMDisposeMessage(msg);
    if (level < 0) level = 0;
    if (level > 3) level = 3;
    char pipeline[16];
    pipeline[0] = 0;
    strcpy(pipeline, "default<O0>");
    pipeline[9] = (char)('0' + level);
    LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(opts, level >= 2);
    LLVMPassBuilderOptionsSetSLPVectorization(opts, level >= 2);
    LLVMPassBuilderOptionsSetLoopUnrolling(opts, level >= 2);
    LLVMErrorRef e = LLVMRunPasses(m->mod, pipeline, m->tm, opts);
    LLVMDisposePassBuilderOptions(opts);
    if (e) {
        if (err) *err = error_message("codegen: optimisation failed: ", e);
        return false;
    }
    return true;
}

bool cg_module_emit_object(cg_module *m, const char *path, int level, char **err) {
    LLVMTargetMachineRef tm = host_machine(level, LLVMCodeModelDefault, err);
    if (!tm) return false;
    char *msg = NULL;
    bool ok = !LLVMTargetMachineEmitToFile(tm, m->mod, (char *)path, LLVMObjectFile, &msg);
    if (!ok && err) *err = dup_message("codegen: cannot write the object file: ", msg);
    LLVMDisposeMessage(msg);
    LLVMDisposeTargetMachine(tm);
    return ok;
}

char *cg_module_print(cg_module *m) {
    char *s = LLVMPrintModuleToString(m->mod);
    char *r = dup_message(s, NULL);
    LLVMDisposeMessage(s);
    return r;
}

/* ---- the JIT ------------------------------------------------------------------------------- */

/* Defines every runtime entry point of the RTFN table (cg_rtfn.c) as an absolute symbol, so
 * compiled code reaches the runtime without relying on the executable exporting it (unit tests,
 * libpf), and so the linker keeps every entry point that compiled code may call. */
static LLVMErrorRef define_runtime_symbols(LLVMOrcLLJITRef jit) {
    size_t n = 0;
    const cg_rt_symbol *syms = cg_rt_symbols(&n);
    if (n == 0) return NULL;
    LLVMOrcCSymbolMapPair *pairs = calloc(n, sizeof *pairs);
    if (!pairs) return LLVMCreateStringError("out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!syms[i].addr) continue; /* weak reference to a function not linked in */
        pairs[k].Name = LLVMOrcLLJITMangleAndIntern(jit, syms[i].name);
        pairs[k].Sym.Address = (LLVMOrcJITTargetAddress)(uintptr_t)syms[i].addr;
        pairs[k].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
        pairs[k].Sym.Flags.TargetFlags = 0;
        k++;
    }
    if (k == 0) {
        free(pairs);
        return NULL;
    }
    LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(pairs, k);
    free(pairs);
    return LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(jit), mu);
}

/* The session's error reporter: keep the message for cg_jit_lookup instead of printing it. */
static void session_error(void *ctx, LLVMErrorRef e) {
    cg_jit *j = ctx;
    free(j->session_err);
    j->session_err = error_message("", e);
}

cg_jit *cg_jit_new(char **err) {
    if (!cg_init(err)) return NULL;
    LLVMOrcJITTargetMachineBuilderRef jtmb = NULL;
    LLVMErrorRef e = LLVMOrcJITTargetMachineBuilderDetectHost(&jtmb);
    if (e) {
        if (err) *err = error_message("codegen: cannot detect the host for the JIT: ", e);
        return NULL;
    }
    LLVMOrcLLJITBuilderRef b = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(b, jtmb); /* consumes jtmb */
    LLVMOrcLLJITRef jit = NULL;
    e = LLVMOrcCreateLLJIT(&jit, b); /* consumes b */
    if (e) {
        if (err) *err = error_message("codegen: cannot create the JIT: ", e);
        return NULL;
    }
    e = define_runtime_symbols(jit);
    if (!e) {
        LLVMOrcDefinitionGeneratorRef gen = NULL;
        e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(jit), NULL,
                                                                 NULL);
        if (!e) LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(jit), gen);
    }
    if (e) {
        if (err) *err = error_message("codegen: cannot set up JIT symbol resolution: ", e);
        LLVMErrorRef e2 = LLVMOrcDisposeLLJIT(jit);
        if (e2) LLVMConsumeError(e2);
        return NULL;
    }
    cg_jit *j = calloc(1, sizeof *j);
    if (!j) {
        LLVMErrorRef e2 = LLVMOrcDisposeLLJIT(jit);
        if (e2) LLVMConsumeError(e2);
        return NULL;
    }
    j->jit = jit;
    LLVMOrcExecutionSessionSetErrorReporter(LLVMOrcLLJITGetExecutionSession(jit), session_error, j);
    return j;
}

bool cg_jit_add(cg_jit *j, cg_module *m, char **err) {
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(m->mod, m->tsctx);
    m->mod = NULL; /* now owned by tsm */
    cg_module_free(m);  /* drops our reference to the context; tsm keeps it alive */
    LLVMErrorRef e = LLVMOrcLLJITAddLLVMIRModule(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), tsm);
    if (e) {
        LLVMOrcDisposeThreadSafeModule(tsm);
        if (err) *err = error_message("codegen: JIT rejected the module: ", e);
        return false;
    }
    return true;
}

void *cg_jit_lookup(cg_jit *j, const char *name, char **err) {
    LLVMOrcExecutorAddress addr = 0;
    LLVMErrorRef e = LLVMOrcLLJITLookup(j->jit, &addr, name);
    if (e) {
        if (err) {
            *err = error_message("codegen: JIT lookup failed: ", e);
            if (j->session_err && *err) {
                char *both = dup_message(*err, "; ");
                free(*err);
                *err = both ? dup_message(both, j->session_err) : NULL;
                free(both);
            }
        } else {
            LLVMConsumeError(e);
        }
        return NULL;
    }
    return (void *)(uintptr_t)addr;
}

void cg_jit_free(cg_jit *j) {
    if (!j) return;
    LLVMErrorRef e = LLVMOrcDisposeLLJIT(j->jit);
    if (e) LLVMConsumeError(e);
    for (size_t i = 0; i < j->nlibs; i++) dlclose(j->libs[i]);
    for (size_t i = 0; i < j->nsyms; i++) free(j->syms[i]);
    free(j->libs);
    free(j->syms);
    free(j->session_err);
    free(j);
}

/* ---- extern def symbols --------------------------------------------------------------------- */

/* Looks up every extern symbol of m, reporting each missing library or symbol to d at its extern
 * def (a module-level statement: column 1). With j, the libraries stay open in j and the symbols
 * are defined in j's main JITDylib (once per name); without, the libraries are closed again. */
static bool resolve_externs(const ir_module *m, pf_diags *d, cg_jit *j) {
    size_t n = (size_t)m->nfuncs + 1, nopened = 0, npairs = 0, nrt = 0;
    const cg_rt_symbol *rt = cg_rt_symbols(&nrt);
    void **opened = calloc(n, sizeof *opened);
    LLVMOrcCSymbolMapPair *pairs = calloc(n, sizeof *pairs);
    const char **names = calloc(n, sizeof *names);
    bool ok = opened && pairs && names;
    for (int32_t i = 0; i < m->nfuncs && ok; i++) {
        const ir_func *f = m->funcs[i];
        if (!f->extern_sym) continue;
        bool predefined = false; /* by cg_jit_define (libpf's pf_register) or an earlier module */
        for (size_t k = 0; j && !f->extern_lib && k < j->nsyms && !predefined; k++)
            predefined = strcmp(j->syms[k], f->extern_sym) == 0;
        if (predefined) continue;
        void *h = RTLD_DEFAULT;
        if (f->extern_lib) {
            h = dlopen(f->extern_lib, RTLD_NOW | RTLD_LOCAL);
            if (!h) {
                const char *why = dlerror();
                pf_diag *dg = pf_diag_error(d, f->src, f->line, 1, "extern def %s: cannot load library '%s'%s%s",
                                            f->src_name, f->extern_lib, why ? ": " : "", why ? why : "");
                pf_diag_hint(d, dg, "give the library's file name (\"libm.so.6\") or its path");
                ok = false;
                break;
            }
            opened[nopened++] = h;
        }
        dlerror();
        void *addr = dlsym(h, f->extern_sym);
        if (!addr) {
            pf_diag *dg = f->extern_lib
                ? pf_diag_error(d, f->src, f->line, 1, "extern def %s: no C symbol '%s' in '%s'", f->src_name,
                                f->extern_sym, f->extern_lib)
                : pf_diag_error(d, f->src, f->line, 1, "extern def %s: no C symbol '%s' in the process",
                                f->src_name, f->extern_sym);
            pf_diag_hint(d, dg, f->extern_lib ? "check the function's name in the library"
                                              : "check the name, or name its library: "
                                                "extern def f(...) -> T from \"libname.so\"");
            ok = false;
            break;
        }
        if (!j) continue;
        bool seen = false; /* defined by an earlier module, by the runtime table, or just above */
        for (size_t k = 0; k < j->nsyms && !seen; k++) seen = strcmp(j->syms[k], f->extern_sym) == 0;
        for (size_t k = 0; k < nrt && !seen; k++) seen = strcmp(rt[k].name, f->extern_sym) == 0;
        for (size_t k = 0; k < npairs && !seen; k++) seen = strcmp(names[k], f->extern_sym) == 0;
        if (seen) continue;
        names[npairs] = f->extern_sym;
        pairs[npairs].Name = LLVMOrcLLJITMangleAndIntern(j->jit, f->extern_sym);
        pairs[npairs].Sym.Address = (LLVMOrcJITTargetAddress)(uintptr_t)addr;
        pairs[npairs].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
        npairs++;
    }
    if (ok && j && nopened) {
        void **libs = realloc(j->libs, (j->nlibs + nopened) * sizeof *libs);
        if (libs) j->libs = libs;
        ok = libs != NULL;
    }
    if (ok && j && npairs) {
        char **syms = realloc(j->syms, (j->nsyms + npairs) * sizeof *syms);
        if (syms) j->syms = syms;
        size_t ndup = 0;
        while (syms && ndup < npairs && (j->syms[j->nsyms + ndup] = strdup(names[ndup])) != NULL) ndup++;
        ok = ndup == npairs;
        LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(pairs, npairs); /* takes the names */
        npairs = 0;
        LLVMErrorRef e = ok ? LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(j->jit), mu) : NULL;
        if (!ok || e) {
            LLVMOrcDisposeMaterializationUnit(mu);
            char *msg = e ? LLVMGetErrorMessage(e) : NULL;
            pf_diag_error(d, m->src, 1, 1, "extern def: cannot define the C symbols in the JIT: %s",
                          msg ? msg : "out of memory");
            if (msg) LLVMDisposeErrorMessage(msg);
            while (ndup) free(j->syms[j->nsyms + --ndup]);
            ok = false;
        }
        j->nsyms += ndup;
    }
    for (size_t k = 0; k < npairs; k++) LLVMOrcReleaseSymbolStringPoolEntry(pairs[k].Name);
    for (size_t k = 0; k < nopened; k++) {
        if (j && ok) j->libs[j->nlibs++] = opened[k];
        else dlclose(opened[k]);
    }
    free(opened);
    free(pairs);
    free(names);
    return ok;
}

bool cg_jit_add_externs(cg_jit *j, const ir_module *m, pf_diags *d) { return resolve_externs(m, d, j); }

bool cg_jit_define(cg_jit *j, const char *name, void *addr, char **err) {
    char *copy = strdup(name);
    char **syms = copy ? realloc(j->syms, (j->nsyms + 1) * sizeof *syms) : NULL;
    if (!syms) {
        free(copy);
        if (err) *err = dup_message("codegen: out of memory", NULL);
        return false;
    }
    j->syms = syms;
    LLVMOrcCSymbolMapPair pair;
    pair.Name = LLVMOrcLLJITMangleAndIntern(j->jit, name);
    pair.Sym.Address = (LLVMOrcJITTargetAddress)(uintptr_t)addr;
    pair.Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
    pair.Sym.Flags.TargetFlags = 0;
    LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(&pair, 1); /* takes the name */
    LLVMErrorRef e = LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(j->jit), mu);
    if (e) {
        LLVMOrcDisposeMaterializationUnit(mu);
        free(copy);
        if (err) *err = error_message("codegen: cannot define a symbol in the JIT: ", e);
        else LLVMConsumeError(e);
        return false;
    }
    j->syms[j->nsyms++] = copy;
    return true;
}

bool cg_check_externs(const ir_module *m, pf_diags *d) { return resolve_externs(m, d, NULL); }
