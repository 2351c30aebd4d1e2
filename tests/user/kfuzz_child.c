/*
 * A kfuzz fuzzing process: threads that write random submission entries
 * straight into their own rings (the raw ring layer, no client stubs) and
 * reap whatever completes, until the end time; then the process ends with
 * the number of operations it submitted as its exit code.
 *
 * What it aims at.  Handles: the capabilities it was granted and every one
 * it gets back (derive, endpoints, frames, threads, processes, sessions,
 * devices), plus stale ones (generation bumped), out-of-range ones and 0.
 * Interface ids: the handle's own, any kernel one, any u32.  Method ids:
 * the interface's, one past them, any u16.  Parameters: words chosen
 * among small numbers, boundaries, handles and addresses, with lengths at
 * and around message sizes and the limits.  Buffers: valid junk memory,
 * NULL, the kernel half, non-canonical, unmapped, misaligned, straddling
 * into an unmapped page, read-only data, program text, the bootstrap page,
 * the fuzzer's map window and (rarely) its own ring.  Transfers: copy,
 * move, unknown modes, duplicates, revoked copies, too many.  Ring
 * operations: CALL, RECV, RETURN (tokens seen and made up, every flag),
 * RELEASE, CANCEL (of pending and unknown operations), NOP and unknown
 * opcodes with random fields.  Typed generators build the sequences a
 * random word rarely would: CapSpace.derive then Revoker.revoke, endpoint
 * create/mint/call/recv/return, spawn and kill of children that fuzz too,
 * threads (some ending at once with work pending), map/unmap/protect in a
 * window, timers and park waits with every timeout.
 *
 * What it never does, so that it keeps fuzzing: unmap or overwrite its own
 * code, stacks or bookkeeping (addresses in parameters point at the map
 * window, results land in junk memory), release its ThreadControl, or set
 * its FS base to anything but its own.  The kernel refusing, the process
 * faulting and a parent killing it are all expected outcomes.
 */
#include "kfuzz.h"

#define KF_POOL 48             /* handles held at once */
#define KF_TOKENS 16           /* reply tokens remembered */
#define KF_PENDING 64          /* tracked operations per thread */
#define KF_SLOT 512            /* result buffer per tracked operation */
#define KF_ARENA_PAGES 18      /* parameter arena: 16 pages + one straddle page, then unmapped */
#define KF_JUNK_PAGES 18       /* result junk: likewise */
#define KF_WINDOW 0x600000000000ull
#define KF_WINDOW_PAGES 256
#define KF_THREADS_MAX 4       /* fuzzing threads per process */
#define KF_SPAWN_BUDGET 2      /* kfuzz children per process */
#define KF_RAW_STACKS 8
#define KF_BATCH_MAX 8         /* entries published per cap_enter */
#define KF_UD 0xc000000000000000ull  /* PRIVATE|DISCARD: a runtime reaper drops ours */

enum kf_kind { K_NONE, K_CALL, K_DERIVE, K_EPCREATE, K_INSPECT, K_RECV, K_PWAIT };

struct kf_pending {
	uint64_t ud;
	uint32_t kind, handle;     /* handle: the entry's target */
	uint8_t *buf;
};

struct kf_thread {
	struct kf_rng rng;
	struct capos_ring_client *rc;
	uint32_t index, batch;
	uint64_t next_ud;
	struct kf_pending pending[KF_PENDING];
	uint8_t slots[KF_PENDING][KF_SLOT];
	uint8_t *arena;            /* this thread's parameters (threads must not share: see make_params) */
	uint32_t arena_off;
	uint64_t fs_word;          /* set_fs_base's parameter, never in the arena */
	struct capos_xfer xfers[KF_BATCH_MAX + 1][18];  /* descriptors of each entry of the batch */
};

/* The process's state, shared by its threads (entries updated atomically). */
static struct {
	uint64_t seed, end_ms, ops, done_ok, done_err, reported;
	uint32_t by_status[40];    /* completions by -status (0: success; 39: anything else) */
	uint32_t depth, threads, spawned, mask;
	uint32_t thread_cap, console, caps_seen;
	uint64_t grants[CAPOS_BOOTSTRAP_MAX_CAPS];  /* what we were given, as pool entries; never evicted */
	uint64_t pool[KF_POOL];    /* handle << 32 | iface; 0 empty; iface 0 unknown */
	uint64_t tokens[KF_TOKENS];
	uint8_t *junk;
	uint8_t *raw_stacks;
} P;

static const uint8_t kf_rodata[64] = { 1, 2, 3 };

/* Methods per kernel interface id (0: no such interface). */
static const uint8_t kf_methods[30] = { 0, 1, 1, 4, 1, 4, 3, 2, 1, 2, 6, 2, 1, 2, 1, 4, 1, 1, 2, 1,
					0, 1, 4, 1, 1, 4, 9, 3, 5, 2 };

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ------------------------------------------------------------ the handle pool */

/* An entry of table (n entries) from a random place on, with iface unless iface is ~0u; 0: none. */
static uint64_t scan(uint64_t *table, uint32_t n, struct kf_rng *r, uint32_t iface)
{
	uint32_t start = (uint32_t)kf_below(r, n);

	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = __atomic_load_n(&table[(start + i) % n], __ATOMIC_RELAXED);

		if (e && (iface == ~0u || (uint32_t)e == iface))
			return e;
	}
	return 0;
}

/* A held entry: a grant a third of the time (and whenever the pool is empty), else a pool entry. */
static uint64_t pool_pick(struct kf_rng *r)
{
	uint64_t e = kf_one_in(r, 3) ? 0 : scan(P.pool, KF_POOL, r, ~0u);

	return e ? e : scan(P.grants, CAPOS_BOOTSTRAP_MAX_CAPS, r, ~0u);
}

/* A held entry speaking iface, among the grants or the pool. */
static uint64_t pool_find(struct kf_rng *r, uint32_t iface)
{
	uint64_t e = kf_one_in(r, 2) ? scan(P.grants, CAPOS_BOOTSTRAP_MAX_CAPS, r, iface) : 0;

	if (!e)
		e = scan(P.pool, KF_POOL, r, iface);
	return e ? e : scan(P.grants, CAPOS_BOOTSTRAP_MAX_CAPS, r, iface);
}

