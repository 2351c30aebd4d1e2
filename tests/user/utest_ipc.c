/*
 * utest-ipc: a ping service over an endpoint (docs/ipc.md).  Runs as init:
 * creates endpoints, starts utest-ipc-server children to serve them and
 * calls them — echoes, large messages, application errors, the badges
 * the server sees from two concurrent client processes (this program
 * again, in mode "client"), the limits on message sizes — and plays both
 * sides of an endpoint itself to keep several calls in service at once,
 * cancel calls and read Endpoint.info.  One line per check,
 * "utest-ipc: <what>: ok"; the exit code is the number of failures.
 *
 * Mode "client N" (a child granted the service as "svc"): N echo calls and
 * a few PING_WHO; exits with 2^32 + the low 32 bits of the badge the
 * server saw when every echo came back and the badge was stable, 1
 * otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include "utest_ipc.h"

#define ECHOES 100
#define CLIENT_ECHOES 50
#define WHO_ROUNDS 5
#define LARGE 60000u
#define CLIENT_OK (1ll << 32)
#define BADGE_A 0x00000000a1a1a1a1ull   /* the two client processes' badges */
#define BADGE_B 0x00000001b2b2b2b2ull
#define BADGE_OTHER 0x0000000000000777ull

static uint8_t big_in[CAPOS_MSG_MAX + 8], big_out[CAPOS_MSG_MAX + 8];
static uint32_t test_calls;   /* calls this process made to the main server */

/* ------------------------------------------------------------ helpers */

static int call(uint32_t cap, uint16_t method, const void *in, uint32_t in_len, void *out, uint32_t out_cap,
		struct capos_ipc_reply *reply)
{
	struct capos_ipc_reply scratch;

	return capos_ipc_call(cap, PING_IFACE, method, in, in_len, NULL, 0, out, out_cap, reply ? reply : &scratch);
}

static int who(uint32_t cap, uint64_t *ref)
{
	struct capos_ipc_reply r;
	int err = call(cap, PING_WHO, NULL, 0, ref, sizeof *ref, &r);

	return !err && r.len != sizeof *ref ? -CAPOS_EFORMAT : err;
}

static int stats(uint32_t cap, struct ping_stats *s)
{
	memset(s, 0, sizeof *s);
	return call(cap, PING_STATS, NULL, 0, s, sizeof *s, NULL);
}

static void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8));
}

static void check_info(const char *what, uint32_t server, uint32_t queued, uint32_t receivers, uint32_t in_flight,
		       uint32_t servers)
{
	struct capos_endpoint_info_out i;
	int err = ipc_info(server, &i);

	ut_check(!err && i.queued == queued && i.receivers == receivers && i.in_flight == in_flight &&
		 i.servers == servers, what, "error %d: queued %u receivers %u in_flight %u servers %u, expected %u %u %u %u",
		 err, i.queued, i.receivers, i.in_flight, i.servers, queued, receivers, in_flight, servers);
}

static void check_servers(const char *what, uint32_t server, uint32_t servers)
{
	struct capos_endpoint_info_out i;
	int err = ipc_info(server, &i);

	ut_check(!err && i.servers == servers, what, "error %d: servers %u, expected %u", err, i.servers, servers);
}

/* ------------------------------------------------------------ two processes */

static void test_echoes(uint32_t client)
{
	uint8_t in[64], out[64];
	struct capos_ipc_reply r;
	uint32_t good = 0;
	int err = 0;

	for (uint32_t i = 0; i < ECHOES; i++) {
		uint32_t len = 1 + i % sizeof in;

		fill(in, len, i);
		memset(out, 0, sizeof out);
		err = call(client, PING_ECHO, in, len, out, sizeof out, &r);
		test_calls++;
		if (err || r.len != len || r.cap_count != 0 || memcmp(in, out, len) != 0)
			break;
		good++;
	}
	ut_check(good == ECHOES, "100 echo calls to a server process come back intact",
		 "%u good, then status %d %s", good, err, capos_strerror(err));
	ut_status("an empty echo", call(client, PING_ECHO, NULL, 0, out, sizeof out, NULL), 0);
	test_calls++;
}

