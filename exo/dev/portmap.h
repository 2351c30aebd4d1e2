/*
 * An x86 I/O permission bitmap as data (pure: no locks, no hardware; built
 * into the host tests).  One bit per port, 65536 ports; a SET bit means
 * the port is closed, which is the CPU's own convention, so a process's
 * map is copied into the TSS as it is.  Alongside the bits the owner keeps
 * the used prefix: the number of leading bytes that may hold an open
 * port.  Every byte at or past it is 0xff, so a context switch copies only
 * that prefix and a map with nothing open costs nothing.
 */
#ifndef EXO_DEV_PORTMAP_H
#define EXO_DEV_PORTMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PORTMAP_PORTS 65536u
#define PORTMAP_BYTES (PORTMAP_PORTS / 8u)

/* Is [base, base + count) a non-empty range of real ports? */
bool portmap_range_ok(uint32_t base, uint32_t count);

/* Every port closed (all 0xff); the used prefix is 0. */
void portmap_init(uint8_t bits[PORTMAP_BYTES]);

/* Open [base, base + count) (portmap_range_ok); returns the new used prefix. */
uint32_t portmap_open(uint8_t bits[PORTMAP_BYTES], uint32_t used, uint32_t base, uint32_t count);

/* Close [base, base + count); returns the new used prefix (it shrinks past trailing closed bytes). */
uint32_t portmap_close(uint8_t bits[PORTMAP_BYTES], uint32_t used, uint32_t base, uint32_t count);

bool portmap_is_open(const uint8_t bits[PORTMAP_BYTES], uint32_t port);

#endif
