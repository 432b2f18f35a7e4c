/* Incremental sessions (codegen.h `cg_session`): the REPL's and libpf's way to compile a sequence
 * of entries into one JIT, each entry seeing the definitions and variables of the entries before
 * it. How: the session keeps the source text of every def/class/import entered and a table of
 * variables (name, type spelling, an 8-byte slot it owns); docs/internals.md "Sessions". */
#include "codegen/codegen.h"
#include "ir/ir.h"
#include "parser/parser.h"
#include "runtime/value.h"
#include "stdlib/builtins.h" /* pf_rng (its size only) */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A kept definition: the text of a top-level def, class, extern def, import, or `name = lambda`. */
typedef struct kept {
    char *key;  /* the name it binds (def, class, lambda), or its whole text (imports) */
    char *text; /* its source lines, ending in '\n' */
    char *file; /* where it was entered: the entry's source name and first line */
    int32_t line;
} kept;

/* Where a kept definition sits in the text compiled last (for cg_session_origin). */
typedef struct span {
    int32_t from, to; /* lines [from, to) of the compiled text */
    const kept *k;
} span;

/* A variable kept across entries. */
typedef struct svar {
    char *name;
    char *type; /* ir_type_str spelling, e.g. "list[float]" */
    void *slot; /* 8 bytes; objects hold one reference, released when the variable goes */
} svar;

/* A known field type of a class (ir_env_field). */
typedef struct sfield {
    char *cls, *field, *type;
} sfield;

typedef struct { kept *items; int32_t len, cap; } keptvec;
typedef struct { sfield *items; int32_t len, cap; } sfieldvec;
typedef struct { span *items; int32_t len, cap; } spanvec;
typedef struct { svar *items; int32_t len, cap; } svarvec;
typedef struct { char **items; int32_t len, cap; } strvec;

struct cg_session {
    cg_jit *jit;
    pf_rng *rng;         /* the random generator's state, shared by every entry (ir_module.rng_state) */
    int32_t nentries;    /* entries compiled: the symbol suffix of the next one */
    keptvec defs;        /* in entry order */
    svarvec vars;
    sfieldvec fields;    /* of the classes in the kept definitions */
    /* the entry compiled last, until cg_session_end */
    bool pending;
    keptvec new_defs;    /* the entry's own definitions */
    strvec gone;         /* names the entry binds anew: earlier defs and variables to drop */
    svarvec new_vars;    /* variables first bound by the entry (slots already in its code) */
    svarvec retyped;     /* variables whose type the entry fixed further (slot = theirs) */
    sfieldvec new_fields; /* every class's field types after the entry */
    spanvec spans;       /* the kept definitions in the entry's compiled text */
    strvec unkept;       /* variables left out for holding function values (for a hint) */
    strvec new_unkept;
};

static void *grow(void *items, int32_t *cap, size_t size) {
    int32_t nc = *cap ? *cap * 2 : 8;
    void *n = realloc(items, (size_t)nc * size);
    if (!n) abort(); /* out of memory while compiling: nothing sensible to unwind to */
    *cap = nc;
    return n;
}
#define PUSH(v, x)                                                                                 \
    do {                                                                                           \
        if ((v)->len == (v)->cap) (v)->items = grow((v)->items, &(v)->cap, sizeof *(v)->items);    \
        (v)->items[(v)->len++] = (x);                                                              \
    } while (0)

static char *dup_n(const char *s, size_t n) {
    char *r = malloc(n + 1);
    if (!r) abort();
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}
static char *dup(const char *s) { return dup_n(s, strlen(s)); }

static bool has(const strvec *v, const char *s) {
    for (int32_t i = 0; i < v->len; i++)
        if (!strcmp(v->items[i], s)) return true;
    return false;
}

/* Scalars live in the slot itself; every other type is a pointer to an object (or NULL). */
static bool is_obj(const char *type) {
    return strcmp(type, "int") && strcmp(type, "float") && strcmp(type, "bool") && strcmp(type, "None");
}

static void var_free(svar *v) {
    if (is_obj(v->type)) rt_obj_decref(*(pf_obj **)v->slot);
    free(v->name);
    free(v->type);
    free(v->slot);
}

