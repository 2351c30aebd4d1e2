/*
 * utest-ipc-xfer: capabilities sent along with CALLs and RETURNs
 * (docs/ipc.md, "Transfer").  Runs as init against a utest-ipc-server
 * child: the server hands out copies and moves of its own "null" and
 * "timer" (the test uses them), takes what the test sends (and says what
 * arrived), and the kernel refuses every malformed transfer before
 * anything happens.  A move whose call never reaches a receiver — it is
 * cancelled while queued, or the only server dies before receiving it —
 * gives the capability back under the same handle.  Both sides of an
 * extra endpoint are played by this process where timing matters.  One
 * line per check, "utest-ipc-xfer: <what>: ok"; exit code = failures.
 */
#include <string.h>
#include "utest_ipc.h"

#define rc capos_ring()  /* the calling thread's own ring client */
static uint32_t ep_server, ep_client;   /* the endpoint utest-ipc-server serves */

/* ------------------------------------------------------------ helpers */

static int take(const struct capos_xfer *x, uint16_t nx, struct ping_take_out *out)
{
	memset(out, 0, sizeof *out);
	return capos_ipc_call(ep_client, PING_IFACE, PING_TAKE, NULL, 0, x, nx, out, sizeof *out, NULL);
}

static int give(uint32_t which, uint32_t mode, struct capos_ipc_reply *r)
{
	struct ping_give_in in = { .which = which, .mode = mode };
	uint64_t out[8] = { 0 };   /* the reply (the interface id) and the capability list after it */

	return capos_ipc_call(ep_client, PING_IFACE, PING_GIVE, &in, sizeof in, NULL, 0, out, sizeof out, r);
}

static int32_t probe(void)
{
	int32_t status = 1;
	int err = capos_ipc_call(ep_client, PING_IFACE, PING_PROBE, NULL, 0, NULL, 0, &status, sizeof status, NULL);

	return err ? err : status;
}

static uint32_t server_calls(void)
{
	struct ping_stats s = { 0 };

	capos_ipc_call(ep_client, PING_IFACE, PING_STATS, NULL, 0, NULL, 0, &s, sizeof s, NULL);
	return s.calls;
}

static int echo(uint32_t cap)
{
	char out[8];

	return capos_ipc_call(cap, PING_IFACE, PING_ECHO, "xfer", 5, NULL, 0, out, sizeof out, NULL);
}

static int nop(uint32_t cap)
{
	return capos_null_nop(rc, cap);
}

/* ------------------------------------------------------------ server to client */

static void test_give_copy(void)
{
	struct ping_give_in in = { GIVE_NULL, CAPOS_XFER_COPY };
	struct capos_completion done = { 0 };
	uint8_t out[64] = { 0 };
	struct capos_ipc_cap listed;
	struct capos_timer_now_out now;
	struct capos_ipc_reply r = { 0 };
	int err = capos_call_sync_xfer(rc, ep_client, PING_IFACE, PING_GIVE, &in, sizeof in, NULL, 0, out, sizeof out,
				       &done);

	memcpy(&listed, out + capos_ipc_caps_offset(4), sizeof listed);
	ut_check(!err && done.result_len == 4 && done.caps == 1 && listed.iface == CAPOS_IFACE_NULL &&
		 listed.handle == done.aux, "RETURN with a COPY: one capability listed after the reply, aux its handle",
		 "status %d, %u bytes, %u caps, listed %#x/%u, aux %#llx", err, done.result_len, done.caps,
		 listed.handle, listed.iface, (unsigned long long)done.aux);
	ut_status("the received copy of the server's null works", nop(listed.handle), 0);
	capos_release(rc, listed.handle);
	err = give(GIVE_TIMER, CAPOS_XFER_COPY, &r);
	ut_check(!err && r.cap_count == 1 && r.caps[0].iface == CAPOS_IFACE_TIMER,
		 "RETURN with a COPY of the server's timer", "status %d, %u caps, iface %u", err, r.cap_count,
		 r.caps[0].iface);
	ut_status("the received timer works", capos_timer_now(rc, r.caps[0].handle, &now), 0);
	capos_release(rc, r.caps[0].handle);
	ut_status("after a COPY the server's own null still works", probe(), 0);
}

