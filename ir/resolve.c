/* Name resolution: builds the module-level name table (defs, classes, imports, variables), one
 * ir_fndef per def/method/lambda with its local names (Python's rule: bound anywhere in the body)
 * and its captures (free names bound in an enclosing def or comprehension, copied by value when
 * the def/lambda is evaluated), and marks module variables read by functions as globals. */
#include "ir/ir_internal.h"

bool names_has(const namevec *v, const char *n) { return names_index(v, n) >= 0; }

int32_t names_index(const namevec *v, const char *n)
{
    for (int32_t i = 0; i < v->len; i++)
        if (v->items[i] == n) return i;
    return -1;
}

static void names_add(irb *b, namevec *v, const char *n)
{
    if (!names_has(v, n)) PF_VEC_PUSH(b->a, v, IR_LIMIT, n);
}

gname *rs_lookup(modinfo *mi, const char *name)
{
    for (int32_t i = 0; i < mi->nnames; i++)
        if (mi->names[i].name == name) return &mi->names[i];
    return NULL;
}

static gname *add_gname(irb *b, modinfo *mi, const char *name, gkind k, int32_t line, int32_t col)
{
    gname *g = rs_lookup(mi, name);
    if (g) return g;
    if (mi->nnames == mi->capnames) {
        int32_t nc = mi->capnames ? mi->capnames * 2 : 32;
        gname *nn = pf_arena_alloc(b->a, sizeof *nn * (size_t)nc);
        if (mi->nnames) memcpy(nn, mi->names, sizeof *nn * (size_t)mi->nnames);
        mi->names = nn;
        mi->capnames = nc;
    }
    g = &mi->names[mi->nnames++];
    memset(g, 0, sizeof *g);
    g->name = name;
    g->kind = k;
    g->line = line;
    g->col = col;
    return g;
}

ir_fndef *rs_method(classdef *c, const char *name)
{
    int32_t i = names_index(&c->method_names, name);
    return i >= 0 ? c->methods[i] : NULL;
}

/* ----------------------------------------------------------------------- binding scan */

static void bind_target(irb *b, namevec *out, const ast_expr *t)
{
    if (!t) return;
    switch (t->kind) {
    case AST_NAME: names_add(b, out, t->u.name); break;
    case AST_TUPLE:
    case AST_LIST:
        for (int32_t i = 0; i < t->u.seq.elts.len; i++) bind_target(b, out, t->u.seq.elts.items[i]);
        break;
    case AST_STARRED: bind_target(b, out, t->u.starred.value); break;
    default: break; /* subscript / attribute targets bind nothing (rejected later) */
    }
}

static void bind_stmts(irb *b, namevec *out, const ast_stmt_list *l);

static void bind_stmt(irb *b, namevec *out, const ast_stmt *s)
{
    switch (s->kind) {
    case AST_ASSIGN:
        for (int32_t i = 0; i < s->u.assign.targets.len; i++)
            bind_target(b, out, s->u.assign.targets.items[i]);
        break;
    case AST_AUGASSIGN: bind_target(b, out, s->u.augassign.target); break;
    case AST_ANNASSIGN:
        if (s->u.annassign.value) bind_target(b, out, s->u.annassign.target);
        break;
    case AST_DEF:
    case AST_EXTERN: names_add(b, out, s->u.def.name); break;
    case AST_CLASS: names_add(b, out, s->u.class_.name); break;
    case AST_IF:
        bind_stmts(b, out, &s->u.if_.body);
        bind_stmts(b, out, &s->u.if_.orelse);
        break;
    case AST_FOR:
        bind_target(b, out, s->u.for_.target);
        bind_stmts(b, out, &s->u.for_.body);
        bind_stmts(b, out, &s->u.for_.orelse);
        break;
    case AST_WHILE:
        bind_stmts(b, out, &s->u.while_.body);
        bind_stmts(b, out, &s->u.while_.orelse);
        break;
    case AST_TRY:
        bind_stmts(b, out, &s->u.try_.body);
        for (int32_t i = 0; i < s->u.try_.handlers.len; i++) {
            const ast_handler *h = &s->u.try_.handlers.items[i];
            if (h->name) names_add(b, out, h->name);
            bind_stmts(b, out, &h->body);
        }
        bind_stmts(b, out, &s->u.try_.orelse);
        bind_stmts(b, out, &s->u.try_.finalbody);
        break;
    case AST_IMPORT:
        for (int32_t i = 0; i < s->u.import.names.len; i++) {
            const ast_alias *al = &s->u.import.names.items[i];
            names_add(b, out, al->asname ? al->asname : al->name);
        }
        break;
    case AST_FROM_IMPORT:
        for (int32_t i = 0; i < s->u.from_import.names.len; i++) {
            const ast_alias *al = &s->u.from_import.names.items[i];
            names_add(b, out, al->asname ? al->asname : al->name);
        }
        break;
    default: break;
    }
}

