/*
 * utest-ipc-revoke: revocable copies (docs/ipc.md, "Revocation").  Runs as
 * init: derives revocable copies of an endpoint client capability and of
 * null through "capspace", hands them to a child (this program in mode
 * "child", granted them as "svc" and "nullc", and the original client
 * capability as "orig"), revokes, and checks that
 * every handle to a copy — the child's, its own, copies derived from the
 * copy — answers -CAPOS_EREVOKED to CALL and to transfer, while the
 * originals keep working.  Also: CapSpace.inspect, revoking twice, RECV on
 * a revoked Endpoint copy, operations in flight through a copy when it is
 * revoked (a RECV, a queued CALL, sleep, park, process and
 * wait_no_clients waits: -CAPOS_EREVOKED at once, nothing delivered
 * through them, the originals' unaffected), the derivation depth limit, and a Revoker
 * released without revoking.  One line per check,
 * "utest-ipc-revoke: <what>: ok"; exit code = failures.
 *
 * The child uses its copies, then makes a PING_HOLD call through "svc"
 * that the server keeps in service; the parent revokes meanwhile and has
 * the held call answered, and the child, back from it, finds its copies
 * revoked.  Its exit code is its failure count.
 */
#include <stdio.h>
#include <string.h>
#include "utest_ipc.h"

#define DEPTH_MAX 8

#define rc capos_ring()  /* the calling thread's own ring client */

/* ------------------------------------------------------------ helpers */

static int echo(uint32_t cap)
{
	char out[8];

	return capos_ipc_call(cap, PING_IFACE, PING_ECHO, "rev", 4, NULL, 0, out, sizeof out, NULL);
}

static int ping(uint32_t cap, uint16_t method, void *out, uint32_t out_cap)
{
	return capos_ipc_call(cap, PING_IFACE, method, NULL, 0, NULL, 0, out, out_cap, NULL);
}

/* Transfer cap (COPY) along with a PING_TAKE on client: the status. */
static int send_along(uint32_t client, uint32_t cap)
{
	struct capos_xfer x = { cap, CAPOS_XFER_COPY };
	struct ping_take_out took;

	return capos_ipc_call(client, PING_IFACE, PING_TAKE, NULL, 0, &x, 1, &took, sizeof took, NULL);
}

static int inspect(uint32_t cap, struct capos_cap_space_inspect_out *out)
{
	struct capos_cap_space_inspect_in in = { .cap = cap };

	memset(out, 0xee, sizeof *out);
	return capos_cap_space_inspect(rc, ut_cap("capspace"), &in, out);
}

static void check_inspect(const char *what, uint32_t cap, uint32_t iface, uint32_t rights, uint32_t revocable)
{
	struct capos_cap_space_inspect_out o;
	int err = inspect(cap, &o);

	ut_check(!err && o.iface == iface && o.rights == rights && o.revocable == revocable, what,
		 "status %d: iface %#x rights %u revocable %u, expected %#x %u %u", err, o.iface, o.rights, o.revocable,
		 iface, rights, revocable);
}

static uint32_t derive(const char *what, uint32_t cap, uint32_t rights, uint32_t *revoker)
{
	uint32_t copy = 0;
	int err = capos_cap_derive(cap, rights, &copy, revoker);

	ut_status(what, err, 0);
	return err ? 0 : copy;
}

/* ------------------------------------------------------------ the child */

static int child_mode(void)
{
	uint32_t svc = capos_cap_find("svc", NULL), nullc = capos_cap_find("nullc", NULL);
	uint32_t orig = capos_cap_find("orig", NULL), null = capos_cap_find("null", NULL);
	char held[8] = { 0 };
	int err;

	ut_init("utest-ipc-revoke child");
	ut_status("a call through the revocable copy of the client capability", echo(svc), 0);
	ut_status("Null.nop through the revocable copy of null", capos_null_nop(rc, nullc), 0);
	ut_status("transfer of the copies before revocation", send_along(orig, svc) | send_along(orig, nullc), 0);
	err = ping(svc, PING_HOLD, held, sizeof held);
	ut_note("the held call came back with %d %s (revoked while in service)", err, capos_strerror(err));
	ut_status("a call through the revoked copy: -CAPOS_EREVOKED", echo(svc), -CAPOS_EREVOKED);
	ut_status("Null.nop through the revoked copy of null: -CAPOS_EREVOKED", capos_null_nop(rc, nullc),
		  -CAPOS_EREVOKED);
	ut_status("transfer of the revoked client copy: -CAPOS_EREVOKED", send_along(orig, svc), -CAPOS_EREVOKED);
	ut_status("transfer of the revoked null copy: -CAPOS_EREVOKED", send_along(orig, nullc), -CAPOS_EREVOKED);
	ut_status("the child's own null is unaffected", capos_null_nop(rc, null), 0);
	return ut_failures();
}