/* The server moves its null here: returns the handle (0 on failure). */
static uint32_t test_give_move(void)
{
	struct capos_ipc_reply r = { 0 };
	int err = give(GIVE_NULL, CAPOS_XFER_MOVE, &r);

	ut_check(!err && r.cap_count == 1 && r.caps[0].iface == CAPOS_IFACE_NULL, "RETURN with a MOVE of the server's null",
		 "status %d, %u caps", err, r.cap_count);
	ut_status("the moved null works here", nop(r.caps[0].handle), 0);
	ut_status("after the MOVE the server's handle is stale", probe(), -CAPOS_EBADF);
	return err ? 0 : r.caps[0].handle;
}

/* ------------------------------------------------------------ client to server */

static void test_take(uint32_t moved_null)
{
	struct ping_take_out out;
	struct capos_xfer x = { ut_cap("null"), CAPOS_XFER_COPY };
	int err = take(&x, 1, &out);

	ut_check(!err && out.count == 1 && out.iface[0] == CAPOS_IFACE_NULL && out.use[0] == 0,
		 "CALL with a COPY of null: the server receives it and it works there", "status %d, %u caps, iface %u, use %d",
		 err, out.count, out.iface[0], out.use[0]);
	ut_status("after the COPY the sender's null still works", nop(x.cap), 0);
	x = (struct capos_xfer){ moved_null, CAPOS_XFER_MOVE };
	err = take(&x, 1, &out);
	ut_check(!err && out.count == 1 && out.use[0] == 0, "CALL with a MOVE: the server receives it and it works there",
		 "status %d, %u caps, use %d", err, out.count, out.use[0]);
	ut_status("after a successful MOVE the sender's handle is stale", nop(moved_null), -CAPOS_EBADF);
}

/* CAPOS_XFER_MAX (16) in one CALL: eight granted capabilities and a revocable copy of each. */
static void test_take_max(void)
{
	static const char *const names[8] = { "console", "bootpkg", "timer", "null", "entropy", "frames", "endpoints",
					       "capspace" };
	static const uint32_t ifaces[8] = { CAPOS_IFACE_CONSOLE, CAPOS_IFACE_MEMORY_OBJECT, CAPOS_IFACE_TIMER,
					    CAPOS_IFACE_NULL, CAPOS_IFACE_ENTROPY_SOURCE, CAPOS_IFACE_FRAME_ALLOCATOR,
					    CAPOS_IFACE_ENDPOINT_FACTORY, CAPOS_IFACE_CAP_SPACE };
	_Static_assert(CAPOS_XFER_MAX == 16, "eight capabilities and a copy of each");
	struct capos_xfer x[CAPOS_XFER_MAX];
	struct ping_take_out out;
	uint32_t right = 0, copy, revoker;
	int err, derived = 0;

	for (int i = 0; i < 8; i++) {
		x[i] = (struct capos_xfer){ ut_cap(names[i]), CAPOS_XFER_COPY };
		derived += capos_cap_derive(x[i].cap, CAPOS_RIGHT_ALL, &copy, &revoker) == 0;
		x[8 + i] = (struct capos_xfer){ copy, CAPOS_XFER_COPY };
	}
	ut_check(derived == 8, "CapSpace.derive of 8 capabilities", "%d derived", derived);
	err = take(x, CAPOS_XFER_MAX, &out);
	for (uint32_t i = 0; i < CAPOS_XFER_MAX; i++)
		right += out.iface[i] == ifaces[i % 8];
	ut_check(!err && out.count == CAPOS_XFER_MAX && right == CAPOS_XFER_MAX,
		 "CALL with 16 capabilities: all arrive, in order, with their interfaces",
		 "status %d, %u caps, %u interfaces right", err, out.count, right);
	ut_check(out.use[2] == 0 && out.use[3] == 0 && out.use[10] == 0 && out.use[11] == 0,
		 "the server can use the timer and null it received",
		 "timer %d, null %d, copies %d %d", out.use[2], out.use[3], out.use[10], out.use[11]);
}

/* ------------------------------------------------------------ refusals */

static void refused(const char *what, const struct capos_xfer *x, uint16_t nx, int want)
{
	struct ping_take_out out;

	ut_status(what, take(x, nx, &out), want);
}

