/* Type inference with specialisation, part 2: expressions. Names, operators with Python's
 * numeric promotions, comparisons, subscripts, attributes, calls of defs/closures/classes
 * (keyword and default arguments resolved, callee specialised), iteration sources and
 * comprehensions, f-strings, and narrowing facts. Builtins and methods are in builtins.c. */
#include "ir/builtins.h"

/* ------------------------------------------------------------------------------ nodes */

ir_expr *ex_new(fctx *fc, ir_expr_kind k, ir_type *t, int32_t line, int32_t col)
{
    ir_expr *e = pf_arena_alloc(fc->b->a, sizeof *e);
    e->kind = k;
    e->type = t;
    e->line = line;
    e->col = col;
    return e;
}

void ex_arg(fctx *fc, ir_expr *e, ir_expr *arg)
{
    int32_t n = e->nargs;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        int32_t nc = n == 0 ? 4 : n * 2;
        ir_expr **na = pf_arena_alloc(fc->b->a, sizeof *na * (size_t)nc);
        if (n) memcpy(na, e->args, sizeof *na * (size_t)n);
        e->args = na;
    }
    e->args[e->nargs++] = arg;
}

ir_expr *ex_err(fctx *fc, int32_t line, int32_t col)
{
    return ex_new(fc, IR_E_NONE, fc->b->t_error, line, col);
}

ir_expr *ex_local(fctx *fc, ir_local *l, int32_t line, int32_t col)
{
    ir_expr *e = ex_new(fc, IR_E_LOCAL, l->type, line, col);
    e->local = l;
    return e;
}

ir_expr *ex_none(fctx *fc, int32_t line, int32_t col)
{
    return ex_new(fc, IR_E_NONE, fc->b->t_none, line, col);
}

ir_expr *ex_int(fctx *fc, int64_t v, int32_t line, int32_t col)
{
    ir_expr *e = ex_new(fc, IR_E_INT, fc->b->t_int, line, col);
    e->ival = v;
    return e;
}

ir_expr *ex_float(fctx *fc, double v, int32_t line, int32_t col)
{
    ir_expr *e = ex_new(fc, IR_E_FLOAT, fc->b->t_float, line, col);
    e->fval = v;
    return e;
}

ir_expr *ex_bool(fctx *fc, bool v, int32_t line, int32_t col)
{
    ir_expr *e = ex_new(fc, IR_E_BOOL, fc->b->t_bool, line, col);
    e->ival = v;
    return e;
}

ir_expr *ex_str(fctx *fc, const char *s, int32_t n, int32_t line, int32_t col)
{
    ir_expr *e = ex_new(fc, IR_E_STR, fc->b->t_str, line, col);
    e->str = s;
    e->slen = n;
    return e;
}

ir_expr *ex_op(fctx *fc, ir_op op, ir_type *t, bool raises, int32_t line, int32_t col)
{
    ir_expr *e = ex_new(fc, IR_E_OP, t, line, col);
    e->op = op;
    e->may_raise = raises;
    return e;
}

ir_expr *ex_op1(fctx *fc, ir_op op, ir_type *t, bool raises, ir_expr *a)
{
    ir_expr *e = ex_op(fc, op, t, raises, a->line, a->col);
    ex_arg(fc, e, a);
    return e;
}

ir_expr *ex_op2(fctx *fc, ir_op op, ir_type *t, bool raises, ir_expr *a, ir_expr *b)
{
    ir_expr *e = ex_op1(fc, op, t, raises, a);
    ex_arg(fc, e, b);
    return e;
}

/* A bad operand type (ERROR dominates UNKNOWN), or NULL when all are usable. */
ir_type *ex_bad(fctx *fc, ir_expr *const *xs, int32_t n)
{
    ir_type *r = NULL;
    for (int32_t i = 0; i < n; i++) {
        if (!xs[i]) continue;
        if (xs[i]->type->kind == IR_T_ERROR) return fc->b->t_error;
        if (xs[i]->type->kind == IR_T_UNKNOWN) r = fc->b->t_unknown;
    }
    return r;
}

ir_expr *ex_bad_result(fctx *fc, ir_type *t, int32_t line, int32_t col)
{
    return ex_new(fc, IR_E_NONE, t, line, col);
}

ir_expr *ex_convert(fctx *fc, ir_expr *e, ir_type *t)
{
    if (e->type == t || ty_is_bad(e->type)) return e;
    if (e->kind == IR_E_INT && t->kind == IR_T_FLOAT) return ex_float(fc, (double)e->ival, e->line, e->col);
    if (e->kind == IR_E_BOOL && t->kind == IR_T_INT) return ex_int(fc, e->ival, e->line, e->col);
    if (e->kind == IR_E_BOOL && t->kind == IR_T_FLOAT) return ex_float(fc, (double)e->ival, e->line, e->col);
    ir_expr *c = ex_new(fc, IR_E_CONVERT, t, e->line, e->col);
    ex_arg(fc, c, e);
    return c;
}

ir_expr *ex_tuple_get(fctx *fc, ir_expr *t, int32_t i)
{
    ir_expr *g = ex_new(fc, IR_E_TUPLE_GET, t->type->elems[i], t->line, t->col);
    g->index = i;
    ex_arg(fc, g, t);
    return g;
}

/* Retype an expression whose type still has unknown parts (an empty list literal, a list of
 * them, a conditional of them) to the concrete type t (which join says is compatible). */
static void retype(fctx *fc, ir_expr *e, ir_type *t)
{
    if (e->type == t) return;
    switch (e->kind) {
    case IR_E_LIST:
        for (int32_t i = 0; i < e->nargs; i++)
            e->args[i] = ex_coerce(fc, e->args[i], t->elems[0], e->line, e->col, "element");
        break;
    case IR_E_DICT:
        for (int32_t i = 0; i < e->nargs; i++)
            e->args[i] = ex_coerce(fc, e->args[i], t->elems[i & 1], e->line, e->col, "element");
        break;
    case IR_E_TUPLE:
        for (int32_t i = 0; i < e->nargs && i < t->n; i++)
            e->args[i] = ex_coerce(fc, e->args[i], t->elems[i], e->line, e->col, "element");
        break;
    case IR_E_COND:
        e->args[1] = ex_coerce(fc, e->args[1], t, e->line, e->col, "value");
        e->args[2] = ex_coerce(fc, e->args[2], t, e->line, e->col, "value");
        break;
    default: break;
    }
    e->type = t;
}

ir_expr *ex_coerce(fctx *fc, ir_expr *e, ir_type *t, int32_t line, int32_t col, const char *what)
{
    irb *b = fc->b;
    if (e->type == t || ty_is_bad(e->type) || ty_is_bad(t)) return e;
    if (t->kind == IR_T_OPTIONAL) {
        ir_type *in = t->elems[0];
        if (e->type->kind == IR_T_NONE) {
            if (e->kind == IR_E_NONE) {
                e->type = t;
                return e;
            }
            ir_expr *w = ex_new(fc, IR_E_WRAP, t, e->line, e->col);
            ex_arg(fc, w, e);
            return w;
        }
        if (e->type->kind != IR_T_OPTIONAL) {
            ir_expr *x = ex_coerce(fc, e, in, line, col, what);
            if (x->type != in) return x;
            ir_expr *w = ex_new(fc, IR_E_WRAP, t, e->line, e->col);
            ex_arg(fc, w, x);
            return w;
        }
    }
    if (ty_has_unknown(e->type) && ty_join(b, e->type, t) == t) {
        /* `cols + [c]` with cols: list[?] (a parameter given []): the use fixes the variable */
        if (e->kind == IR_E_LOCAL)
            for (int32_t i = 0; i < fc->sp->nvars; i++)
                if (fc->sp->vars[i]->local == e->local) ir_type_join_into(b, &fc->sp->vars[i]->type, t);
        retype(fc, e, t);
        return e;
    }
    pf_diag *dg = ir_err(b, fc->src, line, col, "%s has type %s but %s is expected", what,
                         e->type->str, t->str);
    if (t->kind == IR_T_FLOAT && e->type->kind == IR_T_INT)
        ir_hint(b, dg, "write a float (e.g. 1.0), or convert with float(...)");
    return ex_err(fc, line, col);
}

/* In the final pass a still-unknown operand can only come from an element of a container
 * that is always empty (`xs[mid]` where xs is only ever []): it never produces a value, so it
 * takes the type its context asks for. */
static void settle(fctx *fc, ir_expr *e, ir_type *want)
{
    if (fc->b->final && e->type->kind == IR_T_UNKNOWN && !ty_is_bad(want) && !ty_has_unknown(want))
        e->type = want;
}

ir_expr *ex_truth(fctx *fc, ir_expr *e)
{
    settle(fc, e, fc->b->t_int);
    if (e->type->kind == IR_T_BOOL || ty_is_bad(e->type)) return e;
    ir_expr *t = ex_new(fc, IR_E_TRUTH, fc->b->t_bool, e->line, e->col);
    ex_arg(fc, t, e);
    return t;
}

ir_expr *ex_cond(fctx *fc, const ast_expr *e) { return ex_truth(fc, ex_expr(fc, e)); }

/* Join the types of several values (list elements, branches); converts each to the result.
 * Reports a conflict naming both places. Returns false on conflict. */
bool ex_unify(fctx *fc, ir_expr **xs, int32_t n, const char *what, ir_type **out)
{
    irb *b = fc->b;
    ir_type *t = b->t_unknown;
    int32_t first = -1;
    for (int32_t i = 0; i < n; i++) {
        ir_type *xt = xs[i]->type;
        if (xt->kind == IR_T_ERROR) {
            *out = b->t_error;
            return true;
        }
        ir_type *j = ty_join(b, t, xt);
        if (!j) {
            pf_diag *dg = ir_err(b, fc->src, xs[i]->line, xs[i]->col, "%s mixes %s and %s", what,
                                 t->str, xt->str);
            if ((t->kind == IR_T_INT && xt->kind == IR_T_FLOAT) ||
                (t->kind == IR_T_FLOAT && xt->kind == IR_T_INT))
                ir_hint(b, dg, "pf values have one static type; write floats as 1.0");
            else
                ir_hint(b, dg, "pf values have one static type; use a tuple or a class for "
                               "values of different types");
            if (dg && first >= 0)
                ir_note(b, fc->src, xs[first]->line, xs[first]->col, "this value is %s", t->str);
            *out = b->t_error;
            return false;
        }
        if (first < 0 && xt->kind != IR_T_UNKNOWN) first = i;
        t = j;
    }
    for (int32_t i = 0; i < n; i++) xs[i] = ex_coerce(fc, xs[i], t, xs[i]->line, xs[i]->col, what);
    *out = t;
    return true;
}

/* ------------------------------------------------------------------------------ names */

static ir_expr *var_read(fctx *fc, var *v, int32_t line, int32_t col)
{
    irb *b = fc->b;
    if (v->poisoned == b->pass && v->type->kind == IR_T_UNKNOWN) return ex_err(fc, line, col);
    if (b->final && !b->generic && v->type->kind == IR_T_UNKNOWN) {
        ir_err(b, fc->src, line, col, "'%s' is used before it is assigned", v->name);
        return ex_err(fc, line, col);
    }
    ir_local *l = fc_local(fc, v);
    ir_expr *e = ex_local(fc, l, line, col);
    /* v->type, not l->type: within a pass the slot may have been made before v widened */
    if (v->type->kind == IR_T_OPTIONAL && fc_narrowed(fc, v)) {
        ir_expr *u = ex_new(fc, IR_E_UNWRAP, v->type->elems[0], line, col);
        ex_arg(fc, u, e);
        return u;
    }
    return e;
}

/* What a name means here, before any call/attribute use. */
typedef enum nkind { N_VALUE = 1, N_GNAME, N_BUILTIN, N_UNDEFINED } nkind;

static nkind name_kind(fctx *fc, const char *n, gname **gout)
{
    *gout = NULL;
    if (!fc->module_names) {
        for (int32_t i = fc->ncs - 1; i >= 0; i--)
            if (fc->cs[i].name == n) return N_VALUE;
        if (fc->def) {
            if (names_has(&fc->def->bound, n) || names_has(&fc->def->captures, n)) return N_VALUE;
            if (fc->def->def && fc->def->parent && n == fc->def->name) return N_VALUE;
        }
    }
    gname *g = rs_lookup(fc->mod, n);
    if (g) {
        *gout = g;
        return g->kind == G_VAR ? N_VALUE : N_GNAME;
    }
    if (bi_is_builtin(fc->b, n)) return N_BUILTIN;
    return N_UNDEFINED;
}

ir_global *ir_global_of(irb *b, modinfo *mi, gname *g)
{
    if (!g->global) {
        g->global = pf_arena_alloc(b->a, sizeof *g->global);
        g->global->name = mi == b->mods[0] ? g->name : pf_arena_sprintf(b->a, "%s.%s", mi->name, g->name);
        g->global->type = b->t_unknown;
        g->global->script_var = mi == b->mods[0];
        g->global->check_defined = g->late;
    }
    if (g->gpass != b->pass) {
        g->gpass = b->pass;
        g->global->id = b->globals.len;
        PF_VEC_PUSH(b->a, &b->globals, IR_LIMIT, g->global);
    }
    return g->global;
}

