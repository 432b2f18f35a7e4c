/* Weak placeholders for the pfc subcommands not written yet (driver/driver.h). A strong
 * definition in another C file in driver/ (driver/run.c defines driver_run) overrides the stub
 * here at link time, so adding a command needs no edit to this file. */
#include "driver/driver.h"

#include <stdio.h>

static int not_yet(const char *cmd) {
    fprintf(stderr, "pfc: '%s' is not implemented yet\n", cmd);
    return 2;
}

__attribute__((weak)) int driver_run(int argc, char **argv) {
    (void)argc, (void)argv;
    return not_yet("run");
}

__attribute__((weak)) int driver_build(int argc, char **argv) {
    (void)argc, (void)argv;
    return not_yet("build");
}

__attribute__((weak)) int driver_repl(int argc, char **argv) {
    (void)argc, (void)argv;
    return not_yet("repl");
}
