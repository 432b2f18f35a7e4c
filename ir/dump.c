/* The textual dump of the typed pf IR (`pfc run --emit-ir`, golden tests) and the names of ops
 * and comparisons used by it and by diagnostics. Read-only over a built module. */
#include "ir/ir.h"

#include <string.h>

/* ORDER IROP: one name per ir_op, in enum order. */
static const char *const op_names[IR_OP__COUNT] = {
    [IR_OP_NONE] = "none",
    [IR_OP_ADD] = "add", [IR_OP_SUB] = "sub", [IR_OP_MUL] = "mul", [IR_OP_DIV] = "div",
    [IR_OP_FLOORDIV] = "floordiv", [IR_OP_MOD] = "mod", [IR_OP_POW] = "pow",
    [IR_OP_LSHIFT] = "lshift", [IR_OP_RSHIFT] = "rshift", [IR_OP_BITAND] = "bitand",
    [IR_OP_BITOR] = "bitor", [IR_OP_BITXOR] = "bitxor",
    [IR_OP_NEG] = "neg", [IR_OP_INVERT] = "invert", [IR_OP_NOT] = "not",
    [IR_OP_PRINT] = "print", [IR_OP_LEN] = "len", [IR_OP_ABS] = "abs", [IR_OP_ROUND] = "round",
    [IR_OP_MIN] = "min", [IR_OP_MAX] = "max", [IR_OP_INT] = "int", [IR_OP_FLOAT] = "float",
    [IR_OP_STR] = "str", [IR_OP_REPR] = "repr", [IR_OP_FORMAT] = "format",
    [IR_OP_STR_BUILD] = "str_build", [IR_OP_CHR] = "chr", [IR_OP_ORD] = "ord",
    [IR_OP_STR_CONCAT] = "str_concat", [IR_OP_STR_REPEAT] = "str_repeat",
    [IR_OP_STR_INDEX] = "str_index", [IR_OP_STR_SLICE] = "str_slice",
    [IR_OP_STR_CONTAINS] = "str_contains", [IR_OP_STR_SPLIT] = "str_split",
    [IR_OP_STR_JOIN] = "str_join", [IR_OP_STR_STRIP] = "str_strip",
    [IR_OP_STR_LSTRIP] = "str_lstrip", [IR_OP_STR_RSTRIP] = "str_rstrip",
    [IR_OP_STR_REPLACE] = "str_replace", [IR_OP_STR_STARTSWITH] = "str_startswith",
    [IR_OP_STR_ENDSWITH] = "str_endswith", [IR_OP_STR_FIND] = "str_find",
    [IR_OP_STR_COUNT] = "str_count", [IR_OP_STR_UPPER] = "str_upper",
    [IR_OP_STR_LOWER] = "str_lower", [IR_OP_STR_ISDIGIT] = "str_isdigit",
    [IR_OP_STR_ISALPHA] = "str_isalpha", [IR_OP_STR_ISSPACE] = "str_isspace",
    [IR_OP_LIST_CONCAT] = "list_concat", [IR_OP_LIST_REPEAT] = "list_repeat",
    [IR_OP_LIST_INDEX] = "list_index", [IR_OP_LIST_SLICE] = "list_slice",
    [IR_OP_LIST_CONTAINS] = "list_contains", [IR_OP_LIST_FIND] = "list_find",
    [IR_OP_LIST_COUNT] = "list_count", [IR_OP_LIST_REVERSED] = "list_reversed",
    [IR_OP_TUPLE_INDEX] = "tuple_index", [IR_OP_TUPLE_CONTAINS] = "tuple_contains",
    [IR_OP_DICT_GETITEM] = "dict_getitem", [IR_OP_DICT_GET] = "dict_get",
    [IR_OP_DICT_GET_OPT] = "dict_get_opt", [IR_OP_DICT_CONTAINS] = "dict_contains",
    [IR_OP_DICT_MERGE] = "dict_merge", [IR_OP_DICT_KEYS] = "dict_keys",
    [IR_OP_DICT_VALUES] = "dict_values", [IR_OP_DICT_ITEMS] = "dict_items",
    [IR_OP_RANGE_LIST] = "range_list", [IR_OP_EXC_STR] = "exc_str",
    [IR_OP_MATH_SQRT] = "math_sqrt", [IR_OP_MATH_SIN] = "math_sin", [IR_OP_MATH_COS] = "math_cos",
    [IR_OP_MATH_TAN] = "math_tan", [IR_OP_MATH_ASIN] = "math_asin",
    [IR_OP_MATH_ACOS] = "math_acos", [IR_OP_MATH_ATAN] = "math_atan",
    [IR_OP_MATH_ATAN2] = "math_atan2", [IR_OP_MATH_EXP] = "math_exp",
    [IR_OP_MATH_LOG] = "math_log", [IR_OP_MATH_LOG2] = "math_log2",
    [IR_OP_MATH_LOG10] = "math_log10", [IR_OP_MATH_POW] = "math_pow",
    [IR_OP_MATH_FABS] = "math_fabs", [IR_OP_MATH_FLOOR] = "math_floor",
    [IR_OP_MATH_CEIL] = "math_ceil", [IR_OP_MATH_TRUNC] = "math_trunc",
    [IR_OP_MATH_HYPOT] = "math_hypot", [IR_OP_MATH_ISNAN] = "math_isnan",
    [IR_OP_MATH_ISINF] = "math_isinf", [IR_OP_MATH_ISFINITE] = "math_isfinite",
    [IR_OP_MATH_GCD] = "math_gcd",
    [IR_OP_RANDOM_SEED] = "random_seed", [IR_OP_RANDOM_RANDOM] = "random_random",
    [IR_OP_RANDOM_RANDINT] = "random_randint", [IR_OP_RANDOM_UNIFORM] = "random_uniform",
    [IR_OP_RANDOM_GAUSS] = "random_gauss", [IR_OP_RANDOM_CHOICE] = "random_choice",
    [IR_OP_TIME_TIME] = "time_time", [IR_OP_TIME_PERF] = "time_perf_counter",
    [IR_OP_PF_THREADS] = "pf_threads",
};

const char *ir_op_name(ir_op op)
{
    if ((int)op < 0 || op >= IR_OP__COUNT || !op_names[op]) return "?op";
    return op_names[op];
}

const char *ir_cmp_name(ir_cmp c)
{
    switch (c) {
    case IR_CMP_EQ: return "==";
    case IR_CMP_NE: return "!=";
    case IR_CMP_LT: return "<";
    case IR_CMP_LE: return "<=";
    case IR_CMP_GT: return ">";
    case IR_CMP_GE: return ">=";
    case IR_CMP_IN: return "in";
    case IR_CMP_NOT_IN: return "not in";
    }
    return "?cmp";
}

void ir_dump_func(const ir_func *f, FILE *out)
{
    fprintf(out, "func %s -> %s\n", f->name, ir_type_str(f->ret));
}

void ir_dump(const ir_module *m, FILE *out)
{
    for (int32_t i = 0; i < m->nfuncs; i++) ir_dump_func(m->funcs[i], out);
}