static ir_expr *global_read(fctx *fc, modinfo *mi, gname *g, int32_t line, int32_t col)
{
    irb *b = fc->b;
    ir_global *gl = ir_global_of(b, mi, g);
    if (b->final && !b->generic && gl->type->kind == IR_T_UNKNOWN) {
        ir_err(b, fc->src, line, col, "'%s' is used before it is assigned", g->name);
        return ex_err(fc, line, col);
    }
    ir_expr *e = ex_new(fc, IR_E_GLOBAL, gl->type, line, col);
    e->global = gl;
    return e;
}

/* The value of a module-level name that is not a variable (a def, an imported member). */
static ir_expr *gname_value(fctx *fc, modinfo *mi, gname *g, int32_t line, int32_t col)
{
    irb *b = fc->b;
    switch (g->kind) {
    case G_VAR:
        if (g->constant) return ex_expr(fc, g->constant);
        if (!g->is_global) {
            ir_err(b, fc->src, line, col, "'%s' is not visible here", g->name);
            return ex_err(fc, line, col);
        }
        return global_read(fc, mi, g, line, col);
    case G_DEF: return ex_func_value(fc, g->def, line, col);
    case G_CLASS: {
        pf_diag *dg = ir_err(b, fc->src, line, col, "class '%s' used as a value", g->name);
        ir_hint(b, dg, "create an instance with %s(...), or pass a lambda that does", g->name);
        return ex_err(fc, line, col);
    }
    case G_MODULE: {
        ir_err(b, fc->src, line, col, "module '%s' used as a value", g->name);
        return ex_err(fc, line, col);
    }
    case G_IMPORTED:
        if (g->module == BM_USER) {
            if (!g->umod) return ex_err(fc, line, col);
            gname *m = rs_lookup(g->umod, g->member);
            if (!m) {
                ir_err(b, fc->src, line, col, "module '%s' has no name '%s'", g->umod->name, g->member);
                return ex_err(fc, line, col);
            }
            return gname_value(fc, g->umod, m, line, col);
        }
        return bi_module_attr(fc, g->module, g->member, line, col);
    }
    return ex_err(fc, line, col);
}

static var *comp_fact_var(fctx *fc, ir_local *l);

static ir_expr *name_value(fctx *fc, const char *n, int32_t line, int32_t col)
{
    irb *b = fc->b;
    if (!fc->module_names) {
        for (int32_t i = fc->ncs - 1; i >= 0; i--)
            if (fc->cs[i].name == n) {
                ir_local *l = fc->cs[i].local;
                ir_expr *e = ex_local(fc, l, line, col);
                if (l->type->kind == IR_T_OPTIONAL && fc->nfacts && fc_narrowed(fc, comp_fact_var(fc, l))) {
                    ir_expr *u = ex_new(fc, IR_E_UNWRAP, l->type->elems[0], line, col);
                    ex_arg(fc, u, e);
                    return u;
                }
                return e;
            }
        if (fc->def) {
            ir_fndef *d = fc->def;
            if (names_has(&d->bound, n)) return var_read(fc, fc_var(fc, n), line, col);
            int32_t ci = names_index(&d->captures, n);
            if (ci >= 0) {
                ir_type *env = fc->sp->env;
                if (!env || ci >= env->n) return ex_err(fc, line, col);
                ir_expr *e = ex_new(fc, IR_E_CAPTURE, env->elems[ci], line, col);
                e->index = ci;
                return e;
            }
            if (d->def && d->parent && n == d->name) { /* a nested def naming itself */
                /* rebuilt from its own captures (IR_E_CAPTURE -1 would avoid the allocation,
                   once codegen supports it) */
                ir_type *env = fc->sp->env;
                ir_expr *e = ex_new(fc, IR_E_FUNC, env ? env : ty_func(b, d, NULL, 0), line, col);
                for (int32_t i = 0; env && i < env->n; i++) {
                    ir_expr *c = ex_new(fc, IR_E_CAPTURE, env->elems[i], line, col);
                    c->index = i;
                    ex_arg(fc, e, c);
                }
                return e;
            }
        }
    }
    gname *g = rs_lookup(fc->mod, n);
    if (g) {
        if (g->kind == G_VAR && !fc->def && !g->is_global && !fc->module_names)
            return var_read(fc, fc_var(fc, n), line, col);
        return gname_value(fc, fc->mod, g, line, col);
    }
    if (bi_is_builtin(b, n)) {
        ir_fndef *bl = rs_builtin_lambda(b, fc->mod, n, line, col);
        if (bl) return ex_func_value(fc, bl, line, col);
        pf_diag *dg = ir_err(b, fc->src, line, col, "builtin '%s' cannot be used as a value here", n);
        ir_hint(b, dg, "call it, or wrap it in a lambda: `lambda x: %s(x)`", n);
        return ex_err(fc, line, col);
    }
    ir_err(b, fc->src, line, col, "name '%s' is not defined", n);
    return ex_err(fc, line, col);
}

/* Is `n` at this point a variable whose narrowing we track? */
/* A comprehension name (`[r for r in rs if r is not None]`): a pseudo-variable per local. */
static var *comp_fact_var(fctx *fc, ir_local *l)
{
    return fc_var(fc, pf_intern_cstr(fc->b->a, pf_arena_sprintf(fc->b->a, "$comp%d", (int)l->id)));
}

static var *fact_var(fctx *fc, const ast_expr *e)
{
    if (e && e->kind == AST_ATTR && e->u.attr.value->kind == AST_NAME) {
        /* `x.f is not None`: values are immutable, so the fact holds until x is rebound;
           tracked as a pseudo-variable named "x.f" */
        var *base = fact_var(fc, e->u.attr.value);
        if (!base) return NULL;
        return fc_var(fc, pf_intern_cstr(fc->b->a, pf_arena_sprintf(fc->b->a, "%s.%s", base->name, e->u.attr.name)));
    }
    if (!e || e->kind != AST_NAME) return NULL;
    const char *n = e->u.name;
    for (int32_t i = fc->ncs - 1; i >= 0; i--)
        if (fc->cs[i].name == n) return comp_fact_var(fc, fc->cs[i].local);
    if (fc->def) return names_has(&fc->def->bound, n) ? fc_var(fc, n) : NULL;
    gname *g = rs_lookup(fc->mod, n);
    if (g && g->kind == G_VAR && !g->is_global) return fc_var(fc, n);
    return NULL;
}

/* A function value: the captured values are read now (capture by value). */
ir_expr *ex_func_value(fctx *fc, ir_fndef *d, int32_t line, int32_t col)
{
    irb *b = fc->b;
    int32_t n = d->captures.len;
    ir_expr **caps = pf_arena_alloc(b->a, sizeof *caps * (size_t)(n + 1));
    ir_type **ct = pf_arena_alloc(b->a, sizeof *ct * (size_t)(n + 1));
    for (int32_t i = 0; i < n; i++) {
        caps[i] = name_value(fc, d->captures.items[i], line, col);
        ct[i] = caps[i]->type;
    }
    ir_type *bad = ex_bad(fc, caps, n);
    if (bad) return ex_bad_result(fc, bad, line, col);
    ir_expr *e = ex_new(fc, IR_E_FUNC, ty_func(b, d, ct, n), line, col);
    for (int32_t i = 0; i < n; i++) ex_arg(fc, e, caps[i]);
    return e;
}

/* --------------------------------------------------------------------------- operators */

static const char *binop_dunder(ast_binop op)
{
    switch (op) {
    case AST_ADD: return "__add__";
    case AST_SUB: return "__sub__";
    case AST_MUL: return "__mul__";
    case AST_DIV: return "__truediv__";
    case AST_FLOORDIV: return "__floordiv__";
    case AST_MOD: return "__mod__";
    case AST_POW: return "__pow__";
    default: return NULL;
    }
}

static ir_op binop_ir(ast_binop op)
{
    switch (op) {
    case AST_ADD: return IR_OP_ADD;
    case AST_SUB: return IR_OP_SUB;
    case AST_MUL: return IR_OP_MUL;
    case AST_DIV: return IR_OP_DIV;
    case AST_FLOORDIV: return IR_OP_FLOORDIV;
    case AST_MOD: return IR_OP_MOD;
    case AST_POW: return IR_OP_POW;
    case AST_LSHIFT: return IR_OP_LSHIFT;
    case AST_RSHIFT: return IR_OP_RSHIFT;
    case AST_BITAND: return IR_OP_BITAND;
    case AST_BITOR: return IR_OP_BITOR;
    case AST_BITXOR: return IR_OP_BITXOR;
    default: return IR_OP_NONE;
    }
}

static ir_expr *bin_node(fctx *fc, ir_op op, ir_type *t, ir_expr *l, ir_expr *r, bool raises,
                         int32_t line, int32_t col)
{
    ir_expr *e = ex_new(fc, IR_E_BINARY, t, line, col);
    e->op = op;
    e->may_raise = raises;
    ex_arg(fc, e, l);
    ex_arg(fc, e, r);
    return e;
}

/* Evaluate x once into a temp: returns the LET node whose body the caller fills (args[1]) and
 * sets *ref to a read of the temp. */
ir_expr *ex_let(fctx *fc, ir_expr *x, ir_expr **ref)
{
    if (x->kind == IR_E_LOCAL) {
        *ref = x;
        return NULL;
    }
    ir_local *t = fc_temp(fc, x->type, "l");
    ir_expr *let = ex_new(fc, IR_E_LET, x->type, x->line, x->col);
    let->local = t;
    ex_arg(fc, let, x);
    *ref = ex_local(fc, t, x->line, x->col);
    return let;
}

ir_expr *ex_let_body(ir_expr *let, ir_expr *body)
{
    if (!let) return body;
    let->type = body->type;
    if (let->nargs == 1) let->args[let->nargs++] = body;
    return let;
}

static void op_error(fctx *fc, const char *op, ir_type *a, ir_type *b2, int32_t line, int32_t col)
{
    irb *b = fc->b;
    pf_diag *dg = ir_err(b, fc->src, line, col, "unsupported operand types for %s: %s and %s", op,
                         a->str, b2->str);
    if ((a->kind == IR_T_STR) != (b2->kind == IR_T_STR) && !strcmp(op, "+"))
        ir_hint(b, dg, "convert explicitly, e.g. str(n) or int(s)");
    else if (a->kind == IR_T_OPTIONAL || b2->kind == IR_T_OPTIONAL)
        ir_hint(b, dg, "the value may be None; test `if x is not None:` first");
}