/* A granted capability: released or moved away only now and then, so the fuzzer always has something. */
static int granted(uint32_t handle)
{
	for (uint32_t i = 0; i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		if (P.grants[i] && (uint32_t)(P.grants[i] >> 32) == handle)
			return 1;
	return 0;
}

static void submit_release(struct kf_thread *t, uint32_t handle);

static void pool_add(struct kf_thread *t, uint32_t handle, uint32_t iface)
{
	uint64_t e = (uint64_t)handle << 32 | iface, old;
	uint32_t start = (uint32_t)kf_below(&t->rng, KF_POOL);

	if (!handle || handle == P.thread_cap || granted(handle))
		return;
	for (uint32_t i = 0; i < KF_POOL; i++) {
		old = 0;
		if (__atomic_compare_exchange_n(&P.pool[(start + i) % KF_POOL], &old, e, 0, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return;
	}
	old = __atomic_exchange_n(&P.pool[start], e, __ATOMIC_RELAXED);  /* full: evict and drop one */
	if (old && (uint32_t)(old >> 32) != handle)
		submit_release(t, (uint32_t)(old >> 32));
}

static void pool_forget(uint32_t handle)
{
	for (uint32_t i = 0; i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		if (P.grants[i] && (uint32_t)(P.grants[i] >> 32) == handle)
			P.grants[i] = 0;
	for (uint32_t i = 0; i < KF_POOL; i++) {
		uint64_t e = __atomic_load_n(&P.pool[i], __ATOMIC_RELAXED);

		if (e && (uint32_t)(e >> 32) == handle)
			__atomic_compare_exchange_n(&P.pool[i], &e, 0, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
}

static void pool_set_iface(uint32_t handle, uint32_t iface)
{
	for (uint32_t i = 0; i < KF_POOL; i++) {
		uint64_t e = __atomic_load_n(&P.pool[i], __ATOMIC_RELAXED);

		if (e && (uint32_t)(e >> 32) == handle)
			__atomic_compare_exchange_n(&P.pool[i], &e, (uint64_t)handle << 32 | iface, 0,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
}

/* A handle to aim at: mostly a held one, else stale, out of range, 0 or random. */
static uint32_t pick_handle(struct kf_rng *r, uint32_t *iface)
{
	uint64_t e = pool_pick(r);
	uint32_t h = (uint32_t)(e >> 32);

	*iface = (uint32_t)e;
	switch (kf_below(r, 24)) {
	case 0:
		*iface = 0;
		return 0;
	case 1:
		return capos_cap_make(capos_cap_index(h), capos_cap_gen(h) + 1 + (uint32_t)kf_below(r, 3));
	case 2:
		return capos_cap_make(0xffff - (uint32_t)kf_below(r, 4), 1);
	case 3:
		return (uint32_t)kf_next(r);
	default:
		return h;
	}
}

/* ------------------------------------------------------------ values, lengths, pointers */

static uint64_t pick_count(struct kf_rng *r)
{
	static const uint64_t v[] = { 0, 1, 2, 3, 4, 8, 16, 255, 256, 4096, 65535, 65536, 0xffffffffull,
				      0x7fffffffffffffffull, 0xffffffffffffffffull, 1ull << 32, 1ull << 40 };

	return kf_one_in(r, 3) ? kf_below(r, 9) : v[kf_below(r, sizeof v / sizeof v[0])];
}

static uint64_t pick_vaddr(struct kf_rng *r)
{
	static const uint64_t bad[] = { 0, 0x10, 0xffffffff80000000ull, 0xffff800000000000ull,
					0x0000800000000000ull, 0x00007ffffffff000ull, 0xfffffffffffff000ull };

	if (kf_one_in(r, 4))
		return bad[kf_below(r, sizeof bad / sizeof bad[0])] + (kf_one_in(r, 4) ? kf_below(r, 4096) : 0);
	return KF_WINDOW + kf_below(r, KF_WINDOW_PAGES) * CAPOS_PAGE_SIZE + (kf_one_in(r, 8) ? 1 : 0);
}

/*
 * A page count for vaddr: in the window anything (ranges that overflow or
 * leave the lower half are refused; none reaches the stack at its top),
 * below it never as far as our program at 4 MiB.
 */
static uint64_t pick_pages(struct kf_rng *r, uint64_t vaddr)
{
	if (vaddr < KF_WINDOW)
		return kf_below(r, 64);
	return kf_one_in(r, 3) ? pick_count(r) : 1 + kf_below(r, 8);
}

static uint64_t pick_word(struct kf_rng *r)
{
	switch (kf_below(r, 8)) {
	case 0:
	case 1:
		return pick_count(r);
	case 2:
		return pool_pick(r) >> 32;
	case 3:
		return pick_vaddr(r);
	case 4:
		return kf_below(r, 30) | (kf_one_in(r, 4) ? CAPOS_IFACE_USER_MIN : 0);
	case 5:
		return kf_below(r, 4) * 1000000ull;
	default:
		return kf_next(r);
	}
}

static uint32_t pick_len(struct kf_rng *r, uint32_t natural)
{
	static const uint32_t v[] = { 0, 1, 4, 7, 8, 15, 16, 24, 40, 64, 152, 256, 304, 600, 1024, 4095, 4096,
				      4097, 16384, 16385, 65535, 65536, 65537, 0xffffffffu };

	switch (kf_below(r, 6)) {
	case 0:
	case 1:
		return natural;
	case 2:
		return natural + (uint32_t)kf_below(r, 9) - 4;
	case 3:
		return (uint32_t)kf_below(r, 1100);
	default:
		return v[kf_below(r, sizeof v / sizeof v[0])];
	}
}

/* A buffer address for len bytes written by the kernel: junk or hostile, never our bookkeeping. */
static uint64_t pick_out(struct kf_thread *t, uint32_t len)
{
	struct kf_rng *r = &t->rng;
	uint64_t junk_end = addr(P.junk) + (KF_JUNK_PAGES - 1) * CAPOS_PAGE_SIZE;

	switch (kf_below(r, 24)) {
	case 0:
		return 0;
	case 1:
		return 0xffffffff80000000ull + kf_below(r, 4096);
	case 2:
		return 0x0000800000000000ull - kf_below(r, 16);
	case 3:
		return 0x8000000000000000ull;
	case 4:
		return 0x10;
	case 5:
		return junk_end - len / 2;                            /* straddles into the unmapped page */
	case 6:
		return addr(kf_rodata);
	case 7:
		return addr((const void *)(uintptr_t)&pick_out);  /* program text */
	case 8:
		return addr(capos_bootstrap());
	case 9:
		return pick_vaddr(r);
	case 10:
		return kf_one_in(r, 16) ? addr(t->rc->hdr) + kf_below(r, t->rc->hdr->size) : 0;
	case 11:
		return 0 - (uint64_t)len + kf_below(r, 2);             /* wraps around */
	default:
		if (len >= (KF_JUNK_PAGES - 2) * CAPOS_PAGE_SIZE)
			return addr(P.junk);
		return addr(P.junk) + kf_below(r, (KF_JUNK_PAGES - 2) * CAPOS_PAGE_SIZE - len) +
		       (kf_one_in(r, 4) ? kf_below(r, 8) : 0);
	}
}

static void flush(struct kf_thread *t);

/*
 * Parameter bytes: a fresh stretch of the thread's arena.  The kernel
 * copies them only when it consumes the entry, so the arena is reused from
 * its start only after the batch has been entered.
 */
static uint64_t make_params(struct kf_thread *t, uint32_t len, const void *typed, uint32_t typed_len, int exact)
{
	struct kf_rng *r = &t->rng;
	uint32_t room = (KF_ARENA_PAGES - 2) * CAPOS_PAGE_SIZE, fill;
	uint8_t *p;

	if (!exact && kf_one_in(r, 20)) {
		uint64_t hostile = pick_out(t, len);

		if (hostile < addr(P.junk) || hostile >= addr(P.junk) + KF_JUNK_PAGES * CAPOS_PAGE_SIZE)
			return hostile;
	}
	if (len > room)
		return addr(t->arena) + room + CAPOS_PAGE_SIZE - (kf_one_in(r, 2) ? 8 : 0);  /* straddles */
	if (t->arena_off + len > room) {
		flush(t);
		t->arena_off = 0;
	}
	p = t->arena + t->arena_off;
	t->arena_off = (t->arena_off + len + 15) & ~15u;
	fill = len < 512 ? len : 512;
	for (uint32_t i = 0; i + 8 <= fill; i += 8) {
		uint64_t w = pick_word(r);

		__builtin_memcpy(p + i, &w, 8);
	}
	if (typed)
		__builtin_memcpy(p, typed, typed_len < len ? typed_len : len);
	if (!exact && kf_one_in(r, 8) && fill)
		p[kf_below(r, fill)] ^= (uint8_t)(1u << kf_below(r, 8));  /* one flipped bit in a good struct */
	return addr(p);
}

/* ------------------------------------------------------------ submission and completion */

static void reap(struct kf_thread *t);

/* Publish what is in the SQ and let the kernel consume it; reap what completed. */
static void enter_batch(struct kf_thread *t)
{
	capos_ring_publish(t->rc);
	capos_cap_enter(0, 0);
	t->batch = 0;
	reap(t);
}

/* The next entry, zeroed; NULL when the SQ stays full (the operation is skipped). */
static struct capos_sqe *sqe(struct kf_thread *t)
{
	struct capos_sqe *s;

	if (t->batch >= KF_BATCH_MAX)
		enter_batch(t);
	s = capos_ring_get_sqe(t->rc);
	if (!s) {
		enter_batch(t);
		s = capos_ring_get_sqe(t->rc);
	}
	if (s) {
		__builtin_memset(s, 0, sizeof *s);
		t->batch++;
		__atomic_fetch_add(&P.ops, 1, __ATOMIC_RELAXED);
	}
	return s;
}

/* A user_data for the entry, tracked with kind when a slot is free; *buf its result slot. */
static uint64_t track(struct kf_thread *t, uint32_t kind, uint32_t handle, uint8_t **buf)
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

static void submit_release(struct kf_thread *t, uint32_t handle)
{
	struct capos_sqe *s = sqe(t);

	if (s) {
		s->opcode = CAPOS_OP_RELEASE;
		s->cap = handle;
		s->user_data = KF_UD;
	}
}

static void completed(struct kf_thread *t, const struct capos_cqe *c)
{
	struct kf_pending *p = NULL;

	__atomic_fetch_add(c->status == 0 ? &P.done_ok : &P.done_err, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&P.by_status[c->status <= 0 && c->status > -39 ? -c->status : 39], 1, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < KF_PENDING && !p; i++)
		if (t->pending[i].ud == c->user_data)
			p = &t->pending[i];
	if (c->caps && c->aux)
		pool_add(t, (uint32_t)c->aux, 0);
	if (!p)
		return;
	if (c->status == -CAPOS_EBADF && p->kind != K_INSPECT && !granted(p->handle))
		pool_forget(p->handle);  /* moved away, released or made up: stop aiming at it (bar the odd bad xfer) */
	if (c->status == 0) {
		switch (p->kind) {
		case K_DERIVE:
			pool_add(t, ((struct capos_cap_space_derive_out *)p->buf)->revoker, CAPOS_IFACE_REVOKER);
			break;
		case K_EPCREATE:
			pool_add(t, ((struct capos_endpoint_factory_create_out *)p->buf)->client, 0);
			pool_set_iface(((struct capos_endpoint_factory_create_out *)p->buf)->server,
				       CAPOS_IFACE_ENDPOINT);
			break;
		case K_INSPECT:
			pool_set_iface(p->handle, ((struct capos_cap_space_inspect_out *)p->buf)->iface);
			break;
		case K_RECV: {
			const struct capos_ipc_msg *m = (const void *)p->buf;

			P.tokens[kf_below(&t->rng, KF_TOKENS)] = c->aux;
			for (uint32_t i = 0; i < m->cap_count && i < CAPOS_XFER_MAX; i++)
				pool_add(t, m->caps[i].handle, m->caps[i].iface);
			break;
		}
		case K_PWAIT: {
			const struct capos_process_handle_wait_out *w = (const void *)p->buf;

			if (w->reason == CAPOS_EXIT_NORMAL && w->exit_code > 0)
				__atomic_fetch_add(&P.reported, (uint64_t)w->exit_code, __ATOMIC_RELAXED);
			break;
		}
		}
	}
	p->ud = 0;
}

static void reap(struct kf_thread *t)
{
	const struct capos_cqe *c;

	while ((c = capos_ring_peek_cqe(t->rc)) != NULL) {
		struct capos_cqe copy = *c;

		capos_ring_cqe_seen(t->rc);
		completed(t, &copy);
	}
}

/* Publish the batch and enter: sometimes wait for a few completions, never long. */
static void flush(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t min = kf_one_in(r, 3) ? (uint32_t)kf_below(r, 4) : 0;

	capos_ring_publish(t->rc);
	capos_cap_enter(min, min ? kf_below(r, 3) * 1000000ull + 1 : 0);
	t->batch = 0;
	reap(t);
}

/*
 * A CALL with parameters from in (in_size bytes; NULL: random words) sent
 * as len bytes, a result of out_len bytes in a slot or a hostile buffer.
 * Unless exact, lengths and one bit of the parameters are sometimes off.
 */
static struct capos_sqe *call_full(struct kf_thread *t, uint32_t cap, uint32_t iface, uint16_t method,
				   const void *in, uint32_t in_size, uint32_t len, uint32_t kind, uint32_t out_len,
				   int exact)
{
	struct kf_rng *r = &t->rng;
	uint32_t params_len = !exact && kf_one_in(r, 10) ? pick_len(r, len) : len;
	uint64_t params = params_len ? make_params(t, params_len, in, in_size, exact) : 0;
	struct capos_sqe *s = sqe(t);  /* after make_params, which may enter the batch so far */
	uint8_t *buf;

	if (!s)
		return NULL;
	s->opcode = CAPOS_OP_CALL;
	s->cap = cap;
	s->iface = iface;
	s->method = method;
	s->params_len = params_len;
	s->params_addr = params;
	s->user_data = track(t, kind, cap, &buf);
	s->result_len = !exact && kf_one_in(r, 10) ? pick_len(r, out_len) : out_len;
	if (buf && s->result_len <= KF_SLOT && (exact || !kf_one_in(r, 10)))
		s->result_addr = addr(buf);
	else
		s->result_addr = pick_out(t, s->result_len);
	return s;
}

static struct capos_sqe *call_sqe(struct kf_thread *t, uint32_t cap, uint32_t iface, uint16_t method,
				  const void *in, uint32_t in_len, uint32_t kind, uint32_t out_len)
{
	return call_full(t, cap, iface, method, in, in_len, in_len, kind, out_len, 0);
}

/* Transfer descriptors: copies, moves, garbage modes, duplicates, bad handles, too many, bad addresses. */
static void add_xfers(struct kf_thread *t, struct capos_sqe *s)
{
	struct kf_rng *r = &t->rng;
	struct capos_xfer *x = t->xfers[t->batch % (KF_BATCH_MAX + 1)];
	uint32_t n = kf_one_in(r, 8) ? (uint32_t)kf_below(r, 20) : 1 + (uint32_t)kf_below(r, 3), iface;

	for (uint32_t i = 0; i < n && i < 18; i++) {
		x[i].cap = i && kf_one_in(r, 6) ? x[i - 1].cap : pick_handle(r, &iface);
		x[i].mode = kf_one_in(r, 12) ? (uint32_t)kf_below(r, 5) :
					       (kf_one_in(r, 3) ? CAPOS_XFER_MOVE : CAPOS_XFER_COPY);
		if (x[i].cap == P.thread_cap || (granted(x[i].cap) && !kf_one_in(r, 32)))
			x[i].mode = CAPOS_XFER_COPY;
	}
	if (n && s->cap != P.thread_cap && kf_one_in(r, 8))
		x[0] = (struct capos_xfer){ s->cap, CAPOS_XFER_MOVE };  /* the call moves its own target away */
	s->xfer_addr = addr(x);
	s->xfer_count = (uint16_t)n;
	if (kf_one_in(r, 20))
		s->xfer_addr = pick_out(t, 8 * n);
}

/* ------------------------------------------------------------ operations */

static void op_generic_call(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t iface, h = pick_handle(r, &iface), m;
	struct capos_sqe *s;

	if (!iface || kf_one_in(r, 8))
		iface = kf_one_in(r, 4) ? (uint32_t)kf_next(r) : (uint32_t)kf_below(r, 31);
	m = iface < 30 && kf_methods[iface] && !kf_one_in(r, 8) ? (uint32_t)kf_below(r, kf_methods[iface] + 1) :
								 (uint32_t)kf_below(r, 0x10000);
	if (iface == CAPOS_IFACE_THREAD_CONTROL || iface == CAPOS_IFACE_THREAD_SPAWNER ||
	    iface == CAPOS_IFACE_POWER || iface == CAPOS_IFACE_CONSOLE || iface == CAPOS_IFACE_VIRTUAL_MEMORY ||
	    iface == CAPOS_IFACE_MEMORY_OBJECT)
		return;  /* their own generators: random words could end us, unmap us or flood the log */
	s = call_sqe(t, h, iface, (uint16_t)m, NULL, pick_len(r, 32), K_CALL, pick_len(r, 64));
	if (s && kf_one_in(r, 6))
		add_xfers(t, s);
}

static void op_derive(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t iface;
	struct capos_cap_space_derive_in in = { .cap = pick_handle(r, &iface),
						.rights = kf_one_in(r, 3) ? (uint32_t)kf_next(r) : 1 };
	uint64_t cs = pool_find(r, CAPOS_IFACE_CAP_SPACE);

	if (cs)
		call_sqe(t, (uint32_t)(cs >> 32), CAPOS_IFACE_CAP_SPACE, CAPOS_CAP_SPACE_DERIVE, &in, sizeof in,
			 K_DERIVE, sizeof(struct capos_cap_space_derive_out));
}

static void op_inspect(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t cs = pool_find(r, CAPOS_IFACE_CAP_SPACE), e = pool_find(r, 0);
	struct capos_cap_space_inspect_in in = { .cap = (uint32_t)(e >> 32) };

	if (cs && e)
		call_sqe(t, (uint32_t)(cs >> 32), CAPOS_IFACE_CAP_SPACE, CAPOS_CAP_SPACE_INSPECT, &in, sizeof in,
			 K_INSPECT, sizeof(struct capos_cap_space_inspect_out));
}

static void op_revoke(struct kf_thread *t)
{
	uint64_t e = pool_find(&t->rng, CAPOS_IFACE_REVOKER);

	if (e)
		call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_REVOKER, CAPOS_REVOKER_REVOKE, NULL, 0, K_CALL, 0);
}

static void op_endpoint(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t e;

	switch (kf_below(r, 3)) {
	case 0: {
		struct capos_endpoint_factory_create_in in = { .iface = CAPOS_IFACE_USER_MIN +
									 (uint32_t)kf_below(r, 4) };

		if ((e = pool_find(r, CAPOS_IFACE_ENDPOINT_FACTORY)) != 0)
			call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_ENDPOINT_FACTORY, CAPOS_ENDPOINT_FACTORY_CREATE,
				 &in, sizeof in, K_EPCREATE, sizeof(struct capos_endpoint_factory_create_out));
		break;
	}
	case 1: {
		struct capos_endpoint_mint_in in = { .iface = (uint32_t)pick_word(r), .rights = (uint32_t)kf_below(r, 3) };

		if ((e = pool_find(r, CAPOS_IFACE_ENDPOINT)) != 0)
			call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_ENDPOINT,
				 kf_one_in(r, 2) ? CAPOS_ENDPOINT_MINT : (uint16_t)kf_below(r, 4), &in, sizeof in, K_CALL,
				 16);
		break;
	}
	default: {  /* a CALL on a client capability: an endpoint of ours or of whoever sent it */
		struct capos_sqe *s;
		uint64_t c = 0;

		for (int i = 0; i < 6 && !c; i++) {
			e = pool_pick(r);
			if ((uint32_t)e >= CAPOS_IFACE_USER_MIN)
				c = e;
		}
		if (!c)
			return;
		s = call_sqe(t, (uint32_t)(c >> 32), (uint32_t)c, (uint16_t)kf_below(r, 8), NULL, pick_len(r, 24),
			     K_CALL, pick_len(r, 64));
		if (s && kf_one_in(r, 3))
			add_xfers(t, s);
	}
	}
}

static void op_recv(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t e = kf_one_in(r, 6) ? pool_pick(r) : pool_find(r, CAPOS_IFACE_ENDPOINT);
	struct capos_sqe *s;
	uint8_t *buf;

	if (!e || (s = sqe(t)) == NULL)
		return;
	s->opcode = CAPOS_OP_RECV;
	s->cap = kf_one_in(r, 10) ? (uint32_t)kf_next(r) : (uint32_t)(e >> 32);
	s->user_data = track(t, K_RECV, s->cap, &buf);
	s->result_len = kf_one_in(r, 4) ? pick_len(r, KF_SLOT) : KF_SLOT;
	s->result_addr = buf && s->result_len <= KF_SLOT && !kf_one_in(r, 8) ? addr(buf) : pick_out(t, s->result_len);
	if (kf_one_in(r, 16))
		s->params_len = 1;  /* an unused field set */
}

static void op_return(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t slot = (uint32_t)kf_below(r, KF_TOKENS);
	uint8_t flags = kf_one_in(r, 3) ? (uint8_t)kf_below(r, 5) : 0;
	uint32_t len = flags == CAPOS_SQE_F_STATUS && !kf_one_in(r, 4) ? 4 : pick_len(r, 16);
	uint64_t params = len ? make_params(t, len, NULL, 0, 0) : 0;
	struct capos_sqe *s = sqe(t);

	if (!s)
		return;
	s->opcode = CAPOS_OP_RETURN;
	s->aux = kf_one_in(r, 8) || !P.tokens[slot] ? (kf_one_in(r, 2) ? kf_next(r) : pool_pick(r) >> 32) :
						      P.tokens[slot];
	if (!kf_one_in(r, 4))
		P.tokens[slot] = 0;  /* mostly answered once; sometimes again (a stale token) */
	s->flags = flags;
	s->params_len = len;
	s->params_addr = params;
	s->user_data = KF_UD;
	if (kf_one_in(r, 4))
		add_xfers(t, s);
}

static void op_cancel(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	struct capos_sqe *s = sqe(t);

	if (!s)
		return;
	s->opcode = CAPOS_OP_CANCEL;
	s->aux = kf_one_in(r, 4) ? kf_next(r) : t->pending[kf_below(r, KF_PENDING)].ud;
	s->user_data = KF_UD;
}

static void op_release(struct kf_thread *t)
{
	uint32_t iface, h = pick_handle(&t->rng, &iface);

	if (h == P.thread_cap || (granted(h) && !kf_one_in(&t->rng, 512)))
		return;
	submit_release(t, h);
	pool_forget(h);
}

/* An entry that is wrong in itself: unknown opcode, stray flags, unused fields set. */
static void op_garbage(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	struct capos_sqe *s = sqe(t);
	uint64_t w[8];

	if (!s)
		return;
	for (int i = 0; i < 8; i++)
		w[i] = kf_one_in(r, 2) ? pick_word(r) : 0;
	__builtin_memcpy(s, w, sizeof w);
	s->opcode = kf_one_in(r, 2) ? (uint8_t)kf_below(r, CAPOS_OP_COUNT + 2) : (uint8_t)kf_next(r);
	if (s->opcode == CAPOS_OP_CALL && s->cap == P.thread_cap)
		s->opcode = CAPOS_OP_NOP;
	if (s->opcode == CAPOS_OP_CALL || s->opcode == CAPOS_OP_RECV) {
		s->result_addr = pick_out(t, s->result_len);  /* never into our bookkeeping */
		s->xfer_addr = 0;  /* descriptors only through add_xfers (no moving our ThreadControl) */
		s->xfer_count = 0;
	}
	s->user_data = KF_UD | 1ull << 61 | kf_below(r, 4);  /* apart from tracked values */
}

static void op_memory(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t e;

	switch (kf_below(r, 6)) {
	case 0: {
		struct capos_frame_allocator_alloc_in in = { .pages = kf_one_in(r, 4) ? pick_count(r) :
											1 + kf_below(r, 8) };

		if ((e = pool_find(r, CAPOS_IFACE_FRAME_ALLOCATOR)) != 0)
			call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_FRAME_ALLOCATOR, CAPOS_FRAME_ALLOCATOR_ALLOC, &in,
				 sizeof in, K_CALL, sizeof(struct capos_frame_allocator_alloc_out));
		break;
	}
	case 1:
	case 2: {
		uint64_t va = pick_vaddr(r);
		struct capos_memory_object_map_in in = {
			.vaddr = va, .first_page = kf_below(r, 4), .pages = pick_pages(r, va),
			.prot = (uint32_t)kf_below(r, 8) };

		/* exact: a flipped bit could turn a window address into our own program */
		if ((e = pool_find(r, CAPOS_IFACE_MEMORY_OBJECT)) != 0)
			call_full(t, (uint32_t)(e >> 32), CAPOS_IFACE_MEMORY_OBJECT, (uint16_t)kf_below(r, 4), &in,
				  sizeof in, sizeof in, K_CALL, 16, 1);
		break;
	}
	default: {
		uint64_t va = kf_one_in(r, 4) ? 0 : pick_vaddr(r);
		uint16_t m = (uint16_t)kf_below(r, 4);
		struct capos_virtual_memory_map_in in = {
			.vaddr = va, .pages = m == CAPOS_VIRTUAL_MEMORY_MAP && !va ? 1 + kf_below(r, 8) : pick_pages(r, va),
			.prot = (uint32_t)kf_below(r, 8) };

		/* map, unmap and protect share the layout (vaddr, pages, prot); 3 is no method */
		if ((e = pool_find(r, CAPOS_IFACE_VIRTUAL_MEMORY)) != 0)
			call_full(t, (uint32_t)(e >> 32), CAPOS_IFACE_VIRTUAL_MEMORY, m, &in, sizeof in, sizeof in,
				  K_CALL, 8, 1);
	}
	}
}

static void op_wait(struct kf_thread *t)
{
	static const uint64_t ns[] = { 0, 1, 1000000, 10000000, 1000000000ull, 3600000000000ull, ~0ull };
	struct kf_rng *r = &t->rng;
	uint64_t e;

	if (kf_one_in(r, 2)) {
		struct capos_timer_sleep_in in = { .ns = ns[kf_below(r, sizeof ns / sizeof ns[0])] };

		if ((e = pool_find(r, CAPOS_IFACE_TIMER)) != 0)
			call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_TIMER, (uint16_t)kf_below(r, 3), &in, sizeof in,
				 K_CALL, 8);
	} else {
		uint32_t *word = (uint32_t *)(P.junk + 8 * kf_below(r, 4));
		struct capos_park_space_wait_in in = {
			.addr = kf_one_in(r, 6) ? pick_vaddr(r) + 2 : addr(word),
			.expected = kf_one_in(r, 2) ? *word : (uint32_t)kf_next(r),
			.timeout_ns = ns[kf_below(r, sizeof ns / sizeof ns[0])] };

		if ((e = pool_find(r, CAPOS_IFACE_PARK_SPACE)) != 0)
			call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_PARK_SPACE, (uint16_t)kf_below(r, 3), &in,
				 sizeof in, K_CALL, 8);
	}
}

/* A thread of ours started raw: it ends at once, its ring untouched (bare_thread_entry). */
__attribute__((force_align_arg_pointer, noreturn)) static void bare_thread_entry(uint64_t arg, uint64_t ring)
{
	struct capos_ring_header *h = (struct capos_ring_header *)(uintptr_t)ring;
	struct capos_sqe *s = (struct capos_sqe *)(uintptr_t)(ring + h->sq_offset);
	struct capos_thread_control_exit_in in = { (int64_t)arg };

	(void)arg;
	__builtin_memset(s, 0, sizeof *s);
	s->opcode = CAPOS_OP_CALL;
	s->cap = P.thread_cap;
	s->iface = CAPOS_IFACE_THREAD_CONTROL;
	s->method = CAPOS_THREAD_CONTROL_EXIT;
	s->params_addr = addr(&in);
	s->params_len = sizeof in;
	__atomic_store_n(&h->sq_tail, h->sq_tail + 1, __ATOMIC_RELEASE);
	for (;;)
		capos_cap_enter(1, 1000000000ull);
}

static void op_threads(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t e;

	switch (kf_below(r, 4)) {
	case 0: {
		/* ThreadSpawner.spawn raw: our bare entry on one of a few stacks, or entries the kernel must refuse */
		/* bad entries the kernel must refuse (one at 0 would only end us, with a fault) */
		static const uint64_t entries[] = { 0xffffffff80000000ull, 0x0000800000000000ull, 0xfffffffffffff000ull };
		struct capos_thread_spawner_spawn_in in = {
			.entry = kf_one_in(r, 4) ? entries[kf_below(r, 3)] : addr((const void *)(uintptr_t)bare_thread_entry),
			.stack_top = addr(P.raw_stacks) + (1 + kf_below(r, KF_RAW_STACKS)) * CAPOS_PAGE_SIZE,
			.arg = kf_next(r),
			.fs_base = kf_one_in(r, 4) ? pick_vaddr(r) : 0,
		};

		if (in.entry != addr((const void *)(uintptr_t)bare_thread_entry) && kf_one_in(r, 2))
			in.stack_top = pick_vaddr(r);
		if ((e = pool_find(r, CAPOS_IFACE_THREAD_SPAWNER)) != 0)
			call_full(t, (uint32_t)(e >> 32), CAPOS_IFACE_THREAD_SPAWNER, CAPOS_THREAD_SPAWNER_SPAWN, &in,
				  sizeof in, sizeof in, K_CALL, sizeof(struct capos_thread_spawner_spawn_out), 1);
		break;
	}
	case 1:
		if ((e = pool_find(r, CAPOS_IFACE_THREAD_HANDLE)) != 0)
			call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_THREAD_HANDLE, (uint16_t)kf_below(r, 3), NULL, 0,
				 K_CALL, 8);
		break;
	default: {
		/* ThreadControl on ourselves: harmless methods, our own FS base back, rarely the end */
		struct capos_thread_control_exit_unmap_in un = {
			.exit_code = 7, .vaddr = KF_WINDOW + kf_below(r, KF_WINDOW_PAGES) * CAPOS_PAGE_SIZE,
			.pages = kf_below(r, 3) };
		uint32_t m = (uint32_t)kf_below(r, 4);
		struct capos_sqe *s;

		if (m == CAPOS_THREAD_CONTROL_EXIT)
			m = CAPOS_THREAD_CONTROL_SELF;
		if (m == CAPOS_THREAD_CONTROL_SET_FS_BASE) {
			/* our own base back: its parameter outside the arena, whatever the batch does */
			t->fs_word = addr(capos_tcb_self());
			if ((s = sqe(t)) != NULL) {
				s->opcode = CAPOS_OP_CALL;
				s->cap = P.thread_cap;
				s->iface = CAPOS_IFACE_THREAD_CONTROL;
				s->method = CAPOS_THREAD_CONTROL_SET_FS_BASE;
				s->params_addr = addr(&t->fs_word);
				s->params_len = 8;
				s->user_data = KF_UD;
			}
		} else if (kf_one_in(r, 400) && t->index) {
			/* the thread ends with whatever it has pending */
			call_full(t, P.thread_cap, CAPOS_IFACE_THREAD_CONTROL,
				  kf_one_in(r, 2) ? CAPOS_THREAD_CONTROL_EXIT : CAPOS_THREAD_CONTROL_EXIT_UNMAP, &un,
				  sizeof un, sizeof un, K_CALL, 0, 1);
		} else {
			call_sqe(t, P.thread_cap, CAPOS_IFACE_THREAD_CONTROL, (uint16_t)m, NULL, 0, K_CALL, 8);
		}
	}
	}
}

static void op_spawn(struct kf_thread *t)
{
	static const char *const binaries[] = { "kfuzz", "utest-fault", "no-such-program", "", "kfuzz/../init" };
	struct kf_rng *r = &t->rng;
	struct capos_process_spawner_spawn_in in = { 0 };
	uint32_t b = (uint32_t)kf_below(r, 5), extra = (uint32_t)kf_below(r, 4);
	struct capos_sqe *s;
	char *p;
	uint64_t e;

	if (kf_one_in(r, 2)) {
		if ((e = pool_find(r, CAPOS_IFACE_PROCESS_HANDLE)) != 0)
			call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_PROCESS_HANDLE, (uint16_t)kf_below(r, 3), NULL, 0,
				 kf_one_in(r, 2) ? K_PWAIT : K_CALL, sizeof(struct capos_process_handle_wait_out));
		return;
	}
	if ((e = pool_find(r, CAPOS_IFACE_PROCESS_SPAWNER)) == 0)
		return;
	if (b == 0 && (P.depth == 0 || __atomic_fetch_add(&P.spawned, 1, __ATOMIC_RELAXED) >= KF_SPAWN_BUDGET))
		b = 2;
	__builtin_memcpy(in.binary, binaries[b], __builtin_strlen(binaries[b]));
	if (b == 0)
		capos_snprintf(in.args, sizeof in.args, "child %llu %u %llu %u",
			       (unsigned long long)kf_derive(P.seed, 1000 + kf_below(r, 1000000)), P.depth - 1,
			       (unsigned long long)P.end_ms, P.mask);
	else
		capos_snprintf(in.args, sizeof in.args, "%s", b == 1 ? (kf_one_in(r, 2) ? "gp" : "pf") : "x");
	p = in.grant_names;
	p += capos_snprintf(p, 128, "%sthread=@thread threads=@threads vm=@vm park=@park",
			    P.console ? "console " : "");
	for (uint32_t i = 0; i < extra; i++)
		p += capos_snprintf(p, 16, " c%u", i);
	if (kf_one_in(r, 16))
		capos_snprintf(p, 24, kf_one_in(r, 2) ? " @session" : " x=@nothing ==");
	in.quota_frames = b == 0 ? 256 + 256 * kf_below(r, 4) : (kf_one_in(r, 2) ? pick_count(r) : 64);
	in.quota_caps = kf_one_in(r, 4) ? (uint32_t)pick_count(r) : 96;
	in.quota_threads = kf_one_in(r, 4) ? (uint32_t)pick_count(r) : 8;
	in.quota_ring_ops = kf_one_in(r, 4) ? (uint32_t)pick_count(r) : 64;
	if (b == 0 && (in.quota_frames > 2048 || in.quota_threads > 64 || !in.quota_threads))
		in.quota_threads = 8;  /* a fuzzing child stays small: memory is the machine's */
	s = call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_PROCESS_SPAWNER, CAPOS_PROCESS_SPAWNER_SPAWN, &in,
		     sizeof in, K_CALL, sizeof(struct capos_process_spawner_spawn_out));
	if (s && P.console) {
		/* the descriptors for console and c0..: ours, copied or moved */
		struct capos_xfer *x = t->xfers[t->batch % (KF_BATCH_MAX + 1)];
		uint32_t iface;

		x[0] = (struct capos_xfer){ P.console, CAPOS_XFER_COPY };
		for (uint32_t i = 0; i < extra; i++) {
			x[1 + i].cap = pick_handle(r, &iface);
			x[1 + i].mode = kf_one_in(r, 4) && x[1 + i].cap != P.thread_cap && !granted(x[1 + i].cap) ?
						CAPOS_XFER_MOVE : CAPOS_XFER_COPY;
		}
		s->xfer_addr = addr(x);
		s->xfer_count = (uint16_t)(1 + extra);
	}
}

