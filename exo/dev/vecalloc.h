/*
 * The CPU vectors device interrupts may use, as a set (pure: no locks;
 * built into the host tests).  The caller serialises access (interrupt.c
 * holds its vector lock).  Vectors are handed out lowest first; on x86 the
 * upper nibble of a vector is its priority class, so first-come interrupts
 * simply get the lower classes.
 */
#ifndef EXO_DEV_VECALLOC_H
#define EXO_DEV_VECALLOC_H

#include <stdbool.h>
#include <stdint.h>

struct vecalloc {
	uint64_t used[4];     /* bit v: vector v handed out */
	uint8_t first, last;  /* the range served, inclusive */
};

void vecalloc_init(struct vecalloc *va, uint8_t first, uint8_t last);

/* The lowest free vector in the range, now taken; -1 when none is left. */
int vecalloc_get(struct vecalloc *va);

/* Give vector back; false (and nothing changes) when it was not handed out. */
bool vecalloc_put(struct vecalloc *va, uint8_t vector);

bool vecalloc_in_use(const struct vecalloc *va, uint8_t vector);
uint32_t vecalloc_free_count(const struct vecalloc *va);

#endif
