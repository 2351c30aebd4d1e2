/*
 * The endpoint ring operations: CALL on a client capability, RECV on an
 * Endpoint, RETURN on a reply token (semantics: docs/ipc.md; objects and
 * invariants: endpoint.h).
 *
 * Delivery (deliver()) joins one call and one waiting RECV.  It runs in
 * whichever context makes the match — the caller's CALL when a RECV is
 * waiting, the server's RECV when a call is queued — and copies the
 * parameters straight into the receiver's buffer (uaccess works on any
 * address space), installs the capabilities and the reply token in the
 * receiver's table and finishes the RECV kop with the bytes already in
 * place.  Every check that can fail runs before anything is installed, so
 * a failed delivery changes nothing but the one kop it fails.
 *
 * Lists and call states change under sched_lock; copies and capability
 * installs run without it (they take address-space and process locks,
 * which rank above sched_lock).  capOS runs one kernel call at a time on
 * one CPU and interrupt handlers never touch endpoints, so nothing moves
 * between the two (SMP must put both under a per-core lock).
 */
#include <stdbool.h>
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include "endpoint.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/sched.h"
#include "../proc/uaccess.h"

enum delivery { DELIVERED, CALL_FAILED, RECV_FAILED };

/* ------------------------------------------------------- small pieces */

/* Put n transferred objects into p's table, listing the handles; all or nothing. */
static int install_caps(struct process *p, const struct kcall_xfer *x, uint32_t n, struct capos_ipc_cap *out)
{
	for (uint32_t i = 0; i < n; i++) {
		int64_t h = process_cap_insert(p, x[i].obj, x[i].rights);

		if (h < 0) {
			while (i-- > 0) {
				void *obj;

				if (process_cap_remove(p, out[i].handle, &obj) == 0)
					kobj_unref(obj);
			}
			return (int)h;
		}
		out[i] = (struct capos_ipc_cap){ (uint32_t)h, x[i].obj->iface };
	}
	return 0;
}

static bool table_has_room(struct process *p, uint32_t n)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool ok = p->state == PROC_LIVE && cap_table_free(process_caps(p)) >= n;

	spin_unlock_irqrestore(&p->lock, flags);
	return ok;
}

static void finish_call_locked(struct ep_call *call, int32_t status)
{
	call->state = EP_CALL_DONE;
	kop_finish_locked(&call->k, status);
}

static void finish_call(struct ep_call *call, int32_t status)
{
	uint64_t flags = sched_lock_irqsave();

	finish_call_locked(call, status);
	sched_unlock_irqrestore(flags);
}

static void finish_recv(struct ep_recv *r, int32_t status)
{
	kop_finish(&r->k, status);
}

/* ------------------------------------------------------------ queues */

static void queue_call_locked(struct ep_core *c, struct ep_call *call)
{
	call->state = EP_CALL_QUEUED;
	call->next = NULL;
	if (c->queue_tail)
		c->queue_tail->next = call;
	else
		c->queue_head = call;
	c->queue_tail = call;
	c->queued++;
}

static struct ep_call *pop_call_locked(struct ep_core *c)
{
	struct ep_call *call = c->queue_head;

	if (!call)
		return NULL;
	c->queue_head = call->next;
	if (!c->queue_head)
		c->queue_tail = NULL;
	call->next = NULL;
	c->queued--;
	return call;
}

/* Put a call that could not be delivered back where it was: first in line. */
static void requeue_first_locked(struct ep_core *c, struct ep_call *call)
{
	call->state = EP_CALL_QUEUED;
	call->next = c->queue_head;
	c->queue_head = call;
	if (!c->queue_tail)
		c->queue_tail = call;
	c->queued++;
}

static void unlink_call_locked(struct ep_core *c, struct ep_call *call)
{
	struct ep_call **link = &c->queue_head, *prev = NULL;

	while (*link && *link != call) {
		prev = *link;
		link = &(*link)->next;
	}
	if (!*link)
		return;
	*link = call->next;
	if (c->queue_tail == call)
		c->queue_tail = prev;
	call->next = NULL;
	c->queued--;
}