static void fields_clear(sfieldvec *v) {
    for (int32_t i = 0; i < v->len; i++) {
        free(v->items[i].cls);
        free(v->items[i].field);
        free(v->items[i].type);
    }
    v->len = 0;
}

static void kept_free(kept *k) {
    free(k->key);
    free(k->text);
    free(k->file);
}

cg_session *cg_session_new(char **err) {
    cg_jit *j = cg_jit_new(err);
    if (!j) return NULL;
    cg_session *s = calloc(1, sizeof *s);
    if (!s) {
        cg_jit_free(j);
        return NULL;
    }
    s->jit = j;
    s->rng = calloc(1, sizeof *s->rng);
    if (!s->rng) {
        cg_jit_free(j);
        free(s);
        return NULL;
    }
    return s;
}

bool cg_session_define(cg_session *s, const char *name, void *addr, char **err) {
    return cg_jit_define(s->jit, name, addr, err);
}

static void drop_pending(cg_session *s, bool ok) {
    for (int32_t i = 0; i < s->new_defs.len; i++)
        if (ok) PUSH(&s->defs, s->new_defs.items[i]);
        else kept_free(&s->new_defs.items[i]);
    for (int32_t i = 0; i < s->new_vars.len; i++)
        if (ok) PUSH(&s->vars, s->new_vars.items[i]);
        else var_free(&s->new_vars.items[i]);
    if (ok) { /* the entry's view of the classes replaces the old one */
        sfieldvec t = s->fields;
        s->fields = s->new_fields;
        s->new_fields = t;
    }
    fields_clear(&s->new_fields);
    for (int32_t i = 0; i < s->retyped.len; i++) {
        svar *r = &s->retyped.items[i];
        for (int32_t k = 0; ok && k < s->vars.len; k++)
            if (s->vars.items[k].slot == r->slot) {
                free(s->vars.items[k].type);
                s->vars.items[k].type = r->type;
                r->type = NULL;
            }
        free(r->name);
        free(r->type);
    }
    s->retyped.len = 0;
    for (int32_t i = 0; i < s->new_unkept.len; i++)
        if (ok && !has(&s->unkept, s->new_unkept.items[i])) PUSH(&s->unkept, s->new_unkept.items[i]);
        else free(s->new_unkept.items[i]);
    s->new_unkept.len = 0;
    for (int32_t i = 0; i < s->gone.len; i++) free(s->gone.items[i]);
    s->spans.len = 0; /* they point into kept definitions that may have gone */
    s->new_defs.len = s->new_vars.len = s->gone.len = 0;
    s->pending = false;
}

void cg_session_end(cg_session *s, bool ok) {
    if (!s->pending) return;
    if (ok) { /* what the entry binds anew replaces what earlier entries bound */
        int32_t k = 0;
        for (int32_t i = 0; i < s->defs.len; i++)
            if (has(&s->gone, s->defs.items[i].key)) kept_free(&s->defs.items[i]);
            else s->defs.items[k++] = s->defs.items[i];
        s->defs.len = k;
        k = 0;
        for (int32_t i = 0; i < s->vars.len; i++)
            if (has(&s->gone, s->vars.items[i].name)) var_free(&s->vars.items[i]);
            else s->vars.items[k++] = s->vars.items[i];
        s->vars.len = k;
        k = 0;
        for (int32_t i = 0; i < s->unkept.len; i++)
            if (has(&s->gone, s->unkept.items[i])) free(s->unkept.items[i]);
            else s->unkept.items[k++] = s->unkept.items[i];
        s->unkept.len = k;
    }
    drop_pending(s, ok);
}

void cg_session_free(cg_session *s) {
    if (!s) return;
    drop_pending(s, false);
    for (int32_t i = 0; i < s->defs.len; i++) kept_free(&s->defs.items[i]);
    for (int32_t i = 0; i < s->vars.len; i++) var_free(&s->vars.items[i]);
    free(s->defs.items);
    free(s->vars.items);
    free(s->new_defs.items);
    free(s->new_vars.items);
    free(s->retyped.items);
    for (int32_t i = 0; i < s->unkept.len; i++) free(s->unkept.items[i]);
    free(s->unkept.items);
    free(s->new_unkept.items);
    free(s->gone.items);
    fields_clear(&s->fields);
    free(s->fields.items);
    free(s->new_fields.items);
    free(s->spans.items);
    cg_jit_free(s->jit); /* after the values: strings may point at the entries' constants */
    free(s->rng);
    free(s);
}

