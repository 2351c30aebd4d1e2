/*
 * Sampling: a row's warm-up samples are run and thrown away, then each
 * sample performs ops_per_sample operations between two readings of both
 * clocks and is divided by ops_per_sample (or the row takes it itself:
 * bench_row.sample).  The TSC is read with lfence on both sides so that it
 * is not reordered around the work; CLOCK_MONOTONIC (vDSO) brackets the TSC
 * readings.  Under QEMU with -icount the TSC counts
 * guest instructions; without it, the TSC is the host's and ns are wall time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include "bench.h"

/* One sample of run: per-operation TSC ticks and ns into *tsc and *ns. */
static int bracket_sample(const struct bench_row *row, void *state, double *tsc, double *ns)
{
	uint64_t ns0 = bench_ns();
	uint64_t tsc0 = bench_tsc();
	int err = row->run(state, row->ops_per_sample);
	uint64_t tsc1 = bench_tsc();
	uint64_t ns1 = bench_ns();

	*tsc = (double)(tsc1 - tsc0) / row->ops_per_sample;
	*ns = (double)(ns1 - ns0) / row->ops_per_sample;
	return err;
}

static int take_sample(const struct bench_row *row, void *state, double *tsc, double *ns)
{
	return row->sample ? row->sample(state, tsc, ns) : bracket_sample(row, state, tsc, ns);
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
