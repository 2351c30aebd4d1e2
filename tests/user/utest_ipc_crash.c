/*
 * utest-ipc-crash: a server that dies with calls pending (docs/ipc.md,
 * "Ending early").  Runs as init.  The crashing server is this program in
 * mode "server N": it receives N calls without answering them and then
 * writes to address 0.  The calls it had received complete with
 * -CAPOS_EPEER; the calls still queued complete with -CAPOS_EPEER once the
 * last Endpoint capability is gone (at once when the dead server held the
 * only one, when the test releases its own otherwise), later calls fail
 * at once with -CAPOS_EPEER, and a bystander server on another endpoint —
 * and this process — never notice.  Also: a reply token released without
 * RETURN.  One line per check, "utest-ipc-crash: <what>: ok"; exit code =
 * failures.
 */
#include <stdlib.h>
#include <string.h>
#include "utest_ipc.h"

#define CALLS 4
#define RECEIVED 2
#define PAGE_FAULT 14

#define rc capos_ring()  /* the calling thread's own ring client */

struct pending {
	uint64_t ud[CALLS];
	char out[CALLS][16];
};

/* ------------------------------------------------------------ the crashing server */

__attribute__((noreturn)) static void crash(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0;

	__asm__ volatile("" : "+r"(p));
	*p = 0xdead;
	for (;;)
		__asm__ volatile("ud2");
}

static int server_mode(uint32_t n)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(64)];
	uint32_t ep = capos_cap_find("ep", NULL);
	struct capos_ipc_request req;

	for (uint32_t i = 0; i < n; i++)
		if (capos_ipc_recv(ep, buf, sizeof buf, &req) != 0)
			return 2;
	capos_printf("utest-ipc-crash: server: %u calls in service, now faulting\n", n);
	crash();
}

/* ------------------------------------------------------------ helpers */

static void submit_calls(uint32_t client, struct pending *p)
{
	uint32_t submitted = 0;

	for (uint32_t i = 0; i < CALLS; i++)
		submitted += ipc_call_async(client, PING_IFACE, PING_ECHO, "crash", 6, NULL, 0, p->out[i],
					    sizeof p->out[i], &p->ud[i]) == 0;
	ut_check(submitted == CALLS, "4 calls submitted to the doomed server's endpoint", "%u submitted", submitted);
}

/* How many of calls [from, to) completed with want within timeout_ns each. */
static uint32_t count_done(const struct pending *p, uint32_t from, uint32_t to, int want, uint64_t timeout_ns)
{
	struct capos_completion c;
	uint32_t n = 0;

	for (uint32_t i = from; i < to; i++) {
		int err = ipc_wait_op(p->ud[i], timeout_ns, &c);

		if (err == want)
			n++;
		else
			ut_note("call %u: %d %s", i, err, capos_strerror(err));
	}
	return n;
}

static void expect_crash(uint32_t proc)
{
	int64_t code;
	uint32_t reason;
	int err = ipc_wait(proc, &code, &reason);

	ut_check(!err && reason == CAPOS_EXIT_FAULT && code == -PAGE_FAULT, "the server died of a page fault",
		 "error %d, reason %u, code %lld", err, reason, (long long)code);
}

static void bystander_ok(const char *what, uint32_t client)
{
	char out[8] = { 0 };

	ut_check(capos_ipc_call(client, PING_IFACE, PING_ECHO, "by", 3, NULL, 0, out, sizeof out, NULL) == 0 &&
		 strcmp(out, "by") == 0, what, "echo failed");
}

static uint32_t spawn_crasher(uint32_t server)
{
	char args[16];

	capos_snprintf(args, sizeof args, "server %u", RECEIVED);
	return ipc_spawn("utest-ipc-crash", args, "ep", &server, 1);
}

/* ------------------------------------------------------------ the cases */

