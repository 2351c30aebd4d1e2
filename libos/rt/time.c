/*
 * Time over the "timer" capability: monotonic now, and sleeps that
 * complete through the ring (the calling thread waits for its own
 * completion; other threads keep using the ring meanwhile).
 */
#include <capos/rt.h>
#include "rt_internal.h"

uint64_t capos_time_ns(void)
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

int capos_sleep_ns(uint64_t ns)
{
	struct capos_timer_sleep_in in = { .ns = ns };
	uint32_t cap = rt_cap(RT_CAP_TIMER);

	if (!cap)
		return -CAPOS_ENOENT;
	return capos_timer_sleep(capos_ring(), cap, &in);
}
