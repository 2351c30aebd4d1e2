/*
 * lwIP's architecture header for capOS (and for the host tests, which
 * build the same stack natively): types come from the C library (newlib
 * or glibc), so only byte order, diagnostics, assertions and random
 * numbers are ours.
 */
#ifndef CAPOS_LWIP_ARCH_CC_H
#define CAPOS_LWIP_ARCH_CC_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

/* ssize_t comes from <sys/types.h>; newlib's <limits.h> leaves SSIZE_MAX out, and lwIP would typedef its own. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* x86_64 (the C library's <endian.h> may have said so already). */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* struct timeval comes from the C library's <sys/time.h>. */
#define LWIP_TIMEVAL_PRIVATE 0

/* Diagnostics and assertions go to stdout: on capOS the "console" or the session terminal. */
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                        \
	do {                                                                           \
		printf("lwip: assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__); \
		fflush(stdout);                                                        \
		abort();                                                               \
	} while (0)

/*
 * lwIP's random numbers (DHCP transaction ids, TCP initial sequence
 * numbers, ephemeral ports): a xorshift generator the port seeds from the
 * kernel's entropy capability when there is one, else from the clock
 * (netstack/port.c).  Not for secrets.
 */
uint32_t capos_lwip_rand(void);
#define LWIP_RAND() capos_lwip_rand()

#endif
