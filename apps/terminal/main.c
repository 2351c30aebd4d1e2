/*
 * terminal: the session terminal as a user-space service (model:
 * docs/terminal.md).  It drives the session UART through an IoPortRange
 * ("uart": in/out from user mode) and its Interrupt ("irq": received data
 * wakes it through the ring; no polling), runs the line discipline, and
 * serves TerminalSession (apps/services.def) on the Endpoint of its
 * export "terminal".
 *
 * Holders.  Each holder of the foreground is its own endpoint, so the
 * service tells them apart by which RECV a call arrived on.  The root is
 * the export.  lend makes an endpoint (EndpointFactory, "endpoints"),
 * derives a revocable copy of its client capability (CapSpace,
 * "capspace"), drops the original and moves the copy to the caller,
 * keeping the Revoker: reclaim revokes, so a revoked holder's calls are
 * refused by the kernel itself (-CAPOS_EREVOKED).  Endpoint.wait_no_clients
 * on each borrower's endpoint tells when its last handle is gone (released,
 * its process ended), which gives the foreground back like a reclaim.
 *
 * One thread, one loop: a RECV pending on every live holder's endpoint, a
 * wait_no_clients on every borrower's, and Interrupt.wait, all through the
 * ring; each completion is dispatched by its user_data.  The holder
 * logic is chain.c; this file is the capability plumbing.
 *
 * A holder's slot is reused only once its RECV and its wait have both
 * completed (a cut holder's endpoint is released, which ends them), so a
 * RECV buffer is never written by the kernel for a holder it no longer
 * belongs to.  A call that still arrives for a cut holder is answered
 * -CAPOS_EREVOKED.
 *
 * The devices come from the manifest (devices: session-uart, ioports com2;
 * session-uart-irq, irq 3) as "uart" (an IoPortRange) and "irq" (its
 * Interrupt).  Without the UART (none granted, the ports cannot be
 * opened, or nothing answers there) the service says so and serves
 * anyway: reads and writes fail with -CAPOS_ENOTSUP, lending works.  A failure of its
 * own ring ends it with code 1, and init restarts it (restart:
 * on-failure) with the same export, so the terminal's clients keep their
 * root capability.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/iface_client.h>
#include <capos/ipc.h>
#include <capos/rt.h>
#include <capos/services.h>
#include <capos/terminal.h>
#include "chain.h"
#include "uart.h"

#define RECV_PARAMS_MAX sizeof(struct capos_terminal_session_write_in)
#define RECV_BUF_SIZE CAPOS_IPC_RECV_BUF(RECV_PARAMS_MAX)
#define DRAIN_MAX 256u

enum slot_state { SLOT_FREE = 0, SLOT_LIVE, SLOT_CLOSING };

struct slot {
	enum slot_state state;
	uint32_t endpoint;         /* the holder's Endpoint (receive side) */
	uint32_t revoker;          /* its copy's Revoker; 0 for the root */
	uint64_t recv_ud;          /* the pending RECV, 0: none */
	uint64_t idle_ud;          /* the pending wait_no_clients, 0: none */
	struct capos_endpoint_wait_no_clients_out idle_out;
	uint8_t buf[RECV_BUF_SIZE] __attribute__((aligned(8)));
};

static struct service {
	struct slot slots[TERM_HOLDERS];
	struct term term;
	uint32_t factory, capspace, uart, irq;
	uint16_t base;
	bool present;
	uint64_t irq_ud;
	struct capos_interrupt_wait_out irq_out;
} svc;

/* ------------------------------------------------------------ the world */

static void env_output(void *ctx, const char *s, uint32_t len)
{
	(void)ctx;
	if (svc.present)
		uart_write(svc.base, s, len);
}

static void env_answer(void *ctx, uint64_t token, int32_t status, const void *reply, uint32_t len)
{
	(void)ctx;
	/* -CAPOS_EPEER: the caller left meanwhile; the token is used up either way. */
	if (status < 0)
		capos_ipc_return_status(token, status);
	else
		capos_ipc_return(token, reply, len, NULL, 0);
}

static int env_caller_waits(void *ctx, uint64_t token)
{
	struct capos_reply_info_out info;

	(void)ctx;
	return capos_reply_info(capos_ring(), (uint32_t)token, &info) == 0 && info.waiting;
}