static void test_wrong_iface(uint32_t client)
{
	ut_status("CALL naming another interface than the capability's", capos_ipc_call(client, PING_IFACE + 1, PING_ECHO,
		  NULL, 0, NULL, 0, NULL, 0, &(struct capos_ipc_reply){ 0 }), -CAPOS_ETYPE);
}

static void test_app_error(uint32_t client)
{
	char out[512];
	struct capos_ipc_reply r = { 0 };
	int err = call(client, PING_UNKNOWN, "x", 1, out, sizeof out, &r);
	size_t n = sizeof PING_APP_MESSAGE - 1;

	test_calls++;
	ut_status("a method the server rejects: CAPOS_STATUS_APP_ERROR", err, CAPOS_STATUS_APP_ERROR);
	ut_check(err == CAPOS_STATUS_APP_ERROR && r.app_code == PING_APP_CODE && r.app_message_len == n &&
		 r.app_message && memcmp(r.app_message, PING_APP_MESSAGE, n) == 0,
		 "the application error carries code 42 and its message", "code %d, message length %u", r.app_code,
		 r.app_message_len);
}

static void test_large(uint32_t client)
{
	struct capos_ipc_reply r = { 0 };
	int err;

	fill(big_in, LARGE, 99);
	err = call(client, PING_ECHO, big_in, LARGE, big_out, LARGE, &r);
	test_calls++;
	ut_check(!err && r.len == LARGE && memcmp(big_in, big_out, LARGE) == 0, "a 60000-byte message round trip",
		 "status %d, %u bytes back", err, r.len);
	fill(big_in, CAPOS_MSG_MAX, 7);
	memset(big_out, 0, CAPOS_MSG_MAX);
	err = call(client, PING_ECHO, big_in, CAPOS_MSG_MAX, big_out, CAPOS_MSG_MAX, &r);
	test_calls++;
	ut_check(!err && r.len == CAPOS_MSG_MAX && memcmp(big_in, big_out, CAPOS_MSG_MAX) == 0,
		 "a CAPOS_MSG_MAX (65536-byte) message round trip", "status %d, %u bytes back", err, r.len);
	ut_status("parameters above CAPOS_MSG_MAX", call(client, PING_ECHO, big_in, CAPOS_MSG_MAX + 1, big_out,
							 CAPOS_MSG_MAX, NULL), -CAPOS_ERANGE);
}

static void test_reply_too_big(uint32_t client)
{
	struct ping_stats before, after;
	uint8_t in[100] = { 1 }, out[50];

	stats(client, &before);
	ut_status("a reply bigger than the caller's result buffer: the CALL gets -CAPOS_ERANGE",
		  call(client, PING_ECHO, in, sizeof in, out, sizeof out, NULL), -CAPOS_ERANGE);
	stats(client, &after);
	test_calls += 3;
	ut_check(after.return_errors == before.return_errors + 1, "... and the server's RETURN is told it failed",
		 "return errors %u then %u", before.return_errors, after.return_errors);
}

/* ------------------------------------------------------------ callers */

static uint32_t spawn_client(uint32_t client)
{
	char args[32];

	capos_snprintf(args, sizeof args, "client %u", CLIENT_ECHOES);
	return ipc_spawn("utest-ipc", args, "svc", &client, 1);
}

static int64_t client_result(uint32_t proc)
{
	int64_t code;
	uint32_t reason;
	int err = ipc_wait(proc, &code, &reason);

	return !err && reason == CAPOS_EXIT_NORMAL ? code : -1000 - (int64_t)reason;
}

