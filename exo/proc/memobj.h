/*
 * memobj: the kernel object behind a MemoryObject capability — a fixed
 * number of zeroed frames, charged to the quota of the process that
 * created it, mappable into any number of address spaces.
 *
 * Lifetime.  One counter holds both kinds of reference: holders
 * (capability slots, kernel users: memobj_ref / memobj_unref) and
 * mappings (one per mapped region piece, taken and dropped only by
 * aspace*.c through memobj_map_get / memobj_map_put).  When the last of
 * either kind goes, the frames return to the frame allocator and the
 * charge is released — so frames return only after every mapping is gone,
 * even when the capability was released first.  The counters are atomic;
 * the frame list never changes after creation, so no lock is needed.
 *
 * Kernel-owned objects (memobj_init_kernel: the boot package) are the
 * exception: their storage is static, nothing is charged, and they hold
 * one reference that is never dropped, so their frames are never freed or
 * scrubbed.  They are read-only: every path that maps or re-protects a
 * piece of a read-only object refuses CAPOS_PROT_WRITE with -CAPOS_EPERM
 * (aspace_map_memobj and the protect edits in aspace.c, which
 * MemoryObject.map/protect, ProcessHandle.map and VirtualMemory.protect
 * all reach).
 */
#ifndef EXO_PROC_MEMOBJ_H
#define EXO_PROC_MEMOBJ_H

#include <stdbool.h>
#include <stdint.h>
#include "quota.h"

/* Largest object: 1 GiB (the frame list is one heap block of 2 MiB). */
#define MEMOBJ_MAX_PAGES (1ull << 18)

/* Fields are private to memobj.c. */
struct memobj {
	uint64_t pages;
	uint64_t *frames;   /* physical address of each page */
	struct quota *q;    /* charged for the frames; one quota reference */
	uint32_t count;     /* holders + mappings (atomic); frees at 0 */
	uint32_t maps;      /* mappings (atomic; reported by memobj_info) */
	bool scrub;         /* zero every frame before it goes back (device-reachable frames) */
	bool readonly;      /* no mapping of it may ever be writable */
	bool kernel_owned;  /* memobj_init_kernel: never freed */
};

struct memobj_info {
	uint64_t pages;
	uint32_t mappings;
};

/* A new object of `pages` zeroed frames charged to q, with one holder
 * reference for the caller.  0; -CAPOS_EINVAL (pages 0); -CAPOS_ERANGE
 * (more than MEMOBJ_MAX_PAGES); -CAPOS_EQUOTA; -CAPOS_ENOMEM.  Nothing is
 * charged or allocated on failure. */
int memobj_create(struct quota *q, uint64_t pages, struct memobj **out);

/* An object over frames the caller allocated (a DMA pool's contiguous
 * run): frames[0..pages) pass to the object, which frees each with the
 * frame allocator once the last reference goes — zeroed first when scrub.
 * Charges q for pages.  0; -CAPOS_EINVAL / -CAPOS_ERANGE / -CAPOS_EQUOTA /
 * -CAPOS_ENOMEM as memobj_create, and then the frames stay the caller's. */
int memobj_adopt(struct quota *q, const uint64_t *frames, uint64_t pages, bool scrub, struct memobj **out);

/* Make *mo a kernel-owned, read-only object over frames[0..pages), which
 * stay the caller's and must outlive it (they never return anywhere).
 * Charged to nobody; its one reference is never dropped.  0, or
 * -CAPOS_EINVAL / -CAPOS_ERANGE for the size as memobj_create. */
int memobj_init_kernel(struct memobj *mo, uint64_t *frames, uint64_t pages);

void memobj_ref(struct memobj *mo);
/* Drop a holder reference; the last reference of any kind frees mo. */
void memobj_unref(struct memobj *mo);

void memobj_info(const struct memobj *mo, struct memobj_info *out);
uint64_t memobj_pages(const struct memobj *mo);
/* Whether no mapping of mo may be writable. */
bool memobj_readonly(const struct memobj *mo);
/* 0, or -CAPOS_EPERM when prot asks to write a read-only object. */
int memobj_check_prot(const struct memobj *mo, uint32_t prot);
/* Physical address of page `page` (< memobj_pages; else a kernel bug). */
uint64_t memobj_frame(const struct memobj *mo, uint64_t page);

/* Mapping references, for aspace*.c only. */
void memobj_map_get(struct memobj *mo);
void memobj_map_put(struct memobj *mo);

#endif
