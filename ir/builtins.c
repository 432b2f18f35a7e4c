/* Builtin functions (print, len, sum, min, sorted, map, ...), the methods of str/list/dict, and
 * the math/random/time/pf modules, each resolved to an ir_op or a structured comprehension with
 * typed operands. Mutating methods (append, sort, update, ...) are rejected here with a hint
 * saying what to write instead. */
#include "ir/builtins.h"

static const char *const builtin_names[] = {
    "print", "len",   "range",  "zip",  "enumerate", "sum",   "min",   "max",  "any",
    "all",   "sorted", "reversed", "map", "filter", "abs", "round", "int",  "float",
    "str",   "bool",  "tuple",  "list", "dict",      "isinstance", "repr", "chr", "ord",
    "set",   "BaseException", "Exception", "ArithmeticError", "ZeroDivisionError", "OverflowError",
    "LookupError", "IndexError", "KeyError", "ValueError", "AssertionError", "RuntimeError",
    "RecursionError", "TypeError", "AttributeError", "StopIteration", "NameError",
};

bool bi_is_builtin(irb *b, const char *name)
{
    (void)b;
    for (size_t i = 0; i < sizeof builtin_names / sizeof builtin_names[0]; i++)
        if (!strcmp(builtin_names[i], name)) return true;
    return false;
}

/* ------------------------------------------------------------------------- arguments */

typedef struct args {
    const ast_expr *call;
    const ast_expr_list *pos;
    const ast_keyword_list *kw;
} args;

static args get_args(const ast_expr *call)
{
    args a = {call, &call->u.call.args, &call->u.call.keywords};
    return a;
}

static const ast_expr *kwarg(args *a, const char *name)
{
    for (int32_t i = 0; i < a->kw->len; i++)
        if (!strcmp(a->kw->items[i].name, name)) return a->kw->items[i].value;
    return NULL;
}

/* Report keywords other than the allowed ones (NULL-terminated list). */
static bool check_kw(fctx *fc, args *a, const char *fn, const char *const *allowed)
{
    bool ok = true;
    for (int32_t i = 0; i < a->kw->len; i++) {
        const ast_keyword *k = &a->kw->items[i];
        bool found = false;
        for (int32_t j = 0; allowed && allowed[j]; j++) found |= !strcmp(allowed[j], k->name);
        if (!found) {
            ir_err(fc->b, fc->src, k->line, k->col, "%s() got an unexpected keyword argument '%s'", fn, k->name);
            ok = false;
        }
    }
    return ok;
}

static bool check_n(fctx *fc, args *a, const char *fn, int32_t lo, int32_t hi)
{
    int32_t n = a->pos->len;
    if (n >= lo && n <= hi) return true;
    if (lo == hi)
        ir_err(fc->b, fc->src, a->call->op_line, a->call->op_col, "%s() takes %d argument%s (%d given)", fn,
               (int)lo, lo == 1 ? "" : "s", (int)n);
    else
        ir_err(fc->b, fc->src, a->call->op_line, a->call->op_col,
               "%s() takes %d to %d arguments (%d given)", fn, (int)lo, (int)hi, (int)n);
    return false;
}

static ir_expr *need(fctx *fc, ir_expr *x, ir_type_kind k, const char *what)
{
    if (ty_is_bad(x->type) || x->type->kind == k) return x;
    irb *b = fc->b;
    if (k == IR_T_FLOAT && (x->type->kind == IR_T_INT || x->type->kind == IR_T_BOOL))
        return ex_convert(fc, x, b->t_float);
    if (k == IR_T_INT && x->type->kind == IR_T_BOOL) return ex_convert(fc, x, b->t_int);
    static const char *const names[] = {[IR_T_INT] = "an int", [IR_T_FLOAT] = "a float",
                                        [IR_T_STR] = "a str", [IR_T_BOOL] = "a bool",
                                        [IR_T_LIST] = "a list"};
    pf_diag *dg = ir_err(b, fc->src, x->line, x->col, "%s must be %s, not %s", what,
                         k < (int)(sizeof names / sizeof names[0]) && names[k] ? names[k] : "?",
                         x->type->str);
    if (x->type->kind == IR_T_OPTIONAL) ir_hint(b, dg, "the value may be None; test `if x is not None:` first");
    return ex_err(fc, x->line, x->col);
}

/* ----------------------------------------------------------------- unary conversions */

static ir_expr *u_str(fctx *fc, ir_expr *x)
{
    if (x->type->kind == IR_T_STR || ty_is_bad(x->type)) return x;
    if (x->type->kind == IR_T_EXC) return ex_op1(fc, IR_OP_EXC_STR, fc->b->t_str, false, x);
    return ex_op1(fc, IR_OP_STR, fc->b->t_str, true, x);
}

static ir_expr *u_len(fctx *fc, ir_expr *x, int32_t line, int32_t col)
{
    irb *b = fc->b;
    if (ty_is_bad(x->type)) return ex_bad_result(fc, x->type->kind == IR_T_ERROR ? x->type : b->t_int, line, col);
    ir_type_kind k = x->type->kind;
    if (k == IR_T_STR || k == IR_T_LIST || k == IR_T_TUPLE || k == IR_T_DICT) {
        if (k == IR_T_TUPLE) return ex_int(fc, x->type->n, line, col);
        ir_expr *e = ex_op1(fc, IR_OP_LEN, b->t_int, false, x);
        e->line = line;
        e->col = col;
        return e;
    }
    pf_diag *dg = ir_err(b, fc->src, x->line, x->col, "object of type %s has no len()", x->type->str);
    if (k == IR_T_OPTIONAL) ir_hint(b, dg, "the value may be None; test `if x is not None:` first");
    return ex_err(fc, line, col);
}

static ir_expr *u_abs(fctx *fc, ir_expr *x)
{
    if (ty_is_bad(x->type)) return x;
    if (x->type->kind == IR_T_BOOL) x = ex_convert(fc, x, fc->b->t_int);
    if (x->type->kind != IR_T_INT && x->type->kind != IR_T_FLOAT) {
        ir_err(fc->b, fc->src, x->line, x->col, "bad operand type for abs(): %s", x->type->str);
        return ex_err(fc, x->line, x->col);
    }
    return ex_op1(fc, IR_OP_ABS, x->type, x->type->kind == IR_T_INT, x);
}

static ir_expr *u_int(fctx *fc, ir_expr *x)
{
    irb *b = fc->b;
    if (ty_is_bad(x->type) || x->type->kind == IR_T_INT) return x;
    ir_type_kind k = x->type->kind;
    if (k == IR_T_BOOL) return ex_convert(fc, x, b->t_int);
    if (k == IR_T_FLOAT || k == IR_T_STR) return ex_op1(fc, IR_OP_INT, b->t_int, true, x);
    ir_err(b, fc->src, x->line, x->col, "int() cannot convert %s", x->type->str);
    return ex_err(fc, x->line, x->col);
}

static ir_expr *u_float(fctx *fc, ir_expr *x)
{
    irb *b = fc->b;
    if (ty_is_bad(x->type) || x->type->kind == IR_T_FLOAT) return x;
    ir_type_kind k = x->type->kind;
    if (k == IR_T_BOOL || k == IR_T_INT) return ex_convert(fc, x, b->t_float);
    if (k == IR_T_STR) return ex_op1(fc, IR_OP_FLOAT, b->t_float, true, x);
    ir_err(b, fc->src, x->line, x->col, "float() cannot convert %s", x->type->str);
    return ex_err(fc, x->line, x->col);
}

