/*
 * utest-terminal-hostile: the terminal service (apps/terminal) under
 * attack.  Started by init from tests/manifests/boot/terminal-hostile.yaml
 * as a client of the service ("terminal"), with no COM2 needed: every
 * check is about the protocol and the holders, not the UART.
 *
 *   - unknown methods, parameters of the wrong size, results that cannot
 *     fit, a capability sent along: each refused like a kernel decoder
 *     would (ENOSYS, ERANGE, EINVAL), the sent capability released, and
 *     the service answers the next call;
 *   - revoked holders: every method through a revoked borrower is refused
 *     by the kernel (-CAPOS_EREVOKED), and it cannot be transferred;
 *   - the lending depth (16) and reclaim of the whole chain; lend/release
 *     churn: the service's holder slots come back;
 *   - a crash of the service: a second instance this program starts on
 *     an endpoint of its own is killed; the borrower lent by it answers
 *     -CAPOS_EPEER, a restarted instance on the same endpoint serves the
 *     same root capability again.
 *
 * One line per check; exit code = failures.
 */
#include <string.h>
#include <capos/cap.h>
#include <capos/ipc.h>
#include <capos/terminal.h>
#include "utest.h"

#define rc capos_ring()
#define CHURN 100

static uint32_t root;

static int call_raw(uint32_t cap, uint16_t method, const void *in, uint32_t in_len, void *out, uint32_t out_cap)
{
	return capos_call_sync(rc, cap, CAPOS_IFACE_TERMINAL_SESSION, method, in, in_len, out, out_cap, NULL);
}

static uint32_t state_of(uint32_t cap)
{
	struct capos_terminal_session_info_out info = { .state = 99 };
	int err = capos_terminal_session_info(rc, cap, &info);

	return err == -CAPOS_EREVOKED ? CAPOS_TERMINAL_STATE_REVOKED : err ? 100u + (uint32_t)-err : info.state;
}

/* The service still answers: info on the root works and shows it holding the foreground. */
static void still_serving(const char *what)
{
	ut_check(state_of(root) == CAPOS_TERMINAL_STATE_FOREGROUND, what, "root state %u", state_of(root));
}

static void test_malformed(void)
{
	uint8_t big[16] = { 0 };
	struct capos_terminal_session_info_out info;
	struct capos_terminal_session_write_out wout;
	struct capos_xfer x = { ut_cap("console"), CAPOS_XFER_COPY };

	ut_status("unknown method 7", call_raw(root, 7, NULL, 0, NULL, 0), -CAPOS_ENOSYS);
	ut_status("unknown method 0xffff", call_raw(root, 0xffff, NULL, 0, NULL, 0), -CAPOS_ENOSYS);
	ut_status("read_line with 4 parameter bytes", call_raw(root, CAPOS_TERMINAL_SESSION_READ_LINE, big, 4, big,
							       sizeof big), -CAPOS_ERANGE);
	ut_status("read_line with 12 parameter bytes", call_raw(root, CAPOS_TERMINAL_SESSION_READ_LINE, big, 12, big,
								sizeof big), -CAPOS_ERANGE);
	ut_status("set_echo with no parameters", call_raw(root, CAPOS_TERMINAL_SESSION_SET_ECHO, NULL, 0, NULL, 0),
		  -CAPOS_ERANGE);
	ut_status("set_echo with 8 parameter bytes", call_raw(root, CAPOS_TERMINAL_SESSION_SET_ECHO, big, 8, NULL, 0),
		  -CAPOS_ERANGE);
	ut_status("lend with parameters", call_raw(root, CAPOS_TERMINAL_SESSION_LEND, big, 4, NULL, 0), -CAPOS_ERANGE);
	ut_status("reclaim with parameters", call_raw(root, CAPOS_TERMINAL_SESSION_RECLAIM, big, 1, NULL, 0),
		  -CAPOS_ERANGE);
	ut_status("info with a result buffer of 8 bytes", call_raw(root, CAPOS_TERMINAL_SESSION_INFO, NULL, 0, &info, 8),
		  -CAPOS_ERANGE);
	ut_status("info with parameters", call_raw(root, CAPOS_TERMINAL_SESSION_INFO, big, 4, &info, sizeof info),
		  -CAPOS_ERANGE);
	ut_status("write with no room for its result", call_raw(root, CAPOS_TERMINAL_SESSION_WRITE, "x", 1, &wout, 2),
		  -CAPOS_ERANGE);
	ut_status("wait_interrupt with parameters",
		  call_raw(root, CAPOS_TERMINAL_SESSION_WAIT_INTERRUPT, big, 4, big, sizeof big), -CAPOS_ERANGE);
	{
		static uint8_t huge[CAPOS_TERMINAL_SESSION_WRITE_IN_MAX + 1];

		ut_status("write of 4097 bytes", call_raw(root, CAPOS_TERMINAL_SESSION_WRITE, huge, sizeof huge, &wout,
							  sizeof wout), -CAPOS_ERANGE);
	}
	ut_status("a call with the wrong interface id",
		  capos_call_sync(rc, root, CAPOS_IFACE_TERMINAL_SESSION + 1, CAPOS_TERMINAL_SESSION_INFO, NULL, 0, &info,
				  sizeof info, NULL), -CAPOS_ETYPE);
	ut_status("info with a capability sent along",
		  capos_ipc_call(root, CAPOS_IFACE_TERMINAL_SESSION, CAPOS_TERMINAL_SESSION_INFO, NULL, 0, &x, 1, &info,
				 sizeof info, &(struct capos_ipc_reply){ 0 }), -CAPOS_EINVAL);
	ut_status("the copy sent along left ours alone", capos_console_write(rc, ut_cap("console"),
		  &(struct capos_console_write_in){ .data = "" }, 0, &(struct capos_console_write_out){ 0 }), 0);
	still_serving("after the malformed calls the service answers");
}

