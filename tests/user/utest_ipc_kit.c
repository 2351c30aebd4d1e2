/*
 * The kit the endpoint IPC tests share (utest_ipc.h): endpoints, children
 * that serve or call them, and calls driven by hand through the ring so
 * one process can play both sides of an endpoint.
 */
#include <string.h>
#include "utest_ipc.h"

#define CHILD_BOUND "thread=@thread threads=@threads vm=@vm park=@park"

void ipc_endpoint(uint32_t iface, uint32_t *server, uint32_t *client)
{
	int err = capos_endpoint_create(iface, server, client);

	if (err) {
		ut_check(0, "EndpointFactory.create", "iface %#x: %d %s", iface, err, capos_strerror(err));
		*server = *client = 0;
	}
}

int ipc_mint(uint32_t server, uint32_t iface, uint32_t rights, uint32_t *client)
{
	*client = 0;
	return capos_endpoint_mint_client(server, iface, rights, client);
}

int ipc_info(uint32_t server, struct capos_endpoint_info_out *info)
{
	memset(info, 0xff, sizeof *info);
	return capos_endpoint_info(capos_ring(), server, info);
}

uint32_t ipc_spawn(const char *binary, const char *args, const char *extra_names, const uint32_t *extra,
		   uint32_t n)
{
	uint32_t caps[CAPOS_XFER_MAX] = { ut_cap("console"), ut_cap("timer"), ut_cap("null") }, proc = 0;
	char grants[160];
	int err;

	if (3 + n > CAPOS_XFER_MAX) {
		ut_check(0, "spawn a child", "%s: %u capabilities are more than one spawn carries", binary, 3 + n);
		return 0;
	}
	for (uint32_t i = 0; i < n; i++)
		caps[3 + i] = extra[i];
	capos_snprintf(grants, sizeof grants, "console timer null %s " CHILD_BOUND, extra_names);
	err = capos_spawn(binary, grants, args, caps, 3 + n, &proc, NULL);
	if (err) {
		ut_check(0, "spawn a child", "%s %s: %d %s", binary, args, err, capos_strerror(err));
		return 0;
	}
	return proc;
}

uint32_t ipc_spawn_server(const char *args, uint32_t server)
{
	return ipc_spawn("utest-ipc-server", args, "ep", &server, 1);
}

int ipc_wait(uint32_t proc, int64_t *code, uint32_t *reason)
{
	int err;

	*code = -1;
	*reason = 99;
	if (!proc)
		return -CAPOS_EBADF;
	err = capos_process_wait(proc, code, reason);
	capos_release(capos_ring(), proc);
	return err;
}

void ipc_expect_exit(const char *what, uint32_t proc, int64_t want)
{
	int64_t code;
	uint32_t reason;
	int err = ipc_wait(proc, &code, &reason);

	ut_check(!err && reason == CAPOS_EXIT_NORMAL && code == want, what, "error %d, reason %u, code %lld", err,
		 reason, (long long)code);
}

int ipc_call_async(uint32_t cap, uint32_t iface, uint16_t method, const void *in, uint32_t in_len,
		   const struct capos_xfer *x, uint16_t nx, void *out, uint32_t out_cap, uint64_t *ud)
{
	struct capos_sqe s;

	capos_sqe_call(&s, 0, cap, iface, method, in, in_len, out, out_cap);
	if (nx)
		capos_sqe_xfer(&s, x, nx);
	return capos_submit_async(capos_ring(), &s, 1, ud);
}

int ipc_recv_async(uint32_t endpoint, void *buf, uint32_t size, uint64_t *ud)
{
	struct capos_sqe s;

	capos_sqe_recv(&s, 0, endpoint, buf, size);
	return capos_submit_async(capos_ring(), &s, 1, ud);
}

int ipc_wait_op(uint64_t ud, uint64_t timeout_ns, struct capos_completion *c)
{
	int err = capos_ring_wait(capos_ring(), ud, timeout_ns, c);

	return err ? err : c->status;
}

int ipc_return_raw(uint64_t token, const void *reply, uint32_t len, const struct capos_xfer *x, uint16_t nx,
		   uint8_t flags)
{
	struct capos_sqe s = { .opcode = CAPOS_OP_RETURN, .flags = flags, .aux = token,
			       .params_addr = (uint64_t)(uintptr_t)reply, .params_len = len };

	if (nx)
		capos_sqe_xfer(&s, x, nx);
	return capos_submit_sync(capos_ring(), &s, NULL);
}

int ipc_self_echo(uint32_t server, uint32_t client, const struct capos_xfer *x, uint16_t nx,
		  struct capos_ipc_request *req)
{
	static uint8_t buf[CAPOS_IPC_RECV_BUF(256)];
	struct capos_ipc_request seen;
	struct capos_completion c;
	const char ping[] = "self";
	char out[64];
	uint64_t ud;
	int err = ipc_call_async(client, PING_IFACE, PING_ECHO, ping, sizeof ping, x, nx, out, sizeof out, &ud);

	if (err)
		return err;
	err = capos_ipc_recv(server, buf, sizeof buf, &seen);
	if (err) {
		capos_cancel(capos_ring(), ud);
		ipc_wait_op(ud, CAPOS_TIMEOUT_INFINITE, &c);
		return err;
	}
	if (req)
		*req = seen;
	capos_ipc_return(seen.token, seen.params, seen.params_len, NULL, 0);
	err = ipc_wait_op(ud, 5 * IPC_S, &c);
	if (!err && (c.result_len != sizeof ping || memcmp(out, ping, sizeof ping) != 0))
		return -CAPOS_EFORMAT;
	return err;
}
