/*
 * heap_core: the pure core of the kernel heap (kmalloc/kfree).  It carves
 * variable-size objects out of page runs from a caller-supplied page
 * source; the kernel glue (heap.c) feeds it frames through the direct map
 * and holds the lock, host tests feed it aligned malloc'd blocks.
 *
 * Layout.  Every run the heap takes is HEAP_BLOCK_SIZE (16 KiB) aligned,
 * and every pointer the heap returns lies in the first HEAP_BLOCK_SIZE
 * bytes of its run, so rounding a pointer down to HEAP_BLOCK_SIZE finds
 * the run's header.  Two kinds of runs:
 *   slab   one 16 KiB block holding objects of one size class
 *          (16, 32, ... 2048 bytes) after a header with a free list and an
 *          allocation bitmap;
 *   large  ceil((size + header) / 4 KiB) pages, the object right after a
 *          small header that records the page count.
 * Headers carry a magic mixed with their own address, so a pointer the
 * heap never returned, a pointer into the middle of an object, or a
 * second free of the same object is recognised and refused (the glue
 * panics: freeing a bad pointer is a kernel bug).
 *
 * Invariants: a slab is on its class's partial list exactly when it has a
 * free object; each class keeps at most one empty slab, others go back to
 * the page source (heap_core_trim returns that one too); the stats equal
 * the sum over live objects.
 */
#ifndef EXO_MM_HEAP_CORE_H
#define EXO_MM_HEAP_CORE_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_PAGE_SIZE 4096u
#define HEAP_BLOCK_SIZE 16384u
#define HEAP_BLOCK_PAGES (HEAP_BLOCK_SIZE / HEAP_PAGE_SIZE)
#define HEAP_MIN_CLASS 16u
#define HEAP_MAX_CLASS 2048u
#define HEAP_CLASS_COUNT 8
#define HEAP_ALIGN 16u
#define HEAP_LARGE_MAX (1ull << 30)  /* bigger requests fail */

struct heap_page_source {
	/* pages * 4 KiB, aligned to align_pages * 4 KiB; NULL when exhausted. */
	void *(*alloc_pages)(void *ctx, size_t pages, size_t align_pages);
	void (*free_pages)(void *ctx, void *p, size_t pages);
	void *ctx;
};

struct heap_slab;

struct heap_stats {
	uint64_t slabs;            /* slab blocks held (full, partial or empty) */
	uint64_t large_pages;      /* pages in large runs */
	uint64_t objects;          /* live objects, small and large */
	uint64_t bytes_in_use;     /* sum of the usable sizes of live objects */
};

struct heap {
	struct heap_page_source src;
	struct heap_slab *partial[HEAP_CLASS_COUNT]; /* slabs with a free object */
	struct heap_stats stats;
};

void heap_core_init(struct heap *heap, const struct heap_page_source *src);

/* An object of at least size bytes (size 0 counts as 1), HEAP_ALIGN
 * aligned, contents undefined; NULL when the source is exhausted or size
 * exceeds HEAP_LARGE_MAX. */
void *heap_core_alloc(struct heap *heap, size_t size);

/* Release p.  0, or -CAPOS_EINVAL when p is not the start of an object
 * this heap handed out, -CAPOS_EEXIST when it is free already. */
int heap_core_free(struct heap *heap, void *p);

/* Give every empty slab back to the page source, including the one per
 * class normally kept cached; returns how many slabs went.  Afterwards
 * every slab the heap holds has a live object in it. */
uint64_t heap_core_trim(struct heap *heap);

/* Bytes usable at p (its class or large size); 0 for a bad pointer. */
size_t heap_core_usable_size(const struct heap *heap, const void *p);

/* Size class index for size, or -1 when it is a large allocation. */
int heap_core_class(size_t size);

#endif
