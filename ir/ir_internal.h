/* Private declarations shared by the files of ir/: the builder state of one compilation, the
 * resolver's records of defs, classes and module names, the specialisation table, and the
 * helpers each file exports to the others (types.c, resolve.c, infer.c, expr.c, builtins.c). */
#ifndef PF_IR_INTERNAL_H
#define PF_IR_INTERNAL_H

#include "ir/ir.h"

#include <string.h>

#define IR_LIMIT (1 << 24) /* generic cap for PF_VEC_PUSH of internal arrays */

typedef struct { const char **items; int32_t len, cap; } namevec;
typedef struct { ir_type **items; int32_t len, cap; } typevec;
typedef struct { ir_expr **items; int32_t len, cap; } exprvec;

typedef struct classdef classdef;
typedef struct spec spec;
typedef struct modinfo modinfo;

/* One def, method or lambda, as the resolver sees it (ir_fndef in ir.h). */
struct ir_fndef {
    const char *name;            /* "f", "Model.update", "<lambda>" */
    const char *qual;            /* name used in mangled names: "f", "Model.update", "<lambda>@3:9" */
    const ast_stmt *def;         /* AST_DEF, or NULL for a lambda */
    const ast_expr *lambda;      /* AST_LAMBDA, or NULL */
    const ast_param_list *params;
    ir_fndef *parent;            /* enclosing def (closures), NULL at module level / methods */
    classdef *cls;               /* method's class, or NULL */
    modinfo *mod;                /* module whose globals it reads */
    namevec bound;               /* params and names bound in the body (Python's local rule) */
    namevec captures;            /* free names bound in an enclosing def/comprehension, in order */
    struct dflt {
        ir_global *g;            /* a non-literal default of a module-level def or method: its
                                    value, computed when the def statement runs (as Python) */
        int32_t gpass;
    } *dflts;                    /* per parameter, or NULL */
    int32_t line, col;
};

/* A class statement. Fields are found by scanning __init__ for `self.x = ...` in order. */
struct classdef {
    const char *name;
    const ast_stmt *ast;
    modinfo *mod;
    ir_class *cls;               /* with its CLASS type (fields joined across passes) */
    namevec method_names;
    ir_fndef **methods;          /* parallel to method_names */
    int32_t *field_line, *field_col; /* where each field's current type was first assigned */
};

/* What a module-level name denotes. */
typedef enum gkind { G_VAR = 1, G_DEF, G_CLASS, G_MODULE, G_IMPORTED } gkind;
typedef enum bmod { BM_NONE = 0, BM_MATH, BM_RANDOM, BM_TIME, BM_PF, BM_SYS, BM_USER } bmod;

typedef struct gname {
    const char *name;
    gkind kind;
    ir_fndef *def;               /* G_DEF */
    classdef *cls;               /* G_CLASS */
    bmod module;                 /* G_MODULE: which module; G_IMPORTED: builtin module of name */
    modinfo *umod;               /* G_MODULE/G_IMPORTED of a user module */
    const char *member;          /* G_IMPORTED: the name imported from the module */
    bool is_global;              /* G_VAR read by some function: an ir_global */
    ir_global *global;           /* persistent once is_global */
    int32_t gpass;               /* pass in which global was added to the module's list */
    const ast_expr *constant;    /* G_VAR bound exactly once, at top level, to a literal:
                                    functions read the literal itself (`N = 8`) */
    bool late;                   /* G_VAR a def may read before the module assigns it
                                    (resolve.c mark_late): ir_global.check_defined */
    int32_t line, col;           /* first binding, for type-conflict notes */
} gname;

/* One pf source file (the script or an imported foo.pf). */
struct modinfo {
    const char *name;            /* "__main__" or "foo" */
    const ast_module *ast;
    const pf_source *src;
    gname *names;
    int32_t nnames, capnames;
    bool emitted;                /* its module-level code was placed in main this pass */
};

/* A persistent variable of one specialisation (kept across passes): its joined type. */
typedef struct var {
    const char *name;
    ir_type *type;               /* join of every binding seen so far (UNKNOWN at first) */
    int32_t line, col;           /* binding that gave the current type (for conflict notes) */
    ir_local *local;             /* this pass's slot, or NULL until first use in the pass */
    int32_t poisoned;            /* pass in which it was assigned an erroneous value (reported
                                    in the final pass): reads of a still-unknown type are then
                                    silently erroneous too */
    int32_t pass;                /* pass in which `local` was made */
} var;

/* One specialisation: (def, closure type, argument types). */
struct spec {
    ir_fndef *def;               /* NULL for main */
    ir_type *env;                /* FUNC type with captures, or NULL */
    ir_type **argt;
    int32_t nargs;
    ir_func *func;               /* same object every pass; contents rebuilt */
    ir_type *ret;                /* join of returns so far (UNKNOWN at first) */
    int32_t ret_line, ret_col;
    var **vars;
    int32_t nvars, capvars;
    int32_t pass;                /* last pass it was elaborated in */
    int32_t caplocals;           /* capacity of func->locals this pass */
    bool busy;                   /* being elaborated now (recursion) */
    int32_t ret_error;           /* pass in which a return value was erroneous */
    spec *redirect;              /* its argument types had unknown parts (`f([])`) that the body
                                    determined: callers use this refined specialisation */
};

