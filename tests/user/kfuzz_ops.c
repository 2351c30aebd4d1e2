/*
 * kfuzz's operations: one generator per kind, each writing one or a few
 * submission entries (kfuzz_ring.c sends them), and the table that picks
 * among them by weight.
 *
 * What it aims at.  Handles: the capabilities it was granted and every one
 * it gets back (derive, endpoints, frames, threads, processes,
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
 * random word rarely would: CapSpace.derive then Revoker.revoke (or
 * revoke_within with every grace, after CapSpace.watch_revoke), endpoint
 * create/mint/call/recv/return, children half built through
 * ProcessFactory/ProcessHandle with bad arguments, started, waited on and
 * killed, threads (some ending at once with work pending, some naming a fault
 * handler and none again in one batch), map/unmap/protect in a
 * window, timers and park waits with every timeout.
 *
 * What it never does, so that it keeps fuzzing: unmap or overwrite its own
 * code, stacks or bookkeeping (addresses in parameters point at the map
 * window, results land in junk memory), release its ThreadControl, or set
 * its FS base to anything but its own.  The kernel refusing, the process
 * faulting and a parent killing it are all expected outcomes.
 */
#include "kfuzz_child.h"

static void op_generic_call(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t iface, h = kf_pick_handle(r, &iface), m;
	struct capos_sqe *s;

	if (!iface || kf_one_in(r, 8))
		iface = kf_one_in(r, 4) ? (uint32_t)kf_next(r) : (uint32_t)kf_below(r, 31);
	m = iface < KF_IFACES && kf_methods[iface] && !kf_one_in(r, 8) ? (uint32_t)kf_below(r, kf_methods[iface] + 1) :
								 (uint32_t)kf_below(r, 0x10000);
	if (iface == CAPOS_IFACE_THREAD_CONTROL || iface == CAPOS_IFACE_THREAD_SPAWNER ||
	    iface == CAPOS_IFACE_POWER || iface == CAPOS_IFACE_CONSOLE || iface == CAPOS_IFACE_VIRTUAL_MEMORY ||
	    iface == CAPOS_IFACE_MEMORY_OBJECT)
		return;  /* their own generators: random words could end us, unmap us or flood the log */
	s = kf_call_sqe(t, h, iface, (uint16_t)m, NULL, kf_pick_len(r, 32), K_CALL, kf_pick_len(r, 64));
	if (s && kf_one_in(r, 6))
		kf_add_xfers(t, s);
}

static void op_derive(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t iface;
	struct capos_cap_space_derive_in in = { .cap = kf_pick_handle(r, &iface),
						.rights = kf_one_in(r, 3) ? (uint32_t)kf_next(r) : 1 };
	uint64_t cs = kf_pool_find(r, CAPOS_IFACE_CAP_SPACE);

	if (cs)
		kf_call_sqe(t, (uint32_t)(cs >> 32), CAPOS_IFACE_CAP_SPACE, CAPOS_CAP_SPACE_DERIVE, &in, sizeof in,
			 K_DERIVE, sizeof(struct capos_cap_space_derive_out));
}

static void op_inspect(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t cs = kf_pool_find(r, CAPOS_IFACE_CAP_SPACE), e = kf_pool_find(r, 0);
	struct capos_cap_space_inspect_in in = { .cap = (uint32_t)(e >> 32) };

	if (cs && e)
		kf_call_sqe(t, (uint32_t)(cs >> 32), CAPOS_IFACE_CAP_SPACE, CAPOS_CAP_SPACE_INSPECT, &in, sizeof in,
			 K_INSPECT, sizeof(struct capos_cap_space_inspect_out));
}

/* A grace for Revoker.revoke_within: none, short, the 10 s limit, just past it, any word. */
static uint64_t pick_grace(struct kf_rng *r)
{
	static const uint64_t graces[] = { 0, 1, 1000000, 20000000, 10000000000ull, 10000000001ull, UINT64_MAX };

	return kf_one_in(r, 4) ? kf_next(r) : graces[kf_below(r, sizeof graces / sizeof graces[0])];
}