bool cg_session_origin(const cg_session *s, int64_t line, const char **file, int32_t *orig_line) {
    for (int32_t i = 0; i < s->spans.len; i++) {
        const span *sp = &s->spans.items[i];
        if (line >= sp->from && line < sp->to) {
            *file = sp->k->file;
            *orig_line = sp->k->line + (int32_t)(line - sp->from);
            return true;
        }
    }
    return false;
}

/* A copy of cg_session_origin's table: the spans, then their file names. */
struct cg_linemap {
    int32_t n;
    struct { int32_t from, to, line; const char *file; } *items;
};

cg_linemap *cg_session_linemap(const cg_session *s) {
    cg_linemap *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->items = calloc((size_t)s->spans.len + 1, sizeof *m->items);
    if (!m->items) {
        free(m);
        return NULL;
    }
    for (int32_t i = 0; i < s->spans.len; i++) {
        const span *sp = &s->spans.items[i];
        m->items[i].from = sp->from;
        m->items[i].to = sp->to;
        m->items[i].line = sp->k->line;
        m->items[i].file = strdup(sp->k->file);
        if (!m->items[i].file) abort();
        m->n = i + 1;
    }
    return m;
}

bool cg_linemap_origin(const cg_linemap *m, int64_t line, const char **file, int32_t *orig_line) {
    for (int32_t i = 0; m && i < m->n; i++)
        if (line >= m->items[i].from && line < m->items[i].to) {
            *file = m->items[i].file;
            *orig_line = m->items[i].line + (int32_t)(line - m->items[i].from);
            return true;
        }
    return false;
}

void cg_linemap_free(cg_linemap *m) {
    if (!m) return;
    for (int32_t i = 0; i < m->n; i++) free((char *)m->items[i].file);
    free(m->items);
    free(m);
}

int32_t cg_session_nvars(const cg_session *s) { return s->vars.len; }

bool cg_session_var(const cg_session *s, int32_t i, const char **name, const char **type, void **slot) {
    if (i < 0 || i >= s->vars.len) return false;
    *name = s->vars.items[i].name;
    *type = s->vars.items[i].type;
    *slot = s->vars.items[i].slot;
    return true;
}

/* ---- one entry --------------------------------------------------------------------------------- */

/* Bytes of the source lines [line, end_line) (1-based; end_line past the last line: to the end). */
static void line_span(const pf_source *src, int32_t line, int32_t end_line, int32_t *from, int32_t *to) {
    *from = line >= 1 && line <= src->nlines ? src->line_starts[line - 1] : src->len;
    *to = end_line >= 1 && end_line <= src->nlines ? src->line_starts[end_line - 1] : src->len;
}

/* The first line after statement i that starts another top-level statement. */
static int32_t next_line(const ast_module *m, int32_t i) {
    for (int32_t k = i + 1; k < m->body.len; k++)
        if (m->body.items[k]->line > m->body.items[i]->line) return m->body.items[k]->line;
    return INT32_MAX;
}

/* Is this `name = value` the first time the entry mentions name, value not reading it? Then the
 * entry binds name anew (with any type: Python lets `x = 1` be followed by `x = "a"`). */
static bool fresh_binding(pf_arena *a, const pf_source *src, const ast_stmt *st, int32_t end_line) {
    const ast_expr *t = st->u.assign.targets.items[0];
    pf_diags d;
    pf_diags_init(&d, a);
    lex_token_list toks = lex_source(a, &d, src);
    for (int32_t i = 0; i < toks.len; i++) {
        const lex_token *k = &toks.items[i];
        if (k->kind != TK_NAME || k->v.name != t->u.name) continue;
        if (k->line != t->line || k->col != t->col) {
            if (k->line < end_line) return false; /* read before, or by the value */
        }
    }
    return true;
}

