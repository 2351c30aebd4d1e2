/*
 * utest-graph: large object graphs end in bounded kernel stack, and every
 * quota comes back (issue 13; the invariant is in exo/cap/kobj.h).  Runs
 * as init.  For each way a graph can end — release, revoke, exit, kill,
 * fault — it starts this program as a child ("child <ending> <chains>
 * <msgs>") with a large capability quota; the child builds
 *   - a forest of <chains> chains of revocable copies of null, each
 *     KOBJ_FORWARD_DEPTH (8) deep, the intermediates released so only the
 *     tip and the head's Revoker have handles (9 kernel objects a chain);
 *   - an endpoint with <msgs> CALLs queued on its own client capability,
 *     nobody receiving, each moving 14 chain tips and copying the client
 *     capability and the Endpoint itself (cycles: a client capability in
 *     a call queued on its own endpoint, an Endpoint inside its own queue);
 *   - the sequences of the original report: derive from the copy, release
 *     the intermediates, repeat 300 times (derive stops at depth 8); and
 *     the same deriving from each new Revoker (no chain forms);
 * then ends it.  "release" and "revoke" end the graph in the child, which
 * then checks its own census (capability slots, threads, frames and kernel memory from
 * ProcessHandle.info on "self", ring-operation headroom by probing) is back where it was
 * before building; "exit", "fault" and "kill" end it with the process.
 * The kernel must survive each and init checks the exit reason; under
 * leakcheck every frame and heap object comes back.
 *
 * Also (issue 13): a thread that ends with operations pending gives their
 * ring-operation quota back ("child ringops": 40 threads, each ending with
 * 4 RECVs pending, in a process whose quota is 8); and a capability slot
 * reused past the old 16-bit generation wrap point never gives or
 * resolves an old handle again ("child generations").
 */
#include <stdbool.h>
#include <string.h>
#include <capos/session.h>
#include "utest_ipc.h"
#include "utest_census.h"

#define rc capos_ring()

#define GRAPH_IFACE 0x1301u
#define DEPTH 8
#define CHAINS_MAX 12000
#define MSGS_MAX 300
#define TIPS_PER_MSG 14
#define CHILD_RING_OPS 400

static uint32_t tips[CHAINS_MAX], heads[CHAINS_MAX];
static uint64_t msg_ud[MSGS_MAX];
static char msg_out[MSGS_MAX][8];

static int release(uint32_t cap)
{
	return capos_release(rc, cap);
}

/* ------------------------------------------------------------ building */

/* One chain of DEPTH copies of base: *tip and the head's Revoker, or a negative code. */
static int chain(uint32_t base, uint32_t *tip, uint32_t *head)
{
	uint32_t prev, copy, rev;
	int err = capos_cap_derive(base, CAPOS_RIGHT_ALL, &prev, head);

	for (int d = 2; !err && d <= DEPTH; d++) {
		err = capos_cap_derive(prev, CAPOS_RIGHT_ALL, &copy, &rev);
		if (!err) {
			release(rev);
			release(prev);  /* the new copy holds it */
			prev = copy;
		}
	}
	*tip = prev;
	return err;
}

/* The report's sequence: derive from the copy, release the intermediates, 300 times. */
static void report_sequence(uint32_t base)
{
	uint32_t cur = 0, copy, rev;
	int err = 0, made = 0;

	err = capos_cap_derive(base, CAPOS_RIGHT_ALL, &cur, &rev);
	release(rev);
	for (int i = 0; i < 300 && !err; i++) {
		err = capos_cap_derive(cur, CAPOS_RIGHT_ALL, &copy, &rev);
		if (err)
			break;
		made++;
		release(rev);
		release(cur);
		cur = copy;
	}
	ut_check(err == -CAPOS_ERANGE && made == DEPTH - 1, "derive from the copy 300 times: refused past depth 8",
		 "%d derived, then %d %s", made, err, capos_strerror(err));
	release(cur);
	/* The variant through Revokers: each copy holds the previous Revoker, which holds nothing. */
	err = capos_cap_derive(base, CAPOS_RIGHT_ALL, &cur, &rev);
	for (made = 0; made < 300 && !err; made++) {
		uint32_t next_rev;

		err = capos_cap_derive(rev, CAPOS_RIGHT_ALL, &copy, &next_rev);
		if (err)
			break;
		release(rev);
		release(cur);
		cur = copy;
		rev = next_rev;
	}
	ut_check(err == 0 && made == 300, "derive from the Revoker 300 times, releasing the intermediates",
		 "%d derived, then %d %s", made, err, capos_strerror(err));
	release(rev);
	release(cur);
}

