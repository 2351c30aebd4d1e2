/*
 * utest-churn: process churn for the teardown proof (issue 3, "a process
 * that exits or faults is torn down and all it held is reclaimed").  Run
 * as init with "leakcheck" on the kernel command line: the kernel counts
 * free frames and heap objects before init starts and again after every
 * process has ended, and fails the run on any difference.
 *
 * Each round starts, all at once, one child of every ending:
 *   hello          utest-hello, normal exit 0
 *   fault          utest-fault, one of its eight CPU faults in turn
 *   sleeper        utest-worker, killed while it sleeps
 *   threads-*      utest-churnchild threads: several threads blocked in
 *                  the kernel and ring operations pending, then exit,
 *                  kill or fault (with a napping grandchild)
 *   mem-*          utest-churnchild mem: memory objects mapped, released
 *                  while mapped and passed on to a grandchild that
 *                  outlives it, then exit, kill or fault
 * Each helper gets a one-page MemoryObject of ours (utest_churn.h) which
 * we keep mapped: it says when to kill, and after the child is gone we
 * still read what it wrote, then unmap and release it.  Every child is
 * waited for and its exit reason and code checked.
 *
 * At the end one more child is left napping (50 ms) with its handle
 * released: the kernel must carry on after init, and leakcheck must wait
 * for it.  Argument: rounds (default 30).  Prints one line per round and
 * one per failure ("FAILED"); exits with the number of failures (the
 * verdict).
 */
#include <capos/rt.h>
#include "utest_churn.h"

#define MS 1000000ull
#define PAGE 4096ull
#define ROUNDS_DEFAULT 30
#define READY_WAIT_MS 10000

enum kind {
	K_HELLO, K_FAULT, K_SLEEPER,
	K_THREADS_EXIT, K_THREADS_KILL, K_THREADS_FAULT,
	K_MEM_EXIT, K_MEM_KILL, K_MEM_FAULT,
	K_COUNT
};

struct child {
	const char *what;
	uint32_t proc;               /* ProcessHandle, 0 when not started */
	uint32_t mem;                /* the shared page's MemoryObject (helpers) */
	struct churn_page *page;     /* where we map it */
	uint64_t tag;
	uint32_t want_reason;
	int64_t want_code;
};

static const struct {
	const char *kind;
	int vector;
} faults[] = {
	{ "exec-data", 14 }, { "write-code", 14 }, { "divide", 0 }, { "gp", 13 },
	{ "pf", 14 }, { "ud", 6 }, { "int3", 3 }, { "kernel-read", 14 },
};

static const char *const helper_args[K_COUNT] = {
	[K_THREADS_EXIT] = "threads exit", [K_THREADS_KILL] = "threads kill", [K_THREADS_FAULT] = "threads fault",
	[K_MEM_EXIT] = "mem exit", [K_MEM_KILL] = "mem kill", [K_MEM_FAULT] = "mem fault",
};

#define rc capos_ring()  /* the calling thread's own ring client */
static int failures;
static uint32_t children;

static void fail(const struct child *c, const char *what, long long got)
{
	capos_printf("utest-churn: %s (tag %llu): %s: FAILED (%lld)\n", c ? c->what : "setup",
		     c ? (unsigned long long)c->tag : 0ull, what, got);
	failures++;
}

static uint32_t cap(const char *name)
{
	return capos_cap_find(name, NULL);
}

