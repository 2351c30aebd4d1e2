/*
 * utest-ipc-notify: what a server learns about its clients and calls
 * (docs/ipc.md, "What a server can learn"), under attack.  Runs as init,
 * alone: it is client and server of its own endpoints.
 *
 *   Endpoint.wait_no_clients   pending while a client capability lives
 *                              (an original, a revocable copy); completes
 *                              when the last is released or revoked (a
 *                              copy's Revoker does not keep it), at
 *                              once when there is none; one per endpoint
 *                              (-CAPOS_EBUSY); a short result buffer
 *                              (-CAPOS_ERANGE); CANCEL and closing the
 *                              endpoint end it with -CAPOS_ECANCELED.
 *   Reply.info                 waiting 1 while the caller waits, 0 once it
 *                              cancelled; not on other handles.
 *   RETURN CAPOS_SQE_F_STATUS  the CALL completes with the code; a code
 *                              that is not a negative CAPOS_E*, a wrong
 *                              length, transfers or both flags are refused
 *                              and the token stays usable.
 *
 * One line per check, "utest-ipc-notify: <what>: ok"; exit code = failures.
 */
#include <string.h>
#include <capos/ipc.h>
#include "utest.h"

#define rc capos_ring()
#define IFACE 0x1234u
#define SHORT_WAIT (20 * UT_MS)

static uint8_t recv_buf[CAPOS_IPC_RECV_BUF(64)] __attribute__((aligned(8)));

/* Start Endpoint.wait_no_clients on server with a result buffer of out_cap bytes. */
static int start_idle_wait(uint32_t server, struct capos_endpoint_wait_no_clients_out *out, uint32_t out_cap,
			   uint64_t *ud)
{
	return capos_call_async(rc, server, CAPOS_IFACE_ENDPOINT, CAPOS_ENDPOINT_WAIT_NO_CLIENTS, NULL, 0, out,
				out_cap, ud);
}

/* The status the operation completed with, or 1 when it is still pending after a short wait. */
static int outcome(uint64_t ud, uint64_t timeout)
{
	struct capos_completion c;
	int err = capos_ring_wait(rc, ud, timeout, &c);

	if (err == -CAPOS_ETIMEDOUT)
		return 1;
	return err ? err : c.status;
}

static void test_no_clients(void)
{
	struct capos_endpoint_wait_no_clients_out out, out2;
	uint32_t server, client, copy, revoker, minted;
	uint64_t ud, ud2;
	int err = capos_endpoint_create(IFACE, &server, &client);

	ut_status("EndpointFactory.create", err, 0);
	if (err)
		return;
	ut_status("wait_no_clients with a 0-byte result buffer", start_idle_wait(server, &out, 0, &ud) ?: outcome(ud, SHORT_WAIT),
		  -CAPOS_ERANGE);
	ut_status("wait_no_clients on a client capability",
		  capos_call_sync(rc, client, CAPOS_IFACE_ENDPOINT, CAPOS_ENDPOINT_WAIT_NO_CLIENTS, NULL, 0, &out,
				  sizeof out, NULL), -CAPOS_ETYPE);
	ut_status("wait_no_clients while a client lives", start_idle_wait(server, &out, sizeof out, &ud), 0);
	ut_status("... is pending", outcome(ud, SHORT_WAIT), 1);
	ut_status("a second wait_no_clients on the endpoint",
		  start_idle_wait(server, &out2, sizeof out2, &ud2) ?: outcome(ud2, SHORT_WAIT), -CAPOS_EBUSY);
	err = capos_cap_derive(client, CAPOS_RIGHT_ALL, &copy, &revoker);
	ut_status("a revocable copy of the client", err, 0);
	ut_status("releasing the original client", capos_release(rc, client), 0);
	ut_status("... the copy still holds it: pending", outcome(ud, SHORT_WAIT), 1);
	ut_status("revoking the copy", capos_cap_revoke(revoker), 0);
	ut_status("... completes the wait", outcome(ud, SHORT_WAIT), 0);
	ut_check(out.clients == 0, "... with clients 0", "clients %u", out.clients);
	ut_status("wait_no_clients with no client left completes at once",
		  capos_call_sync(rc, server, CAPOS_IFACE_ENDPOINT, CAPOS_ENDPOINT_WAIT_NO_CLIENTS, NULL, 0, &out,
				  sizeof out, NULL), 0);
	capos_release(rc, copy);
	capos_release(rc, revoker);

	/* The Revoker does not keep its copy alive: the copy's last handle going is the last client going. */
	err = capos_endpoint_mint_client(server, IFACE, CAPOS_RIGHT_ALL, &minted);
	err = err ?: capos_cap_derive(minted, CAPOS_RIGHT_ALL, &copy, &revoker);
	ut_status("a copy of a minted client, its Revoker kept", err, 0);
	capos_release(rc, minted);
	ut_status("wait_no_clients while only the copy holds it", start_idle_wait(server, &out, sizeof out, &ud), 0);
	ut_status("releasing the copy's only handle", capos_release(rc, copy), 0);
	ut_status("... completes the wait though its Revoker lives", outcome(ud, SHORT_WAIT), 0);
	ut_status("revoking the copy that is gone: nothing to do", capos_cap_revoke(revoker), 0);
	capos_release(rc, revoker);

	err = capos_endpoint_mint_client(server, IFACE, CAPOS_RIGHT_ALL, &minted);
	ut_status("Endpoint.mint", err, 0);
	ut_status("wait_no_clients again", start_idle_wait(server, &out, sizeof out, &ud), 0);
	ut_status("CANCEL of the wait", capos_cancel(rc, ud), 0);
	ut_status("... ends it with -CAPOS_ECANCELED", outcome(ud, SHORT_WAIT), -CAPOS_ECANCELED);
	ut_status("a wait after the cancel", start_idle_wait(server, &out, sizeof out, &ud), 0);
	ut_status("releasing the minted client", capos_release(rc, minted), 0);
	ut_status("... completes it", outcome(ud, SHORT_WAIT), 0);

	err = capos_endpoint_mint_client(server, IFACE, CAPOS_RIGHT_ALL, &minted);
	ut_status("wait_no_clients then the endpoint released",
		  err ?: start_idle_wait(server, &out, sizeof out, &ud), 0);
	capos_release(rc, server);
	ut_status("... ends it with -CAPOS_ECANCELED", outcome(ud, SHORT_WAIT), -CAPOS_ECANCELED);
	capos_release(rc, minted);
}

