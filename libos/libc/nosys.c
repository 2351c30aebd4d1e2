/*
 * What a capability system withholds: the POSIX calls newlib refers to
 * for which a capOS process has no object to act on.  Each fails with -1
 * and errno:
 *
 *   call                          errno    why
 *   fork, execve                  ENOSYS   processes are started from the boot package
 *                                          through "spawner" (capos_spawn), with explicit grants
 *   wait, waitpid                 ENOSYS   children are waited for through their
 *                                          ProcessHandle (capos_process_wait)
 *   stat, lstat, access           ENOENT   there is no file system: no name exists
 *                                          (as for open, fd.c)
 *   link, unlink, rename, mkdir,  ENOSYS   no file system to change
 *   rmdir, chdir
 *   fcntl                         ENOSYS   descriptors have no flags to change
 *   times                         ENOSYS   the kernel does not account CPU time
 *                                          (so clock() returns (clock_t)-1)
 *   sigprocmask                   ENOSYS   there are no asynchronous signals to block
 *
 * kill is in process.c, open/close/... in fd.c.  rename must be defined
 * here: newlib 3.3.0's own, built with REENTRANT_SYSCALLS_PROVIDED and
 * MISSING_SYSCALL_NAMES, calls itself for ever.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libc_internal.h"

int fork(void)
{
	return libc_fail(ENOSYS);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path;
	(void)argv;
	(void)envp;
	return libc_fail(ENOSYS);
}

pid_t wait(int *status)
{
	(void)status;
	return libc_fail(ENOSYS);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	(void)pid;
	(void)status;
	(void)options;
	return libc_fail(ENOSYS);
}

int stat(const char *restrict path, struct stat *restrict st)
{
	(void)st;
	return libc_fail(path ? ENOENT : EFAULT);
}

int lstat(const char *restrict path, struct stat *restrict st)
{
	return stat(path, st);
}

int access(const char *path, int mode)
{
	(void)mode;
	return libc_fail(path ? ENOENT : EFAULT);
}

int link(const char *old, const char *new)
{
	(void)old;
	(void)new;
	return libc_fail(ENOSYS);
}

int unlink(const char *path)
{
	(void)path;
	return libc_fail(ENOSYS);
}

int rename(const char *old, const char *new)
{
	(void)old;
	(void)new;
	return libc_fail(ENOSYS);
}

int mkdir(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	return libc_fail(ENOSYS);
}

int rmdir(const char *path)
{
	(void)path;
	return libc_fail(ENOSYS);
}

int chdir(const char *path)
{
	(void)path;
	return libc_fail(ENOSYS);
}

int fcntl(int fd, int cmd, ...)
{
	(void)fd;
	(void)cmd;
	return libc_fail(ENOSYS);
}

clock_t times(struct tms *buf)
{
	(void)buf;
	errno = ENOSYS;
	return (clock_t)-1;
}

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	(void)how;
	(void)set;
	(void)old;
	return libc_fail(ENOSYS);
}
