/*
 * eventfd_pingpong: a child process waits on one eventfd and answers on a
 * second; one round trip per operation (an 8-byte counter each way).  A
 * second counterpart of the capOS endpoint round trip, without the pipe's
 * buffer.  A request value of 2 ends the child.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "bench.h"

#define EVENTFD_PING 1
#define EVENTFD_STOP 2

struct eventfd_pingpong {
	int request;
	int reply;
	int child;
};

static int eventfd_serve(void *arg)
{
	struct eventfd_pingpong *e = arg;
	uint64_t value, one = 1;

	for (;;) {
		if (bench_full_read(e->request, &value, sizeof value))
			return -1;
		if (value != EVENTFD_PING)
			return value == EVENTFD_STOP ? 0 : -1;
		if (bench_full_write(e->reply, &one, sizeof one))
			return -1;
	}
}

int eventfd_pingpong_setup(long arg, void **state)
{
	struct eventfd_pingpong *e = calloc(1, sizeof *e);

	(void)arg;
	if (!e)
		return -1;
	e->request = eventfd(0, EFD_CLOEXEC);
	e->reply = eventfd(0, EFD_CLOEXEC);
	if (e->request < 0 || e->reply < 0)
		return -1;
	e->child = bench_fork_server(eventfd_serve, e);
	if (e->child < 0)
		return -1;
	*state = e;
	return 0;
}

int eventfd_pingpong_run(void *state, unsigned ops)
{
	struct eventfd_pingpong *e = state;
	uint64_t ping = EVENTFD_PING, pong;

	for (unsigned i = 0; i < ops; i++)
		if (bench_full_write(e->request, &ping, sizeof ping) ||
		    bench_full_read(e->reply, &pong, sizeof pong))
			return -1;
	return 0;
}

void eventfd_pingpong_teardown(void *state)
{
	struct eventfd_pingpong *e = state;
	uint64_t stop = EVENTFD_STOP;

	bench_full_write(e->request, &stop, sizeof stop);
	bench_reap_child(e->child);
	close(e->request);
	close(e->reply);
	free(e);
}