typedef struct built {
    ir_module *mod;
    int32_t kept_line; /* first line of the kept definitions in the compiled text */
} built;

/* Parses the entry, records what it defines (pending), and builds the IR of the compiled text:
 * the entry first (so diagnostics and tracebacks of the entry keep its own line numbers), then
 * every kept definition the entry does not replace. Variables not bound anew are predeclared. */
static bool build(cg_session *s, pf_arena *a, pf_diags *d, const pf_source *src, const cg_entry_opts *o,
                  built *out) {
    ast_module *m = parse_module(a, d, src);
    if (!m || pf_diags_has_errors(d)) return false;
    bool first_stmt = true; /* no statement other than a definition seen yet */
    for (int32_t i = 0; i < m->body.len; i++) {
        const ast_stmt *st = m->body.items[i];
        int32_t end = next_line(m, i), from, to;
        line_span(src, st->line, end, &from, &to);
        const char *key = NULL;
        switch (st->kind) {
        case AST_DEF: case AST_EXTERN: key = st->u.def.name; break;
        case AST_CLASS: key = st->u.class_.name; break;
        case AST_IMPORT:
        case AST_FROM_IMPORT: {
            const ast_alias_list *al = st->kind == AST_IMPORT ? &st->u.import.names : &st->u.from_import.names;
            for (int32_t k = 0; k < al->len; k++) /* `import m` after `m = 3`: the module wins */
                PUSH(&s->gone, dup(al->items[k].asname ? al->items[k].asname : al->items[k].name));
            break;
        }
        case AST_ASSIGN:
            if (st->u.assign.targets.len == 1 && st->u.assign.targets.items[0]->kind == AST_NAME) {
                const char *n = st->u.assign.targets.items[0]->u.name;
                if (st->u.assign.value->kind == AST_LAMBDA) key = n;
                else if (first_stmt && fresh_binding(a, src, st, end)) PUSH(&s->gone, dup(n));
            }
            break;
        default: break;
        }
        if (st->kind == AST_IMPORT || st->kind == AST_FROM_IMPORT || key) {
            kept k = {NULL, dup_n(src->text + from, (size_t)(to - from)), dup(src->name), st->line};
            k.key = dup(key ? key : k.text);
            if (key) PUSH(&s->gone, dup(key));
            PUSH(&s->new_defs, k);
        } else if (st->kind != AST_EXPR_STMT || st->u.expr->kind != AST_STR) {
            first_stmt = false;
        }
    }
    /* the compiled text: the entry, then the kept definitions it does not replace */
    size_t n = (size_t)src->len + 2;
    for (int32_t i = 0; i < s->defs.len; i++) n += strlen(s->defs.items[i].text) + 1;
    char *text = pf_arena_alloc(a, n);
    size_t len = 0;
    memcpy(text, src->text, (size_t)src->len);
    len = (size_t)src->len;
    if (len && text[len - 1] != '\n') text[len++] = '\n';
    int32_t line = 1;
    for (size_t i = 0; i < len; i++) line += text[i] == '\n';
    s->spans.len = 0;
    for (int32_t i = 0; i < s->defs.len; i++) {
        const kept *k = &s->defs.items[i];
        bool dup_import = false; /* the entry repeats an import: keep one */
        for (int32_t j = 0; j < s->new_defs.len && !dup_import; j++)
            dup_import = !strcmp(s->new_defs.items[j].key, k->key);
        if (has(&s->gone, k->key) || dup_import) continue;
        size_t kl = strlen(k->text);
        memcpy(text + len, k->text, kl);
        len += kl;
        if (kl && k->text[kl - 1] != '\n') text[len++] = '\n';
        span sp = {line, line, k};
        for (size_t j = 0; j < kl; j++) sp.to += k->text[j] == '\n';
        if (kl && k->text[kl - 1] != '\n') sp.to++;
        line = sp.to;
        PUSH(&s->spans, sp);
    }
    int32_t kept_line = s->spans.len ? s->spans.items[0].from : line;
    const pf_source *all = pf_source_new(a, src->name, text, len);
    out->kept_line = kept_line;
    ast_module *am = all ? parse_module(a, d, all) : NULL;
    if (!am || pf_diags_has_errors(d)) return false;
    ir_env_var *ev = pf_arena_alloc(a, sizeof *ev * (size_t)(s->vars.len + 1));
    ir_env_field *ef = pf_arena_alloc(a, sizeof *ef * (size_t)(s->fields.len + 1));
    ir_env env = {.vars = ev, .fields = ef, .roots = o->exports, .nroots = o->nexports, .kept_line = kept_line,
                  .keep_vars = true, .echo = o->echo};
    for (int32_t i = 0; i < s->vars.len; i++) {
        const svar *v = &s->vars.items[i];
        if (has(&s->gone, v->name)) continue;
        ev[env.nvars++] = (ir_env_var){v->name, v->type, v->slot};
    }
    for (int32_t i = 0; i < s->fields.len; i++) {
        const sfield *f = &s->fields.items[i];
        if (!has(&s->gone, f->cls)) ef[env.nfields++] = (ir_env_field){f->cls, f->field, f->type};
    }
    out->mod = ir_build_env(a, d, am, src->name, &env);
    for (int32_t i = 0; i < d->len; i++) /* a name left out for holding a function value */
        for (int32_t k = 0; k < s->unkept.len; k++) {
            char want[300];
            snprintf(want, sizeof want, "name '%s' is not defined", s->unkept.items[k]);
            if (!strcmp(d->items[i].msg, want) && !d->items[i].hint)
                d->items[i].hint = "a variable holding a function value is not kept across entries; "
                                   "use def, or a top-level `name = lambda ...`";
        }
    for (int32_t i = 0; i < d->len; i++) { /* an error in a kept definition: show it where it was entered */
        pf_diag *dg = &d->items[i];
        const char *file;
        int32_t orig;
        if (dg->src != all || !cg_session_origin(s, dg->line, &file, &orig)) continue;
        const kept *k = NULL;
        for (int32_t j = 0; j < s->spans.len && !k; j++)
            if (dg->line >= s->spans.items[j].from && dg->line < s->spans.items[j].to) k = s->spans.items[j].k;
        size_t kl = strlen(k->text), pad = (size_t)(k->line - 1);
        char *t = pf_arena_alloc(a, pad + kl + 1);
        memset(t, '\n', pad); /* the definition's text at its own line numbers */
        memcpy(t + pad, k->text, kl);
        const pf_source *ks = pf_source_new(a, k->file, t, pad + kl);
        if (!ks) continue;
        dg->src = ks;
        dg->line = orig;
        if (!dg->hint && !o->nexports) dg->hint = "in a definition from an earlier entry (redefine it to change it)";
    }
    if (!out->mod || pf_diags_has_errors(d)) return false;
    for (int32_t i = 0; i < out->mod->nclasses; i++) {
        const ir_class *c = out->mod->classes[i];
        for (int32_t k = 0; k < c->nfields; k++)
            if (c->field_types[k]->kind != IR_T_NONE)
                PUSH(&s->new_fields, ((sfield){dup(c->name), dup(c->field_names[k]), dup(ir_type_str(c->field_types[k]))}));
    }
    return true;
}

