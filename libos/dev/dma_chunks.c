/*
 * The DMA chunk allocator: which bytes of one pool are handed out, in
 * units of CAPOS_DMA_UNIT (a cache line, so no two chunks share one and a
 * device writing one never dirties a line the CPU holds for another).
 * One bit per unit in a fixed bitmap inside the caller's struct; first
 * fit at the asked alignment.  Drivers allocate rings and buffers once at
 * set-up, so a linear search is the right trade for no hidden memory.
 * Pure: no capability, host-tested (tests/host/libos).
 */
#include <capos/dev.h>
#include <capos/error.h>
#include <string.h>

static int unit_used(const struct capos_dma_chunks *a, uint64_t u)
{
	return (int)((a->map[u / 64] >> (u % 64)) & 1);
}

static void mark(struct capos_dma_chunks *a, uint64_t first, uint64_t n, int used)
{
	for (uint64_t u = first; u < first + n; u++) {
		if (used)
			a->map[u / 64] |= 1ull << (u % 64);
		else
			a->map[u / 64] &= ~(1ull << (u % 64));
	}
}

int capos_dma_chunks_init(struct capos_dma_chunks *a, uint64_t bytes)
{
	if (bytes == 0 || bytes % 4096 || bytes > (uint64_t)CAPOS_DMA_UNITS * CAPOS_DMA_UNIT)
		return -CAPOS_ERANGE;
	memset(a, 0, sizeof *a);
	a->units = bytes / CAPOS_DMA_UNIT;
	return 0;
}

/* The first unit >= u, on a multiple of step, that is free; a->units when none. */
static uint64_t next_free(const struct capos_dma_chunks *a, uint64_t u, uint64_t step)
{
	while (u < a->units && unit_used(a, u)) {
		if (step == 1 && u % 64 == 0 && a->map[u / 64] == ~0ull)
			u += 64;                /* skip a full word at once */
		else
			u += step;
	}
	return u;
}

int capos_dma_chunks_alloc(struct capos_dma_chunks *a, uint64_t size, uint64_t align, uint64_t *offset)
{
	uint64_t n, step;

	if (size == 0 || (align & (align - 1)))
		return -CAPOS_EINVAL;
	if (size > a->units * CAPOS_DMA_UNIT)
		return -CAPOS_ENOMEM;
	n = (size + CAPOS_DMA_UNIT - 1) / CAPOS_DMA_UNIT;
	step = align > CAPOS_DMA_UNIT ? align / CAPOS_DMA_UNIT : 1;
	for (uint64_t u = next_free(a, 0, step); u + n <= a->units; u = next_free(a, u, step)) {
		uint64_t k = 0;

		while (k < n && !unit_used(a, u + k))
			k++;
		if (k == n) {
			mark(a, u, n, 1);
			a->used += n;
			*offset = u * CAPOS_DMA_UNIT;
			return 0;
		}
		/* the run broke at u + k: the next candidate is the first aligned unit past it */
		u = (u + k + step) / step * step;
	}
	return -CAPOS_ENOMEM;
}

int capos_dma_chunks_free(struct capos_dma_chunks *a, uint64_t offset, uint64_t size)
{
	uint64_t first, n;

	if (size == 0 || offset % CAPOS_DMA_UNIT)
		return -CAPOS_EINVAL;
	first = offset / CAPOS_DMA_UNIT;
	n = (size + CAPOS_DMA_UNIT - 1) / CAPOS_DMA_UNIT;
	if (first >= a->units || n > a->units - first)
		return -CAPOS_EINVAL;
	for (uint64_t u = first; u < first + n; u++)
		if (!unit_used(a, u))
			return -CAPOS_EINVAL;   /* not handed out: a double or stray free */
	mark(a, first, n, 0);
	a->used -= n;
	return 0;
}