/* Wait until the server holds a call (the child's PING_HOLD): 1 when it does. */
static int wait_held(uint32_t client)
{
	uint64_t token = 0;

	for (int i = 0; i < 500; i++) {
		if (ping(client, PING_TOKEN, &token, sizeof token) == 0 && token)
			return 1;
		capos_sleep_ns(10 * UT_MS);
	}
	return 0;
}

/* ------------------------------------------------------------ copies in two processes */

static void test_copies(uint32_t client)
{
	uint32_t null = ut_cap("null"), rev = 0, rev2 = 0, rev_null = 0, held_status = 1, proc;
	uint32_t copy = derive("CapSpace.derive of the client capability", client, CAPOS_RIGHT_ALL, &rev);
	uint32_t copy2 = derive("CapSpace.derive of the copy", copy, CAPOS_RIGHT_ALL, &rev2);
	uint32_t null_copy = derive("CapSpace.derive of null", null, CAPOS_RIGHT_ALL, &rev_null);
	uint32_t grant[3] = { copy, null_copy, client };

	check_inspect("CapSpace.inspect of the original: not revocable", client, PING_IFACE, CAPOS_RIGHT_TRANSFER, 0);
	check_inspect("CapSpace.inspect of the copy: revocable, same interface and rights", copy, PING_IFACE,
		      CAPOS_RIGHT_TRANSFER, 1);
	check_inspect("CapSpace.inspect of the copy of the copy: revocable", copy2, PING_IFACE, CAPOS_RIGHT_TRANSFER, 1);
	ut_status("a call through the copy", echo(copy), 0);
	ut_status("a call through the copy of the copy", echo(copy2), 0);
	proc = ipc_spawn("utest-ipc-revoke", "child", "svc nullc orig", grant, 3);
	ut_check(wait_held(client), "the child's call through its copy is in service", "no call held after 5 s");
	ut_status("Revoker.revoke", capos_cap_revoke(rev), 0);
	ut_status("Revoker.revoke of null's copy", capos_cap_revoke(rev_null), 0);
	ping(client, PING_RELEASE_HELD, &held_status, sizeof held_status);
	ut_note("the server answered the held call of the revoked copy with %d %s", (int)held_status,
		capos_strerror((int)held_status));
	ipc_expect_exit("the child found its copies revoked (exit code 0)", proc, 0);
	ut_status("a call through this process's handle to the copy: -CAPOS_EREVOKED", echo(copy), -CAPOS_EREVOKED);
	ut_status("a call through the copy of the copy: -CAPOS_EREVOKED", echo(copy2), -CAPOS_EREVOKED);
	ut_status("Null.nop through the revoked copy of null: -CAPOS_EREVOKED", capos_null_nop(rc, null_copy),
		  -CAPOS_EREVOKED);
	ut_status("transfer of the revoked copy in a CALL: -CAPOS_EREVOKED", send_along(client, copy), -CAPOS_EREVOKED);
	ut_status("transfer of the revoked copy of null: -CAPOS_EREVOKED", send_along(client, null_copy),
		  -CAPOS_EREVOKED);
	ut_status("transfer of the revoked copy to a new process: -CAPOS_EREVOKED",
		  capos_spawn("utest-ipc-revoke", "null", "child", &copy, 1, &(uint32_t){ 0 }, NULL), -CAPOS_EREVOKED);
	ut_status("the original still works", echo(client), 0);
	ut_status("null still works", capos_null_nop(rc, null), 0);
	ut_status("revoking twice: 0", capos_cap_revoke(rev), 0);
	ut_note("revoking the copy of the copy after its parent: %d", capos_cap_revoke(rev2));
	ut_note("CapSpace.derive of a revoked copy: %d", capos_cap_derive(copy, CAPOS_RIGHT_ALL, &(uint32_t){ 0 },
									  &(uint32_t){ 0 }));
	for (uint32_t h = 0; h < 6; h++)
		capos_release(rc, (uint32_t[]){ copy, copy2, null_copy, rev, rev2, rev_null }[h]);
}

/* ------------------------------------------------------------ in this process */

