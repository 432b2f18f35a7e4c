/* The pf syntax tree: what the parser produces and name resolution / type inference (ir/) read.
 * Plain tagged unions allocated in the compilation's arena; every node carries the 1-based
 * line and column of its first token. The tree is Python's ast module, trimmed to pf (DESIGN.md
 * §1) plus `extern def`. Constructs pf rejects on meaning (global, nonlocal, del, mutation
 * through subscript/attribute targets, starred call arguments) are still parsed, so ir/ can
 * reject them with a hint; constructs pf never has (yield, with, async, match, `:=`, `*args`
 * and `**kw` parameters, `**` arguments, bytes and complex literals) are rejected by the
 * parser. Decorators are parsed (ir/ decides what to do with them). */
#ifndef PF_AST_H
#define PF_AST_H

#include "lexer/lexer.h"

typedef struct ast_expr ast_expr;
typedef struct ast_stmt ast_stmt;

/* Arrays, grown with PF_VEC_PUSH. */
typedef struct ast_expr_list { ast_expr **items; int32_t len, cap; } ast_expr_list;
typedef struct ast_stmt_list { ast_stmt **items; int32_t len, cap; } ast_stmt_list;

/* ============================================================================== operators */
typedef enum ast_binop {
    AST_ADD = 1, AST_SUB, AST_MUL, AST_DIV, AST_FLOORDIV, AST_MOD, AST_POW, AST_MATMUL,
    AST_LSHIFT, AST_RSHIFT, AST_BITOR, AST_BITXOR, AST_BITAND,
} ast_binop;

typedef enum ast_unop {
    AST_NEG = 1, /* -x */
    AST_POS,     /* +x */
    AST_INVERT,  /* ~x */
    AST_NOT,     /* not x */
} ast_unop;

typedef enum ast_boolop { AST_AND = 1, AST_OR } ast_boolop;

typedef enum ast_cmpop {
    AST_EQ = 1, AST_NE, AST_LT, AST_LE, AST_GT, AST_GE, AST_IN, AST_NOT_IN, AST_IS, AST_IS_NOT,
} ast_cmpop;

/* Python spelling of each operator ("+", "not in", ...), for messages and the dump. */
const char *ast_binop_str(ast_binop op);
const char *ast_unop_str(ast_unop op);
const char *ast_boolop_str(ast_boolop op);
const char *ast_cmpop_str(ast_cmpop op);

/* ============================================================================ expressions */
typedef enum ast_expr_kind {
    AST_INT = 1,  /* int_value: an int64 literal (already range-checked; `-9223372036854775808`
                     is folded into one INT node) */
    AST_FLOAT,    /* float_value */
    AST_STR,      /* str: decoded text; adjacent literals "a" "b" are joined into one node */
    AST_FSTRING,  /* fstring.parts: each part is an AST_STR (literal text) or AST_FORMAT; adjacent
                     literals, f-strings included, are joined ("a" f"{x}" -> one FSTRING) */
    AST_FORMAT,   /* format: one replacement field {value!conv:spec} of an f-string; Python's
                     f"{x=}" is parsed as the literal part "x=" then a FORMAT of x with
                     conversion 'r' (no conversion when a spec is given, as Python) */
    AST_BOOL,     /* bool_value: True / False */
    AST_NONE,     /* None */
    AST_ELLIPSIS, /* ... */
    AST_NAME,     /* name: interned identifier (compare with ==) */
    AST_TUPLE,    /* elts: (a, b), a, b, (); parenthesized flag says whether it had parens */
    AST_LIST,     /* elts: [a, b] */
    AST_SET,      /* elts: {a, b} (never empty: {} is a DICT) */
    AST_DICT,     /* dict.keys / dict.values (same length): {k: v, ...}; `**d` entries are a
                     syntax error */
    AST_LISTCOMP, /* comp: [elt for ... if ...] */
    AST_SETCOMP,  /* comp: {elt for ...} */
    AST_DICTCOMP, /* comp: {key: elt for ...} (comp.key is the key, comp.elt the value) */
    AST_GENEXP,   /* comp: (elt for ...), or the sole argument of a call: f(elt for ...) */
    AST_SUBSCRIPT, /* subscript: value[index]; index may be an AST_SLICE or a TUPLE of them */
    AST_SLICE,    /* slice: lo:hi:step, each may be NULL; only as a subscript index */
    AST_ATTR,     /* attr: value.name */
    AST_CALL,     /* call: func(args..., name=value...); positional args may be AST_STARRED */
    AST_UNARY,    /* unary: op operand */
    AST_BINARY,   /* binary: left op right (arithmetic and bitwise, not comparisons) */
    AST_BOOLOP,   /* boolop: values[0] op values[1] op ...; `a and b and c` is one node with 3
                     values; `a and b or c` is OR(AND(a, b), c) */
    AST_COMPARE,  /* compare: left ops[0] comparators[0] ops[1] comparators[1] ...; `a < b < c`
                     is one node meaning (a < b) and (b < c) with b evaluated once */
    AST_IFEXP,    /* ifexp: body if test else orelse */
    AST_LAMBDA,   /* lambda: lambda params: body (params have no annotations) */
    AST_STARRED,  /* starred: *value, in an assignment/for target or a display/call argument */
} ast_expr_kind;

