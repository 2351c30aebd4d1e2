/*
 * The capOS side of `./capos bench` (issue 6; README "Benchmarks").  Each
 * row measures one operation many times with the TSC and prints
 *   bench-result side=capos row=NAME unit=op|roundtrip iters=N
 *     tsc_median=.. tsc_min=.. tsc_max=.. ns_median=.. ns_min=.. ns_max=..
 * (one line), then `bench-done side=capos rows=K`.  ci/bench/run.py pairs
 * the rows with the Linux guest's.  Under `-icount shift=0` the TSC counts
 * guest instructions (deterministic); without it, ns are wall time
 * (the TSC scaled by the kernel's calibration, bootstrap page).
 */
#ifndef APPS_BENCH_BENCH_H
#define APPS_BENCH_BENCH_H

#include <stdint.h>
#include <capos/rt.h>

#define BENCH_SAMPLES_MAX 4096u

/* One row's samples: TSC ticks per unit (op or round trip), already divided by the batch. */
struct bench_samples {
	uint32_t count;
	uint64_t tsc[BENCH_SAMPLES_MAX];
};

struct bench_row {
	const char *name;
	const char *unit;            /* "op", "roundtrip", "wakeup" or "spawn" */
	/* Fill s with samples (up to iters); 0 or a negative code. */
	int (*run)(struct bench_samples *s, uint32_t iters);
};

/* Statistics over the samples (sorts them): pure, see stats.c. */
struct bench_stats {
	uint64_t median, min, max;
};
void bench_stats(uint64_t *v, uint32_t n, struct bench_stats *out);

/* TSC ticks to ns with the kernel's published clock. */
uint64_t bench_ns(uint64_t ticks);

static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Rows, by file. */
int bench_ring_nop_b1(struct bench_samples *s, uint32_t iters);
int bench_ring_nop_b16(struct bench_samples *s, uint32_t iters);
int bench_ring_nop_b256(struct bench_samples *s, uint32_t iters);
int bench_cap_enter_empty(struct bench_samples *s, uint32_t iters);
int bench_null_call_b1(struct bench_samples *s, uint32_t iters);
int bench_null_call_b16(struct bench_samples *s, uint32_t iters);
int bench_timer_now(struct bench_samples *s, uint32_t iters);
int bench_clock_now(struct bench_samples *s, uint32_t iters);
int bench_endpoint_roundtrip(struct bench_samples *s, uint32_t iters);
int bench_endpoint_roundtrip_cap(struct bench_samples *s, uint32_t iters);
int bench_park_pingpong(struct bench_samples *s, uint32_t iters);
int bench_irq_wakeup(struct bench_samples *s, uint32_t iters);
int bench_spawn_to_main(struct bench_samples *s, uint32_t iters);
int bench_spawn_to_exit(struct bench_samples *s, uint32_t iters);

/* The echo server child (argument "serve"): answers until killed. */
int bench_serve(void);

#endif
