/*
 * Host tests of user address spaces (exo/proc/aspace*.c) over the fake
 * environment: creation with the shared kernel half, anonymous maps and
 * their refusals (W^X, overlap, window, alignment, overflow), quota and
 * frame exhaustion rolled back to the exact prior state, unmap splitting
 * and table reclamation, protect rules, guard, ring and stack regions, TLB
 * invalidation only when the space is loaded, and teardown.
 */
#include <stdlib.h>
#include <capos/error.h>
#include "check.h"
#include "fake_env.h"
#include "proc/aspace.h"
#include "proc/uaccess.h"
#include "proc/uvm_env.h"

#define P CAPOS_PAGE_SIZE
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define RO CAPOS_PROT_READ
#define RX (CAPOS_PROT_READ | CAPOS_PROT_EXEC)
#define BASE 0x400000ull

static struct quota *q;
static struct aspace *as;

static struct quota *new_quota(uint64_t frames)
{
	const struct quota_limits lim = { .frames = frames, .kmem = 1 << 20, .caps = 8, .threads = 1, .ring_ops = 8 };

	return quota_create(&lim);
}

static void fresh(uint64_t frames)
{
	fake_reset();
	q = new_quota(frames);
	CHECK_EQ(aspace_create(q, &as), 0);
}

static void done(void)
{
	aspace_destroy(as);
	CHECK_EQ(q->frames_used, 0);
	quota_put(q);
	CHECK_EQ(fake.frames_live, 0);
}

static int walk(uint64_t va, struct pt_mapping *m)
{
	return pt_walk(&as->pt, va, m);
}

static bool mapped(uint64_t va)
{
	struct pt_mapping m;

	return walk(va, &m) == 0;
}

static void test_create_destroy(void)
{
	uint64_t *root;

	fresh(16);
	CHECK_EQ(q->frames_used, 1);                     /* the PML4 */
	CHECK_EQ(fake.frames_live, 1);
	root = (uint64_t *)(uintptr_t)aspace_root_phys(as);
	CHECK_EQ(root[255], 0);
	CHECK_EQ(root[256], fake_kernel_entry(256));
	CHECK_EQ(root[511], fake_kernel_entry(511));
	CHECK_EQ(q->refs, 2);
	done();
}

static void test_create_failures(void)
{
	struct aspace *a = NULL;

	fake_reset();
	q = new_quota(0);
	CHECK_EQ(aspace_create(q, &a), -CAPOS_EQUOTA);
	CHECK_EQ(q->refs, 1);
	quota_put(q);
	q = new_quota(4);
	fake.frame_fail_after = 0;
	CHECK_EQ(aspace_create(q, &a), -CAPOS_ENOMEM);
	CHECK_EQ(q->frames_used, 0);
	fake_reset();
	fake.zalloc_fail_after = 0;
	CHECK_EQ(aspace_create(q, &a), -CAPOS_ENOMEM);
	quota_put(q);
	CHECK_EQ(fake.frames_live, 0);
}

static void test_map_anon(void)
{
	struct pt_mapping m;
	uint64_t va = 0;

	fresh(64);
	CHECK_EQ(aspace_map_anon(as, BASE, 3, RW, &va), 0);
	CHECK_EQ(va, BASE);
	CHECK_EQ(q->frames_used, 1 + 3 + 3);             /* PML4, 3 tables, 3 pages */
	CHECK_EQ(walk(BASE + 2 * P, &m), 0);
	CHECK_EQ(m.flags, PT_USER | PT_WRITE | PT_NX);
	CHECK_EQ(((uint8_t *)(uintptr_t)m.phys)[100], 0);
	CHECK(!mapped(BASE + 3 * P));
	CHECK_EQ(aspace_map_anon(as, BASE + 3 * P, 1, RX, NULL), 0);
	CHECK_EQ(walk(BASE + 3 * P, &m), 0);
	CHECK_EQ(m.flags, PT_USER);                      /* read + exec */
	CHECK_EQ(aspace_region_count(as), 2);            /* RX does not merge with RW */
	CHECK_EQ(aspace_map_anon(as, 0, 2, RO, &va), 0);
	CHECK_EQ(va, CAPOS_USER_MAP_BASE);
	CHECK_EQ(walk(va, &m), 0);
	CHECK_EQ(m.flags, PT_USER | PT_NX);
	done();
}

