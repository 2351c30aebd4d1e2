/*
 * Fuzzing the CALL decode path: exo/cap/kcall.c (kcall_execute: the SQE
 * checks, handle and generation lookup, interface and method ids, length
 * bounds, user buffers, transfer descriptors, the reservation and
 * settling of moves) with the generated decoders (iface_kernel.c, its
 * method table and dispatch) and the real capability table (captable.c),
 * in a small host world: one process whose table the input fills with
 * kernel objects, endpoint clients and revocable copies (some revoked,
 * stale or reserved by a move), a 16 KiB user window (its first page
 * read-only) holding the input's remaining bytes, and handler stubs
 * (generated from iface_kernel.h by mkkcapstubs.py).
 *
 * What must hold, checked on every input:
 *   - a handler runs only for a live handle of the named interface whose
 *     object resolves, a known method, params_len within the method's
 *     bounds, a result capacity of at least its fixed result; its params
 *     buffer is zero past in_len and its out_len is min(result_len,
 *     out_max); every transfer descriptor was checked (live, transfer
 *     right, known mode, no duplicates, not revoked) and each move's slot
 *     is reserved while the handler runs;
 *   - every SQE gets exactly one completion (none only when a handler says
 *     pending);
 *   - a failed entry leaves the table exactly as it was; a successful one
 *     changes it only by the moves it committed.
 *
 * Input: struct head (below), then the user window's bytes.
 */
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capos/cap.h>
#include <capos/error.h>
#include "cap/endpoint.h"
#include "cap/iface_kernel.h"
#include "cap/kcall.h"
#include "dev/ioport.h"
#include "kern/log.h"
#include "proc/process.h"
#include "proc/uaccess.h"

#define NSLOTS 12
#define TABLE 16
#define USER_BASE 0x10000ull
#define USER_SIZE 0x4000u
#define USER_RO 0x1000u     /* the window's first page is read-only */

struct head {
	uint8_t nslots;
	uint8_t slot[NSLOTS][4];   /* iface code, kind, flags, target slot */
	uint8_t sqe[64];
	uint8_t remap;             /* which SQE fields to aim at real handles and the window */
	uint8_t handler;           /* what the stub handlers answer */
};

enum { F_TRANSFER = 1, F_REVOKED = 2, F_STALE = 4, F_RESERVED = 8 };
enum { R_CAP = 1, R_IFACE = 2, R_PARAMS = 4, R_RESULT = 8, R_XFER = 16, R_XCAPS = 32, R_AUX = 64 };

struct fobj {
	struct kobj k;
	struct kobj *target;
	int revoked;
};

static struct fobj objs[NSLOTS + 1];
static struct cap_slot slots[TABLE], before[TABLE];
static struct process proc;
static struct ring ring;
static uint8_t user[USER_SIZE];
static uint32_t handles[NSLOTS];
static int posts, handler_calls, handler_answer;
static struct { int moves; uint32_t handle[CAPOS_XFER_MAX]; } committed;
static struct kcall_xfer seen_x[CAPOS_XFER_MAX];
static uint32_t seen_xn;
static const struct capos_sqe *cur;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_kcall: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* ------------------------------------------------------------ the world the decoder sees */