static void bind_stmts(irb *b, namevec *out, const ast_stmt_list *l)
{
    for (int32_t i = 0; i < l->len; i++) bind_stmt(b, out, l->items[i]);
}

/* ------------------------------------------------------------------ capture analysis
 * A chain of scopes from the module outward-in: def frames (fndef) and comprehension frames
 * (the names their for-clauses bind). A free name of def f found in an enclosing frame S is a
 * capture of every def frame between S and the use. */

typedef struct frame {
    ir_fndef *def;  /* a def/lambda frame, or NULL for a comprehension */
    namevec names;  /* comprehension targets (def frames use def->bound) */
} frame;

typedef struct scan {
    irb *b;
    modinfo *mi;
    frame *frames;
    int32_t nframes, cap;
    bool defaults;  /* scanning default values: module variables they read become globals */
    int32_t top;    /* index of the top-level statement being scanned */
    int32_t early;  /* first top-level statement that may run a def's code: it names a def or
                       class of the module (not an extern def), or holds a lambda (INT32_MAX:
                       none) */
} scan;

/* Is the scan in top-level code (not inside a def or lambda body)? */
static bool at_top(const scan *sc)
{
    for (int32_t i = 0; i < sc->nframes; i++)
        if (sc->frames[i].def) return false;
    return true;
}

static void push_frame(scan *sc, ir_fndef *def)
{
    if (sc->nframes == sc->cap) {
        int32_t nc = sc->cap ? sc->cap * 2 : 16;
        frame *nf = pf_arena_alloc(sc->b->a, sizeof *nf * (size_t)nc);
        if (sc->nframes) memcpy(nf, sc->frames, sizeof *nf * (size_t)sc->nframes);
        sc->frames = nf;
        sc->cap = nc;
    }
    frame *f = &sc->frames[sc->nframes++];
    memset(f, 0, sizeof *f);
    f->def = def;
}

static void use_name(scan *sc, const char *n)
{
    int32_t i = sc->nframes - 1;
    for (; i >= 0; i--) {
        frame *f = &sc->frames[i];
        if (f->def ? names_has(&f->def->bound, n) : names_has(&f->names, n)) break;
    }
    /* frames (i, top] were passed: each def among them captures n */
    bool any_def = false;
    for (int32_t j = sc->nframes - 1; j > i; j--) {
        ir_fndef *d = sc->frames[j].def;
        if (!d) continue;
        any_def = true;
        if (i < 0) continue; /* module level: a global, not a capture */
        if (d->def && d->name == n && j - 1 >= 0 && j - 1 == i) continue; /* self reference */
        names_add(sc->b, &d->captures, n);
    }
    if (i < 0 && (any_def || sc->defaults)) {
        gname *g = rs_lookup(sc->mi, n);
        if (g && g->kind == G_VAR) g->is_global = true;
    }
    if (i < 0 && !any_def && sc->top < sc->early && at_top(sc)) {
        gname *g = rs_lookup(sc->mi, n);
        bool c_fn = g && g->kind == G_DEF && g->def && g->def->def && g->def->def->kind == AST_EXTERN;
        if (g && (g->kind == G_DEF || g->kind == G_CLASS) && !c_fn) sc->early = sc->top; /* C runs no def */
    }
}