static void test_refusals(void)
{
	uint32_t null = ut_cap("null"), timer = ut_cap("timer"), stale = 0, plain = 0, copy = 0, revoker = 0;
	uint32_t before = server_calls(), after;
	struct capos_xfer x[CAPOS_XFER_MAX + 1];
	int err;

	x[0] = (struct capos_xfer){ 0x00abcdef, CAPOS_XFER_COPY };
	refused("transfer of a garbage handle: -CAPOS_EBADF", x, 1, -CAPOS_EBADF);
	ipc_mint(ep_server, PING_IFACE, CAPOS_RIGHT_TRANSFER, &stale);
	capos_release(rc, stale);
	x[0] = (struct capos_xfer){ stale, CAPOS_XFER_MOVE };
	refused("transfer of a released handle: -CAPOS_EBADF", x, 1, -CAPOS_EBADF);
	err = ipc_mint(ep_server, PING_IFACE, 0, &plain);
	ut_status("Endpoint.mint without CAPOS_RIGHT_TRANSFER", err, 0);
	x[0] = (struct capos_xfer){ plain, CAPOS_XFER_COPY };
	refused("transfer of a client capability minted without the right: -CAPOS_EPERM", x, 1, -CAPOS_EPERM);
	ut_status("... which still calls the server", echo(plain), 0);
	err = capos_cap_derive(null, 0, &copy, &revoker);
	ut_status("CapSpace.derive of null with rights 0", err, 0);
	x[0] = (struct capos_xfer){ copy, CAPOS_XFER_MOVE };
	refused("transfer of a copy derived with rights 0: -CAPOS_EPERM", x, 1, -CAPOS_EPERM);
	x[0] = (struct capos_xfer){ null, CAPOS_XFER_COPY };
	x[1] = (struct capos_xfer){ null, CAPOS_XFER_COPY };
	refused("the same handle named twice: -CAPOS_EINVAL", x, 2, -CAPOS_EINVAL);
	x[1] = (struct capos_xfer){ null, CAPOS_XFER_MOVE };
	refused("the same handle copied and moved: -CAPOS_EINVAL", x, 2, -CAPOS_EINVAL);
	for (uint32_t i = 0; i <= CAPOS_XFER_MAX; i++)
		x[i] = (struct capos_xfer){ ut_cap(i % 2 ? "console" : "bootpkg"), CAPOS_XFER_COPY };
	refused("17 transfer descriptors: -CAPOS_ERANGE", x, CAPOS_XFER_MAX + 1, -CAPOS_ERANGE);
	x[0] = (struct capos_xfer){ timer, 7 };
	refused("an unknown transfer mode: -CAPOS_EINVAL", x, 1, -CAPOS_EINVAL);
	x[0] = (struct capos_xfer){ timer, CAPOS_XFER_MOVE };
	x[1] = (struct capos_xfer){ 0x00abcdef, CAPOS_XFER_COPY };
	refused("a good MOVE beside a garbage handle: -CAPOS_EBADF", x, 2, -CAPOS_EBADF);
	ut_status("... and the good one was not moved", capos_timer_now(rc, timer, &(struct capos_timer_now_out){ 0 }), 0);
	after = server_calls();
	ut_check(after == before + 2, "no refused call reached the server",
		 "server calls %u before, %u after (expected 1 echo and 1 PING_STATS)",
		 before, after);
	capos_release(rc, plain);
	capos_release(rc, copy);
	capos_release(rc, revoker);
}

/* ------------------------------------------------------------ failed moves */

static void test_cancelled_move(void)
{
	uint32_t server, client, moved = 0;
	struct capos_xfer x;
	struct capos_ipc_request req = { 0 };
	struct capos_completion c;
	struct capos_sqe s;
	uint64_t ud;

	ipc_endpoint(PING_IFACE, &server, &client);
	ipc_mint(ep_server, PING_IFACE, CAPOS_RIGHT_TRANSFER, &moved);
	x = (struct capos_xfer){ moved, CAPOS_XFER_MOVE };
	ut_status("a CALL moving a capability, queued (nobody receives)",
		  ipc_call_async(client, PING_IFACE, PING_ECHO, "m", 2, &x, 1, NULL, 0, &ud), 0);
	ut_status("... still pending", ipc_wait_op(ud, 30 * UT_MS, &c), -CAPOS_ETIMEDOUT);
	ut_status("a capability being moved cannot be called: -CAPOS_EBUSY", echo(moved), -CAPOS_EBUSY);
	capos_sqe_call(&s, 0, ut_cap("null"), CAPOS_IFACE_NULL, 0, NULL, 0, NULL, 0);
	capos_sqe_xfer(&s, &x, 1);
	ut_status("... nor transferred again: -CAPOS_EBUSY", capos_submit_sync(rc, &s, NULL), -CAPOS_EBUSY);
	capos_cancel(rc, ud);
	ut_status("the cancelled call completes with -CAPOS_ECANCELED", ipc_wait_op(ud, 5 * IPC_S, &c), -CAPOS_ECANCELED);
	ut_status("the moved capability is back under the same handle", echo(moved), 0);
	ut_status("a later call on that endpoint", ipc_self_echo(server, client, NULL, 0, &req), 0);
	ut_check(req.cap_count == 0, "the server side never got the cancelled capability", "%u caps arrived", req.cap_count);
	capos_release(rc, moved);
	capos_release(rc, server);
	capos_release(rc, client);
}

