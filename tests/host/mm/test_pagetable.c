/*
 * Host tests of the page-table core (exo/mm/pagetable.c) over malloc'd
 * table pages (a table's "physical address" is its host address): map,
 * walk, unmap and protect of 4 KiB and 2 MiB pages, the flag rules (W^X,
 * user pages, canonical addresses), hardware bits in the entries, table
 * reuse, 1 GiB leaves built by someone else, teardown, and a randomized
 * comparison against a flat reference model.
 */
#include <stdlib.h>
#include <capos/error.h>
#include "check.h"
#include "mm/pagetable.h"

static int tables_alloced, tables_freed, invalidations, fail_alloc;
static uint64_t last_invalidated;

static int fake_alloc(void *ctx, uint64_t *phys)
{
	void *p;

	(void)ctx;
	if (fail_alloc)
		return -CAPOS_ENOMEM;
	p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	*phys = (uint64_t)(uintptr_t)p;
	tables_alloced++;
	return 0;
}

static void fake_free(void *ctx, uint64_t phys)
{
	(void)ctx;
	free((void *)(uintptr_t)phys);
	tables_freed++;
}

static uint64_t *fake_ptr(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)phys;
}

static void fake_invalidate(void *ctx, uint64_t va)
{
	(void)ctx;
	invalidations++;
	last_invalidated = va;
}

static const struct pt_ops ops = { fake_alloc, fake_free, fake_ptr, fake_invalidate, NULL };

static struct pt_space space;

static void fresh(void)
{
	tables_alloced = tables_freed = invalidations = fail_alloc = 0;
	CHECK_EQ(pt_create(&space, &ops), 0);
}

static void teardown(void)
{
	pt_destroy(&space, 0, PT_ENTRIES, 1);
	CHECK_EQ(tables_alloced, tables_freed);
}

/* The raw entry at level (0 = PT .. 3 = PML4) on the path to va, or 0. */
static uint64_t raw_entry(uint64_t va, int level)
{
	uint64_t *t = fake_ptr(NULL, space.root);

	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[(va >> (12 + 9 * l)) & 511];

		if (l == level)
			return e;
		if (!(e & PTE_PRESENT) || (e & PTE_HUGE))
			return 0;
		t = fake_ptr(NULL, e & PTE_ADDR_MASK);
	}
	return 0;
}

#define KVA 0xffff800000200000ull
#define UVA 0x0000000000400000ull

static void test_map_walk_4k(void)
{
	struct pt_mapping m;

	fresh();
	CHECK_EQ(pt_map(&space, KVA, 0x1234000, PT_SIZE_4K, PT_WRITE | PT_NX | PT_GLOBAL), 0);
	CHECK_EQ(pt_walk(&space, KVA + 0x123, &m), 0);
	CHECK_EQ(m.va, KVA);
	CHECK_EQ(m.phys, 0x1234000);
	CHECK_EQ(m.size, PT_SIZE_4K);
	CHECK_EQ(m.flags, PT_WRITE | PT_NX | PT_GLOBAL);
	CHECK_EQ(pt_walk(&space, KVA + PT_SIZE_4K, &m), -CAPOS_ENOENT);
	CHECK_EQ(pt_walk(&space, 0x0000800000000000ull, &m), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, KVA, 0x5000, PT_SIZE_4K, PT_NX), -CAPOS_EEXIST);
	teardown();
}

static void test_flag_rules(void)
{
	fresh();
	CHECK_EQ(pt_map(&space, KVA, 0x1000, PT_SIZE_4K, PT_WRITE), -CAPOS_EPERM);
	CHECK_EQ(pt_map(&space, KVA, 0x1000, PT_SIZE_4K, PT_USER | PT_NX), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, UVA, 0x1000, PT_SIZE_4K, PT_USER | PT_GLOBAL), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, UVA, 0x1000, PT_SIZE_4K, 1u << 9), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, 0x0000800000000000ull, 0x1000, PT_SIZE_4K, 0), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, 0xffff7ffffffff000ull, 0x1000, PT_SIZE_4K, 0), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, KVA + 8, 0x1000, PT_SIZE_4K, 0), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, KVA, 0x1008, PT_SIZE_4K, 0), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, KVA, 1ull << 52, PT_SIZE_4K, 0), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, KVA, 0x1000, PT_SIZE_1G, 0), -CAPOS_EINVAL);
	CHECK_EQ(pt_map(&space, KVA, 0x1000, PT_SIZE_2M, 0), -CAPOS_EINVAL);  /* phys misaligned */
	CHECK_EQ(pt_map(&space, KVA + PT_SIZE_4K, 0x200000, PT_SIZE_2M, 0), -CAPOS_EINVAL);
	CHECK_EQ(tables_alloced, 1);  /* refused before any table was made */
	CHECK_EQ(pt_map(&space, UVA, 0x1000, PT_SIZE_4K, PT_USER | PT_WRITE | PT_NX), 0);
	CHECK_EQ(pt_map(&space, UVA + PT_SIZE_4K, 0x2000, PT_SIZE_4K, PT_USER), 0);  /* user RX */
	teardown();
}