ir_expr *ex_binop(fctx *fc, ast_binop op, ir_expr *l, ir_expr *r, int32_t line, int32_t col)
{
    irb *b = fc->b;
    /* an unknown operand (a def checked uncalled) takes the other's type, except the count of
     * a sequence repetition (`xs * n`, `n * s`), which is an int */
    bool l_seq = l->type->kind == IR_T_LIST || l->type->kind == IR_T_STR || l->type->kind == IR_T_TUPLE;
    bool r_seq = r->type->kind == IR_T_LIST || r->type->kind == IR_T_STR || r->type->kind == IR_T_TUPLE;
    settle(fc, l, op == AST_MUL && r_seq ? b->t_int : r->type);
    settle(fc, r, op == AST_MUL && l_seq ? b->t_int : l->type);
    ir_expr *xs[2] = {l, r};
    ir_type *bad = ex_bad(fc, xs, 2);
    if (bad) return ex_bad_result(fc, bad, line, col);
    ir_type *lt = l->type, *rt = r->type;
    const char *opname = ast_binop_str(op);
    if (ty_is_num(lt) && ty_is_num(rt)) {
        ir_op iop = binop_ir(op);
        if (iop == IR_OP_NONE) {
            op_error(fc, opname, lt, rt, line, col);
            return ex_err(fc, line, col);
        }
        if (iop == IR_OP_BITAND || iop == IR_OP_BITOR || iop == IR_OP_BITXOR || iop == IR_OP_LSHIFT ||
            iop == IR_OP_RSHIFT) {
            if (lt->kind == IR_T_FLOAT || rt->kind == IR_T_FLOAT) {
                op_error(fc, opname, lt, rt, line, col);
                return ex_err(fc, line, col);
            }
            if (lt->kind == IR_T_BOOL && rt->kind == IR_T_BOOL && iop != IR_OP_LSHIFT && iop != IR_OP_RSHIFT)
                return bin_node(fc, iop, b->t_bool, l, r, false, line, col);
            return bin_node(fc, iop, b->t_int, ex_convert(fc, l, b->t_int), ex_convert(fc, r, b->t_int),
                            iop != IR_OP_BITAND && iop != IR_OP_BITOR && iop != IR_OP_BITXOR, line, col);
        }
        bool isf = lt->kind == IR_T_FLOAT || rt->kind == IR_T_FLOAT || iop == IR_OP_DIV;
        if (iop == IR_OP_POW && !isf) {
            /* int ** int is int, as long as the exponent is not written negative: a negative
             * literal or a negation (`2 ** -1`, `b ** -n`) makes a float (docs/language.md) */
            isf = (r->kind == IR_E_INT && r->ival < 0) || (r->kind == IR_E_UNARY && r->op == IR_OP_NEG);
        }
        ir_type *t = isf ? b->t_float : b->t_int;
        bool raises = !isf || iop == IR_OP_DIV || iop == IR_OP_FLOORDIV || iop == IR_OP_MOD ||
                      iop == IR_OP_POW;
        if (iop == IR_OP_POW && isf && lt->kind == IR_T_FLOAT && r->kind == IR_E_INT && r->ival >= 0 &&
            r->ival <= 3)
            raises = false; /* x ** small int: a multiply */
        ir_expr *n = bin_node(fc, iop, t, ex_convert(fc, l, t), ex_convert(fc, r, t), raises, line, col);
        if (iop == IR_OP_DIV && lt->kind != IR_T_FLOAT && rt->kind != IR_T_FLOAT) n->ival = 1;
        return n;
    }
    if (op == AST_ADD && lt->kind == IR_T_STR && rt->kind == IR_T_STR)
        return ex_op2(fc, IR_OP_STR_CONCAT, b->t_str, false, l, r);
    if (op == AST_MUL && lt->kind == IR_T_STR && (rt->kind == IR_T_INT || rt->kind == IR_T_BOOL))
        return ex_op2(fc, IR_OP_STR_REPEAT, b->t_str, false, l, ex_convert(fc, r, b->t_int));
    if (op == AST_MUL && rt->kind == IR_T_STR && (lt->kind == IR_T_INT || lt->kind == IR_T_BOOL))
        return ex_op2(fc, IR_OP_STR_REPEAT, b->t_str, false, r, ex_convert(fc, l, b->t_int));
    if (op == AST_ADD && lt->kind == IR_T_LIST && rt->kind == IR_T_LIST) {
        ir_expr *ys[2] = {l, r};
        ir_type *t;
        if (!ex_unify(fc, ys, 2, "list concatenation", &t)) return ex_err(fc, line, col);
        return ex_op2(fc, IR_OP_LIST_CONCAT, t, false, ys[0], ys[1]);
    }
    if (op == AST_MUL && lt->kind == IR_T_LIST && (rt->kind == IR_T_INT || rt->kind == IR_T_BOOL))
        return ex_op2(fc, IR_OP_LIST_REPEAT, lt, false, l, ex_convert(fc, r, b->t_int));
    if (op == AST_MUL && rt->kind == IR_T_LIST && (lt->kind == IR_T_INT || lt->kind == IR_T_BOOL))
        return ex_op2(fc, IR_OP_LIST_REPEAT, rt, false, r, ex_convert(fc, l, b->t_int));
    if (op == AST_BITOR && lt->kind == IR_T_DICT && rt->kind == IR_T_DICT) {
        ir_expr *ys[2] = {l, r};
        ir_type *t;
        if (!ex_unify(fc, ys, 2, "dict merge", &t)) return ex_err(fc, line, col);
        return ex_op2(fc, IR_OP_DICT_MERGE, t, false, ys[0], ys[1]);
    }
    if (op == AST_ADD && lt->kind == IR_T_TUPLE && rt->kind == IR_T_TUPLE) {
        ir_expr *lr, *rr;
        ir_expr *l1 = ex_let(fc, l, &lr);
        ir_expr *l2 = ex_let(fc, r, &rr);
        ir_type **et = pf_arena_alloc(b->a, sizeof *et * (size_t)(lt->n + rt->n + 1));
        ir_expr *t = ex_new(fc, IR_E_TUPLE, b->t_unknown, line, col);
        for (int32_t i = 0; i < lt->n; i++) {
            et[i] = lt->elems[i];
            ex_arg(fc, t, ex_tuple_get(fc, lr, i));
        }
        for (int32_t i = 0; i < rt->n; i++) {
            et[lt->n + i] = rt->elems[i];
            ex_arg(fc, t, ex_tuple_get(fc, rr, i));
        }
        t->type = ty_tuple(b, et, lt->n + rt->n);
        return ex_let_body(l1, ex_let_body(l2, t));
    }
    if (op == AST_MOD && lt->kind == IR_T_STR) {
        pf_diag *dg = ir_err(b, fc->src, line, col, "%%-formatting of strings is not supported");
        ir_hint(b, dg, "use an f-string: f\"{x:.3f}\"");
        return ex_err(fc, line, col);
    }
    if (lt->kind == IR_T_CLASS && binop_dunder(op)) {
        ir_fndef *m = rs_method(lt->cls == NULL ? NULL : NULL, NULL);
        (void)m;
        for (int32_t i = 0; i < b->nclasses; i++) {
            if (b->classes[i]->cls != lt->cls) continue;
            ir_fndef *md = rs_method(b->classes[i], pf_intern_cstr(b->a, binop_dunder(op)));
            if (md) {
                ir_expr *args[2] = {l, r};
                return ex_call_def(fc, md, NULL, NULL, args, 2, NULL, line, col);
            }
        }
    }
    op_error(fc, opname, lt, rt, line, col);
    return ex_err(fc, line, col);
}

static ir_expr *ex_unary(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    ir_expr *x = ex_expr(fc, e->u.unary.operand);
    if (e->u.unary.op == AST_NOT) {
        ir_expr *t = ex_truth(fc, x);
        if (ty_is_bad(t->type)) return t;
        if (t->kind == IR_E_BOOL) return ex_bool(fc, !t->ival, e->line, e->col);
        ir_expr *n = ex_new(fc, IR_E_UNARY, b->t_bool, e->line, e->col);
        n->op = IR_OP_NOT;
        ex_arg(fc, n, t);
        return n;
    }
    if (ty_is_bad(x->type)) return x;
    ir_type *t = x->type;
    if (t->kind == IR_T_BOOL) {
        x = ex_convert(fc, x, b->t_int);
        t = b->t_int;
    }
    if (t->kind != IR_T_INT && (t->kind != IR_T_FLOAT || e->u.unary.op == AST_INVERT)) {
        if (t->kind == IR_T_CLASS && e->u.unary.op == AST_NEG) {
            for (int32_t i = 0; i < b->nclasses; i++) {
                if (b->classes[i]->cls != t->cls) continue;
                ir_fndef *md = rs_method(b->classes[i], pf_intern_cstr(b->a, "__neg__"));
                if (md) return ex_call_def(fc, md, NULL, NULL, &x, 1, NULL, e->line, e->col);
            }
        }
        ir_err(b, fc->src, e->line, e->col, "bad operand type for unary %s: %s",
               ast_unop_str(e->u.unary.op), t->str);
        return ex_err(fc, e->line, e->col);
    }
    if (e->u.unary.op == AST_POS) return x;
    if (e->u.unary.op == AST_NEG) {
        if (x->kind == IR_E_INT && x->ival != INT64_MIN) return ex_int(fc, -x->ival, e->line, e->col);
        if (x->kind == IR_E_FLOAT) return ex_float(fc, -x->fval, e->line, e->col);
    }
    ir_expr *n = ex_new(fc, IR_E_UNARY, t, e->line, e->col);
    n->op = e->u.unary.op == AST_NEG ? IR_OP_NEG : IR_OP_INVERT;
    n->may_raise = t->kind == IR_T_INT && e->u.unary.op == AST_NEG;
    ex_arg(fc, n, x);
    return n;
}

static ir_expr *ex_boolop(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    const ast_expr_list *vs = &e->u.boolop.values;
    bool is_and = e->u.boolop.op == AST_AND;
    int32_t saved = fc->nfacts;
    var **sv = NULL;
    if (saved) {
        sv = pf_arena_alloc(b->a, sizeof *sv * (size_t)saved);
        memcpy(sv, fc->facts, sizeof *sv * (size_t)saved);
    }
    ir_expr **xs = pf_arena_alloc(b->a, sizeof *xs * (size_t)vs->len);
    for (int32_t i = 0; i < vs->len; i++) {
        if (i) ex_cond_facts(fc, vs->items[i - 1], is_and);
        xs[i] = ex_expr(fc, vs->items[i]);
    }
    fc->nfacts = 0;
    for (int32_t i = 0; i < saved; i++) fc_fact_add(fc, sv[i]);
    bool allbool = true;
    for (int32_t i = 0; i < vs->len; i++) allbool &= xs[i]->type->kind == IR_T_BOOL;
    ir_type *t;
    if (!allbool) {
        if (!ex_unify(fc, xs, vs->len, is_and ? "'and'" : "'or'", &t)) return ex_err(fc, e->line, e->col);
        if (ty_is_bad(t)) return ex_bad_result(fc, t, e->line, e->col);
    } else {
        t = b->t_bool;
    }
    ir_expr *r = xs[vs->len - 1];
    for (int32_t i = vs->len - 2; i >= 0; i--) {
        ir_expr *n = ex_new(fc, is_and ? IR_E_AND : IR_E_OR, t, e->line, e->col);
        ex_arg(fc, n, xs[i]);
        ex_arg(fc, n, r);
        r = n;
    }
    return r;
}

static bool is_none_lit(const ast_expr *e) { return e && e->kind == AST_NONE; }

static ir_cmp cmp_ir(ast_cmpop op)
{
    switch (op) {
    case AST_EQ: return IR_CMP_EQ;
    case AST_NE: return IR_CMP_NE;
    case AST_LT: return IR_CMP_LT;
    case AST_LE: return IR_CMP_LE;
    case AST_GT: return IR_CMP_GT;
    case AST_GE: return IR_CMP_GE;
    case AST_IN: return IR_CMP_IN;
    case AST_NOT_IN: return IR_CMP_NOT_IN;
    default: return IR_CMP_EQ;
    }
}

ir_expr *ex_is_none(fctx *fc, ir_expr *x, bool negate, int32_t line, int32_t col)
{
    irb *b = fc->b;
    if (ty_is_bad(x->type)) return ex_bad_result(fc, x->type->kind == IR_T_ERROR ? x->type : b->t_bool, line, col);
    if (x->type->kind == IR_T_NONE) return ex_bool(fc, !negate, line, col);
    if (x->type->kind != IR_T_OPTIONAL) return ex_bool(fc, negate, line, col);
    ir_expr *n = ex_new(fc, IR_E_ISNONE, b->t_bool, line, col);
    n->ival = negate;
    ex_arg(fc, n, x);
    return n;
}

static bool orderable(const ir_type *t)
{
    switch (t->kind) {
    case IR_T_INT: case IR_T_FLOAT: case IR_T_BOOL: case IR_T_STR: return true;
    case IR_T_UNKNOWN: case IR_T_ERROR: return true; /* absorbs: a def checked uncalled */
    case IR_T_LIST: return orderable(t->elems[0]);
    case IR_T_TUPLE:
        for (int32_t i = 0; i < t->n; i++)
            if (!orderable(t->elems[i])) return false;
        return true;
    default: return false;
    }
}