static ir_expr *u_round(fctx *fc, ir_expr *x, ir_expr *nd)
{
    irb *b = fc->b;
    if (ty_is_bad(x->type)) return x;
    if (x->type->kind == IR_T_BOOL) x = ex_convert(fc, x, b->t_int);
    if (x->type->kind == IR_T_INT) {
        if (!nd) return x;
        return ex_op2(fc, IR_OP_ROUND, b->t_int, true, x, need(fc, nd, IR_T_INT, "round() ndigits"));
    }
    if (x->type->kind != IR_T_FLOAT) {
        ir_err(b, fc->src, x->line, x->col, "round() of %s", x->type->str);
        return ex_err(fc, x->line, x->col);
    }
    if (!nd) return ex_op1(fc, IR_OP_ROUND, b->t_int, true, x);
    return ex_op2(fc, IR_OP_ROUND, b->t_float, false, x, need(fc, nd, IR_T_INT, "round() ndigits"));
}

ir_expr *bi_apply(fctx *fc, const char *name, ir_expr **a, int32_t n, int32_t line, int32_t col)
{
    irb *b = fc->b;
    if (n == 1) {
        if (!strcmp(name, "str")) return u_str(fc, a[0]);
        if (!strcmp(name, "repr")) return ty_is_bad(a[0]->type) ? a[0] : ex_op1(fc, IR_OP_REPR, b->t_str, true, a[0]);
        if (!strcmp(name, "len")) return u_len(fc, a[0], line, col);
        if (!strcmp(name, "abs")) return u_abs(fc, a[0]);
        if (!strcmp(name, "int")) return u_int(fc, a[0]);
        if (!strcmp(name, "float")) return u_float(fc, a[0]);
        if (!strcmp(name, "bool")) return ex_truth(fc, a[0]);
        if (!strcmp(name, "round")) return u_round(fc, a[0], NULL);
    }
    pf_diag *dg = ir_err(b, fc->src, line, col, "builtin '%s' cannot be passed as a function here", name);
    ir_hint(b, dg, "wrap it in a lambda");
    return ex_err(fc, line, col);
}

ir_expr *bi_list_of(fctx *fc, ir_expr *x, int32_t line, int32_t col)
{
    irb *b = fc->b;
    if (x->type->kind == IR_T_LIST || ty_is_bad(x->type)) return x;
    comp_state st;
    ir_comp *c = ex_comp_open(fc, IR_COMP_LIST, NULL, &st);
    ir_iter *it = pf_arena_alloc(b->a, sizeof *it);
    it->line = line;
    it->col = col;
    it->a = x;
    ir_type *et = NULL;
    switch (x->type->kind) {
    case IR_T_STR: it->kind = IR_IT_STR; et = b->t_str; break;
    case IR_T_DICT: it->kind = IR_IT_DICT_KEYS; et = x->type->elems[0]; break;
    case IR_T_TUPLE:
        if (ty_homog_tuple(x->type)) {
            it->kind = IR_IT_TUPLE;
            et = x->type->elems[0];
            break;
        }
        /* fallthrough */
    default:
        ir_err(b, fc->src, line, col, "cannot make a list from %s", x->type->str);
        fc->ncs = st.ncs;
        return ex_err(fc, line, col);
    }
    it->var = fc_temp(fc, et, "x");
    ex_comp_add_clause(fc, c, it, NULL);
    c->elt = ex_local(fc, it->var, line, col);
    return ex_comp_close(fc, c, &st, ty_list(b, et), line, col);
}

/* ------------------------------------------------------------------------- reductions */

/* Open the comprehension for a reduction over its sole argument (a generator expression or
 * any iterable); returns the element expression through *elt. */
static ir_comp *reduce_open(fctx *fc, ir_comp_kind k, const ast_expr *src, comp_state *st, ir_expr **elt)
{
    if (src->kind == AST_GENEXP) {
        ir_comp *c = ex_comp_open(fc, k, src, st);
        *elt = ex_expr(fc, src->u.comp.elt);
        return c;
    }
    ir_local *v = NULL;
    ir_comp *c = ex_comp_over(fc, k, src, st, &v);
    *elt = v ? ex_local(fc, v, src->line, src->col) : ex_err(fc, src->line, src->col);
    return c;
}

static ir_expr *r_sum(fctx *fc, args *a)
{
    irb *b = fc->b;
    static const char *const kws[] = {"start", NULL};
    if (!check_kw(fc, a, "sum", kws) || !check_n(fc, a, "sum", 1, 2)) return ex_err(fc, a->call->line, a->call->col);
    const ast_expr *start = a->pos->len == 2 ? a->pos->items[1] : kwarg(a, "start");
    ir_expr *init = start ? ex_expr(fc, start) : NULL;
    comp_state st;
    ir_expr *elt;
    ir_comp *c = reduce_open(fc, IR_COMP_SUM, a->pos->items[0], &st, &elt);
    ir_type *t;
    ir_expr *xs[2] = {elt, init};
    ir_type *bad = ex_bad(fc, xs, 2);
    if (bad) t = bad;
    else if (!ty_is_num(elt->type) || (init && !ty_is_num(init->type))) {
        ir_type *bt = ty_is_num(elt->type) ? init->type : elt->type;
        pf_diag *dg = ir_err(fc->b, fc->src, a->call->op_line, a->call->op_col, "sum() of %s is not supported",
                             bt->str);
        if (bt->kind == IR_T_STR) ir_hint(b, dg, "use ''.join(...)");
        else if (bt->kind == IR_T_LIST) ir_hint(b, dg, "use a comprehension, or + in a loop");
        t = b->t_error;
    } else {
        bool f = elt->type->kind == IR_T_FLOAT || (init && init->type->kind == IR_T_FLOAT);
        t = f ? b->t_float : b->t_int;
        elt = ex_convert(fc, elt, t);
        init = init ? ex_convert(fc, init, t) : f ? ex_float(fc, 0.0, a->call->line, a->call->col)
                                                  : ex_int(fc, 0, a->call->line, a->call->col);
    }
    c->elt = elt;
    c->init = init;
    return ex_comp_close(fc, c, &st, t, a->call->op_line, a->call->op_col);
}

static bool orderable_t(const ir_type *t)
{
    switch (t->kind) {
    case IR_T_INT: case IR_T_FLOAT: case IR_T_BOOL: case IR_T_STR: return true;
    case IR_T_UNKNOWN: case IR_T_ERROR: return true; /* absorbs: a def checked uncalled */
    case IR_T_LIST: return orderable_t(t->elems[0]);
    case IR_T_TUPLE:
        for (int32_t i = 0; i < t->n; i++)
            if (!orderable_t(t->elems[i])) return false;
        return true;
    default: return false;
    }
}

/* min/max/sorted with key=: the key is computed from key_var by applying the callable. */
static ir_expr *with_key(fctx *fc, ir_comp *c, ir_expr *elt, callable *key, ir_type **keyt)
{
    *keyt = elt->type;
    if (!key) return NULL;
    c->key_var = fc_temp(fc, elt->type, "key");
    ir_expr *kv = ex_local(fc, c->key_var, elt->line, elt->col);
    c->key_fn = ex_apply(fc, key, &kv, 1, elt->line, elt->col);
    *keyt = c->key_fn->type;
    return c->key_fn;
}