/* Revoke the holder's copy and close its endpoint; the slot frees once both its operations ended. */
static void env_cut(void *ctx, int h)
{
	struct slot *s = &svc.slots[h];

	(void)ctx;
	if (s->revoker) {
		capos_cap_revoke(s->revoker);
		capos_release(capos_ring(), s->revoker);
		s->revoker = 0;
	}
	capos_release(capos_ring(), s->endpoint);  /* ends its RECV and its wait: their completions free the slot */
	s->endpoint = 0;
	s->state = SLOT_CLOSING;
}

static const struct term_env env = { NULL, env_output, env_answer, env_caller_waits, env_cut };

/* ------------------------------------------------------------ the slots */

static void slot_settle(struct slot *s)
{
	if (s->state == SLOT_CLOSING && !s->recv_ud && !s->idle_ud)
		s->state = SLOT_FREE;
}

static int post_recv(struct slot *s)
{
	struct capos_sqe q;

	capos_sqe_recv(&q, 0, s->endpoint, s->buf, sizeof s->buf);
	return capos_submit_async(capos_ring(), &q, 0, &s->recv_ud);
}

static int post_idle_wait(struct slot *s)
{
	return capos_call_async(capos_ring(), s->endpoint, CAPOS_IFACE_ENDPOINT, CAPOS_ENDPOINT_WAIT_NO_CLIENTS, NULL,
				0, &s->idle_out, sizeof s->idle_out, &s->idle_ud);
}

static int free_slot(void)
{
	for (int i = 1; i < (int)TERM_HOLDERS; i++)
		if (svc.slots[i].state == SLOT_FREE)
			return i;
	return TERM_NONE;
}

/* ------------------------------------------------------------ lend */

/* The capabilities of a new holder in slot b: an endpoint, its revocable client copy (in *copy). */
static int holder_create(struct slot *b, uint32_t *copy)
{
	uint32_t client;
	int err = capos_endpoint_create(CAPOS_IFACE_TERMINAL_SESSION, &b->endpoint, &client);

	if (err)
		return err;
	err = capos_cap_derive(client, CAPOS_RIGHT_ALL, copy, &b->revoker);
	capos_release(capos_ring(), client);  /* the copy is the holder's only client capability */
	if (!err)
		err = post_recv(b);
	if (!err)
		err = post_idle_wait(b);
	if (!err)
		return 0;
	if (b->revoker) {
		capos_release(capos_ring(), *copy);
		capos_release(capos_ring(), b->revoker);
		b->revoker = 0;
	}
	capos_release(capos_ring(), b->endpoint);
	b->endpoint = 0;
	b->state = SLOT_CLOSING;
	slot_settle(b);
	return err;
}

/* lend: answered here (the borrower travels with the RETURN), or a status to fail with. */
static int do_lend(int h, uint64_t token)
{
	int b = free_slot();
	uint32_t copy = 0;
	struct capos_xfer x;
	int err = term_lend_check(&svc.term, h);

	if (err)
		return err;
	if (b == TERM_NONE)
		return -CAPOS_ENOMEM;
	svc.slots[b].state = SLOT_LIVE;
	err = holder_create(&svc.slots[b], &copy);
	if (err)
		return err;
	x = (struct capos_xfer){ copy, CAPOS_XFER_MOVE };
	err = capos_ipc_return(token, NULL, 0, &x, 1);
	if (err) {
		/* The caller left or its table is full: the copy came back; this holder never was. */
		capos_release(capos_ring(), copy);
		env_cut(NULL, b);
		return 0;
	}
	term_lend_commit(&svc.term, h, b);
	return 0;
}

/* ------------------------------------------------------------ calls */

struct method_size {
	uint32_t in_min, in_max, out_min;
};

static const struct method_size sizes[] = {
	[CAPOS_TERMINAL_SESSION_WRITE] = { 0, CAPOS_TERMINAL_SESSION_WRITE_IN_MAX, CAPOS_TERMINAL_SESSION_WRITE_OUT_MIN },
	[CAPOS_TERMINAL_SESSION_READ_LINE] = { CAPOS_TERMINAL_SESSION_READ_LINE_IN_MIN,
					       CAPOS_TERMINAL_SESSION_READ_LINE_IN_MAX, 0 },
	[CAPOS_TERMINAL_SESSION_SET_ECHO] = { CAPOS_TERMINAL_SESSION_SET_ECHO_IN_MIN,
					      CAPOS_TERMINAL_SESSION_SET_ECHO_IN_MAX, 0 },
	[CAPOS_TERMINAL_SESSION_LEND] = { 0, 0, 0 },
	[CAPOS_TERMINAL_SESSION_RECLAIM] = { 0, 0, 0 },
	[CAPOS_TERMINAL_SESSION_INFO] = { 0, 0, CAPOS_TERMINAL_SESSION_INFO_OUT_MIN },
	[CAPOS_TERMINAL_SESSION_WAIT_INTERRUPT] = { 0, 0, 0 },
};

