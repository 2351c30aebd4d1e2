/*
 * utest-faulthandler: CPU exceptions delivered to a fault handler
 * (docs/architecture.md "Faults", capos/faultmsg.h, capos/fault.h).  Runs
 * as init and checks, in this process: registrations the kernel must
 * refuse (wrong type, the receive side, no TRANSFER right, a server gone, a
 * revoked copy, a stale handle), a handler on a thread that has ended (the
 * kernel lets go of it), the libOS handler growing a thread's stack far
 * past what was mapped, and a hook that maps a missing page and resumes
 * (the message names vector, address, rip and thread).  Then children (this
 * program in a mode), each of which must end as the line says:
 *
 *   guard     a thread recursing without end reaches its stack's guard
 *   refused   the handler refuses a NULL write
 *   selffault the handler's hook faults itself (the handler thread has none)
 *   storm     the hook resumes without repairing: the kernel's repeat bound
 *             ends it, while this process keeps running meanwhile
 *   never     a handler that never answers: killed by its parent
 *   exit      a handler that ends its process instead of answering
 *   dropped   a handler that drops the reply token
 *   revoked   a handler registered through a revocable copy, revoked while
 *             the fault is in service
 *   bytes     a handler answering with bytes (the kernel's call takes none)
 *   closed    the endpoint's server gone between registration and fault
 *   lazy      the hook maps a missing page: the child goes on and exits 0;
 *             spawned with one ring operation (its handler's RECV holds it)
 *             the message cannot be queued and the child ends by fault
 *
 * One line per check, "utest-faulthandler: <what>: ok"; exit code = failures.
 */
#include <string.h>
#include <capos/fault.h>
#include <capos/ipc.h>
#include <capos/prot.h>
#include "utest.h"

#define rc capos_ring()
#define DEMO_IFACE 0x1f01u
#define DEPTH_FRAMES 2048u  /* 1 KiB each: 2 MiB of stack, 64 KiB mapped at start */

static const char grants[] = "console timer endpoints capspace thread=@thread threads=@threads vm=@vm park=@park";

/* ------------------------------------------------------------ helpers */

static int set_handler(uint32_t h)
{
	struct capos_thread_control_set_fault_handler_in in = { .handler = h };

	return capos_thread_control_set_fault_handler(rc, ut_cap("thread"), &in);
}