/* CALL client asynchronously and RECV it on server: the token, or 0. */
static uint64_t call_and_receive(uint32_t server, uint32_t client, uint8_t *out, uint32_t out_cap, uint64_t *ud)
{
	struct capos_ipc_request req;

	if (capos_call_async(rc, client, IFACE, 7, "x", 1, out, out_cap, ud))
		return 0;
	return capos_ipc_recv(server, recv_buf, sizeof recv_buf, &req) ? 0 : req.token;
}

static int reply_waiting(uint64_t token)
{
	struct capos_reply_info_out info = { .waiting = 0xeeu };
	int err = capos_reply_info(rc, (uint32_t)token, &info);

	return err ? err : (int)info.waiting;
}

static int raw_return(uint64_t token, uint8_t flags, const void *params, uint32_t len)
{
	struct capos_sqe s = { .opcode = CAPOS_OP_RETURN, .aux = token, .flags = flags,
			       .params_addr = (uint64_t)(uintptr_t)params, .params_len = len };

	return capos_submit_sync(rc, &s, NULL);
}

static void test_reply_and_status(void)
{
	static const int32_t bad[] = { 0, 5, -(int32_t)CAPOS_ERROR_COUNT, -1000, INT32_MIN };
	uint32_t server, client;
	uint8_t out[16];
	uint64_t ud, token;
	int32_t code;
	int64_t wide = -CAPOS_EBUSY;
	int err = capos_endpoint_create(IFACE, &server, &client);
	struct capos_reply_info_out info;

	ut_status("a second endpoint", err, 0);
	if (err)
		return;
	token = call_and_receive(server, client, out, sizeof out, &ud);
	ut_check(token != 0, "a call received", "no token");
	ut_status("Reply.info while the caller waits", reply_waiting(token), 1);
	ut_status("CANCEL of the call in service", capos_cancel(rc, ud), 0);
	ut_status("... completes it with -CAPOS_ECANCELED", outcome(ud, SHORT_WAIT), -CAPOS_ECANCELED);
	ut_status("Reply.info after the cancel", reply_waiting(token), 0);
	ut_status("RETURN after the cancel", capos_ipc_return_status(token, -CAPOS_EBUSY), -CAPOS_EPEER);
	ut_status("Reply.info on an endpoint handle", capos_reply_info(rc, server, &info), -CAPOS_ETYPE);

	token = call_and_receive(server, client, out, sizeof out, &ud);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char what[64];

		capos_snprintf(what, sizeof what, "status RETURN with code %d", (int)bad[i]);
		ut_status(what, raw_return(token, CAPOS_SQE_F_STATUS, &bad[i], sizeof bad[i]), -CAPOS_EINVAL);
	}
	code = -CAPOS_EBUSY;
	ut_status("status RETURN of 8 bytes", raw_return(token, CAPOS_SQE_F_STATUS, &wide, sizeof wide), -CAPOS_EINVAL);
	ut_status("status RETURN of 0 bytes", raw_return(token, CAPOS_SQE_F_STATUS, NULL, 0), -CAPOS_EINVAL);
	ut_status("status RETURN with the app-error flag too",
		  raw_return(token, CAPOS_SQE_F_STATUS | CAPOS_SQE_F_APP_ERROR, &code, sizeof code), -CAPOS_EINVAL);
	ut_status("RETURN with an unknown flag", raw_return(token, 4, &code, sizeof code), -CAPOS_EINVAL);
	{
		struct capos_sqe s = { .opcode = CAPOS_OP_RETURN, .aux = token, .flags = CAPOS_SQE_F_STATUS,
				       .params_addr = (uint64_t)(uintptr_t)&code, .params_len = sizeof code };
		struct capos_xfer x = { client, CAPOS_XFER_COPY };

		capos_sqe_xfer(&s, &x, 1);
		ut_status("status RETURN with a capability", capos_submit_sync(rc, &s, NULL), -CAPOS_EINVAL);
	}
	ut_status("the refused RETURNs left the call waiting", reply_waiting(token), 1);
	ut_status("status RETURN of -CAPOS_EBUSY", capos_ipc_return_status(token, -CAPOS_EBUSY), 0);
	ut_status("... the call completes with -CAPOS_EBUSY", outcome(ud, SHORT_WAIT), -CAPOS_EBUSY);
	token = call_and_receive(server, client, out, sizeof out, &ud);
	ut_status("status RETURN of -CAPOS_EMASKED (the last code)", capos_ipc_return_status(token, -CAPOS_EMASKED), 0);
	ut_status("... the call completes with it", outcome(ud, SHORT_WAIT), -CAPOS_EMASKED);
	capos_release(rc, client);
	capos_release(rc, server);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init("utest-ipc-notify");
	test_no_clients();
	test_reply_and_status();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
