/*
 * Host tests of the heap core (exo/mm/heap_core.c) over a fake page
 * source of aligned malloc'd runs: size classes, slab filling and
 * release, large runs, exhaustion, detection of double frees and foreign
 * or interior pointers, poisoning, and a random stress whose live objects
 * are checked for overlap and for writes that leaked into neighbours.
 */
#include <stdlib.h>
#include <capos/error.h>
#include "check.h"
#include "mm/heap_core.h"

#define QUARANTINE_MAX 64

static long pages_out;        /* pages the heap holds */
static int source_fail;       /* refuse every request */
static int quarantine;        /* keep freed runs readable (double-free tests) */
static void *quarantined[QUARANTINE_MAX];
static int quarantined_count;

static void *fake_alloc_pages(void *ctx, size_t pages, size_t align_pages)
{
	void *p = NULL;

	(void)ctx;
	if (source_fail || posix_memalign(&p, align_pages * HEAP_PAGE_SIZE, pages * HEAP_PAGE_SIZE))
		return NULL;
	memset(p, 0xa5, pages * HEAP_PAGE_SIZE);  /* the core must not rely on zeroed pages */
	pages_out += (long)pages;
	return p;
}

static void fake_free_pages(void *ctx, void *p, size_t pages)
{
	(void)ctx;
	CHECK(((uintptr_t)p & (HEAP_BLOCK_SIZE - 1)) == 0);
	pages_out -= (long)pages;
	if (quarantine && quarantined_count < QUARANTINE_MAX)
		quarantined[quarantined_count++] = p;
	else
		free(p);
}

static const struct heap_page_source source = { fake_alloc_pages, fake_free_pages, NULL };
static struct heap heap;

static void fresh(void)
{
	pages_out = 0;
	source_fail = quarantine = 0;
	heap_core_init(&heap, &source);
}

/* Release the cached empty slabs by hand: the heap keeps one per class. */
static void drain(void)
{
	for (int c = 0; c < HEAP_CLASS_COUNT; c++) {
		while (heap.partial[c]) {
			void *slab = heap.partial[c];

			heap.partial[c] = NULL;
			fake_free_pages(NULL, slab, HEAP_BLOCK_PAGES);
		}
	}
	for (int i = 0; i < quarantined_count; i++)
		free(quarantined[i]);
	quarantined_count = 0;
	CHECK_EQ(pages_out, 0);
}

static void test_classes(void)
{
	CHECK_EQ(heap_core_class(0), 0);
	CHECK_EQ(heap_core_class(1), 0);
	CHECK_EQ(heap_core_class(16), 0);
	CHECK_EQ(heap_core_class(17), 1);
	CHECK_EQ(heap_core_class(100), 3);
	CHECK_EQ(heap_core_class(1024), 6);
	CHECK_EQ(heap_core_class(2048), 7);
	CHECK_EQ(heap_core_class(2049), -1);
}

static void test_small_objects(void)
{
	void *p[8];

	fresh();
	for (int c = 0; c < HEAP_CLASS_COUNT; c++) {
		size_t size = (size_t)HEAP_MIN_CLASS << c;

		p[c] = heap_core_alloc(&heap, size - 3);
		CHECK(p[c] != NULL);
		CHECK(((uintptr_t)p[c] & (HEAP_ALIGN - 1)) == 0);
		CHECK_EQ(heap_core_usable_size(&heap, p[c]), size);
		memset(p[c], c, size);
	}
	CHECK_EQ(heap.stats.slabs, HEAP_CLASS_COUNT);
	CHECK_EQ(heap.stats.objects, HEAP_CLASS_COUNT);
	CHECK_EQ(pages_out, HEAP_CLASS_COUNT * HEAP_BLOCK_PAGES);
	for (int c = 0; c < HEAP_CLASS_COUNT; c++)
		CHECK_EQ(heap_core_free(&heap, p[c]), 0);
	CHECK_EQ(heap.stats.objects, 0);
	CHECK_EQ(heap.stats.bytes_in_use, 0);
	drain();
}

