/*
 * Endpoints (model and ABI: docs/ipc.md, capos/ring.h).
 *
 * One struct ep_core per endpoint holds what server and clients share:
 * the FIFO of CALLs waiting for a RECV, the FIFO of RECVs waiting for a
 * CALL and counters.  Three kinds of kernel objects point at it:
 *   struct endpoint   the receive side (interface Endpoint), one per core:
 *                     when it goes (its last handle), the core closes;
 *   struct ep_client  a client capability (kind KOBJ_ENDPOINT_CLIENT,
 *                     iface = the service's interface id) and its badge,
 *                     the word Endpoint.mint gave it: fixed for the
 *                     object's life, so every handle, transfer and
 *                     revocable copy of it carries the same one;
 *   struct ep_reply   a reply token in a server's table (interface
 *                     Reply), naming one call in service.
 * A call is a struct ep_call, a kop on the caller's ring; a waiting RECV
 * is a struct ep_recv, a kop on the server's ring.
 *
 * Invariants ([sched]: guarded by sched_lock):
 *   - a call is in exactly one state: QUEUED (on core->queue, counted in
 *     queued), IN_SERVICE (call->reply and reply->call point at each
 *     other, counted in in_flight) or DONE (finished, on no list);
 *   - a RECV kop is on core->receivers exactly while it waits;
 *   - a closed core has no queued calls and no waiting receivers and
 *     accepts neither;
 *   - core->refs counts endpoint, ep_client and ep_reply objects, and
 *     live ep_call and ep_recv kops; the core is freed at zero;
 *   - core->clients counts the ep_client objects alive, whoever holds
 *     them (a handle, a revocable copy, a transfer in flight), and
 *     idle_wait is pending only while it is not zero and the core is open.
 */
#ifndef EXO_CAP_ENDPOINT_H
#define EXO_CAP_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include "kcall.h"
#include "kobj.h"
#include "ring.h"

struct ep_call;
struct ep_recv;

struct ep_core {
	uint32_t refs;                        /* atomic */
	struct quota *payer;                  /* who created the endpoint pays (kmem_zalloc) */
	bool closed;                          /* [sched] the receive side is gone */
	struct ep_call *queue_head, *queue_tail;  /* [sched] */
	struct ep_recv *recv_head, *recv_tail;    /* [sched] */
	uint32_t queued, receivers, in_flight;    /* [sched] */
	uint32_t clients;                     /* [sched] live ep_client objects (revocable copies hold one) */
	struct kop *idle_wait;                /* [sched] a pending Endpoint.wait_no_clients */
};

struct endpoint {
	struct kobj base;
	struct ep_core *core;
};

struct ep_client {
	struct kobj base;
	struct ep_core *core;
	uint64_t badge;                       /* fixed at mint: what the server sees on each CALL */
};

struct ep_reply {
	struct kobj base;
	struct ep_core *core;
	struct ep_call *call;                 /* [sched] NULL once answered, cancelled or orphaned */
};

enum ep_call_state { EP_CALL_QUEUED, EP_CALL_IN_SERVICE, EP_CALL_DONE };

struct ep_call {
	struct kop k;                         /* first: on the caller's ring */
	struct ep_core *core;                 /* one reference */
	struct ep_call *next;                 /* [sched] queue link */
	enum ep_call_state state;             /* [sched] */
	struct ep_reply *reply;               /* [sched] IN_SERVICE */
	bool delivered;                       /* the server holds the capabilities: moves commit */
	struct process *caller;               /* lives as long as this kop */
	uint64_t badge;                       /* of the client capability it was made on */
	uint32_t iface;
	uint16_t method;
	uint32_t params_len;
	uint64_t params_va;                   /* the caller's parameters (while not copied) */
	uint8_t *params;                      /* kernel copy while QUEUED (NULL when empty) */
	struct quota *params_q;               /* the caller's: pays for params (kmem_alloc) */
	uint32_t xfer_count;
	struct kcall_xfer xfer[CAPOS_XFER_MAX];  /* each object referenced by the call */
};

struct ep_recv {
	struct kop k;                         /* first: on the server's ring */
	struct ep_core *core;                 /* one reference */
	struct ep_recv *next;                 /* [sched] receivers link */
	bool waiting;                         /* [sched] on core->receivers */
};

struct kobj *coreobj_endpoints(void);

/* The core behind a client capability, or NULL when o is not one. */
struct ep_core *ep_client_core(struct kobj *o);
/* The badge of client capability o (ep_client_core(o) != NULL). */
uint64_t ep_client_badge(struct kobj *o);
/* The core behind an Endpoint (receive side) object, or NULL. */
struct ep_core *endpoint_core(struct kobj *o);
/* A new reply token object for call (one reference for the caller), or NULL. */
/* A reply token charged to payer's kernel memory (the server that will hold it); NULL with *err. */
struct ep_reply *ep_reply_create(struct ep_core *core, struct ep_call *call, struct quota *payer, int *err);

void ep_core_ref(struct ep_core *c);
void ep_core_unref(struct ep_core *c);

/* The three ring operations on endpoints (ipc.c); kcall.c has decoded the common fields. */
int ipc_call(struct kcall *c, struct ep_core *core);
int ipc_recv(struct kcall *c, struct ep_core *core);
int ipc_return(struct kcall *c);
/* A CALL made by the kernel for a thread (a fault message; ipc.c says how it is filled). */
void ipc_call_kernel(struct ep_core *core, struct ep_call *call, uint64_t badge, uint32_t iface, uint16_t method);

#endif
