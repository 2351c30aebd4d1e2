/*
 * Formatted output before the C library: capos_printf formats with the
 * kernel's freestanding formatter (exo/lib/fmt.c, built into the runtime)
 * into a buffer that goes out in chunks of at most 4 KiB.  One call is
 * one write whenever the text fits, so lines of concurrent threads and
 * processes do not interleave mid-line.
 *
 * Where output goes: TerminalSession.write on "stdio" when the process
 * holds a terminal under that name (a shell's child), else Console.write
 * on "console".  capos_write (and so stdout and stderr) follow the same
 * choice.
 */
#include <capos/rt.h>
#include "lib/fmt.h"
#include "rt_internal.h"

#define CHUNK (sizeof(((struct capos_console_write_in *)0)->data))

_Static_assert(sizeof(((struct capos_terminal_session_write_in *)0)->data) == CHUNK,
	       "a chunk fits both Console.write and TerminalSession.write");

struct print_buf {
	struct capos_console_write_in msg;
	uint32_t len;
	int err;
};

/* One chunk to "stdio" or "console": 0 or a negative code (-CAPOS_ENOENT: neither exists). */
static int console_write(const void *buf, uint32_t len)
{
	struct capos_console_write_out out;
	struct capos_terminal_session_write_out term_out;
	uint32_t cap = rt_cap(RT_CAP_STDIO);

	if (cap)
		return capos_call_sync(capos_ring(), cap, CAPOS_IFACE_TERMINAL_SESSION,
				       CAPOS_TERMINAL_SESSION_WRITE, buf, len, &term_out, sizeof term_out, NULL);
	cap = rt_cap(RT_CAP_CONSOLE);
	if (!cap)
		return -CAPOS_ENOENT;
	return capos_call_sync(capos_ring(), cap, CAPOS_IFACE_CONSOLE, CAPOS_CONSOLE_WRITE, buf, len,
			       &out, sizeof out, NULL);
}

int capos_write(const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint32_t n = len - done > CHUNK ? (uint32_t)CHUNK : (uint32_t)(len - done);
		int err = console_write(buf + done, n);

		if (err)
			return err < 0 ? err : -CAPOS_EIO;
		done += n;
	}
	return (int)done;
}

static void flush(struct print_buf *p)
{
	if (p->len && !p->err) {
		int err = console_write(p->msg.data, p->len);

		if (err)
			p->err = err < 0 ? err : -CAPOS_EIO;
	}
	p->len = 0;
}

static void sink(void *ctx, char c)
{
	struct print_buf *p = ctx;

	if (p->len == CHUNK)
		flush(p);
	p->msg.data[p->len++] = (uint8_t)c;
}

int capos_vprintf(const char *fmt, va_list ap)
{
	struct print_buf p = { .len = 0, .err = 0 };
	int n = fmt_vformat(sink, &p, fmt, ap);

	flush(&p);
	return p.err ? p.err : n;
}

int capos_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = capos_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int capos_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int capos_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return kvsnprintf(buf, size, fmt, ap);
}
