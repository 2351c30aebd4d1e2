/*
 * vma: the region list of a user address space, as pure data.  A region
 * (struct vma) is a run of pages with one protection and one kind; the set
 * keeps regions sorted by address and never overlapping, in a growable
 * array (binary search for lookups, memmove for edits).
 *
 * Validate-then-act: every edit that can grow the array (insert, split)
 * needs its slots reserved first with vma_reserve(), which is the only
 * call that can fail; after it, inserts, splits, removals and merges
 * cannot fail.  Only adjacent anonymous regions with equal protection are
 * merged; every other kind keeps its boundaries (a memory-object piece
 * carries its own object offset and mapping reference).
 *
 * No locking and no page tables here: struct aspace (aspace.h) owns a set,
 * serialises it under its lock and keeps the page tables in step.
 */
#ifndef EXO_PROC_VMA_H
#define EXO_PROC_VMA_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/prot.h>
#include "quota.h"

enum vma_kind {
	VMA_ANON,    /* zeroed frames owned by the space, charged to its quota */
	VMA_MEMOBJ,  /* frames of a memory object; the region holds a mapping reference */
	VMA_RING,    /* kernel-owned frames (the capability ring): never freed here */
	VMA_IMAGE,   /* like ANON, holding a program's segment */
	VMA_STACK,   /* like ANON, holding a thread stack */
	VMA_GUARD,   /* reserved and never mapped: faults on access */
	VMA_DEVICE,  /* device registers (a PCI BAR): uncached, never executable, never freed here */
	VMA_KIND_COUNT
};

struct memobj;

/*
 * A mapping made through a revocable copy of a MemoryObject
 * (exo/cap/revmap.c owns it): every region a map through the copy made
 * in one space, and every piece split from them, points at one of these,
 * so revoking the copy can find and remove them.  regions is guarded by
 * the lock of the space the regions belong to; when the last of them
 * goes by unmap or teardown the space hands the record back through
 * release, after dropping its lock.
 */
struct vma_via {
	uint32_t regions;                    /* [space lock] regions pointing here; 0: unmapped or never mapped */
	struct vma_via *dead_next;           /* [space lock] on the space's list of records to hand back */
	void (*release)(struct vma_via *v);  /* called with no lock held */
};

struct vma {
	uint64_t start;       /* page aligned */
	uint64_t pages;       /* > 0 */
	uint32_t prot;        /* CAPOS_PROT_*; 0 for guards */
	uint32_t kind;        /* enum vma_kind */
	struct memobj *mo;    /* VMA_MEMOBJ only */
	uint64_t first_page;  /* VMA_MEMOBJ: object page mapped at start; VMA_DEVICE: physical page number */
	const void *owner;    /* who may remove it wholesale (a PciFunction's BAR mappings); NULL: nobody */
	struct vma_via *via;  /* VMA_MEMOBJ mapped through a revocable copy, else NULL */
};

struct vma_set {
	struct vma *v;
	uint32_t count, cap;
	struct quota *q;        /* pays for the array (kmem_zalloc) */
};

/* Regions one space may hold; more is -CAPOS_EQUOTA. */
#define VMA_MAX_REGIONS 8192u

static inline uint64_t vma_end(const struct vma *r)
{
	return r->start + r->pages * CAPOS_PAGE_SIZE;
}

/* Kinds whose frames belong to the space (freed and uncharged on unmap). */
static inline bool vma_owns_frames(uint32_t kind)
{
	return kind == VMA_ANON || kind == VMA_IMAGE || kind == VMA_STACK;
}

/* A user range [va, va + pages pages): 0; -CAPOS_EINVAL when va is not page
 * aligned or pages is 0; -CAPOS_ERANGE when it overflows or leaves
 * [CAPOS_USER_MIN, CAPOS_USER_MAX). */
int vma_check_range(uint64_t va, uint64_t pages);

/* A protection: 0; -CAPOS_EINVAL for unknown bits or no READ;
 * -CAPOS_EPERM for WRITE|EXEC. */
int vma_check_prot(uint32_t prot);

/* An empty set whose array is charged to q's kernel memory (NULL: to nobody). */
void vma_set_init(struct vma_set *s, struct quota *q);
/* Free the array (the regions must already be released by the owner). */
void vma_set_fini(struct vma_set *s);

/* Make room for `extra` more regions: 0, -CAPOS_EQUOTA past
 * VMA_MAX_REGIONS or the kernel-memory quota, -CAPOS_ENOMEM without heap.  Changes no region. */
int vma_reserve(struct vma_set *s, uint32_t extra);

/* Index of the first region ending above va (s->count when none). */
uint32_t vma_lower(const struct vma_set *s, uint64_t va);
/* Index of the region containing va, or -1. */
int vma_find(const struct vma_set *s, uint64_t va);
/* Does any region meet [va, va + pages pages)?  (range already checked) */
bool vma_overlaps(const struct vma_set *s, uint64_t va, uint64_t pages);
/* Lowest free range of `pages` pages at or above CAPOS_USER_MAP_BASE, else
 * the lowest at or above CAPOS_USER_MIN: 0 with *va, or -CAPOS_ENOMEM. */
int vma_find_free(const struct vma_set *s, uint64_t pages, uint64_t *va);
/* Is [va, va + pages pages) covered by regions with no hole?  0 with the
 * index range [*first, *end) of the regions meeting it, or -CAPOS_ENOENT. */
int vma_span(const struct vma_set *s, uint64_t va, uint64_t pages, uint32_t *first, uint32_t *end);

/* Insert r (no overlap; a slot reserved) and merge it with anonymous
 * neighbours.  Returns the index of the region now holding r. */
uint32_t vma_insert(struct vma_set *s, const struct vma *r);
/* Make a region boundary at va.  Returns the index of the new upper piece
 * when a region was split (needs a reserved slot), or -1 when va was
 * already a boundary or unmapped.  The upper piece copies the region,
 * including its memory-object pointer: the caller takes the extra
 * mapping reference. */
int vma_split(struct vma_set *s, uint64_t va);
/* Remove regions [first, first + n). */
void vma_remove(struct vma_set *s, uint32_t first, uint32_t n);
/* Merge mergeable neighbours among regions [first - 1, end]; returns how
 * many regions disappeared. */
uint32_t vma_merge(struct vma_set *s, uint32_t first, uint32_t end);

#endif