static uint32_t build_forest(uint32_t base, uint32_t chains)
{
	uint32_t made = 0;

	while (made < chains && chain(base, &tips[made], &heads[made]) == 0)
		made++;
	ut_check(made == chains, "build the forest of chains", "%u of %u chains", made, chains);
	return made;
}

/* Queue msgs calls on the endpoint's own client, each moving TIPS_PER_MSG tips (from the end). */
static uint32_t queue_messages(uint32_t srv, uint32_t cli, uint32_t msgs, uint32_t chains)
{
	uint32_t sent = 0;

	while (sent < msgs && (sent + 1) * TIPS_PER_MSG <= chains) {
		struct capos_xfer x[CAPOS_XFER_MAX];
		uint32_t first = chains - (sent + 1) * TIPS_PER_MSG;
		int err;

		for (uint32_t i = 0; i < TIPS_PER_MSG; i++)
			x[i] = (struct capos_xfer){ tips[first + i], CAPOS_XFER_MOVE };
		x[TIPS_PER_MSG] = (struct capos_xfer){ cli, CAPOS_XFER_COPY };
		x[TIPS_PER_MSG + 1] = (struct capos_xfer){ srv, CAPOS_XFER_COPY };
		err = ipc_call_async(cli, GRAPH_IFACE, 0, NULL, 0, x, TIPS_PER_MSG + 2, msg_out[sent],
				     sizeof msg_out[sent], &msg_ud[sent]);
		if (err)
			break;
		sent++;
	}
	ut_check(sent == msgs, "queue calls carrying the chains and the endpoint's own capabilities",
		 "%u of %u", sent, msgs);
	return sent;
}

/* ------------------------------------------------------------ the child */

static int child_graph(const char *ending, uint32_t chains, uint32_t msgs)
{
	uint32_t base = ut_cap("null"), srv = 0, cli = 0, made, sent;
	uint64_t t0 = capos_time_ns();
	struct census before;
	struct capos_completion c;

	census_take(&before, CHILD_RING_OPS);
	report_sequence(base);
	made = build_forest(base, chains);
	ipc_endpoint(GRAPH_IFACE, &srv, &cli);
	sent = queue_messages(srv, cli, msgs, made);
	ut_note("%s: %u chains (%u copies, %u revokers), %u queued calls carrying %u of them; built in %llu ms",
		ending, made, made * DEPTH, made, sent, sent * TIPS_PER_MSG,
		(unsigned long long)((capos_time_ns() - t0) / UT_MS));
	if (strcmp(ending, "fault") == 0) {
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0;

		__asm__ volatile("" : "+r"(p));  /* a page fault the compiler cannot see coming */
		*p = 1;
	}
	if (strcmp(ending, "exit") == 0)
		return 0;
	if (strcmp(ending, "kill") == 0) {
		uint64_t ud;

		ipc_call_async(ut_cap("ready"), GRAPH_IFACE, 0, NULL, 0, NULL, 0, NULL, 0, &ud);
		for (;;)
			capos_sleep_ns(1000 * IPC_S);
	}
	t0 = capos_time_ns();
	if (strcmp(ending, "revoke") == 0) {
		uint32_t revoked = 0;

		for (uint32_t i = 0; i < made; i++)
			revoked += capos_revoker_revoke(rc, heads[i]) == 0;
		ut_check(revoked == made, "Revoker.revoke of every chain's head", "%u of %u", revoked, made);
		ut_status("the tip of a revoked chain: -CAPOS_EREVOKED", capos_null_nop(rc, tips[0]), -CAPOS_EREVOKED);
	}
	/* Release: the endpoint's handles go first; the queued calls keep the cycle until cancelled. */
	release(cli);
	release(srv);
	for (uint32_t i = 0; i < sent; i++)
		capos_cancel(rc, msg_ud[i]);
	for (uint32_t i = 0; i < sent; i++)
		ipc_wait_op(msg_ud[i], 5 * IPC_S, &c);
	for (uint32_t i = 0; i < made; i++) {
		release(tips[i]);  /* moves given back by the cancelled calls are here again */
		release(heads[i]);
	}
	ut_note("%s: ended in %llu ms", ending, (unsigned long long)((capos_time_ns() - t0) / UT_MS));
	census_same("every capability slot, thread, frame, ring operation and byte of kernel memory is back", &before,
		    CHILD_RING_OPS);
	return ut_failures();
}