static void wait_recv_locked(struct ep_core *c, struct ep_recv *r, bool first)
{
	r->waiting = true;
	if (first) {
		r->next = c->recv_head;
		c->recv_head = r;
		if (!c->recv_tail)
			c->recv_tail = r;
	} else {
		r->next = NULL;
		if (c->recv_tail)
			c->recv_tail->next = r;
		else
			c->recv_head = r;
		c->recv_tail = r;
	}
	c->receivers++;
}

static void unlink_recv_locked(struct ep_core *c, struct ep_recv *r)
{
	struct ep_recv **link = &c->recv_head, *prev = NULL;

	if (!r->waiting)
		return;
	while (*link && *link != r) {
		prev = *link;
		link = &(*link)->next;
	}
	if (*link) {
		*link = r->next;
		if (c->recv_tail == r)
			c->recv_tail = prev;
		c->receivers--;
	}
	r->next = NULL;
	r->waiting = false;
}

static struct ep_recv *pop_recv_locked(struct ep_core *c)
{
	struct ep_recv *r = c->recv_head;

	if (r)
		unlink_recv_locked(c, r);
	return r;
}

/* ---------------------------------------------------------- delivery */

static void msg_header(const struct ep_call *call, uint32_t n, const struct capos_ipc_cap *caps,
		       struct capos_ipc_msg *m)
{
	memset(m, 0, sizeof *m);
	m->badge = call->badge;
	m->iface = call->iface;
	m->method = call->method;
	m->cap_count = (uint16_t)n;
	m->params_len = call->params_len;
	m->result_cap = call->k.result_cap;
	memcpy(m->caps, caps, n * sizeof caps[0]);
}

/* Copy the parameters into the receiver's buffer (from the kernel copy or the caller's memory). */
static int copy_params(struct ep_call *call, struct aspace *dst_as, uint64_t dst)
{
	if (!call->params_len)
		return 0;
	if (call->params)
		return uaccess_copy_to(dst_as, dst, call->params, call->params_len);
	return uaccess_copy_user(dst_as, dst, process_aspace(call->caller), call->params_va, call->params_len);
}

/* Install the reply token and the transferred capabilities in the server s. */
static int install_for_server(struct ep_call *call, struct process *s, struct capos_ipc_cap *caps,
			      uint32_t *token)
{
	int err;
	struct ep_reply *reply = ep_reply_create(call->core, NULL, process_quota(s), &err);
	int64_t h;

	if (!reply)
		return err;
	h = process_cap_insert(s, &reply->base, 0);
	if (h < 0) {
		kobj_unref(&reply->base);
		return (int)h;
	}
	err = install_caps(s, call->xfer, call->xfer_count, caps);
	if (err) {
		void *obj;

		if (process_cap_remove(s, (uint32_t)h, &obj) == 0)
			kobj_unref(obj);
		kobj_unref(&reply->base);
		return err;
	}
	call->reply = reply;
	*token = (uint32_t)h;
	kobj_unref(&reply->base);  /* the server's table holds it now */
	return 0;
}

static enum delivery failed(int32_t *why, int32_t code, enum delivery who)
{
	*why = code;
	return who;
}

static enum delivery deliver(struct ep_call *call, struct ep_recv *r, int32_t *why)
{
	struct process *s = r->k.ring->proc;
	struct capos_ipc_cap caps[CAPOS_XFER_MAX];
	struct capos_ipc_msg m;
	uint64_t need = sizeof m + (uint64_t)call->params_len;
	uint64_t flags;
	uint32_t token = 0;

