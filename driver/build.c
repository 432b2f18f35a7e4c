/* pfc build: ahead-of-time compilation. Compiles a .pf file like `pfc run` (same front end and
 * IR, codegen at -O0..-O3), checks its `extern def` symbols, writes an object file through the
 * LLVM target machine and links it with the system `cc` against the runtime archives (libpf_start,
 * libpf_launch, libpf_stdlib, libpf_rt), found next to pfc in the build tree or in <prefix>/lib/pf
 * after `cmake --install`. The executable runs like `pfc run FILE` (runtime/launch/start/start.c). */
#define _GNU_SOURCE
#include "codegen/codegen.h"
#include "driver/driver.h"
#include "ir/ir.h"
#include "parser/parser.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Set by driver/CMakeLists.txt: where the build tree keeps pfc and the runtime archives. */
#ifndef PF_BUILD_BINDIR
#define PF_BUILD_BINDIR ""
#endif
#ifndef PF_SANITIZE_FLAG
#define PF_SANITIZE_FLAG "" /* -fsanitize=... when the runtime is instrumented */
#endif
static const char *const build_libs[] = {PF_BUILD_LIB_START, PF_BUILD_LIB_LAUNCH, PF_BUILD_LIB_STDLIB,
                                         PF_BUILD_LIB_RT};
static const char *const lib_names[] = {"libpf_start.a", "libpf_launch.a", "libpf_stdlib.a", "libpf_rt.a"};
#define NLIBS 4

typedef struct build_opts {
    const char *path, *out;
    int level;            /* -O0..-O3, default 2 (as pfc run) */
    bool static_runtime;  /* --static-runtime: a fully static executable (C library included) */
} build_opts;

static int usage(const char *fmt, const char *arg) {
    fputs("pfc build: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nusage: pfc build [-O0|-O1|-O2|-O3] [--static-runtime] [--no-par] FILE [-o PROG]\n", stderr);
    return 2;
}

static int parse_opts(int argc, char **argv, build_opts *o) {
    memset(o, 0, sizeof *o);
    o->level = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) return usage("%s-o needs a file name", "");
            o->out = argv[++i];
        } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
            o->level = a[2] - '0';
        } else if (strcmp(a, "--static-runtime") == 0) {
            o->static_runtime = true;
        } else if (strcmp(a, "--no-par") == 0) {
            setenv("PF_NOPAR", "1", 1); /* read by ir_build (ir/par.c) */
        } else if (a[0] == '-' && a[1]) {
            return usage("unknown option '%s'", a);
        } else if (o->path) {
            return usage("more than one file given ('%s')", a);
        } else {
            o->path = a;
        }
    }
    if (!o->path) return usage("%sno file given", "");
    if (o->static_runtime && PF_SANITIZE_FLAG[0])
        return usage("--static-runtime: not available in a sanitizer build (%s)", PF_SANITIZE_FLAG);
    return 0;
}

/* The default output: FILE's name without its directory and .pf suffix, in the current directory. */
static char *default_out(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".pf") == 0) n -= 3;
    return strndup(base, n);
}

/* Fills lib[] with the runtime archives: the build tree's when pfc runs from it, else those of
 * the installation pfc belongs to (<prefix>/bin/pfc -> <prefix>/lib/pf/). false if missing. */
