/*
 * kfuzz's side of the ring: entries taken from the SQ and zeroed, batches
 * published and entered, completions reaped and read for what they give
 * back (new handles, reply tokens, interface ids), and the CALL and
 * transfer-descriptor builders the operations share.
 */
#include "kfuzz_child.h"

/* Publish what is in the SQ and let the kernel consume it; reap what completed. */
void kf_enter_batch(struct kf_thread *t)
{
	capos_ring_publish(t->rc);
	capos_cap_enter(0, 0);
	t->batch = 0;
	kf_reap(t);
}

/* The next entry, zeroed; NULL when the SQ stays full (the operation is skipped). */
struct capos_sqe *kf_sqe(struct kf_thread *t)
{
	struct capos_sqe *s;

	if (t->batch >= KF_BATCH_MAX)
		kf_enter_batch(t);
	s = capos_ring_get_sqe(t->rc);
	if (!s) {
		kf_enter_batch(t);
		s = capos_ring_get_sqe(t->rc);
	}
	if (s) {
		__builtin_memset(s, 0, sizeof *s);
		t->batch++;
		__atomic_fetch_add(&kfp.ops, 1, __ATOMIC_RELAXED);
	}
	return s;
}

/* A user_data for the entry, tracked with kind when a slot is free; *buf its result slot. */
uint64_t kf_track(struct kf_thread *t, uint32_t kind, uint32_t handle, uint8_t **buf)
{
	uint64_t ud = KF_UD | ++t->next_ud;

	*buf = NULL;
	for (uint32_t i = 0; i < KF_PENDING; i++)
		if (!t->pending[i].ud) {
			t->pending[i] = (struct kf_pending){ ud, kind, handle, t->slots[i] };
			*buf = t->slots[i];
			__builtin_memset(*buf, 0, 64);  /* a result that went elsewhere reads as nothing */
			return ud;
		}
	return ud;
}

void kf_submit_release(struct kf_thread *t, uint32_t handle)
{
	struct capos_sqe *s = kf_sqe(t);

	if (s) {
		s->opcode = CAPOS_OP_RELEASE;
		s->cap = handle;
		s->user_data = KF_UD;
	}
}

void kf_completed(struct kf_thread *t, const struct capos_cqe *c)
{
	struct kf_pending *p = NULL;

	__atomic_fetch_add(c->status == 0 ? &kfp.done_ok : &kfp.done_err, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kfp.by_status[c->status <= 0 && c->status > -39 ? -c->status : 39], 1, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < KF_PENDING && !p; i++)
		if (t->pending[i].ud == c->user_data)
			p = &t->pending[i];
	if (c->caps && c->aux)
		kf_pool_add(t, (uint32_t)c->aux, 0);
	if (!p)
		return;
	if (c->status == -CAPOS_EBADF && p->kind != K_INSPECT && !kf_granted(p->handle))
		kf_pool_forget(p->handle);  /* moved away, released or made up: stop aiming at it (bar the odd bad xfer) */
	if (c->status == 0) {
		switch (p->kind) {
		case K_DERIVE:
			kf_pool_add(t, ((struct capos_cap_space_derive_out *)p->buf)->revoker, CAPOS_IFACE_REVOKER);
			break;
		case K_EPCREATE:
			kf_pool_add(t, ((struct capos_endpoint_factory_create_out *)p->buf)->client, 0);
			kf_pool_set_iface(((struct capos_endpoint_factory_create_out *)p->buf)->server,
				       CAPOS_IFACE_ENDPOINT);
			break;
		case K_INSPECT:
			kf_pool_set_iface(p->handle, ((struct capos_cap_space_inspect_out *)p->buf)->iface);
			break;
		case K_RECV: {
			const struct capos_ipc_msg *m = (const void *)p->buf;

			kfp.tokens[kf_below(&t->rng, KF_TOKENS)] = c->aux;
			for (uint32_t i = 0; i < m->cap_count && i < CAPOS_XFER_MAX; i++)
				kf_pool_add(t, m->caps[i].handle, m->caps[i].iface);
			break;
		}
		case K_PCREATE:
			kf_pool_set_iface(((struct capos_process_factory_create_out *)p->buf)->process,
				       CAPOS_IFACE_PROCESS_HANDLE);
			break;
		case K_PWAIT: {
			const struct capos_process_handle_wait_out *w = (const void *)p->buf;

			if (w->reason == CAPOS_EXIT_NORMAL && w->exit_code > 0)
				__atomic_fetch_add(&kfp.reported, (uint64_t)w->exit_code, __ATOMIC_RELAXED);
			break;
		}
		}
	}
	p->ud = 0;
}

