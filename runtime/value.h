/* pf runtime values: the object layouts, type descriptors, reference counting, exceptions and the
 * runtime entry points that compiled code calls. This header is an ABI shared with codegen/, which
 * lays out these structs in LLVM IR (field offsets are listed beside each struct, tagged LAYOUT) and
 * emits constant objects and type descriptors as static globals.
 *
 * ## Slots
 * Every pf value fits one 8-byte slot (`pf_slot`, an int64):
 *   int    = int64                       float = double, bit-cast into the slot (pf_slot_from_float)
 *   bool   = 0 / 1                       None  = 0
 *   str, list, tuple, dict, class instance, function/closure, exception = `pf_obj *` (never NULL)
 *   optional `T | None`: always a pointer, NULL = None. If T is a heap type the pointer is the T
 *     object itself; if T is a scalar (int, float, bool) it is a `pf_box` holding the scalar slot.
 *
 * ## Reference counts (lean.h; docs/internals.md)
 * `pf_obj.rc` > 0: private to one task, plain updates. rc < 0: shared between tasks, atomic updates
 * (the count is -rc). rc == 0: immortal (static constants emitted by codegen), never freed, never
 * written to. Parameters are borrowed, results owned, unless a comment says otherwise:
 *   "consumes x"  the callee takes over the caller's reference to x (and reuses x in place when
 *                 x->rc == 1, e.g. rt_list_append on a unique list grows it without copying);
 *   "borrowed result" the result lives as long as the container it came from; the caller increfs it
 *                 if it keeps it longer. ALL element accessors (list/tuple/dict/record element reads)
 *                 return borrowed results; every constructor and operation returns an owned result.
 * An owned result may be an immortal constant (one-character ASCII strings, "", True/False from
 * rt_str_from_bool): releasing it is a no-op, and consuming functions copy instead of reusing it.
 *
 * ## Exceptions
 * Raising stores an owned `pf_exc *` in ctx->exc and returns a dummy value (0 / NULL). Compiled code
 * tests ctx->exc after every call that may raise. A raise while ctx->exc is already set replaces it.
 *
 * ## Containers carry their type
 * list, tuple, record, closure and dict objects hold a pointer to their static `pf_type`, so release,
 * rt_share, equality, hashing and printing of nested values need no type argument beyond the outer one.
 * Types are compared structurally (rt_type_eq), so codegen may emit one descriptor per use site. */
#ifndef PF_RUNTIME_VALUE_H
#define PF_RUNTIME_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runtime/ctx.h"

typedef int64_t pf_slot; /* one value: a scalar, or a pf_obj* cast to int64 */

static inline pf_slot pf_slot_from_float(double d) { pf_slot s; memcpy(&s, &d, 8); return s; }
static inline double pf_slot_to_float(pf_slot s) { double d; memcpy(&d, &s, 8); return d; }
#define PF_SLOT_OBJ(p) ((pf_slot)(intptr_t)(p))
#define PF_OBJ_OF(s) ((pf_obj *)(intptr_t)(s))

/* ============================================================================================
 * Type descriptors. Codegen emits them as constant globals; the runtime only reads them.
 * ========================================================================================== */

/* ORDER TKIND: kinds of static types, sync with ir/ir.h IR_T_* (same values: codegen casts).
 * Starts at 1 so a zeroed descriptor is invalid. */
typedef enum pf_tkind {
    PF_T_INT = 1,
    PF_T_FLOAT,    /* 2 */
    PF_T_BOOL,     /* 3 */
    PF_T_NONE,     /* 4: the slot is 0 */
    PF_T_STR,      /* 5 */
    PF_T_LIST,     /* 6: elem */
    PF_T_TUPLE,    /* 7: n, fields */
    PF_T_DICT,     /* 8: elem = key type, val = value type */
    PF_T_RECORD,   /* 9: class instance: n, fields, name, field_names, repr/str/eq/lt methods */
    PF_T_FUNC,     /* 10: function or closure value (pf_closure); name optional */
    PF_T_OPTIONAL, /* 11: elem = the non-None type */
    PF_T_EXC,      /* 12: an exception object (`except E as e`) */
} pf_tkind;

struct pf_obj;
/* A compiled method used by the runtime: self borrowed, result owned, may raise through ctx->exc. */
typedef struct pf_obj *(*pf_method_obj)(pf_ctx *ctx, struct pf_obj *self);
typedef int64_t (*pf_method_cmp)(pf_ctx *ctx, struct pf_obj *self, struct pf_obj *other);

/* LAYOUT pf_type (all fields 8-byte aligned, 88 bytes):
 *   0 kind:u32  4 n:u32  8 elem  16 val  24 fields  32 name  40 field_names  48 repr  56 str
 *   64 eq  72 lt  80 pad */