static void test_callers(uint32_t client, uint32_t server)
{
	uint64_t mine = 1, again = 2;
	int64_t ca, cb;
	uint32_t a = 0, b = 0, pa, pb;
	struct ping_stats s;

	ut_status("PING_WHO", who(client, &mine), 0);
	ut_status("PING_WHO again", who(client, &again), 0);
	test_calls += 2;
	ut_check(mine == 0 && again == 0, "EndpointFactory.create's client shows badge 0, call after call",
		 "%#llx then %#llx", (unsigned long long)mine, (unsigned long long)again);
	check_servers("Endpoint.info counts the server child's copy of the Endpoint", server, 2);
	ut_status("Endpoint.mint a badged client for the first client process",
		  capos_endpoint_mint_badged(server, PING_IFACE, CAPOS_RIGHT_ALL, BADGE_A, &a), 0);
	ut_status("Endpoint.mint a badged client for the second",
		  capos_endpoint_mint_badged(server, PING_IFACE, CAPOS_RIGHT_ALL, BADGE_B, &b), 0);
	pa = spawn_client(a);
	pb = spawn_client(b);
	ca = client_result(pa);
	cb = client_result(pb);
	ut_check(ca >= CLIENT_OK && cb >= CLIENT_OK, "two concurrent client processes served: echoes intact, badges stable",
		 "exit codes %#llx %#llx", (unsigned long long)ca, (unsigned long long)cb);
	ut_check(ca == CLIENT_OK + (int64_t)(BADGE_A & 0xffffffffu) && cb == CLIENT_OK + (int64_t)(BADGE_B & 0xffffffffu),
		 "each client process's calls show the badge of its own capability", "%#llx %#llx",
		 (unsigned long long)ca, (unsigned long long)cb);
	ut_status("PING_STATS", stats(client, &s), 0);
	test_calls++;
	ut_check(s.callers == 3 && s.calls == test_calls + 2 * (CLIENT_ECHOES + WHO_ROUNDS),
		 "the server saw 3 distinct badges and every call", "%u badges, %u calls (expected %u)", s.callers,
		 s.calls, test_calls + 2 * (CLIENT_ECHOES + WHO_ROUNDS));
	capos_release(capos_ring(), a);
	capos_release(capos_ring(), b);
}

/* A badge belongs to the capability: a client of another endpoint shows what that endpoint minted. */
static void test_other_endpoint(void)
{
	uint32_t server, client, badged = 0, proc;
	uint64_t seen = 1;

	ipc_endpoint(PING_IFACE, &server, &client);
	ut_status("Endpoint.mint on a second endpoint", capos_endpoint_mint_badged(server, PING_IFACE, CAPOS_RIGHT_ALL,
											BADGE_OTHER, &badged), 0);
	proc = ipc_spawn_server("", server);
	ut_status("PING_WHO on a second endpoint", who(badged, &seen), 0);
	ut_check(seen == BADGE_OTHER, "a second endpoint's server sees the badge it minted", "%#llx",
		 (unsigned long long)seen);
	call(client, PING_EXIT, NULL, 0, NULL, 0, NULL);
	ipc_expect_exit("the second server exits 0 after PING_EXIT", proc, 0);
	capos_release(capos_ring(), server);
	capos_release(capos_ring(), client);
	capos_release(capos_ring(), badged);
}

static int client_mode(uint32_t echoes)
{
	uint32_t svc = capos_cap_find("svc", NULL);
	uint8_t in[32], out[32];
	uint64_t first = 0, ref = 0;
	struct capos_ipc_reply r;
	int bad = !svc;

	for (uint32_t i = 0; i < echoes && !bad; i++) {
		fill(in, sizeof in, i + 1000);
		bad = call(svc, PING_ECHO, in, sizeof in, out, sizeof out, &r) != 0 || r.len != sizeof in ||
		      memcmp(in, out, sizeof in) != 0;
	}
	for (uint32_t i = 0; i < WHO_ROUNDS && !bad; i++) {
		bad = who(svc, &ref) != 0 || (i > 0 && ref != first);
		if (i == 0)
			first = ref;
	}
	capos_printf("utest-ipc: client: badge %#llx, %s\n", (unsigned long long)first, bad ? "FAILED" : "fine");
	capos_process_exit(bad ? 1 : CLIENT_OK + (int64_t)(first & 0xffffffffu));
}

/* ------------------------------------------------------------ limits */

static void test_small_receiver(void)
{
	uint32_t server, client, proc;
	uint8_t in[2000] = { 5 }, out[2000];
	struct capos_ipc_reply r = { 0 };

	ipc_endpoint(PING_IFACE, &server, &client);
	proc = ipc_spawn_server("small 256", server);
	ut_status("a message bigger than the receiver's buffer: the CALL gets -CAPOS_ERANGE",
		  call(client, PING_ECHO, in, sizeof in, out, sizeof out, NULL), -CAPOS_ERANGE);
	ut_check(call(client, PING_ECHO, in, 100, out, sizeof out, &r) == 0 && r.len == 100 && memcmp(in, out, 100) == 0,
		 "... and the receiver kept waiting: the next call is served", "reply of %u bytes", r.len);
	ut_status("a message of exactly the receiver's room", call(client, PING_ECHO, in,
		  256 - (uint32_t)sizeof(struct capos_ipc_msg), out, sizeof out, NULL), 0);
	ut_status("one byte more", call(client, PING_ECHO, in, 257 - (uint32_t)sizeof(struct capos_ipc_msg), out,
					sizeof out, NULL), -CAPOS_ERANGE);
	call(client, PING_EXIT, NULL, 0, NULL, 0, NULL);
	ipc_expect_exit("the small-buffer server exits 0", proc, 0);
	capos_release(capos_ring(), server);
	capos_release(capos_ring(), client);
}