/* The checks the kernel's decoder made for a kernel object: method, then sizes, then no capabilities. */
static int decode(const struct capos_ipc_request *req)
{
	const struct method_size *m;

	if (req->method >= sizeof sizes / sizeof sizes[0])
		return -CAPOS_ENOSYS;
	m = &sizes[req->method];
	if (req->params_len < m->in_min || req->params_len > m->in_max || req->result_cap < m->out_min)
		return -CAPOS_ERANGE;
	return req->cap_count ? -CAPOS_EINVAL : 0;  /* no method takes a capability */
}

/* Serve one call on holder h: 0 once answered (or kept), else the status to fail it with. */
static int serve(int h, const struct capos_ipc_request *req)
{
	union {
		struct capos_terminal_session_read_line_in read;
		struct capos_terminal_session_set_echo_in echo;
	} in;
	int err = decode(req);

	if (err)
		return err;
	memset(&in, 0, sizeof in);
	memcpy(&in, req->params, req->params_len < sizeof in ? req->params_len : sizeof in);
	switch (req->method) {
	case CAPOS_TERMINAL_SESSION_WRITE: {
		struct capos_terminal_session_write_out out = { .written = req->params_len };

		err = term_write(&svc.term, h, req->params, req->params_len);
		if (!err)
			capos_ipc_return(req->token, &out, sizeof out, NULL, 0);
		return err;
	}
	case CAPOS_TERMINAL_SESSION_READ_LINE:
		return term_read_line(&svc.term, h, req->token, in.read.max, in.read.flags, req->result_cap);
	case CAPOS_TERMINAL_SESSION_SET_ECHO:
		err = term_set_echo(&svc.term, h, in.echo.mode);
		break;
	case CAPOS_TERMINAL_SESSION_LEND:
		return do_lend(h, req->token);
	case CAPOS_TERMINAL_SESSION_RECLAIM:
		err = term_reclaim(&svc.term, h);
		break;
	case CAPOS_TERMINAL_SESSION_INFO: {
		struct term_info info;
		struct capos_terminal_session_info_out out;

		term_info(&svc.term, h, &info);
		out = (struct capos_terminal_session_info_out){ info.state, info.reading, info.present, info.rx_dropped };
		capos_ipc_return(req->token, &out, sizeof out, NULL, 0);
		return 0;
	}
	default:  /* CAPOS_TERMINAL_SESSION_WAIT_INTERRUPT: decode knows no other */
		return term_wait_interrupt(&svc.term, h, req->token, req->result_cap);
	}
	if (!err)
		capos_ipc_return(req->token, NULL, 0, NULL, 0);
	return err;
}

/* A RECV of slot h completed. */
static void on_recv(int h, const struct capos_completion *c)
{
	struct slot *s = &svc.slots[h];
	struct capos_ipc_request req;
	int err;

	s->recv_ud = 0;
	if (c->status == 0 && capos_ipc_parse_request(s->buf, c->result_len, c->aux, &req) == 0) {
		for (uint16_t i = 0; i < req.cap_count; i++)
			capos_release(capos_ring(), req.caps[i].handle);
		err = s->state == SLOT_LIVE ? serve(h, &req) : -CAPOS_EREVOKED;
		if (err)
			capos_ipc_return_status(req.token, err);
	} else if (c->status == 0) {
		capos_ipc_return_status(c->aux, -CAPOS_EINVAL);  /* cannot happen: the kernel wrote it */
	} else if (s->state == SLOT_LIVE) {
		/* The holder's endpoint cannot be received on: without the root nothing is served (init restarts us). */
		capos_printf("terminal: receiving on holder %d failed: %s\n", h, capos_strerror(c->status));
		if (h == 0)
			exit(1);
		term_released(&svc.term, h);  /* a borrower nobody can reach: as if it were released */
	}
	if (s->state == SLOT_LIVE && post_recv(s)) {
		capos_printf("terminal: cannot receive on holder %d\n", h);
		exit(1);
	}
	slot_settle(s);
}