typedef struct pf_type {
    uint32_t kind;                       /* pf_tkind */
    uint32_t n;                          /* TUPLE/RECORD: number of fields; FUNC: env slots */
    const struct pf_type *elem;          /* LIST element, DICT key, OPTIONAL inner type */
    const struct pf_type *val;           /* DICT value type */
    const struct pf_type *const *fields; /* TUPLE/RECORD/FUNC env: n field types, slot order */
    const char *name;                    /* RECORD: class name ("P"); FUNC: function name */
    const char *const *field_names;      /* RECORD: n field names, slot order (may be NULL) */
    pf_method_obj repr;                  /* RECORD: compiled __repr__ returning a pf_str, or NULL */
    pf_method_obj str;                   /* RECORD: compiled __str__, or NULL (falls back to repr) */
    pf_method_cmp eq;                    /* RECORD: compiled __eq__ (0/1), or NULL = identity */
    pf_method_cmp lt;                    /* RECORD: compiled __lt__ (0/1), or NULL = TypeError */
    const void *pad;                     /* reserved, keep NULL */
} pf_type;

/* Is a slot of this type a pointer (possibly NULL for OPTIONAL) that holds a reference? */
static inline int pf_type_is_obj(const pf_type *t) { return t->kind >= PF_T_STR; }

/* Builtin descriptors for the scalar and common types, usable by codegen as external globals. */
extern const pf_type pf_type_int, pf_type_float, pf_type_bool, pf_type_none, pf_type_str,
    pf_type_exc;
int rt_type_eq(const pf_type *a, const pf_type *b); /* structural equality */

/* ============================================================================================
 * Objects
 * ========================================================================================== */

/* ORDER OKIND: kinds of heap objects, stored in every header. Starts at 1; FREED marks a dead
 * object in debug builds so a use-after-free is caught by rt_free's assertion. */
typedef enum pf_okind {
    PF_K_STR = 1,
    PF_K_LIST,    /* 2 */
    PF_K_TUPLE,   /* 3 */
    PF_K_DICT,    /* 4 */
    PF_K_RECORD,  /* 5: class instance */
    PF_K_CLOSURE, /* 6 */
    PF_K_BOX,     /* 7: boxed scalar of an optional int/float/bool */
    PF_K_EXC,     /* 8 */
    PF_K_FREED = 0x7f,
} pf_okind;

/* Header flag bits (pf_obj.flags). */
enum {
    PF_F_SCALARS = 1u << 3, /* TUPLE/RECORD/CLOSURE: no field holds an object (set by rt_rec_new
                               and rt_closure_new; 0 is always safe: fields are then scanned) */
    PF_F_ASCII = 1u << 0, /* STR: every byte < 0x80, so code-point index = byte index */
    PF_F_OBJS = 1u << 1,  /* LIST: slots hold objects; DICT: keys hold objects */
    PF_F_VOBJS = 1u << 2, /* DICT: values hold objects */
};

/* LAYOUT pf_obj (8 bytes): 0 rc:i32  4 kind:u8  5 flags:u8  6 aux:u16 */
typedef struct pf_obj {
    int32_t rc;    /* >0 private count, <0 shared (atomic) count, 0 immortal */
    uint8_t kind;  /* pf_okind */
    uint8_t flags; /* PF_F_* */
    uint16_t aux;  /* size class set by rt_alloc (0 = plain malloc block; constants: 0) */
} pf_obj;

/* Immutable UTF-8 string, NUL-terminated (data[len] == 0) so it can be handed to C.
 * LAYOUT pf_str: 0 hdr  8 len:i64  16 ncp:i64  24 data[len+1]:i8
 * A string literal is emitted by codegen as a constant global
 *   { i32 0, i8 1 (PF_K_STR), i8 (PF_F_ASCII if all bytes < 0x80 else 0), i16 0,
 *     i64 byte_length, i64 code_point_count, [byte_length+1 x i8] c"bytes\00" }
 * and passed around as a pointer to it (rc 0 = immortal: increfs and decrefs do nothing). */
typedef struct pf_str {
    pf_obj h;
    int64_t len; /* bytes, excluding the NUL */
    int64_t ncp; /* code points (== len when PF_F_ASCII) */
    char data[];
} pf_str;

/* Contiguous list of slots. Scalars are unboxed (a list[float] is an array of doubles). The data
 * buffer is separate so a unique list grows in place without changing its address.
 * LAYOUT pf_list: 0 hdr  8 len:i64  16 cap:i64  24 data:ptr  32 type:ptr
 * An immortal empty list constant: { 0, 2, flags, 0, 0, 0, NULL, &type }. */
typedef struct pf_list {
    pf_obj h;            /* flags: PF_F_OBJS when elem type is a heap (or optional) type */
    int64_t len;         /* live elements */
    int64_t cap;         /* allocated slots in data */
    pf_slot *data;       /* right after the header (allocated with it) or a separate malloc'd
                            buffer after growth; NULL when cap == 0. Free nothing yourself. */
    const pf_type *type; /* the list type (kind PF_T_LIST) */
} pf_list;

/* Tuple and class instance: a fixed record of n slots; field i's type is type->fields[i].
 * LAYOUT pf_rec: 0 hdr  8 n:i64  16 type:ptr  24 slots[n]:i64
 * kind PF_K_TUPLE (type kind PF_T_TUPLE) or PF_K_RECORD (type kind PF_T_RECORD). */
typedef struct pf_rec {
    pf_obj h;
    int64_t n;
    const pf_type *type;
    pf_slot slots[];
} pf_rec;

/* A function value: code pointer plus captured environment (captured by value, n slots whose
 * types are type->fields[i]; a plain function has n == 0 and may be an immortal constant).
 * How `fn` is called is codegen's convention (codegen/); the runtime never calls it (sorted,
 * min and max take a pf_key_fn thunk instead).
 * LAYOUT pf_closure: 0 hdr  8 n:i64  16 type:ptr  24 fn:ptr  32 slots[n]:i64 */
