/*
 * Endpoint IPC from C (ABI: capos/ring.h, "Endpoint IPC"; model:
 * docs/ipc.md).  A server holds an Endpoint capability and loops on
 * capos_ipc_recv / capos_ipc_return; a client holds a client capability
 * of the endpoint (its interface id is the service's) and calls
 * capos_ipc_call.  Everything goes through the process's ring client, so
 * any thread may call these; a server may also keep several RECVs in
 * flight with the raw ring layer (capos_sqe_recv, capos_sqe_return).
 *
 * Results: 0, CAPOS_STATUS_APP_ERROR (the server answered with an
 * application error: reply->app_code and app_message say which), or a
 * negative CAPOS_E* code: -CAPOS_EPEER when the server died or no server
 * is left, -CAPOS_ECANCELED for a cancelled call, -CAPOS_ERANGE when the
 * message does not fit the other side's buffer, -CAPOS_EQUOTA when a
 * quota (ring operations, capability slots) is exhausted.
 */
#ifndef CAPOS_IPC_H
#define CAPOS_IPC_H

#include <stdint.h>
#include <capos/cap.h>
#include <capos/ring.h>

/* One received CALL, decoded from the RECV buffer (pointers into it). */
struct capos_ipc_request {
	uint64_t token;            /* name it in capos_ipc_return */
	uint64_t badge;            /* the called client capability's badge (Endpoint.mint; 0: unbadged) */
	uint32_t iface;
	uint16_t method;
	uint16_t cap_count;
	const void *params;
	uint32_t params_len;
	uint32_t result_cap;       /* how many reply bytes the caller can take */
	struct capos_ipc_cap caps[CAPOS_XFER_MAX];
};

/* What a CALL brought back besides the reply bytes. */
struct capos_ipc_reply {
	uint32_t len;              /* reply bytes in the result buffer */
	uint16_t cap_count;
	struct capos_ipc_cap caps[CAPOS_XFER_MAX];
	int32_t app_code;          /* CAPOS_STATUS_APP_ERROR: the server's code */
	const char *app_message;   /* and its message (in the result buffer, not NUL-terminated) */
	uint32_t app_message_len;
};

/* Room a RECV buffer needs for parameters of up to params_max bytes. */
#define CAPOS_IPC_RECV_BUF(params_max) (sizeof(struct capos_ipc_msg) + (params_max))

/* Create an endpoint through "endpoints": the server (receive) and one client capability. */
int capos_endpoint_create(uint32_t iface, uint32_t *server, uint32_t *client);
/* Another client capability of the endpoint whose Endpoint handle is server (unbadged: badge 0). */
int capos_endpoint_mint_client(uint32_t server, uint32_t iface, uint32_t rights, uint32_t *client);
/* The same carrying badge, which the server then sees as capos_ipc_request.badge of each CALL through it. */
int capos_endpoint_mint_badged(uint32_t server, uint32_t iface, uint32_t rights, uint64_t badge, uint32_t *client);

/* Wait for one CALL on endpoint; buf (size bytes) receives it and must outlive req. */
int capos_ipc_recv(uint32_t endpoint, void *buf, uint32_t size, struct capos_ipc_request *req);
/* Decode a RECV completion's buffer (for callers of the raw layer): 0 or -CAPOS_EFORMAT. */
int capos_ipc_parse_request(const void *buf, uint32_t len, uint64_t token, struct capos_ipc_request *req);

/* Answer the CALL named by token with len reply bytes and capabilities. */
int capos_ipc_return(uint64_t token, const void *reply, uint32_t len, const struct capos_xfer *xfers,
		     uint16_t xfer_count);
/* Answer with an application error (the caller sees CAPOS_STATUS_APP_ERROR). */
int capos_ipc_return_error(uint64_t token, int32_t code, const char *message);
/* Fail the call with status, a negative CAPOS_E* code (the caller's CALL completes with it). */
int capos_ipc_return_status(uint64_t token, int32_t status);

/*
 * CALL method of iface on cap, with capabilities, waiting for the answer:
 * out (out_cap bytes) gets the reply, then the list of returned
 * capabilities (reply may be NULL when none are expected).
 */
int capos_ipc_call(uint32_t cap, uint32_t iface, uint16_t method, const void *in, uint32_t in_len,
		   const struct capos_xfer *xfers, uint16_t xfer_count, void *out, uint32_t out_cap,
		   struct capos_ipc_reply *reply);

/* Raw layer: RECV into buf, RETURN from reply (see capos/ring_client.h). */
void capos_sqe_recv(struct capos_sqe *s, uint64_t user_data, uint32_t endpoint, void *buf, uint32_t size);
void capos_sqe_return(struct capos_sqe *s, uint64_t user_data, uint64_t token, const void *reply,
		      uint32_t len, int app_error);

/* CapSpace ("capspace"): a revocable copy of cap with rights & mask, and its Revoker. */
int capos_cap_derive(uint32_t cap, uint32_t rights, uint32_t *copy, uint32_t *revoker);
int capos_cap_revoke(uint32_t revoker);

/*
 * TerminalSession.lend (apps/terminal): the borrower comes back as a
 * transferred capability, so it is not a field of the reply; *borrower
 * is its handle.  0 or the call's negative status.
 */
int capos_terminal_lend(uint32_t terminal, uint32_t *borrower);

#endif