/* CapSpace.watch_revoke on any handle (most are not revocable copies), with any result length. */
static void op_watch(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t iface;
	struct capos_cap_space_watch_revoke_in in = { .cap = kf_pick_handle(r, &iface) };
	uint64_t cs = kf_pool_find(r, CAPOS_IFACE_CAP_SPACE);

	if (cs)
		kf_call_sqe(t, (uint32_t)(cs >> 32), CAPOS_IFACE_CAP_SPACE, CAPOS_CAP_SPACE_WATCH_REVOKE, &in, sizeof in,
			 K_CALL, kf_one_in(r, 6) ? kf_pick_len(r, 8) : sizeof(struct capos_cap_space_watch_revoke_out));
}

/* Revoker.revoke, Revoker.revoke_within with every grace, or a watch to be told first. */
static void op_revoke(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t e = kf_pool_find(r, CAPOS_IFACE_REVOKER);
	struct capos_revoker_revoke_within_in in = { .grace_ns = pick_grace(r) };

	if (kf_one_in(r, 3)) {
		op_watch(t);
		return;
	}
	if (!e)
		return;
	if (kf_one_in(r, 2))
		kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_REVOKER, CAPOS_REVOKER_REVOKE, NULL, 0, K_CALL, 0);
	else
		kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_REVOKER, CAPOS_REVOKER_REVOKE_WITHIN, &in, sizeof in,
			 K_CALL, kf_one_in(r, 6) ? kf_pick_len(r, 8) : sizeof(struct capos_revoker_revoke_within_out));
}

static void op_endpoint(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t e;

	switch (kf_below(r, 4)) {
	case 3: {  /* Endpoint.identify of anything held (or forged): a client of this endpoint or not */
		uint32_t iface;
		struct capos_endpoint_identify_in in = { .cap = kf_pick_handle(r, &iface) };

		if ((e = kf_pool_find(r, CAPOS_IFACE_ENDPOINT)) != 0)
			kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_ENDPOINT, CAPOS_ENDPOINT_IDENTIFY, &in, sizeof in,
				 K_CALL, kf_pick_len(r, sizeof(struct capos_endpoint_identify_out)));
		break;
	}
	case 0: {
		struct capos_endpoint_factory_create_in in = { .iface = CAPOS_IFACE_USER_MIN +
									 (uint32_t)kf_below(r, 4) };

		if ((e = kf_pool_find(r, CAPOS_IFACE_ENDPOINT_FACTORY)) != 0)
			kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_ENDPOINT_FACTORY, CAPOS_ENDPOINT_FACTORY_CREATE,
				 &in, sizeof in, K_EPCREATE, sizeof(struct capos_endpoint_factory_create_out));
		break;
	}
	case 1: {
		struct capos_endpoint_mint_in in = { .iface = (uint32_t)kf_pick_word(r), .rights = (uint32_t)kf_below(r, 3),
						     .badge = kf_pick_word(r) };

		if ((e = kf_pool_find(r, CAPOS_IFACE_ENDPOINT)) != 0)
			kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_ENDPOINT,
				 kf_one_in(r, 2) ? CAPOS_ENDPOINT_MINT : (uint16_t)kf_below(r, 5), &in, sizeof in, K_CALL,
				 16);
		break;
	}
	default: {  /* a CALL on a client capability: an endpoint of ours or of whoever sent it */
		struct capos_sqe *s;
		uint64_t c = 0;

		for (int i = 0; i < 6 && !c; i++) {
			e = kf_pool_pick(r);
			if ((uint32_t)e >= CAPOS_IFACE_USER_MIN)
				c = e;
		}
		if (!c)
			return;
		s = kf_call_sqe(t, (uint32_t)(c >> 32), (uint32_t)c, (uint16_t)kf_below(r, 8), NULL, kf_pick_len(r, 24),
			     K_CALL, kf_pick_len(r, 64));
		if (s && kf_one_in(r, 3))
			kf_add_xfers(t, s);
	}
	}
}

static void op_recv(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t e = kf_one_in(r, 6) ? kf_pool_pick(r) : kf_pool_find(r, CAPOS_IFACE_ENDPOINT);
	struct capos_sqe *s;
	uint8_t *buf;

	if (!e || (s = kf_sqe(t)) == NULL)
		return;
	s->opcode = CAPOS_OP_RECV;
	s->cap = kf_one_in(r, 10) ? (uint32_t)kf_next(r) : (uint32_t)(e >> 32);
	s->user_data = kf_track(t, K_RECV, s->cap, &buf);
	s->result_len = kf_one_in(r, 4) ? kf_pick_len(r, KF_SLOT) : KF_SLOT;
	s->result_addr = buf && s->result_len <= KF_SLOT && !kf_one_in(r, 8) ? kf_addr(buf) : kf_pick_out(t, s->result_len);
	if (kf_one_in(r, 16))
		s->params_len = 1;  /* an unused field set */
}