	*why = 0;
	if (need > r->k.result_cap)
		return failed(why, -CAPOS_ERANGE, CALL_FAILED);
	if (!table_has_room(s, call->xfer_count + 1))
		return failed(why, process_dying(s) ? -CAPOS_EPEER : -CAPOS_EQUOTA, RECV_FAILED);
	if (uaccess_check(process_aspace(s), r->k.result_va, need, true))
		return failed(why, -CAPOS_EFAULT, RECV_FAILED);
	if (copy_params(call, process_aspace(s), r->k.result_va + sizeof m))
		return failed(why, -CAPOS_EFAULT, CALL_FAILED);  /* the receiver's side was checked: the caller's is bad */
	*why = install_for_server(call, s, caps, &token);
	if (*why)
		return RECV_FAILED;
	msg_header(call, call->xfer_count, caps, &m);
	uaccess_copy_to(process_aspace(s), r->k.result_va, &m, sizeof m);  /* checked above */
	kmem_free(call->params_q, call->params);
	call->params = NULL;
	call->delivered = true;
	r->k.direct_len = (uint32_t)need;
	r->k.aux = token;
	r->k.caps = (uint16_t)call->xfer_count;
	flags = sched_lock_irqsave();
	call->state = EP_CALL_IN_SERVICE;
	call->reply->call = call;
	call->core->in_flight++;
	kop_finish_handoff_locked(&r->k, 0);
	sched_unlock_irqrestore(flags);
	return DELIVERED;
}

/* ---------------------------------------------------------------- CALL */

static void call_cancel(struct kop *k)
{
	struct ep_call *call = (struct ep_call *)k;

	if (call->state == EP_CALL_QUEUED) {
		unlink_call_locked(call->core, call);
	} else if (call->state == EP_CALL_IN_SERVICE && call->reply) {
		call->reply->call = NULL;
		call->reply = NULL;
		call->core->in_flight--;
	}
	call->state = EP_CALL_DONE;
}

/*
 * Moves commit if the server received them, else they go back — also when
 * the calling thread ended first while its process lives on; a process
 * being torn down has no table left to settle.  Then drop what the call
 * held.
 */
static void call_settle(struct kop *k)
{
	struct ep_call *call = (struct ep_call *)k;

	if (call->caller->state != PROC_DEAD)
		kcall_settle_moves(call->caller, call->xfer, call->xfer_count, call->delivered);
	for (uint32_t i = 0; i < call->xfer_count; i++)
		kobj_unref(call->xfer[i].obj);
	kmem_free(call->params_q, call->params);
	ep_core_unref(call->core);
}

/* Keep the parameters in the kernel while the call waits in the queue. */
static int keep_params(struct ep_call *call)
{
	int err;

	if (!call->params_len || call->params)
		return 0;
	call->params_q = process_quota(call->caller);  /* the caller causes the copy: it pays */
	call->params = kmem_alloc(call->params_q, call->params_len, &err);
	if (!call->params)
		return err;
	if (uaccess_copy_from(process_aspace(call->caller), call->params, call->params_va, call->params_len)) {
		kmem_free(call->params_q, call->params);
		call->params = NULL;
		return -CAPOS_EFAULT;
	}
	return 0;
}

static struct ep_call *new_call(struct kcall *c, struct ep_core *core)
{
	const struct capos_sqe *s = c->sqe;
	struct ep_call *call = (struct ep_call *)kcall_defer(c, sizeof *call);

	if (!call)
		return NULL;
	ep_core_ref(core);
	call->core = core;
	call->caller = c->proc;
	call->badge = ep_client_badge(c->obj);
	call->iface = s->iface;
	call->method = s->method;
	call->params_len = s->params_len;
	call->params_va = s->params_addr;
	call->xfer_count = c->xfer_count;
	for (uint32_t i = 0; i < c->xfer_count; i++) {
		call->xfer[i] = c->xfer[i];
		kobj_ref(call->xfer[i].obj);
	}
	call->k.cancel = call_cancel;
	call->k.settle = call_settle;
	call->state = EP_CALL_DONE;  /* until queued or delivered */
	return call;
}

