/*
 * Median, min and max of one row's samples.  The median of an even count
 * is the mean of the two middle samples.
 */
#include <stdlib.h>
#include "bench.h"

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_stats(double *v, unsigned n, struct bench_stats *out)
{
	qsort(v, n, sizeof *v, compare_double);
	out->min = v[0];
	out->max = v[n - 1];
	out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
