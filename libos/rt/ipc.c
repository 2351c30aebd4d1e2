/*
 * Endpoint IPC for programs (API: capos/ipc.h; model: docs/ipc.md): the
 * RECV/RETURN/CALL ring operations wrapped as synchronous calls through
 * the process's ring client, the decoding of RECV messages, reply
 * capability lists and application errors, and the CapSpace helpers.
 */
#include <capos/ipc.h>
#include <capos/rt.h>
#include <string.h>

static uint32_t named_cap(const char *name)
{
	return capos_cap_find(name, NULL);
}

int capos_endpoint_create(uint32_t iface, uint32_t *server, uint32_t *client)
{
	struct capos_endpoint_factory_create_in in = { .iface = iface };
	struct capos_endpoint_factory_create_out out = { 0 };
	uint32_t factory = named_cap("endpoints");
	int err;

	if (!factory)
		return -CAPOS_ENOENT;
	err = capos_endpoint_factory_create(capos_ring(), factory, &in, &out);
	if (err)
		return err < 0 ? err : -CAPOS_EIO;
	*server = out.server;
	*client = out.client;
	return 0;
}

int capos_endpoint_mint_client(uint32_t server, uint32_t iface, uint32_t rights, uint32_t *client)
{
	return capos_endpoint_mint_badged(server, iface, rights, 0, client);
}

int capos_endpoint_mint_badged(uint32_t server, uint32_t iface, uint32_t rights, uint64_t badge, uint32_t *client)
{
	struct capos_endpoint_mint_in in = { .iface = iface, .rights = rights, .badge = badge };
	struct capos_endpoint_mint_out out = { 0 };
	int err = capos_endpoint_mint(capos_ring(), server, &in, &out);

	if (err)
		return err < 0 ? err : -CAPOS_EIO;
	*client = out.client;
	return 0;
}

/* ----------------------------------------------------------------- server */

void capos_sqe_recv(struct capos_sqe *s, uint64_t user_data, uint32_t endpoint, void *buf, uint32_t size)
{
	*s = (struct capos_sqe){ .opcode = CAPOS_OP_RECV, .user_data = user_data, .cap = endpoint,
				 .result_addr = (uint64_t)(uintptr_t)buf, .result_len = size };
}

void capos_sqe_return(struct capos_sqe *s, uint64_t user_data, uint64_t token, const void *reply,
		      uint32_t len, int app_error)
{
	*s = (struct capos_sqe){ .opcode = CAPOS_OP_RETURN, .user_data = user_data, .aux = token,
				 .flags = app_error ? CAPOS_SQE_F_APP_ERROR : 0,
				 .params_addr = len ? (uint64_t)(uintptr_t)reply : 0, .params_len = len };
}

int capos_ipc_parse_request(const void *buf, uint32_t len, uint64_t token, struct capos_ipc_request *req)
{
	const struct capos_ipc_msg *m = buf;

	if (len < sizeof *m || m->cap_count > CAPOS_XFER_MAX || m->params_len != len - sizeof *m)
		return -CAPOS_EFORMAT;
	req->token = token;
	req->badge = m->badge;
	req->iface = m->iface;
	req->method = m->method;
	req->cap_count = m->cap_count;
	req->params = m->params;
	req->params_len = m->params_len;
	req->result_cap = m->result_cap;
	memcpy(req->caps, m->caps, sizeof req->caps);
	return 0;
}

int capos_ipc_recv(uint32_t endpoint, void *buf, uint32_t size, struct capos_ipc_request *req)
{
	struct capos_completion c = { 0 };
	struct capos_sqe s;
	int status;

	capos_sqe_recv(&s, 0, endpoint, buf, size);
	status = capos_submit_sync(capos_ring(), &s, &c);
	if (status)
		return status < 0 ? status : -CAPOS_EIO;
	return capos_ipc_parse_request(buf, c.result_len, c.aux, req);
}

static int submit_return(struct capos_sqe *s, const struct capos_xfer *xfers, uint16_t xfer_count)
{
	capos_sqe_xfer(s, xfers, xfer_count);
	return capos_submit_sync(capos_ring(), s, NULL);
}

int capos_ipc_return(uint64_t token, const void *reply, uint32_t len, const struct capos_xfer *xfers,
		     uint16_t xfer_count)
{
	struct capos_sqe s;

	capos_sqe_return(&s, 0, token, reply, len, 0);
	return submit_return(&s, xfers, xfer_count);
}

