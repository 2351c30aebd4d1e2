/*
 * bench: runs every row (bench.h) and prints one result line each.
 * Arguments (words, or comma-separated in one word as init.args gives
 * them): "quick" takes few samples (for the QEMU test that checks the
 * benchmark runs, never its speed); "only=ROW" runs that row and the
 * others named so, not the rest (for tracing a path, or `./capos bench
 * --rows`); "serve" is the echo-server child of the endpoint rows.  Exit
 * code: the number of rows that failed.
 */
#include <string.h>
#include "bench.h"

#define ITERS_FULL 2000u
#define ITERS_QUICK 50u

static const struct bench_row rows[] = {
	{ "ring_nop_b1", "op", bench_ring_nop_b1 },
	{ "ring_nop_b16", "op", bench_ring_nop_b16 },
	{ "ring_nop_b256", "op", bench_ring_nop_b256 },
	{ "cap_enter_empty", "op", bench_cap_enter_empty },
	{ "null_call_b1", "op", bench_null_call_b1 },
	{ "null_call_b16", "op", bench_null_call_b16 },
	{ "timer_now", "op", bench_timer_now },
	{ "clock_now", "op", bench_clock_now },
	{ "endpoint_roundtrip", "roundtrip", bench_endpoint_roundtrip },
	{ "endpoint_roundtrip_cap", "roundtrip", bench_endpoint_roundtrip_cap },
	{ "spawn_to_main", "spawn", bench_spawn_to_main },
	{ "spawn_to_exit", "spawn", bench_spawn_to_exit },
	{ "park_pingpong", "roundtrip", bench_park_pingpong },  /* it makes the ring shared: then only rows with threads */
	{ "irq_wakeup", "wakeup", bench_irq_wakeup },           /* needs -device edu (ci/bench/boot.py) */
};

#define ROW_COUNT (sizeof rows / sizeof rows[0])

static struct bench_samples samples;

/* The rows "only=" named; none named: every row. */
struct selection {
	const char *names[ROW_COUNT];
	uint32_t count;
};

static int selected(const struct selection *sel, const char *name)
{
	for (uint32_t i = 0; i < sel->count; i++)
		if (strcmp(sel->names[i], name) == 0)
			return 1;
	return sel->count == 0;
}

static void report(const struct bench_row *r)
{
	struct bench_stats st;
	uint32_t n = samples.count;

	bench_stats(samples.tsc, n, &st);
	capos_printf("bench-result side=capos row=%s unit=%s iters=%u tsc_median=%llu tsc_min=%llu "
		     "tsc_max=%llu ns_median=%llu ns_min=%llu ns_max=%llu\n",
		     r->name, r->unit, n, (unsigned long long)st.median, (unsigned long long)st.min,
		     (unsigned long long)st.max, (unsigned long long)bench_ns(st.median),
		     (unsigned long long)bench_ns(st.min), (unsigned long long)bench_ns(st.max));
}

int main(int argc, char **argv)
{
	uint32_t iters = ITERS_FULL;
	struct selection only = { .count = 0 };
	int failed = 0, done = 0;

	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return bench_serve();
	for (int a = 1; a < argc; a++)  /* words, or one word of comma-separated ones (init.args) */
		for (char *w = strtok(argv[a], ","); w; w = strtok(NULL, ",")) {
			if (strcmp(w, "quick") == 0)
				iters = ITERS_QUICK;
			else if (strncmp(w, "only=", 5) == 0 && only.count < ROW_COUNT)
				only.names[only.count++] = w + 5;
		}
	capos_printf("bench: %u rows, %u samples each, TSC %llu Hz\n", (unsigned)ROW_COUNT,
		     iters, (unsigned long long)capos_bootstrap()->tsc_hz);
	for (size_t i = 0; i < ROW_COUNT; i++) {
		int err;

		if (!selected(&only, rows[i].name))
			continue;
		samples.count = 0;
		err = rows[i].run(&samples, iters);
		if (err) {
			capos_printf("bench-error side=capos row=%s error=%d (%s)\n", rows[i].name, err,
				     capos_strerror(err));
			failed++;
			continue;
		}
		report(&rows[i]);
		done++;
	}
	capos_printf("bench-done side=capos rows=%d\n", done);
	return failed;
}
