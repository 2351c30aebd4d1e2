/*
 * Endpoint round trips between two processes: the bench CALLs an echo
 * server (this program started again with the argument "serve") with 8
 * bytes, with and without a capability (a copy of "null") carried along.
 * Both sides use the ring raw, the way a tuned client and server would:
 * the client submits the CALL and waits for its completion in one
 * cap_enter; the server answers and posts its next RECV in one cap_enter
 * (releasing a received capability in the same batch).  With a waiting
 * receiver the kernel copies the message once and hands the CPU over
 * directly (docs/ipc.md), so one round trip is two kernel entries.
 */
#include <capos/ipc.h>
#include "bench.h"

#define BENCH_IFACE 0x1b00u
#define UD_RECV 1u
#define UD_RETURN 2u
#define UD_RELEASE 3u

static uint8_t recv_buf[CAPOS_IPC_RECV_BUF(64)];

/* Reap every visible completion; the RECV's gives the next request.  0 or a negative code. */
static int reap(struct capos_ring_client *rc, struct capos_ipc_request *req, int *got_request)
{
	const struct capos_cqe *c;

	*got_request = 0;
	while ((c = capos_ring_peek_cqe(rc)) != NULL) {
		uint64_t ud = c->user_data, token = c->aux;
		int32_t status = c->status;
		uint32_t len = c->result_len;

		capos_ring_cqe_seen(rc);
		if (ud == UD_RECV) {
			if (status != 0 || capos_ipc_parse_request(recv_buf, len, token, req) != 0)
				return status ? status : -CAPOS_EFORMAT;
			*got_request = 1;
		}
	}
	return 0;
}

int bench_serve(void)
{
	struct capos_ring_client *rc = capos_ring();
	uint32_t ep = capos_cap_find("ep", NULL);
	struct capos_ipc_request req;
	int got = 0, err;
	uint32_t queued = 1;

	capos_ring_lock(rc);
	capos_sqe_recv(capos_ring_get_sqe(rc), UD_RECV, ep, recv_buf, sizeof recv_buf);
	for (;;) {
		capos_ring_publish(rc);
		if (capos_cap_enter(queued, CAPOS_TIMEOUT_INFINITE) < 0)
			return 2;
		err = reap(rc, &req, &got);
		if (err)
			return 3;
		if (!got) {
			queued = 1;  /* only the RETURN/RELEASE completions came: wait for the RECV */
			continue;
		}
		queued = 2;
		if (req.cap_count) {
			capos_sqe_release(capos_ring_get_sqe(rc), UD_RELEASE, req.caps[0].handle);
			queued = 3;
		}
		capos_sqe_return(capos_ring_get_sqe(rc), UD_RETURN, req.token, req.params, req.params_len, 0);
		capos_sqe_recv(capos_ring_get_sqe(rc), UD_RECV, ep, recv_buf, sizeof recv_buf);
	}
}

struct echo {
	uint32_t client, null;
	uint64_t value, back;
};

static int one_call(struct capos_ring_client *rc, struct echo *e, int with_cap)
{
	struct capos_xfer x = { e->null, CAPOS_XFER_COPY };
	struct capos_sqe *s = capos_ring_get_sqe(rc);
	const struct capos_cqe *c;
	int32_t status;

	capos_sqe_call(s, 1, e->client, BENCH_IFACE, 0, &e->value, sizeof e->value, &e->back, sizeof e->back);
	if (with_cap)
		capos_sqe_xfer(s, &x, 1);
	capos_ring_publish(rc);
	if (capos_cap_enter(1, CAPOS_TIMEOUT_INFINITE) != 1 || (c = capos_ring_peek_cqe(rc)) == NULL)
		return -CAPOS_EIO;
	status = c->status;
	capos_ring_cqe_seen(rc);
	return status ? status : (e->back == e->value ? 0 : -CAPOS_EIO);
}

static int start_server(uint32_t server, uint32_t *proc)
{
	uint32_t caps[] = { server, capos_cap_find("console", NULL) };

	return capos_spawn("bench", "ep console thread=@thread vm=@vm", "serve", caps, 2, proc, NULL);
}

static void stop_server(uint32_t proc)
{
	int64_t code;
	uint32_t reason;

	capos_process_handle_kill(capos_ring(), proc);
	capos_process_wait(proc, &code, &reason);
	capos_release(capos_ring(), proc);
}

static int round_trips(struct bench_samples *s, uint32_t iters, int with_cap)
{
	struct capos_ring_client *rc = capos_ring();
	struct echo e = { .null = capos_cap_find("null", NULL) };
	uint32_t server, proc;
	int err = capos_endpoint_create(BENCH_IFACE, &server, &e.client);

	if (!err)
		err = start_server(server, &proc);
	if (err)
		return err;
	capos_release(rc, server);
	capos_ring_lock(rc);
	for (uint32_t i = 0; i < iters + 16 && !err; i++) {  /* the first 16: warm-up */
		uint64_t t0 = bench_tsc();

		e.value = i;
		err = one_call(rc, &e, with_cap);
		if (i >= 16)
			s->tsc[s->count++] = bench_tsc() - t0;
	}
	capos_ring_unlock(rc);
	stop_server(proc);
	capos_release(rc, e.client);
	return err;
}

int bench_endpoint_roundtrip(struct bench_samples *s, uint32_t iters)
{
	return round_trips(s, iters, 0);
}

int bench_endpoint_roundtrip_cap(struct bench_samples *s, uint32_t iters)
{
	return round_trips(s, iters, 1);
}
