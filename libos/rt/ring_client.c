/*
 * The ring client (API and model: capos/ring_client.h).
 *
 * Indices: the client keeps its own sq_tail and cq_head and publishes them
 * with release stores after the entries they cover are written (SQ) or
 * read (CQ); it reads the kernel's sq_head and cq_tail with acquire loads.
 * Submission publishes one SQE and enters the kernel until the kernel's
 * sq_head has passed it, so parameters are copied before the call returns.
 * Reaping moves CQEs into the stash; when the stash is full they stay in
 * the CQ, where a waiter still finds its own completion (cq_take).
 *
 * Everything but capos_cap_enter (syscall.c) is plain C over shared
 * memory, so the host tests link this file against a simulated kernel.
 */
#include <stddef.h>
#include <capos/error.h>
#include <capos/ring_client.h>

static uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- set-up */

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int check_header(const struct capos_ring_header *h, uint64_t size)
{
	if (h->magic != CAPOS_RING_MAGIC || h->version != CAPOS_RING_VERSION)
		return -CAPOS_EFORMAT;
	if (!is_pow2(h->sq_entries) || !is_pow2(h->cq_entries) ||
	    h->sq_entries > CAPOS_RING_MAX_ENTRIES || h->cq_entries > CAPOS_RING_MAX_ENTRIES)
		return -CAPOS_EFORMAT;
	if (h->sq_offset < sizeof *h || h->cq_offset < sizeof *h ||
	    (uint64_t)h->sq_offset + (uint64_t)h->sq_entries * sizeof(struct capos_sqe) > size ||
	    (uint64_t)h->cq_offset + (uint64_t)h->cq_entries * sizeof(struct capos_cqe) > size)
		return -CAPOS_ERANGE;
	return 0;
}

int capos_ring_init(struct capos_ring_client *rc, void *ring_addr, uint64_t ring_size)
{
	struct capos_ring_header *h = ring_addr;
	int err;

	if (!h || ring_size < sizeof *h)
		return -CAPOS_ERANGE;
	err = check_header(h, ring_size);
	if (err)
		return err;
	rc->hdr = h;
	rc->sq = (struct capos_sqe *)((char *)h + h->sq_offset);
	rc->cq = (struct capos_cqe *)((char *)h + h->cq_offset);
	rc->sq_entries = h->sq_entries;
	rc->cq_entries = h->cq_entries;
	rc->sq_tail = load_acquire(&h->sq_tail);
	rc->cq_head = load_acquire(&h->cq_head);
	rc->next_user_data = 1;
	rc->lock = 0;
	rc->clock = NULL;
	capos_stash_init(&rc->stash);
	for (uint32_t i = 0; i < CAPOS_RC_WATCH_MAX; i++)
		rc->watches[i] = (struct capos_ring_watch){ 0, NULL, NULL };
	return 0;
}

int capos_ring_attach(struct capos_ring_client *rc, void *ring_addr)
{
	const struct capos_ring_header *h = ring_addr;

	if (!h || h->magic != CAPOS_RING_MAGIC || h->size < sizeof *h)
		return -CAPOS_EFORMAT;
	return capos_ring_init(rc, ring_addr, h->size);
}

void capos_ring_set_clock(struct capos_ring_client *rc, uint64_t (*now)(void))
{
	rc->clock = now;
}

/* ------------------------------------------------------------- raw layer */