static void op_return(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint32_t slot = (uint32_t)kf_below(r, KF_TOKENS);
	uint8_t flags = kf_one_in(r, 3) ? (uint8_t)kf_below(r, 5) : 0;
	uint32_t len = flags == CAPOS_SQE_F_STATUS && !kf_one_in(r, 4) ? 4 : kf_pick_len(r, 16);
	uint64_t params = len ? kf_make_params(t, len, NULL, 0, 0) : 0;
	struct capos_sqe *s = kf_sqe(t);

	if (!s)
		return;
	s->opcode = CAPOS_OP_RETURN;
	s->aux = kf_one_in(r, 8) || !kfp.tokens[slot] ? (kf_one_in(r, 2) ? kf_next(r) : kf_pool_pick(r) >> 32) :
						      kfp.tokens[slot];
	if (!kf_one_in(r, 4))
		kfp.tokens[slot] = 0;  /* mostly answered once; sometimes again (a stale token) */
	s->flags = flags;
	s->params_len = len;
	s->params_addr = params;
	s->user_data = KF_UD;
	if (kf_one_in(r, 4))
		kf_add_xfers(t, s);
}

static void op_cancel(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	struct capos_sqe *s = kf_sqe(t);

	if (!s)
		return;
	s->opcode = CAPOS_OP_CANCEL;
	s->aux = kf_one_in(r, 4) ? kf_next(r) : t->pending[kf_below(r, KF_PENDING)].ud;
	s->user_data = KF_UD;
}

static void op_release(struct kf_thread *t)
{
	uint32_t iface, h = kf_pick_handle(&t->rng, &iface);

	if (h == kfp.thread_cap || (kf_granted(h) && !kf_one_in(&t->rng, 512)))
		return;
	kf_submit_release(t, h);
	kf_pool_forget(h);
}