int capos_ipc_return_error(uint64_t token, int32_t code, const char *message)
{
	struct {
		struct capos_app_error head;
		char text[CAPOS_APP_ERROR_MESSAGE_MAX];
	} e;
	size_t n = message ? strnlen(message, sizeof e.text) : 0;
	struct capos_sqe s;

	e.head.code = code;
	e.head.message_len = (uint32_t)n;
	memcpy(e.text, message, n);
	capos_sqe_return(&s, 0, token, &e, (uint32_t)(sizeof e.head + n), 1);
	return submit_return(&s, NULL, 0);
}

int capos_ipc_return_status(uint64_t token, int32_t status)
{
	struct capos_sqe s = { .opcode = CAPOS_OP_RETURN, .aux = token, .flags = CAPOS_SQE_F_STATUS,
			       .params_addr = (uint64_t)(uintptr_t)&status, .params_len = sizeof status };

	return submit_return(&s, NULL, 0);
}

/* ----------------------------------------------------------------- client */

/* What came back with a completed CALL: the capability list or the application error. */
static int decode_reply(const struct capos_completion *c, int status, const void *out, uint32_t out_cap,
			struct capos_ipc_reply *reply)
{
	const struct capos_app_error *e = out;

	*reply = (struct capos_ipc_reply){ .len = c->result_len, .cap_count = c->caps };
	if (c->caps) {
		uint32_t at = capos_ipc_caps_offset(c->result_len);

		if (c->caps > CAPOS_XFER_MAX || at + c->caps * sizeof reply->caps[0] > out_cap)
			return -CAPOS_EFORMAT;
		memcpy(reply->caps, (const char *)out + at, c->caps * sizeof reply->caps[0]);
	}
	if (status == CAPOS_STATUS_APP_ERROR) {
		if (c->result_len < sizeof *e || e->message_len != c->result_len - sizeof *e)
			return -CAPOS_EFORMAT;
		reply->app_code = e->code;
		reply->app_message = e->message;
		reply->app_message_len = e->message_len;
	}
	return status;
}

int capos_ipc_call(uint32_t cap, uint32_t iface, uint16_t method, const void *in, uint32_t in_len,
		   const struct capos_xfer *xfers, uint16_t xfer_count, void *out, uint32_t out_cap,
		   struct capos_ipc_reply *reply)
{
	struct capos_completion c = { 0 };
	struct capos_ipc_reply ignored;
	int status = capos_call_sync_xfer(capos_ring(), cap, iface, method, in, in_len, xfers, xfer_count,
					  out, out_cap, &c);

	if (status < 0)
		return status;
	return decode_reply(&c, status, out, out_cap, reply ? reply : &ignored);
}

/* --------------------------------------------------------------- CapSpace */

int capos_cap_derive(uint32_t cap, uint32_t rights, uint32_t *copy, uint32_t *revoker)
{
	struct capos_cap_space_derive_in in = { .cap = cap, .rights = rights };
	struct capos_cap_space_derive_out out = { 0 };
	uint32_t space = named_cap("capspace");
	int err;

	if (!space)
		return -CAPOS_ENOENT;
	err = capos_cap_space_derive(capos_ring(), space, &in, &out);
	if (err)
		return err < 0 ? err : -CAPOS_EIO;
	*copy = out.copy;
	*revoker = out.revoker;
	return 0;
}

int capos_cap_revoke(uint32_t revoker)
{
	int err = capos_revoker_revoke(capos_ring(), revoker);

	return err > 0 ? -CAPOS_EIO : err;
}

/* --------------------------------------------------------------- terminal */

int capos_terminal_lend(uint32_t terminal, uint32_t *borrower)
{
	struct capos_ipc_reply reply;
	uint8_t out[sizeof(struct capos_ipc_cap) + 8] __attribute__((aligned(8)));
	int err = capos_ipc_call(terminal, CAPOS_IFACE_TERMINAL_SESSION, CAPOS_TERMINAL_SESSION_LEND, NULL, 0, NULL, 0,
				 out, sizeof out, &reply);

	if (err)
		return err < 0 ? err : -CAPOS_EIO;
	if (reply.cap_count != 1 || reply.caps[0].iface != CAPOS_IFACE_TERMINAL_SESSION) {
		for (uint16_t i = 0; i < reply.cap_count; i++)
			capos_release(capos_ring(), reply.caps[i].handle);
		return -CAPOS_EFORMAT;
	}
	*borrower = reply.caps[0].handle;
	return 0;
}
