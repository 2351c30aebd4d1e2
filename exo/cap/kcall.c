/*
 * SQE decoding and dispatch (see kcall.h).  decode_* functions only read;
 * nothing changes until every check has passed, so a malformed entry gets
 * an error completion and leaves no trace.
 */
#include <stdbool.h>
#include <capos/cap.h>
#include <capos/error.h>
#include "kcall.h"
#include "endpoint.h"
#include "iface_kernel.h"
#include "../dev/ioport.h"
#include "../kern/log.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/uaccess.h"

/*
 * Parameter and result staging.  One set serves the machine: capOS runs on
 * one CPU and the kernel is not preempted inside a call, so no two calls
 * overlap.  SMP (wave 2) makes them per-CPU.
 */
static uint8_t params_buf[CAPOS_MSG_MAX] __attribute__((aligned(16)));
static uint8_t result_buf[CAPOS_MSG_MAX] __attribute__((aligned(16)));

static int fields_zero(const struct capos_sqe *s, bool params, bool result, bool xfer, bool aux)
{
	if (s->flags || s->reserved)
		return 0;
	if (!params && (s->params_addr || s->params_len))
		return 0;
	if (!result && (s->result_addr || s->result_len))
		return 0;
	if (!xfer && (s->xfer_addr || s->xfer_count))
		return 0;
	return aux || !s->aux;
}

/* The live object behind a handle (through revocable copies); fills c->obj and c->handle. */
static int decode_target(struct kcall *c, uint32_t handle, struct cap_slot **slot)
{
	int err = cap_lookup(process_caps(c->proc), handle, 0, slot);

	if (err)
		return err;
	c->obj = kobj_resolve((*slot)->object, &err);
	c->handle = handle;
	c->via = ((struct kobj *)(*slot)->object)->kind == KOBJ_FORWARD ? (*slot)->object : NULL;
	return c->obj ? 0 : err;
}

/*
 * Every check a CALL needs, in order.  For a kernel object, info is its
 * method's row; for an endpoint client capability it is NULL (the server
 * checks method and parameters).
 */
static int decode_call(struct kcall *c, const struct iface_method_info **info)
{
	const struct capos_sqe *s = c->sqe;
	struct cap_slot *slot;
	int err;

	if (!fields_zero(s, true, true, true, false))
		return -CAPOS_EINVAL;
	err = decode_target(c, s->cap, &slot);
	if (err)
		return err;
	if (slot->iface != s->iface)
		return -CAPOS_ETYPE;
	*info = NULL;
	if (c->obj->kind != KOBJ_ENDPOINT_CLIENT) {
		*info = iface_method_lookup(s->iface, s->method);
		if (!*info)
			return -CAPOS_ENOSYS;
		if (s->params_len < (*info)->in_min || s->params_len > (*info)->in_max)
			return -CAPOS_ERANGE;
		if (s->result_len < (*info)->out_min)
			return -CAPOS_ERANGE;
	}
	if (s->result_len > CAPOS_MSG_MAX)
		return -CAPOS_ERANGE;
	if (s->result_len && uaccess_check(process_aspace(c->proc), s->result_addr, s->result_len, 1))
		return -CAPOS_EFAULT;
	return 0;
}

/* Read and check the transfer descriptors; nothing is reserved yet. */
static int decode_xfers(struct kcall *c)
{
	const struct capos_sqe *s = c->sqe;
	struct capos_xfer x[CAPOS_XFER_MAX];

	c->xfer_count = 0;
	if (!s->xfer_count && !s->xfer_addr)
		return 0;
	if (s->xfer_count > CAPOS_XFER_MAX)
		return -CAPOS_ERANGE;
	if (s->xfer_count &&
	    uaccess_copy_from(process_aspace(c->proc), x, s->xfer_addr, s->xfer_count * sizeof x[0]))
		return -CAPOS_EFAULT;
	for (uint32_t i = 0; i < s->xfer_count; i++) {
		struct cap_slot *slot;
		int err = cap_lookup(process_caps(c->proc), x[i].cap, 0, &slot);

		if (err)
			return err;
		if (x[i].mode != CAPOS_XFER_COPY && x[i].mode != CAPOS_XFER_MOVE)
			return -CAPOS_EINVAL;
		if (!(slot->rights & CAPOS_RIGHT_TRANSFER))
			return -CAPOS_EPERM;
		if (!kobj_resolve(slot->object, &err))
			return err;  /* a revoked copy travels nowhere */
		for (uint32_t j = 0; j < i; j++)
			if (c->xfer[j].handle == x[i].cap)
				return -CAPOS_EINVAL;  /* the same capability twice */
		c->xfer[i] = (struct kcall_xfer){ slot->object, x[i].cap, x[i].mode, slot->rights };
	}
	c->xfer_count = s->xfer_count;
	return 0;
}

