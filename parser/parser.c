/* The parser (parser/parser.h): tokens -> syntax tree (parser/ast.h). Recursive descent for
 * statements, a Pratt table for expressions, Python's grammar and precedence.
 *
 * Conventions. The lexer tokenizes the whole file first; p->pos indexes the current token.
 * Each grammar rule is one function with the rule in a comment above it; a rule function is
 * called with the current token at the start of its construct and returns with it just past.
 * On a syntax error, syntax_error() records a diagnostic and longjmps to the innermost
 * statement's recovery point (statement_protected), which skips to the next statement at the
 * same block level (and over an indented block that follows a broken header), so independent
 * errors in one file are all reported. Everything lives in the arena: the longjmp leaks nothing.
 * Only the first error on a line is reported, since later ones are usually its echoes. */
#include "parser/parser.h"

#include <setjmp.h>
#include <string.h>

typedef struct parser {
    pf_arena *a;
    pf_diags *d;
    const pf_source *src;
    lex_token *toks;
    int32_t ntoks, pos;
    int32_t depth;        /* recursion depth, bounded by PARSE_MAX_DEPTH */
    int32_t func_depth;   /* enclosing defs (for `return`) */
    int32_t loop_depth;   /* enclosing loops in the current def (for break/continue) */
    jmp_buf *recover;     /* innermost statement's recovery point */
    jmp_buf *abort_all;   /* too many errors: stop parsing */
    int32_t last_err_line; /* line of the last reported error, to silence echoes */
} parser;

/* ============================================================================== helpers */

static lex_token *tok(parser *p) { return &p->toks[p->pos]; }
static lex_token *peek(parser *p, int n) {
    int32_t i = p->pos + n;
    return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}
static lex_kind kind(parser *p) { return p->toks[p->pos].kind; }
static bool at(parser *p, lex_kind k) { return kind(p) == k; }
static lex_token *advance(parser *p) {
    lex_token *t = tok(p);
    if (p->pos < p->ntoks - 1)
        p->pos++;
    return t;
}
static bool accept(parser *p, lex_kind k) {
    if (!at(p, k))
        return false;
    advance(p);
    return true;
}

/* Column just past token t (for "expected ':'" at the end of a line). */
static int32_t end_col(const lex_token *t) {
    int32_t col = t->col;
    for (int32_t i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->start[i];
        if (c == '\n')
            return t->col + 1; /* multi-line token: give up, point after its start */
        if ((c & 0xC0) != 0x80)
            col++;
    }
    return col;
}

/* Did the lexer (or an earlier statement) already report an error on this line? */
static bool line_has_error(parser *p, int32_t line) {
    for (int32_t i = 0; i < p->d->len; i++)
        if (p->d->items[i].src == p->src && p->d->items[i].line == line &&
            p->d->items[i].sev == PF_SEV_ERROR)
            return true;
    return false;
}

static _Noreturn void error_at_v(parser *p, int32_t line, int32_t col, const char *hint,
                                 const char *fmt, va_list ap) {
    if (line != p->last_err_line && !line_has_error(p, line)) {
        pf_diag *g = pf_diag_verror(p->d, PF_SEV_ERROR, p->src, line, col, fmt, ap);
        if (hint)
            pf_diag_hint(p->d, g, "%s", hint);
        p->last_err_line = line;
    }
    if (p->d->nerrors >= PF_DIAGS_MAX_ERRORS)
        longjmp(*p->abort_all, 1);
    longjmp(*p->recover, 1);
}