typedef struct pf_closure {
    pf_obj h;
    int64_t n;
    const pf_type *type; /* kind PF_T_FUNC; fields = captured slot types */
    void *fn;
    pf_slot slots[];
} pf_closure;

/* A boxed scalar for optional int/float/bool (`x: int | None`); NULL is None.
 * LAYOUT pf_box: 0 hdr  8 v:i64 */
typedef struct pf_box {
    pf_obj h;
    pf_slot v;
} pf_box;

/* Insertion-ordered immutable hash map (CPython's compact dict layout: a dense entry array in
 * insertion order plus a sparse index table of int32 positions, -1 = empty). No deletion exists,
 * so entries[0..len) are all live and iteration is a plain loop over them.
 * LAYOUT pf_dict: 0 hdr  8 len:i64  16 cap:i64  24 entries:ptr  32 index:ptr  40 mask:i64  48 type
 * LAYOUT pf_dict_entry: 0 hash:i64  8 key:i64  16 val:i64 */
typedef struct pf_dict_entry {
    uint64_t hash;
    pf_slot key;
    pf_slot val;
} pf_dict_entry;
typedef struct pf_dict {
    pf_obj h;                /* flags: PF_F_OBJS (keys are objects), PF_F_VOBJS (values are) */
    int64_t len;             /* entries in use */
    int64_t cap;             /* entries allocated */
    pf_dict_entry *entries;  /* insertion order */
    int32_t *index;          /* mask+1 buckets: entry position or -1 */
    int64_t mask;            /* buckets - 1 (a power of two minus one), 0 when index == NULL */
    const pf_type *type;     /* kind PF_T_DICT: elem = key type, val = value type */
} pf_dict;

/* ============================================================================================
 * Exceptions
 * ========================================================================================== */

/* ORDER EXC: builtin exception kinds (names in exc.c's table, same order). Starts at 1.
 * Hierarchy (rt_exc_matches):
 *   BaseException > KeyboardInterrupt, Interrupted (pf's task cancellation; not catchable by
 *   `except Exception`), Exception > ArithmeticError > ZeroDivisionError, OverflowError;
 *   Exception > LookupError > IndexError, KeyError; Exception > RuntimeError > RecursionError;
 *   Exception > ValueError, AssertionError, TypeError, AttributeError, StopIteration. */
typedef enum pf_exc_kind {
    PF_EXC_BASE = 1,          /* BaseException */
    PF_EXC_EXCEPTION,         /* Exception: base of user `raise Exception(...)` */
    PF_EXC_ARITHMETIC,        /* ArithmeticError */
    PF_EXC_ZERODIV,           /* ZeroDivisionError */
    PF_EXC_OVERFLOW,          /* OverflowError */
    PF_EXC_LOOKUP,            /* LookupError */
    PF_EXC_INDEX,             /* IndexError */
    PF_EXC_KEY,               /* KeyError */
    PF_EXC_VALUE,             /* ValueError */
    PF_EXC_ASSERTION,         /* AssertionError */
    PF_EXC_RUNTIME,           /* RuntimeError */
    PF_EXC_RECURSION,         /* RecursionError */
    PF_EXC_TYPE,              /* TypeError */
    PF_EXC_ATTRIBUTE,         /* AttributeError */
    PF_EXC_STOPITERATION,     /* StopIteration */
    PF_EXC_KEYBOARDINTERRUPT, /* KeyboardInterrupt (SIGINT) */
    PF_EXC_INTERRUPTED,       /* pf-internal: task cancelled (sibling failed, --timeout) */
    PF_EXC_MEMORY,            /* MemoryError (preallocated, see rt_raise_nomem) */
    PF_EXC_NAME,              /* NameError (a module global read before it is assigned) */
    PF_EXC__COUNT
} pf_exc_kind;

typedef struct pf_frame {
    const char *file; /* static string (codegen constant) */
    int64_t line;
    const char *func; /* "<module>" for top-level code */
} pf_frame;

/* LAYOUT pf_exc: 0 hdr  8 kind:i32  12 nframes:i32  16 msg:ptr  24 frames:ptr  32 cap:i64 */
typedef struct pf_exc {
    pf_obj h;         /* kind PF_K_EXC */
    int32_t kind;     /* pf_exc_kind */
    int32_t nframes;  /* traceback frames, innermost first (appended while unwinding) */
    pf_str *msg;      /* str(e): the message, or NULL for none (`raise ValueError`) */
    pf_frame *frames;
    int64_t cap;
} pf_exc;

