/*
 * Formatting side of the loader console: renders printf-style text with
 * the kernel's formatter (exo/lib/fmt.c) into a line buffer and hands it to
 * con_write().  Kept apart from conout.c so it needs no EFI headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include "console.h"
#include "../lib/fmt.h"

#define CON_LINE_MAX 512

static void con_vprintf(const char *prefix, const char *fmt, va_list ap)
{
	char line[CON_LINE_MAX];

	if (prefix)
		con_write(prefix);
	kvsnprintf(line, sizeof line, fmt, ap);
	con_write(line);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(NULL, fmt, ap);
	va_end(ap);
}

void con_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(CON_PREFIX "error: ", fmt, ap);
	va_end(ap);
	con_write("\n");
}
