/*
 * The hostile program: everything a process can throw at the kernel
 * through its one system call and its ring — invalid and stale handles,
 * wrong interface and method ids, malformed entries, kernel-half,
 * non-canonical, unmapped and read-only buffers, oversized lengths,
 * completion overflow, submission and completion index corruption,
 * quota exhaustion (capabilities, frames, ring operations, threads) and
 * every CPU fault in user mode (utest-fault children) — while a
 * well-behaved utest-worker keeps running and must finish its work.
 * Every case runs twice; in the second pass a census (utest_census.h)
 * shows each case leaves this process's capability slots, threads,
 * frames, kernel memory and ring operations where it found them.
 *
 * Run as init with no arguments; prints one line per case,
 * "utest-hostile: <case>: ok", and exits with the number of failures.
 * It also runs itself as a child in one of these modes (argument):
 *   ring-overflow    fill the CQ without reaping; exit 0 when nothing was lost
 *   ring-corrupt-sq  write a bogus sq_tail; ring-corrupt-cq: a bogus cq_head
 *   threads-quota    spawn threads until the thread quota says no
 * A mode whose ring ends up refused, or that leaves threads behind, cannot
 * exit normally: it reports with a deliberate fault, ud2 (vector 6) when
 * its checks passed and int3 (vector 3) when not.
 */
#include <capos/cap.h>
#include "utest.h"
#include "utest_census.h"

#define KERNEL_PTR 0xffffffff80000000ull
#define NONCANON_PTR 0x0000900000000000ull
#define UNMAPPED_PTR 0x0000000000000010ull
#define PASS_FAULT 6   /* ud2 */
#define FAIL_FAULT 3   /* int3 */

#define rc capos_ring()  /* the calling thread's own ring client */
static const uint8_t read_only_buf[64] = { 1 };

/* ------------------------------------------------------------ helpers */

static int raw(struct capos_sqe *s)
{
	return capos_submit_sync(rc, s, NULL);
}

static int call(uint32_t cap, uint32_t iface, uint16_t method, uint64_t in, uint32_t in_len, uint64_t out,
		uint32_t out_len)
{
	struct capos_sqe s = { .opcode = CAPOS_OP_CALL, .cap = cap, .iface = iface, .method = method,
			       .params_addr = in, .params_len = in_len, .result_addr = out, .result_len = out_len };

	return raw(&s);
}

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

__attribute__((noreturn)) static void report_by_fault(int passed)
{
	if (passed)
		__asm__ volatile("ud2");
	__asm__ volatile("int3");
	for (;;)
		__asm__ volatile("ud2");
}

/* ------------------------------------------------------------ handles */

static void test_bad_handles(void)
{
	uint32_t null = ut_cap("null"), frames = ut_cap("frames");
	struct capos_frame_allocator_alloc_in in = { .pages = 1 };
	struct capos_frame_allocator_alloc_out out = { 0 }, again = { 0 };

	ut_status("handle 0", call(0, CAPOS_IFACE_NULL, 0, 0, 0, 0, 0), -CAPOS_EBADF);
	ut_status("handle index out of the table", call(capos_cap_make(0xfff0, 1), CAPOS_IFACE_NULL, 0, 0, 0, 0, 0),
		  -CAPOS_EBADF);
	ut_status("handle with a wrong generation", call(capos_cap_make(capos_cap_index(null), capos_cap_gen(null) + 7),
							  CAPOS_IFACE_NULL, 0, 0, 0, 0, 0), -CAPOS_EBADF);
	capos_frame_allocator_alloc(rc, frames, &in, &out);
	ut_status("RELEASE a handle", capos_release(rc, out.memory), 0);
	ut_status("stale handle after RELEASE", call(out.memory, CAPOS_IFACE_MEMORY_OBJECT, CAPOS_MEMORY_OBJECT_INFO, 0, 0,
						     0, 0), -CAPOS_EBADF);
	ut_status("RELEASE twice", capos_release(rc, out.memory), -CAPOS_EBADF);
	capos_frame_allocator_alloc(rc, frames, &in, &again);
	ut_check(capos_cap_index(again.memory) != capos_cap_index(out.memory) || again.memory != out.memory,
		 "a reused slot gets a new generation", "handle %#x reused as is", out.memory);
	ut_status("stale handle after the slot is reused", call(out.memory, CAPOS_IFACE_MEMORY_OBJECT,
								CAPOS_MEMORY_OBJECT_INFO, 0, 0, 0, 0), -CAPOS_EBADF);
	capos_release(rc, again.memory);
}

