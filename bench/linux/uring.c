/*
 * io_uring NOP at a batch size (rows uring_nop_b1, _b16, _b256): the
 * counterpart of a NOP through the capOS ring.  One submit of `batch` NOPs
 * waits for all their completions (io_uring_submit_and_wait, one
 * io_uring_enter), then the completions are checked and reaped.  A sample of
 * ops operations is ops / batch such rounds; the cost is per NOP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include "bench.h"

struct uring_nop {
	struct io_uring ring;
	unsigned batch;
};

int uring_nop_setup(long batch, void **state)
{
	struct uring_nop *u = calloc(1, sizeof *u);
	int err;

	if (!u)
		return -1;
	u->batch = (unsigned)batch;
	err = io_uring_queue_init(u->batch, &u->ring, 0);
	if (err < 0) {
		free(u);
		errno = -err;
		return -1;
	}
	*state = u;
	return 0;
}

/* Reap every posted completion; the count reaped, or -1 if one failed. */
static int reap(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;
	int failed = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		if (cqe->res < 0)
			failed = -cqe->res;
		seen++;
	}
	io_uring_cq_advance(ring, seen);
	if (failed) {
		errno = failed;
		return -1;
	}
	return (int)seen;
}

/* One round: queue batch NOPs, submit them and wait for all. */
static int nop_round(struct uring_nop *u)
{
	unsigned done = 0;
	int got;

	for (unsigned i = 0; i < u->batch; i++)
		io_uring_prep_nop(io_uring_get_sqe(&u->ring));
	got = io_uring_submit_and_wait(&u->ring, u->batch);
	if (got < 0 || (unsigned)got != u->batch) {
		errno = got < 0 ? -got : EIO;
		return -1;
	}
	while (done < u->batch) {
		got = reap(&u->ring);
		if (got < 0)
			return -1;
		done += (unsigned)got;
	}
	return 0;
}

int uring_nop_run(void *state, unsigned ops)
{
	struct uring_nop *u = state;

	for (unsigned i = 0; i < ops / u->batch; i++)
		if (nop_round(u))
			return -1;
	return 0;
}

void uring_nop_teardown(void *state)
{
	struct uring_nop *u = state;

	io_uring_queue_exit(&u->ring);
	free(u);
}
