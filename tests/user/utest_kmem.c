/*
 * utest-kmem: every byte of kernel memory a process causes is paid for by
 * a quota of that process, so processes with small quotas cannot take the
 * machine from a bystander (docs/resources.md).  Runs as init, in a small
 * machine, under leakcheck.
 *
 * It starts ATTACKERS children ("attacker <n>"), each with 2048 frames and
 * 512 KiB of kernel memory but capability, thread and ring-operation
 * quotas far larger than that memory could back, so only the frame and
 * kernel-memory quotas can stop them.  All at once, each pushes at every
 * path into kernel memory, starting with path n (so each path is the first
 * one exhausted by somebody) and then the others, each until the kernel
 * refuses it:
 *   calls      CALLs with 64 KiB of parameters queued from CALL_THREADS
 *              threads on an endpoint nobody receives from (without the
 *              charge these alone would hold more than the machine has);
 *   copies     revocable copies of null, each with its Revoker;
 *   endpoints  endpoints, each a server and a client capability;
 *   threads    threads that stay asleep (structure, FPU area, kernel stack, ring);
 *   regions    one-page mappings, each its own region (the region array);
 *   memory     64-page memory objects.
 * Every refusal must be -CAPOS_EQUOTA — a quota of the attacker — never
 * -CAPOS_ENOMEM (the machine running out).  Holding all of it, each
 * attacker reports its failures in a CALL to init that init never answers.
 * Then a bystander ("bystander"), with quotas of its own that the machine
 * can back only if the attackers were held to theirs, allocates memory
 * objects and revocable copies until refused: both refusals must be
 * -CAPOS_EQUOTA with ProcessHandle.info on "self" showing the quota used up (frames within
 * one allocation, kernel memory within one copy).  Init then kills the
 * attackers; under leakcheck every frame and heap block comes back.
 */
#include <stdbool.h>
#include <string.h>
#include <capos/session.h>
#include "utest_ipc.h"
#include "utest_census.h"

#define rc capos_ring()

#define ATTACKERS 6
#define PATHS 6
#define CALL_THREADS 8
#define KMEM_IFACE 0x1302u
#define REPORT_IFACE 0x1303u
#define ATTACKER_FRAMES 2048
#define ATTACKER_KMEM_KIB 512
#define BYSTANDER_FRAMES 32768        /* 128 MiB of a 256 MiB machine */
#define BYSTANDER_KMEM_KIB 4096
#define CHUNK_PAGES 64
#define BYSTANDER_CHUNK 512
#define COPY_SLACK 512                /* bytes: more than one copy and its Revoker take */
#define LIMIT 100000                  /* no path may go on this long */
#define RESERVE 16                    /* copies held back so the report's CALL finds kernel memory */
#define CHILD_BOUND "thread=@thread threads=@threads vm=@vm park=@park self=@self"
#define NO_SUCH_OP 0x6b6d656d00000000ull

static const char *const path_names[PATHS] = { "calls", "copies", "endpoints", "threads", "regions", "memory" };

static int release(uint32_t cap)
{
	return capos_release(rc, cap);
}

/* ------------------------------------------------------------ attacker */

static uint32_t null_cap, ep_client;
static uint8_t params[CAPOS_MSG_MAX];
static int call_counts[CALL_THREADS], call_errs[CALL_THREADS];
static volatile int calls_done;

/*
 * Block until killed without asking the kernel for anything: waiting on
 * the ring for a completion that never comes needs no operation (a sleep
 * would, and the kernel memory for it may be gone).
 */
__attribute__((noreturn)) static void hold_forever(void)
{
	struct capos_completion c;

	for (;;)
		capos_ring_wait(capos_ring(), NO_SUCH_OP, UINT64_MAX, &c);
}

/* Queue CALLs on ep_client until one is refused; then stay (its CALLs stay queued). */
static int64_t queue_calls(void *arg)
{
	int i = (int)(uintptr_t)arg, n = 0, err = 0;

	while (n < LIMIT) {
		struct capos_completion c;
		uint64_t ud;

		err = ipc_call_async(ep_client, KMEM_IFACE, 1, params, sizeof params, NULL, 0, NULL, 0, &ud);
		if (!err) {
			err = ipc_wait_op(ud, 0, &c);
			if (err == -CAPOS_ETIMEDOUT)
				err = 0;  /* queued */
		}
		if (err)
			break;
		n++;
	}
	call_counts[i] = n;
	call_errs[i] = err;
	__atomic_fetch_add(&calls_done, 1, __ATOMIC_RELEASE);
	hold_forever();
}

static int64_t stay(void *arg)
{
	(void)arg;
	hold_forever();
}

