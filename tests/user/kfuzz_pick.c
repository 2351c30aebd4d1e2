/*
 * kfuzz's choices: the handle pool (what a fuzzing process holds: its
 * grants, kept apart and never evicted, and what it got since) and the
 * random handles, counts, addresses, lengths, buffers and parameter bytes
 * the operations are made of.  Addresses given as parameters point at the
 * map window or are hostile; buffers the kernel writes are junk memory or
 * hostile — never the fuzzer's own code, stacks or bookkeeping.
 */
#include "kfuzz_child.h"

static const uint8_t kf_rodata[64] = { 1, 2, 3 };

/* Methods per kernel interface id (0: no such interface, or retired: 3, 12, 20, 21 and 22). */
const uint8_t kf_methods[KF_IFACES] = { 0, 1, 1, 0, 2, 4, 3, 2, 1, 2, 7, 2, 0, 8, 1, 5, 1, 1, 3, 2,
					0, 0, 0, 1, 1, 4, 9, 3, 5, 2, 1 };

uint64_t kf_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ------------------------------------------------------------ the handle pool */

/* An entry of table (n entries) from a random place on, with iface unless iface is ~0u; 0: none. */
uint64_t kf_scan(uint64_t *table, uint32_t n, struct kf_rng *r, uint32_t iface)
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
uint64_t kf_pool_pick(struct kf_rng *r)
{
	uint64_t e = kf_one_in(r, 3) ? 0 : kf_scan(kfp.pool, KF_POOL, r, ~0u);

	return e ? e : kf_scan(kfp.grants, CAPOS_BOOTSTRAP_MAX_CAPS, r, ~0u);
}

/* A held entry speaking iface, among the grants or the pool. */
uint64_t kf_pool_find(struct kf_rng *r, uint32_t iface)
{
	uint64_t e = kf_one_in(r, 2) ? kf_scan(kfp.grants, CAPOS_BOOTSTRAP_MAX_CAPS, r, iface) : 0;

	if (!e)
		e = kf_scan(kfp.pool, KF_POOL, r, iface);
	return e ? e : kf_scan(kfp.grants, CAPOS_BOOTSTRAP_MAX_CAPS, r, iface);
}

