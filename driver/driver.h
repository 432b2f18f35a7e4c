/* The pfc subcommands other than check/parse, each implemented in its own C file in driver/ and
 * dispatched from driver/main.c. argv[0] is the subcommand name ("run"), argv[1..] its arguments.
 * Each returns the process exit status (0 ok, 1 uncaught runtime error, 2 compile/usage error,
 * 124 timeout, 130 interrupted). driver/run.c, driver/build.c and driver/repl.c define them. */
#ifndef PF_DRIVER_H
#define PF_DRIVER_H

int driver_run(int argc, char **argv);   /* pfc run [options] FILE [args] */
int driver_build(int argc, char **argv); /* pfc build FILE -o PROG */
int driver_repl(int argc, char **argv);  /* pfc repl, or pfc with no arguments */

#endif
