/*
 * User memory as a process sees it: page protections and the user address
 * window.  Shared by the kernel (exo/proc) and the libOS.
 *
 * A protection is CAPOS_PROT_READ, optionally with WRITE or EXEC but never
 * both (W^X: asking for WRITE|EXEC is -CAPOS_EPERM).  x86_64 pages are
 * always readable, so READ is required (a protection without it is
 * -CAPOS_EINVAL); to make memory inaccessible, unmap it.
 *
 * User addresses lie in [CAPOS_USER_MIN, CAPOS_USER_MAX): page 0 is never
 * mapped, so a NULL dereference always faults, and the top of the window is
 * the end of the canonical lower half.  Everything at or above
 * CAPOS_USER_MAX belongs to the kernel.
 */
#ifndef CAPOS_PROT_H
#define CAPOS_PROT_H

#include <stdint.h>

#define CAPOS_PAGE_SIZE  4096ull
#define CAPOS_PAGE_SHIFT 12

#define CAPOS_PROT_READ  1u
#define CAPOS_PROT_WRITE 2u
#define CAPOS_PROT_EXEC  4u
#define CAPOS_PROT_ALL   (CAPOS_PROT_READ | CAPOS_PROT_WRITE | CAPOS_PROT_EXEC)

#define CAPOS_USER_MIN 0x0000000000001000ull
#define CAPOS_USER_MAX 0x0000800000000000ull

/* Where the kernel looks first for a free range when a process lets it
 * choose the address (first fit upwards, then below this base). */
#define CAPOS_USER_MAP_BASE 0x0000100000000000ull
/* Default top of the initial thread's stack (one unmapped page above it). */
#define CAPOS_USER_STACK_TOP 0x00007ffffffff000ull

#endif