void capos_ring_lock(struct capos_ring_client *rc)
{
	while (__atomic_exchange_n(&rc->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&rc->lock, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

void capos_ring_unlock(struct capos_ring_client *rc)
{
	__atomic_store_n(&rc->lock, 0, __ATOMIC_RELEASE);
}

struct capos_sqe *capos_ring_get_sqe(struct capos_ring_client *rc)
{
	struct capos_sqe *s;

	if (rc->sq_tail - load_acquire(&rc->hdr->sq_head) >= rc->sq_entries)
		return NULL;
	s = &rc->sq[capos_ring_slot(rc->sq_tail, rc->sq_entries)];
	*s = (struct capos_sqe){ 0 };
	rc->sq_tail++;
	return s;
}

void capos_ring_publish(struct capos_ring_client *rc)
{
	store_release(&rc->hdr->sq_tail, rc->sq_tail);
}

uint32_t capos_ring_sq_pending(const struct capos_ring_client *rc)
{
	return load_acquire(&rc->hdr->sq_tail) - load_acquire(&rc->hdr->sq_head);
}

const struct capos_cqe *capos_ring_peek_cqe(struct capos_ring_client *rc)
{
	if (rc->cq_head == load_acquire(&rc->hdr->cq_tail))
		return NULL;
	return &rc->cq[capos_ring_slot(rc->cq_head, rc->cq_entries)];
}

void capos_ring_cqe_seen(struct capos_ring_client *rc)
{
	rc->cq_head++;
	store_release(&rc->hdr->cq_head, rc->cq_head);
}

uint32_t capos_ring_cq_ready(const struct capos_ring_client *rc)
{
	return load_acquire(&rc->hdr->cq_tail) - rc->cq_head;
}

void capos_sqe_nop(struct capos_sqe *s, uint64_t user_data)
{
	*s = (struct capos_sqe){ .opcode = CAPOS_OP_NOP, .user_data = user_data };
}

void capos_sqe_call(struct capos_sqe *s, uint64_t user_data, uint32_t cap, uint32_t iface,
		    uint16_t method, const void *in, uint32_t in_len, void *out, uint32_t out_cap)
{
	*s = (struct capos_sqe){
		.opcode = CAPOS_OP_CALL, .cap = cap, .user_data = user_data, .iface = iface,
		.method = method,
		.params_addr = in_len ? (uint64_t)(uintptr_t)in : 0, .params_len = in_len,
		.result_addr = out_cap ? (uint64_t)(uintptr_t)out : 0, .result_len = out_cap,
	};
}

void capos_sqe_xfer(struct capos_sqe *s, const struct capos_xfer *xfers, uint16_t count)
{
	s->xfer_addr = count ? (uint64_t)(uintptr_t)xfers : 0;
	s->xfer_count = count;
}

void capos_sqe_release(struct capos_sqe *s, uint64_t user_data, uint32_t cap)
{
	*s = (struct capos_sqe){ .opcode = CAPOS_OP_RELEASE, .cap = cap, .user_data = user_data };
}

void capos_sqe_cancel(struct capos_sqe *s, uint64_t user_data, uint64_t target_user_data)
{
	*s = (struct capos_sqe){ .opcode = CAPOS_OP_CANCEL, .user_data = user_data,
				 .aux = target_user_data };
}

/* ------------------------------------------------------------- reaping */

static void cqe_copy(struct capos_completion *c, const struct capos_cqe *e)
{
	*c = (struct capos_completion){ e->user_data, e->status, e->result_len, e->aux,
					e->caps, e->flags, 0 };
}

/* Move CQEs into the stash while it has room.  Lock held. */
static void reap_locked(struct capos_ring_client *rc)
{
	const struct capos_cqe *e;

	while (rc->stash.count < CAPOS_RC_STASH && (e = capos_ring_peek_cqe(rc)) != NULL) {
		struct capos_completion c;

		cqe_copy(&c, e);
		if ((c.user_data & (CAPOS_UD_PRIVATE | CAPOS_UD_DISCARD)) !=
		    (CAPOS_UD_PRIVATE | CAPOS_UD_DISCARD))
			capos_stash_put(&rc->stash, &c);
		capos_ring_cqe_seen(rc);
	}
}

/*
 * Take the CQE for user_data straight out of the CQ (used when the stash
 * is full): the entries before it move up one slot, then the head advances.
 * The kernel writes only past cq_tail, so entries in [head, tail) are ours.
 */
static int cq_take(struct capos_ring_client *rc, uint64_t user_data, struct capos_completion *c)
{
	uint32_t tail = load_acquire(&rc->hdr->cq_tail);

	for (uint32_t j = rc->cq_head; j != tail; j++) {
		if (rc->cq[capos_ring_slot(j, rc->cq_entries)].user_data != user_data)
			continue;
		cqe_copy(c, &rc->cq[capos_ring_slot(j, rc->cq_entries)]);
		for (uint32_t k = j; k != rc->cq_head; k--)
			rc->cq[capos_ring_slot(k, rc->cq_entries)] =
				rc->cq[capos_ring_slot(k - 1, rc->cq_entries)];
		capos_ring_cqe_seen(rc);
		return 0;
	}
	return -CAPOS_ENOENT;
}

/* ------------------------------------------------------------- waiting */

static int sq_consumed(const struct capos_ring_client *rc, uint32_t index)
{
	return (int32_t)(load_acquire(&rc->hdr->sq_head) - index) > 0;
}

struct wait_budget {
	uint64_t left;       /* ns; CAPOS_TIMEOUT_INFINITE */
};

/*
 * One kernel entry: the kernel consumes everything queued, then this
 * thread sleeps until one more completion than the CQ holds now is
 * visible, or the budget passes (0: no sleep).  Lock held (dropped around
 * the system call).  0 or a negative code.
 */
static int enter_and_wait(struct capos_ring_client *rc, struct wait_budget *b)
{
	int timed = rc->clock && b->left && b->left != CAPOS_TIMEOUT_INFINITE;
	uint32_t ready = capos_ring_cq_ready(rc);
	uint64_t t0 = 0, spent;
	int64_t r;

	if (ready >= rc->cq_entries)
		return -CAPOS_EBUSY;  /* CQ and stash full of unclaimed completions */
	capos_ring_unlock(rc);
	if (timed)
		t0 = rc->clock();  /* unlocked: a clock may itself call through the ring */
	r = capos_cap_enter(ready + 1, b->left);
	spent = timed ? rc->clock() - t0 : b->left;
	capos_ring_lock(rc);
	if (b->left != CAPOS_TIMEOUT_INFINITE)
		b->left = spent >= b->left ? 0 : b->left - spent;
	return r < 0 ? (int)r : 0;
}

typedef int (*take_fn)(struct capos_ring_client *rc, void *arg, struct capos_completion *c);

/*
 * Reap and try take() until it succeeds or the budget is spent; each
 * round that finds nothing enters the kernel once (which also performs
 * whatever was just published).  Lock held.
 */
static int wait_until(struct capos_ring_client *rc, take_fn take, void *arg, uint64_t timeout_ns,
		      struct capos_completion *c)
{
	struct wait_budget b = { timeout_ns };

	for (int entered = 0;; entered = 1) {
		int err;

		reap_locked(rc);
		if (take(rc, arg, c) == 0)
			return 0;
		if (b.left == 0 && (entered || sq_consumed(rc, rc->sq_tail - 1)))
			return -CAPOS_ETIMEDOUT;
		err = enter_and_wait(rc, &b);
		if (err)
			return err;
	}
}

static int take_user_data(struct capos_ring_client *rc, void *arg, struct capos_completion *c)
{
	uint64_t ud = *(const uint64_t *)arg;

	if (capos_stash_take(&rc->stash, ud, c) == 0)
		return 0;
	return cq_take(rc, ud, c);
}

/* ----------------------------------------------------------- submission */

/*
 * Let the kernel consume what is queued; when it consumed nothing (the CQ
 * is full of completions or reservations), reap into the stash, and if
 * that freed nothing either, wait a slice for an operation to finish.
 * Lock held.  0 or a negative code.
 */
static int make_progress(struct capos_ring_client *rc)
{
	struct wait_budget b = { CAPOS_RC_PROGRESS_SLICE_NS };
	uint32_t ready, stashed;
	int64_t r;

	ready = capos_ring_cq_ready(rc);
	stashed = rc->stash.count;
	capos_ring_unlock(rc);
	r = capos_cap_enter(0, 0);
	capos_ring_lock(rc);
	if (r != 0)
		return r < 0 ? (int)r : 0;
	reap_locked(rc);
	if (rc->stash.count != stashed || capos_ring_cq_ready(rc) < ready)
		return 0;
	return enter_and_wait(rc, &b);
}

/* Publish a copy of proto with user_data ud (not yet consumed).  Lock held. */
static int publish_locked(struct capos_ring_client *rc, const struct capos_sqe *proto, uint64_t ud)
{
	struct capos_sqe *s;
	int err;

	if (rc->stash.count >= CAPOS_RC_STASH)
		return -CAPOS_EBUSY;
	while ((s = capos_ring_get_sqe(rc)) == NULL) {
		err = make_progress(rc);
		if (err)
			return err;
	}
	*s = *proto;
	s->user_data = ud;
	capos_ring_publish(rc);
	return 0;
}

/* Publish, then enter the kernel until it has consumed the entry.  Lock held. */
static int submit_locked(struct capos_ring_client *rc, const struct capos_sqe *proto, uint64_t ud)
{
	int err = publish_locked(rc, proto, ud);

	while (!err && !sq_consumed(rc, rc->sq_tail - 1))
		err = make_progress(rc);
	return err;
}

static uint64_t new_user_data(struct capos_ring_client *rc, int private_ud)
{
	uint64_t ud = rc->next_user_data++ & ~(CAPOS_UD_PRIVATE | CAPOS_UD_DISCARD);

	if (ud == 0)
		ud = rc->next_user_data++ & ~(CAPOS_UD_PRIVATE | CAPOS_UD_DISCARD);
	return private_ud ? ud | CAPOS_UD_PRIVATE : ud;
}

/*
 * A synchronous submission: publish, then wait for the completion; the
 * first kernel entry both performs the entry and sleeps for its
 * completion, so a call that the kernel answers at once (or through an
 * IPC hand-off) costs one system call.
 */
int capos_submit_sync(struct capos_ring_client *rc, struct capos_sqe *proto, struct capos_completion *done)
{
	struct capos_completion c;
	uint64_t ud;
	int err;

	capos_ring_lock(rc);
	ud = new_user_data(rc, 1);
	err = publish_locked(rc, proto, ud);
	if (!err)
		err = wait_until(rc, take_user_data, &ud, CAPOS_TIMEOUT_INFINITE, &c);
	capos_ring_unlock(rc);
	if (err)
		return err;
	if (done)
		*done = c;
	return c.status;
}

int capos_submit_self(struct capos_ring_client *rc, struct capos_sqe *proto, struct capos_completion *done)
{
	return capos_submit_sync(rc, proto, done);  /* every ring has one thread: its own */
}

int capos_submit_self_noreturn(struct capos_ring_client *rc, struct capos_sqe *proto)
{
	uint64_t ud;
	int err;

	capos_ring_lock(rc);
	ud = new_user_data(rc, 1) | CAPOS_UD_DISCARD;
	err = submit_locked(rc, proto, ud);
	capos_ring_unlock(rc);
	return err;
}

int capos_call_sync_xfer(struct capos_ring_client *rc, uint32_t cap, uint32_t iface, uint16_t method,
			 const void *in, uint32_t in_len, const struct capos_xfer *xfers,
			 uint16_t xfer_count, void *out, uint32_t out_cap,
			 struct capos_completion *done)
{
	struct capos_sqe s;

	capos_sqe_call(&s, 0, cap, iface, method, in, in_len, out, out_cap);
	capos_sqe_xfer(&s, xfers, xfer_count);
	return capos_submit_sync(rc, &s, done);
}

int capos_call_sync(struct capos_ring_client *rc, uint32_t cap, uint32_t iface, uint16_t method,
		    const void *in, uint32_t in_len, void *out, uint32_t out_cap, uint32_t *out_len)
{
	struct capos_completion c = { 0 };
	int status = capos_call_sync_xfer(rc, cap, iface, method, in, in_len, NULL, 0, out, out_cap, &c);

	if (out_len)
		*out_len = c.result_len;
	return status;
}

int capos_call_self(struct capos_ring_client *rc, uint32_t cap, uint32_t iface, uint16_t method,
		    const void *in, uint32_t in_len, void *out, uint32_t out_cap, uint32_t *out_len)
{
	struct capos_completion c = { 0 };
	struct capos_sqe s;
	int status;

	capos_sqe_call(&s, 0, cap, iface, method, in, in_len, out, out_cap);
	status = capos_submit_self(rc, &s, &c);
	if (out_len)
		*out_len = c.result_len;
	return status;
}

int capos_call_self_noreturn(struct capos_ring_client *rc, uint32_t cap, uint32_t iface,
			     uint16_t method, const void *in, uint32_t in_len)
{
	struct capos_sqe s;

	capos_sqe_call(&s, 0, cap, iface, method, in, in_len, NULL, 0);
	return capos_submit_self_noreturn(rc, &s);
}

int capos_submit_async(struct capos_ring_client *rc, struct capos_sqe *proto, int private_ud,
		       uint64_t *user_data)
{
	uint64_t ud;
	int err;

	capos_ring_lock(rc);
	ud = new_user_data(rc, private_ud);
	err = submit_locked(rc, proto, ud);
	capos_ring_unlock(rc);
	if (!err)
		*user_data = ud;
	return err;
}

int capos_call_async(struct capos_ring_client *rc, uint32_t cap, uint32_t iface, uint16_t method,
		     const void *in, uint32_t in_len, void *out, uint32_t out_cap, uint64_t *user_data)
{
	struct capos_sqe s;

	capos_sqe_call(&s, 0, cap, iface, method, in, in_len, out, out_cap);
	return capos_submit_async(rc, &s, 0, user_data);
}

int capos_nop(struct capos_ring_client *rc)
{
	struct capos_sqe s;

	capos_sqe_nop(&s, 0);
	return capos_submit_sync(rc, &s, NULL);
}

int capos_release(struct capos_ring_client *rc, uint32_t cap)
{
	struct capos_sqe s;

	capos_sqe_release(&s, 0, cap);
	return capos_submit_sync(rc, &s, NULL);
}

int capos_cancel(struct capos_ring_client *rc, uint64_t target_user_data)
{
	struct capos_sqe s;

	capos_sqe_cancel(&s, 0, target_user_data);
	return capos_submit_sync(rc, &s, NULL);
}

/* ------------------------------------------------ collecting completions */

int capos_ring_wait(struct capos_ring_client *rc, uint64_t user_data, uint64_t timeout_ns,
		    struct capos_completion *c)
{
	int err;

	capos_ring_lock(rc);
	err = wait_until(rc, take_user_data, &user_data, timeout_ns, c);
	capos_ring_unlock(rc);
	return err;
}

static struct capos_ring_watch *find_watch(struct capos_ring_client *rc, uint64_t user_data)
{
	for (uint32_t i = 0; i < CAPOS_RC_WATCH_MAX; i++)
		if (rc->watches[i].user_data == user_data && user_data)
			return &rc->watches[i];
	return NULL;
}

static int unclaimed(void *ctx, uint64_t user_data)
{
	return !(user_data & CAPOS_UD_PRIVATE) && !find_watch(ctx, user_data);
}

static int take_unclaimed(struct capos_ring_client *rc, void *arg, struct capos_completion *c)
{
	(void)arg;
	return capos_stash_take_first(&rc->stash, unclaimed, rc, c);
}

int capos_ring_next_completion(struct capos_ring_client *rc, uint64_t timeout_ns,
			       struct capos_completion *c)
{
	int err;

	capos_ring_lock(rc);
	err = wait_until(rc, take_unclaimed, NULL, timeout_ns, c);
	capos_ring_unlock(rc);
	return err;
}

int capos_ring_watch(struct capos_ring_client *rc, uint64_t user_data, capos_completion_fn fn,
		     void *ctx)
{
	int err = -CAPOS_EQUOTA;

	if (!user_data || !fn)
		return -CAPOS_EINVAL;
	capos_ring_lock(rc);
	if (find_watch(rc, user_data))
		err = -CAPOS_EEXIST;
	else
		for (uint32_t i = 0; i < CAPOS_RC_WATCH_MAX && err; i++)
			if (!rc->watches[i].user_data) {
				rc->watches[i] = (struct capos_ring_watch){ user_data, fn, ctx };
				err = 0;
			}
	capos_ring_unlock(rc);
	return err;
}

int capos_ring_unwatch(struct capos_ring_client *rc, uint64_t user_data)
{
	struct capos_ring_watch *w;

	capos_ring_lock(rc);
	w = find_watch(rc, user_data);
	if (w)
		w->user_data = 0;
	capos_ring_unlock(rc);
	return w ? 0 : -CAPOS_ENOENT;
}

static int watched(void *ctx, uint64_t user_data)
{
	return find_watch(ctx, user_data) != NULL;
}

/* Take one completed watched operation and its watch (removed).  Lock held. */
static int take_watched(struct capos_ring_client *rc, void *arg, struct capos_completion *c)
{
	struct capos_ring_watch *out = arg, *w;

	if (capos_stash_take_first(&rc->stash, watched, rc, c) != 0)
		return -CAPOS_ENOENT;
	w = find_watch(rc, c->user_data);
	*out = *w;
	w->user_data = 0;
	return 0;
}

int capos_ring_poll(struct capos_ring_client *rc, uint64_t timeout_ns)
{
	struct capos_ring_watch w;
	struct capos_completion c;
	int ran = 0, err;

	capos_ring_lock(rc);
	err = wait_until(rc, take_watched, &w, timeout_ns, &c);
	while (!err) {
		capos_ring_unlock(rc);
		w.fn(w.ctx, &c);
		ran++;
		capos_ring_lock(rc);
		reap_locked(rc);
		err = take_watched(rc, &w, &c);
	}
	capos_ring_unlock(rc);
	if (ran || err == -CAPOS_ETIMEDOUT || err == -CAPOS_ENOENT)
		return ran;
	return err;
}
