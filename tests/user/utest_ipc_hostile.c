/*
 * utest-ipc-hostile: everything a process can throw at endpoint IPC
 * (docs/ipc.md) — reply tokens it does not own (garbage, another
 * process's, already used, not a token at all), RECV on things that are
 * not endpoints, RECV buffers too small or not its own, RETURNs from bad
 * pointers, non-zero unused SQE fields, malformed application errors,
 * stale transfers, and floods of CALLs: up to the ring-operation quota
 * in this process, and from children that flood and then die, or die
 * with a call in service.  Every refusal is an error code, never a crash,
 * and a utest-ipc-server serving beside it stays healthy throughout.
 * One line per check, "utest-ipc-hostile: <what>: ok"; exit code =
 * failures.
 *
 * Child modes (this program, granted the target as "svc"):
 *   flood   CALL svc without waiting until -CAPOS_EQUOTA, check Null.nop
 *           still works, exit (0 when both held) with every call pending
 *   spray N submit N CALLs on svc and exit at once
 *   hold    PING_HOLD on svc, sleep 1 s, exit with the call in service
 */
#include <stdlib.h>
#include <string.h>
#include "utest_ipc.h"
#include "utest_census.h"

#define KERNEL_PTR 0xffffffff80000000ull
#define NONCANON_PTR 0x0000900000000000ull
#define FLOOD_MAX 600
#define STILL_WAITING 1000   /* pseudo status: the kernel accepted the operation and it waits */

#define rc capos_ring()  /* the calling thread's own ring client */
static uint32_t svc_server, svc_client;   /* served by a utest-ipc-server child */

/* ------------------------------------------------------------ helpers */

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Submit s; its status, or STILL_WAITING (then cancelled) when it did not complete within 100 ms. */
static int submit_briefly(struct capos_sqe *s)
{
	struct capos_completion c;
	uint64_t ud;
	int err = capos_submit_async(rc, s, 1, &ud);

	if (err)
		return err;
	err = ipc_wait_op(ud, 100 * UT_MS, &c);
	if (err != -CAPOS_ETIMEDOUT)
		return err;
	capos_cancel(rc, ud);
	ipc_wait_op(ud, CAPOS_TIMEOUT_INFINITE, &c);
	return STILL_WAITING;
}

static int ping(uint32_t cap, uint16_t method, void *out, uint32_t out_cap)
{
	return capos_ipc_call(cap, PING_IFACE, method, NULL, 0, NULL, 0, out, out_cap, NULL);
}

static void server_healthy(const char *what)
{
	char out[8] = { 0 };
	int err = capos_ipc_call(svc_client, PING_IFACE, PING_ECHO, "ok?", 4, NULL, 0, out, sizeof out, NULL);

	ut_check(!err && strcmp(out, "ok?") == 0, what, "echo: %d %s", err, capos_strerror(err));
}

/* A call on client received here: *token and the pending call's *ud. */
static int take_call(uint32_t server, uint32_t client, uint64_t *ud, uint64_t *token, void *out, uint32_t out_cap)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(64)];
	struct capos_ipc_request req;
	int err = ipc_call_async(client, PING_IFACE, PING_ECHO, "in", 3, NULL, 0, out, out_cap, ud);

	if (!err)
		err = capos_ipc_recv(server, buf, sizeof buf, &req);
	*token = err ? 0 : req.token;
	return err;
}

/* ------------------------------------------------------------ reply tokens */