/* An entry that is wrong in itself: unknown opcode, stray flags, unused fields set. */
static void op_garbage(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	struct capos_sqe *s = kf_sqe(t);
	uint64_t w[8];

	if (!s)
		return;
	for (int i = 0; i < 8; i++)
		w[i] = kf_one_in(r, 2) ? kf_pick_word(r) : 0;
	__builtin_memcpy(s, w, sizeof w);
	s->opcode = kf_one_in(r, 2) ? (uint8_t)kf_below(r, CAPOS_OP_COUNT + 2) : (uint8_t)kf_next(r);
	if (s->opcode == CAPOS_OP_CALL && s->cap == kfp.thread_cap)
		s->opcode = CAPOS_OP_NOP;
	if (s->opcode == CAPOS_OP_CALL || s->opcode == CAPOS_OP_RECV) {
		s->result_addr = kf_pick_out(t, s->result_len);  /* never into our bookkeeping */
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
		struct capos_frame_allocator_alloc_in in = { .pages = kf_one_in(r, 4) ? kf_pick_count(r) :
											1 + kf_below(r, 8) };

		if ((e = kf_pool_find(r, CAPOS_IFACE_FRAME_ALLOCATOR)) != 0)
			kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_FRAME_ALLOCATOR, CAPOS_FRAME_ALLOCATOR_ALLOC, &in,
				 sizeof in, K_CALL, sizeof(struct capos_frame_allocator_alloc_out));
		break;
	}
	case 1:
	case 2: {
		uint64_t va = kf_pick_vaddr(r);
		struct capos_memory_object_map_in in = {
			.vaddr = va, .first_page = kf_below(r, 4), .pages = kf_pick_pages(r, va),
			.prot = (uint32_t)kf_below(r, 8) };

		/* exact: a flipped bit could turn a window address into our own program */
		if ((e = kf_pool_find(r, CAPOS_IFACE_MEMORY_OBJECT)) != 0)
			kf_call_full(t, (uint32_t)(e >> 32), CAPOS_IFACE_MEMORY_OBJECT, (uint16_t)kf_below(r, 4), &in,
				  sizeof in, sizeof in, K_CALL, 16, 1);
		break;
	}
	default: {
		uint64_t va = kf_one_in(r, 4) ? 0 : kf_pick_vaddr(r);
		uint16_t m = (uint16_t)kf_below(r, 4);
		struct capos_virtual_memory_map_in in = {
			.vaddr = va, .pages = m == CAPOS_VIRTUAL_MEMORY_MAP && !va ? 1 + kf_below(r, 8) : kf_pick_pages(r, va),
			.prot = (uint32_t)kf_below(r, 8) };

		/* map, unmap and protect share the layout (vaddr, pages, prot); 3 is no method */
		if ((e = kf_pool_find(r, CAPOS_IFACE_VIRTUAL_MEMORY)) != 0)
			kf_call_full(t, (uint32_t)(e >> 32), CAPOS_IFACE_VIRTUAL_MEMORY, m, &in, sizeof in, sizeof in,
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

		if ((e = kf_pool_find(r, CAPOS_IFACE_TIMER)) != 0)
			kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_TIMER, (uint16_t)kf_below(r, 3), &in, sizeof in,
				 K_CALL, 8);
	} else {
		uint32_t *word = (uint32_t *)(kfp.junk + 8 * kf_below(r, 4));
		struct capos_park_space_wait_in in = {
			.addr = kf_one_in(r, 6) ? kf_pick_vaddr(r) + 2 : kf_addr(word),
			.expected = kf_one_in(r, 2) ? *word : (uint32_t)kf_next(r),
			.timeout_ns = ns[kf_below(r, sizeof ns / sizeof ns[0])] };

		if ((e = kf_pool_find(r, CAPOS_IFACE_PARK_SPACE)) != 0)
			kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_PARK_SPACE, (uint16_t)kf_below(r, 3), &in,
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
	s->cap = kfp.thread_cap;
	s->iface = CAPOS_IFACE_THREAD_CONTROL;
	s->method = CAPOS_THREAD_CONTROL_EXIT;
	s->params_addr = kf_addr(&in);
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
			.entry = kf_one_in(r, 4) ? entries[kf_below(r, 3)] : kf_addr((const void *)(uintptr_t)bare_thread_entry),
			.stack_top = kf_addr(kfp.raw_stacks) + (1 + kf_below(r, KF_RAW_STACKS)) * CAPOS_PAGE_SIZE,
			.arg = kf_next(r),
			.fs_base = kf_one_in(r, 4) ? kf_pick_vaddr(r) : 0,
		};

		if (in.entry != kf_addr((const void *)(uintptr_t)bare_thread_entry) && kf_one_in(r, 2))
			in.stack_top = kf_pick_vaddr(r);
		if ((e = kf_pool_find(r, CAPOS_IFACE_THREAD_SPAWNER)) != 0)
			kf_call_full(t, (uint32_t)(e >> 32), CAPOS_IFACE_THREAD_SPAWNER, CAPOS_THREAD_SPAWNER_SPAWN, &in,
				  sizeof in, sizeof in, K_CALL, sizeof(struct capos_thread_spawner_spawn_out), 1);
		break;
	}
	case 1:
		if ((e = kf_pool_find(r, CAPOS_IFACE_THREAD_HANDLE)) != 0)
			kf_call_sqe(t, (uint32_t)(e >> 32), CAPOS_IFACE_THREAD_HANDLE, (uint16_t)kf_below(r, 3), NULL, 0,
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
		if (kf_one_in(r, 8)) {
			/* a fault handler from any handle, then none again (exact) before we run on: a fault of
			   ours must not wait for a server that is not there */
			uint32_t iface;
			struct capos_thread_control_set_fault_handler_in fh = { .handler = kf_pick_handle(r, &iface) };
			struct capos_thread_control_set_fault_handler_in none = { .handler = CAPOS_CAP_NONE };

			kf_call_sqe(t, kfp.thread_cap, CAPOS_IFACE_THREAD_CONTROL, CAPOS_THREAD_CONTROL_SET_FAULT_HANDLER,
				    &fh, sizeof fh, K_CALL, 0);
			kf_call_full(t, kfp.thread_cap, CAPOS_IFACE_THREAD_CONTROL, CAPOS_THREAD_CONTROL_SET_FAULT_HANDLER,
				     &none, sizeof none, sizeof none, K_CALL, 0, 1);
		} else if (m == CAPOS_THREAD_CONTROL_SET_FS_BASE) {
			/* our own base back: its parameter outside the arena, whatever the batch does */
			t->fs_word = kf_addr(capos_tcb_self());
			if ((s = kf_sqe(t)) != NULL) {
				s->opcode = CAPOS_OP_CALL;
				s->cap = kfp.thread_cap;
				s->iface = CAPOS_IFACE_THREAD_CONTROL;
				s->method = CAPOS_THREAD_CONTROL_SET_FS_BASE;
				s->params_addr = kf_addr(&t->fs_word);
				s->params_len = 8;
				s->user_data = KF_UD;
			}
		} else if (kf_one_in(r, 400) && t->index) {
			/* the thread ends with whatever it has pending */
			kf_call_full(t, kfp.thread_cap, CAPOS_IFACE_THREAD_CONTROL,
				  kf_one_in(r, 2) ? CAPOS_THREAD_CONTROL_EXIT : CAPOS_THREAD_CONTROL_EXIT_UNMAP, &un,
				  sizeof un, sizeof un, K_CALL, 0, 1);
		} else {
			kf_call_sqe(t, kfp.thread_cap, CAPOS_IFACE_THREAD_CONTROL, (uint16_t)m, NULL, 0, K_CALL, 8);
		}
	}
	}
}

