/* The typed pf IR: what name resolution + type inference (ir/) produce from the AST and what
 * codegen/ lowers to LLVM. Every name is resolved, every expression carries a static type, every
 * function is specialised for one tuple of argument types, builtins and methods are enumerated ops.
 * Also the API: ir_build (AST -> IR module or diagnostics), ir_check, ir_dump (`--emit-ir`).
 *
 * ## What holds after resolution (ir/resolve.c)
 * - Each AST_NAME use is a local of the enclosing def/lambda/module code, a capture (a local of an
 *   enclosing def, copied into the closure when the inner def/lambda is evaluated: capture BY
 *   VALUE), a module global, a module-level def/class, an imported module/name, or a builtin.
 *   Python's rule decides local vs free: a name bound anywhere in a def body is local to it.
 * - `global`, `nonlocal`, `del`, subscript/attribute assignment (except `self.f = v` in
 *   `__init__`), mutating methods (`append`, `extend`, `update`, `sort`, ...) were rejected with a
 *   hint saying what to write instead.
 * - Module-level names read by some function are ir_globals; every other module-level name is a
 *   local of `main`. A module-level def/class name is never rebound.
 *
 * ## What holds after inference (ir/infer.c) — i.e. in every module ir_build returns
 * - Every ir_expr.type, ir_local.type, ir_func.ret is a concrete interned type: no UNKNOWN/ERROR.
 *   Interning: two equal types are the same pointer (compare with ==), except that a CLASS type is
 *   one object per class (its fields are a property of the class).
 * - Operands have exactly the types their op documents below: implicit conversions are explicit
 *   nodes (IR_E_CONVERT int->float, IR_E_WRAP T->T|None, IR_E_UNWRAP after `is not None`
 *   narrowing, IR_E_TRUTH any->bool for if/while/and/or/not conditions).
 * - Calls name the callee specialisation (ir_func) directly; keyword and default arguments are
 *   resolved to positions; calls of function VALUES are static too (see FUNC types below).
 * - Tuple unpacking (assignment, for targets) is lowered to IR_E_TUPLE_GET reads into locals.
 * - Only the specialisations reachable from main are in the module. Defs no call reaches were
 *   still checked (with unknown argument types: names, mutation) but produce no ir_func.
 * - A module name bound once, at top level, to a literal or to numeric arithmetic on literals and
 *   such constants (`N = 8`, `SOLAR_MASS = 4 * PI * PI`) is read inside functions as that
 *   expression (LLVM folds it); main still assigns its global when functions read it.
 * - A non-literal default of a module-level def or method is evaluated once, when the def/class
 *   statement runs, into a hidden global named "f.param" that calls read (Python's rule).
 * - Narrowing (`is None` / `is not None` / truth / assert, early return): variables, fields
 *   `x.f` (sound because instances are immutable; dropped when x is rebound) and
 *   comprehension names filtered by an `if` are read through IR_E_UNWRAP where proven non-None.
 *
 * ## Design choice: empty containers
 * `[]` and `{}` have element type "unknown" (joins with anything) until a use fixes it:
 * `acc = []` then `acc = acc + [x]` makes acc list[int]; a parameter given `[]` whose body fixes
 * the element (`cols + [c]`) redirects callers to the refined specialisation f[int,list[int]]. A
 * type never fixed becomes None (list[None]); a loop or comprehension over such an always-empty
 * source is folded to its empty result. Rejected: requiring annotations on empty literals
 * (unpythonic) and a global unification solver (obscure errors, and specialisation needs
 * concrete argument types before a body is read anyway).
 *
 * ## What holds after parallelism analysis (ir/par.c, ir_par_analyze)
 * - ir_comp.par / ir_stmt.par (FOR) / ir_expr.par (CALL) say which constructs may run in
 *   parallel (false when PF_NOPAR is set). This is why comprehensions, reductions and loops are
 *   kept as structured nodes here instead of being lowered to plain loops.
 *
 * ## Design choice: specialisation per call signature (Julia / Codon), not boxing
 * Each (def, captured types, argument types) triple gets its own ir_func, named readably
 * `sq_distance[list[float],list[float]]`. Cost: code size grows with the number of distinct
 * signatures, and a program needing a value of two types at one place (a list of int and str, a
 * variable int on one path and str on another) is rejected at compile time, naming both places.
 * Gain: every value is unboxed or a known object layout, so codegen emits direct code and LLVM
 * inlines freely — this is what makes the 1.5x-of-C target reachable.
 * Rejected: (a) a uniform boxed representation with runtime type tags (what CPython does; 10-100x
 * slower arithmetic, and RC traffic on every int); (b) Hindley–Milner with generic functions
 * compiled once over boxed type variables (still boxes; and Python's overloading of `+` on int,
 * float, str, list needs type classes we do not want); (c) inferring types per variable
 * version (SSA renaming) so `x = 1; x = "a"` is allowed — more permissive but the error
 * messages for the genuinely dynamic cases become obscure; a name has one type per function.
 * Recursion: specialisations are inferred to a fixpoint over the whole program; a recursive call
 * inside its own specialisation uses the return type known so far (initially unknown, which
 * absorbs), passes repeat until no type changes, and one last pass with diagnostics enabled
 * builds the IR kept in the module. A return type still unknown after that is an error.
 *
 * ## Design choice: function values
 * Each def/lambda has its own FUNC type carrying its captured values' types, so calling a
 * function-typed value (`key=lambda p: p[1]`, `map(f, xs)`, a higher-order def's parameter)
 * resolves statically to one specialisation; a higher-order def is specialised per function
 * argument. Cost: a list of two different functions is a type error. Rejected: function pointers
 * with boxed arguments (dynamic calls defeat inlining of `key=` and `map` bodies).
 * Runtime value of a FUNC type: a pf_closure (runtime/value.h) whose slots are the captures;
 * codegen may pass NULL for a FUNC type with no captures (nothing reads it).
 *
 * ## Design choice: capture by value, and where it would differ from Python (ir/latebind.c)
 * A closure copies its captured values when the def/lambda is evaluated; Python reads the name
 * when the closure is called. The two agree unless the name is bound again after the closure was
 * made, so resolution rejects (at the rebinding, with a note at the closure) a def/lambda that
 * captures a local name of the enclosing def or a comprehension variable, when that name is bound
 * again (assignment, augmented assignment, for/comprehension target, def, except-as) either later
 * in source order in the same scope, or anywhere in a loop/comprehension that encloses both (the
 * next iteration rebinds it). Exempt: a lambda passed directly as a call argument (`key=lambda
 * p: ...`, `map(lambda ...)`), which is called before the name changes in practice. Module-level
 * names are globals, read when called as in Python, so only comprehension variables count there.
 * Rejected alternative: capturing cells (late binding) — it makes every captured local a heap
 * cell shared between threads, which immutable by-value capture avoids.
 */