static void test_revoked_holder(void)
{
	uint32_t b = 0, nested = 0, again = 0;
	struct capos_terminal_session_info_out info;
	struct capos_xfer x;
	uint8_t params[8] = { 64, 0, 0, 0, 0, 0, 0, 0 }, out[300];

	ut_status("lend", capos_terminal_lend(root, &b), 0);
	ut_status("the borrower lends on", capos_terminal_lend(b, &nested), 0);
	ut_status("reclaim by the root", capos_terminal_session_reclaim(rc, root), 0);
	for (uint16_t m = 0; m <= CAPOS_TERMINAL_SESSION_WAIT_INTERRUPT; m++) {
		char what[64];

		capos_snprintf(what, sizeof what, "method %u through the revoked borrower", m);
		ut_status(what, call_raw(b, m, params, m == CAPOS_TERMINAL_SESSION_READ_LINE ? 8 : 0, out, sizeof out),
			  -CAPOS_EREVOKED);
	}
	ut_status("info through the revoked nested borrower", capos_terminal_session_info(rc, nested, &info),
		  -CAPOS_EREVOKED);
	ut_status("lend through the revoked borrower", capos_terminal_lend(b, &again), -CAPOS_EREVOKED);
	x = (struct capos_xfer){ b, CAPOS_XFER_COPY };
	ut_status("the revoked borrower cannot be sent along",
		  capos_ipc_call(root, CAPOS_IFACE_TERMINAL_SESSION, CAPOS_TERMINAL_SESSION_INFO, NULL, 0, &x, 1, &info,
				 sizeof info, &(struct capos_ipc_reply){ 0 }), -CAPOS_EREVOKED);
	capos_release(rc, b);
	capos_release(rc, nested);
	still_serving("the root holds the foreground again");
}

static void test_depth_and_churn(void)
{
	uint32_t chain[17] = { 0 }, extra = 0;
	int ok = 1;

	chain[0] = root;
	for (int i = 1; i <= 16; i++)
		ok = ok && capos_terminal_lend(chain[i - 1], &chain[i]) == 0;
	ut_check(ok, "16 nested lends", "a lend failed");
	ut_status("a 17th is refused", capos_terminal_lend(chain[16], &extra), -CAPOS_ERANGE);
	ut_status("a lender in the middle may not lend", capos_terminal_lend(chain[8], &extra), -CAPOS_EBUSY);
	ut_status("reclaim of the whole chain", capos_terminal_session_reclaim(rc, root), 0);
	ut_check(state_of(chain[16]) == CAPOS_TERMINAL_STATE_REVOKED && state_of(chain[1]) == CAPOS_TERMINAL_STATE_REVOKED,
		 "every holder of the chain is revoked", "first %u last %u", state_of(chain[1]), state_of(chain[16]));
	for (int i = 1; i <= 16; i++)
		capos_release(rc, chain[i]);
	ok = 1;
	for (int i = 0; i < CHURN && ok; i++) {
		uint32_t b = 0;

		ok = capos_terminal_lend(root, &b) == 0 && capos_release(rc, b) == 0 &&
		     state_of(root) == CAPOS_TERMINAL_STATE_FOREGROUND;
	}
	ut_check(ok, "100 lends, each released: the foreground comes back every time", "failed at some round");
	still_serving("after the churn the service answers");
}

/* A second terminal service on an endpoint of ours: kill it, a borrower it lent fails, a new one serves. */
static void test_crash_and_restart(void)
{
	uint32_t server = 0, client = 0, proc = 0, b = 0;
	uint32_t caps[4] = { ut_cap("console"), 0, ut_cap("endpoints"), ut_cap("capspace") };
	const char *grants = "console terminal endpoints capspace thread=@thread vm=@vm";
	struct capos_terminal_session_info_out info;
	int64_t code;
	uint32_t reason;
	int err = capos_endpoint_create(CAPOS_IFACE_TERMINAL_SESSION, &server, &client);

	ut_status("an endpoint for a second terminal service", err, 0);
	if (err)
		return;
	caps[1] = server;
	ut_status("start it", capos_spawn("terminal", grants, "", caps, 4, &proc, NULL), 0);
	ut_status("it serves", capos_terminal_session_info(rc, client, &info), 0);
	ut_status("it lends", capos_terminal_lend(client, &b), 0);
	ut_status("kill it", capos_process_handle_kill(rc, proc), 0);
	capos_process_wait(proc, &code, &reason);
	capos_release(rc, proc);
	ut_status("the borrower it lent answers -CAPOS_EPEER", capos_terminal_session_info(rc, b, &info), -CAPOS_EPEER);
	ut_status("start it again on the same endpoint", capos_spawn("terminal", grants, "", caps, 4, &proc, NULL), 0);
	info.state = 99;
	ut_status("the same root capability is served again", capos_terminal_session_info(rc, client, &info), 0);
	ut_check(info.state == CAPOS_TERMINAL_STATE_FOREGROUND, "... and holds the foreground", "state %u", info.state);
	ut_status("... and lends", capos_terminal_lend(client, &b), 0);
	capos_process_handle_kill(rc, proc);
	capos_process_wait(proc, &code, &reason);
	capos_release(rc, proc);
	capos_release(rc, b);
	capos_release(rc, client);
	capos_release(rc, server);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init("utest-terminal-hostile");
	root = ut_cap("terminal");
	test_malformed();
	test_revoked_holder();
	test_depth_and_churn();
	test_crash_and_restart();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