/* A ProcessHandle method with random words: building, starting, waiting on and killing half-built children. */
static void op_build(struct kf_thread *t, uint32_t handle)
{
	struct kf_rng *r = &t->rng;
	uint32_t m = (uint32_t)kf_below(r, 9);   /* one past the last method too */
	uint64_t w[6];
	struct capos_sqe *s;

	for (int i = 0; i < 6; i++)
		w[i] = kf_one_in(r, 2) ? kf_below(r, 8) : kf_pick_word(r);
	if (kf_one_in(r, 2))
		w[0] = 0x400000 + kf_below(r, 64) * 4096;             /* a plausible image address */
	if (m == CAPOS_PROCESS_HANDLE_MAP && kf_one_in(r, 2))
		w[3] = CAPOS_PROT_READ | (uint32_t)kf_below(r, 8);     /* W+X among the rest */
	s = kf_call_full(t, handle, CAPOS_IFACE_PROCESS_HANDLE, (uint16_t)m, w, sizeof w, kf_pick_len(r, sizeof w),
			 m == CAPOS_PROCESS_HANDLE_WAIT ? K_PWAIT : K_CALL, 96, 0);
	if (s && (m == CAPOS_PROCESS_HANDLE_MAP || m == CAPOS_PROCESS_HANDLE_GRANT || kf_one_in(r, 8)))
		kf_add_xfers(t, s);  /* MemoryObjects, anything else, stale, moved, too many */
}

/* ProcessFactory.create with random names, quotas and flags; the handles it gives are built on by op_build. */
static void op_create(struct kf_thread *t, uint32_t factory)
{
	static const char *const names[] = { "kfuzz-built", "", "two words", "utest-fault" };
	struct kf_rng *r = &t->rng;
	struct capos_process_factory_create_in in = { 0 };
	const char *name = names[kf_below(r, 4)];
	struct capos_sqe *s;

	__builtin_memcpy(in.name, name, __builtin_strlen(name));
	if (kf_one_in(r, 16))
		__builtin_memset(in.name, 'n', sizeof in.name);     /* no NUL */
	in.quota_frames = kf_one_in(r, 2) ? kf_pick_count(r) : 64 + 64 * kf_below(r, 4);
	in.quota_caps = kf_one_in(r, 4) ? (uint32_t)kf_pick_count(r) : 16;
	in.quota_threads = kf_one_in(r, 4) ? (uint32_t)kf_pick_count(r) : 2;
	in.quota_ring_ops = kf_one_in(r, 4) ? (uint32_t)kf_pick_count(r) : 16;
	in.quota_kmem_kib = kf_one_in(r, 4) ? (uint32_t)kf_pick_count(r) : 0;
	if (in.quota_frames > 1024)
		in.quota_frames = 1024;  /* every created child is a commit of the machine's memory: stay small */
	in.flags = kf_one_in(r, 8) ? (uint32_t)kf_next(r) : 0;   /* none is defined */
	s = kf_call_sqe(t, factory, CAPOS_IFACE_PROCESS_FACTORY, kf_one_in(r, 16) ? 1 : CAPOS_PROCESS_FACTORY_CREATE,
			&in, sizeof in, K_PCREATE, sizeof(struct capos_process_factory_create_out));
	if (s && (in.flags || kf_one_in(r, 8)))
		kf_add_xfers(t, s);  /* descriptors it takes none of */
}

