/*
 * Placing a program's memory in an address space: each PT_LOAD segment of
 * a checked load plan becomes fresh zeroed pages that the loader maps into
 * itself, fills from the file, unmaps, and maps into the target with the
 * segment's protection (W^X: the target never sees a writable page that
 * will be executable).  Two targets use it: a child being built through
 * its ProcessHandle (spawn.c: pages charged to the child) and this very
 * process replacing its program (exec.c: pages charged to itself).
 */
#ifndef LIBOS_RT_SEGMENTS_H
#define LIBOS_RT_SEGMENTS_H

#include <stdint.h>
#include "loadplan.h"

struct load_target {
	/* pages zeroed pages as a MemoryObject handle of the caller in *mo */
	int (*memory)(void *ctx, uint64_t pages, uint32_t *mo);
	/* mo's first pages at vaddr in the target, with prot */
	int (*map)(void *ctx, uint32_t mo, uint64_t vaddr, uint64_t pages, uint32_t prot);
	void *ctx;
};

/*
 * pages of target memory at vaddr with prot, its first len bytes at
 * offset copied from src (len 0: left zero).  The loader's own handle to
 * the memory is released whatever happens; the mapping keeps it alive.
 */
int load_give_memory(const struct load_target *t, uint64_t vaddr, uint64_t pages, uint32_t prot, uint64_t offset,
		     const void *src, uint64_t len);

/* Every PT_LOAD segment of plan, in file order; stops at the first error. */
int load_segments(const struct load_target *t, const struct load_plan *plan);

#endif