/* Devices, sessions, process lists, entropy, the boot package: whatever we hold, random methods. */
static void op_other(struct kf_thread *t)
{
	static const uint32_t ifaces[] = { CAPOS_IFACE_DEVICE_ROOT, CAPOS_IFACE_PCI_FUNCTION, CAPOS_IFACE_IO_PORT_RANGE,
					   CAPOS_IFACE_INTERRUPT, CAPOS_IFACE_DMA_POOL, CAPOS_IFACE_SESSION_FACTORY,
					   CAPOS_IFACE_USER_SESSION, CAPOS_IFACE_PROCESS_INFO, CAPOS_IFACE_ENTROPY_SOURCE,
					   CAPOS_IFACE_BOOT_PACKAGE, CAPOS_IFACE_ENDPOINT, CAPOS_IFACE_REPLY,
					   CAPOS_IFACE_NULL };
	struct kf_rng *r = &t->rng;
	uint32_t iface = ifaces[kf_below(r, sizeof ifaces / sizeof ifaces[0])];
	uint64_t e = pool_find(r, iface), w[8];

	if (!e)
		return;
	for (int i = 0; i < 8; i++)
		w[i] = kf_one_in(r, 2) ? kf_below(r, 8) : pick_word(r);
	if (iface == CAPOS_IFACE_DEVICE_ROOT && kf_one_in(r, 2))
		__builtin_memcpy(w, kf_one_in(r, 2) ? "com2\0\0\0\0" : "com1\0\0\0\0", 8);
	if (iface == CAPOS_IFACE_SESSION_FACTORY)
		__builtin_memcpy(w, kf_one_in(r, 2) ? "fuzz\0\0\0\0" : "a-b_9\0\0\0", 8);
	call_full(t, (uint32_t)(e >> 32), iface, (uint16_t)kf_below(r, kf_methods[iface] + 1), w, sizeof w,
		  pick_len(r, 64), K_CALL, pick_len(r, 256), 0);
}

