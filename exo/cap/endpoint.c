/*
 * Endpoint objects and their methods (see endpoint.h): the shared core's
 * life, closing when the last receive side goes, reply tokens that fail
 * their call when dropped unanswered, EndpointFactory.create,
 * Endpoint.mint (client capabilities with their badges), Endpoint.identify
 * (a presented client's badge), Endpoint.info and Endpoint.wait_no_clients.  The ring operations are in ipc.c.
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include "endpoint.h"
#include "captable.h"
#include "coreobj.h"
#include "iface_kernel.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/sched.h"

static struct kobj endpoints_obj = KOBJ_STATIC(CAPOS_IFACE_ENDPOINT_FACTORY);

struct kobj *coreobj_endpoints(void)
{
	return &endpoints_obj;
}

/* ------------------------------------------------------------ the core */

void ep_core_ref(struct ep_core *c)
{
	__atomic_fetch_add(&c->refs, 1, __ATOMIC_RELAXED);
}

void ep_core_unref(struct ep_core *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kmem_free(c->payer, c);
}

static struct ep_core *core_create(struct quota *payer, int *err)
{
	struct ep_core *c = kmem_zalloc(payer, sizeof *c, err);

	if (!c)
		return NULL;
	c->payer = payer;
	c->refs = 1;
	return c;
}

/* End the pending wait_no_clients, if any, with status.  sched_lock held. */
static void idle_finish_locked(struct ep_core *c, int32_t status)
{
	struct kop *k = c->idle_wait;
	struct capos_endpoint_wait_no_clients_out result = { .clients = 0 };

	if (!k)
		return;
	c->idle_wait = NULL;
	if (status == 0) {
		memcpy(k->out, &result, sizeof result);
		k->out_len = sizeof result;
	}
	kop_finish_locked(k, status);
}

/* The last receive side is gone: fail every queued call and waiting RECV.  sched_lock held. */
static void core_close_locked(struct ep_core *c)
{
	c->closed = true;
	idle_finish_locked(c, -CAPOS_ECANCELED);
	while (c->queue_head) {
		struct ep_call *call = c->queue_head;

		c->queue_head = call->next;
		call->next = NULL;
		call->state = EP_CALL_DONE;
		kop_finish_locked(&call->k, -CAPOS_EPEER);
	}
	c->queue_tail = NULL;
	c->queued = 0;
	while (c->recv_head) {
		struct ep_recv *r = c->recv_head;

		c->recv_head = r->next;
		r->next = NULL;
		r->waiting = false;
		kop_finish_locked(&r->k, -CAPOS_ECANCELED);
	}
	c->recv_tail = NULL;
	c->receivers = 0;
}

/* ------------------------------------------------------ receive side */

static void endpoint_destroy(struct kobj *o)
{
	struct endpoint *e = KOBJ_CONTAINER(o, struct endpoint, base);
	uint64_t flags = sched_lock_irqsave();

	core_close_locked(e->core);
	sched_unlock_irqrestore(flags);
	ep_core_unref(e->core);
	kmem_free(o->payer, e);
}

static const struct kobj_ops endpoint_ops = { .destroy = endpoint_destroy };

static struct kobj *endpoint_create(struct ep_core *c, struct quota *payer, int *err)
{
	struct endpoint *e = kmem_zalloc(payer, sizeof *e, err);

	if (!e)
		return NULL;
	kobj_init(&e->base, CAPOS_IFACE_ENDPOINT, &endpoint_ops);
	e->base.payer = payer;
	ep_core_ref(c);
	e->core = c;
	return &e->base;
}

struct ep_core *endpoint_core(struct kobj *o)
{
	return o->ops == &endpoint_ops ? KOBJ_CONTAINER(o, struct endpoint, base)->core : NULL;
}

/* ------------------------------------------------------------ clients */

/* The last reference to a client capability is gone: a server waiting for no clients may be told. */
static void client_destroy(struct kobj *o)
{
	struct ep_client *cl = KOBJ_CONTAINER(o, struct ep_client, base);
	uint64_t flags = sched_lock_irqsave();

	if (--cl->core->clients == 0)
		idle_finish_locked(cl->core, 0);
	sched_unlock_irqrestore(flags);
	ep_core_unref(cl->core);
	kmem_free(o->payer, cl);
}

static const struct kobj_ops client_ops = { .destroy = client_destroy };