static void test_slab_fill_and_release(void)
{
	static void *objs[2100];
	int n = 0;

	fresh();
	/* 16-byte objects: more than one slab's worth. */
	for (n = 0; n < 2100; n++) {
		objs[n] = heap_core_alloc(&heap, 16);
		CHECK(objs[n] != NULL);
	}
	CHECK(heap.stats.slabs >= 3);
	for (int i = 1; i < n; i++)
		CHECK(objs[i] != objs[i - 1]);
	for (int i = 0; i < n; i++)
		CHECK_EQ(heap_core_free(&heap, objs[i]), 0);
	CHECK_EQ(heap.stats.slabs, 1);  /* one empty slab kept */
	CHECK_EQ(pages_out, HEAP_BLOCK_PAGES);
	/* Reuse: the cached slab serves the next object without a new block. */
	objs[0] = heap_core_alloc(&heap, 10);
	CHECK_EQ(pages_out, HEAP_BLOCK_PAGES);
	CHECK_EQ(heap_core_free(&heap, objs[0]), 0);
	drain();
}

static void test_large(void)
{
	uint8_t *a, *b;

	fresh();
	a = heap_core_alloc(&heap, 2049);
	CHECK(a != NULL);
	CHECK(((uintptr_t)a & (HEAP_ALIGN - 1)) == 0);
	CHECK_EQ(pages_out, 1);
	CHECK(heap_core_usable_size(&heap, a) >= 2049);
	b = heap_core_alloc(&heap, 1 << 20);
	CHECK(b != NULL);
	CHECK_EQ(pages_out, 1 + 257);  /* header spills into one more page */
	memset(b, 0x11, 1 << 20);
	CHECK_EQ(heap.stats.large_pages, 258);
	CHECK_EQ(heap.stats.objects, 2);
	CHECK_EQ(heap_core_free(&heap, a), 0);
	CHECK_EQ(heap_core_free(&heap, b), 0);
	CHECK_EQ(heap.stats.large_pages, 0);
	CHECK_EQ(heap.stats.bytes_in_use, 0);
	CHECK(heap_core_alloc(&heap, (size_t)HEAP_LARGE_MAX + 1) == NULL);
	drain();
}

static void test_exhaustion(void)
{
	void *p;

	fresh();
	source_fail = 1;
	CHECK(heap_core_alloc(&heap, 32) == NULL);
	CHECK(heap_core_alloc(&heap, 5000) == NULL);
	CHECK_EQ(heap.stats.objects, 0);
	CHECK_EQ(heap.stats.slabs, 0);
	source_fail = 0;
	p = heap_core_alloc(&heap, 32);
	CHECK(p != NULL);
	source_fail = 1;
	/* The same slab still serves its class. */
	CHECK(heap_core_alloc(&heap, 32) != NULL);
	source_fail = 0;
	heap_core_free(&heap, p);
	drain();
}

static void test_bad_frees(void)
{
	static _Alignas(HEAP_BLOCK_SIZE) uint8_t foreign[HEAP_BLOCK_SIZE];
	uint8_t *small, *other, *large;

	fresh();
	quarantine = 1;
	small = heap_core_alloc(&heap, 64);
	other = heap_core_alloc(&heap, 64);
	large = heap_core_alloc(&heap, 10000);
	CHECK_EQ(heap_core_free(&heap, small + 16), -CAPOS_EINVAL);  /* inside an object */
	CHECK(other == small + 64);                                  /* address order */
	CHECK_EQ(heap_core_free(&heap, small + 128), -CAPOS_EEXIST); /* a never-used slot */
	CHECK_EQ(heap_core_free(&heap, (uint8_t *)((uintptr_t)small & ~(uintptr_t)(HEAP_BLOCK_SIZE - 1)) + 32),
		 -CAPOS_EINVAL);                                       /* the slab header */
	CHECK_EQ(heap_core_free(&heap, large + 16), -CAPOS_EINVAL);
	CHECK_EQ(heap_core_free(&heap, foreign + 256), -CAPOS_EINVAL);
	CHECK_EQ(heap_core_usable_size(&heap, foreign + 256), 0);
	CHECK_EQ(heap_core_free(&heap, small), 0);
	CHECK_EQ(heap_core_free(&heap, small), -CAPOS_EEXIST);
	CHECK_EQ(heap_core_usable_size(&heap, small), 0);
	CHECK_EQ(heap_core_free(&heap, large), 0);
	CHECK_EQ(heap_core_free(&heap, large), -CAPOS_EINVAL);       /* run gone: magic cleared */
	CHECK_EQ(heap.stats.objects, 1);
	CHECK_EQ(heap_core_free(&heap, other), 0);
	drain();
}