static ir_fndef *new_def(irb *b, modinfo *mi, const char *name, ir_fndef *parent, classdef *cls,
                         int32_t line, int32_t col)
{
    ir_fndef *d = pf_arena_alloc(b->a, sizeof *d);
    d->name = cls ? pf_arena_sprintf(b->a, "%s.%s", cls->name, name) : name;
    /* mangled names are unique across the script and the modules it imports */
    d->qual = mi != b->mods[0] ? pf_arena_sprintf(b->a, "%s.%s", mi->name, d->name) : d->name;
    d->parent = parent;
    d->cls = cls;
    d->mod = mi;
    d->line = line;
    d->col = col;
    if (b->ndefs == b->capdefs) {
        int32_t nc = b->capdefs ? b->capdefs * 2 : 32;
        ir_fndef **nd = pf_arena_alloc(b->a, sizeof *nd * (size_t)nc);
        if (b->ndefs) memcpy(nd, b->defs, sizeof *nd * (size_t)b->ndefs);
        b->defs = nd;
        b->capdefs = nc;
    }
    b->defs[b->ndefs++] = d;
    return d;
}

static void scan_expr(scan *sc, const ast_expr *e);
static void scan_stmts(scan *sc, const ast_stmt_list *l);
static void scan_def_body(scan *sc, ir_fndef *d);

static void scan_list(scan *sc, const ast_expr_list *l)
{
    for (int32_t i = 0; i < l->len; i++) scan_expr(sc, l->items[i]);
}

static void scan_comp(scan *sc, const ast_expr *e)
{
    const ast_comp_for_list *fors = &e->u.comp.fors;
    /* the first source is evaluated in the enclosing scope */
    if (fors->len) scan_expr(sc, fors->items[0].iter);
    push_frame(sc, NULL);
    for (int32_t i = 0; i < fors->len; i++) {
        const ast_comp_for *cf = &fors->items[i];
        if (i) scan_expr(sc, cf->iter);
        bind_target(sc->b, &sc->frames[sc->nframes - 1].names, cf->target);
        scan_list(sc, &cf->ifs);
    }
    scan_expr(sc, e->u.comp.elt);
    scan_expr(sc, e->u.comp.key);
    sc->nframes--;
}

static void scan_expr(scan *sc, const ast_expr *e)
{
    if (!e) return;
    switch (e->kind) {
    case AST_NAME: use_name(sc, e->u.name); break;
    case AST_FSTRING: scan_list(sc, &e->u.fstring.parts); break;
    case AST_FORMAT:
        scan_expr(sc, e->u.format.value);
        scan_expr(sc, e->u.format.spec);
        break;
    case AST_TUPLE:
    case AST_LIST:
    case AST_SET: scan_list(sc, &e->u.seq.elts); break;
    case AST_DICT:
        scan_list(sc, &e->u.dict.keys);
        scan_list(sc, &e->u.dict.values);
        break;
    case AST_LISTCOMP:
    case AST_SETCOMP:
    case AST_DICTCOMP:
    case AST_GENEXP: scan_comp(sc, e); break;
    case AST_SUBSCRIPT:
        scan_expr(sc, e->u.subscript.value);
        scan_expr(sc, e->u.subscript.index);
        break;
    case AST_SLICE:
        scan_expr(sc, e->u.slice.lo);
        scan_expr(sc, e->u.slice.hi);
        scan_expr(sc, e->u.slice.step);
        break;
    case AST_ATTR: scan_expr(sc, e->u.attr.value); break;
    case AST_CALL:
        scan_expr(sc, e->u.call.func);
        scan_list(sc, &e->u.call.args);
        for (int32_t i = 0; i < e->u.call.keywords.len; i++)
            scan_expr(sc, e->u.call.keywords.items[i].value);
        break;
    case AST_UNARY: scan_expr(sc, e->u.unary.operand); break;
    case AST_BINARY:
        scan_expr(sc, e->u.binary.left);
        scan_expr(sc, e->u.binary.right);
        break;
    case AST_BOOLOP: scan_list(sc, &e->u.boolop.values); break;
    case AST_COMPARE:
        scan_expr(sc, e->u.compare.left);
        for (int32_t i = 0; i < e->u.compare.n; i++) scan_expr(sc, e->u.compare.comparators[i]);
        break;
    case AST_IFEXP:
        scan_expr(sc, e->u.ifexp.test);
        scan_expr(sc, e->u.ifexp.body);
        scan_expr(sc, e->u.ifexp.orelse);
        break;
    case AST_LAMBDA: {
        if (sc->top < sc->early && at_top(sc)) sc->early = sc->top;
        ir_fndef *parent = NULL;
        for (int32_t i = sc->nframes - 1; i >= 0 && !parent; i--) parent = sc->frames[i].def;
        ir_fndef *d = new_def(sc->b, sc->mi, "<lambda>", parent, NULL, e->line, e->col);
        d->qual = sc->mi != sc->b->mods[0]
                      ? pf_arena_sprintf(sc->b->a, "%s.<lambda>@%d:%d", sc->mi->name, (int)e->line, (int)e->col)
                      : pf_arena_sprintf(sc->b->a, "<lambda>@%d:%d", (int)e->line, (int)e->col);
        d->lambda = e;
        d->params = &e->u.lambda.params;
        ((ast_expr *)e)->aux = d;
        for (int32_t i = 0; i < d->params->len; i++) {
            sc->defaults = true;
            scan_expr(sc, d->params->items[i].default_);
            sc->defaults = false;
            names_add(sc->b, &d->bound, d->params->items[i].name);
        }
        push_frame(sc, d);
        scan_expr(sc, e->u.lambda.body);
        sc->nframes--;
        break;
    }
    case AST_STARRED: scan_expr(sc, e->u.starred.value); break;
    default: break;
    }
}