static int map_at(uint64_t va, uint64_t pages)
{
	struct capos_virtual_memory_map_in in = { .vaddr = va, .pages = pages,
						  .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	struct capos_virtual_memory_map_out out = { 0 };

	return capos_virtual_memory_map(rc, ut_cap("vm"), &in, &out);
}

static __attribute__((noinline)) uint64_t deep(uint32_t n)
{
	volatile uint8_t frame[1000];

	frame[0] = (uint8_t)n;
	frame[sizeof frame - 1] = (uint8_t)(n >> 8);
	if (n == 0)
		return 0;
	return deep(n - 1) + frame[0] + frame[sizeof frame - 1];
}

static uint64_t deep_expected(uint32_t n)
{
	uint64_t sum = 0;

	for (uint32_t i = 1; i <= n; i++)
		sum += (uint8_t)i + (uint8_t)(i >> 8);
	return sum;
}

static int64_t deep_thread(void *arg)
{
	uint32_t n = (uint32_t)(uintptr_t)arg;

	return deep(n) == deep_expected(n) ? 0 : 1;
}

static void null_write(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0;

	__asm__ volatile("" : "+r"(p));
	*p = 1;
}

/* ------------------------------------------------- registrations */

static void test_registrations(void)
{
	uint32_t server = 0, client = 0, weak = 0, copy = 0, revoker = 0;
	struct capos_cap_space_derive_in din;
	struct capos_cap_space_derive_out dout = { 0 };

	ut_status("a timer is not a fault handler", set_handler(ut_cap("timer")), -CAPOS_ETYPE);
	ut_status("an unknown handle is refused", set_handler(0x7777), -CAPOS_EBADF);
	ut_status("endpoint created", capos_endpoint_create(DEMO_IFACE, &server, &client), 0);
	ut_status("the receive side is not a fault handler", set_handler(server), -CAPOS_ETYPE);
	ut_status("a client without TRANSFER minted", capos_endpoint_mint_client(server, DEMO_IFACE, 0, &weak), 0);
	ut_status("a client without TRANSFER is refused", set_handler(weak), -CAPOS_EPERM);
	din = (struct capos_cap_space_derive_in){ .cap = client, .rights = CAPOS_RIGHT_ALL };
	ut_status("a revocable copy of the client", capos_cap_space_derive(rc, ut_cap("capspace"), &din, &dout), 0);
	copy = dout.copy;
	revoker = dout.revoker;
	ut_status("the copy is a fault handler", set_handler(copy), 0);
	ut_status("handler removed", set_handler(CAPOS_CAP_NONE), 0);
	ut_status("copy revoked", capos_cap_revoke(revoker), 0);
	ut_status("a revoked copy is refused", set_handler(copy), -CAPOS_EREVOKED);
	ut_status("the client is a fault handler", set_handler(client), 0);
	ut_status("handler removed again", set_handler(CAPOS_CAP_NONE), 0);
	capos_release(rc, server);
	ut_status("a client whose server is gone is refused", set_handler(client), -CAPOS_EPEER);
	capos_release(rc, client);
	ut_status("a released handle is refused", set_handler(client), -CAPOS_EBADF);
	capos_release(rc, weak);
	capos_release(rc, copy);
	capos_release(rc, revoker);
}

/* A thread names a handler and ends: the kernel's reference goes with it (no clients left after ours). */
static uint32_t dead_thread_client;

static int64_t set_and_end(void *arg)
{
	(void)arg;
	return set_handler(dead_thread_client);
}

static void test_dead_thread(void)
{
	struct capos_endpoint_wait_no_clients_out out = { 1 };
	struct capos_thread *t;
	uint32_t server = 0;
	int64_t code = 99;

	ut_status("endpoint created", capos_endpoint_create(DEMO_IFACE, &server, &dead_thread_client), 0);
	ut_status("thread started", capos_thread_create(&t, set_and_end, NULL, 0), 0);
	ut_status("it set the handler and ended", capos_thread_join(t, &code) ? -1 : (int)code, 0);
	capos_release(rc, dead_thread_client);
	ut_status("no client left once the thread is gone", capos_endpoint_wait_no_clients(rc, server, &out), 0);
	capos_release(rc, server);
}

/* ------------------------------------------------------ the handler */

static uint64_t lazy_page;
static struct capos_fault_msg seen;
static uint32_t seen_count;

static int map_lazy_page(const struct capos_fault_msg *m, void *arg)
{
	(void)arg;
	if (m->vector != 14 || (m->addr & ~(uint64_t)(CAPOS_PAGE_SIZE - 1)) != lazy_page)
		return -CAPOS_EFAULT;
	seen = *m;
	seen_count++;
	return map_at(lazy_page, 1);
}

static int64_t touch_lazy(void *arg)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(lazy_page + 8);

	(void)arg;
	*p = 0x5a5a;
	return *p == 0x5a5a ? 0 : 1;
}

static void test_handler(void)
{
	struct capos_fault_stats before, after;
	struct capos_thread *t;
	int64_t code = 99;
	void *page;

	ut_status("the libOS fault handler starts", capos_fault_start(), 0);
	ut_status("and only once", capos_fault_start(), -CAPOS_EBUSY);
	capos_fault_stats(&before);
	ut_status("a thread with the default stack started", capos_thread_create(&t, deep_thread,
		  (void *)(uintptr_t)DEPTH_FRAMES, 0), 0);
	ut_status("it recursed 2 MiB deep and got the right sum", capos_thread_join(t, &code) ? -1 : (int)code, 0);
	capos_fault_stats(&after);
	ut_check(after.grown_pages - before.grown_pages >= 400, "its stack grew on demand",
		 "%llu pages grown", (unsigned long long)(after.grown_pages - before.grown_pages));
	ut_check(after.refused == before.refused, "nothing refused", "%llu", (unsigned long long)after.refused);

	page = capos_pages_alloc(1);
	ut_check(page != NULL, "a page to take away", "none");
	lazy_page = (uint64_t)(uintptr_t)page;
	capos_pages_free(page, 1);
	capos_fault_set_hook(map_lazy_page, NULL);
	ut_status("a thread touching a missing page started", capos_thread_create(&t, touch_lazy, NULL, 0), 0);
	ut_status("the hook mapped it and the thread went on", capos_thread_join(t, &code) ? -1 : (int)code, 0);
	ut_check(seen_count == 1 && seen.vector == 14 && seen.addr == lazy_page + 8 && (seen.error & 2) &&
		 seen.rip > CAPOS_USER_MIN && seen.rsp > CAPOS_USER_MIN, "the message named the fault",
		 "count %u vector %u addr %#llx error %#llx rip %#llx", seen_count, seen.vector,
		 (unsigned long long)seen.addr, (unsigned long long)seen.error, (unsigned long long)seen.rip);
	capos_fault_set_hook(NULL, NULL);
	capos_pages_free((void *)(uintptr_t)lazy_page, 1);
}

/* ------------------------------------------------------- children */

