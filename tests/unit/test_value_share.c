/* Shared (atomic) reference counts: an object graph made shared with rt_share is retained and
 * released concurrently by several threads; it must be freed exactly once, by the last release,
 * with nothing leaked (byte accounting; ASan/TSan builds check the races and the frees). */
#include <pthread.h>

#include "runtime/value.h"
#include "tests/unit/test_value_check.h"

static const pf_type list_str = {.kind = PF_T_LIST, .elem = &pf_type_str};
static const pf_type *const fields[] = {&list_str, &pf_type_int};
static const pf_type tup = {.kind = PF_T_TUPLE, .n = 2, .fields = fields};

enum { THREADS = 4, ROUNDS = 20000 };

static void *worker(void *arg) {
    pf_rec *t = arg;
    pf_list *xs = (pf_list *)PF_OBJ_OF(t->slots[0]);
    for (int i = 0; i < ROUNDS; i++) {
        rt_incref(&t->h);
        rt_incref(&xs->h);
        rt_decref(&xs->h);
        rt_decref(&t->h);
    }
    rt_decref(&t->h); /* the reference this thread was given */
    return NULL;
}

static void run(void) {
    pf_ctx ctx = {0};
    pf_list *xs = rt_list_new(&ctx, &list_str, 3);
    for (int i = 0; i < 3; i++) rt_list_push(&ctx, xs, PF_SLOT_OBJ(rt_str_from_int(&ctx, i * 1000)));
    pf_rec *t = rt_rec_new(&ctx, &tup);
    t->slots[0] = PF_SLOT_OBJ(xs);
    t->slots[1] = 7;
    rt_share(&t->h);
    CHECK(t->h.rc == -1 && xs->h.rc == -1);
    CHECK(((pf_obj *)PF_OBJ_OF(xs->data[0]))->rc == -1);
    rt_share(&t->h); /* idempotent */
    CHECK_INT(t->h.rc, -1);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) rt_incref(&t->h); /* one reference per thread */
    CHECK_INT(t->h.rc, -1 - THREADS);
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, t);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    CHECK_INT(t->h.rc, -1);
    CHECK_STR(&ctx, rt_repr(&ctx, PF_SLOT_OBJ(t), &tup), "(['0', '1000', '2000'], 7)");
    rt_decref(&t->h); /* the last reference: frees the whole graph */
    CHECK(ctx.exc == NULL);
}

int main(int argc, char **argv) {
    (void)argc;
    return run_checking_leaks("test_value_share", argv, run);
}