#ifndef PF_IR_H
#define PF_IR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lexer/lexer.h"
#include "parser/ast.h"

typedef struct ir_type ir_type;
typedef struct ir_class ir_class;
typedef struct ir_expr ir_expr;
typedef struct ir_stmt ir_stmt;
typedef struct ir_iter ir_iter;
typedef struct ir_comp ir_comp;
typedef struct ir_local ir_local;
typedef struct ir_global ir_global;
typedef struct ir_func ir_func;
typedef struct ir_module ir_module;
typedef struct ir_fndef ir_fndef; /* inference's record of one def/lambda (opaque) */

/* =========================================================================================
 * Types. ORDER TKIND: IR_T_INT..IR_T_EXC have the values of runtime/value.h pf_tkind
 * (IR_T_CLASS == PF_T_RECORD), so codegen may cast.
 * ======================================================================================= */
typedef enum ir_type_kind {
    IR_T_UNKNOWN = 0, /* inference only ("not known yet"); never in a built module */
    IR_T_INT = 1,     /* i64 */
    IR_T_FLOAT,       /* double */
    IR_T_BOOL,        /* i1 in registers, 0/1 in slots */
    IR_T_NONE,        /* no value (slot 0) */
    IR_T_STR,         /* pf_str* */
    IR_T_LIST,        /* pf_list*; elems[0] = element type */
    IR_T_TUPLE,       /* pf_rec* (or a register struct when it does not escape); elems[0..n) */
    IR_T_DICT,        /* pf_dict*; elems[0] = key type, elems[1] = value type */
    IR_T_CLASS,       /* pf_rec* instance; cls; elems[0..n) = field types (= cls->field_types) */
    IR_T_FUNC,        /* pf_closure*; def; elems[0..n) = types of the captured values */
    IR_T_OPTIONAL,    /* T | None; elems[0] = T (never NONE or OPTIONAL); NULL pointer = None,
                         scalars boxed (pf_box) as value.h says */
    IR_T_EXC,         /* pf_exc* (`except E as e`) */
    IR_T_ERROR,       /* inference only: the type of an erroneous expression (already reported;
                         absorbs everything so one mistake gives one message) */
} ir_type_kind;

struct ir_type {
    ir_type_kind kind;
    int32_t id;        /* index in ir_module.types; unique per distinct type */
    int32_t n;         /* number of elems (TUPLE arity, CLASS fields, FUNC captures; 1 for LIST and
                          OPTIONAL, 2 for DICT, 0 for scalars) */
    ir_type **elems;   /* see the kinds above */
    const char *str;   /* spelling: "int", "list[float]", "tuple[int, str]", "dict[str, int]",
                          "int | None", "Point" (class), "function f" / "function <lambda>@3:9" */
    ir_class *cls;     /* CLASS only */
    ir_fndef *def;     /* FUNC only: which def/lambda (identity; opaque to codegen) */
};

/* One record type per class (DESIGN.md: fields set once in __init__). Field types are the join
 * of what every __init__ specialisation assigns; methods are specialised like functions with
 * `self` as params[0]. */
struct ir_class {
    const char *name;        /* "Point" */
    ir_type *type;           /* its CLASS type */
    int32_t nfields;
    const char **field_names; /* in order of first assignment in __init__ */
    ir_type **field_types;   /* same array as type->elems */
    ir_func *repr;           /* `__repr__[C]` if the class defines it (else NULL): print/str/repr
                                of an instance, also nested inside containers, call it */
    ir_func *str;            /* `__str__[C]` or NULL (print/str prefer it over repr) */
    int32_t line;            /* of the `class` statement */
};

/* =========================================================================================
 * Operations. Numeric ones appear in IR_E_UNARY / IR_E_BINARY, the rest in IR_E_OP.
 * "raises" = the op may set ctx->exc (the node's may_raise is set). T = any type.
 * ORDER IROP: ir_op_name() in ir/dump.c follows this list.
 * ======================================================================================= */