static void op_spawn(struct kf_thread *t)
{
	struct kf_rng *r = &t->rng;
	uint64_t e;

	if (kf_one_in(r, 3)) {
		if ((e = kf_pool_find(r, CAPOS_IFACE_PROCESS_FACTORY)) != 0)
			op_create(t, (uint32_t)(e >> 32));
	} else if ((e = kf_pool_find(r, CAPOS_IFACE_PROCESS_HANDLE)) != 0) {
		op_build(t, (uint32_t)(e >> 32));
	}
}

/* Devices, entropy, endpoints: whatever we hold, random methods. */
static void op_other(struct kf_thread *t)
{
	static const uint32_t ifaces[] = { CAPOS_IFACE_DEVICE_ROOT, CAPOS_IFACE_PCI_FUNCTION, CAPOS_IFACE_IO_PORT_RANGE,
					   CAPOS_IFACE_INTERRUPT, CAPOS_IFACE_DMA_POOL, CAPOS_IFACE_ENTROPY_SOURCE,
					   CAPOS_IFACE_ENDPOINT, CAPOS_IFACE_REPLY,
					   CAPOS_IFACE_NULL };
	struct kf_rng *r = &t->rng;
	uint32_t iface = ifaces[kf_below(r, sizeof ifaces / sizeof ifaces[0])];
	uint64_t e = kf_pool_find(r, iface), w[8];

	if (!e)
		return;
	for (int i = 0; i < 8; i++)
		w[i] = kf_one_in(r, 2) ? kf_below(r, 8) : kf_pick_word(r);
	if (iface == CAPOS_IFACE_DEVICE_ROOT && kf_one_in(r, 2))
		__builtin_memcpy(w, kf_one_in(r, 2) ? "com2\0\0\0\0" : "com1\0\0\0\0", 8);
	kf_call_full(t, (uint32_t)(e >> 32), iface, (uint16_t)kf_below(r, kf_methods[iface] + 1), w, sizeof w,
		  kf_pick_len(r, 64), K_CALL, kf_pick_len(r, 256), 0);
}

static void op_console(struct kf_thread *t)
{
	static const char noise[] = "kfuzz-noise\n";

	if (kfp.console && kf_one_in(&t->rng, 8))
		kf_call_full(t, kfp.console, CAPOS_IFACE_CONSOLE, 0, noise, sizeof noise - 1, sizeof noise - 1, K_CALL, 4, 1);
}

static const struct {
	void (*fn)(struct kf_thread *t);
	uint32_t weight;
} kinds[] = {
	{ op_generic_call, 16 }, { op_derive, 8 }, { op_revoke, 3 }, { op_inspect, 3 }, { op_endpoint, 10 },
	{ op_recv, 7 }, { op_return, 5 }, { op_cancel, 4 }, { op_release, 4 }, { op_garbage, 3 },
	{ op_memory, 7 }, { op_wait, 6 }, { op_threads, 4 }, { op_spawn, 2 }, { op_other, 6 },
	{ op_console, 1 }, { kf_op_new_thread, 1 },
};

/* One operation (or a flush); kinds whose bit is set in the mask are left out (narrowing a failure down). */
void kf_step(struct kf_thread *t)
{
	uint32_t k = (uint32_t)kf_below(&t->rng, 100), i = 0;

	while (i < sizeof kinds / sizeof kinds[0] && k >= kinds[i].weight)
		k -= kinds[i++].weight;
	if (i < sizeof kinds / sizeof kinds[0] && !(kfp.mask & (1u << i)))
		kinds[i].fn(t);
	if (t->batch >= 1 + kf_below(&t->rng, 8) || i == sizeof kinds / sizeof kinds[0])
		kf_flush(t);
}
