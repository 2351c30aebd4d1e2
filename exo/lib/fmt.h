/*
 * printf-style formatting without a C library, for the kernel log and
 * panic paths.  Supports %d %i %u %x %X %o %p %s %c %% with flags '-' '0'
 * ' ' '+' '#', width, precision (also '*'), and length modifiers hh h l ll z.
 * No floating point: the kernel does not touch the FPU.
 */
#ifndef EXO_LIB_FMT_H
#define EXO_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink)(void *ctx, char c);

/* Format into a sink; returns the number of characters produced. */
int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* Like vsnprintf: always NUL-terminates when size > 0; returns the length
 * the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