static void test_foreign_token(void)
{
	struct capos_completion c;
	char out[8] = { 0 };
	uint64_t token = 0, ud;
	int32_t status = 1;
	int err;

	ipc_call_async(svc_client, PING_IFACE, PING_HOLD, NULL, 0, NULL, 0, out, sizeof out, &ud);
	for (int i = 0; i < 500 && !token; i++)
		if (ping(svc_client, PING_TOKEN, &token, sizeof token) != 0 || !token)
			capos_sleep_ns(10 * UT_MS);
	ut_check(token != 0, "the server holds a call and tells its token", "no token");
	err = ipc_return_raw(token, "forged", 7, NULL, 0, 0);
	ut_check(err < 0, "RETURN with the server's token value from another process is refused", "got %d", err);
	ut_note("RETURN with a foreign token: %d %s", err, capos_strerror(err));
	ut_status("the held call was not answered by it", ipc_wait_op(ud, 20 * UT_MS, &c), -CAPOS_ETIMEDOUT);
	ut_status("the server answers the held call", ping(svc_client, PING_RELEASE_HELD, &status, sizeof status), 0);
	ut_check(status == 0 && ipc_wait_op(ud, 5 * IPC_S, &c) == 0 && strcmp(out, "held") == 0,
		 "the held call gets the server's reply", "RETURN status %d, reply \"%.7s\"", status, out);
}

static void test_bad_tokens(void)
{
	struct capos_completion c;
	uint32_t server, client;
	uint64_t ud, token;
	char out[8];
	int err;

	err = ipc_return_raw(0x12345678abcdull, "x", 2, NULL, 0, 0);
	ut_check(err < 0, "RETURN with a garbage token is refused", "got %d", err);
	ut_note("RETURN with a garbage token: %d %s", err, capos_strerror(err));
	err = ipc_return_raw(ut_cap("null"), "x", 2, NULL, 0, 0);
	ut_check(err < 0, "RETURN naming a handle that is not a reply token is refused", "got %d", err);
	ut_note("RETURN with the null capability as token: %d %s", err, capos_strerror(err));
	ipc_endpoint(PING_IFACE, &server, &client);
	take_call(server, client, &ud, &token, out, sizeof out);
	ut_status("RETURN", ipc_return_raw(token, "one", 4, NULL, 0, 0), 0);
	ut_status("the call completes", ipc_wait_op(ud, 5 * IPC_S, &c), 0);
	err = ipc_return_raw(token, "two", 4, NULL, 0, 0);
	ut_check(err < 0, "RETURN with a token already used is refused", "got %d", err);
	ut_note("RETURN with a used token: %d %s", err, capos_strerror(err));
	capos_release(rc, server);
	capos_release(rc, client);
}

/* ------------------------------------------------------------ RECV */

static void test_recv_targets(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(16)];
	struct capos_sqe s;

	capos_sqe_recv(&s, 0, ut_cap("null"), buf, sizeof buf);
	ut_status("RECV on null: -CAPOS_ETYPE", submit_briefly(&s), -CAPOS_ETYPE);
	capos_sqe_recv(&s, 0, svc_client, buf, sizeof buf);
	ut_status("RECV on a client capability: -CAPOS_ETYPE", submit_briefly(&s), -CAPOS_ETYPE);
	capos_sqe_recv(&s, 0, 0x00abcdef, buf, sizeof buf);
	ut_status("RECV on a garbage handle: -CAPOS_EBADF", submit_briefly(&s), -CAPOS_EBADF);
}