static void op_console(struct kf_thread *t)
{
	static const char noise[] = "kfuzz-noise\n";

	if (P.console && kf_one_in(&t->rng, 8))
		call_full(t, P.console, CAPOS_IFACE_CONSOLE, 0, noise, sizeof noise - 1, sizeof noise - 1, K_CALL, 4, 1);
}

static int fuzz_thread(struct kf_thread *t);

static int64_t fuzz_thread_entry(void *arg)
{
	return fuzz_thread(arg);
}

static uint8_t *area(uint64_t pages);

static struct kf_thread *new_thread_state(uint32_t index)
{
	struct kf_thread *t = capos_pages_alloc((sizeof(struct kf_thread) + CAPOS_PAGE_SIZE - 1) / CAPOS_PAGE_SIZE);

	if (t) {
		t->index = index;
		t->rng.s = kf_derive(P.seed, index);
		t->arena = area(KF_ARENA_PAGES);
	}
	return t && t->arena ? t : NULL;
}

static void op_new_thread(struct kf_thread *t)
{
	uint32_t index = __atomic_fetch_add(&P.threads, 1, __ATOMIC_RELAXED);
	struct kf_thread *n;
	struct capos_thread *th;

	if (index >= KF_THREADS_MAX)
		return;
	n = new_thread_state(index);
	if (n && capos_thread_create(&th, fuzz_thread_entry, n, 0) == 0)
		capos_thread_detach(th);
	(void)t;
}