void kcall_reserve_moves(struct process *p, const struct kcall_xfer *x, uint32_t n)
{
	uint64_t flags;

	if (!n)
		return;
	flags = spin_lock_irqsave(&p->lock);

	for (uint32_t i = 0; i < n; i++)
		if (x[i].mode == CAPOS_XFER_MOVE)
			cap_reserve(process_caps(p), x[i].handle);
	spin_unlock_irqrestore(&p->lock, flags);
}

void kcall_settle_moves(struct process *p, const struct kcall_xfer *x, uint32_t n, bool commit)
{
	bool moved = false;

	if (!n)
		return;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t flags;
		void *obj = NULL;

		if (x[i].mode != CAPOS_XFER_MOVE)
			continue;
		flags = spin_lock_irqsave(&p->lock);
		if (commit)
			cap_commit_move(process_caps(p), x[i].handle, &obj);
		else
			cap_abort_move(process_caps(p), x[i].handle);
		spin_unlock_irqrestore(&p->lock, flags);
		moved |= commit;
		if (obj)
			kobj_unref(obj);
	}
	if (moved)
		ioport_slot_dropped(p);  /* a port range may have moved away */
}

static int do_call(struct kcall *c, uint32_t *out_len)
{
	const struct capos_sqe *s = c->sqe;
	const struct iface_method_info *info;
	uint32_t cap_out;
	int err = decode_call(c, &info);

	if (!err)
		err = decode_xfers(c);
	if (err)
		return err;
	if (!info)
		return ipc_call(c, ep_client_core(c->obj));
	if (s->params_len &&
	    uaccess_copy_from(process_aspace(c->proc), params_buf, s->params_addr, s->params_len))
		return -CAPOS_EFAULT;
	if (info->in_max > s->params_len)  /* the handler sees zeros past in_len */
		memset(params_buf + s->params_len, 0, info->in_max - s->params_len);
	cap_out = s->result_len < info->out_max ? s->result_len : info->out_max;
	if (cap_out)  /* only what can reach the caller: no stale kernel bytes */
		memset(result_buf, 0, cap_out);
	*out_len = cap_out;
	kcall_reserve_moves(c->proc, c->xfer, c->xfer_count);
	err = iface_dispatch(c, info, params_buf, s->params_len, result_buf, out_len);
	kcall_settle_moves(c->proc, c->xfer, c->xfer_count, err >= 0);
	if (err)
		return err;
	if (*out_len && uaccess_copy_to(process_aspace(c->proc), s->result_addr, result_buf, *out_len))
		return -CAPOS_EFAULT;
	return 0;
}

static int do_release(struct kcall *c)
{
	void *obj;
	int err;

	if (!fields_zero(c->sqe, false, false, false, false))
		return -CAPOS_EINVAL;
	err = process_cap_remove(c->proc, c->sqe->cap, &obj);
	if (err)
		return err;
	kobj_unref(obj);
	return 0;
}

/* RECV waits on an endpoint (ipc.c): cap is an Endpoint, a result buffer, nothing else. */
static int do_recv(struct kcall *c)
{
	struct cap_slot *slot;
	struct ep_core *core;
	int err;

	if (!fields_zero(c->sqe, false, true, false, false) || c->sqe->iface || c->sqe->method)
		return -CAPOS_EINVAL;
	err = decode_target(c, c->sqe->cap, &slot);
	if (err)
		return err;
	core = endpoint_core(c->obj);
	return core ? ipc_recv(c, core) : -CAPOS_ETYPE;
}

/* A well-formed application error: a struct capos_app_error whose message fills the rest. */
static int decode_app_error(struct kcall *c)
{
	const struct capos_sqe *s = c->sqe;
	struct capos_app_error e;

	if (s->params_len < sizeof e ||
	    uaccess_copy_from(process_aspace(c->proc), &e, s->params_addr, sizeof e))
		return -CAPOS_EINVAL;
	if (e.message_len > CAPOS_APP_ERROR_MESSAGE_MAX || e.message_len != s->params_len - sizeof e)
		return -CAPOS_EINVAL;
	return 0;
}

/* A status RETURN: exactly one int32_t, a CAPOS_E* code (negative), and nothing to transfer. */
static int decode_status(struct kcall *c)
{
	const struct capos_sqe *s = c->sqe;
	int32_t code;

	if ((s->flags & CAPOS_SQE_F_APP_ERROR) || s->xfer_count || s->params_len != sizeof code ||
	    uaccess_copy_from(process_aspace(c->proc), &code, s->params_addr, sizeof code))
		return -CAPOS_EINVAL;
	if (code >= 0 || code <= -(int32_t)CAPOS_ERROR_COUNT)
		return -CAPOS_EINVAL;
	c->reply_status = code;
	return 0;
}

