/*
 * Helpers for the ping-pong rows that run their server in a second process:
 * fork it (the child runs serve and exits with its result), reap it, and
 * read or write a whole small message, retrying on EINTR.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

/* Fork a child that runs serve(arg) and exits 0 on success; its pid or -1. */
int bench_fork_server(int (*serve)(void *arg), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(serve(arg) ? 1 : 0);
	return pid;
}

/* Wait for the child; 0 if it exited 0, -1 otherwise. */
int bench_reap_child(int pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Read exactly len bytes; 0, 1 on end of file before any byte, -1 on error. */
int bench_full_read(int fd, void *buf, unsigned len)
{
	unsigned got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n == 0 && got == 0)
			return 1;
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0)
			got += (unsigned)n;
	}
	return 0;
}

/* Write exactly len bytes; 0 or -1. */
int bench_full_write(int fd, const void *buf, unsigned len)
{
	unsigned put = 0;

	while (put < len) {
		ssize_t n = write(fd, (const char *)buf + put, len - put);

		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0)
			put += (unsigned)n;
	}
	return 0;
}
