/*
 * Host tests of the region list (exo/proc/vma.c): range and protection
 * checks, insertion with merging, lookups, free-range search, coverage,
 * splitting, removal, the region limit and heap failure.
 */
#include <capos/error.h>
#include "check.h"
#include "fake_env.h"
#include "proc/vma.h"

#define P CAPOS_PAGE_SIZE
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define RO CAPOS_PROT_READ

static struct vma mk(uint64_t start, uint64_t pages, uint32_t prot, uint32_t kind)
{
	return (struct vma){ .start = start, .pages = pages, .prot = prot, .kind = kind };
}

static void add(struct vma_set *s, uint64_t start, uint64_t pages, uint32_t prot, uint32_t kind)
{
	struct vma r = mk(start, pages, prot, kind);

	CHECK_EQ(vma_reserve(s, 1), 0);
	vma_insert(s, &r);
}

static void clear(struct vma_set *s)
{
	vma_remove(s, 0, s->count);
	vma_set_fini(s);
}

static void test_check_range(void)
{
	CHECK_EQ(vma_check_range(0x1000, 1), 0);
	CHECK_EQ(vma_check_range(0x1001, 1), -CAPOS_EINVAL);
	CHECK_EQ(vma_check_range(0x1000, 0), -CAPOS_EINVAL);
	CHECK_EQ(vma_check_range(0, 1), -CAPOS_ERANGE);                    /* page 0 */
	CHECK_EQ(vma_check_range(CAPOS_USER_MAX - P, 1), 0);               /* last page */
	CHECK_EQ(vma_check_range(CAPOS_USER_MAX - P, 2), -CAPOS_ERANGE);   /* crosses the top */
	CHECK_EQ(vma_check_range(CAPOS_USER_MAX, 1), -CAPOS_ERANGE);       /* non-canonical */
	CHECK_EQ(vma_check_range(0xffff800000000000ull, 1), -CAPOS_ERANGE); /* kernel half */
	CHECK_EQ(vma_check_range(0x1000, UINT64_MAX / P), -CAPOS_ERANGE);  /* size overflow */
	CHECK_EQ(vma_check_range(0x1000, UINT64_MAX), -CAPOS_ERANGE);
}

static void test_check_prot(void)
{
	CHECK_EQ(vma_check_prot(RO), 0);
	CHECK_EQ(vma_check_prot(RW), 0);
	CHECK_EQ(vma_check_prot(CAPOS_PROT_READ | CAPOS_PROT_EXEC), 0);
	CHECK_EQ(vma_check_prot(CAPOS_PROT_ALL), -CAPOS_EPERM);
	CHECK_EQ(vma_check_prot(CAPOS_PROT_WRITE | CAPOS_PROT_EXEC), -CAPOS_EINVAL); /* no READ first */
	CHECK_EQ(vma_check_prot(0), -CAPOS_EINVAL);
	CHECK_EQ(vma_check_prot(CAPOS_PROT_WRITE), -CAPOS_EINVAL);
	CHECK_EQ(vma_check_prot(RO | 8), -CAPOS_EINVAL);
}

static void test_insert_sorted_and_merge(void)
{
	struct vma_set s;

	vma_set_init(&s, NULL);
	add(&s, 0x10000, 2, RW, VMA_ANON);
	add(&s, 0x2000, 1, RW, VMA_ANON);
	add(&s, 0x20000, 1, RW, VMA_STACK);
	CHECK_EQ(s.count, 3);
	CHECK_EQ(s.v[0].start, 0x2000);
	CHECK_EQ(s.v[1].start, 0x10000);
	CHECK_EQ(s.v[2].start, 0x20000);
	add(&s, 0x12000, 1, RW, VMA_ANON);       /* merges with 0x10000 */
	CHECK_EQ(s.count, 3);
	CHECK_EQ(s.v[1].pages, 3);
	add(&s, 0xf000, 1, RO, VMA_ANON);        /* different prot: no merge */
	CHECK_EQ(s.count, 4);
	add(&s, 0x3000, 0xc, RW, VMA_ANON);      /* bridges 0x2000 .. 0xf000 */
	CHECK_EQ(s.count, 4);
	CHECK_EQ(s.v[0].start, 0x2000);
	CHECK_EQ(s.v[0].pages, 0xd);
	add(&s, 0x13000, 0xd, RW, VMA_ANON);     /* next to a stack: no merge with it */
	CHECK_EQ(s.count, 4);
	CHECK_EQ(s.v[2].pages, 3 + 0xd);
	CHECK_EQ(vma_end(&s.v[2]), 0x20000);
	clear(&s);
}

