/*
 * The shell's side of the terminal: text out through TerminalSession.write
 * (the shell holds no console), lines in through read_line.  While a
 * child holds the foreground the shell is a lender: it may still write,
 * and it reads again only after reclaiming.
 */
#include <stdarg.h>
#include <string.h>
#include "shell.h"

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

int shell_read(struct shell *sh, uint32_t flags, char *buf, uint32_t max, uint32_t size)
{
	struct capos_terminal_session_read_line_in in = { .max = max, .flags = flags };
	struct capos_terminal_session_read_line_out out;
	uint32_t len = 0, n;
	int err = capos_terminal_session_read_line(capos_ring(), sh->terminal, &in, &out, &len);

	if (err == -CAPOS_ECANCELED)
		return SHELL_READ_CANCEL;
	if (err)
		return err > 0 ? -CAPOS_EIO : err;
	if (out.event == CAPOS_TERMINAL_EVENT_EOF)
		return SHELL_READ_EOF;
	n = len > sizeof out.event ? len - (uint32_t)sizeof out.event : 0;
	if (n >= size)
		n = size - 1;
	memcpy(buf, out.line, n);
	buf[n] = '\0';
	shell_wipe(out.line, sizeof out.line);   /* it may have been a password */
	return SHELL_READ_LINE;
}

void shell_wipe(void *p, uint32_t len)
{
	volatile uint8_t *b = p;

	while (len--)
		*b++ = 0;
}