static ir_expr *r_minmax(fctx *fc, args *a, bool is_min)
{
    irb *b = fc->b;
    const char *fn = is_min ? "min" : "max";
    static const char *const kws[] = {"key", "default", NULL};
    int32_t line = a->call->op_line, col = a->call->op_col;
    if (!check_kw(fc, a, fn, kws)) return ex_err(fc, line, col);
    if (a->pos->len == 0) {
        ir_err(b, fc->src, line, col, "%s expected at least 1 argument, got 0", fn);
        return ex_err(fc, line, col);
    }
    const ast_expr *keyx = kwarg(a, "key"), *defx = kwarg(a, "default");
    if (a->pos->len >= 2) {
        if (keyx || defx) {
            ir_err(b, fc->src, line, col, "%s() of several arguments with key= or default= is not supported", fn);
            return ex_err(fc, line, col);
        }
        ir_expr *r = ex_op(fc, is_min ? IR_OP_MIN : IR_OP_MAX, b->t_unknown, false, line, col);
        for (int32_t i = 0; i < a->pos->len; i++) ex_arg(fc, r, ex_expr(fc, a->pos->items[i]));
        ir_type *t;
        if (!ex_unify(fc, r->args, r->nargs, is_min ? "min()" : "max()", &t)) return ex_err(fc, line, col);
        if (ty_is_bad(t)) return ex_bad_result(fc, t, line, col);
        if (!orderable_t(t)) {
            ir_err(b, fc->src, line, col, "%s() of %s values: they cannot be ordered", fn, t->str);
            return ex_err(fc, line, col);
        }
        r->type = t;
        return r;
    }
    callable key = {0};
    ir_expr *let = NULL;
    if (keyx) {
        key = ex_callable(fc, keyx);
        if (key.value && key.value->type->kind == IR_T_FUNC && key.value->type->n)
            let = ex_let(fc, key.value, &key.value);
    }
    comp_state st;
    ir_expr *elt;
    ir_comp *c = reduce_open(fc, is_min ? IR_COMP_MIN : IR_COMP_MAX, a->pos->items[0], &st, &elt);
    c->elt = elt;
    ir_type *t = elt->type, *kt = t;
    if (!ty_is_bad(t)) {
        with_key(fc, c, elt, keyx ? &key : NULL, &kt);
        if (!ty_is_bad(kt) && !orderable_t(kt)) {
            ir_err(b, fc->src, line, col, "%s() of %s values: they cannot be ordered", fn, kt->str);
            t = b->t_error;
        }
        if (defx) c->init = ex_coerce(fc, ex_expr(fc, defx), t, defx->line, defx->col, "default");
    }
    return ex_let_body(let, ex_comp_close(fc, c, &st, t, line, col));
}

static ir_expr *r_anyall(fctx *fc, args *a, bool any)
{
    int32_t line = a->call->op_line, col = a->call->op_col;
    if (!check_kw(fc, a, any ? "any" : "all", NULL) || !check_n(fc, a, any ? "any" : "all", 1, 1))
        return ex_err(fc, line, col);
    comp_state st;
    ir_expr *elt;
    ir_comp *c = reduce_open(fc, any ? IR_COMP_ANY : IR_COMP_ALL, a->pos->items[0], &st, &elt);
    c->elt = ex_truth(fc, elt);
    return ex_comp_close(fc, c, &st, ty_is_bad(elt->type) ? elt->type : fc->b->t_bool, line, col);
}

static ir_expr *r_sorted(fctx *fc, args *a)
{
    irb *b = fc->b;
    static const char *const kws[] = {"key", "reverse", NULL};
    int32_t line = a->call->op_line, col = a->call->op_col;
    if (!check_kw(fc, a, "sorted", kws) || !check_n(fc, a, "sorted", 1, 1)) return ex_err(fc, line, col);
    const ast_expr *keyx = kwarg(a, "key"), *revx = kwarg(a, "reverse");
    bool rev = false;
    if (revx) {
        if (revx->kind != AST_BOOL) {
            ir_err(b, fc->src, revx->line, revx->col, "reverse= must be True or False (a constant)");
            return ex_err(fc, line, col);
        }
        rev = revx->u.bool_value;
    }
    callable key = {0};
    ir_expr *let = NULL;
    if (keyx) {
        key = ex_callable(fc, keyx);
        if (key.value && key.value->type->kind == IR_T_FUNC && key.value->type->n)
            let = ex_let(fc, key.value, &key.value);
    }
    comp_state st;
    ir_expr *elt;
    ir_comp *c = reduce_open(fc, IR_COMP_SORTED, a->pos->items[0], &st, &elt);
    c->elt = elt;
    c->reverse = rev;
    ir_type *t = elt->type, *kt = t;
    if (!ty_is_bad(t)) {
        with_key(fc, c, elt, keyx ? &key : NULL, &kt);
        if (!ty_is_bad(kt) && !orderable_t(kt)) {
            ir_err(b, fc->src, line, col, "sorted() of %s values: they cannot be ordered", kt->str);
            t = b->t_error;
        }
    }
    return ex_let_body(let, ex_comp_close(fc, c, &st, ty_is_bad(t) ? t : ty_list(b, t), line, col));
}

static ir_expr *r_list(fctx *fc, args *a)
{
    irb *b = fc->b;
    int32_t line = a->call->op_line, col = a->call->op_col;
    if (!check_kw(fc, a, "list", NULL) || !check_n(fc, a, "list", 0, 1)) return ex_err(fc, line, col);
    if (a->pos->len == 0) return ex_new(fc, IR_E_LIST, ty_list(b, b->t_unknown), line, col);
    const ast_expr *src = a->pos->items[0];
    bool lazy = src->kind == AST_GENEXP || src->kind == AST_CALL;
    if (!lazy) return bi_list_of(fc, ex_expr(fc, src), line, col);
    if (src->kind == AST_CALL) {
        /* list(f(...)), or list of a range, zip, enumerate or reversed source */
        const ast_expr *f = src->u.call.func;
        bool srcfn = f->kind == AST_NAME && (!strcmp(f->u.name, "range") || !strcmp(f->u.name, "zip") ||
                                             !strcmp(f->u.name, "enumerate") || !strcmp(f->u.name, "reversed"));
        if (!srcfn) return bi_list_of(fc, ex_expr(fc, src), line, col);
    }
    comp_state st;
    ir_expr *elt;
    ir_comp *c = reduce_open(fc, IR_COMP_LIST, src, &st, &elt);
    c->elt = elt;
    return ex_comp_close(fc, c, &st, ty_is_bad(elt->type) ? elt->type : ty_list(b, elt->type), line, col);
}

static ir_expr *r_dict(fctx *fc, args *a)
{
    irb *b = fc->b;
    int32_t line = a->call->op_line, col = a->call->op_col;
    if (!check_n(fc, a, "dict", 0, 1)) return ex_err(fc, line, col);
    if (a->pos->len == 0) {
        ir_expr *d = ex_new(fc, IR_E_DICT, ty_dict(b, b->t_unknown, b->t_unknown), line, col);
        if (a->kw->len) {
            ir_expr **vs = pf_arena_alloc(b->a, sizeof *vs * (size_t)a->kw->len);
            for (int32_t i = 0; i < a->kw->len; i++) vs[i] = ex_expr(fc, a->kw->items[i].value);
            ir_type *vt;
            if (!ex_unify(fc, vs, a->kw->len, "dict values", &vt)) return ex_err(fc, line, col);
            d->type = ty_dict(b, b->t_str, vt);
            for (int32_t i = 0; i < a->kw->len; i++) {
                const char *k = a->kw->items[i].name;
                ex_arg(fc, d, ex_str(fc, k, (int32_t)strlen(k), line, col));
                ex_arg(fc, d, vs[i]);
            }
        }
        return d;
    }
    if (a->kw->len) {
        ir_err(b, fc->src, line, col, "dict() with both an iterable and keywords is not supported");
        return ex_err(fc, line, col);
    }
    const ast_expr *src = a->pos->items[0];
    b->quiet++;
    ir_expr *probe = src->kind == AST_GENEXP ? NULL : ex_expr(fc, src);
    b->quiet--;
    if (probe && probe->type->kind == IR_T_DICT) return ex_expr(fc, src);
    comp_state st;
    ir_expr *elt;
    ir_comp *c = reduce_open(fc, IR_COMP_DICT, src, &st, &elt);
    ir_type *t = elt->type;
    if (!ty_is_bad(t)) {
        if (t->kind != IR_T_TUPLE || t->n != 2) {
            ir_err(b, fc->src, src->line, src->col, "dict() needs pairs, not %s", t->str);
            t = b->t_error;
        } else {
            ir_expr *ref;
            ir_expr *let = ex_let(fc, elt, &ref);
            if (let) {
                /* bind the pair once per element: a LET around the key, read again for the value */
                c->key = ex_let_body(let, ex_tuple_get(fc, ref, 0));
                c->elt = ex_tuple_get(fc, ref, 1);
            } else {
                c->key = ex_tuple_get(fc, ref, 0);
                c->elt = ex_tuple_get(fc, ref, 1);
            }
            t = ty_dict(b, t->elems[0], t->elems[1]);
        }
    }
    if (!c->elt) c->elt = elt;
    return ex_comp_close(fc, c, &st, t, line, col);
}