static void test_bad_ids(void)
{
	uint32_t null = ut_cap("null"), timer = ut_cap("timer");

	ut_status("wrong interface id for the handle", call(null, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0, 0, 0),
		  -CAPOS_ETYPE);
	ut_status("unknown interface id", call(null, 0x7777, 0, 0, 0, 0, 0), -CAPOS_ETYPE);
	ut_status("unknown method id", call(timer, CAPOS_IFACE_TIMER, 0x4242, 0, 0, 0, 0), -CAPOS_ENOSYS);
}

/* ------------------------------------------------------------ malformed entries */

static void test_malformed(void)
{
	struct capos_sqe s = { .opcode = 99 };

	ut_status("unknown opcode", raw(&s), -CAPOS_EINVAL);
	s = (struct capos_sqe){ .opcode = CAPOS_OP_NOP, .cap = 5 };
	ut_status("NOP with a non-zero unused field", raw(&s), -CAPOS_EINVAL);
	s = (struct capos_sqe){ .opcode = CAPOS_OP_NOP, .flags = 0x80 };
	ut_status("unknown SQE flags", raw(&s), -CAPOS_EINVAL);
	s = (struct capos_sqe){ .opcode = CAPOS_OP_CALL, .cap = ut_cap("null"), .iface = CAPOS_IFACE_NULL,
				.reserved = 1 };
	ut_status("CALL with the reserved field set", raw(&s), -CAPOS_EINVAL);
	s = (struct capos_sqe){ .opcode = CAPOS_OP_RECV, .cap = ut_cap("null") };
	ut_status("RECV on a capability that is not an endpoint", raw(&s), -CAPOS_ETYPE);
	s = (struct capos_sqe){ .opcode = CAPOS_OP_RETURN, .aux = 12345 };
	ut_status("RETURN with an unknown reply token", raw(&s), -CAPOS_EBADF);
	s = (struct capos_sqe){ .opcode = CAPOS_OP_CANCEL, .aux = 0xdeadbeef };
	ut_status("CANCEL of an unknown operation", raw(&s), -CAPOS_ENOENT);
	s = (struct capos_sqe){ .opcode = CAPOS_OP_RELEASE, .cap = 0 };
	ut_status("RELEASE of handle 0", raw(&s), -CAPOS_EBADF);
}

static int64_t raw_syscall(uint64_t nr, uint64_t arg0)
{
	register uint64_t rdi __asm__("rdi") = arg0, rsi __asm__("rsi") = 0;
	uint64_t rax = nr;

	__asm__ volatile("syscall" : "+a"(rax), "+r"(rdi), "+r"(rsi) : : "rcx", "r11", "rdx", "r8", "r9", "r10",
			 "memory", "cc");
	return (int64_t)rax;
}

static void test_syscall(void)
{
	ut_status("system call number 1", (int)raw_syscall(1, 0), -CAPOS_ENOSYS);
	ut_status("system call number 2^63", (int)raw_syscall(1ull << 63, 0), -CAPOS_ENOSYS);
	ut_status("cap_enter min_complete above the CQ size", (int)capos_cap_enter(100000, 0), -CAPOS_EINVAL);
	ut_status("cap_enter min_complete above 32 bits", (int)raw_syscall(CAPOS_SYS_CAP_ENTER, 1ull << 32),
		  -CAPOS_EINVAL);
}

/* ------------------------------------------------------------ buffers */

static void test_pointers(void)
{
	static const char read_only_text[] = "utest-hostile: console text from read-only data\n";
	uint32_t timer = ut_cap("timer"), console = ut_cap("console");
	struct capos_console_write_out w;
	uint64_t boot = addr(capos_bootstrap());
	void *out_page = capos_pages_alloc(1);

	ut_status("params in the kernel half", call(console, CAPOS_IFACE_CONSOLE, 0, KERNEL_PTR, 16, addr(&w), sizeof w),
		  -CAPOS_EFAULT);
	ut_status("params at a non-canonical address", call(console, CAPOS_IFACE_CONSOLE, 0, NONCANON_PTR, 16,
							     addr(&w), sizeof w), -CAPOS_EFAULT);
	ut_status("params unmapped", call(console, CAPOS_IFACE_CONSOLE, 0, UNMAPPED_PTR, 16, addr(&w), sizeof w),
		  -CAPOS_EFAULT);
	ut_status("result in the kernel half", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0, KERNEL_PTR, 8),
		  -CAPOS_EFAULT);
	ut_status("result at a non-canonical address", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0,
							     0x8000000000000000ull, 8), -CAPOS_EFAULT);
	ut_status("result unmapped", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0, UNMAPPED_PTR, 8),
		  -CAPOS_EFAULT);
	ut_status("result in read-only data", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0,
						   addr(read_only_buf), 8), -CAPOS_EFAULT);
	ut_status("result in the read-only bootstrap page", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0,
								 boot, 8), -CAPOS_EFAULT);
	ut_status("result in program text", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0,
						 addr((const void *)(uintptr_t)&test_pointers), 8), -CAPOS_EFAULT);
	ut_status("params from read-only data are fine", call(console, CAPOS_IFACE_CONSOLE, CAPOS_CONSOLE_WRITE,
							     addr(read_only_text), sizeof read_only_text - 1,
							     addr(out_page), sizeof w), 0);
	capos_pages_free(out_page, 1);
}