/* A call on a minted capability reaches the server naming the minted interface id. */
static void check_minted_iface(uint32_t server, uint32_t minted)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(16)];
	struct capos_ipc_request req = { 0 };
	struct capos_completion c;
	uint64_t ud;
	int err = ipc_call_async(minted, OTHER_IFACE, 3, NULL, 0, NULL, 0, NULL, 0, &ud);

	if (!err)
		err = capos_ipc_recv(server, buf, sizeof buf, &req);
	ut_check(!err && req.iface == OTHER_IFACE && req.method == 3, "the server sees the minted interface id and the method",
		 "error %d, iface %#x method %u", err, req.iface, req.method);
	if (!err)
		capos_ipc_return(req.token, NULL, 0, NULL, 0);
	ut_status("the call on the minted capability completes", ipc_wait_op(ud, 5 * IPC_S, &c), 0);
}

static void test_bad_iface_ids(void)
{
	uint32_t server = 0, client = 0, extra = 0;
	int err = capos_endpoint_create(CAPOS_IFACE_USER_MIN - 1, &server, &client);

	ut_check(err < 0, "EndpointFactory.create with a kernel interface id is refused", "got %d", err);
	ut_note("EndpointFactory.create(0xfff): %d %s", err, capos_strerror(err));
	ipc_endpoint(PING_IFACE, &server, &client);
	err = ipc_mint(server, CAPOS_IFACE_CONSOLE, CAPOS_RIGHT_TRANSFER, &extra);
	ut_check(err < 0, "Endpoint.mint with a kernel interface id is refused", "got %d", err);
	ut_note("Endpoint.mint(Console): %d %s", err, capos_strerror(err));
	ut_status("Endpoint.mint of another user interface id", ipc_mint(server, OTHER_IFACE, CAPOS_RIGHT_TRANSFER, &extra), 0);
	ut_status("a CALL on the minted capability naming the endpoint's first interface id",
		  capos_ipc_call(extra, PING_IFACE, 0, NULL, 0, NULL, 0, NULL, 0, &(struct capos_ipc_reply){ 0 }),
		  -CAPOS_ETYPE);
	check_minted_iface(server, extra);
	capos_release(capos_ring(), extra);
	capos_release(capos_ring(), server);
	capos_release(capos_ring(), client);
}

/* ------------------------------------------------------------ one process, both sides */

struct pending_call {
	const char *text;
	char out[32];
	uint64_t ud;
};

