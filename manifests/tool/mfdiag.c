/* Formatting of manifest-compiler diagnostics (see mfdiag.h). */
#include <stdio.h>
#include "mfdiag.h"

int mdiag_error(struct mdiag *d, int line, int col, const char *fmt, ...)
{
	va_list ap;

	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void mdiag_format(const struct mdiag *d, char *buf, unsigned long size)
{
	snprintf(buf, size, "%s:%d:%d: error: %s", d->file, d->line, d->col, d->msg);
}
