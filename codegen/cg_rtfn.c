/* codegen's runtime entry-point table, tagged ORDER RTFN: every runtime function that compiled pf
 * code calls is listed here once, with its LLVM signature. Declarations in generated modules
 * (cg_rtfn in cg_emit.c) and the JIT's absolute-symbol definitions (cg_llvm.c) both derive from
 * this table, and taking each address here makes the linker keep every entry point in pfc. */
#include "codegen/cg_internal.h"
#include "runtime/runtime.h"
#include "stdlib/builtins.h"

#define RAISE CG_RT_MAY_RAISE
#define COLD CG_RT_COLD

/* ORDER RTFN: name, return code, parameter codes, flags (codes: v p l i d b; '.' = variadic). */
#define RTFN_LIST(X) \
    /* scheduler */ \
    X(rt_poll_slow, "v", "p", RAISE | COLD) \
    X(rt_enter_slow, "i", "pl", COLD) \
    X(rt_reduce, "v", "ppllp", RAISE) \
    X(rt_fork_push_call, "i", "pp", 0) \
    X(rt_mark_pop_call, "i", "pp", 0) \
    X(rt_fork_join, "i", "pp", 0) \
    X(rt_share, "v", "p", 0) \
    /* exceptions */ \
    X(rt_raise, "l", "pip.", COLD) \
    X(rt_raise_msg, "l", "pip", COLD) \
    X(rt_raise_exc, "l", "pp", COLD) \
    X(rt_raise_overflow, "l", "p", COLD) \
    X(rt_raise_index, "l", "pp", COLD) \
    X(rt_raise_recursion, "l", "p", COLD) \
    X(rt_raise_assert, "l", "pp", COLD) \
    X(rt_raise_key, "l", "plp", COLD) \
    X(rt_exc_new, "p", "pip", 0) \
    X(rt_exc_add_frame, "v", "pplp", COLD) \
    X(rt_exc_matches, "i", "ii", 0) \
    X(rt_exc_catch, "p", "pi", 0) \
    X(rt_exc_clear, "v", "p", 0) \
    X(rt_exc_str, "p", "pp", RAISE) \
    X(rt_exc_repr, "p", "pp", RAISE) \
    /* reference counting */ \
    X(rt_free, "v", "p", COLD) \
    X(rt_incref_shared, "v", "p", COLD) \
    X(rt_decref_shared, "v", "p", COLD) \
    X(rt_obj_incref, "v", "p", 0) \
    X(rt_obj_decref, "v", "p", 0) \
    X(rt_retain, "v", "lp", 0) \
    X(rt_release, "v", "lp", 0) \
    X(rt_alloc, "p", "pli", RAISE) \
    /* generic operations */ \
    X(rt_repr, "p", "plp", RAISE) \
    X(rt_to_str, "p", "plp", RAISE) \
    X(rt_eq, "l", "pllp", RAISE) \
    X(rt_lt, "l", "pllp", RAISE) \
    X(rt_le, "l", "pllp", RAISE) \
    X(rt_hash, "l", "lp", 0) \
    X(rt_truthy, "l", "lp", 0) \
    /* numbers */ \
    X(rt_int_floordiv, "l", "pll", RAISE) \
    X(rt_int_mod, "l", "pll", RAISE) \
    X(rt_int_pow, "l", "pll", RAISE) \
    X(rt_int_pow_neg, "d", "pll", RAISE) \
    X(rt_int_truediv, "d", "pll", RAISE) \
    X(rt_float_div, "d", "pdd", RAISE) \
    X(rt_float_floordiv, "d", "pdd", RAISE) \
    X(rt_float_mod, "d", "pdd", RAISE) \
    X(rt_float_pow, "d", "pdd", RAISE) \
    X(rt_int_abs, "l", "pl", RAISE) \
    X(rt_float_round, "l", "pd", RAISE) \
    X(rt_float_round_n, "d", "pdl", RAISE) \
    X(rt_int_round_n, "l", "pll", RAISE) \
    X(rt_float_to_int, "l", "pd", RAISE) \
    X(rt_str_to_int, "l", "pp", RAISE) \
    X(rt_str_to_float, "d", "pp", RAISE) \
    X(rt_float_floor, "l", "pd", RAISE) \
    X(rt_float_ceil, "l", "pd", RAISE) \
    /* strings */ \
    X(rt_str_new, "p", "ppl", RAISE) \
    X(rt_str_from_cstr, "p", "pp", RAISE) \
    X(rt_str_from_int, "p", "pl", RAISE) \
    X(rt_str_from_float, "p", "pd", RAISE) \
    X(rt_str_from_bool, "p", "pl", RAISE) \
    X(rt_str_repr, "p", "pp", RAISE) \
    X(rt_str_concat, "p", "ppp", RAISE) \
    X(rt_str_concat_n, "p", "plp", RAISE) \
    X(rt_str_repeat, "p", "ppl", RAISE) \
    X(rt_str_index, "p", "ppl", RAISE) \
    X(rt_str_slice, "p", "pplll", RAISE) \
    X(rt_str_contains, "l", "pp", 0) \
    X(rt_str_eq, "l", "pp", 0) \
    X(rt_str_cmp, "l", "pp", 0) \
    X(rt_str_hash, "l", "p", 0) \
    X(rt_str_find, "l", "pp", 0) \
    X(rt_str_startswith, "l", "pp", 0) \
    X(rt_str_endswith, "l", "pp", 0) \
    X(rt_str_upper, "p", "pp", RAISE) \
    X(rt_str_lower, "p", "pp", RAISE) \
    X(rt_str_strip, "p", "ppp", RAISE) \
    X(rt_str_lstrip, "p", "ppp", RAISE) \
    X(rt_str_rstrip, "p", "ppp", RAISE) \
    X(rt_str_replace, "p", "pppp", RAISE) \
    X(rt_str_split, "p", "pppl", RAISE) \
    X(rt_str_join, "p", "ppp", RAISE) \
    X(rt_str_find_range, "l", "ppll", 0) \
    X(rt_str_rfind_range, "l", "ppll", 0) \
    X(rt_str_count_range, "l", "ppll", 0) \
    X(rt_str_count, "l", "pp", 0) \
    X(rt_str_index_of, "l", "ppp", RAISE) \
    X(rt_str_replace_n, "p", "ppppl", RAISE) \
    X(rt_str_rsplit, "p", "pppl", RAISE) \
    X(rt_str_splitlines, "p", "pp", RAISE) \
    X(rt_str_isdigit, "l", "p", 0) \
    X(rt_str_isalpha, "l", "p", 0) \
    X(rt_str_isalnum, "l", "p", 0) \
    X(rt_str_isspace, "l", "p", 0) \
    X(rt_str_isupper, "l", "p", 0) \
    X(rt_str_islower, "l", "p", 0) \
    X(rt_str_zfill, "p", "ppl", RAISE) \
    X(rt_str_center, "p", "pplp", RAISE) \
    X(rt_str_ljust, "p", "pplp", RAISE) \
    X(rt_str_rjust, "p", "pplp", RAISE) \
    X(rt_str_capitalize, "p", "pp", RAISE) \
    X(rt_str_title, "p", "pp", RAISE) \
    X(rt_str_removeprefix, "p", "ppp", RAISE) \
    X(rt_str_removesuffix, "p", "ppp", RAISE) \
    X(rt_str_next_char, "p", "ppp", RAISE) \
    X(rt_format, "p", "plpp", RAISE) \
    /* lists */ \
    X(rt_list_new, "p", "ppl", RAISE) \
    X(rt_list_push, "i", "ppl", RAISE) \
    X(rt_list_get_checked, "l", "ppl", RAISE) \
    X(rt_list_append, "p", "ppl", RAISE) \
    X(rt_list_concat, "p", "ppp", RAISE) \
    X(rt_list_concat_move, "p", "ppp", RAISE) \
    X(rt_list_repeat, "p", "ppl", RAISE) \
    X(rt_list_slice, "p", "pplll", RAISE) \
    X(rt_list_splice, "p", "ppplp", RAISE) \
    X(rt_list_contains, "l", "ppl", RAISE) \
    X(rt_list_index, "l", "ppl", RAISE) \
    X(rt_list_count, "l", "ppl", RAISE) \
    X(rt_list_reversed, "p", "pp", RAISE) \
    X(rt_list_sorted, "p", "pppppl", RAISE) \
    X(rt_list_range, "p", "plll", RAISE) \
    X(rt_range_len, "l", "lll", 0) \
    X(rt_float_sum, "d", "pl", 0) \
    /* tuples, records, closures, boxes */ \
    X(rt_rec_new, "p", "pp", RAISE) \
    X(rt_tuple_get, "l", "ppl", RAISE) \
    X(rt_closure_new, "p", "ppp", RAISE) \
    X(rt_box_new, "p", "pl", RAISE) \
    /* dicts */ \
    X(rt_dict_new, "p", "ppl", RAISE) \
    X(rt_dict_set, "p", "ppll", RAISE) \
    X(rt_dict_find, "l", "ppl", RAISE) \
    X(rt_dict_getitem, "l", "ppl", RAISE) \
    X(rt_dict_get, "l", "ppll", RAISE) \
    X(rt_dict_contains, "l", "ppl", RAISE) \
    X(rt_dict_merge, "p", "ppp", RAISE) \
    X(rt_dict_keys, "p", "ppp", RAISE) \
    X(rt_dict_values, "p", "ppp", RAISE) \
    X(rt_dict_items, "p", "ppp", RAISE) \
    /* output */ \
    X(rt_out_write, "v", "ppl", 0) \
    X(rt_out_flush, "v", "p", 0) \
    X(rt_print, "v", "plpppp", RAISE) \
    X(rt_print_str, "v", "pp", 0) \
    /* stdlib (stdlib/builtins.h) */ \
    X(pf_chr, "p", "pl", RAISE) \
    X(pf_ord, "l", "pp", RAISE) \
    X(pf_math_gcd, "l", "pll", RAISE) \
    X(pf_time_time, "d", "p", 0) \
    X(pf_time_perf_counter, "d", "p", 0) \
    X(pf_sys_argv, "p", "p", RAISE) \
    X(pf_random_seed, "v", "pl", 0) \
    X(pf_random_random, "d", "p", 0) \
    X(pf_random_randint, "l", "ppll", RAISE) \
    X(pf_random_uniform, "d", "pdd", 0) \
    X(pf_random_gauss, "d", "pdd", 0) \
    X(pf_random_choice_index, "l", "ppl", RAISE) \
    X(rt_ctx_runtime, "p", "p", 0) \
    X(rt_threads, "i", "p", 0) \

/* Every entry is referenced weakly: a runtime function not linked in yet reads as NULL and is
 * simply not offered to the JIT (a module calling it fails at lookup with the symbol's name).
 * pfc links pf_rt and pf_stdlib whole-archive (driver/CMakeLists.txt), so there all are present. */
#define DO_PRAGMA(x) _Pragma(#x)
#define WEAK(name, ret, params, flags) DO_PRAGMA(weak name)
RTFN_LIST(WEAK)

#define ENTRY(name, ret, params, flags) {#name, (void *)&name, ret, params, flags},
static const cg_rt_symbol rt_table[] = {RTFN_LIST(ENTRY)};

const cg_rt_symbol *cg_rt_symbols(size_t *n) {
    *n = sizeof rt_table / sizeof rt_table[0];
    return rt_table;
}