/* A granted capability: released or moved away only now and then, so the fuzzer always has something. */
int kf_granted(uint32_t handle)
{
	for (uint32_t i = 0; i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		if (kfp.grants[i] && (uint32_t)(kfp.grants[i] >> 32) == handle)
			return 1;
	return 0;
}

void kf_pool_add(struct kf_thread *t, uint32_t handle, uint32_t iface)
{
	uint64_t e = (uint64_t)handle << 32 | iface, old;
	uint32_t start = (uint32_t)kf_below(&t->rng, KF_POOL);

	if (!handle || handle == kfp.thread_cap || kf_granted(handle))
		return;
	for (uint32_t i = 0; i < KF_POOL; i++) {
		old = 0;
		if (__atomic_compare_exchange_n(&kfp.pool[(start + i) % KF_POOL], &old, e, 0, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return;
	}
	old = __atomic_exchange_n(&kfp.pool[start], e, __ATOMIC_RELAXED);  /* full: evict and drop one */
	if (old && (uint32_t)(old >> 32) != handle)
		kf_submit_release(t, (uint32_t)(old >> 32));
}

void kf_pool_forget(uint32_t handle)
{
	for (uint32_t i = 0; i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		if (kfp.grants[i] && (uint32_t)(kfp.grants[i] >> 32) == handle)
			kfp.grants[i] = 0;
	for (uint32_t i = 0; i < KF_POOL; i++) {
		uint64_t e = __atomic_load_n(&kfp.pool[i], __ATOMIC_RELAXED);

		if (e && (uint32_t)(e >> 32) == handle)
			__atomic_compare_exchange_n(&kfp.pool[i], &e, 0, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
}

void kf_pool_set_iface(uint32_t handle, uint32_t iface)
{
	for (uint32_t i = 0; i < KF_POOL; i++) {
		uint64_t e = __atomic_load_n(&kfp.pool[i], __ATOMIC_RELAXED);

		if (e && (uint32_t)(e >> 32) == handle)
			__atomic_compare_exchange_n(&kfp.pool[i], &e, (uint64_t)handle << 32 | iface, 0,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
}

/* A handle to aim at: mostly a held one, else stale, out of range, 0 or random. */
uint32_t kf_pick_handle(struct kf_rng *r, uint32_t *iface)
{
	uint64_t e = kf_pool_pick(r);
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

uint64_t kf_pick_count(struct kf_rng *r)
{
	static const uint64_t v[] = { 0, 1, 2, 3, 4, 8, 16, 255, 256, 4096, 65535, 65536, 0xffffffffull,
				      0x7fffffffffffffffull, 0xffffffffffffffffull, 1ull << 32, 1ull << 40 };

	return kf_one_in(r, 3) ? kf_below(r, 9) : v[kf_below(r, sizeof v / sizeof v[0])];
}

uint64_t kf_pick_vaddr(struct kf_rng *r)
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
uint64_t kf_pick_pages(struct kf_rng *r, uint64_t vaddr)
{
	if (vaddr < KF_WINDOW)
		return kf_below(r, 64);
	return kf_one_in(r, 3) ? kf_pick_count(r) : 1 + kf_below(r, 8);
}

uint64_t kf_pick_word(struct kf_rng *r)
{
	switch (kf_below(r, 8)) {
	case 0:
	case 1:
		return kf_pick_count(r);
	case 2:
		return kf_pool_pick(r) >> 32;
	case 3:
		return kf_pick_vaddr(r);
	case 4:
		return kf_below(r, 30) | (kf_one_in(r, 4) ? CAPOS_IFACE_USER_MIN : 0);
	case 5:
		return kf_below(r, 4) * 1000000ull;
	default:
		return kf_next(r);
	}
}

uint32_t kf_pick_len(struct kf_rng *r, uint32_t natural)
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
uint64_t kf_pick_out(struct kf_thread *t, uint32_t len)
{
	struct kf_rng *r = &t->rng;
	uint64_t junk_end = kf_addr(kfp.junk) + (KF_JUNK_PAGES - 1) * CAPOS_PAGE_SIZE;

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
		return kf_addr(kf_rodata);
	case 7:
		return kf_addr((const void *)(uintptr_t)&kf_pick_out);  /* program text */
	case 8:
		return kf_addr(capos_bootstrap());
	case 9:
		return kf_pick_vaddr(r);
	case 10:
		return kf_one_in(r, 16) ? kf_addr(t->rc->hdr) + kf_below(r, t->rc->hdr->size) : 0;
	case 11:
		return 0 - (uint64_t)len + kf_below(r, 2);             /* wraps around */
	default:
		if (len >= (KF_JUNK_PAGES - 2) * CAPOS_PAGE_SIZE)
			return kf_addr(kfp.junk);
		return kf_addr(kfp.junk) + kf_below(r, (KF_JUNK_PAGES - 2) * CAPOS_PAGE_SIZE - len) +
		       (kf_one_in(r, 4) ? kf_below(r, 8) : 0);
	}
}

/*
 * Parameter bytes: a fresh stretch of the thread's arena.  The kernel
 * copies them only when it consumes the entry, so the arena is reused from
 * its start only after the batch has been entered.
 */
uint64_t kf_make_params(struct kf_thread *t, uint32_t len, const void *typed, uint32_t typed_len, int exact)
{
	struct kf_rng *r = &t->rng;
	uint32_t room = (KF_ARENA_PAGES - 2) * CAPOS_PAGE_SIZE, fill;
	uint8_t *p;

	if (!exact && kf_one_in(r, 20)) {
		uint64_t hostile = kf_pick_out(t, len);

		if (hostile < kf_addr(kfp.junk) || hostile >= kf_addr(kfp.junk) + KF_JUNK_PAGES * CAPOS_PAGE_SIZE)
			return hostile;
	}
	if (len > room)
		return kf_addr(t->arena) + room + CAPOS_PAGE_SIZE - (kf_one_in(r, 2) ? 8 : 0);  /* straddles */
	if (t->arena_off + len > room) {
		kf_flush(t);
		t->arena_off = 0;
	}
	p = t->arena + t->arena_off;
	t->arena_off = (t->arena_off + len + 15) & ~15u;
	fill = len < 512 ? len : 512;
	for (uint32_t i = 0; i + 8 <= fill; i += 8) {
		uint64_t w = kf_pick_word(r);

		__builtin_memcpy(p + i, &w, 8);
	}
	if (typed)
		__builtin_memcpy(p, typed, typed_len < len ? typed_len : len);
	if (!exact && kf_one_in(r, 8) && fill)
		p[kf_below(r, fill)] ^= (uint8_t)(1u << kf_below(r, 8));  /* one flipped bit in a good struct */
	return kf_addr(p);
}