typedef enum ir_op {
    IR_OP_NONE = 0,
    /* --- IR_E_BINARY: both operands have the node's type (int or float), except
     *     shifts/bit ops (int only), DIV (float operands, float result). */
    IR_OP_ADD,      /* int raises OverflowError */
    IR_OP_SUB,      /* int raises OverflowError */
    IR_OP_MUL,      /* int raises OverflowError */
    IR_OP_DIV,      /* float / float (ints were converted): raises ZeroDivisionError; the node's
                       ival is 1 when both source operands were int/bool, for CPython's message
                       ("division by zero" for int / int, else "float division by zero") */
    IR_OP_FLOORDIV, /* Python floor semantics; raises ZeroDivisionError (int: also Overflow) */
    IR_OP_MOD,      /* Python sign-of-divisor semantics; raises ZeroDivisionError */
    IR_OP_POW,      /* int**int: raises OverflowError, and ValueError for a negative exponent
                       (a negative LITERAL exponent was turned into float**float, as Python
                       returns a float); float**float: raises ZeroDivisionError (0.0**-1) and
                       ValueError (negative base, fractional exponent) */
    IR_OP_LSHIFT,   /* int; raises OverflowError / ValueError (negative count) */
    IR_OP_RSHIFT,   /* int; raises ValueError (negative count) */
    IR_OP_BITAND,   /* int, or bool & bool -> bool */
    IR_OP_BITOR,    /* int, or bool | bool -> bool */
    IR_OP_BITXOR,   /* int, or bool ^ bool -> bool */
    /* --- IR_E_UNARY */
    IR_OP_NEG,      /* int (raises OverflowError) or float */
    IR_OP_INVERT,   /* int: ~x */
    IR_OP_NOT,      /* bool operand (IR_E_TRUTH inserted), bool result */

    /* --- IR_E_OP: builtins. args listed in order; "NULL" = the arg may be absent (NULL). */
    IR_OP_PRINT,    /* (sep: str, end: str, flush: bool, values: T...) -> None. print(*values, sep=,
                       end=, flush=) */
    IR_OP_LEN,      /* (str | list | tuple | dict) -> int */
    IR_OP_ABS,      /* (int | float) -> same; int raises OverflowError */
    IR_OP_ROUND,    /* (float) -> int [half to even]; (float, int) -> float; (int) -> int */
    IR_OP_MIN,      /* (a: T, b: T, ...) >= 2 args of one type -> T (min(a, b) of values) */
    IR_OP_MAX,      /* as MIN */
    IR_OP_INT,      /* (float | str | bool | int) -> int; raises ValueError/OverflowError */
    IR_OP_FLOAT,    /* (int | str | bool | float) -> float; str raises ValueError */
    IR_OP_STR,      /* (T) -> str: str(x) (class: __str__, else __repr__) */
    IR_OP_REPR,     /* (T) -> str: repr(x) */
    IR_OP_FORMAT,   /* (value: T, spec: str) -> str: format(value, spec), f-string fields;
                       raises ValueError on a bad spec */
    IR_OP_STR_BUILD, /* (parts: str...) -> str: concatenation of all parts (f-strings) */
    IR_OP_CHR,      /* (int) -> str; raises ValueError */
    IR_OP_ORD,      /* (str) -> int; raises TypeError unless length 1 */
    /* str */
    IR_OP_STR_CONCAT,     /* (str, str) -> str */
    IR_OP_STR_REPEAT,     /* (str, int) -> str (int * str is swapped to this order) */
    IR_OP_STR_INDEX,      /* (str, int) -> str of one code point; raises IndexError */
    IR_OP_STR_SLICE,      /* (str, lo: int|NULL, hi: int|NULL, step: int|NULL) -> str;
                             step 0 raises ValueError */
    IR_OP_STR_CONTAINS,   /* (haystack: str, needle: str) -> bool (`needle in haystack`) */
    IR_OP_STR_SPLIT,      /* (str, sep: str|NULL) -> list[str]; empty sep raises ValueError */
    IR_OP_STR_JOIN,       /* (sep: str, parts: list[str]) -> str */
    IR_OP_STR_STRIP,      /* (str, chars: str|NULL) -> str */
    IR_OP_STR_LSTRIP,     /* as STRIP */
    IR_OP_STR_RSTRIP,     /* as STRIP */
    IR_OP_STR_REPLACE,    /* (str, old: str, new: str) -> str */
    IR_OP_STR_STARTSWITH, /* (str, prefix: str) -> bool */
    IR_OP_STR_ENDSWITH,   /* (str, suffix: str) -> bool */
    IR_OP_STR_FIND,       /* (str, sub: str) -> int (-1 if absent) */
    IR_OP_STR_COUNT,      /* (str, sub: str) -> int */
    IR_OP_STR_UPPER,      /* (str) -> str */
    IR_OP_STR_LOWER,      /* (str) -> str */
    IR_OP_STR_ISDIGIT,    /* (str) -> bool */
    IR_OP_STR_ISALPHA,    /* (str) -> bool */
    IR_OP_STR_ISSPACE,    /* (str) -> bool */
    /* list */
    IR_OP_LIST_CONCAT,    /* (list[T], list[T]) -> list[T]; codegen may let it consume a unique
                             first operand (`acc = acc + [v]` amortised O(1)) */
    IR_OP_LIST_REPEAT,    /* (list[T], int) -> list[T] (int * list swapped to this order) */
    IR_OP_LIST_INDEX,     /* (list[T], int) -> T, negative index from the end; raises IndexError */
    IR_OP_LIST_SLICE,     /* (list[T], lo: int|NULL, hi: int|NULL, step: int|NULL) -> list[T] */
    IR_OP_LIST_CONTAINS,  /* (list[T], x: T) -> bool (`x in xs`) */
    IR_OP_LIST_FIND,      /* (list[T], x: T) -> int: xs.index(x); raises ValueError */
    IR_OP_LIST_COUNT,     /* (list[T], x: T) -> int: xs.count(x) */
    IR_OP_LIST_REVERSED,  /* (list[T]) -> list[T]: reversed(xs) used as a value */
    /* tuple (heterogeneous tuples are indexed with IR_E_TUPLE_GET) */
    IR_OP_TUPLE_INDEX,    /* (tuple[T, T, ...], int) -> T: dynamic index into a homogeneous
                             tuple; raises IndexError */
    IR_OP_TUPLE_CONTAINS, /* (tuple[T, T, ...], x: T) -> bool */
    /* dict */
    IR_OP_DICT_GETITEM,   /* (dict[K,V], K) -> V: d[k]; raises KeyError */
    IR_OP_DICT_GET,       /* (dict[K,V], K, default: V) -> V: d.get(k, default) */
    IR_OP_DICT_GET_OPT,   /* (dict[K,V], K) -> V | None: d.get(k) */
    IR_OP_DICT_CONTAINS,  /* (dict[K,V], K) -> bool (`k in d`) */
    IR_OP_DICT_MERGE,     /* (dict[K,V], dict[K,V]) -> dict[K,V]: d | e (may consume a unique d) */
    IR_OP_DICT_KEYS,      /* (dict[K,V]) -> list[K] (materialised; `for` uses IR_IT_DICT_*) */
    IR_OP_DICT_VALUES,    /* (dict[K,V]) -> list[V] */
    IR_OP_DICT_ITEMS,     /* (dict[K,V]) -> list[tuple[K, V]] */
    /* range used as a value (not as a loop source) */
    IR_OP_RANGE_LIST,     /* (start: int, stop: int, step: int) -> list[int]; step 0 raises
                             ValueError */
    /* exceptions */
    IR_OP_EXC_STR,        /* (exc) -> str: the message, str(e) */
    /* math (float arguments; ints were converted) */
    IR_OP_MATH_SQRT,      /* (float) -> float; raises ValueError for x < 0 */
    IR_OP_MATH_SIN, IR_OP_MATH_COS, IR_OP_MATH_TAN, /* (float) -> float */
    IR_OP_MATH_ASIN, IR_OP_MATH_ACOS,               /* (float) -> float; raise ValueError */
    IR_OP_MATH_ATAN,      /* (float) -> float */
    IR_OP_MATH_ATAN2,     /* (y: float, x: float) -> float */
    IR_OP_MATH_EXP,       /* (float) -> float; raises OverflowError */
    IR_OP_MATH_LOG,       /* (float) -> float, or (x: float, base: float); raises ValueError */
    IR_OP_MATH_LOG2,      /* (float) -> float; raises ValueError */
    IR_OP_MATH_LOG10,     /* (float) -> float; raises ValueError */
    IR_OP_MATH_POW,       /* (float, float) -> float; raises ValueError/OverflowError */
    IR_OP_MATH_FABS,      /* (float) -> float */
    IR_OP_MATH_FLOOR,     /* (float) -> int; raises ValueError (nan) / OverflowError (inf) */
    IR_OP_MATH_CEIL,      /* (float) -> int; as FLOOR */
    IR_OP_MATH_TRUNC,     /* (float) -> int; as FLOOR */
    IR_OP_MATH_HYPOT,     /* (float, float) -> float */
    IR_OP_MATH_ISNAN,     /* (float) -> bool */
    IR_OP_MATH_ISINF,     /* (float) -> bool */
    IR_OP_MATH_ISFINITE,  /* (float) -> bool */
    IR_OP_MATH_GCD,       /* (int, int) -> int */
    /* random (seeded, splittable: DESIGN.md §1) */
    IR_OP_RANDOM_SEED,    /* (int) -> None */
    IR_OP_RANDOM_RANDOM,  /* () -> float in [0, 1) */
    IR_OP_RANDOM_RANDINT, /* (a: int, b: int) -> int in [a, b]; raises ValueError if a > b */
    IR_OP_RANDOM_UNIFORM, /* (a: float, b: float) -> float */
    IR_OP_RANDOM_GAUSS,   /* (mu: float, sigma: float) -> float */
    IR_OP_RANDOM_CHOICE,  /* (list[T]) -> T; raises IndexError on empty */
    /* time, pf */
    IR_OP_TIME_TIME,      /* () -> float, seconds since the epoch */
    IR_OP_TIME_PERF,      /* () -> float: time.perf_counter() */
    IR_OP_PF_THREADS,     /* () -> int: pf.threads() */
    IR_OP_SYS_ARGV,       /* () -> list[str]: sys.argv (a new list each read; pf_sys_argv) */
    /* more str methods (added after the first list; runtime/value.h has each as rt_str_*) */
    IR_OP_STR_FIND_RANGE, /* (str, sub: str, start: int|NULL, end: int|NULL) -> int:
                             s.find(sub, start[, end]) (rt_str_find_range) */
    IR_OP_STR_RFIND,      /* (str, sub: str, start: int|NULL, end: int|NULL) -> int */
    IR_OP_STR_COUNT_RANGE, /* (str, sub: str, start: int|NULL, end: int|NULL) -> int */
    IR_OP_STR_INDEX_OF,   /* (str, sub: str) -> int: s.index(sub); raises ValueError */
    IR_OP_STR_REPLACE_N,  /* (str, old: str, new: str, count: int) -> str */
    IR_OP_STR_SPLIT_N,    /* (str, sep: str|NULL, maxsplit: int) -> list[str] */
    IR_OP_STR_RSPLIT,     /* (str, sep: str|NULL, maxsplit: int (-1 = all)) -> list[str] */
    IR_OP_STR_SPLITLINES, /* (str) -> list[str] */
    IR_OP_STR_ISALNUM,    /* (str) -> bool */
    IR_OP_STR_ISUPPER,    /* (str) -> bool */
    IR_OP_STR_ISLOWER,    /* (str) -> bool */
    IR_OP_STR_ZFILL,      /* (str, width: int) -> str */
    IR_OP_STR_CENTER,     /* (str, width: int, fill: str|NULL) -> str; raises TypeError */
    IR_OP_STR_LJUST,      /* as CENTER */
    IR_OP_STR_RJUST,      /* as CENTER */
    IR_OP_STR_CAPITALIZE, /* (str) -> str */
    IR_OP_STR_TITLE,      /* (str) -> str */
    IR_OP_STR_REMOVEPREFIX, /* (str, prefix: str) -> str */
    IR_OP_STR_REMOVESUFFIX, /* (str, suffix: str) -> str */
    IR_OP__COUNT
} ir_op;