static struct kobj *client_create(struct ep_core *c, uint32_t iface, uint64_t badge, struct quota *payer,
				  int *err)
{
	struct ep_client *cl = kmem_zalloc(payer, sizeof *cl, err);
	uint64_t flags;

	if (!cl)
		return NULL;
	kobj_init_kind(&cl->base, iface, &client_ops, KOBJ_ENDPOINT_CLIENT);
	cl->base.payer = payer;
	ep_core_ref(c);
	cl->core = c;
	cl->badge = badge;
	flags = sched_lock_irqsave();
	c->clients++;
	sched_unlock_irqrestore(flags);
	return &cl->base;
}

struct ep_core *ep_client_core(struct kobj *o)
{
	return o->kind == KOBJ_ENDPOINT_CLIENT ? KOBJ_CONTAINER(o, struct ep_client, base)->core : NULL;
}

uint64_t ep_client_badge(struct kobj *o)
{
	return KOBJ_CONTAINER(o, struct ep_client, base)->badge;
}

/* -------------------------------------------------------- reply tokens */

/* Dropped: a call still attached was never answered, so its caller learns the server is gone. */
static void reply_destroy(struct kobj *o)
{
	struct ep_reply *r = KOBJ_CONTAINER(o, struct ep_reply, base);
	uint64_t flags = sched_lock_irqsave();
	struct ep_call *call = r->call;

	if (call) {
		r->call = NULL;
		call->reply = NULL;
		call->state = EP_CALL_DONE;
		r->core->in_flight--;
		kop_finish_locked(&call->k, -CAPOS_EPEER);
	}
	sched_unlock_irqrestore(flags);
	ep_core_unref(r->core);
	kmem_free(o->payer, r);
}

static const struct kobj_ops reply_ops = { .destroy = reply_destroy };

/* Does the caller still wait?  Lets a server drop what it kept for a call cancelled or orphaned. */
int kcap_reply_info(struct kcall *call, const struct capos_reply_info_in *in, uint32_t in_len,
		    struct capos_reply_info_out *out, uint32_t *out_len)
{
	struct ep_reply *r;
	uint64_t flags;

	(void)in; (void)in_len;
	if (call->obj->ops != &reply_ops)
		return -CAPOS_ETYPE;
	r = KOBJ_CONTAINER(call->obj, struct ep_reply, base);
	flags = sched_lock_irqsave();
	out->waiting = r->call != NULL;
	sched_unlock_irqrestore(flags);
	*out_len = sizeof *out;
	return 0;
}

struct ep_reply *ep_reply_create(struct ep_core *core, struct ep_call *call, struct quota *payer, int *err)
{
	struct ep_reply *r = kmem_zalloc(payer, sizeof *r, err);

	if (!r)
		return NULL;
	kobj_init(&r->base, CAPOS_IFACE_REPLY, &reply_ops);
	r->base.payer = payer;
	ep_core_ref(core);
	r->core = core;
	r->call = call;
	return r;
}

/* ------------------------------------------------------------- methods */

static int valid_client_iface(uint32_t iface)
{
	return iface >= CAPOS_IFACE_USER_MIN;
}

int kcap_endpoint_factory_create(struct kcall *call, const struct capos_endpoint_factory_create_in *in,
				 uint32_t in_len, struct capos_endpoint_factory_create_out *out,
				 uint32_t *out_len)
{
	struct quota *payer = process_quota(call->proc);
	struct ep_core *core;
	struct kobj *server = NULL, *client = NULL;
	int err;

	(void)in_len;
	if (!valid_client_iface(in->iface))
		return -CAPOS_EINVAL;
	core = core_create(payer, &err);
	if (core)
		server = endpoint_create(core, payer, &err);
	if (server)
		client = client_create(core, in->iface, 0, payer, &err);  /* the first client is unbadged */
	if (server && client)
		err = kcall_grant_pair(call, server, CAPOS_RIGHT_ALL, client, CAPOS_RIGHT_ALL, &out->server,
				       &out->client);
	if (client)
		kobj_unref(client);
	if (server)
		kobj_unref(server);
	if (core)
		ep_core_unref(core);
	if (!err)
		*out_len = sizeof *out;
	return err;
}

/*
 * A new client capability carrying in->badge.  Only the receive side can
 * mint, and nothing changes a badge afterwards, so a server can trust the
 * badge of every CALL it receives as its own word.
 */