void klog(enum log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static struct kobj *forward(struct kobj *o)
{
	struct fobj *f = (struct fobj *)o;

	return f->revoked ? NULL : f->target;
}

static const struct kobj_ops forward_ops = { .forward = forward };

struct kobj *kobj_resolve(struct kobj *o, int *err)
{
	for (int depth = 0; o && o->kind == KOBJ_FORWARD; depth++) {
		o = depth > NSLOTS ? NULL : o->ops->forward(o);
		if (!o)
			*err = -CAPOS_EREVOKED;
	}
	return o;
}

static struct ep_core *fake_core(struct kobj *o)
{
	return (struct ep_core *)(void *)o;
}

struct ep_core *endpoint_core(struct kobj *o)
{
	return o->kind == KOBJ_KERNEL && o->iface == CAPOS_IFACE_ENDPOINT ? fake_core(o) : NULL;
}

struct ep_core *ep_client_core(struct kobj *o)
{
	return o->kind == KOBJ_ENDPOINT_CLIENT ? fake_core(o) : NULL;
}

static int uwin(uint64_t va, size_t len, bool write)
{
	if (va < USER_BASE || len > USER_SIZE || va - USER_BASE > USER_SIZE - len)
		return -CAPOS_EFAULT;
	if (write && len && va - USER_BASE < USER_RO)
		return -CAPOS_EFAULT;
	return 0;
}

int uaccess_check(struct aspace *as, uint64_t va, size_t len, bool write)
{
	(void)as;
	return uwin(va, len, write);
}

int uaccess_copy_from(struct aspace *as, void *dst, uint64_t src, size_t len)
{
	(void)as;
	if (uwin(src, len, false))
		return -CAPOS_EFAULT;
	memcpy(dst, user + (src - USER_BASE), len);
	return 0;
}

int uaccess_copy_to(struct aspace *as, uint64_t dst, const void *src, size_t len)
{
	(void)as;
	if (uwin(dst, len, true))
		return -CAPOS_EFAULT;
	memcpy(user + (dst - USER_BASE), src, len);
	return 0;
}

int process_cap_remove(struct process *p, uint32_t handle, void **obj)
{
	return cap_remove(&p->caps, handle, obj);
}

int64_t process_cap_insert(struct process *p, struct kobj *obj, uint32_t rights)
{
	(void)p, (void)obj, (void)rights;
	return -CAPOS_EQUOTA;
}

void ioport_slot_dropped(struct process *p)
{
	(void)p;
}

void ring_post(struct ring *r, uint64_t user_data, int32_t status, uint32_t result_len, uint64_t aux,
	       uint16_t caps)
{
	(void)r, (void)user_data, (void)result_len, (void)aux, (void)caps;
	CHECK(status <= 1 && status > -(int32_t)CAPOS_ERROR_COUNT);
	posts++;
}

int ring_cancel(struct ring *r, uint64_t target)
{
	(void)r, (void)target;
	return -CAPOS_ENOENT;
}

struct kop *kop_register(struct ring *r, const struct capos_sqe *sqe, size_t size)
{
	(void)r, (void)sqe, (void)size;
	return NULL;
}

/* kop_register above gives no kop, so no operation is ever tracked through a copy here. */
void revocable_track(struct kop *k, struct kobj *via)
{
	(void)k, (void)via;
	CHECK(0);
}

/* ------------------------------------------------------------ the checks */

/* The transfer descriptors as the entry names them, checked here independently of kcall.c. */
static void check_xfers(const struct kcall *c)
{
	const struct capos_sqe *s = c->sqe;
	struct capos_xfer x[CAPOS_XFER_MAX];

	CHECK(c->xfer_count == s->xfer_count && s->xfer_count <= CAPOS_XFER_MAX);
	if (!s->xfer_count)
		return;
	CHECK(uaccess_copy_from(NULL, x, s->xfer_addr, s->xfer_count * sizeof x[0]) == 0);
	for (uint32_t i = 0; i < s->xfer_count; i++) {
		struct cap_slot *slot;
		int err = 0, state;

		CHECK(x[i].mode == CAPOS_XFER_COPY || x[i].mode == CAPOS_XFER_MOVE);
		CHECK(c->xfer[i].handle == x[i].cap && c->xfer[i].mode == x[i].mode);
		state = cap_lookup(&proc.caps, x[i].cap, 0, &slot);
		if (x[i].mode == CAPOS_XFER_MOVE && handler_calls) {
			CHECK(state == -CAPOS_EBUSY);  /* reserved while the handler runs */
		} else {
			CHECK(state == 0);
			CHECK(slot->rights & CAPOS_RIGHT_TRANSFER);
			CHECK(slot->object == c->xfer[i].obj);
			CHECK(kobj_resolve(slot->object, &err) != NULL);
		}
		for (uint32_t j = 0; j < i; j++)
			CHECK(x[j].cap != x[i].cap);
	}
	memcpy(seen_x, c->xfer, sizeof seen_x);
	seen_xn = c->xfer_count;
}

/* The target of a CALL that reached a handler or ipc_call. */
static void check_target(const struct kcall *c)
{
	struct cap_slot *slot;
	int err = 0;

	CHECK(c->sqe == cur && c->sqe->opcode == CAPOS_OP_CALL && !c->sqe->flags && !c->sqe->reserved);
	if (cap_lookup(&proc.caps, c->sqe->cap, 0, &slot) != 0) {
		/* a CALL may move its own target away: reserved while the handler runs, gone after success */
		int moved = 0;

		for (uint32_t i = 0; i < c->xfer_count; i++)
			moved |= c->xfer[i].handle == c->sqe->cap && c->xfer[i].mode == CAPOS_XFER_MOVE;
		CHECK(moved && handler_calls && cap_lookup(&proc.caps, c->sqe->cap, 0, &slot) == -CAPOS_EBUSY);
		slot = &slots[capos_cap_index(c->sqe->cap)];
	}
	CHECK(slot->iface == c->sqe->iface);
	CHECK(kobj_resolve(slot->object, &err) == c->obj && c->obj);
	CHECK(c->sqe->result_len <= CAPOS_MSG_MAX);
	CHECK(!c->sqe->result_len || uwin(c->sqe->result_addr, c->sqe->result_len, true) == 0);
}

int fuzz_kcall_handler(struct kcall *call, const char *name, const void *in, uint32_t in_len, size_t in_size,
		       void *out, uint32_t *out_len, size_t out_size);

int fuzz_kcall_handler(struct kcall *call, const char *name, const void *in, uint32_t in_len, size_t in_size,
		       void *out, uint32_t *out_len, size_t out_size)
{
	const struct iface_method_info *row = iface_method_lookup(call->sqe->iface, call->sqe->method);
	const uint8_t *p = in;

	(void)name;
	handler_calls++;
	check_target(call);
	CHECK(row && call->obj->kind != KOBJ_ENDPOINT_CLIENT);
	CHECK(in_size == row->in_max && out_size >= row->out_max);
	CHECK(in_len == call->sqe->params_len && in_len >= row->in_min && in_len <= row->in_max);
	for (size_t i = in_len; i < in_size; i++)
		CHECK(p[i] == 0);
	CHECK(call->sqe->result_len >= row->out_min);
	CHECK(*out_len == (call->sqe->result_len < row->out_max ? call->sqe->result_len : row->out_max));
	check_xfers(call);
	memset(out, 0xa5, *out_len);   /* ASan sees a result buffer shorter than promised */
	switch (handler_answer & 3) {
	case 0:
		return 0;
	case 1:
		*out_len = *out_len / 2;
		return 0;
	case 2:
		return -CAPOS_EINVAL;
	default:
		return row->is_async ? KCALL_PENDING : -CAPOS_EQUOTA;
	}
}

int ipc_call(struct kcall *c, struct ep_core *core)
{
	CHECK(core && c->obj->kind == KOBJ_ENDPOINT_CLIENT);
	check_target(c);
	check_xfers(c);
	return 0;
}

int ipc_recv(struct kcall *c, struct ep_core *core)
{
	CHECK(core && c->sqe->opcode == CAPOS_OP_RECV && !c->sqe->params_addr && !c->sqe->xfer_count);
	return 0;
}

int ipc_return(struct kcall *c)
{
	CHECK(c->sqe->opcode == CAPOS_OP_RETURN && !c->sqe->result_addr && !c->sqe->cap);
	check_xfers(c);
	return 0;
}

/* ------------------------------------------------------------ set-up from the input */

static uint32_t iface_of(uint8_t code)
{
	if (code & 0x80)
		return CAPOS_IFACE_USER_MIN + (code & 3u);
	return code % 32u;
}

static void build_table(const struct head *h)
{
	uint32_t n = h->nslots % (NSLOTS + 1);

	memset(slots, 0, sizeof slots);
	memset(objs, 0, sizeof objs);
	memset(handles, 0, sizeof handles);
	CHECK(cap_table_init(&proc.caps, slots, TABLE) == 0);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *d = h->slot[i];
		struct fobj *o = &objs[i];
		uint32_t iface = iface_of(d[0]), kind = d[1] % 3;
		int64_t handle;

		if (kind == 2 && i > 0) {   /* a revocable copy of an earlier slot's object */
			struct fobj *t = &objs[d[3] % i];

			kobj_init_kind(&o->k, t->k.iface, &forward_ops, KOBJ_FORWARD);
			o->target = &t->k;
			o->revoked = (d[2] & F_REVOKED) != 0;
			iface = t->k.iface;
		} else {
			kobj_init_kind(&o->k, iface, NULL, kind == 1 ? KOBJ_ENDPOINT_CLIENT : KOBJ_KERNEL);
		}
		if (d[2] & F_STALE) {     /* the slot's earlier life: its handle is stale now */
			void *gone;
			int64_t old = cap_insert(&proc.caps, &objs[NSLOTS].k, 1, 1, 0);

			CHECK(old > 0 && cap_remove(&proc.caps, (uint32_t)old, &gone) == 0);
			handles[i] = (uint32_t)old;
			if (d[3] & 1)
				continue;
		}
		handle = cap_insert(&proc.caps, &o->k, iface, iface, (d[2] & F_TRANSFER) ? CAPOS_RIGHT_TRANSFER : 0);
		if (handle <= 0)
			break;
		if (!(d[2] & F_STALE) || !(d[3] & 1))
			handles[i] = (uint32_t)handle;
		if (d[2] & F_RESERVED)
			cap_reserve(&proc.caps, (uint32_t)handle);
	}
}