static void test_find_and_overlap(void)
{
	struct vma_set s;

	vma_set_init(&s, NULL);
	add(&s, 0x10000, 4, RW, VMA_ANON);
	add(&s, 0x20000, 1, RO, VMA_GUARD);
	CHECK_EQ(vma_find(&s, 0x10000), 0);
	CHECK_EQ(vma_find(&s, 0x13fff), 0);
	CHECK_EQ(vma_find(&s, 0x14000), -1);
	CHECK_EQ(vma_find(&s, 0xffff), -1);
	CHECK_EQ(vma_find(&s, 0x20000), 1);
	CHECK(vma_overlaps(&s, 0xf000, 2));
	CHECK(!vma_overlaps(&s, 0xf000, 1));
	CHECK(vma_overlaps(&s, 0x13000, 1));
	CHECK(!vma_overlaps(&s, 0x14000, 0xc));
	CHECK(vma_overlaps(&s, 0x14000, 0xd));
	CHECK(vma_overlaps(&s, 0x1000, 0x100));   /* swallows both */
	clear(&s);
}

static void test_find_free(void)
{
	struct vma_set s;
	uint64_t va = 0;

	vma_set_init(&s, NULL);
	CHECK_EQ(vma_find_free(&s, 1, &va), 0);
	CHECK_EQ(va, CAPOS_USER_MAP_BASE);
	add(&s, CAPOS_USER_MAP_BASE, 2, RW, VMA_ANON);
	add(&s, CAPOS_USER_MAP_BASE + 3 * P, 1, RW, VMA_RING);
	CHECK_EQ(vma_find_free(&s, 1, &va), 0);
	CHECK_EQ(va, CAPOS_USER_MAP_BASE + 2 * P);             /* the one-page hole */
	CHECK_EQ(vma_find_free(&s, 2, &va), 0);
	CHECK_EQ(va, CAPOS_USER_MAP_BASE + 4 * P);             /* after the ring */
	CHECK_EQ(vma_find_free(&s, (CAPOS_USER_MAX - CAPOS_USER_MIN) / P, &va), -CAPOS_ENOMEM);
	CHECK_EQ(vma_find_free(&s, 0, &va), -CAPOS_ENOMEM);
	CHECK_EQ(vma_find_free(&s, UINT64_MAX, &va), -CAPOS_ENOMEM);
	/* A region straddling the base. */
	clear(&s);
	vma_set_init(&s, NULL);
	add(&s, CAPOS_USER_MAP_BASE - P, 3, RW, VMA_ANON);
	CHECK_EQ(vma_find_free(&s, 1, &va), 0);
	CHECK_EQ(va, CAPOS_USER_MAP_BASE + 2 * P);
	/* Window full above the base: lowest hole below. */
	clear(&s);
	vma_set_init(&s, NULL);
	add(&s, CAPOS_USER_MAP_BASE, (CAPOS_USER_MAX - CAPOS_USER_MAP_BASE) / P, RW, VMA_ANON);
	add(&s, CAPOS_USER_MIN, 1, RW, VMA_STACK);
	CHECK_EQ(vma_find_free(&s, 4, &va), 0);
	CHECK_EQ(va, CAPOS_USER_MIN + P);
	clear(&s);
}