static void test_hardware_bits(void)
{
	uint64_t e;

	fresh();
	CHECK_EQ(pt_map(&space, KVA, 0xfee00000, PT_SIZE_4K, PT_WRITE | PT_NX | PT_NOCACHE | PT_GLOBAL), 0);
	e = raw_entry(KVA, 0);
	CHECK_EQ(e, 0xfee00000 | PTE_PRESENT | PTE_WRITABLE | PTE_PCD | PTE_PWT | PTE_GLOBAL | PTE_NX);
	for (int l = 1; l <= 3; l++) {
		e = raw_entry(KVA, l);
		CHECK((e & (PTE_PRESENT | PTE_WRITABLE)) == (PTE_PRESENT | PTE_WRITABLE));
		CHECK(!(e & (PTE_USER | PTE_NX | PTE_HUGE)));
	}
	CHECK_EQ(pt_map(&space, UVA, 0x3000, PT_SIZE_4K, PT_USER), 0);
	CHECK_EQ(raw_entry(UVA, 0), 0x3000 | PTE_PRESENT | PTE_USER);
	for (int l = 1; l <= 3; l++)
		CHECK(raw_entry(UVA, l) & PTE_USER);
	CHECK_EQ(pt_map(&space, UVA + PT_SIZE_2M, 0x400000, PT_SIZE_2M, PT_NX), 0);
	CHECK_EQ(raw_entry(UVA + PT_SIZE_2M, 1), 0x400000 | PTE_PRESENT | PTE_HUGE | PTE_NX);
	teardown();
}

static void test_2m_pages(void)
{
	struct pt_mapping m;

	fresh();
	CHECK_EQ(pt_map(&space, KVA, 0x40000000, PT_SIZE_2M, PT_NX | PT_WRITE), 0);
	CHECK_EQ(pt_walk(&space, KVA + 0x1ff123, &m), 0);
	CHECK_EQ(m.va, KVA);
	CHECK_EQ(m.phys, 0x40000000);
	CHECK_EQ(m.size, PT_SIZE_2M);
	CHECK_EQ(pt_map(&space, KVA + 0x3000, 0x1000, PT_SIZE_4K, PT_NX), -CAPOS_EEXIST);
	CHECK_EQ(pt_unmap(&space, KVA + 0x3000, &m), -CAPOS_EINVAL);
	CHECK_EQ(pt_protect(&space, KVA + 0x3000, PT_NX), -CAPOS_EINVAL);
	CHECK_EQ(pt_protect(&space, KVA, PT_NX), 0);
	CHECK_EQ(pt_walk(&space, KVA, &m), 0);
	CHECK_EQ(m.flags, PT_NX);
	CHECK_EQ(m.size, PT_SIZE_2M);
	CHECK_EQ(pt_unmap(&space, KVA, &m), 1);
	CHECK_EQ(m.size, PT_SIZE_2M);
	CHECK_EQ(m.phys, 0x40000000);
	CHECK_EQ(last_invalidated, KVA);
	/* A 2 MiB page cannot replace a page table. */
	CHECK_EQ(pt_map(&space, KVA + PT_SIZE_2M, 0x5000, PT_SIZE_4K, PT_NX), 0);
	CHECK_EQ(pt_map(&space, KVA + PT_SIZE_2M, 0x200000, PT_SIZE_2M, PT_NX), -CAPOS_EEXIST);
	teardown();
}