/*
 * A result aimed at the ring's own kernel-written index: the kernel writes
 * it (the memory is the process's), then publishes its own index again,
 * so the ring client still sees its entry consumed instead of waiting
 * for ever.
 */
static void test_own_ring(void)
{
	uint32_t timer = ut_cap("timer");
	struct capos_ring_header *h = rc->hdr;
	uint64_t now = 0;

	ut_status("a result written over the ring's own sq_head", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0,
								      addr(&h->sq_head), 8), 0);
	ut_check(__atomic_load_n(&h->sq_head, __ATOMIC_ACQUIRE) == h->sq_tail,
		 "... the kernel's index is published again", "sq_head %u, sq_tail %u", h->sq_head, h->sq_tail);
	ut_status("... and the next call goes through", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0, addr(&now),
							     sizeof now), 0);
}

static void test_straddle(void)
{
	uint32_t timer = ut_cap("timer");
	uint8_t *page = capos_pages_alloc(2);

	if (!page) {
		ut_check(0, "buffer straddling into an unmapped page", "no memory");
		return;
	}
	capos_pages_free(page + CAPOS_PAGE_SIZE, 1);
	ut_status("result straddling into an unmapped page", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0,
								  addr(page + CAPOS_PAGE_SIZE - 4), 8), -CAPOS_EFAULT);
	ut_status("result just inside the page", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0,
						      addr(page + CAPOS_PAGE_SIZE - 8), 8), 0);
	capos_pages_free(page, 1);
}

static void test_lengths(void)
{
	uint32_t console = ut_cap("console"), timer = ut_cap("timer");
	static uint8_t big[CAPOS_MSG_MAX + 16];
	struct capos_xfer x[CAPOS_XFER_MAX + 1];
	struct capos_sqe s;

	ut_status("params longer than the method's message", call(console, CAPOS_IFACE_CONSOLE, 0, addr(big), 5000,
								  addr(big), 8), -CAPOS_ERANGE);
	ut_status("params longer than any message", call(console, CAPOS_IFACE_CONSOLE, 0, addr(big), 0xffffffffu,
							 addr(big), 8), -CAPOS_ERANGE);
	ut_status("result capacity above the limit", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0, addr(big),
							  CAPOS_MSG_MAX + 1), -CAPOS_ERANGE);
	ut_status("result smaller than the method's result", call(timer, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, 0, 0,
								  addr(big), 4), -CAPOS_ERANGE);
	for (uint32_t i = 0; i <= CAPOS_XFER_MAX; i++)
		x[i] = (struct capos_xfer){ console, CAPOS_XFER_COPY };
	capos_sqe_call(&s, 0, ut_cap("null"), CAPOS_IFACE_NULL, 0, NULL, 0, NULL, 0);
	capos_sqe_xfer(&s, x, CAPOS_XFER_MAX + 1);
	ut_status("too many transfer descriptors", raw(&s), -CAPOS_ERANGE);
	capos_sqe_xfer(&s, (const struct capos_xfer *)(uintptr_t)KERNEL_PTR, 1);
	ut_status("transfer descriptors in the kernel half", raw(&s), -CAPOS_EFAULT);
	x[0] = (struct capos_xfer){ 0x12345, CAPOS_XFER_COPY };
	capos_sqe_xfer(&s, x, 1);
	ut_status("transfer of a bad handle", raw(&s), -CAPOS_EBADF);
	x[0] = (struct capos_xfer){ console, 77 };
	ut_status("transfer with an unknown mode", raw(&s), -CAPOS_EINVAL);
}