static void test_poison(void)
{
	uint8_t *p, *q;

	fresh();
	p = heap_core_alloc(&heap, 128);
	q = heap_core_alloc(&heap, 128);  /* keeps the slab alive */
	memset(p, 0x77, 128);
	CHECK_EQ(heap_core_free(&heap, p), 0);
	for (int i = sizeof(void *); i < 128; i++)
		CHECK_EQ(p[i], 0xdf);
	CHECK(heap_core_alloc(&heap, 100) == p);  /* LIFO reuse */
	heap_core_free(&heap, p);
	heap_core_free(&heap, q);
	drain();
}

struct live {
	uint8_t *p;
	size_t size;
	uint8_t tag;
};

static int cmp_live(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void check_disjoint(struct live *objs, int n)
{
	static struct live sorted[512];
	int k = 0;

	for (int i = 0; i < n; i++)
		if (objs[i].p)
			sorted[k++] = objs[i];
	qsort(sorted, (size_t)k, sizeof sorted[0], cmp_live);
	for (int i = 1; i < k; i++)
		CHECK(sorted[i - 1].p + sorted[i - 1].size <= sorted[i].p);
}

static size_t random_size(unsigned r)
{
	switch (r % 6) {
	case 0: return r >> 20 & 15;
	case 1: case 2: return 1 + (r >> 8) % 300;
	case 3: return 1 + (r >> 8) % 2048;
	case 4: return 2049 + (r >> 8) % 20000;
	default: return 1 + (r >> 8) % 100000;
	}
}

static void stress_step(struct live *o, unsigned r)
{
	if (o->p) {
		for (size_t i = 0; i < o->size; i++)
			if (o->p[i] != o->tag) {
				CHECK(o->p[i] == o->tag);
				break;
			}
		CHECK_EQ(heap_core_free(&heap, o->p), 0);
		o->p = NULL;
		return;
	}
	o->size = random_size(r);
	o->tag = (uint8_t)(r >> 3);
	o->p = heap_core_alloc(&heap, o->size);
	CHECK(o->p != NULL);
	CHECK(((uintptr_t)o->p & (HEAP_ALIGN - 1)) == 0);
	CHECK(heap_core_usable_size(&heap, o->p) >= o->size);
	memset(o->p, o->tag, o->size);
}

static void test_stress(void)
{
	static struct live objs[512];
	unsigned seed = 2024;

	fresh();
	memset(objs, 0, sizeof objs);
	for (int round = 0; round < 60000; round++) {
		seed = seed * 1103515245u + 12345u;
		stress_step(&objs[(seed >> 7) % 512], seed * 2654435761u);
		if (round % 5000 == 0)
			check_disjoint(objs, 512);
	}
	check_disjoint(objs, 512);
	for (int i = 0; i < 512; i++)
		if (objs[i].p)
			stress_step(&objs[i], 0);
	CHECK_EQ(heap.stats.objects, 0);
	CHECK_EQ(heap.stats.bytes_in_use, 0);
	CHECK_EQ(heap.stats.large_pages, 0);
	CHECK(heap.stats.slabs <= HEAP_CLASS_COUNT);
	drain();
}

int main(void)
{
	RUN(test_classes);
	RUN(test_small_objects);
	RUN(test_slab_fill_and_release);
	RUN(test_large);
	RUN(test_exhaustion);
	RUN(test_bad_frees);
	RUN(test_poison);
	RUN(test_stress);
	return check_done();
}
