/*
 * Serving endpoints from one thread (audit, sessiond, broker): every
 * endpoint keeps one RECV in flight as a watched ring operation, and
 * serve_loop sits in capos_ring_poll, which runs the handler of whatever
 * arrived, or any other watched completion (timers, wait_end) the program
 * registered.  A handler answers at once or keeps the token to answer later.
 */
#ifndef SESSION_SERVE_H
#define SESSION_SERVE_H

#include <stdint.h>
#include <capos/ipc.h>

#define SERVE_PARAMS_MAX 512u   /* parameters a CALL may bring (every method here takes less) */

struct serve_ep;
typedef void (*serve_fn)(struct serve_ep *ep, const struct capos_ipc_request *req);

struct serve_ep {
	uint32_t endpoint;     /* the Endpoint (receive side) */
	const char *name;      /* "program/export" for messages */
	serve_fn handle;
	void *ctx;
	uint8_t buf[CAPOS_IPC_RECV_BUF(SERVE_PARAMS_MAX)] __attribute__((aligned(8)));
};

/* Put the first RECV of ep in flight: 0 or a negative code. */
int serve_start(struct serve_ep *ep);

/* Run handlers for ever; returns (a negative code) only when a RECV or the ring fails. */
int serve_loop(void);

/* Release the request's received capabilities from index first on. */
void serve_release_caps(const struct capos_ipc_request *req, uint16_t first);

/* Answer with an application error and report a failing answer on the console. */
void serve_error(const struct serve_ep *ep, uint64_t token, int32_t code, const char *message);
/* Answer with reply bytes and capabilities, reporting a failure on the console. */
int serve_return(const struct serve_ep *ep, uint64_t token, const void *reply, uint32_t len,
		 const struct capos_xfer *xfers, uint16_t count);

#endif
