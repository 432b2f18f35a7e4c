/* The runtime's interface header: everything compiled code, the driver and libpf use from
 * runtime/ — the execution context (ctx.h), the scheduler (sched.h, once it exists) and the
 * values, reference counting, exceptions and builtins (value.h). */
#ifndef PF_RUNTIME_RUNTIME_H
#define PF_RUNTIME_RUNTIME_H

#include "runtime/ctx.h"
#if __has_include("runtime/sched.h")
#include "runtime/sched.h"
#endif
#include "runtime/value.h"

#endif
