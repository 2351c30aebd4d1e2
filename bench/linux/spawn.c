/*
 * Process creation, the counterparts of capOS's spawn rows, each two ways:
 * fork + execve, and posix_spawn (glibc: a clone sharing the parent's
 * memory until the exec, as vfork).  The children are static programs of
 * the initramfs (mkinitramfs.py), started with the parent's environment
 * and descriptors.
 * spawn_to_main_*: from just before the spawn call to the first
 * instruction of the child's main(), after the C runtime's start-up —
 * capos-linux-spawn-main reads the TSC there, then CLOCK_MONOTONIC, and
 * writes both to BENCH_SPAWN_FD, a pipe it inherits; the parent waits for
 * its end and reads them (the pipe holds them until then).
 * spawn_to_exit_*: spawn capos-linux-spawn-empty (main returns 0) and
 * wait for its end.  One spawn per sample.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define SPAWN_MAIN_PATH "/capos-linux-spawn-main"
#define SPAWN_EMPTY_PATH "/capos-linux-spawn-empty"

extern char **environ;

struct spawn_row {
	long how;                    /* BENCH_SPAWN_* */
	const char *path;
	int readings;                /* spawn_to_main: the pipe's read end; -1 otherwise */
};

/* Start path the row's way: the child's pid, or -1 with errno. */
static pid_t start(const struct spawn_row *r)
{
	char *argv[] = { (char *)r->path, NULL };
	pid_t pid;
	int err;

	if (r->how == BENCH_SPAWN_POSIX_SPAWN) {
		err = posix_spawn(&pid, r->path, NULL, NULL, argv, environ);
		if (err) {
			errno = err;
			return -1;
		}
		return pid;
	}
	pid = fork();
	if (pid == 0) {
		execve(r->path, argv, environ);
		_exit(127);
	}
	return pid;
}

/* Wait for pid; 0 if it exited 0, -1 with errno otherwise (ECHILD: another end). */
static int wait_exit_0(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = ECHILD;
		return -1;
	}
	return 0;
}

static int new_row(long how, const char *path, struct spawn_row **out)
{
	struct spawn_row *r = malloc(sizeof *r);

	if (!r)
		return -1;
	*r = (struct spawn_row){ how, path, -1 };
	*out = r;
	return 0;
}

int spawn_main_setup(long how, void **state)
{
	struct spawn_row *r;
	int fds[2];

	if (new_row(how, SPAWN_MAIN_PATH, &r))
		return -1;
	/* both ends close on exec; the child's copy of the write end is BENCH_SPAWN_FD, which does not */
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK)) {
		free(r);
		return -1;
	}
	if (dup2(fds[1], BENCH_SPAWN_FD) < 0) {
		close(fds[0]);
		close(fds[1]);
		free(r);
		return -1;
	}
	close(fds[1]);
	r->readings = fds[0];
	*state = r;
	return 0;
}

int spawn_main_sample(void *state, double *tsc, double *ns)
{
	struct spawn_row *r = state;
	uint64_t at_main[2];         /* the child's TSC, then its CLOCK_MONOTONIC */
	uint64_t ns0 = bench_ns();
	uint64_t tsc0 = bench_tsc();
	pid_t pid = start(r);

	if (pid < 0 || wait_exit_0(pid))
		return -1;
	if (read(r->readings, at_main, sizeof at_main) != (ssize_t)sizeof at_main || at_main[0] <= tsc0 ||
	    at_main[1] <= ns0) {
		errno = EPROTO;          /* no readings, or not taken after ours */
		return -1;
	}
	*tsc = (double)(at_main[0] - tsc0);
	*ns = (double)(at_main[1] - ns0);
	return 0;
}

int spawn_exit_setup(long how, void **state)
{
	struct spawn_row *r;

	if (new_row(how, SPAWN_EMPTY_PATH, &r))
		return -1;
	*state = r;
	return 0;
}

int spawn_exit_run(void *state, unsigned ops)
{
	for (unsigned i = 0; i < ops; i++) {
		pid_t pid = start(state);

		if (pid < 0 || wait_exit_0(pid))
			return -1;
	}
	return 0;
}

void spawn_teardown(void *state)
{
	struct spawn_row *r = state;

	if (r->readings >= 0) {
		close(r->readings);
		close(BENCH_SPAWN_FD);
	}
	free(r);
}