static ir_expr *ex_compare(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    int32_t n = e->u.compare.n;
    const ast_cmpop *ops = e->u.compare.ops;
    /* `x is None`, `x is not None`, `x == None` */
    if (n == 1 && (ops[0] == AST_IS || ops[0] == AST_IS_NOT || ops[0] == AST_EQ || ops[0] == AST_NE)) {
        const ast_expr *l = e->u.compare.left, *r = e->u.compare.comparators[0];
        bool neg = ops[0] == AST_IS_NOT || ops[0] == AST_NE;
        if (is_none_lit(r) && !is_none_lit(l)) return ex_is_none(fc, ex_expr(fc, l), neg, e->op_line, e->op_col);
        if (is_none_lit(l) && !is_none_lit(r)) return ex_is_none(fc, ex_expr(fc, r), neg, e->op_line, e->op_col);
        if (is_none_lit(l) && is_none_lit(r)) return ex_bool(fc, !neg, e->line, e->col);
    }
    ir_expr **xs = pf_arena_alloc(b->a, sizeof *xs * (size_t)(n + 1));
    xs[0] = ex_expr(fc, e->u.compare.left);
    for (int32_t i = 0; i < n; i++) xs[i + 1] = ex_expr(fc, e->u.compare.comparators[i]);
    for (int32_t i = 0; i < n; i++)
        if (ops[i] != AST_IN && ops[i] != AST_NOT_IN) {
            settle(fc, xs[i], xs[i + 1]->type);
            settle(fc, xs[i + 1], xs[i]->type);
        }
    ir_type *bad = ex_bad(fc, xs, n + 1);
    if (bad) return ex_bad_result(fc, bad->kind == IR_T_ERROR ? bad : b->t_unknown, e->line, e->col);
    for (int32_t i = 0; i < n; i++)
        if (ops[i] == AST_IS || ops[i] == AST_IS_NOT) {
            pf_diag *dg = ir_err(b, fc->src, e->op_line, e->op_col, "'is' compares only with None in pf");
            ir_hint(b, dg, "use == to compare values");
            return ex_err(fc, e->line, e->col);
        }
    /* numeric operands of ordering/equality links: all float if any is float */
    bool anyf = false, anyi = false;
    for (int32_t i = 0; i <= n; i++) {
        bool in_link = (i < n && ops[i] != AST_IN && ops[i] != AST_NOT_IN) ||
                       (i > 0 && ops[i - 1] != AST_IN && ops[i - 1] != AST_NOT_IN);
        if (!in_link) continue;
        anyf |= xs[i]->type->kind == IR_T_FLOAT;
        anyi |= xs[i]->type->kind == IR_T_INT;
    }
    for (int32_t i = 0; i <= n; i++) {
        bool in_link = (i < n && ops[i] != AST_IN && ops[i] != AST_NOT_IN) ||
                       (i > 0 && ops[i - 1] != AST_IN && ops[i - 1] != AST_NOT_IN);
        if (!in_link || !ty_is_num(xs[i]->type)) continue;
        if (anyf) xs[i] = ex_convert(fc, xs[i], b->t_float);
        else if (anyi) xs[i] = ex_convert(fc, xs[i], b->t_int);
    }
    /* a single comparison of class instances with __eq__/__lt__/... */
    if (n == 1 && xs[0]->type->kind == IR_T_CLASS) {
        static const char *const dn[] = {[AST_EQ] = "__eq__", [AST_NE] = "__ne__", [AST_LT] = "__lt__",
                                         [AST_LE] = "__le__", [AST_GT] = "__gt__", [AST_GE] = "__ge__"};
        if (ops[0] <= AST_GE) {
            for (int32_t i = 0; i < b->nclasses; i++) {
                if (b->classes[i]->cls != xs[0]->type->cls) continue;
                ir_fndef *md = rs_method(b->classes[i], pf_intern_cstr(b->a, dn[ops[0]]));
                if (md) return ex_call_def(fc, md, NULL, NULL, xs, 2, NULL, e->line, e->col);
            }
        }
    }
    ir_expr *c = ex_new(fc, IR_E_COMPARE, b->t_bool, e->line, e->col);
    c->cmps = pf_arena_alloc(b->a, sizeof *c->cmps * (size_t)n);
    for (int32_t i = 0; i < n; i++) {
        ir_type *lt = xs[i]->type, *rt = xs[i + 1]->type;
        int32_t ol = i == 0 ? e->op_line : xs[i + 1]->line, oc = i == 0 ? e->op_col : xs[i + 1]->col;
        c->cmps[i] = cmp_ir(ops[i]);
        if (ops[i] == AST_IN || ops[i] == AST_NOT_IN) {
            ir_type *want = NULL;
            if (rt->kind == IR_T_STR) want = b->t_str;
            else if (rt->kind == IR_T_LIST) want = rt->elems[0];
            else if (rt->kind == IR_T_DICT) want = rt->elems[0];
            else if (ty_homog_tuple(rt)) want = rt->elems[0];
            if (!want) {
                ir_err(b, fc->src, ol, oc, "'in' needs a str, list, dict or tuple of one type, not %s",
                       rt->str);
                return ex_err(fc, e->line, e->col);
            }
            if (ty_is_num(lt) && ty_is_num(want) && lt != want) {
                if (want->kind == IR_T_FLOAT) xs[i] = ex_convert(fc, xs[i], want);
                else if (lt->kind == IR_T_BOOL && want->kind == IR_T_INT) xs[i] = ex_convert(fc, xs[i], want);
            }
            if (xs[i]->type != want && !ty_has_unknown(want)) {
                ir_err(b, fc->src, ol, oc, "'in' looks for %s in %s", xs[i]->type->str, rt->str);
                return ex_err(fc, e->line, e->col);
            }
            continue;
        }
        if (lt != rt) {
            ir_expr *pair[2] = {xs[i], xs[i + 1]};
            ir_type *j = ty_join(b, lt, rt);
            if (j && (ty_has_unknown(lt) || ty_has_unknown(rt) || ops[i] == AST_EQ || ops[i] == AST_NE)) {
                xs[i] = ex_coerce(fc, pair[0], j, ol, oc, "operand");
                xs[i + 1] = ex_coerce(fc, pair[1], j, ol, oc, "operand");
                lt = rt = j;
            } else {
                pf_diag *dg = ir_err(b, fc->src, ol, oc, "cannot compare %s with %s", lt->str, rt->str);
                if (ops[i] == AST_EQ || ops[i] == AST_NE)
                    ir_hint(b, dg, "values of different types are never equal; convert one side");
                return ex_err(fc, e->line, e->col);
            }
        }
        if (ops[i] != AST_EQ && ops[i] != AST_NE && !orderable(lt)) {
            ir_err(b, fc->src, ol, oc, "'%s' is not supported between values of type %s",
                   ast_cmpop_str(ops[i]), lt->str);
            return ex_err(fc, e->line, e->col);
        }
    }
    for (int32_t i = 0; i <= n; i++) ex_arg(fc, c, xs[i]);
    return c;
}

/* ------------------------------------------------------------------ narrowing facts */

void ex_cond_facts(fctx *fc, const ast_expr *c, bool pos)
{
    if (!c) return;
    switch (c->kind) {
    case AST_UNARY:
        if (c->u.unary.op == AST_NOT) ex_cond_facts(fc, c->u.unary.operand, !pos);
        return;
    case AST_BOOLOP:
        if ((c->u.boolop.op == AST_AND) == pos)
            for (int32_t i = 0; i < c->u.boolop.values.len; i++) ex_cond_facts(fc, c->u.boolop.values.items[i], pos);
        return;
    case AST_COMPARE: {
        if (c->u.compare.n != 1) return;
        ast_cmpop op = c->u.compare.ops[0];
        const ast_expr *l = c->u.compare.left, *r = c->u.compare.comparators[0];
        const ast_expr *x = is_none_lit(r) ? l : is_none_lit(l) ? r : NULL;
        if (!x) return;
        bool notnone = (op == AST_IS_NOT || op == AST_NE) ? pos : (op == AST_IS || op == AST_EQ) ? !pos : false;
        if (!notnone) return;
        var *v = fact_var(fc, x);
        if (v) fc_fact_add(fc, v);
        return;
    }
    case AST_NAME:
    case AST_ATTR:
        if (pos) {
            var *v = fact_var(fc, c);
            if (v && (v->type->kind == IR_T_OPTIONAL || c->kind == AST_ATTR)) fc_fact_add(fc, v);
        }
        return;
    default: return;
    }
}

int ex_static_cond(fctx *fc, const ast_expr *c)
{
    const ast_expr *k = c;
    while (k->kind == AST_UNARY && k->u.unary.op == AST_NOT) k = k->u.unary.operand;
    bool candidate = (k->kind == AST_COMPARE && k->u.compare.n == 1 &&
                      (k->u.compare.ops[0] == AST_IS || k->u.compare.ops[0] == AST_IS_NOT)) ||
                     (k->kind == AST_CALL && k->u.call.func->kind == AST_NAME &&
                      !strcmp(k->u.call.func->u.name, "isinstance")) ||
                     k->kind == AST_BOOL;
    if (!candidate) return -1;
    fc->b->quiet++;
    ir_expr *x = ex_cond(fc, c);
    fc->b->quiet--;
    if (x->kind == IR_E_BOOL) return (int)x->ival;
    return -1;
}

/* ---------------------------------------------------------------------------- subscripts */

static bool const_index(const ast_expr *e, int64_t *out)
{
    if (e->kind == AST_INT) {
        *out = e->u.int_value;
        return true;
    }
    if (e->kind == AST_UNARY && e->u.unary.op == AST_NEG && e->u.unary.operand->kind == AST_INT) {
        *out = -e->u.unary.operand->u.int_value;
        return true;
    }
    return false;
}

static ir_expr *int_arg(fctx *fc, const ast_expr *e, const char *what)
{
    irb *b = fc->b;
    ir_expr *x = ex_expr(fc, e);
    if (ty_is_bad(x->type)) return x;
    if (x->type->kind == IR_T_BOOL) return ex_convert(fc, x, b->t_int);
    if (x->type->kind != IR_T_INT) {
        ir_err(b, fc->src, e->line, e->col, "%s must be an int, not %s", what, x->type->str);
        return ex_err(fc, e->line, e->col);
    }
    return x;
}

static ir_expr *ex_subscript(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    ir_expr *c = ex_expr(fc, e->u.subscript.value);
    const ast_expr *ix = e->u.subscript.index;
    int32_t line = e->op_line, col = e->op_col;
    if (ty_is_bad(c->type)) {
        ex_expr(fc, ix->kind == AST_SLICE ? (ix->u.slice.lo ? ix->u.slice.lo : ix) : ix);
        return ex_bad_result(fc, c->type, line, col);
    }
    ir_type *t = c->type;
    if (ix->kind == AST_SLICE) {
        ir_op op = t->kind == IR_T_STR ? IR_OP_STR_SLICE : t->kind == IR_T_LIST ? IR_OP_LIST_SLICE : IR_OP_NONE;
        if (op == IR_OP_NONE && t->kind == IR_T_TUPLE) {
            int64_t lo = 0, hi = 0, st = 1, n = t->n;
            bool ok = (!ix->u.slice.step || const_index(ix->u.slice.step, &st)) && st != 0 &&
                      (!ix->u.slice.lo || const_index(ix->u.slice.lo, &lo)) &&
                      (!ix->u.slice.hi || const_index(ix->u.slice.hi, &hi));
            if (ok) {
                /* Python's slice.indices(n) */
                if (!ix->u.slice.lo) lo = st > 0 ? 0 : n - 1;
                else {
                    if (lo < 0) lo += n;
                    if (lo < 0) lo = st > 0 ? 0 : -1;
                    if (lo >= n) lo = st > 0 ? n : n - 1;
                }
                if (!ix->u.slice.hi) hi = st > 0 ? n : -1;
                else {
                    if (hi < 0) hi += n;
                    if (hi < 0) hi = st > 0 ? 0 : -1;
                    if (hi >= n) hi = st > 0 ? n : n - 1;
                }
                ir_expr *ref;
                ir_expr *let = ex_let(fc, c, &ref);
                ir_expr *tu = ex_new(fc, IR_E_TUPLE, b->t_unknown, line, col);
                ir_type *et[t->n + 1];
                int32_t k = 0;
                for (int64_t i = lo; st > 0 ? i < hi : i > hi; i += st) {
                    et[k++] = t->elems[i];
                    ex_arg(fc, tu, ex_tuple_get(fc, ref, (int32_t)i));
                }
                tu->type = ty_tuple(b, et, k);
                return ex_let_body(let, tu);
            }
            ir_err(b, fc->src, line, col, "a tuple slice needs constant bounds");
            return ex_err(fc, line, col);
        }
        if (op == IR_OP_NONE) {
            ir_err(b, fc->src, line, col, "%s cannot be sliced", t->str);
            return ex_err(fc, line, col);
        }
        ir_expr *s = ex_op(fc, op, t, true, line, col);
        ex_arg(fc, s, c);
        ex_arg(fc, s, ix->u.slice.lo ? int_arg(fc, ix->u.slice.lo, "slice index") : NULL);
        ex_arg(fc, s, ix->u.slice.hi ? int_arg(fc, ix->u.slice.hi, "slice index") : NULL);
        ex_arg(fc, s, ix->u.slice.step ? int_arg(fc, ix->u.slice.step, "slice step") : NULL);
        s->may_raise = ix->u.slice.step != NULL;
        return s;
    }
    switch (t->kind) {
    case IR_T_LIST: return ex_op2(fc, IR_OP_LIST_INDEX, t->elems[0], true, c, int_arg(fc, ix, "list index"));
    case IR_T_STR: return ex_op2(fc, IR_OP_STR_INDEX, b->t_str, true, c, int_arg(fc, ix, "string index"));
    case IR_T_DICT: {
        ir_expr *k = ex_coerce(fc, ex_expr(fc, ix), t->elems[0], ix->line, ix->col, "dict key");
        return ex_op2(fc, IR_OP_DICT_GETITEM, t->elems[1], true, c, k);
    }
    case IR_T_TUPLE: {
        int64_t i;
        if (const_index(ix, &i)) {
            if (i < 0) i += t->n;
            if (i < 0 || i >= t->n) {
                ir_err(b, fc->src, ix->line, ix->col, "tuple index out of range (the tuple has %d items)",
                       (int)t->n);
                return ex_err(fc, line, col);
            }
            return ex_tuple_get(fc, c, (int32_t)i);
        }
        if (ty_homog_tuple(t))
            return ex_op2(fc, IR_OP_TUPLE_INDEX, t->elems[0], true, c, int_arg(fc, ix, "tuple index"));
        pf_diag *dg = ir_err(b, fc->src, ix->line, ix->col,
                             "a tuple of mixed types (%s) needs a constant index", t->str);
        ir_hint(b, dg, "use a list for values of one type indexed by a variable");
        return ex_err(fc, line, col);
    }
    default:
        ir_err(b, fc->src, line, col, "%s cannot be indexed", t->str);
        return ex_err(fc, line, col);
    }
}

/* ---------------------------------------------------------------------------- attributes */

static classdef *class_of(irb *b, ir_type *t)
{
    if (t->kind != IR_T_CLASS) return NULL;
    for (int32_t i = 0; i < b->nclasses; i++)
        if (b->classes[i]->cls == t->cls) return b->classes[i];
    return NULL;
}

static int32_t field_index(ir_class *c, const char *n)
{
    for (int32_t i = 0; i < c->nfields; i++)
        if (c->field_names[i] == n) return i;
    return -1;
}

/* `name.attr` where name is a module: returns true and sets *bm and *um. */
static bool module_ref(fctx *fc, const ast_expr *v, bmod *bm, modinfo **um)
{
    if (v->kind != AST_NAME) return false;
    gname *g;
    if (name_kind(fc, v->u.name, &g) != N_GNAME || g->kind != G_MODULE) return false;
    *bm = g->module;
    *um = g->umod;
    return true;
}