static ir_expr *r_map_filter(fctx *fc, args *a, bool is_map)
{
    irb *b = fc->b;
    const char *fn = is_map ? "map" : "filter";
    int32_t line = a->call->op_line, col = a->call->op_col;
    if (!check_kw(fc, a, fn, NULL) || !check_n(fc, a, fn, 2, is_map ? 16 : 2)) return ex_err(fc, line, col);
    const ast_expr *fx = a->pos->items[0];
    const ast_expr *srcx = a->pos->items[1];
    int32_t nsrc = a->pos->len - 1;
    if (nsrc > 1) {
        /* map(f, xs, ys) iterates zip(xs, ys) */
        ast_expr *z = pf_arena_alloc(b->a, sizeof *z);
        ast_expr *zn = pf_arena_alloc(b->a, sizeof *zn);
        *z = *a->call;
        zn->kind = AST_NAME;
        zn->line = zn->op_line = a->call->line;
        zn->col = zn->op_col = a->call->col;
        zn->u.name = pf_intern_cstr(b->a, "zip");
        z->u.call.func = zn;
        z->u.call.args.items = a->pos->items + 1;
        z->u.call.args.len = z->u.call.args.cap = nsrc;
        z->u.call.keywords.len = 0;
        srcx = z;
    }
    callable f = {0};
    bool none = !is_map && fx->kind == AST_NONE;
    ir_expr *let = NULL;
    if (!none) {
        f = ex_callable(fc, fx);
        if (f.value && f.value->type->kind == IR_T_FUNC && f.value->type->n) let = ex_let(fc, f.value, &f.value);
    }
    comp_state st;
    ir_local *v = NULL;
    ir_comp *c = ex_comp_over(fc, IR_COMP_LIST, srcx, &st, &v);
    ir_expr *x = v ? ex_local(fc, v, line, col) : ex_err(fc, line, col);
    ir_type *t;
    if (is_map && nsrc > 1 && x->type->kind == IR_T_TUPLE && x->type->n == nsrc) {
        ir_expr **xs = pf_arena_alloc(b->a, sizeof *xs * (size_t)nsrc);
        for (int32_t i = 0; i < nsrc; i++) xs[i] = ex_tuple_get(fc, x, i);
        c->elt = ex_apply(fc, &f, xs, nsrc, line, col);
        t = ty_is_bad(c->elt->type) ? c->elt->type : ty_list(b, c->elt->type);
    } else if (is_map) {
        c->elt = ty_is_bad(x->type) ? x : ex_apply(fc, &f, &x, 1, line, col);
        t = ty_is_bad(c->elt->type) ? c->elt->type : ty_list(b, c->elt->type);
    } else {
        ir_expr *cond = none || ty_is_bad(x->type) ? ex_truth(fc, x) : ex_truth(fc, ex_apply(fc, &f, &x, 1, line, col));
        ex_comp_add_clause(fc, c, NULL, cond);
        c->elt = ex_local(fc, v ? v : fc_temp(fc, b->t_error, "x"), line, col);
        t = ty_is_bad(x->type) ? x->type : ty_list(b, x->type);
    }
    return ex_let_body(let, ex_comp_close(fc, c, &st, t, line, col));
}

static bool type_matches(fctx *fc, ir_type *t, const ast_expr *ty, bool *known)
{
    irb *b = fc->b;
    if (ty->kind == AST_TUPLE) {
        bool any = false;
        for (int32_t i = 0; i < ty->u.seq.elts.len; i++) any |= type_matches(fc, t, ty->u.seq.elts.items[i], known);
        return any;
    }
    if (ty->kind != AST_NAME) {
        *known = false;
        return false;
    }
    const char *n = ty->u.name;
    ir_type_kind k = t->kind == IR_T_OPTIONAL ? IR_T_NONE : t->kind;
    if (t->kind == IR_T_OPTIONAL) *known = false;
    if (!strcmp(n, "int")) return k == IR_T_INT || k == IR_T_BOOL;
    if (!strcmp(n, "float")) return k == IR_T_FLOAT;
    if (!strcmp(n, "bool")) return k == IR_T_BOOL;
    if (!strcmp(n, "str")) return k == IR_T_STR;
    if (!strcmp(n, "list")) return k == IR_T_LIST;
    if (!strcmp(n, "tuple")) return k == IR_T_TUPLE;
    if (!strcmp(n, "dict")) return k == IR_T_DICT;
    gname *g = rs_lookup(fc->mod, n);
    if (g && g->kind == G_CLASS) return k == IR_T_CLASS && t->cls == g->cls->cls;
    ir_err(b, fc->src, ty->line, ty->col, "isinstance() needs a type name, not '%s'", n);
    return false;
}

ir_expr *ex_print(fctx *fc, ir_expr *sep, ir_expr *end, ir_expr *flush, int32_t line, int32_t col)
{
    ir_expr *p = ex_op(fc, IR_OP_PRINT, fc->b->t_none, true, line, col);
    ex_arg(fc, p, sep ? sep : ex_str(fc, " ", 1, line, col));
    ex_arg(fc, p, end ? end : ex_str(fc, "\n", 1, line, col));
    ex_arg(fc, p, flush ? flush : ex_new(fc, IR_E_BOOL, fc->b->t_bool, line, col));
    return p;
}

