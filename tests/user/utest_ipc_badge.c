/*
 * utest-ipc-badge: badged client capabilities (docs/ipc.md, "Badges").
 * Runs as init holding "endpoints", "capspace" and "spawner".  An
 * Endpoint mints client capabilities with a badge; the server sees it in
 * every CALL's header (capos_ipc_request.badge) and nothing a client does
 * can forge or change it: minting needs the receive side, revocable
 * copies, copies of copies and transfers (COPY and MOVE) keep it, a
 * payload that imitates a header changes nothing, and a child holding a
 * badged capability can neither mint nor show another badge.  Badge 0
 * (EndpointFactory.create's first client, an unbadged mint) and nonzero
 * badges, the largest included, come through exactly.  A revoked badged
 * copy answers -CAPOS_EREVOKED, also to a CALL already queued through it,
 * whose badge the server then never sees; the original keeps its badge.
 * Endpoint.identify unwraps a presented client: the badge of a client of
 * this endpoint (itself, a copy, one a CALL transferred), and nothing for
 * a client of another endpoint, a revoked copy, another kind of
 * capability, a forged handle or an ask through a client.
 * One line per check, "utest-ipc-badge: <what>: ok"; exit code = failures.
 *
 * Child mode ("child", granted "svc", a revocable copy of a badged client,
 * and "capspace"): tries to mint through svc and through a copy of it,
 * then makes CHILD_CALLS echo calls through svc and one through a copy of
 * it, which the parent serves and checks; its exit code is its failure
 * count.
 */
#include <string.h>
#include "utest_ipc.h"

#define rc capos_ring()
#define CHILD_CALLS 3
#define BADGE_A 0x5eed0000cafe0001ull
#define BADGE_B 0x0000000000000002ull
#define BADGE_MAX 0xffffffffffffffffull
#define BADGE_CHILD 0x0123456789abcdefull

static uint8_t recv_buf[CAPOS_IPC_RECV_BUF(256)] __attribute__((aligned(8)));

/* ------------------------------------------------------------ helpers */

static int mint(uint32_t server, uint64_t badge, uint32_t *client)
{
	*client = 0;
	return capos_endpoint_mint_badged(server, PING_IFACE, CAPOS_RIGHT_ALL, badge, client);
}

/* One echo through client, served here: did the server side see badge want? */
static void check_badge(const char *what, uint32_t server, uint32_t client, uint64_t want)
{
	struct capos_ipc_request req = { .badge = ~want };
	int err = ipc_self_echo(server, client, NULL, 0, &req);

	ut_check(!err && req.badge == want, what, "status %d: the server saw badge %#llx, minted %#llx", err,
		 (unsigned long long)req.badge, (unsigned long long)want);
}

static uint32_t derive(const char *what, uint32_t cap, uint32_t *revoker)
{
	uint32_t copy = 0;
	int err = capos_cap_derive(cap, CAPOS_RIGHT_ALL, &copy, revoker);

	ut_status(what, err, 0);
	return err ? 0 : copy;
}

/* Endpoint.mint through a handle that is not the receive side: its status. */
static int mint_through(uint32_t cap)
{
	struct capos_endpoint_mint_in in = { .iface = PING_IFACE, .rights = CAPOS_RIGHT_ALL, .badge = 7 };
	struct capos_endpoint_mint_out out = { 0 };

	return capos_endpoint_mint(rc, cap, &in, &out);
}

/* ------------------------------------------------------------ the child */

static int child_mode(void)
{
	uint32_t svc, copy = 0, rev = 0;
	char out[16];
	int err;

	ut_init("utest-ipc-badge child");
	svc = ut_cap("svc");
	ut_status("Endpoint.mint through the badged client: not the receive side", mint_through(svc), -CAPOS_ETYPE);
	err = capos_cap_derive(svc, CAPOS_RIGHT_ALL, &copy, &rev);
	ut_status("a revocable copy of the badged client", err, 0);
	if (!err)
		ut_status("Endpoint.mint through that copy: not the receive side", mint_through(copy), -CAPOS_ETYPE);
	for (int i = 0; i < CHILD_CALLS; i++)
		ut_status("an echo through the badged client",
			  capos_ipc_call(svc, PING_IFACE, PING_ECHO, "kid", 4, NULL, 0, out, sizeof out, NULL), 0);
	if (!err)
		ut_status("an echo through the child's own copy",
			  capos_ipc_call(copy, PING_IFACE, PING_ECHO, "cpy", 4, NULL, 0, out, sizeof out, NULL), 0);
	return ut_failures();
}

