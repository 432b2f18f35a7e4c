/* The compiler's shared base (lexer/lexer.h): the per-compilation bump arena and its intern
 * table, source files with their line table, and the diagnostics list with its printer (the one
 * place where compile errors are turned into text). */
#include "lexer/lexer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ===================================================================================== arena */

/* Chunks hold many small allocations; a request larger than a quarter chunk gets its own. */
#define CHUNK_SIZE (64 * 1024)
#define ALIGN      16

struct pf_arena_chunk {
    pf_arena_chunk *next;
    size_t size, used; /* bytes of data[] */
    _Alignas(ALIGN) unsigned char data[];
};

struct pf_intern_table {
    const char **slots; /* open addressing, linear probing; NULL = empty */
    size_t cap, count;  /* cap is a power of two; count <= cap / 2 */
};

void pf_arena_init(pf_arena *a) { memset(a, 0, sizeof *a); }

void pf_arena_free(pf_arena *a) {
    pf_arena_chunk *c = a->head;
    while (c) {
        pf_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    if (a->interns) {
        free(a->interns->slots);
        free(a->interns);
    }
    memset(a, 0, sizeof *a);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p)
        abort(); /* out of memory: see lexer.h */
    return p;
}

void *pf_arena_alloc(pf_arena *a, size_t size) {
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2)
        abort();
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    pf_arena_chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        if (size > CHUNK_SIZE / 4) {
            /* Own chunk, linked behind the current one so the current keeps serving. */
            pf_arena_chunk *big = xmalloc(sizeof *big + size);
            big->size = big->used = size;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                big->next = NULL;
                a->head = big;
            }
            a->total += size;
            memset(big->data, 0, size);
            return big->data;
        }
        c = xmalloc(sizeof *c + CHUNK_SIZE);
        c->size = CHUNK_SIZE;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