static void test_unmap_reports(void)
{
	struct pt_mapping m;

	fresh();
	CHECK_EQ(pt_unmap(&space, KVA, &m), 0);  /* no tables at all */
	CHECK_EQ(pt_map(&space, KVA, 0x7000, PT_SIZE_4K, PT_NX), 0);
	CHECK_EQ(pt_unmap(&space, KVA + PT_SIZE_4K, NULL), 0);  /* table but empty slot */
	CHECK_EQ(invalidations, 0);
	CHECK_EQ(pt_unmap(&space, KVA, &m), 1);
	CHECK_EQ(m.phys, 0x7000);
	CHECK_EQ(m.va, KVA);
	CHECK_EQ(m.flags, PT_NX);
	CHECK_EQ(invalidations, 1);
	CHECK_EQ(pt_unmap(&space, KVA, &m), 0);
	CHECK_EQ(pt_unmap(&space, KVA + 1, &m), -CAPOS_EINVAL);
	CHECK_EQ(pt_unmap(&space, 0x0000900000000000ull, &m), -CAPOS_EINVAL);
	teardown();
}

static void test_protect(void)
{
	struct pt_mapping m;

	fresh();
	CHECK_EQ(pt_map(&space, UVA, 0x9000, PT_SIZE_4K, PT_NX), 0);
	CHECK(!(raw_entry(UVA, 2) & PTE_USER));
	CHECK_EQ(pt_protect(&space, UVA, PT_USER | PT_WRITE | PT_NX), 0);
	CHECK_EQ(pt_walk(&space, UVA, &m), 0);
	CHECK_EQ(m.flags, PT_USER | PT_WRITE | PT_NX);
	CHECK_EQ(m.phys, 0x9000);
	for (int l = 1; l <= 3; l++)
		CHECK(raw_entry(UVA, l) & PTE_USER);
	CHECK_EQ(last_invalidated, UVA);
	CHECK_EQ(pt_protect(&space, UVA, PT_USER | PT_WRITE), -CAPOS_EPERM);
	CHECK_EQ(pt_protect(&space, UVA + PT_SIZE_4K, PT_NX), -CAPOS_ENOENT);
	CHECK_EQ(pt_protect(&space, UVA, PT_USER), 0);  /* now RX */
	CHECK_EQ(pt_walk(&space, UVA, &m), 0);
	CHECK_EQ(m.flags, PT_USER);
	teardown();
}

static void test_table_reuse(void)
{
	fresh();
	CHECK_EQ(pt_map(&space, KVA, 0x1000, PT_SIZE_4K, PT_NX), 0);
	CHECK_EQ(tables_alloced, 4);  /* PML4 + PDPT + PD + PT */
	CHECK_EQ(pt_map(&space, KVA + PT_SIZE_4K, 0x2000, PT_SIZE_4K, PT_NX), 0);
	CHECK_EQ(pt_map(&space, KVA + 511 * PT_SIZE_4K, 0x3000, PT_SIZE_4K, PT_NX), 0);
	CHECK_EQ(tables_alloced, 4);
	CHECK_EQ(pt_map(&space, KVA + PT_SIZE_2M, 0x4000, PT_SIZE_4K, PT_NX), 0);
	CHECK_EQ(tables_alloced, 5);  /* one new PT */
	CHECK_EQ(pt_unmap(&space, KVA, NULL), 1);
	CHECK_EQ(pt_map(&space, KVA, 0x8000, PT_SIZE_4K, PT_NX), 0);
	CHECK_EQ(tables_alloced, 5);
	CHECK_EQ(pt_ensure_top(&space, KVA), 0);
	CHECK_EQ(tables_alloced, 5);
	CHECK_EQ(pt_ensure_top(&space, 0xffffff0000000000ull), 0);
	CHECK_EQ(tables_alloced, 6);
	CHECK_EQ(pt_ensure_top(&space, 0xffffff0000000000ull), 0);
	CHECK_EQ(tables_alloced, 6);
	teardown();
}

static void test_alloc_failure(void)
{
	struct pt_mapping m;

	fresh();
	fail_alloc = 1;
	CHECK_EQ(pt_map(&space, KVA, 0x1000, PT_SIZE_4K, PT_NX), -CAPOS_ENOMEM);
	CHECK_EQ(pt_walk(&space, KVA, &m), -CAPOS_ENOENT);
	CHECK_EQ(pt_ensure_top(&space, KVA), -CAPOS_ENOMEM);
	fail_alloc = 0;
	CHECK_EQ(pt_map(&space, KVA, 0x1000, PT_SIZE_4K, PT_NX), 0);
	teardown();
}

