/*
 * utest-handoff: direct IPC hand-off.  A CALL that finds its server
 * waiting in RECV puts the server at the front of the run queue, and the
 * RETURN does the same for the caller, so a round trip never waits behind
 * other runnable work.  The test keeps a CPU-bound process ready the whole
 * time: with hand-off, 200 round trips take a few milliseconds; without it
 * every leg would wait out the spinner's time slice (a 10 ms tick), at
 * least 4 s in all.  The check allows 1 s — a bound on behaviour with a
 * wide margin, not a speed claim (speed belongs to the benchmark).
 *
 * The same program is the spinner ("spin") and the server ("serve").
 */
#include <string.h>
#include <capos/ipc.h>
#include "utest.h"

#define IFACE_ECHO 0x1200u
#define ROUND_TRIPS 200
#define BOUND_NS (1000ull * UT_MS)

static int spin(void)
{
	volatile uint64_t n = 0;

	for (;;)
		n++;
	return 0;
}

static int serve(void)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(64)];
	uint32_t ep = capos_cap_find("ep", NULL);
	struct capos_ipc_request req;

	while (capos_ipc_recv(ep, buf, sizeof buf, &req) == 0)
		if (capos_ipc_return(req.token, req.params, req.params_len, NULL, 0) != 0)
			return 3;
	return 2;
}

static uint32_t start(const char *mode, const char *grants, const uint32_t *caps, uint32_t n)
{
	uint32_t proc = 0;
	int err = capos_spawn("utest-handoff", grants, mode, caps, n, &proc, NULL);

	ut_status(mode[0] == 's' && mode[1] == 'p' ? "the spinner starts" : "the server starts", err, 0);
	return proc;
}

static void stop(uint32_t proc)
{
	int64_t code;
	uint32_t reason;

	capos_process_handle_kill(capos_ring(), proc);
	capos_process_wait(proc, &code, &reason);
}

int main(int argc, char **argv)
{
	uint32_t server, client, spinner, echo, console;
	uint64_t t0, dt;
	int errors = 0;

	if (argc > 1 && strcmp(argv[1], "spin") == 0)
		return spin();
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return serve();
	ut_init("utest-handoff");
	console = ut_cap("console");
	ut_status("EndpointFactory.create", capos_endpoint_create(IFACE_ECHO, &server, &client), 0);
	spinner = start("spin", "thread=@thread vm=@vm", NULL, 0);
	echo = start("serve", "ep console thread=@thread vm=@vm", (uint32_t[]){ server, console }, 2);
	t0 = capos_time_ns();
	for (int i = 0; i < ROUND_TRIPS; i++) {
		uint32_t v = (uint32_t)i, back = 0;

		if (capos_ipc_call(client, IFACE_ECHO, 0, &v, sizeof v, NULL, 0, &back, sizeof back, NULL) != 0 ||
		    back != v)
			errors++;
	}
	dt = capos_time_ns() - t0;
	ut_check(errors == 0, "200 round trips with a CPU-bound process runnable", "%d failed", errors);
	ut_check(dt < BOUND_NS, "the server and the caller never waited for the spinner's time slice",
		 "%llu ms for %d round trips", (unsigned long long)(dt / UT_MS), ROUND_TRIPS);
	stop(echo);
	stop(spinner);
	capos_printf("utest-handoff: %d failures\n", ut_failures());
	return ut_failures();
}
