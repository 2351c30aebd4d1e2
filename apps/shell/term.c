/*
 * The shell's side of the terminal: text out through TerminalSession.write
 * (the shell holds no console), lines in through read_line.  While a
 * child holds the foreground the shell is a lender: it may still write,
 * and it reads again only after reclaiming.
 *
 * A line is read asynchronously and watched, so that the shell can wait
 * for it and for the end of its session at once: when the session ends
 * first, the read is cancelled and the caller learns so instead of a line.
 */
#include <stdarg.h>
#include <string.h>
#include "shell.h"

#define READ_DRAIN_NS 1000000000ull   /* how long to wait for a cancelled read_line */

void shell_write(struct shell *sh, const char *text, uint32_t len)
{
	static struct capos_terminal_session_write_in msg;
	struct capos_terminal_session_write_out out;

	while (len) {
		uint32_t n = len < sizeof msg.data ? len : (uint32_t)sizeof msg.data;

		memcpy(msg.data, text, n);
		if (capos_terminal_session_write(capos_ring(), sh->terminal, &msg, n, &out))
			return;
		text += n;
		len -= n;
	}
}

void shell_printf(struct shell *sh, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = capos_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	shell_write(sh, buf, (uint32_t)n < sizeof buf ? (uint32_t)n : (uint32_t)sizeof buf - 1);
}

/* The read in flight: its result is static, since the kernel writes it until the read completes. */
struct line_read {
	struct capos_terminal_session_read_line_out out;
	struct capos_completion done;
	int pending;
};

static struct line_read rd;

static void line_done(void *ctx, const struct capos_completion *c)
{
	(void)ctx;
	rd.done = *c;
	rd.pending = 0;
}

/* Cancel the read and let its completion arrive (-CAPOS_ECANCELED, or the line it had just got). */
static void drop_read(uint64_t ud)
{
	uint64_t until = capos_time_ns() + READ_DRAIN_NS;

	capos_cancel(capos_ring(), ud);
	while (rd.pending && capos_time_ns() < until)
		capos_ring_poll(capos_ring(), READ_DRAIN_NS / 10);
	if (rd.pending)
		capos_ring_unwatch(capos_ring(), ud);
	shell_wipe(rd.out.line, sizeof rd.out.line);
}

/* Submit the read and wait for it or for the session's end: 0 with rd.done, or a negative code. */
static int wait_line(struct shell *sh, uint32_t flags, uint32_t max, uint64_t *ud)
{
	struct capos_terminal_session_read_line_in in = { .max = max, .flags = flags };
	int err = capos_terminal_session_read_line_async(capos_ring(), sh->terminal, &in, &rd.out, ud);

	if (err)
		return err;
	rd.pending = 1;
	if (capos_ring_watch(capos_ring(), *ud, line_done, NULL)) {
		rd.pending = 0;   /* no room to watch: wait for the read alone, as a plain call */
		return capos_ring_wait(capos_ring(), *ud, CAPOS_TIMEOUT_INFINITE, &rd.done);
	}
	while (rd.pending && sh->ended == CAPOS_SESSION_LIVE) {
		err = capos_ring_poll(capos_ring(), CAPOS_TIMEOUT_INFINITE);
		if (err < 0) {
			drop_read(*ud);
			return err;
		}
	}
	return 0;
}

int shell_read(struct shell *sh, uint32_t flags, char *buf, uint32_t max, uint32_t size)
{
	uint64_t ud;
	uint32_t n;
	int err = wait_line(sh, flags, max, &ud);

	if (err)
		return err;
	if (rd.pending) {
		drop_read(ud);
		return SHELL_READ_ENDED;
	}
	if (rd.done.status == -CAPOS_ECANCELED)
		return SHELL_READ_CANCEL;
	if (rd.done.status)
		return rd.done.status > 0 ? -CAPOS_EIO : rd.done.status;
	if (rd.out.event == CAPOS_TERMINAL_EVENT_EOF)
		return SHELL_READ_EOF;
	n = rd.done.result_len > sizeof rd.out.event ? rd.done.result_len - (uint32_t)sizeof rd.out.event : 0;
	if (n >= size)
		n = size - 1;
	memcpy(buf, rd.out.line, n);
	buf[n] = '\0';
	shell_wipe(rd.out.line, sizeof rd.out.line);   /* it may have been a password */
	return SHELL_READ_LINE;
}

void shell_wipe(void *p, uint32_t len)
{
	volatile uint8_t *b = p;

	while (len--)
		*b++ = 0;
}