/* Raise kind with a printf-formatted message (fmt may be NULL: no message). Returns 0. */
int64_t rt_raise(pf_ctx *ctx, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Raise with a message string; consumes msg (may be NULL). For `raise ValueError("...")`. */
int64_t rt_raise_msg(pf_ctx *ctx, int kind, pf_str *msg);
/* Raise an exception object (`raise e`); consumes e. */
int64_t rt_raise_exc(pf_ctx *ctx, pf_exc *e);
/* Cold helpers with CPython 3.11's messages, for codegen's checked operations. All return 0. */
int64_t rt_raise_int_zerodiv(pf_ctx *ctx);   /* "integer division or modulo by zero" */
int64_t rt_raise_float_zerodiv(pf_ctx *ctx); /* "float division by zero" */
int64_t rt_raise_div_zerodiv(pf_ctx *ctx);   /* "division by zero" (int / int) */
int64_t rt_raise_overflow(pf_ctx *ctx);      /* "integer overflow" (pf ints are 64-bit) */
int64_t rt_raise_index(pf_ctx *ctx, const char *what); /* "<what> index out of range" */
int64_t rt_raise_recursion(pf_ctx *ctx);     /* "maximum recursion depth exceeded" */
int64_t rt_raise_assert(pf_ctx *ctx, pf_str *msg); /* AssertionError; consumes msg (may be NULL) */
int64_t rt_raise_key(pf_ctx *ctx, pf_slot key, const pf_type *kt); /* KeyError: repr(key) */
int64_t rt_raise_nomem(pf_ctx *ctx);         /* MemoryError without allocating */
/* New exception object (kind, message consumed, may be NULL), not raised. As CPython, a
 * KeyError's message is stored as repr(msg) (`raise KeyError("k")` prints KeyError: 'k'). */
pf_exc *rt_exc_new(pf_ctx *ctx, int kind, pf_str *msg);
/* Append a traceback frame to the pending exception ctx->exc (no-op when none). */
void rt_exc_add_frame(pf_ctx *ctx, const char *file, int64_t line, const char *func);
/* Does an exception of kind `kind` match `except handler`? (builtin hierarchy above) */
int rt_exc_matches(int kind, int handler);
/* Test-and-take for `except H as e`: if ctx->exc matches handler, clear ctx->exc and return the
 * exception (owned), else return NULL and leave it pending. */
pf_exc *rt_exc_catch(pf_ctx *ctx, int handler);
/* Drop a pending exception (the handler does not bind it). */
void rt_exc_clear(pf_ctx *ctx);
const char *rt_exc_name(int kind); /* "ZeroDivisionError" */
/* Adapters for the scheduler's rt_options (runtime/sched.h) so a cancelled task raises a real
 * Interrupted exception and failed tasks' exceptions are released: set
 * o.exc_interrupt = rt_exc_interrupt_cb; o.exc_release = rt_exc_release_cb. */
pf_exc *rt_exc_interrupt_cb(void *ud, pf_ctx *ctx);
void rt_exc_release_cb(void *ud, pf_exc *e);
/* Print Python's format: "Traceback (most recent call last):", one "  File \"f\", line N, in fn"
 * per frame outermost first, then "Name: message" (or "Name" when there is no message). */
void rt_exc_print(const pf_exc *e, FILE *out);
/* str(e) and repr(e) (`ValueError('bad')`); owned results. */
pf_str *rt_exc_str(pf_ctx *ctx, const pf_exc *e);
pf_str *rt_exc_repr(pf_ctx *ctx, const pf_exc *e);

/* ============================================================================================
 * Reference counting. Inline fast paths; codegen emits the same logic in IR and calls the
 * out-of-line entry points (rt_free, rt_incref_shared, rt_decref_shared) on the slow paths, or
 * simply calls rt_obj_incref / rt_obj_decref.
 * ========================================================================================== */

void rt_free(pf_obj *o);            /* cold: rc reached zero; releases children, frees memory */
void rt_incref_shared(pf_obj *o);   /* atomic increment of a shared (rc < 0) object */
void rt_decref_shared(pf_obj *o);   /* atomic decrement of a shared object; frees at the last */
void rt_obj_incref(pf_obj *o);      /* out-of-line rt_incref (o may be NULL) */
void rt_obj_decref(pf_obj *o);      /* out-of-line rt_decref (o may be NULL) */
/* Make o and everything reachable from it shared (rc < 0, atomic counts) before handing it to
 * another task. Immortal objects stay immortal. Idempotent. */
void rt_share(pf_obj *o);

/* The count is read with a relaxed atomic load (a plain mov on x86/ARM): a shared object's count
 * is being updated by other threads, and only its sign, which they never change, picks the path. */
static inline void rt_incref(pf_obj *o) {
    int32_t rc = __atomic_load_n(&o->rc, __ATOMIC_RELAXED);
    if (__builtin_expect(rc > 0, 1)) o->rc = rc + 1;
    else if (rc < 0) rt_incref_shared(o);
}
static inline void rt_decref(pf_obj *o) {
    int32_t rc = __atomic_load_n(&o->rc, __ATOMIC_RELAXED);
    if (__builtin_expect(rc > 1, 1)) o->rc = rc - 1;
    else if (rc == 1) rt_free(o);
    else if (rc < 0) rt_decref_shared(o);
}
static inline void rt_xincref(pf_obj *o) { if (o) rt_incref(o); } /* o may be NULL (None) */
static inline void rt_xdecref(pf_obj *o) { if (o) rt_decref(o); }
/* Unique: the caller holds the only reference, so a consuming operation may reuse it in place. */
static inline int rt_is_unique(const pf_obj *o) { return o->rc == 1; }

/* Generic retain/release of a slot of static type t (no-op for scalars; NULL-safe). */
void rt_retain(pf_slot v, const pf_type *t);
void rt_release(pf_slot v, const pf_type *t);

/* Allocation: every object comes from here (rc 1, kind and flags set, aux = its size class; the
 * rest uninitialised). Small blocks are recycled through a per-thread cache in front of malloc.
 * On allocation failure it raises MemoryError in ctx and returns NULL. */
pf_obj *rt_alloc(pf_ctx *ctx, size_t size, int kind);
/* Return the calling thread's cached free blocks to libc (tests call it before counting bytes;
 * threads flush automatically when they exit). */
void rt_alloc_flush(void);

/* ============================================================================================
 * Generic operations over (slot, type)
 * ========================================================================================== */

pf_str *rt_repr(pf_ctx *ctx, pf_slot v, const pf_type *t);   /* repr(v), owned */
pf_str *rt_to_str(pf_ctx *ctx, pf_slot v, const pf_type *t); /* str(v), owned */
int64_t rt_eq(pf_ctx *ctx, pf_slot a, pf_slot b, const pf_type *t); /* a == b, 0/1 */
int64_t rt_lt(pf_ctx *ctx, pf_slot a, pf_slot b, const pf_type *t); /* a < b (Python rules) */
int64_t rt_le(pf_ctx *ctx, pf_slot a, pf_slot b, const pf_type *t); /* a <= b */
uint64_t rt_hash(pf_slot v, const pf_type *t);                     /* consistent with rt_eq */
int64_t rt_truthy(pf_slot v, const pf_type *t);                    /* bool(v) */

/* ============================================================================================
 * Numbers (Python semantics; ints are 64-bit and overflow raises OverflowError)
 * ========================================================================================== */

int64_t rt_int_floordiv(pf_ctx *ctx, int64_t a, int64_t b); /* a // b */
int64_t rt_int_mod(pf_ctx *ctx, int64_t a, int64_t b);      /* a % b, sign of b */
int64_t rt_int_pow(pf_ctx *ctx, int64_t a, int64_t b);      /* a ** b, b >= 0 (checked) */
double rt_int_pow_neg(pf_ctx *ctx, int64_t a, int64_t b);   /* a ** b for b < 0: a float */
double rt_int_truediv(pf_ctx *ctx, int64_t a, int64_t b);   /* a / b, correctly rounded */
int64_t rt_int_lshift(pf_ctx *ctx, int64_t a, int64_t b);   /* a << b, checked; b < 0 ValueError */
int64_t rt_int_rshift(pf_ctx *ctx, int64_t a, int64_t b);   /* a >> b (floor); b < 0 ValueError */
double rt_float_div(pf_ctx *ctx, double a, double b);       /* a / b (ZeroDivisionError) */
double rt_float_floordiv(pf_ctx *ctx, double a, double b);  /* a // b */
double rt_float_mod(pf_ctx *ctx, double a, double b);       /* a % b, sign of b */
double rt_float_pow(pf_ctx *ctx, double a, double b);       /* a ** b (0.0 ** -1 raises) */
int64_t rt_int_abs(pf_ctx *ctx, int64_t a);                 /* abs(INT64_MIN) overflows */
int64_t rt_float_round(pf_ctx *ctx, double x);              /* round(x): banker's, to int */
double rt_float_round_n(pf_ctx *ctx, double x, int64_t n);  /* round(x, n), exact as CPython */
int64_t rt_int_round_n(pf_ctx *ctx, int64_t x, int64_t n);  /* round(i, n) (n < 0 rounds) */
int64_t rt_float_to_int(pf_ctx *ctx, double x);             /* int(x): truncates; inf/nan raise */
int64_t rt_str_to_int(pf_ctx *ctx, const pf_str *s);        /* int("12"): ValueError on junk */
double rt_str_to_float(pf_ctx *ctx, const pf_str *s);       /* float(" 1e3 "), "inf", "nan" */
int64_t rt_float_floor(pf_ctx *ctx, double x);              /* math.floor -> int */
int64_t rt_float_ceil(pf_ctx *ctx, double x);               /* math.ceil -> int */

/* ============================================================================================
 * Strings
 * ========================================================================================== */

pf_str *rt_str_new(pf_ctx *ctx, const char *bytes, int64_t len); /* copies valid UTF-8 */
pf_str *rt_str_from_cstr(pf_ctx *ctx, const char *s);
pf_str *rt_str_from_int(pf_ctx *ctx, int64_t v);     /* str(int) */
pf_str *rt_str_from_float(pf_ctx *ctx, double v);    /* repr(float): shortest round-trip */
pf_str *rt_str_from_bool(pf_ctx *ctx, int64_t v);    /* "True" / "False" (immortal) */
pf_str *rt_str_repr(pf_ctx *ctx, const pf_str *s);   /* repr(str): Python's quotes and escapes */
static inline int64_t rt_str_len(const pf_str *s) { return s->ncp; }
pf_str *rt_str_concat(pf_ctx *ctx, pf_str *a, const pf_str *b); /* a + b; consumes a */
pf_str *rt_str_concat_n(pf_ctx *ctx, int64_t n, pf_str **parts); /* consumes all parts (f-strings) */
pf_str *rt_str_repeat(pf_ctx *ctx, const pf_str *s, int64_t n);   /* s * n */
pf_str *rt_str_index(pf_ctx *ctx, const pf_str *s, int64_t i);    /* s[i], IndexError */
/* Slice bounds: PF_NONE_IDX stands for an omitted bound (s[:3]); step 0 raises ValueError. */
#define PF_NONE_IDX INT64_MIN
/* Python's slice.indices(len): clamps *start and *stop in place, returns the element count. */
/* Python's slice.indices(): clamp start/stop for a sequence of length len. Returns the count.
 * Inline: list and string slicing and rt_list_splice run it per piece. */
static inline int64_t rt_slice_indices(int64_t len, int64_t *start, int64_t *stop, int64_t step) {
    int64_t lo, hi;
    if (step > 0) {
        lo = 0;
        hi = len;
    } else {
        lo = -1;
        hi = len - 1;
    }
    int64_t st = *start, sp = *stop;
    if (st == PF_NONE_IDX) st = step > 0 ? lo : hi;
    else if (st < 0) {
        st += len;
        if (st < lo) st = lo;
    } else if (st > hi) st = hi;
    if (sp == PF_NONE_IDX) sp = step > 0 ? hi : lo;
    else if (sp < 0) {
        sp += len;
        if (sp < lo) sp = lo;
    } else if (sp > hi) sp = hi;
    *start = st;
    *stop = sp;
    if (step == 1) return sp > st ? sp - st : 0;
    if (step == -1) return st > sp ? st - sp : 0;
    if (step > 0) return sp > st ? (sp - st + step - 1) / step : 0;
    return st > sp ? (st - sp + (-step) - 1) / (-step) : 0;
}
pf_str *rt_str_slice(pf_ctx *ctx, const pf_str *s, int64_t start, int64_t stop, int64_t step);
int64_t rt_str_contains(const pf_str *hay, const pf_str *needle); /* needle in hay */
int64_t rt_str_eq(const pf_str *a, const pf_str *b);
int64_t rt_str_cmp(const pf_str *a, const pf_str *b); /* <0, 0, >0 by code point (= bytes) */
uint64_t rt_str_hash(const pf_str *s);
int64_t rt_str_find(const pf_str *s, const pf_str *sub);  /* code-point index or -1 */
int64_t rt_str_startswith(const pf_str *s, const pf_str *prefix);
int64_t rt_str_endswith(const pf_str *s, const pf_str *suffix);
pf_str *rt_str_upper(pf_ctx *ctx, const pf_str *s);
pf_str *rt_str_lower(pf_ctx *ctx, const pf_str *s);
/* strip family: chars NULL = whitespace */
pf_str *rt_str_strip(pf_ctx *ctx, const pf_str *s, const pf_str *chars);
pf_str *rt_str_lstrip(pf_ctx *ctx, const pf_str *s, const pf_str *chars);
pf_str *rt_str_rstrip(pf_ctx *ctx, const pf_str *s, const pf_str *chars);
pf_str *rt_str_replace(pf_ctx *ctx, const pf_str *s, const pf_str *old, const pf_str *new_);
/* s.split(sep, maxsplit): sep NULL = whitespace runs; maxsplit -1 = all. Returns list[str]. */
pf_list *rt_str_split(pf_ctx *ctx, const pf_str *s, const pf_str *sep, int64_t maxsplit);
pf_str *rt_str_join(pf_ctx *ctx, const pf_str *sep, const pf_list *parts); /* sep.join(list[str]) */
/* s.find(sub, start, end), s.rfind(...), s.count(...): start/end as Python (negatives count from
 * the end, PF_NONE_IDX = omitted); the index returned is in code points of the whole string. */
int64_t rt_str_find_range(const pf_str *s, const pf_str *sub, int64_t start, int64_t end);
int64_t rt_str_rfind_range(const pf_str *s, const pf_str *sub, int64_t start, int64_t end);
int64_t rt_str_count_range(const pf_str *s, const pf_str *sub, int64_t start, int64_t end);
/* s.replace(old, new, count): at most count replacements (count < 0 = all) */
pf_str *rt_str_replace_n(pf_ctx *ctx, const pf_str *s, const pf_str *old, const pf_str *new_, int64_t count);
/* s.rsplit(sep, maxsplit): like rt_str_split, splitting from the right */
pf_list *rt_str_rsplit(pf_ctx *ctx, const pf_str *s, const pf_str *sep, int64_t maxsplit);
int64_t rt_str_count(const pf_str *s, const pf_str *sub);   /* non-overlapping occurrences */
int64_t rt_str_rfind(const pf_str *s, const pf_str *sub);   /* code-point index or -1 */
int64_t rt_str_index_of(pf_ctx *ctx, const pf_str *s, const pf_str *sub); /* s.index: ValueError */
/* Character classes (ASCII exact; Latin-1/Greek/Cyrillic letters count as alphabetic and cased) */
int64_t rt_str_isdigit(const pf_str *s);
int64_t rt_str_isalpha(const pf_str *s);
int64_t rt_str_isalnum(const pf_str *s);
int64_t rt_str_isspace(const pf_str *s);
int64_t rt_str_isupper(const pf_str *s);
int64_t rt_str_islower(const pf_str *s);
pf_str *rt_str_zfill(pf_ctx *ctx, const pf_str *s, int64_t width);
/* center/ljust/rjust with a one-character fill (NULL = space); TypeError for a longer fill */
pf_str *rt_str_center(pf_ctx *ctx, const pf_str *s, int64_t width, const pf_str *fill);
pf_str *rt_str_ljust(pf_ctx *ctx, const pf_str *s, int64_t width, const pf_str *fill);
pf_str *rt_str_rjust(pf_ctx *ctx, const pf_str *s, int64_t width, const pf_str *fill);
pf_str *rt_str_capitalize(pf_ctx *ctx, const pf_str *s);
pf_str *rt_str_title(pf_ctx *ctx, const pf_str *s);
pf_str *rt_str_removeprefix(pf_ctx *ctx, const pf_str *s, const pf_str *prefix);
pf_str *rt_str_removesuffix(pf_ctx *ctx, const pf_str *s, const pf_str *suffix);
pf_list *rt_str_splitlines(pf_ctx *ctx, const pf_str *s); /* list[str], no line ends */
/* Iteration over code points without O(n) indexing: returns the 1-char string at byte offset
 * *pos and advances *pos; loop while *pos < s->len. */
pf_str *rt_str_next_char(pf_ctx *ctx, const pf_str *s, int64_t *pos);
extern const pf_type pf_type_list_str; /* list[str], e.g. for split results */

/* Formatting: format(v, spec) for f-strings `{v:spec}`; spec may be NULL or empty (= str(v)).
 * Supports [[fill]align][sign][#][0][width][,|_][.precision][type] for int/float/str/bool, types
 * d b o x X c e E f F g G n % s and none. Owned result; ValueError on a bad spec. */
pf_str *rt_format(pf_ctx *ctx, pf_slot v, const pf_type *t, const pf_str *spec);

/* ============================================================================================
 * Lists
 * ========================================================================================== */

pf_list *rt_list_new(pf_ctx *ctx, const pf_type *type, int64_t cap); /* empty, room for cap */
/* Append while building a fresh list (literal, comprehension): xs must be unique; consumes v.
 * Grows in place (amortised O(1)). Returns 0, or -1 with MemoryError raised. */
int rt_list_push(pf_ctx *ctx, pf_list *xs, pf_slot v);
static inline int64_t rt_list_len(const pf_list *xs) { return xs->len; }
/* xs[i] with i already in range [0, len): borrowed result. */
static inline pf_slot rt_list_at(const pf_list *xs, int64_t i) { return xs->data[i]; }
/* xs[i] with Python negatives and IndexError "list index out of range": borrowed result. */
static inline pf_slot rt_list_get(pf_ctx *ctx, const pf_list *xs, int64_t i) {
    if (i < 0) i += xs->len;
    if (__builtin_expect((uint64_t)i >= (uint64_t)xs->len, 0)) return rt_raise_index(ctx, "list");
    return xs->data[i];
}
pf_slot rt_list_get_checked(pf_ctx *ctx, const pf_list *xs, int64_t i); /* out-of-line get */
pf_list *rt_list_append(pf_ctx *ctx, pf_list *xs, pf_slot v);       /* xs + [v]; consumes xs, v */
pf_list *rt_list_concat(pf_ctx *ctx, pf_list *a, const pf_list *b); /* a + b; consumes a */
/* a + b consuming both: b's elements move into a (no reference-count traffic) when b is not
 * referenced elsewhere; the combine of parallel list comprehensions' per-block pieces. */
pf_list *rt_list_concat_move(pf_ctx *ctx, pf_list *a, pf_list *b);
pf_list *rt_list_repeat(pf_ctx *ctx, const pf_list *xs, int64_t n); /* xs * n */
pf_list *rt_list_slice(pf_ctx *ctx, const pf_list *xs, int64_t start, int64_t stop, int64_t step);
/* One piece of a fused concatenation: the slice xs[start:stop:step] (PF_NONE_IDX = omitted bound),
 * or, when xs is NULL, the single element `start` (a slot). LAYOUT pf_piece: 0 xs 8 start 16 stop 24 step */
typedef struct pf_piece {
    const pf_list *xs;
    int64_t start, stop, step;
} pf_piece;
/* pieces[0] + pieces[1] + ... as one new list of `type` (`x[:i] + [v] + x[i + 1:]` in one pass).
 * Pieces are borrowed; steps must be nonzero. Consumes `reuse` (NULL or a list whose old value is
 * dead, e.g. the variable being reassigned): when it is unique, holds scalars and has room, the
 * result is written into it, so rebuilding a small list costs no allocation. */
pf_list *rt_list_splice(pf_ctx *ctx, pf_list *reuse, const pf_type *type, int64_t n, const pf_piece *pieces);
int64_t rt_list_contains(pf_ctx *ctx, const pf_list *xs, pf_slot v); /* v in xs */
int64_t rt_list_index(pf_ctx *ctx, const pf_list *xs, pf_slot v);    /* xs.index(v), ValueError */
int64_t rt_list_count(pf_ctx *ctx, const pf_list *xs, pf_slot v);    /* xs.count(v) */
pf_list *rt_list_reversed(pf_ctx *ctx, pf_list *xs);                 /* consumes xs */
/* A key function for sorted/min/max: env borrowed, arg borrowed, result owned. A float result is
 * returned bit-cast in the int64 (codegen emits a thunk with this signature around the lambda). */
typedef pf_slot (*pf_key_fn)(pf_ctx *ctx, pf_obj *env, pf_slot arg);
/* sorted(xs, key=key, reverse=reverse): stable merge sort; consumes xs (sorted in place if
 * unique). key may be NULL (then key_type is ignored); key_type is the static type of key(x). */
pf_list *rt_list_sorted(pf_ctx *ctx, pf_list *xs, pf_key_fn key, pf_obj *env,
                        const pf_type *key_type, int64_t reverse);
/* sorted(xs, key=..., reverse=...) when the caller computed the keys itself (a fused loop):
 * keys[i] is the key of xs[i] (keys->type->elem is the key type). Stable; consumes xs and keys;
 * the result is xs's elements in sorted order (xs reused in place when unique). */
pf_list *rt_list_sort_by_keys(pf_ctx *ctx, pf_list *xs, pf_list *keys, int64_t reverse);
/* list(range(start, stop, step)); step 0 raises ValueError. */
pf_list *rt_list_range(pf_ctx *ctx, int64_t start, int64_t stop, int64_t step);
/* Number of elements of range(start, stop, step) (step != 0). */
int64_t rt_range_len(int64_t start, int64_t stop, int64_t step);
/* sum of a list[float] with DESIGN.md's fixed-block rule (bit-identical to CPython for short
 * lists): left to right inside blocks of 1024, block sums combined pairwise. */
double rt_float_sum(const double *xs, int64_t n);

/* ============================================================================================
 * Tuples, records (class instances), closures, boxes
 * ========================================================================================== */

/* New tuple/record of type t (kind PF_T_TUPLE or PF_T_RECORD) with t->n slots, uninitialised:
 * the caller stores owned values into slots[0..n) before anything else can see the object. */
pf_rec *rt_rec_new(pf_ctx *ctx, const pf_type *t);
/* Perceus-style reuse: a new tuple/record of type t built in the memory of `old` when old is
 * unique and has the same number of slots (its fields are released first), else a fresh one.
 * Consumes old (may be NULL). Slots are uninitialised, as for rt_rec_new. Lets a loop such as
 * `bodies = [move(b) for b in bodies]` rebuild records without malloc/free. */
pf_rec *rt_rec_reuse(pf_ctx *ctx, pf_obj *old, const pf_type *t);
/* field i, borrowed */
static inline pf_slot rt_rec_at(const pf_rec *r, int64_t i) { return r->slots[i]; }
/* t[i] for a tuple with a runtime index (Python negatives, IndexError); borrowed. */
pf_slot rt_tuple_get(pf_ctx *ctx, const pf_rec *t, int64_t i);
pf_closure *rt_closure_new(pf_ctx *ctx, const pf_type *t, void *fn); /* slots uninitialised */
pf_box *rt_box_new(pf_ctx *ctx, pf_slot v); /* optional scalar; v is a scalar */

/* ============================================================================================
 * Dicts
 * ========================================================================================== */

pf_dict *rt_dict_new(pf_ctx *ctx, const pf_type *type, int64_t cap);
/* d | {k: v}, and building literals/comprehensions: consumes d, k and v; reuses d when unique,
 * otherwise copies it. An existing key keeps its position and gets the new value. */
pf_dict *rt_dict_set(pf_ctx *ctx, pf_dict *d, pf_slot k, pf_slot v);
/* Position of key k in d->entries, or -1. */
int64_t rt_dict_find(pf_ctx *ctx, const pf_dict *d, pf_slot k);
pf_slot rt_dict_getitem(pf_ctx *ctx, const pf_dict *d, pf_slot k); /* d[k], KeyError; borrowed */
pf_slot rt_dict_get(pf_ctx *ctx, const pf_dict *d, pf_slot k, pf_slot dflt); /* borrowed */
int64_t rt_dict_contains(pf_ctx *ctx, const pf_dict *d, pf_slot k);
static inline int64_t rt_dict_len(const pf_dict *d) { return d->len; }
pf_dict *rt_dict_merge(pf_ctx *ctx, pf_dict *a, const pf_dict *b); /* a | b; consumes a */
/* keys(), values() and items() as new lists in insertion order; `type` is the result list type
 * (list[K], list[V], list[tuple[K, V]]). For loops may instead read d->entries[i] directly. */
pf_list *rt_dict_keys(pf_ctx *ctx, const pf_dict *d, const pf_type *type);
pf_list *rt_dict_values(pf_ctx *ctx, const pf_dict *d, const pf_type *type);
pf_list *rt_dict_items(pf_ctx *ctx, const pf_dict *d, const pf_type *type);

/* ============================================================================================
 * Output. All program output goes through rt_out_write (runtime/print.c): stdout (buffered by
 * libc) for the run's main task, else the running task's buffer, stitched in program order at its
 * join. rt_out_flush: fflush(stdout), or done when a task's buffer reaches stdout.
 * ========================================================================================== */

void rt_out_write(pf_ctx *ctx, const char *bytes, size_t len);
void rt_out_flush(pf_ctx *ctx);
/* print(*args, sep=sep, end=end): n values with their static types; sep/end NULL = " " / "\n".
 * Strings print as str(), everything else as str() of the value (repr inside containers). */
void rt_print(pf_ctx *ctx, int64_t n, const pf_slot *vals, const pf_type *const *types,
              const pf_str *sep, const pf_str *end);
void rt_print_str(pf_ctx *ctx, const pf_str *s); /* writes s's bytes, nothing else */

#endif