/* ---- a thread that ends with operations pending ---- */

static uint32_t pend_srv;

static int64_t pend_and_end(void *arg)
{
	static char buf[4][CAPOS_IPC_RECV_BUF(16)];
	struct capos_completion c;
	int *refused = arg;

	for (int i = 0; i < 4; i++) {
		uint64_t ud;

		if (ipc_recv_async(pend_srv, buf[i], sizeof buf[i], &ud) != 0 ||
		    ipc_wait_op(ud, 0, &c) != -CAPOS_ETIMEDOUT)
			(*refused)++;
	}
	return 0;  /* ends with 4 RECVs pending */
}

static int child_ringops(void)
{
	uint32_t cli = 0;
	int refused = 0;

	ipc_endpoint(GRAPH_IFACE, &pend_srv, &cli);
	for (int i = 0; i < 40; i++) {
		struct capos_thread *t;

		if (capos_thread_create(&t, pend_and_end, &refused, 0) != 0 ||
		    capos_thread_join(t, NULL) != 0) {
			ut_check(0, "a thread posts 4 RECVs and ends", "thread %d not run", i);
			break;
		}
	}
	ut_check(refused == 0, "40 threads each end with 4 RECVs pending under a quota of 8: none refused",
		 "%d RECVs refused with the quota gone", refused);
	return ut_failures();
}

/* ---- one slot reused past the old 16-bit wrap point ---- */

static int inspect(uint32_t cap)
{
	struct capos_cap_space_inspect_in in = { .cap = cap };
	struct capos_cap_space_inspect_out out;

	return capos_cap_space_inspect(rc, ut_cap("capspace"), &in, &out);
}

/*
 * Mint and release a client capability 70,000 times: LIFO reuse puts
 * each in the same slot until its generations are used up.  The first
 * handle must never come back, nor resolve, and the slot must retire.
 */
static int child_generations(void)
{
	uint32_t srv = 0, cli = 0, first = 0, last_index = 0, slots = 0, again = 0, resolved = 0, i;

	ipc_endpoint(GRAPH_IFACE, &srv, &cli);
	for (i = 0; i < 70000; i++) {
		uint32_t h = 0;

		if (ipc_mint(srv, GRAPH_IFACE, CAPOS_RIGHT_ALL, &h) != 0)
			break;
		if (!first)
			first = h;
		else if (h == first)
			again++;
		if (capos_cap_index(h) != last_index) {
			slots++;
			last_index = capos_cap_index(h);
		}
		release(h);
		if (i % 512 == 0 && inspect(first) != -CAPOS_EBADF)
			resolved++;
	}
	ut_check(i == 70000, "70000 handles minted and released", "stopped at %u", i);
	ut_check(again == 0 && resolved == 0 && inspect(first) == -CAPOS_EBADF,
		 "a slot reused 70000 times never gives the first handle again, nor resolves it",
		 "given again %u times, resolved %u times", again, resolved);
	ut_check(slots == 2, "the slot retired after 65535 handles and the next slot took over", "%u slots used",
		 slots);
	return ut_failures();
}

/* ------------------------------------------------------------ init */

static uint32_t spawn_child(const char *args, uint32_t ready, uint32_t ring_ops)
{
	uint32_t caps[6] = { ut_cap("console"), ut_cap("timer"), ut_cap("null"), ut_cap("capspace"),
			     ut_cap("endpoints"), ready };
	struct capos_spawn_quota q = { .caps = 65535, .ring_ops = ring_ops, .kmem_kib = 65536 };
	uint32_t proc = 0;
	int err = capos_spawn_quota("utest-graph",
				    "console timer null capspace endpoints ready "
				    "thread=@thread threads=@threads vm=@vm park=@park self=@self",
				    args, caps, 6, &q, &proc, NULL);

	ut_status("spawn the child", err, 0);
	return err ? 0 : proc;
}