static void scan_stmt(scan *sc, const ast_stmt *s)
{
    switch (s->kind) {
    case AST_EXPR_STMT: scan_expr(sc, s->u.expr); break;
    case AST_ASSIGN:
        scan_expr(sc, s->u.assign.value);
        for (int32_t i = 0; i < s->u.assign.targets.len; i++) {
            const ast_expr *t = s->u.assign.targets.items[i];
            if (t->kind == AST_SUBSCRIPT || t->kind == AST_ATTR) scan_expr(sc, t);
        }
        break;
    case AST_AUGASSIGN:
        scan_expr(sc, s->u.augassign.target);
        scan_expr(sc, s->u.augassign.value);
        break;
    case AST_ANNASSIGN: scan_expr(sc, s->u.annassign.value); break;
    case AST_DEF: {
        ir_fndef *parent = NULL;
        for (int32_t i = sc->nframes - 1; i >= 0 && !parent; i--) parent = sc->frames[i].def;
        ir_fndef *d = (ir_fndef *)s->aux;
        if (!d) {
            d = new_def(sc->b, sc->mi, s->u.def.name, parent, NULL, s->line, s->col);
            d->def = s;
            d->params = &s->u.def.params;
            ((ast_stmt *)s)->aux = d;
        }
        sc->defaults = true;
        for (int32_t i = 0; i < d->params->len; i++) scan_expr(sc, d->params->items[i].default_);
        sc->defaults = false;
        scan_def_body(sc, d);
        break;
    }
    case AST_CLASS: break; /* classes are handled at module level */
    case AST_IF:
        scan_expr(sc, s->u.if_.test);
        scan_stmts(sc, &s->u.if_.body);
        scan_stmts(sc, &s->u.if_.orelse);
        break;
    case AST_FOR:
        scan_expr(sc, s->u.for_.iter);
        scan_stmts(sc, &s->u.for_.body);
        scan_stmts(sc, &s->u.for_.orelse);
        break;
    case AST_WHILE:
        scan_expr(sc, s->u.while_.test);
        scan_stmts(sc, &s->u.while_.body);
        scan_stmts(sc, &s->u.while_.orelse);
        break;
    case AST_RETURN: scan_expr(sc, s->u.return_.value); break;
    case AST_ASSERT:
        scan_expr(sc, s->u.assert_.test);
        scan_expr(sc, s->u.assert_.msg);
        break;
    case AST_TRY:
        scan_stmts(sc, &s->u.try_.body);
        for (int32_t i = 0; i < s->u.try_.handlers.len; i++) {
            scan_expr(sc, s->u.try_.handlers.items[i].type);
            scan_stmts(sc, &s->u.try_.handlers.items[i].body);
        }
        scan_stmts(sc, &s->u.try_.orelse);
        scan_stmts(sc, &s->u.try_.finalbody);
        break;
    case AST_RAISE:
        scan_expr(sc, s->u.raise_.exc);
        scan_expr(sc, s->u.raise_.cause);
        break;
    default: break;
    }
}