/* Comparison operators of IR_E_COMPARE. */
typedef enum ir_cmp {
    IR_CMP_EQ = 1, IR_CMP_NE, IR_CMP_LT, IR_CMP_LE, IR_CMP_GT, IR_CMP_GE,
    IR_CMP_IN,     /* left in right: right is str (substring), list, tuple (homogeneous) or dict */
    IR_CMP_NOT_IN,
} ir_cmp;

/* =========================================================================================
 * Expressions. One flat struct (unused fields are zero) so codegen reads fields without
 * unions; `kind` says which fields mean something.
 * ======================================================================================= */
typedef enum ir_expr_kind {
    IR_E_INT = 1,  /* ival */
    IR_E_FLOAT,    /* fval */
    IR_E_BOOL,     /* ival 0/1 */
    IR_E_NONE,     /* type NONE (a None of optional type is IR_E_NONE with type T|None) */
    IR_E_STR,      /* str, slen: a constant (emit as an immortal pf_str) */
    IR_E_LOCAL,    /* local: read a slot of the current function. The node's type equals
                      local->type except for an empty list/dict whose element type was only
                      fixed later (list[None] slot read as list[int]): the value is empty */
    IR_E_GLOBAL,   /* global: read a module global */
    IR_E_CAPTURE,  /* index: read captured value `index` of the current function's closure
                      (ir_func.env; type = env->elems[index]); index -1 (reserved, not
                      emitted yet): the closure itself (type = env). A nested def that calls
                      itself currently rebuilds its closure with IR_E_FUNC from its captures */
    IR_E_FUNC,     /* make a function value of FUNC type `type`: args = the captured values in
                      capture order (nargs == type->n; none: a plain function) */
    IR_E_UNARY,    /* op (NEG, INVERT, NOT), args[0] */
    IR_E_BINARY,   /* op (ADD .. BITXOR), args[0], args[1]; see ir_op for operand types */
    IR_E_COMPARE,  /* args[0..nargs), cmps[0..nargs-1): (a0 c0 a1) and (a1 c1 a2) ...,
                      each operand evaluated once, short-circuit left to right; result bool.
                      Operand types: ==/!=/</<=/>/>= compare two values of ONE type (numeric
                      operands of a chain were all converted to float if any is float);
                      orderings on int, float, bool, str, tuple (lexicographic), list;
                      IN/NOT_IN: see ir_cmp. Classes with __eq__/__lt__ are IR_E_CALLs instead */
    IR_E_AND,      /* args[0] and args[1]: both of the node's type T; value semantics as Python
                      (a if not truth(a) else b); codegen tests truth(a) as IR_E_TRUTH does */
    IR_E_OR,       /* args[0] or args[1], as AND */
    IR_E_TRUTH,    /* bool(args[0]) for any T: int/float != 0, str/list/tuple/dict non-empty,
                      optional not None, None false, class/func true */
    IR_E_COND,     /* args[1] if args[0] else args[2]; args[0] is bool */
    IR_E_CONVERT,  /* args[0] (int or bool) -> type (float or int): int->float, bool->int,
                      bool->float */
    IR_E_WRAP,     /* args[0] of type T -> T | None (type); boxes a scalar. args[0] may also be
                      of type None (e.g. a call returning None): the result is then None */
    IR_E_UNWRAP,   /* args[0] of type T | None -> T, where narrowing proved it is not None */
    IR_E_ISNONE,   /* args[0] of optional type; ival = 0: `is None`, 1: `is not None`; bool.
                      (Tests with a statically known answer were folded to IR_E_BOOL.) */
    IR_E_TUPLE,    /* build a tuple from args[0..n) */
    IR_E_LIST,     /* build a list from args (type gives the element type; may be empty) */
    IR_E_DICT,     /* build a dict from args = k0, v0, k1, v1, ... (later keys win) */
    IR_E_TUPLE_GET, /* args[0] tuple, index = constant component (normalised, in range) */
    IR_E_FIELD,    /* args[0] class instance, index = field number */
    IR_E_CALL,     /* func(args...): a direct call of a specialisation. args = every parameter
                      in order (defaults filled in). env = the callee's closure value (FUNC type
                      with captures, func->env != NULL) or NULL. May raise (always: recursion
                      limit, and anything the callee raises). */
    IR_E_NEW,      /* construct class `type`: allocate the record (fields zero), call func =
                      `__init__[C, ...]` with the new instance as its params[0] and args as the
                      rest; value = the instance. May raise. func is NULL (and args empty) for
                      a class without __init__. */
    IR_E_OP,       /* op(args...): a builtin, see ir_op */
    IR_E_COMP,     /* comp: comprehension / generator reduction, see ir_comp */
    IR_E_LET,      /* local = args[0]; then value of args[1] (a temp evaluated once, e.g. a
                      lambda passed as key= evaluated before the loop) */
} ir_expr_kind;

