/*
 * One-thread endpoint serving (serve.h).
 */
#include <capos/rt.h>
#include "serve.h"

static int serve_failed;   /* the first RECV failure: serve_loop returns it */

static void on_recv(void *ctx, const struct capos_completion *c);

static int arm(struct serve_ep *ep)
{
	struct capos_sqe s;
	uint64_t ud;
	int err;

	capos_sqe_recv(&s, 0, ep->endpoint, ep->buf, sizeof ep->buf);
	err = capos_submit_async(capos_ring(), &s, 1, &ud);
	return err ? err : capos_ring_watch(capos_ring(), ud, on_recv, ep);
}

static void on_recv(void *ctx, const struct capos_completion *c)
{
	struct serve_ep *ep = ctx;
	struct capos_ipc_request req;
	int err = c->status;

	if (err == 0)
		err = capos_ipc_parse_request(ep->buf, c->result_len, c->aux, &req);
	else if (err > 0)
		err = -CAPOS_EIO;
	if (err == 0)
		ep->handle(ep, &req);
	else
		capos_printf("%s: receive failed: %s\n", ep->name, capos_strerror(err));
	if (err == 0)
		err = arm(ep);
	if (err && !serve_failed)
		serve_failed = err;
}

int serve_start(struct serve_ep *ep)
{
	return arm(ep);
}

int serve_loop(void)
{
	while (!serve_failed) {
		int n = capos_ring_poll(capos_ring(), CAPOS_TIMEOUT_INFINITE);

		if (n < 0)
			return n;
	}
	return serve_failed;
}

void serve_release_caps(const struct capos_ipc_request *req, uint16_t first)
{
	for (uint16_t i = first; i < req->cap_count; i++)
		capos_release(capos_ring(), req->caps[i].handle);
}

void serve_error(const struct serve_ep *ep, uint64_t token, int32_t code, const char *message)
{
	int err = capos_ipc_return_error(token, code, message);

	/* -CAPOS_EPEER: the caller went away meanwhile; nothing to do. */
	if (err && err != -CAPOS_EPEER)
		capos_printf("%s: answering failed: %s\n", ep->name, capos_strerror(err));
}

int serve_return(const struct serve_ep *ep, uint64_t token, const void *reply, uint32_t len,
		 const struct capos_xfer *xfers, uint16_t count)
{
	int err = capos_ipc_return(token, reply, len, xfers, count);

	if (err && err != -CAPOS_EPEER)
		capos_printf("%s: answering failed: %s\n", ep->name, capos_strerror(err));
	return err;
}