void kf_reap(struct kf_thread *t)
{
	const struct capos_cqe *c;

	while ((c = capos_ring_peek_cqe(t->rc)) != NULL) {
		struct capos_cqe copy = *c;

		capos_ring_cqe_seen(t->rc);
		kf_completed(t, &copy);
	}
}

/* Publish the batch and enter: sometimes wait for a few completions, never long. */
void kf_flush(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t min = kf_one_in(r, 3) ? (uint32_t)kf_below(r, 4) : 0;

	capos_ring_publish(t->rc);
	capos_cap_enter(min, min ? kf_below(r, 3) * 1000000ull + 1 : 0);
	t->batch = 0;
	kf_reap(t);
}

/*
 * A CALL with parameters from in (in_size bytes; NULL: random words) sent
 * as len bytes, a result of out_len bytes in a slot or a hostile buffer.
 * Unless exact, lengths and one bit of the parameters are sometimes off.
 */
struct capos_sqe *kf_call_full(struct kf_thread *t, uint32_t cap, uint32_t iface, uint16_t method,
				   const void *in, uint32_t in_size, uint32_t len, uint32_t kind, uint32_t out_len,
				   int exact)
{
	struct kf_rng *r = &t->rng;
	uint32_t params_len = !exact && kf_one_in(r, 10) ? kf_pick_len(r, len) : len;
	uint64_t params = params_len ? kf_make_params(t, params_len, in, in_size, exact) : 0;
	struct capos_sqe *s = kf_sqe(t);  /* after make_params, which may enter the batch so far */
	uint8_t *buf;

	if (!s)
		return NULL;
	s->opcode = CAPOS_OP_CALL;
	s->cap = cap;
	s->iface = iface;
	s->method = method;
	s->params_len = params_len;
	s->params_addr = params;
	s->user_data = kf_track(t, kind, cap, &buf);
	s->result_len = !exact && kf_one_in(r, 10) ? kf_pick_len(r, out_len) : out_len;
	if (buf && s->result_len <= KF_SLOT && (exact || !kf_one_in(r, 10)))
		s->result_addr = kf_addr(buf);
	else
		s->result_addr = kf_pick_out(t, s->result_len);
	return s;
}

struct capos_sqe *kf_call_sqe(struct kf_thread *t, uint32_t cap, uint32_t iface, uint16_t method,
				  const void *in, uint32_t in_len, uint32_t kind, uint32_t out_len)
{
	return kf_call_full(t, cap, iface, method, in, in_len, in_len, kind, out_len, 0);
}

/* Transfer descriptors: copies, moves, garbage modes, duplicates, bad handles, too many, bad addresses. */
void kf_add_xfers(struct kf_thread *t, struct capos_sqe *s)
{
	struct kf_rng *r = &t->rng;
	struct capos_xfer *x = t->xfers[t->batch % (KF_BATCH_MAX + 1)];
	uint32_t n = kf_one_in(r, 8) ? (uint32_t)kf_below(r, 20) : 1 + (uint32_t)kf_below(r, 3), iface;

	for (uint32_t i = 0; i < n && i < 18; i++) {
		x[i].cap = i && kf_one_in(r, 6) ? x[i - 1].cap : kf_pick_handle(r, &iface);
		x[i].mode = kf_one_in(r, 12) ? (uint32_t)kf_below(r, 5) :
					       (kf_one_in(r, 3) ? CAPOS_XFER_MOVE : CAPOS_XFER_COPY);
		if (x[i].cap == kfp.thread_cap || (kf_granted(x[i].cap) && !kf_one_in(r, 32)))
			x[i].mode = CAPOS_XFER_COPY;
	}
	if (n && s->cap != kfp.thread_cap && kf_one_in(r, 8))
		x[0] = (struct capos_xfer){ s->cap, CAPOS_XFER_MOVE };  /* the call moves its own target away */
	s->xfer_addr = kf_addr(x);
	s->xfer_count = (uint16_t)n;
	if (kf_one_in(r, 20))
		s->xfer_addr = kf_pick_out(t, 8 * n);
}