/* One operation (or a flush): weights favour the typed sequences. */
/* The operation kinds with their weights (out of 100; the rest only flush). */
static const struct {
	void (*fn)(struct kf_thread *t);
	uint32_t weight;
} kinds[] = {
	{ op_generic_call, 16 }, { op_derive, 8 }, { op_revoke, 3 }, { op_inspect, 3 }, { op_endpoint, 10 },
	{ op_recv, 7 }, { op_return, 5 }, { op_cancel, 4 }, { op_release, 4 }, { op_garbage, 3 },
	{ op_memory, 7 }, { op_wait, 6 }, { op_threads, 4 }, { op_spawn, 2 }, { op_other, 6 },
	{ op_console, 1 }, { op_new_thread, 1 },
};

/* One operation (or a flush); kinds whose bit is set in the mask are left out (narrowing a failure down). */
static void step(struct kf_thread *t)
{
	uint32_t k = (uint32_t)kf_below(&t->rng, 100), i = 0;

	while (i < sizeof kinds / sizeof kinds[0] && k >= kinds[i].weight)
		k -= kinds[i++].weight;
	if (i < sizeof kinds / sizeof kinds[0] && !(P.mask & (1u << i)))
		kinds[i].fn(t);
	if (t->batch >= 1 + kf_below(&t->rng, 8) || i == sizeof kinds / sizeof kinds[0])
		flush(t);
}