/* Serve n calls from the child: did each show badge want? */
static void serve_child(uint32_t server, int n, uint64_t want)
{
	for (int i = 0; i < n; i++) {
		struct capos_ipc_request req;
		int err = capos_ipc_recv(server, recv_buf, sizeof recv_buf, &req);

		ut_status("RECV the child's call", err, 0);
		if (err)
			return;
		ut_check(req.badge == want, "the child's call shows the badge its capability was minted with",
			 "saw %#llx, minted %#llx", (unsigned long long)req.badge, (unsigned long long)want);
		capos_ipc_return(req.token, req.params, req.params_len, NULL, 0);
	}
}

/* ------------------------------------------------------------ the tests */

/* Badge 0 and nonzero badges, each exactly, also interleaved in one queue. */
static void test_exact(uint32_t server, uint32_t first)
{
	uint32_t a, b, max, zero, unbadged;

	check_badge("EndpointFactory.create's first client shows badge 0", server, first, 0);
	ut_status("Endpoint.mint with a badge", mint(server, BADGE_A, &a), 0);
	ut_status("Endpoint.mint with another badge", mint(server, BADGE_B, &b), 0);
	ut_status("Endpoint.mint with the largest badge", mint(server, BADGE_MAX, &max), 0);
	ut_status("Endpoint.mint with badge 0", mint(server, 0, &zero), 0);
	ut_status("capos_endpoint_mint_client: unbadged", ipc_mint(server, PING_IFACE, CAPOS_RIGHT_ALL, &unbadged), 0);
	check_badge("a badged client: the server sees its badge", server, a, BADGE_A);
	check_badge("another: its own badge", server, b, BADGE_B);
	check_badge("the largest badge comes through whole", server, max, BADGE_MAX);
	check_badge("a mint with badge 0 shows 0", server, zero, 0);
	check_badge("an unbadged mint shows 0", server, unbadged, 0);
	check_badge("the first badged client again: the same badge", server, a, BADGE_A);
	{
		/* Two queued calls from different clients: each keeps its own badge through the queue. */
		struct capos_ipc_request r1, r2;
		struct capos_completion c;
		static uint8_t buf2[CAPOS_IPC_RECV_BUF(64)] __attribute__((aligned(8)));
		uint64_t u1 = 0, u2 = 0;
		char o1[8], o2[8];

		ipc_call_async(b, PING_IFACE, PING_ECHO, "b", 2, NULL, 0, o1, sizeof o1, &u1);
		ipc_call_async(a, PING_IFACE, PING_ECHO, "a", 2, NULL, 0, o2, sizeof o2, &u2);
		ut_status("RECV the first queued call", capos_ipc_recv(server, recv_buf, sizeof recv_buf, &r1), 0);
		ut_status("RECV the second queued call", capos_ipc_recv(server, buf2, sizeof buf2, &r2), 0);
		ut_check(r1.badge == BADGE_B && r2.badge == BADGE_A, "queued calls keep each its client's badge",
			 "saw %#llx then %#llx", (unsigned long long)r1.badge, (unsigned long long)r2.badge);
		capos_ipc_return(r1.token, "b", 2, NULL, 0);
		capos_ipc_return(r2.token, "a", 2, NULL, 0);
		ipc_wait_op(u1, IPC_S, &c);
		ipc_wait_op(u2, IPC_S, &c);
	}
	for (uint32_t h = 0; h < 6; h++)
		capos_release(rc, (uint32_t[]){ a, b, max, zero, unbadged, first }[h]);
}