struct ir_expr {
    ir_expr_kind kind;
    ir_type *type;     /* static type of the value */
    int32_t line, col; /* source position (for tracebacks of raising nodes) */
    bool may_raise;    /* evaluating THIS node (not its operands) may set ctx->exc */
    bool par;          /* CALL: may fork (parallelism analysis, issue 6); false for now */
    ir_op op;          /* UNARY, BINARY, OP */
    ir_expr **args;    /* operands, see each kind */
    int32_t nargs;
    int32_t index;     /* CAPTURE, TUPLE_GET, FIELD */
    int64_t ival;      /* INT, BOOL, ISNONE */
    double fval;       /* FLOAT */
    const char *str;   /* STR: bytes (NUL-terminated, may contain NULs) */
    int32_t slen;      /* STR: length in bytes */
    ir_local *local;   /* LOCAL, LET */
    ir_global *global; /* GLOBAL */
    ir_func *func;     /* CALL, NEW */
    ir_expr *env;      /* CALL: closure value or NULL */
    ir_cmp *cmps;      /* COMPARE: nargs - 1 operators */
    ir_comp *comp;     /* COMP */
};

/* =========================================================================================
 * Iteration sources: `for` statements and the for-clauses of comprehensions. Kept structured so
 * codegen fuses them into counted loops (no range/zip/enumerate objects are ever built) and a
 * later pass can split them. Each iteration assigns the element to `var` (and `var2`), then
 * runs `bind` (unpacking of the target pattern into locals), then the body.
 * ======================================================================================= */
