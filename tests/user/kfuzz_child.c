/*
 * A kfuzz fuzzing process: threads that write random submission entries
 * straight into their own rings (the raw ring layer, no client stubs) and
 * reap whatever completes, until the end time; then the process ends with
 * the number of operations it submitted as its exit code.
 *
 * This file is the process: its shared state, its threads, their loop
 * and the end.  The handle pool and the random values are kfuzz_pick.c,
 * the ring kfuzz_ring.c, the operations kfuzz_ops.c.
 */
#include "kfuzz_child.h"

struct kf_proc kfp;

static int fuzz_thread(struct kf_thread *t);

static int64_t fuzz_thread_entry(void *arg)
{
	return fuzz_thread(arg);
}

static uint8_t *area(uint64_t pages);

static struct kf_thread *new_thread_state(uint32_t index)
{
	struct kf_thread *t = capos_pages_alloc((sizeof(struct kf_thread) + CAPOS_PAGE_SIZE - 1) / CAPOS_PAGE_SIZE);

	if (t) {
		t->index = index;
		t->rng.s = kf_derive(kfp.seed, index);
		t->arena = area(KF_ARENA_PAGES);
	}
	return t && t->arena ? t : NULL;
}

void kf_op_new_thread(struct kf_thread *t)
{
	uint32_t index = __atomic_fetch_add(&kfp.threads, 1, __ATOMIC_RELAXED);
	struct kf_thread *n;
	struct capos_thread *th;

	if (index >= KF_THREADS_MAX)
		return;
	n = new_thread_state(index);
	if (n && capos_thread_create(&th, fuzz_thread_entry, n, 0) == 0)
		capos_thread_detach(th);
	(void)t;
}

/* One operation (or a flush): weights favour the typed sequences. */
/* The operation kinds with their weights (out of 100; the rest only flush). */__attribute__((noreturn)) static void end_process(void)
{
	static uint32_t ending;
	uint64_t ops = __atomic_load_n(&kfp.ops, __ATOMIC_RELAXED);
	char hist[320];
	int n = 0;

	if (__atomic_exchange_n(&ending, 1, __ATOMIC_RELAXED))
		capos_thread_exit(0);  /* another thread reports and ends the process */
	for (int i = 0; i < 40 && n < (int)sizeof hist - 16; i++)
		if (kfp.by_status[i])
			n += capos_snprintf(hist + n, sizeof hist - (size_t)n, " %s%d:%u", i ? "-" : "", i, kfp.by_status[i]);
	{
		uint32_t held = 0, known = 0;

		for (uint32_t i = 0; i < KF_POOL; i++) {
			held += kfp.pool[i] != 0;
			known += kfp.pool[i] && (uint32_t)kfp.pool[i];
		}
		for (uint32_t i = 0; i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
			held += kfp.grants[i] != 0, known += kfp.grants[i] != 0;
		capos_printf("kfuzz: pid %u statuses%s; pool %u held, %u of known interface\n", capos_bootstrap()->pid,
			     n ? hist : " none", held, known);
	}

	capos_printf("kfuzz: pid %u depth %u ops %llu (completed %llu, refused %llu; children reported %llu)\n",
		     capos_bootstrap()->pid, kfp.depth, (unsigned long long)ops, (unsigned long long)kfp.done_ok,
		     (unsigned long long)kfp.done_err, (unsigned long long)kfp.reported);
	capos_process_exit((int64_t)ops);
}

static int fuzz_thread(struct kf_thread *t)
{
	t->rc = capos_ring();
	while (kf_now_ms() < kfp.end_ms)
		kf_step(t);
	end_process();
}

/* The junk, arena and stack areas, each followed by an unmapped page. */
static uint8_t *area(uint64_t pages)
{
	uint8_t *p = capos_pages_alloc(pages);

	if (p)
		capos_pages_free(p + (pages - 1) * CAPOS_PAGE_SIZE, 1);
	return p;
}

int kf_child_main(uint64_t seed, uint32_t depth, uint64_t end_ms, uint32_t mask)
{
	const struct capos_bootstrap *b = capos_bootstrap();
	struct kf_thread *t;

	kfp.seed = seed;
	kfp.mask = mask;
	kfp.depth = depth;
	kfp.end_ms = end_ms;
	kfp.thread_cap = capos_cap_find("thread", NULL);
	kfp.console = capos_cap_find("console", NULL);
	kfp.threads = 1;
	kfp.junk = area(KF_JUNK_PAGES);
	kfp.raw_stacks = area(KF_RAW_STACKS + 1);
	t = new_thread_state(0);
	if (!kfp.junk || !kfp.raw_stacks || !t)
		return 3;  /* too small a quota to fuzz: an expected outcome of a random spawn */
	t->rc = capos_ring();
	for (uint32_t i = 0; i < b->cap_count && i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		if (b->caps[i].handle != kfp.thread_cap && b->caps[i].handle != kfp.console)
			kfp.grants[kfp.caps_seen++] = (uint64_t)b->caps[i].handle << 32 | b->caps[i].iface;
	return fuzz_thread(t);
}
