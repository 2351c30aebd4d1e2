/*
 * What the endpoint IPC tests (utest-ipc, -xfer, -revoke, -crash,
 * -hostile) and their helper server utest-ipc-server share: the test
 * service's interface id and methods, the layouts of their messages, and
 * a small kit for the things every test does — creating endpoints,
 * minting client capabilities, starting children that get an endpoint,
 * waiting for them, and serving one call in the test's own process
 * (the test holds both sides of an endpoint and drives them through the
 * ring).  Model: docs/ipc.md.
 */
#ifndef TESTS_USER_UTEST_IPC_H
#define TESTS_USER_UTEST_IPC_H

#include <stdint.h>
#include <capos/ipc.h>
#include "utest.h"

/* The test service: one interface id, spoken by utest-ipc-server. */
#define PING_IFACE 0x1001u
#define OTHER_IFACE 0x1002u

enum ping_method {
	PING_ECHO = 0,          /* reply = params */
	PING_WHO = 1,           /* reply = the badge the server saw (u64) */
	PING_GIVE = 2,          /* struct ping_give_in: reply carries the server's "null" or "timer" */
	PING_TAKE = 3,          /* keep the capabilities sent along; reply struct ping_take_out */
	PING_PROBE = 4,         /* reply = int32 status of Null.nop on the server's own "null" */
	PING_STATS = 5,         /* reply struct ping_stats */
	PING_HOLD = 6,          /* not answered until PING_RELEASE_HELD */
	PING_TOKEN = 7,         /* reply = the reply token of the held call (u64) */
	PING_RELEASE_HELD = 8,  /* answer the held call with "held"; reply = int32 status of that RETURN */
	PING_EXIT = 9,          /* answer, then the server exits 0 */
	PING_UNKNOWN = 0x77,    /* any other method: application error PING_APP_CODE */
};

#define PING_APP_CODE 42
#define PING_APP_MESSAGE "no such method"

enum ping_give_which { GIVE_NULL = 0, GIVE_TIMER = 1 };

struct ping_give_in {
	uint32_t which;         /* enum ping_give_which */
	uint32_t mode;          /* CAPOS_XFER_COPY or CAPOS_XFER_MOVE */
};

struct ping_take_out {
	uint32_t count;                 /* capabilities the call brought */
	uint32_t iface[CAPOS_XFER_MAX];
	int32_t use[CAPOS_XFER_MAX];    /* status of a call on each (Null.nop, Timer.now), 1 when not tried */
};

struct ping_stats {
	uint32_t calls;         /* CALLs received */
	uint32_t callers;       /* distinct badges among them */
	uint32_t caps;          /* capabilities received in all */
	uint32_t return_errors; /* RETURNs that did not deliver (caller gone, ...) */
};

/* Room utest-ipc-server gives each RECV: the largest message. */
#define PING_RECV_BUF CAPOS_IPC_RECV_BUF(CAPOS_MSG_MAX)

/* --- the kit (utest_ipc_kit.c) --- */

/* EndpointFactory.create(iface); a failure is reported and gives 0 handles. */
void ipc_endpoint(uint32_t iface, uint32_t *server, uint32_t *client);
/* Endpoint.mint(iface, rights): 0 and *client, or a negative code (*client 0). */
int ipc_mint(uint32_t server, uint32_t iface, uint32_t rights, uint32_t *client);
/* Endpoint.info: 0 or a negative code. */
int ipc_info(uint32_t server, struct capos_endpoint_info_out *info);

/*
 * Start binary with args, granted console, timer, null and the
 * capabilities extra[0..n) under the names in extra_names (space separated),
 * plus thread, threads, vm and park (n <= 5: one spawn carries 8).  The
 * ProcessHandle, or 0 (reported).
 */
uint32_t ipc_spawn(const char *binary, const char *args, const char *extra_names, const uint32_t *extra,
		   uint32_t n);
/* utest-ipc-server in mode args, granted the Endpoint under "ep". */
uint32_t ipc_spawn_server(const char *args, uint32_t server);
/* Wait for proc and release it: 0 with *code and *reason, or a negative code. */
int ipc_wait(uint32_t proc, int64_t *code, uint32_t *reason);
/* Wait for proc and check it exited normally with code want. */
void ipc_expect_exit(const char *what, uint32_t proc, int64_t want);

/* A CALL submitted without waiting: 0 and *ud, or a negative code. */
int ipc_call_async(uint32_t cap, uint32_t iface, uint16_t method, const void *in, uint32_t in_len,
		   const struct capos_xfer *x, uint16_t nx, void *out, uint32_t out_cap, uint64_t *ud);
/* A RECV submitted without waiting (private user_data). */
int ipc_recv_async(uint32_t endpoint, void *buf, uint32_t size, uint64_t *ud);
/* Wait up to timeout_ns for ud: its status, or -CAPOS_ETIMEDOUT (still pending). */
int ipc_wait_op(uint64_t ud, uint64_t timeout_ns, struct capos_completion *c);
/* RETURN with raw fields: the status of the RETURN itself. */
int ipc_return_raw(uint64_t token, const void *reply, uint32_t len, const struct capos_xfer *x, uint16_t nx,
		   uint8_t flags);

/*
 * One call served in this process: CALL method on client (async), RECV it
 * on server, RETURN the params as the reply, collect the CALL.  The CALL's
 * status (and *req, when given, the request the server side saw).
 */
int ipc_self_echo(uint32_t server, uint32_t client, const struct capos_xfer *x, uint16_t nx,
		  struct capos_ipc_request *req);

#define IPC_S 1000000000ull

#endif
