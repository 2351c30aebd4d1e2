/* Vector set for device interrupts (see vecalloc.h). */
#include "vecalloc.h"

static bool in_range(const struct vecalloc *va, uint32_t v)
{
	return v >= va->first && v <= va->last;
}

void vecalloc_init(struct vecalloc *va, uint8_t first, uint8_t last)
{
	for (int i = 0; i < 4; i++)
		va->used[i] = 0;
	va->first = first;
	va->last = last;
}

bool vecalloc_in_use(const struct vecalloc *va, uint8_t vector)
{
	return (va->used[vector / 64] >> (vector % 64)) & 1;
}

int vecalloc_get(struct vecalloc *va)
{
	for (uint32_t v = va->first; in_range(va, v); v++) {
		if (!vecalloc_in_use(va, (uint8_t)v)) {
			va->used[v / 64] |= 1ull << (v % 64);
			return (int)v;
		}
	}
	return -1;
}

bool vecalloc_put(struct vecalloc *va, uint8_t vector)
{
	if (!in_range(va, vector) || !vecalloc_in_use(va, vector))
		return false;
	va->used[vector / 64] &= ~(1ull << (vector % 64));
	return true;
}

uint32_t vecalloc_free_count(const struct vecalloc *va)
{
	uint32_t n = 0;

	for (uint32_t v = va->first; in_range(va, v); v++)
		n += !vecalloc_in_use(va, (uint8_t)v);
	return n;
}
