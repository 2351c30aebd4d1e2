/*
 * Diagnostics for the manifest compiler: every error names the file, the
 * line and column (1-based) of what is wrong, and says what is wrong, in
 * the form "FILE:LINE:COL: error: MESSAGE".  The first error stops the
 * compiler; struct mdiag carries it to main.
 */
#ifndef MANIFEST_MFDIAG_H
#define MANIFEST_MFDIAG_H

#include <stdarg.h>

struct mdiag {
	const char *file;
	int line, col;
	char msg[512];
};

/* Record an error at line:col; returns -1 so callers can `return mdiag_error(...)`. */
int mdiag_error(struct mdiag *d, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "FILE:LINE:COL: error: MESSAGE" (no newline) into buf. */
void mdiag_format(const struct mdiag *d, char *buf, unsigned long size);

#endif
