/*
 * capos-linux-bench: the Linux side of `./capos bench` (README
 * "Benchmarks").  It runs inside a Debian kernel booted in the same QEMU
 * configuration as capOS and measures the Linux counterparts of the capOS
 * rows.  Every row is a small table entry (this header): setup makes its
 * state (a ring, a child process, a thread), run performs a given number of
 * operations, teardown ends it.  measure.c times samples of `ops_per_sample`
 * operations with the TSC and CLOCK_MONOTONIC and reduces them to median,
 * min and max per operation; main.c prints one line per row:
 *   bench-result side=linux row=NAME unit=op|roundtrip iters=N
 *     tsc_median=.. tsc_min=.. tsc_max=.. ns_median=.. ns_min=.. ns_max=..
 * and finally `bench-done side=linux rows=K`.
 */
#ifndef BENCH_LINUX_BENCH_H
#define BENCH_LINUX_BENCH_H

#include <stdint.h>
#include <time.h>

struct bench_row {
	const char *name;
	const char *unit;            /* "op", "roundtrip" or "spawn" */
	unsigned ops_per_sample;     /* one sample's time is divided by this */
	long arg;                    /* row parameter (the io_uring batch size) */
	/* Make the row's state in *state; 0, or -1 with errno set. */
	int (*setup)(long arg, void **state);
	/* Perform ops operations; 0, or -1 with errno set. */
	int (*run)(void *state, unsigned ops);
	/* End the row: stop children, close descriptors, free state. */
	void (*teardown)(void *state);
	/*
	 * Rows whose sample ends somewhere else than in this process (the
	 * spawn rows: in the child's main) take one sample themselves: TSC
	 * ticks and ns into *tsc and *ns; 0, or -1 with errno.  NULL: the
	 * sample brackets run (measure.c).
	 */
	int (*sample)(void *state, double *tsc, double *ns);
};

/* How many samples a row takes; warm-up samples are run and discarded. */
struct bench_plan {
	unsigned samples;
	unsigned warmup;
};

/* Per-operation statistics over one row's samples, in one clock. */
struct bench_stats {
	double median, min, max;
};

struct bench_result {
	unsigned iters;              /* samples taken */
	struct bench_stats tsc;      /* TSC ticks per operation */
	struct bench_stats ns;       /* CLOCK_MONOTONIC ns per operation */
};

/* The two clocks: the TSC (lfence on both sides: not reordered around the work), CLOCK_MONOTONIC in ns. */
static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t bench_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Run row (already set up, state in state) per plan; 0, or -1 with errno. */
int bench_measure(const struct bench_row *row, void *state, const struct bench_plan *plan,
		  struct bench_result *out);

/* Median, min and max of v[0..n) (n > 0; v is sorted in place). */
void bench_stats(double *v, unsigned n, struct bench_stats *out);

/* Rows, by file. */
int uring_nop_setup(long batch, void **state);
int uring_nop_run(void *state, unsigned ops);
void uring_nop_teardown(void *state);

int getpid_run(void *state, unsigned ops);
int clock_gettime_run(void *state, unsigned ops);
int clock_gettime_syscall_run(void *state, unsigned ops);
int no_setup(long arg, void **state);
void no_teardown(void *state);

int pipe_pingpong_setup(long arg, void **state);
int pipe_pingpong_run(void *state, unsigned ops);
void pipe_pingpong_teardown(void *state);

int unix_fd_pingpong_setup(long arg, void **state);
int unix_fd_pingpong_run(void *state, unsigned ops);
void unix_fd_pingpong_teardown(void *state);

int futex_pingpong_setup(long arg, void **state);
int futex_pingpong_run(void *state, unsigned ops);
void futex_pingpong_teardown(void *state);

int eventfd_pingpong_setup(long arg, void **state);
int eventfd_pingpong_run(void *state, unsigned ops);
void eventfd_pingpong_teardown(void *state);

/* The spawn rows (spawn.c); arg is the way of starting the child. */
#define BENCH_SPAWN_FORK_EXEC 0
#define BENCH_SPAWN_POSIX_SPAWN 1
/* The descriptor the spawn_to_main child writes its clock readings to (a pipe it inherits). */
#define BENCH_SPAWN_FD 100
int spawn_main_setup(long how, void **state);
int spawn_main_sample(void *state, double *tsc, double *ns);
int spawn_exit_setup(long how, void **state);
int spawn_exit_run(void *state, unsigned ops);
void spawn_teardown(void *state);

/* Shared by the fork-based ping-pong rows (child.c). */
int bench_fork_server(int (*serve)(void *arg), void *arg);
int bench_reap_child(int pid);
int bench_full_read(int fd, void *buf, unsigned len);
int bench_full_write(int fd, const void *buf, unsigned len);

#endif