static void test_rights_mask(void)
{
	uint32_t rev = 0, copy = derive("CapSpace.derive of null with rights 0", ut_cap("null"), 0, &rev);

	check_inspect("CapSpace.inspect: the copy carries rights & mask", copy, CAPOS_IFACE_NULL, 0, 1);
	check_inspect("CapSpace.inspect of null: all rights, not revocable", ut_cap("null"), CAPOS_IFACE_NULL,
		      CAPOS_RIGHT_TRANSFER, 0);
	capos_release(rc, copy);
	capos_release(rc, rev);
}

static void test_endpoint_copy(void)
{
	uint32_t server, client, rev = 0, copy;
	struct capos_sqe s;
	uint8_t buf[CAPOS_IPC_RECV_BUF(16)];

	ipc_endpoint(PING_IFACE, &server, &client);
	copy = derive("CapSpace.derive of an Endpoint", server, CAPOS_RIGHT_ALL, &rev);
	ut_status("a call received through the Endpoint copy", ipc_self_echo(copy, client, NULL, 0, NULL), 0);
	ut_status("Revoker.revoke of the Endpoint copy", capos_cap_revoke(rev), 0);
	capos_sqe_recv(&s, 0, copy, buf, sizeof buf);
	ut_status("RECV on the revoked Endpoint copy: -CAPOS_EREVOKED", capos_submit_sync(rc, &s, NULL), -CAPOS_EREVOKED);
	ut_status("a call received through the original Endpoint", ipc_self_echo(server, client, NULL, 0, NULL), 0);
	capos_release(rc, copy);
	capos_release(rc, rev);
	capos_release(rc, server);
	capos_release(rc, client);
}

/*
 * Revocation reaches what is in flight: a RECV, a queued CALL and a sleep
 * posted through copies end -CAPOS_EREVOKED when the copies are revoked,
 * nothing is delivered through them afterwards, and the same operations
 * posted through the originals carry on.
 */
static void test_inflight(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(16)];
	struct capos_timer_sleep_in long_sleep = { .ns = 30 * IPC_S }, short_sleep = { .ns = 200 * UT_MS };
	uint32_t server, client, rev_ep = 0, rev_cl = 0, rev_tm = 0, ep_copy, cl_copy, tm_copy;
	uint64_t ud_recv = 0, ud_call = 0, ud_sleep = 0, ud_orig = 0;
	struct capos_completion c;
	struct capos_sqe s;
	char out[8];

	ipc_endpoint(PING_IFACE, &server, &client);
	ep_copy = derive("CapSpace.derive of an Endpoint for a RECV in flight", server, CAPOS_RIGHT_ALL, &rev_ep);
	tm_copy = derive("CapSpace.derive of the timer", ut_cap("timer"), CAPOS_RIGHT_ALL, &rev_tm);

	capos_sqe_recv(&s, 0, ep_copy, buf, sizeof buf);
	ut_status("a RECV posted through the Endpoint copy", capos_submit_async(rc, &s, 0, &ud_recv), 0);
	ut_status("... waits", ipc_wait_op(ud_recv, 20 * UT_MS, &c), -CAPOS_ETIMEDOUT);
	ut_status("Revoker.revoke of the Endpoint copy with the RECV in flight", capos_cap_revoke(rev_ep), 0);
	ut_status("the RECV in flight through the revoked copy: -CAPOS_EREVOKED", ipc_wait_op(ud_recv, IPC_S, &c),
		  -CAPOS_EREVOKED);
	ipc_call_async(client, PING_IFACE, PING_ECHO, "a", 2, NULL, 0, out, sizeof out, &ud_call);
	ut_status("a later call is not received by the revoked RECV: it waits", ipc_wait_op(ud_call, 20 * UT_MS, &c),
		  -CAPOS_ETIMEDOUT);
	ut_status("CANCEL of that call", capos_cancel(rc, ud_call), 0);
	ipc_wait_op(ud_call, IPC_S, &c);

	cl_copy = derive("CapSpace.derive of the client for a queued CALL", client, CAPOS_RIGHT_ALL, &rev_cl);
	ipc_call_async(cl_copy, PING_IFACE, PING_ECHO, "b", 2, NULL, 0, out, sizeof out, &ud_call);
	ipc_call_async(client, PING_IFACE, PING_ECHO, "o", 2, NULL, 0, out, sizeof out, &ud_orig);
	ut_status("a CALL queued through the client copy waits", ipc_wait_op(ud_call, 20 * UT_MS, &c), -CAPOS_ETIMEDOUT);
	ut_status("Revoker.revoke of the client copy with the CALL queued", capos_cap_revoke(rev_cl), 0);
	ut_status("the CALL queued through the revoked copy: -CAPOS_EREVOKED", ipc_wait_op(ud_call, IPC_S, &c),
		  -CAPOS_EREVOKED);
	ut_status("the call queued through the original still waits", ipc_wait_op(ud_orig, 10 * UT_MS, &c),
		  -CAPOS_ETIMEDOUT);
	{
		struct capos_ipc_request req;
		static uint8_t rbuf[CAPOS_IPC_RECV_BUF(16)];

		ut_status("the server receives the original's call", capos_ipc_recv(server, rbuf, sizeof rbuf, &req), 0);
		ut_check(req.params_len == 2 && ((char *)req.params)[0] == 'o',
			 "the server never sees the call through the revoked copy", "it received '%c'",
			 ((char *)req.params)[0]);
		capos_ipc_return(req.token, "o", 2, NULL, 0);
		ut_status("the original's call is answered", ipc_wait_op(ud_orig, IPC_S, &c), 0);
	}

	capos_call_async(rc, tm_copy, CAPOS_IFACE_TIMER, CAPOS_TIMER_SLEEP, &long_sleep, sizeof long_sleep, NULL, 0,
			 &ud_sleep);
	capos_call_async(rc, ut_cap("timer"), CAPOS_IFACE_TIMER, CAPOS_TIMER_SLEEP, &short_sleep, sizeof short_sleep,
			 NULL, 0, &ud_orig);
	ut_status("Revoker.revoke of the timer copy with a 30 s sleep in flight", capos_cap_revoke(rev_tm), 0);
	ut_status("the sleep through the revoked copy ends at once: -CAPOS_EREVOKED", ipc_wait_op(ud_sleep, 50 * UT_MS, &c),
		  -CAPOS_EREVOKED);
	ut_status("the sleep through the original timer ends normally", ipc_wait_op(ud_orig, 5 * IPC_S, &c), 0);
	for (uint32_t h = 0; h < 8; h++)
		capos_release(rc, (uint32_t[]){ ep_copy, cl_copy, tm_copy, rev_ep, rev_cl, rev_tm, server, client }[h]);
}