static int start_child(const char *mode, uint32_t *proc)
{
	uint32_t caps[4] = { ut_cap("console"), ut_cap("timer"), ut_cap("endpoints"), ut_cap("capspace") };

	return capos_spawn("utest-faulthandler", grants, mode, caps, 4, proc, NULL);
}

static void expect_child(const char *mode, uint32_t reason_want, int64_t code_want)
{
	int64_t code = 99;
	uint32_t reason = 99, proc = 0;
	int err = start_child(mode, &proc);
	char what[80];

	if (!err)
		err = capos_process_wait(proc, &code, &reason);
	if (proc)
		capos_release(rc, proc);
	capos_snprintf(what, sizeof what, "child '%s' ends with reason %u, code %lld", mode, reason_want,
		       (long long)code_want);
	ut_check(!err && reason == reason_want && code == code_want, what, "error %d, reason %u, code %lld", err,
		 reason, (long long)code);
}

/* The storm child runs while this process counts timer reads: both make progress. */
static void test_storm(void)
{
	uint32_t proc = 0, reason = 99;
	int64_t code = 99;
	uint64_t start = capos_time_ns(), spins = 0;
	int err = start_child("storm", &proc);

	while (!err && capos_time_ns() - start < 200 * UT_MS)
		spins++;
	if (!err)
		err = capos_process_wait(proc, &code, &reason);
	if (proc)
		capos_release(rc, proc);
	ut_check(!err && reason == CAPOS_EXIT_FAULT && code == -14, "a fault storm ends its process",
		 "error %d reason %u code %lld", err, reason, (long long)code);
	ut_check(spins > 1000, "this process ran meanwhile", "%llu spins", (unsigned long long)spins);
	ut_check(capos_time_ns() - start < 30000 * UT_MS, "the storm ended in bounded time", "%llu ms",
		 (unsigned long long)((capos_time_ns() - start) / UT_MS));
}

static void test_never(void)
{
	uint32_t proc = 0, reason = 99;
	int64_t code = 99;
	int err = start_child("never", &proc);

	if (!err)
		err = capos_sleep_ns(100 * UT_MS);
	if (!err)
		err = capos_process_handle_kill(rc, proc);
	if (!err)
		err = capos_process_wait(proc, &code, &reason);
	if (proc)
		capos_release(rc, proc);
	ut_check(!err && reason == CAPOS_EXIT_KILLED, "a thread waiting for an answer that never comes is killable",
		 "error %d reason %u code %lld", err, reason, (long long)code);
}

/* The lazy child again with one ring operation, which its handler's RECV holds: no room for the message. */
static void test_quota(void)
{
	uint32_t caps[4] = { ut_cap("console"), ut_cap("timer"), ut_cap("endpoints"), ut_cap("capspace") };
	struct capos_spawn_quota q = { .ring_ops = 1 };
	uint32_t proc = 0, reason = 99;
	int64_t code = 99;
	int err = capos_spawn_quota("utest-faulthandler", grants, "lazy", caps, 4, &q, &proc, NULL);

	if (!err)
		err = capos_process_wait(proc, &code, &reason);
	if (proc)
		capos_release(rc, proc);
	ut_check(!err && reason == CAPOS_EXIT_FAULT && code == -14,
		 "no ring operation left for the message: the process ends as with no handler",
		 "error %d reason %u code %lld", err, reason, (long long)code);
}

/* ----------------------------------------------------- child modes */

static int64_t recurse_forever(void *arg)
{
	(void)arg;
	return (int64_t)deep(0xffffffffu);
}

static int guard_mode(void)
{
	struct capos_thread *t;

	if (capos_fault_start() != 0 || capos_thread_create(&t, recurse_forever, NULL, 0) != 0)
		return 3;
	capos_thread_join(t, NULL);
	return 4;  /* it came back: the guard did not hold */
}

static int refused_mode(void)
{
	if (capos_fault_start() != 0)
		return 3;
	null_write();
	return 4;
}

static int fault_in_hook(const struct capos_fault_msg *m, void *arg)
{
	(void)m; (void)arg;
	null_write();
	return 0;
}

static int selffault_mode(void)
{
	if (capos_fault_start() != 0)
		return 3;
	capos_fault_set_hook(fault_in_hook, NULL);
	null_write();
	return 4;
}

static int resume_blindly(const struct capos_fault_msg *m, void *arg)
{
	(void)m; (void)arg;
	return 0;
}

static int storm_mode(void)
{
	if (capos_fault_start() != 0)
		return 3;
	capos_fault_set_hook(resume_blindly, NULL);
	null_write();
	return 4;
}

/* A hand-made handler: a thread that RECVs the fault and then does what how says. */
enum serve_how { SERVE_NEVER, SERVE_EXIT, SERVE_DROP, SERVE_REVOKE, SERVE_BYTES, SERVE_CLOSED };