static _Noreturn void error_at(parser *p, int32_t line, int32_t col, const char *hint,
                               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static _Noreturn void error_at(parser *p, int32_t line, int32_t col, const char *hint,
                               const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_at_v(p, line, col, hint, fmt, ap);
}

/* An error at the current token; for a token that ends a line, at the end of the previous one
 * (where the missing ':' or ')' belongs). */
static _Noreturn void syntax_error(parser *p, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static _Noreturn void syntax_error(parser *p, const char *hint, const char *fmt, ...) {
    lex_token *t = tok(p);
    int32_t line = t->line, col = t->col;
    if ((t->kind == TK_NEWLINE || t->kind == TK_EOF || t->kind == TK_DEDENT ||
         t->kind == TK_INDENT) &&
        p->pos > 0) {
        lex_token *prev = &p->toks[p->pos - 1];
        if (prev->kind != TK_NEWLINE && prev->kind != TK_INDENT && prev->kind != TK_DEDENT) {
            line = prev->line;
            col = end_col(prev);
        }
    }
    if (t->kind == TK_EOF)
        p->d->incomplete = true;
    va_list ap;
    va_start(ap, fmt);
    error_at_v(p, line, col, hint, fmt, ap);
}

/* The current token described for "found ..." messages. */
static const char *describe(parser *p) {
    lex_token *t = tok(p);
    switch (t->kind) {
    case TK_NAME: return pf_arena_sprintf(p->a, "name '%s'", t->v.name);
    case TK_INT:
    case TK_FLOAT: return pf_arena_sprintf(p->a, "number '%.*s'", t->len > 40 ? 40 : t->len, t->start);
    default: return lex_kind_name(t->kind);
    }
}

static _Noreturn void unexpected(parser *p) {
    if (at(p, TK_INDENT))
        syntax_error(p, NULL, "unexpected indent");
    if (at(p, TK_EOF))
        syntax_error(p, NULL, "unexpected end of file");
    syntax_error(p, NULL, "invalid syntax: unexpected %s", describe(p));
}

static lex_token *expect(parser *p, lex_kind k, const char *what) {
    if (!at(p, k)) {
        if (what)
            syntax_error(p, NULL, "expected %s %s", lex_kind_name(k), what);
        syntax_error(p, NULL, "expected %s, found %s", lex_kind_name(k), describe(p));
    }
    return advance(p);
}

static const char *expect_name(parser *p, const char *what) {
    if (!at(p, TK_NAME)) {
        if (kind(p) >= TK_KW_FIRST && kind(p) <= TK_KW_LAST)
            syntax_error(p, NULL, "expected %s, found keyword %s (keywords cannot be names)",
                         what, lex_kind_name(kind(p)));
        syntax_error(p, NULL, "expected %s, found %s", what, describe(p));
    }
    return advance(p)->v.name;
}

static void enter(parser *p) {
    if (++p->depth > PARSE_MAX_DEPTH)
        syntax_error(p, NULL, "too deeply nested (limit is %d levels)", PARSE_MAX_DEPTH);
}
static void leave(parser *p) { p->depth--; }

#define PUSH(vec, value)                                                                           \
    do {                                                                                           \
        if (!PF_VEC_PUSH(p->a, (vec), PARSE_MAX_ITEMS, (value)))                                   \
            syntax_error(p, NULL, "too many items (limit is %d)", PARSE_MAX_ITEMS);               \
    } while (0)

static ast_expr *new_expr(parser *p, ast_expr_kind k, int32_t line, int32_t col) {
    ast_expr *e = pf_arena_alloc(p->a, sizeof *e);
    e->kind = k;
    e->line = e->op_line = line;
    e->col = e->op_col = col;
    return e;
}
static ast_expr *new_expr_at(parser *p, ast_expr_kind k, const lex_token *t) {
    return new_expr(p, k, t->line, t->col);
}
static ast_stmt *new_stmt(parser *p, ast_stmt_kind k, const lex_token *t) {
    ast_stmt *s = pf_arena_alloc(p->a, sizeof *s);
    s->kind = k;
    s->line = t->line;
    s->col = t->col;
    return s;
}

/* ======================================================================= expressions: Pratt */

/* Binding powers, lowest first (Python's table; `lambda` and `x if c else y` are handled above
 * the Pratt loop by expression()). */
typedef enum prec {
    PREC_NONE,
    PREC_OR,     /* or */
    PREC_AND,    /* and */
    PREC_NOT,    /* not x (prefix) */
    PREC_CMP,    /* in, not in, is, is not, <, <=, >, >=, !=, == (chained, non-associative) */
    PREC_BOR,    /* | */
    PREC_BXOR,   /* ^ */
    PREC_BAND,   /* & */
    PREC_SHIFT,  /* << >> */
    PREC_TERM,   /* + - */
    PREC_FACTOR, /* * @ / // % */
    PREC_UNARY,  /* -x +x ~x (prefix) */
    PREC_POWER,  /* ** (right-associative; its right operand is a unary expression) */
    PREC_POSTFIX /* x.a x[i] x(...) */
} prec;

typedef enum infix_kind { IN_NONE, IN_BINARY, IN_BOOL, IN_CMP, IN_POWER } infix_kind;

typedef struct rule {
    prec prec;
    infix_kind how;
    int op; /* ast_binop / ast_boolop / ast_cmpop */
} rule;

/* ORDER TOKEN: infix rules by token kind; tokens not listed have no infix meaning. `not` is
 * infix only as `not in` (checked in infix_rule). */
static rule infix_rule(parser *p) {
    switch (kind(p)) {
    case TK_KW_OR: return (rule){PREC_OR, IN_BOOL, AST_OR};
    case TK_KW_AND: return (rule){PREC_AND, IN_BOOL, AST_AND};
    case TK_KW_IN: return (rule){PREC_CMP, IN_CMP, AST_IN};
    case TK_KW_NOT:
        if (peek(p, 1)->kind == TK_KW_IN)
            return (rule){PREC_CMP, IN_CMP, AST_NOT_IN};
        return (rule){PREC_NONE, IN_NONE, 0};
    case TK_KW_IS:
        return (rule){PREC_CMP, IN_CMP, peek(p, 1)->kind == TK_KW_NOT ? AST_IS_NOT : AST_IS};
    case TK_LT: return (rule){PREC_CMP, IN_CMP, AST_LT};
    case TK_LE: return (rule){PREC_CMP, IN_CMP, AST_LE};
    case TK_GT: return (rule){PREC_CMP, IN_CMP, AST_GT};
    case TK_GE: return (rule){PREC_CMP, IN_CMP, AST_GE};
    case TK_EQ: return (rule){PREC_CMP, IN_CMP, AST_EQ};
    case TK_NE: return (rule){PREC_CMP, IN_CMP, AST_NE};
    case TK_PIPE: return (rule){PREC_BOR, IN_BINARY, AST_BITOR};
    case TK_CARET: return (rule){PREC_BXOR, IN_BINARY, AST_BITXOR};
    case TK_AMP: return (rule){PREC_BAND, IN_BINARY, AST_BITAND};
    case TK_LSHIFT: return (rule){PREC_SHIFT, IN_BINARY, AST_LSHIFT};
    case TK_RSHIFT: return (rule){PREC_SHIFT, IN_BINARY, AST_RSHIFT};
    case TK_PLUS: return (rule){PREC_TERM, IN_BINARY, AST_ADD};
    case TK_MINUS: return (rule){PREC_TERM, IN_BINARY, AST_SUB};
    case TK_STAR: return (rule){PREC_FACTOR, IN_BINARY, AST_MUL};
    case TK_AT: return (rule){PREC_FACTOR, IN_BINARY, AST_MATMUL};
    case TK_SLASH: return (rule){PREC_FACTOR, IN_BINARY, AST_DIV};
    case TK_DSLASH: return (rule){PREC_FACTOR, IN_BINARY, AST_FLOORDIV};
    case TK_PERCENT: return (rule){PREC_FACTOR, IN_BINARY, AST_MOD};
    case TK_DSTAR: return (rule){PREC_POWER, IN_POWER, AST_POW};
    default: return (rule){PREC_NONE, IN_NONE, 0};
    }
}

/* Tokens that continue an expression as binary operators (`match - x:` is not a match). */
static bool infix_rule_kind(lex_kind k) {
    switch (k) {
    case TK_PLUS: case TK_MINUS: case TK_STAR: case TK_SLASH: case TK_DSLASH: case TK_PERCENT:
    case TK_DSTAR: case TK_AT: case TK_LSHIFT: case TK_RSHIFT: case TK_AMP: case TK_PIPE:
    case TK_CARET: case TK_LT: case TK_GT: case TK_LE: case TK_GE: case TK_EQ: case TK_NE:
    case TK_KW_IN: case TK_KW_IS: case TK_KW_AND: case TK_KW_OR: case TK_KW_IF:
        return true;
    default:
        return false;
    }
}

static ast_expr *expression(parser *p);
static ast_expr *parse_prec(parser *p, prec min);
static ast_expr *star_expressions(parser *p, bool allow_star);
static void comp_fors(parser *p, ast_comp_for_list *fors);
static ast_expr *target_list(parser *p);

static bool starts_expression(lex_kind k) {
    switch (k) {
    case TK_NAME: case TK_INT: case TK_FLOAT: case TK_STRING: case TK_FSTRING_START:
    case TK_LPAREN: case TK_LBRACKET: case TK_LBRACE: case TK_MINUS: case TK_PLUS:
    case TK_TILDE: case TK_KW_NOT: case TK_KW_LAMBDA: case TK_KW_TRUE: case TK_KW_FALSE:
    case TK_KW_NONE: case TK_ELLIPSIS: case TK_STAR: case TK_KW_AWAIT:
        return true;
    default:
        return false;
    }
}

/* Appends text to a growing literal part of an f-string. */
static void fstring_add_text(parser *p, ast_expr *fs, const char *s, int32_t n,
                             const lex_token *t) {
    ast_expr_list *parts = &fs->u.fstring.parts;
    if (n == 0)
        return;
    ast_expr *lit = new_expr_at(p, AST_STR, t);
    lit->u.str.s = s;
    lit->u.str.n = n;
    PUSH(parts, lit);
}

static void fstring_body(parser *p, ast_expr *fs, bool in_spec);

/* Joins each run of adjacent literal parts into one (once, at the end: joining as they come
 * would copy quadratically for many adjacent literals). */
static void merge_literals(parser *p, ast_expr *fs) {
    ast_expr_list *parts = &fs->u.fstring.parts;
    int32_t out = 0;
    for (int32_t i = 0; i < parts->len;) {
        ast_expr *x = parts->items[i];
        int32_t j = i + 1;
        if (x->kind == AST_STR) {
            int64_t total = x->u.str.n;
            while (j < parts->len && parts->items[j]->kind == AST_STR)
                total += parts->items[j++]->u.str.n;
            if (j > i + 1) {
                char *buf = pf_arena_alloc(p->a, (size_t)total + 1), *o = buf;
                for (int32_t k = i; k < j; k++) {
                    memcpy(o, parts->items[k]->u.str.s, (size_t)parts->items[k]->u.str.n);
                    o += parts->items[k]->u.str.n;
                }
                x->u.str.s = buf;
                x->u.str.n = (int32_t)total;
            }
        }
        parts->items[out++] = x;
        i = j;
    }
    parts->len = out;
}

/* field: '{' star_expressions ['='] ['!' NAME] [':' spec] '}' */
static void fstring_field(parser *p, ast_expr *fs) {
    lex_token *lb = expect(p, TK_LBRACE, NULL);
    if (at(p, TK_RBRACE))
        syntax_error(p, NULL, "f-string: valid expression required before '}'");
    enter(p);
    ast_expr *value = star_expressions(p, false);
    leave(p);
    ast_expr *f = new_expr_at(p, AST_FORMAT, lb);
    f->u.format.value = value;
    bool implicit_repr = false;
    if (at(p, TK_ASSIGN)) {
        /* Self-documenting f"{x=}": the expression's text and '=' become literal text, and the
         * value is shown with repr unless a conversion or a spec is given (as Python). */
        lex_token *eq = advance(p);
        const char *from = lb->start + 1, *to = eq->start + 1;
        while (*to == ' ')
            to++;
        fstring_add_text(p, fs, from, (int32_t)(to - from), lb);
        implicit_repr = true;
    }
    if (accept(p, TK_BANG)) {
        lex_token *n = tok(p);
        if (n->kind != TK_NAME || n->len != 1 || !strchr("rsa", n->start[0]))
            syntax_error(p, NULL, "f-string: invalid conversion character: expected 's', 'r', "
                                  "or 'a'");
        f->u.format.conversion = n->start[0];
        implicit_repr = false;
        advance(p);
    }
    if (at(p, TK_COLON)) {
        lex_token *c = advance(p);
        ast_expr *spec = new_expr_at(p, AST_FSTRING, c);
        enter(p);
        fstring_body(p, spec, true);
        leave(p);
        merge_literals(p, spec);
        f->u.format.spec = spec;
        implicit_repr = false;
    }
    if (implicit_repr)
        f->u.format.conversion = 'r';
    if (!at(p, TK_RBRACE)) {
        if (at(p, TK_FSTRING_END) || at(p, TK_NEWLINE) || at(p, TK_EOF))
            syntax_error(p, NULL, "f-string: expecting '}'");
        syntax_error(p, NULL, "f-string: expecting '}', found %s", describe(p));
    }
    advance(p);
    PUSH(&fs->u.fstring.parts, f);
}

/* The pieces of an f-string up to FSTRING_END (or of a spec up to its '}'). */
static void fstring_body(parser *p, ast_expr *fs, bool in_spec) {
    for (;;) {
        if (at(p, TK_FSTRING_MIDDLE)) {
            lex_token *t = advance(p);
            fstring_add_text(p, fs, t->v.str.s, t->v.str.n, t);
        } else if (at(p, TK_LBRACE)) {
            fstring_field(p, fs);
        } else if (in_spec && at(p, TK_RBRACE)) {
            return;
        } else if (!in_spec && at(p, TK_FSTRING_END)) {
            advance(p);
            return;
        } else {
            syntax_error(p, NULL, "f-string: unexpected %s", describe(p));
        }
    }
}

/* strings: (STRING | FSTRING_START ... FSTRING_END)+  -- adjacent literals are joined */
static ast_expr *strings(parser *p) {
    lex_token *first = tok(p);
    bool any_f = false;
    for (int32_t i = p->pos; p->toks[i].kind == TK_STRING || p->toks[i].kind == TK_FSTRING_START;) {
        if (p->toks[i].kind == TK_FSTRING_START) {
            any_f = true;
            break;
        }
        i++;
    }
    if (!any_f) {
        int32_t total = 0, start = p->pos;
        while (at(p, TK_STRING))
            total += advance(p)->v.str.n;
        ast_expr *e = new_expr_at(p, AST_STR, first);
        if (p->pos - start == 1) {
            e->u.str.s = first->v.str.s;
            e->u.str.n = first->v.str.n;
            return e;
        }
        char *buf = pf_arena_alloc(p->a, (size_t)total + 1), *o = buf;
        for (int32_t i = start; i < p->pos; i++) {
            memcpy(o, p->toks[i].v.str.s, (size_t)p->toks[i].v.str.n);
            o += p->toks[i].v.str.n;
        }
        e->u.str.s = buf;
        e->u.str.n = total;
        return e;
    }
    ast_expr *fs = new_expr_at(p, AST_FSTRING, first);
    for (;;) {
        if (at(p, TK_STRING)) {
            lex_token *t = advance(p);
            fstring_add_text(p, fs, t->v.str.s, t->v.str.n, t);
        } else if (at(p, TK_FSTRING_START)) {
            advance(p);
            enter(p);
            fstring_body(p, fs, false);
            leave(p);
        } else {
            break;
        }
    }
    merge_literals(p, fs);
    return fs;
}

/* The kind of thing an expression is, for "cannot assign to ..." messages. */
static const char *expr_what(const ast_expr *e) {
    switch (e->kind) {
    case AST_CALL: return "function call";
    case AST_INT: case AST_FLOAT: case AST_STR: case AST_BOOL: case AST_NONE: case AST_ELLIPSIS:
        return "literal";
    case AST_FSTRING: return "f-string expression";
    case AST_BINARY: case AST_UNARY: return "expression";
    case AST_BOOLOP: return "expression";
    case AST_COMPARE: return "comparison";
    case AST_IFEXP: return "conditional expression";
    case AST_LAMBDA: return "lambda";
    case AST_LISTCOMP: return "list comprehension";
    case AST_SETCOMP: return "set comprehension";
    case AST_DICTCOMP: return "dict comprehension";
    case AST_GENEXP: return "generator expression";
    case AST_DICT: return "dict literal";
    case AST_SET: return "set display";
    default: return "expression";
    }
}

/* Checks that e can be assigned to (NAME, ATTR, SUBSCRIPT, TUPLE/LIST of targets with at most
 * one STARRED). aug: augmented assignment (no tuples); in_seq: e is inside a TUPLE/LIST. */
static void check_target(parser *p, ast_expr *e, bool aug, bool in_seq) {
    switch (e->kind) {
    case AST_NAME:
    case AST_ATTR:
    case AST_SUBSCRIPT:
        return;
    case AST_TUPLE:
    case AST_LIST: {
        if (aug)
            error_at(p, e->line, e->col, NULL, "'%s' is an illegal expression for augmented "
                     "assignment", e->kind == AST_TUPLE ? "tuple" : "list");
        int stars = 0;
        for (int32_t i = 0; i < e->u.seq.elts.len; i++) {
            ast_expr *x = e->u.seq.elts.items[i];
            if (x->kind == AST_STARRED) {
                if (++stars > 1)
                    error_at(p, x->line, x->col, NULL,
                             "multiple starred expressions in assignment");
                check_target(p, x->u.starred.value, false, true);
            } else {
                check_target(p, x, false, true);
            }
        }
        return;
    }
    case AST_STARRED:
        if (!in_seq)
            error_at(p, e->line, e->col, NULL, "starred assignment target must be in a list or "
                     "tuple");
        return;
    default:
        if (aug)
            error_at(p, e->line, e->col, NULL, "'%s' is an illegal expression for augmented "
                     "assignment", expr_what(e));
        error_at(p, e->line, e->col, e->kind == AST_COMPARE ? "perhaps you meant '=='?" : NULL,
                 "cannot assign to %s", expr_what(e));
    }
}

/* call_args: [arg (',' arg)* [',']] ')'
 * arg: expression | NAME '=' expression | '*' expression | expression comp_for (sole) */
static void call_args(parser *p, ast_expr *call) {
    bool seen_kw = false;
    while (!at(p, TK_RPAREN)) {
        lex_token *t = tok(p);
        if (at(p, TK_DSTAR))
            syntax_error(p, "pass the keyword arguments by name",
                         "pf does not support '**' arguments");
        if (at(p, TK_NAME) && peek(p, 1)->kind == TK_ASSIGN) {
            const char *name = advance(p)->v.name;
            advance(p);
            for (int32_t i = 0; i < call->u.call.keywords.len; i++)
                if (call->u.call.keywords.items[i].name == name)
                    error_at(p, t->line, t->col, NULL, "keyword argument repeated: %s", name);
            ast_keyword kw = {name, expression(p), t->line, t->col};
            PUSH(&call->u.call.keywords, kw);
            seen_kw = true;
        } else {
            ast_expr *arg;
            if (at(p, TK_STAR)) {
                advance(p);
                arg = new_expr_at(p, AST_STARRED, t);
                arg->u.starred.value = expression(p);
            } else {
                arg = expression(p);
                if (at(p, TK_ASSIGN))
                    syntax_error(p, "a keyword argument name must be a plain name",
                                 "expression cannot contain assignment, perhaps you meant "
                                 "\"==\"?");
                if (at(p, TK_KW_FOR)) {
                    ast_expr *g = new_expr(p, AST_GENEXP, arg->line, arg->col);
                    g->u.comp.elt = arg;
                    comp_fors(p, &g->u.comp.fors);
                    if (call->u.call.args.len || call->u.call.keywords.len || !at(p, TK_RPAREN))
                        error_at(p, arg->line, arg->col, "put the generator in parentheses",
                                 "generator expression must be parenthesized unless it is the "
                                 "sole argument");
                    arg = g;
                }
            }
            if (seen_kw)
                error_at(p, arg->line, arg->col, NULL,
                         "positional argument follows keyword argument");
            PUSH(&call->u.call.args, arg);
        }
        if (!accept(p, TK_COMMA))
            break;
    }
    if (!at(p, TK_RPAREN)) {
        if (starts_expression(kind(p)))
            syntax_error(p, NULL, "invalid syntax: perhaps you forgot a comma?");
        syntax_error(p, NULL, "expected ')' to close the call, found %s", describe(p));
    }
    advance(p);
}

/* slice: [expression] ':' [expression] [':' [expression]] | expression */
static ast_expr *slice_item(parser *p) {
    lex_token *t = tok(p);
    ast_expr *lo = NULL;
    if (!at(p, TK_COLON)) {
        if (at(p, TK_STAR)) {
            advance(p);
            ast_expr *s = new_expr_at(p, AST_STARRED, t);
            s->u.starred.value = parse_prec(p, PREC_BOR);
            return s;
        }
        lo = expression(p);
        if (!at(p, TK_COLON))
            return lo;
    }
    ast_expr *s = new_expr_at(p, AST_SLICE, t);
    s->u.slice.lo = lo;
    expect(p, TK_COLON, NULL);
    if (!at(p, TK_COLON) && !at(p, TK_RBRACKET) && !at(p, TK_COMMA))
        s->u.slice.hi = expression(p);
    if (accept(p, TK_COLON) && !at(p, TK_RBRACKET) && !at(p, TK_COMMA))
        s->u.slice.step = expression(p);
    return s;
}

/* primary: atom ('.' NAME | '[' slices ']' | '(' call_args ')')* */
static ast_expr *postfix(parser *p, ast_expr *e) {
    for (;;) {
        lex_token *t = tok(p);
        if (accept(p, TK_DOT)) {
            lex_token *n = tok(p);
            const char *name = expect_name(p, "an attribute name after '.'");
            ast_expr *x = new_expr(p, AST_ATTR, e->line, e->col);
            x->op_line = n->line;
            x->op_col = n->col;
            x->u.attr.value = e;
            x->u.attr.name = name;
            e = x;
        } else if (accept(p, TK_LPAREN)) {
            ast_expr *x = new_expr(p, AST_CALL, e->line, e->col);
            x->op_line = t->line;
            x->op_col = t->col;
            x->u.call.func = e;
            enter(p);
            call_args(p, x);
            leave(p);
            e = x;
        } else if (accept(p, TK_LBRACKET)) {
            ast_expr *x = new_expr(p, AST_SUBSCRIPT, e->line, e->col);
            x->op_line = t->line;
            x->op_col = t->col;
            x->u.subscript.value = e;
            enter(p);
            if (at(p, TK_RBRACKET))
                syntax_error(p, NULL, "expected an index or slice inside '[]'");
            ast_expr *idx = slice_item(p);
            if (at(p, TK_COMMA)) {
                ast_expr *tup = new_expr(p, AST_TUPLE, idx->line, idx->col);
                PUSH(&tup->u.seq.elts, idx);
                while (accept(p, TK_COMMA) && !at(p, TK_RBRACKET))
                    PUSH(&tup->u.seq.elts, slice_item(p));
                idx = tup;
            }
            leave(p);
            expect(p, TK_RBRACKET, "to close the subscript");
            x->u.subscript.index = idx;
            e = x;
        } else {
            return e;
        }
    }
}

/* Element of a display: expression or '*' bitwise_or. */
static ast_expr *star_or_expr(parser *p) {
    if (at(p, TK_STAR)) {
        lex_token *t = advance(p);
        ast_expr *s = new_expr_at(p, AST_STARRED, t);
        s->u.starred.value = parse_prec(p, PREC_BOR);
        return s;
    }
    return expression(p);
}

/* '(' ... ')': empty tuple, parenthesized expression, tuple, or generator expression. */
static ast_expr *paren_atom(parser *p) {
    lex_token *lp = advance(p);
    if (accept(p, TK_RPAREN)) {
        ast_expr *e = new_expr_at(p, AST_TUPLE, lp);
        e->u.seq.parenthesized = true;
        return e;
    }
    if (at(p, TK_KW_YIELD))
        syntax_error(p, NULL, "pf does not support generators ('yield')");
    ast_expr *first = star_or_expr(p);
    if (at(p, TK_WALRUS))
        syntax_error(p, "assign the value to a name on its own line first",
                     "pf does not support the ':=' operator");
    if (at(p, TK_KW_FOR)) {
        ast_expr *g = new_expr_at(p, AST_GENEXP, lp);
        g->u.comp.elt = first;
        comp_fors(p, &g->u.comp.fors);
        expect(p, TK_RPAREN, "to close the generator expression");
        return g;
    }
    if (accept(p, TK_RPAREN)) {
        if (first->kind == AST_STARRED)
            error_at(p, first->line, first->col, NULL, "cannot use starred expression here");
        /* A parenthesized expression keeps its own position, except that a tuple records
         * its parentheses. */
        if (first->kind == AST_TUPLE)
            first->u.seq.parenthesized = true;
        return first;
    }
    if (!at(p, TK_COMMA)) {
        if (starts_expression(kind(p)))
            syntax_error(p, NULL, "invalid syntax: perhaps you forgot a comma?");
        syntax_error(p, NULL, "expected ')', found %s", describe(p));
    }
    ast_expr *t = new_expr_at(p, AST_TUPLE, lp);
    t->u.seq.parenthesized = true;
    PUSH(&t->u.seq.elts, first);
    while (accept(p, TK_COMMA) && !at(p, TK_RPAREN))
        PUSH(&t->u.seq.elts, star_or_expr(p));
    if (!at(p, TK_RPAREN)) {
        if (starts_expression(kind(p)))
            syntax_error(p, NULL, "invalid syntax: perhaps you forgot a comma?");
        syntax_error(p, NULL, "expected ')', found %s", describe(p));
    }
    advance(p);
    return t;
}

/* '[' ... ']': list display or list comprehension. */
static ast_expr *list_atom(parser *p) {
    lex_token *lb = advance(p);
    ast_expr *e = new_expr_at(p, AST_LIST, lb);
    if (accept(p, TK_RBRACKET))
        return e;
    ast_expr *first = star_or_expr(p);
    if (at(p, TK_KW_FOR)) {
        e->kind = AST_LISTCOMP;
        e->u.comp.elt = first;
        comp_fors(p, &e->u.comp.fors);
        expect(p, TK_RBRACKET, "to close the list comprehension");
        return e;
    }
    PUSH(&e->u.seq.elts, first);
    while (accept(p, TK_COMMA) && !at(p, TK_RBRACKET))
        PUSH(&e->u.seq.elts, star_or_expr(p));
    if (!at(p, TK_RBRACKET)) {
        if (starts_expression(kind(p)))
            syntax_error(p, NULL, "invalid syntax: perhaps you forgot a comma?");
        syntax_error(p, NULL, "expected ']' to close the list, found %s", describe(p));
    }
    advance(p);
    return e;
}

/* '{' ... '}': dict or set display, dict or set comprehension. */
static ast_expr *brace_atom(parser *p) {
    lex_token *lb = advance(p);
    ast_expr *e = new_expr_at(p, AST_DICT, lb);
    if (accept(p, TK_RBRACE))
        return e;
    if (at(p, TK_DSTAR))
        syntax_error(p, "write d1 | d2 to merge dicts", "pf does not support '**' in dict "
                                                         "displays");
    ast_expr *first = star_or_expr(p);
    if (accept(p, TK_COLON)) {
        if (first->kind == AST_STARRED)
            error_at(p, first->line, first->col, NULL, "cannot use a starred expression in a "
                                                        "dict key");
        ast_expr *v = expression(p);
        if (at(p, TK_KW_FOR)) {
            e->kind = AST_DICTCOMP;
            e->u.comp.key = first;
            e->u.comp.elt = v;
            comp_fors(p, &e->u.comp.fors);
            expect(p, TK_RBRACE, "to close the dict comprehension");
            return e;
        }
        PUSH(&e->u.dict.keys, first);
        PUSH(&e->u.dict.values, v);
        while (accept(p, TK_COMMA) && !at(p, TK_RBRACE)) {
            if (at(p, TK_DSTAR))
                syntax_error(p, "write d1 | d2 to merge dicts",
                             "pf does not support '**' in dict displays");
            ast_expr *k = expression(p);
            expect(p, TK_COLON, "after a dict key");
            PUSH(&e->u.dict.keys, k);
            PUSH(&e->u.dict.values, expression(p));
        }
        if (!at(p, TK_RBRACE)) {
            if (starts_expression(kind(p)))
                syntax_error(p, NULL, "invalid syntax: perhaps you forgot a comma?");
            syntax_error(p, NULL, "expected '}' to close the dict, found %s", describe(p));
        }
        advance(p);
        return e;
    }
    if (at(p, TK_KW_FOR)) {
        e->kind = AST_SETCOMP;
        e->u.comp.elt = first;
        comp_fors(p, &e->u.comp.fors);
        expect(p, TK_RBRACE, "to close the set comprehension");
        return e;
    }
    e->kind = AST_SET;
    memset(&e->u, 0, sizeof e->u);
    PUSH(&e->u.seq.elts, first);
    while (accept(p, TK_COMMA) && !at(p, TK_RBRACE))
        PUSH(&e->u.seq.elts, star_or_expr(p));
    if (!at(p, TK_RBRACE)) {
        if (starts_expression(kind(p)))
            syntax_error(p, NULL, "invalid syntax: perhaps you forgot a comma?");
        syntax_error(p, NULL, "expected '}' to close the set, found %s", describe(p));
    }
    advance(p);
    return e;
}

#define INT64_LIMIT ((uint64_t)1 << 63)

/* atom: NAME | number | strings | True | False | None | '...' | ( ) | [ ] | { } */
static ast_expr *atom(parser *p) {
    lex_token *t = tok(p);
    ast_expr *e;
    switch (t->kind) {
    case TK_NAME:
        advance(p);
        e = new_expr_at(p, AST_NAME, t);
        e->u.name = t->v.name;
        return e;
    case TK_INT:
        advance(p);
        if (t->v.i >= INT64_LIMIT)
            error_at(p, t->line, t->col,
                     "use a float literal (e.g. 1e20) if you need a larger magnitude",
                     "integer literal is too large: pf ints are 64-bit (at most "
                     "9223372036854775807)");
        e = new_expr_at(p, AST_INT, t);
        e->u.int_value = (int64_t)t->v.i;
        return e;
    case TK_FLOAT:
        advance(p);
        e = new_expr_at(p, AST_FLOAT, t);
        e->u.float_value = t->v.f;
        return e;
    case TK_STRING:
    case TK_FSTRING_START:
        return strings(p);
    case TK_KW_TRUE:
    case TK_KW_FALSE:
        advance(p);
        e = new_expr_at(p, AST_BOOL, t);
        e->u.bool_value = t->kind == TK_KW_TRUE;
        return e;
    case TK_KW_NONE:
        advance(p);
        return new_expr_at(p, AST_NONE, t);
    case TK_ELLIPSIS:
        advance(p);
        return new_expr_at(p, AST_ELLIPSIS, t);
    case TK_LPAREN:
        return paren_atom(p);
    case TK_LBRACKET:
        return list_atom(p);
    case TK_LBRACE:
        return brace_atom(p);
    case TK_KW_YIELD:
        syntax_error(p, NULL, "pf does not support generators ('yield')");
    case TK_KW_AWAIT:
    case TK_KW_ASYNC:
        syntax_error(p, NULL, "pf does not support async code: parallelism is automatic");
    case TK_KW_LAMBDA:
        syntax_error(p, "put the lambda in parentheses", "lambda is not allowed here");
    case TK_STAR:
        syntax_error(p, NULL, "cannot use starred expression here");
    case TK_AMP:
    case TK_PIPE:
        if (p->pos > 0 && p->toks[p->pos - 1].kind == t->kind)
            error_at(p, p->toks[p->pos - 1].line, p->toks[p->pos - 1].col,
                     t->kind == TK_AMP ? "pf, like Python, writes 'and'"
                                       : "pf, like Python, writes 'or'",
                     "invalid syntax: '%s'", t->kind == TK_AMP ? "&&" : "||");
        unexpected(p);
    default:
        if (t->kind >= TK_KW_FIRST && t->kind <= TK_KW_LAST)
            syntax_error(p, NULL, "invalid syntax: unexpected keyword %s", lex_kind_name(t->kind));
        if (t->kind == TK_NEWLINE || t->kind == TK_EOF)
            syntax_error(p, NULL, "expected an expression");
        unexpected(p);
    }
}

/* parse_prec(min): prefix_expr (infix_op parse_prec(...))*   while the infix binds >= min */
static ast_expr *parse_prec(parser *p, prec min) {
    enter(p);
    lex_token *t = tok(p);
    ast_expr *left;
    if (at(p, TK_KW_NOT)) {
        if (min > PREC_NOT)
            syntax_error(p, "put 'not ...' in parentheses", "invalid syntax: 'not' is not "
                                                             "allowed here");
        advance(p);
        left = new_expr_at(p, AST_UNARY, t);
        left->u.unary.op = AST_NOT;
        left->u.unary.operand = parse_prec(p, PREC_NOT);
    } else if (at(p, TK_MINUS) || at(p, TK_PLUS) || at(p, TK_TILDE)) {
        advance(p);
        lex_token *n = tok(p);
        lex_kind nk = peek(p, 1)->kind;
        if (t->kind == TK_MINUS && n->kind == TK_INT && n->v.i == INT64_LIMIT &&
            nk != TK_DSTAR && nk != TK_DOT && nk != TK_LBRACKET && nk != TK_LPAREN) {
            /* -9223372036854775808: the one literal whose magnitude needs the minus. */
            advance(p);
            left = new_expr_at(p, AST_INT, t);
            left->u.int_value = INT64_MIN;
        } else {
            left = new_expr_at(p, AST_UNARY, t);
            left->u.unary.op = t->kind == TK_MINUS ? AST_NEG : t->kind == TK_PLUS ? AST_POS
                                                                                   : AST_INVERT;
            left->u.unary.operand = parse_prec(p, PREC_UNARY);
        }
    } else if (at(p, TK_KW_AWAIT)) {
        syntax_error(p, NULL, "pf does not support async code: parallelism is automatic");
    } else {
        left = postfix(p, atom(p));
    }
    for (;;) {
        rule r = infix_rule(p);
        if (r.how == IN_NONE || r.prec < min)
            break;
        lex_token *op = tok(p);
        if (r.how == IN_BOOL) {
            ast_expr *b = new_expr(p, AST_BOOLOP, left->line, left->col);
            b->op_line = op->line;
            b->op_col = op->col;
            b->u.boolop.op = (ast_boolop)r.op;
            PUSH(&b->u.boolop.values, left);
            lex_kind k = kind(p);
            while (accept(p, k))
                PUSH(&b->u.boolop.values, parse_prec(p, (prec)(r.prec + 1)));
            left = b;
        } else if (r.how == IN_CMP) {
            ast_expr *c = new_expr(p, AST_COMPARE, left->line, left->col);
            c->op_line = op->line;
            c->op_col = op->col;
            c->u.compare.left = left;
            int32_t cap = 0;
            for (;;) {
                rule cr = infix_rule(p);
                if (cr.how != IN_CMP)
                    break;
                if (at(p, TK_KW_NOT) || (at(p, TK_KW_IS) && cr.op == AST_IS_NOT))
                    advance(p);
                advance(p);
                if (c->u.compare.n == cap) {
                    if (cap >= PARSE_MAX_ITEMS)
                        syntax_error(p, NULL, "too many chained comparisons");
                    int32_t ncap = cap ? cap * 2 : 4;
                    ast_cmpop *ops = pf_arena_alloc(p->a, sizeof *ops * (size_t)ncap);
                    ast_expr **cmps = pf_arena_alloc(p->a, sizeof *cmps * (size_t)ncap);
                    if (cap) {
                        memcpy(ops, c->u.compare.ops, sizeof *ops * (size_t)cap);
                        memcpy(cmps, c->u.compare.comparators, sizeof *cmps * (size_t)cap);
                    }
                    c->u.compare.ops = ops;
                    c->u.compare.comparators = cmps;
                    cap = ncap;
                }
                c->u.compare.ops[c->u.compare.n] = (ast_cmpop)cr.op;
                c->u.compare.comparators[c->u.compare.n] = parse_prec(p, PREC_BOR);
                c->u.compare.n++;
            }
            left = c;
        } else {
            advance(p);
            ast_expr *b = new_expr(p, AST_BINARY, left->line, left->col);
            b->op_line = op->line;
            b->op_col = op->col;
            b->u.binary.op = (ast_binop)r.op;
            b->u.binary.left = left;
            /* Left-associative operators parse their right operand one level tighter; ** is
             * right-associative and takes a unary expression on its right. */
            b->u.binary.right =
                parse_prec(p, r.how == IN_POWER ? PREC_UNARY : (prec)(r.prec + 1));
            left = b;
        }
    }
    leave(p);
    return left;
}

/* lambda_params: [param (',' param)*]  where param: NAME ['=' expression] */
static void params(parser *p, ast_param_list *out, bool annotations, lex_kind close);

/* expression: lambda | disjunction ['if' disjunction 'else' expression] */
static ast_expr *expression(parser *p) {
    enter(p);
    lex_token *t = tok(p);
    ast_expr *e;
    if (accept(p, TK_KW_LAMBDA)) {
        e = new_expr_at(p, AST_LAMBDA, t);
        params(p, &e->u.lambda.params, false, TK_COLON);
        expect(p, TK_COLON, "after the lambda's parameters");
        int32_t saved_loop = p->loop_depth;
        e->u.lambda.body = expression(p);
        p->loop_depth = saved_loop;
    } else {
        e = parse_prec(p, PREC_OR);
        if (at(p, TK_KW_IF)) {
            lex_token *ift = advance(p);
            ast_expr *x = new_expr(p, AST_IFEXP, e->line, e->col);
            x->op_line = ift->line;
            x->op_col = ift->col;
            x->u.ifexp.body = e;
            x->u.ifexp.test = parse_prec(p, PREC_OR);
            if (!at(p, TK_KW_ELSE))
                syntax_error(p, NULL, "expected 'else' after 'if' expression");
            advance(p);
            x->u.ifexp.orelse = expression(p);
            e = x;
        }
    }
    if (at(p, TK_WALRUS))
        syntax_error(p, "assign the value to a name on its own line first",
                     "pf does not support the ':=' operator");
    leave(p);
    return e;
}

/* star_expressions: (expression | '*' bitwise_or) (',' ...)* [','] -- a tuple if there is a
 * comma. With allow_star false a starred item is an error. */
static ast_expr *star_expressions(parser *p, bool allow_star) {
    lex_token *t = tok(p);
    ast_expr *first = allow_star ? star_or_expr(p) : expression(p);
    if (!at(p, TK_COMMA)) {
        if (first->kind == AST_STARRED)
            error_at(p, first->line, first->col, NULL, "cannot use starred expression here");
        return first;
    }
    ast_expr *tup = new_expr_at(p, AST_TUPLE, t);
    PUSH(&tup->u.seq.elts, first);
    while (accept(p, TK_COMMA) && starts_expression(kind(p)))
        PUSH(&tup->u.seq.elts, allow_star ? star_or_expr(p) : expression(p));
    return tup;
}

/* target_list: target (',' target)* [','] where target: ['*'] bitwise_or  (stops before 'in') */
static ast_expr *target_list(parser *p) {
    lex_token *t = tok(p);
    ast_expr *first;
    if (at(p, TK_STAR)) {
        advance(p);
        first = new_expr_at(p, AST_STARRED, t);
        first->u.starred.value = parse_prec(p, PREC_BOR);
    } else {
        first = parse_prec(p, PREC_BOR);
    }
    if (!at(p, TK_COMMA)) {
        check_target(p, first, false, false);
        return first;
    }
    ast_expr *tup = new_expr_at(p, AST_TUPLE, t);
    PUSH(&tup->u.seq.elts, first);
    while (accept(p, TK_COMMA) && !at(p, TK_KW_IN)) {
        lex_token *st = tok(p);
        if (accept(p, TK_STAR)) {
            ast_expr *s = new_expr_at(p, AST_STARRED, st);
            s->u.starred.value = parse_prec(p, PREC_BOR);
            PUSH(&tup->u.seq.elts, s);
        } else {
            PUSH(&tup->u.seq.elts, parse_prec(p, PREC_BOR));
        }
    }
    check_target(p, tup, false, false);
    return tup;
}

/* comp_for: ('for' target_list 'in' disjunction ('if' disjunction)*)+ */
static void comp_fors(parser *p, ast_comp_for_list *fors) {
    enter(p);
    while (at(p, TK_KW_FOR)) {
        lex_token *f = advance(p);
        ast_comp_for cf = {0};
        cf.line = f->line;
        cf.col = f->col;
        cf.target = target_list(p);
        expect(p, TK_KW_IN, "in comprehension 'for'");
        cf.iter = parse_prec(p, PREC_OR);
        while (accept(p, TK_KW_IF))
            PUSH(&cf.ifs, parse_prec(p, PREC_OR));
        PUSH(fors, cf);
    }
    if (at(p, TK_KW_ASYNC))
        syntax_error(p, NULL, "pf does not support async code: parallelism is automatic");
    leave(p);
}

/* params: [param (',' param)* [',']]   param: NAME [':' expression] ['=' expression]
 * (annotations only when `annotations`; `*`, `*args`, `**kw`, `/` are rejected) */
static void params(parser *p, ast_param_list *out, bool annotations, lex_kind close) {
    bool seen_default = false;
    while (!at(p, close)) {
        lex_token *t = tok(p);
        if (at(p, TK_STAR) || at(p, TK_DSTAR))
            syntax_error(p, "pass a tuple or list argument instead",
                         "pf does not support '*args' or '**kwargs' parameters");
        if (at(p, TK_SLASH))
            syntax_error(p, NULL, "pf does not support positional-only parameters ('/')");
        const char *name = expect_name(p, "a parameter name");
        for (int32_t i = 0; i < out->len; i++)
            if (out->items[i].name == name)
                error_at(p, t->line, t->col, NULL,
                         "duplicate argument '%s' in function definition", name);
        ast_param prm = {name, NULL, NULL, t->line, t->col};
        if (annotations && accept(p, TK_COLON))
            prm.annotation = expression(p);
        if (accept(p, TK_ASSIGN)) {
            prm.default_ = expression(p);
            seen_default = true;
        } else if (seen_default) {
            error_at(p, t->line, t->col, NULL, "non-default argument follows default argument");
        }
        PUSH(out, prm);
        if (!accept(p, TK_COMMA))
            break;
    }
}

/* ============================================================================= statements */

static void statement(parser *p, ast_stmt_list *out);
static void block(parser *p, ast_stmt_list *out, const lex_token *header, const char *what);

/* Skips to the start of the next statement at this block level: past the NEWLINE that ends
 * the broken line, and past an indented block that follows it (the body of a broken header). */
static void sync(parser *p) {
    int32_t depth = 0;
    while (!at(p, TK_EOF)) {
        lex_kind k = kind(p);
        if (k == TK_INDENT) {
            depth++;
        } else if (k == TK_DEDENT) {
            if (depth == 0)
                return; /* end of the enclosing block: let it close */
            depth--;
            if (depth == 0) {
                advance(p);
                /* The broken header's other clauses (else, elif, except, finally) go too. */
                if (at(p, TK_KW_ELSE) || at(p, TK_KW_ELIF) || at(p, TK_KW_EXCEPT) ||
                    at(p, TK_KW_FINALLY))
                    continue;
                return;
            }
        } else if (k == TK_NEWLINE && depth == 0) {
            advance(p);
            if (at(p, TK_INDENT))
                continue; /* the broken line was a header: skip its body too */
            return;
        }
        advance(p);
    }
}

/* Parses one statement with error recovery: on a syntax error, nothing is appended and the
 * parser resumes at the next statement. */
static void statement_protected(parser *p, ast_stmt_list *out) {
    jmp_buf jb;
    jmp_buf *saved = p->recover;
    int32_t depth = p->depth, fdepth = p->func_depth, ldepth = p->loop_depth, start = p->pos;
    int32_t len = out->len;
    p->recover = &jb;
    if (setjmp(jb)) {
        p->recover = saved;
        p->depth = depth;
        p->func_depth = fdepth;
        p->loop_depth = ldepth;
        out->len = len; /* drop half-parsed simple statements of the broken line */
        if (p->pos == start && !at(p, TK_EOF) && !at(p, TK_NEWLINE) && !at(p, TK_DEDENT))
            advance(p); /* always make progress */
        sync(p);
        return;
    }
    statement(p, out);
    p->recover = saved;
}

static const char *docstring_of(ast_stmt_list *body) {
    if (body->len && body->items[0]->kind == AST_EXPR_STMT &&
        body->items[0]->u.expr->kind == AST_STR)
        return body->items[0]->u.expr->u.str.s;
    return NULL;
}

/* block: simple_stmts | NEWLINE INDENT statement+ DEDENT */
static void block(parser *p, ast_stmt_list *out, const lex_token *header, const char *what) {
    enter(p);
    if (!at(p, TK_NEWLINE)) {
        /* One-line body: `if x: return 1` (simple statements only, as Python) */
        if (at(p, TK_EOF))
            syntax_error(p, NULL, "expected an indented block after %s on line %d", what,
                         header->line);
        switch (kind(p)) {
        case TK_KW_DEF: case TK_KW_CLASS: case TK_KW_IF: case TK_KW_WHILE: case TK_KW_FOR:
        case TK_KW_TRY: case TK_KW_WITH: case TK_AT:
            syntax_error(p, "start a new line and indent it",
                         "invalid syntax: %s cannot follow ':' on the same line",
                         lex_kind_name(kind(p)));
        default:
            if (at(p, TK_NAME) && peek(p, 1)->kind == TK_KW_DEF)
                syntax_error(p, "start a new line", "invalid syntax: unexpected %s",
                             describe(p));
            break;
        }
        statement_protected(p, out);
        leave(p);
        return;
    }
    advance(p);
    if (!at(p, TK_INDENT)) {
        if (at(p, TK_EOF))
            p->d->incomplete = true;
        error_at(p, tok(p)->line, tok(p)->col, NULL, "expected an indented block after %s on "
                 "line %d", what, header->line);
    }
    advance(p);
    while (!at(p, TK_DEDENT) && !at(p, TK_EOF))
        statement_protected(p, out);
    accept(p, TK_DEDENT);
    leave(p);
}

/* The block after a header: ':' block */
static void colon_block(parser *p, ast_stmt_list *out, const lex_token *header, const char *what) {
    if (!at(p, TK_COLON)) {
        if (header->kind == TK_KW_ELSE && at(p, TK_KW_IF))
            syntax_error(p, "write 'elif' instead of 'else if'", "expected ':'");
        syntax_error(p, NULL, "expected ':'");
    }
    advance(p);
    block(p, out, header, what);
}

/* decorators: ('@' expression NEWLINE)+ */
static void decorators(parser *p, ast_expr_list *out) {
    while (accept(p, TK_AT)) {
        PUSH(out, expression(p));
        expect(p, TK_NEWLINE, "after a decorator");
    }
}

/* def: 'def' NAME '(' params ')' ['->' expression] ':' block */
static ast_stmt *def_stmt(parser *p, ast_expr_list decos) {
    lex_token *t = advance(p);
    ast_stmt *s = new_stmt(p, AST_DEF, t);
    s->u.def.decorators = decos;
    s->u.def.name = expect_name(p, "a function name after 'def'");
    expect(p, TK_LPAREN, "after the function name");
    params(p, &s->u.def.params, true, TK_RPAREN);
    if (!at(p, TK_RPAREN))
        syntax_error(p, NULL, "expected ')' after the parameters, found %s", describe(p));
    advance(p);
    if (accept(p, TK_ARROW))
        s->u.def.returns = expression(p);
    int32_t saved_loop = p->loop_depth;
    p->func_depth++;
    p->loop_depth = 0;
    colon_block(p, &s->u.def.body, t, "function definition");
    p->func_depth--;
    p->loop_depth = saved_loop;
    s->u.def.docstring = docstring_of(&s->u.def.body);
    return s;
}

/* extern: 'extern' 'def' NAME '(' params ')' '->' expression ['from' STRING] NEWLINE  (pf-only) */
static ast_stmt *extern_stmt(parser *p) {
    lex_token *t = advance(p); /* the name `extern` */
    advance(p);                /* def */
    ast_stmt *s = new_stmt(p, AST_EXTERN, t);
    s->u.def.name = expect_name(p, "a function name after 'extern def'");
    expect(p, TK_LPAREN, "after the function name");
    params(p, &s->u.def.params, true, TK_RPAREN);
    if (!at(p, TK_RPAREN))
        syntax_error(p, NULL, "expected ')' after the parameters, found %s", describe(p));
    advance(p);
    for (int32_t i = 0; i < s->u.def.params.len; i++) {
        ast_param *prm = &s->u.def.params.items[i];
        if (!prm->annotation)
            error_at(p, prm->line, prm->col, "e.g. `extern def cos(x: float) -> float`",
                     "extern def needs a type for parameter '%s'", prm->name);
        if (prm->default_)
            error_at(p, prm->line, prm->col, NULL,
                     "extern def parameters cannot have default values");
    }
    if (!accept(p, TK_ARROW))
        syntax_error(p, "e.g. `extern def cos(x: float) -> float`",
                     "extern def needs a return type ('-> T')");
    s->u.def.returns = expression(p);
    if (accept(p, TK_KW_FROM)) {
        if (!at(p, TK_STRING))
            syntax_error(p, NULL, "expected a library name string after 'from'");
        s->u.def.lib = advance(p)->v.str.s;
    }
    if (at(p, TK_COLON))
        syntax_error(p, NULL, "extern def has no body");
    expect(p, TK_NEWLINE, "after extern def");
    return s;
}

/* class: 'class' NAME ['(' [expression (',' expression)*] ')'] ':' block */
static ast_stmt *class_stmt(parser *p, ast_expr_list decos) {
    lex_token *t = advance(p);
    ast_stmt *s = new_stmt(p, AST_CLASS, t);
    s->u.class_.decorators = decos;
    s->u.class_.name = expect_name(p, "a class name after 'class'");
    if (accept(p, TK_LPAREN)) {
        while (!at(p, TK_RPAREN)) {
            if (at(p, TK_NAME) && peek(p, 1)->kind == TK_ASSIGN)
                syntax_error(p, NULL, "pf does not support class keyword arguments");
            PUSH(&s->u.class_.bases, expression(p));
            if (!accept(p, TK_COMMA))
                break;
        }
        expect(p, TK_RPAREN, "after the base classes");
    }
    int32_t saved_f = p->func_depth, saved_l = p->loop_depth;
    p->func_depth = 0; /* `return` directly in a class body is outside a function */
    p->loop_depth = 0;
    colon_block(p, &s->u.class_.body, t, "class definition");
    p->func_depth = saved_f;
    p->loop_depth = saved_l;
    return s;
}

/* if: 'if' expression ':' block ('elif' expression ':' block)* ['else' ':' block] */
static ast_stmt *if_stmt(parser *p) {
    lex_token *t = advance(p);
    ast_stmt *s = new_stmt(p, AST_IF, t);
    s->u.if_.is_elif = t->kind == TK_KW_ELIF;
    s->u.if_.test = expression(p);
    if (at(p, TK_ASSIGN))
        syntax_error(p, NULL, "invalid syntax: '=' in a condition; perhaps you meant '=='?");
    colon_block(p, &s->u.if_.body, t, t->kind == TK_KW_ELIF ? "'elif' statement"
                                                             : "'if' statement");
    if (at(p, TK_KW_ELIF)) {
        ast_stmt *elif = if_stmt(p);
        PUSH(&s->u.if_.orelse, elif);
    } else if (at(p, TK_KW_ELSE)) {
        lex_token *e = advance(p);
        colon_block(p, &s->u.if_.orelse, e, "'else' statement");
    }
    return s;
}

static void else_clause(parser *p, ast_stmt_list *orelse) {
    if (at(p, TK_KW_ELSE)) {
        lex_token *e = advance(p);
        colon_block(p, orelse, e, "'else' statement");
    }
}

/* while: 'while' expression ':' block ['else' ':' block] */
static ast_stmt *while_stmt(parser *p) {
    lex_token *t = advance(p);
    ast_stmt *s = new_stmt(p, AST_WHILE, t);
    s->u.while_.test = expression(p);
    if (at(p, TK_ASSIGN))
        syntax_error(p, NULL, "invalid syntax: '=' in a condition; perhaps you meant '=='?");
    p->loop_depth++;
    colon_block(p, &s->u.while_.body, t, "'while' statement");
    p->loop_depth--;
    else_clause(p, &s->u.while_.orelse);
    return s;
}

/* for: 'for' target_list 'in' star_expressions ':' block ['else' ':' block] */
static ast_stmt *for_stmt(parser *p) {
    lex_token *t = advance(p);
    ast_stmt *s = new_stmt(p, AST_FOR, t);
    s->u.for_.target = target_list(p);
    expect(p, TK_KW_IN, "after the 'for' target");
    s->u.for_.iter = star_expressions(p, true);
    p->loop_depth++;
    colon_block(p, &s->u.for_.body, t, "'for' statement");
    p->loop_depth--;
    else_clause(p, &s->u.for_.orelse);
    return s;
}

/* try: 'try' ':' block (except_clause)+ ['else' ':' block] ['finally' ':' block]
 *    | 'try' ':' block 'finally' ':' block
 * except_clause: 'except' [expression ['as' NAME]] ':' block */
static ast_stmt *try_stmt(parser *p) {
    lex_token *t = advance(p);
    ast_stmt *s = new_stmt(p, AST_TRY, t);
    colon_block(p, &s->u.try_.body, t, "'try' statement");
    bool bare_seen = false;
    while (at(p, TK_KW_EXCEPT)) {
        lex_token *e = advance(p);
        if (bare_seen)
            error_at(p, e->line, e->col, NULL, "default 'except:' must be last");
        if (at(p, TK_STAR))
            syntax_error(p, NULL, "pf does not support 'except*'");
        ast_handler h = {0};
        h.line = e->line;
        h.col = e->col;
        if (!at(p, TK_COLON)) {
            h.type = expression(p);
            if (at(p, TK_COMMA))
                syntax_error(p, "write except (A, B):",
                             "multiple exception types must be parenthesized");
            if (accept(p, TK_KW_AS))
                h.name = expect_name(p, "a name after 'as'");
        } else {
            bare_seen = true;
        }
        colon_block(p, &h.body, e, "'except' statement");
        PUSH(&s->u.try_.handlers, h);
    }
    if (at(p, TK_KW_ELSE)) {
        lex_token *e = tok(p);
        if (!s->u.try_.handlers.len)
            syntax_error(p, NULL, "'else' after 'try' needs an 'except' clause first");
        advance(p);
        colon_block(p, &s->u.try_.orelse, e, "'else' statement");
    }
    bool has_finally = at(p, TK_KW_FINALLY);
    if (has_finally) {
        lex_token *f = advance(p);
        colon_block(p, &s->u.try_.finalbody, f, "'finally' statement");
    }
    if (!s->u.try_.handlers.len && !has_finally)
        syntax_error(p, NULL, "expected 'except' or 'finally' block");
    return s;
}

/* dotted_name: NAME ('.' NAME)* */
static const char *dotted_name(parser *p) {
    lex_token *first = tok(p);
    expect_name(p, "a module name");
    const char *end = first->start + first->len;
    while (at(p, TK_DOT)) {
        advance(p);
        lex_token *n = tok(p);
        expect_name(p, "a name after '.'");
        end = n->start + n->len;
    }
    /* Rebuild without any spaces around the dots. */
    char *buf = pf_arena_alloc(p->a, (size_t)(end - first->start) + 1), *o = buf;
    for (const char *c = first->start; c < end; c++)
        if (*c != ' ' && *c != '\t' && *c != '\\' && *c != '\n' && *c != '\r')
            *o++ = *c;
    return pf_intern(p->a, buf, (size_t)(o - buf));
}

/* import: 'import' dotted_name ['as' NAME] (',' dotted_name ['as' NAME])* */
static ast_stmt *import_stmt(parser *p) {
    lex_token *t = advance(p);
    ast_stmt *s = new_stmt(p, AST_IMPORT, t);
    do {
        lex_token *n = tok(p);
        ast_alias al = {dotted_name(p), NULL, n->line, n->col};
        if (accept(p, TK_KW_AS))
            al.asname = expect_name(p, "a name after 'as'");
        PUSH(&s->u.import.names, al);
    } while (accept(p, TK_COMMA));
    return s;
}

/* from_import: 'from' ('.'* dotted_name | '.'+) 'import' ('(' names [','] ')' | names)
 * names: NAME ['as' NAME] (',' NAME ['as' NAME])* */
static ast_stmt *from_stmt(parser *p) {
    lex_token *t = advance(p);
    ast_stmt *s = new_stmt(p, AST_FROM_IMPORT, t);
    for (;;) {
        if (accept(p, TK_DOT))
            s->u.from_import.level++;
        else if (accept(p, TK_ELLIPSIS))
            s->u.from_import.level += 3;
        else
            break;
    }
    if (at(p, TK_NAME))
        s->u.from_import.module = dotted_name(p);
    else if (!s->u.from_import.level)
        syntax_error(p, NULL, "expected a module name after 'from'");
    expect(p, TK_KW_IMPORT, "after the module name");
    if (at(p, TK_STAR))
        syntax_error(p, "name the imported names: from m import a, b",
                     "pf does not support 'import *'");
    bool paren = accept(p, TK_LPAREN);
    do {
        if (paren && at(p, TK_RPAREN))
            break;
        lex_token *n = tok(p);
        ast_alias al = {expect_name(p, "a name to import"), NULL, n->line, n->col};
        if (accept(p, TK_KW_AS))
            al.asname = expect_name(p, "a name after 'as'");
        PUSH(&s->u.from_import.names, al);
        if (!paren && at(p, TK_COMMA) && peek(p, 1)->kind == TK_NEWLINE) {
            advance(p);
            syntax_error(p, "put the names in parentheses to allow a trailing comma",
                         "trailing comma not allowed without surrounding parentheses");
        }
    } while (accept(p, TK_COMMA));
    if (paren)
        expect(p, TK_RPAREN, "to close the import list");
    else if (at(p, TK_COMMA))
        syntax_error(p, NULL, "trailing comma not allowed without surrounding parentheses");
    return s;
}

static bool is_augassign(lex_kind k, ast_binop *op) {
    switch (k) {
    case TK_PLUS_ASSIGN: *op = AST_ADD; return true;
    case TK_MINUS_ASSIGN: *op = AST_SUB; return true;
    case TK_STAR_ASSIGN: *op = AST_MUL; return true;
    case TK_SLASH_ASSIGN: *op = AST_DIV; return true;
    case TK_DSLASH_ASSIGN: *op = AST_FLOORDIV; return true;
    case TK_PERCENT_ASSIGN: *op = AST_MOD; return true;
    case TK_DSTAR_ASSIGN: *op = AST_POW; return true;
    case TK_LSHIFT_ASSIGN: *op = AST_LSHIFT; return true;
    case TK_RSHIFT_ASSIGN: *op = AST_RSHIFT; return true;
    case TK_AMP_ASSIGN: *op = AST_BITAND; return true;
    case TK_PIPE_ASSIGN: *op = AST_BITOR; return true;
    case TK_CARET_ASSIGN: *op = AST_BITXOR; return true;
    case TK_AT_ASSIGN: *op = AST_MATMUL; return true;
    default: return false;
    }
}

/* expr_stmt: star_expressions ('=' star_expressions)*       assignment / expression statement
 *          | target augassign star_expressions
 *          | target ':' expression ['=' star_expressions]   annotated assignment */
static ast_stmt *expr_stmt(parser *p) {
    lex_token *t = tok(p);
    ast_expr *first = star_expressions(p, true);
    ast_binop op;
    if (at(p, TK_COLON)) {
        if (first->kind != AST_NAME && first->kind != AST_ATTR && first->kind != AST_SUBSCRIPT)
            error_at(p, first->line, first->col, NULL, "only single target (not %s) can be "
                     "annotated", first->kind == AST_TUPLE ? "tuple" : expr_what(first));
        advance(p);
        ast_stmt *s = new_stmt(p, AST_ANNASSIGN, t);
        s->u.annassign.target = first;
        s->u.annassign.annotation = expression(p);
        if (accept(p, TK_ASSIGN))
            s->u.annassign.value = star_expressions(p, true);
        return s;
    }
    if (is_augassign(kind(p), &op)) {
        check_target(p, first, true, false);
        advance(p);
        ast_stmt *s = new_stmt(p, AST_AUGASSIGN, t);
        s->u.augassign.target = first;
        s->u.augassign.op = op;
        if (at(p, TK_KW_YIELD))
            syntax_error(p, NULL, "pf does not support generators ('yield')");
        s->u.augassign.value = star_expressions(p, true);
        return s;
    }
    if (at(p, TK_ASSIGN)) {
        ast_stmt *s = new_stmt(p, AST_ASSIGN, t);
        ast_expr *value = first;
        while (accept(p, TK_ASSIGN)) {
            check_target(p, value, false, false);
            PUSH(&s->u.assign.targets, value);
            if (at(p, TK_KW_YIELD))
                syntax_error(p, NULL, "pf does not support generators ('yield')");
            value = star_expressions(p, true);
        }
        s->u.assign.value = value;
        return s;
    }
    if (at(p, TK_WALRUS))
        syntax_error(p, "write `name = value`", "pf does not support the ':=' operator");
    if (first->kind == AST_STARRED)
        error_at(p, first->line, first->col, NULL, "cannot use starred expression here");
    ast_stmt *s = new_stmt(p, AST_EXPR_STMT, t);
    s->u.expr = first;
    return s;
}

/* simple_stmt: pass | break | continue | return | raise | global | nonlocal | del | assert
 *            | import | from_import | expr_stmt */
static ast_stmt *simple_stmt(parser *p) {
    lex_token *t = tok(p);
    ast_stmt *s;
    switch (t->kind) {
    case TK_KW_PASS:
        advance(p);
        return new_stmt(p, AST_PASS, t);
    case TK_KW_BREAK:
    case TK_KW_CONTINUE:
        if (p->loop_depth == 0)
            syntax_error(p, NULL, "'%s' outside loop", t->kind == TK_KW_BREAK ? "break"
                                                                              : "continue");
        advance(p);
        return new_stmt(p, t->kind == TK_KW_BREAK ? AST_BREAK : AST_CONTINUE, t);
    case TK_KW_RETURN:
        if (p->func_depth == 0)
            syntax_error(p, NULL, "'return' outside function");
        advance(p);
        s = new_stmt(p, AST_RETURN, t);
        if (starts_expression(kind(p)))
            s->u.return_.value = star_expressions(p, true);
        return s;
    case TK_KW_RAISE:
        advance(p);
        s = new_stmt(p, AST_RAISE, t);
        if (starts_expression(kind(p))) {
            s->u.raise_.exc = expression(p);
            if (accept(p, TK_KW_FROM))
                s->u.raise_.cause = expression(p);
        }
        return s;
    case TK_KW_GLOBAL:
    case TK_KW_NONLOCAL:
        advance(p);
        s = new_stmt(p, t->kind == TK_KW_GLOBAL ? AST_GLOBAL : AST_NONLOCAL, t);
        do {
            const char *n = expect_name(p, "a name");
            PUSH(&s->u.names, n);
        } while (accept(p, TK_COMMA));
        return s;
    case TK_KW_DEL:
        advance(p);
        s = new_stmt(p, AST_DEL, t);
        do {
            ast_expr *e = parse_prec(p, PREC_BOR);
            check_target(p, e, false, false);
            PUSH(&s->u.del_.targets, e);
        } while (accept(p, TK_COMMA) && starts_expression(kind(p)));
        return s;
    case TK_KW_ASSERT:
        advance(p);
        s = new_stmt(p, AST_ASSERT, t);
        s->u.assert_.test = expression(p);
        if (accept(p, TK_COMMA))
            s->u.assert_.msg = expression(p);
        return s;
    case TK_KW_IMPORT:
        return import_stmt(p);
    case TK_KW_FROM:
        return from_stmt(p);
    case TK_KW_YIELD:
        syntax_error(p, NULL, "pf does not support generators ('yield')");
    default:
        return expr_stmt(p);
    }
}

/* simple_stmts: simple_stmt (';' simple_stmt)* [';'] NEWLINE */
static void simple_stmts(parser *p, ast_stmt_list *out) {
    for (;;) {
        ast_stmt *s = simple_stmt(p);
        PUSH(out, s);
        if (!accept(p, TK_SEMI))
            break;
        if (at(p, TK_NEWLINE))
            break;
    }
    if (!at(p, TK_NEWLINE)) {
        if (at(p, TK_EOF))
            return;
        ast_stmt *last = out->items[out->len - 1];
        if (last->kind == AST_EXPR_STMT && last->u.expr->kind == AST_NAME &&
            strcmp(last->u.expr->u.name, "print") == 0 && starts_expression(kind(p)))
            syntax_error(p, "write print(...)", "missing parentheses in call to 'print'");
        if (at(p, TK_ASSIGN))
            syntax_error(p, NULL, "invalid syntax: cannot assign here");
        if (starts_expression(kind(p)) && kind(p) != TK_LPAREN && kind(p) != TK_LBRACKET)
            syntax_error(p, NULL, "invalid syntax: unexpected %s (perhaps a missing operator "
                                  "or comma?)", describe(p));
        unexpected(p);
    }
    advance(p);
}

/* `match` is a soft keyword: `match subject:` starts a match statement when the logical line
 * ends with ':' and the next token cannot continue an expression statement on `match`. */
static bool is_match_statement(parser *p) {
    lex_kind next = peek(p, 1)->kind;
    if (next == TK_ASSIGN || next == TK_DOT || next == TK_COLON || next == TK_NEWLINE ||
        next == TK_COMMA || infix_rule_kind(next))
        return false;
    int32_t i = p->pos + 1;
    while (i < p->ntoks && p->toks[i].kind != TK_NEWLINE && p->toks[i].kind != TK_EOF)
        i++;
    return i < p->ntoks && p->toks[i - 1].kind == TK_COLON;
}

/* statement: compound_stmt | simple_stmts
 * compound_stmt: def | class | if | for | while | try | extern | decorators (def | class) */
static void statement(parser *p, ast_stmt_list *out) {
    lex_token *t = tok(p);
    ast_expr_list decos = {0};
    switch (t->kind) {
    case TK_AT:
        decorators(p, &decos);
        if (at(p, TK_KW_DEF))
            PUSH(out, def_stmt(p, decos));
        else if (at(p, TK_KW_CLASS))
            PUSH(out, class_stmt(p, decos));
        else if (at(p, TK_KW_ASYNC))
            syntax_error(p, NULL, "pf does not support async code: parallelism is automatic");
        else
            syntax_error(p, NULL, "expected 'def' or 'class' after a decorator");
        return;
    case TK_KW_DEF:
        PUSH(out, def_stmt(p, decos));
        return;
    case TK_KW_CLASS:
        PUSH(out, class_stmt(p, decos));
        return;
    case TK_KW_IF:
        PUSH(out, if_stmt(p));
        return;
    case TK_KW_WHILE:
        PUSH(out, while_stmt(p));
        return;
    case TK_KW_FOR:
        PUSH(out, for_stmt(p));
        return;
    case TK_KW_TRY:
        PUSH(out, try_stmt(p));
        return;
    case TK_KW_ELIF:
    case TK_KW_ELSE:
    case TK_KW_EXCEPT:
    case TK_KW_FINALLY:
        syntax_error(p, NULL, "%s without a matching '%s' before it", lex_kind_name(t->kind),
                     t->kind == TK_KW_EXCEPT || t->kind == TK_KW_FINALLY ? "try" : "if");
    case TK_KW_WITH:
        syntax_error(p, NULL, "pf does not support 'with' statements");
    case TK_KW_ASYNC:
    case TK_KW_AWAIT:
        syntax_error(p, NULL, "pf does not support async code: parallelism is automatic");
    case TK_INDENT:
        syntax_error(p, NULL, "unexpected indent");
    case TK_NAME:
        if (peek(p, 1)->kind == TK_KW_DEF && strcmp(t->v.name, "extern") == 0) {
            PUSH(out, extern_stmt(p));
            return;
        }
        if (strcmp(t->v.name, "match") == 0 && is_match_statement(p))
            syntax_error(p, "use an if/elif chain", "pf does not support 'match' statements");
        break;
    default:
        break;
    }
    simple_stmts(p, out);
}

/* Lexer errors are reported before the parser's; print them all in source order. Each error
 * moves together with the notes that follow it; the sort is stable. */
static void sort_diags(pf_diags *d, int32_t from) {
    int32_t n = d->len - from;
    if (n < 2)
        return;
    pf_diag *tmp = pf_arena_alloc(d->arena, sizeof *tmp * (size_t)n);
    int32_t *group_start = pf_arena_alloc(d->arena, sizeof(int32_t) * (size_t)(n + 1));
    int32_t ng = 0;
    for (int32_t i = from; i < d->len; i++)
        if (i == from || d->items[i].sev == PF_SEV_ERROR)
            group_start[ng++] = i;
    group_start[ng] = d->len;
    int32_t *order = pf_arena_alloc(d->arena, sizeof(int32_t) * (size_t)ng);
    for (int32_t g = 0; g < ng; g++) {
        const pf_diag *x = &d->items[group_start[g]];
        int32_t j = g;
        while (j > 0) {
            const pf_diag *y = &d->items[group_start[order[j - 1]]];
            if (y->line < x->line || (y->line == x->line && y->col <= x->col))
                break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = g;
    }
    int32_t k = 0;
    for (int32_t g = 0; g < ng; g++)
        for (int32_t i = group_start[order[g]]; i < group_start[order[g] + 1]; i++)
            tmp[k++] = d->items[i];
    memcpy(d->items + from, tmp, sizeof *tmp * (size_t)n);
}

/* file: (NEWLINE | statement)* EOF */
ast_module *parse_module(pf_arena *a, pf_diags *d, const pf_source *src) {
    int32_t first_diag = d->len;
    lex_token_list toks = lex_source(a, d, src);
    parser p = {.a = a, .d = d, .src = src, .toks = toks.items, .ntoks = toks.len};
    ast_module *m = pf_arena_alloc(a, sizeof *m);
    m->src = src;
    jmp_buf all;
    p.abort_all = &all;
    if (!setjmp(all)) {
        while (!at(&p, TK_EOF)) {
            if (accept(&p, TK_NEWLINE))
                continue;
            if (at(&p, TK_DEDENT)) { /* only after lexer errors */
                advance(&p);
                continue;
            }
            statement_protected(&p, &m->body);
        }
    }
    m->docstring = docstring_of(&m->body);
    sort_diags(d, first_diag);
    if (pf_diags_has_errors(d))
        return NULL;
    return m;
}
