/*
 * Park/wake ping-pong between two threads of this process over a shared
 * sequence word (ParkSpace): the main thread makes the word odd and wakes
 * the partner, the partner makes it even and wakes the main thread; one
 * sample is one round trip.  Both threads go through the runtime's
 * capos_park_wait/wake, i.e. the shared ring client — what a program's
 * mutexes and condition variables cost today.
 */
#include "bench.h"

struct pingpong {
	volatile uint32_t seq;
	uint32_t rounds;
};

static void wait_while(struct pingpong *p, uint32_t value)
{
	while (p->seq == value)
		capos_park_wait((const uint32_t *)&p->seq, value, CAPOS_TIMEOUT_INFINITE);
}

static void bump_and_wake(struct pingpong *p)
{
	__atomic_fetch_add(&p->seq, 1, __ATOMIC_SEQ_CST);
	capos_park_wake((const uint32_t *)&p->seq, 1);
}

static int64_t partner(void *arg)
{
	struct pingpong *p = arg;

	for (uint32_t i = 0; i < p->rounds; i++) {
		wait_while(p, 2 * i);      /* wait for the ping (odd) */
		bump_and_wake(p);          /* pong (even) */
	}
	return 0;
}

int bench_park_pingpong(struct bench_samples *s, uint32_t iters)
{
	static struct pingpong p;
	struct capos_thread *t;
	int64_t code;
	uint32_t warm = 16;
	int err;

	p.seq = 0;
	p.rounds = iters + warm;
	err = capos_thread_create(&t, partner, &p, 0);
	if (err)
		return err;
	for (uint32_t i = 0; i < p.rounds; i++) {
		uint64_t t0 = bench_tsc();

		bump_and_wake(&p);             /* ping: 2i -> 2i+1 */
		wait_while(&p, 2 * i + 1);     /* until the pong: 2i+2 */
		if (i >= warm)
			s->tsc[s->count++] = bench_tsc() - t0;
	}
	return capos_thread_join(t, &code);
}