static void test_only_server_dies(uint32_t bystander)
{
	struct pending p;
	uint32_t server, client, proc;

	ipc_endpoint(PING_IFACE, &server, &client);
	submit_calls(client, &p);
	proc = spawn_crasher(server);
	capos_release(rc, server);
	expect_crash(proc);
	ut_check(count_done(&p, 0, RECEIVED, -CAPOS_EPEER, 5 * IPC_S) == RECEIVED,
		 "the 2 calls in service complete with -CAPOS_EPEER", "see above");
	ut_check(count_done(&p, RECEIVED, CALLS, -CAPOS_EPEER, 5 * IPC_S) == CALLS - RECEIVED,
		 "the 2 queued calls complete with -CAPOS_EPEER (no Endpoint left)", "see above");
	ut_status("a later call fails at once with -CAPOS_EPEER",
		  capos_ipc_call(client, PING_IFACE, PING_ECHO, "x", 2, NULL, 0, NULL, 0, NULL), -CAPOS_EPEER);
	bystander_ok("the bystander server still answers", bystander);
	capos_release(rc, client);
}

static void test_server_dies_endpoint_kept(uint32_t bystander)
{
	struct capos_endpoint_info_out info;
	struct pending p;
	uint32_t server, client, proc;
	int err;

	ipc_endpoint(PING_IFACE, &server, &client);
	submit_calls(client, &p);
	proc = spawn_crasher(server);
	expect_crash(proc);
	ut_check(count_done(&p, 0, RECEIVED, -CAPOS_EPEER, 5 * IPC_S) == RECEIVED,
		 "with the Endpoint kept: the calls in service complete with -CAPOS_EPEER", "see above");
	ut_check(count_done(&p, RECEIVED, CALLS, -CAPOS_ETIMEDOUT, 20 * UT_MS) == CALLS - RECEIVED,
		 "... the queued calls wait for another server", "see above");
	err = ipc_info(server, &info);
	ut_check(!err && info.queued == CALLS - RECEIVED && info.in_flight == 0 && info.servers == 1,
		 "Endpoint.info after the crash: 2 queued, none in flight, 1 server", "error %d: %u %u %u %u", err,
		 info.queued, info.receivers, info.in_flight, info.servers);
	ut_status("RELEASE of the last Endpoint capability", capos_release(rc, server), 0);
	ut_check(count_done(&p, RECEIVED, CALLS, -CAPOS_EPEER, 5 * IPC_S) == CALLS - RECEIVED,
		 "... the queued calls complete with -CAPOS_EPEER", "see above");
	ut_status("a later call fails at once with -CAPOS_EPEER",
		  capos_ipc_call(client, PING_IFACE, PING_ECHO, "x", 2, NULL, 0, NULL, 0, NULL), -CAPOS_EPEER);
	bystander_ok("the bystander server still answers after the second crash", bystander);
	capos_release(rc, client);
}

static void test_token_released(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(64)];
	struct capos_ipc_request req;
	struct capos_completion c;
	uint32_t server, client;
	uint64_t ud;

	ipc_endpoint(PING_IFACE, &server, &client);
	ipc_call_async(client, PING_IFACE, PING_ECHO, "t", 2, NULL, 0, NULL, 0, &ud);
	ut_status("RECV", capos_ipc_recv(server, buf, sizeof buf, &req), 0);
	ut_status("RELEASE of the reply token", capos_release(rc, (uint32_t)req.token), 0);
	ut_status("the call whose token was released completes with -CAPOS_EPEER", ipc_wait_op(ud, 5 * IPC_S, &c),
		  -CAPOS_EPEER);
	ut_check(capos_ipc_return(req.token, NULL, 0, NULL, 0) < 0, "RETURN with the released token is refused",
		 "accepted");
	ut_status("the endpoint still serves", ipc_self_echo(server, client, NULL, 0, NULL), 0);
	capos_release(rc, server);
	capos_release(rc, client);
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	uint32_t server, client, proc;

	if (argc > 2 && strcmp(argv[1], "server") == 0)
		return server_mode((uint32_t)strtoul(argv[2], NULL, 10));
	ut_init("utest-ipc-crash");
	ipc_endpoint(PING_IFACE, &server, &client);
	proc = ipc_spawn_server("", server);
	bystander_ok("a bystander server answers", client);
	test_only_server_dies(client);
	test_server_dies_endpoint_kept(client);
	test_token_released();
	capos_ipc_call(client, PING_IFACE, PING_EXIT, NULL, 0, NULL, 0, NULL, 0, NULL);
	ipc_expect_exit("the bystander server exits 0", proc, 0);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
