/* Host uvm_env for the user-memory tests; see fake_env.h. */
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <stdarg.h>
#include <capos/error.h>
#include "fake_env.h"
#include "proc/uvm_env.h"
#include "kern/panic.h"

struct fake_env fake = { .frame_fail_after = -1, .zalloc_fail_after = -1 };

static uint64_t *live;  /* live frames, unordered */
static size_t live_count, live_cap;

void fake_reset(void)
{
	fake.frame_fail_after = -1;
	fake.zalloc_fail_after = -1;
	fake.flushes = 0;
	fake.frames_allocated = 0;
}

uint64_t fake_kernel_entry(unsigned i)
{
	return 0x7000000ull + (uint64_t)i * 0x1000 + 0x3;  /* present | writable, never walked */
}

static void fake_init_kernel_root(void)
{
	uint64_t *root;

	if (fake.kernel_root)
		return;
	root = aligned_alloc(4096, 4096);
	memset(root, 0, 4096);
	for (unsigned i = 256; i < 512; i++)
		root[i] = fake_kernel_entry(i);
	fake.kernel_root = (uint64_t)(uintptr_t)root;
	fake.current_root = fake.kernel_root;
}

static long fake_find(uint64_t phys)
{
	for (size_t i = 0; i < live_count; i++)
		if (live[i] == phys)
			return (long)i;
	return -1;
}

bool fake_frame_live(uint64_t phys)
{
	return fake_find(phys) >= 0;
}

int uvm_frame_alloc(uint64_t *phys)
{
	void *p;

	if (fake.frame_fail_after == 0)
		return -CAPOS_ENOMEM;
	if (fake.frame_fail_after > 0)
		fake.frame_fail_after--;
	p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	if (live_count == live_cap) {
		live_cap = live_cap ? live_cap * 2 : 256;
		live = realloc(live, live_cap * sizeof(*live));
	}
	live[live_count++] = (uint64_t)(uintptr_t)p;
	fake.frames_live++;
	fake.frames_allocated++;
	*phys = (uint64_t)(uintptr_t)p;
	return 0;
}

void uvm_frame_free(uint64_t phys)
{
	long i = fake_find(phys);

	if (i < 0)
		panic("fake: freeing frame %#llx that is not allocated", (unsigned long long)phys);
	live[i] = live[--live_count];
	fake.frames_live--;
	memset((void *)(uintptr_t)phys, 0xdb, 4096);  /* catch use after free */
	free((void *)(uintptr_t)phys);
}

void *uvm_phys_ptr(uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

void *uvm_zalloc(size_t size)
{
	if (fake.zalloc_fail_after == 0)
		return NULL;
	if (fake.zalloc_fail_after > 0)
		fake.zalloc_fail_after--;
	return calloc(1, size);
}

void *uvm_alloc(size_t size)
{
	return uvm_zalloc(size);
}

void uvm_free(void *p)
{
	free(p);
}

size_t uvm_alloc_size(const void *p)
{
	return malloc_usable_size((void *)p);
}

uint64_t uvm_kernel_root(void)
{
	fake_init_kernel_root();
	return fake.kernel_root;
}

uint64_t uvm_current_root(void)
{
	fake_init_kernel_root();
	return fake.current_root;
}

void uvm_load_root(uint64_t root)
{
	fake.current_root = root;
}

void uvm_flush_page(uint64_t va)
{
	(void)va;
	fake.flushes++;
}

uint64_t uvm_lock(struct spinlock *l)
{
	if (l->locked)
		panic("fake: lock %p taken twice", (void *)l);
	l->locked = 1;
	return 0;
}

void uvm_unlock(struct spinlock *l, uint64_t flags)
{
	(void)flags;
	if (!l->locked)
		panic("fake: unlocking %p which is not held", (void *)l);
	l->locked = 0;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# PANIC: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	abort();
}