char *pf_arena_strndup(pf_arena *a, const char *s, size_t len) {
    char *p = pf_arena_alloc(a, len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = 0;
    return p;
}

char *pf_arena_strdup(pf_arena *a, const char *s) { return pf_arena_strndup(a, s, strlen(s)); }

char *pf_arena_vsprintf(pf_arena *a, const char *fmt, va_list ap) {
    if (!fmt)
        return pf_arena_strdup(a, "");
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *p = pf_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *pf_arena_sprintf(pf_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = pf_arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

bool pf_arena_grow(pf_arena *a, void **items, int32_t *cap, size_t elem_size, int32_t need,
                   int32_t limit) {
    if (need <= *cap)
        return true;
    if (need > limit || need < 0)
        return false;
    int64_t ncap = *cap ? (int64_t)*cap * 2 : 8;
    if (ncap < need)
        ncap = need;
    if (ncap > limit)
        ncap = limit;
    void *p = pf_arena_alloc(a, (size_t)ncap * elem_size);
    if (*cap)
        memcpy(p, *items, (size_t)*cap * elem_size);
    *items = p;
    *cap = (int32_t)ncap;
    return true;
}

/* FNV-1a: short identifiers, no adversary that matters (a crafted file only slows itself). */
static uint64_t hash_bytes(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static const char **intern_find(pf_intern_table *t, const char *s, size_t len) {
    size_t mask = t->cap - 1, i = hash_bytes(s, len) & mask;
    for (;;) {
        const char **slot = &t->slots[i];
        if (!*slot || (strlen(*slot) == len && memcmp(*slot, s, len) == 0))
            return slot;
        i = (i + 1) & mask;
    }
}

const char *pf_intern(pf_arena *a, const char *s, size_t len) {
    pf_intern_table *t = a->interns;
    if (!t) {
        t = a->interns = xmalloc(sizeof *t);
        t->cap = 256;
        t->count = 0;
        t->slots = calloc(t->cap, sizeof *t->slots);
        if (!t->slots)
            abort();
    }
    /* Interned strings never contain NUL (identifiers); cut at one so lookups stay exact. */
    const char *nul = memchr(s, 0, len);
    if (nul)
        len = (size_t)(nul - s);
    const char **slot = intern_find(t, s, len);
    if (*slot)
        return *slot;
    if ((t->count + 1) * 2 > t->cap) {
        const char **old = t->slots;
        size_t oldcap = t->cap;
        t->cap *= 2;
        t->slots = calloc(t->cap, sizeof *t->slots);
        if (!t->slots)
            abort();
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                *intern_find(t, old[i], strlen(old[i])) = old[i];
        free(old);
        slot = intern_find(t, s, len);
    }
    *slot = pf_arena_strndup(a, s, len);
    t->count++;
    return *slot;
}

const char *pf_intern_cstr(pf_arena *a, const char *s) { return pf_intern(a, s, strlen(s)); }

/* ==================================================================================== source */

pf_source *pf_source_new(pf_arena *a, const char *name, const char *text, size_t len) {
    if (len > PF_SOURCE_MAX_BYTES)
        return NULL;
    pf_source *src = pf_arena_alloc(a, sizeof *src);
    src->name = pf_arena_strdup(a, name ? name : "<input>");
    src->text = pf_arena_strndup(a, text, len);
    src->len = (int32_t)len;
    int32_t n = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    src->line_starts = pf_arena_alloc(a, sizeof(int32_t) * (size_t)n);
    src->nlines = n;
    int32_t k = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            src->line_starts[k++] = (int32_t)i + 1;
    return src;
}

pf_source *pf_source_from_file(pf_arena *a, const char *path, int *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        if (len == cap) {
            if (cap > PF_SOURCE_MAX_BYTES) {
                free(buf);
                fclose(f);
                *err = EFBIG;
                return NULL;
            }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                *err = errno ? errno : EIO;
                free(buf);
                fclose(f);
                return NULL;
            }
            break;
        }
    }
    fclose(f);
    pf_source *src = pf_source_new(a, path, buf, len);
    free(buf);
    if (!src)
        *err = EFBIG;
    return src;
}

const char *pf_source_line(const pf_source *src, int32_t line, int32_t *len) {
    if (!src || line < 1 || line > src->nlines)
        return NULL;
    int32_t start = src->line_starts[line - 1];
    int32_t end = line < src->nlines ? src->line_starts[line] - 1 : src->len;
    if (end > start && src->text[end - 1] == '\r')
        end--;
    *len = end - start;
    return src->text + start;
}

/* =============================================================================== diagnostics */

#define DIAGS_MAX_STORED (PF_DIAGS_MAX_ERRORS * 8) /* errors plus their notes */

void pf_diags_init(pf_diags *d, pf_arena *a) {
    memset(d, 0, sizeof *d);
    d->arena = a;
}

pf_diag *pf_diag_verror(pf_diags *d, pf_severity sev, const pf_source *src, int32_t line,
                        int32_t col, const char *fmt, va_list ap) {
    if (sev == PF_SEV_ERROR)
        d->nerrors++;
    if (sev == PF_SEV_ERROR && d->nerrors > PF_DIAGS_MAX_ERRORS)
        return NULL;
    /* A note after a dropped error is dropped with it. */
    if (sev == PF_SEV_NOTE && d->nerrors > PF_DIAGS_MAX_ERRORS)
        return NULL;
    pf_diag diag = {sev, src, line, col, pf_arena_vsprintf(d->arena, fmt, ap), NULL};
    if (!PF_VEC_PUSH(d->arena, d, DIAGS_MAX_STORED, diag))
        return NULL;
    return &d->items[d->len - 1];
}

pf_diag *pf_diag_error(pf_diags *d, const pf_source *src, int32_t line, int32_t col,
                       const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pf_diag *r = pf_diag_verror(d, PF_SEV_ERROR, src, line, col, fmt, ap);
    va_end(ap);
    return r;
}

pf_diag *pf_diag_note(pf_diags *d, const pf_source *src, int32_t line, int32_t col,
                      const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pf_diag *r = pf_diag_verror(d, PF_SEV_NOTE, src, line, col, fmt, ap);
    va_end(ap);
    return r;
}

void pf_diag_hint(pf_diags *d, pf_diag *diag, const char *fmt, ...) {
    if (!diag)
        return;
    va_list ap;
    va_start(ap, fmt);
    diag->hint = pf_arena_vsprintf(d->arena, fmt, ap);
    va_end(ap);
}

/* Prints the source line, then a caret under column col (1-based, in code points). Characters
 * before the caret are echoed as spaces, tabs as tabs, so the caret lines up in a terminal. */
static void print_caret(FILE *out, const pf_source *src, int32_t line, int32_t col) {
    int32_t len;
    const char *text = pf_source_line(src, line, &len);
    if (!text)
        return;
    fputs("    ", out);
    for (int32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        /* Control characters other than tab would corrupt the terminal: show them as '?'. */
        fputc(c == '\t' || c >= 0x20 ? c : '?', out);
    }
    fputc('\n', out);
    if (col < 1)
        return;
    fputs("    ", out);
    int32_t cp = 1;
    for (int32_t i = 0; i < len && cp < col; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c & 0xC0) == 0x80)
            continue; /* UTF-8 continuation byte: same code point */
        fputc(c == '\t' ? '\t' : ' ', out);
        cp++;
    }
    for (; cp < col; cp++) /* caret just past the end of the line (e.g. missing ':') */
        fputc(' ', out);
    fputs("^\n", out);
}

void pf_diags_print(const pf_diags *d, FILE *out) {
    for (int32_t i = 0; i < d->len; i++) {
        const pf_diag *g = &d->items[i];
        const char *sev = g->sev == PF_SEV_ERROR ? "error" : "note";
        if (!g->src)
            fprintf(out, "pfc: %s: %s\n", sev, g->msg);
        else if (g->line < 1)
            fprintf(out, "%s: %s: %s\n", g->src->name, sev, g->msg);
        else if (g->col < 1)
            fprintf(out, "%s:%d: %s: %s\n", g->src->name, g->line, sev, g->msg);
        else
            fprintf(out, "%s:%d:%d: %s: %s\n", g->src->name, g->line, g->col, sev, g->msg);
        if (g->src && g->line >= 1)
            print_caret(out, g->src, g->line, g->col);
        if (g->hint)
            fprintf(out, "hint: %s\n", g->hint);
    }
    int32_t dropped = d->nerrors - PF_DIAGS_MAX_ERRORS;
    if (dropped > 0)
        fprintf(out, "pfc: %d more error%s not shown\n", dropped, dropped == 1 ? "" : "s");
}