static int path_calls(int *count)
{
	struct capos_endpoint_factory_create_in in = { .iface = KMEM_IFACE };
	struct capos_endpoint_factory_create_out out;
	int err = capos_endpoint_factory_create(rc, ut_cap("endpoints"), &in, &out);

	if (err)
		return err;  /* kernel memory already gone (another path came first) */
	ep_client = out.client;
	for (int i = 0; i < CALL_THREADS; i++) {
		struct capos_thread *t;

		err = capos_thread_create(&t, queue_calls, (void *)(uintptr_t)i, 0);
		if (err) {
			call_errs[i] = err;
			__atomic_fetch_add(&calls_done, 1, __ATOMIC_RELEASE);
		}
	}
	while (__atomic_load_n(&calls_done, __ATOMIC_ACQUIRE) < CALL_THREADS)
		capos_sleep_ns(IPC_S / 100);  /* refused once kernel memory is gone: then this spins, briefly */
	for (int i = 0; i < CALL_THREADS; i++) {
		*count += call_counts[i];
		if (call_errs[i] != -CAPOS_EQUOTA)
			err = call_errs[i];  /* any other refusal is the one reported */
	}
	return err ? err : -CAPOS_EQUOTA;
}

static int path_copies(int *count)
{
	uint32_t copy, revoker;
	int err;

	while ((err = capos_cap_derive(null_cap, CAPOS_RIGHT_ALL, &copy, &revoker)) == 0 && *count < LIMIT)
		(*count)++;
	return err;
}

static int path_endpoints(int *count)
{
	struct capos_endpoint_factory_create_in in = { .iface = KMEM_IFACE };
	struct capos_endpoint_factory_create_out out;
	int err;

	while ((err = capos_endpoint_factory_create(rc, ut_cap("endpoints"), &in, &out)) == 0 && *count < LIMIT)
		(*count)++;
	return err;
}

static int path_threads(int *count)
{
	struct capos_thread *t;
	int err;

	while ((err = capos_thread_create(&t, stay, NULL, 4096)) == 0 && *count < LIMIT)
		(*count)++;
	return err;
}

static int path_regions(int *count)
{
	struct capos_virtual_memory_map_in in = { .vaddr = 0, .pages = 1, .prot = CAPOS_PROT_READ };
	struct capos_virtual_memory_map_out out;
	int err;

	while ((err = capos_virtual_memory_map(rc, ut_cap("vm"), &in, &out)) == 0 && *count < LIMIT)
		(*count)++;
	return err;
}

static int path_memory(int *count)
{
	struct capos_frame_allocator_alloc_in in = { .pages = CHUNK_PAGES };
	struct capos_frame_allocator_alloc_out out;
	int err;

	while ((err = capos_frame_allocator_alloc(rc, ut_cap("frames"), &in, &out)) == 0 && *count < LIMIT)
		(*count)++;
	return err;
}

static int (*const paths[PATHS])(int *count) = {
	path_calls, path_copies, path_endpoints, path_threads, path_regions, path_memory,
};

static int attacker(int n)
{
	uint32_t reserve[2 * RESERVE];
	struct capos_completion c;
	int32_t failures;
	uint64_t ud;

	int err = 0;

	null_cap = ut_cap("null");
	for (int i = 0; i < RESERVE && !err; i++)
		err = capos_cap_derive(null_cap, CAPOS_RIGHT_ALL, &reserve[2 * i], &reserve[2 * i + 1]);
	ut_check(err == 0, "hold a reserve of copies for the report", "%d %s", err, capos_strerror(err));
	for (int k = 0; k < PATHS; k++) {
		int p = (n + k) % PATHS, count = 0, err = paths[p](&count);

		ut_check(err == -CAPOS_EQUOTA, path_names[p], "attacker %d: %d made, then %d %s (want -CAPOS_EQUOTA)", n,
			 count, err, capos_strerror(err));
		if (k == 0)
			ut_note("attacker %d exhausted '%s' first: %d made, then -CAPOS_EQUOTA", n, path_names[p], count);
	}
	for (int i = 0; i < 2 * RESERVE; i++)
		release(reserve[i]);
	failures = ut_failures();
	/* Report, holding everything else; init never answers, so the CALL waits until the kill. */
	ut_status("report to init", ipc_call_async(ut_cap("report"), REPORT_IFACE, 0, &failures, sizeof failures,
						   NULL, 0, NULL, 0, &ud), 0);
	ipc_wait_op(ud, UINT64_MAX, &c);
	hold_forever();
}

/* ----------------------------------------------------------- bystander */

