/*
 * Host tests of the frame pool (exo/mm/frame_pool.c): adding ranges with
 * holes, single-frame allocation order and exhaustion, the low-memory
 * floor, aligned runs inside windows, double-free and foreign-free
 * detection, taking frames out, and statistics that always equal the
 * bitmaps' population counts.
 */
#include <stdlib.h>
#include <capos/error.h>
#include "check.h"
#include "mm/frame_pool.h"

#define FRAMES 4096

static uint64_t storage[2 * (FRAMES / 64)];
static struct frame_pool pool;

static uint64_t popcount_map(const uint64_t *map)
{
	uint64_t n = 0;

	for (int i = 0; i < FRAMES / 64; i++)
		n += (uint64_t)__builtin_popcountll(map[i]);
	return n;
}

static void check_consistent(void)
{
	CHECK_EQ(popcount_map(pool.free_map), pool.free_frames);
	CHECK_EQ(popcount_map(pool.owned_map), pool.owned_frames);
	for (int i = 0; i < FRAMES / 64; i++)
		CHECK((pool.free_map[i] & ~pool.owned_map[i]) == 0);
}

/* Frames [1, 100) and [200, 4096) free; [100, 200) a hole. */
static void setup(void)
{
	CHECK_EQ(frame_pool_storage_words(FRAMES), 2 * FRAMES / 64);
	frame_pool_init(&pool, storage, FRAMES);
	CHECK_EQ(frame_pool_add(&pool, 0, 100), 0);
	CHECK_EQ(frame_pool_add(&pool, 200, FRAMES - 200), 0);
}

static void test_add_and_stats(void)
{
	setup();
	CHECK_EQ(pool.owned_frames, 99 + FRAMES - 200);  /* frame 0 skipped */
	CHECK_EQ(pool.free_frames, pool.owned_frames);
	CHECK_EQ(frame_pool_add(&pool, 50, 10), -CAPOS_EEXIST);
	CHECK_EQ(frame_pool_add(&pool, 150, 60), -CAPOS_EEXIST);  /* overlaps 200.. */
	CHECK_EQ(frame_pool_add(&pool, FRAMES - 1, 2), -CAPOS_ERANGE);
	CHECK_EQ(frame_pool_add(&pool, UINT64_MAX, 2), -CAPOS_ERANGE);
	CHECK_EQ(frame_pool_add(&pool, 100, 0), 0);
	CHECK_EQ(pool.owned_frames, 99 + FRAMES - 200);
	check_consistent();
}

static void test_single_never_frame0_or_hole(void)
{
	uint64_t f, count = 0;
	static uint8_t seen[FRAMES];

	setup();
	memset(seen, 0, sizeof seen);
	while (frame_pool_alloc(&pool, &f) == 0) {
		CHECK(f != 0 && f < FRAMES && !(f >= 100 && f < 200));
		CHECK(!seen[f]);
		CHECK_EQ(frame_pool_is_allocated(&pool, f), 1);
		seen[f] = 1;
		count++;
	}
	CHECK_EQ(count, 99 + FRAMES - 200);
	CHECK_EQ(pool.free_frames, 0);
	CHECK_EQ(frame_pool_alloc(&pool, &f), -CAPOS_ENOMEM);
	CHECK_EQ(frame_pool_free(&pool, 777), 0);
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(f, 777);
	check_consistent();
}

static void test_floor_prefers_high(void)
{
	uint64_t f;

	setup();
	frame_pool_set_floor(&pool, 256);
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(f, 256);
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(f, 257);
	/* Exhaust everything at or above the floor; then low frames come. */
	CHECK_EQ(frame_pool_alloc_run(&pool, FRAMES - 258, 1, 258, FRAMES, &f), 0);
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK(f < 256 && f != 0);
	/* A frame freed above the floor is preferred again. */
	CHECK_EQ(frame_pool_free(&pool, 3000), 0);
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(f, 3000);
	check_consistent();
}

static void test_next_fit_resumes(void)
{
	uint64_t f;

	setup();
	for (uint64_t i = 1; i <= 70; i++) {
		CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
		CHECK_EQ(f, i);
	}
	CHECK_EQ(frame_pool_free(&pool, 5), 0);
	/* next-fit resumes in the word of the last frame, not at the bottom */
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(f, 71);
	/* once everything above is used, the search wraps to frame 5 */
	CHECK_EQ(frame_pool_alloc_run(&pool, FRAMES - 200, 1, 200, FRAMES, &f), 0);
	for (uint64_t i = 72; i < 100; i++)
		CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(f, 5);
	CHECK_EQ(frame_pool_alloc(&pool, &f), -CAPOS_ENOMEM);
	check_consistent();
}

static void test_runs_alignment(void)
{
	uint64_t f, g;

	setup();
	CHECK_EQ(frame_pool_alloc_run(&pool, 16, 16, 0, FRAMES, &f), 0);
	CHECK_EQ(f, 16);  /* frame 0 is not owned, so [0,16) is not a run */
	CHECK_EQ(frame_pool_alloc_run(&pool, 200, 1, 0, FRAMES, &g), 0);
	CHECK_EQ(g, 200);  /* [1,100) is too short, the hole splits it */
	CHECK_EQ(frame_pool_alloc_run(&pool, 512, 512, 0, FRAMES, &f), 0);
	CHECK_EQ(f, 512);
	CHECK_EQ(frame_pool_alloc_run(&pool, 3, 1, 0, 100, &f), 0);
	CHECK_EQ(f, 1);
	CHECK_EQ(frame_pool_alloc_run(&pool, 1, 64, 0, 100, &f), 0);
	CHECK_EQ(f, 64);
	CHECK_EQ(frame_pool_alloc_run(&pool, 50, 1, 0, 100, &f), -CAPOS_ENOMEM);
	CHECK_EQ(frame_pool_alloc_run(&pool, 0, 1, 0, FRAMES, &f), -CAPOS_EINVAL);
	CHECK_EQ(frame_pool_alloc_run(&pool, 1, 3, 0, FRAMES, &f), -CAPOS_EINVAL);
	CHECK_EQ(frame_pool_alloc_run(&pool, FRAMES, 1, 0, FRAMES, &f), -CAPOS_ENOMEM);
	CHECK_EQ(frame_pool_alloc_run(&pool, 4, 1, 300, 200, &f), -CAPOS_ENOMEM);
	check_consistent();
	CHECK_EQ(frame_pool_free_run(&pool, 512, 512), 0);
	CHECK_EQ(frame_pool_alloc_run(&pool, 1024, 1024, 0, FRAMES, &f), 0);
	CHECK_EQ(f, 1024);
	check_consistent();
}

