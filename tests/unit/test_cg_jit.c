/* Unit test of codegen's LLVM plumbing (codegen/cg_llvm.c) without the IR: builds small modules by
 * hand with the LLVM C API, runs the O2 pipeline, prints them, JIT-compiles them and calls the
 * results, including a call into libm resolved through the process symbol generator. */
#include "codegen/codegen.h"

#include <llvm-c/Core.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* i64 sum_to(i64 n): s = 0; for i in 0..n-1: s += i; return s  (a loop O2 turns into a formula) */
static void build_sum_to(LLVMContextRef c, LLVMModuleRef m) {
    LLVMTypeRef i64 = LLVMInt64TypeInContext(c);
    LLVMTypeRef fty = LLVMFunctionType(i64, &i64, 1, 0);
    LLVMValueRef f = LLVMAddFunction(m, "sum_to", fty);
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(c, f, "entry");
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(c, f, "head");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(c, f, "body");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c, f, "done");
    LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
    LLVMPositionBuilderAtEnd(b, entry);
    LLVMValueRef s = LLVMBuildAlloca(b, i64, "s"), i = LLVMBuildAlloca(b, i64, "i");
    LLVMBuildStore(b, LLVMConstInt(i64, 0, 0), s);
    LLVMBuildStore(b, LLVMConstInt(i64, 0, 0), i);
    LLVMBuildBr(b, head);
    LLVMPositionBuilderAtEnd(b, head);
    LLVMValueRef iv = LLVMBuildLoad2(b, i64, i, "iv");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, iv, LLVMGetParam(f, 0), "lt"), body, done);
    LLVMPositionBuilderAtEnd(b, body);
    LLVMValueRef sv = LLVMBuildLoad2(b, i64, s, "sv");
    LLVMBuildStore(b, LLVMBuildAdd(b, sv, iv, "s2"), s);
    LLVMBuildStore(b, LLVMBuildAdd(b, iv, LLVMConstInt(i64, 1, 0), "i2"), i);
    LLVMBuildBr(b, head);
    LLVMPositionBuilderAtEnd(b, done);
    LLVMBuildRet(b, LLVMBuildLoad2(b, i64, s, "r"));
    LLVMDisposeBuilder(b);
}

/* double hyp(double x, double y) = sqrt(x*x + y*y), calling libm's sqrt as an external symbol. */
static void build_hyp(LLVMContextRef c, LLVMModuleRef m) {
    LLVMTypeRef d = LLVMDoubleTypeInContext(c);
    LLVMTypeRef params[2] = {d, d};
    LLVMValueRef f = LLVMAddFunction(m, "hyp", LLVMFunctionType(d, params, 2, 0));
    LLVMTypeRef sqrt_ty = LLVMFunctionType(d, &d, 1, 0);
    LLVMValueRef sq = LLVMAddFunction(m, "cbrt", sqrt_ty); /* cbrt: not an intrinsic, so really external */
    LLVMBuilderRef b = LLVMCreateBuilderInContext(c);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c, f, "entry"));
    LLVMValueRef x = LLVMGetParam(f, 0), y = LLVMGetParam(f, 1);
    LLVMValueRef s = LLVMBuildFAdd(b, LLVMBuildFMul(b, x, x, ""), LLVMBuildFMul(b, y, y, ""), "");
    LLVMValueRef arg = s;
    LLVMBuildRet(b, LLVMBuildCall2(b, sqrt_ty, sq, &arg, 1, "r"));
    LLVMDisposeBuilder(b);
}

int main(void) {
    char *err = NULL;
    CHECK(cg_init(&err));
    cg_module *m = cg_module_new("test", &err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s\n", err ? err : "?");
        return 1;
    }
    LLVMContextRef c = cg_module_llvm_context(m);
    LLVMModuleRef mod = cg_module_llvm_module(m);
    build_sum_to(c, mod);
    build_hyp(c, mod);
    CHECK(cg_module_optimize(m, 2, &err));
    char *text = cg_module_print(m);
    CHECK(text && strstr(text, "define") && strstr(text, "sum_to"));
    CHECK(text && !strstr(text, "alloca")); /* mem2reg/SROA ran */
    cg_free_message(text);

    cg_jit *j = cg_jit_new(&err);
    CHECK(j != NULL);
    if (!j) {
        fprintf(stderr, "%s\n", err ? err : "?");
        cg_module_free(m);
        return 1;
    }
    CHECK(cg_jit_add(j, m, &err));
    int64_t (*sum_to)(int64_t) = (int64_t(*)(int64_t))cg_jit_lookup(j, "sum_to", &err);
    CHECK(sum_to != NULL);
    if (sum_to) {
        CHECK_INT(sum_to(0), 0);
        CHECK_INT(sum_to(10), 45);
        CHECK_INT(sum_to(100000), 4999950000LL);
    }
    double (*hyp)(double, double) = (double (*)(double, double))cg_jit_lookup(j, "hyp", &err);
    CHECK(hyp != NULL);
    if (hyp) CHECK(hyp(1.0, 2.0) > 1.70997 && hyp(1.0, 2.0) < 1.70998); /* cbrt(5) */
    CHECK(cg_jit_lookup(j, "no_such_function", &err) == NULL);
    CHECK(err && strstr(err, "no_such_function"));
    cg_free_message(err);
    cg_jit_free(j);
    return check_report("test_cg_jit");
}
