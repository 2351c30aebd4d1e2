/*
 * Process creation: the bench starts a program from the boot package with
 * the libOS's capos_spawn (the rows do not depend on how it builds the
 * process) and waits for its end on the ProcessHandle.
 * spawn_to_main: from just before the spawn call to the first instruction
 * of the child's main(), after the C runtime's start-up —
 * bench-spawn-main reads the TSC there and hands it back as its exit
 * code.  spawn_to_exit: the spawn of bench-spawn-empty (main returns 0)
 * up to the return of the wait for its end and the handle's release.  The
 * children are given only what the runtime needs to start and end
 * ("thread", a ThreadControl of their own).  One sample per spawn, after
 * discarded warm-up spawns.
 */
#include <capos/process.h>
#include "bench.h"

#define SPAWN_WARMUP 8u

/* Start binary, wait for its normal end: 0 with *code, or a negative code. */
static int spawn_and_wait(const char *binary, int64_t *code)
{
	uint32_t proc, reason;
	int err = capos_spawn(binary, "thread=@thread", "", NULL, 0, &proc, NULL);

	if (err)
		return err;
	err = capos_process_wait(proc, code, &reason);
	capos_release(capos_ring(), proc);
	if (!err && reason != CAPOS_EXIT_NORMAL)
		err = -CAPOS_EIO;
	return err;
}

int bench_spawn_to_main(struct bench_samples *s, uint32_t iters)
{
	for (uint32_t i = 0; i < iters + SPAWN_WARMUP; i++) {
		uint64_t t0 = bench_tsc();
		int64_t at_main;
		int err = spawn_and_wait("bench-spawn-main", &at_main);

		if (err)
			return err;
		if ((uint64_t)at_main <= t0)
			return -CAPOS_EIO;  /* not a reading taken after ours */
		if (i >= SPAWN_WARMUP)
			s->tsc[s->count++] = (uint64_t)at_main - t0;
	}
	return 0;
}

int bench_spawn_to_exit(struct bench_samples *s, uint32_t iters)
{
	for (uint32_t i = 0; i < iters + SPAWN_WARMUP; i++) {
		uint64_t t0 = bench_tsc();
		int64_t code;
		int err = spawn_and_wait("bench-spawn-empty", &code);
		uint64_t t1 = bench_tsc();

		if (err)
			return err;
		if (code != 0)
			return -CAPOS_EIO;
		if (i >= SPAWN_WARMUP)
			s->tsc[s->count++] = t1 - t0;
	}
	return 0;
}