static void test_server_died_move(void)
{
	uint32_t server, client, moved = 0, proc;
	struct capos_xfer x;
	struct capos_completion c;
	uint64_t ud;

	ipc_endpoint(PING_IFACE, &server, &client);
	proc = ipc_spawn_server("idle 1000", server);
	capos_release(rc, server);
	ipc_mint(ep_server, PING_IFACE, CAPOS_RIGHT_TRANSFER, &moved);
	x = (struct capos_xfer){ moved, CAPOS_XFER_MOVE };
	ut_status("a CALL moving a capability to a server that never receives",
		  ipc_call_async(client, PING_IFACE, PING_ECHO, "m", 2, &x, 1, NULL, 0, &ud), 0);
	ut_status("... queued while the server lives", ipc_wait_op(ud, 0, &c), -CAPOS_ETIMEDOUT);
	ut_status("the only server ends: the queued call gets -CAPOS_EPEER", ipc_wait_op(ud, 10 * IPC_S, &c), -CAPOS_EPEER);
	ipc_expect_exit("the idle server exited 0", proc, 0);
	ut_status("the moved capability is back under the same handle", echo(moved), 0);
	ut_status("later calls on the dead endpoint: -CAPOS_EPEER at once", echo(client), -CAPOS_EPEER);
	capos_release(rc, moved);
	capos_release(rc, client);
}

/* ------------------------------------------------------------ a full table */

static uint32_t fill_table(uint32_t *held, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && ipc_mint(ep_server, PING_IFACE, 0, &held[n]) == 0)
		n++;
	return n;
}

static void test_caller_table_full(void)
{
	static uint32_t held[CAPOS_CAP_MAX_SLOTS / 64];
	struct capos_ipc_reply r = { 0 };
	struct ping_stats before = { 0 }, after = { 0 };
	uint32_t n;
	int err;

	capos_ipc_call(ep_client, PING_IFACE, PING_STATS, NULL, 0, NULL, 0, &before, sizeof before, NULL);
	n = fill_table(held, sizeof held / sizeof held[0]);
	ut_note("capability table full after %u more handles", n);
	err = give(GIVE_TIMER, CAPOS_XFER_MOVE, &r);
	ut_status("a RETURN moving a capability into the caller's full table: the CALL gets -CAPOS_EQUOTA", err,
		  -CAPOS_EQUOTA);
	for (uint32_t i = 0; i < n; i++)
		capos_release(rc, held[i]);
	capos_ipc_call(ep_client, PING_IFACE, PING_STATS, NULL, 0, NULL, 0, &after, sizeof after, NULL);
	ut_check(after.return_errors == before.return_errors + 1, "... and the server's RETURN fails too",
		 "return errors %u then %u", before.return_errors, after.return_errors);
	err = give(GIVE_TIMER, CAPOS_XFER_COPY, &r);
	ut_check(!err && r.cap_count == 1, "the server still holds the timer it tried to move",
		 "status %d, %u caps", err, r.cap_count);
	if (!err && r.cap_count == 1)
		capos_release(rc, r.caps[0].handle);
}

/* ------------------------------------------------------------ one process, both sides */

/* A received capability carries the sender's rights. */
static void check_rights(uint32_t received)
{
	struct capos_cap_space_inspect_in in = { .cap = received };
	struct capos_cap_space_inspect_out out = { 0 };
	int err = capos_cap_space_inspect(rc, ut_cap("capspace"), &in, &out);

	ut_check(!err && out.iface == CAPOS_IFACE_TIMER && out.rights == CAPOS_RIGHT_TRANSFER && !out.revocable,
		 "a received timer has the sender's rights and interface", "status %d: iface %u rights %u revocable %u",
		 err, out.iface, out.rights, out.revocable);
}