static ir_expr *ex_attr(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    bmod bm;
    modinfo *um;
    const char *n = e->u.attr.name;
    if (module_ref(fc, e->u.attr.value, &bm, &um)) {
        if (bm == BM_USER) {
            if (!um) return ex_err(fc, e->line, e->col);
            gname *g = rs_lookup(um, n);
            if (!g) {
                ir_err(b, fc->src, e->op_line, e->op_col, "module '%s' has no attribute '%s'", um->name, n);
                return ex_err(fc, e->line, e->col);
            }
            return gname_value(fc, um, g, e->op_line, e->op_col);
        }
        return bi_module_attr(fc, bm, n, e->op_line, e->op_col);
    }
    ir_expr *o = ex_expr(fc, e->u.attr.value);
    if (ty_is_bad(o->type)) return o;
    classdef *cd = class_of(b, o->type);
    if (cd) {
        int32_t fi = field_index(cd->cls, n);
        if (fi >= 0) {
            ir_type *ft = cd->cls->field_types[fi];
            ir_expr *f = ex_new(fc, IR_E_FIELD, ft, e->op_line, e->op_col);
            f->index = fi;
            ex_arg(fc, f, o);
            if (ft->kind == IR_T_OPTIONAL) {
                var *pv = fact_var(fc, e);
                if (pv && fc_narrowed(fc, pv)) {
                    ir_expr *u = ex_new(fc, IR_E_UNWRAP, ft->elems[0], e->op_line, e->op_col);
                    ex_arg(fc, u, f);
                    return u;
                }
            }
            return f;
        }
        if (rs_method(cd, n)) {
            pf_diag *dg = ir_err(b, fc->src, e->op_line, e->op_col,
                                 "method '%s' of %s used as a value", n, cd->name);
            ir_hint(b, dg, "call it, or pass a lambda: `lambda x: obj.%s(x)`", n);
            return ex_err(fc, e->line, e->col);
        }
        pf_diag *dg = ir_err(b, fc->src, e->op_line, e->op_col, "'%s' object has no attribute '%s'",
                             cd->name, n);
        if (cd->cls->nfields)
            ir_hint(b, dg, "its fields (set in __init__) are: %s%s", cd->cls->field_names[0],
                    cd->cls->nfields > 1 ? ", ..." : "");
        return ex_err(fc, e->line, e->col);
    }
    return bi_value_attr(fc, o, n, e);
}

/* -------------------------------------------------------------------------------- calls */

/* Call def d with fully positional IR arguments (defaults for missing trailing ones are
 * elaborated here). args[i] may be NULL for a missing one. */
ir_expr *ex_call_def(fctx *fc, ir_fndef *d, ir_type *env, ir_expr *envx, ir_expr **args,
                     int32_t nargs, const ast_expr *call, int32_t line, int32_t col)
{
    irb *b = fc->b;
    int32_t np = d->params->len;
    ir_expr **slots = pf_arena_alloc(b->a, sizeof *slots * (size_t)(np + 1));
    if (nargs > np) {
        ir_err(b, fc->src, line, col, "%s() takes %d argument%s but %d were given", d->name,
               (int)(np - (d->cls ? 1 : 0)), np - (d->cls ? 1 : 0) == 1 ? "" : "s",
               (int)(nargs - (d->cls ? 1 : 0)));
        return ex_err(fc, line, col);
    }
    for (int32_t i = 0; i < nargs; i++) slots[i] = args[i];
    bool ok = true;
    for (int32_t i = 0; i < np; i++) {
        if (slots[i]) continue;
        const ast_param *p = &d->params->items[i];
        if (!p->default_) {
            ir_err(b, fc->src, line, col, "%s() missing required argument '%s'", d->name, p->name);
            ok = false;
            continue;
        }
        if (!ir_is_literal(p->default_) && !d->parent && !d->lambda && (d->cls || d->def->kind == AST_DEF) &&
            d->dflts && d->dflts[i].g) {
            /* evaluated once when the def ran */
            ir_global *g = ir_default_global(b, d, i);
            if (g->type->kind == IR_T_UNKNOWN && b->final) {
                ir_err(b, fc->src, line, col, "%s() is called before its def statement ran", d->name);
                ok = false;
                continue;
            }
            slots[i] = ex_new(fc, IR_E_GLOBAL, g->type, line, col);
            slots[i]->global = g;
            continue;
        }
        /* defaults are evaluated in the def's module scope */
        bool saved = fc->module_names;
        modinfo *smod = fc->mod;
        const pf_source *ssrc = fc->src;
        fc->module_names = true;
        fc->mod = d->mod;
        fc->src = d->mod->src;
        slots[i] = ex_expr(fc, p->default_);
        fc->module_names = saved;
        fc->mod = smod;
        fc->src = ssrc;
    }
    if (!ok) return ex_err(fc, line, col);
    ir_type **at = pf_arena_alloc(b->a, sizeof *at * (size_t)(np + 1));
    if (d->def && d->def->kind == AST_DEF) {
        /* annotated parameters are checked (and int -> float converted) at each call */
        modinfo *smod = fc->mod;
        const pf_source *ssrc = fc->src;
        for (int32_t i = 0; i < np; i++) {
            const ast_param *p = &d->params->items[i];
            if (!p->annotation) continue;
            fc->mod = d->mod;
            fc->src = d->mod->src;
            ir_type *want = ir_annotation(fc, p->annotation);
            fc->mod = smod;
            fc->src = ssrc;
            if (!want) continue;
            ir_expr *v = ir_fit_annotation(fc, slots[i], want);
            if (!v) {
                pf_diag *dg = ir_err(b, fc->src, slots[i]->line, slots[i]->col,
                                     "argument '%s' of %s() must be %s, not %s", p->name, d->name, want->str,
                                     slots[i]->type->str);
                if (dg) ir_note(b, d->mod->src, p->line, p->col, "'%s' is annotated here", p->name);
                return ex_err(fc, line, col);
            }
            slots[i] = v;
        }
    }
    if (d->def && d->def->kind == AST_EXTERN) {
        for (int32_t i = 0; i < np; i++) {
            const ast_param *p = &d->params->items[i];
            ir_type *want = p->annotation ? ir_ann_type(fc, p->annotation) : b->t_error;
            if ((want->kind == IR_T_FLOAT && ty_is_num(slots[i]->type)) ||
                (want->kind == IR_T_INT && slots[i]->type->kind == IR_T_BOOL))
                slots[i] = ex_convert(fc, slots[i], want);
            slots[i] = ex_coerce(fc, slots[i], want, slots[i]->line, slots[i]->col, "argument");
        }
    }
    for (int32_t i = 0; i < np; i++) at[i] = slots[i]->type;
    ir_type *bad = ex_bad(fc, slots, np);
    if (bad) return ex_bad_result(fc, bad, line, col);
    for (int32_t i = 0; i < np; i++)
        if (ty_depth(at[i]) > IR_MAX_TYPE_DEPTH) {
            pf_diag *dg = ir_err(b, fc->src, line, col, "argument '%s' of %s() nests types too deeply (limit is %d)",
                                 d->params->items[i].name, d->name, IR_MAX_TYPE_DEPTH);
            ir_hint(b, dg, "a recursive call that wraps its argument ([x], (x, y)) makes a new type at "
                           "every level; pass values of one type");
            return ex_err(fc, line, col);
        }
    spec *sp = sp_get(b, d, env, at, np);
    if (!sp) {
        ir_err(b, fc->src, line, col, "too many specialisations (limit is %d)", IR_MAX_SPECS);
        return ex_err(fc, line, col);
    }
    /* an argument like [] whose element type the callee determines: use the refined spec */
    while (sp->redirect) sp = sp->redirect;
    for (int32_t i = 0; i < np; i++)
        if (sp->argt[i] != slots[i]->type) slots[i] = ex_coerce(fc, slots[i], sp->argt[i], line, col, "argument");
    sp_elaborate(b, sp);
    ir_type *rt = sp->ret;
    if (rt->kind == IR_T_UNKNOWN && sp->ret_error == b->pass) return ex_err(fc, line, col);
    if (rt->kind == IR_T_UNKNOWN && b->final && !b->generic) {
        if (sp->busy) {
            pf_diag *dg = ir_err(b, fc->src, line, col,
                                 "cannot infer the return type of recursive function '%s'", d->name);
            ir_hint(b, dg, "give it a base case that returns a value, e.g. `if n < 2: return n`");
            return ex_err(fc, line, col);
        }
        rt = b->t_none;
    }
    ir_expr *e = ex_new(fc, IR_E_CALL, rt, line, col);
    e->func = sp->func;
    e->env = env ? envx : NULL;
    e->may_raise = true;
    for (int32_t i = 0; i < np; i++) ex_arg(fc, e, slots[i]);
    (void)call;
    return e;
}

/* Map AST call arguments (positional + keywords) onto d's parameters, starting at `first`
 * (1 for methods: self is args[0] already). */
static ir_expr **bind_args(fctx *fc, ir_fndef *d, const ast_expr *call, ir_expr *self, int32_t *nout,
                           bool *ok)
{
    irb *b = fc->b;
    int32_t np = d->params->len;
    int32_t first = self ? 1 : 0;
    const ast_expr_list *pa = &call->u.call.args;
    const ast_keyword_list *kw = &call->u.call.keywords;
    ir_expr **slots = pf_arena_alloc(b->a, sizeof *slots * (size_t)(np + pa->len + 1));
    *ok = true;
    if (self) slots[0] = self;
    int32_t n = first;
    for (int32_t i = 0; i < pa->len; i++) {
        const ast_expr *a = pa->items[i];
        if (a->kind == AST_STARRED) {
            ir_err(b, fc->src, a->line, a->col, "*arguments are not supported");
            *ok = false;
            continue;
        }
        slots[n++] = ex_expr(fc, a);
    }
    if (n > np) {
        ir_err(b, fc->src, call->op_line, call->op_col, "%s() takes %d positional argument%s but %d were given",
               d->name, (int)(np - first), np - first == 1 ? "" : "s", (int)(n - first));
        *ok = false;
        return slots;
    }
    int32_t maxn = n;
    for (int32_t i = 0; i < kw->len; i++) {
        const ast_keyword *k = &kw->items[i];
        int32_t pi = -1;
        for (int32_t j = first; j < np; j++)
            if (d->params->items[j].name == k->name) pi = j;
        ir_expr *v = ex_expr(fc, k->value);
        if (pi < 0) {
            pf_diag *dg = ir_err(b, fc->src, k->line, k->col, "%s() got an unexpected keyword argument '%s'",
                                 d->name, k->name);
            if (np > first) {
                size_t len = 0;
                for (int32_t j = first; j < np; j++) len += strlen(d->params->items[j].name) + 2;
                char *s = pf_arena_alloc(b->a, len + 1);
                for (int32_t j = first; j < np; j++) {
                    if (j > first) strcat(s, ", ");
                    strcat(s, d->params->items[j].name);
                }
                ir_hint(b, dg, "its parameters are: %s", s);
            }
            *ok = false;
            continue;
        }
        if (pi < n || slots[pi]) {
            ir_err(b, fc->src, k->line, k->col, "%s() got multiple values for argument '%s'", d->name, k->name);
            *ok = false;
            continue;
        }
        slots[pi] = v;
        if (pi + 1 > maxn) maxn = pi + 1;
    }
    *nout = maxn;
    return slots;
}

static ir_expr *call_with_ast(fctx *fc, ir_fndef *d, ir_type *env, ir_expr *envx, ir_expr *self,
                              const ast_expr *call)
{
    int32_t n;
    bool ok;
    ir_expr **slots = bind_args(fc, d, call, self, &n, &ok);
    if (!ok) return ex_err(fc, call->line, call->col);
    return ex_call_def(fc, d, env, envx, slots, n, call, call->op_line, call->op_col);
}

/* Call a function value (FUNC type) with AST args. */
static ir_expr *call_value(fctx *fc, ir_expr *f, const ast_expr *call)
{
    irb *b = fc->b;
    if (ty_is_bad(f->type)) {
        for (int32_t i = 0; i < call->u.call.args.len; i++) ex_expr(fc, call->u.call.args.items[i]);
        return f;
    }
    if (f->type->kind != IR_T_FUNC) {
        ir_err(b, fc->src, call->op_line, call->op_col, "%s is not callable", f->type->str);
        return ex_err(fc, call->line, call->col);
    }
    ir_type *t = f->type;
    return call_with_ast(fc, t->def, t->n ? t : NULL, t->n ? f : NULL, NULL, call);
}

static void scope_push(fctx *fc, const char *name, ir_local *l);

