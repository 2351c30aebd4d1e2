/*
 * Median, minimum and maximum of a row's samples.  Sorting in place is
 * fine: the samples are not used afterwards.  An even count takes the
 * lower middle value, so the median is always a measured sample.
 */
#include "bench.h"

static void sort_u64(uint64_t *v, uint32_t n)
{
	for (uint32_t gap = n / 2; gap > 0; gap /= 2)  /* Shell sort: no allocation, n <= 4096 */
		for (uint32_t i = gap; i < n; i++) {
			uint64_t x = v[i];
			uint32_t j = i;

			for (; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
}

void bench_stats(uint64_t *v, uint32_t n, struct bench_stats *out)
{
	*out = (struct bench_stats){ 0, 0, 0 };
	if (!n)
		return;
	sort_u64(v, n);
	out->min = v[0];
	out->max = v[n - 1];
	out->median = v[(n - 1) / 2];
}

uint64_t bench_ns(uint64_t ticks)
{
	const struct capos_bootstrap *b = capos_bootstrap();

	return (uint64_t)(((unsigned __int128)ticks * b->clock_ns_mult) >> 32);
}