typedef enum ir_iter_kind {
    IR_IT_RANGE = 1, /* for var in range(a, b, c): a, b, c ints (a = 0 / c = 1 filled in);
                        step 0 raises ValueError; var: int */
    IR_IT_LIST,      /* for var in a (list[T]); reverse: iterate from the end (reversed(xs)) */
    IR_IT_STR,       /* for var in a (str): var = one-code-point str */
    IR_IT_TUPLE,     /* for var in a (homogeneous tuple[T, T, ...]) */
    IR_IT_DICT_KEYS, /* for var in a (dict) / a.keys(): var = key */
    IR_IT_DICT_VALUES, /* for var in a.values(): var = value */
    IR_IT_DICT_ITEMS, /* for var, var2 in a.items(): var = key, var2 = value */
    IR_IT_ZIP,       /* zip(subs...): subs[i]->var receive the components; stops at the shortest */
    IR_IT_ENUMERATE, /* enumerate(subs[0], a): var = the counter (int, starts at a), subs[0]->var
                        the element */
} ir_iter_kind;

typedef struct ir_block {
    ir_stmt **items;
    int32_t len, cap;
} ir_block;

struct ir_iter {
    ir_iter_kind kind;
    int32_t line, col;
    ir_expr *a, *b, *c;   /* RANGE: start, stop, step; LIST/STR/TUPLE/DICT_*: a = the container
                             (evaluated once, before the first iteration); ENUMERATE: a = start */
    ir_iter **subs;       /* ZIP (>= 1), ENUMERATE (exactly 1): nested sources */
    int32_t nsubs;
    bool reverse;         /* LIST only */
    ir_local *var;        /* receives the element (ZIP: NULL, components go to subs' vars) */
    ir_local *var2;       /* DICT_ITEMS: receives the value; else NULL */
    ir_block bind;        /* run after var/var2 are set, each iteration: target unpacking
                             (IR_S_ASSIGN of IR_E_TUPLE_GET / IR_E_TUPLE), may be empty */
};

/* One clause of a comprehension: a for-source or a filter. Clauses nest left to right. */
typedef struct ir_clause {
    ir_iter *iter; /* a for clause, or NULL for a filter */
    ir_expr *cond; /* a filter (bool), or NULL for a for clause */
} ir_clause;

typedef enum ir_comp_kind {
    IR_COMP_LIST = 1, /* [elt for ...], list(gen), list(iterable), map, filter -> list[T] */
    IR_COMP_DICT,     /* {key: elt for ...}, dict(gen of pairs) -> dict[K, V] */
    IR_COMP_SUM,      /* sum(gen, init): init + elt + elt ... (left to right; float sums in
                         DESIGN.md §1's blocks); elt and init of the result type (int, float,
                         or list/str/tuple concatenation is an error: Python's sum on str fails) */
    IR_COMP_MIN,      /* min(gen [, key=] [, default=]): first minimal elt; empty: init
                         (default=) or raises ValueError */
    IR_COMP_MAX,      /* as MIN, first maximal */
    IR_COMP_ANY,      /* any(gen): elt is bool; stops at the first true */
    IR_COMP_ALL,      /* all(gen): elt is bool; stops at the first false */
    IR_COMP_SORTED,   /* sorted(gen [, key=] [, reverse=]) -> list[T]; stable */
    IR_COMP_JOIN,     /* sep.join(gen): init = sep (str); elt str -> str */
} ir_comp_kind;

struct ir_comp {
    ir_comp_kind kind;
    ir_clause *clauses;   /* >= 1, clauses[0] is a for clause */
    int32_t nclauses;
    ir_expr *elt;         /* the element (DICT: the value) */
    ir_expr *key;         /* DICT: the key expression, evaluated BEFORE elt (Python 3.8's order;
                             dict(gen of pairs) relies on it: key may be an IR_E_LET whose local
                             elt reads); else NULL */
    ir_expr *init;        /* SUM: start; MIN/MAX: default= or NULL; JOIN: separator; else NULL */
    ir_local *key_var;    /* MIN/MAX/SORTED with key=: the element is assigned to key_var, then
                             key_fn computes its key (so `key=lambda p: p[1]` needs no function
                             pointer); NULL without key= */
    ir_expr *key_fn;      /* the key expression over key_var, or NULL */
    bool reverse;         /* SORTED: reverse=True */
    bool par;             /* may run in parallel (issue 6); false for now */
};

/* =========================================================================================
 * Statements
 * ======================================================================================= */
typedef enum ir_stmt_kind {
    IR_S_EXPR = 1,   /* expr evaluated, its value released */
    IR_S_ASSIGN,     /* local (or global) = expr; expr has exactly the target's type */
    IR_S_FIELD_INIT, /* expr2.field[index] = expr, only in __init__ (expr2 = self) */
    IR_S_IF,         /* if expr: body else: orelse */
    IR_S_WHILE,      /* while expr: body else: orelse (else runs when the loop ends without
                        break) */
    IR_S_FOR,        /* for iter: body else: orelse */
    IR_S_BREAK,
    IR_S_CONTINUE,
    IR_S_RETURN,     /* return expr (of the function's ret type), or NULL when ret is None */
    IR_S_RAISE,      /* index = pf_exc_kind > 0: raise that builtin exception with message expr
                        (str) or NULL (empty message); index = 0, expr = an exc value: raise it
                        again (`raise e`); index = 0, expr = NULL: bare `raise` in a handler
                        re-raises the exception being handled */
    IR_S_TRY,        /* try: body; handlers; else: orelse; finally: finalbody */
    IR_S_ASSERT,     /* assert expr[, expr2]: raises AssertionError with message str(expr2) */
} ir_stmt_kind;