ir_expr *ex_apply(fctx *fc, callable *c, ir_expr **args, int32_t n, int32_t line, int32_t col)
{
    irb *b = fc->b;
    if (c->builtin) return bi_apply(fc, c->builtin, args, n, line, col);
    if (c->self) {
        if (ty_is_bad(c->self->type)) return c->self;
        if (c->mdef) {
            ir_expr **a2 = pf_arena_alloc(b->a, sizeof *a2 * (size_t)(n + 1));
            a2[0] = c->self;
            for (int32_t i = 0; i < n; i++) a2[i + 1] = args[i];
            return ex_call_def(fc, c->mdef, NULL, NULL, a2, n + 1, NULL, line, col);
        }
        if (c->self->type->kind == IR_T_DICT && n == 1 && !strcmp(c->bound->u.attr.name, "get")) {
            /* key=d.get: the keys come from d, so d[k] (a missing key could not be ordered) */
            ir_expr *k = ex_coerce(fc, args[0], c->self->type->elems[0], line, col, "key");
            return ex_op2(fc, IR_OP_DICT_GETITEM, c->self->type->elems[1], true, c->self, k);
        }
        /* d.get applied to k: d.get(k), the arguments passed as scoped names */
        ast_expr *call = pf_arena_alloc(b->a, sizeof *call);
        call->kind = AST_CALL;
        call->line = call->op_line = line;
        call->col = call->op_col = col;
        call->u.call.func = (ast_expr *)c->bound;
        int32_t saved = fc->ncs;
        for (int32_t i = 0; i < n; i++) {
            ir_local *l;
            if (args[i]->kind == IR_E_LOCAL) l = args[i]->local;
            else {
                ir_err(b, fc->src, line, col, "this bound method cannot be applied here");
                return ex_err(fc, line, col);
            }
            ast_expr *nm = pf_arena_alloc(b->a, sizeof *nm);
            nm->kind = AST_NAME;
            nm->line = nm->op_line = line;
            nm->col = nm->op_col = col;
            nm->u.name = pf_intern_cstr(b->a, pf_arena_sprintf(b->a, "$arg%d", (int)i));
            PF_VEC_PUSH(b->a, &call->u.call.args, IR_LIMIT, nm);
            scope_push(fc, nm->u.name, l);
        }
        ir_expr *r = bi_method(fc, c->self, c->bound->u.attr.name, call);
        fc->ncs = saved;
        return r;
    }
    if (c->method) {
        /* str.lower applied to x: x.lower() */
        if (n != 1 || ty_is_bad(args[0]->type)) return n ? args[0] : ex_err(fc, line, col);
        ast_expr *call = pf_arena_alloc(b->a, sizeof *call);
        call->kind = AST_CALL;
        call->line = call->op_line = line;
        call->col = call->op_col = col;
        call->u.call.func = (ast_expr *)c->method;
        return bi_method(fc, args[0], c->method->u.attr.name, call);
    }
    ir_expr *f = c->value;
    if (ty_is_bad(f->type)) return f;
    if (f->type->kind != IR_T_FUNC) {
        ir_err(b, fc->src, line, col, "%s is not callable", f->type->str);
        return ex_err(fc, line, col);
    }
    ir_type *t = f->type;
    return ex_call_def(fc, t->def, t->n ? t : NULL, t->n ? f : NULL, args, n, NULL, line, col);
}

/* Resolve an argument that is called by a builtin (map's f, key=): a function value, or a
 * builtin name like `str` or `len`. */
callable ex_callable(fctx *fc, const ast_expr *e)
{
    callable c = {0};
    if (e->kind == AST_NAME) {
        gname *g;
        if (name_kind(fc, e->u.name, &g) == N_BUILTIN) {
            c.builtin = e->u.name;
            return c;
        }
    }
    if (e->kind == AST_ATTR && e->u.attr.value->kind == AST_NAME) {
        const char *n = e->u.attr.value->u.name;
        gname *g;
        if ((!strcmp(n, "str") || !strcmp(n, "list") || !strcmp(n, "dict")) &&
            name_kind(fc, n, &g) == N_BUILTIN) {
            c.method = e;
            return c;
        }
    }
    if (e->kind == AST_ATTR) {
        bmod bm;
        modinfo *um;
        const ast_expr *v = e->u.attr.value;
        bool simple = v->kind == AST_NAME || (v->kind == AST_ATTR && v->u.attr.value->kind == AST_NAME);
        if (simple && !module_ref(fc, v, &bm, &um)) {
            fc->b->quiet++;
            ir_expr *probe = ex_expr(fc, v);
            fc->b->quiet--;
            classdef *cd = class_of(fc->b, probe->type);
            ir_type_kind k = probe->type->kind;
            if ((cd && rs_method(cd, e->u.attr.name)) || k == IR_T_STR || k == IR_T_LIST || k == IR_T_DICT) {
                c.self = ex_expr(fc, v);
                c.bound = e;
                c.mdef = cd ? rs_method(cd, e->u.attr.name) : NULL;
                return c;
            }
        }
    }
    c.value = ex_expr(fc, e);
    return c;
}

static ir_expr *construct(fctx *fc, classdef *cd, const ast_expr *call)
{
    irb *b = fc->b;
    ir_fndef *init = rs_method(cd, pf_intern_cstr(b->a, "__init__"));
    ir_type *ct = cd->cls->type;
    int32_t line = call->op_line, col = call->op_col;
    ir_expr *self = ex_new(fc, IR_E_NONE, ct, line, col); /* placeholder, not in the IR */
    ir_expr *r;
    if (init) {
        r = call_with_ast(fc, init, NULL, NULL, self, call);
        if (r->kind == IR_E_CALL) {
            r->kind = IR_E_NEW;
            r->type = ct;
            /* drop the self placeholder */
            for (int32_t i = 1; i < r->nargs; i++) r->args[i - 1] = r->args[i];
            r->nargs--;
        } else if (ty_is_bad(r->type)) {
            return r;
        }
    } else {
        if (call->u.call.args.len || call->u.call.keywords.len) {
            ir_err(b, fc->src, line, col, "%s() takes no arguments (the class has no __init__)", cd->name);
            return ex_err(fc, line, col);
        }
        r = ex_new(fc, IR_E_NEW, ct, line, col);
        r->may_raise = true;
    }
    /* printing an instance calls __repr__/__str__: specialise them now */
    const char *names[2] = {"__repr__", "__str__"};
    for (int k = 0; k < 2; k++) {
        ir_fndef *m = rs_method(cd, pf_intern_cstr(b->a, names[k]));
        if (!m) continue;
        spec *sp = sp_get(b, m, NULL, &ct, 1);
        if (!sp) continue;
        sp_elaborate(b, sp);
        if (k == 0) cd->cls->repr = sp->func;
        else cd->cls->str = sp->func;
    }
    return r;
}

static ir_expr *ex_call(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    const ast_expr *f = e->u.call.func;
    if (f->kind == AST_NAME) {
        gname *g;
        nkind k = name_kind(fc, f->u.name, &g);
        if (k == N_BUILTIN) return bi_call(fc, f->u.name, e);
        if (k == N_GNAME) {
            modinfo *mi = fc->mod;
            if (g->kind == G_IMPORTED && g->module == BM_USER && g->umod) {
                mi = g->umod;
                g = rs_lookup(g->umod, g->member);
                if (!g) {
                    ir_err(b, fc->src, f->line, f->col, "cannot import '%s'", f->u.name);
                    return ex_err(fc, e->line, e->col);
                }
            } else if (g->kind == G_IMPORTED) {
                return bi_module_call(fc, g->module, g->member, e);
            }
            if (g->kind == G_CLASS) return construct(fc, g->cls, e);
            if (g->kind == G_DEF) return call_with_ast(fc, g->def, NULL, NULL, NULL, e);
            return call_value(fc, gname_value(fc, mi, g, f->line, f->col), e);
        }
        if (k == N_UNDEFINED) {
            ir_err(b, fc->src, f->line, f->col, "name '%s' is not defined", f->u.name);
            for (int32_t i = 0; i < e->u.call.args.len; i++) ex_expr(fc, e->u.call.args.items[i]);
            return ex_err(fc, e->line, e->col);
        }
        return call_value(fc, ex_expr(fc, f), e);
    }
    if (f->kind == AST_ATTR) {
        bmod bm;
        modinfo *um;
        const char *n = f->u.attr.name;
        if (module_ref(fc, f->u.attr.value, &bm, &um)) {
            if (bm != BM_USER) return bi_module_call(fc, bm, n, e);
            if (!um) return ex_err(fc, e->line, e->col);
            gname *g = rs_lookup(um, n);
            if (!g) {
                ir_err(b, fc->src, f->op_line, f->op_col, "module '%s' has no attribute '%s'", um->name, n);
                return ex_err(fc, e->line, e->col);
            }
            if (g->kind == G_CLASS) return construct(fc, g->cls, e);
            if (g->kind == G_DEF) return call_with_ast(fc, g->def, NULL, NULL, NULL, e);
            return call_value(fc, gname_value(fc, um, g, f->op_line, f->op_col), e);
        }
        ir_expr *o = ex_expr(fc, f->u.attr.value);
        if (ty_is_bad(o->type)) {
            for (int32_t i = 0; i < e->u.call.args.len; i++) ex_expr(fc, e->u.call.args.items[i]);
            if (b->generic && o->type->kind == IR_T_UNKNOWN) bi_generic_method_check(fc, n, f->op_line, f->op_col);
            return o;
        }
        classdef *cd = class_of(b, o->type);
        if (cd) {
            ir_fndef *m = rs_method(cd, n);
            if (m) return call_with_ast(fc, m, NULL, NULL, o, e);
            int32_t fi = field_index(cd->cls, n);
            if (fi >= 0) {
                ir_expr *fv = ex_new(fc, IR_E_FIELD, cd->cls->field_types[fi], f->op_line, f->op_col);
                fv->index = fi;
                ex_arg(fc, fv, o);
                return call_value(fc, fv, e);
            }
            ir_err(b, fc->src, f->op_line, f->op_col, "'%s' object has no attribute '%s'", cd->name, n);
            return ex_err(fc, e->line, e->col);
        }
        return bi_method(fc, o, n, e);
    }
    return call_value(fc, ex_expr(fc, f), e);
}

/* ----------------------------------------------------------------- iteration, comprehensions */

static void scope_push(fctx *fc, const char *name, ir_local *l)
{
    if (fc->ncs == fc->capcs) {
        int32_t nc = fc->capcs ? fc->capcs * 2 : 8;
        scope_ent *n = pf_arena_alloc(fc->b->a, sizeof *n * (size_t)nc);
        if (fc->ncs) memcpy(n, fc->cs, sizeof *n * (size_t)fc->ncs);
        fc->cs = n;
        fc->capcs = nc;
    }
    fc->cs[fc->ncs].name = name;
    fc->cs[fc->ncs].local = l;
    fc->ncs++;
}

/* Bind value to a comprehension target pattern (new scoped locals). */
static void comp_bind(fctx *fc, const ast_expr *t, ir_expr *value)
{
    irb *b = fc->b;
    if (t->kind == AST_NAME) {
        ir_local *l = fc_temp(fc, value->type, NULL);
        l->name = t->u.name;
        l->line = t->line;
        l->col = t->col;
        ir_stmt *s = fc_stmt(fc, IR_S_ASSIGN, t->line, t->col);
        s->local = l;
        s->expr = value;
        fc_emit(fc, s);
        scope_push(fc, t->u.name, l);
        return;
    }
    if (t->kind == AST_TUPLE || t->kind == AST_LIST) {
        const ast_expr_list *el = &t->u.seq.elts;
        ir_type *vt = value->type;
        if (ty_is_bad(vt)) {
            for (int32_t i = 0; i < el->len; i++) comp_bind(fc, el->items[i], value);
            return;
        }
        if (vt->kind != IR_T_TUPLE || vt->n != el->len) {
            ir_err(b, fc->src, t->line, t->col, "cannot unpack %s into %d names", vt->str, (int)el->len);
            for (int32_t i = 0; i < el->len; i++) comp_bind(fc, el->items[i], ex_err(fc, t->line, t->col));
            return;
        }
        ir_expr *ref = value;
        if (value->kind != IR_E_LOCAL) {
            ir_local *tmp = fc_temp(fc, vt, "u");
            ir_stmt *s = fc_stmt(fc, IR_S_ASSIGN, t->line, t->col);
            s->local = tmp;
            s->expr = value;
            fc_emit(fc, s);
            ref = ex_local(fc, tmp, t->line, t->col);
        }
        for (int32_t i = 0; i < el->len; i++) comp_bind(fc, el->items[i], ex_tuple_get(fc, ref, i));
        return;
    }
    ir_err(b, fc->src, t->line, t->col, "cannot use this as a loop target");
}

/* A local that receives an element of type t and binds it to target (NULL: keep it whole). */
static ir_local *bind_elem_local(fctx *fc, const ast_expr *target, ir_type *t, bool comp, int32_t line,
                                 int32_t col)
{
    if (!target) return fc_temp(fc, t, "x");
    if (target->kind == AST_NAME) {
        if (comp) {
            ir_local *l = fc_temp(fc, t, NULL);
            l->name = target->u.name;
            l->line = target->line;
            l->col = target->col;
            scope_push(fc, target->u.name, l);
            return l;
        }
        var *v = fact_var(fc, target);
        if (v) {
            ir_type *old = v->type;
            if (!ty_is_bad(t) && ir_type_join_into(fc->b, &v->type, t) && old->kind == IR_T_UNKNOWN) {
                v->line = target->line;
                v->col = target->col;
            }
            ir_local *l = fc_local(fc, v);
            if (l->type == t) return l;
        }
    }
    ir_local *tmp = fc_temp(fc, t, "x");
    ir_expr *val = ex_local(fc, tmp, line, col);
    if (comp) comp_bind(fc, target, val);
    else fc_assign(fc, target, val);
    return tmp;
}

typedef struct srcinfo {
    ir_iter *it;
    ir_type *elem; /* element type (ZIP/ENUMERATE/ITEMS: a tuple) */
    bool dead;     /* statically empty: a list/dict whose element type is still unknown */
} srcinfo;

