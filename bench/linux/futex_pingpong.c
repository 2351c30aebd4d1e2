/*
 * futex_pingpong: two threads of one process hand a turn word back and
 * forth with FUTEX_WAKE and FUTEX_WAIT; one round trip per operation.  The
 * counterpart of capOS's park/wake ping-pong between two threads.  Every
 * hand-off wakes the other side and waits in the kernel (one CPU: the
 * woken thread runs only once the waker sleeps).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "bench.h"

enum { TURN_MAIN, TURN_PEER, TURN_STOP };

struct futex_pingpong {
	_Atomic uint32_t turn;
	pthread_t peer;
};

static void futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Give the turn away and wait until it comes back or changes otherwise. */
static uint32_t hand_over(_Atomic uint32_t *turn, uint32_t theirs)
{
	uint32_t now;

	atomic_store(turn, theirs);
	futex_wake(turn);
	while ((now = atomic_load(turn)) == theirs)
		futex_wait(turn, theirs);
	return now;
}

static void *futex_peer(void *arg)
{
	struct futex_pingpong *f = arg;
	uint32_t now;

	while ((now = atomic_load(&f->turn)) == TURN_MAIN)
		futex_wait(&f->turn, TURN_MAIN);
	while (now == TURN_PEER)
		now = hand_over(&f->turn, TURN_MAIN);
	return NULL;
}

int futex_pingpong_setup(long arg, void **state)
{
	struct futex_pingpong *f = calloc(1, sizeof *f);
	int err;

	(void)arg;
	if (!f)
		return -1;
	atomic_init(&f->turn, TURN_MAIN);
	err = pthread_create(&f->peer, NULL, futex_peer, f);
	if (err) {
		free(f);
		errno = err;
		return -1;
	}
	*state = f;
	return 0;
}

int futex_pingpong_run(void *state, unsigned ops)
{
	struct futex_pingpong *f = state;

	for (unsigned i = 0; i < ops; i++)
		if (hand_over(&f->turn, TURN_PEER) != TURN_MAIN) {
			errno = EPROTO;
			return -1;
		}
	return 0;
}

void futex_pingpong_teardown(void *state)
{
	struct futex_pingpong *f = state;

	atomic_store(&f->turn, TURN_STOP);
	futex_wake(&f->turn);
	pthread_join(f->peer, NULL);
	free(f);
}