/* The state of one ir_build. */
typedef struct irb {
    pf_arena *a;
    pf_diags *d;
    const char *path;
    int32_t pass;
    bool final;                  /* diagnostics enabled (the pass whose IR is kept) */
    bool generic;                /* checking a def that no call reaches, with unknown argument
                                    types: only type-independent errors (names, mutation) */
    bool changed;                /* a persistent type changed during this pass */
    int32_t quiet;               /* > 0: suppress diagnostics (trial elaborations) */
    typevec types;               /* interned types */
    ir_type *t_int, *t_float, *t_bool, *t_none, *t_str, *t_exc, *t_unknown, *t_error;
    spec **specs;
    int32_t nspecs, capspecs;
    modinfo **mods;              /* [0] = the script */
    int32_t nmods, capmods;
    classdef **classes;
    int32_t nclasses, capclasses;
    ir_fndef **defs;
    int32_t ndefs, capdefs;
    ir_module *m;                /* built in the final pass */
    struct { ir_func **items; int32_t len, cap; } funcs; /* reached this pass */
    struct { ir_global **items; int32_t len, cap; } globals;
    int32_t depth;               /* elaboration recursion depth */
    struct { ir_fndef **items; int32_t len, cap; } blambdas; /* rs_builtin_lambda cache */
    const ir_env *env;           /* ir_build_env's environment, or NULL */
    const pf_source *fin_src;    /* finalisation: the function's file */
    bool fin_reported;           /* finalisation: one "cannot infer" error is enough */
} irb;

/* types.c */
void ty_init(irb *b);
ir_type *ty_list(irb *b, ir_type *elem);
ir_type *ty_dict(irb *b, ir_type *k, ir_type *v);
ir_type *ty_tuple(irb *b, ir_type **elems, int32_t n);
ir_type *ty_opt(irb *b, ir_type *t);     /* T | None; NONE -> NONE; optional stays */
ir_type *ty_func(irb *b, ir_fndef *def, ir_type **caps, int32_t n);
ir_type *ty_class(irb *b, ir_class *c);  /* a new CLASS type (one per class) */
void ty_class_respell(irb *b, ir_type *t);
/* Join of two binding types; NULL when incompatible (the caller reports both places). */
ir_type *ty_join(irb *b, ir_type *x, ir_type *y);
bool ty_has_unknown(const ir_type *t);
bool ty_has_error(const ir_type *t);
bool ty_is_bad(const ir_type *t);        /* UNKNOWN or ERROR at the top */
ir_type *ty_default(irb *b, ir_type *t); /* UNKNOWN parts -> None */
bool ty_is_num(const ir_type *t);        /* int, float, bool */
int32_t ty_depth(const ir_type *t);      /* nesting: int 1, list[int] 2, ... */
bool ty_is_obj(const ir_type *t);
bool ty_homog_tuple(const ir_type *t);   /* tuple whose components all have one type */
/* The type a spelling names (ir_env_var.type); class names are looked up in mi. NULL if the
 * spelling is not one ir_type_str writes or names no class of mi. */
ir_type *ty_parse(irb *b, modinfo *mi, const char *spelling);

/* resolve.c */
bool rs_module(irb *b, modinfo *mi);     /* module table, defs, classes, captures, globals */
gname *rs_lookup(modinfo *mi, const char *name);
/* The ir_global of g (a G_VAR of mi read by functions, or kept by a session), added to this
 * pass's list of globals on first use in the pass. */
ir_global *ir_global_of(irb *b, modinfo *mi, gname *g);
void rs_late_binding(irb *b, modinfo *mi); /* latebind.c: reject captures Python would read late */
/* A builtin used as a value (`map(str, xs)` is fine without this, `fold(max, xs, 0)` is not):
 * a synthesized `lambda a: str(a)` / `lambda a, b: max(a, b)`, or NULL if it has no arity. */
ir_fndef *rs_builtin_lambda(irb *b, modinfo *mi, const char *name, int32_t line, int32_t col);
bool names_has(const namevec *v, const char *n);
int32_t names_index(const namevec *v, const char *n);
ir_fndef *rs_method(classdef *c, const char *name);