static srcinfo mark_dead(srcinfo r)
{
    if (r.elem && r.elem->kind == IR_T_UNKNOWN) r.dead = true;
    if (r.it->kind == IR_IT_ZIP || r.it->kind == IR_IT_ENUMERATE) r.dead = false;
    return r;
}

static bool is_builtin_call(fctx *fc, const ast_expr *e, const char *name)
{
    if (e->kind != AST_CALL || e->u.call.func->kind != AST_NAME) return false;
    const char *n = e->u.call.func->u.name;
    if (strcmp(n, name)) return false;
    gname *g;
    return name_kind(fc, n, &g) == N_BUILTIN;
}

static srcinfo source(fctx *fc, const ast_expr *src)
{
    irb *b = fc->b;
    srcinfo r = {0};
    ir_iter *it = pf_arena_alloc(b->a, sizeof *it);
    it->line = src->line;
    it->col = src->col;
    r.it = it;
    const ast_expr_list *args = src->kind == AST_CALL ? &src->u.call.args : NULL;
    if (is_builtin_call(fc, src, "range") && args->len >= 1 && args->len <= 3 && !src->u.call.keywords.len) {
        it->kind = IR_IT_RANGE;
        if (args->len == 1) {
            it->a = ex_int(fc, 0, src->line, src->col);
            it->b = int_arg(fc, args->items[0], "range() argument");
            it->c = ex_int(fc, 1, src->line, src->col);
        } else {
            it->a = int_arg(fc, args->items[0], "range() argument");
            it->b = int_arg(fc, args->items[1], "range() argument");
            it->c = args->len == 3 ? int_arg(fc, args->items[2], "range() step")
                                   : ex_int(fc, 1, src->line, src->col);
        }
        r.elem = b->t_int;
        return r;
    }
    if (is_builtin_call(fc, src, "zip") && args->len >= 1 && !src->u.call.keywords.len) {
        it->kind = IR_IT_ZIP;
        it->nsubs = args->len;
        it->subs = pf_arena_alloc(b->a, sizeof *it->subs * (size_t)args->len);
        ir_type **et = pf_arena_alloc(b->a, sizeof *et * (size_t)args->len);
        for (int32_t i = 0; i < args->len; i++) {
            srcinfo s = source(fc, args->items[i]);
            it->subs[i] = s.it;
            et[i] = s.elem;
            r.dead |= s.dead;
        }
        r.elem = ty_tuple(b, et, args->len);
        return r;
    }
    if (is_builtin_call(fc, src, "enumerate") && args->len >= 1 && args->len <= 2) {
        it->kind = IR_IT_ENUMERATE;
        it->nsubs = 1;
        it->subs = pf_arena_alloc(b->a, sizeof *it->subs);
        srcinfo s = source(fc, args->items[0]);
        it->subs[0] = s.it;
        const ast_expr *start = args->len == 2 ? args->items[1] : NULL;
        for (int32_t i = 0; i < src->u.call.keywords.len; i++)
            if (!strcmp(src->u.call.keywords.items[i].name, "start")) start = src->u.call.keywords.items[i].value;
        it->a = start ? int_arg(fc, start, "enumerate() start") : ex_int(fc, 0, src->line, src->col);
        ir_type *et[2] = {b->t_int, s.elem};
        r.elem = ty_tuple(b, et, 2);
        r.dead = s.dead;
        return r;
    }
    if (is_builtin_call(fc, src, "reversed") && args->len == 1) {
        const ast_expr *x = args->items[0];
        if (is_builtin_call(fc, x, "range") && x->u.call.args.len <= 2 && x->u.call.args.len >= 1) {
            /* reversed(range(a, b)) == range(b - 1, a - 1, -1) */
            const ast_expr_list *ra = &x->u.call.args;
            ir_expr *lo = ra->len == 2 ? int_arg(fc, ra->items[0], "range() argument") : ex_int(fc, 0, x->line, x->col);
            ir_expr *hi = int_arg(fc, ra->items[ra->len - 1], "range() argument");
            it->kind = IR_IT_RANGE;
            it->a = ex_binop(fc, AST_SUB, hi, ex_int(fc, 1, x->line, x->col), x->line, x->col);
            it->b = ex_binop(fc, AST_SUB, lo, ex_int(fc, 1, x->line, x->col), x->line, x->col);
            it->c = ex_int(fc, -1, x->line, x->col);
            r.elem = b->t_int;
            return r;
        }
        ir_expr *c = ex_expr(fc, x);
        if (c->type->kind == IR_T_LIST || ty_is_bad(c->type)) {
            it->kind = IR_IT_LIST;
            it->reverse = true;
            it->a = c;
            r.elem = ty_is_bad(c->type) ? c->type : c->type->elems[0];
            return r;
        }
        if (c->type->kind == IR_T_STR) {
            it->kind = IR_IT_LIST;
            it->reverse = true;
            it->a = bi_list_of(fc, c, src->line, src->col);
            r.elem = b->t_str;
            return r;
        }
        ir_err(b, fc->src, x->line, x->col, "reversed() needs a list, str or range, not %s", c->type->str);
        it->kind = IR_IT_LIST;
        it->a = ex_err(fc, x->line, x->col);
        r.elem = b->t_error;
        return r;
    }
    if (src->kind == AST_CALL && src->u.call.func->kind == AST_ATTR && src->u.call.args.len == 0) {
        const char *m = src->u.call.func->u.attr.name;
        bool items = !strcmp(m, "items"), keys = !strcmp(m, "keys"), values = !strcmp(m, "values");
        if (items || keys || values) {
            b->quiet++;
            ir_expr *probe = ex_expr(fc, src->u.call.func->u.attr.value);
            b->quiet--;
            if (probe->type->kind == IR_T_DICT) {
                ir_expr *d = ex_expr(fc, src->u.call.func->u.attr.value);
                it->a = d;
                ir_type *kt = d->type->elems[0], *vt = d->type->elems[1];
                if (items) {
                    it->kind = IR_IT_DICT_ITEMS;
                    ir_type *et[2] = {kt, vt};
                    r.elem = ty_tuple(b, et, 2);
                } else {
                    it->kind = keys ? IR_IT_DICT_KEYS : IR_IT_DICT_VALUES;
                    r.elem = keys ? kt : vt;
                }
                return r;
            }
        }
    }
    ir_expr *c = ex_expr(fc, src);
    it->a = c;
    ir_type *t = c->type;
    switch (t->kind) {
    case IR_T_LIST: it->kind = IR_IT_LIST; r.elem = t->elems[0]; return mark_dead(r);
    case IR_T_STR: it->kind = IR_IT_STR; r.elem = b->t_str; return r;
    case IR_T_DICT: it->kind = IR_IT_DICT_KEYS; r.elem = t->elems[0]; return mark_dead(r);
    case IR_T_TUPLE:
        if (ty_homog_tuple(t)) {
            it->kind = IR_IT_TUPLE;
            r.elem = t->elems[0];
            return r;
        }
        {
            pf_diag *dg = ir_err(b, fc->src, src->line, src->col, "cannot iterate over a tuple of mixed types (%s)",
                                 t->str);
            ir_hint(b, dg, "iterate over a list of values of one type");
        }
        break;
    case IR_T_UNKNOWN:
    case IR_T_ERROR: it->kind = IR_IT_LIST; r.elem = t; return r;
    default: ir_err(b, fc->src, src->line, src->col, "cannot iterate over a value of type %s", t->str); break;
    }
    it->kind = IR_IT_LIST;
    r.elem = b->t_error;
    return r;
}

/* Bind the element(s) of a source to target; bind statements go to fc->blk (the top iter's
 * bind block). Returns the local that holds the whole element when target is NULL or does not
 * match the source's shape (NULL otherwise for ZIP). */
static ir_local *bind_source(fctx *fc, srcinfo s, const ast_expr *target, bool comp)
{
    irb *b = fc->b;
    ir_iter *it = s.it;
    int32_t line = it->line, col = it->col;
    bool pattern = target && (target->kind == AST_TUPLE || target->kind == AST_LIST);
    const ast_expr_list *el = pattern ? &target->u.seq.elts : NULL;
    switch (it->kind) {
    case IR_IT_ZIP:
    case IR_IT_ENUMERATE:
    case IR_IT_DICT_ITEMS: {
        int32_t n = it->kind == IR_IT_ZIP ? it->nsubs : 2;
        if (pattern && el->len == n) {
            if (it->kind == IR_IT_ZIP) {
                for (int32_t i = 0; i < n; i++) {
                    srcinfo ss = {it->subs[i], s.elem->kind == IR_T_TUPLE ? s.elem->elems[i] : s.elem, false};
                    it->subs[i]->var = bind_source(fc, ss, el->items[i], comp);
                }
            } else if (it->kind == IR_IT_ENUMERATE) {
                it->var = bind_elem_local(fc, el->items[0], b->t_int, comp, line, col);
                srcinfo ss = {it->subs[0], s.elem->kind == IR_T_TUPLE ? s.elem->elems[1] : s.elem, false};
                it->subs[0]->var = bind_source(fc, ss, el->items[1], comp);
            } else {
                it->var = bind_elem_local(fc, el->items[0], s.elem->elems[0], comp, line, col);
                it->var2 = bind_elem_local(fc, el->items[1], s.elem->elems[1], comp, line, col);
            }
            return it->kind == IR_IT_ZIP ? NULL : it->var;
        }
        if (pattern) {
            ir_err(b, fc->src, target->line, target->col, "cannot unpack %s into %d names", s.elem->str,
                   (int)el->len);
            return NULL;
        }
        /* whole element: components into temps, then build the tuple */
        ir_expr *tu = ex_new(fc, IR_E_TUPLE, s.elem, line, col);
        if (it->kind == IR_IT_ZIP) {
            for (int32_t i = 0; i < n; i++) {
                srcinfo ss = {it->subs[i], s.elem->elems[i], false};
                it->subs[i]->var = bind_source(fc, ss, NULL, comp);
                ex_arg(fc, tu, ex_local(fc, it->subs[i]->var, line, col));
            }
        } else if (it->kind == IR_IT_ENUMERATE) {
            it->var = fc_temp(fc, b->t_int, "i");
            srcinfo ss = {it->subs[0], s.elem->elems[1], false};
            it->subs[0]->var = bind_source(fc, ss, NULL, comp);
            ex_arg(fc, tu, ex_local(fc, it->var, line, col));
            ex_arg(fc, tu, ex_local(fc, it->subs[0]->var, line, col));
        } else {
            it->var = fc_temp(fc, s.elem->elems[0], "k");
            it->var2 = fc_temp(fc, s.elem->elems[1], "v");
            ex_arg(fc, tu, ex_local(fc, it->var, line, col));
            ex_arg(fc, tu, ex_local(fc, it->var2, line, col));
        }
        if (!target) {
            ir_local *w = fc_temp(fc, s.elem, "w");
            ir_stmt *st = fc_stmt(fc, IR_S_ASSIGN, line, col);
            st->local = w;
            st->expr = tu;
            fc_emit(fc, st);
            return w;
        }
        if (comp) comp_bind(fc, target, tu);
        else fc_assign(fc, target, tu);
        return NULL;
    }
    default:
        it->var = bind_elem_local(fc, target, s.elem, comp, line, col);
        return it->var;
    }
}

ir_iter *ex_iter(fctx *fc, const ast_expr *src, const ast_expr *target, bool comp, ir_local **whole)
{
    srcinfo s = source(fc, src);
    fc->iter_dead = s.dead && fc->b->final && !fc->b->generic;
    ir_block *save = fc->blk;
    fc->blk = &s.it->bind;
    ir_local *w = bind_source(fc, s, target, comp);
    fc->blk = save;
    if (whole) *whole = w;
    return s.it;
}

static void add_clause(fctx *fc, ir_comp *c, ir_iter *it, ir_expr *cond)
{
    int32_t n = c->nclauses;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        int32_t nc = n == 0 ? 4 : n * 2;
        ir_clause *na = pf_arena_alloc(fc->b->a, sizeof *na * (size_t)nc);
        if (n) memcpy(na, c->clauses, sizeof *na * (size_t)n);
        c->clauses = na;
    }
    c->clauses[n].iter = it;
    c->clauses[n].cond = cond;
    c->nclauses++;
}

/* Open a comprehension over an AST comprehension node: clauses are added, names scoped.
 * Call ex_comp_close after elaborating the element(s). */
ir_comp *ex_comp_open(fctx *fc, ir_comp_kind k, const ast_expr *e, comp_state *st)
{
    ir_comp *c = pf_arena_alloc(fc->b->a, sizeof *c);
    c->kind = k;
    st->ncs = fc->ncs;
    st->nfacts = fc->nfacts;
    st->facts = NULL;
    if (fc->nfacts) {
        st->facts = pf_arena_alloc(fc->b->a, sizeof(var *) * (size_t)fc->nfacts);
        memcpy(st->facts, fc->facts, sizeof(var *) * (size_t)fc->nfacts);
    }
    st->dead = false;
    if (!e) return c;
    const ast_comp_for_list *fl = &e->u.comp.fors;
    for (int32_t i = 0; i < fl->len; i++) {
        const ast_comp_for *cf = &fl->items[i];
        add_clause(fc, c, ex_iter(fc, cf->iter, cf->target, true, NULL), NULL);
        if (fc->iter_dead && !st->dead) {
            st->dead = true;
            fc->b->quiet++;
        }
        for (int32_t k2 = 0; k2 < cf->ifs.len; k2++) {
            add_clause(fc, c, NULL, ex_cond(fc, cf->ifs.items[k2]));
            ex_cond_facts(fc, cf->ifs.items[k2], true);
        }
    }
    return c;
}