typedef struct ir_handler {
    int32_t *kinds;   /* pf_exc_kind values matched (rt_exc_matches: subclasses match too) */
    int32_t nkinds;   /* 0: bare `except:` (catches everything catchable) */
    ir_local *var;    /* `as e` (type exc), or NULL */
    ir_block body;
    int32_t line, col;
} ir_handler;

struct ir_stmt {
    ir_stmt_kind kind;
    int32_t line, col;
    bool par;              /* FOR: may run in parallel (issue 6); false for now */
    ir_expr *expr;         /* see kinds */
    ir_expr *expr2;        /* ASSERT message or NULL; FIELD_INIT instance */
    ir_local *local;       /* ASSIGN target local, or NULL */
    ir_global *global;     /* ASSIGN target global, or NULL */
    int32_t index;         /* FIELD_INIT field; RAISE exception kind */
    ir_iter *iter;         /* FOR */
    ir_block body;         /* IF then, WHILE/FOR/TRY body */
    ir_block orelse;       /* IF else, WHILE/FOR/TRY else */
    ir_block finalbody;    /* TRY finally */
    ir_handler *handlers;  /* TRY */
    int32_t nhandlers;
};

/* =========================================================================================
 * Functions and the module
 * ======================================================================================= */
struct ir_local {
    const char *name;  /* source name, or "$t3" for a temporary */
    ir_type *type;
    int32_t id;        /* index in func->locals */
    bool is_param;     /* one of func->params */
    int32_t line, col; /* first binding */
};

/* A module-level name that some function reads (DESIGN.md: module-level names assigned once
 * are readable by functions). main assigns it with IR_S_ASSIGN; zero-initialised before. */
struct ir_global {
    const char *name;
    ir_type *type;
    int32_t id;        /* index in module->globals */
    void *slot;        /* an ir_env variable: the 8-byte slot outside the module that holds it
                          (codegen loads and stores through this address, and pf_main does not
                          release it: its owner does); NULL: the module's own global */
    bool script_var;   /* a module-level variable of the script (not of an imported module, not
                          a hidden default-argument value): what a session may keep */
    bool check_defined; /* a function may read it before main assigns it (a call comes first):
                          codegen keeps a "defined" flag, set by every assignment, and a read
                          outside main raises NameError while it is clear */
    const char *spelling; /* its type as inference left it, with '?' for parts nothing fixed
                          (`xs = []`: "list[?]", while type is list[None]): what a session
                          carries to the next entry (ir_env_var.type) */
};

struct ir_func {
    const char *name;       /* unique mangled name: "sq_distance[list[float],list[float]]",
                               "Model.update[Model,float]", "<lambda>@4:12[int]", "main" */
    const char *src_name;   /* for tracebacks: "sq_distance", "Model.update", "<lambda>",
                               "<module>" */
    const pf_source *src;   /* the file it was defined in (imports: another file) */
    int32_t line;           /* of the def */
    int32_t id;             /* index in module->funcs */
    ir_type *ret;           /* return type (NONE: returns no value) */
    ir_type *env;           /* FUNC type of the closure whose captures it reads, or NULL: then
                               the compiled signature is ret f(pf_ctx*, params...), else
                               ret f(pf_ctx*, pf_closure *env, params...) */
    ir_local **params;      /* in order; for methods and __init__ params[0] is self */
    int32_t nparams;
    ir_local **locals;      /* every slot: params first, then locals and temps */
    int32_t nlocals;
    ir_block body;          /* ends in IR_S_RETURN on every path that reaches its end */
    bool is_init;           /* a class __init__: returns None, may use IR_S_FIELD_INIT */
    const char *extern_sym; /* `extern def` (pf-only): the C symbol to call, else NULL. Then the
                               body is empty, params/ret are int (int64_t), float (double), bool
                               or str (const char *, NUL-terminated UTF-8), and codegen declares
                               and calls the symbol directly: ret sym(params...) — no ctx, no
                               exceptions */
    const char *extern_lib; /* library named by `from "libm.so.6"`, or NULL (the process) */
};

struct ir_module {
    const char *path;       /* the script's path as given */
    const pf_source *src;   /* the script */
    ir_func *main;          /* module-level code: ret None, no params */
    ir_func **funcs;        /* every specialisation reachable from main, main included */
    int32_t nfuncs;
    ir_global **globals;
    int32_t nglobals;
    ir_type **types;        /* every type appearing in the module (id order) */
    int32_t ntypes;
    ir_class **classes;
    int32_t nclasses;
    void *rng_state;        /* NULL: the module has its own random generator; else the address of
                               a pf_rng outside it (a session's, shared by all its entries), seeded
                               by the first module that uses random while it is still zeroed */
};

/* Limits (errors cite them). */
#define IR_MAX_PASSES   64     /* inference passes to reach the type fixpoint */
#define IR_MAX_SPECS    4096   /* specialisations in one program */
#define IR_MAX_TYPE_DEPTH 32   /* nesting of a type (list[list[...]]); deeper is an error */

/* Resolves and infers the whole program `m` (the file at `path`; `import foo` reads foo.pf from
 * the same directory, parsing it into the same arena). Returns the module, or NULL when any
 * error was reported to d (several per file where possible). Allocates only in a. */
ir_module *ir_build(pf_arena *a, pf_diags *d, const ast_module *m, const char *path);

/* An environment for building one entry of an incremental session (REPL, libpf): variables
 * that earlier entries bound, and how to treat the new module's own module-level code.
 * ir_build_env predeclares each var as a module-level variable of the script with the given type
 * (read and written through its slot: ir_global.slot), unless the script defines that name as a
 * def, class or import (then the var is hidden). The type is a spelling as ir_type_str writes it
 * ("int", "list[float]", "dict[str, tuple[int, str]]", "Point | None"); class names refer to the
 * classes of the script; "?" stands for a part not fixed yet (an empty list's element type),
 * which the entry may fix. A var whose spelling cannot be read (its class is gone) is left out. */
