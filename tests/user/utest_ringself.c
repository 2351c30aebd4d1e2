/*
 * The ring client under threads that act on themselves: one line per
 * check, "utest-ringself: <what>: ok" or "...: FAILED (...)"; exits with
 * the failure count.  Runs as init (console, vm, timer, thread, threads).
 *
 *   gate vs clock   (regression) a finite ring wait reads the clock, a
 *                   call through the same ring.  It used to do so while
 *                   counted as a sleeper, so a capos_submit_self (thread
 *                   exit, ThreadControl) closing the gate waited for it and
 *                   it waited at the gate: the whole process hung.  Here
 *                   workers finish tight loops at staggered times, then
 *                   wait on Timer.sleep completions with finite timeouts,
 *                   while other threads call ThreadControl and workers
 *                   exit; several rounds.  A hang is the failure (the QEMU
 *                   test's timeout).
 *   self calls      the generated ThreadControl stubs act on the calling
 *                   thread even with other threads in the kernel: every
 *                   thread sets its FS base to its own TCB, reads it back
 *                   and asks its own id, thousands of times; a request
 *                   performed by another thread would show up as a wrong
 *                   id or base (or a thread whose TLS moved under it).
 */
#include "utest.h"

#define WORKERS 6
#define CALLERS 3
#define ROUNDS 3
#define WAITS 12
#define SELF_THREADS 6
#define SELF_ITERS 1500

static uint32_t timer_cap, thread_cap;
static uint32_t stop_callers;
static uint32_t errors;            /* wrong results seen by any thread */
static uint32_t finite_waits, timeouts;

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

static void note_error(void)
{
	__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
}

/* One ThreadControl round trip on the calling thread: the base is its TCB. */
static uint64_t first_bad_base, first_bad_want;
static int first_bad_status;

static void check_self_base(void)
{
	struct capos_thread_control_get_fs_base_out out = { 0 };
	int err = capos_thread_control_get_fs_base(capos_ring(), thread_cap, &out);
	uint64_t want = (uint64_t)(uintptr_t)capos_tcb_self();

	if (err != 0 || out.fs_base != want) {
		if (__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED) == 1) {
			first_bad_status = err;
			first_bad_base = out.fs_base;
			first_bad_want = want;
		}
	}
}

static int64_t worker(void *arg)
{
	uint64_t seed = (uintptr_t)arg * 7919 + 1;
	volatile uint64_t sink = 0;

	/* a tight loop of a different length per worker: they reach the ring at different times */
	for (uint64_t i = 0; i < ((uintptr_t)arg + 1) * 400000ull; i++)
		sink += i ^ (sink >> 3);
	for (int i = 0; i < WAITS; i++) {
		struct capos_timer_sleep_in in = { .ns = (lcg(&seed) % 3000) * 1000 };
		struct capos_completion c;
		uint64_t ud;
		int err;

		if (capos_timer_sleep_async(capos_ring(), timer_cap, &in, &ud) != 0) {
			note_error();
			continue;
		}
		/* a finite wait: the ring client reads the clock around its sleep */
		err = capos_ring_wait(capos_ring(), ud, (lcg(&seed) % 2000 + 1) * 1000, &c);
		__atomic_add_fetch(&finite_waits, 1, __ATOMIC_RELAXED);
		if (err == -CAPOS_ETIMEDOUT) {
			__atomic_add_fetch(&timeouts, 1, __ATOMIC_RELAXED);
			err = capos_ring_wait(capos_ring(), ud, CAPOS_TIMEOUT_INFINITE, &c);
		}
		if (err != 0 || c.status != 0)
			note_error();
		if (i % 8 == 0)
			check_self_base();
	}
	return 0;  /* ends through ThreadControl.exit: capos_submit_self_noreturn */
}

static int64_t caller(void *arg)
{
	uint32_t n = 0;

	(void)arg;
	while (!__atomic_load_n(&stop_callers, __ATOMIC_ACQUIRE)) {
		struct capos_thread_control_self_out self = { 0 };

		check_self_base();
		if (capos_thread_control_self(capos_ring(), thread_cap, &self) != 0)
			note_error();
		n++;
		capos_sleep_ns(100000);  /* 0.1 ms: the gate opens for the workers in between */
	}
	return n;
}