static bool find_libs(char lib[NLIBS][PATH_MAX]) {
    char exe[PATH_MAX], here[PATH_MAX], tree[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return false;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    bool in_tree = PF_BUILD_BINDIR[0] && realpath(exe, here) && realpath(PF_BUILD_BINDIR, tree) &&
                   strcmp(here, tree) == 0;
    for (int i = 0; i < NLIBS; i++) {
        int len = in_tree ? snprintf(lib[i], PATH_MAX, "%s", build_libs[i])
                          : snprintf(lib[i], PATH_MAX, "%s/../lib/pf/%s", exe, lib_names[i]);
        struct stat st;
        if (len >= PATH_MAX || stat(lib[i], &st) != 0) {
            fprintf(stderr, "pfc build: the runtime library %s is missing (build or install pf first)\n", lib[i]);
            return false;
        }
    }
    return true;
}

/* Links obj into o->out with cc. Returns 0, or 2 after cc reported why it failed. */
static int link_program(const build_opts *o, const ir_module *prog, const char *obj) {
    char lib[NLIBS][PATH_MAX];
    if (!find_libs(lib)) return 2;
    const char *argv[64 + 2 * 16];
    char extra[16][PATH_MAX + 4];
    int n = 0, nextra = 0;
    argv[n++] = "cc";
    if (o->static_runtime) argv[n++] = "-static";
    if (PF_SANITIZE_FLAG[0]) argv[n++] = PF_SANITIZE_FLAG;
    argv[n++] = "-o";
    argv[n++] = o->out;
    argv[n++] = obj;
    argv[n++] = "-Wl,--start-group";
    for (int i = 0; i < NLIBS; i++) argv[n++] = lib[i];
    argv[n++] = "-Wl,--end-group";
    /* the libraries of `extern def ... from "lib"`: a path as it is, a file name through -l: (in a
     * static link, libNAME.so.N becomes -lNAME, which finds libNAME.a) */
    for (int32_t i = 0; i < prog->nfuncs; i++) {
        const char *l = prog->funcs[i]->extern_lib;
        if (!l) continue;
        char buf[PATH_MAX + 4];
        if (strchr(l, '/')) {
            snprintf(buf, sizeof buf, "%s", l);
        } else if (o->static_runtime && strncmp(l, "lib", 3) == 0 && strstr(l, ".so")) {
            snprintf(buf, sizeof buf, "-l%.*s", (int)(strstr(l, ".so") - l - 3), l + 3);
        } else {
            snprintf(buf, sizeof buf, "-l:%s", l);
        }
        bool dup = false;
        for (int k = 0; k < nextra && !dup; k++) dup = strcmp(extra[k], buf) == 0;
        if (dup) continue;
        if (nextra == 16) {
            fprintf(stderr, "pfc build: more than 16 extern libraries\n");
            return 2;
        }
        memcpy(extra[nextra], buf, sizeof buf);
        argv[n++] = extra[nextra++];
    }
    argv[n++] = "-lm";
    argv[n++] = "-lpthread";
    argv[n] = NULL;
    pid_t pid;
    int rc = posix_spawnp(&pid, "cc", NULL, NULL, (char *const *)argv, environ);
    if (rc != 0) {
        fprintf(stderr, "pfc build: cannot run cc: %s\n", strerror(rc));
        return 2;
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    fprintf(stderr, "pfc build: linking %s failed\n", o->out);
    for (int32_t i = 0; i < prog->nfuncs; i++)
        if (prog->funcs[i]->extern_sym && !prog->funcs[i]->extern_lib) {
            fputs("hint: an extern def without `from \"lib\"` is linked from libc and libm only\n", stderr);
            break;
        }
    unlink(o->out);
    return 2;
}

int driver_build(int argc, char **argv) {
    build_opts o;
    int st = parse_opts(argc, argv, &o);
    if (st) return st;
    char *out_alloc = o.out ? NULL : default_out(o.path);
    if (!o.out) o.out = out_alloc;

    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    int status = 2, err = 0;
    cg_module *m = NULL;
    char *msg = NULL;
    char obj[] = "/tmp/pfc-build-XXXXXX.o";
    bool have_obj = false;
    pf_source *src = pf_source_from_file(&a, o.path, &err);
    if (!src) {
        fprintf(stderr, "pfc: cannot read '%s': %s\n", o.path, strerror(err));
        goto done;
    }
    ast_module *ast = parse_module(&a, &d, src);
    ir_module *prog = ast && !pf_diags_has_errors(&d) ? ir_build(&a, &d, ast, o.path) : NULL;
    if (!prog || pf_diags_has_errors(&d) || !cg_check_externs(prog, &d)) {
        pf_diags_print(&d, stderr);
        goto done;
    }
    m = cg_compile(prog, &msg);
    if (!m || !cg_module_optimize(m, o.level, &msg)) {
        fprintf(stderr, "pfc: %s\n", msg ? msg : "code generation failed");
        goto done;
    }
    int fd = mkstemps(obj, 2);
    if (fd < 0) {
        fprintf(stderr, "pfc build: cannot create a temporary object file: %s\n", strerror(errno));
        goto done;
    }
    close(fd);
    have_obj = true;
    if (!cg_module_emit_object(m, obj, o.level, &msg)) {
        fprintf(stderr, "pfc: %s\n", msg ? msg : "cannot write the object file");
        goto done;
    }
    status = link_program(&o, prog, obj);
done:
    if (have_obj) unlink(obj);
    cg_free_message(msg);
    cg_module_free(m);
    pf_arena_free(&a);
    free(out_alloc);
    return status;
}