static uint64_t in_window(uint64_t v)
{
	return USER_BASE + v % USER_SIZE;
}

static void aim(struct capos_sqe *s, const struct head *h, uint32_t n)
{
	if (!n)
		return;
	if (h->remap & R_CAP)
		s->cap = handles[s->cap % n];
	if (h->remap & R_IFACE) {
		struct cap_slot *slot;

		if (cap_lookup(&proc.caps, s->cap, 0, &slot) == 0)
			s->iface = slot->iface;
	}
	if (h->remap & R_PARAMS)
		s->params_addr = in_window(s->params_addr);
	if (h->remap & R_RESULT)
		s->result_addr = in_window(s->result_addr);
	if (h->remap & R_XFER)
		s->xfer_addr = in_window(s->xfer_addr);
	if (h->remap & R_AUX)
		s->aux = handles[s->aux % n];
	if ((h->remap & R_XCAPS) && s->xfer_count <= CAPOS_XFER_MAX && !uwin(s->xfer_addr, s->xfer_count * 8u, false))
		for (uint32_t i = 0; i < s->xfer_count; i++) {
			/* bytes, not a struct pointer: the descriptors may sit misaligned */
			uint8_t *cap = user + (s->xfer_addr - USER_BASE) + 8 * i + offsetof(struct capos_xfer, cap);
			uint32_t c;

			memcpy(&c, cap, 4);
			c = handles[c % n];
			memcpy(cap, &c, 4);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct head h;
	struct capos_sqe s;
	uint32_t n;

	memset(&h, 0, sizeof h);
	memcpy(&h, data, size < sizeof h ? size : sizeof h);
	memset(user, 0, sizeof user);
	if (size > sizeof h)
		memcpy(user, data + sizeof h, size - sizeof h < USER_SIZE ? size - sizeof h : USER_SIZE);
	build_table(&h);
	n = h.nslots % (NSLOTS + 1);
	memcpy(&s, h.sqe, sizeof s);
	if (h.remap & 0x80)
		s.opcode = CAPOS_OP_CALL;
	aim(&s, &h, n);
	memcpy(before, slots, sizeof slots);
	proc.state = PROC_LIVE;
	ring.proc = &proc;
	posts = handler_calls = 0;
	seen_xn = 0;
	handler_answer = h.handler;
	cur = &s;
	kcall_execute(&ring, &s);

	CHECK(posts == 1 || (posts == 0 && handler_calls == 1 && (handler_answer & 3) == 3));
	committed.moves = 0;
	if (handler_calls && (handler_answer & 3) < 2)
		for (uint32_t i = 0; i < seen_xn; i++)
			if (seen_x[i].mode == CAPOS_XFER_MOVE)
				committed.handle[committed.moves++] = seen_x[i].handle;
	for (uint32_t i = 1; i < TABLE; i++) {
		int moved = 0;

		for (int m = 0; m < committed.moves; m++)
			moved |= capos_cap_index(committed.handle[m]) == i;
		if (moved)
			CHECK(slots[i].state == CAP_SLOT_FREE);
		else if (s.opcode != CAPOS_OP_RELEASE || capos_cap_index(s.cap) != i || posts != 1)
			CHECK(slots[i].state == before[i].state && slots[i].object == before[i].object &&
			      slots[i].gen == before[i].gen && slots[i].rights == before[i].rights &&
			      slots[i].iface == before[i].iface);
	}
	return 0;
}
