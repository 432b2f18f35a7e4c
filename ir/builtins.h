/* Private interface between expr.c (general expressions) and builtins.c (builtin functions,
 * methods of str/list/dict, and the math/random/time/pf modules). */
#ifndef PF_IR_BUILTINS_H
#define PF_IR_BUILTINS_H

#include "ir/ir_internal.h"

/* Something a builtin calls per element (map's f, key=): a function value or a builtin name. */
typedef struct callable {
    ir_expr *value;       /* FUNC-typed value, or NULL */
    const char *builtin;  /* builtin name (str, len, abs, ...), or NULL */
    const ast_expr *method; /* `str.lower`: an AST_ATTR naming a method of a builtin type */
    ir_expr *self;        /* bound method `d.get` / `model.predict`: the object (re-read per
                             application, so it must be cheap and pure: a name or field) */
    const ast_expr *bound; /* its AST_ATTR */
    ir_fndef *mdef;       /* a class method, or NULL for a builtin type's method */
} callable;

/* Saved scope while a comprehension is open. */
typedef struct comp_state {
    int32_t ncs, nfacts;
    var **facts;
    bool dead;            /* a source is statically empty: elements elaborated quietly, the
                             result is the empty one */
} comp_state;

/* expr.c */
ir_expr *ex_err(fctx *fc, int32_t line, int32_t col);
ir_expr *ex_int(fctx *fc, int64_t v, int32_t line, int32_t col);
ir_expr *ex_float(fctx *fc, double v, int32_t line, int32_t col);
ir_expr *ex_bool(fctx *fc, bool v, int32_t line, int32_t col);
ir_expr *ex_op(fctx *fc, ir_op op, ir_type *t, bool raises, int32_t line, int32_t col);
ir_expr *ex_op1(fctx *fc, ir_op op, ir_type *t, bool raises, ir_expr *a);
ir_expr *ex_op2(fctx *fc, ir_op op, ir_type *t, bool raises, ir_expr *a, ir_expr *b);
ir_type *ex_bad(fctx *fc, ir_expr *const *xs, int32_t n);
ir_expr *ex_bad_result(fctx *fc, ir_type *t, int32_t line, int32_t col);
ir_expr *ex_convert(fctx *fc, ir_expr *e, ir_type *t);
ir_expr *ex_tuple_get(fctx *fc, ir_expr *t, int32_t i);
bool ex_unify(fctx *fc, ir_expr **xs, int32_t n, const char *what, ir_type **out);
ir_expr *ex_let(fctx *fc, ir_expr *x, ir_expr **ref);
ir_expr *ex_let_body(ir_expr *let, ir_expr *body);
ir_expr *ex_call_def(fctx *fc, ir_fndef *d, ir_type *env, ir_expr *envx, ir_expr **args,
                     int32_t nargs, const ast_expr *call, int32_t line, int32_t col);
ir_expr *ex_apply(fctx *fc, callable *c, ir_expr **args, int32_t n, int32_t line, int32_t col);
callable ex_callable(fctx *fc, const ast_expr *e);
ir_comp *ex_comp_open(fctx *fc, ir_comp_kind k, const ast_expr *e, comp_state *st);
ir_comp *ex_comp_over(fctx *fc, ir_comp_kind k, const ast_expr *src, comp_state *st, ir_local **elt);
void ex_comp_add_clause(fctx *fc, ir_comp *c, ir_iter *it, ir_expr *cond);
ir_expr *ex_comp_close(fctx *fc, ir_comp *c, comp_state *st, ir_type *t, int32_t line, int32_t col);

/* builtins.c */
bool bi_is_builtin(irb *b, const char *name);
ir_expr *bi_call(fctx *fc, const char *name, const ast_expr *call);
ir_expr *bi_module_call(fctx *fc, bmod m, const char *name, const ast_expr *call);
ir_expr *bi_module_attr(fctx *fc, bmod m, const char *name, int32_t line, int32_t col);
ir_expr *bi_value_attr(fctx *fc, ir_expr *o, const char *name, const ast_expr *e);
ir_expr *bi_method(fctx *fc, ir_expr *o, const char *name, const ast_expr *call);
ir_expr *bi_apply(fctx *fc, const char *name, ir_expr **args, int32_t n, int32_t line, int32_t col);
ir_expr *bi_list_of(fctx *fc, ir_expr *x, int32_t line, int32_t col); /* list(x) of a value */
/* A method call on a value of unknown type (a def no call reaches): report the mutating list
 * methods, whose names no immutable type has. */
void bi_generic_method_check(fctx *fc, const char *name, int32_t line, int32_t col);

#endif