typedef struct ast_param {
    const char *name;     /* interned */
    ast_expr *annotation; /* `x: T`, or NULL; always NULL in a lambda */
    ast_expr *default_;   /* `x=1`, or NULL; once one param has a default, all later ones do */
    int32_t line, col;
} ast_param;
typedef struct ast_param_list { ast_param *items; int32_t len, cap; } ast_param_list;

typedef struct ast_keyword {
    const char *name; /* interned keyword-argument name */
    ast_expr *value;
    int32_t line, col; /* of the name */
} ast_keyword;
typedef struct ast_keyword_list { ast_keyword *items; int32_t len, cap; } ast_keyword_list;

/* One `for target in iter if cond if cond` clause of a comprehension. */
typedef struct ast_comp_for {
    ast_expr *target; /* NAME, TUPLE/LIST of targets (possibly STARRED inside) */
    ast_expr *iter;
    ast_expr_list ifs; /* conditions, all must hold; may be empty */
    int32_t line, col; /* of the `for` keyword */
} ast_comp_for;
typedef struct ast_comp_for_list { ast_comp_for *items; int32_t len, cap; } ast_comp_for_list;

struct ast_expr {
    ast_expr_kind kind;
    int32_t line, col; /* first token of the expression (for a BINARY: its left operand; for
                          a CALL/ATTR/SUBSCRIPT: the start of the callee/value) */
    int32_t op_line, op_col; /* BINARY/COMPARE/BOOLOP: the (first) operator; CALL: the '(';
                                SUBSCRIPT: the '['; ATTR: the attribute name; others: = line/col */
    void *aux; /* NULL after parsing; free for later passes to hang their data on */
    union {
        int64_t int_value;
        double float_value;
        bool bool_value;
        struct { const char *s; int32_t n; } str; /* arena, NUL-terminated, n bytes */
        const char *name;
        struct { ast_expr_list parts; } fstring;
        struct {
            ast_expr *value;
            char conversion; /* 0, 'r', 's' or 'a' (from !r, !s, !a) */
            ast_expr *spec;  /* NULL, or an AST_FSTRING (spec text with nested fields); a
                                literal-only spec is an FSTRING with one STR part */
        } format;
        struct {
            ast_expr_list elts;
            bool parenthesized; /* TUPLE only: written with parentheses */
        } seq;                  /* TUPLE, LIST, SET */
        struct { ast_expr_list keys, values; } dict;
        struct {
            ast_expr *elt; /* element; for DICTCOMP the value */
            ast_expr *key; /* DICTCOMP only: the key */
            ast_comp_for_list fors; /* at least one; nested left to right, as Python */
        } comp;
        struct { ast_expr *value, *index; } subscript;
        struct { ast_expr *lo, *hi, *step; } slice;
        struct { ast_expr *value; const char *name; /* interned */ } attr;
        struct {
            ast_expr *func;
            ast_expr_list args;        /* positional, in order */
            ast_keyword_list keywords; /* after the positional ones */
        } call;
        struct { ast_unop op; ast_expr *operand; } unary;
        struct { ast_binop op; ast_expr *left, *right; } binary;
        struct { ast_boolop op; ast_expr_list values; /* >= 2 */ } boolop;
        struct {
            ast_expr *left;
            ast_cmpop *ops;         /* n entries */
            ast_expr **comparators; /* n entries */
            int32_t n;              /* >= 1 */
        } compare;
        struct { ast_expr *test, *body, *orelse; } ifexp;
        struct { ast_param_list params; ast_expr *body; } lambda;
        struct { ast_expr *value; } starred;
    } u;
};

