/*
 * capos-linux-bench: runs every row (bench.h) in turn and prints one
 * result line each, then `bench-done side=linux rows=K` (K rows measured).
 * A row that fails prints `bench-error side=linux row=NAME error=..` and
 * the others still run; the exit status is then 1.
 *
 * Options: --quick (few samples: checks that every row runs, nothing more),
 * --samples N (samples per row, overriding the defaults below),
 * --warmup N (discarded samples before them), --only ROW (run that row and
 * the others named so, not the rest; `./capos bench --rows`).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

/* Per-op rows divide a sample of this many operations. */
#define OPS_PER_SAMPLE 256u

static const struct bench_row rows[] = {
	{ "uring_nop_b1", "op", OPS_PER_SAMPLE, 1, uring_nop_setup, uring_nop_run, uring_nop_teardown, NULL },
	{ "uring_nop_b16", "op", OPS_PER_SAMPLE, 16, uring_nop_setup, uring_nop_run, uring_nop_teardown, NULL },
	{ "uring_nop_b256", "op", OPS_PER_SAMPLE, 256, uring_nop_setup, uring_nop_run, uring_nop_teardown, NULL },
	{ "getpid", "op", OPS_PER_SAMPLE, 0, no_setup, getpid_run, no_teardown, NULL },
	{ "clock_gettime", "op", OPS_PER_SAMPLE, 0, no_setup, clock_gettime_run, no_teardown, NULL },
	{ "clock_gettime_syscall", "op", OPS_PER_SAMPLE, 0, no_setup, clock_gettime_syscall_run, no_teardown, NULL },
	{ "pipe_pingpong", "roundtrip", 1, 0, pipe_pingpong_setup, pipe_pingpong_run,
	  pipe_pingpong_teardown, NULL },
	{ "unix_fd_pingpong", "roundtrip", 1, 0, unix_fd_pingpong_setup, unix_fd_pingpong_run,
	  unix_fd_pingpong_teardown, NULL },
	{ "futex_pingpong", "roundtrip", 1, 0, futex_pingpong_setup, futex_pingpong_run,
	  futex_pingpong_teardown, NULL },
	{ "eventfd_pingpong", "roundtrip", 1, 0, eventfd_pingpong_setup, eventfd_pingpong_run,
	  eventfd_pingpong_teardown, NULL },
	{ "spawn_to_main_fork_exec", "spawn", 1, BENCH_SPAWN_FORK_EXEC, spawn_main_setup, NULL, spawn_teardown,
	  spawn_main_sample },
	{ "spawn_to_main_posix_spawn", "spawn", 1, BENCH_SPAWN_POSIX_SPAWN, spawn_main_setup, NULL, spawn_teardown,
	  spawn_main_sample },
	{ "spawn_to_exit_fork_exec", "spawn", 1, BENCH_SPAWN_FORK_EXEC, spawn_exit_setup, spawn_exit_run,
	  spawn_teardown, NULL },
	{ "spawn_to_exit_posix_spawn", "spawn", 1, BENCH_SPAWN_POSIX_SPAWN, spawn_exit_setup, spawn_exit_run,
	  spawn_teardown, NULL },
};

#define ROW_COUNT (sizeof rows / sizeof rows[0])

/* Samples per row kind: [0] per-op rows, [1] round trips and spawns (one operation a sample). */
struct bench_options {
	struct bench_plan plan[2];
	const char *only[ROW_COUNT];   /* --only: the rows to run; none: every row */
	unsigned only_count;
};

static void usage_exit(const char *why)
{
	fprintf(stderr, "capos-linux-bench: %s\nusage: capos-linux-bench [--quick] [--samples N] [--warmup N] "
		"[--only ROW]...\n",
		why);
	exit(2);
}

static unsigned parse_count(const char *text)
{
	char *end;
	unsigned long n = text ? strtoul(text, &end, 10) : 0;

	if (!text || *end || n == 0 || n > 1000000)
		usage_exit("a count must be a number from 1 to 1000000");
	return (unsigned)n;
}

static void parse_options(int argc, char **argv, struct bench_options *o)
{
	*o = (struct bench_options){ .plan = { { 1000, 50 }, { 2000, 100 } } };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			o->plan[0] = (struct bench_plan){ 20, 2 };
			o->plan[1] = (struct bench_plan){ 50, 5 };
		} else if (strcmp(argv[i], "--samples") == 0) {
			o->plan[0].samples = o->plan[1].samples = parse_count(argv[++i]);
		} else if (strcmp(argv[i], "--warmup") == 0) {
			o->plan[0].warmup = o->plan[1].warmup = parse_count(argv[++i]);
		} else if (strcmp(argv[i], "--only") == 0) {
			if (!argv[i + 1] || o->only_count == ROW_COUNT)
				usage_exit("--only takes a row name, at most once per row");
			o->only[o->only_count++] = argv[++i];
		} else {
			usage_exit("unknown option");
		}
	}
}

static void print_result(const struct bench_row *row, const struct bench_result *r)
{
	printf("bench-result side=linux row=%s unit=%s iters=%u tsc_median=%.1f tsc_min=%.1f tsc_max=%.1f "
	       "ns_median=%.1f ns_min=%.1f ns_max=%.1f\n",
	       row->name, row->unit, r->iters, r->tsc.median, r->tsc.min, r->tsc.max,
	       r->ns.median, r->ns.min, r->ns.max);
	fflush(stdout);
}

static int selected(const struct bench_options *o, const char *name)
{
	for (unsigned i = 0; i < o->only_count; i++)
		if (strcmp(o->only[i], name) == 0)
			return 1;
	return o->only_count == 0;
}

/* Set up, measure and tear down one row; 0 or -1 with errno. */
static int run_row(const struct bench_row *row, const struct bench_plan *plan, struct bench_result *out)
{
	void *state;
	int err;

	if (row->setup(row->arg, &state))
		return -1;
	err = bench_measure(row, state, plan, out);
	row->teardown(state);
	return err;
}

int main(int argc, char **argv)
{
	struct bench_options opt;
	int done = 0, asked = 0;

	parse_options(argc, argv, &opt);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < ROW_COUNT; i++) {
		const struct bench_row *row = &rows[i];
		struct bench_result r;

		if (!selected(&opt, row->name))
			continue;
		asked++;
		errno = 0;
		if (run_row(row, &opt.plan[strcmp(row->unit, "op") != 0], &r)) {
			printf("bench-error side=linux row=%s error=%d (%s)\n", row->name, errno,
			       strerror(errno));
			continue;
		}
		print_result(row, &r);
		done++;
	}
	printf("bench-done side=linux rows=%d\n", done);
	return done == asked ? 0 : 1;
}
