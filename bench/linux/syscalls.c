/*
 * Per-call rows without state: getpid, a real system call every time
 * (syscall(SYS_getpid), never a cached value), the counterpart of
 * cap_enter with nothing to do and of a CALL on NullCap; clock_gettime
 * (CLOCK_MONOTONIC, through the vDSO when the kernel trusts the TSC), the
 * counterpart of capOS's clock read from the bootstrap page; and
 * clock_gettime_syscall, the same clock through a real system call, the
 * counterpart of Timer.now (a capability call into the kernel).
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"

int no_setup(long arg, void **state)
{
	(void)arg;
	*state = NULL;
	return 0;
}

void no_teardown(void *state)
{
	(void)state;
}

int getpid_run(void *state, unsigned ops)
{
	(void)state;
	for (unsigned i = 0; i < ops; i++)
		if (syscall(SYS_getpid) <= 0)
			return -1;
	return 0;
}

int clock_gettime_syscall_run(void *state, unsigned ops)
{
	struct timespec ts;

	(void)state;
	for (unsigned i = 0; i < ops; i++)
		if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts))
			return -1;
	return 0;
}

int clock_gettime_run(void *state, unsigned ops)
{
	struct timespec ts;

	(void)state;
	for (unsigned i = 0; i < ops; i++)
		if (clock_gettime(CLOCK_MONOTONIC, &ts))
			return -1;
	return 0;
}