/* ============================================================================= statements */
typedef enum ast_stmt_kind {
    AST_EXPR_STMT = 1, /* expr: an expression evaluated for its effect (docstrings included) */
    AST_ASSIGN,     /* assign: targets[0] = targets[1] = ... = value; each target is a NAME,
                       TUPLE/LIST of targets (one may be STARRED), SUBSCRIPT or ATTR */
    AST_AUGASSIGN,  /* augassign: target op= value (target NAME, SUBSCRIPT or ATTR) */
    AST_ANNASSIGN,  /* annassign: target: annotation [= value] (value may be NULL) */
    AST_DEF,        /* def: function definition (also methods inside a CLASS body) */
    AST_EXTERN,     /* def: `extern def name(params) -> T [from "lib.so"]` (pf-only); body empty,
                       every param and the result annotated (parser enforces), lib may be NULL */
    AST_CLASS,      /* class: class name(bases): body */
    AST_IF,         /* if_: if test: body [else: orelse]; `elif` is an orelse holding exactly one
                       AST_IF whose is_elif is true */
    AST_FOR,        /* for_: for target in iter: body [else: orelse] */
    AST_WHILE,      /* while_: while test: body [else: orelse] */
    AST_BREAK,
    AST_CONTINUE,
    AST_PASS,
    AST_RETURN,     /* return_.value may be NULL; `return a, b` is a TUPLE */
    AST_ASSERT,     /* assert_: assert test [, msg] (msg may be NULL) */
    AST_IMPORT,     /* import: import a.b [as c], d */
    AST_FROM_IMPORT, /* from_import: from [.]a.b import x [as y], z   (`import *` is an error) */
    AST_TRY,        /* try_: try: body; handlers; [else: orelse]; [finally: finalbody] */
    AST_RAISE,      /* raise_: raise [exc [from cause]] */
    AST_GLOBAL,     /* names: global a, b (ir rejects) */
    AST_NONLOCAL,   /* names: nonlocal a, b (ir rejects) */
    AST_DEL,        /* del_: del targets (ir rejects: values are immutable) */
} ast_stmt_kind;

typedef struct ast_name_list { const char **items; int32_t len, cap; } ast_name_list;

typedef struct ast_alias {
    const char *name;   /* interned; for `import a.b` the dotted name "a.b" (interned) */
    const char *asname; /* interned, or NULL */
    int32_t line, col;
} ast_alias;
typedef struct ast_alias_list { ast_alias *items; int32_t len, cap; } ast_alias_list;

typedef struct ast_handler {
    ast_expr *type;   /* `except E:` / `except (E1, E2):` (a TUPLE), or NULL for bare `except:` */
    const char *name; /* `except E as name:` (interned), or NULL */
    ast_stmt_list body;
    int32_t line, col; /* of `except` */
} ast_handler;
typedef struct ast_handler_list { ast_handler *items; int32_t len, cap; } ast_handler_list;

struct ast_stmt {
    ast_stmt_kind kind;
    int32_t line, col; /* first token of the statement */
    void *aux;         /* NULL after parsing; free for later passes */
    union {
        ast_expr *expr;
        struct { ast_expr_list targets; ast_expr *value; } assign;
        struct { ast_expr *target; ast_binop op; ast_expr *value; } augassign;
        struct { ast_expr *target, *annotation, *value; } annassign;
        struct {
            const char *name;          /* interned */
            ast_param_list params;     /* for a method, params[0] is `self` */
            ast_expr *returns;         /* `-> T`, or NULL */
            ast_stmt_list body;        /* empty for EXTERN */
            ast_expr_list decorators;  /* `@d` lines above the def, outermost first (ir
                                          rejects or ignores them) */
            const char *lib;           /* EXTERN only: `from "libm.so.6"` (decoded), or NULL */
            const char *docstring;     /* first statement's string literal, or NULL (it also
                                          stays in body as an EXPR_STMT) */
        } def;
        struct {
            const char *name;          /* interned */
            ast_expr_list bases;       /* `class C(B):` -> [B]; empty without parentheses */
            ast_stmt_list body;
            ast_expr_list decorators;
        } class_;
        struct {
            ast_expr *test;
            ast_stmt_list body, orelse;
            bool is_elif; /* this IF was written `elif` (it is the sole stmt of its parent's orelse) */
        } if_;
        struct { ast_expr *target, *iter; ast_stmt_list body, orelse; } for_;
        struct { ast_expr *test; ast_stmt_list body, orelse; } while_;
        struct { ast_expr *value; } return_;
        struct { ast_expr *test, *msg; } assert_;
        struct { ast_alias_list names; } import;
        struct {
            const char *module; /* dotted name, interned; NULL for `from . import x` */
            int32_t level;      /* leading dots: 0 for absolute imports */
            ast_alias_list names;
        } from_import;
        struct {
            ast_stmt_list body;
            ast_handler_list handlers;
            ast_stmt_list orelse, finalbody;
        } try_;
        struct { ast_expr *exc, *cause; } raise_;
        ast_name_list names;
        struct { ast_expr_list targets; } del_;
    } u;
};

/* A parsed file. */
typedef struct ast_module {
    const pf_source *src; /* the file, for diagnostics */
    ast_stmt_list body;
    const char *docstring; /* module docstring or NULL (it also stays in body) */
} ast_module;

#endif
