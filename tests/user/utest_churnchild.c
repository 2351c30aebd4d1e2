/*
 * utest-churnchild: the helper utest-churn starts.  It piles up kernel
 * state — threads blocked in the kernel, ring operations that will never
 * complete, memory objects mapped and passed on, grandchildren — and then
 * ends the way it is told, so the parent (and the kernel's leakcheck) can
 * show that teardown reclaims all of it.  Arguments: MODE [ENDING] TAG.
 *
 *   threads ENDING TAG  three workers: a sleeper (Timer.sleep), a parker
 *                       (ParkSpace.wait) and a joiner (ThreadHandle.join
 *                       of the sleeper); a grandchild "nap" whose
 *                       ProcessHandle.wait is pending; async sleeps and
 *                       park waits that nobody collects.  When killed or
 *                       faulted, the parker is detached first, so the
 *                       runtime's private async join is pending too.
 *   mem ENDING TAG      memory objects of its own (one mapped, one mapped
 *                       twice in parts and released while mapped, one
 *                       never mapped), anonymous pages, and one object
 *                       passed to a grandchild "memgc" that outlives this
 *                       process (the frames stay charged to this dead
 *                       process's quota until the grandchild lets go).
 *   nap MS              sleep MS milliseconds, exit 0.
 *   memgc TAG           map "mem", wait for its creator to end, check and
 *                       write it, unmap, exit 0.
 *
 * ENDING: exit (main returns with operations still pending), kill (mark
 * the shared page ready and block until the parent kills), fault (mark it
 * ready and write through NULL: #PF, code -14).  threads and mem write
 * CHURN_STAMP ^ TAG into the parent's shared page ("mem") first and count
 * failed set-up steps there; every failure is also printed ("FAILED").
 * Capabilities: console timer thread=@thread; threads and mem also mem,
 * frames, spawner, bootpkg (the loader finds grandchildren there),
 * threads=@threads vm=@vm park=@park.
 */
#include <capos/rt.h>
#include "utest_churn.h"

#define MS 1000000ull
#define LONG_NS (60000ull * MS)
#define PAGE 4096ull
#define PENDING_MAX 8

enum ending { END_EXIT, END_KILL, END_FAULT, END_BAD };

#define rc capos_ring()  /* the calling thread's own ring client */
static struct churn_page *page;          /* the parent's shared page, once mapped */
static uint32_t failures;
static uint32_t park_word;               /* the parker waits while it is 0 */
static uint32_t idle_word;               /* never changes: async waits on it never end */
static uint32_t blocking;                /* workers about to block (atomic) */
static uint32_t pending_next;            /* atomic index into pending_out */
static struct capos_park_space_wait_out pending_out[PENDING_MAX];
static struct capos_thread *sleeper_t;
static int exit_mode;

static void fail(const char *what, int err)
{
	capos_printf("utest-churnchild: %s: FAILED (%d %s)\n", what, err, capos_strerror(err));
	failures++;
	if (page)
		page->errors++;
}

static void fail_code(const char *what, int64_t got, int64_t want)
{
	capos_printf("utest-churnchild: %s: FAILED (%lld, expected %lld)\n", what, (long long)got, (long long)want);
	failures++;
	if (page)
		page->errors++;
}