/* Nothing but the receive side mints; a payload shaped like a header is only a payload. */
static void test_unforgeable(uint32_t server)
{
	struct capos_ipc_msg fake = { .badge = BADGE_MAX, .iface = PING_IFACE };
	struct capos_ipc_request req;
	struct capos_completion c;
	uint32_t a, copy, rev = 0;
	char out[sizeof fake];
	uint64_t ud = 0;

	ut_status("Endpoint.mint with a badge", mint(server, BADGE_A, &a), 0);
	ut_status("Endpoint.mint through a badged client: not the receive side", mint_through(a), -CAPOS_ETYPE);
	copy = derive("CapSpace.derive of the badged client", a, &rev);
	ut_status("Endpoint.mint through its copy: not the receive side", mint_through(copy), -CAPOS_ETYPE);
	ut_status("CALL a client capability as Endpoint (mint): the interface is the service's",
		  capos_call_sync(rc, a, CAPOS_IFACE_ENDPOINT, CAPOS_ENDPOINT_MINT, NULL, 0, NULL, 0, NULL),
		  -CAPOS_ETYPE);
	ipc_call_async(a, PING_IFACE, PING_ECHO, &fake, sizeof fake, NULL, 0, out, sizeof out, &ud);
	ut_status("RECV a call whose payload imitates a header", capos_ipc_recv(server, recv_buf, sizeof recv_buf, &req),
		  0);
	ut_check(req.badge == BADGE_A && req.params_len == sizeof fake, "the header's badge is the capability's",
		 "saw %#llx", (unsigned long long)req.badge);
	capos_ipc_return(req.token, NULL, 0, NULL, 0);
	ipc_wait_op(ud, IPC_S, &c);
	capos_release(rc, copy);
	capos_release(rc, rev);
	capos_release(rc, a);
}

/* Revocable copies, copies of copies and transfers keep the badge. */
static void test_kept(uint32_t server)
{
	uint32_t a, copy, copy2, rev1 = 0, rev2 = 0, xserver, xclient, moved;
	struct capos_xfer x;
	struct capos_ipc_request req;
	struct capos_completion c;
	uint64_t ud = 0;
	char out[8];

	ut_status("Endpoint.mint with a badge", mint(server, BADGE_A, &a), 0);
	copy = derive("CapSpace.derive of the badged client", a, &rev1);
	copy2 = derive("CapSpace.derive of the copy", copy, &rev2);
	check_badge("a revocable copy keeps the badge", server, copy, BADGE_A);
	check_badge("a copy of the copy keeps it", server, copy2, BADGE_A);

	/* Send the copy to this process through another endpoint (MOVE), and call through what arrives. */
	ipc_endpoint(OTHER_IFACE, &xserver, &xclient);
	x = (struct capos_xfer){ copy2, CAPOS_XFER_MOVE };
	ipc_call_async(xclient, OTHER_IFACE, 0, NULL, 0, &x, 1, out, sizeof out, &ud);
	ut_status("RECV the moved badged copy", capos_ipc_recv(xserver, recv_buf, sizeof recv_buf, &req), 0);
	moved = req.cap_count == 1 ? req.caps[0].handle : 0;
	ut_check(moved != 0 && req.caps[0].iface == PING_IFACE, "it arrives with the service's interface",
		 "%u capabilities", req.cap_count);
	capos_ipc_return(req.token, NULL, 0, NULL, 0);
	ipc_wait_op(ud, IPC_S, &c);
	if (moved)
		check_badge("a transferred badged copy keeps the badge", server, moved, BADGE_A);

	/* And a COPY transfer of the original. */
	x = (struct capos_xfer){ a, CAPOS_XFER_COPY };
	ipc_call_async(xclient, OTHER_IFACE, 0, NULL, 0, &x, 1, out, sizeof out, &ud);
	ut_status("RECV the copied badged client", capos_ipc_recv(xserver, recv_buf, sizeof recv_buf, &req), 0);
	capos_ipc_return(req.token, NULL, 0, NULL, 0);
	ipc_wait_op(ud, IPC_S, &c);
	if (req.cap_count == 1) {
		check_badge("a badged client transferred by COPY keeps the badge", server, req.caps[0].handle, BADGE_A);
		capos_release(rc, req.caps[0].handle);
	}
	if (moved)
		capos_release(rc, moved);
	for (uint32_t h = 0; h < 7; h++)
		capos_release(rc, (uint32_t[]){ a, copy, copy2, rev1, rev2, xserver, xclient }[h]);
}