/* A comprehension over one iterable expression (sum(xs), sorted(xs), map(f, xs)): the element
 * local is returned through *elt. */
ir_comp *ex_comp_over(fctx *fc, ir_comp_kind k, const ast_expr *src, comp_state *st, ir_local **elt)
{
    ir_comp *c = ex_comp_open(fc, k, NULL, st);
    add_clause(fc, c, ex_iter(fc, src, NULL, true, elt), NULL);
    if (fc->iter_dead && !st->dead) {
        st->dead = true;
        fc->b->quiet++;
    }
    return c;
}

void ex_comp_add_clause(fctx *fc, ir_comp *c, ir_iter *it, ir_expr *cond) { add_clause(fc, c, it, cond); }

ir_expr *ex_comp_close(fctx *fc, ir_comp *c, comp_state *st, ir_type *t, int32_t line, int32_t col)
{
    fc->ncs = st->ncs;
    fc->nfacts = 0;
    for (int32_t i = 0; i < st->nfacts; i++) fc_fact_add(fc, st->facts[i]);
    if (st->dead) {
        /* a source is statically empty: the result is known without running anything */
        irb *b = fc->b;
        st->dead = false;
        b->quiet--;
        switch (c->kind) {
        case IR_COMP_LIST:
        case IR_COMP_SORTED:
            return ex_new(fc, IR_E_LIST, t->kind == IR_T_LIST ? t : ty_list(b, b->t_unknown), line, col);
        case IR_COMP_DICT:
            return ex_new(fc, IR_E_DICT, t->kind == IR_T_DICT ? t : ty_dict(b, b->t_unknown, b->t_unknown), line, col);
        case IR_COMP_SUM: return c->init && !ty_is_bad(c->init->type) ? c->init : ex_int(fc, 0, line, col);
        case IR_COMP_ANY: return ex_bool(fc, false, line, col);
        case IR_COMP_ALL: return ex_bool(fc, true, line, col);
        case IR_COMP_JOIN: return ex_str(fc, "", 0, line, col);
        case IR_COMP_MIN:
        case IR_COMP_MAX:
            if (c->init && !ty_is_bad(c->init->type)) return c->init;
            {
                pf_diag *dg = ir_err(b, fc->src, line, col, "%s() of an empty sequence",
                                     c->kind == IR_COMP_MIN ? "min" : "max");
                ir_hint(b, dg, "pass default=..., or check the length first");
            }
            return ex_err(fc, line, col);
        }
    }
    ir_expr *e = ex_new(fc, IR_E_COMP, t, line, col);
    e->comp = c;
    e->may_raise = true;
    return e;
}

static ir_expr *ex_comprehension(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    comp_state st;
    if (e->kind == AST_DICTCOMP) {
        ir_comp *c = ex_comp_open(fc, IR_COMP_DICT, e, &st);
        c->key = ex_expr(fc, e->u.comp.key);
        c->elt = ex_expr(fc, e->u.comp.elt);
        ir_expr *xs[2] = {c->key, c->elt};
        ir_type *bad = ex_bad(fc, xs, 2);
        ir_expr *r = ex_comp_close(fc, c, &st, bad ? bad : ty_dict(b, c->key->type, c->elt->type), e->line, e->col);
        return r;
    }
    ir_comp *c = ex_comp_open(fc, IR_COMP_LIST, e, &st);
    c->elt = ex_expr(fc, e->u.comp.elt);
    ir_type *bad = ex_bad(fc, &c->elt, 1);
    return ex_comp_close(fc, c, &st, bad ? bad : ty_list(b, c->elt->type), e->line, e->col);
}

/* ---------------------------------------------------------------------------- f-strings */

static ir_expr *ex_fstring(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    const ast_expr_list *parts = &e->u.fstring.parts;
    ir_expr *r = ex_op(fc, IR_OP_STR_BUILD, b->t_str, false, e->line, e->col);
    for (int32_t i = 0; i < parts->len; i++) {
        const ast_expr *p = parts->items[i];
        if (p->kind == AST_STR) {
            if (p->u.str.n) ex_arg(fc, r, ex_str(fc, p->u.str.s, p->u.str.n, p->line, p->col));
            continue;
        }
        if (p->kind != AST_FORMAT) {
            ex_arg(fc, r, ex_expr(fc, p));
            continue;
        }
        ir_expr *v = ex_expr(fc, p->u.format.value);
        if (ty_is_bad(v->type)) {
            ex_arg(fc, r, v);
            continue;
        }
        if (p->u.format.conversion == 'r' || p->u.format.conversion == 'a')
            v = ex_op1(fc, IR_OP_REPR, b->t_str, true, v);
        else if (p->u.format.conversion == 's')
            v = ex_op1(fc, IR_OP_STR, b->t_str, true, v);
        if (p->u.format.spec) {
            ir_expr *spec = ex_expr(fc, p->u.format.spec);
            ir_expr *f = ex_op2(fc, IR_OP_FORMAT, b->t_str, true, v, spec);
            f->line = p->line;
            f->col = p->col;
            ex_arg(fc, r, f);
        } else if (v->type->kind == IR_T_STR) {
            ex_arg(fc, r, v);
        } else {
            ex_arg(fc, r, ex_op1(fc, IR_OP_STR, b->t_str, true, v));
        }
    }
    ir_type *bad = ex_bad(fc, r->args, r->nargs);
    if (bad) return ex_bad_result(fc, bad, e->line, e->col);
    if (r->nargs == 0) return ex_str(fc, "", 0, e->line, e->col);
    if (r->nargs == 1 && r->args[0]->type->kind == IR_T_STR) return r->args[0];
    for (int32_t i = 0; i < r->nargs; i++) r->may_raise |= r->args[i]->may_raise;
    r->may_raise = false;
    return r;
}

/* -------------------------------------------------------------------------- expressions */

ir_expr *ex_expr(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    switch (e->kind) {
    case AST_INT: return ex_int(fc, e->u.int_value, e->line, e->col);
    case AST_FLOAT: return ex_float(fc, e->u.float_value, e->line, e->col);
    case AST_BOOL: return ex_bool(fc, e->u.bool_value, e->line, e->col);
    case AST_NONE: return ex_none(fc, e->line, e->col);
    case AST_STR: return ex_str(fc, e->u.str.s, e->u.str.n, e->line, e->col);
    case AST_FSTRING: return ex_fstring(fc, e);
    case AST_NAME: return name_value(fc, e->u.name, e->line, e->col);
    case AST_TUPLE: {
        const ast_expr_list *el = &e->u.seq.elts;
        ir_expr *t = ex_new(fc, IR_E_TUPLE, b->t_unknown, e->line, e->col);
        ir_type **et = pf_arena_alloc(b->a, sizeof *et * (size_t)(el->len + 1));
        for (int32_t i = 0; i < el->len; i++) {
            if (el->items[i]->kind == AST_STARRED) {
                ir_err(b, fc->src, el->items[i]->line, el->items[i]->col, "starred elements are not supported");
                return ex_err(fc, e->line, e->col);
            }
            ir_expr *x = ex_expr(fc, el->items[i]);
            ex_arg(fc, t, x);
            et[i] = x->type;
        }
        ir_type *bad = ex_bad(fc, t->args, t->nargs);
        if (bad && bad->kind == IR_T_ERROR) return ex_bad_result(fc, bad, e->line, e->col);
        t->type = ty_tuple(b, et, el->len);
        return t;
    }
    case AST_LIST: {
        const ast_expr_list *el = &e->u.seq.elts;
        ir_expr *l = ex_new(fc, IR_E_LIST, b->t_unknown, e->line, e->col);
        for (int32_t i = 0; i < el->len; i++) {
            if (el->items[i]->kind == AST_STARRED) {
                ir_err(b, fc->src, el->items[i]->line, el->items[i]->col, "starred elements are not supported");
                return ex_err(fc, e->line, e->col);
            }
            ex_arg(fc, l, ex_expr(fc, el->items[i]));
        }
        ir_type *t = b->t_unknown;
        if (l->nargs && !ex_unify(fc, l->args, l->nargs, "list", &t)) return ex_err(fc, e->line, e->col);
        if (t->kind == IR_T_ERROR) return ex_bad_result(fc, t, e->line, e->col);
        l->type = ty_list(b, t);
        return l;
    }
    case AST_DICT: {
        const ast_expr_list *ks = &e->u.dict.keys, *vs = &e->u.dict.values;
        ir_expr **kx = pf_arena_alloc(b->a, sizeof *kx * (size_t)(ks->len + 1));
        ir_expr **vx = pf_arena_alloc(b->a, sizeof *vx * (size_t)(ks->len + 1));
        for (int32_t i = 0; i < ks->len; i++) {
            kx[i] = ex_expr(fc, ks->items[i]);
            vx[i] = ex_expr(fc, vs->items[i]);
        }
        ir_type *kt = b->t_unknown, *vt = b->t_unknown;
        if (ks->len && (!ex_unify(fc, kx, ks->len, "dict", &kt) || !ex_unify(fc, vx, ks->len, "dict", &vt)))
            return ex_err(fc, e->line, e->col);
        if (kt->kind == IR_T_ERROR || vt->kind == IR_T_ERROR) return ex_bad_result(fc, b->t_error, e->line, e->col);
        ir_expr *d = ex_new(fc, IR_E_DICT, ty_dict(b, kt, vt), e->line, e->col);
        for (int32_t i = 0; i < ks->len; i++) {
            ex_arg(fc, d, kx[i]);
            ex_arg(fc, d, vx[i]);
        }
        d->may_raise = false;
        return d;
    }
    case AST_SET:
    case AST_SETCOMP: {
        pf_diag *dg = ir_err(b, fc->src, e->line, e->col, "sets are not supported yet");
        ir_hint(b, dg, "use a dict with True values, or a list");
        return ex_err(fc, e->line, e->col);
    }
    case AST_LISTCOMP:
    case AST_DICTCOMP:
    case AST_GENEXP: return ex_comprehension(fc, e);
    case AST_SUBSCRIPT: return ex_subscript(fc, e);
    case AST_ATTR: return ex_attr(fc, e);
    case AST_CALL: return ex_call(fc, e);
    case AST_UNARY: return ex_unary(fc, e);
    case AST_BINARY: {
        ir_expr *l = ex_expr(fc, e->u.binary.left);
        ir_expr *r = ex_expr(fc, e->u.binary.right);
        return ex_binop(fc, e->u.binary.op, l, r, e->op_line, e->op_col);
    }
    case AST_BOOLOP: return ex_boolop(fc, e);
    case AST_COMPARE: return ex_compare(fc, e);
    case AST_IFEXP: {
        int st = ex_static_cond(fc, e->u.ifexp.test);
        if (st >= 0) return ex_expr(fc, st ? e->u.ifexp.body : e->u.ifexp.orelse);
        ir_expr *c = ex_cond(fc, e->u.ifexp.test);
        int32_t saved = fc->nfacts;
        var **sv = NULL;
        if (saved) {
            sv = pf_arena_alloc(b->a, sizeof *sv * (size_t)saved);
            memcpy(sv, fc->facts, sizeof *sv * (size_t)saved);
        }
        ex_cond_facts(fc, e->u.ifexp.test, true);
        ir_expr *x[2];
        x[0] = ex_expr(fc, e->u.ifexp.body);
        fc->nfacts = 0;
        for (int32_t i = 0; i < saved; i++) fc_fact_add(fc, sv[i]);
        ex_cond_facts(fc, e->u.ifexp.test, false);
        x[1] = ex_expr(fc, e->u.ifexp.orelse);
        fc->nfacts = 0;
        for (int32_t i = 0; i < saved; i++) fc_fact_add(fc, sv[i]);
        ir_type *t;
        if (!ex_unify(fc, x, 2, "conditional expression", &t)) return ex_err(fc, e->line, e->col);
        if (ty_is_bad(c->type) || ty_is_bad(t)) return ex_bad_result(fc, ty_is_bad(t) ? t : c->type, e->line, e->col);
        ir_expr *r = ex_new(fc, IR_E_COND, t, e->line, e->col);
        ex_arg(fc, r, c);
        ex_arg(fc, r, x[0]);
        ex_arg(fc, r, x[1]);
        return r;
    }
    case AST_LAMBDA: return ex_func_value(fc, (ir_fndef *)e->aux, e->line, e->col);
    case AST_STARRED:
        ir_err(b, fc->src, e->line, e->col, "starred expressions are not supported");
        return ex_err(fc, e->line, e->col);
    case AST_SLICE:
        ir_err(b, fc->src, e->line, e->col, "a slice is only allowed inside []");
        return ex_err(fc, e->line, e->col);
    case AST_ELLIPSIS:
    case AST_FORMAT:
    default:
        ir_err(b, fc->src, e->line, e->col, "this expression is not supported");
        return ex_err(fc, e->line, e->col);
    }
}
