/*
 * Waiting on a 32-bit word over "park" (ParkSpace), and the mutex built
 * on it: the classic three-state futex mutex (0 unlocked, 1 locked,
 * 2 locked and maybe contended).  Unlocking a state-2 mutex wakes one
 * waiter.  Without "park" the mutex spins (pause), which is correct but
 * burns the waiter's time slice.  The C library's locks (libos/libc/lock.c)
 * build on this mutex.
 */
#include <capos/rt.h>
#include "rt_internal.h"

int capos_park_wait(const uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
{
	struct capos_park_space_wait_in in = { .addr = (uint64_t)(uintptr_t)addr,
					       .expected = expected, .timeout_ns = timeout_ns };
	struct capos_park_space_wait_out out = { 0 };
	uint32_t cap = rt_cap(RT_CAP_PARK);

	if (!cap)
		return -CAPOS_ENOENT;
	return capos_park_space_wait(capos_ring(), cap, &in, &out);
}

int capos_park_wake(const uint32_t *addr, uint32_t count)
{
	struct capos_park_space_wake_in in = { .addr = (uint64_t)(uintptr_t)addr, .count = count };
	struct capos_park_space_wake_out out = { 0 };
	uint32_t cap = rt_cap(RT_CAP_PARK);
	int err;

	if (!cap)
		return -CAPOS_ENOENT;
	err = capos_park_space_wake(capos_ring(), cap, &in, &out);
	return err ? err : (int)out.woken;
}

static uint32_t cas(uint32_t *p, uint32_t expected, uint32_t desired)
{
	__atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	return expected;
}

int capos_mutex_trylock(struct capos_mutex *m)
{
	return cas(&m->state, 0, 1) == 0 ? 0 : -CAPOS_EBUSY;
}

void capos_mutex_lock(struct capos_mutex *m)
{
	uint32_t c = cas(&m->state, 0, 1);
	int can_park = rt_cap(RT_CAP_PARK) != 0;

	if (c == 0)
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		if (can_park)
			capos_park_wait(&m->state, 2, CAPOS_TIMEOUT_INFINITE);
		else
			__builtin_ia32_pause();
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	}
}

void capos_mutex_unlock(struct capos_mutex *m)
{
	if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2 && rt_cap(RT_CAP_PARK))
		capos_park_wake(&m->state, 1);
}