/* Post an async kernel CALL with no result through cap: its user_data. */
static uint64_t post(uint32_t cap, uint32_t iface, uint16_t method, const void *in, uint32_t in_len, void *out,
		     uint32_t out_cap)
{
	uint64_t ud = 0;

	capos_call_async(rc, cap, iface, method, in, in_len, out, out_cap, &ud);
	return ud;
}

/* A wait posted through a copy: pending until the copy is revoked, then -CAPOS_EREVOKED at once. */
static void check_wait_revoked(const char *what, uint32_t rev, uint64_t ud)
{
	struct capos_completion c;
	char line[96];

	snprintf(line, sizeof line, "%s through a copy waits", what);
	ut_status(line, ipc_wait_op(ud, 20 * UT_MS, &c), -CAPOS_ETIMEDOUT);
	capos_cap_revoke(rev);
	snprintf(line, sizeof line, "%s through the revoked copy: -CAPOS_EREVOKED", what);
	ut_status(line, ipc_wait_op(ud, 50 * UT_MS, &c), -CAPOS_EREVOKED);
}

/* Park, process and endpoint waits posted through copies end with the revoke; the originals' carry on. */
static void test_inflight_waits(uint32_t proc)
{
	static uint32_t word;
	struct capos_park_space_wait_in pin = { .addr = (uint64_t)(uintptr_t)&word, .timeout_ns = 30 * IPC_S };
	struct capos_park_space_wake_in wake = { .addr = (uint64_t)(uintptr_t)&word, .count = 8 };
	struct capos_park_space_wait_out pout[2];
	struct capos_park_space_wake_out wout;
	struct capos_process_handle_wait_out wexit;
	struct capos_endpoint_wait_no_clients_out nc;
	struct capos_completion c;
	uint32_t park = ut_cap("park"), rev = 0, copy, server, client;
	uint64_t ud_orig;

	copy = derive("CapSpace.derive of the ParkSpace", park, CAPOS_RIGHT_ALL, &rev);
	ud_orig = post(park, CAPOS_IFACE_PARK_SPACE, CAPOS_PARK_SPACE_WAIT, &pin, sizeof pin, &pout[0], sizeof pout[0]);
	check_wait_revoked("ParkSpace.wait", rev,
			   post(copy, CAPOS_IFACE_PARK_SPACE, CAPOS_PARK_SPACE_WAIT, &pin, sizeof pin, &pout[1],
				sizeof pout[1]));
	ut_status("the park wait through the original still waits", ipc_wait_op(ud_orig, 10 * UT_MS, &c),
		  -CAPOS_ETIMEDOUT);
	capos_call_sync(rc, park, CAPOS_IFACE_PARK_SPACE, CAPOS_PARK_SPACE_WAKE, &wake, sizeof wake, &wout,
			sizeof wout, NULL);
	ut_check(wout.woken == 1, "ParkSpace.wake finds only the original's waiter", "woke %u", wout.woken);
	ut_status("... which ends normally", ipc_wait_op(ud_orig, IPC_S, &c), 0);
	capos_release(rc, copy);
	capos_release(rc, rev);

	copy = derive("CapSpace.derive of the server's ProcessHandle", proc, CAPOS_RIGHT_ALL, &rev);
	check_wait_revoked("ProcessHandle.wait", rev,
			   post(copy, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_PROCESS_HANDLE_WAIT, NULL, 0, &wexit,
				sizeof wexit));
	capos_release(rc, copy);
	capos_release(rc, rev);

	ipc_endpoint(PING_IFACE, &server, &client);
	copy = derive("CapSpace.derive of an Endpoint for wait_no_clients", server, CAPOS_RIGHT_ALL, &rev);
	check_wait_revoked("Endpoint.wait_no_clients", rev,
			   post(copy, CAPOS_IFACE_ENDPOINT, CAPOS_ENDPOINT_WAIT_NO_CLIENTS, NULL, 0, &nc, sizeof nc));
	ud_orig = post(server, CAPOS_IFACE_ENDPOINT, CAPOS_ENDPOINT_WAIT_NO_CLIENTS, NULL, 0, &nc, sizeof nc);
	capos_release(rc, client);
	ut_status("Endpoint.wait_no_clients through the original ends when the client goes",
		  ipc_wait_op(ud_orig, IPC_S, &c), 0);
	capos_release(rc, copy);
	capos_release(rc, rev);
	capos_release(rc, server);
}