static void test_recv_buffers(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(16)];
	uint32_t server, client;
	struct capos_completion c;
	struct capos_sqe s;
	uint64_t rud, cud;

	ipc_endpoint(PING_IFACE, &server, &client);
	capos_sqe_recv(&s, 0, server, buf, sizeof(struct capos_ipc_msg) - 1);
	ut_status("RECV with a buffer smaller than the header: -CAPOS_ERANGE", submit_briefly(&s), -CAPOS_ERANGE);
	capos_sqe_recv(&s, 0, server, buf, 0);
	ut_status("RECV with no buffer: -CAPOS_ERANGE", submit_briefly(&s), -CAPOS_ERANGE);
	capos_sqe_recv(&s, 0, server, buf, CAPOS_MSG_MAX + sizeof(struct capos_ipc_msg) + 1);
	ut_check(submit_briefly(&s) < 0, "RECV with a buffer above the largest message is refused", "accepted");
	capos_sqe_recv(&s, 0, server, (void *)(uintptr_t)KERNEL_PTR, sizeof buf);
	ut_status("RECV into the kernel half: -CAPOS_EFAULT", submit_briefly(&s), -CAPOS_EFAULT);
	capos_sqe_recv(&s, 0, server, (void *)(uintptr_t)NONCANON_PTR, sizeof buf);
	ut_status("RECV at a non-canonical address: -CAPOS_EFAULT", submit_briefly(&s), -CAPOS_EFAULT);
	ipc_recv_async(server, buf, sizeof(struct capos_ipc_msg), &rud);
	ipc_call_async(client, PING_IFACE, PING_ECHO, NULL, 0, NULL, 0, NULL, 0, &cud);
	ut_status("RECV with a buffer of exactly the header takes an empty call", ipc_wait_op(rud, 5 * IPC_S, &c), 0);
	ut_status("... which is answered", ipc_return_raw(c.aux, NULL, 0, NULL, 0, 0), 0);
	ut_status("... and completes", ipc_wait_op(cud, 5 * IPC_S, &c), 0);
	capos_release(rc, server);
	capos_release(rc, client);
}

/* ------------------------------------------------------------ unused fields */

static void test_recv_fields(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(16)];
	static const char *const names[] = { "iface", "method", "params_addr", "params_len", "xfer_count", "aux",
					     "flags", "reserved" };
	uint32_t server, client, refused = 0;
	struct capos_sqe s;

	ipc_endpoint(PING_IFACE, &server, &client);
	for (uint32_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int err;

		capos_sqe_recv(&s, 0, server, buf, sizeof buf);
		switch (i) {
		case 0: s.iface = PING_IFACE; break;
		case 1: s.method = 1; break;
		case 2: s.params_addr = addr(buf); break;
		case 3: s.params_len = 4; break;
		case 4: s.xfer_count = 1; s.xfer_addr = addr(buf); break;
		case 5: s.aux = 1; break;
		case 6: s.flags = CAPOS_SQE_F_APP_ERROR; break;
		default: s.reserved = 1; break;
		}
		err = submit_briefly(&s);
		if (err == -CAPOS_EINVAL)
			refused++;
		else
			ut_note("RECV with %s set: %d", names[i], err);
	}
	ut_check(refused == 8, "RECV with a non-zero unused field (8 kinds): -CAPOS_EINVAL", "%u of 8 refused", refused);
	capos_release(rc, server);
	capos_release(rc, client);
}

static void test_return_fields(void)
{
	static const char *const names[] = { "cap", "iface", "method", "result_addr", "result_len", "reserved" };
	uint32_t server, client, refused = 0;
	struct capos_completion c;
	struct capos_sqe s;
	uint64_t ud, token;
	char out[8] = { 0 };

	ipc_endpoint(PING_IFACE, &server, &client);
	take_call(server, client, &ud, &token, out, sizeof out);
	for (uint32_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int err;

		capos_sqe_return(&s, 0, token, "bad", 4, 0);
		switch (i) {
		case 0: s.cap = ut_cap("null"); break;
		case 1: s.iface = PING_IFACE; break;
		case 2: s.method = 1; break;
		case 3: s.result_addr = addr(out); break;
		case 4: s.result_len = 8; break;
		default: s.reserved = 1; break;
		}
		err = capos_submit_sync(rc, &s, NULL);
		if (err == -CAPOS_EINVAL)
			refused++;
		else
			ut_note("RETURN with %s set: %d", names[i], err);
	}
	ut_check(refused == 6, "RETURN with a non-zero unused field (6 kinds): -CAPOS_EINVAL", "%u of 6 refused", refused);
	ut_status("the call is still unanswered", ipc_wait_op(ud, 0, &c), -CAPOS_ETIMEDOUT);
	ut_status("a correct RETURN afterwards", ipc_return_raw(token, "good", 5, NULL, 0, 0), 0);
	ut_check(ipc_wait_op(ud, 5 * IPC_S, &c) == 0 && strcmp(out, "good") == 0, "the caller gets the correct reply",
		 "reply \"%.7s\"", out);
	capos_release(rc, server);
	capos_release(rc, client);
}

