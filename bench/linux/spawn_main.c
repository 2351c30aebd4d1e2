/*
 * capos-linux-spawn-main: the child of the spawn_to_main rows (spawn.c).
 * The first thing main() does — after glibc's start-up, which ran before
 * it — is read the TSC, then CLOCK_MONOTONIC; both go to BENCH_SPAWN_FD,
 * the pipe the bench left open for it.
 */
#define _GNU_SOURCE
#include <unistd.h>
#include "bench.h"

int main(void)
{
	uint64_t at_main[2];

	at_main[0] = bench_tsc();
	at_main[1] = bench_ns();
	return write(BENCH_SPAWN_FD, at_main, sizeof at_main) == (ssize_t)sizeof at_main ? 0 : 1;
}