/* A borrower's wait_no_clients completed: 0 when its last capability went. */
static void on_idle(int h, const struct capos_completion *c)
{
	struct slot *s = &svc.slots[h];

	s->idle_ud = 0;
	if (c->status == 0 && s->state == SLOT_LIVE)
		term_released(&svc.term, h);
	slot_settle(s);
}

/* ------------------------------------------------------------ the UART */

static void on_interrupt(const struct capos_completion *c)
{
	uint8_t bytes[DRAIN_MAX];
	uint32_t n;

	svc.irq_ud = 0;
	if (c->status < 0) {
		capos_printf("terminal: waiting for the UART's interrupt failed: %s; no more input\n",
			     capos_strerror(c->status));
		return;
	}
	/*
	 * Ack (unmask) first, then drain: the ISA line is edge-triggered, so a
	 * byte that arrives while the line is still up from the last one makes
	 * no new edge; draining after the unmask takes it, and the next byte
	 * after the drain raises the line again.
	 */
	capos_interrupt_ack(capos_ring(), svc.irq);
	n = uart_drain(svc.base, bytes, sizeof bytes);
	if (capos_interrupt_wait_async(capos_ring(), svc.irq, &svc.irq_out, &svc.irq_ud))
		capos_printf("terminal: cannot wait for the UART's interrupt; no more input\n");
	term_input(&svc.term, bytes, n);
}

/* Open the ports, find the UART, start waiting for its interrupt; false without one. */
static bool uart_start(void)
{
	struct capos_io_port_range_info_out range;
	int err;

	svc.uart = capos_cap_find("uart", NULL);
	svc.irq = capos_cap_find("irq", NULL);
	if (!svc.uart || !svc.irq) {
		capos_printf("terminal: no session UART on COM2 (no 'uart' and 'irq' granted)\n");
		return false;
	}
	err = capos_io_port_range_info(capos_ring(), svc.uart, &range);
	if (!err && range.count < UART_PORTS)
		err = -CAPOS_ERANGE;
	if (!err)
		err = capos_io_port_range_enable(capos_ring(), svc.uart);
	if (err) {
		capos_printf("terminal: no session UART on COM2 (its ports: %s)\n", capos_strerror(err));
		return false;
	}
	svc.base = (uint16_t)range.base;
	if (!uart_init(svc.base)) {
		capos_printf("terminal: no session UART on COM2\n");
		return false;
	}
	err = capos_interrupt_wait_async(capos_ring(), svc.irq, &svc.irq_out, &svc.irq_ud);
	if (err) {
		capos_printf("terminal: no session UART on COM2 (its interrupt: %s)\n", capos_strerror(err));
		return false;
	}
	capos_printf("terminal: session UART on COM2 at 0x%x, interrupt-driven\n", (unsigned)svc.base);
	return true;
}

/* ------------------------------------------------------------ the loop */

static void dispatch(const struct capos_completion *c)
{
	if (c->user_data == svc.irq_ud && svc.irq_ud) {
		on_interrupt(c);
		return;
	}
	for (int i = 0; i < (int)TERM_HOLDERS; i++) {
		if (svc.slots[i].recv_ud == c->user_data && c->user_data) {
			on_recv(i, c);
			return;
		}
		if (svc.slots[i].idle_ud == c->user_data && c->user_data) {
			on_idle(i, c);
			return;
		}
	}
}

int main(int argc, char **argv)
{
	struct slot *root = &svc.slots[0];

	(void)argc;
	(void)argv;
	root->endpoint = capos_cap_find("terminal", NULL);
	svc.factory = capos_cap_find("endpoints", NULL);
	svc.capspace = capos_cap_find("capspace", NULL);
	if (!root->endpoint || !svc.factory || !svc.capspace) {
		capos_printf("terminal: needs 'terminal' (the Endpoint to serve), 'endpoints' and 'capspace'\n");
		return 1;
	}
	svc.present = uart_start();
	term_init(&svc.term, &env, svc.present);
	root->state = SLOT_LIVE;
	if (post_recv(root)) {
		capos_printf("terminal: cannot receive on its endpoint\n");
		return 1;
	}
	for (;;) {
		struct capos_completion c;
		int err = capos_ring_next_completion(capos_ring(), CAPOS_TIMEOUT_INFINITE, &c);

		if (err) {
			capos_printf("terminal: waiting failed: %s\n", capos_strerror(err));
			return 1;
		}
		dispatch(&c);
	}
}
