/*
 * Host tests of the DMA chunk allocator (libos/dev/dma_chunks.c): sizes
 * round to the unit, alignments hold, chunks never overlap, freeing makes
 * room again, first fit reuses holes, and bad frees, sizes and alignments
 * are refused without changing anything.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include <capos/dev.h>
#include <capos/error.h>

static struct capos_dma_chunks a;

static void test_init_ranges(void)
{
	CHECK_EQ(capos_dma_chunks_init(&a, 0), -CAPOS_ERANGE);
	CHECK_EQ(capos_dma_chunks_init(&a, 4095), -CAPOS_ERANGE);
	CHECK_EQ(capos_dma_chunks_init(&a, (uint64_t)(CAPOS_DMA_POOL_MAX_PAGES + 1) * 4096), -CAPOS_ERANGE);
	CHECK_EQ(capos_dma_chunks_init(&a, (uint64_t)CAPOS_DMA_POOL_MAX_PAGES * 4096), 0);
	CHECK_EQ(a.units, CAPOS_DMA_UNITS);
}

static void test_alignment_and_rounding(void)
{
	uint64_t o1, o2, o3, o4;

	capos_dma_chunks_init(&a, 4 * 4096);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 1, 1, &o1), 0);          /* one unit */
	CHECK_EQ(o1, 0);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 100, 16, &o2), 0);       /* two units, unit-aligned */
	CHECK_EQ(o2, 64);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 4096, 4096, &o3), 0);    /* the next page */
	CHECK_EQ(o3, 4096);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 64, 1024, &o4), 0);      /* back in the first page's hole */
	CHECK_EQ(o4, 1024);
	CHECK_EQ(a.used, 1 + 2 + 64 + 1);
}

static void test_bad_arguments(void)
{
	uint64_t o;

	capos_dma_chunks_init(&a, 4096);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 0, 64, &o), -CAPOS_EINVAL);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 64, 48, &o), -CAPOS_EINVAL);       /* not a power of two */
	CHECK_EQ(capos_dma_chunks_alloc(&a, 4097, 64, &o), -CAPOS_ENOMEM);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 64, 8192, &o), 0);                 /* offset 0 is aligned to anything */
	CHECK_EQ(o, 0);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 64, 8192, &o), -CAPOS_ENOMEM);     /* no other 8 KiB boundary */
	CHECK_EQ(capos_dma_chunks_free(&a, 64, 64), -CAPOS_EINVAL);            /* never handed out */
	CHECK_EQ(capos_dma_chunks_free(&a, 32, 64), -CAPOS_EINVAL);            /* not on a unit */
	CHECK_EQ(capos_dma_chunks_free(&a, 4096, 64), -CAPOS_EINVAL);          /* past the pool */
	CHECK_EQ(capos_dma_chunks_free(&a, 0, 128), -CAPOS_EINVAL);            /* runs into free space */
	CHECK_EQ(a.used, 1);
	CHECK_EQ(capos_dma_chunks_free(&a, 0, 64), 0);
	CHECK_EQ(capos_dma_chunks_free(&a, 0, 64), -CAPOS_EINVAL);             /* a double free */
	CHECK_EQ(a.used, 0);
}

static void test_fill_and_free(void)
{
	uint64_t offs[64], o;

	capos_dma_chunks_init(&a, 4096);
	for (int i = 0; i < 64; i++) {
		CHECK_EQ(capos_dma_chunks_alloc(&a, 64, 64, &offs[i]), 0);
		CHECK_EQ(offs[i], (uint64_t)i * 64);
	}
	CHECK_EQ(capos_dma_chunks_alloc(&a, 1, 1, &o), -CAPOS_ENOMEM);
	CHECK_EQ(capos_dma_chunks_free(&a, offs[10], 64), 0);
	CHECK_EQ(capos_dma_chunks_free(&a, offs[11], 64), 0);
	CHECK_EQ(capos_dma_chunks_alloc(&a, 192, 64, &o), -CAPOS_ENOMEM);      /* a two-unit hole only */
	CHECK_EQ(capos_dma_chunks_alloc(&a, 128, 128, &o), 0);
	CHECK_EQ(o, 640);
}

/* Random allocations and frees against a shadow map: no overlap, alignment kept, accounting exact. */
static void test_random_against_shadow(void)
{
	enum { POOL = 64 * 4096, MAXC = 256 };
	static uint8_t owner[POOL / CAPOS_DMA_UNIT];
	struct { uint64_t off, size; } live[MAXC];
	int n = 0, bad = 0;

	srand(12345);
	capos_dma_chunks_init(&a, POOL);
	memset(owner, 0, sizeof owner);
	for (int round = 0; round < 20000 && !bad; round++) {
		if (n < MAXC && (n == 0 || rand() % 3)) {
			uint64_t size = 1 + (uint64_t)rand() % 9000, align = 1ull << (rand() % 14), off;

			if (capos_dma_chunks_alloc(&a, size, align, &off))
				continue;
			bad |= off % (align < 64 ? 64 : align) != 0 || off + size > POOL;
			for (uint64_t u = off / 64; u < (off + size + 63) / 64; u++)
				bad |= owner[u]++ != 0;
			live[n].off = off;
			live[n++].size = size;
		} else {
			int i = rand() % n;

			bad |= capos_dma_chunks_free(&a, live[i].off, live[i].size) != 0;
			for (uint64_t u = live[i].off / 64; u < (live[i].off + live[i].size + 63) / 64; u++)
				owner[u]--;
			live[i] = live[--n];
		}
	}
	CHECK_EQ(bad, 0);
	while (n) {
		n--;
		CHECK_EQ(capos_dma_chunks_free(&a, live[n].off, live[n].size), 0);
	}
	CHECK_EQ(a.used, 0);
}

int main(void)
{
	RUN(test_init_ranges);
	RUN(test_alignment_and_rounding);
	RUN(test_bad_arguments);
	RUN(test_fill_and_free);
	RUN(test_random_against_shadow);
	return check_done();
}