ir_expr *bi_call(fctx *fc, const char *name, const ast_expr *call)
{
    irb *b = fc->b;
    args a = get_args(call);
    int32_t line = call->op_line, col = call->op_col;
    for (int32_t i = 0; i < a.pos->len; i++)
        if (a.pos->items[i]->kind == AST_STARRED) {
            ir_err(b, fc->src, a.pos->items[i]->line, a.pos->items[i]->col, "*arguments are not supported");
            return ex_err(fc, line, col);
        }
    if (!strcmp(name, "print")) {
        static const char *const kws[] = {"sep", "end", "flush", NULL};
        if (!check_kw(fc, &a, "print", kws)) return ex_err(fc, line, col);
        const ast_expr *sep = kwarg(&a, "sep"), *end = kwarg(&a, "end"), *flush = kwarg(&a, "flush");
        ir_expr *sx = sep && sep->kind != AST_NONE ? need(fc, ex_expr(fc, sep), IR_T_STR, "sep") : NULL;
        ir_expr *ex = end && end->kind != AST_NONE ? need(fc, ex_expr(fc, end), IR_T_STR, "end") : NULL;
        ir_expr *p = ex_print(fc, sx, ex, flush ? ex_cond(fc, flush) : NULL, line, col);
        for (int32_t i = 0; i < a.pos->len; i++) {
            ir_expr *v = ex_expr(fc, a.pos->items[i]);
            ex_arg(fc, p, v);
        }
        return p;
    }
    if (!strcmp(name, "sum")) return r_sum(fc, &a);
    if (!strcmp(name, "min")) return r_minmax(fc, &a, true);
    if (!strcmp(name, "max")) return r_minmax(fc, &a, false);
    if (!strcmp(name, "any")) return r_anyall(fc, &a, true);
    if (!strcmp(name, "all")) return r_anyall(fc, &a, false);
    if (!strcmp(name, "sorted")) return r_sorted(fc, &a);
    if (!strcmp(name, "list")) return r_list(fc, &a);
    if (!strcmp(name, "dict")) return r_dict(fc, &a);
    if (!strcmp(name, "map")) return r_map_filter(fc, &a, true);
    if (!strcmp(name, "filter")) return r_map_filter(fc, &a, false);
    if (!strcmp(name, "zip") || !strcmp(name, "enumerate") || !strcmp(name, "reversed")) {
        if (a.pos->len == 0) {
            ir_err(b, fc->src, line, col, "%s() needs an argument", name);
            return ex_err(fc, line, col);
        }
        comp_state st;
        ir_local *v = NULL;
        ir_comp *c = ex_comp_over(fc, IR_COMP_LIST, call, &st, &v);
        c->elt = v ? ex_local(fc, v, line, col) : ex_err(fc, line, col);
        ir_type *t = ty_is_bad(c->elt->type) ? c->elt->type : ty_list(b, c->elt->type);
        return ex_comp_close(fc, c, &st, t, line, col);
    }
    if (!strcmp(name, "range")) {
        if (!check_kw(fc, &a, "range", NULL) || !check_n(fc, &a, "range", 1, 3)) return ex_err(fc, line, col);
        ir_expr *x[3];
        for (int32_t i = 0; i < a.pos->len; i++) x[i] = need(fc, ex_expr(fc, a.pos->items[i]), IR_T_INT, "range() argument");
        ir_expr *r = ex_op(fc, IR_OP_RANGE_LIST, ty_list(b, b->t_int), true, line, col);
        ex_arg(fc, r, a.pos->len == 1 ? ex_int(fc, 0, line, col) : x[0]);
        ex_arg(fc, r, a.pos->len == 1 ? x[0] : x[1]);
        ex_arg(fc, r, a.pos->len == 3 ? x[2] : ex_int(fc, 1, line, col));
        ir_type *bad = ex_bad(fc, r->args, 3);
        return bad ? ex_bad_result(fc, bad, line, col) : r;
    }
    if (!strcmp(name, "tuple")) {
        if (!check_kw(fc, &a, "tuple", NULL) || !check_n(fc, &a, "tuple", 0, 1)) return ex_err(fc, line, col);
        if (a.pos->len == 0) return ex_new(fc, IR_E_TUPLE, ty_tuple(b, NULL, 0), line, col);
        ir_expr *x = ex_expr(fc, a.pos->items[0]);
        if (x->type->kind == IR_T_TUPLE || ty_is_bad(x->type)) return x;
        pf_diag *dg = ir_err(b, fc->src, line, col, "tuple() of %s: the length of a tuple must be known statically",
                             x->type->str);
        ir_hint(b, dg, "use a list, or write the tuple out: (xs[0], xs[1])");
        return ex_err(fc, line, col);
    }
    if (!strcmp(name, "isinstance")) {
        if (!check_n(fc, &a, "isinstance", 2, 2)) return ex_err(fc, line, col);
        ir_expr *x = ex_expr(fc, a.pos->items[0]);
        if (ty_is_bad(x->type)) return ex_bad_result(fc, x->type, line, col);
        bool known = true;
        bool r = type_matches(fc, x->type, a.pos->items[1], &known);
        if (!known) {
            pf_diag *dg = ir_err(b, fc->src, line, col, "isinstance() of an optional value");
            ir_hint(b, dg, "test `x is None` instead");
        }
        return ex_bool(fc, r, line, col);
    }
    if (!strcmp(name, "set")) {
        pf_diag *dg = ir_err(b, fc->src, line, col, "sets are not supported yet");
        ir_hint(b, dg, "use a dict with True values, or a list");
        return ex_err(fc, line, col);
    }
    if (!strcmp(name, "round")) {
        static const char *const kws[] = {"ndigits", NULL};
        if (!check_kw(fc, &a, "round", kws) || !check_n(fc, &a, "round", 1, 2)) return ex_err(fc, line, col);
        const ast_expr *nd = a.pos->len == 2 ? a.pos->items[1] : kwarg(&a, "ndigits");
        ir_expr *x = ex_expr(fc, a.pos->items[0]);
        return u_round(fc, x, nd ? ex_expr(fc, nd) : NULL);
    }
    if (!strcmp(name, "int") || !strcmp(name, "float") || !strcmp(name, "str") || !strcmp(name, "bool")) {
        if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, 0, 1)) return ex_err(fc, line, col);
        if (a.pos->len == 0) {
            if (name[0] == 'i') return ex_int(fc, 0, line, col);
            if (name[0] == 'f') return ex_float(fc, 0.0, line, col);
            if (name[0] == 's') return ex_str(fc, "", 0, line, col);
            return ex_bool(fc, false, line, col);
        }
    }
    if (!strcmp(name, "chr") || !strcmp(name, "ord")) {
        if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, 1, 1)) return ex_err(fc, line, col);
        ir_expr *x = ex_expr(fc, a.pos->items[0]);
        if (name[0] == 'c') return ex_op1(fc, IR_OP_CHR, b->t_str, true, need(fc, x, IR_T_INT, "chr() argument"));
        return ex_op1(fc, IR_OP_ORD, b->t_int, true, need(fc, x, IR_T_STR, "ord() argument"));
    }
    if (!strcmp(name, "str") || !strcmp(name, "repr") || !strcmp(name, "len") || !strcmp(name, "abs") ||
        !strcmp(name, "int") || !strcmp(name, "float") || !strcmp(name, "bool")) {
        if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, 1, 1)) return ex_err(fc, line, col);
        ir_expr *x = ex_expr(fc, a.pos->items[0]);
        return bi_apply(fc, name, &x, 1, line, col);
    }
    /* exception classes */
    pf_diag *dg = ir_err(b, fc->src, line, col, "'%s' can only be raised", name);
    ir_hint(b, dg, "write `raise %s(\"message\")`", name);
    return ex_err(fc, line, col);
}

/* ------------------------------------------------------------------------------ methods */

static ir_expr *str_arg(fctx *fc, args *a, int32_t i, const char *what)
{
    return need(fc, ex_expr(fc, a->pos->items[i]), IR_T_STR, what);
}

static void mutator_error(fctx *fc, ir_type *t, const char *name, int32_t line, int32_t col)
{
    irb *b = fc->b;
    pf_diag *dg = ir_err(b, fc->src, line, col, "cannot call %s.%s(): pf values are immutable",
                         t->kind == IR_T_LIST ? "list" : "dict", name);
    const char *h = NULL;
    if (t->kind == IR_T_LIST) {
        if (!strcmp(name, "append")) h = "write `xs = xs + [v]`";
        else if (!strcmp(name, "extend")) h = "write `xs = xs + ys`";
        else if (!strcmp(name, "insert")) h = "write `xs = xs[:i] + [v] + xs[i:]`";
        else if (!strcmp(name, "pop")) h = "write `v, xs = xs[-1], xs[:-1]`";
        else if (!strcmp(name, "sort")) h = "write `xs = sorted(xs)`";
        else if (!strcmp(name, "reverse")) h = "write `xs = list(reversed(xs))`";
        else if (!strcmp(name, "remove")) h = "write `xs = [x for x in xs if x != v]`";
        else h = "build a new list instead";
    } else {
        if (!strcmp(name, "update")) h = "write `d = d | other`";
        else if (!strcmp(name, "setdefault")) h = "write `d = d | {k: v}` when k not in d";
        else h = "build a new dict, e.g. `d = {k: v for k, v in d.items() if k != key}`";
    }
    ir_hint(b, dg, "%s", h);
}