/* ------------------------------------------------------------ quotas */

static void test_cap_quota(void)
{
	static uint32_t held[400];
	struct capos_frame_allocator_alloc_in in = { .pages = 1 };
	uint32_t frames = ut_cap("frames"), n = 0;
	int err = 0;

	while (n < 400) {
		struct capos_frame_allocator_alloc_out out = { 0 };

		err = capos_frame_allocator_alloc(rc, frames, &in, &out);
		if (err)
			break;
		held[n++] = out.memory;
	}
	ut_check(err == -CAPOS_EQUOTA, "capability quota exhausted by FrameAllocator.alloc",
		 "after %u: %d %s", n, err, capos_strerror(err));
	ut_status("Null.nop still works at the capability quota", capos_null_nop(rc, ut_cap("null")), 0);
	for (uint32_t i = 0; i < n; i++)
		capos_release(rc, held[i]);
	{
		struct capos_frame_allocator_alloc_out out = { 0 };

		ut_status("capabilities are back after RELEASE", capos_frame_allocator_alloc(rc, frames, &in, &out), 0);
		capos_release(rc, out.memory);
	}
	ut_note("capability quota reached after %u new handles", n);
}

static void test_frame_quota(void)
{
	struct capos_frame_allocator_alloc_in in = { .pages = 1ull << 18 };
	struct capos_frame_allocator_alloc_out out = { 0 };
	struct capos_virtual_memory_map_in vm = { .vaddr = 0, .pages = 1ull << 18,
						  .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	struct capos_virtual_memory_map_out vout = { 0 };
	void *pages;

	ut_status("frame quota: FrameAllocator.alloc of 1 GiB", capos_frame_allocator_alloc(rc, ut_cap("frames"), &in,
										      &out), -CAPOS_EQUOTA);
	ut_status("frame quota: VirtualMemory.map of 1 GiB", capos_virtual_memory_map(rc, ut_cap("vm"), &vm, &vout),
		  -CAPOS_EQUOTA);
	pages = capos_pages_alloc(4);
	ut_check(pages != NULL, "memory still available after the refusals", "map failed");
	capos_pages_free(pages, 4);
}

static void test_ring_op_quota(void)
{
	static uint64_t uds[400];
	struct capos_timer_sleep_in in = { .ns = 3600ull * 1000 * UT_MS };
	struct capos_completion c = { 0 };
	uint32_t timer = ut_cap("timer"), n = 0, cancelled = 0;
	int refused = 0;

	while (n < 400 && !refused) {
		if (capos_timer_sleep_async(rc, timer, &in, &uds[n]) != 0)
			break;
		if (capos_ring_wait(rc, uds[n], 0, &c) == 0)
			refused = c.status == -CAPOS_EQUOTA;
		else
			n++;
	}
	ut_check(refused, "ring-operation quota exhausted by pending sleeps", "after %u pending, status %d", n,
		 c.status);
	ut_status("Null.nop still works at the ring-operation quota", capos_null_nop(rc, ut_cap("null")), 0);
	for (uint32_t i = 0; i < n; i++)
		if (capos_cancel(rc, uds[i]) == 0 && capos_ring_wait(rc, uds[i], CAPOS_TIMEOUT_INFINITE, &c) == 0 &&
		    c.status == -CAPOS_ECANCELED)
			cancelled++;
	ut_check(cancelled == n, "every pending sleep cancelled", "%u of %u", cancelled, n);
	ut_note("ring-operation quota reached after %u pending operations", n);
}

/* ------------------------------------------------------------ children */

static int run_child(const char *binary, const char *args, int64_t *code, uint32_t *reason)
{
	uint32_t caps[2] = { ut_cap("console"), ut_cap("timer") }, proc = 0;
	int err = capos_spawn(binary, "console timer thread=@thread threads=@threads vm=@vm park=@park", args, caps, 2,
			      &proc, NULL);

	if (err)
		return err;
	err = capos_process_wait(proc, code, reason);
	capos_release(rc, proc);
	return err;
}

static void expect_child(const char *what, const char *binary, const char *args, uint32_t reason_want,
			 int64_t code_want)
{
	int64_t code = 99;
	uint32_t reason = 99;
	int err = run_child(binary, args, &code, &reason);

	ut_check(!err && reason == reason_want && code == code_want, what, "error %d, reason %u, code %lld", err,
		 reason, (long long)code);
}

static void test_faults(void)
{
	static const struct {
		const char *kind;
		int vector;
	} kinds[] = { { "exec-data", 14 }, { "write-code", 14 }, { "divide", 0 }, { "gp", 13 }, { "pf", 14 },
		      { "ud", 6 }, { "int3", 3 }, { "kernel-read", 14 } };
	char what[80];

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		capos_snprintf(what, sizeof what, "fault %s ends the process with vector %d", kinds[i].kind,
			       kinds[i].vector);
		expect_child(what, "utest-fault", kinds[i].kind, CAPOS_EXIT_FAULT, -kinds[i].vector);
	}
}

