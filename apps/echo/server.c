/*
 * echo-server: the default system's service.  It receives the Endpoint of
 * its export "echo" from init and loops for ever on RECV: method 0 is
 * answered with the parameters it brought, any other method with an
 * application error (protocol: echo.h).  Capabilities sent along are not
 * wanted and are released at once.  A failing RECV ends the server with
 * code 1, so that init's restart policy applies.
 */
#include <capos/ipc.h>
#include <capos/rt.h>
#include "echo.h"

static uint8_t recv_buf[CAPOS_IPC_RECV_BUF(ECHO_MAX)] __attribute__((aligned(8)));

static void serve(const struct capos_ipc_request *req)
{
	char message[64];
	int err;

	for (uint16_t i = 0; i < req->cap_count; i++)
		capos_release(capos_ring(), req->caps[i].handle);
	if (req->method != ECHO_METHOD_ECHO) {
		capos_snprintf(message, sizeof message, "echo: no method %u", req->method);
		err = capos_ipc_return_error(req->token, ECHO_ENOMETHOD, message);
	} else {
		uint32_t len = req->params_len < req->result_cap ? req->params_len : req->result_cap;

		err = capos_ipc_return(req->token, req->params, len, NULL, 0);
	}
	/* -CAPOS_EPEER: the caller went away meanwhile; nothing to do. */
	if (err && err != -CAPOS_EPEER)
		capos_printf("echo-server: answering failed: %s\n", capos_strerror(err));
}

int main(int argc, char **argv)
{
	uint32_t endpoint = capos_cap_find("echo", NULL);

	(void)argc;
	(void)argv;
	if (!endpoint) {
		capos_printf("echo-server: no capability 'echo' (the Endpoint to serve)\n");
		return 1;
	}
	capos_printf("echo-server: serving\n");
	for (;;) {
		struct capos_ipc_request req;
		int err = capos_ipc_recv(endpoint, recv_buf, sizeof recv_buf, &req);

		if (err) {
			capos_printf("echo-server: receive failed: %s\n", capos_strerror(err));
			return 1;
		}
		serve(&req);
	}
}
