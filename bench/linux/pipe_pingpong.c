/*
 * pipe_pingpong: one byte to a child process through one pipe and one byte
 * back through another; one round trip per operation.  The counterpart of
 * an endpoint CALL->RECV->RETURN between two capOS processes.  Closing the
 * request pipe ends the child.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>
#include "bench.h"

struct pipe_pingpong {
	int request[2];              /* parent -> child */
	int reply[2];                /* child -> parent */
	int child;
};

static int pipe_serve(void *arg)
{
	struct pipe_pingpong *p = arg;
	char byte;
	int r;

	close(p->request[1]);
	close(p->reply[0]);
	while ((r = bench_full_read(p->request[0], &byte, 1)) == 0)
		if (bench_full_write(p->reply[1], &byte, 1))
			return -1;
	return r == 1 ? 0 : -1;
}

int pipe_pingpong_setup(long arg, void **state)
{
	struct pipe_pingpong *p = calloc(1, sizeof *p);

	(void)arg;
	if (!p || pipe(p->request) || pipe(p->reply))
		return -1;
	p->child = bench_fork_server(pipe_serve, p);
	if (p->child < 0)
		return -1;
	close(p->request[0]);
	close(p->reply[1]);
	*state = p;
	return 0;
}

int pipe_pingpong_run(void *state, unsigned ops)
{
	struct pipe_pingpong *p = state;
	char byte = 'x';

	for (unsigned i = 0; i < ops; i++)
		if (bench_full_write(p->request[1], &byte, 1) || bench_full_read(p->reply[0], &byte, 1))
			return -1;
	return 0;
}

void pipe_pingpong_teardown(void *state)
{
	struct pipe_pingpong *p = state;

	close(p->request[1]);
	bench_reap_child(p->child);
	close(p->reply[0]);
	free(p);
}
