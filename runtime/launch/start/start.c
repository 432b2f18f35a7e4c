/* main() of every executable that `pfc build` makes (libpf_start.a): reads the run options that
 * lead the command line (launch_parse_opt: --threads N, --timeout S, --stats, --workspan,
 * --trace F; `--` ends them, and so does the first other argument: the program's own arguments
 * start there; sys.argv is the program's path and those) and runs the compiled pf_main through
 * launch_run, exactly as `pfc run` does. */
#include "runtime/launch/launch.h"

#include <stdio.h>
#include <string.h>

void pf_main(pf_ctx *ctx); /* the compiled program (codegen/codegen.h: CG_ENTRY_NAME) */

int main(int argc, char **argv) {
    launch_opts o;
    memset(&o, 0, sizeof o);
    const char *who = argc > 0 && argv[0] ? argv[0] : "pf";
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        int r = launch_parse_opt(argc, argv, &i, &o, who);
        if (r < 0) return 2;
        if (r == 0) break; /* the program's own arguments */
    }
    /* sys.argv: the program's path, then its own arguments (argv[i..argc)) */
    char *args[argc > i ? argc - i + 1 : 1];
    args[0] = (char *)who;
    for (int k = i; k < argc; k++) args[k - i + 1] = argv[k];
    o.argc = argc > i ? argc - i + 1 : 1;
    o.argv = args;
    return launch_run(pf_main, &o);
}