static void test_two_in_service(void)
{
	static uint8_t buf[2][CAPOS_IPC_RECV_BUF(64)];
	struct pending_call calls[2] = { { .text = "first" }, { .text = "second" } };
	struct capos_ipc_request req[2];
	struct capos_completion c[2];
	uint64_t rud[2];
	uint32_t server, client, matched = 0;
	char reply[40];

	ipc_endpoint(PING_IFACE, &server, &client);
	for (int i = 0; i < 2; i++)
		ipc_recv_async(server, buf[i], sizeof buf[i], &rud[i]);
	check_info("Endpoint.info: two RECVs waiting", server, 0, 2, 0, 1);
	for (int i = 0; i < 2; i++)
		ipc_call_async(client, PING_IFACE, PING_ECHO, calls[i].text, (uint32_t)strlen(calls[i].text) + 1, NULL, 0,
			       calls[i].out, sizeof calls[i].out, &calls[i].ud);
	for (int i = 0; i < 2; i++) {
		int err = ipc_wait_op(rud[i], 5 * IPC_S, &c[i]);

		if (!err && capos_ipc_parse_request(buf[i], c[i].result_len, c[i].aux, &req[i]) == 0)
			matched++;
	}
	ut_check(matched == 2, "two RECVs outstanding at once both receive a call", "%u received", matched);
	check_info("Endpoint.info: two calls in service", server, 0, 0, 2, 1);
	for (int i = 1; i >= 0 && matched == 2; i--) {
		capos_snprintf(reply, sizeof reply, "re:%s", (const char *)req[i].params);
		ut_status(i ? "RETURN of the second call received, first" : "RETURN of the first call received, second",
			  capos_ipc_return(req[i].token, reply, (uint32_t)strlen(reply) + 1, NULL, 0), 0);
	}
	matched = 0;
	for (int i = 0; i < 2; i++) {
		capos_snprintf(reply, sizeof reply, "re:%s", calls[i].text);
		matched += ipc_wait_op(calls[i].ud, 5 * IPC_S, &c[i]) == 0 && strcmp(calls[i].out, reply) == 0;
	}
	ut_check(matched == 2, "each of the two calls got its own reply", "%u right", matched);
	check_info("Endpoint.info: idle again", server, 0, 0, 0, 1);
	capos_release(capos_ring(), server);
	capos_release(capos_ring(), client);
}

static void test_cancel(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(64)];
	struct capos_ipc_request req;
	struct capos_completion c;
	uint32_t server, client;
	char out[16];
	uint64_t ud;

	ipc_endpoint(PING_IFACE, &server, &client);
	check_info("Endpoint.info of a new endpoint", server, 0, 0, 0, 1);
	ipc_call_async(client, PING_IFACE, PING_ECHO, "q", 2, NULL, 0, out, sizeof out, &ud);
	ut_status("a call with nobody receiving stays pending", ipc_wait_op(ud, 50 * UT_MS, &c), -CAPOS_ETIMEDOUT);
	check_info("Endpoint.info: one call queued", server, 1, 0, 0, 1);
	ut_status("CANCEL of a queued call", capos_cancel(capos_ring(), ud), 0);
	ut_status("the queued call completes with -CAPOS_ECANCELED", ipc_wait_op(ud, 5 * IPC_S, &c), -CAPOS_ECANCELED);
	check_info("Endpoint.info: the queue is empty after the cancel", server, 0, 0, 0, 1);

	ipc_call_async(client, PING_IFACE, PING_ECHO, "r", 2, NULL, 0, out, sizeof out, &ud);
	ut_status("RECV of a call", capos_ipc_recv(server, buf, sizeof buf, &req), 0);
	ut_status("CANCEL of a call in service", capos_cancel(capos_ring(), ud), 0);
	ut_status("the call in service completes with -CAPOS_ECANCELED at once", ipc_wait_op(ud, 5 * IPC_S, &c),
		  -CAPOS_ECANCELED);
	ut_status("the server's later RETURN gets -CAPOS_EPEER", capos_ipc_return(req.token, "late", 5, NULL, 0),
		  -CAPOS_EPEER);
	check_info("Endpoint.info: nothing in flight afterwards", server, 0, 0, 0, 1);
	ut_status("a call served in this process after all that", ipc_self_echo(server, client, NULL, 0, NULL), 0);
	capos_release(capos_ring(), server);
	capos_release(capos_ring(), client);
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	uint32_t server, client, proc;

	ut_init("utest-ipc");
	if (argc > 2 && strcmp(argv[1], "client") == 0)
		return client_mode((uint32_t)strtoul(argv[2], NULL, 10));
	ipc_endpoint(PING_IFACE, &server, &client);
	proc = ipc_spawn_server("", server);
	test_echoes(client);
	test_wrong_iface(client);
	test_app_error(client);
	test_large(client);
	test_reply_too_big(client);
	test_callers(client, server);
	test_other_endpoint();
	ut_status("PING_EXIT", call(client, PING_EXIT, NULL, 0, NULL, 0, NULL), 0);
	ipc_expect_exit("the server exits 0 after PING_EXIT", proc, 0);
	check_info("Endpoint.info: the child's copy of the Endpoint is gone with it", server, 0, 0, 0, 1);
	capos_release(capos_ring(), server);
	capos_release(capos_ring(), client);
	test_small_receiver();
	test_bad_iface_ids();
	test_two_in_service();
	test_cancel();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