/* A child holding a badged copy cannot mint, and its calls show the badge. */
static void test_child(uint32_t server)
{
	uint32_t a, copy, rev = 0, proc, extra[2];

	ut_status("Endpoint.mint for the child", mint(server, BADGE_CHILD, &a), 0);
	copy = derive("CapSpace.derive of it for the child", a, &rev);
	extra[0] = copy;
	extra[1] = ut_cap("capspace");
	proc = ipc_spawn("utest-ipc-badge", "child", "svc capspace", extra, 2);
	serve_child(server, CHILD_CALLS + 1, BADGE_CHILD);
	ipc_expect_exit("the child's checks pass (exit code 0)", proc, 0);
	capos_release(rc, copy);
	capos_release(rc, rev);
	capos_release(rc, a);
}

/* Revoking a badged copy: later CALLs and the CALL already queued fail; the original carries on. */
static void test_revoked(uint32_t server)
{
	uint32_t a, b, copy, rev = 0;
	struct capos_ipc_request req;
	struct capos_completion c;
	uint64_t ud_copy = 0, ud_orig = 0;
	char o1[8], o2[8];

	ut_status("Endpoint.mint with a badge", mint(server, BADGE_A, &a), 0);
	ut_status("Endpoint.mint with another badge", mint(server, BADGE_B, &b), 0);
	copy = derive("CapSpace.derive of the badged client", a, &rev);
	ipc_call_async(copy, PING_IFACE, PING_ECHO, "c", 2, NULL, 0, o1, sizeof o1, &ud_copy);
	ipc_call_async(b, PING_IFACE, PING_ECHO, "o", 2, NULL, 0, o2, sizeof o2, &ud_orig);
	ut_status("a CALL queued through the badged copy waits", ipc_wait_op(ud_copy, 20 * UT_MS, &c),
		  -CAPOS_ETIMEDOUT);
	ut_status("Revoker.revoke of the badged copy", capos_cap_revoke(rev), 0);
	ut_status("the CALL queued through it: -CAPOS_EREVOKED", ipc_wait_op(ud_copy, IPC_S, &c), -CAPOS_EREVOKED);
	ut_status("RECV the next queued call", capos_ipc_recv(server, recv_buf, sizeof recv_buf, &req), 0);
	ut_check(req.badge == BADGE_B, "the server never sees the revoked copy's call: the next is the other badge's",
		 "saw %#llx", (unsigned long long)req.badge);
	capos_ipc_return(req.token, "o", 2, NULL, 0);
	ut_status("that call is answered", ipc_wait_op(ud_orig, IPC_S, &c), 0);
	ut_status("a later CALL through the revoked badged copy: -CAPOS_EREVOKED",
		  capos_ipc_call(copy, PING_IFACE, PING_ECHO, "x", 2, NULL, 0, o1, sizeof o1, NULL), -CAPOS_EREVOKED);
	check_badge("the original badged client still calls with its badge", server, a, BADGE_A);
	for (uint32_t h = 0; h < 4; h++)
		capos_release(rc, (uint32_t[]){ a, b, copy, rev }[h]);
}

/* Endpoint.identify of cap on server: its status, the badge in *badge. */
static int identify(uint32_t server, uint32_t cap, uint64_t *badge)
{
	struct capos_endpoint_identify_in in = { .cap = cap };
	struct capos_endpoint_identify_out out = { .badge = ~0ull };
	int err = capos_endpoint_identify(rc, server, &in, &out);

	*badge = out.badge;
	return err;
}

static void check_identified(const char *what, uint32_t server, uint32_t cap, uint64_t want)
{
	uint64_t badge;
	int err = identify(server, cap, &badge);

	ut_check(err == 0 && badge == want, what, "status %d, badge %#llx, minted %#llx", err,
		 (unsigned long long)badge, (unsigned long long)want);
}

/* A client presented in a CALL to this very endpoint: the server unwraps the one it received. */
static void identify_transferred(uint32_t server, uint32_t a)
{
	struct capos_xfer x = { a, CAPOS_XFER_COPY };
	struct capos_ipc_request req;
	struct capos_completion c;
	uint64_t ud = 0;
	char out[8];

	ipc_call_async(a, PING_IFACE, PING_ECHO, "p", 2, &x, 1, out, sizeof out, &ud);
	ut_status("RECV a call presenting its own client", capos_ipc_recv(server, recv_buf, sizeof recv_buf, &req), 0);
	if (req.cap_count == 1) {
		check_identified("Endpoint.identify of a client a CALL transferred: its badge", server,
				 req.caps[0].handle, BADGE_A);
		capos_release(rc, req.caps[0].handle);
	} else {
		ut_check(0, "the presented client arrives", "%u capabilities", req.cap_count);
	}
	capos_ipc_return(req.token, "p", 2, NULL, 0);
	ipc_wait_op(ud, IPC_S, &c);
}