/* ------------------------------------------------------------ RETURN buffers, app errors */

static void test_return_pointers(void)
{
	uint32_t server, client;
	struct capos_completion c;
	struct capos_xfer *bad_x = (struct capos_xfer *)(uintptr_t)KERNEL_PTR;
	uint64_t ud, token;
	char out[8] = { 0 };
	int err, done;

	ipc_endpoint(PING_IFACE, &server, &client);
	take_call(server, client, &ud, &token, out, sizeof out);
	ut_status("RETURN with the reply in the kernel half: -CAPOS_EFAULT",
		  ipc_return_raw(token, (const void *)(uintptr_t)KERNEL_PTR, 4, NULL, 0, 0), -CAPOS_EFAULT);
	ut_status("RETURN with transfer descriptors in the kernel half: -CAPOS_EFAULT",
		  ipc_return_raw(token, "x", 2, bad_x, 1, 0), -CAPOS_EFAULT);
	ut_status("RETURN with a reply above CAPOS_MSG_MAX: -CAPOS_ERANGE",
		  ipc_return_raw(token, out, CAPOS_MSG_MAX + 1, NULL, 0, 0), -CAPOS_ERANGE);
	err = ipc_return_raw(token, "fine", 5, NULL, 0, 0);
	done = ipc_wait_op(ud, 5 * IPC_S, &c);
	ut_check(err == 0 && done == 0 && strcmp(out, "fine") == 0,
		 "after the refused RETURNs the token still answers the call", "RETURN %d, call %d", err, done);
	capos_release(rc, server);
	capos_release(rc, client);
}

static int app_error_return(uint64_t token, int32_t code, uint32_t message_len, uint32_t params_len)
{
	struct {
		struct capos_app_error head;
		char text[CAPOS_APP_ERROR_MESSAGE_MAX + 64];
	} e;

	memset(&e, 'm', sizeof e);
	e.head.code = code;
	e.head.message_len = message_len;
	return ipc_return_raw(token, &e, params_len, NULL, 0, CAPOS_SQE_F_APP_ERROR);
}

static void test_app_errors(void)
{
	uint32_t server, client, hdr = sizeof(struct capos_app_error);
	struct capos_completion c;
	struct capos_app_error *e;
	uint64_t ud, token;
	uint8_t out[64] = { 0 };

	ipc_endpoint(PING_IFACE, &server, &client);
	take_call(server, client, &ud, &token, out, sizeof out);
	ut_status("APP_ERROR RETURN with message_len beyond the parameters: -CAPOS_EINVAL",
		  app_error_return(token, 7, 10, hdr + 5), -CAPOS_EINVAL);
	ut_status("APP_ERROR RETURN with message_len short of the parameters: -CAPOS_EINVAL",
		  app_error_return(token, 7, 2, hdr + 5), -CAPOS_EINVAL);
	ut_status("APP_ERROR RETURN shorter than the header: -CAPOS_EINVAL", app_error_return(token, 7, 0, 4),
		  -CAPOS_EINVAL);
	ut_status("APP_ERROR RETURN with a message over 256 bytes: -CAPOS_EINVAL",
		  app_error_return(token, 7, CAPOS_APP_ERROR_MESSAGE_MAX + 1, hdr + CAPOS_APP_ERROR_MESSAGE_MAX + 1),
		  -CAPOS_EINVAL);
	ut_status("the call is still unanswered", ipc_wait_op(ud, 0, &c), -CAPOS_ETIMEDOUT);
	ut_status("a well-formed APP_ERROR RETURN", app_error_return(token, 7, 5, hdr + 5), 0);
	e = (struct capos_app_error *)out;
	ut_check(ipc_wait_op(ud, 5 * IPC_S, &c) == CAPOS_STATUS_APP_ERROR && c.result_len == hdr + 5 && e->code == 7 &&
		 e->message_len == 5, "the caller gets CAPOS_STATUS_APP_ERROR with the error", "status %d, %u bytes, code %d",
		 c.status, c.result_len, e->code);
	capos_release(rc, server);
	capos_release(rc, client);
}

