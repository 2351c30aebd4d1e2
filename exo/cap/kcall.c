/*
 * SQE decoding and dispatch (see kcall.h).  decode_* functions only read;
 * nothing changes until every check has passed, so a malformed entry gets
 * an error completion and leaves no trace.
 */
#include <stdbool.h>
#include <capos/cap.h>
#include <capos/error.h>
#include "kcall.h"
#include "iface_kernel.h"
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

/* Every check a CALL needs, in order; fills info and slot. */
static int decode_call(struct kcall *c, const struct iface_method_info **info, struct cap_slot **slot)
{
	const struct capos_sqe *s = c->sqe;
	int err;

	if (!fields_zero(s, true, true, true, false))
		return -CAPOS_EINVAL;
	err = cap_lookup(process_caps(c->proc), s->cap, 0, slot);
	if (err)
		return err;
	if ((*slot)->iface != s->iface)
		return -CAPOS_ETYPE;
	*info = iface_method_lookup(s->iface, s->method);
	if (!*info)
		return -CAPOS_ENOSYS;
	if (s->params_len < (*info)->in_min || s->params_len > (*info)->in_max)
		return -CAPOS_ERANGE;
	if (s->result_len > CAPOS_MSG_MAX)
		return -CAPOS_ERANGE;
	if (s->result_len < (*info)->out_min)
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
		for (uint32_t j = 0; j < i; j++)
			if (c->xfer[j].handle == x[i].cap)
				return -CAPOS_EINVAL;  /* the same capability twice */
		c->xfer[i] = (struct kcall_xfer){ slot->object, x[i].cap, x[i].mode, slot->rights };
	}
	c->xfer_count = s->xfer_count;
	return 0;
}

/* Moves hold their source slot reserved until the call's outcome is known. */
static void reserve_moves(struct kcall *c)
{
	for (uint32_t i = 0; i < c->xfer_count; i++)
		if (c->xfer[i].mode == CAPOS_XFER_MOVE)
			cap_reserve(process_caps(c->proc), c->xfer[i].handle);
}

static void settle_moves(struct kcall *c, bool success)
{
	for (uint32_t i = 0; i < c->xfer_count; i++) {
		void *obj;

		if (c->xfer[i].mode != CAPOS_XFER_MOVE)
			continue;
		if (success && cap_commit_move(process_caps(c->proc), c->xfer[i].handle, &obj) == 0)
			kobj_unref(obj);
		else if (!success)
			cap_abort_move(process_caps(c->proc), c->xfer[i].handle);
	}
}

static int do_call(struct kcall *c, uint32_t *out_len)
{
	const struct capos_sqe *s = c->sqe;
	const struct iface_method_info *info;
	struct cap_slot *slot;
	uint32_t cap_out;
	int err = decode_call(c, &info, &slot);

	if (!err)
		err = decode_xfers(c);
	if (err)
		return err;
	memset(params_buf, 0, info->in_max);
	if (s->params_len &&
	    uaccess_copy_from(process_aspace(c->proc), params_buf, s->params_addr, s->params_len))
		return -CAPOS_EFAULT;
	c->obj = slot->object;
	c->handle = s->cap;
	cap_out = s->result_len < info->out_max ? s->result_len : info->out_max;
	memset(result_buf, 0, info->out_max);
	*out_len = cap_out;
	reserve_moves(c);
	err = iface_dispatch(c, info, params_buf, s->params_len, result_buf, out_len);
	settle_moves(c, err >= 0);
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

/*
 * RECV waits on an endpoint; RETURN answers a CALL received there.  No
 * kernel object is an endpoint until endpoint IPC lands, so after the
 * common checks RECV finds the wrong type and RETURN an unknown token.
 */
static int decode_recv(struct kcall *c)
{
	struct cap_slot *slot;
	int err;

	if (!fields_zero(c->sqe, false, true, false, false) || c->sqe->iface || c->sqe->method)
		return -CAPOS_EINVAL;
	err = cap_lookup(process_caps(c->proc), c->sqe->cap, 0, &slot);
	return err ? err : -CAPOS_ETYPE;
}

static int decode_return(struct kcall *c)
{
	if (!fields_zero(c->sqe, true, false, true, true) || c->sqe->cap || c->sqe->iface ||
	    c->sqe->method)
		return -CAPOS_EINVAL;
	return -CAPOS_ENOENT;
}

void kcall_execute(struct ring *r, const struct capos_sqe *sqe)
{
	struct kcall c = { .proc = r->proc, .ring = r, .sqe = sqe };
	uint32_t out_len = 0;
	int status;

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
		status = decode_recv(&c);
		break;
	case CAPOS_OP_RETURN:
		status = decode_return(&c);
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