/* Badge unwrapping: only this endpoint's live clients have a badge to tell. */
static void test_identify(uint32_t server)
{
	uint32_t a, copy, copy2, rev1 = 0, rev2 = 0, oserver, oclient, oa;
	struct capos_endpoint_identify_in in;
	struct capos_endpoint_identify_out out;
	uint64_t badge;

	ut_status("Endpoint.mint with a badge", mint(server, BADGE_A, &a), 0);
	check_identified("Endpoint.identify of its client: the badge minted", server, a, BADGE_A);
	copy = derive("CapSpace.derive of the badged client", a, &rev1);
	copy2 = derive("CapSpace.derive of the copy", copy, &rev2);
	check_identified("Endpoint.identify of a revocable copy: the same badge", server, copy, BADGE_A);
	check_identified("Endpoint.identify of a copy of the copy: the same badge", server, copy2, BADGE_A);
	identify_transferred(server, a);

	ipc_endpoint(OTHER_IFACE, &oserver, &oclient);
	ut_status("Endpoint.mint on another endpoint with the same badge",
		  capos_endpoint_mint_badged(oserver, PING_IFACE, CAPOS_RIGHT_ALL, BADGE_A, &oa), 0);
	ut_status("Endpoint.identify of another endpoint's client (same badge and interface): -CAPOS_ETYPE",
		  identify(server, oa, &badge), -CAPOS_ETYPE);
	ut_status("Endpoint.identify of another endpoint's first client: -CAPOS_ETYPE",
		  identify(server, oclient, &badge), -CAPOS_ETYPE);
	check_identified("the other endpoint identifies its own client", oserver, oa, BADGE_A);
	ut_status("Endpoint.identify of the receive side itself: -CAPOS_ETYPE", identify(server, server, &badge),
		  -CAPOS_ETYPE);
	ut_status("Endpoint.identify of a CapSpace: -CAPOS_ETYPE", identify(server, ut_cap("capspace"), &badge),
		  -CAPOS_ETYPE);
	ut_status("Endpoint.identify of a Revoker: -CAPOS_ETYPE", identify(server, rev1, &badge), -CAPOS_ETYPE);
	ut_status("Endpoint.identify of a forged handle: -CAPOS_EBADF", identify(server, 0x7fff1234u, &badge),
		  -CAPOS_EBADF);
	ut_status("Endpoint.identify of handle 0: -CAPOS_EBADF", identify(server, 0, &badge), -CAPOS_EBADF);
	in = (struct capos_endpoint_identify_in){ .cap = a };
	ut_status("Endpoint.identify asked through a client: not the receive side",
		  capos_endpoint_identify(rc, a, &in, &out), -CAPOS_ETYPE);
	ut_status("Endpoint.identify asked through a copy of a client: not the receive side",
		  capos_endpoint_identify(rc, copy, &in, &out), -CAPOS_ETYPE);

	ut_status("Revoker.revoke of the copy", capos_cap_revoke(rev1), 0);
	ut_status("Endpoint.identify of the revoked copy: -CAPOS_EREVOKED", identify(server, copy, &badge),
		  -CAPOS_EREVOKED);
	ut_status("Endpoint.identify of a copy of the revoked copy: -CAPOS_EREVOKED", identify(server, copy2, &badge),
		  -CAPOS_EREVOKED);
	check_identified("the original client still identifies", server, a, BADGE_A);
	for (uint32_t h = 0; h < 8; h++)
		capos_release(rc, (uint32_t[]){ a, copy, copy2, rev1, rev2, oserver, oclient, oa }[h]);
}

int main(int argc, char **argv)
{
	uint32_t server, client;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child_mode();
	ut_init("utest-ipc-badge");
	ipc_endpoint(PING_IFACE, &server, &client);
	test_exact(server, client);
	test_unforgeable(server);
	test_kept(server);
	test_child(server);
	test_revoked(server);
	test_identify(server);
	capos_release(rc, server);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
