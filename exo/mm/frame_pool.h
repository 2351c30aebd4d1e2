/*
 * frame_pool: the pure core of the physical frame allocator.  It knows
 * nothing about the memory map, locks or the direct map: the caller hands
 * it bitmap storage and then adds ranges of free frames.  The kernel glue
 * (frame.c) wraps one pool in a spinlock; host tests drive it directly.
 *
 * Two bitmaps cover frames [0, frame_count):
 *   owned  bit set: the frame belongs to the pool (it was added as free);
 *   free   bit set: the frame is free right now.
 * Invariants: free implies owned; frame 0 is never owned (a null physical
 * address is never handed out); free_frames and owned_frames equal the
 * population counts of the maps.  Freeing a frame that is not owned
 * (never given to the pool) or already free is refused with an error, so
 * the glue can turn it into a panic.
 */
#ifndef EXO_MM_FRAME_POOL_H
#define EXO_MM_FRAME_POOL_H

#include <stddef.h>
#include <stdint.h>

struct frame_pool {
	uint64_t *free_map;
	uint64_t *owned_map;
	uint64_t frame_count;   /* frames the maps cover */
	uint64_t free_frames;
	uint64_t owned_frames;
	uint64_t hint;          /* word index where the next single-frame search starts */
	uint64_t floor;         /* single frames come from below this only when above is full */
};

/* 64-bit words of storage frame_pool_init needs for frame_count frames. */
size_t frame_pool_storage_words(uint64_t frame_count);

/* Start with no frames owned.  storage: frame_pool_storage_words() words,
 * owned by the caller and kept alive as long as the pool. */
void frame_pool_init(struct frame_pool *pool, uint64_t *storage, uint64_t frame_count);

/*
 * Give frames [first, first + count) to the pool as free; frame 0 is
 * skipped silently.  -CAPOS_ERANGE past frame_count, -CAPOS_EEXIST if any
 * frame is owned already (nothing is added then).
 */
int frame_pool_add(struct frame_pool *pool, uint64_t first, uint64_t count);

/* Take free frames [first, first + count) out of the pool for good (they
 * stop being owned).  -CAPOS_ERANGE or -CAPOS_EBUSY when a frame is not free. */
int frame_pool_take(struct frame_pool *pool, uint64_t first, uint64_t count);

/* Prefer frames at or above floor for single-frame allocations (0 at init). */
void frame_pool_set_floor(struct frame_pool *pool, uint64_t floor);

/* One free frame into *frame, next-fit from the last one handed out,
 * below the floor only when nothing above it is free; -CAPOS_ENOMEM when
 * none is left. */
int frame_pool_alloc(struct frame_pool *pool, uint64_t *frame);

/*
 * count contiguous free frames starting at a multiple of align (a power of
 * two, in frames), all inside [lo, hi).  -CAPOS_EINVAL for a zero count or
 * a bad alignment, -CAPOS_ENOMEM when no such run exists.
 */
int frame_pool_alloc_run(struct frame_pool *pool, uint64_t count, uint64_t align,
			 uint64_t lo, uint64_t hi, uint64_t *first);

/* Return frames.  -CAPOS_EINVAL when a frame is not owned by the pool (or
 * out of range), -CAPOS_EEXIST when one is free already; on error nothing
 * is freed. */
int frame_pool_free(struct frame_pool *pool, uint64_t frame);
int frame_pool_free_run(struct frame_pool *pool, uint64_t first, uint64_t count);

/* 1 if the frame is owned and allocated, 0 if not. */
int frame_pool_is_allocated(const struct frame_pool *pool, uint64_t frame);

#endif