/*
 * A child that cannot be loaded (its frame quota is below what its stack
 * needs) is torn down on the spawner's thread: the spawner must come back
 * to user mode in its own address space (kfuzz seed 77 found it did not).
 */
static void test_spawn_refused(void)
{
	struct capos_spawn_quota q = { .frames = CAPOS_QUOTA_FRAMES_MIN };
	uint32_t caps[1] = { ut_cap("console") }, proc = 0;
	int err = capos_spawn_quota("utest-worker", "console thread=@thread", "1 1", caps, 1, &q, &proc, NULL);

	ut_check(err == -CAPOS_ENOMEM || err == -CAPOS_EQUOTA, "a child too big for its frame quota is not started",
		 "error %d %s", err, capos_strerror(err));
	ut_status("the spawner carries on after the refused spawn", capos_null_nop(rc, ut_cap("null")), 0);
}

static void test_ring_children(void)
{
	expect_child("completion overflow: the kernel stops consuming, nothing is lost", "utest-hostile",
		     "ring-overflow", CAPOS_EXIT_NORMAL, 0);
	expect_child("submission index corruption: ring refused, process ends cleanly", "utest-hostile",
		     "ring-corrupt-sq", CAPOS_EXIT_FAULT, -PASS_FAULT);
	expect_child("completion index corruption: ring refused", "utest-hostile", "ring-corrupt-cq",
		     CAPOS_EXIT_FAULT, -PASS_FAULT);
	expect_child("thread quota exhausted in a child", "utest-hostile", "threads-quota", CAPOS_EXIT_FAULT,
		     -PASS_FAULT);
}

/* ------------------------------------------------------------ child modes */

/* Publish n NOPs numbered from *next; returns how many fitted in the SQ. */
static uint32_t fill_nops(uint64_t *next, uint32_t n)
{
	uint32_t done = 0;
	struct capos_sqe *s;

	while (done < n && (s = capos_ring_get_sqe(rc)) != NULL) {
		capos_sqe_nop(s, (*next)++);
		done++;
	}
	capos_ring_publish(rc);
	return done;
}

/* Reap every ready CQE, checking they come in order from *expect with status 0. */
static int reap_in_order(uint64_t *expect)
{
	const struct capos_cqe *c;
	int good = 1;

	while ((c = capos_ring_peek_cqe(rc)) != NULL) {
		good &= c->user_data == *expect && c->status == 0;
		(*expect)++;
		capos_ring_cqe_seen(rc);
	}
	return good;
}

static int mode_ring_overflow(void)
{
	uint64_t next = 1, expect = 1;
	uint32_t sq = rc->sq_entries, cq = rc->cq_entries, consumed = 0;
	int good = 1;
	int64_t r;

	capos_ring_lock(rc);
	while (consumed < cq) {
		fill_nops(&next, sq);
		r = capos_cap_enter(0, 0);
		if (r <= 0)
			break;
		consumed += (uint32_t)r;
	}
	fill_nops(&next, sq);
	r = capos_cap_enter(0, 0);
	good &= consumed == cq && r == 0 && capos_ring_cq_ready(rc) == cq && capos_ring_sq_pending(rc) > 0;
	good &= reap_in_order(&expect);
	while (capos_ring_sq_pending(rc) && capos_cap_enter(0, 0) > 0)
		good &= reap_in_order(&expect);
	capos_ring_unlock(rc);
	good &= expect == next && !(rc->hdr->kflags & CAPOS_RING_K_CORRUPT);
	capos_printf("utest-hostile: completion overflow: %u consumed, then refused; %llu NOPs all completed in order: %s\n",
		     consumed, (unsigned long long)(next - 1), good ? "ok" : "FAILED");
	return good ? 0 : 1;
}

