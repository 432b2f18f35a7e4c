/* main() of every executable that `pfc build` makes (libpf_start.a): reads the run options that
 * lead the command line (launch_parse_opt: --threads N, --timeout S, --stats, --workspan,
 * --trace F; `--` ends them, and so does the first other argument: the program's own arguments
 * start there) and runs the compiled pf_main through launch_run, exactly as `pfc run` does. */
#include "runtime/launch/launch.h"

#include <stdio.h>
#include <string.h>

void pf_main(pf_ctx *ctx); /* the compiled program (codegen/codegen.h: CG_ENTRY_NAME) */

int main(int argc, char **argv) {
    launch_opts o;
    memset(&o, 0, sizeof o);
    const char *who = argc > 0 && argv[0] ? argv[0] : "pf";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        int r = launch_parse_opt(argc, argv, &i, &o, who);
        if (r < 0) return 2;
        if (r == 0) break; /* the program's own arguments */
    }
    return launch_run(pf_main, &o);
}