typedef struct ir_env_var {
    const char *name;   /* any string (interned by ir_build_env) */
    const char *type;   /* spelling of its type */
    void *slot;         /* 8 bytes owned by the caller, holding the value (objects: one reference) */
} ir_env_var;

/* A field type of a class of the script known from earlier entries (instances made before may
 * be used by an entry that never calls the constructor). Joined into the field's type. */
typedef struct ir_env_field {
    const char *cls, *field; /* class and field name */
    const char *type;        /* spelling, as ir_env_var.type */
} ir_env_field;

/* A def of the script to specialise for the given argument types even when nothing calls it
 * (libpf: a host calls it; codegen's cg_entry_opts.exports makes it callable). */
typedef struct ir_env_root {
    const char *def;           /* a module-level def of the script */
    const char *const *params; /* one type spelling per parameter */
    int32_t nparams;
} ir_env_root;

typedef struct ir_env {
    const ir_env_var *vars;
    int32_t nvars;
    const ir_env_field *fields;
    int32_t nfields;
    const ir_env_root *roots;
    int32_t nroots;
    int32_t kept_line;  /* > 0: the defs of the script from this line on were checked before (a
                           session's kept definitions): they are not checked again unless called */
    bool keep_vars;     /* every module-level variable of the script becomes an ir_global with
                           script_var set (the caller gives the new ones slots before codegen) */
    bool echo;          /* a top-level expression statement of the script prints repr(value),
                           nothing when the value is None (Python's interactive rule) */
} ir_env;

/* ir_build for one session entry (env may be NULL: exactly ir_build). */
ir_module *ir_build_env(pf_arena *a, pf_diags *d, const ast_module *m, const char *path,
                        const ir_env *env);

/* `pfc check`: ir_build, discarding the module. True when there were no errors. */
bool ir_check(pf_arena *a, pf_diags *d, const ast_module *m, const char *path);

/* Parallelism analysis (ir/par.c, issue 6): sets ir_comp.par on the comprehensions and generator
 * reductions that may run in parallel (list and dict comprehensions, int/float sum, min/max of the
 * shapes ir_par_minmax_shape accepts, any/all over one for-clause; the first clause over a
 * range/list/zip/enumerate, with no print/random/time effect in the body). When explain != NULL
 * writes one line per comprehension, `for` and `while` loop (`file:line:col: parallel|sequential:
 * ...`). Also marks `for` statements (ir_stmt.par) whose carried names are only updated by
 * associative reductions (ir_par_for_reductions). Returns the number marked. ir_build calls it
 * (explain = NULL) unless the environment variable PF_NOPAR is set (parallel inference off: for
 * measuring its cost); it is idempotent. */
int ir_par_analyze(ir_module *m, FILE *explain);

/* The partial a parallel min/max keeps per block (codegen/cg_par.c): the compared components
 * comp[0..ncomp) (a register tuple's scalars when `tuple`, else the element or, with key=, its
 * key), and with key= the element itself (elem != NULL). Object components and elements are
 * owned by the partial. With a float component (`nan`) the partials also record whether a NaN was
 * compared: then the order is not total, the tree could keep another element than python3's left
 * fold, and the result is recomputed sequentially. */
typedef struct ir_par_minmax {
    const ir_type *comp[8];
    int32_t ncomp;
    const ir_type *elem;
    bool tuple, nan;
} ir_par_minmax;

/* For a MIN/MAX comprehension: NULL and *m filled (m may be NULL) when it has a parallel shape:
 * numbers; register tuples of scalars (`min((dist, i) for ...)`); ints, strs and tuples of those;
 * key= returning one of those. Else why not. */
const char *ir_par_minmax_shape(const ir_expr *e, ir_par_minmax *m);

/* The associative updates a parallel `for` loop folds per block (ir_stmt.par on a FOR): `t = t + e`
 * (int/float; also `e + t`, and `t = t - e`: partials add up), `t = t * e`, `t = min(t, e)` /
 * `max(t, e)` (int/float), and
 * `acc = acc + e` of lists (concatenation, in order). */
typedef enum ir_par_red {
    IR_RED_NONE = 0,
    IR_RED_ADD,
    IR_RED_MUL,
    IR_RED_MIN,
    IR_RED_MAX,
    IR_RED_CONCAT,
} ir_par_red;

/* For a FOR statement of fn marked par: red[local id] = how that local is reduced (IR_RED_NONE
 * for the others: loop-invariant reads, or names bound afresh in every iteration and dead after
 * the loop). red has fn->nlocals entries. Returns the number of reduced locals. */
int32_t ir_par_for_reductions(const ir_func *fn, const ir_stmt *loop, unsigned char *red);

/* Writes the module as readable text (`pfc run --emit-ir`, tests): classes, globals, then one
 * block per function; statements indented; each compound expression as (kind:type args...),
 * a `!` after the type when the node may raise; locals by name, globals as @name, captures as
 * env[i]; iteration sources as (for VAR KIND SOURCE [bind statements]). E.g.
 *     func sq_distance[list[float],list[float]](p1: list[float], p2: list[float]) -> float
 *       locals a: float, b: float
 *       return (sum:float init=0.0 (for zip (for a list p1) (for b list p2)) (pow:float (sub:float a b) 2.0)) */
void ir_dump(const ir_module *m, FILE *out);
void ir_dump_func(const ir_func *f, FILE *out);

/* Names for messages and dumps. */
const char *ir_op_name(ir_op op);              /* "add", "str_split", "math_sqrt", ... */
const char *ir_cmp_name(ir_cmp c);             /* "==", "in", ... */
static inline const char *ir_type_str(const ir_type *t) { return t ? t->str : "?"; }

#endif