static void test_recv_header_caps(void)
{
	uint32_t server, client;
	struct capos_xfer x[2] = { { ut_cap("null"), CAPOS_XFER_COPY }, { ut_cap("timer"), CAPOS_XFER_COPY } };
	struct capos_ipc_request req = { 0 };
	int err;

	ipc_endpoint(PING_IFACE, &server, &client);
	err = ipc_self_echo(server, client, x, 2, &req);
	ut_check(!err && req.cap_count == 2 && req.caps[0].iface == CAPOS_IFACE_NULL &&
		 req.caps[1].iface == CAPOS_IFACE_TIMER, "RECV lists received capabilities with their interfaces",
		 "status %d, %u caps, %u %u", err, req.cap_count, req.caps[0].iface, req.caps[1].iface);
	ut_check(req.cap_count == 2 && req.caps[0].handle != x[0].cap && nop(req.caps[0].handle) == 0,
		 "a received capability is a new handle that works", "handle %#x", req.caps[0].handle);
	check_rights(req.caps[1].handle);
	for (uint32_t i = 0; i < req.cap_count && i < 2; i++)
		capos_release(rc, req.caps[i].handle);
	capos_release(rc, server);
	capos_release(rc, client);
}

static void test_return_refusals(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(64)];
	uint32_t server, client, plain = 0;
	struct capos_ipc_request req;
	struct capos_completion c;
	struct capos_xfer x = { 0x00abcdef, CAPOS_XFER_COPY };
	char out[16] = { 0 };
	uint64_t ud;

	ipc_endpoint(PING_IFACE, &server, &client);
	ipc_mint(server, PING_IFACE, 0, &plain);
	ipc_call_async(client, PING_IFACE, PING_ECHO, "r", 2, NULL, 0, out, sizeof out, &ud);
	ut_status("RECV", capos_ipc_recv(server, buf, sizeof buf, &req), 0);
	ut_status("RETURN with a garbage capability: -CAPOS_EBADF", capos_ipc_return(req.token, "no", 3, &x, 1),
		  -CAPOS_EBADF);
	x = (struct capos_xfer){ plain, CAPOS_XFER_COPY };
	ut_status("RETURN with a capability held without the right: -CAPOS_EPERM",
		  capos_ipc_return(req.token, "no", 3, &x, 1), -CAPOS_EPERM);
	ut_status("the call is still waiting", ipc_wait_op(ud, 0, &c), -CAPOS_ETIMEDOUT);
	ut_status("a refused RETURN left the token valid: a correct RETURN", capos_ipc_return(req.token, "yes", 4, NULL, 0),
		  0);
	ut_check(ipc_wait_op(ud, 5 * IPC_S, &c) == 0 && c.result_len == 4 && strcmp(out, "yes") == 0,
		 "the caller gets the correct reply", "status %d, %u bytes", c.status, c.result_len);
	capos_release(rc, plain);
	capos_release(rc, server);
	capos_release(rc, client);
}

static void test_return_move_to_cancelled(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(64)];
	uint32_t server, client, moved = 0;
	struct capos_ipc_request req;
	struct capos_completion c;
	struct capos_xfer x;
	uint64_t ud;

	ipc_endpoint(PING_IFACE, &server, &client);
	ipc_mint(ep_server, PING_IFACE, CAPOS_RIGHT_TRANSFER, &moved);
	ipc_call_async(client, PING_IFACE, PING_ECHO, "c", 2, NULL, 0, NULL, 0, &ud);
	ut_status("RECV", capos_ipc_recv(server, buf, sizeof buf, &req), 0);
	capos_cancel(rc, ud);
	ut_status("the call in service is cancelled", ipc_wait_op(ud, 5 * IPC_S, &c), -CAPOS_ECANCELED);
	x = (struct capos_xfer){ moved, CAPOS_XFER_MOVE };
	ut_status("a RETURN moving a capability to the cancelled caller: -CAPOS_EPEER",
		  capos_ipc_return(req.token, NULL, 0, &x, 1), -CAPOS_EPEER);
	ut_status("the capability the RETURN tried to move is still here", echo(moved), 0);
	capos_release(rc, moved);
	capos_release(rc, server);
	capos_release(rc, client);
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	uint32_t proc, moved_null;

	(void)argc;
	(void)argv;
	ut_init("utest-ipc-xfer");
	ipc_endpoint(PING_IFACE, &ep_server, &ep_client);
	proc = ipc_spawn_server("", ep_server);
	test_give_copy();
	moved_null = test_give_move();
	test_take(moved_null);
	test_take_max();
	test_refusals();
	test_caller_table_full();
	test_cancelled_move();
	test_server_died_move();
	test_recv_header_caps();
	test_return_refusals();
	test_return_move_to_cancelled();
	capos_ipc_call(ep_client, PING_IFACE, PING_EXIT, NULL, 0, NULL, 0, NULL, 0, NULL);
	ipc_expect_exit("the server exits 0 after PING_EXIT", proc, 0);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