static void scan_stmts(scan *sc, const ast_stmt_list *l)
{
    for (int32_t i = 0; i < l->len; i++) scan_stmt(sc, l->items[i]);
}

static void scan_def_body(scan *sc, ir_fndef *d)
{
    for (int32_t i = 0; i < d->params->len; i++) names_add(sc->b, &d->bound, d->params->items[i].name);
    bind_stmts(sc->b, &d->bound, &d->def->u.def.body);
    push_frame(sc, d);
    scan_stmts(sc, &d->def->u.def.body);
    sc->nframes--;
}

ir_fndef *rs_builtin_lambda(irb *b, modinfo *mi, const char *name, int32_t line, int32_t col)
{
    static const char *const one[] = {"str", "repr", "len", "abs", "int", "float", "bool", "round",
                                      "sorted", "list", "sum", "any", "all", "reversed", "chr", "ord"};
    static const char *const two[] = {"max", "min"};
    int32_t arity = 0;
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
        if (!strcmp(one[i], name)) arity = 1;
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
        if (!strcmp(two[i], name)) arity = 2;
    if (!arity) return NULL;
    for (int32_t i = 0; i < b->blambdas.len; i++)
        if (b->blambdas.items[i]->name == name) return b->blambdas.items[i]; /* one per name: unique symbol */
    ast_expr *lam = pf_arena_alloc(b->a, sizeof *lam);
    ast_expr *call = pf_arena_alloc(b->a, sizeof *call);
    ast_expr *fn = pf_arena_alloc(b->a, sizeof *fn);
    lam->kind = AST_LAMBDA;
    call->kind = AST_CALL;
    fn->kind = AST_NAME;
    lam->line = call->line = fn->line = lam->op_line = call->op_line = fn->op_line = line;
    lam->col = call->col = fn->col = lam->op_col = call->op_col = fn->op_col = col;
    fn->u.name = name;
    call->u.call.func = fn;
    const char *pn[2] = {pf_intern_cstr(b->a, "$a"), pf_intern_cstr(b->a, "$b")};
    for (int32_t i = 0; i < arity; i++) {
        ast_param p = {.name = pn[i], .line = line, .col = col};
        PF_VEC_PUSH(b->a, &lam->u.lambda.params, IR_LIMIT, p);
        ast_expr *arg = pf_arena_alloc(b->a, sizeof *arg);
        arg->kind = AST_NAME;
        arg->line = arg->op_line = line;
        arg->col = arg->op_col = col;
        arg->u.name = pn[i];
        PF_VEC_PUSH(b->a, &call->u.call.args, IR_LIMIT, arg);
    }
    lam->u.lambda.body = call;
    ir_fndef *d = new_def(b, mi, name, NULL, NULL, line, col);
    d->qual = pf_arena_sprintf(b->a, "<builtin %s>", name);
    d->lambda = lam;
    d->params = &lam->u.lambda.params;
    lam->aux = d;
    for (int32_t i = 0; i < arity; i++) names_add(b, &d->bound, pn[i]);
    PF_VEC_PUSH(b->a, &b->blambdas, IR_LIMIT, d);
    return d;
}

/* ----------------------------------------------------------------------- module table */