static int bystander(void)
{
	struct capos_frame_allocator_alloc_in in = { .pages = BYSTANDER_CHUNK };
	struct capos_frame_allocator_alloc_out out;
	struct capos_process_handle_info_out me = { 0 };
	uint32_t copy, revoker;
	int err, chunks = 0, copies = 0;

	while ((err = capos_frame_allocator_alloc(rc, ut_cap("frames"), &in, &out)) == 0)
		chunks++;
	ut_check(census_find_self(&me), "ProcessHandle.info describes the bystander", "no answer");
	ut_check(err == -CAPOS_EQUOTA && me.frames + BYSTANDER_CHUNK > BYSTANDER_FRAMES,
		 "the bystander gets every frame of its quota", "%d chunks, then %d %s; %llu of %u frames", chunks, err,
		 capos_strerror(err), (unsigned long long)me.frames, BYSTANDER_FRAMES);
	while ((err = capos_cap_derive(ut_cap("null"), CAPOS_RIGHT_ALL, &copy, &revoker)) == 0)
		copies++;
	ut_check(census_find_self(&me), "ProcessHandle.info describes the bystander", "no answer");
	ut_check(err == -CAPOS_EQUOTA && me.kmem + COPY_SLACK > BYSTANDER_KMEM_KIB * 1024ull,
		 "the bystander gets every byte of its kernel-memory quota", "%d copies, then %d %s; %llu of %u bytes",
		 copies, err, capos_strerror(err), (unsigned long long)me.kmem, BYSTANDER_KMEM_KIB * 1024);
	ut_note("bystander: %llu frames and %llu bytes of kernel memory, all its quotas allow",
		(unsigned long long)me.frames, (unsigned long long)me.kmem);
	return ut_failures();
}

/* ---------------------------------------------------------------- init */

static uint32_t spawn(const char *args, const struct capos_spawn_quota *q, uint32_t report)
{
	uint32_t caps[7] = { ut_cap("console"), ut_cap("timer"), ut_cap("null"), ut_cap("endpoints"), ut_cap("frames"),
			     ut_cap("capspace"), report };
	uint32_t proc = 0;
	int err = capos_spawn_quota("utest-kmem",
				    report ? "console timer null endpoints frames capspace report " CHILD_BOUND
					   : "console timer null endpoints frames capspace " CHILD_BOUND,
				    args, caps, report ? 7 : 6, q, &proc, NULL);

	ut_check(err == 0, "spawn", "%s: %d %s", args, err, capos_strerror(err));
	return proc;
}

static int top(void)
{
	static char buf[CAPOS_IPC_RECV_BUF(16)];
	const struct capos_spawn_quota aq = { ATTACKER_FRAMES, 8192, 64, 4096, ATTACKER_KMEM_KIB };
	const struct capos_spawn_quota bq = { BYSTANDER_FRAMES, 65535, 4, 64, BYSTANDER_KMEM_KIB };
	uint32_t srv = 0, cli = 0, procs[ATTACKERS], by;
	int64_t code = 0;
	uint32_t reason = 0;
	int err;
	char args[32];

	ipc_endpoint(REPORT_IFACE, &srv, &cli);
	for (int i = 0; i < ATTACKERS; i++) {
		capos_snprintf(args, sizeof args, "attacker %d", i);
		procs[i] = spawn(args, &aq, cli);
	}
	for (int i = 0; i < ATTACKERS; i++) {
		const struct capos_ipc_msg *m = (const struct capos_ipc_msg *)buf;
		struct capos_completion c;
		int32_t failures = -1;
		uint64_t ud;
		err = ipc_recv_async(srv, buf, sizeof buf, &ud);

		if (!err)
			err = ipc_wait_op(ud, 600 * IPC_S, &c);
		if (err < 0) {
			ut_check(0, "an attacker reports", "%d %s", err, capos_strerror(err));
			break;
		}
		if (m->params_len == sizeof failures)
			memcpy(&failures, m->params, sizeof failures);
		ut_check(failures == 0, "an attacker was refused on every path with -CAPOS_EQUOTA only",
			 "%d failures", failures);
	}
	ut_note("%d attackers hold everything their quotas allow", ATTACKERS);
	by = spawn("bystander", &bq, 0);
	err = by ? ipc_wait(by, &code, &reason) : -CAPOS_ENOENT;
	ut_check(err == 0 && reason == CAPOS_EXIT_NORMAL && code == 0,
		 "a bystander gets all its quotas allow while the attackers hold theirs", "%d: exit %lld reason %u",
		 err, (long long)code, reason);
	for (int i = 0; i < ATTACKERS; i++) {
		ut_status("kill an attacker", capos_process_handle_kill(rc, procs[i]), 0);
		ut_check(ipc_wait(procs[i], &code, &reason) == 0 && reason == CAPOS_EXIT_KILLED, "the attacker ended",
			 "reason %u", reason);
	}
	release(cli);
	release(srv);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "attacker") == 0) {
		ut_init("utest-kmem attacker");
		return attacker(argv[2][0] - '0');
	}
	if (argc >= 2 && strcmp(argv[1], "bystander") == 0) {
		ut_init("utest-kmem bystander");
		return bystander();
	}
	ut_init("utest-kmem");
	return top();
}