static int number(const char *s, int fallback)
{
	int v = 0;

	if (!s || !*s)
		return fallback;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return fallback;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* ------------------------------------------------------------ the shared page */

static int share_page(struct child *c, uint64_t slot)
{
	struct capos_frame_allocator_alloc_in in = { .pages = 1 };
	struct capos_frame_allocator_alloc_out out = { 0 };
	struct capos_memory_object_map_in map = { .vaddr = CHURN_PARENT_VA + slot * PAGE, .first_page = 0,
						   .pages = 1, .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	int err = capos_frame_allocator_alloc(rc, cap("frames"), &in, &out);

	if (!err) {
		c->mem = out.memory;
		err = capos_memory_object_map(rc, c->mem, &map, &(struct capos_memory_object_map_out){ 0 });
	}
	if (err)
		return err;
	c->page = (struct churn_page *)(uintptr_t)map.vaddr;
	return 0;
}

static void unshare_page(struct child *c)
{
	struct capos_memory_object_unmap_in in = { .vaddr = (uint64_t)(uintptr_t)c->page, .pages = 1 };
	int err;

	if (c->page && (err = capos_memory_object_unmap(rc, c->mem, &in)) != 0)
		fail(c, "unmap the shared page", err);
	if (c->mem && (err = capos_release(rc, c->mem)) != 0)
		fail(c, "release the shared page", err);
	c->page = NULL;
	c->mem = 0;
}

/* ------------------------------------------------------------ starting */

/* A program of the other tests: console, and timer when ncaps is 2, go as transfers. */
static int start_plain(struct child *c, const char *binary, const char *grants, uint32_t ncaps, const char *args)
{
	uint32_t caps[2] = { cap("console"), cap("timer") };

	return capos_spawn(binary, grants, args, caps, ncaps, &c->proc, NULL);
}

static int start_helper(struct child *c, enum kind k)
{
	uint32_t caps[6] = { cap("console"), cap("timer"), cap("frames"), cap("spawner"), 0, cap("bootpkg") };
	char args[64];
	int err = share_page(c, (uint64_t)k);

	if (err)
		return err;
	caps[4] = c->mem;
	capos_snprintf(args, sizeof args, "%s %llu", helper_args[k], (unsigned long long)c->tag);
	return capos_spawn("utest-churnchild",
			   "console timer frames spawner mem bootpkg thread=@thread threads=@threads vm=@vm park=@park",
			   args, caps, 6, &c->proc, NULL);
}

/* What child k of round r is, and how it must end. */
static void describe(struct child *c, enum kind k, int round)
{
	static const char *const names[K_COUNT] = {
		"hello", "fault", "sleeper", "threads-exit", "threads-kill", "threads-fault",
		"mem-exit", "mem-kill", "mem-fault",
	};

	*c = (struct child){ .what = names[k], .tag = (uint64_t)round * 16 + k };
	if (k == K_HELLO || k == K_THREADS_EXIT || k == K_MEM_EXIT)
		c->want_reason = CAPOS_EXIT_NORMAL, c->want_code = 0;
	else if (k == K_SLEEPER || k == K_THREADS_KILL || k == K_MEM_KILL)
		c->want_reason = CAPOS_EXIT_KILLED, c->want_code = -1;
	else if (k == K_FAULT)
		c->want_reason = CAPOS_EXIT_FAULT, c->want_code = -faults[round % 8].vector;
	else
		c->want_reason = CAPOS_EXIT_FAULT, c->want_code = -14;
}

static int start(struct child *c, enum kind k, int round)
{
	describe(c, k, round);
	children++;
	switch (k) {
	case K_HELLO:
		return start_plain(c, "utest-hello", "console thread=@thread", 1, "");
	case K_FAULT:
		return start_plain(c, "utest-fault", "console thread=@thread", 1, faults[round % 8].kind);
	case K_SLEEPER:
		return start_plain(c, "utest-worker", "console timer thread=@thread", 2, "100000 50");
	default:
		return start_helper(c, k);
	}
}

/* ------------------------------------------------------------ ending */

static void kill_when_ready(struct child *c)
{
	int waited = 0;
	int err;

	while (c->page && !c->page->ready && waited++ < READY_WAIT_MS)
		capos_sleep_ns(1 * MS);
	if (c->page && !c->page->ready)
		fail(c, "the child never got ready", waited);
	err = capos_process_handle_kill(rc, c->proc);
	if (err)
		fail(c, "ProcessHandle.kill", err);
}

static void check_page(struct child *c)
{
	if (!c->page)
		return;
	if (c->page->errors)
		fail(c, "set-up steps of the child failed", c->page->errors);
	if (c->page->stamp != (CHURN_STAMP ^ c->tag))
		fail(c, "what the child wrote is still in the shared page", (long long)c->page->stamp);
}

static void finish(struct child *c)
{
	int64_t code = 0;
	uint32_t reason = 99;
	int err = capos_process_wait(c->proc, &code, &reason);

	if (err)
		fail(c, "ProcessHandle.wait", err);
	else if (reason != c->want_reason || code != c->want_code)
		fail(c, "exit reason and code", (long long)reason * 1000 + code);
	check_page(c);
	unshare_page(c);
	err = capos_release(rc, c->proc);
	if (err)
		fail(c, "release the ProcessHandle", err);
}

static void round_of_churn(int round, int rounds)
{
	struct child c[K_COUNT];
	int before = failures;

	for (int k = 0; k < K_COUNT; k++) {
		int err = start(&c[k], (enum kind)k, round);

		if (err) {
			fail(&c[k], "spawn", err);
			unshare_page(&c[k]);
			c[k].proc = 0;
		}
	}
	capos_sleep_ns(5 * MS);
	for (int k = 0; k < K_COUNT; k++)
		if (c[k].proc && c[k].want_reason == CAPOS_EXIT_KILLED)
			kill_when_ready(&c[k]);
	for (int k = 0; k < K_COUNT; k++)
		if (c[k].proc)
			finish(&c[k]);
	capos_printf("utest-churn: round %d/%d: %d children ended, %d failures\n", round + 1, rounds, K_COUNT,
		     failures - before);
}

/* A child left running when we end: the kernel must carry on, and leakcheck wait for it. */
static void leave_orphan(void)
{
	uint32_t caps[2] = { cap("console"), cap("timer") }, proc = 0;
	int err = capos_spawn("utest-churnchild", "console timer thread=@thread", "nap 50", caps, 2, &proc, NULL);

	if (err)
		fail(NULL, "spawn the orphan", err);
	else if ((err = capos_release(rc, proc)) != 0)
		fail(NULL, "release the orphan's ProcessHandle", err);
}

int main(int argc, char **argv)
{
	int rounds = number(argc > 1 ? argv[1] : NULL, ROUNDS_DEFAULT);

	for (int r = 0; r < rounds; r++)
		round_of_churn(r, rounds);
	leave_orphan();
	capos_printf("utest-churn: %u children in %d rounds, %d failures; one orphan left napping\n", children,
		     rounds, failures);
	return failures;
}