static void test_map_refusals(void)
{
	long frames;
	uint64_t used;

	fresh(64);
	CHECK_EQ(aspace_map_anon(as, BASE, 4, RW, NULL), 0);
	frames = fake.frames_live;
	used = q->frames_used;
	CHECK_EQ(aspace_map_anon(as, 0x800000, 1, CAPOS_PROT_ALL, NULL), -CAPOS_EPERM);
	CHECK_EQ(aspace_map_anon(as, 0x800000, 1, 0, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_anon(as, 0x800000, 1, RO | 0x10, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_anon(as, BASE + 3 * P, 2, RW, NULL), -CAPOS_EEXIST);
	CHECK_EQ(aspace_map_anon(as, BASE - P, 2, RW, NULL), -CAPOS_EEXIST);
	CHECK_EQ(aspace_map_anon(as, BASE - P, 6, RW, NULL), -CAPOS_EEXIST);
	CHECK_EQ(aspace_map_anon(as, 0x800001, 1, RW, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_anon(as, 0x800000, 0, RW, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_anon(as, 0, 0, RW, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_anon(as, 0, UINT64_MAX, RW, NULL), -CAPOS_ENOMEM);
	CHECK_EQ(aspace_map_anon(as, 0x800000, UINT64_MAX / P + 1, RW, NULL), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_anon(as, CAPOS_USER_MAX - P, 2, RW, NULL), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_anon(as, CAPOS_USER_MAX, 1, RW, NULL), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_anon(as, 0xffff800000000000ull, 1, RW, NULL), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_anon(as, 0xfffffffffffff000ull, 1, RW, NULL), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_owned(as, 0x800000, 1, RW, VMA_RING, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_owned(as, 0x800000, 1, RW, VMA_GUARD, NULL), -CAPOS_EINVAL);
	CHECK_EQ(fake.frames_live, frames);
	CHECK_EQ(q->frames_used, used);
	CHECK_EQ(aspace_region_count(as), 1);
	done();
}

static void test_quota_rollback(void)
{
	fresh(8);
	/* 8 pages: refused up front (7 left). */
	CHECK_EQ(aspace_map_anon(as, BASE, 8, RW, NULL), -CAPOS_EQUOTA);
	/* 5 pages pass the precheck; with 3 tables they run out on page 5. */
	CHECK_EQ(aspace_map_anon(as, BASE, 5, RW, NULL), -CAPOS_EQUOTA);
	CHECK_EQ(q->frames_used, 1);
	CHECK_EQ(fake.frames_live, 1);
	CHECK_EQ(aspace_region_count(as), 0);
	CHECK(!mapped(BASE));
	CHECK_EQ(aspace_map_anon(as, BASE, 4, RW, NULL), 0);
	CHECK_EQ(q->frames_used, 8);
	/* Tables alone exhaust it: a page in another 512 GiB slot needs 3. */
	CHECK_EQ(aspace_map_anon(as, 0x100000000000ull, 1, RW, NULL), -CAPOS_EQUOTA);
	CHECK_EQ(q->frames_used, 8);
	done();
}

static void test_frame_exhaustion_rollback(void)
{
	fresh(1000);
	fake.zalloc_fail_after = 0;          /* the region array cannot grow */
	CHECK_EQ(aspace_map_anon(as, BASE, 2, RW, NULL), -CAPOS_ENOMEM);
	CHECK_EQ(q->frames_used, 1);
	CHECK_EQ(fake.frames_live, 1);
	fake_reset();
	fake.frame_fail_after = 6;           /* 3 tables + 3 pages, then nothing */
	CHECK_EQ(aspace_map_anon(as, BASE, 10, RW, NULL), -CAPOS_ENOMEM);
	CHECK_EQ(q->frames_used, 1);
	CHECK_EQ(fake.frames_live, 1);
	CHECK_EQ(aspace_region_count(as), 0);
	CHECK(!mapped(BASE));
	fake_reset();
	done();
}

static void test_unmap_split(void)
{
	struct vma r;
	long before;

	fresh(64);
	CHECK_EQ(aspace_map_anon(as, BASE, 8, RW, NULL), 0);
	before = fake.frames_live;
	CHECK_EQ(aspace_unmap(as, BASE + 2 * P, 2), 0);
	CHECK_EQ(fake.frames_live, before - 2);
	CHECK_EQ(aspace_region_count(as), 2);
	CHECK(mapped(BASE + P));
	CHECK(!mapped(BASE + 2 * P));
	CHECK(!mapped(BASE + 3 * P));
	CHECK(mapped(BASE + 4 * P));
	CHECK_EQ(aspace_region_at(as, BASE + 5 * P, &r), 0);
	CHECK_EQ(r.start, BASE + 4 * P);
	CHECK_EQ(r.pages, 4);
	CHECK_EQ(aspace_region_at(as, BASE + 2 * P, &r), -CAPOS_ENOENT);
	/* A hole in the range: refused, nothing changes. */
	CHECK_EQ(aspace_unmap(as, BASE + P, 2), -CAPOS_ENOENT);
	CHECK(mapped(BASE + P));
	CHECK_EQ(aspace_unmap(as, BASE + 2 * P, 1), -CAPOS_ENOENT);
	CHECK_EQ(aspace_unmap(as, BASE + 1, 1), -CAPOS_EINVAL);
	CHECK_EQ(aspace_unmap(as, BASE, 0), -CAPOS_EINVAL);
	CHECK_EQ(aspace_unmap(as, 0xffff800000000000ull, 1), -CAPOS_ERANGE);
	/* Unmap everything: pages and tables go, the charge is the PML4 again. */
	CHECK_EQ(aspace_unmap(as, BASE, 2), 0);
	CHECK_EQ(aspace_unmap(as, BASE + 4 * P, 4), 0);
	CHECK_EQ(aspace_region_count(as), 0);
	CHECK_EQ(q->frames_used, 1);
	CHECK_EQ(fake.frames_live, 1);
	done();
}

static void test_unmap_across_regions(void)
{
	fresh(64);
	CHECK_EQ(aspace_map_anon(as, BASE, 2, RW, NULL), 0);
	CHECK_EQ(aspace_map_anon(as, BASE + 2 * P, 2, RX, NULL), 0);
	CHECK_EQ(aspace_map_owned(as, BASE + 4 * P, 2, RO, VMA_IMAGE, NULL), 0);
	CHECK_EQ(aspace_region_count(as), 3);
	CHECK_EQ(aspace_unmap(as, BASE + P, 4), 0);
	CHECK_EQ(aspace_region_count(as), 2);
	CHECK(mapped(BASE));
	CHECK(!mapped(BASE + P));
	CHECK(!mapped(BASE + 4 * P));
	CHECK(mapped(BASE + 5 * P));
	CHECK_EQ(q->frames_used, 1 + 3 + 2);
	done();
}

static void test_protect(void)
{
	struct pt_mapping m;
	struct vma r;

	fresh(64);
	CHECK_EQ(aspace_map_anon(as, BASE, 6, RW, NULL), 0);
	CHECK_EQ(aspace_protect(as, BASE + 2 * P, 2, RX), 0);
	CHECK_EQ(aspace_region_count(as), 3);
	CHECK_EQ(walk(BASE + 3 * P, &m), 0);
	CHECK_EQ(m.flags, PT_USER);
	CHECK_EQ(walk(BASE + 4 * P, &m), 0);
	CHECK_EQ(m.flags, PT_USER | PT_WRITE | PT_NX);
	CHECK_EQ(aspace_region_at(as, BASE + 2 * P, &r), 0);
	CHECK_EQ(r.prot, RX);
	CHECK_EQ(aspace_protect(as, BASE, 6, RW | CAPOS_PROT_EXEC), -CAPOS_EPERM);
	CHECK_EQ(aspace_protect(as, BASE, 7, RO), -CAPOS_ENOENT);
	CHECK_EQ(aspace_protect(as, BASE, 6, 0), -CAPOS_EINVAL);
	CHECK_EQ(walk(BASE, &m), 0);
	CHECK_EQ(m.flags, PT_USER | PT_WRITE | PT_NX);  /* the refusals changed nothing */
	CHECK_EQ(aspace_protect(as, BASE + 2 * P, 2, RW), 0);
	CHECK_EQ(aspace_region_count(as), 1);           /* merged back */
	CHECK_EQ(aspace_protect(as, BASE, 6, RO), 0);
	CHECK_EQ(walk(BASE + 5 * P, &m), 0);
	CHECK_EQ(m.flags, PT_USER | PT_NX);
	done();
}

static void test_guard_and_ring(void)
{
	uint64_t ring[2], va = 0;
	long frames;

	fresh(64);
	CHECK_EQ(uvm_frame_alloc(&ring[0]), 0);
	CHECK_EQ(uvm_frame_alloc(&ring[1]), 0);
	frames = fake.frames_live;
	CHECK_EQ(aspace_map_frames(as, 0, ring, 2, RW, VMA_RING, &va), 0);
	CHECK_EQ(q->frames_used, 1 + 3);                /* tables only */
	CHECK_EQ(aspace_map_frames(as, 0, ring, 2, RW, VMA_ANON, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_frames(as, 0, NULL, 2, RW, VMA_RING, NULL), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_frames(as, 0, ring, 2, CAPOS_PROT_ALL, VMA_RING, NULL), -CAPOS_EPERM);
	CHECK_EQ(aspace_unmap(as, va, 2), -CAPOS_EPERM);
	CHECK_EQ(aspace_protect(as, va, 1, RO), -CAPOS_EPERM);
	CHECK_EQ(aspace_map_guard(as, BASE, 2, NULL), 0);
	CHECK(!mapped(BASE));
	CHECK_EQ(aspace_map_anon(as, BASE + P, 1, RW, NULL), -CAPOS_EEXIST);
	CHECK_EQ(aspace_unmap(as, BASE, 2), -CAPOS_EPERM);
	CHECK_EQ(aspace_protect(as, BASE, 2, RW), -CAPOS_EPERM);
	CHECK_EQ(aspace_remove(as, BASE, 2), 0);
	CHECK_EQ(aspace_remove(as, va, 2), 0);
	CHECK_EQ(fake.frames_live, frames);             /* ring frames stay, tables go */
	CHECK(fake_frame_live(ring[0]) && fake_frame_live(ring[1]));
	CHECK_EQ(aspace_remove(as, va, 2), -CAPOS_ENOENT);
	uvm_frame_free(ring[0]);
	uvm_frame_free(ring[1]);
	done();
}

static void test_stack(void)
{
	uint64_t top = 0;
	struct vma r;

	fresh(64);
	CHECK_EQ(aspace_map_stack(as, CAPOS_USER_STACK_TOP, 4, 2, &top), 0);
	CHECK_EQ(top, CAPOS_USER_STACK_TOP);
	CHECK(mapped(top - P));
	CHECK(mapped(top - 4 * P));
	CHECK(!mapped(top - 5 * P));
	CHECK_EQ(aspace_region_at(as, top - 5 * P, &r), 0);
	CHECK_EQ(r.kind, VMA_GUARD);
	CHECK_EQ(r.pages, 2);
	CHECK_EQ(aspace_region_at(as, top - P, &r), 0);
	CHECK_EQ(r.kind, VMA_STACK);
	CHECK_EQ(r.prot, RW);
	CHECK_EQ(aspace_map_stack(as, CAPOS_USER_STACK_TOP - P, 1, 1, &top), -CAPOS_EEXIST);
	CHECK_EQ(aspace_map_stack(as, 0x5001, 1, 1, &top), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_stack(as, 0x3000, 2, 1, &top), -CAPOS_ERANGE);   /* below page 1 */
	CHECK_EQ(aspace_map_stack(as, CAPOS_USER_MAX + P, 1, 1, &top), -CAPOS_ERANGE);
	CHECK_EQ(aspace_map_stack(as, 0x10000, 0, 1, &top), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_stack(as, 0x10000, 1, 0, &top), -CAPOS_EINVAL);
	CHECK_EQ(aspace_region_count(as), 2);
	CHECK_EQ(aspace_map_stack(as, 0, 2, 1, &top), 0);
	CHECK_EQ(top, CAPOS_USER_MAP_BASE + 3 * P);
	CHECK_EQ(aspace_region_count(as), 4);
	/* Quota: the stack fails, the guard is not left behind. */
	q->frames_max = q->frames_used + 1;
	CHECK_EQ(aspace_map_stack(as, 0x10000000, 2, 1, &top), -CAPOS_EQUOTA);
	CHECK_EQ(aspace_region_count(as), 4);
	q->frames_max = 64;
	done();
}

static void test_tlb_only_when_active(void)
{
	fresh(64);
	CHECK(!aspace_is_active(as));
	CHECK_EQ(aspace_map_anon(as, BASE, 4, RW, NULL), 0);
	CHECK_EQ(aspace_unmap(as, BASE, 1), 0);
	CHECK_EQ(fake.flushes, 0);
	aspace_activate(as);
	CHECK(aspace_is_active(as));
	CHECK_EQ(fake.current_root, aspace_root_phys(as));
	CHECK_EQ(aspace_unmap(as, BASE + P, 1), 0);
	CHECK_EQ(fake.flushes, 1);
	CHECK_EQ(aspace_protect(as, BASE + 2 * P, 2, RO), 0);
	CHECK_EQ(fake.flushes, 3);
	CHECK_EQ(aspace_unmap(as, BASE + 2 * P, 2), 0);   /* 2 pages, then 3 emptied tables */
	CHECK_EQ(fake.flushes, 8);
	aspace_activate(NULL);
	CHECK_EQ(fake.current_root, fake.kernel_root);
	aspace_activate(as);
	done();                                          /* destroy while loaded */
	CHECK_EQ(fake.current_root, fake.kernel_root);
}

static void test_destroy_with_everything(void)
{
	uint64_t top;

	fresh(200);
	CHECK_EQ(aspace_map_anon(as, BASE, 7, RW, NULL), 0);
	CHECK_EQ(aspace_map_anon(as, 0, 3, RO, NULL), 0);
	CHECK_EQ(aspace_map_owned(as, 0x40000000, 2, RX, VMA_IMAGE, NULL), 0);
	CHECK_EQ(aspace_map_stack(as, 0, 8, 1, &top), 0);
	CHECK_EQ(aspace_map_guard(as, 0x7f0000000000ull, 16, NULL), 0);
	CHECK_EQ(aspace_protect(as, BASE + P, 1, RO), 0);
	done();
}

/* Device registers: pieces with a hole, uncached and NX, never charged,
 * not reachable through uaccess, removed wholesale by their owner. */
static void test_device(void)
{
	static const int owner, other;
	const struct aspace_piece pieces[3] = {
		{ 2, 0xfe000000ull, false }, { 1, 0, true }, { 1, 0xfe003000ull, false },
	};
	const struct aspace_piece bad = { 1, 0xfe000800ull, false };
	struct pt_mapping m;
	uint64_t va = 0, used;

	fresh(64);
	CHECK_EQ(aspace_map_device(as, 0, pieces, 3, RX, &owner, &va), -CAPOS_EPERM);
	CHECK_EQ(aspace_map_device(as, 0, pieces, 3, 0, &owner, &va), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_device(as, 0, pieces, 0, RW, &owner, &va), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_device(as, 0, pieces, 3, RW, NULL, &va), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_device(as, 0, &bad, 1, RW, &owner, &va), -CAPOS_EINVAL);
	CHECK_EQ(aspace_map_device(as, BASE + 1, pieces, 3, RW, &owner, &va), -CAPOS_EINVAL);
	CHECK_EQ(aspace_region_count(as), 0);
	CHECK_EQ(aspace_map_device(as, BASE, pieces, 3, RW, &owner, &va), 0);
	CHECK_EQ(va, BASE);
	used = q->frames_used;
	CHECK_EQ(used, 1 + 3);                          /* tables only: device pages are not RAM */
	CHECK_EQ(aspace_region_count(as), 3);
	CHECK_EQ(walk(BASE, &m), 0);
	CHECK_EQ(m.phys, 0xfe000000ull);
	CHECK_EQ(m.flags, PT_USER | PT_WRITE | PT_NX | PT_NOCACHE);
	CHECK_EQ(walk(BASE + P, &m), 0);
	CHECK_EQ(m.phys, 0xfe001000ull);
	CHECK(!mapped(BASE + 2 * P));                   /* the hole */
	CHECK_EQ(walk(BASE + 3 * P, &m), 0);
	CHECK_EQ(m.phys, 0xfe003000ull);
	CHECK_EQ(aspace_map_device(as, BASE + 3 * P, pieces, 1, RW, &owner, NULL), -CAPOS_EEXIST);
	CHECK_EQ(uaccess_check(as, BASE, 4, false), -CAPOS_EFAULT);   /* never touched for a process */
	CHECK_EQ(aspace_protect(as, BASE, 1, RX), -CAPOS_EPERM);
	CHECK_EQ(aspace_protect(as, BASE + P, 1, RO), 0);            /* splits; stays uncached */
	CHECK_EQ(walk(BASE + P, &m), 0);
	CHECK_EQ(m.flags, PT_USER | PT_NX | PT_NOCACHE);
	CHECK_EQ(aspace_unmap(as, BASE + 2 * P, 1), -CAPOS_EPERM);   /* the hole is a guard */
	CHECK_EQ(aspace_unmap(as, BASE, 1), 0);
	CHECK_EQ(aspace_region_count(as), 3);
	CHECK_EQ(aspace_remove_owned(as, &other), 0);
	CHECK_EQ(aspace_remove_owned(as, &owner), 3);
	CHECK_EQ(aspace_region_count(as), 0);
	CHECK(!mapped(BASE + P) && !mapped(BASE + 3 * P));
	CHECK_EQ(q->frames_used, 1);                    /* emptied tables reclaimed */
	CHECK_EQ(aspace_map_device(as, 0, pieces, 3, RO, &owner, &va), 0);   /* picked address */
	CHECK(va >= CAPOS_USER_MIN);
	done();                                         /* destroy drops device regions too */
}

int main(void)
{
	RUN(test_create_destroy);
	RUN(test_create_failures);
	RUN(test_map_anon);
	RUN(test_map_refusals);
	RUN(test_quota_rollback);
	RUN(test_frame_exhaustion_rollback);
	RUN(test_unmap_split);
	RUN(test_unmap_across_regions);
	RUN(test_protect);
	RUN(test_guard_and_ring);
	RUN(test_stack);
	RUN(test_tlb_only_when_active);
	RUN(test_destroy_with_everything);
	RUN(test_device);
	return check_done();
}