/*
 * RETURN answers the call named by the reply token in aux (a Reply handle
 * of the caller's own table) with params and transfer descriptors, or
 * (CAPOS_SQE_F_STATUS) with a failure status.
 */
static int do_return(struct kcall *c)
{
	const struct capos_sqe *s = c->sqe;
	struct cap_slot *slot;
	int err;

	if (s->reserved || (s->flags & ~(CAPOS_SQE_F_APP_ERROR | CAPOS_SQE_F_STATUS)) || s->cap || s->iface ||
	    s->method ||
	    s->result_addr || s->result_len)
		return -CAPOS_EINVAL;
	if (s->aux > UINT32_MAX)
		return -CAPOS_EBADF;
	err = cap_lookup(process_caps(c->proc), (uint32_t)s->aux, CAPOS_IFACE_REPLY, &slot);
	if (err)
		return err;
	if (((struct kobj *)slot->object)->kind != KOBJ_KERNEL)
		return -CAPOS_ETYPE;  /* only the token itself answers, never a copy of it */
	if (s->params_len > CAPOS_MSG_MAX)
		return -CAPOS_ERANGE;
	if (s->params_len && uaccess_check(process_aspace(c->proc), s->params_addr, s->params_len, false))
		return -CAPOS_EFAULT;
	if ((s->flags & CAPOS_SQE_F_APP_ERROR) && (err = decode_app_error(c)) != 0)
		return err;
	if ((s->flags & CAPOS_SQE_F_STATUS) && (err = decode_status(c)) != 0)
		return err;
	err = decode_xfers(c);
	return err ? err : ipc_return(c);
}

/* Each call's staging (CAPOS_XFER_MAX transfers) sits on a 32 KiB kernel stack: keep it small. */
_Static_assert(sizeof(struct kcall) <= 512, "struct kcall on the kernel stack");

void kcall_execute(struct ring *r, const struct capos_sqe *sqe)
{
	struct kcall c;  /* xfer[] is read only up to xfer_count: not cleared on the hot path */
	uint32_t out_len = 0;
	int status;

	c.proc = r->proc;
	c.ring = r;
	c.sqe = sqe;
	c.obj = NULL;
	c.handle = 0;
	c.deferred = NULL;
	c.via = NULL;
	c.aux = 0;
	c.caps = 0;
	c.xfer_count = 0;
	switch (sqe->opcode) {
	case CAPOS_OP_NOP:
		status = fields_zero(sqe, false, false, false, false) && !sqe->cap && !sqe->iface &&
				 !sqe->method ? 0 : -CAPOS_EINVAL;
		break;
	case CAPOS_OP_CALL:
		status = do_call(&c, &out_len);
		break;
	case CAPOS_OP_RELEASE:
		status = do_release(&c);
		break;
	case CAPOS_OP_CANCEL:
		status = fields_zero(sqe, false, false, false, true) ? ring_cancel(r, sqe->aux) : -CAPOS_EINVAL;
		break;
	case CAPOS_OP_RECV:
		status = do_recv(&c);
		break;
	case CAPOS_OP_RETURN:
		status = do_return(&c);
		break;
	default:
		status = -CAPOS_EINVAL;
	}
	if (status == KCALL_PENDING)
		return;
	if (status < 0)
		out_len = 0;
	ring_post(r, sqe->user_data, status, out_len, c.aux, c.caps);
}

struct kop *kcall_defer(struct kcall *call, size_t size)
{
	struct kop *k = kop_register(call->ring, call->sqe, size);

	if (k && call->via)
		revocable_track(k, call->via);  /* before the handler can finish it */
	call->deferred = k;
	return k;
}

int64_t kcall_grant(struct kcall *call, struct kobj *obj, uint32_t rights)
{
	int64_t h = process_cap_insert(call->proc, obj, rights);

	if (h > 0) {
		call->caps++;
		if (!call->aux)
			call->aux = (uint64_t)h;
	}
	return h;
}

int kcall_grant_pair(struct kcall *call, struct kobj *a, uint32_t ra, struct kobj *b, uint32_t rb,
		     uint32_t *ha, uint32_t *hb)
{
	int64_t h1 = kcall_grant(call, a, ra);
	int64_t h2 = h1 < 0 ? h1 : kcall_grant(call, b, rb);
	void *obj;

	if (h2 < 0) {
		if (h1 > 0 && process_cap_remove(call->proc, (uint32_t)h1, &obj) == 0)
			kobj_unref(obj);
		call->caps = 0;
		call->aux = 0;
		return (int)h2;
	}
	*ha = (uint32_t)h1;
	*hb = (uint32_t)h2;
	return 0;
}
