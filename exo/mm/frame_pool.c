/*
 * Bitmap frame pool; see frame_pool.h for the model.  Searches go a word
 * (64 frames) at a time.  Single frames are taken next-fit from a hint so
 * repeated allocations do not rescan the full low end; runs are taken
 * first-fit inside the caller's window.  Every entry point validates its
 * whole argument range before touching a bit, so an error leaves the pool
 * exactly as it was.
 */
#include <stdbool.h>
#include <capos/error.h>
#include "frame_pool.h"

static uint64_t pool_words(uint64_t frame_count)
{
	return (frame_count + 63) / 64;
}

size_t frame_pool_storage_words(uint64_t frame_count)
{
	return (size_t)(2 * pool_words(frame_count));
}

void frame_pool_init(struct frame_pool *pool, uint64_t *storage, uint64_t frame_count)
{
	uint64_t words = pool_words(frame_count);

	for (uint64_t i = 0; i < 2 * words; i++)
		storage[i] = 0;
	pool->free_map = storage;
	pool->owned_map = storage + words;
	pool->frame_count = frame_count;
	pool->free_frames = 0;
	pool->owned_frames = 0;
	pool->hint = 0;
	pool->floor = 0;
}

/* First index in [from, to) whose bit equals want, or to. */
static uint64_t pool_find(const uint64_t *map, uint64_t from, uint64_t to, bool want)
{
	while (from < to) {
		uint64_t w = want ? map[from / 64] : ~map[from / 64];

		w &= ~0ull << (from % 64);
		if (w) {
			uint64_t i = (from & ~63ull) + (uint64_t)__builtin_ctzll(w);
			return i < to ? i : to;
		}
		from = (from & ~63ull) + 64;
	}
	return to;
}

static void pool_fill(uint64_t *map, uint64_t first, uint64_t count, bool set)
{
	while (count) {
		uint64_t bit = first % 64;
		uint64_t n = count < 64 - bit ? count : 64 - bit;
		uint64_t mask = (n == 64 ? ~0ull : (1ull << n) - 1) << bit;

		if (set)
			map[first / 64] |= mask;
		else
			map[first / 64] &= ~mask;
		first += n;
		count -= n;
	}
}

static bool pool_range_ok(const struct frame_pool *pool, uint64_t first, uint64_t count)
{
	return first <= pool->frame_count && count <= pool->frame_count - first;
}

int frame_pool_add(struct frame_pool *pool, uint64_t first, uint64_t count)
{
	if (!pool_range_ok(pool, first, count))
		return -CAPOS_ERANGE;
	if (first == 0 && count > 0) {
		first = 1;
		count--;
	}
	if (pool_find(pool->owned_map, first, first + count, true) != first + count)
		return -CAPOS_EEXIST;
	pool_fill(pool->owned_map, first, count, true);
	pool_fill(pool->free_map, first, count, true);
	pool->owned_frames += count;
	pool->free_frames += count;
	return 0;
}

int frame_pool_take(struct frame_pool *pool, uint64_t first, uint64_t count)
{
	if (!pool_range_ok(pool, first, count))
		return -CAPOS_ERANGE;
	if (pool_find(pool->free_map, first, first + count, false) != first + count)
		return -CAPOS_EBUSY;
	pool_fill(pool->owned_map, first, count, false);
	pool_fill(pool->free_map, first, count, false);
	pool->owned_frames -= count;
	pool->free_frames -= count;
	return 0;
}

static void pool_mark_used(struct frame_pool *pool, uint64_t first, uint64_t count)
{
	pool_fill(pool->free_map, first, count, false);
	pool->free_frames -= count;
}

void frame_pool_set_floor(struct frame_pool *pool, uint64_t floor)
{
	pool->floor = floor < pool->frame_count ? floor : pool->frame_count;
	pool->hint = pool->floor / 64;
}

/* Next-fit over [floor, frame_count) from the hint, then below the floor;
 * frame_count when nothing is free. */
static uint64_t pool_find_single(const struct frame_pool *pool)
{
	uint64_t end = pool->frame_count, floor = pool->floor;
	uint64_t start = pool->hint * 64 > floor ? pool->hint * 64 : floor;
	uint64_t f;

	if (start >= end)
		start = floor;
	f = pool_find(pool->free_map, start, end, true);
	if (f < end)
		return f;
	f = pool_find(pool->free_map, floor, start, true);
	if (f < start)
		return f;
	f = pool_find(pool->free_map, 0, floor, true);
	return f < floor ? f : end;
}

int frame_pool_alloc(struct frame_pool *pool, uint64_t *frame)
{
	uint64_t f;

	if (pool->free_frames == 0)
		return -CAPOS_ENOMEM;
	f = pool_find_single(pool);
	if (f >= pool->frame_count)
		return -CAPOS_ENOMEM;
	pool_mark_used(pool, f, 1);
	if (f >= pool->floor)
		pool->hint = f / 64;
	*frame = f;
	return 0;
}

static uint64_t pool_align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

int frame_pool_alloc_run(struct frame_pool *pool, uint64_t count, uint64_t align,
			 uint64_t lo, uint64_t hi, uint64_t *first)
{
	uint64_t s;

	if (count == 0 || align == 0 || (align & (align - 1)) != 0)
		return -CAPOS_EINVAL;
	if (hi > pool->frame_count)
		hi = pool->frame_count;
	s = pool_align_up(pool_find(pool->free_map, lo, hi, true), align);
	while (s < hi && count <= hi - s) {
		uint64_t used = pool_find(pool->free_map, s, s + count, false);

		if (used == s + count) {
			pool_mark_used(pool, s, count);
			*first = s;
			return 0;
		}
		s = pool_align_up(pool_find(pool->free_map, used, hi, true), align);
	}
	return -CAPOS_ENOMEM;
}

int frame_pool_free_run(struct frame_pool *pool, uint64_t first, uint64_t count)
{
	if (!pool_range_ok(pool, first, count) ||
	    pool_find(pool->owned_map, first, first + count, false) != first + count)
		return -CAPOS_EINVAL;
	if (pool_find(pool->free_map, first, first + count, true) != first + count)
		return -CAPOS_EEXIST;
	pool_fill(pool->free_map, first, count, true);
	pool->free_frames += count;
	return 0;
}

int frame_pool_free(struct frame_pool *pool, uint64_t frame)
{
	return frame_pool_free_run(pool, frame, 1);
}

int frame_pool_is_allocated(const struct frame_pool *pool, uint64_t frame)
{
	if (frame >= pool->frame_count)
		return 0;
	return (pool->owned_map[frame / 64] >> (frame % 64) & 1) &&
	       !(pool->free_map[frame / 64] >> (frame % 64) & 1);
}