static void test_depth(void)
{
	uint32_t copies[DEPTH_MAX + 1] = { 0 }, revs[DEPTH_MAX + 1] = { 0 }, from = ut_cap("null"), made = 0;
	int err = 0;

	while (made < DEPTH_MAX && !err) {
		err = capos_cap_derive(from, CAPOS_RIGHT_ALL, &copies[made], &revs[made]);
		if (!err)
			from = copies[made++];
	}
	ut_check(made == DEPTH_MAX, "derivations chain 8 deep", "%u made, then %d %s", made, err, capos_strerror(err));
	err = capos_cap_derive(from, CAPOS_RIGHT_ALL, &copies[DEPTH_MAX], &revs[DEPTH_MAX]);
	ut_check(err < 0, "a 9th derivation is refused", "it succeeded");
	ut_note("9th derivation: %d %s", err, capos_strerror(err));
	if (made == DEPTH_MAX) {
		ut_status("Null.nop through the 8th copy", capos_null_nop(rc, copies[DEPTH_MAX - 1]), 0);
		ut_status("Revoker.revoke of the first copy", capos_cap_revoke(revs[0]), 0);
		ut_status("the 8th copy is revoked with it", capos_null_nop(rc, copies[DEPTH_MAX - 1]), -CAPOS_EREVOKED);
	}
	for (uint32_t i = 0; i <= DEPTH_MAX; i++) {
		if (copies[i])
			capos_release(rc, copies[i]);
		if (revs[i])
			capos_release(rc, revs[i]);
	}
}

static void test_revoker_released(void)
{
	uint32_t rev = 0, copy = derive("CapSpace.derive of null", ut_cap("null"), CAPOS_RIGHT_ALL, &rev);

	ut_status("releasing the Revoker without revoking", capos_release(rc, rev), 0);
	ut_status("... leaves the copy valid", capos_null_nop(rc, copy), 0);
	capos_release(rc, copy);
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	uint32_t server, client, proc;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child_mode();
	ut_init("utest-ipc-revoke");
	ipc_endpoint(PING_IFACE, &server, &client);
	proc = ipc_spawn_server("", server);
	test_copies(client);
	test_rights_mask();
	test_endpoint_copy();
	test_inflight();
	test_inflight_waits(proc);
	test_depth();
	test_revoker_released();
	ping(client, PING_EXIT, NULL, 0);
	ipc_expect_exit("the server exits 0 after PING_EXIT", proc, 0);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