ir_expr *bi_method(fctx *fc, ir_expr *o, const char *name, const ast_expr *call)
{
    irb *b = fc->b;
    args a = get_args(call);
    int32_t line = call->op_line, col = call->op_col;
    ir_type *t = o->type;
    const ast_expr *fa = call->u.call.func;
    int32_t mline = fa->op_line, mcol = fa->op_col;
    if (t->kind == IR_T_STR) {
        struct { const char *n; ir_op op; int32_t lo, hi; ir_type *rt; bool raises; } tab[] = {
            {"split", IR_OP_STR_SPLIT, 0, 1, ty_list(b, b->t_str), true},
            {"strip", IR_OP_STR_STRIP, 0, 1, b->t_str, false},
            {"lstrip", IR_OP_STR_LSTRIP, 0, 1, b->t_str, false},
            {"rstrip", IR_OP_STR_RSTRIP, 0, 1, b->t_str, false},
            {"replace", IR_OP_STR_REPLACE, 2, 2, b->t_str, false},
            {"startswith", IR_OP_STR_STARTSWITH, 1, 1, b->t_bool, false},
            {"endswith", IR_OP_STR_ENDSWITH, 1, 1, b->t_bool, false},
            {"find", IR_OP_STR_FIND, 1, 1, b->t_int, false},
            {"count", IR_OP_STR_COUNT, 1, 1, b->t_int, false},
            {"upper", IR_OP_STR_UPPER, 0, 0, b->t_str, false},
            {"lower", IR_OP_STR_LOWER, 0, 0, b->t_str, false},
            {"isdigit", IR_OP_STR_ISDIGIT, 0, 0, b->t_bool, false},
            {"isalpha", IR_OP_STR_ISALPHA, 0, 0, b->t_bool, false},
            {"isspace", IR_OP_STR_ISSPACE, 0, 0, b->t_bool, false},
            {"isalnum", IR_OP_STR_ISALNUM, 0, 0, b->t_bool, false},
            {"isupper", IR_OP_STR_ISUPPER, 0, 0, b->t_bool, false},
            {"islower", IR_OP_STR_ISLOWER, 0, 0, b->t_bool, false},
            {"capitalize", IR_OP_STR_CAPITALIZE, 0, 0, b->t_str, false},
            {"title", IR_OP_STR_TITLE, 0, 0, b->t_str, false},
            {"splitlines", IR_OP_STR_SPLITLINES, 0, 0, ty_list(b, b->t_str), false},
            {"removeprefix", IR_OP_STR_REMOVEPREFIX, 1, 1, b->t_str, false},
            {"removesuffix", IR_OP_STR_REMOVESUFFIX, 1, 1, b->t_str, false},
        };
        if (!strcmp(name, "join")) {
            if (!check_kw(fc, &a, "join", NULL) || !check_n(fc, &a, "join", 1, 1)) return ex_err(fc, line, col);
            const ast_expr *src = a.pos->items[0];
            if (src->kind != AST_GENEXP) {
                b->quiet++;
                ir_expr *probe = ex_expr(fc, src);
                b->quiet--;
                if (probe->type->kind == IR_T_LIST) {
                    ir_expr *l = ex_expr(fc, src);
                    if (l->type->elems[0]->kind != IR_T_STR && !ty_has_unknown(l->type)) {
                        ir_err(b, fc->src, src->line, src->col, "join() needs strings, not %s", l->type->str);
                        return ex_err(fc, line, col);
                    }
                    return ex_op2(fc, IR_OP_STR_JOIN, b->t_str, false, o, ex_coerce(fc, l, ty_list(b, b->t_str), src->line, src->col, "argument"));
                }
            }
            comp_state st;
            ir_expr *elt;
            ir_comp *c = reduce_open(fc, IR_COMP_JOIN, src, &st, &elt);
            if (!ty_is_bad(elt->type) && elt->type->kind != IR_T_STR) {
                pf_diag *dg = ir_err(b, fc->src, elt->line, elt->col, "join() needs strings, not %s", elt->type->str);
                ir_hint(b, dg, "convert each element: str(x) or an f-string");
                elt = ex_err(fc, line, col);
            }
            c->elt = elt;
            c->init = o;
            return ex_comp_close(fc, c, &st, ty_is_bad(elt->type) ? elt->type : b->t_str, line, col);
        }
        /* methods whose extra arguments select a different runtime entry */
        bool fnd = !strcmp(name, "find"), cnt = !strcmp(name, "count"), rf = !strcmp(name, "rfind");
        if ((fnd || cnt) && a.pos->len >= 2 && a.pos->len <= 3 && !a.kw->len) {
            ir_expr *r = ex_op(fc, fnd ? IR_OP_STR_FIND_RANGE : IR_OP_STR_COUNT_RANGE, b->t_int, false, mline, mcol);
            ex_arg(fc, r, o);
            ex_arg(fc, r, str_arg(fc, &a, 0, "argument"));
            ex_arg(fc, r, need(fc, ex_expr(fc, a.pos->items[1]), IR_T_INT, "start"));
            ex_arg(fc, r, a.pos->len == 3 ? need(fc, ex_expr(fc, a.pos->items[2]), IR_T_INT, "end") : NULL);
            ir_type *bad = ex_bad(fc, r->args, r->nargs);
            return bad ? ex_bad_result(fc, bad, line, col) : r;
        }
        if (rf) {
            if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, 1, 3)) return ex_err(fc, line, col);
            ir_expr *r = ex_op(fc, IR_OP_STR_RFIND, b->t_int, false, mline, mcol);
            ex_arg(fc, r, o);
            ex_arg(fc, r, str_arg(fc, &a, 0, "argument"));
            ex_arg(fc, r, a.pos->len >= 2 ? need(fc, ex_expr(fc, a.pos->items[1]), IR_T_INT, "start") : NULL);
            ex_arg(fc, r, a.pos->len == 3 ? need(fc, ex_expr(fc, a.pos->items[2]), IR_T_INT, "end") : NULL);
            ir_type *bad = ex_bad(fc, r->args, r->nargs);
            return bad ? ex_bad_result(fc, bad, line, col) : r;
        }
        if (!strcmp(name, "replace") && a.pos->len == 3 && !a.kw->len) {
            ir_expr *r = ex_op(fc, IR_OP_STR_REPLACE_N, b->t_str, false, mline, mcol);
            ex_arg(fc, r, o);
            ex_arg(fc, r, str_arg(fc, &a, 0, "argument"));
            ex_arg(fc, r, str_arg(fc, &a, 1, "argument"));
            ex_arg(fc, r, need(fc, ex_expr(fc, a.pos->items[2]), IR_T_INT, "count"));
            ir_type *bad = ex_bad(fc, r->args, r->nargs);
            return bad ? ex_bad_result(fc, bad, line, col) : r;
        }
        bool rsp = !strcmp(name, "rsplit");
        const ast_expr *maxs = kwarg(&a, "maxsplit");
        if ((!strcmp(name, "split") && (a.pos->len == 2 || maxs)) || rsp) {
            static const char *const kws[] = {"sep", "maxsplit", NULL};
            if (!check_kw(fc, &a, name, kws) || !check_n(fc, &a, name, 0, 2)) return ex_err(fc, line, col);
            const ast_expr *sepx = a.pos->len >= 1 ? a.pos->items[0] : kwarg(&a, "sep");
            const ast_expr *mx = a.pos->len == 2 ? a.pos->items[1] : maxs;
            ir_expr *r = ex_op(fc, rsp ? IR_OP_STR_RSPLIT : IR_OP_STR_SPLIT_N, ty_list(b, b->t_str), true, mline, mcol);
            ex_arg(fc, r, o);
            ex_arg(fc, r, sepx && sepx->kind != AST_NONE ? need(fc, ex_expr(fc, sepx), IR_T_STR, "sep") : NULL);
            ex_arg(fc, r, mx ? need(fc, ex_expr(fc, mx), IR_T_INT, "maxsplit") : ex_int(fc, -1, mline, mcol));
            ir_type *bad = ex_bad(fc, r->args, r->nargs);
            return bad ? ex_bad_result(fc, bad, line, col) : r;
        }
        if (!strcmp(name, "index")) {
            if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, 1, 1)) return ex_err(fc, line, col);
            return ex_op2(fc, IR_OP_STR_INDEX_OF, b->t_int, true, o, str_arg(fc, &a, 0, "argument"));
        }
        if (!strcmp(name, "zfill") || !strcmp(name, "center") || !strcmp(name, "ljust") || !strcmp(name, "rjust")) {
            bool z = name[0] == 'z';
            if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, 1, z ? 1 : 2)) return ex_err(fc, line, col);
            ir_op op = z ? IR_OP_STR_ZFILL : name[0] == 'c' ? IR_OP_STR_CENTER : name[0] == 'l' ? IR_OP_STR_LJUST : IR_OP_STR_RJUST;
            ir_expr *r = ex_op(fc, op, b->t_str, !z, mline, mcol);
            ex_arg(fc, r, o);
            ex_arg(fc, r, need(fc, ex_expr(fc, a.pos->items[0]), IR_T_INT, "width"));
            if (!z) ex_arg(fc, r, a.pos->len == 2 ? str_arg(fc, &a, 1, "fill character") : NULL);
            ir_type *bad = ex_bad(fc, r->args, r->nargs);
            return bad ? ex_bad_result(fc, bad, line, col) : r;
        }
        if (!strcmp(name, "format")) {
            pf_diag *dg = ir_err(b, fc->src, mline, mcol, "str.format() is not supported");
            ir_hint(b, dg, "use an f-string: f\"{x:.3f}\"");
            return ex_err(fc, line, col);
        }
        for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
            if (strcmp(tab[i].n, name)) continue;
            if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, tab[i].lo, tab[i].hi))
                return ex_err(fc, line, col);
            ir_expr *r = ex_op(fc, tab[i].op, tab[i].rt, tab[i].raises, mline, mcol);
            ex_arg(fc, r, o);
            for (int32_t k = 0; k < a.pos->len; k++) {
                if (a.pos->items[k]->kind == AST_NONE && tab[i].lo == 0) {
                    ex_arg(fc, r, NULL);
                    continue;
                }
                ex_arg(fc, r, str_arg(fc, &a, k, "argument"));
            }
            if (tab[i].hi == 1 && tab[i].lo == 0 && a.pos->len == 0) ex_arg(fc, r, NULL);
            ir_type *bad = ex_bad(fc, r->args, r->nargs);
            return bad ? ex_bad_result(fc, bad, line, col) : r;
        }
        ir_err(b, fc->src, mline, mcol, "'str' object has no method '%s'", name);
        return ex_err(fc, line, col);
    }
    if (t->kind == IR_T_LIST) {
        if (!strcmp(name, "index") || !strcmp(name, "count")) {
            if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, 1, 1)) return ex_err(fc, line, col);
            ir_expr *x = ex_coerce(fc, ex_expr(fc, a.pos->items[0]), t->elems[0], line, col, "argument");
            bool idx = name[0] == 'i';
            return ex_op2(fc, idx ? IR_OP_LIST_FIND : IR_OP_LIST_COUNT, b->t_int, idx, o, x);
        }
        if (!strcmp(name, "copy")) return o;
        static const char *const muts[] = {"append", "extend", "insert", "pop", "sort", "reverse", "remove", "clear"};
        for (size_t i = 0; i < sizeof muts / sizeof muts[0]; i++)
            if (!strcmp(muts[i], name)) {
                mutator_error(fc, t, name, mline, mcol);
                return ex_err(fc, line, col);
            }
        ir_err(b, fc->src, mline, mcol, "'list' object has no method '%s'", name);
        return ex_err(fc, line, col);
    }
    if (t->kind == IR_T_DICT) {
        ir_type *kt = t->elems[0], *vt = t->elems[1];
        if (!strcmp(name, "get")) {
            if (!check_kw(fc, &a, "get", NULL) || !check_n(fc, &a, "get", 1, 2)) return ex_err(fc, line, col);
            ir_expr *k = ex_coerce(fc, ex_expr(fc, a.pos->items[0]), kt, line, col, "key");
            if (a.pos->len == 2) {
                ir_expr *dv = ex_expr(fc, a.pos->items[1]);
                if (dv->type->kind == IR_T_NONE) {
                    return ex_op2(fc, IR_OP_DICT_GET_OPT, ty_opt(b, vt), false, o, k);
                }
                /* d = {} ... d.get(k, 0): the default tells the value type */
                ir_type *rt = vt;
                if (ty_has_unknown(vt) && !ty_is_bad(dv->type)) {
                    ir_type *j = ty_join(b, vt, dv->type);
                    if (j) rt = j;
                }
                ir_expr *r = ex_op2(fc, IR_OP_DICT_GET, rt, false, o, k);
                ex_arg(fc, r, ex_coerce(fc, dv, rt, dv->line, dv->col, "default"));
                return r;
            }
            return ex_op2(fc, IR_OP_DICT_GET_OPT, ty_opt(b, vt), false, o, k);
        }
        if (!strcmp(name, "keys") || !strcmp(name, "values") || !strcmp(name, "items")) {
            if (!check_kw(fc, &a, name, NULL) || !check_n(fc, &a, name, 0, 0)) return ex_err(fc, line, col);
            if (name[0] == 'k') return ex_op1(fc, IR_OP_DICT_KEYS, ty_list(b, kt), false, o);
            if (name[0] == 'v') return ex_op1(fc, IR_OP_DICT_VALUES, ty_list(b, vt), false, o);
            ir_type *et[2] = {kt, vt};
            return ex_op1(fc, IR_OP_DICT_ITEMS, ty_list(b, ty_tuple(b, et, 2)), false, o);
        }
        if (!strcmp(name, "copy")) return o;
        static const char *const muts[] = {"update", "pop", "popitem", "setdefault", "clear"};
        for (size_t i = 0; i < sizeof muts / sizeof muts[0]; i++)
            if (!strcmp(muts[i], name)) {
                mutator_error(fc, t, name, mline, mcol);
                return ex_err(fc, line, col);
            }
        ir_err(b, fc->src, mline, mcol, "'dict' object has no method '%s'", name);
        return ex_err(fc, line, col);
    }
    pf_diag *dg = ir_err(b, fc->src, mline, mcol, "%s has no method '%s'", t->str, name);
    if (t->kind == IR_T_OPTIONAL) ir_hint(b, dg, "the value may be None; test `if x is not None:` first");
    return ex_err(fc, line, col);
}