/* Function values and exceptions have no spelling (ty_parse): they stay inside their entry. */
static bool spellable(const ir_type *t) {
    if (t->kind == IR_T_FUNC || t->kind == IR_T_EXC) return false;
    for (int32_t i = 0; t->kind != IR_T_CLASS && i < t->n; i++)
        if (!spellable(t->elems[i])) return false;
    return true;
}

/* Gives every variable the entry binds first a slot of the session, and notes the variables
 * whose type the entry made more precise (`xs = []`, then `xs = xs + [1]`): pending until the end. */
static void new_slots(cg_session *s, ir_module *m) {
    for (int32_t i = 0; i < m->nglobals; i++) {
        ir_global *g = m->globals[i];
        if (!g->script_var) continue;
        if (!spellable(g->type)) {
            PUSH(&s->new_unkept, dup(g->name));
            PUSH(&s->gone, dup(g->name));
            continue;
        }
        if (g->slot) {
            for (int32_t k = 0; k < s->vars.len; k++)
                if (s->vars.items[k].slot == g->slot && strcmp(s->vars.items[k].type, g->spelling))
                    PUSH(&s->retyped, ((svar){dup(g->name), dup(g->spelling), g->slot}));
            continue;
        }
        svar v = {dup(g->name), dup(g->spelling), calloc(1, 8)};
        if (!v.slot) abort();
        g->slot = v.slot;
        PUSH(&s->new_vars, v);
        PUSH(&s->gone, dup(g->name));
    }
}