__attribute__((noreturn)) static void end_process(void)
{
	static uint32_t ending;
	uint64_t ops = __atomic_load_n(&P.ops, __ATOMIC_RELAXED);
	char hist[320];
	int n = 0;

	if (__atomic_exchange_n(&ending, 1, __ATOMIC_RELAXED))
		capos_thread_exit(0);  /* another thread reports and ends the process */
	for (int i = 0; i < 40 && n < (int)sizeof hist - 16; i++)
		if (P.by_status[i])
			n += capos_snprintf(hist + n, sizeof hist - (size_t)n, " %s%d:%u", i ? "-" : "", i, P.by_status[i]);
	{
		uint32_t held = 0, known = 0;

		for (uint32_t i = 0; i < KF_POOL; i++) {
			held += P.pool[i] != 0;
			known += P.pool[i] && (uint32_t)P.pool[i];
		}
		for (uint32_t i = 0; i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
			held += P.grants[i] != 0, known += P.grants[i] != 0;
		capos_printf("kfuzz: pid %u statuses%s; pool %u held, %u of known interface\n", capos_bootstrap()->pid,
			     n ? hist : " none", held, known);
	}

	capos_printf("kfuzz: pid %u depth %u ops %llu (completed %llu, refused %llu; children reported %llu)\n",
		     capos_bootstrap()->pid, P.depth, (unsigned long long)ops, (unsigned long long)P.done_ok,
		     (unsigned long long)P.done_err, (unsigned long long)P.reported);
	capos_process_exit((int64_t)ops);
}

static int fuzz_thread(struct kf_thread *t)
{
	t->rc = capos_ring();
	while (kf_now_ms() < P.end_ms)
		step(t);
	end_process();
}

/* The junk, arena and stack areas, each followed by an unmapped page. */
static uint8_t *area(uint64_t pages)
{
	uint8_t *p = capos_pages_alloc(pages);

	if (p)
		capos_pages_free(p + (pages - 1) * CAPOS_PAGE_SIZE, 1);
	return p;
}

int kf_child_main(uint64_t seed, uint32_t depth, uint64_t end_ms, uint32_t mask)
{
	const struct capos_bootstrap *b = capos_bootstrap();
	struct kf_thread *t;

	P.seed = seed;
	P.mask = mask;
	P.depth = depth;
	P.end_ms = end_ms;
	P.thread_cap = capos_cap_find("thread", NULL);
	P.console = capos_cap_find("console", NULL);
	P.threads = 1;
	P.junk = area(KF_JUNK_PAGES);
	P.raw_stacks = area(KF_RAW_STACKS + 1);
	t = new_thread_state(0);
	if (!P.junk || !P.raw_stacks || !t)
		return 3;  /* too small a quota to fuzz: an expected outcome of a random spawn */
	t->rc = capos_ring();
	for (uint32_t i = 0; i < b->cap_count && i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		if (b->caps[i].handle != P.thread_cap && b->caps[i].handle != P.console)
			P.grants[P.caps_seen++] = (uint64_t)b->caps[i].handle << 32 | b->caps[i].iface;
	return fuzz_thread(t);
}