void bi_generic_method_check(fctx *fc, const char *name, int32_t line, int32_t col)
{
    static const char *const muts[] = {"append", "extend", "insert", "sort", "reverse", "remove", "clear"};
    for (size_t i = 0; i < sizeof muts / sizeof muts[0]; i++)
        if (!strcmp(muts[i], name)) {
            ir_type lt = {.kind = IR_T_LIST};
            mutator_error(fc, &lt, name, line, col);
        }
}

ir_expr *bi_value_attr(fctx *fc, ir_expr *o, const char *name, const ast_expr *e)
{
    irb *b = fc->b;
    pf_diag *dg = ir_err(b, fc->src, e->op_line, e->op_col, "%s has no attribute '%s'", o->type->str, name);
    if (o->type->kind == IR_T_OPTIONAL) ir_hint(b, dg, "the value may be None; test `if x is not None:` first");
    return ex_err(fc, e->line, e->col);
}

/* ------------------------------------------------------------------------------ modules */

static const char *mod_name(bmod m)
{
    switch (m) {
    case BM_MATH: return "math";
    case BM_RANDOM: return "random";
    case BM_TIME: return "time";
    case BM_PF: return "pf";
    case BM_SYS: return "sys";
    default: return "?";
    }
}

ir_expr *bi_module_attr(fctx *fc, bmod m, const char *name, int32_t line, int32_t col)
{
    irb *b = fc->b;
    if (m == BM_MATH) {
        if (!strcmp(name, "pi")) return ex_float(fc, 3.141592653589793, line, col);
        if (!strcmp(name, "e")) return ex_float(fc, 2.718281828459045, line, col);
        if (!strcmp(name, "tau")) return ex_float(fc, 6.283185307179586, line, col);
        if (!strcmp(name, "inf")) return ex_float(fc, __builtin_inf(), line, col);
        if (!strcmp(name, "nan")) return ex_float(fc, __builtin_nan(""), line, col);
    }
    if (m == BM_SYS && !strcmp(name, "argv")) return ex_op(fc, IR_OP_SYS_ARGV, ty_list(b, b->t_str), true, line, col);
    pf_diag *dg = ir_err(b, fc->src, line, col, "module '%s' has no value '%s'", mod_name(m), name);
    if (m == BM_SYS) ir_hint(b, dg, "pf's sys module provides sys.argv only");
    else ir_hint(b, dg, "module functions must be called; pass `lambda x: %s.%s(x)` as a value", mod_name(m), name);
    return ex_err(fc, line, col);
}