void *cg_session_compile(cg_session *s, pf_arena *a, pf_diags *d, const pf_source *src,
                         const cg_entry_opts *o, char **err) {
    cg_entry_opts none = {0};
    if (!o) o = &none;
    drop_pending(s, false);
    s->pending = true;
    built b;
    if (!build(s, a, d, src, o, &b)) {
        drop_pending(s, false);
        return NULL;
    }
    new_slots(s, b.mod);
    b.mod->rng_state = s->rng;
    int32_t id = s->nentries++;
    const char **names = calloc((size_t)o->nexports + 1, sizeof *names);
    if (!names) abort();
    for (int32_t i = 0; i < o->nexports; i++) names[i] = o->exports[i].def;
    cg_module *cm = cg_compile(b.mod, err);
    char entry[64];
    snprintf(entry, sizeof entry, "pf.entry.%d", (int)id);
    void *fn = NULL;
    if (cm && cg_module_localize(cm, b.mod, entry, names, o->nexports, err) &&
        cg_module_optimize(cm, 2, err) && cg_jit_add_externs(s->jit, b.mod, d)) {
        cg_module *mm = cm;
        cm = NULL;
        if (cg_jit_add(s->jit, mm, err)) {
            fn = cg_jit_lookup(s->jit, entry, err);
            for (int32_t i = 0; fn && i < o->nexports; i++) {
                char name[300];
                snprintf(name, sizeof name, "pf.entry.%d.%s", (int)id, o->exports[i].def);
                o->export_addrs[i] = cg_jit_lookup(s->jit, name, err);
                if (!o->export_addrs[i]) fn = NULL;
                for (int32_t k = 0; o->export_rets && k < b.mod->nfuncs; k++) /* as localize: the first */
                    if (b.mod->funcs[k]->src_name && !strcmp(b.mod->funcs[k]->src_name, o->exports[i].def)) {
                        o->export_rets[i] = b.mod->funcs[k]->ret;
                        break;
                    }
            }
        }
    }
    cg_module_free(cm);
    free(names);
    if (!fn) drop_pending(s, false);
    return fn;
}

const char *cg_session_type(cg_session *s, pf_arena *a, pf_diags *d, const pf_source *expr) {
    /* `__pf_type__ = (EXPR)` compiled but never run: the variable's type is the answer */
    const char *name = "__pf_type__";
    size_t n = (size_t)expr->len + 32;
    char *text = pf_arena_alloc(a, n);
    int len = snprintf(text, n, "%s = (%.*s\n)\n", name, (int)expr->len, expr->text);
    const pf_source *src = pf_source_new(a, expr->name, text, (size_t)len);
    const char *r = NULL;
    drop_pending(s, false);
    s->pending = true;
    built b;
    cg_entry_opts none = {0};
    if (src && build(s, a, d, src, &none, &b))
        for (int32_t i = 0; i < b.mod->nglobals; i++)
            if (!strcmp(b.mod->globals[i]->name, name)) r = ir_type_str(b.mod->globals[i]->type);
    int32_t skip = (int32_t)strlen(name) + 4; /* "__pf_type__ = (": report on the expression itself */
    for (int32_t i = 0; i < d->len; i++) {
        pf_diag *dg = &d->items[i];
        if (dg->line == 1 && dg->col > skip && dg->src && !strncmp(dg->src->text, name, strlen(name))) {
            dg->src = expr;
            dg->col -= skip;
        }
    }
    drop_pending(s, false);
    return r;
}