static void test_stale_transfer(void)
{
	uint32_t extra = 0;
	struct capos_xfer x;
	struct ping_take_out took;

	ipc_mint(svc_server, PING_IFACE, CAPOS_RIGHT_TRANSFER, &extra);
	capos_release(rc, extra);
	x = (struct capos_xfer){ extra, CAPOS_XFER_COPY };
	ut_status("CALL transferring a stale capability: -CAPOS_EBADF",
		  capos_ipc_call(svc_client, PING_IFACE, PING_TAKE, NULL, 0, &x, 1, &took, sizeof took, NULL), -CAPOS_EBADF);
}

/* ------------------------------------------------------------ floods */

/* CALL client without waiting until the kernel says -CAPOS_EQUOTA: how many are pending, *refused when it did. */
static uint32_t flood(uint32_t client, uint64_t *uds, int *refused)
{
	struct capos_completion c = { 0 };
	uint32_t n = 0;

	*refused = 0;
	while (n < FLOOD_MAX && !*refused) {
		if (ipc_call_async(client, PING_IFACE, PING_ECHO, "f", 2, NULL, 0, NULL, 0, &uds[n]) != 0)
			break;
		if (ipc_wait_op(uds[n], 0, &c) == -CAPOS_ETIMEDOUT)
			n++;
		else
			*refused = c.status == -CAPOS_EQUOTA;
	}
	return n;
}

static void test_flood_here(void)
{
	static uint64_t uds[FLOOD_MAX];
	struct capos_endpoint_info_out info;
	struct capos_completion c;
	uint32_t server, client, n, cancelled = 0;
	int refused;

	ipc_endpoint(PING_IFACE, &server, &client);
	n = flood(client, uds, &refused);
	ut_check(refused, "a flood of CALLs nobody receives: -CAPOS_EQUOTA past the ring-operation quota",
		 "%u pending, no refusal", n);
	ut_note("ring-operation quota reached after %u pending CALLs", n);
	ut_status("Null.nop still works at the quota", capos_null_nop(rc, ut_cap("null")), 0);
	ut_check(ipc_info(server, &info) == 0 && info.queued == n, "Endpoint.info counts the queued flood",
		 "queued %u of %u", info.queued, n);
	for (uint32_t i = 0; i < n; i++)
		cancelled += capos_cancel(rc, uds[i]) == 0 && ipc_wait_op(uds[i], 5 * IPC_S, &c) == -CAPOS_ECANCELED;
	ut_check(cancelled == n, "every flooded CALL cancelled", "%u of %u", cancelled, n);
	ut_status("a call is served after the flood", ipc_self_echo(server, client, NULL, 0, NULL), 0);
	capos_release(rc, server);
	capos_release(rc, client);
}

static void test_flood_child(void)
{
	struct capos_endpoint_info_out info;
	uint32_t server, client, proc;
	int err;

	ipc_endpoint(PING_IFACE, &server, &client);
	proc = ipc_spawn("utest-ipc-hostile", "flood", "svc", &client, 1);
	ipc_expect_exit("a child floods an endpoint nobody serves up to its quota, then exits", proc, 0);
	err = ipc_info(server, &info);
	ut_check(!err && info.queued == 0, "the dead child's queued calls left the queue", "error %d, queued %u", err,
		 info.queued);
	ut_status("the endpoint serves a call afterwards", ipc_self_echo(server, client, NULL, 0, NULL), 0);
	capos_release(rc, server);
	capos_release(rc, client);
	proc = ipc_spawn("utest-ipc-hostile", "spray 200", "svc", &svc_client, 1);
	ipc_expect_exit("a child sprays 200 calls at the server and dies", proc, 0);
	server_healthy("the server is healthy after the spray");
}

