/*
 * Time: the monotonic clock read straight from the TSC with the
 * parameters the kernel publishes in the bootstrap page (no system call;
 * the same value Timer.now gives), falling back to Timer.now over the
 * "timer" capability when the kernel published none; and sleeps that
 * complete through the ring (the calling thread waits for its own
 * completion; other threads keep using the ring meanwhile).
 */
#include <capos/rt.h>
#include "rt_internal.h"

static uint64_t rdtsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t capos_tsc(void)
{
	return rdtsc_now();
}

static uint64_t timer_now(void)
{
	struct capos_timer_now_out out = { 0 };
	uint32_t cap = rt_cap(RT_CAP_TIMER);
	int err = cap ? capos_timer_now(capos_ring(), cap, &out) : -CAPOS_ENOENT;

	if (err) {
		capos_errno = err;
		return 0;
	}
	return out.ns;
}

uint64_t capos_time_ns(void)
{
	const struct capos_bootstrap *b = capos_bootstrap();

	if (!b->clock_ns_mult)
		return timer_now();
	return (uint64_t)(((unsigned __int128)(rdtsc_now() - b->clock_tsc_base) * b->clock_ns_mult) >> 32);
}

int capos_sleep_ns(uint64_t ns)
{
	struct capos_timer_sleep_in in = { .ns = ns };
	uint32_t cap = rt_cap(RT_CAP_TIMER);

	if (!cap)
		return -CAPOS_ENOENT;
	return capos_timer_sleep(capos_ring(), cap, &in);
}
