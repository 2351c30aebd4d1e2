/*
 * File descriptors.  A capOS process has no file system and no open
 * files: only descriptors 0, 1 and 2 exist, open from the start.
 *
 *   fd  write                      read
 *   0   EBADF                      0 (end of file): there is no input
 *                                  capability yet (a terminal comes later)
 *   1   Console.write ("console")  EBADF
 *   2   Console.write ("console")  EBADF
 *
 * Without "console", writes to 1 and 2 fail with EBADF (nothing is open
 * behind them).  The console is a character device and a terminal for
 * stdio's purposes (fstat says S_IFCHR, isatty 1), so stdout is line
 * buffered and stderr unbuffered.  close() of 0-2 closes them for good
 * (later calls: EBADF); lseek is ESPIPE; any other descriptor is EBADF;
 * open() fails with ENOENT (there are no names to open) or EFAULT for a
 * NULL path.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <capos/rt.h>
#include "libc_internal.h"

static uint32_t fd_closed;  /* bit n: descriptor n was closed */

static int fd_open(int fd)
{
	return fd >= 0 && fd <= 2 && !(__atomic_load_n(&fd_closed, __ATOMIC_RELAXED) & (1u << fd));
}

ssize_t write(int fd, const void *buf, size_t len)
{
	int n;

	if (!fd_open(fd) || fd == STDIN_FILENO)
		return libc_fail(EBADF);
	if (len == 0)
		return 0;
	n = capos_write(buf, len);
	if (n == -CAPOS_ENOENT)
		return libc_fail(EBADF);
	if (n < 0)
		return libc_fail_capos(n);
	return n;
}

ssize_t read(int fd, void *buf, size_t len)
{
	(void)buf;
	(void)len;
	if (!fd_open(fd) || fd != STDIN_FILENO)
		return libc_fail(EBADF);
	return 0;
}

int close(int fd)
{
	if (!fd_open(fd))
		return libc_fail(EBADF);
	__atomic_fetch_or(&fd_closed, 1u << fd, __ATOMIC_RELAXED);
	return 0;
}

int fstat(int fd, struct stat *st)
{
	if (!fd_open(fd))
		return libc_fail(EBADF);
	memset(st, 0, sizeof *st);
	st->st_mode = S_IFCHR | (fd == STDIN_FILENO ? S_IRUSR : S_IWUSR);
	st->st_nlink = 1;
	st->st_rdev = (dev_t)fd;
	st->st_blksize = 1024;
	return 0;
}

int isatty(int fd)
{
	if (!fd_open(fd)) {
		errno = EBADF;
		return 0;
	}
	return 1;
}

off_t lseek(int fd, off_t offset, int whence)
{
	(void)offset;
	(void)whence;
	return libc_fail(fd_open(fd) ? ESPIPE : EBADF);
}

int open(const char *path, int flags, ...)
{
	(void)flags;
	return libc_fail(path ? ENOENT : EFAULT);
}