int kcap_endpoint_mint(struct kcall *call, const struct capos_endpoint_mint_in *in, uint32_t in_len,
		       struct capos_endpoint_mint_out *out, uint32_t *out_len)
{
	struct kobj *client;
	int64_t h;
	int err;

	(void)in_len;
	if (!valid_client_iface(in->iface) || (in->rights & ~CAPOS_RIGHT_ALL))
		return -CAPOS_EINVAL;
	client = client_create(endpoint_core(call->obj), in->iface, in->badge, process_quota(call->proc), &err);
	if (!client)
		return err;
	h = kcall_grant(call, client, in->rights);
	kobj_unref(client);
	if (h < 0)
		return (int)h;
	out->client = (uint32_t)h;
	*out_len = sizeof *out;
	return 0;
}

/*
 * The badge of in->cap when it is a client of this endpoint: the handle
 * names the client object itself or a revocable copy of it (resolved
 * through the whole chain, so a revoked link gives -CAPOS_EREVOKED).  Only
 * the receive side asks, and only about handles in its own table: a
 * capability a caller transferred is a handle of the server by then, so
 * the server learns the badge it minted into it, never a word the caller
 * chose.
 */
int kcap_endpoint_identify(struct kcall *call, const struct capos_endpoint_identify_in *in, uint32_t in_len,
			   struct capos_endpoint_identify_out *out, uint32_t *out_len)
{
	struct cap_slot *slot;
	struct kobj *o;
	int err = cap_lookup(process_caps(call->proc), in->cap, 0, &slot);

	(void)in_len;
	if (err)
		return err;
	o = kobj_resolve(slot->object, &err);
	if (!o)
		return err;
	if (ep_client_core(o) != endpoint_core(call->obj))
		return -CAPOS_ETYPE;
	out->badge = ep_client_badge(o);
	out->iface = o->iface;
	*out_len = sizeof *out;
	return 0;
}

int kcap_endpoint_info(struct kcall *call, const struct capos_endpoint_info_in *in, uint32_t in_len,
		       struct capos_endpoint_info_out *out, uint32_t *out_len)
{
	struct ep_core *c = endpoint_core(call->obj);
	uint64_t flags = sched_lock_irqsave();

	(void)in; (void)in_len;
	out->queued = c->queued;
	out->receivers = c->receivers;
	out->in_flight = c->in_flight;
	out->servers = __atomic_load_n(&call->obj->refs, __ATOMIC_RELAXED);
	sched_unlock_irqrestore(flags);
	*out_len = sizeof *out;
	return 0;
}

/* k->cancel: CANCEL, or the server's ring destroyed.  sched_lock held. */
static void idle_cancel(struct kop *k)
{
	struct ep_core *c = k->ctx;

	if (c->idle_wait == k)
		c->idle_wait = NULL;
}

/*
 * Complete when the endpoint has no client capability left: at once when
 * it has none now, else when the last one goes.  One wait per endpoint;
 * closing the endpoint ends it with -CAPOS_ECANCELED.
 */
int kcap_endpoint_wait_no_clients(struct kcall *call, const struct capos_endpoint_wait_no_clients_in *in,
				  uint32_t in_len, struct capos_endpoint_wait_no_clients_out *out,
				  uint32_t *out_len)
{
	struct ep_core *c = endpoint_core(call->obj);
	uint64_t flags = sched_lock_irqsave();
	int err = c->idle_wait ? -CAPOS_EBUSY
		  : call->sqe->result_len < sizeof *out ? -CAPOS_ERANGE : 0;
	uint32_t clients = c->clients;
	struct kop *k;

	sched_unlock_irqrestore(flags);
	(void)in; (void)in_len;
	*out_len = 0;
	if (err)
		return err;
	if (clients == 0) {
		out->clients = 0;
		*out_len = sizeof *out;
		return 0;
	}
	k = kcall_defer(call, sizeof *k);
	if (!k)
		return -CAPOS_EQUOTA;
	k->ctx = c;
	k->cancel = idle_cancel;
	/* What the checks saw still holds: one CPU, no preemption in kernel mode. */
	flags = sched_lock_irqsave();
	c->idle_wait = k;
	sched_unlock_irqrestore(flags);
	return KCALL_PENDING;
}