static void test_span(void)
{
	struct vma_set s;
	uint32_t first = 99, end = 99;

	vma_set_init(&s, NULL);
	add(&s, 0x10000, 2, RW, VMA_ANON);
	add(&s, 0x12000, 2, RO, VMA_ANON);
	add(&s, 0x15000, 1, RW, VMA_ANON);
	CHECK_EQ(vma_span(&s, 0x11000, 2, &first, &end), 0);
	CHECK_EQ(first, 0);
	CHECK_EQ(end, 2);
	CHECK_EQ(vma_span(&s, 0x10000, 4, &first, &end), 0);
	CHECK_EQ(vma_span(&s, 0x10000, 5, &first, &end), -CAPOS_ENOENT);   /* hole at 0x14000 */
	CHECK_EQ(vma_span(&s, 0xf000, 2, &first, &end), -CAPOS_ENOENT);    /* hole before */
	CHECK_EQ(vma_span(&s, 0x15000, 2, &first, &end), -CAPOS_ENOENT);   /* runs off the end */
	CHECK_EQ(vma_span(&s, 0x15000, 1, &first, &end), 0);
	CHECK_EQ(first, 2);
	CHECK_EQ(end, 3);
	clear(&s);
}

static void test_split_and_remove(void)
{
	struct vma_set s;
	struct vma r = mk(0x10000, 8, RW, VMA_MEMOBJ);

	vma_set_init(&s, NULL);
	r.first_page = 5;
	CHECK_EQ(vma_reserve(&s, 3), 0);
	vma_insert(&s, &r);
	CHECK_EQ(vma_split(&s, 0x10000), -1);   /* already a boundary */
	CHECK_EQ(vma_split(&s, 0x18000), -1);   /* end: nothing there */
	CHECK_EQ(vma_split(&s, 0x40000), -1);   /* unmapped */
	CHECK_EQ(vma_split(&s, 0x13000), 1);
	CHECK_EQ(vma_split(&s, 0x15000), 2);
	CHECK_EQ(s.count, 3);
	CHECK_EQ(s.v[0].pages, 3);
	CHECK_EQ(s.v[0].first_page, 5);
	CHECK_EQ(s.v[1].start, 0x13000);
	CHECK_EQ(s.v[1].pages, 2);
	CHECK_EQ(s.v[1].first_page, 8);
	CHECK_EQ(s.v[2].start, 0x15000);
	CHECK_EQ(s.v[2].pages, 3);
	CHECK_EQ(s.v[2].first_page, 10);
	vma_remove(&s, 1, 1);
	CHECK_EQ(s.count, 2);
	CHECK_EQ(s.v[1].start, 0x15000);
	clear(&s);
}

static void test_merge_after_protect(void)
{
	struct vma_set s;

	vma_set_init(&s, NULL);
	add(&s, 0x10000, 6, RW, VMA_ANON);
	CHECK_EQ(vma_reserve(&s, 2), 0);
	vma_split(&s, 0x12000);
	vma_split(&s, 0x14000);
	s.v[1].prot = RO;
	CHECK_EQ(vma_merge(&s, 1, 2), 0);     /* RO between RW: nothing merges */
	s.v[1].prot = RW;
	CHECK_EQ(vma_merge(&s, 1, 2), 2);     /* back to one region */
	CHECK_EQ(s.count, 1);
	CHECK_EQ(s.v[0].pages, 6);
	clear(&s);
}

static void test_region_limit_and_heap_failure(void)
{
	struct vma_set s;

	vma_set_init(&s, NULL);
	CHECK_EQ(vma_reserve(&s, VMA_MAX_REGIONS + 1), -CAPOS_EQUOTA);
	fake.zalloc_fail_after = 0;
	CHECK_EQ(vma_reserve(&s, 1), -CAPOS_ENOMEM);
	CHECK_EQ(s.count, 0);
	fake_reset();
	for (uint32_t i = 0; i < VMA_MAX_REGIONS; i++)
		add(&s, 0x10000 + 2 * i * P, 1, RW, VMA_ANON);   /* gaps: no merging */
	CHECK_EQ(s.count, VMA_MAX_REGIONS);
	CHECK_EQ(vma_reserve(&s, 1), -CAPOS_EQUOTA);
	CHECK_EQ(vma_reserve(&s, 0), 0);
	CHECK_EQ(vma_find(&s, 0x10000 + 2 * 4000 * P), 4000);
	clear(&s);
}

int main(void)
{
	RUN(test_check_range);
	RUN(test_check_prot);
	RUN(test_insert_sorted_and_merge);
	RUN(test_find_and_overlap);
	RUN(test_find_free);
	RUN(test_span);
	RUN(test_split_and_remove);
	RUN(test_merge_after_protect);
	RUN(test_region_limit_and_heap_failure);
	return check_done();
}