__attribute__((noreturn)) static void mode_ring_corrupt(int cq_side)
{
	struct capos_ring_header *h = rc->hdr;
	int good;

	capos_printf("utest-hostile: corrupting the %s index; the ring is refused from now on\n",
		     cq_side ? "completion head" : "submission tail");
	capos_ring_lock(rc);
	if (cq_side) {
		fill_nops(&(uint64_t){ 1 }, 1);
		__atomic_store_n(&h->cq_head, h->cq_tail + 5, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&h->sq_tail, h->sq_head + h->sq_entries + 1, __ATOMIC_RELEASE);
	}
	good = capos_cap_enter(0, 0) == -CAPOS_EINVAL;
	good &= (h->kflags & CAPOS_RING_K_CORRUPT) != 0;
	good &= capos_cap_enter(1, 1000000) == -CAPOS_EINVAL;  /* refused for good, even to wait */
	report_by_fault(good);
}

/* Threads that never come back: they wait in the kernel for more completions than can ever be visible. */
__attribute__((force_align_arg_pointer, noreturn)) static void parked_thread(uint64_t cq_entries)
{
	for (;;)
		capos_cap_enter((uint32_t)cq_entries, CAPOS_TIMEOUT_INFINITE);
}

__attribute__((noreturn)) static void mode_threads_quota(void)
{
	struct capos_thread_spawner_spawn_in in = { .entry = addr((const void *)(uintptr_t)parked_thread),
						    .arg = rc->cq_entries };
	struct capos_thread_spawner_spawn_out out;
	uint32_t spawner = ut_cap("threads"), n = 0;
	uint8_t *stacks = capos_pages_alloc(2 * 128);
	int err = 0;

	while (stacks && n < 128) {
		in.stack_top = addr(stacks + 2 * CAPOS_PAGE_SIZE * (n + 1));
		err = capos_thread_spawner_spawn(rc, spawner, &in, &out);
		if (err)
			break;
		n++;
	}
	capos_printf("utest-hostile: thread quota: refused after %u threads with %d (%s): %s\n", n, err,
		     capos_strerror(err), err == -CAPOS_EQUOTA ? "ok" : "FAILED");
	report_by_fault(err == -CAPOS_EQUOTA);
}

static int child_mode(const char *mode)
{
	static const char *const names[] = { "ring-overflow", "ring-corrupt-sq", "ring-corrupt-cq", "threads-quota" };
	int m = -1;

	for (int i = 0; i < 4; i++) {
		const char *a = mode, *b = names[i];

		while (*a && *a == *b)
			a++, b++;
		if (*a == *b)
			m = i;
	}
	switch (m) {
	case 0:
		return mode_ring_overflow();
	case 1:
	case 2:
		mode_ring_corrupt(m == 2);
	case 3:
		mode_threads_quota();
	default:
		capos_printf("utest-hostile: unknown mode '%s'\n", mode);
		return 2;
	}
}

/* ------------------------------------------------------------ main */

static uint32_t start_worker(void)
{
	uint32_t caps[2] = { ut_cap("console"), ut_cap("timer") }, proc = 0;

	ut_status("a well-behaved utest-worker starts", capos_spawn("utest-worker", "console timer thread=@thread",
								     "60 25", caps, 2, &proc, NULL), 0);
	return proc;
}

static void finish_worker(uint32_t proc)
{
	int64_t code = -1;
	uint32_t reason = 99;
	int err = proc ? capos_process_wait(proc, &code, &reason) : -CAPOS_EBADF;

	ut_check(!err && reason == CAPOS_EXIT_NORMAL && code == 0, "the worker carried on and finished its work",
		 "error %d reason %u code %lld", err, reason, (long long)code);
}

static const struct census_case cases[] = {
	{ "bad handles", test_bad_handles },
	{ "bad ids", test_bad_ids },
	{ "malformed entries", test_malformed },
	{ "bad system calls", test_syscall },
	{ "bad pointers", test_pointers },
	{ "straddling buffers", test_straddle },
	{ "a result over the ring's own index", test_own_ring },
	{ "bad lengths", test_lengths },
	{ "CPU faults", test_faults },
	{ "refused spawns", test_spawn_refused },
	{ "capability quota", test_cap_quota },
	{ "frame quota", test_frame_quota },
	{ "ring-operation quota", test_ring_op_quota },
	{ "ring children", test_ring_children },
};

int main(int argc, char **argv)
{
	uint32_t worker;

	ut_init("utest-hostile");
	if (argc > 1)
		return child_mode(argv[1]);
	worker = start_worker();
	census_run_twice(cases, sizeof cases / sizeof cases[0]);
	finish_worker(worker);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
