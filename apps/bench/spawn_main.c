/*
 * bench-spawn-main: the child of the spawn_to_main row (rows_spawn.c).
 * The first thing main() does — after the C runtime's start-up, which ran
 * before it — is read the TSC; the reading goes back to the bench whole,
 * as the process's 64-bit exit code (ProcessHandle.wait gives it), which
 * is why this ends with capos_process_exit rather than returning an int.
 */
#include "bench.h"

int main(int argc, char **argv)
{
	uint64_t now = bench_tsc();

	(void)argc;
	(void)argv;
	capos_process_exit((int64_t)now);
}