static uint32_t own_server, own_revoker;

static int64_t odd_server(void *arg)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(sizeof(struct capos_fault_msg))];
	struct capos_ipc_request req;
	enum serve_how how = (enum serve_how)(uintptr_t)arg;

	if (capos_ipc_recv(own_server, buf, sizeof buf, &req) != 0 || req.iface != CAPOS_IFACE_FAULT)
		capos_process_exit(5);
	switch (how) {
	case SERVE_NEVER:
		for (;;)
			capos_sleep_ns(1000 * UT_MS);
	case SERVE_EXIT:
		capos_process_exit(7);
	case SERVE_DROP:
		capos_release(rc, (uint32_t)req.token);
		break;
	case SERVE_REVOKE:
		capos_cap_revoke(own_revoker);
		break;
	case SERVE_BYTES:
		capos_ipc_return(req.token, "ok", 2, NULL, 0);  /* the kernel's call takes no bytes */
		break;
	case SERVE_CLOSED:
		break;
	}
	for (;;)
		capos_sleep_ns(1000 * UT_MS);
}

static int odd_mode(enum serve_how how)
{
	uint32_t client = 0, handler;
	struct capos_thread *t;

	if (capos_endpoint_create(DEMO_IFACE, &own_server, &client) != 0)
		return 3;
	handler = client;
	if (how == SERVE_REVOKE) {
		struct capos_cap_space_derive_in in = { .cap = client, .rights = CAPOS_RIGHT_ALL };
		struct capos_cap_space_derive_out out = { 0 };

		if (capos_cap_space_derive(rc, ut_cap("capspace"), &in, &out) != 0)
			return 3;
		handler = out.copy;
		own_revoker = out.revoker;
	}
	if (how == SERVE_CLOSED) {
		if (set_handler(handler) != 0)
			return 3;
		capos_release(rc, own_server);  /* registered, then no server: the fault finds the endpoint closed */
		null_write();
		return 4;
	}
	if (capos_thread_create(&t, odd_server, (void *)(uintptr_t)how, 0) != 0 || set_handler(handler) != 0)
		return 3;
	null_write();
	return 4;
}

/*
 * A missing page the hook maps: the thread goes on (exit 0) — unless the
 * process has no ring operation left for the fault message (spawned with
 * one, which the handler's RECV holds): then it ends as with no handler.
 */
static int lazy_mode(void)
{
	void *page = capos_pages_alloc(1);
	uint64_t start = capos_time_ns();

	if (!page || capos_fault_start() != 0)
		return 3;
	lazy_page = (uint64_t)(uintptr_t)page;
	capos_pages_free(page, 1);
	capos_fault_set_hook(map_lazy_page, NULL);
	while (capos_time_ns() - start < 50 * UT_MS)
		;  /* let the handler reach its RECV (a sleep would take the ring operation) */
	return touch_lazy(NULL) == 0 && seen_count == 1 ? 0 : 5;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		enum serve_how how;
	} odd[] = { { "never", SERVE_NEVER }, { "exit", SERVE_EXIT }, { "dropped", SERVE_DROP },
		    { "revoked", SERVE_REVOKE }, { "bytes", SERVE_BYTES }, { "closed", SERVE_CLOSED } };

	ut_init("utest-faulthandler");
	if (argc > 1) {
		if (!strcmp(argv[1], "guard"))
			return guard_mode();
		if (!strcmp(argv[1], "refused"))
			return refused_mode();
		if (!strcmp(argv[1], "selffault"))
			return selffault_mode();
		if (!strcmp(argv[1], "storm"))
			return storm_mode();
		if (!strcmp(argv[1], "lazy"))
			return lazy_mode();
		for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
			if (!strcmp(argv[1], odd[i].name))
				return odd_mode(odd[i].how);
		return 2;
	}
	test_registrations();
	test_dead_thread();
	test_handler();
	expect_child("guard", CAPOS_EXIT_FAULT, -14);
	expect_child("refused", CAPOS_EXIT_FAULT, -14);
	expect_child("selffault", CAPOS_EXIT_FAULT, -14);
	test_storm();
	test_never();
	expect_child("exit", CAPOS_EXIT_NORMAL, 7);
	expect_child("dropped", CAPOS_EXIT_FAULT, -14);
	expect_child("revoked", CAPOS_EXIT_FAULT, -14);
	expect_child("bytes", CAPOS_EXIT_FAULT, -14);
	expect_child("closed", CAPOS_EXIT_FAULT, -14);
	expect_child("lazy", CAPOS_EXIT_NORMAL, 0);
	test_quota();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