static void gate_vs_clock(void)
{
	uint32_t round_errors = 0, rounds_done = 0;
	int64_t calls = 0;

	__atomic_store_n(&errors, 0, __ATOMIC_RELAXED);
	for (int r = 0; r < ROUNDS; r++) {
		struct capos_thread *w[WORKERS], *c[CALLERS];
		int nw = 0, nc = 0;

		__atomic_store_n(&stop_callers, 0, __ATOMIC_RELEASE);
		for (int i = 0; i < CALLERS; i++)
			if (capos_thread_create(&c[nc], caller, NULL, 0) == 0)
				nc++;
		for (int i = 0; i < WORKERS; i++)
			if (capos_thread_create(&w[nw], worker, (void *)(uintptr_t)((i * 5 + r) % WORKERS), 0) == 0)
				nw++;
		for (int i = 0; i < nw; i++)
			if (capos_thread_join(w[i], NULL) != 0)
				round_errors++;
		__atomic_store_n(&stop_callers, 1, __ATOMIC_RELEASE);
		for (int i = 0; i < nc; i++) {
			int64_t n = 0;

			if (capos_thread_join(c[i], &n) != 0)
				round_errors++;
			calls += n;
		}
		if (nw != WORKERS || nc != CALLERS)
			round_errors++;
		rounds_done++;
		ut_note("gate vs clock: round %u done (%lld ThreadControl calls so far)", rounds_done,
			(long long)calls);
	}
	ut_check(rounds_done == ROUNDS && round_errors == 0 && errors == 0 && calls > 0,
		 "gate vs clock: 3 rounds of 6 staggered workers in finite ring waits, 3 threads in ThreadControl, exits: no hang, no error",
		 "rounds %u, thread errors %u, call errors %u, ThreadControl calls %lld", rounds_done,
		 round_errors, errors, (long long)calls);
	if (errors)
		ut_note("gate vs clock: first wrong ThreadControl result: status %d, fs_base %#llx, expected %#llx",
			first_bad_status, (unsigned long long)first_bad_base,
			(unsigned long long)first_bad_want);
	ut_check(finite_waits == ROUNDS * WORKERS * WAITS,
		 "gate vs clock: every finite wait came back (some by timeout)", "%u of %u, %u timed out",
		 finite_waits, ROUNDS * WORKERS * WAITS, timeouts);
}

struct self_result {
	uint32_t ids_seen;       /* distinct ids observed: 1 when right */
	uint32_t id;
	uint32_t bad_base;       /* get_fs_base was not this thread's TCB */
	uint32_t bad_tp;         /* %fs:0 was not this thread's TCB */
	uint32_t failed_calls;
	uint32_t first_bad_iter;
	uint64_t first_bad_value;
	uint64_t tcb;
};

static struct self_result self_results[SELF_THREADS];

static int64_t self_thread(void *arg)
{
	struct self_result *res = &self_results[(uintptr_t)arg];
	uint64_t tcb = (uint64_t)(uintptr_t)capos_tcb_self();

	*res = (struct self_result){ .tcb = tcb };
	for (int i = 0; i < SELF_ITERS; i++) {
		struct capos_thread_control_set_fs_base_in set = { .fs_base = tcb };
		struct capos_thread_control_get_fs_base_out base = { 0 };
		struct capos_thread_control_self_out self = { 0 };

		if (capos_thread_control_set_fs_base(capos_ring(), thread_cap, &set) != 0 ||
		    capos_thread_control_get_fs_base(capos_ring(), thread_cap, &base) != 0 ||
		    capos_thread_control_self(capos_ring(), thread_cap, &self) != 0) {
			res->failed_calls++;
			continue;
		}
		if (base.fs_base != tcb || (uint64_t)(uintptr_t)capos_tcb_self() != tcb) {
			if (!res->bad_base && !res->bad_tp) {
				res->first_bad_iter = (uint32_t)i;
				res->first_bad_value = base.fs_base != tcb ? base.fs_base
						       : (uint64_t)(uintptr_t)capos_tcb_self();
			}
			if (base.fs_base != tcb)
				res->bad_base++;
			else
				res->bad_tp++;
		}
		if (res->ids_seen == 0 || self.thread_id != res->id) {
			res->ids_seen++;
			res->id = self.thread_id;
		}
	}
	return 0;
}

static void self_calls(void)
{
	struct capos_thread *t[SELF_THREADS];
	uint32_t want[SELF_THREADS], wrong_id = 0, bad = 0, failed = 0;
	int n = 0;

	for (int i = 0; i < SELF_THREADS; i++)
		if (capos_thread_create(&t[n], self_thread, (void *)(uintptr_t)i, 0) == 0)
			want[n++] = 0;
	for (int i = 0; i < n; i++) {
		want[i] = capos_thread_id(t[i]);
		capos_thread_join(t[i], NULL);
	}
	for (int i = 0; i < n; i++) {
		if (self_results[i].ids_seen != 1 || self_results[i].id != want[i])
			wrong_id++;
		bad += self_results[i].bad_base + self_results[i].bad_tp;
		if (self_results[i].bad_base || self_results[i].bad_tp)
			ut_note("thread %d (TCB %p): %u wrong get_fs_base, %u wrong %%fs:0, first at iteration %u: %#llx",
				i, (void *)(uintptr_t)self_results[i].tcb, self_results[i].bad_base, self_results[i].bad_tp,
				self_results[i].first_bad_iter,
				(unsigned long long)self_results[i].first_bad_value);
		failed += self_results[i].failed_calls;
	}
	ut_check(n == SELF_THREADS && wrong_id == 0,
		 "self calls: 6 threads x 1500 ThreadControl.self: each saw only its own id",
		 "threads %d, with a wrong id %u, failed calls %u", n, wrong_id, failed);
	ut_check(n == SELF_THREADS && bad == 0 && failed == 0,
		 "self calls: 6 threads x 1500 set_fs_base/get_fs_base: each base stayed its own TCB",
		 "wrong bases %u, failed calls %u", bad, failed);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init("utest-ringself");
	timer_cap = ut_cap("timer");
	thread_cap = ut_cap("thread");
	ut_cap("threads");
	if (timer_cap && thread_cap) {
		self_calls();
		gate_vs_clock();
	}
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
