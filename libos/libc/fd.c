/*
 * File descriptors.  A capOS process has no file system and no open
 * files: only descriptors 0, 1 and 2 exist, open from the start.  They
 * are a terminal when the process holds a TerminalSession named "stdio"
 * (a shell lends its terminal to a child under that name), else the
 * console:
 *
 *   fd  with "stdio"                  without
 *   0   read: TerminalSession.read_line  read: 0 (end of file: no input)
 *   1   write: TerminalSession.write     write: Console.write ("console")
 *   2   write: TerminalSession.write     write: Console.write ("console")
 *
 * Reading the terminal: each read_line (visible echo, at most
 * CAPOS_TERMINAL_LINE_MAX bytes) gives one line with "\n" appended, kept
 * here until reads have taken all of it; ^D on an empty line is end of
 * file (0), ^C fails the read with EINTR, a terminal taken back from this
 * process (-CAPOS_EREVOKED) with EACCES.  Reads of 0 are serialised by a
 * lock, so threads never share half a line.
 *
 * Writes to 0 and reads from 1 and 2 are EBADF.  Without "stdio" and
 * "console", writes to 1 and 2 fail with EBADF (nothing is open behind
 * them).  The console is a character device and a terminal for
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
#include <capos/terminal.h>
#include "libc_internal.h"
#include "../rt/rt_internal.h"

static uint32_t fd_closed;  /* bit n: descriptor n was closed */

/* The line read from "stdio" and not yet returned: line[pos..len). */
static struct {
	struct capos_mutex lock;
	uint32_t pos, len;          /* [lock] */
	char line[CAPOS_TERMINAL_LINE_MAX + 1];  /* [lock] the line and its "\n" */
} term_in = { .lock = CAPOS_MUTEX_INIT };

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

/* Fill term_in with the next line: its length (0 at end of file) or a negative CAPOS_E* code.  lock held. */
static int term_fill_locked(uint32_t cap)
{
	struct capos_terminal_session_read_line_in in = { .max = CAPOS_TERMINAL_LINE_MAX, .flags = 0 };
	struct capos_terminal_session_read_line_out out;
	uint32_t got = 0;
	int err = capos_terminal_session_read_line(capos_ring(), cap, &in, &out, &got);
	uint32_t n;

	if (err)
		return err;
	if (out.event == CAPOS_TERMINAL_EVENT_EOF)
		return 0;
	if (got < sizeof out.event || got - sizeof out.event > CAPOS_TERMINAL_LINE_MAX)
		return -CAPOS_EIO;
	n = got - (uint32_t)sizeof out.event;
	memcpy(term_in.line, out.line, n);
	term_in.line[n] = '\n';
	term_in.pos = 0;
	term_in.len = n + 1;
	return (int)term_in.len;
}

static ssize_t term_read(uint32_t cap, char *buf, size_t len)
{
	ssize_t n = 0;
	int err = 0;

	capos_mutex_lock(&term_in.lock);
	if (term_in.pos == term_in.len)
		err = term_fill_locked(cap);
	if (err > 0 || term_in.pos < term_in.len) {
		n = (ssize_t)(term_in.len - term_in.pos < len ? term_in.len - term_in.pos : len);
		memcpy(buf, term_in.line + term_in.pos, (size_t)n);
		term_in.pos += (uint32_t)n;
	}
	capos_mutex_unlock(&term_in.lock);
	if (err == -CAPOS_ECANCELED)
		return libc_fail(EINTR);  /* ^C */
	if (err < 0)
		return libc_fail_capos(err);
	return n;
}

ssize_t read(int fd, void *buf, size_t len)
{
	uint32_t cap = rt_cap(RT_CAP_STDIO);

	if (!fd_open(fd) || fd != STDIN_FILENO)
		return libc_fail(EBADF);
	if (!cap || len == 0)
		return 0;
	return term_read(cap, buf, len);
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