/* Offer the call to waiting receivers; queue it when none takes it. */
static void dispatch_call(struct ep_core *core, struct ep_call *call)
{
	for (;;) {
		uint64_t flags = sched_lock_irqsave();
		struct ep_recv *r = pop_recv_locked(core);
		int32_t why;
		int err;

		if (!r) {
			sched_unlock_irqrestore(flags);
			err = keep_params(call);
			if (err) {
				finish_call(call, err);
				return;
			}
			flags = sched_lock_irqsave();
			queue_call_locked(core, call);
			sched_unlock_irqrestore(flags);
			return;
		}
		sched_unlock_irqrestore(flags);
		switch (deliver(call, r, &why)) {
		case DELIVERED:
			return;
		case CALL_FAILED:
			flags = sched_lock_irqsave();
			wait_recv_locked(core, r, true);
			sched_unlock_irqrestore(flags);
			finish_call(call, why);
			return;
		case RECV_FAILED:
			finish_recv(r, why);
			break;
		}
	}
}

int ipc_call(struct kcall *c, struct ep_core *core)
{
	const struct capos_sqe *s = c->sqe;
	struct ep_call *call;

	if (s->params_len > CAPOS_MSG_MAX)
		return -CAPOS_ERANGE;
	if (s->params_len && uaccess_check(process_aspace(c->proc), s->params_addr, s->params_len, false))
		return -CAPOS_EFAULT;
	if (__atomic_load_n(&core->closed, __ATOMIC_RELAXED))
		return -CAPOS_EPEER;
	call = new_call(c, core);
	if (!call)
		return -CAPOS_EQUOTA;
	kcall_reserve_moves(c->proc, call->xfer, call->xfer_count);
	dispatch_call(core, call);
	return KCALL_PENDING;
}

/*
 * A CALL the kernel makes for a thread (its fault message, exo/proc/fault.c):
 * call is a kop from kop_register_kernel on that thread's ring, with caller,
 * params (kernel memory charged to params_q) and params_len filled.  No
 * transfers and no result buffer, so only an empty RETURN completes it
 * with 0.  The server sees the badge of the client capability the
 * handler was registered through.  Every outcome, a refusal here
 * included, arrives as the kop's status.
 */
void ipc_call_kernel(struct ep_core *core, struct ep_call *call, uint64_t badge, uint32_t iface, uint16_t method)
{
	ep_core_ref(core);
	call->core = core;
	call->badge = badge;
	call->iface = iface;
	call->method = method;
	call->k.cancel = call_cancel;
	call->k.settle = call_settle;
	call->state = EP_CALL_DONE;
	if (__atomic_load_n(&core->closed, __ATOMIC_RELAXED))
		finish_call(call, -CAPOS_EPEER);
	else
		dispatch_call(core, call);
}

/* ---------------------------------------------------------------- RECV */

static void recv_cancel(struct kop *k)
{
	struct ep_recv *r = (struct ep_recv *)k;

	unlink_recv_locked(r->core, r);
}

static void recv_settle(struct kop *k)
{
	ep_core_unref(((struct ep_recv *)k)->core);
}

int ipc_recv(struct kcall *c, struct ep_core *core)
{
	const struct capos_sqe *s = c->sqe;
	struct ep_recv *r;

	if (s->result_len < sizeof(struct capos_ipc_msg) ||
	    s->result_len > sizeof(struct capos_ipc_msg) + CAPOS_MSG_MAX)
		return -CAPOS_ERANGE;
	if (uaccess_check(process_aspace(c->proc), s->result_addr, s->result_len, true))
		return -CAPOS_EFAULT;
	r = (struct ep_recv *)kcall_defer(c, sizeof *r);
	if (!r)
		return -CAPOS_EQUOTA;
	ep_core_ref(core);
	r->core = core;
	r->k.cancel = recv_cancel;
	r->k.settle = recv_settle;
	for (;;) {
		uint64_t flags = sched_lock_irqsave();
		struct ep_call *call = pop_call_locked(core);
		int32_t why;

		if (!call) {
			wait_recv_locked(core, r, false);
			sched_unlock_irqrestore(flags);
			return KCALL_PENDING;
		}
		call->state = EP_CALL_DONE;
		sched_unlock_irqrestore(flags);
		switch (deliver(call, r, &why)) {
		case DELIVERED:
			return KCALL_PENDING;
		case CALL_FAILED:
			finish_call(call, why);
			break;
		case RECV_FAILED:
			flags = sched_lock_irqsave();
			requeue_first_locked(core, call);
			sched_unlock_irqrestore(flags);
			finish_recv(r, why);
			return KCALL_PENDING;
		}
	}
}

