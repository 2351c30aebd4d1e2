/*
 * Capability handles as a process sees them.  A handle is a 32-bit value:
 * bits 0-15 index the process's capability table (index 0 is never used, so
 * 0 is never a valid handle), bits 16-31 carry the slot's generation.
 * Releasing a slot bumps its generation, so a stale copy of a handle is
 * refused with -CAPOS_EBADF instead of reaching whatever reuses the slot.
 */
#ifndef CAPOS_CAP_H
#define CAPOS_CAP_H

#include <stdint.h>

#define CAPOS_CAP_NONE 0u
#define CAPOS_CAP_INDEX_BITS 16
#define CAPOS_CAP_INDEX_MASK 0xffffu
#define CAPOS_CAP_MAX_SLOTS 65536u

static inline uint32_t capos_cap_index(uint32_t handle) { return handle & CAPOS_CAP_INDEX_MASK; }
static inline uint32_t capos_cap_gen(uint32_t handle) { return handle >> CAPOS_CAP_INDEX_BITS; }
static inline uint32_t capos_cap_make(uint32_t index, uint32_t gen)
{
	return (gen << CAPOS_CAP_INDEX_BITS) | (index & CAPOS_CAP_INDEX_MASK);
}

/* Rights a handle carries (checked by the kernel before transfer). */
#define CAPOS_RIGHT_TRANSFER 1u   /* may be copied or moved to another process */
#define CAPOS_RIGHT_ALL      1u

#endif