static void run_case(const char *ending, uint32_t chains, uint32_t msgs)
{
	uint32_t srv = 0, cli = 0, proc, reason = 0, want_reason = CAPOS_EXIT_NORMAL;
	char args[64], what[96];
	int64_t code = -1;
	uint64_t t0 = capos_time_ns();

	ipc_endpoint(GRAPH_IFACE, &srv, &cli);
	capos_snprintf(args, sizeof args, "child %s %u %u", ending, chains, msgs);
	proc = spawn_child(args, cli, CHILD_RING_OPS);
	if (proc && strcmp(ending, "kill") == 0) {
		struct capos_endpoint_info_out info = { 0 };

		for (int i = 0; i < 6000 && info.queued == 0; i++) {
			capos_sleep_ns(10 * UT_MS);
			ipc_info(srv, &info);
		}
		ut_check(info.queued == 1, "the child built its graph and waits", "not ready");
		ut_status("ProcessHandle.kill", capos_process_handle_kill(rc, proc), 0);
		want_reason = CAPOS_EXIT_KILLED;
	}
	if (strcmp(ending, "fault") == 0)
		want_reason = CAPOS_EXIT_FAULT;
	if (proc)
		ut_status("wait for the child", ipc_wait(proc, &code, &reason), 0);
	capos_snprintf(what, sizeof what, "a graph of %u objects ended by %s: the child ended as expected",
		       chains * (DEPTH + 1) + 3, ending);
	ut_check(reason == want_reason && (want_reason != CAPOS_EXIT_NORMAL || code == 0), what,
		 "reason %u code %lld", reason, (long long)code);
	ut_note("%s: %llu ms in all", ending, (unsigned long long)((capos_time_ns() - t0) / UT_MS));
	release(cli);
	release(srv);
}

static uint32_t arg_u32(char **argv, int i, int argc)
{
	uint32_t v = 0;

	for (const char *p = i < argc ? argv[i] : "0"; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint32_t)(*p - '0');
	return v;
}

int main(int argc, char **argv)
{
	static const char *const endings[] = { "release", "revoke", "exit", "kill", "fault" };
	uint32_t chains = CHAINS_MAX, msgs = MSGS_MAX;

	if (argc >= 2 && strcmp(argv[1], "child") == 0) {
		ut_init("utest-graph child");
		if (argc >= 3 && strcmp(argv[2], "ringops") == 0)
			return child_ringops();
		if (argc >= 3 && strcmp(argv[2], "generations") == 0)
			return child_generations();
		return child_graph(argc >= 3 ? argv[2] : "exit", arg_u32(argv, 3, argc), arg_u32(argv, 4, argc));
	}
	ut_init("utest-graph");
	if (argc >= 2)
		chains = arg_u32(argv, 1, argc);
	if (chains > CHAINS_MAX)
		chains = CHAINS_MAX;
	if (chains < MSGS_MAX * TIPS_PER_MSG)
		msgs = chains / TIPS_PER_MSG;
	for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++)
		run_case(endings[i], chains, msgs);
	{
		uint32_t srv = 0, cli = 0, proc, reason = 0;
		int64_t code = -1;

		ipc_endpoint(GRAPH_IFACE, &srv, &cli);
		proc = spawn_child("child ringops", cli, 8);
		if (proc)
			ipc_wait(proc, &code, &reason);
		release(cli);
		release(srv);
		ut_check(reason == CAPOS_EXIT_NORMAL && code == 0, "ring operations pending at thread end come back",
			 "reason %u code %lld", reason, (long long)code);
	}
	{
		uint32_t srv = 0, cli = 0, proc, reason = 0;
		int64_t code = -1;

		ipc_endpoint(GRAPH_IFACE, &srv, &cli);
		proc = spawn_child("child generations", cli, 8);
		if (proc)
			ipc_wait(proc, &code, &reason);
		release(cli);
		release(srv);
		ut_check(reason == CAPOS_EXIT_NORMAL && code == 0, "a stale handle never names another object",
			 "reason %u code %lld", reason, (long long)code);
	}
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
