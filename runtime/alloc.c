/* Object memory: rt_alloc and the matching release of an object's block, with a small
 * per-thread cache of freed blocks (16-byte size classes up to 256 bytes, at most 64 blocks per
 * class) in front of malloc, because pf rebuilds small tuples and lists at a high rate. */
#include <pthread.h>
#include <stdlib.h>

#include "runtime/value_impl.h"

/* Under a sanitizer every block goes straight back to libc, so use-after-free stays visible. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_CACHE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define NO_CACHE 1
#endif
#endif

enum { GRAIN = 16, CLASSES = 16, KEEP = 64 };

/* A cached block keeps its header (kind PF_K_FREED, so a double free still traps in rt_free);
 * the link to the next cached block sits right after it. Every object is at least 16 bytes. */
typedef struct cached {
    pf_obj h;
    struct cached *next;
} cached;

/* The cache of the calling thread. Per-thread, like a worker's deque: it changes no result and is
 * flushed when its thread exits (pthread key destructor) or on rt_alloc_flush.
 * Why _Thread_local and not a field of the worker or ctx (the rule is "no global mutable state
 * outside the runtime's worker structures"): the release path, rt_free(pf_obj *) and the decrefs
 * compiled code emits, has no ctx, and objects are also freed on threads that are no workers (the
 * host calling into a standalone ctx, rt_run's caller). Like malloc's own per-thread caches it holds
 * only free memory: two runtimes in one process share nothing through it that a program can see. */
typedef struct thread_cache {
    cached *head[CLASSES];
    uint16_t n[CLASSES];
    int registered; /* the exit destructor is armed for this thread */
} thread_cache;

static _Thread_local thread_cache tc;

static void flush(thread_cache *c) {
    for (int k = 0; k < CLASSES; k++) {
        while (c->head[k]) {
            cached *b = c->head[k];
            c->head[k] = b->next;
            free(b);
        }
        c->n[k] = 0;
    }
}

#ifndef NO_CACHE
/* Written once per process (pthread_once): the key whose destructor flushes an exiting thread's cache. */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static void on_thread_exit(void *p) { flush(p); }
static void make_exit_key(void) { pthread_key_create(&exit_key, on_thread_exit); }
#endif

void rt_alloc_flush(void) { flush(&tc); }

pf_obj *rt_alloc(pf_ctx *ctx, size_t size, int kind) {
    size_t cls = (size + GRAIN - 1) / GRAIN; /* 1.. */
    pf_obj *o = NULL;
#ifndef NO_CACHE
    if (cls <= CLASSES && tc.head[cls - 1]) {
        cached *b = tc.head[cls - 1];
        tc.head[cls - 1] = b->next;
        tc.n[cls - 1]--;
        o = &b->h;
    }
#endif
    if (!o) o = malloc(cls <= CLASSES ? cls * GRAIN : size);
    if (!o) {
        rt_raise_nomem(ctx);
        return NULL;
    }
    o->rc = 1;
    o->kind = (uint8_t)kind;
    o->flags = 0;
    o->aux = cls <= CLASSES ? (uint16_t)cls : 0; /* the size class, for rt_obj_free_block */
    return o;
}

void rt_obj_free_block(pf_obj *o) {
#ifndef NO_CACHE
    unsigned cls = o->aux;
    if (cls >= 1 && cls <= CLASSES && tc.n[cls - 1] < KEEP) {
        if (!tc.registered) {
            pthread_once(&exit_key_once, make_exit_key);
            pthread_setspecific(exit_key, &tc);
            tc.registered = 1;
        }
        cached *b = (cached *)o;
        b->next = tc.head[cls - 1];
        tc.head[cls - 1] = b;
        tc.n[cls - 1]++;
        return;
    }
#endif
    free(o);
}