ir_expr *bi_module_call(fctx *fc, bmod m, const char *name, const ast_expr *call)
{
    irb *b = fc->b;
    args a = get_args(call);
    int32_t line = call->op_line, col = call->op_col;
    struct mf { bmod m; const char *n; ir_op op; int32_t lo, hi; ir_type_kind at; ir_type *rt; bool raises; };
    struct mf tab[] = {
        {BM_MATH, "sqrt", IR_OP_MATH_SQRT, 1, 1, IR_T_FLOAT, b->t_float, true},
        {BM_MATH, "sin", IR_OP_MATH_SIN, 1, 1, IR_T_FLOAT, b->t_float, false},
        {BM_MATH, "cos", IR_OP_MATH_COS, 1, 1, IR_T_FLOAT, b->t_float, false},
        {BM_MATH, "tan", IR_OP_MATH_TAN, 1, 1, IR_T_FLOAT, b->t_float, false},
        {BM_MATH, "asin", IR_OP_MATH_ASIN, 1, 1, IR_T_FLOAT, b->t_float, true},
        {BM_MATH, "acos", IR_OP_MATH_ACOS, 1, 1, IR_T_FLOAT, b->t_float, true},
        {BM_MATH, "atan", IR_OP_MATH_ATAN, 1, 1, IR_T_FLOAT, b->t_float, false},
        {BM_MATH, "atan2", IR_OP_MATH_ATAN2, 2, 2, IR_T_FLOAT, b->t_float, false},
        {BM_MATH, "exp", IR_OP_MATH_EXP, 1, 1, IR_T_FLOAT, b->t_float, true},
        {BM_MATH, "log", IR_OP_MATH_LOG, 1, 2, IR_T_FLOAT, b->t_float, true},
        {BM_MATH, "log2", IR_OP_MATH_LOG2, 1, 1, IR_T_FLOAT, b->t_float, true},
        {BM_MATH, "log10", IR_OP_MATH_LOG10, 1, 1, IR_T_FLOAT, b->t_float, true},
        {BM_MATH, "pow", IR_OP_MATH_POW, 2, 2, IR_T_FLOAT, b->t_float, true},
        {BM_MATH, "fabs", IR_OP_MATH_FABS, 1, 1, IR_T_FLOAT, b->t_float, false},
        {BM_MATH, "floor", IR_OP_MATH_FLOOR, 1, 1, IR_T_FLOAT, b->t_int, true},
        {BM_MATH, "ceil", IR_OP_MATH_CEIL, 1, 1, IR_T_FLOAT, b->t_int, true},
        {BM_MATH, "trunc", IR_OP_MATH_TRUNC, 1, 1, IR_T_FLOAT, b->t_int, true},
        {BM_MATH, "hypot", IR_OP_MATH_HYPOT, 2, 2, IR_T_FLOAT, b->t_float, false},
        {BM_MATH, "isnan", IR_OP_MATH_ISNAN, 1, 1, IR_T_FLOAT, b->t_bool, false},
        {BM_MATH, "isinf", IR_OP_MATH_ISINF, 1, 1, IR_T_FLOAT, b->t_bool, false},
        {BM_MATH, "isfinite", IR_OP_MATH_ISFINITE, 1, 1, IR_T_FLOAT, b->t_bool, false},
        {BM_MATH, "gcd", IR_OP_MATH_GCD, 2, 2, IR_T_INT, b->t_int, false},
        {BM_RANDOM, "seed", IR_OP_RANDOM_SEED, 1, 1, IR_T_INT, b->t_none, false},
        {BM_RANDOM, "random", IR_OP_RANDOM_RANDOM, 0, 0, IR_T_FLOAT, b->t_float, false},
        {BM_RANDOM, "randint", IR_OP_RANDOM_RANDINT, 2, 2, IR_T_INT, b->t_int, true},
        {BM_RANDOM, "uniform", IR_OP_RANDOM_UNIFORM, 2, 2, IR_T_FLOAT, b->t_float, false},
        {BM_RANDOM, "gauss", IR_OP_RANDOM_GAUSS, 2, 2, IR_T_FLOAT, b->t_float, false},
        {BM_TIME, "time", IR_OP_TIME_TIME, 0, 0, IR_T_FLOAT, b->t_float, false},
        {BM_TIME, "perf_counter", IR_OP_TIME_PERF, 0, 0, IR_T_FLOAT, b->t_float, false},
        {BM_PF, "threads", IR_OP_PF_THREADS, 0, 0, IR_T_INT, b->t_int, false},
    };
    if (m == BM_RANDOM && !strcmp(name, "choice")) {
        if (!check_kw(fc, &a, "choice", NULL) || !check_n(fc, &a, "choice", 1, 1)) return ex_err(fc, line, col);
        ir_expr *x = ex_expr(fc, a.pos->items[0]);
        if (ty_is_bad(x->type)) return x;
        if (x->type->kind != IR_T_LIST) {
            ir_err(b, fc->src, x->line, x->col, "random.choice() needs a list, not %s", x->type->str);
            return ex_err(fc, line, col);
        }
        return ex_op1(fc, IR_OP_RANDOM_CHOICE, x->type->elems[0], true, x);
    }
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        if (tab[i].m != m || strcmp(tab[i].n, name)) continue;
        const char *fn = pf_arena_sprintf(b->a, "%s.%s", mod_name(m), name);
        if (!check_kw(fc, &a, fn, NULL) || !check_n(fc, &a, fn, tab[i].lo, tab[i].hi)) return ex_err(fc, line, col);
        ir_expr *r = ex_op(fc, tab[i].op, tab[i].rt, tab[i].raises, line, col);
        for (int32_t k = 0; k < a.pos->len; k++) ex_arg(fc, r, need(fc, ex_expr(fc, a.pos->items[k]), tab[i].at, "argument"));
        ir_type *bad = ex_bad(fc, r->args, r->nargs);
        return bad ? ex_bad_result(fc, bad, line, col) : r;
    }
    ir_err(b, fc->src, line, col, "module '%s' has no function '%s'", mod_name(m), name);
    for (int32_t k = 0; k < a.pos->len; k++) ex_expr(fc, a.pos->items[k]);
    return ex_err(fc, line, col);
}