static void add_class(irb *b, scan *sc, modinfo *mi, const ast_stmt *s)
{
    classdef *c = pf_arena_alloc(b->a, sizeof *c);
    c->name = s->u.class_.name;
    c->ast = s;
    c->mod = mi;
    c->cls = pf_arena_alloc(b->a, sizeof *c->cls);
    c->cls->name = c->name;
    c->cls->line = s->line;
    c->cls->type = ty_class(b, c->cls);
    ((ast_stmt *)s)->aux = c;
    int32_t nm = 0;
    for (int32_t i = 0; i < s->u.class_.body.len; i++)
        if (s->u.class_.body.items[i]->kind == AST_DEF) nm++;
    c->methods = pf_arena_alloc(b->a, sizeof *c->methods * (size_t)(nm + 1));
    for (int32_t i = 0; i < s->u.class_.body.len; i++) {
        const ast_stmt *m = s->u.class_.body.items[i];
        if (m->kind != AST_DEF) continue;
        ir_fndef *d = new_def(b, mi, m->u.def.name, NULL, c, m->line, m->col);
        d->def = m;
        d->params = &m->u.def.params;
        ((ast_stmt *)m)->aux = d;
        c->methods[c->method_names.len] = d;
        PF_VEC_PUSH(b->a, &c->method_names, IR_LIMIT, m->u.def.name);
        scan_def_body(sc, d);
    }
    /* fields: `self.x = ...` in __init__, in order */
    ir_fndef *init = rs_method(c, pf_intern_cstr(b->a, "__init__"));
    namevec fields = {0};
    if (init && init->params->len > 0) {
        const char *self = init->params->items[0].name;
        /* walk statements recursively */
        const ast_stmt_list *stack[64];
        int32_t idx[64], sp = 0;
        stack[0] = &init->def->u.def.body;
        idx[0] = 0;
        while (sp >= 0) {
            if (idx[sp] >= stack[sp]->len) { sp--; continue; }
            const ast_stmt *t = stack[sp]->items[idx[sp]++];
            if (t->kind == AST_ASSIGN || t->kind == AST_ANNASSIGN) {
                int32_t nt = t->kind == AST_ASSIGN ? t->u.assign.targets.len : 1;
                for (int32_t k = 0; k < nt; k++) {
                    const ast_expr *tg = t->kind == AST_ASSIGN ? t->u.assign.targets.items[k]
                                                               : t->u.annassign.target;
                    if (tg->kind == AST_ATTR && tg->u.attr.value->kind == AST_NAME &&
                        tg->u.attr.value->u.name == self)
                        names_add(b, &fields, tg->u.attr.name);
                }
            }
            const ast_stmt_list *subs[4] = {0};
            if (t->kind == AST_IF) { subs[0] = &t->u.if_.body; subs[1] = &t->u.if_.orelse; }
            if (t->kind == AST_FOR) { subs[0] = &t->u.for_.body; subs[1] = &t->u.for_.orelse; }
            if (t->kind == AST_WHILE) { subs[0] = &t->u.while_.body; subs[1] = &t->u.while_.orelse; }
            if (t->kind == AST_TRY) {
                subs[0] = &t->u.try_.body;
                subs[1] = &t->u.try_.orelse;
                subs[2] = &t->u.try_.finalbody;
            }
            for (int32_t k = 0; k < 4; k++)
                if (subs[k] && sp < 63) { stack[++sp] = subs[k]; idx[sp] = 0; }
        }
    }
    c->cls->nfields = fields.len;
    c->cls->field_names = fields.items;
    c->cls->field_types = pf_arena_alloc(b->a, sizeof(ir_type *) * (size_t)(fields.len + 1));
    for (int32_t i = 0; i < fields.len; i++) c->cls->field_types[i] = b->t_unknown;
    c->field_line = pf_arena_alloc(b->a, sizeof(int32_t) * (size_t)(fields.len + 1));
    c->field_col = pf_arena_alloc(b->a, sizeof(int32_t) * (size_t)(fields.len + 1));
    ty_class_respell(b, c->cls->type);
    if (b->nclasses == b->capclasses) {
        int32_t nc = b->capclasses ? b->capclasses * 2 : 16;
        classdef **n = pf_arena_alloc(b->a, sizeof *n * (size_t)nc);
        if (b->nclasses) memcpy(n, b->classes, sizeof *n * (size_t)b->nclasses);
        b->classes = n;
        b->capclasses = nc;
    }
    b->classes[b->nclasses++] = c;
}

static bmod builtin_module(irb *b, const char *name)
{
    if (name == pf_intern_cstr(b->a, "math")) return BM_MATH;
    if (name == pf_intern_cstr(b->a, "random")) return BM_RANDOM;
    if (name == pf_intern_cstr(b->a, "time")) return BM_TIME;
    if (name == pf_intern_cstr(b->a, "pf")) return BM_PF;
    if (name == pf_intern_cstr(b->a, "sys")) return BM_SYS;
    return BM_NONE;
}

