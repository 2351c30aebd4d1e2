/*
 * utest-ipc-server: the test service of the endpoint IPC tests
 * (utest_ipc.h).  It serves the Endpoint granted as "ep" one call at a
 * time until PING_EXIT, and also holds "null" and "timer" to hand out.
 * Arguments select a variant:
 *   (none)        serve every method of enum ping_method
 *   small N       serve with a RECV buffer of N bytes (oversized calls must
 *                 fail on the caller's side while this server keeps waiting)
 *   idle MS       never receive: sleep MS milliseconds and exit 0 (a server
 *                 that dies before receiving what is queued for it)
 * Exit code: 0 after PING_EXIT, 2 when a RECV fails for good.
 */
#include <stdlib.h>
#include <string.h>
#include "utest_ipc.h"

#define CALLERS_MAX 16

static uint8_t recv_buf[PING_RECV_BUF];
static uint32_t null_cap, timer_cap;
static uint64_t callers[CALLERS_MAX];
static struct ping_stats stats;
static uint64_t held_token;   /* a PING_HOLD call in service, 0 when none */

static void note_caller(uint64_t caller)
{
	for (uint32_t i = 0; i < stats.callers; i++)
		if (callers[i] == caller)
			return;
	if (stats.callers < CALLERS_MAX)
		callers[stats.callers++] = caller;
}

static void answer(uint64_t token, const void *reply, uint32_t len, const struct capos_xfer *x, uint16_t nx)
{
	if (capos_ipc_return(token, reply, len, x, nx) != 0)
		stats.return_errors++;
}

/* A call on each capability received, by its interface: what a holder can do with it. */
static int32_t use_cap(const struct capos_ipc_cap *cap)
{
	struct capos_timer_now_out now;

	if (cap->iface == CAPOS_IFACE_NULL)
		return capos_null_nop(capos_ring(), cap->handle);
	if (cap->iface == CAPOS_IFACE_TIMER)
		return capos_timer_now(capos_ring(), cap->handle, &now);
	return 1;
}

static void serve_take(const struct capos_ipc_request *req)
{
	struct ping_take_out out = { .count = req->cap_count };

	for (uint32_t i = 0; i < req->cap_count && i < CAPOS_XFER_MAX; i++) {
		out.iface[i] = req->caps[i].iface;
		out.use[i] = use_cap(&req->caps[i]);
		capos_release(capos_ring(), req->caps[i].handle);
	}
	answer(req->token, &out, sizeof out, NULL, 0);
}

static void serve_give(const struct capos_ipc_request *req)
{
	struct ping_give_in in = { 0 };
	struct capos_xfer x;
	uint32_t iface;

	if (req->params_len == sizeof in)
		memcpy(&in, req->params, sizeof in);
	x.cap = in.which == GIVE_TIMER ? timer_cap : null_cap;
	x.mode = in.mode;
	iface = in.which == GIVE_TIMER ? CAPOS_IFACE_TIMER : CAPOS_IFACE_NULL;
	answer(req->token, &iface, sizeof iface, &x, 1);
}

static void serve_held(const struct capos_ipc_request *req)
{
	int32_t status = -CAPOS_ENOENT;

	if (held_token) {
		status = capos_ipc_return(held_token, "held", 4, NULL, 0);
		held_token = 0;
	}
	answer(req->token, &status, sizeof status, NULL, 0);
}

/* One call: 1 when the server should end after it. */
static int serve(const struct capos_ipc_request *req)
{
	int32_t status;

	stats.calls++;
	stats.caps += req->cap_count;
	note_caller(req->badge);
	switch (req->method) {
	case PING_ECHO:
		answer(req->token, req->params, req->params_len, NULL, 0);
		break;
	case PING_WHO:
		answer(req->token, &req->badge, sizeof req->badge, NULL, 0);
		break;
	case PING_GIVE:
		serve_give(req);
		break;
	case PING_TAKE:
		serve_take(req);
		break;
	case PING_PROBE:
		status = capos_null_nop(capos_ring(), null_cap);
		answer(req->token, &status, sizeof status, NULL, 0);
		break;
	case PING_STATS:
		answer(req->token, &stats, sizeof stats, NULL, 0);
		break;
	case PING_HOLD:
		if (held_token)
			capos_ipc_return_error(req->token, PING_APP_CODE, "already holding a call");
		else
			held_token = req->token;
		break;
	case PING_TOKEN:
		answer(req->token, &held_token, sizeof held_token, NULL, 0);
		break;
	case PING_RELEASE_HELD:
		serve_held(req);
		break;
	case PING_EXIT:
		answer(req->token, NULL, 0, NULL, 0);
		return 1;
	default:
		capos_ipc_return_error(req->token, PING_APP_CODE, PING_APP_MESSAGE);
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t ep = capos_cap_find("ep", NULL), size = sizeof recv_buf;
	struct capos_ipc_request req;
	int err;

	null_cap = capos_cap_find("null", NULL);
	timer_cap = capos_cap_find("timer", NULL);
	if (argc > 2 && strcmp(argv[1], "small") == 0)
		size = (uint32_t)strtoul(argv[2], NULL, 10);
	if (argc > 2 && strcmp(argv[1], "idle") == 0) {
		capos_sleep_ns(strtoull(argv[2], NULL, 10) * 1000000ull);
		return 0;
	}
	for (;;) {
		err = capos_ipc_recv(ep, recv_buf, size, &req);
		if (err) {
			capos_printf("utest-ipc-server: RECV failed: %d %s\n", err, capos_strerror(err));
			return 2;
		}
		if (serve(&req))
			return 0;
	}
}
