/*
 * Sampling: a row's warm-up samples are run and thrown away, then each
 * sample performs ops_per_sample operations between two readings of both
 * clocks and is divided by ops_per_sample.  The TSC is read with lfence on
 * both sides so that it is not reordered around the work; CLOCK_MONOTONIC
 * (vDSO) brackets the TSC readings.  Under QEMU with -icount the TSC counts
 * guest instructions; without it, the TSC is the host's and ns are wall time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "bench.h"

static inline uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t ns_read(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One sample: per-operation TSC ticks and ns into *tsc and *ns. */
static int take_sample(const struct bench_row *row, void *state, double *tsc, double *ns)
{
	uint64_t ns0 = ns_read();
	uint64_t tsc0 = tsc_read();
	int err = row->run(state, row->ops_per_sample);
	uint64_t tsc1 = tsc_read();
	uint64_t ns1 = ns_read();

	*tsc = (double)(tsc1 - tsc0) / row->ops_per_sample;
	*ns = (double)(ns1 - ns0) / row->ops_per_sample;
	return err;
}

int bench_measure(const struct bench_row *row, void *state, const struct bench_plan *plan,
		  struct bench_result *out)
{
	double *tsc = calloc(plan->samples, sizeof *tsc);
	double *ns = calloc(plan->samples, sizeof *ns);
	double scratch_tsc, scratch_ns;
	int err = 0;

	if (!tsc || !ns) {
		err = -1;
		errno = ENOMEM;
	}
	for (unsigned i = 0; !err && i < plan->warmup; i++)
		err = take_sample(row, state, &scratch_tsc, &scratch_ns);
	for (unsigned i = 0; !err && i < plan->samples; i++)
		err = take_sample(row, state, &tsc[i], &ns[i]);
	if (!err) {
		out->iters = plan->samples;
		bench_stats(tsc, plan->samples, &out->tsc);
		bench_stats(ns, plan->samples, &out->ns);
	}
	free(tsc);
	free(ns);
	return err;
}