static void test_foreign_1g_leaf(void)
{
	struct pt_mapping m;
	uint64_t *root, *pdpt;

	fresh();
	CHECK_EQ(pt_ensure_top(&space, KVA), 0);
	root = fake_ptr(NULL, space.root);
	pdpt = fake_ptr(NULL, root[256] & PTE_ADDR_MASK);
	pdpt[0] = 0x80000000ull | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE;  /* 1 GiB, as a loader might */
	CHECK_EQ(pt_walk(&space, 0xffff800000000000ull + 0x12345678, &m), 0);
	CHECK_EQ(m.size, PT_SIZE_1G);
	CHECK_EQ(m.phys, 0x80000000ull);
	CHECK_EQ(m.va, 0xffff800000000000ull);
	CHECK_EQ(pt_map(&space, KVA, 0x1000, PT_SIZE_4K, PT_NX), -CAPOS_EEXIST);
	CHECK_EQ(pt_unmap(&space, 0xffff800000000000ull, &m), 1);
	CHECK_EQ(m.size, PT_SIZE_1G);
	teardown();
}

static void test_destroy_counts_leaves(void)
{
	fresh();
	CHECK_EQ(pt_map(&space, UVA, 0x1000, PT_SIZE_4K, PT_USER), 0);
	CHECK_EQ(pt_map(&space, UVA + PT_SIZE_2M, 0x200000, PT_SIZE_2M, PT_USER | PT_NX), 0);
	CHECK_EQ(pt_map(&space, 0x00007fffffffe000ull, 0x2000, PT_SIZE_4K, PT_USER | PT_WRITE | PT_NX), 0);
	CHECK_EQ(pt_map(&space, KVA, 0x3000, PT_SIZE_4K, PT_NX), 0);
	CHECK_EQ(pt_unmap(&space, UVA, NULL), 1);
	/* Lower half only: the kernel half stays. */
	CHECK_EQ(pt_destroy(&space, 0, 256, 0), 2);
	CHECK_EQ(pt_walk(&space, KVA, &(struct pt_mapping){0}), 0);
	CHECK_EQ(pt_walk(&space, UVA + PT_SIZE_2M, &(struct pt_mapping){0}), -CAPOS_ENOENT);
	CHECK_EQ(pt_destroy(&space, 256, PT_ENTRIES, 1), 1);
	CHECK_EQ(space.root, 0);
	CHECK_EQ(tables_alloced, tables_freed);
}

#define MODEL_PAGES 4096
#define MODEL_BASE 0x00007f0000000000ull

static void test_random_against_model(void)
{
	static uint64_t model[MODEL_PAGES];  /* phys + 1, 0 = unmapped */
	struct pt_mapping m;
	unsigned seed = 99;

	fresh();
	memset(model, 0, sizeof model);
	for (int round = 0; round < 50000; round++) {
		unsigned i;

		seed = seed * 1103515245u + 12345u;
		i = (seed >> 8) % MODEL_PAGES;
		if (model[i]) {
			CHECK_EQ(pt_unmap(&space, MODEL_BASE + i * PT_SIZE_4K, &m), 1);
			CHECK_EQ(m.phys + 1, model[i]);
			model[i] = 0;
		} else {
			uint64_t phys = (uint64_t)((seed >> 4) & 0xfffff) << 12;

			CHECK_EQ(pt_map(&space, MODEL_BASE + i * PT_SIZE_4K, phys, PT_SIZE_4K, PT_USER | PT_NX), 0);
			model[i] = phys + 1;
		}
	}
	for (unsigned i = 0; i < MODEL_PAGES; i++) {
		int r = pt_walk(&space, MODEL_BASE + i * PT_SIZE_4K, &m);

		CHECK_EQ(r, model[i] ? 0 : -CAPOS_ENOENT);
		if (model[i])
			CHECK_EQ(m.phys + 1, model[i]);
	}
	teardown();
}

int main(void)
{
	RUN(test_map_walk_4k);
	RUN(test_flag_rules);
	RUN(test_hardware_bits);
	RUN(test_2m_pages);
	RUN(test_unmap_reports);
	RUN(test_protect);
	RUN(test_table_reuse);
	RUN(test_alloc_failure);
	RUN(test_foreign_1g_leaf);
	RUN(test_destroy_counts_leaves);
	RUN(test_random_against_model);
	return check_done();
}