modinfo *ir_load_module(irb *b, const char *name, int32_t line, int32_t col, const pf_source *from);

/* A constant expression: a literal, or numeric arithmetic on number literals and numeric
 * constant names (`4 * PI * PI`): each read recomputes it, which LLVM folds. */
static bool num_const_expr(modinfo *mi, const ast_expr *v)
{
    switch (v->kind) {
    case AST_INT: case AST_FLOAT: case AST_BOOL: return true;
    case AST_NAME: {
        gname *g = rs_lookup(mi, v->u.name);
        return g && g->kind == G_VAR && g->constant && num_const_expr(mi, g->constant);
    }
    case AST_UNARY: return v->u.unary.op != AST_NOT && num_const_expr(mi, v->u.unary.operand);
    case AST_BINARY:
        return v->u.binary.op != AST_MATMUL && num_const_expr(mi, v->u.binary.left) &&
               num_const_expr(mi, v->u.binary.right);
    default: return false;
    }
}

static bool const_expr(modinfo *mi, const ast_expr *v)
{
    return v->kind == AST_STR || num_const_expr(mi, v);
}

/* Module variables a def may read before the module assigns them (python3: NameError): every
 * variable except those assigned by a top-level assignment that comes before `early`, the first
 * top-level statement that may run a def's code, and a session's variables (already set). Such a
 * variable is never a constant, and codegen keeps a "defined" flag for it (ir_global). */
static void mark_late(irb *b, modinfo *mi, int32_t early)
{
    const ast_stmt_list *body = &mi->ast->body;
    if (early >= body->len) return;
    namevec safe = {0};
    for (int32_t i = 0; i < early; i++) {
        const ast_stmt *s = body->items[i];
        if (s->kind == AST_ASSIGN || (s->kind == AST_ANNASSIGN && s->u.annassign.value)) bind_stmt(b, &safe, s);
    }
    for (int32_t i = 0; i < mi->nnames; i++) {
        gname *g = &mi->names[i];
        if (g->kind != G_VAR || names_has(&safe, g->name)) continue;
        bool session_var = false;
        for (int32_t k = 0; mi == b->mods[0] && b->env && k < b->env->nvars && !session_var; k++)
            session_var = pf_intern_cstr(b->a, b->env->vars[k].name) == g->name;
        if (session_var) continue;
        g->late = true;
        g->constant = NULL;
    }
}