static void expect_ok(const char *what, int err)
{
	if (err)
		fail(what, err);
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static uint64_t number(const char *s)
{
	uint64_t v = 0;

	for (; s && *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

static enum ending parse_ending(const char *s)
{
	if (s && same(s, "exit"))
		return END_EXIT;
	if (s && same(s, "kill"))
		return END_KILL;
	if (s && same(s, "fault"))
		return END_FAULT;
	return END_BAD;
}

static void fault_now(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0;

	__asm__ volatile("" : "+r"(p));
	*p = 1;
}

/* Block for good (until the parent kills us). */
static void block_forever(void)
{
	for (;;)
		capos_park_wait(&idle_word, 0, CAPOS_TIMEOUT_INFINITE);
}

static int map_object(uint32_t mo, uint64_t va, uint64_t first, uint64_t pages)
{
	struct capos_memory_object_map_in in = { .vaddr = va, .first_page = first, .pages = pages,
						  .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };

	return capos_memory_object_map(rc, mo, &in, &(struct capos_memory_object_map_out){ 0 });
}

static int unmap_object(uint32_t mo, uint64_t va, uint64_t pages)
{
	struct capos_memory_object_unmap_in in = { .vaddr = va, .pages = pages };

	return capos_memory_object_unmap(rc, mo, &in);
}

/* ------------------------------------------------------------ threads */

/* An async sleep and an async park wait that will never be collected. */
static void submit_pending(void)
{
	struct capos_timer_sleep_in s = { .ns = LONG_NS };
	struct capos_park_space_wait_in w = { .addr = (uint64_t)(uintptr_t)&idle_word, .expected = 0,
					      .timeout_ns = CAPOS_TIMEOUT_INFINITE };
	uint32_t i = __atomic_fetch_add(&pending_next, 1, __ATOMIC_RELAXED) % PENDING_MAX;
	uint64_t ud;

	expect_ok("async Timer.sleep", capos_timer_sleep_async(rc, capos_cap_find("timer", NULL), &s, &ud));
	expect_ok("async ParkSpace.wait", capos_park_space_wait_async(rc, capos_cap_find("park", NULL), &w,
								       &pending_out[i], &ud));
}

static void about_to_block(void)
{
	__atomic_fetch_add(&blocking, 1, __ATOMIC_SEQ_CST);
}

static int64_t sleeper(void *arg)
{
	(void)arg;
	about_to_block();
	if (!exit_mode) {
		capos_sleep_ns(LONG_NS);
		return 1;
	}
	expect_ok("sleeper sleep", capos_sleep_ns(10 * MS));
	submit_pending();
	return 7;
}

static int64_t parker(void *arg)
{
	int err;

	(void)arg;
	about_to_block();
	err = capos_park_wait(&park_word, 0, CAPOS_TIMEOUT_INFINITE);
	if (!exit_mode)
		return 1;
	if (err && err != -CAPOS_EAGAIN)
		fail("parker ParkSpace.wait", err);
	submit_pending();
	return 0;
}

static int64_t joiner(void *arg)
{
	int64_t code = -1;
	int err;

	(void)arg;
	about_to_block();
	err = capos_thread_join(sleeper_t, &code);
	if (!exit_mode)
		return 1;
	if (err)
		fail("joiner ThreadHandle.join of the sleeper", err);
	else if (code != 7)
		fail_code("joiner: the sleeper's exit code", code, 7);
	submit_pending();
	return 0;
}

/* A grandchild that naps; its ProcessHandle.wait stays pending in our ring. */
static void start_napper(void)
{
	static struct capos_process_handle_wait_out out;
	uint32_t caps[2] = { capos_cap_find("console", NULL), capos_cap_find("timer", NULL) }, proc = 0;
	uint64_t ud;
	int err = capos_spawn("utest-churnchild", "console timer thread=@thread", "nap 30", caps, 2, &proc, NULL);

	if (err) {
		fail("spawn a napping grandchild", err);
		return;
	}
	expect_ok("async ProcessHandle.wait", capos_process_handle_wait_async(rc, proc, &out, &ud));
}

/* Wait until the three workers are about to block, then give them time to enter the kernel. */
static void wait_for_workers(void)
{
	for (int i = 0; i < 5000 && __atomic_load_n(&blocking, __ATOMIC_SEQ_CST) < 3; i++)
		capos_sleep_ns(1 * MS);
	if (__atomic_load_n(&blocking, __ATOMIC_SEQ_CST) < 3)
		fail("workers start", -CAPOS_ETIMEDOUT);
	capos_sleep_ns(3 * MS);
}

static void join_ok(const char *what, struct capos_thread *t)
{
	int64_t code = -1;
	int err = capos_thread_join(t, &code);

	if (err)
		fail(what, err);
	else if (code != 0)
		fail_code(what, code, 0);
}

/* exit: release the parker, collect the workers, return with operations still pending. */
static void threads_exit(struct capos_thread *park_t, struct capos_thread *join_t)
{
	__atomic_store_n(&park_word, 1, __ATOMIC_SEQ_CST);
	if (capos_park_wake(&park_word, 1) < 0)
		fail("ParkSpace.wake the parker", -CAPOS_EINVAL);
	join_ok("join the parker", park_t);
	join_ok("join the joiner", join_t);
}

static void threads_mode(enum ending ending)
{
	struct capos_thread *park_t = NULL, *join_t = NULL;

	exit_mode = ending == END_EXIT;
	start_napper();
	expect_ok("create the sleeper", capos_thread_create(&sleeper_t, sleeper, NULL, 0));
	expect_ok("create the parker", capos_thread_create(&park_t, parker, NULL, 0));
	expect_ok("create the joiner", capos_thread_create(&join_t, joiner, NULL, 0));
	if (!sleeper_t || !park_t || !join_t)
		return;
	wait_for_workers();
	submit_pending();
	if (ending == END_EXIT) {
		threads_exit(park_t, join_t);
		return;
	}
	expect_ok("detach the parker", capos_thread_detach(park_t));
}

/* ------------------------------------------------------------ memory objects */

static uint32_t alloc_object(uint64_t pages)
{
	struct capos_frame_allocator_alloc_in in = { .pages = pages };
	struct capos_frame_allocator_alloc_out out = { 0 };
	int err = capos_frame_allocator_alloc(rc, capos_cap_find("frames", NULL), &in, &out);

	if (err)
		fail("FrameAllocator.alloc", err);
	return err ? 0 : out.memory;
}

static void fill(uint64_t va, uint64_t pages, uint64_t value)
{
	for (uint64_t i = 0; i < pages; i++)
		*(volatile uint64_t *)(uintptr_t)(va + i * PAGE) = value + i;
}

/* Pass object `mo` to a grandchild that uses it after we are gone. */
static void start_memgc(uint32_t mo, uint64_t tag)
{
	uint32_t caps[3] = { capos_cap_find("console", NULL), capos_cap_find("timer", NULL), mo }, proc = 0;
	char args[40];

	capos_snprintf(args, sizeof args, "memgc %llu", (unsigned long long)tag);
	expect_ok("spawn a grandchild with our memory object",
		  capos_spawn("utest-churnchild", "console timer mem thread=@thread", args, caps, 3, &proc, NULL));
}

static void mem_mode(uint64_t tag)
{
	uint32_t a = alloc_object(4), b = alloc_object(16), c = alloc_object(1);
	void *anon = capos_pages_alloc(8);

	if (!a || !b || !c || !anon) {
		if (!anon)
			fail("anonymous pages", capos_errno);
		return;
	}
	expect_ok("map object a", map_object(a, CHURN_OBJ_VA, 0, 4));
	expect_ok("map object b pages 2..9", map_object(b, CHURN_OBJ_VA + 16 * PAGE, 2, 8));
	expect_ok("map object b pages 0..3", map_object(b, CHURN_OBJ_VA + 32 * PAGE, 0, 4));
	fill(CHURN_OBJ_VA, 4, tag);
	fill(CHURN_OBJ_VA + 16 * PAGE, 8, tag);
	fill(CHURN_OBJ_VA + 32 * PAGE, 4, tag);
	fill((uint64_t)(uintptr_t)anon, 8, tag);
	expect_ok("release object b while mapped", capos_release(rc, b));
	start_memgc(a, tag);
}

/* Grandchild: the object its creator filled with tag + page. */
static int memgc_mode(uint64_t tag)
{
	uint32_t mo = capos_cap_find("mem", NULL);
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)CHURN_OBJ_VA;

	expect_ok("grandchild maps the object", map_object(mo, CHURN_OBJ_VA, 0, 4));
	if (failures)
		return 1;
	if (p[0] != tag)
		fail("grandchild sees its creator's data", -CAPOS_EINVAL);
	capos_sleep_ns(20 * MS);
	fill(CHURN_OBJ_VA, 4, ~tag);
	if (p[PAGE / 8] != ~tag + 1)
		fail("grandchild writes the object", -CAPOS_EINVAL);
	expect_ok("grandchild unmaps the object", unmap_object(mo, CHURN_OBJ_VA, 4));
	return (int)failures;
}

/* ------------------------------------------------------------ main */

static int map_shared_page(void)
{
	int err = map_object(capos_cap_find("mem", NULL), CHURN_CHILD_VA, 0, 1);

	if (err)
		fail("map the shared page", err);
	else
		page = (struct churn_page *)(uintptr_t)CHURN_CHILD_VA;
	return err;
}

/* Build the state for mode, mark the page, then end as told. */
static int helper(const char *mode, enum ending ending, uint64_t tag)
{
	if (ending == END_BAD || map_shared_page() != 0)
		return 2;
	if (same(mode, "threads"))
		threads_mode(ending);
	else
		mem_mode(tag);
	page->stamp = CHURN_STAMP ^ tag;
	if (ending == END_EXIT)
		return (int)failures;
	page->ready = 1;
	if (ending == END_FAULT)
		fault_now();
	block_forever();
	return 3;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (same(mode, "nap"))
		return capos_sleep_ns(number(argc > 2 ? argv[2] : NULL) * MS) ? 1 : 0;
	if (same(mode, "memgc"))
		return memgc_mode(number(argc > 2 ? argv[2] : NULL));
	if ((same(mode, "threads") || same(mode, "mem")) && argc > 3)
		return helper(mode, parse_ending(argv[2]), number(argv[3]));
	capos_printf("utest-churnchild: unknown mode '%s': FAILED\n", mode);
	return 2;
}
