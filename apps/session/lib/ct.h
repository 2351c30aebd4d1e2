/*
 * Constant-time helpers for secrets: comparison, conditional copy and
 * wiping whose running time depends only on the lengths, never on the
 * bytes.  The credential store uses them so that which account matched,
 * and how much of a key matched, cannot be read from the clock.
 */
#ifndef SESSION_CT_H
#define SESSION_CT_H

#include <stddef.h>
#include <stdint.h>

/* 1 when the len bytes at a and b are equal, else 0; no early exit. */
static inline uint32_t ct_equal(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	uint32_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= (uint32_t)(x[i] ^ y[i]);
	return ((diff - 1) >> 31) & 1;   /* diff is at most 0xff */
}

/* Copy len bytes from src to dst when flag is 1, leave dst when 0. */
static inline void ct_copy_if(void *dst, const void *src, size_t len, uint32_t flag)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	uint8_t mask = (uint8_t)-(flag & 1);

	for (size_t i = 0; i < len; i++)
		d[i] = (uint8_t)((d[i] & ~mask) | (s[i] & mask));
}

/* Zero len bytes in a way the compiler may not drop as a dead store. */
static inline void ct_wipe(void *p, size_t len)
{
	volatile uint8_t *v = p;

	for (size_t i = 0; i < len; i++)
		v[i] = 0;
}

#endif
