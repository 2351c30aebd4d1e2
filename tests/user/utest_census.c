/*
 * The census of a test process's own quotas (utest_census.h).
 */
#include <string.h>
#include "utest_census.h"
#include "utest_ipc.h"

#define CENSUS_IFACE 0x13ffu
#define PROBE_MAX 4096u

static uint64_t probe_ud[PROBE_MAX];

/* Ring operations this thread can still have pending: post RECVs until one is refused. */
static uint32_t ring_headroom(uint32_t max)
{
	static char buf[CAPOS_IPC_RECV_BUF(16)];
	struct capos_completion c;
	uint32_t srv = 0, cli = 0, n = 0;

	if (max > PROBE_MAX)
		max = PROBE_MAX;
	ipc_endpoint(CENSUS_IFACE, &srv, &cli);
	while (n < max) {
		if (ipc_recv_async(srv, buf, sizeof buf, &probe_ud[n]) != 0)
			break;
		if (ipc_wait_op(probe_ud[n], 0, &c) != -CAPOS_ETIMEDOUT)
			break;  /* refused (EQUOTA): that one is complete already */
		n++;
	}
	capos_release(capos_ring(), cli);
	capos_release(capos_ring(), srv);  /* the receive side goes: every waiting RECV ends */
	for (uint32_t i = 0; i < n; i++)
		ipc_wait_op(probe_ud[i], 5 * IPC_S, &c);
	return n;
}

bool census_find_self(struct capos_process_handle_info_out *me)
{
	return capos_process_handle_info(capos_ring(), ut_cap("self"), me) == 0 && me->pid == capos_bootstrap()->pid;
}

void census_take(struct census *c, uint32_t max_ring_ops)
{
	struct capos_process_handle_info_out me = { 0 };

	c->ring_ops = ring_headroom(max_ring_ops);
	ut_check(census_find_self(&me), "ProcessHandle.info on \"self\" describes this process", "no answer");
	c->caps = me.caps;
	c->threads = me.threads;
	c->frames = me.frames;
	c->kmem = me.kmem;
}

void census_same(const char *what, const struct census *b, uint32_t max_ring_ops)
{
	struct census a;

	census_take(&a, max_ring_ops);
	ut_check(a.caps == b->caps && a.threads == b->threads && a.frames == b->frames && a.ring_ops == b->ring_ops &&
		 a.kmem == b->kmem,
		 what, "caps %u -> %u, threads %u -> %u, frames %llu -> %llu, ring ops %u -> %u, kernel memory %llu -> %llu",
		 b->caps, a.caps, b->threads, a.threads, (unsigned long long)b->frames, (unsigned long long)a.frames,
		 b->ring_ops, a.ring_ops, (unsigned long long)b->kmem, (unsigned long long)a.kmem);
}

void census_run_twice(const struct census_case *cases, size_t n)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			struct census before;
			char what[96];

			if (pass)
				census_take(&before, PROBE_MAX);
			cases[i].run();
			capos_snprintf(what, sizeof what, "after %s every quota is back", cases[i].name);
			if (pass)
				census_same(what, &before, PROBE_MAX);
		}
	}
}