bool rs_module(irb *b, modinfo *mi)
{
    scan sc = {.b = b, .mi = mi};
    const ast_stmt_list *body = &mi->ast->body;
    /* 1. names bound at module level */
    for (int32_t i = 0; i < body->len; i++) {
        const ast_stmt *s = body->items[i];
        if (s->kind == AST_DEF || s->kind == AST_EXTERN) {
            gname *prev = rs_lookup(mi, s->u.def.name);
            if (prev) {
                pf_diag *dg = pf_diag_error(b->d, mi->src, s->line, s->col, "'%s' is defined twice at module level",
                                            s->u.def.name);
                pf_diag_hint(b->d, dg, "pf binds a module-level name once; rename one of them");
                if (dg && prev->line) pf_diag_note(b->d, mi->src, prev->line, prev->col, "first defined here");
                continue;
            }
            gname *g = add_gname(b, mi, s->u.def.name, G_DEF, s->line, s->col);
            ir_fndef *d = new_def(b, mi, s->u.def.name, NULL, NULL, s->line, s->col);
            d->def = s;
            d->params = &s->u.def.params;
            ((ast_stmt *)s)->aux = d;
            g->def = d;
        } else if (s->kind == AST_CLASS) {
            gname *prev = rs_lookup(mi, s->u.class_.name);
            if (prev) {
                pf_diag *dg = pf_diag_error(b->d, mi->src, s->line, s->col, "'%s' is defined twice at module level",
                                            s->u.class_.name);
                pf_diag_hint(b->d, dg, "pf binds a module-level name once; rename one of them");
                if (dg && prev->line) pf_diag_note(b->d, mi->src, prev->line, prev->col, "first defined here");
                ((ast_stmt *)s)->aux = NULL;
                continue;
            }
            add_gname(b, mi, s->u.class_.name, G_CLASS, s->line, s->col);
        } else if (s->kind == AST_IMPORT) {
            for (int32_t k = 0; k < s->u.import.names.len; k++) {
                const ast_alias *al = &s->u.import.names.items[k];
                gname *g = add_gname(b, mi, al->asname ? al->asname : al->name, G_MODULE,
                                     al->line, al->col);
                g->module = builtin_module(b, al->name);
                if (!g->module) {
                    g->module = BM_USER;
                    g->umod = ir_load_module(b, al->name, al->line, al->col, mi->src);
                }
            }
        } else if (s->kind == AST_FROM_IMPORT) {
            const char *mod = s->u.from_import.module;
            bmod bm = mod ? builtin_module(b, mod) : BM_NONE;
            modinfo *um = NULL;
            if (mod && !bm) {
                bm = BM_USER;
                um = ir_load_module(b, mod, s->line, s->col, mi->src);
            }
            for (int32_t k = 0; k < s->u.from_import.names.len; k++) {
                const ast_alias *al = &s->u.from_import.names.items[k];
                gname *g = add_gname(b, mi, al->asname ? al->asname : al->name, G_IMPORTED,
                                     al->line, al->col);
                g->module = bm;
                g->umod = um;
                g->member = al->name;
            }
        }
    }
    namevec vars = {0};
    bind_stmts(b, &vars, body);
    for (int32_t i = 0; i < vars.len; i++)
        if (!rs_lookup(mi, vars.items[i])) add_gname(b, mi, vars.items[i], G_VAR, 0, 0);
    if (mi == b->mods[0] && b->env) /* a session's variables (ir_build_env) */
        for (int32_t i = 0; i < b->env->nvars; i++) {
            const char *n = pf_intern_cstr(b->a, b->env->vars[i].name);
            if (!rs_lookup(mi, n)) add_gname(b, mi, n, G_VAR, 0, 0);
        }
    /* constants: `NAME = literal` once at top level and bound nowhere else */
    namevec once = {0}, many = {0};
    for (int32_t i = 0; i < body->len; i++) {
        const ast_stmt *s = body->items[i];
        const ast_expr *v = s->kind == AST_ASSIGN ? s->u.assign.value : NULL;
        bool lit = v && const_expr(mi, v);
        if (lit && s->u.assign.targets.len == 1 && s->u.assign.targets.items[0]->kind == AST_NAME) {
            const char *n = s->u.assign.targets.items[0]->u.name;
            if (names_has(&once, n)) names_add(b, &many, n);
            else {
                names_add(b, &once, n);
                gname *g = rs_lookup(mi, n);
                if (g && g->kind == G_VAR) g->constant = v;
            }
            continue;
        }
        bind_stmt(b, &many, s);
    }
    for (int32_t i = 0; i < many.len; i++) {
        gname *g = rs_lookup(mi, many.items[i]);
        if (g) g->constant = NULL;
    }
    /* 2. classes, then every def body (captures, globals) */
    for (int32_t i = 0; i < body->len; i++) {
        const ast_stmt *s = body->items[i];
        gname *g = s->kind == AST_CLASS ? rs_lookup(mi, s->u.class_.name) : NULL;
        if (g && g->kind == G_CLASS && g->line == s->line && g->col == s->col) {
            add_class(b, &sc, mi, s);
            g->cls = (classdef *)s->aux;
        }
    }
    sc.early = INT32_MAX;
    for (sc.top = 0; sc.top < body->len; sc.top++) scan_stmt(&sc, body->items[sc.top]);
    mark_late(b, mi, sc.early);
    /* a constant built from a name that turned out not to be constant is not one either */
    for (bool again = true; again;) {
        again = false;
        for (int32_t i = 0; i < mi->nnames; i++)
            if (mi->names[i].constant && !const_expr(mi, mi->names[i].constant)) {
                mi->names[i].constant = NULL;
                again = true;
            }
    }
    rs_late_binding(b, mi);
    return true;
}
