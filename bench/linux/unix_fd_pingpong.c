/*
 * unix_fd_pingpong: a round trip over a unix socketpair to a child process
 * in which the request carries one file descriptor (SCM_RIGHTS) and the
 * reply is one plain byte.  The counterpart of the capOS endpoint round
 * trip with one capability copied along.  The child closes every descriptor
 * it receives, as a capOS server releases a capability it does not keep.
 * Closing the parent's end ends the child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench.h"

struct unix_fd_pingpong {
	int sock[2];                 /* [0] parent, [1] child */
	int passed;                  /* the descriptor sent with each request */
	int child;
};

/* Room for one descriptor's control message, suitably aligned. */
union fd_cmsg {
	struct cmsghdr header;
	char space[CMSG_SPACE(sizeof(int))];
};

static int send_with_fd(int sock, int fd)
{
	char byte = 'x';
	struct iovec iov = { &byte, 1 };
	union fd_cmsg control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control.space, .msg_controllen = sizeof control.space };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	memset(&control, 0, sizeof control);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* Receive one request; its descriptor in *fd.  0, 1 at end of stream, -1. */
static int recv_with_fd(int sock, int *fd)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union fd_cmsg control;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control.space, .msg_controllen = sizeof control.space };
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);

	if (n <= 0)
		return n == 0 ? 1 : -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
		errno = EPROTO;
		return -1;
	}
	memcpy(fd, CMSG_DATA(cmsg), sizeof *fd);
	return 0;
}

static int unix_fd_serve(void *arg)
{
	struct unix_fd_pingpong *u = arg;
	char byte = 'y';
	int fd, r;

	close(u->sock[0]);
	while ((r = recv_with_fd(u->sock[1], &fd)) == 0) {
		close(fd);
		if (bench_full_write(u->sock[1], &byte, 1))
			return -1;
	}
	return r == 1 ? 0 : -1;
}

int unix_fd_pingpong_setup(long arg, void **state)
{
	struct unix_fd_pingpong *u = calloc(1, sizeof *u);

	(void)arg;
	if (!u || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, u->sock))
		return -1;
	u->passed = eventfd(0, EFD_CLOEXEC);
	if (u->passed < 0)
		return -1;
	u->child = bench_fork_server(unix_fd_serve, u);
	if (u->child < 0)
		return -1;
	close(u->sock[1]);
	*state = u;
	return 0;
}

int unix_fd_pingpong_run(void *state, unsigned ops)
{
	struct unix_fd_pingpong *u = state;
	char byte;

	for (unsigned i = 0; i < ops; i++)
		if (send_with_fd(u->sock[0], u->passed) || bench_full_read(u->sock[0], &byte, 1))
			return -1;
	return 0;
}

void unix_fd_pingpong_teardown(void *state)
{
	struct unix_fd_pingpong *u = state;

	close(u->sock[0]);
	bench_reap_child(u->child);
	close(u->passed);
	free(u);
}