static void test_run_window_end(void)
{
	uint64_t f;

	setup();
	/* The last possible run ends exactly at hi. */
	CHECK_EQ(frame_pool_alloc_run(&pool, 96, 1, 4000, FRAMES, &f), 0);
	CHECK_EQ(f, 4000);
	CHECK_EQ(frame_pool_alloc_run(&pool, 1, 1, 4000, FRAMES, &f), -CAPOS_ENOMEM);
	CHECK_EQ(frame_pool_alloc_run(&pool, 2, 2, 3998, 4000, &f), 0);
	CHECK_EQ(f, 3998);
	check_consistent();
}

static void test_double_and_foreign_free(void)
{
	uint64_t f;

	setup();
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(frame_pool_free(&pool, f), 0);
	CHECK_EQ(frame_pool_free(&pool, f), -CAPOS_EEXIST);
	CHECK_EQ(frame_pool_free(&pool, 0), -CAPOS_EINVAL);        /* never owned */
	CHECK_EQ(frame_pool_free(&pool, 150), -CAPOS_EINVAL);      /* hole */
	CHECK_EQ(frame_pool_free(&pool, FRAMES), -CAPOS_EINVAL);   /* out of range */
	CHECK_EQ(frame_pool_alloc_run(&pool, 8, 8, 0, FRAMES, &f), 0);
	/* A run half allocated, half free: refused as a whole, nothing changes. */
	CHECK_EQ(frame_pool_free_run(&pool, f + 4, 8), -CAPOS_EEXIST);
	CHECK_EQ(frame_pool_free_run(&pool, 96, 8), -CAPOS_EINVAL);  /* crosses the hole */
	CHECK_EQ(frame_pool_is_allocated(&pool, f + 4), 1);
	CHECK_EQ(frame_pool_free_run(&pool, f, 8), 0);
	CHECK_EQ(frame_pool_is_allocated(&pool, f), 0);
	CHECK_EQ(frame_pool_is_allocated(&pool, 0), 0);
	CHECK_EQ(frame_pool_is_allocated(&pool, FRAMES + 5), 0);
	check_consistent();
}

static void test_take_and_reclaim(void)
{
	uint64_t f, before;

	setup();
	before = pool.owned_frames;
	CHECK_EQ(frame_pool_take(&pool, 300, 10), 0);
	CHECK_EQ(pool.owned_frames, before - 10);
	CHECK_EQ(frame_pool_free(&pool, 305), -CAPOS_EINVAL);  /* taken frames are not ours */
	CHECK_EQ(frame_pool_alloc_run(&pool, 1, 1, 300, 310, &f), -CAPOS_ENOMEM);
	CHECK_EQ(frame_pool_alloc(&pool, &f), 0);
	CHECK_EQ(frame_pool_take(&pool, f, 1), -CAPOS_EBUSY);  /* in use */
	CHECK_EQ(frame_pool_free(&pool, f), 0);
	CHECK_EQ(frame_pool_take(&pool, FRAMES - 1, 2), -CAPOS_ERANGE);
	/* Reclaim: the hole joins later, counted once. */
	before = pool.free_frames;
	CHECK_EQ(frame_pool_add(&pool, 100, 100), 0);
	CHECK_EQ(pool.free_frames, before + 100);
	CHECK_EQ(frame_pool_add(&pool, 100, 100), -CAPOS_EEXIST);
	CHECK_EQ(frame_pool_alloc_run(&pool, 299, 1, 0, FRAMES, &f), 0);
	CHECK_EQ(f, 1);  /* now [1, 300) is one run */
	check_consistent();
}

static void test_random_stress(void)
{
	static uint64_t held[FRAMES];
	uint64_t n = 0, f;
	unsigned seed = 12345;

	setup();
	for (int round = 0; round < 100000; round++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 3 != 0 || n == 0) {
			if (frame_pool_alloc(&pool, &f) == 0) {
				CHECK_EQ(frame_pool_is_allocated(&pool, f), 1);
				held[n++] = f;
			}
		} else {
			uint64_t i = (seed >> 8) % n;

			CHECK_EQ(frame_pool_free(&pool, held[i]), 0);
			held[i] = held[--n];
		}
	}
	CHECK_EQ(pool.free_frames + n, pool.owned_frames);
	check_consistent();
	while (n)
		CHECK_EQ(frame_pool_free(&pool, held[--n]), 0);
	CHECK_EQ(pool.free_frames, pool.owned_frames);
}

int main(void)
{
	RUN(test_add_and_stats);
	RUN(test_single_never_frame0_or_hole);
	RUN(test_floor_prefers_high);
	RUN(test_next_fit_resumes);
	RUN(test_runs_alignment);
	RUN(test_run_window_end);
	RUN(test_double_and_foreign_free);
	RUN(test_take_and_reclaim);
	RUN(test_random_stress);
	return check_done();
}