/* diagnostics (infer.c): suppressed outside the final pass */
pf_diag *ir_err(irb *b, const pf_source *src, int32_t line, int32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void ir_note(irb *b, const pf_source *src, int32_t line, int32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void ir_hint(irb *b, pf_diag *dg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

/* ------------------------------------------------------------------------------------------
 * Elaboration of one function body (infer.c statements, expr.c expressions). */
typedef struct scope_ent {
    const char *name;
    ir_local *local;
} scope_ent;

typedef struct fctx {
    irb *b;
    spec *sp;                 /* the specialisation being built (main: def == NULL) */
    ir_func *fn;
    ir_fndef *def;            /* NULL for module-level code */
    modinfo *mod;             /* module whose names are global here */
    const pf_source *src;
    ir_block *blk;            /* where statements are appended */
    scope_ent *cs;            /* comprehension scopes, innermost last */
    int32_t ncs, capcs;
    var **facts;              /* variables known not to be None here (narrowing) */
    int32_t nfacts, capfacts;
    bool reachable;           /* the current point can be reached */
    int32_t loops;            /* enclosing loops (break/continue allowed) */
    int32_t handlers;         /* enclosing except clauses (bare raise allowed) */
    bool is_init;             /* __init__ of a class: self.f = v allowed */
    const char *self_name;    /* its first parameter */
    classdef *cls;            /* method's class */
    int32_t ntemps;
    bool module_names;        /* resolving a default argument: only module names are visible */
    bool iter_dead;           /* the last ex_iter's source is statically empty ([] of unknown
                                 element type, in the final pass): its body never runs */
} fctx;

/* infer.c */
var *fc_var(fctx *fc, const char *name);
ir_local *fc_local(fctx *fc, var *v);
ir_local *fc_temp(fctx *fc, ir_type *t, const char *hint);
ir_stmt *fc_stmt(fctx *fc, ir_stmt_kind k, int32_t line, int32_t col);
void fc_emit(fctx *fc, ir_stmt *s);
bool fc_narrowed(fctx *fc, var *v);
void fc_fact_add(fctx *fc, var *v);
void fc_fact_del(fctx *fc, var *v);
/* Bind `value` to the target pattern (NAME, TUPLE/LIST of targets, self.f in __init__). */
void fc_assign(fctx *fc, const ast_expr *target, ir_expr *value);
/* Bind a plain name (function var, module var/global, or comprehension name when comp). */
void fc_assign_name(fctx *fc, const char *name, ir_expr *value, int32_t line, int32_t col);
spec *sp_get(irb *b, ir_fndef *def, ir_type *env, ir_type **argt, int32_t nargs);
void sp_elaborate(irb *b, spec *sp);
bool ir_type_join_into(irb *b, ir_type **slot, ir_type *t);
ir_type *ir_ann_type(fctx *fc, const ast_expr *e);
ir_type *ir_annotation(fctx *fc, const ast_expr *e);
ir_expr *ir_fit_annotation(fctx *fc, ir_expr *v, ir_type *want);
bool ir_is_literal(const ast_expr *v);
/* The hidden global holding default `i` of d (added to this pass's globals). */
ir_global *ir_default_global(irb *b, ir_fndef *d, int32_t i);

/* expr.c */
ir_expr *ex_new(fctx *fc, ir_expr_kind k, ir_type *t, int32_t line, int32_t col);
void ex_arg(fctx *fc, ir_expr *e, ir_expr *arg);
ir_expr *ex_expr(fctx *fc, const ast_expr *e);
ir_expr *ex_truth(fctx *fc, ir_expr *e);
ir_expr *ex_cond(fctx *fc, const ast_expr *e);
ir_expr *ex_coerce(fctx *fc, ir_expr *e, ir_type *t, int32_t line, int32_t col, const char *what);
ir_expr *ex_local(fctx *fc, ir_local *l, int32_t line, int32_t col);
ir_expr *ex_none(fctx *fc, int32_t line, int32_t col);
ir_expr *ex_str(fctx *fc, const char *s, int32_t n, int32_t line, int32_t col);
/* An IR_OP_PRINT head (values follow as args); NULL sep/end/flush: ' ', '\n', False. */
ir_expr *ex_print(fctx *fc, ir_expr *sep, ir_expr *end, ir_expr *flush, int32_t line, int32_t col);
ir_expr *ex_binop(fctx *fc, ast_binop op, ir_expr *l, ir_expr *r, int32_t line, int32_t col);
/* The source of a for statement (comp false: targets are function variables) or a comprehension
 * clause (comp true: targets are new scoped locals). target NULL: the whole element is put in a
 * local returned through *whole. */
ir_iter *ex_iter(fctx *fc, const ast_expr *src, const ast_expr *target, bool comp, ir_local **whole);
ir_expr *ex_func_value(fctx *fc, ir_fndef *d, int32_t line, int32_t col);
/* `x is None` (negate: `is not None`) of an already built x. */
ir_expr *ex_is_none(fctx *fc, ir_expr *x, bool negate, int32_t line, int32_t col);
/* Narrowing facts a condition implies when true (positive) or false. */
void ex_cond_facts(fctx *fc, const ast_expr *cond, bool positive);
/* Statically known truth of an `is None` test: 1 true, 0 false, -1 unknown. */
int ex_static_cond(fctx *fc, const ast_expr *cond);