static void test_holder_dies(void)
{
	uint32_t proc = ipc_spawn("utest-ipc-hostile", "hold", "svc", &svc_client, 1);
	uint64_t token = 0;
	int32_t status = 1;

	for (int i = 0; i < 300 && !token; i++)
		if (ping(svc_client, PING_TOKEN, &token, sizeof token) != 0 || !token)
			capos_sleep_ns(10 * UT_MS);
	ut_check(token != 0, "a child's call is in service", "never held");
	ipc_expect_exit("the child exits with its call in service", proc, 0);
	ping(svc_client, PING_RELEASE_HELD, &status, sizeof status);
	ut_status("the server's RETURN to the dead caller gets -CAPOS_EPEER", status, -CAPOS_EPEER);
	server_healthy("the server is healthy afterwards");
}

/* ------------------------------------------------------------ child modes */

static int mode_flood(void)
{
	static uint64_t uds[FLOOD_MAX];
	uint32_t svc = capos_cap_find("svc", NULL);
	int refused, nop;
	uint32_t n = flood(svc, uds, &refused);

	nop = capos_null_nop(rc, capos_cap_find("null", NULL));
	capos_printf("utest-ipc-hostile: flood child: %u pending, %s, Null.nop %d; exiting\n", n,
		     refused ? "then -CAPOS_EQUOTA" : "never refused", nop);
	return refused && nop == 0 ? 0 : 1;
}

static int mode_spray(uint32_t n)
{
	uint32_t svc = capos_cap_find("svc", NULL);
	static char out[16];
	uint64_t ud;

	for (uint32_t i = 0; i < n; i++)
		ipc_call_async(svc, PING_IFACE, PING_ECHO, "spray", 6, NULL, 0, out, sizeof out, &ud);
	return 0;
}

static int mode_hold(void)
{
	static char out[8];
	uint64_t ud;

	ipc_call_async(capos_cap_find("svc", NULL), PING_IFACE, PING_HOLD, NULL, 0, NULL, 0, out, sizeof out, &ud);
	capos_sleep_ns(IPC_S);
	return 0;
}

static int child_mode(int argc, char **argv)
{
	if (strcmp(argv[1], "flood") == 0)
		return mode_flood();
	if (strcmp(argv[1], "spray") == 0 && argc > 2)
		return mode_spray((uint32_t)strtoul(argv[2], NULL, 10));
	if (strcmp(argv[1], "hold") == 0)
		return mode_hold();
	capos_printf("utest-ipc-hostile: unknown mode '%s'\n", argv[1]);
	return 2;
}

/* ------------------------------------------------------------ main */

static const struct census_case cases[] = {
	{ "a foreign token", test_foreign_token },
	{ "bad tokens", test_bad_tokens },
	{ "bad RECV targets", test_recv_targets },
	{ "bad RECV buffers", test_recv_buffers },
	{ "RECV fields", test_recv_fields },
	{ "RETURN fields", test_return_fields },
	{ "RETURN pointers", test_return_pointers },
	{ "application errors", test_app_errors },
	{ "a stale transfer", test_stale_transfer },
	{ "a flood from here", test_flood_here },
	{ "a flood from a child", test_flood_child },
	{ "a holder that dies", test_holder_dies },
};

int main(int argc, char **argv)
{
	uint32_t proc;

	if (argc > 1)
		return child_mode(argc, argv);
	ut_init("utest-ipc-hostile");
	ipc_endpoint(PING_IFACE, &svc_server, &svc_client);
	proc = ipc_spawn_server("", svc_server);
	server_healthy("the server answers");
	census_run_twice(cases, sizeof cases / sizeof cases[0]);
	server_healthy("the server is healthy at the end");
	ping(svc_client, PING_EXIT, NULL, 0);
	ipc_expect_exit("the server exits 0 after PING_EXIT", proc, 0);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