/* -------------------------------------------------------------- RETURN */

/* Take the reply token out of the server's table: the token is used up from here on. */
static int take_token(struct kcall *c, struct ep_reply **out)
{
	void *obj;
	int err = process_cap_remove(c->proc, (uint32_t)c->sqe->aux, &obj);

	if (err)
		return err;
	*out = obj;
	return 0;
}

/* Detach the call from its reply; NULL when the caller cancelled or died. */
static struct ep_call *claim_call(struct ep_reply *reply)
{
	uint64_t flags = sched_lock_irqsave();
	struct ep_call *call = reply->call;

	if (call) {
		reply->call = NULL;
		call->reply = NULL;
		call->state = EP_CALL_DONE;
		reply->core->in_flight--;
	}
	sched_unlock_irqrestore(flags);
	return call;
}

/* Copy the reply and capabilities to the caller; the caller's completion status or an error. */
static int answer(struct kcall *c, struct ep_call *call, struct capos_ipc_cap *caps)
{
	const struct capos_sqe *s = c->sqe;
	struct process *caller = call->caller;
	uint32_t n = c->xfer_count;
	uint64_t need = n ? capos_ipc_caps_offset(s->params_len) + (uint64_t)n * sizeof caps[0] : s->params_len;
	int err;

	if (process_dying(caller))
		return -CAPOS_EPEER;
	if (need > call->k.result_cap)
		return -CAPOS_ERANGE;
	if (need && uaccess_check(process_aspace(caller), call->k.result_va, need, true))
		return -CAPOS_EFAULT;
	if (!table_has_room(caller, n))
		return process_dying(caller) ? -CAPOS_EPEER : -CAPOS_EQUOTA;
	if (s->params_len && uaccess_copy_user(process_aspace(caller), call->k.result_va, process_aspace(c->proc),
					       s->params_addr, s->params_len))
		return -CAPOS_EFAULT;  /* the server's own buffer: checked at decode, so only if it changed */
	err = install_caps(caller, c->xfer, n, caps);
	if (err)
		return err;
	if (n)
		uaccess_copy_to(process_aspace(caller), call->k.result_va + capos_ipc_caps_offset(s->params_len),
				caps, n * sizeof caps[0]);
	call->k.direct_len = s->params_len;
	call->k.caps = (uint16_t)n;
	call->k.aux = n ? caps[0].handle : 0;
	return 0;
}

int ipc_return(struct kcall *c)
{
	struct capos_ipc_cap caps[CAPOS_XFER_MAX];
	struct ep_reply *reply;
	struct ep_call *call;
	uint64_t flags;
	int err = take_token(c, &reply);

	if (err)
		return err;
	call = claim_call(reply);
	if (!call) {
		kobj_unref(&reply->base);
		return -CAPOS_EPEER;
	}
	if (c->sqe->flags & CAPOS_SQE_F_STATUS) {
		flags = sched_lock_irqsave();
		kop_finish_handoff_locked(&call->k, c->reply_status);
		sched_unlock_irqrestore(flags);
		kobj_unref(&reply->base);
		return 0;
	}
	kcall_reserve_moves(c->proc, c->xfer, c->xfer_count);
	err = answer(c, call, caps);
	kcall_settle_moves(c->proc, c->xfer, c->xfer_count, err == 0);
	flags = sched_lock_irqsave();
	if (err)
		kop_finish_locked(&call->k, err);
	else
		kop_finish_handoff_locked(&call->k, (c->sqe->flags & CAPOS_SQE_F_APP_ERROR)
							    ? CAPOS_STATUS_APP_ERROR : 0);
	sched_unlock_irqrestore(flags);
	kobj_unref(&reply->base);
	return err;
}
