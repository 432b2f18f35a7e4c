/* Stress (ctest label "stress", run under ThreadSanitizer by `make tsan`): one owner pushing and
 * taking in random bursts against seven thieves, over several rounds; every item must be taken
 * exactly once, and TSan must report no race on the deque's slots or indices. */
#include "deque_race.h"

#ifdef __SANITIZE_THREAD__
#define NITEMS 100000
#else
#define NITEMS 1000000
#endif

int main(void) {
    for (int round = 0; round < 3; round++) /* round 1: short bursts, the deque near empty */
        deque_race_run(NITEMS, 7, 777 + (uint64_t)round, round == 1 ? 4 : 200, 100);
    return 0;
}
