/* The compiler's shared base and the lexer: the per-compilation arena, interned names, source
 * files with their line table, the diagnostics list (the only way the compiler reports errors),
 * and the tokenizer that turns a pf_source into tokens (INDENT/DEDENT, f-strings, numbers).
 * Every later layer (parser, ir, codegen, driver) includes this header. */
#ifndef PF_LEXER_H
#define PF_LEXER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ===================================================================================== arena
 * One zeroed bump arena per compilation: tokens, AST, types and IR all live in it and are freed
 * at once by pf_arena_free. Allocations are 16-byte aligned and zero-filled. On malloc failure
 * the arena calls abort() (the only process-ending call in the compiler: there is no way to
 * report "out of memory" through an allocator that itself has none left).
 * The arena also owns the intern table: pf_intern returns one canonical pointer per distinct
 * string, so later passes compare names with `==`. */
typedef struct pf_arena_chunk pf_arena_chunk;
typedef struct pf_intern_table pf_intern_table;
typedef struct pf_arena {
    pf_arena_chunk *head;     /* newest chunk first */
    size_t total;             /* bytes handed out, for statistics and limits */
    pf_intern_table *interns; /* created on first pf_intern */
} pf_arena;

void pf_arena_init(pf_arena *a);
void pf_arena_free(pf_arena *a); /* frees every allocation and the intern table; a is reusable */
void *pf_arena_alloc(pf_arena *a, size_t size);                  /* zeroed */
char *pf_arena_strdup(pf_arena *a, const char *s);               /* NUL-terminated copy */
char *pf_arena_strndup(pf_arena *a, const char *s, size_t len);  /* copies len bytes, adds NUL */
char *pf_arena_sprintf(pf_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *pf_arena_vsprintf(pf_arena *a, const char *fmt, va_list ap);
/* Interned, NUL-terminated copy of s[0..len): equal strings give the identical pointer. */
const char *pf_intern(pf_arena *a, const char *s, size_t len);
const char *pf_intern_cstr(pf_arena *a, const char *s);

/* Growable arrays in the arena. Declare with a named struct of {T *items; int32_t len, cap;}
 * (e.g. `typedef struct { ast_expr **items; int32_t len, cap; } ast_expr_list;`).
 * PF_VEC_PUSH(arena, vec, limit, value) appends value and evaluates to true, or evaluates to
 * false (and leaves vec unchanged) when the array already holds `limit` items: the caller then
 * reports "too many X (limit is N)". Growth doubles; old storage stays in the arena. */
bool pf_arena_grow(pf_arena *a, void **items, int32_t *cap, size_t elem_size, int32_t need,
                   int32_t limit);
#define PF_VEC_PUSH(arena, vec, limit, value)                                                     \
    (((vec)->len < (vec)->cap ||                                                                   \
      pf_arena_grow((arena), (void **)&(vec)->items, &(vec)->cap, sizeof *(vec)->items,            \
                    (vec)->len + 1, (limit)))                                                      \
         ? ((vec)->items[(vec)->len++] = (value), true)                                            \
         : false)

/* ==================================================================================== source
 * A source file: its name as given by the user (printed in diagnostics) and its whole text,
 * copied into the arena and NUL-terminated. Lines and columns are 1-based everywhere; a column
 * counts UTF-8 code points (a tab is one column), so carets line up under non-ASCII text. */
typedef struct pf_source {
    const char *name;     /* file name for diagnostics, e.g. "examples/nearest.pf" or "<repl>" */
    const char *text;     /* whole text, NUL-terminated (may contain other NULs: lexer rejects) */
    int32_t len;          /* bytes in text, excluding the final NUL */
    int32_t *line_starts; /* byte offset of the start of each line; line_starts[0] == 0 */
    int32_t nlines;       /* entries in line_starts */
} pf_source;

/* Limit on one source file: 64 MiB keeps every offset in an int32_t. */
#define PF_SOURCE_MAX_BYTES (64 * 1024 * 1024)

/* Copies text[0..len) into the arena. Returns NULL only if len > PF_SOURCE_MAX_BYTES. */
pf_source *pf_source_new(pf_arena *a, const char *name, const char *text, size_t len);
/* Reads a whole file. Returns NULL and sets *err to an errno value (EFBIG if too large) on
 * failure; the caller reports it (the driver as a one-line error, the IR for an import). */
pf_source *pf_source_from_file(pf_arena *a, const char *path, int *err);
/* The text of line `line` (1-based) without its newline; *len receives its length in bytes.
 * Returns NULL for a line number outside the file. */
const char *pf_source_line(const pf_source *src, int32_t line, int32_t *len);

/* =============================================================================== diagnostics
 * Every compile-time problem is appended to a pf_diags list; nothing in the compiler prints or
 * exits. The driver (or REPL, or libpf) prints the list with pf_diags_print:
 *
 *     f.pf:3:5: error: cannot mutate a list: lists are immutable
 *         xs.append(v)
 *         ^
 *     hint: pf values are immutable; write `xs = xs + [v]`
 *     f.pf:1:1: note: xs is defined here
 *     ...
 *
 * A note belongs to the error before it (e.g. "the other type comes from here"). A hint is an
 * optional one-line suggestion attached to one diagnostic (pf_diag_hint). src may be NULL for an
 * error without a position (then it prints `pfc: error: message`); line 0 means "whole file"
 * (prints `file: error: message` with no source line). */
typedef enum pf_severity { PF_SEV_ERROR = 1, PF_SEV_NOTE } pf_severity;

typedef struct pf_diag {
    pf_severity sev;
    const pf_source *src; /* file the position refers to; NULL: no position */
    int32_t line, col;    /* 1-based; col 0 = no caret */
    const char *msg;      /* arena string, no trailing newline */
    const char *hint;     /* arena string or NULL */
} pf_diag;

/* After this many errors in one compilation further errors are counted but not stored, and the
 * parser stops recovering: a cascade of 1000 errors helps nobody. */
#define PF_DIAGS_MAX_ERRORS 50

typedef struct pf_diags {
    pf_arena *arena;    /* where messages are allocated */
    pf_diag *items;     /* stored diagnostics in report order */
    int32_t len, cap;
    int32_t nerrors;    /* errors reported (including ones beyond the storage limit) */
    bool incomplete;    /* an error was caused by the input ending early (unclosed bracket or
                           string, missing block): the REPL reads another line and retries */
} pf_diags;

void pf_diags_init(pf_diags *d, pf_arena *a);
/* Append an error / note. Returns the stored diagnostic (to attach a hint), or NULL if it was
 * dropped because of PF_DIAGS_MAX_ERRORS. */
pf_diag *pf_diag_error(pf_diags *d, const pf_source *src, int32_t line, int32_t col,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
pf_diag *pf_diag_note(pf_diags *d, const pf_source *src, int32_t line, int32_t col,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
pf_diag *pf_diag_verror(pf_diags *d, pf_severity sev, const pf_source *src, int32_t line,
                        int32_t col, const char *fmt, va_list ap);
/* Attach a hint line to diag (which may be NULL: then nothing happens). */
void pf_diag_hint(pf_diags *d, pf_diag *diag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline bool pf_diags_has_errors(const pf_diags *d) { return d->nerrors > 0; }
/* Prints every diagnostic as shown above, then "N more errors not shown" if some were dropped. */
void pf_diags_print(const pf_diags *d, FILE *out);

/* ==================================================================================== tokens
 * ORDER TOKEN: the X-macro below is the single list of token kinds; lex_kind_name and the
 * parser's Pratt table (parser/parser.c `rules[]`) are indexed by it. Keywords are contiguous
 * (TK_KW_FIRST..TK_KW_LAST) and spelled as Python spells them. `extern` is NOT a keyword (so
 * Python programs may use it as a name): the parser treats NAME "extern" before `def` specially.
 *
 * INDENT / DEDENT / NEWLINE (as Python's tokenizer): NEWLINE ends every logical line; blank and
 * comment-only lines produce nothing; inside (), [], {} newlines are ignored (implicit joining),
 * and a backslash before a newline joins lines explicitly. When a logical line starts deeper
 * than the enclosing block: one INDENT; shallower: one DEDENT per closed block (the column must
 * equal an enclosing block's, else "unindent does not match any outer indentation level").
 * At end of file: NEWLINE if the last line lacked one, then DEDENTs down to column 0, then EOF.
 * Mixing tabs and spaces so that the meaning depends on the tab width is an error.
 *
 *     if x:\n    y = 1\n    if z:\n        w\nv\n
 *  -> IF NAME(x) COLON NEWLINE INDENT NAME(y) EQ INT(1) NEWLINE IF NAME(z) COLON NEWLINE
 *     INDENT NAME(w) NEWLINE DEDENT DEDENT NAME(v) NEWLINE EOF
 *
 * f-strings (as Python 3.12's tokenizer): FSTRING_START, then literal pieces (FSTRING_MIDDLE,
 * with `{{`/`}}` and escapes decoded) and replacement fields `{` expr [`!` NAME] [`:` spec] `}`
 * whose tokens are ordinary tokens (LBRACE ... RBRACE); a format spec is again a sequence of
 * FSTRING_MIDDLE pieces and nested fields; FSTRING_END closes. As in Python 3.11, a string inside
 * a field must use another quote than the f-string itself (its own quote ends the f-string).
 * Newlines inside a field are allowed only in a triple-quoted f-string, ignored as in brackets.
 *
 *     f"a{x!r:>{w}}b"
 *  -> FSTRING_START(f") FSTRING_MIDDLE("a") LBRACE NAME(x) BANG NAME(r) COLON FSTRING_MIDDLE(">")
 *     LBRACE NAME(w) RBRACE RBRACE FSTRING_MIDDLE("b") FSTRING_END(")
 */
#define PF_TOKENS(X)                                                                              \
    X(EOF, "end of file")                                                                          \
    X(NEWLINE, "newline")                                                                          \
    X(INDENT, "indent")                                                                            \
    X(DEDENT, "dedent")                                                                            \
    X(NAME, "name")                                                                                \
    X(INT, "integer")                                                                              \
    X(FLOAT, "float")                                                                              \
    X(STRING, "string")                                                                            \
    X(FSTRING_START, "f-string")                                                                   \
    X(FSTRING_MIDDLE, "f-string text")                                                             \
    X(FSTRING_END, "end of f-string")                                                              \
    X(LPAREN, "'('")                                                                               \
    X(RPAREN, "')'")                                                                               \
    X(LBRACKET, "'['")                                                                             \
    X(RBRACKET, "']'")                                                                             \
    X(LBRACE, "'{'")                                                                               \
    X(RBRACE, "'}'")                                                                               \
    X(COMMA, "','")                                                                                \
    X(COLON, "':'")                                                                                \
    X(SEMI, "';'")                                                                                 \
    X(DOT, "'.'")                                                                                  \
    X(ELLIPSIS, "'...'")                                                                           \
    X(ARROW, "'->'")                                                                               \
    X(AT, "'@'")                                                                                   \
    X(BANG, "'!'")                                                                                 \
    X(WALRUS, "':='")                                                                              \
    X(ASSIGN, "'='")                                                                               \
    X(PLUS, "'+'")                                                                                 \
    X(MINUS, "'-'")                                                                                \
    X(STAR, "'*'")                                                                                 \
    X(SLASH, "'/'")                                                                                \
    X(DSLASH, "'//'")                                                                              \
    X(PERCENT, "'%'")                                                                              \
    X(DSTAR, "'**'")                                                                               \
    X(LSHIFT, "'<<'")                                                                              \
    X(RSHIFT, "'>>'")                                                                              \
    X(AMP, "'&'")                                                                                  \
    X(PIPE, "'|'")                                                                                 \
    X(CARET, "'^'")                                                                                \
    X(TILDE, "'~'")                                                                                \
    X(LT, "'<'")                                                                                   \
    X(GT, "'>'")                                                                                   \
    X(LE, "'<='")                                                                                  \
    X(GE, "'>='")                                                                                  \
    X(EQ, "'=='")                                                                                  \
    X(NE, "'!='")                                                                                  \
    X(PLUS_ASSIGN, "'+='")                                                                         \
    X(MINUS_ASSIGN, "'-='")                                                                        \
    X(STAR_ASSIGN, "'*='")                                                                         \
    X(SLASH_ASSIGN, "'/='")                                                                        \
    X(DSLASH_ASSIGN, "'//='")                                                                      \
    X(PERCENT_ASSIGN, "'%='")                                                                      \
    X(DSTAR_ASSIGN, "'**='")                                                                       \
    X(LSHIFT_ASSIGN, "'<<='")                                                                      \
    X(RSHIFT_ASSIGN, "'>>='")                                                                      \
    X(AMP_ASSIGN, "'&='")                                                                          \
    X(PIPE_ASSIGN, "'|='")                                                                         \
    X(CARET_ASSIGN, "'^='")                                                                        \
    X(AT_ASSIGN, "'@='")                                                                           \
    X(KW_FALSE, "'False'")                                                                         \
    X(KW_NONE, "'None'")                                                                           \
    X(KW_TRUE, "'True'")                                                                           \
    X(KW_AND, "'and'")                                                                             \
    X(KW_AS, "'as'")                                                                               \
    X(KW_ASSERT, "'assert'")                                                                       \
    X(KW_ASYNC, "'async'")                                                                         \
    X(KW_AWAIT, "'await'")                                                                         \
    X(KW_BREAK, "'break'")                                                                         \
    X(KW_CLASS, "'class'")                                                                         \
    X(KW_CONTINUE, "'continue'")                                                                   \
    X(KW_DEF, "'def'")                                                                             \
    X(KW_DEL, "'del'")                                                                             \
    X(KW_ELIF, "'elif'")                                                                           \
    X(KW_ELSE, "'else'")                                                                           \
    X(KW_EXCEPT, "'except'")                                                                       \
    X(KW_FINALLY, "'finally'")                                                                     \
    X(KW_FOR, "'for'")                                                                             \
    X(KW_FROM, "'from'")                                                                           \
    X(KW_GLOBAL, "'global'")                                                                       \
    X(KW_IF, "'if'")                                                                               \
    X(KW_IMPORT, "'import'")                                                                       \
    X(KW_IN, "'in'")                                                                               \
    X(KW_IS, "'is'")                                                                               \
    X(KW_LAMBDA, "'lambda'")                                                                       \
    X(KW_NONLOCAL, "'nonlocal'")                                                                   \
    X(KW_NOT, "'not'")                                                                             \
    X(KW_OR, "'or'")                                                                               \
    X(KW_PASS, "'pass'")                                                                           \
    X(KW_RAISE, "'raise'")                                                                         \
    X(KW_RETURN, "'return'")                                                                       \
    X(KW_TRY, "'try'")                                                                             \
    X(KW_WHILE, "'while'")                                                                         \
    X(KW_WITH, "'with'")                                                                           \
    X(KW_YIELD, "'yield'")

typedef enum lex_kind {
#define PF_TOKEN_ENUM(name, text) TK_##name,
    PF_TOKENS(PF_TOKEN_ENUM)
#undef PF_TOKEN_ENUM
    TK__COUNT,
    TK_KW_FIRST = TK_KW_FALSE,
    TK_KW_LAST = TK_KW_YIELD,
} lex_kind;

typedef struct lex_token {
    lex_kind kind;
    const char *start; /* first byte in the source text (tokens copy nothing) */
    int32_t len;       /* bytes; 0 for NEWLINE at EOF, INDENT, DEDENT, EOF */
    int32_t line, col; /* 1-based position of the first byte */
    union {
        uint64_t i;      /* INT: the value; 0..2^63 (2^63 only valid under unary minus) */
        double f;        /* FLOAT */
        const char *name; /* NAME: interned (pf_intern), compare with == */
        struct {
            const char *s; /* STRING, FSTRING_MIDDLE: decoded UTF-8 text (arena, NUL-terminated) */
            int32_t n;     /* its length in bytes (may contain NUL bytes from "\0") */
        } str;
    } v;
} lex_token;

typedef struct lex_token_list {
    lex_token *items; /* ends with exactly one TK_EOF */
    int32_t len, cap;
} lex_token_list;

/* Limits (named so errors can cite them): nesting of indentation blocks, of brackets, and of
 * f-strings inside f-string fields. Deeper nesting is a compile error, never a crash. */
#define LEX_MAX_INDENT   100
#define LEX_MAX_PARENS   200
#define LEX_MAX_FSTRINGS 32
#define LEX_MAX_TOKENS   (16 * 1024 * 1024)

/* Tokenizes the whole source. Always returns a list ending in TK_EOF (after an error the lexer
 * skips the bad character or line and continues, so several errors can be reported); errors go
 * to diags. Token texts point into src->text. */
lex_token_list lex_source(pf_arena *a, pf_diags *d, const pf_source *src);

/* "'+'", "name", "'def'", ... for messages. */
const char *lex_kind_name(lex_kind k);
/* The source spelling of an operator or keyword token kind ("+", "def"), NULL for others. */
const char *lex_kind_spelling(lex_kind k);

#endif
